/* anomaly.c -- per-template time statistics and the five anomaly detectors (L21, §3.11)
 *
 * See anomaly.h for the data kept and docs/pattern.md for the detectors' rules. Everything
 * here is exact integer or order-independent floating-point bookkeeping except the sums of
 * numeric values, whose last bits may differ between thread counts (the thresholds they meet
 * are far from any rounding).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/mem.h"
#include "engine/pattern/anomaly.h"
#include "engine/exec/partial.h"
#include "engine/data/val.h"

static void *xrealloc(void *p, size_t n)
{
    void *q = mem_realloc(p, n);
    return q;
}

/* The widths of cells and buckets: each a multiple of the one before, so that cells coarsen
 * exactly; they are round durations, so buckets start at round times. After 28 days, doubling. */
static const int64_t widths[] = {
    1, 10, 100, 1000, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000, 10800000,
    21600000, 43200000, 86400000, 604800000, 1209600000, 2419200000LL};
enum { NWIDTHS = sizeof(widths) / sizeof(widths[0]) };

/* Past the table, doubling up to 2^31 times the last width (about 5.2e18 ms, more than half of
 * what an int64 holds: two such buckets cover any span of int64 times, so the loops that widen
 * until few buckets cover a span end there; a wider shift would overflow) */
int64_t an_width(int w)
{
    if (w < NWIDTHS)
        return widths[w];
    int sh = w - NWIDTHS + 1;
    return widths[NWIDTHS - 1] << (sh < 31 ? sh : 31);
}

/* floor(a / b) for b > 0 */
static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return q - (a % b != 0 && a < 0);
}

int an_gexp(int64_t tmin, int64_t tmax)
{
    int w = 0;
    while (w < 40 && floordiv(tmax, an_width(w)) - floordiv(tmin, an_width(w)) >= AN_MAXCELLS)
        w++;
    return w;
}

/* ===== series: cells sorted by key ===== */

static void cell_init(AnCell *c, int64_t key)
{
    memset(c, 0, sizeof(*c));
    c->key = key;
    xsum_init(&c->sum);
    xsum_init(&c->sumsq);
}

static AnCell *cell_at(AnSeries *s, int64_t key, int64_t *heap)
{
    if (s->n && s->c[s->n - 1].key == key) /* records mostly arrive in time order */
        return &s->c[s->n - 1];
    int lo = 0, hi = s->n;
    if (!s->n || s->c[s->n - 1].key < key) /* a new last cell */
        lo = hi;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (s->c[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->n && s->c[lo].key == key)
        return &s->c[lo];
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 8;
        *heap += (int64_t)sizeof(AnCell) * (cap - s->cap);
        s->cap = cap;
        s->c = xrealloc(s->c, sizeof(AnCell) * (size_t)s->cap);
    }
    memmove(&s->c[lo + 1], &s->c[lo], sizeof(AnCell) * (size_t)(s->n - lo));
    s->n++;
    cell_init(&s->c[lo], key);
    return &s->c[lo];
}

/* Adds s's counts and sums to d's (the partials of long sums malloc'd: counted in *heap). */
static void cell_join(AnCell *d, const AnCell *s, int64_t *heap)
{
    AggMem m = {NULL, 0};
    d->n += s->n;
    xsum_merge(&d->sum, &s->sum, &m);
    xsum_merge(&d->sumsq, &s->sumsq, &m);
    d->e4 += s->e4;
    d->e5 += s->e5;
    *heap += m.bytes;
}

static void cell_free(AnCell *c, int64_t *heap)
{
    *heap -= xsum_free(&c->sum) + xsum_free(&c->sumsq);
}

static void series_coarsen(AnSeries *s, int64_t d, int64_t *heap)
{
    int m = 0;
    for (int i = 0; i < s->n; i++) {
        AnCell c = s->c[i];
        c.key = floordiv(c.key, d);
        if (m && s->c[m - 1].key == c.key) {
            cell_join(&s->c[m - 1], &c, heap);
            cell_free(&c, heap);
        } else {
            s->c[m++] = c;
        }
    }
    s->n = m;
}

static void series_merge(AnSeries *d, const AnSeries *s, int64_t *heap)
{
    for (int i = 0; i < s->n; i++)
        cell_join(cell_at(d, s->c[i].key, heap), &s->c[i], heap);
}

static void series_free(AnSeries *s, int64_t *heap)
{
    for (int i = 0; i < s->n; i++)
        cell_free(&s->c[i], heap);
    *heap -= (int64_t)sizeof(AnCell) * s->cap;
    free(s->c);
    memset(s, 0, sizeof(*s));
}

