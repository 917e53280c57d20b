//! Standing consents: the owner's permission for the monitor to re-query one remote provider
//! with one photo, at most every `every` and at most `max_per_month` times a calendar month
//! (UTC). Without one, a provider is never queried by the monitor (remote providers are off by
//! default). Granting shows and audits the exact bytes that will be sent; revoking is audited.

use chrono::{DateTime, Datelike, TimeZone, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use takeback_faces::FaceEngine;

use crate::base::error::storage;
use crate::base::settings::Settings;
use crate::monitor::error::MonitorError;
use crate::search::every::Every;
use crate::search::providers::ProviderId;
use crate::search::scan::{self, Consent};
use crate::storage::vault::Vault;
use crate::{storage::audit, Result};

/// The most searches a month a standing consent may allow.
pub const MAX_PER_MONTH: u32 = 1000;

/// A standing consent, as `monitor status` and `provider consent` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StandingConsent {
    pub provider: ProviderId,
    /// The registered photo searched with.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub photo_id: i64,
    /// SHA-256 of the exact bytes the provider receives.
    pub sha256: String,
    /// The origin the owner agreed to send them to; a changed address sends nothing.
    pub destination: String,
    pub every: Every,
    pub max_per_month: u32,
    /// Searches sent this calendar month (UTC).
    pub used_this_month: u32,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub granted_at: DateTime<Utc>,
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub last_query: Option<DateTime<Utc>>,
    /// What the provider receives and keeps, in words.
    pub what_is_sent: String,
    pub retention: String,
}

/// Grants (or replaces) the standing consent for `provider`: the photo passes the own-face gate
/// and is registered, the exact upload is prepared and its digest recorded (audited as
/// `provider.consent` and `provider.standing_consent`).
#[allow(clippy::too_many_arguments)]
pub fn grant(
    vault: &Vault,
    engine: &FaceEngine,
    settings: &Settings,
    provider: ProviderId,
    photo: &[u8],
    attest_shows_me: bool,
    every: Every,
    max_per_month: u32,
    now: DateTime<Utc>,
) -> Result<StandingConsent> {
    if !(1..=MAX_PER_MONTH).contains(&max_per_month) {
        return Err(MonitorError::CapOutOfRange {
            value: max_per_month,
        }
        .into());
    }
    let registered = scan::register(vault, engine, photo, attest_shows_me, now)?;
    let preview = scan::preview(vault, engine, settings, registered.id, provider, now)?;
    let consent = scan::record_consent(vault, &preview, "owner", now)?;
    let tx = crate::storage::vault::write_transaction(vault.conn())?;
    tx.execute(
        "UPDATE standing_consents SET revoked_at = ?2 WHERE provider = ?1 AND revoked_at IS NULL",
        params![provider.name(), now.to_rfc3339()],
    )
    .map_err(|e| storage("recording a standing consent", e))?;
    tx.execute(
        "INSERT INTO standing_consents (provider, photo_id, sha256, destination, every_secs,
             max_per_month, granted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            provider.name(),
            registered.id,
            consent.sha256,
            consent.destination,
            every.secs(),
            max_per_month,
            now.to_rfc3339()
        ],
    )
    .map_err(|e| storage("recording a standing consent", e))?;
    audit::append(
        &tx,
        audit::NewEntry::new("owner", "provider.standing_consent")
            .subject_digest(consent.sha256.clone())
            .detail(serde_json::json!({
                "provider": provider,
                "destination": consent.destination,
                "every": every.to_string(),
                "max_per_month": max_per_month,
            })),
        now,
    )?;
    tx.commit()
        .map_err(|e| storage("recording a standing consent", e))?;
    get(vault.conn(), provider, now)?.ok_or_else(|| crate::Error::CorruptVault {
        reason: "a standing consent just recorded is missing".into(),
        source: None,
    })
}

