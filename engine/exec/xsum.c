/* xsum.c -- exact sums of doubles (xsum.h): Shewchuk's partials, as Python's math.fsum
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "engine/exec/xsum.h"

/* Room for cap partials: from m's pool, else malloc'd (s->owned). */
static double *xs_room(ExactSum *s, size_t cap, AggMem *m)
{
    size_t bytes = sizeof(double) * cap;
    m->bytes += (int64_t)bytes;
    s->owned = m->pool == NULL;
    return m->pool ? apr_palloc(m->pool, bytes) : mem_alloc(bytes);
}

int64_t xsum_free(ExactSum *s)
{
    int64_t freed = s->owned ? (int64_t)(sizeof(double) * s->cap) : 0;
    if (s->owned)
        free(s->more);
    xsum_init(s);
    return freed;
}

void xsum_copy(ExactSum *d, const ExactSum *s, AggMem *m)
{
    *d = *s;
    d->owned = 0;
    if (s->more) {
        d->more = xs_room(d, s->cap, m);
        memcpy(d->more, s->more, sizeof(double) * s->n);
    }
}

void xsum_init(ExactSum *s)
{
    memset(s, 0, sizeof(*s));
    s->cap = XS_INLINE;
}

/* Adds x to the partials exactly (msum). m: where a longer list of partials is kept. */
static void xs_partial(ExactSum *s, double x, AggMem *m)
{
    if (s->over)
        return;
    double *p = s->more ? s->more : s->in;
    int k = 0;
    for (int j = 0; j < s->n; j++) {
        double y = p[j];
        if (fabs(x) < fabs(y)) {
            double t = x;
            x = y;
            y = t;
        }
        double hi = x + y, lo = y - (hi - x);
        if (lo != 0.0)
            p[k++] = lo;
        x = hi;
    }
    if (!isfinite(x)) {
        s->over = 1;
        s->n = 0;
        return;
    }
    if (k == s->cap) { /* room for more partials (a pool's go with it) */
        int cap = s->cap * 2, owned = s->owned;
        double *np = xs_room(s, (size_t)cap, m);
        memcpy(np, p, sizeof(double) * (size_t)k);
        if (owned)
            free(p);
        s->more = p = np;
        s->cap = (uint16_t)cap;
    }
    p[k++] = x;
    s->n = (uint16_t)k;
}

/* An int64 as two doubles that are each exact: its low 32 bits and the rest. */
static void xs_int(ExactSum *s, int64_t v, AggMem *m)
{
    int64_t lo = v & 0xFFFFFFFF;
    xs_partial(s, (double)(v - lo), m);
    xs_partial(s, (double)lo, m);
}

void xsum_add(ExactSum *s, double x, AggMem *m)
{
    if (!s->ioverflow && x == floor(x) && fabs(x) < 9.0e15) {
        int64_t r;
        if (!__builtin_add_overflow(s->i, (int64_t)x, &r)) {
            s->i = r;
            return;
        }
        s->ioverflow = 1;
        xs_int(s, s->i, m);
        s->i = 0;
    }
    xs_partial(s, x, m);
}

void xsum_merge(ExactSum *d, const ExactSum *s, AggMem *m)
{
    int64_t r;
    if (!d->ioverflow && !s->ioverflow && !__builtin_add_overflow(d->i, s->i, &r)) {
        d->i = r;
    } else {
        if (!d->ioverflow) {
            d->ioverflow = 1;
            xs_int(d, d->i, m);
            d->i = 0;
        }
        xs_int(d, s->i, m);
    }
    const double *p = s->more ? s->more : s->in;
    for (int j = 0; j < s->n; j++)
        xs_partial(d, p[j], m);
}

/* The exact sum rounded once to nearest, ties to even (math.fsum's last step). */
double xsum_value(const ExactSum *s)
{
    double p[2 * XS_INLINE + 64];
    int n = 0;
    if (s->over || s->n > 64) /* (more than 64 cannot be: nonoverlapping doubles) */
        return NAN;
    const double *src = s->more ? s->more : s->in;
    ExactSum t; /* the partials with i added, exactly */
    xsum_init(&t);
    t.more = p;
    t.cap = (uint16_t)(sizeof(p) / sizeof(p[0]));
    memcpy(p, src, sizeof(double) * s->n);
    t.n = s->n;
    if (s->i) {
        int64_t lo = s->i & 0xFFFFFFFF;
        xs_partial(&t, (double)(s->i - lo), NULL); /* at most ~42 partials: no growth */
        xs_partial(&t, (double)lo, NULL);
    }
    n = t.n;
    double hi = 0.0, lo = 0.0;
    if (n > 0) {
        hi = p[--n];
        while (n > 0) { /* from the top, until a sum is inexact */
            double x = hi, y = p[--n];
            hi = x + y;
            lo = y - (hi - x);
            if (lo != 0.0)
                break;
        }
        if (n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0))) {
            double y = lo * 2.0, x = hi + y; /* half-way cases round to even across partials */
            if (y == x - hi)
                hi = x;
        }
    }
    return hi;
}

void xsum_save(const ExactSum *e, LiqBuf *out)
{
    uint8_t o = (uint8_t)(e->ioverflow | e->over << 1);
    uint16_t n = e->n;
    buf_add(out, &e->i, 8);
    buf_add(out, &o, 1);
    buf_add(out, &n, 2);
    buf_add(out, e->more ? e->more : e->in, sizeof(double) * n);
}

/* The partials as saved: finite, at most 64 (nonoverlapping doubles are fewer). Bytes from
 * elsewhere that hold overlapping ones give a wrong sum, never a crash: every addition keeps
 * the exact sum of the partials, and xsum_value refuses more than 64. */
int xsum_load(ExactSum *e, const char **p, const char *end, AggMem *m)
{
    uint8_t o;
    uint16_t n;
    xsum_init(e);
    if (!buf_take(p, end, &e->i, 8) || !buf_take(p, end, &o, 1) || o > 3 || !buf_take(p, end, &n, 2) ||
        n > 64 || (size_t)(end - *p) < sizeof(double) * n)
        return 0;
    e->ioverflow = o & 1;
    e->over = o >> 1;
    double *d = e->in;
    if (n > XS_INLINE) {
        d = e->more = xs_room(e, n, m);
        e->cap = n;
    }
    for (uint16_t j = 0; j < n; j++) {
        buf_take(p, end, &d[j], 8);
        if (!isfinite(d[j]))
            return 0;
    }
    e->n = n;
    return 1;
}
