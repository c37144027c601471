/* Document tree: building, accessors, YAML/JSON parse and emit, round trips, errors. */
#include <math.h>
#include <stdint.h>
#include <time.h>
#include <dnsvet/node.h>
#include "test_node_util.h"
#include "tree/node_internal.h"

/* JSON keys longer than 1024 characters need the dedicated JSON reader. */
#define JSON_LONG_KEYS 1

static dnsvet_node *parse(const char *text, dnsvet_node_error *err)
{
	dnsvet_node *n = NULL;
	dnsvet_node_error e;

	if (dnsvet_node_parse_yaml(text, strlen(text), "t.yaml", &n, err ? err : &e) != DNSVET_OK)
		return NULL;
	return n;
}

/* parse(emit(x)) == x, and emitting again gives the same bytes. */
static void check_yaml_round_trip(const dnsvet_node *x, const char *what)
{
	char *y1 = NULL, *y2 = NULL;
	dnsvet_node *back = NULL;
	dnsvet_node_error err;

	CHECK(dnsvet_node_to_yaml(x, &y1) == DNSVET_OK);
	if (!y1)
		return;
	/* in-memory strings may hold NUL, which only KEEP_NUL reads back */
	if (dnsvet_node_parse_yaml_flags(y1, strlen(y1), what, &back, &err,
	                                 DNSVET_PARSE_KEEP_NUL) != DNSVET_OK) {
		fprintf(stderr, "round trip of %s: %s\n---\n%s---\n", what, err.message, y1);
		t_failures++;
		free(y1);
		return;
	}
	t_checks++;
	if (!dnsvet_node_equal(x, back)) {
		t_failures++;
		fprintf(stderr, "round trip of %s changed the tree:\n%s", what, y1);
	}
	CHECK(dnsvet_node_to_yaml(back, &y2) == DNSVET_OK);
	CHECK_STR(y1, y2);
	free(y1);
	free(y2);
	dnsvet_node_free(back);
}

static void check_json_round_trip(const dnsvet_node *x, int pretty, const char *what)
{
	char *j = NULL;
	dnsvet_node *back = NULL;
	dnsvet_node_error err;

	CHECK(dnsvet_node_to_json(x, pretty, &j) == DNSVET_OK);
	if (!j)
		return;
	if (!pretty)
		CHECK(strchr(j, '\n') == NULL);
	if (dnsvet_node_parse_yaml_flags(j, strlen(j), what, &back, &err,
	                                 DNSVET_PARSE_KEEP_NUL) != DNSVET_OK) {
		fprintf(stderr, "json round trip of %s: %s\n%s\n", what, err.message, j);
		t_failures++;
		free(j);
		return;
	}
	t_checks++;
	if (!dnsvet_node_equal(x, back)) {
		t_failures++;
		fprintf(stderr, "json round trip of %s changed the tree:\n%s\n", what, j);
	}
	free(j);
	dnsvet_node_free(back);
}

static const char *const nasty[] = {
	"", " ", "  ", "true", "True", "TRUE", "false", "null", "Null", "NULL", "~",
	"123", "-1", "+1", "007", "1.5", "1e5", "1E-3", ".5", "5.", ".inf", "-.inf", ".nan",
	"0x1F", "0o17", "0b101", "1_000", "1:30", "yes", "no", "Yes", "NO", "on", "off", "y",
	"n", "=", "<<", " leading", "trailing ", "a: b", "a:", ":a", "::", "- a", "-", "-all",
	"--", "---", "...", "--- x", "#c", "a #c", "a#c", "'q'", "\"dq\"", "it's", "say \"hi\"",
	"back\\slash", "line1\nline2", "\n", "trail\n", "\n\nlead", "tab\there", "\t", "\r\n",
	"unicode \xc3\xa9 \xc3\xbc \xe6\xbc\xa2\xe5\xad\x97 \xf0\x9f\x98\x80",
	"nel\xc2\x85here", "ls\xe2\x80\xa8ps\xe2\x80\xa9", "\xef\xbb\xbf" "bom",
	"c1\xc2\x80", "nbsp\xc2\xa0", "\x01" "ctrl", "del\x7f", "bell\a", "esc\x1b",
	"[a]", "{a}", "a, b", "a,b", "[", "]", "{", "}", "&anchor", "*alias", "!tag", "!!str",
	"|", ">", "|-", "%YAML", "@", "`", "?", "? x", "?x", "a?", "2026-11-20",
	"2026-11-20T10:00:00Z", "192.0.2.1", "2001:db8::1", "::1", "10.0", "1.2.3",
	"v=spf1 include:amazonses.com ~all", "\"v=DKIM1; k=rsa; p=MIGf\"",
	"tok1._domainkey.shop.example.com", "a\"b'c", "key: value # comment", "x: {y: z}",
	"a\\nb", "\\", "\"", "'", "''", "\"\"", "http://x.test/a?b=c#d", "C:\\path",
	NULL
};

