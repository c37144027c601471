/* Common options of the network commands: command line, --config file, session options. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <dnsvet/engine.h>
#include "cli/options.h"

#define MAX_LONGOPTS 96
#define WHERE_LEN 600

static const struct option common_opts[] = {
	{"root-hints", required_argument, NULL, CLI_OPT_ROOT_HINTS},
	{"resolvers", required_argument, NULL, CLI_OPT_RESOLVERS},
	{"config", required_argument, NULL, CLI_OPT_CONFIG},
	{"rules-dir", required_argument, NULL, CLI_OPT_RULES_DIR},
	{"select", required_argument, NULL, CLI_OPT_SELECT},
	{"timeout", required_argument, NULL, CLI_OPT_TIMEOUT},
	{"budget", required_argument, NULL, CLI_OPT_BUDGET},
	{"record", required_argument, NULL, CLI_OPT_RECORD},
	{"replay", required_argument, NULL, CLI_OPT_REPLAY},
	{"format", required_argument, NULL, CLI_OPT_FORMAT},
	{"output", required_argument, NULL, CLI_OPT_OUTPUT},
	{"no-color", no_argument, NULL, CLI_OPT_NO_COLOR},
	{"quiet", no_argument, NULL, CLI_OPT_QUIET},
	{"verbose", no_argument, NULL, CLI_OPT_VERBOSE},
	{"lab", no_argument, NULL, CLI_OPT_LAB},
	{"help", no_argument, NULL, CLI_OPT_HELP},
	{NULL, 0, NULL, 0}
};

/* Short forms of common options: letter and long code. */
static const struct {
	int letter;
	int code;
} common_short[] = {
	{'o', CLI_OPT_OUTPUT}, {'q', CLI_OPT_QUIET}, {'v', CLI_OPT_VERBOSE}, {'h', CLI_OPT_HELP},
	{'r', CLI_OPT_RULES_DIR}, {'s', CLI_OPT_SELECT},
};

void cli_opts_usage(FILE *fp)
{
	fprintf(fp,
	        "common options:\n"
	        "      --root-hints FILE    start from the root servers in FILE (named.root format)\n"
	        "      --resolvers LIST|FILE  resolvers to sample: addresses separated by commas\n"
	        "                           (\"127.0.0.1@5353\", \"[::1]:53\"), a file of them, or none\n"
	        "      --config FILE        read these options from a YAML file (keys: option names\n"
	        "                           with '_' for '-'); flags win over the file\n"
	        "  -r, --rules-dir DIR      also load the rules in DIR (repeatable)\n"
	        "  -s, --select EXPR        only these rules ('ses and not dmarc', 'record.*')\n"
	        "      --timeout DURATION   first-try timeout of each query (2s, 500ms; default 1s)\n"
	        "      --budget N           at most N queries per domain\n"
	        "      --record FILE        save what was observed (YAML) for --replay\n"
	        "      --replay FILE        diagnose from a recording instead of the network\n"
	        "      --format NAME        output format (see above)\n"
	        "  -o, --output FILE        write the output to FILE instead of stdout\n"
	        "      --no-color           no colour (also when NO_COLOR is set)\n"
	        "  -q, --quiet              print no warnings or notices on stderr\n"
	        "  -v, --verbose            also print debug messages on stderr\n"
	        "      --lab                accept loopback and private server addresses\n"
	        "  -h, --help               this text\n");
}

/* Levenshtein distance, enough for "did you mean" on option names. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];

	if (la >= 64 || lb >= 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The option name as a config key: '-' becomes '_'. */
static void key_of(const char *name, char *buf, size_t size)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < size; i++)
		buf[i] = name[i] == '-' ? '_' : name[i];
	buf[i] = '\0';
}

/* The closest long option name to `word` (as a config key when `as_key`), or NULL when
 * none is close enough to be a likely typo. */
static const char *closest_name(const struct option *all, const char *word, int as_key,
                                char *buf, size_t size)
{
	size_t best = SIZE_MAX;

	for (size_t i = 0; all[i].name; i++) {
		char k[64];
		size_t d;

		if (as_key)
			key_of(all[i].name, k, sizeof(k));
		else
			snprintf(k, sizeof(k), "%s", all[i].name);
		d = edit_distance(word, k);
		if (d < best) {
			best = d;
			snprintf(buf, size, "%s", k);
		}
	}
	if (best == SIZE_MAX || (best > 2 && best * 3 > strlen(word)))
		return NULL;
	return buf;
}

