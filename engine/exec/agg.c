/* agg.c -- aggregate functions (see agg.h)
 *
 * Every merge gives the same result whatever the order of merging:
 *   count                  integer addition
 *   sum, avg, stddev       exact sums: integral values in int64, the rest as fsum's partials
 *   min, max, sortsFirst/Last, earliest, latest   ties go to the earlier row (order key)
 *   count_distinct         exact set union; past CD_EXACT_MAX values a HyperLogLog of the
 *                          same values (register-wise max), so the switch point does not
 *                          depend on which worker saw what (L10)
 *   pct                    all numeric values kept and sorted at the end: exact nearest rank
 *                          (L8); memory grows with the values of a group, as the result needs
 *   histogram              pct's state; the equal-width buckets are cut at the end
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "base/num.h"
#include "engine/data/jdom.h"
#include "engine/exec/agg.h"
#include "engine/exec/xsum.h"
#include "engine/exec/op.h"
#include "engine/exec/spill.h"

/* ===== bytes of states (save, load) ===== */

static void put(LiqBuf *b, const void *p, size_t n)
{
    buf_add(b, p, n);
}

/* n bytes at *p into v, or 0 when fewer are left */
static int get(const char **p, const char *end, void *v, size_t n)
{
    if ((size_t)(end - *p) < n)
        return 0;
    memcpy(v, *p, n);
    *p += n;
    return 1;
}

/* a value at *p, its bytes copied into m's pool (and counted) */
static int get_datum(const char **p, const char *end, AggMem *m, Datum *d)
{
    size_t n = spill_get_datum(*p, end, m->pool, d);
    if (!n)
        return 0;
    *p += n;
    if (d->s && d->len) {
        char *c = apr_palloc(m->pool, d->len);
        memcpy(c, d->s, d->len);
        d->s = c;
        m->bytes += d->len;
    }
    return 1;
}

/* ===== count ===== */

typedef struct {
    int64_t n;
} CountSt;

static void count_init(void *s)
{
    ((CountSt *)s)->n = 0;
}

static void count_update(void *s, const Datum *d, const Datum *aux, uint64_t order,
                         AggMem *pool)
{
    (void)aux;
    (void)order;
    (void)pool;
    ((CountSt *)s)->n += d == NULL || d->type != VT_NULL;
}

static void count_merge(void *dst, const void *src, AggMem *pool)
{
    (void)pool;
    /* unsigned: counts loaded from a partial from elsewhere may be anything (no UB) */
    CountSt *d = dst;
    d->n = (int64_t)((uint64_t)d->n + (uint64_t)((const CountSt *)src)->n);
}

static Datum count_result(void *s, double param, apr_pool_t *pool)
{
    (void)param;
    (void)pool;
    return val_num((double)((const CountSt *)s)->n);
}

static void count_save(const void *s, LiqBuf *out)
{
    put(out, &((const CountSt *)s)->n, 8);
}

static size_t count_load(void *s, const char *p, const char *end, AggMem *m)
{
    (void)m;
    return get(&p, end, &((CountSt *)s)->n, 8) ? 8 : 0;
}

static const AggOps agg_count = {sizeof(CountSt), count_init,  count_update, count_merge,
                                 count_result,    NULL,        count_save,   count_load};

/* ===== sum / avg / stddev ===== */

/* sum, avg and stddev keep exact sums (xsum.h): the merged result of any split of the rows, in
 * any order of merging, is the sum one run gives, bit for bit. */
typedef struct {
    ExactSum sum, sq; /* values and their squares (each square rounded once, as one run does) */
    int64_t n;        /* numeric values seen */
} SumSt;

static void sum_init(void *sp)
{
    SumSt *s = sp;
    xsum_init(&s->sum);
    xsum_init(&s->sq);
    s->n = 0;
}

static void sum_update(void *sp, const Datum *d, const Datum *aux, uint64_t order,
                       AggMem *pool)
{
    (void)aux;
    (void)order;
    double x;
    if (d->type != VT_NULL && val_as_number(d, &x) && isfinite(x)) {
        SumSt *s = sp;
        s->n++;
        xsum_add(&s->sum, x, pool);
        xsum_add(&s->sq, x * x, pool);
    }
}