static void test_build_and_access(void)
{
	dnsvet_node *m = dnsvet_node_new_map(), *l, *c;

	CHECK(dnsvet_node_map_set_string(m, "b", "one") == DNSVET_OK);
	CHECK(dnsvet_node_map_set_int(m, "a", 42) == DNSVET_OK);
	CHECK(dnsvet_node_map_set_bool(m, "c", 1) == DNSVET_OK);
	CHECK(dnsvet_node_map_set_double(m, "d", 2.5) == DNSVET_OK);
	CHECK(dnsvet_node_map_set(m, "n", dnsvet_node_new_null()) == DNSVET_OK);
	CHECK(dnsvet_node_size(m) == 5);
	CHECK_STR(dnsvet_node_map_key_at(m, 0), "b");
	CHECK_STR(dnsvet_node_map_key_at(m, 1), "a");
	/* replacing keeps the position */
	CHECK(dnsvet_node_map_set_string(m, "a", "forty-two") == DNSVET_OK);
	CHECK(dnsvet_node_size(m) == 5);
	CHECK_STR(dnsvet_node_map_key_at(m, 1), "a");
	CHECK_STR(dnsvet_node_string(dnsvet_node_map_get(m, "a")), "forty-two");
	CHECK(dnsvet_node_int(dnsvet_node_map_get(m, "a"), -7) == -7);
	CHECK(dnsvet_node_bool(dnsvet_node_map_get(m, "c"), 0) == 1);
	CHECK(dnsvet_node_double(dnsvet_node_map_get(m, "d"), 0) == 2.5);
	CHECK(dnsvet_node_type_of(dnsvet_node_map_get(m, "n")) == DNSVET_NODE_NULL);
	CHECK(dnsvet_node_map_get(m, "zz") == NULL);
	CHECK(dnsvet_node_map_remove(m, "b") == DNSVET_OK);
	CHECK(dnsvet_node_map_remove(m, "b") == DNSVET_ERR_NOT_FOUND);
	CHECK_STR(dnsvet_node_map_key_at(m, 0), "a");
	CHECK(dnsvet_node_size(m) == 4);

	l = dnsvet_node_new_list();
	CHECK(dnsvet_node_list_append_string(l, "x") == DNSVET_OK);
	c = dnsvet_node_new_map();
	dnsvet_node_map_set_string(c, "addr", "192.0.2.1");
	CHECK(dnsvet_node_list_append(l, c) == DNSVET_OK);
	CHECK(dnsvet_node_map_set(m, "servers", l) == DNSVET_OK);
	c = dnsvet_node_new_map();
	dnsvet_node_map_set_string(c, "ttl", "300");
	CHECK(dnsvet_node_map_set(m, "shop.example.com", c) == DNSVET_OK);
	CHECK_STR(dnsvet_node_path_string(m, "servers.1.addr"), "192.0.2.1");
	CHECK_STR(dnsvet_node_path_string(m, "servers.0"), "x");
	CHECK(dnsvet_node_path(m, "servers.2") == NULL);
	CHECK(dnsvet_node_path(m, "servers.x") == NULL);
	CHECK_STR(dnsvet_node_path_string(m, "shop.example.com.ttl"), "300");
	CHECK(dnsvet_node_path(m, "") == m);

	/* NULL and wrong types are harmless */
	CHECK(dnsvet_node_string(NULL) == NULL);
	CHECK(dnsvet_node_size(NULL) == 0);
	CHECK(dnsvet_node_list_at(m, 0) == NULL);
	CHECK(dnsvet_node_map_get(l, "x") == NULL);
	CHECK(dnsvet_node_map_key_at(m, 99) == NULL);
	CHECK(dnsvet_node_int(NULL, 5) == 5);
	CHECK(dnsvet_node_list_append(m, dnsvet_node_new_int(1)) == DNSVET_ERR_INVALID);
	CHECK(dnsvet_node_map_set(l, "k", dnsvet_node_new_int(1)) == DNSVET_ERR_INVALID);
	CHECK(dnsvet_node_map_set(m, "k", NULL) == DNSVET_ERR_NOMEM);

	c = dnsvet_node_copy(m);
	CHECK(dnsvet_node_equal(m, c));
	dnsvet_node_map_set_int(c, "a", 1);
	CHECK(!dnsvet_node_equal(m, c));
	dnsvet_node_free(c);
	check_yaml_round_trip(m, "built map");
	dnsvet_node_free(m);
}

