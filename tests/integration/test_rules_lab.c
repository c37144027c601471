/*
 * The rule engine live against the lab: a probe of a lab domain, rules whose follow-up
 * questions (ctx:query) are asked of the lab's servers through dnsvet_probe_followup, the
 * recording saved and replayed to identical findings, and a replayed question missing from
 * the recording reported by name. Misbehaving rules in live mode are stopped while the
 * others' findings stand.
 *
 * Runs inside tests/lab/labrun with the healthy and double-suffix scenarios.
 * argv[1]: tests/unit/rules; argv[2]: the built-in rules;
 * optional --record DOMAIN FILE: also save DOMAIN's live recording (built-in rules only) to
 * FILE (how bench/data/ recordings are made).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dnsvet/engine.h>
#include <dnsvet/expect.h>
#include <dnsvet/finding.h>
#include <dnsvet/node.h>
#include <dnsvet/obs.h>
#include <dnsvet/probe.h>
#include <dnsvet/rules.h>
#include "test_engine_check.h"

static const char *test_rules_dir, *builtin_dir;

typedef struct lab {
	dnsvet_roothints *hints;
	dnsvet_addrlist *resolvers;
	dnsvet_engine *eng;
	dnsvet_probe_cache *cache;
	dnsvet_probe_opts opts;
} lab;

static int lab_init(lab *L)
{
	const char *hints = getenv("LAB_ROOT_HINTS"), *res = getenv("LAB_RESOLVERS");
	char err[512];
	dnsvet_engine_opts eo;

	memset(L, 0, sizeof(*L));
	if (!hints || !res) {
		fprintf(stderr, "not inside the lab (run through tests/lab/labrun)\n");
		return -1;
	}
	if (dnsvet_roothints_load(hints, 53, &L->hints, err, sizeof(err)) != DNSVET_OK ||
	    dnsvet_resolvers_parse(res, "LAB_RESOLVERS", 53, &L->resolvers, err, sizeof(err)) != DNSVET_OK) {
		fprintf(stderr, "lab configuration: %s\n", err);
		return -1;
	}
	dnsvet_engine_opts_default(&eo);
	eo.timeout_ms = 400;
	eo.retries = 1;
	if (dnsvet_engine_new(&eo, &L->eng) != DNSVET_OK || dnsvet_probe_cache_new(&L->cache) != DNSVET_OK)
		return -1;
	dnsvet_probe_opts_default(&L->opts);
	L->opts.roothints = L->hints;
	L->opts.resolvers = L->resolvers;
	L->opts.lab = 1;
	L->opts.started = 1795424400;
	return 0;
}

static void lab_free(lab *L)
{
	dnsvet_engine_free(L->eng);
	dnsvet_probe_cache_free(L->cache);
	dnsvet_roothints_free(L->hints);
	dnsvet_addrlist_free(L->resolvers);
}

/* ------------------------------------------------------------------ */
/* The live asker: rules' questions through dnsvet_probe_followup      */
/* ------------------------------------------------------------------ */

typedef struct lab_asker {
	lab *L;
	unsigned calls, questions;
	int done;
	dnsvet_status st;
	dnsvet_node *answers;
} lab_asker;

static void followup_done(dnsvet_status st, dnsvet_node *answers, void *user)
{
	lab_asker *a = user;

	a->done = 1;
	a->st = st;
	a->answers = answers;
}

/* Adds what `from` holds to `to` without replacing anything: lists are extended, missing
 * keys copied (the engine keeps pointers into the tree). */
