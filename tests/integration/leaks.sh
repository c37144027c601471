#!/bin/sh
# leaks.sh STATUS CMD [ARGS...]: runs CMD under valgrind memcheck and passes when valgrind
# reports no error (invalid accesses, definite or indirect leaks) and CMD exits with STATUS.
# In ARGS, @ROOT_HINTS@ and @RESOLVERS@ stand for the lab's (run it under labrun for those).
set -u
want=$1
shift
log=$(mktemp "${TMPDIR:-/tmp}/dnsvet-leaks.XXXXXX") || exit 99
trap 'rm -f "$log"' EXIT
cmd=$1
shift
for a in "$@"; do
	case $a in
	@ROOT_HINTS@) a=${LAB_ROOT_HINTS:?run under labrun};;
	@RESOLVERS@) a=${LAB_RESOLVERS:?run under labrun};;
	esac
	set -- "$@" "$a"
	shift
done
valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--error-exitcode=1 --num-callers=30 --track-fds=no --log-file="$log" "$cmd" "$@"
rc=$?
if ! grep -q 'ERROR SUMMARY: 0 errors' "$log"; then
	cat "$log"
	echo "FAIL valgrind found errors in $cmd $*"
	exit 1
fi
if [ "$rc" != "$want" ]; then
	echo "FAIL $cmd $* exited $rc, want $want"
	exit 1
fi
grep -E 'definitely lost|indirectly lost|ERROR SUMMARY' "$log" | sed 's/^==[0-9]*== /    /'
echo "ok   no memory errors or leaks: $(basename "$cmd") $*"
