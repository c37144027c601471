/* Engine bookkeeping without traffic: deadline heap, argument checks,
 * queueing, cancellation, callback ownership. Nothing here is sent: queries
 * are cancelled before the engine is ever stepped. */
#include <sys/random.h>

#include <dnsvet/engine.h>
#include "engine/engine_int.h"
#include "test_engine_check.h"

static uint32_t rnd(void)
{
	uint32_t v = 0;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = 4;
	return v;
}

static void test_heap(void)
{
	enum { N = 2000 };
	struct eng_timerheap h;
	static struct eng_query qs[N];
	static bool in[N];

	eng_heap_init(&h);
	for (int i = 0; i < N; i++) {
		qs[i].heap_idx = EQ_HEAP_NONE;
		in[i] = false;
	}
	for (int round = 0; round < 20000; round++) {
		int i = (int)(rnd() % N);
		uint32_t op = rnd() % 3;
		if (op < 2) {
			CHECK(eng_heap_set(&h, &qs[i], rnd() % 100000) == DNSVET_OK);
			in[i] = true;
		} else {
			eng_heap_remove(&h, &qs[i]);
			CHECK(qs[i].heap_idx == EQ_HEAP_NONE);
			in[i] = false;
		}
	}
	size_t count = 0;
	for (int i = 0; i < N; i++)
		count += in[i];
	CHECK_EQ(h.n, count);
	uint64_t last = 0;
	bool ordered = true;
	while (h.n) {
		const struct eng_timer *t = eng_heap_top(&h);
		if (t->when_ns < last)
			ordered = false;
		last = t->when_ns;
		struct eng_query *q = t->q;
		CHECK(in[q - qs]);
		in[q - qs] = false;
		eng_heap_remove(&h, q);
	}
	CHECK(ordered);
	CHECK(eng_heap_top(&h) == NULL);
	eng_heap_clear(&h);
}

struct tally {
	int calls;
	int cancelled;
	int resubmit;          /* submit from the callback this many times */
	dnsvet_status resubmit_st;
	dnsvet_result *kept;
	dnsvet_status step_st;
};

static dnsvet_query make_query(const char *addr, const char *name)
{
	dnsvet_query q;
	memset(&q, 0, sizeof(q));
	CHECK(dnsvet_engine_addr_parse(addr, 53, &q.addr, &q.addrlen) == DNSVET_OK);
	q.qname = name;
	q.qtype = LDNS_RR_TYPE_A;
	return q;
}

static void cb_count(dnsvet_engine *eng, const dnsvet_result *res, void *user)
{
	struct tally *t = user;
	t->calls++;
	if (dnsvet_result_error(res) == DNSVET_QERR_CANCELLED)
		t->cancelled++;
	/* Re-entering the loop from a callback is refused, not corrupting. */
	t->step_st = dnsvet_engine_step(eng, 0);
	if (t->resubmit > 0) {
		t->resubmit--;
		dnsvet_query q = make_query("192.0.2.1", "again.example.");
		t->resubmit_st = dnsvet_engine_submit(eng, &q, cb_count, t);
	}
	if (!t->kept) {
		t->kept = dnsvet_result_take(res);
		CHECK(t->kept == res);
		/* A second take of the same result gets nothing. */
		CHECK(dnsvet_result_take(res) == NULL);
	}
}

