/* Growable list of server addresses behind dnsvet_addrlist. */
#ifndef DNSVET_ENGINE_ADDRLIST_H
#define DNSVET_ENGINE_ADDRLIST_H

#include <dnsvet/engine.h>

struct dnsvet_addrlist {
	dnsvet_server_addr *v;
	size_t n, cap;
};

dnsvet_addrlist *eng_addrlist_new(void);
/* Append (name truncated to 255 bytes). */
dnsvet_status eng_addrlist_add(dnsvet_addrlist *l, const char *name,
                               const struct sockaddr_storage *addr, socklen_t addrlen);
/* Read a whole small text file; caller frees *out with free(). */
dnsvet_status eng_read_file(const char *path, size_t limit, char **out, size_t *len);

#endif
