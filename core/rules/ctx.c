/*
 * The `ctx` a rule's check receives (docs/rule-api.md): views of the observation set and the
 * methods report, answers, query, zone_of and findings. One ctx per domain is shared by all
 * rules; the methods find the calling rule through the runner's current execution.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ldns/ldns.h>
#include "rules/rules_int.h"

#define MAX_QUERY_SERVERS 32

static dnsvet_rules_runner *runner_of(lua_State *L)
{
	dnsvet_rules_runner *r = sandbox_of(L)->runner;

	if (!r || !r->cur)
		luaL_error(L, "ctx methods can only be used while the rule's check runs");
	return r;
}

const char *rules_arg_name(lua_State *L, int idx, char *buf, size_t len)
{
	size_t n;
	const char *s = luaL_checklstring(L, idx, &n);

	if (n == 0 || !rr_name_normalize(s, n, buf, len) || strlen(buf) > 253)
		luaL_argerror(L, idx, "not a domain name");
	return buf;
}

/* Registry: type mnemonics found valid, so that ldns's table is searched once per type (the
 * common ones, rr_type_common, need neither). */
static const char types_key = 't';

const char *rules_arg_type(lua_State *L, int idx, char *buf, size_t len)
{
	size_t n;
	const char *s = luaL_checklstring(L, idx, &n);
	int known;

	if (n == 0 || n >= len)
		luaL_argerror(L, idx, "not an RR type");
	for (size_t i = 0; i <= n; i++)
		buf[i] = (char)toupper((unsigned char)s[i]);
	if (rr_type_common(buf))
		return buf;
	if (lua_rawgetp(L, LUA_REGISTRYINDEX, &types_key) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_rawsetp(L, LUA_REGISTRYINDEX, &types_key);
	}
	known = lua_getfield(L, -1, buf) != LUA_TNIL;
	lua_pop(L, 1);
	if (!known) {
		if (ldns_get_rr_type_by_name(buf) == 0 && strcmp(buf, "TYPE0") != 0)
			luaL_argerror(L, idx, lua_pushfstring(L, "unknown RR type '%s'", s));
		lua_pushboolean(L, 1);
		lua_setfield(L, -2, buf);
	}
	lua_pop(L, 1);
	return buf;
}

/* ---- ctx:answers, ctx:zone_of ---- */

static int ctx_answers(lua_State *L)
{
	dnsvet_rules_runner *r = runner_of(L);
	char name[1100], type[24];
	dnsvet_node *e;

	rules_arg_name(L, 2, name, sizeof(name));
	rules_arg_type(L, 3, type, sizeof(type));
	e = rules_answers_find(r, name, type);
	if (e)
		rv_push_node(L, e, RV_ENTRY, r->gen);
	else
		lua_pushnil(L);
	return 1;
}

/*
 * ctx:answers_with_rcode(side, rcode): the answers entries with a reply of that rcode from
 * side, in the order of ctx.obs.answers. Read from the tree in C, so that a rule looking for
 * the rare failing reply opens the views of the entries it keeps, not of every reply.
 */
static int ctx_answers_with_rcode(lua_State *L)
{
	static const char *const sides[] = {"auth", "resolvers", NULL};
	dnsvet_rules_runner *r = runner_of(L);
	const char *side = sides[luaL_checkoption(L, 2, NULL, sides)];
	const char *rcode = luaL_checkstring(L, 3);
	const dnsvet_node *answers = dnsvet_node_map_get(r->obs, "answers");
	lua_Integer k = 0;

	lua_newtable(L);
	for (size_t i = 0; i < dnsvet_node_size(answers); i++) {
		const dnsvet_node *e = dnsvet_node_list_at(answers, i);
		const dnsvet_node *replies = dnsvet_node_map_get(e, side);

		for (size_t j = 0; j < dnsvet_node_size(replies); j++) {
			const char *rc = dnsvet_node_string(
				dnsvet_node_map_get(dnsvet_node_list_at(replies, j), "rcode"));

			if (rc && strcmp(rc, rcode) == 0) {
				rv_push_node(L, e, RV_ENTRY, r->gen);
				lua_rawseti(L, -2, ++k);
				break;
			}
		}
	}
	rv_wrap_domain_table(L, -1);
	lua_remove(L, -2);
	return 1;
}

