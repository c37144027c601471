/* Sessions: what every check of a run shares (engine, probe cache, root hints, resolvers,
 * rules), and the loop that drives checks (submit, fd, timeout, process). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include "session/session_int.h"

double session_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void session_log(dnsvet_session *s, dnsvet_log_level level, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (!s->opts.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->opts.log(s->opts.log_user, level, msg);
}

void checkq_push(check_queue *q, dnsvet_check *c)
{
	c->qnext = NULL;
	if (q->tail)
		q->tail->qnext = c;
	else
		q->head = c;
	q->tail = c;
	q->n++;
}

static void checkq_push_front(check_queue *q, dnsvet_check *c)
{
	c->qnext = q->head;
	q->head = c;
	if (!q->tail)
		q->tail = c;
	q->n++;
}

dnsvet_check *checkq_pop(check_queue *q)
{
	dnsvet_check *c = q->head;

	if (!c)
		return NULL;
	q->head = c->qnext;
	if (!q->head)
		q->tail = NULL;
	c->qnext = NULL;
	q->n--;
	return c;
}

/* ---- options and construction ---- */

void dnsvet_session_opts_default(dnsvet_session_opts *opts)
{
	if (opts)
		memset(opts, 0, sizeof(*opts));
}

static int copy_str(const char *in, char **out)
{
	*out = NULL;
	if (!in)
		return 0;
	*out = strdup(in);
	return *out ? 0 : -1;
}

static dnsvet_status copy_opts(dnsvet_session *s, const dnsvet_session_opts *o)
{
	s->opts = *o;
	if (copy_str(o->root_hints_file, &s->s_root_hints_file) ||
	    copy_str(o->resolvers, &s->s_resolvers) ||
	    copy_str(o->resolvers_file, &s->s_resolvers_file) ||
	    copy_str(o->builtin_rules_dir, &s->s_builtin) || copy_str(o->select, &s->s_select))
		return DNSVET_ERR_NOMEM;
	s->opts.root_hints_file = s->s_root_hints_file;
	s->opts.resolvers = s->s_resolvers;
	s->opts.resolvers_file = s->s_resolvers_file;
	s->opts.builtin_rules_dir = s->s_builtin;
	s->opts.select = s->s_select;
	s->opts.rules_dirs = NULL;
	s->opts.n_rules_dirs = 0;
	if (o->n_rules_dirs) {
		s->s_rules_dirs = calloc(o->n_rules_dirs, sizeof(char *));
		if (!s->s_rules_dirs)
			return DNSVET_ERR_NOMEM;
		for (size_t i = 0; i < o->n_rules_dirs; i++) {
			if (!o->rules_dirs || !o->rules_dirs[i])
				return DNSVET_ERR_INVALID;
			if (copy_str(o->rules_dirs[i], &s->s_rules_dirs[i]))
				return DNSVET_ERR_NOMEM;
			s->opts.n_rules_dirs = i + 1;
		}
		s->opts.rules_dirs = (const char *const *)s->s_rules_dirs;
	}
	return DNSVET_OK;
}

static void rules_log(void *user, const char *rule_id, const char *message)
{
	dnsvet_session *s = user;

	if (rule_id)
		session_log(s, DNSVET_LOG_DEBUG, "%s: %s", rule_id, message);
	else
		session_log(s, DNSVET_LOG_DEBUG, "%s", message);
}

static dnsvet_status setup_servers(dnsvet_session *s, char *errbuf, size_t errlen)
{
	const dnsvet_session_opts *o = &s->opts;
	dnsvet_status st;

	if (o->root_hints_file) {
		st = dnsvet_roothints_load(o->root_hints_file, 53, &s->hints, errbuf, errlen);
		if (st)
			return st;
	}
	if (o->resolvers && o->resolvers_file) {
		snprintf(errbuf, errlen, "resolvers: give a list or a file, not both");
		return DNSVET_ERR_INVALID;
	}
	if (o->resolvers) {
		const char *p = o->resolvers;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!strncmp(p, "none", 4) && !p[4 + strspn(p + 4, " \t\r\n")])
			s->popts.no_resolvers = 1;
		else if ((st = dnsvet_resolvers_parse(o->resolvers, "--resolvers", 53, &s->resolvers,
		                                      errbuf, errlen)) != DNSVET_OK)
			return st;
	} else if (o->resolvers_file) {
		st = dnsvet_resolvers_load(o->resolvers_file, 53, &s->resolvers, errbuf, errlen);
		if (st)
			return st;
	}
	return DNSVET_OK;
}

