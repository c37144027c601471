/*
 * Read-only Lua views of document trees.
 *
 * A view is a proxy table showing one node. It starts closed: it holds only the node, under
 * a key no rule can produce, and shares one metatable with every closed view of its kind in
 * the domain, so making one costs one small table. The first access opens it: the backing
 * table of that one level is built (children become closed views in turn) and the proxy
 * gets a metatable of its own whose __index is the backing, so later reads take the VM's
 * fast path with no C call. Rules therefore pay only for the part of the observation set
 * they look at. Writes always fail (__newindex), the metatable is hidden (__metatable), and
 * a view kept past its domain's run refuses to open (the shared metatable carries the
 * domain's generation) instead of touching freed nodes.
 *
 * An open view's metatable is its own (its __index is the backing), and making one with its
 * five fields cost a fifth of opening a view. So when a domain ends, its open views are
 * turned into dead ones (a shared metatable whose every use fails, as a kept closed view's
 * does) and their metatables go to a pool; the next domain's views take them from there and
 * only set __index, kind and generation.
 *
 * Views a rule can reach in more than one way (answers entries, zones, the ctx fields) are
 * cached by node for the domain, so every path to them yields the same table; the many small
 * views below them (replies, RR lists) are reached through their parent only. An RR, which
 * every server and resolver repeats, has one view per domain for each distinct string.
 */
#include <stdlib.h>
#include <string.h>
#include "rules/rules_int.h"

enum { MT_KIND = 1, MT_GEN = 2 };

static const char node_key = 'n';     /* proxy[&node_key]: the node, as light userdata */

#define CONV_MAX_DEPTH 24
#define CONV_MAX_NODES 20000

static int ro_pairs(lua_State *L);
static int ro_len(lua_State *L);
static int open_index(lua_State *L);

static int ro_newindex(lua_State *L)
{
	return luaL_error(L, "attempt to modify a read-only table");
}

static enum rv_kind child_kind(enum rv_kind kind, const char *key)
{
	switch (kind) {
	case RV_ROOT:
		if (key && strcmp(key, "answers") == 0)
			return RV_ANSWERS;
		if (key && strcmp(key, "zones") == 0)
			return RV_ZONES;
		return RV_PLAIN;
	case RV_ANSWERS:
		return key ? RV_PLAIN : RV_ENTRY;
	case RV_ENTRY:
		if (!key)
			return RV_PLAIN;
		if (strcmp(key, "auth") == 0 || strcmp(key, "resolvers") == 0)
			return RV_REPLIES;
		if (strcmp(key, "chain") == 0)
			return RV_RRLIST;
		return RV_PLAIN;
	case RV_REPLIES:
		return key ? RV_PLAIN : RV_REPLY;
	case RV_REPLY:
		/* most of a reply's keys (addr, rcode, aa, ad, rtt_ms, server, source) start
		 * with none of these sections' letters: a reply is opened some forty times a domain */
		if (!key || (key[0] != 'a' && key[0] != 'c'))
			return RV_PLAIN;
		if (strcmp(key, "answer") == 0 || strcmp(key, "authority") == 0 ||
		    strcmp(key, "additional") == 0)
			return RV_RRLIST;
		if (strcmp(key, "cd") == 0)
			return RV_REPLY;
		return RV_PLAIN;
	case RV_RRLIST:
		return key ? RV_PLAIN : RV_RR;
	case RV_ZONES:
		return key ? RV_PLAIN : RV_ZONE;
	case RV_ZONE:
		if (!key)
			return RV_PLAIN;
		if (strcmp(key, "glue") == 0)
			return RV_RRLIST;
		if (strcmp(key, "soa") == 0)
			return RV_RR;
		return RV_PLAIN;
	default:
		return RV_PLAIN;
	}
}

static int is_view(lua_State *L, int idx)
{
	int r;

	if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx))
		return 0;
	lua_pushliteral(L, "__pairs");
	lua_rawget(L, -2);
	r = lua_tocfunction(L, -1) == ro_pairs;
	lua_pop(L, 2);
	return r;
}

