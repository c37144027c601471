/*
 * Non-blocking DNS query engine: thousands of queries in flight from one
 * thread, each sent straight to one server address (no recursion of its
 * own), UDP with EDNS0 and TCP fallback on truncation, retries with backoff,
 * strict answer matching (ID, source address and port, question).
 *
 * Threading: an engine is used from one thread at a time; two engines never
 * share state, so one engine per thread is the intended pattern.
 *
 * Also here: address parsing/printing, root hints and resolver lists, which
 * are the engine's configuration inputs.
 */
#ifndef DNSVET_ENGINE_H
#define DNSVET_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <ldns/ldns.h>

#include <dnsvet/common.h>
#include <dnsvet/status.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnsvet_engine dnsvet_engine;
typedef struct dnsvet_result dnsvet_result;

/* ------------------------------------------------------------------ */
/* Addresses                                                           */
/* ------------------------------------------------------------------ */

/* Enough for "[v6%scope]:port" plus the terminating NUL. */
#define DNSVET_ADDRSTRLEN 80

/*
 * Parse a numeric server address: "192.0.2.1", "192.0.2.1:5353", "2001:db8::1",
 * "[2001:db8::1]", "[2001:db8::1]:5353", "fe80::1%eth0". No name lookups.
 * default_port is used when the text has none. Writes *out and *outlen.
 * Returns DNSVET_ERR_INVALID for anything else.
 */
DNSVET_API dnsvet_status dnsvet_engine_addr_parse(const char *text, uint16_t default_port,
                                                  struct sockaddr_storage *out, socklen_t *outlen);

/*
 * Render an address as "192.0.2.1:53" or "[2001:db8::1]:53" (the form
 * dnsvet_engine_addr_parse reads back) into buf (DNSVET_ADDRSTRLEN bytes is
 * always enough). Returns buf; "?" for an unknown family.
 */
DNSVET_API const char *dnsvet_engine_addr_str(const struct sockaddr *sa, char *buf, size_t buflen);

/* ------------------------------------------------------------------ */
/* Engine                                                              */
/* ------------------------------------------------------------------ */

typedef struct dnsvet_engine_opts {
	unsigned timeout_ms;      /* timeout of a query's first try; later tries double it */
	unsigned timeout_max_ms;  /* cap on one try's timeout after backoff */
	unsigned retries;         /* tries after the first one that timed out (0 = one try) */
	unsigned max_inflight;    /* queries holding a socket at once; each needs one fd (UDP
	                           * sockets stay open between tries: up to this many) */
	unsigned max_per_server;  /* queries in flight to one server address (0 = no cap) */
	unsigned qps;             /* new queries started per second, 0 = unlimited */
	uint16_t edns_size;       /* EDNS0 UDP size advertised; 0 = no OPT record unless DO */
} dnsvet_engine_opts;

/* Fill opts with the defaults: 1000 ms, 4000 ms, 2 retries, 256 in flight,
 * 32 per server, unlimited qps, EDNS size 1232. */
DNSVET_API void dnsvet_engine_opts_default(dnsvet_engine_opts *opts);

/* Query flags (dnsvet_query.flags). */
#define DNSVET_QF_RD      0x0001u /* recursion desired (for recursive resolvers) */
#define DNSVET_QF_CD      0x0002u /* checking disabled */
#define DNSVET_QF_DO      0x0004u /* DNSSEC OK: implies an OPT record */
#define DNSVET_QF_NOEDNS  0x0008u /* no OPT record (plain RFC 1035 query) */
#define DNSVET_QF_TCP     0x0010u /* go straight to TCP */
#define DNSVET_QF_NORETRY 0x0020u /* a single try whatever opts.retries says */

typedef struct dnsvet_query {
	struct sockaddr_storage addr; /* the server, see dnsvet_engine_addr_parse */
	socklen_t addrlen;
	const char *qname;            /* presentation form; copied by submit */
	uint16_t qtype;               /* LDNS_RR_TYPE_* */
	uint16_t qclass;              /* LDNS_RR_CLASS_*, 0 means IN */
	unsigned flags;               /* DNSVET_QF_* */
	unsigned timeout_ms;          /* this query's first-try timeout, 0 = the engine's */
} dnsvet_query;

