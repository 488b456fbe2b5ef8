/* op_dedup.c -- dedup breaker: the first row of each distinct key combination
 *
 * "First" is by input order (L1: dedup keeps the first row in the current order), whatever
 * thread saw the row: each worker keeps, per key, the earliest row it saw (rows reach a worker
 * in increasing order), and the merge keeps the row with the smaller order key. Rows with a
 * null in any key are never duplicates and are all kept (§3.8). The result is in input order.
 * Keys are equal as L5's '=' says (200, "200", 200.0 and 2e2 are one key), and a number key
 * prints in its shortest form (200), as stats groups do.
 *
 * State: a DedupSet (the kept rows, indexed by key). combine and merge offer the rows of one
 * set to another, keeping per key the row with the smaller order key: the same rows whatever
 * the order of merging.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "engine/exec/budget.h"
#include "engine/exec/op.h"

typedef struct DedupSet {
    RowSet *rows;
    uint32_t *index; /* open addressing: row number + 1; 0 empty */
    uint64_t *hashes;
    size_t mask, nkeyed;
    int64_t charged; /* what the set charged its run's budget */
    size_t hcap;     /* hashes allocated */
} DedupSet;

/* The heap a set holds, about: its rows, index and hashes. */
static int64_t set_bytes(const DedupSet *s)
{
    return (int64_t)(rowset_bytes(s->rows) + (s->mask + 1) * sizeof(uint32_t) +
                     s->rows->cap * sizeof(uint64_t));
}

typedef struct DedupData {
    const int *keys;
    int nkeys;
} DedupData;

static DedupSet *set_new(int nslots)
{
    DedupSet *s = mem_calloc(1, sizeof(*s));
    s->rows = rowset_new(nslots);
    s->mask = 255;
    s->index = mem_calloc(s->mask + 1, sizeof(uint32_t));
    return s;
}

static void set_free(DedupSet *s)
{
    if (!s)
        return;
    rowset_free(s->rows);
    free(s->index);
    free(s->hashes);
    free(s);
}

static uint64_t key_hash(const DedupData *dd, const Datum *row, int *has_null)
{
    uint64_t h = 0x51ED27EF1A2B3C4DULL;
    *has_null = 0;
    for (int k = 0; k < dd->nkeys; k++) {
        const Datum *d = &row[dd->keys[k]];
        if (d->type == VT_NULL)
            *has_null = 1;
        h = (h ^ val_hash(d)) * 0x9E3779B97F4A7C15ULL;
    }
    return h;
}

static int same_key(const DedupData *dd, const Datum *a, const Datum *b)
{
    for (int k = 0; k < dd->nkeys; k++)
        if (!val_equal_key(&a[dd->keys[k]], &b[dd->keys[k]]))
            return 0;
    return 1;
}

static void set_grow(DedupSet *s)
{
    size_t mask = s->mask * 2 + 1;
    uint32_t *index = mem_calloc(mask + 1, sizeof(uint32_t));
    for (size_t i = 0; i <= s->mask; i++) {
        if (!s->index[i])
            continue;
        size_t j = s->hashes[s->index[i] - 1] & mask;
        while (index[j])
            j = (j + 1) & mask;
        index[j] = s->index[i];
    }
    free(s->index);
    s->index = index;
    s->mask = mask;
}

/* Offers row (order key `order`) to the set: added when its key is new or null, replacing
 * the kept row when this one comes earlier. Returns the set's row it wrote, or SIZE_MAX. The
 * row's strings stay where they are (the caller copies what it must keep). */
static size_t set_offer(DedupSet *s, const DedupData *dd, const Datum *row, uint64_t order)
{
    RowSet *rs = s->rows;
    int nulls;
    uint64_t h = key_hash(dd, row, &nulls);
    size_t i = h & s->mask;
    if (!nulls) {
        while (s->index[i]) {
            size_t r = s->index[i] - 1;
            if (s->hashes[r] == h && same_key(dd, &rs->data[r * (size_t)rs->nslots], row)) {
                if (order < rs->order[r]) {
                    memcpy(&rs->data[r * (size_t)rs->nslots], row,
                           sizeof(Datum) * (size_t)rs->nslots);
                    rs->order[r] = order;
                    return r;
                }
                return SIZE_MAX;
            }
            i = (i + 1) & s->mask;
        }
    }
    size_t r = rs->nrows;
    Datum *d = rowset_add_row(rs, order);
    memcpy(d, row, sizeof(Datum) * (size_t)rs->nslots);
    if (s->hcap < rs->cap) { /* the hashes grow with the rows */
        s->hashes = mem_realloc(s->hashes, sizeof(uint64_t) * rs->cap);
        s->hcap = rs->cap;
    }
    s->hashes[r] = h;
    if (!nulls) {
        s->index[i] = (uint32_t)(r + 1);
        if (++s->nkeyed * 2 > s->mask)
            set_grow(s);
    }
    return r;
}


