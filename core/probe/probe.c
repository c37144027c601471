/* Probe lifecycle: start, query submission and dispatch, completion. */
#include "probe/probe_int.h"
#include "engine/deliver.h"

#include <stdlib.h>
#include <string.h>

void dnsvet_probe_opts_default(dnsvet_probe_opts *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof(*o));
	o->query_budget = 4000;
	o->max_depth = 24;
	o->cname_limit = 8;
	o->sibling_types = 1;
}

void pr_oom(pr_probe *p)
{
	p->nomem = 1;
}

pr_qctx *pr_qctx_new(pr_probe *p, int kind, unsigned depth)
{
	pr_qctx *c = calloc(1, sizeof(*c));

	if (!c) {
		pr_oom(p);
		return NULL;
	}
	c->p = p;
	c->kind = kind;
	c->depth = depth;
	return c;
}

static void probe_free(pr_probe *p);
static void on_result(dnsvet_engine *eng, const dnsvet_result *r, void *user);

/*
 * A question to a server of a zone about a name outside the domain being checked (the
 * SOA and NS of its TLD or of the zone its DKIM CNAMEs point into, a name a rule makes up
 * under the TLD) gets the same reply for every domain of a batch: the shared cache
 * answers it for the reply's TTL, as it does referrals. The domain's own names are
 * always asked. Writes the cache key into key (PR_SHARE_KEY_MAX bytes).
 */
#define PR_SHARE_KEY_MAX (2 * PR_NAME_MAX + DNSVET_ADDRSTRLEN + 16)

static int share_key(const pr_probe *p, const pr_qctx *c, const char *name, uint16_t type,
                     char *key)
{
	if (!p->in.domain[0] || !c->zone || !c->addr ||
	    (c->kind != QK_BATCH && c->kind != QK_STEP) || pr_name_is_sub(name, p->in.domain))
		return 0;
	snprintf(key, PR_SHARE_KEY_MAX, "%s|%s|%u|%s", c->zone->name, c->addr->text,
	         (unsigned)type, name);
	return 1;
}

static dnsvet_status deliver_cached(pr_probe *p, pr_qctx *c, const char *key)
{
	const dnsvet_result *hit = pc_answer_get(p->cache, key);
	dnsvet_result *copy;

	if (!hit)
		return DNSVET_ERR_NOT_FOUND;
	copy = dnsvet_result_clone(hit);
	if (!copy)
		return DNSVET_ERR_NOMEM;
	if (eng_deliver(p->eng, copy, on_result, c) != DNSVET_OK) {
		dnsvet_result_free(copy);
		return DNSVET_ERR_STATE;
	}
	p->stats.cache_hits++;
	p->outstanding++;
	if (c->depth > p->stats.rtts)
		p->stats.rtts = c->depth;
	return DNSVET_OK;
}

int pr_submit(pr_probe *p, pr_qctx *c, const struct sockaddr_storage *ss, socklen_t len,
              const char *name, uint16_t type, unsigned flags)
{
	dnsvet_query q;
	char fq[PR_NAME_MAX + 2], key[PR_SHARE_KEY_MAX];

	if (!c)
		return -1;
	if (p->cache && share_key(p, c, name, type, key)) {
		if (deliver_cached(p, c, key) == DNSVET_OK)
			return 0;
		c->shared = 1;
	}
	if (p->stats.queries >= p->opts.query_budget) {
		p->stats.budget_exhausted = 1;
		free(c);
		return -1;
	}
	memset(&q, 0, sizeof(q));
	memcpy(&q.addr, ss, len);
	q.addrlen = len;
	q.qname = pr_name_fqdn(name, fq, sizeof(fq));
	q.qtype = type;
	q.qclass = LDNS_RR_CLASS_IN;
	q.flags = flags;
	q.timeout_ms = p->opts.timeout_ms;
	if (dnsvet_engine_submit(p->eng, &q, on_result, c) != DNSVET_OK) {
		free(c);
		return -1;
	}
	p->stats.queries++;
	p->outstanding++;
	if (c->depth > p->stats.rtts)
		p->stats.rtts = c->depth;
	return 0;
}

