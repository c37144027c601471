/* Domain names as the CLI compares them. */
#ifndef DNSVET_CLI_NAMES_H
#define DNSVET_CLI_NAMES_H

/* Whether a and b name the same domain: equal up to letter case and one final dot. */
int cli_same_name(const char *a, const char *b);

#endif
