/* Containers, domain name and address helpers private to the probe. */
#include "probe/pr_util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *pr_strdup(const char *s)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

char *pr_strfmt(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static int grow(void **v, size_t *cap, size_t need, size_t elem)
{
	size_t nc;
	void *nv;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap * 2 : 8;
	while (nc < need)
		nc *= 2;
	nv = realloc(*v, nc * elem);
	if (!nv)
		return -1;
	*v = nv;
	*cap = nc;
	return 0;
}

int pr_strv_push(pr_strv *s, const char *str)
{
	char *d;

	if (grow((void **)&s->v, &s->cap, s->n + 1, sizeof(char *)) != 0)
		return -1;
	d = pr_strdup(str);
	if (!d)
		return -1;
	s->v[s->n++] = d;
	return 0;
}

int pr_strv_has(const pr_strv *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0)
			return 1;
	return 0;
}

int pr_strv_push_unique(pr_strv *s, const char *str)
{
	if (pr_strv_has(s, str))
		return 0;
	return pr_strv_push(s, str);
}

void pr_strv_clear(pr_strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

int pr_strv_copy(pr_strv *dst, const pr_strv *src)
{
	for (size_t i = 0; i < src->n; i++)
		if (pr_strv_push(dst, src->v[i]) != 0)
			return -1;
	return 0;
}

int pr_ptrv_push(pr_ptrv *p, void *x)
{
	if (grow((void **)&p->v, &p->cap, p->n + 1, sizeof(void *)) != 0)
		return -1;
	p->v[p->n++] = x;
	return 0;
}

void pr_ptrv_remove(pr_ptrv *p, void *x)
{
	for (size_t i = 0; i < p->n; i++) {
		if (p->v[i] == x) {
			memmove(&p->v[i], &p->v[i + 1], (p->n - i - 1) * sizeof(void *));
			p->n--;
			return;
		}
	}
}

void pr_ptrv_clear(pr_ptrv *p)
{
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

void *pr_map_get(const pr_map *m, const char *key)
{
	pr_map_ent *e;

	if (!m->nb)
		return NULL;
	for (e = m->b[hash_str(key) % m->nb]; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e->val;
	return NULL;
}

static int map_resize(pr_map *m, size_t nb)
{
	pr_map_ent **b = calloc(nb, sizeof(*b));

	if (!b)
		return -1;
	for (size_t i = 0; i < m->nb; i++) {
		pr_map_ent *e = m->b[i], *next;
		for (; e; e = next) {
			size_t h = hash_str(e->key) % nb;
			next = e->next;
			e->next = b[h];
			b[h] = e;
		}
	}
	free(m->b);
	m->b = b;
	m->nb = nb;
	return 0;
}

int pr_map_put(pr_map *m, const char *key, void *val)
{
	pr_map_ent *e;
	size_t h;

	if (!m->nb && map_resize(m, 64) != 0)
		return -1;
	h = hash_str(key) % m->nb;
	for (e = m->b[h]; e; e = e->next) {
		if (strcmp(e->key, key) == 0) {
			e->val = val;
			return 0;
		}
	}
	if (m->n + 1 > m->nb * 2) {
		if (map_resize(m, m->nb * 4) != 0)
			return -1;
		h = hash_str(key) % m->nb;
	}
	e = malloc(sizeof(*e));
	if (!e)
		return -1;
	e->key = pr_strdup(key);
	if (!e->key) {
		free(e);
		return -1;
	}
	e->val = val;
	e->next = m->b[h];
	m->b[h] = e;
	m->n++;
	return 0;
}

void *pr_map_del(pr_map *m, const char *key)
{
	pr_map_ent **pp, *e;
	void *v;

	if (!m->nb)
		return NULL;
	for (pp = &m->b[hash_str(key) % m->nb]; (e = *pp); pp = &e->next) {
		if (strcmp(e->key, key) == 0) {
			*pp = e->next;
			v = e->val;
			free(e->key);
			free(e);
			m->n--;
			return v;
		}
	}
	return NULL;
}

void pr_map_filter(pr_map *m, int (*fn)(const char *, void *, void *), void *arg)
{
	for (size_t i = 0; i < m->nb; i++) {
		pr_map_ent **pp = &m->b[i], *e;
		while ((e = *pp)) {
			if (fn(e->key, e->val, arg)) {
				*pp = e->next;
				free(e->key);
				free(e);
				m->n--;
			} else {
				pp = &e->next;
			}
		}
	}
}

void pr_map_clear(pr_map *m, void (*free_val)(void *))
{
	for (size_t i = 0; i < m->nb; i++) {
		pr_map_ent *e = m->b[i], *next;
		for (; e; e = next) {
			next = e->next;
			if (free_val)
				free_val(e->val);
			free(e->key);
			free(e);
		}
	}
	free(m->b);
	m->b = NULL;
	m->nb = m->n = 0;
}

int pr_name_norm(const char *text, char *out)
{
	size_t len, o = 0, lab = 0;

	if (!text)
		return -1;
	len = strlen(text);
	if (len == 1 && text[0] == '.') {
		out[0] = '\0';
		return 0;
	}
	if (len > 0 && text[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '.') {
			if (lab == 0)
				return -1;
			lab = 0;
		} else {
			/* Escapes and control bytes never belong in the names we ask. */
			if (c <= ' ' || c == '\\' || c == 0x7f)
				return -1;
			if (++lab > 63)
				return -1;
			c = (unsigned char)tolower(c);
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

unsigned pr_name_labels(const char *name)
{
	unsigned n;

	if (!*name)
		return 0;
	n = 1;
	for (; *name; name++)
		if (*name == '.')
			n++;
	return n;
}

int pr_name_is_sub(const char *name, const char *zone)
{
	size_t ln = strlen(name), lz = strlen(zone);

	if (lz == 0)
		return 1;
	if (ln < lz)
		return 0;
	if (strcmp(name + ln - lz, zone) != 0)
		return 0;
	return ln == lz || name[ln - lz - 1] == '.';
}

const char *pr_name_parent(const char *name)
{
	const char *d = strchr(name, '.');

	return d ? d + 1 : name + strlen(name);
}

const char *pr_name_child_of(const char *name, const char *zone)
{
	const char *p = name;

	while (*p) {
		const char *up = pr_name_parent(p);
		if (strcmp(up, zone) == 0)
			return p;
		p = up;
	}
	return name;
}

const char *pr_name_fqdn(const char *name, char *buf, size_t len)
{
	if (!*name)
		snprintf(buf, len, ".");
	else
		snprintf(buf, len, "%s.", name);
	return buf;
}

const char *pr_name_show(const char *name)
{
	return *name ? name : ".";
}

const char *pr_name_special(const char *name, int lab)
{
	static const struct {
		const char *tld;
		const char *why;
		int lab_ok;
	} tab[] = {
		{"local", "special-use name (.local is multicast DNS, RFC 6762)", 0},
		{"localhost", "special-use name (.localhost, RFC 6761)", 0},
		{"invalid", "special-use name (.invalid, RFC 6761)", 0},
		{"onion", "special-use name (.onion, RFC 7686)", 0},
		{"alt", "special-use name (.alt, RFC 9476)", 0},
		{"home.arpa", "special-use name (home.arpa, RFC 8375)", 0},
		{"internal", "private-use top-level domain (.internal)", 0},
		{"corp", "private top-level domain (.corp is not delegated)", 0},
		{"home", "private top-level domain (.home is not delegated)", 0},
		{"lan", "private top-level domain (.lan is not delegated)", 0},
		{"intranet", "private top-level domain (.intranet is not delegated)", 0},
		{"private", "private top-level domain (.private is not delegated)", 0},
		{"test", "special-use name (.test, RFC 6761)", 1},
		{"example", "special-use name (.example, RFC 6761)", 1},
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (lab && tab[i].lab_ok)
			continue;
		if (pr_name_is_sub(name, tab[i].tld))
			return tab[i].why;
	}
	return NULL;
}

int pr_addr_is_private(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		uint32_t a = ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);
		return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 ||
		       (a >> 20) == (172u << 4 | 1) || (a >> 16) == (192u << 8 | 168) ||
		       (a >> 16) == (169u << 8 | 254) || (a >> 22) == (100u << 2 | 1) ||
		       (a >> 28) >= 14;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LINKLOCAL(a) ||
		    IN6_IS_ADDR_SITELOCAL(a) || IN6_IS_ADDR_MULTICAST(a))
			return 1;
		if ((a->s6_addr[0] & 0xfe) == 0xfc)
			return 1;
		if (IN6_IS_ADDR_V4MAPPED(a)) {
			struct sockaddr_in v4;
			memset(&v4, 0, sizeof(v4));
			v4.sin_family = AF_INET;
			memcpy(&v4.sin_addr, &a->s6_addr[12], 4);
			return pr_addr_is_private((const struct sockaddr *)&v4);
		}
		return 0;
	}
	return 1;
}

const char *pr_addr_show(const struct sockaddr *sa, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	unsigned port;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		port = ntohs(s4->sin_port);
		if (port == 53)
			snprintf(buf, len, "%s", ip);
		else
			snprintf(buf, len, "%s:%u", ip, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		port = ntohs(s6->sin6_port);
		if (port == 53)
			snprintf(buf, len, "%s", ip);
		else
			snprintf(buf, len, "[%s]:%u", ip, port);
	} else {
		snprintf(buf, len, "?");
	}
	return buf;
}

double pr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
