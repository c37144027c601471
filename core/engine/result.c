/* Query results: accessors, ownership transfer, and dig-like rendering. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"

const char *dnsvet_qerror_str(dnsvet_qerror err)
{
	switch (err) {
	case DNSVET_QERR_NONE: return "none";
	case DNSVET_QERR_TIMEOUT: return "timeout";
	case DNSVET_QERR_UNREACHABLE: return "unreachable";
	case DNSVET_QERR_REFUSED: return "refused connection";
	case DNSVET_QERR_MALFORMED: return "malformed answer";
	case DNSVET_QERR_TRUNCATED: return "truncated over TCP";
	case DNSVET_QERR_CLOSED: return "connection closed early";
	case DNSVET_QERR_CANCELLED: return "cancelled";
	case DNSVET_QERR_IO: return "socket error";
	}
	return "unknown error";
}

const char *dnsvet_transport_str(dnsvet_transport t)
{
	return t == DNSVET_TRANSPORT_TCP ? "tcp" : "udp";
}

void eng_result_reset(dnsvet_result *r)
{
	if (r->pkt)
		ldns_pkt_free(r->pkt);
	r->pkt = NULL;
	r->size = 0;
}

const struct sockaddr *dnsvet_result_addr(const dnsvet_result *r, socklen_t *len)
{
	if (len)
		*len = r->addrlen;
	return (const struct sockaddr *)&r->addr;
}

/* Written on first use: most results are never shown, and formatting every address took
 * more than building the query. The result belongs to one thread, like its engine. */
const char *dnsvet_result_addr_str(const dnsvet_result *r)
{
	dnsvet_result *w = (dnsvet_result *)r;

	if (!r->addr_str[0])
		dnsvet_engine_addr_str((const struct sockaddr *)&r->addr, w->addr_str,
		                       sizeof(w->addr_str));
	return r->addr_str;
}

dnsvet_transport dnsvet_result_transport(const dnsvet_result *r) { return r->transport; }
const char *dnsvet_result_qname(const dnsvet_result *r) { return r->qname ? r->qname : ""; }
uint16_t dnsvet_result_qtype(const dnsvet_result *r) { return r->qtype; }
uint16_t dnsvet_result_qclass(const dnsvet_result *r) { return r->qclass; }
dnsvet_qerror dnsvet_result_error(const dnsvet_result *r) { return r->error; }
int dnsvet_result_errno(const dnsvet_result *r) { return r->sys_errno; }
const ldns_pkt *dnsvet_result_pkt(const dnsvet_result *r) { return r->pkt; }
size_t dnsvet_result_size(const dnsvet_result *r) { return r->size; }
double dnsvet_result_rtt_ms(const dnsvet_result *r) { return r->rtt_ms; }
unsigned dnsvet_result_tries(const dnsvet_result *r) { return r->tries; }

int dnsvet_result_rcode(const dnsvet_result *r)
{
	if (!r->pkt)
		return -1;
	return (int)((unsigned)ldns_pkt_edns_extended_rcode(r->pkt) << 4 |
	             (unsigned)ldns_pkt_get_rcode(r->pkt));
}

unsigned dnsvet_result_flags(const dnsvet_result *r)
{
	const ldns_pkt *p = r->pkt;
	unsigned f = 0;

	if (!p)
		return 0;
	if (ldns_pkt_qr(p)) f |= DNSVET_RF_QR;
	if (ldns_pkt_aa(p)) f |= DNSVET_RF_AA;
	if (ldns_pkt_tc(p)) f |= DNSVET_RF_TC;
	if (ldns_pkt_rd(p)) f |= DNSVET_RF_RD;
	if (ldns_pkt_ra(p)) f |= DNSVET_RF_RA;
	if (ldns_pkt_ad(p)) f |= DNSVET_RF_AD;
	if (ldns_pkt_cd(p)) f |= DNSVET_RF_CD;
	return f;
}

const ldns_rr_list *dnsvet_result_answer(const dnsvet_result *r)
{
	return r->pkt ? ldns_pkt_answer(r->pkt) : NULL;
}

