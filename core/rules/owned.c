/*
 * Scans of the answers in the tree, for ctx:rrs and dnsvet.authoritative.
 *
 * Rules mostly look for the few RRs a name owns among the replies of many servers and
 * resolvers. Reading the tree in C and opening views only for what is found means a rule
 * pays for the replies it keeps, not for every reply it would have to look through.
 */
#include <string.h>
#include "rules/rules_int.h"

int rules_reply_is_own(const dnsvet_node *reply)
{
	const dnsvet_node *err = dnsvet_node_map_get(reply, "error");
	const dnsvet_node *aa = dnsvet_node_map_get(reply, "aa");
	const dnsvet_node *src = dnsvet_node_map_get(reply, "source");
	const char *rc = dnsvet_node_string(dnsvet_node_map_get(reply, "rcode"));

	if (dnsvet_node_type_of(reply) != DNSVET_NODE_MAP)
		return 0;
	if (err && dnsvet_node_type_of(err) != DNSVET_NODE_NULL)
		return 0;
	if (dnsvet_node_type_of(aa) == DNSVET_NODE_BOOL && !dnsvet_node_bool(aa, 0))
		return 0;
	if (!rc || (strcmp(rc, "NOERROR") != 0 && strcmp(rc, "NXDOMAIN") != 0))
		return 0;
	switch (dnsvet_node_type_of(src)) {
	case DNSVET_NODE_LIST:
		for (size_t i = 0; i < dnsvet_node_size(src); i++) {
			const char *s = dnsvet_node_string(dnsvet_node_list_at(src, i));

			if (s && (strcmp(s, "parent") == 0 || strcmp(s, "child") == 0))
				return 1;
		}
		return 0;
	case DNSVET_NODE_MAP:
		return 0;
	default:
		/* a reply naming no source (a recording made by hand, a server the user gave) */
		return 1;
	}
}

int rules_owned_scan(const dnsvet_node *replies, int own_only, const char *name,
                     const char *rrtype,
                     int (*fn)(void *user, size_t reply_i, size_t rr_i), void *user)
{
	if (dnsvet_node_type_of(replies) != DNSVET_NODE_LIST)
		return 0;
	for (size_t i = 0; i < dnsvet_node_size(replies); i++) {
		const dnsvet_node *reply = dnsvet_node_list_at(replies, i);
		const dnsvet_node *answer = dnsvet_node_map_get(reply, "answer");

		if (own_only && !rules_reply_is_own(reply))
			continue;
		for (size_t k = 0; k < dnsvet_node_size(answer); k++) {
			const char *s = dnsvet_node_string(dnsvet_node_list_at(answer, k));
			int rc;

			if (!s || !rr_owned_by(s, strlen(s), name, rrtype))
				continue;
			rc = fn(user, i, k);
			if (rc)
				return rc;
		}
	}
	return 0;
}
