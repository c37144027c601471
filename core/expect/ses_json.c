#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "expect/expect_internal.h"
#include "expect/hostname.h"
#include "expect/regions.h"
#include "tree/node_internal.h"

/* Where a JSON field failed, for the error message. */
struct ctx {
	const char *name;
	dnsvet_expect_error *err;
	const dnsvet_node *root;
};

static dnsvet_status field_fail(struct ctx *c, const dnsvet_node *at, const char *field,
                                const char *what)
{
	dnsvet_node_mark m = dnsvet_node_mark_of(at ? at : c->root);

	return dnsvet_expect_fail(c->err, DNSVET_ERR_INVALID, c->name, m.line ? m.line : 1,
	                          m.line ? m.column : 1, field, "%s", what);
}

/* An optional string field; *out stays NULL when absent or null. */
static dnsvet_status get_str(struct ctx *c, const dnsvet_node *map, const char *key,
                             const char *field, char **out)
{
	const dnsvet_node *v = dnsvet_node_map_get(map, key);

	*out = NULL;
	if (!v || dnsvet_node_type_of(v) == DNSVET_NODE_NULL)
		return DNSVET_OK;
	if (dnsvet_node_type_of(v) != DNSVET_NODE_STRING)
		return field_fail(c, v, field, "must be a string");
	if (dnsvet_node_string_has_nul(v))
		return field_fail(c, v, field, DNSVET_CONTROL_CHARACTER);
	*out = strdup(dnsvet_node_string(v));
	return *out ? DNSVET_OK : DNSVET_ERR_NOMEM;
}

static dnsvet_status get_bool(struct ctx *c, const dnsvet_node *map, const char *key,
                              const char *field, int *out)
{
	const dnsvet_node *v = dnsvet_node_map_get(map, key);

	if (!v || dnsvet_node_type_of(v) == DNSVET_NODE_NULL)
		return DNSVET_OK;
	if (dnsvet_node_type_of(v) != DNSVET_NODE_BOOL)
		return field_fail(c, v, field, "must be true or false");
	*out = dnsvet_node_bool(v, 0);
	return DNSVET_OK;
}

/* The CLI prints timestamps as ISO 8601 strings, or as epoch seconds with
 * cli_timestamp_format = none. Both end up as ISO 8601 UTC text. */
