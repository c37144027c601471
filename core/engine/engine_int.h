/* Internal structures of the query engine, shared by the core/engine sources. */
#ifndef DNSVET_ENGINE_INT_H
#define DNSVET_ENGINE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/socket.h>

#include <dnsvet/engine.h>

#include "engine/rng.h"
#include "engine/timerheap.h"

#define ENG_QNAME_MAX 255
#define ENG_QUERY_WIRE_MAX 512
#define ENG_EVENTS 512

struct dnsvet_result {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char addr_str[DNSVET_ADDRSTRLEN]; /* "" until dnsvet_result_addr_str writes it */
	char *qname;
	uint16_t qtype, qclass;
	dnsvet_transport transport;
	dnsvet_qerror error;
	int sys_errno;
	ldns_pkt *pkt;
	size_t size;
	double rtt_ms;
	unsigned tries;
	/* Set while a callback runs; cleared by dnsvet_result_take. */
	bool lent;
};

enum eng_qstate {
	EQ_WAITING = 0, /* queued, no socket yet */
	EQ_UDP,         /* datagram sent, waiting for the answer */
	EQ_TCP_CONNECT, /* non-blocking connect in progress */
	EQ_TCP_WRITE,   /* sending the length-prefixed query */
	EQ_TCP_READ,    /* reading length prefix then message */
	EQ_DONE         /* result ready, callback pending */
};

struct eng_server;

struct eng_query {
	struct eng_query *next;     /* server wait queue or done list */
	struct eng_server *srv;
	dnsvet_engine_cb cb;
	void *user;
	uint32_t slot;              /* index into dnsvet_engine.slots while it has a socket */

	uint8_t wire[ENG_QUERY_WIRE_MAX + 2]; /* 2-byte TCP length prefix, then the message */
	size_t wirelen;             /* message length, without the prefix */
	size_t qname_len;           /* qname wire length; it starts at wire[2 + 12] */
	uint16_t id;
	unsigned flags;
	unsigned timeout_ms;        /* first-try timeout */
	unsigned tries_max;

	enum eng_qstate state;
	int fd;
	uint32_t usock;             /* index into dnsvet_engine.usocks while fd is one of them */
	size_t heap_idx;
	uint64_t deadline_ns;
	uint64_t sent_ns;
	bool saw_garbage;           /* unmatched garbage arrived: report malformed on timeout */

	/* TCP progress: bytes written of wire, or read of the answer. */
	size_t tcp_off;
	uint8_t *tcp_buf;
	size_t tcp_need;            /* 0 while reading the prefix */
	uint8_t tcp_len[2];

	dnsvet_result *res;         /* allocated at submit so finishing never allocates */
};

/* One server address: per-server in-flight cap and its FIFO of queries. */
struct eng_server {
	struct eng_server *hnext;      /* hash chain */
	struct eng_server *rnext;      /* runnable list */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	uint32_t hash;
	unsigned inflight;
	bool runnable;
	struct eng_query *qhead, *qtail;
};

/* A UDP socket kept open from one try to the next (io_udp.c). */
struct eng_usock {
	int fd;
	int family;
	unsigned uses;              /* tries sent from it */
	struct eng_query *q;        /* the try using it, NULL while idle */
	uint32_t next_idle;
};

struct eng_slot {
	struct eng_query *q;
	uint32_t gen;
	uint32_t next_free;
};

struct dnsvet_engine {
	dnsvet_engine_opts opts;
	int epfd;
	struct eng_rng rng;
	struct eng_timerheap timers;
	dnsvet_engine_stats stats;

	struct eng_slot *slots;
	uint32_t nslots, free_slot;

	struct eng_usock *usocks;
	uint32_t nusocks;
	uint32_t idle4, idle6;     /* idle lists per address family */

	struct eng_server **srv_tab;
	size_t srv_tab_size, nservers;
	struct eng_server *run_head, *run_tail;

	struct eng_query *done_head, *done_tail;

	size_t pending;       /* submitted, callback not yet run */
	size_t inflight;      /* holding a socket */
	bool fd_starved;      /* EMFILE seen: wait for a completion before opening more */
	bool in_step;
	bool cancelling;
	bool cancel_reset;    /* cancel_all ran inside a callback: clear cancelling after delivery */
	int in_callback;

	double qps_tokens;
	uint64_t qps_last_ns;

	struct epoll_event *events;
	uint8_t rbuf[65536];
};

uint64_t eng_now_ns(void);

/* engine.c */
void eng_finish(dnsvet_engine *eng, struct eng_query *q, dnsvet_qerror err, int sys_errno);
void eng_set_deadline(dnsvet_engine *eng, struct eng_query *q, uint64_t deadline_ns);
int eng_slot_register(dnsvet_engine *eng, struct eng_query *q, int fd, uint32_t events);
int eng_slot_modify(dnsvet_engine *eng, struct eng_query *q, uint32_t events);
void eng_open_failed(dnsvet_engine *eng, struct eng_query *q, int e);
bool eng_addr_equal(const struct sockaddr *a, socklen_t alen, const struct sockaddr_storage *b);
void eng_close_fd(dnsvet_engine *eng, struct eng_query *q);
unsigned eng_try_timeout_ms(const dnsvet_engine *eng, const struct eng_query *q);
dnsvet_qerror eng_errno_class(int e);

/* io_udp.c */
#define ENG_NONE UINT32_MAX
/* epoll data of a UDP socket of the pool: this bit and its index (query
 * slots use generations below it). */
#define ENG_EV_USOCK (1ull << 63)
void eng_udp_start(dnsvet_engine *eng, struct eng_query *q, uint64_t now);
void eng_udp_event(dnsvet_engine *eng, struct eng_query *q, uint32_t events);
/* An event on socket idx of the pool, for its try or, idle, for nobody. */
void eng_usock_event(dnsvet_engine *eng, uint32_t idx, uint32_t events);
/* Give q's socket back to the pool. */
void eng_usock_release(dnsvet_engine *eng, struct eng_query *q);
/* Close idle sockets (all of them with keep 0); returns how many were closed. */
unsigned eng_usock_trim(dnsvet_engine *eng, unsigned keep);
void eng_usock_free_all(dnsvet_engine *eng);

/* io_tcp.c */
void eng_tcp_start(dnsvet_engine *eng, struct eng_query *q, uint64_t now);
void eng_tcp_event(dnsvet_engine *eng, struct eng_query *q, uint32_t events);

/* result.c */
void eng_result_reset(dnsvet_result *r);

#endif
