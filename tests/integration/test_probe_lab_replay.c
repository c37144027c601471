/*
 * Record, then replay, against the lab (tests/lab/labrun -s healthy -s secondary-stale
 * -s lame -- test_probe_lab_replay): each domain is probed with the rules' own
 * questions, the rules run live (follow-ups asked through dnsvet_probe_followup), the
 * observation set is saved as YAML and loaded back. The reloaded set must emit
 * byte-identical YAML, and a replay run of the rules over it must give exactly the
 * findings of the live run.
 */
#include "test_probe_lab_util.h"

#include <unistd.h>

#include <dnsvet/finding.h>
#include <dnsvet/rules.h>

typedef struct target {
	const char *domain;
	const char *tokens[3];
	const char *region;
	const char *mail_from;
	const char *rule_fired;         /* a rule that must report on this domain, or NULL */
} target;

static const target targets[] = {
	{"healthy-shop.com",
	 {"xu7wq45c257az4iapfcri5eysanb6cei", "haf3bdhvfzyxy4nicfwiqmbtsybz42h7",
	  "jyv5a33cls4xe666fysejgcj336txro4"},
	 "us-east-1", "mail.healthy-shop.com", NULL},
	{"northwind-books.com",
	 {"z7cwnecfjfo6xtbjvz5mivqnqcerndhs", "2td4vurb73xjofzsaawwpzo7virhft3m",
	  "pf7fipqsc6jpiccexrdz6dkz4ru2zioe"},
	 "us-east-1", "mail.northwind-books.com", "auth.inconsistent"},
	{"lame-bakery.com",
	 {"ghhp22uqjklxlslzh6tdnlxcakiixl4z", "zhjbbwwgzutdyngz34tkxlpnsiee3nh7",
	  "7vnc5tvcsgblhmxetasziqqou4lmxwkk"},
	 "eu-west-1", "mail.lame-bakery.com", "delegation.lame"},
};

/* ------------------------------------------------------------------ */
/* Live follow-ups: the asker of the rule engine, backed by the probe   */
/* ------------------------------------------------------------------ */

typedef struct ask_state {
	lab_env *L;
	int done;
	dnsvet_status st;
	dnsvet_node *answers;
	unsigned asked;
} ask_state;

static void on_followup(dnsvet_status st, dnsvet_node *answers, void *user)
{
	ask_state *a = user;

	a->done = 1;
	a->st = st;
	a->answers = answers;
}

/* Adds what entry src holds to dst without replacing anything (the rule engine keeps
 * pointers into the tree): missing keys are copied, lists get src's items appended. */
static dnsvet_status merge_entry(dnsvet_node *dst, const dnsvet_node *src)
{
	for (size_t i = 0; i < dnsvet_node_size(src); i++) {
		const char *k = dnsvet_node_map_key_at(src, i);
		const dnsvet_node *v = dnsvet_node_map_value_at(src, i);
		dnsvet_node *have = dnsvet_node_map_get(dst, k);
		dnsvet_status st = DNSVET_OK;

		if (!have) {
			dnsvet_node *c = dnsvet_node_copy(v);
			st = c ? dnsvet_node_map_set(dst, k, c) : DNSVET_ERR_NOMEM;
		} else if (dnsvet_node_type_of(have) == DNSVET_NODE_LIST &&
		           dnsvet_node_type_of(v) == DNSVET_NODE_LIST) {
			for (size_t j = 0; j < dnsvet_node_size(v) && st == DNSVET_OK; j++) {
				dnsvet_node *c = dnsvet_node_copy(dnsvet_node_list_at(v, j));
				st = c ? dnsvet_node_list_append(have, c) : DNSVET_ERR_NOMEM;
			}
		}
		if (st != DNSVET_OK)
			return st;
	}
	return DNSVET_OK;
}

