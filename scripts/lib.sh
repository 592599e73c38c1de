# shellcheck shell=bash
# Helpers shared by scripts/setup.sh, scripts/test.sh, scripts/run.sh and tests/e2e/run.sh.
# Source it; it sets nothing but functions and the common environment below.

# Repository root (this file lives in <root>/scripts).
ORDERTRAY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ORDERTRAY_ROOT

# One Cargo target dir outside the clone, shared by every checkout on this machine: reused when present,
# created when not. CI runs in a fresh clone and must not depend on its content.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ordertray-target}"

# cargo installed by rustup may not be on PATH yet in a non-login shell.
if [ -d "$HOME/.cargo/bin" ]; then
  case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) export PATH="$HOME/.cargo/bin:$PATH" ;; esac
fi

log() { printf '[%s] %s\n' "${LOG_TAG:-ordertray}" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "${LOG_TAG:-ordertray}" "$*" >&2; }
die() {
  printf '[%s] ERROR: %s\n' "${LOG_TAG:-ordertray}" "$*" >&2
  exit 1
}

# Run a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run '$*' and sudo is not installed: run this script as root once"
  fi
}

# Seconds since the epoch with a fraction, for step durations.
now_s() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }

# missing_apt_packages PKG... — print those of PKG... that dpkg does not list as installed, one a line.
missing_apt_packages() {
  local p
  for p in "$@"; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" != "installed" ]; then
      printf '%s\n' "$p"
    fi
  done
}

# install_apt_packages PKG... — install the missing ones with apt-get (through as_root); quiet when none is.
install_apt_packages() {
  local missing=()
  mapfile -t missing < <(missing_apt_packages "$@")
  [ ${#missing[@]} -gt 0 ] || return 0
  command -v apt-get >/dev/null 2>&1 ||
    die "apt-get not found: install these packages with your package manager: ${missing[*]}"
  log "system packages: installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}
