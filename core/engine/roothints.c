/* Root hints: IANA's compiled in, or a named.root-format file. */
#include <ctype.h>
#include <stdbool.h>
#include <strings.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/addrlist.h"

#define HINTS_FILE_MAX (4 * 1024 * 1024)
#define HINTS_RECORD_MAX 4096

/* From https://www.internic.net/domain/named.root (b.root renumbered 2023-11). */
static const struct {
	const char *name, *v4, *v6;
} iana_roots[] = {
	{ "a.root-servers.net.", "198.41.0.4", "2001:503:ba3e::2:30" },
	{ "b.root-servers.net.", "170.247.170.2", "2801:1b8:10::b" },
	{ "c.root-servers.net.", "192.33.4.12", "2001:500:2::c" },
	{ "d.root-servers.net.", "199.7.91.13", "2001:500:2d::d" },
	{ "e.root-servers.net.", "192.203.230.10", "2001:500:a8::e" },
	{ "f.root-servers.net.", "192.5.5.241", "2001:500:2f::f" },
	{ "g.root-servers.net.", "192.112.36.4", "2001:500:12::d0d" },
	{ "h.root-servers.net.", "198.97.190.53", "2001:500:1::53" },
	{ "i.root-servers.net.", "192.36.148.17", "2001:7fe::53" },
	{ "j.root-servers.net.", "192.58.128.30", "2001:503:c27::2:30" },
	{ "k.root-servers.net.", "193.0.14.129", "2001:7fd::1" },
	{ "l.root-servers.net.", "199.7.83.42", "2001:500:9f::42" },
	{ "m.root-servers.net.", "202.12.27.33", "2001:dc3::35" },
};

dnsvet_status dnsvet_roothints_default(dnsvet_roothints **out)
{
	dnsvet_addrlist *l;

	if (!out)
		return DNSVET_ERR_INVALID;
	*out = NULL;
	l = eng_addrlist_new();
	if (!l)
		return DNSVET_ERR_NOMEM;
	for (size_t i = 0; i < sizeof(iana_roots) / sizeof(iana_roots[0]); i++) {
		const char *addrs[2] = { iana_roots[i].v4, iana_roots[i].v6 };
		for (int k = 0; k < 2; k++) {
			struct sockaddr_storage ss;
			socklen_t sl;
			dnsvet_status st = dnsvet_engine_addr_parse(addrs[k], 53, &ss, &sl);
			if (st == DNSVET_OK)
				st = eng_addrlist_add(l, iana_roots[i].name, &ss, sl);
			if (st != DNSVET_OK) {
				dnsvet_addrlist_free(l);
				return st == DNSVET_ERR_NOMEM ? st : DNSVET_ERR_INTERNAL;
			}
		}
	}
	*out = l;
	return DNSVET_OK;
}

void dnsvet_roothints_free(dnsvet_roothints *h)
{
	dnsvet_addrlist_free(h);
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

/* State of one pass over the file. */
struct hints_parse {
	const char *path;
	uint32_t ttl;
	ldns_rdf *origin;
	ldns_rdf *prev;
	ldns_rr_list *ns;    /* NS records of "." */
	ldns_rr_list *addrs; /* every A/AAAA */
};

/* Copy one line into rec without its comment; returns the paren depth
 * change, or INT_MIN-ish sentinel on overflow. */
static int append_line(char *rec, size_t *rl, const char *s, size_t n, int *overflow)
{
	int depth = 0;
	bool quoted = false;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '"' && (i == 0 || s[i - 1] != '\\'))
			quoted = !quoted;
		if (!quoted && c == ';')
			break;
		if (!quoted && (c == '(' || c == ')')) {
			depth += c == '(' ? 1 : -1;
			c = ' ';
		}
		if (c == '\r' || c == '\0')
			c = ' ';
		if (*rl + 2 >= HINTS_RECORD_MAX) {
			*overflow = 1;
			return depth;
		}
		rec[(*rl)++] = c;
	}
	if (*rl + 2 < HINTS_RECORD_MAX)
		rec[(*rl)++] = ' ';
	rec[*rl] = '\0';
	return depth;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

static dnsvet_status hints_record(struct hints_parse *p, char *rec, unsigned line,
                                  char *errbuf, size_t errlen)
{
	char *s = rec;
	ldns_rr *rr = NULL;

	if (blank(s))
		return DNSVET_OK;
	if (s[0] == '$') {
		char word[16] = { 0 }, arg[1024] = { 0 };
		if (sscanf(s, "%15s %1023s", word, arg) < 2) {
			seterr(errbuf, errlen, "%s:%u: directive without argument", p->path, line);
			return DNSVET_ERR_PARSE;
		}
		if (strcasecmp(word, "$TTL") == 0) {
			char *end;
			unsigned long v = strtoul(arg, &end, 10);
			if (*end || v > 0x7fffffffUL) {
				seterr(errbuf, errlen, "%s:%u: bad $TTL '%s'", p->path, line, arg);
				return DNSVET_ERR_PARSE;
			}
			p->ttl = (uint32_t)v;
			return DNSVET_OK;
		}
		if (strcasecmp(word, "$ORIGIN") == 0) {
			ldns_rdf *o = ldns_dname_new_frm_str(arg);
			if (!o || arg[strlen(arg) - 1] != '.') {
				if (o)
					ldns_rdf_deep_free(o);
				seterr(errbuf, errlen, "%s:%u: bad $ORIGIN '%s'", p->path, line, arg);
				return DNSVET_ERR_PARSE;
			}
			if (p->origin)
				ldns_rdf_deep_free(p->origin);
			p->origin = o;
			return DNSVET_OK;
		}
		seterr(errbuf, errlen, "%s:%u: unsupported directive %s", p->path, line, word);
		return DNSVET_ERR_PARSE;
	}
	ldns_status ls = ldns_rr_new_frm_str(&rr, s, p->ttl, p->origin, &p->prev);
	if (ls != LDNS_STATUS_OK || !rr) {
		seterr(errbuf, errlen, "%s:%u: %s", p->path, line, ldns_get_errorstr_by_id(ls));
		return DNSVET_ERR_PARSE;
	}
	ldns_rr_type t = ldns_rr_get_type(rr);
	bool keep = false;
	if (t == LDNS_RR_TYPE_NS && ldns_dname_label_count(ldns_rr_owner(rr)) == 0) {
		keep = ldns_rr_list_push_rr(p->ns, rr);
	} else if (t == LDNS_RR_TYPE_A || t == LDNS_RR_TYPE_AAAA) {
		keep = ldns_rr_list_push_rr(p->addrs, rr);
	} else {
		ldns_rr_free(rr);
		return DNSVET_OK;
	}
	if (!keep) {
		ldns_rr_free(rr);
		return DNSVET_ERR_NOMEM;
	}
	return DNSVET_OK;
}

