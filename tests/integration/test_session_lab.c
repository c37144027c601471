/*
 * Sessions and reports against the lab (run through tests/lab/labrun with the healthy,
 * double-suffix, stale-cache and catalogue scenarios):
 *   test_session_lab SCHEMA.json VALIDATOR.py
 * blocking checks (ready and broken), many asynchronous checks driven with poll(),
 * record then replay with follow-up questions, bad input, log messages, and the JSON
 * documents validated against the schema.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dnsvet/dnsvet.h>

static int failures;
static char tmpdir[] = "/tmp/dnsvet-session-test.XXXXXX";

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                                        \
		}                                                                          \
	} while (0)

#define CHECK_STR(got, want)                                                               \
	do {                                                                               \
		const char *g_ = (got), *w_ = (want);                                      \
		if (!g_ || strcmp(g_, w_) != 0) {                                          \
			fprintf(stderr, "%s:%d: %s is \"%s\", want \"%s\"\n", __FILE__,    \
			        __LINE__, #got, g_ ? g_ : "(null)", w_);                    \
			failures++;                                                        \
		}                                                                          \
	} while (0)

/* The lab's domains and what SES would say about them. */
typedef struct lab_domain {
	const char *domain;
	const char *mail_from;
	const char *tokens[3];
} lab_domain;

static const lab_domain HEALTHY = {
	"healthy-shop.com", "mail.healthy-shop.com",
	{"xu7wq45c257az4iapfcri5eysanb6cei", "haf3bdhvfzyxy4nicfwiqmbtsybz42h7",
	 "jyv5a33cls4xe666fysejgcj336txro4"}};
static const lab_domain SUFFIX = {
	"suffix-gallery.com", "mail.suffix-gallery.com",
	{"ujzdegxdncf32epf3dhodzdocis2jhtl", "gmxgedn73u55xtplpft7v4seh2kvj72c",
	 "euvw75efr6edt4sywb5wkh7dnsipzz7f"}};
/* its MAIL FROM SPF record needs include lookups: the SPF rules ask follow-up questions */
static const lab_domain LONGCHAIN = {
	"longchain-spf.com", "mail.longchain-spf.com",
	{"unpny5ngjhk6zvbi3g4nxgv6vil7e6p7", "prnpv3s2v44pfjez6cdrhagujjaebxni",
	 "uwqwhviq7bqv26isaof7bloo7zrd66c2"}};

typedef struct log_seen {
	int warnings;
	int mentions_broken_rule;
	int rule_printed;
} log_seen;

static void log_cb(void *user, dnsvet_log_level level, const char *message)
{
	log_seen *ls = user;

	if (!ls)
		return;
	if (level == DNSVET_LOG_WARNING)
		ls->warnings++;
	if (strstr(message, "broken.lua"))
		ls->mentions_broken_rule = 1;
	if (level == DNSVET_LOG_DEBUG && strstr(message, "local.hello") &&
	    strstr(message, "hello healthy-shop.com"))
		ls->rule_printed = 1;
}

static dnsvet_session *lab_session(log_seen *ls)
{
	dnsvet_session_opts o;
	dnsvet_session *s = NULL;
	char err[512];

	dnsvet_session_opts_default(&o);
	o.root_hints_file = getenv("LAB_ROOT_HINTS");
	o.resolvers = getenv("LAB_RESOLVERS");
	o.lab = 1;
	o.timeout_ms = 400;
	o.log = log_cb;
	o.log_user = ls;
	if (dnsvet_session_new(&o, &s, err, sizeof(err)) != DNSVET_OK) {
		fprintf(stderr, "session: %s\n", err);
		return NULL;
	}
	return s;
}

static dnsvet_check *mk_check(const lab_domain *d)
{
	dnsvet_check *c = NULL;
	dnsvet_expect_error ee;
	char err[512];

	if (dnsvet_check_new(d->domain, &c, err, sizeof(err)) != DNSVET_OK) {
		fprintf(stderr, "check %s: %s\n", d->domain, err);
		failures++;
		return NULL;
	}
	for (size_t i = 0; i < 3; i++)
		CHECK(dnsvet_expect_add_dkim_token(dnsvet_check_expect(c), d->tokens[i], &ee) == DNSVET_OK);
	CHECK(dnsvet_expect_set_mail_from(dnsvet_check_expect(c), d->mail_from, &ee) == DNSVET_OK);
	return c;
}

