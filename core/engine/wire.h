/* Query messages and the checks an answer must pass before it is trusted. */
#ifndef DNSVET_ENGINE_WIRE_H
#define DNSVET_ENGINE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <dnsvet/engine.h>

/* What to do with a message that arrived for a query. */
enum eng_verdict {
	EV_ACCEPT = 0,    /* ID and question match: parse it and finish */
	EV_TRUNCATED,     /* matches, TC set */
	EV_DROP_ID,       /* a DNS message, but for another ID */
	EV_DROP_QUESTION, /* our ID, another question */
	EV_GARBAGE,       /* not attributable to this query: count it, keep waiting */
	EV_MALFORMED      /* our ID, then broken: the server's own malformed answer */
};

/*
 * Build a query message into out (cap bytes, ENG_QUERY_WIRE_MAX is enough)
 * with ID 0; the ID is patched per try with eng_wire_set_id. *qname_len gets
 * the wire length of the name (which starts at offset 12); *qname_text, if
 * not NULL, the absolute name (caller frees with free()). DNSVET_ERR_INVALID
 * for a name ldns does not accept.
 */
dnsvet_status eng_wire_build(uint8_t *out, size_t cap, size_t *outlen, size_t *qname_len,
                             const char *qname, uint16_t qtype, uint16_t qclass,
                             unsigned qflags, uint16_t edns_size, char **qname_text);

static inline void eng_wire_set_id(uint8_t *msg, uint16_t id)
{
	msg[0] = (uint8_t)(id >> 8);
	msg[1] = (uint8_t)id;
}

static inline uint16_t eng_wire_id(const uint8_t *msg)
{
	return (uint16_t)((msg[0] << 8) | msg[1]);
}

/*
 * Judge answer ans (alen bytes) against query q (a message from
 * eng_wire_build with its ID set; qname_len as returned then). Only header
 * and question are looked at; EV_ACCEPT still needs a full parse.
 */
enum eng_verdict eng_wire_check(const uint8_t *q, size_t qname_len, const uint8_t *ans,
                                size_t alen);

#endif
