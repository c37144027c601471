/*
 * `dnsvet rules list|show|test` as a user runs them: output lines, the fixture diff, the
 * closing count line and the exit status.
 *
 * argv[1]: the dnsvet program; argv[2]: tests/unit/rules; argv[3]: the built-in rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test_engine_check.h"

static const char *exe, *dir, *builtin;

typedef struct outcome {
	int status;
	char out[65536];
	char err[16384];
} outcome;

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "r");
	size_t n = 0;

	if (fp) {
		n = fread(buf, 1, len - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
}

/* Runs `dnsvet rules ARGS` (ARGS with %1 for the test rules directory, %2 for the built-in
 * one); stdout and stderr are kept apart. */
static void dnsvet(outcome *o, const char *args)
{
	char cmd[8192], expanded[4096], errpath[64];
	FILE *fp;
	size_t n = 0, k = 0;
	int st;

	for (const char *p = args; *p && k < sizeof(expanded) - 512; p++) {
		if (p[0] == '%' && (p[1] == '1' || p[1] == '2')) {
			k += (size_t)snprintf(expanded + k, sizeof(expanded) - k, "'%s'",
			                      p[1] == '1' ? dir : builtin);
			p++;
		} else {
			expanded[k++] = *p;
		}
	}
	expanded[k] = '\0';
	snprintf(errpath, sizeof(errpath), "/tmp/test_rules_cli.%d.err", (int)getpid());
	snprintf(cmd, sizeof(cmd), "'%s' rules %s 2>%s", exe, expanded, errpath);
	fp = popen(cmd, "r");
	if (!fp) {
		perror("popen");
		exit(2);
	}
	n = fread(o->out, 1, sizeof(o->out) - 1, fp);
	o->out[n] = '\0';
	st = pclose(fp);
	o->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	slurp(errpath, o->err, sizeof(o->err));
	remove(errpath);
}

/* A run's exit status and closing line ("N passed, N failed"). */
#define CHECK_RUN(o, st, last) do { \
	char l_[256]; \
	CHECK_EQ((o).status, st); \
	CHECK_STR(last_line((o).out, l_, sizeof(l_)), last); \
} while (0)

/* The last line of s (without its newline). */
static const char *last_line(const char *s, char *buf, size_t len)
{
	size_t n = strlen(s);
	const char *start;

	while (n && s[n - 1] == '\n')
		n--;
	start = s + n;
	while (start > s && start[-1] != '\n')
		start--;
	snprintf(buf, len, "%.*s", (int)(s + n - start), start);
	return buf;
}

