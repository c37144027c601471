/* Lua tables into session options and check requests. */
#include <string.h>

#include "ldv.h"

static const char *const session_keys[] = {
	"root_hints", "resolvers", "resolvers_file", "builtin_rules_dir", "rules_dirs",
	"select", "timeout_ms", "query_budget", "max_per_server", "qps", "max_checks", "lab",
	"rule_instruction_budget", "rule_memory_cap", "now", "log", NULL
};

static const char *const check_keys[] = {
	"domain", "ses_identity", "dkim_tokens", "region", "signing_zone", "mail_from",
	"byodkim_selector", "legacy_token", "dmarc", "edited_ns", "records", "label", "record",
	"replay", NULL
};

static int in_list(const char *const *list, const char *key)
{
	for (; *list; list++)
		if (strcmp(*list, key) == 0)
			return 1;
	return 0;
}

int ldv_is_session_key(const char *key)
{
	return in_list(session_keys, key);
}

void ldv_check_keys(lua_State *L, int idx, int allow_session)
{
	idx = lua_absindex(L, idx);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "dnsvet: option names are strings, not %s", luaL_typename(L, -1));
		const char *key = lua_tostring(L, -1);
		if (!in_list(check_keys, key) && !(allow_session && in_list(session_keys, key)))
			luaL_error(L, "dnsvet: unknown option '%s'", key);
	}
}

/* The string at t[key] (NULL when absent); the value stays on the stack. */
static const char *opt_string(lua_State *L, int idx, const char *key)
{
	int t = lua_getfield(L, idx, key);
	const char *s;
	size_t len;

	if (t == LUA_TNIL)
		return NULL;
	if (t != LUA_TSTRING)
		luaL_error(L, "dnsvet: option '%s' must be a string, not %s", key, luaL_typename(L, -1));
	s = lua_tolstring(L, -1, &len);
	/* C strings end at the first NUL: refuse rather than check a truncated name */
	if (strlen(s) != len && strcmp(key, "ses_identity") != 0)
		luaL_error(L, "dnsvet: option '%s' contains a NUL character", key);
	return s;
}

static lua_Integer opt_integer(lua_State *L, int idx, const char *key, lua_Integer max)
{
	int isnum;
	lua_Integer v;

	lua_getfield(L, idx, key);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	v = lua_tointegerx(L, -1, &isnum);
	if (!isnum || v < 0 || v > max)
		luaL_error(L, "dnsvet: option '%s' must be an integer from 0 to %I", key, max);
	lua_pop(L, 1);
	return v;
}

/* The boolean at t[key]: -1 when absent. */
static int opt_bool(lua_State *L, int idx, const char *key)
{
	int t = lua_getfield(L, idx, key), v;

	if (t != LUA_TNIL && t != LUA_TBOOLEAN)
		luaL_error(L, "dnsvet: option '%s' must be a boolean, not %s", key, luaL_typename(L, -1));
	v = t == LUA_TNIL ? -1 : lua_toboolean(L, -1);
	lua_pop(L, 1);
	return v;
}

/* The list at t[key] (pushed; nil when absent); returns its length. */
static lua_Integer opt_list(lua_State *L, int idx, const char *key)
{
	int t = lua_getfield(L, idx, key);

	if (t == LUA_TNIL)
		return 0;
	if (t != LUA_TTABLE)
		luaL_error(L, "dnsvet: option '%s' must be a list, not %s", key, luaL_typename(L, -1));
	return luaL_len(L, -1);
}

/* Item i of the list at the stack top, as a string (pushed). */
static const char *list_string(lua_State *L, const char *key, lua_Integer i)
{
	const char *s;
	size_t len;

	if (lua_geti(L, -1, i) != LUA_TSTRING)
		luaL_error(L, "dnsvet: %s[%I] must be a string, not %s", key, i, luaL_typename(L, -1));
	s = lua_tolstring(L, -1, &len);
	if (strlen(s) != len)
		luaL_error(L, "dnsvet: %s[%I] contains a NUL character", key, i);
	return s;
}

void ldv_session_opts(lua_State *L, int idx, dnsvet_session_opts *o)
{
	lua_Integer n;

	idx = lua_absindex(L, idx);
	/* Strings read here stay referenced by the table, which outlives dnsvet_session_new. */
	o->root_hints_file = opt_string(L, idx, "root_hints");
	o->resolvers = opt_string(L, idx, "resolvers");
	o->resolvers_file = opt_string(L, idx, "resolvers_file");
	o->builtin_rules_dir = opt_string(L, idx, "builtin_rules_dir");
	o->select = opt_string(L, idx, "select");
	lua_pop(L, 5);
	o->timeout_ms = (unsigned)opt_integer(L, idx, "timeout_ms", 0xffffffff);
	o->query_budget = (unsigned)opt_integer(L, idx, "query_budget", 0xffffffff);
	o->max_per_server = (unsigned)opt_integer(L, idx, "max_per_server", 0xffffffff);
	o->qps = (unsigned)opt_integer(L, idx, "qps", 0xffffffff);
	o->max_checks = (unsigned)opt_integer(L, idx, "max_checks", 0xffffffff);
	o->rule_instruction_budget = (uint64_t)opt_integer(L, idx, "rule_instruction_budget", LUA_MAXINTEGER);
	o->rule_memory_cap = (size_t)opt_integer(L, idx, "rule_memory_cap", LUA_MAXINTEGER);
	o->now = (time_t)opt_integer(L, idx, "now", LUA_MAXINTEGER);
	o->lab = opt_bool(L, idx, "lab") == 1;

	n = opt_list(L, idx, "rules_dirs");
	const char **dirs = lua_newuserdatauv(L, sizeof(*dirs) * (size_t)(n ? n : 1), 0);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_pushvalue(L, -2);
		dirs[i - 1] = list_string(L, "rules_dirs", i);
		lua_pop(L, 2);
	}
	lua_remove(L, -2);
	o->rules_dirs = n ? dirs : NULL;
	o->n_rules_dirs = (size_t)n;
}

