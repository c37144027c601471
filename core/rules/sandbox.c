/*
 * The Lua state rules run in: an allocator that enforces a memory cap, an instruction count
 * hook, and the read-only base environment of docs/rule-api.md.
 *
 * A rule that hits a budget must not be able to catch the error and go on, so the budget
 * marks the sandbox as "killed" and the sandbox's pcall re-raises while that mark is set.
 */
#include <stdlib.h>
#include <string.h>
#include <lualib.h>
#include "rules/rules_int.h"

rules_sandbox *sandbox_of(lua_State *L)
{
	return *(rules_sandbox **)lua_getextraspace(L);
}

/*
 * Small blocks come from free lists by size class, cut from large chunks that live as long
 * as the state: a domain's run makes and drops tens of thousands of small tables, strings
 * and closures, and a free list takes a few instructions where malloc and free take a
 * hundred. Lua passes the old size on every release and resize, so blocks need no header.
 */
#define POOL_CHUNK (64u * 1024u)

static size_t pool_class(size_t n)
{
	return (n + RULES_POOL_GRAIN - 1) / RULES_POOL_GRAIN - 1;
}

static void *pool_get(rules_sandbox *sb, size_t n)
{
	size_t c = pool_class(n), size = (c + 1) * RULES_POOL_GRAIN;
	void *p = sb->pool_free[c];

	if (p) {
		sb->pool_free[c] = *(void **)p;
		return p;
	}
	if (sb->pool_left < size) {
		/* the first grain of a chunk links the chunks together */
		char *chunk = malloc(POOL_CHUNK);

		if (!chunk)
			return NULL;
		*(void **)chunk = sb->pool_chunks;
		sb->pool_chunks = chunk;
		sb->pool_bump = chunk + RULES_POOL_GRAIN;
		sb->pool_left = POOL_CHUNK - RULES_POOL_GRAIN;
	}
	p = sb->pool_bump;
	sb->pool_bump += size;
	sb->pool_left -= size;
	return p;
}

static void pool_put(rules_sandbox *sb, void *p, size_t n)
{
	size_t c = pool_class(n);

	*(void **)p = sb->pool_free[c];
	sb->pool_free[c] = p;
}

static void *block_get(rules_sandbox *sb, size_t n)
{
	return n <= RULES_POOL_MAX ? pool_get(sb, n) : malloc(n);
}

static void block_put(rules_sandbox *sb, void *p, size_t n)
{
	if (n <= RULES_POOL_MAX)
		pool_put(sb, p, n);
	else
		free(p);
}

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	rules_sandbox *sb = ud;
	size_t old = ptr ? osize : 0;
	void *p;

	if (nsize == 0) {
		if (ptr)
			block_put(sb, ptr, osize);
		sb->mem_used -= old;
		return NULL;
	}
	if (nsize > old) {
		size_t grow = nsize - old;

		if (sb->mem_used + grow > sb->mem_limit || sb->mem_used + grow < sb->mem_used) {
			sb->mem_hit = 1;
			return NULL;
		}
	}
	if (!ptr) {
		p = block_get(sb, nsize);
	} else if (old > RULES_POOL_MAX && nsize > RULES_POOL_MAX) {
		p = realloc(ptr, nsize);
	} else if (old <= RULES_POOL_MAX && nsize <= RULES_POOL_MAX &&
	           pool_class(old) == pool_class(nsize)) {
		p = ptr;
	} else {
		p = block_get(sb, nsize);
		if (p) {
			memcpy(p, ptr, old < nsize ? old : nsize);
			block_put(sb, ptr, old);
		}
	}
	if (!p)
		return NULL;
	sb->mem_used = sb->mem_used - old + nsize;
	return p;
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
	rules_sandbox *sb = sandbox_of(L);

	(void)ar;
	if (!sb->instr_limit)
		return;
	sb->instr += RULES_HOOK_STEP;
	if (sb->instr > sb->instr_limit) {
		if (!sb->killed)
			sb->killed = "instruction budget exceeded";
		luaL_error(L, "instruction budget of %I instructions exceeded",
		           (lua_Integer)sb->instr_limit);
	}
}

/*
 * Nearly everything a domain's run allocates (views, rule locals, findings' tables) is
 * garbage when the run ends, and an incremental collector running meanwhile would keep
 * re-marking the compiled rules for nothing. So a runner's collector stays stopped and a
 * full collection runs between domains once RULES_GC_SLACK of garbage has piled up. A rule
 * reaching its memory cap still gets its garbage collected: Lua collects in an emergency
 * when an allocation fails, stopped collector or not, before giving up.
 */
void sandbox_gc_between_domains(rules_sandbox *sb)
{
	lua_gc(sb->L, LUA_GCCOLLECT);
	lua_gc(sb->L, LUA_GCSTOP);
	sb->gc_base = sb->mem_used;
}

