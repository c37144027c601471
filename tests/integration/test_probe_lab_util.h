/* Helpers shared by the probe's lab tests: lab configuration from the
 * environment labrun sets, expectations, and running one probe. */
#ifndef DNSVET_TEST_PROBE_LAB_UTIL_H
#define DNSVET_TEST_PROBE_LAB_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dnsvet/engine.h>
#include <dnsvet/expect.h>
#include <dnsvet/node.h>
#include <dnsvet/obs.h>
#include <dnsvet/probe.h>

static int t_failures;

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			t_failures++;                                                      \
		}                                                                          \
	} while (0)

#define CHECK_STR(got, want)                                                               \
	do {                                                                               \
		const char *g_ = (got), *w_ = (want);                                      \
		if (!g_ || strcmp(g_, w_) != 0) {                                          \
			fprintf(stderr, "%s:%d: %s is \"%s\", want \"%s\"\n", __FILE__,    \
			        __LINE__, #got, g_ ? g_ : "(null)", w_);                    \
			t_failures++;                                                      \
		}                                                                          \
	} while (0)

typedef struct lab_env {
	dnsvet_roothints *hints;
	dnsvet_addrlist *resolvers;
	dnsvet_engine *eng;
	dnsvet_probe_cache *cache;
	dnsvet_probe_opts opts;
} lab_env;

static inline int lab_env_init(lab_env *L, unsigned timeout_ms)
{
	const char *hints = getenv("LAB_ROOT_HINTS");
	const char *res = getenv("LAB_RESOLVERS");
	char err[512];
	dnsvet_engine_opts eo;

	memset(L, 0, sizeof(*L));
	if (!hints || !res) {
		fprintf(stderr, "not inside the lab (run through tests/lab/labrun)\n");
		return -1;
	}
	if (dnsvet_roothints_load(hints, 53, &L->hints, err, sizeof(err)) != DNSVET_OK) {
		fprintf(stderr, "root hints: %s\n", err);
		return -1;
	}
	if (dnsvet_resolvers_parse(res, "LAB_RESOLVERS", 53, &L->resolvers, err, sizeof(err)) != DNSVET_OK) {
		fprintf(stderr, "resolvers: %s\n", err);
		return -1;
	}
	dnsvet_engine_opts_default(&eo);
	if (timeout_ms)
		eo.timeout_ms = timeout_ms;
	eo.retries = 1;
	if (dnsvet_engine_new(&eo, &L->eng) != DNSVET_OK || dnsvet_probe_cache_new(&L->cache) != DNSVET_OK)
		return -1;
	dnsvet_probe_opts_default(&L->opts);
	L->opts.roothints = L->hints;
	L->opts.resolvers = L->resolvers;
	L->opts.lab = 1;
	L->opts.started = 1795424400;
	return 0;
}

static inline void lab_env_free(lab_env *L)
{
	dnsvet_engine_free(L->eng);
	dnsvet_probe_cache_free(L->cache);
	dnsvet_roothints_free(L->hints);
	dnsvet_addrlist_free(L->resolvers);
}

/* Expectations for an Easy DKIM identity; mail_from/region may be NULL. */
static inline dnsvet_expect *mk_expect(const char *domain, const char *const *tokens, size_t n,
                                const char *region, const char *mail_from)
{
	dnsvet_expect *e = NULL;
	dnsvet_expect_error err;

	if (dnsvet_expect_new(domain, &e, &err) != DNSVET_OK) {
		fprintf(stderr, "expect: %s\n", err.message);
		return NULL;
	}
	if (region && dnsvet_expect_set_region(e, region, &err) != DNSVET_OK)
		fprintf(stderr, "expect: %s\n", err.message);
	for (size_t i = 0; i < n; i++)
		if (dnsvet_expect_add_dkim_token(e, tokens[i], &err) != DNSVET_OK)
			fprintf(stderr, "expect: %s\n", err.message);
	if (mail_from && dnsvet_expect_set_mail_from(e, mail_from, &err) != DNSVET_OK)
		fprintf(stderr, "expect: %s\n", err.message);
	return e;
}

static inline const dnsvet_node *zone_named(const dnsvet_node *root, const char *name)
{
	const dnsvet_node *zones = dnsvet_node_map_get(root, "zones");

	for (size_t i = 0; i < dnsvet_node_size(zones); i++) {
		const dnsvet_node *z = dnsvet_node_list_at(zones, i);
		const char *n = dnsvet_node_string(dnsvet_node_map_get(z, "name"));
		if (n && strcmp(n, name) == 0)
			return z;
	}
	return NULL;
}

/* The zone's server entry for addr (NULL when absent). */
static inline const dnsvet_node *server_at(const dnsvet_node *zone, const char *addr)
{
	const dnsvet_node *s = dnsvet_node_map_get(zone, "servers");

	for (size_t i = 0; i < dnsvet_node_size(s); i++) {
		const dnsvet_node *e = dnsvet_node_list_at(s, i);
		const char *a = dnsvet_node_string(dnsvet_node_map_get(e, "addr"));
		if (a && strcmp(a, addr) == 0)
			return e;
	}
	return NULL;
}

/* The auth reply of addr in an answers entry. */
static inline const dnsvet_node *auth_from(const dnsvet_node *ans, const char *addr)
{
	const dnsvet_node *s = dnsvet_node_map_get(ans, "auth");

	for (size_t i = 0; i < dnsvet_node_size(s); i++) {
		const dnsvet_node *e = dnsvet_node_list_at(s, i);
		const char *a = dnsvet_node_string(dnsvet_node_map_get(e, "addr"));
		if (a && strcmp(a, addr) == 0)
			return e;
	}
	return NULL;
}

static inline const dnsvet_node *resolver_from(const dnsvet_node *ans, const char *addr)
{
	const dnsvet_node *s = dnsvet_node_map_get(ans, "resolvers");

	for (size_t i = 0; i < dnsvet_node_size(s); i++) {
		const dnsvet_node *e = dnsvet_node_list_at(s, i);
		const char *a = dnsvet_node_string(dnsvet_node_map_get(e, "addr"));
		if (a && strcmp(a, addr) == 0)
			return e;
	}
	return NULL;
}

/* 1 when some string of list contains needle. */
static inline int list_has(const dnsvet_node *list, const char *needle)
{
	for (size_t i = 0; i < dnsvet_node_size(list); i++) {
		const char *s = dnsvet_node_string(dnsvet_node_list_at(list, i));
		if (s && strstr(s, needle))
			return 1;
	}
	return 0;
}

/* The TTL field of a presentation-format RR ("owner TTL IN TYPE ..."); -1. */
static inline long rr_ttl(const char *rr)
{
	unsigned long ttl;

	if (!rr || sscanf(rr, "%*s %lu", &ttl) != 1)
		return -1;
	return (long)ttl;
}

/* The first string of list containing needle (NULL when none). */
static inline const char *list_find(const dnsvet_node *list, const char *needle)
{
	for (size_t i = 0; i < dnsvet_node_size(list); i++) {
		const char *s = dnsvet_node_string(dnsvet_node_list_at(list, i));
		if (s && strstr(s, needle))
			return s;
	}
	return NULL;
}

/* 1 when list holds exactly the strings of want (n of them), in any order. */
static inline int list_is(const dnsvet_node *list, const char *const *want, size_t n)
{
	if (dnsvet_node_size(list) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int found = 0;
		for (size_t k = 0; k < n && !found; k++) {
			const char *s = dnsvet_node_string(dnsvet_node_list_at(list, k));
			found = s && strcmp(s, want[i]) == 0;
		}
		if (!found)
			return 0;
	}
	return 1;
}

static inline void dump_obs(const dnsvet_obs *obs)
{
	char *y = NULL;

	if (getenv("PROBE_DUMP") && dnsvet_obs_to_yaml(obs, &y) == DNSVET_OK) {
		fputs(y, stderr);
		free(y);
	}
}

#endif
