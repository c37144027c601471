/*
 * One domain's rule run: every rule's check is a coroutine; they run in (order, id) order
 * until each finishes, fails, or waits (for follow-up answers, or for earlier rules'
 * findings). The questions of all waiting rules are handed out together, deduplicated;
 * after the answers are recorded the rules resume. Scheduling depends only on the
 * observations, so a replay of a recording made after the run gives the same findings.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules/rules_int.h"


/* File and line of the innermost rule code on a (dead or suspended) coroutine's stack. */
static int where_of(lua_State *co, char *buf, size_t len)
{
	lua_Debug ar;

	for (int level = 0; lua_getstack(co, level, &ar); level++) {
		if (!lua_getinfo(co, "Sl", &ar))
			continue;
		if (ar.currentline > 0 && ar.source && ar.source[0] == '@') {
			snprintf(buf, len, "%s:%d", ar.source + 1, ar.currentline);
			return 1;
		}
	}
	return 0;
}

static void push_finding(rules_exec *ex, dnsvet_finding *f)
{
	if (ex->nf == ex->capf) {
		size_t cap = ex->capf ? ex->capf * 2 : 4;
		dnsvet_finding **v = realloc(ex->f, cap * sizeof(*v));

		if (!v) {
			dnsvet_finding_free(f);
			return;
		}
		ex->f = v;
		ex->capf = cap;
	}
	ex->f[ex->nf++] = f;
}

void exec_fail(dnsvet_rules_runner *r, rules_exec *ex, const char *where, const char *why)
{
	const dnsvet_rule *meta = ex->c->meta;
	const char *file = meta->chunkname + 1;
	dnsvet_finding_spec spec;
	dnsvet_finding *f = NULL;
	dnsvet_node *ev = dnsvet_node_new_list(), *item = dnsvet_node_new_map();
	char *msg, *fix;

	(void)r;
	ex->state = EX_FAILED;
	msg = rules_asprintf("Rule %s (%s) failed, so its check is incomplete for this domain: %s",
	                     meta->id, where ? where : file, why);
	fix = rules_asprintf("This is a fault in the rule, not in the domain's DNS: correct %s "
	                     "(or report it to its author). The other rules' findings stand.", file);
	if (ev && item) {
		dnsvet_node_map_set_string(item, "rule", meta->id);
		dnsvet_node_map_set_string(item, "file", file);
		if (where) {
			const char *colon = strrchr(where, ':');

			if (colon)
				dnsvet_node_map_set_int(item, "line", strtol(colon + 1, NULL, 10));
		}
		dnsvet_node_map_set_string(item, "error", why);
		dnsvet_node_list_append(ev, item);
		item = NULL;
	}
	dnsvet_node_free(item);
	memset(&spec, 0, sizeof(spec));
	spec.rule = DNSVET_RULE_ERROR_ID;
	spec.severity = DNSVET_SEVERITY_ERROR;
	spec.title = "A rule failed while checking this domain";
	spec.message = msg ? msg : why;
	spec.fix = fix;
	spec.subject_name = meta->id;
	spec.subject_type = "RULE";
	spec.evidence = ev;
	if (dnsvet_finding_new(&spec, &f) == DNSVET_OK)
		push_finding(ex, f);
	free(msg);
	free(fix);
}

/* Runs (or resumes) one rule's coroutine until it finishes, fails or waits. */
static void exec_run(dnsvet_rules_runner *r, rules_exec *ex)
{
	rules_sandbox *sb = &r->sb;
	lua_State *L = r->L, *co;
	int nargs = 0, nres = 0, st;

	if (!ex->started) {
		ex->started = 1;
		if (!lua_checkstack(L, 3)) {
			exec_fail(r, ex, NULL, "out of memory");
			return;
		}
		if (!ex->co) {
			/* kept from domain to domain while its rule keeps returning (session_clear):
			 * a new one costs its allocation, stack growth and collection each time */
			ex->co = lua_newthread(L);
			ex->co_ref = luaL_ref(L, LUA_REGISTRYINDEX);
		}
		co = ex->co;
		sandbox_hook(co);
		lua_rawgeti(co, LUA_REGISTRYINDEX, ex->c->check_ref);
		lua_rawgeti(co, LUA_REGISTRYINDEX, r->ctx_ref);
		nargs = 1;
	}
	co = ex->co;
	ex->state = EX_READY;
	r->cur = ex;
	sandbox_limit(sb, r->instr_budget, r->mem_cap);
	sb->instr = ex->instr;
	sb->current_rule = ex->c->meta->id;
	st = lua_resume(co, L, nargs, &nres);
	ex->instr = sb->instr;
	sandbox_unlimit(sb);
	sb->current_rule = NULL;
	r->cur = NULL;
	if (st == LUA_OK) {
		lua_pop(co, nres);
		ex->state = EX_DONE;
	} else if (st == LUA_YIELD) {
		lua_pop(co, nres);
		if (ex->state != EX_QUERY && ex->state != EX_WAIT)
			exec_fail(r, ex, NULL, "the rule yielded outside ctx:query");
	} else {
		char where[512];
		const char *msg;
		int have_where = where_of(co, where, sizeof(where));

		if (st == LUA_ERRMEM && sb->mem_hit && !sb->killed)
			sb->killed = "memory cap exceeded";
		if (sb->killed) {
			char why[256];

			snprintf(why, sizeof(why), "stopped: %s (limit %s)", sb->killed,
			         strstr(sb->killed, "memory") ? "per rule per domain" :
			         strstr(sb->killed, "query") ? "of ctx:query calls per rule per domain" :
			         "of VM instructions per rule per domain");
			exec_fail(r, ex, have_where ? where : NULL, why);
		} else {
			msg = sandbox_errmsg(co, -1);
			exec_fail(r, ex, have_where ? where : NULL, msg);
		}
	}
	sb->killed = NULL;
}

