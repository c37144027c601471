/* Observation sets: building in canonical order, the answer index, save/load, schema checks. */
#include <time.h>
#include <unistd.h>
#include <dnsvet/obs.h>
#include "tree/obs_internal.h"
#include "test_node_util.h"

static dnsvet_node *answer(const char *name, const char *type, const char *rr)
{
	dnsvet_node *a = dnsvet_node_new_map(), *auth = dnsvet_node_new_list();
	dnsvet_node *reply = dnsvet_node_new_map(), *ans = dnsvet_node_new_list();

	dnsvet_node_map_set_string(a, "name", name);
	dnsvet_node_map_set_string(a, "type", type);
	dnsvet_node_map_set_string(reply, "server", "ns1.host.net");
	dnsvet_node_map_set_string(reply, "addr", "192.0.2.1");
	dnsvet_node_map_set_string(reply, "rcode", "NOERROR");
	dnsvet_node_map_set_bool(reply, "aa", 1);
	dnsvet_node_map_set_int(reply, "rtt_ms", 12);
	if (rr)
		dnsvet_node_list_append_string(ans, rr);
	dnsvet_node_map_set(reply, "answer", ans);
	dnsvet_node_list_append(auth, reply);
	dnsvet_node_map_set(a, "auth", auth);
	return a;
}

static void test_build(void)
{
	dnsvet_obs *obs = dnsvet_obs_new("Shop.Example.COM.");
	dnsvet_node *z, *zones, *stored = NULL;
	const dnsvet_node *root;
	char *y = NULL;

	CHECK(obs != NULL);
	CHECK(dnsvet_obs_new("") == NULL);
	CHECK(dnsvet_obs_new(NULL) == NULL);
	CHECK_STR(dnsvet_obs_domain(obs), "shop.example.com");
	CHECK(dnsvet_obs_to_yaml(obs, &y) == DNSVET_OK);
	CHECK_STR(y, "schema: dnsvet.obs/1\ndomain: shop.example.com\n");
	free(y);

	/* sections set out of order land in the documented order */
	CHECK(dnsvet_obs_set(obs, "stats", dnsvet_node_new_map()) == DNSVET_OK);
	CHECK(dnsvet_obs_add_answer(obs, answer("tok1._domainkey.shop.example.com", "CNAME",
	      "tok1._domainkey.shop.example.com. 300 IN CNAME tok1.dkim.amazonses.com."),
	      &stored) == DNSVET_OK);
	CHECK(stored != NULL);
	zones = dnsvet_node_new_list();
	z = dnsvet_node_new_map();
	dnsvet_node_map_set_string(z, "name", "example.com");
	dnsvet_node_map_set_string(z, "status", "ok");
	dnsvet_node_list_append(zones, z);
	CHECK(dnsvet_obs_set(obs, "zones", zones) == DNSVET_OK);
	CHECK(dnsvet_obs_set_bool(obs, "lab", 1) == DNSVET_OK);
	CHECK(dnsvet_obs_set_int(obs, "started", 1795424400) == DNSVET_OK);
	CHECK(dnsvet_obs_set(obs, "x_extra", dnsvet_node_new_string("last")) == DNSVET_OK);
	CHECK(dnsvet_obs_set(obs, "expect", dnsvet_node_new_map()) == DNSVET_OK);
	root = dnsvet_obs_root(obs);
	CHECK_STR(dnsvet_node_map_key_at(root, 0), "schema");
	CHECK_STR(dnsvet_node_map_key_at(root, 1), "domain");
	CHECK_STR(dnsvet_node_map_key_at(root, 2), "started");
	CHECK_STR(dnsvet_node_map_key_at(root, 3), "lab");
	CHECK_STR(dnsvet_node_map_key_at(root, 4), "expect");
	CHECK_STR(dnsvet_node_map_key_at(root, 5), "zones");
	CHECK_STR(dnsvet_node_map_key_at(root, 6), "answers");
	CHECK_STR(dnsvet_node_map_key_at(root, 7), "stats");
	CHECK_STR(dnsvet_node_map_key_at(root, 8), "x_extra");
	/* replacing keeps the place */
	CHECK(dnsvet_obs_set_int(obs, "started", 1795424401) == DNSVET_OK);
	CHECK_STR(dnsvet_node_map_key_at(root, 2), "started");
	CHECK(dnsvet_obs_started(obs) == 1795424401);
	CHECK(dnsvet_obs_lab(obs) == 1);
	CHECK(dnsvet_obs_zone_count(obs) == 1);
	CHECK_STR(dnsvet_node_path_string(dnsvet_obs_zone(obs, "Example.COM."), "status"), "ok");
	CHECK(dnsvet_obs_zone(obs, "com") == NULL);
	CHECK(dnsvet_obs_ses(obs) == NULL);
	CHECK(dnsvet_obs_expect(obs) != NULL);

	/* the answer index: case-insensitive, trailing dot and type case ignored */
	CHECK(dnsvet_obs_find_answer(obs, "tok1._domainkey.shop.example.com", "CNAME") == stored);
	CHECK(dnsvet_obs_find_answer(obs, "TOK1._DomainKey.Shop.Example.Com.", "cname") == stored);
	CHECK(dnsvet_obs_find_answer(obs, "tok1._domainkey.shop.example.com", "TXT") == NULL);
	CHECK(dnsvet_obs_find_answer(obs, "tok2._domainkey.shop.example.com", "CNAME") == NULL);
	/* a second entry for the same question replaces the first in place */
	CHECK(dnsvet_obs_add_answer(obs, answer("TOK1._domainkey.shop.example.com.", "cname", NULL),
	                            &stored) == DNSVET_OK);
	CHECK(dnsvet_obs_answer_count(obs) == 1);
	CHECK(dnsvet_obs_find_answer(obs, "tok1._domainkey.shop.example.com", "CNAME") == stored);
	CHECK(dnsvet_node_size(dnsvet_node_path(stored, "auth.0.answer")) == 0);
	CHECK(dnsvet_obs_add_answer(obs, dnsvet_node_new_map(), NULL) == DNSVET_ERR_INVALID);
	CHECK(dnsvet_obs_add_answer(obs, answer("_dmarc.shop.example.com", "TXT", NULL), NULL) == DNSVET_OK);
	CHECK(dnsvet_obs_answer_count(obs) == 2);
	CHECK(dnsvet_obs_find_answer_mut(obs, "_dmarc.shop.example.com", "txt") != NULL);
	dnsvet_obs_free(obs);
}

