#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "expect/hostname.h"

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

int dnsvet_has_control(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

int dnsvet_hostname_check(const char *name, int flags, char *why, size_t whysize)
{
	size_t len, i, start = 0, labels = 0, last_start = 0;
	int digits_only = 1;

	if (!name || !*name) {
		snprintf(why, whysize, "is empty");
		return 0;
	}
	/* before anything quotes the name back */
	if (dnsvet_has_control(name)) {
		snprintf(why, whysize, DNSVET_CONTROL_CHARACTER);
		return 0;
	}
	len = strlen(name);
	if (len > 1 && name[len - 1] == '.')
		len--;
	if (strchr(name, ':')) {
		snprintf(why, whysize, "'%s' is an IP address or contains ':', not a domain name", name);
		return 0;
	}
	if (len > 253) {
		snprintf(why, whysize, "is %zu characters long, more than the 253 a domain name allows",
		         len);
		return 0;
	}
	for (i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)name[i] : '.';

		if (c == '.') {
			size_t n = i - start;

			if (n == 0) {
				snprintf(why, whysize, "'%s' has an empty label", name);
				return 0;
			}
			if (n > 63) {
				snprintf(why, whysize, "'%s' has a label of %zu characters (at most 63)",
				         name, n);
				return 0;
			}
			if (name[start] == '-' || name[i - 1] == '-') {
				snprintf(why, whysize, "'%s': label '%.*s' starts or ends with '-'", name,
				         (int)n, name + start);
				return 0;
			}
			if (!all_digits(name + start, n))
				digits_only = 0;
			labels++;
			last_start = start;
			start = i + 1;
			continue;
		}
		if (c >= 0x80) {
			snprintf(why, whysize, "'%s' contains non-ASCII characters; write it in its "
			         "ASCII (xn--) form", name);
			return 0;
		}
		if (isalnum(c) || c == '-' || (c == '_' && (flags & DNSVET_HOST_UNDERSCORE)))
			continue;
		if (c == ' ')
			snprintf(why, whysize, "'%s' contains a blank", name);
		else
			snprintf(why, whysize, "'%s' contains '%c', which a host name cannot hold", name, c);
		return 0;
	}
	if (digits_only && labels == 4) {
		snprintf(why, whysize, "'%s' is an IP address, not a domain name", name);
		return 0;
	}
	if (labels < 2 && !(flags & DNSVET_HOST_SINGLE_LABEL)) {
		snprintf(why, whysize, "'%s' is a single label; a full domain name is needed", name);
		return 0;
	}
	if (labels >= 2 && all_digits(name + last_start, len - last_start)) {
		snprintf(why, whysize, "'%s' ends in an all-numeric label, which no top-level domain is",
		         name);
		return 0;
	}
	return 1;
}

char *dnsvet_name_normal(const char *name)
{
	size_t n = strlen(name), i;
	char *r;

	if (n > 1 && name[n - 1] == '.')
		n--;
	r = malloc(n + 1);
	if (!r)
		return NULL;
	for (i = 0; i < n; i++)
		r[i] = (char)tolower((unsigned char)name[i]);
	r[n] = '\0';
	return r;
}

int dnsvet_name_is_sub(const char *name, const char *zone)
{
	size_t nl = strlen(name), zl = strlen(zone);

	if (zl == 0)
		return 1;
	if (nl == zl)
		return strcasecmp(name, zone) == 0;
	return nl > zl && name[nl - zl - 1] == '.' && strcasecmp(name + nl - zl, zone) == 0;
}

size_t dnsvet_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64], prev, tmp;

	if (lb >= sizeof(row) / sizeof(row[0]))
		return la > lb ? la : lb;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}
