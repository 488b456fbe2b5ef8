/* out_svg.c -- a chart model as a standalone SVG document (--chart-svg)
 *
 * The document needs nothing else to display: no scripts, no external styles or fonts. A time
 * series becomes a line chart: the title (the query) on top, a y axis with "nice" ticks (steps
 * of 1, 2 or 5 times a power of ten) and grid lines, an x axis proportional to time with up to
 * seven bin times labelled, per series a line through its points (broken where a bin has no
 * value) and a circle per data point (each with a <title> tooltip: series, time, value), and a
 * legend under the plot. Stats without bin()
 * become horizontal bars grouped by key, one colour per value column.
 *
 * Markup the tests rely on: every data point of a line is one <circle class="point">, every bar
 * one <rect class="bar">, every legend entry one <g class="legend-item">.
 *
 * Text is escaped for XML by base/esc.c's esc_xml; characters XML 1.0 forbids (control
 * characters, invalid UTF-8) become U+FFFD.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli/out_chart.h"
#include "base/esc.h"
#include "base/span.h"

static const char *const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
enum { NCOLORS = sizeof(palette) / sizeof(palette[0]) };

enum { WIDTH = 800, MARGIN_L = 80, MARGIN_R = 30, MARGIN_T = 56, PLOT_H = 300 };

/* Text content or attribute value, at most max code points ('…' marks a cut), escaped by
 * base/esc.c's esc_xml. */
static void xml_text(LiqBuf *b, const char *s, size_t max)
{
    size_t n = strlen(s), cut = 0;
    for (size_t cps = 0; cut < n && cps < max; cps++) {
        size_t adv;
        span_utf8_decode(s + cut, n - cut, &adv);
        cut += adv;
    }
    esc_xml(b, s, cut);
    if (cut < n)
        buf_add(b, "\xE2\x80\xA6", 3);
}

