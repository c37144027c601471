/* Engine packets without a network: query building, answer matching
 * verdicts, hostile bytes, result rendering. */
#include <stdint.h>
#include <sys/random.h>

#include <dnsvet/engine.h>
#include "engine/engine_int.h"
#include "engine/wire.h"
#include "test_engine_check.h"

struct built {
	uint8_t wire[ENG_QUERY_WIRE_MAX];
	size_t len, qname_len;
	char *text;
};

static dnsvet_status build(struct built *b, const char *name, uint16_t type, unsigned flags,
                           uint16_t edns)
{
	memset(b, 0, sizeof(*b));
	return eng_wire_build(b->wire, sizeof(b->wire), &b->len, &b->qname_len, name, type,
	                      LDNS_RR_CLASS_IN, flags, edns, &b->text);
}

static void test_build(void)
{
	struct built b;
	ldns_pkt *p = NULL;

	CHECK(build(&b, "Example.COM", LDNS_RR_TYPE_TXT, DNSVET_QF_RD | DNSVET_QF_DO, 1232) ==
	      DNSVET_OK);
	CHECK_STR(b.text, "Example.COM.");
	CHECK_EQ(b.qname_len, 13);
	eng_wire_set_id(b.wire, 0xbeef);
	CHECK_EQ(eng_wire_id(b.wire), 0xbeef);
	CHECK(ldns_wire2pkt(&p, b.wire, b.len) == LDNS_STATUS_OK);
	if (p) {
		CHECK_EQ(ldns_pkt_id(p), 0xbeef);
		CHECK(ldns_pkt_rd(p));
		CHECK(!ldns_pkt_cd(p));
		CHECK(!ldns_pkt_qr(p));
		CHECK(ldns_pkt_edns(p));
		CHECK_EQ(ldns_pkt_edns_udp_size(p), 1232);
		CHECK(ldns_pkt_edns_do(p));
		CHECK_EQ(ldns_pkt_qdcount(p), 1);
		const ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(p), 0);
		CHECK_EQ(ldns_rr_get_type(q), LDNS_RR_TYPE_TXT);
		char *owner = ldns_rdf2str(ldns_rr_owner(q));
		CHECK_STR(owner, "Example.COM.");
		free(owner);
		ldns_pkt_free(p);
	}
	free(b.text);

	/* No OPT record when asked for none, even with an EDNS size set. */
	CHECK(build(&b, "example.com.", LDNS_RR_TYPE_A, DNSVET_QF_NOEDNS | DNSVET_QF_CD, 1232) ==
	      DNSVET_OK);
	CHECK_EQ(b.wire[11], 0); /* ARCOUNT low byte */
	CHECK(b.wire[3] & 0x10); /* CD */
	CHECK(!(b.wire[2] & 0x01)); /* RD */
	free(b.text);
	/* edns_size 0 and no DO: plain query; DO alone: OPT with 1232. */
	CHECK(build(&b, "example.com.", LDNS_RR_TYPE_A, 0, 0) == DNSVET_OK);
	CHECK_EQ(b.wire[11], 0);
	free(b.text);
	CHECK(build(&b, "example.com.", LDNS_RR_TYPE_A, DNSVET_QF_DO, 0) == DNSVET_OK);
	CHECK_EQ(b.wire[11], 1);
	p = NULL;
	CHECK(ldns_wire2pkt(&p, b.wire, b.len) == LDNS_STATUS_OK);
	if (p) {
		CHECK_EQ(ldns_pkt_edns_udp_size(p), 1232);
		ldns_pkt_free(p);
	}
	free(b.text);
	CHECK(build(&b, ".", LDNS_RR_TYPE_NS, 0, 1232) == DNSVET_OK);
	CHECK_EQ(b.qname_len, 1);
	CHECK_STR(b.text, ".");
	free(b.text);

	/* Names ldns refuses never reach the wire. */
	CHECK(build(&b, "a..b", LDNS_RR_TYPE_A, 0, 0) == DNSVET_ERR_INVALID);
	CHECK(build(&b, "", LDNS_RR_TYPE_A, 0, 0) == DNSVET_ERR_INVALID);
	char longname[400];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	for (size_t i = 60; i < sizeof(longname) - 1; i += 61)
		longname[i] = '.';
	CHECK(build(&b, longname, LDNS_RR_TYPE_A, 0, 0) == DNSVET_ERR_INVALID);
	char biglabel[80];
	memset(biglabel, 'b', 70);
	strcpy(biglabel + 70, ".com");
	CHECK(build(&b, biglabel, LDNS_RR_TYPE_A, 0, 0) == DNSVET_ERR_INVALID);
}

