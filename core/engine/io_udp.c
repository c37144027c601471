/*
 * UDP transport. Tries go out from a pool of sockets that stay open between
 * tries, never connect()ed:
 *  - each socket got a random source port from the kernel when it first sent,
 *    and a socket serves one try at a time: a datagram that arrives on it is
 *    judged against that try alone (source address and port, ID, question),
 *    so no demultiplexing table is needed;
 *  - socket(), setsockopt(), epoll registration, close() and the port choice
 *    of the first send cost about as much as the send itself, once per socket
 *    instead of once per try; a retry takes another socket than its first
 *    try, and a socket is retired after ENG_USOCK_USES tries, so ports keep
 *    changing;
 *  - unconnected, the kernel hands us datagrams from any source, so
 *    answers from the wrong address or port are seen, counted and dropped
 *    rather than silently filtered; late answers to an earlier try arrive
 *    and are dropped the same way (another ID), or drained while the socket
 *    is idle;
 *  - IP_RECVERR/IPV6_RECVERR still deliver ICMP errors (port unreachable,
 *    host unreachable) to an unconnected socket, with the destination and
 *    the start of the failed datagram, which are checked against the try.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/errqueue.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "engine/engine_int.h"
#include "engine/wire.h"

/* Datagrams read per readiness event; level-triggered epoll comes back. */
#define UDP_READ_BURST 32
/* Tries sent from one socket before it is closed. */
#define ENG_USOCK_USES 64

static uint32_t *idle_list(dnsvet_engine *eng, int family)
{
	return family == AF_INET ? &eng->idle4 : &eng->idle6;
}

/* A socket for a try to a server of family fam: an idle one, or a new one.
 * ENG_NONE with errno set when none can be had. */
static uint32_t usock_take(dnsvet_engine *eng, int fam)
{
	uint32_t *idle = idle_list(eng, fam), i;
	int fd, on = 1;

	if (*idle != ENG_NONE) {
		i = *idle;
		*idle = eng->usocks[i].next_idle;
		return i;
	}
	for (i = 0; i < eng->nusocks && eng->usocks[i].fd >= 0; i++)
		;
	if (i == eng->nusocks) {
		uint32_t n = eng->nusocks ? eng->nusocks * 2 : 64;
		struct eng_usock *nu = realloc(eng->usocks, (size_t)n * sizeof(*nu));
		if (!nu) {
			errno = ENOMEM;
			return ENG_NONE;
		}
		for (uint32_t k = eng->nusocks; k < n; k++)
			nu[k] = (struct eng_usock){ .fd = -1, .next_idle = ENG_NONE };
		eng->usocks = nu;
		eng->nusocks = n;
	}
	fd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ENG_NONE;
	if (fam == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = ENG_EV_USOCK | i };
	if (epoll_ctl(eng->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return ENG_NONE;
	}
	eng->usocks[i] = (struct eng_usock){ .fd = fd, .family = fam, .next_idle = ENG_NONE };
	return i;
}

static void usock_close(struct eng_usock *u)
{
	/* close() drops the epoll registration: the fd is never dup'ed. */
	close(u->fd);
	*u = (struct eng_usock){ .fd = -1, .next_idle = ENG_NONE };
}

void eng_usock_release(dnsvet_engine *eng, struct eng_query *q)
{
	struct eng_usock *u = &eng->usocks[q->usock];
	uint32_t *idle = idle_list(eng, u->family);

	u->q = NULL;
	if (u->uses >= ENG_USOCK_USES) {
		usock_close(u);
	} else {
		u->next_idle = *idle;
		*idle = q->usock;
	}
	q->usock = ENG_NONE;
	q->fd = -1;
}

unsigned eng_usock_trim(dnsvet_engine *eng, unsigned keep)
{
	unsigned closed = 0, kept = 0;

	for (int f = 0; f < 2; f++) {
		uint32_t *idle = f ? &eng->idle6 : &eng->idle4;
		while (*idle != ENG_NONE) {
			uint32_t i = *idle;
			if (kept < keep) {
				kept++;
				idle = &eng->usocks[i].next_idle;
				continue;
			}
			*idle = eng->usocks[i].next_idle;
			usock_close(&eng->usocks[i]);
			closed++;
		}
	}
	return closed;
}

void eng_usock_free_all(dnsvet_engine *eng)
{
	for (uint32_t i = 0; i < eng->nusocks; i++)
		if (eng->usocks[i].fd >= 0)
			close(eng->usocks[i].fd);
	free(eng->usocks);
	eng->usocks = NULL;
	eng->nusocks = 0;
	eng->idle4 = eng->idle6 = ENG_NONE;
}

void eng_udp_start(dnsvet_engine *eng, struct eng_query *q, uint64_t now)
{
	uint16_t id;
	uint32_t us;
	int fam = q->res->addr.ss_family;

	if (eng_rng_u16(&eng->rng, &id) != DNSVET_OK) {
		eng_close_fd(eng, q);
		eng_finish(eng, q, DNSVET_QERR_IO, EIO);
		return;
	}
	/* Taken before the previous try's socket goes back: a retry leaves
	 * from another port, unless no other socket can be had. */
	us = usock_take(eng, fam);
	eng_close_fd(eng, q);
	if (us == ENG_NONE && q->res->tries > 0)
		us = usock_take(eng, fam);
	if (us == ENG_NONE) {
		eng_open_failed(eng, q, errno);
		return;
	}
	eng->usocks[us].q = q;
	eng->usocks[us].uses++;
	q->usock = us;
	q->fd = eng->usocks[us].fd;
	q->state = EQ_UDP;
	q->res->transport = DNSVET_TRANSPORT_UDP;
	q->id = id;
	eng_wire_set_id(q->wire + 2, id);
	q->res->tries++;
	eng->stats.sent_udp++;
	q->sent_ns = now;
	eng_set_deadline(eng, q, now + (uint64_t)eng_try_timeout_ms(eng, q) * 1000000u);
	ssize_t n = sendto(q->fd, q->wire + 2, q->wirelen, 0, (const struct sockaddr *)&q->res->addr,
	                   q->res->addrlen);
	if (n < 0) {
		int e = errno;
		/* A full socket buffer is packet loss; the deadline retries it. */
		if (e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS || e == ENOMEM || e == EINTR)
			return;
		eng_finish(eng, q, eng_errno_class(e), e);
	}
}

/* Drain the ICMP error queue; finish q if an error is about its server. */
static bool udp_read_errors(dnsvet_engine *eng, struct eng_query *q)
{
	for (int i = 0; i < 8; i++) {
		struct sockaddr_storage orig;
		char cbuf[512];
		uint8_t data[64];
		struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
		struct msghdr mh = { .msg_name = &orig, .msg_namelen = sizeof(orig),
		                     .msg_iov = &iov, .msg_iovlen = 1,
		                     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		memset(&orig, 0, sizeof(orig));
		ssize_t n = recvmsg(q->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0)
			break;
		/* The failed datagram starts with its ID: an error about an
		 * earlier try from this socket is not about this one. */
		if (n >= 2 && eng_wire_id(data) != q->id)
			continue;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
			      (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)))
				continue;
			struct sock_extended_err ee;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			/* Path MTU news is not a failure of the query. */
			if (ee.ee_errno == EMSGSIZE || ee.ee_errno == 0)
				continue;
			if (ee.ee_origin == SO_EE_ORIGIN_ICMP || ee.ee_origin == SO_EE_ORIGIN_ICMP6) {
				if (!eng_addr_equal((const struct sockaddr *)&orig, mh.msg_namelen,
				                    &q->res->addr))
					continue;
			}
			eng_finish(eng, q, eng_errno_class((int)ee.ee_errno), (int)ee.ee_errno);
			return true;
		}
	}
	/* Nothing about our server: clear the socket error so that it does not
	 * keep the descriptor signalled. */
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	getsockopt(q->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
	return false;
}

