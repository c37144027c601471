/* --shard K/N: a stable split of an audit's domains. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/shard.h"

#define SHARD_MAX 65536u

int audit_shard_parse(const char *text, audit_shard *out, char *errbuf, size_t errlen)
{
	char *end;
	unsigned long k, n;

	errno = 0;
	k = strtoul(text, &end, 10);
	if (end == text || *end != '/' || errno || text[0] == '-' || end[1] == '-')
		goto bad;
	text = end + 1;
	n = strtoul(text, &end, 10);
	if (end == text || *end || errno)
		goto bad;
	if (n < 1 || n > SHARD_MAX || k < 1 || k > n) {
		snprintf(errbuf, errlen, "--shard %lu/%lu: K must be 1..N and N 1..%u", k, n,
		         SHARD_MAX);
		return -1;
	}
	out->k = (unsigned)k;
	out->n = (unsigned)n;
	return 0;
bad:
	snprintf(errbuf, errlen, "--shard: expected K/N such as 2/8");
	return -1;
}

uint64_t audit_shard_hash(const char *domain)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t len = strlen(domain);

	if (len && domain[len - 1] == '.')
		len--;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)domain[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h ^= c;
		h *= 0x100000001b3ull;
	}
	return h;
}

int audit_shard_takes(const audit_shard *shard, const char *domain)
{
	if (!shard || shard->n <= 1)
		return 1;
	return audit_shard_hash(domain) % shard->n == shard->k - 1;
}
