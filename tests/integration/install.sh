#!/bin/sh
# `meson install --destdir` into a temporary tree: library, headers, pkg-config file, rules,
# CLI, bindings; then an example compiled against that tree with pkg-config runs a check.
#   labrun -s healthy -- sh install.sh BUILD_DIR PREFIX LIBDIR INCLUDEDIR DATADIR BINDIR MANDIR
set -u
. "$(dirname "$0")/../lab/checklib.sh"
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$1 prefix=$2 libdir=$3 includedir=$4 datadir=$5 bindir=$6 mandir=$7
case $libdir in /*) ;; *) libdir=$prefix/$libdir;; esac
case $includedir in /*) ;; *) includedir=$prefix/$includedir;; esac
case $datadir in /*) ;; *) datadir=$prefix/$datadir;; esac
case $bindir in /*) ;; *) bindir=$prefix/$bindir;; esac
case $mandir in /*) ;; *) mandir=$prefix/$mandir;; esac

dest=$(mktemp -d "${TMPDIR:-/tmp}/dnsvet-install.XXXXXX") || exit 99
trap 'rm -rf "$dest"' EXIT
if out=$(meson install -C "$build" --no-rebuild --destdir "$dest" 2>&1); then
	ok "meson install --destdir"
else
	fail "meson install --destdir" "$out"
	summary install
	exit 1
fi
D=$dest

# have DESCRIPTION PATH...: every path exists in the installed tree
have() {
	desc=$1; shift
	for p in "$@"; do
		[ -e "$D$p" ] || { fail "$desc: $p missing" "$(cd "$D" && find . | sort | head -50)"; return; }
	done
	ok "$desc"
}
have "shared and static library" "$libdir/libdnsvet.so.0" "$libdir/libdnsvet.so" "$libdir/libdnsvet.a"
hdrs=""
for h in "$src"/include/dnsvet/*.h; do hdrs="$hdrs $includedir/dnsvet/$(basename "$h")"; done
# shellcheck disable=SC2086
have "every public header" $hdrs
have "pkg-config file" "$libdir/pkgconfig/dnsvet.pc"
have "CLI" "$bindir/dnsvet"
have "Lua module" "$prefix/lib/lua/5.4/dnsvet.so"
n_src=$(find "$src/rules" -name '*.lua' | wc -l)
n_inst=$(find "$D$datadir/dnsvet/rules" -name '*.lua' 2>/dev/null | wc -l)
if [ "$n_src" -gt 0 ] && [ "$n_src" = "$n_inst" ]; then ok "rules ($n_inst files)"
else fail "rules: $n_inst installed of $n_src"; fi
pyinit=$(find "$D$prefix" -path '*/dnsvet/__init__.py' | head -1)
if [ -n "$pyinit" ]; then ok "Python package (${pyinit#"$D"})"; else fail "Python package dnsvet"; fi
# under the usual prefixes both land where Debian's interpreters look without settings
case $prefix in /usr|/usr/local)
	pydir=${pyinit#"$D"}; pydir=${pydir%/dnsvet/__init__.py}
	expect "Python package on python3's default path" \
		"$(/usr/bin/python3 -c 'import sys; print("\n".join(sys.path))')" "^$pydir\$"
	expect "Lua module on lua5.4's default cpath" \
		"$(lua5.4 -e 'print((package.cpath:gsub(";", "\n")))')" "^$prefix/lib/lua/5\.4/\?\.so\$";;
esac
# every man page the tree carries is installed
for m in $(find "$src" -path "$src/build*" -prune -o -path "$src/.git" -prune -o \
		-name '*.[1-8]' -type f -print 2>/dev/null); do
	sec=${m##*.}
	have "man page $(basename "$m")" "$mandir/man$sec/$(basename "$m")"
done

# the installed CLI runs and finds the installed library's rules catalogue
if out=$("$D$bindir/dnsvet" rules list 2>&1) && [ -n "$out" ]; then ok "installed dnsvet rules list"
else fail "installed dnsvet rules list" "$out"; fi

# an outside program built from the installed tree alone. The tree is staged under $D:
# PKG_CONFIG_SYSROOT_DIR maps the prefix the .pc file names into it (--define-prefix would
# take the prefix as two levels above the .pc file, which is wrong for a multiarch libdir
# such as lib/x86_64-linux-gnu).
export PKG_CONFIG_PATH="$D$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$D"
flags=$(pkg-config --cflags --libs dnsvet 2>&1)
expect "pkg-config points into the installed tree" "$flags" "-I$D$includedir" "-L$D$libdir" '-ldnsvet'
# shellcheck disable=SC2086
if out=$(cc -std=c11 -Wall -Werror -o "$dest/check_domain" "$src/examples/check_domain.c" $flags 2>&1)
then ok "examples/check_domain.c compiles against the installed tree"
else fail "examples/check_domain.c compiles against the installed tree" "$out"; fi
lib_used=$(LD_LIBRARY_PATH="$D$libdir" ldd "$dest/check_domain" | grep libdnsvet)
expect "the example loads the installed library" "$lib_used" "$D$libdir/libdnsvet\\.so\\.0"
out=$(LD_LIBRARY_PATH="$D$libdir" "$dest/check_domain" -l -r "$LAB_ROOT_HINTS" -R "$LAB_RESOLVERS" \
	healthy-shop.com xu7wq45c257az4iapfcri5eysanb6cei haf3bdhvfzyxy4nicfwiqmbtsybz42h7 \
	jyv5a33cls4xe666fysejgcj336txro4 2>&1)
expect "the installed example checks a lab domain" "$out" '^healthy-shop\.com: ready$'

# the bindings from the installed tree
out=$(LUA_CPATH="$D$prefix/lib/lua/5.4/?.so" LD_LIBRARY_PATH="$D$libdir" \
	lua5.4 -e 'local d = require "dnsvet"; print("lua", d.version)' 2>&1)
expect "the installed Lua module loads" "$out" '^lua[[:space:]]+[0-9]+\.[0-9]+\.[0-9]+$'
out=$(cd / && PYTHONPATH="${pyinit%/dnsvet/__init__.py}" DNSVET_LIBRARY="$D$libdir/libdnsvet.so.0" \
	/usr/bin/python3 -B -c 'import dnsvet; print("python", dnsvet.__version__, dnsvet.library_path)' 2>&1)
expect "the installed Python package loads the installed library" "$out" \
	"^python [0-9]+\.[0-9]+\.[0-9]+ $D$libdir/libdnsvet\.so\.0$"
summary install
