/* out_chart.c -- charts of stats results: row collector, chart model, terminal rendering
 *
 * See out_chart.h for which chart a result becomes. The terminal drawings, for a width W:
 *
 *   time series: a header line, then one panel per series (its name on a line when there are
 *   several): 8 rows of columns drawn with the eighth blocks ▁▂▃▄▅▆▇█ (64 levels), the largest
 *   value labelled on the top row and the base (0, or the smallest value when one is negative)
 *   on the axis row below, then the first and last bin times under the axis. Each bin gets the
 *   same number of columns (1 to 4); missing bins stay blank. When there are more bins than
 *   columns, each column shows the largest of several bins, and a note says how many.
 *
 *   bars: per value column a title line, then one line per group: its key values, a bar of
 *   full blocks and one of ▏▎▍▌▋▊▉ for the remaining eighths, and the value. The longest bar
 *   fills the line. Bars for zero, negative or null values are empty.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "cli/out_chart.h"
#include "base/esc.h"
#include "base/span.h"

/* ===== Labels ===== */

/* An axis or bar label: integers in full, other values to 4 significant digits, no
 * exponent (L11's spirit: never 1.28E8). */
void out_chart_num(char *buf, size_t size, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "%s", isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, size, "%.0f", v == 0 ? 0.0 : v);
        return;
    }
    int mag = (int)floor(log10(fabs(v)));
    int dec = 3 - mag;
    if (dec < 0)
        dec = 0;
    if (dec > 12)
        dec = 12;
    snprintf(buf, size, "%.*f", dec, v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf) - 1;
        while (e > dot && *e == '0')
            *e-- = 0;
        if (e == dot)
            *e = 0;
    }
    if (strcmp(buf, "-0") == 0)
        snprintf(buf, size, "0");
}

/* A bin time, as short as the bin width and the time span allow (UTC). */
void out_chart_time(char *buf, size_t size, double ms, double period, double span)
{
    LiqBuf t = {0};
    ts_format(&t, (int64_t)ms); /* YYYY-MM-DD HH:MM:SS.mmm */
    buf_addc(&t, 0);
    const char *s = t.p;
    int64_t p = (int64_t)period, m = (int64_t)ms;
    if (p >= 86400000 && m % 86400000 == 0)
        snprintf(buf, size, "%.10s", s);
    else if (span < 86400000 && s[11] && p % 60000 == 0)
        snprintf(buf, size, "%.5s", s + 11);
    else if (span < 86400000 && p % 1000 == 0)
        snprintf(buf, size, "%.8s", s + 11);
    else if (span < 86400000)
        snprintf(buf, size, "%s", s + 11);
    else if (p % 60000 == 0)
        snprintf(buf, size, "%.11s", s + 5);
    else
        snprintf(buf, size, "%.14s", s + 5);
    buf_free(&t);
}

