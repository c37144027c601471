/* Umbrella header: everything of dnsvet's public C API. */
#ifndef DNSVET_DNSVET_H
#define DNSVET_DNSVET_H

#include <dnsvet/common.h>
#include <dnsvet/status.h>
#include <dnsvet/engine.h>

#endif