/* Keys the trees repeat ("name", "addr", ...) share one static copy; others get their own.
 * Both kinds must read, replace, remove, copy, index and free alike. */
static void test_common_keys(void)
{
	static const char *const keys[] = {
		"name", "nam", "names", "Name", "addr", "address", "chain_rcode", "chain_rcodes",
		"aa", "a", "type", "types", "resolvers", "resolver", "zone", "zones", ""
	};
	const size_t n = sizeof(keys) / sizeof(keys[0]);
	dnsvet_node *m = dnsvet_node_new_map(), *c;

	for (size_t i = 0; i < n; i++)
		CHECK(dnsvet_node_map_set_int(m, keys[i], (int64_t)i) == DNSVET_OK);
	CHECK(dnsvet_node_size(m) == n);
	for (size_t i = 0; i < n; i++) {
		CHECK_STR(dnsvet_node_map_key_at(m, i), keys[i]);
		CHECK(dnsvet_node_int(dnsvet_node_map_get(m, keys[i]), -1) == (int64_t)i);
	}
	c = dnsvet_node_copy(m);
	CHECK(dnsvet_node_equal(m, c));
	/* remove both kinds, from the indexed map and from its copy */
	CHECK(dnsvet_node_map_remove(m, "name") == DNSVET_OK);
	CHECK(dnsvet_node_map_remove(m, "nam") == DNSVET_OK);
	CHECK(dnsvet_node_map_remove(c, "zones") == DNSVET_OK);
	CHECK(dnsvet_node_map_remove(c, "resolver") == DNSVET_OK);
	CHECK(dnsvet_node_map_get(m, "name") == NULL && dnsvet_node_map_get(m, "nam") == NULL);
	CHECK(dnsvet_node_int(dnsvet_node_map_get(m, "names"), -1) == 2);
	CHECK(dnsvet_node_int(dnsvet_node_map_get(c, "name"), -1) == 0);
	CHECK(dnsvet_node_map_get(c, "zones") == NULL);
	CHECK(dnsvet_node_int(dnsvet_node_map_get(c, "zone"), -1) == 14);
	CHECK(dnsvet_node_map_set_string(m, "name", "back") == DNSVET_OK);
	CHECK_STR(dnsvet_node_string(dnsvet_node_map_get(m, "name")), "back");
	CHECK_STR(dnsvet_node_map_key_at(m, dnsvet_node_size(m) - 1), "name");
	check_yaml_round_trip(c, "common keys");
	dnsvet_node_free(c);
	dnsvet_node_free(m);
}

static void test_large_map(void)
{
	dnsvet_node *m = dnsvet_node_new_map(), *back;
	char key[32], *y = NULL;
	int i, ok = 1;
	clock_t t0 = clock();

	for (i = 0; i < 50000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		if (dnsvet_node_map_set_int(m, key, i) != DNSVET_OK)
			ok = 0;
	}
	CHECK(ok);
	CHECK(dnsvet_node_size(m) == 50000);
	CHECK(dnsvet_node_int(dnsvet_node_map_get(m, "k31337"), -1) == 31337);
	CHECK(dnsvet_node_map_remove(m, "k10") == DNSVET_OK);
	CHECK(dnsvet_node_int(dnsvet_node_map_get(m, "k31337"), -1) == 31337);
	CHECK(dnsvet_node_map_get(m, "k10") == NULL);
	CHECK_STR(dnsvet_node_map_key_at(m, 10), "k11");
	CHECK(dnsvet_node_to_yaml(m, &y) == DNSVET_OK);
	back = parse(y, NULL);
	CHECK(back && dnsvet_node_equal(m, back));
	/* quadratic behaviour would take minutes here */
	CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
	free(y);
	dnsvet_node_free(back);
	dnsvet_node_free(m);
}

