/* op_stats.c -- stats operator: hash aggregation by group keys
 *
 * Each worker aggregates into its own hash table (no locks on the hot path); combine merges a
 * worker's table into the run's (the state, a GTable); merge does the same with another
 * run's table. Past PAR_MIN groups a worker's table is partitioned by hash, combine keeps it
 * whole, and finalize merges the workers' tables partition by partition on as many threads
 * ("Partitioned merge", issue 21). Finalize emits one row per group, ordered by the group
 * keys ascending (L1, L3), with the keys and the aggregate results in their slots -- or in no
 * order when a sort right after it takes the keys as tie-breakers (op_stats_unordered), and
 * then only the best N when that sort keeps N (op_stats_topn). Expressions over aggregates
 * (sum(x)/count(*), earlier aliases) are computed by a fields operator the planner places right
 * after this one.
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
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>
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
    /* partitioned (a worker's table past PAR_MIN groups, "Partitioned merge" below): the
     * groups are in NPART tables by the top 4 bits of their hash, this one holds none (only
     * what spilled); NULL: not partitioned */
    struct GTable **sub;
    /* a run's state only: workers' partitioned tables combined but not merged yet (one per
     * worker, owner[i] its OpLocal); finalize merges them partition by partition on as many
     * threads, anything else first merges them in (gt_settle) */
    struct GTable **more;
    const void **owner;
    int nmore;
} GTable;

enum { NPART = 16 };
/* A worker's table is partitioned past this many groups ("Partitioned merge"); below, one
 * table merges faster than NPART. (A build may lower it to test the partitioned path with
 * the golden tests' few groups: -DLIQ_STATS_PAR_MIN=1.) */
#ifndef LIQ_STATS_PAR_MIN
#define LIQ_STATS_PAR_MIN (1 << 14)
#endif
enum { PAR_MIN = LIQ_STATS_PAR_MIN };

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

/* The heap a table holds, about: its records, index, and what states keep (not counting its
 * partitions). */
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

/* An empty table whose index holds about n groups before it grows (at least 48). */
static GTable *gt_new_sized(const StatsData *sd, size_t n)
{
    GTable *t = mem_calloc(1, sizeof(*t));
    t->kc = mem_alloc(sizeof(Datum) * (size_t)(sd->nkeys + 1));
    apr_pool_create(&t->pool, NULL);
    t->am.pool = t->pool;
    t->mask = 63;
    while (n * 4 > t->mask * 3)
        t->mask = t->mask * 2 + 1;
    t->index = mem_calloc(t->mask + 1, sizeof(uint64_t));
    return t;
}

