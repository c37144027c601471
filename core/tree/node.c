#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "tree/node_internal.h"

/* Maps above this size keep an open-addressing hash index of their keys, so parsing and
 * building large maps stays linear. */
#define MAP_INDEX_MIN 9

struct map_entry {
	char *key;
	uint32_t hash;
	uint8_t key_static;        /* key is common_key()'s, not the entry's own copy */
	dnsvet_node *val;
};

struct dnsvet_node {
	dnsvet_node_type type;
	dnsvet_node_mark mark;
	union {
		int b;
		int64_t i;
		double d;
		struct {
			char *ptr;
			size_t len;
		} s;
		struct {
			dnsvet_node **items;
			size_t n, cap;
		} l;
		struct {
			struct map_entry *e;
			size_t n, cap;
			uint32_t *idx;     /* entry position + 1; 0 = empty slot */
			size_t idx_cap;    /* power of two, or 0 when there is no index */
		} m;
	} u;
};

/*
 * Keys the observation, expectation and report trees repeat in every map. An entry with one
 * of them points at this static copy instead of a copy of its own: one allocation less per
 * entry, and Lua's string cache, which goes by address, finds the key at once when a rule's
 * view of the map is built.
 */
static const char *common_key(const char *k, size_t len)
{
	static const char *const by_len[][11] = {
		{NULL},
		{NULL},
		{"aa", "ad", "cd", NULL},
		{"fix", "soa", "ttl", NULL},
		{"addr", "auth", "data", "glue", "name", "note", "role", "rule", "type", "zone", NULL},
		{"chain", "error", "label", "mname", "names", "rcode", "state", "title", "value", "zones", NULL},
		{"answer", "domain", "expect", "parent", "reason", "rtt_ms", "serial", "server", "source", "status", NULL},
		{"answers", "expires", "message", "records", "servers", "subject", NULL},
		{"evidence", "required", "severity", NULL},
		{"authority", "resolvers", NULL},
		{"additional", "comparable", NULL},
		{"chain_rcode", NULL},
	};

	if (len >= sizeof(by_len) / sizeof(by_len[0]))
		return NULL;
	for (const char *const *c = by_len[len]; *c; c++)
		if ((*c)[0] == k[0] && memcmp(*c, k, len) == 0)
			return *c;
	return NULL;
}


static void entry_key_free(struct map_entry *e)
{
	if (!e->key_static)
		free(e->key);
}

static uint32_t hash_key(const char *k)
{
	uint32_t h = 2166136261u;

	for (; *k; k++) {
		h ^= (unsigned char)*k;
		h *= 16777619u;
	}
	return h;
}

static dnsvet_node *node_alloc(dnsvet_node_type t)
{
	dnsvet_node *n = calloc(1, sizeof(*n));

	if (n)
		n->type = t;
	return n;
}

dnsvet_node *dnsvet_node_new_null(void)
{
	return node_alloc(DNSVET_NODE_NULL);
}

dnsvet_node *dnsvet_node_new_bool(int value)
{
	dnsvet_node *n = node_alloc(DNSVET_NODE_BOOL);

	if (n)
		n->u.b = value ? 1 : 0;
	return n;
}

dnsvet_node *dnsvet_node_new_int(int64_t value)
{
	dnsvet_node *n = node_alloc(DNSVET_NODE_INT);

	if (n)
		n->u.i = value;
	return n;
}

dnsvet_node *dnsvet_node_new_double(double value)
{
	dnsvet_node *n = node_alloc(DNSVET_NODE_DOUBLE);

	if (n)
		n->u.d = value;
	return n;
}

dnsvet_node *dnsvet_node_new_stringn(const char *value, size_t len)
{
	dnsvet_node *n;

	if (!value && len)
		return NULL;
	n = node_alloc(DNSVET_NODE_STRING);
	if (!n)
		return NULL;
	n->u.s.ptr = malloc(len + 1);
	if (!n->u.s.ptr) {
		free(n);
		return NULL;
	}
	if (len)
		memcpy(n->u.s.ptr, value, len);
	n->u.s.ptr[len] = '\0';
	n->u.s.len = len;
	return n;
}

