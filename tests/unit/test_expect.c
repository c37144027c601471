/* Expectations: explicit inputs, derivation, validation errors, node round trip, printers. */
#include <dnsvet/expect.h>
#include <dnsvet/node.h>
#include "test_node_util.h"

#define TOK1 "3m4xaxqqbtexfkbv6y4d2bbu7gbozbau"
#define TOK2 "n2bwrk5ctyqhn3ewhs7yp4ewlfz4ecxu"
#define TOK3 "wfb6ocwsvhshdqzxggmsrnqpgq5bkxrm"

static void check_record(const dnsvet_expect *e, size_t i, const char *name, const char *type,
                         const char *value, const char *role, int required)
{
	const dnsvet_expect_record *r = dnsvet_expect_record_at(e, i);

	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_STR(r->name, name);
	CHECK_STR(r->type, type);
	CHECK_STR(r->value, value);
	CHECK_STR(r->role, role);
	CHECK(r->required == required);
}

static dnsvet_expect *full_us_east_1(void)
{
	dnsvet_expect *e = NULL;
	dnsvet_expect_error err;

	CHECK(dnsvet_expect_new("Shop.Example.COM.", &e, &err) == DNSVET_OK);
	CHECK(dnsvet_expect_add_dkim_token(e, TOK1, &err) == DNSVET_OK);
	/* what a user pastes in capitals is the same token */
	CHECK(dnsvet_expect_add_dkim_token(e, "N2BWRK5CTYQHN3EWHS7YP4EWLFZ4ECXU", &err) == DNSVET_OK);
	CHECK(dnsvet_expect_add_dkim_token(e, TOK3, &err) == DNSVET_OK);
	CHECK(dnsvet_expect_set_mail_from(e, "mail.shop.example.com.", &err) == DNSVET_OK);
	CHECK(dnsvet_expect_set_legacy_token(e, "pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=", &err) == DNSVET_OK);
	CHECK(dnsvet_expect_add_edited_ns(e, "NS1.OldHost.net.", &err) == DNSVET_OK);
	CHECK(dnsvet_expect_add_edited_ns(e, "ns1.oldhost.net", &err) == DNSVET_OK);
	CHECK(dnsvet_expect_add_record(e, "_mta-sts.shop.example.com", "txt", "v=STSv1; id=2026112001",
	                               &err) == DNSVET_OK);
	return e;
}

static void test_explicit_us_east_1(void)
{
	dnsvet_expect *e = full_us_east_1();

	CHECK_STR(dnsvet_expect_domain(e), "shop.example.com");
	CHECK_STR(dnsvet_expect_region(e), "us-east-1");
	CHECK_STR(dnsvet_expect_signing_zone(e), "dkim.amazonses.com");
	CHECK_STR(dnsvet_expect_signing_origin(e), "AWS_SES");
	CHECK(dnsvet_expect_token_count(e) == 3);
	CHECK_STR(dnsvet_expect_token_at(e, 1), TOK2);
	CHECK(dnsvet_expect_edited_ns_count(e) == 1);
	CHECK_STR(dnsvet_expect_edited_ns_at(e, 0), "ns1.oldhost.net");
	CHECK(dnsvet_expect_dmarc(e) == 1);
	CHECK(dnsvet_expect_has_ses(e) == 0);
	CHECK(dnsvet_expect_record_count(e) == 9);
	check_record(e, 0, TOK1 "._domainkey.shop.example.com", "CNAME", TOK1 ".dkim.amazonses.com", "dkim", 1);
	check_record(e, 1, TOK2 "._domainkey.shop.example.com", "CNAME", TOK2 ".dkim.amazonses.com", "dkim", 1);
	check_record(e, 2, TOK3 "._domainkey.shop.example.com", "CNAME", TOK3 ".dkim.amazonses.com", "dkim", 1);
	check_record(e, 3, "mail.shop.example.com", "MX", "10 feedback-smtp.us-east-1.amazonses.com",
	             "mail_from_mx", 1);
	check_record(e, 4, "mail.shop.example.com", "TXT", "v=spf1 include:amazonses.com ~all",
	             "mail_from_spf", 1);
	check_record(e, 5, "_amazonses.shop.example.com", "TXT",
	             "pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=", "legacy", 1);
	check_record(e, 6, "_dmarc.shop.example.com", "TXT", "v=DMARC1; p=none;", "dmarc", 0);
	check_record(e, 7, "shop.example.com", "TXT", "v=spf1 include:amazonses.com ~all", "spf", 0);
	check_record(e, 8, "_mta-sts.shop.example.com", "TXT", "v=STSv1; id=2026112001", "custom", 1);
	CHECK(dnsvet_expect_record_at(e, 9) == NULL);

	/* DMARC off drops its record; removing MAIL FROM drops both of its records */
	dnsvet_expect_set_dmarc(e, 0);
	CHECK(dnsvet_expect_record_count(e) == 8);
	CHECK(dnsvet_expect_set_mail_from(e, NULL, NULL) == DNSVET_OK);
	CHECK(dnsvet_expect_record_count(e) == 6);
	CHECK(dnsvet_expect_mail_from(e) == NULL);
	dnsvet_expect_free(e);
}

