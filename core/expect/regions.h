/* The SES regions dnsvet knows. Internal. */
#ifndef DNSVET_EXPECT_REGIONS_H
#define DNSVET_EXPECT_REGIONS_H

#include <stddef.h>

typedef struct dnsvet_ses_region {
	const char *name;          /* "eu-west-1" */
	const char *signing_zone;  /* Easy DKIM CNAME target zone */
} dnsvet_ses_region;

/* NULL when unknown (exact, case-insensitive match). */
const dnsvet_ses_region *dnsvet_ses_region_find(const char *name);
/* Up to `max` closest known names, comma-separated, into buf. */
void dnsvet_ses_region_suggest(const char *name, size_t max, char *buf, size_t size);

#endif
