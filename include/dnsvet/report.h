/*
 * Reports: the outcome of one check (session.h). A report is immutable; it owns its
 * findings, its expected records with their states, and the observation set they came
 * from. Its JSON form is the dnsvet.report/1 schema (docs/report-schema.md).
 */
#ifndef DNSVET_REPORT_H
#define DNSVET_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <dnsvet/common.h>
#include <dnsvet/status.h>
#include <dnsvet/finding.h>
#include <dnsvet/obs.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DNSVET_REPORT_SCHEMA "dnsvet.report/1"

/* What the user reads first. */
typedef enum dnsvet_verdict {
	DNSVET_VERDICT_READY = 0, /* SES can verify now: no error finding, nothing pending */
	DNSVET_VERDICT_PENDING,   /* only propagation findings: right once caches expire */
	DNSVET_VERDICT_BROKEN,    /* an error finding: verification or delivery fails */
	DNSVET_VERDICT_UNKNOWN    /* nothing reachable, a required record's state unknown, or
	                           * the check could not run */
} dnsvet_verdict;

/* "ready", "pending", "broken", "unknown"; static, never NULL. */
DNSVET_API const char *dnsvet_verdict_str(dnsvet_verdict v);

/* The state of one expected record. */
typedef enum dnsvet_record_state {
	DNSVET_RECORD_OK = 0,     /* every authoritative server serves it, resolvers agree */
	DNSVET_RECORD_PENDING,    /* authoritative servers right, some resolvers not yet */
	DNSVET_RECORD_WRONG,      /* present with another value or type */
	DNSVET_RECORD_MISSING,    /* not on the authoritative servers */
	DNSVET_RECORD_UNKNOWN     /* no authoritative server could be asked */
} dnsvet_record_state;

/* "ok", "pending", "wrong", "missing", "unknown"; static, never NULL. */
DNSVET_API const char *dnsvet_record_state_str(dnsvet_record_state s);

typedef struct dnsvet_report dnsvet_report;

/* One expected record and what was seen. Strings borrowed from the report; value and
 * seen may be NULL. */
typedef struct dnsvet_report_record {
	const char *name;         /* absolute, no trailing dot */
	const char *type;         /* "CNAME", "TXT", "MX" ... */
	const char *value;        /* expected value in presentation form */
	const char *role;         /* "dkim", "mail_from_mx", "mail_from_spf", "dmarc", ... */
	int required;             /* SES needs it to verify or to deliver */
	dnsvet_record_state state;
	const char *seen;         /* WRONG: a value the authoritative servers serve instead */
} dnsvet_report_record;

DNSVET_API void dnsvet_report_free(dnsvet_report *report);

/* Borrowed strings, valid while the report lives. */
DNSVET_API const char *dnsvet_report_domain(const dnsvet_report *report);
DNSVET_API const char *dnsvet_report_label(const dnsvet_report *report); /* NULL if unset */
DNSVET_API dnsvet_verdict dnsvet_report_verdict(const dnsvet_report *report);
/* PENDING: Unix time when the last stale cache entry expires; 0 otherwise. */
DNSVET_API int64_t dnsvet_report_pending_until(const dnsvet_report *report);

/* DNSVET_OK when the check ran (whatever it found); otherwise why it could not run, with
 * a message (borrowed, NULL when OK). */
DNSVET_API dnsvet_status dnsvet_report_status(const dnsvet_report *report);
DNSVET_API const char *dnsvet_report_error(const dnsvet_report *report);

/* Findings in rule order (borrowed). */
DNSVET_API const dnsvet_finding_list *dnsvet_report_findings(const dnsvet_report *report);

DNSVET_API size_t dnsvet_report_record_count(const dnsvet_report *report);
/* Fills *out for record i; DNSVET_ERR_INVALID when i is out of range. */
DNSVET_API dnsvet_status dnsvet_report_record_at(const dnsvet_report *report, size_t i,
                                                 dnsvet_report_record *out);

/* The observations the diagnosis was made from (borrowed; NULL when the check could not
 * run). */
DNSVET_API const dnsvet_obs *dnsvet_report_obs(const dnsvet_report *report);

typedef struct dnsvet_report_stats {
	unsigned queries;         /* queries sent for this check (probe and rules) */
	unsigned rtts;            /* sequential round trips on the probe's critical path */
	double elapsed_ms;        /* submit to report */
} dnsvet_report_stats;

DNSVET_API void dnsvet_report_stats_get(const dnsvet_report *report, dnsvet_report_stats *out);

/* The dnsvet.report/1 JSON document. Caller frees *out with free(). pretty: indented. */
DNSVET_API dnsvet_status dnsvet_report_to_json(const dnsvet_report *report, int pretty, char **out);

/* The same document as a tree (dnsvet_node_free). */
DNSVET_API dnsvet_status dnsvet_report_to_node(const dnsvet_report *report, dnsvet_node **out);

#ifdef __cplusplus
}
#endif
#endif