static void test_regional(void)
{
	dnsvet_expect *e = NULL;
	dnsvet_expect_error err;
	size_t i, regional = 0;

	CHECK(dnsvet_expect_new("shop.example.com", &e, &err) == DNSVET_OK);
	CHECK(dnsvet_expect_add_dkim_token(e, TOK1, &err) == DNSVET_OK);
	CHECK(dnsvet_expect_set_mail_from(e, "bounce.shop.example.com", &err) == DNSVET_OK);
	CHECK(dnsvet_expect_set_region(e, "AF-South-1", &err) == DNSVET_OK);
	CHECK_STR(dnsvet_expect_region(e), "af-south-1");
	CHECK_STR(dnsvet_expect_signing_zone(e), "dkim.af-south-1.amazonses.com");
	check_record(e, 0, TOK1 "._domainkey.shop.example.com", "CNAME",
	             TOK1 ".dkim.af-south-1.amazonses.com", "dkim", 1);
	check_record(e, 1, "bounce.shop.example.com", "MX", "10 feedback-smtp.af-south-1.amazonses.com",
	             "mail_from_mx", 1);
	/* a region without a regional zone goes back to the default */
	CHECK(dnsvet_expect_set_region(e, "eu-west-1", &err) == DNSVET_OK);
	CHECK_STR(dnsvet_expect_signing_zone(e), "dkim.amazonses.com");
	check_record(e, 1, "bounce.shop.example.com", "MX", "10 feedback-smtp.eu-west-1.amazonses.com",
	             "mail_from_mx", 1);
	/* an explicit signing zone wins over the region's */
	CHECK(dnsvet_expect_set_signing_zone(e, "DKIM.eu-south-1.amazonses.com.", &err) == DNSVET_OK);
	check_record(e, 0, TOK1 "._domainkey.shop.example.com", "CNAME",
	             TOK1 ".dkim.eu-south-1.amazonses.com", "dkim", 1);
	CHECK(dnsvet_expect_set_signing_zone(e, NULL, &err) == DNSVET_OK);
	CHECK_STR(dnsvet_expect_signing_zone(e), "dkim.amazonses.com");
	dnsvet_expect_free(e);

	for (i = 0; dnsvet_expect_region_at(i); i++)
		if (strcmp(dnsvet_expect_region_signing_zone(dnsvet_expect_region_at(i)),
		           "dkim.amazonses.com") != 0)
			regional++;
	CHECK(i >= 25);
	CHECK(regional >= 6);
	CHECK_STR(dnsvet_expect_region_signing_zone("il-central-1"), "dkim.il-central-1.amazonses.com");
	CHECK_STR(dnsvet_expect_region_signing_zone("eu-central-1"), "dkim.amazonses.com");
	CHECK(dnsvet_expect_region_signing_zone("mars-north-1") == NULL);
}