static int has_rule(const dnsvet_report *r, const char *rule)
{
	const dnsvet_finding_list *fl = dnsvet_report_findings(r);

	for (size_t i = 0; i < dnsvet_finding_list_count(fl); i++)
		if (!strcmp(dnsvet_finding_rule(dnsvet_finding_list_at(fl, i)), rule))
			return 1;
	return 0;
}

static void dump_findings(const dnsvet_report *r)
{
	const dnsvet_finding_list *fl = dnsvet_report_findings(r);

	for (size_t i = 0; i < dnsvet_finding_list_count(fl); i++) {
		const dnsvet_finding *f = dnsvet_finding_list_at(fl, i);

		fprintf(stderr, "  finding %s (%s): %s\n", dnsvet_finding_rule(f),
		        dnsvet_severity_str(dnsvet_finding_severity(f)), dnsvet_finding_message(f));
	}
}

static void save_json(const dnsvet_report *r, const char *name)
{
	char path[256], *json = NULL;
	FILE *fp;

	CHECK(dnsvet_report_to_json(r, 1, &json) == DNSVET_OK);
	snprintf(path, sizeof(path), "%s/%s.json", tmpdir, name);
	fp = fopen(path, "w");
	CHECK(fp != NULL);
	if (fp && json) {
		fputs(json, fp);
		fclose(fp);
	}
	free(json);
}

/* ---- blocking checks ---- */

static void test_healthy(dnsvet_session *s)
{
	dnsvet_check *c = mk_check(&HEALTHY);
	dnsvet_report *r = NULL;
	dnsvet_report_stats rs;

	if (!c)
		return;
	CHECK(dnsvet_check_set_label(c, "customer-42") == DNSVET_OK);
	CHECK(dnsvet_session_check(s, c, &r) == DNSVET_OK);
	if (!r)
		return;
	CHECK_STR(dnsvet_report_domain(r), "healthy-shop.com");
	CHECK_STR(dnsvet_report_label(r), "customer-42");
	CHECK(dnsvet_report_status(r) == DNSVET_OK);
	CHECK(dnsvet_report_error(r) == NULL);
	CHECK(dnsvet_report_verdict(r) == DNSVET_VERDICT_READY);
	CHECK(dnsvet_report_pending_until(r) == 0);
	if (dnsvet_report_verdict(r) != DNSVET_VERDICT_READY)
		dump_findings(r);
	CHECK(dnsvet_finding_list_count_severity(dnsvet_report_findings(r), DNSVET_SEVERITY_ERROR) == 0);
	/* 3 DKIM CNAMEs, MAIL FROM MX and SPF, DMARC, apex SPF */
	CHECK(dnsvet_report_record_count(r) == 7);
	for (size_t i = 0; i < dnsvet_report_record_count(r); i++) {
		dnsvet_report_record rec;

		CHECK(dnsvet_report_record_at(r, i, &rec) == DNSVET_OK);
		if (rec.state != DNSVET_RECORD_OK)
			fprintf(stderr, "  record %s %s is %s\n", rec.name, rec.type,
			        dnsvet_record_state_str(rec.state));
		CHECK(rec.state == DNSVET_RECORD_OK);
		CHECK(rec.seen == NULL);
	}
	{
		dnsvet_report_record rec;

		CHECK(dnsvet_report_record_at(r, 7, &rec) == DNSVET_ERR_INVALID);
		CHECK(dnsvet_report_record_at(r, 0, &rec) == DNSVET_OK);
		CHECK_STR(rec.role, "dkim");
		CHECK_STR(rec.type, "CNAME");
		CHECK_STR(rec.value, "xu7wq45c257az4iapfcri5eysanb6cei.dkim.amazonses.com");
		CHECK(rec.required == 1);
	}
	CHECK(dnsvet_report_obs(r) != NULL);
	CHECK_STR(dnsvet_obs_domain(dnsvet_report_obs(r)), "healthy-shop.com");
	dnsvet_report_stats_get(r, &rs);
	CHECK(rs.queries > 20);
	CHECK(rs.rtts >= 3);
	CHECK(rs.elapsed_ms > 0);
	save_json(r, "healthy");
	dnsvet_report_free(r);
}

