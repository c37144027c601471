/*
 * The engine against the lab (run through tests/lab/labrun): real NSD,
 * the misbehaving server, dead and unroutable addresses, injected forged
 * packets, concurrency, callbacks that submit.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <dnsvet/engine.h>
#include "engine/engine_int.h"
#include "../unit/test_engine_check.h"

static struct sockaddr_storage misbehave;
static socklen_t misbehave_len;
static struct sockaddr_storage root_ns;
static socklen_t root_ns_len;
static char misbehave_str[DNSVET_ADDRSTRLEN];

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static dnsvet_query mkq(const struct sockaddr_storage *ss, socklen_t len, const char *name,
                        uint16_t type, unsigned flags, unsigned timeout_ms)
{
	dnsvet_query q;
	memset(&q, 0, sizeof(q));
	memcpy(&q.addr, ss, len);
	q.addrlen = len;
	q.qname = name;
	q.qtype = type;
	q.flags = flags;
	q.timeout_ms = timeout_ms;
	return q;
}

static dnsvet_query mkq_text(const char *addr, const char *name, uint16_t type, unsigned flags,
                             unsigned timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	CHECK(dnsvet_engine_addr_parse(addr, 53, &ss, &sl) == DNSVET_OK);
	return mkq(&ss, sl, name, type, flags, timeout_ms);
}

static dnsvet_engine *new_engine(unsigned timeout_ms, unsigned retries)
{
	dnsvet_engine_opts o;
	dnsvet_engine *eng = NULL;
	dnsvet_engine_opts_default(&o);
	o.timeout_ms = timeout_ms;
	o.timeout_max_ms = timeout_ms * 4;
	o.retries = retries;
	CHECK(dnsvet_engine_new(&o, &eng) == DNSVET_OK);
	return eng;
}

static dnsvet_result *ask(dnsvet_engine *eng, const dnsvet_query *q)
{
	dnsvet_result *r = NULL;
	CHECK(dnsvet_engine_query_sync(eng, q, &r) == DNSVET_OK);
	return r;
}

/* The first A record's address in the answer section, or "". */
static const char *first_a(const dnsvet_result *r, char *buf, size_t len)
{
	const ldns_rr_list *an = dnsvet_result_answer(r);
	buf[0] = '\0';
	for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_A) {
			char *s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
			snprintf(buf, len, "%s", s ? s : "");
			free(s);
			break;
		}
	}
	return buf;
}

static void test_nsd_basic(void)
{
	dnsvet_engine *eng = new_engine(1000, 1);
	dnsvet_query q = mkq(&root_ns, root_ns_len, ".", LDNS_RR_TYPE_SOA, DNSVET_QF_DO, 0);
	dnsvet_result *r = ask(eng, &q);
	CHECK(r != NULL);
	if (r) {
		CHECK_EQ(dnsvet_result_error(r), DNSVET_QERR_NONE);
		CHECK_EQ(dnsvet_result_rcode(r), LDNS_RCODE_NOERROR);
		CHECK(dnsvet_result_flags(r) & DNSVET_RF_AA);
		CHECK(dnsvet_result_flags(r) & DNSVET_RF_QR);
		CHECK(!(dnsvet_result_flags(r) & DNSVET_RF_RA));
		CHECK_EQ(dnsvet_result_transport(r), DNSVET_TRANSPORT_UDP);
		CHECK_EQ(dnsvet_result_tries(r), 1);
		CHECK(dnsvet_result_rtt_ms(r) > 0.0 && dnsvet_result_rtt_ms(r) < 1000.0);
		CHECK_EQ(ldns_rr_list_rr_count(dnsvet_result_answer(r)), 1);
		CHECK(ldns_rr_get_type(ldns_rr_list_rr(dnsvet_result_answer(r), 0)) ==
		      LDNS_RR_TYPE_SOA);
		CHECK(dnsvet_result_pkt(r) && ldns_pkt_edns(dnsvet_result_pkt(r)));
		CHECK(dnsvet_result_size(r) > 12);
		char *txt = dnsvet_result_render(r);
		CHECK_CONTAINS(txt, "SOA");
		CHECK_CONTAINS(txt, "127.53.0.1:53 (udp)");
		free(txt);
	}
	dnsvet_result_free(r);

	/* Referral: NOERROR, no AA, NS in authority, glue in additional. */
	q = mkq(&root_ns, root_ns_len, "amazonses.com.", LDNS_RR_TYPE_NS, 0, 0);
	r = ask(eng, &q);
	if (r) {
		CHECK_EQ(dnsvet_result_error(r), DNSVET_QERR_NONE);
		CHECK(!(dnsvet_result_flags(r) & DNSVET_RF_AA));
		CHECK(ldns_rr_list_rr_count(dnsvet_result_authority(r)) >= 1);
		CHECK(ldns_rr_list_rr_count(dnsvet_result_additional(r)) >= 1);
	}
	dnsvet_result_free(r);

	/* Straight to TCP. */
	q = mkq(&root_ns, root_ns_len, ".", LDNS_RR_TYPE_NS, DNSVET_QF_TCP, 0);
	r = ask(eng, &q);
	if (r) {
		CHECK_EQ(dnsvet_result_error(r), DNSVET_QERR_NONE);
		CHECK_EQ(dnsvet_result_transport(r), DNSVET_TRANSPORT_TCP);
		CHECK_EQ(ldns_rr_list_rr_count(dnsvet_result_answer(r)), 2);
	}
	dnsvet_result_free(r);
	dnsvet_engine_stats st;
	dnsvet_engine_stats_get(eng, &st);
	CHECK_EQ(st.sent_udp, 2);
	CHECK_EQ(st.sent_tcp, 1);
	CHECK_EQ(st.accepted, 3);
	CHECK_EQ(st.dropped_id + st.dropped_source + st.dropped_question + st.malformed, 0);
	dnsvet_engine_free(eng);
}

