/*
 * The engine proper: submission queues, per-server caps and rate limiting,
 * the epoll loop, deadlines, completion and callbacks. Socket work for each
 * transport lives in io_udp.c and io_tcp.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>

#include "engine/engine_int.h"
#include "engine/deliver.h"
#include "engine/wire.h"

#define SLOT_NONE UINT32_MAX
/* Generations stay below ENG_EV_USOCK in the epoll data. */
#define SLOT_GEN_MASK 0x7fffffffu

uint64_t eng_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void dnsvet_engine_opts_default(dnsvet_engine_opts *opts)
{
	if (!opts)
		return;
	memset(opts, 0, sizeof(*opts));
	opts->timeout_ms = 1000;
	opts->timeout_max_ms = 4000;
	opts->retries = 2;
	opts->max_inflight = 256;
	opts->max_per_server = 32;
	opts->qps = 0;
	opts->edns_size = 1232;
}

dnsvet_qerror eng_errno_class(int e)
{
	switch (e) {
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EADDRNOTAVAIL:
	case ENETDOWN:
	case EHOSTDOWN:
	case EAFNOSUPPORT:
	case EACCES:
	case EPERM:
		return DNSVET_QERR_UNREACHABLE;
	case ECONNREFUSED:
	case ECONNRESET:
		return DNSVET_QERR_REFUSED;
	case ETIMEDOUT:
		return DNSVET_QERR_TIMEOUT;
	case EPIPE:
		return DNSVET_QERR_CLOSED;
	default:
		return DNSVET_QERR_IO;
	}
}

bool eng_addr_equal(const struct sockaddr *a, socklen_t alen, const struct sockaddr_storage *b)
{
	if (a->sa_family != b->ss_family)
		return false;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const struct sockaddr_in *)a;
		const struct sockaddr_in *y = (const struct sockaddr_in *)b;
		return alen >= (socklen_t)sizeof(*x) && x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
		const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)b;
		if (alen < (socklen_t)sizeof(*x) || x->sin6_port != y->sin6_port ||
		    memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) != 0)
			return false;
		return !x->sin6_scope_id || !y->sin6_scope_id || x->sin6_scope_id == y->sin6_scope_id;
	}
	return false;
}

/* ---- servers: hash table, wait queues, runnable round-robin ---- */

static uint32_t addr_hash(const struct sockaddr_storage *ss)
{
	const uint8_t *p;
	size_t n;
	uint32_t h = 2166136261u;
	uint16_t port;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
		p = (const uint8_t *)&s->sin_addr;
		n = sizeof(s->sin_addr);
		port = s->sin_port;
	} else {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
		p = (const uint8_t *)&s->sin6_addr;
		n = sizeof(s->sin6_addr);
		port = s->sin6_port;
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	h = (h ^ (uint8_t)port) * 16777619u;
	h = (h ^ (uint8_t)(port >> 8)) * 16777619u;
	return h;
}

static dnsvet_status srv_tab_grow(dnsvet_engine *eng)
{
	size_t nsize = eng->srv_tab_size * 2;
	struct eng_server **nt = calloc(nsize, sizeof(*nt));
	if (!nt)
		return DNSVET_ERR_NOMEM;
	for (size_t i = 0; i < eng->srv_tab_size; i++) {
		struct eng_server *s = eng->srv_tab[i], *next;
		for (; s; s = next) {
			next = s->hnext;
			size_t b = s->hash & (nsize - 1);
			s->hnext = nt[b];
			nt[b] = s;
		}
	}
	free(eng->srv_tab);
	eng->srv_tab = nt;
	eng->srv_tab_size = nsize;
	return DNSVET_OK;
}

