#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ldns/ldns.h>
#include "expect/expect_internal.h"
#include "expect/hostname.h"
#include "expect/regions.h"

#define WHY 400

static const char spf_value[] = "v=spf1 include:amazonses.com ~all";
static const char dmarc_value[] = "v=DMARC1; p=none;";
static const char byodkim_placeholder[] = "v=DKIM1; k=rsa; p=<public key>";

dnsvet_status dnsvet_expect_fail(dnsvet_expect_error *err, dnsvet_status st, const char *name,
                                 unsigned line, unsigned col, const char *field,
                                 const char *fmt, ...)
{
	char msg[420];
	va_list ap;

	if (!err)
		return st;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	if (line)
		snprintf(err->message, sizeof(err->message), "%s:%u:%u: %s%s%s",
		         name ? name : "<input>", line, col, field && *field ? field : "",
		         field && *field ? ": " : "", msg);
	else
		snprintf(err->message, sizeof(err->message), "%s%s%s", field && *field ? field : "",
		         field && *field ? ": " : "", msg);
	err->line = line;
	err->column = col;
	return st;
}

static void err_reset(dnsvet_expect_error *err)
{
	if (err) {
		err->field[0] = '\0';
		err->message[0] = '\0';
		err->line = err->column = 0;
	}
}

/* ---- validation ---- */

int dnsvet_expect_check_token(const char *token, char *norm, size_t normsize, char *why,
                              size_t whysize)
{
	size_t n, i;

	if (!token || !*token) {
		snprintf(why, whysize, "is empty");
		return 0;
	}
	if (dnsvet_has_control(token)) {
		snprintf(why, whysize, DNSVET_CONTROL_CHARACTER);
		return 0;
	}
	n = strlen(token);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)token[i];

		if (!isalnum(c) || c >= 0x80) {
			snprintf(why, whysize, "'%.80s' is not an Easy DKIM token: character '%c' at "
			         "position %zu (tokens are 32 characters a-z and 0-9)", token,
			         isprint(c) ? c : '?', i + 1);
			return 0;
		}
	}
	if (n != 32) {
		snprintf(why, whysize, "'%.80s' is not an Easy DKIM token: %zu characters, tokens "
		         "have exactly 32 (a-z and 0-9)", token, n);
		return 0;
	}
	if (normsize <= n)
		return 0;
	for (i = 0; i <= n; i++)
		norm[i] = (char)tolower((unsigned char)token[i]);
	return 1;
}

int dnsvet_expect_check_selector(const char *sel, char *why, size_t whysize)
{
	if (!sel || !*sel) {
		snprintf(why, whysize, "is empty");
		return 0;
	}
	if (strchr(sel, '.')) {
		snprintf(why, whysize, "'%.80s' must be a single label (the part before "
		         "._domainkey)", sel);
		return 0;
	}
	return dnsvet_hostname_check(sel, DNSVET_HOST_UNDERSCORE | DNSVET_HOST_SINGLE_LABEL,
	                             why, whysize);
}

int dnsvet_expect_check_mail_from(const dnsvet_expect *e, const char *mf, char *why,
                                  size_t whysize)
{
	char *n;
	int ok;

	if (!dnsvet_hostname_check(mf, 0, why, whysize))
		return 0;
	n = dnsvet_name_normal(mf);
	if (!n) {
		snprintf(why, whysize, "out of memory");
		return 0;
	}
	ok = dnsvet_name_is_sub(n, e->domain) && strcmp(n, e->domain) != 0;
	if (!ok)
		snprintf(why, whysize, "'%s' is not a subdomain of %s (a custom MAIL FROM domain "
		         "must be one, e.g. mail.%s)", n, e->domain, e->domain);
	free(n);
	return ok;
}

