/*
 * Options every network command shares (check, records, trace, audit): parsing of the
 * command line and of a --config YAML file, and their translation into
 * dnsvet_session_opts.
 *
 * A command describes its own options in a cli_cmd; cli_parse() reads the common ones into
 * a cli_opts and hands the command's own to its callback, from the command line and from
 * the config file alike (config keys are the long option names with '-' written '_').
 * Flags on the command line win over the config file; repeatable options add up.
 *
 * The shape of cli_opts is relied on by every command: extend it, do not reorder or
 * repurpose its fields.
 */
#ifndef DNSVET_CLI_OPTIONS_H
#define DNSVET_CLI_OPTIONS_H

#include <getopt.h>
#include <stdio.h>
#include <dnsvet/node.h>
#include <dnsvet/session.h>

/* Process exit statuses of every command (documented in dnsvet(1)). */
#define CLI_EXIT_OK       0 /* ready or pending, or the command did what was asked */
#define CLI_EXIT_PROBLEM  1 /* broken or unknown: the domain cannot be shown to work */
#define CLI_EXIT_USAGE    2 /* bad flag, bad input file, bad configuration */
#define CLI_EXIT_INTERNAL 3 /* the check could not run (out of memory, a bug, ...) */

#define CLI_MAX_RULES_DIRS 32

/* Codes of the common long options; a command's own options use other codes (below 256
 * or from CLI_OPT_OWN up). */
enum {
	CLI_OPT_ROOT_HINTS = 256,
	CLI_OPT_RESOLVERS,
	CLI_OPT_CONFIG,
	CLI_OPT_RULES_DIR,
	CLI_OPT_SELECT,
	CLI_OPT_TIMEOUT,
	CLI_OPT_BUDGET,
	CLI_OPT_RECORD,
	CLI_OPT_REPLAY,
	CLI_OPT_FORMAT,
	CLI_OPT_OUTPUT,
	CLI_OPT_NO_COLOR,
	CLI_OPT_QUIET,
	CLI_OPT_VERBOSE,
	CLI_OPT_LAB,
	CLI_OPT_HELP,
	CLI_OPT_OWN = 512
};

typedef struct cli_opts {
	const char *root_hints;     /* --root-hints FILE */
	const char *resolvers;      /* --resolvers LIST|FILE ("none": no sampling) */
	const char *config;         /* --config FILE */
	const char *rules_dirs[CLI_MAX_RULES_DIRS]; /* --rules-dir DIR, repeatable */
	size_t n_rules_dirs;
	const char *select;         /* --select EXPR */
	unsigned timeout_ms;        /* --timeout DURATION; 0: the library's default */
	unsigned budget;            /* --budget N queries per domain; 0: the default */
	const char *record;         /* --record FILE */
	const char *replay;         /* --replay FILE */
	const char *format;         /* --format NAME, one of the command's formats; NULL: auto */
	const char *output;         /* --output FILE; NULL: stdout */
	int no_color;               /* --no-color */
	int verbosity;              /* -q: -1, default 0, -v: 1 */
	int lab;                    /* --lab: loopback and private servers count as public */

	/* Private: the parsed config file and the text of its numeric values; the strings
	 * above (and those handed to a command's callback) may point into them. */
	dnsvet_node *config_tree;
	dnsvet_node *config_text;
} cli_opts;

/*
 * A command's own options. handle is called for each of them with its code, where the
 * value came from ("--dkim-token", or "FILE:LINE:COL: dkim_token" for the config file),
 * and the argument (NULL for options without one; config booleans set to false are not
 * passed), valid until cli_opts_free. It returns 0, or prints a message naming `where`
 * and returns -1.
 */
typedef int (*cli_own_fn)(void *ctx, int code, const char *where, const char *arg);

typedef struct cli_cmd {
	const char *name;              /* "check": messages read "dnsvet check: ..." */
	const struct option *own;      /* NULL-terminated; NULL: none */
	const char *own_short;         /* getopt letters of own options; NULL: none */
	cli_own_fn handle;
	void *ctx;
	void (*usage)(FILE *fp);       /* the whole --help text */
	const char *const *formats;    /* NULL-terminated names --format accepts */
} cli_cmd;

/* Result of cli_parse: go on, stop with status 0 (--help printed), stop with status 2. */
typedef enum cli_parse_result {
	CLI_PARSE_OK = 0,
	CLI_PARSE_DONE,
	CLI_PARSE_USAGE
} cli_parse_result;

/* The usage lines of the common options, for a command's --help. */
void cli_opts_usage(FILE *fp);

/*
 * Parses argv (argv[0] is the command's name): common options into *o, the command's own
 * through cmd->handle, the config file given by --config. On CLI_PARSE_OK *first_arg is
 * the index of the first operand. Errors are printed to stderr, naming the flag or the
 * config file's line and column. Free *o with cli_opts_free whatever the result.
 */
cli_parse_result cli_parse(const cli_cmd *cmd, int argc, char **argv, cli_opts *o,
                           int *first_arg);
void cli_opts_free(cli_opts *o);

/* Fills *so from *o: defaults, then the options given. Strings are borrowed from *o. The
 * log callback prints library messages to stderr according to -q/-v. */
void cli_opts_session(const cli_opts *o, dnsvet_session_opts *so);

/*
 * A session from the options: root hints, resolvers and rule directories are checked
 * first so that errors name the flag. Returns CLI_EXIT_OK with *out set (caller frees with
 * dnsvet_session_free), or the exit status after printing the error. The session's log
 * callback keeps a pointer to o.
 */
int cli_session_new(const cli_cmd *cmd, const cli_opts *o, dnsvet_session **out);

/* Prints a library message to stderr if the verbosity allows it; user is the cli_opts. */
void cli_log(void *user, dnsvet_log_level level, const char *message);

/* 1 when --resolvers names a file rather than a list of addresses. */
int cli_resolvers_is_file(const char *value);

/*
 * Where the report goes: --output FILE (created or truncated) or stdout. *color says
 * whether escape codes may be used: only on a terminal, never with NO_COLOR set or
 * --no-color. Returns NULL after printing an error naming --output. Close with
 * cli_output_close.
 */
FILE *cli_output_open(const cli_cmd *cmd, const cli_opts *o, int *is_tty, int *color);
/* Closes an --output file (not stdout); 0, or -1 after printing a write error. */
int cli_output_close(const cli_cmd *cmd, const cli_opts *o, FILE *fp);

/* The format to use: --format when given, else `tty_default` when the report goes to a
 * terminal and `pipe_default` otherwise. */
const char *cli_format(const cli_opts *o, int is_tty, const char *tty_default,
                       const char *pipe_default);

#endif