ldv_checkbox *ldv_checkbox_get(lua_State *L, int idx)
{
	return luaL_checkudata(L, idx, LDV_CHECKBOX_MT);
}

/* Expectation setters share a shape: status (e, value, err). */
typedef dnsvet_status (*expect_setter)(dnsvet_expect *, const char *, dnsvet_expect_error *);

static dnsvet_status fill_check(lua_State *L, int idx, dnsvet_check *check)
{
	dnsvet_expect *e = dnsvet_check_expect(check);
	dnsvet_expect_error err;
	dnsvet_status st;
	const char *s;
	char buf[1024];
	lua_Integer n;

	if ((s = opt_string(L, idx, "ses_identity"))) {
		size_t len;

		s = lua_tolstring(L, -1, &len);
		st = dnsvet_check_set_ses_identity(check, s, len, buf, sizeof(buf));
		if (st != DNSVET_OK) {
			lua_pop(L, 1);
			lua_pushstring(L, buf);
			return st;
		}
	}
	lua_pop(L, 1);

	static const struct {
		const char *key;
		expect_setter fn;
	} setters[] = {
		{"region", dnsvet_expect_set_region},
		{"signing_zone", dnsvet_expect_set_signing_zone},
		{"byodkim_selector", dnsvet_expect_set_byodkim_selector},
		{"mail_from", dnsvet_expect_set_mail_from},
		{"legacy_token", dnsvet_expect_set_legacy_token},
	};
	for (size_t i = 0; i < sizeof(setters) / sizeof(setters[0]); i++) {
		s = opt_string(L, idx, setters[i].key);
		lua_pop(L, 1);
		/* s stays valid: the table still references the string */
		if (s && (st = setters[i].fn(e, s, &err)) != DNSVET_OK)
			goto expect_failed;
	}

	static const struct {
		const char *key;
		expect_setter fn;
	} lists[] = {
		{"dkim_tokens", dnsvet_expect_add_dkim_token},
		{"edited_ns", dnsvet_expect_add_edited_ns},
	};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		n = opt_list(L, idx, lists[i].key);
		for (lua_Integer j = 1; j <= n; j++) {
			s = list_string(L, lists[i].key, j);
			lua_pop(L, 1);
			if ((st = lists[i].fn(e, s, &err)) != DNSVET_OK) {
				lua_pop(L, 1);
				goto expect_failed;
			}
		}
		lua_pop(L, 1);
	}

	n = opt_list(L, idx, "records");
	for (lua_Integer j = 1; j <= n; j++) {
		const char *f[3];
		static const char *const names[3] = {"name", "type", "value"};

		if (lua_geti(L, -1, j) != LUA_TTABLE)
			luaL_error(L, "dnsvet: records[%I] must be a table {name=, type=, value=}", j);
		for (int k = 0; k < 3; k++) {
			if (lua_getfield(L, -1 - k, names[k]) == LUA_TNIL) {
				lua_pop(L, 1);
				lua_geti(L, -1 - k, k + 1);
			}
			size_t len;

			if (lua_type(L, -1) != LUA_TSTRING)
				luaL_error(L, "dnsvet: records[%I].%s must be a string", j, names[k]);
			f[k] = lua_tolstring(L, -1, &len);
			if (strlen(f[k]) != len)
				luaL_error(L, "dnsvet: records[%I].%s contains a NUL character", j, names[k]);
		}
		st = dnsvet_expect_add_record(e, f[0], f[1], f[2], &err);
		lua_pop(L, 4);
		if (st != DNSVET_OK) {
			lua_pop(L, 1);
			goto expect_failed;
		}
	}
	lua_pop(L, 1);

	int dmarc = opt_bool(L, idx, "dmarc");
	if (dmarc >= 0)
		dnsvet_expect_set_dmarc(e, dmarc);

	static const struct {
		const char *key;
		dnsvet_status (*fn)(dnsvet_check *, const char *);
	} paths[] = {
		{"label", dnsvet_check_set_label},
		{"record", dnsvet_check_set_record},
		{"replay", dnsvet_check_set_replay},
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		s = opt_string(L, idx, paths[i].key);
		lua_pop(L, 1);
		if (s && (st = paths[i].fn(check, s)) != DNSVET_OK) {
			lua_pushfstring(L, "%s: %s", paths[i].key, dnsvet_status_str(st));
			return st;
		}
	}
	return DNSVET_OK;

expect_failed:
	lua_pushstring(L, err.message);
	return st;
}

dnsvet_status ldv_build_check(lua_State *L, int idx)
{
	ldv_checkbox *box;
	const char *domain;
	char buf[1024];
	dnsvet_status st;

	idx = lua_absindex(L, idx);
	luaL_checktype(L, idx, LUA_TTABLE);
	domain = opt_string(L, idx, "domain");
	if (!domain)
		luaL_error(L, "dnsvet: a check needs a 'domain'");
	box = lua_newuserdatauv(L, sizeof(*box), 0);
	box->check = NULL;
	luaL_setmetatable(L, LDV_CHECKBOX_MT);
	lua_remove(L, -2);
	st = dnsvet_check_new(domain, &box->check, buf, sizeof(buf));
	if (st != DNSVET_OK) {
		lua_pop(L, 1);
		lua_pushstring(L, buf);
		return st;
	}
	st = fill_check(L, idx, box->check);
	if (st != DNSVET_OK)
		lua_remove(L, -2); /* the box (collected later, which frees the check) */
	return st;
}