static struct eng_server *srv_get(dnsvet_engine *eng, const struct sockaddr_storage *ss,
                                  socklen_t len)
{
	uint32_t h = addr_hash(ss);
	struct eng_server *s;

	for (s = eng->srv_tab[h & (eng->srv_tab_size - 1)]; s; s = s->hnext)
		if (s->hash == h && eng_addr_equal((const struct sockaddr *)&s->addr, s->addrlen, ss))
			return s;
	if (eng->nservers >= eng->srv_tab_size && srv_tab_grow(eng) != DNSVET_OK)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	memcpy(&s->addr, ss, len);
	s->addrlen = len;
	s->hash = h;
	size_t b = h & (eng->srv_tab_size - 1);
	s->hnext = eng->srv_tab[b];
	eng->srv_tab[b] = s;
	eng->nservers++;
	return s;
}

static void srv_free_if_idle(dnsvet_engine *eng, struct eng_server *s)
{
	if (s->inflight || s->qhead || s->runnable)
		return;
	struct eng_server **pp = &eng->srv_tab[s->hash & (eng->srv_tab_size - 1)];
	while (*pp && *pp != s)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = s->hnext;
	eng->nservers--;
	free(s);
}

static bool srv_has_room(const dnsvet_engine *eng, const struct eng_server *s)
{
	return !eng->opts.max_per_server || s->inflight < eng->opts.max_per_server;
}

static void run_push(dnsvet_engine *eng, struct eng_server *s, bool front)
{
	s->runnable = true;
	if (front) {
		s->rnext = eng->run_head;
		eng->run_head = s;
		if (!eng->run_tail)
			eng->run_tail = s;
		return;
	}
	s->rnext = NULL;
	if (eng->run_tail)
		eng->run_tail->rnext = s;
	else
		eng->run_head = s;
	eng->run_tail = s;
}

static struct eng_server *run_pop(dnsvet_engine *eng)
{
	struct eng_server *s = eng->run_head;
	if (!s)
		return NULL;
	eng->run_head = s->rnext;
	if (!eng->run_head)
		eng->run_tail = NULL;
	s->rnext = NULL;
	s->runnable = false;
	return s;
}

static void srv_maybe_runnable(dnsvet_engine *eng, struct eng_server *s)
{
	if (!s->runnable && s->qhead && srv_has_room(eng, s))
		run_push(eng, s, false);
}

/* ---- slots: stable small integers for epoll data ---- */

static dnsvet_status slot_alloc(dnsvet_engine *eng, struct eng_query *q)
{
	if (eng->free_slot == SLOT_NONE) {
		uint32_t n = eng->nslots ? eng->nslots * 2 : 256;
		struct eng_slot *ns = realloc(eng->slots, (size_t)n * sizeof(*ns));
		if (!ns)
			return DNSVET_ERR_NOMEM;
		for (uint32_t i = eng->nslots; i < n; i++) {
			ns[i].q = NULL;
			ns[i].gen = 0;
			ns[i].next_free = (i + 1 < n) ? i + 1 : SLOT_NONE;
		}
		eng->free_slot = eng->nslots;
		eng->slots = ns;
		eng->nslots = n;
	}
	uint32_t i = eng->free_slot;
	eng->free_slot = eng->slots[i].next_free;
	eng->slots[i].q = q;
	q->slot = i;
	return DNSVET_OK;
}

static void slot_release(dnsvet_engine *eng, struct eng_query *q)
{
	if (q->slot == SLOT_NONE)
		return;
	struct eng_slot *s = &eng->slots[q->slot];
	s->q = NULL;
	s->gen = (s->gen + 1) & SLOT_GEN_MASK;
	s->next_free = eng->free_slot;
	eng->free_slot = q->slot;
	q->slot = SLOT_NONE;
}

int eng_slot_register(dnsvet_engine *eng, struct eng_query *q, int fd, uint32_t events)
{
	struct eng_slot *s = &eng->slots[q->slot];
	/* A fresh generation per descriptor: events still queued for a closed
	 * one can never be mistaken for the new one. */
	s->gen = (s->gen + 1) & SLOT_GEN_MASK;
	struct epoll_event ev = { .events = events,
	                          .data.u64 = ((uint64_t)s->gen << 32) | q->slot };
	return epoll_ctl(eng->epfd, EPOLL_CTL_ADD, fd, &ev);
}

