#!/usr/bin/env bash
# Builds the Ordertray AppImage from the .deb the Tauri CLI made, without linuxdeploy.
#
# Usage: scripts/appimage.sh [DEB]
#   DEB  the package to repackage (default: the newest $CARGO_TARGET_DIR/release/bundle/deb/*.deb)
# Output: $CARGO_TARGET_DIR/release/bundle/appimage/<deb name>.AppImage, e.g. Ordertray_0.1.0_amd64.AppImage
# Environment:
#   ORDERTRAY_APPIMAGE_RUNTIME  a type-2 AppImage runtime file to use as is (no download, no checksum)
#
# Tauri's AppImage bundler downloads linuxdeploy, its GTK plugin and the runtime from GitHub, which CI
# cannot reach. This script does what they do with what it can reach: the AppDir is the .deb's files
# plus the shared libraries, WebKit helpers and GTK resources they need from this (Debian) system, and
# the image is mksquashfs's output behind the type-2 runtime from AppImageKit (2018), which Debian ships
# as test data in the source package of libappimage. That runtime mounts with libfuse2 (the user
# needs it installed), reads gzip or xz squashfs only, and has --appimage-extract but no
# --appimage-extract-and-run. The result runs on systems with this system's glibc or newer.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=appimage
t0=$(now_s)

[ $# -le 1 ] || die "usage: scripts/appimage.sh [DEB] (got $# arguments)"
case "${1:-}" in -h | --help) sed -n '2,9p' "$0"; exit 0 ;; esac

# --- pinned runtime source -----------------------------------------------------------------------------
# Debian source package libappimage, upstream version 1.0.4-5 (MIT). Its orig tarball is the same in every
# Debian/Ubuntu release that has it; both hashes were checked by hand against an AppImage the runtime runs.
SRC_PACKAGE=libappimage
ORIG_TARBALL=libappimage_1.0.4-5.orig.tar.gz
ORIG_SHA256=2c4e18860a790c5959da6eb064cbd07f165fe6a9b15989491a3a3f176d06af31
# A tiny AppImage from the test data: its first RUNTIME_SIZE bytes are the runtime ELF, the rest its squashfs.
RUNTIME_DONOR=libappimage-1.0.4-5/tests/data/Echo-test1234-x86_64.AppImage
RUNTIME_SIZE=155552
RUNTIME_SHA256=65ca46f4e2d9470fd895818dae151e5e9877aa244c827e091c89c9ce21471a77
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/ordertray/appimage"
RUNTIME_CACHE="$CACHE_DIR/runtime-x86_64-appimagekit-2018"

MULTIARCH=x86_64-linux-gnu
SYSLIB=/usr/lib/$MULTIARCH
WEBKIT_DIR=webkit2gtk-4.1

# Libraries every desktop that can run the app already has, and that must come from it: glibc (loaded by
# the system's dynamic loader), the GL/DRM stack (matches the system's drivers), X11/xcb, fonts, sound,
# and the rest of AppImage's excludelist, which linuxdeploy applies. libstdc++ too: bundling an old one
# breaks Mesa drivers that need a newer one, and every system with glibc >= 2.36 has GCC 12's or newer.
EXCLUDE_RE='^(ld-linux.*|libc|libdl|libm|libmvec|libpthread|libresolv|librt|libutil|libanl|libBrokenLocale|libcidn|libthread_db|libnss_.*|libGL|libEGL|libGLX|libGLdispatch|libOpenGL|libglapi|libdrm|libgbm|libX11|libX11-xcb|libxcb(-.*)?|libfontconfig|libfreetype|libharfbuzz|libthai|libasound|libz|libgcc_s|libstdc\+\+|libexpat|libcom_err|libgpg-error|libICE|libSM|libp11-kit|libusb-1\.0|libuuid|libjack|libpipewire-0\.3)\.so(\..*)?$'

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# --- input --------------------------------------------------------------------------------------------
DEB="${1:-}"
if [ -z "$DEB" ]; then
  DEB=$(find "$CARGO_TARGET_DIR/release/bundle/deb" -maxdepth 1 -name '*.deb' -printf '%T@ %p\n' 2>/dev/null |
    sort -n | tail -n 1 | cut -d' ' -f2- || true)
  [ -n "$DEB" ] || die "no .deb under $CARGO_TARGET_DIR/release/bundle/deb: build it first with
  npx @tauri-apps/cli@2 build --bundles deb   (scripts/test.sh does, in its step 'linux package (deb)')"