/*
 * ctx:rrs(side, name, type [, rrtype]): the RRs owned by name in the answer sections of the
 * replies to name type from side, each {rr = RR, reply = reply} (the tables ctx:answers
 * leads to). The replies are scanned in the tree; only those holding a match are opened.
 */
typedef struct rrs_acc {
	lua_State *L;
	dnsvet_rules_runner *r;
	const dnsvet_node *entry;
	const char *side;
	int out;       /* stack index of the result, 0 until a match */
	lua_Integer n;
} rrs_acc;

/*
 * A ctx:rrs item is a userdata holding the RR and the reply as its user values, under one
 * metatable: nothing can be written to it, and making one costs a fraction of a read-only
 * table.
 */

static int item_index(lua_State *L)
{
	const char *k = lua_tostring(L, 2);

	if (k && strcmp(k, "rr") == 0)
		lua_getiuservalue(L, 1, 1);
	else if (k && strcmp(k, "reply") == 0)
		lua_getiuservalue(L, 1, 2);
	else
		lua_pushnil(L);
	return 1;
}

static int item_newindex(lua_State *L)
{
	return luaL_error(L, "attempt to modify a read-only table");
}

static int item_next(lua_State *L)
{
	const char *k = lua_tostring(L, 2);
	const char *next = lua_isnil(L, 2) ? "rr" : (k && strcmp(k, "rr") == 0) ? "reply" : NULL;

	if (!next) {
		lua_pushnil(L);
		return 1;
	}
	lua_pushstring(L, next);
	lua_getiuservalue(L, 1, next[1] == 'r' ? 1 : 2);
	return 2;
}

static int item_pairs(lua_State *L)
{
	lua_pushcfunction(L, item_next);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

static void push_item_meta(lua_State *L)
{
	if (rules_reg_get(L, REG_ITEM_META) == LUA_TTABLE)
		return;
	lua_pop(L, 1);
	lua_createtable(L, 0, 4);
	lua_pushcfunction(L, item_index);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, item_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, item_pairs);
	lua_setfield(L, -2, "__pairs");
	lua_pushliteral(L, "read-only");
	lua_setfield(L, -2, "__metatable");
	lua_pushvalue(L, -1);
	rules_reg_set(L, REG_ITEM_META);
}

static int rrs_add(void *user, size_t reply_i, size_t rr_i)
{
	rrs_acc *a = user;
	lua_State *L = a->L;
	const dnsvet_node *reply = dnsvet_node_list_at(dnsvet_node_map_get(a->entry, a->side),
	                                               reply_i);

	luaL_checkstack(L, 6, "ctx:rrs");
	if (!a->out) {
		/* room for the usual one RR per server: growing from empty rehashed twice */
		lua_createtable(L, 4, 0);
		a->out = lua_gettop(L);
	}
	/* neither the reply list, the reply nor its answer section is opened: the RR's view is
	 * the one the section shows, found by its string, and the reply's the one entry.auth
	 * (or .resolvers) shows, found by its node */
	lua_newuserdatauv(L, 0, 2);
	rv_push_rr(L, dnsvet_node_list_at(dnsvet_node_map_get(reply, "answer"), rr_i), a->r->gen);
	lua_setiuservalue(L, -2, 1);
	rv_push_node(L, reply, RV_REPLY, a->r->gen);
	lua_setiuservalue(L, -2, 2);
	push_item_meta(L);
	lua_setmetatable(L, -2);
	lua_rawseti(L, a->out, ++a->n);
	return 0;
}

