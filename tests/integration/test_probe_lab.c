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

/* The auth reply of addr to (name, type). */
static const dnsvet_node *reply(const dnsvet_obs *obs, const char *name, const char *type,
                                const char *addr)
{
	return auth_from(dnsvet_obs_find_answer(obs, name, type), addr);
}

static const dnsvet_node *rlist(const dnsvet_node *rep, const char *key)
{
	return dnsvet_node_map_get(rep, key);
}

static void check_lame(lab_env *L, const dnsvet_obs *obs, const dnsvet_probe_stats *st)
{
	const dnsvet_node *z = dnsvet_obs_zone(obs, "lame-bakery.com");
	const dnsvet_node *s;
	const char *dk = "ghhp22uqjklxlslzh6tdnlxcakiixl4z._domainkey.lame-bakery.com";
	static const char *const ns[] = {"ns1.lame-bakery.com", "ns2.lame-bakery.com",
	                                 "ns3.lame-bakery.com"};

	(void)L;
	(void)st;
	CHECK(z != NULL);
	/* one server still answers: the zone works, two of its servers are lame */
	CHECK_STR(pstr(z, "status"), "ok");
	CHECK(list_is(dnsvet_node_map_get(z, "parent_ns"), ns, 3));
	CHECK(list_is(dnsvet_node_map_get(z, "child_ns"), ns, 3));
	s = server_at(z, "127.60.2.1");
	CHECK_STR(pstr(s, "status"), "ok");
	CHECK(dnsvet_node_int(dnsvet_node_map_get(s, "serial"), 0) == 2024041502);
	s = server_at(z, "127.60.2.2");
	CHECK_STR(pstr(s, "name"), "ns2.lame-bakery.com");
	CHECK_STR(pstr(s, "status"), "lame");
	CHECK_STR(pstr(s, "lame"), "refused");
	CHECK(dnsvet_node_map_get(s, "serial") == NULL);
	s = server_at(z, "127.60.2.3");
	CHECK_STR(pstr(s, "status"), "lame");
	CHECK_STR(pstr(s, "lame"), "timeout");
	/* nothing came back, so there is no round-trip time to report */
	CHECK(dnsvet_node_map_get(s, "rtt_ms") == NULL);
	/* the DKIM question went to all three, each failure kept as it was */
	CHECK_STR(pstr(reply(obs, dk, "CNAME", "127.60.2.1"), "rcode"), "NOERROR");
	CHECK(list_has(rlist(reply(obs, dk, "CNAME", "127.60.2.1"), "answer"),
	               "CNAME ghhp22uqjklxlslzh6tdnlxcakiixl4z.dkim.amazonses.com."));
	CHECK_STR(pstr(reply(obs, dk, "CNAME", "127.60.2.2"), "rcode"), "REFUSED");
	CHECK(!dnsvet_node_bool(dnsvet_node_map_get(reply(obs, dk, "CNAME", "127.60.2.2"), "aa"), 1));
	CHECK_STR(pstr(reply(obs, dk, "CNAME", "127.60.2.3"), "error"), "timeout");
	CHECK(pstr(reply(obs, dk, "CNAME", "127.60.2.3"), "rcode") == NULL);
	CHECK(dnsvet_node_map_get(z, "errors") == NULL);
}

