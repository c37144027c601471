/* SES identity JSON (aws sesv2 get-email-identity) on real-shaped documents. */
#include <dnsvet/expect.h>
#include <dnsvet/node.h>
#include "test_node_util.h"

static const char *datadir;

static dnsvet_expect *load(const char *domain, const char *file, dnsvet_status want,
                           dnsvet_expect_error *err)
{
	dnsvet_expect *e = NULL;
	char path[1024];
	dnsvet_status st;

	snprintf(path, sizeof(path), "%s/%s", datadir, file);
	CHECK(dnsvet_expect_new(domain, &e, err) == DNSVET_OK);
	st = dnsvet_expect_load_ses_json_file(e, path, err);
	CHECK(st == want);
	if (st != want)
		fprintf(stderr, "  %s: %s (%s)\n", file, dnsvet_status_str(st), err->message);
	return e;
}

static void test_verified(void)
{
	dnsvet_expect_error err;
	dnsvet_expect *e = load("shop.example.com", "verified.json", DNSVET_OK, &err);
	dnsvet_node *ses = NULL;
	char *y = NULL;

	CHECK(dnsvet_expect_has_ses(e));
	CHECK(dnsvet_expect_token_count(e) == 3);
	CHECK_STR(dnsvet_expect_token_at(e, 2), "wfb6ocwsvhshdqzxggmsrnqpgq5bkxrm");
	CHECK_STR(dnsvet_expect_signing_zone(e), "dkim.amazonses.com");
	CHECK_STR(dnsvet_expect_signing_origin(e), "AWS_SES");
	CHECK(dnsvet_expect_mail_from(e) == NULL);
	CHECK_STR(dnsvet_expect_record_at(e, 0)->value,
	          "3m4xaxqqbtexfkbv6y4d2bbu7gbozbau.dkim.amazonses.com");
	CHECK(dnsvet_expect_ses_to_node(e, &ses) == DNSVET_OK);
	CHECK(dnsvet_node_to_yaml(ses, &y) == DNSVET_OK);
	CHECK_STR(y,
		"identity: shop.example.com\n"
		"identity_type: DOMAIN\n"
		"verification_status: SUCCESS\n"
		"verified_for_sending: true\n"
		"dkim_status: SUCCESS\n"
		"dkim_signing_enabled: true\n"
		"signing_origin: AWS_SES\n"
		"behavior_on_mx_failure: USE_DEFAULT_VALUE\n"
		"last_checked: \"2026-11-20T10:00:03.512000+00:00\"\n"
		"last_success: \"2026-11-20T10:00:03.512000+00:00\"\n");
	free(y);
	dnsvet_node_free(ses);
	dnsvet_expect_free(e);
}

static void test_pending(void)
{
	dnsvet_expect_error err;
	dnsvet_expect *e = load("news.example.net", "pending.json", DNSVET_OK, &err);
	dnsvet_node *ses = NULL;

	CHECK(dnsvet_expect_token_count(e) == 3);
	CHECK(dnsvet_expect_record_count(e) == 5);
	CHECK(dnsvet_expect_ses_to_node(e, &ses) == DNSVET_OK);
	CHECK_STR(dnsvet_node_path_string(ses, "verification_status"), "PENDING");
	CHECK_STR(dnsvet_node_path_string(ses, "dkim_status"), "PENDING");
	CHECK(dnsvet_node_bool(dnsvet_node_path(ses, "verified_for_sending"), 1) == 0);
	CHECK(dnsvet_node_path(ses, "last_success") == NULL);
	CHECK(dnsvet_node_path(ses, "error_type") == NULL);
	dnsvet_node_free(ses);
	dnsvet_expect_free(e);
}

static void test_byodkim(void)
{
	dnsvet_expect_error err;
	dnsvet_expect *e = load("shop.example.com", "byodkim.json", DNSVET_OK, &err);
	const dnsvet_expect_record *r;
	dnsvet_node *n = NULL;

	CHECK_STR(dnsvet_expect_signing_origin(e), "EXTERNAL");
	CHECK_STR(dnsvet_expect_byodkim_selector(e), "sel2026");
	CHECK(dnsvet_expect_token_count(e) == 0);
	r = dnsvet_expect_record_at(e, 0);
	CHECK(r && strcmp(r->name, "sel2026._domainkey.shop.example.com") == 0);
	CHECK(r && strcmp(r->type, "TXT") == 0 && strcmp(r->role, "byodkim") == 0);
	CHECK(r && r->comparable == 0 && r->required == 1);
	CHECK(dnsvet_expect_to_node(e, &n) == DNSVET_OK);
	CHECK_STR(dnsvet_node_path_string(n, "signing_origin"), "EXTERNAL");
	CHECK_STR(dnsvet_node_path_string(n, "byodkim_selector"), "sel2026");
	CHECK(dnsvet_node_bool(dnsvet_node_path(n, "records.0.comparable"), 1) == 0);
	CHECK(dnsvet_node_path(n, "dkim_tokens") == NULL);
	dnsvet_node_free(n);
	CHECK(dnsvet_expect_ses_to_node(e, &n) == DNSVET_OK);
	CHECK_STR(dnsvet_node_path_string(n, "error_type"), "TYPE_NOT_FOUND");
	dnsvet_node_free(n);
	dnsvet_expect_free(e);
}

