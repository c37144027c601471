/* Umbrella header: everything of dnsvet's public C API. Most embedders need only
 * session.h (sessions, checks) and report.h (verdicts, findings, records). */
#ifndef DNSVET_DNSVET_H
#define DNSVET_DNSVET_H

#include <dnsvet/common.h>
#include <dnsvet/status.h>
#include <dnsvet/node.h>
#include <dnsvet/engine.h>
#include <dnsvet/expect.h>
#include <dnsvet/obs.h>
#include <dnsvet/probe.h>
#include <dnsvet/finding.h>
#include <dnsvet/rules.h>
#include <dnsvet/report.h>
#include <dnsvet/session.h>

#endif
