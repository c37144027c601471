/*
 * The tally of an audit: domains per verdict, entries left out, and the failure modes
 * (rule ids) that hit the most domains. It decides the exit status (dnsvet-audit(5)).
 */
#ifndef DNSVET_CLI_AUDIT_SUMMARY_H
#define DNSVET_CLI_AUDIT_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <dnsvet/node.h>
#include <dnsvet/report.h>
#include <dnsvet/status.h>

/* Failure modes listed in a summary. */
#define AUDIT_TOP_FAILURES 10

typedef struct audit_summary audit_summary;

/* NULL when out of memory. Caller frees with audit_summary_free. */
audit_summary *audit_summary_new(void);
void audit_summary_free(audit_summary *s);

/* Counts report's verdict and the rules that reported a warning or error for it. */
dnsvet_status audit_summary_add(audit_summary *s, const dnsvet_report *report);
void audit_summary_set_invalid(audit_summary *s, size_t invalid);
/* An internal failure (a report that could not be written, ...): exit status 3. */
void audit_summary_set_failed(audit_summary *s);
/* "K/N" when the audit is one shard; copied. */
dnsvet_status audit_summary_set_shard(audit_summary *s, const char *shard);
void audit_summary_set_run(audit_summary *s, double elapsed_s, uint64_t queries);

size_t audit_summary_domains(const audit_summary *s);
size_t audit_summary_verdict(const audit_summary *s, dnsvet_verdict v);

/* 3 internal failure, else 2 when an entry was invalid, else 1 when a domain is broken or
 * unknown, else 0. */
int audit_summary_exit(const audit_summary *s);

/* {"domains", "verdicts": {...}, "invalid", "top_failures": [{"rule", "domains"}], "shard",
 * "elapsed_s", "queries", "exit"}. Caller frees *out with dnsvet_node_free. */
dnsvet_status audit_summary_to_node(const audit_summary *s, dnsvet_node **out);

/* The same for a human, a few lines. */
void audit_summary_print(const audit_summary *s, FILE *fp);

#endif
