/* The probe's shared, TTL-honouring cache (struct behind dnsvet_probe_cache). */
#ifndef DNSVET_PROBE_CACHE_H
#define DNSVET_PROBE_CACHE_H

#include <dnsvet/probe.h>
#include "probe/pr_util.h"

/* A zone cut as the parent's referral described it. */
typedef struct pc_deleg {
	char *zone;       /* normalised */
	char *parent;     /* the zone that sent the referral */
	pr_strv ns;       /* NS names, normalised, in referral order */
	pr_strv glue;     /* glue RRs (presentation strings) */
	double expires;   /* pr_now() seconds */
} pc_deleg;

/* An authoritative answer to (name, type), positive or negative. */
typedef struct pc_rrset {
	char *name;
	uint16_t type;
	int rcode;        /* LDNS_RCODE_NOERROR or NXDOMAIN */
	char *zone;       /* the zone whose server answered */
	pr_strv rrs;      /* answer section RRs */
	char *soa;        /* negative answers: the authority SOA */
	double expires;
} pc_rrset;

/* One server's reply to a question about a name outside the domain being checked (the
 * apex of a TLD or of a provider's zone, a name a rule makes up under a TLD): the same
 * for every domain of a batch, so it is asked once per TTL. */
typedef struct pc_answer {
	char *name;       /* the question's name */
	dnsvet_result *res;
	double expires;
} pc_answer;

struct dnsvet_probe_cache {
	pr_map deleg;     /* zone -> pc_deleg */
	pr_map rrsets;    /* "type/name" -> pc_rrset */
	pr_map answers;   /* "zone|addr|type|name" -> pc_answer */
	dnsvet_probe_cache_stats stats;
	dnsvet_roothints *hints;  /* IANA's, loaded on first use */
};

/* NULL when absent or expired (the expired entry is dropped). */
pc_deleg *pc_deleg_get(dnsvet_probe_cache *c, const char *zone);
/* Takes ownership of d (freed on failure); replaces an older entry. */
int pc_deleg_put(dnsvet_probe_cache *c, pc_deleg *d);
void pc_deleg_free(pc_deleg *d);

pc_rrset *pc_rrset_get(dnsvet_probe_cache *c, const char *name, uint16_t type);
int pc_rrset_put(dnsvet_probe_cache *c, pc_rrset *r);
void pc_rrset_free(pc_rrset *r);

/* The reply kept under key, NULL when absent or expired (the expired entry is dropped).
 * Owned by the cache. */
const dnsvet_result *pc_answer_get(dnsvet_probe_cache *c, const char *key);
/* Keeps a copy of r under key for the lowest TTL of its records (the SOA's negative TTL
 * for a reply without answer), when it is an answer or NXDOMAIN that has one; 0 when kept
 * or not worth keeping, -1 when out of memory. */
int pc_answer_put(dnsvet_probe_cache *c, const char *key, const char *name,
                  const dnsvet_result *r);

#endif
