/* op_stats.c -- stats operator: hash aggregation by group keys
 *
 * Each worker aggregates into its own hash table (no locks on the hot path); combine merges a
 * worker's table into the run's (the state, a GTable); merge does the same with another
 * run's table; finalize emits one row per group, ordered by the group keys ascending (L1, L3),
 * with the keys and the aggregate results in their slots -- or in no order when a sort right
 * after it takes the keys as tie-breakers (op_stats_unordered). Expressions
 * over aggregates (sum(x)/count(*), earlier aliases) are computed by a fields operator the
 * planner places right after this one.
 *
 * Keys are equal as L5's '=' says (val_equal_key: 200, "200", 200.0 and 2e2 are one group),
 * and a number key prints in its shortest form (val_key_form: 200). A group keeps the key
 * values of its earliest row (by input order), so that whatever else the spelling decides is
 * the same for every thread count. Without 'by', there is exactly one group, even over no
 * rows (count(*) = 0).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "engine/exec/agg.h"
#include "engine/exec/budget.h"
#include "engine/exec/op.h"
#include "engine/exec/partial.h"
#include "engine/exec/spill.h"

typedef struct StatsData {
    Expr **keys;
    const int *key_slots;
    int nkeys;
    AggSpec *aggs;
    int naggs;
    size_t *offs;      /* state offset of each aggregate */
    size_t state_size;
    int unordered; /* a sort follows that orders the groups itself (op_stats_unordered) */
    const int *inputs; /* the input slots of every key and argument: decoded in one pass */
    int ninputs;
    /* op_stats_topn: the sort after keeps `topn` rows (-1: all); its keys, as slots and
     * directions, and for each the group key (>= 0) or aggregate (< 0: -1 - a) it reads */
    int64_t topn;
    int ntk;
    const int *tk_slot, *tk_desc;
    int *tk_src;
    PartialShape shape; /* how a group is spilled (partial.h) */
} StatsData;

typedef struct Group {
    uint64_t hash;
    uint64_t first; /* order key of the earliest row */
    Datum *keys;
    unsigned char *state;
} Group;

typedef struct GTable {
    Group *groups;
    size_t n, cap;
    uint64_t *index; /* open addressing: the hash's high 32 bits << 32 | group number + 1;
                      * 0 = empty. The fingerprint spares a look at groups that differ. */
    size_t mask;
    apr_pool_t *pool;
    AggMem am;       /* the pool, and the heap bytes of keys and states (gt_bytes) */
    int64_t charged; /* what the table charged its run's budget */
    SpillRuns *part[16]; /* groups spilled, by 4 bits of their hash (NULL: none) ... */
    int level;           /* ... the top 4 at level 0, the next 4 at level 1, ... */
} GTable;

enum { NPART = 16 };

/* The heap a table holds, about: its arrays, keys and aggregate states. */
static int64_t gt_bytes(const GTable *t)
{
    return (int64_t)(t->cap * sizeof(Group) + (t->mask + 1) * sizeof(uint64_t)) + t->am.bytes;
}

typedef struct StatsLocal {
    GTable *t; /* the worker's groups since its last combine (NULL: none yet) */
    ExprState **kst, **ast, **ast2;
    uint32_t *gidx; /* group of each row of the current batch */
    uint64_t *hs;   /* hash of each selected row of the current batch */
    Vec **kv;       /* the key columns of the current batch, one per group key */
    Datum *k;       /* one row's keys (as many as the query has: sized from the plan) */
    const OpCtx *ctx; /* its memory budget */
} StatsLocal;

static GTable *gt_new(void)
{
    GTable *t = mem_calloc(1, sizeof(*t));
    apr_pool_create(&t->pool, NULL);
    t->am.pool = t->pool;
    t->mask = 63;
    t->index = mem_calloc(t->mask + 1, sizeof(uint64_t));
    return t;
}

static void gt_free(GTable *t, const StatsData *sd)
{
    if (!t)
        return;
    for (int a = 0; a < sd->naggs; a++) {
        const AggOps *ops = agg_table[sd->aggs[a].fn];
        if (ops->destroy)
            for (size_t g = 0; g < t->n; g++)
                ops->destroy(t->groups[g].state + sd->offs[a]);
    }
    free(t->groups);
    free(t->index);
    if (t->pool) /* NULL: handed to the row set of finalize */
        apr_pool_destroy(t->pool);
    for (int p = 0; p < NPART; p++)
        spill_runs_free(t->part[p]);
    free(t);
}

static void gt_rehash(GTable *t)
{
    size_t mask = t->mask * 2 + 1;
    uint64_t *index = mem_calloc(mask + 1, sizeof(uint64_t));
    for (size_t g = 0; g < t->n; g++) {
        size_t h = t->groups[g].hash & mask;
        while (index[h])
            h = (h + 1) & mask;
        index[h] = (t->groups[g].hash & 0xFFFFFFFF00000000ULL) | (g + 1);
    }
    free(t->index);
    t->index = index;
    t->mask = mask;
}

