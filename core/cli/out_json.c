/* json and jsonl audit output: the reports' dnsvet.report/1 documents, one line each. */
#include <errno.h>
#include <stdlib.h>
#include <dnsvet/node.h>
#include "cli/audit_out.h"

static int put_node(FILE *fp, const dnsvet_node *n)
{
	char *text = NULL;
	int rc;

	if (dnsvet_node_to_json(n, 0, &text) != DNSVET_OK) {
		errno = ENOMEM;
		return -1;
	}
	rc = fputs(text, fp) < 0 ? -1 : 0;
	free(text);
	return rc;
}

int audit_json_report(audit_out *o, const dnsvet_report *report)
{
	char *text = NULL;
	int rc;

	if (dnsvet_report_to_json(report, 0, &text) != DNSVET_OK) {
		errno = ENOMEM;
		return -1;
	}
	if (o->format == AUDIT_JSON)
		rc = fprintf(o->fp, "%s\n%s", o->written ? "," : "", text) < 0 ? -1 : 0;
	else
		rc = fprintf(o->fp, "%s\n", text) < 0 ? -1 : 0;
	free(text);
	return rc;
}

int audit_json_end(audit_out *o, const audit_summary *summary)
{
	dnsvet_node *s = NULL;
	int rc;

	if (audit_summary_to_node(summary, &s) != DNSVET_OK) {
		errno = ENOMEM;
		return -1;
	}
	if (fputs(o->format == AUDIT_JSON ? "\n],\"summary\":" : "{\"summary\":", o->fp) < 0)
		rc = -1;
	else
		rc = put_node(o->fp, s);
	if (rc == 0 && fputs("}\n", o->fp) < 0)
		rc = -1;
	dnsvet_node_free(s);
	return rc;
}
