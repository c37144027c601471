/*
 * A runner: one Lua state with the selected rules compiled once, reused for every domain of
 * a worker. Also the probes(expect) metadata call.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules/rules_int.h"

dnsvet_status dnsvet_rules_runner_new(const dnsvet_rules *rules, dnsvet_rules_runner **out)
{
	dnsvet_rules_runner *r;
	const dnsvet_rules_opts *o = &rules->opts;
	size_t n = 0;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return DNSVET_ERR_NOMEM;
	r->rules = rules;
	r->ctx_ref = LUA_NOREF;
	r->instr_budget = o->instruction_budget ? o->instruction_budget : RULES_DEFAULT_INSTRUCTIONS;
	r->mem_cap = o->memory_cap ? o->memory_cap : RULES_DEFAULT_MEMORY;
	r->query_budget = o->query_budget ? o->query_budget : RULES_DEFAULT_QUERIES;
	r->max_rounds = o->max_rounds ? o->max_rounds : RULES_DEFAULT_ROUNDS;
	r->L = sandbox_open(&r->sb, rules);
	if (!r->L) {
		free(r);
		return DNSVET_ERR_NOMEM;
	}
	r->sb.runner = r;
	for (size_t i = 0; i < rules->n; i++)
		n += rules->rules[i]->selected;
	r->c = calloc(n ? n : 1, sizeof(*r->c));
	if (!r->c) {
		dnsvet_rules_runner_free(r);
		return DNSVET_ERR_NOMEM;
	}
	for (size_t i = 0; i < rules->n; i++) {
		const dnsvet_rule *meta = rules->rules[i];
		compiled *c;
		char err[1024];

		if (!meta->selected)
			continue;
		c = &r->c[r->n++];
		c->meta = meta;
		c->check_ref = LUA_NOREF;
		c->probes_ref = LUA_NOREF;
		if (loader_exec_rule(&r->sb, meta, err, sizeof(err))) {
			c->broken = strdup(err);
			if (!c->broken) {
				dnsvet_rules_runner_free(r);
				return DNSVET_ERR_NOMEM;
			}
			continue;
		}
		if (lua_getfield(r->L, -1, "check") != LUA_TFUNCTION) {
			lua_pop(r->L, 2);
			c->broken = strdup("the rule table has no check function");
			continue;
		}
		c->check_ref = luaL_ref(r->L, LUA_REGISTRYINDEX);
		if (lua_getfield(r->L, -1, "probes") == LUA_TFUNCTION)
			c->probes_ref = luaL_ref(r->L, LUA_REGISTRYINDEX);
		else
			lua_pop(r->L, 1);
		lua_pop(r->L, 1);
	}
	sandbox_gc_between_domains(&r->sb);
	*out = r;
	return DNSVET_OK;
}

void dnsvet_rules_runner_free(dnsvet_rules_runner *r)
{
	if (!r)
		return;
	if (r->active)
		dnsvet_rules_end(r, NULL);
	sandbox_close(&r->sb);
	rules_memo_free(r->memo);
	free(r->ex);
	for (size_t i = 0; i < r->n; i++)
		free(r->c[i].broken);
	free(r->c);
	free(r);
}

/* Runs one rule's probes(expect) with the rule budgets; adds its questions to out, those not
 * in the table at index seen (keys "name\ntype", filled as questions are added). */
