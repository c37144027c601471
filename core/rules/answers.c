/* Lookups in the observation tree shared by ctx methods, the replay and the live asker. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "rules/rules_int.h"

/* Case-insensitive name equality ignoring one trailing dot on either side. */
int rules_name_eq(const char *a, const char *b)
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

/* True when name is zone or below it (both normalised or not; case-insensitive). */
static int name_under(const char *name, const char *zone, size_t *zone_len)
{
	size_t ln = strlen(name), lz = strlen(zone);

	if (ln > 1 && name[ln - 1] == '.')
		ln--;
	if (lz > 0 && zone[lz - 1] == '.')
		lz--;
	*zone_len = lz;
	if (lz == 0)
		return 1;
	if (ln == lz)
		return strncasecmp(name, zone, lz) == 0;
	return ln > lz && name[ln - lz - 1] == '.' && strncasecmp(name + ln - lz, zone, lz) == 0;
}

dnsvet_node *rules_zone_of(const dnsvet_node *obs, const char *name)
{
	const dnsvet_node *zones = dnsvet_node_map_get(obs, "zones");
	dnsvet_node *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < dnsvet_node_size(zones); i++) {
		dnsvet_node *z = dnsvet_node_list_at(zones, i);
		const char *zn = dnsvet_node_string(dnsvet_node_map_get(z, "name"));
		size_t zl;

		if (zn && name_under(name, zn, &zl) && (!best || zl > best_len)) {
			best = z;
			best_len = zl;
		}
	}
	return best;
}

dnsvet_node *dnsvet_rules_answers_entry(dnsvet_node *obs, const char *name, const char *type,
                                        int create)
{
	dnsvet_node *answers, *entry;
	char norm[1100], utype[24];
	size_t tl;

	if (!obs || !name || !type || dnsvet_node_type_of(obs) != DNSVET_NODE_MAP)
		return NULL;
	answers = dnsvet_node_map_get(obs, "answers");
	for (size_t i = 0; i < dnsvet_node_size(answers); i++) {
		dnsvet_node *e = dnsvet_node_list_at(answers, i);
		const char *t = dnsvet_node_string(dnsvet_node_map_get(e, "type"));

		if (t && strcasecmp(t, type) == 0 &&
		    rules_name_eq(dnsvet_node_string(dnsvet_node_map_get(e, "name")), name))
			return e;
	}
	if (!create)
		return NULL;
	tl = strlen(type);
	if (tl >= sizeof(utype) || !rr_name_normalize(name, strlen(name), norm, sizeof(norm)))
		return NULL;
	for (size_t i = 0; i <= tl; i++)
		utype[i] = (char)toupper((unsigned char)type[i]);
	if (!answers) {
		answers = dnsvet_node_new_list();
		if (!answers || dnsvet_node_map_set(obs, "answers", answers) != DNSVET_OK)
			return NULL;
	} else if (dnsvet_node_type_of(answers) != DNSVET_NODE_LIST) {
		return NULL;
	}
	entry = dnsvet_node_new_map();
	if (!entry)
		return NULL;
	if (dnsvet_node_map_set_string(entry, "name", norm) != DNSVET_OK ||
	    dnsvet_node_map_set_string(entry, "type", utype) != DNSVET_OK) {
		dnsvet_node_free(entry);
		return NULL;
	}
	if (dnsvet_node_list_append(answers, entry) != DNSVET_OK)
		return NULL;
	return entry;
}

/*
 * A slot of the index of the domain's answers entries. The entry's name and type are kept
 * with it (borrowed from the tree, which only changes when the index is dropped), so that a
 * lookup compares strings without reading the entry's map.
 */
struct ans_slot {
	uint64_t hash;
	dnsvet_node *entry;        /* NULL: free */
	const char *name, *type;
	size_t name_len;           /* as rules_name_eq compares it: without a trailing dot */
};