/// Revokes the standing consent for `provider` (audited). Returns whether there was one.
pub fn revoke(vault: &Vault, provider: ProviderId, now: DateTime<Utc>) -> Result<bool> {
    let tx = crate::storage::vault::write_transaction(vault.conn())?;
    let changed = tx
        .execute(
            "UPDATE standing_consents SET revoked_at = ?2 WHERE provider = ?1 AND revoked_at IS NULL",
            params![provider.name(), now.to_rfc3339()],
        )
        .map_err(|e| storage("revoking a standing consent", e))?;
    if changed > 0 {
        audit::append(
            &tx,
            audit::NewEntry::new("owner", "provider.standing_consent_revoked")
                .detail(serde_json::json!({ "provider": provider })),
            now,
        )?;
    }
    tx.commit()
        .map_err(|e| storage("revoking a standing consent", e))?;
    Ok(changed > 0)
}

/// The active standing consent for `provider`.
pub fn get(
    conn: &Connection,
    provider: ProviderId,
    now: DateTime<Utc>,
) -> Result<Option<StandingConsent>> {
    Ok(active(conn, now)?
        .into_iter()
        .find(|c| c.provider == provider))
}

/// Every active standing consent, in the providers' order.
pub fn active(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<StandingConsent>> {
    let mut statement = conn
        .prepare(
            "SELECT provider, photo_id, sha256, every_secs, max_per_month, granted_at, destination
             FROM standing_consents WHERE revoked_at IS NULL",
        )
        .map_err(|e| storage("reading standing consents", e))?;
    let rows = statement
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, u32>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })
        .map_err(|e| storage("reading standing consents", e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("reading standing consents", e))?;
    let mut out = Vec::new();
    for (name, photo_id, sha256, every_secs, max_per_month, granted_at, destination) in rows {
        // A provider this build does not know (written by a newer one) is left out.
        let Ok(provider) = name.parse::<ProviderId>() else {
            continue;
        };
        out.push(StandingConsent {
            provider,
            photo_id,
            sha256,
            destination,
            every: Every::from_secs_stored(every_secs),
            max_per_month,
            used_this_month: used_in_month(conn, provider, now)?,
            granted_at: parse(&granted_at)?,
            last_query: last_query(conn, provider)?,
            what_is_sent: provider.what_is_sent().to_owned(),
            retention: provider.retention().to_owned(),
        });
    }
    out.sort_by_key(|c| ProviderId::ALL.iter().position(|p| *p == c.provider));
    Ok(out)
}

impl StandingConsent {
    /// The per-search consent a scan checks the bytes against.
    pub fn consent(&self) -> Consent {
        Consent {
            provider: self.provider,
            sha256: self.sha256.clone(),
            destination: self.destination.clone(),
        }
    }

    /// Whether this month's cap is used up.
    pub fn budget_reached(&self) -> bool {
        self.used_this_month >= self.max_per_month
    }

    /// When the next query is due (`None`: now).
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.last_query.map(|t| t + self.every.duration())
    }
}

fn parse(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| crate::Error::CorruptVault {
            reason: "a standing consent has a malformed date".into(),
            source: None,
        })
}

/// The first moment of `now`'s calendar month (UTC).
pub fn month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .single()
        .unwrap_or(now)
}

/// Queries counted against `provider`'s cap this calendar month.
pub fn used_in_month(conn: &Connection, provider: ProviderId, now: DateTime<Utc>) -> Result<u32> {
    conn.query_row(
        "SELECT count(*) FROM monitor_provider_queries WHERE provider = ?1 AND at >= ?2",
        params![provider.name(), month_start(now).to_rfc3339()],
        |r| r.get(0),
    )
    .map_err(|e| storage("counting provider queries", e))
}

/// When the monitor last queried `provider`.
pub fn last_query(conn: &Connection, provider: ProviderId) -> Result<Option<DateTime<Utc>>> {
    let text: Option<String> = conn
        .query_row(
            "SELECT max(at) FROM monitor_provider_queries WHERE provider = ?1",
            [provider.name()],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| storage("reading provider queries", e))?
        .flatten();
    text.as_deref().map(parse).transpose()
}
