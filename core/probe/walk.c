/* Walking referrals toward each name, and asking the questions of a name of
 * interest of every server of the zone that holds it. */
#include "probe/probe_int.h"

#include <stdlib.h>
#include <string.h>

char *pr_rr_str(const ldns_rr *rr)
{
	char buf[PR_RR_TEXT_MAX];
	char *s;
	int tabs = 0;
	size_t n;

	if (pr_rr_format(rr, buf, sizeof(buf)) >= 0)
		return pr_strdup(buf);
	s = ldns_rr2str(rr);
	if (!s)
		return NULL;
	/* ldns separates the fixed fields with tabs; observations use single
	 * spaces there and keep the RDATA exactly as printed. */
	for (char *c = s; *c && tabs < 4; c++) {
		if (*c == '\t') {
			*c = ' ';
			tabs++;
		}
	}
	n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

const char *pr_type_str(uint16_t type, char *buf, size_t len)
{
	char *s = ldns_rr_type2str((ldns_rr_type)type);

	snprintf(buf, len, "%s", s ? s : "TYPE0");
	free(s);
	return buf;
}

uint16_t pr_type_parse(const char *s)
{
	if (!s || !*s)
		return 0;
	return (uint16_t)ldns_get_rr_type_by_name(s);
}

void pr_reply_free(pr_reply *r)
{
	if (!r)
		return;
	free(r->server);
	pr_strv_clear(&r->answer);
	pr_strv_clear(&r->authority);
	pr_reply_free(r->cd);
	free(r);
}

static void rrs_to_strv(const ldns_rr_list *l, pr_strv *out)
{
	char buf[PR_RR_TEXT_MAX];

	for (size_t i = 0; l && i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		char *s;
		if (pr_rr_format(rr, buf, sizeof(buf)) >= 0) {
			pr_strv_push(out, buf);
			continue;
		}
		s = pr_rr_str(rr);
		if (s)
			pr_strv_push(out, s);
		free(s);
	}
}

void pr_reply_fill(pr_reply *rep, const dnsvet_result *r)
{
	rep->done = 1;
	rep->qerr = dnsvet_result_error(r);
	rep->rcode = dnsvet_result_rcode(r);
	rep->flags = dnsvet_result_flags(r);
	rep->rtt_ms = dnsvet_result_rtt_ms(r);
	if (rep->qerr == DNSVET_QERR_NONE) {
		rrs_to_strv(dnsvet_result_answer(r), &rep->answer);
		rrs_to_strv(dnsvet_result_authority(r), &rep->authority);
	}
}

void pr_quest_free(pr_quest *q)
{
	if (!q)
		return;
	free(q->name);
	for (size_t i = 0; i < q->auth.n; i++)
		pr_reply_free(q->auth.v[i]);
	for (size_t i = 0; i < q->res.n; i++)
		pr_reply_free(q->res.v[i]);
	for (size_t i = 0; i < q->srv.n; i++)
		pr_reply_free(q->srv.v[i]);
	pr_ptrv_clear(&q->auth);
	pr_ptrv_clear(&q->res);
	pr_ptrv_clear(&q->srv);
	pr_strv_clear(&q->sent);
	pr_strv_clear(&q->explicit_servers);
	free(q->chain_cur);
	pr_strv_clear(&q->chain_seen);
	pr_strv_clear(&q->chain);
	free(q->chain_rcode);
	free(q->chain_error);
	free(q);
}

void pr_name_free(pr_name *pn)
{
	if (!pn)
		return;
	free(pn->name);
	free(pn->error);
	pr_ptrv_clear(&pn->quests);
	pr_ptrv_clear(&pn->lookups);
	free(pn);
}

void pr_step_free(pr_step *st)
{
	if (!st)
		return;
	free(st->key);
	free(st->last_error);
	pr_ptrv_clear(&st->waiters);
	pr_ptrv_clear(&st->tried);
	free(st);
}

pr_name *pr_name_get(pr_probe *p, const char *name, int interest)
{
	char key[PR_NAME_MAX + 4];
	pr_name *pn;

	snprintf(key, sizeof(key), "%c/%s", interest ? 'i' : 'a', name);
	pn = pr_map_get(&p->names, key);
	if (pn)
		return pn;
	pn = calloc(1, sizeof(*pn));
	if (!pn || !(pn->name = pr_strdup(name)) || pr_map_put(&p->names, key, pn) != 0) {
		if (pn)
			free(pn->name);
		free(pn);
		pr_oom(p);
		return NULL;
	}
	if (pr_ptrv_push(&p->name_list, pn) != 0) {
		pr_map_del(&p->names, key);
		pr_name_free(pn);
		pr_oom(p);
		return NULL;
	}
	pn->interest = interest;
	return pn;
}

pr_quest *pr_quest_get(pr_probe *p, pr_name *pn, uint16_t type, unsigned target)
{
	pr_quest *q;

	for (size_t i = 0; i < pn->quests.n; i++) {
		q = pn->quests.v[i];
		if (q->type == type)
			return q;
	}
	q = calloc(1, sizeof(*q));
	if (!q || !(q->name = pr_strdup(pn->name)) || pr_ptrv_push(&p->quests, q) != 0) {
		if (q)
			free(q->name);
		free(q);
		pr_oom(p);
		return NULL;
	}
	if (pr_ptrv_push(&pn->quests, q) != 0) {
		p->quests.n--;
		pr_quest_free(q);
		pr_oom(p);
		return NULL;
	}
	q->type = type;
	q->target = target;
	q->pn = pn;
	/* A question added to a name already being asked joins its batch. */
	if (pn->state == PN_BATCH && pn->at && (target & DNSVET_PROBE_TO_AUTH)) {
		for (size_t i = 0; i < pn->at->servers.n; i++) {
			pr_server *s = pn->at->servers.v[i];
			for (size_t k = 0; k < s->addrs.n; k++)
				if (!((pr_addr *)s->addrs.v[k])->skip)
					pr_batch_addr(p, pn, pn->at, s, s->addrs.v[k]);
		}
	}
	return q;
}

const char *pr_referral_cut(const dnsvet_result *r, const char *zone, const char *qname,
                            char *buf, int *upward)
{
	const ldns_rr_list *auth, *ans;

	*upward = 0;
	if (dnsvet_result_error(r) != DNSVET_QERR_NONE || !dnsvet_result_pkt(r))
		return NULL;
	if ((dnsvet_result_flags(r) & DNSVET_RF_AA) || dnsvet_result_rcode(r) != LDNS_RCODE_NOERROR)
		return NULL;
	ans = dnsvet_result_answer(r);
	if (ans && ldns_rr_list_rr_count(ans) > 0)
		return NULL;
	auth = dnsvet_result_authority(r);
	for (size_t i = 0; auth && i < ldns_rr_list_rr_count(auth); i++) {
		ldns_rr *rr = ldns_rr_list_rr(auth, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NS)
			continue;
		if (pr_rdf_name(ldns_rr_owner(rr), buf) != 0)
			return NULL;
		if (strcmp(buf, zone) != 0 && pr_name_is_sub(buf, zone) && pr_name_is_sub(qname, buf))
			return buf;
		if (strcmp(buf, zone) == 0)
			*upward = 2;  /* refers to the zone it should serve itself */
		else if (pr_name_is_sub(zone, buf))
			*upward = 1;  /* points back up the tree */
		else
			*upward = 3;  /* somewhere unrelated */
		return NULL;
	}
	return NULL;
}

void pr_name_fail(pr_probe *p, pr_name *pn, const char *why)
{
	(void)p;
	if (pn->state == PN_FAILED)
		return;
	pn->state = PN_FAILED;
	pn->step = NULL;
	if (!pn->error)
		pn->error = pr_strdup(why);
	/* An aux name's lookups fail with it. */
	for (size_t i = 0; i < pn->lookups.n; i++) {
		pr_lookup *lk = pn->lookups.v[i];
		if (lk->state != 2)
			pr_lookup_fail(p, lk, why);
	}
}

static void step_start(pr_probe *p, pr_name *pn, pr_zone *z)
{
	char key[2 * PR_NAME_MAX + 4];
	const char *child = pr_name_child_of(pn->name, z->name);
	pr_step *st;

	snprintf(key, sizeof(key), "%s|%s", z->name, child);
	st = pr_map_get(&p->steps, key);
	if (!st) {
		st = calloc(1, sizeof(*st));
		if (!st || !(st->key = pr_strdup(key)) || pr_map_put(&p->steps, key, st) != 0) {
			if (st)
				free(st->key);
			free(st);
			pr_oom(p);
			pr_name_fail(p, pn, "out of memory");
			return;
		}
		if (pr_ptrv_push(&p->step_list, st) != 0) {
			pr_map_del(&p->steps, key);
			pr_step_free(st);
			pr_oom(p);
			pr_name_fail(p, pn, "out of memory");
			return;
		}
		st->zone = z;
		st->owner = pn;
		st->qtype = LDNS_RR_TYPE_NS;
	}
	pn->state = PN_STEP;
	pn->step = st;
	if (pn->depth > st->depth)
		st->depth = pn->depth;
	if (pr_ptrv_push(&st->waiters, pn) != 0) {
		pr_oom(p);
		return;
	}
	if (!st->inflight)
		pr_step_kick(p, st);
}

void pr_name_advance(pr_probe *p, pr_name *pn)
{
	pr_zone *z;

	if (pn->state == PN_FAILED)
		return;
	if (pn->steps > p->opts.max_depth) {
		pr_name_fail(p, pn, "referral depth limit reached");
		return;
	}
	z = pr_zone_deepest(p, pn->name);
	if (!z) {
		pr_name_fail(p, pn, "no root hints");
		return;
	}
	pn->at = z;
	if (z->dead) {
		pr_name_fail(p, pn, z->dead_reason ? z->dead_reason : "zone unreachable");
		return;
	}
	if (!pn->interest) {
		pn->state = PN_HELD;
		for (size_t i = 0; i < pn->lookups.n; i++) {
			pr_lookup *lk = pn->lookups.v[i];
			if (lk->state != 2)
				pr_lookup_ask(p, lk);
		}
		return;
	}
	/* Below the TLDs a zone is usually the one holding the name, so every
	 * question goes to every server at once; a referral in the answers moves
	 * the batch one cut deeper. Root and TLD servers get a single query. */
	if (pr_name_labels(z->name) >= 2 || strcmp(z->name, pn->name) == 0) {
		pr_batch_send(p, pn, z);
		return;
	}
	step_start(p, pn, z);
}

static void step_detach(pr_probe *p, pr_step *st)
{
	if (pr_map_get(&p->steps, st->key) == st)
		pr_map_del(&p->steps, st->key);
}

static void step_fail(pr_probe *p, pr_step *st, const char *why)
{
	pr_ptrv w = st->waiters;

	step_detach(p, st);
	memset(&st->waiters, 0, sizeof(st->waiters));
	for (size_t i = 0; i < w.n; i++)
		pr_name_fail(p, w.v[i], why);
	pr_ptrv_clear(&w);
}

static int ptr_in(const pr_ptrv *v, const void *x)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i] == x)
			return 1;
	return 0;
}

