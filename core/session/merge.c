/*
 * Follow-up answers into the observation set. The rule engine holds pointers into the
 * tree while a run is suspended, so nothing is replaced or removed: new entries are
 * appended, missing keys added, replies appended. Replies of explicitly named servers
 * (the probe's `servers` list) join `auth`, where ctx:query and a replay look for them.
 */
#include <string.h>

#include "session/session_int.h"
#include "tree/obs_internal.h"

static int has_addr(const dnsvet_node *list, const char *addr)
{
	for (size_t i = 0; addr && i < dnsvet_node_size(list); i++) {
		const char *a = dnsvet_node_string(dnsvet_node_map_get(dnsvet_node_list_at(list, i),
		                                                       "addr"));
		if (a && strcmp(a, addr) == 0)
			return 1;
	}
	return 0;
}

/* Appends copies of the replies of src whose address dst does not hold yet. */
static unsigned add_replies(dnsvet_node *entry, const char *key, const dnsvet_node *src)
{
	dnsvet_node *dst = dnsvet_node_map_get(entry, key);
	unsigned n = 0;

	if (!dst) {
		dst = dnsvet_node_new_list();
		if (!dst || dnsvet_node_map_set(entry, key, dst) != DNSVET_OK)
			return 0;
	}
	if (dnsvet_node_type_of(dst) != DNSVET_NODE_LIST)
		return 0;
	for (size_t i = 0; i < dnsvet_node_size(src); i++) {
		const dnsvet_node *rep = dnsvet_node_list_at(src, i);

		if (has_addr(dst, dnsvet_node_string(dnsvet_node_map_get(rep, "addr"))))
			continue;
		if (dnsvet_node_list_append(dst, dnsvet_node_copy(rep)) == DNSVET_OK)
			n++;
	}
	return n;
}

unsigned session_merge_answers(dnsvet_obs *obs, const dnsvet_node *answers)
{
	unsigned replies = 0;

	for (size_t i = 0; i < dnsvet_node_size(answers); i++) {
		const dnsvet_node *e = dnsvet_node_list_at(answers, i);
		const char *name = dnsvet_node_string(dnsvet_node_map_get(e, "name"));
		const char *type = dnsvet_node_string(dnsvet_node_map_get(e, "type"));
		dnsvet_node *dst;

		if (!name || !type)
			continue;
		dst = dnsvet_obs_find_answer_mut(obs, name, type);
		if (!dst) {
			dnsvet_node *fresh = dnsvet_node_new_map();

			if (!fresh)
				return replies;
			dnsvet_node_map_set_string(fresh, "name", name);
			dnsvet_node_map_set_string(fresh, "type", type);
			if (dnsvet_obs_add_answer(obs, fresh, &dst) != DNSVET_OK)
				return replies;
		}
		for (size_t k = 0; k < dnsvet_node_size(e); k++) {
			const char *key = dnsvet_node_map_key_at(e, k);
			const dnsvet_node *v = dnsvet_node_map_value_at(e, k);

			if (!strcmp(key, "name") || !strcmp(key, "type"))
				continue;
			if (!strcmp(key, "auth") || !strcmp(key, "servers"))
				replies += add_replies(dst, "auth", v);
			else if (!strcmp(key, "resolvers"))
				replies += add_replies(dst, "resolvers", v);
			else if (!dnsvet_node_map_get(dst, key))
				dnsvet_node_map_set(dst, key, dnsvet_node_copy(v));
		}
	}
	return replies;
}
