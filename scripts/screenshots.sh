#!/usr/bin/env bash
# Retakes the README's screenshots (docs/screenshots/) from demo data: builds the app, runs the
# end-to-end file that takes them (tests/e2e/screenshots.test.mjs, which also runs in every e2e run)
# and copies what it saved. Commit the pictures when the UI they show has changed.
#
# Usage: scripts/screenshots.sh [--no-setup]
#   --no-setup  skip scripts/setup.sh (you know the machine is ready)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG="screenshots"
cd "$ORDERTRAY_ROOT"

case "${1:-}" in
  "") bash scripts/setup.sh ;;
  --no-setup) ;;
  -h | --help) sed -n '2,8p' "$0"; exit 0 ;;
  *) die "unknown option $1 (see --help)" ;;
esac

(cd ui && npm run build)
cargo build --locked -p ordertray -p ordertray-fakes --bins
E2E_FILES=screenshots.test.mjs bash tests/e2e/run.sh
mkdir -p docs/screenshots
cp tests/e2e/out/readme/*.png docs/screenshots/
log "docs/screenshots: $(ls docs/screenshots | tr '\n' ' ')"
