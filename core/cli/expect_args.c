/* Expectation flags of check and records, applied to a dnsvet_expect. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cli/expect_args.h"

void cli_expect_usage(FILE *fp)
{
	fprintf(fp,
	        "what the domain should publish:\n"
	        "      --ses-identity FILE  the JSON of 'aws sesv2 get-email-identity' (DKIM tokens,\n"
	        "                           signing zone, MAIL FROM, SES's statuses)\n"
	        "      --dkim-token T       an Easy DKIM token (repeat for the three tokens)\n"
	        "      --region R           the SES region (default us-east-1)\n"
	        "      --mail-from NAME     the custom MAIL FROM domain (a subdomain)\n"
	        "      --byodkim-selector S the selector of a BYODKIM key\n"
	        "      --legacy-token T     the legacy _amazonses TXT verification token\n"
	        "      --expect \"NAME TYPE VALUE\"  another record to check; NAME relative to the\n"
	        "                           domain (\"@\" for the domain) or absolute with a final dot\n"
	        "      --edited-ns HOST     a name server where the records were entered\n");
}

int cli_expect_collect(cli_expect_args *a, const char *cmd, int code, const char *where,
                       const char *arg)
{
	cli_expect_value *v;

	if (code < CLI_OPT_SES_IDENTITY || code > CLI_OPT_EXPECT_LAST)
		return 0;
	if (!arg || !*arg) {
		fprintf(stderr, "dnsvet %s: %s: the value is empty\n", cmd, where);
		return -1;
	}
	if (a->n == CLI_EXPECT_MAX_VALUES) {
		fprintf(stderr, "dnsvet %s: %s: more than %d expectation values\n", cmd, where,
		        CLI_EXPECT_MAX_VALUES);
		return -1;
	}
	v = &a->values[a->n++];
	v->code = code;
	v->value = arg;
	snprintf(v->where, sizeof(v->where), "%s", where);
	return 1;
}

/* The library's message without its "field: " prefix: the flag replaces the field. */
static const char *reason(const dnsvet_expect_error *err)
{
	size_t flen = strlen(err->field);

	if (flen && strncmp(err->message, err->field, flen) == 0 &&
	    strncmp(err->message + flen, ": ", 2) == 0)
		return err->message + flen + 2;
	return err->message;
}

/* "NAME TYPE VALUE": NAME relative to the domain unless it ends with a dot. */
static int add_expect(dnsvet_expect *e, const cli_expect_value *v, const char *cmd)
{
	const char *domain = dnsvet_expect_domain(e);
	const char *p = v->value, *name, *type, *value;
	size_t name_len, type_len, dlen = strlen(domain);
	char owner[600], typebuf[32];
	dnsvet_expect_error err;

	while (isspace((unsigned char)*p))
		p++;
	name = p;
	while (*p && !isspace((unsigned char)*p))
		p++;
	name_len = (size_t)(p - name);
	while (isspace((unsigned char)*p))
		p++;
	type = p;
	while (*p && !isspace((unsigned char)*p))
		p++;
	type_len = (size_t)(p - type);
	while (isspace((unsigned char)*p))
		p++;
	value = p;
	if (!name_len || !type_len || !*value) {
		fprintf(stderr, "dnsvet %s: %s: '%s' is not \"NAME TYPE VALUE\"\n", cmd, v->where,
		        v->value);
		return -1;
	}
	if (type_len >= sizeof(typebuf) || name_len >= 300) {
		fprintf(stderr, "dnsvet %s: %s: '%s': name or type too long\n", cmd, v->where,
		        v->value);
		return -1;
	}
	memcpy(typebuf, type, type_len);
	typebuf[type_len] = '\0';
	for (char *t = typebuf; *t; t++)
		*t = (char)toupper((unsigned char)*t);
	if (name_len == 1 && name[0] == '@')
		snprintf(owner, sizeof(owner), "%s", domain);
	else if (name[name_len - 1] == '.')
		snprintf(owner, sizeof(owner), "%.*s", (int)name_len - 1, name);
	else if ((name_len == dlen && strncasecmp(name, domain, dlen) == 0) ||
	         (name_len > dlen && name[name_len - dlen - 1] == '.' &&
	          strncasecmp(name + name_len - dlen, domain, dlen) == 0))
		snprintf(owner, sizeof(owner), "%.*s", (int)name_len, name);
	else
		snprintf(owner, sizeof(owner), "%.*s.%s", (int)name_len, name, domain);
	if (dnsvet_expect_add_record(e, owner, typebuf, value, &err) != DNSVET_OK) {
		fprintf(stderr, "dnsvet %s: %s: %s\n", cmd, v->where, reason(&err));
		return -1;
	}
	return 0;
}

int cli_expect_apply(const cli_expect_args *a, const char *cmd, dnsvet_expect *e)
{
	dnsvet_expect_error err;

	for (size_t i = 0; i < a->n; i++) {
		const cli_expect_value *v = &a->values[i];

		if (v->code != CLI_OPT_SES_IDENTITY)
			continue;
		if (dnsvet_expect_load_ses_json_file(e, v->value, &err) != DNSVET_OK) {
			fprintf(stderr, "dnsvet %s: %s: %s\n", cmd, v->where, err.message);
			return -1;
		}
	}
	for (size_t i = 0; i < a->n; i++) {
		const cli_expect_value *v = &a->values[i];
		dnsvet_status st = DNSVET_OK;

		switch (v->code) {
		case CLI_OPT_DKIM_TOKEN:
			st = dnsvet_expect_add_dkim_token(e, v->value, &err);
			break;
		case CLI_OPT_REGION:
			st = dnsvet_expect_set_region(e, v->value, &err);
			break;
		case CLI_OPT_MAIL_FROM:
			st = dnsvet_expect_set_mail_from(e, v->value, &err);
			break;
		case CLI_OPT_BYODKIM_SELECTOR:
			st = dnsvet_expect_set_byodkim_selector(e, v->value, &err);
			break;
		case CLI_OPT_LEGACY_TOKEN:
			st = dnsvet_expect_set_legacy_token(e, v->value, &err);
			break;
		case CLI_OPT_EDITED_NS:
			st = dnsvet_expect_add_edited_ns(e, v->value, &err);
			break;
		case CLI_OPT_EXPECT:
			if (add_expect(e, v, cmd))
				return -1;
			break;
		default:
			break;
		}
		if (st != DNSVET_OK) {
			fprintf(stderr, "dnsvet %s: %s: %s\n", cmd, v->where, reason(&err));
			return -1;
		}
	}
	return 0;
}
