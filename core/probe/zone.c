/* Zones met while probing: their servers, server addresses and the state of
 * each address (authoritative or lame). */
#include "probe/probe_int.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

void pr_zone_free(pr_zone *z)
{
	if (!z)
		return;
	free(z->name);
	free(z->parent);
	pr_strv_clear(&z->parent_ns);
	pr_strv_clear(&z->glue);
	pr_strv_clear(&z->child_ns);
	free(z->soa);
	for (size_t i = 0; i < z->servers.n; i++) {
		pr_server *s = z->servers.v[i];
		for (size_t k = 0; k < s->addrs.n; k++)
			free(s->addrs.v[k]);
		pr_ptrv_clear(&s->addrs);
		free(s->name);
		free(s->addr_error);
		free(s);
	}
	pr_ptrv_clear(&z->servers);
	pr_strv_clear(&z->errors);
	free(z->dead_reason);
	pr_strv_clear(&z->upward_targets);
	pr_ptrv_clear(&z->batch);
	pr_ptrv_clear(&z->waiting);
	pr_ptrv_clear(&z->waiting_lk);
	free(z);
}

pr_zone *pr_zone_get(pr_probe *p, const char *name)
{
	return pr_map_get(&p->zones, name);
}

pr_zone *pr_zone_new(pr_probe *p, const char *name, const char *parent, unsigned depth)
{
	pr_zone *z = calloc(1, sizeof(*z));

	if (!z)
		goto oom;
	z->name = pr_strdup(name);
	z->parent = parent ? pr_strdup(parent) : NULL;
	z->depth = depth;
	if (!z->name || (parent && !z->parent) || pr_map_put(&p->zones, name, z) != 0)
		goto oom;
	if (pr_ptrv_push(&p->zone_list, z) != 0) {
		pr_map_del(&p->zones, name);
		goto oom;
	}
	return z;
oom:
	pr_zone_free(z);
	pr_oom(p);
	return NULL;
}

pr_server *pr_zone_server(pr_probe *p, pr_zone *z, const char *name, unsigned source)
{
	pr_server *s;

	for (size_t i = 0; i < z->servers.n; i++) {
		s = z->servers.v[i];
		if (strcmp(s->name, name) == 0) {
			s->source |= source;
			return s;
		}
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->name = pr_strdup(name)) || pr_ptrv_push(&z->servers, s) != 0) {
		if (s)
			free(s->name);
		free(s);
		pr_oom(p);
		return NULL;
	}
	s->source = source;
	return s;
}

static int same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
	}
	return 0;
}

pr_addr *pr_server_add_addr(pr_probe *p, pr_zone *z, pr_server *s,
                            const struct sockaddr_storage *ss, socklen_t len, unsigned depth)
{
	pr_addr *a;

	for (size_t i = 0; i < s->addrs.n; i++) {
		a = s->addrs.v[i];
		if (same_addr(&a->ss, ss))
			return a;
	}
	a = calloc(1, sizeof(*a));
	if (!a || pr_ptrv_push(&s->addrs, a) != 0) {
		free(a);
		pr_oom(p);
		return NULL;
	}
	memcpy(&a->ss, ss, len);
	a->len = len;
	a->depth = depth;
	pr_addr_show((const struct sockaddr *)ss, a->text, sizeof(a->text));
	/* Root hints are configuration, trusted as given. */
	if (!p->opts.lab && z != p->root && pr_addr_is_private((const struct sockaddr *)ss))
		a->skip = "private_address";
	if (a->skip)
		return a;
	for (size_t i = 0; i < z->batch.n; i++)
		pr_batch_addr(p, z->batch.v[i], z, s, a);
	pr_zone_kick(p, z);
	return a;
}

/* Addresses usable for queries: IPv4 first (an IPv6 path is more often
 * missing), then server order. */
size_t pr_zone_addrs(pr_zone *z, pr_addr **out, pr_server **srv, size_t max)
{
	size_t n = 0;

	for (int fam = 0; fam < 2; fam++) {
		for (size_t i = 0; i < z->servers.n; i++) {
			pr_server *s = z->servers.v[i];
			for (size_t k = 0; k < s->addrs.n; k++) {
				pr_addr *a = s->addrs.v[k];
				int v6 = a->ss.ss_family == AF_INET6;
				if (a->skip || v6 != fam || n >= max)
					continue;
				out[n] = a;
				if (srv)
					srv[n] = s;
				n++;
			}
		}
	}
	return n;
}

