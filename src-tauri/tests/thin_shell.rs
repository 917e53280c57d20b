//! The shell only translates (ARCHITECTURE.md, "The shell"): every Tauri command parses, makes
//! one core call and maps the result in at most 15 lines, and the shell holds neither SQL nor the
//! face engine. This reads the source, so a command that grows a rule fails here, not in review.

use std::path::{Path, PathBuf};

const MAX_BODY_LINES: usize = 15;

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("src-tauri/src is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// `(name, body lines)` of every `#[tauri::command]` in `source`. The body is what lies between
/// the signature's `{` and the `}` at the signature's indentation (rustfmt's layout).
fn command_bodies(source: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = source.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !line.trim_start().starts_with("#[tauri::command") {
            continue;
        }
        let Some(sig) = (i + 1..lines.len()).find(|&j| lines[j].contains("fn ")) else {
            continue;
        };
        let indent = lines[sig].len() - lines[sig].trim_start().len();
        let name = lines[sig]
            .split("fn ")
            .nth(1)
            .and_then(|rest| rest.split(['(', '<']).next())
            .unwrap_or("?")
            .to_string();
        let open = (sig..lines.len())
            .find(|&j| lines[j].trim_end().ends_with('{'))
            .expect("a command has a body");
        let close = (open + 1..lines.len())
            .find(|&j| {
                let l = lines[j];
                l.trim_start().starts_with('}') && l.len() - l.trim_start().len() == indent
            })
            .expect("a command's body ends");
        found.push((name, close - open - 1));
    }
    found
}

#[test]
fn every_tauri_command_is_at_most_fifteen_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut commands = 0;
    let mut too_long = Vec::new();
    for file in rust_files(&src) {
        let source = std::fs::read_to_string(&file).unwrap();
        for (name, body) in command_bodies(&source) {
            commands += 1;
            if body > MAX_BODY_LINES {
                too_long.push(format!("{} in {}: {body} lines", name, file.display()));
            }
        }
    }
    assert!(
        commands > 50,
        "found only {commands} commands; is the reader still right?"
    );
    assert!(
        too_long.is_empty(),
        "commands longer than {MAX_BODY_LINES} lines: {too_long:#?}"
    );
}

#[test]
fn the_reader_measures_a_long_command() {
    let long = format!(
        "#[tauri::command]\npub fn long(x: u8) -> u8 {{\n{}    x\n}}\n",
        "    let _ = 1;\n".repeat(15)
    );
    assert_eq!(command_bodies(&long), vec![("long".to_string(), 16)]);
}

/// `NAME = ...` or `NAME.workspace = ...` in a manifest's dependency tables.
fn declares(manifest: &str, crate_name: &str) -> bool {
    manifest.lines().any(|l| {
        let key = l.split('=').next().unwrap_or("").trim();
        key == crate_name
            || key
                .strip_prefix(crate_name)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

#[test]
fn neither_the_shell_nor_the_cli_holds_sql_or_the_face_engine() {
    let shell = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cli = shell.join("../crates/takeback-cli");
    for (root, banned) in [
        (shell, &["rusqlite", "takeback-faces", "image"][..]),
        (cli.as_path(), &["rusqlite"][..]),
    ] {
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        for crate_name in banned {
            assert!(
                !declares(&manifest, crate_name),
                "{} depends on {crate_name}; that belongs in the core",
                root.display()
            );
        }
        // SQL in this project is written in capitals; English words in messages are not.
        for file in rust_files(&root.join("src")) {
            let source = std::fs::read_to_string(&file).unwrap();
            for sql in ["SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM"] {
                assert!(
                    !source.contains(sql),
                    "{} holds SQL ({sql:?}); queries belong in the core",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn the_manifest_reader_sees_plain_and_workspace_dependencies() {
    assert!(declares("rusqlite = { version = \"0.32\" }", "rusqlite"));
    assert!(declares("image.workspace = true", "image"));
    assert!(!declares("imageproc = \"1\"", "image"));
}
