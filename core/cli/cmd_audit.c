/*
 * dnsvet audit FILE.yaml: many domains in flight on a few threads, each thread one session
 * (its own event loop and caches), reported as each finishes. The file format, output
 * formats and exit statuses are in dnsvet-audit(5).
 *
 * Why threads: a domain costs a few milliseconds of CPU (parsing answers, running the
 * rules, writing the report) between round trips, and on one event loop that work delays
 * every other domain's next round trip; a second loop on a second core keeps the rounds
 * short. Threads share only the file (read-only), the next-entry counter, and the output,
 * summary and progress line, behind one lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dnsvet/rules.h>
#include <dnsvet/session.h>
#include "cli/audit_file.h"
#include "cli/audit_out.h"
#include "cli/audit_summary.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/safe_text.h"
#include "cli/shard.h"

#define DEFAULT_JOBS 64
#define MAX_JOBS 100000u
#define MAX_THREADS 64u
/* Default threads: one per core, up to this many; more cores than domains in flight
 * warrant would each get too few domains to keep busy. */
#define DEFAULT_THREADS_MAX 8
/* Checks queued in the session beyond those probing, so a finished one is replaced at
 * once without holding the whole file's checks in memory. */
#define QUEUE_FACTOR 2

enum {
	OPT_JOBS = CLI_OPT_OWN,
	OPT_MAX_PER_SERVER,
	OPT_QPS,
	OPT_SHARD,
	OPT_THREADS,
	OPT_NO_PROGRESS
};

typedef struct audit_args {
	unsigned jobs;
	unsigned max_per_server;
	unsigned qps;
	int sharded;
	audit_shard shard;
	const char *shard_text;
	unsigned threads;         /* 0: one per core */
	int no_progress;
} audit_args;

typedef struct audit_run {
	pthread_mutex_t lock;     /* output, summary, progress, invalid, stderr */
	atomic_size_t next;       /* the next entry of the file to start */
	const audit_file *af;
	audit_out out;
	audit_summary *summary;
	progress prog;
	const cli_opts *opts;
	size_t invalid;           /* entries left out when the file was read or when run */
	int write_failed;
	int write_errno;
} audit_run;

static const char *const formats[] = {"text", "json", "jsonl", "junit", NULL};

static void audit_usage(FILE *fp)
{
	fprintf(fp,
	        "usage: dnsvet audit [OPTIONS] FILE.yaml\n"
	        "\n"
	        "Checks every domain listed in FILE.yaml (format: dnsvet-audit(5)) in one run:\n"
	        "many domains in flight, caches shared, each domain reported as it finishes,\n"
	        "then a summary (verdict counts and the most frequent failures).\n"
	        "\n"
	        "formats (--format): text (default on a terminal), jsonl (default otherwise: one\n"
	        "report a line, then {\"summary\":...}), json (one dnsvet.audit/1 document), junit\n"
	        "\n"
	        "audit options:\n"
	        "  -j, --jobs N             domains probed at once (default %d)\n"
	        "      --max-per-server N   queries in flight to one server address (default 32)\n"
	        "      --qps N              new queries per second for the whole audit (default: no cap)\n"
	        "      --shard K/N          only the domains of shard K of N (by a hash of the name);\n"
	        "                           N processes with K=1..N cover the file exactly once\n"
	        "      --threads N          event loops, each on its own thread with its own caches,\n"
	        "                           sharing the jobs (default: one per core, at most %d)\n"
	        "      --no-progress        no progress line on stderr (it is shown only on a terminal)\n"
	        "\n"
	        "exit status: 0 every domain ready or pending; 1 some domain broken or unknown;\n"
	        "2 usage or input error, including any invalid entry (it wins over 1);\n"
	        "3 internal failure (it wins over the others)\n"
	        "\n", DEFAULT_JOBS, DEFAULT_THREADS_MAX);
	cli_opts_usage(fp);
}