static dnsvet_status merge_entry(dnsvet_node *to, const dnsvet_node *from)
{
	for (size_t i = 0; i < dnsvet_node_size(from); i++) {
		const char *key = dnsvet_node_map_key_at(from, i);
		const dnsvet_node *v = dnsvet_node_map_value_at(from, i);
		dnsvet_node *have = dnsvet_node_map_get(to, key);
		dnsvet_status st = DNSVET_OK;

		if (!have)
			st = dnsvet_node_map_set(to, key, dnsvet_node_copy(v));
		else if (dnsvet_node_type_of(have) == DNSVET_NODE_LIST &&
		         dnsvet_node_type_of(v) == DNSVET_NODE_LIST && strcmp(key, "chain") != 0)
			for (size_t k = 0; k < dnsvet_node_size(v) && !st; k++)
				st = dnsvet_node_list_append(have, dnsvet_node_copy(dnsvet_node_list_at(v, k)));
		if (st)
			return st;
	}
	return DNSVET_OK;
}

static dnsvet_status lab_ask(void *user, dnsvet_node *obs, const dnsvet_rules_question *qs, size_t n)
{
	lab_asker *a = user;
	dnsvet_probe_question *pq = calloc(n, sizeof(*pq));
	dnsvet_status st;

	if (!pq)
		return DNSVET_ERR_NOMEM;
	a->calls++;
	a->questions += (unsigned)n;
	for (size_t i = 0; i < n; i++) {
		pq[i].name = qs[i].name;
		pq[i].type = qs[i].type;
		pq[i].target = qs[i].target; /* DNSVET_RULES_TO_* == DNSVET_PROBE_TO_* */
		pq[i].servers = qs[i].servers;
		pq[i].n_servers = qs[i].n_servers;
	}
	a->done = 0;
	a->answers = NULL;
	st = dnsvet_probe_followup(a->L->eng, a->L->cache, &a->L->opts, obs, pq, n, followup_done, a);
	free(pq);
	if (st)
		return st;
	while (!a->done)
		if ((st = dnsvet_engine_step(a->L->eng, 1000)) != DNSVET_OK)
			return st;
	if (a->st)
		return a->st;
	for (size_t i = 0; i < dnsvet_node_size(a->answers) && !st; i++) {
		const dnsvet_node *e = dnsvet_node_list_at(a->answers, i);
		dnsvet_node *to = dnsvet_rules_answers_entry(obs, dnsvet_node_path_string(e, "name"),
		                                             dnsvet_node_path_string(e, "type"), 1);

		st = to ? merge_entry(to, e) : DNSVET_ERR_NOMEM;
	}
	dnsvet_node_free(a->answers);
	a->answers = NULL;
	return st;
}

/* ------------------------------------------------------------------ */

static dnsvet_expect *expect_for(const char *domain, const char *const *tokens)
{
	dnsvet_expect *e = NULL;
	dnsvet_expect_error err;
	char mail[256];

	snprintf(mail, sizeof(mail), "mail.%s", domain);
	if (dnsvet_expect_new(domain, &e, &err) != DNSVET_OK ||
	    dnsvet_expect_set_region(e, "us-east-1", &err) != DNSVET_OK ||
	    dnsvet_expect_set_mail_from(e, mail, &err) != DNSVET_OK) {
		fprintf(stderr, "expect %s: %s\n", domain, err.message);
		exit(2);
	}
	for (size_t i = 0; i < 3; i++)
		if (dnsvet_expect_add_dkim_token(e, tokens[i], &err) != DNSVET_OK) {
			fprintf(stderr, "expect %s: %s\n", domain, err.message);
			exit(2);
		}
	return e;
}

/* Probes domain with the runner's probes() questions; returns a modifiable copy of the
 * observation tree (caller frees). */
