#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "tree/node_internal.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

static const char nul_complaint[] = "a string contains a control character (NUL)";

struct frame {
	dnsvet_node *node;
	char *key;           /* pending map key, NULL when the next scalar is a key */
	size_t keylen;
};

struct builder {
	const char *name;
	dnsvet_node_error *err;
	dnsvet_node *root;
	struct frame stack[DNSVET_NODE_MAX_DEPTH + 1];
	size_t depth;
	size_t nodes;
	int documents;
	unsigned flags;      /* DNSVET_PARSE_* */
};

static dnsvet_status fail(struct builder *b, dnsvet_status st, unsigned line, unsigned col,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static dnsvet_status fail(struct builder *b, dnsvet_status st, unsigned line, unsigned col,
                          const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return dnsvet_node_error_set(b->err, st, b->name, line, col, "%s", msg);
}

dnsvet_status dnsvet_node_error_set(dnsvet_node_error *err, dnsvet_status st, const char *name,
                                    unsigned line, unsigned column, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (!err)
		return st;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(err->message, sizeof(err->message), "%s:%u:%u: %s",
		         name ? name : "<input>", line, column, msg);
	else
		snprintf(err->message, sizeof(err->message), "%s: %s", name ? name : "<input>", msg);
	err->line = line;
	err->column = column;
	return st;
}

/* 1-based line and column of a byte offset, for reader errors that carry no mark. */
static void offset_mark(const char *text, size_t len, size_t off, unsigned *line, unsigned *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

static dnsvet_status yaml_fail(struct builder *b, yaml_parser_t *p, const char *text, size_t len)
{
	unsigned line, col;
	const char *what = p->problem ? p->problem : "malformed document";

	if (p->error == YAML_MEMORY_ERROR)
		return fail(b, DNSVET_ERR_NOMEM, 0, 0, "out of memory");
	if (p->error == YAML_READER_ERROR) {
		offset_mark(text, len, p->problem_offset, &line, &col);
		if (p->problem_value != -1)
			return fail(b, DNSVET_ERR_PARSE, line, col, "%s (byte 0x%02X)", what,
			            (unsigned)p->problem_value & 0xFFu);
		return fail(b, DNSVET_ERR_PARSE, line, col, "%s", what);
	}
	line = (unsigned)p->problem_mark.line + 1;
	col = (unsigned)p->problem_mark.column + 1;
	if (p->context)
		return fail(b, DNSVET_ERR_PARSE, line, col, "%s %s (line %u)", what, p->context,
		            (unsigned)p->context_mark.line + 1);
	return fail(b, DNSVET_ERR_PARSE, line, col, "%s", what);
}

/* Hands child to the current container (or makes it the root). */
static dnsvet_status attach(struct builder *b, dnsvet_node *child)
{
	struct frame *f;
	dnsvet_status st;

	if (b->depth == 0) {
		b->root = child;
		return DNSVET_OK;
	}
	f = &b->stack[b->depth - 1];
	if (dnsvet_node_type_of(f->node) == DNSVET_NODE_LIST)
		return dnsvet_node_list_append(f->node, child);
	st = dnsvet_node_map_append(f->node, f->key, f->keylen, child);
	free(f->key);
	f->key = NULL;
	return st;
}

static int expecting_key(const struct builder *b)
{
	const struct frame *f;

	if (b->depth == 0)
		return 0;
	f = &b->stack[b->depth - 1];
	return dnsvet_node_type_of(f->node) == DNSVET_NODE_MAP && f->key == NULL;
}

static const char *tag_suffix(const yaml_char_t *tag)
{
	size_t n = strlen(TAG_PREFIX);

	if (tag && strncmp((const char *)tag, TAG_PREFIX, n) == 0)
		return (const char *)tag + n;
	return NULL;
}

static dnsvet_status on_scalar(struct builder *b, yaml_event_t *ev)
{
	const char *val = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	unsigned line = (unsigned)ev->start_mark.line + 1, col = (unsigned)ev->start_mark.column + 1;
	const yaml_char_t *tag = ev->data.scalar.tag;
	dnsvet_scalar sc;
	dnsvet_node *n;
	dnsvet_status st;

	if (expecting_key(b)) {
		struct frame *f = &b->stack[b->depth - 1];
		dnsvet_node *prev;

		if (memchr(val, '\0', len))
			return fail(b, DNSVET_ERR_PARSE, line, col, "map key contains a NUL character");
		prev = dnsvet_node_map_get(f->node, val);
		if (prev) {
			dnsvet_node_mark m = dnsvet_node_mark_of(prev);

			return fail(b, DNSVET_ERR_PARSE, line, col,
			            "duplicate key \"%.100s\" (first value at line %u)", val, m.line);
		}
		f->key = malloc(len + 1);
		if (!f->key)
			return fail(b, DNSVET_ERR_NOMEM, line, col, "out of memory");
		memcpy(f->key, val, len + 1);
		f->keylen = len;
		return DNSVET_OK;
	}

	if (tag && strcmp((const char *)tag, "!") != 0) {
		const char *t = tag_suffix(tag);

		if (t && strcmp(t, "str") == 0) {
			sc.type = DNSVET_NODE_STRING;
		} else if (t && (strcmp(t, "int") == 0 || strcmp(t, "float") == 0 ||
		                 strcmp(t, "bool") == 0 || strcmp(t, "null") == 0)) {
			dnsvet_scalar_resolve(val, len, &sc);
			if (t[0] == 'f' && sc.type == DNSVET_NODE_INT) {
				sc.type = DNSVET_NODE_DOUBLE;
				sc.d = (double)sc.i;
			}
			if ((t[0] == 'i' && sc.type != DNSVET_NODE_INT) ||
			    (t[0] == 'f' && sc.type != DNSVET_NODE_DOUBLE) ||
			    (t[0] == 'b' && sc.type != DNSVET_NODE_BOOL) ||
			    (t[0] == 'n' && sc.type != DNSVET_NODE_NULL))
				return fail(b, DNSVET_ERR_PARSE, line, col,
				            "value \"%.60s\" does not match its tag !!%s", val, t);
		} else {
			return fail(b, DNSVET_ERR_PARSE, line, col, "unsupported tag %.100s",
			            (const char *)tag);
		}
	} else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !tag) {
		dnsvet_scalar_resolve(val, len, &sc);
	} else {
		sc.type = DNSVET_NODE_STRING;
	}

	if (sc.type == DNSVET_NODE_STRING && !(b->flags & DNSVET_PARSE_KEEP_NUL) &&
	    memchr(val, '\0', len))
		return fail(b, DNSVET_ERR_PARSE, line, col, "%s", nul_complaint);
	switch (sc.type) {
	case DNSVET_NODE_NULL: n = dnsvet_node_new_null(); break;
	case DNSVET_NODE_BOOL: n = dnsvet_node_new_bool(sc.b); break;
	case DNSVET_NODE_INT: n = dnsvet_node_new_int(sc.i); break;
	case DNSVET_NODE_DOUBLE: n = dnsvet_node_new_double(sc.d); break;
	default: n = dnsvet_node_new_stringn(val, len); break;
	}
	if (!n)
		return fail(b, DNSVET_ERR_NOMEM, line, col, "out of memory");
	dnsvet_node_set_mark(n, line, col);
	st = attach(b, n);
	if (st != DNSVET_OK)
		return fail(b, st, line, col, "cannot store value: %s", dnsvet_status_str(st));
	return DNSVET_OK;
}

static dnsvet_status on_start(struct builder *b, yaml_event_t *ev, int is_map)
{
	unsigned line = (unsigned)ev->start_mark.line + 1, col = (unsigned)ev->start_mark.column + 1;
	const yaml_char_t *tag = is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
	dnsvet_node *n;
	dnsvet_status st;

	if (expecting_key(b))
		return fail(b, DNSVET_ERR_PARSE, line, col,
		            "only scalar map keys are supported, found a %s", is_map ? "map" : "list");
	if (tag && strcmp((const char *)tag, "!") != 0) {
		const char *t = tag_suffix(tag);

		if (!t || strcmp(t, is_map ? "map" : "seq") != 0)
			return fail(b, DNSVET_ERR_PARSE, line, col, "unsupported tag %.100s",
			            (const char *)tag);
	}
	if (b->depth >= DNSVET_NODE_MAX_DEPTH)
		return fail(b, DNSVET_ERR_LIMIT, line, col, "nesting deeper than %d levels",
		            DNSVET_NODE_MAX_DEPTH);
	n = is_map ? dnsvet_node_new_map() : dnsvet_node_new_list();
	if (!n)
		return fail(b, DNSVET_ERR_NOMEM, line, col, "out of memory");
	dnsvet_node_set_mark(n, line, col);
	st = attach(b, n);
	if (st != DNSVET_OK)
		return fail(b, st, line, col, "cannot store value: %s", dnsvet_status_str(st));
	b->stack[b->depth].node = n;
	b->stack[b->depth].key = NULL;
	b->stack[b->depth].keylen = 0;
	b->depth++;
	return DNSVET_OK;
}

static const yaml_char_t *event_anchor(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT: return ev->data.scalar.anchor;
	case YAML_MAPPING_START_EVENT: return ev->data.mapping_start.anchor;
	case YAML_SEQUENCE_START_EVENT: return ev->data.sequence_start.anchor;
	default: return NULL;
	}
}