/* ===== positions and their values ===== */

static void vals_clear(AnPos *p, int64_t *heap)
{
    for (int i = 0; i < p->nvals; i++) {
        *heap -= (int64_t)p->vals[i].len + 1;
        free(p->vals[i].s);
    }
    p->nvals = 0;
}

static void val_add(AnPos *p, const char *s, size_t len, int64_t n, int64_t first,
                    int64_t *heap)
{
    if (p->over)
        return;
    for (int i = 0; i < p->nvals; i++) {
        AnVal *v = &p->vals[i];
        if (v->len == len && memcmp(v->s, s, len) == 0) {
            v->n += n;
            if (first < v->first)
                v->first = first;
            return;
        }
    }
    if (p->nvals == AN_MAXVALS) { /* too many values to tell a new one: stop keeping them */
        vals_clear(p, heap);
        p->over = 1;
        return;
    }
    AnVal *v = &p->vals[p->nvals++];
    *heap += (int64_t)len + 1;
    v->s = xrealloc(NULL, len + 1);
    memcpy(v->s, s, len);
    v->s[len] = 0;
    v->len = len;
    v->n = n;
    v->first = first;
}

/* The position at token index tok, created in order; NULL when AN_MAXPOS are kept. */
static AnPos *pos_at(AnStats *a, int tok)
{
    int i = 0;
    while (i < a->npos && a->pos[i].tok < tok)
        i++;
    if (i < a->npos && a->pos[i].tok == tok)
        return &a->pos[i];
    if (a->npos == AN_MAXPOS)
        return NULL;
    memmove(&a->pos[i + 1], &a->pos[i], sizeof(AnPos) * (size_t)(a->npos - i));
    a->npos++;
    memset(&a->pos[i], 0, sizeof(AnPos));
    a->pos[i].tok = tok;
    return &a->pos[i];
}

static void pos_nonnum(AnPos *p, int64_t *heap)
{
    p->nonnum = p->nonhttp = 1;
    series_free(&p->cells, heap);
}

/* The number a token stands for: "503", "-1.5", "12ms", "latency=12ms", "(42)", "status:500,".
 * A "name=" or "name:" prefix must start with a letter (so 12:30:05 is no number). */