static dnsvet_node *probe(lab *L, dnsvet_rules_runner *runner, const dnsvet_expect *e)
{
	dnsvet_node *en = NULL, *pl = NULL, *tree;
	dnsvet_probe_question *q;
	dnsvet_obs *obs = NULL;
	size_t n;

	CHECK_EQ(dnsvet_expect_to_node(e, &en), DNSVET_OK);
	CHECK_EQ(dnsvet_rules_probes(runner, en, &pl), DNSVET_OK);
	n = dnsvet_node_size(pl);
	q = calloc(n ? n : 1, sizeof(*q));
	for (size_t i = 0; i < n; i++) {
		q[i].name = dnsvet_node_path_string(dnsvet_node_list_at(pl, i), "name");
		q[i].type = dnsvet_node_path_string(dnsvet_node_list_at(pl, i), "type");
	}
	CHECK_EQ(dnsvet_probe_run(L->eng, L->cache, &L->opts, e, q, n, &obs, NULL), DNSVET_OK);
	if (!obs) {
		fprintf(stderr, "probe failed\n");
		exit(1);
	}
	tree = dnsvet_node_copy(dnsvet_obs_root(obs));
	dnsvet_obs_free(obs);
	free(q);
	dnsvet_node_free(pl);
	dnsvet_node_free(en);
	return tree;
}

/* The built-in rules and the test rule directories named (NULL-terminated). */
static dnsvet_rules_runner *runner_for(dnsvet_rules **rules, ...)
{
	dnsvet_rules_opts o;
	const char *dirs[4], *d;
	char paths[4][4096];
	dnsvet_rules_runner *r = NULL;
	char err[256];
	va_list ap;

	dnsvet_rules_opts_default(&o);
	o.builtin_dir = builtin_dir;
	va_start(ap, rules);
	while (o.n_user_dirs < 4 && (d = va_arg(ap, const char *))) {
		snprintf(paths[o.n_user_dirs], sizeof(paths[0]), "%s/%s", test_rules_dir, d);
		dirs[o.n_user_dirs] = paths[o.n_user_dirs];
		o.n_user_dirs++;
	}
	va_end(ap);
	o.user_dirs = dirs;
	CHECK_EQ(dnsvet_rules_load(&o, rules, err, sizeof(err)), DNSVET_OK);
	CHECK_EQ(dnsvet_rules_problem_count(*rules), 0);
	CHECK_EQ(dnsvet_rules_runner_new(*rules, &r), DNSVET_OK);
	return r;
}

static const dnsvet_finding *find(const dnsvet_finding_list *l, const char *rule, const char *subject)
{
	for (size_t i = 0; i < dnsvet_finding_list_count(l); i++) {
		const dnsvet_finding *f = dnsvet_finding_list_at(l, i);

		if (strcmp(dnsvet_finding_rule(f), rule) == 0 &&
		    (!subject || strcmp(dnsvet_finding_subject_name(f), subject) == 0))
			return f;
	}
	return NULL;
}

static const char *msg_of(const dnsvet_finding *f)
{
	return f ? dnsvet_finding_message(f) : NULL;
}

static char *findings_json(const dnsvet_finding_list *l)
{
	dnsvet_node *n = NULL;
	char *s = NULL;

	CHECK_EQ(dnsvet_finding_list_to_node(l, &n), DNSVET_OK);
	CHECK_EQ(dnsvet_node_to_json(n, 1, &s), DNSVET_OK);
	dnsvet_node_free(n);
	return s;
}

/* Saves tree as a recording and reads it back (as `--record` then `--replay` would). */
static dnsvet_node *save_and_reload(dnsvet_node *tree, const char *path)
{
	dnsvet_obs *obs = NULL, *back = NULL;
	dnsvet_node_error err;
	dnsvet_node *copy;

	CHECK_EQ(dnsvet_obs_from_node(dnsvet_node_copy(tree), path, &obs, &err), DNSVET_OK);
	CHECK_EQ(dnsvet_obs_save_yaml(obs, path), DNSVET_OK);
	dnsvet_obs_free(obs);
	if (dnsvet_obs_load_yaml(path, &back, &err) != DNSVET_OK) {
		fprintf(stderr, "%s: %s\n", path, err.message);
		exit(1);
	}
	copy = dnsvet_node_copy(dnsvet_obs_root(back));
	dnsvet_obs_free(back);
	return copy;
}

