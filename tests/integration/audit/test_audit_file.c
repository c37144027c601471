/* Audit files: located errors, entries left out one by one, defaults, sharding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dnsvet/expect.h>
#include "cli/audit_file.h"
#include "cli/shard.h"
#include "../../unit/test_engine_check.h"

static const char *datadir;

typedef struct problems {
	char msg[16][800];
	size_t n;
} problems;

static void on_problem(void *user, const char *message)
{
	problems *p = user;

	if (p->n < 16)
		snprintf(p->msg[p->n], sizeof(p->msg[0]), "%s", message);
	p->n++;
}

static audit_file *load(const char *name, const audit_shard *shard, problems *p,
                        dnsvet_status want, char *err, size_t errlen)
{
	char path[1024];
	audit_file *af = NULL;
	dnsvet_status st;

	snprintf(path, sizeof(path), "%s/%s", datadir, name);
	memset(p, 0, sizeof(*p));
	err[0] = '\0';
	st = audit_file_load(path, shard, on_problem, p, &af, err, errlen);
	CHECK_EQ(st, want);
	if (st != want)
		fprintf(stderr, "  %s: %s: %s\n", name, dnsvet_status_str(st), err);
	return af;
}

static void test_entries(void)
{
	problems p;
	char err[800];
	audit_file *af = load("entries.yaml", NULL, &p, DNSVET_OK, err, sizeof(err));
	const audit_entry *e;
	dnsvet_expect *x = NULL;
	dnsvet_expect_error xe;

	if (!af)
		return;
	/* kept: healthy-shop.com, lame-bakery.com, example.net, cache-bistro.com */
	CHECK_EQ(audit_file_count(af), 4);
	CHECK_EQ(audit_file_invalid(af), 6);
	CHECK_STR(audit_file_resolvers(af), "127.53.3.1,127.53.3.2");
	CHECK_EQ(p.n, 6);
	/* in line order, each naming its line, column and what is wrong */
	CHECK_CONTAINS(p.msg[0], "entries.yaml:15:13: bad..domain.com: domain:");
	CHECK_CONTAINS(p.msg[1], "entries.yaml:17:53: mismatch-garden.com: dkim_tokens[1]");
	CHECK_CONTAINS(p.msg[2], "entries.yaml:19:17: northwind-books.com: unknown key "
	                         "'dkim_token' (did you mean 'dkim_tokens'?)");
	CHECK_CONTAINS(p.msg[3], "entries.yaml:21:19: moved-agency.com: ses_identity:");
	CHECK_CONTAINS(p.msg[3], "identities/missing.json");
	CHECK_CONTAINS(p.msg[4], "entries.yaml:22:5: Healthy-Shop.com.: listed again (first at "
	                         "line 6)");
	CHECK_CONTAINS(p.msg[5], "entries.yaml:23:5: ");
	CHECK_CONTAINS(p.msg[5], "'domain' is missing");

	e = audit_file_entry(af, 0);
	CHECK_STR(e->domain, "healthy-shop.com");
	CHECK_EQ(e->line, 6);
	CHECK(dnsvet_expect_new(e->domain, &x, &xe) == DNSVET_OK);
	CHECK(audit_entry_apply(af, e, x, err, sizeof(err)) == DNSVET_OK);
	CHECK_EQ(dnsvet_expect_token_count(x), 3);
	CHECK_STR(dnsvet_expect_mail_from(x), "mail.healthy-shop.com");
	CHECK(dnsvet_expect_has_ses(x));
	dnsvet_expect_free(x);

	e = audit_file_entry(af, 1);
	CHECK_STR(e->domain, "lame-bakery.com");
	CHECK(dnsvet_expect_new(e->domain, &x, &xe) == DNSVET_OK);
	CHECK(audit_entry_apply(af, e, x, err, sizeof(err)) == DNSVET_OK);
	CHECK_EQ(dnsvet_expect_token_count(x), 2);
	CHECK_EQ(dnsvet_expect_edited_ns_count(x), 1);
	{
		int custom = 0;

		for (size_t i = 0; i < dnsvet_expect_record_count(x); i++) {
			const dnsvet_expect_record *r = dnsvet_expect_record_at(x, i);

			custom += strcmp(r->role, "custom") == 0 &&
			          strcmp(r->name, "_custom.lame-bakery.com") == 0 &&
			          strcmp(r->value, "abc") == 0;
		}
		CHECK_EQ(custom, 1);
	}
	dnsvet_expect_free(x);

	/* a bare domain gets the defaults only */
	e = audit_file_entry(af, 2);
	CHECK_STR(e->domain, "example.net");
	CHECK(dnsvet_expect_new(e->domain, &x, &xe) == DNSVET_OK);
	CHECK(audit_entry_apply(af, e, x, err, sizeof(err)) == DNSVET_OK);
	CHECK_EQ(dnsvet_expect_token_count(x), 0);
	CHECK_STR(dnsvet_expect_region(x), "us-east-1");
	dnsvet_expect_free(x);

	/* an entry's region wins over the default */
	e = audit_file_entry(af, 3);
	CHECK(dnsvet_expect_new(e->domain, &x, &xe) == DNSVET_OK);
	CHECK(audit_entry_apply(af, e, x, err, sizeof(err)) == DNSVET_OK);
	CHECK_STR(dnsvet_expect_region(x), "eu-west-1");
	dnsvet_expect_free(x);
	audit_file_free(af);
}

