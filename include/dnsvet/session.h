/*
 * Sessions and checks: the whole diagnosis of a domain in one call.
 *
 * A dnsvet_session holds what every check of a run shares: the query engine, the probe
 * cache (referrals, NS sets and addresses, honouring TTLs), the root hints, the resolvers
 * to sample and the compiled rules. Build one from options and reuse it for any number of
 * checks. A session belongs to one thread; use one session per thread.
 *
 * A dnsvet_check is one request: a domain and what it should publish (SES identity JSON,
 * DKIM tokens, MAIL FROM, explicit records ...). A check runs the probe (delegation,
 * authoritative servers, resolvers), then the selected rules with their follow-up queries,
 * and yields a dnsvet_report (include/dnsvet/report.h).
 *
 * Two ways to run checks:
 * - blocking: dnsvet_session_check(session, check, &report);
 * - asynchronous, for servers with their own event loop: dnsvet_session_submit() any number
 *   of checks, then wait until dnsvet_session_fd() is readable or
 *   dnsvet_session_next_timeout_ms() has passed, and call dnsvet_session_process(); each
 *   check's callback runs once, from inside dnsvet_session_process().
 *
 * The library never prints and never exits: messages go to the log callback.
 */
#ifndef DNSVET_SESSION_H
#define DNSVET_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <dnsvet/common.h>
#include <dnsvet/status.h>
#include <dnsvet/expect.h>
#include <dnsvet/report.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnsvet_session dnsvet_session;
typedef struct dnsvet_check dnsvet_check;

typedef enum dnsvet_log_level {
	DNSVET_LOG_ERROR = 0,
	DNSVET_LOG_WARNING,
	DNSVET_LOG_NOTICE,
	DNSVET_LOG_DEBUG
} dnsvet_log_level;

/* message is borrowed for the duration of the call. */
typedef void (*dnsvet_log_cb)(void *user, dnsvet_log_level level, const char *message);

typedef struct dnsvet_session_opts {
	/* A named.root-format file replacing IANA's compiled-in root hints; NULL: IANA's. */
	const char *root_hints_file;
	/* Resolvers to sample: addresses separated by commas or blanks ("8.8.8.8, 1.1.1.1",
	 * "127.0.0.1@5353", "[::1]:53"), or "none" for no sampling. NULL: the built-in public
	 * list plus the system resolver. resolvers_file reads the same from a file. */
	const char *resolvers;
	const char *resolvers_file;
	/* Built-in rules directory; NULL: dnsvet_rules_default_dir(); "": none. */
	const char *builtin_rules_dir;
	/* User rule directories; a rule with a built-in's id replaces it (logged as a notice). */
	const char *const *rules_dirs;
	size_t n_rules_dirs;
	/* Rule selection (dnsvet_rules_select grammar: "ses and not dmarc", "record.*");
	 * NULL or "": all. */
	const char *select;
	unsigned timeout_ms;       /* first-try timeout of each query; 0: engine default */
	unsigned query_budget;     /* queries per domain; 0: the probe's default */
	unsigned max_per_server;   /* queries in flight to one server address; 0: 32 */
	unsigned qps;              /* new queries per second for the whole session; 0: no cap */
	unsigned max_checks;       /* checks probing at once; more wait in a queue; 0: 64 */
	/* Lab mode: loopback and private server addresses count as public. */
	int lab;
	uint64_t rule_instruction_budget; /* per rule per domain; 0: the rule engine's default */
	size_t rule_memory_cap;           /* bytes per rule per domain; 0: the default */
	/* Fixed "now" for observations (tests); 0: the clock. */
	time_t now;
	dnsvet_log_cb log;         /* NULL: messages are dropped */
	void *log_user;
} dnsvet_session_opts;

/* Fills opts with the defaults described above (zeros and NULLs). */
DNSVET_API void dnsvet_session_opts_default(dnsvet_session_opts *opts);

/*
 * Builds a session: loads root hints, resolvers and rules and compiles the selected rules.
 * opts is copied (strings too); NULL: defaults. On error *out is NULL and errbuf (may be
 * NULL) names the cause and the place ("--resolvers: '8.8.8.x' is not an address",
 * "rules/x.lua:3: ..."). Broken rule files are not errors: they are logged and left out.
 * Caller frees with dnsvet_session_free.
 */
DNSVET_API dnsvet_status dnsvet_session_new(const dnsvet_session_opts *opts,
                                            dnsvet_session **out, char *errbuf, size_t errlen);

/* Cancels checks still running (their callbacks are not called) and frees everything.
 * NULL is a no-op. Not from inside a callback. */
DNSVET_API void dnsvet_session_free(dnsvet_session *session);

/* ------------------------------------------------------------------ */
/* Check requests                                                      */
/* ------------------------------------------------------------------ */