/*
 * Completion callback, called exactly once per submitted query, from
 * dnsvet_engine_step/run/query_sync/cancel_all/free (never from submit).
 * res is owned by the engine and valid only during the call unless the
 * callback takes it with dnsvet_result_take. The callback may submit new
 * queries and call dnsvet_engine_cancel_all; it must not call step, run,
 * query_sync or free on the same engine (those return DNSVET_ERR_STATE).
 */
typedef void (*dnsvet_engine_cb)(dnsvet_engine *eng, const dnsvet_result *res, void *user);

/*
 * Create an engine. opts NULL means dnsvet_engine_opts_default. Fails with
 * DNSVET_ERR_INVALID on zero timeouts or max_inflight, DNSVET_ERR_IO if the
 * epoll instance cannot be made. Caller frees with dnsvet_engine_free.
 */
DNSVET_API dnsvet_status dnsvet_engine_new(const dnsvet_engine_opts *opts, dnsvet_engine **out);

/* Cancel every pending query (their callbacks run with DNSVET_QERR_CANCELLED)
 * and free the engine. NULL is a no-op. Not from inside a callback. */
DNSVET_API void dnsvet_engine_free(dnsvet_engine *eng);

/*
 * Queue a query; q and q->qname are copied, nothing is sent before the next
 * step. cb (required) is called once with the outcome. Returns
 * DNSVET_ERR_INVALID for a bad name or address family (cb is then not
 * called), DNSVET_ERR_STATE while cancel_all/free is running.
 */
DNSVET_API dnsvet_status dnsvet_engine_submit(dnsvet_engine *eng, const dnsvet_query *q,
                                              dnsvet_engine_cb cb, void *user);

/* Drive every pending query, including ones submitted by callbacks, to its
 * callback. */
DNSVET_API dnsvet_status dnsvet_engine_run(dnsvet_engine *eng);

/*
 * One loop iteration for embedders: start queued queries, wait up to
 * max_wait_ms (-1: until the next deadline, 0: don't block) for socket
 * events, handle them and expired deadlines, run callbacks.
 */
DNSVET_API dnsvet_status dnsvet_engine_step(dnsvet_engine *eng, int max_wait_ms);

/* The engine's epoll descriptor: readable when step has socket work. Owned
 * by the engine; poll it, never read or close it. */
DNSVET_API int dnsvet_engine_fd(const dnsvet_engine *eng);

/* Milliseconds until step has timer work (a deadline or a rate-limited
 * start): 0 if it has work now, -1 if nothing is pending at all. */
DNSVET_API int dnsvet_engine_next_timeout_ms(const dnsvet_engine *eng);

/* Queries submitted whose callback has not run yet. */
DNSVET_API size_t dnsvet_engine_pending(const dnsvet_engine *eng);

/* Complete every pending query with DNSVET_QERR_CANCELLED (callbacks run
 * before this returns; submits from them are refused). */
DNSVET_API void dnsvet_engine_cancel_all(dnsvet_engine *eng);

typedef struct dnsvet_engine_stats {
	uint64_t submitted;        /* queries accepted by submit */
	uint64_t completed;        /* callbacks run */
	uint64_t sent_udp;         /* UDP datagrams sent (every try) */
	uint64_t sent_tcp;         /* TCP connections opened for a query */
	uint64_t tcp_fallbacks;    /* UDP answers with TC that moved a query to TCP */
	uint64_t accepted;         /* answers matched and handed to a callback */
	uint64_t dropped_id;       /* well-formed answers with another query ID */
	uint64_t dropped_source;   /* datagrams from an address/port not queried */
	uint64_t dropped_question; /* right ID, question not the one asked */
	uint64_t malformed;        /* datagrams/messages that are not DNS answers */
	uint64_t retries;          /* tries re-sent after a timeout */
	uint64_t timeouts;         /* queries that ended with DNSVET_QERR_TIMEOUT */
	uint64_t errors;           /* queries that ended with any error */
} dnsvet_engine_stats;

/* Copy the engine's counters into *out. */
DNSVET_API void dnsvet_engine_stats_get(const dnsvet_engine *eng, dnsvet_engine_stats *out);

