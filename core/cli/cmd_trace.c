/* dnsvet trace NAME [TYPE]: the delegation path of a name and every server's answer. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ldns/ldns.h>
#include <dnsvet/engine.h>
#include <dnsvet/expect.h>
#include <dnsvet/obs.h>
#include <dnsvet/probe.h>
#include "cli/cli.h"
#include "cli/options.h"
#include "cli/trace_text.h"

#define MAX_LABELS 128

static const char *const trace_formats[] = {"text", "json", "yaml", NULL};

static void trace_usage(FILE *fp)
{
	fprintf(fp,
	        "usage: dnsvet trace [OPTIONS] NAME [TYPE]\n"
	        "\n"
	        "Follows the delegation of NAME from the root, asks every authoritative server of\n"
	        "every zone on the way (RD=0) and every sampled resolver (RD=1) for NAME TYPE\n"
	        "(default A), and shows their answers side by side: which servers are lame, which\n"
	        "disagree, which resolvers still hold an old answer.\n"
	        "\n"
	        "      --format NAME        text (default), json or yaml (the observations)\n"
	        "\n");
	cli_opts_usage(fp);
}

typedef struct trace_net {
	dnsvet_roothints *hints;
	dnsvet_addrlist *resolvers;
	dnsvet_engine *engine;
	dnsvet_probe_cache *cache;
	dnsvet_expect *expect;
} trace_net;

static void trace_net_free(trace_net *t)
{
	dnsvet_expect_free(t->expect);
	dnsvet_probe_cache_free(t->cache);
	dnsvet_engine_free(t->engine);
	dnsvet_addrlist_free(t->resolvers);
	dnsvet_roothints_free(t->hints);
}

/* Root hints, resolvers, engine and probe options from the common options; 0 or -1 after
 * printing the error naming the flag. */
static int trace_setup(const cli_opts *o, trace_net *t, dnsvet_probe_opts *po)
{
	dnsvet_engine_opts eo;
	char err[512];

	dnsvet_probe_opts_default(po);
	if (o->root_hints &&
	    dnsvet_roothints_load(o->root_hints, 53, &t->hints, err, sizeof(err)) != DNSVET_OK) {
		fprintf(stderr, "dnsvet trace: --root-hints: %s\n", err);
		return -1;
	}
	if (o->resolvers && strcmp(o->resolvers, "none") == 0) {
		po->no_resolvers = 1;
	} else if (o->resolvers) {
		dnsvet_status st = cli_resolvers_is_file(o->resolvers)
		        ? dnsvet_resolvers_load(o->resolvers, 53, &t->resolvers, err, sizeof(err))
		        : dnsvet_resolvers_parse(o->resolvers, "--resolvers", 53, &t->resolvers, err,
		                                 sizeof(err));

		if (st != DNSVET_OK) {
			fprintf(stderr, "dnsvet trace: --resolvers: %s\n", err);
			return -1;
		}
	}
	dnsvet_engine_opts_default(&eo);
	if (o->timeout_ms)
		eo.timeout_ms = o->timeout_ms;
	if (eo.timeout_max_ms < eo.timeout_ms)
		eo.timeout_max_ms = eo.timeout_ms;
	if (dnsvet_engine_new(&eo, &t->engine) != DNSVET_OK ||
	    dnsvet_probe_cache_new(&t->cache) != DNSVET_OK) {
		fprintf(stderr, "dnsvet trace: cannot start the query engine\n");
		return -1;
	}
	po->roothints = t->hints;
	po->resolvers = t->resolvers;
	po->lab = o->lab;
	po->query_budget = o->budget;
	po->timeout_ms = o->timeout_ms;
	po->sibling_types = 0;
	return 0;
}

/* The probe starts from a domain's expectations; names such as _dmarc.example.com or
 * tok._domainkey.example.com are not host names, so the closest ancestor that is one
 * stands in, and the name itself travels as a question. */
static int trace_expect(const char *name, dnsvet_expect **out)
{
	dnsvet_expect_error first, err;

	if (dnsvet_expect_new(name, out, &first) == DNSVET_OK)
		return 0;
	for (const char *p = strchr(name, '.'); p && p[1]; p = strchr(p + 1, '.'))
		if (dnsvet_expect_new(p + 1, out, &err) == DNSVET_OK)
			return 0;
	fprintf(stderr, "dnsvet trace: '%s': %s\n", name, first.message);
	return -1;
}

/* Probes name: the question itself, and the NS set of every ancestor so that every zone
 * cut on the way from the root is in the observations. */
