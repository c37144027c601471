#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tree/node_internal.h"
#include "tree/sbuf.h"
#include "tree/utf8.h"

/* libyaml refuses implicit keys longer than 1024 characters; longer ones are written
 * as explicit "? key" entries. */
#define SIMPLE_KEY_MAX 1000

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Words other YAML readers (1.1: PyYAML, Go yaml.v2, Ruby) turn into non-strings. */
static int yaml11_special(const char *s, size_t len)
{
	static const char *const words[] = {
		"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		"on", "On", "ON", "off", "Off", "OFF", "=", "<<", NULL
	};
	size_t i, dots = 0, j = 0;

	for (i = 0; words[i]; i++)
		if (strlen(words[i]) == len && memcmp(s, words[i], len) == 0)
			return 1;
	/* 1.1 numbers: 0b1010, 1_000, 0777, 1:30 (base 60), 1.5e3 ... */
	if (j < len && (s[j] == '-' || s[j] == '+'))
		j++;
	if (j < len && (is_digit((unsigned char)s[j]) || s[j] == '.')) {
		for (i = j; i < len; i++) {
			if (!strchr("0123456789abcdefABCDEFxXoO_:.+-", s[i]))
				break;
			if (s[i] == '.')
				dots++;
		}
		if (i == len && dots <= 1)
			return 1;
	}
	/* 1.1 timestamps start YYYY-M-D */
	if (len >= 8 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) &&
	    s[4] == '-' && is_digit(s[5]))
		return 1;
	return 0;
}

/* Whether s can be written as a plain scalar that reads back as exactly this string. */
static int plain_ok(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	dnsvet_scalar sc;
	size_t i;

	if (len == 0)
		return 0;
	if (u[0] == ' ' || u[len - 1] == ' ')
		return 0;
	if (strchr("-?:,[]{}#&*!|>'\"%@`", u[0])) {
		if (u[0] != '-' || len == 1 || u[1] == ' ')
			return 0;
	}
	if (len >= 3 && (memcmp(s, "---", 3) == 0 || memcmp(s, "...", 3) == 0))
		return 0;
	if (u[len - 1] == ':')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = u[i];

		if (c < 0x20 || c == 0x7F)
			return 0;
		if (c == ':' && i + 1 < len && u[i + 1] == ' ')
			return 0;
		if (c == '#' && i > 0 && u[i - 1] == ' ')
			return 0;
		if (c >= 0x80) {
			uint32_t cp;
			size_t n = dnsvet_utf8_decode(u + i, len - i, &cp);

			if (n == 0)
				return 0;
			/* line breaks to libyaml, BOM, and the C1 controls */
			if (cp == 0x85 || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF ||
			    (cp >= 0x80 && cp < 0xA0) || cp == 0xFFFE || cp == 0xFFFF)
				return 0;
			i += n - 1;
		}
	}
	dnsvet_scalar_resolve(s, len, &sc);
	if (sc.type != DNSVET_NODE_STRING)
		return 0;
	return !yaml11_special(s, len);
}

static void put_quoted(dnsvet_sbuf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, run = 0;

	dnsvet_sbuf_addc(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = u[i];
		const char *esc = NULL;
		char tmp[12];

		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\')
			continue;
		dnsvet_sbuf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\0': esc = "\\0"; break;
		case '\a': esc = "\\a"; break;
		case '\b': esc = "\\b"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\v': esc = "\\v"; break;
		case '\f': esc = "\\f"; break;
		case '\r': esc = "\\r"; break;
		case 0x1B: esc = "\\e"; break;
		default: break;
		}
		if (esc) {
			dnsvet_sbuf_adds(b, esc);
			continue;
		}
		if (c < 0x80) {
			snprintf(tmp, sizeof(tmp), "\\x%02X", c);
			dnsvet_sbuf_adds(b, tmp);
			continue;
		}
		{
			uint32_t cp;
			size_t n = dnsvet_utf8_decode(u + i, len - i, &cp);

			if (n == 0) {
				/* Not UTF-8: the byte becomes the code point of the same
				 * value (YAML cannot carry raw bytes). */
				snprintf(tmp, sizeof(tmp), "\\x%02X", c);
				dnsvet_sbuf_adds(b, tmp);
				continue;
			}
			if (cp == 0x85)
				dnsvet_sbuf_adds(b, "\\N");
			else if (cp == 0x2028)
				dnsvet_sbuf_adds(b, "\\L");
			else if (cp == 0x2029)
				dnsvet_sbuf_adds(b, "\\P");
			else if (cp < 0xA0) {
				snprintf(tmp, sizeof(tmp), "\\x%02X", (unsigned)cp);
				dnsvet_sbuf_adds(b, tmp);
			} else if (cp == 0xFEFF || cp == 0xFFFE || cp == 0xFFFF) {
				snprintf(tmp, sizeof(tmp), "\\u%04X", (unsigned)cp);
				dnsvet_sbuf_adds(b, tmp);
			} else {
				dnsvet_sbuf_add(b, s + i, n);
			}
			i += n - 1;
			run = i + 1;
		}
	}
	dnsvet_sbuf_add(b, s + run, len - run);
	dnsvet_sbuf_addc(b, '"');
}

