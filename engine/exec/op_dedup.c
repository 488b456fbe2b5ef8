/* op_dedup.c -- dedup breaker: the first row of each distinct key combination
 *
 * "First" is by input order (L1: dedup keeps the first row in the current order), whatever
 * thread saw the row: each worker keeps, per key, the earliest row it saw (rows reach a worker
 * in increasing order), and the merge keeps the row with the smaller order key. Rows with a
 * null in any key are never duplicates and are all kept (§3.8). The result is in input order.
 * Keys are equal as L5's '=' says (200, "200", 200.0 and 2e2 are one key), and a number key
 * prints in its shortest form (200), as stats groups do.
 *
 * State: a DedupSet (the kept rows, indexed by key). Each kept row is one compact record in
 * an arena (arena.h, as a sort's rows are): its order key, its key hash, its values encoded (a
 * 10-byte string 12 bytes, a null 1), with a pointer to it and a 4-byte index entry at most
 * half full (issue 15: about 85 bytes a key of a two-field JSON line, where 24-byte Datum slots
 * and a copy of every string took about 190). combine and merge move one set's records into
 * another's arena and offer them, keeping per key the row with the smaller order key: the same
 * rows whatever the order of merging (a record not kept stays, charged, until the set goes).
 *
 * Memory (issue 15, docs/memory.md): a set charges its run's budget with what it holds: its
 * records' bytes, the pointer array at its capacity, the index, and its pool of JSON values;
 * combine charges the room a merge grows into before it grows.
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
#include "engine/exec/arena.h"
#include "engine/exec/budget.h"
#include "engine/exec/op.h"
#include "engine/exec/spill.h"

enum { NPART = 16, NLEVEL = 16 }; /* 16 partitions by 4 bits of the hash, 64 bits in all */

/* A kept row is one record in the set's arena (arena.h): its order key (8 bytes), its key
 * hash (8 bytes), then the values of its slots in slot order in arena.h's encoding (a
 * 10-byte string 12 bytes, a null 1). JSON values are copies of their trees in the set's
 * pool. */
typedef struct DedupSet {
    Arena a;
    unsigned char **rec; /* the kept rows (a replaced row's slot points to the new record) */
    size_t n, cap;
    uint32_t *index;     /* open addressing: row number + 1; 0 empty */
    size_t mask, nkeyed;
    apr_pool_t *pool;    /* JSON values */
    int64_t jbytes;      /* ... their bytes */
    int64_t charged;     /* what the set charged its run's budget */
    Datum *tmp;          /* two rows decoded (2 * nslots) */
    int nslots;
    int level;           /* partitions by bits 60 - 4 * level ... of the hash */
    SpillRuns *part[NPART]; /* rows spilled by their hash (NULL: none) */
    SpillRuns *nulls;       /* rows with a null key spilled, runs sorted by order key */
} DedupSet;

typedef struct DedupData {
    const int *keys;
    int nkeys;
    int kend; /* the last key slot + 1: a record's values decoded to compare keys */
} DedupData;

static uint64_t rec_order(const unsigned char *r)
{
    uint64_t o;
    memcpy(&o, r, 8);
    return o;
}

static uint64_t rec_hash(const unsigned char *r)
{
    uint64_t h;
    memcpy(&h, r + 8, 8);
    return h;
}

/* The values of record r into row[0..nslots) (strings pointing into r; nslots: the first
 * slots only, e.g. up to the last key). */
static void rec_row(int nslots, const unsigned char *r, Datum *row)
{
    const unsigned char *p = r + 16;
    for (int k = 0; k < nslots; k++)
        p = val_dec(p, &row[k]);
}

/* The heap a set holds: the set, its records, their array at its capacity, the index, and
 * its pool of JSON values (an 8 KiB block at least). */
static int64_t set_bytes(const DedupSet *s)
{
    return (int64_t)(sizeof(*s) + s->a.used + s->cap * sizeof(unsigned char *) +
                     (s->mask + 1) * sizeof(uint32_t) + sizeof(Datum) * (size_t)(2 * s->nslots)) +
           8192 + s->jbytes;
}

