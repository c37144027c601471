/* Findings and finding lists (include/dnsvet/finding.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dnsvet/finding.h>
#include "rules/rules_int.h"

struct dnsvet_finding {
	char *rule, *title, *message, *fix, *subject_name, *subject_type;
	dnsvet_severity severity;
	dnsvet_node *evidence;
	int64_t expires;
};

struct dnsvet_finding_list {
	dnsvet_finding **v;
	size_t n, cap;
};

static const char *const sev_names[] = {"error", "warning", "notice", "info"};

const char *dnsvet_severity_str(dnsvet_severity sev)
{
	if ((unsigned)sev < sizeof(sev_names) / sizeof(sev_names[0]))
		return sev_names[sev];
	return "unknown";
}

dnsvet_status dnsvet_severity_parse(const char *text, dnsvet_severity *out)
{
	for (unsigned i = 0; text && i < sizeof(sev_names) / sizeof(sev_names[0]); i++) {
		if (strcmp(text, sev_names[i]) == 0) {
			*out = (dnsvet_severity)i;
			return DNSVET_OK;
		}
	}
	return DNSVET_ERR_INVALID;
}

dnsvet_status dnsvet_finding_new(const dnsvet_finding_spec *spec, dnsvet_finding **out)
{
	dnsvet_finding *f;

	*out = NULL;
	if (!spec || !spec->rule || !spec->message || !spec->subject_name ||
	    (unsigned)spec->severity > DNSVET_SEVERITY_INFO) {
		dnsvet_node_free(spec ? spec->evidence : NULL);
		return DNSVET_ERR_INVALID;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		dnsvet_node_free(spec->evidence);
		return DNSVET_ERR_NOMEM;
	}
	f->rule = strdup(spec->rule);
	f->title = rules_strdup(spec->title);
	f->message = strdup(spec->message);
	f->fix = rules_strdup(spec->fix);
	f->subject_name = strdup(spec->subject_name);
	f->subject_type = rules_strdup(spec->subject_type);
	f->severity = spec->severity;
	f->evidence = spec->evidence;
	f->expires = spec->expires;
	if (!f->rule || !f->message || !f->subject_name || (spec->title && !f->title) ||
	    (spec->fix && !f->fix) || (spec->subject_type && !f->subject_type)) {
		dnsvet_finding_free(f);
		return DNSVET_ERR_NOMEM;
	}
	*out = f;
	return DNSVET_OK;
}

void dnsvet_finding_free(dnsvet_finding *f)
{
	if (!f)
		return;
	free(f->rule);
	free(f->title);
	free(f->message);
	free(f->fix);
	free(f->subject_name);
	free(f->subject_type);
	dnsvet_node_free(f->evidence);
	free(f);
}

const char *dnsvet_finding_rule(const dnsvet_finding *f) { return f ? f->rule : NULL; }
dnsvet_severity dnsvet_finding_severity(const dnsvet_finding *f) { return f ? f->severity : DNSVET_SEVERITY_INFO; }
const char *dnsvet_finding_title(const dnsvet_finding *f) { return f ? f->title : NULL; }
const char *dnsvet_finding_message(const dnsvet_finding *f) { return f ? f->message : NULL; }
const char *dnsvet_finding_fix(const dnsvet_finding *f) { return f ? f->fix : NULL; }
const char *dnsvet_finding_subject_name(const dnsvet_finding *f) { return f ? f->subject_name : NULL; }
const char *dnsvet_finding_subject_type(const dnsvet_finding *f) { return f ? f->subject_type : NULL; }
const dnsvet_node *dnsvet_finding_evidence(const dnsvet_finding *f) { return f ? f->evidence : NULL; }
int64_t dnsvet_finding_expires(const dnsvet_finding *f) { return f ? f->expires : 0; }

dnsvet_status dnsvet_finding_to_node(const dnsvet_finding *f, dnsvet_node **out)
{
	dnsvet_node *m, *subj;
	dnsvet_status st = DNSVET_OK;

	*out = NULL;
	if (!f)
		return DNSVET_ERR_INVALID;
	m = dnsvet_node_new_map();
	subj = dnsvet_node_new_map();
	if (!m || !subj) {
		dnsvet_node_free(m);
		dnsvet_node_free(subj);
		return DNSVET_ERR_NOMEM;
	}
	st = dnsvet_node_map_set_string(m, "rule", f->rule);
	if (!st)
		st = dnsvet_node_map_set_string(m, "severity", dnsvet_severity_str(f->severity));
	if (!st && f->title)
		st = dnsvet_node_map_set_string(m, "title", f->title);
	if (!st)
		st = dnsvet_node_map_set_string(subj, "name", f->subject_name);
	if (!st && f->subject_type)
		st = dnsvet_node_map_set_string(subj, "type", f->subject_type);
	if (!st)
		st = dnsvet_node_map_set(m, "subject", subj);
	else
		dnsvet_node_free(subj);
	if (!st)
		st = dnsvet_node_map_set_string(m, "message", f->message);
	if (!st && f->fix)
		st = dnsvet_node_map_set_string(m, "fix", f->fix);
	if (!st && f->evidence) {
		dnsvet_node *ev = dnsvet_node_copy(f->evidence);

		st = ev ? dnsvet_node_map_set(m, "evidence", ev) : DNSVET_ERR_NOMEM;
	}
	if (!st && f->expires)
		st = dnsvet_node_map_set_int(m, "expires", f->expires);
	if (st) {
		dnsvet_node_free(m);
		return st;
	}
	*out = m;
	return DNSVET_OK;
}

dnsvet_status dnsvet_finding_list_new(dnsvet_finding_list **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? DNSVET_OK : DNSVET_ERR_NOMEM;
}

void dnsvet_finding_list_free(dnsvet_finding_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->n; i++)
		dnsvet_finding_free(list->v[i]);
	free(list->v);
	free(list);
}

dnsvet_status finding_list_reserve(dnsvet_finding_list *list, size_t n)
{
	if (list->n + n > list->cap) {
		size_t cap = list->cap ? list->cap : 8;

		while (cap < list->n + n)
			cap *= 2;
		dnsvet_finding **v = realloc(list->v, cap * sizeof(*v));

		if (!v)
			return DNSVET_ERR_NOMEM;
		list->v = v;
		list->cap = cap;
	}
	return DNSVET_OK;
}

dnsvet_status dnsvet_finding_list_append(dnsvet_finding_list *list, dnsvet_finding *f)
{
	if (!list || !f) {
		dnsvet_finding_free(f);
		return DNSVET_ERR_INVALID;
	}
	if (finding_list_reserve(list, 1)) {
		dnsvet_finding_free(f);
		return DNSVET_ERR_NOMEM;
	}
	list->v[list->n++] = f;
	return DNSVET_OK;
}

size_t dnsvet_finding_list_count(const dnsvet_finding_list *list)
{
	return list ? list->n : 0;
}

const dnsvet_finding *dnsvet_finding_list_at(const dnsvet_finding_list *list, size_t i)
{
	return list && i < list->n ? list->v[i] : NULL;
}

size_t dnsvet_finding_list_count_severity(const dnsvet_finding_list *list, dnsvet_severity sev)
{
	size_t n = 0;

	for (size_t i = 0; list && i < list->n; i++)
		n += list->v[i]->severity == sev;
	return n;
}

dnsvet_status dnsvet_finding_list_to_node(const dnsvet_finding_list *list, dnsvet_node **out)
{
	dnsvet_node *l = dnsvet_node_new_list();

	*out = NULL;
	if (!l)
		return DNSVET_ERR_NOMEM;
	for (size_t i = 0; list && i < list->n; i++) {
		dnsvet_node *m;
		dnsvet_status st = dnsvet_finding_to_node(list->v[i], &m);

		if (!st)
			st = dnsvet_node_list_append(l, m);
		if (st) {
			dnsvet_node_free(l);
			return st;
		}
	}
	*out = l;
	return DNSVET_OK;
}
