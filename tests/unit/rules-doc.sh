#!/bin/sh
# docs/rules.md must be exactly what `dnsvet rules doc` generates from the rules in the tree.
# usage: rules-doc.sh DNSVET RULES_DIR RULES_MD
set -u
dnsvet=$1 rules=$2 doc=$3
tmp=$(mktemp) || exit 2
trap 'rm -f "$tmp"' EXIT
"$dnsvet" rules doc --builtin-dir "$rules" --output "$tmp" || exit 1
if ! diff -u "$doc" "$tmp"; then
	echo "$doc is stale: regenerate it with 'dnsvet rules doc --output docs/rules.md'" >&2
	exit 1
fi
