/*
 * Expansion of an RR in presentation form ("owner ttl class type rdata", the form
 * ldns_rr2str writes and recordings keep) into the table rules see (docs/rule-api.md).
 *
 * This runs for every RR a rule touches, so it tokenises the string directly rather than
 * building an ldns_rr and printing its fields back: `data` must be the RDATA exactly as
 * received anyway, and the typed fields are single tokens of it. Anything it cannot make
 * sense of is left out of the table; `raw` and `data` are always there.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "rules/rules_int.h"

typedef struct tok {
	const char *p;   /* contents (inside the quotes for quoted strings) */
	size_t len;
	int quoted;
} tok;

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Next token from s[*pos..len); parentheses are grouping only and skipped. */
static int next_tok(const char *s, size_t len, size_t *pos, tok *t)
{
	size_t i = *pos;

	while (i < len && (is_space(s[i]) || s[i] == '(' || s[i] == ')'))
		i++;
	if (i >= len)
		return 0;
	if (s[i] == '"') {
		size_t start = ++i;

		while (i < len && s[i] != '"') {
			if (s[i] == '\\' && i + 1 < len)
				i++;
			i++;
		}
		t->p = s + start;
		t->len = (i < len ? i : len) - start;
		t->quoted = 1;
		*pos = i < len ? i + 1 : len;
		return 1;
	}
	size_t start = i;

	while (i < len && !is_space(s[i]) && s[i] != '(' && s[i] != ')') {
		if (s[i] == '\\' && i + 1 < len)
			i++;
		i++;
	}
	t->p = s + start;
	t->len = i - start;
	t->quoted = 0;
	*pos = i;
	return 1;
}

static int all_digits(const tok *t)
{
	if (t->len == 0 || t->len > 10)
		return 0;
	for (size_t i = 0; i < t->len; i++)
		if (!isdigit((unsigned char)t->p[i]))
			return 0;
	return 1;
}

static int is_class(const tok *t)
{
	static const char *const classes[] = {"IN", "CH", "HS", "CS", "NONE", "ANY", NULL};

	for (size_t i = 0; classes[i]; i++)
		if (t->len == strlen(classes[i]) && strncasecmp(t->p, classes[i], t->len) == 0)
			return 1;
	return t->len > 5 && strncasecmp(t->p, "CLASS", 5) == 0 && isdigit((unsigned char)t->p[5]);
}

/*
 * Length of the start of in[0..n) that tolower() leaves as it is: up to the first upper-case
 * ASCII letter or byte above 127 (what a locale may fold). Names mostly arrive in lower case
 * already, so they are checked 8 bytes at a time and copied whole.
 */
static size_t fold_free_len(const char *in, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, in + i, 8);
		if (rr_word_foldable(w))
			break;
	}
	while (i < n && !((unsigned char)in[i] >= 0x80 || (in[i] >= 'A' && in[i] <= 'Z')))
		i++;
	return i;
}

/* Length of the name in[0..len) without one trailing dot, unless it is escaped ("a\.") or
 * the whole name ("."). */
static size_t name_len(const char *in, size_t len)
{
	size_t n = len;

	if (n > 1 && in[n - 1] == '.') {
		size_t bs = 0;

		while (bs + 1 < n && in[n - 2 - bs] == '\\')
			bs++;
		if (bs % 2 == 0)
			n--;
	}
	return n;
}