static void check_ns_mismatch(lab_env *L, const dnsvet_obs *obs, const dnsvet_probe_stats *st)
{
	const dnsvet_node *z = dnsvet_obs_zone(obs, "mismatch-garden.com");
	const dnsvet_node *s;
	const char *dk = "eu7o3rg2dulxnw6f7y624ytdwoopx64e._domainkey.mismatch-garden.com";
	static const char *const parent[] = {"ns1.mismatch-garden.com", "ns2.mismatch-garden.com"};
	static const char *const child[] = {"ns1.mismatch-garden.com", "ns3.mismatch-garden.com"};

	(void)L;
	(void)st;
	CHECK(z != NULL);
	CHECK_STR(pstr(z, "status"), "ok");
	CHECK(list_is(dnsvet_node_map_get(z, "parent_ns"), parent, 2));
	CHECK(list_is(dnsvet_node_map_get(z, "child_ns"), child, 2));
	/* com has no glue for ns3: the zone's own NS answer named it */
	CHECK(list_has(dnsvet_node_map_get(z, "glue"), "127.60.3.2"));
	CHECK(!list_has(dnsvet_node_map_get(z, "glue"), "ns3.mismatch-garden.com"));
	s = server_at(z, "127.60.3.1");
	CHECK(list_has(dnsvet_node_map_get(s, "source"), "parent"));
	CHECK(list_has(dnsvet_node_map_get(s, "source"), "child"));
	s = server_at(z, "127.60.3.2");
	CHECK_STR(pstr(s, "name"), "ns2.mismatch-garden.com");
	CHECK(list_has(dnsvet_node_map_get(s, "source"), "parent"));
	CHECK(!list_has(dnsvet_node_map_get(s, "source"), "child"));
	CHECK_STR(pstr(s, "status"), "ok");
	s = server_at(z, "127.60.3.3");
	CHECK_STR(pstr(s, "name"), "ns3.mismatch-garden.com");
	CHECK(list_has(dnsvet_node_map_get(s, "source"), "child"));
	CHECK(!list_has(dnsvet_node_map_get(s, "source"), "parent"));
	CHECK(dnsvet_node_int(dnsvet_node_map_get(s, "serial"), 0) == 2024030901);
	/* the child-only server is asked the expected questions too */
	CHECK(list_has(rlist(reply(obs, dk, "CNAME", "127.60.3.3"), "answer"),
	               "CNAME eu7o3rg2dulxnw6f7y624ytdwoopx64e.dkim.amazonses.com."));
	CHECK(dnsvet_node_size(dnsvet_node_map_get(dnsvet_obs_find_answer(obs, dk, "CNAME"), "auth")) == 3);
	CHECK(list_has(rlist(reply(obs, "mail.mismatch-garden.com", "MX", "127.60.3.2"), "answer"),
	               "MX 10 feedback-smtp.us-west-2.amazonses.com."));
}

static void check_glueless(lab_env *L, const dnsvet_obs *obs, const dnsvet_probe_stats *st)
{
	const dnsvet_node *z = dnsvet_obs_zone(obs, "glueless-studio.com");
	const char *dk = "b4e5g35jqjanrb3m6ijmulwkmh5dgze4._domainkey.glueless-studio.com";
	static const char *const ns[] = {"ns1.cloudhost-dns.net", "ns2.cloudhost-dns.net",
	                                 "ns3.cloudhost-dns.io"};
	static const char *const addr[] = {"127.60.4.1", "127.60.4.2", "127.60.4.3"};

	(void)L;
	CHECK(z != NULL);
	CHECK_STR(pstr(z, "status"), "ok");
	CHECK(list_is(dnsvet_node_map_get(z, "parent_ns"), ns, 3));
	/* out of bailiwick: com gives no glue, every address was looked up */
	CHECK(dnsvet_node_map_get(z, "glue") == NULL);
	for (int i = 0; i < 3; i++) {
		const dnsvet_node *s = server_at(z, addr[i]);
		CHECK(s != NULL);
		CHECK_STR(pstr(s, "name"), ns[i]);
		CHECK_STR(pstr(s, "status"), "ok");
		CHECK(dnsvet_node_int(dnsvet_node_map_get(s, "serial"), 0) == 2024022001);
		CHECK(list_has(rlist(reply(obs, dk, "CNAME", addr[i]), "answer"),
		               "CNAME b4e5g35jqjanrb3m6ijmulwkmh5dgze4.dkim.amazonses.com."));
	}
	/* root, com, then net and io for the server names, then the zone */
	CHECK(st->rtts >= 4);
}

static void check_referral_loop(lab_env *L, const dnsvet_obs *obs, const dnsvet_probe_stats *st)
{
	const dnsvet_node *z = dnsvet_obs_zone(obs, "loop-widgets.com");
	const dnsvet_node *s, *a, *r;
	const char *dk = "pzzywndyyam7aol5hbkekxnqloosydiv._domainkey.loop-widgets.com";

	(void)L;
	(void)st;
	CHECK(z != NULL);
	CHECK_STR(pstr(z, "status"), "no_servers");
	CHECK(pstr(z, "reason") && strncmp(pstr(z, "reason"), "glueless cycle: ", 16) == 0);
	CHECK(pstr(z, "reason") && strstr(pstr(z, "reason"), "ns1.loop-partner.net -> loop-partner.net"));
	CHECK(pstr(z, "reason") && strstr(pstr(z, "reason"), "ns1.loop-widgets.com -> loop-widgets.com"));
	CHECK(list_has(dnsvet_node_map_get(z, "errors"), "glueless cycle: "));
	CHECK(dnsvet_node_size(dnsvet_node_map_get(z, "servers")) == 1);
	s = dnsvet_node_list_at(dnsvet_node_map_get(z, "servers"), 0);
	CHECK_STR(pstr(s, "name"), "ns1.loop-partner.net");
	CHECK_STR(pstr(s, "status"), "lame");
	CHECK_STR(pstr(s, "lame"), "no_address");
	CHECK(pstr(s, "addr") == NULL);
	/* no server could be asked; resolvers fail and fail again with CD=1 */
	a = dnsvet_obs_find_answer(obs, dk, "CNAME");
	CHECK(a != NULL);
	CHECK(dnsvet_node_size(dnsvet_node_map_get(a, "auth")) == 0);
	r = resolver_from(a, "127.53.3.1");
	CHECK_STR(pstr(r, "rcode"), "SERVFAIL");
	CHECK_STR(pstr(r, "cd.rcode"), "SERVFAIL");
}

