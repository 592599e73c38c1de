#!/usr/bin/env bash
# The app benchmark (issue 18, goals 5 and 6): the release app under Xvfb, driven through WebDriver like the
# end-to-end tests (tests/e2e/app.bench.mjs through tests/e2e/run.sh): start to interactive on an
# empty and on a large database (median of three starts each), with the part before the page loads
# beside a bare Tauri window's (src-tauri/examples/bare_window.rs), the PSS of the app and its web
# processes on each, each screen's first paint with its data and the frame times while j is held in
# the inbox (goal 5, on the large database), idle CPU over a minute with an Ozon account polling the fake every minute, and
# the delay from the poll that sees a new order to its popup. Figures: tests/e2e/out/app-bench.json.
#
# Usage: scripts/bench-app.sh
# Environment: ORDERTRAY_BENCH_LINES / ORDERTRAY_BENCH_ORDERS (size of the large database, default
#   1,000,000 each; built once into $CARGO_TARGET_DIR/bench/ and reused), E2E_BENCH_STARTS (default 3).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
LOG_TAG=bench-app

bash scripts/setup.sh
(cd ui && npm run build)
cargo build --release --locked -p ordertray -p ordertray-fakes -p ordertray-cli --bins
# The start's reference: a bare Tauri window on the same page.
cargo build --release --locked -p ordertray --example bare_window

lines=${ORDERTRAY_BENCH_LINES:-1000000}
orders=${ORDERTRAY_BENCH_ORDERS:-1000000}
big="$CARGO_TARGET_DIR/bench/large-$lines-$orders.db"
if [ ! -s "$big" ]; then
  log "seeding $big ($lines inbox lines, $orders shop orders)"
  mkdir -p "$(dirname "$big")"
  rm -f "$big.tmp" "$big.tmp-wal" "$big.tmp-shm"
  cargo run --release --locked -p ordertray-engine --example seed_scale -- "$big.tmp" "$lines" "$orders"
  sqlite3 "$big.tmp" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  mv "$big.tmp" "$big"
fi
# A database seeded before the latest migrations would run them at every start the bench times (each
# start opens a fresh copy): opened once here, it is brought up to date (a no-op when it is).
"$CARGO_TARGET_DIR/release/ordertray-cli" --db "$big" accounts list >/dev/null
sqlite3 "$big" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
rm -f "${big%.db}".v*.backup.db # the copy an upgrade keeps: not needed for a bench's database
log "large database: $big ($(du -h "$big" | cut -f1))"

E2E_APP="$CARGO_TARGET_DIR/release/ordertray" \
  E2E_FAKE_OZON="$CARGO_TARGET_DIR/release/ordertray-fake-ozon" \
  E2E_BENCH_CLI="$CARGO_TARGET_DIR/release/ordertray-cli" \
  E2E_BENCH_BARE="$CARGO_TARGET_DIR/release/examples/bare_window" \
  E2E_BENCH_BIG_DB="$big" \
  E2E_FILES="app.bench.mjs" E2E_TEST_TIMEOUT=1500 E2E_TIMEOUT=1800 \
  bash tests/e2e/run.sh
log "figures ($(date -u '+%Y-%m-%d %H:%M UTC')):"
cat tests/e2e/out/app-bench.json
