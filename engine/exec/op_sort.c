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
 * State: the rows collected with their order keys: a RowSet, or for a sort without limit (the
 * state that grows with its input) compact records (SortRows, arena.h: issue 15's bytes per
 * row); combine and merge append, so their order does not matter: finalize orders by keys and
 * then by order key.
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
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "engine/exec/arena.h"
#include "engine/exec/budget.h"
#include "engine/exec/op.h"
#include "engine/exec/partial.h"
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

/* Sifts h[i] down the binary heap h[0..n) of indexes, where above(x, y, ctx) says that x
 * belongs above y (inlined into each caller with its comparison). */
static inline void idx_sink(size_t *h, size_t n, size_t i,
                            int (*above)(size_t, size_t, const void *), const void *ctx)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && above(h[l], h[m], ctx))
            m = l;
        if (l + 1 < n && above(h[l + 1], h[m], ctx))
            m = l + 1;
        if (m == i)
            return;
        size_t t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static int worse_row(size_t x, size_t y, const void *c)
{
    return cmp_best(&x, &y, c) > 0;
}

/* Sifts perm[i] down the heap perm[0..n) whose root is the worst row. */
static void heap_down(size_t *perm, size_t n, size_t i, const SortCtx *c)
{
    idx_sink(perm, n, i, worse_row, c);
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

typedef struct SortRows SortRows;

typedef struct SortLocal {
    RowSet *rows;      /* since the last combine (NULL: none yet) */
    SortRows *srows;   /* ... for a sort that keeps every row (spills) */
    size_t worst;      /* after a prune: the worst row kept (rows no better need not come
                        * in); SIZE_MAX: none */
    const OpCtx *ctx;  /* its rows_held */
    int counted;       /* its worker is in the state's nworkers */
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

/* Is op a sort that keeps every row (the one state of this file that grows with its input,
 * and spills: its state is a SortRows, every other's a RowSet)? */
static int spills(const Op *op)
{
    return op->limit < 0 && !op->tail && op->data && ((const SortData *)op->data)->nkeys > 0;
}

/* ===== The rows of a sort without limit: compact records (arena.h) =====
 *
 * A sort that keeps every row (the one state here that grows with its input) holds each row
 * as one record in an arena: its order key, then the values of its sort keys in key order,
 * then those of its other slots in slot order, each in arena.h's encoding (a 10-byte string
 * 12 bytes, a null 1), and a pointer to the record; the rows are ordered by sorting the
 * pointers. A row of three slots, one of them null, takes about 8 + 8 + its strings' bytes
 * + 4, where a row of Datums took 24 bytes a slot, its order key and its strings copied
 * apart (issue 15). JSON values are kept as copies of their trees in the state's pool. */
struct SortRows {
    Arena a;
    unsigned char **rec; /* the rows, in no order */
    size_t n, cap;
    apr_pool_t *pool;    /* JSON values */
    int64_t jbytes;      /* ... their bytes, about */
    int64_t charged;     /* what the rows charged the run's budget */
    SpillRuns *runs;     /* rows spilled, as sorted runs (NULL: none) */
    int nslots;
    int *other;          /* the slots that are not sort keys, ascending */
    int nother;
    int nworkers;        /* the workers that gave it rows: the threads sr_sort may use */
    int ordered;         /* rec is the nseg sorted runs that end at seg[] (--merge's loaded
                          * partials, each sorted by the --partial that wrote it): sr_sort
                          * merges them instead of sorting; 0: rec is in no order */
    size_t *seg, nseg, segcap;
};

/* Appends a sorted run ending at rec[end] to s's list. */
static void sr_seg_add(SortRows *s, size_t end)
{
    if (s->nseg == s->segcap) {
        s->segcap = s->segcap ? s->segcap * 2 : 4;
        s->seg = mem_realloc(s->seg, sizeof(size_t) * s->segcap);
    }
    s->seg[s->nseg++] = end;
}

/* s's rows are one sorted run. */
static void sr_seg_one(SortRows *s)
{
    s->ordered = 1;
    s->nseg = 0;
    if (s->n)
        sr_seg_add(s, s->n);
}

static SortRows *sr_new(const Op *op)
{
    const SortData *sd = op->data;
    SortRows *s = mem_calloc(1, sizeof(*s));
    s->ordered = 1; /* no rows: no runs */
    apr_pool_create(&s->pool, NULL);
    s->nslots = op->plan->nslots;
    s->other = mem_alloc(sizeof(int) * (size_t)(s->nslots + 1));
    for (int k = 0; k < s->nslots; k++) {
        int key = 0;
        for (int j = 0; j < sd->nkeys; j++)
            key |= sd->key_slots[j] == k;
        if (!key)
            s->other[s->nother++] = k;
    }
    return s;
}

static apr_status_t sr_pool_free(void *p)
{
    apr_pool_destroy(p);
    return APR_SUCCESS;
}

static void sr_clear(SortRows *s)
{
    arena_free(&s->a);
    free(s->rec);
    s->rec = NULL;
    s->n = s->cap = 0;
    s->jbytes = 0;
    s->ordered = 1;
    s->nseg = 0;
    apr_pool_clear(s->pool);
}

static void sr_free(SortRows *s)
{
    if (!s)
        return;
    arena_free(&s->a);
    free(s->rec);
    free(s->other);
    free(s->seg);
    apr_pool_destroy(s->pool);
    spill_runs_free(s->runs);
    free(s);
}

static size_t sr_bytes(const SortRows *s)
{
    return s->a.used + s->cap * sizeof(unsigned char *) + (size_t)s->jbytes +
           s->segcap * sizeof(size_t);
}

/* The slot of the i-th value of a record: the keys first, then the other slots. */
static int sr_slot(const SortRows *s, const SortData *sd, int i)
{
    return i < sd->nkeys ? sd->key_slots[i] : s->other[i - sd->nkeys];
}

/* Appends a row of values vals[slot] (NULL: null) with its order key. */
static void sr_add(SortRows *s, const SortData *sd, const Datum *const *vals, uint64_t order)
{
    int nv = sd->nkeys + s->nother;
    size_t n = 8;
    for (int i = 0; i < nv; i++) {
        const Datum *d = vals[sr_slot(s, sd, i)];
        n += d ? val_enc_size(d) : 1;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->rec = mem_realloc(s->rec, sizeof(unsigned char *) * s->cap);
    }
    unsigned char *r = arena_alloc(&s->a, n, NULL), *p = r + 8;
    memcpy(r, &order, 8);
    for (int i = 0; i < nv; i++) {
        const Datum *d = vals[sr_slot(s, sd, i)];
        if (!d) {
            *p++ = VT_NULL;
        } else if (d->type == VT_JSON) {
            Datum c = datum_copy(s->pool, d);
            s->jbytes += 64; /* a node, about */
            p = val_enc(p, &c);
        } else {
            p = val_enc(p, d);
        }
    }
    s->rec[s->n++] = r;
    s->ordered = 0;
}

/* The row of record r into row[] (every slot; strings pointing into r); its order key. */
static uint64_t sr_row(const SortRows *s, const SortData *sd, const unsigned char *r, Datum *row)
{
    uint64_t order;
    memcpy(&order, r, 8);
    const unsigned char *p = r + 8;
    for (int i = 0; i < sd->nkeys + s->nother; i++)
        p = val_dec(p, &row[sr_slot(s, sd, i)]);
    return order;
}

/* The order of sort: the keys (cmp_key), then the order key. */
static int sr_cmp(const void *a, const void *b, void *arg)
{
    const SortData *sd = arg;
    const unsigned char *x = *(unsigned char *const *)a, *y = *(unsigned char *const *)b;
    const unsigned char *xp = x + 8, *yp = y + 8;
    for (int k = 0; k < sd->nkeys; k++) {
        Datum dx, dy;
        xp = val_dec(xp, &dx);
        yp = val_dec(yp, &dy);
        int r = cmp_key(sd, k, &dx, &dy);
        if (r)
            return r;
    }
    uint64_t ox, oy;
    memcpy(&ox, x, 8);
    memcpy(&oy, y, 8);
    return ox < oy ? -1 : ox > oy;
}

/* ===== Sorting the records: normalised key prefixes (issue 21) =====
 *
 * sr_cmp decodes both rows' keys at every comparison. sr_sort instead gives each record a
 * 16-byte prefix beside its pointer (SortEnt): the first 128 bits of a bit string S(row) that
 * orders as the rows do -- S(a) < S(b) bit by bit means a sorts before b -- compared as two
 * integers; only rows with equal prefixes are compared by sr_cmp (which then decides by the
 * rest of the keys and the order key). S is each key's code in key order, every code
 * prefix-free, so no S is a proper prefix of another and cutting all of them at bit 128 keeps
 * the order (ties left to sr_cmp). A key's code:
 *
 *   2 bits of class: text 0, number 1 (desc: 1, 0), null 3 in both directions (L3: nulls
 *   last, text before numbers). A null has nothing more; desc inverts the rest of a code.
 *   A number (numbers, timestamps, numeric-looking strings: val_sort_cmp's rank): its double
 *   as 64 bits that order as the doubles do (sign flipped, negatives inverted), -0 as 0, NaN
 *   after +inf. Equal doubles are equal values when both are exact (val_num_exact); when one
 *   is not (more than 15 digits), the values may still differ, so the keys after it cannot
 *   be used: S stops after that key for every row of the sort (sr_sort finds the first such
 *   key and builds the prefixes again).
 *   Text (natural order, val_natural_cmp): 1 bit, set for digit-only strings (they sort after
 *   the others, by value), then for those their digit run; for the others a sequence of runs
 *   ended by 0x00: a non-digit run's bytes (0x00, 0x01, 0x02 written 0x02 0x00/01/02, so no
 *   byte is written below 0x02), followed by 0x01 when a digit run comes next (a shorter run
 *   first: 0x01 sorts before any byte); a digit run as 0x30 (between every non-digit byte
 *   below '0' and above '9': a digit against a non-digit orders by the characters), its
 *   length without leading zeros (a byte, or 0xff and 4 bytes) and its digits as nibbles.
 *   Equal codes mean equal runs, so the next key's code follows. Booleans, maps and lists
 *   sort as their text (val_format), as val_sort_cmp does.
 *
 * Sorting: the prefixes are built and the records sorted in as many chunks as workers gave
 * rows (SortRows.nworkers, one thread each), then the two sorted halves are merged, the first
 * half from the front and the last from the back at once; more runs merge two by two first
 * (ent_merge_runs). Rows that are sorted runs already (SortRows.ordered: the partials of
 * --merge, each sorted by its --partial) only get their prefixes and are merged: a k-way
 * merge of sorted runs, not a sort. LIQ_SORT_PREFIX=0 in the
 * environment sorts with sr_cmp alone on one thread, as before (for the differential test
 * tests/cli/sort_prefix.sh); so does a run whose memory budget has no room for the prefixes
 * (24 bytes a row for the time of the sort). */
typedef struct SortEnt {
    uint64_t w[2];       /* the prefix */
    unsigned char *rec;  /* the record */
} SortEnt;

typedef struct KeyBits {
    uint64_t w[2];
    int used;            /* bits written (128: full) */
    uint64_t inv;        /* all ones for a desc key: its code inverted */
} KeyBits;

/* Appends the n (<= 64) low bits of v (inverted for desc), cut at 128. */
static void kb_put(KeyBits *kb, uint64_t v, int n)
{
    v ^= kb->inv;
    while (n > 0 && kb->used < 128) {
        int off = kb->used & 63, room = 64 - off, take = n < room ? n : room;
        uint64_t bits = v >> (n - take);
        if (take < 64)
            bits &= ((uint64_t)1 << take) - 1;
        kb->w[kb->used >> 6] |= bits << (room - take);
        kb->used += take;
        n -= take;
    }
}

static int kb_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* A run of digits s[0..n) by value: its length without leading zeros, then its digits. */
static void kb_digits(KeyBits *kb, const unsigned char *s, size_t n)
{
    size_t z = 0;
    while (z + 1 < n && s[z] == '0')
        z++;
    size_t l = n - z;
    if (l < 255) {
        kb_put(kb, l, 8);
    } else {
        kb_put(kb, 255, 8);
        kb_put(kb, l, 32);
    }
    for (size_t i = z; i < n && kb->used < 128; i++)
        kb_put(kb, (uint64_t)(s[i] - '0'), 4);
}

/* Text in natural order (the code above). */
static void kb_text(KeyBits *kb, const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n && kb_digit(s[i]))
        i++;
    if (n && i == n) { /* digit-only: after every other string */
        kb_put(kb, 1, 1);
        kb_digits(kb, s, n);
        return;
    }
    kb_put(kb, 0, 1);
    for (i = 0; i < n && kb->used < 128;) {
        size_t r = i;
        if (kb_digit(s[i])) {
            while (r < n && kb_digit(s[r]))
                r++;
            kb_put(kb, 0x30, 8);
            kb_digits(kb, s + i, r - i);
        } else {
            for (; r < n && !kb_digit(s[r]) && kb->used < 128; r++) {
                if (s[r] <= 2)
                    kb_put(kb, 2, 8);
                kb_put(kb, s[r], 8);
            }
            if (r < n && kb_digit(s[r]))
                kb_put(kb, 1, 8);
        }
        i = r;
    }
    kb_put(kb, 0, 8);
}

/* Appends the code of key value d; returns 0 when the keys after it cannot follow (an inexact
 * number: equal doubles need not be equal values). */
static int kb_key(KeyBits *kb, const Datum *d, int desc, LiqBuf *scratch)
{
    kb->inv = 0;
    if (d->type == VT_NULL) {
        kb_put(kb, 3, 2);
        return 1;
    }
    double x = 0;
    int num;
    switch (d->type) {
    case VT_NUM:
        x = d->v.f;
        num = 1;
        break;
    case VT_TS:
        x = (double)d->v.i;
        num = 1;
        break;
    case VT_STR:
        num = val_as_number(d, &x);
        break;
    default:
        num = 0;
    }
    kb_put(kb, desc ? !num : num, 2); /* the class (never null's 3) */
    kb->inv = desc ? ~(uint64_t)0 : 0;
    if (num) {
        uint64_t u = UINT64_MAX;
        if (!isnan(x)) {
            if (x == 0)
                x = 0; /* -0 is 0 */
            memcpy(&u, &x, 8);
            u = u >> 63 ? ~u : u | (uint64_t)1 << 63;
        }
        kb_put(kb, u, 64);
        return d->type == VT_TS || val_num_exact(d);
    }
    if (d->type == VT_STR) {
        kb_text(kb, (const unsigned char *)d->s, d->len);
    } else {
        scratch->len = 0;
        val_format(scratch, d);
        kb_text(kb, (const unsigned char *)scratch->p, scratch->len);
    }
    return 1;
}

/* The prefix of record r from its first lim keys; *stop: lowered to k + 1 when key k < lim - 1
 * cannot be followed. */
static void sr_prefix(const SortData *sd, const unsigned char *r, int lim, int *stop,
                      LiqBuf *scratch, SortEnt *e)
{
    KeyBits kb = {{0, 0}, 0, 0};
    const unsigned char *p = r + 8;
    for (int k = 0; k < lim && kb.used < 128; k++) {
        Datum d;
        p = val_dec(p, &d);
        if (!kb_key(&kb, &d, sd->desc[k], scratch) && k + 1 < *stop)
            *stop = k + 1;
    }
    e->w[0] = kb.w[0];
    e->w[1] = kb.w[1];
    e->rec = (unsigned char *)(uintptr_t)r;
}

static inline int ent_cmp(const SortEnt *a, const SortEnt *b, const SortData *sd)
{
    if (a->w[0] != b->w[0])
        return a->w[0] < b->w[0] ? -1 : 1;
    if (a->w[1] != b->w[1])
        return a->w[1] < b->w[1] ? -1 : 1;
    if (a->rec == b->rec) /* the pivot against itself */
        return 0;
    return sr_cmp(&a->rec, &b->rec, (void *)(uintptr_t)sd);
}

static void ent_sift(SortEnt *a, size_t n, size_t i, const SortData *sd)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && ent_cmp(&a[l], &a[m], sd) > 0)
            m = l;
        if (l + 1 < n && ent_cmp(&a[l + 1], &a[m], sd) > 0)
            m = l + 1;
        if (m == i)
            return;
        SortEnt t = a[i];
        a[i] = a[m];
        a[m] = t;
        i = m;
    }
}

