#!/usr/bin/env bash
# Set up, build and start the Ordertray desktop app.
#
# Usage: scripts/run.sh [--debug] [--no-setup] [--no-demo] [APP ARGS...]
#   --debug     debug build (faster to compile, slower to run) instead of release
#   --no-setup  skip scripts/setup.sh
#   --no-demo   with no account connected, show the welcome screen instead of starting the demo
#   APP ARGS    passed to the app, e.g. --db /path/to/ordertray.db
# Environment: CARGO_TARGET_DIR (default ~/.cache/ordertray-target); ORDERTRAY_DB (database file,
# same as --db). With no account connected the app starts in demo mode (simulated Ozon).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=run
cd "$ORDERTRAY_ROOT"

PROFILE=release
SETUP=1
DEMO=1
APP_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --debug) PROFILE=debug ;;
    --no-setup) SETUP=0 ;;
    --no-demo) DEMO=0 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    --) shift; APP_ARGS+=("$@"); break ;;
    *) APP_ARGS+=("$1") ;;
  esac
  shift
done

if [ "$SETUP" = 1 ]; then bash scripts/setup.sh; fi

[ -f ui/package.json ] || die "ui/package.json is missing: cannot build the UI"
log "building the UI (ui/dist)"
(cd ui && npm run build)

log "building the app ($PROFILE) in $CARGO_TARGET_DIR"
if [ "$PROFILE" = release ]; then
  cargo build --release -p ordertray --bin ordertray
else
  cargo build -p ordertray --bin ordertray
fi

APP="$CARGO_TARGET_DIR/$PROFILE/ordertray"
[ -x "$APP" ] || die "build finished but $APP is missing"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  warn "no DISPLAY or WAYLAND_DISPLAY: the window needs a graphical session"
fi
if [ "$DEMO" = 1 ]; then APP_ARGS=(--demo ${APP_ARGS[@]+"${APP_ARGS[@]}"}); fi
log "starting $APP ${APP_ARGS[*]+${APP_ARGS[*]}}"
exec "$APP" ${APP_ARGS[@]+"${APP_ARGS[@]}"}
