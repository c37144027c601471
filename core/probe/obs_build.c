/* Turning a finished probe into the observation tree (docs/observations.md). */
#include "probe/probe_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Builders record the first allocation failure in *bad and keep going, so
 * the callers check once at the end. */
typedef struct bld {
	int bad;
} bld;

static dnsvet_node *chk(bld *b, dnsvet_node *n)
{
	if (!n)
		b->bad = 1;
	return n;
}

static void set(bld *b, dnsvet_node *map, const char *key, dnsvet_node *v)
{
	if (!v) {
		b->bad = 1;
		return;
	}
	if (dnsvet_node_map_set(map, key, v) != DNSVET_OK)
		b->bad = 1;
}

static void set_str(bld *b, dnsvet_node *map, const char *key, const char *v)
{
	if (v && dnsvet_node_map_set_string(map, key, v) != DNSVET_OK)
		b->bad = 1;
}

static void set_int(bld *b, dnsvet_node *map, const char *key, int64_t v)
{
	if (dnsvet_node_map_set_int(map, key, v) != DNSVET_OK)
		b->bad = 1;
}

static void set_bool(bld *b, dnsvet_node *map, const char *key, int v)
{
	if (dnsvet_node_map_set_bool(map, key, v) != DNSVET_OK)
		b->bad = 1;
}

static void append(bld *b, dnsvet_node *list, dnsvet_node *v)
{
	if (!v || dnsvet_node_list_append(list, v) != DNSVET_OK)
		b->bad = 1;
}

static dnsvet_node *strlist(bld *b, const pr_strv *s, int show)
{
	dnsvet_node *l = chk(b, dnsvet_node_new_list());

	for (size_t i = 0; l && i < s->n; i++)
		if (dnsvet_node_list_append_string(l, show ? pr_name_show(s->v[i]) : s->v[i]) != DNSVET_OK)
			b->bad = 1;
	return l;
}

static dnsvet_node *sources(bld *b, unsigned src)
{
	dnsvet_node *l = chk(b, dnsvet_node_new_list());
	static const struct {
		unsigned bit;
		const char *name;
	} tab[] = {{PR_SRC_PARENT, "parent"}, {PR_SRC_CHILD, "child"},
	           {PR_SRC_MNAME, "mname"}, {PR_SRC_EDITED, "edited"}};

	for (size_t i = 0; l && i < sizeof(tab) / sizeof(tab[0]); i++)
		if ((src & tab[i].bit) && dnsvet_node_list_append_string(l, tab[i].name) != DNSVET_OK)
			b->bad = 1;
	return l;
}

static const char *qerr_name(int e)
{
	switch (e) {
	case DNSVET_QERR_TIMEOUT:
		return "timeout";
	case DNSVET_QERR_UNREACHABLE:
		return "unreachable";
	case DNSVET_QERR_REFUSED:
		return "refused_connection";
	case DNSVET_QERR_MALFORMED:
		return "malformed";
	case DNSVET_QERR_TRUNCATED:
		return "truncated";
	case DNSVET_QERR_CLOSED:
		return "closed";
	case DNSVET_QERR_CANCELLED:
		return "cancelled";
	default:
		return "io";
	}
}

static const char *rcode_name(int rc, char *buf, size_t len)
{
	ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, rc);

	if (lt)
		snprintf(buf, len, "%s", lt->name);
	else
		snprintf(buf, len, "RCODE%d", rc);
	return buf;
}

static int64_t ms(double v)
{
	return (int64_t)llround(v);
}

