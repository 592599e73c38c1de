#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run): set-up, then every check in order, failing fast.
#
# Usage: scripts/test.sh [--no-e2e] [--no-setup]
#   --no-e2e    skip the end-to-end tests and the Linux packages (quick local runs; CI runs everything)
#   --no-setup  skip scripts/setup.sh (you know the machine is ready)
# Environment: CARGO_TARGET_DIR (default ~/.cache/ordertray-target), plus what tests/e2e/run.sh reads.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG="test"
cd "$ORDERTRAY_ROOT"
# A CI run builds each crate once: rustc's incremental caches (gigabytes per checkout in a shared
# target dir) buy it nothing and once filled this machine's disk.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi

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

# What `cargo test` regenerates and the repository commits: the ts-rs bindings, the UI's IPC calls
# (from the shell's commands) and the UI tests' recorded engine answers.
GENERATED=(ui/src/bindings ui/src/ipc.generated.ts ui/src/test/fixtures)

bindings_unchanged() {
  local changes
  [ -d ui/src/bindings ] || { echo "ui/src/bindings does not exist: ts-rs wrote no bindings"; return 1; }
  changes=$(git status --porcelain -- "${GENERATED[@]}")
  if [ -n "$changes" ]; then
    echo "Generated TypeScript differs from the committed files (cargo test regenerates them):"
    echo "$changes"
    git --no-pager diff --stat -- "${GENERATED[@]}"
    echo "Commit the regenerated files (${GENERATED[*]})."
    return 1
  fi
  echo "${GENERATED[*]}: $(find "${GENERATED[@]}" -type f | wc -l) files, unchanged after cargo test"
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
# a lock file without them. The AppImage is not the CLI's: its bundler downloads linuxdeploy from
# GitHub, which this CI cannot reach; scripts/appimage.sh builds it from the .deb instead.
TAURI_CLI="@tauri-apps/cli@2.12.5"
package_deb() {
  npx --yes "$TAURI_CLI" build --ci --bundles deb
  local deb
  deb=$(newest_deb)
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

newest_deb() {
  find "$CARGO_TARGET_DIR/release/bundle/deb" -maxdepth 1 -name '*.deb' -printf '%T@ %p\n' 2>/dev/null | sort -n | tail -n 1 | cut -d' ' -f2-
}

appimage_build() {
  local deb
  deb=$(newest_deb)
  [ -n "$deb" ] || { echo "no .deb under $CARGO_TARGET_DIR/release/bundle/deb"; return 1; }
  bash scripts/appimage.sh "$deb"
}

# The AppImage as a user's machine would see it: the runtime's magic, the extracted tree, every library
# resolved from the bundle or the system, and the app starting from it on a virtual display.
appimage_check() {
  local deb img tmp rc=0
  deb=$(newest_deb)
  img="$CARGO_TARGET_DIR/release/bundle/appimage/$(basename "$deb" .deb).AppImage"
  [ -x "$img" ] || { echo "$img not found or not executable"; return 1; }
  # Type-2 AppImage: "AI" and 2 at offset 8 of the runtime's ELF header.
  [ "$(od -An -c -j 8 -N 3 "$img" | tr -d ' ')" = 'AI002' ] ||
    { echo "$img lacks the type-2 AppImage magic at bytes 8..10: $(od -An -c -j 8 -N 3 "$img")"; return 1; }
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/ordertray-appimage.XXXXXX")
  appimage_inspect "$img" "$tmp" || rc=$?
  [ -n "${KEEP_APPIMAGE_TMP:-}" ] || rm -rf "$tmp"
  return "$rc"
}

# appimage_inspect IMAGE TMP — extract IMAGE into TMP, check the tree, then start it.
appimage_inspect() {
  local img=$1 tmp=$2 root lib helpers elf missing
  # The 2018 runtime lists every extracted file on stderr: kept for a failure only.
  (cd "$tmp" && "$img" --appimage-extract >"$tmp/extract.log" 2>&1) ||
    { tail -n 20 "$tmp/extract.log"; echo "$img --appimage-extract failed"; return 1; }
  root="$tmp/squashfs-root"
  lib="$root/usr/lib"
  helpers="$lib/x86_64-linux-gnu/webkit2gtk-4.1"
  for want in AppRun Ordertray.desktop ordertray.png .DirIcon usr/bin/ordertray \
    "${helpers#"$root/"}/WebKitWebProcess" "${helpers#"$root/"}/WebKitNetworkProcess" \
    "${helpers#"$root/"}/injected-bundle/libwebkit2gtkinjectedbundle.so" usr/lib/libwebkit2gtk-4.1.so.0 \
    usr/lib/libayatana-appindicator3.so.1 usr/lib/gdk-pixbuf-2.0/2.10.0/loaders.cache \
    usr/lib/gio/modules/libgiognutls.so usr/share/glib-2.0/schemas/gschemas.compiled; do
    [ -e "$root/$want" ] || { echo "the AppImage lacks $want"; return 1; }
  done
  for elf in "$root/usr/bin/ordertray" "$lib/libwebkit2gtk-4.1.so.0" "$helpers"/WebKit* "$helpers"/injected-bundle/*.so; do
    missing=$(LD_LIBRARY_PATH="$lib" ldd "$elf" | grep 'not found' || true)
    [ -z "$missing" ] || { echo "${elf#"$root/"} has unresolved libraries:"; echo "$missing"; return 1; }
  done
  # Not `ldd | grep -q`: grep's early exit can SIGPIPE ldd, and pipefail makes that a failure.
  grep -q "libwebkit2gtk-4.1.so.0 => $lib/" <<<"$(LD_LIBRARY_PATH="$lib" ldd "$root/usr/bin/ordertray")" ||
    { echo "usr/bin/ordertray does not load the bundled libwebkit2gtk"; return 1; }
  echo "extracted: $(find "$root" -type f | wc -l) files; ldd resolves every library of the app, libwebkit2gtk and its helpers"
  appimage_smoke "$root" "$tmp"
}

# appimage_smoke ROOT TMP — AppRun on a private display and session bus with a throwaway home and
# database (demo mode: no account, no network); alive after 10 s, with WebKit's web process from ROOT.
appimage_smoke() {
  local root=$1 tmp=$2 pid app="" web="" p exe i
  mkdir -p "$tmp/home" "$tmp/run"
  chmod 700 "$tmp/run"
  HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_DATA_HOME="$tmp/home/.local/share" \
    XDG_CACHE_HOME="$tmp/home/.cache" XDG_RUNTIME_DIR="$tmp/run" ORDERTRAY_DB="$tmp/ordertray.db" \
    NO_AT_BRIDGE=1 timeout -k 5 60 xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp' \
    dbus-run-session -- "$root/AppRun" --demo >"$tmp/app.log" 2>&1 &
  pid=$!
  for i in $(seq 10); do
    sleep 1
    kill -0 "$pid" 2>/dev/null || break
  done
  for p in /proc/[0-9]*; do
    exe=$(readlink "$p/exe" 2>/dev/null) || continue
    case "$exe" in
      "$root/usr/bin/ordertray") app=${p#/proc/} ;;
      "$root/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/WebKitWebProcess") web=${p#/proc/} ;;
    esac
  done
  local ok=1
  [ -n "$app" ] || { echo "the app from the AppImage is not running after ${i} s"; ok=0; }
  [ -n "$web" ] || { echo "no WebKitWebProcess started from the AppImage's tree"; ok=0; }
  if [ -n "$app" ]; then kill "$app" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  # Bundled libraries or modules that do not fit together show up here rather than as a crash.
  if grep -E 'undefined symbol|cannot open shared object|Failed to load module|version .GLIBC' "$tmp/app.log"; then
    echo "the app log shows library or module loading errors"
    ok=0
  fi
  if [ "$ok" = 0 ]; then
    echo "----- app log -----"
    tail -n 40 "$tmp/app.log"
    return 1
  fi
  echo "smoke start: app (pid $app) alive after ${i} s, WebKitWebProcess (pid $web) from the extracted AppImage"
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
  step "build app and fakes" cargo build --locked -p ordertray -p ordertray-fakes -p ordertray-cli --bins
  step "end-to-end tests" e2e
  step "linux package (deb)" package_deb
  step "linux package (AppImage)" appimage_build
  step "AppImage check" appimage_check
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