static size_t merge_options(const cli_cmd *cmd, struct option *out)
{
	size_t n = 0;

	for (size_t i = 0; common_opts[i].name; i++)
		out[n++] = common_opts[i];
	for (size_t i = 0; cmd->own && cmd->own[i].name && n + 1 < MAX_LONGOPTS; i++)
		out[n++] = cmd->own[i];
	memset(&out[n], 0, sizeof(out[n]));
	return n;
}

/* Duration: "2s", "500ms", "1.5" (seconds). */
static int parse_duration(const char *text, unsigned *ms)
{
	char *end;
	double v, scale = 1000.0;

	errno = 0;
	v = strtod(text, &end);
	if (end == text || errno || !isfinite(v))
		return -1;
	if (strcmp(end, "ms") == 0)
		scale = 1.0;
	else if (strcmp(end, "s") != 0 && *end != '\0')
		return -1;
	v *= scale;
	if (v < 1.0 || v > 600000.0)
		return -1;
	*ms = (unsigned)v;
	return 0;
}

static int parse_count(const char *text, unsigned *out)
{
	char *end;
	unsigned long v;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (*end || errno || v == 0 || v > 100000000UL)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int format_known(const cli_cmd *cmd, const char *name)
{
	for (size_t i = 0; cmd->formats && cmd->formats[i]; i++)
		if (strcmp(cmd->formats[i], name) == 0)
			return 1;
	return 0;
}

static void format_choices(const cli_cmd *cmd, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; cmd->formats && cmd->formats[i]; i++) {
		size_t len = strlen(buf);

		snprintf(buf + len, size - len, "%s%s", i ? ", " : "", cmd->formats[i]);
	}
}

static int empty_value(const cli_cmd *cmd, const char *where, const char *arg)
{
	if (arg && *arg)
		return 0;
	fprintf(stderr, "dnsvet %s: %s: the value is empty\n", cmd->name, where);
	return -1;
}

/* One common option's value, from a flag or the config file. */
static int apply_common(const cli_cmd *cmd, cli_opts *o, int code, const char *where,
                        const char *arg)
{
	char choices[256];

	switch (code) {
	case CLI_OPT_ROOT_HINTS:
		if (empty_value(cmd, where, arg))
			return -1;
		o->root_hints = arg;
		return 0;
	case CLI_OPT_RESOLVERS:
		if (empty_value(cmd, where, arg))
			return -1;
		o->resolvers = arg;
		return 0;
	case CLI_OPT_CONFIG:
		o->config = arg;
		return 0;
	case CLI_OPT_RULES_DIR:
		if (empty_value(cmd, where, arg))
			return -1;
		if (o->n_rules_dirs == CLI_MAX_RULES_DIRS) {
			fprintf(stderr, "dnsvet %s: %s: at most %d rule directories\n", cmd->name,
			        where, CLI_MAX_RULES_DIRS);
			return -1;
		}
		o->rules_dirs[o->n_rules_dirs++] = arg;
		return 0;
	case CLI_OPT_SELECT:
		/* an empty selection would silently run every rule */
		if (empty_value(cmd, where, arg))
			return -1;
		o->select = arg;
		return 0;
	case CLI_OPT_TIMEOUT:
		if (parse_duration(arg, &o->timeout_ms) == 0)
			return 0;
		fprintf(stderr, "dnsvet %s: %s: '%s' is not a duration between 1ms and 600s "
		        "(e.g. 2s, 500ms, 1.5)\n", cmd->name, where, arg);
		return -1;
	case CLI_OPT_BUDGET:
		if (parse_count(arg, &o->budget) == 0)
			return 0;
		fprintf(stderr, "dnsvet %s: %s: '%s' is not a number of queries (1 to 100000000)\n",
		        cmd->name, where, arg);
		return -1;
	case CLI_OPT_RECORD:
		if (empty_value(cmd, where, arg))
			return -1;
		o->record = arg;
		return 0;
	case CLI_OPT_REPLAY:
		if (empty_value(cmd, where, arg))
			return -1;
		o->replay = arg;
		return 0;
	case CLI_OPT_FORMAT:
		if (format_known(cmd, arg)) {
			o->format = arg;
			return 0;
		}
		format_choices(cmd, choices, sizeof(choices));
		fprintf(stderr, "dnsvet %s: %s: unknown format '%s' (one of: %s)\n", cmd->name,
		        where, arg, choices);
		return -1;
	case CLI_OPT_OUTPUT:
		if (empty_value(cmd, where, arg))
			return -1;
		o->output = arg;
		return 0;
	case CLI_OPT_NO_COLOR:
		o->no_color = 1;
		return 0;
	case CLI_OPT_QUIET:
		o->verbosity = -1;
		return 0;
	case CLI_OPT_VERBOSE:
		o->verbosity = 1;
		return 0;
	case CLI_OPT_LAB:
		o->lab = 1;
		return 0;
	default:
		return cmd->handle ? cmd->handle(cmd->ctx, code, where, arg) : -1;
	}
}