static dnsvet_node *reply_node(bld *b, const pr_reply *r, int resolver)
{
	dnsvet_node *m = chk(b, dnsvet_node_new_map());
	char rc[32];

	if (!m)
		return NULL;
	if (r->server)
		set_str(b, m, "server", pr_name_show(r->server));
	set_str(b, m, "addr", r->addr);
	if (r->srv)
		set(b, m, "source", sources(b, r->srv->source));
	if (!r->done) {
		set_str(b, m, "error", "not_sent");
		return m;
	}
	if (r->qerr != DNSVET_QERR_NONE) {
		set_str(b, m, "error", qerr_name(r->qerr));
		return m;
	}
	set_str(b, m, "rcode", rcode_name(r->rcode, rc, sizeof(rc)));
	set_bool(b, m, "aa", !!(r->flags & DNSVET_RF_AA));
	if (resolver)
		set_bool(b, m, "ad", !!(r->flags & DNSVET_RF_AD));
	set_int(b, m, "rtt_ms", ms(r->rtt_ms));
	set(b, m, "answer", strlist(b, &r->answer, 0));
	set(b, m, "authority", strlist(b, &r->authority, 0));
	if (r->cd) {
		dnsvet_node *cd = chk(b, dnsvet_node_new_map());
		if (cd) {
			if (!r->cd->done) {
				set_str(b, cd, "error", "not_sent");
			} else if (r->cd->qerr != DNSVET_QERR_NONE) {
				set_str(b, cd, "error", qerr_name(r->cd->qerr));
			} else {
				set_str(b, cd, "rcode", rcode_name(r->cd->rcode, rc, sizeof(rc)));
				set(b, cd, "answer", strlist(b, &r->cd->answer, 0));
			}
		}
		set(b, m, "cd", cd);
	}
	return m;
}

/* The zone a name is reported in: the one that answered for it, else the
 * deepest one reached. */
static pr_zone *zone_of(const pr_name *pn)
{
	return pn->holder ? pn->holder : pn->at;
}

/* By server name, then address. */
static int reply_cmp(const void *a, const void *b)
{
	const pr_reply *x = *(pr_reply *const *)a, *y = *(pr_reply *const *)b;
	int c = strcmp(x->server ? x->server : "", y->server ? y->server : "");

	return c ? c : strcmp(x->addr, y->addr);
}

dnsvet_node *pr_quest_node(pr_probe *p, pr_quest *q)
{
	bld b = {0};
	dnsvet_node *m = dnsvet_node_new_map();
	pr_zone *z = zone_of(q->pn);
	char tb[32];

	(void)p;
	if (!m)
		return NULL;
	set_str(&b, m, "name", pr_name_show(q->name));
	set_str(&b, m, "type", pr_type_str(q->type, tb, sizeof(tb)));
	if (q->auth.n) {
		dnsvet_node *l = chk(&b, dnsvet_node_new_list());
		/* Servers are asked as their addresses arrive, so the asking order varies from
		 * run to run; the observations (and the evidence rules quote) must not. */
		pr_reply **v = malloc(q->auth.n * sizeof(*v));
		if (!v)
			b.bad = 1;
		for (size_t i = 0; v && i < q->auth.n; i++)
			v[i] = q->auth.v[i];
		if (v)
			qsort(v, q->auth.n, sizeof(*v), reply_cmp);
		for (size_t i = 0; l && v && i < q->auth.n; i++) {
			if (v[i]->zone == z)
				append(&b, l, reply_node(&b, v[i], 0));
		}
		free(v);
		set(&b, m, "auth", l);
	}
	if (q->res.n) {
		dnsvet_node *l = chk(&b, dnsvet_node_new_list());
		for (size_t i = 0; l && i < q->res.n; i++)
			append(&b, l, reply_node(&b, q->res.v[i], 1));
		set(&b, m, "resolvers", l);
	}
	if (q->srv.n) {
		dnsvet_node *l = chk(&b, dnsvet_node_new_list());
		for (size_t i = 0; l && i < q->srv.n; i++)
			append(&b, l, reply_node(&b, q->srv.v[i], 0));
		set(&b, m, "servers", l);
	}
	if (q->chain_state) {
		set(&b, m, "chain", strlist(&b, &q->chain, 0));
		set_str(&b, m, "chain_rcode", q->chain_rcode);
		set_str(&b, m, "chain_error", q->chain_error);
	}
	if (b.bad) {
		dnsvet_node_free(m);
		return NULL;
	}
	return m;
}

