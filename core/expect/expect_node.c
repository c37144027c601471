#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expect/expect_internal.h"
#include "expect/hostname.h"
#include "tree/node_internal.h"

#define TRY(x) do { st = (x); if (st != DNSVET_OK) goto fail; } while (0)

static dnsvet_status set_opt_str(dnsvet_node *m, const char *key, const char *v)
{
	return v ? dnsvet_node_map_set_string(m, key, v) : DNSVET_OK;
}

dnsvet_status dnsvet_expect_to_node(const dnsvet_expect *e, dnsvet_node **out)
{
	dnsvet_node *m, *l = NULL, *r;
	dnsvet_status st;
	size_t i;

	if (!e || !out)
		return DNSVET_ERR_INVALID;
	*out = NULL;
	m = dnsvet_node_new_map();
	if (!m)
		return DNSVET_ERR_NOMEM;
	TRY(dnsvet_node_map_set_string(m, "region", e->region));
	TRY(dnsvet_node_map_set_string(m, "signing_zone", dnsvet_expect_signing_zone(e)));
	TRY(dnsvet_node_map_set_string(m, "signing_origin", dnsvet_expect_origin_effective(e)));
	if (e->ntokens) {
		l = dnsvet_node_new_list();
		for (i = 0; l && i < e->ntokens; i++)
			if (dnsvet_node_list_append_string(l, e->tokens[i]) != DNSVET_OK) {
				dnsvet_node_free(l);
				l = NULL;
			}
		TRY(dnsvet_node_map_set(m, "dkim_tokens", l));
	}
	TRY(set_opt_str(m, "byodkim_selector", e->selector));
	TRY(set_opt_str(m, "mail_from", e->mail_from));
	TRY(set_opt_str(m, "legacy_token", e->legacy));
	TRY(dnsvet_node_map_set_bool(m, "dmarc", e->dmarc));
	if (e->n_ns) {
		l = dnsvet_node_new_list();
		for (i = 0; l && i < e->n_ns; i++)
			if (dnsvet_node_list_append_string(l, e->edited_ns[i]) != DNSVET_OK) {
				dnsvet_node_free(l);
				l = NULL;
			}
		TRY(dnsvet_node_map_set(m, "edited_ns", l));
	}
	l = dnsvet_node_new_list();
	TRY(dnsvet_node_map_set(m, "records", l));
	for (i = 0; i < e->nrecords; i++) {
		const dnsvet_expect_record *rec = &e->records[i];

		r = dnsvet_node_new_map();
		TRY(dnsvet_node_list_append(l, r));
		TRY(dnsvet_node_map_set_string(r, "name", rec->name));
		TRY(dnsvet_node_map_set_string(r, "type", rec->type));
		TRY(dnsvet_node_map_set_string(r, "value", rec->value));
		TRY(dnsvet_node_map_set_string(r, "role", rec->role));
		TRY(dnsvet_node_map_set_bool(r, "required", rec->required));
		if (!rec->comparable)
			TRY(dnsvet_node_map_set_bool(r, "comparable", 0));
	}
	*out = m;
	return DNSVET_OK;
fail:
	dnsvet_node_free(m);
	return st;
}

dnsvet_status dnsvet_expect_ses_to_node(const dnsvet_expect *e, dnsvet_node **out)
{
	const struct dnsvet_ses_facts *f;
	dnsvet_node *m, *soa;
	dnsvet_status st;

	if (!e || !out)
		return DNSVET_ERR_INVALID;
	*out = NULL;
	if (!e->has_ses)
		return DNSVET_OK;
	f = &e->ses;
	m = dnsvet_node_new_map();
	if (!m)
		return DNSVET_ERR_NOMEM;
	TRY(dnsvet_node_map_set_string(m, "identity", e->domain));
	TRY(set_opt_str(m, "identity_type", f->identity_type));
	TRY(set_opt_str(m, "verification_status", f->verification_status));
	if (f->verified_for_sending >= 0)
		TRY(dnsvet_node_map_set_bool(m, "verified_for_sending", f->verified_for_sending));
	TRY(set_opt_str(m, "dkim_status", f->dkim_status));
	if (f->dkim_signing_enabled >= 0)
		TRY(dnsvet_node_map_set_bool(m, "dkim_signing_enabled", f->dkim_signing_enabled));
	TRY(set_opt_str(m, "signing_origin", f->signing_origin));
	TRY(set_opt_str(m, "mail_from_domain", f->mail_from_domain));
	TRY(set_opt_str(m, "mail_from_status", f->mail_from_status));
	TRY(set_opt_str(m, "behavior_on_mx_failure", f->behavior_on_mx_failure));
	TRY(set_opt_str(m, "error_type", f->error_type));
	TRY(set_opt_str(m, "last_checked", f->last_checked));
	TRY(set_opt_str(m, "last_success", f->last_success));
	if (f->soa_mname || f->soa_rname || f->has_soa_serial) {
		soa = dnsvet_node_new_map();
		TRY(dnsvet_node_map_set(m, "soa", soa));
		TRY(set_opt_str(soa, "mname", f->soa_mname));
		TRY(set_opt_str(soa, "rname", f->soa_rname));
		if (f->has_soa_serial)
			TRY(dnsvet_node_map_set_int(soa, "serial", f->soa_serial));
	}
	*out = m;
	return DNSVET_OK;
fail:
	dnsvet_node_free(m);
	return st;
}

