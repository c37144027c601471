/*
 * Rule fixtures: a YAML file with observations and the findings they must (and must not)
 * produce. The runner replays the observations through every rule of the runner and
 * compares; a failure report lists what was expected and what was found.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "rules/rules_int.h"

typedef struct expected {
	const char *rule;
	const char *severity;
	const char *name;
	const char *type;
	const char *message;       /* substring */
	int fields;                /* how specific: matched first */
	const dnsvet_node *at;
} expected;

typedef struct report {
	char *p;
	size_t n, cap;
	int nomem;
} report;

static void rp_add(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void rp_add(report *r, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int len;

	va_start(ap, fmt);
	len = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (len < 0) {
		r->nomem = 1;
		return;
	}
	if (r->n + (size_t)len + 1 > r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 512;

		while (cap < r->n + (size_t)len + 1)
			cap *= 2;
		char *p = realloc(r->p, cap);

		if (!p) {
			free(s);
			r->nomem = 1;
			return;
		}
		r->p = p;
		r->cap = cap;
	}
	memcpy(r->p + r->n, s, (size_t)len + 1);
	r->n += (size_t)len;
	free(s);
}

static const char *const fixture_fields[] = {
	"description", "observations", "findings", "absent", "exact", NULL
};
static const char *const expected_fields[] = {
	"rule", "severity", "subject", "message", NULL
};

static int known(const char *k, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(k, list[i]) == 0)
			return 1;
	return 0;
}

static void where(const dnsvet_node *n, const char *path, char *buf, size_t len)
{
	dnsvet_node_mark m = dnsvet_node_mark_of(n);

	if (m.line)
		snprintf(buf, len, "%s:%u:%u", path, m.line, m.column);
	else
		snprintf(buf, len, "%s", path);
}

/* Reads `findings:`; returns -1 with a message in rp on a malformed item. */
static int read_expected(const dnsvet_node *list, const char *path, expected **out, size_t *n,
                         report *rp)
{
	char at[600];
	size_t cnt = dnsvet_node_size(list);
	expected *e;

	*out = NULL;
	*n = 0;
	if (list && dnsvet_node_type_of(list) != DNSVET_NODE_LIST) {
		where(list, path, at, sizeof(at));
		rp_add(rp, "%s: 'findings' must be a list of {rule, severity, subject}\n", at);
		return -1;
	}
	e = calloc(cnt ? cnt : 1, sizeof(*e));
	if (!e) {
		rp->nomem = 1;
		return -1;
	}
	for (size_t i = 0; i < cnt; i++) {
		const dnsvet_node *it = dnsvet_node_list_at(list, i), *subj;

		where(it, path, at, sizeof(at));
		if (dnsvet_node_type_of(it) != DNSVET_NODE_MAP) {
			rp_add(rp, "%s: a findings item must be a map {rule, severity, subject}\n", at);
			free(e);
			return -1;
		}
		for (size_t k = 0; k < dnsvet_node_size(it); k++) {
			if (!known(dnsvet_node_map_key_at(it, k), expected_fields)) {
				rp_add(rp, "%s: unknown field '%s' in a findings item (fields: rule, severity, "
				       "subject, message)\n", at, dnsvet_node_map_key_at(it, k));
				free(e);
				return -1;
			}
		}
		e[i].at = it;
		e[i].rule = dnsvet_node_string(dnsvet_node_map_get(it, "rule"));
		e[i].severity = dnsvet_node_string(dnsvet_node_map_get(it, "severity"));
		e[i].message = dnsvet_node_string(dnsvet_node_map_get(it, "message"));
		subj = dnsvet_node_map_get(it, "subject");
		e[i].name = dnsvet_node_string(dnsvet_node_map_get(subj, "name"));
		e[i].type = dnsvet_node_string(dnsvet_node_map_get(subj, "type"));
		if (!e[i].rule) {
			rp_add(rp, "%s: a findings item needs 'rule'\n", at);
			free(e);
			return -1;
		}
		if (subj && !e[i].name) {
			rp_add(rp, "%s: 'subject' needs 'name'\n", at);
			free(e);
			return -1;
		}
		e[i].fields = !!e[i].severity + !!e[i].name + !!e[i].type + !!e[i].message;
	}
	*out = e;
	*n = cnt;
	return 0;
}

