/* A growable byte buffer for the serialisers. Internal to the library. */
#ifndef DNSVET_TREE_SBUF_H
#define DNSVET_TREE_SBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <dnsvet/status.h>

typedef struct dnsvet_sbuf {
	char *data;
	size_t len;
	size_t cap;
	int failed;  /* sticky: an allocation failed, later appends are ignored */
} dnsvet_sbuf;

void dnsvet_sbuf_init(dnsvet_sbuf *b);
/* Frees the content. */
void dnsvet_sbuf_clear(dnsvet_sbuf *b);
void dnsvet_sbuf_add(dnsvet_sbuf *b, const char *s, size_t len);
void dnsvet_sbuf_adds(dnsvet_sbuf *b, const char *s);
void dnsvet_sbuf_addc(dnsvet_sbuf *b, char c);
void dnsvet_sbuf_addf(dnsvet_sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void dnsvet_sbuf_indent(dnsvet_sbuf *b, size_t n);
/* Hands the NUL-terminated content to *out (caller frees with free()) and empties b.
 * DNSVET_ERR_NOMEM if any append failed (then b is cleared, *out untouched). */
dnsvet_status dnsvet_sbuf_finish(dnsvet_sbuf *b, char **out);

#endif
