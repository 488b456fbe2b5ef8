/* op_join.c -- join breaker: rows of the query with rows of another log group (issue 13)
 *
 * `join type=inner|left left=a right=b where a.f = b.f (SOURCE 'group' | ...)`: the right side is
 * a query of its own; a run first runs it to completion over the same inputs (engine/run.c,
 * the set of op_subq.c keyed by the join field, with the right fields the query reads as its
 * other columns). Then every row of the left side meets the right rows whose key equals its
 * own (L5 equality, as stats groups keys): one row per match, with the right fields in slots of
 * their own (b.duration, ...); a left join keeps a row without a match once, its right fields
 * null; an inner join drops it. A null key matches nothing.
 *
 * Rows can multiply, so the join ends a pipeline, as unnest does: its state is the rows made
 * (a RowSet), each with its left row's order key, the matches of one row in the right side's
 * input order; combines and merges append, finalize orders by key (stable).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "engine/exec/op.h"

typedef struct JoinData {
    const Plan *inner; /* the right side: the key, then the right fields */
    Expr *key;         /* the left row's key */
    int left;          /* type=left */
    int nright;
    const int *rslots; /* where right field i goes */
    SubqSet *set;      /* bound copies only: the right side's rows by key */
    SubqOwner *owner;
} JoinData;

typedef struct JoinLocal {
    ExprState *st;
    RowSet *rows;
    const OpCtx *ctx; /* its memory budget: the rows held are charged (issue 15) */
} JoinLocal;

static OpLocal *join_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    const JoinData *jd = op->data;
    JoinLocal *l = apr_pcalloc(pool, sizeof(*l));
    l->st = expr_state_new(pool, jd->key, ctx->rx);
    l->ctx = ctx;
    if (jd->owner)
        subq_owner_attach(jd->owner, pool);
    return l;
}

static OpState *join_global_new(const Op *op)
{
    return rowset_new(op->plan->nslots);
}

static void join_sink(const Op *op, OpLocal *lp, Batch *b)
{
    const JoinData *jd = op->data;
    JoinLocal *l = lp;
    if (!l->rows)
        l->rows = rowset_new(op->plan->nslots);
    Vec *v = expr_eval(jd->key, l->st, b);
    uint32_t *rowof = mem_alloc(sizeof(uint32_t) * (b->nsel + 1));
    for (uint32_t k = 0; k < b->nsel; k++)
        rowof[k] = b->sel[k];
    Datum *keys = mem_alloc(sizeof(Datum) * (b->nsel + 1));
    for (uint32_t k = 0; k < b->nsel; k++)
        keys[k] = *VGET(v, rowof[k]);
    RowSet *tmp = rowset_new(op->plan->nslots);
    rowset_append_batch(tmp, op->plan, b);
    int ns = tmp->nslots;
    for (size_t r = 0; r < tmp->nrows; r++) {
        size_t m = jd->set ? subq_set_first(jd->set, &keys[r]) : SIZE_MAX;
        if (m == SIZE_MAX && !jd->left)
            continue;
        do {
            Datum *row = rowset_add_row(l->rows, tmp->order[r]);
            memcpy(row, &tmp->data[r * (size_t)ns], sizeof(Datum) * (size_t)ns);
            const Datum *right = m != SIZE_MAX ? subq_set_row(jd->set, m) : NULL;
            for (int i = 0; i < jd->nright; i++) /* column 0 of the right rows is the key */
                row[jd->rslots[i]] = right ? datum_copy(l->rows->pool, &right[i + 1]) : val_null();
            if (m != SIZE_MAX)
                m = subq_set_next(jd->set, m);
        } while (m != SIZE_MAX);
    }
    free(keys);
    free(rowof);
    tmp->nrows = 0;
    rowset_concat(l->rows, tmp);
    rowset_track(l->rows, l->ctx, "join");
}

static void join_combine(const Op *op, OpState *g, OpLocal *lp)
{
    (void)op;
    JoinLocal *l = lp;
    if (l->rows)
        rowset_concat_charged(g, l->rows, l->ctx, "join");
    l->rows = NULL;
}

static RowSet *join_finalize(const Op *op, const OpCtx *ctx, OpState *g)
{
    (void)op;
    int64_t charged = ((RowSet *)g)->charged;
    RowSet *rs = rowset_in_order(g);
    rowset_charge(rs, ctx, charged, "join");
    return rs;
}

static const OpVTable join_vt = {
    .name = "join",
    .local_new = join_local_new,
    .global_new = join_global_new,
    .sink = join_sink,
    .combine = join_combine,
    .merge = rowset_state_merge,
    .copy = rowset_state_copy,
    .finalize = join_finalize,
    .state_free = rowset_state_free,
};

Op *op_join_new(Plan *p, const Plan *inner, Expr *key, int left, const int *rslots, int nright)
{
    JoinData *jd = apr_pcalloc(p->pool, sizeof(*jd));
    jd->inner = inner;
    jd->key = key;
    jd->left = left;
    jd->rslots = rslots;
    jd->nright = nright;
    return op_new(p, &join_vt, jd);
}

const Plan *op_join_inner(const Op *op)
{
    return op->vt == &join_vt ? ((const JoinData *)op->data)->inner : NULL;
}

Op *op_join_bind(apr_pool_t *pool, const Op *op, SubqSet *set, SubqOwner *owner)
{
    Op *c = apr_pmemdup(pool, op, sizeof(*op));
    JoinData *jd = apr_pmemdup(pool, op->data, sizeof(JoinData));
    jd->set = set;
    jd->owner = owner;
    c->data = jd;
    return c;
}