/*
 * Blocking convenience: submit q and step until it completes (other pending
 * queries progress too and their callbacks run). *out receives the result
 * even when it carries an error; caller frees with dnsvet_result_free.
 * DNSVET_ERR_STATE when called from a callback.
 */
DNSVET_API dnsvet_status dnsvet_engine_query_sync(dnsvet_engine *eng, const dnsvet_query *q,
                                                  dnsvet_result **out);

/* ------------------------------------------------------------------ */
/* Results                                                             */
/* ------------------------------------------------------------------ */

typedef enum dnsvet_transport {
	DNSVET_TRANSPORT_UDP = 0,
	DNSVET_TRANSPORT_TCP
} dnsvet_transport;

/* Why a query has no usable answer. */
typedef enum dnsvet_qerror {
	DNSVET_QERR_NONE = 0,    /* an answer was accepted (any rcode) */
	DNSVET_QERR_TIMEOUT,     /* no answer before the last try's deadline */
	DNSVET_QERR_UNREACHABLE, /* no route / network or host unreachable / address unusable */
	DNSVET_QERR_REFUSED,     /* connection refused: ICMP port unreachable (UDP) or RST (TCP) */
	DNSVET_QERR_MALFORMED,   /* the server answered with something that is not valid DNS */
	DNSVET_QERR_TRUNCATED,   /* TC set even over TCP */
	DNSVET_QERR_CLOSED,      /* TCP connection closed before a whole answer arrived */
	DNSVET_QERR_CANCELLED,   /* dnsvet_engine_cancel_all or engine freed */
	DNSVET_QERR_IO           /* any other socket error, see dnsvet_result_errno */
} dnsvet_qerror;

/* Short static name of an error ("timeout", "refused connection", ...). */
DNSVET_API const char *dnsvet_qerror_str(dnsvet_qerror err);
DNSVET_API const char *dnsvet_transport_str(dnsvet_transport t);

/* Header flag bits of an answer (dnsvet_result_flags). */
#define DNSVET_RF_QR 0x0001u
#define DNSVET_RF_AA 0x0002u
#define DNSVET_RF_TC 0x0004u
#define DNSVET_RF_RD 0x0008u
#define DNSVET_RF_RA 0x0010u
#define DNSVET_RF_AD 0x0020u
#define DNSVET_RF_CD 0x0040u

/* The server asked, its text form, and the transport of the last try. */
DNSVET_API const struct sockaddr *dnsvet_result_addr(const dnsvet_result *r, socklen_t *len);
DNSVET_API const char *dnsvet_result_addr_str(const dnsvet_result *r);
DNSVET_API dnsvet_transport dnsvet_result_transport(const dnsvet_result *r);

/* The question as asked (qname in presentation form, absolute). */
DNSVET_API const char *dnsvet_result_qname(const dnsvet_result *r);
DNSVET_API uint16_t dnsvet_result_qtype(const dnsvet_result *r);
DNSVET_API uint16_t dnsvet_result_qclass(const dnsvet_result *r);

/* DNSVET_QERR_NONE when an answer was accepted. */
DNSVET_API dnsvet_qerror dnsvet_result_error(const dnsvet_result *r);
/* The errno behind UNREACHABLE/REFUSED/IO errors, 0 otherwise. */
DNSVET_API int dnsvet_result_errno(const dnsvet_result *r);

/* Full (EDNS-extended) rcode; -1 when there is no answer packet. */
DNSVET_API int dnsvet_result_rcode(const dnsvet_result *r);
/* DNSVET_RF_* bits of the answer header, 0 without a packet. */
DNSVET_API unsigned dnsvet_result_flags(const dnsvet_result *r);
/* The parsed answer, owned by the result (NULL without one). A TRUNCATED
 * result keeps the packet it got. */
DNSVET_API const ldns_pkt *dnsvet_result_pkt(const dnsvet_result *r);
/* Sections of the answer (NULL without a packet); owned by the result. */
DNSVET_API const ldns_rr_list *dnsvet_result_answer(const dnsvet_result *r);
DNSVET_API const ldns_rr_list *dnsvet_result_authority(const dnsvet_result *r);
DNSVET_API const ldns_rr_list *dnsvet_result_additional(const dnsvet_result *r);
/* Size in bytes of the accepted answer message. */
DNSVET_API size_t dnsvet_result_size(const dnsvet_result *r);