static void test_nasty_round_trips(void)
{
	dnsvet_node *list = dnsvet_node_new_list(), *map = dnsvet_node_new_map();
	dnsvet_node *nested = dnsvet_node_new_map(), *deep, *l2;
	char longs[5001], longk[2001], name[64];
	int i;

	for (i = 0; nasty[i]; i++) {
		dnsvet_node *one = dnsvet_node_new_string(nasty[i]);

		snprintf(name, sizeof(name), "nasty[%d]", i);
		check_yaml_round_trip(one, name);
		check_json_round_trip(one, 0, name);
		dnsvet_node_free(one);
		dnsvet_node_list_append_string(list, nasty[i]);
		dnsvet_node_map_set_string(map, nasty[i], nasty[i]);
	}
	dnsvet_node_list_append(list, dnsvet_node_new_stringn("nul\0inside", 10));
	memset(longs, 'x', 5000);
	longs[5000] = '\0';
	longs[2500] = ' ';
	dnsvet_node_list_append_string(list, longs);
	check_json_round_trip(map, 0, "nasty map (short keys)");
	memset(longk, 'k', 2000);
	longk[2000] = '\0';
	dnsvet_node_map_set_string(map, longk, "long key");
	longk[3] = ':';
	longk[4] = ' ';
	l2 = dnsvet_node_new_list();
	dnsvet_node_list_append_string(l2, "under a long key");
	dnsvet_node_map_set(map, longk, l2);
	check_yaml_round_trip(list, "nasty list");
	check_yaml_round_trip(map, "nasty map");
	check_json_round_trip(list, 1, "nasty list");
	if (JSON_LONG_KEYS)
		check_json_round_trip(map, 0, "nasty map");

	/* every kind of nesting, empty containers, scalars of every type */
	dnsvet_node_map_set(nested, "strings", list);
	dnsvet_node_map_set(nested, "keys", map);
	dnsvet_node_map_set(nested, "empty_map", dnsvet_node_new_map());
	dnsvet_node_map_set(nested, "empty_list", dnsvet_node_new_list());
	dnsvet_node_map_set_int(nested, "min", INT64_MIN);
	dnsvet_node_map_set_int(nested, "max", INT64_MAX);
	dnsvet_node_map_set_int(nested, "zero", 0);
	dnsvet_node_map_set_double(nested, "tenth", 0.1);
	dnsvet_node_map_set_double(nested, "three", 3.0);
	dnsvet_node_map_set_double(nested, "big", 1e300);
	dnsvet_node_map_set_double(nested, "tiny", -4.9e-324);
	dnsvet_node_map_set_double(nested, "third", 1.0 / 3.0);
	dnsvet_node_map_set_bool(nested, "t", 1);
	dnsvet_node_map_set_bool(nested, "f", 0);
	dnsvet_node_map_set(nested, "nil", dnsvet_node_new_null());
	deep = dnsvet_node_new_list();
	l2 = dnsvet_node_new_list();
	dnsvet_node_list_append(l2, dnsvet_node_new_list());
	dnsvet_node_list_append_string(l2, "inner");
	dnsvet_node_list_append(deep, l2);
	l2 = dnsvet_node_new_map();
	dnsvet_node_map_set(l2, "m", dnsvet_node_new_map());
	dnsvet_node_map_set_string(l2, "s", "v");
	dnsvet_node_list_append(deep, l2);
	dnsvet_node_list_append(deep, dnsvet_node_new_map());
	dnsvet_node_map_set(nested, "lists_of_lists", deep);
	check_yaml_round_trip(nested, "nested");
	if (JSON_LONG_KEYS) {
		check_json_round_trip(nested, 1, "nested pretty");
		check_json_round_trip(nested, 0, "nested one-line");
	}

	/* non-finite doubles round trip through YAML; JSON has no spelling for them */
	dnsvet_node_map_set_double(nested, "inf", HUGE_VAL);
	dnsvet_node_map_set_double(nested, "ninf", -HUGE_VAL);
	dnsvet_node_map_set_double(nested, "nan", NAN);
	check_yaml_round_trip(nested, "non-finite");
	dnsvet_node_free(nested);
}

