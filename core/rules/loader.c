/*
 * The rule catalogue: finds rules/<area>/<name>.lua files, runs each once in a sandbox with
 * the load budget, checks the table it returns field by field, and keeps its metadata and
 * source text. Runners compile the source again in their own states.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dnsvet_config.h"
#include "rules/rules_int.h"

#define ORDER_MIN (-1000)
#define ORDER_MAX 1000
#define DEFAULT_ORDER 50

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *dnsvet_rules_default_dir(void)
{
	char exe[4096], prefix[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t plen;

	/* prefix = DNSVET_RULES_INSTALLED without its last three components (share/dnsvet/rules) */
	snprintf(prefix, sizeof(prefix), "%s", DNSVET_RULES_INSTALLED);
	for (int i = 0; i < 3; i++) {
		char *slash = strrchr(prefix, '/');

		if (slash)
			*slash = '\0';
	}
	plen = strlen(prefix);
	if (n > 0) {
		exe[n] = '\0';
		if (plen && strncmp(exe, prefix, plen) == 0 && exe[plen] == '/')
			return DNSVET_RULES_INSTALLED;
	}
	if (is_dir(DNSVET_RULES_SOURCE))
		return DNSVET_RULES_SOURCE;
	return DNSVET_RULES_INSTALLED;
}

void dnsvet_rules_opts_default(dnsvet_rules_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
}

void rules_rule_free(dnsvet_rule *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->title);
	free(r->summary);
	free(r->doc);
	free(r->fix);
	free(r->file);
	free(r->chunkname);
	free(r->source);
	strvec_free(&r->tags);
	strvec_free(&r->refs);
	free(r);
}

static int rule_cmp(const void *a, const void *b)
{
	const dnsvet_rule *x = *(dnsvet_rule *const *)a, *y = *(dnsvet_rule *const *)b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->id, y->id);
}

void rules_sort(dnsvet_rules *rules)
{
	if (rules->n > 1)
		qsort(rules->rules, rules->n, sizeof(*rules->rules), rule_cmp);
}

int loader_exec_rule(rules_sandbox *sb, const dnsvet_rule *meta, char *err, size_t errlen)
{
	lua_State *L = sb->L, *co;
	const dnsvet_rules_opts *o = &sb->rules->opts;
	int st, nres = 0;

	if (!lua_checkstack(L, 4)) {
		snprintf(err, errlen, "%s: out of memory", meta->file);
		return -1;
	}
	co = lua_newthread(L);
	sandbox_hook(co);
	if (luaL_loadbufferx(co, meta->source, meta->source_len, meta->chunkname, "t") != LUA_OK) {
		snprintf(err, errlen, "%s", sandbox_errmsg(co, -1));
		lua_pop(L, 1);
		return -1;
	}
	sandbox_new_env(co);
	lua_setupvalue(co, -2, 1);
	sandbox_limit(sb, o->load_budget ? o->load_budget : RULES_DEFAULT_LOAD_INSTRUCTIONS,
	              o->load_memory_cap ? o->load_memory_cap : RULES_DEFAULT_LOAD_MEMORY);
	sb->current_rule = meta->id;
	st = lua_resume(co, L, 0, &nres);
	sandbox_unlimit(sb);
	sb->current_rule = NULL;
	if (st == LUA_YIELD) {
		snprintf(err, errlen, "%s: the file yields while loading", meta->file);
	} else if (st != LUA_OK) {
		const char *why = sb->killed ? sb->killed :
		                  (st == LUA_ERRMEM && sb->mem_hit) ? "memory cap exceeded" : NULL;

		if (why)
			snprintf(err, errlen, "%s: %s while loading", meta->file, why);
		else
			snprintf(err, errlen, "%s", sandbox_errmsg(co, -1));
	} else if (nres != 1 || lua_type(co, -1) != LUA_TTABLE) {
		snprintf(err, errlen, "%s: the file must return one table (it returned %d value%s%s%s)",
		         meta->file, nres, nres == 1 ? ": a " : "s", nres == 1 ? luaL_typename(co, -1) : "",
		         "");
	} else {
		lua_xmove(co, L, 1);
		lua_remove(L, -2);
		return 0;
	}
	lua_pop(L, 1);
	return -1;
}

/* ---- field checks ---- */

typedef struct fieldck {
	const char *file;
	char *err;
	size_t errlen;
} fieldck;

static const char *const known_fields[] = {
	"id", "title", "severity", "tags", "summary", "fix", "references", "order", "doc",
	"probes", "check", NULL
};

