/*
 * The report reads records back from their text (core/report/rrread.c) directly for the
 * common types and through ldns otherwise; both must give the same owner, type, TTL, SOA
 * minimum and value, and leave out the same texts. Checked on chosen texts, on records
 * with random names, strings and numbers written as the probe writes them, and on those
 * texts with a random byte changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe_int.h"
#include "report/rrread.h"

static int failures;

#define CHECK(c)                                                                   \
	do {                                                                           \
		if (!(c)) {                                                                \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); \
			failures++;                                                            \
		}                                                                          \
	} while (0)

/* Both readers agree on text; returns 1 when the direct reader took it. */
static int agree(const char *text)
{
	rr_read a, b, d;
	int ra = rr_read_text(text, &a), rb = rr_read_text_ldns(text, &b);
	int direct = rr_read_text_direct(text, &d) == 0;

	if (ra != rb) {
		fprintf(stderr, "[%s]: read %d, ldns %d\n", text, ra, rb);
		failures++;
	} else if (ra == 0) {
		int same = strcmp(a.owner, b.owner) == 0 && a.type == b.type && a.ttl == b.ttl &&
		           a.soa_min == b.soa_min && !a.value == !b.value &&
		           (!a.value || strcmp(a.value, b.value) == 0);
		if (!same) {
			fprintf(stderr, "[%s]\n  read: %s %u %u %lld [%s]\n  ldns: %s %u %u %lld [%s]\n", text,
			        a.owner, a.type, a.ttl, (long long)a.soa_min, a.value ? a.value : "(null)",
			        b.owner, b.type, b.ttl, (long long)b.soa_min, b.value ? b.value : "(null)");
			failures++;
		}
	}
	if (direct && rb != 0) {
		fprintf(stderr, "[%s]: read directly, but ldns cannot read it\n", text);
		failures++;
	}
	if (ra == 0)
		rr_read_clear(&a);
	if (rb == 0)
		rr_read_clear(&b);
	if (direct)
		rr_read_clear(&d);
	return direct;
}