static void test_emit_format(void)
{
	const char *src =
		"schema: dnsvet.obs/1\n"
		"domain: shop.example.com\n"
		"started: 1795424400\n"
		"lab: false\n"
		"expect:\n"
		"  dkim_tokens:\n"
		"    - tok1\n"
		"    - tok2\n"
		"  legacy_token: abc=\n"
		"zones:\n"
		"  - name: example.com\n"
		"    servers:\n"
		"      - name: ns1.host.net\n"
		"        addr: 192.0.2.1\n"
		"        source:\n"
		"          - parent\n"
		"    errors: []\n"
		"  - - nested\n"
		"    - list\n"
		"answers: {}\n"
		"when: \"2026-11-20T10:00:00Z\"\n"
		"ratio: 0.5\n"
		"txt: \"\\\"v=spf1 -all\\\"\"\n"
		"empty: \"\"\n"
		"yes_word: \"yes\"\n"
		"num_str: \"123\"\n";
	const char *json_pretty =
		"{\n"
		"  \"a\": [\n"
		"    1,\n"
		"    \"x\\ny\"\n"
		"  ],\n"
		"  \"b\": {},\n"
		"  \"c\": null\n"
		"}";
	dnsvet_node *n = parse(src, NULL), *j;
	char *out = NULL;

	CHECK(n != NULL);
	CHECK(dnsvet_node_to_yaml(n, &out) == DNSVET_OK);
	/* the emitter's own style is canonical: it reproduces it byte for byte */
	CHECK_STR(out, src);
	free(out);

	j = parse("{\"a\": [1, \"x\\ny\"], \"b\": {}, \"c\": null}", NULL);
	CHECK(j != NULL);
	CHECK(dnsvet_node_to_json(j, 1, &out) == DNSVET_OK);
	CHECK_STR(out, json_pretty);
	free(out);
	CHECK(dnsvet_node_to_json(j, 0, &out) == DNSVET_OK);
	CHECK_STR(out, "{\"a\":[1,\"x\\ny\"],\"b\":{},\"c\":null}");
	free(out);
	dnsvet_node_free(j);

	j = dnsvet_node_new_stringn("q\"\\\x01\t\xe2\x80\xa8\xc3\xa9\0", 11);
	CHECK(dnsvet_node_to_json(j, 0, &out) == DNSVET_OK);
	CHECK_STR(out, "\"q\\\"\\\\\\u0001\\t\\u2028\xc3\xa9\\u0000\"");
	free(out);
	dnsvet_node_free(j);
	dnsvet_node_free(n);
}

static void test_scalars(void)
{
	const char *src =
		"a: yes\nb: no\nc: \"123\"\nd: 0x10\ne: ~\nf:\ng: 1.5\nh: 123456789012345678901\n"
		"i: 'true'\nj: !!str 42\nk: True\nl: -17\nm: 0o17\nn: .inf\no: 1e3\np: on\n"
		"q: 2026-11-20\nr: |\n  literal\n  block\ns: >\n  folded\n  text\nt: !!float 2\n";
	dnsvet_node *n = parse(src, NULL);

	CHECK(n != NULL);
	CHECK_STR(dnsvet_node_path_string(n, "a"), "yes");
	CHECK_STR(dnsvet_node_path_string(n, "b"), "no");
	CHECK_STR(dnsvet_node_path_string(n, "c"), "123");
	CHECK(dnsvet_node_int(dnsvet_node_path(n, "d"), 0) == 16);
	CHECK(dnsvet_node_type_of(dnsvet_node_path(n, "e")) == DNSVET_NODE_NULL);
	CHECK(dnsvet_node_type_of(dnsvet_node_path(n, "f")) == DNSVET_NODE_NULL);
	CHECK(dnsvet_node_double(dnsvet_node_path(n, "g"), 0) == 1.5);
	CHECK(dnsvet_node_type_of(dnsvet_node_path(n, "h")) == DNSVET_NODE_DOUBLE);
	CHECK_STR(dnsvet_node_path_string(n, "i"), "true");
	CHECK_STR(dnsvet_node_path_string(n, "j"), "42");
	CHECK(dnsvet_node_bool(dnsvet_node_path(n, "k"), 0) == 1);
	CHECK(dnsvet_node_int(dnsvet_node_path(n, "l"), 0) == -17);
	CHECK(dnsvet_node_int(dnsvet_node_path(n, "m"), 0) == 15);
	CHECK(isinf(dnsvet_node_double(dnsvet_node_path(n, "n"), 0)));
	CHECK(dnsvet_node_double(dnsvet_node_path(n, "o"), 0) == 1000.0);
	CHECK_STR(dnsvet_node_path_string(n, "p"), "on");
	CHECK_STR(dnsvet_node_path_string(n, "q"), "2026-11-20");
	CHECK_STR(dnsvet_node_path_string(n, "r"), "literal\nblock\n");
	CHECK_STR(dnsvet_node_path_string(n, "s"), "folded text\n");
	CHECK(dnsvet_node_type_of(dnsvet_node_path(n, "t")) == DNSVET_NODE_DOUBLE);
	CHECK(dnsvet_node_mark_of(dnsvet_node_path(n, "g")).line == 7);
	CHECK(dnsvet_node_mark_of(dnsvet_node_path(n, "g")).column == 4);
	dnsvet_node_free(n);

	n = parse("", NULL);
	CHECK(n && dnsvet_node_type_of(n) == DNSVET_NODE_NULL);
	dnsvet_node_free(n);
	n = parse("# only a comment\n", NULL);
	CHECK(n && dnsvet_node_type_of(n) == DNSVET_NODE_NULL);
	dnsvet_node_free(n);
	n = parse("--- just text\n...\n", NULL);
	CHECK_STR(dnsvet_node_string(n), "just text");
	dnsvet_node_free(n);
}

