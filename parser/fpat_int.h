/* fpat_int.h -- state shared by the filter-pattern lexer and grammar (not for other modules)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_FPAT_INT_H
#define LIQ_FPAT_INT_H

#include "parser/fpat.h"

typedef struct FpCtx {
    apr_pool_t *pool;
    const char *text;
    size_t len;
    LiqDiagList *diags;
    FpKind kind;
    int first;   /* the START token has not been returned yet */
    uint32_t off;
    int nerrors;
    int lex_failed_at_end;
    FpPattern *pat;
    size_t termcap, fieldcap;
} FpCtx;

#endif
