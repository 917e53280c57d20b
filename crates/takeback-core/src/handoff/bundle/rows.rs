//! Table rows as JSON, column by column, so a bundle carries exactly what the vault holds:
//! integers and reals as numbers, text as strings, blobs (face descriptors) as
//! `{"base64": "…"}`, NULL as null.

use base64::Engine as _;
use rusqlite::types::Value;
use rusqlite::Connection;
use serde_json::{Map, Value as Json};

use crate::base::error::storage;
use crate::Result;

pub type Row = Map<String, Json>;

fn to_json(value: Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Integer(i) => Json::from(i),
        Value::Real(r) => serde_json::Number::from_f64(r).map_or(Json::Null, Json::Number),
        Value::Text(t) => Json::String(t),
        Value::Blob(b) => {
            serde_json::json!({ "base64": base64::engine::general_purpose::STANDARD.encode(b) })
        }
    }
}

/// A JSON cell back to an SQLite value (`None` when it is not one this module writes).
pub fn to_sql(value: &Json) -> Option<Value> {
    Some(match value {
        Json::Null => Value::Null,
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Real(n.as_f64()?),
        },
        Json::String(s) => Value::Text(s.clone()),
        Json::Object(o) => Value::Blob(
            base64::engine::general_purpose::STANDARD
                .decode(o.get("base64")?.as_str()?)
                .ok()?,
        ),
        Json::Bool(_) | Json::Array(_) => return None,
    })
}

/// Every row `sql` selects, as column → value.
pub fn select(conn: &Connection, sql: &str, params: &[&dyn rusqlite::ToSql]) -> Result<Vec<Row>> {
    let mut statement = conn
        .prepare(sql)
        .map_err(|e| storage("reading rows for the bundle", e))?;
    let names: Vec<String> = statement.column_names().map(str::to_owned).collect();
    let rows = statement
        .query_map(params, |r| {
            let mut row = Row::new();
            for (i, name) in names.iter().enumerate() {
                row.insert(name.clone(), to_json(r.get::<_, Value>(i)?));
            }
            Ok(row)
        })
        .map_err(|e| storage("reading rows for the bundle", e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| storage("reading rows for the bundle", e))?;
    Ok(rows)
}

/// The `id IN (…)` list of `ids` (integers only, so safe to splice into SQL).
pub fn id_list(ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("({})", list.join(","))
}