static int ctx_rrs(lua_State *L)
{
	static const char *const sides[] = {"auth", "own", "resolvers", NULL};
	dnsvet_rules_runner *r = runner_of(L);
	int side = luaL_checkoption(L, 2, NULL, sides);
	char name[1100], type[24], rrtype[24], key[1200];
	int has_rrtype = !lua_isnoneornil(L, 5);
	rrs_acc a = {L, r, NULL, side == 2 ? "resolvers" : "auth", 0, 0};
	size_t nl, tl;
	lua_Integer slot;

	rules_arg_name(L, 3, name, sizeof(name));
	rules_arg_type(L, 4, type, sizeof(type));
	if (has_rrtype)
		rules_arg_type(L, 5, rrtype, sizeof(rrtype));
	else
		rrtype[0] = '\0';
	nl = strlen(name);
	tl = strlen(type);
	/* "\1" keeps these keys apart from dnsvet.authoritative's in the shared cache */
	key[0] = '\1';
	key[1] = (char)('0' + side);
	memcpy(key + 2, name, nl);
	key[2 + nl] = '\n';
	memcpy(key + 3 + nl, type, tl);
	slot = helpers_memo_slot(L, key, 3 + nl + tl, rrtype, strlen(rrtype));
	lua_settop(L, 0);
	helpers_push_cache(L);
	if (lua_rawgeti(L, 1, slot) != LUA_TNIL)
		return 1;
	lua_pop(L, 1);
	a.entry = rules_answers_find(r, name, type);
	if (a.entry)
		rules_owned_scan(dnsvet_node_map_get(a.entry, a.side), side == 1, name,
		                 has_rrtype ? rrtype : NULL, rrs_add, &a);
	if (a.out) {
		lua_settop(L, a.out);
		/* shared by every rule asking the same, so read-only */
		rv_wrap_domain_table(L, a.out);
		lua_remove(L, a.out);
	} else {
		rv_push_empty(L);
	}
	lua_pushvalue(L, -1);
	lua_rawseti(L, 1, slot);
	return 1;
}

static int ctx_zone_of(lua_State *L)
{
	dnsvet_rules_runner *r = runner_of(L);
	char name[1100];
	dnsvet_node *z = rules_zone_of(r->obs, rules_arg_name(L, 2, name, sizeof(name)));

	if (z)
		rv_push_node(L, z, RV_ZONE, r->gen);
	else
		lua_pushnil(L);
	return 1;
}

/* ---- ctx:query ---- */

static const char *target_desc(const pending_q *q, char *buf, size_t len)
{
	if (q->target == DNSVET_RULES_TO_AUTH)
		return "the authoritative servers";
	if (q->target == DNSVET_RULES_TO_RESOLVERS)
		return "the resolvers";
	snprintf(buf, len, "%s", q->servers.n ? q->servers.v[0] : "?");
	if (q->servers.n > 1)
		snprintf(buf + strlen(buf), len - strlen(buf), " and %zu more", q->servers.n - 1);
	return buf;
}

/* The entry answering q, or NULL while it is missing. */
static dnsvet_node *answer_of(dnsvet_rules_runner *r, const pending_q *q)
{
	dnsvet_node *e = rules_answers_find(r, q->name, q->type);

	return e && rules_entry_satisfies(e, q->target, (const char *const *)q->servers.v,
	                                  q->servers.n) ? e : NULL;
}

/* Pushes the answers to the questions ex waits on (one entry, or a list for a batch); 0 when
 * some are still missing and the rule may wait (not final, live), an error otherwise. */
static int push_answers(lua_State *L, dnsvet_rules_runner *r, rules_exec *ex, int final)
{
	char buf[128];

	for (size_t k = 0; k < ex->nq; k++) {
		const pending_q *q = &ex->q[k];

		if (answer_of(r, q))
			continue;
		if (!r->live) {
			const char *msg = lua_pushfstring(L, "replay: the recording has no answer to %s "
				"%s from %s (record it in `answers`, or add the question to the rule's "
				"probes)", q->name, q->type, target_desc(q, buf, sizeof(buf)));

			/* a rule may catch this and take the question as unanswered: the log still
			 * tells the fixture's author that the recording lacks it */
			if (r->rules->opts.log)
				r->rules->opts.log(r->rules->opts.log_user, sandbox_of(L)->current_rule,
				                   msg);
			return luaL_error(L, "%s", msg);
		}
		if (final)
			return luaL_error(L, "no answer could be obtained to %s %s from %s", q->name,
			                  q->type, target_desc(q, buf, sizeof(buf)));
		return 0;
	}
	if (ex->batch)
		lua_createtable(L, (int)ex->nq, 0);
	for (size_t k = 0; k < ex->nq; k++) {
		rv_push_node(L, answer_of(r, &ex->q[k]), RV_ENTRY, r->gen);
		if (ex->batch)
			lua_rawseti(L, -2, (lua_Integer)k + 1);
	}
	return 1;
}