static uint64_t keys_hash(const Datum *k, int n)
{
    uint64_t h = 0x243F6A8885A308D3ULL;
    for (int i = 0; i < n; i++)
        h = (h ^ val_hash(&k[i])) * 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 29);
}

static int keys_equal(const Datum *a, const Datum *b, int n)
{
    for (int i = 0; i < n; i++)
        if (!val_equal_key(&a[i], &b[i]))
            return 0;
    return 1;
}

/* Finds the group of keys k (hash h), creating it (keys copied, state initialised) if new.
 * *created tells which. */
static uint32_t gt_find(GTable *t, const StatsData *sd, const Datum *k, uint64_t h, uint64_t order,
                        int *created)
{
    size_t i = h & t->mask;
    uint64_t fp = h & 0xFFFFFFFF00000000ULL;
    *created = 0;
    for (uint64_t e; (e = t->index[i]) != 0; i = (i + 1) & t->mask) {
        if ((e & 0xFFFFFFFF00000000ULL) != fp)
            continue;
        uint32_t gi = (uint32_t)e - 1;
        Group *g = &t->groups[gi];
        if (g->hash == h && keys_equal(g->keys, k, sd->nkeys))
            return gi;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        Group *gs = mem_realloc(t->groups, sizeof(Group) * cap);
        t->groups = gs;
        t->cap = cap;
    }
    Group *g = &t->groups[t->n];
    g->hash = h;
    g->first = order;
    g->keys = apr_palloc(t->pool, sizeof(Datum) * (size_t)(sd->nkeys ? sd->nkeys : 1));
    t->am.bytes += (int64_t)(sizeof(Datum) * (size_t)(sd->nkeys ? sd->nkeys : 1) +
                             (sd->state_size ? sd->state_size : 1));
    for (int j = 0; j < sd->nkeys; j++) {
        g->keys[j] = datum_copy(t->pool, &k[j]);
        t->am.bytes += k[j].len;
    }
    g->state = apr_palloc(t->pool, sd->state_size ? sd->state_size : 1);
    for (int a = 0; a < sd->naggs; a++)
        agg_table[sd->aggs[a].fn]->init(g->state + sd->offs[a]);
    t->index[i] = fp | (t->n + 1);
    *created = 1;
    if (++t->n * 2 > t->mask)
        gt_rehash(t);
    return (uint32_t)(t->n - 1);
}

/* ===== Spilling (partial.h, spill.h) =====
 *
 * A table whose groups would pass half the memory limit writes them, with their aggregate
 * states, to spill files by the top 4 bits of their hash (16 partitions) and goes on empty.
 * Finalize then takes one partition at a time: its groups, read back and merged (as combine
 * merges: states by AggOps.merge, keys spelled by the earliest row), become its rows; with
 * the groups ordered by their keys, each partition's rows are a sorted run and a k-way merge
 * by the same order gives the result (spill_merge_new); for a sort right after (unordered),
 * the partitions' rows go on as they come. Either way, the bytes of the in-memory result. */

/* Drops every group of t (states destroyed), keeping its spilled partitions. */
static void gt_clear(GTable *t, const StatsData *sd)
{
    for (int a = 0; a < sd->naggs; a++) {
        const AggOps *ops = agg_table[sd->aggs[a].fn];
        if (ops->destroy)
            for (size_t g = 0; g < t->n; g++)
                ops->destroy(t->groups[g].state + sd->offs[a]);
    }
    free(t->groups);
    t->groups = NULL;
    t->n = t->cap = 0;
    free(t->index);
    t->mask = 63;
    t->index = mem_calloc(t->mask + 1, sizeof(uint64_t));
    apr_pool_destroy(t->pool);
    apr_pool_create(&t->pool, NULL);
    t->am.pool = t->pool;
    t->am.bytes = 0;
}

/* Writes t's groups to its partitions and empties it (its charge follows). */
static void gt_spill(GTable *t, const StatsData *sd, Budget *b)
{
    LiqBuf bufs[NPART];
    uint64_t counts[NPART] = {0};
    memset(bufs, 0, sizeof(bufs));
    int shift = 60 - 4 * t->level;
    for (size_t g = 0; g < t->n; g++) {
        const Group *gr = &t->groups[g];
        int p = (int)((gr->hash >> shift) & (NPART - 1));
        partial_put_group(&bufs[p], &sd->shape, gr->hash, gr->first, gr->keys, gr->state);
        counts[p]++;
    }
    for (int p = 0; p < NPART; p++) {
        if (bufs[p].len)
            spill_runs_write(&t->part[p], b, &bufs[p], counts[p]); /* fails: the run stops */
        buf_free(&bufs[p]);
    }
    gt_clear(t, sd);
    budget_track(b, &t->charged, gt_bytes(t), "stats");
}

