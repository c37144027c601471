/*
 * One check's way through the pipeline: the rules' probes(expect) questions, the probe,
 * the rule run with its rounds of follow-up questions, the recording, the report.
 *
 * Engine callbacks (probe done, follow-up done) only store what arrived and queue the
 * check; the rule runs and the embedder's callbacks happen in dnsvet_session_process, never
 * inside the engine.
 *
 * Runners: a rule run holds its runner from begin to end, including while its follow-up
 * questions are in flight, so the session keeps a small pool (SESSION_MAX_RUNNERS) created
 * on demand; a check whose rules are ready when every runner is held waits in want_runner
 * until one is released.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/session_int.h"
#include "report/report_int.h"
#include "tree/obs_internal.h"

session_runner *pipeline_runner_get(dnsvet_session *s)
{
	session_runner *r;

	for (size_t i = 0; i < s->n_runners; i++)
		if (!s->runners[i].busy)
			return &s->runners[i];
	if (s->n_runners == SESSION_MAX_RUNNERS)
		return NULL;
	r = &s->runners[s->n_runners];
	if (dnsvet_rules_runner_new(s->rules, &r->runner) != DNSVET_OK)
		return NULL;
	r->busy = NULL;
	s->n_runners++;
	return r;
}

/* No runner is held: a missing one could not be created and none will be released. */
static int runners_stuck(const dnsvet_session *s)
{
	for (size_t i = 0; i < s->n_runners; i++)
		if (s->runners[i].busy)
			return 0;
	return 1;
}

void pipeline_runner_release(dnsvet_session *s, session_runner *r)
{
	dnsvet_check *c;

	r->busy = NULL;
	c = checkq_pop(&s->want_runner);
	if (c)
		checkq_push(&s->ready, c);
}

static void release_slot(dnsvet_session *s, dnsvet_check *c)
{
	if (c->slot) {
		c->slot = 0;
		s->active--;
	}
}

/* The report of the check from what it has; the check moves to the finished queue. */
static void finish(dnsvet_session *s, dnsvet_check *c, dnsvet_finding_list *findings,
                   dnsvet_status st, const char *error)
{
	report_input in;
	dnsvet_node *expect_node = NULL;
	dnsvet_status bst;

	memset(&in, 0, sizeof(in));
	if (!c->obs && c->expect)
		dnsvet_expect_to_node(c->expect, &expect_node);
	in.domain = c->obs ? dnsvet_obs_domain(c->obs) : c->domain;
	in.label = c->label;
	in.status = st;
	in.error = error;
	in.obs = c->obs;
	in.findings = findings;
	in.records = dnsvet_node_map_get(expect_node, "records");
	in.queries = c->queries;
	in.rtts = c->rtts;
	in.elapsed_ms = (session_now() - c->t0) * 1000.0;
	/* the domain string lives in obs, which the report takes: copy it first */
	if (c->obs && in.domain) {
		free(c->domain);
		c->domain = strdup(in.domain);
		in.domain = c->domain ? c->domain : "";
	}
	c->obs = NULL;
	bst = report_build(&in, &c->report);
	dnsvet_node_free(expect_node);
	if (bst != DNSVET_OK) {
		/* out of memory: a bare report still tells the caller */
		memset(&in, 0, sizeof(in));
		in.domain = c->domain;
		in.label = c->label;
		in.status = bst;
		in.error = "out of memory while building the report";
		if (report_build(&in, &c->report) != DNSVET_OK)
			c->report = NULL;
	}
	release_slot(s, c);
	c->state = CK_DONE;
	checkq_push(&s->finished, c);
}

void pipeline_fail(dnsvet_session *s, dnsvet_check *c, dnsvet_status st, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	session_log(s, DNSVET_LOG_ERROR, "%s: %s", c->domain, msg);
	dnsvet_obs_free(c->obs);
	c->obs = NULL;
	finish(s, c, NULL, st, msg);
}