/* A NUL or control character, a region at odds with the identity's, an extra record that
 * is no record: each costs its own entry, named at its place. */
static void test_hostile(void)
{
	problems p;
	char err[800];
	audit_file *af = load("hostile.yaml", NULL, &p, DNSVET_OK, err, sizeof(err));
	const audit_entry *e;
	dnsvet_expect *x = NULL;
	dnsvet_expect_error xe;
	int mx = 0;

	if (!af)
		return;
	CHECK_EQ(audit_file_count(af), 2);
	CHECK_EQ(audit_file_invalid(af), 11);
	CHECK_EQ(p.n, 11);
	CHECK_CONTAINS(p.msg[0], "hostile.yaml:5:5: domain: contains a control character");
	CHECK_CONTAINS(p.msg[1], "hostile.yaml:6:14: domain: contains a control character");
	CHECK_CONTAINS(p.msg[2], "hostile.yaml:7:37: c-shop.com: mail_from: contains a control "
	                         "character");
	CHECK_CONTAINS(p.msg[3], "hostile.yaml:8:40: d-shop.com: dkim_tokens[0]: contains a "
	                         "control character");
	CHECK_CONTAINS(p.msg[4], "hostile.yaml:9:37: e-shop.com: mail_from: contains a control "
	                         "character");
	CHECK_CONTAINS(p.msg[5], "hostile.yaml:11:41: regional-shop.org: region: eu-west-1 is not "
	                         "the identity's region af-south-1");
	CHECK_CONTAINS(p.msg[6], "hostile.yaml:12:60: f-shop.com: expect[0].type: 'BOGUS' is not "
	                         "a record type");
	CHECK_CONTAINS(p.msg[7], "hostile.yaml:13:71: g-shop.com: expect[0].value: 'notanmx' is "
	                         "not MX data");
	CHECK_CONTAINS(p.msg[8], "hostile.yaml:14:42: h-shop.com: expect[0].name: 'other.org' is "
	                         "not h-shop.com or a name below it");
	CHECK_CONTAINS(p.msg[9], "hostile.yaml:15:74: i-shop.com: expect[0].value: '999.1.1.1' is "
	                         "not A data");
	CHECK_CONTAINS(p.msg[10], "hostile.yaml:16:42: j-shop.com: expect[0].name:");

	/* the identity's region wins over the default, for DKIM and MAIL FROM alike */
	e = audit_file_entry(af, 0);
	CHECK_STR(e->domain, "regional-shop.com");
	CHECK(dnsvet_expect_new(e->domain, &x, &xe) == DNSVET_OK);
	CHECK(audit_entry_apply(af, e, x, err, sizeof(err)) == DNSVET_OK);
	CHECK_STR(dnsvet_expect_region(x), "af-south-1");
	for (size_t i = 0; i < dnsvet_expect_record_count(x); i++) {
		const dnsvet_expect_record *r = dnsvet_expect_record_at(x, i);

		if (strcmp(r->role, "dkim") == 0)
			CHECK_CONTAINS(r->value, ".dkim.af-south-1.amazonses.com");
		if (strcmp(r->role, "mail_from_mx") == 0) {
			CHECK_STR(r->value, "10 feedback-smtp.af-south-1.amazonses.com");
			mx++;
		}
	}
	CHECK_EQ(mx, 1);
	dnsvet_expect_free(x);

	e = audit_file_entry(af, 1);
	CHECK_STR(e->domain, "k-shop.com");
	CHECK(dnsvet_expect_new(e->domain, &x, &xe) == DNSVET_OK);
	CHECK(audit_entry_apply(af, e, x, err, sizeof(err)) == DNSVET_OK);
	CHECK_STR(dnsvet_expect_region(x), "eu-west-1");
	dnsvet_expect_free(x);
	audit_file_free(af);
}

