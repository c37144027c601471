/*
 * The rule engine through its public API: catalogue loading and its problems, user rules
 * replacing built-ins, selection expressions, replayed and live follow-up questions,
 * fix templates and evidence, sandbox escapes and budgets, determinism.
 *
 * argv[1]: tests/unit/rules (test rule directories and observation sets);
 * argv[2]: the built-in rules directory.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ldns/ldns.h>
#include <dnsvet/rules.h>
#include <dnsvet/finding.h>
#include <dnsvet/node.h>
#include "test_engine_check.h"
#include "rules/rules_int.h"

static const char *dir_root;
static const char *builtin_root;

static char *path_of(const char *rel)
{
	static char buf[8][4096];
	static int slot;
	char *p = buf[slot++ % 8];

	snprintf(p, 4096, "%s/%s", dir_root, rel);
	return p;
}

static dnsvet_rules *load(const char *builtin, const char *const *user, size_t n_user,
                          const dnsvet_rules_opts *base)
{
	dnsvet_rules_opts o;
	dnsvet_rules *rules = NULL;
	char err[512];

	if (base)
		o = *base;
	else
		dnsvet_rules_opts_default(&o);
	o.builtin_dir = builtin;
	o.user_dirs = user;
	o.n_user_dirs = n_user;
	CHECK_EQ(dnsvet_rules_load(&o, &rules, err, sizeof(err)), DNSVET_OK);
	return rules;
}

static dnsvet_node *load_obs(const char *rel)
{
	dnsvet_node *n = NULL;
	dnsvet_node_error err;

	if (dnsvet_node_load_yaml_file(path_of(rel), &n, &err) != DNSVET_OK) {
		fprintf(stderr, "%s: %s\n", rel, err.message);
		exit(2);
	}
	return n;
}

/* obs without its answers entry for (name, type), as if nobody had asked. */
static void drop_answer(dnsvet_node *obs, const char *name, const char *type)
{
	dnsvet_node *old = dnsvet_node_map_get(obs, "answers"), *list = dnsvet_node_new_list();

	for (size_t i = 0; i < dnsvet_node_size(old); i++) {
		const dnsvet_node *e = dnsvet_node_list_at(old, i);

		if (strcmp(dnsvet_node_path_string(e, "name"), name) == 0 &&
		    strcmp(dnsvet_node_path_string(e, "type"), type) == 0)
			continue;
		dnsvet_node_list_append(list, dnsvet_node_copy(e));
	}
	dnsvet_node_map_set(obs, "answers", list);
}

static dnsvet_finding_list *run(dnsvet_rules_runner *runner, dnsvet_node *obs,
                                const dnsvet_rules_asker *asker)
{
	dnsvet_finding_list *out = NULL;

	CHECK_EQ(dnsvet_rules_run(runner, obs, asker, &out), DNSVET_OK);
	return out;
}

/* The first finding of rule about subject (subject NULL: any). */
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

/* The engine.rule_error finding about rule id, or NULL. */
static const dnsvet_finding *rule_error(const dnsvet_finding_list *l, const char *id)
{
	return find(l, DNSVET_RULE_ERROR_ID, id);
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
	CHECK_EQ(dnsvet_node_to_json(n, 0, &s), DNSVET_OK);
	dnsvet_node_free(n);
	return s;
}

/* ------------------------------------------------------------------ */

static void test_basic_replay(void)
{
	const char *user[] = {path_of("basic")};
	dnsvet_rules *rules = load("", user, 1, NULL);
	dnsvet_rules_runner *runner = NULL;
	dnsvet_node *obs = load_obs("obs/shop.yaml");
	dnsvet_finding_list *l;
	const dnsvet_finding *f;
	const dnsvet_node *ev;
	static const char *const order[] = {"t.report", "t.follow", "t.follow2", "t.data", "t.quiet",
	                                    "t.quiet"};

	CHECK_EQ(dnsvet_rules_count(rules), 5);
	CHECK_EQ(dnsvet_rules_problem_count(rules), 0);
	CHECK_EQ(dnsvet_rules_runner_new(rules, &runner), DNSVET_OK);
	l = run(runner, obs, NULL);
	CHECK_EQ(dnsvet_finding_list_count(l), 6);
	/* rule order (order, then id), each rule's findings in the order reported */
	for (size_t i = 0; i < 6 && i < dnsvet_finding_list_count(l); i++)
		CHECK_STR(dnsvet_finding_rule(dnsvet_finding_list_at(l, i)), order[i]);

	f = find(l, "t.report", NULL);
	CHECK_STR(dnsvet_finding_subject_name(f), "tok2._domainkey.shop.test");
	CHECK_STR(dnsvet_finding_subject_type(f), "CNAME");
	CHECK_STR(dnsvet_finding_title(f), "Expected record not published");
	CHECK_EQ(dnsvet_finding_severity(f), DNSVET_SEVERITY_ERROR);
	CHECK_STR(dnsvet_finding_fix(f), "Publish tok2._domainkey.shop.test CNAME "
	                                 "tok2.dkim.amazonses.com at shop.test.");
	ev = dnsvet_finding_evidence(f);
	CHECK_EQ(dnsvet_node_size(ev), 1);
	CHECK_STR(dnsvet_node_path_string(dnsvet_node_list_at(ev, 0), "addr"), "192.0.2.1");
	CHECK_STR(dnsvet_node_path_string(dnsvet_node_list_at(ev, 0), "rcode"), "NXDOMAIN");
	CHECK_STR(dnsvet_node_path_string(dnsvet_node_list_at(ev, 0), "note"), "first server");

	/* follow-ups answered from the recording; the same entry answers every target */
	CHECK_STR(msg_of(find(l, "t.follow", NULL)),
	          "auth 2 [192.0.2.1=v=DMARC1; p=none,192.0.2.2=v=DMARC1; p=none] resolvers 1 "
	          "listed 2 same true");
	CHECK_STR(msg_of(find(l, "t.follow2", NULL)),
	          "mx [10 feedback-smtp.us-east-1.amazonses.com,10 feedback-smtp.us-east-1.amazonses.com] "
	          "dmarc 2");
	/* helpers, data files, the restricted base, views */
	CHECK_STR(msg_of(find(l, "t.data", NULL)),
	          "things:3:b;true;true;a.example.com;a|b|c;b.c,.;truefalse;a.b,@;"
	          "example.com,www.example.com;x.example.com/TXT/300/IN/3/v=spf1 include:amazonses.com "
	          "~alla\"b;;10 Feedback-SMTP.us-east-1.amazonses.com "
	          "[10 Feedback-SMTP.us-east-1.amazonses.com.];ns1.host.net 2026112001 300;"
	          "truetruefalsetruetrue;hello,nil;3,2,2,3,0;2026-11-23T09:00:00Z;truetruetrue;8:true:1");
	/* ctx:findings sees the findings of earlier rules */
	CHECK_STR(msg_of(find(l, "t.quiet", "tok1._domainkey.shop.test")),
	          "unexplained tok1._domainkey.shop.test");
	f = find(l, "t.quiet", "tok2._domainkey.shop.test");
	CHECK_STR(msg_of(f), "explained by t.report (error)");
	CHECK_EQ(dnsvet_finding_severity(f), DNSVET_SEVERITY_INFO);
	CHECK(rule_error(l, NULL) == NULL);
	dnsvet_finding_list_free(l);

	/* replay: a question missing from the recording fails that rule only, naming it */
	drop_answer(obs, "mail.shop.test", "MX");
	l = run(runner, obs, NULL);
	f = rule_error(l, "t.follow2");
	CHECK_CONTAINS(msg_of(f), "Rule t.follow2 (");
	CHECK_CONTAINS(msg_of(f), "follow2.lua:10) failed");
	CHECK_CONTAINS(msg_of(f), "the recording has no answer to mail.shop.test MX from the "
	                          "authoritative servers");
	CHECK_STR(dnsvet_finding_subject_type(f), "RULE");
	CHECK(find(l, "t.follow2", NULL) == NULL);
	CHECK(find(l, "t.follow", NULL) != NULL);
	CHECK(find(l, "t.report", NULL) != NULL);
	CHECK(find(l, "t.data", NULL) != NULL);
	ev = dnsvet_finding_evidence(f);
	CHECK_STR(dnsvet_node_path_string(dnsvet_node_list_at(ev, 0), "rule"), "t.follow2");
	CHECK_CONTAINS(dnsvet_node_path_string(dnsvet_node_list_at(ev, 0), "file"),
	               "basic/t/follow2.lua");
	CHECK_EQ(dnsvet_node_int(dnsvet_node_path(dnsvet_node_list_at(ev, 0), "line"), 0), 10);
	dnsvet_finding_list_free(l);

	dnsvet_node_free(obs);
	dnsvet_rules_runner_free(runner);
	dnsvet_rules_free(rules);
}

