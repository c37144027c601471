/* Status codes returned by every fallible dnsvet function. */
#ifndef DNSVET_STATUS_H
#define DNSVET_STATUS_H

#include <dnsvet/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dnsvet_status {
	DNSVET_OK = 0,
	DNSVET_ERR_NOMEM,       /* an allocation failed */
	DNSVET_ERR_INVALID,     /* an argument or input value is not acceptable */
	DNSVET_ERR_PARSE,       /* a file or document could not be parsed */
	DNSVET_ERR_IO,          /* a file or socket operation failed */
	DNSVET_ERR_NOT_FOUND,   /* the thing asked for does not exist */
	DNSVET_ERR_LIMIT,       /* a budget or limit was exhausted */
	DNSVET_ERR_STATE,       /* the call does not fit the object's current state */
	DNSVET_ERR_LUA,         /* a Lua rule or script failed */
	DNSVET_ERR_INTERNAL     /* a bug in dnsvet */
} dnsvet_status;

/* A static, never-NULL English description of a status. */
DNSVET_API const char *dnsvet_status_str(dnsvet_status st);

/* The library's version as "MAJOR.MINOR.PATCH"; static string. */
DNSVET_API const char *dnsvet_version(void);

#ifdef __cplusplus
}
#endif
#endif
