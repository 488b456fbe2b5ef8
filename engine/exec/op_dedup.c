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
 * Memory (issue 15, docs/memory.md): a set charges its run's budget with what it holds: the
 * row arrays at their capacity, hashes, index, and the strings and JSON values copied into its
 * pool at their allocated size; combine charges the room a merge grows into before it grows.
 * A set that would pass half the limit spills: its rows go to 16 partition files by 4 bits of
 * their key hash (every row of a key in one partition), rows with a null key (all kept) to a
 * run sorted by order key, and the set goes on empty; a merge that would not fit spills the
 * worker's set instead. Finalize of a spilled set reads one partition at a time into a set of
 * its own (the same offers: per key the earliest row), spilling it by the next 4 bits when it
 * still passes a quarter of the limit; each partition's rows, sorted by order key, become one
 * run, and a merge of the runs by order key (spill_merge_new) gives the rows of the in-memory
 * result, in its order, in chunks.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "engine/exec/budget.h"
#include "engine/exec/op.h"
#include "engine/exec/spill.h"

enum { NPART = 16, NLEVEL = 16 }; /* 16 partitions by 4 bits of the hash, 64 bits in all */

typedef struct DedupSet {
    RowSet *rows;
    uint32_t *index; /* open addressing: row number + 1; 0 empty */
    uint64_t *hashes;
    size_t mask, nkeyed;
    int64_t charged; /* what the set charged its run's budget */
    size_t hcap;     /* hashes allocated */
    int64_t pbytes;  /* what the strings and JSON values copied into rows->pool take */
    int level;       /* partitions by bits 60 - 4 * level ... of the hash */
    SpillRuns *part[NPART]; /* rows spilled by their hash (NULL: none) */
    SpillRuns *nulls;       /* rows with a null key spilled, runs sorted by order key */
} DedupSet;

typedef struct DedupData {
    const int *keys;
    int nkeys;
} DedupData;

/* A pool's own bytes beside what it hands out: an 8 KiB block per 8 KiB, about 1/64 for the
 * blocks' headers and the ends they leave unused. */
static int64_t pool_bytes(int64_t handed)
{
    return 8192 + handed + handed / 64;
}

/* The heap a set holds: the set, its row arrays at their capacity, hashes, index, and its pool. */
static int64_t set_bytes(const DedupSet *s)
{
    const RowSet *rs = s->rows;
    return (int64_t)(sizeof(*s) + sizeof(*rs) +
                     rs->cap * (sizeof(Datum) * (size_t)rs->nslots + sizeof(uint64_t)) +
                     s->hcap * sizeof(uint64_t) + (s->mask + 1) * sizeof(uint32_t)) +
           pool_bytes(s->pbytes);
}

static DedupSet *set_new(int nslots)
{
    DedupSet *s = mem_calloc(1, sizeof(*s));
    s->rows = rowset_new(nslots);
    s->mask = 255;
    s->index = mem_calloc(s->mask + 1, sizeof(uint32_t));
    return s;
}

static int set_spilled(const DedupSet *s)
{
    if (s->nulls)
        return 1;
    for (int p = 0; p < NPART; p++)
        if (s->part[p])
            return 1;
    return 0;
}

static void set_free(DedupSet *s)
{
    if (!s)
        return;
    rowset_free(s->rows);
    free(s->index);
    free(s->hashes);
    for (int p = 0; p < NPART; p++)
        spill_runs_free(s->part[p]);
    spill_runs_free(s->nulls);
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

/* Rebuilds the index with mask + 1 entries. */
static void set_rehash(DedupSet *s, size_t mask)
{
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

/* Grows the arrays of s at once to hold `more` rows more (a merge): the room it charges before
 * the rows come. */
static void set_reserve(DedupSet *s, size_t more)
{
    RowSet *rs = s->rows;
    size_t need = rs->nrows + more, cap = rs->cap ? rs->cap : 64;
    while (cap < need)
        cap *= 2;
    if (cap > rs->cap) {
        rs->data = mem_realloc(rs->data, sizeof(Datum) * cap * (size_t)(rs->nslots ? rs->nslots : 1));
        rs->order = mem_realloc(rs->order, sizeof(uint64_t) * cap);
        rs->cap = cap;
    }
    if (s->hcap < cap) {
        s->hashes = mem_realloc(s->hashes, sizeof(uint64_t) * cap);
        s->hcap = cap;
    }
    size_t mask = s->mask;
    while ((s->nkeyed + more) * 2 > mask)
        mask = mask * 2 + 1;
    if (mask != s->mask)
        set_rehash(s, mask);
}

/* Offers row (order key `order`) to the set: added when its key is new or null, replacing
 * the kept row when this one comes earlier. Returns the set's row it wrote, or SIZE_MAX. The
 * row's strings stay where they are (set_keep copies them). */
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
            set_rehash(s, s->mask * 2 + 1);
    }
    return r;
}