static void test_probes(void)
{
	const char *user[] = {path_of("basic")};
	dnsvet_rules *rules = load("", user, 1, NULL);
	dnsvet_rules_runner *runner = NULL;
	dnsvet_node *obs = load_obs("obs/shop.yaml"), *q = NULL;
	static const char *const want[][2] = {
		{"tok1._domainkey.shop.test", "CNAME"},
		{"tok1._domainkey.shop.test.shop.test", "CNAME"},
		{"tok2._domainkey.shop.test", "CNAME"},
		{"tok2._domainkey.shop.test.shop.test", "CNAME"},
		{"dup.example.com", "TXT"},
	};

	CHECK(dnsvet_rule_has_probes(dnsvet_rules_find(rules, "t.report")));
	CHECK(!dnsvet_rule_has_probes(dnsvet_rules_find(rules, "t.follow")));
	CHECK_EQ(dnsvet_rules_runner_new(rules, &runner), DNSVET_OK);
	CHECK_EQ(dnsvet_rules_probes(runner, dnsvet_node_map_get(obs, "expect"), &q), DNSVET_OK);
	/* names normalised, types upper case, duplicates removed */
	CHECK_EQ(dnsvet_node_size(q), 5);
	for (size_t i = 0; i < 5 && i < dnsvet_node_size(q); i++) {
		CHECK_STR(dnsvet_node_path_string(dnsvet_node_list_at(q, i), "name"), want[i][0]);
		CHECK_STR(dnsvet_node_path_string(dnsvet_node_list_at(q, i), "type"), want[i][1]);
	}
	dnsvet_node_free(q);
	dnsvet_node_free(obs);
	dnsvet_rules_runner_free(runner);
	dnsvet_rules_free(rules);
}

/* ------------------------------------------------------------------ */
/* Live follow-ups through an asker that answers from a table, not the */
/* network: the scheduling and recording contract of the engine.      */
/* (tests/integration/test_rules_lab.c asks the lab's servers.)       */
/* ------------------------------------------------------------------ */

typedef struct fake_asker {
	unsigned calls;
	unsigned questions;
	char last[8][128];
} fake_asker;

static void add_reply(dnsvet_node *list, const char *server, const char *addr,
                      const char *name, const char *type)
{
	dnsvet_node *r = dnsvet_node_new_map(), *ans = dnsvet_node_new_list();
	char rr[512];

	if (server)
		dnsvet_node_map_set_string(r, "server", server);
	dnsvet_node_map_set_string(r, "addr", addr);
	if (strcmp(type, "TXT") == 0 && strncmp(name, "_dmarc.", 7) == 0) {
		dnsvet_node_map_set_string(r, "rcode", "NOERROR");
		snprintf(rr, sizeof(rr), "%s. 300 IN TXT \"v=DMARC1; p=reject\"", name);
		dnsvet_node_list_append_string(ans, rr);
	} else if (strcmp(type, "MX") == 0) {
		dnsvet_node_map_set_string(r, "rcode", "NOERROR");
		snprintf(rr, sizeof(rr), "%s. 300 IN MX 10 mx.%s.", name, addr);
		dnsvet_node_list_append_string(ans, rr);
	} else {
		dnsvet_node_map_set_string(r, "rcode", "NXDOMAIN");
	}
	dnsvet_node_map_set(r, "answer", ans);
	dnsvet_node_list_append(list, r);
}

static dnsvet_node *replies_list(dnsvet_node *entry, const char *key)
{
	dnsvet_node *l = dnsvet_node_map_get(entry, key);

	if (!l) {
		l = dnsvet_node_new_list();
		dnsvet_node_map_set(entry, key, l);
	}
	return l;
}

