//! What every CLI test needs: the `takeback` binary run against its own data folder, with no
//! data folder or profile leaking in from the environment, and `--json` output parsed.
// Each test file is its own crate and uses only some of these.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;

use assert_cmd::Command;

/// `takeback --data-dir DATA` with a clean environment; add a passphrase or profile per test.
pub fn takeback(data: &Path) -> Command {
    let mut cmd = Command::cargo_bin("takeback").unwrap();
    cmd.env_remove("TAKEBACK_DATA_DIR")
        .env_remove("TAKEBACK_PROFILE")
        // Passphrase profiles with cheap Argon2 (debug builds only): hundreds are created here.
        .env("TAKEBACK_TEST_FAST_KDF", "1")
        .arg("--data-dir")
        .arg(data);
    cmd
}

/// Runs `cmd --json`, asserts success (showing stderr otherwise) and parses stdout.
pub fn json(cmd: &mut Command) -> serde_json::Value {
    let out = cmd.arg("--json").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A tool from the test virtualenv that `scripts/setup.sh --test` makes (`wacz`, `python` with
/// `warcio`): `$TAKEBACK_TEST_VENV/bin/NAME`, by default `.test-venv/` at the repository's root.
/// Panics with the fix when it is missing, so CI fails rather than skipping.
pub fn venv_tool(name: &str) -> std::path::PathBuf {
    let venv = std::env::var_os("TAKEBACK_TEST_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.test-venv"));
    let tool = venv.join("bin").join(name);
    assert!(
        tool.exists(),
        "{} is missing: run `scripts/setup.sh --test` (it installs the Python `wacz` and `warcio` \
         packages in {})",
        tool.display(),
        venv.display()
    );
    tool
}

/// Signs as "Alex Example" (resident in `country`) and drafts a TAKE IT DOWN letter about
/// `finding` to `to`, written as text into `data`; returns `letter --json`'s output (its `case_id`
/// is the case the letter filed). `takeback` is the test file's own command (with its passphrase
/// and profile).
pub fn draft_takeitdown_letter(
    takeback: impl Fn(&Path) -> Command,
    data: &Path,
    (country, finding, to): (&str, i64, &str),
) -> serde_json::Value {
    takeback(data)
        .args(["identity", "set", "--name", "Alex Example"])
        .args(["--email", "alex@mailbox.test", "--country", country])
        .assert()
        .success();
    let letter = data.join(format!("letter-{finding}.txt"));
    json(
        takeback(data)
            .args(["letter", &finding.to_string(), "--kind", "takeitdown"])
            .args(["--format", "txt", "--to", to, "--out"])
            .arg(&letter),
    )
}
