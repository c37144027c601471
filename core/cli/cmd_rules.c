/* dnsvet rules list | show ID | test [DIR|FILE...] | doc: the rule catalogue and its fixtures. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dnsvet/rules.h>
#include "cli/cli.h"
#include "cli/options.h"
#include "cli/safe_text.h"

#define MAX_DIRS 32

typedef struct rules_args {
	const char *dirs[MAX_DIRS];
	size_t ndirs;
	const char *select;
	const char *builtin;
	int no_builtin;
	int verbose;
	char **rest;
	int nrest;
	FILE *held;      /* rules test: what rules log during a fixture, shown after its line */
} rules_args;

static void rules_usage(FILE *fp)
{
	fprintf(fp,
	        "usage: dnsvet rules list [OPTIONS]\n"
	        "       dnsvet rules show [OPTIONS] ID\n"
	        "       dnsvet rules test [OPTIONS] [DIR|FIXTURE.yaml...]\n"
	        "       dnsvet rules doc [-o FILE] [OPTIONS]\n"
	        "\n"
	        "  list   every rule: id, severity, tags, title\n"
	        "  show   a rule's documentation: title, summary, doc, fix, references, tags\n"
	        "  test   run rule fixtures (default: the built-in rules' fixtures); a DIR is a\n"
	        "         rules directory whose rules are loaded over the built-in ones, or a\n"
	        "         rule's folder of fixtures; a fixture or fixture folder brings the\n"
	        "         rules directory it belongs to\n"
	        "  doc    the catalogue as markdown (docs/rules.md), to stdout or -o FILE\n"
	        "\n"
	        "options:\n"
	        "  -r, --rules-dir DIR   also load the rules in DIR (rules/<area>/<name>.lua);\n"
	        "                        a rule with a built-in's id replaces it (repeatable)\n"
	        "  -s, --select EXPR     only these rules: ids, globs, tags with and/or/not and\n"
	        "                        parentheses, e.g. 'ses and not dmarc', 'record.*'\n"
	        "      --builtin-dir DIR the built-in rules (default %s)\n"
	        "      --no-builtin      no built-in rules\n"
	        "  -v, --verbose         show every fixture's description and what its rules\n"
	        "                        logged: print() and replayed questions with no answer\n",
	        dnsvet_rules_default_dir());
}