static void put_string(dnsvet_sbuf *b, const char *s, size_t len)
{
	if (plain_ok(s, len))
		dnsvet_sbuf_add(b, s, len);
	else
		put_quoted(b, s, len);
}

static void put_scalar(dnsvet_sbuf *b, const dnsvet_node *n)
{
	char num[40];

	switch (dnsvet_node_type_of(n)) {
	case DNSVET_NODE_NULL:
		dnsvet_sbuf_adds(b, "null");
		break;
	case DNSVET_NODE_BOOL:
		dnsvet_sbuf_adds(b, dnsvet_node_bool(n, 0) ? "true" : "false");
		break;
	case DNSVET_NODE_INT:
		dnsvet_sbuf_addf(b, "%lld", (long long)dnsvet_node_int(n, 0));
		break;
	case DNSVET_NODE_DOUBLE:
		dnsvet_double_format(dnsvet_node_double(n, 0), 0, num, sizeof(num));
		dnsvet_sbuf_adds(b, num);
		break;
	case DNSVET_NODE_STRING:
		put_string(b, dnsvet_node_string(n), dnsvet_node_string_len(n));
		break;
	case DNSVET_NODE_LIST:
		dnsvet_sbuf_adds(b, "[]");
		break;
	case DNSVET_NODE_MAP:
		dnsvet_sbuf_adds(b, "{}");
		break;
	}
}

static int is_block(const dnsvet_node *n)
{
	dnsvet_node_type t = dnsvet_node_type_of(n);

	return (t == DNSVET_NODE_LIST || t == DNSVET_NODE_MAP) && dnsvet_node_size(n) > 0;
}

static dnsvet_status emit_block(dnsvet_sbuf *b, const dnsvet_node *n, size_t indent,
                                int inline_first, unsigned depth);

/* After "key:" or "- ": the value, on this line when it is a scalar or an empty container. */
static dnsvet_status emit_map_value(dnsvet_sbuf *b, const dnsvet_node *v, size_t indent,
                                    unsigned depth)
{
	if (!is_block(v)) {
		dnsvet_sbuf_addc(b, ' ');
		put_scalar(b, v);
		dnsvet_sbuf_addc(b, '\n');
		return DNSVET_OK;
	}
	dnsvet_sbuf_addc(b, '\n');
	return emit_block(b, v, indent + 2, 0, depth + 1);
}

static dnsvet_status emit_block(dnsvet_sbuf *b, const dnsvet_node *n, size_t indent,
                                int inline_first, unsigned depth)
{
	size_t i, count = dnsvet_node_size(n);
	dnsvet_status st;

	if (depth > DNSVET_NODE_EMIT_MAX_DEPTH)
		return DNSVET_ERR_LIMIT;
	for (i = 0; i < count; i++) {
		if (i > 0 || !inline_first)
			dnsvet_sbuf_indent(b, indent);
		if (dnsvet_node_type_of(n) == DNSVET_NODE_LIST) {
			const dnsvet_node *item = dnsvet_node_list_at(n, i);

			dnsvet_sbuf_addc(b, '-');
			if (!is_block(item)) {
				dnsvet_sbuf_addc(b, ' ');
				put_scalar(b, item);
				dnsvet_sbuf_addc(b, '\n');
				continue;
			}
			dnsvet_sbuf_addc(b, ' ');
			st = emit_block(b, item, indent + 2, 1, depth + 1);
		} else {
			const char *key = dnsvet_node_map_key_at(n, i);
			size_t klen = strlen(key), mark = b->len;

			put_string(b, key, klen);
			if (b->len - mark > SIMPLE_KEY_MAX) {
				/* Re-emit as an explicit key. */
				b->len = mark;
				if (b->data)
					b->data[b->len] = '\0';
				dnsvet_sbuf_adds(b, "? ");
				put_quoted(b, key, klen);
				dnsvet_sbuf_addc(b, '\n');
				dnsvet_sbuf_indent(b, indent);
			}
			dnsvet_sbuf_addc(b, ':');
			st = emit_map_value(b, dnsvet_node_map_value_at(n, i), indent, depth);
		}
		if (st != DNSVET_OK)
			return st;
	}
	return DNSVET_OK;
}

dnsvet_status dnsvet_node_to_yaml(const dnsvet_node *node, char **out)
{
	dnsvet_sbuf b;
	dnsvet_status st = DNSVET_OK;

	if (!out)
		return DNSVET_ERR_INVALID;
	dnsvet_sbuf_init(&b);
	if (is_block(node)) {
		st = emit_block(&b, node, 0, 0, 0);
	} else {
		put_scalar(&b, node);
		dnsvet_sbuf_addc(&b, '\n');
	}
	if (st != DNSVET_OK) {
		dnsvet_sbuf_clear(&b);
		return st;
	}
	return dnsvet_sbuf_finish(&b, out);
}

dnsvet_status dnsvet_node_write_yaml(const dnsvet_node *node, FILE *fp)
{
	char *text;
	dnsvet_status st;
	size_t len;

	if (!fp)
		return DNSVET_ERR_INVALID;
	st = dnsvet_node_to_yaml(node, &text);
	if (st != DNSVET_OK)
		return st;
	len = strlen(text);
	if (fwrite(text, 1, len, fp) != len)
		st = DNSVET_ERR_IO;
	free(text);
	return st;
}