static void test_broken(dnsvet_session *s)
{
	dnsvet_check *c = mk_check(&SUFFIX);
	dnsvet_report *r = NULL;
	int wrong = 0, missing = 0;

	if (!c)
		return;
	CHECK(dnsvet_session_check(s, c, &r) == DNSVET_OK);
	if (!r)
		return;
	CHECK(dnsvet_report_status(r) == DNSVET_OK);
	CHECK(dnsvet_report_verdict(r) == DNSVET_VERDICT_BROKEN);
	CHECK(has_rule(r, "record.name_double_suffix"));
	CHECK(has_rule(r, "record.value_zone_appended"));
	for (size_t i = 0; i < dnsvet_report_record_count(r); i++) {
		dnsvet_report_record rec;

		dnsvet_report_record_at(r, i, &rec);
		if (!strcmp(rec.name, "euvw75efr6edt4sywb5wkh7dnsipzz7f._domainkey.suffix-gallery.com")) {
			/* its target got the zone appended */
			CHECK(rec.state == DNSVET_RECORD_WRONG);
			CHECK_STR(rec.seen, "euvw75efr6edt4sywb5wkh7dnsipzz7f.dkim.amazonses.com.suffix-gallery.com");
			wrong++;
		} else if (!strcmp(rec.name, "ujzdegxdncf32epf3dhodzdocis2jhtl._domainkey.suffix-gallery.com") ||
		           (!strcmp(rec.name, "mail.suffix-gallery.com") && !strcmp(rec.type, "MX"))) {
			/* published one zone name too deep */
			CHECK(rec.state == DNSVET_RECORD_MISSING);
			missing++;
		} else if (!strcmp(rec.name, "_dmarc.suffix-gallery.com")) {
			CHECK(rec.state == DNSVET_RECORD_OK);
		}
	}
	CHECK(wrong == 1);
	CHECK(missing == 2);
	save_json(r, "broken");
	dnsvet_report_free(r);
}

/* A resolver still caches the old DKIM CNAMEs: right once its cache expires. */
static void test_pending(dnsvet_session *s)
{
	static const lab_domain STALE = {
		"cache-bistro.com", NULL,
		{"ayrp6jol63qsrg444wlmjjgnpayf6bgn", "3zbusjyt4chfmmbag33h36zzkapflyql",
		 "taobkzrdckwnsgk3semqew34bvqmculy"}};
	dnsvet_check *c = NULL;
	dnsvet_report *r = NULL;
	dnsvet_expect_error ee;
	const dnsvet_finding_list *fl;
	int64_t latest = 0, now = (int64_t)time(NULL);
	int dkim_pending = 0;

	CHECK(dnsvet_check_new(STALE.domain, &c, NULL, 0) == DNSVET_OK);
	if (!c)
		return;
	for (size_t i = 0; i < 3; i++)
		CHECK(dnsvet_expect_add_dkim_token(dnsvet_check_expect(c), STALE.tokens[i], &ee) == DNSVET_OK);
	CHECK(dnsvet_session_check(s, c, &r) == DNSVET_OK);
	if (!r)
		return;
	CHECK(dnsvet_report_verdict(r) == DNSVET_VERDICT_PENDING);
	if (dnsvet_report_verdict(r) != DNSVET_VERDICT_PENDING)
		dump_findings(r);
	CHECK(has_rule(r, "propagation.pending"));
	fl = dnsvet_report_findings(r);
	for (size_t i = 0; i < dnsvet_finding_list_count(fl); i++)
		if (dnsvet_finding_expires(dnsvet_finding_list_at(fl, i)) > latest)
			latest = dnsvet_finding_expires(dnsvet_finding_list_at(fl, i));
	CHECK(latest > now);
	CHECK(dnsvet_report_pending_until(r) == latest);
	for (size_t i = 0; i < dnsvet_report_record_count(r); i++) {
		dnsvet_report_record rec;

		dnsvet_report_record_at(r, i, &rec);
		if (!strcmp(rec.role, "dkim")) {
			CHECK(rec.state == DNSVET_RECORD_PENDING);
			dkim_pending++;
		}
	}
	CHECK(dkim_pending == 3);
	save_json(r, "pending");
	dnsvet_report_free(r);
}

