/*
 * The rule engine: loads the Lua rules (rules/<area>/<name>.lua, docs/rule-api.md), selects
 * some, runs them over an observation set in a sandbox with budgets, gathers their follow-up
 * questions, and collects their findings.
 *
 * Objects and threads:
 * - dnsvet_rules: the catalogue (metadata and source text of every rule). Loaded once,
 *   read-only afterwards except for dnsvet_rules_select; may be shared by threads once
 *   selection is done.
 * - dnsvet_rules_runner: one Lua state with the selected rules compiled once; runs any number
 *   of domains, one at a time. One runner per worker thread.
 *
 * Rules that fail to load do not stop the catalogue from loading: they are left out and
 * listed by dnsvet_rules_problem_at. A rule that fails while running (Lua error, budget,
 * malformed report, replay question not recorded) becomes an engine.rule_error finding; the
 * other rules and domains go on.
 */
#ifndef DNSVET_RULES_H
#define DNSVET_RULES_H

#include <stddef.h>
#include <stdint.h>
#include <dnsvet/common.h>
#include <dnsvet/status.h>
#include <dnsvet/node.h>
#include <dnsvet/finding.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnsvet_rules dnsvet_rules;
typedef struct dnsvet_rule dnsvet_rule;
typedef struct dnsvet_rules_runner dnsvet_rules_runner;

/* Receives what rules print() (rule_id NULL for the engine's own notes). */
typedef void (*dnsvet_rules_log_cb)(void *user, const char *rule_id, const char *message);

typedef struct dnsvet_rules_opts {
	/* Built-in rules. NULL: dnsvet_rules_default_dir(); "": no built-in rules. */
	const char *builtin_dir;
	/* More rule directories (same layout), later ones win. A rule whose id is already
	 * loaded replaces it, with a notice. Borrowed during dnsvet_rules_load only. */
	const char *const *user_dirs;
	size_t n_user_dirs;
	uint64_t instruction_budget; /* VM instructions per rule per domain; 0: 10 million */
	size_t memory_cap;           /* bytes a rule may add per domain; 0: 32 MiB */
	unsigned query_budget;       /* ctx:query calls per rule per domain; 0: 64 */
	uint64_t load_budget;        /* VM instructions to load one rule file; 0: 1 million */
	size_t load_memory_cap;      /* bytes to load one rule file; 0: 8 MiB */
	unsigned max_rounds;         /* follow-up rounds per domain; 0: 8 */
	dnsvet_rules_log_cb log;     /* NULL: print() output is dropped */
	void *log_user;
} dnsvet_rules_opts;

/* Fills opts with the defaults above (all zero, NULL). */
DNSVET_API void dnsvet_rules_opts_default(dnsvet_rules_opts *opts);

/* The built-in rules directory: the source tree's rules/ when this library runs from its
 * build tree (the directory exists and the program is not installed under the prefix),
 * the installed one otherwise. Static string. */
DNSVET_API const char *dnsvet_rules_default_dir(void);

/*
 * Loads the built-in and user rule directories. A missing user directory is
 * DNSVET_ERR_NOT_FOUND (message in errbuf, which may be NULL); a missing built-in
 * directory only leaves the catalogue without built-ins. Broken rule files are problems,
 * not errors. Every rule starts selected. opts NULL: defaults; opts is copied. Caller frees
 * with dnsvet_rules_free.
 */
DNSVET_API dnsvet_status dnsvet_rules_load(const dnsvet_rules_opts *opts, dnsvet_rules **out,
                                           char *errbuf, size_t errlen);
DNSVET_API void dnsvet_rules_free(dnsvet_rules *rules);

/* Load problems ("rules/x/y.lua:3: field 'severity': expected one of error, warning,
 * notice, info") and notices ("user rule /p/record/missing.lua replaces built-in
 * record.missing"). Borrowed strings. */
DNSVET_API size_t dnsvet_rules_problem_count(const dnsvet_rules *rules);
DNSVET_API const char *dnsvet_rules_problem_at(const dnsvet_rules *rules, size_t i);
DNSVET_API size_t dnsvet_rules_notice_count(const dnsvet_rules *rules);
DNSVET_API const char *dnsvet_rules_notice_at(const dnsvet_rules *rules, size_t i);