static void test_save_load(void)
{
	dnsvet_obs *obs = dnsvet_obs_new("shop.example.com"), *back = NULL;
	char path[] = "/tmp/dnsvet-obs-test-XXXXXX", name[300], *y1 = NULL, *y2 = NULL;
	dnsvet_node_error err;
	clock_t t0;
	int fd, i, found = 1;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	dnsvet_obs_set_int(obs, "started", 1795424400);
	t0 = clock();
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "n%d.shop.example.com", i);
		dnsvet_obs_add_answer(obs, answer(name, i % 2 ? "TXT" : "CNAME", NULL), NULL);
	}
	CHECK(dnsvet_obs_save_yaml(obs, path) == DNSVET_OK);
	CHECK(dnsvet_obs_load_yaml(path, &back, &err) == DNSVET_OK);
	if (!back) {
		fprintf(stderr, "%s\n", err.message);
		dnsvet_obs_free(obs);
		return;
	}
	CHECK(dnsvet_node_equal(dnsvet_obs_root(obs), dnsvet_obs_root(back)));
	CHECK(dnsvet_obs_answer_count(back) == 5000);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "N%d.shop.example.com.", i);
		if (!dnsvet_obs_find_answer(back, name, i % 2 ? "txt" : "cname"))
			found = 0;
	}
	CHECK(found);
	CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
	CHECK(dnsvet_obs_to_yaml(obs, &y1) == DNSVET_OK);
	CHECK(dnsvet_obs_to_yaml(back, &y2) == DNSVET_OK);
	CHECK(y1 && y2 && strcmp(y1, y2) == 0);
	free(y1);
	free(y2);
	CHECK(dnsvet_obs_to_json(back, 0, &y1) == DNSVET_OK);
	CHECK(y1 && strncmp(y1, "{\"schema\":\"dnsvet.obs/1\",\"domain\":\"shop.example.com\"", 52) == 0);
	free(y1);
	dnsvet_obs_free(back);
	dnsvet_obs_free(obs);
	unlink(path);
	CHECK(dnsvet_obs_save_yaml(obs = dnsvet_obs_new("a.test"), "/nonexistent/dir/x.yaml") == DNSVET_ERR_IO);
	dnsvet_obs_free(obs);
	CHECK(dnsvet_obs_load_yaml("/nonexistent/dir/x.yaml", &back, &err) == DNSVET_ERR_IO);
}