/* The query ldns itself builds for the same question (ID 0). */
static size_t ldns_query(const char *name, uint16_t type, unsigned flags, uint16_t edns,
                         uint8_t *out, size_t cap, char **text)
{
	ldns_rdf *dname = ldns_dname_new_frm_str(name);
	uint16_t hflags = 0;
	uint8_t *wire = NULL;
	size_t len = 0;
	ldns_pkt *p;

	*text = NULL;
	if (!dname)
		return 0;
	*text = ldns_rdf2str(dname);
	if (flags & DNSVET_QF_RD)
		hflags |= LDNS_RD;
	if (flags & DNSVET_QF_CD)
		hflags |= LDNS_CD;
	p = ldns_pkt_query_new(dname, type, LDNS_RR_CLASS_IN, hflags);
	ldns_pkt_set_id(p, 0);
	if (!(flags & DNSVET_QF_NOEDNS) && (edns || (flags & DNSVET_QF_DO))) {
		uint16_t sz = edns ? edns : 1232;
		ldns_pkt_set_edns_udp_size(p, sz < 512 ? 512 : sz);
		ldns_pkt_set_edns_do(p, (flags & DNSVET_QF_DO) != 0);
	}
	if (ldns_pkt2wire(&wire, p, &len) != LDNS_STATUS_OK || len > cap)
		len = 0;
	else
		memcpy(out, wire, len);
	free(wire);
	ldns_pkt_free(p);
	return len;
}

/* Every query is byte for byte the one ldns builds, with the same name text. */
static void test_build_same_as_ldns(void)
{
	static const char *names[] = {
		"example.com", "example.com.", "Example.COM", ".", "a", "a.", "_dmarc.shop.test.",
		"tok1._domainkey.shop.test", "*.wild.test.", "x-y_z.test", "a\\.b.test.",
		"\\065bc.test", "sp\\ ace.test.", "semi\\;colon.test", "a..b", "", "..", ".a",
		"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.0.1.2.3.4.5.6.7.8.9",
	};
	static const unsigned flags[] = {0, DNSVET_QF_RD, DNSVET_QF_RD | DNSVET_QF_CD, DNSVET_QF_DO,
	                                 DNSVET_QF_NOEDNS, DNSVET_QF_NOEDNS | DNSVET_QF_DO | DNSVET_QF_RD};
	static const uint16_t sizes[] = {0, 100, 512, 1232, 4096};
	char longest[300];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) + 2; i++) {
		const char *name = i < sizeof(names) / sizeof(names[0]) ? names[i] : longest;
		if (name == longest) {
			/* the longest name (253 characters, 255 on the wire), then one over */
			size_t n = 0;
			while (n < 253) {
				size_t l = 253 - n >= 64 ? 63 : 253 - n;
				memset(longest + n, 'q', l);
				n += l;
				if (n < 253)
					longest[n++] = '.';
			}
			longest[n] = '\0';
			if (i == sizeof(names) / sizeof(names[0]) + 1)
				strcpy(longest + n, "q");
		}
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
			for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
				uint8_t want[ENG_QUERY_WIRE_MAX];
				char *wtext;
				struct built b;
				size_t wlen = ldns_query(name, LDNS_RR_TYPE_TXT, flags[f], sizes[z], want,
				                         sizeof(want), &wtext);
				dnsvet_status st = build(&b, name, LDNS_RR_TYPE_TXT, flags[f], sizes[z]);
				if (!wlen) {
					CHECK(st == DNSVET_ERR_INVALID);
				} else {
					CHECK(st == DNSVET_OK);
					if (st == DNSVET_OK) {
						CHECK_EQ(b.len, wlen);
						CHECK(b.len == wlen && memcmp(b.wire, want, wlen) == 0);
						CHECK_STR(b.text, wtext);
						CHECK_EQ(b.qname_len, wlen - 12 - 4 - (b.wire[11] ? 11 : 0));
					}
				}
				if (st == DNSVET_OK)
					free(b.text);
				free(wtext);
			}
		}
	}
}

