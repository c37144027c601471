/* Checks many domains at once from a poll() loop, the way a server with its own event loop
 * embeds dnsvet: submit every check, then wait on dnsvet_session_fd() with
 * dnsvet_session_next_timeout_ms() as the timeout and let dnsvet_session_process() do what
 * is ready. Reports are printed as they finish, not in argument order.
 * usage: async_poll [-l] [-r ROOT_HINTS] [-R RESOLVERS] DOMAIN[:TOKEN,TOKEN,...]...
 * Exit status: 0 when every check ran, 1 when one could not, 2 on bad arguments. */
/* getopt, poll and strtok_r are POSIX: ask for them under a strict -std=c11 too. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <dnsvet/dnsvet.h>

struct tally {
	unsigned done, failed;
};

static void on_done(dnsvet_session *session, dnsvet_report *report, void *user)
{
	struct tally *t = user;
	dnsvet_report_stats st;

	(void)session;
	dnsvet_report_stats_get(report, &st);
	printf("%s %s findings=%zu queries=%u\n", dnsvet_report_domain(report),
	       dnsvet_verdict_str(dnsvet_report_verdict(report)),
	       dnsvet_finding_list_count(dnsvet_report_findings(report)), st.queries);
	if (dnsvet_report_status(report) != DNSVET_OK) {
		printf("  error: %s\n", dnsvet_report_error(report));
		t->failed++;
	}
	t->done++;
	dnsvet_report_free(report); /* the callback owns the report */
}

/* "domain:tok1,tok2" -> a check with those Easy DKIM tokens. */
static dnsvet_check *parse_request(char *arg)
{
	char err[512], *tokens = strchr(arg, ':');
	dnsvet_check *check;
	dnsvet_expect_error xerr;

	if (tokens)
		*tokens++ = '\0';
	if (dnsvet_check_new(arg, &check, err, sizeof(err)) != DNSVET_OK) {
		fprintf(stderr, "async_poll: %s\n", err);
		return NULL;
	}
	for (char *save = NULL, *tok = tokens ? strtok_r(tokens, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (dnsvet_expect_add_dkim_token(dnsvet_check_expect(check), tok, &xerr) != DNSVET_OK) {
			fprintf(stderr, "async_poll: %s: %s\n", arg, xerr.message);
			dnsvet_check_free(check);
			return NULL;
		}
	}
	return check;
}

int main(int argc, char **argv)
{
	dnsvet_session_opts opts;
	dnsvet_session *session;
	struct tally tally = {0, 0};
	char err[512];
	int c;

	dnsvet_session_opts_default(&opts);
	while ((c = getopt(argc, argv, "lr:R:")) != -1) {
		if (c == 'l') opts.lab = 1;
		else if (c == 'r') opts.root_hints_file = optarg;
		else if (c == 'R') opts.resolvers = optarg;
		else return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: %s [-l] [-r ROOT_HINTS] [-R RESOLVERS] DOMAIN[:TOKEN,...]...\n",
		        argv[0]);
		return 2;
	}
	if (dnsvet_session_new(&opts, &session, err, sizeof(err)) != DNSVET_OK) {
		fprintf(stderr, "async_poll: %s\n", err);
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		dnsvet_check *check = parse_request(argv[i]);

		if (!check || dnsvet_session_submit(session, check, on_done, &tally) != DNSVET_OK) {
			dnsvet_session_free(session);
			return 2;
		}
	}

	/* Submitting sends nothing: the first process call starts the checks. */
	dnsvet_status st = dnsvet_session_process(session, 0);
	while (st == DNSVET_OK && dnsvet_session_pending(session) > 0) {
		struct pollfd pfd = { .fd = dnsvet_session_fd(session), .events = POLLIN };

		if (poll(&pfd, 1, dnsvet_session_next_timeout_ms(session)) < 0 && errno != EINTR) {
			perror("async_poll: poll");
			break;
		}
		st = dnsvet_session_process(session, 0);
	}
	if (st != DNSVET_OK)
		fprintf(stderr, "async_poll: %s\n", dnsvet_status_str(st));

	dnsvet_session_stats stats;
	dnsvet_session_stats_get(session, &stats);
	printf("checks=%llu queries=%llu cache_hits=%llu\n", (unsigned long long)stats.checks,
	       (unsigned long long)stats.queries, (unsigned long long)stats.cache_hits);
	dnsvet_session_free(session);
	return st != DNSVET_OK || tally.failed || tally.done != (unsigned)(argc - optind);
}
