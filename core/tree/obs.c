#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <ldns/ldns.h>
#include "tree/node_internal.h"
#include "tree/obs_internal.h"

/* The documented order of the top-level keys; others follow in insertion order. */
static const char *const section_order[] = {
	"schema", "domain", "started", "lab", "expect", "ses", "zones", "names",
	"resolvers", "answers", "stats", NULL
};

struct answer_slot {
	char *key;             /* "name TYPE", normalised; NULL = empty */
	uint32_t hash;
	dnsvet_node *entry;
};

struct dnsvet_obs {
	dnsvet_node *root;
	struct answer_slot *slots;
	size_t cap;            /* power of two or 0 */
	size_t used;
};

/* ---- answer index ---- */

static uint32_t hash_str(const char *k)
{
	uint32_t h = 2166136261u;

	for (; *k; k++) {
		h ^= (unsigned char)*k;
		h *= 16777619u;
	}
	return h;
}

/* "name TYPE": name lowercased without its trailing dot, type uppercased. */
static char *answer_key(const char *name, const char *type)
{
	size_t nl, tl, i;
	char *k;

	if (!name || !type)
		return NULL;
	nl = strlen(name);
	if (nl > 1 && name[nl - 1] == '.')
		nl--;
	tl = strlen(type);
	k = malloc(nl + tl + 2);
	if (!k)
		return NULL;
	for (i = 0; i < nl; i++)
		k[i] = (char)tolower((unsigned char)name[i]);
	k[nl] = ' ';
	for (i = 0; i < tl; i++)
		k[nl + 1 + i] = (char)toupper((unsigned char)type[i]);
	k[nl + 1 + tl] = '\0';
	return k;
}

static void index_clear(dnsvet_obs *obs)
{
	size_t i;

	for (i = 0; i < obs->cap; i++)
		free(obs->slots[i].key);
	free(obs->slots);
	obs->slots = NULL;
	obs->cap = 0;
	obs->used = 0;
}

static struct answer_slot *index_lookup(const dnsvet_obs *obs, const char *key, uint32_t hash)
{
	size_t mask, j;

	if (!obs->cap)
		return NULL;
	mask = obs->cap - 1;
	for (j = hash & mask; obs->slots[j].key; j = (j + 1) & mask)
		if (obs->slots[j].hash == hash && strcmp(obs->slots[j].key, key) == 0)
			return &obs->slots[j];
	return NULL;
}

static int index_grow(dnsvet_obs *obs)
{
	size_t ncap = obs->cap ? obs->cap * 2 : 64, i;
	struct answer_slot *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return 0;
	for (i = 0; i < obs->cap; i++) {
		size_t j;

		if (!obs->slots[i].key)
			continue;
		for (j = obs->slots[i].hash & (ncap - 1); ns[j].key; j = (j + 1) & (ncap - 1))
			;
		ns[j] = obs->slots[i];
	}
	free(obs->slots);
	obs->slots = ns;
	obs->cap = ncap;
	return 1;
}

/* Takes key. Returns the existing slot's entry when (name, type) is already indexed. */
static dnsvet_status index_insert(dnsvet_obs *obs, char *key, dnsvet_node *entry,
                                  dnsvet_node **existing)
{
	uint32_t hash = hash_str(key);
	struct answer_slot *s = index_lookup(obs, key, hash);
	size_t j;

	*existing = NULL;
	if (s) {
		*existing = s->entry;
		free(key);
		return DNSVET_ERR_STATE;
	}
	if ((obs->used + 1) * 2 > obs->cap && !index_grow(obs)) {
		free(key);
		return DNSVET_ERR_NOMEM;
	}
	for (j = hash & (obs->cap - 1); obs->slots[j].key; j = (j + 1) & (obs->cap - 1))
		;
	obs->slots[j].key = key;
	obs->slots[j].hash = hash;
	obs->slots[j].entry = entry;
	obs->used++;
	return DNSVET_OK;
}

