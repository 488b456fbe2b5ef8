/* prom.c -- liq watch's Prometheus endpoint and OpenMetrics files (see prom.h for the names)
 *
 * One series table serves both: a series is a metric (its Prometheus base name, liq_<ns>_<metric>)
 * and its dimension labels, found by hashing that text. The endpoint keeps per series the
 * counters and the gauges of the latest period; the file writer keeps every point and writes
 * them, sorted, at the end. The exposition is written by one family at a time: the endpoint
 * is a file with one sample per series and no timestamps.
 *
 * HTTP is libmicrohttpd's, as liq serve's (serve/srv.c): its internal polling thread answers
 * GET /metrics by rendering under the exporter's lock; the socket is bound here so that a
 * failure can say why (errno).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>
#include "base/mem.h"
#include "base/span.h"
#include "watch/prom.h"

static const char *const state_names[] = {"OK", "ALARM", "INSUFFICIENT_DATA"};

/* ===== names and text ===== */

/* Appends s snake-cased (a lower letter or digit then an upper letter gets '_' between),
 * lower-cased, with every byte outside [a-z0-9_] as '_'. */
static void add_snake(LiqBuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned c = *p;
        if (c >= 'A' && c <= 'Z' && p != (const unsigned char *)s &&
            ((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= '0' && p[-1] <= '9')))
            buf_addc(b, '_');
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        buf_addc(b, (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? (char)c : '_');
    }
}

/* liq_<ns>_<metric>: runs of '_' made one, none at the end */
static char *base_name(const char *ns, const char *metric)
{
    LiqBuf raw = {0};
    buf_adds(&raw, "liq_");
    if (ns && *ns) {
        add_snake(&raw, ns);
        buf_addc(&raw, '_');
    }
    add_snake(&raw, metric ? metric : "");
    char *out = mem_alloc(raw.len + 1);
    size_t n = 0;
    for (size_t i = 0; i < raw.len; i++)
        if (raw.p[i] != '_' || (n && out[n - 1] != '_'))
            out[n++] = raw.p[i];
    while (n > 4 && out[n - 1] == '_')
        n--;
    out[n] = 0;
    buf_free(&raw);
    return out;
}

/* Appends the UTF-8 character at *v (invalid bytes as U+FFFD: Prometheus refuses a whole
 * scrape over one label value that is not UTF-8) and steps past it. */
static void add_utf8(LiqBuf *b, const char **v)
{
    if ((unsigned char)**v < 0x80) {
        buf_addc(b, *(*v)++);
        return;
    }
    size_t adv = 1;
    uint32_t c = span_utf8_decode(*v, strnlen(*v, 4), &adv);
    if (adv == 0)
        adv = 1;
    if (c == 0xFFFD)
        buf_adds(b, "\xEF\xBF\xBD");
    else
        buf_add(b, *v, adv);
    *v += adv;
}

/* a label value, escaped as both formats want: \\, \", \n */
static void add_label_value(LiqBuf *b, const char *v)
{
    buf_addc(b, '"');
    while (*v) {
        if (*v == '\\')
            buf_adds(b, "\\\\");
        else if (*v == '"')
            buf_adds(b, "\\\"");
        else if (*v == '\n')
            buf_adds(b, "\\n");
        else {
            add_utf8(b, &v);
            continue;
        }
        v++;
    }
    buf_addc(b, '"');
}

/* HELP text: \\ and \n escaped; OpenMetrics also escapes \" */
static void add_help_text(LiqBuf *b, const char *s, int om)
{
    while (*s) {
        if (*s == '\\')
            buf_adds(b, "\\\\");
        else if (*s == '\n')
            buf_adds(b, "\\n");
        else if (*s == '"' && om)
            buf_adds(b, "\\\"");
        else {
            add_utf8(b, &s);
            continue;
        }
        s++;
    }
}

/* an integer in decimal (buf_printf formats twice: too slow for a month of samples) */
static void add_int(LiqBuf *b, long long v)
{
    char tmp[24], *e = tmp + sizeof(tmp), *p = e;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    buf_add(b, p, (size_t)(e - p));
}

