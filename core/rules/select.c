/*
 * Rule selection expressions: `ses and not dmarc`, `dkim or spf`, `record.*`, `all`,
 * parentheses; "," means "or". Recursive descent over a small token list; every error
 * names the 1-based column of the offending token.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules/rules_int.h"

enum sel_type { SEL_TERM, SEL_ALL, SEL_AND, SEL_OR, SEL_NOT };

struct sel_node {
	enum sel_type type;
	char *term;
	unsigned column;
	sel_node *a, *b;
};

enum tok_type { T_END, T_WORD, T_AND, T_OR, T_NOT, T_LP, T_RP };

typedef struct parser {
	const char *s;
	size_t pos;
	enum tok_type t;
	const char *tp;
	size_t tlen;
	unsigned tcol;
	char *err;
	size_t errlen;
	int nomem;
	int depth;
} parser;

static int word_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '*' || c == '?' || c == '-' ||
	       c == '[' || c == ']';
}

static int lex(parser *p)
{
	const char *s = p->s;

	while (s[p->pos] == ' ' || s[p->pos] == '\t')
		p->pos++;
	p->tp = s + p->pos;
	p->tcol = (unsigned)p->pos + 1;
	p->tlen = 1;
	switch (s[p->pos]) {
	case '\0':
		p->t = T_END;
		p->tlen = 0;
		return 0;
	case '(':
		p->t = T_LP;
		p->pos++;
		return 0;
	case ')':
		p->t = T_RP;
		p->pos++;
		return 0;
	case ',':
		p->t = T_OR;
		p->pos++;
		return 0;
	default:
		break;
	}
	if (!word_char((unsigned char)s[p->pos])) {
		snprintf(p->err, p->errlen, "column %u: unexpected character '%c'", p->tcol, s[p->pos]);
		return -1;
	}
	while (word_char((unsigned char)s[p->pos]))
		p->pos++;
	p->tlen = (size_t)(s + p->pos - p->tp);
	p->t = T_WORD;
	if (p->tlen == 3 && strncmp(p->tp, "and", 3) == 0)
		p->t = T_AND;
	else if (p->tlen == 2 && strncmp(p->tp, "or", 2) == 0)
		p->t = T_OR;
	else if (p->tlen == 3 && strncmp(p->tp, "not", 3) == 0)
		p->t = T_NOT;
	return 0;
}

static sel_node *mk(parser *p, enum sel_type type, sel_node *a, sel_node *b)
{
	sel_node *n = calloc(1, sizeof(*n));

	if (!n) {
		p->nomem = 1;
		snprintf(p->err, p->errlen, "out of memory");
		sel_free(a);
		sel_free(b);
		return NULL;
	}
	n->type = type;
	n->a = a;
	n->b = b;
	return n;
}

static const char *tok_desc(parser *p, char *buf, size_t len)
{
	if (p->t == T_END)
		return "the end";
	snprintf(buf, len, "'%.*s'", (int)p->tlen, p->tp);
	return buf;
}

static sel_node *parse_or(parser *p);

static sel_node *parse_primary(parser *p)
{
	char buf[80];

	if (++p->depth > 64) {
		snprintf(p->err, p->errlen, "column %u: expression nested too deeply", p->tcol);
		return NULL;
	}
	if (p->t == T_NOT) {
		if (lex(p))
			return NULL;
		sel_node *a = parse_primary(p);

		p->depth--;
		return a ? mk(p, SEL_NOT, a, NULL) : NULL;
	}
	if (p->t == T_LP) {
		unsigned col = p->tcol;

		if (lex(p))
			return NULL;
		sel_node *a = parse_or(p);

		if (!a)
			return NULL;
		if (p->t != T_RP) {
			snprintf(p->err, p->errlen, "column %u: expected ')' to close the '(' of column %u, "
			         "found %s", p->tcol, col, tok_desc(p, buf, sizeof(buf)));
			sel_free(a);
			return NULL;
		}
		p->depth--;
		if (lex(p)) {
			sel_free(a);
			return NULL;
		}
		return a;
	}
	if (p->t != T_WORD) {
		snprintf(p->err, p->errlen, "column %u: expected a rule id, id glob, tag, 'all', 'not' "
		         "or '(', found %s", p->tcol, tok_desc(p, buf, sizeof(buf)));
		return NULL;
	}
	sel_node *n = mk(p, SEL_TERM, NULL, NULL);

	if (!n)
		return NULL;
	n->column = p->tcol;
	n->term = strndup(p->tp, p->tlen);
	if (!n->term) {
		p->nomem = 1;
		free(n);
		return NULL;
	}
	if (strcmp(n->term, "all") == 0)
		n->type = SEL_ALL;
	p->depth--;
	if (lex(p)) {
		sel_free(n);
		return NULL;
	}
	return n;
}

static sel_node *parse_and(parser *p)
{
	sel_node *a = parse_primary(p);

	while (a && p->t == T_AND) {
		if (lex(p)) {
			sel_free(a);
			return NULL;
		}
		sel_node *b = parse_primary(p);

		if (!b) {
			sel_free(a);
			return NULL;
		}
		a = mk(p, SEL_AND, a, b);
	}
	return a;
}

static sel_node *parse_or(parser *p)
{
	sel_node *a = parse_and(p);

	while (a && p->t == T_OR) {
		if (lex(p)) {
			sel_free(a);
			return NULL;
		}
		sel_node *b = parse_and(p);

		if (!b) {
			sel_free(a);
			return NULL;
		}
		a = mk(p, SEL_OR, a, b);
	}
	return a;
}

sel_node *sel_parse(const char *expr, char *err, size_t errlen, int *nomem)
{
	parser p = {expr, 0, T_END, NULL, 0, 0, err, errlen, 0, 0};
	sel_node *n;
	char buf[80];

	err[0] = '\0';
	*nomem = 0;
	if (lex(&p))
		return NULL;
	if (p.t == T_END) {
		snprintf(err, errlen, "column 1: empty selection");
		return NULL;
	}
	n = parse_or(&p);
	if (n && p.t != T_END) {
		snprintf(err, errlen, "column %u: expected 'and', 'or' or the end, found %s", p.tcol,
		         tok_desc(&p, buf, sizeof(buf)));
		sel_free(n);
		n = NULL;
	}
	*nomem = p.nomem;
	return n;
}

static int is_glob(const char *t)
{
	return strpbrk(t, ".*?[") != NULL;
}

static int term_match(const char *term, const dnsvet_rule *r)
{
	if (is_glob(term))
		return fnmatch(term, r->id, 0) == 0;
	for (size_t i = 0; i < r->tags.n; i++)
		if (strcmp(r->tags.v[i], term) == 0)
			return 1;
	return 0;
}

int sel_match(const sel_node *n, const dnsvet_rule *r)
{
	switch (n->type) {
	case SEL_ALL: return 1;
	case SEL_TERM: return term_match(n->term, r);
	case SEL_AND: return sel_match(n->a, r) && sel_match(n->b, r);
	case SEL_OR: return sel_match(n->a, r) || sel_match(n->b, r);
	case SEL_NOT: return !sel_match(n->a, r);
	}
	return 0;
}

const char *sel_unknown_term(const sel_node *n, const dnsvet_rules *rules, unsigned *column)
{
	const char *t;

	if (!n)
		return NULL;
	if (n->type == SEL_TERM) {
		for (size_t i = 0; i < rules->n; i++)
			if (term_match(n->term, rules->rules[i]))
				return NULL;
		*column = n->column;
		return n->term;
	}
	t = sel_unknown_term(n->a, rules, column);
	return t ? t : sel_unknown_term(n->b, rules, column);
}

void sel_free(sel_node *n)
{
	if (!n)
		return;
	sel_free(n->a);
	sel_free(n->b);
	free(n->term);
	free(n);
}

dnsvet_status dnsvet_rules_select(dnsvet_rules *rules, const char *expr, char *errbuf, size_t errlen)
{
	char dummy[8];
	sel_node *n;
	int nomem;
	const char *unknown;
	unsigned col = 0;

	if (!errbuf) {
		errbuf = dummy;
		errlen = sizeof(dummy);
	}
	errbuf[0] = '\0';
	if (!expr || !*expr) {
		for (size_t i = 0; i < rules->n; i++)
			rules->rules[i]->selected = 1;
		return DNSVET_OK;
	}
	n = sel_parse(expr, errbuf, errlen, &nomem);
	if (!n)
		return nomem ? DNSVET_ERR_NOMEM : DNSVET_ERR_PARSE;
	unknown = sel_unknown_term(n, rules, &col);
	if (unknown) {
		snprintf(errbuf, errlen, "column %u: '%s' matches no rule id and no tag", col, unknown);
		sel_free(n);
		return DNSVET_ERR_PARSE;
	}
	for (size_t i = 0; i < rules->n; i++)
		rules->rules[i]->selected = sel_match(n, rules->rules[i]);
	sel_free(n);
	return DNSVET_OK;
}

size_t dnsvet_rules_selected_count(const dnsvet_rules *rules)
{
	size_t n = 0;

	for (size_t i = 0; rules && i < rules->n; i++)
		n += rules->rules[i]->selected;
	return n;
}