static dnsvet_status get_time(struct ctx *c, const dnsvet_node *map, const char *key,
                              const char *field, char **out)
{
	const dnsvet_node *v = dnsvet_node_map_get(map, key);
	dnsvet_node_type t = dnsvet_node_type_of(v);

	*out = NULL;
	if (t == DNSVET_NODE_INT || t == DNSVET_NODE_DOUBLE) {
		time_t secs = (time_t)dnsvet_node_double(v, 0);
		struct tm tm;
		char buf[40];

		if (!gmtime_r(&secs, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
			return field_fail(c, v, field, "is not a valid time");
		*out = strdup(buf);
		return *out ? DNSVET_OK : DNSVET_ERR_NOMEM;
	}
	return get_str(c, map, key, field, out);
}

static dnsvet_status want_map(struct ctx *c, const dnsvet_node *map, const char *key,
                              const dnsvet_node **out)
{
	const dnsvet_node *v = dnsvet_node_map_get(map, key);

	*out = NULL;
	if (!v || dnsvet_node_type_of(v) == DNSVET_NODE_NULL)
		return DNSVET_OK;
	if (dnsvet_node_type_of(v) != DNSVET_NODE_MAP)
		return field_fail(c, v, key, "must be an object");
	*out = v;
	return DNSVET_OK;
}

#define TRY(x) do { st = (x); if (st != DNSVET_OK) goto done; } while (0)

/* Applies the identity JSON root to e (a scratch copy: it may be left half-done). */
static dnsvet_status apply(dnsvet_expect *e, struct ctx *c)
{
	const dnsvet_node *root = c->root, *dkim, *mf, *vi, *soa = NULL, *tokens, *v;
	struct dnsvet_ses_facts *f = &e->ses;
	char why[300], field[64], *zone = NULL, *mfd = NULL;
	const dnsvet_ses_region *zr;
	dnsvet_status st = DNSVET_OK;
	size_t i, n;

	if (dnsvet_node_type_of(root) != DNSVET_NODE_MAP)
		return field_fail(c, root, "", "an SES identity (get-email-identity output) must be "
		                  "a JSON object");
	dnsvet_ses_facts_clear(f);
	TRY(get_str(c, root, "IdentityType", "IdentityType", &f->identity_type));
	if (f->identity_type && strcmp(f->identity_type, "DOMAIN") != 0)
		return field_fail(c, dnsvet_node_map_get(root, "IdentityType"), "IdentityType",
		                  "this identity is not a domain; only DOMAIN identities publish DNS "
		                  "records");
	TRY(get_str(c, root, "VerificationStatus", "VerificationStatus", &f->verification_status));
	TRY(get_bool(c, root, "VerifiedForSendingStatus", "VerifiedForSendingStatus",
	             &f->verified_for_sending));

	TRY(want_map(c, root, "DkimAttributes", &dkim));
	if (dkim) {
		TRY(get_str(c, dkim, "Status", "DkimAttributes.Status", &f->dkim_status));
		TRY(get_bool(c, dkim, "SigningEnabled", "DkimAttributes.SigningEnabled",
		             &f->dkim_signing_enabled));
		TRY(get_str(c, dkim, "SigningAttributesOrigin", "DkimAttributes.SigningAttributesOrigin",
		            &f->signing_origin));
		TRY(get_str(c, dkim, "SigningHostedZone", "DkimAttributes.SigningHostedZone", &zone));
		if (zone) {
			if (!dnsvet_hostname_check(zone, 0, why, sizeof(why))) {
				st = field_fail(c, dnsvet_node_map_get(dkim, "SigningHostedZone"),
				                "DkimAttributes.SigningHostedZone", why);
				goto done;
			}
			free(e->signing_zone);
			e->signing_zone = dnsvet_name_normal(zone);
			if (!e->signing_zone) {
				st = DNSVET_ERR_NOMEM;
				goto done;
			}
			/* A regional signing zone names the identity's region, which the MAIL
			 * FROM MX needs too; a region given before that differs is a mistake
			 * (DKIM in one region, MAIL FROM in another), not a preference. */
			zr = dnsvet_ses_region_of_zone(e->signing_zone);
			if (zr && e->region_set && strcmp(zr->name, e->region) != 0) {
				snprintf(why, sizeof(why), "the identity's region is %s (the signing zone "
				         "of %s), not the region given, %s; give one region", zr->name,
				         zr->name, e->region);
				st = field_fail(c, dnsvet_node_map_get(dkim, "SigningHostedZone"),
				                "DkimAttributes.SigningHostedZone", why);
				goto done;
			}
			if (zr && strcmp(zr->name, e->region) != 0) {
				char *nr = strdup(zr->name);

				if (!nr) {
					st = DNSVET_ERR_NOMEM;
					goto done;
				}
				free(e->region);
				e->region = nr;
			}
		}
		if (f->signing_origin) {
			free(e->signing_origin);
			e->signing_origin = strdup(f->signing_origin);
			if (!e->signing_origin) {
				st = DNSVET_ERR_NOMEM;
				goto done;
			}
		}
		tokens = dnsvet_node_map_get(dkim, "Tokens");
		if (tokens && dnsvet_node_type_of(tokens) != DNSVET_NODE_NULL) {
			int easy = dnsvet_expect_origin_is_easy(dnsvet_expect_origin_effective(e));

			if (dnsvet_node_type_of(tokens) != DNSVET_NODE_LIST) {
				st = field_fail(c, tokens, "DkimAttributes.Tokens", "must be a list of strings");
				goto done;
			}
			n = dnsvet_node_size(tokens);
			/* Replace what the caller may have given with what SES says. */
			for (i = 0; i < e->ntokens; i++)
				free(e->tokens[i]);
			e->ntokens = 0;
			free(e->selector);
			e->selector = NULL;
			if (easy && n > DNSVET_EXPECT_MAX_TOKENS) {
				st = field_fail(c, dnsvet_node_list_at(tokens, DNSVET_EXPECT_MAX_TOKENS),
				                "DkimAttributes.Tokens", "Easy DKIM has exactly 3 tokens");
				goto done;
			}
			for (i = 0; i < n; i++) {
				const char *t;
				char norm[40];

				v = dnsvet_node_list_at(tokens, i);
				t = dnsvet_node_string(v);
				snprintf(field, sizeof(field), "DkimAttributes.Tokens[%zu]", i);
				if (!t) {
					st = field_fail(c, v, field, "must be a string");
					goto done;
				}
				if (dnsvet_node_string_has_nul(v)) {
					st = field_fail(c, v, field, DNSVET_CONTROL_CHARACTER);
					goto done;
				}
				if (easy) {
					size_t k;

					if (!dnsvet_expect_check_token(t, norm, sizeof(norm), why, sizeof(why))) {
						st = field_fail(c, v, field, why);
						goto done;
					}
					/* three equal CNAMEs would pass for a complete Easy DKIM setup */
					for (k = 0; k < e->ntokens; k++)
						if (strcmp(e->tokens[k], norm) == 0)
							break;
					if (k < e->ntokens) {
						snprintf(why, sizeof(why), "'%s' is given twice (it is "
						         "DkimAttributes.Tokens[%zu])", norm, k);
						st = field_fail(c, v, field, why);
						goto done;
					}
					e->tokens[e->ntokens] = strdup(norm);
					if (!e->tokens[e->ntokens]) {
						st = DNSVET_ERR_NOMEM;
						goto done;
					}
					e->ntokens++;
				} else if (i == 0) {
					/* BYODKIM: Tokens holds the selector */
					if (!dnsvet_expect_check_selector(t, why, sizeof(why))) {
						st = field_fail(c, v, field, why);
						goto done;
					}
					e->selector = dnsvet_name_normal(t);
					if (!e->selector) {
						st = DNSVET_ERR_NOMEM;
						goto done;
					}
				}
			}
		}
	}

	TRY(want_map(c, root, "MailFromAttributes", &mf));
	if (mf) {
		TRY(get_str(c, mf, "MailFromDomain", "MailFromAttributes.MailFromDomain", &mfd));
		TRY(get_str(c, mf, "MailFromDomainStatus", "MailFromAttributes.MailFromDomainStatus",
		            &f->mail_from_status));
		TRY(get_str(c, mf, "BehaviorOnMxFailure", "MailFromAttributes.BehaviorOnMxFailure",
		            &f->behavior_on_mx_failure));
		if (mfd && *mfd) {
			if (!dnsvet_expect_check_mail_from(e, mfd, why, sizeof(why))) {
				st = field_fail(c, dnsvet_node_map_get(mf, "MailFromDomain"),
				                "MailFromAttributes.MailFromDomain", why);
				goto done;
			}
			f->mail_from_domain = dnsvet_name_normal(mfd);
			free(e->mail_from);
			e->mail_from = dnsvet_name_normal(mfd);
			if (!f->mail_from_domain || !e->mail_from) {
				st = DNSVET_ERR_NOMEM;
				goto done;
			}
		}
	}

	TRY(want_map(c, root, "VerificationInfo", &vi));
	if (vi) {
		TRY(get_str(c, vi, "ErrorType", "VerificationInfo.ErrorType", &f->error_type));
		TRY(get_time(c, vi, "LastCheckedTimestamp", "VerificationInfo.LastCheckedTimestamp",
		             &f->last_checked));
		TRY(get_time(c, vi, "LastSuccessTimestamp", "VerificationInfo.LastSuccessTimestamp",
		             &f->last_success));
		TRY(want_map(c, vi, "SOARecord", &soa));
		if (soa) {
			TRY(get_str(c, soa, "PrimaryNameServer", "VerificationInfo.SOARecord.PrimaryNameServer",
			            &f->soa_mname));
			TRY(get_str(c, soa, "AdminEmail", "VerificationInfo.SOARecord.AdminEmail",
			            &f->soa_rname));
			v = dnsvet_node_map_get(soa, "SerialNumber");
			if (v && dnsvet_node_type_of(v) != DNSVET_NODE_NULL) {
				if (dnsvet_node_type_of(v) != DNSVET_NODE_INT || dnsvet_node_int(v, -1) < 0 ||
				    dnsvet_node_int(v, 0) > 4294967295LL) {
					st = field_fail(c, v, "VerificationInfo.SOARecord.SerialNumber",
					                "must be an integer from 0 to 4294967295");
					goto done;
				}
				f->soa_serial = dnsvet_node_int(v, 0);
				f->has_soa_serial = 1;
			}
		}
	}
	e->has_ses = 1;
	st = dnsvet_expect_derive(e);
done:
	free(zone);
	free(mfd);
	return st;
}

dnsvet_status dnsvet_expect_load_ses_json(dnsvet_expect *e, const char *text, size_t len,
                                          const char *name, dnsvet_expect_error *err)
{
	dnsvet_node *root = NULL;
	dnsvet_node_error nerr;
	dnsvet_expect *scratch;
	struct ctx c;
	dnsvet_status st;

	if (err) {
		err->field[0] = err->message[0] = '\0';
		err->line = err->column = 0;
	}
	if (!e || (!text && len))
		return DNSVET_ERR_INVALID;
	/* The AWS CLI prints JSON; the strict reader keeps YAML's looser forms (unquoted
	 * keys, trailing commas, comments) from passing for it. NUL-holding strings are kept
	 * so that the field at fault can be named. */
	if (len > DNSVET_NODE_MAX_INPUT)
		return dnsvet_expect_fail(err, DNSVET_ERR_LIMIT, NULL, 0, 0, name ? name : "<input>",
		                          "file too large");
	st = dnsvet_json_parse(text, len, name, &root, &nerr, DNSVET_PARSE_KEEP_NUL);
	if (st != DNSVET_OK) {
		if (err) {
			snprintf(err->message, sizeof(err->message), "%s", nerr.message);
			err->line = nerr.line;
			err->column = nerr.column;
		}
		return st;
	}
	scratch = dnsvet_expect_clone(e);
	if (!scratch) {
		dnsvet_node_free(root);
		return DNSVET_ERR_NOMEM;
	}
	c.name = name;
	c.err = err;
	c.root = root;
	st = apply(scratch, &c);
	dnsvet_node_free(root);
	if (st != DNSVET_OK) {
		dnsvet_expect_free(scratch);
		return st;
	}
	dnsvet_expect_replace(e, scratch);
	return DNSVET_OK;
}

dnsvet_status dnsvet_expect_load_ses_json_file(dnsvet_expect *e, const char *path,
                                               dnsvet_expect_error *err)
{
	FILE *fp;
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	dnsvet_status st;

	if (err) {
		err->field[0] = err->message[0] = '\0';
		err->line = err->column = 0;
	}
	if (!e || !path)
		return DNSVET_ERR_INVALID;
	fp = fopen(path, "rb");
	if (!fp)
		return dnsvet_expect_fail(err, DNSVET_ERR_IO, NULL, 0, 0, path, "cannot open: %s",
		                          strerror(errno));
	for (;;) {
		if (len == cap) {
			char *p;

			if (cap >= (size_t)DNSVET_NODE_MAX_INPUT) {
				fclose(fp);
				free(text);
				return dnsvet_expect_fail(err, DNSVET_ERR_LIMIT, NULL, 0, 0, path,
				                          "file too large");
			}
			cap = cap ? cap * 2 : 16384;
			p = realloc(text, cap);
			if (!p) {
				fclose(fp);
				free(text);
				return DNSVET_ERR_NOMEM;
			}
			text = p;
		}
		n = fread(text + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		fclose(fp);
		free(text);
		return dnsvet_expect_fail(err, DNSVET_ERR_IO, NULL, 0, 0, path, "cannot read");
	}
	fclose(fp);
	st = dnsvet_expect_load_ses_json(e, text, len, path, err);
	free(text);
	return st;
}
