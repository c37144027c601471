/* Internals of the rule engine shared by its files (core/rules/). */
#ifndef DNSVET_RULES_INT_H
#define DNSVET_RULES_INT_H

#include <stddef.h>
#include <stdint.h>
#include <lua.h>
#include <lauxlib.h>
#include <dnsvet/rules.h>

#define RULES_DEFAULT_INSTRUCTIONS 10000000u
#define RULES_DEFAULT_MEMORY (32u * 1024u * 1024u)
/* Garbage a runner lets pile up before a full collection between domains. */
#define RULES_GC_SLACK (4u * 1024u * 1024u)
#define RULES_DEFAULT_QUERIES 64u
#define RULES_DEFAULT_LOAD_INSTRUCTIONS 1000000u
#define RULES_DEFAULT_LOAD_MEMORY (8u * 1024u * 1024u)
#define RULES_DEFAULT_ROUNDS 8u
/* Questions one ctx:query call may ask together. */
#define RULES_MAX_BATCH 64
/* The count hook fires every this many VM instructions. */
#define RULES_HOOK_STEP 1000
/* Largest rule file read. */
#define RULES_MAX_SOURCE (1024u * 1024u)

/* ---- small string vector ---- */
typedef struct strvec {
	char **v;
	size_t n, cap;
} strvec;