/* a sample value: the shortest text that reads back as v; NaN, +Inf, -Inf */
static void add_value(LiqBuf *b, double v)
{
    if (isnan(v)) {
        buf_adds(b, "NaN");
        return;
    }
    if (isinf(v)) {
        buf_adds(b, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    if (v == floor(v) && fabs(v) < 9007199254740992.0) { /* integers as integers, 1130 */
        add_int(b, (long long)v);
        return;
    }
    /* %g drops trailing zeros: from 15 digits (DBL_DIG, always exact when a shorter form reads
     * back) the first that reads back is the shortest */
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    buf_adds(b, tmp);
}

/* OpenMetrics timestamps: seconds, with the milliseconds when there are some */
static void add_time(LiqBuf *b, int64_t ms)
{
    int64_t s = ms / 1000, r = ms % 1000;
    if (r < 0) {
        s--;
        r += 1000;
    }
    add_int(b, (long long)s);
    if (r) {
        char tmp[4] = {'.', (char)('0' + r / 100), (char)('0' + r / 10 % 10), (char)('0' + r % 10)};
        size_t n = 4;
        while (tmp[n - 1] == '0')
            n--;
        buf_add(b, tmp, n);
    }
}

/* p99 -> "p99", 99.9 -> "p99_9" */
static void add_pct_suffix(LiqBuf *b, double p)
{
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*f", prec > 6 ? 6 : prec - 1, p);
        char *end = tmp + strlen(tmp);
        if (strchr(tmp, '.')) {
            while (end[-1] == '0')
                *--end = 0;
            if (end[-1] == '.')
                *--end = 0;
        }
        if (prec > 6 || strtod(tmp, NULL) == p)
            break;
    }
    buf_addc(b, 'p');
    for (char *c = tmp; *c; c++)
        buf_addc(b, (*c >= '0' && *c <= '9') ? *c : '_');
}

/* ===== the series table ===== */

typedef struct FPoint {
    int64_t t_ms;
    uint64_t seq; /* the order given: the last of equal times wins */
    double count, sum, min, max;
    int is_default, npct;
    double *pct; /* npct (p, v) pairs */
} FPoint;

typedef struct Series {
    char *base;   /* liq_<ns>_<metric> */
    char *labels; /* dimension_A="x",dimension_B="y" (sorted by name), or "" */
    char *help;   /* "<ns> <metric> (<unit>)" */
    uint64_t hash;
    size_t idx; /* in Table.all */
    /* the endpoint */
    double count_total, sum_total;
    int have_last;
    FPoint last; /* the latest period */
    /* the file */
    FPoint *pts;
    size_t npts, cap;
} Series;

typedef struct Table {
    Series **slot; /* open addressing (linear probing), power of two */
    size_t nslot, n;
    double evicted; /* series replaced at the cap */
    Series **all; /* in creation order */
    size_t nall_cap;
} Table;

static uint64_t fnv(const char *a, const char *b)
{
    uint64_t h = 1469598103934665603ull;
    for (; *a; a++)
        h = (h ^ (unsigned char)*a) * 1099511628211ull;
    h = (h ^ 1u) * 1099511628211ull;
    for (; *b; b++)
        h = (h ^ (unsigned char)*b) * 1099511628211ull;
    return h;
}

typedef struct Label {
    char name[128]; /* dimension_<Name>, sanitized */
    const char *value;
} Label;

static int label_cmp(const void *a, const void *b)
{
    return strcmp(((const Label *)a)->name, ((const Label *)b)->name);
}

/* the labels of p's dimensions, sorted by name; a name that sanitizes like another one of the
 * point ("a-b", "a.b") gets _2, _3 (the same label twice would fail the whole scrape) */
static char *labels_of(const WatchPoint *p)
{
    Label d[WATCH_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < p->ndims && i < WATCH_MAX_DIMS; i++) {
        if (!p->dims[i].name)
            continue;
        LiqBuf nb = {0};
        buf_adds(&nb, "dimension_");
        for (const char *c = p->dims[i].name; *c && nb.len < 100; c++)
            buf_addc(&nb, ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                           (*c >= '0' && *c <= '9')) ? *c : '_');
        char base[112];
        snprintf(base, sizeof(base), "%.*s", (int)nb.len, nb.p);
        buf_free(&nb);
        snprintf(d[n].name, sizeof(d[n].name), "%s", base);
        for (int dup = 1, clash = 1; clash;) {
            clash = 0;
            for (int k = 0; k < n; k++)
                clash |= strcmp(d[k].name, d[n].name) == 0;
            if (clash)
                snprintf(d[n].name, sizeof(d[n].name), "%s_%d", base, ++dup);
        }
        d[n++].value = p->dims[i].value ? p->dims[i].value : "";
    }
    qsort(d, (size_t)n, sizeof(d[0]), label_cmp);
    LiqBuf b = {0};
    for (int i = 0; i < n; i++) {
        if (i)
            buf_addc(&b, ',');
        buf_adds(&b, d[i].name);
        buf_addc(&b, '=');
        add_label_value(&b, d[i].value);
    }
    buf_addc(&b, 0);
    return b.p;
}

static void series_free(Series *s)
{
    for (size_t k = 0; k < s->npts; k++)
        free(s->pts[k].pct);
    free(s->pts);
    free(s->last.pct);
    free(s->base);
    free(s->labels);
    free(s->help);
    free(s);
}