int dnsvet_expect_check_region(const char *region, char *why, size_t whysize)
{
	char close[300];

	if (!region || !*region) {
		snprintf(why, whysize, "is empty");
		return 0;
	}
	if (dnsvet_ses_region_find(region))
		return 1;
	if (dnsvet_has_control(region)) {
		snprintf(why, whysize, DNSVET_CONTROL_CHARACTER);
		return 0;
	}
	dnsvet_ses_region_suggest(region, 3, close, sizeof(close));
	if (close[0])
		snprintf(why, whysize, "unknown SES region '%.60s' (did you mean %s?)", region, close);
	else {
		dnsvet_ses_region_list(close, sizeof(close));
		snprintf(why, whysize, "unknown SES region '%.40s' (known: %s)", region, close);
	}
	return 0;
}

/* ---- life cycle ---- */

void dnsvet_ses_facts_clear(struct dnsvet_ses_facts *f)
{
	free(f->identity_type);
	free(f->verification_status);
	free(f->dkim_status);
	free(f->signing_origin);
	free(f->mail_from_domain);
	free(f->mail_from_status);
	free(f->behavior_on_mx_failure);
	free(f->error_type);
	free(f->last_checked);
	free(f->last_success);
	free(f->soa_mname);
	free(f->soa_rname);
	memset(f, 0, sizeof(*f));
	f->verified_for_sending = -1;
	f->dkim_signing_enabled = -1;
}

void dnsvet_expect_clear_records(dnsvet_expect *e)
{
	size_t i;

	for (i = 0; i < e->nrecords; i++) {
		free((char *)e->records[i].name);
		free((char *)e->records[i].type);
		free((char *)e->records[i].value);
		free((char *)e->records[i].role);
	}
	free(e->records);
	e->records = NULL;
	e->nrecords = 0;
}

static void expect_clear(dnsvet_expect *e)
{
	size_t i;

	free(e->domain);
	free(e->region);
	free(e->signing_zone);
	free(e->signing_origin);
	for (i = 0; i < e->ntokens; i++)
		free(e->tokens[i]);
	free(e->selector);
	free(e->mail_from);
	free(e->legacy);
	for (i = 0; i < e->n_ns; i++)
		free(e->edited_ns[i]);
	free(e->edited_ns);
	for (i = 0; i < e->ncustom; i++) {
		free(e->custom[i].name);
		free(e->custom[i].type);
		free(e->custom[i].value);
	}
	free(e->custom);
	dnsvet_expect_clear_records(e);
	dnsvet_ses_facts_clear(&e->ses);
	memset(e, 0, sizeof(*e));
}

void dnsvet_expect_free(dnsvet_expect *e)
{
	if (!e)
		return;
	expect_clear(e);
	free(e);
}

dnsvet_status dnsvet_expect_new(const char *domain, dnsvet_expect **out, dnsvet_expect_error *err)
{
	char why[WHY];
	dnsvet_expect *e;

	err_reset(err);
	if (!out)
		return DNSVET_ERR_INVALID;
	*out = NULL;
	if (!dnsvet_hostname_check(domain, 0, why, sizeof(why)))
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, "domain", "%s", why);
	e = calloc(1, sizeof(*e));
	if (!e)
		return DNSVET_ERR_NOMEM;
	e->ses.verified_for_sending = -1;
	e->ses.dkim_signing_enabled = -1;
	e->dmarc = 1;
	e->domain = dnsvet_name_normal(domain);
	e->region = strdup(DNSVET_EXPECT_DEFAULT_REGION);
	if (!e->domain || !e->region || dnsvet_expect_derive(e) != DNSVET_OK) {
		dnsvet_expect_free(e);
		return DNSVET_ERR_NOMEM;
	}
	*out = e;
	return DNSVET_OK;
}

static int dup_into(char **dst, const char *src)
{
	if (!src) {
		*dst = NULL;
		return 1;
	}
	*dst = strdup(src);
	return *dst != NULL;
}

