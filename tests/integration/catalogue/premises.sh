#!/bin/sh
# Checks with dig that the catalogue's lab domains really show the fault each is built for,
# so that a failure of the pipeline test points at dnsvet and not at the lab data. Runs
# inside tests/lab/labrun with the catalogue and catalogue-dnssec scenarios loaded.
set -u
. "$(dirname "$0")/../../lab/checklib.sh"
A=127.61.0.1          # ns1.catalogue-dns.net
R=127.53.3.1          # a plain resolver of the base world
Q="$DIG +norec @$A"

expect "dkim-gap-tailor: third DKIM CNAME absent" \
	"$($Q bbxrvp3m5hmlw6y4fifjf762pcc3hw2m._domainkey.dkim-gap-tailor.com CNAME)" 'status: NXDOMAIN'
expect "otherhost-dkim: DKIM CNAME to another provider" \
	"$($Q a3hjw5meukd2fb2zrc32s52jf2yy7lak._domainkey.otherhost-dkim.com CNAME)" 'CNAME[[:space:]]+s1\.domainkey\.u4821\.wl\.mailgrid-relay\.net\.'
expect "tailappend-mx: MX target with the zone appended" "$($Q mail.tailappend-mx.com MX)" \
	'MX[[:space:]]+10 feedback-smtp\.us-east-1\.amazonses\.com\.tailappend-mx\.com\.'
expect "quoted-legacy: quotes stored in the TXT" "$($Q _amazonses.quoted-legacy.com TXT)" 'TXT[[:space:]]+"\\"k3dG7'
expect "cutoff-dkim: target cut off" \
	"$($Q cdhri4e5mfj775bt2ov3kwia7i6m67i4._domainkey.cutoff-dkim.com CNAME)" 'dkim\.amazonses\.co\.$'
expect "lowercase-legacy: token lowercased" "$($Q _amazonses.lowercase-legacy.com TXT)" 'TXT[[:space:]]+"k3dg7cjxbdyxt\+kxlywf'
expect "nounderscore-labs: DKIM at <token>.domainkey" \
	"$($Q kwzf34lixms6nq3vnj7zvfhtnaiyacro.domainkey.nounderscore-labs.com CNAME)" 'flags: qr aa' 'CNAME'
expect "nounderscore-labs: nothing at <token>._domainkey" \
	"$($Q kwzf34lixms6nq3vnj7zvfhtnaiyacro._domainkey.nounderscore-labs.com CNAME)" 'status: NXDOMAIN'
out=$($Q lruqgrqlztajymr7mw6c5fm256pagtw4._domainkey.txtkey-dkim.com TXT)
expect "txtkey-dkim: TXT key at the DKIM name" "$out" 'TXT[[:space:]]+"v=DKIM1'
expect "txtkey-dkim: no CNAME there" "$($Q lruqgrqlztajymr7mw6c5fm256pagtw4._domainkey.txtkey-dkim.com CNAME)" 'ANSWER: 0'
expect "cname-mailfrom: MAIL FROM is a CNAME" "$($Q mail.cname-mailfrom.com MX)" 'CNAME[[:space:]]+bounce\.mailgrid-relay\.net\.'
expect "orange-cloud-shop: DKIM name answers a Cloudflare address" \
	"$($Q pwziqty2uc2te7bxo5bqeuw6xmxah6ej._domainkey.orange-cloud-shop.com A)" 'A[[:space:]]+104\.21\.32\.7'
expect "wildcard-studio: a DKIM name never added answers from the wildcard" \
	"$($Q xjswugbyusn52te4wyxrs2w65ixfhcnn._domainkey.wildcard-studio.com CNAME)" 'CNAME[[:space:]]+dkim\.mailgrid-relay\.net\.'
out=$($DIG @127.61.0.53 mail.splitview-clinic.com MX)
expect "splitview-clinic: split-horizon resolver says NXDOMAIN" "$out" 'status: NXDOMAIN'
reject "splitview-clinic: ... without a SOA" "$out" 'IN[[:space:]]+SOA'
expect "splitview-clinic: other resolvers see the MX" "$($DIG @$R mail.splitview-clinic.com MX)" 'feedback-smtp'
expect "swapped-tokens: first name carries the second token" \
	"$($Q e7ycr4tmrwnk37dzdjc5kkolp3zbbtkh._domainkey.swapped-tokens.com CNAME)" 'CNAME[[:space:]]+p7txjoh6bqggbp5fq52bmyrivnuubkoq\.'
expect "nolegacy-txt: no _amazonses TXT" "$($Q _amazonses.nolegacy-txt.com TXT)" 'status: NXDOMAIN'
expect "pem-byodkim: PEM header inside p=" "$($Q ses2024._domainkey.pem-byodkim.com TXT)" 'BEGIN PUBLIC KEY'
expect "own-key-press: 2048-bit key in two strings" "$($Q ses2024._domainkey.own-key-press.com TXT)" '"v=DKIM1; k=rsa; p=MIIB[^"]*" "'
out=$($Q mail.nomx-mailfrom.com MX)
expect "nomx-mailfrom: MAIL FROM without MX" "$out" 'status: NOERROR' 'ANSWER: 0'
expect "nospf-mailfrom: MAIL FROM without TXT" "$($Q mail.nospf-mailfrom.com TXT)" 'status: NOERROR' 'ANSWER: 0'
expect "inbox-mailfrom: MAIL FROM receives mail" "$($Q mail.inbox-mailfrom.com MX)" 'MX[[:space:]]+10 mx1\.inbox-mailfrom\.com\.'
expect "nospf-apex: no TXT at the apex" "$($Q nospf-apex.com TXT)" 'ANSWER: 0'
expect "twospf-apex: two SPF records" "$($Q twospf-apex.com TXT)" 'ANSWER: 2'
expect "longchain-spf: nested includes resolve" "$($DIG @$R eu.helpdesk.mailvendors.net TXT)" 'v=spf1 ip4:198\.51\.101\.0/24 mx -all'
expect "patchwork-press: DKIM under the doubled name" \
	"$($Q udu4xlfvbadfy5v3pb5gotmgqva6tbye._domainkey.patchwork-press.com.patchwork-press.com CNAME)" 'flags: qr aa' 'CNAME'
expect "split-legacy: token in two strings" "$($Q _amazonses.split-legacy.com TXT)" 'TXT[[:space:]]+"k3dG7CjxBDYXt\+KxLYWf/" "o3aY'

V=127.61.1.53
expect "sealed-pantry: validates (AD)" "$($DIG +dnssec @$V sealed-pantry.com A)" 'flags: qr rd ra ad'
expect "cracked-seal: bogus" "$($DIG @$V cracked-seal.com A)" 'status: SERVFAIL'
expect "cracked-seal: answers with checking disabled" "$($DIG +cd @$V cracked-seal.com A)" 'status: NOERROR'
expect "starlit-archive: wildcard expansion signed as one (3 labels)" \
	"$($DIG +norec +dnssec @127.61.1.2 iu4gybwqakqnothiu3mw6unsum2z7iqo._domainkey.starlit-archive.com CNAME)" \
	'RRSIG[[:space:]]+CNAME 13 3 '

summary "catalogue premises"
