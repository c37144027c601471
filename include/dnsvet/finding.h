/*
 * Findings: what a rule reports about a domain (docs/rule-api.md, ctx:report).
 *
 * A finding names the rule that made it, a severity, a subject (the DNS name and type it is
 * about), a message for a human, the fix (the rule's template with its placeholders filled),
 * optional evidence (a document tree) and an optional expiry. Findings are immutable once
 * built; a list owns its findings.
 */
#ifndef DNSVET_FINDING_H
#define DNSVET_FINDING_H

#include <stddef.h>
#include <stdint.h>
#include <dnsvet/common.h>
#include <dnsvet/status.h>
#include <dnsvet/node.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Ordered from the most to the least serious. */
typedef enum dnsvet_severity {
	DNSVET_SEVERITY_ERROR = 0,
	DNSVET_SEVERITY_WARNING,
	DNSVET_SEVERITY_NOTICE,
	DNSVET_SEVERITY_INFO
} dnsvet_severity;

/* "error", "warning", "notice", "info"; static, never NULL. */
DNSVET_API const char *dnsvet_severity_str(dnsvet_severity sev);
/* Parses one of the names above; DNSVET_ERR_INVALID for anything else. */
DNSVET_API dnsvet_status dnsvet_severity_parse(const char *text, dnsvet_severity *out);

/* The rule id of findings made by the rule engine itself when a rule fails. */
#define DNSVET_RULE_ERROR_ID "engine.rule_error"

typedef struct dnsvet_finding dnsvet_finding;
typedef struct dnsvet_finding_list dnsvet_finding_list;

/* What a new finding is made of. Strings are copied; NULL means absent (rule, message and
 * subject_name are required). evidence is taken over by dnsvet_finding_new, also on
 * failure. */
typedef struct dnsvet_finding_spec {
	const char *rule;
	dnsvet_severity severity;
	const char *title;
	const char *message;
	const char *fix;
	const char *subject_name;
	const char *subject_type;
	dnsvet_node *evidence;     /* a list node, or NULL */
	int64_t expires;           /* Unix time; 0 = no expiry */
} dnsvet_finding_spec;

/* Builds a finding. Caller frees with dnsvet_finding_free unless it is appended to a list. */
DNSVET_API dnsvet_status dnsvet_finding_new(const dnsvet_finding_spec *spec, dnsvet_finding **out);
DNSVET_API void dnsvet_finding_free(dnsvet_finding *f);

/* Accessors: borrowed strings valid while the finding lives. title, fix, subject_type and
 * evidence may be NULL. */
DNSVET_API const char *dnsvet_finding_rule(const dnsvet_finding *f);
DNSVET_API dnsvet_severity dnsvet_finding_severity(const dnsvet_finding *f);
DNSVET_API const char *dnsvet_finding_title(const dnsvet_finding *f);
DNSVET_API const char *dnsvet_finding_message(const dnsvet_finding *f);
DNSVET_API const char *dnsvet_finding_fix(const dnsvet_finding *f);
DNSVET_API const char *dnsvet_finding_subject_name(const dnsvet_finding *f);
DNSVET_API const char *dnsvet_finding_subject_type(const dnsvet_finding *f);
DNSVET_API const dnsvet_node *dnsvet_finding_evidence(const dnsvet_finding *f);
DNSVET_API int64_t dnsvet_finding_expires(const dnsvet_finding *f);

/*
 * The finding as a map node, keys in this order (absent ones left out):
 * rule, severity, title, subject {name, type}, message, fix, evidence, expires.
 * Caller frees *out with dnsvet_node_free.
 */
DNSVET_API dnsvet_status dnsvet_finding_to_node(const dnsvet_finding *f, dnsvet_node **out);

/* An empty list. Caller frees with dnsvet_finding_list_free (which frees the findings). */
DNSVET_API dnsvet_status dnsvet_finding_list_new(dnsvet_finding_list **out);
DNSVET_API void dnsvet_finding_list_free(dnsvet_finding_list *list);
/* Takes ownership of f, also on failure. */
DNSVET_API dnsvet_status dnsvet_finding_list_append(dnsvet_finding_list *list, dnsvet_finding *f);
DNSVET_API size_t dnsvet_finding_list_count(const dnsvet_finding_list *list);
/* Borrowed; NULL when i is out of range. */
DNSVET_API const dnsvet_finding *dnsvet_finding_list_at(const dnsvet_finding_list *list, size_t i);
/* Number of findings with the given severity. */
DNSVET_API size_t dnsvet_finding_list_count_severity(const dnsvet_finding_list *list,
                                                     dnsvet_severity sev);
/* The findings as a list of maps (see dnsvet_finding_to_node). Caller frees *out. */
DNSVET_API dnsvet_status dnsvet_finding_list_to_node(const dnsvet_finding_list *list,
                                                     dnsvet_node **out);

#ifdef __cplusplus
}
#endif
#endif
