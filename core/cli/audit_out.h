/*
 * Audit output formats, written as each domain finishes so that an interrupted audit keeps
 * what it finished (dnsvet-audit(5), "OUTPUT"):
 *   text   a human report per domain, then the summary
 *   json   one dnsvet.audit/1 document: {"schema", "reports": [...], "summary": {...}}
 *   jsonl  one dnsvet.report/1 document per line, then {"summary": {...}}
 *   junit  JUnit XML: a testsuite per domain, a testcase per selected rule
 */
#ifndef DNSVET_CLI_AUDIT_OUT_H
#define DNSVET_CLI_AUDIT_OUT_H

#include <stddef.h>
#include <stdio.h>
#include <dnsvet/report.h>
#include "cli/audit_summary.h"

#define AUDIT_SCHEMA "dnsvet.audit/1"

typedef enum audit_format {
	AUDIT_TEXT = 0,
	AUDIT_JSON,
	AUDIT_JSONL,
	AUDIT_JUNIT
} audit_format;

typedef struct audit_out {
	audit_format format;
	FILE *fp;
	/* The selected rules' ids, for JUnit's testcases (borrowed). */
	const char *const *rules;
	size_t n_rules;
	int color;                /* text: ANSI colours */
	size_t written;           /* reports written so far */
} audit_out;

/* Parses "text", "json", "jsonl", "junit"; -1 for anything else. */
int audit_format_parse(const char *name, audit_format *out);

/* Each returns 0, or -1 when writing failed (errno set). */
int audit_out_begin(audit_out *o);
int audit_out_report(audit_out *o, const dnsvet_report *report);
/* Ends the document; the machine formats carry the summary. */
int audit_out_end(audit_out *o, const audit_summary *summary);

/* The formats' own halves, dispatched by audit_out_*. */
int audit_json_report(audit_out *o, const dnsvet_report *report);
int audit_json_end(audit_out *o, const audit_summary *summary);
int audit_junit_begin(audit_out *o);
int audit_junit_report(audit_out *o, const dnsvet_report *report);
int audit_junit_end(audit_out *o);
int audit_text_report(audit_out *o, const dnsvet_report *report);

#endif
