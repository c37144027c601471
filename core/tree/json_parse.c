#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "tree/node_internal.h"
#include "tree/sbuf.h"
#include "tree/utf8.h"

struct jp {
	const unsigned char *s;
	size_t len, pos;
	unsigned line, col;      /* of s[pos], 1-based; col counts characters */
	const char *name;
	dnsvet_node_error *err;
	size_t nodes;
	unsigned flags;          /* DNSVET_PARSE_* */
	dnsvet_sbuf buf;         /* scratch for string contents */
};

#define FAIL(p, st, ...) dnsvet_node_error_set((p)->err, (st), (p)->name, (p)->line, (p)->col, __VA_ARGS__)

static void adv(struct jp *p)
{
	unsigned char c = p->s[p->pos++];

	if (c == '\n') {
		p->line++;
		p->col = 1;
	} else if ((c & 0xC0) != 0x80) {
		p->col++;
	}
}

static void skip_ws(struct jp *p)
{
	while (p->pos < p->len) {
		unsigned char c = p->s[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return;
		adv(p);
	}
}

static int hex4(const unsigned char *s, uint32_t *out)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return 0;
	}
	*out = v;
	return 1;
}

static void put_utf8(dnsvet_sbuf *b, uint32_t cp)
{
	char u[4];

	if (cp < 0x80) {
		dnsvet_sbuf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		dnsvet_sbuf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		dnsvet_sbuf_add(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		dnsvet_sbuf_add(b, u, 4);
	}
}

/* Reads a string at p->pos (on the opening quote) into p->buf. */
static dnsvet_status read_string(struct jp *p)
{
	p->buf.len = 0;
	if (p->buf.data)
		p->buf.data[0] = '\0';
	adv(p);
	for (;;) {
		size_t run = p->pos;
		unsigned char c;

		/* copy plain ASCII in one go */
		while (p->pos < p->len && (c = p->s[p->pos]) >= 0x20 && c < 0x80 && c != '"' &&
		       c != '\\') {
			p->pos++;
			p->col++;
		}
		dnsvet_sbuf_add(&p->buf, (const char *)p->s + run, p->pos - run);
		if (p->pos >= p->len)
			return FAIL(p, DNSVET_ERR_PARSE, "unterminated string");
		c = p->s[p->pos];
		if (c == '"') {
			adv(p);
			return p->buf.failed ? FAIL(p, DNSVET_ERR_NOMEM, "out of memory") : DNSVET_OK;
		}
		if (c < 0x20)
			return FAIL(p, DNSVET_ERR_PARSE, "control character 0x%02X in a string "
			            "(write it as \\u%04X)", c, c);
		if (c >= 0x80) {
			uint32_t cp;
			size_t n = dnsvet_utf8_decode(p->s + p->pos, p->len - p->pos, &cp);

			if (n == 0)
				return FAIL(p, DNSVET_ERR_PARSE, "invalid UTF-8 byte 0x%02X", c);
			dnsvet_sbuf_add(&p->buf, (const char *)p->s + p->pos, n);
			p->pos += n;
			p->col++;
			continue;
		}
		/* backslash */
		if (p->pos + 1 >= p->len)
			return FAIL(p, DNSVET_ERR_PARSE, "unterminated string");
		c = p->s[p->pos + 1];
		switch (c) {
		case '"': dnsvet_sbuf_addc(&p->buf, '"'); break;
		case '\\': dnsvet_sbuf_addc(&p->buf, '\\'); break;
		case '/': dnsvet_sbuf_addc(&p->buf, '/'); break;
		case 'b': dnsvet_sbuf_addc(&p->buf, '\b'); break;
		case 'f': dnsvet_sbuf_addc(&p->buf, '\f'); break;
		case 'n': dnsvet_sbuf_addc(&p->buf, '\n'); break;
		case 'r': dnsvet_sbuf_addc(&p->buf, '\r'); break;
		case 't': dnsvet_sbuf_addc(&p->buf, '\t'); break;
		case 'u': {
			uint32_t cp, lo;

			if (p->pos + 6 > p->len || !hex4(p->s + p->pos + 2, &cp))
				return FAIL(p, DNSVET_ERR_PARSE, "\\u must be followed by 4 hex digits");
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return FAIL(p, DNSVET_ERR_PARSE, "unpaired low surrogate \\u%04X", cp);
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (p->pos + 12 > p->len || p->s[p->pos + 6] != '\\' ||
				    p->s[p->pos + 7] != 'u' || !hex4(p->s + p->pos + 8, &lo) ||
				    lo < 0xDC00 || lo > 0xDFFF)
					return FAIL(p, DNSVET_ERR_PARSE,
					            "high surrogate \\u%04X not followed by a low one", cp);
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				p->pos += 6;
				p->col += 6;
			}
			put_utf8(&p->buf, cp);
			p->pos += 4;
			p->col += 4;
			break;
		}
		default:
			return FAIL(p, DNSVET_ERR_PARSE, "unknown escape \\%c", c >= 0x20 && c < 0x7F ? c : '?');
		}
		p->pos += 2;
		p->col += 2;
	}
}