dnsvet_expect *dnsvet_expect_clone(const dnsvet_expect *e)
{
	dnsvet_expect *c = calloc(1, sizeof(*c));
	const struct dnsvet_ses_facts *f = &e->ses;
	struct dnsvet_ses_facts *g;
	size_t i;
	int ok = 1;

	if (!c)
		return NULL;
	g = &c->ses;
	c->dmarc = e->dmarc;
	c->region_set = e->region_set;
	c->has_ses = e->has_ses;
	c->records_fixed = e->records_fixed;
	ok &= dup_into(&c->domain, e->domain) && dup_into(&c->region, e->region) &&
	      dup_into(&c->signing_zone, e->signing_zone) &&
	      dup_into(&c->signing_origin, e->signing_origin) &&
	      dup_into(&c->selector, e->selector) && dup_into(&c->mail_from, e->mail_from) &&
	      dup_into(&c->legacy, e->legacy);
	for (i = 0; ok && i < e->ntokens; i++) {
		ok &= dup_into(&c->tokens[i], e->tokens[i]);
		c->ntokens = i + 1;
	}
	if (ok && e->n_ns) {
		c->edited_ns = calloc(e->n_ns, sizeof(char *));
		ok = c->edited_ns != NULL;
		for (i = 0; ok && i < e->n_ns; i++) {
			ok &= dup_into(&c->edited_ns[i], e->edited_ns[i]);
			c->n_ns = i + 1;
		}
	}
	if (ok && e->ncustom) {
		c->custom = calloc(e->ncustom, sizeof(*c->custom));
		ok = c->custom != NULL;
		for (i = 0; ok && i < e->ncustom; i++) {
			c->ncustom = i + 1;
			ok &= dup_into(&c->custom[i].name, e->custom[i].name) &&
			      dup_into(&c->custom[i].type, e->custom[i].type) &&
			      dup_into(&c->custom[i].value, e->custom[i].value);
		}
	}
	*g = *f;
	g->identity_type = g->verification_status = g->dkim_status = g->signing_origin = NULL;
	g->mail_from_domain = g->mail_from_status = g->behavior_on_mx_failure = NULL;
	g->error_type = g->last_checked = g->last_success = g->soa_mname = g->soa_rname = NULL;
	ok = ok && dup_into(&g->identity_type, f->identity_type) &&
	     dup_into(&g->verification_status, f->verification_status) &&
	     dup_into(&g->dkim_status, f->dkim_status) &&
	     dup_into(&g->signing_origin, f->signing_origin) &&
	     dup_into(&g->mail_from_domain, f->mail_from_domain) &&
	     dup_into(&g->mail_from_status, f->mail_from_status) &&
	     dup_into(&g->behavior_on_mx_failure, f->behavior_on_mx_failure) &&
	     dup_into(&g->error_type, f->error_type) && dup_into(&g->last_checked, f->last_checked) &&
	     dup_into(&g->last_success, f->last_success) && dup_into(&g->soa_mname, f->soa_mname) &&
	     dup_into(&g->soa_rname, f->soa_rname);
	for (i = 0; ok && i < e->nrecords; i++) {
		const dnsvet_expect_record *r = &e->records[i];

		ok = dnsvet_expect_push_record(c, r->name, r->type, r->value, r->role, r->required,
		                               r->comparable) == DNSVET_OK;
	}
	if (!ok) {
		dnsvet_expect_free(c);
		return NULL;
	}
	return c;
}

void dnsvet_expect_replace(dnsvet_expect *dst, dnsvet_expect *src)
{
	expect_clear(dst);
	*dst = *src;
	free(src);
}

/* ---- derivation ---- */

dnsvet_status dnsvet_expect_push_record(dnsvet_expect *e, const char *name, const char *type,
                                        const char *value, const char *role, int required,
                                        int comparable)
{
	dnsvet_expect_record *r;

	if (e->nrecords % 8 == 0) {
		r = realloc(e->records, (e->nrecords + 8) * sizeof(*r));
		if (!r)
			return DNSVET_ERR_NOMEM;
		e->records = r;
	}
	r = &e->records[e->nrecords];
	r->name = strdup(name);
	r->type = strdup(type);
	r->value = strdup(value);
	r->role = strdup(role);
	r->required = required ? 1 : 0;
	r->comparable = comparable ? 1 : 0;
	e->nrecords++;
	if (!r->name || !r->type || !r->value || !r->role)
		return DNSVET_ERR_NOMEM;
	return DNSVET_OK;
}

const char *dnsvet_expect_origin_effective(const dnsvet_expect *e)
{
	if (e->signing_origin)
		return e->signing_origin;
	return e->selector ? "EXTERNAL" : "AWS_SES";
}

