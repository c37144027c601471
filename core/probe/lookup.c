/* Single-server lookups (name server addresses, CNAME targets) and the CNAME
 * chains built from them. */
#include "probe/probe_int.h"

#include <stdlib.h>
#include <string.h>

void pr_lookup_free(pr_lookup *lk)
{
	if (!lk)
		return;
	pr_strv_clear(&lk->rrs);
	free(lk->soa);
	free(lk->error);
	pr_ptrv_clear(&lk->waiters);
	pr_ptrv_clear(&lk->tried);
	free(lk);
}

static void chain_step(pr_probe *p, pr_quest *q, pr_lookup *lk);

static void notify(pr_probe *p, pr_lookup *lk, pr_lwait *w)
{
	if (w->kind == 1)
		pr_server_lookup_done(p, w->zone, w->srv, lk);
	else if (w->kind == 2)
		chain_step(p, w->q, lk);
}

static void finish_lookup(pr_probe *p, pr_lookup *lk)
{
	pr_ptrv w = lk->waiters;

	memset(&lk->waiters, 0, sizeof(lk->waiters));
	for (size_t i = 0; i < w.n; i++)
		notify(p, lk, w.v[i]);
	pr_ptrv_clear(&w);
}

void pr_lookup_wait(pr_probe *p, pr_lookup *lk, pr_lwait *w)
{
	if (lk->state == 2) {
		notify(p, lk, w);
		return;
	}
	if (pr_ptrv_push(&lk->waiters, w) != 0)
		pr_oom(p);
}

pr_lookup *pr_lookup_get(pr_probe *p, const char *name, uint16_t type, unsigned depth)
{
	char key[PR_NAME_MAX + 16];
	pr_lookup *lk;
	pc_rrset *cached;
	pr_name *pn;

	snprintf(key, sizeof(key), "%u/%s", (unsigned)type, name);
	lk = pr_map_get(&p->lookups, key);
	if (lk)
		return lk;
	lk = calloc(1, sizeof(*lk));
	if (!lk || pr_map_put(&p->lookups, key, lk) != 0) {
		free(lk);
		pr_oom(p);
		return NULL;
	}
	if (pr_ptrv_push(&p->lookup_list, lk) != 0) {
		pr_map_del(&p->lookups, key);
		free(lk);
		pr_oom(p);
		return NULL;
	}
	lk->type = type;
	lk->depth = depth;
	pn = pr_name_get(p, name, 0);
	if (!pn) {
		lk->state = 2;
		lk->rcode = -1;
		lk->error = pr_strdup("out of memory");
		return lk;
	}
	lk->pn = pn;
	cached = pc_rrset_get(p->cache, name, type);
	if (cached) {
		p->stats.cache_hits++;
		lk->state = 2;
		lk->rcode = cached->rcode;
		lk->depth = 0;
		if (pr_strv_copy(&lk->rrs, &cached->rrs) != 0)
			pr_oom(p);
		lk->soa = pr_strdup(cached->soa);
		return lk;
	}
	if (pr_ptrv_push(&pn->lookups, lk) != 0) {
		pr_oom(p);
		return lk;
	}
	if (pn->state == PN_NEW) {
		pn->depth = depth;
		pr_name_advance(p, pn);
	} else if (pn->state == PN_FAILED) {
		pr_lookup_fail(p, lk, pn->error ? pn->error : "lookup failed");
	} else {
		pr_lookup_ask(p, lk);
	}
	return lk;
}

void pr_lookup_fail(pr_probe *p, pr_lookup *lk, const char *why)
{
	if (lk->state == 2)
		return;
	lk->state = 2;
	lk->rcode = -1;
	if (!lk->error)
		lk->error = pr_strdup(why);
	else if (why && !strstr(lk->error, why)) {
		char *e = pr_strfmt("%s (%s)", why, lk->error);
		if (e) {
			free(lk->error);
			lk->error = e;
		}
	}
	finish_lookup(p, lk);
}

static int ptr_in(const pr_ptrv *v, const void *x)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i] == x)
			return 1;
	return 0;
}

