#include <stdlib.h>
#include <string.h>

#include "engine/wire.h"

dnsvet_status eng_wire_build(uint8_t *out, size_t cap, size_t *outlen, size_t *qname_len,
                             const char *qname, uint16_t qtype, uint16_t qclass,
                             unsigned qflags, uint16_t edns_size, char **qname_text)
{
	ldns_rdf *dname;
	ldns_pkt *pkt;
	uint8_t *wire = NULL;
	size_t wlen = 0;
	uint16_t hflags = 0;

	if (!qname || !*qname)
		return DNSVET_ERR_INVALID;
	dname = ldns_dname_new_frm_str(qname);
	if (!dname)
		return DNSVET_ERR_INVALID;
	*qname_len = ldns_rdf_size(dname);
	if (qname_text) {
		*qname_text = ldns_rdf2str(dname);
		if (!*qname_text) {
			ldns_rdf_deep_free(dname);
			return DNSVET_ERR_NOMEM;
		}
	}
	if (qflags & DNSVET_QF_RD)
		hflags |= LDNS_RD;
	if (qflags & DNSVET_QF_CD)
		hflags |= LDNS_CD;
	pkt = ldns_pkt_query_new(dname, qtype, qclass ? qclass : LDNS_RR_CLASS_IN, hflags);
	if (!pkt) {
		ldns_rdf_deep_free(dname);
		goto nomem;
	}
	ldns_pkt_set_id(pkt, 0);
	if (!(qflags & DNSVET_QF_NOEDNS) && (edns_size || (qflags & DNSVET_QF_DO))) {
		/* Below 512 is meaningless (RFC 6891 6.2.5); DO alone gets the
		 * flag-day default. */
		uint16_t sz = edns_size ? edns_size : 1232;
		ldns_pkt_set_edns_udp_size(pkt, sz < 512 ? 512 : sz);
		ldns_pkt_set_edns_do(pkt, (qflags & DNSVET_QF_DO) != 0);
	}
	if (ldns_pkt2wire(&wire, pkt, &wlen) != LDNS_STATUS_OK || !wire) {
		ldns_pkt_free(pkt);
		goto nomem;
	}
	ldns_pkt_free(pkt);
	if (wlen > cap) {
		free(wire);
		if (qname_text) {
			free(*qname_text);
			*qname_text = NULL;
		}
		return DNSVET_ERR_INVALID;
	}
	memcpy(out, wire, wlen);
	free(wire);
	*outlen = wlen;
	return DNSVET_OK;
nomem:
	if (qname_text) {
		free(*qname_text);
		*qname_text = NULL;
	}
	return DNSVET_ERR_NOMEM;
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