fi
[ -f "$DEB" ] || die "package $DEB not found"
DEB="$(readlink -f "$DEB")"
arch=$(dpkg-deb --field "$DEB" Architecture) || die "$DEB is not a readable .deb (dpkg-deb --field failed)"
[ "$arch" = amd64 ] || die "$DEB is for '$arch': the AppImage runtime used here is x86_64 (amd64) only"

for tool in dpkg-deb ldd mksquashfs python3 sha256sum tar objdump; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    case "$tool" in
      mksquashfs) install_apt_packages squashfs-tools ;;
      objdump) install_apt_packages binutils ;;
      *) die "$tool not found: run scripts/setup.sh first" ;;
    esac
  fi
done
for tool in "$SYSLIB/gdk-pixbuf-2.0/gdk-pixbuf-query-loaders" "$SYSLIB/glib-2.0/gio-querymodules" \
  "$SYSLIB/glib-2.0/glib-compile-schemas" "$SYSLIB/$WEBKIT_DIR/WebKitWebProcess"; do
  [ -x "$tool" ] || die "$tool not found: the GTK/WebKitGTK runtime is missing (run scripts/setup.sh)"
done

OUT_DIR="$CARGO_TARGET_DIR/release/bundle/appimage"
OUT="$OUT_DIR/$(basename "$DEB" .deb).AppImage"
mkdir -p "$OUT_DIR" "$CACHE_DIR"
WORK="$(mktemp -d "$OUT_DIR/.build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# --- runtime: from the cache, else from Debian's source archive ------------------------------------------
# Writes a deb-src list for the sources this machine already uses (same mirror, proxy and keys), limited
# to its release's own suites: the mirror may differ from deb.debian.org, so nothing is hard-coded.
derive_deb_src() {
  python3 - "$1" <<'PY'
import glob, os, re, sys
out = sys.argv[1]
codename = ""
for line in open("/etc/os-release"):
    if line.startswith("VERSION_CODENAME="):
        codename = line.split("=", 1)[1].strip().strip('"')
entries = []  # (uris, suites, components, signed_by)
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    for stanza in re.split(r"\n\s*\n", open(path).read()):
        fields, key = {}, None
        for line in stanza.splitlines():
            if line.startswith("#"):
                continue
            if line[:1] in (" ", "\t") and key:
                fields[key] += "\n" + line
            elif ":" in line:
                key, value = line.split(":", 1)
                key = key.strip().lower()
                fields[key] = value.strip()
        if "deb" not in fields.get("types", "").split() or fields.get("enabled", "yes").lower() == "no":
            continue
        entries.append((fields.get("uris", "").split(), fields.get("suites", "").split(),
                        fields.get("components", "").split(), fields.get("signed-by", "")))
for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    if not os.path.exists(path):
        continue
    for line in open(path):
        m = re.match(r"^\s*deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)$", line.split("#", 1)[0])
        if m:
            opts = m.group(1) or ""
            signed = re.search(r"signed-by=([^\s\]]+)", opts)
            entries.append(([m.group(2)], [m.group(3)], m.group(4).split(), signed.group(1) if signed else ""))
with open(out, "w") as f:
    n = 0
    for uris, suites, comps, signed in entries:
        keep = [s for s in suites if s == codename or not codename]
        if not uris or not keep or not comps:
            continue
        f.write("Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n" % (" ".join(uris), " ".join(keep), " ".join(comps)))
        if signed:
            f.write("Signed-By: %s\n" % signed)
        f.write("\n")
        n += 1
if n == 0:
    sys.exit("no apt source for release '%s' in /etc/apt (sources.list, sources.list.d)" % codename)
PY
}