static void expect_load_error(const char *text, unsigned line, unsigned col, const char *frag)
{
	dnsvet_obs *obs = NULL;
	dnsvet_node_error err;
	dnsvet_status st = dnsvet_obs_parse_yaml(text, strlen(text), "rec.yaml", &obs, &err);
	char prefix[64];

	CHECK(st != DNSVET_OK);
	CHECK(obs == NULL);
	if (st == DNSVET_OK) {
		dnsvet_obs_free(obs);
		fprintf(stderr, "  (accepted: %s)\n", text);
		return;
	}
	snprintf(prefix, sizeof(prefix), "rec.yaml:%u:%u: ", line, col);
	CHECK(err.line == line && err.column == col);
	CHECK(strncmp(err.message, prefix, strlen(prefix)) == 0);
	CHECK_CONTAINS(err.message, frag);
	if (err.line != line || err.column != col)
		fprintf(stderr, "  (got %s)\n", err.message);
}

static void test_schema_errors(void)
{
	const char *good = "schema: dnsvet.obs/1\ndomain: a.test\nstarted: 1\n";
	dnsvet_obs *obs = NULL;
	dnsvet_node_error err;

	CHECK(dnsvet_obs_parse_yaml(good, strlen(good), "rec.yaml", &obs, &err) == DNSVET_OK);
	CHECK_STR(dnsvet_obs_domain(obs), "a.test");
	dnsvet_obs_free(obs);

	expect_load_error("domain: a.test\nstarted: 1\n", 1, 1, "missing required key 'schema'");
	expect_load_error("schema: dnsvet.obs/2\ndomain: a.test\nstarted: 1\n", 1, 9,
	                  "unsupported schema 'dnsvet.obs/2' (expected dnsvet.obs/1)");
	expect_load_error("schema: dnsvet.obs/1\nstarted: 1\n", 1, 1, "missing required key 'domain'");
	expect_load_error("schema: dnsvet.obs/1\ndomain: a.test\n", 1, 1, "'started'");
	expect_load_error("schema: dnsvet.obs/1\ndomain: a.test\nstarted: soon\n", 3, 10,
	                  "'started' must be an integer");
	expect_load_error("schema: dnsvet.obs/1\ndomain: a.test\nstarted: 1\nzones: {}\n", 4, 8,
	                  "'zones' must be a list");
	expect_load_error("schema: dnsvet.obs/1\ndomain: a.test\nstarted: 1\nlab: yes\n", 4, 6,
	                  "'lab' must be a boolean");
	expect_load_error("schema: dnsvet.obs/1\ndomain: a.test\nstarted: 1\nanswers:\n"
	                  "  - name: a.test\n", 5, 5, "missing required key 'type'");
	expect_load_error("schema: dnsvet.obs/1\ndomain: a.test\nstarted: 1\nanswers:\n"
	                  "  - {name: a.test, type: TXT}\n  - {name: A.test., type: txt}\n", 6, 5,
	                  "second answers entry for A.test. (first at line 5)");
	expect_load_error("- schema\n", 1, 1, "must be a map");
	expect_load_error("schema: dnsvet.obs/1\ndomain: [a\n", 3, 1, "");
}

/* A recording's RRs and rcodes are read as the probe writes them: anything else would be
 * skipped by the rules and the report, and look like a record that is not there. */