static dnsvet_status fake_ask(void *user, dnsvet_node *obs, const dnsvet_rules_question *qs,
                              size_t n)
{
	fake_asker *fa = user;

	fa->calls++;
	for (size_t i = 0; i < n; i++) {
		const dnsvet_rules_question *q = &qs[i];
		dnsvet_node *e = dnsvet_rules_answers_entry(obs, q->name, q->type, 1);
		const dnsvet_node *servers = dnsvet_node_map_get(
			dnsvet_node_list_at(dnsvet_node_map_get(obs, "zones"), 0), "servers");
		const dnsvet_node *res = dnsvet_node_map_get(obs, "resolvers");

		if (fa->questions < 8)
			snprintf(fa->last[fa->questions], sizeof(fa->last[0]), "%u %s %s", q->target,
			         q->name, q->type);
		fa->questions++;
		if (!e)
			return DNSVET_ERR_NOMEM;
		if (q->target == DNSVET_RULES_TO_AUTH)
			for (size_t k = 0; k < dnsvet_node_size(servers); k++)
				add_reply(replies_list(e, "auth"),
				          dnsvet_node_path_string(dnsvet_node_list_at(servers, k), "name"),
				          dnsvet_node_path_string(dnsvet_node_list_at(servers, k), "addr"),
				          q->name, q->type);
		if (q->target == DNSVET_RULES_TO_RESOLVERS)
			for (size_t k = 0; k < dnsvet_node_size(res); k++)
				add_reply(replies_list(e, "resolvers"), NULL,
				          dnsvet_node_path_string(dnsvet_node_list_at(res, k), "addr"),
				          q->name, q->type);
		if (q->target == DNSVET_RULES_TO_SERVERS)
			for (size_t k = 0; k < q->n_servers; k++)
				add_reply(replies_list(e, "auth"), NULL, q->servers[k], q->name, q->type);
	}
	return DNSVET_OK;
}

static void test_live_followups(void)
{
	const char *user[] = {path_of("basic")};
	dnsvet_rules *rules = load("", user, 1, NULL);
	dnsvet_rules_runner *runner = NULL;
	dnsvet_node *obs = load_obs("obs/shop.yaml"), *copy;
	fake_asker fa;
	dnsvet_rules_asker asker = {fake_ask, &fa};
	dnsvet_finding_list *live, *replay;
	char *a, *b;

	memset(&fa, 0, sizeof(fa));
	drop_answer(obs, "mail.shop.test", "MX");
	drop_answer(obs, "_dmarc.shop.test", "TXT");
	CHECK_EQ(dnsvet_rules_runner_new(rules, &runner), DNSVET_OK);
	live = run(runner, obs, &asker);
	/* round 1: t.follow and t.follow2 both ask _dmarc TXT of the authoritative servers (one
	 * question); round 2: t.follow the resolvers, t.follow2 mail MX; round 3: nothing left
	 * for t.follow's listed server (its reply is in the auth list already) */
	CHECK_EQ(fa.calls, 2);
	CHECK_EQ(fa.questions, 3);
	CHECK_STR(fa.last[0], "1 _dmarc.shop.test TXT");
	CHECK_STR(fa.last[1], "2 _dmarc.shop.test TXT");
	CHECK_STR(fa.last[2], "1 mail.shop.test MX");
	CHECK_STR(msg_of(find(live, "t.follow", NULL)),
	          "auth 2 [192.0.2.1=v=DMARC1; p=reject,192.0.2.2=v=DMARC1; p=reject] resolvers 1 "
	          "listed 2 same true");
	CHECK_STR(msg_of(find(live, "t.follow2", NULL)),
	          "mx [10 mx.192.0.2.1,10 mx.192.0.2.2] dmarc 2");
	CHECK(rule_error(live, NULL) == NULL);

	/* what the asker recorded replays to the same findings without asking */
	copy = dnsvet_node_copy(obs);
	memset(&fa, 0, sizeof(fa));
	replay = run(runner, copy, NULL);
	a = findings_json(live);
	b = findings_json(replay);
	CHECK_STR(a, b);
	CHECK_EQ(fa.calls, 0);
	free(a);
	free(b);
	dnsvet_finding_list_free(live);
	dnsvet_finding_list_free(replay);
	dnsvet_node_free(copy);

	/* the stepwise form hands out the same first question and can be abandoned */
	{
		const dnsvet_rules_question *qs;
		size_t n;
		dnsvet_finding_list *out = NULL;
		dnsvet_node *o2 = load_obs("obs/shop.yaml");

		drop_answer(o2, "_dmarc.shop.test", "TXT");
		CHECK_EQ(dnsvet_rules_begin(runner, o2, 1), DNSVET_OK);
		CHECK_EQ(dnsvet_rules_begin(runner, o2, 1), DNSVET_ERR_STATE);
		CHECK_EQ(dnsvet_rules_step(runner, &qs, &n), DNSVET_OK);
		CHECK_EQ(n, 1);
		if (n == 1) {
			CHECK_STR(qs[0].name, "_dmarc.shop.test");
			CHECK_STR(qs[0].type, "TXT");
			CHECK_EQ(qs[0].target, DNSVET_RULES_TO_AUTH);
		}
		/* ending without answering: the waiting rules say so */
		CHECK_EQ(dnsvet_rules_end(runner, &out), DNSVET_OK);
		CHECK_CONTAINS(msg_of(rule_error(out, "t.follow")), "before its follow-up question was answered");
		CHECK(find(out, "t.report", NULL) != NULL);
		dnsvet_finding_list_free(out);
		dnsvet_node_free(o2);
	}
	dnsvet_node_free(obs);
	dnsvet_rules_runner_free(runner);
	dnsvet_rules_free(rules);
}

/* ------------------------------------------------------------------ */