/* Mixes s[0..n) into h folded as strcasecmp() folds it, 8 bytes at a time. */
static uint64_t hash_folded(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = 0;

		if (n - i >= 8)
			memcpy(&w, s + i, 8);
		if (n - i < 8 || rr_word_foldable(w)) {
			unsigned char b[8] = {0};

			for (size_t j = 0; j < 8 && i + j < n; j++)
				b[j] = (unsigned char)tolower((unsigned char)s[i + j]);
			memcpy(&w, b, 8);
		}
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	return h;
}

static size_t name_len(const char *name)
{
	size_t n = strlen(name);

	return n > 1 && name[n - 1] == '.' ? n - 1 : n;
}

static uint64_t entry_hash(const char *name, size_t nl, const char *type)
{
	return hash_folded(hash_folded(nl, name, nl), type, strlen(type));
}

static int slot_is(const struct ans_slot *s, uint64_t hash, const char *name, size_t nl,
                   const char *type)
{
	return s->hash == hash && s->name_len == nl && strncasecmp(s->name, name, nl) == 0 &&
	       strcasecmp(s->type, type) == 0;
}

static int index_build(dnsvet_rules_runner *r)
{
	dnsvet_node *answers = dnsvet_node_map_get(r->obs, "answers");
	size_t n = dnsvet_node_size(answers), cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	r->ans_idx = calloc(cap, sizeof(*r->ans_idx));
	if (!r->ans_idx)
		return -1;
	r->ans_cap = cap;
	for (size_t i = 0; i < n; i++) {
		dnsvet_node *e = dnsvet_node_list_at(answers, i);
		const char *name = dnsvet_node_string(dnsvet_node_map_get(e, "name"));
		const char *type = dnsvet_node_string(dnsvet_node_map_get(e, "type"));
		size_t k, nl;
		uint64_t h;

		if (!name || !type)
			continue;
		nl = name_len(name);
		h = entry_hash(name, nl, type);
		/* the first entry of a name and type is the one a lookup finds */
		for (k = h & (cap - 1); r->ans_idx[k].entry; k = (k + 1) & (cap - 1))
			if (slot_is(&r->ans_idx[k], h, name, nl, type))
				break;
		if (!r->ans_idx[k].entry)
			r->ans_idx[k] = (struct ans_slot){h, e, name, type, nl};
	}
	return 0;
}

dnsvet_node *rules_answers_find(dnsvet_rules_runner *r, const char *name, const char *type)
{
	size_t nl = name_len(name);
	uint64_t h;

	if (!r->ans_cap && index_build(r))
		return dnsvet_rules_answers_entry(r->obs, name, type, 0);
	h = entry_hash(name, nl, type);
	for (size_t k = h & (r->ans_cap - 1); r->ans_idx[k].entry; k = (k + 1) & (r->ans_cap - 1))
		if (slot_is(&r->ans_idx[k], h, name, nl, type))
			return r->ans_idx[k].entry;
	return NULL;
}

void rules_answers_forget(dnsvet_rules_runner *r)
{
	free(r->ans_idx);
	r->ans_idx = NULL;
	r->ans_cap = 0;
	helpers_forget(r);
}

int rules_entry_satisfies(const dnsvet_node *entry, unsigned target, const char *const *servers,
                          size_t n_servers)
{
	const dnsvet_node *auth;

	if (!entry)
		return 0;
	if ((target & DNSVET_RULES_TO_RESOLVERS) &&
	    dnsvet_node_type_of(dnsvet_node_map_get(entry, "resolvers")) != DNSVET_NODE_LIST)
		return 0;
	auth = dnsvet_node_map_get(entry, "auth");
	if ((target & DNSVET_RULES_TO_AUTH) && dnsvet_node_type_of(auth) != DNSVET_NODE_LIST)
		return 0;
	if (target & DNSVET_RULES_TO_SERVERS) {
		for (size_t i = 0; i < n_servers; i++) {
			int found = 0;

			for (size_t j = 0; j < dnsvet_node_size(auth) && !found; j++) {
				const char *a = dnsvet_node_string(dnsvet_node_map_get(
					dnsvet_node_list_at(auth, j), "addr"));

				found = a && strcmp(a, servers[i]) == 0;
			}
			if (!found)
				return 0;
		}
	}
	return 1;
}