/* A round step near range/n: 1, 2 or 5 times a power of ten. */
static double nice_step(double range, int n)
{
    double raw = range / n;
    double p = pow(10, floor(log10(raw)));
    double f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

static void value_range(const ChartModel *m, double *lo, double *hi, double *step)
{
    double vmin = 0, vmax = 0;
    for (int s = 0; s < m->nseries; s++)
        for (size_t i = 0; i < m->series[s].n; i++) {
            double y = m->series[s].pts[i].y;
            if (y < vmin)
                vmin = y;
            if (y > vmax)
                vmax = y;
        }
    if (vmax == vmin)
        vmax = vmin + 1;
    *step = nice_step(vmax - vmin, 5);
    *lo = floor(vmin / *step) * *step;
    *hi = ceil(vmax / *step) * *step;
}

static void header(LiqBuf *b, const ChartModel *m, int height)
{
    buf_printf(b,
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
               WIDTH, height, WIDTH, height);
    buf_adds(b, "<title>");
    xml_text(b, m->title, 200);
    buf_adds(b, "</title>\n");
    buf_printf(b, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", WIDTH,
               height);
    buf_printf(b, "<text class=\"title\" x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">",
               MARGIN_L);
    xml_text(b, m->title, 100);
    buf_adds(b, "</text>\n");
}

static void legend(LiqBuf *b, const ChartModel *m, int y0)
{
    buf_adds(b, "<g class=\"legend\">\n");
    for (int s = 0; s < m->nseries; s++) {
        int y = y0 + 18 * s;
        buf_printf(b,
                   "<g class=\"legend-item\"><rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" "
                   "fill=\"%s\"/><text x=\"%d\" y=\"%d\">",
                   MARGIN_L, y, palette[s % NCOLORS], MARGIN_L + 18, y + 10);
        xml_text(b, m->series[s].name, 100);
        buf_adds(b, "</text></g>\n");
    }
    buf_adds(b, "</g>\n");
}

static void line_chart(LiqBuf *b, const ChartModel *m)
{
    int pw = WIDTH - MARGIN_L - MARGIN_R, bottom = MARGIN_T + PLOT_H;
    int height = bottom + 60 + 18 * m->nseries + 10 + (m->nomitted_series ? 18 : 0);
    header(b, m, height);
    double lo, hi, step;
    value_range(m, &lo, &hi, &step);
    double x0 = m->times[0], x1 = m->times[m->ntimes - 1];
    double span = x1 - x0;
#define PX(t) (span > 0 ? MARGIN_L + ((t)-x0) / span * pw : MARGIN_L + pw / 2.0)
#define PY(v) (bottom - ((v)-lo) / (hi - lo) * PLOT_H)
    /* grid and y axis labels */
    buf_adds(b, "<g class=\"y-axis\">\n");
    for (double v = lo; v <= hi + step / 2; v += step) {
        char lab[64];
        out_chart_num(lab, sizeof(lab), fabs(v) < step / 1e9 ? 0 : v);
        buf_printf(b,
                   "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>"
                   "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                   MARGIN_L, PY(v), MARGIN_L + pw, PY(v), MARGIN_L - 6, PY(v) + 4, lab);
    }
    buf_printf(b, "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">",
               MARGIN_T + PLOT_H / 2, MARGIN_T + PLOT_H / 2);
    xml_text(b, m->yname, 60);
    buf_adds(b, "</text>\n</g>\n");
    /* x axis: up to 7 of the bin times */
    buf_adds(b, "<g class=\"x-axis\">\n");
    size_t every = (m->ntimes + 6) / 7;
    for (size_t i = 0; i < m->ntimes; i += every) {
        char lab[64];
        out_chart_time(lab, sizeof(lab), m->times[i], m->period, span);
        buf_printf(b,
                   "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333333\"/>"
                   "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                   PX(m->times[i]), bottom, PX(m->times[i]), bottom + 5, PX(m->times[i]),
                   bottom + 18, lab);
    }
    buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", MARGIN_L + pw / 2,
               bottom + 38);
    xml_text(b, m->xname, 60);
    buf_adds(b, " (UTC)</text>\n");
    buf_printf(b,
               "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333333\"/>"
               "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333333\"/>\n",
               MARGIN_L, bottom, MARGIN_L + pw, bottom, MARGIN_L, MARGIN_T, MARGIN_L, bottom);
    buf_adds(b, "</g>\n");
    /* the series */
    for (int s = 0; s < m->nseries; s++) {
        const ChartSeries *se = &m->series[s];
        const char *color = palette[s % NCOLORS];
        buf_adds(b, "<g class=\"series\" data-name=\"");
        xml_text(b, se->name, 200);
        buf_adds(b, "\">\n");
        /* one polyline per run of adjacent bins: a missing bin breaks the line (no data there
         * is not a value to draw through) */
        for (size_t i = 0; i < se->n;) {
            size_t j = i + 1;
            while (j < se->n &&
                   out_chart_slot(m, se->pts[j].x) == out_chart_slot(m, se->pts[j - 1].x) + 1)
                j++;
            buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
                       color);
            for (size_t k = i; k < j; k++)
                buf_printf(b, "%s%.1f,%.1f", k > i ? " " : "", PX(se->pts[k].x), PY(se->pts[k].y));
            buf_adds(b, "\"/>\n");
            i = j;
        }
        for (size_t i = 0; i < se->n; i++) {
            char when[64], val[64];
            out_chart_time(when, sizeof(when), se->pts[i].x, m->period, span);
            out_chart_num(val, sizeof(val), se->pts[i].y);
            buf_printf(b, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\">",
                       PX(se->pts[i].x), PY(se->pts[i].y), color);
            buf_adds(b, "<title>");
            xml_text(b, se->name, 100);
            buf_printf(b, ", %s: %s</title></circle>\n", when, val);
        }
        buf_adds(b, "</g>\n");
    }
#undef PX
#undef PY
    legend(b, m, bottom + 54);
    if (m->nomitted_series)
        buf_printf(
            b, "<text x=\"%d\" y=\"%d\">… and %zu more series (a chart shows at most %d)</text>\n",
            MARGIN_L, bottom + 54 + 18 * m->nseries + 10, m->nomitted_series, CHART_MAX_SERIES);
    buf_adds(b, "</svg>\n");
}

