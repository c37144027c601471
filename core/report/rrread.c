/*
 * Records of an observation read back from their text. ldns_rr_new_frm_str builds a
 * record through its tokenizer one character at a time, and the report reads every
 * record of every reply it judges; the text the probe writes (core/probe/rrtext.c) for
 * the types the report compares is read here directly instead. Anything outside that
 * narrow, canonical form (escapes in names, other types, classes or spacing) goes to
 * ldns, so both paths give the same result (tests/unit/test_report_rrread.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <ldns/ldns.h>

#include "report/rrread.h"

void rr_read_name_norm(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (; in && in[n] && n + 1 < len; n++)
		out[n] = (char)tolower((unsigned char)in[n]);
	if (n > 1 && out[n - 1] == '.')
		n--;
	out[n] = '\0';
}

void rr_read_clear(rr_read *rr)
{
	free(rr->value);
	rr->value = NULL;
}

/* ldns path ------------------------------------------------------------ */

static char *rdf_name(const ldns_rdf *rdf)
{
	char *s = rdf ? ldns_rdf2str(rdf) : NULL;

	if (s)
		rr_read_name_norm(s, s, strlen(s) + 1);
	return s;
}

static char *ldns_value(const ldns_rr *rr)
{
	ldns_buffer *b;
	char *out;

	switch (ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_PTR:
	case LDNS_RR_TYPE_DNAME:
		return rdf_name(ldns_rr_rdf(rr, 0));
	case LDNS_RR_TYPE_MX: {
		char *host = rdf_name(ldns_rr_rdf(rr, 1));
		const ldns_rdf *pref = ldns_rr_rdf(rr, 0);

		if (!host || !pref)
			return host;
		out = malloc(strlen(host) + 8);
		if (out)
			sprintf(out, "%u %s", (unsigned)ldns_rdf2native_int16(pref), host);
		free(host);
		return out;
	}
	case LDNS_RR_TYPE_TXT:
	case LDNS_RR_TYPE_SPF: {
		size_t len = 0, o = 0;

		for (size_t i = 0; i < ldns_rr_rd_count(rr); i++)
			len += ldns_rdf_size(ldns_rr_rdf(rr, i));
		out = malloc(len + 1);
		if (!out)
			return NULL;
		for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
			const ldns_rdf *f = ldns_rr_rdf(rr, i);
			const uint8_t *d = ldns_rdf_data(f);

			if (ldns_rdf_size(f) > 0 && d[0] <= ldns_rdf_size(f) - 1) {
				memcpy(out + o, d + 1, d[0]);
				o += d[0];
			}
		}
		out[o] = '\0';
		return out;
	}
	default:
		break;
	}
	b = ldns_buffer_new(256);
	if (!b)
		return NULL;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		if (i)
			ldns_buffer_printf(b, " ");
		ldns_rdf2buffer_str(b, ldns_rr_rdf(rr, i));
	}
	out = ldns_buffer_export2str(b);
	ldns_buffer_free(b);
	return out;
}

int rr_read_text_ldns(const char *text, rr_read *out)
{
	ldns_rr *rr = NULL;
	char *o;

	memset(out, 0, sizeof(*out));
	out->soa_min = -1;
	if (!text || ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) != LDNS_STATUS_OK)
		return -1;
	o = rdf_name(ldns_rr_owner(rr));
	snprintf(out->owner, sizeof(out->owner), "%s", o ? o : "");
	free(o);
	out->type = (uint16_t)ldns_rr_get_type(rr);
	out->ttl = ldns_rr_ttl(rr);
	if (out->type == LDNS_RR_TYPE_SOA && ldns_rr_rdf(rr, 6))
		out->soa_min = ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));
	out->value = ldns_value(rr);
	ldns_rr_free(rr);
	return 0;
}

/* Direct path ---------------------------------------------------------- */

typedef struct tok {
	const char *p;
	size_t n;
} tok;

/* The next field up to a single space (or the end); NULL when the text has none. */
static const char *next_field(const char *s, tok *t)
{
	const char *sp;

	if (!*s || *s == ' ')
		return NULL;
	sp = strchr(s, ' ');
	t->p = s;
	t->n = sp ? (size_t)(sp - s) : strlen(s);
	return sp ? sp + 1 : s + t->n;
}

/* A name of letters, digits, '-', '_' and '*' in non-empty labels, which ldns reads and
 * prints unchanged; written normalised into out. */
static int plain_name(const tok *t, char *out)
{
	size_t label = 0;

	if (t->n == 1 && t->p[0] == '.') {
		strcpy(out, ".");
		return 0;
	}
	/* wire length: the text plus a length byte, plus the root label if not absolute */
	if (t->n == 0 || t->n + (t->p[t->n - 1] == '.' ? 1 : 2) > LDNS_MAX_DOMAINLEN)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		unsigned char c = (unsigned char)t->p[i];

		if (c == '.') {
			if (label == 0)
				return -1;
			label = 0;
		} else if (isalnum(c) || c == '-' || c == '_' || c == '*') {
			if (++label > LDNS_MAX_LABELLEN)
				return -1;
		} else {
			return -1;
		}
		out[i] = (char)tolower(c);
	}
	out[t->n - (t->p[t->n - 1] == '.')] = '\0';
	return 0;
}

/* A decimal number without sign or leading zero, at most max. */
static int plain_uint(const tok *t, uint32_t max, uint32_t *v)
{
	uint64_t x = 0;

	if (t->n == 0 || t->n > 10 || (t->p[0] == '0' && t->n > 1))
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		if (!isdigit((unsigned char)t->p[i]))
			return -1;
		x = x * 10 + (uint64_t)(t->p[i] - '0');
	}
	if (x > max)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static int tok_is(const tok *t, const char *s)
{
	return strlen(s) == t->n && memcmp(t->p, s, t->n) == 0;
}