/*
 * A check of domain with no expectations yet (generic checks only: delegation, SPF,
 * DMARC). DNSVET_ERR_INVALID with a message in errbuf when domain is not a valid name.
 * Caller frees with dnsvet_check_free, unless dnsvet_session_submit takes it.
 */
DNSVET_API dnsvet_status dnsvet_check_new(const char *domain, dnsvet_check **out,
                                          char *errbuf, size_t errlen);
DNSVET_API void dnsvet_check_free(dnsvet_check *check);

/* The check's expectations, to fill with the dnsvet_expect_* setters (expect.h): DKIM
 * tokens, region, MAIL FROM, BYODKIM selector, legacy token, records, edited NS ...
 * Borrowed: lives as long as the check. */
DNSVET_API dnsvet_expect *dnsvet_check_expect(dnsvet_check *check);

/* Shorthand for dnsvet_expect_load_ses_json on the check's expectations: the JSON that
 * `aws sesv2 get-email-identity` prints. Errors name the field, or line and column. */
DNSVET_API dnsvet_status dnsvet_check_set_ses_identity(dnsvet_check *check, const char *json,
                                                       size_t len, char *errbuf, size_t errlen);

/* Save the observation set (dnsvet.obs/1 YAML, with the rules' follow-up answers) to path
 * when the check ends. The copy of path is the check's. */
DNSVET_API dnsvet_status dnsvet_check_set_record(dnsvet_check *check, const char *path);

/* Run offline from a recording instead of the network: the probe is skipped and the rules'
 * follow-up queries are read from it. The domain and expectations come from the file. A
 * recording that cannot be read, whose expectations would be rejected, or that lacks the
 * answer to an expected record or to the domain's SOA or NS gives a report with status
 * DNSVET_ERR_PARSE (or the I/O error) naming the file and place (docs/observations.md). */
DNSVET_API dnsvet_status dnsvet_check_set_replay(dnsvet_check *check, const char *path);

/* A label the embedder chooses (a customer id ...), copied, returned by
 * dnsvet_report_label. */
DNSVET_API dnsvet_status dnsvet_check_set_label(dnsvet_check *check, const char *label);

/* ------------------------------------------------------------------ */
/* Running                                                             */
/* ------------------------------------------------------------------ */

/*
 * Called once per submitted check, from inside dnsvet_session_process (or a blocking
 * call). The callback owns report and frees it with dnsvet_report_free. It may submit more
 * checks. A check that cannot run at all (its recording is unreadable, ...) still gets a
 * report: verdict UNKNOWN and dnsvet_report_status() saying why.
 */
typedef void (*dnsvet_check_done_cb)(dnsvet_session *session, dnsvet_report *report, void *user);

/* Starts check (the session takes it over, also on error). Nothing is sent before the next
 * dnsvet_session_process. Errors: DNSVET_ERR_NOMEM, DNSVET_ERR_INVALID (no callback). */
DNSVET_API dnsvet_status dnsvet_session_submit(dnsvet_session *session, dnsvet_check *check,
                                               dnsvet_check_done_cb done, void *user);

/* A file descriptor that becomes readable when dnsvet_session_process has work: add it to
 * poll/epoll/select for reading. Borrowed, valid while the session lives. */
DNSVET_API int dnsvet_session_fd(const dnsvet_session *session);

/* Milliseconds until dnsvet_session_process must be called even if the fd stays quiet;
 * -1 when nothing is waiting on a timer. */
DNSVET_API int dnsvet_session_next_timeout_ms(const dnsvet_session *session);

/* Does the work that is ready, waiting at most max_wait_ms (0: not at all, -1: until
 * something happens) and runs the callbacks of checks that finish. */
DNSVET_API dnsvet_status dnsvet_session_process(dnsvet_session *session, int max_wait_ms);

/* Checks submitted and not yet finished. */
DNSVET_API size_t dnsvet_session_pending(const dnsvet_session *session);

/* Processes until every submitted check has finished. */
DNSVET_API dnsvet_status dnsvet_session_run(dnsvet_session *session);

/* Blocking: runs one check to the end (other submitted checks progress too). Takes check
 * over; *report is the caller's (dnsvet_report_free). Not from inside a callback
 * (DNSVET_ERR_STATE). */
DNSVET_API dnsvet_status dnsvet_session_check(dnsvet_session *session, dnsvet_check *check,
                                              dnsvet_report **report);

typedef struct dnsvet_session_stats {
	uint64_t checks;        /* checks finished */
	uint64_t queries;       /* queries sent */
	uint64_t cache_hits;    /* probe lookups answered by the shared cache */
} dnsvet_session_stats;

DNSVET_API void dnsvet_session_stats_get(const dnsvet_session *session, dnsvet_session_stats *out);

#ifdef __cplusplus
}
#endif
#endif
