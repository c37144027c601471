/*
 * The `dnsvet` table of the rule environment (docs/rule-api.md, "dnsvet helpers").
 *
 * These run inside a rule's budget but, being C, are not counted by the instruction hook;
 * each one bounds its own work by the size of its input.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <time.h>
#include "rules/rules_int.h"

#define NAME_MAX_LEN 1100
#define EDIT_MAX_LEN 2048

static const char *check_name(lua_State *L, int idx, char *buf)
{
	size_t len;
	const char *s = luaL_checklstring(L, idx, &len);

	if (!rr_name_normalize(s, len, buf, NAME_MAX_LEN))
		luaL_argerror(L, idx, "name too long");
	return buf;
}

static int h_normalize(lua_State *L)
{
	char buf[NAME_MAX_LEN];
	size_t len;
	const char *n = check_name(L, 1, buf), *s = lua_tolstring(L, 1, &len);

	/* a name already in normal form is its own result: no new string to intern */
	if (strlen(n) == len && memcmp(n, s, len) == 0)
		lua_pushvalue(L, 1);
	else
		lua_pushstring(L, n);
	return 1;
}

/* Offset just past the end of the first label of n (at its unescaped dot or end). */
static size_t label_end(const char *n, size_t from)
{
	size_t i = from;

	while (n[i] && n[i] != '.') {
		if (n[i] == '\\' && n[i + 1])
			i++;
		i++;
	}
	return i;
}

static int h_labels(lua_State *L)
{
	char buf[NAME_MAX_LEN];
	const char *n = check_name(L, 1, buf);
	lua_Integer k = 0;

	lua_newtable(L);
	if (n[0] == '\0' || strcmp(n, ".") == 0)
		return 1;
	for (size_t i = 0;;) {
		size_t e = label_end(n, i);

		lua_pushlstring(L, n + i, e - i);
		lua_rawseti(L, -2, ++k);
		if (!n[e])
			break;
		i = e + 1;
	}
	return 1;
}

static int h_parent(lua_State *L)
{
	char buf[NAME_MAX_LEN];
	const char *n = check_name(L, 1, buf);
	size_t e;

	if (n[0] == '\0' || strcmp(n, ".") == 0) {
		lua_pushnil(L);
		return 1;
	}
	e = label_end(n, 0);
	lua_pushstring(L, n[e] ? n + e + 1 : ".");
	return 1;
}

static int is_root(const char *z)
{
	return z[0] == '\0' || strcmp(z, ".") == 0;
}

/* Length of the part of n before zone when n is zone or below it; -1 otherwise. */
static long sub_prefix(const char *n, const char *z)
{
	size_t ln = strlen(n), lz = strlen(z);

	if (is_root(z))
		return (long)ln;
	if (ln == lz)
		return strcmp(n, z) == 0 ? 0 : -1;
	if (ln > lz && n[ln - lz - 1] == '.' && strcmp(n + ln - lz, z) == 0) {
		/* the dot must not be escaped */
		size_t bs = 0;

		while (ln - lz - 1 >= bs + 1 && n[ln - lz - 2 - bs] == '\\')
			bs++;
		if (bs % 2 == 0)
			return (long)(ln - lz - 1);
	}
	return -1;
}

static int h_is_sub(lua_State *L)
{
	char b1[NAME_MAX_LEN], b2[NAME_MAX_LEN];
	const char *n = check_name(L, 1, b1), *z = check_name(L, 2, b2);

	lua_pushboolean(L, sub_prefix(n, z) >= 0);
	return 1;
}

static int h_relative(lua_State *L)
{
	char b1[NAME_MAX_LEN], b2[NAME_MAX_LEN];
	const char *n = check_name(L, 1, b1), *z = check_name(L, 2, b2);
	long p = sub_prefix(n, z);

	if (p < 0)
		lua_pushnil(L);
	else if (p == 0 && !is_root(z))
		lua_pushliteral(L, "@");
	else
		lua_pushlstring(L, n, (size_t)p);
	return 1;
}