/* Completes the metatable at the top with what every view's metatable holds but __index. */
static void finish_meta(lua_State *L, enum rv_kind kind, uint64_t gen)
{
	lua_pushcfunction(L, ro_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, ro_len);
	lua_setfield(L, -2, "__len");
	lua_pushcfunction(L, ro_pairs);
	lua_setfield(L, -2, "__pairs");
	lua_pushliteral(L, "read-only");
	lua_setfield(L, -2, "__metatable");
	lua_pushinteger(L, kind);
	lua_rawseti(L, -2, MT_KIND);
	lua_pushinteger(L, (lua_Integer)gen);
	lua_rawseti(L, -2, MT_GEN);
}

/* Pushes the metatable of an open view over the backing table at index backing: one of an
 * earlier domain's from the pool for a domain's view, a new one otherwise. */
static void push_open_meta(lua_State *L, int backing, enum rv_kind kind, uint64_t gen)
{
	rules_sandbox *sb = sandbox_of(L);

	if (gen && sb->meta_pool_n > 0) {
		rules_reg_get(L, REG_META_POOL); /* made with the state (rv_init) */
		lua_rawgeti(L, -1, sb->meta_pool_n);
		lua_pushboolean(L, 0);
		lua_rawseti(L, -3, sb->meta_pool_n--);
		lua_remove(L, -2);
		lua_pushvalue(L, backing);
		lua_setfield(L, -2, "__index");
		lua_pushinteger(L, kind);
		lua_rawseti(L, -2, MT_KIND);
		lua_pushinteger(L, (lua_Integer)gen);
		lua_rawseti(L, -2, MT_GEN);
		return;
	}
	lua_createtable(L, 2, 5);
	lua_pushvalue(L, backing);
	lua_setfield(L, -2, "__index");
	finish_meta(L, kind, gen);
}

/* Notes the view at idx, opened in this domain with the metatable at the top, so that the
 * domain's end can retire it. */
static void note_open_view(lua_State *L, int idx)
{
	rules_sandbox *sb = sandbox_of(L);

	if (rules_reg_get(L, REG_META_USED) != LUA_TTABLE) {
		lua_pop(L, 1);
		return;
	}
	lua_pushvalue(L, idx);
	lua_rawseti(L, -2, ++sb->meta_used_n);
	lua_pushvalue(L, -2);
	lua_rawseti(L, -2, ++sb->meta_used_n);
	lua_pop(L, 1);
}

/* Pushes the metatable shared by the closed views of kind in generation gen (the current
 * domain's, or 0 for permanent ones). */
static void push_closed_meta(lua_State *L, enum rv_kind kind, uint64_t gen)
{
	int slot = gen ? REG_CLOSED : REG_CLOSED0;

	if (rules_reg_get(L, slot) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_createtable(L, RV_RR + 1, 0);
		lua_pushvalue(L, -1);
		rules_reg_set(L, slot);
	}
	if (lua_rawgeti(L, -1, (lua_Integer)kind + 1) == LUA_TTABLE) {
		lua_remove(L, -2);
		return;
	}
	lua_pop(L, 1);
	lua_createtable(L, 2, 5);
	lua_pushcfunction(L, open_index);
	lua_setfield(L, -2, "__index");
	finish_meta(L, kind, gen);
	lua_pushvalue(L, -1);
	lua_rawseti(L, -3, (lua_Integer)kind + 1);
	lua_remove(L, -2);
}

/* Pushes a closed view of node. */
static void push_view(lua_State *L, const dnsvet_node *node, enum rv_kind kind, uint64_t gen)
{
	lua_createtable(L, 0, 1);
	lua_pushlightuserdata(L, (void *)node);
	lua_rawsetp(L, -2, &node_key);
	push_closed_meta(L, kind, gen);
	lua_setmetatable(L, -2);
}

static void push_child(lua_State *L, const dnsvet_node *node, enum rv_kind parent,
                       enum rv_kind kind, uint64_t gen);

