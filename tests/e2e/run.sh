#!/usr/bin/env bash
# End-to-end harness: the real Ordertray app, driven through WebDriver, on a headless Linux desktop.
#
# Runs inside a private D-Bus session (re-executes itself under dbus-run-session, so a developer's own
# session bus and keyring are never touched) with: Xvfb on a free display, gnome-keyring (Secret Service)
# unlocked with a test password in a temporary XDG_DATA_HOME, dunst as notification server, dbus-monitor
# logging every org.freedesktop.Notifications call, tauri-driver (+ WebKitWebDriver) and the fake Ozon
# server. Then runs tests/e2e/*.test.mjs with Node's test runner, one file at a time: the app is
# single-instance, so two files' apps cannot run at once (each file starts its own, and may give it
# its own database with --db).
#
# Usage: tests/e2e/run.sh [--infra-check] [--keep] [-- extra node --test args]
#   --infra-check  only check the infrastructure (no app, no fake): display, keychain round trip,
#                  notification seen by the monitor, tauri-driver /status, env reaching the launched app,
#                  and the WebDriver client (webdriver.selftest.mjs) on WebKitGTK's MiniBrowser
#   --keep         keep the temporary directory (database, keyring) after the run
# Environment:
#   CARGO_TARGET_DIR   where the debug binaries are (default ~/.cache/ordertray-target)
#   E2E_APP            app binary (default $CARGO_TARGET_DIR/debug/ordertray)
#   E2E_FAKE_OZON      fake server binary (default $CARGO_TARGET_DIR/debug/ordertray-fake-ozon)
#   E2E_TIMEOUT        seconds for the whole run (default 900)
#   E2E_TEST_TIMEOUT   seconds for the node tests (default 600)
#   E2E_FILES          only these test files, e.g. "zzap.test.mjs cabinet.test.mjs" (default: all)
# Exported to the tests: E2E_WEBDRIVER_URL E2E_APP E2E_FAKE_URL E2E_CLIENT_ID E2E_API_KEY E2E_NOTIFY_LOG
#   E2E_DB E2E_OUT E2E_HOME, and E2E_FAKE_BIN (the fake server binary, for a file that runs a fake of
#   its own); exported to the app (through tauri-driver/WebKitWebDriver): ORDERTRAY_DB=$E2E_DB,
#   ORDERTRAY_NO_AUTOSTART_DEMO=1.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
. "$HERE/../../scripts/lib.sh"
LOG_TAG=e2e

ARGS=("$@")
INFRA_ONLY=0
KEEP=0
NODE_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --infra-check) INFRA_ONLY=1 ;;
    --keep) KEEP=1 ;;
    --) shift; NODE_ARGS=("$@"); break ;;
    -h | --help) sed -n '2,26p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

# ---- outer part: pick a display, re-execute inside a private D-Bus session, with an overall time limit ----
if [ "${ORDERTRAY_E2E_INSIDE:-}" != 1 ]; then
  for tool in dbus-run-session Xvfb gnome-keyring-daemon dunst dbus-monitor secret-tool tauri-driver python3 import; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found: run scripts/setup.sh first"
  done
  n=99
  while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
  # DISPLAY before dbus-run-session keeps portal/activation helpers from complaining about a missing display.
  export DISPLAY=":$n" ORDERTRAY_E2E_INSIDE=1
  # The inner run has its own timeouts; this one only guarantees nothing hangs forever. On expiry
  # `timeout` signals the whole process group, and the inner trap stops every service.
  rc=0
  timeout -k 20 "${E2E_TIMEOUT:-900}" dbus-run-session -- bash "$0" ${ARGS[@]+"${ARGS[@]}"} || rc=$?
  [ "$rc" -ne 124 ] || warn "the end-to-end run hit its overall limit of ${E2E_TIMEOUT:-900} s"
  exit "$rc"
fi