static DedupSet *set_new(int nslots)
{
    DedupSet *s = mem_calloc(1, sizeof(*s));
    s->nslots = nslots;
    s->mask = 255;
    s->index = mem_calloc(s->mask + 1, sizeof(uint32_t));
    s->tmp = mem_alloc(sizeof(Datum) * (size_t)(2 * nslots + 1));
    apr_pool_create(&s->pool, NULL);
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

static apr_status_t pool_free_cb(void *p)
{
    apr_pool_destroy(p);
    return APR_SUCCESS;
}

static void set_free(DedupSet *s)
{
    if (!s)
        return;
    arena_free(&s->a);
    free(s->rec);
    free(s->index);
    free(s->tmp);
    if (s->pool)
        apr_pool_destroy(s->pool);
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

static int has_null_key(const DedupData *dd, const Datum *row)
{
    for (int k = 0; k < dd->nkeys; k++)
        if (row[dd->keys[k]].type == VT_NULL)
            return 1;
    return 0;
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
        size_t j = rec_hash(s->rec[s->index[i] - 1]) & mask;
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
    size_t need = s->n + more, cap = s->cap ? s->cap : 64;
    while (cap < need)
        cap *= 2;
    if (cap > s->cap) {
        s->rec = mem_realloc(s->rec, sizeof(unsigned char *) * cap);
        s->cap = cap;
    }
    size_t mask = s->mask;
    while ((s->nkeyed + more) * 2 > mask)
        mask = mask * 2 + 1;
    if (mask != s->mask)
        set_rehash(s, mask);
}

/* A record of row (its strings copied, its JSON values copied into the set's pool) with its
 * order key and hash. */
static unsigned char *set_record(DedupSet *s, const Datum *row, uint64_t order, uint64_t h)
{
    size_t n = 16;
    for (int k = 0; k < s->nslots; k++)
        n += val_enc_size(&row[k]);
    unsigned char *r = arena_alloc(&s->a, n, NULL), *p = r + 16;
    memcpy(r, &order, 8);
    memcpy(r + 8, &h, 8);
    for (int k = 0; k < s->nslots; k++) {
        if (row[k].type == VT_JSON) {
            Datum c = datum_copy(s->pool, &row[k]);
            s->jbytes += budget_datum_bytes(&row[k]);
            p = val_enc(p, &c);
        } else {
            p = val_enc(p, &row[k]);
        }
    }
    return r;
}

/* Offers a row to the set: its values row (order key `order`; NULL: given as record rec, a
 * record in an arena the set holds) is added when its key is new or null, and replaces the
 * kept row when it comes earlier (the row is copied into a record of the set then). */
static void set_offer(DedupSet *s, const DedupData *dd, const Datum *row, uint64_t order,
                      unsigned char *rec)
{
    int nulls;
    uint64_t h;
    Datum *kept = s->tmp + s->nslots;
    if (rec) {
        rec_row(dd->kend, rec, s->tmp); /* its keys */
        row = s->tmp;
        order = rec_order(rec);
        h = rec_hash(rec);
        nulls = has_null_key(dd, row);
    } else {
        h = key_hash(dd, row, &nulls);
    }
    size_t i = h & s->mask;
    if (!nulls) {
        while (s->index[i]) {
            size_t r = s->index[i] - 1;
            if (rec_hash(s->rec[r]) == h) {
                rec_row(dd->kend, s->rec[r], kept);
                if (same_key(dd, kept, row)) {
                    if (order < rec_order(s->rec[r]))
                        s->rec[r] = rec ? rec : set_record(s, row, order, h);
                    return;
                }
            }
            i = (i + 1) & s->mask;
        }
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->rec = mem_realloc(s->rec, sizeof(unsigned char *) * s->cap);
    }
    size_t r = s->n++;
    s->rec[r] = rec ? rec : set_record(s, row, order, h);
    if (!nulls) {
        s->index[i] = (uint32_t)(r + 1);
        if (++s->nkeyed * 2 > s->mask)
            set_rehash(s, s->mask * 2 + 1);
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

static int cmp_order(const void *a, const void *b)
{
    uint64_t x = rec_order(*(unsigned char *const *)a), y = rec_order(*(unsigned char *const *)b);
    return x < y ? -1 : x > y;
}

/* Drops the rows of s, keeping its spilled partitions and runs. */
static void set_clear(DedupSet *s)
{
    arena_free(&s->a);
    free(s->rec);
    s->rec = NULL;
    s->n = s->cap = 0;
    free(s->index);
    s->mask = 255;
    s->index = mem_calloc(s->mask + 1, sizeof(uint32_t));
    s->nkeyed = 0;
    s->jbytes = 0;
    apr_pool_clear(s->pool);
}

/* Writes the rows of records rec[0..n) (sorted by order key) of a set of nslots slots as one
 * run to *runs, in pieces; keys: the dedup's keys in their output form (NULL: as they are). */
static void write_run(SpillRuns **runs, Budget *b, int nslots, unsigned char *const *rec,
                      size_t n, const DedupData *keys)
{
    size_t flush = flush_bytes(b);
    Datum *row = mem_alloc(sizeof(Datum) * (size_t)(nslots + 1));
    char(*kb)[64] = keys ? mem_alloc(64 * (size_t)(keys->nkeys + 1)) : NULL;
    LiqBuf buf = {0};
    uint64_t cnt = 0;
    int start = 1;
    for (size_t i = 0; i < n && !budget_stopped(b); i++) {
        rec_row(nslots, rec[i], row);
        for (int k = 0; keys && k < keys->nkeys; k++) /* a number key in its shortest form (L5) */
            row[keys->keys[k]] = val_key_form(&row[keys->keys[k]], kb[k], sizeof(kb[k]));
        spill_put_row(&buf, row, nslots, rec_order(rec[i]));
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
    if (!s->n)
        return;
    size_t flush = flush_bytes(b);
    LiqBuf bufs[NPART];
    uint64_t counts[NPART] = {0};
    memset(bufs, 0, sizeof(bufs));
    unsigned char **nulls = mem_alloc(sizeof(unsigned char *) * (s->n + 1));
    size_t nn = 0;
    int shift = 60 - 4 * s->level;
    for (size_t r = 0; r < s->n; r++) {
        rec_row(s->nslots, s->rec[r], s->tmp);
        if (has_null_key(dd, s->tmp)) {
            nulls[nn++] = s->rec[r];
            continue;
        }
        int p = (int)((rec_hash(s->rec[r]) >> shift) & (NPART - 1));
        spill_put_row(&bufs[p], s->tmp, s->nslots, rec_order(s->rec[r]));
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
        qsort(nulls, nn, sizeof(unsigned char *), cmp_order);
        write_run(&s->nulls, b, s->nslots, nulls, nn, NULL);
    }
    free(nulls);
    set_clear(s);
    budget_track(b, &s->charged, set_bytes(s), "dedup");
}

/* Charges the growth of s, or spills it first when that would pass half the limit (a quarter
 * when finalize reads a partition back; a set at the last level cannot spill). */
static void set_account(DedupSet *s, const DedupData *dd, Budget *b)
{
    if (s->level < NLEVEL && s->n && !budget_room(b, set_bytes(s) - s->charged, s->level ? 1 : 2))
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
    int nslots = s->nslots;
    /* s is empty (spilled): its arrays and pool go before its partitions come back */
    arena_free(&s->a);
    free(s->rec);
    s->rec = NULL;
    s->n = s->cap = 0;
    free(s->index);
    s->index = NULL;
    s->mask = 0;
    apr_pool_destroy(s->pool);
    s->pool = NULL;
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
                set_offer(ps, dd, row, order, NULL);
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
        } else if (ps->n) {
            /* the index goes: the records, sorted by order key, are all that is left */
            free(ps->index);
            ps->index = NULL;
            ps->mask = 0;
            budget_track(b, &ps->charged, set_bytes(ps), "dedup");
            qsort(ps->rec, ps->n, sizeof(unsigned char *), cmp_order);
            write_run(&all->runs, b, nslots, ps->rec, ps->n, dd);
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
    RowSet *all = rowset_new(s->nslots);
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
    /* each row offered as a view of the batch's columns; a row the set takes (a new key, an
     * earlier row) becomes a record then: the set holds its rows only, not every row it saw */
    rowset_load_batch(op->plan, b);
    int nslots = op->plan->nslots;
    Datum *row = apr_palloc(b->pool, sizeof(Datum) * (size_t)(nslots + 1));
    for (uint32_t i = 0; i < b->nsel; i++) {
        SelIdx r = b->sel[i];
        for (int k = 0; k < nslots; k++)
            row[k] = b->cols[k].loaded ? *VGET(&b->cols[k], r) : val_null();
        set_offer(l->set, dd, row, batch_order(b, r), NULL);
    }
    set_account(l->set, dd, l->ctx->mem);
}

/* Offers the rows of src to dst, then frees src: its records move to dst's arena and its JSON
 * values' pool lives on with dst's (a row offered that dst does not keep stays a record there,
 * charged); its spilled partitions and runs join dst's. With a budget, dst's arrays grow first
 * to their merged size, charged while src's charge still stands (both are alive), and src's
 * charge goes with it. */
static void set_merge(DedupSet *dst, const DedupData *dd, DedupSet *src, Budget *b)
{
    if (dst->n == 0 && !set_spilled(dst)) { /* nothing to offer to: take src */
        DedupSet tmp = *dst;
        *dst = *src;
        *src = tmp;
        budget_charge(b, -src->charged, NULL); /* the charges went with the contents */
        set_free(src);
        return;
    }
    set_reserve(dst, src->n);
    if (b) /* without a budget, charged stays what dst's budget holds */
        budget_track(b, &dst->charged, set_bytes(dst), "dedup");
    arena_move(&dst->a, &src->a);
    for (size_t r = 0; r < src->n; r++)
        set_offer(dst, dd, NULL, 0, src->rec[r]);
    move_spilled(dst, src);
    dst->jbytes += src->jbytes;
    apr_pool_cleanup_register(dst->pool, src->pool, pool_free_cb, apr_pool_cleanup_null);
    src->pool = NULL;
    budget_charge(b, -src->charged, NULL);
    set_free(src);
    if (b)
        budget_track(b, &dst->charged, set_bytes(dst), "dedup");
}

/* The bytes dst grows by when src's rows are offered to it (all new keys: the most): its
 * arrays, and the old index beside the new one while it is rebuilt (src's records move). */
static int64_t merge_growth(const DedupSet *dst, const DedupSet *src)
{
    DedupSet t = *dst;
    size_t more = src->n, cap = t.cap ? t.cap : 64;
    while (cap < t.n + more)
        cap *= 2;
    t.cap = cap > t.cap ? cap : t.cap;
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
    if (s->n && src->n && !budget_room(b, merge_growth(s, src), 2))
        set_spill(src, op->data, b); /* the merge would pass half the limit: src goes to disk */
    set_merge(s, op->data, src, b);
}

static void dedup_merge(const Op *op, OpState *dst, OpState *src)
{
    set_merge(dst, op->data, src, NULL);
}

static OpState *dedup_copy(const Op *op, const OpState *g)
{
    const DedupSet *s = g;
    DedupSet *c = set_new(s->nslots);
    c->level = s->level;
    Datum *row = mem_alloc(sizeof(Datum) * (size_t)(s->nslots + 1));
    for (size_t r = 0; r < s->n; r++) { /* the same rows: every one is kept */
        rec_row(s->nslots, s->rec[r], row);
        set_offer(c, op->data, row, rec_order(s->rec[r]), NULL);
    }
    free(row);
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

/* The row of record r into a new row of out, a number key in its shortest form (L5); its
 * strings point into r, or into kb (64 bytes a key). */
static void out_row(const DedupData *dd, int nslots, const unsigned char *r, RowSet *out,
                    char (*kb)[64])
{
    Datum *d = rowset_add_row(out, rec_order(r));
    rec_row(nslots, r, d);
    for (int k = 0; k < dd->nkeys; k++)
        d[dd->keys[k]] = val_key_form(&d[dd->keys[k]], kb[k], sizeof(kb[k]));
}

/* The rows of a large set in chunks, in input order (no copy of them beside the records). */
typedef struct DedupStream {
    RowStream base;
    DedupSet *s;
    const DedupData *dd;
    size_t at;
    Budget *b;
} DedupStream;

static size_t dedup_fill(RowStream *st, RowSet *out)
{
    DedupStream *ds = (DedupStream *)st;
    const DedupSet *s = ds->s;
    char(*kb)[64] = mem_alloc(64 * (size_t)(ds->dd->nkeys + 1));
    size_t n = 0;
    for (; ds->at < s->n && n < LIQ_VEC_SIZE; ds->at++, n++) {
        out_row(ds->dd, s->nslots, s->rec[ds->at], out, kb);
        Datum *d = &out->data[(out->nrows - 1) * (size_t)out->nslots];
        for (int k = 0; k < ds->dd->nkeys; k++) /* a key's short form: into out's pool */
            if (d[ds->dd->keys[k]].s == kb[k])
                d[ds->dd->keys[k]] = datum_copy(out->pool, &d[ds->dd->keys[k]]);
    }
    free(kb);
    return n;
}

static void dedup_stream_free(RowStream *st)
{
    DedupStream *ds = (DedupStream *)st;
    budget_charge(ds->b, -ds->s->charged, NULL);
    set_free(ds->s);
    free(ds);
}

static RowSet *dedup_finalize(const Op *op, const OpCtx *ctx, OpState *g)
{
    DedupSet *s = g;
    Budget *b = ctx ? ctx->mem : NULL;
    const DedupData *dd = op->data;
    /* a state made without a budget (merged or loaded partial results, --merge) that does
     * not fit spills now */
    if (!set_spilled(s) && s->n && !budget_room(b, set_bytes(s) - s->charged, 2))
        set_spill(s, dd, b);
    if (set_spilled(s))
        return spilled_rows(op, ctx, s);
    /* the index goes: the records, sorted by order key, are the result */
    free(s->index);
    s->index = NULL;
    s->mask = 0;
    budget_track(b, &s->charged, set_bytes(s), "dedup");
    if (s->n) /* rec is NULL while there are no rows */
        qsort(s->rec, s->n, sizeof(unsigned char *), cmp_order);
    RowSet *out = rowset_new(s->nslots);
    if (s->n > LIQ_VEC_SIZE) { /* many rows: handed on in chunks, from the set */
        DedupStream *ds = mem_calloc(1, sizeof(*ds));
        ds->base.fill = dedup_fill;
        ds->base.free = dedup_stream_free;
        ds->base.total = s->n;
        ds->s = s;
        ds->dd = dd;
        ds->b = b;
        out->stream = &ds->base;
        return out;
    }
    char(*kb)[64] = mem_alloc(64 * (size_t)(dd->nkeys + 1));
    for (size_t i = 0; i < s->n; i++) { /* few rows: copied into out's pool */
        out_row(dd, s->nslots, s->rec[i], out, kb);
        Datum *d = &out->data[(out->nrows - 1) * (size_t)out->nslots];
        for (int k = 0; k < s->nslots; k++) {
            out->sbytes += (size_t)budget_datum_bytes(&d[k]);
            d[k] = datum_copy(out->pool, &d[k]);
        }
    }
    free(kb);
    rowset_charge(out, ctx, s->charged, "dedup");
    set_free(s);
    return out;
}

/* Partial results (partial.h, issue 16): the rows a copy of the set finalizes into (its spilled
 * rows too), with their order keys; loaded, they are offered to a new set as a worker's rows
 * are (per key the earliest row stays, also when bytes from elsewhere repeat a key). */
static OpState *dedup_load(const Op *op, const char *p, size_t n, Budget *b)
{
    RowSet *in = rowset_state_load(op, p, n, b);
    if (!in)
        return NULL;
    DedupSet *s = set_new(op->plan->nslots);
    for (size_t r = 0; r < in->nrows; r++)
        set_offer(s, op->data, &in->data[r * (size_t)in->nslots], in->order[r], NULL);
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
    for (int k = 0; k < nkeys; k++)
        if (key_slots[k] + 1 > dd->kend)
            dd->kend = key_slots[k] + 1;
    return op_new(p, &dedup_vt, dd);
}
