/*
 * UDP transport. One socket per query try, never connect()ed:
 *  - a fresh socket per try gets a fresh kernel-chosen (random) source
 *    port, and the 4-tuple alone tells which query a datagram is for, so
 *    no demultiplexing table is needed and a stray answer can only ever be
 *    compared with one query;
 *  - unconnected, the kernel hands us datagrams from any source, so
 *    answers from the wrong address or port are seen, counted and dropped
 *    rather than silently filtered;
 *  - IP_RECVERR/IPV6_RECVERR still deliver ICMP errors (port unreachable,
 *    host unreachable) to an unconnected socket, with the destination the
 *    failed datagram was sent to, which is checked against the server.
 * The cost is a socket()/close() per try, which measured far below the
 * packet processing itself.
 */
#include <errno.h>
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

void eng_udp_start(dnsvet_engine *eng, struct eng_query *q, uint64_t now)
{
	int fd, on = 1;
	uint16_t id;
	int fam = q->res->addr.ss_family;

	eng_close_fd(eng, q);
	if (eng_rng_u16(&eng->rng, &id) != DNSVET_OK) {
		eng_finish(eng, q, DNSVET_QERR_IO, EIO);
		return;
	}
	fd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		eng_open_failed(eng, q, errno);
		return;
	}
	q->fd = fd;
	q->state = EQ_UDP;
	q->res->transport = DNSVET_TRANSPORT_UDP;
	q->id = id;
	eng_wire_set_id(q->wire + 2, id);
	if (fam == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
	if (eng_slot_register(eng, q, fd, EPOLLIN) != 0) {
		eng_finish(eng, q, DNSVET_QERR_IO, errno);
		return;
	}
	q->res->tries++;
	eng->stats.sent_udp++;
	q->sent_ns = now;
	eng_set_deadline(eng, q, now + (uint64_t)eng_try_timeout_ms(eng, q) * 1000000u);
	ssize_t n = sendto(fd, q->wire + 2, q->wirelen, 0, (const struct sockaddr *)&q->res->addr,
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
		if (recvmsg(q->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			break;
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