int pr_zone_unresolved(pr_zone *z)
{
	int n = 0;

	if (z->settled)
		return 0;
	for (size_t i = 0; i < z->servers.n; i++) {
		pr_server *s = z->servers.v[i];
		if (s->addr_state != 2)
			n++;
	}
	return n;
}

static pr_lwait *lwait_new(pr_probe *p, int kind)
{
	pr_lwait *w = calloc(1, sizeof(*w));

	if (!w || pr_ptrv_push(&p->lwaits, w) != 0) {
		free(w);
		pr_oom(p);
		return NULL;
	}
	w->kind = kind;
	return w;
}

void pr_server_resolve(pr_probe *p, pr_zone *z, pr_server *s)
{
	static const uint16_t types[2] = {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA};

	if (s->addr_state != 0)
		return;
	s->addr_state = 1;
	s->addr_pending = 2;
	for (int i = 0; i < 2; i++) {
		pr_lookup *lk = pr_lookup_get(p, s->name, types[i], z->depth);
		pr_lwait *w = lwait_new(p, 1);
		if (!lk || !w) {
			s->addr_pending--;
			continue;
		}
		w->zone = z;
		w->srv = s;
		pr_lookup_wait(p, lk, w);
	}
	if (s->addr_pending <= 0 && s->addr_state == 1) {
		s->addr_state = 2;
		pr_zone_kick(p, z);
	}
}

void pr_server_lookup_done(pr_probe *p, pr_zone *z, pr_server *s, pr_lookup *lk)
{
	for (size_t i = 0; i < lk->rrs.n; i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		char owner[PR_NAME_MAX];
		const char *rd;
		uint16_t type;
		if (pr_rr_text_split(lk->rrs.v[i], owner, &type, &rd) == 0 && type == lk->type &&
		    pr_text_addr(type, rd, &ss, &len) == 0)
			pr_server_add_addr(p, z, s, &ss, len, lk->depth);
	}
	if (lk->rcode != LDNS_RCODE_NOERROR && !s->addr_error) {
		if (lk->error)
			s->addr_error = pr_strfmt("%s: %s", s->name, lk->error);
		else if (lk->rcode == LDNS_RCODE_NXDOMAIN)
			s->addr_error = pr_strfmt("%s does not exist (NXDOMAIN)", s->name);
	}
	if (--s->addr_pending <= 0) {
		s->addr_state = 2;
		if (!s->addrs.n && !s->addr_error)
			s->addr_error = pr_strfmt("%s has no A or AAAA record", s->name);
		pr_zone_kick(p, z);
	}
}

void pr_zone_resolve_all(pr_probe *p, pr_zone *z)
{
	/* Servers can be added while resolving (nothing else appends here, but
	 * be safe with an index loop). */
	for (size_t i = 0; i < z->servers.n; i++)
		pr_server_resolve(p, z, z->servers.v[i]);
}

void pr_zone_kick(pr_probe *p, pr_zone *z)
{
	pr_ptrv steps = z->waiting, lks = z->waiting_lk;

	if (!steps.n && !lks.n)
		return;
	memset(&z->waiting, 0, sizeof(z->waiting));
	memset(&z->waiting_lk, 0, sizeof(z->waiting_lk));
	for (size_t i = 0; i < steps.n; i++)
		pr_step_kick(p, steps.v[i]);
	for (size_t i = 0; i < lks.n; i++)
		pr_lookup_ask(p, lks.v[i]);
	pr_ptrv_clear(&steps);
	pr_ptrv_clear(&lks);
}

void pr_zone_fail(pr_probe *p, pr_zone *z, const char *reason)
{
	pr_ptrv steps = z->waiting, lks = z->waiting_lk;

	z->dead = 1;
	if (!z->dead_reason)
		z->dead_reason = pr_strdup(reason);
	pr_strv_push_unique(&z->errors, reason);
	memset(&z->waiting, 0, sizeof(z->waiting));
	memset(&z->waiting_lk, 0, sizeof(z->waiting_lk));
	for (size_t i = 0; i < steps.n; i++)
		pr_step_kick(p, steps.v[i]);
	for (size_t i = 0; i < lks.n; i++)
		pr_lookup_ask(p, lks.v[i]);
	pr_ptrv_clear(&steps);
	pr_ptrv_clear(&lks);
}

