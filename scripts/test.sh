#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run): set-up, then every check in order, failing fast.
#
# Usage: scripts/test.sh [--no-e2e] [--no-setup]
#   --no-e2e    skip the end-to-end tests and the Linux package (quick local runs; CI runs everything)
#   --no-setup  skip scripts/setup.sh (you know the machine is ready)
# Environment: CARGO_TARGET_DIR (default ~/.cache/ordertray-target), plus what tests/e2e/run.sh reads.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG="test"
cd "$ORDERTRAY_ROOT"

E2E=1
SETUP=1
for arg in "$@"; do
  case "$arg" in
    --no-e2e) E2E=0 ;;
    --no-setup) SETUP=0 ;;
    -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
    *) die "unknown option $arg (see --help)" ;;
  esac
done

T0=$(now_s)
STEPS_DONE=()
LOGDIR="$(mktemp -d "${TMPDIR:-/tmp}/ordertray-test.XXXXXX")"
trap 'rm -rf "$LOGDIR"' EXIT

# step NAME CMD... — announce, run, time; on failure say which step failed and stop with its exit code.
step() {
  local name=$1 t rc=0
  shift
  printf '\n==== [%s] %s ====\n' "$(date +%H:%M:%S)" "$name"
  t=$(now_s)
  "$@" || rc=$?
  if [ "$rc" -ne 0 ]; then
    printf '\n==== FAILED: %s (exit %s, after %s s; total %s s) ====\n' "$name" "$rc" "$(elapsed "$t")" "$(elapsed "$T0")" >&2
    echo "test.sh: step '$name' failed" >&2
    exit "$rc"
  fi
  printf '==== ok: %s (%s s) ====\n' "$name" "$(elapsed "$t")"
  STEPS_DONE+=("$name")
}

ui_npm() { (cd ui && npm run "$1"); }

cargo_test() {
  cargo test --workspace 2>&1 | tee "$LOGDIR/cargo-test.log"
}

bindings_unchanged() {
  local changes
  [ -d ui/src/bindings ] || { echo "ui/src/bindings does not exist: ts-rs wrote no bindings"; return 1; }
  changes=$(git status --porcelain -- ui/src/bindings)
  if [ -n "$changes" ]; then
    echo "The generated TypeScript bindings differ from the committed ones (cargo test regenerates them):"
    echo "$changes"
    git --no-pager diff --stat -- ui/src/bindings
    echo "Commit the regenerated files in ui/src/bindings."
    return 1
  fi
  echo "ui/src/bindings: $(find ui/src/bindings -type f | wc -l) files, unchanged after cargo test"
}

# Only the desktop shell (package `ordertray`) may depend on tauri, directly or through other crates.
only_shell_depends_on_tauri() {
  cargo metadata --format-version 1 --locked >"$LOGDIR/metadata.json"
  python3 - "$LOGDIR/metadata.json" <<'PY'
import json, re, sys
meta = json.load(open(sys.argv[1]))
pkgs = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
def closure(root):
    # normal and build dependencies, transitively (dev-dependencies do not ship)
    seen, todo = set(), [root]
    while todo:
        for d in nodes[todo.pop()]["deps"]:
            if any(k["kind"] != "dev" for k in d["dep_kinds"]) and d["pkg"] not in seen:
                seen.add(d["pkg"]); todo.append(d["pkg"])
    return seen
# The Tauri framework crates (not e.g. tauri-winrt-notification, notify-rust's Windows toast backend).
TAURI = re.compile(r"^tauri(-build|-codegen|-macros|-utils|-runtime(-wry)?|-plugin(-.+)?)?$")
bad = []
for mid in meta["workspace_members"]:
    name = pkgs[mid]["name"]
    tauri = sorted({pkgs[d]["name"] for d in closure(mid) if TAURI.match(pkgs[d]["name"])})
    print(f"{name:24} {'tauri: ' + ', '.join(tauri) if tauri else 'no tauri'}")
    if tauri and name != "ordertray":
        bad.append(name)
if bad:
    print("Only the desktop shell (ordertray) may depend on tauri; these do too: " + ", ".join(bad))
    sys.exit(1)
PY
}