/* The plain scalar at v's mark in the config text, as written: a number printed back
 * from its parsed value would quote 1e+23 for a too-large 100000000000000000000000. */
static void raw_scalar(const char *text, const dnsvet_node *v, char *buf, size_t size)
{
	dnsvet_node_mark m = dnsvet_node_mark_of(v);
	const char *p = text;

	for (unsigned line = 1; line < m.line && (p = strchr(p, '\n')); line++)
		p++;
	for (unsigned col = 1; p && col < m.column && *p && *p != '\n'; col++)
		p++;
	if (!p)
		p = "";
	snprintf(buf, size, "%.*s", (int)strcspn(p, " \t\r\n,]}#"), p);
}

/* A scalar config value as option text; numbers as written in the file, kept in o. */
static const char *scalar_text(cli_opts *o, const char *text, const dnsvet_node *v)
{
	char buf[64];

	switch (dnsvet_node_type_of(v)) {
	case DNSVET_NODE_STRING:
		return dnsvet_node_string(v);
	case DNSVET_NODE_INT:
	case DNSVET_NODE_DOUBLE:
		raw_scalar(text, v, buf, sizeof(buf));
		break;
	default:
		return NULL;
	}
	if (!o->config_text && !(o->config_text = dnsvet_node_new_list()))
		return NULL;
	if (dnsvet_node_list_append_string(o->config_text, buf) != DNSVET_OK)
		return NULL;
	return dnsvet_node_string(dnsvet_node_list_at(o->config_text,
	                                              dnsvet_node_size(o->config_text) - 1));
}

static void where_of(char *buf, const char *file, const dnsvet_node *n, const char *key)
{
	dnsvet_node_mark m = dnsvet_node_mark_of(n);

	snprintf(buf, WHERE_LEN, "%s:%u:%u: %s", file, m.line, m.column, key);
}

/* A resolver list or file from the config file, checked here so that an error names the
 * key's line and column: found only when the session is made, it could name --resolvers
 * only. */
static int config_resolvers(const cli_cmd *cmd, const char *where, const char *arg)
{
	dnsvet_addrlist *l = NULL;
	char err[512];
	const char *reason = err;
	dnsvet_status st;

	if (!*arg || strcmp(arg, "none") == 0)
		return 0;
	if (cli_resolvers_is_file(arg)) {
		st = dnsvet_resolvers_load(arg, 53, &l, err, sizeof(err));
	} else {
		/* no origin: the error reads ":LINE: reason", and where names the place */
		st = dnsvet_resolvers_parse(arg, "", 53, &l, err, sizeof(err));
		if (st != DNSVET_OK && strstr(err, ": "))
			reason = strstr(err, ": ") + 2;
	}
	dnsvet_addrlist_free(l);
	if (st == DNSVET_OK)
		return 0;
	fprintf(stderr, "dnsvet %s: %s: %s\n", cmd->name, where, reason);
	return -1;
}