static dnsvet_node *server_nodes(bld *b, pr_zone *z)
{
	dnsvet_node *l = chk(b, dnsvet_node_new_list());

	for (size_t i = 0; l && i < z->servers.n; i++) {
		pr_server *s = z->servers.v[i];
		if (!s->addrs.n) {
			dnsvet_node *m = chk(b, dnsvet_node_new_map());
			if (!m)
				break;
			set_str(b, m, "name", pr_name_show(s->name));
			set(b, m, "source", sources(b, s->source));
			set_str(b, m, "status", s->addr_state == 2 ? "lame" : "unknown");
			if (s->addr_state == 2)
				set_str(b, m, "lame", "no_address");
			set_str(b, m, "error", s->addr_error);
			append(b, l, m);
			continue;
		}
		for (size_t k = 0; k < s->addrs.n; k++) {
			pr_addr *a = s->addrs.v[k];
			dnsvet_node *m = chk(b, dnsvet_node_new_map());
			if (!m)
				break;
			set_str(b, m, "name", pr_name_show(s->name));
			set_str(b, m, "addr", a->text);
			set(b, m, "source", sources(b, s->source));
			if (a->skip) {
				set_str(b, m, "status", "lame");
				set_str(b, m, "lame", a->skip);
			} else if (!a->classified) {
				set_str(b, m, "status", "unknown");
			} else {
				set_str(b, m, "status", a->lame ? "lame" : "ok");
				set_str(b, m, "lame", a->lame);
				if (!a->lame && a->has_serial)
					set_int(b, m, "serial", a->serial);
				if (a->answered)
					set_int(b, m, "rtt_ms", ms(a->rtt_ms));
			}
			append(b, l, m);
		}
	}
	return l;
}