static void test_user_override(void)
{
	const char *user[] = {path_of("user")};
	dnsvet_rules *rules = load(path_of("basic"), user, 1, NULL);
	dnsvet_rules_runner *runner = NULL;
	dnsvet_node *obs = load_obs("obs/shop.yaml");
	const dnsvet_rule *q;
	dnsvet_finding_list *l;

	CHECK_EQ(dnsvet_rules_count(rules), 6);
	CHECK_EQ(dnsvet_rules_problem_count(rules), 0);
	CHECK_EQ(dnsvet_rules_notice_count(rules), 1);
	CHECK_CONTAINS(dnsvet_rules_notice_at(rules, 0), "user rule ");
	CHECK_CONTAINS(dnsvet_rules_notice_at(rules, 0), "user/t/quiet.lua replaces built-in t.quiet (");
	CHECK_CONTAINS(dnsvet_rules_notice_at(rules, 0), "basic/t/quiet.lua)");
	q = dnsvet_rules_find(rules, "t.quiet");
	CHECK(q && !dnsvet_rule_is_builtin(q));
	CHECK_STR(dnsvet_rule_title(q), "Replaced catch-all");
	CHECK_CONTAINS(dnsvet_rule_file(q), "user/t/quiet.lua");
	CHECK(dnsvet_rule_is_builtin(dnsvet_rules_find(rules, "t.report")));
	CHECK(!dnsvet_rule_is_builtin(dnsvet_rules_find(rules, "t.extra")));
	/* the replacement's order (default 50) places it, not the built-in's 90 */
	CHECK_EQ(dnsvet_rule_order(q), 50);
	CHECK_EQ(dnsvet_rules_runner_new(rules, &runner), DNSVET_OK);
	l = run(runner, obs, NULL);
	CHECK_STR(msg_of(find(l, "t.quiet", NULL)), "user version");
	CHECK(find(l, "t.quiet", "tok1._domainkey.shop.test") == NULL);
	CHECK(find(l, "t.report", NULL) != NULL);
	dnsvet_finding_list_free(l);
	dnsvet_rules_runner_free(runner);
	dnsvet_rules_free(rules);
	dnsvet_node_free(obs);

	/* a missing user directory is an error naming it */
	{
		const char *missing[] = {path_of("no-such-dir")};
		dnsvet_rules_opts o;
		dnsvet_rules *r = NULL;
		char err[512];

		dnsvet_rules_opts_default(&o);
		o.builtin_dir = "";
		o.user_dirs = missing;
		o.n_user_dirs = 1;
		CHECK_EQ(dnsvet_rules_load(&o, &r, err, sizeof(err)), DNSVET_ERR_NOT_FOUND);
		CHECK(r == NULL);
		CHECK_CONTAINS(err, "no-such-dir: no such rules directory");
	}
}

/* ------------------------------------------------------------------ */

static void selected(dnsvet_rules *rules, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < dnsvet_rules_count(rules); i++) {
		const dnsvet_rule *r = dnsvet_rules_at(rules, i);

		if (!dnsvet_rule_is_selected(r))
			continue;
		if (buf[0])
			strncat(buf, " ", len - strlen(buf) - 1);
		strncat(buf, dnsvet_rule_id(r), len - strlen(buf) - 1);
	}
}

static void check_select(dnsvet_rules *rules, const char *expr, const char *want)
{
	char err[256], got[512];

	if (dnsvet_rules_select(rules, expr, err, sizeof(err)) != DNSVET_OK) {
		fprintf(stderr, "select '%s': %s\n", expr, err);
		t_failures++;
		return;
	}
	selected(rules, got, sizeof(got));
	t_checks++;
	if (strcmp(got, want) != 0) {
		t_failures++;
		fprintf(stderr, "select '%s': got [%s], want [%s]\n", expr, got, want);
	}
}

static void check_select_error(dnsvet_rules *rules, const char *expr, const char *want_err)
{
	char err[256], before[512], after[512];

	selected(rules, before, sizeof(before));
	CHECK_EQ(dnsvet_rules_select(rules, expr, err, sizeof(err)), DNSVET_ERR_PARSE);
	CHECK_STR(err, want_err);
	selected(rules, after, sizeof(after));
	CHECK_STR(after, before);
}

static void test_select(void)
{
	const char *user[] = {path_of("basic")};
	dnsvet_rules *rules = load("", user, 1, NULL);
	dnsvet_rules_runner *runner = NULL;
	dnsvet_node *obs = load_obs("obs/shop.yaml");
	dnsvet_finding_list *l;
	const char *all = "t.report t.follow t.follow2 t.data t.quiet";

	/* tags: report {ses,dkim,test} follow {followup,dmarc} follow2 {followup}
	 * data {helpers} quiet {ses,catchall} */
	check_select(rules, "followup", "t.follow t.follow2");
	check_select(rules, "all", all);
	check_select(rules, "", all);
	check_select(rules, NULL, all);
	check_select(rules, "ses and not dkim", "t.quiet");
	check_select(rules, "not ses and not followup", "t.data");
	check_select(rules, "not (followup or ses)", "t.data");
	check_select(rules, "t.f*", "t.follow t.follow2");
	check_select(rules, "*.report or catchall", "t.report t.quiet");
	check_select(rules, "followup, helpers", "t.follow t.follow2 t.data");
	check_select(rules, "(dmarc or helpers) and not t.data", "t.follow");
	/* "not" binds tighter than "and", "and" tighter than "or" */
	check_select(rules, "helpers or ses and dkim", "t.report t.data");
	check_select(rules, "(helpers or ses) and dkim", "t.report");
	check_select(rules, "not followup and ses", "t.report t.quiet");
	check_select(rules, "t.follow?", "t.follow2");
	check_select(rules, "t.[dq]*", "t.data t.quiet");
	check_select(rules, "t.data or t.data", "t.data");

	check_select(rules, "followup", "t.follow t.follow2");
	check_select_error(rules, "ses and", "column 8: expected a rule id, id glob, tag, 'all', "
	                   "'not' or '(', found the end");
	check_select_error(rules, "(ses or dkim", "column 13: expected ')' to close the '(' of "
	                   "column 1, found the end");
	check_select_error(rules, "ses dkim", "column 5: expected 'and', 'or' or the end, found 'dkim'");
	check_select_error(rules, "ses )", "column 5: expected 'and', 'or' or the end, found ')'");
	check_select_error(rules, "ses & dkim", "column 5: unexpected character '&'");
	check_select_error(rules, "nope", "column 1: 'nope' matches no rule id and no tag");
	check_select_error(rules, "ses and not x.*", "column 13: 'x.*' matches no rule id and no tag");
	check_select_error(rules, "not", "column 4: expected a rule id, id glob, tag, 'all', 'not' "
	                   "or '(', found the end");
	check_select_error(rules, "()", "column 2: expected a rule id, id glob, tag, 'all', 'not' "
	                   "or '(', found ')'");
	check_select_error(rules, "   ", "column 1: empty selection");

	/* a runner takes the rules selected when it is made */
	CHECK_EQ(dnsvet_rules_selected_count(rules), 2);
	CHECK_EQ(dnsvet_rules_runner_new(rules, &runner), DNSVET_OK);
	check_select(rules, "all", all);
	l = run(runner, obs, NULL);
	CHECK_EQ(dnsvet_finding_list_count(l), 2);
	CHECK(find(l, "t.follow", NULL) && find(l, "t.follow2", NULL));
	dnsvet_finding_list_free(l);
	dnsvet_rules_runner_free(runner);
	dnsvet_rules_free(rules);
	dnsvet_node_free(obs);
}

/* ------------------------------------------------------------------ */

static const char *problem_about(dnsvet_rules *rules, const char *file)
{
	for (size_t i = 0; i < dnsvet_rules_problem_count(rules); i++)
		if (strstr(dnsvet_rules_problem_at(rules, i), file))
			return dnsvet_rules_problem_at(rules, i);
	return NULL;
}

