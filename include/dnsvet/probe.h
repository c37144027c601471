/*
 * The probe: for one domain and the records it should publish, discover the
 * delegation of every name that matters from the root down, ask every
 * authoritative server directly (RD=0), sample recursive resolvers (RD=1),
 * and hand back everything seen as one observation set (dnsvet.obs/1,
 * docs/observations.md).
 *
 * A probe is asynchronous and never blocks: it submits queries to a shared
 * dnsvet_engine and advances from the engine's callbacks, so many probes (an
 * audit keeps dozens of domains in flight) run concurrently on one engine in
 * one thread. The embedder drives the engine (dnsvet_engine_run/step); each
 * probe calls its done callback once when it has finished.
 *
 * A dnsvet_probe_cache is shared by every probe of a run: referrals, NS sets,
 * server addresses and negative answers are kept for their TTL, so a batch of
 * domains under one TLD asks the root once; so are the servers' replies to
 * questions about names outside the domain being checked (its TLD's SOA and NS,
 * names rules make up under the TLD), which are the same for every domain.
 * Cache, engine and probes belong to one thread.
 */
#ifndef DNSVET_PROBE_H
#define DNSVET_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <dnsvet/common.h>
#include <dnsvet/status.h>
#include <dnsvet/node.h>
#include <dnsvet/engine.h>
#include <dnsvet/expect.h>
#include <dnsvet/obs.h>

