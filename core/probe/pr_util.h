/* Small containers and name helpers used inside the probe. */
#ifndef DNSVET_PROBE_PR_UTIL_H
#define DNSVET_PROBE_PR_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* A growable list of owned strings. */
typedef struct pr_strv {
	char **v;
	size_t n, cap;
} pr_strv;

int pr_strv_push(pr_strv *s, const char *str);          /* 0 ok, -1 nomem */
int pr_strv_push_unique(pr_strv *s, const char *str);   /* no-op when present (exact) */
int pr_strv_has(const pr_strv *s, const char *str);
void pr_strv_clear(pr_strv *s);
int pr_strv_copy(pr_strv *dst, const pr_strv *src);

/* A growable list of borrowed pointers. */
typedef struct pr_ptrv {
	void **v;
	size_t n, cap;
} pr_ptrv;

int pr_ptrv_push(pr_ptrv *p, void *x);
void pr_ptrv_remove(pr_ptrv *p, void *x);
void pr_ptrv_clear(pr_ptrv *p);

/* String-keyed hash map with borrowed values; keys are copied. */
typedef struct pr_map_ent {
	char *key;
	void *val;
	struct pr_map_ent *next;
} pr_map_ent;

typedef struct pr_map {
	pr_map_ent **b;
	size_t nb, n;
} pr_map;

void *pr_map_get(const pr_map *m, const char *key);
int pr_map_put(pr_map *m, const char *key, void *val);  /* replaces; 0 ok, -1 nomem */
void *pr_map_del(pr_map *m, const char *key);           /* returns the old value */
void pr_map_clear(pr_map *m, void (*free_val)(void *));
/* Iteration: call fn for every entry; fn returns nonzero to delete the entry
 * (after fn itself released the value). */
void pr_map_filter(pr_map *m, int (*fn)(const char *key, void *val, void *arg), void *arg);

char *pr_strdup(const char *s);
char *pr_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Domain names inside the probe: lowercase, no trailing dot, root = "". */
#define PR_NAME_MAX 256
/* Normalises text into out (PR_NAME_MAX bytes). Returns -1 when text is not a
 * valid domain name (empty labels, a label over 63 octets, over 253 octets). */
int pr_name_norm(const char *text, char *out);
unsigned pr_name_labels(const char *name);
/* 1 when name is zone or below it. */
int pr_name_is_sub(const char *name, const char *zone);
/* The parent of name ("" for a TLD); name must not be the root. */
const char *pr_name_parent(const char *name);
/* The ancestor-or-self of name one label below zone (name must be below zone). */
const char *pr_name_child_of(const char *name, const char *zone);
/* The presentation form for the wire: "name." ("." for the root) in buf. */
const char *pr_name_fqdn(const char *name, char *buf, size_t len);
/* Zone name as written in observations: "." for the root. */
const char *pr_name_show(const char *name);
/* When name is below a special-use or private-use top-level domain, a static
 * reason; NULL otherwise. In lab mode the RFC 6761 testing names are allowed. */
const char *pr_name_special(const char *name, int lab);

/* 1 for loopback, private, link-local, CGNAT, unspecified ... addresses. */
int pr_addr_is_private(const struct sockaddr *sa);
/* Observation form of an address: "192.0.2.1", "2001:db8::1", with ":port"
 * (v4) or "[v6]:port" only when the port is not 53. */
const char *pr_addr_show(const struct sockaddr *sa, char *buf, size_t len);

/* Monotonic seconds. */
double pr_now(void);

#endif