static const struct option opts[] = {
		{"rules-dir", required_argument, NULL, 'r'},
		{"select", required_argument, NULL, 's'},
		{"builtin-dir", required_argument, NULL, 'B'},
		{"no-builtin", no_argument, NULL, 'N'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};

/* getopt's own message would be followed by the whole usage; this names the option the
 * way the other commands do, and lists the candidates of an ambiguous abbreviation. */
static void bad_option(const char *sub, const char *arg)
{
	char word[64], found[256] = "";
	size_t len, n = 0;

	if (strncmp(arg, "--", 2) == 0) {
		len = strcspn(arg + 2, "=");
		snprintf(word, sizeof(word), "%.*s", (int)len, arg + 2);
		for (size_t i = 0; opts[i].name; i++) {
			if (strncmp(opts[i].name, word, strlen(word)) != 0)
				continue;
			snprintf(found + strlen(found), sizeof(found) - strlen(found), "%s--%s",
			         n++ ? ", " : "", opts[i].name);
		}
		if (n > 1)
			fprintf(stderr, "dnsvet rules %s: ambiguous option '--%s' (could be %s)\n",
			        sub, word, found);
		else
			fprintf(stderr, "dnsvet rules %s: unknown option '--%s'\n", sub, word);
	} else if (optopt > 0 && optopt < 256) {
		fprintf(stderr, "dnsvet rules %s: unknown option '-%c'\n", sub, optopt);
	} else {
		fprintf(stderr, "dnsvet rules %s: unknown option '%s'\n", sub, arg);
	}
	fprintf(stderr, "'dnsvet rules --help' lists the options.\n");
}

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int parse_args(const char *sub, int argc, char **argv, rules_args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	optind = 1;
	opterr = 0;
	/* ':' first: a missing value is reported as such, not as an unknown option */
	while ((c = getopt_long(argc, argv, ":r:s:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (a->ndirs == MAX_DIRS) {
				fprintf(stderr, "dnsvet rules %s: at most %d rule directories\n", sub,
				        MAX_DIRS);
				return -1;
			}
			a->dirs[a->ndirs++] = optarg;
			break;
		case 's':
			a->select = optarg;
			break;
		case 'B':
			/* a missing built-in directory would list and test nothing, and pass */
			if (!is_dir(optarg)) {
				fprintf(stderr, "dnsvet rules %s: --builtin-dir: '%s' is not a directory\n",
				        sub, optarg);
				return -1;
			}
			a->builtin = optarg;
			break;
		case 'N':
			a->no_builtin = 1;
			break;
		case 'v':
			a->verbose = 1;
			break;
		case 'h':
			rules_usage(stdout);
			exit(0);
		case ':':
			fprintf(stderr, "dnsvet rules %s: %s needs a value\n", sub, argv[optind - 1]);
			return -1;
		default:
			bad_option(sub, argv[optind - 1]);
			return -1;
		}
	}
	a->rest = argv + optind;
	a->nrest = argc - optind;
	return 0;
}

static void log_print(void *user, const char *rule, const char *msg)
{
	rules_args *a = user;

	FILE *fp = a->held ? a->held : stderr;

	/* A rule's print() and replayed questions quote the fixture's DNS data. */
	fprintf(fp, "[%s] ", rule ? rule : "dnsvet");
	cli_fput_safe(fp, msg, 1);
	fputc('\n', fp);
}

static dnsvet_rules *load(rules_args *a, int show_problems)
{
	dnsvet_rules_opts o;
	dnsvet_rules *rules = NULL;
	char err[1024];
	dnsvet_status st;

	dnsvet_rules_opts_default(&o);
	o.builtin_dir = a->no_builtin ? "" : a->builtin;
	o.user_dirs = a->dirs;
	o.n_user_dirs = a->ndirs;
	if (a->verbose) {
		o.log = log_print;
		o.log_user = a;
	}
	st = dnsvet_rules_load(&o, &rules, err, sizeof(err));
	if (st) {
		fprintf(stderr, "dnsvet rules: %s\n", err[0] ? err : dnsvet_status_str(st));
		return NULL;
	}
	for (size_t i = 0; i < dnsvet_rules_notice_count(rules); i++)
		fprintf(stderr, "notice: %s\n", dnsvet_rules_notice_at(rules, i));
	if (show_problems)
		for (size_t i = 0; i < dnsvet_rules_problem_count(rules); i++)
			fprintf(stderr, "error: %s\n", dnsvet_rules_problem_at(rules, i));
	if (a->select) {
		st = dnsvet_rules_select(rules, a->select, err, sizeof(err));
		if (st) {
			fprintf(stderr, "dnsvet rules: --select '%s': %s\n", a->select, err);
			dnsvet_rules_free(rules);
			return NULL;
		}
	}
	return rules;
}

static int cmd_list(rules_args *a)
{
	dnsvet_rules *rules;
	size_t wid = 2, wtags = 4;

	if (a->nrest) {
		fprintf(stderr, "dnsvet rules list: unexpected argument '%s' "
		        "(usage: dnsvet rules list [OPTIONS])\n", a->rest[0]);
		return CLI_EXIT_USAGE;
	}
	rules = load(a, 1);
	if (!rules)
		return 2;
	for (size_t i = 0; i < dnsvet_rules_count(rules); i++) {
		const dnsvet_rule *r = dnsvet_rules_at(rules, i);
		size_t t = 0;

		if (!dnsvet_rule_is_selected(r))
			continue;
		if (strlen(dnsvet_rule_id(r)) > wid)
			wid = strlen(dnsvet_rule_id(r));
		for (size_t k = 0; k < dnsvet_rule_tag_count(r); k++)
			t += strlen(dnsvet_rule_tag_at(r, k)) + (k ? 1 : 0);
		if (t > wtags)
			wtags = t;
	}
	printf("%-*s  %-8s %-*s  %s\n", (int)wid, "ID", "SEVERITY", (int)wtags, "TAGS", "TITLE");
	for (size_t i = 0; i < dnsvet_rules_count(rules); i++) {
		const dnsvet_rule *r = dnsvet_rules_at(rules, i);
		char tags[512] = "";

		if (!dnsvet_rule_is_selected(r))
			continue;
		for (size_t k = 0; k < dnsvet_rule_tag_count(r); k++) {
			if (k)
				strncat(tags, ",", sizeof(tags) - strlen(tags) - 1);
			strncat(tags, dnsvet_rule_tag_at(r, k), sizeof(tags) - strlen(tags) - 1);
		}
		printf("%-*s  %-8s %-*s  %s%s\n", (int)wid, dnsvet_rule_id(r),
		       dnsvet_severity_str(dnsvet_rule_severity(r)), (int)wtags, tags,
		       dnsvet_rule_title(r), dnsvet_rule_is_builtin(r) ? "" : "  [user]");
	}
	int rc = dnsvet_rules_problem_count(rules) ? 1 : 0;

	dnsvet_rules_free(rules);
	return rc;
}

static void print_block(const char *text, const char *indent)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		printf("%s%.*s\n", len ? indent : "", (int)len, p);
		p += len + (nl ? 1 : 0);
	}
}

