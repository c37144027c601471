/* Per-engine random numbers for query IDs, drawn from the kernel CSPRNG. */
#ifndef DNSVET_ENGINE_RNG_H
#define DNSVET_ENGINE_RNG_H

#include <stdint.h>
#include <stddef.h>

#include <dnsvet/status.h>

/* Buffered getrandom() output: one syscall per 128 query IDs keeps the
 * kernel CSPRNG's quality without a syscall per query. */
struct eng_rng {
	uint8_t buf[256];
	size_t pos;
};

void eng_rng_init(struct eng_rng *r);
/* 16 unpredictable bits; DNSVET_ERR_IO if the kernel gives no randomness. */
dnsvet_status eng_rng_u16(struct eng_rng *r, uint16_t *out);

#endif