static void udp_datagram(dnsvet_engine *eng, struct eng_query *q, const uint8_t *buf, size_t len,
                         uint64_t now)
{
	switch (eng_wire_check(q->wire + 2, q->qname_len, buf, len)) {
	case EV_DROP_ID:
		eng->stats.dropped_id++;
		return;
	case EV_DROP_QUESTION:
		eng->stats.dropped_question++;
		return;
	case EV_GARBAGE:
		eng->stats.malformed++;
		q->saw_garbage = true;
		return;
	case EV_MALFORMED:
		eng->stats.malformed++;
		q->res->rtt_ms = (double)(now - q->sent_ns) / 1e6;
		eng_finish(eng, q, DNSVET_QERR_MALFORMED, 0);
		return;
	case EV_TRUNCATED:
		eng->stats.tcp_fallbacks++;
		eng_tcp_start(eng, q, now);
		return;
	case EV_ACCEPT:
		break;
	}
	ldns_pkt *pkt = NULL;
	q->res->rtt_ms = (double)(now - q->sent_ns) / 1e6;
	if (ldns_wire2pkt(&pkt, buf, len) != LDNS_STATUS_OK || !pkt) {
		eng->stats.malformed++;
		eng_finish(eng, q, DNSVET_QERR_MALFORMED, 0);
		return;
	}
	q->res->pkt = pkt;
	q->res->size = len;
	eng_finish(eng, q, DNSVET_QERR_NONE, 0);
}

void eng_udp_event(dnsvet_engine *eng, struct eng_query *q, uint32_t events)
{
	if ((events & EPOLLERR) && udp_read_errors(eng, q))
		return;
	if (!(events & (EPOLLIN | EPOLLERR)))
		return;
	for (int i = 0; i < UDP_READ_BURST && q->state == EQ_UDP; i++) {
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(q->fd, eng->rbuf, sizeof(eng->rbuf), 0,
		                     (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			if (e == EAGAIN || e == EWOULDBLOCK)
				break;
			/* Socket errors are judged from the error queue, where the
			 * failed datagram's destination can be checked; one that
			 * surfaces here has been seen already. */
			if (e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH)
				continue;
			break;
		}
		if (!eng_addr_equal((const struct sockaddr *)&from, fromlen, &q->res->addr)) {
			eng->stats.dropped_source++;
			continue;
		}
		udp_datagram(eng, q, eng->rbuf, (size_t)n, eng_now_ns());
	}
}

void eng_usock_event(dnsvet_engine *eng, uint32_t idx, uint32_t events)
{
	struct eng_usock *u;

	if (idx >= eng->nusocks || eng->usocks[idx].fd < 0)
		return;
	u = &eng->usocks[idx];
	if (u->q) {
		eng_udp_event(eng, u->q, events);
		return;
	}
	/* Idle: late answers and errors about finished tries, read and dropped
	 * so that the next try on this socket starts clean. */
	for (int i = 0; i < UDP_READ_BURST; i++) {
		uint8_t data[64];
		char cbuf[512];
		struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
		                     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		if (recvmsg(u->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			break;
	}
	for (int i = 0; i < UDP_READ_BURST; i++) {
		ssize_t n = recv(u->fd, eng->rbuf, sizeof(eng->rbuf), MSG_DONTWAIT);
		if (n < 0 && errno != EINTR && errno != ECONNREFUSED && errno != EHOSTUNREACH &&
		    errno != ENETUNREACH)
			break;
	}
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
}
