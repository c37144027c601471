/* The smallest embedding: checks one domain and prints its verdict.
 * usage: verdict DOMAIN [DKIM_TOKEN...]; exit status 0 ready, 1 not ready, 2 no check.
 * DNSVET_ROOT_HINTS, DNSVET_RESOLVERS and DNSVET_LAB (any value) point it at a test lab. */
#include <stdio.h>
#include <stdlib.h>
#include <dnsvet/dnsvet.h>

int main(int argc, char **argv)
{
	dnsvet_session_opts opts;
	dnsvet_session *session = NULL;
	dnsvet_check *check = NULL;
	dnsvet_report *report = NULL;
	dnsvet_expect_error xerr = { .message = "" };
	dnsvet_status st = DNSVET_OK;
	char err[512] = "usage: verdict DOMAIN [DKIM_TOKEN...]";
	int rc = 2;

	dnsvet_session_opts_default(&opts);
	opts.root_hints_file = getenv("DNSVET_ROOT_HINTS");
	opts.resolvers = getenv("DNSVET_RESOLVERS");
	opts.lab = getenv("DNSVET_LAB") != NULL;
	if (argc >= 2 && dnsvet_session_new(&opts, &session, err, sizeof(err)) == DNSVET_OK &&
	    dnsvet_check_new(argv[1], &check, err, sizeof(err)) == DNSVET_OK) {
		for (int i = 2; i < argc && st == DNSVET_OK; i++)
			st = dnsvet_expect_add_dkim_token(dnsvet_check_expect(check), argv[i], &xerr);
		if (st != DNSVET_OK) {
			snprintf(err, sizeof(err), "%s", xerr.message);
			dnsvet_check_free(check);       /* never handed to the session */
		} else if (dnsvet_session_check(session, check, &report) == DNSVET_OK) {
			printf("%s: %s\n", argv[1], dnsvet_verdict_str(dnsvet_report_verdict(report)));
			rc = dnsvet_report_verdict(report) == DNSVET_VERDICT_READY ? 0 : 1;
			dnsvet_report_free(report);
		} else {
			snprintf(err, sizeof(err), "%s: the check could not run", argv[1]);
		}
	}
	if (rc == 2)
		fprintf(stderr, "verdict: %s\n", err);
	dnsvet_session_free(session);
	return rc;
}