int dnsvet_expect_origin_is_easy(const char *origin)
{
	return strncmp(origin, "AWS_SES", 7) == 0;
}

dnsvet_status dnsvet_expect_derive(dnsvet_expect *e)
{
	const char *zone = dnsvet_expect_signing_zone(e);
	dnsvet_status st = DNSVET_OK;
	char name[600], value[600];
	size_t i;

	dnsvet_expect_clear_records(e);
	e->records_fixed = 0;
	if (dnsvet_expect_origin_is_easy(dnsvet_expect_origin_effective(e))) {
		for (i = 0; st == DNSVET_OK && i < e->ntokens; i++) {
			snprintf(name, sizeof(name), "%s._domainkey.%s", e->tokens[i], e->domain);
			snprintf(value, sizeof(value), "%s.%s", e->tokens[i], zone);
			st = dnsvet_expect_push_record(e, name, "CNAME", value, "dkim", 1, 1);
		}
	}
	if (st == DNSVET_OK && e->selector) {
		snprintf(name, sizeof(name), "%s._domainkey.%s", e->selector, e->domain);
		st = dnsvet_expect_push_record(e, name, "TXT", byodkim_placeholder, "byodkim", 1, 0);
	}
	if (st == DNSVET_OK && e->mail_from) {
		snprintf(value, sizeof(value), "10 feedback-smtp.%s.amazonses.com", e->region);
		st = dnsvet_expect_push_record(e, e->mail_from, "MX", value, "mail_from_mx", 1, 1);
		if (st == DNSVET_OK)
			st = dnsvet_expect_push_record(e, e->mail_from, "TXT", spf_value,
			                               "mail_from_spf", 1, 1);
	}
	if (st == DNSVET_OK && e->legacy) {
		snprintf(name, sizeof(name), "_amazonses.%s", e->domain);
		st = dnsvet_expect_push_record(e, name, "TXT", e->legacy, "legacy", 1, 1);
	}
	if (st == DNSVET_OK && e->dmarc) {
		snprintf(name, sizeof(name), "_dmarc.%s", e->domain);
		st = dnsvet_expect_push_record(e, name, "TXT", dmarc_value, "dmarc", 0, 1);
	}
	if (st == DNSVET_OK)
		st = dnsvet_expect_push_record(e, e->domain, "TXT", spf_value, "spf", 0, 1);
	for (i = 0; st == DNSVET_OK && i < e->ncustom; i++)
		st = dnsvet_expect_push_record(e, e->custom[i].name, e->custom[i].type,
		                               e->custom[i].value, "custom", 1, 1);
	return st;
}

/* ---- setters ---- */

static dnsvet_status replace_str(dnsvet_expect *e, char **slot, const char *value)
{
	char *old = *slot;
	dnsvet_status st;

	if (value) {
		*slot = strdup(value);
		if (!*slot) {
			*slot = old;
			return DNSVET_ERR_NOMEM;
		}
	} else {
		*slot = NULL;
	}
	free(old);
	st = dnsvet_expect_derive(e);
	return st;
}

dnsvet_status dnsvet_expect_set_region(dnsvet_expect *e, const char *region,
                                       dnsvet_expect_error *err)
{
	const dnsvet_ses_region *r, *zr;
	char why[WHY];

	err_reset(err);
	if (!e)
		return DNSVET_ERR_INVALID;
	if (!dnsvet_expect_check_region(region, why, sizeof(why)))
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, "region", "%s", why);
	r = dnsvet_ses_region_find(region);
	/* A regional signing zone (from the SES identity) pins the region: another one would
	 * expect the DKIM CNAMEs in one region and the MAIL FROM MX in the other. */
	zr = dnsvet_ses_region_of_zone(e->signing_zone);
	if (zr && zr != r)
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, "region",
		                          "%s is not the identity's region %s (its DKIM signing zone "
		                          "is %s); give one region", r->name, zr->name,
		                          e->signing_zone);
	e->region_set = 1;
	return replace_str(e, &e->region, r->name);
}

