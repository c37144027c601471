/*
 * --shard K/N: which domains of an audit one of N processes takes. The choice hashes the
 * normalised domain name (lowercase, no trailing dot), not its position, so the shards do
 * not change when the file is reordered or grows, and N processes cover it exactly once.
 */
#ifndef DNSVET_CLI_SHARD_H
#define DNSVET_CLI_SHARD_H

#include <stddef.h>
#include <stdint.h>

typedef struct audit_shard {
	unsigned k;   /* 1-based */
	unsigned n;
} audit_shard;

/* Parses "K/N", digits only (1 <= K <= N <= 65536). 0 on success; -1 with the reason in
 * errbuf, which quotes text but not the flag: the caller says where it came from. */
int audit_shard_parse(const char *text, audit_shard *out, char *errbuf, size_t errlen);

/* 1 when the shard takes domain. shard NULL takes everything. */
int audit_shard_takes(const audit_shard *shard, const char *domain);

/* FNV-1a of the normalised name; shared by every platform and release. */
uint64_t audit_shard_hash(const char *domain);

#endif