/* ---- asynchronous checks ---- */

typedef struct async_ctx {
	int done;
	int ready, broken, unknown;
	int resubmitted;
	int blocking_refused;
} async_ctx;

static void async_done(dnsvet_session *s, dnsvet_report *r, void *user)
{
	async_ctx *a = user;
	dnsvet_report *inner = NULL;
	dnsvet_check *c;

	a->done++;
	switch (dnsvet_report_verdict(r)) {
	case DNSVET_VERDICT_READY: a->ready++; break;
	case DNSVET_VERDICT_BROKEN: a->broken++; break;
	case DNSVET_VERDICT_UNKNOWN: a->unknown++; break;
	default: break;
	}
	if (!strcmp(dnsvet_report_domain(r), HEALTHY.domain) && !a->resubmitted) {
		/* a callback may submit more checks, but not block on one */
		a->resubmitted = 1;
		c = mk_check(&HEALTHY);
		if (c)
			CHECK(dnsvet_session_submit(s, c, async_done, a) == DNSVET_OK);
		c = mk_check(&HEALTHY);
		if (c) {
			a->blocking_refused = dnsvet_session_check(s, c, &inner) == DNSVET_ERR_STATE;
			CHECK(inner == NULL);
		}
		CHECK(dnsvet_session_process(s, 0) == DNSVET_ERR_STATE);
	}
	if (dnsvet_report_status(r) != DNSVET_OK)
		save_json(r, "unknown");
	dnsvet_report_free(r);
}

static void test_async(dnsvet_session *s)
{
	async_ctx a;
	const lab_domain *doms[] = {&HEALTHY, &SUFFIX, &LONGCHAIN, &SUFFIX, &LONGCHAIN};
	char path[256];
	dnsvet_check *c;
	dnsvet_session_stats st0, st1;
	int loops = 0;

	memset(&a, 0, sizeof(a));
	dnsvet_session_stats_get(s, &st0);
	for (size_t i = 0; i < sizeof(doms) / sizeof(doms[0]); i++) {
		c = mk_check(doms[i]);
		if (c)
			CHECK(dnsvet_session_submit(s, c, async_done, &a) == DNSVET_OK);
	}
	/* a recording that does not exist: a report saying why, not a lost callback */
	if (dnsvet_check_new("missing-recording.com", &c, NULL, 0) == DNSVET_OK) {
		snprintf(path, sizeof(path), "%s/no-such-recording.yaml", tmpdir);
		CHECK(dnsvet_check_set_replay(c, path) == DNSVET_OK);
		CHECK(dnsvet_session_submit(s, c, async_done, &a) == DNSVET_OK);
	}
	CHECK(dnsvet_session_pending(s) == 6);
	/* nothing is sent before process */
	CHECK(a.done == 0);
	CHECK(dnsvet_session_submit(s, NULL, async_done, &a) == DNSVET_ERR_INVALID);
	while (dnsvet_session_pending(s) > 0 && loops++ < 100000) {
		struct pollfd pfd = {.fd = dnsvet_session_fd(s), .events = POLLIN};
		int t = dnsvet_session_next_timeout_ms(s);

		CHECK(pfd.fd >= 0);
		if (t != 0) {
			int n = poll(&pfd, 1, t < 0 ? 1000 : t);

			CHECK(n >= 0 || errno == EINTR);
		}
		CHECK(dnsvet_session_process(s, 0) == DNSVET_OK);
	}
	CHECK(dnsvet_session_pending(s) == 0);
	CHECK(a.done == 7);
	CHECK(a.ready == 2);
	CHECK(a.broken == 4);
	CHECK(a.unknown == 1);
	CHECK(a.resubmitted == 1);
	CHECK(a.blocking_refused == 1);
	dnsvet_session_stats_get(s, &st1);
	CHECK(st1.checks - st0.checks == 7);
	CHECK(st1.queries > st0.queries);
	/* referrals of the root and com were shared by the checks */
	CHECK(st1.cache_hits > st0.cache_hits);
}

