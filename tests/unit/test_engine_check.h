/* Assertion helpers shared by the engine's unit and lab tests. */
#ifndef DNSVET_TEST_ENGINE_CHECK_H
#define DNSVET_TEST_ENGINE_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failures;
static int t_checks;

#define CHECK(cond) do { \
	t_checks++; \
	if (!(cond)) { \
		t_failures++; \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_EQ(a, b) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	t_checks++; \
	if (a_ != b_) { \
		t_failures++; \
		fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, \
		        #a, a_, #b, b_); \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *a_ = (a), *b_ = (b); \
	t_checks++; \
	if (!a_ || !b_ || strcmp(a_, b_) != 0) { \
		t_failures++; \
		fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
		        a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
	} \
} while (0)

#define CHECK_CONTAINS(hay, needle) do { \
	const char *h_ = (hay), *n_ = (needle); \
	t_checks++; \
	if (!h_ || !strstr(h_, n_)) { \
		t_failures++; \
		fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, \
		        h_ ? h_ : "(null)", n_); \
	} \
} while (0)

static int t_finish(const char *name)
{
	if (t_failures) {
		fprintf(stderr, "%s: %d of %d checks failed\n", name, t_failures, t_checks);
		return 1;
	}
	printf("%s: %d checks passed\n", name, t_checks);
	return 0;
}

#endif
