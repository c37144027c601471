/*
 * Internal state of one probe. A probe locates every name it cares about
 * (walking referrals from the deepest zone cut it already knows), asks the
 * questions of each name of interest of every server of the zone holding it,
 * resolves server names and CNAME targets with single-server lookups, samples
 * resolvers, and finally turns all of it into the observation tree.
 *
 * Everything is driven by engine callbacks; `outstanding` counts this probe's
 * queries in flight, and when it drops to zero whatever still waits can only
 * be waiting on itself (a glueless cycle), which is failed and reported.
 */
#ifndef DNSVET_PROBE_INT_H
#define DNSVET_PROBE_INT_H

#include <ldns/ldns.h>
#include <dnsvet/probe.h>
#include <dnsvet/engine.h>
#include <dnsvet/node.h>

#include "probe/cache.h"
#include "probe/pr_util.h"

/* Who named a server (pr_server.source). */
#define PR_SRC_PARENT 0x1u
#define PR_SRC_CHILD  0x2u
#define PR_SRC_MNAME  0x4u
#define PR_SRC_EDITED 0x8u

typedef struct pr_probe pr_probe;
typedef struct pr_zone pr_zone;
typedef struct pr_name pr_name;
typedef struct pr_lookup pr_lookup;
typedef struct pr_quest pr_quest;

/* One address of a server. */
typedef struct pr_addr {
	char text[DNSVET_ADDRSTRLEN];   /* observation form */
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned depth;                 /* round trip at which it became known */
	const char *skip;               /* not asked: "private_address" */
	/* Classification from the zone's SOA question. */
	int classified;
	const char *lame;               /* NULL when ok */
	int has_serial;
	uint32_t serial;
	int answered;                   /* a reply came back (rtt_ms is meaningful) */
	double rtt_ms;
} pr_addr;

/* One name server of a zone. */
typedef struct pr_server {
	char *name;
	unsigned source;                /* PR_SRC_* */
	pr_ptrv addrs;                  /* pr_addr* */
	int addr_state;                 /* 0 not asked, 1 resolving, 2 done */
	int addr_pending;               /* lookups still running */
	char *addr_error;               /* why no address was found */
} pr_server;

struct pr_zone {
	char *name;                     /* "" = root */
	char *parent;                   /* NULL for the root */
	unsigned depth;                 /* when the zone's existence became known */
	pr_strv parent_ns, glue, child_ns;
	char *soa;                      /* the first authoritative SOA answer */
	pr_ptrv servers;                /* pr_server* */
	pr_strv errors;
	int interest;                   /* apex questions asked, every server resolved */
	int dead;                       /* no server can ever be reached */
	char *dead_reason;
	int settled;                    /* address lookups can bring nothing new: stop waiting */
	int upward;                     /* some server answered with an upward referral */
	pr_strv upward_targets;
	pr_ptrv batch;                  /* pr_name*: questions go to every address */
	pr_ptrv waiting;                /* pr_step* waiting for an address */
	pr_ptrv waiting_lk;             /* pr_lookup* waiting for an address */
	pr_quest *apex_soa, *apex_ns;
};

/* A step: one query to one server of a zone to learn the next zone cut toward
 * a name; names that share the next label below the zone wait on the same step. */
typedef struct pr_step {
	char *key;
	pr_zone *zone;
	pr_name *owner;
	uint16_t qtype;
	pr_ptrv waiters;                /* pr_name* (owner included) */
	pr_ptrv tried;                  /* pr_addr* already asked (failover) */
	int inflight;
	char *last_error;
	unsigned depth;                 /* max arrival depth of its names */
} pr_step;

enum pr_name_state {
	PN_NEW = 0,
	PN_STEP,       /* waiting on a step */
	PN_BATCH,      /* questions sent to every server of `at` */
	PN_HELD,       /* aux: the zone holding it is known, lookups asked there */
	PN_FAILED
};

struct pr_name {
	char *name;
	int interest;                   /* its questions go to every server */
	int state;
	pr_zone *at;                    /* deepest zone reached */
	pr_zone *holder;                /* the zone that answered authoritatively */
	int nx;                         /* holder said NXDOMAIN for this name */
	unsigned steps;                 /* referrals followed */
	unsigned depth;                 /* when it reached `at` */
	char *error;
	pr_step *step;
	pr_ptrv quests;                 /* interest: pr_quest* */
	pr_ptrv lookups;                /* aux: pr_lookup* */
};