typedef struct many_ctx {
	int done, ready, broken;
	dnsvet_node *first_findings;   /* of the first longchain report */
	int same_findings;
} many_ctx;

static void many_done(dnsvet_session *s, dnsvet_report *r, void *user)
{
	many_ctx *m = user;

	(void)s;
	m->done++;
	if (dnsvet_report_verdict(r) == DNSVET_VERDICT_READY)
		m->ready++;
	if (dnsvet_report_verdict(r) == DNSVET_VERDICT_BROKEN) {
		dnsvet_node *n = NULL;

		m->broken++;
		dnsvet_finding_list_to_node(dnsvet_report_findings(r), &n);
		if (!m->first_findings)
			m->first_findings = n;
		else {
			m->same_findings += dnsvet_node_equal(m->first_findings, n);
			dnsvet_node_free(n);
		}
	}
	dnsvet_report_free(r);
}

/*
 * More checks with follow-up questions than the session keeps rule runners: the rule
 * runs wait for each other, and every run gives the same findings whichever runner ran it.
 */
static void test_many(dnsvet_session *s, unsigned n_long, unsigned n_healthy)
{
	many_ctx m;

	memset(&m, 0, sizeof(m));
	for (unsigned i = 0; i < n_long + n_healthy; i++) {
		dnsvet_check *c = mk_check(i < n_long ? &LONGCHAIN : &HEALTHY);

		if (c)
			CHECK(dnsvet_session_submit(s, c, many_done, &m) == DNSVET_OK);
	}
	CHECK(dnsvet_session_run(s) == DNSVET_OK);
	CHECK(dnsvet_session_pending(s) == 0);
	CHECK(m.done == (int)(n_long + n_healthy));
	CHECK(m.ready == (int)n_healthy);
	CHECK(m.broken == (int)n_long);
	CHECK(m.same_findings == (int)n_long - 1);
	dnsvet_node_free(m.first_findings);
}

/* One check at a time: the others wait in the queue and still all finish. */
static void test_one_at_a_time(void)
{
	dnsvet_session_opts o;
	dnsvet_session *s = NULL;
	char err[512];

	dnsvet_session_opts_default(&o);
	o.root_hints_file = getenv("LAB_ROOT_HINTS");
	o.resolvers = getenv("LAB_RESOLVERS");
	o.lab = 1;
	o.timeout_ms = 400;
	o.max_checks = 1;
	CHECK(dnsvet_session_new(&o, &s, err, sizeof(err)) == DNSVET_OK);
	if (!s)
		return;
	test_many(s, 2, 2);
	dnsvet_session_free(s);
}

static void count_done(dnsvet_session *s, dnsvet_report *r, void *user)
{
	(void)s;
	(*(int *)user)++;
	dnsvet_report_free(r);
}

/* Freeing a session with checks at every stage cancels them without their callbacks. */
static void test_free_in_flight(void)
{
	dnsvet_session *s = lab_session(NULL);
	char path[256];
	dnsvet_check *c;
	int called = 0, before;

	if (!s)
		return;
	for (int i = 0; i < 4; i++) {
		c = mk_check(i % 2 ? &LONGCHAIN : &HEALTHY);
		if (c)
			CHECK(dnsvet_session_submit(s, c, count_done, &called) == DNSVET_OK);
	}
	snprintf(path, sizeof(path), "%s/no-such-recording.yaml", tmpdir);
	if (dnsvet_check_new("queued-replay.com", &c, NULL, 0) == DNSVET_OK) {
		dnsvet_check_set_replay(c, path);
		CHECK(dnsvet_session_submit(s, c, count_done, &called) == DNSVET_OK);
	}
	/* some probes under way, some follow-ups perhaps: then everything is dropped */
	for (int i = 0; i < 6; i++)
		dnsvet_session_process(s, 5);
	before = called;
	CHECK(dnsvet_session_pending(s) > 0);
	dnsvet_session_free(s);
	CHECK(called == before);
	/* a check never submitted is the caller's */
	c = mk_check(&HEALTHY);
	CHECK(c != NULL);
	dnsvet_check_free(c);
}

