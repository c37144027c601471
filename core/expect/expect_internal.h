/* The expectations object's insides, shared by the files of core/expect. */
#ifndef DNSVET_EXPECT_INTERNAL_H
#define DNSVET_EXPECT_INTERNAL_H

#include <stdint.h>
#include <dnsvet/expect.h>

struct dnsvet_expect_custom {
	char *name, *type, *value;
};

/* What SES said about the identity (the `ses:` map). NULL/-1 = not reported. */
struct dnsvet_ses_facts {
	char *identity_type;
	char *verification_status;
	int verified_for_sending;
	char *dkim_status;
	int dkim_signing_enabled;
	char *signing_origin;
	char *mail_from_domain;
	char *mail_from_status;
	char *behavior_on_mx_failure;
	char *error_type;
	char *last_checked;
	char *last_success;
	char *soa_mname;
	char *soa_rname;
	int64_t soa_serial;
	int has_soa_serial;
};

struct dnsvet_expect {
	char *domain;
	char *region;
	int region_set;             /* given explicitly (else may follow the signing zone) */
	char *signing_zone;         /* explicit; NULL = the region's */
	char *signing_origin;       /* explicit (from SES); NULL = derived */
	char *tokens[DNSVET_EXPECT_MAX_TOKENS];
	size_t ntokens;
	char *selector;
	char *mail_from;
	char *legacy;
	int dmarc;
	char **edited_ns;
	size_t n_ns;
	struct dnsvet_expect_custom *custom;
	size_t ncustom;

	dnsvet_expect_record *records; /* strings owned (cast from const) */
	size_t nrecords;
	int records_fixed;             /* read back from a node: kept until a setter runs */

	int has_ses;
	struct dnsvet_ses_facts ses;
};

/* Fills err: field, and message "FIELD: text" (with "NAME:LINE:COL: " in front when
 * line is not 0). Returns st. */
dnsvet_status dnsvet_expect_fail(dnsvet_expect_error *err, dnsvet_status st, const char *name,
                                 unsigned line, unsigned col, const char *field,
                                 const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Rebuilds e->records from the inputs (clears records_fixed). */
dnsvet_status dnsvet_expect_derive(dnsvet_expect *e);
/* Appends one record, copying the strings. */
dnsvet_status dnsvet_expect_push_record(dnsvet_expect *e, const char *name, const char *type,
                                        const char *value, const char *role, int required,
                                        int comparable);
void dnsvet_expect_clear_records(dnsvet_expect *e);
void dnsvet_ses_facts_clear(struct dnsvet_ses_facts *f);

/* Deep copy, for all-or-nothing updates; NULL when out of memory. */
dnsvet_expect *dnsvet_expect_clone(const dnsvet_expect *e);
/* Moves src's content into dst (freeing dst's old content) and frees src's shell. */
void dnsvet_expect_replace(dnsvet_expect *dst, dnsvet_expect *src);

/* The signing origin in effect: explicit, else EXTERNAL with a selector, else AWS_SES. */
const char *dnsvet_expect_origin_effective(const dnsvet_expect *e);
/* 1 when the origin means Easy DKIM CNAMEs (AWS_SES and the AWS_SES_* replicas). */
int dnsvet_expect_origin_is_easy(const char *origin);

/* Validations shared by the setters and the readers: 1 when fine, else 0 with why. */
int dnsvet_expect_check_token(const char *token, char *norm, size_t normsize, char *why,
                              size_t whysize);
int dnsvet_expect_check_selector(const char *sel, char *why, size_t whysize);
int dnsvet_expect_check_mail_from(const dnsvet_expect *e, const char *mf, char *why,
                                  size_t whysize);
int dnsvet_expect_check_region(const char *region, char *why, size_t whysize);

#endif
