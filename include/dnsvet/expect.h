/*
 * dnsvet_expect: what a domain should publish for Amazon SES — the expectations of a check.
 *
 * Built from explicit inputs (domain, DKIM tokens, region, MAIL FROM, ...) and/or from the
 * JSON that `aws sesv2 get-email-identity --email-identity DOMAIN` prints; the full record
 * set is derived from them and kept current after every change. Becomes the `expect:` and
 * `ses:` parts of an observation set (docs/observations.md) and can be read back from them.
 *
 * Names are stored lowercase without the trailing dot. Every setter validates its input
 * and, on failure, leaves the object unchanged and fills err (when not NULL) with the
 * name of the field at fault and a message that starts with it.
 */
#ifndef DNSVET_EXPECT_H
#define DNSVET_EXPECT_H

#include <stddef.h>
#include <stdint.h>
#include <dnsvet/common.h>
#include <dnsvet/node.h>
#include <dnsvet/status.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DNSVET_EXPECT_MAX_TOKENS 3
/* Signing zone of Easy DKIM in the regions without a regional one. */
#define DNSVET_EXPECT_DEFAULT_SIGNING_ZONE "dkim.amazonses.com"
#define DNSVET_EXPECT_DEFAULT_REGION "us-east-1"

typedef struct dnsvet_expect dnsvet_expect;

typedef struct dnsvet_expect_error {
	/* The input at fault: "domain", "region", "dkim_tokens[1]", "mail_from",
	 * "DkimAttributes.Tokens[0]", ... ("" when no single field is to blame). */
	char field[96];
	/* "FIELD: what is wrong" — for JSON input "NAME:LINE:COL: FIELD: what is wrong". */
	char message[512];
	unsigned line;    /* in JSON input, 1-based; 0 otherwise */
	unsigned column;
} dnsvet_expect_error;

/* One record the domain should publish. All strings borrowed from the dnsvet_expect and
 * valid until it changes or is freed. */
typedef struct dnsvet_expect_record {
	const char *name;    /* owner, lowercase, no trailing dot */
	const char *type;    /* "CNAME", "TXT", "MX", ... */
	/* presentation-style value: CNAME/NS target without trailing dot, MX
	 * "10 feedback-smtp.us-east-1.amazonses.com", TXT the unquoted text */
	const char *value;
	/* dkim | byodkim | mail_from_mx | mail_from_spf | spf | dmarc | legacy | custom */
	const char *role;
	int required;        /* SES verification or delivery needs it; 0: recommended */
	int comparable;      /* 0 when value is a placeholder (the BYODKIM public key) */
} dnsvet_expect_record;

/* A new set of expectations for an identity domain (validated; "Shop.Example.com." is
 * kept as "shop.example.com"), region us-east-1, DMARC wanted, nothing else yet.
 * On success *out is the object; caller frees with dnsvet_expect_free. */
DNSVET_API dnsvet_status dnsvet_expect_new(const char *domain, dnsvet_expect **out,
                                           dnsvet_expect_error *err);
DNSVET_API void dnsvet_expect_free(dnsvet_expect *e);

/* Setters (DNSVET_ERR_INVALID with err filled when the value is not acceptable). */
/* Known SES region ("eu-west-1"); also picks the region's Easy DKIM signing zone unless
 * one was set explicitly. An unknown region's error lists the closest known ones. */
DNSVET_API dnsvet_status dnsvet_expect_set_region(dnsvet_expect *e, const char *region,
                                                  dnsvet_expect_error *err);
/* Explicit signing zone (SES's DkimAttributes.SigningHostedZone); NULL reverts to the
 * region's. */
DNSVET_API dnsvet_status dnsvet_expect_set_signing_zone(dnsvet_expect *e, const char *zone,
                                                        dnsvet_expect_error *err);
/* An Easy DKIM token (32 characters a-z 0-9; uppercase is folded). At most 3; the
 * same token twice is an error. Not with a BYODKIM selector. */
DNSVET_API dnsvet_status dnsvet_expect_add_dkim_token(dnsvet_expect *e, const char *token,
                                                      dnsvet_expect_error *err);
/* BYODKIM: the selector (one DNS label) whose TXT record holds the public key. Sets the
 * signing origin to EXTERNAL; not with Easy DKIM tokens. NULL removes it. */
DNSVET_API dnsvet_status dnsvet_expect_set_byodkim_selector(dnsvet_expect *e, const char *sel,
                                                            dnsvet_expect_error *err);
/* Custom MAIL FROM domain: a proper subdomain of the identity. NULL removes it. */
DNSVET_API dnsvet_status dnsvet_expect_set_mail_from(dnsvet_expect *e, const char *domain,
                                                     dnsvet_expect_error *err);
/* The v1 verification token published as `_amazonses.DOMAIN TXT`. NULL removes it. */
DNSVET_API dnsvet_status dnsvet_expect_set_legacy_token(dnsvet_expect *e, const char *token,
                                                        dnsvet_expect_error *err);
/* Whether a DMARC record is wanted (default yes). */
DNSVET_API void dnsvet_expect_set_dmarc(dnsvet_expect *e, int wanted);
/* A name server where the user says the records were entered (host name). */
DNSVET_API dnsvet_status dnsvet_expect_add_edited_ns(dnsvet_expect *e, const char *ns,
                                                     dnsvet_expect_error *err);
/* An extra expected record (role custom, required). name must be the identity or below
 * it; type a mnemonic (letters/digits); value as in dnsvet_expect_record. */
