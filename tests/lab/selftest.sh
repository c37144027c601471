#!/bin/sh
# Checks that every shipped scenario really has the property it is named after, so a test
# failing against the lab points at dnsvet, not at the lab. Run with all scenarios loaded:
#   labrun $(for s in ...; do echo -s $s; done) -- sh tests/lab/selftest.sh
# Scenarios that are not loaded (see LAB_SCENARIOS) are skipped; with LAB_DELAY_MS > 0 the
# added latency is checked too.
set -u
. "$(dirname "$0")/checklib.sh"
R=127.53.3.1

has() { case " $LAB_SCENARIOS " in *" $1 "*) return 0;; esac; return 1; }

if has healthy; then
	for t in xu7wq45c257az4iapfcri5eysanb6cei haf3bdhvfzyxy4nicfwiqmbtsybz42h7 jyv5a33cls4xe666fysejgcj336txro4; do
		expect "healthy: DKIM $t resolves to the SES key" \
			"$($DIG @$R $t._domainkey.healthy-shop.com TXT)" 'status: NOERROR' 'TXT[[:space:]]+"p=MIGf'
	done
fi

if has ns-mismatch; then
	expect "ns-mismatch: com delegates to ns1+ns2" "$($DIG +norec @127.53.1.1 mismatch-garden.com NS)" \
		'AUTHORITY: 2' 'NS[[:space:]]+ns2\.mismatch-garden\.com\.'
	out=$($DIG +norec @127.60.3.1 mismatch-garden.com NS)
	expect "ns-mismatch: zone apex says ns1+ns3" "$out" 'ANSWER: 2' 'NS[[:space:]]+ns3\.mismatch-garden\.com\.'
	reject "ns-mismatch: apex lacks ns2" "$out" 'NS[[:space:]]+ns2\.mismatch-garden\.com\.'
fi

if has glueless; then
	out=$($DIG +norec @127.53.1.1 glueless-studio.com NS)
	expect "glueless: out-of-bailiwick NS at com" "$out" 'NS[[:space:]]+ns1\.cloudhost-dns\.net\.' \
		'NS[[:space:]]+ns3\.cloudhost-dns\.io\.'
	reject "glueless: no glue" "$out" '[[:space:]]A[[:space:]]+127\.60\.4\.'
	expect "glueless: resolves through the NS names" \
		"$($DIG @$R b4e5g35jqjanrb3m6ijmulwkmh5dgze4._domainkey.glueless-studio.com TXT)" 'TXT[[:space:]]+"p=MIGf'
fi

if has referral-loop; then
	expect "referral-loop: cyclic delegation cannot resolve" "$($DIG +time=8 @$R loop-widgets.com A)" \
		'status: SERVFAIL'
	expect "referral-loop: ns1.loop-partner.net serves loop-widgets.com" \
		"$($DIG +norec @127.60.5.1 loop-widgets.com A)" 'flags: qr aa' '203\.0\.113\.50'
	expect "referral-loop: upward referral" "$($DIG +norec @127.60.5.3 upward-widgets.com A)" \
		'^\.[[:space:]].*NS[[:space:]]+a\.root-servers\.net\.'
	expect "referral-loop: sideways referral" "$($DIG +norec @127.60.5.4 upward-widgets.com A)" \
		'^example-sideways\.net\..*NS'
fi

if has not-delegated; then
	expect "not-delegated: NXDOMAIN at com" "$($DIG +norec @127.53.1.1 forgotten-cafe.com NS)" \
		'status: NXDOMAIN' 'flags: qr aa'
	expect "not-delegated: the servers still have the zone" \
		"$($DIG +norec @127.60.6.1 forgotten-cafe.com SOA)" 'flags: qr aa' 'status: NOERROR'
fi

if has domainkey-zone; then
	expect "domainkey-zone: parent refers _domainkey away" \
		"$($DIG +norec @127.60.7.1 rjsdtrylo76y4gysyskwvk7r624c64su._domainkey.split-dkim.com CNAME)" \
		'ANSWER: 0' '^_domainkey\.split-dkim\.com\..*NS[[:space:]]+ns1\.keyvault-dns\.net\.'
	expect "domainkey-zone: SES token missing in the delegated zone" \
		"$($DIG @$R rjsdtrylo76y4gysyskwvk7r624c64su._domainkey.split-dkim.com TXT)" 'status: NXDOMAIN'
	expect "domainkey-zone: other selectors resolve" "$($DIG @$R google._domainkey.split-dkim.com TXT)" \
		'v=DKIM1'
fi

if has secondary-stale; then
	expect "secondary-stale: ns1 serial" "$($DIG +norec +short @127.60.8.1 northwind-books.com SOA)" ' 2024060302 '
	expect "secondary-stale: ns2 serial" "$($DIG +norec +short @127.60.8.2 northwind-books.com SOA)" ' 2024052001 '
	T=pf7fipqsc6jpiccexrdz6dkz4ru2zioe._domainkey.northwind-books.com
	expect "secondary-stale: ns1 has the third DKIM" "$($DIG +norec @127.60.8.1 $T CNAME)" 'CNAME[[:space:]]+pf7f'
	expect "secondary-stale: ns2 lacks it" "$($DIG +norec @127.60.8.2 $T CNAME)" 'status: NXDOMAIN'
	expect "secondary-stale: ns2 lacks MAIL FROM" "$($DIG +norec @127.60.8.2 mail.northwind-books.com MX)" \
		'status: NXDOMAIN'