static void drop_answer(dnsvet_node *obs, const char *name, const char *type)
{
	dnsvet_node *old = dnsvet_node_map_get(obs, "answers"), *list = dnsvet_node_new_list();
	int dropped = 0;

	for (size_t i = 0; i < dnsvet_node_size(old); i++) {
		const dnsvet_node *e = dnsvet_node_list_at(old, i);

		if (strcmp(dnsvet_node_path_string(e, "name"), name) == 0 &&
		    strcmp(dnsvet_node_path_string(e, "type"), type) == 0) {
			dropped = 1;
			continue;
		}
		dnsvet_node_list_append(list, dnsvet_node_copy(e));
	}
	CHECK(dropped);
	dnsvet_node_map_set(obs, "answers", list);
}

static const char *const healthy_tokens[] = {
	"xu7wq45c257az4iapfcri5eysanb6cei", "haf3bdhvfzyxy4nicfwiqmbtsybz42h7",
	"jyv5a33cls4xe666fysejgcj336txro4"
};
static const char *const suffix_tokens[] = {
	"ujzdegxdncf32epf3dhodzdocis2jhtl", "gmxgedn73u55xtplpft7v4seh2kvj72c",
	"euvw75efr6edt4sywb5wkh7dnsipzz7f"
};

/* Built-in rules plus the test rules that ask follow-up questions, live then replayed. */
static void test_live_and_replay(lab *L)
{
	char rec[64];
	dnsvet_rules *rules = NULL;
	dnsvet_rules_runner *runner;
	dnsvet_expect *e = expect_for("healthy-shop.com", healthy_tokens);
	dnsvet_node *obs, *back;
	lab_asker a = {L, 0, 0, 0, DNSVET_OK, NULL};
	dnsvet_rules_asker asker = {lab_ask, &a};
	dnsvet_finding_list *live = NULL, *replay = NULL, *missing = NULL;
	const dnsvet_finding *f;
	char *js1, *js2;

	runner = runner_for(&rules, "basic", "lab", (const char *)NULL);
	obs = probe(L, runner, e);
	CHECK_EQ(dnsvet_rules_run(runner, obs, &asker, &live), DNSVET_OK);
	/* the lab's answers to questions the rules asked themselves: t.asks asks one at a time
	 * (its NS question to a listed server is answered by the probe's NS replies) */
	CHECK_EQ(a.calls, 2);
	CHECK(a.questions >= 2);
	CHECK_CONTAINS(msg_of(find(live, "t.asks", NULL)),
	               "127.60.1.1 NOERROR 203.0.113.25; 127.60.1.2 NOERROR 203.0.113.25; "
	               "resolver NOERROR healthy-shop.com; ");
	CHECK_CONTAINS(msg_of(find(live, "t.asks", NULL)), "; ns@127.60.1.2 2");
	CHECK_CONTAINS(msg_of(find(live, "t.follow", NULL)),
	               "auth 2 [127.60.1.1=v=DMARC1; p=none; rua=mailto:dmarc-reports@healthy-shop.com,"
	               "127.60.1.2=v=DMARC1; p=none; rua=mailto:dmarc-reports@healthy-shop.com] resolvers ");
	CHECK_CONTAINS(msg_of(find(live, "t.follow", NULL)), "listed 2 same true");
	/* mail.healthy-shop.com MX was probed already; _dmarc asked by t.follow */
	CHECK_STR(msg_of(find(live, "t.follow2", NULL)),
	          "mx [10 feedback-smtp.us-east-1.amazonses.com,10 feedback-smtp.us-east-1.amazonses.com] "
	          "dmarc 2");
	CHECK(find(live, DNSVET_RULE_ERROR_ID, NULL) == NULL);
	/* a healthy domain: no built-in rule finds an error */
	CHECK_EQ(dnsvet_finding_list_count_severity(live, DNSVET_SEVERITY_ERROR), 0);
	CHECK(find(live, "t.report", NULL) == NULL);

	/* recorded, read back and replayed: the same findings, nothing asked */
	snprintf(rec, sizeof(rec), "/tmp/test_rules_lab.%d.yaml", (int)getpid());
	back = save_and_reload(obs, rec);
	CHECK_EQ(dnsvet_rules_run(runner, back, NULL, &replay), DNSVET_OK);
	js1 = findings_json(live);
	js2 = findings_json(replay);
	CHECK_STR(js1, js2);
	CHECK(dnsvet_finding_list_count(live) >= 4);
	free(js1);
	free(js2);

	/* a question the recording lacks: the rules asking it fail, naming it */
	drop_answer(back, "_dmarc.healthy-shop.com", "TXT");
	CHECK_EQ(dnsvet_rules_run(runner, back, NULL, &missing), DNSVET_OK);
	f = find(missing, DNSVET_RULE_ERROR_ID, "t.follow");
	CHECK_CONTAINS(msg_of(f), "Rule t.follow (");
	CHECK_CONTAINS(msg_of(f), "replay: the recording has no answer to _dmarc.healthy-shop.com TXT "
	                          "from the authoritative servers");
	CHECK_CONTAINS(msg_of(find(missing, DNSVET_RULE_ERROR_ID, "t.follow2")),
	               "_dmarc.healthy-shop.com TXT");
	CHECK(find(missing, "t.data", NULL) != NULL);
	CHECK(find(missing, "ses.dkim.incomplete", NULL) == NULL ||
	      dnsvet_finding_severity(find(missing, "ses.dkim.incomplete", NULL)) != DNSVET_SEVERITY_ERROR);

	unlink(rec);
	dnsvet_finding_list_free(live);
	dnsvet_finding_list_free(replay);
	dnsvet_finding_list_free(missing);
	dnsvet_node_free(obs);
	dnsvet_node_free(back);
	dnsvet_expect_free(e);
	dnsvet_rules_runner_free(runner);
	dnsvet_rules_free(rules);
}