/* Round-trip time of the last try in milliseconds (0 when unanswered). */
DNSVET_API double dnsvet_result_rtt_ms(const dnsvet_result *r);
/* Tries made: UDP sends plus TCP connections. */
DNSVET_API unsigned dnsvet_result_tries(const dnsvet_result *r);

/*
 * Take ownership of the result a callback was given, so it outlives the
 * callback; only valid inside that callback and only once (a second call
 * returns NULL). Caller frees with dnsvet_result_free.
 */
DNSVET_API dnsvet_result *dnsvet_result_take(const dnsvet_result *r);
/* Deep copy of any result; caller frees with dnsvet_result_free. NULL on
 * allocation failure. */
DNSVET_API dnsvet_result *dnsvet_result_clone(const dnsvet_result *r);
/* Free a taken, cloned or query_sync result; NULL is a no-op. */
DNSVET_API void dnsvet_result_free(dnsvet_result *r);

/*
 * dig-like text of a result: a header comment line with server, transport,
 * rtt and tries, then the error or the packet. Caller frees with free();
 * NULL on allocation failure.
 */
DNSVET_API char *dnsvet_result_render(const dnsvet_result *r);

/* ------------------------------------------------------------------ */
/* Root hints and resolver lists                                       */
/* ------------------------------------------------------------------ */

/* One server address: for root hints the server's name, for resolver lists
 * the text it was read from. */
typedef struct dnsvet_server_addr {
	char name[256];
	struct sockaddr_storage addr;
	socklen_t addrlen;
} dnsvet_server_addr;

typedef struct dnsvet_addrlist dnsvet_addrlist;

DNSVET_API size_t dnsvet_addrlist_count(const dnsvet_addrlist *l);
/* The i-th entry (i < count), owned by the list. */
DNSVET_API const dnsvet_server_addr *dnsvet_addrlist_get(const dnsvet_addrlist *l, size_t i);
/* NULL is a no-op. */
DNSVET_API void dnsvet_addrlist_free(dnsvet_addrlist *l);

/* Root hints: the root servers' names and addresses, as a list of entries
 * (one per address, named after their server: "a.root-servers.net."). */
typedef dnsvet_addrlist dnsvet_roothints;

/* The IANA root hints compiled into dnsvet (13 servers, A and AAAA, port 53).
 * Caller frees with dnsvet_roothints_free. */
DNSVET_API dnsvet_status dnsvet_roothints_default(dnsvet_roothints **out);

/*
 * Read a named.root-format file (NS records for "." and A/AAAA glue). The
 * addresses get port port (53 normally). Only A/AAAA records of names the
 * "." NS set lists are kept. On failure errbuf (if not NULL) holds
 * "file:line: reason". DNSVET_ERR_IO if unreadable, DNSVET_ERR_PARSE on a
 * syntax error or when no address is found. Caller frees with
 * dnsvet_roothints_free.
 */
DNSVET_API dnsvet_status dnsvet_roothints_load(const char *path, uint16_t port,
                                               dnsvet_roothints **out, char *errbuf, size_t errlen);
DNSVET_API void dnsvet_roothints_free(dnsvet_roothints *h);

/*
 * Parse a resolver list: addresses as dnsvet_engine_addr_parse reads them,
 * separated by commas, blanks or newlines; '#' starts a comment to the end
 * of the line. On failure errbuf holds "where:line: reason", where is
 * origin (e.g. "LAB_RESOLVERS") or "resolvers". An empty list is
 * DNSVET_ERR_PARSE. Caller frees with dnsvet_addrlist_free.
 */
DNSVET_API dnsvet_status dnsvet_resolvers_parse(const char *text, const char *origin,
                                                uint16_t default_port, dnsvet_addrlist **out,
                                                char *errbuf, size_t errlen);
/* Same, reading the list from a file (errors name the file). */
DNSVET_API dnsvet_status dnsvet_resolvers_load(const char *path, uint16_t default_port,
                                               dnsvet_addrlist **out, char *errbuf, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