static void check_upward(lab_env *L, const dnsvet_obs *obs, const dnsvet_probe_stats *st)
{
	const dnsvet_node *z = dnsvet_obs_zone(obs, "upward-widgets.com");
	const dnsvet_node *s;
	const char *reason, *rr;

	(void)L;
	(void)st;
	CHECK(z != NULL);
	CHECK_STR(pstr(z, "status"), "error");
	reason = pstr(z, "reason");
	CHECK(reason && strncmp(reason, "referral loop: ", 15) == 0);
	CHECK(reason && strstr(reason, "example-sideways.net"));
	CHECK(reason && strstr(reason, "upward_referral"));
	s = server_at(z, "127.60.5.3");
	CHECK_STR(pstr(s, "status"), "lame");
	CHECK_STR(pstr(s, "lame"), "upward_referral");
	s = server_at(z, "127.60.5.4");
	CHECK_STR(pstr(s, "status"), "lame");
	CHECK_STR(pstr(s, "lame"), "not_authoritative");
	/* the servers have glue: a referral loop is no glueless cycle */
	CHECK(!list_has(dnsvet_node_map_get(z, "errors"), "glueless"));
	/* ns1 refers back to the root, ns2 sideways */
	rr = list_find(rlist(reply(obs, "upward-widgets.com", "SOA", "127.60.5.3"), "authority"),
	               " IN NS a.root-servers.net.");
	CHECK(rr && strncmp(rr, ". ", 2) == 0);
	CHECK(list_has(rlist(reply(obs, "upward-widgets.com", "SOA", "127.60.5.4"), "authority"),
	               "example-sideways.net."));
}

static void check_not_delegated(lab_env *L, const dnsvet_obs *obs, const dnsvet_probe_stats *st)
{
	const dnsvet_node *z = dnsvet_obs_zone(obs, "forgotten-cafe.com");
	const dnsvet_node *names = dnsvet_node_map_get(dnsvet_obs_root(obs), "names");
	const char *dk = "34elewhakdvmuogipjphgp66ulsj5c5p._domainkey.forgotten-cafe.com";
	const dnsvet_node *r;
	char *y = NULL;

	(void)L;
	(void)st;
	CHECK(z != NULL);
	CHECK_STR(pstr(z, "status"), "nxdomain");
	CHECK_STR(pstr(z, "parent"), "com");
	CHECK(pstr(z, "reason") && strstr(pstr(z, "reason"), "not delegated"));
	CHECK(dnsvet_node_map_get(z, "servers") == NULL);
	for (size_t i = 0; i < dnsvet_node_size(names); i++) {
		const dnsvet_node *n = dnsvet_node_list_at(names, i);
		const char *nm = pstr(n, "name");
		if (!nm || strcmp(nm, "com") == 0)
			continue;
		CHECK_STR(pstr(n, "zone"), "forgotten-cafe.com");
		CHECK(dnsvet_node_bool(dnsvet_node_map_get(n, "nxdomain"), 0));
	}
	/* com answers for the whole domain, authoritatively, with its SOA */
	r = reply(obs, dk, "CNAME", "127.53.1.1");
	CHECK_STR(pstr(r, "rcode"), "NXDOMAIN");
	CHECK(dnsvet_node_bool(dnsvet_node_map_get(r, "aa"), 0));
	CHECK(list_has(rlist(r, "authority"), "com. 900 IN SOA a.gtld-servers.net."));
	CHECK_STR(pstr(resolver_from(dnsvet_obs_find_answer(obs, dk, "CNAME"), "127.53.3.2"), "rcode"),
	          "NXDOMAIN");
	/* the zone's own servers are never reached: nothing leads to them */
	CHECK(dnsvet_obs_to_yaml(obs, &y) == DNSVET_OK);
	CHECK(y && !strstr(y, "127.60.6."));
	free(y);
}