static void expect_error(const char *src, dnsvet_status want, unsigned line, unsigned col,
                         const char *fragment)
{
	dnsvet_node *n = (dnsvet_node *)1;
	dnsvet_node_error err;
	dnsvet_status st = dnsvet_node_parse_yaml(src, strlen(src), "t.yaml", &n, &err);
	char prefix[64];

	CHECK(st == want);
	CHECK(n == NULL);
	if (st == DNSVET_OK) {
		fprintf(stderr, "  (no error for: %s)\n", src);
		dnsvet_node_free(n);
		return;
	}
	CHECK(err.line == line);
	CHECK(err.column == col);
	snprintf(prefix, sizeof(prefix), "t.yaml:%u:%u: ", line, col);
	CHECK(strncmp(err.message, prefix, strlen(prefix)) == 0);
	CHECK_CONTAINS(err.message, fragment);
	if (err.line != line || err.column != col)
		fprintf(stderr, "  (got %s)\n", err.message);
}

static void test_errors(void)
{
	char deep[400];
	dnsvet_node *n;
	dnsvet_node_error err;
	int i;

	expect_error("a: 1\nb: [1, 2\nc: 3\n", DNSVET_ERR_PARSE, 3, 2, "flow sequence");
	expect_error("a: 1\n  b: 2\n", DNSVET_ERR_PARSE, 2, 4, "mapping values are not allowed");
	expect_error("a: &x 1\nb: *x\n", DNSVET_ERR_PARSE, 1, 4, "anchors");
	expect_error("a: *x\n", DNSVET_ERR_PARSE, 1, 4, "aliases");
	expect_error("a: 1\nb: 2\na: 3\n", DNSVET_ERR_PARSE, 3, 1, "duplicate key \"a\"");
	expect_error("outer:\n  x: 1\n  y: 2\n  x: 3\n", DNSVET_ERR_PARSE, 4, 3,
	             "first value at line 2");
	expect_error("{\"a\": 1, \"a\": 2}", DNSVET_ERR_PARSE, 1, 10, "duplicate key");
	expect_error("a: 1\n---\nb: 2\n", DNSVET_ERR_PARSE, 2, 1, "more than one document");
	expect_error("a: !custom 1\n", DNSVET_ERR_PARSE, 1, 4, "unsupported tag");
	expect_error("a: !!int abc\n", DNSVET_ERR_PARSE, 1, 4, "does not match its tag");
	expect_error("? [1, 2]\n: x\n", DNSVET_ERR_PARSE, 1, 3, "only scalar map keys");
	expect_error("a: \"unterminated\n", DNSVET_ERR_PARSE, 2, 1, "quoted scalar");
	expect_error("a: 1\n\tb: 2\n", DNSVET_ERR_PARSE, 2, 1, "");
	expect_error("ok: 1\nbad: \x01\n", DNSVET_ERR_PARSE, 2, 6, "control characters");
	expect_error("ok: 1\nbad: \xff\xfe\n", DNSVET_ERR_PARSE, 2, 6, "");

	/* broken JSON: the strict reader's complaint, with line and column */
	expect_error("{\n  \"a\": 1,\n  \"b\": [1, 2, }\n}", DNSVET_ERR_PARSE, 3, 15,
	             "expected a value");
	expect_error("{\n  \"a\": 1\n  \"b\": 2\n}", DNSVET_ERR_PARSE, 3, 3, "expected ',' or '}'");
	expect_error("{\"a\": \"x\\ud800\"}", DNSVET_ERR_PARSE, 1, 9, "surrogate");
	expect_error("{\"a\": \"x\\q\"}", DNSVET_ERR_PARSE, 1, 9, "unknown escape");
	expect_error("{\"\xc3\xa9\": \"\xff\"}", DNSVET_ERR_PARSE, 1, 8, "invalid UTF-8");
	expect_error("{\"a\": \"unterminated", DNSVET_ERR_PARSE, 1, 20, "unterminated");
	expect_error("[1, 2] [3]", DNSVET_ERR_PARSE, 1, 8, "after the JSON document");
	expect_error("{\"a\": 1 \"b\": 2}", DNSVET_ERR_PARSE, 1, 9, "expected ',' or '}'");
	/* what YAML flow style allows besides (a trailing comma) is still accepted */
	n = parse("{\"a\": [1, 2,],}", NULL);
	CHECK(n && dnsvet_node_size(dnsvet_node_path(n, "a")) == 2);
	dnsvet_node_free(n);

	/* 64 levels are fine, 65 are not */
	for (i = 0; i < 64; i++)
		deep[i] = '[';
	for (i = 0; i < 64; i++)
		deep[64 + i] = ']';
	deep[128] = '\0';
	n = parse(deep, NULL);
	CHECK(n != NULL);
	dnsvet_node_free(n);
	for (i = 0; i < 65; i++)
		deep[i] = '[';
	for (i = 0; i < 65; i++)
		deep[65 + i] = ']';
	deep[130] = '\0';
	expect_error(deep, DNSVET_ERR_LIMIT, 1, 65, "nesting deeper than 64");

	/* the name is optional */
	CHECK(dnsvet_node_parse_yaml("[", 1, NULL, &n, &err) == DNSVET_ERR_PARSE);
	CHECK(strncmp(err.message, "<input>:", 8) == 0);
	CHECK(dnsvet_node_load_yaml_file("/nonexistent/x.yaml", &n, &err) == DNSVET_ERR_IO);
	CHECK_CONTAINS(err.message, "/nonexistent/x.yaml: ");
	/* no error struct: still no crash */
	CHECK(dnsvet_node_parse_yaml("a: *b", 5, NULL, &n, NULL) == DNSVET_ERR_PARSE);
}