static void sum_merge(void *dp, const void *sp, AggMem *pool)
{
    SumSt *d = dp;
    const SumSt *s = sp;
    d->n = (int64_t)((uint64_t)d->n + (uint64_t)s->n); /* as count_merge */
    xsum_merge(&d->sum, &s->sum, pool);
    xsum_merge(&d->sq, &s->sq, pool);
}

static Datum sum_result(void *sp, double param, apr_pool_t *pool)
{
    (void)param;
    (void)pool;
    const SumSt *s = sp;
    double v = xsum_value(&s->sum);
    return s->n && isfinite(v) ? val_num(v) : val_null();
}

static Datum avg_result(void *sp, double param, apr_pool_t *pool)
{
    (void)param;
    (void)pool;
    const SumSt *s = sp;
    double v = xsum_value(&s->sum) / (double)(s->n ? s->n : 1);
    return s->n && isfinite(v) ? val_num(v) : val_null();
}

/* Sample standard deviation (L9): sqrt((sum(x^2) - sum(x)^2/n) / (n-1)); null below 2 values. */
static Datum stddev_result(void *sp, double param, apr_pool_t *pool)
{
    (void)param;
    (void)pool;
    const SumSt *s = sp;
    if (s->n < 2)
        return val_null();
    double n = (double)s->n, sum = xsum_value(&s->sum);
    double var = (xsum_value(&s->sq) - sum * sum / n) / (n - 1);
    if (!isfinite(var))
        return val_null();
    return val_num(var > 0 ? sqrt(var) : 0);
}

static void sum_save(const void *sp, LiqBuf *out)
{
    const SumSt *s = sp;
    put(out, &s->n, 8);
    xsum_save(&s->sum, out);
    xsum_save(&s->sq, out);
}

static size_t sum_load(void *sp, const char *p, const char *end, AggMem *m)
{
    SumSt *s = sp;
    const char *c = p;
    if (!get(&c, end, &s->n, 8) || !xsum_load(&s->sum, &c, end, m) ||
        !xsum_load(&s->sq, &c, end, m))
        return 0;
    return (size_t)(c - p);
}

static const AggOps agg_sum = {sizeof(SumSt), sum_init, sum_update, sum_merge,
                               sum_result,    NULL,     sum_save,   sum_load};
static const AggOps agg_avg = {sizeof(SumSt), sum_init, sum_update, sum_merge,
                               avg_result,    NULL,     sum_save,   sum_load};
static const AggOps agg_stddev = {sizeof(SumSt), sum_init, sum_update, sum_merge,
                                  stddev_result, NULL,     sum_save,   sum_load};

/* ===== min / max / sortsFirst / sortsLast / earliest / latest ===== */

typedef struct {
    Datum best;
    Datum key;     /* earliest/latest: the @timestamp of best */
    uint64_t order;
    uint32_t cap;  /* bytes reserved at best.s */
    int has;
} ExtSt;

static void ext_init(void *s)
{
    ExtSt *e = s;
    memset(e, 0, sizeof(*e));
    e->best = val_null();
    e->key = val_null();
    e->order = UINT64_MAX;
}

static void ext_set(ExtSt *e, const Datum *d, const Datum *key, uint64_t order, AggMem *pool)
{
    const char *old = e->best.s;
    uint32_t cap = e->cap;
    e->best = *d;
    e->key = key ? *key : val_null();
    e->order = order;
    e->has = 1;
    if (d->s && d->len) {
        char *buf = (char *)(uintptr_t)old;
        if (!buf || d->len > cap) {
            cap = d->len < 32 ? 32 : d->len;
            buf = apr_palloc(pool->pool, cap);
            pool->bytes += cap;
        }
        memcpy(buf, d->s, d->len);
        e->best.s = buf;
        e->cap = cap;
    }
}

