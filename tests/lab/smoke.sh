#!/bin/sh
# Lab smoke test: run by `labrun -s healthy -s lame -- sh tests/lab/smoke.sh`. Checks with dig
# that the root, a TLD, an authoritative server, the resolvers (full recursion from the
# lab root) and the misbehaving server behave as the scenarios declare.
set -u
. "$(dirname "$0")/checklib.sh"
TOK=xu7wq45c257az4iapfcri5eysanb6cei

# environment handed to the command
for v in LAB_DIR LAB_ROOT_HINTS LAB_RESOLVERS LAB_MISBEHAVE; do
	eval "val=\${$v:-}"
	if [ -n "$val" ]; then ok "env $v=$val"; else fail "env $v is set"; fi
done
expect "root hints list the lab root" "$(cat "$LAB_ROOT_HINTS")" \
	'^\.[[:space:]]+3600000[[:space:]]+NS[[:space:]]+a\.root-servers\.net\.' \
	'^a\.root-servers\.net\.[[:space:]]+3600000[[:space:]]+A[[:space:]]+127\.53\.0\.1'
expect "resolvers file" "$(cat "$LAB_DIR/resolvers")" '^127\.53\.3\.1$' '^127\.53\.3\.3$'

# root
for r in 127.53.0.1 127.53.0.2; do
	expect "root $r answers for . authoritatively" "$($DIG +norec @$r . SOA)" \
		'status: NOERROR' 'flags: qr aa' 'IN[[:space:]]+SOA[[:space:]]+a\.root-servers\.net\.'
done
expect "root refers com to the gtld servers with glue" \
	"$($DIG +norec @127.53.0.1 healthy-shop.com A)" \
	'status: NOERROR' '^com\..*IN[[:space:]]+NS[[:space:]]+a\.gtld-servers\.net\.' \
	'^a\.gtld-servers\.net\..*IN[[:space:]]+A[[:space:]]+127\.53\.1\.1'
expect "root: unknown TLD is NXDOMAIN" "$($DIG +norec @127.53.0.1 example.invalidtld A)" \
	'status: NXDOMAIN' 'flags: qr aa'

# TLD
expect "com delegates healthy-shop.com with glue" \
	"$($DIG +norec @127.53.1.1 healthy-shop.com NS)" \
	'status: NOERROR' '^healthy-shop\.com\..*NS[[:space:]]+ns1\.healthy-shop\.com\.' \
	'^ns2\.healthy-shop\.com\..*A[[:space:]]+127\.60\.1\.2'
expect "com delegates lame-bakery.com to three servers" \
	"$($DIG +norec @127.53.1.2 lame-bakery.com NS)" \
	'NS[[:space:]]+ns1\.lame-bakery\.com\.' 'NS[[:space:]]+ns2\.lame-bakery\.com\.' \
	'NS[[:space:]]+ns3\.lame-bakery\.com\.'

# authoritative servers of the healthy scenario
for a in 127.60.1.1 127.60.1.2; do
	expect "auth $a: DKIM CNAME" \
		"$($DIG +norec @$a $TOK._domainkey.healthy-shop.com CNAME)" \
		'flags: qr aa' "CNAME[[:space:]]+$TOK\.dkim\.amazonses\.com\."
done
expect "auth: MAIL FROM MX" "$($DIG +norec @127.60.1.1 mail.healthy-shop.com MX)" \
	'MX[[:space:]]+10 feedback-smtp\.us-east-1\.amazonses\.com\.'
expect "auth: apex SPF and DMARC" \
	"$($DIG +norec @127.60.1.2 healthy-shop.com TXT; $DIG +norec @127.60.1.2 _dmarc.healthy-shop.com TXT)" \
	'"v=spf1 include:amazonses.com ~all"' '"v=DMARC1; p=none; rua=mailto:'