static void check_fail(dnsvet_status st, const dnsvet_expect_error *err, const char *field,
                       const char *fragment)
{
	CHECK(st == DNSVET_ERR_INVALID);
	CHECK_STR(err->field, field);
	t_checks++;
	if (strncmp(err->message, field, strlen(field)) != 0 && !strstr(err->message, field)) {
		t_failures++;
		fprintf(stderr, "message \"%s\" does not name %s\n", err->message, field);
	}
	CHECK_CONTAINS(err->message, fragment);
}

static void test_validation(void)
{
	static const struct {
		const char *domain, *fragment;
	} bad_domains[] = {
		{"", "empty"},
		{"exa mple.com", "blank"},
		{"-shop.example.com", "starts or ends with '-'"},
		{"shop-.example.com", "starts or ends with '-'"},
		{"a..example.com", "empty label"},
		{".example.com", "empty label"},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", "label of 64"},
		{"192.0.2.1", "IP address"},
		{"2001:db8::1", "IP address"},
		{"localhost", "single label"},
		{"ex_ample.com", "'_'"},
		{"shop@example.com", "'@'"},
		{"b\xc3\xbc" "cher.de", "xn--"},
		{"example.123", "all-numeric"},
	};
	dnsvet_expect *e = NULL, *e2 = NULL;
	dnsvet_expect_error err;
	char longname[300];
	size_t i;

	for (i = 0; i < sizeof(bad_domains) / sizeof(bad_domains[0]); i++) {
		e2 = (dnsvet_expect *)1;
		check_fail(dnsvet_expect_new(bad_domains[i].domain, &e2, &err), &err, "domain",
		           bad_domains[i].fragment);
		CHECK(e2 == NULL);
	}
	/* 254 characters in total */
	memset(longname, 'a', sizeof(longname));
	for (i = 63; i < 254; i += 64)
		longname[i] = '.';
	longname[254] = '\0';
	check_fail(dnsvet_expect_new(longname, &e2, &err), &err, "domain", "more than the 253");
	longname[253] = '\0';
	longname[252] = 'x';
	CHECK(dnsvet_expect_new(longname, &e2, &err) == DNSVET_OK);
	dnsvet_expect_free(e2);
	CHECK(dnsvet_expect_new("xn--bcher-kva.de", &e2, &err) == DNSVET_OK);
	dnsvet_expect_free(e2);

	CHECK(dnsvet_expect_new("shop.example.com", &e, &err) == DNSVET_OK);
	check_fail(dnsvet_expect_add_dkim_token(e, "abc", &err), &err, "dkim_tokens[0]",
	           "3 characters, tokens have exactly 32");
	check_fail(dnsvet_expect_add_dkim_token(e, "qz7kd2vwpxlm4hfeo3snrb-u6tgac5ij", &err), &err,
	           "dkim_tokens[0]", "character '-' at position 23");
	check_fail(dnsvet_expect_add_dkim_token(e, TOK1 "x", &err), &err, "dkim_tokens[0]",
	           "33 characters");
	CHECK(dnsvet_expect_add_dkim_token(e, TOK1, &err) == DNSVET_OK);
	check_fail(dnsvet_expect_add_dkim_token(e, TOK1, &err), &err, "dkim_tokens[1]", "given twice");
	CHECK(dnsvet_expect_add_dkim_token(e, TOK2, &err) == DNSVET_OK);
	CHECK(dnsvet_expect_add_dkim_token(e, TOK3, &err) == DNSVET_OK);
	check_fail(dnsvet_expect_add_dkim_token(e, "ab3rwu7ghl2mdqk5fzn6xhvcsyjpt4oe", &err), &err,
	           "dkim_tokens[3]", "exactly 3 tokens");
	check_fail(dnsvet_expect_set_byodkim_selector(e, "sel1", &err), &err, "byodkim_selector",
	           "cannot be combined with Easy DKIM");

	check_fail(dnsvet_expect_set_mail_from(e, "shop.example.com", &err), &err, "mail_from",
	           "not a subdomain of shop.example.com");
	check_fail(dnsvet_expect_set_mail_from(e, "mail.other.com", &err), &err, "mail_from",
	           "not a subdomain");
	check_fail(dnsvet_expect_set_mail_from(e, "example.com", &err), &err, "mail_from",
	           "not a subdomain");
	check_fail(dnsvet_expect_set_mail_from(e, "mailshop.example.com", &err), &err, "mail_from",
	           "not a subdomain");
	check_fail(dnsvet_expect_set_mail_from(e, "ma il.shop.example.com", &err), &err, "mail_from",
	           "blank");

	check_fail(dnsvet_expect_set_region(e, "us-east-7", &err), &err, "region",
	           "unknown SES region 'us-east-7' (did you mean us-east-1, us-east-2");
	check_fail(dnsvet_expect_set_region(e, "eu-wst-1", &err), &err, "region", "eu-west-1");
	check_fail(dnsvet_expect_set_region(e, "frankfurt", &err), &err, "region",
	           "unknown SES region 'frankfurt'");
	/* nothing close: every known region, not a command that does not exist */
	check_fail(dnsvet_expect_set_region(e, "mars-1", &err), &err, "region",
	           "unknown SES region 'mars-1' (known: us-east-1/2, us-west-1/2, af-south-1, ");
	CHECK_CONTAINS(err.message, "eu-west-1/2/3, ");
	CHECK_CONTAINS(err.message, "us-gov-west-1)");
	CHECK(strstr(err.message, "dnsvet regions") == NULL);
	CHECK_STR(dnsvet_expect_region(e), "us-east-1");

	check_fail(dnsvet_expect_set_legacy_token(e, "abc def", &err), &err, "legacy_token",
	           "character ' ' at position 4");
	check_fail(dnsvet_expect_set_signing_zone(e, "dkim..amazonses.com", &err), &err,
	           "signing_zone", "empty label");
	check_fail(dnsvet_expect_add_edited_ns(e, "ns1", &err), &err, "edited_ns[0]", "single label");
	check_fail(dnsvet_expect_add_record(e, "x.shop.example.com", "T XT", "v", &err), &err,
	           "records[0].type", "not a record type");
	check_fail(dnsvet_expect_add_record(e, "x.shop.example.com", "TXT", "", &err), &err,
	           "records[0].value", "empty");
	check_fail(dnsvet_expect_add_record(e, "x..shop.example.com", "TXT", "v", &err), &err,
	           "records[0].name", "empty label");
	/* a record is a known type, data of that type, at the identity or below it */
	check_fail(dnsvet_expect_add_record(e, "shop.example.com", "BOGUS", "abc", &err), &err,
	           "records[0].type", "'BOGUS' is not a record type");
	check_fail(dnsvet_expect_add_record(e, "shop.example.com", "ANY", "abc", &err), &err,
	           "records[0].type", "not a record type");
	check_fail(dnsvet_expect_add_record(e, "shop.example.com", "MX", "notanmx", &err), &err,
	           "records[0].value", "'notanmx' is not MX data");
	check_fail(dnsvet_expect_add_record(e, "shop.example.com", "MX", "10", &err), &err,
	           "records[0].value", "is not MX data");
	check_fail(dnsvet_expect_add_record(e, "www.shop.example.com", "A", "999.1.1.1", &err),
	           &err, "records[0].value", "'999.1.1.1' is not A data");
	check_fail(dnsvet_expect_add_record(e, "www.shop.example.com", "CNAME", "a b", &err),
	           &err, "records[0].value", "is not CNAME data");
	check_fail(dnsvet_expect_add_record(e, "other.org", "TXT", "abc", &err), &err,
	           "records[0].name", "'other.org' is not shop.example.com or a name below it");
	check_fail(dnsvet_expect_add_record(e, "example.com", "TXT", "abc", &err), &err,
	           "records[0].name", "not shop.example.com or a name below it");
	check_fail(dnsvet_expect_add_record(e, "x.shop.example.com", "TXT", "a\nb", &err), &err,
	           "records[0].value", "contains a control character");
	check_fail(dnsvet_expect_add_record(e, "x\t.shop.example.com", "TXT", "v", &err), &err,
	           "records[0].name", "contains a control character");
	/* control characters are named, not echoed */
	check_fail(dnsvet_expect_add_dkim_token(e, "abc\x1b[31m", &err), &err, "dkim_tokens[3]",
	           "contains a control character");
	check_fail(dnsvet_expect_set_legacy_token(e, "abc\r", &err), &err, "legacy_token",
	           "contains a control character");
	/* nothing of the above changed the object */
	CHECK(dnsvet_expect_record_count(e) == 5);
	dnsvet_expect_free(e);

	CHECK(dnsvet_expect_new("shop.example.com", &e, &err) == DNSVET_OK);
	check_fail(dnsvet_expect_set_byodkim_selector(e, "sel.1", &err), &err, "byodkim_selector",
	           "single label");
	CHECK(dnsvet_expect_set_byodkim_selector(e, "Sel-2026", &err) == DNSVET_OK);
	CHECK_STR(dnsvet_expect_signing_origin(e), "EXTERNAL");
	check_fail(dnsvet_expect_add_dkim_token(e, TOK1, &err), &err, "dkim_tokens[0]",
	           "BYODKIM selector 'sel-2026'");
	check_record(e, 0, "sel-2026._domainkey.shop.example.com", "TXT",
	             "v=DKIM1; k=rsa; p=<public key>", "byodkim", 1);
	CHECK(dnsvet_expect_record_at(e, 0)->comparable == 0);
	dnsvet_expect_free(e);
}

