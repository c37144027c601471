/* Mutating an observation set: for the probe, the engine and replay inside the library. */
#ifndef DNSVET_TREE_OBS_INTERNAL_H
#define DNSVET_TREE_OBS_INTERNAL_H

#include <dnsvet/obs.h>

/* The tree, writable. Do not replace or edit `answers` entries' name/type through it:
 * use dnsvet_obs_add_answer (or call dnsvet_obs_reindex afterwards). */
dnsvet_node *dnsvet_obs_root_mut(dnsvet_obs *obs);

/* Sets a top-level section (started, lab, expect, ses, zones, names, resolvers, stats,
 * or any other key), placing it in the documented order. Takes ownership of value, also
 * on failure. Setting `answers` rebuilds the answer index. */
dnsvet_status dnsvet_obs_set(dnsvet_obs *obs, const char *key, dnsvet_node *value);
dnsvet_status dnsvet_obs_set_int(dnsvet_obs *obs, const char *key, int64_t value);
dnsvet_status dnsvet_obs_set_bool(dnsvet_obs *obs, const char *key, int value);

/* Appends an answers entry (a map with string `name` and `type`, names normalised to
 * lowercase without the trailing dot by the caller) and indexes it. An entry for the
 * same (name, type) is replaced in place. Takes ownership of entry, also on failure;
 * returns the stored entry through *stored when not NULL. */
dnsvet_status dnsvet_obs_add_answer(dnsvet_obs *obs, dnsvet_node *entry, dnsvet_node **stored);

/* Rebuilds the answer index from the tree; DNSVET_ERR_INVALID when an entry lacks
 * name/type, DNSVET_ERR_STATE when two entries share a (name, type). */
dnsvet_status dnsvet_obs_reindex(dnsvet_obs *obs);

/* The answers entry, writable (e.g. to add a resolver's reply); NULL when absent. */
dnsvet_node *dnsvet_obs_find_answer_mut(dnsvet_obs *obs, const char *name, const char *type);

#endif