struct fault_case {
	const char *label;
	unsigned flags;
	dnsvet_qerror err;
	int rcode;               /* -2: don't care */
	dnsvet_transport transport;
};

static void test_misbehaviours(void)
{
	/* 150 ms first try, one retry at 300 ms: a silent fault costs 450 ms. */
	static const struct fault_case cases[] = {
		{ "normal", 0, DNSVET_QERR_NONE, LDNS_RCODE_NOERROR, DNSVET_TRANSPORT_UDP },
		{ "drop", 0, DNSVET_QERR_TIMEOUT, -1, DNSVET_TRANSPORT_UDP },
		{ "drop", DNSVET_QF_TCP, DNSVET_QERR_TIMEOUT, -1, DNSVET_TRANSPORT_TCP },
		{ "delay50", 0, DNSVET_QERR_NONE, LDNS_RCODE_NOERROR, DNSVET_TRANSPORT_UDP },
		{ "tc", 0, DNSVET_QERR_NONE, LDNS_RCODE_NOERROR, DNSVET_TRANSPORT_TCP },
		{ "tctcp", 0, DNSVET_QERR_TRUNCATED, LDNS_RCODE_NOERROR, DNSVET_TRANSPORT_TCP },
		{ "garbage", 0, DNSVET_QERR_MALFORMED, -1, DNSVET_TRANSPORT_UDP },
		{ "garbage", DNSVET_QF_TCP, DNSVET_QERR_MALFORMED, -1, DNSVET_TRANSPORT_TCP },
		{ "short", 0, DNSVET_QERR_MALFORMED, -1, DNSVET_TRANSPORT_UDP },
		{ "short", DNSVET_QF_TCP, DNSVET_QERR_MALFORMED, -1, DNSVET_TRANSPORT_TCP },
		{ "wrongid", 0, DNSVET_QERR_TIMEOUT, -1, DNSVET_TRANSPORT_UDP },
		{ "wrongport", 0, DNSVET_QERR_TIMEOUT, -1, DNSVET_TRANSPORT_UDP },
		{ "wrongport", DNSVET_QF_TCP, DNSVET_QERR_NONE, LDNS_RCODE_NOERROR, DNSVET_TRANSPORT_TCP },
		{ "wrongq", 0, DNSVET_QERR_TIMEOUT, -1, DNSVET_TRANSPORT_UDP },
		{ "refused", 0, DNSVET_QERR_NONE, LDNS_RCODE_REFUSED, DNSVET_TRANSPORT_UDP },
		{ "servfail", 0, DNSVET_QERR_NONE, LDNS_RCODE_SERVFAIL, DNSVET_TRANSPORT_UDP },
		{ "nxdomain", 0, DNSVET_QERR_NONE, LDNS_RCODE_NXDOMAIN, DNSVET_TRANSPORT_UDP },
		{ "formerr", 0, DNSVET_QERR_NONE, LDNS_RCODE_FORMERR, DNSVET_TRANSPORT_UDP },
		{ "notimp", 0, DNSVET_QERR_NONE, LDNS_RCODE_NOTIMPL, DNSVET_TRANSPORT_UDP },
		{ "noaa", 0, DNSVET_QERR_NONE, LDNS_RCODE_NOERROR, DNSVET_TRANSPORT_UDP },
		{ "upward", 0, DNSVET_QERR_NONE, LDNS_RCODE_NOERROR, DNSVET_TRANSPORT_UDP },
		{ "sideways", 0, DNSVET_QERR_NONE, LDNS_RCODE_NOERROR, DNSVET_TRANSPORT_UDP },
		{ "qr0", 0, DNSVET_QERR_MALFORMED, -1, DNSVET_TRANSPORT_UDP },
	};
	dnsvet_engine *eng = new_engine(150, 1);
	char name[128], a[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fault_case *c = &cases[i];
		dnsvet_engine_stats before, after;
		dnsvet_engine_stats_get(eng, &before);
		snprintf(name, sizeof(name), "%s.Fault.Test.", c->label);
		dnsvet_query q = mkq(&misbehave, misbehave_len, name, LDNS_RR_TYPE_A, c->flags, 0);
		dnsvet_result *r = ask(eng, &q);
		dnsvet_engine_stats_get(eng, &after);
		if (!r)
			continue;
		int ok = dnsvet_result_error(r) == c->err &&
		         (c->rcode == -2 || dnsvet_result_rcode(r) == c->rcode) &&
		         dnsvet_result_transport(r) == c->transport;
		if (!ok) {
			char *txt = dnsvet_result_render(r);
			fprintf(stderr, "fault %s (flags %#x): got %s rcode %d %s, want %s rcode %d %s\n%s",
			        c->label, c->flags, dnsvet_qerror_str(dnsvet_result_error(r)),
			        dnsvet_result_rcode(r), dnsvet_transport_str(dnsvet_result_transport(r)),
			        dnsvet_qerror_str(c->err), c->rcode, dnsvet_transport_str(c->transport),
			        txt ? txt : "");
			free(txt);
		}
		CHECK(ok);
		CHECK_STR(dnsvet_result_addr_str(r), misbehave_str);

		if (!strcmp(c->label, "normal") || !strcmp(c->label, "delay50") ||
		    (!strcmp(c->label, "tc")) || (!strcmp(c->label, "wrongport") && c->flags)) {
			CHECK_STR(first_a(r, a, sizeof(a)), "192.0.2.1");
			CHECK(dnsvet_result_flags(r) & DNSVET_RF_AA);
		}
		if (!strcmp(c->label, "delay50"))
			CHECK(dnsvet_result_rtt_ms(r) >= 45.0);
		if (!strcmp(c->label, "tc")) {
			CHECK_EQ(dnsvet_result_tries(r), 2);
			CHECK_EQ(after.tcp_fallbacks - before.tcp_fallbacks, 1);
			CHECK_EQ(after.sent_tcp - before.sent_tcp, 1);
		}
		if (!strcmp(c->label, "tctcp")) {
			CHECK(dnsvet_result_pkt(r) != NULL);
			CHECK(dnsvet_result_flags(r) & DNSVET_RF_TC);
		}
		if (!strcmp(c->label, "drop")) {
			CHECK_EQ(dnsvet_result_tries(r), 2);
			CHECK(dnsvet_result_pkt(r) == NULL);
			CHECK_EQ(after.timeouts - before.timeouts, 1);
			if (!c->flags)
				CHECK_EQ(after.retries - before.retries, 1);
		}
		if (!strcmp(c->label, "wrongid"))
			CHECK_EQ(after.dropped_id - before.dropped_id, 2); /* one per try */
		if (!strcmp(c->label, "wrongport") && !c->flags)
			CHECK_EQ(after.dropped_source - before.dropped_source, 2);
		if (!strcmp(c->label, "wrongq"))
			CHECK_EQ(after.dropped_question - before.dropped_question, 2);
		if (c->err == DNSVET_QERR_MALFORMED)
			CHECK(after.malformed > before.malformed);
		if (!strcmp(c->label, "noaa"))
			CHECK(!(dnsvet_result_flags(r) & DNSVET_RF_AA));
		if (!strcmp(c->label, "nxdomain"))
			CHECK(dnsvet_result_flags(r) & DNSVET_RF_AA);
		if (!strcmp(c->label, "upward") || !strcmp(c->label, "sideways")) {
			CHECK_EQ(ldns_rr_list_rr_count(dnsvet_result_answer(r)), 0);
			CHECK(ldns_rr_list_rr_count(dnsvet_result_authority(r)) >= 1);
		}
		dnsvet_result_free(r);
	}
	dnsvet_engine_free(eng);
}