static int matches(const expected *e, const dnsvet_finding *f)
{
	const char *st = dnsvet_finding_subject_type(f);

	if (strcmp(e->rule, dnsvet_finding_rule(f)) != 0)
		return 0;
	if (e->severity && strcmp(e->severity, dnsvet_severity_str(dnsvet_finding_severity(f))) != 0)
		return 0;
	if (e->name && !rules_name_eq(e->name, dnsvet_finding_subject_name(f)))
		return 0;
	if (e->type && (!st || strcasecmp(e->type, st) != 0))
		return 0;
	if (e->message && !strstr(dnsvet_finding_message(f), e->message))
		return 0;
	return 1;
}

static void describe_expected(report *rp, const expected *e)
{
	rp_add(rp, "  - %s", e->rule);
	if (e->severity)
		rp_add(rp, " %s", e->severity);
	if (e->name)
		rp_add(rp, " %s", e->name);
	if (e->type)
		rp_add(rp, " %s", e->type);
	if (e->message)
		rp_add(rp, " (message containing \"%s\")", e->message);
	rp_add(rp, "\n");
}

static void describe_finding(report *rp, char mark, const dnsvet_finding *f, const char *why)
{
	const char *st = dnsvet_finding_subject_type(f);

	rp_add(rp, "  %c %s %s %s%s%s: %s%s%s%s\n", mark, dnsvet_finding_rule(f),
	       dnsvet_severity_str(dnsvet_finding_severity(f)), dnsvet_finding_subject_name(f),
	       st ? " " : "", st ? st : "", dnsvet_finding_message(f), why ? "  [" : "",
	       why ? why : "", why ? "]" : "");
}

static int cmp_specific(const void *a, const void *b)
{
	const expected *x = *(const expected *const *)a, *y = *(const expected *const *)b;

	return y->fields - x->fields;
}

static int absent_match(const dnsvet_node *absent, const dnsvet_finding *f)
{
	for (size_t i = 0; i < dnsvet_node_size(absent); i++) {
		const char *pat = dnsvet_node_string(dnsvet_node_list_at(absent, i));

		if (pat && fnmatch(pat, dnsvet_finding_rule(f), 0) == 0)
			return 1;
	}
	return 0;
}

/*
 * Compares; returns 1 when the fixture passes. On failure rp gets a diff of the expected
 * against the actual findings: "-" an expectation nothing matched, "+" a finding that must
 * not be there, " " the other findings, in run order.
 */