/* Copies the strings and JSON values of the set's row w into its pool (the row was offered as
 * a view of a batch or of a spill file's bytes). */
static void set_keep(DedupSet *s, size_t w)
{
    RowSet *rs = s->rows;
    Datum *d = &rs->data[w * (size_t)rs->nslots];
    for (int k = 0; k < rs->nslots; k++) {
        s->pbytes += budget_datum_bytes(&d[k]);
        d[k] = datum_copy(rs->pool, &d[k]);
    }
}

/* ===== Spilling (spill.h) ===== */

/* The most bytes a partition's buffer holds before it is written: a share of the limit, 4 KiB
 * to 1 MiB. */
static size_t flush_bytes(const Budget *b)
{
    int64_t f = b && b->limit > 0 ? b->limit / 128 : (int64_t)1 << 20;
    return f < 4096 ? 4096 : f > ((int64_t)1 << 20) ? (size_t)1 << 20 : (size_t)f;
}

static int cmp_order(const void *a, const void *b, void *arg)
{
    const RowSet *rs = arg;
    uint64_t x = rs->order[*(const size_t *)a], y = rs->order[*(const size_t *)b];
    return x < y ? -1 : x > y;
}

/* Row numbers of rs sorted by order key (malloc'd). */
static size_t *by_order(RowSet *rs)
{
    size_t *perm = mem_alloc(sizeof(size_t) * (rs->nrows + 1));
    for (size_t i = 0; i < rs->nrows; i++)
        perm[i] = i;
    qsort_r(perm, rs->nrows, sizeof(size_t), cmp_order, rs);
    return perm;
}

/* Drops the rows of s, keeping its spilled partitions and runs. */
static void set_clear(DedupSet *s)
{
    rowset_clear(s->rows);
    free(s->hashes);
    s->hashes = NULL;
    s->hcap = 0;
    free(s->index);
    s->mask = 255;
    s->index = mem_calloc(s->mask + 1, sizeof(uint32_t));
    s->nkeyed = 0;
    s->pbytes = 0;
}

/* Writes rows[perm[0..n)] of rs as one run sorted by order key (perm sorts them so) to
 * *runs, in pieces; keys: the dedup's keys in their output form (NULL: as they are). */
static void write_run(SpillRuns **runs, Budget *b, const RowSet *rs, const size_t *perm,
                      size_t n, const DedupData *keys)
{
    size_t flush = flush_bytes(b);
    int nslots = rs->nslots;
    Datum *row = mem_alloc(sizeof(Datum) * (size_t)(nslots + 1));
    char(*kb)[64] = keys ? mem_alloc(64 * (size_t)(keys->nkeys + 1)) : NULL;
    LiqBuf buf = {0};
    uint64_t cnt = 0;
    int start = 1;
    for (size_t i = 0; i < n && !budget_stopped(b); i++) {
        memcpy(row, &rs->data[perm[i] * (size_t)nslots], sizeof(Datum) * (size_t)nslots);
        for (int k = 0; keys && k < keys->nkeys; k++) /* a number key in its shortest form (L5) */
            row[keys->keys[k]] = val_key_form(&row[keys->keys[k]], kb[k], sizeof(kb[k]));
        spill_put_row(&buf, row, nslots, rs->order[perm[i]]);
        cnt++;
        if (buf.len >= flush || i + 1 == n) {
            spill_runs_append(runs, b, &buf, cnt, start); /* fails: the run stops */
            start = 0;
            buf.len = 0;
            cnt = 0;
        }
    }
    buf_free(&buf);
    free(kb);
    free(row);
}

