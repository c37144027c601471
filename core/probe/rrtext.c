/*
 * Presentation text of the resource records the probe keeps, written straight
 * into a caller's buffer. ldns_rr2str builds the same text through a growing
 * buffer and one printf per character, which cost more than everything else
 * done with an answer; the common types are written here byte for byte as
 * ldns writes them (the observation format depends on it), and every other
 * record is left to ldns.
 */
#include "probe/probe_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

typedef struct tb {
	char *p;
	size_t n, cap;
	int over;
} tb;

static void put(tb *b, const char *s, size_t n)
{
	if (b->over || n >= b->cap - b->n) {
		b->over = 1;
		return;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void putc1(tb *b, char c)
{
	put(b, &c, 1);
}

static void put_u(tb *b, unsigned long v)
{
	char d[24];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(b, d + i, sizeof(d) - i);
}

static void put_esc3(tb *b, unsigned c)
{
	char e[4] = {'\\', (char)('0' + c / 100), (char)('0' + c / 10 % 10), (char)('0' + c % 10)};

	put(b, e, 4);
}

/* As ldns_rdf2buffer_str_dname. */
static void put_dname(tb *b, const uint8_t *d, size_t len)
{
	size_t pos = 0;

	if (len == 1) {
		putc1(b, '.');
		return;
	}
	while (pos < len && d[pos]) {
		size_t l = d[pos++];
		for (size_t i = 0; i < l && pos < len; i++, pos++) {
			unsigned char c = d[pos];
			if (c == '.' || c == ';' || c == '(' || c == ')' || c == '\\') {
				putc1(b, '\\');
				putc1(b, (char)c);
			} else if (!(isascii(c) && isgraph(c))) {
				put_esc3(b, c);
			} else {
				putc1(b, (char)c);
			}
		}
		if (pos < len)
			putc1(b, '.');
	}
}

/* As ldns_rdf2buffer_str_str: one quoted character-string. */
static void put_str(tb *b, const uint8_t *d, size_t len)
{
	size_t l;

	if (len < 1 || (size_t)d[0] + 1 > len) {
		b->over = 1;
		return;
	}
	l = d[0];
	putc1(b, '"');
	for (size_t i = 1; i <= l; i++) {
		unsigned char c = d[i];
		if (isprint(c) || c == '\t') {
			if (c == '"' || c == '\\')
				putc1(b, '\\');
			putc1(b, (char)c);
		} else {
			put_esc3(b, c);
		}
	}
	putc1(b, '"');
}

static int put_rdf(tb *b, const ldns_rdf *f)
{
	const uint8_t *d = ldns_rdf_data(f);
	size_t len = ldns_rdf_size(f);
	char ab[INET6_ADDRSTRLEN];

	switch (ldns_rdf_get_type(f)) {
	case LDNS_RDF_TYPE_DNAME:
		if (len > LDNS_MAX_DOMAINLEN)
			return -1;
		put_dname(b, d, len);
		return 0;
	case LDNS_RDF_TYPE_STR:
		put_str(b, d, len);
		return 0;
	case LDNS_RDF_TYPE_A:
		if (len != 4 || !inet_ntop(AF_INET, d, ab, sizeof(ab)))
			return -1;
		put(b, ab, strlen(ab));
		return 0;
	case LDNS_RDF_TYPE_AAAA:
		if (len != 16 || !inet_ntop(AF_INET6, d, ab, sizeof(ab)))
			return -1;
		put(b, ab, strlen(ab));
		return 0;
	case LDNS_RDF_TYPE_INT8:
		if (len != 1)
			return -1;
		put_u(b, d[0]);
		return 0;
	case LDNS_RDF_TYPE_INT16:
		if (len != 2)
			return -1;
		put_u(b, (unsigned long)d[0] << 8 | d[1]);
		return 0;
	case LDNS_RDF_TYPE_INT32:
	case LDNS_RDF_TYPE_PERIOD:
		if (len != 4)
			return -1;
		put_u(b, (unsigned long)d[0] << 24 | (unsigned long)d[1] << 16 |
		         (unsigned long)d[2] << 8 | d[3]);
		return 0;
	default:
		return -1;
	}
}

static const char *type_name(ldns_rr_type t)
{
	switch (t) {
	case LDNS_RR_TYPE_A: return "A";
	case LDNS_RR_TYPE_NS: return "NS";
	case LDNS_RR_TYPE_CNAME: return "CNAME";
	case LDNS_RR_TYPE_SOA: return "SOA";
	case LDNS_RR_TYPE_PTR: return "PTR";
	case LDNS_RR_TYPE_MX: return "MX";
	case LDNS_RR_TYPE_TXT: return "TXT";
	case LDNS_RR_TYPE_AAAA: return "AAAA";
	case LDNS_RR_TYPE_DNAME: return "DNAME";
	case LDNS_RR_TYPE_SPF: return "SPF";
	default: return NULL;
	}
}

int pr_rr_format(const ldns_rr *rr, char *buf, size_t cap)
{
	tb b = {buf, 0, cap, 0};
	const ldns_rdf *owner = ldns_rr_owner(rr);
	const char *tn = type_name(ldns_rr_get_type(rr));
	size_t nrd = ldns_rr_rd_count(rr);

	/* Other types, classes and RDATA-less records take ldns' own paths. */
	if (!tn || !owner || !nrd || cap == 0 || ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
	    ldns_rdf_get_type(owner) != LDNS_RDF_TYPE_DNAME ||
	    ldns_rdf_size(owner) > LDNS_MAX_DOMAINLEN)
		return -1;
	put_dname(&b, ldns_rdf_data(owner), ldns_rdf_size(owner));
	putc1(&b, ' ');
	put_u(&b, ldns_rr_ttl(rr));
	put(&b, " IN ", 4);
	put(&b, tn, strlen(tn));
	putc1(&b, ' ');
	for (size_t i = 0; i < nrd; i++) {
		if (i)
			putc1(&b, ' ');
		if (put_rdf(&b, ldns_rr_rdf(rr, i)) != 0)
			return -1;
	}
	if (b.over)
		return -1;
	buf[b.n] = '\0';
	return (int)b.n;
}

int pr_rdf_name(const ldns_rdf *rdf, char *out)
{
	char buf[LDNS_MAX_DOMAINLEN * 4 + 2];
	tb b = {buf, 0, sizeof(buf), 0};

	if (!rdf)
		return -1;
	if (ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME ||
	    ldns_rdf_size(rdf) > LDNS_MAX_DOMAINLEN) {
		char *s = ldns_rdf2str(rdf);
		int r = s ? pr_name_norm(s, out) : -1;
		free(s);
		return r;
	}
	put_dname(&b, ldns_rdf_data(rdf), ldns_rdf_size(rdf));
	if (b.over)
		return -1;
	buf[b.n] = '\0';
	return pr_name_norm(buf, out);
}

int pr_rr_text_split(const char *text, char *owner, uint16_t *type, const char **rdata)
{
	const char *field[4], *c = text;
	size_t len[4];
	char tmp[LDNS_MAX_DOMAINLEN * 4 + 2];

	for (int i = 0; i < 4; i++) {
		const char *sp = strchr(c, ' ');
		if (!sp)
			return -1;
		field[i] = c;
		len[i] = (size_t)(sp - c);
		c = sp + 1;
	}
	if (len[0] >= sizeof(tmp) || len[3] >= sizeof(tmp))
		return -1;
	memcpy(tmp, field[0], len[0]);
	tmp[len[0]] = '\0';
	if (pr_name_norm(tmp, owner) != 0)
		return -1;
	memcpy(tmp, field[3], len[3]);
	tmp[len[3]] = '\0';
	*type = pr_type_parse(tmp);
	if (!*type)
		return -1;
	*rdata = c;
	return 0;
}

int pr_text_name(const char *rdata, char *out)
{
	char tmp[LDNS_MAX_DOMAINLEN * 4 + 2];
	size_t n = strcspn(rdata, " ");

	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, rdata, n);
	tmp[n] = '\0';
	return pr_name_norm(tmp, out);
}

int pr_text_addr(uint16_t type, const char *rdata, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (type == LDNS_RR_TYPE_A) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		if (inet_pton(AF_INET, rdata, &s4->sin_addr) != 1)
			return -1;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(53);
		*len = sizeof(*s4);
		return 0;
	}
	if (type == LDNS_RR_TYPE_AAAA) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		if (inet_pton(AF_INET6, rdata, &s6->sin6_addr) != 1)
			return -1;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(53);
		*len = sizeof(*s6);
		return 0;
	}
	return -1;
}
