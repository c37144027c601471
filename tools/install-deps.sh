#!/bin/sh
# Installs the Debian packages dnsvet needs to build and test, and nothing when all are present.
set -e
PKGS="libldns-dev liblua5.4-dev lua5.4 libyaml-dev meson ninja-build pkg-config gcc
nsd unbound ldnsutils python3 python3-dnspython python3-pytest python3-dev
bind9-dnsutils valgrind iproute2 util-linux python3-jsonschema python3-yaml"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "dnsvet: installing$missing" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 || {
  $SUDO apt-get update >/dev/null
  $SUDO apt-get install -y --no-install-recommends $missing
}
# The packaged daemons start themselves on install; dnsvet's lab runs its own instances.
for s in nsd unbound; do
  $SUDO systemctl disable --now "$s" >/dev/null 2>&1 || $SUDO service "$s" stop >/dev/null 2>&1 || true
done
exit 0