/* Send a UDP datagram with a forged source (root in the lab's namespace
 * may open raw sockets). */
static int send_forged(const struct sockaddr_in *src, const struct sockaddr_in *dst,
                       const uint8_t *payload, size_t len)
{
	uint8_t pkt[2048];
	struct iphdr *ip = (struct iphdr *)pkt;
	struct udphdr *udp = (struct udphdr *)(pkt + sizeof(*ip));
	size_t total = sizeof(*ip) + sizeof(*udp) + len;
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);

	if (fd < 0 || total > sizeof(pkt)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	memset(pkt, 0, sizeof(*ip) + sizeof(*udp));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons((uint16_t)total);
	ip->saddr = src->sin_addr.s_addr;
	ip->daddr = dst->sin_addr.s_addr;
	udp->source = src->sin_port;
	udp->dest = dst->sin_port;
	udp->len = htons((uint16_t)(sizeof(*udp) + len));
	udp->check = 0; /* optional over IPv4 */
	memcpy(pkt + sizeof(*ip) + sizeof(*udp), payload, len);
	ssize_t n = sendto(fd, pkt, total, 0, (const struct sockaddr *)dst, sizeof(*dst));
	close(fd);
	return n == (ssize_t)total ? 0 : -1;
}

static struct eng_query *only_inflight(dnsvet_engine *eng)
{
	for (uint32_t i = 0; i < eng->nslots; i++)
		if (eng->slots[i].q)
			return eng->slots[i].q;
	return NULL;
}

static uint8_t *forged_answer(const char *qname, uint16_t id, const char *addr, bool qr,
                              size_t *len)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str(qname), LDNS_RR_TYPE_A,
	                                 LDNS_RR_CLASS_IN, LDNS_AA);
	uint8_t *w = NULL;
	char rrtxt[256];
	ldns_rr *rr = NULL;

	ldns_pkt_set_id(p, id);
	ldns_pkt_set_qr(p, qr);
	snprintf(rrtxt, sizeof(rrtxt), "%s 300 IN A %s", qname, addr);
	if (ldns_rr_new_frm_str(&rr, rrtxt, 0, NULL, NULL) == LDNS_STATUS_OK)
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	CHECK(ldns_pkt2wire(&w, p, len) == LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return w;
}

static void result_keep(dnsvet_engine *eng, const dnsvet_result *res, void *user)
{
	(void)eng;
	*(dnsvet_result **)user = dnsvet_result_take(res);
}

/*
 * While the real (delayed) answer is on its way, forged answers arrive:
 * from the right address but another port, from the right address and port
 * with a wrong ID, with the right ID but another question, and garbage.
 * Each is dropped and counted; the real answer is still accepted.
 */