static dnsvet_status ask(void *user, dnsvet_node *obs, const dnsvet_rules_question *qs, size_t n)
{
	ask_state *a = user;
	dnsvet_probe_question *pq = calloc(n ? n : 1, sizeof(*pq));
	dnsvet_status st;

	if (!pq)
		return DNSVET_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		pq[i].name = qs[i].name;
		pq[i].type = qs[i].type;
		pq[i].target = qs[i].target;
		pq[i].servers = qs[i].servers;
		pq[i].n_servers = qs[i].n_servers;
	}
	a->done = 0;
	a->answers = NULL;
	a->asked += (unsigned)n;
	st = dnsvet_probe_followup(a->L->eng, a->L->cache, &a->L->opts, obs, pq, n, on_followup, a);
	free(pq);
	if (st != DNSVET_OK)
		return st;
	while (!a->done) {
		st = dnsvet_engine_step(a->L->eng, -1);
		if (st != DNSVET_OK)
			return st;
	}
	if (a->st != DNSVET_OK)
		return a->st;
	for (size_t i = 0; i < dnsvet_node_size(a->answers) && st == DNSVET_OK; i++) {
		const dnsvet_node *e = dnsvet_node_list_at(a->answers, i);
		dnsvet_node *dst = dnsvet_rules_answers_entry(obs, dnsvet_node_path_string(e, "name"),
		                                              dnsvet_node_path_string(e, "type"), 1);
		st = dst ? merge_entry(dst, e) : DNSVET_ERR_NOMEM;
	}
	dnsvet_node_free(a->answers);
	a->answers = NULL;
	return st;
}

/* ------------------------------------------------------------------ */

static char *findings_yaml(const dnsvet_finding_list *fl)
{
	dnsvet_node *n = NULL;
	char *y = NULL;

	if (dnsvet_finding_list_to_node(fl, &n) == DNSVET_OK)
		dnsvet_node_to_yaml(n, &y);
	dnsvet_node_free(n);
	return y;
}

static int has_rule(const dnsvet_finding_list *fl, const char *rule)
{
	for (size_t i = 0; i < dnsvet_finding_list_count(fl); i++)
		if (strcmp(dnsvet_finding_rule(dnsvet_finding_list_at(fl, i)), rule) == 0)
			return 1;
	return 0;
}

static char *read_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long len;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (len = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)len + 1)) != NULL) {
		if (fread(buf, 1, (size_t)len, fp) != (size_t)len) {
			free(buf);
			buf = NULL;
		} else {
			buf[len] = '\0';
		}
	}
	fclose(fp);
	return buf;
}

/* A replay run of the rules over a copy of obs' tree. */
static dnsvet_finding_list *replay(dnsvet_rules_runner *rr, const dnsvet_obs *obs)
{
	dnsvet_node *tree = dnsvet_node_copy(dnsvet_obs_root(obs));
	dnsvet_finding_list *fl = NULL;

	CHECK(tree != NULL);
	if (tree)
		CHECK(dnsvet_rules_run(rr, tree, NULL, &fl) == DNSVET_OK);
	dnsvet_node_free(tree);
	return fl;
}

