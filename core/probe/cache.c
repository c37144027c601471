/* The shared cache: delegations and authoritative answers, dropped when their
 * TTL runs out so a long batch never trusts stale referrals. */
#include "probe/cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

dnsvet_status dnsvet_probe_cache_new(dnsvet_probe_cache **out)
{
	if (!out)
		return DNSVET_ERR_INVALID;
	*out = calloc(1, sizeof(**out));
	return *out ? DNSVET_OK : DNSVET_ERR_NOMEM;
}

void pc_deleg_free(pc_deleg *d)
{
	if (!d)
		return;
	free(d->zone);
	free(d->parent);
	pr_strv_clear(&d->ns);
	pr_strv_clear(&d->glue);
	free(d);
}

void pc_rrset_free(pc_rrset *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->zone);
	pr_strv_clear(&r->rrs);
	free(r->soa);
	free(r);
}

static void answer_free(pc_answer *a)
{
	if (!a)
		return;
	free(a->name);
	dnsvet_result_free(a->res);
	free(a);
}

static void answer_free_v(void *v)
{
	answer_free(v);
}

static void deleg_free_v(void *v)
{
	pc_deleg_free(v);
}

static void rrset_free_v(void *v)
{
	pc_rrset_free(v);
}

void dnsvet_probe_cache_free(dnsvet_probe_cache *c)
{
	if (!c)
		return;
	pr_map_clear(&c->deleg, deleg_free_v);
	pr_map_clear(&c->rrsets, rrset_free_v);
	pr_map_clear(&c->answers, answer_free_v);
	dnsvet_roothints_free(c->hints);
	free(c);
}

pc_deleg *pc_deleg_get(dnsvet_probe_cache *c, const char *zone)
{
	pc_deleg *d = pr_map_get(&c->deleg, zone);

	if (!d) {
		c->stats.misses++;
		return NULL;
	}
	if (d->expires <= pr_now()) {
		pr_map_del(&c->deleg, zone);
		pc_deleg_free(d);
		c->stats.expired++;
		c->stats.misses++;
		return NULL;
	}
	c->stats.hits++;
	return d;
}

int pc_deleg_put(dnsvet_probe_cache *c, pc_deleg *d)
{
	pc_deleg *old = pr_map_get(&c->deleg, d->zone);

	if (pr_map_put(&c->deleg, d->zone, d) != 0) {
		pc_deleg_free(d);
		return -1;
	}
	if (old && old != d)
		pc_deleg_free(old);
	return 0;
}

static void rrset_key(char *buf, size_t len, const char *name, uint16_t type)
{
	snprintf(buf, len, "%u/%s", (unsigned)type, name);
}

pc_rrset *pc_rrset_get(dnsvet_probe_cache *c, const char *name, uint16_t type)
{
	char key[PR_NAME_MAX + 16];
	pc_rrset *r;

	rrset_key(key, sizeof(key), name, type);
	r = pr_map_get(&c->rrsets, key);
	if (!r) {
		c->stats.misses++;
		return NULL;
	}
	if (r->expires <= pr_now()) {
		pr_map_del(&c->rrsets, key);
		pc_rrset_free(r);
		c->stats.expired++;
		c->stats.misses++;
		return NULL;
	}
	c->stats.hits++;
	return r;
}

int pc_rrset_put(dnsvet_probe_cache *c, pc_rrset *r)
{
	char key[PR_NAME_MAX + 16];
	pc_rrset *old;

	rrset_key(key, sizeof(key), r->name, r->type);
	old = pr_map_get(&c->rrsets, key);
	if (pr_map_put(&c->rrsets, key, r) != 0) {
		pc_rrset_free(r);
		return -1;
	}
	if (old && old != r)
		pc_rrset_free(old);
	return 0;
}

const dnsvet_result *pc_answer_get(dnsvet_probe_cache *c, const char *key)
{
	pc_answer *a = pr_map_get(&c->answers, key);

	if (!a) {
		c->stats.misses++;
		return NULL;
	}
	if (a->expires <= pr_now()) {
		pr_map_del(&c->answers, key);
		answer_free(a);
		c->stats.expired++;
		c->stats.misses++;
		return NULL;
	}
	c->stats.hits++;
	return a->res;
}

static void lowest_ttl(const ldns_rr_list *l, int negative, uint32_t *ttl)
{
	for (size_t i = 0; l && i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		uint32_t t = ldns_rr_ttl(rr);

		/* RFC 2308: a negative answer lives min(SOA TTL, MINIMUM) */
		if (negative && ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 7 &&
		    ldns_rdf2native_int32(ldns_rr_rdf(rr, 6)) < t)
			t = ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));
		if (t < *ttl)
			*ttl = t;
	}
}

int pc_answer_put(dnsvet_probe_cache *c, const char *key, const char *name,
                  const dnsvet_result *r)
{
	const ldns_rr_list *ans = dnsvet_result_answer(r);
	int rcode = dnsvet_result_rcode(r), negative;
	uint32_t ttl = UINT32_MAX;
	pc_answer *a, *old;

	if (dnsvet_result_error(r) != DNSVET_QERR_NONE || !dnsvet_result_pkt(r) ||
	    (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN))
		return 0;
	negative = !ans || ldns_rr_list_rr_count(ans) == 0;
	lowest_ttl(ans, 0, &ttl);
	lowest_ttl(dnsvet_result_authority(r), negative, &ttl);
	lowest_ttl(dnsvet_result_additional(r), 0, &ttl);
	/* nothing says how long it holds */
	if (ttl == UINT32_MAX || ttl == 0)
		return 0;
	a = calloc(1, sizeof(*a));
	if (!a || !(a->name = pr_strdup(name)) || !(a->res = dnsvet_result_clone(r))) {
		answer_free(a);
		return -1;
	}
	a->expires = pr_now() + ttl;
	old = pr_map_get(&c->answers, key);
	if (pr_map_put(&c->answers, key, a) != 0) {
		answer_free(a);
		return -1;
	}
	if (old && old != a)
		answer_free(old);
	return 0;
}

static int trim_deleg(const char *key, void *val, void *arg)
{
	unsigned max = *(unsigned *)arg;

	(void)key;
	if (pr_name_labels(((pc_deleg *)val)->zone) > max) {
		pc_deleg_free(val);
		return 1;
	}
	return 0;
}

static int trim_rrset(const char *key, void *val, void *arg)
{
	unsigned max = *(unsigned *)arg;

	(void)key;
	if (pr_name_labels(((pc_rrset *)val)->name) > max) {
		pc_rrset_free(val);
		return 1;
	}
	return 0;
}

static int trim_answer(const char *key, void *val, void *arg)
{
	unsigned max = *(unsigned *)arg;

	(void)key;
	if (pr_name_labels(((pc_answer *)val)->name) > max) {
		answer_free(val);
		return 1;
	}
	return 0;
}

void dnsvet_probe_cache_trim(dnsvet_probe_cache *c, unsigned max_labels)
{
	if (!c)
		return;
	pr_map_filter(&c->answers, trim_answer, &max_labels);
	pr_map_filter(&c->deleg, trim_deleg, &max_labels);
	pr_map_filter(&c->rrsets, trim_rrset, &max_labels);
}

void dnsvet_probe_cache_stats_get(const dnsvet_probe_cache *c, dnsvet_probe_cache_stats *out)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!c)
		return;
	*out = c->stats;
	out->entries = c->deleg.n + c->rrsets.n + c->answers.n;
}
