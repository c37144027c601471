/* Text rendering of `dnsvet trace` from an observation set (docs/observations.md). */
#include <stdlib.h>
#include <string.h>
#include <dnsvet/node.h>
#include "cli/names.h"
#include "cli/safe_text.h"
#include "cli/style.h"
#include "cli/trace_text.h"

#define MAX_ROWS 256
#define KEY_LEN 2048

static const char *str(const dnsvet_node *map, const char *key)
{
	return dnsvet_node_string(dnsvet_node_map_get(map, key));
}

/* The strings of a list joined by ", " into buf. */
static const char *join(const dnsvet_node *list, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < dnsvet_node_size(list) && len + 1 < size; i++) {
		const char *s = dnsvet_node_string(dnsvet_node_list_at(list, i));

		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", s ? s : "?");
	}
	return buf;
}

/* "owner ttl class type rdata" -> the pieces; 0 when rr has fewer fields. */
static int rr_fields(const char *rr, const char **owner_end, const char **ttl,
                     const char **type_rdata)
{
	const char *p = rr;
	const char *field[4];

	for (int i = 0; i < 4; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return 0;
		field[i] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (i == 0)
			*owner_end = p;
	}
	*ttl = field[1];
	*type_rdata = field[3];
	return 1;
}

/* One record for the answer column: without the owner when it is the name asked. */
static void rr_short(const char *rr, const char *qname, char *buf, size_t size)
{
	const char *owner_end, *ttl, *rest;

	if (!rr_fields(rr, &owner_end, &ttl, &rest)) {
		snprintf(buf, size, "%s", rr);
		return;
	}
	char owner[300];

	snprintf(owner, sizeof(owner), "%.*s", (int)(owner_end - rr), rr);
	if (cli_same_name(owner, qname))
		snprintf(buf, size, "%.*s %s", (int)strcspn(ttl, " \t"), ttl, rest);
	else
		snprintf(buf, size, "%s", rr);
}

/* What makes two replies the same for a reader: error or rcode, and the answer records
 * without their TTLs (caches count those down), in any order. */
static void reply_key(const dnsvet_node *reply, char *buf, size_t size)
{
	const dnsvet_node *answer = dnsvet_node_map_get(reply, "answer");
	const char *err = str(reply, "error");
	size_t n = dnsvet_node_size(answer), len;
	const char **rrs;

	if (err) {
		snprintf(buf, size, "error %s", err);
		return;
	}
	len = (size_t)snprintf(buf, size, "%s", str(reply, "rcode") ? str(reply, "rcode") : "?");
	rrs = calloc(n ? n : 1, sizeof(*rrs));
	if (!rrs)
		return;
	for (size_t i = 0; i < n; i++)
		rrs[i] = dnsvet_node_string(dnsvet_node_list_at(answer, i));
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && rrs[j] && rrs[j - 1] && strcmp(rrs[j - 1], rrs[j]) > 0; j--) {
			const char *t = rrs[j];

			rrs[j] = rrs[j - 1];
			rrs[j - 1] = t;
		}
	for (size_t i = 0; i < n && len + 1 < size; i++) {
		const char *owner_end, *ttl, *rest;

		if (rrs[i] && rr_fields(rrs[i], &owner_end, &ttl, &rest))
			len += (size_t)snprintf(buf + len, size - len, "|%.*s %s",
			                        (int)(owner_end - rrs[i]), rrs[i], rest);
		else if (rrs[i])
			len += (size_t)snprintf(buf + len, size - len, "|%s", rrs[i]);
	}
	free(rrs);
}