static void session_clear(dnsvet_rules_runner *r)
{
	lua_State *L = r->L;

	for (size_t i = 0; i < r->nex; i++) {
		rules_exec *ex = &r->ex[i];

		/* a coroutine whose rule returned is empty and can run the rule again next domain;
		 * one stopped by an error, or left waiting for answers, is dropped */
		if (ex->co && (ex->state != EX_DONE || lua_status(ex->co) != LUA_OK)) {
			luaL_unref(L, LUA_REGISTRYINDEX, ex->co_ref);
			ex->co = NULL;
		}
		for (size_t j = 0; j < ex->nf; j++)
			dnsvet_finding_free(ex->f[j]);
		free(ex->f);
		rules_pending_clear(ex);
	}
	r->nex = 0;
	free(r->qs);
	r->qs = NULL;
	free(r->qkeys);
	r->qkeys = NULL;
	r->nq = r->capq = 0;
	if (r->ctx_ref != LUA_NOREF) {
		luaL_unref(L, LUA_REGISTRYINDEX, r->ctx_ref);
		r->ctx_ref = LUA_NOREF;
	}
	rv_end_domain(L);
	rules_answers_forget(r);
	r->active = 0;
	r->obs = NULL;
	r->cur = NULL;
	lua_settop(L, 0);
	sandbox_gc_settle(&r->sb);
}

dnsvet_status dnsvet_rules_begin(dnsvet_rules_runner *r, dnsvet_node *obs, int live)
{
	if (!r || !obs || dnsvet_node_type_of(obs) != DNSVET_NODE_MAP)
		return DNSVET_ERR_INVALID;
	if (r->active)
		return DNSVET_ERR_STATE;
	/* kept from domain to domain: each execution carries room for a full batch of
	 * questions, and zeroing all of it for every domain cost more than some rules */
	if (!r->ex && !(r->ex = calloc(r->n ? r->n : 1, sizeof(*r->ex))))
		return DNSVET_ERR_NOMEM;
	r->nex = r->n;
	for (size_t i = 0; i < r->n; i++) {
		rules_exec *ex = &r->ex[i];

		lua_State *co = ex->co;
		int co_ref = ex->co_ref;

		memset(ex, 0, offsetof(rules_exec, q));
		ex->co = co;
		ex->co_ref = co_ref;
		ex->nq = 0;
		ex->batch = 0;
		ex->c = &r->c[i];
		ex->pos = i;
		ex->state = EX_READY;
	}
	r->active = 1;
	r->live = live;
	r->asked = 0;
	r->rounds = 0;
	r->obs = obs;
	r->gen++;
	sandbox_unlimit(&r->sb);
	if (!lua_checkstack(r->L, 8)) {
		session_clear(r);
		return DNSVET_ERR_NOMEM;
	}
	rv_begin_domain(r->L, r->gen);
	ctx_push(r);
	r->ctx_ref = luaL_ref(r->L, LUA_REGISTRYINDEX);
	for (size_t i = 0; i < r->nex; i++)
		if (r->c[i].broken)
			exec_fail(r, &r->ex[i], NULL, r->c[i].broken);
	return DNSVET_OK;
}

static int earlier_done(dnsvet_rules_runner *r, size_t pos)
{
	for (size_t i = 0; i < pos; i++)
		if (r->ex[i].state != EX_DONE && r->ex[i].state != EX_FAILED)
			return 0;
	return 1;
}