int eng_slot_modify(dnsvet_engine *eng, struct eng_query *q, uint32_t events)
{
	struct eng_slot *s = &eng->slots[q->slot];
	struct epoll_event ev = { .events = events,
	                          .data.u64 = ((uint64_t)s->gen << 32) | q->slot };
	return epoll_ctl(eng->epfd, EPOLL_CTL_MOD, q->fd, &ev);
}

void eng_close_fd(dnsvet_engine *eng, struct eng_query *q)
{
	if (q->usock != ENG_NONE) {
		eng_usock_release(eng, q);
		return;
	}
	if (q->fd >= 0) {
		/* close() drops the epoll registration: the fd is never dup'ed. */
		close(q->fd);
		q->fd = -1;
	}
}

/* ---- lifecycle ---- */

unsigned eng_try_timeout_ms(const dnsvet_engine *eng, const struct eng_query *q)
{
	unsigned t = q->timeout_ms;
	unsigned cap = eng->opts.timeout_max_ms > t ? eng->opts.timeout_max_ms : t;
	unsigned n = q->res->tries > 0 ? q->res->tries - 1 : 0;

	while (n-- > 0 && t < cap)
		t = (t > cap / 2) ? cap : t * 2;
	return t;
}

void eng_set_deadline(dnsvet_engine *eng, struct eng_query *q, uint64_t deadline_ns)
{
	q->deadline_ns = deadline_ns;
	/* Room for every in-flight query is reserved at start, so this cannot
	 * fail here. */
	(void)eng_heap_set(&eng->timers, q, deadline_ns);
}

static void done_push(dnsvet_engine *eng, struct eng_query *q)
{
	q->next = NULL;
	if (eng->done_tail)
		eng->done_tail->next = q;
	else
		eng->done_head = q;
	eng->done_tail = q;
}

void eng_finish(dnsvet_engine *eng, struct eng_query *q, dnsvet_qerror err, int sys_errno)
{
	if (q->state == EQ_DONE)
		return;
	/* A query holds a slot from its start, also when its first socket could
	 * not be opened and it is still EQ_WAITING. */
	if (q->slot != SLOT_NONE) {
		eng_close_fd(eng, q);
		eng_heap_remove(&eng->timers, q);
		slot_release(eng, q);
		eng->inflight--;
		eng->fd_starved = false;
		if (q->srv) {
			q->srv->inflight--;
			srv_maybe_runnable(eng, q->srv);
		}
	}
	if (q->srv) {
		srv_free_if_idle(eng, q->srv);
		q->srv = NULL;
	}
	free(q->tcp_buf);
	q->tcp_buf = NULL;
	q->res->error = err;
	q->res->sys_errno = sys_errno;
	if (err != DNSVET_QERR_NONE) {
		eng->stats.errors++;
		if (err == DNSVET_QERR_TIMEOUT)
			eng->stats.timeouts++;
	} else {
		eng->stats.accepted++;
	}
	q->state = EQ_DONE;
	done_push(eng, q);
}

/* socket() failed with errno e while starting q. Out of descriptors with
 * other queries still holding some is back-pressure, not an error: q goes
 * back to the head of its queue until a descriptor is released. */
void eng_open_failed(dnsvet_engine *eng, struct eng_query *q, int e)
{
	/* Idle UDP sockets are the first descriptors to give back. */
	bool freed = (e == EMFILE || e == ENFILE) && eng_usock_trim(eng, 0) > 0;

	if ((e == EMFILE || e == ENFILE) && q->res->tries == 0 && (freed || eng->inflight > 1) &&
	    q->srv) {
		eng_heap_remove(&eng->timers, q);
		slot_release(eng, q);
		eng->inflight--;
		q->srv->inflight--;
		q->state = EQ_WAITING;
		q->next = q->srv->qhead;
		q->srv->qhead = q;
		if (!q->srv->qtail)
			q->srv->qtail = q;
		if (!q->srv->runnable)
			run_push(eng, q->srv, true);
		eng->fd_starved = !freed;
		return;
	}
	eng_finish(eng, q, e == EMFILE || e == ENFILE ? DNSVET_QERR_IO : eng_errno_class(e), e);
}