dnsvet_node *dnsvet_node_new_string(const char *value)
{
	return dnsvet_node_new_stringn(value ? value : "", value ? strlen(value) : 0);
}

dnsvet_node *dnsvet_node_new_list(void)
{
	return node_alloc(DNSVET_NODE_LIST);
}

dnsvet_node *dnsvet_node_new_map(void)
{
	return node_alloc(DNSVET_NODE_MAP);
}

void dnsvet_node_free(dnsvet_node *node)
{
	size_t i;

	if (!node)
		return;
	switch (node->type) {
	case DNSVET_NODE_STRING:
		free(node->u.s.ptr);
		break;
	case DNSVET_NODE_LIST:
		for (i = 0; i < node->u.l.n; i++)
			dnsvet_node_free(node->u.l.items[i]);
		free(node->u.l.items);
		break;
	case DNSVET_NODE_MAP:
		for (i = 0; i < node->u.m.n; i++) {
			entry_key_free(&node->u.m.e[i]);
			dnsvet_node_free(node->u.m.e[i].val);
		}
		free(node->u.m.e);
		free(node->u.m.idx);
		break;
	default:
		break;
	}
	free(node);
}

void dnsvet_node_set_mark(dnsvet_node *node, unsigned line, unsigned column)
{
	if (node) {
		node->mark.line = line;
		node->mark.column = column;
	}
}

/* ---- map index ---- */

static void index_put(uint32_t *idx, size_t cap, uint32_t hash, size_t pos)
{
	size_t mask = cap - 1, j = hash & mask;

	while (idx[j])
		j = (j + 1) & mask;
	idx[j] = (uint32_t)(pos + 1);
}

static int index_rebuild(dnsvet_node *map, size_t want)
{
	size_t cap = 16, i;
	uint32_t *idx;

	while (cap < want * 2)
		cap *= 2;
	idx = calloc(cap, sizeof(*idx));
	if (!idx)
		return 0;
	for (i = 0; i < map->u.m.n; i++)
		index_put(idx, cap, map->u.m.e[i].hash, i);
	free(map->u.m.idx);
	map->u.m.idx = idx;
	map->u.m.idx_cap = cap;
	return 1;
}

/* Position of key in map, or -1. */
static long map_find(const dnsvet_node *map, const char *key, uint32_t hash)
{
	size_t i;

	if (map->u.m.idx_cap) {
		size_t mask = map->u.m.idx_cap - 1, j = hash & mask;
		uint32_t p;

		while ((p = map->u.m.idx[j]) != 0) {
			const struct map_entry *e = &map->u.m.e[p - 1];

			if (e->hash == hash && strcmp(e->key, key) == 0)
				return (long)(p - 1);
			j = (j + 1) & mask;
		}
		return -1;
	}
	for (i = 0; i < map->u.m.n; i++)
		if (map->u.m.e[i].hash == hash && strcmp(map->u.m.e[i].key, key) == 0)
			return (long)i;
	return -1;
}

