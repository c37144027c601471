/* Progress line on a terminal. */
#include <time.h>
#include <unistd.h>
#include "cli/progress.h"

#define REDRAW_S 0.1

double progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(progress *p, FILE *fp, size_t total, int enabled)
{
	p->fp = fp;
	p->active = enabled && isatty(fileno(fp));
	p->shown = 0;
	p->total = total;
	p->done = 0;
	p->started = progress_now();
	p->drawn = 0;
}

static void draw(progress *p, double now)
{
	double el = now - p->started, rate = el > 0 ? (double)p->done / el : 0;
	unsigned pct = p->total ? (unsigned)(p->done * 100 / p->total) : 100;

	fprintf(p->fp, "\r\033[K%6zu/%zu  %3u%%  %.1f domains/s", p->done, p->total, pct, rate);
	if (rate > 0 && p->done < p->total) {
		unsigned long eta = (unsigned long)((double)(p->total - p->done) / rate + 0.5);

		fprintf(p->fp, "  ETA %lu:%02lu", eta / 60, eta % 60);
	}
	fflush(p->fp);
	p->shown = 1;
	p->drawn = now;
}

void progress_step(progress *p, size_t n)
{
	double now;

	p->done += n;
	if (!p->active)
		return;
	now = progress_now();
	if (!p->shown || now - p->drawn >= REDRAW_S || p->done == p->total)
		draw(p, now);
}

void progress_clear(progress *p)
{
	if (!p->active || !p->shown)
		return;
	fputs("\r\033[K", p->fp);
	fflush(p->fp);
	p->shown = 0;
}