static int cmd_show(rules_args *a)
{
	dnsvet_rules *rules;
	const dnsvet_rule *r;

	if (a->nrest != 1) {
		fprintf(stderr, "usage: dnsvet rules show ID\n");
		return 2;
	}
	rules = load(a, 0);
	if (!rules)
		return 2;
	r = dnsvet_rules_find(rules, a->rest[0]);
	if (!r) {
		fprintf(stderr, "dnsvet rules show: no rule '%s' (see 'dnsvet rules list')\n",
		        a->rest[0]);
		for (size_t i = 0; i < dnsvet_rules_problem_count(rules); i++)
			if (strstr(dnsvet_rules_problem_at(rules, i), a->rest[0]))
				fprintf(stderr, "error: %s\n", dnsvet_rules_problem_at(rules, i));
		dnsvet_rules_free(rules);
		return CLI_EXIT_USAGE;
	}
	printf("%s — %s\n\n", dnsvet_rule_id(r), dnsvet_rule_title(r));
	printf("severity:  %s\n", dnsvet_severity_str(dnsvet_rule_severity(r)));
	printf("tags:      ");
	for (size_t k = 0; k < dnsvet_rule_tag_count(r); k++)
		printf("%s%s", k ? ", " : "", dnsvet_rule_tag_at(r, k));
	printf("\norder:     %d\nfile:      %s%s\n", dnsvet_rule_order(r), dnsvet_rule_file(r),
	       dnsvet_rule_is_builtin(r) ? "" : " (user rule)");
	if (dnsvet_rule_summary(r)) {
		printf("\n");
		print_block(dnsvet_rule_summary(r), "");
	}
	if (dnsvet_rule_doc(r)) {
		printf("\n");
		print_block(dnsvet_rule_doc(r), "");
	}
	if (dnsvet_rule_fix(r)) {
		printf("\nFix:\n");
		print_block(dnsvet_rule_fix(r), "  ");
	}
	if (dnsvet_rule_reference_count(r)) {
		printf("\nReferences:\n");
		for (size_t k = 0; k < dnsvet_rule_reference_count(r); k++)
			printf("  - %s\n", dnsvet_rule_reference_at(r, k));
	}
	dnsvet_rules_free(rules);
	return 0;
}

/* A rules directory (not a single fixture or a fixture folder) that is not the built-in
 * one is loaded over the built-ins, so its fixtures test its rules. */
