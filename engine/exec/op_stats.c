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
#include "engine/exec/arena.h"
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

/* A group is one record in the table's arena (arena.h), 8-aligned:
 *
 *   u64 hash of the keys; u64 first, the order key of the earliest row (which spells the
 *   keys); the aggregate states (state_size bytes, at StatsData.offs); a LEB128 number, the
 *   bytes kept for the keys << 1 | dead; the keys, encoded (arena.h), in those bytes.
 *
 * A count(*) by a 10-byte key is 40 bytes. The index is open addressing over 64-bit entries:
 * the top 24 bits of the hash, then the record's reference + 1 (0: empty), at most 3/4 full.
 * When a merge respells a group's keys (an earlier row spelled them otherwise) with more
 * bytes than the record kept, the group moves to a new record and the old one is marked dead;
 * walks over the records skip it. */
enum { R_HASH = 0, R_FIRST = 8, R_STATE = 16 };
#define TAG_MASK 0xFFFFFF0000000000ULL
#define REF_MASK 0x000000FFFFFFFFFFULL

typedef struct GTable {
    Arena a;          /* the groups */
    size_t n;         /* live groups */
    uint64_t *index;  /* NULL once finalize no longer looks groups up */
    size_t mask;
    apr_pool_t *pool;
    AggMem am;       /* the pool (JSON keys, what states keep), and the heap bytes states took */
    int64_t charged; /* what the table charged its run's budget */
    SpillRuns *part[16]; /* groups spilled, by 4 bits of their hash (NULL: none) ... */
    int level;           /* ... the top 4 at level 0, the next 4 at level 1, ... */
    Datum *kc;           /* scratch: a group's keys as its record gets them */
} GTable;

enum { NPART = 16 };

static inline uint64_t rec_hash(const unsigned char *r)
{
    uint64_t h;
    memcpy(&h, r + R_HASH, 8);
    return h;
}
static inline uint64_t rec_first(const unsigned char *r)
{
    uint64_t f;
    memcpy(&f, r + R_FIRST, 8);
    return f;
}
static inline void rec_set_first(unsigned char *r, uint64_t f)
{
    memcpy(r + R_FIRST, &f, 8);
}
static inline unsigned char *rec_state(unsigned char *r)
{
    return r + R_STATE;
}

/* The record's size; *koff: where its keys start. */
static inline size_t rec_layout(const unsigned char *r, size_t ss, size_t *koff)
{
    const unsigned char *p = r + R_STATE + ss;
    uint64_t v = 0;
    for (int sh = 0;; sh += 7) {
        unsigned b = *p++;
        v |= (uint64_t)(b & 127) << sh;
        if (b < 128)
            break;
    }
    if (koff)
        *koff = (size_t)(p - r);
    return ((size_t)(p - r) + (size_t)(v >> 1) + 7) & ~(size_t)7;
}

/* Dead: a merge moved the group to another record (gt_respell). */
static inline int rec_dead(const unsigned char *r, size_t ss)
{
    return r[R_STATE + ss] & 1;
}

static inline void rec_keys(const unsigned char *r, const StatsData *sd, Datum *k)
{
    size_t ko;
    rec_layout(r, sd->state_size, &ko);
    const unsigned char *p = r + ko;
    for (int j = 0; j < sd->nkeys; j++)
        p = val_dec(p, &k[j]);
}

/* For each live record r of t (unsigned char *), in chunk c_: the body must not break. */
#define FOR_GROUPS(t, sd, r)                                                                      \
    for (size_t c_ = 0; c_ < (t)->a.n; c_++)                                                     \
        for (unsigned char *r = (t)->a.c[c_].p, *e_ = r ? r + (t)->a.c[c_].used : NULL, *n_;    \
             r < e_; r = n_)                                                                     \
            if ((n_ = r + rec_layout(r, (sd)->state_size, NULL)), !rec_dead(r, (sd)->state_size))

/* The heap a table holds, about: its records, index, and what states keep. */
static int64_t gt_bytes(const GTable *t)
{
    return (int64_t)(t->a.used + (t->index ? (t->mask + 1) * sizeof(uint64_t) : 0)) + t->am.bytes;
}

