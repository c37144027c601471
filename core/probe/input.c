/* What the probe asks, taken from the expectations. */
#include "probe/probe_int.h"

#include <dnsvet/expect.h>
#include <stdlib.h>
#include <string.h>

dnsvet_status pr_input_from_expect(const dnsvet_expect *e, pr_input *in)
{
	const char *dom = dnsvet_expect_domain(e);
	size_t n = dnsvet_expect_record_count(e);
	dnsvet_status st;

	if (!dom || pr_name_norm(dom, in->domain) != 0)
		return DNSVET_ERR_INVALID;
	in->recs = n ? calloc(n, sizeof(*in->recs)) : NULL;
	if (n && !in->recs)
		return DNSVET_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const dnsvet_expect_record *r = dnsvet_expect_record_at(e, i);
		char nm[PR_NAME_MAX];
		uint16_t t;
		if (!r || pr_name_norm(r->name, nm) != 0 || !(t = pr_type_parse(r->type)))
			continue;
		pr_record *o = &in->recs[in->n_recs];
		o->name = pr_strdup(nm);
		o->type = t;
		o->value = r->value ? pr_strdup(r->value) : NULL;
		if (!o->name)
			return DNSVET_ERR_NOMEM;
		in->n_recs++;
	}
	for (size_t i = 0; i < dnsvet_expect_edited_ns_count(e); i++) {
		char nm[PR_NAME_MAX];
		if (pr_name_norm(dnsvet_expect_edited_ns_at(e, i), nm) == 0 &&
		    pr_strv_push_unique(&in->edited_ns, nm) != 0)
			return DNSVET_ERR_NOMEM;
	}
	st = dnsvet_expect_to_node(e, &in->expect_node);
	if (st != DNSVET_OK)
		return st;
	return dnsvet_expect_ses_to_node(e, &in->ses_node);
}