/* Writes the rows of s to its partitions (by 4 bits of their hash at its level) and its rows
 * with a null key to a sorted run, and empties it (its charge follows). */
static void set_spill(DedupSet *s, const DedupData *dd, Budget *b)
{
    RowSet *rs = s->rows;
    if (!rs->nrows)
        return;
    size_t flush = flush_bytes(b);
    LiqBuf bufs[NPART];
    uint64_t counts[NPART] = {0};
    memset(bufs, 0, sizeof(bufs));
    size_t *nulls = mem_alloc(sizeof(size_t) * (rs->nrows + 1)), nn = 0;
    int shift = 60 - 4 * s->level;
    for (size_t r = 0; r < rs->nrows; r++) {
        const Datum *row = &rs->data[r * (size_t)rs->nslots];
        int has_null;
        key_hash(dd, row, &has_null);
        if (has_null) {
            nulls[nn++] = r;
            continue;
        }
        int p = (int)((s->hashes[r] >> shift) & (NPART - 1));
        spill_put_row(&bufs[p], row, rs->nslots, rs->order[r]);
        counts[p]++;
        if (bufs[p].len >= flush) {
            spill_runs_write(&s->part[p], b, &bufs[p], counts[p]); /* fails: the run stops */
            bufs[p].len = 0;
            counts[p] = 0;
        }
    }
    for (int p = 0; p < NPART; p++) {
        if (bufs[p].len)
            spill_runs_write(&s->part[p], b, &bufs[p], counts[p]);
        buf_free(&bufs[p]);
    }
    if (nn) {
        qsort_r(nulls, nn, sizeof(size_t), cmp_order, rs);
        write_run(&s->nulls, b, rs, nulls, nn, NULL);
    }
    free(nulls);
    set_clear(s);
    budget_track(b, &s->charged, set_bytes(s), "dedup");
}

/* Charges the growth of s, or spills it first when that would pass half the limit (a quarter
 * when finalize reads a partition back; a set at the last level cannot spill). */
static void set_account(DedupSet *s, const DedupData *dd, Budget *b)
{
    if (s->level < NLEVEL && s->rows->nrows &&
        !budget_room(b, set_bytes(s) - s->charged, s->level ? 1 : 2))
        set_spill(s, dd, b);
    else
        budget_track(b, &s->charged, set_bytes(s), "dedup");
}

/* Moves the spilled partitions and runs of src to dst. */
static void move_spilled(DedupSet *dst, DedupSet *src)
{
    for (int p = 0; p < NPART; p++) {
        spill_runs_move(&dst->part[p], src->part[p]);
        src->part[p] = NULL;
    }
    spill_runs_move(&dst->nulls, src->nulls);
    src->nulls = NULL;
}

/* Reads each partition of s back into a set of its own (level + 1), offering its rows as
 * sink does; a set that passes a quarter of the limit spills by the next 4 bits and is
 * drained the same way. The rows of each set that fits, sorted by order key, become one run
 * of all. */