static void test_json_input(void)
{
	const char *src2;
	dnsvet_node_error err2;
	const char *src =
		"{\n"
		"  \"DkimAttributes\": {\n"
		"    \"Tokens\": [\"abc\", \"def\"],\n"
		"    \"SigningEnabled\": true\n"
		"  },\n"
		"  \"Tags\": [{\"Key\": \"caf\\u00e9\", \"Value\": \"a\\/b \\\"q\\\" \\\\ \\t\"}],\n"
		"  \"Count\": 3, \"Ratio\": -0.25, \"Big\": 1.5e10, \"Nothing\": null,\n"
		"  \"Empty\": {}, \"EmptyList\": [],\n"
		"  \"Unicode\": \"\xe6\xbc\xa2\xe5\xad\x97\"\n"
		"}\n";
	dnsvet_node *n = parse(src, NULL);

	CHECK(n != NULL);
	CHECK_STR(dnsvet_node_path_string(n, "DkimAttributes.Tokens.1"), "def");
	CHECK(dnsvet_node_bool(dnsvet_node_path(n, "DkimAttributes.SigningEnabled"), 0) == 1);
	CHECK_STR(dnsvet_node_path_string(n, "Tags.0.Key"), "caf\xc3\xa9");
	CHECK_STR(dnsvet_node_path_string(n, "Tags.0.Value"), "a/b \"q\" \\ \t");
	CHECK(dnsvet_node_int(dnsvet_node_path(n, "Count"), 0) == 3);
	CHECK(dnsvet_node_double(dnsvet_node_path(n, "Ratio"), 0) == -0.25);
	CHECK(dnsvet_node_double(dnsvet_node_path(n, "Big"), 0) == 1.5e10);
	CHECK(dnsvet_node_type_of(dnsvet_node_path(n, "Nothing")) == DNSVET_NODE_NULL);
	CHECK(dnsvet_node_size(dnsvet_node_path(n, "Empty")) == 0);
	CHECK_STR(dnsvet_node_path_string(n, "Unicode"), "\xe6\xbc\xa2\xe5\xad\x97");
	CHECK(dnsvet_node_mark_of(dnsvet_node_path(n, "DkimAttributes.Tokens")).line == 3);
	check_yaml_round_trip(n, "json input");
	dnsvet_node_free(n);

	/* surrogate pairs, escaped NUL, numbers beyond int64, BOM */
	src2 = "\xEF\xBB\xBF[\"\\ud83d\\ude00\", \"a\\u0000b\", 99999999999999999999, -0, 0.5e-3, 1E2]";
	CHECK(dnsvet_node_parse_yaml_flags(src2, strlen(src2), "t.json", &n, &err2,
	                                   DNSVET_PARSE_KEEP_NUL) == DNSVET_OK);
	CHECK(n != NULL);
	CHECK_STR(dnsvet_node_path_string(n, "0"), "\xf0\x9f\x98\x80");
	CHECK(dnsvet_node_string_len(dnsvet_node_path(n, "1")) == 3);
	CHECK(dnsvet_node_string_has_nul(dnsvet_node_path(n, "1")));
	CHECK(!dnsvet_node_string_has_nul(dnsvet_node_path(n, "0")));
	CHECK(dnsvet_node_type_of(dnsvet_node_path(n, "2")) == DNSVET_NODE_DOUBLE);
	CHECK(dnsvet_node_int(dnsvet_node_path(n, "3"), 9) == 0);
	CHECK(dnsvet_node_double(dnsvet_node_path(n, "4"), 0) == 0.0005);
	CHECK(dnsvet_node_double(dnsvet_node_path(n, "5"), 0) == 100.0);
	dnsvet_node_free(n);

	/* YAML flow style that is not strict JSON still reads */
	n = parse("{a: 1, b: [x, y]}  # comment", NULL);
	CHECK(n != NULL);
	CHECK_STR(dnsvet_node_path_string(n, "b.1"), "y");
	dnsvet_node_free(n);

	/* compact JSON as emitted by tools: no blank after ':' */
	n = parse("{\"a\":{\"b\":[1,2,{\"c\":\"d\"}]},\"e\":\"f\"}", NULL);
	CHECK(n != NULL);
	CHECK_STR(dnsvet_node_path_string(n, "a.b.2.c"), "d");
	dnsvet_node_free(n);
}

