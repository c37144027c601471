/* The dnsvet.report/1 document (docs/report-schema.md): every key always present in a
 * fixed order, null where there is no value, so consumers and diffs stay simple. */
#include <stdlib.h>
#include <string.h>

#include <dnsvet/obs.h>
#include "report/report_int.h"
#include "report/report_obj.h"

typedef struct jb {
	int bad;
} jb;

static dnsvet_node *chk(jb *b, dnsvet_node *n)
{
	if (!n)
		b->bad = 1;
	return n;
}

static void put(jb *b, dnsvet_node *m, const char *key, dnsvet_node *v)
{
	if (!v || !m) {
		dnsvet_node_free(v);
		b->bad = 1;
		return;
	}
	if (dnsvet_node_map_set(m, key, v) != DNSVET_OK)
		b->bad = 1;
}

static void put_str(jb *b, dnsvet_node *m, const char *key, const char *s)
{
	put(b, m, key, s ? dnsvet_node_new_string(s) : dnsvet_node_new_null());
}

static void put_copy(jb *b, dnsvet_node *m, const char *key, const dnsvet_node *v,
                     dnsvet_node_type want)
{
	if (v && dnsvet_node_type_of(v) == want)
		put(b, m, key, dnsvet_node_copy(v));
	else if (want == DNSVET_NODE_LIST)
		put(b, m, key, dnsvet_node_new_list());
	else
		put(b, m, key, dnsvet_node_new_null());
}

static void append(jb *b, dnsvet_node *l, dnsvet_node *v)
{
	if (!v || !l) {
		dnsvet_node_free(v);
		b->bad = 1;
		return;
	}
	if (dnsvet_node_list_append(l, v) != DNSVET_OK)
		b->bad = 1;
}

static const char *status_code(dnsvet_status st)
{
	switch (st) {
	case DNSVET_OK: return "ok";
	case DNSVET_ERR_NOMEM: return "nomem";
	case DNSVET_ERR_INVALID: return "invalid";
	case DNSVET_ERR_PARSE: return "parse";
	case DNSVET_ERR_IO: return "io";
	case DNSVET_ERR_NOT_FOUND: return "not_found";
	case DNSVET_ERR_LIMIT: return "limit";
	case DNSVET_ERR_STATE: return "state";
	case DNSVET_ERR_LUA: return "lua";
	case DNSVET_ERR_INTERNAL: return "internal";
	}
	return "internal";
}

static void put_time(jb *b, dnsvet_node *m, const char *key, int64_t t)
{
	char buf[40];

	put_str(b, m, key, t ? report_iso_time(t, buf, sizeof(buf)) : NULL);
}

static dnsvet_node *finding_node(jb *b, const dnsvet_finding *f)
{
	dnsvet_node *m = chk(b, dnsvet_node_new_map()), *subj = chk(b, dnsvet_node_new_map());

	put_str(b, m, "rule", dnsvet_finding_rule(f));
	put_str(b, m, "severity", dnsvet_severity_str(dnsvet_finding_severity(f)));
	put_str(b, m, "title", dnsvet_finding_title(f));
	put_str(b, m, "message", dnsvet_finding_message(f));
	put_str(b, m, "fix", dnsvet_finding_fix(f));
	put_str(b, subj, "name", dnsvet_finding_subject_name(f));
	put_str(b, subj, "type", dnsvet_finding_subject_type(f));
	put(b, m, "subject", subj);
	put_copy(b, m, "evidence", dnsvet_finding_evidence(f), DNSVET_NODE_LIST);
	if (dnsvet_finding_expires(f))
		put_time(b, m, "expires", dnsvet_finding_expires(f));
	return m;
}

static dnsvet_node *server_node(jb *b, const dnsvet_node *s)
{
	dnsvet_node *m = chk(b, dnsvet_node_new_map());

	put_str(b, m, "name", dnsvet_node_string(dnsvet_node_map_get(s, "name")));
	put_str(b, m, "addr", dnsvet_node_string(dnsvet_node_map_get(s, "addr")));
	put_copy(b, m, "source", dnsvet_node_map_get(s, "source"), DNSVET_NODE_LIST);
	put_str(b, m, "status", dnsvet_node_string(dnsvet_node_map_get(s, "status")));
	put_str(b, m, "lame", dnsvet_node_string(dnsvet_node_map_get(s, "lame")));
	return m;
}

