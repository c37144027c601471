/* The tally of an audit and the exit status it implies. */
#include <stdlib.h>
#include <string.h>
#include <dnsvet/finding.h>
#include "cli/audit_summary.h"
#include "cli/safe_text.h"

typedef struct failure_mode {
	char *rule;
	size_t domains;
} failure_mode;

struct audit_summary {
	size_t verdicts[DNSVET_VERDICT_UNKNOWN + 1];
	size_t invalid;
	int failed;
	char *shard;
	double elapsed_s;
	uint64_t queries;
	failure_mode *modes;
	size_t n_modes, cap_modes;
};

audit_summary *audit_summary_new(void)
{
	return calloc(1, sizeof(audit_summary));
}

void audit_summary_free(audit_summary *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_modes; i++)
		free(s->modes[i].rule);
	free(s->modes);
	free(s->shard);
	free(s);
}

/* Rules are few (tens), so a linear search beats a hash table here. */
static dnsvet_status count_mode(audit_summary *s, const char *rule)
{
	for (size_t i = 0; i < s->n_modes; i++) {
		if (strcmp(s->modes[i].rule, rule) == 0) {
			s->modes[i].domains++;
			return DNSVET_OK;
		}
	}
	if (s->n_modes == s->cap_modes) {
		size_t cap = s->cap_modes ? s->cap_modes * 2 : 16;
		failure_mode *m = realloc(s->modes, cap * sizeof(*m));

		if (!m)
			return DNSVET_ERR_NOMEM;
		s->modes = m;
		s->cap_modes = cap;
	}
	s->modes[s->n_modes].rule = strdup(rule);
	if (!s->modes[s->n_modes].rule)
		return DNSVET_ERR_NOMEM;
	s->modes[s->n_modes++].domains = 1;
	return DNSVET_OK;
}

dnsvet_status audit_summary_add(audit_summary *s, const dnsvet_report *report)
{
	const dnsvet_finding_list *fl = dnsvet_report_findings(report);
	size_t n = fl ? dnsvet_finding_list_count(fl) : 0;
	dnsvet_verdict v = dnsvet_report_verdict(report);

	s->verdicts[v <= DNSVET_VERDICT_UNKNOWN ? v : DNSVET_VERDICT_UNKNOWN]++;
	for (size_t i = 0; i < n; i++) {
		const dnsvet_finding *f = dnsvet_finding_list_at(fl, i);
		const char *rule = dnsvet_finding_rule(f);
		int again = 0;
		dnsvet_status st;

		if (dnsvet_finding_severity(f) > DNSVET_SEVERITY_WARNING)
			continue;
		/* a rule counts once per domain however many findings it made */
		for (size_t k = 0; k < i && !again; k++) {
			const dnsvet_finding *g = dnsvet_finding_list_at(fl, k);

			again = dnsvet_finding_severity(g) <= DNSVET_SEVERITY_WARNING &&
			        strcmp(dnsvet_finding_rule(g), rule) == 0;
		}
		if (!again && (st = count_mode(s, rule)))
			return st;
	}
	return DNSVET_OK;
}

void audit_summary_set_invalid(audit_summary *s, size_t invalid)
{
	s->invalid = invalid;
}

void audit_summary_set_failed(audit_summary *s)
{
	s->failed = 1;
}

dnsvet_status audit_summary_set_shard(audit_summary *s, const char *shard)
{
	free(s->shard);
	s->shard = shard ? strdup(shard) : NULL;
	return shard && !s->shard ? DNSVET_ERR_NOMEM : DNSVET_OK;
}

void audit_summary_set_run(audit_summary *s, double elapsed_s, uint64_t queries)
{
	s->elapsed_s = elapsed_s;
	s->queries = queries;
}

size_t audit_summary_domains(const audit_summary *s)
{
	size_t n = 0;

	for (int v = 0; v <= DNSVET_VERDICT_UNKNOWN; v++)
		n += s->verdicts[v];
	return n;
}

size_t audit_summary_verdict(const audit_summary *s, dnsvet_verdict v)
{
	return v <= DNSVET_VERDICT_UNKNOWN ? s->verdicts[v] : 0;
}

int audit_summary_exit(const audit_summary *s)
{
	if (s->failed)
		return 3;
	if (s->invalid)
		return 2;
	if (s->verdicts[DNSVET_VERDICT_BROKEN] || s->verdicts[DNSVET_VERDICT_UNKNOWN])
		return 1;
	return 0;
}