fetch_runtime() {
  local apt_dir="$WORK/apt" rc=0
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sources.list.d" "$apt_dir/src"
  derive_deb_src "$apt_dir/sources.list.d/deb-src.sources" ||
    die "cannot derive a deb-src source from this machine's apt sources; set ORDERTRAY_APPIMAGE_RUNTIME to a runtime file instead"
  # Private lists and cache: the system's apt state is neither read for sources nor changed.
  local apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "Debug::NoLocking=1")
  # As root apt downloads as user _apt, who cannot write into this private (mode 700) directory.
  [ "$(id -u)" -ne 0 ] || apt_opts+=(-o "APT::Sandbox::User=root")
  log "runtime: fetching $ORIG_TARBALL (source package $SRC_PACKAGE) through apt"
  apt-get "${apt_opts[@]}" -q update >"$apt_dir/update.log" 2>&1 ||
    { cat "$apt_dir/update.log" >&2; die "apt-get update of the deb-src lists failed (sources: $apt_dir/sources.list.d)"; }
  # Only the orig tarball is needed. Some mirrors and proxies miss the .debian.tar.xz, which makes
  # apt-get source fail after the tarball arrived: its checksum below decides, not the exit status.
  (cd "$apt_dir/src" && apt-get "${apt_opts[@]}" -q source --download-only "$SRC_PACKAGE") \
    >"$apt_dir/source.log" 2>&1 || rc=$?
  if [ ! -f "$apt_dir/src/$ORIG_TARBALL" ]; then
    cat "$apt_dir/source.log" >&2
    die "apt-get source $SRC_PACKAGE (exit $rc) did not fetch $ORIG_TARBALL"
  fi
  [ "$rc" -eq 0 ] || log "runtime: apt-get source exited $rc, but $ORIG_TARBALL arrived"
  local got
  got=$(sha256_of "$apt_dir/src/$ORIG_TARBALL")
  [ "$got" = "$ORIG_SHA256" ] || die "$ORIG_TARBALL has sha256 $got, expected $ORIG_SHA256"
  tar -xzf "$apt_dir/src/$ORIG_TARBALL" -C "$apt_dir/src" "$RUNTIME_DONOR" ||
    die "$ORIG_TARBALL has no $RUNTIME_DONOR"
  head -c "$RUNTIME_SIZE" "$apt_dir/src/$RUNTIME_DONOR" >"$apt_dir/runtime"
  got=$(sha256_of "$apt_dir/runtime")
  [ "$got" = "$RUNTIME_SHA256" ] || die "the runtime cut from $RUNTIME_DONOR has sha256 $got, expected $RUNTIME_SHA256"
  mv -f "$apt_dir/runtime" "$RUNTIME_CACHE"
  log "runtime: cached in $RUNTIME_CACHE"
}

if [ -n "${ORDERTRAY_APPIMAGE_RUNTIME:-}" ]; then
  [ -f "$ORDERTRAY_APPIMAGE_RUNTIME" ] || die "ORDERTRAY_APPIMAGE_RUNTIME=$ORDERTRAY_APPIMAGE_RUNTIME: no such file"
  RUNTIME="$ORDERTRAY_APPIMAGE_RUNTIME"
  log "runtime: $RUNTIME (ORDERTRAY_APPIMAGE_RUNTIME, not checked)"
else
  if [ -f "$RUNTIME_CACHE" ] && [ "$(sha256_of "$RUNTIME_CACHE")" = "$RUNTIME_SHA256" ]; then
    log "runtime: cached $RUNTIME_CACHE (sha256 ok)"
  else
    [ ! -e "$RUNTIME_CACHE" ] || warn "runtime: $RUNTIME_CACHE has the wrong sha256; fetching it again"
    fetch_runtime
  fi
  RUNTIME="$RUNTIME_CACHE"
fi

# --- AppDir ---------------------------------------------------------------------------------------------
APPDIR="$WORK/AppDir"
LIB="$APPDIR/usr/lib"
dpkg-deb -x "$DEB" "$APPDIR" || die "dpkg-deb -x $DEB failed"
[ -x "$APPDIR/usr/bin/ordertray" ] || die "$DEB has no usr/bin/ordertray"
desktop=$(find "$APPDIR/usr/share/applications" -maxdepth 1 -name '*.desktop' -print -quit 2>/dev/null)
[ -n "$desktop" ] || die "$DEB has no usr/share/applications/*.desktop"
icon_name=$(sed -n '/^Icon=/{s///p;q}' "$desktop")
[ -n "$icon_name" ] || die "$desktop has no Icon= line"
# The largest PNG: file managers show .DirIcon as the AppImage's own icon.
icon=$(find "$APPDIR/usr/share/icons" -name "$icon_name.png" -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2-)
[ -n "$icon" ] || die "$DEB has no $icon_name.png icon"
mkdir -p "$LIB"

