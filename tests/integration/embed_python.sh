#!/bin/sh
# The Python binding's pytest suite against the lab:
#   labrun -s healthy -s lame -s negative-cache -- sh embed_python.sh LIBDNSVET LAYOUT_PROBE
# (the library and the layout probe of the build under test).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
DNSVET_LIBRARY=$1 DNSVET_LAYOUT_PROBE=$2 PYTHONPATH=$root/bindings/python \
PYTHONDONTWRITEBYTECODE=1 \
	exec /usr/bin/python3 -m pytest -q -p no:cacheprovider "$root/bindings/python/tests"