static void query_free(struct eng_query *q)
{
	if (q->res)
		dnsvet_result_free(q->res);
	free(q->tcp_buf);
	free(q);
}

static void run_callbacks(dnsvet_engine *eng)
{
	struct eng_query *q;

	/* A nested call (cancel_all from a callback) leaves delivery to the
	 * outer loop, which picks up everything appended meanwhile. */
	if (eng->in_callback)
		return;
	eng->in_callback = 1;
	while ((q = eng->done_head) != NULL) {
		eng->done_head = q->next;
		if (!eng->done_head)
			eng->done_tail = NULL;
		eng->pending--;
		eng->stats.completed++;
		q->res->lent = true;
		q->cb(eng, q->res, q->user);
		if (!q->res->lent)
			q->res = NULL; /* taken by the callback */
		else
			q->res->lent = false;
		query_free(q);
	}
	eng->in_callback = 0;
	if (eng->cancel_reset) {
		eng->cancel_reset = false;
		eng->cancelling = false;
	}
}

static bool qps_take(dnsvet_engine *eng, uint64_t now)
{
	if (!eng->opts.qps)
		return true;
	double burst = eng->opts.qps / 50.0;
	if (burst < 1.0)
		burst = 1.0;
	if (now > eng->qps_last_ns) {
		eng->qps_tokens += (double)(now - eng->qps_last_ns) * eng->opts.qps / 1e9;
		if (eng->qps_tokens > burst)
			eng->qps_tokens = burst;
		eng->qps_last_ns = now;
	}
	if (eng->qps_tokens < 1.0)
		return false;
	eng->qps_tokens -= 1.0;
	return true;
}

static void start_query(dnsvet_engine *eng, struct eng_query *q, uint64_t now)
{
	if (slot_alloc(eng, q) != DNSVET_OK ||
	    eng_heap_reserve(&eng->timers, eng->inflight + 1) != DNSVET_OK) {
		/* Nothing to hold yet: finish as if it never started. */
		q->state = EQ_WAITING;
		slot_release(eng, q);
		eng_finish(eng, q, DNSVET_QERR_IO, ENOMEM);
		return;
	}
	eng->inflight++;
	q->srv->inflight++;
	if (q->flags & DNSVET_QF_TCP)
		eng_tcp_start(eng, q, now);
	else
		eng_udp_start(eng, q, now);
}

static void dispatch(dnsvet_engine *eng, uint64_t now)
{
	while (eng->run_head && eng->inflight < eng->opts.max_inflight && !eng->fd_starved) {
		if (!qps_take(eng, now))
			break;
		struct eng_server *s = run_pop(eng);
		struct eng_query *q = s->qhead;
		s->qhead = q->next;
		if (!s->qhead)
			s->qtail = NULL;
		q->next = NULL;
		/* Round-robin between servers: one query each per turn. */
		if (s->qhead && (!eng->opts.max_per_server || s->inflight + 1 < eng->opts.max_per_server))
			run_push(eng, s, false);
		start_query(eng, q, now);
	}
}

static void on_deadline(dnsvet_engine *eng, struct eng_query *q, uint64_t now)
{
	if (q->res->tries < q->tries_max) {
		eng->stats.retries++;
		if (q->state == EQ_UDP)
			eng_udp_start(eng, q, now);
		else
			eng_tcp_start(eng, q, now);
		return;
	}
	eng_finish(eng, q, q->saw_garbage ? DNSVET_QERR_MALFORMED : DNSVET_QERR_TIMEOUT, 0);
}

/* ---- public API ---- */

