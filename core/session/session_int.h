/* Sessions and checks inside the library: the check state machine and the queues that
 * dnsvet_session_process drains. */
#ifndef DNSVET_SESSION_INT_H
#define DNSVET_SESSION_INT_H

#include <dnsvet/session.h>
#include <dnsvet/probe.h>
#include <dnsvet/rules.h>

/* Rule runners kept at most: a runner holds one domain's run while that run waits for
 * its follow-up answers, so a few let other checks' rules go on meanwhile. */
#define SESSION_MAX_RUNNERS 8
#define SESSION_DEFAULT_MAX_CHECKS 64

typedef enum check_state {
	CK_NEW = 0,     /* not submitted yet */
	CK_QUEUED,      /* submitted, waiting for a probing slot */
	CK_PROBING,     /* the probe runs */
	CK_RULES,       /* rules to run or resume (in the ready queue or waiting for a runner) */
	CK_FOLLOWUP,    /* follow-up questions in flight */
	CK_DONE         /* report made, callback not yet run */
} check_state;

typedef struct check_queue {
	dnsvet_check *head, *tail;
	size_t n;
} check_queue;

typedef struct session_runner {
	dnsvet_rules_runner *runner;
	dnsvet_check *busy;         /* the check whose run it holds, or NULL */
} session_runner;

struct dnsvet_check {
	dnsvet_session *session;
	dnsvet_check *qnext;        /* in one of the session's queues */
	dnsvet_check *anext, *aprev; /* in the session's list of every submitted check */
	check_state state;
	char *domain;
	char *label;
	char *record_path;
	char *replay_path;
	dnsvet_expect *expect;
	dnsvet_check_done_cb done;
	void *user;

	dnsvet_probe *probe;        /* while CK_PROBING */
	dnsvet_obs *obs;
	session_runner *runner;     /* while its rule run lasts */
	int live;                   /* 0: replay */
	int slot;                   /* 1 while it counts against max_checks */
	dnsvet_report *report;      /* CK_DONE */

	double t0;                  /* submit time, seconds (monotonic) */
	unsigned queries;
	unsigned rtts;
	unsigned rounds;
};

struct dnsvet_session {
	dnsvet_session_opts opts;   /* strings point to the copies below */
	char *s_root_hints_file, *s_resolvers, *s_resolvers_file, *s_builtin, *s_select;
	char **s_rules_dirs;

	dnsvet_roothints *hints;
	dnsvet_addrlist *resolvers;
	dnsvet_engine *engine;
	dnsvet_probe_cache *cache;
	dnsvet_probe_opts popts;
	dnsvet_rules *rules;
	session_runner runners[SESSION_MAX_RUNNERS];
	size_t n_runners;
	unsigned max_checks;

	check_queue queued;         /* waiting for a slot */
	check_queue ready;          /* rules to run or resume */
	check_queue want_runner;    /* rules waiting for a free runner */
	check_queue finished;       /* callbacks to run */
	dnsvet_check *all;          /* every submitted check not yet delivered */
	size_t active;              /* checks holding a slot */
	size_t pending;             /* submitted, callback not yet run */
	int in_callback;
	int in_process;
	int closing;
	uint64_t checks_done;
};

void session_log(dnsvet_session *s, dnsvet_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
double session_now(void);

void checkq_push(check_queue *q, dnsvet_check *c);
dnsvet_check *checkq_pop(check_queue *q);

/* Pipeline steps (core/session/pipeline.c). Each returns 1 when it made progress. */
int pipeline_start(dnsvet_session *s, dnsvet_check *c);   /* 0: no runner free, retry */
void pipeline_rules(dnsvet_session *s, dnsvet_check *c);
/* Ends a check that cannot go on with a report saying why. */
void pipeline_fail(dnsvet_session *s, dnsvet_check *c, dnsvet_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A free runner (created when the pool is not full), or NULL. */
session_runner *pipeline_runner_get(dnsvet_session *s);
void pipeline_runner_release(dnsvet_session *s, session_runner *r);

/* Adds a follow-up's answers entries to obs without replacing what is there
 * (core/session/merge.c); returns the number of replies added. */
unsigned session_merge_answers(dnsvet_obs *obs, const dnsvet_node *answers);

#endif
