/*
 * The text form of a report, for a human at a terminal: the verdict first, then each
 * expected record with its state, then the findings grouped by severity with what was
 * seen, where, and the exact fix. Used by `check` and by `audit`'s text output.
 */
#ifndef DNSVET_CLI_RENDER_TEXT_H
#define DNSVET_CLI_RENDER_TEXT_H

#include <stdio.h>
#include <dnsvet/report.h>

/* Writes report to fp; color: SGR escapes; verbose: each finding's evidence and the
 * query statistics too. */
void cli_report_text(FILE *fp, const dnsvet_report *report, int color, int verbose);

#endif