typedef struct StatsLocal {
    GTable *t; /* the worker's groups since its last combine (NULL: none yet) */
    ExprState **kst, **ast, **ast2;
    unsigned char **grec; /* group of each row of the current batch */
    uint64_t *hs;   /* hash of each selected row of the current batch */
    Vec **kv;       /* the key columns of the current batch, one per group key */
    Datum *k;       /* one row's keys (as many as the query has: sized from the plan) */
    const OpCtx *ctx; /* its memory budget */
} StatsLocal;

static GTable *gt_new(const StatsData *sd)
{
    GTable *t = mem_calloc(1, sizeof(*t));
    t->kc = mem_alloc(sizeof(Datum) * (size_t)(sd->nkeys + 1));
    apr_pool_create(&t->pool, NULL);
    t->am.pool = t->pool;
    t->mask = 63;
    t->index = mem_calloc(t->mask + 1, sizeof(uint64_t));
    return t;
}

/* Destroys the states of t's groups that keep memory of their own. */
static void gt_destroy_states(GTable *t, const StatsData *sd)
{
    int any = 0;
    for (int a = 0; a < sd->naggs; a++)
        any |= agg_table[sd->aggs[a].fn]->destroy != NULL;
    if (!any)
        return;
    FOR_GROUPS(t, sd, r)
    {
        for (int a = 0; a < sd->naggs; a++) {
            const AggOps *ops = agg_table[sd->aggs[a].fn];
            if (ops->destroy)
                ops->destroy(rec_state(r) + sd->offs[a]);
        }
    }
}

static void gt_free(GTable *t, const StatsData *sd)
{
    if (!t)
        return;
    gt_destroy_states(t, sd);
    arena_free(&t->a);
    free(t->index);
    free(t->kc);
    apr_pool_destroy(t->pool);
    for (int p = 0; p < NPART; p++)
        spill_runs_free(t->part[p]);
    free(t);
}

