/* Numeric server addresses: parsing "v4", "v4:port", "v6", "[v6]:port" and
 * printing them back in the same form. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <dnsvet/engine.h>

static int parse_port(const char *s, uint16_t *out)
{
	unsigned long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return -1;
	}
	if (v == 0)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int parse_host(const char *host, uint16_t port, struct sockaddr_storage *out,
                      socklen_t *outlen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)out;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*outlen = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*outlen = sizeof(*sin6);
		return 0;
	}
	if (!strchr(host, '%') || !strchr(host, ':'))
		return -1;
	/* Scoped link-local addresses: only getaddrinfo knows interface names. */
	struct addrinfo hints = { .ai_family = AF_INET6, .ai_flags = AI_NUMERICHOST,
	                          .ai_socktype = SOCK_DGRAM };
	struct addrinfo *ai = NULL;
	if (getaddrinfo(host, NULL, &hints, &ai) != 0 || !ai)
		return -1;
	if (ai->ai_addrlen > sizeof(*out)) {
		freeaddrinfo(ai);
		return -1;
	}
	memcpy(out, ai->ai_addr, ai->ai_addrlen);
	*outlen = (socklen_t)ai->ai_addrlen;
	freeaddrinfo(ai);
	sin6->sin6_port = htons(port);
	return 0;
}

dnsvet_status dnsvet_engine_addr_parse(const char *text, uint16_t default_port,
                                       struct sockaddr_storage *out, socklen_t *outlen)
{
	char host[DNSVET_ADDRSTRLEN];
	uint16_t port = default_port;
	size_t len;

	if (!text || !out || !outlen)
		return DNSVET_ERR_INVALID;
	len = strlen(text);
	if (len == 0 || len >= sizeof(host))
		return DNSVET_ERR_INVALID;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || close == text + 1)
			return DNSVET_ERR_INVALID;
		size_t hl = (size_t)(close - text - 1);
		memcpy(host, text + 1, hl);
		host[hl] = '\0';
		if (close[1] == ':') {
			if (parse_port(close + 2, &port) != 0)
				return DNSVET_ERR_INVALID;
		} else if (close[1] != '\0') {
			return DNSVET_ERR_INVALID;
		}
		/* Brackets are for IPv6 only, as in URLs. */
		if (!strchr(host, ':'))
			return DNSVET_ERR_INVALID;
	} else if (strchr(text, '@')) {
		/* ADDR@PORT, as dig, unbound and nsd write it, for IPv6 too */
		const char *at = strchr(text, '@');

		memcpy(host, text, (size_t)(at - text));
		host[at - text] = '\0';
		if (at == text || parse_port(at + 1, &port) != 0)
			return DNSVET_ERR_INVALID;
	} else {
		const char *first = strchr(text, ':');
		const char *last = strrchr(text, ':');
		memcpy(host, text, len + 1);
		if (first && first == last) {
			host[first - text] = '\0';
			if (parse_port(first + 1, &port) != 0)
				return DNSVET_ERR_INVALID;
			if (strchr(host, ':') || !strchr(host, '.'))
				return DNSVET_ERR_INVALID;
		}
	}
	if (port == 0)
		return DNSVET_ERR_INVALID;
	if (parse_host(host, port, out, outlen) != 0)
		return DNSVET_ERR_INVALID;
	return DNSVET_OK;
}

const char *dnsvet_engine_addr_str(const struct sockaddr *sa, char *buf, size_t buflen)
{
	char host[NI_MAXHOST];

	if (!buf || buflen == 0)
		return "";
	if (!sa) {
		snprintf(buf, buflen, "?");
		return buf;
	}
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
		if (!inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host)))
			snprintf(host, sizeof(host), "?");
		snprintf(buf, buflen, "%s:%u", host, ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
		if (getnameinfo(sa, sizeof(*sin6), host, sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
			snprintf(host, sizeof(host), "?");
		snprintf(buf, buflen, "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else {
		snprintf(buf, buflen, "?");
	}
	return buf;
}
