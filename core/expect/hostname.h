/* Domain name checks and helpers for expectations. Internal. */
#ifndef DNSVET_EXPECT_HOSTNAME_H
#define DNSVET_EXPECT_HOSTNAME_H

#include <stddef.h>

/* Flags of dnsvet_hostname_check. */
#define DNSVET_HOST_UNDERSCORE 1   /* allow '_' (record owners: _dmarc, _domainkey) */
#define DNSVET_HOST_SINGLE_LABEL 2 /* allow one label */

/* Checks name (trailing dot allowed) as a host name: labels 1-63 of letters, digits and
 * '-' (not first or last), total <= 253, at least two labels, a top label that is not all
 * digits, not an IP address. Returns 1 when fine; else 0 with the reason in why. */
int dnsvet_hostname_check(const char *name, int flags, char *why, size_t whysize);

/* The reason every check gives for a control character (C0 or DEL) in a name, token or
 * value, which a terminal or a later reader would show differently than it is. */
#define DNSVET_CONTROL_CHARACTER "contains a control character"

/* 1 when s holds a control character (C0 or DEL). */
int dnsvet_has_control(const char *s);

/* Lowercase copy without the trailing dot; caller frees. NULL when out of memory. */
char *dnsvet_name_normal(const char *name);

/* 1 when name equals zone or lies below it (both normalised). */
int dnsvet_name_is_sub(const char *name, const char *zone);

/* Levenshtein distance, for suggestions. */
size_t dnsvet_edit_distance(const char *a, const char *b);

#endif