static void test_mail_from_regional(void)
{
	dnsvet_expect_error err;
	dnsvet_expect *e = load("shop.example.com", "mail_from.json", DNSVET_OK, &err), *back = NULL;
	dnsvet_node *ses = NULL, *ex = NULL, *ses2 = NULL;
	size_t i;
	int mx = 0;

	CHECK_STR(dnsvet_expect_mail_from(e), "mail.shop.example.com");
	CHECK_STR(dnsvet_expect_signing_zone(e), "dkim.af-south-1.amazonses.com");
	/* the regional signing zone tells the region, which the MX needs */
	CHECK_STR(dnsvet_expect_region(e), "af-south-1");
	for (i = 0; i < dnsvet_expect_record_count(e); i++) {
		const dnsvet_expect_record *r = dnsvet_expect_record_at(e, i);

		if (strcmp(r->type, "MX") == 0) {
			mx++;
			CHECK_STR(r->value, "10 feedback-smtp.af-south-1.amazonses.com");
		}
	}
	CHECK(mx == 1);
	CHECK_STR(dnsvet_expect_record_at(e, 0)->value,
	          "kq3xbvz6yfw2n5rdhoa7tpmcluejig4s.dkim.af-south-1.amazonses.com");
	CHECK(dnsvet_expect_ses_to_node(e, &ses) == DNSVET_OK);
	CHECK_STR(dnsvet_node_path_string(ses, "mail_from_domain"), "mail.shop.example.com");
	CHECK_STR(dnsvet_node_path_string(ses, "mail_from_status"), "PENDING");
	CHECK_STR(dnsvet_node_path_string(ses, "behavior_on_mx_failure"), "REJECT_MESSAGE");

	/* expect: and ses: read back into the same thing */
	CHECK(dnsvet_expect_to_node(e, &ex) == DNSVET_OK);
	CHECK(dnsvet_expect_from_node("shop.example.com", ex, ses, NULL, &back, &err) == DNSVET_OK);
	CHECK(back && dnsvet_expect_has_ses(back));
	CHECK(dnsvet_expect_ses_to_node(back, &ses2) == DNSVET_OK);
	CHECK(dnsvet_node_equal(ses, ses2));
	CHECK_STR(dnsvet_expect_region(back), "af-south-1");
	dnsvet_node_free(ses);
	dnsvet_node_free(ses2);
	dnsvet_node_free(ex);
	dnsvet_expect_free(back);

	/* a region at odds with the identity's is an error, whichever comes first: DKIM in
	 * one region and MAIL FROM in another is no identity's setup */
	CHECK(dnsvet_expect_set_region(e, "eu-west-1", &err) == DNSVET_ERR_INVALID);
	CHECK_STR(err.field, "region");
	CHECK_CONTAINS(err.message, "region: eu-west-1 is not the identity's region af-south-1");
	CHECK_STR(dnsvet_expect_region(e), "af-south-1");
	CHECK(dnsvet_expect_set_region(e, "AF-SOUTH-1", &err) == DNSVET_OK);
	dnsvet_expect_free(e);
	e = NULL;
	CHECK(dnsvet_expect_new("shop.example.com", &e, &err) == DNSVET_OK);
	CHECK(dnsvet_expect_set_region(e, "eu-west-1", &err) == DNSVET_OK);
	{
		char path[1024];

		snprintf(path, sizeof(path), "%s/mail_from.json", datadir);
		CHECK(dnsvet_expect_load_ses_json_file(e, path, &err) == DNSVET_ERR_INVALID);
	}
	CHECK_STR(err.field, "DkimAttributes.SigningHostedZone");
	CHECK_CONTAINS(err.message, "mail_from.json:17:30: DkimAttributes.SigningHostedZone: the "
	               "identity's region is af-south-1");
	CHECK_CONTAINS(err.message, "not the region given, eu-west-1");
	CHECK_STR(dnsvet_expect_region(e), "eu-west-1");
	CHECK(dnsvet_expect_has_ses(e) == 0);
	dnsvet_expect_free(e);
}