/* Removes s from the table and frees it (linear probing: the entries after its slot that
 * would no longer be found shift back). */
static void series_evict(Table *t, Series *s)
{
    size_t mask = t->nslot - 1, i = (size_t)s->hash & mask;
    while (t->slot[i] != s)
        i = (i + 1) & mask;
    t->slot[i] = NULL;
    for (size_t j = (i + 1) & mask; t->slot[j]; j = (j + 1) & mask) {
        size_t k = (size_t)t->slot[j]->hash & mask; /* its home: stays when in (i, j] */
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
            continue;
        t->slot[i] = t->slot[j];
        t->slot[j] = NULL;
        i = j;
    }
    t->all[s->idx] = t->all[--t->n];
    t->all[s->idx]->idx = s->idx;
    series_free(s);
    t->evicted++;
}

/* the series of p: found, or created; at max_series, created in place of the series whose
 * latest point is the oldest when that is older than p (a dimension value gone quiet), else
 * NULL */
static Series *series_get(Table *t, const WatchPoint *p, size_t max_series)
{
    char *base = base_name(p->ns, p->metric);
    char *labels = labels_of(p);
    uint64_t h = fnv(base, labels);
    size_t i = t->nslot ? (size_t)h & (t->nslot - 1) : 0;
    for (; t->nslot && t->slot[i]; i = (i + 1) & (t->nslot - 1)) {
        Series *s = t->slot[i];
        if (s->hash == h && strcmp(s->base, base) == 0 && strcmp(s->labels, labels) == 0) {
            free(base);
            free(labels);
            return s;
        }
    }
    if (max_series && t->n >= max_series) {
        Series *old = NULL;
        for (size_t k = 0; k < t->n; k++)
            if (t->all[k]->have_last && (!old || t->all[k]->last.t_ms < old->last.t_ms))
                old = t->all[k];
        if (!old || old->last.t_ms >= p->start_ms) {
            free(base);
            free(labels);
            return NULL;
        }
        series_evict(t, old);
        i = (size_t)h & (t->nslot - 1); /* entries moved: the free slot again */
        while (t->slot[i])
            i = (i + 1) & (t->nslot - 1);
    }
    if ((t->n + 1) * 2 > t->nslot) {
        size_t nn = t->nslot ? t->nslot * 2 : 64;
        Series **ns = mem_calloc(nn, sizeof(*ns));
        for (size_t k = 0; k < t->nslot; k++)
            if (t->slot[k]) {
                size_t j = (size_t)t->slot[k]->hash & (nn - 1);
                while (ns[j])
                    j = (j + 1) & (nn - 1);
                ns[j] = t->slot[k];
            }
        free(t->slot);
        t->slot = ns;
        t->nslot = nn;
        i = (size_t)h & (nn - 1);
        while (t->slot[i])
            i = (i + 1) & (nn - 1);
    }
    Series *s = mem_calloc(1, sizeof(*s));
    s->base = base;
    s->labels = labels;
    s->hash = h;
    LiqBuf help = {0};
    buf_printf(&help, "%s%s%s (%s)", p->ns && *p->ns ? p->ns : "", p->ns && *p->ns ? " " : "",
               p->metric ? p->metric : "", p->unit ? p->unit : "None");
    buf_addc(&help, 0);
    s->help = help.p;
    t->slot[i] = s;
    if (t->n == t->nall_cap) {
        t->nall_cap = t->nall_cap ? t->nall_cap * 2 : 64;
        t->all = mem_realloc(t->all, mem_mul(t->nall_cap, sizeof(*t->all)));
    }
    s->idx = t->n;
    t->all[t->n++] = s;
    return s;
}

static void table_free(Table *t)
{
    for (size_t i = 0; i < t->n; i++)
        series_free(t->all[i]);
    free(t->all);
    free(t->slot);
    memset(t, 0, sizeof(*t));
}

static double *pct_copy(const WatchPoint *p)
{
    if (p->npct <= 0 || !p->pct_p || !p->pct_v)
        return NULL;
    double *v = mem_alloc(mem_mul((size_t)p->npct, 2 * sizeof(double)));
    for (int i = 0; i < p->npct; i++) {
        v[2 * i] = p->pct_p[i];
        v[2 * i + 1] = p->pct_v[i];
    }
    return v;
}

static void fpoint_of(FPoint *f, const WatchPoint *p, uint64_t seq)
{
    f->t_ms = p->start_ms;
    f->seq = seq;
    f->count = p->sample_count;
    f->sum = p->sum;
    f->min = p->min;
    f->max = p->max;
    f->is_default = p->is_default;
    f->pct = pct_copy(p);
    f->npct = f->pct ? p->npct : 0;
}

