#!/usr/bin/env bash
# Run a command inside a private D-Bus session with a throwaway, unlocked gnome-keyring
# (a real Secret Service) and a temporary HOME/XDG tree, removed afterwards.
#
# The session runs as a child, not with `exec`: exec would replace this shell, and the EXIT
# trap that removes the temporary tree would never run. The command's exit status is kept.
set -euo pipefail
# The traps come first: a signal that arrives as soon as the directory exists still ends the
# script through `exit`, so the EXIT trap removes it then too.
tmp=""
trap 'if [ -n "$tmp" ]; then rm -rf "$tmp"; fi' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jwtdesk-test.XXXXXX")
mkdir -p -m 700 "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/run"
export JWTDESK_TEST_REAL_HOME="$HOME"
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" \
       XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/run"
export JWTDESK_REQUIRE_SECRET_SERVICE=1 QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
unset PYTHON_KEYRING_BACKEND JWTDESK_HOME DISPLAY WAYLAND_DISPLAY
status=0
# The password only unlocks this run's throwaway login collection. gnome-keyring-daemon
# daemonises; the command starts once it owns org.freedesktop.secrets on this session's bus
# (so the keyring is there when the command looks), and the daemon is stopped by that pid
# afterwards: left running, it would outlive the session and hold this script's stderr open.
dbus-run-session -- bash -c '
  pw=$(head -c 18 /dev/urandom | base64)
  printf %s "$pw" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  owner() {
    dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus / \
      org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets \
      2>/dev/null | awk "{print \$2}"
  }
  pid=""
  for _ in $(seq 200); do pid=$(owner); [ -n "$pid" ] && break; sleep 0.05; done
  status=0
  "$@" || status=$?
  [ -n "$pid" ] || pid=$(owner)
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  exit "$status"' bash "$@" 2> >(grep -v -E "^dbus-daemon|Unable to set up transient|SystemPrompter|gcr-prompter|cannot open display" >&2) \
  || status=$?
exit "$status"