dnsvet_status dnsvet_expect_set_signing_zone(dnsvet_expect *e, const char *zone,
                                             dnsvet_expect_error *err)
{
	char why[WHY], *n;
	dnsvet_status st;

	err_reset(err);
	if (!e)
		return DNSVET_ERR_INVALID;
	if (!zone)
		return replace_str(e, &e->signing_zone, NULL);
	if (!dnsvet_hostname_check(zone, 0, why, sizeof(why)))
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, "signing_zone", "%s", why);
	n = dnsvet_name_normal(zone);
	if (!n)
		return DNSVET_ERR_NOMEM;
	st = replace_str(e, &e->signing_zone, n);
	free(n);
	return st;
}

dnsvet_status dnsvet_expect_add_dkim_token(dnsvet_expect *e, const char *token,
                                           dnsvet_expect_error *err)
{
	char why[WHY], norm[40], field[32];
	size_t i;

	err_reset(err);
	if (!e)
		return DNSVET_ERR_INVALID;
	snprintf(field, sizeof(field), "dkim_tokens[%zu]", e->ntokens);
	if (!dnsvet_expect_check_token(token, norm, sizeof(norm), why, sizeof(why)))
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, field, "%s", why);
	if (e->selector)
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, field,
		                          "Easy DKIM tokens cannot be combined with the BYODKIM "
		                          "selector '%s'", e->selector);
	if (e->ntokens >= DNSVET_EXPECT_MAX_TOKENS)
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, field,
		                          "Easy DKIM has exactly %d tokens; '%s' would be one more",
		                          DNSVET_EXPECT_MAX_TOKENS, norm);
	for (i = 0; i < e->ntokens; i++)
		if (strcmp(e->tokens[i], norm) == 0)
			return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, field,
			                          "'%s' is given twice (it is dkim_tokens[%zu])", norm, i);
	e->tokens[e->ntokens] = strdup(norm);
	if (!e->tokens[e->ntokens])
		return DNSVET_ERR_NOMEM;
	e->ntokens++;
	return dnsvet_expect_derive(e);
}

dnsvet_status dnsvet_expect_set_byodkim_selector(dnsvet_expect *e, const char *sel,
                                                 dnsvet_expect_error *err)
{
	char why[WHY], *n;
	dnsvet_status st;

	err_reset(err);
	if (!e)
		return DNSVET_ERR_INVALID;
	if (!sel)
		return replace_str(e, &e->selector, NULL);
	if (!dnsvet_expect_check_selector(sel, why, sizeof(why)))
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, "byodkim_selector",
		                          "%s", why);
	if (e->ntokens)
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, "byodkim_selector",
		                          "a BYODKIM selector cannot be combined with Easy DKIM "
		                          "tokens (%zu given)", e->ntokens);
	n = dnsvet_name_normal(sel);
	if (!n)
		return DNSVET_ERR_NOMEM;
	st = replace_str(e, &e->selector, n);
	free(n);
	return st;
}

dnsvet_status dnsvet_expect_set_mail_from(dnsvet_expect *e, const char *domain,
                                          dnsvet_expect_error *err)
{
	char why[WHY], *n;
	dnsvet_status st;

	err_reset(err);
	if (!e)
		return DNSVET_ERR_INVALID;
	if (!domain)
		return replace_str(e, &e->mail_from, NULL);
	if (!dnsvet_expect_check_mail_from(e, domain, why, sizeof(why)))
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, "mail_from", "%s", why);
	n = dnsvet_name_normal(domain);
	if (!n)
		return DNSVET_ERR_NOMEM;
	st = replace_str(e, &e->mail_from, n);
	free(n);
	return st;
}