dnsvet_status dnsvet_engine_new(const dnsvet_engine_opts *opts, dnsvet_engine **out)
{
	dnsvet_engine *eng;

	if (!out)
		return DNSVET_ERR_INVALID;
	*out = NULL;
	eng = calloc(1, sizeof(*eng));
	if (!eng)
		return DNSVET_ERR_NOMEM;
	if (opts)
		eng->opts = *opts;
	else
		dnsvet_engine_opts_default(&eng->opts);
	if (!eng->opts.timeout_ms || !eng->opts.max_inflight) {
		free(eng);
		return DNSVET_ERR_INVALID;
	}
	eng->epfd = -1;
	eng->free_slot = SLOT_NONE;
	eng->idle4 = eng->idle6 = ENG_NONE;
	eng_rng_init(&eng->rng);
	eng_heap_init(&eng->timers);
	eng->srv_tab_size = 64;
	eng->srv_tab = calloc(eng->srv_tab_size, sizeof(*eng->srv_tab));
	eng->events = calloc(ENG_EVENTS, sizeof(*eng->events));
	if (!eng->srv_tab || !eng->events) {
		dnsvet_engine_free(eng);
		return DNSVET_ERR_NOMEM;
	}
	eng->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (eng->epfd < 0) {
		dnsvet_engine_free(eng);
		return DNSVET_ERR_IO;
	}
	eng->qps_last_ns = eng_now_ns();
	eng->qps_tokens = 1.0;
	*out = eng;
	return DNSVET_OK;
}

void dnsvet_engine_free(dnsvet_engine *eng)
{
	if (!eng)
		return;
	dnsvet_engine_cancel_all(eng);
	eng_usock_free_all(eng);
	for (size_t i = 0; eng->srv_tab && i < eng->srv_tab_size; i++) {
		struct eng_server *s = eng->srv_tab[i], *next;
		for (; s; s = next) {
			next = s->hnext;
			free(s);
		}
	}
	free(eng->srv_tab);
	free(eng->slots);
	free(eng->events);
	eng_heap_clear(&eng->timers);
	if (eng->epfd >= 0)
		close(eng->epfd);
	free(eng);
}

static bool addr_ok(const dnsvet_query *q)
{
	if (q->addr.ss_family == AF_INET)
		return q->addrlen >= (socklen_t)sizeof(struct sockaddr_in) &&
		       ((const struct sockaddr_in *)&q->addr)->sin_port != 0;
	if (q->addr.ss_family == AF_INET6)
		return q->addrlen >= (socklen_t)sizeof(struct sockaddr_in6) &&
		       ((const struct sockaddr_in6 *)&q->addr)->sin6_port != 0;
	return false;
}

/* A query holding no socket, slot or timer yet, reporting res to cb; NULL: out of memory. */
static struct eng_query *query_new(dnsvet_result *res, dnsvet_engine_cb cb, void *user)
{
	struct eng_query *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->res = res;
	q->fd = -1;
	q->usock = ENG_NONE;
	q->slot = SLOT_NONE;
	q->heap_idx = EQ_HEAP_NONE;
	q->cb = cb;
	q->user = user;
	return q;
}

dnsvet_status dnsvet_engine_submit(dnsvet_engine *eng, const dnsvet_query *dq,
                                   dnsvet_engine_cb cb, void *user)
{
	struct eng_query *q;
	dnsvet_result *res;
	dnsvet_status st;

	if (!eng || !dq || !cb || !addr_ok(dq))
		return DNSVET_ERR_INVALID;
	if (eng->cancelling)
		return DNSVET_ERR_STATE;
	res = calloc(1, sizeof(*res));
	q = res ? query_new(res, cb, user) : NULL;
	if (!q) {
		free(res);
		return DNSVET_ERR_NOMEM;
	}
	q->flags = dq->flags;
	st = eng_wire_build(q->wire + 2, ENG_QUERY_WIRE_MAX, &q->wirelen, &q->qname_len, dq->qname,
	                    dq->qtype, dq->qclass, dq->flags, eng->opts.edns_size, &res->qname);
	if (st != DNSVET_OK) {
		query_free(q);
		return st;
	}
	q->timeout_ms = dq->timeout_ms ? dq->timeout_ms : eng->opts.timeout_ms;
	q->tries_max = (dq->flags & DNSVET_QF_NORETRY) ? 1 : 1 + eng->opts.retries;
	memcpy(&res->addr, &dq->addr, dq->addrlen <= sizeof(res->addr) ? dq->addrlen : sizeof(res->addr));
	res->addrlen = dq->addrlen;
	res->qtype = dq->qtype;
	res->qclass = dq->qclass ? dq->qclass : LDNS_RR_CLASS_IN;
	res->transport = (dq->flags & DNSVET_QF_TCP) ? DNSVET_TRANSPORT_TCP : DNSVET_TRANSPORT_UDP;

	q->srv = srv_get(eng, &res->addr, res->addrlen);
	if (!q->srv) {
		query_free(q);
		return DNSVET_ERR_NOMEM;
	}
	q->state = EQ_WAITING;
	if (q->srv->qtail)
		q->srv->qtail->next = q;
	else
		q->srv->qhead = q;
	q->srv->qtail = q;
	srv_maybe_runnable(eng, q->srv);
	eng->pending++;
	eng->stats.submitted++;
	return DNSVET_OK;
}

