/* The session object: dnsvet.session{...} and its methods. */
#include <stdlib.h>

#include "ldv.h"

static ldv_session *check_session(lua_State *L, int idx)
{
	ldv_session *ls = luaL_checkudata(L, idx, LDV_SESSION_MT);

	if (!ls->s)
		luaL_error(L, "dnsvet: the session is closed");
	ls->L = L;
	return ls;
}

static void log_cb(void *user, dnsvet_log_level level, const char *message)
{
	static const char *const names[] = {"error", "warning", "notice", "debug"};
	ldv_session *ls = user;
	lua_State *L = ls->L;

	if (!L || ls->log_ref == LUA_NOREF || !lua_checkstack(L, 3))
		return;
	lua_rawgeti(L, LUA_REGISTRYINDEX, ls->log_ref);
	lua_pushstring(L, (unsigned)level < 4 ? names[level] : "debug");
	lua_pushstring(L, message);
	/* a failing log function must not unwind through the library: its error is dropped */
	if (lua_pcall(L, 2, 0, 0) != LUA_OK)
		lua_pop(L, 1);
}

static void drop_pending(lua_State *L, ldv_session *ls, ldv_pending *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		ls->pending = p->next;
	if (p->next)
		p->next->prev = p->prev;
	luaL_unref(L, LUA_REGISTRYINDEX, p->fn_ref);
	free(p);
}

void ldv_session_close(lua_State *L, ldv_session *ls)
{
	ls->L = L;
	if (ls->s) {
		dnsvet_session_free(ls->s);
		ls->s = NULL;
	}
	/* callbacks of cancelled checks are never called: release them here */
	while (ls->pending)
		drop_pending(L, ls, ls->pending);
	luaL_unref(L, LUA_REGISTRYINDEX, ls->log_ref);
	ls->log_ref = LUA_NOREF;
	luaL_unref(L, LUA_REGISTRYINDEX, ls->error_ref);
	ls->error_ref = LUA_NOREF;
}

int ldv_session_new_from(lua_State *L, int idx)
{
	dnsvet_session_opts opts;
	ldv_session *ls;
	char err[1024];
	dnsvet_status st;
	int log_type;

	idx = lua_absindex(L, idx);
	dnsvet_session_opts_default(&opts);
	ldv_session_opts(L, idx, &opts); /* pushes the rules_dirs array, kept until the end */
	log_type = lua_getfield(L, idx, "log");
	if (log_type != LUA_TNIL && log_type != LUA_TFUNCTION)
		return luaL_error(L, "dnsvet: option 'log' must be a function, not %s",
		                  luaL_typename(L, -1));

	ls = lua_newuserdatauv(L, sizeof(*ls), 0);
	ls->s = NULL;
	ls->L = L;
	ls->log_ref = LUA_NOREF;
	ls->error_ref = LUA_NOREF;
	ls->busy = 0;
	ls->pending = NULL;
	luaL_setmetatable(L, LDV_SESSION_MT);
	if (log_type == LUA_TFUNCTION) {
		lua_pushvalue(L, -2);
		ls->log_ref = luaL_ref(L, LUA_REGISTRYINDEX);
		opts.log = log_cb;
		opts.log_user = ls;
	}
	st = dnsvet_session_new(&opts, &ls->s, err, sizeof(err));
	if (st != DNSVET_OK)
		return ldv_fail(L, st, err);
	return 1;
}

/* dnsvet.session{opts} */
int ldv_session_new(lua_State *L)
{
	if (lua_isnoneornil(L, 1)) {
		lua_settop(L, 0);
		lua_newtable(L);
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	for (lua_pushnil(L); lua_next(L, 1); lua_pop(L, 1)) {
		if (lua_type(L, -2) != LUA_TSTRING || !ldv_is_session_key(lua_tostring(L, -2)))
			return luaL_error(L, "dnsvet: unknown session option '%s'",
			                  luaL_tolstring(L, -2, NULL));
	}
	return ldv_session_new_from(L, 1);
}

/* Raises the first error a callback raised during the last library call, if any. */
static void raise_callback_error(lua_State *L, ldv_session *ls)
{
	if (ls->error_ref == LUA_NOREF)
		return;
	lua_rawgeti(L, LUA_REGISTRYINDEX, ls->error_ref);
	luaL_unref(L, LUA_REGISTRYINDEX, ls->error_ref);
	ls->error_ref = LUA_NOREF;
	lua_error(L);
}

/* Protected part of a callback: fn(report table). Arguments: report (light userdata), fn. */
static int deliver(lua_State *L)
{
	const dnsvet_report *report = lua_touserdata(L, 1);

	ldv_push_report(L, report);
	lua_call(L, 1, 0);
	return 0;
}

static void done_cb(dnsvet_session *session, dnsvet_report *report, void *user)
{
	ldv_pending *p = user;
	ldv_session *ls = p->owner;
	lua_State *L = ls->L;

	(void)session;
	if (lua_checkstack(L, 4)) {
		lua_pushcfunction(L, deliver);
		lua_pushlightuserdata(L, report);
		lua_rawgeti(L, LUA_REGISTRYINDEX, p->fn_ref);
		/* a Lua error must not unwind through the library: it is raised once the library
		 * call returns */
		if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
			if (ls->error_ref == LUA_NOREF)
				ls->error_ref = luaL_ref(L, LUA_REGISTRYINDEX);
			else
				lua_pop(L, 1);
		}
	}
	dnsvet_report_free(report);
	drop_pending(L, ls, p);
}