dnsvet_status dnsvet_obs_reindex(dnsvet_obs *obs)
{
	dnsvet_node *answers;
	size_t i, n;

	if (!obs)
		return DNSVET_ERR_INVALID;
	index_clear(obs);
	answers = dnsvet_node_map_get(obs->root, "answers");
	n = dnsvet_node_size(answers);
	for (i = 0; i < n; i++) {
		dnsvet_node *e = dnsvet_node_list_at(answers, i), *dup;
		char *key = answer_key(dnsvet_node_path_string(e, "name"),
		                       dnsvet_node_path_string(e, "type"));
		dnsvet_status st;

		if (!dnsvet_node_string(dnsvet_node_map_get(e, "name")) ||
		    !dnsvet_node_string(dnsvet_node_map_get(e, "type"))) {
			free(key);
			return DNSVET_ERR_INVALID;
		}
		if (!key)
			return DNSVET_ERR_NOMEM;
		st = index_insert(obs, key, e, &dup);
		if (st != DNSVET_OK)
			return st;
	}
	return DNSVET_OK;
}

/* ---- life cycle ---- */

static char *normalise_name(const char *name)
{
	size_t n = strlen(name), i;
	char *r;

	if (n > 1 && name[n - 1] == '.')
		n--;
	r = malloc(n + 1);
	if (!r)
		return NULL;
	for (i = 0; i < n; i++)
		r[i] = (char)tolower((unsigned char)name[i]);
	r[n] = '\0';
	return r;
}

dnsvet_obs *dnsvet_obs_new(const char *domain)
{
	dnsvet_obs *obs;
	char *d;

	if (!domain || !*domain)
		return NULL;
	obs = calloc(1, sizeof(*obs));
	d = normalise_name(domain);
	if (!obs || !d)
		goto fail;
	obs->root = dnsvet_node_new_map();
	if (!obs->root ||
	    dnsvet_node_map_set_string(obs->root, "schema", DNSVET_OBS_SCHEMA) != DNSVET_OK ||
	    dnsvet_node_map_set_string(obs->root, "domain", d) != DNSVET_OK)
		goto fail;
	free(d);
	return obs;
fail:
	free(d);
	dnsvet_obs_free(obs);
	return NULL;
}

void dnsvet_obs_free(dnsvet_obs *obs)
{
	if (!obs)
		return;
	index_clear(obs);
	dnsvet_node_free(obs->root);
	free(obs);
}

/* ---- validation of a read set ---- */

static dnsvet_status bad(dnsvet_node_error *err, const char *name, const dnsvet_node *at,
                         const char *fmt, const char *a, const char *b)
{
	dnsvet_node_mark m = dnsvet_node_mark_of(at);
	char msg[300];

	snprintf(msg, sizeof(msg), fmt, a ? a : "", b ? b : "");
	return dnsvet_node_error_set(err, DNSVET_ERR_PARSE, name, m.line ? m.line : 1,
	                             m.line ? m.column : 1, "%s", msg);
}

static const char *type_name(dnsvet_node_type t)
{
	switch (t) {
	case DNSVET_NODE_NULL: return "null";
	case DNSVET_NODE_BOOL: return "a boolean";
	case DNSVET_NODE_INT: return "an integer";
	case DNSVET_NODE_DOUBLE: return "a number";
	case DNSVET_NODE_STRING: return "a string";
	case DNSVET_NODE_LIST: return "a list";
	case DNSVET_NODE_MAP: return "a map";
	}
	return "?";
}

static dnsvet_status want_type(dnsvet_node_error *err, const char *name, const dnsvet_node *map,
                               const char *key, dnsvet_node_type t, int required)
{
	const dnsvet_node *v = dnsvet_node_map_get(map, key);

	if (!v) {
		if (required)
			return bad(err, name, map, "missing required key '%s'%s", key, "");
		return DNSVET_OK;
	}
	if (dnsvet_node_type_of(v) != t)
		return bad(err, name, v, "'%s' must be %s", key, type_name(t));
	return DNSVET_OK;
}