static int parse_unsigned(const char *where, const char *arg, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || v == 0 || v > max) {
		fprintf(stderr, "dnsvet audit: %s: expected a number from 1 to %u, not '%s'\n",
		        where, max, arg);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static int handle_own(void *ctx, int code, const char *where, const char *arg)
{
	audit_args *a = ctx;
	char err[200];

	switch (code) {
	case 'j':
	case OPT_JOBS:
		return parse_unsigned(where, arg, MAX_JOBS, &a->jobs);
	case OPT_MAX_PER_SERVER:
		return parse_unsigned(where, arg, 65535, &a->max_per_server);
	case OPT_QPS:
		return parse_unsigned(where, arg, 10000000, &a->qps);
	case OPT_SHARD:
		if (audit_shard_parse(arg, &a->shard, err, sizeof(err))) {
			fprintf(stderr, "dnsvet audit: %s: %s\n", where, err);
			return -1;
		}
		a->sharded = 1;
		a->shard_text = arg;
		return 0;
	case OPT_THREADS:
		return parse_unsigned(where, arg, MAX_THREADS, &a->threads);
	case OPT_NO_PROGRESS:
		a->no_progress = 1;
		return 0;
	default:
		return -1;
	}
}

static void problem_print(void *user, const char *message)
{
	audit_run *run = user;

	pthread_mutex_lock(&run->lock);
	progress_clear(&run->prog);
	/* The message quotes the entry, which may hold anything YAML can escape. */
	fputs("dnsvet audit: invalid entry, left out: ", stderr);
	cli_fput_safe(stderr, message, 0);
	fputc('\n', stderr);
	pthread_mutex_unlock(&run->lock);
}

/* Library messages share stderr with the progress line. */
static void log_print(void *user, dnsvet_log_level level, const char *message)
{
	audit_run *run = user;

	pthread_mutex_lock(&run->lock);
	progress_clear(&run->prog);
	cli_log((void *)run->opts, level, message);
	pthread_mutex_unlock(&run->lock);
}

static void check_done(dnsvet_session *session, dnsvet_report *report, void *user)
{
	audit_run *run = user;

	(void)session;
	pthread_mutex_lock(&run->lock);
	if (audit_summary_add(run->summary, report) != DNSVET_OK)
		audit_summary_set_failed(run->summary);
	if (!run->write_failed) {
		/* the terminal line must not end up inside text written to the same terminal */
		if (run->out.fp == stdout)
			progress_clear(&run->prog);
		if (audit_out_report(&run->out, report)) {
			run->write_failed = 1;
			run->write_errno = errno;
		}
	}
	progress_step(&run->prog, 1);
	pthread_mutex_unlock(&run->lock);
	dnsvet_report_free(report);
}

/* The selected rules' ids, for JUnit testcases: loaded as the session loads them. */
static dnsvet_status selected_rules(const cli_opts *o, dnsvet_rules **rules, const char ***ids,
                                    size_t *n, char *errbuf, size_t errlen)
{
	dnsvet_rules_opts ro;
	dnsvet_status st;
	size_t k = 0;

	dnsvet_rules_opts_default(&ro);
	ro.user_dirs = o->rules_dirs;
	ro.n_user_dirs = o->n_rules_dirs;
	st = dnsvet_rules_load(&ro, rules, errbuf, errlen);
	if (!st && o->select)
		st = dnsvet_rules_select(*rules, o->select, errbuf, errlen);
	if (st)
		return st;
	*n = dnsvet_rules_selected_count(*rules);
	*ids = calloc(*n ? *n : 1, sizeof(**ids));
	if (!*ids)
		return DNSVET_ERR_NOMEM;
	for (size_t i = 0; i < dnsvet_rules_count(*rules) && k < *n; i++) {
		const dnsvet_rule *r = dnsvet_rules_at(*rules, i);

		if (dnsvet_rule_is_selected(r))
			(*ids)[k++] = dnsvet_rule_id(r);
	}
	*n = k;
	return DNSVET_OK;
}

/* One check for entry; NULL when the entry no longer applies (its identity file went
 * away since the file was read ...): reported and counted as invalid. */
static dnsvet_check *make_check(audit_run *run, const audit_entry *entry)
{
	dnsvet_check *check = NULL;
	char err[800];
	dnsvet_status st;

	st = dnsvet_check_new(entry->domain, &check, err, sizeof(err));
	if (st == DNSVET_OK)
		st = audit_entry_apply(run->af, entry, dnsvet_check_expect(check), err, sizeof(err));
	if (st == DNSVET_OK)
		return check;
	dnsvet_check_free(check);
	if (st == DNSVET_ERR_NOMEM) {
		pthread_mutex_lock(&run->lock);
		audit_summary_set_failed(run->summary);
		pthread_mutex_unlock(&run->lock);
		return NULL;
	}
	problem_print(run, err);
	pthread_mutex_lock(&run->lock);
	run->invalid++;
	pthread_mutex_unlock(&run->lock);
	return NULL;
}

/* One event loop: its session and its share of the domains in flight. */
typedef struct audit_worker {
	audit_run *run;
	dnsvet_session *session;
	size_t window;            /* checks it keeps submitted (probing or queued) */
	int failed;
	pthread_t thread;
} audit_worker;

static void *run_worker(void *arg)
{
	audit_worker *w = arg;
	audit_run *run = w->run;
	size_t n = audit_file_count(run->af);
	int exhausted = 0;
	dnsvet_status st;

	for (;;) {
		while (!exhausted && dnsvet_session_pending(w->session) < w->window) {
			size_t i = atomic_fetch_add(&run->next, 1);
			dnsvet_check *check;

			if (i >= n) {
				exhausted = 1;
				break;
			}
			check = make_check(run, audit_file_entry(run->af, i));
			if (!check)
				continue;
			st = dnsvet_session_submit(w->session, check, check_done, run);
			if (st)
				goto fail;
		}
		if (!dnsvet_session_pending(w->session)) {
			if (exhausted)
				return NULL;
			continue;
		}
		/* wake up now and then so the progress line keeps its rate and ETA fresh */
		st = dnsvet_session_process(w->session, run->prog.active ? 200 : -1);
		if (st)
			goto fail;
		pthread_mutex_lock(&run->lock);
		progress_step(&run->prog, 0);
		pthread_mutex_unlock(&run->lock);
	}
fail:
	pthread_mutex_lock(&run->lock);
	progress_clear(&run->prog);
	fprintf(stderr, "dnsvet audit: %s\n", dnsvet_status_str(st));
	pthread_mutex_unlock(&run->lock);
	w->failed = 1;
	return NULL;
}

/* Runs the workers, the first on the calling thread; nonzero if one failed. */
static int run_audit(audit_worker *w, size_t nw)
{
	size_t started = 1;
	int failed = 0;

	for (; started < nw; started++)
		if (pthread_create(&w[started].thread, NULL, run_worker, &w[started]) != 0)
			break;
	/* a thread that could not start leaves its share to the others */
	run_worker(&w[0]);
	for (size_t i = 1; i < started; i++)
		pthread_join(w[i].thread, NULL);
	for (size_t i = 0; i < started; i++)
		failed |= w[i].failed;
	return failed;
}

/* Worker i's part of a cap of total shared by nw workers; at least 1. */
static unsigned split_cap(unsigned total, size_t nw, size_t i)
{
	unsigned part = (unsigned)(total / nw + (i < total % nw));

	return part ? part : 1;
}

static unsigned default_threads(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (cores < 1)
		return 1;
	return cores > DEFAULT_THREADS_MAX ? DEFAULT_THREADS_MAX : (unsigned)cores;
}

int cmd_audit(int argc, char **argv)
{
	static const struct option own[] = {
		{"jobs", required_argument, NULL, OPT_JOBS},
		{"max-per-server", required_argument, NULL, OPT_MAX_PER_SERVER},
		{"qps", required_argument, NULL, OPT_QPS},
		{"shard", required_argument, NULL, OPT_SHARD},
		{"threads", required_argument, NULL, OPT_THREADS},
		{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
		{NULL, 0, NULL, 0}
	};
	audit_args a = {DEFAULT_JOBS, 0, 0, 0, {1, 1}, NULL, 0, 0};
	cli_cmd cmd = {"audit", own, "j:", handle_own, &a, audit_usage, formats};
	cli_opts o;
	audit_run run;
	audit_file *af = NULL;
	audit_worker *workers = NULL;
	size_t nw = 0, queries = 0;
	dnsvet_session_opts so;
	dnsvet_session_stats stats;
	dnsvet_rules *rules = NULL;
	const char **rule_ids = NULL;
	char err[1024];
	int first = 0, is_tty = 0, color = 0, rc = CLI_EXIT_USAGE;
	dnsvet_status st;
	cli_parse_result pr;

	memset(&run, 0, sizeof(run));
	pthread_mutex_init(&run.lock, NULL);
	atomic_init(&run.next, 0);
	run.opts = &o;
	progress_init(&run.prog, stderr, 0, 0);
	pr = cli_parse(&cmd, argc, argv, &o, &first);
	if (pr != CLI_PARSE_OK) {
		cli_opts_free(&o);
		return pr == CLI_PARSE_DONE ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (argc - first != 1) {
		fprintf(stderr, "dnsvet audit: %s\n", argc - first ? "one audit file, please"
		                                                  : "which audit file?");
		audit_usage(stderr);
		goto out;
	}
	if (o.record || o.replay) {
		fprintf(stderr, "dnsvet audit: %s: not for audits (use dnsvet check on one domain)\n",
		        o.record ? "--record" : "--replay");
		goto out;
	}
	run.summary = audit_summary_new();
	if (!run.summary || (a.sharded && audit_summary_set_shard(run.summary, a.shard_text))) {
		rc = CLI_EXIT_INTERNAL;
		goto out;
	}
	/* the whole file is read and checked before the first query */
	st = audit_file_load(argv[first], a.sharded ? &a.shard : NULL, problem_print, &run, &af,
	                     err, sizeof(err));
	if (st) {
		fprintf(stderr, "dnsvet audit: %s\n", err);
		rc = st == DNSVET_ERR_NOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_USAGE;
		goto out;
	}
	run.af = af;
	run.invalid = audit_file_invalid(af);

	cli_opts_session(&o, &so);
	if (!o.resolvers && audit_file_resolvers(af))
		so.resolvers = audit_file_resolvers(af);
	so.max_checks = a.jobs;
	so.max_per_server = a.max_per_server;
	so.qps = a.qps;
	so.log = log_print;
	so.log_user = &run;

	run.out.fp = cli_output_open(&cmd, &o, &is_tty, &color);
	if (!run.out.fp)
		goto out;
	audit_format_parse(cli_format(&o, is_tty, "text", "jsonl"), &run.out.format);
	run.out.color = color;
	if (run.out.format == AUDIT_JUNIT) {
		st = selected_rules(&o, &rules, &rule_ids, &run.out.n_rules, err, sizeof(err));
		if (st) {
			fprintf(stderr, "dnsvet audit: %s\n", err);
			rc = st == DNSVET_ERR_NOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_USAGE;
			goto close;
		}
		run.out.rules = rule_ids;
	}
	/* no more loops than domains in flight, nor than domains */
	nw = a.threads ? a.threads : default_threads();
	if (nw > a.jobs)
		nw = a.jobs;
	if (nw > audit_file_count(af))
		nw = audit_file_count(af) ? audit_file_count(af) : 1;
	workers = calloc(nw, sizeof(*workers));
	if (!workers) {
		rc = CLI_EXIT_INTERNAL;
		goto close;
	}
	/* every session before the first query: a bad option is reported once, up front */
	for (size_t i = 0; i < nw; i++) {
		unsigned share = (unsigned)(a.jobs / nw + (i < a.jobs % nw));

		so.max_checks = share;
		/* the caps are promises for the whole audit: each loop keeps its part */
		so.max_per_server = split_cap(a.max_per_server ? a.max_per_server : 32, nw, i);
		so.qps = a.qps ? split_cap(a.qps, nw, i) : 0;
		workers[i].run = &run;
		workers[i].window = (size_t)share * QUEUE_FACTOR;
		st = dnsvet_session_new(&so, &workers[i].session, err, sizeof(err));
		if (st) {
			fprintf(stderr, "dnsvet audit: %s\n", err[0] ? err : dnsvet_status_str(st));
			rc = st == DNSVET_ERR_NOMEM || st == DNSVET_ERR_INTERNAL ? CLI_EXIT_INTERNAL
			                                                        : CLI_EXIT_USAGE;
			goto close;
		}
	}
	progress_init(&run.prog, stderr, audit_file_count(af), !a.no_progress && o.verbosity >= 0);
	if (audit_out_begin(&run.out)) {
		run.write_failed = 1;
		run.write_errno = errno;
	}
	if (run_audit(workers, nw))
		audit_summary_set_failed(run.summary);
	progress_clear(&run.prog);

	for (size_t i = 0; i < nw; i++) {
		dnsvet_session_stats_get(workers[i].session, &stats);
		queries += stats.queries;
	}
	audit_summary_set_invalid(run.summary, run.invalid);
	audit_summary_set_run(run.summary, progress_now() - run.prog.started, queries);
	if (!run.write_failed && audit_out_end(&run.out, run.summary)) {
		run.write_failed = 1;
		run.write_errno = errno;
	}
	if (run.write_failed) {
		fprintf(stderr, "dnsvet audit: cannot write %s: %s\n",
		        o.output ? o.output : "the output", strerror(run.write_errno));
		audit_summary_set_failed(run.summary);
	}
	/* machine formats keep stdout parseable: the human summary goes to stderr */
	if (run.out.format != AUDIT_TEXT && o.verbosity >= 0)
		audit_summary_print(run.summary, stderr);
	rc = audit_summary_exit(run.summary);
close:
	/* a write error is already reported: closing must not report it again */
	if (run.write_failed) {
		if (run.out.fp != stdout)
			fclose(run.out.fp);
	} else if (cli_output_close(&cmd, &o, run.out.fp) && rc < CLI_EXIT_INTERNAL) {
		rc = CLI_EXIT_INTERNAL;
	}
out:
	for (size_t i = 0; workers && i < nw; i++)
		dnsvet_session_free(workers[i].session);
	free(workers);
	pthread_mutex_destroy(&run.lock);
	free(rule_ids);
	dnsvet_rules_free(rules);
	audit_file_free(af);
	audit_summary_free(run.summary);
	cli_opts_free(&o);
	return rc;
}