void pr_step_kick(pr_probe *p, pr_step *st)
{
	pr_zone *z = st->zone;

	if (st->inflight || !st->waiters.n)
		return;
	for (;;) {
		pr_addr *addrs[256];
		size_t n;
		int resolving = 0;

		if (z->dead) {
			step_fail(p, st, z->dead_reason ? z->dead_reason : "zone unreachable");
			return;
		}
		n = pr_zone_addrs(z, addrs, NULL, 256);
		for (size_t i = 0; i < n; i++) {
			pr_addr *a = addrs[i];
			pr_qctx *c;
			unsigned fl = 0;
			if (ptr_in(&st->tried, a))
				continue;
			pr_ptrv_push(&st->tried, a);
			/* Retries only for the last address: otherwise move on fast. */
			if (i + 1 < n)
				fl |= DNSVET_QF_NORETRY;
			c = pr_qctx_new(p, QK_STEP, 1 + (st->depth > a->depth ? st->depth : a->depth));
			if (!c)
				return;
			c->zone = z;
			c->addr = a;
			c->step = st;
			if (pr_submit(p, c, &a->ss, a->len, st->owner->name, st->qtype, fl) != 0) {
				step_fail(p, st, p->stats.budget_exhausted ? "query budget exhausted"
				                                           : "query could not be sent");
				return;
			}
			st->inflight = 1;
			return;
		}
		for (size_t i = 0; i < z->servers.n; i++) {
			pr_server *s = z->servers.v[i];
			if (s->addr_state == 0) {
				pr_server_resolve(p, z, s);
				resolving = 2;
			}
		}
		if (resolving == 2)
			continue;
		if (pr_zone_unresolved(z)) {
			pr_ptrv_push(&z->waiting, st);
			return;
		}
		{
			char *why = pr_strfmt("no server of %s answered for %s%s%s", pr_name_show(z->name),
			                      st->owner->name, st->last_error ? ": " : "",
			                      st->last_error ? st->last_error : "");
			step_fail(p, st, why ? why : "no server answered");
			free(why);
		}
		return;
	}
}