static void add_glue_addrs(pr_probe *p, pr_zone *z, unsigned depth)
{
	for (size_t i = 0; i < z->glue.n; i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		char owner[PR_NAME_MAX];
		const char *rd;
		uint16_t type;
		if (pr_rr_text_split(z->glue.v[i], owner, &type, &rd) == 0 &&
		    pr_text_addr(type, rd, &ss, &len) == 0) {
			for (size_t k = 0; k < z->servers.n; k++) {
				pr_server *s = z->servers.v[k];
				if (strcmp(s->name, owner) == 0)
					pr_server_add_addr(p, z, s, &ss, len, depth);
			}
		}
	}
}

static pr_zone *zone_from_deleg(pr_probe *p, const pc_deleg *d, unsigned depth)
{
	pr_zone *z = pr_zone_new(p, d->zone, d->parent, depth);

	if (!z)
		return NULL;
	if (pr_strv_copy(&z->parent_ns, &d->ns) != 0 || pr_strv_copy(&z->glue, &d->glue) != 0)
		pr_oom(p);
	for (size_t i = 0; i < d->ns.n; i++)
		pr_zone_server(p, z, d->ns.v[i], PR_SRC_PARENT);
	add_glue_addrs(p, z, depth);
	return z;
}

pr_zone *pr_zone_root(pr_probe *p)
{
	const dnsvet_roothints *h = p->opts.roothints;
	pr_zone *z;

	if (p->root)
		return p->root;
	if (!h) {
		if (!p->cache->hints && dnsvet_roothints_default(&p->cache->hints) != DNSVET_OK)
			return NULL;
		h = p->cache->hints;
	}
	z = pr_zone_new(p, "", NULL, 0);
	if (!z)
		return NULL;
	p->root = z;
	for (size_t i = 0; i < dnsvet_addrlist_count(h); i++) {
		const dnsvet_server_addr *e = dnsvet_addrlist_get(h, i);
		char nm[PR_NAME_MAX];
		pr_server *s;
		if (pr_name_norm(e->name, nm) != 0)
			snprintf(nm, sizeof(nm), "root-%zu", i);
		s = pr_zone_server(p, z, nm, PR_SRC_PARENT);
		if (!s)
			return NULL;
		s->addr_state = 2;
		pr_server_add_addr(p, z, s, &e->addr, e->addrlen, 0);
	}
	return z;
}

pr_zone *pr_zone_deepest(pr_probe *p, const char *name)
{
	const char *a = name;

	for (;;) {
		pr_zone *z;
		pc_deleg *d;
		if (!*a)
			return pr_zone_root(p);
		z = pr_zone_get(p, a);
		if (z)
			return z;
		d = pc_deleg_get(p->cache, a);
		if (d) {
			p->stats.cache_hits++;
			return zone_from_deleg(p, d, 0);
		}
		a = pr_name_parent(a);
	}
}

