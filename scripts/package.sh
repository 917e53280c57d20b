#!/usr/bin/env bash
# Builds Takeback's Linux packages with the Tauri bundler: a .deb (Debian, Ubuntu) and an .rpm
# (Fedora, openSUSE), from the release profile (thin LTO, stripped). Each installs the app
# (/usr/bin/takeback-app), the `takeback` command-line tool (/usr/bin/takeback), a desktop entry and
# the icons; the version is the workspace's (Cargo.toml). The packages land in dist/; test them
# installed with scripts/test-packages.sh.
#
#   scripts/package.sh           release build, then .deb and .rpm (about 30 minutes from a clean
#                                target dir on 2 cores; about 6 when only the app's code changed)
#   scripts/package.sh --check   bundles the existing debug build (scripts/test-all.sh builds it)
#                                into a .deb and checks its control fields and files: the bundler
#                                configuration, checked in a minute instead of half an hour
#
# The AppImage is not built here: the bundler downloads linuxdeploy from GitHub, outside the package
# registries this project builds from. See README.md, "AppImage".
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

check_only=false
[[ "${1:-}" == "--check" ]] && check_only=true

metadata() { cargo metadata --format-version 1 --no-deps; }
target_dir=$(metadata | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
version=$(metadata | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).packages.find(p=>p.name==="takeback-app").version))')

# The CLI goes in beside the app. Its path depends on CARGO_TARGET_DIR, so it is given here rather
# than in tauri.conf.json (the bundler merges this JSON into the configuration).
bundle_config() {
  node -e '
    const files = { "/usr/bin/takeback": process.argv[1] };
    console.log(JSON.stringify({ bundle: { linux: { deb: { files }, rpm: { files } } } }));
  ' "$1"
}

if $check_only; then
  for bin in takeback takeback-app; do
    [[ -x "$target_dir/debug/$bin" ]] || { echo "package.sh --check: $target_dir/debug/$bin is missing; build it first" >&2; exit 1; }
  done
  rm -rf "$target_dir/debug/bundle/deb"
  npm --prefix ui exec -- tauri bundle --ci --debug --bundles deb --config "$(bundle_config "$target_dir/debug/takeback")"
  scripts/check-packages.sh "$target_dir/debug/bundle/deb/Takeback_${version}_amd64.deb"
  exit 0
fi

scripts/setup.sh

echo "==> Building the takeback CLI (release)"
cargo build --release --locked -p takeback-cli

echo "==> Building the app and bundling the .deb and .rpm"
npm --prefix ui exec -- tauri build --ci --bundles deb,rpm --config "$(bundle_config "$target_dir/release/takeback")" -- --locked

mkdir -p dist
rm -f dist/*.deb dist/*.rpm
cp "$target_dir/release/bundle/deb/Takeback_${version}_amd64.deb" dist/
cp "$target_dir/release/bundle/rpm/Takeback-${version}-1.x86_64.rpm" dist/
echo "==> Packages (test them installed with scripts/test-packages.sh):"
ls -l dist/