/* ---- probe ---- */

static void on_probe_done(dnsvet_probe *probe, dnsvet_status st, dnsvet_obs *obs,
                          const dnsvet_probe_stats *stats, void *user)
{
	dnsvet_check *c = user;
	dnsvet_session *s = c->session;

	(void)probe;
	c->probe = NULL;
	if (s->closing) {
		dnsvet_obs_free(obs);
		return;
	}
	if (stats) {
		c->queries += stats->queries;
		c->rtts += stats->rtts;
		if (stats->budget_exhausted)
			session_log(s, DNSVET_LOG_WARNING, "%s: the query budget stopped part of the probe",
			            c->domain);
	}
	if (st != DNSVET_OK || !obs) {
		dnsvet_obs_free(obs);
		pipeline_fail(s, c, st ? st : DNSVET_ERR_INTERNAL, "probe: %s", dnsvet_status_str(st));
		return;
	}
	c->obs = obs;
	c->state = CK_RULES;
	checkq_push(&s->ready, c);
}

/* The rules' probes(expect) questions, as probe questions borrowing from *node. */
static dnsvet_status rule_questions(dnsvet_session *s, session_runner *r, const dnsvet_expect *e,
                                    dnsvet_node **node, dnsvet_probe_question **qs, size_t *n)
{
	dnsvet_node *expect = NULL;
	dnsvet_status st;

	*node = NULL;
	*qs = NULL;
	*n = 0;
	st = dnsvet_expect_to_node(e, &expect);
	if (st)
		return st;
	st = dnsvet_rules_probes(r->runner, expect, node);
	dnsvet_node_free(expect);
	if (st)
		return st;
	(void)s;
	if (!dnsvet_node_size(*node))
		return DNSVET_OK;
	*qs = calloc(dnsvet_node_size(*node), sizeof(**qs));
	if (!*qs)
		return DNSVET_ERR_NOMEM;
	for (size_t i = 0; i < dnsvet_node_size(*node); i++) {
		const dnsvet_node *q = dnsvet_node_list_at(*node, i);

		(*qs)[*n].name = dnsvet_node_string(dnsvet_node_map_get(q, "name"));
		(*qs)[*n].type = dnsvet_node_string(dnsvet_node_map_get(q, "type"));
		/* near-miss names show what the zone publishes; a rule wanting a resolver's
		 * view asks for it with ctx:query */
		(*qs)[*n].target = DNSVET_PROBE_TO_AUTH;
		if ((*qs)[*n].name && (*qs)[*n].type)
			(*n)++;
	}
	return DNSVET_OK;
}

/*
 * What a replay needs beyond a readable file: expectations that would be accepted from
 * the command line, and an answer to every question the probe asks on its own (each
 * expected record, the domain's SOA and NS). Rules and the report take a missing answer
 * for a record nobody could ask about, which would make an incomplete recording look
 * like a domain with nothing wrong. Fills msg and returns the status on failure.
 */