char *rr_name_normalize(const char *in, size_t len, char *out, size_t outlen)
{
	size_t n = name_len(in, len), k;

	if (n + 1 > outlen)
		return NULL;
	k = fold_free_len(in, n);
	memcpy(out, in, k);
	for (size_t i = k; i < n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[n] = '\0';
	return out;
}

int rr_type_common(const char *t)
{
	/* most asked first */
	static const char *const common[] = {
		"TXT", "CNAME", "MX", "NS", "SOA", "A", "AAAA", "CAA", "PTR", "SRV", "SPF", "DS",
		"DNSKEY", "RRSIG", "NSEC", "NSEC3", "HTTPS", "SVCB", "TLSA", "DNAME", "ANY", NULL
	};

	for (size_t i = 0; common[i]; i++)
		if (t[0] == common[i][0] && strcmp(t, common[i]) == 0)
			return 1;
	return 0;
}

static void set_name(lua_State *L, const char *field, const tok *t, int lower)
{
	char buf[1100];
	size_t n = t->len;

	if (lower) {
		if (rr_name_normalize(t->p, t->len, buf, sizeof(buf)))
			lua_pushstring(L, buf);
		else
			lua_pushlstring(L, t->p, t->len);
	} else {
		if (n > 1 && t->p[n - 1] == '.' && !(n >= 2 && t->p[n - 2] == '\\'))
			n--;
		lua_pushlstring(L, t->p, n);
	}
	lua_setfield(L, -2, field);
}

static void set_int(lua_State *L, const char *field, const tok *t)
{
	if (!all_digits(t))
		return;
	lua_Integer v = 0;

	for (size_t i = 0; i < t->len; i++)
		v = v * 10 + (t->p[i] - '0');
	lua_pushinteger(L, v);
	lua_setfield(L, -2, field);
}

/* Pushes a character-string with its presentation escapes (\X, \DDD) undone. */
static void push_unescaped(lua_State *L, const tok *t)
{
	luaL_Buffer b;

	luaL_buffinit(L, &b);
	for (size_t i = 0; i < t->len; i++) {
		char c = t->p[i];

		if (c == '\\' && i + 1 < t->len) {
			if (i + 3 < t->len + 0 && isdigit((unsigned char)t->p[i + 1]) &&
			    isdigit((unsigned char)t->p[i + 2]) && isdigit((unsigned char)t->p[i + 3])) {
				int v = (t->p[i + 1] - '0') * 100 + (t->p[i + 2] - '0') * 10 + (t->p[i + 3] - '0');

				luaL_addchar(&b, (char)(v & 0xff));
				i += 3;
				continue;
			}
			c = t->p[++i];
		}
		luaL_addchar(&b, c);
	}
	luaL_pushresult(&b);
}

static void expand_txt(lua_State *L, const char *s, size_t len, size_t pos)
{
	tok t;
	lua_Integer n = 0;
	luaL_Buffer b;

	lua_newtable(L);
	while (next_tok(s, len, &pos, &t)) {
		push_unescaped(L, &t);
		lua_rawseti(L, -2, ++n);
	}
	/* text: the strings joined with no separator */
	luaL_buffinit(L, &b);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, -2 - (int)0, i);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	lua_setfield(L, -3, "text");
	lua_setfield(L, -2, "strings");
}

