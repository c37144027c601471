/* Audit files: loading, validation with located errors, and applying an entry. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dnsvet/engine.h>
#include "cli/audit_file.h"
#include "expect/hostname.h"
#include "expect/regions.h"
#include "tree/node_internal.h"

#define MSG 700

struct audit_file {
	char *path;
	char *dir;                  /* for ses_identity paths; "" when the file is in "." */
	dnsvet_node *doc;
	const dnsvet_node *defaults;
	char *resolvers;
	audit_entry *entries;
	size_t n, cap;
	size_t invalid;
};

/* A problem waiting to be reported in line order. */
typedef struct problem {
	unsigned line;
	char *message;
} problem;

typedef struct problems {
	problem *v;
	size_t n, cap;
} problems;

static const char *const top_keys[] = {"defaults", "domains", NULL};
static const char *const default_keys[] = {"region", "resolvers", "dmarc", NULL};
static const char *const entry_keys[] = {
	"domain", "dkim_tokens", "byodkim_selector", "region", "signing_zone", "mail_from",
	"legacy_token", "dmarc", "ses_identity", "edited_ns", "expect", NULL
};
static const char *const record_keys[] = {"name", "type", "value", NULL};

/* "(did you mean 'x'?)" when one known key is close to the unknown one. */
static void suggest(const char *key, const char *const *known, char *buf, size_t len)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1;

	buf[0] = '\0';
	for (size_t i = 0; known[i]; i++) {
		size_t d = dnsvet_edit_distance(key, known[i]);

		if (d < bestd) {
			bestd = d;
			best = known[i];
		}
	}
	/* a plural dropped or a letter swapped is close; an unrelated word is not */
	if (best && bestd <= 2 + strlen(key) / 6 && bestd < strlen(key))
		snprintf(buf, len, " (did you mean '%s'?)", best);
}

static int is_known(const char *key, const char *const *known)
{
	for (size_t i = 0; known[i]; i++)
		if (strcmp(key, known[i]) == 0)
			return 1;
	return 0;
}

/* Writes "FILE:LINE:COL: " for node (or the fallback mark) into buf. */
static int where(char *buf, size_t len, const char *path, const dnsvet_node *node,
                 unsigned line, unsigned col)
{
	dnsvet_node_mark m = dnsvet_node_mark_of(node);

	if (node && m.line) {
		line = m.line;
		col = m.column;
	}
	return snprintf(buf, len, "%s:%u:%u: ", path, line, col);
}