/* b, a later point of a's period, into a: a correction (liq --follow's late records of a
 * period given already, over those records alone) adds its SampleCount and Sum, widens Minimum
 * and Maximum, and leaves the percentiles (the first point's, over most records); a default
 * point gives way to a real one and adds nothing to it. b's percentiles are taken or freed. */
static void fpoint_merge(FPoint *a, FPoint *b)
{
    if (a->is_default && !b->is_default) {
        free(a->pct);
        *a = *b;
        return;
    }
    if (!b->is_default) {
        if (a->count <= 0) {
            a->min = b->min;
            a->max = b->max;
        } else if (b->count > 0) {
            a->min = b->min < a->min ? b->min : a->min;
            a->max = b->max > a->max ? b->max : a->max;
        }
        a->count += b->count;
        a->sum += b->sum;
        if (!a->pct) {
            a->pct = b->pct;
            a->npct = b->npct;
            b->pct = NULL;
        }
    }
    free(b->pct);
}

static int series_cmp(const void *a, const void *b)
{
    const Series *x = *(Series *const *)a, *y = *(Series *const *)b;
    int c = strcmp(x->base, y->base);
    return c ? c : strcmp(x->labels, y->labels);
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ===== writing families ===== */

enum { ST_COUNT, ST_SUM, ST_AVG, ST_MIN, ST_MAX, ST_PCT };

/* "# TYPE" and "# HELP" of one family; counters are named without _total in OpenMetrics */
static void family_head(LiqBuf *b, const char *base, const char *suffix, int counter,
                        const char *help, int om)
{
    const char *tot = counter && !om ? "_total" : "";
    buf_printf(b, "# HELP %s%s%s ", base, suffix, tot);
    add_help_text(b, help, om);
    buf_printf(b, "\n# TYPE %s%s%s %s\n", base, suffix, tot, counter ? "counter" : "gauge");
}

static void sample(LiqBuf *b, const char *name, const char *suffix, int counter, const char *labels,
                   double v, int with_time, int64_t t_ms)
{
    buf_adds(b, name);
    buf_adds(b, suffix);
    if (counter)
        buf_adds(b, "_total");
    if (*labels) {
        buf_addc(b, '{');
        buf_adds(b, labels);
        buf_addc(b, '}');
    }
    buf_addc(b, ' ');
    add_value(b, v);
    if (with_time) {
        buf_addc(b, ' ');
        add_time(b, t_ms);
    }
    buf_addc(b, '\n');
}

/* a statistic of one point (the file) or of a series' last period (the endpoint); NaN when
 * the period has none */
static double stat_of(int st, double count, double sum, double min, double max, int npct,
                      const double *pct, double p)
{
    switch (st) {
    case ST_AVG:
        return count > 0 ? sum / count : NAN;
    case ST_MIN:
        return count > 0 ? min : NAN;
    case ST_MAX:
        return count > 0 ? max : NAN;
    default:
        for (int i = 0; i < npct; i++)
            if (pct[2 * i] == p)
                return pct[2 * i + 1];
        return NAN;
    }
}

static const char *const st_suffix[] = {"_sample_count", "_sum", "_average", "_minimum",
                                        "_maximum"};
static const char *const st_help[] = {"SampleCount summed over every period of ",
                                      "Sum summed over every period of ",
                                      "Average over the last complete period of ",
                                      "Minimum over the last complete period of ",
                                      "Maximum over the last complete period of "};

static int fpoint_cmp(const void *a, const void *b)
{
    const FPoint *x = a, *y = b;
    if (x->t_ms != y->t_ms)
        return x->t_ms < y->t_ms ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* a file's text goes out in pieces: what is written is dropped from b (errors stay in ferror) */
static void drain(LiqBuf *b, FILE *out)
{
    if (out && b->len >= (1u << 16)) {
        fwrite(b->p, 1, b->len, out);
        b->len = 0;
    }
}

/* Writes the metric families of every series: the endpoint's (file NULL: one sample a series)
 * or a file's (every point, timestamped; the series' points sorted). */
static void render_series(LiqBuf *b, Table *t, int om, FILE *file)
{
    Series **v = mem_alloc(mem_mul(t->n ? t->n : 1, sizeof(*v)));
    if (t->n) {
        memcpy(v, t->all, t->n * sizeof(*v));
        qsort(v, t->n, sizeof(*v), series_cmp);
    }
    double *ps = NULL;
    size_t pcap = 0;
    LiqBuf help = {0}, suffix = {0};
    for (size_t g = 0; g < t->n;) {
        size_t ge = g;
        while (ge < t->n && strcmp(v[ge]->base, v[g]->base) == 0)
            ge++;
        /* the metric's latest period: the endpoint's gauges are those of series with a point
         * in it (a dimension value gone quiet keeps its counters, not a stale Average) */
        int64_t newest = INT64_MIN;
        for (size_t i = g; i < ge; i++)
            if (v[i]->have_last && v[i]->last.t_ms > newest)
                newest = v[i]->last.t_ms;
        /* the percentiles any series of the group has */
        size_t np = 0;
        for (size_t i = g; i < ge; i++) {
            Series *s = v[i];
            size_t npts = file ? s->npts : (size_t)(s->have_last && s->last.t_ms == newest);
            for (size_t k = 0; k < npts; k++) {
                int n = file ? s->pts[k].npct : s->last.npct;
                const double *pc = file ? s->pts[k].pct : s->last.pct;
                for (int j = 0; j < n; j++) {
                    size_t m = 0;
                    while (m < np && ps[m] != pc[2 * j])
                        m++;
                    if (m == np) {
                        if (np == pcap) {
                            pcap = pcap ? pcap * 2 : 8;
                            ps = mem_realloc(ps, pcap * sizeof(*ps));
                        }
                        ps[np++] = pc[2 * j];
                    }
                }
            }
        }
        if (np > 1)
            qsort(ps, np, sizeof(*ps), dbl_cmp);
        for (size_t st = 0; st < ST_PCT + np; st++) {
            int kind = st < ST_PCT ? (int)st : ST_PCT;
            int counter = kind == ST_COUNT || kind == ST_SUM;
            double p = kind == ST_PCT ? ps[st - ST_PCT] : 0;
            suffix.len = 0;
            help.len = 0;
            if (kind == ST_PCT) {
                buf_addc(&suffix, '_');
                add_pct_suffix(&suffix, p);
                buf_adds(&help, "Percentile ");
                add_value(&help, p);
                buf_adds(&help, " over the last complete period of ");
            } else {
                buf_adds(&suffix, st_suffix[kind]);
                buf_adds(&help, st_help[kind]);
            }
            buf_adds(&help, v[g]->help);
            buf_addc(&suffix, 0);
            buf_addc(&help, 0);
            family_head(b, v[g]->base, suffix.p, counter, help.p, om);
            for (size_t i = g; i < ge; i++) {
                Series *s = v[i];
                if (!file) {
                    if (counter)
                        sample(b, s->base, suffix.p, 1, s->labels,
                               kind == ST_COUNT ? s->count_total : s->sum_total, 0, 0);
                    else if (s->have_last && s->last.t_ms == newest) {
                        const FPoint *f = &s->last;
                        double x = stat_of(kind, f->count, f->sum, f->min, f->max, f->npct,
                                           f->pct, p);
                        if (!isnan(x))
                            sample(b, s->base, suffix.p, 0, s->labels, x, 0, 0);
                    }
                    continue;
                }
                double total = 0;
                for (size_t k = 0; k < s->npts; k++) {
                    const FPoint *f = &s->pts[k];
                    if (counter) {
                        if (!f->is_default)
                            total += kind == ST_COUNT ? f->count : f->sum;
                        sample(b, s->base, suffix.p, 1, s->labels, total, 1, f->t_ms);
                    } else {
                        double x = stat_of(kind, f->count, f->sum, f->min, f->max, f->npct,
                                           f->pct, p);
                        if (!isnan(x))
                            sample(b, s->base, suffix.p, 0, s->labels, x, 1, f->t_ms);
                    }
                }
                drain(b, file);
            }
        }
        g = ge;
    }
    free(ps);
    free(v);
    buf_free(&help);
    buf_free(&suffix);
}

/* ===== alarms ===== */

typedef struct ASample {
    int64_t t_ms;
    uint64_t seq;
    WatchState s;
} ASample;

typedef struct Alarm {
    char *name;
    WatchState state;
    double changes;
    ASample *hist; /* the file */
    size_t nhist, cap;
} Alarm;

typedef struct Alarms {
    Alarm *v;
    size_t n, cap;
} Alarms;

static Alarm *alarm_get(Alarms *a, const char *name)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i].name, name) == 0)
            return &a->v[i];
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 8;
        a->v = mem_realloc(a->v, mem_mul(a->cap, sizeof(*a->v)));
    }
    Alarm *al = &a->v[a->n++];
    memset(al, 0, sizeof(*al));
    al->name = mem_strdup(name);
    al->state = WATCH_INSUFFICIENT_DATA;
    return al;
}

