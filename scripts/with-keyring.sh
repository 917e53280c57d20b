#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (a real Secret
# Service) whose files live in a temporary folder, so tests never touch the user's own keyring.
set -euo pipefail
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export XDG_DATA_HOME="$keyring_home"
# The daemon takes its name on the bus a moment after it forks. A client that asks first makes D-Bus
# start a second, locked daemon, which then wants a password prompt: so wait (at most 5 s) for it.
exec dbus-run-session -- sh -c '
  printf ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
  tries=0
  until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; do
    tries=$((tries + 1))
    [ "$tries" -ge 50 ] && { echo "with-keyring: gnome-keyring did not appear on D-Bus within 5 s" >&2; exit 1; }
    sleep 0.1
  done
  exec "$@"' sh "$@"