/* Servers still being resolved, not counting the one this lookup is for:
 * waiting on our own address would wait forever. */
static int unresolved_others(pr_zone *z, const char *name)
{
	int n = 0;

	if (z->settled)
		return 0;
	for (size_t i = 0; i < z->servers.n; i++) {
		pr_server *s = z->servers.v[i];
		if (s->addr_state != 2 && strcmp(s->name, name) != 0)
			n++;
	}
	return n;
}

void pr_lookup_ask(pr_probe *p, pr_lookup *lk)
{
	pr_name *pn = lk->pn;
	pr_zone *z;

	if (lk->state == 2 || lk->inflight)
		return;
	if (pn->state == PN_FAILED) {
		pr_lookup_fail(p, lk, pn->error ? pn->error : "lookup failed");
		return;
	}
	z = pn->at;
	if (!z)
		return;
	if (lk->asked != z) {
		lk->asked = z;
		pr_ptrv_clear(&lk->tried);
	}
	for (;;) {
		pr_addr *addrs[256];
		size_t n;
		int resolving = 0;
		if (z->dead) {
			pr_lookup_fail(p, lk, z->dead_reason ? z->dead_reason : "zone unreachable");
			return;
		}
		n = pr_zone_addrs(z, addrs, NULL, 256);
		for (size_t i = 0; i < n; i++) {
			pr_addr *a = addrs[i];
			pr_qctx *c;
			unsigned d = lk->depth > pn->depth ? lk->depth : pn->depth;
			if (ptr_in(&lk->tried, a))
				continue;
			pr_ptrv_push(&lk->tried, a);
			if (a->depth > d)
				d = a->depth;
			c = pr_qctx_new(p, QK_LOOKUP, d + 1);
			if (!c)
				return;
			c->zone = z;
			c->addr = a;
			c->lk = lk;
			if (pr_submit(p, c, &a->ss, a->len, pn->name, lk->type,
			              i + 1 < n ? DNSVET_QF_NORETRY : 0) != 0) {
				pr_lookup_fail(p, lk, p->stats.budget_exhausted ? "query budget exhausted"
				                                                : "query could not be sent");
				return;
			}
			lk->state = 1;
			lk->inflight = 1;
			return;
		}
		for (size_t i = 0; i < z->servers.n; i++) {
			pr_server *s = z->servers.v[i];
			if (s->addr_state == 0) {
				pr_server_resolve(p, z, s);
				resolving = 1;
			}
		}
		if (resolving)
			continue;
		if (unresolved_others(z, pn->name)) {
			if (pr_ptrv_push(&z->waiting_lk, lk) != 0)
				pr_oom(p);
			return;
		}
		{
			char *why = pr_strfmt("no server of %s answered", pr_name_show(z->name));
			pr_lookup_fail(p, lk, why ? why : "no server answered");
			free(why);
		}
		return;
	}
}

void pr_lookup_result(pr_probe *p, pr_lookup *lk, const dnsvet_result *r, unsigned depth)
{
	const ldns_rr_list *ans = dnsvet_result_answer(r), *auth = dnsvet_result_authority(r);
	uint32_t ttl = UINT32_MAX;
	pc_rrset *c;

	lk->state = 2;
	lk->rcode = dnsvet_result_rcode(r);
	lk->depth = depth;
	for (size_t i = 0; ans && i < ldns_rr_list_rr_count(ans); i++) {
		ldns_rr *rr = ldns_rr_list_rr(ans, i);
		char *s = pr_rr_str(rr);
		if (s)
			pr_strv_push(&lk->rrs, s);
		free(s);
		if (ldns_rr_ttl(rr) < ttl)
			ttl = ldns_rr_ttl(rr);
	}
	for (size_t i = 0; auth && i < ldns_rr_list_rr_count(auth); i++) {
		ldns_rr *rr = ldns_rr_list_rr(auth, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA)
			continue;
		free(lk->soa);
		lk->soa = pr_rr_str(rr);
		if (!lk->rrs.n) {
			/* RFC 2308: a negative answer lives min(SOA TTL, MINIMUM). */
			uint32_t t = ldns_rr_ttl(rr);
			if (ldns_rr_rd_count(rr) >= 7) {
				uint32_t mn = ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));
				if (mn < t)
					t = mn;
			}
			ttl = t;
		}
		break;
	}
	if (ttl != UINT32_MAX && ttl > 0) {
		c = calloc(1, sizeof(*c));
		if (c && (c->name = pr_strdup(lk->pn->name)) && pr_strv_copy(&c->rrs, &lk->rrs) == 0) {
			c->type = lk->type;
			c->rcode = lk->rcode;
			c->soa = pr_strdup(lk->soa);
			c->zone = pr_strdup(lk->asked ? lk->asked->name : "");
			c->expires = pr_now() + ttl;
			pc_rrset_put(p->cache, c);
		} else {
			pc_rrset_free(c);
		}
	}
	finish_lookup(p, lk);
}

