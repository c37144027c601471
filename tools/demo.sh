#!/bin/sh
# tools/demo.sh [BUILD_DIR]: the dnsvet demo (make demo).
#
# Starts the bundled lab with every scenario (tests/lab/labrun -s all), audits the lab's
# domains listed in demo/demo.yaml against it, and stops the lab. Installs nothing: make
# has done that and built dnsvet in BUILD_DIR (default build).
#
# Broken domains are the point of the demo, so an audit that finds them (exit status 1)
# succeeds; input errors (2) and internal failures (3) fail it.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$root/$build;; esac
dnsvet=$build/core/cli/dnsvet
if [ ! -x "$dnsvet" ]; then
	echo "demo: $dnsvet not found; build first (make build)" >&2
	exit 2
fi
cd "$root" || exit 2

echo "Starting the dnsvet lab (NSD, Unbound and misbehaving servers in a private network" \
     "namespace) ..." >&2
tests/lab/labrun -s all -- sh -c '
	echo "Auditing the domains of demo/demo.yaml against it:" >&2
	echo >&2
	"$0" audit --root-hints "$LAB_ROOT_HINTS" --resolvers "$LAB_RESOLVERS" --lab \
		--format text demo/demo.yaml
' "$dnsvet"
rc=$?
echo "The lab is stopped." >&2
case $rc in
0|1) exit 0;;
99) echo "demo: the lab could not start (see the messages above)" >&2; exit 1;;
*) echo "demo: dnsvet audit failed (exit status $rc)" >&2; exit "$rc";;
esac