static void test_node_round_trip(void)
{
	dnsvet_expect *e = full_us_east_1(), *back = NULL;
	dnsvet_expect_error err;
	dnsvet_node *n = NULL, *n2 = NULL, *parsed = NULL, *ses = NULL;
	dnsvet_node_error nerr;
	char *y = NULL;
	const char *src;

	CHECK(dnsvet_expect_to_node(e, &n) == DNSVET_OK);
	CHECK(dnsvet_expect_ses_to_node(e, &ses) == DNSVET_OK);
	CHECK(ses == NULL);
	CHECK(dnsvet_node_to_yaml(n, &y) == DNSVET_OK);
	CHECK_CONTAINS(y, "region: us-east-1\nsigning_zone: dkim.amazonses.com\n"
	               "signing_origin: AWS_SES\ndkim_tokens:\n  - " TOK1 "\n");
	CHECK_CONTAINS(y, "mail_from: mail.shop.example.com\n");
	CHECK_CONTAINS(y, "legacy_token: pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=\n");
	CHECK_CONTAINS(y, "dmarc: true\nedited_ns:\n  - ns1.oldhost.net\nrecords:\n");
	CHECK_CONTAINS(y, "  - name: mail.shop.example.com\n    type: MX\n"
	               "    value: 10 feedback-smtp.us-east-1.amazonses.com\n"
	               "    role: mail_from_mx\n    required: true\n");
	CHECK_CONTAINS(y, "    value: v=DMARC1; p=none;\n    role: dmarc\n    required: false\n");
	CHECK(dnsvet_node_parse_yaml(y, strlen(y), "expect.yaml", &parsed, &nerr) == DNSVET_OK);
	free(y);

	/* read back: the same expectations, the same node */
	CHECK(dnsvet_expect_from_node("shop.example.com", parsed, NULL, "expect.yaml", &back, &err) == DNSVET_OK);
	if (back) {
		CHECK(dnsvet_expect_to_node(back, &n2) == DNSVET_OK);
		CHECK(dnsvet_node_equal(n, n2));
		CHECK(dnsvet_expect_record_count(back) == 9);
		dnsvet_node_free(n2);
		/* a change re-derives, custom records included */
		dnsvet_expect_set_dmarc(back, 0);
		CHECK(dnsvet_expect_record_count(back) == 8);
		check_record(back, 7, "_mta-sts.shop.example.com", "TXT", "v=STSv1; id=2026112001",
		             "custom", 1);
		dnsvet_expect_free(back);
	}
	dnsvet_node_free(parsed);
	dnsvet_node_free(n);
	dnsvet_expect_free(e);

	/* without records they are derived; a records list is taken as it is */
	src = "region: ca-west-1\ndkim_tokens: [" TOK1 "]\n";
	CHECK(dnsvet_node_parse_yaml(src, strlen(src), "f.yaml", &parsed, &nerr) == DNSVET_OK);
	CHECK(dnsvet_expect_from_node("a.example.org", parsed, NULL, "f.yaml", &back, &err) == DNSVET_OK);
	CHECK(dnsvet_expect_record_count(back) == 3);
	check_record(back, 0, TOK1 "._domainkey.a.example.org", "CNAME",
	             TOK1 ".dkim.ca-west-1.amazonses.com", "dkim", 1);
	dnsvet_expect_free(back);
	dnsvet_node_free(parsed);

	src = "region: us-east-1\nrecords:\n  - {name: x.a.example.org, type: CNAME, value: y.test, role: dkim}\n";
	CHECK(dnsvet_node_parse_yaml(src, strlen(src), "f.yaml", &parsed, &nerr) == DNSVET_OK);
	CHECK(dnsvet_expect_from_node("a.example.org", parsed, NULL, "f.yaml", &back, &err) == DNSVET_OK);
	CHECK(dnsvet_expect_record_count(back) == 1);
	check_record(back, 0, "x.a.example.org", "CNAME", "y.test", "dkim", 1);
	dnsvet_expect_free(back);
	dnsvet_node_free(parsed);

	/* errors name the field and where it is */
	src = "region: us-east-1\ndkim_tokens:\n  - " TOK1 "\n  - short\n";
	CHECK(dnsvet_node_parse_yaml(src, strlen(src), "f.yaml", &parsed, &nerr) == DNSVET_OK);
	check_fail(dnsvet_expect_from_node("a.example.org", parsed, NULL, "f.yaml", &back, &err), &err,
	           "expect.dkim_tokens[1]", "");
	CHECK(back == NULL);
	CHECK_STR(err.message, "f.yaml:4:5: expect.dkim_tokens[1]: 'short' is not an Easy DKIM "
	          "token: 5 characters, tokens have exactly 32 (a-z and 0-9)");
	dnsvet_node_free(parsed);
	src = "dmarc: true\nregion: mars-1\n";
	CHECK(dnsvet_node_parse_yaml(src, strlen(src), "f.yaml", &parsed, &nerr) == DNSVET_OK);
	CHECK(dnsvet_expect_from_node("a.example.org", parsed, NULL, "f.yaml", &back, &err) == DNSVET_ERR_INVALID);
	CHECK_STR(err.field, "expect.region");
	CHECK(err.line == 2 && err.column == 9);
	CHECK_CONTAINS(err.message, "f.yaml:2:9: expect.region: unknown SES region 'mars-1'");
	dnsvet_node_free(parsed);
	src = "dmarc: 1\n";
	CHECK(dnsvet_node_parse_yaml(src, strlen(src), "f.yaml", &parsed, &nerr) == DNSVET_OK);
	CHECK(dnsvet_expect_from_node("a.example.org", parsed, NULL, "f.yaml", &back, &err) == DNSVET_ERR_INVALID);
	CHECK_STR(err.message, "f.yaml:1:8: expect.dmarc: must be true or false");
	dnsvet_node_free(parsed);
	CHECK(dnsvet_expect_from_node("bad domain", NULL, NULL, NULL, &back, &err) == DNSVET_ERR_INVALID);
	CHECK_STR(err.field, "domain");
}