static int compare(dnsvet_rules_runner *runner, const dnsvet_finding_list *got, expected *exp,
                   size_t nexp, const dnsvet_node *absent, int exact, report *rp)
{
	size_t nf = dnsvet_finding_list_count(got);
	char *used = calloc(nf ? nf : 1, 1);
	const expected **order = calloc(nexp ? nexp : 1, sizeof(*order));
	char *missing = calloc(nexp ? nexp : 1, 1);
	int ok = 1;

	if (!used || !order || !missing) {
		free(used);
		free(order);
		free(missing);
		rp->nomem = 1;
		return 0;
	}
	for (size_t i = 0; i < nexp; i++)
		order[i] = &exp[i];
	/* the most specific expectations pick their finding first */
	qsort(order, nexp, sizeof(*order), cmp_specific);
	for (size_t i = 0; i < nexp; i++) {
		int found = 0;

		for (size_t j = 0; j < nf && !found; j++) {
			if (!used[j] && matches(order[i], dnsvet_finding_list_at(got, j))) {
				used[j] = 1;
				found = 1;
			}
		}
		if (!found) {
			missing[order[i] - exp] = 1;
			ok = 0;
		}
	}
	for (size_t i = 0; i < dnsvet_node_size(absent); i++) {
		const char *pat = dnsvet_node_string(dnsvet_node_list_at(absent, i));

		if (pat && !strpbrk(pat, "*?[") && !dnsvet_rules_find(runner->rules, pat)) {
			rp_add(rp, "  absent: no rule '%s' is loaded (a typo?)\n", pat);
			ok = 0;
		}
	}
	for (size_t j = 0; j < nf; j++) {
		const dnsvet_finding *f = dnsvet_finding_list_at(got, j);

		if (absent_match(absent, f) ||
		    (!used[j] && (exact || strcmp(dnsvet_finding_rule(f), DNSVET_RULE_ERROR_ID) == 0)))
			ok = 0;
	}
	if (!ok) {
		rp_add(rp, "  --- expected\n  +++ found\n");
		/* in file order, so the diff reads like the fixture */
		for (size_t i = 0; i < nexp; i++) {
			if (!missing[i])
				continue;
			describe_expected(rp, &exp[i]);
			if (!dnsvet_rules_find(runner->rules, exp[i].rule))
				rp_add(rp, "      (no rule with this id is loaded)\n");
		}
		for (size_t j = 0; j < nf; j++) {
			const dnsvet_finding *f = dnsvet_finding_list_at(got, j);

			if (absent_match(absent, f))
				describe_finding(rp, '+', f, "listed as absent");
			else if (!used[j] && strcmp(dnsvet_finding_rule(f), DNSVET_RULE_ERROR_ID) == 0)
				describe_finding(rp, '+', f, "a rule failed");
			else if (!used[j] && exact)
				describe_finding(rp, '+', f, "not expected (exact: true)");
			else
				describe_finding(rp, ' ', f, NULL);
		}
		if (nf == 0)
			rp_add(rp, "    (no findings)\n");
	}
	free(used);
	free(order);
	free(missing);
	return ok;
}

static int check_obs(dnsvet_node *obs, const char *path, report *rp)
{
	const dnsvet_node *expect = dnsvet_node_map_get(obs, "expect");
	char at[600];

	if (!dnsvet_node_string(dnsvet_node_map_get(obs, "domain"))) {
		where(obs, path, at, sizeof(at));
		rp_add(rp, "%s: observations need 'domain'\n", at);
		return -1;
	}
	if (!dnsvet_node_map_get(obs, "schema"))
		dnsvet_node_map_set_string(obs, "schema", "dnsvet.obs/1");
	if (!dnsvet_node_map_get(obs, "started"))
		dnsvet_node_map_set_int(obs, "started", 0);
	if (expect && !dnsvet_node_map_get(expect, "records")) {
		where(expect, path, at, sizeof(at));
		rp_add(rp, "%s: 'expect' needs 'records' (the derived record set) in fixtures\n", at);
		return -1;
	}
	return 0;
}

