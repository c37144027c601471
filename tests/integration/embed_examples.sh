#!/bin/sh
# The embedding examples against the lab:
#   labrun -s healthy -s lame -s stale-cache -s double-suffix -- \
#       sh embed_examples.sh CHECK_DOMAIN ASYNC_POLL VERDICT
set -u
. "$(dirname "$0")/../lab/checklib.sh"
check_domain=$1 async_poll=$2 verdict=$3
H1=xu7wq45c257az4iapfcri5eysanb6cei H2=haf3bdhvfzyxy4nicfwiqmbtsybz42h7 H3=jyv5a33cls4xe666fysejgcj336txro4
L1=ghhp22uqjklxlslzh6tdnlxcakiixl4z
S1=ayrp6jol63qsrg444wlmjjgnpayf6bgn S2=3zbusjyt4chfmmbag33h36zzkapflyql S3=taobkzrdckwnsgk3semqew34bvqmculy
D1=ujzdegxdncf32epf3dhodzdocis2jhtl D2=gmxgedn73u55xtplpft7v4seh2kvj72c D3=euvw75efr6edt4sywb5wkh7dnsipzz7f
# one word: the resolver list is split on blanks or commas alike
lab="-l -r $LAB_ROOT_HINTS -R $(printf %s "$LAB_RESOLVERS" | tr " " ",")"

# status DESCRIPTION WANT GOT
status() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1 (exit $3, want $2)" "$out"; fi; }

# shellcheck disable=SC2086
out=$($check_domain $lab healthy-shop.com $H1 $H2 $H3 2>&1); rc=$?
status "check_domain: healthy-shop.com exits 0" 0 $rc
expect "check_domain: healthy-shop.com is ready" "$out" '^healthy-shop\.com: ready$'
reject "check_domain: healthy-shop.com has no error finding" "$out" '^  error '

# shellcheck disable=SC2086
out=$($check_domain $lab suffix-gallery.com $D1 $D2 $D3 2>&1); rc=$?
status "check_domain: suffix-gallery.com exits 1" 1 $rc
expect "check_domain: suffix-gallery.com is broken, doubled names found" "$out" \
	'^suffix-gallery\.com: broken$' '^  error record\.name_double_suffix: '

# one of three servers answers: a warning naming the other two
# shellcheck disable=SC2086
out=$($check_domain $lab lame-bakery.com $L1 2>&1)
expect "check_domain: lame servers named" "$out" '^lame-bakery\.com: (ready|pending|broken)$' \
	'^  warning delegation\.lame: .*ns2\.lame-bakery\.com.*ns3\.lame-bakery\.com'

# shellcheck disable=SC2086
out=$($check_domain $lab cache-bistro.com $S1 $S2 $S3 2>&1); rc=$?
status "check_domain: cache-bistro.com exits 1" 1 $rc
expect "check_domain: cache-bistro.com is pending" "$out" '^cache-bistro\.com: pending$' \
	'^  warning propagation\.'

# shellcheck disable=SC2086
out=$($check_domain $lab "not a domain!" 2>&1); rc=$?
status "check_domain: invalid domain exits 2" 2 $rc
expect "check_domain: invalid domain is named" "$out" 'not a domain!'

# shellcheck disable=SC2086
out=$($check_domain $lab healthy-shop.com tooshort 2>&1); rc=$?
status "check_domain: bad token exits 2" 2 $rc
expect "check_domain: bad token is named" "$out" 'tooshort|dkim_tokens'

out=$($check_domain -l -r "$LAB_ROOT_HINTS" -R 8.8.8.x healthy-shop.com 2>&1); rc=$?
status "check_domain: bad resolver list exits 2" 2 $rc
expect "check_domain: bad resolver is named" "$out" '8\.8\.8\.x'

# many checks from one poll() loop: every one reported once, verdicts as in the one-shot runs
set --
for i in 1 2 3 4; do
	set -- "$@" "healthy-shop.com:$H1,$H2,$H3" "suffix-gallery.com:$D1,$D2,$D3" "cache-bistro.com:$S1,$S2,$S3"
done
# shellcheck disable=SC2086
out=$($async_poll $lab "$@" 2>&1); rc=$?
status "async_poll: 12 checks exit 0" 0 $rc
expect "async_poll: verdicts" "$out" '^healthy-shop\.com ready findings=' \
	'^suffix-gallery\.com broken findings=' '^cache-bistro\.com pending findings=' \
	'^checks=12 queries=[1-9][0-9]* cache_hits=[1-9][0-9]*$'
n=$(printf '%s\n' "$out" | grep -Ec '^(healthy-shop|suffix-gallery|cache-bistro)\.com (ready|broken|pending) ')
if [ "$n" = 12 ]; then ok "async_poll: one report per check"; else fail "async_poll: $n reports for 12 checks" "$out"; fi

# shellcheck disable=SC2086
out=$($async_poll $lab healthy-shop.com "bad domain!" 2>&1); rc=$?
status "async_poll: bad request exits 2" 2 $rc
expect "async_poll: bad request is named" "$out" 'bad domain!'

# the smallest example: the lab through its environment variables
out=$(DNSVET_LAB=1 DNSVET_ROOT_HINTS=$LAB_ROOT_HINTS DNSVET_RESOLVERS=$LAB_RESOLVERS \
	$verdict healthy-shop.com $H1 $H2 $H3 2>&1); rc=$?
status "verdict: healthy-shop.com exits 0" 0 $rc
expect "verdict: healthy-shop.com is ready" "$out" '^healthy-shop\.com: ready$'
out=$(DNSVET_LAB=1 DNSVET_ROOT_HINTS=$LAB_ROOT_HINTS DNSVET_RESOLVERS=$LAB_RESOLVERS \
	$verdict suffix-gallery.com $D1 $D2 $D3 2>&1); rc=$?
status "verdict: suffix-gallery.com exits 1" 1 $rc
expect "verdict: suffix-gallery.com is broken" "$out" '^suffix-gallery\.com: broken$'
out=$($verdict healthy-shop.com tooshort 2>&1); rc=$?
status "verdict: bad token exits 2" 2 $rc
expect "verdict: bad token is named" "$out" '^verdict: .*(tooshort|dkim)'
out=$($verdict 2>&1); rc=$?
status "verdict: no domain exits 2" 2 $rc
expect "verdict: usage" "$out" '^verdict: usage: verdict DOMAIN'

summary embed-examples