static int h_join(lua_State *L)
{
	char b1[NAME_MAX_LEN], b2[NAME_MAX_LEN];
	const char *a = check_name(L, 1, b1), *b = check_name(L, 2, b2);

	if (strcmp(a, "@") == 0 || a[0] == '\0')
		lua_pushstring(L, b);
	else if (is_root(b))
		lua_pushstring(L, a);
	else
		lua_pushfstring(L, "%s.%s", a, b);
	return 1;
}

static int h_rr_parse(lua_State *L)
{
	size_t len;
	const char *s = luaL_checklstring(L, 1, &len);

	rr_push_expanded(L, s, len);
	return 1;
}

static int h_txt_join(lua_State *L)
{
	luaL_Buffer b;
	lua_Integer n;

	luaL_checktype(L, 1, LUA_TTABLE);
	n = luaL_len(L, 1);
	luaL_buffinit(L, &b);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_geti(L, 1, i);
		if (!lua_isstring(L, -1))
			return luaL_error(L, "dnsvet.txt.join: item %I is not a string", i);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	return 1;
}

/* The comparable value of argument idx: an expanded RR table gives `field` (or `data`). */
static const char *value_arg(lua_State *L, int idx, const char *field, size_t *len)
{
	if (lua_type(L, idx) == LUA_TTABLE) {
		if (field && lua_getfield(L, idx, field) != LUA_TNIL) {
			lua_replace(L, idx);
		} else {
			lua_pop(L, field ? 1 : 0);
			lua_getfield(L, idx, "data");
			lua_replace(L, idx);
		}
	}
	return luaL_checklstring(L, idx, len);
}

/* Concatenation of the character-strings of TXT RDATA in presentation form. */
static void push_txt_text(lua_State *L, const char *s, size_t len)
{
	lua_pushfstring(L, ". 0 IN TXT %s", s);
	rr_push_expanded(L, lua_tostring(L, -1), lua_rawlen(L, -1));
	lua_getfield(L, -1, "text");
	lua_replace(L, -3);
	lua_pop(L, 1);
	(void)len;
}

static int name_equal(const char *a, size_t la, const char *b, size_t lb)
{
	char x[NAME_MAX_LEN], y[NAME_MAX_LEN];

	if (!rr_name_normalize(a, la, x, sizeof(x)) || !rr_name_normalize(b, lb, y, sizeof(y)))
		return la == lb && memcmp(a, b, la) == 0;
	return strcmp(x, y) == 0;
}