/* ---- reading back ---- */

struct rctx {
	const char *name;
	dnsvet_expect_error *err;
};

static dnsvet_status node_fail(struct rctx *c, const dnsvet_node *at, const char *field,
                               const char *fmt, const char *arg)
{
	dnsvet_node_mark m = dnsvet_node_mark_of(at);

	return dnsvet_expect_fail(c->err, DNSVET_ERR_INVALID, c->name, m.line, m.column, field,
	                          fmt, arg ? arg : "");
}

/* A setter's error, re-labelled with the node's position and the field path. */
static dnsvet_status relabel(struct rctx *c, const dnsvet_node *at, const char *field,
                             dnsvet_status st, const dnsvet_expect_error *inner)
{
	const char *msg = inner->message, *colon;

	if (st == DNSVET_ERR_NOMEM)
		return st;
	/* drop the inner "field: " prefix */
	colon = strstr(msg, ": ");
	if (colon && inner->field[0] && strncmp(msg, inner->field, strlen(inner->field)) == 0)
		msg = colon + 2;
	return node_fail(c, at, field, "%s", msg);
}

static dnsvet_status read_str(struct rctx *c, const dnsvet_node *map, const char *key,
                              const char *field, const char **out)
{
	const dnsvet_node *v = dnsvet_node_map_get(map, key);

	*out = NULL;
	if (!v)
		return DNSVET_OK;
	if (!dnsvet_node_string(v))
		return node_fail(c, v, field, "must be a string%s", NULL);
	if (dnsvet_node_string_has_nul(v))
		return node_fail(c, v, field, DNSVET_CONTROL_CHARACTER "%s", NULL);
	*out = dnsvet_node_string(v);
	return DNSVET_OK;
}

static dnsvet_status read_list(struct rctx *c, const dnsvet_node *map, const char *key,
                               const char *field, const dnsvet_node **out)
{
	const dnsvet_node *v = dnsvet_node_map_get(map, key);

	*out = v;
	if (v && dnsvet_node_type_of(v) != DNSVET_NODE_LIST)
		return node_fail(c, v, field, "must be a list%s", NULL);
	return DNSVET_OK;
}