const ldns_rr_list *dnsvet_result_authority(const dnsvet_result *r)
{
	return r->pkt ? ldns_pkt_authority(r->pkt) : NULL;
}

const ldns_rr_list *dnsvet_result_additional(const dnsvet_result *r)
{
	return r->pkt ? ldns_pkt_additional(r->pkt) : NULL;
}

dnsvet_result *dnsvet_result_take(const dnsvet_result *r)
{
	if (!r || !r->lent)
		return NULL;
	/* The engine lent the result out; handing it over is the one place the
	 * const view becomes the caller's own object. */
	dnsvet_result *own = (dnsvet_result *)r;
	own->lent = false;
	return own;
}

dnsvet_result *dnsvet_result_clone(const dnsvet_result *r)
{
	dnsvet_result *c;

	if (!r)
		return NULL;
	c = malloc(sizeof(*c));
	if (!c)
		return NULL;
	*c = *r;
	c->lent = false;
	c->pkt = NULL;
	c->qname = NULL;
	if (r->qname && !(c->qname = strdup(r->qname)))
		goto fail;
	if (r->pkt && !(c->pkt = ldns_pkt_clone(r->pkt)))
		goto fail;
	return c;
fail:
	dnsvet_result_free(c);
	return NULL;
}

void dnsvet_result_free(dnsvet_result *r)
{
	if (!r)
		return;
	if (r->pkt)
		ldns_pkt_free(r->pkt);
	free(r->qname);
	free(r);
}

char *dnsvet_result_render(const dnsvet_result *r)
{
	char head[1024];
	char type_buf[32], class_buf[32];
	char *body = NULL, *out;
	size_t hl, bl;
	ldns_buffer *b;

	if (!r)
		return NULL;
	b = ldns_buffer_new(64);
	if (!b)
		return NULL;
	if (ldns_rr_type2buffer_str(b, (ldns_rr_type)r->qtype) == LDNS_STATUS_OK)
		snprintf(type_buf, sizeof(type_buf), "%.*s", (int)ldns_buffer_position(b),
		         (const char *)ldns_buffer_begin(b));
	else
		snprintf(type_buf, sizeof(type_buf), "TYPE%u", r->qtype);
	ldns_buffer_clear(b);
	if (ldns_rr_class2buffer_str(b, (ldns_rr_class)r->qclass) == LDNS_STATUS_OK)
		snprintf(class_buf, sizeof(class_buf), "%.*s", (int)ldns_buffer_position(b),
		         (const char *)ldns_buffer_begin(b));
	else
		snprintf(class_buf, sizeof(class_buf), "CLASS%u", r->qclass);
	ldns_buffer_free(b);

	int n = snprintf(head, sizeof(head),
	                 ";; SERVER: %s (%s) question %s %s %s\n;; rtt %.3f ms, tries %u",
	                 dnsvet_result_addr_str(r), dnsvet_transport_str(r->transport),
	                 dnsvet_result_qname(r),
	                 class_buf, type_buf, r->rtt_ms, r->tries);
	if (n < 0)
		return NULL;
	hl = strlen(head);
	if (r->error != DNSVET_QERR_NONE) {
		n = snprintf(head + hl, sizeof(head) - hl, "\n;; ERROR: %s", dnsvet_qerror_str(r->error));
		hl = strlen(head);
		if (r->sys_errno) {
			char eb[128];
			const char *es = strerror_r(r->sys_errno, eb, sizeof(eb));
			snprintf(head + hl, sizeof(head) - hl, " (%s)", es);
		}
		hl = strlen(head);
	}
	if (hl + 2 < sizeof(head)) {
		head[hl++] = '\n';
		head[hl] = '\0';
	}
	if (r->pkt)
		body = ldns_pkt2str(r->pkt);
	bl = body ? strlen(body) : 0;
	out = malloc(hl + bl + 1);
	if (out) {
		memcpy(out, head, hl);
		if (body)
			memcpy(out + hl, body, bl);
		out[hl + bl] = '\0';
	}
	free(body);
	return out;
}