/* Charges t's growth to the budget, or, when that would pass half the limit (a quarter when
 * finalize reads a partition back: its rows need room too), spills t first (a table at the
 * last level of partitioning, or of stats without by, cannot spill). */
static void gt_account(GTable *t, const StatsData *sd, Budget *b)
{
    if (sd->nkeys && t->level < NPART && t->n &&
        !budget_room(b, gt_bytes(t) - t->charged, t->level ? 1 : 2))
        gt_spill(t, sd, b);
    else
        budget_track(b, &t->charged, gt_bytes(t), "stats");
}

static int gt_spilled(const GTable *t)
{
    for (int p = 0; p < NPART; p++)
        if (t->part[p])
            return 1;
    return 0;
}

static RowSet *gt_rows(const StatsData *sd, GTable *t, int unordered, int first, int topn,
                       const OpCtx *ctx, int nslots);
static void group_row(const StatsData *sd, const Group *g, Datum *row, int nslots,
                      apr_pool_t *pool);

/* Reads each partition of t's spill files back into a table of its own (level + 1), merging
 * the groups; a table that would pass half the memory limit spills in turn, by the next 4
 * bits of the hash, and is drained the same way. The rows of each table that fits, ordered
 * by their keys (order keys: the group's first row), become one sorted run of all. */
static void drain(const StatsData *sd, GTable *t, const OpCtx *ctx, RowSet *all, int nslots)
{
    Budget *b = ctx ? ctx->mem : NULL;
    Datum *keys = mem_alloc(sizeof(Datum) * (size_t)(sd->nkeys + 1));
    unsigned char *st = mem_alloc(sd->state_size + 1);
    for (int p = 0; p < NPART && !budget_stopped(b); p++) {
        SpillRuns *runs = t->part[p];
        if (!runs)
            continue;
        GTable *pt = gt_new();
        pt->level = t->level + 1;
        for (size_t r = 0; r < runs->n && !budget_stopped(b); r++) {
            const SpillRun *run = &runs->r[r];
            char *buf = mem_alloc(run->len + 1);
            if (spill_read(run->f, b, buf, run->len, run->off) < 0) {
                free(buf);
                break;
            }
            const char *c = buf, *end = buf + run->len;
            for (size_t k = 1; c < end; k++) {
                for (int a = 0; a < sd->naggs; a++)
                    agg_table[sd->aggs[a].fn]->init(st + sd->offs[a]);
                uint64_t h, first;
                size_t n = partial_get_group(c, end, &sd->shape, &pt->am, &h, &first, keys, st);
                if (!n) { /* cannot happen: bytes gt_spill wrote */
                    budget_fail(b, EIO, NULL);
                    break;
                }
                c += n;
                int created;
                uint32_t gi = gt_find(pt, sd, keys, h, first, &created);
                Group *g = &pt->groups[gi];
                if (!created && first < g->first) { /* the keys as the earliest row spells them */
                    for (int j = 0; j < sd->nkeys; j++) {
                        g->keys[j] = datum_copy(pt->pool, &keys[j]);
                        pt->am.bytes += keys[j].len;
                    }
                    g->first = first;
                }
                for (int a = 0; a < sd->naggs; a++) {
                    const AggOps *ops = agg_table[sd->aggs[a].fn];
                    ops->merge(g->state + sd->offs[a], st + sd->offs[a], &pt->am);
                    if (ops->destroy)
                        ops->destroy(st + sd->offs[a]);
                }
                if (k % 64 == 0 || c >= end)
                    gt_account(pt, sd, b);
            }
            free(buf);
        }
        spill_runs_free(runs); /* read: its files go */
        t->part[p] = NULL;
        if (gt_spilled(pt)) {
            gt_spill(pt, sd, b);
            drain(sd, pt, ctx, all, nslots);
            budget_charge(b, -pt->charged, NULL);
            gt_free(pt, sd);
            continue;
        }
        RowSet *rs = gt_rows(sd, pt, 0, 1, 0, ctx, nslots);
        LiqBuf buf = {0};
        for (size_t i = 0; i < rs->nrows; i++)
            spill_put_row(&buf, &rs->data[i * (size_t)rs->nslots], rs->nslots, rs->order[i]);
        if (rs->nrows)
            spill_runs_write(&all->runs, b, &buf, rs->nrows);
        buf_free(&buf);
        budget_charge(b, -rs->charged, NULL);
        rowset_free(rs);
    }
    free(keys);
    free(st);
}

