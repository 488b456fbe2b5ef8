/* agg.c -- aggregate functions (see agg.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <string.h>
#include "engine/agg.h"
#include "engine/op.h"

/* ===== count ===== */

typedef struct {
    int64_t n;
} CountSt;

static void count_init(void *s)
{
    ((CountSt *)s)->n = 0;
}

static void count_update(void *s, const Datum *d, uint64_t order, apr_pool_t *pool)
{
    (void)order;
    (void)pool;
    ((CountSt *)s)->n += d == NULL || d->type != VT_NULL;
}

static void count_merge(void *dst, const void *src, apr_pool_t *pool)
{
    (void)pool;
    ((CountSt *)dst)->n += ((const CountSt *)src)->n;
}

static Datum count_result(const void *s)
{
    return val_num((double)((const CountSt *)s)->n);
}

static const AggOps agg_count = {sizeof(CountSt), count_init, count_update, count_merge,
                                 count_result};

/* ===== sum / avg ===== */

/* Integral values add exactly in i (while they fit); everything else in a Neumaier sum. */
typedef struct {
    int64_t i;
    double f, comp;
    int64_t n;       /* numeric values seen */
    int ioverflow;   /* i overflowed: its value moved to f */
} SumSt;

static void sum_init(void *s)
{
    memset(s, 0, sizeof(SumSt));
}

static void neumaier(SumSt *s, double x)
{
    double t = s->f + x;
    if (fabs(s->f) >= fabs(x))
        s->comp += (s->f - t) + x;
    else
        s->comp += (x - t) + s->f;
    s->f = t;
}

static void sum_add(SumSt *s, double x)
{
    if (!s->ioverflow && x == floor(x) && fabs(x) < 9.0e15) {
        int64_t r;
        if (!__builtin_add_overflow(s->i, (int64_t)x, &r)) {
            s->i = r;
            return;
        }
        s->ioverflow = 1;
        neumaier(s, (double)s->i);
        s->i = 0;
    }
    neumaier(s, x);
}

static void sum_update(void *sp, const Datum *d, uint64_t order, apr_pool_t *pool)
{
    (void)order;
    (void)pool;
    double x;
    if (d->type != VT_NULL && val_as_number(d, &x)) {
        SumSt *s = sp;
        s->n++;
        sum_add(s, x);
    }
}

static void sum_merge(void *dp, const void *sp, apr_pool_t *pool)
{
    (void)pool;
    SumSt *d = dp;
    const SumSt *s = sp;
    d->n += s->n;
    if (s->i)
        sum_add(d, (double)s->i);
    neumaier(d, s->f);
    neumaier(d, s->comp);
}

static double sum_value(const SumSt *s)
{
    return (double)s->i + (s->f + s->comp);
}

static Datum sum_result(const void *sp)
{
    const SumSt *s = sp;
    return s->n ? val_num(sum_value(s)) : val_null();
}

static Datum avg_result(const void *sp)
{
    const SumSt *s = sp;
    return s->n ? val_num(sum_value(s) / (double)s->n) : val_null();
}

static const AggOps agg_sum = {sizeof(SumSt), sum_init, sum_update, sum_merge, sum_result};
static const AggOps agg_avg = {sizeof(SumSt), sum_init, sum_update, sum_merge, avg_result};

/* ===== min / max ===== */

typedef struct {
    Datum best;
    uint64_t order;
    uint32_t cap; /* bytes reserved at best.s */
} ExtSt;

static void ext_init(void *s)
{
    ExtSt *e = s;
    e->best = val_null();
    e->order = UINT64_MAX;
    e->cap = 0;
}

static void ext_set(ExtSt *e, const Datum *d, uint64_t order, apr_pool_t *pool)
{
    const char *old = e->best.s;
    uint32_t cap = e->cap;
    e->best = *d;
    e->order = order;
    if (d->s && d->len) {
        char *buf = (char *)(uintptr_t)old;
        if (d->len > cap) {
            cap = d->len < 32 ? 32 : d->len;
            buf = apr_palloc(pool, cap);
        }
        memcpy(buf, d->s, d->len);
        e->best.s = buf;
        e->cap = cap;
    }
}

/* sign: -1 keeps the smallest (min), +1 the largest (max); ties go to the earlier row */
static void ext_update(ExtSt *e, const Datum *d, uint64_t order, apr_pool_t *pool, int sign)
{
    if (d->type == VT_NULL)
        return;
    if (e->best.type == VT_NULL) {
        ext_set(e, d, order, pool);
        return;
    }
    int c = val_sort_cmp(d, &e->best) * sign;
    if (c > 0 || (c == 0 && order < e->order))
        ext_set(e, d, order, pool);
}

static void min_update(void *s, const Datum *d, uint64_t o, apr_pool_t *p)
{
    ext_update(s, d, o, p, -1);
}

static void max_update(void *s, const Datum *d, uint64_t o, apr_pool_t *p)
{
    ext_update(s, d, o, p, 1);
}

static void min_merge(void *d, const void *s, apr_pool_t *p)
{
    const ExtSt *e = s;
    ext_update(d, &e->best, e->order, p, -1);
}

static void max_merge(void *d, const void *s, apr_pool_t *p)
{
    const ExtSt *e = s;
    ext_update(d, &e->best, e->order, p, 1);
}

/* Timestamps aggregate to epoch-millisecond numbers (L12). */
static Datum ext_result(const void *s)
{
    const ExtSt *e = s;
    if (e->best.type == VT_TS)
        return val_num((double)e->best.v.i);
    return e->best;
}

static const AggOps agg_min = {sizeof(ExtSt), ext_init, min_update, min_merge, ext_result};
static const AggOps agg_max = {sizeof(ExtSt), ext_init, max_update, max_merge, ext_result};

#define FK_AGG_A(kernel) &agg_##kernel,
#define FK_SCALAR_A(kernel) NULL,
const AggOps *const agg_table[FN__COUNT] = {
#define FN(name, kind, min, max, kernel, syn, doc) kind##_A(kernel)
#include "parser/functions.def"
#undef FN
};
