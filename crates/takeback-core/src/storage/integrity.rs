//! Whether a vault's database pages are intact: SQLCipher's check of every page's HMAC, then
//! SQLite's check of the b-trees. A damaged page is often one no everyday query reads, so only
//! this walk finds it before a later read fails with "malformed".

use rusqlite::Connection;

use crate::base::error::storage;
use crate::Result;

/// At most this many problems are listed; the first says enough to act on.
const MAX_PROBLEMS: usize = 8;

/// What is wrong with the database's pages, in one line, or `None` when every page checks out.
/// A page that cannot even be read is damage, not an error; an error is returned only when the
/// check itself could not run (the database busy, the disk gone).
pub fn database_damage(conn: &Connection) -> Result<Option<String>> {
    // SQLCipher lists one row per page whose HMAC fails, and nothing when all pass.
    let cipher = problems(conn, "PRAGMA cipher_integrity_check")?;
    if !cipher.is_empty() {
        return Ok(Some(cipher.join("; ")));
    }
    let sqlite = problems(conn, &format!("PRAGMA integrity_check({MAX_PROBLEMS})"))?;
    Ok(match sqlite.as_slice() {
        [only] if only == "ok" => None,
        [] => None,
        rows => Some(rows.join("; ")),
    })
}

/// The rows `pragma` returns (at most [`MAX_PROBLEMS`]), or the read failure as the one problem
/// when it is the kind damage causes.
fn problems(conn: &Connection, pragma: &str) -> Result<Vec<String>> {
    let run = || -> rusqlite::Result<Vec<String>> {
        let mut statement = conn.prepare(pragma)?;
        let rows = statement.query_map([], |r| r.get::<_, String>(0))?;
        rows.take(MAX_PROBLEMS).collect()
    };
    match run() {
        Ok(rows) => Ok(rows),
        Err(e) if is_damage(&e) => Ok(vec![e.to_string()]),
        Err(e) => Err(storage("checking the database", e)),
    }
}

fn is_damage(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}
