/* Checks one domain and prints its verdict and findings.
 * usage: check_domain [-l] [-r ROOT_HINTS] [-R RESOLVERS] DOMAIN [DKIM_TOKEN...]
 * Exit status: 0 ready, 1 pending or broken, 2 unknown or the check could not run. */
/* getopt is POSIX: ask for it under a strict -std=c11 too. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <unistd.h>
#include <dnsvet/dnsvet.h>

int main(int argc, char **argv)
{
	dnsvet_session_opts opts;
	dnsvet_session *session = NULL;
	dnsvet_check *check;
	dnsvet_report *report;
	dnsvet_expect_error xerr = { .message = "" };
	char err[512] = "";
	int c, rc = 2;

	dnsvet_session_opts_default(&opts);
	while ((c = getopt(argc, argv, "lr:R:")) != -1) {
		if (c == 'l') opts.lab = 1;              /* loopback servers count as public */
		else if (c == 'r') opts.root_hints_file = optarg;
		else if (c == 'R') opts.resolvers = optarg;
		else return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: %s [-l] [-r ROOT_HINTS] [-R RESOLVERS] DOMAIN [DKIM_TOKEN...]\n", argv[0]);
		return 2;
	}
	if (dnsvet_session_new(&opts, &session, err, sizeof(err)) != DNSVET_OK ||
	    dnsvet_check_new(argv[optind], &check, err, sizeof(err)) != DNSVET_OK)
		goto out;
	for (int i = optind + 1; i < argc; i++) {
		if (dnsvet_expect_add_dkim_token(dnsvet_check_expect(check), argv[i], &xerr) != DNSVET_OK) {
			dnsvet_check_free(check);
			goto out;
		}
	}
	/* The session takes the check over, whatever the outcome. */
	if (dnsvet_session_check(session, check, &report) != DNSVET_OK) {
		snprintf(err, sizeof(err), "%s: the check could not run", argv[optind]);
		goto out;
	}
	dnsvet_verdict verdict = dnsvet_report_verdict(report);
	printf("%s: %s\n", dnsvet_report_domain(report), dnsvet_verdict_str(verdict));
	if (dnsvet_report_status(report) != DNSVET_OK)
		printf("  error: %s\n", dnsvet_report_error(report));
	const dnsvet_finding_list *findings = dnsvet_report_findings(report);
	for (size_t i = 0; i < dnsvet_finding_list_count(findings); i++) {
		const dnsvet_finding *f = dnsvet_finding_list_at(findings, i);
		printf("  %s %s: %s\n", dnsvet_severity_str(dnsvet_finding_severity(f)),
		       dnsvet_finding_rule(f), dnsvet_finding_message(f));
	}
	rc = verdict == DNSVET_VERDICT_READY ? 0 : verdict == DNSVET_VERDICT_UNKNOWN ? 2 : 1;
	dnsvet_report_free(report);
out:
	if (rc == 2 && (*err || *xerr.message))
		fprintf(stderr, "check_domain: %s\n", *err ? err : xerr.message);
	dnsvet_session_free(session);
	return rc;
}