/* The result of a spilled table t (consumed): every group to its partition, the partitions
 * drained into sorted runs, and their merge by the keys (then the first row) handed on in
 * chunks: the rows of the in-memory result, in its order. Unordered (a sort follows), the
 * rows keep their first rows as order keys, as in memory. */
static RowSet *spilled_rows(const Op *op, const OpCtx *ctx, GTable *t)
{
    const StatsData *sd = op->data;
    Budget *b = ctx ? ctx->mem : NULL;
    gt_spill(t, sd, b);
    RowSet *all = rowset_new(op->plan->nslots);
    drain(sd, t, ctx, all, op->plan->nslots);
    budget_charge(b, -t->charged, NULL);
    gt_free(t, sd);
    SpillOrder ord = {sd->key_slots, NULL, sd->nkeys};
    RowSet *out = rowset_new(op->plan->nslots);
    out->stream = spill_merge_new(all, mem_alloc(sizeof(size_t)), &ord, b, "stats", !sd->unordered);
    return out;
}

static OpLocal *stats_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    const StatsData *sd = op->data;
    StatsLocal *l = apr_pcalloc(pool, sizeof(*l));
    l->kst = apr_pcalloc(pool, sizeof(ExprState *) * (size_t)(sd->nkeys + 1));
    for (int i = 0; i < sd->nkeys; i++)
        l->kst[i] = expr_state_new(pool, sd->keys[i], ctx->rx);
    l->ast = apr_pcalloc(pool, sizeof(ExprState *) * (size_t)(sd->naggs + 1));
    l->ast2 = apr_pcalloc(pool, sizeof(ExprState *) * (size_t)(sd->naggs + 1));
    for (int i = 0; i < sd->naggs; i++) {
        if (sd->aggs[i].arg)
            l->ast[i] = expr_state_new(pool, sd->aggs[i].arg, ctx->rx);
        if (sd->aggs[i].arg2)
            l->ast2[i] = expr_state_new(pool, sd->aggs[i].arg2, ctx->rx);
    }
    l->gidx = apr_palloc(pool, sizeof(uint32_t) * LIQ_VEC_SIZE);
    l->hs = apr_palloc(pool, sizeof(uint64_t) * LIQ_VEC_SIZE);
    l->kv = apr_pcalloc(pool, sizeof(Vec *) * (size_t)(sd->nkeys + 1));
    l->k = apr_pcalloc(pool, sizeof(Datum) * (size_t)(sd->nkeys + 1));
    l->ctx = ctx;
    return l;
}

static void stats_sink(const Op *op, OpLocal *lp, Batch *b)
{
    const StatsData *sd = op->data;
    StatsLocal *l = lp;
    Vec **kv = l->kv;
    Datum *k = l->k;
    int nk = sd->nkeys;
    if (!l->t)
        l->t = gt_new();
    if (sd->ninputs) /* one decoding pass for every key and argument, not one each */
        dec_load(op->plan, b, sd->inputs, sd->ninputs);
    for (int i = 0; i < nk; i++)
        kv[i] = expr_eval(sd->keys[i], l->kst[i], b);
    /* Hash every row first, then look the groups up with the index slot, the group and its
     * keys prefetched a few rows ahead: with many groups, each lookup is otherwise three
     * cache misses in a row. */
    uint64_t *hs = l->hs;
    for (uint32_t s = 0; s < b->nsel; s++) {
        SelIdx row = b->sel[s];
        /* hashed in place: a string's numeric view is cached in the column (val.h), so the
         * lookup below and the group's copy of the key do not parse it again */
        uint64_t h = 0x243F6A8885A308D3ULL;
        for (int i = 0; i < nk; i++)
            h = (h ^ val_hash(VGET(kv[i], row))) * 0x9E3779B97F4A7C15ULL;
        hs[s] = h ^ (h >> 29);
    }
    GTable *t = l->t;
    for (uint32_t s = 0; s < b->nsel; s++) {
        if (s + 16 < b->nsel)
            __builtin_prefetch(&t->index[hs[s + 16] & t->mask]);
        if (s + 8 < b->nsel) {
            uint64_t e = t->index[hs[s + 8] & t->mask];
            if (e)
                __builtin_prefetch(&t->groups[(uint32_t)e - 1]);
        }
        if (s + 4 < b->nsel) {
            uint64_t e = t->index[hs[s + 4] & t->mask];
            if (e && (uint32_t)e - 1 < t->n)
                __builtin_prefetch(t->groups[(uint32_t)e - 1].keys);
        }
        SelIdx row = b->sel[s];
        for (int i = 0; i < nk; i++)
            k[i] = *VGET(kv[i], row);
        int created;
        l->gidx[row] = gt_find(t, sd, k, hs[s], batch_order(b, row), &created);
    }
    for (int a = 0; a < sd->naggs; a++) {
        const AggOps *ops = agg_table[sd->aggs[a].fn];
        size_t off = sd->offs[a];
        Group *groups = l->t->groups;
        if (!sd->aggs[a].arg) {
            for (uint32_t s = 0; s < b->nsel; s++) {
                SelIdx row = b->sel[s];
                ops->update(groups[l->gidx[row]].state + off, NULL, NULL, 0, &l->t->am);
            }
            continue;
        }
        Vec *v = expr_eval(sd->aggs[a].arg, l->ast[a], b);
        Vec *aux = sd->aggs[a].arg2 ? expr_eval(sd->aggs[a].arg2, l->ast2[a], b) : NULL;
        for (uint32_t s = 0; s < b->nsel; s++) {
            SelIdx row = b->sel[s];
            ops->update(groups[l->gidx[row]].state + off, VGET(v, row),
                        aux ? VGET(aux, row) : NULL, batch_order(b, row), &l->t->am);
        }
    }
    gt_account(l->t, sd, l->ctx->mem); /* past half the limit: the groups go to disk */
}

