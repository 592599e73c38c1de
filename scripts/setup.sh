#!/usr/bin/env bash
# Idempotent set-up for building, running and testing Ordertray on Debian/Ubuntu.
# Used by scripts/run.sh and scripts/test.sh; safe (and quick) to run again.
#
#   1. system packages (apt-get, through sudo when not root) — skipped when all are installed
#   2. Rust toolchain with rustfmt + clippy (rustup, only when cargo is missing)
#   3. Node.js >= 20 (Debian/NodeSource, only when node is missing or older)
#   4. tauri-driver 2.x (cargo install --locked) — skipped when a 2.x is installed
#   5. npm ci in ui/ — skipped when ui/node_modules is newer than ui/package-lock.json (stamp file)
#
# Environment: ORDERTRAY_SKIP_APT=1 skips step 1 (you manage system packages yourself).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=setup
cd "$ORDERTRAY_ROOT"
t0=$(now_s)

# --- 1. system packages ------------------------------------------------------------------------------
APT_PACKAGES=(
  # Tauri 2 build dependencies (WebKitGTK 4.1, GTK 3, tray, icons, TLS)
  libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libayatana-appindicator3-dev librsvg2-dev
  build-essential pkg-config libssl-dev libdbus-1-dev libsecret-1-dev
  # end-to-end tests: virtual display, WebDriver, D-Bus session, keychain, notifications, screenshots
  xvfb webkit2gtk-driver dbus-x11 gnome-keyring libsecret-tools dunst libnotify-bin imagemagick xdotool xclip
  # tools the scripts and tests call
  curl ca-certificates git python3 sqlite3
  # the AppImage (scripts/appimage.sh): mksquashfs builds its file system image
  squashfs-tools
)

mapfile -t missing < <(missing_apt_packages "${APT_PACKAGES[@]}")
if [ "${ORDERTRAY_SKIP_APT:-0}" = 1 ]; then
  [ ${#missing[@]} -eq 0 ] || warn "ORDERTRAY_SKIP_APT=1 but these packages are missing: ${missing[*]}"
elif [ ${#missing[@]} -eq 0 ]; then
  log "system packages: all ${#APT_PACKAGES[@]} present"
else
  install_apt_packages "${missing[@]}"
fi

# --- 2. Rust -----------------------------------------------------------------------------------------
if ! command -v cargo >/dev/null 2>&1; then
  log "cargo not found: installing the Rust toolchain with rustup (https://rustup.rs) into ~/.cargo"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
    sh -s -- -y --profile minimal --component rustfmt,clippy
  export PATH="$HOME/.cargo/bin:$PATH"
fi
for comp in rustfmt clippy; do
  sub=${comp/rustfmt/fmt}
  if ! cargo "$sub" --version >/dev/null 2>&1; then
    command -v rustup >/dev/null 2>&1 || die "cargo $sub is missing and rustup is not installed: install $comp"
    log "rust: adding component $comp"
    rustup component add "$comp"
  fi
done
log "rust: $(cargo --version)"

# --- 3. Node.js >= 20 ----------------------------------------------------------------------------------
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if ! command -v node >/dev/null 2>&1 || [ "$(node_major)" -lt 20 ]; then
  log "Node.js >= 20 is required (found: $(node --version 2>/dev/null || echo none))."
  candidate=$(apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ { print $2 }' | sed 's/^[0-9]*://')
  if [ -n "$candidate" ] && [ "${candidate%%.*}" -ge 20 ] 2>/dev/null; then
    log "installing nodejs $candidate from the distribution"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm
  else
    log "the distribution offers nodejs '${candidate:-none}': installing Node.js 20 from NodeSource (deb.nodesource.com)"
    curl -fsSL https://deb.nodesource.com/setup_20.x -o /tmp/nodesource_setup.sh
    as_root bash /tmp/nodesource_setup.sh
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs
  fi
  [ "$(node_major)" -ge 20 ] || die "Node.js >= 20 could not be installed; install it by hand and re-run"
fi
log "node: $(node --version), npm $(npm --version)"

# --- 4. tauri-driver 2.x -----------------------------------------------------------------------------
if command -v tauri-driver >/dev/null 2>&1 && cargo install --list | grep -q '^tauri-driver v2\.'; then
  log "tauri-driver: $(cargo install --list | grep '^tauri-driver v2\.' | tr -d ':') present"
else
  log "tauri-driver: installing 2.x (cargo install tauri-driver --version ^2 --locked)"
  # Its own temporary target dir: never wait on the lock of the shared project target dir.
  env -u CARGO_TARGET_DIR cargo install tauri-driver --version '^2' --locked
fi

# --- 5. UI dependencies --------------------------------------------------------------------------------
if [ -f ui/package.json ]; then
  [ -f ui/package-lock.json ] || die "ui/package-lock.json is missing: run 'npm install' in ui/ and commit the lock file"
  stamp=ui/node_modules/.ordertray-npm-ci.stamp
  if [ -f "$stamp" ] && [ ! ui/package-lock.json -nt "$stamp" ] && [ ! ui/package.json -nt "$stamp" ]; then
    log "ui: node_modules up to date with package-lock.json"
  else
    log "ui: npm ci"
    (cd ui && npm ci --no-audit --no-fund)
    touch "$stamp"
  fi
else
  warn "ui/package.json not found: skipping npm ci"
fi

log "done in $(elapsed "$t0") s"