dnsvet_status dnsvet_node_map_append(dnsvet_node *map, const char *key, size_t keylen,
                                     dnsvet_node *child)
{
	struct map_entry *e;
	char *k;

	if (!map || map->type != DNSVET_NODE_MAP || !key || !child) {
		dnsvet_node_free(child);
		return child ? DNSVET_ERR_INVALID : DNSVET_ERR_NOMEM;
	}
	if (map->u.m.n >= UINT32_MAX - 1) {
		dnsvet_node_free(child);
		return DNSVET_ERR_LIMIT;
	}
	if (map->u.m.n == map->u.m.cap) {
		size_t ncap = map->u.m.cap ? map->u.m.cap * 2 : 4;

		e = realloc(map->u.m.e, ncap * sizeof(*e));
		if (!e) {
			dnsvet_node_free(child);
			return DNSVET_ERR_NOMEM;
		}
		map->u.m.e = e;
		map->u.m.cap = ncap;
	}
	k = (char *)common_key(key, keylen);
	e = &map->u.m.e[map->u.m.n];
	e->key_static = k != NULL;
	if (!k) {
		k = malloc(keylen + 1);
		if (!k) {
			dnsvet_node_free(child);
			return DNSVET_ERR_NOMEM;
		}
		memcpy(k, key, keylen);
		k[keylen] = '\0';
	}
	e->key = k;
	e->hash = hash_key(k);
	e->val = child;
	map->u.m.n++;
	if (map->u.m.n >= MAP_INDEX_MIN) {
		if (map->u.m.idx_cap && map->u.m.n * 2 <= map->u.m.idx_cap) {
			index_put(map->u.m.idx, map->u.m.idx_cap, e->hash, map->u.m.n - 1);
		} else if (!index_rebuild(map, map->u.m.n)) {
			/* Without an index lookups would silently miss: undo. */
			map->u.m.n--;
			entry_key_free(e);
			dnsvet_node_free(child);
			return DNSVET_ERR_NOMEM;
		}
	}
	return DNSVET_OK;
}

/* ---- containers ---- */

dnsvet_status dnsvet_node_list_append(dnsvet_node *list, dnsvet_node *child)
{
	if (!child)
		return DNSVET_ERR_NOMEM;
	if (!list || list->type != DNSVET_NODE_LIST || child == list) {
		dnsvet_node_free(child);
		return DNSVET_ERR_INVALID;
	}
	if (list->u.l.n == list->u.l.cap) {
		size_t ncap = list->u.l.cap ? list->u.l.cap * 2 : 4;
		dnsvet_node **p = realloc(list->u.l.items, ncap * sizeof(*p));

		if (!p) {
			dnsvet_node_free(child);
			return DNSVET_ERR_NOMEM;
		}
		list->u.l.items = p;
		list->u.l.cap = ncap;
	}
	list->u.l.items[list->u.l.n++] = child;
	return DNSVET_OK;
}

dnsvet_status dnsvet_node_map_set(dnsvet_node *map, const char *key, dnsvet_node *child)
{
	long pos;

	if (!child)
		return DNSVET_ERR_NOMEM;
	if (!map || map->type != DNSVET_NODE_MAP || !key || child == map) {
		dnsvet_node_free(child);
		return DNSVET_ERR_INVALID;
	}
	pos = map_find(map, key, hash_key(key));
	if (pos >= 0) {
		struct map_entry *e = &map->u.m.e[pos];

		if (e->val != child)
			dnsvet_node_free(e->val);
		e->val = child;
		return DNSVET_OK;
	}
	return dnsvet_node_map_append(map, key, strlen(key), child);
}

dnsvet_status dnsvet_node_map_set_string(dnsvet_node *map, const char *key, const char *value)
{
	if (!value)
		return DNSVET_ERR_INVALID;
	return dnsvet_node_map_set(map, key, dnsvet_node_new_string(value));
}

dnsvet_status dnsvet_node_map_set_int(dnsvet_node *map, const char *key, int64_t value)
{
	return dnsvet_node_map_set(map, key, dnsvet_node_new_int(value));
}

dnsvet_status dnsvet_node_map_set_bool(dnsvet_node *map, const char *key, int value)
{
	return dnsvet_node_map_set(map, key, dnsvet_node_new_bool(value));
}

dnsvet_status dnsvet_node_map_set_double(dnsvet_node *map, const char *key, double value)
{
	return dnsvet_node_map_set(map, key, dnsvet_node_new_double(value));
}

dnsvet_status dnsvet_node_list_append_string(dnsvet_node *list, const char *value)
{
	if (!value)
		return DNSVET_ERR_INVALID;
	return dnsvet_node_list_append(list, dnsvet_node_new_string(value));
}