static dnsvet_status validate(dnsvet_obs *obs, const char *name, dnsvet_node_error *err)
{
	static const struct {
		const char *key;
		dnsvet_node_type type;
		int required;
	} top[] = {
		{"schema", DNSVET_NODE_STRING, 1}, {"domain", DNSVET_NODE_STRING, 1},
		{"started", DNSVET_NODE_INT, 1}, {"lab", DNSVET_NODE_BOOL, 0},
		{"expect", DNSVET_NODE_MAP, 0}, {"ses", DNSVET_NODE_MAP, 0},
		{"zones", DNSVET_NODE_LIST, 0}, {"names", DNSVET_NODE_LIST, 0},
		{"resolvers", DNSVET_NODE_LIST, 0}, {"answers", DNSVET_NODE_LIST, 0},
		{"stats", DNSVET_NODE_MAP, 0},
	};
	const dnsvet_node *root = obs->root, *v;
	dnsvet_status st;
	size_t i, n;

	if (dnsvet_node_type_of(root) != DNSVET_NODE_MAP)
		return bad(err, name, root, "an observation set must be a map, not %s",
		           type_name(dnsvet_node_type_of(root)), NULL);
	v = dnsvet_node_map_get(root, "schema");
	if (!v)
		return bad(err, name, root, "missing required key 'schema' (expected schema: %s)",
		           DNSVET_OBS_SCHEMA, NULL);
	if (!dnsvet_node_string(v) || strcmp(dnsvet_node_string(v), DNSVET_OBS_SCHEMA) != 0)
		return bad(err, name, v, "unsupported schema '%s' (expected %s)",
		           dnsvet_node_string(v) ? dnsvet_node_string(v) : "?", DNSVET_OBS_SCHEMA);
	for (i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
		st = want_type(err, name, root, top[i].key, top[i].type, top[i].required);
		if (st != DNSVET_OK)
			return st;
	}
	v = dnsvet_node_map_get(root, "domain");
	if (!*dnsvet_node_string(v))
		return bad(err, name, v, "'domain' must not be empty%s%s", NULL, NULL);
	v = dnsvet_node_map_get(root, "zones");
	n = dnsvet_node_size(v);
	for (i = 0; i < n; i++) {
		const dnsvet_node *z = dnsvet_node_list_at(v, i);

		if (dnsvet_node_type_of(z) != DNSVET_NODE_MAP)
			return bad(err, name, z, "each zones entry must be a map%s%s", NULL, NULL);
		st = want_type(err, name, z, "name", DNSVET_NODE_STRING, 1);
		if (st != DNSVET_OK)
			return st;
	}
	v = dnsvet_node_map_get(root, "answers");
	n = dnsvet_node_size(v);
	for (i = 0; i < n; i++) {
		dnsvet_node *a = dnsvet_node_list_at(v, i), *dup;
		char *key;

		if (dnsvet_node_type_of(a) != DNSVET_NODE_MAP)
			return bad(err, name, a, "each answers entry must be a map%s%s", NULL, NULL);
		st = want_type(err, name, a, "name", DNSVET_NODE_STRING, 1);
		if (st == DNSVET_OK)
			st = want_type(err, name, a, "type", DNSVET_NODE_STRING, 1);
		if (st != DNSVET_OK)
			return st;
		key = answer_key(dnsvet_node_path_string(a, "name"), dnsvet_node_path_string(a, "type"));
		if (!key)
			return dnsvet_node_error_set(err, DNSVET_ERR_NOMEM, name, 0, 0, "out of memory");
		st = index_insert(obs, key, a, &dup);
		if (st == DNSVET_ERR_STATE) {
			char where[32];

			snprintf(where, sizeof(where), "%u", dnsvet_node_mark_of(dup).line);
			return bad(err, name, a, "second answers entry for %s (first at line %s)",
			           dnsvet_node_path_string(a, "name"), where);
		}
		if (st != DNSVET_OK)
			return dnsvet_node_error_set(err, st, name, 0, 0, "out of memory");
	}
	return DNSVET_OK;
}

/* ---- what a recording holds beyond its shape ---- */

/*
 * A recording is read back by rules and the report as if the probe had just written it,
 * and both skip what they cannot read: an RR that does not parse vanishes (a record looks
 * missing), an unknown rcode makes a reply look unanswered. So a recording is held to what
 * the probe writes, and what is not is an error at its place in the file.
 */