/* ---- record and replay ---- */

static void test_record_replay(dnsvet_session *s)
{
	char path[256];
	dnsvet_check *c = mk_check(&LONGCHAIN);
	dnsvet_report *live = NULL, *replayed = NULL, *unsaved = NULL;
	dnsvet_session *offline = NULL;
	dnsvet_session_opts o;
	dnsvet_node *a = NULL, *b = NULL;
	dnsvet_report_stats rs;
	struct stat sb;
	char err[512];

	if (!c)
		return;
	snprintf(path, sizeof(path), "%s/longchain.yaml", tmpdir);
	CHECK(dnsvet_check_set_record(c, path) == DNSVET_OK);
	CHECK(dnsvet_session_check(s, c, &live) == DNSVET_OK);
	if (!live)
		return;
	CHECK(stat(path, &sb) == 0);
	CHECK(dnsvet_report_verdict(live) == DNSVET_VERDICT_BROKEN);
	CHECK(has_rule(live, "spf.too_many_lookups"));
	dnsvet_report_stats_get(live, &rs);
	/* the SPF includes were asked as follow-ups, after the probe */
	CHECK(rs.rtts > 5);

	/* replay needs no network: a session without lab servers or resolvers */
	dnsvet_session_opts_default(&o);
	o.resolvers = "none";
	CHECK(dnsvet_session_new(&o, &offline, err, sizeof(err)) == DNSVET_OK);
	if (!offline) {
		dnsvet_report_free(live);
		return;
	}
	/* the domain given here is replaced by the recording's */
	CHECK(dnsvet_check_new("placeholder.example", &c, NULL, 0) == DNSVET_OK);
	CHECK(dnsvet_check_set_replay(c, path) == DNSVET_OK);
	CHECK(dnsvet_session_check(offline, c, &replayed) == DNSVET_OK);
	if (replayed) {
		CHECK_STR(dnsvet_report_domain(replayed), "longchain-spf.com");
		CHECK(dnsvet_report_status(replayed) == DNSVET_OK);
		CHECK(dnsvet_report_verdict(replayed) == dnsvet_report_verdict(live));
		CHECK(dnsvet_finding_list_to_node(dnsvet_report_findings(live), &a) == DNSVET_OK);
		CHECK(dnsvet_finding_list_to_node(dnsvet_report_findings(replayed), &b) == DNSVET_OK);
		CHECK(dnsvet_node_size(a) > 0);
		CHECK(dnsvet_node_equal(a, b));
		CHECK(!has_rule(replayed, DNSVET_RULE_ERROR_ID));
		CHECK(dnsvet_report_record_count(replayed) == dnsvet_report_record_count(live));
		for (size_t i = 0; i < dnsvet_report_record_count(live); i++) {
			dnsvet_report_record x, y;

			dnsvet_report_record_at(live, i, &x);
			dnsvet_report_record_at(replayed, i, &y);
			CHECK(x.state == y.state);
		}
		dnsvet_report_stats_get(replayed, &rs);
		CHECK(rs.queries == 0);
		save_json(replayed, "replayed");
	}
	/* a recording that cannot be written: the findings stand, the report says why */
	CHECK(dnsvet_check_new("placeholder.example", &c, NULL, 0) == DNSVET_OK);
	CHECK(dnsvet_check_set_replay(c, path) == DNSVET_OK);
	CHECK(dnsvet_check_set_record(c, "/nonexistent-dir/longchain.yaml") == DNSVET_OK);
	CHECK(dnsvet_session_check(offline, c, &unsaved) == DNSVET_OK);
	if (unsaved) {
		CHECK(dnsvet_report_status(unsaved) == DNSVET_ERR_IO);
		CHECK(dnsvet_report_error(unsaved) &&
		      strstr(dnsvet_report_error(unsaved), "/nonexistent-dir/longchain.yaml"));
		CHECK(dnsvet_report_verdict(unsaved) == dnsvet_report_verdict(live));
		CHECK(dnsvet_finding_list_count(dnsvet_report_findings(unsaved)) ==
		      dnsvet_finding_list_count(dnsvet_report_findings(live)));
		save_json(unsaved, "unsaved");
		dnsvet_report_free(unsaved);
	}
	dnsvet_node_free(a);
	dnsvet_node_free(b);
	dnsvet_report_free(live);
	dnsvet_report_free(replayed);
	dnsvet_session_free(offline);
}