static dnsvet_status read_ses(dnsvet_expect *e, struct rctx *c, const dnsvet_node *ses)
{
	static const struct {
		const char *key;
		size_t off;
	} strs[] = {
		{"identity_type", offsetof(struct dnsvet_ses_facts, identity_type)},
		{"verification_status", offsetof(struct dnsvet_ses_facts, verification_status)},
		{"dkim_status", offsetof(struct dnsvet_ses_facts, dkim_status)},
		{"signing_origin", offsetof(struct dnsvet_ses_facts, signing_origin)},
		{"mail_from_domain", offsetof(struct dnsvet_ses_facts, mail_from_domain)},
		{"mail_from_status", offsetof(struct dnsvet_ses_facts, mail_from_status)},
		{"behavior_on_mx_failure", offsetof(struct dnsvet_ses_facts, behavior_on_mx_failure)},
		{"error_type", offsetof(struct dnsvet_ses_facts, error_type)},
		{"last_checked", offsetof(struct dnsvet_ses_facts, last_checked)},
		{"last_success", offsetof(struct dnsvet_ses_facts, last_success)},
	};
	struct dnsvet_ses_facts *f = &e->ses;
	const dnsvet_node *v, *soa;
	const char *s;
	char field[64];
	dnsvet_status st;
	size_t i;

	if (dnsvet_node_type_of(ses) != DNSVET_NODE_MAP)
		return node_fail(c, ses, "ses", "must be a map%s", NULL);
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		char **slot = (char **)((char *)f + strs[i].off);

		snprintf(field, sizeof(field), "ses.%s", strs[i].key);
		st = read_str(c, ses, strs[i].key, field, &s);
		if (st != DNSVET_OK)
			return st;
		if (s && !(*slot = strdup(s)))
			return DNSVET_ERR_NOMEM;
	}
	v = dnsvet_node_map_get(ses, "verified_for_sending");
	if (v && dnsvet_node_type_of(v) != DNSVET_NODE_BOOL)
		return node_fail(c, v, "ses.verified_for_sending", "must be true or false%s", NULL);
	if (v)
		f->verified_for_sending = dnsvet_node_bool(v, 0);
	v = dnsvet_node_map_get(ses, "dkim_signing_enabled");
	if (v && dnsvet_node_type_of(v) != DNSVET_NODE_BOOL)
		return node_fail(c, v, "ses.dkim_signing_enabled", "must be true or false%s", NULL);
	if (v)
		f->dkim_signing_enabled = dnsvet_node_bool(v, 0);
	soa = dnsvet_node_map_get(ses, "soa");
	if (soa) {
		if (dnsvet_node_type_of(soa) != DNSVET_NODE_MAP)
			return node_fail(c, soa, "ses.soa", "must be a map%s", NULL);
		st = read_str(c, soa, "mname", "ses.soa.mname", &s);
		if (st != DNSVET_OK)
			return st;
		if (s && !(f->soa_mname = strdup(s)))
			return DNSVET_ERR_NOMEM;
		st = read_str(c, soa, "rname", "ses.soa.rname", &s);
		if (st != DNSVET_OK)
			return st;
		if (s && !(f->soa_rname = strdup(s)))
			return DNSVET_ERR_NOMEM;
		v = dnsvet_node_map_get(soa, "serial");
		if (v && dnsvet_node_type_of(v) != DNSVET_NODE_INT)
			return node_fail(c, v, "ses.soa.serial", "must be an integer%s", NULL);
		if (v) {
			f->soa_serial = dnsvet_node_int(v, 0);
			f->has_soa_serial = 1;
		}
	}
	e->has_ses = 1;
	return DNSVET_OK;
}

static dnsvet_status read_records(dnsvet_expect *e, struct rctx *c, const dnsvet_node *list)
{
	dnsvet_expect_error inner;
	dnsvet_status st;
	size_t i, n = dnsvet_node_size(list);
	char field[64];
	int pass;

	/* Pass 0 checks every entry and keeps the custom ones as inputs (so that a later
	 * derivation still has them); pass 1 stores the records exactly as read. */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			dnsvet_expect_clear_records(e);
		for (i = 0; i < n; i++) {
			const dnsvet_node *r = dnsvet_node_list_at(list, i), *b;
			const char *name, *type, *value, *role;
			int required, comparable;

			snprintf(field, sizeof(field), "expect.records[%zu]", i);
			if (dnsvet_node_type_of(r) != DNSVET_NODE_MAP)
				return node_fail(c, r, field, "must be a map%s", NULL);
			name = dnsvet_node_path_string(r, "name");
			type = dnsvet_node_path_string(r, "type");
			value = dnsvet_node_path_string(r, "value");
			role = dnsvet_node_path_string(r, "role");
			if (!name || !type || !value)
				return node_fail(c, r, field, "needs name, type and value strings%s", NULL);
			if (!role)
				role = "custom";
			b = dnsvet_node_map_get(r, "required");
			if (b && dnsvet_node_type_of(b) != DNSVET_NODE_BOOL)
				return node_fail(c, b, field, "'required' must be true or false%s", NULL);
			required = dnsvet_node_bool(b, 1);
			b = dnsvet_node_map_get(r, "comparable");
			if (b && dnsvet_node_type_of(b) != DNSVET_NODE_BOOL)
				return node_fail(c, b, field, "'comparable' must be true or false%s", NULL);
			comparable = dnsvet_node_bool(b, 1);
			if (pass == 0 && strcmp(role, "custom") == 0) {
				st = dnsvet_expect_add_record(e, name, type, value, &inner);
				if (st != DNSVET_OK)
					return relabel(c, r, field, st, &inner);
			}
			if (pass == 1) {
				st = dnsvet_expect_push_record(e, name, type, value, role, required,
				                               comparable);
				if (st != DNSVET_OK)
					return st;
			}
		}
	}
	e->records_fixed = 1;
	return DNSVET_OK;
}

