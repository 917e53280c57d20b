//! The owner's provider accounts: whether each provider may be used, where it is reached, its
//! API key, and the last balance it reported.
//!
//! Three homes, by sensitivity: `enabled` and the base URL are app settings
//! (`provider.<name>.enabled`, `provider.<name>.base_url`, so `takeback config set` and air-gapped
//! clinics can point them at local servers); the API key is only in the OS keyring (account
//! `provider.<name>`, never in the settings file, the vault, a log or an error); the last known
//! balance is in the profile's vault (`provider_credits`), because it is learned during that
//! profile's scans.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::{parse_base_url, ApiKey, Credits, ProviderConfig, ProviderId, ProviderKind};
use crate::base::error::storage;
use crate::base::settings::Settings;
use crate::storage::secrets::{KeyStore, Secret};
use crate::{Error, Result};

/// Everything the Providers page and `takeback provider list` show about one provider. Holds no
/// secret: `has_key` only says whether the keyring has one.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProviderStatus {
    pub name: &'static str,
    pub kind: ProviderKind,
    pub enabled: bool,
    pub base_url: String,
    /// The address is not the provider's documented one: the window says so plainly, because
    /// whoever set it receives what is sent.
    pub custom_address: bool,
    pub has_key: bool,
    /// What leaves the machine when it runs.
    pub what_is_sent: &'static str,
    /// The provider's stated retention of the query image (research/providers.md §7.2).
    pub retention: &'static str,
    pub credits: Option<StoredCredits>,
}

/// A balance the provider reported, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StoredCredits {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub remaining: u64,
    pub unit: String,
    /// RFC 3339.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub checked_at: DateTime<Utc>,
}

/// The keyring account of a provider's key.
pub fn key_account(provider: ProviderId) -> String {
    format!("provider.{}", provider.name())
}

fn enabled_key(provider: ProviderId) -> String {
    format!("provider.{}.enabled", provider.name())
}

fn base_url_key(provider: ProviderId) -> String {
    format!("provider.{}.base_url", provider.name())
}

pub fn is_enabled(settings: &Settings, provider: ProviderId) -> bool {
    settings
        .provider(provider.name())
        .is_some_and(|p| p.enabled)
}

pub fn base_url(settings: &Settings, provider: ProviderId) -> String {
    settings.provider(provider.name()).map_or_else(
        || provider.default_base_url().to_owned(),
        |p| p.base_url.clone(),
    )
}

/// Changes a provider's base URL and/or enabled flag in `settings` (the caller saves them). The
/// URL is checked as the client will use it.
pub fn configure(
    settings: &mut Settings,
    provider: ProviderId,
    base_url: Option<&str>,
    enabled: Option<bool>,
) -> Result<()> {
    if let Some(url) = base_url {
        parse_base_url(provider, url)?;
        settings.set(&base_url_key(provider), url)?;
    }
    if let Some(enabled) = enabled {
        settings.set(
            &enabled_key(provider),
            if enabled { "true" } else { "false" },
        )?;
    }
    Ok(())
}

/// Stores the provider's API key in the keyring, replacing any earlier one. Surrounding
/// whitespace (a pasted newline) is dropped; an empty key is refused.
pub fn set_key(keys: &dyn KeyStore, provider: ProviderId, key: &Secret<String>) -> Result<()> {
    let trimmed = key.expose().trim();
    if trimmed.is_empty() {
        return Err(Error::InvalidSetting {
            key: key_account(provider),
            value: String::new(),
            expected: "a non-empty API key on standard input".into(),
        });
    }
    keys.put(
        &key_account(provider),
        &Secret::new(trimmed.as_bytes().to_vec()),
    )
}

/// Removes the provider's key from the keyring.
pub fn delete_key(keys: &dyn KeyStore, provider: ProviderId) -> Result<()> {
    keys.delete(&key_account(provider))
}

/// The provider's key, or `None` when none is stored.
pub fn key(keys: &dyn KeyStore, provider: ProviderId) -> Result<Option<ApiKey>> {
    let Some(bytes) = keys.get(&key_account(provider))? else {
        return Ok(None);
    };
    let text = String::from_utf8(bytes.expose().clone()).map_err(|_| Error::Keyring {
        reason: format!("the stored key of {provider} is not text; store it again"),
        source: None,
    })?;
    Ok(Some(Secret::new(text)))
}

/// The client configuration for a scan: the configured base URL, default bounds.
pub fn client_config(settings: &Settings, provider: ProviderId) -> Result<ProviderConfig> {
    let mut config =
        ProviderConfig::new(provider).with_base_url(provider, &base_url(settings, provider))?;
    config.proxy = settings.proxy();
    Ok(config)
}

