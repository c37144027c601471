/*
 * Load driver for bench/engine: keeps C queries in flight against one
 * server until N have completed (callbacks submit the replacements), then
 * prints throughput, RTT percentiles, CPU time and peak RSS. The last line
 * is machine-readable:
 *   qps=N p50_ms=N p99_ms=N cpu_s=N peak_rss_mb=N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include <dnsvet/engine.h>

struct bench {
	dnsvet_query q;
	unsigned long total, submitted, done, answered, errors;
	unsigned long by_error[DNSVET_QERR_IO + 1];
	double *rtt;
};

static void on_result(dnsvet_engine *eng, const dnsvet_result *res, void *user);

static int submit_one(dnsvet_engine *eng, struct bench *b)
{
	if (b->submitted >= b->total)
		return 0;
	if (dnsvet_engine_submit(eng, &b->q, on_result, b) != DNSVET_OK)
		return -1;
	b->submitted++;
	return 0;
}

static void on_result(dnsvet_engine *eng, const dnsvet_result *res, void *user)
{
	struct bench *b = user;
	dnsvet_qerror e = dnsvet_result_error(res);

	if (e == DNSVET_QERR_NONE) {
		b->rtt[b->answered++] = dnsvet_result_rtt_ms(res);
	} else {
		b->errors++;
		if ((unsigned)e <= DNSVET_QERR_IO)
			b->by_error[e]++;
	}
	b->done++;
	submit_one(eng, b);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double pct(const double *v, unsigned long n, double p)
{
	if (!n)
		return 0.0;
	unsigned long i = (unsigned long)(p / 100.0 * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: engine_driver -s ADDR[:PORT] [-q QNAME] [-t TYPE] [-n TOTAL] "
	                "[-c INFLIGHT] [-T TIMEOUT_MS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *server = NULL, *qname = ".", *qtype = "SOA";
	unsigned long total = 100000, conc = 1000;
	unsigned timeout = 1000;
	struct bench b;
	dnsvet_engine_opts o;
	dnsvet_engine *eng = NULL;
	struct rlimit rl;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (i + 1 >= argc)
			usage();
		if (!strcmp(a, "-s"))
			server = argv[++i];
		else if (!strcmp(a, "-q"))
			qname = argv[++i];
		else if (!strcmp(a, "-t"))
			qtype = argv[++i];
		else if (!strcmp(a, "-n"))
			total = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(a, "-c"))
			conc = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(a, "-T"))
			timeout = (unsigned)strtoul(argv[++i], NULL, 10);
		else
			usage();
	}
	if (!server || !total || !conc || !timeout)
		usage();

	memset(&b, 0, sizeof(b));
	b.total = total;
	b.rtt = calloc(total, sizeof(double));
	if (!b.rtt)
		return 1;
	if (dnsvet_engine_addr_parse(server, 53, &b.q.addr, &b.q.addrlen) != DNSVET_OK) {
		fprintf(stderr, "engine_driver: bad server address '%s'\n", server);
		return 2;
	}
	b.q.qname = qname;
	b.q.qtype = ldns_get_rr_type_by_name(qtype);
	if (!b.q.qtype) {
		fprintf(stderr, "engine_driver: unknown type '%s'\n", qtype);
		return 2;
	}
	/* One descriptor per query in flight, plus a few. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < conc + 64) {
		rl.rlim_cur = rl.rlim_max < conc + 64 ? rl.rlim_max : conc + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	dnsvet_engine_opts_default(&o);
	o.max_inflight = (unsigned)conc;
	o.max_per_server = (unsigned)conc;
	o.timeout_ms = timeout;
	if (dnsvet_engine_new(&o, &eng) != DNSVET_OK) {
		fprintf(stderr, "engine_driver: cannot create engine\n");
		return 1;
	}

	double t0 = now_s();
	for (unsigned long i = 0; i < conc && i < total; i++)
		if (submit_one(eng, &b) != 0) {
			fprintf(stderr, "engine_driver: submit failed\n");
			return 1;
		}
	if (dnsvet_engine_run(eng) != DNSVET_OK) {
		fprintf(stderr, "engine_driver: engine loop failed\n");
		return 1;
	}
	double elapsed = now_s() - t0;

	dnsvet_engine_stats st;
	dnsvet_engine_stats_get(eng, &st);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	double rss_mb = (double)ru.ru_maxrss / 1024.0;

	qsort(b.rtt, b.answered, sizeof(double), cmp_double);
	double qps = (double)b.answered / elapsed;

	printf("server %s, %s %s, %lu queries, %lu in flight\n", server, qname, qtype, total, conc);
	printf("answered %lu, errors %lu (timeout %lu, other %lu) in %.3f s\n", b.answered,
	       b.errors, b.by_error[DNSVET_QERR_TIMEOUT],
	       b.errors - b.by_error[DNSVET_QERR_TIMEOUT], elapsed);
	printf("sent udp %llu tcp %llu, retries %llu, dropped id %llu source %llu question %llu, "
	       "malformed %llu\n",
	       (unsigned long long)st.sent_udp, (unsigned long long)st.sent_tcp,
	       (unsigned long long)st.retries, (unsigned long long)st.dropped_id,
	       (unsigned long long)st.dropped_source, (unsigned long long)st.dropped_question,
	       (unsigned long long)st.malformed);
	printf("rtt ms: p50 %.3f p90 %.3f p99 %.3f max %.3f\n", pct(b.rtt, b.answered, 50),
	       pct(b.rtt, b.answered, 90), pct(b.rtt, b.answered, 99),
	       b.answered ? b.rtt[b.answered - 1] : 0.0);
	printf("cpu %.2f s (user %.2f, sys %.2f), %.0f queries per cpu second\n", cpu,
	       (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
	       cpu > 0 ? (double)b.answered / cpu : 0.0);
	printf("qps=%.0f p50_ms=%.3f p99_ms=%.3f cpu_s=%.2f peak_rss_mb=%.1f\n", qps,
	       pct(b.rtt, b.answered, 50), pct(b.rtt, b.answered, 99), cpu, rss_mb);

	dnsvet_engine_free(eng);
	free(b.rtt);
	return b.errors ? 1 : 0;
}
