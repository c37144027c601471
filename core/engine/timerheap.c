#include <stdlib.h>

#include "engine/engine_int.h"
#include "engine/timerheap.h"

void eng_heap_init(struct eng_timerheap *h)
{
	h->v = NULL;
	h->n = h->cap = 0;
}

void eng_heap_clear(struct eng_timerheap *h)
{
	free(h->v);
	eng_heap_init(h);
}

dnsvet_status eng_heap_reserve(struct eng_timerheap *h, size_t n)
{
	if (n <= h->cap)
		return DNSVET_OK;
	size_t cap = h->cap ? h->cap : 64;
	while (cap < n)
		cap *= 2;
	struct eng_timer *v = realloc(h->v, cap * sizeof(*v));
	if (!v)
		return DNSVET_ERR_NOMEM;
	h->v = v;
	h->cap = cap;
	return DNSVET_OK;
}

static void place(struct eng_timerheap *h, size_t i, struct eng_timer t)
{
	h->v[i] = t;
	t.q->heap_idx = i;
}

static void sift_up(struct eng_timerheap *h, size_t i)
{
	struct eng_timer t = h->v[i];
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (h->v[p].when_ns <= t.when_ns)
			break;
		place(h, i, h->v[p]);
		i = p;
	}
	place(h, i, t);
}

static void sift_down(struct eng_timerheap *h, size_t i)
{
	struct eng_timer t = h->v[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1].when_ns < h->v[c].when_ns)
			c++;
		if (t.when_ns <= h->v[c].when_ns)
			break;
		place(h, i, h->v[c]);
		i = c;
	}
	place(h, i, t);
}

dnsvet_status eng_heap_set(struct eng_timerheap *h, struct eng_query *q, uint64_t when_ns)
{
	if (q->heap_idx != EQ_HEAP_NONE) {
		size_t i = q->heap_idx;
		uint64_t old = h->v[i].when_ns;
		h->v[i].when_ns = when_ns;
		if (when_ns < old)
			sift_up(h, i);
		else
			sift_down(h, i);
		return DNSVET_OK;
	}
	dnsvet_status st = eng_heap_reserve(h, h->n + 1);
	if (st != DNSVET_OK)
		return st;
	h->v[h->n] = (struct eng_timer){ .when_ns = when_ns, .q = q };
	q->heap_idx = h->n;
	h->n++;
	sift_up(h, h->n - 1);
	return DNSVET_OK;
}

void eng_heap_remove(struct eng_timerheap *h, struct eng_query *q)
{
	size_t i = q->heap_idx;
	if (i == EQ_HEAP_NONE || i >= h->n || h->v[i].q != q)
		return;
	q->heap_idx = EQ_HEAP_NONE;
	h->n--;
	if (i == h->n)
		return;
	uint64_t removed = h->v[i].when_ns;
	place(h, i, h->v[h->n]);
	if (h->v[i].when_ns < removed)
		sift_up(h, i);
	else
		sift_down(h, i);
}

const struct eng_timer *eng_heap_top(const struct eng_timerheap *h)
{
	return h->n ? &h->v[0] : NULL;
}
