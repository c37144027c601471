/* Audit output: picks the format's writer and flushes after every domain. */
#include <errno.h>
#include <string.h>
#include "cli/audit_out.h"

int audit_format_parse(const char *name, audit_format *out)
{
	static const char *const names[] = {"text", "json", "jsonl", "junit"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (audit_format)i;
			return 0;
		}
	}
	return -1;
}

/* A report is only kept if it reached the file: flush it, and let the caller see a full
 * disk or a closed pipe at once. */
static int flushed(audit_out *o, int rc)
{
	if (rc == 0 && fflush(o->fp) != 0)
		rc = -1;
	if (rc == 0 && ferror(o->fp)) {
		errno = EIO;
		rc = -1;
	}
	return rc;
}

int audit_out_begin(audit_out *o)
{
	int rc = 0;

	o->written = 0;
	if (o->format == AUDIT_JSON)
		rc = fprintf(o->fp, "{\"schema\":\"%s\",\"reports\":[", AUDIT_SCHEMA) < 0 ? -1 : 0;
	else if (o->format == AUDIT_JUNIT)
		rc = audit_junit_begin(o);
	return flushed(o, rc);
}

int audit_out_report(audit_out *o, const dnsvet_report *report)
{
	int rc;

	switch (o->format) {
	case AUDIT_TEXT:
		rc = audit_text_report(o, report);
		break;
	case AUDIT_JUNIT:
		rc = audit_junit_report(o, report);
		break;
	default:
		rc = audit_json_report(o, report);
		break;
	}
	if (rc == 0)
		o->written++;
	return flushed(o, rc);
}

int audit_out_end(audit_out *o, const audit_summary *summary)
{
	int rc = 0;

	switch (o->format) {
	case AUDIT_TEXT:
		if (o->written)
			fputc('\n', o->fp);
		audit_summary_print(summary, o->fp);
		break;
	case AUDIT_JUNIT:
		rc = audit_junit_end(o);
		break;
	default:
		rc = audit_json_end(o, summary);
		break;
	}
	return flushed(o, rc);
}
