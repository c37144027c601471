# Shared helpers for the lab's own checks (smoke.sh, selftest.sh): sourced, not run.
fails=0 checks=0
DIG="dig +time=2 +tries=1"

ok()   { checks=$((checks + 1)); echo "ok   $1"; }
fail() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     | /'; }
# expect DESCRIPTION OUTPUT PATTERN...: every extended regexp must match some line of OUTPUT
expect() {
	desc=$1 out=$2; shift 2
	for pat in "$@"; do
		if ! printf '%s\n' "$out" | grep -Eq -- "$pat"; then
			fail "$desc (no match for: $pat)" "$out"
			return
		fi
	done
	ok "$desc"
}
# reject DESCRIPTION OUTPUT PATTERN: PATTERN must match no line of OUTPUT
reject() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then fail "$1 (unexpected: $3)" "$2"; else ok "$1"; fi
}
# query_ms OUTPUT: the "Query time" dig printed
query_ms() { printf '%s\n' "$1" | sed -n 's/^;; Query time: \([0-9]*\) msec/\1/p'; }
# summary NAME: final line and exit status
summary() {
	echo "$1: $checks checks, $fails failed (lab started in $(cat "$LAB_DIR/started") s)"
	[ "$fails" = 0 ]
}