#ifdef __cplusplus
extern "C" {
#endif


typedef struct dnsvet_probe dnsvet_probe;
typedef struct dnsvet_probe_cache dnsvet_probe_cache;

/* ------------------------------------------------------------------ */
/* Cache                                                               */
/* ------------------------------------------------------------------ */

/* An empty cache. Caller frees with dnsvet_probe_cache_free, after every
 * probe using it has finished or been cancelled. */
DNSVET_API dnsvet_status dnsvet_probe_cache_new(dnsvet_probe_cache **out);
/* NULL is a no-op. */
DNSVET_API void dnsvet_probe_cache_free(dnsvet_probe_cache *cache);

/* Forget every entry whose owner name has more than max_labels labels
 * (0 keeps only the root's, 1 keeps the root and TLDs). Benchmarks use it to
 * measure a "warm root and TLD" start; an embedder rarely needs it. */
DNSVET_API void dnsvet_probe_cache_trim(dnsvet_probe_cache *cache, unsigned max_labels);

typedef struct dnsvet_probe_cache_stats {
	uint64_t entries;  /* entries held now */
	uint64_t hits;     /* lookups answered from the cache */
	uint64_t misses;   /* lookups that needed the network */
	uint64_t expired;  /* entries dropped because their TTL ran out */
} dnsvet_probe_cache_stats;

DNSVET_API void dnsvet_probe_cache_stats_get(const dnsvet_probe_cache *cache,
                                             dnsvet_probe_cache_stats *out);

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

typedef struct dnsvet_probe_opts {
	/* Where iteration starts. NULL: IANA's hints (dnsvet_roothints_default).
	 * Borrowed: must outlive every probe using these opts. */
	const dnsvet_roothints *roothints;
	/* Recursive resolvers to sample. NULL: the built-in public list (Google,
	 * Cloudflare, Quad9, OpenDNS, ... IPv4 and IPv6) plus the nameservers of
	 * resolv_conf. Borrowed like roothints. */
	const dnsvet_addrlist *resolvers;
	int no_resolvers;          /* sample no resolver at all */
	int no_system_resolver;    /* built-in list only: leave resolv_conf out */
	const char *resolv_conf;   /* NULL: "/etc/resolv.conf" */
	/* Lab mode: loopback and private server addresses are acceptable (outside
	 * lab mode an NS address in a private range makes the zone not_public). */
	int lab;
	unsigned query_budget;     /* queries per domain; 0: 4000 */
	unsigned max_depth;        /* referrals followed to reach one zone cut; 0: 24 */
	unsigned cname_limit;      /* CNAME links followed from one answer; 0: 8 */
	unsigned timeout_ms;       /* first-try timeout of each query; 0: the engine's */
	/* Also ask each expected name's other record types (TXT where a CNAME
	 * belongs, A/AAAA at a DKIM name, ...). Default 1. */
	int sibling_types;
	/* Unix time written as `started`; 0: the current time. Tests set it to
	 * make observation sets comparable. */
	time_t started;
} dnsvet_probe_opts;

/* Fill opts with the defaults described above. */
DNSVET_API void dnsvet_probe_opts_default(dnsvet_probe_opts *opts);

/* ------------------------------------------------------------------ */
/* Questions from rules                                                */
/* ------------------------------------------------------------------ */

/* Where a question goes (dnsvet_probe_question.target). */
#define DNSVET_PROBE_TO_AUTH      0x1u /* every server of the zone holding the name, RD=0 */
#define DNSVET_PROBE_TO_RESOLVERS 0x2u /* every sampled resolver, RD=1 */
#define DNSVET_PROBE_TO_SERVERS   0x4u /* the explicit servers list, RD=0 */

/* An extra question, from a rule's `probes(expect)` (batched into the first
 * round) or its ctx:query (a follow-up). Strings are copied by the call that
 * receives them. */
typedef struct dnsvet_probe_question {
	const char *name;               /* with or without the trailing dot */
	const char *type;               /* mnemonic: "CNAME", "TXT", "TYPE65" ... */
	unsigned target;                /* DNSVET_PROBE_TO_*; 0 means AUTH|RESOLVERS */
	const char *const *servers;     /* for DNSVET_PROBE_TO_SERVERS: addresses as */
	size_t n_servers;               /* dnsvet_engine_addr_parse reads them */
} dnsvet_probe_question;

/* ------------------------------------------------------------------ */
/* Probing one domain                                                  */
/* ------------------------------------------------------------------ */

typedef struct dnsvet_probe_stats {
	unsigned queries;        /* queries this probe submitted to the engine */
	unsigned cache_hits;     /* lookups answered by the shared cache */
	unsigned rtts;           /* sequential round trips on the critical path: a query
	                          * caused by an answer has depth 1 + that answer's query's
	                          * depth; this is the largest depth */
	unsigned budget_exhausted; /* 1 if the query budget stopped some work */
	double elapsed_ms;       /* start to done */
} dnsvet_probe_stats;

/*
 * Called once when the probe has finished. st is DNSVET_OK when an
 * observation set was produced (network failures, lame servers, names not
 * delegated ... are observations inside it, not errors); otherwise obs is
 * NULL (DNSVET_ERR_NOMEM, DNSVET_ERR_INTERNAL). The callback owns obs and
 * frees it with dnsvet_obs_free. probe and stats are valid only during the
 * call; the probe frees itself after the callback returns. The callback may
 * start new probes and submit queries on the engine.
 */
typedef void (*dnsvet_probe_done_cb)(dnsvet_probe *probe, dnsvet_status st, dnsvet_obs *obs,
                                     const dnsvet_probe_stats *stats, void *user);

/*
 * Start probing the domain of expect. engine, cache, opts (NULL: defaults)
 * and expect are borrowed and must outlive the probe; the questions are
 * copied. Nothing is sent before the embedder steps the engine, and done is
 * never called from inside this function. *out (may be NULL) receives a
 * handle usable until done runs. Returns DNSVET_ERR_INVALID for a bad
 * question (unknown type, invalid name) or missing arguments.
 */
DNSVET_API dnsvet_status dnsvet_probe_start(dnsvet_engine *engine, dnsvet_probe_cache *cache,
                                            const dnsvet_probe_opts *opts,
                                            const dnsvet_expect *expect,
                                            const dnsvet_probe_question *questions, size_t n_questions,
                                            dnsvet_probe_done_cb done, void *user,
                                            dnsvet_probe **out);

/* Stop a probe whose done callback has not run: done will not be called.
 * Its queries still in flight finish in the engine and are ignored; memory
 * is released when the last one returns (or when the engine is freed). */
DNSVET_API void dnsvet_probe_cancel(dnsvet_probe *probe);

/* The domain a running probe checks (borrowed). */
DNSVET_API const char *dnsvet_probe_domain(const dnsvet_probe *probe);

/*
 * Blocking convenience: start one probe and step the engine until it is done
 * (other work on the engine progresses too). *obs is owned by the caller
 * (dnsvet_obs_free); stats may be NULL. Not from inside an engine callback
 * (DNSVET_ERR_STATE).
 */
DNSVET_API dnsvet_status dnsvet_probe_run(dnsvet_engine *engine, dnsvet_probe_cache *cache,
                                          const dnsvet_probe_opts *opts,
                                          const dnsvet_expect *expect,
                                          const dnsvet_probe_question *questions, size_t n_questions,
                                          dnsvet_obs **obs, dnsvet_probe_stats *stats);

/* ------------------------------------------------------------------ */
/* Follow-up questions (rules' ctx:query)                              */
/* ------------------------------------------------------------------ */

/*
 * Called once with the new `answers` entries (a list node in the shape of
 * docs/observations.md, one entry per question, in question order) that the
 * caller adds to the observation set so that a recording holds them. The
 * callback owns answers (dnsvet_node_free); NULL when st is not DNSVET_OK.
 */
typedef void (*dnsvet_probe_followup_cb)(dnsvet_status st, dnsvet_node *answers, void *user);

/*
 * Ask more questions after a probe: AUTH questions go to the servers the
 * observation set lists for the zone holding each name (a name in a zone not
 * met yet is delegated from the cache first), RESOLVERS questions to its
 * sampled resolvers, SERVERS questions to the addresses given. obs is the
 * tree of a finished probe (dnsvet_obs' root map), borrowed until done runs.
 * Same threading and callback rules as dnsvet_probe_start.
 */
DNSVET_API dnsvet_status dnsvet_probe_followup(dnsvet_engine *engine, dnsvet_probe_cache *cache,
                                               const dnsvet_probe_opts *opts,
                                               const dnsvet_node *obs,
                                               const dnsvet_probe_question *questions, size_t n_questions,
                                               dnsvet_probe_followup_cb done, void *user);

#ifdef __cplusplus
}
#endif
#endif