static dnsvet_status on_event(struct builder *b, yaml_event_t *ev)
{
	unsigned line = (unsigned)ev->start_mark.line + 1, col = (unsigned)ev->start_mark.column + 1;

	if (event_anchor(ev))
		return fail(b, DNSVET_ERR_PARSE, line, col, "anchors (&%.60s) are not supported",
		            (const char *)event_anchor(ev));
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		return fail(b, DNSVET_ERR_PARSE, line, col, "aliases (*%.60s) are not supported",
		            (const char *)ev->data.alias.anchor);
	case YAML_DOCUMENT_START_EVENT:
		if (b->documents++ > 0)
			return fail(b, DNSVET_ERR_PARSE, line, col,
			            "more than one document in the stream");
		return DNSVET_OK;
	case YAML_SCALAR_EVENT:
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		if (++b->nodes > DNSVET_NODE_MAX_NODES)
			return fail(b, DNSVET_ERR_LIMIT, line, col, "more than %u nodes",
			            DNSVET_NODE_MAX_NODES);
		if (ev->type == YAML_SCALAR_EVENT)
			return on_scalar(b, ev);
		return on_start(b, ev, ev->type == YAML_MAPPING_START_EVENT);
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		if (b->depth == 0)
			return fail(b, DNSVET_ERR_INTERNAL, line, col, "unbalanced document");
		b->depth--;
		free(b->stack[b->depth].key);
		b->stack[b->depth].key = NULL;
		return DNSVET_OK;
	default:
		return DNSVET_OK;
	}
}

