#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>

#include "engine/rng.h"

void eng_rng_init(struct eng_rng *r)
{
	memset(r->buf, 0, sizeof(r->buf));
	r->pos = sizeof(r->buf);
}

static dnsvet_status rng_fill(struct eng_rng *r)
{
	size_t got = 0;

	while (got < sizeof(r->buf)) {
		ssize_t n = getrandom(r->buf + got, sizeof(r->buf) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		got += (size_t)n;
	}
	if (got < sizeof(r->buf)) {
		/* Kernels without getrandom(2) still have urandom. */
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return DNSVET_ERR_IO;
		while (got < sizeof(r->buf)) {
			ssize_t n = read(fd, r->buf + got, sizeof(r->buf) - got);
			if (n <= 0) {
				if (n < 0 && errno == EINTR)
					continue;
				close(fd);
				return DNSVET_ERR_IO;
			}
			got += (size_t)n;
		}
		close(fd);
	}
	r->pos = 0;
	return DNSVET_OK;
}

dnsvet_status eng_rng_u16(struct eng_rng *r, uint16_t *out)
{
	if (r->pos + 2 > sizeof(r->buf)) {
		dnsvet_status st = rng_fill(r);
		if (st != DNSVET_OK)
			return st;
	}
	*out = (uint16_t)((r->buf[r->pos] << 8) | r->buf[r->pos + 1]);
	/* Used bytes are wiped so a memory disclosure later reveals no past IDs. */
	r->buf[r->pos] = r->buf[r->pos + 1] = 0;
	r->pos += 2;
	return DNSVET_OK;
}