/* An answer to q made by ldns; caller frees *out. */
static void make_answer(const struct built *q, uint8_t **out, size_t *len, void (*tweak)(ldns_pkt *))
{
	ldns_pkt *p = NULL;
	*out = NULL;
	CHECK(ldns_wire2pkt(&p, q->wire, q->len) == LDNS_STATUS_OK);
	if (!p)
		return;
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, true);
	ldns_rr *rr = NULL;
	CHECK(ldns_rr_new_frm_str(&rr, "www.example.com. 300 IN A 192.0.2.7", 0, NULL, NULL) ==
	      LDNS_STATUS_OK);
	ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	if (tweak)
		tweak(p);
	CHECK(ldns_pkt2wire(out, p, len) == LDNS_STATUS_OK);
	ldns_pkt_free(p);
}

static void tw_upper(ldns_pkt *p)
{
	ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(p), 0);
	ldns_rdf *n = ldns_dname_new_frm_str("WwW.ExAmPlE.CoM.");
	ldns_rdf_deep_free(ldns_rr_owner(q));
	ldns_rr_set_owner(q, n);
}

static void tw_other_name(ldns_pkt *p)
{
	ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(p), 0);
	ldns_rdf *n = ldns_dname_new_frm_str("wwx.example.com.");
	ldns_rdf_deep_free(ldns_rr_owner(q));
	ldns_rr_set_owner(q, n);
}

static void tw_longer_name(ldns_pkt *p)
{
	ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(p), 0);
	ldns_rdf *n = ldns_dname_new_frm_str("www.example.com.evil.");
	ldns_rdf_deep_free(ldns_rr_owner(q));
	ldns_rr_set_owner(q, n);
}

static void tw_type(ldns_pkt *p)
{
	ldns_rr_set_type(ldns_rr_list_rr(ldns_pkt_question(p), 0), LDNS_RR_TYPE_AAAA);
}

static void tw_class(ldns_pkt *p)
{
	ldns_rr_set_class(ldns_rr_list_rr(ldns_pkt_question(p), 0), LDNS_RR_CLASS_CH);
}

static void tw_tc(ldns_pkt *p) { ldns_pkt_set_tc(p, true); }
static void tw_qr0(ldns_pkt *p) { ldns_pkt_set_qr(p, false); }
static void tw_id(ldns_pkt *p) { ldns_pkt_set_id(p, (uint16_t)(ldns_pkt_id(p) + 1)); }
static void tw_opcode(ldns_pkt *p) { ldns_pkt_set_opcode(p, LDNS_PACKET_NOTIFY); }

static void tw_no_question(ldns_pkt *p)
{
	ldns_rr_list_deep_free(ldns_pkt_question(p));
	ldns_pkt_set_question(p, ldns_rr_list_new());
	ldns_pkt_set_qdcount(p, 0);
	ldns_rr_list_deep_free(ldns_pkt_answer(p));
	ldns_pkt_set_answer(p, ldns_rr_list_new());
	ldns_pkt_set_ancount(p, 0);
}

static void tw_refused_noq(ldns_pkt *p)
{
	tw_no_question(p);
	ldns_pkt_set_rcode(p, LDNS_RCODE_REFUSED);
}

static enum eng_verdict verdict_of(const struct built *q, void (*tweak)(ldns_pkt *))
{
	uint8_t *a = NULL;
	size_t alen = 0;
	make_answer(q, &a, &alen, tweak);
	if (!a)
		return EV_GARBAGE;
	enum eng_verdict v = eng_wire_check(q->wire, q->qname_len, a, alen);
	free(a);
	return v;
}