static void test_recording_contents(void)
{
	const char *head = "schema: dnsvet.obs/1\ndomain: a.test\nstarted: 1\n";
	const char *good =
		"schema: dnsvet.obs/1\ndomain: a.test\nstarted: 1\n"
		"zones:\n"
		"  - name: a.test\n"
		"    glue: [\"ns1.a.test. 3600 IN A 192.0.2.1\"]\n"
		"    soa: a.test. 3600 IN SOA ns1.a.test. h.a.test. 1 7200 900 1209600 300\n"
		"answers:\n"
		"  - name: a.test\n"
		"    type: TXT\n"
		"    auth:\n"
		"      - {addr: 192.0.2.1, rcode: NOERROR, answer: ['a.test. 300 IN TXT \"v=spf1 -all\"'],\n"
		"         authority: []}\n"
		"      - {addr: 192.0.2.2, error: timeout}\n"
		"    resolvers:\n"
		"      - {addr: 192.0.2.53, rcode: SERVFAIL, answer: [], cd: {rcode: RCODE12, answer: []}}\n"
		"    chain: [\"x.a.test. 300 IN CNAME y.a.test.\"]\n"
		"    chain_rcode: NXDOMAIN\n";
	char text[1024];
	dnsvet_obs *obs = NULL;
	dnsvet_node_error err;
	dnsvet_node *root = NULL;

	CHECK(dnsvet_obs_parse_yaml(good, strlen(good), "rec.yaml", &obs, &err) == DNSVET_OK);
	if (!obs)
		fprintf(stderr, "  (%s)\n", err.message);
	dnsvet_obs_free(obs);

#define ANS(reply) "answers:\n  - name: a.test\n    type: TXT\n    auth:\n      - " reply "\n"
	snprintf(text, sizeof(text), "%s" ANS("{rcode: EXPLODED}"), head);
	expect_load_error(text, 8, 17, "answers[0].auth[0].rcode: unknown rcode 'EXPLODED'");
	snprintf(text, sizeof(text), "%s" ANS("{rcode: noerror}"), head);
	expect_load_error(text, 8, 17, "unknown rcode 'noerror'");
	snprintf(text, sizeof(text), "%s" ANS("{rcode: 0}"), head);
	expect_load_error(text, 8, 17, "answers[0].auth[0].rcode: must be a string");
	snprintf(text, sizeof(text), "%s" ANS("{rcode: NOERROR, answer: [this is not a resource record]}"),
	         head);
	expect_load_error(text, 8, 35, "answers[0].auth[0].answer[0]: not a resource record: "
	                  "'this is not a resource record'");
	snprintf(text, sizeof(text), "%s" ANS("{rcode: NOERROR, answer: [12345]}"), head);
	expect_load_error(text, 8, 35, "answers[0].auth[0].answer[0]: not a resource record: "
	                  "'12345' (an integer, not a string)");
	snprintf(text, sizeof(text), "%s" ANS("{rcode: NOERROR, authority: [[a.test.]]}"), head);
	expect_load_error(text, 8, 38, "answers[0].auth[0].authority[0]: not a resource record: "
	                  "a list, not a string");
	snprintf(text, sizeof(text), "%s" ANS("{rcode: NOERROR, additional: 'a.test. 1 IN A'}"), head);
	expect_load_error(text, 8, 38, "answers[0].auth[0].additional: must be a list");
	snprintf(text, sizeof(text), "%s" ANS("{rcode: SERVFAIL, cd: {rcode: NOERROR, answer: [a.test. 1 IN MX 10]}}"),
	         head);
	expect_load_error(text, 8, 57, "answers[0].auth[0].cd.answer[0]: not a resource record: "
	                  "'a.test. 1 IN MX 10'");
	snprintf(text, sizeof(text), "%sanswers:\n  - {name: a.test, type: TXT, resolvers: {}}\n", head);
	expect_load_error(text, 5, 42, "answers[0].resolvers: must be a list of replies");
	snprintf(text, sizeof(text), "%sanswers:\n  - {name: a.test, type: TXT, chain: [x]}\n", head);
	expect_load_error(text, 5, 39, "answers[0].chain[0]: not a resource record: 'x'");
	snprintf(text, sizeof(text), "%sanswers:\n  - {name: a.test, type: TXT, chain_rcode: BAD}\n",
	         head);
	expect_load_error(text, 5, 44, "answers[0].chain_rcode: unknown rcode 'BAD'");
	snprintf(text, sizeof(text), "%szones:\n  - {name: a.test, glue: [ns1.a.test. 1 IN A 300.1.1.1]}\n",
	         head);
	expect_load_error(text, 5, 27, "zones[0].glue[0]: not a resource record: "
	                  "'ns1.a.test. 1 IN A 300.1.1.1'");
	snprintf(text, sizeof(text), "%szones:\n  - {name: a.test, soa: null}\n", head);
	expect_load_error(text, 5, 25, "zones[0].soa: not a resource record: null, not a string");
	snprintf(text, sizeof(text), "%szones:\n  - {name: a.test, soa: \"a.test. 1 IN SOA\\0\"}\n",
	         head);
	/* the YAML reader refuses the NUL before the record is looked at */
	expect_load_error(text, 5, 25, "a string contains a control character (NUL)");
#undef ANS

	/* a tree already in memory (a rule fixture's observations) keeps its looser checks */
	snprintf(text, sizeof(text), "%szones:\n  - {name: a.test, glue: [x]}\n", head);
	CHECK(dnsvet_node_parse_yaml(text, strlen(text), "f.yaml", &root, &err) == DNSVET_OK);
	CHECK(dnsvet_obs_from_node(root, "f.yaml", &obs, &err) == DNSVET_OK);
	dnsvet_obs_free(obs);
}

int main(void)
{
	test_build();
	test_save_load();
	test_schema_errors();
	test_recording_contents();
	return t_finish("test_node_obs");
}
