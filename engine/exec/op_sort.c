/* op_sort.c -- sort and limit breakers: collect rows, order them, keep the first N
 *
 * sort orders by its key slots (filled by a fields operator the planner puts before it) with
 * the order of L3 (natural sort, numbers numerically, nulls last in both directions) and
 * breaks ties by input order, so the result is stable and the same for every thread count.
 * A sort followed by 'limit N' keeps N rows (op->limit); when N is small next to the row
 * count, a bounded max-heap picks them in O(rows log N) instead of sorting every row. The
 * comparison is total (input order breaks ties), so both ways give the same rows.
 *
 * limit without sort keeps the first N rows in input order (tail N: the last N): workers
 * collect rows, finalize orders them by their order keys and cuts.
 *
 * State: the rows collected (a RowSet with their order keys); combine and merge append, so
 * their order does not matter: finalize orders by keys and then by order key.
 *
 * Bounded state (issues 15, 21): with a limit of N no state holds more than
 * max(2N, HOLD_FLOOR) rows. A worker that reaches the bound keeps only its N best rows (the
 * smallest by the keys, then by order key; the largest for tail), copied into fresh storage
 * so the memory of the others goes back (rowset_keep); after such a cut a row no better than
 * the worst kept one is not copied at all. combine and merge cut both sides to N before the
 * bound would be passed, and copy copies a bounded state. The order is total (order keys
 * break every tie), so the N best of any split of the rows are the N best of all of them:
 * cutting early changes no output byte at any thread count, batch size or merge order.
 * Without a limit (sort alone) every row stays. LiqRunStats.rows_held tells the most rows a
 * state held at once.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "engine/exec/budget.h"
#include "engine/exec/op.h"
#include "engine/exec/spill.h"

typedef struct SortData {
    const int *key_slots;
    const int *desc;
    int nkeys;
} SortData;

/* qsort_r context: the rows and the keys; rev: the largest rows are the best (tail) */
typedef struct SortCtx {
    const SortData *sd;
    const RowSet *rs;
    int rev;
} SortCtx;

/* Key k of two rows: nulls last in both directions, then the sort order of L3. */
static int cmp_key(const SortData *sd, int k, const Datum *x, const Datum *y)
{
    if (x->type == VT_NULL || y->type == VT_NULL) {
        if (x->type != y->type)
            return x->type == VT_NULL ? 1 : -1;
        return 0;
    }
    int r = val_sort_cmp(x, y);
    return sd->desc[k] ? -r : r;
}

static int cmp_idx(size_t ra, size_t rb, const SortCtx *c)
{
    const Datum *da = &c->rs->data[ra * (size_t)c->rs->nslots];
    const Datum *db = &c->rs->data[rb * (size_t)c->rs->nslots];
    for (int k = 0; k < c->sd->nkeys; k++) {
        int s = c->sd->key_slots[k];
        int r = cmp_key(c->sd, k, &da[s], &db[s]);
        if (r)
            return r;
    }
    uint64_t oa = c->rs->order[ra], ob = c->rs->order[rb];
    return oa < ob ? -1 : oa > ob;
}

static int cmp_rows(const void *a, const void *b, void *arg)
{
    return cmp_idx(*(const size_t *)a, *(const size_t *)b, arg);
}

/* cmp_rows, reversed for rev: negative when a is the better row */
static int cmp_best(const size_t *a, const size_t *b, const SortCtx *c)
{
    int r = cmp_idx(*a, *b, c);
    return c->rev ? -r : r;
}

/* Sifts perm[i] down the heap perm[0..n) whose root is the worst row. */
static void heap_down(size_t *perm, size_t n, size_t i, const SortCtx *c)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && cmp_best(&perm[l], &perm[m], c) > 0)
            m = l;
        if (l + 1 < n && cmp_best(&perm[l + 1], &perm[m], c) > 0)
            m = l + 1;
        if (m == i)
            return;
        size_t t = perm[i];
        perm[i] = perm[m];
        perm[m] = t;
        i = m;
    }
}

