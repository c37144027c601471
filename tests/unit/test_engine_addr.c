/* Server addresses, resolver lists and root hints (no network). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <dnsvet/engine.h>
#include "test_engine_check.h"

static const char *roundtrip(const char *in, uint16_t port, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	if (dnsvet_engine_addr_parse(in, port, &ss, &sl) != DNSVET_OK)
		return "(invalid)";
	return dnsvet_engine_addr_str((struct sockaddr *)&ss, buf, len);
}

static void test_addr(void)
{
	char b[DNSVET_ADDRSTRLEN];
	struct sockaddr_storage ss;
	socklen_t sl;

	CHECK_STR(roundtrip("127.0.0.1", 53, b, sizeof(b)), "127.0.0.1:53");
	CHECK_STR(roundtrip("127.0.0.1:5353", 53, b, sizeof(b)), "127.0.0.1:5353");
	CHECK_STR(roundtrip("::1", 53, b, sizeof(b)), "[::1]:53");
	CHECK_STR(roundtrip("2001:DB8::1", 53, b, sizeof(b)), "[2001:db8::1]:53");
	CHECK_STR(roundtrip("[2001:db8::1]:8053", 53, b, sizeof(b)), "[2001:db8::1]:8053");
	CHECK_STR(roundtrip("[::1]", 5300, b, sizeof(b)), "[::1]:5300");
	CHECK_STR(roundtrip("fe80::1%lo", 53, b, sizeof(b)), "[fe80::1%lo]:53");
	CHECK_STR(roundtrip("127.0.0.1@5353", 53, b, sizeof(b)), "127.0.0.1:5353");
	CHECK_STR(roundtrip("2001:db8::1@8053", 53, b, sizeof(b)), "[2001:db8::1]:8053");
	/* What the printer writes, the parser reads. */
	CHECK_STR(roundtrip("[2001:db8::1]:53", 1, b, sizeof(b)), "[2001:db8::1]:53");

	CHECK(dnsvet_engine_addr_parse("127.0.0.1:53", 0, &ss, &sl) == DNSVET_OK);
	CHECK_EQ(ss.ss_family, AF_INET);
	CHECK_EQ(sl, sizeof(struct sockaddr_in));
	CHECK_EQ(ntohs(((struct sockaddr_in *)&ss)->sin_port), 53);
	CHECK(dnsvet_engine_addr_parse("::1", 53, &ss, &sl) == DNSVET_OK);
	CHECK_EQ(ss.ss_family, AF_INET6);
	CHECK_EQ(sl, sizeof(struct sockaddr_in6));

	const char *bad[] = { "", "localhost", "example.com:53", "127.0.0.1:", "127.0.0.1:0",
	                      "127.0.0.1:65536", "127.0.0.1:53x", "1.2.3", "256.1.1.1",
	                      "[127.0.0.1]:53", "[::1", "[::1]53", "[]:53", "::1:53:",
	                      "[::1]:", "1.2.3.4:5:6", " 1.2.3.4", "gggg::1",
	                      "[2001:db8::1]:99999", "@53", "127.0.0.1@", "127.0.0.1@0",
	                      "127.0.0.1@53@53", "127.0.0.1:53@53", "[::1]@53", "localhost@53", NULL };
	for (int i = 0; bad[i]; i++) {
		int ok = dnsvet_engine_addr_parse(bad[i], 53, &ss, &sl) == DNSVET_ERR_INVALID;
		if (!ok)
			fprintf(stderr, "accepted bad address '%s'\n", bad[i]);
		CHECK(ok);
	}
	/* No port anywhere is not an address to send to. */
	CHECK(dnsvet_engine_addr_parse("127.0.0.1", 0, &ss, &sl) == DNSVET_ERR_INVALID);
	CHECK(dnsvet_engine_addr_parse(NULL, 53, &ss, &sl) == DNSVET_ERR_INVALID);
	char longtxt[200];
	memset(longtxt, '1', sizeof(longtxt) - 1);
	longtxt[sizeof(longtxt) - 1] = '\0';
	CHECK(dnsvet_engine_addr_parse(longtxt, 53, &ss, &sl) == DNSVET_ERR_INVALID);
	struct sockaddr unk = { .sa_family = AF_UNIX };
	CHECK_STR(dnsvet_engine_addr_str(&unk, b, sizeof(b)), "?");
}

