/* The verdict of a report from its findings and the states of the expected records. */
#include <dnsvet/finding.h>
#include <dnsvet/obs.h>
#include "report/report_int.h"
#include "test_node_util.h"

#define HEAD \
	"schema: dnsvet.obs/1\ndomain: a.test\nstarted: 1795424400\nlab: true\n" \
	"expect:\n" \
	"  records:\n" \
	"    - {name: tok1._domainkey.a.test, type: CNAME, value: tok1.dkim.amazonses.com,\n" \
	"       role: dkim, required: REQUIRED}\n"

#define SERVED \
	"answers:\n" \
	"  - name: tok1._domainkey.a.test\n" \
	"    type: CNAME\n" \
	"    auth:\n" \
	"      - {server: ns1.a.test, addr: 192.0.2.1, source: [parent, child], rcode: NOERROR,\n" \
	"         aa: true, answer: ['tok1._domainkey.a.test. 300 IN CNAME tok1.dkim.amazonses.com.']}\n"

/* An observation set from text, "REQUIRED" replaced by required. */
static dnsvet_obs *obs_of(const char *text, const char *required)
{
	char buf[2048];
	const char *at = strstr(text, "REQUIRED");
	dnsvet_obs *obs = NULL;
	dnsvet_node_error err;

	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - text), text, required, at + 8);
	if (dnsvet_obs_parse_yaml(buf, strlen(buf), "t.yaml", &obs, &err) != DNSVET_OK)
		fprintf(stderr, "%s\n", err.message);
	return obs;
}

/* One finding of rule and severity, expiring at expires (0: never). */
static dnsvet_finding_list *findings(const char *rule, dnsvet_severity sev, int64_t expires)
{
	dnsvet_finding_list *l = NULL;
	dnsvet_finding_spec spec;
	dnsvet_finding *f = NULL;

	dnsvet_finding_list_new(&l);
	if (!rule)
		return l;
	memset(&spec, 0, sizeof(spec));
	spec.rule = rule;
	spec.severity = sev;
	spec.message = "m";
	spec.subject_name = "tok1._domainkey.a.test";
	spec.expires = expires;
	if (dnsvet_finding_new(&spec, &f) == DNSVET_OK)
		dnsvet_finding_list_append(l, f);
	return l;
}

/* The verdict and first record state of a report on text with those findings. */
static dnsvet_verdict verdict(const char *text, const char *required, dnsvet_finding_list *fl,
                              dnsvet_record_state *state, int64_t *until)
{
	report_input in;
	dnsvet_report *r = NULL;
	dnsvet_report_record rec;
	dnsvet_verdict v = (dnsvet_verdict)-1;

	memset(&in, 0, sizeof(in));
	in.domain = "a.test";
	in.obs = obs_of(text, required);
	in.findings = fl;
	CHECK(in.obs != NULL);
	CHECK(report_build(&in, &r) == DNSVET_OK);
	if (!r)
		return v;
	v = dnsvet_report_verdict(r);
	*until = dnsvet_report_pending_until(r);
	CHECK(dnsvet_report_record_at(r, 0, &rec) == DNSVET_OK);
	*state = rec.state;
	dnsvet_report_free(r);
	return v;
}

int main(void)
{
	dnsvet_record_state st;
	int64_t until;

	/* served right, no findings: ready */
	CHECK(verdict(HEAD SERVED, "true", findings(NULL, 0, 0), &st, &until) ==
	      DNSVET_VERDICT_READY);
	CHECK(st == DNSVET_RECORD_OK);
	/* nothing known of a required record: no finding can make that ready */
	CHECK(verdict(HEAD, "true", findings(NULL, 0, 0), &st, &until) == DNSVET_VERDICT_UNKNOWN);
	CHECK(st == DNSVET_RECORD_UNKNOWN);
	CHECK(verdict(HEAD, "true", findings("record.other", DNSVET_SEVERITY_WARNING, 0), &st,
	              &until) == DNSVET_VERDICT_UNKNOWN);
	/* nor pending */
	CHECK(verdict(HEAD, "true", findings("propagation.pending", DNSVET_SEVERITY_WARNING,
	              1795428000), &st, &until) == DNSVET_VERDICT_UNKNOWN);
	CHECK(until == 0);
	CHECK(verdict(HEAD SERVED, "true", findings("propagation.pending", DNSVET_SEVERITY_WARNING,
	              1795428000), &st, &until) == DNSVET_VERDICT_PENDING);
	CHECK(until == 1795428000);
	/* an error finding says more than the unknown record: broken */
	CHECK(verdict(HEAD, "true", findings("zone.nxdomain", DNSVET_SEVERITY_ERROR, 0), &st,
	              &until) == DNSVET_VERDICT_BROKEN);
	/* a recommended record SES does not need leaves the verdict alone */
	CHECK(verdict(HEAD, "false", findings(NULL, 0, 0), &st, &until) == DNSVET_VERDICT_READY);
	CHECK(st == DNSVET_RECORD_UNKNOWN);
	return t_finish("test_report_verdict");
}