static int query_k(lua_State *L, int status, lua_KContext kctx)
{
	dnsvet_rules_runner *r = runner_of(L);

	(void)status;
	(void)kctx;
	return push_answers(L, r, r->cur, 1);
}

static void clear_pending(pending_q *q)
{
	free(q->name);
	free(q->key);
	strvec_free(&q->servers);
	memset(q, 0, sizeof(*q));
}

void rules_pending_clear(rules_exec *ex)
{
	for (size_t k = 0; k < ex->nq; k++)
		clear_pending(&ex->q[k]);
	ex->nq = 0;
	ex->batch = 0;
}

/* Fills q with target (and the server list at index 2 for DNSVET_RULES_TO_SERVERS). */
static void set_question(lua_State *L, pending_q *q, unsigned target, const char *name,
                         const char *type)
{
	q->target = target;
	/* arg_type filled a buffer of this size: the type and its NUL fit */
	memcpy(q->type, type, strlen(type) + 1);
	q->name = strdup(name);
	if (!q->name)
		luaL_error(L, "out of memory");
	if (target == DNSVET_RULES_TO_SERVERS) {
		lua_Integer n = luaL_len(L, 2);

		if (n < 1 || n > MAX_QUERY_SERVERS)
			luaL_argerror(L, 2, "a server list has 1 to 32 addresses");
		for (lua_Integer i = 1; i <= n; i++) {
			size_t len;
			const char *a;

			lua_geti(L, 2, i);
			a = lua_tolstring(L, -1, &len);
			if (lua_type(L, -1) != LUA_TSTRING || len == 0 || len >= 80 ||
			    strspn(a, "0123456789abcdefABCDEF:.[]%") != len)
				luaL_argerror(L, 2, "server addresses are IPv4 or IPv6 literals");
			if (strvec_push(&q->servers, a))
				luaL_error(L, "out of memory");
			lua_pop(L, 1);
		}
	}
}

/* The dedup key of q, by which the runner asks each question once per round. */
static void set_key(lua_State *L, pending_q *q)
{
	size_t klen = strlen(q->name) + 32;

	for (size_t i = 0; i < q->servers.n; i++)
		klen += strlen(q->servers.v[i]) + 1;
	q->key = malloc(klen);
	if (!q->key)
		luaL_error(L, "out of memory");
	snprintf(q->key, klen, "%u %s %s", q->target, q->name, q->type);
	for (size_t i = 0; i < q->servers.n; i++) {
		strcat(q->key, " ");
		strcat(q->key, q->servers.v[i]);
	}
}

/*
 * ctx:query(target, name, type) or ctx:query(target, {{name = ..., type = ...}, ...}): the
 * list form asks its questions together, in one round, and answers with the list of
 * entries in the same order.
 */
static int ctx_query(lua_State *L)
{
	dnsvet_rules_runner *r = runner_of(L);
	rules_exec *ex = r->cur;
	char name[1100], type[24];
	unsigned target = 0;
	int batch = lua_type(L, 3) == LUA_TTABLE;
	lua_Integer n = 1;

	if (lua_type(L, 2) == LUA_TSTRING) {
		const char *t = lua_tostring(L, 2);

		if (strcmp(t, "authoritative") == 0)
			target = DNSVET_RULES_TO_AUTH;
		else if (strcmp(t, "resolvers") == 0)
			target = DNSVET_RULES_TO_RESOLVERS;
		else
			return luaL_argerror(L, 2, "expected \"authoritative\", \"resolvers\" or a list "
			                     "of server addresses");
	} else if (lua_type(L, 2) == LUA_TTABLE) {
		target = DNSVET_RULES_TO_SERVERS;
	} else {
		return luaL_argerror(L, 2, "expected \"authoritative\", \"resolvers\" or a list of "
		                     "server addresses");
	}
	if (batch) {
		n = luaL_len(L, 3);
		if (n < 1 || n > RULES_MAX_BATCH)
			return luaL_argerror(L, 3, "a list of 1 to 64 questions {name = ..., type = ...}");
	}
	if (ex->queries + (unsigned)n > r->query_budget) {
		ex->queries = r->query_budget + 1;
		sandbox_of(L)->killed = "query budget exceeded";
		return luaL_error(L, "query budget of %d ctx:query calls exceeded", (int)r->query_budget);
	}
	ex->queries += (unsigned)n;
	rules_pending_clear(ex);
	ex->batch = batch;
	for (lua_Integer i = 1; i <= n; i++) {
		if (batch) {
			if (lua_geti(L, 3, i) != LUA_TTABLE)
				return luaL_argerror(L, 3, "each question is {name = ..., type = ...}");
			lua_getfield(L, -1, "name");
			lua_getfield(L, -2, "type");
			if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
				return luaL_argerror(L, 3, "each question is {name = ..., type = ...}");
			rules_arg_name(L, lua_absindex(L, -2), name, sizeof(name));
			rules_arg_type(L, lua_absindex(L, -1), type, sizeof(type));
			lua_pop(L, 3);
		} else {
			rules_arg_name(L, 3, name, sizeof(name));
			rules_arg_type(L, 4, type, sizeof(type));
		}
		set_question(L, &ex->q[ex->nq++], target, name, type);
	}
	if (push_answers(L, r, ex, 0))
		return 1;
	/* only the questions still unanswered go out */
	for (size_t k = 0; k < ex->nq; k++)
		if (!answer_of(r, &ex->q[k]))
			set_key(L, &ex->q[k]);
	ex->state = EX_QUERY;
	return lua_yieldk(L, 0, 0, query_k);
}

