/*
 * Text from DNS answers, recordings and input files is hostile: a server can put ESC, BEL
 * or a C1 CSI in a TXT record and, printed raw, rewrite the reader's terminal or forge
 * lines of the report. The text outputs pass every such string through here, which shows
 * each byte a terminal would act on as \DDD (decimal, as in zone files): C0 controls, DEL,
 * C1 controls and bytes that are not well-formed UTF-8. Other UTF-8 passes unchanged.
 */
#ifndef DNSVET_CLI_SAFE_TEXT_H
#define DNSVET_CLI_SAFE_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* The escaped copies made while rendering one thing, freed together. */
typedef struct cli_strpool {
	char **s;
	size_t n, cap;
} cli_strpool;

#define CLI_STRPOOL_INIT {NULL, 0, 0}

/* s made safe: s itself when nothing needs escaping (the usual case, no copy), NULL for
 * NULL, otherwise a copy owned by pool. Never fails: without memory the copy is "?". */
const char *cli_safe(cli_strpool *pool, const char *s);

/* The same for multi-line text whose lines the caller lays out: newlines are kept. */
const char *cli_safe_lines(cli_strpool *pool, const char *s);

/* Frees every copy in pool; pool can be used again. */
void cli_strpool_free(cli_strpool *pool);

/* Writes s to fp made safe; newlines are kept when keep_newlines (multi-line text whose
 * lines the caller lays out), escaped otherwise. */
void cli_fput_safe(FILE *fp, const char *s, int keep_newlines);

#endif