/* One reply to one question from one server or resolver. */
typedef struct pr_reply {
	char *server;                   /* NS name; NULL for resolvers */
	pr_server *srv;                 /* its current sources are written out */
	char addr[DNSVET_ADDRSTRLEN];
	unsigned source;
	pr_zone *zone;                  /* asked as a server of this zone */
	int done;
	int qerr;                       /* dnsvet_qerror */
	int rcode;
	unsigned flags;                 /* DNSVET_RF_* */
	double rtt_ms;
	pr_strv answer, authority;
	struct pr_reply *cd;            /* the CD=1 retry after SERVFAIL */
} pr_reply;

/* One (name, type) question and everything answered to it. */
struct pr_quest {
	char *name;
	uint16_t type;
	unsigned target;                /* DNSVET_PROBE_TO_* */
	pr_name *pn;
	int requested;                  /* asked by a rule (follow-ups list only these) */
	int follow;                     /* CNAMEs in its answers are followed */
	pr_ptrv auth;                   /* pr_reply*, every zone asked */
	pr_ptrv res;                    /* pr_reply*, one per resolver, in order */
	pr_ptrv srv;                    /* pr_reply*, explicit servers */
	pr_strv sent;                   /* "zone|addr" already asked */
	pr_strv explicit_servers;       /* DNSVET_PROBE_TO_SERVERS addresses */
	/* CNAME chain. */
	int chain_state;                /* 0 none, 1 running, 2 done */
	char *chain_cur;
	uint16_t chain_type;
	unsigned chain_links;
	pr_strv chain_seen;
	pr_strv chain;
	char *chain_rcode;
	char *chain_error;
	unsigned chain_depth;
};

/* Something waiting on a lookup. */
typedef struct pr_lwait {
	int kind;                       /* 1 server address, 2 chain */
	pr_zone *zone;
	pr_server *srv;
	pr_quest *q;
} pr_lwait;

/* A single-server lookup of (name, type): server addresses, chain targets. */
struct pr_lookup {
	pr_name *pn;
	uint16_t type;
	int state;                      /* 0 waiting, 1 asking, 2 done */
	int rcode;                      /* -1 failed */
	pr_strv rrs;
	char *soa;
	char *error;
	unsigned depth;
	pr_ptrv tried;                  /* pr_addr* already asked (failover) */
	int inflight;
	pr_zone *asked;
	pr_ptrv waiters;                /* pr_lwait* */
};

/* A resolver sampled. */
typedef struct pr_resolver {
	char addr[DNSVET_ADDRSTRLEN];
	char label[64];
	struct sockaddr_storage ss;
	socklen_t len;
} pr_resolver;

/* An expected record, as the probe needs it. */
typedef struct pr_record {
	char *name;
	uint16_t type;
	char *value;
} pr_record;

/* Everything the probe is asked to do. */
typedef struct pr_input {
	char domain[PR_NAME_MAX];
	pr_record *recs;
	size_t n_recs;
	pr_strv edited_ns;
	dnsvet_node *expect_node;       /* owned: the obs `expect` section */
	dnsvet_node *ses_node;          /* owned: the obs `ses` section, or NULL */
} pr_input;

void pr_input_clear(pr_input *in);
/* From dnsvet_expect (core/probe/input.c). */
dnsvet_status pr_input_from_expect(const dnsvet_expect *e, pr_input *in);

/* Called when an internal probe ends: tree is owned by the callee. */
typedef void (*pr_finish_cb)(pr_probe *p, dnsvet_status st, dnsvet_node *tree, void *user);

struct pr_probe {
	dnsvet_engine *eng;
	dnsvet_probe_cache *cache;
	dnsvet_probe_opts opts;
	pr_input in;
	int followup;                   /* only questions; no zones/resolver sampling */

	dnsvet_probe_done_cb done;
	dnsvet_probe_followup_cb fdone;
	void *user;

	int cancelled;
	int finished;
	int finishing;
	unsigned outstanding;
	dnsvet_probe_stats stats;
	double t0;
	time_t started;
	int nomem;