dnsvet_status eng_deliver(dnsvet_engine *eng, dnsvet_result *res, dnsvet_engine_cb cb,
                          void *user)
{
	struct eng_query *q;

	if (!eng || !res || !cb)
		return DNSVET_ERR_INVALID;
	if (eng->cancelling)
		return DNSVET_ERR_STATE;
	q = query_new(res, cb, user);
	if (!q)
		return DNSVET_ERR_NOMEM;
	q->state = EQ_DONE;
	res->lent = false;
	done_push(eng, q);
	eng->pending++;
	return DNSVET_OK;
}

static int ms_until(uint64_t when, uint64_t now)
{
	if (when <= now)
		return 0;
	uint64_t ms = (when - now + 999999u) / 1000000u;
	return ms > 3600000u ? 3600000 : (int)ms;
}

int dnsvet_engine_next_timeout_ms(const dnsvet_engine *eng)
{
	uint64_t now;
	int best = -1;

	if (!eng)
		return -1;
	if (eng->done_head)
		return 0;
	now = eng_now_ns();
	if (eng->run_head && eng->inflight < eng->opts.max_inflight && !eng->fd_starved) {
		if (!eng->opts.qps)
			return 0;
		double tokens = eng->qps_tokens +
		                (double)(now - eng->qps_last_ns) * eng->opts.qps / 1e9;
		if (tokens >= 1.0)
			return 0;
		best = (int)((1.0 - tokens) * 1000.0 / eng->opts.qps) + 1;
	}
	const struct eng_timer *t = eng_heap_top(&eng->timers);
	if (t) {
		int ms = ms_until(t->when_ns, now);
		if (best < 0 || ms < best)
			best = ms;
	}
	return best;
}

static void handle_event(dnsvet_engine *eng, const struct epoll_event *ev)
{
	uint32_t idx = (uint32_t)ev->data.u64;
	uint32_t gen = (uint32_t)(ev->data.u64 >> 32);

	if (ev->data.u64 & ENG_EV_USOCK) {
		eng_usock_event(eng, idx, ev->events);
		return;
	}
	if (idx >= eng->nslots)
		return;
	struct eng_slot *s = &eng->slots[idx];
	if (!s->q || s->gen != gen)
		return;
	switch (s->q->state) {
	case EQ_UDP:
		eng_udp_event(eng, s->q, ev->events);
		break;
	case EQ_TCP_CONNECT:
	case EQ_TCP_WRITE:
	case EQ_TCP_READ:
		eng_tcp_event(eng, s->q, ev->events);
		break;
	default:
		break;
	}
}

