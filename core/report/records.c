/*
 * The state of each expected record, judged from the authoritative replies of the zone's
 * own servers and then from the sampled resolvers; and the propagation summary (which
 * resolvers answer right, stale or negative, and for how long).
 *
 * Values compare the way the rules compare them (docs/report-schema.md): names without
 * letter case or trailing dot, MX by mail server only, TXT exactly, SPF by the
 * include:amazonses.com mechanism and DMARC by the presence of a DMARC policy.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ldns/ldns.h>

#include "report/report_int.h"
#include "report/rrread.h"

#define REC_CHAIN_MAX 8

enum { CL_ABSENT = 0, CL_RIGHT, CL_OTHER, CL_IGNORE };

typedef struct rec_want {
	const char *name;      /* normalised */
	ldns_rr_type type;
	const char *type_str;
	const char *value;     /* normalised for names; NULL when absent */
	const char *role;
	int comparable;
} rec_want;

typedef struct rec_class {
	int kind;
	char *seen;            /* CL_OTHER: the value served instead (malloc'd) */
	int64_t ttl;           /* TTL of the deciding record, -1 when unknown */
} rec_class;

/* Presentation text equal with runs of blanks collapsed, without letter case. */
static int blank_eq(const char *a, const char *b)
{
	for (;;) {
		while (isspace((unsigned char)*a))
			a++;
		while (isspace((unsigned char)*b))
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		while (*a && *b && !isspace((unsigned char)*a) && !isspace((unsigned char)*b)) {
			if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
				return 0;
			a++;
			b++;
		}
		if ((*a && !isspace((unsigned char)*a)) != (*b && !isspace((unsigned char)*b)))
			return 0;
	}
}

static int has_prefix_ci(const char *s, const char *p)
{
	return strncasecmp(s, p, strlen(p)) == 0;
}

/* The mail server of an MX value ("10 host"), or the value itself. */
static const char *mx_host(const char *v)
{
	const char *p = v;

	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p))
		return v;
	while (isdigit((unsigned char)*p))
		p++;
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

static int names_eq(const char *a, const char *b)
{
	char x[1100], y[1100];

	rr_read_name_norm(a, x, sizeof(x));
	rr_read_name_norm(b, y, sizeof(y));
	return strcmp(x, y) == 0;
}

/* Whether one record of the wanted type carries the wanted value. */
static int value_class(const rec_want *w, const char *got)
{
	const char *role = w->role ? w->role : "";

	if (!strcmp(role, "spf") || !strcmp(role, "mail_from_spf")) {
		const char *p = got;

		if (!has_prefix_ci(got, "v=spf1"))
			return CL_IGNORE;
		while ((p = strchr(p, ' ')) != NULL) {
			while (*p == ' ')
				p++;
			if (*p == '+')
				p++;
			if (has_prefix_ci(p, "include:amazonses.com") &&
			    (p[21] == '\0' || isspace((unsigned char)p[21])))
				return CL_RIGHT;
		}
		return CL_OTHER;
	}
	if (!strcmp(role, "dmarc"))
		return has_prefix_ci(got, "v=DMARC1") ? CL_RIGHT : CL_IGNORE;
	if (!w->comparable || !w->value)
		return CL_RIGHT;
	switch (w->type) {
	case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_PTR:
	case LDNS_RR_TYPE_DNAME:
		return names_eq(got, w->value) ? CL_RIGHT : CL_OTHER;
	case LDNS_RR_TYPE_MX:
		/* SES looks at the mail server, not at the preference */
		return names_eq(mx_host(got), mx_host(w->value)) ? CL_RIGHT : CL_OTHER;
	case LDNS_RR_TYPE_TXT:
	case LDNS_RR_TYPE_SPF:
		return strcmp(got, w->value) == 0 ? CL_RIGHT : CL_OTHER;
	default:
		return blank_eq(got, w->value) ? CL_RIGHT : CL_OTHER;
	}
}

/* The records of one reply (and of the entry's chain), read back from their text. */
typedef struct rr_list {
	rr_read *v;
	size_t n;
} rr_list;

static void rr_list_free(rr_list *l)
{
	for (size_t i = 0; l && i < l->n; i++)
		rr_read_clear(&l->v[i]);
	if (l)
		free(l->v);
}

/* The RR strings of list nodes, read (unreadable ones left out); -1 when out of memory. */
static int parse_rrs(const dnsvet_node *l1, const dnsvet_node *l2, rr_list *out)
{
	const dnsvet_node *ls[2] = {l1, l2};
	size_t cap = dnsvet_node_size(l1) + dnsvet_node_size(l2);

	out->n = 0;
	out->v = cap ? malloc(cap * sizeof(*out->v)) : NULL;
	if (cap && !out->v)
		return -1;
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < dnsvet_node_size(ls[k]); i++) {
			const char *s = dnsvet_node_string(dnsvet_node_list_at(ls[k], i));

			if (s && rr_read_text(s, &out->v[out->n]) == 0)
				out->n++;
		}
	return 0;
}

