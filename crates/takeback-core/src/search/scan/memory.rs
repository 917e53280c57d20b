//! The crawl memory of each site source, kept in the vault (`crawl_memory`): loaded before a
//! visit, replaced after a visit that ran to its end (a cancelled or failed one keeps the old
//! memory, so no image is taken as checked that was not).

use rusqlite::{params, Connection};

use crate::base::error::storage;
use crate::search::crawl::{CrawlMemory, ImageMemo, PageMemo};
use crate::Result;

/// What images are checked against: the enrolled faces, the registered photos and the "not me"
/// faces. When it changes, an unchanged image may get another verdict, so image memories from
/// before are not used.
pub(crate) fn reference_stamp(conn: &Connection) -> Result<String> {
    conn.query_row(
        "SELECT (SELECT count(*) || '.' || coalesce(max(id), 0) FROM enrolled_faces) || '/' ||
                (SELECT count(*) || '.' || coalesce(max(id), 0) FROM registered_photos) || '/' ||
                (SELECT count(*) || '.' || coalesce(max(id), 0) FROM not_me_faces)",
        [],
        |r| r.get(0),
    )
    .map_err(|e| storage("reading what images are checked against", e))
}

/// Source `source_id`'s memory; image entries only when checked against `stamp`.
pub(crate) fn load(conn: &Connection, source_id: i64, stamp: &str) -> Result<CrawlMemory> {
    let mut statement = conn
        .prepare("SELECT kind, address, memo, reference FROM crawl_memory WHERE source_id = ?1")
        .map_err(|e| storage("reading a site's memory", e))?;
    let rows = statement
        .query_map([source_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .map_err(|e| storage("reading a site's memory", e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("reading a site's memory", e))?;
    let mut memory = CrawlMemory::default();
    for (kind, address, memo, reference) in rows {
        // An entry that does not parse (written by another version) is simply forgotten.
        match kind.as_str() {
            "page" => {
                if let Ok(memo) = serde_json::from_str::<PageMemo>(&memo) {
                    memory.pages.insert(address, memo);
                }
            }
            _ if reference == stamp => {
                if let Ok(memo) = serde_json::from_str::<ImageMemo>(&memo) {
                    memory.images.insert(address, memo);
                }
            }
            _ => {}
        }
    }
    Ok(memory)
}

/// Replaces source `source_id`'s memory with `memory`, in one transaction.
pub(crate) fn save(
    conn: &Connection,
    source_id: i64,
    memory: &CrawlMemory,
    stamp: &str,
) -> Result<()> {
    let tx = crate::storage::vault::write_transaction(conn)?;
    tx.execute("DELETE FROM crawl_memory WHERE source_id = ?1", [source_id])
        .map_err(|e| storage("saving a site's memory", e))?;
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO crawl_memory (source_id, kind, address, memo, reference)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(|e| storage("saving a site's memory", e))?;
        let json = |value: serde_json::Result<String>| {
            value.map_err(|e| {
                storage(
                    "saving a site's memory",
                    rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
                )
            })
        };
        for (address, memo) in &memory.pages {
            let text = json(serde_json::to_string(memo))?;
            insert
                .execute(params![source_id, "page", address, text, stamp])
                .map_err(|e| storage("saving a site's memory", e))?;
        }
        for (address, memo) in &memory.images {
            let text = json(serde_json::to_string(memo))?;
            insert
                .execute(params![source_id, "image", address, text, stamp])
                .map_err(|e| storage("saving a site's memory", e))?;
        }
    }
    tx.commit()
        .map_err(|e| storage("saving a site's memory", e))
}