e2e() { bash tests/e2e/run.sh 2>&1 | tee "$LOGDIR/e2e.log"; }

# The Linux package as users get it: a release build bundled by the Tauri CLI, then checked for the
# binary, the desktop entry and the icon. The CLI runs through npx rather than from ui's packages:
# its other platforms' optional binaries would have to be in package-lock.json, and `npm ci` refuses
# a lock file without them. AppImage is not built here: its bundler downloads linuxdeploy from
# GitHub, which this CI cannot reach.
TAURI_CLI="@tauri-apps/cli@2.12.5"
package_deb() {
  npx --yes "$TAURI_CLI" build --ci --bundles deb
  local deb
  deb=$(ls -t "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb | head -n 1)
  [ -n "$deb" ] || { echo "no .deb under $CARGO_TARGET_DIR/release/bundle/deb"; return 1; }
  local contents
  contents=$(dpkg-deb --contents "$deb")
  for want in usr/bin/ordertray usr/share/applications/Ordertray.desktop usr/share/icons/hicolor/128x128/apps/ordertray.png; do
    grep -qE " (\./)?$want\$" <<<"$contents" || { echo "$deb lacks $want"; echo "$contents"; return 1; }
  done
  local depends
  depends=$(dpkg-deb --field "$deb" Depends)
  # The tray needs libayatana-appindicator at run time (loaded dynamically, so not found by the bundler).
  grep -q libayatana-appindicator3-1 <<<"$depends" || { echo "$deb does not depend on the tray library: $depends"; return 1; }
  dpkg-deb --field "$deb" Package Version Depends
  echo "package: $deb ($(du -h "$deb" | cut -f1))"
}

# ---------------------------------------------------------------------------------------------------
if [ "$SETUP" = 1 ]; then step "setup" bash scripts/setup.sh; fi
log "CARGO_TARGET_DIR=$CARGO_TARGET_DIR"
step "cargo fmt --check" cargo fmt --all -- --check
[ -f ui/package.json ] || die "ui/package.json is missing: the UI must build before the Tauri crate"
# The UI is built before anything compiles the Tauri crate: tauri::generate_context! embeds ui/dist.
step "ui: typecheck" ui_npm typecheck
step "ui: lint" ui_npm lint
step "ui: test" ui_npm test
step "ui: build" ui_npm build
step "cargo clippy -D warnings" cargo clippy --workspace --all-targets --locked -- -D warnings
step "cargo test" cargo_test
step "bindings unchanged" bindings_unchanged
step "only the shell depends on tauri" only_shell_depends_on_tauri
if [ "$E2E" = 1 ]; then
  step "build app and fakes" cargo build --locked -p ordertray -p ordertray-fakes --bins
  step "end-to-end tests" e2e
  step "linux package (deb)" package_deb
else
  log "skipping the end-to-end tests (--no-e2e)"
fi

# ---------------------------------------------------------------------------------------------------
read -r passed failed ignored < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) {
    if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
  END { print p + 0, f + 0, s + 0 }' "$LOGDIR/cargo-test.log")
[ "$passed" -gt 0 ] || die "cargo test ran no test"
e2e_passed=0
e2e_note="e2e skipped (--no-e2e)"
if [ "$E2E" = 1 ]; then
  e2e_passed=$(sed -n 's/^e2e: \([0-9]*\) passed.*/\1/p' "$LOGDIR/e2e.log" | tail -n 1)
  e2e_note="e2e ${e2e_passed:-0} passed"
fi
steps=$(printf '%s, ' "${STEPS_DONE[@]}")
printf '\n==== all %d steps passed in %s s (%s); cargo test %s passed, %s ignored; %s ====\n' \
  "${#STEPS_DONE[@]}" "$(elapsed "$T0")" "${steps%, }" "$passed" "$ignored" "$e2e_note"
echo "summary: $((passed + ${e2e_passed:-0})) passed, $failed failed, $ignored skipped"