static void test_resolvers(void)
{
	dnsvet_addrlist *l = NULL;
	char err[256] = "";
	char b[DNSVET_ADDRSTRLEN];

	CHECK(dnsvet_resolvers_parse("127.53.3.1 127.53.3.2,[::1]:5353\n# comment, 1.1.1.1\n"
	                             "  10.0.0.1:54 # trailing\r\n",
	                             "LAB_RESOLVERS", 53, &l, err, sizeof(err)) == DNSVET_OK);
	CHECK_EQ(dnsvet_addrlist_count(l), 4);
	if (dnsvet_addrlist_count(l) == 4) {
		const dnsvet_server_addr *e = dnsvet_addrlist_get(l, 2);
		CHECK_STR(e->name, "[::1]:5353");
		CHECK_STR(dnsvet_engine_addr_str((const struct sockaddr *)&e->addr, b, sizeof(b)),
		          "[::1]:5353");
		e = dnsvet_addrlist_get(l, 3);
		CHECK_STR(dnsvet_engine_addr_str((const struct sockaddr *)&e->addr, b, sizeof(b)),
		          "10.0.0.1:54");
		CHECK(dnsvet_addrlist_get(l, 4) == NULL);
	}
	dnsvet_addrlist_free(l);

	l = NULL;
	CHECK(dnsvet_resolvers_parse("127.0.0.1\n\n8.8.8.8, dns.google\n", "cfg", 53, &l, err,
	                             sizeof(err)) == DNSVET_ERR_PARSE);
	CHECK(l == NULL);
	CHECK_CONTAINS(err, "cfg:3:");
	CHECK_CONTAINS(err, "dns.google");
	CHECK(dnsvet_resolvers_parse(" # nothing\n", NULL, 53, &l, err, sizeof(err)) ==
	      DNSVET_ERR_PARSE);
	CHECK_CONTAINS(err, "resolvers:");

	char path[] = "/tmp/test_engine_resolvers.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	const char *txt = "192.0.2.1\n192.0.2.2:5353\n300.0.0.1\n";
	CHECK(write(fd, txt, strlen(txt)) == (ssize_t)strlen(txt));
	close(fd);
	CHECK(dnsvet_resolvers_load(path, 53, &l, err, sizeof(err)) == DNSVET_ERR_PARSE);
	char want[128];
	snprintf(want, sizeof(want), "%s:3:", path);
	CHECK_CONTAINS(err, want);
	unlink(path);
	CHECK(dnsvet_resolvers_load(path, 53, &l, err, sizeof(err)) == DNSVET_ERR_IO);
	CHECK_CONTAINS(err, path);
}

static void test_roothints_default(void)
{
	dnsvet_roothints *h = NULL;
	char b[DNSVET_ADDRSTRLEN];
	int v4 = 0, v6 = 0;

	CHECK(dnsvet_roothints_default(&h) == DNSVET_OK);
	CHECK_EQ(dnsvet_addrlist_count(h), 26);
	for (size_t i = 0; i < dnsvet_addrlist_count(h); i++) {
		const dnsvet_server_addr *e = dnsvet_addrlist_get(h, i);
		CHECK_EQ(strlen(e->name), strlen("a.root-servers.net."));
		CHECK_EQ(e->name[0], 'a' + (int)(i / 2));
		if (e->addr.ss_family == AF_INET)
			v4++;
		else if (e->addr.ss_family == AF_INET6)
			v6++;
	}
	CHECK_EQ(v4, 13);
	CHECK_EQ(v6, 13);
	const dnsvet_server_addr *a = dnsvet_addrlist_get(h, 0);
	CHECK_STR(a->name, "a.root-servers.net.");
	CHECK_STR(dnsvet_engine_addr_str((const struct sockaddr *)&a->addr, b, sizeof(b)),
	          "198.41.0.4:53");
	const dnsvet_server_addr *m6 = dnsvet_addrlist_get(h, 25);
	CHECK_STR(dnsvet_engine_addr_str((const struct sockaddr *)&m6->addr, b, sizeof(b)),
	          "[2001:dc3::35]:53");
	dnsvet_roothints_free(h);
}

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/test_engine_hints.XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0) {
		free(path);
		return NULL;
	}
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