/* ---- bad input ---- */

static void test_bad_input(void)
{
	dnsvet_check *c = NULL;
	dnsvet_session *s = NULL;
	dnsvet_session_opts o;
	char err[512];

	err[0] = '\0';
	CHECK(dnsvet_check_new("exa mple..com", &c, err, sizeof(err)) == DNSVET_ERR_INVALID);
	CHECK(c == NULL);
	CHECK(strstr(err, "domain") != NULL);
	CHECK(dnsvet_check_new("", &c, err, sizeof(err)) == DNSVET_ERR_INVALID);

	dnsvet_session_opts_default(&o);
	o.resolvers = "127.0.0.1, 8.8.8.x";
	err[0] = '\0';
	CHECK(dnsvet_session_new(&o, &s, err, sizeof(err)) != DNSVET_OK);
	CHECK(s == NULL);
	CHECK(strstr(err, "8.8.8.x") != NULL);

	dnsvet_session_opts_default(&o);
	o.select = "record.* and";
	err[0] = '\0';
	CHECK(dnsvet_session_new(&o, &s, err, sizeof(err)) == DNSVET_ERR_PARSE);
	CHECK(strstr(err, "select") != NULL);

	dnsvet_session_opts_default(&o);
	o.root_hints_file = "/nonexistent/named.root";
	err[0] = '\0';
	CHECK(dnsvet_session_new(&o, &s, err, sizeof(err)) != DNSVET_OK);
	CHECK(strstr(err, "/nonexistent/named.root") != NULL);
}