fi

if has records-elsewhere; then
	T=srnfq7tyjgz3p4kh4nhvfqko6qsxshz3._domainkey.moved-agency.com
	expect "records-elsewhere: delegated servers lack DKIM" "$($DIG +norec @127.60.9.1 $T CNAME)" 'status: NXDOMAIN'
	expect "records-elsewhere: old provider has it" "$($DIG +norec @127.60.9.3 $T CNAME)" 'flags: qr aa' \
		'CNAME[[:space:]]+srnfq7'
	reject "records-elsewhere: old provider not delegated" "$($DIG +norec @127.53.1.1 moved-agency.com NS)" \
		'olddns-host'
fi

if has stale-cache; then
	T=ayrp6jol63qsrg444wlmjjgnpayf6bgn._domainkey.cache-bistro.com
	expect "stale-cache: auth serves the fixed CNAME" "$($DIG +norec @127.60.10.1 $T CNAME)" \
		'CNAME[[:space:]]+ayrp6jol63qsrg444wlmjjgnpayf6bgn\.dkim\.amazonses\.com\.$'
	expect "stale-cache: primed resolver holds the old CNAME" "$($DIG @127.60.10.53 $T CNAME)" \
		'CNAME[[:space:]]+ayrp6jol63qsrg444wlmjjgnpayf6bgn\.dkim\.amazonses\.com\.cache-bistro\.com\.'
	expect "stale-cache: a fresh resolver gets the new one" "$($DIG @$R $T TXT)" 'TXT[[:space:]]+"p=MIGf'
fi

if has negative-cache; then
	T=6brq22a6ufy5kckssm5cet45vx6pv4df._domainkey.late-dkim-shop.com
	expect "negative-cache: auth has the record now" "$($DIG +norec @127.60.11.1 $T CNAME)" 'CNAME'
	expect "negative-cache: primed resolver answers NXDOMAIN from cache" "$($DIG @127.60.11.53 $T TXT)" \
		'status: NXDOMAIN'
	expect "negative-cache: a fresh resolver resolves it" "$($DIG @$R $T TXT)" 'TXT[[:space:]]+"p=MIGf'
fi

if has double-suffix; then
	expect "double-suffix: doubled owner name" \
		"$($DIG +norec @127.60.13.1 ujzdegxdncf32epf3dhodzdocis2jhtl._domainkey.suffix-gallery.com.suffix-gallery.com CNAME)" \
		'flags: qr aa' 'CNAME'
	expect "double-suffix: doubled target" \
		"$($DIG +norec @127.60.13.1 euvw75efr6edt4sywb5wkh7dnsipzz7f._domainkey.suffix-gallery.com CNAME)" \
		'amazonses\.com\.suffix-gallery\.com\.'
	expect "double-suffix: right name missing" \
		"$($DIG +norec @127.60.13.1 ujzdegxdncf32epf3dhodzdocis2jhtl._domainkey.suffix-gallery.com CNAME)" \
		'status: NXDOMAIN'
fi

if has dnssec-bogus; then
	V=127.60.12.53
	expect "dnssec: trust anchor exported" "$(cat "${LAB_TRUST_ANCHOR:-/dev/null}")" '^\.[[:space:]].*DS[[:space:]]'
	expect "dnssec: root is signed" "$($DIG +norec +dnssec @127.53.0.1 . SOA)" 'RRSIG[[:space:]]+SOA'
	expect "dnssec: good domain validates (AD)" "$($DIG +dnssec @$V signed-harbor.com A)" \
		'flags: qr rd ra ad' '203\.0\.113\.120'
	expect "dnssec: expired signatures are bogus" "$($DIG @$V bogus-harbor.com A)" 'status: SERVFAIL'
	expect "dnssec: DS mismatch is bogus" "$($DIG @$V rolled-harbor.com A)" 'status: SERVFAIL'
	expect "dnssec: non-validating resolver still answers" "$($DIG @$R bogus-harbor.com A)" \
		'status: NOERROR' '203\.0\.113\.121'
	expect "dnssec: unsigned domains are insecure, not bogus" "$($DIG @$V amazonses.com TXT)" \
		'status: NOERROR' 'v=spf1'
fi

if has lame; then
	expect "lame: ns2 refuses" "$($DIG +norec @127.60.2.2 lame-bakery.com SOA)" 'status: REFUSED'
	expect "lame: ns3 silent" "$($DIG +norec @127.60.2.3 lame-bakery.com SOA 2>&1)" 'timed out'
fi

if [ "${LAB_DELAY_MS:-0}" -gt 0 ]; then
	out=$($DIG +norec @127.53.0.1 . SOA)
	ms=$(query_ms "$out")
	if [ -n "$ms" ] && [ "$ms" -ge $((LAB_DELAY_MS - 5)) ]; then ok "delay: root answered in $ms ms"
	else fail "delay: root answer takes >= $LAB_DELAY_MS ms" "$out"; fi
	# TCP is relayed too (without the delay): the same answer over a connection
	expect "delay: TCP relayed" "$($DIG +norec +tcp @127.53.0.1 . SOA)" 'status: NOERROR'
fi

summary "lab selftest ($LAB_SCENARIOS)"