static void gt_rehash(GTable *t, const StatsData *sd)
{
    size_t mask = t->mask * 2 + 1;
    free(t->index); /* the records have the hashes: the old index goes first */
    uint64_t *index = mem_calloc(mask + 1, sizeof(uint64_t));
    FOR_GROUPS(t, sd, r)
    {
        uint64_t h = rec_hash(r);
        size_t i = h & mask;
        while (index[i])
            i = (i + 1) & mask;
        index[i] = (h & TAG_MASK) | (arena_ref(c_, (size_t)(r - t->a.c[c_].p)) + 1);
    }
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

static int rec_equal(const unsigned char *r, const StatsData *sd, const Datum *k)
{
    size_t ko;
    rec_layout(r, sd->state_size, &ko);
    const unsigned char *p = r + ko;
    for (int j = 0; j < sd->nkeys; j++) {
        Datum d;
        p = val_dec(p, &d);
        if (!val_equal_key(&d, &k[j]))
            return 0;
    }
    return 1;
}

/* The keys' bytes in a record; JSON values copied into t's pool first (k's copy says so). */
static size_t keys_size(GTable *t, const StatsData *sd, const Datum *k, Datum *kc)
{
    size_t n = 0;
    for (int j = 0; j < sd->nkeys; j++) {
        kc[j] = k[j];
        if (k[j].type == VT_JSON)
            kc[j] = datum_copy(t->pool, &k[j]);
        n += val_enc_size(&kc[j]);
    }
    return n;
}

static size_t leb_size(uint64_t v)
{
    size_t n = 1;
    for (; v >= 128; v >>= 7)
        n++;
    return n;
}

/* A new record of keys kc (keys_size's copies, kbytes of them) with hash h and first row
 * first; its state left for the caller. Returns it; *ref names it. */
static unsigned char *rec_new(GTable *t, const StatsData *sd, const Datum *kc, size_t kbytes,
                              uint64_t h, uint64_t first, uint64_t *ref)
{
    size_t ss = sd->state_size;
    uint64_t hdr = (uint64_t)kbytes << 1;
    unsigned char *r =
        arena_alloc(&t->a, (R_STATE + ss + leb_size(hdr) + kbytes + 7) & ~(size_t)7, ref);
    memcpy(r + R_HASH, &h, 8);
    rec_set_first(r, first);
    unsigned char *p = r + R_STATE + ss;
    for (; hdr >= 128; hdr >>= 7)
        *p++ = (unsigned char)(hdr | 128);
    *p++ = (unsigned char)hdr;
    for (int j = 0; j < sd->nkeys; j++)
        p = val_enc(p, &kc[j]);
    return r;
}

/* Finds the group of keys k (hash h), creating it (keys copied, state initialised) if new.
 * *created tells which; *slot: its index entry. */
static unsigned char *gt_find(GTable *t, const StatsData *sd, const Datum *k, uint64_t h,
                              uint64_t order, int *created, size_t *slot)
{
    size_t i = h & t->mask;
    uint64_t tag = h & TAG_MASK;
    *created = 0;
    for (uint64_t e; (e = t->index[i]) != 0; i = (i + 1) & t->mask) {
        if ((e & TAG_MASK) != tag)
            continue;
        unsigned char *r = arena_at(&t->a, (e & REF_MASK) - 1);
        if (rec_hash(r) == h && rec_equal(r, sd, k)) {
            if (slot)
                *slot = i;
            return r;
        }
    }
    Datum *kc = t->kc;
    size_t kbytes = keys_size(t, sd, k, kc);
    uint64_t ref;
    unsigned char *r = rec_new(t, sd, kc, kbytes, h, order, &ref);
    for (int a = 0; a < sd->naggs; a++)
        agg_table[sd->aggs[a].fn]->init(rec_state(r) + sd->offs[a]);
    t->index[i] = tag | (ref + 1);
    *created = 1;
    if (++t->n * 4 > t->mask * 3) {
        gt_rehash(t, sd);
        i = SIZE_MAX; /* moved: a caller that needs the slot finds it again */
    }
    if (slot)
        *slot = i;
    return r;
}

/* The group r (at index entry slot, or SIZE_MAX: look it up) takes the keys k of an earlier
 * row first (a merge: the earliest row spells a group's keys). In place when they fit in the
 * bytes the record kept, else in a new record (the old one marked dead). Returns the group. */
static unsigned char *gt_respell(GTable *t, const StatsData *sd, unsigned char *r, size_t slot,
                                 const Datum *k, uint64_t first)
{
    size_t ko, ss = sd->state_size;
    size_t kept = rec_layout(r, ss, &ko) - ko; /* the bytes after the header, padding included */
    Datum *kc = t->kc;
    size_t kbytes = keys_size(t, sd, k, kc);
    rec_set_first(r, first);
    if (kbytes <= kept) {
        unsigned char *p = r + ko;
        for (int j = 0; j < sd->nkeys; j++)
            p = val_enc(p, &kc[j]);
        return r;
    }
    uint64_t h = rec_hash(r), ref;
    if (slot == SIZE_MAX) { /* the entry that names r */
        for (slot = h & t->mask; arena_at(&t->a, (t->index[slot] & REF_MASK) - 1) != r;
             slot = (slot + 1) & t->mask)
            ;
    }
    unsigned char *nr = rec_new(t, sd, kc, kbytes, h, first, &ref);
    memcpy(rec_state(nr), rec_state(r), ss);
    /* the old record: dead, its size unchanged (its header keeps the bytes, odd) */
    unsigned char *hp = r + R_STATE + ss;
    *hp |= 1;
    t->index[slot] = (h & TAG_MASK) | (ref + 1);
    return nr;
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
    gt_destroy_states(t, sd);
    arena_free(&t->a);
    t->n = 0;
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
    Datum *k = mem_alloc(sizeof(Datum) * (size_t)(sd->nkeys + 1));
    FOR_GROUPS(t, sd, r)
    {
        uint64_t h = rec_hash(r);
        int p = (int)((h >> shift) & (NPART - 1));
        rec_keys(r, sd, k);
        partial_put_group(&bufs[p], &sd->shape, h, rec_first(r), k, rec_state(r));
        counts[p]++;
    }
    free(k);
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

/* Adds a group (hash h, first row first, keys k, state st) to t as a merge does: a new group
 * or the one with equal keys, spelled by the earlier row, st merged into its state. */
static void gt_merge_group(GTable *t, const StatsData *sd, uint64_t h, uint64_t first,
                           const Datum *k, const unsigned char *st)
{
    int created;
    size_t slot;
    unsigned char *r = gt_find(t, sd, k, h, first, &created, &slot);
    if (!created && first < rec_first(r)) /* the keys as the earliest row spells them */
        r = gt_respell(t, sd, r, slot, k, first);
    for (int a = 0; a < sd->naggs; a++)
        agg_table[sd->aggs[a].fn]->merge(rec_state(r) + sd->offs[a], st + sd->offs[a], &t->am);
}

static RowSet *gt_rows(const StatsData *sd, GTable *t, const OpCtx *ctx, int nslots);
static void group_row(const StatsData *sd, const unsigned char *r, Datum *row, int nslots,
                      apr_pool_t *pool);
static unsigned char **gt_sorted(const StatsData *sd, GTable *t);

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
        GTable *pt = gt_new(sd);
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
                gt_merge_group(pt, sd, h, first, keys, st);
                for (int a = 0; a < sd->naggs; a++) {
                    const AggOps *ops = agg_table[sd->aggs[a].fn];
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
        /* the groups in key order as one sorted run (order keys: their first rows) */
        size_t n = pt->n;
        unsigned char **perm = gt_sorted(sd, pt);
        Datum *row = mem_alloc(sizeof(Datum) * (size_t)(nslots + 1));
        apr_pool_t *scratch;
        apr_pool_create(&scratch, NULL);
        LiqBuf buf = {0};
        for (size_t i = 0; i < n; i++) {
            group_row(sd, perm[i], row, nslots, scratch);
            spill_put_row(&buf, row, nslots, rec_first(perm[i]));
            if (i % 1024 == 1023)
                apr_pool_clear(scratch);
        }
        if (n)
            spill_runs_write(&all->runs, b, &buf, n);
        buf_free(&buf);
        apr_pool_destroy(scratch);
        free(row);
        free(perm);
        budget_charge(b, -pt->charged, NULL);
        gt_free(pt, sd);
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
    l->grec = apr_palloc(pool, sizeof(unsigned char *) * LIQ_VEC_SIZE);
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
        l->t = gt_new(sd);
    if (sd->ninputs) /* one decoding pass for every key and argument, not one each */
        dec_load(op->plan, b, sd->inputs, sd->ninputs);
    for (int i = 0; i < nk; i++)
        kv[i] = expr_eval(sd->keys[i], l->kst[i], b);
    /* Hash every row first, then look the groups up with the index slot and the group's
     * record prefetched a few rows ahead: with many groups, each lookup is otherwise two
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
                __builtin_prefetch(arena_at(&t->a, (e & REF_MASK) - 1));
        }
        SelIdx row = b->sel[s];
        for (int i = 0; i < nk; i++)
            k[i] = *VGET(kv[i], row);
        int created;
        l->grec[row] = gt_find(t, sd, k, hs[s], batch_order(b, row), &created, NULL);
    }
    unsigned char **grec = l->grec;
    for (int a = 0; a < sd->naggs; a++) {
        const AggOps *ops = agg_table[sd->aggs[a].fn];
        size_t off = R_STATE + sd->offs[a];
        if (!sd->aggs[a].arg) {
            for (uint32_t s = 0; s < b->nsel; s++) {
                SelIdx row = b->sel[s];
                ops->update(grec[row] + off, NULL, NULL, 0, &t->am);
            }
            continue;
        }
        Vec *v = expr_eval(sd->aggs[a].arg, l->ast[a], b);
        Vec *aux = sd->aggs[a].arg2 ? expr_eval(sd->aggs[a].arg2, l->ast2[a], b) : NULL;
        for (uint32_t s = 0; s < b->nsel; s++) {
            SelIdx row = b->sel[s];
            ops->update(grec[row] + off, VGET(v, row), aux ? VGET(aux, row) : NULL,
                        batch_order(b, row), &t->am);
        }
    }
    gt_account(t, sd, l->ctx->mem); /* past half the limit: the groups go to disk */
}

/* Adds the groups of src to t (keys and states copied into t). consume: src's records go
 * as they are merged (its chunks given back one by one, their states destroyed), so that
 * the two tables never hold all the groups twice; src is then to be freed. */
static void gt_add(GTable *t, const StatsData *sd, GTable *src, int consume)
{
    Datum *k = src->kc;
    FOR_GROUPS(src, sd, r)
    {
        rec_keys(r, sd, k);
        gt_merge_group(t, sd, rec_hash(r), rec_first(r), k, rec_state(r));
        if (consume)
            for (int a = 0; a < sd->naggs; a++) {
                const AggOps *ops = agg_table[sd->aggs[a].fn];
                if (ops->destroy)
                    ops->destroy(rec_state(r) + sd->offs[a]);
            }
        if (consume && n_ == e_) /* the chunk's last record: the chunk goes */
            arena_drop(&src->a, c_);
    }
    if (consume) {
        arena_free(&src->a); /* dead records' chunks too */
        src->n = 0;
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
    gt_add(dst, sd, src, 1);
    gt_free(src, sd);
}

static OpState *stats_global_new(const Op *op)
{
    return gt_new(op->data);
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
    GTable *t = gt_new(op->data);
    gt_add(t, op->data, (GTable *)(uintptr_t)g, 0); /* not consumed: g is read only */
    for (int p = 0; p < NPART; p++)
        t->part[p] = spill_runs_copy(((const GTable *)g)->part[p]);
    return t;
}

static void stats_state_free(const Op *op, OpState *g)
{
    gt_free(g, op->data);
}

static int cmp_groups(const void *a, const void *b, void *arg)
{
    const StatsData *sd = arg;
    const unsigned char *x = *(unsigned char *const *)a, *y = *(unsigned char *const *)b;
    size_t xo, yo;
    rec_layout(x, sd->state_size, &xo);
    rec_layout(y, sd->state_size, &yo);
    const unsigned char *xp = x + xo, *yp = y + yo;
    for (int k = 0; k < sd->nkeys; k++) {
        Datum dx, dy;
        xp = val_dec(xp, &dx);
        yp = val_dec(yp, &dy);
        int r = val_sort_cmp(&dx, &dy);
        if (r)
            return r;
    }
    uint64_t fx = rec_first(x), fy = rec_first(y);
    return fx < fy ? -1 : fx > fy;
}

/* t's groups in no order (malloc'd; t->n of them). */
static unsigned char **gt_list(const StatsData *sd, GTable *t)
{
    unsigned char **perm = mem_alloc(sizeof(unsigned char *) * (t->n + 1));
    size_t n = 0;
    FOR_GROUPS(t, sd, r)
    {
        perm[n++] = r;
    }
    return perm;
}

/* t's groups ordered by their keys, then first rows (malloc'd; t->n of them). */
static unsigned char **gt_sorted(const StatsData *sd, GTable *t)
{
    unsigned char **perm = gt_list(sd, t);
    qsort_r(perm, t->n, sizeof(unsigned char *), cmp_groups, (void *)(uintptr_t)sd);
    return perm;
}

void op_stats_unordered(Op *op)
{
    ((StatsData *)op->data)->unordered = 1;
}

/* Aggregates whose result is an integer that carries no text (no spelling), so that rows of
 * groups ordered one way or another cannot tell a later stats anything but their values. */
static int integral_result(int fn)
{
    return fn == FN_count || fn == FN_count_distinct || fn == FN_count_over_time;
}

int op_stats_unordered_before(Op *op, const Op *next)
{
    StatsData *sd = op->data;
    const StatsData *nd = next->data;
    if (sd->unordered)
        return 1;
    /* the next stats orders its own groups by its keys (distinct, so its output order is
     * theirs whatever its input order); what its input order could still decide is the
     * spelling of its keys and ties of min, max, earliest, ... (the earlier row wins): none
     * when everything it reads is an integral result of this one */
    int *ok = apr_palloc(op->plan->pool, sizeof(int) * (size_t)(sd->naggs + 1)), nok = 0;
    for (int a = 0; a < sd->naggs; a++)
        if (integral_result(sd->aggs[a].fn))
            ok[nok++] = sd->aggs[a].slot;
    for (int i = 0; i < nd->nkeys; i++)
        if (!expr_reads_only(nd->keys[i], ok, nok))
            return 0;
    for (int a = 0; a < nd->naggs; a++)
        if (!expr_reads_only(nd->aggs[a].arg, ok, nok) ||
            !expr_reads_only(nd->aggs[a].arg2, ok, nok))
            return 0;
    sd->unordered = 1;
    return 1;
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
    unsigned char *g;
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
 * filled in one pass. They go to perm; returns how many. */
static size_t top_groups(const StatsData *sd, GTable *t, apr_pool_t *pool, unsigned char **perm)
{
    size_t keep = (size_t)sd->topn, n = 0;
    TopRow *h = mem_alloc(sizeof(TopRow) * (keep + 1));
    Datum *kbuf = mem_alloc(sizeof(Datum) * (size_t)sd->ntk * (keep + 1));
    Datum *keys = t->kc;
    for (size_t i = 0; i <= keep; i++)
        h[i].k = &kbuf[i * (size_t)sd->ntk];
    FOR_GROUPS(t, sd, r)
    {
        TopRow *c = &h[keep]; /* the candidate, in the spare slot */
        c->g = r;
        c->first = rec_first(r);
        rec_keys(r, sd, keys);
        for (int k = 0; k < sd->ntk; k++) {
            int src = sd->tk_src[k];
            if (src >= 0) {
                c->k[k] = keys[src];
            } else {
                const AggSpec *as = &sd->aggs[-1 - src];
                c->k[k] = agg_table[as->fn]->result(rec_state(r) + sd->offs[-1 - src],
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
 * in the table's records, pool and states, which outlive the row). */
static void group_row(const StatsData *sd, const unsigned char *r, Datum *row, int nslots,
                      apr_pool_t *pool)
{
    for (int s = 0; s < nslots; s++)
        row[s] = val_null();
    size_t ko;
    rec_layout(r, sd->state_size, &ko);
    const unsigned char *p = r + ko;
    for (int j = 0; j < sd->nkeys; j++) { /* a number in its shortest form (L5) */
        char kb[64];
        Datum key;
        p = val_dec(p, &key);
        Datum kf = val_key_form(&key, kb, sizeof(kb));
        row[sd->key_slots[j]] = kf.s == kb ? datum_copy(pool, &kf) : kf;
    }
    unsigned char *st = (unsigned char *)(uintptr_t)(r + R_STATE); /* result() may cache */
    for (int a = 0; a < sd->naggs; a++) {
        const AggOps *ops = agg_table[sd->aggs[a].fn];
        Datum res = ops->result(st + sd->offs[a], sd->aggs[a].param, pool);
        /* results point into pool or the states -- unless the state keeps memory of its own */
        row[sd->aggs[a].slot] = ops->destroy ? datum_copy(pool, &res) : res;
    }
}

/* The groups of a large table as rows in chunks (no copy of them beside the table). */
typedef struct GroupStream {
    RowStream base;
    const StatsData *sd;
    GTable *t;
    unsigned char **perm;
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
        const unsigned char *r = gs->perm[gs->at];
        /* unordered: the sort after breaks ties by group keys, then by this first row */
        group_row(sd, r, rowset_add_row(rs, sd->unordered ? rec_first(r) : gs->at), gs->nslots,
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
    free(t->index); /* no more lookups: its room goes to the order of the groups */
    t->index = NULL;
    if (sd->unordered && sd->topn >= 0 && (size_t)sd->topn < t->n) {
        gs->perm = mem_alloc(sizeof(unsigned char *) * ((size_t)sd->topn + 1));
        gs->n = top_groups(sd, t, t->pool, gs->perm); /* only the rows the sort will keep */
    } else {
        gs->perm = sd->unordered ? gt_list(sd, t) : gt_sorted(sd, t);
        gs->n = t->n;
    }
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
    return gt_rows(sd, t, ctx, op->plan->nslots);
}

/* The rows of t's few groups (t consumed): ordered by their keys, or unordered (order keys:
 * each group's first row) and then only the top N a sort after keeps. Their values are
 * copied into the row set's pool: the table goes. */
static RowSet *gt_rows(const StatsData *sd, GTable *t, const OpCtx *ctx, int nslots)
{
    if (sd->nkeys == 0 && t->n == 0) { /* stats without by: one row even over no records */
        int created;
        gt_find(t, sd, NULL, keys_hash(NULL, 0), 0, &created, NULL);
    }
    unsigned char **perm;
    size_t nout = t->n;
    if (!sd->unordered) {
        perm = gt_sorted(sd, t);
    } else {
        perm = gt_list(sd, t);
        if (sd->topn >= 0 && (size_t)sd->topn < t->n)
            nout = top_groups(sd, t, t->pool, perm); /* only the rows the sort will keep */
    }
    RowSet *rs = rowset_new(nslots);
    for (size_t i = 0; i < nout; i++) {
        /* unordered: the sort after breaks ties by group keys, then by this first row */
        Datum *row = rowset_add_row(rs, sd->unordered ? rec_first(perm[i]) : i);
        group_row(sd, perm[i], row, nslots, rs->pool);
        for (int s = 0; s < nslots; s++)
            row[s] = datum_copy(rs->pool, &row[s]);
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