void sandbox_gc_settle(rules_sandbox *sb)
{
	if (sb->mem_used - sb->gc_base < RULES_GC_SLACK && sb->mem_used >= sb->gc_base)
		return;
	lua_gc(sb->L, LUA_GCCOLLECT);
	sb->gc_base = sb->mem_used;
}

void sandbox_hook(lua_State *co)
{
	lua_sethook(co, count_hook, LUA_MASKCOUNT, RULES_HOOK_STEP);
}

void sandbox_limit(rules_sandbox *sb, uint64_t instructions, size_t memory)
{
	sb->instr = 0;
	sb->instr_limit = instructions;
	sb->mem_hit = 0;
	sb->killed = NULL;
	sb->mem_limit = memory == SIZE_MAX || sb->mem_used > SIZE_MAX - memory
	                ? SIZE_MAX : sb->mem_used + memory;
}

void sandbox_unlimit(rules_sandbox *sb)
{
	sb->instr_limit = 0;
	sb->mem_limit = SIZE_MAX;
}

const char *sandbox_errmsg(lua_State *L, int idx)
{
	switch (lua_type(L, idx)) {
	case LUA_TSTRING:
	case LUA_TNUMBER:
		lua_pushstring(L, lua_tostring(L, idx));
		break;
	case LUA_TNIL:
		lua_pushliteral(L, "error raised with nil");
		break;
	default:
		/* never call __tostring here: it would run rule code outside any budget */
		lua_pushfstring(L, "error raised with a %s value", luaL_typename(L, idx));
		break;
	}
	return lua_tostring(L, -1);
}

/* ---- sandboxed base functions ---- */

static int finish_pcall(lua_State *L, int status, lua_KContext extra)
{
	if (status != LUA_OK && status != LUA_YIELD) {
		rules_sandbox *sb = sandbox_of(L);

		if (status == LUA_ERRMEM && sb->mem_hit && !sb->killed)
			sb->killed = "memory cap exceeded";
		if (sb->killed)
			return lua_error(L);
		lua_pushboolean(L, 0);
		lua_pushvalue(L, -2);
		return 2;
	}
	return lua_gettop(L) - (int)extra;
}

static int sb_pcall(lua_State *L)
{
	int status;

	luaL_checkany(L, 1);
	lua_pushboolean(L, 1);
	lua_insert(L, 1);
	status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, finish_pcall);
	return finish_pcall(L, status, 0);
}

static int sb_print(lua_State *L)
{
	rules_sandbox *sb = sandbox_of(L);
	int n = lua_gettop(L);
	luaL_Buffer b;

	luaL_buffinit(L, &b);
	for (int i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, '\t');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	if (sb->rules && sb->rules->opts.log) {
		sb->rules->opts.log(sb->rules->opts.log_user, sb->current_rule, lua_tostring(L, -1));
	}
	return 0;
}

/* load(chunk [, chunkname [, mode [, env]]]): text chunks only, env defaults to the base. */
static int sb_load(lua_State *L)
{
	rules_sandbox *sb = sandbox_of(L);
	size_t len;
	const char *s = luaL_checklstring(L, 1, &len);
	const char *name = luaL_optstring(L, 2, "=(load)");
	const char *mode = luaL_optstring(L, 3, "t");
	int has_env = !lua_isnone(L, 4);

	if (strchr(mode, 'b') && !strchr(mode, 't')) {
		lua_pushnil(L);
		lua_pushliteral(L, "binary chunks are not allowed");
		return 2;
	}
	if (luaL_loadbufferx(L, s, len, name, "t") != LUA_OK) {
		lua_pushnil(L);
		lua_insert(L, -2);
		return 2;
	}
	if (has_env)
		lua_pushvalue(L, 4);
	else
		lua_rawgeti(L, LUA_REGISTRYINDEX, sb->base_ref);
	if (!lua_setupvalue(L, -2, 1))
		lua_pop(L, 1);
	return 1;
}

/* Copies the listed fields of the global library `lib` into a new table at the top. */
static void copy_lib(lua_State *L, const char *lib, const char *const *fields)
{
	lua_getglobal(L, lib);
	lua_newtable(L);
	for (size_t i = 0; fields[i]; i++) {
		lua_getfield(L, -2, fields[i]);
		lua_setfield(L, -2, fields[i]);
	}
	lua_remove(L, -2);
}

/* Copies every field of the global library `lib` but the excluded ones. */
static void copy_lib_except(lua_State *L, const char *lib, const char *const *except)
{
	lua_getglobal(L, lib);
	lua_newtable(L);
	lua_pushnil(L);
	while (lua_next(L, -3)) {
		int skip = 0;

		if (lua_type(L, -2) == LUA_TSTRING) {
			const char *k = lua_tostring(L, -2);

			for (size_t i = 0; except[i]; i++)
				if (strcmp(k, except[i]) == 0)
					skip = 1;
		}
		if (skip) {
			lua_pop(L, 1);
			continue;
		}
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_settable(L, -4);
	}
	lua_remove(L, -2);
}

