/*
 * Driver for bench/probe: a full SES audit of one domain inside the lab (expected
 * records of an Easy DKIM identity with MAIL FROM, the rules' own questions in the
 * probe's first round, the rules run live with their follow-ups), twice on one engine:
 * cold (empty cache) and warm (the cache trimmed to the root and TLD entries). Prints
 * details, then as the last line:
 *   cold_rtts=N warm_rtts=N queries=N
 * rtts are the probe's sequential round trips on the critical path
 * (dnsvet_probe_stats.rtts); queries is the cold probe's query count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dnsvet/engine.h>
#include <dnsvet/expect.h>
#include <dnsvet/finding.h>
#include <dnsvet/obs.h>
#include <dnsvet/probe.h>
#include <dnsvet/rules.h>

typedef struct bench {
	dnsvet_engine *eng;
	dnsvet_probe_cache *cache;
	dnsvet_probe_opts opts;
	dnsvet_rules_runner *runner;
	/* follow-up round in progress */
	int done;
	dnsvet_status st;
	dnsvet_node *answers;
	unsigned rounds;
	unsigned asked;
} bench;

typedef struct run_result {
	dnsvet_probe_stats probe;
	double audit_ms;          /* probe and rules with their follow-ups */
	unsigned rounds;          /* follow-up rounds the rules needed */
	unsigned asked;           /* follow-up questions */
	size_t findings;
} run_result;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void on_followup(dnsvet_status st, dnsvet_node *answers, void *user)
{
	bench *b = user;

	b->done = 1;
	b->st = st;
	b->answers = answers;
}

/* Adds entry src to dst without replacing anything (the rule engine keeps pointers
 * into the tree): missing keys are copied, lists get src's items appended. */
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
	bench *b = user;
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
	b->done = 0;
	b->answers = NULL;
	b->rounds++;
	b->asked += (unsigned)n;
	st = dnsvet_probe_followup(b->eng, b->cache, &b->opts, obs, pq, n, on_followup, b);
	free(pq);
	while (st == DNSVET_OK && !b->done)
		st = dnsvet_engine_step(b->eng, -1);
	if (st == DNSVET_OK)
		st = b->st;
	for (size_t i = 0; st == DNSVET_OK && i < dnsvet_node_size(b->answers); i++) {
		const dnsvet_node *e = dnsvet_node_list_at(b->answers, i);
		dnsvet_node *dst = dnsvet_rules_answers_entry(obs, dnsvet_node_path_string(e, "name"),
		                                              dnsvet_node_path_string(e, "type"), 1);
		st = dst ? merge_entry(dst, e) : DNSVET_ERR_NOMEM;
	}
	dnsvet_node_free(b->answers);
	b->answers = NULL;
	return st;
}

static int audit(bench *b, const dnsvet_expect *e, run_result *out)
{
	dnsvet_node *en = NULL, *probes = NULL, *tree = NULL;
	dnsvet_probe_question *qs = NULL;
	dnsvet_obs *obs = NULL;
	dnsvet_finding_list *fl = NULL;
	dnsvet_rules_asker asker = {ask, b};
	size_t nq;
	dnsvet_status st;
	double t0 = now_ms();
	int rc = -1;

	memset(out, 0, sizeof(*out));
	b->rounds = b->asked = 0;
	if (dnsvet_expect_to_node(e, &en) != DNSVET_OK ||
	    dnsvet_rules_probes(b->runner, en, &probes) != DNSVET_OK)
		goto out;
	nq = dnsvet_node_size(probes);
	qs = calloc(nq + 1, sizeof(*qs));
	if (!qs)
		goto out;
	for (size_t i = 0; i < nq; i++) {
		qs[i].name = dnsvet_node_path_string(dnsvet_node_list_at(probes, i), "name");
		qs[i].type = dnsvet_node_path_string(dnsvet_node_list_at(probes, i), "type");
	}
	st = dnsvet_probe_run(b->eng, b->cache, &b->opts, e, qs, nq, &obs, &out->probe);
	if (st != DNSVET_OK) {
		fprintf(stderr, "probe: %s\n", dnsvet_status_str(st));
		goto out;
	}
	tree = dnsvet_node_copy(dnsvet_obs_root(obs));
	if (!tree || dnsvet_rules_run(b->runner, tree, &asker, &fl) != DNSVET_OK)
		goto out;
	out->audit_ms = now_ms() - t0;
	out->rounds = b->rounds;
	out->asked = b->asked;
	out->findings = dnsvet_finding_list_count(fl);
	rc = 0;
out:
	dnsvet_finding_list_free(fl);
	dnsvet_node_free(tree);
	dnsvet_obs_free(obs);
	free(qs);
	dnsvet_node_free(probes);
	dnsvet_node_free(en);
	return rc;
}