static void on_result(dnsvet_engine *eng, const dnsvet_result *r, void *user)
{
	pr_qctx *c = user;
	pr_probe *p = c->p;

	(void)eng;
	p->outstanding--;
	if (p->cancelled || p->finished) {
		free(c);
		if (p->outstanding == 0)
			probe_free(p);
		return;
	}
	if (c->shared) {
		char key[PR_SHARE_KEY_MAX];
		const char *name = c->kind == QK_STEP ? c->step->owner->name : c->q->name;
		uint16_t type = c->kind == QK_STEP ? c->step->qtype : c->q->type;

		if (share_key(p, c, name, type, key) && pc_answer_put(p->cache, key, name, r) != 0)
			pr_oom(p);
	}
	switch (c->kind) {
	case QK_STEP:
		pr_on_step(p, c, r);
		break;
	case QK_BATCH:
		pr_on_batch(p, c, r);
		break;
	case QK_LOOKUP:
		pr_on_lookup(p, c, r);
		break;
	case QK_RESOLVER:
	case QK_RESOLVER_CD:
		pr_on_resolver(p, c, r);
		break;
	case QK_SERVER:
		pr_on_server(p, c, r);
		break;
	default:
		break;
	}
	free(c);
	pr_check_done(p);
}

/* Describe why a zone can never get an address: follow server names to the
 * zones their own lookups wait on, which names a glueless cycle when it comes
 * back to where it started. */
static char *stall_reason(pr_probe *p, pr_zone *start)
{
	char buf[1024];
	size_t o = 0;
	pr_zone *z = start;

	buf[0] = '\0';
	for (int hop = 0; hop < 8 && z; hop++) {
		pr_server *s = NULL;
		pr_lookup *lk = NULL;
		for (size_t i = 0; i < z->servers.n && !lk; i++) {
			s = z->servers.v[i];
			if (s->addr_state != 1)
				continue;
			char key[PR_NAME_MAX + 16];
			snprintf(key, sizeof(key), "%u/%s", (unsigned)LDNS_RR_TYPE_A, s->name);
			lk = pr_map_get(&p->lookups, key);
		}
		if (!lk || !lk->pn->at)
			break;
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s -> %s", o ? " -> " : "",
		                      s->name, pr_name_show(lk->pn->at->name));
		if (o >= sizeof(buf))
			break;
		z = lk->pn->at;
		if (z == start) {
			return pr_strfmt("glueless cycle: %s -> %s", buf, s ? ((pr_server *)start->servers.v[0])->name : "");
		}
	}
	if (buf[0])
		return pr_strfmt("no address for any name server of %s (%s)", pr_name_show(start->name), buf);
	return pr_strfmt("no address for any name server of %s", pr_name_show(start->name));
}

/* Nothing is in flight: everything still waiting waits on itself. */
static int resolve_stall(pr_probe *p)
{
	int any = 0;

	for (size_t i = 0; i < p->zone_list.n; i++) {
		pr_zone *z = p->zone_list.v[i];
		pr_addr *one[1];
		if (z->dead || (!z->waiting.n && !z->waiting_lk.n))
			continue;
		if (!z->settled && pr_zone_addrs(z, one, NULL, 1) > 0) {
			/* Every address was tried and the waiters only wait for the
			 * address lookups of servers that failed the same way: no
			 * cycle, just nothing left to ask. */
			z->settled = 1;
			pr_zone_kick(p, z);
			any = 1;
			if (p->outstanding)
				break;
			continue;
		}
		char *why = stall_reason(p, z);
		pr_zone_fail(p, z, why ? why : "no address for any name server");
		free(why);
		any = 1;
		if (p->outstanding)
			break;
	}
	if (any)
		return 1;
	/* Lookups whose name never got anywhere (should not happen). */
	for (size_t i = 0; i < p->lookup_list.n; i++) {
		pr_lookup *lk = p->lookup_list.v[i];
		if (lk->state != 2) {
			pr_lookup_fail(p, lk, "lookup stalled");
			return 1;
		}
	}
	for (size_t i = 0; i < p->quests.n; i++) {
		pr_quest *q = p->quests.v[i];
		if (q->chain_state == 1) {
			q->chain_state = 2;
			free(q->chain_error);
			q->chain_error = pr_strdup("CNAME chain stalled");
			return 1;
		}
	}
	return 0;
}