static bool listed_as_root_ns(const ldns_rr_list *ns, const ldns_rdf *name)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(ns); i++) {
		const ldns_rdf *target = ldns_rr_rdf(ldns_rr_list_rr(ns, i), 0);
		if (target && ldns_dname_compare(target, name) == 0)
			return true;
	}
	return false;
}

static dnsvet_status hints_collect(struct hints_parse *p, uint16_t port, dnsvet_addrlist *l,
                                   char *errbuf, size_t errlen)
{
	if (ldns_rr_list_rr_count(p->ns) == 0) {
		seterr(errbuf, errlen, "%s: no NS records for the root zone \".\"", p->path);
		return DNSVET_ERR_PARSE;
	}
	for (size_t i = 0; i < ldns_rr_list_rr_count(p->addrs); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(p->addrs, i);
		const ldns_rdf *rd = ldns_rr_rdf(rr, 0);
		if (!rd || !listed_as_root_ns(p->ns, ldns_rr_owner(rr)))
			continue;
		size_t sz = 0;
		struct sockaddr_storage *ss = ldns_rdf2native_sockaddr_storage(rd, port, &sz);
		if (!ss)
			continue;
		char *name = ldns_rdf2str(ldns_rr_owner(rr));
		if (!name) {
			free(ss);
			return DNSVET_ERR_NOMEM;
		}
		for (char *c = name; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		dnsvet_status st = eng_addrlist_add(l, name, ss, (socklen_t)sz);
		free(name);
		free(ss);
		if (st != DNSVET_OK)
			return st;
	}
	if (l->n == 0) {
		seterr(errbuf, errlen, "%s: no A/AAAA records for the root servers", p->path);
		return DNSVET_ERR_PARSE;
	}
	return DNSVET_OK;
}

dnsvet_status dnsvet_roothints_load(const char *path, uint16_t port, dnsvet_roothints **out,
                                    char *errbuf, size_t errlen)
{
	char *text = NULL, *rec = NULL;
	size_t len = 0, rl = 0;
	struct hints_parse p = { .path = path, .ttl = 3600000 };
	dnsvet_addrlist *l = NULL;
	dnsvet_status st;
	unsigned line = 0, rec_line = 0;
	int depth = 0, overflow = 0;

	if (!path || !out || port == 0)
		return DNSVET_ERR_INVALID;
	*out = NULL;
	st = eng_read_file(path, HINTS_FILE_MAX, &text, &len);
	if (st != DNSVET_OK) {
		seterr(errbuf, errlen, "%s: %s", path,
		       st == DNSVET_ERR_LIMIT ? "file too large" : "cannot read file");
		return st;
	}
	rec = malloc(HINTS_RECORD_MAX);
	p.ns = ldns_rr_list_new();
	p.addrs = ldns_rr_list_new();
	l = eng_addrlist_new();
	if (!rec || !p.ns || !p.addrs || !l) {
		st = DNSVET_ERR_NOMEM;
		goto out;
	}
	rec[0] = '\0';
	for (size_t pos = 0; pos < len;) {
		const char *eol = memchr(text + pos, '\n', len - pos);
		size_t n = eol ? (size_t)(eol - (text + pos)) : len - pos;
		line++;
		if (depth == 0) {
			rl = 0;
			rec_line = line;
		}
		depth += append_line(rec, &rl, text + pos, n, &overflow);
		pos += n + (eol ? 1 : 0);
		if (overflow) {
			seterr(errbuf, errlen, "%s:%u: record too long", path, rec_line);
			st = DNSVET_ERR_PARSE;
			goto out;
		}
		if (depth < 0) {
			seterr(errbuf, errlen, "%s:%u: unbalanced ')'", path, line);
			st = DNSVET_ERR_PARSE;
			goto out;
		}
		if (depth > 0)
			continue;
		st = hints_record(&p, rec, rec_line, errbuf, errlen);
		if (st != DNSVET_OK)
			goto out;
	}
	if (depth > 0) {
		seterr(errbuf, errlen, "%s:%u: unbalanced '(' at end of file", path, rec_line);
		st = DNSVET_ERR_PARSE;
		goto out;
	}
	st = hints_collect(&p, port, l, errbuf, errlen);
out:
	free(text);
	free(rec);
	if (p.ns)
		ldns_rr_list_deep_free(p.ns);
	if (p.addrs)
		ldns_rr_list_deep_free(p.addrs);
	if (p.origin)
		ldns_rdf_deep_free(p.origin);
	if (p.prev)
		ldns_rdf_deep_free(p.prev);
	if (st != DNSVET_OK) {
		dnsvet_addrlist_free(l);
		return st;
	}
	*out = l;
	return DNSVET_OK;
}