static int h_same_value(lua_State *L)
{
	char type[32];
	size_t tl, la, lb;
	const char *t = luaL_checklstring(L, 1, &tl);
	const char *field = NULL;
	int r;

	if (tl >= sizeof(type))
		return luaL_argerror(L, 1, "unknown type");
	for (size_t i = 0; i <= tl; i++)
		type[i] = (char)toupper((unsigned char)t[i]);
	lua_settop(L, 3);
	if (!strcmp(type, "TXT") || !strcmp(type, "SPF"))
		field = "text";
	else if (!strcmp(type, "CNAME") || !strcmp(type, "NS") || !strcmp(type, "PTR") ||
	         !strcmp(type, "DNAME"))
		field = "target";
	else if (!strcmp(type, "A") || !strcmp(type, "AAAA"))
		field = "address";
	int a_tab = lua_type(L, 2) == LUA_TTABLE, b_tab = lua_type(L, 3) == LUA_TTABLE;
	const char *a = value_arg(L, 2, field, &la);
	const char *b = value_arg(L, 3, field, &lb);

	if (field && !strcmp(field, "text")) {
		/* a plain string is taken as the text itself unless it is quoted RDATA */
		if (!a_tab && la && a[0] == '"') {
			push_txt_text(L, a, la);
			lua_replace(L, 2);
			a = lua_tolstring(L, 2, &la);
		}
		if (!b_tab && lb && b[0] == '"') {
			push_txt_text(L, b, lb);
			lua_replace(L, 3);
			b = lua_tolstring(L, 3, &lb);
		}
		r = la == lb && memcmp(a, b, la) == 0;
	} else if (field && !strcmp(field, "target")) {
		r = name_equal(a, la, b, lb);
	} else if (field && !strcmp(field, "address")) {
		unsigned char x[16], y[16];
		int fam = type[1] == 'A' ? AF_INET6 : AF_INET;

		if (inet_pton(fam, a, x) == 1 && inet_pton(fam, b, y) == 1)
			r = memcmp(x, y, fam == AF_INET ? 4 : 16) == 0;
		else
			r = la == lb && strcasecmp(a, b) == 0;
	} else if (!strcmp(type, "MX")) {
		/* "10 host." : preference numerically, exchange as a name */
		char *ea, *eb;
		long pa = strtol(a, &ea, 10), pb = strtol(b, &eb, 10);

		while (*ea == ' ' || *ea == '\t')
			ea++;
		while (*eb == ' ' || *eb == '\t')
			eb++;
		r = ea != a && eb != b && pa == pb &&
		    name_equal(ea, strlen(ea), eb, strlen(eb));
	} else {
		/* other types: the presentation text with runs of blanks collapsed */
		size_t i = 0, j = 0;

		r = 1;
		while (r) {
			while (i < la && isspace((unsigned char)a[i]))
				i++;
			while (j < lb && isspace((unsigned char)b[j]))
				j++;
			if (i >= la || j >= lb) {
				r = i >= la && j >= lb;
				break;
			}
			while (i < la && j < lb && !isspace((unsigned char)a[i]) &&
			       !isspace((unsigned char)b[j])) {
				if (toupper((unsigned char)a[i]) != toupper((unsigned char)b[j])) {
					r = 0;
					break;
				}
				i++;
				j++;
			}
			if (r && (i < la && !isspace((unsigned char)a[i])) !=
			         (j < lb && !isspace((unsigned char)b[j])))
				r = 0;
		}
	}
	lua_pushboolean(L, r);
	return 1;
}

static int parse_addr(const char *s, unsigned char *out, int *fam)
{
	if (inet_pton(AF_INET, s, out) == 1) {
		*fam = AF_INET;
		return 4;
	}
	if (inet_pton(AF_INET6, s, out) == 1) {
		*fam = AF_INET6;
		return 16;
	}
	return 0;
}

static int h_cidr_contains(lua_State *L)
{
	const char *prefix = luaL_checkstring(L, 1);
	const char *addr = luaL_checkstring(L, 2);
	char net[64];
	const char *slash = strchr(prefix, '/');
	unsigned char p[16], a[16];
	int fp, fa, lp, la;
	long bits;

	if (strlen(prefix) >= sizeof(net))
		return luaL_argerror(L, 1, "not a prefix");
	memcpy(net, prefix, strlen(prefix) + 1);
	if (slash)
		net[slash - prefix] = '\0';
	lp = parse_addr(net, p, &fp);
	la = parse_addr(addr, a, &fa);
	if (!lp)
		return luaL_argerror(L, 1, "not an IPv4 or IPv6 prefix");
	if (!la) {
		lua_pushboolean(L, 0);
		return 1;
	}
	bits = slash ? strtol(slash + 1, NULL, 10) : lp * 8;
	if (bits < 0 || bits > lp * 8)
		return luaL_argerror(L, 1, "bad prefix length");
	if (fp != fa) {
		lua_pushboolean(L, 0);
		return 1;
	}
	for (long i = 0; i < bits; i++) {
		int m = 0x80 >> (i % 8);

		if ((p[i / 8] & m) != (a[i / 8] & m)) {
			lua_pushboolean(L, 0);
			return 1;
		}
	}
	lua_pushboolean(L, 1);
	return 1;
}

