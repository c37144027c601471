#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expect/expect_internal.h"
#include "expect/hostname.h"
#include "tree/sbuf.h"

#define ZONE_TTL 1800

dnsvet_status dnsvet_expect_relative_name(const char *name, const char *zone, char *buf,
                                          size_t size)
{
	size_t nl, zl;
	int n;

	if (!name || !zone || !buf || size == 0)
		return DNSVET_ERR_INVALID;
	nl = strlen(name);
	zl = strlen(zone);
	if (nl > 1 && name[nl - 1] == '.')
		nl--;
	if (zl > 1 && zone[zl - 1] == '.')
		zl--;
	if (nl == zl && strncasecmp(name, zone, nl) == 0)
		n = snprintf(buf, size, "@");
	else if (nl > zl && name[nl - zl - 1] == '.' && strncasecmp(name + nl - zl, zone, zl) == 0)
		n = snprintf(buf, size, "%.*s", (int)(nl - zl - 1), name);
	else
		n = snprintf(buf, size, "%.*s.", (int)nl, name);
	return n < 0 || (size_t)n >= size ? DNSVET_ERR_LIMIT : DNSVET_OK;
}

/* One TXT value as zone-file character-strings: quoted, '"' and '\\' escaped, bytes
 * outside printable ASCII as \\DDD, split every 255 bytes. */
static void put_txt(dnsvet_sbuf *b, const char *text)
{
	size_t len = strlen(text), i, chunk = 0;

	dnsvet_sbuf_addc(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (chunk == 255) {
			dnsvet_sbuf_adds(b, "\" \"");
			chunk = 0;
		}
		if (c == '"' || c == '\\') {
			dnsvet_sbuf_addc(b, '\\');
			dnsvet_sbuf_addc(b, (char)c);
		} else if (c < 0x20 || c >= 0x7F) {
			dnsvet_sbuf_addf(b, "\\%03u", c);
		} else {
			dnsvet_sbuf_addc(b, (char)c);
		}
		chunk++;
	}
	dnsvet_sbuf_addc(b, '"');
}

static int is_name_type(const char *type)
{
	return strcmp(type, "CNAME") == 0 || strcmp(type, "NS") == 0 || strcmp(type, "PTR") == 0 ||
	       strcmp(type, "DNAME") == 0;
}

static void put_zonefile(dnsvet_sbuf *b, const dnsvet_expect *e, const char *zone)
{
	size_t i;

	dnsvet_sbuf_addf(b, "; Amazon SES records for %s (region %s), zone %s\n", e->domain,
	                 e->region, zone);
	for (i = 0; i < e->nrecords; i++) {
		const dnsvet_expect_record *r = &e->records[i];

		dnsvet_sbuf_addf(b, "%s. %d IN %s ", r->name, ZONE_TTL, r->type);
		if (strcmp(r->type, "TXT") == 0 || strcmp(r->type, "SPF") == 0) {
			put_txt(b, r->value);
		} else if (is_name_type(r->type)) {
			dnsvet_sbuf_adds(b, r->value);
			if (r->value[0] && r->value[strlen(r->value) - 1] != '.')
				dnsvet_sbuf_addc(b, '.');
		} else if (strcmp(r->type, "MX") == 0) {
			dnsvet_sbuf_adds(b, r->value);
			if (r->value[0] && r->value[strlen(r->value) - 1] != '.')
				dnsvet_sbuf_addc(b, '.');
		} else {
			dnsvet_sbuf_adds(b, r->value);
		}
		if (!r->comparable)
			dnsvet_sbuf_adds(b, " ; put your DKIM public key after p=");
		else if (!r->required)
			dnsvet_sbuf_adds(b, " ; recommended");
		dnsvet_sbuf_addc(b, '\n');
	}
}

static void put_form(dnsvet_sbuf *b, const dnsvet_expect *e, const char *zone)
{
	size_t i, wname = 4, wtype = 4;
	char rel[600];

	for (i = 0; i < e->nrecords; i++) {
		dnsvet_expect_relative_name(e->records[i].name, zone, rel, sizeof(rel));
		if (strlen(rel) > wname)
			wname = strlen(rel);
		if (strlen(e->records[i].type) > wtype)
			wtype = strlen(e->records[i].type);
	}
	dnsvet_sbuf_addf(b, "# zone %s: names relative to it (\"@\" is the zone itself)\n", zone);
	dnsvet_sbuf_addf(b, "%-*s  %-*s  %-8s  %s\n", (int)wtype, "TYPE", (int)wname, "NAME",
	                 "PRIORITY", "VALUE");
	for (i = 0; i < e->nrecords; i++) {
		const dnsvet_expect_record *r = &e->records[i];
		const char *value = r->value, *prio = "";
		char pbuf[16];

		dnsvet_expect_relative_name(r->name, zone, rel, sizeof(rel));
		if (strcmp(r->type, "MX") == 0) {
			const char *sp = strchr(r->value, ' ');

			if (sp && (size_t)(sp - r->value) < sizeof(pbuf)) {
				snprintf(pbuf, sizeof(pbuf), "%.*s", (int)(sp - r->value), r->value);
				prio = pbuf;
				value = sp + 1;
			}
		}
		dnsvet_sbuf_addf(b, "%-*s  %-*s  %-8s  %s", (int)wtype, r->type, (int)wname, rel,
		                 prio, value);
		if (!r->comparable)
			dnsvet_sbuf_adds(b, "   (put your DKIM public key after p=)");
		else if (!r->required)
			dnsvet_sbuf_adds(b, "   (recommended)");
		dnsvet_sbuf_addc(b, '\n');
	}
}

dnsvet_status dnsvet_expect_format_records(const dnsvet_expect *e, const char *zone,
                                           dnsvet_expect_format format, char **out)
{
	dnsvet_sbuf b;
	char *z;
	dnsvet_status st;

	if (!e || !out)
		return DNSVET_ERR_INVALID;
	z = dnsvet_name_normal(zone && *zone ? zone : e->domain);
	if (!z)
		return DNSVET_ERR_NOMEM;
	dnsvet_sbuf_init(&b);
	if (format == DNSVET_EXPECT_FORM)
		put_form(&b, e, z);
	else
		put_zonefile(&b, e, z);
	free(z);
	st = dnsvet_sbuf_finish(&b, out);
	return st;
}
