#!/usr/bin/env bash
# Install Civic Kiosk on a blank Debian 12 PC, or upgrade it in place (the state is kept).
#
#   sudo systemd/install.sh                 packages, the kiosk user, the app under
#                                           /opt/civic-kiosk, units, rules, lockdown drop-ins
#   systemd/install.sh --root DIR --skip-packages
#                                           lay the same files under DIR (tests, image builds)
#
# Options:
#   --root DIR        install under DIR instead of / (the user goes into DIR/etc/passwd)
#   --skip-packages   no apt-get and no pip: the venv is made empty, nothing is downloaded
#   --source DIR      the Civic Kiosk checkout to install (default: the one holding this script)
#
# What goes where, and why, is in docs/deploy.md. Running it again changes only what differs
# from this checkout: /var/lib/civic-kiosk (profiles, outbox, device key) is never touched
# beyond its own owner and mode.
set -euo pipefail

say() { printf 'install: %s\n' "$*"; }
die() { printf 'install: %s\n' "$*" >&2; exit 1; }

ROOT=""
SKIP_PACKAGES=0
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
while [ $# -gt 0 ]; do
  case "$1" in
    --root) [ $# -ge 2 ] || die "--root needs a directory"; ROOT="$(cd "$2" && pwd)" || exit 1; shift 2 ;;
    --skip-packages) SKIP_PACKAGES=1; shift ;;
    --source) [ $# -ge 2 ] || die "--source needs a directory"; SOURCE="$(cd "$2" && pwd)" || exit 1; shift 2 ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[ "$ROOT" = "/" ] && ROOT=""

[ "$(id -u)" = 0 ] || die "run me as root (sudo systemd/install.sh): I create a system user and write /etc"
[ -f "$SOURCE/pyproject.toml" ] && [ -d "$SOURCE/systemd" ] && [ -d "$SOURCE/kiosk" ] \
  || die "$SOURCE is not a Civic Kiosk checkout (no pyproject.toml, systemd/ or kiosk/)"
if [ -n "$ROOT" ] && [ "$SKIP_PACKAGES" = 0 ]; then
  die "--root installs files only: add --skip-packages, or run me inside the root (chroot DIR systemd/install.sh)"
fi
if [ -z "$ROOT" ] && [ -r /etc/os-release ]; then
  # shellcheck disable=SC1091
  . /etc/os-release
  if [ "${ID:-}" != debian ] || [ "${VERSION_ID:-}" != 12 ]; then
    say "warning: made for Debian 12; this is ${PRETTY_NAME:-unknown}. Going on."
  fi
fi

APP=/opt/civic-kiosk            # the app: its venv and the source it was built from
STATE=/var/lib/civic-kiosk      # the terminal's state: profiles, outbox, device key (kept)
CONFIG=/etc/civic-kiosk         # set up at enrolment (provisioning)
UNITS=/etc/systemd/system
KIOSK_USER=kiosk
SYSTEM_PYTHON=/usr/bin/python3  # Debian's: other users cannot read a pyenv in root's home

# Debian packages, one line per reason (docs/deploy.md). The Qt libraries are the ones
# script/bootstrap installs for PySide6 (tests/deploy/test_install.py keeps them in step).
PACKAGES=(
  # the compositor, and what cage 0.1.4 and wlroots need on a real GPU
  cage xwayland libgl1-mesa-dri libegl-mesa0 libgbm1
  # systemd as init, udev for the printer rule, a logind session for the screen, the polkit
  # rule for pcscd, a clock (signed metadata expires), HTTPS
  systemd systemd-sysv udev dbus libpam-systemd polkitd systemd-timesyncd ca-certificates
  # Python: the venv is made from Debian's interpreter; pyscard builds from source
  python3 python3-venv python3-dev gcc libc6-dev libpcsclite-dev
  # PySide6 (Qt) under Wayland, and under X for diagnosis
  libgl1 libegl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0
  libwayland-client0 libwayland-cursor0 libwayland-egl1
  libx11-xcb1 libxkbcommon-x11-0 libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0
  libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libbrotli1
  fonts-dejavu-core fonts-noto-core
  # read aloud: espeak-ng, played through PulseAudio (PipeWire's, in the kiosk user's session)
  espeak-ng libpulse0 pipewire-pulse wireplumber
  # advisor video calls: QtWebEngine's libraries (docs/calls.md)
  libnss3 libxcomposite1 libxdamage1 libxext6 libxfixes3 libxrandr2 libxtst6 libasound2
  libdrm2 libgbm1 libxcb-dri3-0 libxkbfile1
  # staff cards (PC/SC) and receipt printers driven over USB
  pcscd libccid libusb-1.0-0
)

in_root() { printf '%s%s' "$ROOT" "$1"; }

# Write SRC to DEST with MODE only when it differs, so a second run changes nothing.
put() {
  local src="$1" dest mode="$3"
  dest="$(in_root "$2")"
  install -d -m 0755 "$(dirname "$dest")"
  if [ -f "$dest" ] && [ ! -L "$dest" ] && cmp -s "$src" "$dest" \
     && [ "$(stat -c %a "$dest")" = "${mode#0}" ]; then
    return 0
  fi
  install -m "$mode" "$src" "$dest"
  say "wrote $2"
}

put_text() {  # put_text DEST MODE < content
  local tmp
  tmp="$(mktemp)"
  cat > "$tmp"
  put "$tmp" "$1" "$2"
  rm -f "$tmp"
}

# --- 1. packages ---------------------------------------------------------------------------
if [ "$SKIP_PACKAGES" = 0 ]; then
  missing=()
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -q --no-install-recommends "${missing[@]}" \
      || die "apt-get could not install the packages above (see its messages)"
  else
    say "Debian packages: all present"
  fi
else
  say "skipping Debian packages and pip (--skip-packages)"
fi
[ -x "$SYSTEM_PYTHON" ] || die "$SYSTEM_PYTHON is missing: install python3 and python3-venv"

# --- 2. the kiosk user -----------------------------------------------------------------------
passwd_file="$(in_root /etc/passwd)"
[ -f "$passwd_file" ] || die "$passwd_file is missing: --root must be a Debian root (made by debootstrap or mmdebstrap)"
if ! grep -q "^${KIOSK_USER}:" "$passwd_file"; then
  prefix=()
  [ -n "$ROOT" ] && prefix=(--prefix "$ROOT")
  useradd "${prefix[@]}" --system --user-group --home-dir /nonexistent --no-create-home \
    --shell /usr/sbin/nologin --comment "Civic Kiosk" "$KIOSK_USER"
  say "created the system user $KIOSK_USER"
fi
KIOSK_UID="$(awk -F: -v u="$KIOSK_USER" '$1 == u { print $3 }' "$passwd_file")"
KIOSK_GID="$(awk -F: -v u="$KIOSK_USER" '$1 == u { print $4 }' "$passwd_file")"
[ -n "$KIOSK_UID" ] && [ "$KIOSK_UID" != 0 ] || die "the $KIOSK_USER user has no usable uid in $passwd_file"

# --- 3. folders ----------------------------------------------------------------------------
# State: the kiosk's alone (0700). Kept across upgrades; only its owner and mode are set.
install -d -m 0755 "$(in_root /var/lib)"
install -d -o "$KIOSK_UID" -g "$KIOSK_GID" -m 0700 "$(in_root "$STATE")"
# Configuration written at enrolment: readable by the kiosk, writable by root.
install -d -o 0 -g "$KIOSK_GID" -m 0750 "$(in_root "$CONFIG")"
install -d -m 0755 "$(in_root "$APP")"

# --- 4. the app ----------------------------------------------------------------------------
# The source it is built from, as shipped (no venvs, caches or build output), replaced whole.
src_new="$(in_root "$APP/.src-new")"
rm -rf "$src_new"
mkdir -p "$src_new"
tar -C "$SOURCE" -cf - \
  --exclude=.git --exclude=.venv --exclude='*.egg-info' --exclude=build --exclude=demo-output \
  --exclude=__pycache__ --exclude='*.pyc' --exclude=.mypy_cache --exclude=.ruff_cache \
  --exclude=.pytest_cache --exclude=.hypothesis --exclude=.import_linter_cache \
  --exclude='*.mo' --exclude=kiosk.pot \
  . | tar -C "$src_new" -xf -
chmod -R u=rwX,go=rX "$src_new"
src_dir="$(in_root "$APP/src")"
# (pip builds in place: what it leaves, and the compiled catalogues, are not differences)
if [ -d "$src_dir" ] && diff -r -q -x build -x '*.egg-info' -x '*.mo' -x __pycache__ \
     "$src_dir" "$src_new" >/dev/null 2>&1; then
  rm -rf "$src_new"
else
  rm -rf "$src_dir.old"
  [ -d "$src_dir" ] && mv "$src_dir" "$src_dir.old"
  mv "$src_new" "$src_dir"
  rm -rf "$src_dir.old"
  say "laid the source in $APP/src"
fi
chmod 0755 "$src_dir"

# The venv, from Debian's python (readable by the kiosk user; a pyenv in root's home is not).
venv="$(in_root "$APP/.venv")"
if [ ! -f "$venv/pyvenv.cfg" ] || ! grep -qx "home = $(dirname "$SYSTEM_PYTHON")" "$venv/pyvenv.cfg"; then
  rm -rf "$venv"
  if [ "$SKIP_PACKAGES" = 1 ]; then
    "$SYSTEM_PYTHON" -m venv --without-pip "$venv"
  else
    "$SYSTEM_PYTHON" -m venv "$venv"
  fi
  say "made the venv $APP/.venv from $SYSTEM_PYTHON"
fi
if [ "$SKIP_PACKAGES" = 0 ]; then
  # Pinned dependencies first (with the printer extras), then the translations, then the
  # app itself: its wheel must carry the compiled .mo catalogues.
  reqs="$(mktemp)"
  "$SYSTEM_PYTHON" - "$src_dir/pyproject.toml" > "$reqs" <<'PY'
import sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))["project"]
extras = project.get("optional-dependencies", {})
print("\n".join(project["dependencies"] + extras.get("serial", []) + extras.get("usb", [])))
PY
  say "installing the pinned Python dependencies"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$reqs" \
    || die "pip could not install the dependencies (network? see above)"
  rm -f "$reqs"
  for po in "$src_dir"/accessibility/languages/*/LC_MESSAGES/kiosk.po; do
    "$venv/bin/pybabel" -q compile -i "$po" -o "${po%.po}.mo" --use-fuzzy
  done
  rm -rf "$src_dir/build" "$src_dir"/*.egg-info  # a stale build/ could put back a deleted module
  say "installing Civic Kiosk into the venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps --force-reinstall \
    "$src_dir" || die "pip could not build and install $src_dir"
fi

# --- 5. units, rules and the lockdown drop-ins -----------------------------------------------
for unit in civic-kiosk-ui.service civic-kiosk-relay.service civic-kiosk-provision.service \
            civic-kiosk-provision.timer civic-kiosk-ui.path civic-kiosk-relay.path; do
  put "$SOURCE/systemd/$unit" "$UNITS/$unit" 0644
done
put_text "$UNITS/civic-kiosk-ui.service.d/50-kiosk-user.conf" 0644 <<EOF
# Written by systemd/install.sh for this machine's $KIOSK_USER user (uid $KIOSK_UID).
# The session's runtime folder (logind makes it, 0700, in memory, emptied when the session
# ends): cage's Wayland socket, and HOME, so Qt's caches never reach the disk.
[Service]
Environment=XDG_RUNTIME_DIR=/run/user/$KIOSK_UID HOME=/run/user/$KIOSK_UID
BindPaths=/run/user/$KIOSK_UID
EOF
put "$SOURCE/systemd/50-civic-kiosk-pcscd.rules" /etc/polkit-1/rules.d/50-civic-kiosk-pcscd.rules 0644
put "$SOURCE/systemd/50-civic-kiosk-reboot.rules" /etc/polkit-1/rules.d/50-civic-kiosk-reboot.rules 0644
put "$SOURCE/systemd/60-civic-kiosk-printer.rules" /etc/udev/rules.d/60-civic-kiosk-printer.rules 0644
put "$SOURCE/systemd/dropins/logind.conf.d/50-civic-kiosk.conf" /etc/systemd/logind.conf.d/50-civic-kiosk.conf 0644
put "$SOURCE/systemd/dropins/system.conf.d/50-civic-kiosk.conf" /etc/systemd/system.conf.d/50-civic-kiosk.conf 0644
put "$SOURCE/systemd/dropins/coredump.conf.d/50-civic-kiosk.conf" /etc/systemd/coredump.conf.d/50-civic-kiosk.conf 0644
put "$SOURCE/systemd/dropins/sysctl.d/50-civic-kiosk.conf" /etc/sysctl.d/50-civic-kiosk.conf 0644

# systemctl edits the files only (it works without a running systemd, in a chroot, and under
# --root): masks are links to /dev/null, enabling is the [Install] links.
systemctl_root=(systemctl --quiet "--root=${ROOT:-/}")
masked=(ctrl-alt-del.target getty@tty2.service getty@tty3.service getty@tty4.service
        getty@tty5.service getty@tty6.service)
for unit in "${masked[@]}"; do
  if [ "$(readlink "$(in_root "$UNITS/$unit")" 2>/dev/null)" != /dev/null ]; then
    "${systemctl_root[@]}" mask "$unit"
    say "masked $unit"
  fi
done
enabled=(civic-kiosk-ui.service civic-kiosk-relay.service civic-kiosk-ui.path
         civic-kiosk-relay.path civic-kiosk-provision.timer)
"${systemctl_root[@]}" enable "${enabled[@]}"
if [ "$(basename "$(readlink "$(in_root "$UNITS/default.target")" 2>/dev/null || true)")" != graphical.target ]; then
  "${systemctl_root[@]}" set-default graphical.target
  say "the PC now boots to graphical.target (the screen)"
fi

# --- 6. a running system: take it all in now ---------------------------------------------------
if [ -z "$ROOT" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  sysctl -q -p /etc/sysctl.d/50-civic-kiosk.conf || say "warning: sysctl could not apply kernel.sysrq=0 now (it will at boot)"
  udevadm control --reload 2>/dev/null || true
  systemctl try-restart civic-kiosk-relay.service civic-kiosk-ui.service
  systemctl start civic-kiosk-provision.timer
  say "done. Reboot once so logind and the kernel settings take effect: then the PC boots into the kiosk."
else
  say "done (files only: nothing started)."
fi
