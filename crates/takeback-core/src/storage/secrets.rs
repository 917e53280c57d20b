//! Secrets in memory, and the OS keyring that keeps personal profiles' keys.
//!
//! [`Secret`] holds key material and passphrases. It has no `Display`, no `Serialize` and a
//! `Debug` that prints `<redacted>`, so a secret cannot end up in a log line, an error message or
//! an IPC payload by accident; its memory is zeroed when it is dropped.
//!
//! [`KeyStore`] is the small surface the core needs from a keyring. [`KeyringStore`] implements it
//! on any `keyring-core` store: in the app and the CLI the platform's own (the Secret Service, i.e.
//! gnome-keyring or KWallet, on Linux; the login Keychain on macOS; the Credential Manager on
//! Windows), `keyring_core::mock::Store` in unit tests. The core never sets keyring-core's process-wide
//! default store, so tests and the app cannot step on each other.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{Error, Result};

/// A value that must never be shown: keys, passphrases. Zeroed on drop.
///
/// It deliberately implements neither `Display` nor `serde::Serialize`:
///
/// ```compile_fail
/// let s = takeback_core::storage::secrets::Secret::new(String::from("hunter2"));
/// println!("{s}");
/// ```
///
/// ```compile_fail
/// let s = takeback_core::storage::secrets::Secret::new(String::from("hunter2"));
/// serde_json::to_string(&s).unwrap();
/// ```
pub struct Secret<T: Zeroize>(T);

/// The name GitButler and the style guide use; the same type.
pub type Sensitive<T> = Secret<T>;

impl<T: Zeroize> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The value itself. Call it only where the secret is consumed (a cipher, a KDF).
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// The value, to be filled in place (a KDF's output), so no unwiped copy is made.
    pub fn expose_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> ZeroizeOnDrop for Secret<T> {}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T: Zeroize + Clone> Clone for Secret<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl From<String> for Secret<String> {
    fn from(value: String) -> Self {
        Self(value)
    }
}

/// The keyring operations the core needs, keyed by an account name (a profile id, never a
/// person's name).
pub trait KeyStore: fmt::Debug + Send + Sync {
    /// Stores `secret` under `account`, replacing any previous value.
    fn put(&self, account: &str, secret: &Secret<Vec<u8>>) -> Result<()>;
    /// The secret under `account`, or `None` when there is none.
    fn get(&self, account: &str) -> Result<Option<Secret<Vec<u8>>>>;
    /// Removes the secret under `account`; removing a missing one is not an error.
    fn delete(&self, account: &str) -> Result<()>;
}

/// The keyring "service" our entries are filed under. Debug builds get their own, so a
/// development build never reads or overwrites a real profile's key.
pub const KEYRING_SERVICE: &str = if cfg!(debug_assertions) {
    "app.takeback.Takeback-dev"
} else {
    "app.takeback.Takeback"
};

/// The most bytes one keyring entry may hold. Windows' Credential Manager stops at 2,560
/// (`CRED_MAX_CREDENTIAL_BLOB_SIZE`); holding every platform to it keeps the rule the same
/// everywhere. Only short values go in: a profile's 32-byte key and providers' API keys, never a
/// file or a wrapped blob.
pub const MAX_SECRET_BYTES: usize = 2560;

/// Store-specific settings for each entry the platform keyring creates.
#[cfg(target_os = "windows")]
const PLATFORM_ENTRY_MODIFIERS: &[(&str, &str)] = &[
    // "Local": the credential stays on this computer. The crate's default, "Enterprise", roams
    // to every computer the user logs on to in a Windows domain, such as a shared clinic's.
    ("persistence", "Local"),
];
#[cfg(not(target_os = "windows"))]
const PLATFORM_ENTRY_MODIFIERS: &[(&str, &str)] = &[];

/// A [`KeyStore`] on top of a `keyring-core` credential store.
pub struct KeyringStore {
    store: Arc<CredentialStore>,
    service: String,
    entry_modifiers: &'static [(&'static str, &'static str)],
}

impl fmt::Debug for KeyringStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyringStore")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl KeyringStore {
    /// Wraps any `keyring-core` store (e.g. `keyring_core::mock::Store::new()` in tests).
    pub fn new(store: Arc<CredentialStore>) -> Self {
        Self {
            store,
            service: KEYRING_SERVICE.to_owned(),
            entry_modifiers: &[],
        }
    }

    /// Files entries under another service name (tests isolate themselves with this).
    pub fn with_service(mut self, service: impl Into<String>) -> Self {
        self.service = service.into();
        self
    }

    /// The platform's keyring: the Secret Service on the session D-Bus (Linux), the login
    /// Keychain (macOS) or the Credential Manager (Windows). When there is none, the error says
    /// to use a passphrase profile instead.
    pub fn platform() -> Result<Self> {
        let store = platform_store().map_err(|e| Error::KeyringUnavailable {
            reason: e.to_string(),
            source: Some(e.into()),
        })?;
        Ok(Self {
            entry_modifiers: PLATFORM_ENTRY_MODIFIERS,
            ..Self::new(store)
        })
    }

    /// Checks that the keyring can be read and written, for `takeback doctor`: writes, reads
    /// back and deletes a probe entry.
    pub fn probe(&self) -> Result<()> {
        let account = "doctor-probe";
        let value = Secret::new(b"probe".to_vec());
        self.put(account, &value)?;
        let back = self.get(account)?;
        self.delete(account)?;
        match back {
            Some(v) if v.expose() == value.expose() => Ok(()),
            _ => Err(Error::KeyringUnavailable {
                reason: "the keyring did not return what was stored".into(),
                source: None,
            }),
        }
    }

    fn entry(&self, account: &str) -> Result<Entry> {
        let modifiers: HashMap<&str, &str> = self.entry_modifiers.iter().copied().collect();
        Entry::new_in_store_with_modifiers(&self.store, &self.service, account, &modifiers)
            .map_err(|e| keyring_failed(&e))
    }
}

