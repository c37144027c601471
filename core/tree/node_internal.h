/* Internals of the document tree shared by the parser, the serialisers and obs. */
#ifndef DNSVET_TREE_NODE_INTERNAL_H
#define DNSVET_TREE_NODE_INTERNAL_H

#include <dnsvet/node.h>

/* Deepest container nesting the parser accepts and the serialisers walk. */
#define DNSVET_NODE_MAX_DEPTH 64
/* Serialisers refuse deeper in-memory trees (recursion bound). */
#define DNSVET_NODE_EMIT_MAX_DEPTH 512
/* Largest document the parser reads, and most nodes it builds from one. */
#define DNSVET_NODE_MAX_INPUT (64u * 1024u * 1024u)
#define DNSVET_NODE_MAX_NODES 4000000u

void dnsvet_node_set_mark(dnsvet_node *node, unsigned line, unsigned column);

/* Appends key (len bytes, copied) without looking for an existing entry; the caller has
 * checked. Takes ownership of child, also on failure. */
dnsvet_status dnsvet_node_map_append(dnsvet_node *map, const char *key, size_t keylen,
                                     dnsvet_node *child);

/* Removes the entry at key and returns its value, which the caller now owns (NULL when
 * absent). Used to reorder maps without copying subtrees. */
dnsvet_node *dnsvet_node_map_take(dnsvet_node *map, const char *key);

/* Inserts key at position pos (0..size) of map, which must not hold key yet. Takes
 * ownership of child, also on failure. */
dnsvet_status dnsvet_node_map_insert(dnsvet_node *map, size_t pos, const char *key,
                                     dnsvet_node *child);
/* Replaces (and frees) the i-th list item. Takes ownership of child, also on failure. */
dnsvet_status dnsvet_node_list_replace(dnsvet_node *list, size_t i, dnsvet_node *child);

/* Fills err (when not NULL) with "NAME:LINE:COL: message", or "NAME: message" when line
 * is 0; NAME is "<input>" when name is NULL. Returns st. */
dnsvet_status dnsvet_node_error_set(dnsvet_node_error *err, dnsvet_status st, const char *name,
                                    unsigned line, unsigned column, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Reader options. A string scalar holding a NUL byte (written \0, \x00 or \u0000) is a
 * parse error by default: every reader of a tree takes strings as C strings, which would
 * end at the NUL and check only the part before it. KEEP_NUL keeps such strings, for a
 * caller that rejects them itself per field (an audit entry is left out, not the file). */
#define DNSVET_PARSE_KEEP_NUL 1u

dnsvet_status dnsvet_node_parse_yaml_flags(const char *text, size_t len, const char *name,
                                           dnsvet_node **out, dnsvet_node_error *err,
                                           unsigned flags);
dnsvet_status dnsvet_node_load_yaml_file_flags(const char *path, dnsvet_node **out,
                                               dnsvet_node_error *err, unsigned flags);

/* Strict JSON (RFC 8259) reader used for documents that start with '{' or '['. Same
 * contract as dnsvet_node_parse_yaml_flags. */
dnsvet_status dnsvet_json_parse(const char *text, size_t len, const char *name,
                                dnsvet_node **out, dnsvet_node_error *err, unsigned flags);

/* 1 when node is a string holding a NUL byte (only trees read with KEEP_NUL, or built in
 * memory, have them). */
int dnsvet_node_string_has_nul(const dnsvet_node *node);

/* Scalar resolution of a plain (unquoted) YAML scalar, YAML 1.2 core schema. Returns the
 * type it denotes and fills the value; DNSVET_NODE_STRING when it is just text. */
typedef struct dnsvet_scalar {
	dnsvet_node_type type;
	int b;
	int64_t i;
	double d;
} dnsvet_scalar;
void dnsvet_scalar_resolve(const char *s, size_t len, dnsvet_scalar *out);

/* Shortest "%.Ng" spelling of d that reads back to the same double, always with a '.',
 * 'e', or as .inf/.nan (yaml) / null (json: non-finite are not representable). */
void dnsvet_double_format(double d, int json, char *buf, size_t size);

#endif
