/* Shared definitions for every dnsvet public header. */
#ifndef DNSVET_COMMON_H
#define DNSVET_COMMON_H

#if defined(DNSVET_BUILDING) && defined(__GNUC__)
#define DNSVET_API __attribute__((visibility("default")))
#else
#define DNSVET_API
#endif

#define DNSVET_VERSION_MAJOR 0
#define DNSVET_VERSION_MINOR 1
#define DNSVET_VERSION_PATCH 0
#define DNSVET_VERSION ((DNSVET_VERSION_MAJOR * 10000) + (DNSVET_VERSION_MINOR * 100) + DNSVET_VERSION_PATCH)

#endif
