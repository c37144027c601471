/* Escaping of hostile text for the terminal; see safe_text.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cli/safe_text.h"
#include "tree/utf8.h"

/* Bytes of s[0..n) that can be copied as they are: 0 when s starts with something to
 * escape. */
static size_t clean_run(const unsigned char *s, size_t n, int keep_newlines)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t len;

		if (s[i] >= 0x20 && s[i] < 0x7F) {
			i++;
			continue;
		}
		if (s[i] == '\n' && keep_newlines) {
			i++;
			continue;
		}
		if (s[i] < 0x80)
			break;
		len = dnsvet_utf8_decode(s + i, n - i, &cp);
		if (len == 0 || (cp >= 0x80 && cp <= 0x9F))
			break;
		i += len;
	}
	return i;
}

/* How many bytes the escape of s's first character takes: a C1 control is one
 * well-formed character of two bytes, and both are shown. */
static size_t escape_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len = s[0] >= 0x80 ? dnsvet_utf8_decode(s, n, &cp) : 1;

	return len ? len : 1;
}

/* Calls put(buf, len, user) for the pieces of s made safe. */
static void escape(const char *str, int keep_newlines,
                   void (*put)(const char *buf, size_t len, void *user), void *user)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str);

	while (n) {
		size_t run = clean_run(s, n, keep_newlines), esc;

		if (run) {
			put((const char *)s, run, user);
			s += run;
			n -= run;
			continue;
		}
		esc = escape_len(s, n);
		for (size_t i = 0; i < esc; i++) {
			char buf[5];

			snprintf(buf, sizeof(buf), "\\%03u", s[i]);
			put(buf, 4, user);
		}
		s += esc;
		n -= esc;
	}
}

static void put_file(const char *buf, size_t len, void *user)
{
	fwrite(buf, 1, len, (FILE *)user);
}

void cli_fput_safe(FILE *fp, const char *s, int keep_newlines)
{
	if (s)
		escape(s, keep_newlines, put_file, fp);
}

typedef struct sink {
	char *buf;
	size_t len;
} sink;

static void put_mem(const char *buf, size_t len, void *user)
{
	sink *k = user;

	memcpy(k->buf + k->len, buf, len);
	k->len += len;
}

static const char *safe(cli_strpool *pool, const char *s, int keep_newlines)
{
	size_t n;
	sink k = {NULL, 0};

	if (!s)
		return NULL;
	n = strlen(s);
	if (clean_run((const unsigned char *)s, n, keep_newlines) == n)
		return s;
	if (pool->n == pool->cap) {
		size_t cap = pool->cap ? pool->cap * 2 : 16;
		char **grown = realloc(pool->s, cap * sizeof(*grown));

		if (!grown)
			return "?";
		pool->s = grown;
		pool->cap = cap;
	}
	/* Every byte at most four: "\DDD". */
	if (n > (SIZE_MAX - 1) / 4 || !(k.buf = malloc(n * 4 + 1)))
		return "?";
	escape(s, keep_newlines, put_mem, &k);
	k.buf[k.len] = '\0';
	pool->s[pool->n++] = k.buf;
	return k.buf;
}

const char *cli_safe(cli_strpool *pool, const char *s)
{
	return safe(pool, s, 0);
}

const char *cli_safe_lines(cli_strpool *pool, const char *s)
{
	return safe(pool, s, 1);
}

void cli_strpool_free(cli_strpool *pool)
{
	for (size_t i = 0; i < pool->n; i++)
		free(pool->s[i]);
	free(pool->s);
	pool->s = NULL;
	pool->n = pool->cap = 0;
}