static char *describe_failure(const dnsvet_result *r, int up, const char *cut)
{
	dnsvet_qerror e = dnsvet_result_error(r);
	char rc[32];

	if (e != DNSVET_QERR_NONE)
		return pr_strfmt("%s from %s", dnsvet_qerror_str(e), dnsvet_result_addr_str(r));
	if (up)
		return pr_strfmt("%s referral to %s from %s (referral loop)",
		                 up == 1 ? "upward" : up == 2 ? "self" : "sideways", pr_name_show(cut),
		                 dnsvet_result_addr_str(r));
	{
		ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, dnsvet_result_rcode(r));
		snprintf(rc, sizeof(rc), "%s", lt ? lt->name : "rcode");
	}
	return pr_strfmt("%s%s from %s", rc,
	                 (dnsvet_result_flags(r) & DNSVET_RF_AA) ? "" : " without AA",
	                 dnsvet_result_addr_str(r));
}

static void note_upward(pr_zone *z, int up, const char *cut)
{
	if (!up)
		return;
	if (up == 2)
		return;
	z->upward = up;
	pr_strv_push_unique(&z->upward_targets, pr_name_show(cut));
}

void pr_on_step(pr_probe *p, pr_qctx *c, const dnsvet_result *r)
{
	pr_step *st = c->step;
	pr_zone *z = st->zone;
	char buf[PR_NAME_MAX];
	int up = 0;
	const char *cut = pr_referral_cut(r, z->name, st->owner->name, buf, &up);
	int rcode = dnsvet_result_rcode(r);
	pr_ptrv w;

	st->inflight = 0;
	if (cut) {
		pr_zone *child = pr_zone_from_referral(p, z, cut, r, c->depth);
		w = st->waiters;
		memset(&st->waiters, 0, sizeof(st->waiters));
		step_detach(p, st);
		for (size_t i = 0; i < w.n; i++) {
			pr_name *pn = w.v[i];
			pn->step = NULL;
			pn->state = PN_NEW;
			pn->depth = c->depth;
			if (child && pr_name_is_sub(pn->name, cut))
				pn->steps++;
			pr_name_advance(p, pn);
		}
		pr_ptrv_clear(&w);
		return;
	}
	if (dnsvet_result_error(r) == DNSVET_QERR_NONE && (dnsvet_result_flags(r) & DNSVET_RF_AA) &&
	    (rcode == LDNS_RCODE_NOERROR || rcode == LDNS_RCODE_NXDOMAIN)) {
		const char *qn = st->owner->name;
		w = st->waiters;
		memset(&st->waiters, 0, sizeof(st->waiters));
		step_detach(p, st);
		for (size_t i = 0; i < w.n; i++) {
			pr_name *pn = w.v[i];
			pn->step = NULL;
			pn->depth = c->depth;
			if (strcmp(pn->name, qn) == 0 ||
			    (rcode == LDNS_RCODE_NXDOMAIN && pr_name_is_sub(pn->name, qn))) {
				pr_name_hold(p, pn, z, rcode == LDNS_RCODE_NXDOMAIN);
			} else {
				pn->state = PN_NEW;
				pr_name_advance(p, pn);
			}
		}
		pr_ptrv_clear(&w);
		return;
	}
	note_upward(z, up, buf);
	free(st->last_error);
	st->last_error = describe_failure(r, up, buf);
	pr_step_kick(p, st);
}