static void run_target(lab_env *L, dnsvet_rules_runner *rr, const target *t, const char *dir)
{
	size_t n = 0;
	dnsvet_expect *e;
	dnsvet_node *en = NULL, *probes = NULL, *tree = NULL;
	dnsvet_probe_question *qs = NULL;
	dnsvet_obs *obs = NULL, *live = NULL, *loaded = NULL;
	dnsvet_finding_list *fl_live = NULL, *fl_replay = NULL, *fl_orig = NULL;
	dnsvet_probe_stats st;
	dnsvet_node_error nerr;
	ask_state as = {L, 0, DNSVET_OK, NULL, 0};
	dnsvet_rules_asker asker = {ask, &as};
	char path[1024];
	char *y_live = NULL, *y_loaded = NULL, *y_file = NULL, *f_live = NULL, *f_replay = NULL,
	     *f_orig = NULL;

	while (n < 3 && t->tokens[n])
		n++;
	e = mk_expect(t->domain, t->tokens, n, t->region, t->mail_from);
	CHECK(e != NULL);
	if (!e)
		return;
	/* the rules' own questions travel in the probe's first round */
	CHECK(dnsvet_expect_to_node(e, &en) == DNSVET_OK);
	CHECK(dnsvet_rules_probes(rr, en, &probes) == DNSVET_OK);
	qs = calloc(dnsvet_node_size(probes) + 1, sizeof(*qs));
	for (size_t i = 0; qs && i < dnsvet_node_size(probes); i++) {
		qs[i].name = dnsvet_node_path_string(dnsvet_node_list_at(probes, i), "name");
		qs[i].type = dnsvet_node_path_string(dnsvet_node_list_at(probes, i), "type");
	}
	CHECK(dnsvet_probe_run(L->eng, L->cache, &L->opts, e, qs, dnsvet_node_size(probes), &obs, &st) ==
	      DNSVET_OK);
	if (!obs)
		goto out;

	/* live: the rules' follow-ups are asked and recorded into the tree */
	tree = dnsvet_node_copy(dnsvet_obs_root(obs));
	CHECK(dnsvet_rules_run(rr, tree, &asker, &fl_live) == DNSVET_OK);
	CHECK(dnsvet_obs_from_node(tree, t->domain, &live, &nerr) == DNSVET_OK);
	tree = NULL;
	if (!live || !fl_live)
		goto out;
	CHECK(!has_rule(fl_live, "engine.rule_error"));
	if (t->rule_fired)
		CHECK(has_rule(fl_live, t->rule_fired));

	/* record, load back, emit again */
	snprintf(path, sizeof(path), "%s/%s.obs.yaml", dir, t->domain);
	CHECK(dnsvet_obs_save_yaml(live, path) == DNSVET_OK);
	if (dnsvet_obs_load_yaml(path, &loaded, &nerr) != DNSVET_OK) {
		fprintf(stderr, "%s: %s\n", path, nerr.message);
		CHECK(!"recording loads");
		goto out;
	}
	CHECK(dnsvet_obs_to_yaml(live, &y_live) == DNSVET_OK);
	CHECK(dnsvet_obs_to_yaml(loaded, &y_loaded) == DNSVET_OK);
	y_file = read_file(path);
	CHECK(y_live && y_loaded && y_file);
	CHECK(y_live && y_loaded && strcmp(y_live, y_loaded) == 0);
	CHECK(y_live && y_file && strcmp(y_live, y_file) == 0);
	CHECK(dnsvet_node_equal(dnsvet_obs_root(live), dnsvet_obs_root(loaded)));
	CHECK(dnsvet_obs_answer_count(loaded) == dnsvet_obs_answer_count(live));
	CHECK(dnsvet_obs_answer_count(loaded) > 20);
	CHECK(dnsvet_obs_find_answer(loaded, t->domain, "SOA") != NULL);

	/* replay over the recording and over the live tree: the live findings, exactly */
	fl_replay = replay(rr, loaded);
	fl_orig = replay(rr, live);
	f_live = findings_yaml(fl_live);
	f_replay = findings_yaml(fl_replay);
	f_orig = findings_yaml(fl_orig);
	CHECK(f_live && f_replay && f_orig);
	CHECK(f_live && f_replay && strcmp(f_live, f_replay) == 0);
	CHECK(f_live && f_orig && strcmp(f_live, f_orig) == 0);
	if (f_live && f_replay && strcmp(f_live, f_replay) != 0)
		fprintf(stderr, "live findings:\n%s\nreplayed:\n%s\n", f_live, f_replay);
	fprintf(stderr, "%s: %zu findings, %u follow-up questions, %zu answers recorded\n", t->domain,
	        dnsvet_finding_list_count(fl_live), as.asked, dnsvet_obs_answer_count(loaded));
	for (size_t i = 0; i < dnsvet_finding_list_count(fl_live); i++)
		fprintf(stderr, "  %s\n", dnsvet_finding_rule(dnsvet_finding_list_at(fl_live, i)));
out:
	free(y_live);
	free(y_loaded);
	free(y_file);
	free(f_live);
	free(f_replay);
	free(f_orig);
	dnsvet_finding_list_free(fl_live);
	dnsvet_finding_list_free(fl_replay);
	dnsvet_finding_list_free(fl_orig);
	dnsvet_obs_free(obs);
	dnsvet_obs_free(live);
	dnsvet_obs_free(loaded);
	dnsvet_node_free(tree);
	dnsvet_node_free(en);
	dnsvet_node_free(probes);
	free(qs);
	dnsvet_expect_free(e);
}

int main(int argc, char **argv)
{
	lab_env L;
	dnsvet_rules *rules = NULL;
	dnsvet_rules_runner *rr = NULL;
	char err[512];

	char dir[] = "/tmp/dnsvet-replay.XXXXXX";

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: test_probe_lab_replay\n");
		return 2;
	}
	if (lab_env_init(&L, 400) != 0)
		return 99;
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 99;
	}
	if (dnsvet_rules_load(NULL, &rules, err, sizeof(err)) != DNSVET_OK ||
	    dnsvet_rules_runner_new(rules, &rr) != DNSVET_OK) {
		fprintf(stderr, "rules: %s\n", err);
		return 1;
	}
	CHECK(dnsvet_rules_count(rules) > 10);
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		run_target(&L, rr, &targets[i], dir);
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s.obs.yaml", dir, targets[i].domain);
		remove(path);
	}
	rmdir(dir);
	dnsvet_rules_runner_free(rr);
	dnsvet_rules_free(rules);
	lab_env_free(&L);
	if (t_failures)
		fprintf(stderr, "%d check(s) failed\n", t_failures);
	return t_failures ? 1 : 0;
}
