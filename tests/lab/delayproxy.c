/*
 * delayproxy: the lab's added latency (labrun --delay MS).
 *
 *   delayproxy --delay MS FRONT=BACK [FRONT=BACK ...]     (each an IPv4 ADDR:PORT)
 *
 * Listens on each FRONT (UDP and TCP) and relays to its BACK, an NSD moved to another
 * port. Every UDP answer is held MS milliseconds before it goes back to the client; TCP
 * connections are relayed as they are. Prints "ready" on stdout once every socket is bound.
 *
 * Why not a general DNS proxy: the lab needs thousands of answers a second delayed by a
 * fixed time for bench/audit, on a machine whose two cores also run the servers and dnsvet.
 * A fixed delay means answers leave in the order they arrived, so the pending ones are a
 * FIFO and one epoll timeout serves them all; queries are re-numbered through a table of
 * 65,536 slots per backend, so an answer finds its client in one array access.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAIRS 256
#define PKT_MAX 65535
#define BATCH 64

typedef struct slot {
	struct sockaddr_in client;
	uint16_t id;         /* the client's query id */
	uint8_t used;
} slot;

typedef struct pair {
	struct sockaddr_in front, back;
	int udp_front;       /* clients' queries in, delayed answers out */
	int udp_back;        /* connected to back: relayed queries out, answers in */
	int tcp_listen;
	uint16_t next_id;
	slot slots[65536];
} pair;

/* An answer waiting for its time. */
typedef struct held {
	uint64_t due_ms;
	pair *p;
	struct sockaddr_in client;
	uint16_t len;
	unsigned char *pkt;
} held;

typedef struct fifo {
	held *v;
	size_t cap, head, n;
} fifo;

static unsigned delay_ms;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void die(const char *what)
{
	fprintf(stderr, "delayproxy: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int parse_addr(const char *s, struct sockaddr_in *out)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535)
		return -1;
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &out->sin_addr) == 1 ? 0 : -1;
}

static int bound_socket(int type, const struct sockaddr_in *a)
{
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
	int buf = 4 << 20;

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (type == SOCK_DGRAM) {
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	}
	if (bind(fd, (const struct sockaddr *)a, sizeof(*a)) < 0) {
		char msg[96];

		snprintf(msg, sizeof(msg), "bind %s:%u", inet_ntoa(a->sin_addr), ntohs(a->sin_port));
		die(msg);
	}
	return fd;
}

static void fifo_push(fifo *f, const held *h)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 1024;
		held *v = malloc(cap * sizeof(*v));

		if (!v)
			die("malloc");
		for (size_t i = 0; i < f->n; i++)
			v[i] = f->v[(f->head + i) % f->cap];
		free(f->v);
		f->v = v;
		f->cap = cap;
		f->head = 0;
	}
	f->v[(f->head + f->n) % f->cap] = *h;
	f->n++;
}

/* Sends the answers whose time has come; returns the wait until the next one (-1: none). */
static int fifo_flush(fifo *f)
{
	uint64_t now = now_ms();

	while (f->n) {
		held *h = &f->v[f->head];

		if (h->due_ms > now)
			return (int)(h->due_ms - now);
		sendto(h->p->udp_front, h->pkt, h->len, 0, (const struct sockaddr *)&h->client,
		       sizeof(h->client));
		free(h->pkt);
		f->head = (f->head + 1) % f->cap;
		f->n--;
	}
	return -1;
}

static unsigned char bufs[BATCH][PKT_MAX];
static struct mmsghdr msgs[BATCH];
static struct iovec iovs[BATCH];
static struct sockaddr_in froms[BATCH];