static void test_fixtures(void)
{
	static outcome o;
	char want[1024];

	dnsvet(&o, "test --no-builtin %1/basic");
	snprintf(want, sizeof(want), "ok   %s/basic/t/report/shop.yaml\n", dir);
	CHECK_CONTAINS(o.out, want);
	CHECK_RUN(o, 0, "1 passed, 0 failed");

	/* a failing fixture: a diff of expected against found, a count, exit status 1 */
	dnsvet(&o, "test --no-builtin -r %1/basic %1/failing");
	snprintf(want, sizeof(want), "FAIL %s/failing/wrong.yaml\n", dir);
	CHECK_CONTAINS(o.out, want);
	CHECK_CONTAINS(o.out, "  --- expected\n  +++ found\n");
	CHECK_CONTAINS(o.out, "\n  - t.report warning tok2._domainkey.shop.test CNAME\n");
	CHECK_CONTAINS(o.out, "\n  - t.quiet tok3._domainkey.shop.test\n");
	CHECK_CONTAINS(o.out, "\n    t.report error tok2._domainkey.shop.test CNAME: "
	                      "tok2._domainkey.shop.test CNAME has no answer\n");
	CHECK_CONTAINS(o.out, "\n  + t.follow notice _dmarc.shop.test TXT: auth 2 ");
	CHECK_CONTAINS(o.out, "listed 2 same true  [listed as absent]\n");
	CHECK_RUN(o, 1, "0 passed, 1 failed");

	dnsvet(&o, "test --no-builtin -r %1/basic %1/basic %1/failing/wrong.yaml");
	CHECK_RUN(o, 1, "1 passed, 1 failed");

	/* rules that do not load are failures too, named with their file and field */
	dnsvet(&o, "test --no-builtin %1/broken");
	snprintf(want, sizeof(want), "FAIL %s/broken/b/unknown_key.lua: unknown field 'chekc'", dir);
	CHECK_CONTAINS(o.out, want);
	CHECK_RUN(o, 1, "0 passed, 9 failed");

	/* a rule failing inside a fixture run is shown as such */
	dnsvet(&o, "test --no-builtin -r %1/escape %1/basic/t/report/shop.yaml");
	CHECK_EQ(o.status, 1);
	CHECK_CONTAINS(o.out, "\n  + engine.rule_error error e.loop RULE: Rule e.loop (");
	CHECK_CONTAINS(o.out, "stopped: instruction budget exceeded");
	CHECK_CONTAINS(o.out, "[a rule failed]\n");

	/* a fixture, or a rule's folder of fixtures, given alone brings its rules directory */
	dnsvet(&o, "test --no-builtin %1/basic/t/report/shop.yaml");
	CHECK_RUN(o, 0, "1 passed, 0 failed");
	dnsvet(&o, "test --no-builtin %1/basic/t/report/");
	CHECK_RUN(o, 0, "1 passed, 0 failed");

	/* a replayed question missing from the recording is shown under its fixture's line with
	 * -v even when the rule catches the error */
	dnsvet(&o, "test -v --no-builtin -r %1/basic -r %1/unrecorded %1/basic/t/report/shop.yaml");
	snprintf(want, sizeof(want), "ok   %s/basic/t/report/shop.yaml\n", dir);
	CHECK_CONTAINS(o.out, want);
	CHECK_CONTAINS(o.out, "\n     [u.caught] replay: the recording has no answer to "
	                      "nothere.shop.test TXT from the authoritative servers");
	CHECK_RUN(o, 0, "1 passed, 0 failed");
	dnsvet(&o, "test --no-builtin -r %1/basic -r %1/unrecorded %1/basic/t/report/shop.yaml");
	CHECK(strstr(o.out, "nothere") == NULL && strstr(o.err, "nothere") == NULL);

	/* a user rule's notice on a record, made before the general record rules run, leaves
	 * them to report the record's fault */
	dnsvet(&o, "test --builtin-dir %2 %1/notice");
	CHECK_RUN(o, 0, "1 passed, 0 failed");

	/* a target that is not there is an input error, found before anything runs */
	dnsvet(&o, "test --no-builtin %1/basic %1/no-such-dir");
	CHECK_EQ(o.status, 2);
	CHECK_STR(o.out, "");
	CHECK_CONTAINS(o.err, "dnsvet rules test: '");
	CHECK_CONTAINS(o.err, "no-such-dir': No such file or directory\n");
}

static void test_list_show(void)
{
	static outcome o;

	dnsvet(&o, "list --builtin-dir %1/basic");
	CHECK_EQ(o.status, 0);
	CHECK_STR(o.out,
	          "ID         SEVERITY TAGS            TITLE\n"
	          "t.report   error    ses,dkim,test   Expected record not published\n"
	          "t.follow   notice   followup,dmarc  Follow-up\n"
	          "t.follow2  info     followup        Follow-up 2\n"
	          "t.data     info     helpers         Data and helpers\n"
	          "t.quiet    warning  ses,catchall    Catch-all\n");

	/* a user rule replacing a built-in: marked, with a notice */
	dnsvet(&o, "list --builtin-dir %1/basic -r %1/user -s 'ses or user'");
	CHECK_EQ(o.status, 0);
	CHECK_CONTAINS(o.out, "t.quiet   notice   user           Replaced catch-all  [user]\n");
	CHECK(strstr(o.out, "t.extra") == NULL);
	CHECK_CONTAINS(o.err, "notice: user rule ");
	CHECK_CONTAINS(o.err, "user/t/quiet.lua replaces built-in t.quiet (");

	dnsvet(&o, "list --no-builtin -r %1/broken");
	CHECK_EQ(o.status, 1);
	CHECK_CONTAINS(o.out, "b.ok  info           fine  [user]\n");
	CHECK_CONTAINS(o.err, "b/bad_severity.lua: field 'severity': expected one of error, "
	                      "warning, notice, info, got 'fatal'\n");

	dnsvet(&o, "list --builtin-dir %1/basic -s 'ses and'");
	CHECK_EQ(o.status, 2);
	CHECK_CONTAINS(o.err, "--select 'ses and': column 8: expected a rule id");
	dnsvet(&o, "list --builtin-dir %1/basic -s 'ses and nope'");
	CHECK_EQ(o.status, 2);
	CHECK_CONTAINS(o.err, "column 9: 'nope' matches no rule id and no tag");

	dnsvet(&o, "show --builtin-dir %1/basic t.report");
	CHECK_EQ(o.status, 0);
	CHECK_CONTAINS(o.out, "t.report — Expected record not published\n\n");
	CHECK_CONTAINS(o.out, "severity:  error\ntags:      ses, dkim, test\norder:     10\n");
	CHECK_CONTAINS(o.out, "\nTest rule: reports expected records without an answer.\n");
	CHECK_CONTAINS(o.out, "\nFix:\n  Publish {name} {type} {value} at {zone}.\n");

	dnsvet(&o, "show --builtin-dir %1/basic t.nope");
	CHECK_EQ(o.status, 2);
	CHECK_CONTAINS(o.err, "dnsvet rules show: no rule 't.nope'");

	/* the built-in catalogue: every rule listed, documentation shown */
	dnsvet(&o, "list --builtin-dir %2");
	CHECK_EQ(o.status, 0);
	CHECK_CONTAINS(o.out, "\nrecord.missing ");
	CHECK_CONTAINS(o.out, "\nengine.rule_error ");
	dnsvet(&o, "show --builtin-dir %2 record.missing");
	CHECK_EQ(o.status, 0);
	CHECK_CONTAINS(o.out, "record.missing — ");
	CHECK_CONTAINS(o.out, "\nFix:\n");
}

