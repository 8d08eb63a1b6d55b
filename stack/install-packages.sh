#!/usr/bin/env bash
# Installs the Debian packages named on the command line whose program is
# missing, printing what it installs. test/run.ts calls it before the test files
# that need a package, and build.sh for Go, so a fresh machine needs nothing
# installed by hand. A program already on the machine (from any package) counts:
# installing nginx-light next to nginx-full would replace it.
#
#   install-packages.sh chromium nginx-light openssl golang-go
set -euo pipefail

# The program each package provides, the one its user looks for.
program() {
  case $1 in
    chromium) echo chromium ;;
    nginx-light) echo nginx ;;
    golang-go) echo go ;;
    *) echo "$1" ;;
  esac
}

log() { printf '[packages] %s\n' "$*" >&2; }

missing=()
for pkg in "$@"; do
  prog=$(program "$pkg")
  # nginx lives in /usr/sbin, off a non-root PATH.
  command -v "$prog" >/dev/null || [ -x "/usr/sbin/$prog" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  log "missing ${missing[*]}, and this is not a Debian-based system: install them yourself"
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    log "missing ${missing[*]}: run as root, or install them: apt-get install ${missing[*]}"
    exit 1
  fi
  log "not root: using sudo"
  sudo=(sudo)
fi

log "installing ${missing[*]} with apt-get (once per machine)"
start=$SECONDS
# Lock timeout: another apt run on the machine (a parallel test) waits instead of failing.
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
log "installed ${missing[*]} in $((SECONDS - start))s"