static int trace_probe(const cli_opts *o, const char *name, const char *type, dnsvet_obs **obs)
{
	dnsvet_probe_question q[MAX_LABELS + 1];
	dnsvet_probe_opts po;
	trace_net t;
	size_t n = 0;
	dnsvet_status st;
	int rc = -1;

	memset(&t, 0, sizeof(t));
	memset(q, 0, sizeof(q));
	if (trace_expect(name, &t.expect))
		goto out;
	if (trace_setup(o, &t, &po))
		goto out;
	/* Only the question asked: no DMARC record is expected of an arbitrary name. */
	dnsvet_expect_set_dmarc(t.expect, 0);
	q[n].name = name;
	q[n++].type = type;
	for (const char *p = strchr(name, '.'); p && n < MAX_LABELS; p = strchr(p + 1, '.')) {
		if (p[1] == '\0')
			break;
		q[n].name = p + 1;
		q[n].type = "NS";
		q[n++].target = DNSVET_PROBE_TO_AUTH;
	}
	q[n].name = ".";
	q[n].type = "NS";
	q[n++].target = DNSVET_PROBE_TO_AUTH;
	st = dnsvet_probe_run(t.engine, t.cache, &po, t.expect, q, n, obs, NULL);
	if (st != DNSVET_OK) {
		fprintf(stderr, "dnsvet trace: %s: %s\n", name, dnsvet_status_str(st));
		goto out;
	}
	rc = 0;
out:
	trace_net_free(&t);
	return rc;
}

static int print_trace(const cli_cmd *cmd, const cli_opts *o, const dnsvet_obs *obs,
                       const char *name, const char *type)
{
	int is_tty, color, rc = CLI_EXIT_OK;
	char *text = NULL;
	const char *format;
	dnsvet_status st = DNSVET_OK;
	FILE *fp = cli_output_open(cmd, o, &is_tty, &color);

	if (!fp)
		return CLI_EXIT_USAGE;
	format = cli_format(o, is_tty, "text", "text");
	if (strcmp(format, "json") == 0)
		st = dnsvet_obs_to_json(obs, 1, &text);
	else if (strcmp(format, "yaml") == 0)
		st = dnsvet_obs_to_yaml(obs, &text);
	else if (cli_trace_text(fp, obs, name, type, color)) {
		fprintf(stderr, "dnsvet trace: %s%s%s %s was not asked in these observations\n",
		        o->replay ? o->replay : "", o->replay ? ": " : "", name, type);
		rc = CLI_EXIT_USAGE;
	}
	if (st != DNSVET_OK) {
		fprintf(stderr, "dnsvet trace: %s\n", dnsvet_status_str(st));
		rc = CLI_EXIT_INTERNAL;
	} else if (text) {
		fputs(text, fp);
		if (strcmp(format, "json") == 0)
			fputc('\n', fp);
	}
	free(text);
	if (cli_output_close(cmd, o, fp) && rc == CLI_EXIT_OK)
		rc = CLI_EXIT_INTERNAL;
	return rc;
}

int cmd_trace(int argc, char **argv)
{
	cli_cmd cmd = {"trace", NULL, NULL, NULL, NULL, trace_usage, trace_formats};
	cli_opts o;
	dnsvet_obs *obs = NULL;
	dnsvet_node_error nerr;
	char type[32];
	int first, rc = CLI_EXIT_USAGE;

	switch (cli_parse(&cmd, argc, argv, &o, &first)) {
	case CLI_PARSE_DONE:
		rc = CLI_EXIT_OK;
		goto out;
	case CLI_PARSE_USAGE:
		goto out;
	case CLI_PARSE_OK:
		break;
	}
	if (argc - first < 1 || argc - first > 2) {
		fprintf(stderr, "dnsvet trace: expected NAME [TYPE] (see 'dnsvet trace --help')\n");
		goto out;
	}
	snprintf(type, sizeof(type), "%s", argc - first == 2 ? argv[first + 1] : "A");
	for (char *p = type; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (ldns_get_rr_type_by_name(type) == 0) {
		fprintf(stderr, "dnsvet trace: TYPE: unknown record type '%s'\n", argv[first + 1]);
		goto out;
	}
	if (o.replay) {
		if (dnsvet_obs_load_yaml(o.replay, &obs, &nerr) != DNSVET_OK) {
			fprintf(stderr, "dnsvet trace: --replay: %s\n", nerr.message);
			goto out;
		}
	} else if (trace_probe(&o, argv[first], type, &obs)) {
		goto out;
	}
	if (o.record && dnsvet_obs_save_yaml(obs, o.record) != DNSVET_OK) {
		fprintf(stderr, "dnsvet trace: --record: cannot write '%s'\n", o.record);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	rc = print_trace(&cmd, &o, obs, argv[first], type);
out:
	dnsvet_obs_free(obs);
	cli_opts_free(&o);
	return rc;
}
