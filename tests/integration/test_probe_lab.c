/*
 * The probe against the lab: one scenario per run (tests/lab/labrun -s NAME
 * -- test_probe_lab NAME), asserting the observations the scenario must
 * produce. `test_probe_lab dump DOMAIN [TOKEN...]` prints the observation
 * set of any lab domain.
 */
#include "test_probe_lab_util.h"

typedef struct scen {
	const char *name;
	const char *domain;
	const char *tokens[3];
	const char *region;
	const char *mail_from;
	void (*check)(lab_env *L, const dnsvet_obs *obs, const dnsvet_probe_stats *st);
	const char *edited_ns;
} scen;

static const char *pstr(const dnsvet_node *n, const char *path)
{
	return dnsvet_node_path_string(n, path);
}

/* ------------------------------------------------------------------ */

static void check_healthy(lab_env *L, const dnsvet_obs *obs, const dnsvet_probe_stats *st)
{
	const dnsvet_node *root = dnsvet_obs_root(obs);
	const dnsvet_node *z = zone_named(root, "healthy-shop.com");
	const dnsvet_node *a;
	const char *tok = "xu7wq45c257az4iapfcri5eysanb6cei._domainkey.healthy-shop.com";

	(void)L;
	CHECK(z != NULL);
	CHECK_STR(pstr(z, "status"), "ok");
	CHECK_STR(pstr(z, "parent"), "com");
	CHECK(dnsvet_node_size(dnsvet_node_map_get(z, "parent_ns")) == 2);
	CHECK(dnsvet_node_size(dnsvet_node_map_get(z, "child_ns")) == 2);
	CHECK(list_has(dnsvet_node_map_get(z, "glue"), "127.60.1.1"));
	CHECK(pstr(z, "soa") && strstr(pstr(z, "soa"), "2024052001"));
	for (int i = 1; i <= 2; i++) {
		char addr[32];
		const dnsvet_node *s;
		snprintf(addr, sizeof(addr), "127.60.1.%d", i);
		s = server_at(z, addr);
		CHECK(s != NULL);
		CHECK_STR(pstr(s, "status"), "ok");
		CHECK(dnsvet_node_int(dnsvet_node_map_get(s, "serial"), 0) == 2024052001);
		CHECK(list_has(dnsvet_node_map_get(s, "source"), "parent"));
		CHECK(list_has(dnsvet_node_map_get(s, "source"), "child"));
	}
	a = dnsvet_obs_find_answer(obs, tok, "CNAME");
	CHECK(a != NULL);
	CHECK(dnsvet_node_size(dnsvet_node_map_get(a, "auth")) == 2);
	CHECK_STR(pstr(auth_from(a, "127.60.1.1"), "rcode"), "NOERROR");
	CHECK(dnsvet_node_bool(dnsvet_node_map_get(auth_from(a, "127.60.1.2"), "aa"), 0));
	CHECK(list_has(dnsvet_node_map_get(auth_from(a, "127.60.1.2"), "answer"),
	               "CNAME xu7wq45c257az4iapfcri5eysanb6cei.dkim.amazonses.com."));
	CHECK(list_has(dnsvet_node_map_get(a, "chain"), "\"p=MIGfMA0"));
	CHECK_STR(pstr(a, "chain_rcode"), "NOERROR");
	CHECK(list_has(dnsvet_node_map_get(resolver_from(a, "127.53.3.1"), "answer"),
	               "CNAME xu7wq45c257az4iapfcri5eysanb6cei.dkim.amazonses.com."));
	/* the other types at the DKIM name were asked too */
	a = dnsvet_obs_find_answer(obs, tok, "TXT");
	CHECK(a != NULL && dnsvet_node_size(dnsvet_node_map_get(a, "auth")) == 2);
	a = dnsvet_obs_find_answer(obs, "mail.healthy-shop.com", "MX");
	CHECK(list_has(dnsvet_node_map_get(auth_from(a, "127.60.1.1"), "answer"),
	               "MX 10 feedback-smtp.us-east-1.amazonses.com."));
	a = dnsvet_obs_find_answer(obs, "_dmarc.healthy-shop.com", "TXT");
	CHECK(list_has(dnsvet_node_map_get(auth_from(a, "127.60.1.1"), "answer"), "v=DMARC1"));
	CHECK(dnsvet_obs_resolver_count(obs) >= 3);
	CHECK(st->rtts <= 6);
	CHECK(st->queries > 20);
}