static void test_broken(void)
{
	const char *user[] = {path_of("broken")};
	dnsvet_rules_opts o;
	dnsvet_rules *rules;
	char want[1024];

	dnsvet_rules_opts_default(&o);
	/* an endless loop at load time meets the load budget, however large */
	o.load_budget = 5000000;
	rules = load("", user, 1, &o);
	CHECK_EQ(dnsvet_rules_count(rules), 1);
	CHECK_STR(dnsvet_rule_id(dnsvet_rules_at(rules, 0)), "b.ok");
	CHECK_EQ(dnsvet_rules_problem_count(rules), 9);
	snprintf(want, sizeof(want), "%s/Bad/x.lua: a rule file is rules/<area>/<name>.lua", user[0]);
	CHECK_CONTAINS(problem_about(rules, "Bad/x.lua"), want);
	snprintf(want, sizeof(want), "%s/b/bad_severity.lua: field 'severity': expected one of "
	         "error, warning, notice, info, got 'fatal'", user[0]);
	CHECK_STR(problem_about(rules, "bad_severity.lua"), want);
	snprintf(want, sizeof(want), "%s/b/loop_at_load.lua: instruction budget exceeded while "
	         "loading", user[0]);
	CHECK_STR(problem_about(rules, "loop_at_load.lua"), want);
	snprintf(want, sizeof(want), "%s/b/bomb_at_load.lua: memory cap exceeded while loading",
	         user[0]);
	CHECK_STR(problem_about(rules, "bomb_at_load.lua"), want);
	CHECK_CONTAINS(problem_about(rules, "no_table.lua"), "no_table.lua: the file must return "
	               "one table (it returned 1 value: a number)");
	CHECK_CONTAINS(problem_about(rules, "syntax.lua"), "b/syntax.lua:1: '}' expected near 'severity'");
	CHECK_CONTAINS(problem_about(rules, "tags_type.lua"), "tags_type.lua: field 'tags': expected "
	               "a list of strings, got a string");
	snprintf(want, sizeof(want), "%s/b/unknown_key.lua: unknown field 'chekc' (fields: id, title, "
	         "severity, tags, summary, fix, references, order, doc, probes, check)", user[0]);
	CHECK_STR(problem_about(rules, "unknown_key.lua"), want);
	CHECK_CONTAINS(problem_about(rules, "wrong_id.lua"), "wrong_id.lua: field 'id': 'b.other' "
	               "does not match the file's place");
	dnsvet_rules_free(rules);
}

/* ------------------------------------------------------------------ */

typedef struct escape_case {
	const char *id;
	const char *reason;
} escape_case;

static const escape_case escapes[] = {
	{"e.io", "attempt to index a nil value (global 'io')"},
	{"e.execute", "attempt to call a nil value (field 'execute')"},
	{"e.require", "attempt to call a nil value (global 'require')"},
	{"e.binary", "attempt to load a binary chunk"},
	{"e.dump", "attempt to call a nil value (local 'd')"},
	{"e.bomb", "stopped: memory cap exceeded"},
	{"e.grow", "stopped: memory cap exceeded"},
	{"e.pcall_bomb", "stopped: memory cap exceeded"},
	{"e.loop", "stopped: instruction budget exceeded"},
	{"e.pcall_loop", "stopped: instruction budget exceeded"},
	{"e.queries", "stopped: query budget exceeded"},
	{"e.meta_env", "cannot change a protected metatable"},
	{"e.meta_set", "cannot change a protected metatable"},
	{"e.meta_get", "attempt to call a nil value (global 'getmetatable')"},
	{"e.meta_rawset", "attempt to call a nil value (global 'rawset')"},
	{"e.meta_global", "attempt to modify a read-only table"},
	{"e.meta_string", "attempt to modify a read-only table"},
	{"e.meta_write", "attempt to modify a read-only table"},
	{"e.report_subject", "malformed report: 'subject' must be a table"},
	{"e.report_var", "malformed report: the fix template's placeholder {zone} has no value"},
	{"e.report_field", "malformed report: unknown field 'mesage'"},
};

/* Every escape attempt is stopped and reported, naming the rule, its file and the reason;
 * nothing a rule meant to do after the attempt happened. */
static void check_escapes(const dnsvet_finding_list *l, const char *domain, const char *co_error,
                          const char *yields)
{
	char want[512];

	for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		const dnsvet_finding *f = rule_error(l, escapes[i].id);
		const dnsvet_node *ev = f ? dnsvet_finding_evidence(f) : NULL;

		if (!f) {
			fprintf(stderr, "%s: no engine.rule_error for %s\n", domain, escapes[i].id);
			t_failures++;
			continue;
		}
		snprintf(want, sizeof(want), "Rule %s (", escapes[i].id);
		CHECK_CONTAINS(dnsvet_finding_message(f), want);
		CHECK_CONTAINS(dnsvet_finding_message(f), escapes[i].reason);
		snprintf(want, sizeof(want), "escape/e/%s.lua", escapes[i].id + 2);
		CHECK_CONTAINS(dnsvet_node_path_string(dnsvet_node_list_at(ev, 0), "file"), want);
		CHECK_STR(dnsvet_node_path_string(dnsvet_node_list_at(ev, 0), "rule"), escapes[i].id);
		CHECK(dnsvet_node_int(dnsvet_node_path(dnsvet_node_list_at(ev, 0), "line"), 0) >= 9);
		CHECK_EQ(dnsvet_finding_severity(f), DNSVET_SEVERITY_ERROR);
		CHECK_CONTAINS(dnsvet_finding_fix(f), "This is a fault in the rule");
	}
	CHECK_CONTAINS(msg_of(rule_error(l, "e.co_error")), co_error);
	CHECK_CONTAINS(msg_of(rule_error(l, "e.yields")), yields);
	for (size_t i = 0; i < dnsvet_finding_list_count(l); i++)
		CHECK(strstr(dnsvet_finding_message(dnsvet_finding_list_at(l, i)), "ESCAPED") == NULL);
	/* the well-behaved rule after them all still ran */
	CHECK_STR(msg_of(find(l, "e.good", domain)), "good ran ABC");
}

