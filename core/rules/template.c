/*
 * Fix templates: "{name}" is replaced by vars.name; "{{" and "}}" are literal braces; a
 * brace not followed by an identifier and "}" is kept as written (so JSON-like text needs
 * no escaping). A placeholder without a value makes the report malformed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules/rules_int.h"

typedef struct sbuf {
	char *p;
	size_t n, cap;
} sbuf;

static int sb_add(sbuf *b, const char *s, size_t len)
{
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;

		while (cap < b->n + len + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);

		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
	return 0;
}

/* Appends the value of vars[key] (strings, numbers, booleans, lists of those joined with
 * ", "); 1 when absent, -1 on error. Never runs metamethods of rule tables except views. */
static int add_var(lua_State *L, sbuf *b, int vars, const char *key, size_t klen, char *err,
                   size_t errlen)
{
	int rc = 0;

	if (!vars)
		return 1;
	lua_pushlstring(L, key, klen);
	lua_gettable(L, vars);
	switch (lua_type(L, -1)) {
	case LUA_TNIL:
		rc = 1;
		break;
	case LUA_TBOOLEAN:
		rc = sb_add(b, lua_toboolean(L, -1) ? "true" : "false", lua_toboolean(L, -1) ? 4 : 5);
		break;
	case LUA_TNUMBER:
	case LUA_TSTRING: {
		size_t len;
		const char *s = lua_tolstring(L, -1, &len);

		rc = sb_add(b, s, len);
		break;
	}
	case LUA_TTABLE: {
		lua_Integer n = luaL_len(L, -1);

		for (lua_Integer i = 1; i <= n && rc == 0; i++) {
			lua_geti(L, -1, i);
			if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER) {
				snprintf(err, errlen, "vars.%.*s[%lld] is a %s, not a string", (int)klen, key,
				         (long long)i, luaL_typename(L, -1));
				rc = -1;
			} else {
				size_t len;
				const char *s = lua_tolstring(L, -1, &len);

				if ((i > 1 && sb_add(b, ", ", 2)) || sb_add(b, s, len))
					rc = -1;
			}
			lua_pop(L, 1);
		}
		break;
	}
	default:
		snprintf(err, errlen, "vars.%.*s is a %s", (int)klen, key, luaL_typename(L, -1));
		rc = -1;
		break;
	}
	lua_pop(L, 1);
	return rc;
}

char *template_fill(lua_State *L, const char *tmpl, int vars, char *err, size_t errlen)
{
	sbuf b = {0};
	const char *p = tmpl;

	err[0] = '\0';
	if (vars)
		vars = lua_absindex(L, vars);
	if (sb_add(&b, "", 0))
		goto nomem;
	while (*p) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			if (sb_add(&b, p, 1))
				goto nomem;
			p += 2;
			continue;
		}
		if (p[0] == '{') {
			size_t k = 1;

			while (isalnum((unsigned char)p[k]) || p[k] == '_')
				k++;
			if (k > 1 && p[k] == '}') {
				int rc = add_var(L, &b, vars, p + 1, k - 1, err, errlen);

				if (rc < 0) {
					free(b.p);
					return NULL;
				}
				if (rc > 0) {
					snprintf(err, errlen, "the fix template's placeholder {%.*s} has no value "
					         "in vars", (int)(k - 1), p + 1);
					free(b.p);
					return NULL;
				}
				p += k + 1;
				continue;
			}
		}
		/* the text up to the next brace goes in at once */
		size_t run = 1 + strcspn(p + 1, "{}");

		if (sb_add(&b, p, run))
			goto nomem;
		p += run;
	}
	return b.p;
nomem:
	free(b.p);
	snprintf(err, errlen, "out of memory");
	return NULL;
}