dnsvet_status dnsvet_engine_step(dnsvet_engine *eng, int max_wait_ms)
{
	uint64_t now;
	int wait, n;

	if (!eng)
		return DNSVET_ERR_INVALID;
	if (eng->in_step || eng->in_callback)
		return DNSVET_ERR_STATE;
	eng->in_step = true;

	now = eng_now_ns();
	dispatch(eng, now);
	wait = dnsvet_engine_next_timeout_ms(eng);
	if (wait < 0)
		wait = 0; /* nothing pending: never sleep forever */
	if (max_wait_ms >= 0 && max_wait_ms < wait)
		wait = max_wait_ms;

	n = epoll_wait(eng->epfd, eng->events, ENG_EVENTS, wait);
	if (n < 0 && errno != EINTR) {
		eng->in_step = false;
		return DNSVET_ERR_IO;
	}
	for (int i = 0; i < n; i++)
		handle_event(eng, &eng->events[i]);

	now = eng_now_ns();
	for (;;) {
		const struct eng_timer *t = eng_heap_top(&eng->timers);
		if (!t || t->when_ns > now)
			break;
		on_deadline(eng, t->q, now);
	}
	dispatch(eng, now);
	run_callbacks(eng);
	eng->in_step = false;
	return DNSVET_OK;
}

dnsvet_status dnsvet_engine_run(dnsvet_engine *eng)
{
	if (!eng)
		return DNSVET_ERR_INVALID;
	while (eng->pending) {
		dnsvet_status st = dnsvet_engine_step(eng, -1);
		if (st != DNSVET_OK)
			return st;
	}
	return DNSVET_OK;
}

int dnsvet_engine_fd(const dnsvet_engine *eng)
{
	return eng ? eng->epfd : -1;
}

size_t dnsvet_engine_pending(const dnsvet_engine *eng)
{
	return eng ? eng->pending : 0;
}

void dnsvet_engine_cancel_all(dnsvet_engine *eng)
{
	if (!eng || eng->cancelling)
		return;
	eng->cancelling = true;

	/* Queued queries first: they hold no socket. */
	while (eng->run_head)
		run_pop(eng);
	for (size_t i = 0; i < eng->srv_tab_size; i++) {
		struct eng_server *s = eng->srv_tab[i], *next;
		for (; s; s = next) {
			next = s->hnext;
			struct eng_query *q = s->qhead, *nq;
			s->qhead = s->qtail = NULL;
			for (; q; q = nq) {
				nq = q->next;
				q->srv = NULL;
				eng_finish(eng, q, DNSVET_QERR_CANCELLED, 0);
			}
			srv_free_if_idle(eng, s);
		}
	}
	for (uint32_t i = 0; i < eng->nslots; i++)
		if (eng->slots[i].q)
			eng_finish(eng, eng->slots[i].q, DNSVET_QERR_CANCELLED, 0);

	if (eng->in_callback) {
		eng->cancel_reset = true;
		return;
	}
	run_callbacks(eng);
	eng->cancelling = false;
}

void dnsvet_engine_stats_get(const dnsvet_engine *eng, dnsvet_engine_stats *out)
{
	if (!out)
		return;
	if (!eng) {
		memset(out, 0, sizeof(*out));
		return;
	}
	*out = eng->stats;
}

struct sync_wait {
	dnsvet_result *res;
	bool done;
};

static void sync_cb(dnsvet_engine *eng, const dnsvet_result *res, void *user)
{
	struct sync_wait *w = user;
	(void)eng;
	w->res = dnsvet_result_take(res);
	w->done = true;
}

dnsvet_status dnsvet_engine_query_sync(dnsvet_engine *eng, const dnsvet_query *q,
                                       dnsvet_result **out)
{
	struct sync_wait w = { NULL, false };
	dnsvet_status st;

	if (!eng || !q || !out)
		return DNSVET_ERR_INVALID;
	*out = NULL;
	if (eng->in_step || eng->in_callback)
		return DNSVET_ERR_STATE;
	st = dnsvet_engine_submit(eng, q, sync_cb, &w);
	if (st != DNSVET_OK)
		return st;
	while (!w.done) {
		st = dnsvet_engine_step(eng, -1);
		if (st != DNSVET_OK) {
			/* w lives on this stack frame: the query must not outlive it. */
			dnsvet_engine_cancel_all(eng);
			dnsvet_result_free(w.res);
			return st;
		}
	}
	*out = w.res;
	return w.res ? DNSVET_OK : DNSVET_ERR_NOMEM;
}