void rr_push_expanded(lua_State *L, const char *s, size_t len)
{
	size_t pos = 0, data_at;
	tok owner, t, type;
	int have_type = 0;
	char tbuf[32];

	luaL_checkstack(L, 10, "rr");
	lua_createtable(L, 0, 8);
	lua_pushlstring(L, s, len);
	lua_setfield(L, -2, "raw");
	if (!next_tok(s, len, &pos, &owner)) {
		lua_pushliteral(L, "");
		lua_setfield(L, -2, "data");
		return;
	}
	set_name(L, "name", &owner, 1);
	for (int i = 0; i < 3 && next_tok(s, len, &pos, &t); i++) {
		if (i < 2 && all_digits(&t)) {
			set_int(L, "ttl", &t);
		} else if (i < 2 && is_class(&t)) {
			size_t n = t.len < sizeof(tbuf) - 1 ? t.len : sizeof(tbuf) - 1;

			for (size_t k = 0; k < n; k++)
				tbuf[k] = (char)toupper((unsigned char)t.p[k]);
			lua_pushlstring(L, tbuf, n);
			lua_setfield(L, -2, "class");
		} else {
			type = t;
			have_type = 1;
			break;
		}
	}
	while (pos < len && is_space(s[pos]))
		pos++;
	data_at = pos;
	{
		size_t end = len;

		while (end > data_at && is_space(s[end - 1]))
			end--;
		lua_pushlstring(L, s + data_at, end - data_at);
		lua_setfield(L, -2, "data");
	}
	if (!have_type || type.len >= sizeof(tbuf))
		return;
	for (size_t k = 0; k < type.len; k++)
		tbuf[k] = (char)toupper((unsigned char)type.p[k]);
	tbuf[type.len] = '\0';
	lua_pushstring(L, tbuf);
	lua_setfield(L, -2, "type");

	if (!strcmp(tbuf, "CNAME") || !strcmp(tbuf, "NS") || !strcmp(tbuf, "PTR") ||
	    !strcmp(tbuf, "DNAME")) {
		if (next_tok(s, len, &pos, &t))
			set_name(L, "target", &t, 0);
	} else if (!strcmp(tbuf, "MX")) {
		if (next_tok(s, len, &pos, &t)) {
			set_int(L, "preference", &t);
			if (next_tok(s, len, &pos, &t))
				set_name(L, "exchange", &t, 0);
		}
	} else if (!strcmp(tbuf, "TXT") || !strcmp(tbuf, "SPF")) {
		expand_txt(L, s, len, pos);
	} else if (!strcmp(tbuf, "A") || !strcmp(tbuf, "AAAA")) {
		if (next_tok(s, len, &pos, &t)) {
			lua_pushlstring(L, t.p, t.len);
			lua_setfield(L, -2, "address");
		}
	} else if (!strcmp(tbuf, "SOA")) {
		static const char *const ints[] = {"serial", "refresh", "retry", "expire", "minimum"};

		if (next_tok(s, len, &pos, &t)) {
			set_name(L, "mname", &t, 0);
			if (next_tok(s, len, &pos, &t)) {
				set_name(L, "rname", &t, 0);
				for (int i = 0; i < 5 && next_tok(s, len, &pos, &t); i++)
					set_int(L, ints[i], &t);
			}
		}
	}
}

/* Whether the owner of s is name spelt exactly as it is, with or without a trailing dot: a
 * name without blanks, parentheses, quotes or escapes is then the whole first token. */
static int owner_is_plain(const char *s, size_t len, const char *name, size_t nl, size_t *pos)
{
	size_t end = nl;

	if (nl == 0 || nl > len || memcmp(s, name, nl) != 0 || name[strcspn(name, " \t\n\r()\"\\")])
		return 0;
	if (end < len && s[end] == '.')
		end++;
	if (end < len && !is_space(s[end]) && s[end] != '(' && s[end] != ')')
		return 0;
	*pos = end;
	return 1;
}

int rr_owned_by(const char *s, size_t len, const char *name, const char *type)
{
	size_t pos = 0, n, nl = strlen(name);
	tok owner, t;

	if (!owner_is_plain(s, len, name, nl, &pos)) {
		if (!next_tok(s, len, &pos, &owner) || (n = name_len(owner.p, owner.len)) != nl)
			return 0;
		for (size_t i = 0; i < n; i++)
			if (owner.p[i] != name[i] && (char)tolower((unsigned char)owner.p[i]) != name[i])
				return 0;
	}
	for (int i = 0; i < 3 && next_tok(s, len, &pos, &t); i++) {
		if (i < 2 && (all_digits(&t) || is_class(&t)))
			continue;
		/* the longest mnemonics have 10 characters: this is no type */
		if (t.len >= 32)
			return 0;
		if (!type)
			return 1;
		if (t.len != strlen(type))
			return 0;
		for (size_t k = 0; k < t.len; k++)
			if ((char)toupper((unsigned char)t.p[k]) != type[k])
				return 0;
		return 1;
	}
	return 0;
}
