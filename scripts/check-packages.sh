#!/usr/bin/env bash
# Checks packages made by the Tauri bundler without installing them: the version is the
# workspace's, the files are all there (app, `takeback` CLI, desktop entry, icons), and the declared
# dependencies are the right ones.
#   scripts/check-packages.sh DEB [RPM]
# For the .deb it also asks dpkg-shlibdeps which packages the binaries' shared libraries come from
# and fails when one is not pulled in by the declared Depends. Reading an .rpm needs `rpm`.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "check-packages: $*" >&2; exit 1; }

deb=${1:?usage: scripts/check-packages.sh DEB [RPM]}
rpm_file=${2:-}

version=$(cargo metadata --format-version 1 --no-deps |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).packages.find(p=>p.name==="takeback-app").version))')

# What both packages must hold (paths without the leading "/").
files=(
  usr/bin/takeback
  usr/bin/takeback-app
  usr/share/applications/Takeback.desktop
  usr/share/icons/hicolor/32x32/apps/takeback-app.png
  usr/share/icons/hicolor/128x128/apps/takeback-app.png
  usr/share/icons/hicolor/256x256@2/apps/takeback-app.png
)

# --- .deb -------------------------------------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == takeback ]] || fail "$deb: Package is '$(field Package)', not takeback"
[[ $(field Version) == "$version" ]] || fail "$deb: Version is '$(field Version)', the workspace says $version"
depends=$(field Depends)
# libayatana-appindicator3-1: the tray entry (loaded at run time, so dpkg-shlibdeps cannot see it).
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 "libssl3 | libssl3t64" libayatana-appindicator3-1; do
  [[ ", $depends," == *", $dep,"* ]] || fail "$deb: Depends lacks '$dep' (it is: $depends)"
done
[[ $(field Recommends) == gnome-keyring ]] || fail "$deb: Recommends is '$(field Recommends)', not gnome-keyring"

listing=$(dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./||')
for f in "${files[@]}"; do
  grep -qxF "$f" <<<"$listing" || fail "$deb lacks /$f"
done

desktop=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards "*usr/share/applications/Takeback.desktop")
for line in "Name=Takeback" "Exec=takeback-app" "Icon=takeback-app" "Type=Application"; do
  grep -qxF "$line" <<<"$desktop" || fail "the desktop entry lacks '$line':"$'\n'"$desktop"
done

# Every shared library the binaries load must come from a package the Depends pull in.
if command -v dpkg-shlibdeps >/dev/null; then
  unpacked=$(mktemp -d)
  trap 'rm -rf "$unpacked"' EXIT
  dpkg-deb -x "$deb" "$unpacked"
  mkdir -p "$unpacked/debian"
  printf 'Source: takeback\n\nPackage: takeback\nArchitecture: any\n' >"$unpacked/debian/control"
  needed=$(cd "$unpacked" && dpkg-shlibdeps -O usr/bin/takeback usr/bin/takeback-app 2>/dev/null |
    sed 's/^shlibs:Depends=//' | tr ',' '\n' | sed -E 's/\(.*\)//; s/[[:space:]]//g' | grep -v '^$' | sort -u)
  # The declared dependencies and everything they depend on, as this machine's apt knows them.
  declared=$(tr ',' '\n' <<<"$depends" | sed -E 's/\(.*\)//; s/\|/\n/g; s/[[:space:]]//g' | grep -v '^$')
  # shellcheck disable=SC2086
  closure=$( (echo "$declared"; apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances $declared 2>/dev/null |
    sed -nE 's/^ *(\|)?(Pre)?Depends: <?([^ >]+)>?.*/\3/p; s/^([a-z0-9][^ ]*)$/\1/p') | sort -u)
  for pkg in $needed; do
    grep -qxF "$pkg" <<<"$closure" || fail "the binaries load a library from $pkg, which the .deb's Depends do not pull in"
  done
  echo "deb: the binaries' libraries come from $(wc -w <<<"$needed") packages, all pulled in by: $depends"
fi
echo "deb ok: $deb (takeback $version; Depends: $depends; Recommends: gnome-keyring)"

# --- .rpm -------------------------------------------------------------------------------------
if [[ -n $rpm_file ]]; then
  [[ $(rpm -qp --qf '%{NAME}' "$rpm_file") == takeback ]] || fail "$rpm_file: name is not takeback"
  [[ $(rpm -qp --qf '%{VERSION}' "$rpm_file") == "$version" ]] || fail "$rpm_file: version is not $version"
  rpm_listing=$(rpm -qlp "$rpm_file" | sed 's|^/||')
  for f in "${files[@]}"; do
    grep -qxF "$f" <<<"$rpm_listing" || fail "$rpm_file lacks /$f"
  done
  requires=$(rpm -qpR "$rpm_file")
  for dep in "libwebkit2gtk-4.1.so.0()(64bit)" "libgtk-3.so.0()(64bit)" "libcrypto.so.3()(64bit)" \
    "libayatana-appindicator3.so.1()(64bit)"; do
    grep -qxF "$dep" <<<"$requires" || fail "$rpm_file does not require '$dep' (it requires: $(tr '\n' ' ' <<<"$requires"))"
  done
  [[ $(rpm -qp --recommends "$rpm_file") == gnome-keyring ]] || fail "$rpm_file does not recommend gnome-keyring"
  # xz: about a fifth smaller than the bundler's default gzip, and every rpm-based system reads it.
  [[ $(rpm -qp --qf '%{PAYLOADCOMPRESSOR}' "$rpm_file") == xz ]] || fail "$rpm_file is not xz-compressed"
  echo "rpm ok: $rpm_file (requires: $(tr '\n' ' ' <<<"$requires"); recommends gnome-keyring)"
fi