static void probes_of(dnsvet_rules_runner *r, compiled *c, int expect, int seen,
                      dnsvet_node *out)
{
	lua_State *L = r->L, *co;
	rules_sandbox *sb = &r->sb;
	int st, nres = 0;
	const char *problem = NULL;
	char buf[512];

	co = lua_newthread(L);
	sandbox_hook(co);
	lua_rawgeti(co, LUA_REGISTRYINDEX, c->probes_ref);
	lua_pushvalue(L, expect);
	lua_xmove(L, co, 1);
	sandbox_limit(sb, r->instr_budget, r->mem_cap);
	sb->current_rule = c->meta->id;
	st = lua_resume(co, L, 1, &nres);
	sandbox_unlimit(sb);
	sb->current_rule = NULL;
	if (st != LUA_OK) {
		if (st == LUA_YIELD)
			problem = "probes() must not call ctx:query or ctx:findings";
		else if (sb->killed || (st == LUA_ERRMEM && sb->mem_hit))
			problem = sb->killed ? sb->killed : "memory cap exceeded";
		else
			problem = sandbox_errmsg(co, -1);
	} else if (nres < 1 || lua_type(co, -nres) != LUA_TTABLE) {
		problem = "probes() must return a list of {name = ..., type = ...}";
	} else {
		int t = lua_gettop(co) - nres + 1;
		lua_Integer n = (lua_Integer)lua_rawlen(co, t);

		for (lua_Integer i = 1; i <= n && !problem; i++) {
			char name[1100], type[24], key[1130];
			size_t nl, tl;
			const char *s;
			int dup;

			if (lua_rawgeti(co, t, i) != LUA_TTABLE ||
			    lua_getfield(co, -1, "name") != LUA_TSTRING ||
			    lua_getfield(co, -2, "type") != LUA_TSTRING) {
				problem = "probes() must return a list of {name = ..., type = ...}";
				break;
			}
			s = lua_tolstring(co, -2, &nl);
			if (!rr_name_normalize(s, nl, name, sizeof(name)) || nl == 0) {
				problem = "probes(): a name is empty or too long";
				break;
			}
			s = lua_tolstring(co, -1, &tl);
			if (tl == 0 || tl >= sizeof(type)) {
				problem = "probes(): bad type";
				break;
			}
			for (size_t k = 0; k <= tl; k++)
				type[k] = (char)toupper((unsigned char)s[k]);
			lua_pop(co, 3);
			nl = strlen(name);
			memcpy(key, name, nl);
			key[nl] = '\n';
			memcpy(key + nl + 1, type, tl + 1);
			lua_pushlstring(L, key, nl + 1 + tl);
			dup = lua_rawget(L, seen) != LUA_TNIL;
			lua_pop(L, 1);
			if (!dup) {
				lua_pushlstring(L, key, nl + 1 + tl);
				lua_pushboolean(L, 1);
				lua_rawset(L, seen);
				dnsvet_node *q = dnsvet_node_new_map();

				if (q) {
					dnsvet_node_map_set_string(q, "name", name);
					dnsvet_node_map_set_string(q, "type", type);
					dnsvet_node_list_append(out, q);
				}
			}
		}
	}
	if (problem && r->rules->opts.log) {
		snprintf(buf, sizeof(buf), "probes() of %s skipped: %s", c->meta->id, problem);
		r->rules->opts.log(r->rules->opts.log_user, c->meta->id, buf);
	}
	sb->killed = NULL;
	lua_pop(L, 1);
}

dnsvet_status dnsvet_rules_probes(dnsvet_rules_runner *r, const dnsvet_node *expect,
                                  dnsvet_node **out)
{
	dnsvet_node *list;

	*out = NULL;
	if (!r)
		return DNSVET_ERR_INVALID;
	if (r->active)
		return DNSVET_ERR_STATE;
	list = dnsvet_node_new_list();
	if (!list)
		return DNSVET_ERR_NOMEM;
	if (!lua_checkstack(r->L, 8)) {
		dnsvet_node_free(list);
		return DNSVET_ERR_NOMEM;
	}
	r->gen++;
	rv_begin_domain(r->L, r->gen);
	rv_push_node(r->L, expect, RV_PLAIN, r->gen);
	lua_newtable(r->L);
	for (size_t i = 0; i < r->n; i++)
		if (r->c[i].probes_ref != LUA_NOREF && !r->c[i].broken)
			probes_of(r, &r->c[i], lua_gettop(r->L) - 1, lua_gettop(r->L), list);
	lua_settop(r->L, 0);
	rv_end_domain(r->L);
	sandbox_gc_settle(&r->sb);
	*out = list;
	return DNSVET_OK;
}