typedef struct rec_check {
	const char *name;          /* the file, for messages */
	dnsvet_node_error *err;
	char path[200];            /* "answers[3].auth[0]": where the walk is */
} rec_check;

static dnsvet_status rec_bad(rec_check *rc, const dnsvet_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static dnsvet_status rec_bad(rec_check *rc, const dnsvet_node *at, const char *fmt, ...)
{
	dnsvet_node_mark m = dnsvet_node_mark_of(at);
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return dnsvet_node_error_set(rc->err, DNSVET_ERR_PARSE, rc->name, m.line ? m.line : 1,
	                             m.line ? m.column : 1, "%s: %s", rc->path, msg);
}

/* Appends ".key" or "[i]" to the path; returns the old length to restore it with. */
static size_t path_push(rec_check *rc, const char *key, size_t i)
{
	size_t len = strlen(rc->path);

	if (key)
		snprintf(rc->path + len, sizeof(rc->path) - len, "%s%s", len ? "." : "", key);
	else
		snprintf(rc->path + len, sizeof(rc->path) - len, "[%zu]", i);
	return len;
}

/* What the probe writes: an rcode's mnemonic, or RCODEn for one ldns has no name for. */
static int rcode_known(const char *s)
{
	const char *p;

	for (const ldns_lookup_table *t = ldns_rcodes; t->name; t++)
		if (strcmp(t->name, s) == 0)
			return 1;
	if (strncmp(s, "RCODE", 5) != 0 || !s[5])
		return 0;
	for (p = s + 5; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return p - s <= 10;
}

static dnsvet_status check_rcode(rec_check *rc, const dnsvet_node *map, const char *key)
{
	const dnsvet_node *v = dnsvet_node_map_get(map, key);
	dnsvet_status st = DNSVET_OK;
	size_t len;

	if (!v)
		return DNSVET_OK;
	len = path_push(rc, key, 0);
	if (!dnsvet_node_string(v))
		st = rec_bad(rc, v, "must be a string, not %s", type_name(dnsvet_node_type_of(v)));
	else if (!rcode_known(dnsvet_node_string(v)))
		st = rec_bad(rc, v, "unknown rcode '%.60s' (NOERROR, NXDOMAIN, SERVFAIL, REFUSED ...)",
		             dnsvet_node_string(v));
	rc->path[len] = '\0';
	return st;
}

/* The text of an offending value for a message: short, one line. */
static const char *shown(const char *s, char *buf, size_t size)
{
	size_t n = strlen(s), keep = n < size ? n : size - 4;

	for (size_t i = 0; i < keep; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (keep < n) {
		memcpy(buf + keep, "...", 3);
		keep += 3;
	}
	buf[keep] = '\0';
	return buf;
}

/* One RR in presentation form, as ldns reads it (and as the report reads it back). */
static dnsvet_status check_rr(rec_check *rc, const dnsvet_node *v)
{
	const char *s = dnsvet_node_string(v);
	char text[96];
	ldns_rr *rr = NULL;
	ldns_status ls;
	const char *why;

	if (!s) {
		dnsvet_node_type t = dnsvet_node_type_of(v);

		if (t == DNSVET_NODE_INT)
			return rec_bad(rc, v, "not a resource record: '%lld' (an integer, not a string)",
			               (long long)dnsvet_node_int(v, 0));
		return rec_bad(rc, v, "not a resource record: %s, not a string", type_name(t));
	}
	ls = ldns_rr_new_frm_str(&rr, s, 0, NULL, NULL);
	ldns_rr_free(rr);
	if (ls == LDNS_STATUS_OK)
		return DNSVET_OK;
	why = ldns_get_errorstr_by_id(ls);
	if (why && strncmp(why, "Syntax error, ", 14) == 0)
		why += 14;
	return rec_bad(rc, v, "not a resource record: '%s' (%s)", shown(s, text, sizeof(text)),
	               why ? why : "ldns cannot read it");
}

/* map[key], when present: a list of what, each item checked by check_item. */
static dnsvet_status check_list(rec_check *rc, const dnsvet_node *map, const char *key,
                                const char *what,
                                dnsvet_status (*check_item)(rec_check *, const dnsvet_node *))
{
	const dnsvet_node *l = dnsvet_node_map_get(map, key);
	dnsvet_status st = DNSVET_OK;
	size_t len;

	if (!l)
		return DNSVET_OK;
	len = path_push(rc, key, 0);
	if (dnsvet_node_type_of(l) != DNSVET_NODE_LIST)
		st = rec_bad(rc, l, "must be a list of %s, not %s", what,
		             type_name(dnsvet_node_type_of(l)));
	for (size_t i = 0; st == DNSVET_OK && i < dnsvet_node_size(l); i++) {
		size_t at = path_push(rc, NULL, i);

		st = check_item(rc, dnsvet_node_list_at(l, i));
		rc->path[at] = '\0';
	}
	rc->path[len] = '\0';
	return st;
}

static dnsvet_status check_rr_list(rec_check *rc, const dnsvet_node *map, const char *key)
{
	return check_list(rc, map, key, "resource records", check_rr);
}

/* One server's or resolver's reply (and its CD=1 retry). */
static dnsvet_status check_reply(rec_check *rc, const dnsvet_node *r, int depth)
{
	static const char *const lists[] = {"answer", "authority", "additional", NULL};
	const dnsvet_node *cd;
	dnsvet_status st;

	if (dnsvet_node_type_of(r) != DNSVET_NODE_MAP)
		return rec_bad(rc, r, "a reply must be a map, not %s", type_name(dnsvet_node_type_of(r)));
	st = check_rcode(rc, r, "rcode");
	for (size_t i = 0; st == DNSVET_OK && lists[i]; i++)
		st = check_rr_list(rc, r, lists[i]);
	cd = dnsvet_node_map_get(r, "cd");
	if (st == DNSVET_OK && cd && depth == 0) {
		size_t len = path_push(rc, "cd", 0);

		st = check_reply(rc, cd, 1);
		rc->path[len] = '\0';
	}
	return st;
}

static dnsvet_status check_first_reply(rec_check *rc, const dnsvet_node *r)
{
	return check_reply(rc, r, 0);
}

static dnsvet_status check_answer(rec_check *rc, const dnsvet_node *a)
{
	static const char *const sides[] = {"auth", "resolvers", "servers", NULL};
	dnsvet_status st = check_rcode(rc, a, "chain_rcode");

	if (st == DNSVET_OK)
		st = check_rr_list(rc, a, "chain");
	for (size_t k = 0; st == DNSVET_OK && sides[k]; k++)
		st = check_list(rc, a, sides[k], "replies", check_first_reply);
	return st;
}

/* The RRs and rcodes of a set validate() has accepted. */
static dnsvet_status check_recording(const dnsvet_obs *obs, const char *name,
                                     dnsvet_node_error *err)
{
	const dnsvet_node *zones = dnsvet_node_map_get(obs->root, "zones");
	const dnsvet_node *answers = dnsvet_node_map_get(obs->root, "answers");
	rec_check rc = {name, err, ""};
	dnsvet_status st = DNSVET_OK;

	for (size_t i = 0; st == DNSVET_OK && i < dnsvet_node_size(zones); i++) {
		const dnsvet_node *z = dnsvet_node_list_at(zones, i), *soa;

		snprintf(rc.path, sizeof(rc.path), "zones[%zu]", i);
		st = check_rr_list(&rc, z, "glue");
		soa = dnsvet_node_map_get(z, "soa");
		if (st == DNSVET_OK && soa) {
			path_push(&rc, "soa", 0);
			st = check_rr(&rc, soa);
		}
	}
	for (size_t i = 0; st == DNSVET_OK && i < dnsvet_node_size(answers); i++) {
		snprintf(rc.path, sizeof(rc.path), "answers[%zu]", i);
		st = check_answer(&rc, dnsvet_node_list_at(answers, i));
	}
	return st;
}

static dnsvet_status recording_from_node(dnsvet_node *root, const char *name, dnsvet_obs **out,
                                         dnsvet_node_error *err)
{
	dnsvet_status st = dnsvet_obs_from_node(root, name, out, err);

	if (st == DNSVET_OK && (st = check_recording(*out, name, err)) != DNSVET_OK) {
		dnsvet_obs_free(*out);
		*out = NULL;
	}
	return st;
}

dnsvet_status dnsvet_obs_from_node(dnsvet_node *root, const char *name, dnsvet_obs **out,
                                   dnsvet_node_error *err)
{
	dnsvet_obs *obs;
	dnsvet_status st;

	if (err) {
		err->message[0] = '\0';
		err->line = err->column = 0;
	}
	if (!out) {
		dnsvet_node_free(root);
		return DNSVET_ERR_INVALID;
	}
	*out = NULL;
	obs = calloc(1, sizeof(*obs));
	if (!obs) {
		dnsvet_node_free(root);
		return dnsvet_node_error_set(err, DNSVET_ERR_NOMEM, name, 0, 0, "out of memory");
	}
	obs->root = root;
	st = validate(obs, name, err);
	if (st != DNSVET_OK) {
		dnsvet_obs_free(obs);
		return st;
	}
	*out = obs;
	return DNSVET_OK;
}

dnsvet_status dnsvet_obs_parse_yaml(const char *text, size_t len, const char *name,
                                    dnsvet_obs **out, dnsvet_node_error *err)
{
	dnsvet_node *root = NULL;
	dnsvet_status st;

	if (!out)
		return DNSVET_ERR_INVALID;
	*out = NULL;
	st = dnsvet_node_parse_yaml(text, len, name, &root, err);
	if (st != DNSVET_OK)
		return st;
	return recording_from_node(root, name, out, err);
}

dnsvet_status dnsvet_obs_load_yaml(const char *path, dnsvet_obs **out, dnsvet_node_error *err)
{
	dnsvet_node *root = NULL;
	dnsvet_status st;

	if (!out)
		return DNSVET_ERR_INVALID;
	*out = NULL;
	st = dnsvet_node_load_yaml_file(path, &root, err);
	if (st != DNSVET_OK)
		return st;
	return recording_from_node(root, path, out, err);
}

/* ---- writing ---- */

dnsvet_status dnsvet_obs_to_yaml(const dnsvet_obs *obs, char **out)
{
	if (!obs || !out)
		return DNSVET_ERR_INVALID;
	return dnsvet_node_to_yaml(obs->root, out);
}

dnsvet_status dnsvet_obs_to_json(const dnsvet_obs *obs, int pretty, char **out)
{
	if (!obs || !out)
		return DNSVET_ERR_INVALID;
	return dnsvet_node_to_json(obs->root, pretty, out);
}

dnsvet_status dnsvet_obs_save_yaml(const dnsvet_obs *obs, const char *path)
{
	char *text = NULL, *tmp;
	dnsvet_status st;
	size_t len;
	FILE *fp;
	int fd;

	if (!obs || !path)
		return DNSVET_ERR_INVALID;
	st = dnsvet_obs_to_yaml(obs, &text);
	if (st != DNSVET_OK)
		return st;
	len = strlen(path);
	tmp = malloc(len + 8);
	if (!tmp) {
		free(text);
		return DNSVET_ERR_NOMEM;
	}
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".XXXXXX", 8);
	fd = mkstemp(tmp);
	if (fd < 0) {
		free(tmp);
		free(text);
		return DNSVET_ERR_IO;
	}
	fp = fdopen(fd, "w");
	if (!fp) {
		close(fd);
		st = DNSVET_ERR_IO;
	} else {
		len = strlen(text);
		if (fwrite(text, 1, len, fp) != len)
			st = DNSVET_ERR_IO;
		if (fclose(fp) != 0)
			st = DNSVET_ERR_IO;
	}
	/* mkstemp makes the file 0600; a recording is an ordinary file */
	if (st == DNSVET_OK) {
		mode_t mask = umask(0);

		umask(mask);
		(void)chmod(tmp, 0666 & ~mask);
		if (rename(tmp, path) != 0)
			st = DNSVET_ERR_IO;
	}
	if (st != DNSVET_OK)
		unlink(tmp);
	free(tmp);
	free(text);
	return st;
}

/* ---- reading ---- */

const dnsvet_node *dnsvet_obs_root(const dnsvet_obs *obs)
{
	return obs ? obs->root : NULL;
}

const char *dnsvet_obs_domain(const dnsvet_obs *obs)
{
	return obs ? dnsvet_node_string(dnsvet_node_map_get(obs->root, "domain")) : NULL;
}

int64_t dnsvet_obs_started(const dnsvet_obs *obs)
{
	return obs ? dnsvet_node_int(dnsvet_node_map_get(obs->root, "started"), 0) : 0;
}

int dnsvet_obs_lab(const dnsvet_obs *obs)
{
	return obs ? dnsvet_node_bool(dnsvet_node_map_get(obs->root, "lab"), 0) : 0;
}

const dnsvet_node *dnsvet_obs_expect(const dnsvet_obs *obs)
{
	return obs ? dnsvet_node_map_get(obs->root, "expect") : NULL;
}

const dnsvet_node *dnsvet_obs_ses(const dnsvet_obs *obs)
{
	return obs ? dnsvet_node_map_get(obs->root, "ses") : NULL;
}

size_t dnsvet_obs_zone_count(const dnsvet_obs *obs)
{
	return obs ? dnsvet_node_size(dnsvet_node_map_get(obs->root, "zones")) : 0;
}

const dnsvet_node *dnsvet_obs_zone_at(const dnsvet_obs *obs, size_t i)
{
	return obs ? dnsvet_node_list_at(dnsvet_node_map_get(obs->root, "zones"), i) : NULL;
}

static int name_eq(const char *a, const char *b)
{
	size_t la, lb;

	if (!a || !b)
		return 0;
	la = strlen(a);
	lb = strlen(b);
	if (la > 1 && a[la - 1] == '.')
		la--;
	if (lb > 1 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

const dnsvet_node *dnsvet_obs_zone(const dnsvet_obs *obs, const char *name)
{
	size_t i, n = dnsvet_obs_zone_count(obs);

	for (i = 0; i < n; i++) {
		const dnsvet_node *z = dnsvet_obs_zone_at(obs, i);

		if (name_eq(dnsvet_node_path_string(z, "name"), name))
			return z;
	}
	return NULL;
}

size_t dnsvet_obs_resolver_count(const dnsvet_obs *obs)
{
	return obs ? dnsvet_node_size(dnsvet_node_map_get(obs->root, "resolvers")) : 0;
}

size_t dnsvet_obs_answer_count(const dnsvet_obs *obs)
{
	return obs ? dnsvet_node_size(dnsvet_node_map_get(obs->root, "answers")) : 0;
}

dnsvet_node *dnsvet_obs_find_answer_mut(dnsvet_obs *obs, const char *name, const char *type)
{
	return (dnsvet_node *)dnsvet_obs_find_answer(obs, name, type);
}

const dnsvet_node *dnsvet_obs_find_answer(const dnsvet_obs *obs, const char *name,
                                          const char *type)
{
	char stackbuf[320], *key = stackbuf;
	struct answer_slot *s;
	size_t nl, tl, i;

	if (!obs || !name || !type || !obs->cap)
		return NULL;
	nl = strlen(name);
	tl = strlen(type);
	if (nl + tl + 2 > sizeof(stackbuf)) {
		key = answer_key(name, type);
		if (!key)
			return NULL;
	} else {
		if (nl > 1 && name[nl - 1] == '.')
			nl--;
		for (i = 0; i < nl; i++)
			key[i] = (char)tolower((unsigned char)name[i]);
		key[nl] = ' ';
		for (i = 0; i < tl; i++)
			key[nl + 1 + i] = (char)toupper((unsigned char)type[i]);
		key[nl + 1 + tl] = '\0';
	}
	s = index_lookup(obs, key, hash_str(key));
	if (key != stackbuf)
		free(key);
	return s ? s->entry : NULL;
}

/* ---- building ---- */

dnsvet_node *dnsvet_obs_root_mut(dnsvet_obs *obs)
{
	return obs ? obs->root : NULL;
}

static int section_rank(const char *key)
{
	int i;

	for (i = 0; section_order[i]; i++)
		if (strcmp(section_order[i], key) == 0)
			return i;
	return i;
}

dnsvet_status dnsvet_obs_set(dnsvet_obs *obs, const char *key, dnsvet_node *value)
{
	dnsvet_status st;
	size_t pos, n;
	int rank;

	if (!value)
		return DNSVET_ERR_NOMEM;
	if (!obs || !key) {
		dnsvet_node_free(value);
		return DNSVET_ERR_INVALID;
	}
	if (dnsvet_node_map_get(obs->root, key)) {
		/* replacing keeps the place */
		st = dnsvet_node_map_set(obs->root, key, value);
	} else {
		rank = section_rank(key);
		n = dnsvet_node_size(obs->root);
		for (pos = 0; pos < n; pos++)
			if (section_rank(dnsvet_node_map_key_at(obs->root, pos)) > rank)
				break;
		st = dnsvet_node_map_insert(obs->root, pos, key, value);
	}
	if (st == DNSVET_OK && strcmp(key, "answers") == 0)
		st = dnsvet_obs_reindex(obs);
	return st;
}

dnsvet_status dnsvet_obs_set_int(dnsvet_obs *obs, const char *key, int64_t value)
{
	return dnsvet_obs_set(obs, key, dnsvet_node_new_int(value));
}

dnsvet_status dnsvet_obs_set_bool(dnsvet_obs *obs, const char *key, int value)
{
	return dnsvet_obs_set(obs, key, dnsvet_node_new_bool(value));
}

dnsvet_status dnsvet_obs_add_answer(dnsvet_obs *obs, dnsvet_node *entry, dnsvet_node **stored)
{
	dnsvet_node *answers, *existing;
	dnsvet_status st;
	char *key;
	size_t i, n;

	if (stored)
		*stored = NULL;
	if (!entry)
		return DNSVET_ERR_NOMEM;
	if (!obs || dnsvet_node_type_of(entry) != DNSVET_NODE_MAP ||
	    !dnsvet_node_string(dnsvet_node_map_get(entry, "name")) ||
	    !dnsvet_node_string(dnsvet_node_map_get(entry, "type"))) {
		dnsvet_node_free(entry);
		return DNSVET_ERR_INVALID;
	}
	answers = dnsvet_node_map_get(obs->root, "answers");
	if (!answers) {
		st = dnsvet_obs_set(obs, "answers", dnsvet_node_new_list());
		if (st != DNSVET_OK) {
			dnsvet_node_free(entry);
			return st;
		}
		answers = dnsvet_node_map_get(obs->root, "answers");
	}
	key = answer_key(dnsvet_node_path_string(entry, "name"), dnsvet_node_path_string(entry, "type"));
	if (!key) {
		dnsvet_node_free(entry);
		return DNSVET_ERR_NOMEM;
	}
	existing = (dnsvet_node *)dnsvet_obs_find_answer(obs, dnsvet_node_path_string(entry, "name"),
	                                                 dnsvet_node_path_string(entry, "type"));
	if (existing) {
		/* Replace in place: same list position, same index slot. */
		struct answer_slot *s = index_lookup(obs, key, hash_str(key));

		n = dnsvet_node_size(answers);
		for (i = 0; i < n; i++)
			if (dnsvet_node_list_at(answers, i) == existing)
				break;
		free(key);
		if (i == n || !s) {
			dnsvet_node_free(entry);
			return DNSVET_ERR_INTERNAL;
		}
		dnsvet_node_list_replace(answers, i, entry);
		s->entry = entry;
		if (stored)
			*stored = entry;
		return DNSVET_OK;
	}
	st = dnsvet_node_list_append(answers, entry);
	if (st != DNSVET_OK) {
		free(key);
		return st;
	}
	st = index_insert(obs, key, entry, &existing);
	if (st != DNSVET_OK)
		return st;
	if (stored)
		*stored = entry;
	return DNSVET_OK;
}