static dnsvet_status setup_rules(dnsvet_session *s, char *errbuf, size_t errlen)
{
	const dnsvet_session_opts *o = &s->opts;
	dnsvet_rules_opts ro;
	dnsvet_status st;
	char err[512];

	dnsvet_rules_opts_default(&ro);
	ro.builtin_dir = o->builtin_rules_dir;
	ro.user_dirs = o->rules_dirs;
	ro.n_user_dirs = o->n_rules_dirs;
	ro.instruction_budget = o->rule_instruction_budget;
	ro.memory_cap = o->rule_memory_cap;
	ro.log = rules_log;
	ro.log_user = s;
	st = dnsvet_rules_load(&ro, &s->rules, errbuf, errlen);
	if (st)
		return st;
	for (size_t i = 0; i < dnsvet_rules_problem_count(s->rules); i++)
		session_log(s, DNSVET_LOG_WARNING, "%s", dnsvet_rules_problem_at(s->rules, i));
	for (size_t i = 0; i < dnsvet_rules_notice_count(s->rules); i++)
		session_log(s, DNSVET_LOG_NOTICE, "%s", dnsvet_rules_notice_at(s->rules, i));
	if (o->select && *o->select) {
		st = dnsvet_rules_select(s->rules, o->select, err, sizeof(err));
		if (st) {
			snprintf(errbuf, errlen, "select: %s", err);
			return st;
		}
	}
	/* the first runner compiles every selected rule now, so that a broken one is
	 * reported before any check */
	if (!pipeline_runner_get(s))
		return DNSVET_ERR_NOMEM;
	return DNSVET_OK;
}

/*
 * Each query in flight holds a socket, so the descriptor limit sets how many can be: half
 * of it, leaving the rest to the caller's files, between 64 and 4096. The usual soft limit
 * of 1024 gives 512; an audit whose answers take 30 ms or more needs more than that to keep
 * a hundred domains a second moving, which is why the CLI raises its soft limit first.
 */
static unsigned inflight_for_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 512;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur / 2 >= 4096)
		return 4096;
	return rl.rlim_cur / 2 < 64 ? 64 : (unsigned)(rl.rlim_cur / 2);
}

