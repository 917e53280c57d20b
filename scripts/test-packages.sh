#!/usr/bin/env bash
# Tests the packages scripts/package.sh made (in dist/) the way a user gets them:
#   - checks the .deb's and the .rpm's control fields, files and declared dependencies
#     (scripts/check-packages.sh), and that the .deb declares every shared library its binaries load;
#   - installs the .deb with dpkg -i (apt-get -f install for missing dependencies);
#   - runs /usr/bin/takeback --version and doctor, and checks that an installed build keeps its data
#     in the real folder (~/.local/share/takeback), not the development one;
#   - starts the installed app (/usr/bin/takeback-app) under Xvfb, waits for its window and checks
#     its idle memory (PSS) (tests/e2e/installed-app.mjs; a shipped build refuses WebDriver);
#   - removes the package again, also when a step fails.
# Needs root (or sudo), and the test tools of `scripts/setup.sh --test`. About half a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
fail() { echo "test-packages: $*" >&2; exit 1; }

sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)

shopt -s nullglob
debs=(dist/*.deb)
rpms=(dist/*.rpm)
shopt -u nullglob
((${#debs[@]} == 1 && ${#rpms[@]} == 1)) || fail "expected one .deb and one .rpm in dist/: run scripts/package.sh first"
deb=${debs[0]}
rpm_file=${rpms[0]}

scripts/setup.sh --test
command -v rpm >/dev/null || {
  say "Installing rpm (to read the .rpm)"
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends rpm
}

say "Package contents and declared dependencies"
scripts/check-packages.sh "$deb" "$rpm_file"
ls -l "$deb" "$rpm_file"

package=$(dpkg-deb -f "$deb" Package)
version=$(dpkg-deb -f "$deb" Version)
if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
  fail "$package is already installed; remove it first (apt-get remove $package) so this test starts clean"
fi

scratch=$(mktemp -d)
cleanup() {
  if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok"; then
    say "Removing $package"
    "${sudo_cmd[@]}" dpkg -r "$package" >/dev/null
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

say "Installing $deb"
if ! "${sudo_cmd[@]}" dpkg -i "$deb"; then
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -f -y -qq --no-install-recommends
fi

say "The installed files"
[[ $(command -v takeback) == /usr/bin/takeback ]] || fail "takeback is not /usr/bin/takeback on the PATH"
[[ -x /usr/bin/takeback-app ]] || fail "/usr/bin/takeback-app is missing"
for bin in /usr/bin/takeback /usr/bin/takeback-app; do
  if ldd "$bin" | grep -q "not found"; then
    ldd "$bin" | grep "not found" >&2
    fail "$bin needs a library that is not installed"
  fi
  file -b "$bin" | grep -qE "(^|, )stripped" || fail "$bin is not stripped"
done
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate /usr/share/applications/Takeback.desktop
fi

say "takeback --version"
/usr/bin/takeback --version | tee "$scratch/version.txt"
grep -qF "$version" "$scratch/version.txt" || fail "takeback --version does not say $version"

say "takeback doctor (a fresh home, a real keyring)"
mkdir -p "$scratch/home"
scripts/with-keyring.sh env -u TAKEBACK_DATA_DIR -u XDG_DATA_HOME HOME="$scratch/home" \
  /usr/bin/takeback doctor
scripts/with-keyring.sh env -u TAKEBACK_DATA_DIR -u XDG_DATA_HOME HOME="$scratch/home" \
  /usr/bin/takeback doctor --json >"$scratch/doctor.json"
# shellcheck disable=SC2016  # JavaScript, not shell
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const want = process.argv[2] + "/.local/share/takeback";
  const dir = r.checks.find((c) => c.name === "data directory");
  if (!dir || !dir.ok) throw new Error("data directory check failed: " + JSON.stringify(dir));
  if (!dir.detail.startsWith(want + " ")) throw new Error(`installed build uses ${dir.detail}, not ${want}`);
  if (/dev/i.test(dir.detail)) throw new Error("installed build reports a development data folder: " + dir.detail);
  if (!r.checks.every((c) => c.ok)) throw new Error("doctor is not healthy: " + JSON.stringify(r.checks));
  console.log("data folder of the installed build: " + dir.detail);
' "$scratch/doctor.json" "$scratch/home"

say "The installed app starts, shows its window, and stays within its idle memory"
# A shipped build refuses WebDriver (TAURI_WEBVIEW_AUTOMATION is ignored, so the window stays
# incognito), so this checks it from outside. The release build is held to a tighter bound than
# the debug build of the full suite: it measured 239-251 MiB here (goal: 250), and the bound leaves
# about 10 % for noise.
TAKEBACK_APP_BIN=/usr/bin/takeback-app TAKEBACK_IDLE_PSS_BOUND_MIB="${TAKEBACK_IDLE_PSS_BOUND_MIB:-275}" \
  scripts/with-keyring.sh xvfb-run -a -s '-screen 0 1280x800x24' \
  node tests/e2e/installed-app.mjs

say "All package checks passed ($package $version)"