static void test_escapes(void)
{
	const char *user[] = {path_of("escape")};
	dnsvet_rules *rules = load("", user, 1, NULL);
	dnsvet_rules_runner *runner = NULL;
	dnsvet_node *shop = load_obs("obs/shop.yaml"), *other = load_obs("obs/other.yaml");
	dnsvet_finding_list *l;
	fake_asker fa;
	dnsvet_rules_asker asker = {fake_ask, &fa};

	unlink("/tmp/dnsvet-escaped");
	CHECK_EQ(dnsvet_rules_problem_count(rules), 0);
	CHECK_EQ(dnsvet_rules_runner_new(rules, &runner), DNSVET_OK);

	/* replay: co_error's question is recorded, so it reaches its error() */
	l = run(runner, shop, NULL);
	check_escapes(l, "shop.test", "co_error.lua:10: boom after the yield",
	              "the recording has no answer to n1.shop.test A from the resolvers");
	CHECK_STR(msg_of(find(l, "e.stash", "shop.test")), "stashed");
	CHECK_CONTAINS(msg_of(find(l, "e.stash_open", "shop.test")), "stashed ");
	dnsvet_finding_list_free(l);

	/* the next domain runs fine, and a view kept from the previous one is refused */
	l = run(runner, other, NULL);
	check_escapes(l, "other.test", "co_error.lua:10: boom after the yield",
	              "the recording has no answer to n1.other.test A from the resolvers");
	CHECK_CONTAINS(msg_of(rule_error(l, "e.stash")), "a table of an earlier domain's "
	               "observations was kept");
	/* opened in its domain, it is refused all the same (its metatable went to the next
	 * domain's views) */
	CHECK_CONTAINS(msg_of(rule_error(l, "e.stash_open")), "a table of an earlier domain's "
	               "observations was kept");
	dnsvet_finding_list_free(l);

	/* live: co_error really yields before its error; yields keeps asking new questions
	 * until the round limit stops it */
	memset(&fa, 0, sizeof(fa));
	drop_answer(shop, "_dmarc.shop.test", "TXT");
	l = run(runner, shop, &asker);
	check_escapes(l, "shop.test", "co_error.lua:10: boom after the yield",
	              "too many rounds of follow-up questions");
	CHECK_EQ(fa.calls, 8);
	dnsvet_finding_list_free(l);

	/* and the runner is still good for a well-behaved run */
	l = run(runner, other, NULL);
	CHECK_STR(msg_of(find(l, "e.good", "other.test")), "good ran ABC");
	dnsvet_finding_list_free(l);

	CHECK(access("/tmp/dnsvet-escaped", F_OK) != 0);
	dnsvet_node_free(shop);
	dnsvet_node_free(other);
	dnsvet_rules_runner_free(runner);
	dnsvet_rules_free(rules);
}

/* ------------------------------------------------------------------ */

/* ctx:rrs: which replies each side keeps, owner and type filters, one shared read-only list
 * per question, the reply tables ctx:answers gives, errors for a bad side or type; fix
 * templates: placeholders, doubled braces, braces kept as written; ctx:query with a list:
 * one round for all, the recorded ones not asked again, answers in order; dnsvet.lib. */
static void test_rrs(void)
{
	const char *user[] = {path_of("api")};
	dnsvet_rules *rules = load("", user, 1, NULL);
	dnsvet_rules_runner *runner = NULL;
	dnsvet_node *obs = load_obs("obs/rrs.yaml");
	dnsvet_finding_list *l;
	fake_asker fa;
	dnsvet_rules_asker asker = {fake_ask, &fa};

	CHECK_EQ(dnsvet_rules_problem_count(rules), 0);
	CHECK_EQ(dnsvet_rules_runner_new(rules, &runner), DNSVET_OK);
	l = run(runner, obs, NULL);
	CHECK(rule_error(l, "a.rrs") == NULL);
	CHECK_STR(msg_of(find(l, "a.rrs", NULL)),
	          "auth=CNAME relay.other.test@192.0.2.1,"
	          "MX feedback-smtp.us-east-1.amazonses.com@192.0.2.2,MX backup.rrs.test@192.0.2.2,"
	          "MX old.rrs.test@192.0.2.3,MX cached.rrs.test@192.0.2.1,MX broken.rrs.test@192.0.2.2\n"
	          "own=CNAME relay.other.test@192.0.2.1,"
	          "MX feedback-smtp.us-east-1.amazonses.com@192.0.2.2,MX backup.rrs.test@192.0.2.2\n"
	          "own_mx=MX feedback-smtp.us-east-1.amazonses.com@192.0.2.2,MX backup.rrs.test@192.0.2.2\n"
	          "own_cname=CNAME relay.other.test@192.0.2.1\n"
	          "resolvers=MX feedback-smtp.us-east-1.amazonses.com@192.0.2.100\n"
	          "target=\n"
	          "unasked=\n"
	          "same=true\n"
	          "reply=true\n"
	          "rr=true\n"
	          "write=false\n"
	          "write_item=false\n"
	          "pairs_item=rr:true,reply:true;nil\n"
	          "bad_side=false\n"
	          "bad_type=false\n"
	          "authoritative=2 192.0.2.1 true true true\n"
	          "auth_unasked=nil mail.rrs.test TXT was not asked of the servers of rrs.test\n"
	          "auth_nozone=no zone holding x.example was found\n"
	          "auth_not_ctx=false\n"
	          "auth_bad_type=false");
	/* replay: the questions not in the recording stop the rule, naming the first */
	CHECK_CONTAINS(msg_of(rule_error(l, "a.batch")),
	               "the recording has no answer to x.mail.rrs.test MX from the authoritative");
	/* dnsvet.lib: one run per state, shared read-only, the rules' restrictions, errors named */
	{
		const char *m = msg_of(find(l, "a.lib", NULL));

		CHECK(rule_error(l, "a.lib") == NULL);
		CHECK_CONTAINS(m, "same=true runs=1 twice=42\nwrite=false\nescape=falsefalsefalse\n");
		CHECK_CONTAINS(m, "\nmissing=no module nothere.lua in any rules directory's lib/\n");
		CHECK_CONTAINS(m, "\nname=bad argument #1");
		CHECK_CONTAINS(m, "\nbroken=broken on purpose\nbroken_again=broken on purpose\n");
		CHECK_CONTAINS(m, "\nselfish=dnsvet.lib('selfish'): the module asks for itself");
		CHECK_CONTAINS(m, "api/lib/notable.lua must return one table");
	}
	CHECK_STR(dnsvet_finding_fix(find(l, "a.template", NULL)),
	          "Set {\"name\": \"mail\"} in rrs.test; keep {this, a lone } and {x-y} as written; "
	          "a, b, 3.");
	dnsvet_finding_list_free(l);

	/* live: the two missing questions go out together, in one round, the recorded one not */
	memset(&fa, 0, sizeof(fa));
	l = run(runner, obs, &asker);
	CHECK_EQ(fa.calls, 1);
	CHECK_EQ(fa.questions, 2);
	CHECK_STR(fa.last[0], "1 x.mail.rrs.test MX");
	CHECK_STR(fa.last[1], "1 y.mail.rrs.test MX");
	CHECK(rule_error(l, "a.batch") == NULL);
	CHECK_STR(msg_of(find(l, "a.batch", NULL)),
	          "3 mail.rrs.test/MX/6 x.mail.rrs.test/MX/2 y.mail.rrs.test/MX/2 true false false");
	dnsvet_finding_list_free(l);
	dnsvet_node_free(obs);
	dnsvet_rules_runner_free(runner);
	dnsvet_rules_free(rules);
}

