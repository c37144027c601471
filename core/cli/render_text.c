/* Text rendering of a report; see render_text.h. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dnsvet/node.h>
#include "cli/render_text.h"
#include "cli/safe_text.h"
#include "cli/style.h"

static const struct {
	dnsvet_severity sev;
	const char *heading;
	cli_style style;
} sections[] = {
	{DNSVET_SEVERITY_ERROR, "Errors", CLI_STYLE_RED},
	{DNSVET_SEVERITY_WARNING, "Warnings", CLI_STYLE_YELLOW},
	{DNSVET_SEVERITY_NOTICE, "Notices", CLI_STYLE_CYAN},
	{DNSVET_SEVERITY_INFO, "Information", CLI_STYLE_DIM},
};

static void utc_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, size, "%lld", (long long)t);
}

/* "in 4 min", "in 2 h 5 min", "now" — from the current clock. */
static void time_left(int64_t until, char *buf, size_t size)
{
	int64_t left = until - (int64_t)time(NULL);
	/* Round up once, then split: rounding the parts separately prints "23 h 60 min". */
	int64_t minutes = (left + 59) / 60;

	if (left <= 0)
		snprintf(buf, size, "now");
	else if (left < 60)
		snprintf(buf, size, "in %lld s", (long long)left);
	else if (minutes < 60)
		snprintf(buf, size, "in %lld min", (long long)minutes);
	else if (minutes % 60 == 0)
		snprintf(buf, size, "in %lld h", (long long)(minutes / 60));
	else
		snprintf(buf, size, "in %lld h %lld min", (long long)(minutes / 60),
		         (long long)(minutes % 60));
}

static void print_verdict(FILE *fp, const dnsvet_report *r, int color, cli_strpool *pool)
{
	dnsvet_verdict v = dnsvet_report_verdict(r);
	const char *domain = cli_safe(pool, dnsvet_report_domain(r));
	const char *label = cli_safe(pool, dnsvet_report_label(r));
	char when[64], left[64];

	fprintf(fp, "%s%s", domain ? domain : "?", label ? " " : "");
	if (label)
		fprintf(fp, "(%s)", label);
	fprintf(fp, ": ");
	switch (v) {
	case DNSVET_VERDICT_READY:
		fprintf(fp, "%sREADY%s - Amazon SES can verify this domain now\n",
		        cli_sgr(color, CLI_STYLE_GREEN), cli_sgr(color, CLI_STYLE_RESET));
		break;
	case DNSVET_VERDICT_PENDING:
		utc_time(dnsvet_report_pending_until(r), when, sizeof(when));
		time_left(dnsvet_report_pending_until(r), left, sizeof(left));
		fprintf(fp, "%sPENDING until %s%s (%s) - the records are right; caches still hold "
		        "old answers\n", cli_sgr(color, CLI_STYLE_YELLOW), when,
		        cli_sgr(color, CLI_STYLE_RESET), left);
		break;
	case DNSVET_VERDICT_BROKEN:
		fprintf(fp, "%sBROKEN%s - verification or delivery fails until the errors below "
		        "are fixed\n", cli_sgr(color, CLI_STYLE_RED), cli_sgr(color, CLI_STYLE_RESET));
		break;
	case DNSVET_VERDICT_UNKNOWN:
		fprintf(fp, "%sUNKNOWN%s - ", cli_sgr(color, CLI_STYLE_RED),
		        cli_sgr(color, CLI_STYLE_RESET));
		if (dnsvet_report_status(r) != DNSVET_OK)
			fprintf(fp, "the check could not run: %s\n",
			        dnsvet_report_error(r) ? cli_safe(pool, dnsvet_report_error(r))
			                               : dnsvet_status_str(dnsvet_report_status(r)));
		else
			fprintf(fp, "not every record SES needs could be checked: no server of its "
			            "zone answered for it\n");
		break;
	}
}

static cli_style state_style(dnsvet_record_state s)
{
	switch (s) {
	case DNSVET_RECORD_OK: return CLI_STYLE_GREEN;
	case DNSVET_RECORD_PENDING: return CLI_STYLE_YELLOW;
	case DNSVET_RECORD_WRONG:
	case DNSVET_RECORD_MISSING: return CLI_STYLE_RED;
	case DNSVET_RECORD_UNKNOWN: break;
	}
	return CLI_STYLE_DIM;
}

/* A record with its strings made safe to print. */
static int record_at(const dnsvet_report *r, size_t i, dnsvet_report_record *rec,
                     cli_strpool *pool)
{
	if (dnsvet_report_record_at(r, i, rec) != DNSVET_OK)
		return -1;
	rec->type = cli_safe(pool, rec->type);
	rec->name = cli_safe(pool, rec->name);
	rec->value = cli_safe(pool, rec->value);
	rec->seen = cli_safe(pool, rec->seen);
	return 0;
}