int ldv_session_check_box(lua_State *L, ldv_session *ls)
{
	ldv_checkbox *box = ldv_checkbox_get(L, -1);
	dnsvet_report *report = NULL;
	dnsvet_status st;
	int n;

	ls->busy++;
	st = dnsvet_session_check(ls->s, box->check, &report);
	ls->busy--;
	box->check = NULL; /* the session took it over */
	if (!report) {
		n = ldv_fail(L, st, NULL);
	} else if (dnsvet_report_status(report) != DNSVET_OK) {
		n = ldv_fail(L, dnsvet_report_status(report), dnsvet_report_error(report));
		dnsvet_report_free(report);
	} else {
		ldv_push_report(L, report);
		dnsvet_report_free(report);
		n = 1;
	}
	raise_callback_error(L, ls);
	return n;
}

/* s:check{domain=..., ...} -> report | nil, message, status */
static int m_check(lua_State *L)
{
	ldv_session *ls = check_session(L, 1);
	dnsvet_status st;

	luaL_checktype(L, 2, LUA_TTABLE);
	lua_settop(L, 2);
	ldv_check_keys(L, 2, 0);
	st = ldv_build_check(L, 2);
	if (st != DNSVET_OK)
		return ldv_fail(L, st, lua_tostring(L, -1));
	return ldv_session_check_box(L, ls);
}

/* Submits the check box at the stack top with the function at fn_idx as its callback. */
static dnsvet_status submit_box(lua_State *L, ldv_session *ls, int fn_idx)
{
	ldv_checkbox *box = ldv_checkbox_get(L, -1);
	ldv_pending *p = malloc(sizeof(*p));
	dnsvet_status st;

	if (!p)
		return DNSVET_ERR_NOMEM; /* the box still owns the check */
	lua_pushvalue(L, fn_idx);
	p->fn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	p->owner = ls;
	p->prev = NULL;
	p->next = ls->pending;
	if (p->next)
		p->next->prev = p;
	ls->pending = p;
	st = dnsvet_session_submit(ls->s, box->check, done_cb, p);
	box->check = NULL;
	if (st != DNSVET_OK)
		drop_pending(L, ls, p);
	return st;
}

/* s:submit({domain=..., ...}, function(report) end) -> true | nil, message, status */
static int m_submit(lua_State *L)
{
	ldv_session *ls = check_session(L, 1);
	dnsvet_status st;

	luaL_checktype(L, 2, LUA_TTABLE);
	luaL_checktype(L, 3, LUA_TFUNCTION);
	lua_settop(L, 3);
	ldv_check_keys(L, 2, 0);
	st = ldv_build_check(L, 2);
	if (st != DNSVET_OK)
		return ldv_fail(L, st, lua_tostring(L, -1));
	st = submit_box(L, ls, 3);
	if (st != DNSVET_OK)
		return ldv_fail(L, st, NULL);
	lua_pushboolean(L, 1);
	return 1;
}

static int append_report(lua_State *L)
{
	lua_settop(L, 1);
	lua_rawseti(L, lua_upvalueindex(1), luaL_len(L, lua_upvalueindex(1)) + 1);
	return 0;
}

/* s:audit({domain | request, ...} [, fn]) -> list of reports in the order they finished
 * (none when fn takes them) | nil, message, status. Every request is validated before any
 * is submitted, so a rejected one leaves nothing half-done. */