dnsvet_status dnsvet_session_new(const dnsvet_session_opts *opts, dnsvet_session **out,
                                 char *errbuf, size_t errlen)
{
	dnsvet_session_opts defaults;
	dnsvet_session *s;
	dnsvet_engine_opts eo;
	dnsvet_status st;
	char scratch[2];

	if (!errbuf || !errlen) {
		errbuf = scratch;
		errlen = sizeof(scratch);
	}
	errbuf[0] = '\0';
	if (!out)
		return DNSVET_ERR_INVALID;
	*out = NULL;
	if (!opts) {
		dnsvet_session_opts_default(&defaults);
		opts = &defaults;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return DNSVET_ERR_NOMEM;
	dnsvet_probe_opts_default(&s->popts);
	st = copy_opts(s, opts);
	if (st == DNSVET_ERR_INVALID)
		snprintf(errbuf, errlen, "rules_dirs: an entry is NULL");
	if (st == DNSVET_OK)
		st = setup_servers(s, errbuf, errlen);
	if (st == DNSVET_OK) {
		dnsvet_engine_opts_default(&eo);
		if (opts->timeout_ms)
			eo.timeout_ms = opts->timeout_ms;
		if (eo.timeout_max_ms < eo.timeout_ms)
			eo.timeout_max_ms = eo.timeout_ms;
		eo.max_per_server = opts->max_per_server ? opts->max_per_server : 32;
		eo.qps = opts->qps;
		eo.max_inflight = inflight_for_fd_limit();
		st = dnsvet_engine_new(&eo, &s->engine);
		if (st)
			snprintf(errbuf, errlen, "query engine: %s", dnsvet_status_str(st));
	}
	if (st == DNSVET_OK)
		st = dnsvet_probe_cache_new(&s->cache);
	if (st == DNSVET_OK)
		st = setup_rules(s, errbuf, errlen);
	if (st != DNSVET_OK) {
		if (!errbuf[0])
			snprintf(errbuf, errlen, "%s", dnsvet_status_str(st));
		dnsvet_session_free(s);
		return st;
	}
	s->popts.roothints = s->hints;
	s->popts.resolvers = s->resolvers;
	s->popts.lab = opts->lab;
	s->popts.query_budget = opts->query_budget;
	s->popts.timeout_ms = opts->timeout_ms;
	s->popts.started = opts->now;
	s->max_checks = opts->max_checks ? opts->max_checks : SESSION_DEFAULT_MAX_CHECKS;
	*out = s;
	return DNSVET_OK;
}

static void check_release(dnsvet_check *c)
{
	dnsvet_expect_free(c->expect);
	dnsvet_obs_free(c->obs);
	dnsvet_report_free(c->report);
	free(c->domain);
	free(c->label);
	free(c->record_path);
	free(c->replay_path);
	free(c);
}

static void all_remove(dnsvet_session *s, dnsvet_check *c)
{
	if (c->aprev)
		c->aprev->anext = c->anext;
	else
		s->all = c->anext;
	if (c->anext)
		c->anext->aprev = c->aprev;
	c->anext = c->aprev = NULL;
}

static void waiter_done(dnsvet_session *s, dnsvet_report *report, void *user);

void dnsvet_session_free(dnsvet_session *s)
{
	if (!s)
		return;
	s->closing = 1;
	for (dnsvet_check *c = s->all; c; c = c->anext)
		if (c->probe) {
			dnsvet_probe_cancel(c->probe);
			c->probe = NULL;
		}
	/* follow-ups cannot be cancelled: freeing the engine completes them, and their
	 * callbacks see `closing` before any check is freed */
	dnsvet_engine_free(s->engine);
	while (s->all) {
		dnsvet_check *c = s->all;

		all_remove(s, c);
		if (c->runner)
			dnsvet_rules_end(c->runner->runner, NULL);
		/* a blocking call that gave up left its waiter to the check */
		if (c->done == waiter_done)
			free(c->user);
		check_release(c);
	}
	for (size_t i = 0; i < s->n_runners; i++)
		dnsvet_rules_runner_free(s->runners[i].runner);
	dnsvet_rules_free(s->rules);
	dnsvet_probe_cache_free(s->cache);
	dnsvet_roothints_free(s->hints);
	dnsvet_addrlist_free(s->resolvers);
	free(s->s_root_hints_file);
	free(s->s_resolvers);
	free(s->s_resolvers_file);
	free(s->s_builtin);
	free(s->s_select);
	for (size_t i = 0; i < s->opts.n_rules_dirs; i++)
		free(s->s_rules_dirs[i]);
	free(s->s_rules_dirs);
	free(s);
}

/* ---- check requests ---- */

dnsvet_status dnsvet_check_new(const char *domain, dnsvet_check **out, char *errbuf,
                               size_t errlen)
{
	dnsvet_check *c;
	dnsvet_expect_error err;
	dnsvet_status st;

	if (!out)
		return DNSVET_ERR_INVALID;
	*out = NULL;
	if (!domain) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "domain: missing");
		return DNSVET_ERR_INVALID;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return DNSVET_ERR_NOMEM;
	st = dnsvet_expect_new(domain, &c->expect, &err);
	if (st != DNSVET_OK) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "%s", st == DNSVET_ERR_NOMEM ? "out of memory" : err.message);
		free(c);
		return st;
	}
	c->domain = strdup(dnsvet_expect_domain(c->expect));
	if (!c->domain) {
		check_release(c);
		return DNSVET_ERR_NOMEM;
	}
	*out = c;
	return DNSVET_OK;
}