/* ------------------------------------------------------------------ */

/* The built-in catalogue over every built-in fixture's observations, twice with one runner
 * (second pass in reverse order) and once with a fresh runner: the same findings in the
 * same order each time. */
static void test_determinism(void)
{
	dnsvet_rules *rules = load(builtin_root, NULL, 0, NULL);
	dnsvet_rules_runner *r1 = NULL, *r2 = NULL;
	char **paths = NULL;
	size_t n = 0, nonempty = 0;
	char **first;

	CHECK(dnsvet_rules_count(rules) >= 30);
	CHECK_EQ(dnsvet_rules_runner_new(rules, &r1), DNSVET_OK);
	CHECK_EQ(dnsvet_rules_runner_new(rules, &r2), DNSVET_OK);
	CHECK_EQ(dnsvet_rules_fixture_paths(builtin_root, &paths, &n), DNSVET_OK);
	CHECK(n >= 50);
	first = calloc(n ? n : 1, sizeof(*first));
	for (size_t pass = 0; pass < 3; pass++) {
		for (size_t k = 0; k < n; k++) {
			size_t i = pass == 1 ? n - 1 - k : k;
			dnsvet_node *doc = NULL, *obs;
			dnsvet_node_error err;
			dnsvet_finding_list *l;
			char *js;

			if (dnsvet_node_load_yaml_file(paths[i], &doc, &err) != DNSVET_OK)
				continue;
			obs = dnsvet_node_map_get(doc, "observations");
			if (!dnsvet_node_map_get(obs, "started"))
				dnsvet_node_map_set_int(obs, "started", 0);
			l = run(pass == 2 ? r2 : r1, obs, NULL);
			js = findings_json(l);
			if (pass == 0) {
				first[i] = js;
				nonempty += dnsvet_finding_list_count(l) > 0;
			} else {
				if (!first[i] || !js || strcmp(first[i], js) != 0) {
					fprintf(stderr, "%s: findings differ between runs\n", paths[i]);
					t_failures++;
				}
				t_checks++;
				free(js);
			}
			dnsvet_finding_list_free(l);
			dnsvet_node_free(doc);
		}
	}
	/* the comparison is about real findings, not empty lists */
	CHECK(nonempty >= n / 2);
	for (size_t i = 0; i < n; i++)
		free(first[i]);
	free(first);
	dnsvet_rules_fixture_paths_free(paths, n);
	dnsvet_rules_runner_free(r1);
	dnsvet_rules_runner_free(r2);
	dnsvet_rules_free(rules);
}

/* One runner compiles its rules once and keeps them for every domain; a new runner starts
 * afresh. */
static void test_compiled_once(void)
{
	const char *user[] = {path_of("state")};
	dnsvet_rules *rules = load("", user, 1, NULL);
	dnsvet_rules_runner *r1 = NULL, *r2 = NULL;
	dnsvet_node *obs = load_obs("obs/shop.yaml");
	dnsvet_finding_list *l;
	char want[32];

	CHECK_EQ(dnsvet_rules_runner_new(rules, &r1), DNSVET_OK);
	for (int i = 1; i <= 3; i++) {
		l = run(r1, obs, NULL);
		snprintf(want, sizeof(want), "run %d", i);
		CHECK_STR(msg_of(find(l, "t.count", NULL)), want);
		dnsvet_finding_list_free(l);
	}
	CHECK_EQ(dnsvet_rules_runner_new(rules, &r2), DNSVET_OK);
	l = run(r2, obs, NULL);
	CHECK_STR(msg_of(find(l, "t.count", NULL)), "run 1");
	dnsvet_finding_list_free(l);
	dnsvet_rules_runner_free(r1);
	dnsvet_rules_runner_free(r2);
	dnsvet_node_free(obs);
	dnsvet_rules_free(rules);
}

/* ------------------------------------------------------------------ */

/* rr_name_normalize as it was before its fast path: byte by byte through tolower(). */
static char *normalize_ref(const char *in, size_t len, char *out, size_t outlen)
{
	size_t n = len;

	if (n > 1 && in[n - 1] == '.') {
		size_t bs = 0;

		while (bs + 1 < n && in[n - 2 - bs] == '\\')
			bs++;
		if (bs % 2 == 0)
			n--;
	}
	if (n + 1 > outlen)
		return NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[n] = '\0';
	return out;
}

static void check_normalize(const char *in, size_t len, size_t outlen)
{
	char a[64], b[64], *ra, *rb;

	memset(a, '#', sizeof(a));
	memset(b, '#', sizeof(b));
	ra = rr_name_normalize(in, len, a, outlen);
	rb = normalize_ref(in, len, b, outlen);
	CHECK((ra == NULL) == (rb == NULL));
	CHECK(memcmp(a, b, sizeof(a)) == 0);
}

/* The runner's index of the answers entries finds what the linear search of
 * dnsvet_rules_answers_entry finds, for every spelling of the names and types. */
static void test_answers_index(void)
{
	static const char *const names[] = {
		"mail.shop.test", "Mail.Shop.Test.", "MAIL.SHOP.TEST", "a.", "A", ".", "", "x\\.y",
		"X\\.Y.", "x\\.", "long-label-number-one.Another-Long-Label.example.COM",
		"long-label-number-one.another-long-label.example.com.", "caf\xc3\xa9.test",
		"CAF\xc3\xa9.test", "12345678", "1234567", "123456789.", "_dmarc.shop.test",
	};
	static const char *const types[] = {"TXT", "txt", "Txt", "MX", "A", "NSEC3PARAM", "nsec3param"};
	dnsvet_node *obs = dnsvet_node_new_map();
	dnsvet_rules_runner r;

	memset(&r, 0, sizeof(r));
	r.obs = obs;
	/* every other name gets an entry, the same name and type sometimes twice */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i += 2)
		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t += 3) {
			dnsvet_node *e = dnsvet_node_new_map();
			dnsvet_node *answers = dnsvet_node_map_get(obs, "answers");

			if (!answers) {
				answers = dnsvet_node_new_list();
				dnsvet_node_map_set(obs, "answers", answers);
			}
			dnsvet_node_map_set_string(e, "name", names[i]);
			dnsvet_node_map_set_string(e, "type", types[t]);
			dnsvet_node_list_append(answers, e);
			if (i % 4 == 0)
				dnsvet_node_list_append(answers, dnsvet_node_copy(e));
		}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
			CHECK(rules_answers_find(&r, names[i], types[t]) ==
			      dnsvet_rules_answers_entry(obs, names[i], types[t], 0));
	free(r.ans_idx);
	dnsvet_node_free(obs);
}