static void alarms_free(Alarms *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->v[i].name);
        free(a->v[i].hist);
    }
    free(a->v);
    memset(a, 0, sizeof(*a));
}

static int alarm_cmp(const void *a, const void *b)
{
    return strcmp(((const Alarm *)a)->name, ((const Alarm *)b)->name);
}

static int asample_cmp(const void *a, const void *b)
{
    const ASample *x = a, *y = b;
    if (x->t_ms != y->t_ms)
        return x->t_ms < y->t_ms ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void alarm_labels(LiqBuf *b, const char *name, const char *state)
{
    b->len = 0;
    buf_adds(b, "alarm_name=");
    add_label_value(b, name);
    if (state) {
        buf_adds(b, ",state=");
        add_label_value(b, state);
    }
    buf_addc(b, 0);
}

/* liq_alarm_state and liq_alarm_state_changes_total; a file's (file not NULL) histories sorted */
static void render_alarms(LiqBuf *b, Alarms *a, int om, FILE *file)
{
    if (!a->n)
        return;
    qsort(a->v, a->n, sizeof(*a->v), alarm_cmp);
    LiqBuf lb = {0};
    family_head(b, "liq_alarm", "_state", 0,
                "State of the alarm: 1 for its state (OK, ALARM or INSUFFICIENT_DATA), 0 for "
                "the other two", om);
    for (size_t i = 0; i < a->n; i++) {
        Alarm *al = &a->v[i];
        for (int st = 0; st < 3; st++) {
            alarm_labels(&lb, al->name, state_names[st]);
            if (!file) {
                sample(b, "liq_alarm", "_state", 0, lb.p, al->state == (WatchState)st, 0, 0);
                continue;
            }
            for (size_t k = 0; k < al->nhist; k++)
                if (k + 1 == al->nhist || al->hist[k + 1].t_ms != al->hist[k].t_ms)
                    sample(b, "liq_alarm", "_state", 0, lb.p, al->hist[k].s == (WatchState)st,
                           1, al->hist[k].t_ms);
            drain(b, file);
        }
    }
    family_head(b, "liq_alarm", "_state_changes", 1, "State changes of the alarm", om);
    for (size_t i = 0; i < a->n; i++) {
        Alarm *al = &a->v[i];
        alarm_labels(&lb, al->name, NULL);
        if (!file) {
            sample(b, "liq_alarm", "_state_changes", 1, lb.p, al->changes, 0, 0);
            continue;
        }
        double changes = 0;
        int prev = WATCH_INSUFFICIENT_DATA; /* an alarm's first state, as CloudWatch's */
        for (size_t k = 0; k < al->nhist; k++) {
            if (k + 1 < al->nhist && al->hist[k + 1].t_ms == al->hist[k].t_ms)
                continue;
            if ((int)al->hist[k].s != prev)
                changes++;
            prev = (int)al->hist[k].s;
            sample(b, "liq_alarm", "_state_changes", 1, lb.p, changes, 1, al->hist[k].t_ms);
        }
        drain(b, file);
    }
    buf_free(&lb);
}

/* ===== the live exporter ===== */

struct PromExp {
    pthread_mutex_t lock;
    Table t;
    Alarms a;
    size_t max_series;
    double dropped;
    struct MHD_Daemon *d;
    int fd;
};

PromExp *prom_new(size_t max_series)
{
    PromExp *e = mem_calloc(1, sizeof(*e));
    pthread_mutex_init(&e->lock, NULL);
    e->max_series = max_series;
    e->fd = -1;
    return e;
}

void prom_free(PromExp *e)
{
    if (!e)
        return;
    prom_stop(e);
    table_free(&e->t);
    alarms_free(&e->a);
    pthread_mutex_destroy(&e->lock);
    free(e);
}

void prom_point(PromExp *e, const WatchPoint *p)
{
    pthread_mutex_lock(&e->lock);
    Series *s = series_get(&e->t, p, e->max_series);
    if (!s) {
        e->dropped++;
        pthread_mutex_unlock(&e->lock);
        return;
    }
    if (!p->is_default) {
        s->count_total += p->sample_count;
        s->sum_total += p->sum;
    }
    FPoint np;
    fpoint_of(&np, p, 0);
    if (!s->have_last || np.t_ms > s->last.t_ms) {
        free(s->last.pct);
        s->last = np;
        s->have_last = 1;
    } else if (np.t_ms == s->last.t_ms) {
        fpoint_merge(&s->last, &np);
    } else {
        free(np.pct); /* an older period: counted, the gauges stay */
    }
    pthread_mutex_unlock(&e->lock);
}

void prom_alarm_set(PromExp *e, const char *alarm_name, WatchState s)
{
    pthread_mutex_lock(&e->lock);
    alarm_get(&e->a, alarm_name)->state = s;
    pthread_mutex_unlock(&e->lock);
}

void prom_alarm_event(PromExp *e, const WatchEvent *ev)
{
    pthread_mutex_lock(&e->lock);
    Alarm *al = alarm_get(&e->a, ev->alarm->alarm_name);
    al->state = ev->new_state;
    al->changes++;
    pthread_mutex_unlock(&e->lock);
}

void prom_render(PromExp *e, LiqBuf *out, int openmetrics)
{
    pthread_mutex_lock(&e->lock);
    render_series(out, &e->t, openmetrics, NULL);
    render_alarms(out, &e->a, openmetrics, NULL);
    family_head(out, "liq_watch", "_series", 0, "Metric series held by the exporter",
                openmetrics);
    sample(out, "liq_watch", "_series", 0, "", (double)e->t.n, 0, 0);
    family_head(out, "liq_watch", "_points_dropped", 1,
                "Points of new series refused: the exporter held its maximum of series, none "
                "older than the point",
                openmetrics);
    sample(out, "liq_watch", "_points_dropped", 1, "", e->dropped, 0, 0);
    family_head(out, "liq_watch", "_series_evicted", 1,
                "Series dropped at the maximum of series for a new one: their latest point was "
                "the oldest",
                openmetrics);
    sample(out, "liq_watch", "_series_evicted", 1, "", e->t.evicted, 0, 0);
    pthread_mutex_unlock(&e->lock);
    if (openmetrics)
        buf_adds(out, "# EOF\n");
}

/* ===== HTTP ===== */

/* Does the Accept header prefer OpenMetrics: listed with a q above 0, not below the q of
 * text/plain or of any type? (Prometheus asks for OpenMetrics first, q 1, then text/plain at
 * q 0.5 and anything at q 0.1.) */
static int wants_openmetrics(const char *accept)
{
    double q_om = -1, q_text = -1;
    while (accept && *accept) {
        char item[256];
        size_t n = strcspn(accept, ",");
        snprintf(item, sizeof(item), "%.*s", (int)(n < sizeof(item) ? n : sizeof(item) - 1),
                 accept);
        accept += n + (accept[n] == ',');
        char *save = NULL, *type = strtok_r(item, ";", &save), *par;
        double q = 1;
        while ((par = strtok_r(NULL, ";", &save)) != NULL) {
            par += strspn(par, " \t");
            if ((par[0] == 'q' || par[0] == 'Q') && par[1] == '=')
                q = strtod(par + 2, NULL);
        }
        if (!type)
            continue;
        type += strspn(type, " \t");
        type[strcspn(type, " \t")] = 0;
        if (strcasecmp(type, "application/openmetrics-text") == 0 && q > q_om)
            q_om = q;
        else if ((strcasecmp(type, "text/plain") == 0 || strcmp(type, "*/*") == 0) && q > q_text)
            q_text = q;
    }
    return q_om > 0 && q_om >= q_text;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, LiqBuf *body,
                             const char *ctype, int allow)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        body->len, body->p ? body->p : (void *)"", MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", ctype);
    if (allow)
        MHD_add_response_header(r, "Allow", "GET, HEAD");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)version;
    (void)upload;
    PromExp *e = cls;
    if (!*con_cls) { /* the headers: answer once the body (if any) is read */
        *con_cls = e;
        return MHD_YES;
    }
    if (*upload_size) { /* a body is read and dropped */
        *upload_size = 0;
        return MHD_YES;
    }
    LiqBuf out = {0};
    enum MHD_Result r;
    const char *plain = "text/plain; charset=utf-8";
    if (strcmp(url, "/metrics") != 0) {
        buf_adds(&out, "404 Not Found: liq watch serves GET /metrics\n");
        r = reply(c, MHD_HTTP_NOT_FOUND, &out, plain, 0);
    } else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        buf_printf(&out, "405 Method Not Allowed: %s /metrics (GET or HEAD)\n", method);
        r = reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, &out, plain, 1);
    } else {
        int om = wants_openmetrics(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept"));
        prom_render(e, &out, om);
        r = reply(c, MHD_HTTP_OK, &out,
                  om ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                     : "text/plain; version=0.0.4; charset=utf-8",
                  0);
    }
    buf_free(&out);
    return r;
}