void dnsvet_check_free(dnsvet_check *c)
{
	if (c && c->state == CK_NEW)
		check_release(c);
}

dnsvet_expect *dnsvet_check_expect(dnsvet_check *c)
{
	return c ? c->expect : NULL;
}

dnsvet_status dnsvet_check_set_ses_identity(dnsvet_check *c, const char *json, size_t len,
                                            char *errbuf, size_t errlen)
{
	dnsvet_expect_error err;
	dnsvet_status st;

	if (!c || !json)
		return DNSVET_ERR_INVALID;
	st = dnsvet_expect_load_ses_json(c->expect, json, len, "identity JSON", &err);
	if (st != DNSVET_OK && errbuf && errlen)
		snprintf(errbuf, errlen, "%s", st == DNSVET_ERR_NOMEM ? "out of memory" : err.message);
	return st;
}

static dnsvet_status set_path(char **slot, const char *path)
{
	char *p;

	if (!path || !*path)
		return DNSVET_ERR_INVALID;
	p = strdup(path);
	if (!p)
		return DNSVET_ERR_NOMEM;
	free(*slot);
	*slot = p;
	return DNSVET_OK;
}

dnsvet_status dnsvet_check_set_record(dnsvet_check *c, const char *path)
{
	return c ? set_path(&c->record_path, path) : DNSVET_ERR_INVALID;
}

dnsvet_status dnsvet_check_set_replay(dnsvet_check *c, const char *path)
{
	return c ? set_path(&c->replay_path, path) : DNSVET_ERR_INVALID;
}

dnsvet_status dnsvet_check_set_label(dnsvet_check *c, const char *label)
{
	return c && label ? set_path(&c->label, label) : DNSVET_ERR_INVALID;
}

/* ---- running ---- */

dnsvet_status dnsvet_session_submit(dnsvet_session *s, dnsvet_check *c, dnsvet_check_done_cb done,
                                    void *user)
{
	if (!c)
		return DNSVET_ERR_INVALID;
	if (!s || !done || c->state != CK_NEW || s->closing) {
		if (c->state == CK_NEW)
			check_release(c);
		return DNSVET_ERR_INVALID;
	}
	c->session = s;
	c->done = done;
	c->user = user;
	c->t0 = session_now();
	c->state = CK_QUEUED;
	c->anext = s->all;
	if (s->all)
		s->all->aprev = c;
	s->all = c;
	s->pending++;
	checkq_push(&s->queued, c);
	return DNSVET_OK;
}

int dnsvet_session_fd(const dnsvet_session *s)
{
	return s ? dnsvet_engine_fd(s->engine) : -1;
}

static int runner_free(const dnsvet_session *s)
{
	if (s->n_runners < SESSION_MAX_RUNNERS)
		return 1;
	for (size_t i = 0; i < s->n_runners; i++)
		if (!s->runners[i].busy)
			return 1;
	return 0;
}

/* Work that needs no I/O: queued checks that can start, rules to run, callbacks. */
static int has_cpu_work(const dnsvet_session *s)
{
	return s->ready.n || s->finished.n ||
	       ((s->queued.n || s->want_runner.n) && s->active < s->max_checks && runner_free(s)) ||
	       (s->queued.n && s->queued.head->replay_path && s->active < s->max_checks);
}

int dnsvet_session_next_timeout_ms(const dnsvet_session *s)
{
	if (!s)
		return -1;
	if (has_cpu_work(s))
		return 0;
	return dnsvet_engine_next_timeout_ms(s->engine);
}