dnsvet_status dnsvet_node_map_remove(dnsvet_node *map, const char *key)
{
	dnsvet_node *v;

	if (!map || map->type != DNSVET_NODE_MAP || !key)
		return DNSVET_ERR_INVALID;
	v = dnsvet_node_map_take(map, key);
	if (!v)
		return DNSVET_ERR_NOT_FOUND;
	dnsvet_node_free(v);
	return DNSVET_OK;
}

dnsvet_node *dnsvet_node_map_take(dnsvet_node *map, const char *key)
{
	dnsvet_node *v;
	long pos;

	if (!map || map->type != DNSVET_NODE_MAP || !key)
		return NULL;
	pos = map_find(map, key, hash_key(key));
	if (pos < 0)
		return NULL;
	v = map->u.m.e[pos].val;
	entry_key_free(&map->u.m.e[pos]);
	memmove(&map->u.m.e[pos], &map->u.m.e[pos + 1],
	        (map->u.m.n - (size_t)pos - 1) * sizeof(struct map_entry));
	map->u.m.n--;
	if (map->u.m.idx_cap) {
		/* Positions shifted: rebuild in place (same capacity, no allocation). */
		memset(map->u.m.idx, 0, map->u.m.idx_cap * sizeof(uint32_t));
		for (size_t i = 0; i < map->u.m.n; i++)
			index_put(map->u.m.idx, map->u.m.idx_cap, map->u.m.e[i].hash, i);
	}
	return v;
}

dnsvet_status dnsvet_node_map_insert(dnsvet_node *map, size_t pos, const char *key,
                                     dnsvet_node *child)
{
	struct map_entry e;
	dnsvet_status st;
	size_t n;

	if (!map || map->type != DNSVET_NODE_MAP || !key || pos > map->u.m.n) {
		dnsvet_node_free(child);
		return child ? DNSVET_ERR_INVALID : DNSVET_ERR_NOMEM;
	}
	st = dnsvet_node_map_append(map, key, strlen(key), child);
	if (st != DNSVET_OK)
		return st;
	n = map->u.m.n;
	if (pos == n - 1)
		return DNSVET_OK;
	e = map->u.m.e[n - 1];
	memmove(&map->u.m.e[pos + 1], &map->u.m.e[pos], (n - 1 - pos) * sizeof(e));
	map->u.m.e[pos] = e;
	if (map->u.m.idx_cap) {
		memset(map->u.m.idx, 0, map->u.m.idx_cap * sizeof(uint32_t));
		for (size_t i = 0; i < n; i++)
			index_put(map->u.m.idx, map->u.m.idx_cap, map->u.m.e[i].hash, i);
	}
	return DNSVET_OK;
}

dnsvet_status dnsvet_node_list_replace(dnsvet_node *list, size_t i, dnsvet_node *child)
{
	if (!child)
		return DNSVET_ERR_NOMEM;
	if (!list || list->type != DNSVET_NODE_LIST || i >= list->u.l.n) {
		dnsvet_node_free(child);
		return DNSVET_ERR_INVALID;
	}
	if (list->u.l.items[i] != child)
		dnsvet_node_free(list->u.l.items[i]);
	list->u.l.items[i] = child;
	return DNSVET_OK;
}

/* ---- accessors ---- */

dnsvet_node_type dnsvet_node_type_of(const dnsvet_node *node)
{
	return node ? node->type : DNSVET_NODE_NULL;
}

int dnsvet_node_bool(const dnsvet_node *node, int fallback)
{
	return node && node->type == DNSVET_NODE_BOOL ? node->u.b : fallback;
}

int64_t dnsvet_node_int(const dnsvet_node *node, int64_t fallback)
{
	return node && node->type == DNSVET_NODE_INT ? node->u.i : fallback;
}

double dnsvet_node_double(const dnsvet_node *node, double fallback)
{
	if (node && node->type == DNSVET_NODE_DOUBLE)
		return node->u.d;
	if (node && node->type == DNSVET_NODE_INT)
		return (double)node->u.i;
	return fallback;
}

const char *dnsvet_node_string(const dnsvet_node *node)
{
	return node && node->type == DNSVET_NODE_STRING ? node->u.s.ptr : NULL;
}