static int m_audit(lua_State *L)
{
	ldv_session *ls = check_session(L, 1);
	lua_Integer n;
	dnsvet_status st;

	luaL_checktype(L, 2, LUA_TTABLE);
	if (!lua_isnoneornil(L, 3))
		luaL_checktype(L, 3, LUA_TFUNCTION);
	lua_settop(L, 3);
	n = luaL_len(L, 2);
	lua_createtable(L, (int)n, 0); /* 4: the check boxes */
	for (lua_Integer i = 1; i <= n; i++) {
		int t = lua_geti(L, 2, i);

		if (t == LUA_TSTRING) {
			lua_createtable(L, 0, 1);
			lua_insert(L, -2);
			lua_setfield(L, -2, "domain");
		} else if (t != LUA_TTABLE) {
			return luaL_error(L, "dnsvet: audit request %I must be a domain or a table", i);
		}
		ldv_check_keys(L, -1, 0);
		st = ldv_build_check(L, -1);
		if (st != DNSVET_OK) {
			lua_getfield(L, -2, "domain");
			return ldv_fail(L, st, lua_pushfstring(L, "%s: %s", lua_tostring(L, -1),
			                                       lua_tostring(L, -2)));
		}
		lua_rawseti(L, 4, i);
		lua_pop(L, 1);
	}
	lua_newtable(L); /* 5: reports, when no fn */
	if (lua_isnil(L, 3)) {
		lua_pushvalue(L, 5);
		lua_pushcclosure(L, append_report, 1);
		lua_replace(L, 3);
	}
	for (lua_Integer i = 1; i <= n; i++) {
		lua_geti(L, 4, i);
		st = submit_box(L, ls, 3);
		lua_pop(L, 1);
		if (st != DNSVET_OK)
			return ldv_fail(L, st, NULL);
	}
	ls->busy++;
	st = dnsvet_session_run(ls->s);
	ls->busy--;
	raise_callback_error(L, ls);
	if (st != DNSVET_OK)
		return ldv_fail(L, st, NULL);
	lua_settop(L, 5);
	return 1;
}

/* s:process([max_wait_ms]) -> true | nil, message, status */
static int m_process(lua_State *L)
{
	ldv_session *ls = check_session(L, 1);
	lua_Integer wait = luaL_optinteger(L, 2, 0);
	dnsvet_status st;

	luaL_argcheck(L, wait >= -1 && wait <= 0x7fffffff, 2, "milliseconds, or -1");
	ls->busy++;
	st = dnsvet_session_process(ls->s, (int)wait);
	ls->busy--;
	raise_callback_error(L, ls);
	if (st != DNSVET_OK)
		return ldv_fail(L, st, NULL);
	lua_pushboolean(L, 1);
	return 1;
}

/* s:run() -> true | nil, message, status: processes until every check has finished */
static int m_run(lua_State *L)
{
	ldv_session *ls = check_session(L, 1);
	dnsvet_status st;

	ls->busy++;
	st = dnsvet_session_run(ls->s);
	ls->busy--;
	raise_callback_error(L, ls);
	if (st != DNSVET_OK)
		return ldv_fail(L, st, NULL);
	lua_pushboolean(L, 1);
	return 1;
}

static int m_fd(lua_State *L)
{
	lua_pushinteger(L, dnsvet_session_fd(check_session(L, 1)->s));
	return 1;
}

static int m_next_timeout_ms(lua_State *L)
{
	lua_pushinteger(L, dnsvet_session_next_timeout_ms(check_session(L, 1)->s));
	return 1;
}

static int m_pending(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)dnsvet_session_pending(check_session(L, 1)->s));
	return 1;
}

static int m_stats(lua_State *L)
{
	dnsvet_session_stats st;

	dnsvet_session_stats_get(check_session(L, 1)->s, &st);
	lua_createtable(L, 0, 3);
	lua_pushinteger(L, (lua_Integer)st.checks);
	lua_setfield(L, -2, "checks");
	lua_pushinteger(L, (lua_Integer)st.queries);
	lua_setfield(L, -2, "queries");
	lua_pushinteger(L, (lua_Integer)st.cache_hits);
	lua_setfield(L, -2, "cache_hits");
	return 1;
}

static int m_close(lua_State *L)
{
	ldv_session *ls = luaL_checkudata(L, 1, LDV_SESSION_MT);

	if (ls->busy)
		return luaL_error(L, "dnsvet: a session cannot be closed from its own callback");
	ldv_session_close(L, ls);
	return 0;
}

static int m_gc(lua_State *L)
{
	ldv_session_close(L, luaL_checkudata(L, 1, LDV_SESSION_MT));
	return 0;
}

static int checkbox_gc(lua_State *L)
{
	ldv_checkbox *box = ldv_checkbox_get(L, 1);

	dnsvet_check_free(box->check);
	box->check = NULL;
	return 0;
}

void ldv_session_register(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{"check", m_check},
		{"submit", m_submit},
		{"audit", m_audit},
		{"process", m_process},
		{"run", m_run},
		{"fd", m_fd},
		{"next_timeout_ms", m_next_timeout_ms},
		{"pending", m_pending},
		{"stats", m_stats},
		{"close", m_close},
		{NULL, NULL}
	};

	luaL_newmetatable(L, LDV_SESSION_MT);
	luaL_newlib(L, methods);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, m_gc);
	lua_setfield(L, -2, "__gc");
	lua_pushcfunction(L, m_close);
	lua_setfield(L, -2, "__close");
	lua_pop(L, 1);

	luaL_newmetatable(L, LDV_CHECKBOX_MT);
	lua_pushcfunction(L, checkbox_gc);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 1);
}