	pr_map zones;                   /* name -> pr_zone* */
	pr_ptrv zone_list;              /* creation order */
	pr_map names;                   /* "i/" or "a/" + name -> pr_name* */
	pr_ptrv name_list;
	pr_map steps;                   /* key -> pr_step* */
	pr_ptrv step_list;
	pr_map lookups;                 /* "type/name" -> pr_lookup* */
	pr_ptrv lookup_list;
	pr_ptrv quests;                 /* pr_quest* in answer order */
	pr_ptrv resolvers;              /* pr_resolver* */
	pr_ptrv lwaits;                 /* pr_lwait* owned */
	pr_zone *root;
	/* Follow-ups: the observation set's servers per zone. */
	const dnsvet_node *obs;
};

/* probe.c */
pr_probe *pr_probe_alloc(dnsvet_engine *eng, dnsvet_probe_cache *cache, const dnsvet_probe_opts *opts);
dnsvet_status pr_probe_launch(pr_probe *p, const dnsvet_probe_question *qs, size_t nq);
/* Frees now, or marks for freeing when the last query returns. */
void pr_probe_discard(pr_probe *p);
/* Steps the engine until *done. */
dnsvet_status pr_drive(dnsvet_engine *engine, int *done);

/* obs_glue.c: the dnsvet_obs object around a finished tree (takes tree). */
dnsvet_status pr_obs_wrap(dnsvet_node *tree, dnsvet_obs **out);
void pr_obs_free(dnsvet_obs *obs);

typedef struct pr_qctx pr_qctx;
enum pr_qkind {
	QK_STEP = 1,
	QK_BATCH,
	QK_LOOKUP,
	QK_RESOLVER,
	QK_RESOLVER_CD,
	QK_SERVER
};
struct pr_qctx {
	pr_probe *p;
	int kind;
	unsigned depth;
	pr_zone *zone;
	pr_addr *addr;
	pr_server *srv;
	pr_name *pn;
	pr_step *step;
	pr_quest *q;
	pr_reply *rep;
	pr_lookup *lk;
	int shared;                     /* its reply goes to the cache (pr_submit) */
};
/* Submit a query; ctx is consumed (freed on failure). Returns 0 when sent,
 * -1 when the budget is exhausted or the engine refused it. */
int pr_submit(pr_probe *p, pr_qctx *ctx, const struct sockaddr_storage *ss, socklen_t len,
              const char *name, uint16_t type, unsigned flags);
pr_qctx *pr_qctx_new(pr_probe *p, int kind, unsigned depth);
void pr_check_done(pr_probe *p);
void pr_oom(pr_probe *p);

/* zone.c */
pr_zone *pr_zone_get(pr_probe *p, const char *name);
pr_zone *pr_zone_new(pr_probe *p, const char *name, const char *parent, unsigned depth);
pr_zone *pr_zone_root(pr_probe *p);
/* The deepest zone known (probe or cache) enclosing name. */
pr_zone *pr_zone_deepest(pr_probe *p, const char *name);
pr_zone *pr_zone_from_referral(pr_probe *p, pr_zone *parent, const char *cut,
                               const dnsvet_result *r, unsigned depth);
pr_server *pr_zone_server(pr_probe *p, pr_zone *z, const char *name, unsigned source);
pr_addr *pr_server_add_addr(pr_probe *p, pr_zone *z, pr_server *s,
                            const struct sockaddr_storage *ss, socklen_t len, unsigned depth);
/* Usable addresses of a zone, in server order. */
size_t pr_zone_addrs(pr_zone *z, pr_addr **out, pr_server **srv, size_t max);
void pr_zone_resolve_all(pr_probe *p, pr_zone *z);
void pr_zone_interest(pr_probe *p, pr_zone *z);
int pr_zone_unresolved(pr_zone *z);  /* servers whose address lookup is still running */
void pr_zone_kick(pr_probe *p, pr_zone *z);
void pr_zone_fail(pr_probe *p, pr_zone *z, const char *reason);
void pr_server_lookup_done(pr_probe *p, pr_zone *z, pr_server *s, pr_lookup *lk);
void pr_server_resolve(pr_probe *p, pr_zone *z, pr_server *s);
void pr_zone_free(pr_zone *z);
void pr_classify(pr_addr *a, const dnsvet_result *r, const char *zone);