typedef struct DedupLocal {
    DedupSet *set; /* since the last combine (NULL: none yet) */
    const OpCtx *ctx; /* its memory budget */
} DedupLocal;

static OpLocal *dedup_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    (void)op;
    DedupLocal *l = apr_pcalloc(pool, sizeof(DedupLocal));
    l->ctx = ctx;
    return l;
}

static OpState *dedup_global_new(const Op *op)
{
    return set_new(op->plan->nslots);
}

static void dedup_sink(const Op *op, OpLocal *lp, Batch *b)
{
    const DedupData *dd = op->data;
    DedupLocal *l = lp;
    if (!l->set)
        l->set = set_new(op->plan->nslots);
    /* each row offered as a view of the batch's columns; the strings of a row the set takes
     * (a new key, an earlier row) are copied into its pool then: the set holds the strings of
     * its rows only, not of every row it saw */
    rowset_load_batch(op->plan, b);
    int nslots = op->plan->nslots;
    Datum *row = apr_palloc(b->pool, sizeof(Datum) * (size_t)(nslots + 1));
    RowSet *rs = l->set->rows;
    for (uint32_t i = 0; i < b->nsel; i++) {
        SelIdx r = b->sel[i];
        for (int k = 0; k < nslots; k++)
            row[k] = b->cols[k].loaded ? *VGET(&b->cols[k], r) : val_null();
        size_t w = set_offer(l->set, dd, row, batch_order(b, r));
        if (w == SIZE_MAX)
            continue;
        Datum *d = &rs->data[w * (size_t)nslots];
        for (int k = 0; k < nslots; k++) {
            rs->sbytes += d[k].len;
            d[k] = datum_copy(rs->pool, &d[k]);
        }
    }
    budget_track(l->ctx->mem, &l->set->charged, set_bytes(l->set), "dedup");
}

/* Offers the rows of src to dst, then frees src (its strings live on with dst). */
static void set_merge(DedupSet *dst, const DedupData *dd, DedupSet *src)
{
    if (dst->rows->nrows == 0) { /* nothing to offer to: take src's contents */
        DedupSet tmp = *dst;
        *dst = *src;
        *src = tmp;
    }
    RowSet *rs = src->rows;
    for (size_t r = 0; r < rs->nrows; r++)
        set_offer(dst, dd, &rs->data[r * (size_t)rs->nslots], rs->order[r]);
    src->rows = NULL;
    rs->nrows = 0;
    rowset_concat(dst->rows, rs);
    set_free(src);
}

static void dedup_combine(const Op *op, OpState *g, OpLocal *lp)
{
    DedupLocal *l = lp;
    DedupSet *s = g;
    if (l->set) { /* the two charges become the merged set's */
        int64_t was = s->charged + l->set->charged;
        set_merge(s, op->data, l->set);
        s->charged = was;
        budget_track(l->ctx->mem, &s->charged, set_bytes(s), "dedup");
    }
    l->set = NULL;
}

static void dedup_merge(const Op *op, OpState *dst, OpState *src)
{
    set_merge(dst, op->data, src);
}

static OpState *dedup_copy(const Op *op, const OpState *g)
{
    (void)op;
    const DedupSet *s = g;
    DedupSet *c = mem_calloc(1, sizeof(*c));
    c->rows = rowset_copy(s->rows);
    c->mask = s->mask;
    c->nkeyed = s->nkeyed;
    c->index = mem_alloc(sizeof(uint32_t) * (s->mask + 1));
    c->hashes = mem_alloc(sizeof(uint64_t) * (c->rows->cap + 1));
    c->hcap = c->rows->cap + 1;
    memcpy(c->index, s->index, sizeof(uint32_t) * (s->mask + 1));
    if (s->rows->nrows)
        memcpy(c->hashes, s->hashes, sizeof(uint64_t) * s->rows->nrows);
    return c;
}

static void dedup_state_free(const Op *op, OpState *g)
{
    (void)op;
    set_free(g);
}

static int cmp_order(const void *a, const void *b, void *arg)
{
    const RowSet *rs = arg;
    uint64_t x = rs->order[*(const size_t *)a], y = rs->order[*(const size_t *)b];
    return x < y ? -1 : x > y;
}

/* The rows of a large set in chunks, in input order (no copy of them beside the set). */
typedef struct DedupStream {
    RowStream base;
    DedupSet *s;
    const DedupData *dd;
    size_t *perm;
    size_t at;
    Budget *b;
} DedupStream;