/* Leaves the keep best of perm[0..n) in perm[0..keep), unordered but for the worst of them
 * first (keep >= 1). */
static void top_n(size_t *perm, size_t n, size_t keep, const SortCtx *c)
{
    for (size_t i = keep / 2; i-- > 0;)
        heap_down(perm, keep, i, c);
    for (size_t i = keep; i < n; i++) {
        if (cmp_best(&perm[i], &perm[0], c) < 0) {
            perm[0] = perm[i];
            heap_down(perm, keep, 0, c);
        }
    }
}

/* The bound on the rows a state of op holds (issues 15, 21): with a limit of N (sort | limit
 * N, limit N, tail N) a state that reaches max(2N, HOLD_FLOOR) rows is cut to its N best, so
 * memory grows with the result, never with the input; SIZE_MAX: no limit, every row stays. */
enum { HOLD_FLOOR = 1024 };

static size_t hold_keep(const Op *op)
{
    return op->limit >= 0 && (uint64_t)op->limit < SIZE_MAX / 4 ? (size_t)op->limit : SIZE_MAX;
}

static size_t hold_bound(const Op *op)
{
    size_t keep = hold_keep(op);
    if (keep == SIZE_MAX)
        return SIZE_MAX;
    return 2 * keep > HOLD_FLOOR ? 2 * keep : HOLD_FLOOR;
}

/* Cuts rs to its keep best rows (by the keys, then input order; the last ones for tail) in
 * fresh storage, and returns the index of the worst of them (SIZE_MAX: none). Which rows are
 * the best does not depend on how rows were split between states, since the order is total:
 * cutting early gives the rows finalize would pick from all of them. */
static size_t prune(const Op *op, RowSet *rs, size_t keep)
{
    if (rs->nrows <= keep)
        return SIZE_MAX;
    if (keep == 0) {
        rowset_keep(rs, NULL, 0);
        return SIZE_MAX;
    }
    size_t *perm = mem_alloc(sizeof(size_t) * rs->nrows);
    for (size_t i = 0; i < rs->nrows; i++)
        perm[i] = i;
    SortCtx c = {op->data, rs, op->tail};
    top_n(perm, rs->nrows, keep, &c);
    rowset_keep(rs, perm, keep); /* the worst first: it lands at row 0 */
    free(perm);
    return 0;
}

typedef struct SortLocal {
    RowSet *rows;      /* since the last combine (NULL: none yet) */
    size_t worst;      /* after a prune: the worst row kept (rows no better need not come
                        * in); SIZE_MAX: none */
    const OpCtx *ctx;  /* its rows_held */
} SortLocal;

/* Records that a state held n rows (LiqRunStats.rows_held). */
static void note_held(const OpCtx *ctx, size_t n)
{
    if (!ctx || !ctx->rows_held)
        return;
    uint64_t cur = atomic_load_explicit(ctx->rows_held, memory_order_relaxed);
    while (n > cur && !atomic_compare_exchange_weak_explicit(ctx->rows_held, &cur, (uint64_t)n,
                                                             memory_order_relaxed,
                                                             memory_order_relaxed))
        ;
}

/* ===== Spilling (sort without limit, spill.h) ===== */

/* Writes rs's rows, sorted, as a run of its spill file and empties rs (its charge released):
 * the rows of a sort without limit that would pass half the memory limit. */
static void spill_rows(const Op *op, RowSet *rs, Budget *b)
{
    if (!rs->nrows)
        return;
    size_t *perm = mem_alloc(sizeof(size_t) * rs->nrows);
    for (size_t i = 0; i < rs->nrows; i++)
        perm[i] = i;
    SortCtx c = {op->data, rs, 0};
    qsort_r(perm, rs->nrows, sizeof(size_t), cmp_rows, &c);
    LiqBuf out = {0};
    for (size_t i = 0; i < rs->nrows; i++)
        spill_put_row(&out, &rs->data[perm[i] * (size_t)rs->nslots], rs->nslots,
                      rs->order[perm[i]]);
    free(perm);
    spill_runs_write(&rs->runs, b, &out, rs->nrows); /* fails: the run stops (budget_fail) */
    buf_free(&out);
    rowset_clear(rs);
    budget_track(b, &rs->charged, (int64_t)rowset_bytes(rs), op->vt->name);
}