static void test_verdicts(void)
{
	struct built q;

	CHECK(build(&q, "www.example.com", LDNS_RR_TYPE_A, 0, 1232) == DNSVET_OK);
	eng_wire_set_id(q.wire, 0x1234);

	CHECK_EQ(verdict_of(&q, NULL), EV_ACCEPT);
	CHECK_EQ(verdict_of(&q, tw_upper), EV_ACCEPT); /* qname compare is case-insensitive */
	CHECK_EQ(verdict_of(&q, tw_id), EV_DROP_ID);
	CHECK_EQ(verdict_of(&q, tw_other_name), EV_DROP_QUESTION);
	CHECK_EQ(verdict_of(&q, tw_longer_name), EV_DROP_QUESTION);
	CHECK_EQ(verdict_of(&q, tw_type), EV_DROP_QUESTION);
	CHECK_EQ(verdict_of(&q, tw_class), EV_DROP_QUESTION);
	CHECK_EQ(verdict_of(&q, tw_opcode), EV_DROP_QUESTION);
	CHECK_EQ(verdict_of(&q, tw_tc), EV_TRUNCATED);
	CHECK_EQ(verdict_of(&q, tw_qr0), EV_GARBAGE);
	CHECK_EQ(verdict_of(&q, tw_no_question), EV_DROP_QUESTION);
	CHECK_EQ(verdict_of(&q, tw_refused_noq), EV_ACCEPT);

	/* Hand-made hostile answers. */
	uint8_t a[64];
	memset(a, 0, sizeof(a));
	a[0] = 0x12; a[1] = 0x34; a[2] = 0x81; a[3] = 0x80;
	CHECK_EQ(eng_wire_check(q.wire, q.qname_len, a, 5), EV_GARBAGE);   /* short */
	CHECK_EQ(eng_wire_check(q.wire, q.qname_len, a, 0), EV_GARBAGE);
	a[5] = 1; /* qdcount 1 */
	CHECK_EQ(eng_wire_check(q.wire, q.qname_len, a, 12), EV_MALFORMED); /* question missing */
	a[12] = 0xc0; a[13] = 0x0c; /* compression pointer as first question name */
	CHECK_EQ(eng_wire_check(q.wire, q.qname_len, a, 20), EV_MALFORMED);
	a[12] = 3; memcpy(a + 13, "www", 3); a[16] = 50; /* label runs past the end */
	CHECK_EQ(eng_wire_check(q.wire, q.qname_len, a, 20), EV_MALFORMED);
	/* Our ID and question, then bogus counts: caught by the full parse. */
	memcpy(a + 12, q.wire + 12, q.qname_len + 4);
	a[7] = 5; a[9] = 7; a[11] = 9;
	size_t alen = 12 + q.qname_len + 4 + 10;
	CHECK_EQ(eng_wire_check(q.wire, q.qname_len, a, alen), EV_ACCEPT);
	ldns_pkt *p = NULL;
	CHECK(ldns_wire2pkt(&p, a, alen) != LDNS_STATUS_OK);
	if (p)
		ldns_pkt_free(p);
	/* Another ID and unparseable: garbage, not a wrong-ID answer. */
	a[0] = 0x99;
	CHECK_EQ(eng_wire_check(q.wire, q.qname_len, a, alen), EV_GARBAGE);
	free(q.text);
}

/* Random bytes, and random corruptions of a valid answer: the checks and
 * the parse must return, whatever they say. */