void pr_on_lookup(pr_probe *p, pr_qctx *c, const dnsvet_result *r)
{
	pr_lookup *lk = c->lk;
	pr_name *pn = lk->pn;
	pr_zone *z = c->zone;
	int rcode = dnsvet_result_rcode(r);
	char buf[PR_NAME_MAX];
	const char *cut;
	int up = 0;

	lk->inflight = 0;
	if (lk->state == 2)
		return;
	if (pn->at != z) {
		pr_lookup_ask(p, lk);
		return;
	}
	cut = pr_referral_cut(r, z->name, pn->name, buf, &up);
	if (cut) {
		pr_zone *child = pr_zone_from_referral(p, z, cut, r, c->depth);
		if (!child)
			return;
		pn->steps++;
		pn->depth = c->depth;
		pn->state = PN_NEW;
		pr_name_advance(p, pn);
		return;
	}
	if (dnsvet_result_error(r) == DNSVET_QERR_NONE && (dnsvet_result_flags(r) & DNSVET_RF_AA) &&
	    (rcode == LDNS_RCODE_NOERROR || rcode == LDNS_RCODE_NXDOMAIN)) {
		pr_lookup_result(p, lk, r, c->depth);
		return;
	}
	free(lk->error);
	if (dnsvet_result_error(r) != DNSVET_QERR_NONE)
		lk->error = pr_strfmt("%s from %s", dnsvet_qerror_str(dnsvet_result_error(r)),
		                      dnsvet_result_addr_str(r));
	else if (up)
		lk->error = pr_strfmt("referral to %s from %s (referral loop)", pr_name_show(buf),
		                      dnsvet_result_addr_str(r));
	else
		lk->error = pr_strfmt("rcode %d%s from %s", rcode,
		                      (dnsvet_result_flags(r) & DNSVET_RF_AA) ? "" : " without AA",
		                      dnsvet_result_addr_str(r));
	pr_lookup_ask(p, lk);
}

/* CNAME chains ------------------------------------------------------- */

static int rr_owner_type(const char *rrs, char *owner, uint16_t *type, char *target)
{
	const char *rd;

	if (pr_rr_text_split(rrs, owner, type, &rd) != 0)
		return -1;
	target[0] = '\0';
	if (*type == LDNS_RR_TYPE_CNAME && pr_text_name(rd, target) != 0)
		target[0] = '\0';
	return 0;
}

static void chain_end(pr_quest *q, const char *err)
{
	q->chain_state = 2;
	if (err && !q->chain_error)
		q->chain_error = pr_strdup(err);
}

static pr_lwait *chain_wait(pr_probe *p, pr_quest *q)
{
	pr_lwait *w = calloc(1, sizeof(*w));

	if (!w || pr_ptrv_push(&p->lwaits, w) != 0) {
		free(w);
		pr_oom(p);
		return NULL;
	}
	w->kind = 2;
	w->q = q;
	return w;
}

