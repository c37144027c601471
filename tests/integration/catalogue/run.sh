#!/bin/sh
# run.sh DRIVER RULES_DIR: the catalogue test inside tests/lab/labrun. The lab premises
# come first, so that a broken lab is reported as such and not as a rule failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 2 ] || { echo "usage: run.sh DRIVER RULES_DIR (inside tests/lab/labrun)" >&2; exit 2; }
sh "$here/premises.sh" || exit 1
exec /usr/bin/python3 "$here/run_catalogue.py" --driver "$1" --rules "$2" \
	--table "$here/table.yaml" --identities "$here/../../lab/scenarios/catalogue" \
	${CATALOGUE_KEEP:+--keep "$CATALOGUE_KEEP"}
