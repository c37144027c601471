/*
 * The probe's record text (core/probe/rrtext.c) must be what ldns_rr2str
 * prints, fields separated by single spaces: recordings and rules compare
 * those strings. Checked on chosen records and on records with random bytes
 * in names and character-strings, built from wire data as answers are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "probe/probe_int.h"

static int failures;

#define CHECK(c)                                                                   \
	do {                                                                           \
		if (!(c)) {                                                                \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); \
			failures++;                                                            \
		}                                                                          \
	} while (0)

/* ldns' text with the four field tabs made spaces and the newline cut, as the
 * probe wrote it before rrtext.c. */
static char *ldns_text(const ldns_rr *rr)
{
	char *s = ldns_rr2str(rr);
	int tabs = 0;
	size_t n;

	if (!s)
		return NULL;
	for (char *c = s; *c && tabs < 4; c++)
		if (*c == '\t') {
			*c = ' ';
			tabs++;
		}
	n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* Names and fields read back from the text agree with ldns reading it. */
static void same_fields(const ldns_rr *rr)
{
	char *text = pr_rr_str(rr), *o = ldns_rdf2str(ldns_rr_owner(rr));
	char want[PR_NAME_MAX], got[PR_NAME_MAX], owner[PR_NAME_MAX];
	int wr = o ? pr_name_norm(o, want) : -1;
	const char *rd;
	uint16_t type;
	ldns_rr *back = NULL;

	CHECK(pr_rdf_name(ldns_rr_owner(rr), got) == wr);
	if (wr == 0)
		CHECK(strcmp(got, want) == 0);
	free(o);
	if (!text)
		return;
	/* ldns reads an owner starting with '@' as the origin, where the text
	 * means a label starting with that byte: not comparable. */
	if (text[0] != '@' && ldns_rr_new_frm_str(&back, text, 0, NULL, NULL) == LDNS_STATUS_OK) {
		char *bo = ldns_rdf2str(ldns_rr_owner(back));
		int br = bo ? pr_name_norm(bo, want) : -1;
		int sr = pr_rr_text_split(text, owner, &type, &rd);
		CHECK(sr == br);
		if (sr == 0 && br == 0) {
			CHECK(strcmp(owner, want) == 0);
			CHECK(type == ldns_rr_get_type(back));
		}
		if (sr == 0 && ldns_rr_rd_count(back) >= 1) {
			const ldns_rdf *f = ldns_rr_rdf(back, 0);
			if (type == LDNS_RR_TYPE_CNAME || type == LDNS_RR_TYPE_NS) {
				char *t = ldns_rdf2str(f);
				int tr = t ? pr_name_norm(t, want) : -1;
				CHECK(pr_text_name(rd, got) == tr);
				if (tr == 0)
					CHECK(strcmp(got, want) == 0);
				free(t);
			}
			if (type == LDNS_RR_TYPE_A || type == LDNS_RR_TYPE_AAAA) {
				struct sockaddr_storage ss;
				socklen_t sl;
				CHECK(pr_text_addr(type, rd, &ss, &sl) == 0);
				if (type == LDNS_RR_TYPE_A)
					CHECK(memcmp(&((struct sockaddr_in *)&ss)->sin_addr, ldns_rdf_data(f), 4) == 0 &&
					      ntohs(((struct sockaddr_in *)&ss)->sin_port) == 53);
				else
					CHECK(memcmp(&((struct sockaddr_in6 *)&ss)->sin6_addr, ldns_rdf_data(f), 16) == 0);
			}
		}
		free(bo);
		ldns_rr_free(back);
	}
	free(text);
}

/* Compares both texts; returns 1 when rrtext handled the record itself. */
static int same(const ldns_rr *rr)
{
	char buf[PR_RR_TEXT_MAX];
	char *want = ldns_text(rr), *got = pr_rr_str(rr);
	int fast = pr_rr_format(rr, buf, sizeof(buf)) >= 0;

	CHECK(want && got);
	if (want && got && strcmp(want, got) != 0) {
		fprintf(stderr, "ldns:   [%s]\nrrtext: [%s]\n", want, got);
		failures++;
	}
	if (fast && want)
		CHECK(strcmp(buf, want) == 0);
	same_fields(rr);
	free(want);
	free(got);
	return fast;
}

static ldns_rr *from_text(const char *text)
{
	ldns_rr *rr = NULL;

	if (ldns_rr_new_frm_str(&rr, text, 3600, NULL, NULL) != LDNS_STATUS_OK) {
		fprintf(stderr, "cannot parse %s\n", text);
		failures++;
		return NULL;
	}
	return rr;
}

static void text_cases(void)
{
	static const struct {
		const char *rr;
		int fast;
	} cases[] = {
		{"example.com. 300 IN A 192.0.2.1", 1},
		{"example.com. 300 IN AAAA 2001:db8::1", 1},
		{"example.com. 300 IN AAAA ::ffff:192.0.2.1", 1},
		{"a._domainkey.Example.COM. 0 IN CNAME a.dkim.amazonses.com.", 1},
		{"example.com. 86400 IN NS ns1.host.net.", 1},
		{"example.com. 300 IN MX 10 feedback-smtp.us-east-1.amazonses.com.", 1},
		{"example.com. 300 IN MX 0 .", 1},
		{"example.com. 300 IN TXT \"v=spf1 include:amazonses.com ~all\"", 1},
		{"example.com. 300 IN TXT \"part one\" \"part two\" \"\"", 1},
		{"example.com. 300 IN TXT \"quote \\\" backslash \\\\ tab\\009 nul\\000 high\\255\"", 1},
		{"example.com. 300 IN SPF \"v=spf1 -all\"", 1},
		{"example.com. 3600 IN SOA ns1.host.net. hostmaster.host.net. 2026112001 7200 900 1209600 300", 1},
		{"example.com. 3600 IN SOA . . 4294967295 0 1 2 3", 1},
		{"1.2.0.192.in-addr.arpa. 300 IN PTR host.example.com.", 1},
		{"old.example.com. 300 IN DNAME new.example.net.", 1},
		{"we\\.ird\\;na\\(me\\)\\\\x\\032y\\200.example.com. 1 IN A 192.0.2.9", 1},
		{". 518400 IN NS a.root-servers.net.", 1},
		{"example.com. 300 CH A 192.0.2.1", 0},
		{"example.com. 300 IN SRV 10 5 443 host.example.com.", 0},
		{"ns1.Host.NET. 300 IN NS ns2.host.net.", 1},
		{"Mail.example.com. 300 IN AAAA 2001:db8:0:0:0:0:0:2", 1},
		{"example.com. 300 IN CAA 0 issue \"letsencrypt.org\"", 0},
		{"example.com. 300 IN TYPE999 \\# 3 010203", 0},
		{"example.com. 300 IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==", 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ldns_rr *rr = from_text(cases[i].rr);
		if (!rr)
			continue;
		if (same(rr) != cases[i].fast) {
			fprintf(stderr, "%s: expected %s\n", cases[i].rr,
			        cases[i].fast ? "rrtext" : "ldns");
			failures++;
		}
		ldns_rr_free(rr);
	}
}

/* Random owner labels and TXT strings (every byte value), through the wire
 * parser as answers arrive. */
static void random_cases(void)
{
	unsigned seed = 12345;

	for (int n = 0; n < 3000; n++) {
		uint8_t w[1024];
		size_t o = 0;
		int labels = 1 + (int)(rand_r(&seed) % 3);
		ldns_rr *rr = NULL;
		size_t rdlen_at, rdstart;
		uint16_t type;

		for (int l = 0; l < labels; l++) {
			int len = 1 + (int)(rand_r(&seed) % 20);
			w[o++] = (uint8_t)len;
			for (int k = 0; k < len; k++)
				w[o++] = (uint8_t)(rand_r(&seed) % 256);
		}
		w[o++] = 0;
		switch (rand_r(&seed) % 3) {
		case 0: type = LDNS_RR_TYPE_TXT; break;
		case 1: type = LDNS_RR_TYPE_CNAME; break;
		default: type = LDNS_RR_TYPE_MX; break;
		}
		w[o++] = 0;
		w[o++] = (uint8_t)type;
		w[o++] = 0;
		w[o++] = 1;
		w[o++] = (uint8_t)(rand_r(&seed) % 256);
		w[o++] = 0;
		w[o++] = 1;
		w[o++] = 44;
		rdlen_at = o;
		o += 2;
		rdstart = o;
		if (type == LDNS_RR_TYPE_TXT) {
			int strings = 1 + (int)(rand_r(&seed) % 3);
			for (int s = 0; s < strings; s++) {
				int len = (int)(rand_r(&seed) % 40);
				w[o++] = (uint8_t)len;
				for (int k = 0; k < len; k++)
					w[o++] = (uint8_t)(rand_r(&seed) % 256);
			}
		} else {
			if (type == LDNS_RR_TYPE_MX) {
				w[o++] = (uint8_t)(rand_r(&seed) % 256);
				w[o++] = (uint8_t)(rand_r(&seed) % 256);
			}
			int len = 1 + (int)(rand_r(&seed) % 30);
			w[o++] = (uint8_t)len;
			for (int k = 0; k < len; k++)
				w[o++] = (uint8_t)(rand_r(&seed) % 256);
			w[o++] = 0;
		}
		w[rdlen_at] = (uint8_t)((o - rdstart) >> 8);
		w[rdlen_at + 1] = (uint8_t)(o - rdstart);
		size_t pos = 0;
		if (ldns_wire2rr(&rr, w, o, &pos, LDNS_SECTION_ANSWER) != LDNS_STATUS_OK) {
			fprintf(stderr, "case %d: wire not parsed\n", n);
			failures++;
			continue;
		}
		CHECK(same(rr) == 1);
		ldns_rr_free(rr);
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
