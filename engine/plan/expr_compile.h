/* expr_compile.h -- expressions of the checked AST compiled to step arrays (engine/exec/expr.h)
 *
 * expr_compile turns an expression AST into the steps execution evaluates (the layout:
 * engine/exec/expr_int.h): names become slots, literals constants, regexes compiled regexes,
 * calls kernel ids with their constant data; errors (a bad regex, a name gone after stats)
 * are diagnostics pointing into the query. Nothing of the AST stays in the result.
 *
 * Names resolve through a Scope (name -> slot). Aggregate calls inside stats items resolve
 * through an aggregate map to the slots their results land in.
 *
 * Ownership: Exprs and Scopes live in the plan pool (ExprCtx.plan->pool).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_EXPR_COMPILE_H
#define LIQ_EXPR_COMPILE_H

#include <apr_pools.h>
#include "base/diag.h"
#include "engine/exec/expr.h"
#include "engine/exec/plan.h"
#include "parser/ast.h"

typedef struct Scope {
    const char **names;
    int *slots;
    int n, cap;
    int closed; /* after stats: unknown names are null, not input fields */
    int strict; /* closed, and compiling a stats: unknown names are errors */
} Scope;

typedef struct ExprCtx {
    Plan *plan;
    Scope *scope;
    LiqDiagList *diags;
    const AstNode **agg_nodes; /* aggregate calls of a stats item ... */
    const int *agg_slots;      /* ... and the slots holding their results */
    int nagg;
} ExprCtx;

void scope_set(apr_pool_t *pool, Scope *s, const char *name, int slot);
int scope_get(const Scope *s, const char *name);

/* The compiled form of n, or NULL after reporting an error. Input fields it names get slots
 * (plan_input_slot), marked used; every slot it reads is marked read. */
Expr *expr_compile(ExprCtx *c, const AstNode *n);

#endif