/* sign -1 keeps the value that sorts first, +1 the last; ties go to the earlier row */
static void ext_offer(ExtSt *e, const Datum *d, uint64_t order, AggMem *pool, int sign)
{
    if (d->type == VT_NULL)
        return;
    if (!e->has) {
        ext_set(e, d, NULL, order, pool);
        return;
    }
    int c = val_sort_cmp(d, &e->best) * sign;
    if (c > 0 || (c == 0 && order < e->order))
        ext_set(e, d, NULL, order, pool);
}

/* earliest (sign -1) / latest (+1): by the row's @timestamp (key); rows without a timestamp
 * are skipped; ties go to the earlier row */
static void time_offer(ExtSt *e, const Datum *d, const Datum *key, uint64_t order,
                       AggMem *pool, int sign)
{
    if (!key || key->type == VT_NULL)
        return;
    if (!e->has) {
        ext_set(e, d, key, order, pool);
        return;
    }
    int c = (key->v.i < e->key.v.i ? -1 : key->v.i > e->key.v.i) * sign;
    if (c > 0 || (c == 0 && order < e->order))
        ext_set(e, d, key, order, pool);
}

#define EXT_UPDATE(name, sign)                                                                   \
    static void name##_update(void *s, const Datum *d, const Datum *aux, uint64_t o,            \
                              AggMem *p)                                                     \
    {                                                                                            \
        (void)aux;                                                                               \
        ext_offer(s, d, o, p, sign);                                                             \
    }                                                                                            \
    static void name##_merge(void *d, const void *s, AggMem *p)                              \
    {                                                                                            \
        const ExtSt *e = s;                                                                      \
        if (e->has)                                                                              \
            ext_offer(d, &e->best, e->order, p, sign);                                           \
    }
EXT_UPDATE(min, -1)
EXT_UPDATE(max, 1)

static void earliest_update(void *s, const Datum *d, const Datum *aux, uint64_t o,
                            AggMem *p)
{
    time_offer(s, d, aux, o, p, -1);
}

static void latest_update(void *s, const Datum *d, const Datum *aux, uint64_t o, AggMem *p)
{
    time_offer(s, d, aux, o, p, 1);
}

static void earliest_merge(void *d, const void *s, AggMem *p)
{
    const ExtSt *e = s;
    if (e->has)
        time_offer(d, &e->best, &e->key, e->order, p, -1);
}

static void latest_merge(void *d, const void *s, AggMem *p)
{
    const ExtSt *e = s;
    if (e->has)
        time_offer(d, &e->best, &e->key, e->order, p, 1);
}

/* Timestamps aggregate to epoch-millisecond numbers (L12). */
static Datum ext_result(void *s, double param, apr_pool_t *pool)
{
    (void)param;
    (void)pool;
    const ExtSt *e = s;
    if (e->best.type == VT_TS)
        return val_num((double)e->best.v.i);
    return e->best;
}

static void ext_save(const void *sp, LiqBuf *out)
{
    const ExtSt *e = sp;
    uint8_t has = (uint8_t)e->has;
    put(out, &has, 1);
    if (!has)
        return;
    LiqBuf js = {0};
    put(out, &e->order, 8);
    spill_put_datum(out, &e->best, &js);
    spill_put_datum(out, &e->key, &js);
    buf_free(&js);
}

static size_t ext_load(void *sp, const char *p, const char *end, AggMem *m)
{
    ExtSt *e = sp;
    const char *c = p;
    uint8_t has;
    if (!get(&c, end, &has, 1) || has > 1)
        return 0;
    if (has) {
        if (!get(&c, end, &e->order, 8) || !get_datum(&c, end, m, &e->best) ||
            !get_datum(&c, end, m, &e->key))
            return 0;
        e->has = 1;
        e->cap = e->best.s ? e->best.len : 0;
    }
    return (size_t)(c - p);
}

#define EXT_OPS(name, update, merge)                                                             \
    static const AggOps agg_##name = {sizeof(ExtSt), ext_init, update,   merge,                  \
                                      ext_result,    NULL,     ext_save, ext_load};
