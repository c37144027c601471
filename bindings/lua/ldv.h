/* Lua 5.4 binding of libdnsvet: shared declarations of the module's files. */
#ifndef LDV_H
#define LDV_H

#include <lua.h>
#include <lauxlib.h>

#include <dnsvet/dnsvet.h>

#define LDV_SESSION_MT "dnsvet.session"
#define LDV_CHECKBOX_MT "dnsvet.checkbox"

/* A submitted check's callback, kept until the check finishes or the session goes. */
typedef struct ldv_pending {
	struct ldv_session *owner;
	int fn_ref;                  /* registry reference of the Lua callback */
	struct ldv_pending *prev, *next;
} ldv_pending;

typedef struct ldv_session {
	dnsvet_session *s;
	lua_State *L;                /* the state of the call in progress (for callbacks) */
	int log_ref;                 /* LUA_NOREF: library messages are dropped */
	int error_ref;               /* first error raised by a callback during a call */
	int busy;                    /* inside process/run/check: close is refused */
	ldv_pending *pending;
} ldv_session;

/* A check under construction, owned by a userdata so that a Lua error never leaks it. */
typedef struct ldv_checkbox {
	dnsvet_check *check;
} ldv_checkbox;

/* request.c */
/* 1 when key is a session option (dnsvet.session{} and dnsvet.check{}). */
int ldv_is_session_key(const char *key);
/* Fills opts from the session keys of the table at idx; strings stay owned by the table.
 * Pushes one value, the rules_dirs array opts points to: keep it until the session is
 * made. Wrong types raise a Lua error naming the key. */
void ldv_session_opts(lua_State *L, int idx, dnsvet_session_opts *opts);
/* Checks that every key of the table at idx is a check key (or a session key when
 * allow_session), raising an error naming the first unknown one. */
void ldv_check_keys(lua_State *L, int idx, int allow_session);
/* Builds a check from the table at idx and pushes its box. Returns DNSVET_OK, or a status
 * with the message pushed instead (value errors: the caller returns nil, message). Wrong
 * types raise a Lua error. */
dnsvet_status ldv_build_check(lua_State *L, int idx);
ldv_checkbox *ldv_checkbox_get(lua_State *L, int idx);

/* convert.c */
/* Pushes the report as a table. */
void ldv_push_report(lua_State *L, const dnsvet_report *report);
/* "ok", "invalid", ... for dnsvet_status values. */
const char *ldv_status_name(dnsvet_status st);
/* Pushes nil, message, status name; returns 3 (for `return ldv_fail(...)`). */
int ldv_fail(lua_State *L, dnsvet_status st, const char *message);

/* session.c */
/* dnsvet.session{...} */
int ldv_session_new(lua_State *L);
/* A session from the session keys of the table at idx: pushes it and returns 1, or pushes
 * nil, message, status and returns 3. */
int ldv_session_new_from(lua_State *L, int idx);
/* Frees the session and the callbacks of checks it cancels; the userdata stays, closed. */
void ldv_session_close(lua_State *L, ldv_session *ls);
void ldv_session_register(lua_State *L);
/* Runs one check in session ls with the check box at the stack top (taken over) and
 * pushes the report table, or nil, message, status name. Returns the number pushed. */
int ldv_session_check_box(lua_State *L, ldv_session *ls);

#endif