static void print_servers(FILE *fp, const dnsvet_node *servers, int color, cli_strpool *pool)
{
	size_t wname = 4, waddr = 7;

	for (size_t i = 0; i < dnsvet_node_size(servers); i++) {
		const dnsvet_node *s = dnsvet_node_list_at(servers, i);
		const char *name = cli_safe(pool, str(s, "name"));
		const char *addr = cli_safe(pool, str(s, "addr"));

		if (name && strlen(name) > wname)
			wname = strlen(name);
		if (addr && strlen(addr) > waddr)
			waddr = strlen(addr);
	}
	for (size_t i = 0; i < dnsvet_node_size(servers); i++) {
		const dnsvet_node *s = dnsvet_node_list_at(servers, i);
		const char *status = str(s, "status"), *lame = cli_safe(pool, str(s, "lame"));
		const char *name = cli_safe(pool, str(s, "name"));
		const char *addr = cli_safe(pool, str(s, "addr"));
		const dnsvet_node *serial = dnsvet_node_map_get(s, "serial");
		const dnsvet_node *rtt = dnsvet_node_map_get(s, "rtt_ms");
		int ok = status && strcmp(status, "ok") == 0;
		char src[128];

		fprintf(fp, "    %-*s  %-*s  %s%-4s%s", (int)wname, name ? name : "?",
		        (int)waddr, addr ? addr : "-", cli_sgr(color, ok ? CLI_STYLE_GREEN : CLI_STYLE_RED),
		        status ? cli_safe(pool, status) : "?",
		        cli_sgr(color, CLI_STYLE_RESET));
		if (lame)
			fprintf(fp, " (%s)", lame);
		if (serial)
			fprintf(fp, "  serial %lld", (long long)dnsvet_node_int(serial, 0));
		if (rtt)
			fprintf(fp, "  %lld ms", (long long)dnsvet_node_int(rtt, 0));
		fprintf(fp, "  from %s\n",
		        cli_safe(pool, join(dnsvet_node_map_get(s, "source"), src, sizeof(src))));
	}
}

static void print_zone(FILE *fp, const dnsvet_node *z, const char *holder, int color,
                       cli_strpool *pool)
{
	const char *name = str(z, "name"), *parent = cli_safe(pool, str(z, "parent"));
	const char *status = str(z, "status"), *reason = cli_safe(pool, str(z, "reason"));
	const dnsvet_node *pns = dnsvet_node_map_get(z, "parent_ns");
	const dnsvet_node *cns = dnsvet_node_map_get(z, "child_ns");
	const dnsvet_node *errors = dnsvet_node_map_get(z, "errors");
	char a[1024], b[1024];

	fprintf(fp, "  %s%s%s", cli_sgr(color, CLI_STYLE_BOLD), name ? cli_safe(pool, name) : "?",
	        cli_sgr(color, CLI_STYLE_RESET));
	if (parent)
		fprintf(fp, "  delegated by %s", parent);
	if (holder && name && cli_same_name(name, holder))
		fprintf(fp, "  (holds the name)");
	fprintf(fp, "\n");
	if (status && strcmp(status, "ok") != 0)
		fprintf(fp, "    %sstatus %s%s%s%s\n", cli_sgr(color, CLI_STYLE_RED),
		        cli_safe(pool, status), reason ? ": " : "", reason ? reason : "",
		        cli_sgr(color, CLI_STYLE_RESET));
	if (pns)
		fprintf(fp, "    parent NS  %s\n", cli_safe(pool, join(pns, a, sizeof(a))));
	if (cns) {
		join(cns, b, sizeof(b));
		if (pns && strcmp(a, b) == 0)
			fprintf(fp, "    child NS   (the same)\n");
		else
			fprintf(fp, "    child NS   %s%s%s\n", cli_sgr(color, pns ? CLI_STYLE_YELLOW : CLI_STYLE_RESET),
			        cli_safe(pool, b), cli_sgr(color, CLI_STYLE_RESET));
	}
	for (size_t i = 0; i < dnsvet_node_size(errors); i++)
		fprintf(fp, "    %serror%s %s\n", cli_sgr(color, CLI_STYLE_RED),
		        cli_sgr(color, CLI_STYLE_RESET),
		        cli_safe(pool, dnsvet_node_string(dnsvet_node_list_at(errors, i))));
	print_servers(fp, dnsvet_node_map_get(z, "servers"), color, pool);
}

/* The label of a resolver address from the `resolvers` section. */
static const char *resolver_label(const dnsvet_node *root, const char *addr)
{
	const dnsvet_node *list = dnsvet_node_map_get(root, "resolvers");

	for (size_t i = 0; addr && i < dnsvet_node_size(list); i++) {
		const dnsvet_node *r = dnsvet_node_list_at(list, i);

		if (str(r, "addr") && strcmp(str(r, "addr"), addr) == 0)
			return str(r, "label");
	}
	return NULL;
}