EXT_OPS(min, min_update, min_merge)
EXT_OPS(max, max_update, max_merge)
EXT_OPS(sortsFirst, min_update, min_merge)
EXT_OPS(sortsLast, max_update, max_merge)
EXT_OPS(earliest, earliest_update, earliest_merge)
EXT_OPS(latest, latest_update, latest_merge)

/* ===== count_distinct ===== */

enum { CD_EXACT_MAX = 100000, HLL_P = 14, HLL_M = 1 << HLL_P };

/* The exact set: the values in the order they came (vals, n of cap) and an open-addressing
 * index over them (slot: mask + 1 words, at most half full). A slot word is 0 when empty,
 * else the value's hash (val_hash) with its low CD_IX_BITS bits replaced by the value's
 * index + 1. The bits above those place the word (from bit CD_IX_BITS up: the index never
 * has more than 2^18 slots) and are compared before any value is, so a probe reads a value
 * only when 40 bits of the two hashes agree: almost only the value itself. Growing the index
 * and merging sets move these words and never hash a value again; only the switch to the
 * HyperLogLog, which needs whole hashes, does (once per set).
 *
 * A string of 1 to 8 bytes that does not read as a number, and whose numeric view is 0 (v of
 * a string is that view: unused here), is kept in vals inline, in v, with s NULL: no copy in
 * the pool, no pointer to follow. cd_val gives the value back as it came. */
enum { CD_IX_BITS = 24 };
#define CD_IX ((1ULL << CD_IX_BITS) - 1)
_Static_assert(CD_EXACT_MAX + 1 < (1 << CD_IX_BITS), "a value's index + 1 must fit a slot");
_Static_assert(2 * (CD_EXACT_MAX + 2) <= (1LL << (64 - CD_IX_BITS)), "slots placed by 40 bits");

typedef struct Distinct {
    uint64_t *slot; /* the index; NULL before the first value and after the switch */
    Datum *vals;    /* the values (strings copied into pool) */
    uint32_t n, cap;
    size_t mask;      /* slots - 1 */
    uint8_t *hll;     /* non-NULL once the set became a HyperLogLog */
    apr_pool_t *pool; /* copies of string values: the group table's */
} Distinct;

typedef struct {
    Distinct *d;
} CdSt;

static void cd_init(void *s)
{
    ((CdSt *)s)->d = NULL;
}

static void hll_add(uint8_t *reg, uint64_t h)
{
    uint32_t idx = (uint32_t)(h >> (64 - HLL_P));
    uint64_t rest = (h << HLL_P) | (1ULL << (HLL_P - 1));
    uint8_t rank = (uint8_t)(__builtin_clzll(rest) + 1);
    if (rank > reg[idx])
        reg[idx] = rank;
}

/* value i of the exact set as it came (an inline string's bytes stay where they are) */
static Datum cd_val(const Distinct *d, uint32_t i)
{
    Datum v = d->vals[i];
    if (!v.s && v.type == VT_STR && v.len) {
        v.s = (const char *)&d->vals[i].v;
        v.v.i = 0;
    }
    return v;
}

/* bytes of the index and of the value array (the budget's count) */
static int64_t cd_bytes(const Distinct *d)
{
    return (int64_t)((d->slot ? sizeof(uint64_t) * (d->mask + 1) : 0) + sizeof(Datum) * d->cap);
}

static void cd_to_hll(Distinct *d, AggMem *m)
{
    m->bytes += HLL_M - cd_bytes(d);
    d->hll = mem_calloc(HLL_M, 1);
    for (uint32_t i = 0; i < d->n; i++) {
        Datum v = cd_val(d, i);
        hll_add(d->hll, val_hash(&v));
    }
    free(d->slot);
    free(d->vals);
    d->slot = NULL;
    d->vals = NULL;
    d->cap = 0;
}