static dnsvet_status entry_fail(const audit_file *af, const audit_entry *entry,
                                const dnsvet_node *at, char *errbuf, size_t errlen,
                                const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static dnsvet_status entry_fail(const audit_file *af, const audit_entry *entry,
                                const dnsvet_node *at, char *errbuf, size_t errlen,
                                const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!errbuf || !errlen)
		return DNSVET_ERR_INVALID;
	n = where(errbuf, errlen, af->path, at, entry->line, entry->column);
	if (n < 0 || (size_t)n >= errlen)
		return DNSVET_ERR_INVALID;
	/* a name too long to show whole is cut, so that the reason after it still fits */
	if (entry->domain && strlen(entry->domain) > 80)
		n += snprintf(errbuf + n, errlen - (size_t)n, "%.60s...: ", entry->domain);
	else if (entry->domain)
		n += snprintf(errbuf + n, errlen - (size_t)n, "%s: ", entry->domain);
	if ((size_t)n >= errlen)
		return DNSVET_ERR_INVALID;
	va_start(ap, fmt);
	vsnprintf(errbuf + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return DNSVET_ERR_INVALID;
}

static dnsvet_status file_fail(const char *path, const dnsvet_node *at, char *errbuf,
                               size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static dnsvet_status file_fail(const char *path, const dnsvet_node *at, char *errbuf,
                               size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!errbuf || !errlen)
		return DNSVET_ERR_INVALID;
	n = where(errbuf, errlen, path, at, 1, 1);
	if (n < 0 || (size_t)n >= errlen)
		return DNSVET_ERR_INVALID;
	va_start(ap, fmt);
	vsnprintf(errbuf + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return DNSVET_ERR_INVALID;
}

/* A string, or NULL with the entry's error set. The file is read keeping strings with a
 * NUL byte so that such a value costs its entry only, not the whole audit. */
static const char *want_string(const audit_file *af, const audit_entry *entry,
                               const dnsvet_node *v, const char *key, char *errbuf,
                               size_t errlen)
{
	if (dnsvet_node_type_of(v) != DNSVET_NODE_STRING)
		entry_fail(af, entry, v, errbuf, errlen, "%s: expected a string", key);
	else if (dnsvet_node_string_has_nul(v))
		entry_fail(af, entry, v, errbuf, errlen, "%s: " DNSVET_CONTROL_CHARACTER, key);
	else
		return dnsvet_node_string(v);
	return NULL;
}

/* An expectation setter's error, placed at the YAML node that caused it. */
static dnsvet_status expect_fail(const audit_file *af, const audit_entry *entry,
                                 const dnsvet_node *at, const dnsvet_expect_error *err,
                                 char *errbuf, size_t errlen)
{
	return entry_fail(af, entry, at, errbuf, errlen, "%s", err->message);
}

static dnsvet_status apply_list(const audit_file *af, const audit_entry *entry,
                                const dnsvet_node *v, const char *key, dnsvet_expect *e,
                                dnsvet_status (*add)(dnsvet_expect *, const char *,
                                                     dnsvet_expect_error *),
                                char *errbuf, size_t errlen)
{
	dnsvet_expect_error err;

	if (dnsvet_node_type_of(v) != DNSVET_NODE_LIST)
		return entry_fail(af, entry, v, errbuf, errlen, "%s: expected a list", key);
	for (size_t i = 0; i < dnsvet_node_size(v); i++) {
		const dnsvet_node *item = dnsvet_node_list_at(v, i);
		const char *s;
		char field[64];

		snprintf(field, sizeof(field), "%s[%zu]", key, i);
		if (!(s = want_string(af, entry, item, field, errbuf, errlen)))
			return DNSVET_ERR_INVALID;
		if (add(e, s, &err) != DNSVET_OK) {
			/* the setters name a single value; the list index is ours to add */
			if (strchr(err.field, '['))
				return expect_fail(af, entry, item, &err, errbuf, errlen);
			return entry_fail(af, entry, item, errbuf, errlen, "%s[%zu]: %s", key, i,
			                  err.message + (strncmp(err.message, err.field,
			                                         strlen(err.field)) == 0 && *err.field
			                                 ? strlen(err.field) + 2 : 0));
		}
	}
	return DNSVET_OK;
}

static dnsvet_status apply_records(const audit_file *af, const audit_entry *entry,
                                   const dnsvet_node *v, dnsvet_expect *e, char *errbuf,
                                   size_t errlen)
{
	dnsvet_expect_error err;
	char hint[80];

	if (dnsvet_node_type_of(v) != DNSVET_NODE_LIST)
		return entry_fail(af, entry, v, errbuf, errlen,
		                  "expect: expected a list of {name, type, value}");
	for (size_t i = 0; i < dnsvet_node_size(v); i++) {
		const dnsvet_node *r = dnsvet_node_list_at(v, i);
		const char *f[3];

		if (dnsvet_node_type_of(r) != DNSVET_NODE_MAP)
			return entry_fail(af, entry, r, errbuf, errlen,
			                  "expect[%zu]: expected a map {name, type, value}", i);
		for (size_t k = 0; k < dnsvet_node_size(r); k++) {
			const char *key = dnsvet_node_map_key_at(r, k);

			if (is_known(key, record_keys))
				continue;
			suggest(key, record_keys, hint, sizeof(hint));
			return entry_fail(af, entry, dnsvet_node_map_value_at(r, k), errbuf, errlen,
			                  "expect[%zu]: unknown key '%s'%s", i, key, hint);
		}
		for (size_t k = 0; k < 3; k++) {
			const dnsvet_node *fv = dnsvet_node_map_get(r, record_keys[k]);
			char field[64];

			if (!fv)
				return entry_fail(af, entry, r, errbuf, errlen, "expect[%zu]: '%s' is "
				                  "missing", i, record_keys[k]);
			snprintf(field, sizeof(field), "expect[%zu].%s", i, record_keys[k]);
			if (!(f[k] = want_string(af, entry, fv, field, errbuf, errlen)))
				return DNSVET_ERR_INVALID;
		}
		if (dnsvet_expect_add_record(e, f[0], f[1], f[2], &err) != DNSVET_OK) {
			/* the library names records[N].name, .type or .value: point at that key */
			const char *sub = strchr(err.field, '.'), *msg = err.message;
			size_t flen = strlen(err.field);

			if (flen && strncmp(msg, err.field, flen) == 0 && strncmp(msg + flen, ": ", 2) == 0)
				msg += flen + 2;
			return entry_fail(af, entry, sub ? dnsvet_node_map_get(r, sub + 1) : r, errbuf,
			                  errlen, "expect[%zu]%s: %s", i, sub ? sub : "", msg);
		}
	}
	return DNSVET_OK;
}

static dnsvet_status apply_identity(const audit_file *af, const audit_entry *entry,
                                    const dnsvet_node *v, dnsvet_expect *e, char *errbuf,
                                    size_t errlen)
{
	const char *rel = want_string(af, entry, v, "ses_identity", errbuf, errlen);
	dnsvet_expect_error err;
	char *path;
	dnsvet_status st;

	if (!rel)
		return DNSVET_ERR_INVALID;
	if (rel[0] == '/' || !af->dir[0]) {
		path = strdup(rel);
	} else {
		size_t n = strlen(af->dir) + strlen(rel) + 2;

		path = malloc(n);
		if (path)
			snprintf(path, n, "%s/%s", af->dir, rel);
	}
	if (!path)
		return DNSVET_ERR_NOMEM;
	st = dnsvet_expect_load_ses_json_file(e, path, &err);
	free(path);
	if (st == DNSVET_ERR_NOMEM)
		return st;
	if (st)
		return entry_fail(af, entry, v, errbuf, errlen, "ses_identity: %s", err.message);
	return DNSVET_OK;
}

/* A `dmarc:` value: true or false. */
static dnsvet_status apply_dmarc(const audit_file *af, const audit_entry *entry,
                                 const dnsvet_node *v, dnsvet_expect *e, char *errbuf,
                                 size_t errlen)
{
	if (dnsvet_node_type_of(v) != DNSVET_NODE_BOOL)
		return entry_fail(af, entry, v, errbuf, errlen, "dmarc: expected true or false");
	dnsvet_expect_set_dmarc(e, dnsvet_node_bool(v, 1));
	return DNSVET_OK;
}

typedef dnsvet_status (*string_setter)(dnsvet_expect *, const char *, dnsvet_expect_error *);

static dnsvet_status apply_string(const audit_file *af, const audit_entry *entry,
                                  const dnsvet_node *v, const char *key, string_setter set,
                                  dnsvet_expect *e, char *errbuf, size_t errlen)
{
	const char *s = want_string(af, entry, v, key, errbuf, errlen);
	dnsvet_expect_error err;
	dnsvet_status st;

	if (!s)
		return DNSVET_ERR_INVALID;
	st = set(e, s, &err);
	if (st == DNSVET_ERR_NOMEM)
		return st;
	return st ? expect_fail(af, entry, v, &err, errbuf, errlen) : DNSVET_OK;
}

dnsvet_status audit_entry_apply(const audit_file *af, const audit_entry *entry,
                                dnsvet_expect *e, char *errbuf, size_t errlen)
{
	const dnsvet_node *m = dnsvet_node_type_of(entry->spec) == DNSVET_NODE_MAP
	                       ? entry->spec : NULL;
	const dnsvet_node *v;
	dnsvet_status st;
	char hint[80];

	for (size_t k = 0; m && k < dnsvet_node_size(m); k++) {
		const char *key = dnsvet_node_map_key_at(m, k);

		if (is_known(key, entry_keys))
			continue;
		suggest(key, entry_keys, hint, sizeof(hint));
		return entry_fail(af, entry, dnsvet_node_map_value_at(m, k), errbuf, errlen,
		                  "unknown key '%s'%s", key, hint);
	}
	if ((v = dnsvet_node_map_get(m, "ses_identity"))) {
		const char *clash = dnsvet_node_map_get(m, "dkim_tokens") ? "dkim_tokens"
		                    : dnsvet_node_map_get(m, "byodkim_selector") ? "byodkim_selector"
		                    : NULL;

		if (clash)
			return entry_fail(af, entry, dnsvet_node_map_get(m, clash), errbuf, errlen,
			                  "%s: not with ses_identity, whose JSON names the DKIM setup",
			                  clash);
		if ((st = apply_identity(af, entry, v, e, errbuf, errlen)))
			return st;
	}
	/* After the identity, whose regional signing zone names its region: an entry's own
	 * region that differs is an error, and the default applies only where the identity
	 * names no region (dnsvet-audit(5): "when absent"). Before the explicit
	 * signing_zone, which is "not the region's" by definition. */
	v = dnsvet_node_map_get(m, "region");
	if (!v && !dnsvet_ses_region_of_zone(dnsvet_expect_signing_zone(e)))
		v = dnsvet_node_map_get(af->defaults, "region");
	if (v && (st = apply_string(af, entry, v, "region", dnsvet_expect_set_region, e,
	                            errbuf, errlen)))
		return st;
	if ((v = dnsvet_node_map_get(m, "dkim_tokens")) &&
	    (st = apply_list(af, entry, v, "dkim_tokens", e, dnsvet_expect_add_dkim_token,
	                     errbuf, errlen)))
		return st;
	if ((v = dnsvet_node_map_get(m, "byodkim_selector")) &&
	    (st = apply_string(af, entry, v, "byodkim_selector",
	                       dnsvet_expect_set_byodkim_selector, e, errbuf, errlen)))
		return st;
	if ((v = dnsvet_node_map_get(m, "signing_zone")) &&
	    (st = apply_string(af, entry, v, "signing_zone", dnsvet_expect_set_signing_zone, e,
	                       errbuf, errlen)))
		return st;
	if ((v = dnsvet_node_map_get(m, "mail_from")) &&
	    (st = apply_string(af, entry, v, "mail_from", dnsvet_expect_set_mail_from, e,
	                       errbuf, errlen)))
		return st;
	if ((v = dnsvet_node_map_get(m, "legacy_token")) &&
	    (st = apply_string(af, entry, v, "legacy_token", dnsvet_expect_set_legacy_token, e,
	                       errbuf, errlen)))
		return st;
	v = dnsvet_node_map_get(m, "dmarc");
	if (!v)
		v = dnsvet_node_map_get(af->defaults, "dmarc");
	if (v && (st = apply_dmarc(af, entry, v, e, errbuf, errlen)))
		return st;
	if ((v = dnsvet_node_map_get(m, "edited_ns")) &&
	    (st = apply_list(af, entry, v, "edited_ns", e, dnsvet_expect_add_edited_ns, errbuf,
	                     errlen)))
		return st;
	if ((v = dnsvet_node_map_get(m, "expect")) &&
	    (st = apply_records(af, entry, v, e, errbuf, errlen)))
		return st;
	return DNSVET_OK;
}

/* ---- loading ---- */

static dnsvet_status problem_add(problems *p, unsigned line, const char *msg)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		problem *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return DNSVET_ERR_NOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n].line = line;
	p->v[p->n].message = strdup(msg);
	if (!p->v[p->n].message)
		return DNSVET_ERR_NOMEM;
	p->n++;
	return DNSVET_OK;
}

