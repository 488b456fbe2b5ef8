/* op_window.c -- the 2025-26 commands that read rows in order: accum, autoregress, filldown,
 * sessionize, addtotals, fillmissing, outlier (docs/commands-2025.md)
 *
 * Each is a breaker whose state is the rows (a RowSet: states merge by concatenation, as
 * unnest's). finalize puts them in one order that no thread count or batch size changes:
 * input order (order key, then position), and with by_time first by @timestamp (rows
 * without one after every row with one), a stable sort. Then one pass computes the command:
 *
 *   accum        out = the sum of the numbers in[0] had in this and every earlier row (a row
 *                whose in[0] is no number adds nothing; null until the first number)
 *   autoregress  out[i] = in[0] of the row lag_lo + i rows earlier (null before the first)
 *   filldown     a null in[i] takes the last non-null value in[i] had
 *   sessionize   rows with equal in[] values (val_equal_key) whose @timestamps are at most
 *                maxspan apart in a row are one session; sessions are numbered 1, 2, ... in
 *                the order they start; rows without @timestamp or with a null in[] value: null
 *   addtotals    out[0] = the sum of the numbers among the row's in[] (row); then (col) one
 *                more row: each in[]'s sum, and out[0]'s
 *   fillmissing  after stats ... by bin(): for each combination of the other keys, a row for
 *                every bin between the first and the last bin of all rows that it lacks, with
 *                fill[i] in out[i]; then the rows in the stats' order (keys ascending, L1)
 *   outlier      per field, Q1 and Q3 of its numbers (linear interpolation between closest
 *                ranks), IQR = Q3 - Q1; a value above Q3 + param * IQR (or, with uselower,
 *                below Q1 - param * IQR) is an outlier: remove drops the row, else the value
 *                becomes the bound it passed; mark sets out[0] to whether the row had one
 *
 * Numbers are VT_NUM values and strings that read as numbers (L5); timestamps, booleans and
 * other text are no numbers here.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "engine/exec/op.h"
#include "engine/input/ts.h"

typedef struct WinLocal {
    RowSet *rows; /* since the last combine (NULL: none yet) */
    const OpCtx *ctx; /* its memory budget: the rows held are charged (issue 15) */
} WinLocal;

/* The command's name (accum, sessionize, ...): who passed the memory limit. */
static const char *win_name(const Op *op)
{
    static const char *const names[] = {"accum",     "autoregress", "filldown", "sessionize",
                                        "addtotals", "fillmissing", "outlier"};
    const WinSpec *w = op->data;
    return (size_t)w->kind < sizeof(names) / sizeof(names[0]) ? names[w->kind] : op->vt->name;
}

static OpLocal *win_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    (void)op;
    WinLocal *l = apr_pcalloc(pool, sizeof(WinLocal));
    l->ctx = ctx;
    return l;
}

static OpState *win_global_new(const Op *op)
{
    return rowset_new(op->plan->nslots);
}

static void win_sink(const Op *op, OpLocal *lp, Batch *b)
{
    WinLocal *l = lp;
    if (!l->rows)
        l->rows = rowset_new(op->plan->nslots);
    rowset_append_batch(l->rows, op->plan, b);
    rowset_track(l->rows, l->ctx, win_name(op));
}

static void win_combine(const Op *op, OpState *g, OpLocal *lp)
{
    WinLocal *l = lp;
    if (l->rows)
        rowset_concat_charged(g, l->rows, l->ctx, win_name(op));
    l->rows = NULL;
}

/* ===== helpers ===== */

static Datum *row_of(RowSet *rs, size_t r)
{
    return &rs->data[r * (size_t)rs->nslots];
}

/* The number d holds (a number, or text that reads as one), into *x. */
static int number_of(const Datum *d, double *x)
{
    if (d->type == VT_NUM) {
        *x = d->v.f;
        return 1;
    }
    if (d->type == VT_STR)
        return val_as_number(d, x) && isfinite(*x);
    return 0;
}