static void build_base(lua_State *L, rules_sandbox *sb)
{
	static const char *const no_dump[] = {"dump", NULL};
	static const char *const no_random[] = {"random", "randomseed", NULL};
	static const char *const none[] = {NULL};
	static const char *const os_fields[] = {"time", "date", "clock", NULL};
	static const char *const plain[] = {"pairs", "ipairs", "select", "type", "tostring",
	                                    "tonumber", "assert", "error", "setmetatable", NULL};

	lua_newtable(L);                                 /* base */
	copy_lib_except(L, "string", no_dump);
	rv_wrap_table(L, -1);
	lua_setfield(L, -3, "string");
	lua_pop(L, 1);
	copy_lib_except(L, "table", none);
	rv_wrap_table(L, -1);
	lua_setfield(L, -3, "table");
	lua_getfield(L, -1, "unpack");
	lua_setfield(L, -3, "unpack");
	lua_pop(L, 1);
	copy_lib_except(L, "math", no_random);
	rv_wrap_table(L, -1);
	lua_setfield(L, -3, "math");
	lua_pop(L, 1);
	copy_lib_except(L, "utf8", none);
	rv_wrap_table(L, -1);
	lua_setfield(L, -3, "utf8");
	lua_pop(L, 1);
	copy_lib(L, "os", os_fields);
	rv_wrap_table(L, -1);
	lua_setfield(L, -3, "os");
	lua_pop(L, 1);
	for (size_t i = 0; plain[i]; i++) {
		lua_getglobal(L, plain[i]);
		lua_setfield(L, -2, plain[i]);
	}
	lua_pushcfunction(L, sb_pcall);
	lua_setfield(L, -2, "pcall");
	lua_pushcfunction(L, sb_print);
	lua_setfield(L, -2, "print");
	lua_pushcfunction(L, sb_load);
	lua_setfield(L, -2, "load");
	lua_pushcfunction(L, rv_next);
	lua_setfield(L, -2, "next");
	helpers_push_lib(L);
	lua_setfield(L, -2, "dnsvet");

	sb->base_ref = luaL_ref(L, LUA_REGISTRYINDEX);

	/* the metatable every rule environment shares: reads fall through to the base */
	lua_newtable(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, sb->base_ref);
	lua_setfield(L, -2, "__index");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setfield(L, LUA_REGISTRYINDEX, "dnsvet.envmeta");
}

/*
 * A rule's globals start as a copy of the base's names (the same read-only libraries and
 * functions): a global read then hits the rule's own table at once instead of missing it and
 * going through __index to the base, which cost every `ipairs`, `dnsvet` or `string` in a
 * rule a metamethod lookup. The base stays behind __index for a name the rule clears.
 */
void sandbox_new_env(lua_State *L)
{
	rules_sandbox *sb = sandbox_of(L);

	luaL_checkstack(L, 5, "environment");
	lua_createtable(L, 0, 32);
	lua_rawgeti(L, LUA_REGISTRYINDEX, sb->base_ref);
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, -5);
	}
	lua_pop(L, 1);
	lua_getfield(L, LUA_REGISTRYINDEX, "dnsvet.envmeta");
	lua_setmetatable(L, -2);
}

static int open_state(lua_State *L)
{
	rules_sandbox *sb = lua_touserdata(L, 1);

	luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
	luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
	luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
	luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
	luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
	luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 1);
	lua_pop(L, 6);
	/* string methods reach the real string table through the string metatable */
	lua_getglobal(L, "string");
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	lua_pop(L, 1);
	for (int k = 0; k < REG_N; k++) {
		lua_pushboolean(L, 0);
		sb->reg[k] = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	rv_init(L);
	build_base(L, sb);
	return 0;
}

lua_State *sandbox_open(rules_sandbox *sb, const dnsvet_rules *rules)
{
	lua_State *L;

	memset(sb, 0, sizeof(*sb));
	sb->mem_limit = SIZE_MAX;
	sb->rules = rules;
	L = lua_newstate(sandbox_alloc, sb);
	if (!L) {
		sandbox_close(sb);
		return NULL;
	}
	*(rules_sandbox **)lua_getextraspace(L) = sb;
	sb->L = L;
	lua_pushcfunction(L, open_state);
	lua_pushlightuserdata(L, sb);
	if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
		sandbox_close(sb);
		return NULL;
	}
	return L;
}

void sandbox_close(rules_sandbox *sb)
{
	if (sb->L) {
		sandbox_unlimit(sb);
		lua_close(sb->L);
	}
	sb->L = NULL;
	rules_memo_free(sb->rr_memo);
	sb->rr_memo = NULL;
	while (sb->pool_chunks) {
		void *next = *(void **)sb->pool_chunks;

		free(sb->pool_chunks);
		sb->pool_chunks = next;
	}
	memset(sb->pool_free, 0, sizeof(sb->pool_free));
	sb->pool_bump = NULL;
	sb->pool_left = 0;
}