/* walk.c */
pr_name *pr_name_get(pr_probe *p, const char *name, int interest);
void pr_name_advance(pr_probe *p, pr_name *pn);
void pr_name_fail(pr_probe *p, pr_name *pn, const char *why);
void pr_name_hold(pr_probe *p, pr_name *pn, pr_zone *z, int nx);
void pr_batch_send(pr_probe *p, pr_name *pn, pr_zone *z);
void pr_batch_addr(pr_probe *p, pr_name *pn, pr_zone *z, pr_server *s, pr_addr *a);
void pr_step_kick(pr_probe *p, pr_step *st);
void pr_on_step(pr_probe *p, pr_qctx *c, const dnsvet_result *r);
void pr_on_batch(pr_probe *p, pr_qctx *c, const dnsvet_result *r);
/* The zone cut a referral names when it leads from zone below toward qname;
 * NULL when the answer is not such a referral. *upward set for a referral
 * that does not lead down. */
const char *pr_referral_cut(const dnsvet_result *r, const char *zone, const char *qname,
                            char *buf, int *upward);
pr_quest *pr_quest_get(pr_probe *p, pr_name *pn, uint16_t type, unsigned target);
void pr_name_free(pr_name *pn);
void pr_step_free(pr_step *st);
void pr_quest_free(pr_quest *q);
void pr_reply_free(pr_reply *r);
void pr_reply_fill(pr_reply *rep, const dnsvet_result *r);
char *pr_rr_str(const ldns_rr *rr);

/* rrtext.c: the text pr_rr_str gives, for the common types, into buf; the
 * length, or -1 when the record is left to ldns (another type, or longer
 * than cap). */
#define PR_RR_TEXT_MAX 4096
int pr_rr_format(const ldns_rr *rr, char *buf, size_t cap);
/* The name an rdf holds, normalised (pr_name_norm of its text); -1 if none. */
int pr_rdf_name(const ldns_rdf *rdf, char *out);
/* The parts of a record text pr_rr_str wrote ("owner ttl class type rdata"):
 * owner normalised, type, and where the RDATA starts; -1 if it is not one. */
int pr_rr_text_split(const char *text, char *owner, uint16_t *type, const char **rdata);
/* The first name of an RDATA text, normalised (a CNAME or NS target). */
int pr_text_name(const char *rdata, char *out);
/* An A or AAAA RDATA text as a port-53 address. */
int pr_text_addr(uint16_t type, const char *rdata, struct sockaddr_storage *ss, socklen_t *len);

/* lookup.c */
pr_lookup *pr_lookup_get(pr_probe *p, const char *name, uint16_t type, unsigned depth);
void pr_lookup_wait(pr_probe *p, pr_lookup *lk, pr_lwait *w);
void pr_lookup_ask(pr_probe *p, pr_lookup *lk);
void pr_lookup_fail(pr_probe *p, pr_lookup *lk, const char *why);
void pr_lookup_result(pr_probe *p, pr_lookup *lk, const dnsvet_result *r, unsigned depth);
void pr_on_lookup(pr_probe *p, pr_qctx *c, const dnsvet_result *r);
void pr_chain_start(pr_probe *p, pr_quest *q, const char *target, unsigned depth);
/* The type a CNAME chain from q's answers is followed for. */
uint16_t pr_chain_type(const pr_quest *q);
void pr_lookup_free(pr_lookup *lk);

/* resolvers.c */
dnsvet_status pr_resolvers_setup(pr_probe *p);
void pr_resolvers_ask(pr_probe *p, pr_quest *q);
void pr_on_resolver(pr_probe *p, pr_qctx *c, const dnsvet_result *r);
void pr_server_ask(pr_probe *p, pr_quest *q);
void pr_on_server(pr_probe *p, pr_qctx *c, const dnsvet_result *r);

/* obs_build.c */
dnsvet_node *pr_build_obs(pr_probe *p);
dnsvet_node *pr_build_answers(pr_probe *p);
dnsvet_node *pr_quest_node(pr_probe *p, pr_quest *q);

/* Type mnemonic ("TYPE65" for unknown) into buf. */
const char *pr_type_str(uint16_t type, char *buf, size_t len);
/* 0 when unknown. */
uint16_t pr_type_parse(const char *s);

#endif