/* An RR's owner is compared as rr_name_normalize would write it, whether the name is spelt
 * as asked (the shortcut) or not. */
static void test_owned_by(void)
{
	static const struct {
		const char *rr, *name, *type;
		int owned;
	} cases[] = {
		{"mail.test. 300 IN MX 10 x.", "mail.test", "MX", 1},
		{"mail.test 300 IN MX 10 x.", "mail.test", "MX", 1},
		{"MAIL.Test. 300 IN mx 10 x.", "mail.test", "MX", 1},
		{"mail.test. 300 IN MX 10 x.", "mail.test", "TXT", 0},
		{"mail.test. 300 IN MX 10 x.", "mail.test", NULL, 1},
		{"mail.test.. 300 IN MX 10 x.", "mail.test", "MX", 0},
		{"mail.tests. 300 IN MX 10 x.", "mail.test", "MX", 0},
		{"mail.test.(300 IN MX 10 x.)", "mail.test", "MX", 1},
		{"mail.test\\. 300 IN MX 10 x.", "mail.test", "MX", 0},
		{"a\\. 300 IN A 192.0.2.1", "a\\.", "A", 1},
		{"a\\ b. IN A 192.0.2.1", "a\\ b", "A", 1},
		{"a b. IN A 192.0.2.1", "a b", "A", 0},
		{"\"q\" IN A 192.0.2.1", "q", "A", 1},
		{". 300 IN NS a.root.", ".", "NS", 1},
		{".. 300 IN NS a.root.", ".", "NS", 1},
		{"x. MX 10 y.", "x", "MX", 1},
		{"x. 300 MX 10 y.", "x", "MX", 1},
		{"x. IN 300 MX 10 y.", "x", "MX", 1},
		{"x. 300 IN", "x", NULL, 0},
		{"x.", "x", NULL, 0},
		{"x. 300 IN ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG rdata", "x", NULL, 0},
		{"x. 300 IN TYPE65534 \\# 0", "x", "TYPE65534", 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (rr_owned_by(cases[i].rr, strlen(cases[i].rr), cases[i].name, cases[i].type) !=
		    cases[i].owned)
			CHECK_STR(cases[i].rr, "(owner or type told wrong)");
}

/* Name and type parsing take shortcuts for the common case (names already in lower case,
 * the usual types): every input must give what the general path gives. */
static void test_fast_paths(void)
{
	static const char *const names[] = {
		"", ".", "..", "a.", "a\\.", "a\\\\.", "a\\\\\\.", "Mail.RRS.test.", "mail.rrs.test",
		"abcdefgh", "abcdefgH", "abcdefghI", "abcdefghijklmnoP.", "@[`{AZaz", "\\065BC.",
		"_dmarc.Example.COM", "x\\.y.", "caf\xc3\xa9.example", "\xff\x80\x7f.", "ZZZZZZZZZZZZZZZZ",
	};
	static const char alphabet[] = "0-_@AZ[`az{.\\\x7f\x80\xc0\xff";
	static const char *const common[] = {
		"TXT", "CNAME", "MX", "NS", "SOA", "A", "AAAA", "CAA", "PTR", "SRV", "SPF", "DS",
		"DNSKEY", "RRSIG", "NSEC", "NSEC3", "HTTPS", "SVCB", "TLSA", "DNAME", "ANY"
	};
	unsigned seed = 7;
	size_t found = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (size_t outlen = 1; outlen <= 20; outlen++)
			check_normalize(names[i], strlen(names[i]), outlen);
	check_normalize("a\0B", 3, 64);
	for (int k = 0; k < 20000; k++) {
		char in[40];
		size_t len;

		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % sizeof(in);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		check_normalize(in, len, 64);
	}

	/* whatever the shortcut accepts, ldns knows */
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		CHECK(rr_type_common(common[i]));
		CHECK(ldns_get_rr_type_by_name(common[i]) != 0);
	}
	for (unsigned t = 0; t < 65536; t++) {
		const ldns_rr_descriptor *d = ldns_rr_descript((uint16_t)t);
		const char *name = d ? d->_name : NULL;
		char buf[32];
		size_t n;

		if (!name || d->_type != t || (n = strlen(name)) + 2 > sizeof(buf))
			continue;
		found += (size_t)rr_type_common(name);
		memcpy(buf, name, n + 1);
		buf[n - 1] = '\0';
		CHECK(!rr_type_common(buf) || ldns_get_rr_type_by_name(buf) != 0);
		memcpy(buf, name, n);
		memcpy(buf + n, "X", 2);
		CHECK(!rr_type_common(buf) || ldns_get_rr_type_by_name(buf) != 0);
	}
	/* the table names no type ldns lacks ("ANY" is a query type, not in the descriptors) */
	CHECK_EQ(found + 1, sizeof(common) / sizeof(common[0]));
	for (unsigned k = 0; k < 37u * 37u * 37u; k++) {
		static const char chars[] = "\0ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
		char buf[4] = {chars[k % 37], chars[k / 37 % 37], chars[k / 37 / 37], '\0'};

		CHECK(!rr_type_common(buf) || ldns_get_rr_type_by_name(buf) != 0);
	}
	CHECK(!rr_type_common("txt"));
	CHECK(!rr_type_common(""));
	test_answers_index();
	test_owned_by();
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test_rules TESTS/UNIT/RULES BUILTIN-RULES\n");
		return 2;
	}
	dir_root = argv[1];
	builtin_root = argv[2];
	test_basic_replay();
	test_probes();
	test_live_followups();
	test_user_override();
	test_select();
	test_broken();
	test_escapes();
	test_rrs();
	test_determinism();
	test_compiled_once();
	test_fast_paths();
	return t_finish("test_rules");
}