static int problem_cmp(const void *a, const void *b)
{
	const problem *x = a, *y = b;

	return (x->line > y->line) - (x->line < y->line);
}

static dnsvet_status entry_add(audit_file *af, const audit_entry *e)
{
	if (af->n == af->cap) {
		size_t cap = af->cap ? af->cap * 2 : 64;
		audit_entry *v = realloc(af->entries, cap * sizeof(*v));

		if (!v)
			return DNSVET_ERR_NOMEM;
		af->entries = v;
		af->cap = cap;
	}
	af->entries[af->n++] = *e;
	return DNSVET_OK;
}

/* The reason a resolver list does not parse, or NULL: checked while the file's place is
 * known, as the session could only blame --resolvers. */
static const char *resolvers_error(const char *text, char *err, size_t len)
{
	dnsvet_addrlist *l = NULL;
	dnsvet_status st = dnsvet_resolvers_parse(text, "", 53, &l, err, len);

	dnsvet_addrlist_free(l);
	/* no origin: the error reads ":LINE: reason" */
	return st == DNSVET_OK ? NULL : strstr(err, ": ") ? strstr(err, ": ") + 2 : err;
}

/* defaults: validated once, as a wrong default would make every entry fail the same way. */
static dnsvet_status check_defaults(audit_file *af, char *errbuf, size_t errlen)
{
	const dnsvet_node *d = af->defaults, *v;
	dnsvet_expect *probe = NULL;
	dnsvet_expect_error err;
	char hint[80];
	dnsvet_status st;

	if (!d)
		return DNSVET_OK;
	if (dnsvet_node_type_of(d) != DNSVET_NODE_MAP)
		return file_fail(af->path, d, errbuf, errlen, "defaults: expected a map");
	for (size_t k = 0; k < dnsvet_node_size(d); k++) {
		const char *key = dnsvet_node_map_key_at(d, k);

		if (is_known(key, default_keys))
			continue;
		suggest(key, default_keys, hint, sizeof(hint));
		return file_fail(af->path, dnsvet_node_map_value_at(d, k), errbuf, errlen,
		                 "defaults: unknown key '%s'%s", key, hint);
	}
	if ((v = dnsvet_node_map_get(d, "dmarc")) && dnsvet_node_type_of(v) != DNSVET_NODE_BOOL)
		return file_fail(af->path, v, errbuf, errlen, "defaults.dmarc: expected true or false");
	if ((v = dnsvet_node_map_get(d, "region"))) {
		if (dnsvet_node_type_of(v) != DNSVET_NODE_STRING)
			return file_fail(af->path, v, errbuf, errlen, "defaults.region: expected a string");
		if (dnsvet_node_string_has_nul(v))
			return file_fail(af->path, v, errbuf, errlen,
			                 "defaults.region: " DNSVET_CONTROL_CHARACTER);
		st = dnsvet_expect_new("example.com", &probe, &err);
		if (st)
			return st;
		st = dnsvet_expect_set_region(probe, dnsvet_node_string(v), &err);
		dnsvet_expect_free(probe);
		if (st)
			return file_fail(af->path, v, errbuf, errlen, "defaults.%s", err.message);
	}
	if ((v = dnsvet_node_map_get(d, "resolvers"))) {
		size_t len = 1;
		const char *why;
		char err[512];

		if (dnsvet_node_string_has_nul(v))
			return file_fail(af->path, v, errbuf, errlen,
			                 "defaults.resolvers: " DNSVET_CONTROL_CHARACTER);
		if (dnsvet_node_type_of(v) == DNSVET_NODE_STRING) {
			if (strcmp(dnsvet_node_string(v), "none") != 0 &&
			    (why = resolvers_error(dnsvet_node_string(v), err, sizeof(err))))
				return file_fail(af->path, v, errbuf, errlen, "defaults.resolvers: %s", why);
			af->resolvers = strdup(dnsvet_node_string(v));
			return af->resolvers ? DNSVET_OK : DNSVET_ERR_NOMEM;
		}
		if (dnsvet_node_type_of(v) != DNSVET_NODE_LIST || !dnsvet_node_size(v))
			return file_fail(af->path, v, errbuf, errlen,
			                 "defaults.resolvers: expected a list of addresses");
		for (size_t i = 0; i < dnsvet_node_size(v); i++) {
			const dnsvet_node *a = dnsvet_node_list_at(v, i);

			if (dnsvet_node_type_of(a) != DNSVET_NODE_STRING)
				return file_fail(af->path, a, errbuf, errlen,
				                 "defaults.resolvers[%zu]: expected an address", i);
			if (dnsvet_node_string_has_nul(a))
				return file_fail(af->path, a, errbuf, errlen,
				                 "defaults.resolvers[%zu]: " DNSVET_CONTROL_CHARACTER, i);
			if ((why = resolvers_error(dnsvet_node_string(a), err, sizeof(err))))
				return file_fail(af->path, a, errbuf, errlen, "defaults.resolvers[%zu]: %s",
				                 i, why);
			len += strlen(dnsvet_node_string(a)) + 1;
		}
		af->resolvers = calloc(1, len);
		if (!af->resolvers)
			return DNSVET_ERR_NOMEM;
		for (size_t i = 0; i < dnsvet_node_size(v); i++) {
			if (i)
				strcat(af->resolvers, ",");
			strcat(af->resolvers, dnsvet_node_string(dnsvet_node_list_at(v, i)));
		}
	}
	return DNSVET_OK;
}

