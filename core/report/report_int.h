/* Building reports inside the library: the session hands over what one check produced. */
#ifndef DNSVET_REPORT_INT_H
#define DNSVET_REPORT_INT_H

#include <dnsvet/report.h>
#include <dnsvet/node.h>

typedef struct report_input {
	const char *domain;
	const char *label;            /* NULL: none */
	dnsvet_status status;         /* DNSVET_OK when the check ran */
	const char *error;            /* why, when status is not OK (or the recording failed) */
	dnsvet_obs *obs;              /* taken over; NULL when the check could not run */
	dnsvet_finding_list *findings; /* taken over; NULL: none */
	/* The expected records (the `records` list of an `expect` map), used when obs is
	 * NULL; with obs its own expect.records are used. Borrowed. */
	const dnsvet_node *records;
	unsigned queries;
	unsigned rtts;
	double elapsed_ms;
} report_input;

/* Builds a report: verdict, record states, delegation and propagation summaries. Takes
 * in->obs and in->findings over, also on failure. Caller frees with dnsvet_report_free. */
dnsvet_status report_build(report_input *in, dnsvet_report **out);

/* Unix time as ISO 8601 UTC ("2026-11-20T10:00:00Z") into buf (at least 32 bytes). */
const char *report_iso_time(int64_t t, char *buf, size_t len);

/* Record states and the propagation summary of one expected record, from obs. */
typedef struct report_rec_eval {
	dnsvet_record_state state;
	char *seen;                   /* malloc'd; NULL when none */
} report_rec_eval;

/* rec is one item of expect.records. *prop receives the propagation entry (a map, caller
 * frees). */
dnsvet_status report_eval_record(const dnsvet_obs *obs, const dnsvet_node *rec,
                                 report_rec_eval *out, dnsvet_node **prop);

/* The delegation summary (zones, their NS sets and servers) of obs; caller frees. */
dnsvet_node *report_delegation_node(const dnsvet_obs *obs);

#endif