static void test_forged_answers(void)
{
	dnsvet_engine *eng = new_engine(3000, 0);
	dnsvet_result *r = NULL;
	/* the real answer comes 2 s late: room to send the forgeries first even under valgrind
	 * on a busy machine (with less, it sometimes overtook the last two) */
	const char *qname = "delay2000.fault.test.";
	dnsvet_query q = mkq(&misbehave, misbehave_len, qname, LDNS_RR_TYPE_A, 0, 0);
	dnsvet_engine_stats st;

	CHECK(dnsvet_engine_submit(eng, &q, result_keep, &r) == DNSVET_OK);
	CHECK(dnsvet_engine_step(eng, 0) == DNSVET_OK);
	struct eng_query *eq = only_inflight(eng);
	CHECK(eq != NULL && eq->state == EQ_UDP);
	if (!eq) {
		dnsvet_engine_free(eng);
		return;
	}
	struct sockaddr_in local, dst, server;
	socklen_t ll = sizeof(local);
	CHECK(getsockname(eq->fd, (struct sockaddr *)&local, &ll) == 0);
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = local.sin_port;
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memcpy(&server, &misbehave, sizeof(server));

	size_t len = 0;
	uint8_t *w;
	/* 1: right ID and question, right address, wrong port (ordinary socket). */
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in near = server;
	near.sin_port = 0;
	CHECK(bind(fd, (struct sockaddr *)&near, sizeof(near)) == 0);
	w = forged_answer(qname, eq->id, "192.0.2.66", true, &len);
	CHECK(sendto(fd, w, len, 0, (struct sockaddr *)&dst, sizeof(dst)) == (ssize_t)len);
	free(w);
	close(fd);
	/* 2: forged source = the server, wrong ID. */
	w = forged_answer(qname, (uint16_t)(eq->id ^ 0x5a5a), "192.0.2.67", true, &len);
	CHECK(send_forged(&server, &dst, w, len) == 0);
	free(w);
	/* 3: forged source, right ID, another question. */
	w = forged_answer("other.fault.test.", eq->id, "192.0.2.68", true, &len);
	CHECK(send_forged(&server, &dst, w, len) == 0);
	free(w);
	/* 4: forged source, right ID and question, QR clear (a query, not an answer). */
	w = forged_answer(qname, eq->id, "192.0.2.69", false, &len);
	CHECK(send_forged(&server, &dst, w, len) == 0);
	free(w);
	/* 5: forged source, garbage. */
	uint8_t junk[7] = { 1, 2, 3, 4, 5, 6, 7 };
	CHECK(send_forged(&server, &dst, junk, sizeof(junk)) == 0);

	/* The forgeries arrive first; the real answer comes ~2 s later. Its RTT (below)
	 * shows it was the one taken, without a wall-clock check that a slow run (valgrind)
	 * would break. */
	CHECK(dnsvet_engine_run(eng) == DNSVET_OK);
	CHECK(r != NULL);
	if (r) {
		char a[64];
		CHECK_EQ(dnsvet_result_error(r), DNSVET_QERR_NONE);
		CHECK_STR(first_a(r, a, sizeof(a)), "192.0.2.1");
		CHECK_EQ(dnsvet_result_tries(r), 1);
		CHECK(dnsvet_result_rtt_ms(r) >= 1990.0);
	}
	dnsvet_result_free(r);
	dnsvet_engine_stats_get(eng, &st);
	CHECK_EQ(st.dropped_source, 1);
	CHECK_EQ(st.dropped_id, 1);
	CHECK_EQ(st.dropped_question, 1);
	CHECK_EQ(st.malformed, 2);
	CHECK_EQ(st.accepted, 1);
	CHECK_EQ(st.errors, 0);
	dnsvet_engine_free(eng);
}

static void test_dead_and_unreachable(void)
{
	dnsvet_engine *eng = new_engine(2000, 2);
	struct {
		const char *addr;
		unsigned flags;
		dnsvet_qerror err;
	} cases[] = {
		/* Nothing listens there: ICMP port unreachable / RST. */
		{ "127.53.250.250:53", 0, DNSVET_QERR_REFUSED },
		{ "127.53.250.250:53", DNSVET_QF_TCP, DNSVET_QERR_REFUSED },
		{ "127.0.0.1:9", 0, DNSVET_QERR_REFUSED },
		{ "[::1]:9", 0, DNSVET_QERR_REFUSED },
		{ "[::1]:9", DNSVET_QF_TCP, DNSVET_QERR_REFUSED },
		/* No route out of the lab's namespace. */
		{ "2001:db8::1", 0, DNSVET_QERR_UNREACHABLE },
		{ "[2001:db8::1]:53", DNSVET_QF_TCP, DNSVET_QERR_UNREACHABLE },
		{ "192.0.2.1", 0, DNSVET_QERR_UNREACHABLE },
		{ "192.0.2.1", DNSVET_QF_TCP, DNSVET_QERR_UNREACHABLE },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dnsvet_query q = mkq_text(cases[i].addr, "example.com.", LDNS_RR_TYPE_A,
		                          cases[i].flags, 0);
		dnsvet_result *r = ask(eng, &q);
		if (!r)
			continue;
		if (dnsvet_result_error(r) != cases[i].err)
			fprintf(stderr, "%s flags %#x: got %s (errno %d), want %s\n", cases[i].addr,
			        cases[i].flags, dnsvet_qerror_str(dnsvet_result_error(r)),
			        dnsvet_result_errno(r), dnsvet_qerror_str(cases[i].err));
		CHECK_EQ(dnsvet_result_error(r), cases[i].err);
		CHECK(dnsvet_result_errno(r) != 0);
		CHECK(dnsvet_result_pkt(r) == NULL);
		dnsvet_result_free(r);
	}
	/* Immediate errors, not timeouts in disguise. */
	dnsvet_engine_stats st;
	dnsvet_engine_stats_get(eng, &st);
	CHECK_EQ(st.timeouts, 0);
	CHECK_EQ(st.retries, 0);
	dnsvet_engine_free(eng);
}