int prom_listen(PromExp *e, const char *where, int allow_remote, char *err, size_t errlen)
{
    char host[256];
    const char *port;
    if (e->d) {
        snprintf(err, errlen, "the metrics endpoint already listens");
        return -1;
    }
    if (where[0] == '[') {
        const char *end = strchr(where, ']');
        if (!end || end[1] != ':' || (size_t)(end - where - 1) >= sizeof(host))
            goto bad;
        snprintf(host, sizeof(host), "%.*s", (int)(end - where - 1), where + 1);
        port = end + 2;
    } else if (strrchr(where, ':')) {
        const char *colon = strrchr(where, ':');
        if ((size_t)(colon - where) >= sizeof(host))
            goto bad;
        snprintf(host, sizeof(host), "%.*s", (int)(colon - where), where);
        port = colon + 1;
    } else {
        snprintf(host, sizeof(host), "127.0.0.1");
        port = where;
    }
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    char *pend;
    long pn = strtol(port, &pend, 10);
    if (!*port || *pend || pn < 0 || pn > 65535)
        goto bad;
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
                             .ai_socktype = SOCK_STREAM},
                    *ai;
    if (!*host || getaddrinfo(host, port, &hints, &ai) != 0)
        goto bad;
    const struct sockaddr_in *a4 = (const void *)ai->ai_addr;
    const struct sockaddr_in6 *a6 = (const void *)ai->ai_addr;
    int loopback = ai->ai_family == AF_INET ? (ntohl(a4->sin_addr.s_addr) >> 24) == 127
                                            : IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr);
    if (!loopback && !allow_remote) {
        freeaddrinfo(ai);
        snprintf(err, errlen, "--metrics-listen %s is not a loopback address (the endpoint has "
                              "no authentication)", where);
        return -1;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 64) != 0) {
        int er = errno;
        snprintf(err, errlen, "cannot listen on %s (%s)", where, strerror(er));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int bound = -1;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        bound = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                              : ((struct sockaddr_in6 *)&ss)->sin6_port);
    e->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                                (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
                            0, NULL, NULL, handle, e, MHD_OPTION_LISTEN_SOCKET, fd,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
                            MHD_OPTION_END);
    if (!e->d || bound <= 0) {
        snprintf(err, errlen, "cannot serve on %s", where);
        if (e->d)
            MHD_stop_daemon(e->d);
        e->d = NULL;
        close(fd);
        return -1;
    }
    e->fd = fd;
    return bound;