static void build_backing(lua_State *L, const dnsvet_node *node, enum rv_kind kind, uint64_t gen)
{
	size_t n = dnsvet_node_size(node);

	/* the table, a key and a child with what making it pushes (push_child) */
	luaL_checkstack(L, 12, "views");
	if (dnsvet_node_type_of(node) == DNSVET_NODE_LIST) {
		lua_createtable(L, (int)(n < 1u << 24 ? n : 0), 0);
		for (size_t i = 0; i < n; i++) {
			push_child(L, dnsvet_node_list_at(node, i), kind, child_kind(kind, NULL), gen);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
	} else {
		lua_createtable(L, 0, (int)(n < 1u << 24 ? n : 0));
		for (size_t i = 0; i < n; i++) {
			const char *key = dnsvet_node_map_key_at(node, i);

			lua_pushstring(L, key);
			push_child(L, dnsvet_node_map_value_at(node, i), kind, child_kind(kind, key), gen);
			lua_rawset(L, -3);
		}
	}
}

static void build_rr(lua_State *L, const dnsvet_node *node)
{
	const char *s = dnsvet_node_string(node);

	rr_push_expanded(L, s ? s : "", s ? strlen(s) : 0);
}

/* Opens the closed view at idx whose metatable is at mt; pushes its backing. */
static void open_view(lua_State *L, int idx, int mt)
{
	rules_sandbox *sb = sandbox_of(L);
	const dnsvet_node *node;
	enum rv_kind kind;
	uint64_t gen;

	lua_rawgeti(L, mt, MT_GEN);
	gen = (uint64_t)lua_tointeger(L, -1);
	lua_rawgeti(L, mt, MT_KIND);
	kind = (enum rv_kind)lua_tointeger(L, -1);
	lua_rawgetp(L, idx, &node_key);
	node = lua_touserdata(L, -1);
	lua_pop(L, 3);
	if (gen && gen != sb->gen)
		luaL_error(L, "a table of an earlier domain's observations was kept and used after "
		           "its run (rules must not keep state between domains)");
	if (!node)
		luaL_error(L, "read-only view without contents");
	if (kind == RV_RR)
		build_rr(L, node);
	else
		build_backing(L, node, kind, gen);
	push_open_meta(L, lua_gettop(L), kind, gen);
	if (gen)
		note_open_view(L, idx);
	lua_setmetatable(L, idx);
}

/* Pushes the backing table of the view at idx, opening it when needed. */
static void view_backing(lua_State *L, int idx)
{
	int mt;

	idx = lua_absindex(L, idx);
	if (!lua_getmetatable(L, idx))
		luaL_error(L, "not a read-only view");
	mt = lua_gettop(L);
	lua_pushliteral(L, "__index");
	if (lua_rawget(L, mt) == LUA_TTABLE) {
		lua_remove(L, mt);
		return;
	}
	lua_pop(L, 1);
	open_view(L, idx, mt);
	lua_remove(L, mt);
}

static int open_index(lua_State *L)
{
	view_backing(L, 1);
	lua_pushvalue(L, 2);
	lua_rawget(L, -2);
	return 1;
}

static int ro_len(lua_State *L)
{
	view_backing(L, 1);
	lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
	return 1;
}

static int pairs_iter(lua_State *L)
{
	lua_settop(L, 2);
	if (lua_next(L, lua_upvalueindex(1)))
		return 2;
	lua_pushnil(L);
	return 1;
}

static int ro_pairs(lua_State *L)
{
	view_backing(L, 1);
	lua_pushcclosure(L, pairs_iter, 1);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

int rv_next(lua_State *L)
{
	if (is_view(L, 1)) {
		view_backing(L, 1);
		lua_replace(L, 1);
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 2);
	if (lua_next(L, 1))
		return 2;
	lua_pushnil(L);
	return 1;
}

void rv_wrap_table(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	lua_createtable(L, 0, 0);
	push_open_meta(L, idx, RV_PLAIN, 0);
	lua_setmetatable(L, -2);
}

void rv_wrap_domain_table(lua_State *L, int idx)
{
	uint64_t gen = sandbox_of(L)->gen;

	if (!gen) {
		rv_wrap_table(L, idx);
		return;
	}
	idx = lua_absindex(L, idx);
	lua_createtable(L, 0, 0);
	push_open_meta(L, idx, RV_PLAIN, gen);
	note_open_view(L, lua_gettop(L) - 1);
	lua_setmetatable(L, -2);
}

/* Pushes a scalar as its value, or returns 0 for a list or map (kind adjusted). */
static int push_scalar(lua_State *L, const dnsvet_node *node, enum rv_kind *kind)
{
	switch (dnsvet_node_type_of(node)) {
	case DNSVET_NODE_BOOL:
		lua_pushboolean(L, dnsvet_node_bool(node, 0));
		return 1;
	case DNSVET_NODE_INT:
		lua_pushinteger(L, (lua_Integer)dnsvet_node_int(node, 0));
		return 1;
	case DNSVET_NODE_DOUBLE:
		lua_pushnumber(L, dnsvet_node_double(node, 0));
		return 1;
	case DNSVET_NODE_STRING:
		if (*kind != RV_RR) {
			/* by length: lua_pushstring would measure it and try Lua's string cache, which
			 * goes by address and never holds a node's value */
			lua_pushlstring(L, dnsvet_node_string(node), dnsvet_node_string_len(node));
			return 1;
		}
		return 0;
	case DNSVET_NODE_LIST:
	case DNSVET_NODE_MAP:
		if (*kind == RV_RR)
			*kind = RV_PLAIN;
		return 0;
	default:
		lua_pushnil(L);
		return 1;
	}
}

void rv_push_node(lua_State *L, const dnsvet_node *node, enum rv_kind kind, uint64_t gen)
{
	luaL_checkstack(L, 6, "views");
	if (push_scalar(L, node, &kind))
		return;
	if (gen) {
		if (rules_reg_get(L, REG_VIEW_CACHE) == LUA_TTABLE) {
			if (lua_rawgetp(L, -1, node) != LUA_TNIL) {
				lua_remove(L, -2);
				return;
			}
			lua_pop(L, 1);
			push_view(L, node, kind, gen);
			lua_pushvalue(L, -1);
			lua_rawsetp(L, -3, node);
			lua_remove(L, -2);
			return;
		}
		lua_pop(L, 1);
	}
	push_view(L, node, kind, gen);
}

/*
 * Pushes the domain's shared view of node, found in the RR cache under the slot of key
 * (rules_memo: these keys are mostly over 40 bytes, which Lua does not intern), made and
 * kept there on first use. Returns 0 outside a domain or out of memory: the caller makes
 * a view of its own.
 */
static int push_shared(lua_State *L, const dnsvet_node *node, enum rv_kind kind, uint64_t gen,
                       const char *key, size_t len)
{
	lua_Integer slot;

	if (rules_reg_get(L, REG_RR_CACHE) != LUA_TTABLE ||
	    !(slot = rules_memo_slot(&sandbox_of(L)->rr_memo, key, len, "", 0))) {
		lua_pop(L, 1);
		return 0;
	}
	if (lua_rawgeti(L, -1, slot) == LUA_TTABLE) {
		lua_remove(L, -2);
		return 1;
	}
	lua_pop(L, 1);
	push_view(L, node, kind, gen);
	lua_pushvalue(L, -1);
	lua_rawseti(L, -3, slot);
	lua_remove(L, -2);
	return 1;
}

/*
 * Short lists of strings (a reply's `source`) repeat across a domain's many replies; equal
 * ones share one view per domain, found by their contents in the RR cache (whose other keys,
 * RR strings, hold no NUL byte). Returns 0 when node is not such a list.
 */
static int push_shared_strings(lua_State *L, const dnsvet_node *node, uint64_t gen)
{
	char key[256];
	size_t n = dnsvet_node_size(node), k = 1;

	if (dnsvet_node_type_of(node) != DNSVET_NODE_LIST || n == 0 || n > 8)
		return 0;
	key[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *v = dnsvet_node_string(dnsvet_node_list_at(node, i));
		size_t len = v ? strlen(v) : 0;

		if (!v || len > 64 || k + 1 + len > sizeof(key))
			return 0;
		key[k++] = (char)len;
		memcpy(key + k, v, len);
		k += len;
	}
	return push_shared(L, node, RV_PLAIN, gen, key, k);
}

/*
 * An RR repeats in the replies of every server and resolver that gives it: equal RR strings
 * share one view per domain, found by the string in the RR cache, so each is expanded and
 * opened once. Returns 0 when node is not a string.
 */
static int push_shared_rr(lua_State *L, const dnsvet_node *node, uint64_t gen)
{
	const char *s = dnsvet_node_string(node);

	return s && push_shared(L, node, RV_RR, gen, s, dnsvet_node_string_len(node));
}

void rv_push_rr(lua_State *L, const dnsvet_node *node, uint64_t gen)
{
	luaL_checkstack(L, 6, "views");
	if (!push_shared_rr(L, node, gen))
		push_view(L, node, RV_RR, gen);
}

/*
 * A child met while building a backing table. Views that can also be reached another way
 * (ctx:answers, ctx:zone_of, ctx:rrs, the ctx fields, an asker's refresh) go through the
 * per-domain cache so that every path yields the same table; the others (RR lists, RRs, the
 * maps and lists inside them) are reachable through their parent only and skip the cache.
 * Empty lists (most `authority` sections) share one permanent view: they all read the same.
 */
static void push_child(lua_State *L, const dnsvet_node *node, enum rv_kind parent,
                       enum rv_kind kind, uint64_t gen)
{
	/* the stack room is build_backing's, checked once for all the children */
	if (push_scalar(L, node, &kind))
		return;
	if (!gen || parent == RV_ROOT || kind == RV_ANSWERS || kind == RV_ENTRY ||
	    kind == RV_REPLIES || kind == RV_REPLY || kind == RV_ZONES || kind == RV_ZONE) {
		rv_push_node(L, node, kind, gen);
		return;
	}
	if (kind == RV_PLAIN && push_shared_strings(L, node, gen))
		return;
	if (kind == RV_RR && push_shared_rr(L, node, gen))
		return;
	if (dnsvet_node_type_of(node) == DNSVET_NODE_LIST && dnsvet_node_size(node) == 0) {
		rv_push_empty(L);
		return;
	}
	push_view(L, node, kind, gen);
}

void rv_push_empty(lua_State *L)
{
	if (rules_reg_get(L, REG_EMPTY) == LUA_TTABLE)
		return;
	lua_pop(L, 1);
	lua_newtable(L);
	rv_wrap_table(L, -1);
	lua_remove(L, -2);
	lua_pushvalue(L, -1);
	rules_reg_set(L, REG_EMPTY);
}

void rv_init(lua_State *L)
{
	lua_newtable(L);
	rules_reg_set(L, REG_META_POOL);
	/* a closed view's metatable of a generation no domain has: every use is refused */
	lua_createtable(L, 2, 5);
	lua_pushcfunction(L, open_index);
	lua_setfield(L, -2, "__index");
	finish_meta(L, RV_PLAIN, UINT64_MAX);
	rules_reg_set(L, REG_DEAD_META);
}

void rv_begin_domain(lua_State *L, uint64_t gen)
{
	sandbox_of(L)->gen = gen;
	/* sized for a typical domain: growing from empty rehashed them six times over */
	lua_createtable(L, 0, 128);
	rules_reg_set(L, REG_VIEW_CACHE);
	lua_createtable(L, 64, 0);
	rules_reg_set(L, REG_RR_CACHE);
	rules_memo_clear(sandbox_of(L)->rr_memo);
	lua_pushboolean(L, 0);
	rules_reg_set(L, REG_CLOSED);
	lua_createtable(L, 512, 0);
	rules_reg_set(L, REG_META_USED);
	sandbox_of(L)->meta_used_n = 0;
	lua_newtable(L);
	rules_reg_set(L, REG_FINDINGS);
}

/* The domain's open views become dead ones; their metatables, cleared, go to the pool. */
static void retire_open_views(lua_State *L)
{
	rules_sandbox *sb = sandbox_of(L);
	int used, pool, dead;

	luaL_checkstack(L, 8, "views");
	if (rules_reg_get(L, REG_META_USED) != LUA_TTABLE) {
		lua_pop(L, 1);
		return;
	}
	used = lua_gettop(L);
	rules_reg_get(L, REG_META_POOL);
	pool = lua_gettop(L);
	rules_reg_get(L, REG_DEAD_META);
	dead = lua_gettop(L);
	/* a slot can be empty: a rule's memory cap may have stopped note_open_view midway */
	for (lua_Integer i = 1; i + 1 <= sb->meta_used_n; i += 2) {
		if (lua_rawgeti(L, used, i) == LUA_TTABLE) {
			lua_pushvalue(L, dead);
			lua_setmetatable(L, -2);
		}
		lua_pop(L, 1);
		if (lua_rawgeti(L, used, i + 1) != LUA_TTABLE) {
			lua_pop(L, 1);
			continue;
		}
		lua_pushboolean(L, 0);
		lua_setfield(L, -2, "__index");
		lua_rawseti(L, pool, ++sb->meta_pool_n);
	}
	sb->meta_used_n = 0;
	lua_pop(L, 3);
	lua_pushboolean(L, 0);
	rules_reg_set(L, REG_META_USED);
}

void rv_end_domain(lua_State *L)
{
	retire_open_views(L);
	lua_pushboolean(L, 0);
	rules_reg_set(L, REG_FINDINGS);
	lua_pushboolean(L, 0);
	rules_reg_set(L, REG_VIEW_CACHE);
	lua_pushboolean(L, 0);
	rules_reg_set(L, REG_RR_CACHE);
	lua_pushboolean(L, 0);
	rules_reg_set(L, REG_CLOSED);
	sandbox_of(L)->gen = 0;
}

void rv_refresh_answers(lua_State *L)
{
	int cache, todo;
	lua_Integer n = 0;

	if (rules_reg_get(L, REG_VIEW_CACHE) != LUA_TTABLE) {
		lua_pop(L, 1);
		return;
	}
	cache = lua_gettop(L);
	lua_newtable(L);
	todo = lua_gettop(L);
	/* collect first: rebuilding adds entries to the cache being traversed */
	lua_pushnil(L);
	while (lua_next(L, cache)) {
		lua_getmetatable(L, -1);
		lua_rawgeti(L, -1, MT_KIND);
		switch (lua_tointeger(L, -1)) {
		case RV_ROOT:
		case RV_ANSWERS:
		case RV_ENTRY:
		case RV_REPLIES:
			/* closed views read the tree when opened: only open ones are stale */
			lua_pushliteral(L, "__index");
			if (lua_rawget(L, -3) == LUA_TTABLE) {
				lua_pushvalue(L, -4);
				lua_rawseti(L, todo, ++n);
			}
			lua_pop(L, 1);
			break;
		default:
			break;
		}
		lua_pop(L, 3);
	}
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, todo, i);
		lua_getmetatable(L, -1);
		lua_rawgetp(L, -2, &node_key);
		const dnsvet_node *node = lua_touserdata(L, -1);
		lua_rawgeti(L, -2, MT_KIND);
		enum rv_kind kind = (enum rv_kind)lua_tointeger(L, -1);
		lua_rawgeti(L, -3, MT_GEN);
		uint64_t gen = (uint64_t)lua_tointeger(L, -1);
		lua_pop(L, 3);
		build_backing(L, node, kind, gen);
		lua_setfield(L, -2, "__index");
		lua_pop(L, 2);
	}
	lua_pop(L, 2);
}

