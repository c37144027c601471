/*
 * JUnit XML audit output for CI systems: one testsuite per domain, one testcase per
 * selected rule (plus any rule outside the selection that still reported, such as the
 * engine's own), failed when the rule reported a warning or an error.
 */
#include <stdlib.h>
#include <string.h>
#include <dnsvet/finding.h>
#include "cli/audit_out.h"
#include "tree/utf8.h"

/* Text from DNS answers is hostile: escape markup, and replace what XML 1.0 cannot carry
 * (control characters, malformed UTF-8) so the document stays well-formed. */
static void put_escaped(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n) {
		uint32_t cp;
		size_t len = dnsvet_utf8_decode(p, n, &cp);

		if (len == 0) {
			fputs("\xEF\xBF\xBD", fp);
			p++;
			n--;
			continue;
		}
		switch (cp) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&apos;", fp); break;
		case '\t': fputs("&#9;", fp); break;
		case '\n': fputs("&#10;", fp); break;
		case '\r': fputs("&#13;", fp); break;
		default:
			if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF)
				fputs("\xEF\xBF\xBD", fp);
			else
				fwrite(p, 1, len, fp);
		}
		p += len;
		n -= len;
	}
}

int audit_junit_begin(audit_out *o)
{
	return fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	             "<testsuites name=\"dnsvet audit\">\n", o->fp) < 0 ? -1 : 0;
}

/* 1 when f is a failure in JUnit's sense. */
static int failing(const dnsvet_finding *f)
{
	return dnsvet_finding_severity(f) <= DNSVET_SEVERITY_WARNING;
}

static void put_finding_text(FILE *fp, const dnsvet_finding *f)
{
	const char *type = dnsvet_finding_subject_type(f);

	fprintf(fp, "[%s] ", dnsvet_severity_str(dnsvet_finding_severity(f)));
	put_escaped(fp, dnsvet_finding_subject_name(f));
	if (type) {
		fputc(' ', fp);
		put_escaped(fp, type);
	}
	fputs(": ", fp);
	put_escaped(fp, dnsvet_finding_message(f));
	if (dnsvet_finding_fix(f)) {
		fputs("&#10;fix: ", fp);
		put_escaped(fp, dnsvet_finding_fix(f));
	}
	fputs("&#10;", fp);
}

/* One testcase: the findings of rule in the report. */
static void put_case(FILE *fp, const char *domain, const char *rule,
                     const dnsvet_finding_list *fl)
{
	size_t n = fl ? dnsvet_finding_list_count(fl) : 0;
	const dnsvet_finding *worst = NULL;
	int any = 0;

	for (size_t i = 0; i < n; i++) {
		const dnsvet_finding *f = dnsvet_finding_list_at(fl, i);

		if (strcmp(dnsvet_finding_rule(f), rule))
			continue;
		any = 1;
		if (failing(f) && (!worst || dnsvet_finding_severity(f) < dnsvet_finding_severity(worst)))
			worst = f;
	}
	fputs("    <testcase classname=\"", fp);
	put_escaped(fp, domain);
	fputs("\" name=\"", fp);
	put_escaped(fp, rule);
	fputs(any ? "\">\n" : "\"/>\n", fp);
	if (!any)
		return;
	if (worst) {
		fprintf(fp, "      <failure type=\"%s\" message=\"",
		        dnsvet_severity_str(dnsvet_finding_severity(worst)));
		put_escaped(fp, dnsvet_finding_message(worst));
		fputs("\">", fp);
	} else {
		fputs("      <system-out>", fp);
	}
	for (size_t i = 0; i < n; i++) {
		const dnsvet_finding *f = dnsvet_finding_list_at(fl, i);

		if (strcmp(dnsvet_finding_rule(f), rule) == 0)
			put_finding_text(fp, f);
	}
	fputs(worst ? "</failure>\n" : "</system-out>\n", fp);
	fputs("    </testcase>\n", fp);
}

static int selected(const audit_out *o, const char *rule)
{
	for (size_t i = 0; i < o->n_rules; i++)
		if (strcmp(o->rules[i], rule) == 0)
			return 1;
	return 0;
}

/* Whether finding i is the first of its rule among the rules outside the selection. */
static int first_unselected(const audit_out *o, const dnsvet_finding_list *fl, size_t i)
{
	const char *rule = dnsvet_finding_rule(dnsvet_finding_list_at(fl, i));

	if (selected(o, rule))
		return 0;
	for (size_t k = 0; k < i; k++)
		if (strcmp(dnsvet_finding_rule(dnsvet_finding_list_at(fl, k)), rule) == 0)
			return 0;
	return 1;
}

int audit_junit_report(audit_out *o, const dnsvet_report *report)
{
	const dnsvet_finding_list *fl = dnsvet_report_findings(report);
	const char *domain = dnsvet_report_domain(report);
	size_t n = fl ? dnsvet_finding_list_count(fl) : 0, tests = o->n_rules, failures = 0;
	int ran = dnsvet_report_status(report) == DNSVET_OK;
	dnsvet_report_stats stats;
	FILE *fp = o->fp;

	for (size_t i = 0; i < n; i++)
		if (first_unselected(o, fl, i))
			tests++;
	/* a rule fails once however many findings it made */
	for (size_t r = 0; r < o->n_rules; r++) {
		for (size_t i = 0; i < n; i++) {
			const dnsvet_finding *f = dnsvet_finding_list_at(fl, i);

			if (failing(f) && strcmp(dnsvet_finding_rule(f), o->rules[r]) == 0) {
				failures++;
				break;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!first_unselected(o, fl, i))
			continue;
		for (size_t k = i; k < n; k++) {
			const dnsvet_finding *f = dnsvet_finding_list_at(fl, k);

			if (failing(f) && strcmp(dnsvet_finding_rule(f),
			                         dnsvet_finding_rule(dnsvet_finding_list_at(fl, i))) == 0) {
				failures++;
				break;
			}
		}
	}
	dnsvet_report_stats_get(report, &stats);
	fputs("  <testsuite name=\"", fp);
	put_escaped(fp, domain);
	/* a check that could not run has no rule results, only the reason */
	fprintf(fp, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\" skipped=\"0\" time=\"%.3f\">\n",
	        ran ? tests : 1, ran ? failures : 0, !ran, stats.elapsed_ms / 1000.0);
	fprintf(fp, "    <properties><property name=\"verdict\" value=\"%s\"/></properties>\n",
	        dnsvet_verdict_str(dnsvet_report_verdict(report)));
	if (!ran) {
		const char *why = dnsvet_report_error(report);

		fputs("    <testcase classname=\"", fp);
		put_escaped(fp, domain);
		fputs("\" name=\"dnsvet.check\">\n      <error message=\"", fp);
		put_escaped(fp, why ? why : dnsvet_status_str(dnsvet_report_status(report)));
		fputs("\"/>\n    </testcase>\n", fp);
		return fputs("  </testsuite>\n", fp) < 0 ? -1 : 0;
	}
	for (size_t r = 0; r < o->n_rules; r++)
		put_case(fp, domain, o->rules[r], fl);
	for (size_t i = 0; i < n; i++)
		if (first_unselected(o, fl, i))
			put_case(fp, domain, dnsvet_finding_rule(dnsvet_finding_list_at(fl, i)), fl);
	return fputs("  </testsuite>\n", fp) < 0 ? -1 : 0;
}

int audit_junit_end(audit_out *o)
{
	return fputs("</testsuites>\n", o->fp) < 0 ? -1 : 0;
}