static int get_string(lua_State *L, int t, const char *field, int required, char **out, fieldck *c)
{
	int ty = lua_getfield(L, t, field);

	if (ty == LUA_TNIL && !required) {
		lua_pop(L, 1);
		return 0;
	}
	if (ty != LUA_TSTRING) {
		snprintf(c->err, c->errlen, "%s: field '%s': %s", c->file, field,
		         ty == LUA_TNIL ? "missing (required)" : "expected a string");
		if (ty != LUA_TNIL)
			snprintf(c->err + strlen(c->err), c->errlen - strlen(c->err), ", got a %s",
			         luaL_typename(L, -1));
		lua_pop(L, 1);
		return -1;
	}
	if (required && lua_rawlen(L, -1) == 0) {
		snprintf(c->err, c->errlen, "%s: field '%s': must not be empty", c->file, field);
		lua_pop(L, 1);
		return -1;
	}
	*out = strdup(lua_tostring(L, -1));
	lua_pop(L, 1);
	if (!*out) {
		snprintf(c->err, c->errlen, "%s: out of memory", c->file);
		return -1;
	}
	return 0;
}

static int word_ok(const char *s, int allow_dash)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_' ||
		      (allow_dash && *s == '-')))
			return 0;
	return 1;
}

static int get_list(lua_State *L, int t, const char *field, strvec *out, int tags, fieldck *c)
{
	int ty = lua_getfield(L, t, field);
	lua_Integer n;
	size_t count = 0;

	if (ty == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	if (ty != LUA_TTABLE) {
		snprintf(c->err, c->errlen, "%s: field '%s': expected a list of strings, got a %s",
		         c->file, field, luaL_typename(L, -1));
		lua_pop(L, 1);
		return -1;
	}
	n = (lua_Integer)lua_rawlen(L, -1);
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		count++;
		lua_pop(L, 1);
	}
	if ((lua_Integer)count != n) {
		snprintf(c->err, c->errlen, "%s: field '%s': expected a list of strings, got a table "
		         "with other keys", c->file, field);
		lua_pop(L, 1);
		return -1;
	}
	for (lua_Integer i = 1; i <= n; i++) {
		if (lua_rawgeti(L, -1, i) != LUA_TSTRING) {
			snprintf(c->err, c->errlen, "%s: field '%s'[%lld]: expected a string, got a %s",
			         c->file, field, (long long)i, luaL_typename(L, -1));
			lua_pop(L, 2);
			return -1;
		}
		if (tags && !word_ok(lua_tostring(L, -1), 1)) {
			snprintf(c->err, c->errlen, "%s: field '%s'[%lld]: '%s' is not a tag (lowercase "
			         "letters, digits, '_' and '-')", c->file, field, (long long)i,
			         lua_tostring(L, -1));
			lua_pop(L, 2);
			return -1;
		}
		if (strvec_push(out, lua_tostring(L, -1))) {
			snprintf(c->err, c->errlen, "%s: out of memory", c->file);
			lua_pop(L, 2);
			return -1;
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 0;
}

/* A rule file's name: words joined by single dots ("missing", "dkim.incomplete"). */
static int name_ok(const char *s)
{
	char prev = '.';

	if (!*s)
		return 0;
	for (; *s; prev = *s, s++) {
		if (*s == '.') {
			if (prev == '.')
				return 0;
		} else if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_')) {
			return 0;
		}
	}
	return prev != '.';
}

/* Checks the rule table at the top of L and fills r; on failure err names file and field. */
static int check_table(lua_State *L, dnsvet_rule *r, const char *want_id, fieldck *c)
{
	int t = lua_gettop(L);
	char *id = NULL, *sev = NULL;
	int ty;

	lua_pushnil(L);
	while (lua_next(L, t)) {
		int known = 0;

		lua_pop(L, 1);
		if (lua_type(L, -1) == LUA_TSTRING)
			for (size_t i = 0; known_fields[i]; i++)
				known |= strcmp(lua_tostring(L, -1), known_fields[i]) == 0;
		if (!known) {
			if (lua_type(L, -1) == LUA_TSTRING)
				snprintf(c->err, c->errlen, "%s: unknown field '%s' (fields: id, title, "
				         "severity, tags, summary, fix, references, order, doc, probes, check)",
				         c->file, lua_tostring(L, -1));
			else
				snprintf(c->err, c->errlen, "%s: the rule table has a %s key; only named "
				         "fields are allowed", c->file, luaL_typename(L, -1));
			lua_pop(L, 1);
			return -1;
		}
	}
	if (get_string(L, t, "id", 1, &id, c))
		return -1;
	if (strcmp(id, want_id) != 0) {
		snprintf(c->err, c->errlen, "%s: field 'id': '%s' does not match the file's place "
		         "(rules/<area>/<name>.lua has id <area>.<name>: expected '%s')", c->file, id,
		         want_id);
		free(id);
		return -1;
	}
	free(id);
	if (get_string(L, t, "title", 1, &r->title, c) || get_string(L, t, "severity", 1, &sev, c))
		return -1;
	if (dnsvet_severity_parse(sev, &r->severity) != DNSVET_OK) {
		snprintf(c->err, c->errlen, "%s: field 'severity': expected one of error, warning, "
		         "notice, info, got '%s'", c->file, sev);
		free(sev);
		return -1;
	}
	free(sev);
	if (get_string(L, t, "summary", 0, &r->summary, c) || get_string(L, t, "fix", 0, &r->fix, c) ||
	    get_string(L, t, "doc", 0, &r->doc, c) || get_list(L, t, "tags", &r->tags, 1, c) ||
	    get_list(L, t, "references", &r->refs, 0, c))
		return -1;
	ty = lua_getfield(L, t, "order");
	if (ty == LUA_TNIL) {
		r->order = DEFAULT_ORDER;
	} else if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < ORDER_MIN ||
	           lua_tointeger(L, -1) > ORDER_MAX) {
		snprintf(c->err, c->errlen, "%s: field 'order': expected an integer from %d to %d",
		         c->file, ORDER_MIN, ORDER_MAX);
		lua_pop(L, 1);
		return -1;
	} else {
		r->order = (int)lua_tointeger(L, -1);
	}
	lua_pop(L, 1);
	ty = lua_getfield(L, t, "check");
	lua_pop(L, 1);
	if (ty != LUA_TFUNCTION) {
		snprintf(c->err, c->errlen, "%s: field 'check': %s", c->file,
		         ty == LUA_TNIL ? "missing (required): function(ctx) ... end" : "expected a function");
		return -1;
	}
	ty = lua_getfield(L, t, "probes");
	lua_pop(L, 1);
	if (ty != LUA_TNIL && ty != LUA_TFUNCTION) {
		snprintf(c->err, c->errlen, "%s: field 'probes': expected a function", c->file);
		return -1;
	}
	r->has_probes = ty == LUA_TFUNCTION;
	return 0;
}

