/*
 * The expectation flags of `check` and `records`: what the domain should publish, from an
 * SES identity JSON (--ses-identity) and/or explicit flags. Values are collected while the
 * options are parsed (cli_parse) and applied to a dnsvet_expect afterwards, so that an
 * error names the flag or config line the bad value came from.
 */
#ifndef DNSVET_CLI_EXPECT_ARGS_H
#define DNSVET_CLI_EXPECT_ARGS_H

#include <getopt.h>
#include <dnsvet/expect.h>
#include "cli/options.h"

enum {
	CLI_OPT_SES_IDENTITY = CLI_OPT_OWN,
	CLI_OPT_DKIM_TOKEN,
	CLI_OPT_REGION,
	CLI_OPT_MAIL_FROM,
	CLI_OPT_BYODKIM_SELECTOR,
	CLI_OPT_LEGACY_TOKEN,
	CLI_OPT_EXPECT,
	CLI_OPT_EDITED_NS,
	CLI_OPT_EXPECT_LAST = CLI_OPT_EDITED_NS
};

/* The entries of a struct option table for the flags above (no terminator). */
#define CLI_EXPECT_OPTIONS                                                        \
	{"ses-identity", required_argument, NULL, CLI_OPT_SES_IDENTITY},           \
	{"dkim-token", required_argument, NULL, CLI_OPT_DKIM_TOKEN},               \
	{"region", required_argument, NULL, CLI_OPT_REGION},                       \
	{"mail-from", required_argument, NULL, CLI_OPT_MAIL_FROM},                 \
	{"byodkim-selector", required_argument, NULL, CLI_OPT_BYODKIM_SELECTOR},   \
	{"legacy-token", required_argument, NULL, CLI_OPT_LEGACY_TOKEN},           \
	{"expect", required_argument, NULL, CLI_OPT_EXPECT},                       \
	{"edited-ns", required_argument, NULL, CLI_OPT_EDITED_NS}

#define CLI_EXPECT_MAX_VALUES 64

/* One value and where it came from ("--dkim-token" or "FILE:LINE:COL: dkim_token"). */
typedef struct cli_expect_value {
	int code;
	const char *value;    /* borrowed from argv or the cli_opts' config */
	char where[160];
} cli_expect_value;

typedef struct cli_expect_args {
	cli_expect_value values[CLI_EXPECT_MAX_VALUES]; /* in the order given */
	size_t n;
} cli_expect_args;

/* The usage lines of the flags above. */
void cli_expect_usage(FILE *fp);

/* Collects one expectation flag (a cli_own_fn step): 1 when code is one of them and was
 * kept, 0 when code is not an expectation flag, -1 after printing an error. */
int cli_expect_collect(cli_expect_args *a, const char *cmd, int code, const char *where,
                       const char *arg);

/* Applies the SES identity JSON first, then the flags in order, to e. Returns 0, or -1
 * after printing the error with the flag (or the file, line and column) at fault. */
int cli_expect_apply(const cli_expect_args *a, const char *cmd, dnsvet_expect *e);

#endif