static void finish(pr_probe *p)
{
	dnsvet_node *tree = NULL;
	dnsvet_status st = DNSVET_OK;

	p->finishing = 1;
	p->stats.elapsed_ms = (pr_now() - p->t0) * 1000.0;
	if (!p->nomem) {
		tree = p->followup ? pr_build_answers(p) : pr_build_obs(p);
		if (!tree)
			st = DNSVET_ERR_NOMEM;
	} else {
		st = DNSVET_ERR_NOMEM;
	}
	p->finished = 1;
	if (p->followup) {
		if (p->fdone)
			p->fdone(st, tree, p->user);
		else
			dnsvet_node_free(tree);
	} else {
		dnsvet_obs *obs = NULL;
		if (tree) {
			st = pr_obs_wrap(tree, &obs);
			tree = NULL;
		}
		if (p->done)
			p->done((dnsvet_probe *)p, st, obs, &p->stats, p->user);
		else
			pr_obs_free(obs);
	}
	if (p->outstanding == 0)
		probe_free(p);
}

void pr_check_done(pr_probe *p)
{
	if (p->finished || p->finishing || p->cancelled)
		return;
	while (p->outstanding == 0) {
		if (!resolve_stall(p)) {
			finish(p);
			return;
		}
	}
}

void pr_input_clear(pr_input *in)
{
	for (size_t i = 0; i < in->n_recs; i++) {
		free(in->recs[i].name);
		free(in->recs[i].value);
	}
	free(in->recs);
	in->recs = NULL;
	in->n_recs = 0;
	pr_strv_clear(&in->edited_ns);
	dnsvet_node_free(in->expect_node);
	dnsvet_node_free(in->ses_node);
	in->expect_node = in->ses_node = NULL;
}

static void zone_free_v(void *v)
{
	pr_zone_free(v);
}

static void probe_free(pr_probe *p)
{
	for (size_t i = 0; i < p->name_list.n; i++)
		pr_name_free(p->name_list.v[i]);
	for (size_t i = 0; i < p->step_list.n; i++)
		pr_step_free(p->step_list.v[i]);
	for (size_t i = 0; i < p->lookup_list.n; i++)
		pr_lookup_free(p->lookup_list.v[i]);
	for (size_t i = 0; i < p->quests.n; i++)
		pr_quest_free(p->quests.v[i]);
	for (size_t i = 0; i < p->resolvers.n; i++)
		free(p->resolvers.v[i]);
	for (size_t i = 0; i < p->lwaits.n; i++)
		free(p->lwaits.v[i]);
	pr_ptrv_clear(&p->name_list);
	pr_ptrv_clear(&p->step_list);
	pr_ptrv_clear(&p->lookup_list);
	pr_ptrv_clear(&p->quests);
	pr_ptrv_clear(&p->resolvers);
	pr_ptrv_clear(&p->lwaits);
	pr_ptrv_clear(&p->zone_list);
	pr_map_clear(&p->names, NULL);
	pr_map_clear(&p->steps, NULL);
	pr_map_clear(&p->lookups, NULL);
	pr_map_clear(&p->zones, zone_free_v);
	pr_input_clear(&p->in);
	free(p);
}

pr_probe *pr_probe_alloc(dnsvet_engine *eng, dnsvet_probe_cache *cache, const dnsvet_probe_opts *opts)
{
	pr_probe *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->eng = eng;
	p->cache = cache;
	if (opts)
		p->opts = *opts;
	else
		dnsvet_probe_opts_default(&p->opts);
	if (!p->opts.query_budget)
		p->opts.query_budget = 4000;
	if (!p->opts.max_depth)
		p->opts.max_depth = 24;
	if (!p->opts.cname_limit)
		p->opts.cname_limit = 8;
	p->t0 = pr_now();
	p->started = p->opts.started ? p->opts.started : time(NULL);
	return p;
}

void pr_probe_discard(pr_probe *p)
{
	if (p->outstanding == 0)
		probe_free(p);
	else
		p->cancelled = 1;
}