static void test_roothints_load(void)
{
	dnsvet_roothints *h = NULL;
	char err[512] = "", want[256], b[DNSVET_ADDRSTRLEN];
	char *path;

	/* The shape of IANA's named.root, including its comments and $TTL-less
	 * full records, an owner-less continuation line and a parenthesised
	 * record. Glue for names not in the NS set is ignored. */
	path = write_temp(
	    ";       This file holds the information on root name servers needed to\n"
	    ";       initialize cache of Internet domain name servers\n"
	    ";\n"
	    ".                        3600000      NS    A.ROOT-SERVERS.NET.\n"
	    "A.ROOT-SERVERS.NET.      3600000      A     198.41.0.4\n"
	    "                         3600000      AAAA  2001:503:ba3e::2:30\n"
	    "; FORMERLY NS1.ISI.EDU\n"
	    ".                        3600000      NS    B.ROOT-SERVERS.NET.\n"
	    "B.ROOT-SERVERS.NET.      3600000      A  (  170.247.170.2\n"
	    "                                        )  ; multi-line\n"
	    "NOT-A-ROOT.EXAMPLE.      3600000      A     192.0.2.99\n"
	    "$TTL 3600\n"
	    "; End of file\n");
	CHECK(path != NULL);
	CHECK(dnsvet_roothints_load(path, 5353, &h, err, sizeof(err)) == DNSVET_OK);
	if (!h)
		fprintf(stderr, "roothints: %s\n", err);
	CHECK_EQ(dnsvet_addrlist_count(h), 3);
	if (dnsvet_addrlist_count(h) == 3) {
		CHECK_STR(dnsvet_addrlist_get(h, 0)->name, "a.root-servers.net.");
		CHECK_STR(dnsvet_addrlist_get(h, 1)->name, "a.root-servers.net.");
		CHECK_STR(dnsvet_addrlist_get(h, 2)->name, "b.root-servers.net.");
		CHECK_STR(dnsvet_engine_addr_str(
		              (const struct sockaddr *)&dnsvet_addrlist_get(h, 1)->addr, b, sizeof(b)),
		          "[2001:503:ba3e::2:30]:5353");
		CHECK_STR(dnsvet_engine_addr_str(
		              (const struct sockaddr *)&dnsvet_addrlist_get(h, 2)->addr, b, sizeof(b)),
		          "170.247.170.2:5353");
	}
	dnsvet_roothints_free(h);
	unlink(path);
	free(path);

	/* Errors name file and line. */
	h = NULL;
	path = write_temp(".  3600000 NS a.root-servers.net.\n"
	                  "; ok so far\n"
	                  "a.root-servers.net. 3600000 A 198.41.0.4\n"
	                  "a.root-servers.net. 3600000 A 300.41.0.4\n");
	CHECK(dnsvet_roothints_load(path, 53, &h, err, sizeof(err)) == DNSVET_ERR_PARSE);
	CHECK(h == NULL);
	snprintf(want, sizeof(want), "%s:4:", path);
	CHECK_CONTAINS(err, want);
	unlink(path);
	free(path);

	path = write_temp("a.root-servers.net. 3600000 A 198.41.0.4\n");
	CHECK(dnsvet_roothints_load(path, 53, &h, err, sizeof(err)) == DNSVET_ERR_PARSE);
	CHECK_CONTAINS(err, "no NS records");
	unlink(path);
	free(path);

	path = write_temp(". 3600000 NS a.root-servers.net.\n");
	CHECK(dnsvet_roothints_load(path, 53, &h, err, sizeof(err)) == DNSVET_ERR_PARSE);
	CHECK_CONTAINS(err, "no A/AAAA");
	unlink(path);
	free(path);

	path = write_temp(". 3600000 NS (a.root-servers.net.\n\n");
	CHECK(dnsvet_roothints_load(path, 53, &h, err, sizeof(err)) == DNSVET_ERR_PARSE);
	snprintf(want, sizeof(want), "%s:1: unbalanced", path);
	CHECK_CONTAINS(err, want);
	unlink(path);
	free(path);

	path = write_temp("$INCLUDE /etc/passwd\n");
	CHECK(dnsvet_roothints_load(path, 53, &h, err, sizeof(err)) == DNSVET_ERR_PARSE);
	CHECK_CONTAINS(err, "unsupported directive");
	unlink(path);
	free(path);

	/* Binary junk is a parse error, not a crash. */
	char junk[300];
	for (size_t i = 0; i < sizeof(junk) - 1; i++)
		junk[i] = (char)(1 + (i * 37) % 255);
	junk[sizeof(junk) - 1] = '\0';
	path = write_temp(junk);
	CHECK(dnsvet_roothints_load(path, 53, &h, err, sizeof(err)) == DNSVET_ERR_PARSE);
	unlink(path);
	free(path);

	CHECK(dnsvet_roothints_load("/nonexistent/named.root", 53, &h, err, sizeof(err)) ==
	      DNSVET_ERR_IO);
	CHECK_CONTAINS(err, "/nonexistent/named.root");
}

int main(void)
{
	test_addr();
	test_resolvers();
	test_roothints_default();
	test_roothints_load();
	return t_finish("test_engine_addr");
}