void pr_name_hold(pr_probe *p, pr_name *pn, pr_zone *z, int nx)
{
	pn->holder = z;
	pn->nx |= nx;
	if (pn->interest)
		pr_batch_send(p, pn, z);
}

void pr_batch_send(pr_probe *p, pr_name *pn, pr_zone *z)
{
	int found = 0;

	pn->state = PN_BATCH;
	pn->at = z;
	for (size_t i = 0; i < z->batch.n; i++)
		if (z->batch.v[i] == pn)
			found = 1;
	if (!found && pr_ptrv_push(&z->batch, pn) != 0) {
		pr_oom(p);
		return;
	}
	pr_zone_interest(p, z);
	/* Servers the user says they edited are asked as if they served the
	 * zone holding the identity. */
	if (strcmp(pn->name, p->in.domain) == 0) {
		for (size_t i = 0; i < p->in.edited_ns.n; i++) {
			pr_server *s = pr_zone_server(p, z, p->in.edited_ns.v[i], PR_SRC_EDITED);
			if (s)
				pr_server_resolve(p, z, s);
		}
	}
	for (size_t i = 0; i < z->servers.n; i++) {
		pr_server *s = z->servers.v[i];
		for (size_t k = 0; k < s->addrs.n; k++) {
			pr_addr *a = s->addrs.v[k];
			if (!a->skip)
				pr_batch_addr(p, pn, z, s, a);
		}
	}
}