/* Is op a sort that keeps every row (the one state of this file that spills)? */
static int spills(const Op *op)
{
    return op->limit < 0 && !op->tail && op->data && ((const SortData *)op->data)->nkeys > 0;
}

/* The rows of a sort state (consumed): its runs (when it spilled) and its rows in memory,
 * sorted, merged and handed on in chunks by the stream of an empty row set: the sorted result
 * is never a second copy of the rows. */
static RowSet *merge_runs(const Op *op, const OpCtx *ctx, RowSet *rs)
{
    const SortData *sd = op->data;
    size_t *perm = mem_alloc(sizeof(size_t) * (rs->nrows + 1));
    for (size_t i = 0; i < rs->nrows; i++)
        perm[i] = i;
    SortCtx sc = {sd, rs, 0};
    qsort_r(perm, rs->nrows, sizeof(size_t), cmp_rows, &sc);
    SpillOrder ord = {sd->key_slots, sd->desc, sd->nkeys};
    RowSet *out = rowset_new(rs->nslots);
    out->stream = spill_merge_new(rs, perm, &ord, ctx ? ctx->mem : NULL, op->vt->name, 1);
    return out;
}

static OpLocal *collect_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    (void)op;
    SortLocal *l = apr_pcalloc(pool, sizeof(SortLocal));
    l->worst = SIZE_MAX;
    l->ctx = ctx;
    return l;
}

static OpState *collect_global_new(const Op *op)
{
    return rowset_new(op->plan->nslots);
}

/* Could row of b be among the best rows, next to l's worst kept row? (Ties, only possible when
 * order keys repeat, come in.) */
static int may_enter(const Op *op, const SortLocal *l, const Batch *b, uint32_t row)
{
    const SortData *sd = op->data;
    const RowSet *rs = l->rows;
    const Datum *w = &rs->data[l->worst * (size_t)rs->nslots];
    int r = 0;
    for (int k = 0; k < sd->nkeys && !r; k++) {
        int s = sd->key_slots[k];
        const Vec *v = &b->cols[s];
        Datum null = val_null();
        r = cmp_key(sd, k, v->loaded ? VGET(v, row) : &null, &w[s]);
    }
    if (!r) {
        uint64_t o = batch_order(b, row), wo = rs->order[l->worst];
        r = o < wo ? -1 : o > wo;
    }
    return op->tail ? r >= 0 : r <= 0;
}

static void collect_sink(const Op *op, OpLocal *lp, Batch *b)
{
    SortLocal *l = lp;
    size_t keep = hold_keep(op), bound = hold_bound(op);
    if (keep == 0 || b->nsel == 0)
        return;
    if (!l->rows)
        l->rows = rowset_new(op->plan->nslots);
    if (bound == SIZE_MAX) {
        rowset_append_batch(l->rows, op->plan, b);
        note_held(l->ctx, l->rows->nrows);
        if (spills(op) &&
            !budget_room(l->ctx->mem, (int64_t)rowset_bytes(l->rows) - l->rows->charged, 2))
            spill_rows(op, l->rows, l->ctx->mem);
        budget_track(l->ctx->mem, &l->rows->charged, (int64_t)rowset_bytes(l->rows),
                     op->vt->name);
        return;
    }
    rowset_load_batch(op->plan, b);
    const SelIdx *rows = b->sel;
    size_t n = b->nsel;
    if (l->worst != SIZE_MAX) { /* only rows that may be among the best */
        SelIdx *in = apr_palloc(b->pool, sizeof(SelIdx) * n);
        size_t m = 0;
        for (size_t k = 0; k < n; k++)
            if (may_enter(op, l, b, b->sel[k]))
                in[m++] = b->sel[k];
        rows = in;
        n = m;
    }
    while (n > 0) { /* never more than bound rows (bound > keep) */
        if (l->rows->nrows >= bound)
            l->worst = prune(op, l->rows, keep);
        size_t take = bound - l->rows->nrows;
        if (take > n)
            take = n;
        rowset_append_rows(l->rows, b, rows, take);
        rows += take;
        n -= take;
        note_held(l->ctx, l->rows->nrows);
    }
    budget_track(l->ctx->mem, &l->rows->charged, (int64_t)rowset_bytes(l->rows), op->vt->name);
}

