/* op_filter.c -- filter operator: keeps the rows whose condition is true
 *
 * The planner splits a condition at its top-level 'and's into one filter per conjunct, so each
 * conjunct runs only on the rows the previous ones kept, and decodes fields only for them.
 * Rows where the condition is false or null are dropped (L4). The operator rewrites the batch
 * selection; it never moves data.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "engine/exec/op.h"

typedef struct FilterLocal {
    ExprState *st;
} FilterLocal;

static OpLocal *filter_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    FilterLocal *l = apr_pcalloc(pool, sizeof(*l));
    l->st = expr_state_new(pool, op->data, ctx->rx);
    return l;
}

static void filter_execute(const Op *op, OpLocal *lp, Batch *b)
{
    FilterLocal *l = lp;
    Vec *v = expr_eval(op->data, l->st, b);
    uint32_t n = 0;
    FOR_ROWS(b)
    {
        const Datum *d = VGET(v, row);
        b->sel[n] = row;
        n += d->type != VT_NULL && val_truthy(d);
    }
    b->nsel = n;
}

static const OpVTable filter_vt = {
    .name = "filter",
    .local_new = filter_local_new,
    .execute = filter_execute,
};

Op *op_filter_new(Plan *p, Expr *pred)
{
    return op_new(p, &filter_vt, pred);
}