static dnsvet_status replay_usable(const dnsvet_check *c, char *msg, size_t size)
{
	static const char *const apex[] = {"SOA", "NS"};
	const dnsvet_node *expect = dnsvet_obs_expect(c->obs), *list;
	const char *domain = dnsvet_obs_domain(c->obs);
	dnsvet_expect *e = NULL;
	dnsvet_expect_error eerr;
	dnsvet_status st;

	if (!expect) {
		snprintf(msg, size, "%s: no `expect` section", c->replay_path);
		return DNSVET_ERR_PARSE;
	}
	st = dnsvet_expect_from_node(domain, expect, dnsvet_obs_ses(c->obs), c->replay_path, &e,
	                             &eerr);
	if (st != DNSVET_OK) {
		if (st == DNSVET_ERR_NOMEM)
			snprintf(msg, size, "out of memory");
		else if (eerr.line)
			snprintf(msg, size, "%s", eerr.message);
		else
			snprintf(msg, size, "%s: %s", c->replay_path, eerr.message);
		return st == DNSVET_ERR_NOMEM ? st : DNSVET_ERR_PARSE;
	}
	list = dnsvet_node_map_get(expect, "records");
	for (size_t i = 0; i < dnsvet_expect_record_count(e); i++) {
		const dnsvet_expect_record *r = dnsvet_expect_record_at(e, i);
		dnsvet_node_mark m = dnsvet_node_mark_of(dnsvet_node_list_at(list, i));

		if (dnsvet_obs_find_answer(c->obs, r->name, r->type))
			continue;
		if (!m.line)
			m = dnsvet_node_mark_of(expect);
		snprintf(msg, size, "%s:%u:%u: expect.records[%zu]: the recording has no answer to "
		         "%s %s (no `answers` entry for an expected record)", c->replay_path, m.line,
		         m.column, i, r->name, r->type);
		dnsvet_expect_free(e);
		return DNSVET_ERR_PARSE;
	}
	dnsvet_expect_free(e);
	for (size_t i = 0; i < sizeof(apex) / sizeof(apex[0]); i++) {
		if (dnsvet_obs_find_answer(c->obs, domain, apex[i]))
			continue;
		snprintf(msg, size, "%s: the recording has no answer to %s %s (no `answers` entry "
		         "for a question the probe always asks)", c->replay_path, domain, apex[i]);
		return DNSVET_ERR_PARSE;
	}
	return DNSVET_OK;
}

static int start_replay(dnsvet_session *s, dnsvet_check *c)
{
	dnsvet_node_error err;
	dnsvet_status st;
	char msg[1024];

	c->live = 0;
	st = dnsvet_obs_load_yaml(c->replay_path, &c->obs, &err);
	if (st != DNSVET_OK) {
		c->obs = NULL;
		pipeline_fail(s, c, st, "replay: %s", err.message);
		return 1;
	}
	st = replay_usable(c, msg, sizeof(msg));
	if (st != DNSVET_OK) {
		pipeline_fail(s, c, st, "replay: %s", msg);
		return 1;
	}
	free(c->domain);
	c->domain = strdup(dnsvet_obs_domain(c->obs));
	if (!c->domain) {
		pipeline_fail(s, c, DNSVET_ERR_NOMEM, "out of memory");
		return 1;
	}
	c->state = CK_RULES;
	checkq_push(&s->ready, c);
	return 1;
}

int pipeline_start(dnsvet_session *s, dnsvet_check *c)
{
	session_runner *r;
	dnsvet_node *qnode = NULL;
	dnsvet_probe_question *qs = NULL;
	size_t n = 0;
	dnsvet_status st;

	c->slot = 1;
	s->active++;
	if (c->replay_path)
		return start_replay(s, c);
	r = pipeline_runner_get(s);
	if (!r && runners_stuck(s)) {
		pipeline_fail(s, c, DNSVET_ERR_NOMEM, "no rule runner could be made");
		return 1;
	}
	if (!r) {
		c->slot = 0;
		s->active--;
		return 0;
	}
	c->live = 1;
	st = rule_questions(s, r, c->expect, &qnode, &qs, &n);
	if (st == DNSVET_OK) {
		c->state = CK_PROBING;
		st = dnsvet_probe_start(s->engine, s->cache, &s->popts, c->expect, qs, n,
		                        on_probe_done, c, &c->probe);
	}
	free(qs);
	dnsvet_node_free(qnode);
	if (st != DNSVET_OK) {
		c->probe = NULL;
		pipeline_fail(s, c, st, "probe could not start: %s", dnsvet_status_str(st));
	}
	return 1;
}

/* ---- rules ---- */