/* One value of a config setting (an item of a list, or the whole value). */
static int config_value(const cli_cmd *cmd, cli_opts *o, const struct option *opt,
                        const char *text, const char *key, const dnsvet_node *v)
{
	char where[WHERE_LEN];
	const char *value;

	where_of(where, o->config, v, key);
	if (opt->has_arg == no_argument) {
		if (dnsvet_node_type_of(v) != DNSVET_NODE_BOOL) {
			fprintf(stderr, "dnsvet %s: %s: expected true or false\n", cmd->name, where);
			return -1;
		}
		return dnsvet_node_bool(v, 0) ? apply_common(cmd, o, opt->val, where, NULL) : 0;
	}
	value = scalar_text(o, text, v);
	if (!value) {
		fprintf(stderr, "dnsvet %s: %s: expected a string or a number\n", cmd->name, where);
		return -1;
	}
	if (opt->val == CLI_OPT_RESOLVERS && config_resolvers(cmd, where, value))
		return -1;
	return apply_common(cmd, o, opt->val, where, value);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	struct stat sb;

	if (!fp)
		return NULL;
	/* a directory opens, and reading it fails with a vaguer error than this one */
	if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(fp);
		errno = EISDIR;
		return NULL;
	}
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *p = realloc(buf, cap = cap * 2 + 8192);

			if (!p) {
				free(buf);
				fclose(fp);
				errno = ENOMEM;
				return NULL;
			}
			buf = p;
		}
		size_t got = fread(buf + n, 1, 4096, fp);

		n += got;
		if (got < 4096)
			break;
	}
	if (ferror(fp)) {
		free(buf);
		fclose(fp);
		errno = EIO;
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Where a key stands in the config text: the tree marks values only, so the key is the
 * last occurrence of its text before its value. Falls back to the value's mark. */
static void key_where(char *buf, const char *file, const char *text, const char *key,
                      const dnsvet_node *value)
{
	dnsvet_node_mark m = dnsvet_node_mark_of(value);
	unsigned line = 1, col = 1, kline = m.line, kcol = m.column;
	size_t klen = strlen(key);
	const char *end = text;

	while (*end && (line < m.line || (line == m.line && col < m.column))) {
		if (*end++ == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	for (const char *p = end; klen && p - text >= (ptrdiff_t)klen; p--) {
		if (memcmp(p - klen, key, klen) != 0)
			continue;
		kline = 1;
		kcol = 1;
		for (const char *q = text; q < p - klen; q++) {
			if (*q == '\n') {
				kline++;
				kcol = 1;
			} else {
				kcol++;
			}
		}
		break;
	}
	snprintf(buf, WHERE_LEN, "%s:%u:%u: %s", file, kline, kcol, key);
}

/* Options that may be given more than once, so a config list of them adds up. cli_cmd
 * does not say which of a command's own options repeat; these are the ones that do. */
static int repeatable(const struct option *opt)
{
	static const char *const names[] = {"rules-dir", "dkim-token", "expect", "edited-ns",
	                                    NULL};

	for (size_t i = 0; names[i]; i++)
		if (strcmp(opt->name, names[i]) == 0)
			return 1;
	return 0;
}

static int load_config(const cli_cmd *cmd, cli_opts *o, const struct option *all)
{
	dnsvet_node_error err;
	const dnsvet_node *root;
	size_t len = 0;
	char *text = read_file(o->config, &len);
	int rc = -1;

	if (!text) {
		fprintf(stderr, "dnsvet %s: --config: cannot read '%s': %s\n", cmd->name, o->config,
		        strerror(errno));
		return -1;
	}
	if (dnsvet_node_parse_yaml(text, len, o->config, &o->config_tree, &err) != DNSVET_OK) {
		fprintf(stderr, "dnsvet %s: --config: %s\n", cmd->name, err.message);
		goto out;
	}
	root = o->config_tree;
	if (dnsvet_node_type_of(root) == DNSVET_NODE_NULL) {
		rc = 0;
		goto out;
	}
	if (dnsvet_node_type_of(root) != DNSVET_NODE_MAP) {
		dnsvet_node_mark m = dnsvet_node_mark_of(root);

		fprintf(stderr, "dnsvet %s: %s:%u:%u: expected a map of settings (option: value)\n",
		        cmd->name, o->config, m.line, m.column);
		goto out;
	}
	for (size_t i = 0; i < dnsvet_node_size(root); i++) {
		const char *key = dnsvet_node_map_key_at(root, i);
		const dnsvet_node *v = dnsvet_node_map_value_at(root, i);
		const struct option *opt = NULL;
		char where[WHERE_LEN], k[64], near[64];

		for (size_t j = 0; all[j].name && !opt; j++) {
			key_of(all[j].name, k, sizeof(k));
			if (strcmp(k, key) == 0)
				opt = &all[j];
		}
		if (!opt || opt->val == CLI_OPT_CONFIG || opt->val == CLI_OPT_HELP) {
			key_where(where, o->config, text, key, v);
			if (opt)
				fprintf(stderr, "dnsvet %s: %s: not a setting for a config file\n",
				        cmd->name, where);
			else if (closest_name(all, key, 1, near, sizeof(near)))
				fprintf(stderr, "dnsvet %s: %s: unknown setting '%s' (did you mean '%s'?)\n",
				        cmd->name, where, key, near);
			else
				fprintf(stderr, "dnsvet %s: %s: unknown setting '%s'\n", cmd->name,
				        where, key);
			goto out;
		}
		if (dnsvet_node_type_of(v) == DNSVET_NODE_LIST && !repeatable(opt)) {
			/* each item would replace the one before: only the last would count */
			where_of(where, o->config, v, key);
			fprintf(stderr, "dnsvet %s: %s: expected one value, not a list (the option is "
			        "not repeatable)\n", cmd->name, where);
			goto out;
		}
		if (dnsvet_node_type_of(v) == DNSVET_NODE_LIST) {
			for (size_t j = 0; j < dnsvet_node_size(v); j++)
				if (config_value(cmd, o, opt, text, key, dnsvet_node_list_at(v, j)))
					goto out;
		} else if (config_value(cmd, o, opt, text, key, v)) {
			goto out;
		}
	}
	rc = 0;
out:
	free(text);
	return rc;
}

static void short_string(const cli_cmd *cmd, char *buf, size_t size)
{
	/* ':' first: a missing value is reported as such, not as an unknown option. */
	snprintf(buf, size, ":o:qvhr:s:%s", cmd->own_short ? cmd->own_short : "");
}

static int short_code(int c)
{
	for (size_t i = 0; i < sizeof(common_short) / sizeof(common_short[0]); i++)
		if (common_short[i].letter == c)
			return common_short[i].code;
	return c;
}

/* The flag as the user wrote it: "--timeout", "-o". */
static void flag_name(const struct option *all, int longidx, int c, char *buf, size_t size)
{
	if (longidx >= 0)
		snprintf(buf, size, "--%s", all[longidx].name);
	else
		snprintf(buf, size, "-%c", c);
}

static void unknown_option(const cli_cmd *cmd, const struct option *all, const char *arg)
{
	char near[64], word[64], found[512] = "";
	const char *eq;
	size_t n = 0;

	if (strncmp(arg, "--", 2) == 0) {
		eq = strchr(arg, '=');
		snprintf(word, sizeof(word), "%.*s", (int)(eq ? (size_t)(eq - arg - 2) : strlen(arg + 2)),
		         arg + 2);
		/* getopt refuses an abbreviation of several options the same way as a typo */
		for (size_t i = 0; word[0] && all[i].name; i++) {
			size_t len = strlen(found);

			if (strncmp(all[i].name, word, strlen(word)) == 0)
				snprintf(found + len, sizeof(found) - len, "%s--%s", n++ ? ", " : "",
				         all[i].name);
		}
		if (n > 1) {
			fprintf(stderr, "dnsvet %s: ambiguous option '--%s' (could be %s)\n", cmd->name,
			        word, found);
			return;
		}
		if (closest_name(all, word, 0, near, sizeof(near))) {
			fprintf(stderr, "dnsvet %s: unknown option '--%s' (did you mean '--%s'?)\n",
			        cmd->name, word, near);
			return;
		}
	}
	if (optopt > 0 && optopt < 256)
		fprintf(stderr, "dnsvet %s: unknown option '-%c'\n", cmd->name, optopt);
	else
		fprintf(stderr, "dnsvet %s: unknown option '%s'\n", cmd->name, arg);
}

cli_parse_result cli_parse(const cli_cmd *cmd, int argc, char **argv, cli_opts *o,
                           int *first_arg)
{
	struct option all[MAX_LONGOPTS];
	char shorts[128], where[64];
	char **scan;
	int c, longidx;

	memset(o, 0, sizeof(*o));
	merge_options(cmd, all);
	short_string(cmd, shorts, sizeof(shorts));
	opterr = 0;

	/* First pass: only --help and --config, so that flags can win over the file. It
	 * scans a copy: getopt reorders what it scans, and a flag missing its value at the end
	 * would take the operand moved behind it on the second pass. */
	scan = calloc((size_t)argc + 1, sizeof(*scan));
	if (!scan) {
		fprintf(stderr, "dnsvet %s: out of memory\n", cmd->name);
		return CLI_PARSE_USAGE;
	}
	memcpy(scan, argv, (size_t)argc * sizeof(*scan));
	optind = 0;
	while ((c = getopt_long(argc, scan, shorts, all, NULL)) != -1) {
		c = short_code(c);
		if (c == CLI_OPT_HELP) {
			free(scan);
			cmd->usage(stdout);
			return CLI_PARSE_DONE;
		}
		if (c == CLI_OPT_CONFIG)
			o->config = optarg;
	}
	free(scan);
	if (o->config && load_config(cmd, o, all))
		return CLI_PARSE_USAGE;

	optind = 0;
	longidx = -1;
	while ((c = getopt_long(argc, argv, shorts, all, &longidx)) != -1) {
		if (c == '?') {
			unknown_option(cmd, all, argv[optind - 1]);
			fprintf(stderr, "'dnsvet %s --help' lists the options.\n", cmd->name);
			return CLI_PARSE_USAGE;
		}
		if (c == ':') {
			fprintf(stderr, "dnsvet %s: %s needs a value\n", cmd->name, argv[optind - 1]);
			return CLI_PARSE_USAGE;
		}
		flag_name(all, longidx, c, where, sizeof(where));
		longidx = -1;
		if (apply_common(cmd, o, short_code(c), where, optarg))
			return CLI_PARSE_USAGE;
	}
	if (o->record && o->replay) {
		fprintf(stderr, "dnsvet %s: --record and --replay cannot be used together\n",
		        cmd->name);
		return CLI_PARSE_USAGE;
	}
	*first_arg = optind;
	return CLI_PARSE_OK;
}

void cli_opts_free(cli_opts *o)
{
	dnsvet_node_free(o->config_tree);
	dnsvet_node_free(o->config_text);
	o->config_tree = NULL;
	o->config_text = NULL;
}

int cli_resolvers_is_file(const char *value)
{
	if (strcmp(value, "none") == 0)
		return 0;
	return strchr(value, '/') != NULL || access(value, F_OK) == 0;
}

FILE *cli_output_open(const cli_cmd *cmd, const cli_opts *o, int *is_tty, int *color)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	FILE *fp = stdout;

	*is_tty = 0;
	if (o->output) {
		fp = fopen(o->output, "w");
		if (!fp) {
			fprintf(stderr, "dnsvet %s: --output: cannot create '%s': %s\n", cmd->name,
			        o->output, strerror(errno));
			return NULL;
		}
	} else {
		*is_tty = isatty(STDOUT_FILENO);
	}
	*color = *is_tty && !o->no_color && !(no_color && *no_color) &&
	         !(term && strcmp(term, "dumb") == 0);
	return fp;
}

int cli_output_close(const cli_cmd *cmd, const cli_opts *o, FILE *fp)
{
	int failed = ferror(fp) != 0;

	if (fp == stdout)
		failed |= fflush(fp) != 0;
	else
		failed |= fclose(fp) != 0;
	if (failed) {
		fprintf(stderr, "dnsvet %s: cannot write %s: %s\n", cmd->name,
		        o->output ? o->output : "the output", strerror(errno));
		return -1;
	}
	return 0;
}

const char *cli_format(const cli_opts *o, int is_tty, const char *tty_default,
                       const char *pipe_default)
{
	if (o->format)
		return o->format;
	return is_tty ? tty_default : pipe_default;
}
