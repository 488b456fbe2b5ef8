/* diag.h -- diagnostics as values, and the one renderer that prints them with a caret
 *
 * Every stage (lexer, parser, sema, plan, engine) reports problems by appending LiqDiag values
 * to a LiqDiagList; only cli/ prints them. A diagnostic that points into the query carries a
 * span; diag_render() turns it into the liq error format:
 *
 *   liq: error at 1:44: expected a field name, found ')'
 *     filter level = "ERROR" | stats count(*) by )
 *                                                ^
 *     hint: ...
 *
 * Ownership: a list and its diagnostics live in the pool given to diag_list_new().
 *
 * Interface:
 *   diag_list_new   empty list
 *   diag_add        append a diagnostic with a printf-style message (diag_vadd: va_list)
 *   diag_hint       attach a hint to the last diagnostic
 *   diag_count      number of errors (warnings excluded)
 *   diag_render     render one diagnostic against the text it points into
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_DIAG_H
#define LIQ_DIAG_H

#include <stdarg.h>
#include <apr_pools.h>
#include "base/span.h"

typedef enum { DIAG_ERROR, DIAG_WARNING } DiagSeverity;

typedef struct LiqDiag {
    DiagSeverity severity;
    int has_span;   /* 0: not about a place in the query (e.g. an input file) */
    int at_end;     /* the problem is the end of the text: one caret past its last character */
    LiqSpan span;
    const char *where; /* e.g. " in filter pattern"; "" for the query */
    const char *msg;
    const char *hint; /* NULL when none */
} LiqDiag;

typedef struct LiqDiagList {
    apr_pool_t *pool;
    LiqDiag *items;
    int n, cap;
    int nerrors;
} LiqDiagList;

LiqDiagList *diag_list_new(apr_pool_t *pool);
LiqDiag *diag_add(LiqDiagList *l, DiagSeverity sev, const LiqSpan *span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same with a va_list (for callers that wrap diag_add in a printf-style function). */
LiqDiag *diag_vadd(LiqDiagList *l, DiagSeverity sev, const LiqSpan *span, const char *fmt,
                   va_list ap) __attribute__((format(printf, 4, 0)));
void diag_hint(LiqDiagList *l, LiqDiag *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int diag_count(const LiqDiagList *l);
/* Renders d (pointing into text) as a NUL-terminated string in pool, ending with a newline. */
char *diag_render(apr_pool_t *pool, const LiqDiag *d, const char *text, size_t len);

#endif