/* Adds the groups of src to t (keys and states copied into t's pool). */
static void gt_add(GTable *t, const StatsData *sd, const GTable *src)
{
    for (size_t g = 0; g < src->n; g++) {
        const Group *sg = &src->groups[g];
        int created;
        uint32_t gi = gt_find(t, sd, sg->keys, sg->hash, sg->first, &created);
        Group *dst = &t->groups[gi];
        if (!created && sg->first < dst->first) { /* the keys as the earliest row spells them */
            for (int j = 0; j < sd->nkeys; j++) {
                dst->keys[j] = datum_copy(t->pool, &sg->keys[j]);
                t->am.bytes += sg->keys[j].len;
            }
            dst->first = sg->first;
        }
        for (int a = 0; a < sd->naggs; a++)
            agg_table[sd->aggs[a].fn]->merge(dst->state + sd->offs[a], sg->state + sd->offs[a],
                                             &t->am);
    }
}

/* Merges src into dst and frees src; the smaller table is merged into the larger (their
 * contents swap when src is larger: dst is the caller's pointer). */
static void gt_merge(GTable *dst, const StatsData *sd, GTable *src)
{
    if (dst->n < src->n) {
        GTable tmp = *dst;
        *dst = *src;
        *src = tmp;
    }
    for (int p = 0; p < NPART; p++) { /* the spilled groups, whichever table had them */
        spill_runs_move(&dst->part[p], src->part[p]);
        src->part[p] = NULL;
    }
    gt_add(dst, sd, src);
    gt_free(src, sd);
}

static OpState *stats_global_new(const Op *op)
{
    (void)op;
    return gt_new();
}

static void stats_combine(const Op *op, OpState *g, OpLocal *lp)
{
    StatsLocal *l = lp;
    GTable *t = g;
    const StatsData *sd = op->data;
    Budget *b = l->ctx->mem;
    if (l->t) { /* the two charges become the merged table's */
        if (sd->nkeys && !budget_room(b, 0, 2))
            gt_spill(l->t, sd, b); /* past half the limit: the worker's groups go to disk */
        int64_t was = t->charged + l->t->charged;
        gt_merge(t, sd, l->t);
        t->charged = was;
        gt_account(t, sd, b);
    }
    l->t = NULL;
}

static void stats_merge(const Op *op, OpState *dst, OpState *src)
{
    gt_merge(dst, op->data, src);
}

static OpState *stats_copy(const Op *op, const OpState *g)
{
    GTable *t = gt_new();
    gt_add(t, op->data, g);
    for (int p = 0; p < NPART; p++)
        t->part[p] = spill_runs_copy(((const GTable *)g)->part[p]);
    return t;
}

static void stats_state_free(const Op *op, OpState *g)
{
    gt_free(g, op->data);
}

typedef struct OrderCtx {
    const GTable *t;
    int nkeys;
} OrderCtx;

static int cmp_groups(const void *a, const void *b, void *arg)
{
    const OrderCtx *c = arg;
    const Group *x = &c->t->groups[*(const size_t *)a], *y = &c->t->groups[*(const size_t *)b];
    for (int k = 0; k < c->nkeys; k++) {
        int r = val_sort_cmp(&x->keys[k], &y->keys[k]);
        if (r)
            return r;
    }
    return x->first < y->first ? -1 : x->first > y->first;
}

void op_stats_unordered(Op *op)
{
    ((StatsData *)op->data)->unordered = 1;
}