static void test_printers(void)
{
	dnsvet_expect *e = NULL;
	dnsvet_expect_error err;
	char *out = NULL, rel[64], longtxt[600];
	size_t i;

	CHECK(dnsvet_expect_new("shop.example.com", &e, &err) == DNSVET_OK);
	dnsvet_expect_add_dkim_token(e, TOK1, &err);
	dnsvet_expect_set_mail_from(e, "mail.shop.example.com", &err);
	CHECK(dnsvet_expect_format_records(e, NULL, DNSVET_EXPECT_ZONEFILE, &out) == DNSVET_OK);
	CHECK_STR(out,
		"; Amazon SES records for shop.example.com (region us-east-1), zone shop.example.com\n"
		TOK1 "._domainkey.shop.example.com. 1800 IN CNAME " TOK1 ".dkim.amazonses.com.\n"
		"mail.shop.example.com. 1800 IN MX 10 feedback-smtp.us-east-1.amazonses.com.\n"
		"mail.shop.example.com. 1800 IN TXT \"v=spf1 include:amazonses.com ~all\"\n"
		"_dmarc.shop.example.com. 1800 IN TXT \"v=DMARC1; p=none;\" ; recommended\n"
		"shop.example.com. 1800 IN TXT \"v=spf1 include:amazonses.com ~all\" ; recommended\n");
	free(out);
	CHECK(dnsvet_expect_format_records(e, "Example.com.", DNSVET_EXPECT_FORM, &out) == DNSVET_OK);
	CHECK_STR(out,
		"# zone example.com: names relative to it (\"@\" is the zone itself)\n"
		"TYPE   NAME                                              PRIORITY  VALUE\n"
		"CNAME  " TOK1 "._domainkey.shop            " TOK1 ".dkim.amazonses.com\n"
		"MX     mail.shop                                         10        feedback-smtp.us-east-1.amazonses.com\n"
		"TXT    mail.shop                                                   v=spf1 include:amazonses.com ~all\n"
		"TXT    _dmarc.shop                                                 v=DMARC1; p=none;   (recommended)\n"
		"TXT    shop                                                        v=spf1 include:amazonses.com ~all   (recommended)\n");
	free(out);
	CHECK(dnsvet_expect_format_records(e, NULL, DNSVET_EXPECT_FORM, &out) == DNSVET_OK);
	CHECK_CONTAINS(out, "\nTXT    @                                                      v=spf1");
	free(out);

	/* TXT over 255 bytes is split; quotes and backslashes escaped */
	for (i = 0; i < 300; i++)
		longtxt[i] = (char)('a' + i % 26);
	longtxt[300] = '\0';
	longtxt[10] = '"';
	longtxt[20] = '\\';
	CHECK(dnsvet_expect_add_record(e, "k._domainkey.shop.example.com", "TXT", longtxt, &err) == DNSVET_OK);
	CHECK(dnsvet_expect_format_records(e, NULL, DNSVET_EXPECT_ZONEFILE, &out) == DNSVET_OK);
	{
		const char *line = strstr(out, "k._domainkey.shop.example.com. 1800 IN TXT \"");
		const char *q, *split;

		CHECK(line != NULL);
		if (line) {
			q = line + strlen("k._domainkey.shop.example.com. 1800 IN TXT \"");
			split = strstr(q, "\" \"");
			CHECK(split != NULL);
			/* 255 bytes of text = 257 characters with the two escapes */
			CHECK(split && split - q == 257);
			CHECK(strncmp(q, "abcdefghij\\\"lmnopqrst\\\\v", 24) == 0);
		}
	}
	free(out);
	dnsvet_expect_free(e);

	CHECK(dnsvet_expect_relative_name("a.b.example.com", "example.com", rel, sizeof(rel)) == DNSVET_OK);
	CHECK_STR(rel, "a.b");
	CHECK(dnsvet_expect_relative_name("Example.com.", "example.COM", rel, sizeof(rel)) == DNSVET_OK);
	CHECK_STR(rel, "@");
	CHECK(dnsvet_expect_relative_name("a.badexample.com", "example.com", rel, sizeof(rel)) == DNSVET_OK);
	CHECK_STR(rel, "a.badexample.com.");
	CHECK(dnsvet_expect_relative_name("a.example.com", "example.com", rel, 1) == DNSVET_ERR_LIMIT);
}

int main(void)
{
	test_explicit_us_east_1();
	test_regional();
	test_validation();
	test_node_round_trip();
	test_printers();
	return t_finish("test_expect");
}
