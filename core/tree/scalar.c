#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tree/node_internal.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int eq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static int is_float(const char *s, size_t len)
{
	size_t i = 0, mant = 0;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < len && is_digit(s[i])) {
		i++;
		mant++;
	}
	if (i < len && s[i] == '.') {
		size_t frac = 0;

		i++;
		while (i < len && is_digit(s[i])) {
			i++;
			frac++;
		}
		if (mant == 0 && frac == 0)
			return 0;
	} else if (mant == 0) {
		return 0;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp = 0;

		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		while (i < len && is_digit(s[i])) {
			i++;
			exp++;
		}
		if (exp == 0)
			return 0;
	}
	return i == len;
}

static int parse_radix(const char *s, size_t len, int base, int64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 32)
		return 0;
	for (i = 0; i < len; i++) {
		int d;
		char c = s[i];

		if (is_digit(c))
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return 0;
		if (d >= base)
			return 0;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return 0;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	if (v > INT64_MAX)
		return 0;
	*out = (int64_t)v;
	return 1;
}

/* YAML 1.2 core schema; "yes", "no", "on", "off" stay strings. */
void dnsvet_scalar_resolve(const char *s, size_t len, dnsvet_scalar *out)
{
	char buf[64];
	size_t i;

	memset(out, 0, sizeof(*out));
	out->type = DNSVET_NODE_STRING;
	if (len == 0 || eq(s, len, "~") || eq(s, len, "null") || eq(s, len, "Null") ||
	    eq(s, len, "NULL")) {
		out->type = DNSVET_NODE_NULL;
		return;
	}
	if (eq(s, len, "true") || eq(s, len, "True") || eq(s, len, "TRUE")) {
		out->type = DNSVET_NODE_BOOL;
		out->b = 1;
		return;
	}
	if (eq(s, len, "false") || eq(s, len, "False") || eq(s, len, "FALSE")) {
		out->type = DNSVET_NODE_BOOL;
		return;
	}
	if (len > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
		if (parse_radix(s + 2, len - 2, s[1] == 'o' ? 8 : 16, &out->i))
			out->type = DNSVET_NODE_INT;
		/* else: too large or not digits; a string */
		return;
	}
	if (s[0] == '.' || s[0] == '-' || s[0] == '+') {
		size_t o = s[0] == '.' ? 0 : 1;

		if (o < len && s[o] == '.') {
			const char *w = s + o + 1;
			size_t wl = len - o - 1;

			if (eq(w, wl, "inf") || eq(w, wl, "Inf") || eq(w, wl, "INF")) {
				out->type = DNSVET_NODE_DOUBLE;
				out->d = s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
				return;
			}
			if (o == 0 && (eq(w, wl, "nan") || eq(w, wl, "NaN") || eq(w, wl, "NAN"))) {
				out->type = DNSVET_NODE_DOUBLE;
				out->d = NAN;
				return;
			}
		}
	}
	if (len >= sizeof(buf))
		return;  /* no number is that long in a sane document; keep the text */
	i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
	if (i < len) {
		size_t j = i;

		while (j < len && is_digit(s[j]))
			j++;
		if (j == len) {
			long long v;
			char *end;

			memcpy(buf, s, len);
			buf[len] = '\0';
			errno = 0;
			v = strtoll(buf, &end, 10);
			if (errno == 0 && *end == '\0') {
				out->type = DNSVET_NODE_INT;
				out->i = v;
				return;
			}
			/* out of int64 range: fall through to a double */
		}
	}
	if (is_float(s, len)) {
		memcpy(buf, s, len);
		buf[len] = '\0';
		out->type = DNSVET_NODE_DOUBLE;
		out->d = strtod(buf, NULL);
	}
}

void dnsvet_double_format(double d, int json, char *buf, size_t size)
{
	int prec;
	char *e;

	if (isnan(d)) {
		snprintf(buf, size, "%s", json ? "null" : ".nan");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, size, "%s", json ? "null" : (d < 0 ? "-.inf" : ".inf"));
		return;
	}
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	/* A double must not read back as an integer, and YAML 1.1 readers want a '.' in
	 * the mantissa: "1e+20" becomes "1.0e+20", "3" becomes "3.0". */
	if (strchr(buf, '.'))
		return;
	e = strchr(buf, 'e');
	if (e) {
		size_t off = (size_t)(e - buf), n = strlen(buf);

		if (n + 3 <= size) {
			memmove(e + 2, e, n - off + 1);
			e[0] = '.';
			e[1] = '0';
		}
	} else {
		size_t n = strlen(buf);

		if (n + 3 <= size)
			memcpy(buf + n, ".0", 3);
	}
}
