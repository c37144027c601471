/* text audit output: each domain's report as dnsvet check prints it. */
#include "cli/audit_out.h"
#include "cli/render_text.h"

int audit_text_report(audit_out *o, const dnsvet_report *report)
{
	if (o->written)
		fputc('\n', o->fp);
	cli_report_text(o->fp, report, o->color, 0);
	return ferror(o->fp) ? -1 : 0;
}