static dnsvet_status collect_questions(dnsvet_rules_runner *r)
{
	r->nq = 0;
	for (size_t i = 0; i < r->nex; i++) {
		rules_exec *ex = &r->ex[i];
		int dup = 0;

		if (ex->state != EX_QUERY)
			continue;
		for (size_t k = 0; k < ex->nq; k++) {
			const pending_q *p = &ex->q[k];

			/* answered already (another question of the batch), or asked by another */
			if (!p->key)
				continue;
			dup = 0;
			for (size_t j = 0; j < r->nq && !dup; j++)
				dup = strcmp(r->qkeys[j], p->key) == 0;
			if (dup)
				continue;
			if (r->nq == r->capq) {
				size_t cap = r->capq ? r->capq * 2 : 16;
				dnsvet_rules_question *v = realloc(r->qs, cap * sizeof(*v));
				const char **kv;

				if (!v)
					return DNSVET_ERR_NOMEM;
				r->qs = v;
				kv = realloc(r->qkeys, cap * sizeof(*kv));
				if (!kv)
					return DNSVET_ERR_NOMEM;
				r->qkeys = kv;
				r->capq = cap;
			}
			r->qkeys[r->nq] = p->key;
			dnsvet_rules_question *q = &r->qs[r->nq++];

			q->name = p->name;
			q->type = p->type;
			q->target = p->target;
			q->servers = (const char *const *)p->servers.v;
			q->n_servers = p->servers.n;
		}
	}
	return DNSVET_OK;
}

dnsvet_status dnsvet_rules_step(dnsvet_rules_runner *r, const dnsvet_rules_question **qs, size_t *n)
{
	dnsvet_status st;

	*qs = NULL;
	*n = 0;
	if (!r || !r->active)
		return DNSVET_ERR_STATE;
	if (r->asked) {
		/* the caller recorded answers: views built before must show them */
		rv_refresh_answers(r->L);
		rules_answers_forget(r);
		for (size_t i = 0; i < r->nex; i++)
			if (r->ex[i].state == EX_QUERY)
				r->ex[i].state = EX_READY;
		r->asked = 0;
	}
	for (;;) {
		for (size_t i = 0; i < r->nex; i++) {
			rules_exec *ex = &r->ex[i];

			if (ex->state == EX_READY || (ex->state == EX_WAIT && earlier_done(r, i)))
				exec_run(r, ex);
		}
		st = collect_questions(r);
		if (st)
			return st;
		if (r->nq == 0)
			return DNSVET_OK;
		if (!r->live || ++r->rounds > r->max_rounds) {
			/* a rule that keeps asking: stop it, so the others can finish */
			for (size_t i = 0; i < r->nex; i++)
				if (r->ex[i].state == EX_QUERY)
					exec_fail(r, &r->ex[i], NULL, r->live
					          ? "too many rounds of follow-up questions"
					          : "a follow-up question in replay mode");
			continue;
		}
		r->asked = 1;
		*qs = r->qs;
		*n = r->nq;
		return DNSVET_OK;
	}
}

dnsvet_status dnsvet_rules_end(dnsvet_rules_runner *r, dnsvet_finding_list **out)
{
	dnsvet_finding_list *list = NULL;
	dnsvet_status st = DNSVET_OK;
	size_t total = 0;

	if (out)
		*out = NULL;
	if (!r || !r->active)
		return DNSVET_ERR_STATE;
	if (out) {
		for (size_t i = 0; i < r->nex; i++) {
			rules_exec *ex = &r->ex[i];

			/* a rule still suspended here was abandoned by the caller */
			if (ex->state == EX_QUERY || ex->state == EX_WAIT || ex->state == EX_READY)
				exec_fail(r, ex, NULL, ex->state == EX_QUERY
				          ? "the run ended before its follow-up question was answered"
				          : "the run ended before the rule finished");
			total += ex->nf;
		}
		st = dnsvet_finding_list_new(&list);
		if (!st)
			st = finding_list_reserve(list, total);
		for (size_t i = 0; !st && i < r->nex; i++) {
			rules_exec *ex = &r->ex[i];

			for (size_t j = 0; j < ex->nf; j++)
				dnsvet_finding_list_append(list, ex->f[j]);
			ex->nf = 0;
		}
	}
	session_clear(r);
	if (st) {
		dnsvet_finding_list_free(list);
		return st;
	}
	if (out)
		*out = list;
	return DNSVET_OK;
}

dnsvet_status dnsvet_rules_run(dnsvet_rules_runner *r, dnsvet_node *obs,
                               const dnsvet_rules_asker *asker, dnsvet_finding_list **out)
{
	dnsvet_status st;

	*out = NULL;
	st = dnsvet_rules_begin(r, obs, asker != NULL);
	if (st)
		return st;
	for (;;) {
		const dnsvet_rules_question *qs;
		size_t n;

		st = dnsvet_rules_step(r, &qs, &n);
		if (st || n == 0)
			break;
		st = asker->ask(asker->user, obs, qs, n);
		if (st)
			break;
	}
	if (st) {
		dnsvet_rules_end(r, NULL);
		return st;
	}
	return dnsvet_rules_end(r, out);
}
