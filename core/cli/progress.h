/*
 * The audit's progress line on stderr ("  412/1000  41%  96.3 domains/s  ETA 0:06"), drawn
 * only when stderr is a terminal and at most ten times a second. Anything else written to
 * the terminal clears it first (progress_clear) so lines do not mix.
 */
#ifndef DNSVET_CLI_PROGRESS_H
#define DNSVET_CLI_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

typedef struct progress {
	FILE *fp;
	int active;           /* 0: silent (not a terminal, or disabled) */
	int shown;            /* a line is on the screen */
	size_t total;
	size_t done;
	double started;       /* monotonic seconds */
	double drawn;
} progress;

/* enabled: the caller's choice (e.g. not --quiet); the line also needs a terminal. */
void progress_init(progress *p, FILE *fp, size_t total, int enabled);
/* Records that n more domains finished; redraws when due. */
void progress_step(progress *p, size_t n);
/* Removes the line (before other output to the terminal); the next step redraws it. */
void progress_clear(progress *p);
/* Monotonic clock in seconds. */
double progress_now(void);

#endif