# ---- inner part: we are inside dbus-run-session ----
[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || die "no session bus inside dbus-run-session"
display_n=${DISPLAY#:}

E2E_OUT="$HERE/out"
rm -rf "$E2E_OUT"
mkdir -p "$E2E_OUT/logs"
LOGS="$E2E_OUT/logs"
E2E_TMP="$(mktemp -d "${TMPDIR:-/tmp}/ordertray-e2e.XXXXXX")"
export E2E_OUT

# Isolated per-user directories: a fresh keyring (unlocked below with the test password), no leftover WebKit
# storage, and nothing written to the developer's home.
export XDG_DATA_HOME="$E2E_TMP/data" XDG_CONFIG_HOME="$E2E_TMP/config" XDG_CACHE_HOME="$E2E_TMP/cache"
export XDG_RUNTIME_DIR="$E2E_TMP/run"
# A private HOME as well: some libraries ignore XDG_CONFIG_HOME (the autostart entry is written to
# $HOME/.config/autostart), and a test must never add a login item to the developer's session.
# Tools found through PATH (cargo's bin directory included) keep working; their caches are not needed.
export E2E_HOME="$E2E_TMP/home" REAL_HOME="$HOME"
export HOME="$E2E_HOME"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR" "$HOME"
chmod 700 "$XDG_RUNTIME_DIR"
# Not WEBKIT_DISABLE_DMABUF_RENDERER=1: with WebKitGTK 2.50 under Xvfb it makes WebDriver screenshots hang.
export NO_AT_BRIDGE=1

PIDS=()   # "name:pid" of every service we started
SUCCESS=0
start_bg() { # start_bg NAME CMD... — start a service in the background, its output in $LOGS/NAME.log
  local name=$1
  shift
  "$@" >"$LOGS/$name.log" 2>&1 &
  PIDS+=("$name:$!")
  log "started $name (pid $!)"
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
wait_for() { # wait_for SECONDS DESCRIPTION CMD... — poll CMD every 0.2 s until it succeeds
  local limit=$1 what=$2 deadline
  shift 2
  deadline=$(($(date +%s) + limit))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      warn "timed out after ${limit}s waiting for $what"
      return 1
    fi
    sleep 0.2
  done
}
descendants() { # descendants PID — every process below PID, by parent links
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    printf '%s ' "$child"
    descendants "$child"
  done
}
cleanup() {
  local rc=$? entry name i pids
  trap - EXIT INT TERM
  if [ "$SUCCESS" != 1 ]; then
    [ "$rc" -ne 0 ] || rc=1
    if [ -e "/tmp/.X11-unix/X$display_n" ]; then
      timeout 10 import -display "$DISPLAY" -window root "$E2E_OUT/failure-screen.png" 2>/dev/null &&
        log "screenshot of the display: $E2E_OUT/failure-screen.png"
    fi
  fi
  # Each service with its descendants (the app and WebKit processes are children of
  # tauri-driver/WebKitWebDriver), in reverse order of start; collected before anything is killed.
  local tree=()
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    entry=${PIDS[$i]}
    read -r -a pids <<<"$(descendants "${entry#*:}")"
    tree+=("${entry#*:}" ${pids[@]+"${pids[@]}"})
  done
  if [ ${#tree[@]} -gt 0 ]; then
    kill "${tree[@]}" 2>/dev/null || true
    sleep 0.5
    kill -9 "${tree[@]}" 2>/dev/null || true
  fi
  if [ "$SUCCESS" != 1 ]; then
    for entry in "${PIDS[@]}"; do
      name=${entry%%:*}
      printf '\n----- %s log (last 60 lines of %s) -----\n' "$name" "$LOGS/$name.log" >&2
      tail -n 60 "$LOGS/$name.log" >&2 || true
    done
    # The app's own log says what a failed decision or sync met (each file's app logs under E2E_TMP).
    while IFS= read -r name; do
      printf '\n----- app log (warnings and errors, last 40, of %s) -----\n' "$name" >&2
      grep -E ' (WARN|ERROR) ' "$name" | tail -n 40 >&2 || true
    done < <(find "$E2E_TMP" -name 'ordertray*.log' 2>/dev/null)
    printf '\n' >&2
    warn "end-to-end run FAILED (exit $rc); logs and screenshots in $E2E_OUT, temp dir $E2E_TMP"
  elif [ "$KEEP" = 1 ]; then
    log "kept temp dir $E2E_TMP"
  else
    rm -rf "$E2E_TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- services ----
start_bg xvfb Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp
wait_for 15 "Xvfb on $DISPLAY" test -e "/tmp/.X11-unix/X$display_n"

KEYRING_PASSWORD="ordertray-e2e-test-only"
# --foreground keeps it our child (stopped by the trap); the password comes on stdin.
# shellcheck disable=SC2016 # $1 expands in the inner shell
start_bg gnome-keyring bash -c 'printf %s "$1" | exec gnome-keyring-daemon --foreground --unlock --components=secrets' _ "$KEYRING_PASSWORD"
# Secret Service answers once the daemon has claimed its name on the bus.
wait_for 15 "gnome-keyring on the session bus" \
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.GetNameOwner string:org.freedesktop.secrets

export E2E_NOTIFY_LOG="$LOGS/notifications.log"
# dbus-monitor writes to a file, not a pipe: no buffering surprises when the tests read it.
dbus-monitor --session "interface='org.freedesktop.Notifications'" >"$E2E_NOTIFY_LOG" 2>&1 &
PIDS+=("dbus-monitor:$!")
ln -sf notifications.log "$LOGS/dbus-monitor.log"
# Popups stay until acted on, so a test can click one (dunstctl action) however long the steps take.
mkdir -p "$XDG_CONFIG_HOME/dunst"
printf '[urgency_low]\ntimeout = 0\n[urgency_normal]\ntimeout = 0\n[urgency_critical]\ntimeout = 0\n' \
  >"$XDG_CONFIG_HOME/dunst/dunstrc"
start_bg dunst dunst -config "$XDG_CONFIG_HOME/dunst/dunstrc"
wait_for 15 "dunst on the session bus" \
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.GetNameOwner string:org.freedesktop.Notifications

# What the app gets: tauri-driver starts WebKitWebDriver, which starts the app, each inheriting this env.
export E2E_DB="$E2E_TMP/ordertray.db"
export ORDERTRAY_DB="$E2E_DB" ORDERTRAY_NO_AUTOSTART_DEMO=1
export ORDERTRAY_LOG="${ORDERTRAY_LOG:-info}"

driver_port=$(free_port)
native_port=$(free_port)
native_driver=$(command -v WebKitWebDriver || true)
[ -n "$native_driver" ] || die "WebKitWebDriver not found (Debian package webkit2gtk-driver): run scripts/setup.sh"
start_bg tauri-driver tauri-driver --port "$driver_port" --native-port "$native_port" --native-driver "$native_driver"
export E2E_WEBDRIVER_URL="http://127.0.0.1:$driver_port"
wait_for 30 "tauri-driver answering $E2E_WEBDRIVER_URL/status" curl -sf -m 2 "$E2E_WEBDRIVER_URL/status"
log "tauri-driver ready at $E2E_WEBDRIVER_URL: $(curl -s -m 2 "$E2E_WEBDRIVER_URL/status" | tr -d '\n' | cut -c1-200)"

# ---- infrastructure check only ----
if [ "$INFRA_ONLY" = 1 ]; then
  log "infra: keychain round trip with secret-tool"
  printf %s "infra-secret" | timeout 10 secret-tool store --label="ordertray e2e" service ordertray user "infra/api_key"
  got=$(timeout 10 secret-tool lookup service ordertray user "infra/api_key")
  [ "$got" = "infra-secret" ] || die "secret-tool lookup returned '$got'"
  timeout 10 secret-tool clear service ordertray user "infra/api_key"
  if timeout 10 secret-tool lookup service ordertray user "infra/api_key" >/dev/null 2>&1; then
    die "secret still there after secret-tool clear"
  fi

  log "infra: notification observed by dbus-monitor"
  command -v notify-send >/dev/null 2>&1 || die "notify-send not found (Debian package libnotify-bin)"
  timeout 10 notify-send "Ordertray infra check" "posting INFRA-0001-1"
  wait_for 10 "the Notify call in $E2E_NOTIFY_LOG" grep -q 'INFRA-0001-1' "$E2E_NOTIFY_LOG"
  grep -q 'member=Notify' "$E2E_NOTIFY_LOG" || die "no member=Notify line in $E2E_NOTIFY_LOG"

  log "infra: environment reaches the app launched through tauri-driver/WebKitWebDriver"
  probe="$E2E_TMP/env-probe.sh"
  printf '#!/bin/sh\necho $$ > "%s/probe.pid"\nenv > "%s/app-env.txt"\nexec sleep 30\n' "$E2E_TMP" "$E2E_TMP" >"$probe"
  chmod +x "$probe"
  caps=$(printf '{"capabilities":{"alwaysMatch":{"tauri:options":{"application":"%s"}}}}' "$probe")
  # The probe is not a WebKit app, so the session itself fails; only its environment matters here.
  curl -s -m 30 -X POST "$E2E_WEBDRIVER_URL/session" -H 'content-type: application/json' -d "$caps" \
    >"$LOGS/probe-session.json" 2>&1 &
  curl_pid=$!
  wait_for 20 "the probe's environment dump" test -s "$E2E_TMP/app-env.txt"
  kill "$curl_pid" 2>/dev/null || true
  grep -qx "ORDERTRAY_DB=$E2E_DB" "$E2E_TMP/app-env.txt" || die "ORDERTRAY_DB did not reach the launched app"
  grep -qx "ORDERTRAY_NO_AUTOSTART_DEMO=1" "$E2E_TMP/app-env.txt" || die "ORDERTRAY_NO_AUTOSTART_DEMO did not reach the app"
  grep -q "^DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS\$" "$E2E_TMP/app-env.txt" ||
    die "the launched app is not on the test session bus"
  grep -qx "DISPLAY=$DISPLAY" "$E2E_TMP/app-env.txt" || die "DISPLAY did not reach the app"
  kill "$(cat "$E2E_TMP/probe.pid")" 2>/dev/null || true

  log "infra: WebDriver client self-test (tests/e2e/webdriver.selftest.mjs on WebKitGTK's MiniBrowser)"
  browser=$(find /usr/lib /usr/libexec -path '*webkit2gtk-4.1/MiniBrowser' 2>/dev/null | head -n 1)
  if [ -n "$browser" ]; then
    (cd "$HERE" && E2E_SELFTEST_BROWSER="$browser" timeout -k 5 120 node --test --test-reporter=tap \
      ./webdriver.selftest.mjs) >"$LOGS/webdriver-selftest.log" 2>&1 ||
      { cat "$LOGS/webdriver-selftest.log"; die "WebDriver client self-test failed"; }
    log "infra: $(grep -E '^# (pass|fail)' "$LOGS/webdriver-selftest.log" | tr '\n' ' ')"
  else
    warn "MiniBrowser not found (libwebkit2gtk-4.1-0): WebDriver client self-test skipped"
  fi

  timeout 10 import -display "$DISPLAY" -window root "$E2E_OUT/infra-screen.png"
  SUCCESS=1
  log "infra check passed: Xvfb $DISPLAY, D-Bus session, gnome-keyring, dunst + dbus-monitor, tauri-driver, env propagation"
  exit 0
fi

# ---- full run: the fake Ozon server and the app ----
export E2E_APP="${E2E_APP:-$CARGO_TARGET_DIR/debug/ordertray}"
fake_bin="${E2E_FAKE_OZON:-$CARGO_TARGET_DIR/debug/ordertray-fake-ozon}"
[ -x "$E2E_APP" ] || die "app binary $E2E_APP not found: cargo build -p ordertray --bins"
[ -x "$fake_bin" ] || die "fake server $fake_bin not found: cargo build -p ordertray-fakes --bins"
E2E_APP="$(readlink -f "$E2E_APP")"
E2E_FAKE_BIN="$(readlink -f "$fake_bin")"
export E2E_FAKE_BIN

# The secrets scan: every key, password and token the tests use is registered here (common.mjs
# `secret()`); a watcher samples every process's argument list for them while the tests run, and
# after them secrets-scan.mjs looks for them in every file the run left (databases, backups, logs,
# diagnostic bundles, exports).
export E2E_SECRETS="$E2E_TMP/secrets.jsonl"
SECRETS_IN_ARGV="$E2E_TMP/secrets-in-argv.txt"
(umask 077 && : >"$E2E_SECRETS")
start_bg secrets-watch node "$HERE/secrets-scan.mjs" watch "$SECRETS_IN_ARGV"

export E2E_CLIENT_ID=424242
E2E_API_KEY="$(cat /proc/sys/kernel/random/uuid)"
export E2E_API_KEY
printf '{"name":"ozon: Api-Key of run.sh'"'"'s fake","value":"%s"}\n' "$E2E_API_KEY" >>"$E2E_SECRETS"
fake_port=$(free_port)
# The key reaches the fake through its environment: an argument list is readable by any local user.
export ORDERTRAY_FAKE_API_KEY="$E2E_API_KEY"
start_bg fake-ozon "$fake_bin" --port "$fake_port" --client-id "$E2E_CLIENT_ID"
unset ORDERTRAY_FAKE_API_KEY
wait_for 30 "the fake Ozon server to print 'listening on'" grep -q 'listening on http://' "$LOGS/fake-ozon.log"
E2E_FAKE_URL=$(grep -o -m1 'listening on http://[0-9.:]*' "$LOGS/fake-ozon.log" | sed 's/^listening on //')
export E2E_FAKE_URL
log "fake Ozon at $E2E_FAKE_URL"

read -r -a test_files <<<"${E2E_FILES:-$(cd "$HERE" && echo ./*.test.mjs)}"
for f in "${test_files[@]}"; do [ -f "$HERE/$f" ] || die "no test file $HERE/$f (E2E_FILES)"; done
log "node tests: ${test_files[*]}"
node_rc=0
(cd "$HERE" && timeout -k 10 "${E2E_TEST_TIMEOUT:-600}" node --test --test-concurrency=1 --test-reporter=tap \
  ${NODE_ARGS[@]+"${NODE_ARGS[@]}"} "${test_files[@]}") 2>&1 | tee "$LOGS/node-test.log" || node_rc=$?
passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$LOGS/node-test.log" | tail -n 1)
failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$LOGS/node-test.log" | tail -n 1)
cancelled=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$LOGS/node-test.log" | tail -n 1)
failed=$((${failed:-0} + ${cancelled:-0})) # a failed before-hook cancels every test
[ "$node_rc" -ne 124 ] || warn "node tests hit their limit of ${E2E_TEST_TIMEOUT:-600} s"
if [ "$node_rc" -ne 0 ] && [ "${failed:-0}" = 0 ]; then failed=1; fi
# Last, whatever the tests' outcome and whichever files ran: the secrets those files registered.
scan_rc=0
node "$HERE/secrets-scan.mjs" final "$SECRETS_IN_ARGV" "$E2E_TMP" "$E2E_OUT" 2>&1 | tee "$LOGS/secrets-scan.log" ||
  scan_rc=$?
tests_passed=${passed:-0}
if [ "$scan_rc" -eq 0 ]; then passed=$((tests_passed + 1)); else failed=$((${failed:-0} + 1)); fi
echo "e2e: ${passed:-0} passed, ${failed:-0} failed"
if [ "$node_rc" -ne 0 ] || [ "$scan_rc" -ne 0 ] || [ "$tests_passed" = 0 ]; then
  [ "$tests_passed" != 0 ] || warn "no end-to-end test passed"
  exit 1
fi
SUCCESS=1
