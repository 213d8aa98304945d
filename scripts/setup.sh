#!/usr/bin/env bash
# Set up gspace on a Debian 12 machine and run it.
#
#   bash scripts/setup.sh demo   install, then open the desktop app on the fictional demo incident
#   bash scripts/setup.sh test   install (with test tools), then run every check and test
#
# As root on Debian/Ubuntu it installs the system packages Qt WebEngine, Japanese text and the
# tests (Chromium, poppler) need; otherwise it assumes they are there. Python packages go into ./.venv.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
case "$mode" in demo|test) shift ;; *) echo "usage: bash scripts/setup.sh demo|test" >&2; exit 2 ;; esac

# Libraries the PySide6 wheels link against (Qt WebEngine, xcb and Wayland platforms), fonts for
# Japanese, a virtual X server for machines without a display.
DEBIAN_PACKAGES=(
  python3 python3-venv python3-pip ca-certificates fonts-noto-cjk xvfb xauth
  libasound2 libdbus-1-3 libdrm2 libegl1 libfontconfig1 libfreetype6 libgbm1 libgl1
  libglib2.0-0 libnspr4 libnss3 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1
  libxcb-xinerama0 libxcomposite1 libxdamage1 libxkbcommon-x11-0 libxkbcommon0 libxkbfile1
  libxrandr2 libxshmfence1 libxtst6 libwayland-client0 libwayland-cursor0 libwayland-egl1
)
# The tests also open exported web maps in Chromium and read printed maps with poppler; they
# open exported GeoPackages with Debian's own GDAL 3.6 (what QGIS on Debian 12 reads with) and
# validate KML against the OGC schema with xmllint (python3-gdal: libkml's reading of styles);
# zbarimg reads back the QR codes of volunteer invites (gspace hub invite --qr); certutil
# (libnss3-tools) makes Chromium trust the hub's own CA in the volunteer page's HTTPS test.
# The hub's PostgreSQL tests start a throw-away cluster of Debian's postgresql (the server
# binaries under /usr/lib/postgresql/*/bin; the tests run it as the postgres user). Info-ZIP's
# unzip tests bundles as another zip reader would.
TEST_PACKAGES=(chromium poppler-utils gdal-bin python3-gdal libxml2-utils zbar-tools libnss3-tools
  postgresql unzip)

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  wanted=("${DEBIAN_PACKAGES[@]}")
  [ "$mode" = test ] && wanted+=("${TEST_PACKAGES[@]}")
  missing=$(for p in "${wanted[@]}"; do
    dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || echo "$p"
  done)
  if [ -n "$missing" ]; then
    echo "== installing Debian packages: $(echo $missing | tr '\n' ' ')"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "$mode" = demo ]; then
  .venv/bin/python -m pip install --quiet .
  if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "== no display: running in a virtual X server (xvfb-run)"
    exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/gspace demo "$@"
  fi
  exec .venv/bin/gspace demo "$@"
fi

.venv/bin/python -m pip install --quiet -e ".[test]"
# GDAL's GeoPackage conformance script (validate_gpkg.py) runs on the standard library, but the
# gdal-utils package declares a dependency on GDAL's Python bindings, which pip would build from
# source: installed without dependencies, as pyproject.toml's test extras explain.
.venv/bin/python -m pip install --quiet --no-deps "gdal-utils>=3.13"

echo "== ruff"
.venv/bin/ruff check gspace tests scripts
echo "== import-linter: Qt stays inside gspace.gui"
.venv/bin/lint-imports
echo "== unit tests with PySide6 unimportable"
blocker=$(mktemp -d)
mkdir "$blocker/PySide6"
echo "raise ImportError('PySide6 is blocked: the core must run without Qt')" > "$blocker/PySide6/__init__.py"
PYTHONPATH="$blocker" .venv/bin/python -m pytest -p no:pytest-qt -p no:cacheprovider -q tests/unit
rm -rf "$blocker"
echo "== all tests"
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