void op_stats_topn(Op *op, int64_t n, const int *slots, const int *desc, int nkeys)
{
    StatsData *sd = op->data;
    int *src = apr_palloc(op->plan->pool, sizeof(int) * (size_t)(nkeys + 1));
    for (int k = 0; k < nkeys; k++) {
        src[k] = INT32_MIN;
        for (int j = 0; j < sd->nkeys; j++)
            if (sd->key_slots[j] == slots[k])
                src[k] = j;
        for (int a = 0; a < sd->naggs; a++)
            if (sd->aggs[a].slot == slots[k])
                src[k] = -1 - a;
        if (src[k] == INT32_MIN)
            return; /* a key computed after the stats: the sort does it all */
    }
    sd->topn = n;
    sd->ntk = nkeys;
    sd->tk_slot = slots;
    sd->tk_desc = desc;
    sd->tk_src = src;
}

/* top-N: a group's sort-key values and first row */
typedef struct TopRow {
    size_t g;
    uint64_t first;
    Datum *k;
} TopRow;

/* The sort's order (op_sort.c cmp_rows): keys with nulls last, then the first row. */
static int top_cmp(const StatsData *sd, const TopRow *x, const TopRow *y)
{
    for (int k = 0; k < sd->ntk; k++) {
        const Datum *a = &x->k[k], *b = &y->k[k];
        if (a->type == VT_NULL || b->type == VT_NULL) {
            if (a->type != b->type)
                return a->type == VT_NULL ? 1 : -1;
            continue;
        }
        int r = val_sort_cmp(a, b);
        if (r)
            return sd->tk_desc[k] ? -r : r;
    }
    return x->first < y->first ? -1 : x->first > y->first;
}

static void top_down(const StatsData *sd, TopRow *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && top_cmp(sd, &h[l], &h[m]) > 0)
            m = l;
        if (l + 1 < n && top_cmp(sd, &h[l + 1], &h[m]) > 0)
            m = l + 1;
        if (m == i)
            return;
        TopRow t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* The groups the sort after will keep: a max-heap of the best sd->topn by the sort's order,
 * filled in one pass. Their indices go to perm; returns how many. */
static size_t top_groups(const StatsData *sd, const GTable *t, apr_pool_t *pool, size_t *perm)
{
    size_t keep = (size_t)sd->topn, n = 0;
    TopRow *h = mem_alloc(sizeof(TopRow) * (keep + 1));
    Datum *kbuf = mem_alloc(sizeof(Datum) * (size_t)sd->ntk * (keep + 1));
    for (size_t i = 0; i <= keep; i++)
        h[i].k = &kbuf[i * (size_t)sd->ntk];
    for (size_t g = 0; g < t->n; g++) {
        TopRow *c = &h[keep]; /* the candidate, in the spare slot */
        c->g = g;
        c->first = t->groups[g].first;
        for (int k = 0; k < sd->ntk; k++) {
            int src = sd->tk_src[k];
            if (src >= 0) {
                c->k[k] = t->groups[g].keys[src];
            } else {
                const AggSpec *as = &sd->aggs[-1 - src];
                c->k[k] = agg_table[as->fn]->result(t->groups[g].state + sd->offs[-1 - src],
                                                    as->param, pool);
            }
        }
        if (n < keep) { /* fill, then heapify */
            TopRow tmp = h[n];
            h[n] = *c;
            *c = tmp;
            if (++n == keep)
                for (size_t i = keep / 2; i-- > 0;)
                    top_down(sd, h, keep, i);
        } else if (keep && top_cmp(sd, c, &h[0]) < 0) {
            TopRow tmp = h[0];
            h[0] = *c;
            *c = tmp;
            top_down(sd, h, keep, 0);
        }
    }
    for (size_t i = 0; i < n; i++)
        perm[i] = h[i].g;
    free(h);
    free(kbuf);
    return n;
}

/* One group's row: its keys in their key form, its aggregates' results (strings in pool, or
 * in the table's pool and states, which outlive the row). */
static void group_row(const StatsData *sd, const Group *g, Datum *row, int nslots,
                      apr_pool_t *pool)
{
    for (int s = 0; s < nslots; s++)
        row[s] = val_null();
    for (int j = 0; j < sd->nkeys; j++) { /* a number in its shortest form (L5) */
        char kb[64];
        Datum kf = val_key_form(&g->keys[j], kb, sizeof(kb));
        row[sd->key_slots[j]] = kf.s == kb ? datum_copy(pool, &kf) : kf;
    }
    for (int a = 0; a < sd->naggs; a++) {
        const AggOps *ops = agg_table[sd->aggs[a].fn];
        Datum r = ops->result(g->state + sd->offs[a], sd->aggs[a].param, pool);
        /* results point into pool or the states -- unless the state keeps memory of its own */
        row[sd->aggs[a].slot] = ops->destroy ? datum_copy(pool, &r) : r;
    }
}