/* The domain an item names, or NULL (with the reason in errbuf). */
static const char *item_domain(const audit_file *af, const audit_entry *entry,
                               const dnsvet_node *item, char *errbuf, size_t errlen)
{
	const dnsvet_node *d;

	if (dnsvet_node_type_of(item) == DNSVET_NODE_STRING)
		return want_string(af, entry, item, "domain", errbuf, errlen);
	if (dnsvet_node_type_of(item) != DNSVET_NODE_MAP) {
		entry_fail(af, entry, item, errbuf, errlen,
		           "expected a domain name or a map with 'domain:'");
		return NULL;
	}
	d = dnsvet_node_map_get(item, "domain");
	if (!d) {
		char hint[80] = "";

		for (size_t k = 0; k < dnsvet_node_size(item); k++) {
			const char *key = dnsvet_node_map_key_at(item, k);

			if (!is_known(key, entry_keys)) {
				suggest(key, entry_keys, hint, sizeof(hint));
				if (hint[0]) {
					entry_fail(af, entry, dnsvet_node_map_value_at(item, k), errbuf,
					           errlen, "'domain' is missing; unknown key '%s'%s", key,
					           hint);
					return NULL;
				}
			}
		}
		entry_fail(af, entry, item, errbuf, errlen, "'domain' is missing");
		return NULL;
	}
	return want_string(af, entry, d, "domain", errbuf, errlen);
}