struct par {
	int answered, failed, wrong;
	char names[1000][32];
};

struct par_item {
	struct par *p;
	int i;
};

static void par_item_cb(dnsvet_engine *eng, const dnsvet_result *res, void *user)
{
	struct par_item *it = user;
	(void)eng;
	if (dnsvet_result_error(res) != DNSVET_QERR_NONE) {
		it->p->failed++;
		return;
	}
	const ldns_rr *qrr = ldns_rr_list_rr(ldns_pkt_question(dnsvet_result_pkt(res)), 0);
	char *owner = qrr ? ldns_rdf2str(ldns_rr_owner(qrr)) : NULL;
	if (!owner || strcasecmp(owner, it->p->names[it->i]) != 0 ||
	    strcasecmp(dnsvet_result_qname(res), it->p->names[it->i]) != 0)
		it->p->wrong++;
	else
		it->p->answered++;
	free(owner);
}

static void test_thousand_parallel(void)
{
	enum { N = 1000 };
	dnsvet_engine_opts o;
	dnsvet_engine *eng = NULL;
	static struct par p;
	static struct par_item items[N];

	dnsvet_engine_opts_default(&o);
	o.max_inflight = N;
	o.max_per_server = N;
	o.timeout_ms = 2000;
	CHECK(dnsvet_engine_new(&o, &eng) == DNSVET_OK);
	for (int i = 0; i < N; i++) {
		snprintf(p.names[i], sizeof(p.names[i]), "n%d.com.", i);
		items[i] = (struct par_item){ &p, i };
		dnsvet_query q = mkq(&root_ns, root_ns_len, p.names[i], LDNS_RR_TYPE_A, 0, 0);
		CHECK(dnsvet_engine_submit(eng, &q, par_item_cb, &items[i]) == DNSVET_OK);
	}
	CHECK_EQ(dnsvet_engine_pending(eng), N);
	double t0 = now_ms();
	CHECK(dnsvet_engine_run(eng) == DNSVET_OK);
	double el = now_ms() - t0;
	CHECK_EQ(p.answered, N);
	CHECK_EQ(p.failed, 0);
	CHECK_EQ(p.wrong, 0);
	dnsvet_engine_stats st;
	dnsvet_engine_stats_get(eng, &st);
	printf("1000 parallel: %.1f ms, %llu sent, %llu retries\n", el,
	       (unsigned long long)st.sent_udp, (unsigned long long)st.retries);
	CHECK_EQ(st.accepted, N);
	dnsvet_engine_free(eng);
}

/* Two engines stepped alternately from one thread never see each other's
 * answers. */
static void test_two_engines(void)
{
	dnsvet_engine *a = new_engine(1000, 1), *b = new_engine(1000, 1);
	dnsvet_result *ra[20] = { 0 }, *rb[20] = { 0 };
	char names[40][32];

	for (int i = 0; i < 20; i++) {
		snprintf(names[i], sizeof(names[i]), "a%d.com.", i);
		snprintf(names[20 + i], sizeof(names[20 + i]), "b%d.delay20.fault.test.", i);
		dnsvet_query qa = mkq(&root_ns, root_ns_len, names[i], LDNS_RR_TYPE_NS, 0, 0);
		dnsvet_query qb = mkq(&misbehave, misbehave_len, names[20 + i], LDNS_RR_TYPE_TXT, 0, 0);
		CHECK(dnsvet_engine_submit(a, &qa, result_keep, &ra[i]) == DNSVET_OK);
		CHECK(dnsvet_engine_submit(b, &qb, result_keep, &rb[i]) == DNSVET_OK);
	}
	while (dnsvet_engine_pending(a) || dnsvet_engine_pending(b)) {
		CHECK(dnsvet_engine_step(a, 5) == DNSVET_OK);
		CHECK(dnsvet_engine_step(b, 5) == DNSVET_OK);
	}
	for (int i = 0; i < 20; i++) {
		CHECK(ra[i] && dnsvet_result_error(ra[i]) == DNSVET_QERR_NONE);
		CHECK(rb[i] && dnsvet_result_error(rb[i]) == DNSVET_QERR_NONE);
		if (ra[i])
			CHECK_STR(dnsvet_result_qname(ra[i]), names[i]);
		if (rb[i]) {
			CHECK_STR(dnsvet_result_qname(rb[i]), names[20 + i]);
			CHECK_STR(dnsvet_result_addr_str(rb[i]), misbehave_str);
		}
		dnsvet_result_free(ra[i]);
		dnsvet_result_free(rb[i]);
	}
	dnsvet_engine_stats sa, sb;
	dnsvet_engine_stats_get(a, &sa);
	dnsvet_engine_stats_get(b, &sb);
	CHECK_EQ(sa.accepted, 20);
	CHECK_EQ(sb.accepted, 20);
	CHECK_EQ(sa.dropped_id + sa.dropped_source + sa.dropped_question, 0);
	CHECK_EQ(sb.dropped_id + sb.dropped_source + sb.dropped_question, 0);
	dnsvet_engine_free(a);
	dnsvet_engine_free(b);
}

