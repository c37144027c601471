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
/* The region whose own (regional) Easy DKIM signing zone is zone; NULL for the shared
 * dkim.amazonses.com, which names no region, and for any other zone. */
const dnsvet_ses_region *dnsvet_ses_region_of_zone(const char *zone);
/* Every known region into buf, numbered siblings folded ("us-east-1/2, us-west-1/2,
 * af-south-1, ..."), short enough for an error message. */
void dnsvet_ses_region_list(char *buf, size_t size);
/* Up to `max` closest known names, comma-separated, into buf. */
void dnsvet_ses_region_suggest(const char *name, size_t max, char *buf, size_t size);

#endif