/* Normalised names of the accepted entries, to find an entry given twice. */
typedef struct seen {
	char *name;
	size_t entry;
} seen;

static int seen_cmp(const void *a, const void *b)
{
	const seen *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->entry > y->entry) - (x->entry < y->entry);
}

/* Drops the second and later entries of a domain (each would be checked and counted
 * twice) and reports them. */
static dnsvet_status drop_duplicates(audit_file *af, problems *probs)
{
	seen *s;
	char *drop, msg[MSG];
	size_t out = 0, n = af->n;
	dnsvet_status st = DNSVET_OK;

	if (n < 2)
		return DNSVET_OK;
	s = calloc(n, sizeof(*s));
	drop = calloc(n, 1);
	if (!s || !drop) {
		free(s);
		free(drop);
		return DNSVET_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		s[i].name = dnsvet_name_normal(af->entries[i].domain);
		s[i].entry = i;
		if (!s[i].name) {
			st = DNSVET_ERR_NOMEM;
			goto out;
		}
	}
	qsort(s, n, sizeof(*s), seen_cmp);
	for (size_t i = 1, run = 0; i < n; i++) {
		const audit_entry *first, *dup;

		if (strcmp(s[i].name, s[i - 1].name)) {
			run = i;
			continue;
		}
		first = &af->entries[s[run].entry];
		dup = &af->entries[s[i].entry];
		drop[s[i].entry] = 1;
		entry_fail(af, dup, NULL, msg, sizeof(msg), "listed again (first at line %u); "
		           "this entry is left out", first->line);
		if ((st = problem_add(probs, dup->line, msg)))
			goto out;
		af->invalid++;
	}
	for (size_t i = 0; i < n; i++)
		if (!drop[i])
			af->entries[out++] = af->entries[i];
	af->n = out;
out:
	for (size_t i = 0; i < n; i++)
		free(s[i].name);
	free(s);
	free(drop);
	return st;
}