static int mode_cmp(const void *a, const void *b)
{
	const failure_mode *x = a, *y = b;

	if (x->domains != y->domains)
		return x->domains > y->domains ? -1 : 1;
	return strcmp(x->rule, y->rule);
}

/* The most frequent modes first; ties by rule id, so the order is reproducible. */
static void sort_modes(const audit_summary *s)
{
	if (s->n_modes > 1)
		qsort(s->modes, s->n_modes, sizeof(*s->modes), mode_cmp);
}

static dnsvet_status set_count(dnsvet_node *m, const char *key, size_t n)
{
	return dnsvet_node_map_set_int(m, key, (int64_t)n);
}

dnsvet_status audit_summary_to_node(const audit_summary *s, dnsvet_node **out)
{
	dnsvet_node *m = dnsvet_node_new_map(), *v = dnsvet_node_new_map();
	dnsvet_node *top = dnsvet_node_new_list();
	dnsvet_status st = DNSVET_OK;

	*out = NULL;
	if (!m || !v || !top) {
		dnsvet_node_free(m);
		dnsvet_node_free(v);
		dnsvet_node_free(top);
		return DNSVET_ERR_NOMEM;
	}
	sort_modes(s);
	for (int i = 0; i <= DNSVET_VERDICT_UNKNOWN && !st; i++)
		st = set_count(v, dnsvet_verdict_str((dnsvet_verdict)i), s->verdicts[i]);
	for (size_t i = 0; i < s->n_modes && i < AUDIT_TOP_FAILURES && !st; i++) {
		dnsvet_node *f = dnsvet_node_new_map();

		if (!f) {
			st = DNSVET_ERR_NOMEM;
			break;
		}
		st = dnsvet_node_map_set_string(f, "rule", s->modes[i].rule);
		if (!st)
			st = set_count(f, "domains", s->modes[i].domains);
		if (st)
			dnsvet_node_free(f);
		else
			st = dnsvet_node_list_append(top, f);
	}
	if (!st)
		st = set_count(m, "domains", audit_summary_domains(s));
	if (!st)
		st = dnsvet_node_map_set(m, "verdicts", v);
	else
		dnsvet_node_free(v);
	if (!st)
		st = set_count(m, "invalid", s->invalid);
	if (!st)
		st = dnsvet_node_map_set(m, "top_failures", top);
	else
		dnsvet_node_free(top);
	if (!st && s->shard)
		st = dnsvet_node_map_set_string(m, "shard", s->shard);
	if (!st)
		st = dnsvet_node_map_set_double(m, "elapsed_s", (double)(int64_t)(s->elapsed_s * 1000) / 1000);
	if (!st)
		st = dnsvet_node_map_set_int(m, "queries", (int64_t)s->queries);
	if (!st)
		st = dnsvet_node_map_set_int(m, "exit", audit_summary_exit(s));
	if (st) {
		dnsvet_node_free(m);
		return st;
	}
	*out = m;
	return DNSVET_OK;
}

void audit_summary_print(const audit_summary *s, FILE *fp)
{
	size_t n = audit_summary_domains(s);

	sort_modes(s);
	fprintf(fp, "audit%s%s: %zu domain%s: %zu ready, %zu pending, %zu broken, %zu unknown",
	        s->shard ? " shard " : "", s->shard ? s->shard : "", n, n == 1 ? "" : "s",
	        s->verdicts[DNSVET_VERDICT_READY], s->verdicts[DNSVET_VERDICT_PENDING],
	        s->verdicts[DNSVET_VERDICT_BROKEN], s->verdicts[DNSVET_VERDICT_UNKNOWN]);
	if (s->invalid)
		fprintf(fp, "; %zu entr%s left out (invalid)", s->invalid,
		        s->invalid == 1 ? "y" : "ies");
	fprintf(fp, "\n");
	if (s->n_modes) {
		fprintf(fp, "most frequent failures:\n");
		for (size_t i = 0; i < s->n_modes && i < AUDIT_TOP_FAILURES; i++) {
			fprintf(fp, "  %6zu  ", s->modes[i].domains);
			cli_fput_safe(fp, s->modes[i].rule, 0);
			fputc('\n', fp);
		}
	}
	if (s->elapsed_s > 0)
		fprintf(fp, "%.1f s, %.1f domains/s, %llu queries\n", s->elapsed_s,
		        (double)n / s->elapsed_s, (unsigned long long)s->queries);
}
