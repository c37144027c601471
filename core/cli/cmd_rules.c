/* dnsvet rules list | show ID | test [DIR|FILE...]: the rule catalogue and its fixtures. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dnsvet/rules.h>
#include "cli/cli.h"

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
} rules_args;

static void rules_usage(FILE *fp)
{
	fprintf(fp,
	        "usage: dnsvet rules list [OPTIONS]\n"
	        "       dnsvet rules show [OPTIONS] ID\n"
	        "       dnsvet rules test [OPTIONS] [DIR|FIXTURE.yaml...]\n"
	        "\n"
	        "  list   every rule: id, severity, tags, title\n"
	        "  show   a rule's documentation: title, summary, doc, fix, references, tags\n"
	        "  test   run rule fixtures (default: the built-in rules' fixtures); a DIR is a\n"
	        "         rules directory whose rules are loaded over the built-in ones\n"
	        "\n"
	        "options:\n"
	        "  -r, --rules-dir DIR   also load the rules in DIR (rules/<area>/<name>.lua);\n"
	        "                        a rule with a built-in's id replaces it (repeatable)\n"
	        "  -s, --select EXPR     only these rules: ids, globs, tags with and/or/not and\n"
	        "                        parentheses, e.g. 'ses and not dmarc', 'record.*'\n"
	        "      --builtin-dir DIR the built-in rules (default %s)\n"
	        "      --no-builtin      no built-in rules\n"
	        "  -v, --verbose         show what rules print() and every fixture's description\n",
	        dnsvet_rules_default_dir());
}

static int parse_args(int argc, char **argv, rules_args *a)
{
	static const struct option opts[] = {
		{"rules-dir", required_argument, NULL, 'r'},
		{"select", required_argument, NULL, 's'},
		{"builtin-dir", required_argument, NULL, 'B'},
		{"no-builtin", no_argument, NULL, 'N'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	int c;

	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:s:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (a->ndirs == MAX_DIRS) {
				fprintf(stderr, "dnsvet rules: at most %d rule directories\n", MAX_DIRS);
				return -1;
			}
			a->dirs[a->ndirs++] = optarg;
			break;
		case 's':
			a->select = optarg;
			break;
		case 'B':
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
		default:
			rules_usage(stderr);
			return -1;
		}
	}
	a->rest = argv + optind;
	a->nrest = argc - optind;
	return 0;
}

static void log_print(void *user, const char *rule, const char *msg)
{
	(void)user;
	fprintf(stderr, "[%s] %s\n", rule ? rule : "dnsvet", msg);
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
	if (a->verbose)
		o.log = log_print;
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
	dnsvet_rules *rules = load(a, 1);
	size_t wid = 2, wtags = 4;

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
		fprintf(stderr, "dnsvet rules: no rule '%s' (see 'dnsvet rules list')\n", a->rest[0]);
		for (size_t i = 0; i < dnsvet_rules_problem_count(rules); i++)
			if (strstr(dnsvet_rules_problem_at(rules, i), a->rest[0]))
				fprintf(stderr, "error: %s\n", dnsvet_rules_problem_at(rules, i));
		dnsvet_rules_free(rules);
		return 1;
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

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
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

static int cmd_test(rules_args *a)
{
	dnsvet_rules *rules;
	dnsvet_rules_runner *runner = NULL;
	const char *builtin = a->no_builtin ? "" : a->builtin ? a->builtin : dnsvet_rules_default_dir();
	size_t passed = 0, failed = 0;
	dnsvet_status st;

	for (int i = 0; i < a->nrest; i++) {
		if (is_other_rules_dir(a->rest[i], builtin) && a->ndirs < MAX_DIRS)
			a->dirs[a->ndirs++] = a->rest[i];
	}
	rules = load(a, 0);
	if (!rules)
		return 2;
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
			} else {
				failed++;
				printf("FAIL %s\n", paths[k]);
				if (res.description)
					print_block(res.description, "       ");
				if (res.report)
					fputs(res.report, stdout);
			}
			dnsvet_rules_fixture_result_clear(&res);
		}
		dnsvet_rules_fixture_paths_free(paths, n);
	}
	printf("%zu passed, %zu failed\n", passed, failed);
	dnsvet_rules_runner_free(runner);
	dnsvet_rules_free(rules);
	return failed ? 1 : 0;
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
	if (parse_args(argc - 1, argv + 1, &a))
		return 2;
	if (strcmp(sub, "list") == 0)
		return cmd_list(&a);
	if (strcmp(sub, "show") == 0)
		return cmd_show(&a);
	if (strcmp(sub, "test") == 0)
		return cmd_test(&a);
	fprintf(stderr, "dnsvet rules: unknown subcommand '%s'\n", sub);
	rules_usage(stderr);
	return 2;
}
