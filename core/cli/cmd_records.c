/* dnsvet records DOMAIN: the records to publish, for a zone file and for a web form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dnsvet/expect.h>
#include <dnsvet/node.h>
#include "cli/cli.h"
#include "cli/expect_args.h"
#include "cli/options.h"

enum { OPT_ZONE = CLI_OPT_EXPECT_LAST + 1 };

typedef struct records_args {
	cli_expect_args expect;
	const char *zone;
} records_args;

static const struct option records_options[] = {
	CLI_EXPECT_OPTIONS,
	{"zone", required_argument, NULL, OPT_ZONE},
	{NULL, 0, NULL, 0}
};

static const char *const records_formats[] = {"text", "zone", "form", "json", NULL};

static void records_usage(FILE *fp)
{
	fprintf(fp,
	        "usage: dnsvet records [OPTIONS] DOMAIN\n"
	        "\n"
	        "The DNS records DOMAIN must publish for Amazon SES: as zone-file lines and as the\n"
	        "type, name, priority and value a DNS provider's web form asks for.\n"
	        "\n"
	        "      --zone ZONE          the zone that holds the records (default DOMAIN); web\n"
	        "                           form names are relative to it\n"
	        "      --format NAME        text (both forms, the default), zone, form or json\n"
	        "\n");
	cli_expect_usage(fp);
	fprintf(fp, "\n");
	cli_opts_usage(fp);
}

static int records_option(void *ctx, int code, const char *where, const char *arg)
{
	records_args *a = ctx;
	int r = cli_expect_collect(&a->expect, "records", code, where, arg);

	if (r)
		return r < 0 ? -1 : 0;
	if (code == OPT_ZONE) {
		a->zone = arg;
		return 0;
	}
	return -1;
}

static dnsvet_status record_node(const dnsvet_expect_record *r, const char *zone,
                                 dnsvet_node *list)
{
	dnsvet_node *m = dnsvet_node_new_map();
	char rel[300];
	const char *value = r->value;
	dnsvet_status st;

	if (!m)
		return DNSVET_ERR_NOMEM;
	st = dnsvet_expect_relative_name(r->name, zone, rel, sizeof(rel));
	if (!st)
		st = dnsvet_node_map_set_string(m, "name", r->name);
	if (!st)
		st = dnsvet_node_map_set_string(m, "relative_name", rel);
	if (!st)
		st = dnsvet_node_map_set_string(m, "type", r->type);
	if (!st && strcmp(r->type, "MX") == 0) {
		char *end;
		long prio = strtol(value, &end, 10);

		if (end != value && *end == ' ') {
			st = dnsvet_node_map_set_int(m, "priority", prio);
			value = end + 1;
		}
	}
	if (!st)
		st = dnsvet_node_map_set_string(m, "value", value);
	if (!st)
		st = dnsvet_node_map_set_string(m, "role", r->role);
	if (!st)
		st = dnsvet_node_map_set_bool(m, "required", r->required);
	if (st) {
		dnsvet_node_free(m);
		return st;
	}
	return dnsvet_node_list_append(list, m);
}

static dnsvet_status records_json(const dnsvet_expect *e, const char *zone, char **out)
{
	dnsvet_node *doc = dnsvet_node_new_map(), *list = dnsvet_node_new_list();
	dnsvet_status st = doc && list ? DNSVET_OK : DNSVET_ERR_NOMEM;

	if (!st)
		st = dnsvet_node_map_set_string(doc, "domain", dnsvet_expect_domain(e));
	if (!st)
		st = dnsvet_node_map_set_string(doc, "zone", zone);
	if (!st)
		st = dnsvet_node_map_set_string(doc, "region", dnsvet_expect_region(e));
	for (size_t i = 0; !st && i < dnsvet_expect_record_count(e); i++)
		st = record_node(dnsvet_expect_record_at(e, i), zone, list);
	if (!st) {
		st = dnsvet_node_map_set(doc, "records", list);
		list = NULL;
	}
	if (!st)
		st = dnsvet_node_to_json(doc, 1, out);
	dnsvet_node_free(list);
	dnsvet_node_free(doc);
	return st;
}

static int print_records(const dnsvet_expect *e, const char *zone, const char *format, FILE *fp)
{
	char *zonefile = NULL, *form = NULL, *json = NULL;
	dnsvet_status st = DNSVET_OK;

	if (strcmp(format, "json") == 0) {
		st = records_json(e, zone, &json);
		if (!st)
			fprintf(fp, "%s\n", json);
	} else {
		if (strcmp(format, "form") != 0)
			st = dnsvet_expect_format_records(e, zone, DNSVET_EXPECT_ZONEFILE, &zonefile);
		if (!st && strcmp(format, "zone") != 0)
			st = dnsvet_expect_format_records(e, zone, DNSVET_EXPECT_FORM, &form);
		if (!st && zonefile)
			fputs(zonefile, fp);
		if (!st && zonefile && form)
			fputs("\n", fp);
		if (!st && form)
			fputs(form, fp);
	}
	free(zonefile);
	free(form);
	free(json);
	if (st) {
		fprintf(stderr, "dnsvet records: %s\n", dnsvet_status_str(st));
		return st == DNSVET_ERR_INVALID ? CLI_EXIT_USAGE : CLI_EXIT_INTERNAL;
	}
	return CLI_EXIT_OK;
}

/* zone is name or one of its ancestors (case and final dots aside). */
static int zone_holds(const char *zone, const char *name)
{
	size_t zl = strlen(zone), nl = strlen(name);

	if (zl && zone[zl - 1] == '.')
		zl--;
	if (zl == 0)
		return 1;
	if (zl > nl || strncasecmp(name + nl - zl, zone, zl) != 0)
		return 0;
	return zl == nl || name[nl - zl - 1] == '.';
}

int cmd_records(int argc, char **argv)
{
	records_args a;
	cli_cmd cmd = {"records", records_options, NULL, records_option, &a, records_usage,
	               records_formats};
	cli_opts o;
	dnsvet_expect *e = NULL;
	dnsvet_expect_error err;
	int first, rc = CLI_EXIT_USAGE, is_tty, color;
	const char *zone;
	FILE *fp;

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
	if (argc - first != 1) {
		fprintf(stderr, "dnsvet records: expected one DOMAIN (see 'dnsvet records --help')\n");
		goto out;
	}
	if (dnsvet_expect_new(argv[first], &e, &err) != DNSVET_OK) {
		fprintf(stderr, "dnsvet records: '%s': %s\n", argv[first], err.message);
		goto out;
	}
	if (cli_expect_apply(&a.expect, "records", e))
		goto out;
	zone = a.zone ? a.zone : dnsvet_expect_domain(e);
	if (!zone_holds(zone, dnsvet_expect_domain(e))) {
		fprintf(stderr, "dnsvet records: --zone: '%s' does not hold %s\n", zone,
		        dnsvet_expect_domain(e));
		goto out;
	}
	fp = cli_output_open(&cmd, &o, &is_tty, &color);
	if (!fp)
		goto out;
	rc = print_records(e, zone, cli_format(&o, is_tty, "text", "text"), fp);
	if (cli_output_close(&cmd, &o, fp) && rc == CLI_EXIT_OK)
		rc = CLI_EXIT_INTERNAL;
out:
	dnsvet_expect_free(e);
	cli_opts_free(&o);
	return rc;
}