static void chain_follow(pr_probe *p, pr_quest *q, const char *target, unsigned depth)
{
	pr_lookup *lk;
	pr_lwait *w;

	if (pr_strv_has(&q->chain_seen, target)) {
		char buf[1024];
		size_t o = 0;
		for (size_t i = 0; i < q->chain_seen.n && o < sizeof(buf); i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s -> ", q->chain_seen.v[i]);
		if (o < sizeof(buf))
			snprintf(buf + o, sizeof(buf) - o, "%s", target);
		char *e = pr_strfmt("CNAME loop: %s", buf);
		chain_end(q, e ? e : "CNAME loop");
		free(e);
		return;
	}
	if (++q->chain_links > p->opts.cname_limit) {
		char *e = pr_strfmt("CNAME chain longer than %u links", p->opts.cname_limit);
		chain_end(q, e ? e : "CNAME chain too long");
		free(e);
		return;
	}
	pr_strv_push(&q->chain_seen, target);
	free(q->chain_cur);
	q->chain_cur = pr_strdup(target);
	lk = pr_lookup_get(p, target, q->chain_type, depth);
	w = chain_wait(p, q);
	if (!lk || !w) {
		chain_end(q, "out of memory");
		return;
	}
	pr_lookup_wait(p, lk, w);
}

uint16_t pr_chain_type(const pr_quest *q)
{
	/* A DKIM-style CNAME points at a TXT key; other types follow as asked. */
	return q->type == LDNS_RR_TYPE_CNAME ? LDNS_RR_TYPE_TXT : q->type;
}

void pr_chain_start(pr_probe *p, pr_quest *q, const char *target, unsigned depth)
{
	if (q->chain_state != 0)
		return;
	q->chain_state = 1;
	q->chain_depth = depth;
	q->chain_type = pr_chain_type(q);
	pr_strv_push(&q->chain_seen, q->name);
	chain_follow(p, q, target, depth);
}

static void chain_step(pr_probe *p, pr_quest *q, pr_lookup *lk)
{
	char cur[PR_NAME_MAX];
	int have_final = 0, moved = 0;

	if (q->chain_state != 1)
		return;
	if (lk->rcode < 0) {
		char *e = pr_strfmt("lookup of %s failed: %s", q->chain_cur ? q->chain_cur : "?",
		                    lk->error ? lk->error : "no answer");
		chain_end(q, e ? e : "lookup failed");
		free(e);
		return;
	}
	for (size_t i = 0; i < lk->rrs.n; i++)
		pr_strv_push(&q->chain, lk->rrs.v[i]);
	free(q->chain_rcode);
	q->chain_rcode = pr_strdup(lk->rcode == LDNS_RCODE_NXDOMAIN ? "NXDOMAIN" : "NOERROR");
	if (lk->rcode != LDNS_RCODE_NOERROR) {
		chain_end(q, NULL);
		return;
	}
	snprintf(cur, sizeof(cur), "%s", q->chain_cur ? q->chain_cur : "");
	/* Walk the CNAMEs the server already included. */
	for (int again = 1; again;) {
		again = 0;
		for (size_t i = 0; i < lk->rrs.n; i++) {
			char owner[PR_NAME_MAX], target[PR_NAME_MAX];
			uint16_t t;
			if (rr_owner_type(lk->rrs.v[i], owner, &t, target) != 0 || strcmp(owner, cur) != 0)
				continue;
			if (t == q->chain_type)
				have_final = 1;
			if (t == LDNS_RR_TYPE_CNAME && target[0] && !have_final) {
				if (pr_strv_has(&q->chain_seen, target)) {
					chain_follow(p, q, target, lk->depth);
					return;
				}
				pr_strv_push(&q->chain_seen, target);
				snprintf(cur, sizeof(cur), "%s", target);
				moved = 1;
				again = 1;
				break;
			}
		}
	}
	if (moved && !have_final) {
		/* The chain leaves the zone that answered: ask for the rest. */
		q->chain_seen.n--;
		free(q->chain_seen.v[q->chain_seen.n]);
		chain_follow(p, q, cur, lk->depth);
		return;
	}
	chain_end(q, NULL);
}