static void duration(char *buf, size_t size, double ms)
{
    int64_t m = (int64_t)ms;
    static const struct {
        int64_t ms;
        const char *unit;
    } units[] = {{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (m >= units[i].ms && m % units[i].ms == 0) {
            snprintf(buf, size, "%lld%s", (long long)(m / units[i].ms), units[i].unit);
            return;
        }
    snprintf(buf, size, "%lldms", (long long)m);
}

/* ===== Model ===== */

static int is_number(const Datum *d, double *v)
{
    if (d->type == VT_NUM) {
        *v = d->v.f;
        return 1;
    }
    if (d->type == VT_STR)
        return val_as_number(d, v);
    return 0;
}

/* The key values of a row joined with ", " (nulls empty). */
static const char *key_text(apr_pool_t *pool, const Datum *row, const int *cols, int n)
{
    LiqBuf b = {0};
    for (int k = 0; k < n; k++) {
        if (k)
            buf_add(&b, ", ", 2);
        val_format(&b, &row[cols[k]]);
    }
    const char *s = apr_pstrmemdup(pool, b.p ? b.p : "", b.len);
    buf_free(&b);
    return s;
}

static int cmp_x(const void *a, const void *b)
{
    const ChartPoint *p = a, *q = b;
    return p->x < q->x ? -1 : p->x > q->x;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

size_t out_chart_slot(const ChartModel *m, double x)
{
    if (m->ntimes < 2)
        return 0;
    if (m->regular)
        return (size_t)llround((x - m->times[0]) / m->period);
    size_t lo = 0, hi = m->ntimes - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->times[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t out_chart_nslots(const ChartModel *m)
{
    if (m->ntimes < 2)
        return m->ntimes;
    return m->regular ? out_chart_slot(m, m->times[m->ntimes - 1]) + 1 : m->ntimes;
}

static void add_point(apr_pool_t *pool, ChartSeries *s, size_t *cap, double x, double y)
{
    if (s->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        ChartPoint *p = apr_palloc(pool, sizeof(ChartPoint) * nc);
        if (s->n)
            memcpy(p, s->pts, sizeof(ChartPoint) * s->n);
        s->pts = p;
        *cap = nc;
    }
    s->pts[s->n].x = x;
    s->pts[s->n].y = y;
    s->n++;
}

ChartModel *out_chart_model(apr_pool_t *pool, const char *const *names, int ncols,
                            const Datum *vals, size_t nrows, int nkeys, const char *title,
                            const char **why)
{
    int *is_key = apr_pcalloc(pool, sizeof(int) * (size_t)(ncols + 1));
    int *has_num = apr_pcalloc(pool, sizeof(int) * (size_t)(ncols + 1));
    int *has_ts = apr_pcalloc(pool, sizeof(int) * (size_t)(ncols + 1));
    int *all_num = apr_pcalloc(pool, sizeof(int) * (size_t)(ncols + 1));
    for (int c = 0; c < ncols; c++) {
        all_num[c] = 1;
        for (size_t r = 0; r < nrows; r++) {
            const Datum *d = &vals[r * (size_t)ncols + (size_t)c];
            double v;
            if (d->type == VT_TS)
                has_ts[c] = 1;
            if (d->type == VT_NULL)
                continue;
            if (is_number(d, &v))
                has_num[c] = 1;
            else
                all_num[c] = 0;
            if (d->type != VT_NUM)
                all_num[c] = 0;
        }
    }
    if (nkeys > ncols)
        nkeys = -1;
    int nval = 0, *valc = apr_pcalloc(pool, sizeof(int) * (size_t)(ncols + 1));
    for (int c = 0; c < ncols; c++) {
        is_key[c] = nkeys >= 0 ? c < nkeys : !all_num[c] || !has_num[c];
        if (!is_key[c] && has_num[c])
            valc[nval++] = c;
    }
    if (nval == 0) {
        *why = nrows ? "no column of the result holds numbers" : "the query returned no rows";
        return NULL;
    }
    ChartModel *m = apr_pcalloc(pool, sizeof(*m));
    m->title = title;
    LiqBuf yn = {0};
    for (int k = 0; k < nval; k++) {
        if (k)
            buf_add(&yn, ", ", 2);
        buf_adds(&yn, names[valc[k]]);
    }
    m->yname = apr_pstrmemdup(pool, yn.p, yn.len);
    buf_free(&yn);

    int tcol = -1, nother = 0, *other = apr_pcalloc(pool, sizeof(int) * (size_t)(ncols + 1));
    for (int c = 0; c < ncols; c++)
        if (is_key[c] && has_ts[c] && tcol < 0)
            tcol = c;
    for (int c = 0; c < ncols; c++)
        if (is_key[c] && c != tcol)
            other[nother++] = c;

    if (tcol >= 0) {
        /* time series: one per (other keys, value column), in order of first appearance */
        m->timeseries = 1;
        m->xname = names[tcol];
        size_t cap_series = 16, *caps = apr_pcalloc(pool, sizeof(size_t) * cap_series);
        const char **keys = apr_pcalloc(pool, sizeof(char *) * cap_series);
        m->series = apr_pcalloc(pool, sizeof(ChartSeries) * cap_series);
        const char **rkeys = apr_pcalloc(pool, sizeof(char *) * (nrows + 1));
        for (size_t r = 0; r < nrows; r++)
            rkeys[r] = key_text(pool, &vals[r * (size_t)ncols], other, nother);
        for (int k = 0; k < nval; k++) {
            for (size_t r = 0; r < nrows; r++) {
                const Datum *row = &vals[r * (size_t)ncols];
                const char *key = rkeys[r];
                double y;
                if (row[tcol].type != VT_TS)
                    continue;
                if (!is_number(&row[valc[k]], &y))
                    continue;
                const char *name = nother == 0 ? names[valc[k]]
                                   : nval == 1
                                       ? key
                                       : apr_pstrcat(pool, key, " · ", names[valc[k]], NULL);
                int s = 0;
                while (s < m->nseries && strcmp(keys[s], name) != 0)
                    s++;
                if (s == m->nseries) {
                    if ((size_t)m->nseries == cap_series) {
                        size_t nc = cap_series * 2;
                        ChartSeries *ns = apr_pcalloc(pool, sizeof(ChartSeries) * nc);
                        const char **nk = apr_pcalloc(pool, sizeof(char *) * nc);
                        size_t *ncap = apr_pcalloc(pool, sizeof(size_t) * nc);
                        memcpy(ns, m->series, sizeof(ChartSeries) * cap_series);
                        memcpy(nk, keys, sizeof(char *) * cap_series);
                        memcpy(ncap, caps, sizeof(size_t) * cap_series);
                        m->series = ns;
                        keys = nk;
                        caps = ncap;
                        cap_series = nc;
                    }
                    keys[s] = name;
                    m->series[s].name = name;
                    m->nseries++;
                }
                add_point(pool, &m->series[s], &caps[s], (double)row[tcol].v.i, y);
            }
        }
        if (m->nseries == 0) {
            *why = "no row has both a time and a number";
            return NULL;
        }
        if (m->nseries > CHART_MAX_SERIES) { /* more lines than anyone can tell apart */
            m->nomitted_series = (size_t)(m->nseries - CHART_MAX_SERIES);
            m->nseries = CHART_MAX_SERIES;
        }
        /* the distinct bin times; the bin width is the smallest gap between them, and the bins
         * are regular when every gap is a multiple of it (calendar months are not) */
        size_t nt = 0;
        for (int s = 0; s < m->nseries; s++)
            nt += m->series[s].n;
        double *ts = apr_palloc(pool, sizeof(double) * nt);
        nt = 0;
        for (int s = 0; s < m->nseries; s++) {
            ChartSeries *se = &m->series[s];
            qsort(se->pts, se->n, sizeof(ChartPoint), cmp_x);
            for (size_t i = 0; i < se->n; i++)
                ts[nt++] = se->pts[i].x;
        }
        qsort(ts, nt, sizeof(double), cmp_double);
        size_t nd = 0;
        for (size_t i = 0; i < nt; i++)
            if (nd == 0 || ts[i] != ts[nd - 1])
                ts[nd++] = ts[i];
        m->times = ts;
        m->ntimes = nd;
        for (size_t i = 1; i < nd; i++)
            if (m->period == 0 || ts[i] - ts[i - 1] < m->period)
                m->period = ts[i] - ts[i - 1];
        m->regular = 1;
        for (size_t i = 1; i < nd; i++)
            if (fmod(ts[i] - ts[0], m->period) != 0)
                m->regular = 0;
        return m;
    }

    /* bars: one series per value column, one bar per row */
    m->nlabels = nrows < CHART_MAX_BARS ? nrows : CHART_MAX_BARS;
    m->nomitted = nrows - m->nlabels;
    m->labels = apr_pcalloc(pool, sizeof(char *) * (m->nlabels + 1));
    m->nseries = nval;
    m->series = apr_pcalloc(pool, sizeof(ChartSeries) * (size_t)nval);
    for (int k = 0; k < nval; k++) {
        m->series[k].name = names[valc[k]];
        m->series[k].pts = apr_pcalloc(pool, sizeof(ChartPoint) * (m->nlabels + 1));
    }
    for (size_t r = 0; r < m->nlabels; r++) {
        const Datum *row = &vals[r * (size_t)ncols];
        m->labels[r] = key_text(pool, row, other, nother);
        for (int k = 0; k < nval; k++) {
            double y;
            if (is_number(&row[valc[k]], &y)) {
                ChartSeries *se = &m->series[k];
                se->pts[se->n].x = (double)r;
                se->pts[se->n].y = y;
                se->n++;
            }
        }
    }
    return m;
}

/* ===== Terminal rendering ===== */

/* Display columns of UTF-8 text without control characters (esc_term's output). */
static int cols(const char *s, size_t n)
{
    int w = 0;
    for (size_t i = 0; i < n;) {
        size_t adv;
        w += span_cpwidth(span_utf8_decode(s + i, n - i, &adv));
        i += adv;
    }
    return w;
}

/* Display columns of s as put_clipped shows it. */
static int text_width(const char *s)
{
    LiqBuf t = {0};
    esc_term(&t, s, strlen(s));
    int w = cols(t.p, t.len);
    buf_free(&t);
    return w;
}

/* Appends s clipped to at most w columns ('…' marks a cut); returns the columns used. Control
 * characters and invalid UTF-8 are shown as the table shows them (base/esc.c's esc_term). */
static int put_clipped(LiqBuf *b, const char *s, int w)
{
    LiqBuf t = {0};
    esc_term(&t, s, strlen(s));
    int used = 0, total = cols(t.p, t.len);
    for (size_t i = 0; i < t.len;) {
        size_t adv;
        int cw = span_cpwidth(span_utf8_decode(t.p + i, t.len - i, &adv));
        if (total > w && used + cw > w - 1) {
            buf_add(b, "\xE2\x80\xA6", 3);
            used++;
            break;
        }
        if (used + cw > w)
            break;
        buf_add(b, t.p + i, adv);
        used += cw;
        i += adv;
    }
    buf_free(&t);
    return used;
}

/* "2024-01-01 10:00 to 10:45": as precise as the bin width needs, the second date only
 * when it differs from the first. */
static void range_text(LiqBuf *b, double from, double to, double period)
{
    LiqBuf t = {0};
    ts_format(&t, (int64_t)from);
    ts_format(&t, (int64_t)to);
    const char *f = t.p, *l = t.p + 23; /* YYYY-MM-DD HH:MM:SS.mmm, twice */
    int64_t p = (int64_t)period;
    int n = p >= 86400000 && (int64_t)from % 86400000 == 0 && (int64_t)to % 86400000 == 0 ? 10
            : p % 60000 == 0                                                              ? 16
            : p % 1000 == 0                                                               ? 19
                                                                                          : 23;
    buf_add(b, f, (size_t)n);
    if (from != to) {
        buf_adds(b, " to ");
        if (n > 10 && memcmp(f, l, 10) == 0)
            buf_add(b, l + 11, (size_t)n - 11);
        else
            buf_add(b, l, (size_t)n);
    }
    buf_free(&t);
}

static void spaces(LiqBuf *b, int n)
{
    for (int i = 0; i < n; i++)
        buf_addc(b, ' ');
}

static void rstrip_newline(LiqBuf *b)
{
    while (b->len && b->p[b->len - 1] == ' ')
        b->len--;
    buf_addc(b, '\n');
}

static const char *const vblocks[8] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇"};
static const char *const hblocks[8] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};

enum { PLOT_ROWS = 8 };

static void draw_timeseries(LiqBuf *b, const ChartModel *m, int width)
{
    double xmin = m->times[0], xmax = m->times[m->ntimes - 1];
    size_t nslots = out_chart_nslots(m);
    char first[64], last[64], per[32];
    LiqBuf h = {0};
    buf_adds(&h, m->yname);
    buf_adds(&h, " by ");
    buf_adds(&h, m->xname);
    if (m->period > 0 && m->regular) {
        duration(per, sizeof(per), m->period);
        buf_printf(&h, ": %zu bins of %s, ", nslots, per);
    } else {
        buf_printf(&h, ": %zu bin%s, ", nslots, nslots == 1 ? "" : "s");
    }
    range_text(&h, xmin, xmax, m->period);
    buf_adds(&h, " UTC");
    buf_addc(&h, 0);
    put_clipped(b, h.p, width);
    buf_addc(b, '\n');
    buf_free(&h);

    /* scales and label width, over every panel so the panels line up */
    double *lo = mem_calloc((size_t)m->nseries, sizeof(double));
    double *hi = mem_calloc((size_t)m->nseries, sizeof(double));
    int lw = 1;
    for (int s = 0; s < m->nseries; s++) {
        const ChartSeries *se = &m->series[s];
        lo[s] = 0;
        hi[s] = 0;
        for (size_t i = 0; i < se->n; i++) {
            if (se->pts[i].y < lo[s])
                lo[s] = se->pts[i].y;
            if (se->pts[i].y > hi[s])
                hi[s] = se->pts[i].y;
        }
        char l1[64], l2[64];
        out_chart_num(l1, sizeof(l1), hi[s]);
        out_chart_num(l2, sizeof(l2), lo[s]);
        if ((int)strlen(l1) > lw)
            lw = (int)strlen(l1);
        if ((int)strlen(l2) > lw)
            lw = (int)strlen(l2);
    }
    int plot = width - lw - 2;
    if (plot < 8)
        plot = 8;
    size_t per_col = 1; /* bins per column */
    int cols_per_bin = 1;
    if (nslots > (size_t)plot)
        per_col = (nslots + (size_t)plot - 1) / (size_t)plot;
    else
        cols_per_bin = plot / (int)nslots > 4 ? 4 : plot / (int)nslots;
    size_t ncol = (nslots + per_col - 1) / per_col;
    double *colv = mem_calloc(ncol, sizeof(double));
    char *colhas = mem_calloc(ncol, 1);

    for (int s = 0; s < m->nseries; s++) {
        const ChartSeries *se = &m->series[s];
        if (m->nseries > 1 || strcmp(se->name, m->yname) != 0) {
            put_clipped(b, se->name, width);
            buf_addc(b, '\n');
        }
        memset(colhas, 0, ncol);
        for (size_t i = 0; i < se->n; i++) {
            size_t c = out_chart_slot(m, se->pts[i].x) / per_col;
            if (c >= ncol)
                c = ncol - 1;
            if (!colhas[c] || se->pts[i].y > colv[c])
                colv[c] = se->pts[i].y;
            colhas[c] = 1;
        }
        double range = hi[s] - lo[s] > 0 ? hi[s] - lo[s] : 1;
        for (int row = 0; row < PLOT_ROWS; row++) {
            char lab[64] = "";
            if (row == 0)
                out_chart_num(lab, sizeof(lab), hi[s]);
            spaces(b, lw - (int)strlen(lab));
            buf_adds(b, lab);
            buf_adds(b, row == 0 ? " ┤" : " │");
            int base = (PLOT_ROWS - 1 - row) * 8;
            for (size_t c = 0; c < ncol; c++) {
                const char *ch = " ";
                if (colhas[c]) {
                    long lev = lround((colv[c] - lo[s]) / range * PLOT_ROWS * 8);
                    if (lev == 0 && colv[c] > lo[s])
                        lev = 1;
                    if (lev > PLOT_ROWS * 8)
                        lev = PLOT_ROWS * 8;
                    ch = lev >= base + 8 ? "█" : lev <= base ? " " : vblocks[lev - base];
                }
                for (int k = 0; k < cols_per_bin; k++)
                    buf_adds(b, ch);
            }
            rstrip_newline(b);
        }
        char lab[64];
        out_chart_num(lab, sizeof(lab), lo[s]);
        spaces(b, lw - (int)strlen(lab));
        buf_adds(b, lab);
        buf_adds(b, " └");
        for (size_t c = 0; c < ncol * (size_t)cols_per_bin; c++)
            buf_adds(b, "─");
        buf_addc(b, '\n');
    }
    /* the first and last bin under the axis */
    int span_cols = (int)(ncol * (size_t)cols_per_bin);
    out_chart_time(first, sizeof(first), xmin, m->period, xmax - xmin);
    out_chart_time(last, sizeof(last), xmax, m->period, xmax - xmin);
    spaces(b, lw + 2);
    buf_adds(b, first);
    int used = (int)strlen(first);
    if (nslots > 1 && used + 2 + (int)strlen(last) <= span_cols) {
        spaces(b, span_cols - used - (int)strlen(last));
        buf_adds(b, last);
    } else if (nslots > 1) {
        buf_adds(b, "  ");
        buf_adds(b, last);
    }
    buf_addc(b, '\n');
    if (per_col > 1)
        buf_printf(b, "each column shows the largest value of %zu bins\n", per_col);
    if (m->nomitted_series)
        buf_printf(b, "… and %zu more series (a chart shows at most %d)\n", m->nomitted_series,
                   CHART_MAX_SERIES);
    free(colv);
    free(colhas);
    free(lo);
    free(hi);
}

static void draw_bars(LiqBuf *b, const ChartModel *m, int width)
{
    int lw = 0;
    for (size_t i = 0; i < m->nlabels; i++) {
        int w = text_width(m->labels[i]);
        if (w > lw)
            lw = w;
    }
    if (lw > 30)
        lw = 30;
    for (int s = 0; s < m->nseries; s++) {
        const ChartSeries *se = &m->series[s];
        if (s)
            buf_addc(b, '\n');
        put_clipped(b, se->name, width);
        buf_addc(b, '\n');
        double vmax = 0;
        int vw = 1;
        for (size_t i = 0; i < se->n; i++) {
            char v[64];
            out_chart_num(v, sizeof(v), se->pts[i].y);
            if ((int)strlen(v) > vw)
                vw = (int)strlen(v);
            if (se->pts[i].y > vmax)
                vmax = se->pts[i].y;
        }
        int area = width - (lw ? lw + 1 : 0) - 1 - vw;
        if (area < 10)
            area = 10;
        size_t k = 0;
        for (size_t i = 0; i < m->nlabels; i++) {
            if (lw) {
                int used = put_clipped(b, m->labels[i], lw);
                spaces(b, lw - used + 1);
            }
            if (k < se->n && (size_t)se->pts[k].x == i) {
                double y = se->pts[k++].y;
                long e = vmax > 0 && y > 0 ? lround(y / vmax * area * 8) : 0;
                if (e == 0 && y > 0)
                    e = 1;
                for (long f = 0; f < e / 8; f++)
                    buf_adds(b, "█");
                buf_adds(b, hblocks[e % 8]);
                if (e)
                    buf_addc(b, ' ');
                char v[64];
                out_chart_num(v, sizeof(v), y);
                buf_adds(b, v);
            }
            rstrip_newline(b);
        }
        if (m->nomitted)
            buf_printf(b, "… and %zu more (a bar chart shows at most %d bars)\n", m->nomitted,
                       CHART_MAX_BARS);
    }
}

void out_chart_text(FILE *fp, const ChartModel *m, int width)
{
    LiqBuf b = {0};
    if (m->timeseries)
        draw_timeseries(&b, m, width);
    else
        draw_bars(&b, m, width);
    fwrite(b.p, 1, b.len, fp);
    buf_free(&b);
}