static void check_domainkey_zone(lab_env *L, const dnsvet_obs *obs, const dnsvet_probe_stats *st)
{
	const dnsvet_node *pz = dnsvet_obs_zone(obs, "split-dkim.com");
	const dnsvet_node *z = dnsvet_obs_zone(obs, "_domainkey.split-dkim.com");
	const dnsvet_node *names = dnsvet_node_map_get(dnsvet_obs_root(obs), "names");
	const char *dk = "rjsdtrylo76y4gysyskwvk7r624c64su._domainkey.split-dkim.com";
	static const char *const ns[] = {"ns1.keyvault-dns.net", "ns2.keyvault-dns.net"};
	const dnsvet_node *a, *r;
	int seen = 0;

	(void)L;
	(void)st;
	CHECK(pz != NULL);
	CHECK_STR(pstr(pz, "status"), "ok");
	CHECK(z != NULL);
	CHECK_STR(pstr(z, "status"), "ok");
	CHECK_STR(pstr(z, "parent"), "split-dkim.com");
	CHECK(list_is(dnsvet_node_map_get(z, "parent_ns"), ns, 2));
	CHECK(list_is(dnsvet_node_map_get(z, "child_ns"), ns, 2));
	CHECK_STR(pstr(server_at(z, "127.60.7.3"), "status"), "ok");
	CHECK_STR(pstr(server_at(z, "127.60.7.4"), "name"), "ns2.keyvault-dns.net");
	CHECK(pstr(z, "soa") && strstr(pstr(z, "soa"), "_domainkey.split-dkim.com. 3600 IN SOA"));
	for (size_t i = 0; i < dnsvet_node_size(names); i++) {
		const dnsvet_node *n = dnsvet_node_list_at(names, i);
		if (pstr(n, "name") && strcmp(pstr(n, "name"), dk) == 0) {
			seen = 1;
			CHECK_STR(pstr(n, "zone"), "_domainkey.split-dkim.com");
			CHECK(dnsvet_node_bool(dnsvet_node_map_get(n, "nxdomain"), 0));
		}
		if (pstr(n, "name") && strcmp(pstr(n, "name"), "_dmarc.split-dkim.com") == 0)
			CHECK_STR(pstr(n, "zone"), "split-dkim.com");
	}
	CHECK(seen);
	/* the DKIM name is asked of the delegated zone, where it does not exist;
	 * the CNAMEs in the parent are hidden below the cut */
	a = dnsvet_obs_find_answer(obs, dk, "CNAME");
	CHECK(dnsvet_node_size(dnsvet_node_map_get(a, "auth")) == 2);
	r = auth_from(a, "127.60.7.3");
	CHECK_STR(pstr(r, "rcode"), "NXDOMAIN");
	CHECK(dnsvet_node_bool(dnsvet_node_map_get(r, "aa"), 0));
	CHECK(auth_from(a, "127.60.7.1") == NULL);
	CHECK_STR(pstr(auth_from(a, "127.60.7.4"), "rcode"), "NXDOMAIN");
	CHECK(list_has(rlist(reply(obs, "_dmarc.split-dkim.com", "TXT", "127.60.7.1"), "answer"),
	               "v=DMARC1; p=reject"));
}