static void test_file_errors(void)
{
	problems p;
	char err[800];

	CHECK(!load("syntax.yaml", NULL, &p, DNSVET_ERR_PARSE, err, sizeof(err)));
	/* libyaml notices the unclosed list at the end of the file */
	CHECK_CONTAINS(err, "syntax.yaml:5:1: did not find expected ',' or ']'");
	CHECK_EQ(p.n, 0);
	CHECK(!load("badtop.yaml", NULL, &p, DNSVET_ERR_INVALID, err, sizeof(err)));
	CHECK_CONTAINS(err, "badtop.yaml:2:3: unknown top-level key 'default' (did you mean "
	                    "'defaults'?)");
	CHECK(!load("baddefaults.yaml", NULL, &p, DNSVET_ERR_INVALID, err, sizeof(err)));
	CHECK_CONTAINS(err, "baddefaults.yaml:2:11: defaults.region: unknown SES region");
	/* a bad resolver is the file's, not --resolvers's: named by its place in the list */
	CHECK(!load("badresolvers.yaml", NULL, &p, DNSVET_ERR_INVALID, err, sizeof(err)));
	CHECK_CONTAINS(err, "badresolvers.yaml:2:24: defaults.resolvers[1]: not a numeric "
	                    "address[:port]: 'bogus'");
	CHECK(!load("badresolvers-text.yaml", NULL, &p, DNSVET_ERR_INVALID, err, sizeof(err)));
	CHECK_CONTAINS(err, "badresolvers-text.yaml:2:14: defaults.resolvers: not a numeric "
	                    "address[:port]: '300.1.2.3'");
	CHECK(!load("no-such-file.yaml", NULL, &p, DNSVET_ERR_IO, err, sizeof(err)));
	CHECK_CONTAINS(err, "no-such-file.yaml");
}

static void test_shards(void)
{
	problems p;
	char err[800];
	audit_shard s1, s2;
	audit_file *all, *a, *b;
	size_t invalid;

	CHECK(audit_shard_parse("1/2", &s1, err, sizeof(err)) == 0);
	CHECK(audit_shard_parse("2/2", &s2, err, sizeof(err)) == 0);
	CHECK(audit_shard_parse("3/2", &s2, err, sizeof(err)) == -1);
	CHECK(audit_shard_parse("0/2", &s2, err, sizeof(err)) == -1);
	CHECK(audit_shard_parse("1/", &s2, err, sizeof(err)) == -1);
	CHECK(audit_shard_parse("-1/2", &s2, err, sizeof(err)) == -1);
	/* only digits: strtoul alone would take a blank or a sign */
	CHECK(audit_shard_parse(" 1/2", &s2, err, sizeof(err)) == -1);
	CHECK(audit_shard_parse("+1/2", &s2, err, sizeof(err)) == -1);
	CHECK(audit_shard_parse("1/ 2", &s2, err, sizeof(err)) == -1);
	CHECK(audit_shard_parse("1/2 ", &s2, err, sizeof(err)) == -1);
	CHECK_STR(err, "expected K/N such as 2/8, not '1/2 '");
	/* the caller names the flag: the reason does not */
	CHECK(audit_shard_parse("0/3", &s2, err, sizeof(err)) == -1);
	CHECK_STR(err, "'0/3': K must be 1..N and N 1..65536");
	CHECK(audit_shard_parse("2/2", &s2, err, sizeof(err)) == 0);
	/* the hash ignores case and the trailing dot */
	CHECK(audit_shard_hash("Example.COM.") == audit_shard_hash("example.com"));

	all = load("entries.yaml", NULL, &p, DNSVET_OK, err, sizeof(err));
	a = load("entries.yaml", &s1, &p, DNSVET_OK, err, sizeof(err));
	invalid = p.n;
	b = load("entries.yaml", &s2, &p, DNSVET_OK, err, sizeof(err));
	invalid += p.n;
	if (!all || !a || !b)
		goto out;
	/* every entry (valid or not) is in exactly one shard */
	CHECK_EQ(audit_file_count(a) + audit_file_count(b), audit_file_count(all));
	CHECK_EQ(audit_file_invalid(a) + audit_file_invalid(b), audit_file_invalid(all));
	CHECK_EQ(invalid, audit_file_invalid(all));
	for (size_t i = 0; i < audit_file_count(all); i++) {
		const char *d = audit_file_entry(all, i)->domain;
		int in = 0;

		for (size_t k = 0; k < audit_file_count(a); k++)
			in += strcmp(audit_file_entry(a, k)->domain, d) == 0;
		for (size_t k = 0; k < audit_file_count(b); k++)
			in += strcmp(audit_file_entry(b, k)->domain, d) == 0;
		CHECK_EQ(in, 1);
	}
out:
	audit_file_free(all);
	audit_file_free(a);
	audit_file_free(b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_audit_file DATADIR\n");
		return 2;
	}
	datadir = argv[1];
	test_entries();
	test_hostile();
	test_file_errors();
	test_shards();
	return t_finish("audit_file");
}