/* Misbehaving rules asking live: stopped and reported; the built-in rules' findings for a
 * broken domain stand, and the next domain runs fine. */
static void test_live_escapes(lab *L)
{
	dnsvet_rules *rules = NULL;
	dnsvet_rules_runner *runner;
	dnsvet_expect *e1 = expect_for("suffix-gallery.com", suffix_tokens);
	dnsvet_expect *e2 = expect_for("healthy-shop.com", healthy_tokens);
	dnsvet_node *o1, *o2;
	lab_asker a = {L, 0, 0, 0, DNSVET_OK, NULL};
	dnsvet_rules_asker asker = {lab_ask, &a};
	dnsvet_finding_list *l1 = NULL, *l2 = NULL;

	runner = runner_for(&rules, "escape", (const char *)NULL);
	o1 = probe(L, runner, e1);
	o2 = probe(L, runner, e2);
	CHECK_EQ(dnsvet_rules_run(runner, o1, &asker, &l1), DNSVET_OK);
	CHECK_CONTAINS(msg_of(find(l1, DNSVET_RULE_ERROR_ID, "e.co_error")), "boom after the yield");
	CHECK_CONTAINS(msg_of(find(l1, DNSVET_RULE_ERROR_ID, "e.yields")),
	               "too many rounds of follow-up questions");
	CHECK_CONTAINS(msg_of(find(l1, DNSVET_RULE_ERROR_ID, "e.loop")), "instruction budget exceeded");
	CHECK_CONTAINS(msg_of(find(l1, DNSVET_RULE_ERROR_ID, "e.bomb")), "memory cap exceeded");
	CHECK_CONTAINS(msg_of(find(l1, DNSVET_RULE_ERROR_ID, "e.io")), "global 'io'");
	CHECK_STR(msg_of(find(l1, "e.good", NULL)), "good ran ABC");
	/* the domain's real faults are still found */
	CHECK(find(l1, "record.name_double_suffix", NULL) != NULL);
	CHECK_EQ(a.calls, 8);

	CHECK_EQ(dnsvet_rules_run(runner, o2, &asker, &l2), DNSVET_OK);
	CHECK_STR(msg_of(find(l2, "e.good", NULL)), "good ran ABC");
	for (size_t i = 0; i < dnsvet_finding_list_count(l2); i++) {
		const dnsvet_finding *f = dnsvet_finding_list_at(l2, i);

		/* e.stash reads what built-in rules had read of the previous domain's zones (plain
		 * Lua data by then); test_rules checks it cannot reach unread observations */
		if (strcmp(dnsvet_finding_rule(f), "e.stash") == 0)
			continue;
		CHECK(strstr(dnsvet_finding_message(f), "ESCAPED") == NULL);
		/* on the healthy domain only the misbehaving rules report errors */
		if (dnsvet_finding_severity(f) == DNSVET_SEVERITY_ERROR &&
		    strcmp(dnsvet_finding_rule(f), "e.good") != 0)
			CHECK_STR(dnsvet_finding_rule(f), DNSVET_RULE_ERROR_ID);
	}
	dnsvet_finding_list_free(l1);
	dnsvet_finding_list_free(l2);
	dnsvet_node_free(o1);
	dnsvet_node_free(o2);
	dnsvet_expect_free(e1);
	dnsvet_expect_free(e2);
	dnsvet_rules_runner_free(runner);
	dnsvet_rules_free(rules);
}