static void deliver(dnsvet_session *s, dnsvet_check *c)
{
	dnsvet_report *rep = c->report;

	c->report = NULL;
	all_remove(s, c);
	s->pending--;
	s->checks_done++;
	s->in_callback++;
	c->done(s, rep, c->user);
	s->in_callback--;
	check_release(c);
}

/* Runs everything that needs no I/O; 1 when something was done. */
static int pump(dnsvet_session *s)
{
	int any = 0;

	for (;;) {
		int moved = 0;
		dnsvet_check *c;

		while (s->queued.n && s->active < s->max_checks) {
			c = checkq_pop(&s->queued);
			if (!pipeline_start(s, c)) {
				checkq_push_front(&s->queued, c);
				break;
			}
			moved = 1;
		}
		while ((c = checkq_pop(&s->ready)) != NULL) {
			pipeline_rules(s, c);
			moved = 1;
		}
		while ((c = checkq_pop(&s->finished)) != NULL) {
			deliver(s, c);
			moved = 1;
		}
		if (!moved)
			return any;
		any = 1;
	}
}

dnsvet_status dnsvet_session_process(dnsvet_session *s, int max_wait_ms)
{
	dnsvet_status st = DNSVET_OK;

	if (!s)
		return DNSVET_ERR_INVALID;
	if (s->in_callback || s->in_process)
		return DNSVET_ERR_STATE;
	s->in_process = 1;
	if (pump(s) || !dnsvet_engine_pending(s->engine))
		max_wait_ms = 0;
	st = dnsvet_engine_step(s->engine, max_wait_ms);
	pump(s);
	s->in_process = 0;
	return st;
}

size_t dnsvet_session_pending(const dnsvet_session *s)
{
	return s ? s->pending : 0;
}

dnsvet_status dnsvet_session_run(dnsvet_session *s)
{
	if (!s)
		return DNSVET_ERR_INVALID;
	if (s->in_callback || s->in_process)
		return DNSVET_ERR_STATE;
	while (s->pending) {
		dnsvet_status st = dnsvet_session_process(s, -1);

		if (st)
			return st;
	}
	return DNSVET_OK;
}

/* The blocking call's waiter lives on the heap: if processing fails, the check may still
 * finish later and must find it. */
typedef struct check_waiter {
	dnsvet_report *report;
	int done;
	int abandoned;
} check_waiter;

static void waiter_done(dnsvet_session *s, dnsvet_report *report, void *user)
{
	check_waiter *w = user;

	(void)s;
	if (w->abandoned) {
		dnsvet_report_free(report);
		free(w);
		return;
	}
	w->report = report;
	w->done = 1;
}

dnsvet_status dnsvet_session_check(dnsvet_session *s, dnsvet_check *c, dnsvet_report **report)
{
	check_waiter *w;
	dnsvet_status st;

	if (report)
		*report = NULL;
	if (!s || !c || !report) {
		if (c && c->state == CK_NEW)
			check_release(c);
		return DNSVET_ERR_INVALID;
	}
	if (s->in_callback || s->in_process) {
		if (c->state == CK_NEW)
			check_release(c);
		return DNSVET_ERR_STATE;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		check_release(c);
		return DNSVET_ERR_NOMEM;
	}
	st = dnsvet_session_submit(s, c, waiter_done, w);
	if (st) {
		free(w);
		return st;
	}
	while (!w->done) {
		st = dnsvet_session_process(s, -1);
		if (st) {
			w->abandoned = 1;
			return st;
		}
	}
	*report = w->report;
	free(w);
	return DNSVET_OK;
}

void dnsvet_session_stats_get(const dnsvet_session *s, dnsvet_session_stats *out)
{
	dnsvet_engine_stats es;
	dnsvet_probe_cache_stats cs;

	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!s)
		return;
	dnsvet_engine_stats_get(s->engine, &es);
	dnsvet_probe_cache_stats_get(s->cache, &cs);
	out->checks = s->checks_done;
	out->queries = es.submitted;
	out->cache_hits = cs.hits;
}