/* The groups of a large table as rows in chunks (no copy of them beside the table). */
typedef struct GroupStream {
    RowStream base;
    const StatsData *sd;
    GTable *t;
    size_t *perm;
    size_t n, at;
    int nslots;
    Budget *b;
} GroupStream;

static size_t group_fill(RowStream *st, RowSet *rs)
{
    GroupStream *gs = (GroupStream *)st;
    const StatsData *sd = gs->sd;
    size_t n = 0;
    for (; gs->at < gs->n && n < LIQ_VEC_SIZE; gs->at++, n++) {
        const Group *g = &gs->t->groups[gs->perm[gs->at]];
        /* unordered: the sort after breaks ties by group keys, then by this first row */
        group_row(sd, g, rowset_add_row(rs, sd->unordered ? g->first : gs->at), gs->nslots,
                  rs->pool);
    }
    return n;
}

static void group_stream_free(RowStream *st)
{
    GroupStream *gs = (GroupStream *)st;
    budget_charge(gs->b, -gs->t->charged, NULL);
    gt_free(gs->t, gs->sd);
    free(gs->perm);
    free(gs);
}

static RowSet *streamed_rows(const Op *op, const OpCtx *ctx, GTable *t)
{
    const StatsData *sd = op->data;
    GroupStream *gs = mem_calloc(1, sizeof(*gs));
    gs->perm = mem_alloc(sizeof(size_t) * (t->n + 1));
    for (size_t g = 0; g < t->n; g++)
        gs->perm[g] = g;
    OrderCtx c = {t, sd->nkeys};
    gs->n = t->n;
    if (!sd->unordered)
        qsort_r(gs->perm, t->n, sizeof(size_t), cmp_groups, &c);
    else if (sd->topn >= 0 && (size_t)sd->topn < t->n)
        gs->n = top_groups(sd, t, t->pool, gs->perm); /* only the rows the sort will keep */
    gs->base.fill = group_fill;
    gs->base.free = group_stream_free;
    gs->base.total = gs->n;
    gs->sd = sd;
    gs->t = t;
    gs->nslots = op->plan->nslots;
    gs->b = ctx ? ctx->mem : NULL;
    RowSet *out = rowset_new(op->plan->nslots);
    out->stream = &gs->base;
    return out;
}

static RowSet *stats_finalize(const Op *op, const OpCtx *ctx, OpState *gs)
{
    const StatsData *sd = op->data;
    GTable *t = gs;
    if (gt_spilled(t))
        return spilled_rows(op, ctx, t);
    if (t->n > LIQ_VEC_SIZE)
        return streamed_rows(op, ctx, t);
    return gt_rows(sd, t, sd->unordered, sd->unordered, 1, ctx, op->plan->nslots);
}

/* The rows of t's groups (t consumed): ordered by their keys or unordered, and then only the
 * top N a sort after keeps (topn); their order keys: each group's first row (first), else
 * 0, 1, ... */
static RowSet *gt_rows(const StatsData *sd, GTable *t, int unordered, int first, int topn,
                       const OpCtx *ctx, int nslots)
{
    if (sd->nkeys == 0 && t->n == 0) { /* stats without by: one row even over no records */
        int created;
        gt_find(t, sd, NULL, keys_hash(NULL, 0), 0, &created);
    }
    size_t *perm = mem_alloc(sizeof(size_t) * (t->n + 1));
    for (size_t g = 0; g < t->n; g++)
        perm[g] = g;
    OrderCtx c = {t, sd->nkeys};
    size_t nout = t->n;
    if (!unordered)
        qsort_r(perm, t->n, sizeof(size_t), cmp_groups, &c);
    else if (topn && sd->topn >= 0 && (size_t)sd->topn < t->n)
        nout = top_groups(sd, t, t->pool, perm); /* only the rows the sort will keep */
    RowSet *rs = rowset_new(nslots);
    /* the rows keep pointing at the keys and states in the table's pool: hand it over */
    apr_pool_destroy(rs->pool);
    rs->pool = t->pool;
    t->pool = NULL;
    for (size_t i = 0; i < nout; i++) {
        const Group *g = &t->groups[perm[i]];
        /* unordered: the sort after breaks ties by group keys, then by this first row */
        group_row(sd, g, rowset_add_row(rs, first ? g->first : i), nslots, rs->pool);
    }
    free(perm);
    rowset_charge(rs, ctx, t->charged, "stats");
    gt_free(t, sd);
    return rs;
}

/* ===== Partial results (partial.h, issue 16) =====
 *
 * A partial's groups are a spilled table's: save spills every group (partial_put_group, by
 * partition) and hands on the partitions' bytes; load checks each group (whole, its hash that
 * of its keys) and writes the groups to the partitions of a new table, as a spill would. So
 * merging partials holds no group in memory: finalize drains the partitions one at a time,
 * merging each key's states as combine does, whatever the number of partials. */