/* ---- ctx:findings ---- */

static int earlier_done(dnsvet_rules_runner *r, rules_exec *ex)
{
	for (size_t i = 0; i < ex->pos; i++)
		if (r->ex[i].state != EX_DONE && r->ex[i].state != EX_FAILED)
			return 0;
	return 1;
}

static int findings_k(lua_State *L, int status, lua_KContext kctx)
{
	dnsvet_rules_runner *r = runner_of(L);
	rules_exec *ex = r->cur;
	char name[1100], type[24];
	const char *want_type = NULL;
	lua_Integer n = 0;
	int cache;

	(void)status;
	(void)kctx;
	rules_arg_name(L, 2, name, sizeof(name));
	if (!lua_isnoneornil(L, 3))
		want_type = rules_arg_type(L, 3, type, sizeof(type));
	if (rules_reg_get(L, REG_FINDINGS) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
	}
	cache = lua_gettop(L);
	lua_newtable(L);
	for (size_t i = 0; i <= ex->pos; i++) {
		rules_exec *e = &r->ex[i];

		for (size_t j = 0; j < e->nf; j++) {
			const dnsvet_finding *f = e->f[j];
			const char *st = dnsvet_finding_subject_type(f);

			if (!rules_name_eq(dnsvet_finding_subject_name(f), name))
				continue;
			if (want_type && (!st || strcasecmp(st, want_type) != 0))
				continue;
			/* made once per finding and domain, read-only since every rule asking
			 * about the subject gets the same table */
			if (lua_rawgetp(L, cache, f) == LUA_TTABLE) {
				lua_rawseti(L, -2, ++n);
				continue;
			}
			lua_pop(L, 1);
			lua_createtable(L, 0, 5);
			lua_pushstring(L, dnsvet_finding_rule(f));
			lua_setfield(L, -2, "rule");
			lua_pushstring(L, dnsvet_severity_str(dnsvet_finding_severity(f)));
			lua_setfield(L, -2, "severity");
			lua_pushstring(L, dnsvet_finding_message(f));
			lua_setfield(L, -2, "message");
			lua_createtable(L, 0, 2);
			lua_pushstring(L, dnsvet_finding_subject_name(f));
			lua_setfield(L, -2, "name");
			if (st) {
				lua_pushstring(L, st);
				lua_setfield(L, -2, "type");
			}
			rv_wrap_domain_table(L, -1);
			lua_remove(L, -2);
			lua_setfield(L, -2, "subject");
			rv_wrap_domain_table(L, -1);
			lua_remove(L, -2);
			lua_pushvalue(L, -1);
			lua_rawsetp(L, cache, f);
			lua_rawseti(L, -2, ++n);
		}
	}
	return 1;
}