/* JSON documents start with '{' or '[' (after an optional BOM and blanks); they go to the
 * strict JSON reader first, which has no key length limit and knows surrogate pairs. */
static int looks_like_json(const char *text, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	return i < len && (text[i] == '{' || text[i] == '[');
}

static dnsvet_status dnsvet_node_parse_yaml_only(const char *text, size_t len, const char *name,
                                                 dnsvet_node **out, dnsvet_node_error *err,
                                                 unsigned flags);

dnsvet_status dnsvet_node_parse_yaml(const char *text, size_t len, const char *name,
                                     dnsvet_node **out, dnsvet_node_error *err)
{
	return dnsvet_node_parse_yaml_flags(text, len, name, out, err, 0);
}

dnsvet_status dnsvet_node_parse_yaml_flags(const char *text, size_t len, const char *name,
                                           dnsvet_node **out, dnsvet_node_error *err,
                                           unsigned flags)
{
	struct builder b;
	dnsvet_status st;

	memset(&b, 0, sizeof(b));
	b.name = name;
	b.err = err;
	if (err) {
		err->message[0] = '\0';
		err->line = 0;
		err->column = 0;
	}
	if (!out || (!text && len))
		return fail(&b, DNSVET_ERR_INVALID, 0, 0, "no document given");
	*out = NULL;
	if (len > DNSVET_NODE_MAX_INPUT)
		return fail(&b, DNSVET_ERR_LIMIT, 0, 0, "document larger than %u bytes",
		            DNSVET_NODE_MAX_INPUT);
	if (looks_like_json(text, len)) {
		dnsvet_node_error jerr, yerr;

		st = dnsvet_json_parse(text, len, name, out, &jerr, flags);
		if (st == DNSVET_OK || st != DNSVET_ERR_PARSE) {
			if (err && st != DNSVET_OK)
				*err = jerr;
			return st;
		}
		/* Not strict JSON: maybe YAML flow style ({a: 1}) or JSON with comments. When
		 * YAML cannot read it either, the JSON complaint is the useful one, unless YAML
		 * read the flow style and stopped at a NUL in a string. */
		st = dnsvet_node_parse_yaml_only(text, len, name, out, &yerr, flags);
		if (st != DNSVET_OK && err)
			*err = strstr(yerr.message, nul_complaint) ? yerr : jerr;
		return st == DNSVET_OK ? st : DNSVET_ERR_PARSE;
	}
	return dnsvet_node_parse_yaml_only(text, len, name, out, err, flags);
}