enum { BAR_H = 14, BAR_GAP = 8, LABEL_W = 170 };

static void bar_chart(LiqBuf *b, const ChartModel *m)
{
    int left = LABEL_W + 10, pw = WIDTH - left - MARGIN_R - 50;
    int group = BAR_H * m->nseries + BAR_GAP;
    int bottom = MARGIN_T + group * (int)(m->nlabels ? m->nlabels : 1);
    int height = bottom + 40 + 18 * m->nseries + 10 + (m->nomitted ? 18 : 0);
    header(b, m, height);
    double lo, hi, step;
    value_range(m, &lo, &hi, &step);
#define PX(v) (left + ((v)-lo) / (hi - lo) * pw)
    buf_adds(b, "<g class=\"x-axis\">\n");
    for (double v = lo; v <= hi + step / 2; v += step) {
        char lab[64];
        out_chart_num(lab, sizeof(lab), fabs(v) < step / 1e9 ? 0 : v);
        buf_printf(b,
                   "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e0e0e0\"/>"
                   "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                   PX(v), MARGIN_T, PX(v), bottom, PX(v), bottom + 16, lab);
    }
    buf_printf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333333\"/>\n",
               PX(0.0 < lo ? lo : 0.0), MARGIN_T, PX(0.0 < lo ? lo : 0.0), bottom);
    buf_adds(b, "</g>\n<g class=\"labels\">\n");
    for (size_t i = 0; i < m->nlabels; i++) {
        buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W,
                   MARGIN_T + group * (int)i + (BAR_H * m->nseries) / 2 + 4);
        xml_text(b, m->labels[i], 28);
        buf_adds(b, "</text>\n");
    }
    buf_adds(b, "</g>\n");
    double zero = 0.0 < lo ? lo : 0.0;
    for (int s = 0; s < m->nseries; s++) {
        const ChartSeries *se = &m->series[s];
        buf_adds(b, "<g class=\"series\" data-name=\"");
        xml_text(b, se->name, 200);
        buf_adds(b, "\">\n");
        for (size_t i = 0; i < se->n; i++) {
            double y = se->pts[i].y, a = PX(zero), e = PX(y);
            int row = MARGIN_T + group * (int)se->pts[i].x + BAR_H * s;
            char val[64];
            out_chart_num(val, sizeof(val), y);
            buf_printf(b,
                       "<rect class=\"bar\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                       "fill=\"%s\"><title>",
                       a < e ? a : e, row, fabs(e - a), BAR_H - 2, palette[s % NCOLORS]);
            xml_text(b, m->labels[(size_t)se->pts[i].x], 100);
            buf_adds(b, ", ");
            xml_text(b, se->name, 100);
            buf_printf(b, ": %s</title></rect><text x=\"%.1f\" y=\"%d\">%s</text>\n", val,
                       (a > e ? a : e) + 4, row + BAR_H - 4, val);
        }
        buf_adds(b, "</g>\n");
    }
#undef PX
    if (m->nomitted)
        buf_printf(b,
                   "<text x=\"%d\" y=\"%d\">… and %zu more (a bar chart shows at most %d "
                   "bars)</text>\n",
                   left, bottom + 32, m->nomitted, CHART_MAX_BARS);
    legend(b, m, bottom + 30 + (m->nomitted ? 18 : 0));
    buf_adds(b, "</svg>\n");
}

void out_svg(FILE *fp, const ChartModel *m)
{
    LiqBuf b = {0};
    if (m->timeseries)
        line_chart(&b, m);
    else
        bar_chart(&b, m);
    fwrite(b.p, 1, b.len, fp);
    buf_free(&b);
}
