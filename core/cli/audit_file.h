/*
 * Audit files (dnsvet-audit(5)): a YAML list of domains with what each should publish,
 * plus defaults for all of them.
 *
 * Loading is strict about the file and lenient about entries: a YAML syntax error, an
 * unknown top-level key or a bad `defaults:` fails the whole file (nothing can be trusted),
 * while a bad entry is reported through the problem callback with its line and left out,
 * so the other entries still run.
 */
#ifndef DNSVET_CLI_AUDIT_FILE_H
#define DNSVET_CLI_AUDIT_FILE_H

#include <stddef.h>
#include <dnsvet/expect.h>
#include <dnsvet/node.h>
#include <dnsvet/status.h>
#include "cli/shard.h"

/* One domain of the file that passed validation. Borrowed from the audit_file. */
typedef struct audit_entry {
	const char *domain;         /* as written; the check normalises it */
	const dnsvet_node *spec;    /* the entry's map, or the bare domain's string node */
	unsigned line;
	unsigned column;
} audit_entry;

typedef struct audit_file audit_file;

/* An entry left out: message is "FILE:LINE:COL: domains[I] (DOMAIN): what is wrong".
 * Borrowed for the duration of the call. */
typedef void (*audit_problem_cb)(void *user, const char *message);

/*
 * Reads and validates path. Entries outside shard (NULL: all) are dropped before
 * validation, so each invalid entry is reported by exactly one shard. On a file-level
 * error *out is NULL and errbuf holds "FILE:LINE:COL: ..." (DNSVET_ERR_PARSE for YAML
 * syntax, DNSVET_ERR_INVALID for structure, DNSVET_ERR_IO when unreadable).
 * Caller frees with audit_file_free.
 */
dnsvet_status audit_file_load(const char *path, const audit_shard *shard,
                              audit_problem_cb problem, void *user,
                              audit_file **out, char *errbuf, size_t errlen);
void audit_file_free(audit_file *af);

size_t audit_file_count(const audit_file *af);
const audit_entry *audit_file_entry(const audit_file *af, size_t i);
/* Entries reported through the problem callback. */
size_t audit_file_invalid(const audit_file *af);
/* defaults.resolvers as one comma-separated string, NULL when absent. Borrowed. */
const char *audit_file_resolvers(const audit_file *af);

/*
 * Applies the defaults and entry's keys to e (whose domain is the entry's). On failure
 * errbuf holds "FILE:LINE:COL: domains[I] (DOMAIN): FIELD: ..." and e may be partly
 * filled: discard it.
 */
dnsvet_status audit_entry_apply(const audit_file *af, const audit_entry *entry,
                                dnsvet_expect *e, char *errbuf, size_t errlen);

#endif