static char *typed_seen(ldns_rr_type t, const char *v)
{
	char tb[32], *out;
	const ldns_rr_descriptor *d = ldns_rr_descript(t);

	if (d && d->_name)
		snprintf(tb, sizeof(tb), "%s", d->_name);
	else
		snprintf(tb, sizeof(tb), "TYPE%u", (unsigned)t);
	out = malloc(strlen(tb) + strlen(v ? v : "") + 2);
	if (out)
		sprintf(out, "%s %s", tb, v ? v : "");
	return out;
}

/*
 * Classifies one reply's records at the wanted name: the wanted type with the wanted
 * value, with another value, or absent. A CNAME in place of another type is followed
 * through the records given (the reply's answer and the entry's chain); when the chain
 * does not reach the wanted type, the CNAME itself is what is served instead.
 */
static void classify(const rec_want *w, const rr_list *rrs, rec_class *c)
{
	char cur[RR_READ_NAME_MAX];
	char *via_cname = NULL;
	int64_t via_ttl = -1;

	c->kind = CL_ABSENT;
	c->seen = NULL;
	c->ttl = -1;
	snprintf(cur, sizeof(cur), "%s", w->name);
	for (int hops = 0; hops <= REC_CHAIN_MAX; hops++) {
		const rr_read *cname = NULL;

		for (size_t i = 0; i < rrs->n && c->kind != CL_RIGHT; i++) {
			const rr_read *rr = &rrs->v[i];
			int k;

			if (strcmp(rr->owner, cur) != 0)
				continue;
			if (rr->type != w->type) {
				if (rr->type == LDNS_RR_TYPE_CNAME && !cname)
					cname = rr;
				continue;
			}
			if (!rr->value)
				continue;
			k = value_class(w, rr->value);
			if (k == CL_RIGHT) {
				free(c->seen);
				c->seen = NULL;
				c->kind = CL_RIGHT;
				c->ttl = rr->ttl;
			} else if (k == CL_OTHER && c->kind == CL_ABSENT) {
				c->kind = CL_OTHER;
				c->seen = strdup(rr->value);
				c->ttl = rr->ttl;
			}
		}
		if (c->kind != CL_ABSENT || !cname || !cname->value)
			break;
		if (hops == 0) {
			via_cname = typed_seen(LDNS_RR_TYPE_CNAME, cname->value);
			via_ttl = cname->ttl;
		}
		snprintf(cur, sizeof(cur), "%s", cname->value);
	}
	if (c->kind == CL_ABSENT && via_cname) {
		c->kind = CL_OTHER;
		c->seen = via_cname;
		c->ttl = via_ttl;
		via_cname = NULL;
	}
	free(via_cname);
}

static int source_listed(const dnsvet_node *rep)
{
	const dnsvet_node *src = dnsvet_node_map_get(rep, "source");

	if (!src)
		return 1;
	for (size_t i = 0; i < dnsvet_node_size(src); i++) {
		const char *s = dnsvet_node_string(dnsvet_node_list_at(src, i));

		if (s && (!strcmp(s, "parent") || !strcmp(s, "child")))
			return 1;
	}
	return 0;
}

/* An answer usable as the server's word: no transport error, NOERROR or NXDOMAIN. */
static int answered(const dnsvet_node *rep)
{
	const char *rcode = dnsvet_node_string(dnsvet_node_map_get(rep, "rcode"));

	return !dnsvet_node_map_get(rep, "error") && rcode &&
	       (!strcmp(rcode, "NOERROR") || !strcmp(rcode, "NXDOMAIN"));
}

/* TTL a resolver may keep a negative answer: the SOA's TTL capped by its minimum. */
static int64_t negative_ttl(const dnsvet_node *rep)
{
	const dnsvet_node *auth = dnsvet_node_map_get(rep, "authority");

	for (size_t i = 0; i < dnsvet_node_size(auth); i++) {
		const char *s = dnsvet_node_string(dnsvet_node_list_at(auth, i));
		rr_read rr;
		int64_t ttl = -1;

		if (!s || rr_read_text(s, &rr) != 0)
			continue;
		if (rr.type == LDNS_RR_TYPE_SOA) {
			ttl = rr.ttl;
			if (rr.soa_min >= 0 && rr.soa_min < ttl)
				ttl = rr.soa_min;
		}
		rr_read_clear(&rr);
		if (ttl >= 0)
			return ttl;
	}
	return -1;
}

/* A CNAME expected where another type is published (they cannot coexist): the first
 * record of another type the zone's servers serve at the name, from the probe's
 * questions of the name's other types. */
