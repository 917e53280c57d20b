//! The core's layers, checked from its source: a module uses only its own layer and the layers
//! below it, and no modules form a cycle (ARCHITECTURE.md, "Layers").
//!
//! Dependencies are read from `crate::layer::module` paths, including grouped imports
//! (`use crate::{storage::audit, face::gate}`), outside `#[cfg(test)]` code. The layer order is
//! [`LAYERS`] (rustfmt sorts `lib.rs`'s `pub mod` lines, so they cannot carry it); a test checks
//! that it names exactly the folders `lib.rs` declares.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

type Module = (String, String); // (layer, module)

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The layers, lowest first (ARCHITECTURE.md and `lib.rs`'s documentation list them too).
const LAYERS: [&str; 8] = [
    "base", "storage", "face", "search", "removal", "monitor", "handoff", "session",
];

fn layers() -> Vec<String> {
    LAYERS.iter().map(|l| l.to_string()).collect()
}

/// The top-level modules `lib.rs` declares.
fn declared_in_lib() -> BTreeSet<String> {
    let lib = fs::read_to_string(src().join("lib.rs")).unwrap();
    lib.lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';').to_string())
        .collect()
}

#[test]
fn the_layer_list_is_what_lib_rs_declares() {
    let listed: BTreeSet<String> = layers().into_iter().collect();
    assert_eq!(listed, declared_in_lib());
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file belongs to: `src/search/scan/jobs.rs` is `(search, scan)`.
fn module_of(file: &Path) -> Option<Module> {
    let rel = file.strip_prefix(src()).ok()?;
    let parts: Vec<_> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    match parts.as_slice() {
        [layer, module, ..] if module != "mod.rs" => {
            Some((layer.clone(), module.trim_end_matches(".rs").to_string()))
        }
        _ => None,
    }
}

/// Code outside the first `#[cfg(test)]` (tests may reach anywhere) and outside comments.
fn product_code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `layer::module` named after `crate::`, directly or inside `crate::{…}`.
fn used_modules(code: &str, layers: &[String]) -> BTreeSet<Module> {
    let mut used = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let paths: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
            // Split the group's top level on commas.
            let mut depth = 0;
            let mut items = vec![String::new()];
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        items.push(String::new());
                        continue;
                    }
                    _ => {}
                }
                items.last_mut().unwrap().push(c);
            }
            items
        } else {
            vec![rest.to_string()]
        };
        for path in paths {
            // Each segment is the identifier it starts with (a path ends at `;`, `(`, space, …).
            let mut segs = path.trim().split("::").map(|s| {
                let s = s.trim_start();
                let end = s
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(s.len());
                &s[..end]
            });
            if let (Some(layer), Some(module)) = (segs.next(), segs.next()) {
                if layers.iter().any(|l| l == layer) && !module.is_empty() {
                    used.insert((layer.to_string(), module.to_string()));
                }
            }
        }
    }
    used
}

fn graph() -> (Vec<String>, BTreeMap<Module, BTreeSet<Module>>) {
    let layers = layers();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for file in files {
        let Some(module) = module_of(&file) else {
            continue;
        };
        let code = product_code(&fs::read_to_string(&file).unwrap());
        let deps = edges.entry(module.clone()).or_default();
        for used in used_modules(&code, &layers) {
            if used != module {
                deps.insert(used);
            }
        }
    }
    (layers, edges)
}

#[test]
fn each_layer_uses_only_itself_and_the_layers_below() {
    let (layers, edges) = graph();
    assert!(layers.len() >= 4, "layers read from lib.rs: {layers:?}");
    let rank = |l: &str| layers.iter().position(|x| x == l).unwrap();
    let mut upward = Vec::new();
    for ((layer, module), deps) in &edges {
        for (dep_layer, dep) in deps {
            if rank(dep_layer) > rank(layer) {
                upward.push(format!("{layer}::{module} uses {dep_layer}::{dep}"));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "a layer reaches up:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_modules_form_a_cycle() {
    let (_, edges) = graph();
    assert!(edges.len() > 15, "modules found: {}", edges.len());
    // Depth-first search; a back edge closes a cycle.
    fn visit(
        m: &Module,
        edges: &BTreeMap<Module, BTreeSet<Module>>,
        stack: &mut Vec<Module>,
        done: &mut BTreeSet<Module>,
    ) -> Option<Vec<Module>> {
        if let Some(at) = stack.iter().position(|s| s == m) {
            return Some(stack[at..].to_vec());
        }
        if done.contains(m) {
            return None;
        }
        stack.push(m.clone());
        for dep in edges.get(m).into_iter().flatten() {
            if let Some(cycle) = visit(dep, edges, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(m.clone());
        None
    }
    let mut done = BTreeSet::new();
    for m in edges.keys() {
        if let Some(cycle) = visit(m, &edges, &mut Vec::new(), &mut done) {
            let names: Vec<_> = cycle.iter().map(|(l, m)| format!("{l}::{m}")).collect();
            panic!(
                "modules form a cycle: {} -> (back to the first)",
                names.join(" -> ")
            );
        }
    }
}

#[test]
fn the_reader_sees_grouped_and_nested_paths() {
    let layers = vec!["storage".to_string(), "face".to_string()];
    let code = "use crate::{storage::audit, face::gate::{self, Decision}, Error};\nlet x = crate::storage::vault::open();";
    let used = used_modules(code, &layers);
    let expect: BTreeSet<Module> = [("storage", "audit"), ("face", "gate"), ("storage", "vault")]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(used, expect);
}