static dnsvet_status load_entries(audit_file *af, const dnsvet_node *list,
                                  const audit_shard *shard, problems *probs)
{
	char msg[MSG];
	dnsvet_status st;

	for (size_t i = 0; i < dnsvet_node_size(list); i++) {
		const dnsvet_node *item = dnsvet_node_list_at(list, i);
		dnsvet_node_mark mk = dnsvet_node_mark_of(item);
		audit_entry entry = {NULL, item, mk.line, mk.column};
		dnsvet_expect *e = NULL;
		dnsvet_expect_error err;

		entry.domain = item_domain(af, &entry, item, msg, sizeof(msg));
		if (!entry.domain) {
			/* no name to hash: the first shard alone reports it */
			if (shard && shard->k != 1)
				continue;
			af->invalid++;
			if ((st = problem_add(probs, entry.line, msg)))
				return st;
			continue;
		}
		if (!audit_shard_takes(shard, entry.domain))
			continue;
		st = dnsvet_expect_new(entry.domain, &e, &err);
		if (st == DNSVET_OK)
			st = audit_entry_apply(af, &entry, e, msg, sizeof(msg));
		else if (st != DNSVET_ERR_NOMEM)
			entry_fail(af, &entry, dnsvet_node_map_get(item, "domain"), msg, sizeof(msg),
			           "%s", err.message);
		dnsvet_expect_free(e);
		if (st == DNSVET_ERR_NOMEM)
			return st;
		if (st) {
			af->invalid++;
			if ((st = problem_add(probs, entry.line, msg)))
				return st;
			continue;
		}
		if ((st = entry_add(af, &entry)))
			return st;
	}
	return drop_duplicates(af, probs);
}