int strvec_push(strvec *sv, const char *s);        /* copies; 0 on success */
int strvec_pushf(strvec *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strvec_free(strvec *sv);
char *rules_strdup(const char *s);                 /* NULL-safe */
char *rules_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- catalogue ---- */
struct dnsvet_rule {
	char *id, *title, *summary, *doc, *fix;
	char *file;        /* path as opened */
	char *chunkname;   /* "@rules/record/missing.lua" for built-ins, "@<file>" otherwise */
	dnsvet_severity severity;
	int order;
	int builtin;
	int selected;
	int has_probes;
	strvec tags;
	strvec refs;
	char *source;
	size_t source_len;
};

struct dnsvet_rules {
	dnsvet_rules_opts opts;     /* user_dirs cleared after loading */
	strvec data_dirs;           /* where dnsvet.data and dnsvet.lib look, first match wins */
	dnsvet_rule **rules;        /* run order */
	size_t n, cap;
	strvec problems;
	strvec notices;
};

void rules_rule_free(dnsvet_rule *r);
/* Sorts by (order, id). */
void rules_sort(dnsvet_rules *rules);

/* ---- selection (select.c) ---- */
typedef struct sel_node sel_node;
/* Parses expr; on failure returns NULL and writes a message naming the column. */
sel_node *sel_parse(const char *expr, char *err, size_t errlen, int *nomem);
int sel_match(const sel_node *n, const dnsvet_rule *r);
/* The first term that matches neither an id nor a tag of any rule, or NULL. */
const char *sel_unknown_term(const sel_node *n, const dnsvet_rules *rules, unsigned *column);
void sel_free(sel_node *n);

/* ---- sandbox (sandbox.c) ---- */
typedef struct rules_exec rules_exec;
typedef struct compiled compiled;

/* Blocks up to this size come from the sandbox's own free lists (sandbox.c). */
#define RULES_POOL_GRAIN 16
#define RULES_POOL_MAX 256
#define RULES_POOL_CLASSES (RULES_POOL_MAX / RULES_POOL_GRAIN)

/*
 * Registry slots the engine reads on every view and ctx call. They are integer references
 * taken when the state opens (lua_rawgeti on the registry's array part) rather than
 * light-userdata keys (a hash of the pointer, with a division, per lookup). A slot is never
 * set to nil, only to false, so that luaL_ref never hands out its number again.
 */
enum rules_reg {
	REG_VIEW_CACHE,   /* the domain's views by node */
	REG_RR_CACHE,     /* the domain's RR views by string */
	REG_CLOSED,       /* the domain's closed-view metatables, by kind */
	REG_CLOSED0,      /* the same for permanent views */
	REG_EMPTY,        /* the shared empty list */
	REG_AUTH_CACHE,   /* dnsvet.authoritative and ctx:rrs results */
	REG_ITEM_META,    /* the metatable of ctx:rrs items */
	REG_META_POOL,    /* metatables of earlier domains' open views, for reuse */
	REG_META_USED,    /* this domain's open views and their metatables, in pairs */
	REG_DEAD_META,    /* what those views get when their domain ends */
	REG_FINDINGS,     /* ctx:findings' read-only tables of this domain's findings, by finding */
	REG_N
};

/* Execution limits and accounting shared by the allocator and the count hook; lives in the
 * Lua state's extra space as a pointer. */
typedef struct rules_sandbox {
	lua_State *L;
	size_t mem_used;
	size_t mem_limit;          /* SIZE_MAX: unlimited */
	int mem_hit;               /* the limit refused an allocation */
	uint64_t instr;            /* instructions counted for the current budget */
	uint64_t instr_limit;      /* 0: no budget */
	const char *killed;        /* why the current rule was stopped, or NULL */
	struct dnsvet_rules_runner *runner; /* NULL while loading the catalogue */
	const dnsvet_rules *rules;
	int base_ref;              /* read-only base environment */
	const char *current_rule;  /* id of the rule running now, for print() */
	uint64_t gen;              /* current domain's generation (views of older ones fail) */
	void *pool_free[RULES_POOL_CLASSES]; /* released small blocks, by size class */
	void *pool_chunks;         /* chunks the small blocks are cut from, linked */
	char *pool_bump;           /* unused rest of the newest chunk */
	size_t pool_left;
	size_t gc_base;            /* bytes in use after the last full collection */
	int reg[REG_N];            /* registry slots (enum rules_reg) */
	lua_Integer meta_pool_n;   /* metatables in REG_META_POOL */
	lua_Integer meta_used_n;   /* entries (two per view) in REG_META_USED */
	struct rules_memo *rr_memo; /* slots of REG_RR_CACHE's keys for the domain (roview.c) */
} rules_sandbox;

/* Pushes registry slot k (a table, or false when unset). */
#define rules_reg_get(L, k) lua_rawgeti((L), LUA_REGISTRYINDEX, sandbox_of(L)->reg[(k)])
/* Pops the value at the top into registry slot k (false, not nil, to clear it). */
#define rules_reg_set(L, k) lua_rawseti((L), LUA_REGISTRYINDEX, sandbox_of(L)->reg[(k)])

/* A new state with the restricted libraries loaded and the read-only base built. */
lua_State *sandbox_open(rules_sandbox *sb, const dnsvet_rules *rules);
void sandbox_close(rules_sandbox *sb);
rules_sandbox *sandbox_of(lua_State *L);
/* Starts a budgeted stretch: instructions and memory limits for what follows. */
void sandbox_limit(rules_sandbox *sb, uint64_t instructions, size_t memory);
void sandbox_unlimit(rules_sandbox *sb);
/* Runs the collector only between domains: see sandbox.c. */
void sandbox_gc_between_domains(rules_sandbox *sb);
/* Called at the end of a domain: collects when enough garbage has piled up. */
void sandbox_gc_settle(rules_sandbox *sb);
/* Installs the instruction count hook on a thread. */
void sandbox_hook(lua_State *co);
/* Pushes a new environment table for one rule (reads fall through to the base). */
void sandbox_new_env(lua_State *L);
/* Pushes a string describing the error object at idx (never runs metamethods). */
const char *sandbox_errmsg(lua_State *L, int idx);

/* ---- read-only views (roview.c) ---- */
enum rv_kind {
	RV_PLAIN = 0,
	RV_ROOT,
	RV_ANSWERS,      /* list of answer entries */
	RV_ENTRY,        /* one answers entry */
	RV_REPLIES,      /* auth or resolvers list */
	RV_REPLY,        /* one reply (or its cd retry) */
	RV_RRLIST,       /* list of RR strings */
	RV_ZONES,
	RV_ZONE,
	RV_RR            /* a single RR string */
};

/* Registers the shared metatables' functions; call once per state. */
void rv_init(lua_State *L);
/* Per-domain view cache and generation (invalidates views of the previous domain). */
void rv_begin_domain(lua_State *L, uint64_t gen);
void rv_end_domain(lua_State *L);
/* Pushes a read-only view of node (scalars are pushed as values). gen 0: permanent. */
void rv_push_node(lua_State *L, const dnsvet_node *node, enum rv_kind kind, uint64_t gen);
/* Pushes a read-only view whose backing is the table at idx (not copied: nothing else may
 * keep a reference to it; nested tables should be views already). */
void rv_wrap_table(lua_State *L, int idx);
/* The same for a table made for the current domain (a ctx:rrs result, the ctx table ...):
 * refused after the domain like its observations' views, and cheaper to make (the
 * metatable comes from the pool of earlier domains'). Outside a domain, rv_wrap_table. */
void rv_wrap_domain_table(lua_State *L, int idx);
/* Pushes the view of an RR (a string node of an answer section): the one every reply
 * holding the same string shows in the current domain. */
void rv_push_rr(lua_State *L, const dnsvet_node *node, uint64_t gen);
/* Pushes the empty read-only list every view and ctx method shares. */
void rv_push_empty(lua_State *L);
/* Rebuilds the materialised views of the observation tree's answers after an asker added
 * to it. */
void rv_refresh_answers(lua_State *L);
/* The node behind a view at idx (NULL for other values or views of an old domain). For RR
 * views *raw receives the string. */
const dnsvet_node *rv_node_of(lua_State *L, int idx, const char **raw);
/* Converts a Lua value (tables, views, scalars) into a node; NULL and a message in err when
 * it cannot (cycles, depth, size, functions). */
dnsvet_node *rv_to_node(lua_State *L, int idx, char *err, size_t errlen);
/* Proxy-aware next(): the `next` of the sandbox. */
int rv_next(lua_State *L);

/* ---- RR expansion (rrexpand.c) ---- */
/* Pushes the expanded table of an RR in presentation form (docs/rule-api.md). */
void rr_push_expanded(lua_State *L, const char *s, size_t len);
/* Name normalisation: lowercase, no trailing dot ("." stays "."). Returns out. */
char *rr_name_normalize(const char *in, size_t len, char *out, size_t outlen);
/* Whether the RR s in presentation form, as rr_push_expanded reads it, is owned by name
 * (normalised, under 1100 bytes) and, when type (upper case) is not NULL, of that type; an
 * RR without a type mnemonic is not. */
int rr_owned_by(const char *s, size_t len, const char *name, const char *type);
/* Whether tolower() may change a byte of w (8 bytes of a string): an upper-case ASCII letter
 * or a byte above 127. With each byte's top bit set, subtracting leaves it set for bytes at
 * or above the subtrahend and borrows nothing from the next byte. */
static inline int rr_word_foldable(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u, b = w | high;

	return ((w | ((b - ones * 'A') & ~(b - ones * ('Z' + 1)))) & high) != 0;
}
/* Whether t (upper case) is one of the types rules ask for most, all known to ldns. */
int rr_type_common(const char *t);

/* ---- scans of the tree for ctx:rrs and dnsvet.authoritative (owned.c) ---- */
/* Whether a reply counts as the zone's own answer (dnsvet.authoritative's test). */
int rules_reply_is_own(const dnsvet_node *reply);
/* Calls fn for every RR of the answer section of the reply at index reply_i of replies that
 * is owned by name (normalised) and, when rrtype is not NULL, of that type. Stops when fn
 * returns non-zero and returns that value. */
int rules_owned_scan(const dnsvet_node *replies, int own_only, const char *name,
                     const char *rrtype,
                     int (*fn)(void *user, size_t reply_i, size_t rr_i), void *user);

/* A rule or module file, at most RULES_MAX_SOURCE bytes; malloc'd, caller frees; NULL with
 * the reason in err. */
char *rules_read_file(const char *path, size_t *len, char *err, size_t errlen);

/* ---- string slots (memo.c) ---- */
typedef struct rules_memo rules_memo;
/* The slot (1, 2, ...) of the string a "\n" b, a new one for a string not seen since the
 * memo was made or cleared; *mp is made on first use. 0: out of memory. */
lua_Integer rules_memo_slot(rules_memo **mp, const char *a, size_t al, const char *b, size_t bl);
/* Forgets every string, keeping the memory for the next ones. NULL: nothing. */
void rules_memo_clear(rules_memo *m);
void rules_memo_free(rules_memo *m);

/* ---- dnsvet helpers (helpers.c) ---- */

void helpers_push_lib(lua_State *L);
/* Drops the results of dnsvet.authoritative and ctx:rrs of the domain. */
void helpers_forget(struct dnsvet_rules_runner *r);
/* Pushes the table holding them (created when missing). */
void helpers_push_cache(lua_State *L);
/* The integer key in that table of the result for the string a "\n" b (a new key for a
 * string not seen in the domain); 0 outside a domain's run, when nothing is kept. */
lua_Integer helpers_memo_slot(lua_State *L, const char *a, size_t al, const char *b, size_t bl);

/* ---- findings (finding.c) ---- */
dnsvet_status finding_list_reserve(dnsvet_finding_list *list, size_t n);

/* ---- fix templates (template.c) ---- */
/* Fills {name} placeholders of tmpl from the table at vars_idx (may be 0 for none).
 * Returns a malloc'd string, or NULL with the missing placeholder named in err. */
char *template_fill(lua_State *L, const char *tmpl, int vars_idx, char *err, size_t errlen);

/* ---- runner (runner.c, session.c, ctx.c, answers.c) ---- */
struct compiled {
	const dnsvet_rule *meta;
	int check_ref;
	int probes_ref;            /* LUA_NOREF without probes */
	char *broken;              /* why it failed to compile in this runner, or NULL */
};

enum ex_state { EX_READY, EX_QUERY, EX_WAIT, EX_DONE, EX_FAILED };

/* A question a suspended rule waits for. */
typedef struct pending_q {
	char *name;
	char type[24];
	unsigned target;
	strvec servers;
	char *key;                 /* dedup key */
} pending_q;

struct rules_exec {
	compiled *c;
	size_t pos;
	lua_State *co;
	int co_ref;
	enum ex_state state;
	int started;
	uint64_t instr;
	unsigned queries;
	dnsvet_finding **f;
	size_t nf, capf;
	pending_q q[RULES_MAX_BATCH]; /* the questions of the ctx:query it waits on */
	size_t nq;
	int batch;                 /* that call asked a list: answer with a list */
};

struct dnsvet_rules_runner {
	const dnsvet_rules *rules;
	rules_sandbox sb;
	lua_State *L;
	compiled *c;
	size_t n;
	uint64_t gen;
	uint64_t instr_budget;
	size_t mem_cap;
	unsigned query_budget;
	unsigned max_rounds;
	/* the run in progress */
	int active;
	int live;
	int asked;                 /* the last step handed out questions */
	unsigned rounds;
	dnsvet_node *obs;
	rules_exec *ex;
	size_t nex;
	rules_exec *cur;
	int ctx_ref;
	struct ans_slot *ans_idx;  /* open addressing on the answers entries (answers.c) */
	size_t ans_cap;            /* slots, a power of two; 0: not built */
	rules_memo *memo;          /* keys of the helpers' results (helpers.c); NULL: none yet */
	dnsvet_rules_question *qs;
	const char **qkeys;        /* dedup keys of qs, borrowed from the executions */
	size_t nq, capq;
};

/* Frees the questions an execution waits on. */
void rules_pending_clear(rules_exec *ex);
/* ctx.c: pushes the ctx table of the current domain (rv_begin_domain done). */
void ctx_push(dnsvet_rules_runner *r);
/* The name at idx normalized into buf (lowercase, no trailing dot), or an argument error. */
const char *rules_arg_name(lua_State *L, int idx, char *buf, size_t len);
/* The RR type mnemonic at idx in upper case into buf, or an argument error when unknown. */
const char *rules_arg_type(lua_State *L, int idx, char *buf, size_t len);
/* session.c: adds an engine.rule_error finding to ex. */
void exec_fail(dnsvet_rules_runner *r, rules_exec *ex, const char *where, const char *why);
/* answers.c */
int rules_name_eq(const char *a, const char *b);
/* The answers entry for name and type, as dnsvet_rules_answers_entry finds it, through an
 * index of the domain's entries built on first use. */
dnsvet_node *rules_answers_find(dnsvet_rules_runner *r, const char *name, const char *type);
/* Drops the index and the results derived from the entries (helpers_forget): the run
 * ended, or an asker added to the tree. */
void rules_answers_forget(dnsvet_rules_runner *r);
/* Whether entry holds replies for q (see dnsvet_rules_asker). */
int rules_entry_satisfies(const dnsvet_node *entry, unsigned target, const char *const *servers,
                          size_t n_servers);
dnsvet_node *rules_zone_of(const dnsvet_node *obs, const char *name);

/* ---- loader (loader.c) ---- */
/* Runs a rule chunk in sb's state with the load budget; on success pushes its table. */
int loader_exec_rule(rules_sandbox *sb, const dnsvet_rule *meta, char *err, size_t errlen);

#endif