/* ------------------------------------------------------------------ */

static const scen scenarios[] = {
	{"healthy", "healthy-shop.com",
	 {"xu7wq45c257az4iapfcri5eysanb6cei", "haf3bdhvfzyxy4nicfwiqmbtsybz42h7",
	  "jyv5a33cls4xe666fysejgcj336txro4"},
	 "us-east-1", "mail.healthy-shop.com", check_healthy, NULL},
};

static dnsvet_status probe_one(lab_env *L, dnsvet_expect *e, dnsvet_obs **obs,
                               dnsvet_probe_stats *st)
{
	return dnsvet_probe_run(L->eng, L->cache, &L->opts, e, NULL, 0, obs, st);
}

static int run_dump(lab_env *L, int argc, char **argv)
{
	dnsvet_expect *e = mk_expect(argv[2], (const char *const *)argv + 3, (size_t)(argc - 3), NULL, NULL);
	dnsvet_obs *obs = NULL;
	dnsvet_probe_stats st;
	char *y = NULL;
	dnsvet_status s;

	if (!e)
		return 1;
	s = probe_one(L, e, &obs, &st);
	if (s != DNSVET_OK) {
		fprintf(stderr, "probe: %s\n", dnsvet_status_str(s));
		return 1;
	}
	if (dnsvet_obs_to_yaml(obs, &y) == DNSVET_OK)
		fputs(y, stdout);
	free(y);
	fprintf(stderr, "queries=%u rtts=%u cache_hits=%u elapsed=%.0fms\n", st.queries, st.rtts,
	        st.cache_hits, st.elapsed_ms);
	dnsvet_obs_free(obs);
	dnsvet_expect_free(e);
	return 0;
}

int main(int argc, char **argv)
{
	lab_env L;
	const scen *sc = NULL;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: test_probe_lab SCENARIO | dump DOMAIN [TOKEN...]\n");
		return 2;
	}
	if (lab_env_init(&L, 400) != 0)
		return 99;
	if (strcmp(argv[1], "dump") == 0 && argc >= 3) {
		rc = run_dump(&L, argc, argv);
		lab_env_free(&L);
		return rc;
	}
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (strcmp(scenarios[i].name, argv[1]) == 0)
			sc = &scenarios[i];
	if (!sc) {
		fprintf(stderr, "unknown scenario %s\n", argv[1]);
		return 2;
	}
	{
		size_t n = 0;
		dnsvet_expect *e;
		dnsvet_obs *obs = NULL;
		dnsvet_probe_stats st;
		dnsvet_status s;
		while (n < 3 && sc->tokens[n])
			n++;
		e = mk_expect(sc->domain, sc->tokens, n, sc->region, sc->mail_from);
		CHECK(e != NULL);
		if (e && sc->edited_ns) {
			dnsvet_expect_error err;
			CHECK(dnsvet_expect_add_edited_ns(e, sc->edited_ns, &err) == DNSVET_OK);
		}
		s = e ? probe_one(&L, e, &obs, &st) : DNSVET_ERR_INVALID;
		CHECK(s == DNSVET_OK);
		if (s == DNSVET_OK) {
			dump_obs(obs);
			sc->check(&L, obs, &st);
			fprintf(stderr, "%s: queries=%u rtts=%u elapsed=%.0fms\n", sc->name, st.queries,
			        st.rtts, st.elapsed_ms);
		}
		dnsvet_obs_free(obs);
		dnsvet_expect_free(e);
	}
	lab_env_free(&L);
	if (t_failures)
		fprintf(stderr, "%d check(s) failed\n", t_failures);
	return t_failures ? 1 : 0;
}
