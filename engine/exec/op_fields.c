/* op_fields.c -- computes columns: fields/display items with expressions, hidden sort keys
 *
 * Writes each expression's value into its computed slot for the selected rows. Projection
 * (which columns are shown) is not this operator's business: the plan decides the visible
 * columns once, at the end (L14, §3.1-3.2).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "engine/exec/op.h"

typedef struct FieldsData {
    Expr **exprs;
    const int *slots;
    int n;
    const int *inputs; /* the input slots of every expression: decoded in one pass */
    int ninputs;
} FieldsData;

typedef struct FieldsLocal {
    ExprState **st;
} FieldsLocal;

static OpLocal *fields_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    const FieldsData *fd = op->data;
    FieldsLocal *l = apr_pcalloc(pool, sizeof(*l));
    l->st = apr_pcalloc(pool, sizeof(ExprState *) * (size_t)fd->n);
    for (int i = 0; i < fd->n; i++)
        l->st[i] = expr_state_new(pool, fd->exprs[i], ctx->rx);
    return l;
}

static void fields_execute(const Op *op, OpLocal *lp, Batch *b)
{
    const FieldsData *fd = op->data;
    FieldsLocal *l = lp;
    if (fd->ninputs) /* one decoding pass for every expression, not one each */
        dec_load(op->plan, b, fd->inputs, fd->ninputs);
    for (int i = 0; i < fd->n; i++) {
        Vec *v = expr_eval(fd->exprs[i], l->st[i], b);
        Vec *dst = &b->cols[fd->slots[i]];
        Datum *d = apr_palloc(b->pool, sizeof(Datum) * b->nrows);
        FOR_ROWS(b)
            d[row] = *VGET(v, row);
        dst->d = d;
        dst->isconst = 0;
        dst->loaded = 1;
    }
}

static const OpVTable fields_vt = {
    .name = "fields",
    .local_new = fields_local_new,
    .execute = fields_execute,
};

Op *op_fields_new(Plan *p, Expr **exprs, const int *slots, int n)
{
    FieldsData *fd = apr_pcalloc(p->pool, sizeof(*fd));
    fd->exprs = exprs;
    fd->slots = slots;
    fd->n = n;
    fd->ninputs = expr_inputs_union(p->pool, exprs, n, &fd->inputs);
    return op_new(p, &fields_vt, fd);
}
