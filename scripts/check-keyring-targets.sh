#!/usr/bin/env bash
# Type-checks the keyring wiring for macOS and Windows from Linux: the real
# crates/takeback-core/src/secrets.rs, with the real store crates (apple-native-keyring-store,
# windows-native-keyring-store) at the versions in Cargo.lock, for aarch64-apple-darwin and
# x86_64-pc-windows-msvc.
#
# Why not `cargo check -p takeback-core --target ...`: the core bundles SQLCipher, which is C, and
# checking still runs its build script, which needs the target's C compiler and system headers (a
# macOS SDK, MSVC) that a Linux machine does not have. So secrets.rs is compiled inside a small
# crate that supplies the two error variants it uses from the core. Nothing is linked or run.
#
# Needs the targets' standard libraries: rustup target add aarch64-apple-darwin x86_64-pc-windows-msvc
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export PATH="$HOME/.cargo/bin:$PATH"

secrets=$(git ls-files 'crates/takeback-core/src/*secrets.rs' 'crates/takeback-core/src/**/secrets.rs' | head -n 1)
[[ -n $secrets ]] || { echo "check-keyring-targets: secrets.rs not found in crates/takeback-core" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
# Same dependency versions as the workspace.
cp Cargo.lock "$work/Cargo.lock"
dep() { # the workspace's declaration of a dependency, e.g. `keyring-core = "1"`
  grep -E "^$1 = " Cargo.toml || { echo "check-keyring-targets: $1 is not in [workspace.dependencies]" >&2; exit 1; }
}
cat >"$work/Cargo.toml" <<EOF
[package]
name = "takeback-keyring-targets"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
$(dep keyring-core)
$(dep zeroize)
$(dep thiserror)

[target.'cfg(target_os = "linux")'.dependencies]
$(dep zbus-secret-service-keyring-store)

[target.'cfg(target_os = "macos")'.dependencies]
$(dep apple-native-keyring-store)

[target.'cfg(target_os = "windows")'.dependencies]
$(dep windows-native-keyring-store)

[workspace]
EOF
cat >"$work/src/lib.rs" <<EOF
//! Stand-ins for the two takeback-core errors that secrets.rs uses (same fields as base/error.rs).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the keyring is unavailable: {reason}")]
    KeyringUnavailable { reason: String, #[source] source: Option<BoxError> },
    #[error("keyring error: {reason}")]
    Keyring { reason: String, #[source] source: Option<BoxError> },
}
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T> = std::result::Result<T, Error>;

#[path = "$repo/$secrets"]
pub mod secrets;
EOF

for target in aarch64-apple-darwin x86_64-pc-windows-msvc; do
  echo "==> $secrets for $target"
  cargo check --manifest-path "$work/Cargo.toml" --target "$target" --quiet
done
echo "==> the keyring wiring type-checks for macOS and Windows"