size_t dnsvet_node_string_len(const dnsvet_node *node)
{
	return node && node->type == DNSVET_NODE_STRING ? node->u.s.len : 0;
}

int dnsvet_node_string_has_nul(const dnsvet_node *node)
{
	return node && node->type == DNSVET_NODE_STRING &&
	       memchr(node->u.s.ptr, '\0', node->u.s.len) != NULL;
}

size_t dnsvet_node_size(const dnsvet_node *node)
{
	if (!node)
		return 0;
	if (node->type == DNSVET_NODE_LIST)
		return node->u.l.n;
	if (node->type == DNSVET_NODE_MAP)
		return node->u.m.n;
	return 0;
}

dnsvet_node *dnsvet_node_list_at(const dnsvet_node *list, size_t i)
{
	if (!list || list->type != DNSVET_NODE_LIST || i >= list->u.l.n)
		return NULL;
	return list->u.l.items[i];
}

dnsvet_node *dnsvet_node_map_get(const dnsvet_node *map, const char *key)
{
	long pos;

	if (!map || map->type != DNSVET_NODE_MAP || !key)
		return NULL;
	if (!map->u.m.idx_cap) {
		/* a small map: comparing its few keys costs less than hashing the one asked for,
		 * and a common key is often the very same pointer (common_key) */
		for (size_t i = 0; i < map->u.m.n; i++) {
			const char *k = map->u.m.e[i].key;

			if (k == key || (k[0] == key[0] && strcmp(k, key) == 0))
				return map->u.m.e[i].val;
		}
		return NULL;
	}
	pos = map_find(map, key, hash_key(key));
	return pos < 0 ? NULL : map->u.m.e[pos].val;
}

const char *dnsvet_node_map_key_at(const dnsvet_node *map, size_t i)
{
	if (!map || map->type != DNSVET_NODE_MAP || i >= map->u.m.n)
		return NULL;
	return map->u.m.e[i].key;
}

dnsvet_node *dnsvet_node_map_value_at(const dnsvet_node *map, size_t i)
{
	if (!map || map->type != DNSVET_NODE_MAP || i >= map->u.m.n)
		return NULL;
	return map->u.m.e[i].val;
}

/* A list index segment: decimal digits only. */
static int seg_index(const char *s, size_t len, size_t *out)
{
	size_t v = 0, i;

	if (len == 0 || len > 18)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	*out = v;
	return 1;
}

static dnsvet_node *map_get_n(const dnsvet_node *map, const char *key, size_t len)
{
	char stackbuf[256], *k = stackbuf;
	dnsvet_node *r;

	if (len >= sizeof(stackbuf)) {
		k = malloc(len + 1);
		if (!k)
			return NULL;
	}
	memcpy(k, key, len);
	k[len] = '\0';
	r = dnsvet_node_map_get(map, k);
	if (k != stackbuf)
		free(k);
	return r;
}

/* Map keys may hold dots themselves (domain names): a segment that is not a key is
 * widened to the next dot until one matches. */
static dnsvet_node *path_walk(const dnsvet_node *cur, const char *p, unsigned depth)
{
	const char *end;

	if (!cur)
		return NULL;
	if (*p == '\0')
		return (dnsvet_node *)cur;
	if (depth > DNSVET_NODE_EMIT_MAX_DEPTH)
		return NULL;
	if (cur->type == DNSVET_NODE_LIST) {
		size_t idx;

		end = strchr(p, '.');
		if (!end)
			end = p + strlen(p);
		if (!seg_index(p, (size_t)(end - p), &idx))
			return NULL;
		return path_walk(dnsvet_node_list_at(cur, idx), *end ? end + 1 : end, depth + 1);
	}
	if (cur->type != DNSVET_NODE_MAP)
		return NULL;
	end = p;
	for (;;) {
		dnsvet_node *child, *r;

		end = strchr(end, '.');
		if (!end)
			end = p + strlen(p);
		child = map_get_n(cur, p, (size_t)(end - p));
		if (child) {
			r = path_walk(child, *end ? end + 1 : end, depth + 1);
			if (r)
				return r;
		}
		if (!*end)
			return NULL;
		end++;
	}
}