static char *other_type_at(const dnsvet_obs *obs, const rec_want *w)
{
	const dnsvet_node *answers = dnsvet_node_map_get(dnsvet_obs_root(obs), "answers");

	for (size_t i = 0; i < dnsvet_node_size(answers); i++) {
		const dnsvet_node *e = dnsvet_node_list_at(answers, i);
		const char *n = dnsvet_node_string(dnsvet_node_map_get(e, "name"));
		const dnsvet_node *auth = dnsvet_node_map_get(e, "auth");

		if (!n || !names_eq(n, w->name))
			continue;
		for (size_t j = 0; j < dnsvet_node_size(auth); j++) {
			const dnsvet_node *rep = dnsvet_node_list_at(auth, j);
			rr_list rrs;
			char *seen = NULL;

			if (!answered(rep) || !source_listed(rep) ||
			    !dnsvet_node_bool(dnsvet_node_map_get(rep, "aa"), 1))
				continue;
			if (parse_rrs(dnsvet_node_map_get(rep, "answer"), NULL, &rrs) != 0)
				continue;
			for (size_t k = 0; !seen && k < rrs.n; k++) {
				const rr_read *rr = &rrs.v[k];
				uint16_t t = rr->type;

				if (t != w->type && t != LDNS_RR_TYPE_RRSIG && t != LDNS_RR_TYPE_NSEC &&
				    t != LDNS_RR_TYPE_NSEC3 && strcmp(rr->owner, w->name) == 0)
					seen = typed_seen(t, rr->value);
			}
			rr_list_free(&rrs);
			if (seen)
				return seen;
		}
	}
	return NULL;
}

static dnsvet_status set_ttl(dnsvet_node *m, int64_t ttl)
{
	return ttl >= 0 ? dnsvet_node_map_set_int(m, "ttl", ttl)
	                : dnsvet_node_map_set(m, "ttl", dnsvet_node_new_null());
}

/* The resolvers' view of the record: one item per resolver reply. */
static dnsvet_node *propagation_of(const rec_want *w, const dnsvet_node *entry, int *stale,
                                   int *negative)
{
	const dnsvet_node *res = dnsvet_node_map_get(entry, "resolvers");
	const dnsvet_node *chain = dnsvet_node_map_get(entry, "chain");
	dnsvet_node *m = dnsvet_node_new_map(), *list = dnsvet_node_new_list();
	int n_right = 0, n_stale = 0, n_neg = 0, bad = !m || !list;

	for (size_t i = 0; !bad && i < dnsvet_node_size(res); i++) {
		const dnsvet_node *rep = dnsvet_node_list_at(res, i);
		dnsvet_node *item = dnsvet_node_new_map();
		const char *state = "error";
		int64_t ttl = -1;

		if (!item) {
			bad = 1;
			break;
		}
		if (answered(rep)) {
			rr_list rrs;
			rec_class c;

			if (parse_rrs(dnsvet_node_map_get(rep, "answer"), chain, &rrs) != 0) {
				dnsvet_node_free(item);
				bad = 1;
				break;
			}
			classify(w, &rrs, &c);
			rr_list_free(&rrs);
			if (c.kind == CL_RIGHT) {
				state = "right";
				n_right++;
				ttl = c.ttl;
			} else if (c.kind == CL_OTHER) {
				state = "stale";
				n_stale++;
				ttl = c.ttl;
			} else {
				state = "negative";
				n_neg++;
				ttl = negative_ttl(rep);
			}
			free(c.seen);
		}
		bad |= dnsvet_node_map_set_string(item, "addr",
		        dnsvet_node_string(dnsvet_node_map_get(rep, "addr"))) != DNSVET_OK;
		bad |= dnsvet_node_map_set_string(item, "state", state) != DNSVET_OK;
		bad |= set_ttl(item, ttl) != DNSVET_OK;
		bad |= dnsvet_node_list_append(list, item) != DNSVET_OK;
	}
	if (!bad) {
		bad |= dnsvet_node_map_set_string(m, "name", w->name) != DNSVET_OK;
		bad |= dnsvet_node_map_set_string(m, "type", w->type_str) != DNSVET_OK;
		bad |= dnsvet_node_map_set_int(m, "right", n_right) != DNSVET_OK;
		bad |= dnsvet_node_map_set_int(m, "stale", n_stale) != DNSVET_OK;
		bad |= dnsvet_node_map_set_int(m, "negative", n_neg) != DNSVET_OK;
		bad |= dnsvet_node_map_set(m, "resolvers", list) != DNSVET_OK;
		list = NULL;
	}
	dnsvet_node_free(list);
	if (bad) {
		dnsvet_node_free(m);
		return NULL;
	}
	*stale = n_stale;
	*negative = n_neg;
	return m;
}

