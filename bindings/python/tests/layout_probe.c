/* Prints the sizes and field offsets of the public structures the Python binding mirrors,
 * as JSON, for tests/test_layout.py. */
#include <stddef.h>
#include <stdio.h>
#include <dnsvet/dnsvet.h>

#define BEGIN(T) printf("%s\"" #T "\": {\"size\": %zu, \"offsets\": {", first ? "" : ", ", sizeof(T)), sep = ""
#define FIELD(T, f) printf("%s\"" #f "\": %zu", sep, offsetof(T, f)), sep = ", "
#define END() printf("}}"), first = 0

int main(void)
{
	int first = 1;
	const char *sep;

	printf("{");
	BEGIN(dnsvet_session_opts);
	FIELD(dnsvet_session_opts, root_hints_file);
	FIELD(dnsvet_session_opts, resolvers);
	FIELD(dnsvet_session_opts, resolvers_file);
	FIELD(dnsvet_session_opts, builtin_rules_dir);
	FIELD(dnsvet_session_opts, rules_dirs);
	FIELD(dnsvet_session_opts, n_rules_dirs);
	FIELD(dnsvet_session_opts, select);
	FIELD(dnsvet_session_opts, timeout_ms);
	FIELD(dnsvet_session_opts, query_budget);
	FIELD(dnsvet_session_opts, max_per_server);
	FIELD(dnsvet_session_opts, qps);
	FIELD(dnsvet_session_opts, max_checks);
	FIELD(dnsvet_session_opts, lab);
	FIELD(dnsvet_session_opts, rule_instruction_budget);
	FIELD(dnsvet_session_opts, rule_memory_cap);
	FIELD(dnsvet_session_opts, now);
	FIELD(dnsvet_session_opts, log);
	FIELD(dnsvet_session_opts, log_user);
	END();
	BEGIN(dnsvet_expect_error);
	FIELD(dnsvet_expect_error, field);
	FIELD(dnsvet_expect_error, message);
	FIELD(dnsvet_expect_error, line);
	FIELD(dnsvet_expect_error, column);
	END();
	BEGIN(dnsvet_report_record);
	FIELD(dnsvet_report_record, name);
	FIELD(dnsvet_report_record, type);
	FIELD(dnsvet_report_record, value);
	FIELD(dnsvet_report_record, role);
	FIELD(dnsvet_report_record, required);
	FIELD(dnsvet_report_record, state);
	FIELD(dnsvet_report_record, seen);
	END();
	BEGIN(dnsvet_report_stats);
	FIELD(dnsvet_report_stats, queries);
	FIELD(dnsvet_report_stats, rtts);
	FIELD(dnsvet_report_stats, elapsed_ms);
	END();
	BEGIN(dnsvet_session_stats);
	FIELD(dnsvet_session_stats, checks);
	FIELD(dnsvet_session_stats, queries);
	FIELD(dnsvet_session_stats, cache_hits);
	END();
	printf("}\n");
	return 0;
}
