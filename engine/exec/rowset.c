/* rowset.c -- materialised rows between pipelines (see op.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "engine/data/jdom.h"
#include "engine/exec/budget.h"
#include "engine/exec/op.h"
#include "engine/exec/spill.h"

RowSet *rowset_new(int nslots)
{
    RowSet *rs = mem_calloc(1, sizeof(*rs));
    rs->nslots = nslots;
    apr_pool_create(&rs->pool, NULL);
    return rs;
}

void rowset_free(RowSet *rs)
{
    if (!rs)
        return;
    spill_runs_free(rs->runs);
    if (rs->stream)
        rs->stream->free(rs->stream);
    free(rs->data);
    free(rs->order);
    apr_pool_destroy(rs->pool);
    free(rs);
}

Datum *rowset_add_row(RowSet *rs, uint64_t order)
{
    if (rs->nrows == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 64;
        Datum *d = mem_realloc(rs->data, sizeof(Datum) * cap * (size_t)(rs->nslots ? rs->nslots : 1));
        uint64_t *o = mem_realloc(rs->order, sizeof(uint64_t) * cap);
        rs->data = d;
        rs->order = o;
        rs->cap = cap;
    }
    rs->order[rs->nrows] = order;
    return &rs->data[rs->nrows++ * (size_t)rs->nslots];
}

/* A copy of d whose bytes live in pool (values that point into input buffers must outlive
 * the batch). Input numbers keep their text. */
Datum datum_copy(apr_pool_t *pool, const Datum *d)
{
    Datum c = *d;
    if (d->type == VT_JSON) {
        c.v.p = jdom_copy(pool, d->v.p);
        return c;
    }
    if (d->s && d->len) {
        char *s = apr_palloc(pool, d->len);
        memcpy(s, d->s, d->len);
        c.s = s;
    }
    return c;
}

/* datum_copy into rs's pool, counted in rs->sbytes */
static Datum rs_copy(RowSet *rs, const Datum *d)
{
    rs->sbytes += d->len;
    return datum_copy(rs->pool, d);
}

size_t rowset_bytes(const RowSet *rs)
{
    return rs->cap * (sizeof(Datum) * (size_t)rs->nslots + sizeof(uint64_t)) + rs->sbytes;
}

void rowset_charge(RowSet *out, const OpCtx *ctx, int64_t state_charged, const char *who)
{
    if (!ctx || !ctx->mem)
        return;
    budget_track(ctx->mem, &out->charged, (int64_t)rowset_bytes(out), who);
    budget_charge(ctx->mem, -state_charged, NULL);
}

void rowset_track(RowSet *rs, const OpCtx *ctx, const char *who)
{
    if (ctx && ctx->mem)
        budget_track(ctx->mem, &rs->charged, (int64_t)rowset_bytes(rs), who);
}

void rowset_concat_charged(RowSet *dst, RowSet *src, const OpCtx *ctx, const char *who)
{
    int64_t was = dst->charged + src->charged;
    rowset_concat(dst, src);
    dst->charged = was;
    rowset_track(dst, ctx, who);
}

void rowset_clear(RowSet *rs)
{
    free(rs->data);
    free(rs->order);
    rs->data = NULL;
    rs->order = NULL;
    rs->nrows = rs->cap = 0;
    rs->sbytes = 0;
    apr_pool_destroy(rs->pool);
    apr_pool_create(&rs->pool, NULL);
}

size_t rowset_refill(RowSet *rs)
{
    if (!rs->stream)
        return 0;
    rs->nrows = 0;
    rs->sbytes = 0;
    apr_pool_clear(rs->pool);
    size_t n = rs->stream->fill(rs->stream, rs);
    if (!n) {
        rs->stream->free(rs->stream);
        rs->stream = NULL;
    }
    return n;
}

RowSet *rowset_copy(const RowSet *rs)
{
    RowSet *c = rowset_new(rs->nslots);
    c->runs = spill_runs_copy(rs->runs);
    for (size_t r = 0; r < rs->nrows; r++) {
        Datum *d = rowset_add_row(c, rs->order[r]);
        const Datum *s = &rs->data[r * (size_t)rs->nslots];
        for (int k = 0; k < rs->nslots; k++)
            d[k] = rs_copy(c, &s[k]);
    }
    return c;
}