const dnsvet_node *rv_node_of(lua_State *L, int idx, const char **raw)
{
	const dnsvet_node *node = NULL;
	uint64_t gen;
	enum rv_kind kind;

	if (raw)
		*raw = NULL;
	if (!is_view(L, idx))
		return NULL;
	idx = lua_absindex(L, idx);
	lua_getmetatable(L, idx);
	lua_rawgetp(L, idx, &node_key);
	node = lua_touserdata(L, -1);
	lua_rawgeti(L, -2, MT_GEN);
	gen = (uint64_t)lua_tointeger(L, -1);
	lua_rawgeti(L, -3, MT_KIND);
	kind = (enum rv_kind)lua_tointeger(L, -1);
	lua_pop(L, 4);
	if (!node || (gen && gen != sandbox_of(L)->gen))
		return NULL;
	if (raw && kind == RV_RR)
		*raw = dnsvet_node_string(node);
	return node;
}

/* ---- Lua value -> node ---- */

typedef struct conv {
	char *err;
	size_t errlen;
	unsigned count;
} conv;

static const char *const key_order[] = {
	"server", "addr", "source", "name", "type", "rcode", "aa", "ad", "error",
	"answer", "authority", "note", NULL
};

static int key_rank(const char *k)
{
	for (int i = 0; key_order[i]; i++)
		if (strcmp(k, key_order[i]) == 0)
			return i;
	return 100;
}