static void print_records(FILE *fp, const dnsvet_report *r, int color, cli_strpool *pool)
{
	size_t n = dnsvet_report_record_count(r), wtype = 4, wname = 4;
	dnsvet_report_record rec;

	if (!n)
		return;
	for (size_t i = 0; i < n; i++) {
		if (record_at(r, i, &rec, pool) != 0)
			continue;
		if (strlen(rec.type) > wtype)
			wtype = strlen(rec.type);
		if (strlen(rec.name) > wname)
			wname = strlen(rec.name);
	}
	fprintf(fp, "\nExpected records:\n");
	fprintf(fp, "  %-8s %-*s  %-*s  %s\n", "STATE", (int)wtype, "TYPE", (int)wname, "NAME",
	        "VALUE");
	for (size_t i = 0; i < n; i++) {
		if (record_at(r, i, &rec, pool) != 0)
			continue;
		fprintf(fp, "  %s%-8s%s %-*s  %-*s  %s%s\n", cli_sgr(color, state_style(rec.state)),
		        dnsvet_record_state_str(rec.state), cli_sgr(color, CLI_STYLE_RESET),
		        (int)wtype, rec.type, (int)wname, rec.name, rec.value ? rec.value : "",
		        rec.required ? "" : "  (recommended)");
		if (rec.seen)
			fprintf(fp, "  %-8s %-*s  %-*s  %sserved instead: %s%s\n", "", (int)wtype, "",
			        (int)wname, "", cli_sgr(color, CLI_STYLE_RED), rec.seen,
			        cli_sgr(color, CLI_STYLE_RESET));
	}
}

/* text with every line after the first indented by `indent` columns. */
static void print_indented(FILE *fp, const char *text, int indent)
{
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		fprintf(fp, "%*s%.*s\n", p == text ? 0 : indent, "", (int)len, p);
		p += len + (nl ? 1 : 0);
	}
}

static void print_finding(FILE *fp, const dnsvet_finding *f, int color, int verbose,
                          cli_strpool *pool)
{
	const char *title = cli_safe(pool, dnsvet_finding_title(f));
	const char *fix = cli_safe_lines(pool, dnsvet_finding_fix(f));
	const char *type = cli_safe(pool, dnsvet_finding_subject_type(f));
	const dnsvet_node *evidence = dnsvet_finding_evidence(f);
	int64_t expires = dnsvet_finding_expires(f);
	char when[64];

	fprintf(fp, "  %s[%s]%s %s\n", cli_sgr(color, CLI_STYLE_BOLD), cli_safe(pool, dnsvet_finding_rule(f)),
	        cli_sgr(color, CLI_STYLE_RESET), title ? title : "");
	fprintf(fp, "    seen:  ");
	print_indented(fp, cli_safe_lines(pool, dnsvet_finding_message(f)), 11);
	fprintf(fp, "    where: %s%s%s\n", cli_safe(pool, dnsvet_finding_subject_name(f)),
	        type ? " " : "", type ? type : "");
	if (fix) {
		fprintf(fp, "    fix:   ");
		print_indented(fp, fix, 11);
	}
	if (expires) {
		utc_time(expires, when, sizeof(when));
		fprintf(fp, "    until: %s\n", when);
	}
	if (verbose && evidence) {
		char *yaml = NULL;

		if (dnsvet_node_to_yaml(evidence, &yaml) == DNSVET_OK) {
			fprintf(fp, "    evidence:\n      ");
			print_indented(fp, cli_safe_lines(pool, yaml), 6);
		}
		free(yaml);
	}
}

void cli_report_text(FILE *fp, const dnsvet_report *report, int color, int verbose)
{
	const dnsvet_finding_list *fl = dnsvet_report_findings(report);
	size_t total = dnsvet_finding_list_count(fl);
	cli_strpool pool = CLI_STRPOOL_INIT;

	print_verdict(fp, report, color, &pool);
	print_records(fp, report, color, &pool);
	for (size_t s = 0; s < sizeof(sections) / sizeof(sections[0]); s++) {
		size_t n = dnsvet_finding_list_count_severity(fl, sections[s].sev);

		if (!n)
			continue;
		fprintf(fp, "\n%s%s (%zu):%s\n", cli_sgr(color, sections[s].style), sections[s].heading,
		        n, cli_sgr(color, CLI_STYLE_RESET));
		for (size_t i = 0; i < total; i++) {
			const dnsvet_finding *f = dnsvet_finding_list_at(fl, i);

			if (dnsvet_finding_severity(f) == sections[s].sev)
				print_finding(fp, f, color, verbose, &pool);
		}
	}
	if (!total)
		fprintf(fp, "\nNo findings.\n");
	if (verbose) {
		dnsvet_report_stats st;

		dnsvet_report_stats_get(report, &st);
		fprintf(fp, "\n%u queries, %u round trips on the critical path, %.0f ms\n", st.queries,
		        st.rtts, st.elapsed_ms);
	}
	cli_strpool_free(&pool);
}