/* Every loaded rule, in run order: by `order`, then id. Borrowed. */
DNSVET_API size_t dnsvet_rules_count(const dnsvet_rules *rules);
DNSVET_API const dnsvet_rule *dnsvet_rules_at(const dnsvet_rules *rules, size_t i);
/* NULL when no rule has this id. */
DNSVET_API const dnsvet_rule *dnsvet_rules_find(const dnsvet_rules *rules, const char *id);

/*
 * Selects the rules matching expr, deselecting the others. Grammar:
 *   expr := term | expr "and" expr | expr "or" expr | "not" expr | "(" expr ")"
 * ("not" binds tightest, then "and", then "or"; "," is a synonym of "or"). A term is
 * "all", an id or id glob ("record.*", "*.missing"; it contains '.' or '*'), or a tag
 * ("ses", "dkim"). NULL or "" selects all. A malformed expression or a term that matches
 * no rule id and no tag is DNSVET_ERR_PARSE with a message naming the column in errbuf;
 * the selection is then unchanged.
 */
DNSVET_API dnsvet_status dnsvet_rules_select(dnsvet_rules *rules, const char *expr,
                                             char *errbuf, size_t errlen);
DNSVET_API size_t dnsvet_rules_selected_count(const dnsvet_rules *rules);

/* One rule's metadata. Borrowed strings; summary, doc and fix may be NULL. */
DNSVET_API const char *dnsvet_rule_id(const dnsvet_rule *rule);
DNSVET_API const char *dnsvet_rule_title(const dnsvet_rule *rule);
DNSVET_API dnsvet_severity dnsvet_rule_severity(const dnsvet_rule *rule);
DNSVET_API const char *dnsvet_rule_summary(const dnsvet_rule *rule);
DNSVET_API const char *dnsvet_rule_doc(const dnsvet_rule *rule);
DNSVET_API const char *dnsvet_rule_fix(const dnsvet_rule *rule);
DNSVET_API const char *dnsvet_rule_file(const dnsvet_rule *rule);
DNSVET_API int dnsvet_rule_order(const dnsvet_rule *rule);
DNSVET_API int dnsvet_rule_is_builtin(const dnsvet_rule *rule);
DNSVET_API int dnsvet_rule_is_selected(const dnsvet_rule *rule);
DNSVET_API int dnsvet_rule_has_probes(const dnsvet_rule *rule);
DNSVET_API size_t dnsvet_rule_tag_count(const dnsvet_rule *rule);
DNSVET_API const char *dnsvet_rule_tag_at(const dnsvet_rule *rule, size_t i);
DNSVET_API size_t dnsvet_rule_reference_count(const dnsvet_rule *rule);
DNSVET_API const char *dnsvet_rule_reference_at(const dnsvet_rule *rule, size_t i);

/*
 * A runner for the rules selected now (later selections do not affect it). rules must
 * outlive the runner. Caller frees with dnsvet_rules_runner_free.
 */
DNSVET_API dnsvet_status dnsvet_rules_runner_new(const dnsvet_rules *rules,
                                                 dnsvet_rules_runner **out);
DNSVET_API void dnsvet_rules_runner_free(dnsvet_rules_runner *runner);

/*
 * The union of the selected rules' probes(expect) questions, deduplicated, in rule order:
 * a list of {name, type} maps (names normalised, types upper case). expect is the
 * `expect` map of docs/observations.md. A rule whose probes function fails is skipped and
 * logged. Caller frees *out.
 */
DNSVET_API dnsvet_status dnsvet_rules_probes(dnsvet_rules_runner *runner, const dnsvet_node *expect,
                                             dnsvet_node **out);

/* ------------------------------------------------------------------ */
/* Follow-up questions                                                 */
/* ------------------------------------------------------------------ */

/* Where a question goes (dnsvet_rules_question.target); same values as DNSVET_PROBE_TO_*. */
#define DNSVET_RULES_TO_AUTH      0x1u /* every server of the closest enclosing zone, RD=0 */
#define DNSVET_RULES_TO_RESOLVERS 0x2u /* every resolver of obs.resolvers, RD=1 */
#define DNSVET_RULES_TO_SERVERS   0x4u /* the servers listed, RD=0 */

/* A question from a rule's ctx:query. name is normalised (lowercase, no trailing dot),
 * type a mnemonic in upper case. Valid until the next step. */
typedef struct dnsvet_rules_question {
	const char *name;
	const char *type;
	unsigned target;
	const char *const *servers;
	size_t n_servers;
} dnsvet_rules_question;

