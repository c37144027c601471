/*
 * Runs whole checks (session.h) for the rule catalogue test, inside the lab.
 *
 * usage: catalogue_check RULES_DIR < REQUESTS
 *
 * Each line of REQUESTS is one check: the domain, then key=value words:
 *   token=T (repeatable), region=R, mail_from=M, legacy=T, selector=S,
 *   edited_ns=HOST (repeatable), identity=FILE (SES identity JSON), dmarc=no,
 *   record=FILE (save the observations).
 * Every check is submitted to one session before any runs, as a batch would be. For each
 * line, in input order, one JSON object is printed on its own line:
 *   {"line":N, "domain":..., "verdict":..., "status":"ok"|why, "error":..., "findings":[...]}
 * A line that cannot be turned into a check gets {"line":N, "error":...}. The root hints
 * and resolvers come from the lab's environment (LAB_ROOT_HINTS, LAB_RESOLVERS).
 * Exit status: 0 when every report was printed, 2 for usage or setup errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dnsvet/dnsvet.h>

struct slot {
	unsigned line;
	char *domain;
	char *error;            /* the request was refused: no report */
	dnsvet_report *report;  /* owned once the check is done */
};

static void done(dnsvet_session *session, dnsvet_report *report, void *user)
{
	struct slot *s = user;

	(void)session;
	s->report = report;
}

static char *dupf(const char *prefix, const char *what)
{
	size_t n = strlen(prefix) + strlen(what) + 3;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s: %s", prefix, what);
	return p;
}

/* Applies one key=value word to the check; NULL on success, else an error (caller frees). */
static char *apply(dnsvet_check *check, char *word)
{
	dnsvet_expect *e = dnsvet_check_expect(check);
	dnsvet_expect_error xerr;
	dnsvet_status st;
	char *val = strchr(word, '=');

	memset(&xerr, 0, sizeof(xerr));
	if (!val)
		return dupf(word, "expected key=value");
	*val++ = '\0';
	if (strcmp(word, "token") == 0)
		st = dnsvet_expect_add_dkim_token(e, val, &xerr);
	else if (strcmp(word, "region") == 0)
		st = dnsvet_expect_set_region(e, val, &xerr);
	else if (strcmp(word, "mail_from") == 0)
		st = dnsvet_expect_set_mail_from(e, val, &xerr);
	else if (strcmp(word, "legacy") == 0)
		st = dnsvet_expect_set_legacy_token(e, val, &xerr);
	else if (strcmp(word, "selector") == 0)
		st = dnsvet_expect_set_byodkim_selector(e, val, &xerr);
	else if (strcmp(word, "edited_ns") == 0)
		st = dnsvet_expect_add_edited_ns(e, val, &xerr);
	else if (strcmp(word, "identity") == 0)
		st = dnsvet_expect_load_ses_json_file(e, val, &xerr);
	else if (strcmp(word, "record") == 0)
		st = dnsvet_check_set_record(check, val);
	else if (strcmp(word, "dmarc") == 0) {
		dnsvet_expect_set_dmarc(e, strcmp(val, "no") != 0);
		st = DNSVET_OK;
	} else
		return dupf(word, "unknown key");
	if (st != DNSVET_OK)
		return dupf(word, xerr.message[0] ? xerr.message : dnsvet_status_str(st));
	return NULL;
}