/* --record DOMAIN FILE: the built-in rules live on DOMAIN, recording saved to FILE. */
static int record(lab *L, const char *domain, const char *path)
{
	dnsvet_rules *rules = NULL;
	dnsvet_rules_runner *runner = runner_for(&rules, (const char *)NULL);
	const char *const *tokens = strcmp(domain, "healthy-shop.com") == 0 ? healthy_tokens
	                           : strcmp(domain, "suffix-gallery.com") == 0 ? suffix_tokens : NULL;
	dnsvet_expect *e;
	dnsvet_node *obs, *back;
	lab_asker a = {L, 0, 0, 0, DNSVET_OK, NULL};
	dnsvet_rules_asker asker = {lab_ask, &a};
	dnsvet_finding_list *l = NULL;

	if (!tokens) {
		fprintf(stderr, "--record: healthy-shop.com or suffix-gallery.com\n");
		return 2;
	}
	e = expect_for(domain, tokens);
	obs = probe(L, runner, e);
	CHECK_EQ(dnsvet_rules_run(runner, obs, &asker, &l), DNSVET_OK);
	back = save_and_reload(obs, path);
	printf("%s: %zu findings, %u follow-up questions, recorded in %s\n", domain,
	       dnsvet_finding_list_count(l), a.questions, path);
	dnsvet_finding_list_free(l);
	dnsvet_node_free(obs);
	dnsvet_node_free(back);
	dnsvet_expect_free(e);
	dnsvet_rules_runner_free(runner);
	dnsvet_rules_free(rules);
	return 0;
}

int main(int argc, char **argv)
{
	lab L;
	int rc;

	if (argc != 3 && !(argc == 6 && strcmp(argv[3], "--record") == 0)) {
		fprintf(stderr, "usage: test_rules_lab TESTS/UNIT/RULES BUILTIN-RULES "
		        "[--record DOMAIN FILE]\n");
		return 2;
	}
	test_rules_dir = argv[1];
	builtin_dir = argv[2];
	if (lab_init(&L))
		return 2;
	if (argc == 6) {
		rc = record(&L, argv[4], argv[5]);
		lab_free(&L);
		return rc ? rc : t_failures ? 1 : 0;
	}
	test_live_and_replay(&L);
	test_live_escapes(&L);
	lab_free(&L);
	return t_finish("test_rules_lab");
}