/* the index doubled (8 slots at first), its words placed again by their hash bits */
static void cd_grow(Distinct *d, AggMem *m)
{
    size_t mask = d->slot ? d->mask * 2 + 1 : 7;
    m->bytes += (int64_t)(sizeof(uint64_t) * (mask - (d->slot ? d->mask : (size_t)-1)));
    uint64_t *s = mem_calloc(mask + 1, sizeof(uint64_t));
    for (size_t i = 0; d->slot && i <= d->mask; i++) {
        uint64_t w = d->slot[i];
        if (!w)
            continue;
        size_t j = (size_t)(w >> CD_IX_BITS) & mask;
        while (s[j])
            j = (j + 1) & mask;
        s[j] = w;
    }
    free(d->slot);
    d->slot = s;
    d->mask = mask;
}

/* x into the exact set d, unless a value equal to it (val_equal_key) is there; key: x's hash
 * with the low CD_IX_BITS bits clear */
static void cd_put(Distinct *d, const Datum *x, uint64_t key, AggMem *m)
{
    if (!d->slot || (d->n + 1) * 2 > d->mask + 1)
        cd_grow(d, m);
    size_t j = (size_t)(key >> CD_IX_BITS) & d->mask;
    for (uint64_t w; (w = d->slot[j]) != 0; j = (j + 1) & d->mask)
        if ((w & ~CD_IX) == key) {
            Datum v = cd_val(d, (uint32_t)(w & CD_IX) - 1);
            if (val_equal_key(&v, x))
                return;
        }
    if (d->n == d->cap) {
        uint32_t cap = d->cap ? d->cap + d->cap / 2 : 4;
        m->bytes += (int64_t)(sizeof(Datum) * (cap - d->cap));
        d->vals = mem_realloc(d->vals, sizeof(Datum) * cap);
        d->cap = cap;
    }
    Datum *v = &d->vals[d->n];
    if (x->type == VT_STR && x->s && x->len - 1u < 8u && x->v.i == 0 &&
        (x->flags & (DF_NUMCHECKED | DF_NUMERIC)) == DF_NUMCHECKED) {
        *v = *x; /* inline (see above) */
        memcpy(&v->v, x->s, x->len);
        v->s = NULL;
    } else {
        *v = datum_copy(d->pool, x); /* with its cached numeric view (val.h) */
        m->bytes += x->len;
    }
    d->slot[j] = key | (d->n + 1);
    if (++d->n > CD_EXACT_MAX)
        cd_to_hll(d, m);
}

static void cd_add(Distinct *d, const Datum *x, AggMem *m)
{
    uint64_t h = val_hash(x);
    if (d->hll)
        hll_add(d->hll, h);
    else
        cd_put(d, x, h & ~CD_IX, m);
}

static Distinct *cd_get(CdSt *s, AggMem *m)
{
    if (!s->d) {
        m->bytes += (int64_t)sizeof(Distinct);
        s->d = apr_pcalloc(m->pool, sizeof(Distinct));
        s->d->pool = m->pool;
    }
    return s->d;
}

static void cd_update(void *sp, const Datum *x, const Datum *aux, uint64_t order,
                      AggMem *pool)
{
    (void)aux;
    (void)order;
    if (x->type != VT_NULL)
        cd_add(cd_get(sp, pool), x, pool);
}

/* s's values into d in s's order, with the hash bits s's index holds */
static void cd_merge(void *dp, const void *sp, AggMem *pool)
{
    const Distinct *s = ((const CdSt *)sp)->d;
    if (!s)
        return;
    Distinct *d = cd_get(dp, pool);
    if (s->hll) {
        if (!d->hll)
            cd_to_hll(d, pool);
        for (int i = 0; i < HLL_M; i++)
            if (s->hll[i] > d->hll[i])
                d->hll[i] = s->hll[i];
        return;
    }
    if (!s->n)
        return;
    uint64_t *key = mem_alloc(sizeof(uint64_t) * s->n);
    for (size_t i = 0; i <= s->mask; i++)
        if (s->slot[i])
            key[(s->slot[i] & CD_IX) - 1] = s->slot[i] & ~CD_IX;
    for (uint32_t i = 0; i < s->n; i++) {
        Datum v = cd_val(s, i);
        if (d->hll)
            hll_add(d->hll, val_hash(&v));
        else
            cd_put(d, &v, key[i], pool);
    }
    free(key);
}