/* "NOERROR aa", "REFUSED", "timeout". */
static void reply_result(const dnsvet_node *r, char *buf, size_t size)
{
	const char *err = str(r, "error"), *rcode = str(r, "rcode");

	if (err)
		snprintf(buf, size, "%s", err);
	else
		snprintf(buf, size, "%s%s%s", rcode ? rcode : "?",
		         dnsvet_node_bool(dnsvet_node_map_get(r, "aa"), 0) ? " aa" : "",
		         dnsvet_node_bool(dnsvet_node_map_get(r, "ad"), 0) ? " ad" : "");
}

/* Replies side by side: who, where, outcome, then the answer records; replies that differ
 * get different numbers in the '#' column. */
static void print_replies(FILE *fp, const dnsvet_node *root, const dnsvet_node *replies,
                          const char *qname, int resolvers, int color, cli_strpool *pool)
{
	size_t n = dnsvet_node_size(replies), wwho = 6, waddr = 7, wres = 7, ngroups = 0;
	char (*keys)[KEY_LEN] = calloc(n ? n : 1, KEY_LEN);
	size_t *group = calloc(n ? n : 1, sizeof(*group));

	if (!keys || !group) {
		free(keys);
		free(group);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const dnsvet_node *r = dnsvet_node_list_at(replies, i);
		const char *who = resolvers ? resolver_label(root, str(r, "addr")) : str(r, "server");
		const char *addr = cli_safe(pool, str(r, "addr"));
		char result[64];

		who = cli_safe(pool, who);
		reply_result(r, result, sizeof(result));
		if (strlen(cli_safe(pool, result)) > wres)
			wres = strlen(cli_safe(pool, result));
		if (who && strlen(who) > wwho)
			wwho = strlen(who);
		if (addr && strlen(addr) > waddr)
			waddr = strlen(addr);
		reply_key(r, keys[i], KEY_LEN);
		group[i] = ngroups + 1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(keys[i], keys[j]) == 0) {
				group[i] = group[j];
				break;
			}
		if (group[i] == ngroups + 1)
			ngroups++;
	}
	fprintf(fp, "    %-*s  %-*s  %-*s  %-3s  %6s  %s\n", (int)wwho,
	        resolvers ? "RESOLVER" : "SERVER", (int)waddr, "ADDRESS", (int)wres, "RESULT",
	        "#", "RTT", "ANSWER");
	for (size_t i = 0; i < n; i++) {
		const dnsvet_node *r = dnsvet_node_list_at(replies, i);
		const char *who = resolvers ? resolver_label(root, str(r, "addr")) : str(r, "server");
		const char *err = str(r, "error"), *rcode = str(r, "rcode");
		const dnsvet_node *answer = dnsvet_node_map_get(r, "answer");
		const dnsvet_node *authority = dnsvet_node_map_get(r, "authority");
		const dnsvet_node *cd = dnsvet_node_map_get(r, "cd");
		char result[64], rtt[32], rr[1024];
		int bad = err || !rcode || strcmp(rcode, "NOERROR") != 0;

		who = cli_safe(pool, who);
		reply_result(r, result, sizeof(result));
		if (dnsvet_node_map_get(r, "rtt_ms"))
			snprintf(rtt, sizeof(rtt), "%lld ms",
			         (long long)dnsvet_node_int(dnsvet_node_map_get(r, "rtt_ms"), 0));
		else
			snprintf(rtt, sizeof(rtt), "-");
		fprintf(fp, "    %-*s  %-*s  %s%-*s%s  %-3zu  %6s", (int)wwho, who ? who : "?",
		        (int)waddr, str(r, "addr") ? cli_safe(pool, str(r, "addr")) : "-",
		        cli_sgr(color, bad ? CLI_STYLE_RED : CLI_STYLE_RESET), (int)wres,
		        cli_safe(pool, result),
		        cli_sgr(color, CLI_STYLE_RESET), group[i], rtt);
		if (err) {
			fprintf(fp, "\n");
			continue;
		}
		fputs("  ", fp);
		int indent = 4 + (int)wwho + 2 + (int)waddr + 2 + (int)wres + 2 + 3 + 2 + 6 + 2;

		for (size_t k = 0; k < dnsvet_node_size(answer); k++) {
			rr_short(dnsvet_node_string(dnsvet_node_list_at(answer, k)), qname, rr, sizeof(rr));
			fprintf(fp, "%*s%s\n", k ? indent : 0, "", cli_safe(pool, rr));
		}
		if (!dnsvet_node_size(answer)) {
			/* No records: the authority section says why (SOA: negative, NS: referral). */
			fprintf(fp, "%s(no records)%s\n", cli_sgr(color, CLI_STYLE_DIM),
			        cli_sgr(color, CLI_STYLE_RESET));
			for (size_t k = 0; k < dnsvet_node_size(authority); k++)
				fprintf(fp, "%*sauthority: %s\n", indent, "",
				        cli_safe(pool, dnsvet_node_string(dnsvet_node_list_at(authority, k))));
		}
		if (cd)
			fprintf(fp, "%*swith CD=1 (no DNSSEC validation): %s, %zu records\n", indent, "",
			        str(cd, "rcode") ? cli_safe(pool, str(cd, "rcode")) : "?",
			        dnsvet_node_size(dnsvet_node_map_get(cd, "answer")));
	}
	if (n == 0)
		fprintf(fp, "    (none asked)\n");
	else if (ngroups == 1)
		fprintf(fp, "    %sall %zu give the same answer%s\n", cli_sgr(color, CLI_STYLE_GREEN), n,
		        cli_sgr(color, CLI_STYLE_RESET));
	else
		fprintf(fp, "    %s%zu different answers (see the # column)%s\n",
		        cli_sgr(color, CLI_STYLE_YELLOW), ngroups, cli_sgr(color, CLI_STYLE_RESET));
	free(keys);
	free(group);
}