static void report(const char *what, const run_result *r)
{
	printf("%-5s probe: rtts=%u queries=%u cache_hits=%u elapsed_ms=%.0f | audit: "
	       "follow-up rounds=%u questions=%u findings=%zu elapsed_ms=%.0f\n",
	       what, r->probe.rtts, r->probe.queries, r->probe.cache_hits, r->probe.elapsed_ms,
	       r->rounds, r->asked, r->findings, r->audit_ms);
}

int main(int argc, char **argv)
{
	const char *domain = "healthy-shop.com", *mail_from = "mail.healthy-shop.com";
	const char *region = "us-east-1";
	const char *tokens[3] = {"xu7wq45c257az4iapfcri5eysanb6cei", "haf3bdhvfzyxy4nicfwiqmbtsybz42h7",
	                         "jyv5a33cls4xe666fysejgcj336txro4"};
	const char *hints = getenv("LAB_ROOT_HINTS"), *res = getenv("LAB_RESOLVERS");
	dnsvet_roothints *rh = NULL;
	dnsvet_addrlist *rl = NULL;
	dnsvet_rules *rules = NULL;
	dnsvet_expect *e = NULL;
	dnsvet_expect_error xerr;
	bench b;
	run_result cold, warm;
	char err[512];
	size_t nt = 0;
	int rc = 1;

	memset(&b, 0, sizeof(b));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
			domain = argv[++i];
		else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
			mail_from = argv[++i];
		else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
			region = argv[++i];
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc && nt < 3)
			tokens[nt++] = argv[++i];
		else {
			fprintf(stderr, "usage: probe_driver [-d DOMAIN] [-m MAIL_FROM] [-r REGION] "
			                "[-t TOKEN]...\n");
			return 2;
		}
	}
	if (!hints || !res) {
		fprintf(stderr, "probe_driver: not inside the lab (run bench/probe)\n");
		return 2;
	}
	if (dnsvet_roothints_load(hints, 53, &rh, err, sizeof(err)) != DNSVET_OK ||
	    dnsvet_resolvers_parse(res, "LAB_RESOLVERS", 53, &rl, err, sizeof(err)) != DNSVET_OK) {
		fprintf(stderr, "probe_driver: %s\n", err);
		goto out;
	}
	if (dnsvet_rules_load(NULL, &rules, err, sizeof(err)) != DNSVET_OK ||
	    dnsvet_rules_runner_new(rules, &b.runner) != DNSVET_OK) {
		fprintf(stderr, "probe_driver: rules: %s\n", err);
		goto out;
	}
	if (dnsvet_expect_new(domain, &e, &xerr) != DNSVET_OK ||
	    dnsvet_expect_set_region(e, region, &xerr) != DNSVET_OK ||
	    (mail_from && *mail_from && dnsvet_expect_set_mail_from(e, mail_from, &xerr) != DNSVET_OK)) {
		fprintf(stderr, "probe_driver: %s\n", xerr.message);
		goto out;
	}
	for (size_t i = 0; i < (nt ? nt : 3); i++) {
		if (dnsvet_expect_add_dkim_token(e, tokens[i], &xerr) != DNSVET_OK) {
			fprintf(stderr, "probe_driver: %s\n", xerr.message);
			goto out;
		}
	}
	if (dnsvet_engine_new(NULL, &b.eng) != DNSVET_OK || dnsvet_probe_cache_new(&b.cache) != DNSVET_OK)
		goto out;
	dnsvet_probe_opts_default(&b.opts);
	b.opts.roothints = rh;
	b.opts.resolvers = rl;
	b.opts.lab = 1;

	if (audit(&b, e, &cold) != 0)
		goto out;
	dnsvet_probe_cache_trim(b.cache, 1);
	if (audit(&b, e, &warm) != 0)
		goto out;
	printf("domain=%s resolvers=%zu rules=%zu delay_ms=%s\n", domain, dnsvet_addrlist_count(rl),
	       dnsvet_rules_selected_count(rules), getenv("LAB_DELAY_MS") ? getenv("LAB_DELAY_MS") : "0");
	report("cold", &cold);
	report("warm", &warm);
	printf("cold_rtts=%u warm_rtts=%u queries=%u\n", cold.probe.rtts, warm.probe.rtts,
	       cold.probe.queries);
	rc = 0;
out:
	dnsvet_expect_free(e);
	dnsvet_engine_free(b.eng);
	dnsvet_probe_cache_free(b.cache);
	dnsvet_rules_runner_free(b.runner);
	dnsvet_rules_free(rules);
	dnsvet_roothints_free(rh);
	dnsvet_addrlist_free(rl);
	return rc;
}
