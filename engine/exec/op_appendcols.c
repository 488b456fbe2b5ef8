/* op_appendcols.c -- appendcols: a subquery's columns beside the rows, by position (issue 20)
 *
 * `appendcols [override=true|false] [max=n] (SOURCE ... | query)`: the subquery is a plan of
 * its own whose first column is a constant key and whose other columns are the columns it
 * shows; a run first runs it to completion over the same inputs (engine/run.c, the set of
 * op_subq.c: its rows in the subquery's result order, all under the one key). The operator is
 * a breaker holding the rows of the query (a RowSet, merged by concatenation as op_window.c's);
 * finalize puts them in input order (order key, then position: the order a sort or stats
 * before it gave) and gives row i the columns of the subquery's row i, for i below max and
 * the subquery's rows (docs/commands-2025.md C45-C48): a column the row has already (a slot
 * of the query) is replaced with override=true, and otherwise filled only where the row's
 * value is null; rows past the subquery's keep their own values (new columns stay null).
 * Subquery rows past the query's rows are not used.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <string.h>
#include <apr_strings.h>
#include "engine/exec/op.h"

typedef struct AppData {
    const Plan *inner; /* the subquery: the key, then the columns */
    int ncols;
    const int *slots;  /* where column i goes */
    int override;
    int max;
    SubqSet *set;      /* bound copies only */
    SubqOwner *owner;
} AppData;

typedef struct AppLocal {
    RowSet *rows;
} AppLocal;

static OpLocal *app_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    (void)ctx;
    const AppData *ad = op->data;
    if (ad->owner)
        subq_owner_attach(ad->owner, pool);
    return apr_pcalloc(pool, sizeof(AppLocal));
}

static OpState *app_global_new(const Op *op)
{
    return rowset_new(op->plan->nslots);
}

static void app_sink(const Op *op, OpLocal *lp, Batch *b)
{
    AppLocal *l = lp;
    if (!l->rows)
        l->rows = rowset_new(op->plan->nslots);
    rowset_append_batch(l->rows, op->plan, b);
}

static void app_combine(const Op *op, OpState *g, OpLocal *lp)
{
    (void)op;
    AppLocal *l = lp;
    if (l->rows)
        rowset_concat(g, l->rows);
    l->rows = NULL;
}

static RowSet *app_finalize(const Op *op, const OpCtx *ctx, OpState *g)
{
    (void)ctx;
    const AppData *ad = op->data;
    RowSet *rs = rowset_in_order(g);
    if (!ad->set)
        return rs;
    Datum key = val_num(1);
    size_t m = subq_set_first(ad->set, &key);
    for (size_t r = 0; r < rs->nrows && r < (size_t)ad->max && m != SIZE_MAX; r++) {
        Datum *row = &rs->data[r * (size_t)rs->nslots];
        const Datum *sub = subq_set_row(ad->set, m);
        for (int c = 0; c < ad->ncols; c++) {
            Datum *d = &row[ad->slots[c]];
            if (ad->override || d->type == VT_NULL)
                *d = datum_copy(rs->pool, &sub[c + 1]); /* column 0 is the key */
        }
        m = subq_set_next(ad->set, m);
    }
    return rs;
}

static const OpVTable app_vt = {
    .name = "appendcols",
    .local_new = app_local_new,
    .global_new = app_global_new,
    .sink = app_sink,
    .combine = app_combine,
    .merge = rowset_state_merge,
    .copy = rowset_state_copy,
    .finalize = app_finalize,
    .state_free = rowset_state_free,
};

Op *op_appendcols_new(Plan *p, const Plan *inner, const int *slots, int ncols, int override,
                      int max)
{
    AppData *ad = apr_pcalloc(p->pool, sizeof(*ad));
    ad->inner = inner;
    ad->slots = slots;
    ad->ncols = ncols;
    ad->override = override;
    ad->max = max;
    return op_new(p, &app_vt, ad);
}

const Plan *op_appendcols_inner(const Op *op)
{
    return op->vt == &app_vt ? ((const AppData *)op->data)->inner : NULL;
}

Op *op_appendcols_bind(apr_pool_t *pool, const Op *op, SubqSet *set, SubqOwner *owner)
{
    Op *c = apr_pmemdup(pool, op, sizeof(*op));
    AppData *ad = apr_pmemdup(pool, op->data, sizeof(AppData));
    ad->set = set;
    ad->owner = owner;
    c->data = ad;
    return c;
}
