/* The observation object around the tree the probe built. */
#include "probe/probe_int.h"

#include <dnsvet/obs.h>

dnsvet_status pr_obs_wrap(dnsvet_node *tree, dnsvet_obs **out)
{
	dnsvet_node_error err;

	return dnsvet_obs_from_node(tree, "probe", out, &err);
}

void pr_obs_free(dnsvet_obs *obs)
{
	dnsvet_obs_free(obs);
}