dnsvet_status dnsvet_expect_set_legacy_token(dnsvet_expect *e, const char *token,
                                             dnsvet_expect_error *err)
{
	size_t i, n;

	err_reset(err);
	if (!e)
		return DNSVET_ERR_INVALID;
	if (!token)
		return replace_str(e, &e->legacy, NULL);
	n = strlen(token);
	if (n == 0 || n > 255)
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, "legacy_token",
		                          "must be 1 to 255 characters, not %zu", n);
	if (dnsvet_has_control(token))
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, "legacy_token",
		                          DNSVET_CONTROL_CHARACTER);
	/* SES v1 tokens are base64 (44 characters ending in '=') */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)token[i];

		if (!(isalnum(c) && c < 0x80) && c != '+' && c != '/' && c != '=')
			return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, "legacy_token",
			                          "'%.80s' is not a verification token: character '%c' at "
			                          "position %zu (tokens are base64: A-Z a-z 0-9 + / =)",
			                          token, isprint(c) ? c : '?', i + 1);
	}
	return replace_str(e, &e->legacy, token);
}

void dnsvet_expect_set_dmarc(dnsvet_expect *e, int wanted)
{
	if (!e)
		return;
	e->dmarc = wanted ? 1 : 0;
	(void)dnsvet_expect_derive(e);
}

dnsvet_status dnsvet_expect_add_edited_ns(dnsvet_expect *e, const char *ns,
                                          dnsvet_expect_error *err)
{
	char why[WHY], field[32], *n, **p;
	size_t i;

	err_reset(err);
	if (!e)
		return DNSVET_ERR_INVALID;
	snprintf(field, sizeof(field), "edited_ns[%zu]", e->n_ns);
	if (!dnsvet_hostname_check(ns, 0, why, sizeof(why)))
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, field, "%s", why);
	n = dnsvet_name_normal(ns);
	if (!n)
		return DNSVET_ERR_NOMEM;
	for (i = 0; i < e->n_ns; i++) {
		if (strcmp(e->edited_ns[i], n) == 0) {
			free(n);
			return DNSVET_OK;
		}
	}
	p = realloc(e->edited_ns, (e->n_ns + 1) * sizeof(*p));
	if (!p) {
		free(n);
		return DNSVET_ERR_NOMEM;
	}
	e->edited_ns = p;
	e->edited_ns[e->n_ns++] = n;
	return DNSVET_OK;
}

dnsvet_status dnsvet_expect_add_record(dnsvet_expect *e, const char *name, const char *type,
                                       const char *value, dnsvet_expect_error *err)
{
	char why[WHY], field[40];
	struct dnsvet_expect_custom *p, c;
	ldns_rr_type rrtype;
	size_t i, tl;

	err_reset(err);
	if (!e)
		return DNSVET_ERR_INVALID;
	snprintf(field, sizeof(field), "records[%zu].name", e->ncustom);
	if (!dnsvet_hostname_check(name, DNSVET_HOST_UNDERSCORE, why, sizeof(why)))
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, field, "%s", why);
	/* the probe asks only the identity's zone and what lies below it */
	c.name = dnsvet_name_normal(name);
	if (!c.name)
		return DNSVET_ERR_NOMEM;
	i = dnsvet_name_is_sub(c.name, e->domain);
	free(c.name);
	if (!i)
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, field,
		                          "'%.253s' is not %s or a name below it", name, e->domain);
	snprintf(field, sizeof(field), "records[%zu].type", e->ncustom);
	tl = type ? strlen(type) : 0;
	if (tl == 0 || tl > 10 || dnsvet_has_control(type))
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, field,
		                          "'%s' is not a record type", tl > 10 ? "(too long)" :
		                          tl && !dnsvet_has_control(type) ? type : "");
	for (i = 0; i < tl; i++)
		if (!isalnum((unsigned char)type[i]) || (unsigned char)type[i] >= 0x80)
			return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, field,
			                          "'%s' is not a record type", type);
	rrtype = ldns_get_rr_type_by_name(type);
	/* question-only types (OPT, IXFR, AXFR, MAILB, MAILA, ANY) are never published */
	if (rrtype == 0 || rrtype == LDNS_RR_TYPE_OPT ||
	    (rrtype >= LDNS_RR_TYPE_IXFR && rrtype <= LDNS_RR_TYPE_ANY))
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, field,
		                          "'%s' is not a record type (A, AAAA, CNAME, MX, TXT, "
		                          "CAA, TYPE65, ...)", type);
	snprintf(field, sizeof(field), "records[%zu].value", e->ncustom);
	if (!value || !*value)
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, field, "is empty");
	if (strlen(value) > 8192)
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, field,
		                          "is longer than 8192 characters");
	if (dnsvet_has_control(value))
		return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, field,
		                          DNSVET_CONTROL_CHARACTER);
	/* TXT (and SPF) values are unquoted text, which any string is; the others must read
	 * as that type's data, or the check would compare against nonsense */
	if (rrtype != LDNS_RR_TYPE_TXT && rrtype != LDNS_RR_TYPE_SPF) {
		ldns_rr *rr = NULL;
		ldns_status ls;
		char *line;
		size_t n = strlen(value) + 64;

		line = malloc(n);
		if (!line)
			return DNSVET_ERR_NOMEM;
		snprintf(line, n, "example. 1800 IN %s %s", type, value);
		ls = ldns_rr_new_frm_str(&rr, line, 1800, NULL, NULL);
		free(line);
		ldns_rr_free(rr);
		if (ls != LDNS_STATUS_OK)
			return dnsvet_expect_fail(err, DNSVET_ERR_INVALID, NULL, 0, 0, field,
			                          "'%.200s' is not %s data: %s", value, type,
			                          ldns_get_errorstr_by_id(ls));
	}
	c.name = dnsvet_name_normal(name);
	c.type = strdup(type);
	c.value = strdup(value);
	if (!c.name || !c.type || !c.value)
		goto nomem;
	for (i = 0; c.type[i]; i++)
		c.type[i] = (char)toupper((unsigned char)c.type[i]);
	p = realloc(e->custom, (e->ncustom + 1) * sizeof(*p));
	if (!p)
		goto nomem;
	e->custom = p;
	e->custom[e->ncustom++] = c;
	return dnsvet_expect_derive(e);
