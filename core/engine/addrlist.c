/* Address lists and the resolver-list format ("addr[:port]" separated by
 * commas, blanks or newlines, '#' comments). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/addrlist.h"

#define RESOLVER_FILE_MAX (1024 * 1024)

dnsvet_addrlist *eng_addrlist_new(void)
{
	return calloc(1, sizeof(dnsvet_addrlist));
}

dnsvet_status eng_addrlist_add(dnsvet_addrlist *l, const char *name,
                               const struct sockaddr_storage *addr, socklen_t addrlen)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		dnsvet_server_addr *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return DNSVET_ERR_NOMEM;
		l->v = v;
		l->cap = cap;
	}
	dnsvet_server_addr *e = &l->v[l->n];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	memcpy(&e->addr, addr, addrlen <= sizeof(e->addr) ? addrlen : sizeof(e->addr));
	e->addrlen = addrlen;
	l->n++;
	return DNSVET_OK;
}

size_t dnsvet_addrlist_count(const dnsvet_addrlist *l)
{
	return l ? l->n : 0;
}

const dnsvet_server_addr *dnsvet_addrlist_get(const dnsvet_addrlist *l, size_t i)
{
	return (l && i < l->n) ? &l->v[i] : NULL;
}

void dnsvet_addrlist_free(dnsvet_addrlist *l)
{
	if (!l)
		return;
	free(l->v);
	free(l);
}

dnsvet_status eng_read_file(const char *path, size_t limit, char **out, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	size_t n = 0;

	if (!fp)
		return DNSVET_ERR_IO;
	buf = malloc(limit + 1);
	if (!buf) {
		fclose(fp);
		return DNSVET_ERR_NOMEM;
	}
	n = fread(buf, 1, limit + 1, fp);
	if (ferror(fp) || n > limit) {
		fclose(fp);
		free(buf);
		return n > limit ? DNSVET_ERR_LIMIT : DNSVET_ERR_IO;
	}
	fclose(fp);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return DNSVET_OK;
}

static void seterr(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!errbuf || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

static dnsvet_status parse_text(const char *text, size_t len, const char *origin,
                                uint16_t default_port, dnsvet_addrlist *l,
                                char *errbuf, size_t errlen)
{
	unsigned line = 1;
	size_t i = 0;

	while (i < len) {
		char c = text[i];
		if (c == '\n') {
			line++;
			i++;
			continue;
		}
		if (c == '#') {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		if (c == ',' || c == ' ' || c == '\t' || c == '\r') {
			i++;
			continue;
		}
		size_t start = i;
		while (i < len && !strchr(",# \t\r\n", text[i]) && text[i] != '\0')
			i++;
		if (i < len && text[i] == '\0') {
			seterr(errbuf, errlen, "%s:%u: NUL byte in resolver list", origin, line);
			return DNSVET_ERR_PARSE;
		}
		char tok[DNSVET_ADDRSTRLEN];
		size_t tl = i - start;
		if (tl >= sizeof(tok)) {
			seterr(errbuf, errlen, "%s:%u: address too long", origin, line);
			return DNSVET_ERR_PARSE;
		}
		memcpy(tok, text + start, tl);
		tok[tl] = '\0';
		struct sockaddr_storage ss;
		socklen_t sl;
		if (dnsvet_engine_addr_parse(tok, default_port, &ss, &sl) != DNSVET_OK) {
			seterr(errbuf, errlen, "%s:%u: not a numeric address[:port]: '%s'", origin, line,
			       tok);
			return DNSVET_ERR_PARSE;
		}
		dnsvet_status st = eng_addrlist_add(l, tok, &ss, sl);
		if (st != DNSVET_OK)
			return st;
	}
	if (l->n == 0) {
		seterr(errbuf, errlen, "%s:%u: no resolver address", origin, line);
		return DNSVET_ERR_PARSE;
	}
	return DNSVET_OK;
}

dnsvet_status dnsvet_resolvers_parse(const char *text, const char *origin,
                                     uint16_t default_port, dnsvet_addrlist **out,
                                     char *errbuf, size_t errlen)
{
	dnsvet_addrlist *l;
	dnsvet_status st;

	if (!text || !out)
		return DNSVET_ERR_INVALID;
	*out = NULL;
	l = eng_addrlist_new();
	if (!l)
		return DNSVET_ERR_NOMEM;
	st = parse_text(text, strlen(text), origin ? origin : "resolvers", default_port, l, errbuf,
	                errlen);
	if (st != DNSVET_OK) {
		dnsvet_addrlist_free(l);
		return st;
	}
	*out = l;
	return DNSVET_OK;
}

dnsvet_status dnsvet_resolvers_load(const char *path, uint16_t default_port,
                                    dnsvet_addrlist **out, char *errbuf, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	dnsvet_addrlist *l;
	dnsvet_status st;

	if (!path || !out)
		return DNSVET_ERR_INVALID;
	*out = NULL;
	st = eng_read_file(path, RESOLVER_FILE_MAX, &text, &len);
	if (st != DNSVET_OK) {
		seterr(errbuf, errlen, "%s: %s", path,
		       st == DNSVET_ERR_LIMIT ? "file too large" : "cannot read file");
		return st;
	}
	l = eng_addrlist_new();
	if (!l) {
		free(text);
		return DNSVET_ERR_NOMEM;
	}
	st = parse_text(text, len, path, default_port, l, errbuf, errlen);
	free(text);
	if (st != DNSVET_OK) {
		dnsvet_addrlist_free(l);
		return st;
	}
	*out = l;
	return DNSVET_OK;
}