static void drain(DedupSet *s, const DedupData *dd, Budget *b, RowSet *all)
{
    int nslots = s->rows->nslots;
    /* s is empty (spilled): its arrays and pool go before its partitions come back */
    rowset_free(s->rows);
    s->rows = NULL;
    free(s->hashes);
    s->hashes = NULL;
    s->hcap = 0;
    free(s->index);
    s->index = NULL;
    s->mask = 0;
    budget_charge(b, -s->charged, NULL);
    s->charged = 0;
    Datum *row = mem_alloc(sizeof(Datum) * (size_t)(nslots + 1));
    apr_pool_t *scratch; /* JSON values of the rows read */
    apr_pool_create(&scratch, NULL);
    for (int p = 0; p < NPART && !budget_stopped(b); p++) {
        SpillRuns *runs = s->part[p];
        if (!runs)
            continue;
        DedupSet *ps = set_new(nslots);
        ps->level = s->level + 1;
        for (size_t r = 0; r < runs->n && !budget_stopped(b); r++) {
            const SpillRun *run = &runs->r[r];
            char *buf = mem_alloc(run->len + 1);
            if (spill_read(run->f, b, buf, run->len, run->off) < 0) {
                free(buf);
                break;
            }
            const char *c = buf, *end = buf + run->len;
            for (size_t k = 1; c < end; k++) {
                uint64_t order;
                size_t n = spill_get_row(c, end, scratch, row, nslots, &order);
                if (!n) { /* cannot happen: bytes set_spill wrote */
                    budget_fail(b, EIO, NULL);
                    break;
                }
                c += n;
                size_t w = set_offer(ps, dd, row, order);
                if (w != SIZE_MAX)
                    set_keep(ps, w);
                if (k % 64 == 0 || c >= end)
                    set_account(ps, dd, b);
            }
            apr_pool_clear(scratch);
            free(buf);
        }
        spill_runs_free(runs); /* read: its files go */
        s->part[p] = NULL;
        if (set_spilled(ps)) {
            set_spill(ps, dd, b);
            drain(ps, dd, b, all);
        } else if (ps->rows->nrows) {
            size_t *perm = by_order(ps->rows);
            int64_t pb = (int64_t)(sizeof(size_t) * ps->rows->nrows);
            budget_charge(b, pb, "dedup");
            write_run(&all->runs, b, ps->rows, perm, ps->rows->nrows, dd);
            budget_charge(b, -pb, NULL);
            free(perm);
        }
        budget_charge(b, -ps->charged, NULL);
        set_free(ps);
    }
    apr_pool_destroy(scratch);
    free(row);
}

/* The result of a spilled set s (consumed): its rows in memory to their partitions, the
 * partitions drained into runs sorted by order key, and their merge (with the runs of rows
 * with a null key) by order key handed on in chunks. */
static RowSet *spilled_rows(const Op *op, const OpCtx *ctx, DedupSet *s)
{
    const DedupData *dd = op->data;
    Budget *b = ctx ? ctx->mem : NULL;
    set_spill(s, dd, b);
    RowSet *all = rowset_new(s->rows->nslots);
    drain(s, dd, b, all);
    spill_runs_move(&all->runs, s->nulls); /* after the drain's runs: their file stays theirs */
    s->nulls = NULL;
    budget_charge(b, -s->charged, NULL);
    set_free(s);
    SpillOrder ord = {NULL, NULL, 0}; /* by order key alone */
    spill_runs_reduce(all, &ord, b, "dedup");
    RowSet *out = rowset_new(all->nslots);
    out->stream = spill_merge_new(all, mem_alloc(sizeof(size_t)), &ord, b, "dedup", 0);
    return out;
}

/* ===== The state seam ===== */

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
    for (uint32_t i = 0; i < b->nsel; i++) {
        SelIdx r = b->sel[i];
        for (int k = 0; k < nslots; k++)
            row[k] = b->cols[k].loaded ? *VGET(&b->cols[k], r) : val_null();
        size_t w = set_offer(l->set, dd, row, batch_order(b, r));
        if (w != SIZE_MAX)
            set_keep(l->set, w);
    }
    set_account(l->set, dd, l->ctx->mem);
}

/* Offers the rows of src to dst, then frees src (its strings live on with dst); its spilled
 * partitions and runs join dst's. With a budget, dst's arrays grow first to their merged size,
 * charged while src's charge still stands (both are alive), and src's charge goes with it. */
