/* op_sort.c -- sort and limit breakers: collect rows, order them, keep the first N
 *
 * sort orders by its key slots (filled by a fields operator the planner puts before it) with
 * the order of L3 (natural sort, numbers numerically, nulls last in both directions) and
 * breaks ties by input order, so the result is stable and the same for every thread count.
 * A sort followed by 'limit N' keeps N rows (op->limit); when N is small next to the row
 * count, a bounded max-heap picks them in O(rows log N) instead of sorting every row. The
 * comparison is total (input order breaks ties), so both ways give the same rows.
 *
 * limit without sort keeps the first N rows in input order: workers collect rows, finalize
 * orders them by their order keys and cuts.
 *
 * State: the rows collected (a RowSet with their order keys); combine and merge append, so
 * their order does not matter: finalize orders by keys and then by order key.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include "engine/exec/op.h"

typedef struct SortData {
    const int *key_slots;
    const int *desc;
    int nkeys;
} SortData;

typedef struct SortLocal {
    RowSet *rows; /* since the last combine (NULL: none yet) */
} SortLocal;

static OpLocal *collect_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    (void)op;
    (void)ctx;
    return apr_pcalloc(pool, sizeof(SortLocal));
}

static OpState *collect_global_new(const Op *op)
{
    return rowset_new(op->plan->nslots);
}

static void collect_sink(const Op *op, OpLocal *lp, Batch *b)
{
    SortLocal *l = lp;
    if (!l->rows)
        l->rows = rowset_new(op->plan->nslots);
    rowset_append_batch(l->rows, op->plan, b);
}

static void collect_combine(const Op *op, OpState *g, OpLocal *lp)
{
    (void)op;
    SortLocal *l = lp;
    if (l->rows)
        rowset_concat(g, l->rows);
    l->rows = NULL;
}

static void collect_merge(const Op *op, OpState *dst, OpState *src)
{
    (void)op;
    rowset_concat(dst, src);
}

static OpState *collect_copy(const Op *op, const OpState *g)
{
    (void)op;
    return rowset_copy(g);
}

static void collect_free(const Op *op, OpState *g)
{
    (void)op;
    rowset_free(g);
}

/* qsort_r context: the rows and the keys */
typedef struct SortCtx {
    const SortData *sd;
    const RowSet *rs;
} SortCtx;

static int cmp_rows(const void *a, const void *b, void *arg)
{
    const SortCtx *c = arg;
    size_t ra = *(const size_t *)a, rb = *(const size_t *)b;
    const Datum *da = &c->rs->data[ra * (size_t)c->rs->nslots];
    const Datum *db = &c->rs->data[rb * (size_t)c->rs->nslots];
    for (int k = 0; k < c->sd->nkeys; k++) {
        int s = c->sd->key_slots[k];
        const Datum *x = &da[s], *y = &db[s];
        /* nulls last in both directions */
        if (x->type == VT_NULL || y->type == VT_NULL) {
            if (x->type != y->type)
                return x->type == VT_NULL ? 1 : -1;
            continue;
        }
        int r = val_sort_cmp(x, y);
        if (r)
            return c->sd->desc[k] ? -r : r;
    }
    uint64_t oa = c->rs->order[ra], ob = c->rs->order[rb];
    return oa < ob ? -1 : oa > ob;
}

/* Reorders rs by the permutation perm and cuts it to at most keep rows. */
static RowSet *permute(RowSet *rs, const size_t *perm, size_t keep)
{
    RowSet *out = rowset_new(rs->nslots);
    if (keep > rs->nrows)
        keep = rs->nrows;
    for (size_t i = 0; i < keep; i++) {
        Datum *d = rowset_add_row(out, i);
        memcpy(d, &rs->data[perm[i] * (size_t)rs->nslots], sizeof(Datum) * (size_t)rs->nslots);
    }
    /* the strings stay in rs's pool: hand it over */
    rs->nrows = 0;
    rowset_concat(out, rs);
    return out;
}

/* Sifts perm[i] down the max-heap perm[0..n). */
static void heap_down(size_t *perm, size_t n, size_t i, SortCtx *c)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && cmp_rows(&perm[l], &perm[m], c) > 0)
            m = l;
        if (l + 1 < n && cmp_rows(&perm[l + 1], &perm[m], c) > 0)
            m = l + 1;
        if (m == i)
            return;
        size_t t = perm[i];
        perm[i] = perm[m];
        perm[m] = t;
        i = m;
    }
}

/* Leaves the keep smallest of perm[0..n) in perm[0..keep), unordered. */
static void top_n(size_t *perm, size_t n, size_t keep, SortCtx *c)
{
    for (size_t i = keep / 2; i-- > 0;)
        heap_down(perm, keep, i, c);
    for (size_t i = keep; i < n; i++) {
        if (cmp_rows(&perm[i], &perm[0], c) < 0) {
            perm[0] = perm[i];
            heap_down(perm, keep, 0, c);
        }
    }
}

static RowSet *sort_finalize(const Op *op, const OpCtx *ctx, OpState *g)
{
    (void)ctx;
    const SortData *sd = op->data;
    RowSet *rs = g;
    size_t *perm = malloc(sizeof(size_t) * (rs->nrows + 1));
    if (!perm)
        abort();
    for (size_t i = 0; i < rs->nrows; i++)
        perm[i] = i;
    SortCtx c = {sd, rs};
    size_t keep = op->limit >= 0 && (size_t)op->limit < rs->nrows ? (size_t)op->limit : rs->nrows;
    if (!op->tail && keep < rs->nrows / 8) {
        top_n(perm, rs->nrows, keep, &c);
        qsort_r(perm, keep, sizeof(size_t), cmp_rows, &c);
    } else {
        qsort_r(perm, rs->nrows, sizeof(size_t), cmp_rows, &c);
    }
    if (op->tail) /* 'tail N': the last N rows, still in order */
        memmove(perm, perm + (rs->nrows - keep), sizeof(size_t) * keep);
    RowSet *out = permute(rs, perm, keep);
    free(perm);
    return out;
}

static const OpVTable sort_vt = {
    .name = "sort",
    .local_new = collect_local_new,
    .global_new = collect_global_new,
    .sink = collect_sink,
    .combine = collect_combine,
    .merge = collect_merge,
    .copy = collect_copy,
    .finalize = sort_finalize,
    .state_free = collect_free,
};

static const OpVTable limit_vt = {
    .name = "limit",
    .local_new = collect_local_new,
    .global_new = collect_global_new,
    .sink = collect_sink,
    .combine = collect_combine,
    .merge = collect_merge,
    .copy = collect_copy,
    .finalize = sort_finalize, /* no keys: input order */
    .state_free = collect_free,
};

static SortData *sort_data(Plan *p, const int *key_slots, const int *desc, int n)
{
    SortData *sd = apr_pcalloc(p->pool, sizeof(*sd));
    sd->key_slots = key_slots;
    sd->desc = desc;
    sd->nkeys = n;
    return sd;
}

Op *op_sort_new(Plan *p, const int *key_slots, const int *desc, int n)
{
    return op_new(p, &sort_vt, sort_data(p, key_slots, desc, n));
}

Op *op_limit_new(Plan *p, int64_t n)
{
    Op *op = op_new(p, &limit_vt, sort_data(p, NULL, NULL, 0));
    op->limit = n;
    return op;
}