static void test_fuzz(void)
{
	struct built q;
	uint8_t *good = NULL;
	size_t glen = 0;
	uint8_t buf[600];
	unsigned counts[6] = { 0 };

	CHECK(build(&q, "www.example.com", LDNS_RR_TYPE_A, 0, 1232) == DNSVET_OK);
	eng_wire_set_id(q.wire, 0x1234);
	make_answer(&q, &good, &glen, NULL);
	if (!good)
		return;
	for (int i = 0; i < 20000; i++) {
		size_t len;
		if (i & 1) {
			len = glen;
			memcpy(buf, good, glen);
			uint8_t r[8];
			if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
				break;
			for (int k = 0; k < 3; k++)
				buf[r[k] % glen] = r[k + 3];
			len = glen - (r[6] % 4 == 0 ? r[7] % glen : 0);
		} else {
			uint8_t l[2];
			if (getrandom(l, 2, 0) != 2)
				break;
			len = (size_t)((l[0] << 8 | l[1]) % sizeof(buf));
			if (getrandom(buf, len, 0) != (ssize_t)len)
				break;
			buf[0] = 0x12;
			buf[1] = 0x34;
		}
		enum eng_verdict v = eng_wire_check(q.wire, q.qname_len, buf, len);
		CHECK(v <= EV_MALFORMED);
		counts[v]++;
		ldns_pkt *p = NULL;
		if (ldns_wire2pkt(&p, buf, len) == LDNS_STATUS_OK && p) {
			char *s = ldns_pkt2str(p);
			free(s);
			ldns_pkt_free(p);
		}
	}
	/* Corrupting one byte of a valid answer leaves most of them acceptable. */
	CHECK(counts[EV_ACCEPT] > 0);
	CHECK(counts[EV_MALFORMED] + counts[EV_GARBAGE] > 0);
	free(good);
	free(q.text);
}

static void test_render(void)
{
	dnsvet_result *r = calloc(1, sizeof(*r));
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK(dnsvet_engine_addr_parse("192.0.2.53", 53, &r->addr, &r->addrlen) == DNSVET_OK);
	dnsvet_engine_addr_str((struct sockaddr *)&r->addr, r->addr_str, sizeof(r->addr_str));
	r->qname = strdup("www.example.com.");
	r->qtype = LDNS_RR_TYPE_A;
	r->qclass = LDNS_RR_CLASS_IN;
	r->error = DNSVET_QERR_REFUSED;
	r->sys_errno = 111;
	r->tries = 1;
	char *txt = dnsvet_result_render(r);
	CHECK_CONTAINS(txt, "192.0.2.53:53 (udp)");
	CHECK_CONTAINS(txt, "www.example.com. IN A");
	CHECK_CONTAINS(txt, "ERROR: refused connection");
	free(txt);
	CHECK_EQ(dnsvet_result_rcode(r), -1);
	CHECK_EQ(dnsvet_result_flags(r), 0);
	CHECK(dnsvet_result_answer(r) == NULL);

	struct built q;
	uint8_t *a = NULL;
	size_t alen = 0;
	CHECK(build(&q, "www.example.com", LDNS_RR_TYPE_A, 0, 1232) == DNSVET_OK);
	make_answer(&q, &a, &alen, NULL);
	CHECK(ldns_wire2pkt(&r->pkt, a, alen) == LDNS_STATUS_OK);
	r->error = DNSVET_QERR_NONE;
	r->sys_errno = 0;
	r->transport = DNSVET_TRANSPORT_TCP;
	r->rtt_ms = 1.25;
	txt = dnsvet_result_render(r);
	CHECK_CONTAINS(txt, "(tcp)");
	CHECK_CONTAINS(txt, "rtt 1.250 ms, tries 1");
	CHECK_CONTAINS(txt, "192.0.2.7");
	CHECK(!strstr(txt, ";; ERROR:"));
	free(txt);
	CHECK_EQ(dnsvet_result_rcode(r), 0);
	CHECK_EQ(dnsvet_result_flags(r), DNSVET_RF_QR | DNSVET_RF_AA);
	CHECK_EQ(ldns_rr_list_rr_count(dnsvet_result_answer(r)), 1);

	/* take only works on a lent result; clone always. */
	CHECK(dnsvet_result_take(r) == NULL);
	dnsvet_result *c = dnsvet_result_clone(r);
	CHECK(c != NULL && c->pkt != r->pkt && c->qname != r->qname);
	if (c)
		CHECK_STR(dnsvet_result_qname(c), "www.example.com.");
	dnsvet_result_free(c);
	CHECK_STR(dnsvet_qerror_str(DNSVET_QERR_TIMEOUT), "timeout");
	CHECK_STR(dnsvet_qerror_str(DNSVET_QERR_REFUSED), "refused connection");
	free(a);
	free(q.text);
	dnsvet_result_free(r);
}

int main(void)
{
	test_build();
	test_build_same_as_ldns();
	test_verdicts();
	test_fuzz();
	test_render();
	return t_finish("test_engine_wire");
}