static int b64_val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

static int h_b64_decode(lua_State *L)
{
	size_t len;
	const char *s = luaL_checklstring(L, 1, &len);
	luaL_Buffer b;
	unsigned acc = 0;
	int nbits = 0, pad = 0;

	luaL_buffinit(L, &b);
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i], v;

		if (isspace(c))
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		v = b64_val(c);
		if (v < 0 || pad) {
			luaL_pushresult(&b);
			lua_pushnil(L);
			lua_pushfstring(L, "invalid base64 at offset %d", (int)i);
			return 2;
		}
		acc = (acc << 6) | (unsigned)v;
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			luaL_addchar(&b, (char)((acc >> nbits) & 0xff));
		}
	}
	if (pad > 2 || nbits >= 6) {
		luaL_pushresult(&b);
		lua_pushnil(L);
		lua_pushliteral(L, "truncated base64");
		return 2;
	}
	luaL_pushresult(&b);
	return 1;
}

static int h_edit_distance(lua_State *L)
{
	size_t la, lb;
	const char *a = luaL_checklstring(L, 1, &la);
	const char *b = luaL_checklstring(L, 2, &lb);
	size_t *row;

	if (la > EDIT_MAX_LEN || lb > EDIT_MAX_LEN)
		return luaL_error(L, "dnsvet.edit_distance: strings longer than %d bytes", EDIT_MAX_LEN);
	/* a common prefix and suffix change nothing, and the values compared (a key with a few
	 * characters lost) share nearly everything: the table covers the middle only */
	while (la && lb && *a == *b) {
		a++;
		b++;
		la--;
		lb--;
	}
	while (la && lb && a[la - 1] == b[lb - 1]) {
		la--;
		lb--;
	}
	row = lua_newuserdatauv(L, (lb + 1) * sizeof(*row), 0);
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	lua_pushinteger(L, (lua_Integer)row[lb]);
	return 1;
}

