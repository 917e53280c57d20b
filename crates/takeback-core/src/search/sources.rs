//! The local sources a scan watches: sites (crawled within limits) and folders (walked on this
//! computer). Kept in the profile's vault, because the list itself says what the owner worries
//! about. Nothing here touches the network; `scan` reads the list.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::base::error::storage;
use crate::search::crawl::parse_start_url;
use crate::search::error::SearchError;
use crate::search::every::Every;
use crate::storage::vault::Vault;
use crate::{storage::audit, Result};

/// Bounds a site source may carry; wider values are refused rather than clamped, so the owner
/// learns the limit.
pub const MAX_DEPTH: u32 = 10;
pub const MAX_PAGES: u32 = 10_000;
pub const MAX_INTERVAL_MS: u32 = 60_000;

/// Defaults for a new site source.
pub const DEFAULT_DEPTH: u32 = 2;
pub const DEFAULT_PAGES: u32 = 200;
pub const DEFAULT_INTERVAL_MS: u32 = 500;

/// One source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub struct Source {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    #[serde(flatten)]
    pub target: SourceTarget,
    /// How often the monitor revisits it (`1d` unless the owner chose).
    pub every: Every,
    /// RFC 3339.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub added_at: DateTime<Utc>,
}

/// What a source points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceTarget {
    Site {
        url: String,
        /// Links followed from the start page (0 = the start page only).
        max_depth: u32,
        max_pages: u32,
        /// At least this long between two requests to the site.
        interval_ms: u32,
    },
    Folder {
        path: String,
    },
}

impl SourceTarget {
    fn kind(&self) -> &'static str {
        match self {
            SourceTarget::Site { .. } => "site",
            SourceTarget::Folder { .. } => "folder",
        }
    }

    fn location(&self) -> &str {
        match self {
            SourceTarget::Site { url, .. } => url,
            SourceTarget::Folder { path } => path,
        }
    }
}

/// The limits of a site source; `None` takes the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SiteLimits {
    pub max_depth: Option<u32>,
    pub max_pages: Option<u32>,
    pub interval_ms: Option<u32>,
}

fn in_range(what: &'static str, value: u32, min: u32, max: u32) -> Result<u32> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(SearchError::LimitOutOfRange {
            what,
            value: value.into(),
            min: min.into(),
            max: max.into(),
        }
        .into())
    }
}

/// Adds a site to watch. The URL is checked (absolute http(s), no credentials); loopback and
/// private addresses are refused later, when the scan resolves them, unless allowed then.
/// `every`: how often the monitor revisits it (`None`: daily).
pub fn add_site(
    vault: &Vault,
    url: &str,
    limits: SiteLimits,
    every: Option<Every>,
    now: DateTime<Utc>,
) -> Result<Source> {
    let start = parse_start_url(url)?;
    let target = SourceTarget::Site {
        url: start.to_string(),
        max_depth: in_range(
            "how many links deep to follow",
            limits.max_depth.unwrap_or(DEFAULT_DEPTH),
            0,
            MAX_DEPTH,
        )?,
        max_pages: in_range(
            "the most pages to visit",
            limits.max_pages.unwrap_or(DEFAULT_PAGES),
            1,
            MAX_PAGES,
        )?,
        interval_ms: in_range(
            "the pause between requests (ms)",
            limits.interval_ms.unwrap_or(DEFAULT_INTERVAL_MS),
            0,
            MAX_INTERVAL_MS,
        )?,
    };
    insert(vault, target, every.unwrap_or(Every::DEFAULT_SOURCE), now)
}

/// Adds a folder to scan. It must exist and be readable now; it is stored as an absolute path.
/// `every`: how often the monitor revisits it (`None`: daily).
pub fn add_folder(
    vault: &Vault,
    dir: &Path,
    every: Option<Every>,
    now: DateTime<Utc>,
) -> Result<Source> {
    let unreadable = |reason: String| SearchError::FolderUnreadable {
        path: dir.display().to_string(),
        reason,
    };
    let absolute = dir.canonicalize().map_err(|e| unreadable(e.to_string()))?;
    if !absolute.is_dir() {
        return Err(unreadable("it is not a folder".into()).into());
    }
    std::fs::read_dir(&absolute).map_err(|e| unreadable(e.to_string()))?;
    let path = absolute
        .to_str()
        .ok_or_else(|| unreadable("its name is not valid UTF-8".into()))?
        .to_owned();
    insert(
        vault,
        SourceTarget::Folder { path },
        every.unwrap_or(Every::DEFAULT_SOURCE),
        now,
    )
}

