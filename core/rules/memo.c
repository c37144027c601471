/*
 * Integer slots for byte strings: the first string asked for gets 1, the next new one 2, and
 * the same string always the same number until the memo is cleared.
 *
 * The rule engine keys its per-domain caches (results of dnsvet.authoritative and ctx:rrs,
 * views of RR strings) by strings that are mostly over 40 bytes, which Lua does not intern:
 * a lookup by such a string would allocate it, hash all of it and compare it with memcmp.
 * With a slot from here the Lua table is indexed by a small integer instead.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rules/rules_int.h"

struct memo_key {
	uint64_t hash;
	size_t off, len;           /* in bytes */
};

struct rules_memo {
	struct memo_key *keys;     /* the key of integer k at k - 1 */
	size_t n, cap;
	uint32_t *idx;             /* open addressing on keys: k, or 0 where free */
	size_t idx_cap;            /* a power of two, over twice n */
	char *bytes;               /* the strings, one after another */
	size_t used, room;
};

static uint64_t memo_hash(const char *p, size_t len)
{
	uint64_t h = len * 0x9e3779b97f4a7c15u, w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	return h;
}


static int memo_reindex(rules_memo *m)
{
	size_t cap = m->idx_cap ? m->idx_cap * 2 : 64;
	uint32_t *idx = calloc(cap, sizeof(*idx));

	if (!idx)
		return -1;
	for (size_t k = 0; k < m->n; k++) {
		size_t j = m->keys[k].hash & (cap - 1);

		while (idx[j])
			j = (j + 1) & (cap - 1);
		idx[j] = (uint32_t)k + 1;
	}
	free(m->idx);
	m->idx = idx;
	m->idx_cap = cap;
	return 0;
}

/* Makes room for len more bytes and one more key. */
static int memo_reserve(rules_memo *m, size_t len)
{
	if (len > m->room - m->used) {
		size_t room = m->room ? m->room : 2048;
		char *b;

		while (len > room - m->used)
			room *= 2;
		if (!(b = realloc(m->bytes, room)))
			return -1;
		m->bytes = b;
		m->room = room;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct memo_key *k = realloc(m->keys, cap * sizeof(*k));

		if (!k)
			return -1;
		m->keys = k;
		m->cap = cap;
	}
	if (2 * (m->n + 1) > m->idx_cap && memo_reindex(m))
		return -1;
	return 0;
}

void rules_memo_clear(rules_memo *m)
{
	if (!m)
		return;
	m->n = 0;
	m->used = 0;
	if (m->idx)
		memset(m->idx, 0, m->idx_cap * sizeof(*m->idx));
}

void rules_memo_free(rules_memo *m)
{
	if (!m)
		return;
	free(m->keys);
	free(m->idx);
	free(m->bytes);
	free(m);
}

lua_Integer rules_memo_slot(rules_memo **mp, const char *a, size_t al, const char *b, size_t bl)
{
	rules_memo *m;
	size_t len = al + 1 + bl, j;
	uint64_t h;
	char *key;

	if (!*mp && !(*mp = calloc(1, sizeof(**mp))))
		return 0;
	m = *mp;
	if (memo_reserve(m, len))
		return 0;
	/* written where a new key goes: kept only when it is new */
	key = m->bytes + m->used;
	memcpy(key, a, al);
	key[al] = '\n';
	memcpy(key + al + 1, b, bl);
	h = memo_hash(key, len);
	for (j = h & (m->idx_cap - 1); m->idx[j]; j = (j + 1) & (m->idx_cap - 1)) {
		const struct memo_key *k = &m->keys[m->idx[j] - 1];

		if (k->hash == h && k->len == len && memcmp(m->bytes + k->off, key, len) == 0)
			return (lua_Integer)m->idx[j];
	}
	m->keys[m->n] = (struct memo_key){h, m->used, len};
	m->idx[j] = (uint32_t)++m->n;
	m->used += len;
	return (lua_Integer)m->n;
}