static Datum cd_result(void *sp, double param, apr_pool_t *pool)
{
    (void)param;
    (void)pool;
    const Distinct *d = ((const CdSt *)sp)->d;
    if (!d)
        return val_num(0);
    if (!d->hll)
        return val_num((double)d->n);
    /* HyperLogLog estimate with linear counting for small cardinalities */
    double sum = 0;
    int zeros = 0;
    for (int i = 0; i < HLL_M; i++) {
        sum += ldexp(1.0, -d->hll[i]);
        zeros += d->hll[i] == 0;
    }
    double m = HLL_M, est = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    if (est <= 2.5 * m && zeros)
        est = m * log(m / zeros);
    return val_num(floor(est + 0.5));
}

static void cd_destroy(void *sp)
{
    Distinct *d = ((CdSt *)sp)->d;
    if (!d)
        return;
    free(d->slot);
    free(d->vals);
    free(d->hll);
    d->slot = NULL; /* d and its strings live in the table's pool */
    d->vals = NULL;
    d->hll = NULL;
    ((CdSt *)sp)->d = NULL;
}

/* 0: no value yet; 1: the exact set (n, then the values, in the order they came: a loaded set
 * saves the same bytes again); 2: the HyperLogLog registers */
static void cd_save(const void *sp, LiqBuf *out)
{
    const Distinct *d = ((const CdSt *)sp)->d;
    uint8_t tag = !d ? 0 : d->hll ? 2 : 1;
    put(out, &tag, 1);
    if (tag == 2) {
        put(out, d->hll, HLL_M);
    } else if (tag == 1) {
        uint64_t n = d->n;
        put(out, &n, 8);
        LiqBuf js = {0};
        for (uint32_t i = 0; i < d->n; i++) {
            Datum v = cd_val(d, i);
            spill_put_datum(out, &v, &js);
        }
        buf_free(&js);
    }
}

static size_t cd_load(void *sp, const char *p, const char *end, AggMem *m)
{
    const char *c = p;
    uint8_t tag;
    if (!get(&c, end, &tag, 1) || tag > 2)
        return 0;
    if (tag == 0)
        return 1;
    Distinct *d = cd_get(sp, m);
    if (tag == 2) {
        if (d->hll || d->n || (size_t)(end - c) < HLL_M)
            return 0;
        cd_to_hll(d, m);
        memcpy(d->hll, c, HLL_M);
        return 1 + HLL_M;
    }
    uint64_t n;
    if (!get(&c, end, &n, 8) || n > CD_EXACT_MAX)
        return 0;
    for (uint64_t i = 0; i < n; i++) {
        Datum v;
        size_t k = spill_get_datum(c, end, d->pool, &v);
        if (!k || v.type == VT_NULL || v.type == VT_MIXED)
            return 0;
        cd_add(d, &v, m); /* copied into the set's pool */
        c += k;
    }
    return (size_t)(c - p);
}

static const AggOps agg_count_distinct = {sizeof(CdSt), cd_init,    cd_update, cd_merge,
                                          cd_result,     cd_destroy, cd_save,   cd_load};

/* ===== pct ===== */

typedef struct {
    double *v;
    size_t n, cap;
} PctSt;

static void pct_init(void *s)
{
    memset(s, 0, sizeof(PctSt));
}

static void pct_push(PctSt *s, double x, AggMem *m)
{
    if (s->n == s->cap) {
        m->bytes += (int64_t)(sizeof(double) * (s->cap ? s->cap : 16));
        s->cap = s->cap ? s->cap * 2 : 16;
        double *v = mem_realloc(s->v, sizeof(double) * s->cap);
        s->v = v;
    }
    s->v[s->n++] = x;
}

static void pct_update(void *sp, const Datum *d, const Datum *aux, uint64_t order,
                       AggMem *pool)
{
    (void)aux;
    (void)order;
    double x;
    if (d->type != VT_NULL && d->type != VT_BOOL && val_as_number(d, &x) && isfinite(x))
        pct_push(sp, x, pool);
}