dnsvet_status dnsvet_expect_from_node(const char *domain, const dnsvet_node *expect,
                                      const dnsvet_node *ses, const char *name,
                                      dnsvet_expect **out, dnsvet_expect_error *err)
{
	dnsvet_expect *e = NULL;
	dnsvet_expect_error inner;
	const dnsvet_node *v, *list;
	const char *s;
	char field[64];
	struct rctx c;
	dnsvet_status st;
	size_t i;

	c.name = name;
	c.err = err;
	if (err) {
		err->field[0] = err->message[0] = '\0';
		err->line = err->column = 0;
	}
	if (!out)
		return DNSVET_ERR_INVALID;
	*out = NULL;
	st = dnsvet_expect_new(domain, &e, err);
	if (st != DNSVET_OK)
		return st;
	if (!expect)
		goto done;
	if (dnsvet_node_type_of(expect) != DNSVET_NODE_MAP) {
		st = node_fail(&c, expect, "expect", "must be a map%s", NULL);
		goto fail;
	}
#define SETTER(key, fieldname, call) do { \
		TRY(read_str(&c, expect, key, fieldname, &s)); \
		if (s) { \
			st = (call); \
			if (st != DNSVET_OK) { \
				st = relabel(&c, dnsvet_node_map_get(expect, key), fieldname, st, &inner); \
				goto fail; \
			} \
		} \
	} while (0)
	SETTER("region", "expect.region", dnsvet_expect_set_region(e, s, &inner));
	TRY(read_str(&c, expect, "signing_zone", "expect.signing_zone", &s));
	if (s && strcmp(s, dnsvet_expect_signing_zone(e)) != 0) {
		st = dnsvet_expect_set_signing_zone(e, s, &inner);
		if (st != DNSVET_OK) {
			st = relabel(&c, dnsvet_node_map_get(expect, "signing_zone"), "expect.signing_zone",
			             st, &inner);
			goto fail;
		}
	}
	SETTER("byodkim_selector", "expect.byodkim_selector",
	       dnsvet_expect_set_byodkim_selector(e, s, &inner));
	TRY(read_list(&c, expect, "dkim_tokens", "expect.dkim_tokens", &list));
	for (i = 0; i < dnsvet_node_size(list); i++) {
		v = dnsvet_node_list_at(list, i);
		snprintf(field, sizeof(field), "expect.dkim_tokens[%zu]", i);
		if (!dnsvet_node_string(v)) {
			st = node_fail(&c, v, field, "must be a string%s", NULL);
			goto fail;
		}
		st = dnsvet_expect_add_dkim_token(e, dnsvet_node_string(v), &inner);
		if (st != DNSVET_OK) {
			st = relabel(&c, v, field, st, &inner);
			goto fail;
		}
	}
	TRY(read_str(&c, expect, "signing_origin", "expect.signing_origin", &s));
	if (s && strcmp(s, dnsvet_expect_origin_effective(e)) != 0) {
		free(e->signing_origin);
		e->signing_origin = strdup(s);
		if (!e->signing_origin) {
			st = DNSVET_ERR_NOMEM;
			goto fail;
		}
	}
	SETTER("mail_from", "expect.mail_from", dnsvet_expect_set_mail_from(e, s, &inner));
	SETTER("legacy_token", "expect.legacy_token", dnsvet_expect_set_legacy_token(e, s, &inner));
#undef SETTER
	v = dnsvet_node_map_get(expect, "dmarc");
	if (v && dnsvet_node_type_of(v) != DNSVET_NODE_BOOL) {
		st = node_fail(&c, v, "expect.dmarc", "must be true or false%s", NULL);
		goto fail;
	}
	if (v)
		e->dmarc = dnsvet_node_bool(v, 1);
	TRY(read_list(&c, expect, "edited_ns", "expect.edited_ns", &list));
	for (i = 0; i < dnsvet_node_size(list); i++) {
		v = dnsvet_node_list_at(list, i);
		snprintf(field, sizeof(field), "expect.edited_ns[%zu]", i);
		if (!dnsvet_node_string(v)) {
			st = node_fail(&c, v, field, "must be a string%s", NULL);
			goto fail;
		}
		st = dnsvet_expect_add_edited_ns(e, dnsvet_node_string(v), &inner);
		if (st != DNSVET_OK) {
			st = relabel(&c, v, field, st, &inner);
			goto fail;
		}
	}
	TRY(dnsvet_expect_derive(e));
	TRY(read_list(&c, expect, "records", "expect.records", &list));
	if (list)
		TRY(read_records(e, &c, list));
done:
	if (ses)
		TRY(read_ses(e, &c, ses));
	*out = e;
	return DNSVET_OK;
fail:
	dnsvet_expect_free(e);
	return st;
}
