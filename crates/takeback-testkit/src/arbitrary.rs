//! Generators for the property tests of every parser of outside input (issue 15): arbitrary JSON
//! shaped enough like an API's answer to reach deep into its parser, byte strings mutated from a
//! valid sample, and the case count, which `PROPTEST_CASES` raises for long runs
//! (`scripts/fuzz-long.sh`).

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Map, Value};

/// `cases` per property, unless `PROPTEST_CASES` says otherwise. Failures are not written to
/// `proptest-regressions/` files: the failing input is printed, and a test that needs it keeps
/// it as a named case.
pub fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// A text value: anything, or something that looks like an address, an email or a date, since
/// parsers treat those specially.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,24}",
        "(https?|ftp|mailto|file|javascript|data):(//)?[a-z0-9.:@-]{0,20}(/[a-zA-Z0-9._%?=&#-]{0,12}){0,3}",
        "[a-z0-9._+-]{1,10}@[a-z0-9-]{1,10}\\.[a-z]{2,4}",
        "20[0-9]{2}-[01][0-9]-[0-3][0-9](T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z)?",
        Just(String::new()),
    ]
}

/// Arbitrary JSON whose object keys are mostly drawn from `keys` (the names a parser looks up),
/// nested a few levels deep.
pub fn json(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        text().prop_map(Value::String),
    ];
    let key = prop_oneof![
        4 => proptest::sample::select(keys).prop_map(str::to_owned),
        1 => "[a-zA-Z_]{0,10}",
    ];
    leaf.prop_recursive(5, 96, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Up to 16 byte changes (overwrite, insert, delete) to `sample`, then perhaps a cut: the inputs
/// a damaged or hostile file gives, near enough to the valid one to get past its header.
pub fn mutated(sample: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let edit = (0..3u8, any::<prop::sample::Index>(), any::<u8>());
    (
        proptest::collection::vec(edit, 0..16),
        proptest::option::of(any::<prop::sample::Index>()),
    )
        .prop_map(move |(edits, cut)| {
            let mut bytes = sample.clone();
            for (kind, at, byte) in edits {
                if bytes.is_empty() {
                    bytes.push(byte);
                    continue;
                }
                let i = at.index(bytes.len());
                match kind {
                    0 => bytes[i] = byte,
                    1 => bytes.insert(i, byte),
                    _ => {
                        bytes.remove(i);
                    }
                }
            }
            if let Some(cut) = cut.filter(|_| !bytes.is_empty()) {
                bytes.truncate(cut.index(bytes.len()));
            }
            bytes
        })
}

/// Counts the values in a JSON tree (a bound on how many things a parser can find in it).
pub fn nodes(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(nodes).sum(),
        Value::Object(map) => map.values().map(nodes).sum(),
        _ => 0,
    }
}