dnsvet_node *report_delegation_node(const dnsvet_obs *obs)
{
	jb b = {0};
	dnsvet_node *m = chk(&b, dnsvet_node_new_map()), *zones = chk(&b, dnsvet_node_new_list());

	for (size_t i = 0; !b.bad && i < dnsvet_obs_zone_count(obs); i++) {
		const dnsvet_node *z = dnsvet_obs_zone_at(obs, i);
		const dnsvet_node *servers = dnsvet_node_map_get(z, "servers");
		dnsvet_node *zm = chk(&b, dnsvet_node_new_map()), *sl = chk(&b, dnsvet_node_new_list());

		put_str(&b, zm, "name", dnsvet_node_string(dnsvet_node_map_get(z, "name")));
		put_str(&b, zm, "parent", dnsvet_node_string(dnsvet_node_map_get(z, "parent")));
		put_str(&b, zm, "status", dnsvet_node_string(dnsvet_node_map_get(z, "status")));
		put_str(&b, zm, "reason", dnsvet_node_string(dnsvet_node_map_get(z, "reason")));
		put_copy(&b, zm, "parent_ns", dnsvet_node_map_get(z, "parent_ns"), DNSVET_NODE_LIST);
		put_copy(&b, zm, "child_ns", dnsvet_node_map_get(z, "child_ns"), DNSVET_NODE_LIST);
		for (size_t k = 0; sl && k < dnsvet_node_size(servers); k++)
			append(&b, sl, server_node(&b, dnsvet_node_list_at(servers, k)));
		put(&b, zm, "servers", sl);
		put_copy(&b, zm, "errors", dnsvet_node_map_get(z, "errors"), DNSVET_NODE_LIST);
		append(&b, zones, zm);
	}
	put(&b, m, "zones", zones);
	if (b.bad) {
		dnsvet_node_free(m);
		return NULL;
	}
	return m;
}

dnsvet_status dnsvet_report_to_node(const dnsvet_report *r, dnsvet_node **out)
{
	jb b = {0};
	dnsvet_node *m, *l, *stats;

	if (!out)
		return DNSVET_ERR_INVALID;
	*out = NULL;
	if (!r)
		return DNSVET_ERR_INVALID;
	m = chk(&b, dnsvet_node_new_map());
	put_str(&b, m, "schema", DNSVET_REPORT_SCHEMA);
	put_str(&b, m, "domain", r->domain);
	if (r->label)
		put_str(&b, m, "label", r->label);
	put_str(&b, m, "verdict", dnsvet_verdict_str(r->verdict));
	put_time(&b, m, "pending_until", r->pending_until);
	put_str(&b, m, "status", status_code(r->status));
	if (r->error)
		put_str(&b, m, "error", r->error);

	l = chk(&b, dnsvet_node_new_list());
	for (size_t i = 0; l && i < dnsvet_finding_list_count(r->findings); i++)
		append(&b, l, finding_node(&b, dnsvet_finding_list_at(r->findings, i)));
	put(&b, m, "findings", l);

	l = chk(&b, dnsvet_node_new_list());
	for (size_t i = 0; l && i < r->n_records; i++) {
		const report_record *rr = &r->records[i];
		dnsvet_node *rm = chk(&b, dnsvet_node_new_map());

		put_str(&b, rm, "name", rr->name);
		put_str(&b, rm, "type", rr->type);
		put_str(&b, rm, "value", rr->value);
		put_str(&b, rm, "role", rr->role);
		put(&b, rm, "required", dnsvet_node_new_bool(rr->required));
		put_str(&b, rm, "state", dnsvet_record_state_str(rr->state));
		put_str(&b, rm, "seen", rr->seen);
		append(&b, l, rm);
	}
	put(&b, m, "records", l);

	if (r->delegation)
		put(&b, m, "delegation", dnsvet_node_copy(r->delegation));
	else {
		dnsvet_node *d = chk(&b, dnsvet_node_new_map());

		put(&b, d, "zones", dnsvet_node_new_list());
		put(&b, m, "delegation", d);
	}
	{
		dnsvet_node *p = chk(&b, dnsvet_node_new_map());

		put(&b, p, "records", r->propagation ? dnsvet_node_copy(r->propagation)
		                                     : dnsvet_node_new_list());
		put(&b, m, "propagation", p);
	}
	stats = chk(&b, dnsvet_node_new_map());
	put(&b, stats, "queries", dnsvet_node_new_int(r->stats.queries));
	put(&b, stats, "elapsed_ms", dnsvet_node_new_double(r->stats.elapsed_ms));
	put(&b, stats, "rtts", dnsvet_node_new_int(r->stats.rtts));
	put(&b, m, "stats", stats);
	if (b.bad) {
		dnsvet_node_free(m);
		return DNSVET_ERR_NOMEM;
	}
	*out = m;
	return DNSVET_OK;
}

dnsvet_status dnsvet_report_to_json(const dnsvet_report *r, int pretty, char **out)
{
	dnsvet_node *n;
	dnsvet_status st;

	if (!out)
		return DNSVET_ERR_INVALID;
	*out = NULL;
	st = dnsvet_report_to_node(r, &n);
	if (st)
		return st;
	st = dnsvet_node_to_json(n, pretty, out);
	dnsvet_node_free(n);
	return st;
}