static int recv_batch(int fd)
{
	for (int i = 0; i < BATCH; i++) {
		iovs[i].iov_base = bufs[i];
		iovs[i].iov_len = PKT_MAX;
		memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &froms[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(froms[i]);
	}
	return recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
}

static void relay_queries(pair *p)
{
	int n;

	while ((n = recv_batch(p->udp_front)) > 0) {
		int out = 0;

		for (int i = 0; i < n; i++) {
			unsigned char *q = bufs[i];
			slot *s;
			uint16_t id;

			if (msgs[i].msg_len < 12)
				continue;
			id = p->next_id++;
			s = &p->slots[id];
			s->client = froms[i];
			s->id = (uint16_t)(q[0] << 8 | q[1]);
			s->used = 1;
			q[0] = (unsigned char)(id >> 8);
			q[1] = (unsigned char)id;
			iovs[out].iov_base = q;
			iovs[out].iov_len = msgs[i].msg_len;
			memset(&msgs[out].msg_hdr, 0, sizeof(msgs[out].msg_hdr));
			msgs[out].msg_hdr.msg_iov = &iovs[out];
			msgs[out].msg_hdr.msg_iovlen = 1;
			out++;
		}
		if (out)
			sendmmsg(p->udp_back, msgs, (unsigned)out, 0);
	}
}

static void hold_answers(pair *p, fifo *f)
{
	int n;

	while ((n = recv_batch(p->udp_back)) > 0) {
		uint64_t due = now_ms() + delay_ms;

		for (int i = 0; i < n; i++) {
			unsigned char *a = bufs[i];
			uint16_t id;
			slot *s;
			held h;

			if (msgs[i].msg_len < 12)
				continue;
			id = (uint16_t)(a[0] << 8 | a[1]);
			s = &p->slots[id];
			if (!s->used)
				continue;
			s->used = 0;
			a[0] = (unsigned char)(s->id >> 8);
			a[1] = (unsigned char)s->id;
			h.due_ms = due;
			h.p = p;
			h.client = s->client;
			h.len = (uint16_t)msgs[i].msg_len;
			h.pkt = malloc(h.len);
			if (!h.pkt)
				die("malloc");
			memcpy(h.pkt, a, h.len);
			fifo_push(f, &h);
		}
	}
}

/* ---- TCP: one thread per connection, relayed as is ---- */

typedef struct tcp_job {
	int client;
	struct sockaddr_in back;
} tcp_job;

static void *tcp_relay(void *arg)
{
	tcp_job *j = arg;
	int back = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct pollfd pf[2];
	char buf[16384];

	if (back < 0 || connect(back, (const struct sockaddr *)&j->back, sizeof(j->back)) < 0)
		goto done;
	pf[0].fd = j->client;
	pf[1].fd = back;
	pf[0].events = pf[1].events = POLLIN;
	for (;;) {
		if (poll(pf, 2, 30000) <= 0)
			break;
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(pf[i].fd, buf, sizeof(buf));
			if (n <= 0 || write(pf[1 - i].fd, buf, (size_t)n) != n)
				goto done;
		}
	}
done:
	if (back >= 0)
		close(back);
	close(j->client);
	free(j);
	return NULL;
}

static void accept_tcp(pair *p)
{
	int c;

	while ((c = accept4(p->tcp_listen, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		tcp_job *j = malloc(sizeof(*j));
		pthread_t t;

		if (!j) {
			close(c);
			continue;
		}
		j->client = c;
		j->back = p->back;
		if (pthread_create(&t, NULL, tcp_relay, j) != 0) {
			close(c);
			free(j);
			continue;
		}
		pthread_detach(t);
	}
}

/* epoll data: the pair's index times 3 plus the socket's role */
enum { ROLE_FRONT, ROLE_BACK, ROLE_TCP };

int main(int argc, char **argv)
{
	static pair *pairs[MAX_PAIRS];
	size_t np = 0;
	fifo f = {0};
	int ep;

	signal(SIGPIPE, SIG_IGN);
	if (argc < 4 || strcmp(argv[1], "--delay") != 0) {
		fprintf(stderr, "usage: delayproxy --delay MS FRONT=BACK [FRONT=BACK ...]\n");
		return 2;
	}
	delay_ms = (unsigned)strtoul(argv[2], NULL, 10);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	for (int i = 3; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		pair *p;
		int fds[3];

		if (np == MAX_PAIRS) {
			fprintf(stderr, "delayproxy: more than %d addresses\n", MAX_PAIRS);
			return 2;
		}
		p = calloc(1, sizeof(*p));
		if (!p)
			die("calloc");
		if (!eq || (*eq = '\0', parse_addr(argv[i], &p->front)) || parse_addr(eq + 1, &p->back)) {
			fprintf(stderr, "delayproxy: '%s' is not FRONT=BACK (IPv4 ADDR:PORT each)\n",
			        argv[i]);
			return 2;
		}
		p->udp_front = bound_socket(SOCK_DGRAM, &p->front);
		{
			struct sockaddr_in local = p->front;

			/* answers come back to the front address, where NSD's ACLs expect the lab */
			local.sin_port = 0;
			p->udp_back = bound_socket(SOCK_DGRAM, &local);
		}
		if (connect(p->udp_back, (const struct sockaddr *)&p->back, sizeof(p->back)) < 0)
			die("connect");
		p->tcp_listen = bound_socket(SOCK_STREAM, &p->front);
		if (listen(p->tcp_listen, 128) < 0)
			die("listen");
		fds[ROLE_FRONT] = p->udp_front;
		fds[ROLE_BACK] = p->udp_back;
		fds[ROLE_TCP] = p->tcp_listen;
		for (int r = 0; r < 3; r++) {
			struct epoll_event ev = {.events = EPOLLIN, .data.u64 = np * 3 + (unsigned)r};

			if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[r], &ev) < 0)
				die("epoll_ctl");
		}
		pairs[np++] = p;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		struct epoll_event evs[64];
		int wait = fifo_flush(&f);
		int n = epoll_wait(ep, evs, 64, wait);

		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			pair *p = pairs[evs[i].data.u64 / 3];

			switch (evs[i].data.u64 % 3) {
			case ROLE_FRONT:
				relay_queries(p);
				break;
			case ROLE_BACK:
				hold_answers(p, &f);
				break;
			default:
				accept_tcp(p);
				break;
			}
		}
	}
}