static dnsvet_status read_number(struct jp *p, dnsvet_node **out)
{
	size_t start = p->pos, i = p->pos;
	int is_float = 0;
	char tmp[400];
	size_t n;

	if (i < p->len && p->s[i] == '-')
		i++;
	if (i < p->len && p->s[i] == '0') {
		i++;
	} else if (i < p->len && p->s[i] >= '1' && p->s[i] <= '9') {
		while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9')
			i++;
	} else {
		return FAIL(p, DNSVET_ERR_PARSE, "invalid number");
	}
	if (i < p->len && p->s[i] == '.') {
		is_float = 1;
		i++;
		if (i >= p->len || p->s[i] < '0' || p->s[i] > '9')
			return FAIL(p, DNSVET_ERR_PARSE, "invalid number: digits must follow '.'");
		while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9')
			i++;
	}
	if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
		is_float = 1;
		i++;
		if (i < p->len && (p->s[i] == '+' || p->s[i] == '-'))
			i++;
		if (i >= p->len || p->s[i] < '0' || p->s[i] > '9')
			return FAIL(p, DNSVET_ERR_PARSE, "invalid number: digits must follow the exponent");
		while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9')
			i++;
	}
	n = i - start;
	if (n >= sizeof(tmp))
		return FAIL(p, DNSVET_ERR_PARSE, "number too long");
	memcpy(tmp, p->s + start, n);
	tmp[n] = '\0';
	if (!is_float) {
		long long v;

		errno = 0;
		v = strtoll(tmp, NULL, 10);
		if (errno == 0)
			*out = dnsvet_node_new_int(v);
		else
			is_float = 1;  /* beyond int64: keep it as a double */
	}
	if (is_float)
		*out = dnsvet_node_new_double(strtod(tmp, NULL));
	p->pos = i;
	p->col += (unsigned)n;
	return *out ? DNSVET_OK : FAIL(p, DNSVET_ERR_NOMEM, "out of memory");
}

static int match_word(struct jp *p, const char *w)
{
	size_t n = strlen(w);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, w, n) != 0)
		return 0;
	p->pos += n;
	p->col += (unsigned)n;
	return 1;
}