nomem:
	free(c.name);
	free(c.type);
	free(c.value);
	return DNSVET_ERR_NOMEM;
}

/* ---- getters ---- */

const char *dnsvet_expect_domain(const dnsvet_expect *e)
{
	return e ? e->domain : NULL;
}

const char *dnsvet_expect_region(const dnsvet_expect *e)
{
	return e ? e->region : NULL;
}

const char *dnsvet_expect_signing_zone(const dnsvet_expect *e)
{
	const char *z;

	if (!e)
		return NULL;
	if (e->signing_zone)
		return e->signing_zone;
	z = dnsvet_expect_region_signing_zone(e->region);
	return z ? z : DNSVET_EXPECT_DEFAULT_SIGNING_ZONE;
}

const char *dnsvet_expect_signing_origin(const dnsvet_expect *e)
{
	return e ? dnsvet_expect_origin_effective(e) : NULL;
}

size_t dnsvet_expect_token_count(const dnsvet_expect *e)
{
	return e ? e->ntokens : 0;
}

const char *dnsvet_expect_token_at(const dnsvet_expect *e, size_t i)
{
	return e && i < e->ntokens ? e->tokens[i] : NULL;
}

const char *dnsvet_expect_byodkim_selector(const dnsvet_expect *e)
{
	return e ? e->selector : NULL;
}

const char *dnsvet_expect_mail_from(const dnsvet_expect *e)
{
	return e ? e->mail_from : NULL;
}

const char *dnsvet_expect_legacy_token(const dnsvet_expect *e)
{
	return e ? e->legacy : NULL;
}

int dnsvet_expect_dmarc(const dnsvet_expect *e)
{
	return e ? e->dmarc : 0;
}

size_t dnsvet_expect_edited_ns_count(const dnsvet_expect *e)
{
	return e ? e->n_ns : 0;
}

const char *dnsvet_expect_edited_ns_at(const dnsvet_expect *e, size_t i)
{
	return e && i < e->n_ns ? e->edited_ns[i] : NULL;
}

int dnsvet_expect_has_ses(const dnsvet_expect *e)
{
	return e ? e->has_ses : 0;
}

size_t dnsvet_expect_record_count(const dnsvet_expect *e)
{
	return e ? e->nrecords : 0;
}

const dnsvet_expect_record *dnsvet_expect_record_at(const dnsvet_expect *e, size_t i)
{
	return e && i < e->nrecords ? &e->records[i] : NULL;
}
