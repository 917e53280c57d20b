#!/usr/bin/env bash
# Installs what a fresh Debian 12 / Ubuntu 24.04 machine lacks to build and run Takeback.
# Idempotent: a second run installs nothing and takes a second or two.
#   scripts/setup.sh          what the app needs (build tools, WebKitGTK, the UI's npm packages)
#   scripts/setup.sh --test   the same, plus what the tests need (Xvfb, WebDriver, keyring, poppler,
#                             age, cargo-deny, and a virtualenv .test-venv/ with the Python wacz and
#                             warcio readers)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=false
[[ "${1:-}" == "--test" ]] && want_test=true

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# --- Debian packages ------------------------------------------------------------------------
# libayatana-appindicator3-1: the tray entry (loaded at run time).
app_packages=(build-essential pkg-config file libwebkit2gtk-4.1-dev libssl-dev librsvg2-dev libxdo-dev
  dbus-daemon gnome-keyring libayatana-appindicator3-1)
# python3-dbus, python3-gi: tests/e2e/tray_host.py, the test's stand-in for a desktop panel's tray.
test_packages=(xvfb xauth x11-utils xdotool webkit2gtk-driver libsecret-tools poppler-utils imagemagick
  age python3-venv python3-pyatspi python3-dbus python3-gi)
packages=("${app_packages[@]}")
$want_test && packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "Installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- Toolchains -----------------------------------------------------------------------------
command -v cargo >/dev/null || { echo "Rust is missing: install rustup (https://rustup.rs), then run this again." >&2; exit 1; }
command -v node >/dev/null || { echo "Node.js 20.19 or newer is missing: install it, then run this again." >&2; exit 1; }
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
  { echo "Node.js $(node --version) is too old: Vite 7 needs 20.19 or newer." >&2; exit 1; }

# --- npm packages (skipped when node_modules already matches the lock file) ----------------
npm_install() {
  local dir=$1
  if [[ ! -f "$dir/node_modules/.package-lock.json" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    say "Installing npm packages in $dir"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
}
npm_install ui
if $want_test; then
  npm_install tests/e2e
  # tauri-driver bridges WebDriver to the Tauri window (built from crates.io; no download).
  if ! command -v tauri-driver >/dev/null && [[ ! -x "$HOME/.cargo/bin/tauri-driver" ]]; then
    say "Installing tauri-driver 2.1.0"
    cargo install tauri-driver --version 2.1.0 --locked --quiet
  fi
fi
if $want_test; then
  # cargo-deny checks the dependency tree's licences, bans and sources (deny.toml). Built from
  # crates.io (about 3 minutes on 2 cores), pinned so that every machine checks the same way.
  if ! cargo deny --version 2>/dev/null | grep -q '^cargo-deny 0.20.2$'; then
    say "Installing cargo-deny 0.20.2"
    cargo install cargo-deny --version 0.20.2 --locked --quiet
  fi
fi
if $want_test; then
  # The reference readers of evidence packages (tests/evidence.rs): `wacz validate` and warcio.
  venv=${TAKEBACK_TEST_VENV:-.test-venv}
  if [[ ! -x "$venv/bin/wacz" ]] || ! "$venv/bin/python" -c 'import warcio' 2>/dev/null; then
    say "Installing the Python wacz and warcio packages in $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'wacz==0.6.0' 'warcio==1.8.1'
  fi
fi
say "Set-up complete"
