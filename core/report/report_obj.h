/* The report object, shared by the files of core/report/. */
#ifndef DNSVET_REPORT_OBJ_H
#define DNSVET_REPORT_OBJ_H

#include <dnsvet/report.h>

/* The rule id whose finding means nothing of the domain could be reached. */
#define REPORT_UNREACHABLE_ID "engine.unreachable"

typedef struct report_record {
	char *name, *type, *value, *role, *seen;
	int required;
	dnsvet_record_state state;
} report_record;

struct dnsvet_report {
	char *domain;
	char *label;
	char *error;
	dnsvet_status status;
	dnsvet_verdict verdict;
	int64_t pending_until;
	dnsvet_finding_list *findings;
	report_record *records;
	size_t n_records;
	dnsvet_node *propagation;   /* list, one map per expected record asked */
	dnsvet_node *delegation;    /* map; NULL without observations */
	dnsvet_obs *obs;
	dnsvet_report_stats stats;
};

#endif