pr_zone *pr_zone_from_referral(pr_probe *p, pr_zone *parent, const char *cut,
                               const dnsvet_result *r, unsigned depth)
{
	const ldns_rr_list *auth = dnsvet_result_authority(r);
	const ldns_rr_list *add = dnsvet_result_additional(r);
	pr_zone *z = pr_zone_get(p, cut);
	pc_deleg *d;
	uint32_t ttl = UINT32_MAX;

	if (z)
		return z;
	d = calloc(1, sizeof(*d));
	if (!d || !(d->zone = pr_strdup(cut)) || !(d->parent = pr_strdup(parent->name)))
		goto oom;
	for (size_t i = 0; auth && i < ldns_rr_list_rr_count(auth); i++) {
		ldns_rr *rr = ldns_rr_list_rr(auth, i);
		char on[PR_NAME_MAX], tn[PR_NAME_MAX];
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NS || ldns_rr_rd_count(rr) < 1)
			continue;
		if (pr_rdf_name(ldns_rr_owner(rr), on) == 0 && strcmp(on, cut) == 0 &&
		    pr_rdf_name(ldns_rr_rdf(rr, 0), tn) == 0) {
			if (pr_strv_push_unique(&d->ns, tn) != 0)
				goto oom;
			if (ldns_rr_ttl(rr) < ttl)
				ttl = ldns_rr_ttl(rr);
		}
	}
	for (size_t i = 0; add && i < ldns_rr_list_rr_count(add); i++) {
		ldns_rr *rr = ldns_rr_list_rr(add, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		char on[PR_NAME_MAX];
		if (t != LDNS_RR_TYPE_A && t != LDNS_RR_TYPE_AAAA)
			continue;
		/* Glue outside the parent's own namespace is not the parent's to give. */
		if (pr_rdf_name(ldns_rr_owner(rr), on) == 0 && pr_strv_has(&d->ns, on) &&
		    pr_name_is_sub(on, parent->name)) {
			char *s = pr_rr_str(rr);
			if (!s || pr_strv_push(&d->glue, s) != 0) {
				free(s);
				goto oom;
			}
			free(s);
		}
	}
	if (ttl == UINT32_MAX)
		ttl = 0;
	d->expires = pr_now() + ttl;
	z = zone_from_deleg(p, d, depth);
	if (ttl > 0)
		pc_deleg_put(p->cache, d);
	else
		pc_deleg_free(d);
	return z;
oom:
	pc_deleg_free(d);
	pr_oom(p);
	return NULL;
}

void pr_zone_interest(pr_probe *p, pr_zone *z)
{
	pr_name *pn;

	if (z->interest || z->dead)
		return;
	z->interest = 1;
	pn = pr_name_get(p, z->name, 1);
	if (pn) {
		z->apex_soa = pr_quest_get(p, pn, LDNS_RR_TYPE_SOA, DNSVET_PROBE_TO_AUTH);
		z->apex_ns = pr_quest_get(p, pn, LDNS_RR_TYPE_NS, DNSVET_PROBE_TO_AUTH);
	}
	pr_zone_resolve_all(p, z);
	if (pn && pn->state == PN_NEW)
		pr_name_advance(p, pn);
}

/* Why an address is lame, from its answer to the zone's SOA question. */
void pr_classify(pr_addr *a, const dnsvet_result *r, const char *zone)
{
	dnsvet_qerror e = dnsvet_result_error(r);
	unsigned fl = dnsvet_result_flags(r);
	int rcode = dnsvet_result_rcode(r);

	a->classified = 1;
	a->answered = e == DNSVET_QERR_NONE;
	a->rtt_ms = a->answered ? dnsvet_result_rtt_ms(r) : 0;
	a->lame = NULL;
	switch (e) {
	case DNSVET_QERR_NONE:
		break;
	case DNSVET_QERR_TIMEOUT:
	case DNSVET_QERR_CANCELLED:
		a->lame = "timeout";
		return;
	case DNSVET_QERR_REFUSED:
		a->lame = "refused_connection";
		return;
	case DNSVET_QERR_MALFORMED:
	case DNSVET_QERR_TRUNCATED:
	case DNSVET_QERR_CLOSED:
		a->lame = "malformed";
		return;
	default:
		a->lame = "unreachable";
		return;
	}
	if (rcode == LDNS_RCODE_REFUSED) {
		a->lame = "refused";
		return;
	}
	if (rcode == LDNS_RCODE_SERVFAIL) {
		a->lame = "servfail";
		return;
	}
	if (!(fl & DNSVET_RF_AA)) {
		char cut[PR_NAME_MAX];
		int up = 0;
		pr_referral_cut(r, zone, zone, cut, &up);
		a->lame = up == 1 ? "upward_referral" : "not_authoritative";
		return;
	}
	if (rcode != LDNS_RCODE_NOERROR) {
		a->lame = "not_authoritative";
		return;
	}
	{
		const ldns_rr_list *ans = dnsvet_result_answer(r);
		for (size_t i = 0; ans && i < ldns_rr_list_rr_count(ans); i++) {
			ldns_rr *rr = ldns_rr_list_rr(ans, i);
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 3) {
				a->has_serial = 1;
				a->serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
				return;
			}
		}
	}
	a->lame = "not_authoritative";
}