static int num_value(const char *s, size_t n, double *out)
{
    const char *e = s + n;
    for (const char *q = e; q > s; q--)
        if (q[-1] == '=' || q[-1] == ':') {
            if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z')
                s = q;
            else
                return 0;
            break;
        }
    while (s < e && (*s == '(' || *s == '[' || *s == '"' || *s == '\''))
        s++;
    while (e > s && strchr(",;)]\"'.", e[-1]))
        e--;
    while (e > s && (((e[-1] | 0x20) >= 'a' && (e[-1] | 0x20) <= 'z') || e[-1] == '%'))
        e--;
    if (e == s || (size_t)(e - s) > 40)
        return 0;
    char tmp[48];
    memcpy(tmp, s, (size_t)(e - s));
    tmp[e - s] = 0;
    int digit = 0;
    for (const char *q = tmp; *q; q++) {
        digit |= *q >= '0' && *q <= '9';
        if (!strchr("0123456789+-.eE", *q))
            return 0;
    }
    char *end;
    double v = strtod(tmp, &end);
    if (!digit || *end || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/* ===== AnStats ===== */

AnStats *an_new(void)
{
    AnStats *a = mem_calloc(1, sizeof(*a));
    return a;
}

void an_free(AnStats *a)
{
    if (!a)
        return;
    series_free(&a->cells, &a->heap);
    for (int i = 0; i < a->npos; i++) {
        vals_clear(&a->pos[i], &a->heap);
        series_free(&a->pos[i].cells, &a->heap);
    }
    free(a);
}

static void series_copy(AnSeries *d, const AnSeries *s, int64_t *heap)
{
    AggMem m = {NULL, 0};
    *heap += (int64_t)sizeof(AnCell) * s->n;
    d->c = s->n ? xrealloc(NULL, sizeof(AnCell) * (size_t)s->n) : NULL;
    for (int i = 0; i < s->n; i++) {
        d->c[i] = s->c[i];
        xsum_copy(&d->c[i].sum, &s->c[i].sum, &m);
        xsum_copy(&d->c[i].sumsq, &s->c[i].sumsq, &m);
    }
    d->n = d->cap = s->n;
    *heap += m.bytes;
}

AnStats *an_copy(const AnStats *a)
{
    if (!a)
        return NULL;
    AnStats *c = an_new();
    *c = *a;
    c->heap = 0;
    series_copy(&c->cells, &a->cells, &c->heap);
    for (int i = 0; i < a->npos; i++) {
        series_copy(&c->pos[i].cells, &a->pos[i].cells, &c->heap);
        for (int k = 0; k < a->pos[i].nvals; k++) {
            const AnVal *v = &a->pos[i].vals[k];
            c->heap += (int64_t)v->len + 1;
            c->pos[i].vals[k].s = xrealloc(NULL, v->len + 1);
            memcpy(c->pos[i].vals[k].s, v->s, v->len + 1);
        }
    }
    return c;
}

int64_t an_bytes(const AnStats *a)
{
    return a ? (int64_t)sizeof(*a) + a->heap : 0;
}

void an_coarsen(AnStats *a, int gexp)
{
    if (gexp <= a->gexp)
        return;
    int64_t d = an_width(gexp) / an_width(a->gexp);
    series_coarsen(&a->cells, d, &a->heap);
    for (int i = 0; i < a->npos; i++)
        series_coarsen(&a->pos[i].cells, d, &a->heap);
    a->gexp = gexp;
}

void an_add(AnStats *a, int gexp, int64_t ts, const AnTok *vars, int nvars)
{
    if (!a->nts && !a->cells.n)
        a->gexp = gexp;
    an_coarsen(a, gexp);
    if (!a->nts || ts < a->tmin)
        a->tmin = ts;
    if (!a->nts || ts > a->tmax)
        a->tmax = ts;
    a->nts++;
    int64_t key = floordiv(ts, an_width(a->gexp));
    cell_at(&a->cells, key, &a->heap)->n++;
    for (int i = 0; i < nvars; i++) {
        AnPos *p = pos_at(a, vars[i].tok);
        if (!p)
            break;
        val_add(p, vars[i].s, vars[i].len, 1, ts, &a->heap);
        if (p->nonnum)
            continue;
        double v;
        if (!num_value(vars[i].s, vars[i].len, &v)) {
            pos_nonnum(p, &a->heap);
            continue;
        }
        AnCell *c = cell_at(&p->cells, key, &a->heap);
        AggMem m = {NULL, 0};
        c->n++;
        xsum_add(&c->sum, v, &m);
        xsum_add(&c->sumsq, v * v, &m);
        a->heap += m.bytes;
        if (!p->nonhttp) {
            if (v != floor(v) || v < 100 || v > 599)
                p->nonhttp = 1;
            else if (v >= 500)
                c->e5++;
            else if (v >= 400)
                c->e4++;
        }
    }
}

void an_merge(AnStats *dst, AnStats *src)
{
    if (!src)
        return;
    int g = dst->gexp > src->gexp ? dst->gexp : src->gexp;
    an_coarsen(dst, g);
    an_coarsen(src, g);
    if (src->nts) {
        if (!dst->nts || src->tmin < dst->tmin)
            dst->tmin = src->tmin;
        if (!dst->nts || src->tmax > dst->tmax)
            dst->tmax = src->tmax;
        dst->nts += src->nts;
    }
    series_merge(&dst->cells, &src->cells, &dst->heap);
    for (int i = 0; i < src->npos; i++) {
        AnPos *sp = &src->pos[i], *dp = pos_at(dst, sp->tok);
        if (!dp)
            break;
        if (sp->nonnum)
            pos_nonnum(dp, &dst->heap);
        dp->nonhttp |= sp->nonhttp;
        if (sp->over) {
            vals_clear(dp, &dst->heap);
            dp->over = 1;
        } else {
            for (int k = 0; k < sp->nvals; k++)
                val_add(dp, sp->vals[k].s, sp->vals[k].len, sp->vals[k].n, sp->vals[k].first,
                        &dst->heap);
        }
        if (!dp->nonnum)
            series_merge(&dp->cells, &sp->cells, &dst->heap);
    }
}

void an_widen(AnStats *a, int tok, const char *s, size_t len, int64_t count, int64_t first)
{
    AnPos *p = pos_at(a, tok);
    if (!p)
        return;
    pos_nonnum(p, &a->heap); /* a word that was a constant of its group holds no digit */
    val_add(p, s, len, count, first, &a->heap);
}

/* ===== partial results (anomaly.h) =====
 *
 *   AnStats  i32 gexp, i64 tmin, i64 tmax, i64 nts, series (the records), u8 npos, then each
 *            position: i32 tok, u8 flags (1 nonnum, 2 nonhttp, 4 over), u8 nvals, each value
 *            (u32 length, the bytes, i64 records, i64 first time), series (its numbers)
 *   series   u32 cells, each i64 key, i64 n, sum, sum of squares (exact: xsum_save's i64, u8
 *            flags, u16 partials and the partials), i64 e4, i64 e5
 */

enum { AN_MAXGEXP = 40 }; /* an_gexp's largest width index */

static void series_save(const AnSeries *s, LiqBuf *out)
{
    uint32_t n = (uint32_t)s->n;
    buf_add(out, &n, 4);
    for (int i = 0; i < s->n; i++) {
        const AnCell *c = &s->c[i];
        buf_add(out, &c->key, 8);
        buf_add(out, &c->n, 8);
        xsum_save(&c->sum, out);
        xsum_save(&c->sumsq, out);
        buf_add(out, &c->e4, 8);
        buf_add(out, &c->e5, 8);
    }
}

void an_save(const AnStats *a, LiqBuf *out)
{
    int32_t g = a->gexp;
    buf_add(out, &g, 4);
    buf_add(out, &a->tmin, 8);
    buf_add(out, &a->tmax, 8);
    buf_add(out, &a->nts, 8);
    series_save(&a->cells, out);
    buf_addc(out, (char)a->npos);
    for (int i = 0; i < a->npos; i++) {
        const AnPos *p = &a->pos[i];
        int32_t tok = p->tok;
        buf_add(out, &tok, 4);
        buf_addc(out, (char)((p->nonnum ? 1 : 0) | (p->nonhttp ? 2 : 0) | (p->over ? 4 : 0)));
        buf_addc(out, (char)p->nvals);
        for (int k = 0; k < p->nvals; k++) {
            const AnVal *v = &p->vals[k];
            uint32_t len = (uint32_t)v->len;
            buf_add(out, &len, 4);
            buf_add(out, v->s, v->len);
            buf_add(out, &v->n, 8);
            buf_add(out, &v->first, 8);
        }
        series_save(&p->cells, out);
    }
}

/* A count as a state may hold it: not negative, at most PARTIAL_COUNT_MAX (merges then cannot
 * overflow). */
static int an_count_ok(int64_t n)
{
    return n >= 0 && n <= PARTIAL_COUNT_MAX;
}

/* The first and last cell numbers of a's records at its width. */
static int64_t an_cell_lo(const AnStats *a)
{
    return floordiv(a->tmin, an_width(a->gexp));
}

static int64_t an_cell_hi(const AnStats *a)
{
    return floordiv(a->tmax, an_width(a->gexp));
}

/* A time as a state may hold it (AN_TS_LIMIT). */
static int an_time_ok(int64_t t)
{
    return t >= -AN_TS_LIMIT && t <= AN_TS_LIMIT;
}

/* A series at *p: at most AN_MAXCELLS cells, keys rising from lo to hi (the cells of the
 * records' span), counts an_count_ok. */
static int series_load(AnSeries *s, const char **p, const char *end, int64_t lo, int64_t hi,
                       int64_t *heap)
{
    uint32_t n;
    enum { CELL_MIN = 8 + 8 + 2 * 11 + 8 + 8 }; /* the fewest bytes a saved cell takes */
    if (!buf_take(p, end, &n, 4) || n > AN_MAXCELLS || (size_t)(end - *p) / CELL_MIN < n)
        return 0;
    if (!n)
        return 1;
    s->c = xrealloc(NULL, sizeof(AnCell) * n);
    s->cap = (int)n;
    s->n = 0;
    *heap += (int64_t)sizeof(AnCell) * n;
    for (uint32_t i = 0; i < n; i++) {
        AnCell *c = &s->c[i];
        cell_init(c, 0);
        s->n = (int)i + 1; /* from here series_free frees it */
        AggMem m = {NULL, 0};
        int ok = buf_take(p, end, &c->key, 8) && buf_take(p, end, &c->n, 8) &&
                 xsum_load(&c->sum, p, end, &m) && xsum_load(&c->sumsq, p, end, &m) &&
                 buf_take(p, end, &c->e4, 8) && buf_take(p, end, &c->e5, 8);
        *heap += m.bytes;
        if (!ok || !an_count_ok(c->n) || !an_count_ok(c->e4) || !an_count_ok(c->e5) ||
            c->key < lo || c->key > hi || (i && c->key <= s->c[i - 1].key))
            return 0;
    }
    return 1;
}

static int pos_load(AnPos *ps, const char **p, const char *end, int ntok, int prev,
                    const AnStats *a, int64_t *heap)
{
    int32_t tok;
    uint8_t flags, nvals;
    if (!buf_take(p, end, &tok, 4) || !buf_take(p, end, &flags, 1) ||
        !buf_take(p, end, &nvals, 1))
        return 0;
    if (tok < 0 || tok >= ntok || tok <= prev || flags > 7 || nvals > AN_MAXVALS ||
        ((flags & 4) && nvals))
        return 0;
    ps->tok = tok;
    ps->nonnum = flags & 1;
    ps->nonhttp = (flags & 2) != 0;
    ps->over = (flags & 4) != 0;
    for (int k = 0; k < nvals; k++) {
        AnVal *v = &ps->vals[k];
        uint32_t len;
        if (!buf_take(p, end, &len, 4) || (size_t)(end - *p) < len)
            return 0;
        v->s = xrealloc(NULL, (size_t)len + 1);
        memcpy(v->s, *p, len);
        v->s[len] = 0;
        v->len = len;
        *p += len;
        ps->nvals++;
        *heap += (int64_t)len + 1;
        if (!buf_take(p, end, &v->n, 8) || !buf_take(p, end, &v->first, 8) || v->n <= 0 ||
            v->n > PARTIAL_COUNT_MAX || v->first < a->tmin || v->first > a->tmax)
            return 0;
    }
    return series_load(&ps->cells, p, end, an_cell_lo(a), an_cell_hi(a), heap) &&
           !(ps->nonnum && ps->cells.n);
}

AnStats *an_load(const char **p, const char *end, int ntok)
{
    AnStats *a = an_new();
    int32_t g = 0;
    uint8_t npos = 0;
    /* the records' span and its cells: a state without records holds none */
    int ok = buf_take(p, end, &g, 4) && g >= 0 && g <= AN_MAXGEXP &&
             buf_take(p, end, &a->tmin, 8) && buf_take(p, end, &a->tmax, 8) &&
             buf_take(p, end, &a->nts, 8) && an_count_ok(a->nts) && a->nts > 0 &&
             an_time_ok(a->tmin) && an_time_ok(a->tmax) && a->tmin <= a->tmax;
    a->gexp = ok ? g : 0;
    ok = ok && series_load(&a->cells, p, end, an_cell_lo(a), an_cell_hi(a), &a->heap) &&
         buf_take(p, end, &npos, 1) && npos <= AN_MAXPOS;
    for (int i = 0; ok && i < npos; i++) {
        a->npos++; /* counted first: an_free frees what a half-read position holds */
        ok = pos_load(&a->pos[i], p, end, ntok, i ? a->pos[i - 1].tok : -1, a, &a->heap);
    }
    if (!ok) {
        an_free(a);
        return NULL;
    }
    return a;
}

/* ===== the frame and the detectors ===== */

int an_frame(AnFrame *f, int64_t t0, int64_t t1, int gexp)
{
    memset(f, 0, sizeof(*f));
    t0 = t0 < -AN_TS_LIMIT ? -AN_TS_LIMIT : t0 > AN_TS_LIMIT ? AN_TS_LIMIT : t0;
    t1 = t1 < -AN_TS_LIMIT ? -AN_TS_LIMIT : t1 > AN_TS_LIMIT ? AN_TS_LIMIT : t1;
    f->t0 = t0;
    f->t1 = t1;
    f->gexp = gexp;
    if (t1 <= t0)
        return 0;
    int w = gexp; /* buckets: the narrowest round width at most AN_BUCKETS of which cover it */
    while (floordiv(t1, an_width(w)) - floordiv(t0, an_width(w)) + 1 > AN_BUCKETS)
        w++;
    f->bw = an_width(w);
    f->per = f->bw / an_width(gexp);
    f->b0 = floordiv(t0, f->bw);
    f->nb = (int)(floordiv(t1, f->bw) - f->b0 + 1);
    if (f->nb < AN_MINBUCKETS)
        return 0;
    f->split = f->nb - (f->nb / 4 > 1 ? f->nb / 4 : 1);
    f->split_ms = (f->b0 + f->split) * f->bw;
    return 1;
}

static int bucket(const AnFrame *f, int64_t key)
{
    int64_t b = floordiv(key, f->per) - f->b0;
    return b < 0 ? 0 : b >= f->nb ? f->nb - 1 : (int)b;
}

static int64_t bucket_start(const AnFrame *f, int b)
{
    int64_t t = (f->b0 + b) * f->bw;
    return t < f->t0 ? f->t0 : t;
}

void an_count_baseline(AnFrame *f, const AnStats *a)
{
    for (int i = 0; i < a->cells.n; i++)
        if (bucket(f, a->cells.c[i].key) < f->split)
            f->baseline += a->cells.c[i].n;
}

/* A duration in words: "90 ms", "5.46 min", "2 h" */
static void dur(LiqBuf *b, int64_t ms)
{
    if (ms < 1000)
        buf_printf(b, "%lld ms", (long long)ms);
    else if (ms < 60000)
        buf_printf(b, "%.3g s", (double)ms / 1e3);
    else if (ms < 3600000)
        buf_printf(b, "%.3g min", (double)ms / 6e4);
    else if (ms < 86400000)
        buf_printf(b, "%.3g h", (double)ms / 3.6e6);
    else
        buf_printf(b, "%.3g days", (double)ms / 8.64e7);
}

static void quoted(LiqBuf *b, const AnVal *v)
{
    size_t n = v->len > 40 ? 40 : v->len;
    buf_printf(b, "'%.*s%s'", (int)n, v->s, n < v->len ? "..." : "");
}

static int is_sev(const char *sev, const char *label)
{
    return sev && strcmp(sev, label) == 0;
}

static AnFinding *finding(AnFinding *out, int *n, AnKind k, AnPriority p, int64_t ts)
{
    AnFinding *f = &out[(*n)++];
    f->kind = k;
    f->prio = p;
    f->ts = ts;
    memset(&f->desc, 0, sizeof(f->desc));
    return f;
}

/* P(X >= x) for X ~ Poisson(mu), x > mu: the sum of the terms from x on (they shrink). */
static double poisson_tail(double x, double mu)
{
    double term = exp(-mu + x * log(mu) - lgamma(x + 1)), sum = 0;
    for (int i = 0; i < 1000 && term > sum * 1e-12; i++) {
        sum += term;
        term *= mu / (x + i + 1);
    }
    return sum;
}

/* Pattern frequency: one bucket far above the template's usual count. */
static void detect_frequency(const AnStats *a, const AnFrame *f, const char *sev, const int64_t *c,
                             AnFinding *out, int *n)
{
    if (a->tmin >= f->split_ms)
        return; /* a new pattern: reported as such */
    double total = 0, sq = 0;
    for (int b = 0; b < f->nb; b++) {
        total += (double)c[b];
        sq += (double)c[b] * (double)c[b];
    }
    int best = -1;
    double bestx = 0, bestmu = 0;
    for (int b = 0; b < f->nb; b++) {
        double x = (double)c[b], mu = (total - x) / (f->nb - 1);
        double var = (sq - x * x) / (f->nb - 1) - mu * mu, sd = var > 0 ? sqrt(var) : 0;
        double floor_sd = sqrt(mu) > 1 ? sqrt(mu) : 1;
        double thr = mu + 3 * (sd > floor_sd ? sd : floor_sd);
        if (x >= 10 && x > thr && x >= 3 * mu && x - thr > bestx &&
            poisson_tail(x, mu > 0.5 ? mu : 0.5) <= AN_PVALUE) {
            best = b;
            bestx = x - thr;
            bestmu = mu;
        }
    }
    if (best < 0)
        return;
    double ratio = (double)c[best] / (bestmu > 1 ? bestmu : 1);
    AnPriority p = ratio >= 10 || is_sev(sev, "Error") ? AN_HIGH
                   : ratio >= 5 || is_sev(sev, "Warning") ? AN_MEDIUM
                                                          : AN_LOW;
    AnFinding *r = finding(out, n, AN_FREQUENCY, p, bucket_start(f, best));
    buf_printf(&r->desc, "%lld records in ", (long long)c[best]);
    dur(&r->desc, f->bw);
    buf_printf(&r->desc, ": %.1fx the usual %.1f", ratio, bestmu);
}

/* New pattern: first seen in the recent quarter, while enough other records came before. */
static void detect_new(const AnStats *a, const AnFrame *f, const char *sev, AnFinding *out, int *n)
{
    if (!a->nts || a->tmin < f->split_ms || f->baseline < AN_MINBASELINE)
        return; /* a handful of earlier records says nothing of what is usual */
    AnPriority p = is_sev(sev, "Error") ? AN_HIGH : is_sev(sev, "Warning") ? AN_MEDIUM : AN_LOW;
    AnFinding *r = finding(out, n, AN_NEW_PATTERN, p, a->tmin);
    buf_printf(&r->desc, "new pattern: %lld record%s in the last ", (long long)a->nts,
               a->nts == 1 ? "" : "s");
    dur(&r->desc, f->t1 - f->split_ms + 1);
    buf_adds(&r->desc, ", none in the ");
    dur(&r->desc, f->split_ms - f->t0);
    buf_adds(&r->desc, " before");
}

static int cmp_vals(const void *a, const void *b)
{
    const AnVal *x = *(const AnVal *const *)a, *y = *(const AnVal *const *)b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Token variation: a variable that took only a few values takes a new one recently. */
static void detect_variation(const AnPos *p, const AnFrame *f, const char *sev, int64_t base_n,
                             int tokn, AnFinding *out, int *n)
{
    if (!p->nonnum || p->over || base_n < 10)
        return;
    int nb = 0, nn = 0;
    int64_t first = INT64_MAX;
    for (int i = 0; i < p->nvals; i++) {
        if (p->vals[i].first < f->split_ms) {
            nb++;
        } else {
            nn++;
            if (p->vals[i].first < first)
                first = p->vals[i].first;
        }
    }
    if (!nb || !nn)
        return;
    AnFinding *r = finding(out, n, AN_TOKEN_VARIATION, is_sev(sev, "Error") ? AN_MEDIUM : AN_LOW,
                           first);
    const AnVal *v[AN_MAXVALS]; /* in the order they appeared (the same for any thread count) */
    for (int i = 0; i < p->nvals; i++)
        v[i] = &p->vals[i];
    qsort(v, (size_t)p->nvals, sizeof(v[0]), cmp_vals);
    buf_printf(&r->desc, "<Token-%d> has new value%s ", tokn, nn == 1 ? "" : "s");
    int k = 0;
    for (int i = 0; i < p->nvals; i++)
        if (v[i]->first >= f->split_ms) {
            if (k++)
                buf_adds(&r->desc, ", ");
            quoted(&r->desc, v[i]);
            buf_printf(&r->desc, " (%lld)", (long long)v[i]->n);
        }
    buf_adds(&r->desc, "; before only ");
    k = 0;
    for (int i = 0; i < p->nvals; i++)
        if (v[i]->first < f->split_ms) {
            if (k++)
                buf_adds(&r->desc, ", ");
            quoted(&r->desc, v[i]);
        }
}

typedef struct Acc {
    int64_t n, e4, e5;
    double sum, sumsq;
} Acc;

static void acc_add(Acc *a, const AnCell *c)
{
    a->n += c->n;
    a->e4 += c->e4;
    a->e5 += c->e5;
    a->sum += xsum_value(&c->sum); /* cells come in time order: the same additions in every run */
    a->sumsq += xsum_value(&c->sumsq);
}

/* Numeric token: a numeric variable whose recent mean leaves the baseline's range (skipped
 * when the baseline itself trends, as counters and ids do). */
static void detect_numeric(const AnPos *p, const AnFrame *f, int tokn, AnFinding *out, int *n)
{
    if (p->nonnum || !p->nonhttp)
        return;
    Acc base = {0}, h1 = {0}, h2 = {0}, rec = {0}, bk[AN_BUCKETS] = {{0}};
    for (int i = 0; i < p->cells.n; i++) {
        const AnCell *c = &p->cells.c[i];
        int b = bucket(f, c->key);
        acc_add(&bk[b], c);
        if (b >= f->split) {
            acc_add(&rec, c);
        } else {
            acc_add(&base, c);
            acc_add(b < f->split / 2 ? &h1 : &h2, c);
        }
    }
    if (base.n < 10 || rec.n < 3)
        return;
    double mu = base.sum / (double)base.n, var = base.sumsq / (double)base.n - mu * mu;
    double sd = var > 0 ? sqrt(var) : 0, mur = rec.sum / (double)rec.n, amu = fabs(mu);
    if (h1.n && h2.n && fabs(h1.sum / (double)h1.n - h2.sum / (double)h2.n) > 1.2 * sd && sd > 0)
        return; /* a trend (counter, id, clock): no stable baseline */
    if (fabs(mur - mu) <= 3 * sd || fabs(mur - mu) <= 0.5 * amu)
        return;
    double r = amu > 0 ? mur / mu : 1e9;
    if (r < 0)
        r = -r;
    if (r > 0 && r < 1)
        r = 1 / r;
    int64_t ts = f->split_ms;
    for (int b = f->split; b < f->nb; b++) {
        if (!bk[b].n)
            continue;
        double m = bk[b].sum / (double)bk[b].n;
        if (fabs(m - mu) > 3 * sd && fabs(m - mu) > 0.5 * amu) {
            ts = bucket_start(f, b);
            break;
        }
    }
    AnFinding *o = finding(out, n, AN_NUMERIC_TOKEN,
                           r >= 10 ? AN_HIGH : r >= 3 ? AN_MEDIUM : AN_LOW, ts);
    buf_printf(&o->desc, "<Token-%d> averaged %.6g in the last ", tokn, mur);
    dur(&o->desc, f->t1 - f->split_ms + 1);
    buf_printf(&o->desc, ", against %.6g (sd %.3g) before", mu, sd);
}

/* HTTP error code: a status-code variable whose share of 4xx/5xx rises. */
static void detect_http(const AnPos *p, const AnFrame *f, int tokn, AnFinding *out, int *n)
{
    if (p->nonnum || p->nonhttp)
        return;
    Acc base = {0}, rec = {0}, bk[AN_BUCKETS] = {{0}};
    for (int i = 0; i < p->cells.n; i++) {
        int b = bucket(f, p->cells.c[i].key);
        acc_add(&bk[b], &p->cells.c[i]);
        acc_add(b >= f->split ? &rec : &base, &p->cells.c[i]);
    }
    int64_t eb = base.e4 + base.e5, er = rec.e4 + rec.e5;
    if (base.n < 10 || er < 5)
        return;
    double rb = (double)eb / (double)base.n, rr = (double)er / (double)rec.n;
    if (rr < 2 * rb || rr - rb < 0.05)
        return;
    /* and not chance: the errors expected at the baseline's rate (with one error and one
     * success added, so that a clean baseline is no certainty) are far below */
    double p0 = (double)(eb + 1) / (double)(base.n + 2), exp_r = (double)rec.n * p0;
    if (((double)er - exp_r - 0.5) / sqrt(exp_r * (1 - p0)) < AN_ZSCORE)
        return;
    int64_t ts = f->split_ms;
    for (int b = f->split; b < f->nb; b++) {
        double s = bk[b].n ? (double)(bk[b].e4 + bk[b].e5) / (double)bk[b].n : 0;
        if (bk[b].n && s >= 2 * rb && s - rb >= 0.05) {
            ts = bucket_start(f, b);
            break;
        }
    }
    AnPriority pr = rr >= 0.1 && 2 * rec.e5 >= er ? AN_HIGH : rr >= 0.1 ? AN_MEDIUM : AN_LOW;
    AnFinding *o = finding(out, n, AN_HTTP_ERROR, pr, ts);
    buf_printf(&o->desc, "<Token-%d>: HTTP errors are %.1f%% of the last ", tokn, 100 * rr);
    dur(&o->desc, f->t1 - f->split_ms + 1);
    buf_printf(&o->desc, " (%lld of %lld: %lld 4xx, %lld 5xx), against %.1f%% before",
               (long long)er, (long long)rec.n, (long long)rec.e4, (long long)rec.e5, 100 * rb);
}

int an_detect(const AnStats *a, const AnFrame *f, const char *severity, const int *tokord,
              AnFinding *out)
{
    int n = 0;
    if (!a || !a->nts)
        return 0;
    int64_t c[AN_BUCKETS] = {0}, base_n = 0;
    for (int i = 0; i < a->cells.n; i++) {
        int b = bucket(f, a->cells.c[i].key);
        c[b] += a->cells.c[i].n;
        if (b < f->split)
            base_n += a->cells.c[i].n;
    }
    detect_frequency(a, f, severity, c, out, &n);
    detect_new(a, f, severity, out, &n);
    if (a->tmin >= f->split_ms)
        return n; /* a new pattern has no baseline for its tokens */
    for (int i = 0; i < a->npos; i++) {
        const AnPos *p = &a->pos[i];
        int tokn = tokord[p->tok];
        if (tokn <= 0)
            continue;
        detect_variation(p, f, severity, base_n, tokn, out, &n);
        detect_numeric(p, f, tokn, out, &n);
        detect_http(p, f, tokn, out, &n);
    }
    return n;
}

const char *an_kind_name(AnKind k)
{
    static const char *const names[] = {"PatternFrequency", "NewPattern", "TokenVariation",
                                        "NumericToken", "HttpErrorCode"};
    return names[k];
}

const char *an_priority_name(AnPriority p)
{
    static const char *const names[] = {"High", "Medium", "Low"};
    return names[p];
}
