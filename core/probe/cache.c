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

void dnsvet_probe_cache_trim(dnsvet_probe_cache *c, unsigned max_labels)
{
	if (!c)
		return;
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
	out->entries = c->deleg.n + c->rrsets.n;
}
