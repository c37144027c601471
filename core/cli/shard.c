/* --shard K/N: a stable split of an audit's domains. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/shard.h"

#define SHARD_MAX 65536u

int audit_shard_parse(const char *text, audit_shard *out, char *errbuf, size_t errlen)
{
	const char *slash = strchr(text, '/');
	char *end;
	unsigned long k, n;

	/* strtoul alone would take " 1", "+1" and "-1": only digits make a shard number */
	if (!slash || slash == text || !slash[1] ||
	    strspn(text, "0123456789") != (size_t)(slash - text) ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1))
		goto bad;
	errno = 0;
	k = strtoul(text, &end, 10);
	if (errno)
		goto range;
	n = strtoul(slash + 1, &end, 10);
	if (errno)
		goto range;
	if (n < 1 || n > SHARD_MAX || k < 1 || k > n)
		goto range;
	out->k = (unsigned)k;
	out->n = (unsigned)n;
	return 0;
range:
	snprintf(errbuf, errlen, "'%s': K must be 1..N and N 1..%u", text, SHARD_MAX);
	return -1;
bad:
	snprintf(errbuf, errlen, "expected K/N such as 2/8, not '%s'", text);
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
