/*
 * dnsvet_node: the small document tree (maps, lists, scalars) that holds observation sets,
 * fixtures, reports and configuration, with YAML and JSON reading and writing.
 *
 * Maps keep insertion order, so serialisations are deterministic. Strings are
 * NUL-terminated UTF-8 copies owned by the node. A tree is freed from its root; a child
 * added to a container belongs to that container.
 */
#ifndef DNSVET_NODE_H
#define DNSVET_NODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <dnsvet/common.h>
#include <dnsvet/status.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnsvet_node dnsvet_node;

typedef enum dnsvet_node_type {
	DNSVET_NODE_NULL = 0,
	DNSVET_NODE_BOOL,
	DNSVET_NODE_INT,     /* int64_t */
	DNSVET_NODE_DOUBLE,
	DNSVET_NODE_STRING,
	DNSVET_NODE_LIST,
	DNSVET_NODE_MAP
} dnsvet_node_type;

/* Where a node came from in a parsed document (1-based; 0 when built in memory). */
typedef struct dnsvet_node_mark {
	unsigned line;
	unsigned column;
} dnsvet_node_mark;

/* A parse error: message names the file (when known), line and column. */
typedef struct dnsvet_node_error {
	char message[512];
	unsigned line;
	unsigned column;
} dnsvet_node_error;

/* Constructors: return NULL only when out of memory. Caller frees with dnsvet_node_free
 * unless the node is handed to a container. */
DNSVET_API dnsvet_node *dnsvet_node_new_null(void);
DNSVET_API dnsvet_node *dnsvet_node_new_bool(int value);
DNSVET_API dnsvet_node *dnsvet_node_new_int(int64_t value);
DNSVET_API dnsvet_node *dnsvet_node_new_double(double value);
DNSVET_API dnsvet_node *dnsvet_node_new_string(const char *value);
DNSVET_API dnsvet_node *dnsvet_node_new_stringn(const char *value, size_t len);
DNSVET_API dnsvet_node *dnsvet_node_new_list(void);
DNSVET_API dnsvet_node *dnsvet_node_new_map(void);
/* Deep copy; caller frees. */
DNSVET_API dnsvet_node *dnsvet_node_copy(const dnsvet_node *node);
DNSVET_API void dnsvet_node_free(dnsvet_node *node);

/* Containers take ownership of child, also on failure (then child is freed). */
DNSVET_API dnsvet_status dnsvet_node_list_append(dnsvet_node *list, dnsvet_node *child);
/* Replaces an existing key's value in place (keeping its position). */
DNSVET_API dnsvet_status dnsvet_node_map_set(dnsvet_node *map, const char *key, dnsvet_node *child);
/* Convenience setters: copy the value in. */
DNSVET_API dnsvet_status dnsvet_node_map_set_string(dnsvet_node *map, const char *key, const char *value);
DNSVET_API dnsvet_status dnsvet_node_map_set_int(dnsvet_node *map, const char *key, int64_t value);
DNSVET_API dnsvet_status dnsvet_node_map_set_bool(dnsvet_node *map, const char *key, int value);
DNSVET_API dnsvet_status dnsvet_node_map_set_double(dnsvet_node *map, const char *key, double value);
DNSVET_API dnsvet_status dnsvet_node_list_append_string(dnsvet_node *list, const char *value);
/* Removes and frees the value at key; DNSVET_ERR_NOT_FOUND when absent. */
DNSVET_API dnsvet_status dnsvet_node_map_remove(dnsvet_node *map, const char *key);

/* Accessors: all accept NULL and wrong types, returning NULL/0/the fallback. */
DNSVET_API dnsvet_node_type dnsvet_node_type_of(const dnsvet_node *node);
DNSVET_API int dnsvet_node_bool(const dnsvet_node *node, int fallback);
DNSVET_API int64_t dnsvet_node_int(const dnsvet_node *node, int64_t fallback);
DNSVET_API double dnsvet_node_double(const dnsvet_node *node, double fallback);
/* Borrowed pointer, valid while the node lives; NULL when not a string. */
DNSVET_API const char *dnsvet_node_string(const dnsvet_node *node);
/* Length in bytes of a string node (it may hold NUL bytes, e.g. from "\0"); 0 otherwise. */
DNSVET_API size_t dnsvet_node_string_len(const dnsvet_node *node);
/* Number of items of a list or entries of a map; 0 otherwise. */
DNSVET_API size_t dnsvet_node_size(const dnsvet_node *node);
DNSVET_API dnsvet_node *dnsvet_node_list_at(const dnsvet_node *list, size_t i);
DNSVET_API dnsvet_node *dnsvet_node_map_get(const dnsvet_node *map, const char *key);
/* The i-th entry of a map in order: key (borrowed) and value. */
DNSVET_API const char *dnsvet_node_map_key_at(const dnsvet_node *map, size_t i);
DNSVET_API dnsvet_node *dnsvet_node_map_value_at(const dnsvet_node *map, size_t i);
/* Path lookup through maps and lists: "zones.0.servers.1.addr". Borrowed; NULL if absent. */
DNSVET_API dnsvet_node *dnsvet_node_path(const dnsvet_node *root, const char *path);
DNSVET_API const char *dnsvet_node_path_string(const dnsvet_node *root, const char *path);
DNSVET_API dnsvet_node_mark dnsvet_node_mark_of(const dnsvet_node *node);
/* Structural equality (map order significant). */
DNSVET_API int dnsvet_node_equal(const dnsvet_node *a, const dnsvet_node *b);

/* YAML (1.1 as libyaml reads it; JSON documents parse too). `name` is used in error
 * messages ("file.yaml:3:7: ..."). Scalars: plain true/false/null/~ and integers become
 * those types; quoted scalars are always strings. Anchors and aliases are rejected, as
 * are duplicate map keys, and a string holding a NUL byte (\0, \x00, \u0000): read as a
 * C string it would end early and be checked short. On success *out is the root (caller
 * frees). */
DNSVET_API dnsvet_status dnsvet_node_parse_yaml(const char *text, size_t len, const char *name,
                                                dnsvet_node **out, dnsvet_node_error *err);
DNSVET_API dnsvet_status dnsvet_node_load_yaml_file(const char *path, dnsvet_node **out,
                                                    dnsvet_node_error *err);

/* Serialisation. *out is a NUL-terminated malloc'd string the caller frees with free(). */
DNSVET_API dnsvet_status dnsvet_node_to_yaml(const dnsvet_node *node, char **out);
/* pretty: 0 = one line (for JSON Lines), 1 = indented with two spaces. */
DNSVET_API dnsvet_status dnsvet_node_to_json(const dnsvet_node *node, int pretty, char **out);
DNSVET_API dnsvet_status dnsvet_node_write_yaml(const dnsvet_node *node, FILE *fp);

#ifdef __cplusplus
}
#endif
#endif
