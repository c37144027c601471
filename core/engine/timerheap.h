/* Binary min-heap of query deadlines. Each query records its heap index so
 * that a deadline can be moved or removed in O(log n). */
#ifndef DNSVET_ENGINE_TIMERHEAP_H
#define DNSVET_ENGINE_TIMERHEAP_H

#include <stdint.h>
#include <stddef.h>

#include <dnsvet/status.h>

#define EQ_HEAP_NONE ((size_t)-1)

struct eng_query;

struct eng_timer {
	uint64_t when_ns;
	struct eng_query *q;
};

struct eng_timerheap {
	struct eng_timer *v;
	size_t n, cap;
};

void eng_heap_init(struct eng_timerheap *h);
void eng_heap_clear(struct eng_timerheap *h);
/* Insert q (q->heap_idx must be EQ_HEAP_NONE) or move it if already in. */
dnsvet_status eng_heap_set(struct eng_timerheap *h, struct eng_query *q, uint64_t when_ns);
void eng_heap_remove(struct eng_timerheap *h, struct eng_query *q);
/* Earliest entry or NULL. */
const struct eng_timer *eng_heap_top(const struct eng_timerheap *h);
/* Make room for n entries so eng_heap_set cannot fail for them. */
dnsvet_status eng_heap_reserve(struct eng_timerheap *h, size_t n);

#endif