dnsvet_node *dnsvet_node_path(const dnsvet_node *root, const char *path)
{
	if (!root || !path)
		return NULL;
	return path_walk(root, path, 0);
}

const char *dnsvet_node_path_string(const dnsvet_node *root, const char *path)
{
	return dnsvet_node_string(dnsvet_node_path(root, path));
}

dnsvet_node_mark dnsvet_node_mark_of(const dnsvet_node *node)
{
	dnsvet_node_mark none = {0, 0};

	return node ? node->mark : none;
}

int dnsvet_node_equal(const dnsvet_node *a, const dnsvet_node *b)
{
	size_t i;

	if (a == b)
		return 1;
	if (!a || !b || a->type != b->type)
		return 0;
	switch (a->type) {
	case DNSVET_NODE_NULL:
		return 1;
	case DNSVET_NODE_BOOL:
		return a->u.b == b->u.b;
	case DNSVET_NODE_INT:
		return a->u.i == b->u.i;
	case DNSVET_NODE_DOUBLE:
		/* NaN equals NaN here: the tree compares documents, not numbers. */
		if (a->u.d != a->u.d && b->u.d != b->u.d)
			return 1;
		return memcmp(&a->u.d, &b->u.d, sizeof(double)) == 0 || a->u.d == b->u.d;
	case DNSVET_NODE_STRING:
		return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
	case DNSVET_NODE_LIST:
		if (a->u.l.n != b->u.l.n)
			return 0;
		for (i = 0; i < a->u.l.n; i++)
			if (!dnsvet_node_equal(a->u.l.items[i], b->u.l.items[i]))
				return 0;
		return 1;
	case DNSVET_NODE_MAP:
		if (a->u.m.n != b->u.m.n)
			return 0;
		for (i = 0; i < a->u.m.n; i++) {
			if (strcmp(a->u.m.e[i].key, b->u.m.e[i].key) != 0)
				return 0;
			if (!dnsvet_node_equal(a->u.m.e[i].val, b->u.m.e[i].val))
				return 0;
		}
		return 1;
	}
	return 0;
}

dnsvet_node *dnsvet_node_copy(const dnsvet_node *node)
{
	dnsvet_node *c = NULL;
	size_t i;

	if (!node)
		return NULL;
	switch (node->type) {
	case DNSVET_NODE_NULL:
		c = dnsvet_node_new_null();
		break;
	case DNSVET_NODE_BOOL:
		c = dnsvet_node_new_bool(node->u.b);
		break;
	case DNSVET_NODE_INT:
		c = dnsvet_node_new_int(node->u.i);
		break;
	case DNSVET_NODE_DOUBLE:
		c = dnsvet_node_new_double(node->u.d);
		break;
	case DNSVET_NODE_STRING:
		c = dnsvet_node_new_stringn(node->u.s.ptr, node->u.s.len);
		break;
	case DNSVET_NODE_LIST:
		c = dnsvet_node_new_list();
		for (i = 0; c && i < node->u.l.n; i++) {
			dnsvet_node *item = dnsvet_node_copy(node->u.l.items[i]);

			if (!item || dnsvet_node_list_append(c, item) != DNSVET_OK) {
				dnsvet_node_free(c);
				return NULL;
			}
		}
		break;
	case DNSVET_NODE_MAP:
		c = dnsvet_node_new_map();
		for (i = 0; c && i < node->u.m.n; i++) {
			const struct map_entry *e = &node->u.m.e[i];
			dnsvet_node *v = dnsvet_node_copy(e->val);

			if (!v || dnsvet_node_map_append(c, e->key, strlen(e->key), v) != DNSVET_OK) {
				dnsvet_node_free(c);
				return NULL;
			}
		}
		break;
	}
	if (c)
		c->mark = node->mark;
	return c;
}