static GTable *gt_new(const StatsData *sd)
{
    return gt_new_sized(sd, 0);
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
    for (int p = 0; t->sub && p < NPART; p++)
        gt_free(t->sub[p], sd);
    free(t->sub);
    for (int i = 0; i < t->nmore; i++)
        gt_free(t->more[i], sd);
    free(t->more);
    free(t->owner);
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

/* Drops every group of t (states destroyed unless they moved: moved), keeping its spilled
 * partitions. */
static void gt_clear(GTable *t, const StatsData *sd, int moved)
{
    if (!moved)
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

/* Writes t's groups to the spill partitions parts (by the 4 bits of their hash at level) and
 * empties t (its charge follows). */
static void gt_spill_to(GTable *t, const StatsData *sd, Budget *b, SpillRuns **parts, int level)
{
    LiqBuf bufs[NPART];
    uint64_t counts[NPART] = {0};
    memset(bufs, 0, sizeof(bufs));
    int shift = 60 - 4 * level;
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
            spill_runs_write(&parts[p], b, &bufs[p], counts[p]); /* fails: the run stops */
        buf_free(&bufs[p]);
    }
    gt_clear(t, sd, 0);
    budget_track(b, &t->charged, gt_bytes(t), "stats");
}

/* Writes t's groups to its spill partitions and empties it; a partitioned t's partitions
 * too, into its spill partitions (a partition's groups all go to the one of its number: the
 * same 4 bits at level 0). */
static void gt_spill(GTable *t, const StatsData *sd, Budget *b)
{
    for (int p = 0; t->sub && p < NPART; p++)
        gt_spill_to(t->sub[p], sd, b, t->part, t->level);
    gt_spill_to(t, sd, b, t->part, t->level);
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

static void gt_split(GTable *t, const StatsData *sd);

/* A worker's table after a batch: charges its growth, or spills it past half the limit
 * (gt_account); a table past PAR_MIN groups is partitioned (gt_split) and its partitions
 * are charged and spilled together. */
static void local_account(GTable *t, const StatsData *sd, Budget *b)
{
    if (!t->sub) {
        gt_account(t, sd, b);
        if (sd->nkeys && t->n >= PAR_MIN && !gt_spilled(t))
            gt_split(t, sd);
        return;
    }
    int64_t now = gt_bytes(t), was = t->charged;
    for (int p = 0; p < NPART; p++) {
        now += gt_bytes(t->sub[p]);
        was += t->sub[p]->charged;
    }
    if (!budget_room(b, now - was, 2)) {
        gt_spill(t, sd, b);
        return;
    }
    budget_track(b, &t->charged, gt_bytes(t), "stats");
    for (int p = 0; p < NPART; p++)
        budget_track(b, &t->sub[p]->charged, gt_bytes(t->sub[p]), "stats");
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
    GTable *t = l->t, *const *sub = t->sub;
    /* a partitioned table: each row's group in the partition of its hash's top 4 bits */
#define PT(h) (sub ? sub[(h) >> 60] : t)
    for (uint32_t s = 0; s < b->nsel; s++) {
        if (s + 16 < b->nsel) {
            const GTable *q = PT(hs[s + 16]);
            __builtin_prefetch(&q->index[hs[s + 16] & q->mask]);
        }
        if (s + 8 < b->nsel) {
            const GTable *q = PT(hs[s + 8]);
            uint64_t e = q->index[hs[s + 8] & q->mask];
            if (e)
                __builtin_prefetch(arena_at(&q->a, (e & REF_MASK) - 1));
        }
        SelIdx row = b->sel[s];
        for (int i = 0; i < nk; i++)
            k[i] = *VGET(kv[i], row);
        int created;
        l->grec[row] = gt_find(PT(hs[s]), sd, k, hs[s], batch_order(b, row), &created, NULL);
    }
    unsigned char **grec = l->grec;
    for (int a = 0; a < sd->naggs; a++) {
        const AggOps *ops = agg_table[sd->aggs[a].fn];
        size_t off = R_STATE + sd->offs[a];
        if (!sd->aggs[a].arg) {
            for (uint32_t s = 0; s < b->nsel; s++) {
                SelIdx row = b->sel[s];
                ops->update(grec[row] + off, NULL, NULL, 0, &PT(hs[s])->am);
            }
            continue;
        }
        Vec *v = expr_eval(sd->aggs[a].arg, l->ast[a], b);
        Vec *aux = sd->aggs[a].arg2 ? expr_eval(sd->aggs[a].arg2, l->ast2[a], b) : NULL;
        for (uint32_t s = 0; s < b->nsel; s++) {
            SelIdx row = b->sel[s];
            ops->update(grec[row] + off, VGET(v, row), aux ? VGET(aux, row) : NULL,
                        batch_order(b, row), &PT(hs[s])->am);
        }
    }
#undef PT
    local_account(t, sd, l->ctx->mem); /* past half the limit: the groups go to disk */
}

/* Adds the groups of src to t (keys and states copied into t). consume: src's records go
 * as they are merged (its chunks given back one by one, their states destroyed), so that
 * the two tables never hold all the groups twice; src is then to be freed. The groups go in
 * batches: the index entries of a batch's lookups are prefetched, then their records, then
 * the lookups run (a table of many groups misses cache twice per lookup otherwise). With
 * into, each group goes to into[] by the top 4 bits of its hash (t unused). */
static void gt_add_to(GTable *t, GTable *const *into, const StatsData *sd, GTable *src, int consume)
{
    enum { B = 16 };
    Datum *k = src->kc;
    size_t ss = sd->state_size;
    for (size_t c = 0; c < src->a.n; c++) {
        unsigned char *r = src->a.c[c].p, *e = r ? r + src->a.c[c].used : NULL;
        while (r < e) {
            unsigned char *batch[B];
            GTable *dst[B];
            int nb = 0;
            for (; r < e && nb < B; r += rec_layout(r, ss, NULL)) {
                if (rec_dead(r, ss))
                    continue;
                uint64_t h = rec_hash(r);
                dst[nb] = into ? into[h >> 60] : t;
                __builtin_prefetch(&dst[nb]->index[h & dst[nb]->mask]);
                batch[nb++] = r;
            }
            for (int i = 0; i < nb; i++) {
                uint64_t e0 = dst[i]->index[rec_hash(batch[i]) & dst[i]->mask];
                if (e0)
                    __builtin_prefetch(arena_at(&dst[i]->a, (e0 & REF_MASK) - 1));
            }
            for (int i = 0; i < nb; i++) {
                unsigned char *g = batch[i];
                rec_keys(g, sd, k);
                gt_merge_group(dst[i], sd, rec_hash(g), rec_first(g), k, rec_state(g));
                if (consume)
                    for (int a = 0; a < sd->naggs; a++) {
                        const AggOps *ops = agg_table[sd->aggs[a].fn];
                        if (ops->destroy)
                            ops->destroy(rec_state(g) + sd->offs[a]);
                    }
            }
        }
        if (consume) /* the chunk's records are merged: it goes */
            arena_drop(&src->a, c);
    }
    if (consume) {
        arena_free(&src->a); /* dead records' chunks too */
        src->n = 0;
    }
}

static void gt_add(GTable *t, const StatsData *sd, GTable *src, int consume)
{
    gt_add_to(t, NULL, sd, src, consume);
}

static void gt_merge(GTable *dst, const StatsData *sd, GTable *src);

/* Partitions t (a worker's table, not partitioned): its groups move to NPART new tables by
 * the top 4 bits of their hash (consumed as gt_add consumes); t keeps its spilled groups and
 * its charge (local_account moves it to the partitions). */
static void gt_split(GTable *t, const StatsData *sd)
{
    GTable **sub = mem_alloc(sizeof(GTable *) * NPART);
    for (int p = 0; p < NPART; p++)
        sub[p] = gt_new_sized(sd, t->n / NPART * 2);
    gt_add_to(NULL, sub, sd, t, 1);
    gt_clear(t, sd, 1);
    t->sub = sub;
}

/* What t charged its budget, its partitions' charges included. */
static int64_t gt_charged_all(const GTable *t)
{
    int64_t n = t->charged;
    for (int p = 0; t->sub && p < NPART; p++)
        n += t->sub[p]->charged;
    return n;
}

static void gt_settle(GTable *t, const StatsData *sd);

/* Merges src into dst and frees src; the smaller table is merged into the larger (their
 * contents swap when src is larger: dst is the caller's pointer). A partitioned src's
 * partitions are merged in one by one; dst is never partitioned (no run's state is). */
static void gt_merge(GTable *dst, const StatsData *sd, GTable *src)
{
    gt_settle(src, sd);
    if (src->sub) { /* partitioned: each partition in turn */
        GTable **sub = src->sub;
        int64_t charged = dst->charged;
        src->sub = NULL;
        for (int p = 0; p < NPART; p++)
            gt_merge(dst, sd, sub[p]);
        free(sub);
        dst->charged = charged;
    }
    if (dst->n < src->n) { /* the groups swap; dst's deferred tables stay dst's */
        GTable tmp = *dst;
        *dst = *src;
        *src = tmp;
        dst->more = src->more;
        dst->owner = src->owner;
        dst->nmore = src->nmore;
        src->more = NULL;
        src->owner = NULL;
        src->nmore = 0;
    }
    for (int p = 0; p < NPART; p++) { /* the spilled groups, whichever table had them */
        spill_runs_move(&dst->part[p], src->part[p]);
        src->part[p] = NULL;
    }
    gt_add(dst, sd, src, 1);
    gt_free(src, sd);
}

/* Merges t's deferred tables into t (one thread), the charges summed. */
static void gt_settle(GTable *t, const StatsData *sd)
{
    GTable **more = t->more;
    int nmore = t->nmore;
    free(t->owner);
    t->more = NULL;
    t->owner = NULL;
    t->nmore = 0;
    for (int i = 0; i < nmore; i++) {
        int64_t was = t->charged + gt_charged_all(more[i]);
        gt_merge(t, sd, more[i]);
        t->charged = was;
    }
    free(more);
}

static OpState *stats_global_new(const Op *op)
{
    return gt_new(op->data);
}

/* Whether a worker's table src joins t's deferred tables rather than being merged into t
 * now: it is partitioned (it passed PAR_MIN groups) and nothing spilled. */
static int defer_ok(const GTable *t, const GTable *src)
{
    return src->sub && !gt_spilled(src) && !gt_spilled(t);
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
        if (defer_ok(t, l->t)) {
            /* merged at finalize, in parallel; a worker that folds again (after a snapshot)
             * adds to its earlier table, partition by partition: one table per worker */
            int i = 0;
            while (i < t->nmore && t->owner[i] != l)
                i++;
            if (i < t->nmore && t->more[i]->sub) {
                GTable *m = t->more[i];
                for (int p = 0; p < NPART; p++) {
                    int64_t was = m->sub[p]->charged + l->t->sub[p]->charged;
                    gt_merge(m->sub[p], sd, l->t->sub[p]);
                    m->sub[p]->charged = was;
                    l->t->sub[p] = NULL;
                }
                m->charged += l->t->charged;
                l->t->charged = 0;
                gt_free(l->t, sd);
            } else {
                t->more = mem_realloc(t->more, sizeof(GTable *) * (size_t)(t->nmore + 1));
                t->owner = mem_realloc(t->owner, sizeof(void *) * (size_t)(t->nmore + 1));
                t->more[t->nmore] = l->t;
                t->owner[t->nmore++] = l;
            }
            l->t = NULL;
            return;
        }
        gt_settle(t, sd); /* as one table */
        int64_t was = t->charged + gt_charged_all(l->t);
        gt_merge(t, sd, l->t);
        t->charged = was;
        gt_account(t, sd, b);
    }
    l->t = NULL;
}

static void stats_merge(const Op *op, OpState *dst, OpState *src)
{
    gt_settle(dst, op->data);
    gt_merge(dst, op->data, src);
}

static OpState *stats_copy(const Op *op, const OpState *g)
{
    const GTable *gt = g;
    GTable *t = gt_new(op->data);
    gt_add(t, op->data, (GTable *)(uintptr_t)gt, 0); /* not consumed: g is read only */
    for (int i = 0; i < gt->nmore; i++)
        for (int p = 0; gt->more[i]->sub && p < NPART; p++)
            gt_add(t, op->data, gt->more[i]->sub[p], 0);
    for (int p = 0; p < NPART; p++)
        t->part[p] = spill_runs_copy(gt->part[p]);
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
static int top_cmp_key(const StatsData *sd, int k, const Datum *a, const Datum *b)
{
    if (a->type == VT_NULL || b->type == VT_NULL)
        return a->type == b->type ? 0 : a->type == VT_NULL ? 1 : -1;
    int r = val_sort_cmp(a, b);
    return sd->tk_desc[k] ? -r : r;
}

static int top_cmp(const StatsData *sd, const TopRow *x, const TopRow *y)
{
    for (int k = 0; k < sd->ntk; k++) {
        int r = top_cmp_key(sd, k, &x->k[k], &y->k[k]);
        if (r)
            return r;
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

/* The groups the sort after will keep, as they come: a max-heap of the best `keep` by the
 * sort's order (top_cmp, a total order: any split of the groups gives the same best). */
typedef struct TopHeap {
    TopRow *h; /* keep + 1: the last is the candidate's */
    Datum *kbuf;
    Datum *keys; /* scratch: a group's keys */
    size_t keep, n;
} TopHeap;

static void top_init(const StatsData *sd, TopHeap *th, size_t keep)
{
    th->keep = keep;
    th->n = 0;
    th->h = mem_alloc(sizeof(TopRow) * (keep + 1));
    th->kbuf = mem_alloc(sizeof(Datum) * (size_t)sd->ntk * (keep + 1));
    th->keys = mem_alloc(sizeof(Datum) * (size_t)(sd->nkeys + 1));
    for (size_t i = 0; i <= keep; i++)
        th->h[i].k = &th->kbuf[i * (size_t)sd->ntk];
}

/* Offers group r (its aggregates' results in pool). */
static void top_push(const StatsData *sd, TopHeap *th, unsigned char *r, apr_pool_t *pool)
{
    TopRow *h = th->h;
    size_t keep = th->keep;
    TopRow *c = &h[keep]; /* the candidate, in the spare slot */
    if (th->n == keep && keep && sd->ntk && sd->tk_src[0] < 0) {
        /* the heap is full: a group whose first sort key (an aggregate) is worse than the
         * worst kept one's goes without its keys decoded (most groups, for a top N) */
        const AggSpec *as = &sd->aggs[-1 - sd->tk_src[0]];
        Datum d = agg_table[as->fn]->result(rec_state(r) + sd->offs[-1 - sd->tk_src[0]],
                                            as->param, pool);
        if (top_cmp_key(sd, 0, &d, &h[0].k[0]) > 0)
            return;
    }
    c->g = r;
    c->first = rec_first(r);
    rec_keys(r, sd, th->keys);
    for (int k = 0; k < sd->ntk; k++) {
        int src = sd->tk_src[k];
        if (src >= 0) {
            c->k[k] = th->keys[src];
        } else {
            const AggSpec *as = &sd->aggs[-1 - src];
            c->k[k] = agg_table[as->fn]->result(rec_state(r) + sd->offs[-1 - src], as->param, pool);
        }
    }
    if (th->n < keep) { /* fill, then heapify */
        TopRow tmp = h[th->n];
        h[th->n] = *c;
        *c = tmp;
        if (++th->n == keep)
            for (size_t i = keep / 2; i-- > 0;)
                top_down(sd, h, keep, i);
    } else if (keep && top_cmp(sd, c, &h[0]) < 0) {
        TopRow tmp = h[0];
        h[0] = *c;
        *c = tmp;
        top_down(sd, h, keep, 0);
    }
}

/* The heap's groups into perm (in no order); returns how many. Frees the heap. */
static size_t top_done(TopHeap *th, unsigned char **perm)
{
    for (size_t i = 0; i < th->n; i++)
        perm[i] = th->h[i].g;
    free(th->h);
    free(th->kbuf);
    free(th->keys);
    return th->n;
}

/* The groups of t the sort after will keep, filled in one pass. They go to perm; returns how
 * many. */
static size_t top_groups(const StatsData *sd, GTable *t, apr_pool_t *pool, unsigned char **perm)
{
    TopHeap th;
    top_init(sd, &th, (size_t)sd->topn);
    FOR_GROUPS(t, sd, r)
    {
        top_push(sd, &th, r, pool);
    }
    return top_done(&th, perm);
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

/* The groups of large tables as rows in chunks (no copy of them beside the tables). */
typedef struct GroupStream {
    RowStream base;
    const StatsData *sd;
    GTable **tabs; /* the tables that hold the groups (freed with the stream) */
    int ntabs;
    int64_t charged; /* their charge to b */
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
    budget_charge(gs->b, -gs->charged, NULL);
    for (int i = 0; i < gs->ntabs; i++)
        gt_free(gs->tabs[i], gs->sd);
    free(gs->tabs);
    free(gs->perm);
    free(gs);
}

/* A row set that streams perm[0..n) (groups of tabs[0..ntabs), which it takes with their
 * charge). */
static RowSet *group_stream_new(const Op *op, const OpCtx *ctx, GTable **tabs, int ntabs,
                                int64_t charged, unsigned char **perm, size_t n)
{
    GroupStream *gs = mem_calloc(1, sizeof(*gs));
    gs->perm = perm;
    gs->n = n;
    gs->tabs = tabs;
    gs->ntabs = ntabs;
    gs->charged = charged;
    gs->base.fill = group_fill;
    gs->base.free = group_stream_free;
    gs->base.total = gs->n;
    gs->sd = op->data;
    gs->nslots = op->plan->nslots;
    gs->b = ctx ? ctx->mem : NULL;
    RowSet *out = rowset_new(op->plan->nslots);
    out->stream = &gs->base;
    return out;
}

static RowSet *streamed_rows(const Op *op, const OpCtx *ctx, GTable *t)
{
    const StatsData *sd = op->data;
    unsigned char **perm;
    size_t n;
    free(t->index); /* no more lookups: its room goes to the order of the groups */
    t->index = NULL;
    if (sd->unordered && sd->topn >= 0 && (size_t)sd->topn < t->n) {
        perm = mem_alloc(sizeof(unsigned char *) * ((size_t)sd->topn + 1));
        n = top_groups(sd, t, t->pool, perm); /* only the rows the sort will keep */
    } else {
        perm = sd->unordered ? gt_list(sd, t) : gt_sorted(sd, t);
        n = t->n;
    }
    GTable **tabs = mem_alloc(sizeof(GTable *));
    tabs[0] = t;
    return group_stream_new(op, ctx, tabs, 1, t->charged, perm, n);
}

/* ===== Partitioned merge =====
 *
 * A worker's table past PAR_MIN groups is partitioned (gt_split): its groups live in NPART
 * tables by the top 4 bits of their hash, the bits a spill partitions by at level 0
 * (gt_spill_to), so a partitioned table spills partition by partition into the same files.
 * Combine does not merge a partitioned table (on one thread, under the run's lock, while the
 * other workers wait): the run's state keeps it (GTable.more, one per worker), and finalize
 * merges the tables on as many threads, by partition: thread k of T takes partitions k,
 * k + T, ..., and for each merges the workers' tables of that partition into the largest
 * (gt_merge, as combine does, so the groups are the same). Then, still on its own
 * partitions, it prepares what comes next: their groups sorted by their keys (an ordered
 * result), or the best N of them for a sort | limit N after (top_push). The calling thread
 * merges those (a k-way merge of the sorted partitions; the best N of T * N) and streams
 * the rows. The orders are total (keys, then first row), so the rows are those of one merged
 * table, byte for byte, whatever T. One worker's table (--threads 1) takes the same way
 * without a thread: its partitions are already merged. */

enum { PM_LIST, PM_SORTED, PM_TOP };

typedef struct ParMerge {
    const StatsData *sd;
    GTable **src; /* partitioned tables: partition p of each goes to part[p] */
    int nsrc;
    int nthreads;
    int mode; /* PM_* */
    GTable *part[NPART];
    unsigned char **sorted[NPART]; /* PM_SORTED: each partition's groups by their keys */
    unsigned char **top[NPART];    /* PM_TOP: thread k's best groups ... */
    size_t ntop[NPART];            /* ... and their number */
} ParMerge;

typedef struct ParJob {
    ParMerge *pm;
    int k;
} ParJob;

static void par_run(ParMerge *pm, int k)
{
    const StatsData *sd = pm->sd;
    int T = pm->nthreads;
    TopHeap th;
    apr_pool_t *scratch = NULL;
    if (pm->mode == PM_TOP) {
        top_init(sd, &th, (size_t)sd->topn);
        apr_pool_create(&scratch, NULL);
    }
    for (int p = k; p < NPART; p += T) {
        GTable *dst = NULL;
        for (int i = 0; i < pm->nsrc; i++) { /* the largest takes the others */
            GTable *s = pm->src[i]->sub[p];
            pm->src[i]->sub[p] = NULL;
            if (!dst) {
                dst = s;
                continue;
            }
            int64_t was = dst->charged + s->charged;
            gt_merge(dst, sd, s);
            dst->charged = was;
        }
        if (!dst) /* no table (cannot happen: par_rows has one) */
            dst = gt_new(sd);
        pm->part[p] = dst;
        free(dst->index); /* no more lookups: its room goes to what comes next */
        dst->index = NULL;
        if (pm->mode == PM_SORTED) {
            pm->sorted[p] = gt_sorted(sd, dst);
        } else if (pm->mode == PM_TOP) {
            FOR_GROUPS(dst, sd, r)
            {
                top_push(sd, &th, r, scratch);
            }
        }
    }
    if (pm->mode == PM_TOP) {
        pm->top[k] = mem_alloc(sizeof(unsigned char *) * ((size_t)sd->topn + 1));
        pm->ntop[k] = top_done(&th, pm->top[k]);
        apr_pool_destroy(scratch);
    }
}

static void *APR_THREAD_FUNC par_main(apr_thread_t *th, void *arg)
{
    ParJob *j = arg;
    par_run(j->pm, j->k);
    (void)th; /* returning ends the thread (as pipe.c's workers) */
    return NULL;
}

/* The partitions' sorted groups merged into one order (cmp_groups): n of them. */
static unsigned char **par_kway(ParMerge *pm, size_t n)
{
    const StatsData *sd = pm->sd;
    unsigned char **out = mem_alloc(sizeof(unsigned char *) * (n + 1));
    int heap[NPART], nh = 0;
    size_t at[NPART] = {0};
    /* a min-heap of partitions by their next group */
#define HEAD(q)    (&pm->sorted[q][at[q]])
#define LESS(x, y) (cmp_groups(HEAD(x), HEAD(y), (void *)(uintptr_t)sd) < 0)
    for (int p = 0; p < NPART; p++) {
        if (!pm->part[p]->n)
            continue;
        int i = nh++;
        heap[i] = p;
        while (i > 0 && LESS(heap[i], heap[(i - 1) / 2])) {
            int t = heap[i];
            heap[i] = heap[(i - 1) / 2];
            heap[(i - 1) / 2] = t;
            i = (i - 1) / 2;
        }
    }
    for (size_t o = 0; o < n && nh; o++) {
        int p = heap[0];
        out[o] = *HEAD(p);
        if (++at[p] == pm->part[p]->n)
            heap[0] = heap[--nh];
        for (int i = 0;;) {
            int l = 2 * i + 1, m = i;
            if (l < nh && LESS(heap[l], heap[m]))
                m = l;
            if (l + 1 < nh && LESS(heap[l + 1], heap[m]))
                m = l + 1;
            if (m == i)
                break;
            int t = heap[i];
            heap[i] = heap[m];
            heap[m] = t;
            i = m;
        }
    }
#undef LESS
#undef HEAD
    return out;
}

/* The result of t and its deferred tables (partitioned; nothing spilled; all consumed),
 * merged by partition on as many threads (the calling one among them). */
static RowSet *par_rows(const Op *op, const OpCtx *ctx, GTable *t)
{
    const StatsData *sd = op->data;
    Budget *b = ctx ? ctx->mem : NULL;
    ParMerge pm = {0};
    pm.sd = sd;
    pm.src = mem_alloc(sizeof(GTable *) * (size_t)(t->nmore + 1));
    for (int i = 0; i < t->nmore; i++) {
        if (t->more[i]->sub) {
            pm.src[pm.nsrc++] = t->more[i];
        } else { /* cannot happen: combine defers partitioned tables only */
            int64_t was = t->charged + t->more[i]->charged;
            gt_merge(t, sd, t->more[i]);
            t->charged = was;
        }
    }
    t->nmore = 0; /* t->more's tables are pm.src's (freed below) */
    int64_t charged = 0;
    if (t->n) { /* groups of the state itself (another run's, merged in): partitioned too */
        gt_split(t, sd);
        pm.src[pm.nsrc++] = t;
    } else {
        charged = t->charged;
        t->charged = 0;
    }
    pm.nthreads = pm.nsrc < NPART ? pm.nsrc : NPART;
    size_t ngroups = 0;
    for (int i = 0; i < pm.nsrc; i++) {
        charged += pm.src[i]->charged; /* the partitions' charges are theirs */
        pm.src[i]->charged = 0;
        for (int p = 0; p < NPART; p++)
            ngroups += pm.src[i]->sub[p]->n;
    }
    /* what the groups go on to: all of them sorted, or all in no order (a sort after orders
     * them), or the best N (its limit) when N is less than the groups (the sum of the
     * workers' groups is a bound: that is settled again below) */
    pm.mode = !sd->unordered                                ? PM_SORTED
              : sd->topn >= 0 && (size_t)sd->topn < ngroups ? PM_TOP
                                                            : PM_LIST;
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    ParJob *jobs = mem_alloc(sizeof(ParJob) * (size_t)pm.nthreads);
    apr_thread_t **th = mem_alloc(sizeof(apr_thread_t *) * (size_t)pm.nthreads);
    int started = 1;
    for (int k = 1; k < pm.nthreads; k++) {
        jobs[k] = (ParJob){&pm, k};
        if (apr_thread_create(&th[k], NULL, par_main, &jobs[k], pool) != APR_SUCCESS)
            break;
        started++;
    }
    par_run(&pm, 0);
    for (int k = started; k < pm.nthreads; k++) /* a thread that could not start: here */
        par_run(&pm, k);
    for (int k = 1; k < started; k++) {
        apr_status_t rv;
        apr_thread_join(&rv, th[k]);
    }
    apr_pool_destroy(pool);
    free(th);
    free(jobs);
    for (int i = 0; i < pm.nsrc; i++) /* emptied: only their partition arrays are left */
        if (pm.src[i] != t)
            gt_free(pm.src[i], sd);
    free(pm.src);
    t->charged = 0;
    gt_free(t, sd);
    /* the partitions hold every group: their charge replaces what the tables charged */
    size_t total = 0;
    int64_t bytes = 0;
    for (int p = 0; p < NPART; p++) {
        total += pm.part[p]->n;
        bytes += gt_bytes(pm.part[p]);
        charged += pm.part[p]->charged;
    }
    budget_track(b, &charged, bytes, "stats");
    unsigned char **perm;
    size_t n;
    if (pm.mode == PM_SORTED) {
        perm = par_kway(&pm, total);
        n = total;
        for (int p = 0; p < NPART; p++)
            free(pm.sorted[p]);
    } else if (pm.mode == PM_TOP && (size_t)sd->topn < total) {
        TopHeap th2;
        apr_pool_t *scratch;
        apr_pool_create(&scratch, NULL);
        top_init(sd, &th2, (size_t)sd->topn);
        for (int k = 0; k < pm.nthreads; k++)
            for (size_t i = 0; i < pm.ntop[k]; i++)
                top_push(sd, &th2, pm.top[k][i], scratch);
        perm = mem_alloc(sizeof(unsigned char *) * ((size_t)sd->topn + 1));
        n = top_done(&th2, perm);
        apr_pool_destroy(scratch);
    } else { /* every group, in no order */
        perm = mem_alloc(sizeof(unsigned char *) * (total + 1));
        n = 0;
        for (int p = 0; p < NPART; p++)
            FOR_GROUPS(pm.part[p], sd, r)
            {
                perm[n++] = r;
            }
    }
    for (int k = 0; k < NPART; k++)
        free(pm.top[k]);
    GTable **tabs = mem_alloc(sizeof(GTable *) * NPART);
    for (int p = 0; p < NPART; p++) {
        tabs[p] = pm.part[p];
        tabs[p]->charged = 0; /* the stream's */
    }
    return group_stream_new(op, ctx, tabs, NPART, charged, perm, n);
}

static RowSet *stats_finalize(const Op *op, const OpCtx *ctx, OpState *gs)
{
    const StatsData *sd = op->data;
    GTable *t = gs;
    if (t->nmore && !gt_spilled(t))
        return par_rows(op, ctx, t);
    if (t->nmore) { /* merged as combine would have */
        gt_settle(t, sd);
        gt_account(t, sd, ctx ? ctx->mem : NULL);
    }
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
    gt_settle(t, sd);
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

static OpState *stats_load(const Op *op, const char *p, size_t n, Budget *b)
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
        if (t && bufs[q].len && spill_runs_write(&t->part[q], b, &bufs[q], counts[q]) != 0) {
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