/* Sibling types asked at the name of an expected record of `type`. */
static size_t sibling_types(uint16_t type, uint16_t *out)
{
	size_t n = 0;

	out[n++] = LDNS_RR_TYPE_CNAME;
	out[n++] = LDNS_RR_TYPE_TXT;
	if (type == LDNS_RR_TYPE_CNAME) {
		out[n++] = LDNS_RR_TYPE_A;
		out[n++] = LDNS_RR_TYPE_AAAA;
	}
	if (type == LDNS_RR_TYPE_TXT || type == LDNS_RR_TYPE_MX)
		out[n++] = LDNS_RR_TYPE_MX;
	return n;
}

static unsigned q_target(unsigned t)
{
	return t ? t : (DNSVET_PROBE_TO_AUTH | DNSVET_PROBE_TO_RESOLVERS);
}

/* A planned question; asked again with another target, it goes to both. Nothing is
 * sent while planning, so widening the target is safe here. */
static pr_quest *plan_quest(pr_probe *p, pr_name *pn, uint16_t type, unsigned target)
{
	pr_quest *q = pn ? pr_quest_get(p, pn, type, target) : NULL;

	if (q)
		q->target |= target;
	return q;
}

/* Create every question before anything is sent, so the first round carries
 * them all. Resolvers are shared by every domain of an audit, so they are asked
 * only what propagation is about: each expected record, and the type a CNAME
 * among them is followed for (a cached NXDOMAIN for the DKIM key's TXT lookup
 * hides the key as well). Apex and sibling questions, and the rules' near-miss
 * names, tell what the zone publishes: its own servers answer those. */
static dnsvet_status plan(pr_probe *p, const dnsvet_probe_question *qs, size_t nq)
{
	const unsigned both = DNSVET_PROBE_TO_AUTH | DNSVET_PROBE_TO_RESOLVERS;
	pr_name *dom = p->followup ? NULL : pr_name_get(p, p->in.domain, 1);
	static const uint16_t apex[] = {LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_NS, LDNS_RR_TYPE_TXT,
	                                LDNS_RR_TYPE_MX};

	if (p->followup)
		goto rules;
	if (!dom)
		return DNSVET_ERR_NOMEM;
	for (size_t i = 0; i < sizeof(apex) / sizeof(apex[0]); i++)
		if (!plan_quest(p, dom, apex[i], DNSVET_PROBE_TO_AUTH))
			return DNSVET_ERR_NOMEM;
	for (size_t i = 0; i < p->in.n_recs; i++) {
		pr_name *pn = pr_name_get(p, p->in.recs[i].name, 1);
		pr_quest *q = plan_quest(p, pn, p->in.recs[i].type, both);
		if (!q)
			return DNSVET_ERR_NOMEM;
		q->follow = 1;
		if (q->type == LDNS_RR_TYPE_CNAME && !plan_quest(p, pn, pr_chain_type(q), both))
			return DNSVET_ERR_NOMEM;
	}
	if (p->opts.sibling_types) {
		for (size_t i = 0; i < p->in.n_recs; i++) {
			uint16_t t[8];
			size_t n = sibling_types(p->in.recs[i].type, t);
			pr_name *pn = pr_name_get(p, p->in.recs[i].name, 1);
			for (size_t k = 0; k < n; k++)
				if (!plan_quest(p, pn, t[k], DNSVET_PROBE_TO_AUTH))
					return DNSVET_ERR_NOMEM;
		}
	}
rules:
	for (size_t i = 0; i < nq; i++) {
		char nm[PR_NAME_MAX];
		uint16_t t = pr_type_parse(qs[i].type);
		pr_name *pn;
		pr_quest *q;
		if (pr_name_norm(qs[i].name, nm) != 0 || !t)
			return DNSVET_ERR_INVALID;
		pn = pr_name_get(p, nm, 1);
		q = plan_quest(p, pn, t, q_target(qs[i].target));
		if (!q)
			return DNSVET_ERR_NOMEM;
		q->requested = 1;
		q->follow = 1;
	}
	return DNSVET_OK;
}

static int validate_questions(const dnsvet_probe_question *qs, size_t nq)
{
	if (nq && !qs)
		return -1;
	for (size_t i = 0; i < nq; i++) {
		char nm[PR_NAME_MAX];
		if (!qs[i].name || !qs[i].type || pr_name_norm(qs[i].name, nm) != 0 ||
		    !pr_type_parse(qs[i].type))
			return -1;
		if ((qs[i].target & DNSVET_PROBE_TO_SERVERS) && (!qs[i].servers || !qs[i].n_servers))
			return -1;
		for (size_t k = 0; k < qs[i].n_servers; k++) {
			struct sockaddr_storage ss;
			socklen_t len;
			if (!qs[i].servers[k] ||
			    dnsvet_engine_addr_parse(qs[i].servers[k], 53, &ss, &len) != DNSVET_OK)
				return -1;
		}
	}
	return 0;
}

