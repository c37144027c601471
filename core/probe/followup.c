/* Follow-up questions after a probe (rules' ctx:query): asked of the servers
 * and resolvers the observation set already lists. */
#include "probe/probe_int.h"

#include <stdlib.h>
#include <string.h>

static unsigned source_bits(const dnsvet_node *list)
{
	unsigned bits = 0;

	for (size_t i = 0; i < dnsvet_node_size(list); i++) {
		const char *s = dnsvet_node_string(dnsvet_node_list_at(list, i));
		if (!s)
			continue;
		if (strcmp(s, "parent") == 0)
			bits |= PR_SRC_PARENT;
		else if (strcmp(s, "child") == 0)
			bits |= PR_SRC_CHILD;
		else if (strcmp(s, "mname") == 0)
			bits |= PR_SRC_MNAME;
		else if (strcmp(s, "edited") == 0)
			bits |= PR_SRC_EDITED;
	}
	return bits ? bits : PR_SRC_PARENT;
}

static void preload_zones(pr_probe *p, const dnsvet_node *obs)
{
	const dnsvet_node *zones = dnsvet_node_map_get(obs, "zones");

	for (size_t i = 0; i < dnsvet_node_size(zones); i++) {
		const dnsvet_node *zn = dnsvet_node_list_at(zones, i);
		const dnsvet_node *servers = dnsvet_node_map_get(zn, "servers");
		const char *name = dnsvet_node_string(dnsvet_node_map_get(zn, "name"));
		const char *parent = dnsvet_node_string(dnsvet_node_map_get(zn, "parent"));
		char nm[PR_NAME_MAX], pn[PR_NAME_MAX];
		pr_zone *z;

		if (!name || pr_name_norm(name, nm) != 0 || !dnsvet_node_size(servers))
			continue;
		if (pr_zone_get(p, nm) || !*nm)
			continue;
		z = pr_zone_new(p, nm, parent && pr_name_norm(parent, pn) == 0 ? pn : NULL, 0);
		if (!z)
			return;
		z->interest = 1;  /* its servers were classified by the probe already */
		for (size_t k = 0; k < dnsvet_node_size(servers); k++) {
			const dnsvet_node *sn = dnsvet_node_list_at(servers, k);
			const char *sname = dnsvet_node_string(dnsvet_node_map_get(sn, "name"));
			const char *addr = dnsvet_node_string(dnsvet_node_map_get(sn, "addr"));
			char snm[PR_NAME_MAX];
			struct sockaddr_storage ss;
			socklen_t len;
			pr_server *s;
			if (!sname || pr_name_norm(sname, snm) != 0)
				continue;
			s = pr_zone_server(p, z, snm, source_bits(dnsvet_node_map_get(sn, "source")));
			if (!s)
				return;
			s->addr_state = 2;
			if (addr && dnsvet_engine_addr_parse(addr, 53, &ss, &len) == DNSVET_OK)
				pr_server_add_addr(p, z, s, &ss, len, 0);
		}
	}
}

static dnsvet_status preload_resolvers(pr_probe *p, const dnsvet_node *obs)
{
	const dnsvet_node *res = dnsvet_node_map_get(obs, "resolvers");

	for (size_t i = 0; i < dnsvet_node_size(res); i++) {
		const dnsvet_node *rn = dnsvet_node_list_at(res, i);
		const char *addr = dnsvet_node_string(dnsvet_node_map_get(rn, "addr"));
		const char *label = dnsvet_node_string(dnsvet_node_map_get(rn, "label"));
		pr_resolver *r;
		if (!addr)
			continue;
		r = calloc(1, sizeof(*r));
		if (!r)
			return DNSVET_ERR_NOMEM;
		if (dnsvet_engine_addr_parse(addr, 53, &r->ss, &r->len) != DNSVET_OK) {
			free(r);
			continue;
		}
		snprintf(r->addr, sizeof(r->addr), "%s", addr);
		snprintf(r->label, sizeof(r->label), "%s", label ? label : "");
		if (pr_ptrv_push(&p->resolvers, r) != 0) {
			free(r);
			return DNSVET_ERR_NOMEM;
		}
	}
	return DNSVET_OK;
}

dnsvet_status dnsvet_probe_followup(dnsvet_engine *engine, dnsvet_probe_cache *cache,
                                    const dnsvet_probe_opts *opts, const dnsvet_node *obs,
                                    const dnsvet_probe_question *questions, size_t n_questions,
                                    dnsvet_probe_followup_cb done, void *user)
{
	pr_probe *p;
	const char *dom;
	dnsvet_status st;
	dnsvet_probe_opts o;

	if (!engine || !cache || !obs || !done || !n_questions || !questions)
		return DNSVET_ERR_INVALID;
	dom = dnsvet_node_string(dnsvet_node_map_get(obs, "domain"));
	if (opts)
		o = *opts;
	else
		dnsvet_probe_opts_default(&o);
	/* Lab mode is a property of the recorded run. */
	if (dnsvet_node_bool(dnsvet_node_map_get(obs, "lab"), 0))
		o.lab = 1;
	p = pr_probe_alloc(engine, cache, &o);
	if (!p)
		return DNSVET_ERR_NOMEM;
	p->followup = 1;
	p->fdone = done;
	p->user = user;
	p->obs = obs;
	if (!dom || pr_name_norm(dom, p->in.domain) != 0) {
		pr_probe_discard(p);
		return DNSVET_ERR_INVALID;
	}
	st = preload_resolvers(p, obs);
	if (st == DNSVET_OK && pr_zone_root(p))
		preload_zones(p, obs);
	if (st == DNSVET_OK && p->nomem)
		st = DNSVET_ERR_NOMEM;
	if (st == DNSVET_OK)
		st = pr_probe_launch(p, questions, n_questions);
	if (st != DNSVET_OK) {
		pr_probe_discard(p);
		return st;
	}
	return DNSVET_OK;
}