static char *tok_dup(const tok *t)
{
	char *s = malloc(t->n + 1);

	if (s) {
		memcpy(s, t->p, t->n);
		s[t->n] = '\0';
	}
	return s;
}

/* Quoted character-strings separated by single spaces, escaped as ldns writes them
 * (\" \\ \DDD; printable characters and tabs as they are), joined into a new string. */
static int plain_txt(const char *s, char **out)
{
	size_t len = strlen(s), o = 0;
	char *v = malloc(len + 1);

	if (!v)
		return -1;
	while (*s) {
		size_t start = o;

		if (*s++ != '"')
			goto bad;
		while (*s != '"') {
			unsigned char c = (unsigned char)*s;

			if (c == '\\') {
				if (s[1] == '"' || s[1] == '\\') {
					v[o++] = s[1];
					s += 2;
				} else if (isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
				           isdigit((unsigned char)s[3])) {
					int d = (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
					if (d > 255)
						goto bad;
					v[o++] = (char)d;
					s += 4;
				} else {
					goto bad;
				}
			} else if (isprint(c) || c == '\t') {
				v[o++] = (char)c;
				s++;
			} else {
				goto bad;
			}
		}
		s++;
		if (o - start > 255 || (*s && *s++ != ' ') || (*s == '\0' && s[-1] == ' '))
			goto bad;
	}
	v[o] = '\0';
	*out = v;
	return 0;
bad:
	free(v);
	return -1;
}

int rr_read_text_direct(const char *text, rr_read *out)
{
	static const struct {
		const char *name;
		uint16_t type;
	} types[] = {
		{"A", LDNS_RR_TYPE_A},         {"AAAA", LDNS_RR_TYPE_AAAA},
		{"CNAME", LDNS_RR_TYPE_CNAME}, {"DNAME", LDNS_RR_TYPE_DNAME},
		{"MX", LDNS_RR_TYPE_MX},       {"NS", LDNS_RR_TYPE_NS},
		{"PTR", LDNS_RR_TYPE_PTR},     {"SOA", LDNS_RR_TYPE_SOA},
		{"SPF", LDNS_RR_TYPE_SPF},     {"TXT", LDNS_RR_TYPE_TXT},
	};
	const char *s = text;
	tok owner, ttl, cls, type, f;
	char name[LDNS_MAX_DOMAINLEN + 2];

	memset(out, 0, sizeof(*out));
	out->soa_min = -1;
	if (!*s || s[strlen(s) - 1] == ' ')
		return -1;
	if (!(s = next_field(s, &owner)) || !(s = next_field(s, &ttl)) ||
	    !(s = next_field(s, &cls)) || !(s = next_field(s, &type)) || !*s)
		return -1;
	if (plain_name(&owner, out->owner) != 0 || plain_uint(&ttl, INT32_MAX, &out->ttl) != 0 ||
	    !tok_is(&cls, "IN"))
		return -1;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]) && !out->type; i++)
		if (tok_is(&type, types[i].name))
			out->type = types[i].type;
	switch (out->type) {
	case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_PTR:
	case LDNS_RR_TYPE_DNAME:
		if (!(s = next_field(s, &f)) || *s || plain_name(&f, name) != 0)
			return -1;
		out->value = strdup(name);
		return out->value ? 0 : -1;
	case LDNS_RR_TYPE_MX: {
		uint32_t pref;

		if (!(s = next_field(s, &f)) || plain_uint(&f, 65535, &pref) != 0 ||
		    !(s = next_field(s, &f)) || *s || plain_name(&f, name) != 0)
			return -1;
		out->value = malloc(strlen(name) + 8);
		if (!out->value)
			return -1;
		sprintf(out->value, "%u %s", (unsigned)pref, name);
		return 0;
	}
	case LDNS_RR_TYPE_TXT:
	case LDNS_RR_TYPE_SPF:
		return plain_txt(s, &out->value);
	case LDNS_RR_TYPE_A:
	case LDNS_RR_TYPE_AAAA: {
		int af = out->type == LDNS_RR_TYPE_A ? AF_INET : AF_INET6;
		unsigned char addr[16];
		char ab[INET6_ADDRSTRLEN], *a;

		if (!(s = next_field(s, &f)) || *s || f.n >= sizeof(ab))
			return -1;
		a = tok_dup(&f);
		if (!a)
			return -1;
		if (inet_pton(af, a, addr) != 1 || !inet_ntop(af, addr, ab, sizeof(ab))) {
			free(a);
			return -1;
		}
		free(a);
		out->value = strdup(ab);
		return out->value ? 0 : -1;
	}
	case LDNS_RR_TYPE_SOA: {
		const char *rdata = s;
		uint32_t n;

		for (int i = 0; i < 2; i++)
			if (!(s = next_field(s, &f)) || f.p[f.n - 1] != '.' || plain_name(&f, name) != 0)
				return -1;
		for (int i = 0; i < 5; i++) {
			if (!(s = next_field(s, &f)) || plain_uint(&f, UINT32_MAX, &n) != 0)
				return -1;
		}
		if (*s)
			return -1;
		out->soa_min = n;
		out->value = strdup(rdata);
		return out->value ? 0 : -1;
	}
	default:
		return -1;
	}
}

int rr_read_text(const char *text, rr_read *out)
{
	if (text && rr_read_text_direct(text, out) == 0)
		return 0;
	if (text)
		rr_read_clear(out);
	return rr_read_text_ldns(text, out);
}
