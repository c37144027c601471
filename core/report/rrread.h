/* Records of an observation read back from their presentation text, in the form the
 * report compares them (core/report/records.c). */
#ifndef DNSVET_REPORT_RRREAD_H
#define DNSVET_REPORT_RRREAD_H

#include <stddef.h>
#include <stdint.h>

#define RR_READ_NAME_MAX 1100

typedef struct rr_read {
	char owner[RR_READ_NAME_MAX]; /* lowercase, without the trailing dot */
	uint16_t type;
	uint32_t ttl;
	int64_t soa_min;    /* SOA: the MINIMUM field; -1 otherwise */
	char *value;        /* the value as dnsvet_expect_record writes it (names lowercase
	                     * without the trailing dot, MX "PREF HOST", TXT its strings
	                     * joined); malloc'd, NULL when it could not be made */
} rr_read;

/* Reads one record ("owner TTL CLASS TYPE RDATA"). Returns 0, or -1 when ldns cannot read
 * it either (the record is then left out, as ldns_rr_new_frm_str would leave it). The
 * common types as the probe writes them are read directly; anything else goes through
 * ldns. Free with rr_read_clear. */
int rr_read_text(const char *text, rr_read *out);

/* The direct reader alone: -1 for a text it leaves to ldns (out then holds nothing to
 * free). */
int rr_read_text_direct(const char *text, rr_read *out);

/* The same through ldns only: the reference the direct reader must agree with. */
int rr_read_text_ldns(const char *text, rr_read *out);

void rr_read_clear(rr_read *rr);

/* Lowercase, trailing dot removed (not the root's); out holds len bytes. */
void rr_read_name_norm(const char *in, char *out, size_t len);

#endif