static void check_secondary_stale(lab_env *L, const dnsvet_obs *obs, const dnsvet_probe_stats *st)
{
	const dnsvet_node *z = dnsvet_obs_zone(obs, "northwind-books.com");
	const char *dk3 = "pf7fipqsc6jpiccexrdz6dkz4ru2zioe._domainkey.northwind-books.com";
	const char *dk1 = "z7cwnecfjfo6xtbjvz5mivqnqcerndhs._domainkey.northwind-books.com";
	const dnsvet_node *r;

	(void)L;
	(void)st;
	CHECK(z != NULL);
	CHECK_STR(pstr(z, "status"), "ok");
	CHECK(dnsvet_node_int(dnsvet_node_map_get(server_at(z, "127.60.8.1"), "serial"), 0) == 2024060302);
	CHECK(dnsvet_node_int(dnsvet_node_map_get(server_at(z, "127.60.8.2"), "serial"), 0) == 2024052001);
	/* the zone's SOA is the newest served, whichever server answered first */
	CHECK(pstr(z, "soa") && strstr(pstr(z, "soa"), " 2024060302 "));
	r = reply(obs, dk3, "CNAME", "127.60.8.1");
	CHECK_STR(pstr(r, "rcode"), "NOERROR");
	CHECK(list_has(rlist(r, "answer"), "CNAME pf7fipqsc6jpiccexrdz6dkz4ru2zioe.dkim.amazonses.com."));
	r = reply(obs, dk3, "CNAME", "127.60.8.2");
	CHECK_STR(pstr(r, "rcode"), "NXDOMAIN");
	CHECK(dnsvet_node_bool(dnsvet_node_map_get(r, "aa"), 0));
	CHECK(list_has(rlist(r, "authority"), " 2024052001 "));
	/* both have the first DKIM record */
	CHECK(list_has(rlist(reply(obs, dk1, "CNAME", "127.60.8.2"), "answer"), "CNAME z7cwnecfjfo6"));
	CHECK(list_has(rlist(reply(obs, "mail.northwind-books.com", "MX", "127.60.8.1"), "answer"),
	               "MX 10 feedback-smtp.us-east-1.amazonses.com."));
	CHECK_STR(pstr(reply(obs, "mail.northwind-books.com", "MX", "127.60.8.2"), "rcode"), "NXDOMAIN");
	CHECK(list_has(dnsvet_node_map_get(dnsvet_obs_find_answer(obs, dk3, "CNAME"), "chain"), "\"p=MIGf"));
}

static void check_records_elsewhere(lab_env *L, const dnsvet_obs *obs, const dnsvet_probe_stats *st)
{
	const dnsvet_node *z = dnsvet_obs_zone(obs, "moved-agency.com");
	const char *dk = "srnfq7tyjgz3p4kh4nhvfqko6qsxshz3._domainkey.moved-agency.com";
	static const char *const ns[] = {"ns1.newdns-host.net", "ns2.newdns-host.net"};
	const dnsvet_node *s, *r;

	(void)L;
	(void)st;
	CHECK(z != NULL);
	CHECK_STR(pstr(z, "status"), "ok");
	CHECK(list_is(dnsvet_node_map_get(z, "parent_ns"), ns, 2));
	/* what the old host says about the apex is not the zone's */
	CHECK(list_is(dnsvet_node_map_get(z, "child_ns"), ns, 2));
	CHECK(pstr(z, "soa") && strstr(pstr(z, "soa"), " 2024050101 "));
	s = server_at(z, "127.60.9.3");
	CHECK_STR(pstr(s, "name"), "ns1.olddns-host.com");
	CHECK(list_is(dnsvet_node_map_get(s, "source"), (const char *const[]){"edited"}, 1));
	CHECK_STR(pstr(s, "status"), "ok");
	CHECK(dnsvet_node_int(dnsvet_node_map_get(s, "serial"), 0) == 2023110705);
	CHECK(dnsvet_node_int(dnsvet_node_map_get(server_at(z, "127.60.9.1"), "serial"), 0) == 2024050101);
	/* the delegated servers deny the record, the old host has it */
	r = reply(obs, dk, "CNAME", "127.60.9.1");
	CHECK_STR(pstr(r, "rcode"), "NXDOMAIN");
	CHECK_STR(pstr(reply(obs, dk, "CNAME", "127.60.9.2"), "rcode"), "NXDOMAIN");
	r = reply(obs, dk, "CNAME", "127.60.9.3");
	CHECK_STR(pstr(r, "rcode"), "NOERROR");
	CHECK(dnsvet_node_bool(dnsvet_node_map_get(r, "aa"), 0));
	CHECK(list_has(rlist(r, "answer"), "CNAME srnfq7tyjgz3p4kh4nhvfqko6qsxshz3.dkim.amazonses.com."));
	CHECK_STR(pstr(resolver_from(dnsvet_obs_find_answer(obs, dk, "CNAME"), "127.53.3.1"), "rcode"),
	          "NXDOMAIN");
	CHECK(list_has(rlist(reply(obs, "moved-agency.com", "TXT", "127.60.9.3"), "answer"),
	               "include:amazonses.com"));
	CHECK(!list_has(rlist(reply(obs, "moved-agency.com", "TXT", "127.60.9.1"), "answer"),
	                "include:amazonses.com"));
}

