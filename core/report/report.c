/* The report of one check: verdict from the findings, record states from the
 * observations, and the accessors of include/dnsvet/report.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dnsvet/obs.h>
#include "report/report_int.h"
#include "report/report_obj.h"

const char *dnsvet_verdict_str(dnsvet_verdict v)
{
	switch (v) {
	case DNSVET_VERDICT_READY: return "ready";
	case DNSVET_VERDICT_PENDING: return "pending";
	case DNSVET_VERDICT_BROKEN: return "broken";
	case DNSVET_VERDICT_UNKNOWN: return "unknown";
	}
	return "unknown";
}

const char *dnsvet_record_state_str(dnsvet_record_state s)
{
	switch (s) {
	case DNSVET_RECORD_OK: return "ok";
	case DNSVET_RECORD_PENDING: return "pending";
	case DNSVET_RECORD_WRONG: return "wrong";
	case DNSVET_RECORD_MISSING: return "missing";
	case DNSVET_RECORD_UNKNOWN: return "unknown";
	}
	return "unknown";
}

const char *report_iso_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

static int is_propagation(const char *rule)
{
	return rule && strncmp(rule, "propagation.", 12) == 0;
}

/*
 * UNKNOWN when nothing could be reached; BROKEN on any error finding; PENDING when every
 * warning or error is a propagation finding (until the last of them expires); READY
 * otherwise. report_build then turns READY and PENDING into UNKNOWN when a required
 * record's state is unknown.
 */
static dnsvet_verdict verdict_of(const dnsvet_finding_list *fl, int64_t *until)
{
	size_t n = dnsvet_finding_list_count(fl);
	int errors = 0, other_warnings = 0, propagation = 0;

	*until = 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(dnsvet_finding_rule(dnsvet_finding_list_at(fl, i)), REPORT_UNREACHABLE_ID) &&
		    dnsvet_finding_severity(dnsvet_finding_list_at(fl, i)) == DNSVET_SEVERITY_ERROR)
			return DNSVET_VERDICT_UNKNOWN;
	for (size_t i = 0; i < n; i++) {
		const dnsvet_finding *f = dnsvet_finding_list_at(fl, i);
		dnsvet_severity sev = dnsvet_finding_severity(f);

		if (sev > DNSVET_SEVERITY_WARNING)
			continue;
		if (is_propagation(dnsvet_finding_rule(f))) {
			propagation++;
			if (dnsvet_finding_expires(f) > *until)
				*until = dnsvet_finding_expires(f);
		} else if (sev == DNSVET_SEVERITY_ERROR) {
			errors++;
		} else {
			other_warnings++;
		}
	}
	if (errors) {
		*until = 0;
		return DNSVET_VERDICT_BROKEN;
	}
	if (propagation && !other_warnings)
		return DNSVET_VERDICT_PENDING;
	*until = 0;
	return DNSVET_VERDICT_READY;
}

/* Whether a record SES needs has the state unknown. */
static int required_unknown(const dnsvet_report *r)
{
	for (size_t i = 0; i < r->n_records; i++)
		if (r->records[i].required && r->records[i].state == DNSVET_RECORD_UNKNOWN)
			return 1;
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static dnsvet_status build_records(dnsvet_report *r, const dnsvet_node *records)
{
	size_t n = dnsvet_node_size(records);
	dnsvet_status st;

	r->records = calloc(n ? n : 1, sizeof(*r->records));
	r->propagation = dnsvet_node_new_list();
	if (!r->records || !r->propagation)
		return DNSVET_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const dnsvet_node *rec = dnsvet_node_list_at(records, i);
		report_record *rr = &r->records[r->n_records];
		report_rec_eval ev = {DNSVET_RECORD_UNKNOWN, NULL};
		dnsvet_node *prop = NULL;

		if (!dnsvet_node_string(dnsvet_node_map_get(rec, "name")) ||
		    !dnsvet_node_string(dnsvet_node_map_get(rec, "type")))
			continue;
		rr->name = dup_or_null(dnsvet_node_string(dnsvet_node_map_get(rec, "name")));
		rr->type = dup_or_null(dnsvet_node_string(dnsvet_node_map_get(rec, "type")));
		rr->value = dup_or_null(dnsvet_node_string(dnsvet_node_map_get(rec, "value")));
		rr->role = dup_or_null(dnsvet_node_string(dnsvet_node_map_get(rec, "role")));
		rr->required = dnsvet_node_bool(dnsvet_node_map_get(rec, "required"), 1);
		r->n_records++;
		if (!rr->name || !rr->type)
			return DNSVET_ERR_NOMEM;
		if (r->obs) {
			st = report_eval_record(r->obs, rec, &ev, &prop);
			if (st)
				return st;
		}
		rr->state = ev.state;
		rr->seen = ev.seen;
		if (prop && (st = dnsvet_node_list_append(r->propagation, prop)) != DNSVET_OK)
			return st;
	}
	return DNSVET_OK;
}

