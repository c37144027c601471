/* dnsvet check DOMAIN: why a domain's DNS setup fails Amazon SES verification. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dnsvet/obs.h>
#include <dnsvet/report.h>
#include <dnsvet/session.h>
#include "cli/cli.h"
#include "cli/expect_args.h"
#include "cli/names.h"
#include "cli/options.h"
#include "cli/render_text.h"

static const struct option check_options[] = {
	CLI_EXPECT_OPTIONS,
	{NULL, 0, NULL, 0}
};

static const char *const check_formats[] = {"text", "json", NULL};

static void check_usage(FILE *fp)
{
	fprintf(fp,
	        "usage: dnsvet check [OPTIONS] DOMAIN\n"
	        "       dnsvet check --replay FILE [DOMAIN]\n"
	        "\n"
	        "Follows DOMAIN's delegation from the root, asks every authoritative server and\n"
	        "a sample of resolvers for the records Amazon SES expects, and explains what\n"
	        "stops verification, with the exact fix.\n"
	        "\n"
	        "      --format NAME        text (default on a terminal) or json (dnsvet.report/1,\n"
	        "                           the default otherwise)\n"
	        "\n");
	cli_expect_usage(fp);
	fprintf(fp,
	        "\n");
	cli_opts_usage(fp);
	fprintf(fp,
	        "\n"
	        "exit status: 0 ready or pending, 1 broken or unknown, 2 usage or input error,\n"
	        "3 internal failure\n");
}

static int check_option(void *ctx, int code, const char *where, const char *arg)
{
	int r = cli_expect_collect(ctx, "check", code, where, arg);

	return r > 0 ? 0 : -1;
}

/* The domain of the recording at path (caller frees), or NULL after saying why not. */
static char *replay_domain(const char *path)
{
	dnsvet_node_error err;
	dnsvet_obs *obs = NULL;
	char *domain;

	if (dnsvet_obs_load_yaml(path, &obs, &err) != DNSVET_OK) {
		fprintf(stderr, "dnsvet check: --replay: %s\n", err.message);
		return NULL;
	}
	domain = strdup(dnsvet_obs_domain(obs));
	dnsvet_obs_free(obs);
	if (!domain)
		fprintf(stderr, "dnsvet check: out of memory\n");
	return domain;
}

/* Input errors (a file, a flag, a name) exit 2; the rest is dnsvet's own failure. */
static int status_exit(dnsvet_status st)
{
	switch (st) {
	case DNSVET_OK:
		return CLI_EXIT_OK;
	case DNSVET_ERR_INVALID:
	case DNSVET_ERR_PARSE:
	case DNSVET_ERR_IO:
	case DNSVET_ERR_NOT_FOUND:
		return CLI_EXIT_USAGE;
	default:
		return CLI_EXIT_INTERNAL;
	}
}

static int verdict_exit(const dnsvet_report *r)
{
	switch (dnsvet_report_verdict(r)) {
	case DNSVET_VERDICT_READY:
	case DNSVET_VERDICT_PENDING:
		return CLI_EXIT_OK;
	case DNSVET_VERDICT_BROKEN:
	case DNSVET_VERDICT_UNKNOWN:
		break;
	}
	return CLI_EXIT_PROBLEM;
}

static int print_report(const cli_cmd *cmd, const cli_opts *o, const dnsvet_report *report)
{
	int is_tty, color, rc = CLI_EXIT_OK;
	FILE *fp = cli_output_open(cmd, o, &is_tty, &color);

	if (!fp)
		return CLI_EXIT_USAGE;
	if (strcmp(cli_format(o, is_tty, "text", "json"), "json") == 0) {
		char *json = NULL;
		dnsvet_status st = dnsvet_report_to_json(report, 1, &json);

		if (st == DNSVET_OK) {
			fputs(json, fp);
			fputc('\n', fp);
		} else {
			fprintf(stderr, "dnsvet check: %s\n", dnsvet_status_str(st));
			rc = CLI_EXIT_INTERNAL;
		}
		free(json);
	} else {
		cli_report_text(fp, report, color, o->verbosity > 0);
	}
	if (cli_output_close(cmd, o, fp) && rc == CLI_EXIT_OK)
		rc = CLI_EXIT_INTERNAL;
	return rc;
}