static int h_fmt_time(lua_State *L)
{
	lua_Integer t = luaL_checkinteger(L, 1);
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];

	if (!gmtime_r(&tt, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return luaL_argerror(L, 1, "time out of range");
	lua_pushstring(L, buf);
	return 1;
}

/* ---- dnsvet.data ---- */

static const char data_key = 'd';

static int data_gc(lua_State *L)
{
	dnsvet_node **np = lua_touserdata(L, 1);

	if (np && *np) {
		dnsvet_node_free(*np);
		*np = NULL;
	}
	return 0;
}

static int h_data(lua_State *L)
{
	rules_sandbox *sb = sandbox_of(L);
	size_t len;
	const char *name = luaL_checklstring(L, 1, &len);

	if (len == 0 || len > 64)
		return luaL_argerror(L, 1, "not a data file name");
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-')
			return luaL_argerror(L, 1, "a data file name has letters, digits, '_' and '-' only");
	if (lua_rawgetp(L, LUA_REGISTRYINDEX, &data_key) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_rawsetp(L, LUA_REGISTRYINDEX, &data_key);
	}
	if (lua_getfield(L, -1, name) != LUA_TNIL)
		return 1;
	lua_pop(L, 1);
	for (size_t i = 0; sb->rules && i < sb->rules->data_dirs.n; i++) {
		char path[4096];
		dnsvet_node *node = NULL;
		dnsvet_node_error err;
		dnsvet_status st;
		dnsvet_node **holder;

		snprintf(path, sizeof(path), "%s/data/%s.yaml", sb->rules->data_dirs.v[i], name);
		st = dnsvet_node_load_yaml_file(path, &node, &err);
		if (st == DNSVET_ERR_IO || st == DNSVET_ERR_NOT_FOUND)
			continue;
		if (st != DNSVET_OK)
			return luaL_error(L, "dnsvet.data('%s'): %s", name, err.message);
		/* the tree lives as long as the state: a userdata frees it when collected */
		holder = lua_newuserdatauv(L, sizeof(*holder), 0);
		*holder = node;
		lua_newtable(L);
		lua_pushcfunction(L, data_gc);
		lua_setfield(L, -2, "__gc");
		lua_setmetatable(L, -2);
		lua_pushfstring(L, "%s#node", name);
		lua_insert(L, -2);
		lua_rawset(L, -3);
		rv_push_node(L, node, RV_PLAIN, 0);
		lua_pushvalue(L, -1);
		lua_setfield(L, -3, name);
		return 1;
	}
	return luaL_error(L, "dnsvet.data('%s'): no data file %s.yaml in any rules directory's data/",
	                  name, name);
}

/* ---- dnsvet.lib ---- */

/*
 * dnsvet.lib(name): what lib/<name>.lua of the first rules directory holding it returns, for
 * code several rules share (parsing a DMARC or SPF record, finding where it is published).
 * The file runs once per state, in an environment of its own with the rules' restrictions;
 * its table is shared read-only by every rule that asks. Registry: loaded modules by name,
 * false while one loads (so that a module asking for itself is an error, not a loop).
 */
static const char lib_key = 'm';

static int h_lib(lua_State *L)
{
	rules_sandbox *sb = sandbox_of(L);
	size_t len;
	const char *name = luaL_checklstring(L, 1, &len);

	if (len == 0 || len > 64)
		return luaL_argerror(L, 1, "not a module name");
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return luaL_argerror(L, 1, "a module name has letters, digits and '_' only");
	lua_settop(L, 1);
	if (lua_rawgetp(L, LUA_REGISTRYINDEX, &lib_key) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_rawsetp(L, LUA_REGISTRYINDEX, &lib_key);
	}
	switch (lua_getfield(L, 2, name)) {
	case LUA_TTABLE:
		return 1;
	case LUA_TBOOLEAN:
		return luaL_error(L, "dnsvet.lib('%s'): the module asks for itself while loading", name);
	default:
		lua_pop(L, 1);
	}
	for (size_t i = 0; sb->rules && i < sb->rules->data_dirs.n; i++) {
		char path[4096], err[4200];
		char *src;
		size_t n;
		int st;

		snprintf(path, sizeof(path), "%s/lib/%s.lua", sb->rules->data_dirs.v[i], name);
		if (access(path, F_OK) != 0)
			continue;
		src = rules_read_file(path, &n, err, sizeof(err));
		if (!src)
			return luaL_error(L, "dnsvet.lib('%s'): %s", name, err);
		lua_pushfstring(L, "@%s", path);
		st = luaL_loadbufferx(L, src, n, lua_tostring(L, -1), "t");
		free(src);
		if (st != LUA_OK)
			return lua_error(L);
		sandbox_new_env(L);
		lua_setupvalue(L, -2, 1);
		lua_pushboolean(L, 0);
		lua_setfield(L, 2, name);
		st = lua_pcall(L, 0, 1, 0);
		if (st != LUA_OK || lua_type(L, -1) != LUA_TTABLE) {
			/* a later ask gets the same error, not "asks for itself" */
			lua_pushnil(L);
			lua_setfield(L, 2, name);
			if (st != LUA_OK)
				return lua_error(L);
			return luaL_error(L, "dnsvet.lib('%s'): %s must return one table", name, path);
		}
		rv_wrap_table(L, -1);
		lua_pushvalue(L, -1);
		lua_setfield(L, 2, name);
		return 1;
	}
	return luaL_error(L, "dnsvet.lib('%s'): no module %s.lua in any rules directory's lib/",
	                  name, name);
}

/* ---- dnsvet.authoritative ---- */

/*
 * dnsvet.authoritative(ctx, name, type): the replies to NAME TYPE of the servers of the zone
 * holding the name that answered for it, and that zone; or nil and why the state of the name
 * is unknown. Rules that conclude "the record is absent" need this: an NXDOMAIN from the
 * parent of a zone that is not delegated, or silence from every server, shows nothing about
 * what the zone holds.
 */
/* Registry: the domain's results of dnsvet.authoritative by "name\ntype" as given, each
 * {list or false, zone or message}, and of ctx:rrs (keys starting "\1"); many rules ask
 * the same question. The table holds them under integer keys that the strings are mapped to
 * in C (rules_memo): a Lua string over 40 bytes is not interned, so looking one up would
 * allocate it and hash all of it every time. */
lua_Integer helpers_memo_slot(lua_State *L, const char *a, size_t al, const char *b, size_t bl)
{
	dnsvet_rules_runner *r = sandbox_of(L)->runner;
	lua_Integer slot;

	if (!r || !r->active)
		return 0;
	slot = rules_memo_slot(&r->memo, a, al, b, bl);
	if (!slot)
		luaL_error(L, "out of memory");
	return slot;
}

void helpers_forget(dnsvet_rules_runner *r)
{
	rules_memo_clear(r->memo);
	lua_pushboolean(r->L, 0);
	rules_reg_set(r->L, REG_AUTH_CACHE);
}

void helpers_push_cache(lua_State *L)
{
	if (rules_reg_get(L, REG_AUTH_CACHE) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		rules_reg_set(L, REG_AUTH_CACHE);
	}
}

/* The string at key of map, or dflt. */
static const char *map_string(const dnsvet_node *map, const char *key, const char *dflt)
{
	const char *s = dnsvet_node_string(dnsvet_node_map_get(map, key));

	return s ? s : dflt;
}

/* dnsvet.authoritative without the cache; arguments checked, stack holding exactly them.
 * Read from the tree, so that only the replies kept are opened as views. */
static int authoritative(lua_State *L)
{
	dnsvet_rules_runner *r = sandbox_of(L)->runner;
	char name[1100], type[24];
	const dnsvet_node *entry, *zone, *auth;
	const char *zname;
	lua_Integer k = 0;

	if (!r || !r->active || !r->cur || r->ctx_ref == LUA_NOREF ||
	    lua_rawgeti(L, LUA_REGISTRYINDEX, r->ctx_ref) != LUA_TTABLE || !lua_rawequal(L, 1, -1))
		return luaL_error(L, "dnsvet.authoritative: the first argument is not the check's ctx");
	lua_pop(L, 1);
	/* checked first, so that a malformed name or type is an error whatever the zone */
	rules_arg_name(L, 2, name, sizeof(name));
	rules_arg_type(L, 3, type, sizeof(type));
	entry = rules_answers_find(r, name, type);
	zone = rules_zone_of(r->obs, name);
	if (!zone) {
		lua_pushnil(L);
		lua_pushfstring(L, "no zone holding %s was found", lua_tostring(L, 2));
		return 2;
	}
	zname = map_string(zone, "name", "?");
	if (strcmp(map_string(zone, "status", "ok"), "ok") != 0) {
		lua_pushnil(L);
		lua_pushfstring(L, "the zone %s cannot be asked: %s", zname,
		                map_string(zone, "reason", map_string(zone, "status", "ok")));
		return 2;
	}
	auth = dnsvet_node_map_get(entry, "auth");
	if (!entry || dnsvet_node_type_of(auth) != DNSVET_NODE_LIST) {
		lua_pushnil(L);
		lua_pushfstring(L, "%s %s was not asked of the servers of %s", lua_tostring(L, 2),
		                lua_tostring(L, 3), zname);
		return 2;
	}
	lua_newtable(L);
	for (size_t i = 0; i < dnsvet_node_size(auth); i++) {
		const dnsvet_node *reply = dnsvet_node_list_at(auth, i);

		if (!rules_reply_is_own(reply))
			continue;
		/* the view every other path to this reply gives */
		rv_push_node(L, reply, RV_REPLY, r->gen);
		lua_rawseti(L, -2, ++k);
	}
	if (k == 0) {
		lua_pushnil(L);
		lua_pushfstring(L, "no server of %s answered for %s %s", zname, lua_tostring(L, 2),
		                lua_tostring(L, 3));
		return 2;
	}
	/* shared by every rule asking the same, so read-only */
	rv_wrap_domain_table(L, lua_gettop(L));
	rv_push_node(L, zone, RV_ZONE, r->gen);
	return 2;
}

static int h_authoritative(lua_State *L)
{
	size_t nl, tl;
	const char *name, *type;
	lua_Integer slot;

	luaL_checktype(L, 1, LUA_TTABLE);
	name = luaL_checklstring(L, 2, &nl);
	type = luaL_checklstring(L, 3, &tl);
	lua_settop(L, 3);
	slot = helpers_memo_slot(L, name, nl, type, tl);
	helpers_push_cache(L);
	if (slot && lua_rawgeti(L, 4, slot) == LUA_TTABLE) {
		if (lua_rawgeti(L, 5, 1) == LUA_TBOOLEAN) {
			lua_pop(L, 1);
			lua_pushnil(L);
		}
		lua_rawgeti(L, 5, 2);
		return 2;
	}
	lua_settop(L, 4);
	lua_pushcfunction(L, authoritative);
	lua_pushvalue(L, 1);
	lua_pushvalue(L, 2);
	lua_pushvalue(L, 3);
	lua_call(L, 3, 2);
	if (slot) {
		lua_createtable(L, 2, 0);
		if (lua_isnil(L, 5))
			lua_pushboolean(L, 0);
		else
			lua_pushvalue(L, 5);
		lua_rawseti(L, 7, 1);
		lua_pushvalue(L, 6);
		lua_rawseti(L, 7, 2);
		lua_rawseti(L, 4, slot);
	}
	return 2;
}

static void add_funcs(lua_State *L, const luaL_Reg *fns)
{
	lua_newtable(L);
	luaL_setfuncs(L, fns, 0);
	rv_wrap_table(L, -1);
	lua_remove(L, -2);
}

void helpers_push_lib(lua_State *L)
{
	static const luaL_Reg name_fns[] = {
		{"normalize", h_normalize}, {"labels", h_labels}, {"parent", h_parent},
		{"is_sub", h_is_sub}, {"relative", h_relative}, {"join", h_join}, {NULL, NULL}
	};
	static const luaL_Reg rr_fns[] = {
		{"parse", h_rr_parse}, {"same_value", h_same_value}, {NULL, NULL}
	};
	static const luaL_Reg txt_fns[] = {{"join", h_txt_join}, {NULL, NULL}};
	static const luaL_Reg cidr_fns[] = {{"contains", h_cidr_contains}, {NULL, NULL}};
	static const luaL_Reg b64_fns[] = {{"decode", h_b64_decode}, {NULL, NULL}};
	static const luaL_Reg top_fns[] = {
		{"edit_distance", h_edit_distance}, {"data", h_data}, {"fmt_time", h_fmt_time},
		{"authoritative", h_authoritative}, {"lib", h_lib}, {NULL, NULL}
	};

	lua_newtable(L);
	luaL_setfuncs(L, top_fns, 0);
	add_funcs(L, name_fns);
	lua_setfield(L, -2, "name");
	add_funcs(L, rr_fns);
	lua_setfield(L, -2, "rr");
	add_funcs(L, txt_fns);
	lua_setfield(L, -2, "txt");
	add_funcs(L, cidr_fns);
	lua_setfield(L, -2, "cidr");
	add_funcs(L, b64_fns);
	lua_setfield(L, -2, "base64");
	lua_pushliteral(L, DNSVET_RULE_ERROR_ID);
	lua_setfield(L, -2, "RULE_ERROR");
	rv_wrap_table(L, -1);
	lua_remove(L, -2);
}