static int ts_of(const Datum *d, int64_t *ms)
{
    if (d->type == VT_TS) {
        *ms = d->v.i;
        return 1;
    }
    double x;
    if (d->type == VT_NUM) {
        x = d->v.f;
        *ms = (int64_t)x;
        return 1;
    }
    return 0;
}

typedef struct TimeCtx {
    const RowSet *rs;
    int slot;
} TimeCtx;

/* qsort_r: by @timestamp, rows without one last, then position (stable) */
static int cmp_time(const void *a, const void *b, void *arg)
{
    const TimeCtx *c = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int64_t tx = 0, ty = 0;
    int hx = ts_of(&c->rs->data[x * (size_t)c->rs->nslots + (size_t)c->slot], &tx);
    int hy = ts_of(&c->rs->data[y * (size_t)c->rs->nslots + (size_t)c->slot], &ty);
    if (hx != hy)
        return hx ? -1 : 1;
    if (hx && tx != ty)
        return tx < ty ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* The rows of g in the command's order, order keys renumbered 0, 1, ... */
static RowSet *ordered(const WinSpec *w, OpState *g)
{
    RowSet *rs = rowset_in_order(g);
    if (!w->by_time || rs->nrows < 2)
        return rs;
    size_t *perm = mem_alloc(sizeof(size_t) * rs->nrows);
    for (size_t i = 0; i < rs->nrows; i++)
        perm[i] = i;
    TimeCtx c = {rs, w->ts_slot};
    qsort_r(perm, rs->nrows, sizeof(size_t), cmp_time, &c);
    RowSet *out = rowset_permute(rs, perm, rs->nrows);
    free(perm);
    return out;
}

/* Groups of rows by the values of slots[0..n): a hash table of group ids. */
typedef struct Groups {
    const RowSet *rs;
    const int *slots;
    int n;
    size_t *rep;     /* per group: a row of it */
    uint64_t *hash;  /* per group */
    size_t ngroups, cap;
    size_t *index;   /* open addressing: group + 1, 0 = empty */
    size_t mask;
} Groups;

static void groups_init(Groups *g, const RowSet *rs, const int *slots, int n)
{
    memset(g, 0, sizeof(*g));
    g->rs = rs;
    g->slots = slots;
    g->n = n;
    size_t size = 16;
    while (size < rs->nrows * 2 + 16)
        size <<= 1;
    g->mask = size - 1;
    g->index = mem_calloc(size, sizeof(size_t));
    g->cap = 16;
    g->rep = mem_alloc(sizeof(size_t) * g->cap);
    g->hash = mem_alloc(sizeof(uint64_t) * g->cap);
}

static void groups_free(Groups *g)
{
    free(g->index);
    free(g->rep);
    free(g->hash);
}

/* The group of row r (made on first sight; *isnew says so); SIZE_MAX when one of its values is
 * null and nulls are no group (nonull). */
static size_t group_of(Groups *g, size_t r, int nonull, int *isnew)
{
    const Datum *row = &g->rs->data[r * (size_t)g->rs->nslots];
    uint64_t h = 0x84222325CBF29CE4ULL;
    for (int k = 0; k < g->n; k++) {
        const Datum *d = &row[g->slots[k]];
        if (nonull && d->type == VT_NULL)
            return SIZE_MAX;
        h = (h ^ val_hash(d)) * 0x9E3779B97F4A7C15ULL;
    }
    if (isnew)
        *isnew = 0;
    size_t j = h & g->mask;
    for (;; j = (j + 1) & g->mask) {
        size_t e = g->index[j];
        if (!e)
            break;
        if (g->hash[e - 1] != h)
            continue;
        const Datum *o = &g->rs->data[g->rep[e - 1] * (size_t)g->rs->nslots];
        int same = 1;
        for (int k = 0; k < g->n && same; k++)
            same = val_equal_key(&o[g->slots[k]], &row[g->slots[k]]);
        if (same)
            return e - 1;
    }
    if (g->ngroups == g->cap) {
        g->cap *= 2;
        g->rep = mem_realloc(g->rep, sizeof(size_t) * g->cap);
        g->hash = mem_realloc(g->hash, sizeof(uint64_t) * g->cap);
    }
    g->rep[g->ngroups] = r;
    g->hash[g->ngroups] = h;
    g->index[j] = ++g->ngroups;
    if (isnew)
        *isnew = 1;
    return g->ngroups - 1;
}

/* ===== the commands ===== */

static void do_accum(const WinSpec *w, RowSet *rs)
{
    double sum = 0;
    int any = 0;
    for (size_t r = 0; r < rs->nrows; r++) {
        Datum *row = row_of(rs, r);
        double x;
        if (number_of(&row[w->in[0]], &x)) {
            sum += x;
            any = 1;
        }
        row[w->out[0]] = any ? val_num(sum) : val_null();
    }
}

static void do_autoregress(const WinSpec *w, RowSet *rs)
{
    /* from the last row back, so a lag reads in[0] before any output could change it (an
     * output slot is never in[0], but stay safe) */
    for (size_t r = rs->nrows; r-- > 0;) {
        Datum *row = row_of(rs, r);
        for (int i = 0; i < w->nout; i++) {
            size_t lag = (size_t)(w->lag_lo + i);
            row[w->out[i]] = r >= lag ? row_of(rs, r - lag)[w->in[0]] : val_null();
        }
    }
}

static void do_filldown(const WinSpec *w, RowSet *rs)
{
    for (int i = 0; i < w->nin; i++) {
        Datum last = val_null();
        for (size_t r = 0; r < rs->nrows; r++) {
            Datum *d = &row_of(rs, r)[w->in[i]];
            if (d->type == VT_NULL)
                *d = last;
            else
                last = *d;
        }
    }
}

static void do_sessionize(const WinSpec *w, RowSet *rs)
{
    Groups g;
    groups_init(&g, rs, w->in, w->nin);
    int64_t *last = mem_alloc(sizeof(int64_t) * (rs->nrows + 1));
    double *id = mem_alloc(sizeof(double) * (rs->nrows + 1));
    double next = 1;
    for (size_t r = 0; r < rs->nrows; r++) {
        Datum *row = row_of(rs, r);
        int64_t t;
        int isnew = 0;
        size_t k = SIZE_MAX;
        if (ts_of(&row[w->ts_slot], &t))
            k = group_of(&g, r, 1, &isnew);
        if (k == SIZE_MAX) {
            row[w->out[0]] = val_null();
            continue;
        }
        if (isnew || t - last[k] > w->maxspan_ms)
            id[k] = next++;
        last[k] = t;
        row[w->out[0]] = val_num(id[k]);
    }
    free(last);
    free(id);
    groups_free(&g);
}

static void do_addtotals(const WinSpec *w, RowSet *rs)
{
    size_t n = rs->nrows;
    double *col = mem_calloc((size_t)w->nin + 1, sizeof(double));
    int *has = mem_calloc((size_t)w->nin + 1, sizeof(int));
    double grand = 0;
    int hasgrand = 0;
    for (size_t r = 0; r < n; r++) {
        Datum *row = row_of(rs, r);
        double sum = 0, x;
        int any = 0;
        for (int i = 0; i < w->nin; i++)
            if (number_of(&row[w->in[i]], &x)) {
                sum += x;
                any = 1;
                col[i] += x;
                has[i] = 1;
            }
        if (w->row)
            row[w->out[0]] = any ? val_num(sum) : val_null();
        if (any) {
            grand += sum;
            hasgrand = 1;
        }
    }
    if (w->col) {
        Datum *row = rowset_add_row(rs, n);
        for (int s = 0; s < rs->nslots; s++)
            row[s] = val_null();
        for (int i = 0; i < w->nin; i++)
            if (has[i])
                row[w->in[i]] = val_num(col[i]);
        if (w->row && hasgrand)
            row[w->out[0]] = val_num(grand);
    }
    free(col);
    free(has);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int64_t next_bin(const WinSpec *w, int64_t b)
{
    if (w->period > 0)
        return b + (int64_t)w->period;
    return ts_add_months(b - w->offset, (int)(-w->period)) + w->offset;
}

typedef struct KeyCtx {
    const RowSet *rs;
    const int *keys;
    int nkeys;
} KeyCtx;

/* qsort_r: by the stats keys ascending (L1: val_sort_cmp, bins chronological), then position */
static int cmp_keys(const void *a, const void *b, void *arg)
{
    const KeyCtx *c = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    const Datum *rx = &c->rs->data[x * (size_t)c->rs->nslots];
    const Datum *ry = &c->rs->data[y * (size_t)c->rs->nslots];
    for (int k = 0; k < c->nkeys; k++) {
        int v = val_sort_cmp(&rx[c->keys[k]], &ry[c->keys[k]]);
        if (v)
            return v;
    }
    return x < y ? -1 : x > y;
}

static RowSet *do_fillmissing(const WinSpec *w, RowSet *rs)
{
    size_t n = rs->nrows;
    if (!n)
        return rs;
    int *others = mem_alloc(sizeof(int) * ((size_t)w->nkeys + 1));
    int nother = 0;
    for (int k = 0; k < w->nkeys; k++)
        if (w->keys[k] != w->bin_slot)
            others[nother++] = w->keys[k];
    Groups g;
    groups_init(&g, rs, others, nother);
    size_t *gid = mem_alloc(sizeof(size_t) * n);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t r = 0; r < n; r++) {
        gid[r] = group_of(&g, r, 0, NULL);
        int64_t t;
        if (ts_of(&row_of(rs, r)[w->bin_slot], &t)) {
            lo = t < lo ? t : lo;
            hi = t > hi ? t : hi;
        }
    }
    if (lo <= hi) {
        /* each group's bins, sorted */
        size_t ng = g.ngroups;
        size_t *start = mem_calloc(ng + 1, sizeof(size_t));
        for (size_t r = 0; r < n; r++)
            start[gid[r] + 1]++;
        for (size_t k = 0; k < ng; k++)
            start[k + 1] += start[k];
        size_t *fill = mem_alloc(sizeof(size_t) * (ng + 1));
        memcpy(fill, start, sizeof(size_t) * (ng + 1));
        int64_t *bins = mem_alloc(sizeof(int64_t) * (n + 1));
        size_t *cnt = mem_calloc(ng + 1, sizeof(size_t));
        for (size_t r = 0; r < n; r++) {
            int64_t t;
            if (ts_of(&row_of(rs, r)[w->bin_slot], &t)) {
                bins[fill[gid[r]]++] = t;
                cnt[gid[r]]++;
            }
        }
        for (size_t k = 0; k < ng; k++) {
            int64_t *bk = bins + start[k];
            size_t nk = cnt[k], j = 0;
            qsort(bk, nk, sizeof(int64_t), cmp_i64);
            for (int64_t t = lo; t <= hi; t = next_bin(w, t)) {
                while (j < nk && bk[j] < t)
                    j++;
                if (j < nk && bk[j] == t)
                    continue;
                Datum *row = rowset_add_row(rs, rs->nrows);
                const Datum *rep = row_of(rs, g.rep[k]);
                for (int s = 0; s < rs->nslots; s++)
                    row[s] = val_null();
                for (int o = 0; o < nother; o++)
                    row[others[o]] = rep[others[o]];
                row[w->bin_slot] = val_ts(t);
                for (int i = 0; i < w->nout; i++)
                    row[w->out[i]] = w->fill[i];
            }
        }
        free(start);
        free(fill);
        free(bins);
        free(cnt);
    }
    free(gid);
    free(others);
    groups_free(&g);
    if (rs->nrows == n)
        return rs;
    size_t *perm = mem_alloc(sizeof(size_t) * rs->nrows);
    for (size_t i = 0; i < rs->nrows; i++)
        perm[i] = i;
    KeyCtx c = {rs, w->keys, w->nkeys};
    qsort_r(perm, rs->nrows, sizeof(size_t), cmp_keys, &c);
    RowSet *out = rowset_permute(rs, perm, rs->nrows);
    free(perm);
    return out;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The p-quantile of sorted x[0..n), linear between the closest ranks. */
static double quantile(const double *x, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t i = (size_t)floor(h);
    if (i + 1 >= n)
        return x[n - 1];
    return x[i] + (h - (double)i) * (x[i + 1] - x[i]);
}

static RowSet *do_outlier(const WinSpec *w, RowSet *rs)
{
    size_t n = rs->nrows;
    double *lo = mem_alloc(sizeof(double) * ((size_t)w->nin + 1));
    double *hi = mem_alloc(sizeof(double) * ((size_t)w->nin + 1));
    int *ok = mem_calloc((size_t)w->nin + 1, sizeof(int));
    double *xs = mem_alloc(sizeof(double) * (n + 1));
    for (int i = 0; i < w->nin; i++) {
        size_t m = 0;
        for (size_t r = 0; r < n; r++)
            if (number_of(&row_of(rs, r)[w->in[i]], &xs[m]))
                m++;
        if (!m)
            continue;
        qsort(xs, m, sizeof(double), cmp_double);
        double q1 = quantile(xs, m, 0.25), q3 = quantile(xs, m, 0.75);
        lo[i] = q1 - w->param * (q3 - q1);
        hi[i] = q3 + w->param * (q3 - q1);
        ok[i] = 1;
    }
    free(xs);
    size_t *keep = mem_alloc(sizeof(size_t) * (n + 1));
    size_t nkeep = 0;
    for (size_t r = 0; r < n; r++) {
        Datum *row = row_of(rs, r);
        int out = 0;
        for (int i = 0; i < w->nin; i++) {
            double x;
            if (!ok[i] || !number_of(&row[w->in[i]], &x))
                continue;
            if (x > hi[i]) {
                out = 1;
                if (!w->remove)
                    row[w->in[i]] = val_num(hi[i]);
            } else if (w->uselower && x < lo[i]) {
                out = 1;
                if (!w->remove)
                    row[w->in[i]] = val_num(lo[i]);
            }
        }
        if (w->mark)
            row[w->out[0]] = val_bool(out);
        if (!(w->remove && out))
            keep[nkeep++] = r;
    }
    free(lo);
    free(hi);
    free(ok);
    RowSet *res = rs;
    if (nkeep != n)
        res = rowset_permute(rs, keep, nkeep);
    free(keep);
    return res;
}

static RowSet *win_finalize(const Op *op, const OpCtx *ctx, OpState *g)
{
    const WinSpec *w = op->data;
    int64_t charged = ((RowSet *)g)->charged; /* the result's rows take the state's charge */
    RowSet *rs = ordered(w, g);
    switch (w->kind) {
    case WIN_ACCUM:
        do_accum(w, rs);
        break;
    case WIN_AUTOREGRESS:
        do_autoregress(w, rs);
        break;
    case WIN_FILLDOWN:
        do_filldown(w, rs);
        break;
    case WIN_SESSIONIZE:
        do_sessionize(w, rs);
        break;
    case WIN_ADDTOTALS:
        do_addtotals(w, rs);
        break;
    case WIN_FILLMISSING:
        rs = do_fillmissing(w, rs);
        break;
    case WIN_OUTLIER:
        rs = do_outlier(w, rs);
        break;
    }
    rs->charged = 0;
    rowset_charge(rs, ctx, charged, win_name(op));
    return rs;
}

static const OpVTable win_vt = {
    .name = "window",
    .local_new = win_local_new,
    .global_new = win_global_new,
    .sink = win_sink,
    .combine = win_combine,
    .merge = rowset_state_merge,
    .copy = rowset_state_copy,
    .finalize = win_finalize,
    .state_free = rowset_state_free,
    .save = rowset_state_save,
    .load = rowset_state_load,
};

Op *op_window_new(Plan *p, const WinSpec *spec)
{
    WinSpec *w = apr_pmemdup(p->pool, spec, sizeof(*w));
    return op_new(p, &win_vt, w);
}