DNSVET_API dnsvet_status dnsvet_expect_add_record(dnsvet_expect *e, const char *name,
                                                  const char *type, const char *value,
                                                  dnsvet_expect_error *err);

/* SES identity JSON (`aws sesv2 get-email-identity` output; the identity name is the
 * object's domain, as the JSON does not carry it). Applies the DKIM tokens (or the BYODKIM
 * selector), SigningHostedZone, signing origin and MAIL FROM domain, and keeps the SES
 * facts (statuses, ErrorType, timestamps, SOA) for the `ses:` map. Broken JSON or an
 * unacceptable field: DNSVET_ERR_PARSE / DNSVET_ERR_INVALID with name:line:col and the
 * JSON field in err; the object is then unchanged. */
DNSVET_API dnsvet_status dnsvet_expect_load_ses_json(dnsvet_expect *e, const char *text,
                                                     size_t len, const char *name,
                                                     dnsvet_expect_error *err);
DNSVET_API dnsvet_status dnsvet_expect_load_ses_json_file(dnsvet_expect *e, const char *path,
                                                          dnsvet_expect_error *err);

/* Getters: borrowed strings, NULL when unset. */
DNSVET_API const char *dnsvet_expect_domain(const dnsvet_expect *e);
DNSVET_API const char *dnsvet_expect_region(const dnsvet_expect *e);
DNSVET_API const char *dnsvet_expect_signing_zone(const dnsvet_expect *e);
/* "AWS_SES" (Easy DKIM), "EXTERNAL" (BYODKIM) or what SES reported (e.g. DEED origins). */
DNSVET_API const char *dnsvet_expect_signing_origin(const dnsvet_expect *e);
DNSVET_API size_t dnsvet_expect_token_count(const dnsvet_expect *e);
DNSVET_API const char *dnsvet_expect_token_at(const dnsvet_expect *e, size_t i);
DNSVET_API const char *dnsvet_expect_byodkim_selector(const dnsvet_expect *e);
DNSVET_API const char *dnsvet_expect_mail_from(const dnsvet_expect *e);
DNSVET_API const char *dnsvet_expect_legacy_token(const dnsvet_expect *e);
DNSVET_API int dnsvet_expect_dmarc(const dnsvet_expect *e);
DNSVET_API size_t dnsvet_expect_edited_ns_count(const dnsvet_expect *e);
DNSVET_API const char *dnsvet_expect_edited_ns_at(const dnsvet_expect *e, size_t i);
/* 1 when SES identity JSON was loaded (or read back from a `ses:` map). */
DNSVET_API int dnsvet_expect_has_ses(const dnsvet_expect *e);
/* The derived record set, in a stable order: DKIM, MAIL FROM, legacy, DMARC, SPF,
 * custom. */
DNSVET_API size_t dnsvet_expect_record_count(const dnsvet_expect *e);
DNSVET_API const dnsvet_expect_record *dnsvet_expect_record_at(const dnsvet_expect *e, size_t i);

/* The `expect:` map of an observation set, including `records`. Caller frees *out with
 * dnsvet_node_free. */
DNSVET_API dnsvet_status dnsvet_expect_to_node(const dnsvet_expect *e, dnsvet_node **out);
/* The `ses:` map; *out is NULL (and DNSVET_OK returned) when no SES JSON was given.
 * Caller frees with dnsvet_node_free. */
DNSVET_API dnsvet_status dnsvet_expect_ses_to_node(const dnsvet_expect *e, dnsvet_node **out);
/* Reads expectations back from an `expect:` map (and optionally a `ses:` map) for the
 * identity `domain`: for replay and fixtures. A `records` list is taken as it is (until
 * a setter changes the object); without one the records are derived. Errors name the
 * field ("expect.region"), prefixed with NAME:LINE:COL when the nodes were parsed.
 * Caller frees *out with dnsvet_expect_free. */
DNSVET_API dnsvet_status dnsvet_expect_from_node(const char *domain, const dnsvet_node *expect,
                                                 const dnsvet_node *ses, const char *name,
                                                 dnsvet_expect **out, dnsvet_expect_error *err);

/* The records for a DNS operator, for the zone `zone` that holds them (NULL: the
 * identity itself). ZONEFILE: one RR per line, full names with trailing dots, TTL 1800,
 * class IN, TXT quoted and split into 255-byte strings, recommended ones marked by a
 * comment. FORM: the columns a provider's web form asks for — type, name relative to the
 * zone ("@" for the apex), priority (MX), value (TXT unquoted). *out: caller frees with
 * free(). */
typedef enum dnsvet_expect_format {
	DNSVET_EXPECT_ZONEFILE = 0,
	DNSVET_EXPECT_FORM
} dnsvet_expect_format;
DNSVET_API dnsvet_status dnsvet_expect_format_records(const dnsvet_expect *e, const char *zone,
                                                      dnsvet_expect_format format, char **out);

/* `name` relative to `zone` into buf: "@" for the apex, the leading labels when below
 * it, else the full name with a trailing dot. DNSVET_ERR_LIMIT when buf is too small. */
DNSVET_API dnsvet_status dnsvet_expect_relative_name(const char *name, const char *zone,
                                                     char *buf, size_t size);

/* The known SES regions: the i-th region name ("us-east-1"), NULL past the end; and the
 * Easy DKIM signing zone of a region (NULL when the region is unknown). Static strings. */
DNSVET_API const char *dnsvet_expect_region_at(size_t i);
DNSVET_API const char *dnsvet_expect_region_signing_zone(const char *region);

#ifdef __cplusplus
}
#endif
#endif