/* Introsort: quicksort (median of three, Hoare), heapsort past 2 log2 n levels, insertion
 * sort below 16 entries. */
static void ent_sort(SortEnt *a, size_t n, const SortData *sd, int depth)
{
    while (n > 16) {
        if (depth-- == 0) {
            for (size_t i = n / 2; i-- > 0;)
                ent_sift(a, n, i, sd);
            for (size_t i = n; i-- > 1;) {
                SortEnt t = a[0];
                a[0] = a[i];
                a[i] = t;
                ent_sift(a, i, 0, sd);
            }
            return;
        }
        size_t m = n / 2;
        SortEnt t;
#define ENT_SWAP(x, y) (t = a[x], a[x] = a[y], a[y] = t)
        if (ent_cmp(&a[m], &a[0], sd) < 0)
            ENT_SWAP(m, 0);
        if (ent_cmp(&a[n - 1], &a[0], sd) < 0)
            ENT_SWAP(n - 1, 0);
        if (ent_cmp(&a[n - 1], &a[m], sd) < 0)
            ENT_SWAP(n - 1, m);
        SortEnt p = a[m];
        size_t i = 0, j = n - 1; /* a[0] <= p <= a[n - 1] stop both scans */
        for (;;) {
            do
                i++;
            while (ent_cmp(&a[i], &p, sd) < 0);
            do
                j--;
            while (ent_cmp(&p, &a[j], sd) < 0);
            if (i >= j)
                break;
            ENT_SWAP(i, j);
        }
#undef ENT_SWAP
        /* [0, j] <= p <= [j + 1, n) */
        size_t left = j + 1;
        if (left < n - left) {
            ent_sort(a, left, sd, depth);
            a += left;
            n -= left;
        } else {
            ent_sort(a + left, n - left, sd, depth);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        SortEnt t = a[i];
        size_t j = i;
        for (; j > 0 && ent_cmp(&t, &a[j - 1], sd) < 0; j--)
            a[j] = a[j - 1];
        a[j] = t;
    }
}

/* One thread's share of sr_sort: the prefixes of records [from, to) (from their first lim
 * keys) into e[from, to), sorted unless a key cannot be followed (stop < lim) or the records
 * are sorted runs already (presorted: only their prefixes are made, for the merge). */
typedef struct SortJob {
    const SortData *sd;
    const SortRows *s;
    SortEnt *e;
    size_t from, to;
    int lim, stop, presorted;
} SortJob;

static void *sort_job(void *arg)
{
    SortJob *j = arg;
    LiqBuf scratch = {0};
    j->stop = j->lim;
    for (size_t i = j->from; i < j->to; i++)
        sr_prefix(j->sd, j->s->rec[i], j->lim, &j->stop, &scratch, &j->e[i]);
    buf_free(&scratch);
    if (j->stop == j->lim && !j->presorted) {
        size_t n = j->to - j->from;
        int depth = 0;
        for (size_t m = n; m > 1; m >>= 1)
            depth += 2;
        ent_sort(j->e + j->from, n, j->sd, depth);
    }
    return NULL;
}

/* Merging two sorted runs a[0, na) and b[0, nb) into out (the records): the first `half`
 * from the front, the rest from the back (two threads, each half the work). On a tie a's
 * entry goes first, from either end. */
typedef struct MergeJob {
    const SortData *sd;
    const SortEnt *a, *b;
    size_t na, nb, half;
    unsigned char **out;
    int back;
} MergeJob;

static void *merge_job(void *arg)
{
    MergeJob *m = arg;
    const SortEnt *a = m->a, *b = m->b;
    if (!m->back) {
        size_t i = 0, j = 0;
        for (size_t k = 0; k < m->half; k++)
            m->out[k] = j >= m->nb || (i < m->na && ent_cmp(&a[i], &b[j], m->sd) <= 0)
                            ? a[i++].rec
                            : b[j++].rec;
    } else {
        size_t i = m->na, j = m->nb; /* one past the next to take */
        for (size_t k = m->na + m->nb; k-- > m->half;)
            m->out[k] = j == 0 || (i > 0 && ent_cmp(&a[i - 1], &b[j - 1], m->sd) > 0)
                            ? a[--i].rec
                            : b[--j].rec;
    }
    return NULL;
}

enum { SORT_MAX_THREADS = 8, SORT_PAR_MIN = 1 << 14 };

/* Runs fn(arg[i]) for i < n, arg[0] on this thread and the others on threads of their own
 * (on this one too when a thread cannot be made). */
static void run_jobs(void *(*fn)(void *), void *args, size_t size, int n)
{
    pthread_t th[SORT_MAX_THREADS];
    int started[SORT_MAX_THREADS] = {0};
    for (int i = 1; i < n; i++)
        started[i] = pthread_create(&th[i], NULL, fn, (char *)args + size * (size_t)i) == 0;
    fn(args);
    for (int i = 1; i < n; i++) {
        if (started[i])
            pthread_join(th[i], NULL);
        else
            fn((char *)args + size * (size_t)i);
    }
}

static int prefix_off(void)
{
    const char *e = getenv("LIQ_SORT_PREFIX");
    return e && strcmp(e, "0") == 0;
}

/* A k-way merge of the sorted runs of e that end at end[0..n) (e[0, end[0]), e[end[0],
 * end[1]), ...) into rec: two runs on two threads (the first half of the output from the
 * front, the rest from the back), more through a binary heap of the runs' heads (n log k
 * comparisons, no memory beside e). The order is total, so no tie is left to the merge. */
/* The runs of a k-way merge: a run whose head comes first is above (a min-heap). */
typedef struct Heads {
    const SortEnt *e;
    const size_t *at; /* each run's head */
    const SortData *sd;
} Heads;

static int head_first(size_t x, size_t y, const void *arg)
{
    const Heads *h = arg;
    return ent_cmp(&h->e[h->at[x]], &h->e[h->at[y]], h->sd) < 0;
}

static void ent_merge_runs(const SortEnt *e, size_t total, const size_t *end, size_t n,
                           const SortData *sd, unsigned char **rec)
{
    if (n == 1) {
        for (size_t i = 0; i < total; i++)
            rec[i] = e[i].rec;
        return;
    }
    if (n == 2) {
        size_t mid = end[0];
        MergeJob m[2];
        m[0] = (MergeJob){sd, e, e + mid, mid, total - mid, total / 2, rec, 0};
        m[1] = m[0];
        m[1].back = 1;
        run_jobs(merge_job, m, sizeof(MergeJob), 2);
        return;
    }
    size_t *at = mem_alloc(sizeof(size_t) * n * 2), *heap = at + n, nh = 0;
    for (size_t r = 0, from = 0; r < n; from = end[r++]) {
        at[r] = from;
        if (from < end[r])
            heap[nh++] = r;
    }
    Heads hd = {e, at, sd};
    for (size_t i = nh / 2; i-- > 0;)
        idx_sink(heap, nh, i, head_first, &hd);
    for (size_t o = 0; nh; o++) {
        size_t r = heap[0];
        rec[o] = e[at[r]++].rec;
        if (at[r] == end[r])
            heap[0] = heap[--nh];
        idx_sink(heap, nh, 0, head_first, &hd);
    }
    free(at);
}

/* Orders s->rec by sr_cmp, with key prefixes on up to nthreads threads (see above). Rows that
 * are sorted runs already (s->ordered: --merge's partials) are merged, not sorted again. */
static void sr_sort(const SortData *sd, SortRows *s, Budget *b, int nthreads)
{
    if (s->n < 2 || (s->ordered && s->nseg <= 1)) {
        sr_seg_one(s);
        return;
    }
    size_t bytes = sizeof(SortEnt) * s->n;
    int nt = nthreads < 1 ? 1 : nthreads > SORT_MAX_THREADS ? SORT_MAX_THREADS : nthreads;
    if (s->n < SORT_PAR_MIN)
        nt = 1;
    int presorted = s->ordered;
    int64_t charge = (int64_t)bytes; /* the prefixes are charged while they live */
    if (prefix_off() || !budget_room(b, charge, 4)) {
        qsort_r(s->rec, s->n, sizeof(unsigned char *), sr_cmp, (void *)(uintptr_t)sd);
        sr_seg_one(s);
        return;
    }
    budget_charge(b, charge, "sort");
    SortEnt *e = mem_alloc(bytes);
    SortJob jobs[SORT_MAX_THREADS];
    int lim = sd->nkeys;
    for (;;) {
        for (int t = 0; t < nt; t++)
            jobs[t] = (SortJob){sd, s, e, s->n * (size_t)t / (size_t)nt,
                                s->n * (size_t)(t + 1) / (size_t)nt, lim, lim, presorted};
        run_jobs(sort_job, jobs, sizeof(SortJob), nt);
        int stop = lim;
        for (int t = 0; t < nt; t++)
            stop = jobs[t].stop < stop ? jobs[t].stop : stop;
        if (stop == lim)
            break;
        lim = stop; /* an inexact number at key stop - 1: the keys after it are left out */
    }
    size_t nend = presorted ? s->nseg : (size_t)nt;
    size_t *end = mem_alloc(sizeof(size_t) * nend);
    for (size_t t = 0; t < nend; t++)
        end[t] = presorted ? s->seg[t] : jobs[t].to;
    ent_merge_runs(e, s->n, end, nend, sd, s->rec);
    free(end);
    free(e);
    budget_charge(b, -charge, NULL);
    sr_seg_one(s);
}

static void sr_append_batch(SortRows *s, const Op *op, Batch *b)
{
    const SortData *sd = op->data;
    rowset_load_batch(op->plan, b);
    const Datum **vals = apr_palloc(b->pool, sizeof(Datum *) * (size_t)(s->nslots + 1));
    FOR_ROWS(b)
    {
        for (int k = 0; k < s->nslots; k++) {
            const Vec *v = &b->cols[k];
            vals[k] = v->loaded ? VGET(v, row) : NULL;
        }
        sr_add(s, sd, vals, batch_order(b, row));
    }
}

/* Writes s's rows, sorted, as a run of its spill file and empties s (its charge released). */
static void sr_spill(const Op *op, SortRows *s, Budget *b)
{
    const SortData *sd = op->data;
    if (!s->n)
        return;
    sr_sort(sd, s, b, 1);
    Datum *row = mem_alloc(sizeof(Datum) * (size_t)(s->nslots + 1));
    LiqBuf out = {0};
    for (size_t i = 0; i < s->n; i++) {
        uint64_t order = sr_row(s, sd, s->rec[i], row);
        spill_put_row(&out, row, s->nslots, order);
    }
    free(row);
    spill_runs_write(&s->runs, b, &out, s->n); /* fails: the run stops (budget_fail) */
    buf_free(&out);
    sr_clear(s);
    budget_track(b, &s->charged, (int64_t)sr_bytes(s), op->vt->name);
}

/* Moves src's rows to the end of dst's (src freed). */
static void sr_concat(SortRows *dst, SortRows *src)
{
    if (dst->n + src->n > dst->cap) {
        dst->cap = dst->n + src->n;
        dst->rec = mem_realloc(dst->rec, sizeof(unsigned char *) * dst->cap);
    }
    if (src->n) /* rec is NULL while there are no rows */
        memcpy(dst->rec + dst->n, src->rec, sizeof(unsigned char *) * src->n);
    if (dst->ordered && src->ordered) /* sorted runs stay runs: finalize merges them */
        for (size_t i = 0; i < src->nseg; i++)
            sr_seg_add(dst, dst->n + src->seg[i]);
    else
        dst->ordered = 0;
    dst->n += src->n;
    arena_move(&dst->a, &src->a);
    dst->jbytes += src->jbytes;
    spill_runs_move(&dst->runs, src->runs);
    src->runs = NULL;
    apr_pool_cleanup_register(dst->pool, src->pool, sr_pool_free, apr_pool_cleanup_null);
    src->pool = NULL;
    free(src->rec);
    free(src->other);
    free(src->seg);
    free(src);
}

static SortRows *sr_copy(const Op *op, const SortRows *s)
{
    const SortData *sd = op->data;
    SortRows *c = sr_new(op);
    c->runs = spill_runs_copy(s->runs);
    c->nworkers = s->nworkers;
    Datum *row = mem_alloc(sizeof(Datum) * (size_t)(s->nslots + 1));
    const Datum **vals = mem_alloc(sizeof(Datum *) * (size_t)(s->nslots + 1));
    for (size_t i = 0; i < s->n; i++) {
        uint64_t order = sr_row(s, sd, s->rec[i], row);
        for (int k = 0; k < s->nslots; k++)
            vals[k] = &row[k];
        sr_add(c, sd, vals, order);
    }
    free(row);
    free(vals);
    c->ordered = s->ordered;
    for (size_t i = 0; s->ordered && i < s->nseg; i++)
        sr_seg_add(c, s->seg[i]);
    return c;
}

/* The sorted rows of s, in chunks (no copy of them beside the records). */
typedef struct SortStream {
    RowStream base;
    const SortData *sd;
    SortRows *s;
    size_t at;
    Budget *b;
} SortStream;

static size_t sort_fill(RowStream *st, RowSet *rs)
{
    SortStream *ss = (SortStream *)st;
    size_t n = 0;
    for (; ss->at < ss->s->n && n < LIQ_VEC_SIZE; ss->at++, n++) {
        if (ss->at + 8 < ss->s->n) /* the records are in no order in memory: fetch ahead */
            __builtin_prefetch(ss->s->rec[ss->at + 8]);
        sr_row(ss->s, ss->sd, ss->s->rec[ss->at], rowset_add_row(rs, ss->at));
    }
    return n;
}

static void sort_stream_free(RowStream *st)
{
    SortStream *ss = (SortStream *)st;
    budget_charge(ss->b, -ss->s->charged, NULL);
    sr_free(ss->s);
    free(ss);
}

/* The rows of a sort state (consumed), sorted: order keys 0, 1, ... Spilled, the rows still
 * in memory are written as one more run and the runs merged (spill_merge_new); many rows are
 * handed on in chunks from the records; few are copied into a row set. */
static RowSet *sr_finalize(const Op *op, const OpCtx *ctx, SortRows *s)
{
    const SortData *sd = op->data;
    Budget *b = ctx ? ctx->mem : NULL;
    if (s->runs && s->runs->n) {
        sr_spill(op, s, b);
        RowSet *rs = rowset_new(s->nslots);
        rs->runs = s->runs;
        s->runs = NULL;
        rs->charged = s->charged;
        sr_free(s);
        SpillOrder ord = {sd->key_slots, sd->desc, sd->nkeys};
        RowSet *out = rowset_new(rs->nslots);
        out->stream = spill_merge_new(rs, mem_alloc(sizeof(size_t)), &ord, b, op->vt->name, 1);
        return out;
    }
    sr_sort(sd, s, b, s->nworkers);
    RowSet *out = rowset_new(s->nslots);
    if (s->n > LIQ_VEC_SIZE) {
        SortStream *ss = mem_calloc(1, sizeof(*ss));
        ss->base.fill = sort_fill;
        ss->base.free = sort_stream_free;
        ss->base.total = s->n;
        ss->sd = sd;
        ss->s = s;
        ss->b = b;
        out->stream = &ss->base;
        return out;
    }
    for (size_t i = 0; i < s->n; i++) {
        Datum *row = rowset_add_row(out, i);
        sr_row(s, sd, s->rec[i], row);
        for (int k = 0; k < s->nslots; k++) {
            out->sbytes += row[k].len;
            row[k] = datum_copy(out->pool, &row[k]);
        }
    }
    rowset_charge(out, ctx, s->charged, op->vt->name);
    sr_free(s);
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
    if (spills(op))
        return sr_new(op);
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
    if (spills(op)) {
        if (!l->srows)
            l->srows = sr_new(op);
        SortRows *s = l->srows;
        sr_append_batch(s, op, b);
        note_held(l->ctx, s->n);
        if (!budget_room(l->ctx->mem, (int64_t)sr_bytes(s) - s->charged, 2))
            sr_spill(op, s, l->ctx->mem);
        budget_track(l->ctx->mem, &s->charged, (int64_t)sr_bytes(s), op->vt->name);
        return;
    }
    if (!l->rows)
        l->rows = rowset_new(op->plan->nslots);
    if (bound == SIZE_MAX) {
        rowset_append_batch(l->rows, op->plan, b);
        note_held(l->ctx, l->rows->nrows);
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

/* src's rows into dst (a sort that keeps every row); src spills first when the run's
 * charges are past half the limit. */
static void sr_combine(const Op *op, SortRows *dst, SortRows *src, const OpCtx *ctx)
{
    if (ctx && !budget_room(ctx->mem, 0, 2))
        sr_spill(op, src, ctx->mem); /* past half the limit: its rows go to a run */
    int64_t was = dst->charged + src->charged; /* the two charges become dst's */
    sr_concat(dst, src);
    note_held(ctx, dst->n);
    if (ctx) {
        dst->charged = was;
        budget_track(ctx->mem, &dst->charged, (int64_t)sr_bytes(dst), op->vt->name);
    }
}

static void collect_combine(const Op *op, OpState *g, OpLocal *lp)
{
    SortLocal *l = lp;
    if (l->srows) {
        if (!l->counted)
            ((SortRows *)g)->nworkers++;
        l->counted = 1;
        sr_combine(op, g, l->srows, l->ctx);
    }
    if (l->rows)
        bounded_concat(op, g, l->rows, l->ctx);
    l->rows = NULL;
    l->srows = NULL;
    l->worst = SIZE_MAX;
}

static void collect_merge(const Op *op, OpState *dst, OpState *src)
{
    if (spills(op)) {
        SortRows *d = dst, *sr = src;
        if (sr->nworkers > d->nworkers)
            d->nworkers = sr->nworkers;
        sr_combine(op, dst, src, NULL);
    }
    else
        bounded_concat(op, dst, src, NULL);
}

static OpState *collect_copy(const Op *op, const OpState *g)
{
    if (spills(op))
        return sr_copy(op, g);
    return rowset_state_copy(op, g);
}

static void collect_free(const Op *op, OpState *g)
{
    if (spills(op))
        sr_free(g);
    else
        rowset_state_free(op, g);
}

static RowSet *sort_finalize(const Op *op, const OpCtx *ctx, OpState *g)
{
    const SortData *sd = op->data;
    if (spills(op))
        return sr_finalize(op, ctx, g);
    RowSet *rs = g;
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

/* Partial results (partial.h): a sort that keeps every row saves and loads as a row set
 * does (the same bytes), its records decoded into one for the time of the call. The rows
 * are saved sorted (the local part of the sort happens in --partial), then its spilled runs,
 * each sorted; the loader finds the sorted runs (each row not before the one ahead of it
 * continues a run) and --merge merges the runs of all partials instead of sorting again:
 * sorted runs, k-way merge. Nothing is trusted: a partial in no order is runs of one row. */
static int sort_save(const Op *op, OpState *g, LiqBuf *out)
{
    if (!spills(op))
        return rowset_state_save(op, g, out);
    SortRows *s = g;
    sr_sort(op->data, s, NULL, s->nworkers);
    RowSet *rs = rowset_new(s->nslots);
    for (size_t i = 0; i < s->n; i++) {
        Datum *row = rowset_add_row(rs, 0);
        rs->order[rs->nrows - 1] = sr_row(s, op->data, s->rec[i], row);
    }
    rs->runs = s->runs;
    int r = rowset_state_save(op, rs, out);
    rs->runs = NULL;
    rowset_free(rs);
    return r;
}

static OpState *sort_load(const Op *op, const char *p, size_t n, Budget *b)
{
    if (!spills(op))
        return rowset_state_load(op, p, n, b);
    int nslots = op->plan->nslots;
    const char *end = p + n;
    size_t h = partial_get_rows_header(p, end, nslots);
    if (!h)
        return NULL;
    SortRows *s = sr_new(op);
    Datum *row = mem_alloc(sizeof(Datum) * (size_t)(nslots + 1));
    const Datum **vals = mem_alloc(sizeof(Datum *) * (size_t)(nslots + 1));
    for (int k = 0; k < nslots; k++)
        vals[k] = &row[k];
    apr_pool_t *scratch; /* JSON values of one row, until sr_add copies them */
    apr_pool_create(&scratch, NULL);
    for (const char *c = p + h; c < end;) {
        uint64_t order;
        size_t k = partial_get_row(c, end, scratch, row, nslots, &order);
        if (!k) {
            sr_free(s);
            s = NULL;
            break;
        }
        c += k;
        sr_add(s, op->data, vals, order);
        apr_pool_clear(scratch);
    }
    apr_pool_destroy(scratch);
    free(vals);
    free(row);
    if (!s)
        return NULL;
    s->ordered = 1; /* its sorted runs: each row not before the one ahead of it continues one */
    for (size_t i = 1; i <= s->n; i++)
        if (i == s->n || sr_cmp(&s->rec[i - 1], &s->rec[i], (void *)(uintptr_t)op->data) > 0)
            sr_seg_add(s, i);
    return s;
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
    .save = sort_save,
    .load = sort_load,
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