/*
 * Asks questions and records the replies in obs: the `answers` entry of (name, type) gets
 * `auth` replies (AUTH; SERVERS: one reply per listed server, addr as listed) or `resolvers`
 * replies (RESOLVERS), in the shape of docs/observations.md, so that a recording made
 * afterwards replays exactly. An asker only adds: it appends entries and list items and adds
 * missing keys, never replaces or removes nodes (the engine holds pointers into obs). A
 * question it could not ask is left unrecorded; the rule then gets an error. Non-OK return
 * stops the run.
 */
typedef struct dnsvet_rules_asker {
	dnsvet_status (*ask)(void *user, dnsvet_node *obs, const dnsvet_rules_question *questions,
	                     size_t n_questions);
	void *user;
} dnsvet_rules_asker;

/* The `answers` entry of obs for (name, type) (name compared case-insensitively, without
 * trailing dot), created (with the answers list) when create is set and it is missing.
 * Borrowed; NULL when absent or out of memory. */
DNSVET_API dnsvet_node *dnsvet_rules_answers_entry(dnsvet_node *obs, const char *name,
                                                   const char *type, int create);

/* ------------------------------------------------------------------ */
/* Running                                                             */
/* ------------------------------------------------------------------ */

/*
 * Runs every rule of the runner over obs (a dnsvet.obs/1 tree) and returns the findings in
 * rule order, each rule's in the order reported. asker NULL is replay mode: ctx:query reads
 * `answers` only and a question missing there is an engine.rule_error for that rule.
 * obs gains the `answers` the asker records. Caller frees *out with dnsvet_finding_list_free.
 * Errors are DNSVET_ERR_NOMEM, the asker's error, DNSVET_ERR_STATE when a stepwise run is in
 * progress; never a rule's failure.
 */
DNSVET_API dnsvet_status dnsvet_rules_run(dnsvet_rules_runner *runner, dnsvet_node *obs,
                                          const dnsvet_rules_asker *asker,
                                          dnsvet_finding_list **out);

/*
 * The same run driven by the caller, for embedders that ask questions asynchronously:
 * begin, then step until it returns no questions, then end. When step returns n > 0 the
 * caller records replies for those questions in obs (as an asker would), then steps again.
 * questions stay valid until the next step or end. live is 0 for replay semantics (step
 * then never returns questions). obs is borrowed until end. dnsvet_rules_end returns the
 * findings (caller frees) and may be called early to abandon a run (out may then be NULL).
 */
DNSVET_API dnsvet_status dnsvet_rules_begin(dnsvet_rules_runner *runner, dnsvet_node *obs, int live);
DNSVET_API dnsvet_status dnsvet_rules_step(dnsvet_rules_runner *runner,
                                           const dnsvet_rules_question **questions, size_t *n);
DNSVET_API dnsvet_status dnsvet_rules_end(dnsvet_rules_runner *runner, dnsvet_finding_list **out);

/* ------------------------------------------------------------------ */
/* Fixtures                                                            */
/* ------------------------------------------------------------------ */

/* The outcome of one fixture file. Strings are malloc'd; free with
 * dnsvet_rules_fixture_result_clear. */
typedef struct dnsvet_rules_fixture_result {
	int passed;
	char *description;   /* the fixture's description, or NULL */
	char *report;        /* on failure: what was expected, what was found (several lines) */
} dnsvet_rules_fixture_result;

/*
 * Runs one fixture (docs/writing-rules.md): its observations through every rule of the
 * runner in replay mode, then compares the findings with `findings` (must be present),
 * `absent` (must not be) and `exact`. A fixture that cannot be read or is malformed fails
 * with the reason in report; the return value is an error only for DNSVET_ERR_NOMEM.
 */
DNSVET_API dnsvet_status dnsvet_rules_fixture_run(dnsvet_rules_runner *runner, const char *path,
                                                  dnsvet_rules_fixture_result *res);
DNSVET_API void dnsvet_rules_fixture_result_clear(dnsvet_rules_fixture_result *res);

/*
 * The fixture files under a rules directory (<dir>/<area>/<name>/NAME.yaml, data/ excluded),
 * or path itself when it is a file, sorted. *paths is a malloc'd array of malloc'd strings;
 * free with dnsvet_rules_fixture_paths_free. DNSVET_ERR_NOT_FOUND when path does not exist.
 */
DNSVET_API dnsvet_status dnsvet_rules_fixture_paths(const char *path, char ***paths, size_t *n);
DNSVET_API void dnsvet_rules_fixture_paths_free(char **paths, size_t n);

#ifdef __cplusplus
}
#endif
#endif
