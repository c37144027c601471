#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tree/sbuf.h"

void dnsvet_sbuf_init(dnsvet_sbuf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = 0;
}

void dnsvet_sbuf_clear(dnsvet_sbuf *b)
{
	free(b->data);
	dnsvet_sbuf_init(b);
}

/* Room for len more bytes plus the terminating NUL. */
static int reserve(dnsvet_sbuf *b, size_t len)
{
	size_t need, ncap;
	char *p;

	if (b->failed)
		return 0;
	if (len > ((size_t)-1) / 2 - b->len) {
		b->failed = 1;
		return 0;
	}
	need = b->len + len + 1;
	if (need <= b->cap)
		return 1;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap *= 2;
	p = realloc(b->data, ncap);
	if (!p) {
		b->failed = 1;
		return 0;
	}
	b->data = p;
	b->cap = ncap;
	return 1;
}

void dnsvet_sbuf_add(dnsvet_sbuf *b, const char *s, size_t len)
{
	if (!reserve(b, len))
		return;
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void dnsvet_sbuf_adds(dnsvet_sbuf *b, const char *s)
{
	dnsvet_sbuf_add(b, s, strlen(s));
}

void dnsvet_sbuf_addc(dnsvet_sbuf *b, char c)
{
	if (!reserve(b, 1))
		return;
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void dnsvet_sbuf_addf(dnsvet_sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if (!reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void dnsvet_sbuf_indent(dnsvet_sbuf *b, size_t n)
{
	if (!reserve(b, n))
		return;
	memset(b->data + b->len, ' ', n);
	b->len += n;
	b->data[b->len] = '\0';
}

dnsvet_status dnsvet_sbuf_finish(dnsvet_sbuf *b, char **out)
{
	if (b->failed) {
		dnsvet_sbuf_clear(b);
		return DNSVET_ERR_NOMEM;
	}
	if (!b->data) {
		b->data = malloc(1);
		if (!b->data)
			return DNSVET_ERR_NOMEM;
		b->data[0] = '\0';
	}
	*out = b->data;
	dnsvet_sbuf_init(b);
	return DNSVET_OK;
}