static void check_stale_cache(lab_env *L, const dnsvet_obs *obs, const dnsvet_probe_stats *st)
{
	const char *dk = "ayrp6jol63qsrg444wlmjjgnpayf6bgn._domainkey.cache-bistro.com";
	const dnsvet_node *a = dnsvet_obs_find_answer(obs, dk, "CNAME");
	const dnsvet_node *r;
	const char *rr;
	long ttl;

	(void)L;
	(void)st;
	CHECK(a != NULL);
	/* the authoritative servers publish the fixed value */
	rr = list_find(rlist(auth_from(a, "127.60.10.1"), "answer"), " CNAME ");
	CHECK(rr && strstr(rr, "CNAME ayrp6jol63qsrg444wlmjjgnpayf6bgn.dkim.amazonses.com.") &&
	      !strstr(rr, "amazonses.com.cache-bistro.com."));
	CHECK(rr_ttl(rr) == 86400);
	/* the primed resolver still returns the old one, with TTL left */
	r = resolver_from(a, "127.60.10.53");
	CHECK(r != NULL);
	CHECK_STR(pstr(r, "rcode"), "NOERROR");
	rr = list_find(rlist(r, "answer"), " CNAME ");
	CHECK(rr && strstr(rr, "CNAME ayrp6jol63qsrg444wlmjjgnpayf6bgn.dkim.amazonses.com.cache-bistro.com."));
	ttl = rr_ttl(rr);
	CHECK(ttl > 86400 - 600 && ttl <= 86400);
	/* a fresh resolver has the new value */
	rr = list_find(rlist(resolver_from(a, "127.53.3.1"), "answer"), " CNAME ");
	CHECK(rr && !strstr(rr, "amazonses.com.cache-bistro.com."));
	/* following the old CNAME for the key ends at a name that does not exist */
	r = resolver_from(dnsvet_obs_find_answer(obs, dk, "TXT"), "127.60.10.53");
	CHECK_STR(pstr(r, "rcode"), "NXDOMAIN");
	CHECK(list_has(rlist(resolver_from(dnsvet_obs_find_answer(obs, dk, "TXT"), "127.53.3.2"), "answer"),
	               "\"p=MIGf"));
}

static void check_negative_cache(lab_env *L, const dnsvet_obs *obs, const dnsvet_probe_stats *st)
{
	const char *dk = "6brq22a6ufy5kckssm5cet45vx6pv4df._domainkey.late-dkim-shop.com";
	const dnsvet_node *a = dnsvet_obs_find_answer(obs, dk, "TXT");
	const dnsvet_node *r;
	const char *soa;
	long ttl;

	(void)L;
	(void)st;
	CHECK(a != NULL);
	/* the record exists at every authoritative server */
	CHECK(list_has(rlist(reply(obs, dk, "CNAME", "127.60.11.1"), "answer"),
	               "CNAME 6brq22a6ufy5kckssm5cet45vx6pv4df.dkim.amazonses.com."));
	CHECK(list_has(rlist(reply(obs, dk, "CNAME", "127.60.11.2"), "answer"),
	               "CNAME 6brq22a6ufy5kckssm5cet45vx6pv4df.dkim.amazonses.com."));
	/* the primed resolver answers its cached NXDOMAIN, SOA TTL counting down */
	r = resolver_from(a, "127.60.11.53");
	CHECK(r != NULL);
	CHECK_STR(pstr(r, "rcode"), "NXDOMAIN");
	CHECK(dnsvet_node_size(rlist(r, "answer")) == 0);
	soa = list_find(rlist(r, "authority"), " SOA ");
	CHECK(soa && strncmp(soa, "late-dkim-shop.com. ", 20) == 0);
	ttl = rr_ttl(soa);
	CHECK(ttl > 3600 - 600 && ttl <= 3600);
	CHECK(soa && strstr(soa, " 1209600 3600"));
	/* the other resolvers resolve it */
	CHECK(list_has(rlist(resolver_from(a, "127.53.3.1"), "answer"), "\"p=MIGf"));
	CHECK_STR(pstr(resolver_from(a, "127.53.3.3"), "rcode"), "NOERROR");
}

/* ------------------------------------------------------------------ */