static void pct_merge(void *dp, const void *sp, AggMem *pool)
{
    const PctSt *s = sp;
    for (size_t i = 0; i < s->n; i++)
        pct_push(dp, s->v[i], pool);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The nearest rank ceil(p/100 * n), 1-based, clamped to [1, n], with p taken as the decimal
 * it was written as: 99.9 is the double just above 99.9, and in doubles 99.9/100 * 1000 comes
 * out as 999.0000000000001, whose ceiling is one rank too far (L8). p = M * 10^e from the
 * shortest digits that read back to p; then ceil(M * n / 10^(2 - e)) in exact integers. */
static size_t pct_rank(double p, size_t n)
{
    if (!(p > 0))
        return 1;
    if (p >= 100)
        return n;
    char tmp[40];
    int prec;
    for (prec = 1; prec < 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, p);
        if (strtod(tmp, NULL) == p)
            break;
    }
    snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, p);
    uint64_t m = 0;
    const char *t = tmp;
    for (; *t && *t != 'e'; t++)
        if (*t >= '0' && *t <= '9')
            m = m * 10 + (uint64_t)(*t - '0');
    long k = 2 - (strtol(t + 1, NULL, 10) - (prec - 1)); /* p < 100, so k >= 1 */
    unsigned __int128 num = (unsigned __int128)m * n, den = 1;
    if (k > 38) /* 10^k exceeds m * n (< 10^17 * 2^64): the rank rounds up to 1 */
        return 1;
    for (long i = 0; i < k; i++)
        den *= 10;
    size_t r = (size_t)((num + den - 1) / den);
    return r < 1 ? 1 : r > n ? n : r;
}

static void swap_double(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

/* The value of rank k (0-based) of v[0..n), as v sorted by cmp_double would hold it, found by
 * selection (quickselect with a median-of-three pivot and a three-way partition, so runs of
 * equal values end a round at once): about 3n comparisons where qsort takes n log2 n (16n at
 * 60,000 values). Reorders v. Past 2 log2 n rounds (a pivot sequence gone bad) what is left is
 * sorted, so the worst case stays n log n. The caller has ruled out -0.0: among values that
 * compare equal, selection and the stable sort may pick different ones, and only zeros differ
 * while comparing equal (NaNs are never stored). */
static double select_rank(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    int rounds = 2;
    for (size_t m = n; m > 1; m >>= 1)
        rounds += 2;
    while (hi > lo) {
        if (hi - lo < 16 || rounds-- == 0) {
            qsort(v + lo, hi - lo + 1, sizeof(double), cmp_double);
            return v[k];
        }
        double a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi];
        double pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        /* v[lo..lt) < pivot, v[lt..i) == pivot, v(gt..hi] > pivot; the pivot is one of the
         * values, and stays in [lt, gt], so gt never passes below lo */
        size_t lt = lo, i = lo, gt = hi;
        while (i <= gt) {
            if (v[i] < pivot)
                swap_double(&v[lt++], &v[i++]);
            else if (v[i] > pivot)
                swap_double(&v[i], &v[gt--]);
            else
                i++;
        }
        if (k < lt)
            hi = lt - 1;
        else if (k > gt)
            lo = gt + 1;
        else
            return pivot;
    }
    return v[k];
}

/* Nearest rank: the value at rank ceil(p/100 * n) of the sorted values (L8); selected, not
 * sorted, unless a -0.0 is among them (see select_rank). */
static Datum pct_result(void *sp, double p, apr_pool_t *pool)
{
    (void)pool;
    PctSt *s = sp;
    if (!s->n)
        return val_null();
    size_t k = pct_rank(p, s->n) - 1;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == 0 && signbit(s->v[i])) {
            qsort(s->v, s->n, sizeof(double), cmp_double);
            return val_num(s->v[k]);
        }
    return val_num(select_rank(s->v, s->n, k));
}

static void pct_destroy(void *sp)
{
    PctSt *s = sp;
    free(s->v);
    s->v = NULL;
}

static void pct_save(const void *sp, LiqBuf *out)
{
    const PctSt *s = sp;
    uint64_t n = s->n;
    put(out, &n, 8);
    if (n)
        put(out, s->v, sizeof(double) * s->n);
}