static int is_other_rules_dir(const char *dir, const char *builtin)
{
	char rd[PATH_MAX], rb[PATH_MAX];
	size_t lb;

	if (!is_dir(dir) || !realpath(dir, rd))
		return 0;
	if (!builtin || !*builtin || !realpath(builtin, rb))
		return 1;
	lb = strlen(rb);
	return !(strncmp(rd, rb, lb) == 0 && (rd[lb] == '\0' || rd[lb] == '/'));
}

/* The rules directory holding the rule that a fixture file or fixture folder tests
 * (<root>/<area>/<name>/x.yaml tests <root>/<area>/<name>.lua): written to root, 0 if none. */
static int fixture_rules_root(const char *target, char *root, size_t len)
{
	char dir[PATH_MAX], rule[PATH_MAX + 8];
	struct stat st;
	char *slash;

	if (!realpath(target, dir))
		return 0;
	if (!is_dir(dir) && (slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	snprintf(rule, sizeof(rule), "%s.lua", dir);
	if (stat(rule, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	return snprintf(root, len, "%s/../..", dir) < (int)len;
}

/* Writes what the rules logged during the fixture just shown, under its line. */
static void show_held(rules_args *a)
{
	char line[4096];

	if (!a->held)
		return;
	rewind(a->held);
	while (fgets(line, sizeof(line), a->held))
		printf("     %s%s", line, strchr(line, '\n') ? "" : "\n");
	rewind(a->held);
	if (ftruncate(fileno(a->held), 0) != 0)
		fprintf(stderr, "dnsvet rules: %s\n", strerror(errno));
}

/* dir names the same directory as a --rules-dir or an earlier argument */
static int already_given(const rules_args *a, const char *dir)
{
	char rd[PATH_MAX], ro[PATH_MAX];

	if (!realpath(dir, rd))
		return 0;
	for (size_t i = 0; i < a->ndirs; i++)
		if (realpath(a->dirs[i], ro) && strcmp(rd, ro) == 0)
			return 1;
	return 0;
}

static int cmd_test(rules_args *a)
{
	char roots[MAX_DIRS][PATH_MAX + 8];
	size_t nroots = 0;
	dnsvet_rules *rules;
	dnsvet_rules_runner *runner = NULL;
	const char *builtin = a->no_builtin ? "" : a->builtin ? a->builtin : dnsvet_rules_default_dir();
	size_t passed = 0, failed = 0;
	dnsvet_status st;
	struct stat sb;

	/* a target that is not there is a mistyped argument, not a failing fixture */
	for (int i = 0; i < a->nrest; i++)
		if (stat(a->rest[i], &sb) != 0) {
			fprintf(stderr, "dnsvet rules test: '%s': %s\n", a->rest[i], strerror(errno));
			return CLI_EXIT_USAGE;
		}
	for (int i = 0; i < a->nrest; i++) {
		if (a->ndirs == MAX_DIRS)
			break;
		/* a fixture, or a rule's folder of fixtures, of a rules directory not loaded yet */
		if (fixture_rules_root(a->rest[i], roots[nroots], sizeof(roots[nroots]))) {
			if (is_other_rules_dir(roots[nroots], builtin) && !already_given(a, roots[nroots]))
				a->dirs[a->ndirs++] = roots[nroots++];
		} else if (is_other_rules_dir(a->rest[i], builtin) && !already_given(a, a->rest[i])) {
			a->dirs[a->ndirs++] = a->rest[i];
		}
	}
	rules = load(a, 0);
	if (!rules)
		return 2;
	if (a->verbose && !(a->held = tmpfile()))
		fprintf(stderr, "dnsvet rules: no temporary file for the rules' log: %s\n",
		        strerror(errno));
	for (size_t i = 0; i < dnsvet_rules_problem_count(rules); i++) {
		printf("FAIL %s\n", dnsvet_rules_problem_at(rules, i));
		failed++;
	}
	st = dnsvet_rules_runner_new(rules, &runner);
	if (st) {
		fprintf(stderr, "dnsvet rules: %s\n", dnsvet_status_str(st));
		dnsvet_rules_free(rules);
		return 2;
	}
	for (int i = 0; i < (a->nrest ? a->nrest : 1); i++) {
		const char *target = a->nrest ? a->rest[i] : builtin;
		char **paths = NULL;
		size_t n = 0;

		if (!*target)
			continue;
		st = dnsvet_rules_fixture_paths(target, &paths, &n);
		if (st) {
			printf("FAIL %s: %s\n", target, st == DNSVET_ERR_NOT_FOUND ? "no such file or directory"
			                                                          : dnsvet_status_str(st));
			failed++;
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			dnsvet_rules_fixture_result res;

			st = dnsvet_rules_fixture_run(runner, paths[k], &res);
			if (st) {
				printf("FAIL %s: %s\n", paths[k], dnsvet_status_str(st));
				failed++;
				continue;
			}
			if (res.passed) {
				passed++;
				printf("ok   %s\n", paths[k]);
				if (a->verbose && res.description)
					print_block(res.description, "       ");
				show_held(a);
			} else {
				failed++;
				printf("FAIL %s\n", paths[k]);
				if (res.description)
					print_block(res.description, "       ");
				if (res.report)
					cli_fput_safe(stdout, res.report, 1);
				show_held(a);
			}
			dnsvet_rules_fixture_result_clear(&res);
		}
		dnsvet_rules_fixture_paths_free(paths, n);
	}
	printf("%zu passed, %zu failed\n", passed, failed);
	if (a->held)
		fclose(a->held);
	dnsvet_rules_runner_free(runner);
	dnsvet_rules_free(rules);
	return failed ? 1 : 0;
}

/* ---- dnsvet rules doc: the catalogue as markdown, from the rules' own metadata ---- */

/* GitHub's heading anchor: lower case, punctuation other than '-' and '_' dropped. */
static void md_anchor(FILE *fp, const char *id)
{
	for (const char *p = id; *p; p++)
		if (isalnum((unsigned char)*p) || *p == '-' || *p == '_')
			fputc(tolower((unsigned char)*p), fp);
}

/* Lines [from, to) of text; a `strip` label at the start is removed and the sentence after
 * it capitalised ("Fix: add ..." under a "Fix" heading reads "Add ..."). */
static void md_lines(FILE *fp, const char *from, const char *to, const char *strip)
{
	size_t ls = strlen(strip);

	while (from < to) {
		const char *nl = memchr(from, '\n', (size_t)(to - from));
		const char *end = nl ? nl : to;

		if (ls && (size_t)(end - from) > ls && strncmp(from, strip, ls) == 0) {
			from += ls;
			fputc(toupper((unsigned char)*from++), fp);
		}
		fprintf(fp, "%.*s\n", (int)(end - from), from);
		from = end + (nl ? 1 : 0);
		strip = "";
		ls = 0;
	}
}

/* Start of the first line of text that begins with label, or NULL. */
static const char *md_find_line(const char *text, const char *label)
{
	size_t ll = strlen(label);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, label, ll) == 0)
			return p;
	return NULL;
}

static const char *md_trim_end(const char *from, const char *to)
{
	while (to > from && isspace((unsigned char)to[-1]))
		to--;
	return to;
}

static int cmp_rule_id(const void *a, const void *b)
{
	return strcmp(dnsvet_rule_id(*(const dnsvet_rule *const *)a),
	              dnsvet_rule_id(*(const dnsvet_rule *const *)b));
}

/* One section per rule; the doc text is split at its "Outcomes" and "Fix:" paragraphs. */
static void md_rule(FILE *fp, const dnsvet_rule *r)
{
	const char *doc = dnsvet_rule_doc(r) ? dnsvet_rule_doc(r) : "";
	const char *end = doc + strlen(doc);
	const char *out = md_find_line(doc, "Outcomes");
	const char *fix = md_find_line(doc, "Fix:");
	const char *file = dnsvet_rule_file(r), *rel = file + strlen(file);
	int slashes = 0;
	const char *what_end = out ? out : fix ? fix : end;

	/* rules/<area>/<name>.lua whatever directory the catalogue was loaded from */
	while (rel > file && slashes < 2)
		if (*--rel == '/')
			slashes++;
	rel += slashes == 2;

	fprintf(fp, "### %s\n\n**%s**\n\n", dnsvet_rule_id(r), dnsvet_rule_title(r));
	fprintf(fp, "| | |\n|---|---|\n| severity | %s |\n| tags | ",
	        dnsvet_severity_str(dnsvet_rule_severity(r)));
	for (size_t k = 0; k < dnsvet_rule_tag_count(r); k++)
		fprintf(fp, "%s`%s`", k ? ", " : "", dnsvet_rule_tag_at(r, k));
	fprintf(fp, " |\n| order | %d |\n| file | `rules/%s` |\n\n", dnsvet_rule_order(r), rel);
	if (dnsvet_rule_summary(r))
		fprintf(fp, "%s\n\n", dnsvet_rule_summary(r));
	if (md_trim_end(doc, what_end) > doc) {
		fprintf(fp, "#### What it checks\n\n");
		md_lines(fp, doc, md_trim_end(doc, what_end), "");
		fputc('\n', fp);
	}
	if (out) {
		const char *oend = md_trim_end(out, fix && fix > out ? fix : end);
		const char *body = strchr(out, '\n');

		fprintf(fp, "#### Outcomes\n\n");
		/* a bare "Outcomes:" line is the heading itself; "Outcomes (per server):" says more */
		if (body && strncmp(out, "Outcomes:\n", 10) == 0)
			md_lines(fp, body + 1, oend, "");
		else
			md_lines(fp, out, oend, "");
		fputc('\n', fp);
	}
	fprintf(fp, "#### Fix\n\n");
	if (fix)
		md_lines(fp, fix, md_trim_end(fix, out && out > fix ? out : end), "Fix: ");
	if (dnsvet_rule_fix(r))
		fprintf(fp, "%sThe finding says: %s\n", fix ? "\n" : "", dnsvet_rule_fix(r));
	if (dnsvet_rule_reference_count(r)) {
		fprintf(fp, "\n#### References\n\n");
		for (size_t k = 0; k < dnsvet_rule_reference_count(r); k++)
			fprintf(fp, "- %s\n", dnsvet_rule_reference_at(r, k));
	}
}

static int cmd_doc(int argc, char **argv)
{
	char **rest = calloc((size_t)argc + 1, sizeof(*rest));
	const char *output = NULL;
	const dnsvet_rule **list = NULL;
	dnsvet_rules *rules = NULL;
	rules_args a;
	int n = 0, rc = 2;
	size_t count = 0;
	FILE *fp = NULL;

	if (!rest)
		return 2;
	/* --output is this subcommand's own; the others are shared with list/show/test */
	for (int i = 0; i < argc; i++) {
		if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc)
			output = argv[++i];
		else if (strncmp(argv[i], "--output=", 9) == 0)
			output = argv[i] + 9;
		else if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) {
			fprintf(stderr, "dnsvet rules doc: %s needs a file name\n", argv[i]);
			goto done;
		} else
			rest[n++] = argv[i];
	}
	if (parse_args("doc", n, rest, &a))
		goto done;
	if (a.nrest) {
		fprintf(stderr, "dnsvet rules doc: unexpected argument '%s' "
		        "(usage: dnsvet rules doc [--output FILE] [OPTIONS])\n", a.rest[0]);
		goto done;
	}
	rules = load(&a, 1);
	if (!rules)
		goto done;
	if (dnsvet_rules_problem_count(rules)) {
		fprintf(stderr, "dnsvet rules doc: the catalogue has broken rules (above); not written\n");
		rc = 1;
		goto done;
	}
	list = calloc(dnsvet_rules_count(rules) + 1, sizeof(*list));
	if (!list)
		goto done;
	for (size_t i = 0; i < dnsvet_rules_count(rules); i++)
		if (dnsvet_rule_is_selected(dnsvet_rules_at(rules, i)))
			list[count++] = dnsvet_rules_at(rules, i);
	qsort(list, count, sizeof(*list), cmp_rule_id);
	fp = output ? fopen(output, "w") : stdout;
	if (!fp) {
		fprintf(stderr, "dnsvet rules doc: --output %s: %s\n", output, strerror(errno));
		goto done;
	}
	fprintf(fp, "# Rule catalogue\n\n"
	        "<!-- Generated by `dnsvet rules doc --output docs/rules.md` from the rules' own "
	        "metadata.\n     Edit the rules in rules/, then regenerate; the rules-doc test fails "
	        "while this file is stale. -->\n\n"
	        "Every diagnosis dnsvet makes comes from one rule: `rules/<area>/<name>.lua`, with its "
	        "fixtures in\n`rules/<area>/<name>/` (docs/rule-api.md). A rule's id is a stable "
	        "public name. Severities, most serious\nfirst: `error`, `warning`, "
	        "`notice`, `info`. Rules run in `order` (lower first),\nso the general ones "
	        "(record.missing, record.wrong_value) run after those that find a specific "
	        "cause.\nThe fix texts are templates: `{name}` is filled in from the finding.\n\n"
	        "| id | severity | title |\n|---|---|---|\n");
	for (size_t i = 0; i < count; i++) {
		fprintf(fp, "| [%s](#", dnsvet_rule_id(list[i]));
		md_anchor(fp, dnsvet_rule_id(list[i]));
		fprintf(fp, ") | %s | %s |\n", dnsvet_severity_str(dnsvet_rule_severity(list[i])),
		        dnsvet_rule_title(list[i]));
	}
	for (size_t i = 0; i < count; i++) {
		const char *id = dnsvet_rule_id(list[i]), *dot = strchr(id, '.');
		size_t al = dot ? (size_t)(dot - id) : strlen(id);
		const char *prev = i ? dnsvet_rule_id(list[i - 1]) : NULL;

		if (!prev || strncmp(prev, id, al) != 0 || (prev[al] != '.' && prev[al] != '\0'))
			fprintf(fp, "\n## %.*s\n", (int)al, id);
		fputc('\n', fp);
		md_rule(fp, list[i]);
	}
	rc = 0;
	/* output that cannot be written is the internal failure of every command, status 3 */
	if (fflush(fp) != 0 || ferror(fp)) {
		fprintf(stderr, "dnsvet rules doc: cannot write %s: %s\n",
		        output ? output : "the output", strerror(errno));
		rc = CLI_EXIT_INTERNAL;
	}
done:
	if (fp && fp != stdout && fclose(fp) != 0 && rc == 0) {
		fprintf(stderr, "dnsvet rules doc: cannot write %s: %s\n", output, strerror(errno));
		rc = CLI_EXIT_INTERNAL;
	}
	free(list);
	free(rest);
	dnsvet_rules_free(rules);
	return rc;
}

/* rc, or status 3 once the output cannot be written: a listing or a test run cut short
 * must not pass for a complete one. */
static int output_written(const char *sub, int rc)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	fprintf(stderr, "dnsvet rules %s: cannot write the output: %s\n", sub, strerror(errno));
	return CLI_EXIT_INTERNAL;
}

int cmd_rules(int argc, char **argv)
{
	rules_args a;
	const char *sub;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		rules_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	sub = argv[1];
	if (strcmp(sub, "doc") == 0)
		return cmd_doc(argc - 1, argv + 1);
	if (strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0 && strcmp(sub, "test") != 0) {
		fprintf(stderr, "dnsvet rules: unknown subcommand '%s'\n", sub);
		rules_usage(stderr);
		return 2;
	}
	if (parse_args(sub, argc - 1, argv + 1, &a))
		return 2;
	if (strcmp(sub, "list") == 0)
		return output_written(sub, cmd_list(&a));
	if (strcmp(sub, "show") == 0)
		return output_written(sub, cmd_show(&a));
	return output_written(sub, cmd_test(&a));
}