#[cfg(target_os = "linux")]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    let store: Arc<CredentialStore> = zbus_secret_service_keyring_store::Store::new()?;
    Ok(store)
}

#[cfg(target_os = "macos")]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    let store: Arc<CredentialStore> = apple_native_keyring_store::keychain::Store::new()?;
    Ok(store)
}

#[cfg(target_os = "windows")]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    let store: Arc<CredentialStore> = windows_native_keyring_store::Store::new()?;
    Ok(store)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Err(keyring_core::Error::NoDefaultStore)
}

impl KeyStore for KeyringStore {
    fn put(&self, account: &str, secret: &Secret<Vec<u8>>) -> Result<()> {
        let len = secret.expose().len();
        if len > MAX_SECRET_BYTES {
            return Err(Error::Keyring {
                reason: format!(
                    "a keyring entry holds at most {MAX_SECRET_BYTES} bytes, and this secret has {len}; check that the right value was pasted"
                ),
 source: None
            });
        }
        self.entry(account)?
            .set_secret(secret.expose())
            .map_err(|e| keyring_failed(&e))
    }

    fn get(&self, account: &str) -> Result<Option<Secret<Vec<u8>>>> {
        match self.entry(account)?.get_secret() {
            Ok(bytes) => Ok(Some(Secret::new(bytes))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_failed(&e)),
        }
    }

    fn delete(&self, account: &str) -> Result<()> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_failed(&e)),
        }
    }
}

/// Maps a keyring failure without its payload: some variants carry the secret's bytes
/// (`BadEncoding`, `BadDataFormat`), which must not reach a message.
fn keyring_failed(e: &keyring_core::Error) -> Error {
    use keyring_core::Error as K;
    let reason = match e {
        K::BadEncoding(_) | K::BadDataFormat(..) => {
            "the stored key has an unexpected format".into()
        }
        K::Ambiguous(items) => format!("{} keyring entries match one profile", items.len()),
        other => other.to_string(),
    };
    match e {
        K::PlatformFailure(_) | K::NoStorageAccess(_) | K::NoDefaultStore => {
            Error::KeyringUnavailable {
                reason,
                source: None,
            }
        }
        _ => Error::Keyring {
            reason,
            source: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mock() -> KeyringStore {
        KeyringStore::new(keyring_core::mock::Store::new().unwrap())
    }

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new(String::from("hunter2"));
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
    }

    #[test]
    fn mock_store_round_trips_and_deletes() {
        let ks = mock();
        assert!(ks.get("p1").unwrap().is_none());
        ks.put("p1", &Secret::new(vec![1, 2, 3])).unwrap();
        assert_eq!(ks.get("p1").unwrap().unwrap().expose(), &vec![1, 2, 3]);
        ks.delete("p1").unwrap();
        assert!(ks.get("p1").unwrap().is_none());
        ks.delete("p1").unwrap();
        ks.probe().unwrap();
    }

    #[test]
    fn refuses_a_secret_longer_than_a_windows_credential() {
        let ks = mock();
        ks.put("max", &Secret::new(vec![7; MAX_SECRET_BYTES]))
            .unwrap();
        let err = ks
            .put("over", &Secret::new(vec![7; MAX_SECRET_BYTES + 1]))
            .unwrap_err();
        assert!(matches!(err, Error::Keyring { .. }), "{err:?}");
        assert!(err.to_string().contains("2560"), "{err}");
        assert!(ks.get("over").unwrap().is_none(), "nothing was written");
    }

    /// Runs against the session's real Secret Service; run it with `-- --ignored keyring` under
    /// `dbus-run-session` with an unlocked gnome-keyring (recipe in vault/README.md).
    #[test]
    #[ignore = "needs a Secret Service; run under dbus-run-session (vault/README.md)"]
    fn keyring_real_secret_service_round_trip() {
        let ks = KeyringStore::platform()
            .unwrap()
            .with_service("app.takeback.test");
        ks.probe().unwrap();
        let key = Secret::new((0u8..32).collect::<Vec<_>>());
        ks.put("unit-test", &key).unwrap();
        assert_eq!(ks.get("unit-test").unwrap().unwrap().expose(), key.expose());
        ks.delete("unit-test").unwrap();
        assert!(ks.get("unit-test").unwrap().is_none());
    }
}