/* Builds the check of domain from the expectation flags and --record/--replay. */
static int make_check(const cli_opts *o, const cli_expect_args *a, const char *domain,
                      dnsvet_check **out)
{
	char err[512] = "";
	dnsvet_status st = dnsvet_check_new(domain, out, err, sizeof(err));

	if (st != DNSVET_OK) {
		fprintf(stderr, "dnsvet check: '%s': %s\n", domain, err[0] ? err : dnsvet_status_str(st));
		return status_exit(st);
	}
	if (cli_expect_apply(a, "check", dnsvet_check_expect(*out)))
		return CLI_EXIT_USAGE;
	if (o->record)
		st = dnsvet_check_set_record(*out, o->record);
	if (st == DNSVET_OK && o->replay)
		st = dnsvet_check_set_replay(*out, o->replay);
	if (st != DNSVET_OK) {
		fprintf(stderr, "dnsvet check: %s: %s\n", o->record ? "--record" : "--replay",
		        dnsvet_status_str(st));
		return status_exit(st);
	}
	return CLI_EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
	cli_expect_args a;
	cli_cmd cmd = {"check", check_options, NULL, check_option, &a, check_usage,
	               check_formats};
	cli_opts o;
	dnsvet_session *session = NULL;
	dnsvet_check *check = NULL;
	dnsvet_report *report = NULL;
	char *domain = NULL;
	int first, rc = CLI_EXIT_USAGE;
	dnsvet_status st;

	memset(&a, 0, sizeof(a));
	switch (cli_parse(&cmd, argc, argv, &o, &first)) {
	case CLI_PARSE_DONE:
		rc = CLI_EXIT_OK;
		goto out;
	case CLI_PARSE_USAGE:
		goto out;
	case CLI_PARSE_OK:
		break;
	}
	if (argc - first > 1 || (argc - first == 0 && !o.replay)) {
		fprintf(stderr, "dnsvet check: expected one DOMAIN (see 'dnsvet check --help')\n");
		goto out;
	}
	if (o.replay && a.n) {
		fprintf(stderr, "dnsvet check: %s: --replay takes the expectations from the "
		        "recording\n", a.values[0].where);
		goto out;
	}
	if (o.replay) {
		/* the domain and expectations come from the recording: a report under another
		 * name would describe a domain that was never looked at */
		if (!(domain = replay_domain(o.replay)))
			goto out;
		if (argc - first == 1 && !cli_same_name(argv[first], domain)) {
			fprintf(stderr, "dnsvet check: '%s': --replay %s is a recording of %s\n",
			        argv[first], o.replay, domain);
			goto out;
		}
	} else if (!(domain = strdup(argv[first]))) {
		fprintf(stderr, "dnsvet check: out of memory\n");
		rc = CLI_EXIT_INTERNAL;
		goto out;
	}
	if ((rc = make_check(&o, &a, domain, &check)) != CLI_EXIT_OK)
		goto out;

	if ((rc = cli_session_new(&cmd, &o, &session)) != CLI_EXIT_OK)
		goto out;
	st = dnsvet_session_check(session, check, &report);
	check = NULL;
	if (st != DNSVET_OK || !report) {
		fprintf(stderr, "dnsvet check: %s: %s\n", domain, dnsvet_status_str(st));
		rc = CLI_EXIT_INTERNAL;
		goto out;
	}
	/* A check that could not run was logged as an error; its report says why. */
	st = dnsvet_report_status(report);
	rc = print_report(&cmd, &o, report);
	if (rc == CLI_EXIT_OK)
		rc = st != DNSVET_OK ? status_exit(st) : verdict_exit(report);
out:
	dnsvet_report_free(report);
	dnsvet_check_free(check);
	dnsvet_session_free(session);
	cli_opts_free(&o);
	free(domain);
	return rc;
}