/* Builds the check of one request line and submits it; fills s->error when it cannot. */
static void submit(dnsvet_session *session, char *text, struct slot *s)
{
	char errbuf[512];
	char *save = NULL;
	char *word = strtok_r(text, " \t\r\n", &save);
	dnsvet_check *check;

	s->domain = strdup(word);
	if (dnsvet_check_new(word, &check, errbuf, sizeof(errbuf)) != DNSVET_OK) {
		s->error = strdup(errbuf);
		return;
	}
	while ((word = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
		s->error = apply(check, word);
		if (s->error) {
			dnsvet_check_free(check);
			return;
		}
	}
	if (dnsvet_session_submit(session, check, done, s) != DNSVET_OK)
		s->error = strdup("the session refused the check");
}

static dnsvet_node *describe(const struct slot *s)
{
	dnsvet_node *m = dnsvet_node_new_map();
	dnsvet_node *findings = NULL;

	if (!m)
		return NULL;
	dnsvet_node_map_set_int(m, "line", s->line);
	dnsvet_node_map_set_string(m, "domain", s->domain ? s->domain : "");
	if (s->error) {
		dnsvet_node_map_set_string(m, "error", s->error);
		return m;
	}
	if (!s->report) {
		dnsvet_node_map_set_string(m, "error", "no report: the callback never ran");
		return m;
	}
	dnsvet_node_map_set_string(m, "verdict", dnsvet_verdict_str(dnsvet_report_verdict(s->report)));
	dnsvet_node_map_set_string(m, "status", dnsvet_report_status(s->report) == DNSVET_OK
	                           ? "ok" : dnsvet_status_str(dnsvet_report_status(s->report)));
	if (dnsvet_report_error(s->report))
		dnsvet_node_map_set_string(m, "error", dnsvet_report_error(s->report));
	if (dnsvet_finding_list_to_node(dnsvet_report_findings(s->report), &findings) == DNSVET_OK)
		dnsvet_node_map_set(m, "findings", findings);
	return m;
}

int main(int argc, char **argv)
{
	dnsvet_session_opts opts;
	dnsvet_session *session;
	struct slot *slots = NULL;
	size_t n = 0, cap = 0;
	char errbuf[512];
	char buf[8192];
	unsigned line = 0;
	int rc = 0;

	if (argc != 2 || !getenv("LAB_ROOT_HINTS") || !getenv("LAB_RESOLVERS")) {
		fprintf(stderr, "usage: catalogue_check RULES_DIR < REQUESTS (inside tests/lab/labrun)\n");
		return 2;
	}
	dnsvet_session_opts_default(&opts);
	opts.lab = 1;
	opts.root_hints_file = getenv("LAB_ROOT_HINTS");
	opts.resolvers = getenv("LAB_RESOLVERS");
	opts.builtin_rules_dir = argv[1];
	if (dnsvet_session_new(&opts, &session, errbuf, sizeof(errbuf)) != DNSVET_OK) {
		fprintf(stderr, "catalogue_check: %s\n", errbuf);
		return 2;
	}
	/* slots are addressed by the callbacks: read every line first, then submit */
	while (fgets(buf, sizeof(buf), stdin)) {
		line++;
		if (strspn(buf, " \t\r\n") == strlen(buf) || buf[0] == '#')
			continue;
		if (n == cap) {
			struct slot *p = realloc(slots, (cap = cap ? cap * 2 : 64) * sizeof(*p));

			if (!p) {
				fprintf(stderr, "catalogue_check: out of memory\n");
				rc = 2;
				goto out;
			}
			slots = p;
		}
		memset(&slots[n], 0, sizeof(slots[n]));
		slots[n].line = line;
		slots[n].domain = strdup(buf);  /* the request text until submitted */
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		char *text = slots[i].domain;

		slots[i].domain = NULL;
		submit(session, text, &slots[i]);
		free(text);
	}
	if (dnsvet_session_run(session) != DNSVET_OK) {
		fprintf(stderr, "catalogue_check: the session failed\n");
		rc = 2;
	}
	for (size_t i = 0; i < n; i++) {
		dnsvet_node *d = describe(&slots[i]);
		char *json = NULL;

		if (!d || dnsvet_node_to_json(d, 0, &json) != DNSVET_OK) {
			fprintf(stderr, "catalogue_check: line %u: cannot render the report\n", slots[i].line);
			rc = 2;
		} else
			printf("%s\n", json);
		free(json);
		dnsvet_node_free(d);
	}
out:
	for (size_t i = 0; i < n; i++) {
		free(slots[i].domain);
		free(slots[i].error);
		dnsvet_report_free(slots[i].report);
	}
	free(slots);
	dnsvet_session_free(session);
	return rc;
}