/*
 * Iterative resolution driven from callbacks: each referral's glue becomes
 * the next query, submitted from inside the callback, until an
 * authoritative answer. Also a fan-out: one callback submits many.
 */
struct walk {
	const char *qname;
	uint16_t qtype;
	int hops;
	dnsvet_result *final;
	int fanout_left, fanout_done;
};

static void walk_cb(dnsvet_engine *eng, const dnsvet_result *res, void *user)
{
	struct walk *w = user;
	w->hops++;
	if (dnsvet_result_error(res) != DNSVET_QERR_NONE || w->hops > 10) {
		w->final = dnsvet_result_take(res);
		return;
	}
	if (dnsvet_result_flags(res) & DNSVET_RF_AA) {
		w->final = dnsvet_result_take(res);
		return;
	}
	const ldns_rr_list *add = dnsvet_result_additional(res);
	for (size_t i = 0; add && i < ldns_rr_list_rr_count(add); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(add, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_A)
			continue;
		char *ip = ldns_rdf2str(ldns_rr_rdf(rr, 0));
		dnsvet_query q = mkq_text(ip, w->qname, w->qtype, 0, 0);
		free(ip);
		CHECK(dnsvet_engine_submit(eng, &q, walk_cb, w) == DNSVET_OK);
		return;
	}
	w->final = dnsvet_result_take(res);
}

static void fan_cb(dnsvet_engine *eng, const dnsvet_result *res, void *user)
{
	struct walk *w = user;
	CHECK_EQ(dnsvet_result_error(res), DNSVET_QERR_NONE);
	w->fanout_done++;
	/* Each completion submits two more until the budget is spent. */
	for (int k = 0; k < 2 && w->fanout_left > 0; k++) {
		char name[64];
		snprintf(name, sizeof(name), "f%d.fault.test.", w->fanout_left--);
		dnsvet_query q = mkq(&misbehave, misbehave_len, name, LDNS_RR_TYPE_A, 0, 0);
		CHECK(dnsvet_engine_submit(eng, &q, fan_cb, w) == DNSVET_OK);
	}
}

static void test_callbacks_submit(void)
{
	dnsvet_engine *eng = new_engine(1000, 1);
	struct walk w = { .qname = "amazonses.com.", .qtype = LDNS_RR_TYPE_NS };

	dnsvet_query q = mkq(&root_ns, root_ns_len, w.qname, w.qtype, 0, 0);
	CHECK(dnsvet_engine_submit(eng, &q, walk_cb, &w) == DNSVET_OK);
	CHECK(dnsvet_engine_run(eng) == DNSVET_OK);
	CHECK(w.final != NULL);
	if (w.final) {
		CHECK_EQ(dnsvet_result_error(w.final), DNSVET_QERR_NONE);
		CHECK(dnsvet_result_flags(w.final) & DNSVET_RF_AA);
		CHECK(ldns_rr_list_rr_count(dnsvet_result_answer(w.final)) >= 1);
		CHECK_STR(dnsvet_result_qname(w.final), "amazonses.com.");
	}
	CHECK_EQ(w.hops, 3); /* root -> com -> amazonses.com */
	dnsvet_result_free(w.final);

	struct walk f = { .fanout_left = 200 };
	q = mkq(&misbehave, misbehave_len, "f0.fault.test.", LDNS_RR_TYPE_A, 0, 0);
	CHECK(dnsvet_engine_submit(eng, &q, fan_cb, &f) == DNSVET_OK);
	CHECK(dnsvet_engine_run(eng) == DNSVET_OK);
	CHECK_EQ(f.fanout_done, 201);
	CHECK_EQ(dnsvet_engine_pending(eng), 0);
	dnsvet_engine_free(eng);
}

/* An embedder's own poll() loop: the engine fd plus next_timeout. */
static void test_embedder_loop(void)
{
	dnsvet_engine *eng = new_engine(200, 0);
	dnsvet_result *r1 = NULL, *r2 = NULL;
	dnsvet_query q1 = mkq(&misbehave, misbehave_len, "delay100.fault.test.", LDNS_RR_TYPE_A, 0, 0);
	dnsvet_query q2 = mkq(&misbehave, misbehave_len, "drop.fault.test.", LDNS_RR_TYPE_A, 0, 0);
	CHECK(dnsvet_engine_submit(eng, &q1, result_keep, &r1) == DNSVET_OK);
	CHECK(dnsvet_engine_submit(eng, &q2, result_keep, &r2) == DNSVET_OK);
	CHECK_EQ(dnsvet_engine_next_timeout_ms(eng), 0);
	int loops = 0;
	while (dnsvet_engine_pending(eng) && loops < 1000) {
		struct pollfd pfd = { .fd = dnsvet_engine_fd(eng), .events = POLLIN };
		int t = dnsvet_engine_next_timeout_ms(eng);
		CHECK(t >= 0 && t <= 200);
		poll(&pfd, 1, t);
		CHECK(dnsvet_engine_step(eng, 0) == DNSVET_OK);
		loops++;
	}
	CHECK_EQ(dnsvet_engine_next_timeout_ms(eng), -1);
	CHECK(r1 && dnsvet_result_error(r1) == DNSVET_QERR_NONE);
	CHECK(r2 && dnsvet_result_error(r2) == DNSVET_QERR_TIMEOUT);
	CHECK(loops < 50); /* woke up for events, not spinning */
	dnsvet_result_free(r1);
	dnsvet_result_free(r2);
	dnsvet_engine_free(eng);
}

