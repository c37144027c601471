/* The common options as session options, and library messages on stderr. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <dnsvet/engine.h>
#include "cli/options.h"
#include "cli/safe_text.h"

void cli_log(void *user, dnsvet_log_level level, const char *message)
{
	const cli_opts *o = user;
	static const char *const names[] = {"error", "warning", "notice", "debug"};

	if (level == DNSVET_LOG_DEBUG && o->verbosity < 1)
		return;
	if (level > DNSVET_LOG_ERROR && level < DNSVET_LOG_DEBUG && o->verbosity < 0)
		return;
	/* Messages quote server names and answers: escaped, as in the text report. */
	fprintf(stderr, "dnsvet: %s: ", names[level <= DNSVET_LOG_DEBUG ? level : DNSVET_LOG_DEBUG]);
	cli_fput_safe(stderr, message, 0);
	fputc('\n', stderr);
}

void cli_opts_session(const cli_opts *o, dnsvet_session_opts *so)
{
	dnsvet_session_opts_default(so);
	so->root_hints_file = o->root_hints;
	if (o->resolvers) {
		if (cli_resolvers_is_file(o->resolvers))
			so->resolvers_file = o->resolvers;
		else
			so->resolvers = o->resolvers;
	}
	so->rules_dirs = o->rules_dirs;
	so->n_rules_dirs = o->n_rules_dirs;
	so->select = o->select;
	so->timeout_ms = o->timeout_ms;
	so->query_budget = o->budget;
	so->lab = o->lab;
	so->log = cli_log;
	so->log_user = (void *)o;
}

/* The files and lists the options name, checked here so that an error names the flag;
 * the session reads them again. */
static int check_inputs(const cli_cmd *cmd, const cli_opts *o)
{
	char err[512];
	struct stat sb;

	if (o->root_hints) {
		dnsvet_roothints *h = NULL;

		if (dnsvet_roothints_load(o->root_hints, 53, &h, err, sizeof(err)) != DNSVET_OK) {
			fprintf(stderr, "dnsvet %s: --root-hints: %s\n", cmd->name, err);
			return -1;
		}
		dnsvet_roothints_free(h);
	}
	if (o->resolvers && strcmp(o->resolvers, "none") != 0) {
		dnsvet_addrlist *l = NULL;
		dnsvet_status st = cli_resolvers_is_file(o->resolvers)
		        ? dnsvet_resolvers_load(o->resolvers, 53, &l, err, sizeof(err))
		        : dnsvet_resolvers_parse(o->resolvers, "--resolvers", 53, &l, err, sizeof(err));

		dnsvet_addrlist_free(l);
		if (st != DNSVET_OK) {
			fprintf(stderr, "dnsvet %s: %s%s\n", cmd->name,
			        strncmp(err, "--resolvers", 11) == 0 ? "" : "--resolvers: ", err);
			return -1;
		}
	}
	for (size_t i = 0; i < o->n_rules_dirs; i++)
		if (stat(o->rules_dirs[i], &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			fprintf(stderr, "dnsvet %s: --rules-dir: '%s' is not a directory\n", cmd->name,
			        o->rules_dirs[i]);
			return -1;
		}
	return 0;
}

int cli_session_new(const cli_cmd *cmd, const cli_opts *o, dnsvet_session **out)
{
	dnsvet_session_opts so;
	char err[1024] = "";
	dnsvet_status st;

	*out = NULL;
	if (check_inputs(cmd, o))
		return CLI_EXIT_USAGE;
	cli_opts_session(o, &so);
	st = dnsvet_session_new(&so, out, err, sizeof(err));
	if (st == DNSVET_OK)
		return CLI_EXIT_OK;
	if (strncmp(err, "select: ", 8) == 0)
		fprintf(stderr, "dnsvet %s: --select: %s\n", cmd->name, err + 8);
	else
		fprintf(stderr, "dnsvet %s: %s\n", cmd->name, err[0] ? err : dnsvet_status_str(st));
	return st == DNSVET_ERR_NOMEM || st == DNSVET_ERR_INTERNAL ? CLI_EXIT_INTERNAL
	                                                            : CLI_EXIT_USAGE;
}