static int ctx_findings(lua_State *L)
{
	dnsvet_rules_runner *r = runner_of(L);
	rules_exec *ex = r->cur;

	luaL_checkstring(L, 2);
	if (earlier_done(r, ex))
		return findings_k(L, LUA_OK, 0);
	/* earlier rules still wait for answers: their findings are not complete yet */
	ex->state = EX_WAIT;
	return lua_yieldk(L, 0, 0, findings_k);
}

/* ---- ctx:report ---- */

static const char *const report_fields[] = {
	"subject", "message", "vars", "fix", "severity", "evidence", "expires", NULL
};

static int ctx_report(lua_State *L)
{
	dnsvet_rules_runner *r = runner_of(L);
	rules_exec *ex = r->cur;
	const dnsvet_rule *meta = ex->c->meta;
	dnsvet_finding_spec spec;
	dnsvet_finding *f = NULL;
	char err[512], sname[1100], stype[24];
	const char *tmpl;
	char *fix = NULL;
	dnsvet_status st;

	memset(&spec, 0, sizeof(spec));
	luaL_checktype(L, 2, LUA_TTABLE);
	lua_settop(L, 2);
	lua_pushnil(L);
	while (lua_next(L, 2)) {
		int known = 0;

		lua_pop(L, 1);
		if (lua_type(L, -1) == LUA_TSTRING)
			for (size_t i = 0; report_fields[i]; i++)
				known |= strcmp(lua_tostring(L, -1), report_fields[i]) == 0;
		if (!known)
			return luaL_error(L, "malformed report: unknown field '%s' (fields: subject, "
			                  "message, vars, fix, severity, evidence, expires)",
			                  lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?");
	}
	/* subject */
	if (lua_getfield(L, 2, "subject") != LUA_TTABLE)
		return luaL_error(L, "malformed report: 'subject' must be a table {name = ..., type = ...}");
	if (lua_getfield(L, -1, "name") != LUA_TSTRING || lua_rawlen(L, -1) == 0 ||
	    !rr_name_normalize(lua_tostring(L, -1), lua_rawlen(L, -1), sname, sizeof(sname)))
		return luaL_error(L, "malformed report: 'subject.name' must be a non-empty string");
	lua_pop(L, 1);
	switch (lua_getfield(L, -1, "type")) {
	case LUA_TNIL:
		break;
	case LUA_TSTRING:
		if (lua_rawlen(L, -1) >= sizeof(stype))
			return luaL_error(L, "malformed report: 'subject.type' is too long");
		for (size_t i = 0; i <= lua_rawlen(L, -1); i++)
			stype[i] = (char)toupper((unsigned char)lua_tostring(L, -1)[i]);
		spec.subject_type = stype;
		break;
	default:
		return luaL_error(L, "malformed report: 'subject.type' must be a string");
	}
	lua_pop(L, 2);
	spec.subject_name = sname;
	/* message */
	if (lua_getfield(L, 2, "message") != LUA_TSTRING || lua_rawlen(L, -1) == 0)
		return luaL_error(L, "malformed report: 'message' must be a non-empty string");
	spec.message = lua_tostring(L, -1);           /* index 3 */
	/* severity */
	spec.severity = meta->severity;
	if (lua_getfield(L, 2, "severity") != LUA_TNIL &&
	    (lua_type(L, -1) != LUA_TSTRING ||
	     dnsvet_severity_parse(lua_tostring(L, -1), &spec.severity) != DNSVET_OK))
		return luaL_error(L, "malformed report: 'severity' must be error, warning, notice or info");
	/* expires */
	if (lua_getfield(L, 2, "expires") != LUA_TNIL) {
		if (!lua_isnumber(L, -1))
			return luaL_error(L, "malformed report: 'expires' must be a Unix time");
		spec.expires = (int64_t)lua_tonumber(L, -1);
	}
	/* vars and fix */
	int vt = lua_getfield(L, 2, "vars");         /* index 6 */

	if (vt != LUA_TNIL && vt != LUA_TTABLE)
		return luaL_error(L, "malformed report: 'vars' must be a table");
	if (lua_getfield(L, 2, "fix") != LUA_TNIL && lua_type(L, -1) != LUA_TSTRING)
		return luaL_error(L, "malformed report: 'fix' must be a string");
	tmpl = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : meta->fix;
	if (tmpl) {
		fix = template_fill(L, tmpl, vt == LUA_TTABLE ? 6 : 0, err, sizeof(err));
		if (!fix)
			return luaL_error(L, "malformed report: %s", err);
	}
	spec.fix = fix;
	/* evidence */
	if (lua_getfield(L, 2, "evidence") != LUA_TNIL) {
		dnsvet_node *ev;

		if (lua_type(L, -1) != LUA_TTABLE) {
			free(fix);
			return luaL_error(L, "malformed report: 'evidence' must be a list of tables");
		}
		ev = rv_to_node(L, -1, err, sizeof(err));
		if (!ev) {
			free(fix);
			return luaL_error(L, "malformed report: evidence: %s", err);
		}
		if (dnsvet_node_type_of(ev) != DNSVET_NODE_LIST) {
			dnsvet_node *l = dnsvet_node_new_list();

			if (!l || dnsvet_node_list_append(l, ev) != DNSVET_OK) {
				dnsvet_node_free(l);
				free(fix);
				return luaL_error(L, "out of memory");
			}
			ev = l;
		}
		spec.evidence = ev;
	}
	spec.rule = meta->id;
	spec.title = meta->title;
	st = dnsvet_finding_new(&spec, &f);
	free(fix);
	if (st == DNSVET_OK && ex->nf == ex->capf) {
		size_t cap = ex->capf ? ex->capf * 2 : 4;
		dnsvet_finding **v = realloc(ex->f, cap * sizeof(*v));

		if (!v) {
			dnsvet_finding_free(f);
			st = DNSVET_ERR_NOMEM;
		} else {
			ex->f = v;
			ex->capf = cap;
		}
	}
	if (st != DNSVET_OK)
		return luaL_error(L, "ctx:report: %s", dnsvet_status_str(st));
	ex->f[ex->nf++] = f;
	return 0;
}

void ctx_push(dnsvet_rules_runner *r)
{
	lua_State *L = r->L;
	const dnsvet_node *obs = r->obs;
	static const luaL_Reg methods[] = {
		{"report", ctx_report}, {"answers", ctx_answers}, {"query", ctx_query},
		{"zone_of", ctx_zone_of}, {"findings", ctx_findings},
		{"answers_with_rcode", ctx_answers_with_rcode}, {"rrs", ctx_rrs}, {NULL, NULL}
	};

	lua_createtable(L, 0, 16);
	luaL_setfuncs(L, methods, 0);
	lua_pushstring(L, dnsvet_node_string(dnsvet_node_map_get(obs, "domain")));
	lua_setfield(L, -2, "domain");
	rv_push_node(L, obs, RV_ROOT, r->gen);
	lua_setfield(L, -2, "obs");
	/* expect, zones and resolvers are always tables, so rules need no nil checks */
	if (dnsvet_node_map_get(obs, "expect")) {
		rv_push_node(L, dnsvet_node_map_get(obs, "expect"), RV_PLAIN, r->gen);
	} else {
		lua_newtable(L);
		rv_push_empty(L);
		lua_setfield(L, -2, "records");
		rv_wrap_table(L, -1);
		lua_remove(L, -2);
	}
	lua_setfield(L, -2, "expect");
	rv_push_node(L, dnsvet_node_map_get(obs, "ses"), RV_PLAIN, r->gen);
	lua_setfield(L, -2, "ses");
	if (dnsvet_node_map_get(obs, "zones"))
		rv_push_node(L, dnsvet_node_map_get(obs, "zones"), RV_ZONES, r->gen);
	else
		rv_push_empty(L);
	lua_setfield(L, -2, "zones");
	if (dnsvet_node_map_get(obs, "resolvers"))
		rv_push_node(L, dnsvet_node_map_get(obs, "resolvers"), RV_PLAIN, r->gen);
	else
		rv_push_empty(L);
	lua_setfield(L, -2, "resolvers");
	lua_pushinteger(L, (lua_Integer)dnsvet_node_int(dnsvet_node_map_get(obs, "started"), 0));
	lua_setfield(L, -2, "now");
	lua_pushboolean(L, dnsvet_node_bool(dnsvet_node_map_get(obs, "lab"), 0));
	lua_setfield(L, -2, "lab");
	rv_wrap_domain_table(L, -1);
	lua_remove(L, -2);
}