static size_t dedup_fill(RowStream *st, RowSet *out)
{
    DedupStream *ds = (DedupStream *)st;
    const RowSet *rs = ds->s->rows;
    size_t n = 0;
    for (; ds->at < rs->nrows && n < LIQ_VEC_SIZE; ds->at++, n++) {
        size_t r = ds->perm[ds->at];
        Datum *d = rowset_add_row(out, rs->order[r]);
        memcpy(d, &rs->data[r * (size_t)rs->nslots], sizeof(Datum) * (size_t)rs->nslots);
        for (int k = 0; k < ds->dd->nkeys; k++) { /* a number key in its shortest form (L5) */
            char kb[64];
            Datum *kd = &d[ds->dd->keys[k]];
            Datum kf = val_key_form(kd, kb, sizeof(kb));
            *kd = kf.s == kb ? datum_copy(out->pool, &kf) : kf;
        }
    }
    return n;
}

static void dedup_stream_free(RowStream *st)
{
    DedupStream *ds = (DedupStream *)st;
    budget_charge(ds->b, -ds->s->charged, NULL);
    set_free(ds->s);
    free(ds->perm);
    free(ds);
}

static RowSet *dedup_finalize(const Op *op, const OpCtx *ctx, OpState *g)
{
    DedupSet *s = g;
    RowSet *rs = s->rows;
    size_t *perm = mem_alloc(sizeof(size_t) * (rs->nrows + 1));
    for (size_t i = 0; i < rs->nrows; i++)
        perm[i] = i;
    qsort_r(perm, rs->nrows, sizeof(size_t), cmp_order, rs);
    RowSet *out = rowset_new(rs->nslots);
    const DedupData *dd = op->data;
    if (rs->nrows > LIQ_VEC_SIZE) { /* many rows: handed on in chunks, from the set */
        DedupStream *ds = mem_calloc(1, sizeof(*ds));
        ds->base.fill = dedup_fill;
        ds->base.free = dedup_stream_free;
        ds->base.total = rs->nrows;
        ds->s = s;
        ds->dd = dd;
        ds->perm = perm;
        ds->b = ctx ? ctx->mem : NULL;
        out->stream = &ds->base;
        return out;
    }
    for (size_t i = 0; i < rs->nrows; i++) {
        Datum *d = rowset_add_row(out, rs->order[perm[i]]);
        memcpy(d, &rs->data[perm[i] * (size_t)rs->nslots], sizeof(Datum) * (size_t)rs->nslots);
        for (int k = 0; k < dd->nkeys; k++) { /* a number key in its shortest form (L5) */
            char kb[64];
            Datum *kd = &d[dd->keys[k]];
            Datum kf = val_key_form(kd, kb, sizeof(kb));
            *kd = kf.s == kb ? datum_copy(out->pool, &kf) : kf;
        }
    }
    free(perm);
    rowset_charge(out, ctx, s->charged, "dedup");
    s->rows = NULL;
    rs->nrows = 0;
    rowset_concat(out, rs); /* the strings stay alive with out */
    set_free(s);
    return out;
}

/* Partial results (partial.h, issue 16): the rows a copy of the set finalizes into (its spilled
 * rows too), with their order keys; loaded, they are offered to a new set as a worker's rows
 * are (per key the earliest row stays, also when bytes from elsewhere repeat a key). */
static OpState *dedup_load(const Op *op, const char *p, size_t n)
{
    RowSet *in = rowset_state_load(op, p, n);
    if (!in)
        return NULL;
    DedupSet *s = set_new(op->plan->nslots);
    for (size_t r = 0; r < in->nrows; r++) {
        size_t w = set_offer(s, op->data, &in->data[r * (size_t)in->nslots], in->order[r]);
        if (w == SIZE_MAX)
            continue;
        RowSet *rs = s->rows;
        Datum *d = &rs->data[w * (size_t)rs->nslots];
        for (int k = 0; k < rs->nslots; k++) {
            rs->sbytes += d[k].len;
            d[k] = datum_copy(rs->pool, &d[k]);
        }
    }
    rowset_free(in);
    return s;
}

static const OpVTable dedup_vt = {
    .name = "dedup",
    .local_new = dedup_local_new,
    .global_new = dedup_global_new,
    .sink = dedup_sink,
    .combine = dedup_combine,
    .merge = dedup_merge,
    .copy = dedup_copy,
    .finalize = dedup_finalize,
    .state_free = dedup_state_free,
    .save = rowset_result_save,
    .load = dedup_load,
};

Op *op_dedup_new(Plan *p, const int *key_slots, int nkeys)
{
    DedupData *dd = apr_pcalloc(p->pool, sizeof(*dd));
    dd->keys = key_slots;
    dd->nkeys = nkeys;
    return op_new(p, &dedup_vt, dd);
}