static void test_cancel_inflight(void)
{
	dnsvet_engine *eng = new_engine(5000, 0);
	dnsvet_result *r[3] = { 0 };
	const char *names[3] = { "drop.fault.test.", "drop.fault.test.", "delay1000.fault.test." };
	for (int i = 0; i < 3; i++) {
		dnsvet_query q = mkq(&misbehave, misbehave_len, names[i], LDNS_RR_TYPE_A,
		                     i == 1 ? DNSVET_QF_TCP : 0, 0);
		CHECK(dnsvet_engine_submit(eng, &q, result_keep, &r[i]) == DNSVET_OK);
	}
	CHECK(dnsvet_engine_step(eng, 50) == DNSVET_OK);
	CHECK(eng->inflight == 3);
	dnsvet_engine_cancel_all(eng);
	CHECK_EQ(dnsvet_engine_pending(eng), 0);
	CHECK_EQ(eng->inflight, 0);
	for (int i = 0; i < 3; i++) {
		CHECK(r[i] && dnsvet_result_error(r[i]) == DNSVET_QERR_CANCELLED);
		dnsvet_result_free(r[i]);
	}
	dnsvet_engine_free(eng);
}

/* Per-server cap and rate cap hold while everything still completes. */
static void test_caps(void)
{
	dnsvet_engine_opts o;
	dnsvet_engine *eng = NULL;
	dnsvet_engine_opts_default(&o);
	o.max_per_server = 3;
	o.qps = 200;
	CHECK(dnsvet_engine_new(&o, &eng) == DNSVET_OK);
	static struct par p;
	static struct par_item items[60];
	for (int i = 0; i < 60; i++) {
		snprintf(p.names[i], sizeof(p.names[i]), "c%d.delay10.fault.test.", i);
		items[i] = (struct par_item){ &p, i };
		dnsvet_query q = mkq(&misbehave, misbehave_len, p.names[i], LDNS_RR_TYPE_A, 0, 0);
		CHECK(dnsvet_engine_submit(eng, &q, par_item_cb, &items[i]) == DNSVET_OK);
	}
	double t0 = now_ms();
	size_t max_seen = 0;
	while (dnsvet_engine_pending(eng)) {
		CHECK(dnsvet_engine_step(eng, -1) == DNSVET_OK);
		if (eng->inflight > max_seen)
			max_seen = eng->inflight;
	}
	double el = now_ms() - t0;
	CHECK_EQ(p.answered, 60);
	CHECK(max_seen <= 3);
	/* 60 queries at 200/s take about 0.3 s, at 3 x 10 ms about 0.2 s. */
	CHECK(el >= 250.0);
	dnsvet_engine_free(eng);
}

static uint16_t local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
		return 0;
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* UDP sockets outlive their tries: a retry leaves from another port, the late
 * answer to the first try is drained without touching any query, and many
 * queries share a few sockets. */
static void test_socket_pool(void)
{
	/* the first try (500 ms) times out, the second (1 s) gets its answer at 750 ms: a quarter
	 * of a second to spare either way, which a slow valgrind run needs */
	dnsvet_engine *eng = new_engine(500, 1);
	dnsvet_result *r = NULL;
	dnsvet_query q = mkq(&misbehave, misbehave_len, "delay750.fault.test.", LDNS_RR_TYPE_A, 0, 0);
	dnsvet_engine_stats st;
	uint16_t port1, port2 = 0;

	CHECK(dnsvet_engine_submit(eng, &q, result_keep, &r) == DNSVET_OK);
	CHECK(dnsvet_engine_step(eng, 0) == DNSVET_OK);
	struct eng_query *eq = only_inflight(eng);
	CHECK(eq != NULL && eq->state == EQ_UDP);
	if (!eq) {
		dnsvet_engine_free(eng);
		return;
	}
	port1 = local_port(eq->fd);
	CHECK(port1 != 0);
	while (!r && eq->res->tries < 2)
		CHECK(dnsvet_engine_step(eng, -1) == DNSVET_OK);
	if (!r)
		port2 = local_port(eq->fd);
	CHECK(port2 != 0 && port2 != port1);
	CHECK(dnsvet_engine_run(eng) == DNSVET_OK);
	CHECK(r != NULL);
	if (r) {
		CHECK_EQ(dnsvet_result_error(r), DNSVET_QERR_NONE);
		CHECK_EQ(dnsvet_result_tries(r), 2);
	}
	dnsvet_result_free(r);
	dnsvet_engine_stats_get(eng, &st);
	CHECK_EQ(st.dropped_id + st.dropped_source + st.dropped_question + st.malformed, 0);
	dnsvet_engine_free(eng);

	/* 300 queries, 8 at a time: at most 8 sockets, all closed with the engine. */
	dnsvet_engine_opts o;
	static struct par p;
	static struct par_item items[300];
	uint32_t open = 0;
	dnsvet_engine_opts_default(&o);
	o.max_inflight = 8;
	CHECK(dnsvet_engine_new(&o, &eng) == DNSVET_OK);
	for (int i = 0; i < 300; i++) {
		snprintf(p.names[i], sizeof(p.names[i]), "p%d.com.", i);
		items[i] = (struct par_item){ &p, i };
		q = mkq(&root_ns, root_ns_len, p.names[i], LDNS_RR_TYPE_A, 0, 0);
		CHECK(dnsvet_engine_submit(eng, &q, par_item_cb, &items[i]) == DNSVET_OK);
	}
	CHECK(dnsvet_engine_run(eng) == DNSVET_OK);
	CHECK_EQ(p.answered, 300);
	CHECK_EQ(p.wrong, 0);
	for (uint32_t i = 0; i < eng->nusocks; i++)
		open += eng->usocks[i].fd >= 0;
	CHECK(open >= 1 && open <= 8);
	dnsvet_engine_stats_get(eng, &st);
	CHECK_EQ(st.sent_udp, 300);
	CHECK_EQ(st.accepted, 300);
	dnsvet_engine_free(eng);
}