static void text_cases(void)
{
	static const struct {
		const char *rr;
		int direct;
	} cases[] = {
		{"example.com. 300 IN A 192.0.2.1", 1},
		{"example.com. 300 IN AAAA 2001:db8::1", 1},
		{"example.com. 300 IN AAAA 2001:db8:0:0:0:0:0:2", 1},
		{"a._domainkey.Example.COM. 0 IN CNAME a.dkim.AmazonSES.com.", 1},
		{"example.com. 86400 IN NS ns1.host.net.", 1},
		{"example.com. 300 IN MX 10 feedback-smtp.us-east-1.amazonses.com.", 1},
		{"example.com. 300 IN MX 0 .", 1},
		{"example.com. 300 IN TXT \"v=spf1 include:amazonses.com ~all\"", 1},
		{"_dmarc.example.com. 300 IN TXT \"v=DMARC1; p=none; (x)\"", 1},
		{"example.com. 300 IN TXT \"part one\" \"part two\" \"\"", 1},
		{"example.com. 300 IN TXT \"quote \\\" backslash \\\\ tab\\009 high\\255\"", 1},
		{"example.com. 300 IN TXT \"tab\tinside\"", 1},
		{"example.com. 300 IN SPF \"v=spf1 -all\"", 1},
		{"example.com. 3600 IN SOA ns1.host.net. hostmaster.host.net. 2026112001 7200 900 1209600 300", 1},
		{"example.com. 3600 IN SOA . . 4294967295 0 1 2 3", 1},
		{"1.2.0.192.in-addr.arpa. 300 IN PTR host.example.com.", 1},
		{"old.example.com. 300 IN DNAME new.example.net.", 1},
		{"*.example.com. 300 IN TXT \"wild\"", 1},
		{". 518400 IN NS a.root-servers.net.", 1},
		{"relative.name 300 IN CNAME target.name", 1},
		/* left to ldns */
		{"we\\.ird\\;na\\(me\\)\\\\x\\032y\\200.example.com. 1 IN A 192.0.2.9", 0},
		{"example.com. 300 IN CNAME we\\.ird.example.net.", 0},
		{"example.com. 300 IN TXT \"v=DMARC1\\; p=none\"", 0},
		{"example.com. 300 IN TXT unquoted", 0},
		{"example.com. 300 IN TXT \"unterminated", 0},
		{"example.com. 300 IN TXT \"a\"  \"double space\"", 0},
		{"example.com. 300 IN TXT \"trailing space\" ", 0},
		{"example.com.\t300\tIN\tA\t192.0.2.1", 0},
		{"example.com. 300 CH A 192.0.2.1", 0},
		{"example.com. 300 in a 192.0.2.1", 0},
		{"example.com. 1h IN A 192.0.2.1", 0},
		{"example.com. 0300 IN A 192.0.2.1", 0},
		{"example.com. 4294967295 IN A 192.0.2.1", 0},
		{"example.com. 300 IN MX 65536 mail.example.com.", 0},
		{"example.com. 300 IN MX 010 mail.example.com.", 0},
		{"example.com. 300 IN A 192.0.2.300", 0},
		{"example.com. 300 IN A 192.0.2.1 extra", 0},
		{"example.com. 300 IN SRV 10 5 443 host.example.com.", 0},
		{"example.com. 300 IN CAA 0 issue \"letsencrypt.org\"", 0},
		{"example.com. 300 IN TYPE999 \\# 3 010203", 0},
		{"example.com. 300 IN SOA ns1.host.net hostmaster.host.net. 1 2 3 4 5", 0},
		{"a..example.com. 300 IN A 192.0.2.1", 0},
		{"@ 300 IN A 192.0.2.1", 0},
		{"example.com. 300 IN", 0},
		{"", 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (agree(cases[i].rr) != cases[i].direct) {
			fprintf(stderr, "%s: expected the %s reader\n", cases[i].rr,
			        cases[i].direct ? "direct" : "ldns");
			failures++;
		}
}

static size_t put_name(uint8_t *w, unsigned *seed, int plain)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_*";
	int labels = 1 + (int)(rand_r(seed) % 4);
	size_t o = 0;

	for (int l = 0; l < labels; l++) {
		int len = 1 + (int)(rand_r(seed) % 20);
		w[o++] = (uint8_t)len;
		for (int k = 0; k < len; k++)
			w[o++] = plain ? (uint8_t)alpha[rand_r(seed) % (sizeof(alpha) - 1)]
			               : (uint8_t)(rand_r(seed) % 256);
	}
	w[o++] = 0;
	return o;
}

/* A record from wire data as answers arrive, written as the probe writes it. */
static char *random_text(unsigned *seed)
{
	static const uint16_t types[] = {LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_CNAME, LDNS_RR_TYPE_MX,
	                                 LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_SOA,
	                                 LDNS_RR_TYPE_NS, LDNS_RR_TYPE_SPF};
	uint8_t w[2048];
	size_t o, rdlen_at, rdstart, pos = 0;
	uint16_t type = types[rand_r(seed) % (sizeof(types) / sizeof(types[0]))];
	int plain = rand_r(seed) % 4 != 0;
	ldns_rr *rr = NULL;
	char *text;

	o = put_name(w, seed, plain);
	w[o++] = (uint8_t)(type >> 8);
	w[o++] = (uint8_t)type;
	w[o++] = 0;
	w[o++] = 1;
	/* TTLs above 2^31-1 are left to ldns; one in eight is one */
	w[o++] = (uint8_t)(rand_r(seed) % (rand_r(seed) % 8 ? 128 : 256));
	for (int i = 0; i < 3; i++)
		w[o++] = (uint8_t)(rand_r(seed) % 256);
	rdlen_at = o;
	o += 2;
	rdstart = o;
	switch (type) {
	case LDNS_RR_TYPE_TXT:
	case LDNS_RR_TYPE_SPF: {
		int strings = 1 + (int)(rand_r(seed) % 3);
		for (int s = 0; s < strings; s++) {
			int len = (int)(rand_r(seed) % (rand_r(seed) % 8 ? 40 : 256));
			w[o++] = (uint8_t)len;
			for (int k = 0; k < len; k++)
				w[o++] = plain ? (uint8_t)(32 + rand_r(seed) % 95) : (uint8_t)(rand_r(seed) % 256);
		}
		break;
	}
	case LDNS_RR_TYPE_MX:
		w[o++] = (uint8_t)(rand_r(seed) % 256);
		w[o++] = (uint8_t)(rand_r(seed) % 256);
		o += put_name(w + o, seed, plain);
		break;
	case LDNS_RR_TYPE_A:
	case LDNS_RR_TYPE_AAAA:
		for (int i = 0; i < (type == LDNS_RR_TYPE_A ? 4 : 16); i++)
			w[o++] = (uint8_t)(rand_r(seed) % 4 ? rand_r(seed) % 256 : 0);
		break;
	case LDNS_RR_TYPE_SOA:
		o += put_name(w + o, seed, plain);
		o += put_name(w + o, seed, plain);
		for (int i = 0; i < 20; i++)
			w[o++] = (uint8_t)(rand_r(seed) % 256);
		break;
	default:
		o += put_name(w + o, seed, plain);
		break;
	}
	w[rdlen_at] = (uint8_t)((o - rdstart) >> 8);
	w[rdlen_at + 1] = (uint8_t)(o - rdstart);
	if (ldns_wire2rr(&rr, w, o, &pos, LDNS_SECTION_ANSWER) != LDNS_STATUS_OK) {
		fprintf(stderr, "wire not parsed\n");
		failures++;
		return NULL;
	}
	text = pr_rr_str(rr);
	ldns_rr_free(rr);
	CHECK(text != NULL);
	return text;
}

static void random_cases(void)
{
	static const char noise[] = " \t\"\\.;()@0123456789aZ-*";
	unsigned seed = 20261120;
	int direct = 0, n = 8000;

	for (int i = 0; i < n; i++) {
		char *text = random_text(&seed);
		size_t len;

		if (!text)
			continue;
		direct += agree(text);
		len = strlen(text);
		if (len) {
			text[rand_r(&seed) % len] = noise[rand_r(&seed) % (sizeof(noise) - 1)];
			agree(text);
		}
		free(text);
	}
	/* three in four records have plain names and strings: those take the direct path */
	if (direct < n / 2) {
		fprintf(stderr, "only %d of %d random records read directly\n", direct, n);
		failures++;
	}
}

int main(void)
{
	text_cases();
	random_cases();
	if (failures) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	printf("ok\n");
	return 0;
}