static dnsvet_status read_value(struct jp *p, dnsvet_node **out, unsigned depth)
{
	unsigned line = p->line, col = p->col;
	dnsvet_status st;
	unsigned char c;

	*out = NULL;
	if (p->pos >= p->len)
		return FAIL(p, DNSVET_ERR_PARSE, "unexpected end of input, expected a value");
	if (++p->nodes > DNSVET_NODE_MAX_NODES)
		return FAIL(p, DNSVET_ERR_LIMIT, "more than %u nodes", DNSVET_NODE_MAX_NODES);
	c = p->s[p->pos];
	if (c == '{' || c == '[') {
		int is_map = c == '{';
		dnsvet_node *n;
		size_t count = 0;

		if (depth >= DNSVET_NODE_MAX_DEPTH)
			return FAIL(p, DNSVET_ERR_LIMIT, "nesting deeper than %d levels",
			            DNSVET_NODE_MAX_DEPTH);
		n = is_map ? dnsvet_node_new_map() : dnsvet_node_new_list();
		if (!n)
			return FAIL(p, DNSVET_ERR_NOMEM, "out of memory");
		dnsvet_node_set_mark(n, line, col);
		*out = n;
		adv(p);
		for (;;) {
			dnsvet_node *child;
			unsigned kline, kcol;
			char *key = NULL;
			size_t keylen = 0;

			skip_ws(p);
			if (p->pos < p->len && p->s[p->pos] == (is_map ? '}' : ']') && count == 0) {
				adv(p);
				return DNSVET_OK;
			}
			if (count > 0) {
				if (p->pos < p->len && p->s[p->pos] == (is_map ? '}' : ']')) {
					adv(p);
					return DNSVET_OK;
				}
				if (p->pos >= p->len || p->s[p->pos] != ',')
					return FAIL(p, DNSVET_ERR_PARSE, "expected ',' or '%c'",
					            is_map ? '}' : ']');
				adv(p);
				skip_ws(p);
			}
			if (is_map) {
				kline = p->line;
				kcol = p->col;
				if (p->pos >= p->len || p->s[p->pos] != '"')
					return FAIL(p, DNSVET_ERR_PARSE, "expected a string key in quotes");
				st = read_string(p);
				if (st != DNSVET_OK)
					return st;
				keylen = p->buf.len;
				if (memchr(p->buf.data, '\0', keylen))
					return dnsvet_node_error_set(p->err, DNSVET_ERR_PARSE, p->name, kline,
					                             kcol, "map key contains a NUL character");
				if (dnsvet_node_map_get(n, p->buf.data)) {
					dnsvet_node_mark m = dnsvet_node_mark_of(dnsvet_node_map_get(n, p->buf.data));

					return dnsvet_node_error_set(p->err, DNSVET_ERR_PARSE, p->name, kline,
					                             kcol, "duplicate key \"%.100s\" (first value at line %u)",
					                             p->buf.data, m.line);
				}
				key = malloc(keylen + 1);
				if (!key)
					return FAIL(p, DNSVET_ERR_NOMEM, "out of memory");
				memcpy(key, p->buf.data, keylen + 1);
				skip_ws(p);
				if (p->pos >= p->len || p->s[p->pos] != ':') {
					free(key);
					return FAIL(p, DNSVET_ERR_PARSE, "expected ':' after the key");
				}
				adv(p);
				skip_ws(p);
			}
			st = read_value(p, &child, depth + 1);
			if (st != DNSVET_OK) {
				free(key);
				dnsvet_node_free(child);
				return st;
			}
			if (is_map)
				st = dnsvet_node_map_append(n, key, keylen, child);
			else
				st = dnsvet_node_list_append(n, child);
			free(key);
			if (st != DNSVET_OK)
				return FAIL(p, st, "cannot store value");
			count++;
		}
	}
	if (c == '"') {
		st = read_string(p);
		if (st != DNSVET_OK)
			return st;
		if (!(p->flags & DNSVET_PARSE_KEEP_NUL) && p->buf.len && memchr(p->buf.data, '\0', p->buf.len))
			return dnsvet_node_error_set(p->err, DNSVET_ERR_PARSE, p->name, line, col,
			                             "a string contains a control character (NUL)");
		*out = dnsvet_node_new_stringn(p->buf.data ? p->buf.data : "", p->buf.len);
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		st = read_number(p, out);
		if (st != DNSVET_OK)
			return st;
	} else if (match_word(p, "true")) {
		*out = dnsvet_node_new_bool(1);
	} else if (match_word(p, "false")) {
		*out = dnsvet_node_new_bool(0);
	} else if (match_word(p, "null")) {
		*out = dnsvet_node_new_null();
	} else {
		return FAIL(p, DNSVET_ERR_PARSE, "unexpected character '%c', expected a value",
		            c >= 0x20 && c < 0x7F ? c : '?');
	}
	if (!*out)
		return FAIL(p, DNSVET_ERR_NOMEM, "out of memory");
	dnsvet_node_set_mark(*out, line, col);
	return DNSVET_OK;
}

dnsvet_status dnsvet_json_parse(const char *text, size_t len, const char *name,
                                dnsvet_node **out, dnsvet_node_error *err, unsigned flags)
{
	struct jp p;
	dnsvet_node *root = NULL;
	dnsvet_status st;

	memset(&p, 0, sizeof(p));
	p.s = (const unsigned char *)text;
	p.len = len;
	p.line = 1;
	p.col = 1;
	p.name = name;
	p.err = err;
	p.flags = flags;
	dnsvet_sbuf_init(&p.buf);
	*out = NULL;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		p.pos = 3;
	skip_ws(&p);
	st = read_value(&p, &root, 0);
	if (st == DNSVET_OK) {
		skip_ws(&p);
		if (p.pos < p.len)
			st = FAIL(&p, DNSVET_ERR_PARSE, "unexpected text after the JSON document");
	}
	dnsvet_sbuf_clear(&p.buf);
	if (st != DNSVET_OK) {
		dnsvet_node_free(root);
		return st;
	}
	*out = root;
	return DNSVET_OK;
}
