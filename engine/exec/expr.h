/* expr.h -- expressions compiled to flat step arrays, evaluated a batch at a time
 *
 * expr_compile turns an expression AST into an array of steps in evaluation order (children
 * before parents, as PostgreSQL's ExprEvalStep). Each step runs one kernel over all selected
 * rows of a batch and leaves a column of results; nothing walks the tree per row. The first
 * step loads every input field the expression reads, in one decoding pass per record.
 *
 * Names resolve through a Scope (name -> slot). Aggregate calls inside stats items resolve
 * through an aggregate map to the slots their results land in.
 *
 * Ownership: an Expr lives in the plan pool and is shared read-only by all workers of every
 * run; an ExprState (result columns, regex match data) belongs to one worker of one run.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_EXPR_H
#define LIQ_EXPR_H

#include "base/diag.h"
#include "engine/exec/plan.h"
#include "engine/data/vec.h"
#include "engine/exec/rx.h"
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

typedef struct Expr Expr;
typedef struct ExprState ExprState;

void scope_set(apr_pool_t *pool, Scope *s, const char *name, int slot);
int scope_get(const Scope *s, const char *name);

Expr *expr_compile(ExprCtx *c, const AstNode *n);
/* A worker's state for e; regex subjects no match could be decided for count in rxf (the
 * run's, OpCtx.rx). */
ExprState *expr_state_new(apr_pool_t *pool, const Expr *e, RxFailures *rxf);
/* Evaluates over b's selected rows; the result column is valid for those rows. */
Vec *expr_eval(const Expr *e, ExprState *st, Batch *b);
/* The slot an expression reads directly when it is a bare field reference, else -1. */
int expr_direct_slot(const Expr *e);
const AstNode *expr_ast(const Expr *e);
/* Input slots read by the expression. */
int expr_inputs(const Expr *e, const int **slots);
/* The input slots any of es[0..n) reads (NULL entries skipped), each once: an operator with
 * several expressions loads them all in one decoding pass (dec_load) before evaluating. */
int expr_inputs_union(apr_pool_t *pool, Expr *const *es, int n, const int **slots);

/* Loads the given input slots of b for its selected rows (engine/exec/dec.c). */
void dec_load(const Plan *p, Batch *b, const int *slots, int n);
/* The text of a value, for string operations: bytes of strings and input numbers, formatted
 * text of others (into scratch). */
const char *val_text(const Datum *d, LiqBuf *scratch, size_t *len);

#endif