static dnsvet_status dnsvet_node_parse_yaml_only(const char *text, size_t len, const char *name,
                                                 dnsvet_node **out, dnsvet_node_error *err,
                                                 unsigned flags)
{
	struct builder b;
	yaml_parser_t parser;
	yaml_event_t ev;
	dnsvet_status st = DNSVET_OK;
	int done = 0;

	memset(&b, 0, sizeof(b));
	b.name = name;
	b.err = err;
	b.flags = flags;
	if (!yaml_parser_initialize(&parser))
		return fail(&b, DNSVET_ERR_NOMEM, 0, 0, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)(text ? text : ""), len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			st = yaml_fail(&b, &parser, text, len);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		st = on_event(&b, &ev);
		yaml_event_delete(&ev);
		if (st != DNSVET_OK)
			break;
	}
	yaml_parser_delete(&parser);
	while (b.depth > 0) {
		b.depth--;
		free(b.stack[b.depth].key);
	}
	if (st != DNSVET_OK) {
		dnsvet_node_free(b.root);
		return st;
	}
	if (!b.root) {
		/* An empty stream is an empty document: null. */
		b.root = dnsvet_node_new_null();
		if (!b.root)
			return fail(&b, DNSVET_ERR_NOMEM, 0, 0, "out of memory");
		dnsvet_node_set_mark(b.root, 1, 1);
	}
	*out = b.root;
	return DNSVET_OK;
}

dnsvet_status dnsvet_node_load_yaml_file(const char *path, dnsvet_node **out,
                                         dnsvet_node_error *err)
{
	return dnsvet_node_load_yaml_file_flags(path, out, err, 0);
}

dnsvet_status dnsvet_node_load_yaml_file_flags(const char *path, dnsvet_node **out,
                                               dnsvet_node_error *err, unsigned flags)
{
	struct builder b;
	FILE *fp;
	char *text = NULL;
	size_t len = 0, cap = 0;
	dnsvet_status st;

	memset(&b, 0, sizeof(b));
	b.name = path;
	b.err = err;
	if (!path || !out)
		return fail(&b, DNSVET_ERR_INVALID, 0, 0, "no file given");
	fp = fopen(path, "rb");
	if (!fp)
		return fail(&b, DNSVET_ERR_IO, 0, 0, "cannot open: %s", strerror(errno));
	for (;;) {
		size_t n;

		if (len == cap) {
			char *p;

			if (cap > DNSVET_NODE_MAX_INPUT) {
				fclose(fp);
				free(text);
				return fail(&b, DNSVET_ERR_LIMIT, 0, 0, "file larger than %u bytes",
				            DNSVET_NODE_MAX_INPUT);
			}
			cap = cap ? cap * 2 : 65536;
			p = realloc(text, cap);
			if (!p) {
				fclose(fp);
				free(text);
				return fail(&b, DNSVET_ERR_NOMEM, 0, 0, "out of memory");
			}
			text = p;
		}
		n = fread(text + len, 1, cap - len, fp);
		len += n;
		if (n == 0) {
			if (ferror(fp)) {
				int e = errno;

				fclose(fp);
				free(text);
				return fail(&b, DNSVET_ERR_IO, 0, 0, "cannot read: %s", strerror(e));
			}
			break;
		}
	}
	fclose(fp);
	st = dnsvet_node_parse_yaml_flags(text, len, path, out, err, flags);
	free(text);
	return st;
}