void pr_batch_addr(pr_probe *p, pr_name *pn, pr_zone *z, pr_server *s, pr_addr *a)
{
	char key[PR_NAME_MAX + 2 * DNSVET_ADDRSTRLEN];

	if (pn->at != z || pn->state != PN_BATCH)
		return;
	snprintf(key, sizeof(key), "%s|%s|%s", z->name, s->name, a->text);
	for (size_t i = 0; i < pn->quests.n; i++) {
		pr_quest *q = pn->quests.v[i];
		pr_reply *rep;
		pr_qctx *c;
		if (!(q->target & DNSVET_PROBE_TO_AUTH) || pr_strv_has(&q->sent, key))
			continue;
		if (pr_strv_push(&q->sent, key) != 0) {
			pr_oom(p);
			return;
		}
		rep = calloc(1, sizeof(*rep));
		if (!rep || !(rep->server = pr_strdup(s->name))) {
			free(rep);
			pr_oom(p);
			return;
		}
		snprintf(rep->addr, sizeof(rep->addr), "%s", a->text);
		rep->srv = s;
		rep->zone = z;
		c = pr_qctx_new(p, QK_BATCH, 1 + (pn->depth > a->depth ? pn->depth : a->depth));
		if (!c) {
			pr_reply_free(rep);
			return;
		}
		c->zone = z;
		c->addr = a;
		c->srv = s;
		c->q = q;
		c->rep = rep;
		if (pr_submit(p, c, &a->ss, a->len, q->name, q->type, 0) != 0) {
			pr_reply_free(rep);
			continue;
		}
		if (pr_ptrv_push(&q->auth, rep) != 0)
			pr_oom(p);
	}
}

/* The first CNAME target at the question's name in an answer. */
static int cname_target(const dnsvet_result *r, const char *qname, char *out)
{
	const ldns_rr_list *ans = dnsvet_result_answer(r);

	for (size_t i = 0; ans && i < ldns_rr_list_rr_count(ans); i++) {
		ldns_rr *rr = ldns_rr_list_rr(ans, i);
		char on[PR_NAME_MAX];
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_CNAME || ldns_rr_rd_count(rr) < 1)
			continue;
		if (pr_rdf_name(ldns_rr_owner(rr), on) == 0 && strcmp(on, qname) == 0 &&
		    pr_rdf_name(ldns_rr_rdf(rr, 0), out) == 0)
			return 1;
	}
	return 0;
}

/* The zone's SOA is the newest one its servers hold (RFC 1982 serial
 * order; equal serials: the smaller text), whatever order answers arrive in. */
static int soa_newer(const ldns_rr *rr, const char *text, const char *old)
{
	char on[PR_NAME_MAX], *end;
	const char *rd;
	uint16_t type;
	unsigned long so;
	uint32_t sn;
	int newer;

	if (!old)
		return 1;
	if (ldns_rr_rd_count(rr) < 3 || pr_rr_text_split(old, on, &type, &rd) != 0)
		return 0;
	/* the serial is the third field: mname rname serial ... */
	for (int f = 0; f < 2 && rd; f++)
		rd = (rd = strchr(rd, ' ')) ? rd + 1 : NULL;
	if (!rd)
		return 1;
	so = strtoul(rd, &end, 10);
	if (end == rd || (*end && *end != ' '))
		return 1;
	sn = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
	if (sn == (uint32_t)so)
		newer = strcmp(text, old) < 0;
	else
		newer = (int32_t)(sn - (uint32_t)so) > 0;
	return newer;
}