static void test_failed(void)
{
	dnsvet_expect_error err;
	dnsvet_expect *e = load("shop.example.com", "failed.json", DNSVET_OK, &err);
	dnsvet_node *ses = NULL;

	CHECK(dnsvet_expect_ses_to_node(e, &ses) == DNSVET_OK);
	CHECK_STR(dnsvet_node_path_string(ses, "verification_status"), "FAILED");
	CHECK_STR(dnsvet_node_path_string(ses, "dkim_status"), "FAILED");
	CHECK_STR(dnsvet_node_path_string(ses, "error_type"), "HOST_NOT_FOUND");
	CHECK_STR(dnsvet_node_path_string(ses, "last_success"), "2026-10-01T08:00:00.000000+00:00");
	CHECK_STR(dnsvet_node_path_string(ses, "soa.mname"), "ns-1532.awsdns-63.org");
	CHECK_STR(dnsvet_node_path_string(ses, "soa.rname"), "awsdns-hostmaster.amazon.com");
	CHECK(dnsvet_node_int(dnsvet_node_path(ses, "soa.serial"), 0) == 2026112001);
	dnsvet_node_free(ses);
	dnsvet_expect_free(e);
}

static void test_errors(void)
{
	dnsvet_expect_error err;
	dnsvet_expect *e;
	char path[1024];
	const char *json;

	/* broken JSON: where, exactly */
	e = load("shop.example.com", "broken.json", DNSVET_ERR_PARSE, &err);
	CHECK(err.line == 6 && err.column == 9);
	snprintf(path, sizeof(path), "%s/broken.json:6:9: expected ',' or '}'", datadir);
	CHECK_STR(err.message, path);
	CHECK(dnsvet_expect_has_ses(e) == 0);
	dnsvet_expect_free(e);

	/* a field SES would never send: named, with its place; nothing applied */
	e = load("shop.example.com", "bad_token.json", DNSVET_ERR_INVALID, &err);
	CHECK_STR(err.field, "DkimAttributes.Tokens[1]");
	CHECK(err.line == 7 && err.column == 13);
	CHECK_CONTAINS(err.message, "bad_token.json:7:13: DkimAttributes.Tokens[1]: "
	               "'qz7kd2vwpxlm4hfeo3snrb-u6tgac5ij' is not an Easy DKIM token");
	CHECK(dnsvet_expect_token_count(e) == 0);
	CHECK(dnsvet_expect_has_ses(e) == 0);
	dnsvet_expect_free(e);

	e = load("example.com", "email_address.json", DNSVET_ERR_INVALID, &err);
	CHECK_STR(err.field, "IdentityType");
	CHECK(err.line == 2);
	dnsvet_expect_free(e);

	/* MAIL FROM that is not below the identity */
	e = load("other.example.org", "mail_from.json", DNSVET_ERR_INVALID, &err);
	CHECK_STR(err.field, "MailFromAttributes.MailFromDomain");
	CHECK_CONTAINS(err.message, "not a subdomain of other.example.org");
	CHECK(dnsvet_expect_mail_from(e) == NULL);
	CHECK_STR(dnsvet_expect_region(e), "us-east-1");
	dnsvet_expect_free(e);

	/* wrong shapes */
	CHECK(dnsvet_expect_new("shop.example.com", &e, &err) == DNSVET_OK);
	json = "[1, 2]";
	CHECK(dnsvet_expect_load_ses_json(e, json, strlen(json), "id.json", &err) == DNSVET_ERR_INVALID);
	CHECK_CONTAINS(err.message, "must be a JSON object");
	json = "{\"DkimAttributes\": {\"Tokens\": \"abc\"}}";
	CHECK(dnsvet_expect_load_ses_json(e, json, strlen(json), "id.json", &err) == DNSVET_ERR_INVALID);
	CHECK_STR(err.field, "DkimAttributes.Tokens");
	CHECK(err.line == 1 && err.column == 31);
	json = "{\"VerifiedForSendingStatus\": \"yes\"}";
	CHECK(dnsvet_expect_load_ses_json(e, json, strlen(json), "id.json", &err) == DNSVET_ERR_INVALID);
	CHECK_STR(err.field, "VerifiedForSendingStatus");
	json = "{\"VerificationInfo\": {\"SOARecord\": {\"SerialNumber\": -5}}}";
	CHECK(dnsvet_expect_load_ses_json(e, json, strlen(json), "id.json", &err) == DNSVET_ERR_INVALID);
	CHECK_STR(err.field, "VerificationInfo.SOARecord.SerialNumber");
	json = "{\"VerificationInfo\": {\"LastCheckedTimestamp\": 1795424400}}";
	CHECK(dnsvet_expect_load_ses_json(e, json, strlen(json), "id.json", &err) == DNSVET_OK);
	{
		dnsvet_node *ses = NULL;

		CHECK(dnsvet_expect_ses_to_node(e, &ses) == DNSVET_OK);
		CHECK_STR(dnsvet_node_path_string(ses, "last_checked"), "2026-11-23T09:00:00Z");
		dnsvet_node_free(ses);
	}
	/* a NUL would cut a value short: the field is named, nothing applied */
	json = "{\"DkimAttributes\": {\"Tokens\": [\"abcdefghijklmnopqrstuvwxyz012345\\u0000junk\"]}}";
	CHECK(dnsvet_expect_load_ses_json(e, json, strlen(json), "id.json", &err) == DNSVET_ERR_INVALID);
	CHECK_STR(err.message, "id.json:1:32: DkimAttributes.Tokens[0]: contains a control character");
	json = "{\"MailFromAttributes\": {\"MailFromDomain\": \"mail.shop.example.com\\u0000.evil.org\"}}";
	CHECK(dnsvet_expect_load_ses_json(e, json, strlen(json), "id.json", &err) == DNSVET_ERR_INVALID);
	CHECK_STR(err.message, "id.json:1:43: MailFromAttributes.MailFromDomain: contains a control "
	          "character");
	json = "{\"MailFromAttributes\": {\"MailFromDomain\": \"mail.shop.example.com\\n\"}}";
	CHECK(dnsvet_expect_load_ses_json(e, json, strlen(json), "id.json", &err) == DNSVET_ERR_INVALID);
	CHECK_CONTAINS(err.message, "MailFromAttributes.MailFromDomain: contains a control character");
	CHECK(dnsvet_expect_mail_from(e) == NULL);
	CHECK(dnsvet_expect_token_count(e) == 0);
	/* the same token twice would pass for a complete Easy DKIM setup */
	json = "{\"DkimAttributes\": {\"Tokens\": [\"abcdefghijklmnopqrstuvwxyz012345\",\n"
	       "  \"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345\", \"abcdefghijklmnopqrstuvwxyz012345\"]}}";
	CHECK(dnsvet_expect_load_ses_json(e, json, strlen(json), "id.json", &err) == DNSVET_ERR_INVALID);
	CHECK_STR(err.field, "DkimAttributes.Tokens[1]");
	CHECK_CONTAINS(err.message, "id.json:2:3: DkimAttributes.Tokens[1]: "
	               "'abcdefghijklmnopqrstuvwxyz012345' is given twice (it is "
	               "DkimAttributes.Tokens[0])");
	CHECK(dnsvet_expect_token_count(e) == 0);
	/* what the AWS CLI prints is JSON: YAML's looser forms are not taken for it */
	json = "{'IdentityType': 'DOMAIN'}";
	CHECK(dnsvet_expect_load_ses_json(e, json, strlen(json), "id.json", &err) == DNSVET_ERR_PARSE);
	CHECK_CONTAINS(err.message, "id.json:1:2: expected a string key in quotes");
	json = "{\"IdentityType\": \"DOMAIN\",}";
	CHECK(dnsvet_expect_load_ses_json(e, json, strlen(json), "id.json", &err) == DNSVET_ERR_PARSE);
	json = "{\"IdentityType\": \"DOMAIN\"} # comment";
	CHECK(dnsvet_expect_load_ses_json(e, json, strlen(json), "id.json", &err) == DNSVET_ERR_PARSE);
	json = "IdentityType: DOMAIN\n";
	CHECK(dnsvet_expect_load_ses_json(e, json, strlen(json), "id.json", &err) == DNSVET_ERR_PARSE);
	CHECK(dnsvet_expect_has_ses(e));
	/* an empty file is no JSON document either */
	json = "";
	CHECK(dnsvet_expect_load_ses_json(e, json, 0, "id.json", &err) == DNSVET_ERR_PARSE);
	CHECK_CONTAINS(err.message, "id.json:1:1: unexpected end of input");
	snprintf(path, sizeof(path), "%s/missing.json", datadir);
	CHECK(dnsvet_expect_load_ses_json_file(e, path, &err) == DNSVET_ERR_IO);
	CHECK_CONTAINS(err.message, "missing.json: cannot open");
	dnsvet_expect_free(e);
}

int main(int argc, char **argv)
{
	datadir = argc > 1 ? argv[1] : "tests/unit/data/ses";
	test_verified();
	test_pending();
	test_byodkim();
	test_mail_from_regional();
	test_failed();
	test_errors();
	return t_finish("test_expect_ses");
}
