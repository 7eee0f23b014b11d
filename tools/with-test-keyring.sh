#!/usr/bin/env bash
# Run a command inside a private D-Bus session with a throwaway, unlocked gnome-keyring
# (a real Secret Service) and a temporary HOME/XDG tree, removed afterwards.
set -euo pipefail
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jwtdesk-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p -m 700 "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/run"
export JWTDESK_TEST_REAL_HOME="$HOME"
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" \
       XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/run"
export JWTDESK_REQUIRE_SECRET_SERVICE=1 QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
unset PYTHON_KEYRING_BACKEND JWTDESK_HOME DISPLAY WAYLAND_DISPLAY
# The password only unlocks this run's throwaway login collection.
exec dbus-run-session -- bash -c '
  pw=$(head -c 18 /dev/urandom | base64)
  printf %s "$pw" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  exec "$@"' bash "$@" 2> >(grep -v -E "^dbus-daemon|Unable to set up transient|SystemPrompter|gcr-prompter|cannot open display" >&2)