static const scen scenarios[] = {
	{"healthy", "healthy-shop.com",
	 {"xu7wq45c257az4iapfcri5eysanb6cei", "haf3bdhvfzyxy4nicfwiqmbtsybz42h7",
	  "jyv5a33cls4xe666fysejgcj336txro4"},
	 "us-east-1", "mail.healthy-shop.com", check_healthy, NULL},
	{"lame", "lame-bakery.com",
	 {"ghhp22uqjklxlslzh6tdnlxcakiixl4z", "zhjbbwwgzutdyngz34tkxlpnsiee3nh7",
	  "7vnc5tvcsgblhmxetasziqqou4lmxwkk"},
	 "eu-west-1", "mail.lame-bakery.com", check_lame, NULL},
	{"ns-mismatch", "mismatch-garden.com",
	 {"eu7o3rg2dulxnw6f7y624ytdwoopx64e", "nto3nizhbvnankgakklfeqer3yn5m7jp",
	  "bkd5aj4rmbfw6jazzc2jdv6msjg53wyo"},
	 "us-west-2", "mail.mismatch-garden.com", check_ns_mismatch, NULL},
	{"glueless", "glueless-studio.com",
	 {"b4e5g35jqjanrb3m6ijmulwkmh5dgze4", "w33ktp5pppdqn7sj5dl6kr6ezhvhad74",
	  "d2eghfokybq3ccurk6q2jvrz3ektp2fe"},
	 "eu-central-1", "mail.glueless-studio.com", check_glueless, NULL},
	{"referral-loop", "loop-widgets.com",
	 {"pzzywndyyam7aol5hbkekxnqloosydiv", "stwbipyblh6w46km26n4axm2wzokjsig",
	  "ihjsdly7v4fr4quppubjh6kag6x3cj45"},
	 NULL, NULL, check_referral_loop, NULL},
	{"referral-loop", "upward-widgets.com", {NULL}, NULL, NULL, check_upward, NULL},
	{"not-delegated", "forgotten-cafe.com",
	 {"34elewhakdvmuogipjphgp66ulsj5c5p", "stvwlpyjs3l2ettwdq4vebixx4pmgztu",
	  "7opmhm2ktkgpbs4nefjwmppdgg63awgz"},
	 "us-east-1", "mail.forgotten-cafe.com", check_not_delegated, NULL},
	{"domainkey-zone", "split-dkim.com",
	 {"rjsdtrylo76y4gysyskwvk7r624c64su", "t7dmccyv2l43ciihhs6zx4dn734hgauf",
	  "vsrxphoy4anyg4zs32vjnddplxcolsga"},
	 "us-east-1", "mail.split-dkim.com", check_domainkey_zone, NULL},
	{"secondary-stale", "northwind-books.com",
	 {"z7cwnecfjfo6xtbjvz5mivqnqcerndhs", "2td4vurb73xjofzsaawwpzo7virhft3m",
	  "pf7fipqsc6jpiccexrdz6dkz4ru2zioe"},
	 "us-east-1", "mail.northwind-books.com", check_secondary_stale, NULL},
	{"records-elsewhere", "moved-agency.com",
	 {"srnfq7tyjgz3p4kh4nhvfqko6qsxshz3", "j3pfteoo4ssfd5vw4ov6l6lpy5373out",
	  "palmv2y24sj5x3jduht4az5qxugfgg6n"},
	 "us-east-1", "mail.moved-agency.com", check_records_elsewhere, "ns1.olddns-host.com"},
	{"stale-cache", "cache-bistro.com",
	 {"ayrp6jol63qsrg444wlmjjgnpayf6bgn", "3zbusjyt4chfmmbag33h36zzkapflyql",
	  "taobkzrdckwnsgk3semqew34bvqmculy"},
	 NULL, NULL, check_stale_cache, NULL},
	{"negative-cache", "late-dkim-shop.com",
	 {"6brq22a6ufy5kckssm5cet45vx6pv4df", "jy2pn5wrudrwmigr32yfiatirxi72gjv",
	  "rdhf4aicjb26pd3lewnqpxo46t4p3shw"},
	 "us-east-1", "mail.late-dkim-shop.com", check_negative_cache, NULL},
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

/* Real queries behind obs for names at or below domain: every reply of a server or a
 * resolver (a CD=1 retry is one more). */
static unsigned own_queries(const dnsvet_obs *obs, const char *domain)
{
	const dnsvet_node *answers = dnsvet_node_map_get(dnsvet_obs_root(obs), "answers");
	size_t dl = strlen(domain);
	unsigned n = 0;

	for (size_t i = 0; i < dnsvet_node_size(answers); i++) {
		const dnsvet_node *e = dnsvet_node_list_at(answers, i);
		const char *name = pstr(e, "name");
		const dnsvet_node *res = dnsvet_node_map_get(e, "resolvers");
		size_t nl = name ? strlen(name) : 0;

		for (size_t k = 0; k < dnsvet_node_size(res); k++)
			n += 1 + (dnsvet_node_map_get(dnsvet_node_list_at(res, k), "cd") != NULL);
		if (nl >= dl && strcmp(name + nl - dl, domain) == 0 &&
		    (nl == dl || name[nl - dl - 1] == '.'))
			n += (unsigned)dnsvet_node_size(dnsvet_node_map_get(e, "auth"));
	}
	return n;
}

/* A name a rule makes up under the TLD (record.wildcard_answer's) puts com among the zones
 * asked. Checked twice on one cache, the second check asks the domain's own questions
 * again and nothing else: com's apex and the made-up name come from the cache, as they
 * were answered. */
static void check_shared_answers(lab_env *L, dnsvet_expect *e)
{
	static const dnsvet_probe_question q = {"dnsvet-wildcard-probe.com", "TXT",
	                                        DNSVET_PROBE_TO_AUTH, NULL, 0};
	static const char *const names[] = {"com", "com", "dnsvet-wildcard-probe.com"};
	static const char *const types[] = {"SOA", "NS", "TXT"};
	dnsvet_obs *obs[2] = {NULL, NULL};
	dnsvet_probe_stats st[2];
	unsigned own;

	for (int i = 0; i < 2; i++)
		CHECK(dnsvet_probe_run(L->eng, L->cache, &L->opts, e, &q, 1, &obs[i], &st[i]) ==
		      DNSVET_OK);
	if (!obs[0] || !obs[1])
		goto out;
	own = own_queries(obs[1], dnsvet_obs_domain(obs[1]));
	CHECK(st[1].queries == own);
	CHECK(st[0].queries >= own + 6);
	for (int t = 0; t < 3; t++) {
		const dnsvet_node *a1 = dnsvet_obs_find_answer(obs[0], names[t], types[t]);
		const dnsvet_node *a2 = dnsvet_obs_find_answer(obs[1], names[t], types[t]);
		const dnsvet_node *l1 = dnsvet_node_map_get(a1, "auth");

		CHECK(dnsvet_node_size(l1) == 2 && dnsvet_node_size(dnsvet_node_map_get(a2, "auth")) == 2);
		for (size_t k = 0; k < dnsvet_node_size(l1); k++) {
			const dnsvet_node *r1 = dnsvet_node_list_at(l1, k);
			const dnsvet_node *r2 = auth_from(a2, pstr(r1, "addr"));

			CHECK(r2 && dnsvet_node_equal(dnsvet_node_map_get(r1, "answer"),
			                              dnsvet_node_map_get(r2, "answer")));
			CHECK(r2 && dnsvet_node_equal(dnsvet_node_map_get(r1, "authority"),
			                              dnsvet_node_map_get(r2, "authority")));
			CHECK_STR(pstr(r2, "rcode"), pstr(r1, "rcode"));
		}
	}
	fprintf(stderr, "with a question under com: queries=%u, again=%u (own %u)\n", st[0].queries,
	        st[1].queries, own);
out:
	dnsvet_obs_free(obs[0]);
	dnsvet_obs_free(obs[1]);
}

static void run_scenario(lab_env *L, const scen *sc)
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
	s = e ? probe_one(L, e, &obs, &st) : DNSVET_ERR_INVALID;
	CHECK(s == DNSVET_OK);
	if (s == DNSVET_OK) {
		dump_obs(obs);
		CHECK_STR(dnsvet_obs_domain(obs), sc->domain);
		CHECK(dnsvet_obs_started(obs) == 1795424400);
		CHECK(dnsvet_obs_lab(obs) == 1);
		sc->check(L, obs, &st);
		fprintf(stderr, "%s %s: queries=%u rtts=%u elapsed=%.0fms\n", sc->name, sc->domain,
		        st.queries, st.rtts, st.elapsed_ms);
		if (sc->check == check_healthy)
			check_shared_answers(L, e);
	}
	dnsvet_obs_free(obs);
	dnsvet_expect_free(e);
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
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (strcmp(scenarios[i].name, argv[1]) != 0)
			continue;
		sc = &scenarios[i];
		run_scenario(&L, sc);
	}
	if (!sc) {
		fprintf(stderr, "unknown scenario %s\n", argv[1]);
		lab_env_free(&L);
		return 2;
	}
	lab_env_free(&L);
	if (t_failures)
		fprintf(stderr, "%d check(s) failed\n", t_failures);
	return t_failures ? 1 : 0;
}
