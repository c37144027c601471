/* The common options as session options, and library messages on stderr. */
#include <stdio.h>
#include "cli/options.h"

void cli_log(void *user, dnsvet_log_level level, const char *message)
{
	const cli_opts *o = user;
	static const char *const names[] = {"error", "warning", "notice", "debug"};

	if (level == DNSVET_LOG_DEBUG && o->verbosity < 1)
		return;
	if (level > DNSVET_LOG_ERROR && level < DNSVET_LOG_DEBUG && o->verbosity < 0)
		return;
	fprintf(stderr, "dnsvet: %s: %s\n", names[level <= DNSVET_LOG_DEBUG ? level : DNSVET_LOG_DEBUG],
	        message);
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
