/*
 * dnsvet_obs: one observation set (schema dnsvet.obs/1, docs/observations.md) — everything
 * dnsvet saw while checking one domain, held as a dnsvet_node tree.
 *
 * API users read it through dnsvet_obs_root() and the getters; the probe fills it through
 * the library-internal core/tree/obs_internal.h. Answers are indexed by (name, type), so
 * dnsvet_obs_find_answer is O(1) however many questions were asked.
 */
#ifndef DNSVET_OBS_H
#define DNSVET_OBS_H

#include <stddef.h>
#include <stdint.h>
#include <dnsvet/common.h>
#include <dnsvet/node.h>
#include <dnsvet/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The schema marker every observation set carries (`schema: dnsvet.obs/1`). */
#define DNSVET_OBS_SCHEMA "dnsvet.obs/1"

typedef struct dnsvet_obs dnsvet_obs;

/* A fresh set holding `schema` and `domain` (lowercased, trailing dot removed). NULL when
 * out of memory or domain is NULL/empty. Caller frees with dnsvet_obs_free. */
DNSVET_API dnsvet_obs *dnsvet_obs_new(const char *domain);
DNSVET_API void dnsvet_obs_free(dnsvet_obs *obs);

/* Reading a recorded set. The schema marker and the required keys (schema, domain,
 * started) are checked, and so are the types of the known sections and every answers
 * entry (name and type strings, no (name, type) twice). A recording must also hold what
 * the probe writes: every resource record a string ldns reads as one RR, every rcode a
 * known mnemonic (docs/observations.md). Errors read "NAME:LINE:COL: message" (with the
 * key path for the contents). On success *out is the set (caller frees with
 * dnsvet_obs_free). */
DNSVET_API dnsvet_status dnsvet_obs_load_yaml(const char *path, dnsvet_obs **out,
                                              dnsvet_node_error *err);
DNSVET_API dnsvet_status dnsvet_obs_parse_yaml(const char *text, size_t len, const char *name,
                                               dnsvet_obs **out, dnsvet_node_error *err);
/* The same checks of shape on a tree already read (e.g. the `observations:` part of a rule
 * fixture); its records and rcodes are left as they are. Takes ownership of root, also on
 * failure. `name` is used in error messages. */
DNSVET_API dnsvet_status dnsvet_obs_from_node(dnsvet_node *root, const char *name,
                                              dnsvet_obs **out, dnsvet_node_error *err);

/* Writing. The top-level keys are kept in the documented order, so two recordings of the
 * same observations are byte-identical. *out: caller frees with free(). */
DNSVET_API dnsvet_status dnsvet_obs_to_yaml(const dnsvet_obs *obs, char **out);
DNSVET_API dnsvet_status dnsvet_obs_to_json(const dnsvet_obs *obs, int pretty, char **out);
/* Writes to a temporary file next to path and renames it into place. */
DNSVET_API dnsvet_status dnsvet_obs_save_yaml(const dnsvet_obs *obs, const char *path);

/* The whole tree, read-only; borrowed, valid while obs lives and is not modified. */
DNSVET_API const dnsvet_node *dnsvet_obs_root(const dnsvet_obs *obs);

/* Typed getters; all accept NULL. Borrowed pointers as above. */
DNSVET_API const char *dnsvet_obs_domain(const dnsvet_obs *obs);
/* Unix seconds when probing began; 0 when not set. */
DNSVET_API int64_t dnsvet_obs_started(const dnsvet_obs *obs);
/* 1 in lab mode (private and loopback server addresses acceptable). */
DNSVET_API int dnsvet_obs_lab(const dnsvet_obs *obs);
/* The `expect:` map, the `ses:` map (NULL when no identity JSON was given). */
DNSVET_API const dnsvet_node *dnsvet_obs_expect(const dnsvet_obs *obs);
DNSVET_API const dnsvet_node *dnsvet_obs_ses(const dnsvet_obs *obs);
DNSVET_API size_t dnsvet_obs_zone_count(const dnsvet_obs *obs);
DNSVET_API const dnsvet_node *dnsvet_obs_zone_at(const dnsvet_obs *obs, size_t i);
/* The zones entry whose name is `name` (case-insensitive, trailing dot ignored); NULL. */
DNSVET_API const dnsvet_node *dnsvet_obs_zone(const dnsvet_obs *obs, const char *name);
DNSVET_API size_t dnsvet_obs_resolver_count(const dnsvet_obs *obs);
DNSVET_API size_t dnsvet_obs_answer_count(const dnsvet_obs *obs);

/* The `answers` entry for (name, type): name case-insensitive with or without the
 * trailing dot, type a mnemonic ("TXT", "txt"). NULL when that question was never asked. */
DNSVET_API const dnsvet_node *dnsvet_obs_find_answer(const dnsvet_obs *obs, const char *name,
                                                     const char *type);

#ifdef __cplusplus
}
#endif
#endif