expect "amazonses.com SPF" "$($DIG +norec @127.53.2.1 amazonses.com TXT)" \
	'flags: qr aa' '"v=spf1 ip4:199\.255\.192\.0/22 '

# lame scenario
expect "lame: ns1 serves the zone" "$($DIG +norec @127.60.2.1 lame-bakery.com SOA)" \
	'status: NOERROR' 'flags: qr aa'
expect "lame: ns2 refuses" "$($DIG +norec @127.60.2.2 lame-bakery.com SOA)" 'status: REFUSED'
out=$($DIG +norec @127.60.2.3 lame-bakery.com SOA 2>&1)
expect "lame: ns3 times out" "$out" 'timed out|no servers could be reached'

# resolvers: full recursion from the lab root
for r in $LAB_RESOLVERS; do
	expect "resolver $r: DKIM chain ends in the SES key" \
		"$($DIG @$r $TOK._domainkey.healthy-shop.com TXT)" \
		'status: NOERROR' 'flags: qr rd ra' "CNAME[[:space:]]+$TOK\.dkim\.amazonses\.com\." \
		'TXT[[:space:]]+"p=MIGf'
done
expect "resolver: MAIL FROM target address" \
	"$($DIG @127.53.3.2 feedback-smtp.us-east-1.amazonses.com A)" 'A[[:space:]]+54\.240\.8\.9[01]'
expect "resolver: mistyped DKIM token is NXDOMAIN" \
	"$($DIG @127.53.3.3 aaaa${TOK#aaaa}x.dkim.amazonses.com TXT)" 'status: NXDOMAIN'
# Unbound tries the dead server first at times; under load its first answer can take longer than one dig try.
expect "resolver: lame domain still resolves via ns1" \
	"$($DIG +time=5 +tries=3 @127.53.3.1 lame-bakery.com A)" 'status: NOERROR' 'A[[:space:]]+203\.0\.113\.20'
expect "resolver: fault.test delegation" "$($DIG @127.53.3.1 hello.fault.test TXT)" \
	'"misbehave hello"'

# misbehaving server
M=${LAB_MISBEHAVE%:*}
expect "misbehave: normal answer has AA" "$($DIG +norec @$M www.fault.test A)" \
	'flags: qr aa' 'A[[:space:]]+192\.0\.2\.1'
expect "misbehave: refused" "$($DIG +norec @$M refused.fault.test A)" 'status: REFUSED'
expect "misbehave: servfail" "$($DIG +norec @$M servfail.fault.test A)" 'status: SERVFAIL'
expect "misbehave: tc over UDP" "$($DIG +norec +ignore @$M tc.fault.test A)" 'flags: qr aa tc;'
expect "misbehave: tc then TCP answers" "$($DIG +norec @$M tc.fault.test A)" \
	'A[[:space:]]+192\.0\.2\.1'
expect "misbehave: tctcp truncated over TCP too" "$($DIG +norec +tcp @$M tctcp.fault.test A)" \
	'flags: qr aa tc;'
expect "misbehave: noaa" "$($DIG +norec @$M noaa.fault.test A)" 'flags: qr;' \
	'A[[:space:]]+192\.0\.2\.1'
expect "misbehave: upward referral" "$($DIG +norec @$M upward.fault.test A)" \
	'ANSWER: 0, AUTHORITY: 1' '^\.[[:space:]].*NS[[:space:]]+a\.root-servers\.net\.'
expect "misbehave: drop times out" "$($DIG +norec @$M drop.fault.test A 2>&1)" 'timed out'
expect "misbehave: wrong ID" "$($DIG +norec @$M wrongid.fault.test A 2>&1)" 'ID mismatch'
out=$($DIG +norec @$M delay300.fault.test A)
ms=$(query_ms "$out")
if [ -n "$ms" ] && [ "$ms" -ge 290 ]; then ok "misbehave: delay300 took $ms ms"
else fail "misbehave: delay300 took >= 300 ms" "$out"; fi

summary "lab smoke"