/* status and reason of a real zone. */
static void zone_status(pr_probe *p, pr_zone *z, const char **status, char **reason)
{
	size_t n_addr = 0, n_skip = 0, n_ok = 0, n_lame = 0, n_unknown = 0;
	pr_strv lames = {0};

	(void)p;
	for (size_t i = 0; i < z->servers.n; i++) {
		pr_server *s = z->servers.v[i];
		for (size_t k = 0; k < s->addrs.n; k++) {
			pr_addr *a = s->addrs.v[k];
			if (a->skip) {
				n_skip++;
				continue;
			}
			n_addr++;
			if (!a->classified)
				n_unknown++;
			else if (a->lame) {
				n_lame++;
				pr_strv_push_unique(&lames, a->lame);
			} else
				n_ok++;
		}
	}
	*reason = NULL;
	if (n_addr == 0 && n_skip > 0) {
		*status = "not_public";
		*reason = pr_strfmt("every name server address of %s is private or loopback",
		                    pr_name_show(z->name));
	} else if (n_addr == 0) {
		*status = "no_servers";
		if (z->dead_reason)
			*reason = pr_strdup(z->dead_reason);
		else {
			const char *why = NULL;
			for (size_t i = 0; i < z->servers.n && !why; i++)
				why = ((pr_server *)z->servers.v[i])->addr_error;
			*reason = pr_strfmt("no address found for any name server of %s%s%s",
			                    pr_name_show(z->name), why ? ": " : "", why ? why : "");
		}
	} else if (n_ok == 0 && n_lame > 0) {
		char list[256] = "";
		size_t o = 0;
		*status = "error";
		for (size_t i = 0; i < lames.n && o < sizeof(list); i++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", lames.v[i]);
		if (z->upward == 1 || z->upward == 3) {
			char tg[512] = "";
			size_t t = 0;
			for (size_t i = 0; i < z->upward_targets.n && t < sizeof(tg); i++)
				t += (size_t)snprintf(tg + t, sizeof(tg) - t, "%s%s", i ? ", " : "",
				                      z->upward_targets.v[i]);
			*reason = pr_strfmt("referral loop: the servers of %s answer with referrals (to %s) "
			                    "instead of answers (%s)",
			                    pr_name_show(z->name), tg, list);
		}
		else
			*reason = pr_strfmt("no server of %s answers authoritatively (%s)",
			                    pr_name_show(z->name), list);
	} else if (n_ok == 0 && n_unknown > 0) {
		*status = "error";
		*reason = pr_strfmt("no server of %s was asked successfully", pr_name_show(z->name));
	} else {
		*status = "ok";
	}
	pr_strv_clear(&lames);
}

static dnsvet_node *zone_node(bld *b, pr_probe *p, pr_zone *z, const char *force_status,
                              const char *force_reason)
{
	dnsvet_node *m = chk(b, dnsvet_node_new_map());
	const char *status;
	char *reason = NULL;
	pr_strv errs = {0};

	if (!m)
		return NULL;
	zone_status(p, z, &status, &reason);
	if (force_status) {
		status = force_status;
		free(reason);
		reason = pr_strdup(force_reason);
	}
	set_str(b, m, "name", pr_name_show(z->name));
	if (z->parent)
		set_str(b, m, "parent", pr_name_show(z->parent));
	set_str(b, m, "status", status);
	set_str(b, m, "reason", reason);
	free(reason);
	if (z->parent_ns.n)
		set(b, m, "parent_ns", strlist(b, &z->parent_ns, 1));
	if (z->glue.n)
		set(b, m, "glue", strlist(b, &z->glue, 0));
	if (z->child_ns.n)
		set(b, m, "child_ns", strlist(b, &z->child_ns, 1));
	set_str(b, m, "soa", z->soa);
	set(b, m, "servers", server_nodes(b, z));
	pr_strv_copy(&errs, &z->errors);
	for (size_t i = 0; i < z->servers.n; i++) {
		pr_server *s = z->servers.v[i];
		if (s->addr_error && !s->addrs.n)
			pr_strv_push_unique(&errs, s->addr_error);
	}
	if (errs.n)
		set(b, m, "errors", strlist(b, &errs, 0));
	pr_strv_clear(&errs);
	return m;
}

static int zone_cmp(const void *x, const void *y)
{
	const pr_zone *a = *(pr_zone *const *)x, *b = *(pr_zone *const *)y;
	unsigned la = pr_name_labels(a->name), lb = pr_name_labels(b->name);

	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int ptr_in(const pr_ptrv *v, const void *x)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i] == x)
			return 1;
	return 0;
}

dnsvet_node *pr_build_answers(pr_probe *p)
{
	bld b = {0};
	dnsvet_node *l = dnsvet_node_new_list();

	for (size_t i = 0; l && i < p->quests.n; i++) {
		pr_quest *q = p->quests.v[i];
		if (!q->pn->interest || (p->followup && !q->requested))
			continue;
		append(&b, l, pr_quest_node(p, q));
	}
	if (b.bad) {
		dnsvet_node_free(l);
		return NULL;
	}
	return l;
}