static void apex_learn(pr_probe *p, pr_zone *z, pr_quest *q, pr_server *srv, pr_addr *a,
                       const dnsvet_result *r)
{
	int ok = dnsvet_result_error(r) == DNSVET_QERR_NONE &&
	         (dnsvet_result_flags(r) & DNSVET_RF_AA) &&
	         dnsvet_result_rcode(r) == LDNS_RCODE_NOERROR;
	/* A server only the user names (records-elsewhere) is observed, but what
	 * it says about the apex is not the zone's. */
	int own = !srv || (srv->source & (PR_SRC_PARENT | PR_SRC_CHILD | PR_SRC_MNAME));
	const ldns_rr_list *ans = ok && own ? dnsvet_result_answer(r) : NULL;

	if (q == z->apex_soa && a)
		pr_classify(a, r, z->name);
	for (size_t i = 0; ans && i < ldns_rr_list_rr_count(ans); i++) {
		ldns_rr *rr = ldns_rr_list_rr(ans, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		char on[PR_NAME_MAX], tn[PR_NAME_MAX];
		int at_apex = pr_rdf_name(ldns_rr_owner(rr), on) == 0 && strcmp(on, z->name) == 0;
		if (!at_apex || ldns_rr_rd_count(rr) < 1)
			continue;
		if (q == z->apex_soa && t == LDNS_RR_TYPE_SOA) {
			int mn = pr_rdf_name(ldns_rr_rdf(rr, 0), tn) == 0;
			char *text = pr_rr_str(rr);
			if (text && soa_newer(rr, text, z->soa)) {
				free(z->soa);
				z->soa = text;
				text = NULL;
			}
			free(text);
			/* The primary named in the SOA is asked too: it often holds
			 * what the public servers have not transferred yet. */
			if (mn && *tn) {
				pr_server *s = pr_zone_server(p, z, tn, PR_SRC_MNAME);
				if (s && z->interest)
					pr_server_resolve(p, z, s);
			}
		} else if (q == z->apex_ns && t == LDNS_RR_TYPE_NS) {
			if (pr_rdf_name(ldns_rr_rdf(rr, 0), tn) == 0) {
				pr_server *s;
				pr_strv_push_unique(&z->child_ns, tn);
				s = pr_zone_server(p, z, tn, PR_SRC_CHILD);
				if (s && z->interest)
					pr_server_resolve(p, z, s);
			}
		}
	}
}

void pr_on_batch(pr_probe *p, pr_qctx *c, const dnsvet_result *r)
{
	pr_quest *q = c->q;
	pr_name *pn = q->pn;
	pr_zone *z = c->zone;
	int rcode = dnsvet_result_rcode(r);
	int ok = dnsvet_result_error(r) == DNSVET_QERR_NONE;
	int aa = ok && (dnsvet_result_flags(r) & DNSVET_RF_AA) &&
	         (rcode == LDNS_RCODE_NOERROR || rcode == LDNS_RCODE_NXDOMAIN);
	char buf[PR_NAME_MAX];
	const char *cut;
	int up = 0;

	pr_reply_fill(c->rep, r);
	if (q == z->apex_soa || q == z->apex_ns)
		apex_learn(p, z, q, c->srv, c->addr, r);
	if (pn->at != z || pn->state != PN_BATCH)
		return;
	cut = pr_referral_cut(r, z->name, pn->name, buf, &up);
	if (cut) {
		pr_zone *child = pr_zone_from_referral(p, z, cut, r, c->depth);
		if (!child)
			return;
		pr_ptrv_remove(&z->batch, pn);
		pn->holder = NULL;
		pn->nx = 0;
		pn->state = PN_NEW;
		pn->depth = c->depth;
		pn->steps++;
		pr_name_advance(p, pn);
		return;
	}
	note_upward(z, up, buf);
	if (aa) {
		char target[PR_NAME_MAX];
		if (!pn->holder)
			pn->holder = z;
		if (rcode == LDNS_RCODE_NXDOMAIN)
			pn->nx = 1;
		if (q->follow && q->chain_state == 0 && rcode == LDNS_RCODE_NOERROR &&
		    cname_target(r, q->name, target))
			pr_chain_start(p, q, target, c->depth);
	}
}
