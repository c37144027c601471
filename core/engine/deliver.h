/* Results that come from somewhere other than the network, handed back through the
 * engine's callbacks like the answers it receives. */
#ifndef DNSVET_ENGINE_DELIVER_H
#define DNSVET_ENGINE_DELIVER_H

#include <dnsvet/engine.h>

/* Queues res for cb on the next dnsvet_engine_step, as if it had just been received, so a
 * caller answering from its own cache runs the same code path, never from inside its own
 * call. Takes res over on success only. It is not counted as a submitted query. */
dnsvet_status eng_deliver(dnsvet_engine *eng, dnsvet_result *res, dnsvet_engine_cb cb,
                          void *user);

#endif