/* A string with a NUL would be read short as a C string: refused where it is read, unless
 * the caller asks to keep it and names the field itself. */
static void test_nul_strings(void)
{
	static const char *const docs[] = {
		"- \"good.com\\0evil\"\n",
		"a: \"x\\x00y\"\n",
		"{a: \"x\\u0000y\"}\n",
		"[\"ok\", \"mail.example.com\\u0000.evil.org\"]",
		"{\"a\": [\"x\\u0000\"], \"b\": 1}",
		NULL
	};
	dnsvet_node_error err;
	dnsvet_node *n;
	const char *src;

	for (size_t i = 0; docs[i]; i++) {
		n = NULL;
		CHECK(dnsvet_node_parse_yaml(docs[i], strlen(docs[i]), "nul.yaml", &n, &err) ==
		      DNSVET_ERR_PARSE);
		CHECK(n == NULL);
		CHECK(strstr(err.message, "nul.yaml:") == err.message);
		CHECK(strstr(err.message, "contains a control character") != NULL);
		CHECK(dnsvet_node_parse_yaml_flags(docs[i], strlen(docs[i]), "nul.yaml", &n, &err,
		                                   DNSVET_PARSE_KEEP_NUL) == DNSVET_OK);
		dnsvet_node_free(n);
	}
	/* the place is the string's own */
	src = "x: 1\ny: \"a\\0\"\n";
	CHECK(dnsvet_node_parse_yaml(src, strlen(src), "p.yaml", &n, &err) == DNSVET_ERR_PARSE);
	CHECK(err.line == 2 && err.column == 4);
}

int main(void)
{
	test_build_and_access();
	test_scalars();
	test_emit_format();
	test_nasty_round_trips();
	test_json_input();
	test_nul_strings();
	test_errors();
	test_large_map();
	test_common_keys();
	return t_finish("test_node");
}