/// Why a provider cannot run yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("{provider} has no API key yet; store one first (it goes to the OS keyring)")]
    KeyMissing { provider: ProviderId },

    #[error("{provider} is turned off; turn it on first")]
    Disabled { provider: ProviderId },
}

impl AccountError {
    pub fn code(&self) -> crate::ErrorCode {
        crate::ErrorCode::InvalidInput
    }
}

crate::layer_error!(AccountError);

/// Checks that a provider can run: enabled and with a key. Returns the key.
pub fn ready(settings: &Settings, keys: &dyn KeyStore, provider: ProviderId) -> Result<ApiKey> {
    if !is_enabled(settings, provider) {
        return Err(AccountError::Disabled { provider }.into());
    }
    key(keys, provider)?.ok_or_else(|| AccountError::KeyMissing { provider }.into())
}

/// Records a balance the provider reported.
pub fn record_credits(
    conn: &Connection,
    provider: ProviderId,
    credits: Credits,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO provider_credits (provider, remaining, unit, checked_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (provider) DO UPDATE SET
             remaining = excluded.remaining, unit = excluded.unit, checked_at = excluded.checked_at",
        params![
            provider.name(),
            i64::try_from(credits.remaining).unwrap_or(i64::MAX),
            credits.unit,
            now.to_rfc3339()
        ],
    )
    .map_err(|e| storage("recording a provider balance", e))?;
    Ok(())
}

/// The last balance recorded for `provider`.
pub fn stored_credits(conn: &Connection, provider: ProviderId) -> Result<Option<StoredCredits>> {
    let row: Option<(i64, String, String)> = conn
        .query_row(
            "SELECT remaining, unit, checked_at FROM provider_credits WHERE provider = ?1",
            [provider.name()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(|e| storage("reading a provider balance", e))?;
    Ok(row.and_then(|(remaining, unit, at)| {
        Some(StoredCredits {
            remaining: u64::try_from(remaining).unwrap_or(0),
            unit,
            checked_at: DateTime::parse_from_rfc3339(&at).ok()?.with_timezone(&Utc),
        })
    }))
}

/// The status of every provider, in the order of least exposure. `conn` (a profile's vault)
/// supplies the last balances; without it they are left out.
pub fn statuses(
    settings: &Settings,
    keys: &dyn KeyStore,
    conn: Option<&Connection>,
) -> Result<Vec<ProviderStatus>> {
    ProviderId::ALL
        .into_iter()
        .map(|provider| {
            Ok(ProviderStatus {
                name: provider.name(),
                kind: provider.kind(),
                enabled: is_enabled(settings, provider),
                base_url: base_url(settings, provider),
                custom_address: base_url(settings, provider) != provider.default_base_url(),
                has_key: key(keys, provider)?.is_some(),
                what_is_sent: provider.what_is_sent(),
                retention: provider.retention(),
                credits: match conn {
                    Some(conn) => stored_credits(conn, provider)?,
                    None => None,
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::secrets::KeyringStore;

    #[test]
    fn keys_live_in_the_keyring_and_config_in_settings() {
        let keys = KeyringStore::new(keyring_core::mock::Store::new().unwrap());
        let mut settings = Settings::default();
        assert!(matches!(
            ready(&settings, &keys, ProviderId::TinEye),
            Err(e) if matches!(e.downcast_ref(), Some(AccountError::Disabled { .. }))
        ));
        configure(
            &mut settings,
            ProviderId::TinEye,
            Some("http://127.0.0.1:9/rest/"),
            Some(true),
        )
        .unwrap();
        assert!(matches!(
            ready(&settings, &keys, ProviderId::TinEye),
            Err(e) if matches!(e.downcast_ref(), Some(AccountError::KeyMissing { .. }))
        ));
        set_key(&keys, ProviderId::TinEye, &Secret::new(" k-123\n".into())).unwrap();
        assert_eq!(
            ready(&settings, &keys, ProviderId::TinEye)
                .unwrap()
                .expose(),
            "k-123"
        );
        assert_eq!(
            client_config(&settings, ProviderId::TinEye)
                .unwrap()
                .base_url
                .as_str(),
            "http://127.0.0.1:9/rest/"
        );
        let all = statuses(&settings, &keys, None).unwrap();
        assert!(all[0].has_key && all[0].enabled);
        assert!(!all[1].has_key && !all[1].enabled);
        let json = serde_json::to_string(&all).unwrap();
        assert!(
            !json.contains("k-123"),
            "the key never reaches a status: {json}"
        );
        assert!(configure(&mut settings, ProviderId::TinEye, Some("ftp://x/"), None).is_err());
        assert!(set_key(&keys, ProviderId::TinEye, &Secret::new("  ".into())).is_err());
    }
}