dnsvet_status report_build(report_input *in, dnsvet_report **out)
{
	dnsvet_report *r = calloc(1, sizeof(*r));
	const dnsvet_node *records = in->records;
	dnsvet_status st;

	*out = NULL;
	if (!r) {
		dnsvet_obs_free(in->obs);
		dnsvet_finding_list_free(in->findings);
		return DNSVET_ERR_NOMEM;
	}
	r->obs = in->obs;
	r->findings = in->findings;
	in->obs = NULL;
	in->findings = NULL;
	r->status = in->status;
	r->stats.queries = in->queries;
	r->stats.rtts = in->rtts;
	r->stats.elapsed_ms = in->elapsed_ms;
	r->domain = strdup(in->domain ? in->domain : "");
	r->label = dup_or_null(in->label);
	r->error = dup_or_null(in->error);
	if (!r->findings && (st = dnsvet_finding_list_new(&r->findings)) != DNSVET_OK)
		goto fail;
	st = DNSVET_ERR_NOMEM;
	if (!r->domain || (in->label && !r->label) || (in->error && !r->error))
		goto fail;
	if (r->obs)
		records = dnsvet_node_map_get(dnsvet_obs_expect(r->obs), "records");
	st = build_records(r, records);
	if (st)
		goto fail;
	if (r->obs) {
		r->delegation = report_delegation_node(r->obs);
		if (!r->delegation) {
			st = DNSVET_ERR_NOMEM;
			goto fail;
		}
	}
	if (r->status != DNSVET_OK && !r->obs)
		r->verdict = DNSVET_VERDICT_UNKNOWN;
	else
		r->verdict = verdict_of(r->findings, &r->pending_until);
	/* no finding speaks for a record no server could be asked about: nothing shows that
	 * SES will find it, so the domain cannot be called ready (or merely pending) */
	if ((r->verdict == DNSVET_VERDICT_READY || r->verdict == DNSVET_VERDICT_PENDING) &&
	    required_unknown(r)) {
		r->verdict = DNSVET_VERDICT_UNKNOWN;
		r->pending_until = 0;
	}
	*out = r;
	return DNSVET_OK;
fail:
	dnsvet_report_free(r);
	return st;
}

void dnsvet_report_free(dnsvet_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_records; i++) {
		free(r->records[i].name);
		free(r->records[i].type);
		free(r->records[i].value);
		free(r->records[i].role);
		free(r->records[i].seen);
	}
	free(r->records);
	dnsvet_node_free(r->propagation);
	dnsvet_node_free(r->delegation);
	dnsvet_finding_list_free(r->findings);
	dnsvet_obs_free(r->obs);
	free(r->domain);
	free(r->label);
	free(r->error);
	free(r);
}

const char *dnsvet_report_domain(const dnsvet_report *r)
{
	return r ? r->domain : NULL;
}

const char *dnsvet_report_label(const dnsvet_report *r)
{
	return r ? r->label : NULL;
}

dnsvet_verdict dnsvet_report_verdict(const dnsvet_report *r)
{
	return r ? r->verdict : DNSVET_VERDICT_UNKNOWN;
}

int64_t dnsvet_report_pending_until(const dnsvet_report *r)
{
	return r ? r->pending_until : 0;
}

dnsvet_status dnsvet_report_status(const dnsvet_report *r)
{
	return r ? r->status : DNSVET_ERR_INVALID;
}

const char *dnsvet_report_error(const dnsvet_report *r)
{
	return r ? r->error : NULL;
}

const dnsvet_finding_list *dnsvet_report_findings(const dnsvet_report *r)
{
	return r ? r->findings : NULL;
}

size_t dnsvet_report_record_count(const dnsvet_report *r)
{
	return r ? r->n_records : 0;
}

dnsvet_status dnsvet_report_record_at(const dnsvet_report *r, size_t i, dnsvet_report_record *out)
{
	const report_record *rr;

	if (!r || !out || i >= r->n_records)
		return DNSVET_ERR_INVALID;
	rr = &r->records[i];
	out->name = rr->name;
	out->type = rr->type;
	out->value = rr->value;
	out->role = rr->role;
	out->required = rr->required;
	out->state = rr->state;
	out->seen = rr->seen;
	return DNSVET_OK;
}

const dnsvet_obs *dnsvet_report_obs(const dnsvet_report *r)
{
	return r ? r->obs : NULL;
}

void dnsvet_report_stats_get(const dnsvet_report *r, dnsvet_report_stats *out)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (r)
		*out = r->stats;
}
