//! Passphrases a script hands over in the environment (`TAKEBACK_PASSPHRASE`,
//! `TAKEBACK_NEW_PASSPHRASE`, `TAKEBACK_EXPORT_PASSPHRASE`). They are taken out of the environment as the process starts, before
//! any thread exists, so that nothing started later (a helper process, a crash reporter) inherits
//! them and `/proc/<pid>/environ` of a long run no longer shows them.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use takeback_core::storage::secrets::Secret;

/// Environment variable a script sets instead of typing the passphrase.
pub const PASSPHRASE_ENV: &str = "TAKEBACK_PASSPHRASE";
/// Environment variable a script sets instead of typing the new passphrase (`profile passphrase`).
pub const NEW_PASSPHRASE_ENV: &str = "TAKEBACK_NEW_PASSPHRASE";
/// Environment variable a script sets instead of typing a hand-off bundle's passphrase.
pub const EXPORT_PASSPHRASE_ENV: &str = "TAKEBACK_EXPORT_PASSPHRASE";

const TAKEN_VARIABLES: [&str; 3] = [PASSPHRASE_ENV, NEW_PASSPHRASE_ENV, EXPORT_PASSPHRASE_ENV];

static TAKEN: OnceLock<BTreeMap<&'static str, Secret<String>>> = OnceLock::new();

/// Moves the passphrase variables from the environment into this process's memory. Call it
/// first in `main`, while the process has one thread (changing the environment is only sound
/// then).
pub fn take_from_environment() {
    let mut taken = BTreeMap::new();
    for name in TAKEN_VARIABLES {
        if let Some(value) = std::env::var_os(name) {
            if let Ok(text) = value.into_string() {
                taken.insert(name, Secret::new(text));
            }
            std::env::remove_var(name);
        }
    }
    let _ = TAKEN.set(taken);
}

/// The passphrase a script gave in `name`, if any.
pub fn get(name: &str) -> Option<Secret<String>> {
    TAKEN.get().and_then(|taken| taken.get(name)).cloned()
}

/// Whether a script gave `name`.
pub fn given(name: &str) -> bool {
    TAKEN.get().is_some_and(|taken| taken.contains_key(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Safety issue item 13: the passphrase must not stay in the environment after it is read.
    #[test]
    fn passphrases_leave_the_environment_and_stay_readable_here() {
        std::env::set_var(PASSPHRASE_ENV, "from a script");
        take_from_environment();
        assert!(std::env::var_os(PASSPHRASE_ENV).is_none());
        assert!(given(PASSPHRASE_ENV));
        assert_eq!(
            get(PASSPHRASE_ENV).map(|s| s.expose().clone()).as_deref(),
            Some("from a script")
        );
        assert!(get(NEW_PASSPHRASE_ENV).is_none());
    }
}