static void test_api(void)
{
	dnsvet_engine *eng = NULL;
	dnsvet_engine_opts o;
	dnsvet_engine_stats st;

	dnsvet_engine_opts_default(&o);
	CHECK_EQ(o.edns_size, 1232);
	CHECK(o.timeout_ms > 0 && o.max_inflight > 0);
	o.timeout_ms = 0;
	CHECK(dnsvet_engine_new(&o, &eng) == DNSVET_ERR_INVALID);
	CHECK(eng == NULL);
	dnsvet_engine_opts_default(&o);
	o.max_inflight = 0;
	CHECK(dnsvet_engine_new(&o, &eng) == DNSVET_ERR_INVALID);
	CHECK(dnsvet_engine_new(NULL, NULL) == DNSVET_ERR_INVALID);

	CHECK(dnsvet_engine_new(NULL, &eng) == DNSVET_OK);
	CHECK(dnsvet_engine_fd(eng) >= 0);
	CHECK_EQ(dnsvet_engine_next_timeout_ms(eng), -1);
	CHECK_EQ(dnsvet_engine_pending(eng), 0);
	CHECK(dnsvet_engine_step(eng, 1000) == DNSVET_OK); /* nothing to wait for: returns */
	CHECK(dnsvet_engine_run(eng) == DNSVET_OK);

	struct tally t = { 0 };
	dnsvet_query q = make_query("192.0.2.1", "www.example.com");
	CHECK(dnsvet_engine_submit(eng, &q, NULL, &t) == DNSVET_ERR_INVALID);
	q.qname = "bad..name";
	CHECK(dnsvet_engine_submit(eng, &q, cb_count, &t) == DNSVET_ERR_INVALID);
	q.qname = NULL;
	CHECK(dnsvet_engine_submit(eng, &q, cb_count, &t) == DNSVET_ERR_INVALID);
	q = make_query("192.0.2.1", "www.example.com");
	q.addrlen = 4;
	CHECK(dnsvet_engine_submit(eng, &q, cb_count, &t) == DNSVET_ERR_INVALID);
	q = make_query("192.0.2.1", "www.example.com");
	q.addr.ss_family = AF_UNIX;
	CHECK(dnsvet_engine_submit(eng, &q, cb_count, &t) == DNSVET_ERR_INVALID);
	CHECK_EQ(t.calls, 0);

	/* Queued, then cancelled: callbacks run from cancel_all, resubmits
	 * during cancellation are refused. */
	for (int i = 0; i < 10; i++) {
		q = make_query(i % 2 ? "192.0.2.1" : "[2001:db8::53]:5353", "www.example.com");
		CHECK(dnsvet_engine_submit(eng, &q, cb_count, &t) == DNSVET_OK);
	}
	CHECK_EQ(dnsvet_engine_pending(eng), 10);
	CHECK_EQ(dnsvet_engine_next_timeout_ms(eng), 0);
	t.resubmit = 1;
	dnsvet_engine_cancel_all(eng);
	CHECK_EQ(t.calls, 10);
	CHECK_EQ(t.cancelled, 10);
	CHECK(t.resubmit_st == DNSVET_ERR_STATE);
	CHECK(t.step_st == DNSVET_ERR_STATE);
	CHECK_EQ(dnsvet_engine_pending(eng), 0);
	CHECK(t.kept != NULL);
	if (t.kept) {
		CHECK_EQ(dnsvet_result_error(t.kept), DNSVET_QERR_CANCELLED);
		CHECK_STR(dnsvet_result_qname(t.kept), "www.example.com.");
		CHECK_EQ(dnsvet_result_tries(t.kept), 0);
		CHECK(dnsvet_result_pkt(t.kept) == NULL);
		CHECK_EQ(dnsvet_result_rcode(t.kept), -1);
		CHECK_STR(dnsvet_result_addr_str(t.kept), "[2001:db8::53]:5353");
		dnsvet_result_free(t.kept);
		t.kept = NULL;
	}
	dnsvet_engine_stats_get(eng, &st);
	CHECK_EQ(st.submitted, 10);
	CHECK_EQ(st.completed, 10);
	CHECK_EQ(st.errors, 10);
	CHECK_EQ(st.sent_udp + st.sent_tcp, 0);

	/* After cancellation the engine takes work again. */
	q = make_query("192.0.2.1", "www.example.com");
	CHECK(dnsvet_engine_submit(eng, &q, cb_count, &t) == DNSVET_OK);
	CHECK_EQ(dnsvet_engine_pending(eng), 1);

	/* Freeing with a query pending runs its callback (so user data can be
	 * released). */
	int before = t.calls;
	dnsvet_engine_free(eng);
	CHECK_EQ(t.calls, before + 1);
	dnsvet_result_free(t.kept);
	dnsvet_engine_free(NULL);
}

static void test_two_engines_independent(void)
{
	dnsvet_engine *a = NULL, *b = NULL;
	struct tally ta = { 0 }, tb = { 0 };

	CHECK(dnsvet_engine_new(NULL, &a) == DNSVET_OK);
	CHECK(dnsvet_engine_new(NULL, &b) == DNSVET_OK);
	CHECK(dnsvet_engine_fd(a) != dnsvet_engine_fd(b));
	dnsvet_query q = make_query("192.0.2.1", "a.example.");
	for (int i = 0; i < 3; i++)
		CHECK(dnsvet_engine_submit(a, &q, cb_count, &ta) == DNSVET_OK);
	CHECK(dnsvet_engine_submit(b, &q, cb_count, &tb) == DNSVET_OK);
	CHECK_EQ(dnsvet_engine_pending(a), 3);
	CHECK_EQ(dnsvet_engine_pending(b), 1);
	dnsvet_engine_cancel_all(a);
	CHECK_EQ(ta.calls, 3);
	CHECK_EQ(tb.calls, 0);
	CHECK_EQ(dnsvet_engine_pending(b), 1);
	dnsvet_engine_free(a);
	dnsvet_engine_free(b);
	CHECK_EQ(tb.calls, 1);
	dnsvet_result_free(ta.kept);
	dnsvet_result_free(tb.kept);
}

int main(void)
{
	test_heap();
	test_api();
	test_two_engines_independent();
	return t_finish("test_engine_core");
}
