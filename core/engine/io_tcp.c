/*
 * TCP transport: one connection per try (non-blocking connect), the query
 * with its 2-byte length prefix, then length-prefixed answers read until one
 * matches. Partial writes and reads resume on the next readiness event.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "engine/engine_int.h"
#include "engine/wire.h"

static void tcp_fail(dnsvet_engine *eng, struct eng_query *q, int e)
{
	eng_finish(eng, q, eng_errno_class(e), e);
}

static void tcp_read(dnsvet_engine *eng, struct eng_query *q);

static void tcp_write(dnsvet_engine *eng, struct eng_query *q)
{
	size_t total = q->wirelen + 2;

	while (q->tcp_off < total) {
		ssize_t n = send(q->fd, q->wire + q->tcp_off, total - q->tcp_off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			tcp_fail(eng, q, errno);
			return;
		}
		q->tcp_off += (size_t)n;
	}
	q->state = EQ_TCP_READ;
	q->tcp_off = 0;
	q->tcp_need = 0;
	if (eng_slot_modify(eng, q, EPOLLIN) != 0) {
		eng_finish(eng, q, DNSVET_QERR_IO, errno);
		return;
	}
	/* On loopback the answer is often there already. */
	tcp_read(eng, q);
}

/* A whole message arrived: true if q is finished. */
static bool tcp_message(dnsvet_engine *eng, struct eng_query *q, const uint8_t *buf, size_t len)
{
	uint64_t now = eng_now_ns();
	enum eng_verdict v = eng_wire_check(q->wire + 2, q->qname_len, buf, len);
	ldns_pkt *pkt = NULL;

	switch (v) {
	case EV_DROP_ID:
		eng->stats.dropped_id++;
		return false;
	case EV_DROP_QUESTION:
		eng->stats.dropped_question++;
		return false;
	case EV_GARBAGE:
	case EV_MALFORMED:
		/* Nobody but the server can write into this connection. */
		eng->stats.malformed++;
		q->res->rtt_ms = (double)(now - q->sent_ns) / 1e6;
		eng_finish(eng, q, DNSVET_QERR_MALFORMED, 0);
		return true;
	case EV_TRUNCATED:
	case EV_ACCEPT:
		break;
	}
	q->res->rtt_ms = (double)(now - q->sent_ns) / 1e6;
	if (ldns_wire2pkt(&pkt, buf, len) != LDNS_STATUS_OK || !pkt) {
		eng->stats.malformed++;
		eng_finish(eng, q, v == EV_TRUNCATED ? DNSVET_QERR_TRUNCATED : DNSVET_QERR_MALFORMED, 0);
		return true;
	}
	q->res->pkt = pkt;
	q->res->size = len;
	eng_finish(eng, q, v == EV_TRUNCATED ? DNSVET_QERR_TRUNCATED : DNSVET_QERR_NONE, 0);
	return true;
}

static void tcp_read(dnsvet_engine *eng, struct eng_query *q)
{
	for (;;) {
		uint8_t *dst;
		size_t want;

		if (q->tcp_need == 0) {
			dst = q->tcp_len + q->tcp_off;
			want = 2 - q->tcp_off;
		} else {
			dst = q->tcp_buf + q->tcp_off;
			want = q->tcp_need - q->tcp_off;
		}
		ssize_t n = recv(q->fd, dst, want, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			tcp_fail(eng, q, errno);
			return;
		}
		if (n == 0) {
			eng_finish(eng, q, DNSVET_QERR_CLOSED, 0);
			return;
		}
		q->tcp_off += (size_t)n;
		if (q->tcp_need == 0) {
			if (q->tcp_off < 2)
				continue;
			size_t len = (size_t)((q->tcp_len[0] << 8) | q->tcp_len[1]);
			if (len == 0) {
				eng->stats.malformed++;
				eng_finish(eng, q, DNSVET_QERR_MALFORMED, 0);
				return;
			}
			if (!q->tcp_buf) {
				q->tcp_buf = malloc(65535);
				if (!q->tcp_buf) {
					eng_finish(eng, q, DNSVET_QERR_IO, ENOMEM);
					return;
				}
			}
			q->tcp_need = len;
			q->tcp_off = 0;
			continue;
		}
		if (q->tcp_off < q->tcp_need)
			continue;
		if (tcp_message(eng, q, q->tcp_buf, q->tcp_need))
			return;
		/* Not ours: the next message on this connection may be. */
		q->tcp_need = 0;
		q->tcp_off = 0;
	}
}

void eng_tcp_start(dnsvet_engine *eng, struct eng_query *q, uint64_t now)
{
	int fd;
	uint16_t id;

	eng_close_fd(eng, q);
	free(q->tcp_buf);
	q->tcp_buf = NULL;
	q->tcp_off = 0;
	q->tcp_need = 0;
	q->res->transport = DNSVET_TRANSPORT_TCP;
	if (eng_rng_u16(&eng->rng, &id) != DNSVET_OK) {
		eng_finish(eng, q, DNSVET_QERR_IO, EIO);
		return;
	}
	fd = socket(q->res->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		eng_open_failed(eng, q, errno);
		return;
	}
	q->fd = fd;
	q->id = id;
	eng_wire_set_id(q->wire + 2, id);
	q->wire[0] = (uint8_t)(q->wirelen >> 8);
	q->wire[1] = (uint8_t)q->wirelen;
	q->state = EQ_TCP_CONNECT;
	if (eng_slot_register(eng, q, fd, EPOLLOUT) != 0) {
		eng_finish(eng, q, DNSVET_QERR_IO, errno);
		return;
	}
	q->res->tries++;
	eng->stats.sent_tcp++;
	q->sent_ns = now;
	eng_set_deadline(eng, q, now + (uint64_t)eng_try_timeout_ms(eng, q) * 1000000u);
	if (connect(fd, (const struct sockaddr *)&q->res->addr, q->res->addrlen) == 0) {
		q->state = EQ_TCP_WRITE;
		tcp_write(eng, q);
		return;
	}
	if (errno != EINPROGRESS && errno != EINTR)
		tcp_fail(eng, q, errno);
}

void eng_tcp_event(dnsvet_engine *eng, struct eng_query *q, uint32_t events)
{
	switch (q->state) {
	case EQ_TCP_CONNECT: {
		int err = 0;
		socklen_t len = sizeof(err);
		if (getsockopt(q->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
		if (err) {
			tcp_fail(eng, q, err);
			return;
		}
		if (!(events & EPOLLOUT))
			return;
		q->state = EQ_TCP_WRITE;
		q->tcp_off = 0;
		tcp_write(eng, q);
		return;
	}
	case EQ_TCP_WRITE:
		tcp_write(eng, q);
		return;
	case EQ_TCP_READ:
		tcp_read(eng, q);
		return;
	default:
		return;
	}
}
