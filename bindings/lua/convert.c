/* Reports, findings and document trees into Lua tables. */
#include <stdlib.h>

#include "ldv.h"

static const char *const status_names[] = {
	"ok", "nomem", "invalid", "parse", "io", "not_found", "limit", "state", "lua", "internal"
};

const char *ldv_status_name(dnsvet_status st)
{
	if ((unsigned)st < sizeof(status_names) / sizeof(status_names[0]))
		return status_names[st];
	return "unknown";
}

int ldv_fail(lua_State *L, dnsvet_status st, const char *message)
{
	lua_pushnil(L);
	lua_pushstring(L, message ? message : dnsvet_status_str(st));
	lua_pushstring(L, ldv_status_name(st));
	return 3;
}

static void set_string(lua_State *L, const char *key, const char *value)
{
	if (!value)
		return;
	lua_pushstring(L, value);
	lua_setfield(L, -2, key);
}

static void set_integer(lua_State *L, const char *key, lua_Integer value)
{
	lua_pushinteger(L, value);
	lua_setfield(L, -2, key);
}

/* Evidence trees come from rules, which may nest deeply; past this depth the rest is cut. */
#define MAX_DEPTH 64

static void push_node(lua_State *L, const dnsvet_node *node, int depth)
{
	size_t n;

	luaL_checkstack(L, 4, "dnsvet: evidence too deep");
	switch (dnsvet_node_type_of(node)) {
	case DNSVET_NODE_BOOL:
		lua_pushboolean(L, dnsvet_node_bool(node, 0));
		return;
	case DNSVET_NODE_INT:
		lua_pushinteger(L, (lua_Integer)dnsvet_node_int(node, 0));
		return;
	case DNSVET_NODE_DOUBLE:
		lua_pushnumber(L, dnsvet_node_double(node, 0));
		return;
	case DNSVET_NODE_STRING:
		lua_pushlstring(L, dnsvet_node_string(node), dnsvet_node_string_len(node));
		return;
	case DNSVET_NODE_LIST:
		n = dnsvet_node_size(node);
		lua_createtable(L, (int)(n < 1024 ? n : 1024), 0);
		for (size_t i = 0; depth < MAX_DEPTH && i < n; i++) {
			push_node(L, dnsvet_node_list_at(node, i), depth + 1);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		return;
	case DNSVET_NODE_MAP:
		n = dnsvet_node_size(node);
		lua_createtable(L, 0, (int)(n < 1024 ? n : 1024));
		for (size_t i = 0; depth < MAX_DEPTH && i < n; i++) {
			push_node(L, dnsvet_node_map_value_at(node, i), depth + 1);
			lua_setfield(L, -2, dnsvet_node_map_key_at(node, i));
		}
		return;
	default:
		/* null: a light userdata that keeps list positions (nil would end the list) */
		lua_pushlightuserdata(L, NULL);
		return;
	}
}

static void push_finding(lua_State *L, const dnsvet_finding *f)
{
	const dnsvet_node *evidence = dnsvet_finding_evidence(f);

	lua_createtable(L, 0, 8);
	set_string(L, "rule", dnsvet_finding_rule(f));
	set_string(L, "severity", dnsvet_severity_str(dnsvet_finding_severity(f)));
	set_string(L, "title", dnsvet_finding_title(f));
	set_string(L, "message", dnsvet_finding_message(f));
	set_string(L, "fix", dnsvet_finding_fix(f));
	lua_createtable(L, 0, 2);
	set_string(L, "name", dnsvet_finding_subject_name(f));
	set_string(L, "type", dnsvet_finding_subject_type(f));
	lua_setfield(L, -2, "subject");
	if (evidence) {
		push_node(L, evidence, 0);
		lua_setfield(L, -2, "evidence");
	}
	if (dnsvet_finding_expires(f))
		set_integer(L, "expires", (lua_Integer)dnsvet_finding_expires(f));
}

static void push_records(lua_State *L, const dnsvet_report *report)
{
	size_t n = dnsvet_report_record_count(report);
	dnsvet_report_record r;

	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		if (dnsvet_report_record_at(report, i, &r) != DNSVET_OK)
			break;
		lua_createtable(L, 0, 7);
		set_string(L, "name", r.name);
		set_string(L, "type", r.type);
		set_string(L, "value", r.value);
		set_string(L, "role", r.role);
		lua_pushboolean(L, r.required);
		lua_setfield(L, -2, "required");
		set_string(L, "state", dnsvet_record_state_str(r.state));
		set_string(L, "seen", r.seen);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
}

void ldv_push_report(lua_State *L, const dnsvet_report *report)
{
	const dnsvet_finding_list *findings = dnsvet_report_findings(report);
	size_t n = findings ? dnsvet_finding_list_count(findings) : 0;
	dnsvet_report_stats st;
	dnsvet_status rs = dnsvet_report_status(report);
	char *json = NULL;

	lua_createtable(L, 0, 12);
	set_string(L, "domain", dnsvet_report_domain(report));
	set_string(L, "label", dnsvet_report_label(report));
	set_string(L, "verdict", dnsvet_verdict_str(dnsvet_report_verdict(report)));
	if (dnsvet_report_pending_until(report))
		set_integer(L, "pending_until", (lua_Integer)dnsvet_report_pending_until(report));
	lua_pushboolean(L, rs == DNSVET_OK);
	lua_setfield(L, -2, "ok");
	set_string(L, "status", ldv_status_name(rs));
	set_string(L, "error", dnsvet_report_error(report));

	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		push_finding(L, dnsvet_finding_list_at(findings, i));
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "findings");
	push_records(L, report);
	lua_setfield(L, -2, "records");

	dnsvet_report_stats_get(report, &st);
	lua_createtable(L, 0, 3);
	set_integer(L, "queries", st.queries);
	set_integer(L, "rtts", st.rtts);
	lua_pushnumber(L, st.elapsed_ms);
	lua_setfield(L, -2, "elapsed_ms");
	lua_setfield(L, -2, "stats");

	if (dnsvet_report_to_json(report, 0, &json) == DNSVET_OK && json) {
		lua_pushstring(L, json);
		free(json);
		lua_setfield(L, -2, "json");
	}
}