/* A key to sort, with its rank worked out once rather than at every comparison. */
typedef struct ranked_key {
	const char *key;
	int rank;
} ranked_key;

static int key_cmp(const void *a, const void *b)
{
	const ranked_key *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	return strcmp(x->key, y->key);
}

static dnsvet_node *conv_value(lua_State *L, int idx, int depth, conv *c);

static dnsvet_node *conv_table(lua_State *L, int t, int depth, conv *c)
{
	size_t len = lua_rawlen(L, t), count = 0, nkeys = 0;
	ranked_key *keys = NULL;
	dnsvet_node *out = NULL;

	lua_pushnil(L);
	while (lua_next(L, t)) {
		count++;
		lua_pop(L, 1);
	}
	if (count == len) {
		out = dnsvet_node_new_list();
		for (size_t i = 1; out && i <= len; i++) {
			lua_rawgeti(L, t, (lua_Integer)i);
			dnsvet_node *child = conv_value(L, lua_gettop(L), depth + 1, c);
			lua_pop(L, 1);
			if (!child || dnsvet_node_list_append(out, child) != DNSVET_OK) {
				dnsvet_node_free(out);
				return NULL;
			}
		}
		if (!out && !c->err[0])
			snprintf(c->err, c->errlen, "out of memory");
		return out;
	}
	keys = calloc(count, sizeof(*keys));
	if (!keys) {
		snprintf(c->err, c->errlen, "out of memory");
		return NULL;
	}
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING) {
			snprintf(c->err, c->errlen, "a table mixes list items and %s keys; use either a "
			         "list or string keys", luaL_typename(L, -1));
			lua_pop(L, 1);
			free(keys);
			return NULL;
		}
		keys[nkeys].key = lua_tostring(L, -1); /* kept alive by the table */
		keys[nkeys].rank = key_rank(keys[nkeys].key);
		nkeys++;
	}
	qsort(keys, nkeys, sizeof(*keys), key_cmp);
	out = dnsvet_node_new_map();
	for (size_t i = 0; out && i < nkeys; i++) {
		lua_getfield(L, t, keys[i].key);
		dnsvet_node *child = conv_value(L, lua_gettop(L), depth + 1, c);
		lua_pop(L, 1);
		if (!child || dnsvet_node_map_set(out, keys[i].key, child) != DNSVET_OK) {
			dnsvet_node_free(out);
			out = NULL;
			break;
		}
	}
	if (!out && !c->err[0])
		snprintf(c->err, c->errlen, "out of memory");
	free(keys);
	return out;
}

