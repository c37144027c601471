#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <dnsvet/expect.h>
#include "expect/hostname.h"
#include "expect/regions.h"

/*
 * Every SES region and its Easy DKIM signing zone. Regions launched later publish the
 * tokens' keys under dkim.<region>.amazonses.com instead of dkim.amazonses.com (AWS
 * General Reference, "Amazon SES endpoints and quotas", Easy DKIM domains). The custom
 * MAIL FROM feedback host is feedback-smtp.<region>.amazonses.com everywhere.
 */
#define DEFAULT DNSVET_EXPECT_DEFAULT_SIGNING_ZONE
#define REGIONAL(r) { r, "dkim." r ".amazonses.com" }
static const dnsvet_ses_region regions[] = {
	{ "us-east-1", DEFAULT },
	{ "us-east-2", DEFAULT },
	{ "us-west-1", DEFAULT },
	{ "us-west-2", DEFAULT },
	REGIONAL("af-south-1"),
	{ "ap-south-1", DEFAULT },
	REGIONAL("ap-south-2"),
	{ "ap-northeast-1", DEFAULT },
	{ "ap-northeast-2", DEFAULT },
	REGIONAL("ap-northeast-3"),
	{ "ap-southeast-1", DEFAULT },
	{ "ap-southeast-2", DEFAULT },
	REGIONAL("ap-southeast-3"),
	REGIONAL("ap-southeast-5"),
	{ "ca-central-1", DEFAULT },
	REGIONAL("ca-west-1"),
	{ "eu-central-1", DEFAULT },
	REGIONAL("eu-central-2"),
	{ "eu-north-1", DEFAULT },
	REGIONAL("eu-south-1"),
	{ "eu-west-1", DEFAULT },
	{ "eu-west-2", DEFAULT },
	{ "eu-west-3", DEFAULT },
	REGIONAL("il-central-1"),
	REGIONAL("me-central-1"),
	{ "me-south-1", DEFAULT },
	{ "sa-east-1", DEFAULT },
	REGIONAL("us-gov-east-1"),
	{ "us-gov-west-1", DEFAULT },
};
#define NREGIONS (sizeof(regions) / sizeof(regions[0]))

const dnsvet_ses_region *dnsvet_ses_region_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < NREGIONS; i++)
		if (strcasecmp(regions[i].name, name) == 0)
			return &regions[i];
	return NULL;
}

const dnsvet_ses_region *dnsvet_ses_region_of_zone(const char *zone)
{
	size_t i;

	if (!zone)
		return NULL;
	for (i = 0; i < NREGIONS; i++)
		if (strcmp(regions[i].signing_zone, DEFAULT) != 0 &&
		    strcasecmp(regions[i].signing_zone, zone) == 0)
			return &regions[i];
	return NULL;
}

/* The name without its final number: "us-east-" of "us-east-1". */
static size_t stem_len(const char *name)
{
	const char *dash = strrchr(name, '-');

	return dash ? (size_t)(dash - name) + 1 : strlen(name);
}

void dnsvet_ses_region_list(char *buf, size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < NREGIONS && used < size; i++) {
		size_t st = stem_len(regions[i].name);
		int sibling = i > 0 && stem_len(regions[i - 1].name) == st &&
		              strncmp(regions[i - 1].name, regions[i].name, st) == 0;

		if (sibling)
			used += (size_t)snprintf(buf + used, size - used, "/%s", regions[i].name + st);
		else
			used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
			                         regions[i].name);
	}
}

void dnsvet_ses_region_suggest(const char *name, size_t max, char *buf, size_t size)
{
	size_t dist[NREGIONS], i, k, used = 0, picked = 0;
	int taken[NREGIONS] = {0};

	buf[0] = '\0';
	for (i = 0; i < NREGIONS; i++)
		dist[i] = dnsvet_edit_distance(name, regions[i].name);
	for (k = 0; k < max; k++) {
		size_t best = NREGIONS;

		for (i = 0; i < NREGIONS; i++)
			if (!taken[i] && (best == NREGIONS || dist[i] < dist[best]))
				best = i;
		/* far-off names are no suggestion */
		if (best == NREGIONS || dist[best] > 4)
			break;
		taken[best] = 1;
		used += (size_t)snprintf(buf + used, used < size ? size - used : 0, "%s%s",
		                         picked ? ", " : "", regions[best].name);
		picked++;
		if (used >= size)
			break;
	}
}

const char *dnsvet_expect_region_at(size_t i)
{
	return i < NREGIONS ? regions[i].name : NULL;
}

const char *dnsvet_expect_region_signing_zone(const char *region)
{
	const dnsvet_ses_region *r = dnsvet_ses_region_find(region);

	return r ? r->signing_zone : NULL;
}