/// Changes how often the monitor revisits source `id` (audited).
pub fn set_every(vault: &Vault, id: i64, every: Every, now: DateTime<Utc>) -> Result<Source> {
    get(vault.conn(), id)?;
    let tx = crate::storage::vault::write_transaction(vault.conn())?;
    tx.execute(
        "UPDATE sources SET every_secs = ?1 WHERE id = ?2",
        params![every.secs(), id],
    )
    .map_err(|e| storage("changing a source", e))?;
    audit::append(
        &tx,
        audit::NewEntry::new("owner", "source.schedule_changed")
            .detail(serde_json::json!({ "id": id, "every": every.to_string() })),
        now,
    )?;
    tx.commit().map_err(|e| storage("changing a source", e))?;
    get(vault.conn(), id)
}

fn insert(vault: &Vault, target: SourceTarget, every: Every, now: DateTime<Utc>) -> Result<Source> {
    let conn = vault.conn();
    let existing: Option<i64> = conn
        .query_row(
            "SELECT id FROM sources WHERE kind = ?1 AND location = ?2",
            params![target.kind(), target.location()],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| storage("looking up a source", e))?;
    if let Some(id) = existing {
        return Err(SearchError::SourceExists {
            kind: target.kind(),
            id,
        }
        .into());
    }
    let tx = crate::storage::vault::write_transaction(conn)?;
    let (depth, pages, interval) = match &target {
        SourceTarget::Site {
            max_depth,
            max_pages,
            interval_ms,
            ..
        } => (Some(*max_depth), Some(*max_pages), Some(*interval_ms)),
        SourceTarget::Folder { .. } => (None, None, None),
    };
    tx.execute(
        "INSERT INTO sources (kind, location, max_depth, max_pages, interval_ms, added_at,
             every_secs)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            target.kind(),
            target.location(),
            depth,
            pages,
            interval,
            now.to_rfc3339(),
            every.secs()
        ],
    )
    .map_err(|e| storage("adding a source", e))?;
    let id = tx.last_insert_rowid();
    // The location is hashed into the entry, never written in clear.
    audit::append(
        &tx,
        audit::NewEntry::new("owner", "source.added")
            .subject(target.location().as_bytes())
            .detail(
                serde_json::json!({ "id": id, "kind": target.kind(), "every": every.to_string() }),
            ),
        now,
    )?;
    tx.commit().map_err(|e| storage("adding a source", e))?;
    Ok(Source {
        id,
        target,
        every,
        added_at: now,
    })
}

/// Every source, oldest first.
pub fn list(conn: &Connection) -> Result<Vec<Source>> {
    let mut statement = conn
        .prepare(
            "SELECT id, kind, location, max_depth, max_pages, interval_ms, added_at, every_secs
             FROM sources ORDER BY id",
        )
        .map_err(|e| storage("listing sources", e))?;
    let rows = statement
        .query_map([], row_to_source)
        .map_err(|e| storage("listing sources", e))?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("listing sources", e))
}

/// One source.
pub fn get(conn: &Connection, id: i64) -> Result<Source> {
    conn.query_row(
        "SELECT id, kind, location, max_depth, max_pages, interval_ms, added_at, every_secs
         FROM sources WHERE id = ?1",
        [id],
        row_to_source,
    )
    .optional()
    .map_err(|e| storage("reading a source", e))?
    .ok_or_else(|| SearchError::SourceNotFound { id }.into())
}

/// Removes a source. Findings it produced stay.
pub fn remove(vault: &Vault, id: i64, now: DateTime<Utc>) -> Result<Source> {
    let source = get(vault.conn(), id)?;
    let tx = crate::storage::vault::write_transaction(vault.conn())?;
    tx.execute("DELETE FROM sources WHERE id = ?1", [id])
        .map_err(|e| storage("removing a source", e))?;
    audit::append(
        &tx,
        audit::NewEntry::new("owner", "source.removed")
            .subject(source.target.location().as_bytes())
            .detail(serde_json::json!({ "id": id })),
        now,
    )?;
    tx.commit().map_err(|e| storage("removing a source", e))?;
    Ok(source)
}

fn row_to_source(row: &rusqlite::Row<'_>) -> rusqlite::Result<Source> {
    let kind: String = row.get(1)?;
    let location: String = row.get(2)?;
    let target = if kind == "site" {
        SourceTarget::Site {
            url: location,
            max_depth: row.get::<_, Option<u32>>(3)?.unwrap_or(DEFAULT_DEPTH),
            max_pages: row.get::<_, Option<u32>>(4)?.unwrap_or(DEFAULT_PAGES),
            interval_ms: row.get::<_, Option<u32>>(5)?.unwrap_or(DEFAULT_INTERVAL_MS),
        }
    } else {
        SourceTarget::Folder { path: location }
    };
    let added_at: String = row.get(6)?;
    let added_at = DateTime::parse_from_rfc3339(&added_at)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, Box::new(e))
        })?;
    Ok(Source {
        id: row.get(0)?,
        target,
        every: row
            .get::<_, Option<i64>>(7)?
            .map_or(Every::DEFAULT_SOURCE, Every::from_secs_stored),
        added_at,
    })
}