char *rules_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(RULES_MAX_SOURCE + 1);
	if (!buf) {
		fclose(fp);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	n = fread(buf, 1, RULES_MAX_SOURCE + 1, fp);
	fclose(fp);
	if (n > RULES_MAX_SOURCE) {
		free(buf);
		snprintf(err, errlen, "%s: larger than %u bytes", path, RULES_MAX_SOURCE);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int add_rule(dnsvet_rules *rules, dnsvet_rule *r)
{
	for (size_t i = 0; i < rules->n; i++) {
		dnsvet_rule *old = rules->rules[i];

		if (strcmp(old->id, r->id) != 0)
			continue;
		if (strvec_pushf(&rules->notices, "%s rule %s replaces %s%s (%s)",
		                 r->builtin ? "built-in" : "user", r->file,
		                 old->builtin ? "built-in " : "", r->id, old->file))
			return -1;
		rules->rules[i] = r;
		rules_rule_free(old);
		return 0;
	}
	if (rules->n == rules->cap) {
		size_t cap = rules->cap ? rules->cap * 2 : 64;
		dnsvet_rule **v = realloc(rules->rules, cap * sizeof(*v));

		if (!v)
			return -1;
		rules->rules = v;
		rules->cap = cap;
	}
	rules->rules[rules->n++] = r;
	return 0;
}

/* Loads one file; a broken rule becomes a problem. -1 only when out of memory. */
static int load_file(dnsvet_rules *rules, rules_sandbox *sb, const char *dir, const char *area,
                     const char *file, int builtin)
{
	char err[1024];
	dnsvet_rule *r = calloc(1, sizeof(*r));
	size_t stem = strlen(file) - 4;
	int top = lua_gettop(sb->L);
	fieldck c = {NULL, err, sizeof(err)};

	if (!r)
		return -1;
	r->selected = 1;
	r->builtin = builtin;
	r->file = rules_asprintf("%s/%s/%s", dir, area, file);
	r->id = rules_asprintf("%s.%.*s", area, (int)stem, file);
	r->chunkname = builtin ? rules_asprintf("@rules/%s/%s", area, file)
	                       : rules_asprintf("@%s", r->file ? r->file : "");
	if (!r->file || !r->id || !r->chunkname) {
		rules_rule_free(r);
		return -1;
	}
	c.file = r->chunkname + 1;
	{
		char idpart[256];

		snprintf(idpart, sizeof(idpart), "%.*s", (int)stem, file);
		if (!word_ok(area, 0) || !name_ok(idpart)) {
			int rc = strvec_pushf(&rules->problems, "%s: a rule file is rules/<area>/<name>.lua "
			                      "with lowercase letters, digits and '_' in area and name (the "
			                      "name may have inner dots)", c.file);

			rules_rule_free(r);
			return rc;
		}
	}
	r->source = rules_read_file(r->file, &r->source_len, err, sizeof(err));
	if (!r->source || loader_exec_rule(sb, r, err, sizeof(err)) ||
	    check_table(sb->L, r, r->id, &c)) {
		lua_settop(sb->L, top);
		rules_rule_free(r);
		return strvec_push(&rules->problems, err);
	}
	lua_settop(sb->L, top);
	lua_gc(sb->L, LUA_GCSTEP, 0);
	return add_rule(rules, r);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in dir matching want_dir (directories) or the .lua suffix. */
static int list_dir(const char *dir, int want_dir, strvec *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[4096];
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (want_dir) {
			/* data/ holds dnsvet.data files, lib/ dnsvet.lib modules: no rules there */
			if (!is_dir(path) || strcmp(e->d_name, "data") == 0 || strcmp(e->d_name, "lib") == 0)
				continue;
		} else if (len < 5 || strcmp(e->d_name + len - 4, ".lua") != 0 || is_dir(path)) {
			continue;
		}
		if (strvec_push(out, e->d_name)) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), name_cmp);
	return 0;
}

static int scan_dir(dnsvet_rules *rules, rules_sandbox *sb, const char *dir, int builtin)
{
	strvec areas = {0};
	int rc = 0;

	if (list_dir(dir, 1, &areas)) {
		strvec_free(&areas);
		return strvec_pushf(&rules->problems, "%s: cannot read the directory", dir);
	}
	for (size_t i = 0; i < areas.n && !rc; i++) {
		char sub[4096];
		strvec files = {0};

		snprintf(sub, sizeof(sub), "%s/%s", dir, areas.v[i]);
		if (list_dir(sub, 0, &files))
			rc = strvec_pushf(&rules->problems, "%s: cannot read the directory", sub);
		for (size_t j = 0; j < files.n && !rc; j++)
			rc = load_file(rules, sb, dir, areas.v[i], files.v[j], builtin);
		strvec_free(&files);
	}
	strvec_free(&areas);
	return rc;
}

static char *trim_slash(const char *dir)
{
	char *s = strdup(dir);
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s);
	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

dnsvet_status dnsvet_rules_load(const dnsvet_rules_opts *opts, dnsvet_rules **out, char *errbuf,
                                size_t errlen)
{
	dnsvet_rules *rules;
	rules_sandbox sb;
	const char *builtin;
	char *bdir = NULL;
	dnsvet_status st = DNSVET_OK;
	char dummy[8];

	if (!errbuf) {
		errbuf = dummy;
		errlen = sizeof(dummy);
	}
	if (errlen)
		errbuf[0] = '\0';
	*out = NULL;
	rules = calloc(1, sizeof(*rules));
	if (!rules)
		return DNSVET_ERR_NOMEM;
	if (opts)
		rules->opts = *opts;
	rules->opts.user_dirs = NULL;
	rules->opts.n_user_dirs = 0;
	rules->opts.builtin_dir = NULL;
	builtin = opts && opts->builtin_dir ? opts->builtin_dir : dnsvet_rules_default_dir();
	if (builtin[0]) {
		bdir = trim_slash(builtin);
		if (!bdir)
			goto nomem;
	}
	for (size_t i = opts ? opts->n_user_dirs : 0; i > 0; i--) {
		char *d = trim_slash(opts->user_dirs[i - 1]);

		if (!d || !is_dir(d)) {
			if (d)
				snprintf(errbuf, errlen, "%s: no such rules directory", d);
			st = d ? DNSVET_ERR_NOT_FOUND : DNSVET_ERR_NOMEM;
			free(d);
			free(bdir);
			dnsvet_rules_free(rules);
			return st;
		}
		int rc = strvec_push(&rules->data_dirs, d);

		free(d);
		if (rc)
			goto nomem;
	}
	if (bdir && strvec_push(&rules->data_dirs, bdir))
		goto nomem;
	if (!sandbox_open(&sb, rules))
		goto nomem;
	if (bdir && is_dir(bdir) && scan_dir(rules, &sb, bdir, 1))
		st = DNSVET_ERR_NOMEM;
	for (size_t i = 0; !st && opts && i < opts->n_user_dirs; i++) {
		char *d = trim_slash(opts->user_dirs[i]);

		if (!d || (bdir && strcmp(d, bdir) == 0)) {
			/* the built-in directory named again: already loaded */
			st = d ? DNSVET_OK : DNSVET_ERR_NOMEM;
			free(d);
			continue;
		}
		if (scan_dir(rules, &sb, d, 0))
			st = DNSVET_ERR_NOMEM;
		free(d);
	}
	sandbox_close(&sb);
	free(bdir);
	if (st) {
		dnsvet_rules_free(rules);
		return st;
	}
	rules_sort(rules);
	*out = rules;
	return DNSVET_OK;
nomem:
	free(bdir);
	dnsvet_rules_free(rules);
	return DNSVET_ERR_NOMEM;
}

void dnsvet_rules_free(dnsvet_rules *rules)
{
	if (!rules)
		return;
	for (size_t i = 0; i < rules->n; i++)
		rules_rule_free(rules->rules[i]);
	free(rules->rules);
	strvec_free(&rules->data_dirs);
	strvec_free(&rules->problems);
	strvec_free(&rules->notices);
	free(rules);
}

size_t dnsvet_rules_problem_count(const dnsvet_rules *rules) { return rules ? rules->problems.n : 0; }
const char *dnsvet_rules_problem_at(const dnsvet_rules *rules, size_t i)
{
	return rules && i < rules->problems.n ? rules->problems.v[i] : NULL;
}
size_t dnsvet_rules_notice_count(const dnsvet_rules *rules) { return rules ? rules->notices.n : 0; }
const char *dnsvet_rules_notice_at(const dnsvet_rules *rules, size_t i)
{
	return rules && i < rules->notices.n ? rules->notices.v[i] : NULL;
}
size_t dnsvet_rules_count(const dnsvet_rules *rules) { return rules ? rules->n : 0; }
const dnsvet_rule *dnsvet_rules_at(const dnsvet_rules *rules, size_t i)
{
	return rules && i < rules->n ? rules->rules[i] : NULL;
}

const dnsvet_rule *dnsvet_rules_find(const dnsvet_rules *rules, const char *id)
{
	for (size_t i = 0; rules && id && i < rules->n; i++)
		if (strcmp(rules->rules[i]->id, id) == 0)
			return rules->rules[i];
	return NULL;
}

const char *dnsvet_rule_id(const dnsvet_rule *r) { return r->id; }
const char *dnsvet_rule_title(const dnsvet_rule *r) { return r->title; }
dnsvet_severity dnsvet_rule_severity(const dnsvet_rule *r) { return r->severity; }
const char *dnsvet_rule_summary(const dnsvet_rule *r) { return r->summary; }
const char *dnsvet_rule_doc(const dnsvet_rule *r) { return r->doc; }
const char *dnsvet_rule_fix(const dnsvet_rule *r) { return r->fix; }
const char *dnsvet_rule_file(const dnsvet_rule *r) { return r->file; }
int dnsvet_rule_order(const dnsvet_rule *r) { return r->order; }
int dnsvet_rule_is_builtin(const dnsvet_rule *r) { return r->builtin; }
int dnsvet_rule_is_selected(const dnsvet_rule *r) { return r->selected; }
int dnsvet_rule_has_probes(const dnsvet_rule *r) { return r->has_probes; }
size_t dnsvet_rule_tag_count(const dnsvet_rule *r) { return r->tags.n; }
const char *dnsvet_rule_tag_at(const dnsvet_rule *r, size_t i) { return i < r->tags.n ? r->tags.v[i] : NULL; }
size_t dnsvet_rule_reference_count(const dnsvet_rule *r) { return r->refs.n; }
const char *dnsvet_rule_reference_at(const dnsvet_rule *r, size_t i) { return i < r->refs.n ? r->refs.v[i] : NULL; }