dnsvet_status dnsvet_rules_fixture_run(dnsvet_rules_runner *runner, const char *path,
                                       dnsvet_rules_fixture_result *res)
{
	dnsvet_node *doc = NULL, *obs;
	dnsvet_node_error nerr;
	dnsvet_finding_list *got = NULL;
	expected *exp = NULL;
	size_t nexp = 0;
	report rp = {0};
	const dnsvet_node *absent, *exact;
	dnsvet_status st;
	char at[600];

	memset(res, 0, sizeof(*res));
	st = dnsvet_node_load_yaml_file(path, &doc, &nerr);
	if (st == DNSVET_ERR_NOMEM)
		return st;
	if (st) {
		rp_add(&rp, "%s\n", nerr.message[0] ? nerr.message : dnsvet_status_str(st));
		goto done;
	}
	res->description = rules_strdup(dnsvet_node_string(dnsvet_node_map_get(doc, "description")));
	where(doc, path, at, sizeof(at));
	if (dnsvet_node_type_of(doc) != DNSVET_NODE_MAP) {
		rp_add(&rp, "%s: a fixture is a map with description, observations, findings, absent\n", at);
		goto done;
	}
	for (size_t k = 0; k < dnsvet_node_size(doc); k++) {
		if (!known(dnsvet_node_map_key_at(doc, k), fixture_fields)) {
			rp_add(&rp, "%s: unknown field '%s' (fields: description, observations, findings, "
			       "absent, exact)\n", path, dnsvet_node_map_key_at(doc, k));
			goto done;
		}
	}
	obs = dnsvet_node_map_get(doc, "observations");
	if (dnsvet_node_type_of(obs) != DNSVET_NODE_MAP) {
		rp_add(&rp, "%s: 'observations' (a dnsvet.obs/1 map) is required\n", path);
		goto done;
	}
	absent = dnsvet_node_map_get(doc, "absent");
	if (absent && dnsvet_node_type_of(absent) != DNSVET_NODE_LIST) {
		where(absent, path, at, sizeof(at));
		rp_add(&rp, "%s: 'absent' must be a list of rule ids\n", at);
		goto done;
	}
	exact = dnsvet_node_map_get(doc, "exact");
	if (read_expected(dnsvet_node_map_get(doc, "findings"), path, &exp, &nexp, &rp) ||
	    check_obs(obs, path, &rp))
		goto done;
	st = dnsvet_rules_run(runner, obs, NULL, &got);
	if (st == DNSVET_ERR_NOMEM) {
		free(exp);
		dnsvet_node_free(doc);
		free(rp.p);
		dnsvet_rules_fixture_result_clear(res);
		return st;
	}
	if (st) {
		rp_add(&rp, "the rules could not run: %s\n", dnsvet_status_str(st));
		goto done;
	}
	res->passed = compare(runner, got, exp, nexp, absent, dnsvet_node_bool(exact, 0), &rp);
done:
	free(exp);
	dnsvet_finding_list_free(got);
	dnsvet_node_free(doc);
	if (rp.nomem) {
		free(rp.p);
		dnsvet_rules_fixture_result_clear(res);
		return DNSVET_ERR_NOMEM;
	}
	if (res->passed) {
		free(rp.p);
		rp.p = NULL;
	}
	res->report = rp.p;
	return DNSVET_OK;
}

void dnsvet_rules_fixture_result_clear(dnsvet_rules_fixture_result *res)
{
	if (!res)
		return;
	free(res->description);
	free(res->report);
	memset(res, 0, sizeof(*res));
}

/* ---- finding fixture files ---- */

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int collect(const char *dir, strvec *out, int depth)
{
	DIR *d;
	struct dirent *e;

	if (depth > 8)
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (strcmp(e->d_name, "data") == 0)
				continue;
			if (collect(path, out, depth + 1)) {
				closedir(d);
				return -1;
			}
		} else if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0) {
			if (strvec_push(out, path)) {
				closedir(d);
				return -1;
			}
		}
	}
	closedir(d);
	return 0;
}

dnsvet_status dnsvet_rules_fixture_paths(const char *path, char ***paths, size_t *n)
{
	struct stat st;
	strvec v = {0};
	char *p;
	size_t len;

	*paths = NULL;
	*n = 0;
	if (stat(path, &st) != 0)
		return errno == ENOENT ? DNSVET_ERR_NOT_FOUND : DNSVET_ERR_IO;
	if (!S_ISDIR(st.st_mode)) {
		if (strvec_push(&v, path))
			return DNSVET_ERR_NOMEM;
	} else {
		p = strdup(path);
		if (!p)
			return DNSVET_ERR_NOMEM;
		len = strlen(p);
		while (len > 1 && p[len - 1] == '/')
			p[--len] = '\0';
		if (collect(p, &v, 0)) {
			free(p);
			strvec_free(&v);
			return DNSVET_ERR_NOMEM;
		}
		free(p);
		if (v.n > 1)
			qsort(v.v, v.n, sizeof(*v.v), path_cmp);
	}
	*paths = v.v;
	*n = v.n;
	return DNSVET_OK;
}

void dnsvet_rules_fixture_paths_free(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}
