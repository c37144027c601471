#include <dnsvet/status.h>
#include "dnsvet_config.h"

const char *dnsvet_status_str(dnsvet_status st)
{
	switch (st) {
	case DNSVET_OK: return "success";
	case DNSVET_ERR_NOMEM: return "out of memory";
	case DNSVET_ERR_INVALID: return "invalid argument or input";
	case DNSVET_ERR_PARSE: return "parse error";
	case DNSVET_ERR_IO: return "input/output error";
	case DNSVET_ERR_NOT_FOUND: return "not found";
	case DNSVET_ERR_LIMIT: return "limit exceeded";
	case DNSVET_ERR_STATE: return "invalid state";
	case DNSVET_ERR_LUA: return "Lua error";
	case DNSVET_ERR_INTERNAL: return "internal error";
	}
	return "unknown status";
}

const char *dnsvet_version(void)
{
	return DNSVET_VERSION_STRING;
}
