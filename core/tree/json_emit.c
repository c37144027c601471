#include <stdio.h>
#include <string.h>
#include "tree/node_internal.h"
#include "tree/sbuf.h"
#include "tree/utf8.h"

static void put_json_string(dnsvet_sbuf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, run = 0;
	char tmp[8];

	dnsvet_sbuf_addc(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = u[i];
		const char *esc = NULL;

		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\')
			continue;
		dnsvet_sbuf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default: break;
		}
		if (esc) {
			dnsvet_sbuf_adds(b, esc);
		} else if (c < 0x80) {
			snprintf(tmp, sizeof(tmp), "\\u%04x", c);
			dnsvet_sbuf_adds(b, tmp);
		} else {
			uint32_t cp;
			size_t n = dnsvet_utf8_decode(u + i, len - i, &cp);

			if (n == 0) {
				/* Same reading of a stray byte as the YAML writer: U+00NN. */
				snprintf(tmp, sizeof(tmp), "\\u%04x", c);
				dnsvet_sbuf_adds(b, tmp);
			} else if (cp == 0x2028 || cp == 0x2029 || cp < 0xA0 || cp == 0xFEFF ||
			           cp == 0xFFFE || cp == 0xFFFF) {
				/* Raw, these are valid JSON but break JavaScript source (U+2028/9) or
				 * YAML readers (C1 controls, BOM), ours included. */
				snprintf(tmp, sizeof(tmp), "\\u%04x", (unsigned)cp);
				dnsvet_sbuf_adds(b, tmp);
				i += n - 1;
			} else {
				dnsvet_sbuf_add(b, s + i, n);
				i += n - 1;
			}
			run = i + 1;
		}
	}
	dnsvet_sbuf_add(b, s + run, len - run);
	dnsvet_sbuf_addc(b, '"');
}

static void newline(dnsvet_sbuf *b, int pretty, size_t indent)
{
	if (!pretty)
		return;
	dnsvet_sbuf_addc(b, '\n');
	dnsvet_sbuf_indent(b, indent);
}

static dnsvet_status emit(dnsvet_sbuf *b, const dnsvet_node *n, int pretty, size_t indent,
                          unsigned depth)
{
	char num[40];
	size_t i, count;
	dnsvet_status st;

	if (depth > DNSVET_NODE_EMIT_MAX_DEPTH)
		return DNSVET_ERR_LIMIT;
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
		dnsvet_double_format(dnsvet_node_double(n, 0), 1, num, sizeof(num));
		dnsvet_sbuf_adds(b, num);
		break;
	case DNSVET_NODE_STRING:
		put_json_string(b, dnsvet_node_string(n), dnsvet_node_string_len(n));
		break;
	case DNSVET_NODE_LIST:
	case DNSVET_NODE_MAP:
		count = dnsvet_node_size(n);
		if (dnsvet_node_type_of(n) == DNSVET_NODE_LIST) {
			dnsvet_sbuf_addc(b, '[');
		} else {
			dnsvet_sbuf_addc(b, '{');
		}
		for (i = 0; i < count; i++) {
			if (i > 0)
				dnsvet_sbuf_addc(b, ',');
			newline(b, pretty, indent + 2);
			if (dnsvet_node_type_of(n) == DNSVET_NODE_MAP) {
				const char *k = dnsvet_node_map_key_at(n, i);

				put_json_string(b, k, strlen(k));
				dnsvet_sbuf_adds(b, pretty ? ": " : ":");
				st = emit(b, dnsvet_node_map_value_at(n, i), pretty, indent + 2, depth + 1);
			} else {
				st = emit(b, dnsvet_node_list_at(n, i), pretty, indent + 2, depth + 1);
			}
			if (st != DNSVET_OK)
				return st;
		}
		if (count)
			newline(b, pretty, indent);
		dnsvet_sbuf_addc(b, dnsvet_node_type_of(n) == DNSVET_NODE_LIST ? ']' : '}');
		break;
	}
	return DNSVET_OK;
}

dnsvet_status dnsvet_node_to_json(const dnsvet_node *node, int pretty, char **out)
{
	dnsvet_sbuf b;
	dnsvet_status st;

	if (!out)
		return DNSVET_ERR_INVALID;
	dnsvet_sbuf_init(&b);
	st = emit(&b, node, pretty, 0, 0);
	if (st != DNSVET_OK) {
		dnsvet_sbuf_clear(&b);
		return st;
	}
	return dnsvet_sbuf_finish(&b, out);
}