/* Recordings that cannot be replayed: a report naming the file and place, verdict unknown. */
static void test_replay_errors(void)
{
	dnsvet_session_opts o;
	dnsvet_session *s = NULL;
	dnsvet_check *c = NULL;
	dnsvet_report *r = NULL;
	char path[256], err[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/garbage.yaml", tmpdir);
	fp = fopen(path, "w");
	if (!fp) {
		failures++;
		return;
	}
	fputs("schema: dnsvet.obs/1\ndomain: x.com\nstarted: [1, 2\n", fp);
	fclose(fp);
	dnsvet_session_opts_default(&o);
	o.resolvers = "none";
	CHECK(dnsvet_session_new(&o, &s, err, sizeof(err)) == DNSVET_OK);
	if (!s)
		return;
	CHECK(dnsvet_check_new("garbage-recording.com", &c, NULL, 0) == DNSVET_OK);
	CHECK(dnsvet_check_set_replay(c, path) == DNSVET_OK);
	CHECK(dnsvet_session_check(s, c, &r) == DNSVET_OK);
	if (r) {
		CHECK(dnsvet_report_status(r) == DNSVET_ERR_PARSE);
		CHECK(dnsvet_report_verdict(r) == DNSVET_VERDICT_UNKNOWN);
		CHECK(dnsvet_report_error(r) && strstr(dnsvet_report_error(r), "garbage.yaml:"));
		CHECK(dnsvet_report_obs(r) == NULL);
		CHECK_STR(dnsvet_report_domain(r), "garbage-recording.com");
		CHECK(dnsvet_finding_list_count(dnsvet_report_findings(r)) == 0);
		for (size_t i = 0; i < dnsvet_report_record_count(r); i++) {
			dnsvet_report_record rec;

			dnsvet_report_record_at(r, i, &rec);
			CHECK(rec.state == DNSVET_RECORD_UNKNOWN);
		}
		save_json(r, "garbage");
		dnsvet_report_free(r);
	}
	dnsvet_session_free(s);
}

/* A broken user rule is logged and left out; what a rule prints reaches the log; the
 * session still works. */
static void test_rule_logs(void)
{
	char dir[256], sub[300], file[320];
	const char *dirs[1];
	dnsvet_session_opts o;
	dnsvet_session *s = NULL;
	dnsvet_check *c;
	dnsvet_report *r = NULL;
	log_seen ls = {0, 0, 0};
	char err[512];
	FILE *fp;

	snprintf(dir, sizeof(dir), "%s/rules", tmpdir);
	snprintf(sub, sizeof(sub), "%s/local", dir);
	snprintf(file, sizeof(file), "%s/broken.lua", sub);
	CHECK(mkdir(dir, 0700) == 0 && mkdir(sub, 0700) == 0);
	fp = fopen(file, "w");
	if (!fp) {
		failures++;
		return;
	}
	fputs("return { id = \"local.broken\", title = \n", fp);
	fclose(fp);
	snprintf(file, sizeof(file), "%s/hello.lua", sub);
	fp = fopen(file, "w");
	if (!fp) {
		failures++;
		return;
	}
	fputs("return {\n  id = \"local.hello\", title = \"Says hello\", severity = \"info\",\n"
	      "  tags = {\"local\"}, summary = \"Prints the domain.\",\n"
	      "  check = function(ctx) print(\"hello \" .. ctx.domain) end,\n}\n", fp);
	fclose(fp);
	dirs[0] = dir;
	dnsvet_session_opts_default(&o);
	o.root_hints_file = getenv("LAB_ROOT_HINTS");
	o.resolvers = getenv("LAB_RESOLVERS");
	o.lab = 1;
	o.rules_dirs = dirs;
	o.n_rules_dirs = 1;
	o.select = "local.*";
	o.log = log_cb;
	o.log_user = &ls;
	CHECK(dnsvet_session_new(&o, &s, err, sizeof(err)) == DNSVET_OK);
	CHECK(ls.warnings >= 1);
	CHECK(ls.mentions_broken_rule);
	if (s && (c = mk_check(&HEALTHY)) != NULL) {
		CHECK(dnsvet_session_check(s, c, &r) == DNSVET_OK);
		CHECK(r && dnsvet_finding_list_count(dnsvet_report_findings(r)) == 0);
		CHECK(r && dnsvet_report_verdict(r) == DNSVET_VERDICT_READY);
		dnsvet_report_free(r);
	}
	CHECK(ls.rule_printed);
	dnsvet_session_free(s);
}

static void test_json_schema(const char *schema, const char *validator)
{
	char cmd[2048];
	int rc;

	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 '%s' '%s' %s/*.json", validator, schema, tmpdir);
	rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "report JSON does not validate (%s)\n", cmd);
	CHECK(rc == 0);
}

int main(int argc, char **argv)
{
	dnsvet_session *s;
	log_seen ls = {0, 0, 0};
	char cmd[300];

	if (argc != 3) {
		fprintf(stderr, "usage: test_session_lab SCHEMA.json VALIDATOR.py\n");
		return 2;
	}
	if (!getenv("LAB_ROOT_HINTS") || !getenv("LAB_RESOLVERS")) {
		fprintf(stderr, "not inside the lab (run through tests/lab/labrun)\n");
		return 1;
	}
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_bad_input();
	test_rule_logs();
	test_replay_errors();
	s = lab_session(&ls);
	if (!s)
		return 1;
	test_healthy(s);
	test_broken(s);
	test_pending(s);
	test_async(s);
	test_many(s, 12, 6);
	test_record_replay(s);
	dnsvet_session_free(s);
	test_one_at_a_time();
	test_free_in_flight();
	test_json_schema(argv[1], argv[2]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("session lab tests passed\n");
	return 0;
}
