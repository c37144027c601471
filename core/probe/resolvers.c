/* Propagation sampling: the recursive resolvers asked with RD=1, and servers
 * named explicitly by a rule. */
#include "probe/probe_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Well-known public resolvers, one IPv4 and one IPv6 address each. */
static const struct {
	const char *label;
	const char *addr;
} public_resolvers[] = {
	{"google", "8.8.8.8"},           {"google", "2001:4860:4860::8888"},
	{"cloudflare", "1.1.1.1"},       {"cloudflare", "2606:4700:4700::1111"},
	{"quad9", "9.9.9.9"},            {"quad9", "2620:fe::fe"},
	{"opendns", "208.67.222.222"},   {"opendns", "2620:119:35::35"},
	{"adguard", "94.140.14.14"},     {"adguard", "2a10:50c0::ad1:ff"},
	{"cleanbrowsing", "185.228.168.9"}, {"cleanbrowsing", "2a0d:2a00:1::2"},
	{"dnswatch", "84.200.69.80"},    {"dnswatch", "2001:1608:10:25::1c04:b12f"},
	{"yandex", "77.88.8.8"},         {"yandex", "2a02:6b8::feed:ff"},
	{"ultradns", "64.6.64.6"},       {"ultradns", "2620:74:1b::1:1"},
	{"controld", "76.76.2.0"},       {"controld", "2606:1a40::"},
	{"nextdns", "45.90.28.0"},       {"nextdns", "2a07:a8c0::"},
	{"he", "74.82.42.42"},           {"he", "2001:470:20::2"},
};

static int add_resolver(pr_probe *p, const struct sockaddr_storage *ss, socklen_t len,
                        const char *label)
{
	pr_resolver *r;
	char text[DNSVET_ADDRSTRLEN];

	pr_addr_show((const struct sockaddr *)ss, text, sizeof(text));
	for (size_t i = 0; i < p->resolvers.n; i++)
		if (strcmp(((pr_resolver *)p->resolvers.v[i])->addr, text) == 0)
			return 0;
	r = calloc(1, sizeof(*r));
	if (!r || pr_ptrv_push(&p->resolvers, r) != 0) {
		free(r);
		return -1;
	}
	memcpy(&r->ss, ss, len);
	r->len = len;
	snprintf(r->addr, sizeof(r->addr), "%s", text);
	snprintf(r->label, sizeof(r->label), "%s", label);
	return 0;
}

static const char *known_label(const char *addr)
{
	for (size_t i = 0; i < sizeof(public_resolvers) / sizeof(public_resolvers[0]); i++)
		if (strcmp(public_resolvers[i].addr, addr) == 0)
			return public_resolvers[i].label;
	return NULL;
}

/* The nameserver lines of a resolv.conf; a missing file is no resolver. */
static int add_system(pr_probe *p, const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[512];

	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		char word[64], addr[128];
		struct sockaddr_storage ss;
		socklen_t len;
		if (sscanf(line, " %63s %127s", word, addr) != 2 || strcmp(word, "nameserver") != 0)
			continue;
		if (dnsvet_engine_addr_parse(addr, 53, &ss, &len) != DNSVET_OK)
			continue;
		if (add_resolver(p, &ss, len, "system") != 0) {
			fclose(fp);
			return -1;
		}
	}
	fclose(fp);
	return 0;
}