/* Questions with explicit servers keep their list on the quest. */
static dnsvet_status attach_servers(pr_probe *p, const dnsvet_probe_question *qs, size_t nq);

/* Whether a name's questions need the zone holding it. A follow-up asked of resolvers or
 * of given servers only does not: walking to the zone would ask its apex SOA and NS,
 * which a follow-up reports nothing of. */
static int asks_zone(const pr_probe *p, const pr_name *pn)
{
	if (!p->followup)
		return 1;
	for (size_t i = 0; i < pn->quests.n; i++)
		if (((pr_quest *)pn->quests.v[i])->target & DNSVET_PROBE_TO_AUTH)
			return 1;
	return 0;
}

dnsvet_status pr_probe_launch(pr_probe *p, const dnsvet_probe_question *qs, size_t nq)
{
	dnsvet_status st;

	if (validate_questions(qs, nq) != 0)
		return DNSVET_ERR_INVALID;
	st = plan(p, qs, nq);
	if (st == DNSVET_OK)
		st = attach_servers(p, qs, nq);
	if (st == DNSVET_OK && !p->followup)
		st = pr_resolvers_setup(p);
	if (st != DNSVET_OK)
		return st;
	if (!pr_zone_root(p))
		return p->nomem ? DNSVET_ERR_NOMEM : DNSVET_ERR_INVALID;

	/* Resolvers are sampled from the start: they need no delegation. */
	for (size_t i = 0; i < p->quests.n; i++) {
		pr_quest *q = p->quests.v[i];
		if (q->target & DNSVET_PROBE_TO_RESOLVERS)
			pr_resolvers_ask(p, q);
		if (q->target & DNSVET_PROBE_TO_SERVERS)
			pr_server_ask(p, q);
	}
	/* Expected CNAME targets are looked up now, for every type a chain from
	 * that name is followed for (the key's TXT, and whatever a rule asks
	 * there), so that following a chain costs no extra round trip when the
	 * published value is the right one. */
	for (size_t i = 0; i < p->in.n_recs && !p->followup; i++) {
		char nm[PR_NAME_MAX], key[PR_NAME_MAX + 2];
		pr_name *pn;
		if (p->in.recs[i].type != LDNS_RR_TYPE_CNAME || !p->in.recs[i].value ||
		    pr_name_norm(p->in.recs[i].value, nm) != 0)
			continue;
		snprintf(key, sizeof(key), "i/%s", p->in.recs[i].name);
		pn = pr_map_get(&p->names, key);
		for (size_t k = 0; pn && k < pn->quests.n; k++) {
			pr_quest *q = pn->quests.v[k];
			if (q->follow)
				pr_lookup_get(p, nm, pr_chain_type(q), 0);
		}
	}
	/* Servers the user says they edited are resolved in parallel too. */
	for (size_t i = 0; i < p->in.edited_ns.n && !p->followup; i++) {
		pr_lookup_get(p, p->in.edited_ns.v[i], LDNS_RR_TYPE_A, 0);
		pr_lookup_get(p, p->in.edited_ns.v[i], LDNS_RR_TYPE_AAAA, 0);
	}
	for (size_t i = 0; i < p->name_list.n; i++) {
		pr_name *pn = p->name_list.v[i];
		if (pn->interest && pn->state == PN_NEW && pn->quests.n && asks_zone(p, pn))
			pr_name_advance(p, pn);
	}
	if (p->nomem)
		return DNSVET_ERR_NOMEM;
	if (p->outstanding == 0)
		return p->stats.budget_exhausted ? DNSVET_ERR_LIMIT
		       : p->followup             ? DNSVET_ERR_NOT_FOUND
		                                 : DNSVET_ERR_INTERNAL;
	return DNSVET_OK;
}

