/*
 * Driver for bench/rules: replays one recorded observation set through every rule of a
 * catalogue N times with one runner (one Lua state, rules compiled once), as a worker of
 * `dnsvet audit --replay` would, and prints CPU per domain. The last line is
 * machine-readable:
 *   cpu_ms_per_domain=N rules=N findings=N domains=N compile_ms=N peak_rss_mb=N
 * where cpu_ms_per_domain is the median of ten batches' CPU per domain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <dnsvet/finding.h>
#include <dnsvet/node.h>
#include <dnsvet/obs.h>
#include <dnsvet/rules.h>

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

#define BATCHES 10

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage(void)
{
	fprintf(stderr, "usage: rules_driver [-n DOMAINS] [-r RULES-DIR] RECORDING.yaml\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *rules_dir = NULL, *path = NULL;
	unsigned long n = 10000;
	dnsvet_rules_opts o;
	dnsvet_rules *rules = NULL;
	dnsvet_rules_runner *runner = NULL;
	dnsvet_obs *obs = NULL;
	dnsvet_node *tree;
	dnsvet_node_error nerr;
	dnsvet_finding_list *l = NULL;
	size_t findings, errors = 0;
	double c0, c1, w0, w1, compile, batch[BATCHES];
	struct rusage ru;
	char err[512];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			n = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
			rules_dir = argv[++i];
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else
			usage();
	}
	if (!path || n == 0)
		usage();
	if (dnsvet_obs_load_yaml(path, &obs, &nerr) != DNSVET_OK) {
		fprintf(stderr, "rules_driver: %s\n", nerr.message);
		return 1;
	}
	tree = dnsvet_node_copy(dnsvet_obs_root(obs));
	dnsvet_obs_free(obs);
	dnsvet_rules_opts_default(&o);
	o.builtin_dir = rules_dir;
	if (dnsvet_rules_load(&o, &rules, err, sizeof(err)) != DNSVET_OK || !tree) {
		fprintf(stderr, "rules_driver: %s\n", err);
		return 1;
	}
	if (dnsvet_rules_problem_count(rules)) {
		fprintf(stderr, "rules_driver: %s\n", dnsvet_rules_problem_at(rules, 0));
		return 1;
	}
	c0 = cpu_ms();
	if (dnsvet_rules_runner_new(rules, &runner) != DNSVET_OK) {
		fprintf(stderr, "rules_driver: cannot make a runner\n");
		return 1;
	}
	compile = cpu_ms() - c0;

	/* the first run is checked: a recording that makes rules fail measures nothing useful */
	if (dnsvet_rules_run(runner, tree, NULL, &l) != DNSVET_OK) {
		fprintf(stderr, "rules_driver: the run failed\n");
		return 1;
	}
	findings = dnsvet_finding_list_count(l);
	for (size_t i = 0; i < findings; i++) {
		const dnsvet_finding *f = dnsvet_finding_list_at(l, i);

		printf("  %-28s %-7s %s\n", dnsvet_finding_rule(f),
		       dnsvet_severity_str(dnsvet_finding_severity(f)), dnsvet_finding_subject_name(f));
		if (strcmp(dnsvet_finding_rule(f), DNSVET_RULE_ERROR_ID) == 0) {
			fprintf(stderr, "rules_driver: %s\n", dnsvet_finding_message(f));
			errors++;
		}
	}
	dnsvet_finding_list_free(l);
	if (errors)
		return 1;

	/*
	 * The domains run in BATCHES batches, each timed on its own, and the figure is the
	 * median batch: on a shared virtual machine a neighbour can slow a stretch of the run
	 * by a third, and the median keeps such a stretch from setting the result.
	 */
	c0 = cpu_ms();
	w0 = wall_ms();
	for (unsigned long b = 0, done = 0; b < BATCHES; b++) {
		unsigned long upto = n * (b + 1) / BATCHES;
		double bc = cpu_ms();

		for (; done < upto; done++) {
			if (dnsvet_rules_run(runner, tree, NULL, &l) != DNSVET_OK ||
			    dnsvet_finding_list_count(l) != findings) {
				fprintf(stderr, "rules_driver: run %lu differs from the first\n", done);
				return 1;
			}
			dnsvet_finding_list_free(l);
		}
		batch[b] = upto > n * b / BATCHES ? (cpu_ms() - bc) / (double)(upto - n * b / BATCHES)
		                                  : 0;
	}
	c1 = cpu_ms();
	w1 = wall_ms();
	qsort(batch, BATCHES, sizeof(batch[0]), cmp_double);
	getrusage(RUSAGE_SELF, &ru);
	printf("%s: %zu rules, %zu findings per domain, %lu domains in %.0f ms (%.0f ms CPU); "
	       "per domain in %d batches: median %.3f ms, fastest %.3f, slowest %.3f\n",
	       path, dnsvet_rules_count(rules), findings, n, w1 - w0, c1 - c0, BATCHES,
	       batch[BATCHES / 2], batch[0], batch[BATCHES - 1]);
	printf("cpu_ms_per_domain=%.3f rules=%zu findings=%zu domains=%lu compile_ms=%.1f "
	       "peak_rss_mb=%.1f\n", batch[BATCHES / 2], dnsvet_rules_count(rules), findings, n,
	       compile, ru.ru_maxrss / 1024.0);
	dnsvet_rules_runner_free(runner);
	dnsvet_rules_free(rules);
	dnsvet_node_free(tree);
	return 0;
}