static void set_merge(DedupSet *dst, const DedupData *dd, DedupSet *src, Budget *b)
{
    if (dst->rows->nrows == 0 && !set_spilled(dst)) { /* nothing to offer to: take src */
        DedupSet tmp = *dst;
        *dst = *src;
        *src = tmp;
        budget_charge(b, -src->charged, NULL); /* the charges went with the contents */
        set_free(src);
        return;
    }
    RowSet *rs = src->rows;
    set_reserve(dst, rs->nrows);
    if (b) /* without a budget, charged stays what dst's budget holds */
        budget_track(b, &dst->charged, set_bytes(dst), "dedup");
    for (size_t r = 0; r < rs->nrows; r++)
        set_offer(dst, dd, &rs->data[r * (size_t)rs->nslots], rs->order[r]);
    move_spilled(dst, src);
    dst->pbytes += src->pbytes;
    budget_charge(b, -src->charged, NULL);
    src->rows = NULL;
    rs->nrows = 0;
    rowset_concat(dst->rows, rs);
    set_free(src);
    if (b)
        budget_track(b, &dst->charged, set_bytes(dst), "dedup");
}

/* The bytes dst grows by when src's rows are offered to it (all new keys: the most). */
static int64_t merge_growth(const DedupSet *dst, const DedupSet *src)
{
    DedupSet t = *dst;
    RowSet trs = *dst->rows;
    t.rows = &trs;
    size_t more = src->rows->nrows, cap = trs.cap ? trs.cap : 64;
    while (cap < trs.nrows + more)
        cap *= 2;
    trs.cap = cap;
    t.hcap = cap > t.hcap ? cap : t.hcap;
    while ((t.nkeyed + more) * 2 > t.mask)
        t.mask = t.mask * 2 + 1;
    return set_bytes(&t) - set_bytes(dst) + (int64_t)((dst->mask + 1) * sizeof(uint32_t));
}

static void dedup_combine(const Op *op, OpState *g, OpLocal *lp)
{
    DedupLocal *l = lp;
    DedupSet *s = g, *src = l->set;
    l->set = NULL;
    if (!src)
        return;
    Budget *b = l->ctx->mem;
    if (s->rows->nrows && src->rows->nrows && !budget_room(b, merge_growth(s, src), 2))
        set_spill(src, op->data, b); /* the merge would pass half the limit: src goes to disk */
    set_merge(s, op->data, src, b);
}

static void dedup_merge(const Op *op, OpState *dst, OpState *src)
{
    set_merge(dst, op->data, src, NULL);
}

static OpState *dedup_copy(const Op *op, const OpState *g)
{
    (void)op;
    const DedupSet *s = g;
    DedupSet *c = mem_calloc(1, sizeof(*c));
    c->rows = rowset_copy(s->rows);
    c->mask = s->mask;
    c->nkeyed = s->nkeyed;
    c->level = s->level;
    c->pbytes = s->pbytes;
    c->index = mem_alloc(sizeof(uint32_t) * (s->mask + 1));
    c->hashes = mem_alloc(sizeof(uint64_t) * (c->rows->cap + 1));
    c->hcap = c->rows->cap + 1;
    memcpy(c->index, s->index, sizeof(uint32_t) * (s->mask + 1));
    if (s->rows->nrows)
        memcpy(c->hashes, s->hashes, sizeof(uint64_t) * s->rows->nrows);
    for (int p = 0; p < NPART; p++)
        c->part[p] = spill_runs_copy(s->part[p]);
    c->nulls = spill_runs_copy(s->nulls);
    return c;
}

static void dedup_state_free(const Op *op, OpState *g)
{
    (void)op;
    set_free(g);
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
    Budget *b = ctx ? ctx->mem : NULL;
    /* a state made without a budget (merged or loaded partial results, --merge) that does
     * not fit spills now */
    if (!set_spilled(s) && s->rows->nrows && !budget_room(b, set_bytes(s) - s->charged, 2))
        set_spill(s, op->data, b);
    if (set_spilled(s))
        return spilled_rows(op, ctx, s);
    RowSet *rs = s->rows;
    /* the order of the rows: charged with the set while it lives */
    budget_track(b, &s->charged, set_bytes(s) + (int64_t)(sizeof(size_t) * (rs->nrows + 1)),
                 "dedup");
    size_t *perm = by_order(rs);
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
        ds->b = b;
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
        if (w != SIZE_MAX)
            set_keep(s, w); /* its strings copied, counted as the set's charge counts them */
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