static dnsvet_node *conv_value(lua_State *L, int idx, int depth, conv *c)
{
	dnsvet_node *n = NULL;

	if (++c->count > CONV_MAX_NODES) {
		snprintf(c->err, c->errlen, "more than %u values", CONV_MAX_NODES);
		return NULL;
	}
	if (depth > CONV_MAX_DEPTH) {
		snprintf(c->err, c->errlen, "tables nested more than %d deep (a cycle?)", CONV_MAX_DEPTH);
		return NULL;
	}
	luaL_checkstack(L, 6, "conversion");
	switch (lua_type(L, idx)) {
	case LUA_TNIL:
		n = dnsvet_node_new_null();
		break;
	case LUA_TBOOLEAN:
		n = dnsvet_node_new_bool(lua_toboolean(L, idx));
		break;
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx))
			n = dnsvet_node_new_int((int64_t)lua_tointeger(L, idx));
		else
			n = dnsvet_node_new_double(lua_tonumber(L, idx));
		break;
	case LUA_TSTRING: {
		size_t len;
		const char *s = lua_tolstring(L, idx, &len);

		n = dnsvet_node_new_stringn(s, len);
		break;
	}
	case LUA_TTABLE:
		if (is_view(L, idx)) {
			const char *raw;
			const dnsvet_node *node = rv_node_of(L, idx, &raw);

			if (raw)
				return dnsvet_node_new_string(raw);
			if (node)
				return dnsvet_node_copy(node);
			lua_getmetatable(L, idx);
			if (lua_getfield(L, -1, "__index") != LUA_TTABLE) {
				lua_pop(L, 2);
				snprintf(c->err, c->errlen, "a table of an earlier domain's observations");
				return NULL;
			}
			lua_remove(L, -2);
			{
				int b = lua_gettop(L);
				int rawt = lua_getfield(L, b, "raw");
				int datat = lua_getfield(L, b, "data");

				if (rawt == LUA_TSTRING && datat != LUA_TNIL) {
					/* an expanded RR of an earlier domain: its string is enough */
					n = dnsvet_node_new_string(lua_tostring(L, b + 1));
					lua_settop(L, b - 1);
					return n;
				}
				lua_settop(L, b);
				n = conv_table(L, b, depth, c);
				lua_settop(L, b - 1);
				return n;
			}
		}
		return conv_table(L, idx, depth, c);
	default:
		snprintf(c->err, c->errlen, "a %s value cannot be reported", luaL_typename(L, idx));
		return NULL;
	}
	if (!n)
		snprintf(c->err, c->errlen, "out of memory");
	return n;
}

dnsvet_node *rv_to_node(lua_State *L, int idx, char *err, size_t errlen)
{
	conv c = {err, errlen, 0};

	err[0] = '\0';
	return conv_value(L, lua_absindex(L, idx), 0, &c);
}