static int stats_save(const Op *op, OpState *gs, LiqBuf *out)
{
    const StatsData *sd = op->data;
    GTable *t = gs;
    gt_spill(t, sd, NULL);
    partial_put_header(out, &sd->shape);
    for (int p = 0; p < NPART; p++)
        for (size_t r = 0; t->part[p] && r < t->part[p]->n; r++) {
            const SpillRun *run = &t->part[p]->r[r];
            size_t at = out->len;
            if (out->len + (size_t)run->len > out->cap)
                buf_grow(out, (size_t)run->len);
            if (spill_read(run->f, NULL, out->p + at, (size_t)run->len, run->off) < 0)
                return -1;
            out->len = at + (size_t)run->len;
        }
    return 0;
}

static OpState *stats_load(const Op *op, const char *p, size_t n)
{
    const StatsData *sd = op->data;
    const char *c = p, *end = p + n;
    size_t h0 = partial_get_header(c, end, &sd->shape);
    if (!h0)
        return NULL;
    c += h0;
    LiqBuf bufs[NPART];
    uint64_t counts[NPART] = {0};
    memset(bufs, 0, sizeof(bufs));
    Datum *keys = mem_alloc(sizeof(Datum) * (size_t)(sd->nkeys + 1));
    unsigned char *st = mem_alloc(sd->state_size + 1);
    apr_pool_t *scratch;
    apr_pool_create(&scratch, NULL);
    AggMem sm = {scratch, 0};
    int bad = 0;
    while (c < end && !bad) {
        for (int a = 0; a < sd->naggs; a++)
            agg_table[sd->aggs[a].fn]->init(st + sd->offs[a]);
        uint64_t h, first;
        size_t k = partial_get_group(c, end, &sd->shape, &sm, &h, &first, keys, st);
        bad = !k || h != keys_hash(keys, sd->nkeys);
        for (int a = 0; a < sd->naggs; a++)
            if (agg_table[sd->aggs[a].fn]->destroy)
                agg_table[sd->aggs[a].fn]->destroy(st + sd->offs[a]);
        apr_pool_clear(scratch);
        if (!bad) {
            int part = (int)(h >> 60);
            buf_add(&bufs[part], c, k);
            counts[part]++;
            c += k;
        }
    }
    GTable *t = bad ? NULL : stats_global_new(op);
    for (int q = 0; q < NPART; q++) {
        if (t && bufs[q].len && spill_runs_write(&t->part[q], NULL, &bufs[q], counts[q]) != 0) {
            gt_free(t, sd);
            t = NULL;
        }
        buf_free(&bufs[q]);
    }
    apr_pool_destroy(scratch);
    free(keys);
    free(st);
    return t;
}

static const OpVTable stats_vt = {
    .name = "stats",
    .local_new = stats_local_new,
    .global_new = stats_global_new,
    .sink = stats_sink,
    .combine = stats_combine,
    .merge = stats_merge,
    .copy = stats_copy,
    .finalize = stats_finalize,
    .state_free = stats_state_free,
    .save = stats_save,
    .load = stats_load,
};

Op *op_stats_new(Plan *p, Expr **keys, const int *key_slots, int nkeys, AggSpec *aggs, int naggs)
{
    StatsData *sd = apr_pcalloc(p->pool, sizeof(*sd));
    sd->keys = keys;
    sd->key_slots = key_slots;
    sd->nkeys = nkeys;
    sd->aggs = aggs;
    sd->naggs = naggs;
    sd->offs = apr_palloc(p->pool, sizeof(size_t) * (size_t)(naggs + 1));
    size_t off = 0;
    for (int a = 0; a < naggs; a++) {
        sd->offs[a] = off;
        off += (agg_table[aggs[a].fn]->size + 7) & ~(size_t)7;
    }
    sd->state_size = off;
    sd->topn = -1;
    int *fns = apr_palloc(p->pool, sizeof(int) * (size_t)(naggs + 1));
    for (int a = 0; a < naggs; a++)
        fns[a] = aggs[a].fn;
    sd->shape = (PartialShape){nkeys, naggs, fns, sd->offs};
    Expr **all = apr_palloc(p->pool, sizeof(Expr *) * (size_t)(nkeys + 2 * naggs + 1));
    int na = 0;
    for (int i = 0; i < nkeys; i++)
        all[na++] = keys[i];
    for (int a = 0; a < naggs; a++) {
        all[na++] = aggs[a].arg;
        all[na++] = aggs[a].arg2;
    }
    sd->ninputs = expr_inputs_union(p->pool, all, na, &sd->inputs);
    return op_new(p, &stats_vt, sd);
}
