/* require "dnsvet": the module table and the one-shot dnsvet.check{...}. */
#include "ldv.h"

/* dnsvet.check{domain=..., <check options>, <session options>} -> report | nil, msg, status */
static int l_check(lua_State *L)
{
	ldv_session *ls;
	dnsvet_status st;
	int n;

	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	ldv_check_keys(L, 1, 1);
	if (ldv_session_new_from(L, 1) != 1)
		return 3; /* nil, message, status */
	ls = lua_touserdata(L, -1);
	lua_replace(L, 2);
	lua_settop(L, 2);
	st = ldv_build_check(L, 1);
	if (st != DNSVET_OK)
		n = ldv_fail(L, st, lua_tostring(L, -1));
	else
		n = ldv_session_check_box(L, ls);
	ldv_session_close(L, ls);
	return n;
}

/* The project builds with hidden visibility; require() must find this one symbol. */
__attribute__((visibility("default"))) int luaopen_dnsvet(lua_State *L);

int luaopen_dnsvet(lua_State *L)
{
	static const luaL_Reg funcs[] = {
		{"check", l_check},
		{"session", ldv_session_new},
		{NULL, NULL}
	};

	ldv_session_register(L);
	luaL_newlib(L, funcs);
	lua_pushstring(L, dnsvet_version());
	lua_setfield(L, -2, "version");
	/* the value of JSON null in evidence tables */
	lua_pushlightuserdata(L, NULL);
	lua_setfield(L, -2, "null");
	return 1;
}