int cli_trace_text(FILE *fp, const dnsvet_obs *obs, const char *name, const char *type,
                   int color)
{
	const dnsvet_node *root = dnsvet_obs_root(obs);
	const dnsvet_node *entry = dnsvet_obs_find_answer(obs, name, type);
	const dnsvet_node *names = dnsvet_node_map_get(root, "names");
	const dnsvet_node *chain;
	const char *holder = NULL;
	cli_strpool pool = CLI_STRPOOL_INIT;

	if (!entry)
		return -1;
	for (size_t i = 0; i < dnsvet_node_size(names); i++) {
		const dnsvet_node *n = dnsvet_node_list_at(names, i);

		if (str(n, "name") && cli_same_name(str(n, "name"), name))
			holder = str(n, "zone");
	}
	fprintf(fp, "%sTrace of %s %s%s\n\n", cli_sgr(color, CLI_STYLE_BOLD), cli_safe(&pool, name),
	        cli_safe(&pool, type), cli_sgr(color, CLI_STYLE_RESET));
	fprintf(fp, "Delegation path (from the root down):\n");
	for (size_t i = 0; i < dnsvet_obs_zone_count(obs); i++)
		print_zone(fp, dnsvet_obs_zone_at(obs, i), holder, color, &pool);
	if (!dnsvet_obs_zone_count(obs))
		fprintf(fp, "  (no zone found)\n");

	fprintf(fp, "\nAuthoritative servers%s%s (RD=0):\n", holder ? " of " : "",
	        holder ? cli_safe(&pool, holder) : "");
	print_replies(fp, root, dnsvet_node_map_get(entry, "auth"), name, 0, color, &pool);
	fprintf(fp, "\nResolvers (RD=1):\n");
	print_replies(fp, root, dnsvet_node_map_get(entry, "resolvers"), name, 1, color, &pool);
	chain = dnsvet_node_map_get(entry, "chain");
	if (dnsvet_node_size(chain)) {
		fprintf(fp, "\nCNAME chain followed from the authoritative answer:\n");
		for (size_t i = 0; i < dnsvet_node_size(chain); i++)
			fprintf(fp, "    %s\n",
			        cli_safe(&pool, dnsvet_node_string(dnsvet_node_list_at(chain, i))));
	}
	cli_strpool_free(&pool);
	return 0;
}