/* src's rows into dst, src cut to its best first, and dst too when both would not fit in the
 * bound: dst never holds more than bound rows. */
static void bounded_concat(const Op *op, RowSet *dst, RowSet *src, const OpCtx *ctx)
{
    size_t keep = hold_keep(op), bound = hold_bound(op);
    if (ctx && spills(op) && !budget_room(ctx->mem, 0, 2))
        spill_rows(op, src, ctx->mem); /* past half the limit: its rows go to a run */
    prune(op, src, keep);
    if (bound != SIZE_MAX && dst->nrows + src->nrows > bound)
        prune(op, dst, keep);
    int64_t was = dst->charged + src->charged; /* the two charges become dst's */
    rowset_concat(dst, src);
    note_held(ctx, dst->nrows);
    if (ctx) {
        dst->charged = was;
        budget_track(ctx->mem, &dst->charged, (int64_t)rowset_bytes(dst), op->vt->name);
    }
}

static void collect_combine(const Op *op, OpState *g, OpLocal *lp)
{
    SortLocal *l = lp;
    if (l->rows)
        bounded_concat(op, g, l->rows, l->ctx);
    l->rows = NULL;
    l->worst = SIZE_MAX;
}

static void collect_merge(const Op *op, OpState *dst, OpState *src)
{
    bounded_concat(op, dst, src, NULL);
}

static RowSet *sort_finalize(const Op *op, const OpCtx *ctx, OpState *g)
{
    const SortData *sd = op->data;
    RowSet *rs = g;
    if ((rs->runs && rs->runs->n) || (spills(op) && rs->nrows > LIQ_VEC_SIZE))
        return merge_runs(op, ctx, rs); /* spilled, or many rows: no sorted copy beside them */
    size_t *perm = mem_alloc(sizeof(size_t) * (rs->nrows + 1));
    for (size_t i = 0; i < rs->nrows; i++)
        perm[i] = i;
    SortCtx c = {sd, rs, 0};
    size_t keep = op->limit >= 0 && (size_t)op->limit < rs->nrows ? (size_t)op->limit : rs->nrows;
    if (!op->tail && keep < rs->nrows / 8) {
        top_n(perm, rs->nrows, keep, &c);
        qsort_r(perm, keep, sizeof(size_t), cmp_rows, &c);
    } else {
        qsort_r(perm, rs->nrows, sizeof(size_t), cmp_rows, &c);
    }
    if (op->tail) /* 'tail N': the last N rows, still in order */
        memmove(perm, perm + (rs->nrows - keep), sizeof(size_t) * keep);
    int64_t charged = rs->charged;
    RowSet *out = rowset_permute(rs, perm, keep);
    free(perm);
    rowset_charge(out, ctx, charged, op->vt->name);
    return out;
}

static const OpVTable sort_vt = {
    .name = "sort",
    .local_new = collect_local_new,
    .global_new = collect_global_new,
    .sink = collect_sink,
    .combine = collect_combine,
    .merge = collect_merge,
    .copy = rowset_state_copy,
    .finalize = sort_finalize,
    .state_free = rowset_state_free,
    .save = rowset_state_save,
    .load = rowset_state_load,
};

static const OpVTable limit_vt = {
    .name = "limit",
    .local_new = collect_local_new,
    .global_new = collect_global_new,
    .sink = collect_sink,
    .combine = collect_combine,
    .merge = collect_merge,
    .copy = rowset_state_copy,
    .finalize = sort_finalize, /* no keys: input order */
    .state_free = rowset_state_free,
    .save = rowset_state_save,
    .load = rowset_state_load,
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