dnsvet_status pr_resolvers_setup(pr_probe *p)
{
	if (p->opts.no_resolvers)
		return DNSVET_OK;
	if (p->opts.resolvers) {
		size_t n = dnsvet_addrlist_count(p->opts.resolvers);
		for (size_t i = 0; i < n; i++) {
			const dnsvet_server_addr *e = dnsvet_addrlist_get(p->opts.resolvers, i);
			char text[DNSVET_ADDRSTRLEN], label[32];
			const char *kl;
			pr_addr_show((const struct sockaddr *)&e->addr, text, sizeof(text));
			kl = known_label(text);
			snprintf(label, sizeof(label), "resolver%zu", i + 1);
			if (add_resolver(p, &e->addr, e->addrlen, kl ? kl : label) != 0)
				return DNSVET_ERR_NOMEM;
		}
		return DNSVET_OK;
	}
	for (size_t i = 0; i < sizeof(public_resolvers) / sizeof(public_resolvers[0]); i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		if (dnsvet_engine_addr_parse(public_resolvers[i].addr, 53, &ss, &len) != DNSVET_OK)
			continue;
		if (add_resolver(p, &ss, len, public_resolvers[i].label) != 0)
			return DNSVET_ERR_NOMEM;
	}
	if (!p->opts.no_system_resolver &&
	    add_system(p, p->opts.resolv_conf ? p->opts.resolv_conf : "/etc/resolv.conf") != 0)
		return DNSVET_ERR_NOMEM;
	return DNSVET_OK;
}

void pr_resolvers_ask(pr_probe *p, pr_quest *q)
{
	for (size_t i = 0; i < p->resolvers.n; i++) {
		pr_resolver *res = p->resolvers.v[i];
		pr_reply *rep = calloc(1, sizeof(*rep));
		pr_qctx *c;
		if (!rep || pr_ptrv_push(&q->res, rep) != 0) {
			free(rep);
			pr_oom(p);
			return;
		}
		snprintf(rep->addr, sizeof(rep->addr), "%s", res->addr);
		c = pr_qctx_new(p, QK_RESOLVER, 1);
		if (!c)
			return;
		c->q = q;
		c->rep = rep;
		pr_submit(p, c, &res->ss, res->len, q->name, q->type, DNSVET_QF_RD);
	}
}

void pr_on_resolver(pr_probe *p, pr_qctx *c, const dnsvet_result *r)
{
	pr_reply *rep = c->rep;

	pr_reply_fill(rep, r);
	if (c->kind == QK_RESOLVER && rep->qerr == DNSVET_QERR_NONE &&
	    rep->rcode == LDNS_RCODE_SERVFAIL) {
		/* CD=1 tells a DNSSEC validation failure (answers now) from a
		 * broken path (fails again). */
		struct sockaddr_storage ss;
		socklen_t len;
		const struct sockaddr *sa = dnsvet_result_addr(r, &len);
		pr_qctx *cd;
		if (!sa || len > sizeof(ss))
			return;
		memcpy(&ss, sa, len);
		rep->cd = calloc(1, sizeof(*rep->cd));
		if (!rep->cd) {
			pr_oom(p);
			return;
		}
		snprintf(rep->cd->addr, sizeof(rep->cd->addr), "%s", rep->addr);
		cd = pr_qctx_new(p, QK_RESOLVER_CD, c->depth + 1);
		if (!cd)
			return;
		cd->q = c->q;
		cd->rep = rep->cd;
		pr_submit(p, cd, &ss, len, c->q->name, c->q->type, DNSVET_QF_RD | DNSVET_QF_CD);
	}
}

void pr_server_ask(pr_probe *p, pr_quest *q)
{
	for (size_t i = 0; i < q->explicit_servers.n; i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		pr_reply *rep;
		pr_qctx *c;
		if (dnsvet_engine_addr_parse(q->explicit_servers.v[i], 53, &ss, &len) != DNSVET_OK)
			continue;
		rep = calloc(1, sizeof(*rep));
		if (!rep || pr_ptrv_push(&q->srv, rep) != 0) {
			free(rep);
			pr_oom(p);
			return;
		}
		pr_addr_show((const struct sockaddr *)&ss, rep->addr, sizeof(rep->addr));
		c = pr_qctx_new(p, QK_SERVER, 1);
		if (!c)
			return;
		c->q = q;
		c->rep = rep;
		pr_submit(p, c, &ss, len, q->name, q->type, 0);
	}
}

void pr_on_server(pr_probe *p, pr_qctx *c, const dnsvet_result *r)
{
	(void)p;
	pr_reply_fill(c->rep, r);
}
