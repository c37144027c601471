#include <stdlib.h>
#include <string.h>

#include "engine/wire.h"

/* Host names as the probe asks them (letters, digits, '-', '_', '*'): their
 * wire form and their text are found without ldns, which builds a packet
 * object and prints through a growing buffer for every query. *len is the wire
 * length; 0 when the name needs ldns (escapes, other characters, or a name
 * ldns would refuse, so that ldns gives the verdict). */
static size_t plain_name(const char *name, uint8_t *wire, size_t cap)
{
	size_t o = 0, lab = 0;

	if (name[0] == '.' && name[1] == '\0') {
		wire[0] = 0;
		return 1;
	}
	for (const char *c = name;; c++) {
		if (*c == '.' || *c == '\0') {
			size_t l = o - lab;
			if (l == 0 || l > LDNS_MAX_LABELLEN || o + 2 > cap)
				return 0;
			wire[lab] = (uint8_t)l;
			o++;
			lab = o;
			if (*c == '\0' || c[1] == '\0')
				break;
			continue;
		}
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '*'))
			return 0;
		if (o + 2 > cap)
			return 0;
		wire[o + 1] = (uint8_t)*c;
		o++;
	}
	wire[o++] = 0;
	return o <= LDNS_MAX_DOMAINLEN ? o : 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

dnsvet_status eng_wire_build(uint8_t *out, size_t cap, size_t *outlen, size_t *qname_len,
                             const char *qname, uint16_t qtype, uint16_t qclass,
                             unsigned qflags, uint16_t edns_size, char **qname_text)
{
	uint8_t name[LDNS_MAX_DOMAINLEN + 1];
	size_t nlen, o;
	char *text = NULL;
	int edns = !(qflags & DNSVET_QF_NOEDNS) && (edns_size || (qflags & DNSVET_QF_DO));

	if (!qname || !*qname)
		return DNSVET_ERR_INVALID;
	nlen = plain_name(qname, name, sizeof(name));
	if (nlen) {
		if (qname_text) {
			size_t tl = strlen(qname);
			int dot = qname[tl - 1] != '.';
			text = malloc(tl + 1 + (size_t)dot);
			if (!text)
				return DNSVET_ERR_NOMEM;
			memcpy(text, qname, tl);
			if (dot)
				text[tl++] = '.';
			text[tl] = '\0';
		}
	} else {
		ldns_rdf *dname = ldns_dname_new_frm_str(qname);
		if (!dname)
			return DNSVET_ERR_INVALID;
		nlen = ldns_rdf_size(dname);
		if (nlen > sizeof(name)) {
			ldns_rdf_deep_free(dname);
			return DNSVET_ERR_INVALID;
		}
		memcpy(name, ldns_rdf_data(dname), nlen);
		if (qname_text && !(text = ldns_rdf2str(dname))) {
			ldns_rdf_deep_free(dname);
			return DNSVET_ERR_NOMEM;
		}
		ldns_rdf_deep_free(dname);
	}
	if (12 + nlen + 4 + (edns ? 11 : 0) > cap) {
		free(text);
		return DNSVET_ERR_INVALID;
	}
	memset(out, 0, 12);
	if (qflags & DNSVET_QF_RD)
		out[2] |= 0x01;
	if (qflags & DNSVET_QF_CD)
		out[3] |= 0x10;
	put16(out + 4, 1);
	put16(out + 10, edns ? 1 : 0);
	memcpy(out + 12, name, nlen);
	o = 12 + nlen;
	put16(out + o, qtype);
	put16(out + o + 2, qclass ? qclass : LDNS_RR_CLASS_IN);
	o += 4;
	if (edns) {
		/* Below 512 is meaningless (RFC 6891 6.2.5); DO alone gets the
		 * flag-day default. */
		uint16_t sz = edns_size ? edns_size : 1232;
		out[o] = 0;
		put16(out + o + 1, LDNS_RR_TYPE_OPT);
		put16(out + o + 3, sz < 512 ? 512 : sz);
		/* extended rcode and version 0, then the flags: DO is the top bit */
		put16(out + o + 5, 0);
		put16(out + o + 7, (qflags & DNSVET_QF_DO) ? 0x8000 : 0);
		put16(out + o + 9, 0);
		o += 11;
	}
	*outlen = o;
	*qname_len = nlen;
	if (qname_text)
		*qname_text = text;
	return DNSVET_OK;
}

static int message_parses(const uint8_t *ans, size_t alen)
{
	ldns_pkt *p = NULL;
	if (ldns_wire2pkt(&p, ans, alen) != LDNS_STATUS_OK)
		return 0;
	ldns_pkt_free(p);
	return 1;
}

static inline uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

static enum eng_verdict check_header_question(const uint8_t *q, size_t qname_len,
                                              const uint8_t *ans, size_t alen);

enum eng_verdict eng_wire_check(const uint8_t *q, size_t qname_len, const uint8_t *ans,
                                size_t alen)
{
	enum eng_verdict v = check_header_question(q, qname_len, ans, alen);
	/* Only a real DNS message counts as an answer to some other query;
	 * bytes that merely start like one are garbage. */
	if ((v == EV_DROP_ID || v == EV_DROP_QUESTION) && !message_parses(ans, alen))
		return EV_GARBAGE;
	return v;
}

static enum eng_verdict check_header_question(const uint8_t *q, size_t qname_len,
                                              const uint8_t *ans, size_t alen)
{
	if (alen < 12)
		return EV_GARBAGE;
	if (eng_wire_id(ans) != eng_wire_id(q))
		return EV_DROP_ID;
	/* A query bounced back (QR clear) is never an answer. */
	if (!(ans[2] & 0x80))
		return EV_GARBAGE;
	if (((ans[2] >> 3) & 0x0f) != ((q[2] >> 3) & 0x0f))
		return EV_DROP_QUESTION;

	uint16_t qdcount = (uint16_t)((ans[4] << 8) | ans[5]);
	uint8_t rcode = ans[3] & 0x0f;
	if (qdcount == 0) {
		/* FORMERR/NOTIMP/REFUSED answers may legitimately drop the question;
		 * a NOERROR or NXDOMAIN without one cannot be tied to our query. */
		if (rcode == LDNS_RCODE_NOERROR || rcode == LDNS_RCODE_NXDOMAIN)
			return EV_DROP_QUESTION;
	} else if (qdcount != 1) {
		return EV_DROP_QUESTION;
	} else {
		size_t off = 12, qoff = 12;
		const size_t qend = 12 + qname_len;
		for (;;) {
			if (off >= alen)
				return EV_MALFORMED;
			uint8_t la = ans[off];
			/* Nothing precedes the first question that a pointer could
			 * legitimately reference. */
			if ((la & 0xc0) || off + 1 + la > alen)
				return EV_MALFORMED;
			if (qoff >= qend || la != q[qoff])
				return EV_DROP_QUESTION;
			for (size_t i = 1; i <= la; i++)
				if (lower(ans[off + i]) != lower(q[qoff + i]))
					return EV_DROP_QUESTION;
			off += 1u + la;
			qoff += 1u + la;
			if (la == 0)
				break;
		}
		if (off + 4 > alen)
			return EV_MALFORMED;
		if (memcmp(ans + off, q + qend, 4) != 0)
			return EV_DROP_QUESTION;
	}
	if (ans[2] & 0x02)
		return EV_TRUNCATED;
	return EV_ACCEPT;
}
