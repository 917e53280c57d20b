#!/usr/bin/env bash
# Sets up what is missing, then runs every check and test Takeback has: formatting, lints, type
# checks, Rust unit and integration tests, UI component tests, keyring tests against a real Secret
# Service, and the end-to-end tests in a real window under Xvfb. Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
start=$(date +%s)
step() { printf '\n\033[1m==> %s (%ss)\033[0m\n' "$*" "$(($(date +%s) - start))"; }

step "Set-up"
scripts/setup.sh --test

step "Self-contained: no tracked file reads outside the repository"
# The project's shared folder beside the repository, or its test data, must not be read.
if git grep -nE '(^|[^./])\.\./shared/|shared/test[d]ata' -- ':!*.md' ':!tests/fixtures' ':!scripts/test-all.sh'; then
  echo "the lines above read files from beside the repository; copy what they need into tests/fixtures/" >&2
  exit 1
fi

step "Rust formatting"
cargo fmt --all --check

step "The core stays free of Tauri"
if cargo tree -p takeback-core -e normal --prefix none | grep -qE '^tauri[ -]'; then
  echo "takeback-core depends on tauri: see ARCHITECTURE.md, invariant 1" >&2
  exit 1
fi

step "UI: type check, lint, component tests"
npm --prefix ui run check
npm --prefix ui run lint
npm --prefix ui test

step "UI: production build (embedded into the app), with the pseudo-locales the e2e layout checks use"
VITE_TAKEBACK_PSEUDO=1 npm --prefix ui run build

step "Dependencies: licences, bans and sources (cargo deny, deny.toml)"
cargo deny --locked --log-level error check licenses bans sources

step "Dependencies: security advisories, where the RustSec database can be fetched"
# The database is a git repository outside the package registries; a machine that cannot reach it
# says so loudly and skips this check rather than failing the run (CONTRIBUTING.md).
if timeout 120 cargo deny --log-level error fetch db; then
  cargo deny --offline --log-level error check advisories
else
  echo "SKIPPED: the RustSec advisory database could not be fetched; run 'cargo deny check advisories' where it can" >&2
fi

step "Rust lints"
cargo clippy --workspace --all-targets -- -D warnings

step "Rust tests (includes the TypeScript bindings drift check)"
cargo test --workspace

step "The macOS and Windows keyring wiring type-checks"
# The targets' standard libraries come from rustup's server, which some machines cannot reach: then
# this step says so loudly and is skipped, rather than failing the run for a download.
if rustup target add aarch64-apple-darwin x86_64-pc-windows-msvc; then
  scripts/check-keyring-targets.sh
else
  echo "SKIPPED: rustup could not download the macOS and Windows standard libraries" >&2
fi

step "Keyring tests against a real Secret Service (gnome-keyring on a private D-Bus)"
scripts/with-keyring.sh cargo test --workspace -- --ignored secret_service

step "App build with embedded UI"
cargo build -p takeback-app --features custom-protocol

step "Packages: a .deb of this build has the right control fields, files and dependencies"
# The release .deb and .rpm take an hour to build on 2 cores: scripts/package.sh builds them and
# scripts/test-packages.sh tests them installed. Here the bundler packs the debug build instead.
scripts/package.sh --check

step "End-to-end tests in a real window (Xvfb + tauri-driver + WebKitWebDriver)"
# The app binary lives in the cargo target dir, wherever CARGO_TARGET_DIR puts it.
TAKEBACK_APP_BIN="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')/debug/takeback-app" \
  scripts/with-keyring.sh xvfb-run -a -s '-screen 0 1280x800x24' npm --prefix tests/e2e test

step "All checks passed"