void rowset_load_batch(const Plan *p, Batch *b)
{
    int *inputs = apr_palloc(b->pool, sizeof(int) * (size_t)(p->nslots + 1));
    int n = 0;
    for (int s = 0; s < p->nslots; s++)
        if (p->slots[s].kind == SLOT_INPUT)
            inputs[n++] = s;
    dec_load(p, b, inputs, n);
}

void rowset_append_rows(RowSet *rs, const Batch *b, const SelIdx *rows, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        uint32_t row = rows[k];
        Datum *dst = rowset_add_row(rs, batch_order(b, row));
        for (int s = 0; s < rs->nslots; s++) {
            const Vec *v = &b->cols[s];
            dst[s] = v->loaded ? rs_copy(rs, VGET(v, row)) : val_null();
        }
    }
}

void rowset_append_batch(RowSet *rs, const Plan *p, Batch *b)
{
    rowset_load_batch(p, b);
    rowset_append_rows(rs, b, b->sel, b->nsel);
}

void rowset_keep(RowSet *rs, const size_t *rows, size_t n)
{
    RowSet *k = rowset_new(rs->nslots);
    for (size_t i = 0; i < n; i++) {
        Datum *d = rowset_add_row(k, rs->order[rows[i]]);
        const Datum *s = &rs->data[rows[i] * (size_t)rs->nslots];
        for (int j = 0; j < rs->nslots; j++)
            d[j] = rs_copy(k, &s[j]);
    }
    RowSet old = *rs; /* rs takes the fresh storage; k, the old, goes */
    k->charged = rs->charged;
    k->runs = rs->runs;
    old.runs = NULL;
    *rs = *k;
    *k = old;
    rowset_free(k);
}

/* Moves src's rows to the end of dst; src's strings move by making src's pool a child-owned
 * resource of dst (the pool is kept alive until dst is freed). */
static apr_status_t free_pool(void *p)
{
    apr_pool_destroy(p);
    return APR_SUCCESS;
}

void rowset_concat(RowSet *dst, RowSet *src)
{
    for (size_t r = 0; r < src->nrows; r++) {
        Datum *d = rowset_add_row(dst, src->order[r]);
        memcpy(d, &src->data[r * (size_t)src->nslots], sizeof(Datum) * (size_t)src->nslots);
    }
    dst->sbytes += src->sbytes;
    spill_runs_move(&dst->runs, src->runs);
    src->runs = NULL;
    apr_pool_cleanup_register(dst->pool, src->pool, free_pool, apr_pool_cleanup_null);
    free(src->data);
    free(src->order);
    free(src);
}

/* ===== Row sets as breaker states ===== */

void rowset_state_merge(const Op *op, OpState *dst, OpState *src)
{
    (void)op;
    rowset_concat(dst, src);
}

OpState *rowset_state_copy(const Op *op, const OpState *g)
{
    (void)op;
    return rowset_copy(g);
}

void rowset_state_free(const Op *op, OpState *g)
{
    (void)op;
    rowset_free(g);
}

/* qsort_r: by order key, then position */
static int cmp_order(const void *a, const void *b, void *arg)
{
    const RowSet *rs = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (rs->order[x] != rs->order[y])
        return rs->order[x] < rs->order[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

RowSet *rowset_permute(RowSet *rs, const size_t *perm, size_t keep)
{
    RowSet *out = rowset_new(rs->nslots);
    if (keep > rs->nrows)
        keep = rs->nrows;
    for (size_t i = 0; i < keep; i++) {
        Datum *d = rowset_add_row(out, i); /* order keys renumbered 0, 1, ... */
        memcpy(d, &rs->data[perm[i] * (size_t)rs->nslots], sizeof(Datum) * (size_t)rs->nslots);
    }
    /* the strings stay in rs's pool: hand it over */
    rs->nrows = 0;
    rowset_concat(out, rs);
    return out;
}

RowSet *rowset_in_order(RowSet *rs)
{
    size_t *perm = mem_alloc(sizeof(size_t) * (rs->nrows + 1));
    for (size_t i = 0; i < rs->nrows; i++)
        perm[i] = i;
    qsort_r(perm, rs->nrows, sizeof(size_t), cmp_order, rs);
    RowSet *out = rowset_permute(rs, perm, rs->nrows);
    free(perm);
    return out;
}