# WebKit starts these by paths compiled into libwebkit2gtk (under /usr/lib/<multiarch>/webkit2gtk-4.1);
# the patch further down turns those paths relative to AppRun's working directory, AppDir/usr.
helpers=("$APPDIR/usr/lib/$MULTIARCH/$WEBKIT_DIR")
mkdir -p "${helpers[0]}/injected-bundle"
for f in WebKitWebProcess WebKitNetworkProcess WebKitGPUProcess; do
  [ ! -e "$SYSLIB/$WEBKIT_DIR/$f" ] || cp -L "$SYSLIB/$WEBKIT_DIR/$f" "${helpers[0]}/"
done
cp -L "$SYSLIB/$WEBKIT_DIR"/injected-bundle/*.so "${helpers[0]}/injected-bundle/"

# GTK resources linuxdeploy's GTK plugin bundles, so that they match the bundled GTK/GLib rather than
# the system's: image loaders, GIO modules (TLS, proxy, dconf settings) and the GSettings schemas.
PIXBUF="$LIB/gdk-pixbuf-2.0/2.10.0"
mkdir -p "$PIXBUF/loaders" "$LIB/gio/modules" "$APPDIR/usr/share/glib-2.0/schemas"
cp -L "$SYSLIB"/gdk-pixbuf-2.0/2.10.0/loaders/*.so "$PIXBUF/loaders/"
cp -L "$SYSLIB"/gio/modules/*.so "$LIB/gio/modules/"
"$SYSLIB/glib-2.0/glib-compile-schemas" --targetdir="$APPDIR/usr/share/glib-2.0/schemas" /usr/share/glib-2.0/schemas ||
  die "glib-compile-schemas failed on /usr/share/glib-2.0/schemas"
"$SYSLIB/glib-2.0/gio-querymodules" "$LIB/gio/modules" || die "gio-querymodules failed"

# The tray library is loaded with dlopen (libappindicator-sys), so no ldd sees it: name it.
DLOPENED=(libayatana-appindicator3.so.1)
extra_libs=()
for soname in "${DLOPENED[@]}"; do
  # awk reads to the end: exiting early would SIGPIPE ldconfig, which pipefail turns into a failure.
  path=$(ldconfig -p | awk -v n="$soname" '$1 == n && /x86-64/ && !p { p = $NF } END { print p }')
  [ -n "$path" ] || die "$soname not found (Debian package libayatana-appindicator3-1): the tray would not work"
  cp -L "$path" "$LIB/$soname"
  extra_libs+=("$LIB/$soname")
done

# Every shared library these need, transitively (ldd resolves the whole tree), minus the excluded ones.
elves=("$APPDIR/usr/bin/ordertray" "${helpers[0]}"/WebKit* "${helpers[0]}"/injected-bundle/*.so
  "$PIXBUF"/loaders/*.so "$LIB"/gio/modules/*.so "${extra_libs[@]}")
declare -A bundled=()
nlibs=0
for elf in "${elves[@]}"; do
  deps=$(ldd "$elf" 2>&1) || die "ldd $elf failed: $deps"
  if grep -q 'not found' <<<"$deps"; then
    die "$elf needs libraries this system lacks:
$(grep 'not found' <<<"$deps")"
  fi
  while read -r soname path; do
    [ -z "${bundled[$soname]:-}" ] || continue
    bundled[$soname]=1
    [[ ! "$soname" =~ $EXCLUDE_RE ]] || continue
    cp -L "$path" "$LIB/$soname"
    nlibs=$((nlibs + 1))
  done < <(awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' <<<"$deps")
done

# Bare loader names in the cache: gdk-pixbuf dlopens them through LD_LIBRARY_PATH (usr/lib), which
# holds links to them, as the GTK plugin does — AppDir's absolute path is unknown until run time.
"$SYSLIB/gdk-pixbuf-2.0/gdk-pixbuf-query-loaders" "$PIXBUF"/loaders/*.so >"$PIXBUF/loaders.cache" ||
  die "gdk-pixbuf-query-loaders failed"
sed -i "s|$PIXBUF/loaders/||g" "$PIXBUF/loaders.cache"
for f in "$PIXBUF"/loaders/*.so; do ln -sf "gdk-pixbuf-2.0/2.10.0/loaders/$(basename "$f")" "$LIB/"; done

# Same-length patch, as Tauri's GTK plugin does: WebKit's compiled-in /usr/... paths (helpers, injected
# bundle, data) become ././... and resolve against AppDir/usr, AppRun's working directory.
webkit_lib="$LIB/libwebkit2gtk-4.1.so.0"
[ -f "$webkit_lib" ] || die "libwebkit2gtk-4.1.so.0 was not bundled (is usr/bin/ordertray linked against it?)"
sed -i 's|/usr|././|g' "$webkit_lib"

cat >"$APPDIR/AppRun" <<'SH'
#!/bin/sh
# Written by scripts/appimage.sh. Runs from the mounted image or from an --appimage-extract tree.
HERE="$(dirname "$(readlink -f "$0")")"
# The runtime sets OWD to the directory the user started from; the working directory changes below.
OWD="${OWD:-$PWD}"
# Not APPDIR/APPIMAGE: the runtime sets them when mounted, and Tauri distrusts them otherwise.
export LD_LIBRARY_PATH="$HERE/usr/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export XDG_DATA_DIRS="$HERE/usr/share:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"
export GSETTINGS_SCHEMA_DIR="$HERE/usr/share/glib-2.0/schemas"
export GIO_MODULE_DIR="$HERE/usr/lib/gio/modules"
export GDK_PIXBUF_MODULE_FILE="$HERE/usr/lib/gdk-pixbuf-2.0/2.10.0/loaders.cache"
# A relative database path means relative to where the user was, not to usr/ below.
case "${ORDERTRAY_DB:-}" in "" | /*) ;; *) export ORDERTRAY_DB="$OWD/$ORDERTRAY_DB" ;; esac
n=$#
prev=
while [ "$n" -gt 0 ]; do
  a=$1
  shift
  if [ "$prev" = --db ]; then
    case "$a" in /*) ;; *) a="$OWD/$a" ;; esac
  else
    case "$a" in --db=/*) ;; --db=*) a="--db=$OWD/${a#--db=}" ;; esac
  fi
  set -- "$@" "$a"
  prev=$a
  n=$((n - 1))
done
# libwebkit2gtk finds its helper processes relative to this directory (see scripts/appimage.sh).
cd "$HERE/usr" || exit 1
exec "$HERE/usr/bin/ordertray" "$@"
SH
chmod 755 "$APPDIR/AppRun"
cp "$desktop" "$APPDIR/"
cp "$icon" "$APPDIR/$icon_name.png"
ln -sf "$icon_name.png" "$APPDIR/.DirIcon"

# Informational: the newest glibc symbol version anything in the AppDir asks for (AppRun is no ELF: hence || true).
glibc_floor=$({ find "$APPDIR" -type f \( -name '*.so*' -o -perm -u+x \) -exec objdump -T {} + 2>/dev/null || true; } |
  grep -o 'GLIBC_[0-9][0-9.]*' | sort -uV | tail -n 1 || true)
log "AppDir: $nlibs libraries bundled ($(du -sh "$APPDIR" | cut -f1)); needs ${glibc_floor:-GLIBC_?} or newer"

# --- image ----------------------------------------------------------------------------------------------
# gzip: the 2018 runtime reads gzip and xz squashfs only (not zstd); xz would be ~20% smaller but far slower.
log "mksquashfs (gzip)"
nice -n 10 mksquashfs "$APPDIR" "$WORK/image.sqfs" -root-owned -noappend -comp gzip -quiet >"$WORK/mksquashfs.log" 2>&1 ||
  { cat "$WORK/mksquashfs.log" >&2; die "mksquashfs failed"; }
cat "$RUNTIME" "$WORK/image.sqfs" >"$WORK/out.AppImage"
chmod 755 "$WORK/out.AppImage"
mv -f "$WORK/out.AppImage" "$OUT"
log "wrote $OUT ($(du -h "$OUT" | cut -f1)) in $(elapsed "$t0") s"