/* The lowest free descriptor: a limit there leaves none to open. */
static unsigned lowest_free_fd(void)
{
	int fd = 0;

	while (fcntl(fd, F_GETFD) != -1)
		fd++;
	return (unsigned)fd;
}

/* Out of descriptors, queries wait for one instead of failing, and idle UDP
 * sockets are given back first: UDP queries through 16 spare descriptors fill
 * the pool, then TCP queries (one descriptor each) still find theirs. */
static void test_fd_limit(void)
{
	struct rlimit old, low;
	dnsvet_engine_opts o;
	dnsvet_engine *eng = NULL;
	static struct par p;
	static struct par_item items[220];

	if (getrlimit(RLIMIT_NOFILE, &old) != 0)
		return;
	low = old;
	low.rlim_cur = lowest_free_fd() + 16;
	dnsvet_engine_opts_default(&o);
	o.max_inflight = 200;
	o.max_per_server = 200;
	o.timeout_ms = 2000;
	CHECK(dnsvet_engine_new(&o, &eng) == DNSVET_OK);
	CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
	for (int i = 0; i < 220; i++) {
		snprintf(p.names[i], sizeof(p.names[i]), "f%d.com.", i);
		items[i] = (struct par_item){ &p, i };
		dnsvet_query q = mkq(&root_ns, root_ns_len, p.names[i], LDNS_RR_TYPE_A,
		                     i < 200 ? 0 : DNSVET_QF_TCP, 0);
		CHECK(dnsvet_engine_submit(eng, &q, par_item_cb, &items[i]) == DNSVET_OK);
		if (i == 199) {
			CHECK(dnsvet_engine_run(eng) == DNSVET_OK);
			CHECK_EQ(p.answered, 200);
		}
	}
	CHECK(dnsvet_engine_run(eng) == DNSVET_OK);
	CHECK_EQ(p.answered, 220);
	CHECK_EQ(p.failed, 0);
	dnsvet_engine_free(eng);
	setrlimit(RLIMIT_NOFILE, &old);

	/* No descriptor at all and nothing to wait for: the queries fail, and
	 * nothing stays counted in flight. */
	static struct par p2;
	static struct par_item items2[4];
	CHECK(dnsvet_engine_new(&o, &eng) == DNSVET_OK);
	low.rlim_cur = lowest_free_fd();
	CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
	for (int i = 0; i < 4; i++) {
		snprintf(p2.names[i], sizeof(p2.names[i]), "g%d.com.", i);
		items2[i] = (struct par_item){ &p2, i };
		dnsvet_query q = mkq(&root_ns, root_ns_len, p2.names[i], LDNS_RR_TYPE_A,
		                     i == 3 ? DNSVET_QF_TCP : 0, 0);
		CHECK(dnsvet_engine_submit(eng, &q, par_item_cb, &items2[i]) == DNSVET_OK);
		if (i == 2) {
			CHECK(dnsvet_engine_run(eng) == DNSVET_OK);
			CHECK_EQ(p2.failed, 3);
			CHECK_EQ(eng->inflight, 0);
			setrlimit(RLIMIT_NOFILE, &old);
		}
	}
	CHECK(dnsvet_engine_run(eng) == DNSVET_OK);
	CHECK_EQ(p2.answered, 1);
	CHECK_EQ(eng->inflight, 0);
	dnsvet_engine_free(eng);
}

int main(void)
{
	const char *mb = getenv("LAB_MISBEHAVE");
	const char *hints = getenv("LAB_ROOT_HINTS");
	char err[256] = "";
	dnsvet_roothints *h = NULL;
	struct rlimit rl;

	if (!mb || !*mb || !hints) {
		fprintf(stderr, "run me through tests/lab/labrun\n");
		return 77;
	}
	/* One descriptor per query in flight. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096) {
		rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	CHECK(dnsvet_engine_addr_parse(mb, 53, &misbehave, &misbehave_len) == DNSVET_OK);
	dnsvet_engine_addr_str((struct sockaddr *)&misbehave, misbehave_str, sizeof(misbehave_str));
	CHECK(dnsvet_roothints_load(hints, 53, &h, err, sizeof(err)) == DNSVET_OK);
	if (!h) {
		fprintf(stderr, "%s\n", err);
		return t_finish("test_engine_lab");
	}
	CHECK_STR(dnsvet_addrlist_get(h, 0)->name, "a.root-servers.net.");
	memcpy(&root_ns, &dnsvet_addrlist_get(h, 0)->addr, dnsvet_addrlist_get(h, 0)->addrlen);
	root_ns_len = dnsvet_addrlist_get(h, 0)->addrlen;
	dnsvet_roothints_free(h);

	test_nsd_basic();
	test_misbehaviours();
	test_forged_answers();
	test_dead_and_unreachable();
	test_thousand_parallel();
	test_two_engines();
	test_callbacks_submit();
	test_embedder_loop();
	test_cancel_inflight();
	test_caps();
	test_socket_pool();
	test_fd_limit();
	return t_finish("test_engine_lab");
}
