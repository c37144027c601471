#!/bin/sh
# Every public header must compile on its own, as strict C99 and as C++.
set -e
inc="$1"
cflags="$(pkg-config --cflags ldns)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for h in "$inc"/dnsvet/*.h; do
	name=$(basename "$h")
	printf '#include <dnsvet/%s>\nint dnsvet_header_probe_%d;\n' "$name" "$n" > "$tmp/t.c"
	cc -std=c99 -pedantic -Wall -Wextra -Werror -I"$inc" $cflags -c "$tmp/t.c" -o "$tmp/t.o" ||
		{ echo "FAIL: $name as C99"; exit 1; }
	cp "$tmp/t.c" "$tmp/t.cpp"
	c++ -std=c++11 -pedantic -Wall -Wextra -Werror -I"$inc" $cflags -c "$tmp/t.cpp" -o "$tmp/t.o" ||
		{ echo "FAIL: $name as C++"; exit 1; }
	echo "ok: $name"
	n=$((n + 1))
done
[ "$n" -gt 0 ]