dnsvet_node *pr_build_obs(pr_probe *p)
{
	bld b = {0};
	dnsvet_node *root = dnsvet_node_new_map();
	dnsvet_node *zones, *names, *res, *stats, *answers;
	pr_ptrv zl = {0};
	pr_name *dom;
	char key[PR_NAME_MAX + 4];
	const char *special = pr_name_special(p->in.domain, p->opts.lab);
	pr_zone *nx_holder = NULL;       /* the parent that says the domain does not exist */

	if (!root)
		return NULL;
	snprintf(key, sizeof(key), "i/%s", p->in.domain);
	dom = pr_map_get(&p->names, key);
	if (dom && dom->nx && dom->holder && strcmp(dom->holder->name, p->in.domain) != 0)
		nx_holder = dom->holder;

	set_str(&b, root, "schema", "dnsvet.obs/1");
	set_str(&b, root, "domain", p->in.domain);
	set_int(&b, root, "started", (int64_t)p->started);
	set_bool(&b, root, "lab", p->opts.lab);
	if (p->in.expect_node)
		set(&b, root, "expect", dnsvet_node_copy(p->in.expect_node));
	if (p->in.ses_node)
		set(&b, root, "ses", dnsvet_node_copy(p->in.ses_node));

	/* Zones that hold a name of interest, closest to the root first. */
	for (size_t i = 0; i < p->name_list.n; i++) {
		pr_name *pn = p->name_list.v[i];
		pr_zone *z = zone_of(pn);
		if (pn->interest && z && !ptr_in(&zl, z))
			pr_ptrv_push(&zl, z);
	}
	if (zl.n)
		qsort(zl.v, zl.n, sizeof(void *), zone_cmp);
	zones = chk(&b, dnsvet_node_new_list());
	for (size_t i = 0; zones && i < zl.n; i++) {
		pr_zone *z = zl.v[i];
		const char *fs = NULL;
		const char *fr = NULL;
		if (special && !nx_holder && dom && zone_of(dom) == z) {
			fs = "not_public";
			fr = special;
		}
		append(&b, zones, zone_node(&b, p, z, fs, fr));
	}
	if (zones && nx_holder) {
		/* The parent denies the domain: one entry stands for everything below. */
		dnsvet_node *m = chk(&b, dnsvet_node_new_map());
		if (m) {
			char *why = special ? NULL
			                    : pr_strfmt("%s answers NXDOMAIN for %s: the domain is not delegated",
			                                pr_name_show(nx_holder->name), p->in.domain);
			set_str(&b, m, "name", p->in.domain);
			set_str(&b, m, "parent", pr_name_show(nx_holder->name));
			set_str(&b, m, "status", special ? "not_public" : "nxdomain");
			set_str(&b, m, "reason", special ? special : why);
			free(why);
			append(&b, zones, m);
		}
	}
	set(&b, root, "zones", zones);

	names = chk(&b, dnsvet_node_new_list());
	for (size_t i = 0; names && i < p->name_list.n; i++) {
		pr_name *pn = p->name_list.v[i];
		pr_zone *z = zone_of(pn);
		dnsvet_node *m;
		if (!pn->interest)
			continue;
		m = chk(&b, dnsvet_node_new_map());
		if (!m)
			break;
		set_str(&b, m, "name", pr_name_show(pn->name));
		if (nx_holder && z == nx_holder && pr_name_is_sub(pn->name, p->in.domain))
			set_str(&b, m, "zone", p->in.domain);
		else if (z)
			set_str(&b, m, "zone", pr_name_show(z->name));
		if (pn->nx)
			set_bool(&b, m, "nxdomain", 1);
		set_str(&b, m, "error", pn->error);
		append(&b, names, m);
	}
	set(&b, root, "names", names);

	res = chk(&b, dnsvet_node_new_list());
	for (size_t i = 0; res && i < p->resolvers.n; i++) {
		pr_resolver *r = p->resolvers.v[i];
		dnsvet_node *m = chk(&b, dnsvet_node_new_map());
		if (!m)
			break;
		set_str(&b, m, "addr", r->addr);
		set_str(&b, m, "label", r->label);
		append(&b, res, m);
	}
	set(&b, root, "resolvers", res);

	answers = pr_build_answers(p);
	set(&b, root, "answers", answers);

	stats = chk(&b, dnsvet_node_new_map());
	if (stats) {
		set_int(&b, stats, "queries", p->stats.queries);
		set_int(&b, stats, "elapsed_ms", ms(p->stats.elapsed_ms));
		set_int(&b, stats, "rtts", p->stats.rtts);
		set_int(&b, stats, "cache_hits", p->stats.cache_hits);
		if (p->stats.budget_exhausted)
			set_bool(&b, stats, "budget_exhausted", 1);
	}
	set(&b, root, "stats", stats);
	pr_ptrv_clear(&zl);
	if (b.bad) {
		dnsvet_node_free(root);
		return NULL;
	}
	return root;
}
