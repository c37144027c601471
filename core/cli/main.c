/* dnsvet: dispatches to the subcommands; each lives in its own cmd_*.c file. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <dnsvet/status.h>
#include "cli/cli.h"

typedef struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} command;

static const command commands[] = {
	{"audit", cmd_audit, "check many domains listed in a YAML file (dnsvet-audit(5))"},
	{"check", cmd_check, "explain why a domain fails Amazon SES verification"},
	{"records", cmd_records, "print the DNS records to publish for Amazon SES"},
	{"rules", cmd_rules, "list, show and test the diagnosis rules"},
	{"trace", cmd_trace, "show a name's delegation path and every server's answer"},
};

static void usage(FILE *fp)
{
	fprintf(fp, "usage: dnsvet COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(fp, "\n'dnsvet COMMAND --help' describes a command.\n");
}

/*
 * The session allows half the descriptor limit in queries at once (up to 4096); the usual
 * soft limit of 1024 would hold a large audit back while the hard limit allows far more.
 */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= 8192 || rl.rlim_cur == rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 8192 ? 8192 : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

int main(int argc, char **argv)
{
	raise_fd_limit();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("dnsvet %s\n", dnsvet_version());
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "dnsvet: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