static dnsvet_status attach_servers(pr_probe *p, const dnsvet_probe_question *qs, size_t nq)
{
	for (size_t i = 0; i < nq; i++) {
		char nm[PR_NAME_MAX];
		char key[PR_NAME_MAX + 2];
		pr_name *pn;
		pr_quest *q = NULL;
		if (!(qs[i].target & DNSVET_PROBE_TO_SERVERS))
			continue;
		pr_name_norm(qs[i].name, nm);
		snprintf(key, sizeof(key), "i/%s", nm);
		pn = pr_map_get(&p->names, key);
		for (size_t k = 0; pn && k < pn->quests.n; k++) {
			pr_quest *c = pn->quests.v[k];
			if (c->type == pr_type_parse(qs[i].type))
				q = c;
		}
		if (!q)
			return DNSVET_ERR_INTERNAL;
		for (size_t k = 0; k < qs[i].n_servers; k++)
			if (pr_strv_push_unique(&q->explicit_servers, qs[i].servers[k]) != 0)
				return DNSVET_ERR_NOMEM;
	}
	return DNSVET_OK;
}

dnsvet_status dnsvet_probe_start(dnsvet_engine *engine, dnsvet_probe_cache *cache,
                                 const dnsvet_probe_opts *opts, const dnsvet_expect *expect,
                                 const dnsvet_probe_question *questions, size_t n_questions,
                                 dnsvet_probe_done_cb done, void *user, dnsvet_probe **out)
{
	pr_probe *p;
	dnsvet_status st;

	if (out)
		*out = NULL;
	if (!engine || !cache || !expect || !done)
		return DNSVET_ERR_INVALID;
	p = pr_probe_alloc(engine, cache, opts);
	if (!p)
		return DNSVET_ERR_NOMEM;
	st = pr_input_from_expect(expect, &p->in);
	if (st == DNSVET_OK) {
		p->done = done;
		p->user = user;
		st = pr_probe_launch(p, questions, n_questions);
	}
	if (st != DNSVET_OK) {
		pr_probe_discard(p);
		return st;
	}
	if (out)
		*out = (dnsvet_probe *)p;
	return DNSVET_OK;
}

void dnsvet_probe_cancel(dnsvet_probe *probe)
{
	pr_probe *p = (pr_probe *)probe;

	if (!p || p->finished || p->cancelled)
		return;
	pr_probe_discard(p);
}

const char *dnsvet_probe_domain(const dnsvet_probe *probe)
{
	return probe ? ((const pr_probe *)probe)->in.domain : NULL;
}

typedef struct run_state {
	int done;
	dnsvet_status st;
	dnsvet_obs *obs;
	dnsvet_probe_stats stats;
} run_state;

static void run_done(dnsvet_probe *probe, dnsvet_status st, dnsvet_obs *obs,
                     const dnsvet_probe_stats *stats, void *user)
{
	run_state *rs = user;

	(void)probe;
	rs->done = 1;
	rs->st = st;
	rs->obs = obs;
	if (stats)
		rs->stats = *stats;
}

dnsvet_status pr_drive(dnsvet_engine *engine, int *done)
{
	while (!*done) {
		dnsvet_status st = dnsvet_engine_step(engine, -1);
		if (st != DNSVET_OK)
			return st;
	}
	return DNSVET_OK;
}

dnsvet_status dnsvet_probe_run(dnsvet_engine *engine, dnsvet_probe_cache *cache,
                               const dnsvet_probe_opts *opts, const dnsvet_expect *expect,
                               const dnsvet_probe_question *questions, size_t n_questions,
                               dnsvet_obs **obs, dnsvet_probe_stats *stats)
{
	run_state rs;
	dnsvet_probe *pr;
	dnsvet_status st;

	if (!obs)
		return DNSVET_ERR_INVALID;
	*obs = NULL;
	memset(&rs, 0, sizeof(rs));
	st = dnsvet_probe_start(engine, cache, opts, expect, questions, n_questions, run_done, &rs, &pr);
	if (st != DNSVET_OK)
		return st;
	st = pr_drive(engine, &rs.done);
	if (st != DNSVET_OK) {
		if (!rs.done)
			dnsvet_probe_cancel(pr);
		return st;
	}
	*obs = rs.obs;
	if (stats)
		*stats = rs.stats;
	return rs.st;
}