bad:
    snprintf(err, errlen, "--metrics-listen wants HOST:PORT with a numeric address, not '%s'",
             where);
    return -1;
}

void prom_stop(PromExp *e)
{
    if (!e->d)
        return;
    MHD_stop_daemon(e->d);
    e->d = NULL;
    close(e->fd); /* MHD does not close a socket it was given */
    e->fd = -1;
}

/* ===== OpenMetrics files ===== */

struct PromFile {
    Table t;
    Alarms a;
    uint64_t seq;
};

PromFile *prom_file_new(void)
{
    return mem_calloc(1, sizeof(PromFile));
}

void prom_file_free(PromFile *f)
{
    if (!f)
        return;
    table_free(&f->t);
    alarms_free(&f->a);
    free(f);
}

void prom_file_point(PromFile *f, const WatchPoint *p)
{
    Series *s = series_get(&f->t, p, 0);
    if (s->npts == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->pts = mem_realloc(s->pts, mem_mul(s->cap, sizeof(*s->pts)));
    }
    fpoint_of(&s->pts[s->npts++], p, f->seq++);
}

void prom_file_alarm(PromFile *f, const char *alarm_name, WatchState s, int64_t time_ms)
{
    Alarm *al = alarm_get(&f->a, alarm_name);
    if (al->nhist == al->cap) {
        al->cap = al->cap ? al->cap * 2 : 16;
        al->hist = mem_realloc(al->hist, mem_mul(al->cap, sizeof(*al->hist)));
    }
    al->hist[al->nhist++] = (ASample){time_ms, f->seq++, s};
}

int prom_file_write(PromFile *f, FILE *out)
{
    for (size_t i = 0; i < f->t.n; i++) { /* in time order, the points of a period merged */
        Series *s = f->t.all[i];
        qsort(s->pts, s->npts, sizeof(FPoint), fpoint_cmp);
        size_t n = 0;
        for (size_t k = 0; k < s->npts; k++) {
            if (n && s->pts[n - 1].t_ms == s->pts[k].t_ms)
                fpoint_merge(&s->pts[n - 1], &s->pts[k]);
            else
                s->pts[n++] = s->pts[k];
        }
        s->npts = n;
    }
    for (size_t i = 0; i < f->a.n; i++)
        qsort(f->a.v[i].hist, f->a.v[i].nhist, sizeof(ASample), asample_cmp);
    LiqBuf b = {0};
    errno = 0;
    render_series(&b, &f->t, 1, out);
    render_alarms(&b, &f->a, 1, out);
    buf_adds(&b, "# EOF\n");
    fwrite(b.p, 1, b.len, out);
    buf_free(&b);
    int rc = fflush(out) != 0 || ferror(out) ? (errno ? errno : EIO) : 0;
    errno = rc ? rc : errno;
    return rc;
}