static size_t pct_load(void *sp, const char *p, const char *end, AggMem *m)
{
    PctSt *s = sp;
    const char *c = p;
    uint64_t n;
    if (!get(&c, end, &n, 8) || n > (uint64_t)(end - c) / sizeof(double))
        return 0;
    for (uint64_t i = 0; i < n; i++) {
        double x;
        memcpy(&x, c, sizeof(x));
        c += sizeof(x);
        pct_push(s, x, m);
    }
    return (size_t)(c - p);
}

static const AggOps agg_pct = {sizeof(PctSt), pct_init,    pct_update, pct_merge,
                               pct_result,    pct_destroy, pct_save,   pct_load};
#define agg_percentile agg_pct

/* ===== histogram (issue 20, docs/commands-2025.md C38-C41) =====
 * The state is pct's: every numeric value of the group, so merges, save and load are pct's
 * and exact. The result splits [min, max] into `buckets` ranges of equal width. */

/* Bucket i's lower bound: min + (max - min) * i / n (never decreasing in i); bucket n's (the end) is max itself. */
static double hist_bound(double lo, double hi, size_t i, size_t n)
{
    if (i >= n)
        return hi;
    double t = (double)i / (double)n, w = hi - lo;
    return isfinite(w) ? lo + w * t : lo * (1 - t) + hi * t; /* w past the doubles' range */
}

static void hist_key(LiqBuf *b, double lo, double hi, int last)
{
    buf_adds(b, "\"[");
    num_format(b, lo);
    buf_adds(b, ", ");
    num_format(b, hi);
    buf_adds(b, last ? "]\": " : ")\": ");
}

static Datum hist_result(void *sp, double param, apr_pool_t *pool)
{
    PctSt *s = sp;
    if (!s->n)
        return val_null();
    size_t nb = param >= 1 ? (size_t)param : 1;
    qsort(s->v, s->n, sizeof(double), cmp_double);
    double lo = s->v[0], hi = s->v[s->n - 1];
    LiqBuf b = {0};
    buf_addc(&b, '{');
    if (lo == hi) { /* one value: one bucket holds it (C40) */
        hist_key(&b, lo, hi, 1);
        buf_printf(&b, "%zu}", s->n);
    } else {
        /* the values are sorted: walk them once, bucket by bucket; a value belongs to the
         * bucket whose printed bounds hold it (lower bound included, upper excluded but the
         * last's), so the counts agree with the keys */
        size_t j = 0;
        for (size_t i = 0; i < nb; i++) {
            double a = hist_bound(lo, hi, i, nb), z = hist_bound(lo, hi, i + 1, nb);
            int last = i + 1 == nb;
            size_t c = 0;
            while (j < s->n && (last || s->v[j] < z)) {
                j++;
                c++;
            }
            if (i)
                buf_adds(&b, ", ");
            hist_key(&b, a, z, last);
            buf_printf(&b, "%zu", c);
        }
        buf_addc(&b, '}');
    }
    /* the tree points into its text: the text goes into the pool with it */
    size_t len = b.len;
    char *text = apr_pmemdup(pool, b.p, len);
    buf_free(&b);
    const JdNode *n = jdom_parse(pool, text, len);
    return n ? val_json(n) : val_null();
}

static const AggOps agg_histogram = {sizeof(PctSt), pct_init,    pct_update, pct_merge,
                                     hist_result,   pct_destroy, pct_save,   pct_load};

/* time series (issue 20): count_over_time and sum_over_time are count and sum; the planner
 * rewrites rate() into latest, earliest, max and min (engine/plan/build.c), so its entry is
 * never run */
#define agg_count_over_time agg_count
#define agg_sum_over_time agg_sum
#define agg_rate agg_latest
#define FK_AGG_A(kernel) &agg_##kernel,
#define FK_SCALAR_A(kernel) NULL,
const AggOps *const agg_table[FN__COUNT] = {
#define FN(name, kind, min, max, kernel, syn, doc) kind##_A(kernel)
#include "parser/functions.def"
#undef FN
};
