/* expr.h -- compiled expressions, evaluated a batch at a time
 *
 * An Expr is an expression compiled to a flat array of steps (the layout: expr_int.h; the
 * compiler: engine/plan/expr_compile.h). Each step runs one kernel over all selected rows of a
 * batch and leaves a column of results; nothing walks a tree per row. The first step loads
 * every input field the expression reads, in one decoding pass per record.
 *
 * Ownership: an Expr lives in the plan pool and is shared read-only by all workers of every
 * run; an ExprState (result columns, regex match data) belongs to one worker of one run.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_EXPR_H
#define LIQ_EXPR_H

#include "base/buf.h"
#include "engine/exec/plan.h"
#include "engine/data/vec.h"
#include "engine/exec/rx.h"

typedef struct Expr Expr;
typedef struct ExprState ExprState;

/* A worker's state for e; regex subjects no match could be decided for count in rxf (the
 * run's, OpCtx.rx). */
ExprState *expr_state_new(apr_pool_t *pool, const Expr *e, RxFailures *rxf);
/* Evaluates over b's selected rows; the result column is valid for those rows. */
Vec *expr_eval(const Expr *e, ExprState *st, Batch *b);
/* The slot an expression reads directly when it is a bare field reference, else -1. */
int expr_direct_slot(const Expr *e);
/* Input slots read by the expression. */
int expr_inputs(const Expr *e, const int **slots);
/* Whether every slot e reads, input or computed (NULL e: none), is one of slots[0..n). */
int expr_reads_only(const Expr *e, const int *slots, int n);
/* The input slots any of es[0..n) reads (NULL entries skipped), each once: an operator with
 * several expressions loads them all in one decoding pass (dec_load) before evaluating. */
int expr_inputs_union(apr_pool_t *pool, Expr *const *es, int n, const int **slots);

/* Loads the given input slots of b for its selected rows (engine/exec/dec.c). */
void dec_load(const Plan *p, Batch *b, const int *slots, int n);
/* The text of a value, for string operations: bytes of strings and input numbers, formatted
 * text of others (into scratch). */
const char *val_text(const Datum *d, LiqBuf *scratch, size_t *len);

#endif