/* Bad arguments are usage errors (2) naming what is wrong, in one message and a hint. */
static void test_usage(void)
{
	static outcome o;

	dnsvet(&o, "list --builtin-dir /nonexistent");
	CHECK_EQ(o.status, 2);
	CHECK_STR(o.out, "");
	CHECK_STR(o.err, "dnsvet rules list: --builtin-dir: '/nonexistent' is not a directory\n");

	dnsvet(&o, "list --builtin-dir %1/basic extra");
	CHECK_EQ(o.status, 2);
	CHECK_CONTAINS(o.err, "dnsvet rules list: unexpected argument 'extra'");

	dnsvet(&o, "list --format json");
	CHECK_EQ(o.status, 2);
	CHECK_STR(o.err, "dnsvet rules list: unknown option '--format'\n"
	                 "'dnsvet rules --help' lists the options.\n");
	dnsvet(&o, "test -x");
	CHECK_EQ(o.status, 2);
	CHECK_CONTAINS(o.err, "dnsvet rules test: unknown option '-x'\n");
	dnsvet(&o, "show --select");
	CHECK_EQ(o.status, 2);
	CHECK_STR(o.err, "dnsvet rules show: --select needs a value\n");
	dnsvet(&o, "doc --formt x");
	CHECK_EQ(o.status, 2);
	CHECK_CONTAINS(o.err, "dnsvet rules doc: unknown option '--formt'\n");
}

/* Output that cannot be written is an internal failure (3), said once. */
static void test_write_errors(void)
{
	static outcome o;

	dnsvet(&o, "list --builtin-dir %2 >/dev/full");
	CHECK_EQ(o.status, 3);
	CHECK_STR(o.err, "dnsvet rules list: cannot write the output: No space left on device\n");
	dnsvet(&o, "show --builtin-dir %2 record.missing >/dev/full");
	CHECK_EQ(o.status, 3);
	CHECK_CONTAINS(o.err, "dnsvet rules show: cannot write the output");
	dnsvet(&o, "test --no-builtin %1/basic >/dev/full");
	CHECK_EQ(o.status, 3);
	CHECK_CONTAINS(o.err, "dnsvet rules test: cannot write the output");
	dnsvet(&o, "doc --builtin-dir %2 -o /dev/full");
	CHECK_EQ(o.status, 3);
	CHECK_STR(o.err, "dnsvet rules doc: cannot write /dev/full: No space left on device\n");
	dnsvet(&o, "doc --builtin-dir %2 >/dev/full");
	CHECK_EQ(o.status, 3);
	CHECK_CONTAINS(o.err, "dnsvet rules doc: cannot write the output");
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: test_rules_cli DNSVET TESTS/UNIT/RULES BUILTIN-RULES\n");
		return 2;
	}
	exe = argv[1];
	dir = argv[2];
	builtin = argv[3];
	test_fixtures();
	test_list_show();
	test_usage();
	test_write_errors();
	return t_finish("test_rules_cli");
}