static dnsvet_status load_doc(audit_file *af, const audit_shard *shard, problems *probs,
                              char *errbuf, size_t errlen)
{
	const dnsvet_node *root = af->doc, *domains;
	char hint[80];
	dnsvet_status st;

	if (dnsvet_node_type_of(root) != DNSVET_NODE_MAP)
		return file_fail(af->path, root, errbuf, errlen,
		                 "expected a map with 'domains:' (and optionally 'defaults:')");
	for (size_t k = 0; k < dnsvet_node_size(root); k++) {
		const char *key = dnsvet_node_map_key_at(root, k);

		if (is_known(key, top_keys))
			continue;
		suggest(key, top_keys, hint, sizeof(hint));
		return file_fail(af->path, dnsvet_node_map_value_at(root, k), errbuf, errlen,
		                 "unknown top-level key '%s'%s", key, hint);
	}
	af->defaults = dnsvet_node_map_get(root, "defaults");
	if ((st = check_defaults(af, errbuf, errlen)))
		return st;
	domains = dnsvet_node_map_get(root, "domains");
	if (!domains)
		return file_fail(af->path, root, errbuf, errlen, "no 'domains:' list");
	if (dnsvet_node_type_of(domains) != DNSVET_NODE_LIST)
		return file_fail(af->path, domains, errbuf, errlen,
		                 "domains: expected a list of domains");
	return load_entries(af, domains, shard, probs);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup("");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

dnsvet_status audit_file_load(const char *path, const audit_shard *shard,
                              audit_problem_cb problem, void *user,
                              audit_file **out, char *errbuf, size_t errlen)
{
	audit_file *af;
	dnsvet_node_error nerr;
	problems probs = {NULL, 0, 0};
	dnsvet_status st;

	*out = NULL;
	af = calloc(1, sizeof(*af));
	if (!af)
		return DNSVET_ERR_NOMEM;
	af->path = strdup(path);
	af->dir = dir_of(path);
	if (!af->path || !af->dir) {
		audit_file_free(af);
		return DNSVET_ERR_NOMEM;
	}
	st = dnsvet_node_load_yaml_file_flags(path, &af->doc, &nerr, DNSVET_PARSE_KEEP_NUL);
	if (st) {
		snprintf(errbuf, errlen, "%s", nerr.message);
		audit_file_free(af);
		return st;
	}
	st = load_doc(af, shard, &probs, errbuf, errlen);
	if (st == DNSVET_ERR_NOMEM)
		snprintf(errbuf, errlen, "%s: out of memory", path);
	if (probs.n)
		qsort(probs.v, probs.n, sizeof(*probs.v), problem_cmp);
	for (size_t i = 0; i < probs.n; i++) {
		if (st == DNSVET_OK && problem)
			problem(user, probs.v[i].message);
		free(probs.v[i].message);
	}
	free(probs.v);
	if (st) {
		audit_file_free(af);
		return st;
	}
	*out = af;
	return DNSVET_OK;
}

void audit_file_free(audit_file *af)
{
	if (!af)
		return;
	dnsvet_node_free(af->doc);
	free(af->entries);
	free(af->resolvers);
	free(af->path);
	free(af->dir);
	free(af);
}

size_t audit_file_count(const audit_file *af)
{
	return af->n;
}

const audit_entry *audit_file_entry(const audit_file *af, size_t i)
{
	return i < af->n ? &af->entries[i] : NULL;
}

size_t audit_file_invalid(const audit_file *af)
{
	return af->invalid;
}

const char *audit_file_resolvers(const audit_file *af)
{
	return af->resolvers;
}