/* The status of the zone holding name (the longest zone of obs that name falls under), or
 * NULL when obs knows no such zone. */
static const char *holding_zone_status(const dnsvet_obs *obs, const char *name)
{
	const char *best = NULL;
	size_t best_len = 0, nlen = strlen(name);

	for (size_t i = 0; obs && i < dnsvet_obs_zone_count(obs); i++) {
		const dnsvet_node *z = dnsvet_obs_zone_at(obs, i);
		const char *zn = dnsvet_node_string(dnsvet_node_map_get(z, "name"));
		size_t zl;

		if (!zn)
			continue;
		zl = strlen(zn);
		if (zl && zn[zl - 1] == '.')
			zl--;
		if (zl > nlen || zl < best_len)
			continue;
		if (strncasecmp(name + nlen - zl, zn, zl) != 0)
			continue;
		if (zl != nlen && zl != 0 && name[nlen - zl - 1] != '.')
			continue;
		best = dnsvet_node_string(dnsvet_node_map_get(z, "status"));
		best_len = zl;
	}
	return best;
}

dnsvet_status report_eval_record(const dnsvet_obs *obs, const dnsvet_node *rec,
                                 report_rec_eval *out, dnsvet_node **prop)
{
	const char *name = dnsvet_node_string(dnsvet_node_map_get(rec, "name"));
	const char *type = dnsvet_node_string(dnsvet_node_map_get(rec, "type"));
	const char *value = dnsvet_node_string(dnsvet_node_map_get(rec, "value"));
	const dnsvet_node *entry, *auth;
	char nname[1100], nvalue[1100];
	rec_want w;
	int n_right = 0, n_absent = 0, stale = 0, negative = 0;
	char *other = NULL;

	out->state = DNSVET_RECORD_UNKNOWN;
	out->seen = NULL;
	*prop = NULL;
	if (!name || !type)
		return DNSVET_ERR_INVALID;
	rr_read_name_norm(name, nname, sizeof(nname));
	memset(&w, 0, sizeof(w));
	w.name = nname;
	w.type_str = type;
	w.type = ldns_get_rr_type_by_name(type);
	w.role = dnsvet_node_string(dnsvet_node_map_get(rec, "role"));
	w.comparable = dnsvet_node_bool(dnsvet_node_map_get(rec, "comparable"), 1);
	w.value = value;
	if (value && (w.type == LDNS_RR_TYPE_CNAME || w.type == LDNS_RR_TYPE_NS)) {
		rr_read_name_norm(value, nvalue, sizeof(nvalue));
		w.value = nvalue;
	}
	entry = obs ? dnsvet_obs_find_answer(obs, nname, type) : NULL;
	auth = dnsvet_node_map_get(entry, "auth");
	for (size_t i = 0; i < dnsvet_node_size(auth); i++) {
		const dnsvet_node *rep = dnsvet_node_list_at(auth, i);
		rr_list rrs;
		rec_class c;

		if (!answered(rep) || !source_listed(rep) ||
		    !dnsvet_node_bool(dnsvet_node_map_get(rep, "aa"), 1))
			continue;
		if (parse_rrs(dnsvet_node_map_get(rep, "answer"), dnsvet_node_map_get(entry, "chain"),
		              &rrs) != 0) {
			free(other);
			return DNSVET_ERR_NOMEM;
		}
		classify(&w, &rrs, &c);
		rr_list_free(&rrs);
		if (c.kind == CL_RIGHT) {
			n_right++;
		} else if (c.kind == CL_OTHER) {
			if (!other) {
				other = c.seen ? c.seen : strdup("");
				c.seen = NULL;
			}
		} else {
			n_absent++;
		}
		free(c.seen);
	}
	if (!other && n_absent && !n_right && w.type == LDNS_RR_TYPE_CNAME)
		other = other_type_at(obs, &w);
	if (entry) {
		*prop = propagation_of(&w, entry, &stale, &negative);
		if (!*prop) {
			free(other);
			return DNSVET_ERR_NOMEM;
		}
	}
	if (other) {
		out->state = DNSVET_RECORD_WRONG;
		out->seen = other;
	} else if (n_absent) {
		/* A zone that is not delegated or has no working server cannot show a record
		 * missing: the NXDOMAIN came from its parent, and the data may well exist. */
		const char *zst = holding_zone_status(obs, nname);
		out->state = zst && strcmp(zst, "ok") != 0 ? DNSVET_RECORD_UNKNOWN
		                                           : DNSVET_RECORD_MISSING;
	} else if (n_right) {
		out->state = stale || negative ? DNSVET_RECORD_PENDING : DNSVET_RECORD_OK;
	}
	return DNSVET_OK;
}