static void on_followup_done(dnsvet_status st, dnsvet_node *answers, void *user)
{
	dnsvet_check *c = user;
	dnsvet_session *s = c->session;

	if (s->closing) {
		dnsvet_node_free(answers);
		return;
	}
	if (st == DNSVET_OK && answers)
		c->queries += session_merge_answers(c->obs, answers);
	else
		session_log(s, DNSVET_LOG_WARNING, "%s: follow-up questions failed: %s", c->domain,
		            dnsvet_status_str(st));
	dnsvet_node_free(answers);
	c->state = CK_RULES;
	checkq_push(&s->ready, c);
}

static void rules_done(dnsvet_session *s, dnsvet_check *c)
{
	dnsvet_finding_list *findings = NULL;
	dnsvet_status st = dnsvet_rules_end(c->runner->runner, &findings);
	char msg[1200];
	const char *error = NULL;
	dnsvet_status rst = DNSVET_OK;

	pipeline_runner_release(s, c->runner);
	c->runner = NULL;
	if (st != DNSVET_OK) {
		pipeline_fail(s, c, st, "rules: %s", dnsvet_status_str(st));
		return;
	}
	/* saved after the follow-ups, so that a replay finds every answer the rules used */
	if (c->record_path) {
		rst = dnsvet_obs_save_yaml(c->obs, c->record_path);
		if (rst != DNSVET_OK) {
			snprintf(msg, sizeof(msg), "record: cannot write %s: %s", c->record_path,
			         dnsvet_status_str(rst));
			session_log(s, DNSVET_LOG_ERROR, "%s: %s", c->domain, msg);
			error = msg;
		}
	}
	finish(s, c, findings, rst, error);
}

void pipeline_rules(dnsvet_session *s, dnsvet_check *c)
{
	const dnsvet_rules_question *rq;
	dnsvet_probe_question *pq;
	size_t n;
	dnsvet_status st;

	if (!c->runner) {
		session_runner *r = pipeline_runner_get(s);

		if (!r && runners_stuck(s)) {
			pipeline_fail(s, c, DNSVET_ERR_NOMEM, "no rule runner could be made");
			return;
		}
		if (!r) {
			checkq_push(&s->want_runner, c);
			return;
		}
		st = dnsvet_rules_begin(r->runner, dnsvet_obs_root_mut(c->obs), c->live);
		if (st != DNSVET_OK) {
			pipeline_fail(s, c, st, "rules: %s", dnsvet_status_str(st));
			return;
		}
		r->busy = c;
		c->runner = r;
	}
	st = dnsvet_rules_step(c->runner->runner, &rq, &n);
	if (st != DNSVET_OK) {
		dnsvet_rules_end(c->runner->runner, NULL);
		pipeline_runner_release(s, c->runner);
		c->runner = NULL;
		pipeline_fail(s, c, st, "rules: %s", dnsvet_status_str(st));
		return;
	}
	if (n == 0) {
		rules_done(s, c);
		return;
	}
	pq = calloc(n, sizeof(*pq));
	if (!pq) {
		st = DNSVET_ERR_NOMEM;
	} else {
		for (size_t i = 0; i < n; i++) {
			pq[i].name = rq[i].name;
			pq[i].type = rq[i].type;
			pq[i].target = rq[i].target;
			pq[i].servers = rq[i].servers;
			pq[i].n_servers = rq[i].n_servers;
		}
		c->state = CK_FOLLOWUP;
		c->rounds++;
		c->rtts++;
		st = dnsvet_probe_followup(s->engine, s->cache, &s->popts, dnsvet_obs_root(c->obs), pq,
		                           n, on_followup_done, c);
		free(pq);
	}
	if (st != DNSVET_OK) {
		/* unasked questions stay unanswered: the rules that asked them report it */
		session_log(s, DNSVET_LOG_WARNING, "%s: follow-up questions could not be sent: %s",
		            c->domain, dnsvet_status_str(st));
		c->state = CK_RULES;
		checkq_push(&s->ready, c);
	}
}
