/* The text of `dnsvet trace`: the delegation path of a name and every authoritative
 * server's and resolver's answer to one question, read from an observation set. */
#ifndef DNSVET_CLI_TRACE_TEXT_H
#define DNSVET_CLI_TRACE_TEXT_H

#include <stdio.h>
#include <dnsvet/obs.h>

/* Prints the trace of (name, type) from obs. Returns 0, or -1 when obs holds no answers
 * for that question (a recording made for another name). */
int cli_trace_text(FILE *fp, const dnsvet_obs *obs, const char *name, const char *type,
                   int color);

#endif
