/* out_chart.h -- charts of stats results: the row collector, the chart model, the renderers
 *
 * A chart needs typed values (which column holds timestamps, which numbers), which the text
 * writers have already flattened. So the CLI runs the query into the collector (out_collect.c,
 * an Out whose rows are the values themselves), turns them into a ChartModel and draws that: in the terminal
 * with Unicode blocks (out_chart_text) or as a standalone SVG file (out_svg). The collected rows
 * can also go on through an ordinary writer (out_rows), so --chart-svg leaves stdout as usual.
 *
 * Which chart (Part 2 §8): a time series when a 'by' key column holds timestamps (a bin(...)
 * key: the first key column with timestamp values), with one series per value of the other
 * keys and per aggregate column (at most 20, the first to appear in the result); a horizontal bar
 * chart for stats without bin(), at most 100 bars. Key columns are the first nkeys columns when the
 * compiled query tells how many 'by' keys the last stats has (liq_query_stats_keys), else the
 * columns that are not all numbers.
 *
 * Ownership: a ChartModel and everything in it live in the pool given to out_chart_model; the
 * collected values live in the collector until out_free.
 *
 * Interface:
 *   out_chart_model     rows -> ChartModel, or NULL with a reason
 *   out_chart_text      draw a model for a terminal of a given width
 *   out_svg             write a model as a standalone SVG document
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_OUT_CHART_H
#define LIQ_OUT_CHART_H

#include <stdio.h>
#include <apr_pools.h>
#include "cli/out.h"

typedef struct ChartPoint {
    double x; /* epoch ms (time series) or the bar's index */
    double y;
} ChartPoint;

typedef struct ChartSeries {
    const char *name;
    ChartPoint *pts; /* by x ascending */
    size_t n;
} ChartSeries;

typedef struct ChartModel {
    int timeseries;    /* 1: x is time; 0: bars */
    const char *title; /* the query, on one line */
    const char *xname; /* the time column (time series) */
    const char *yname; /* the value columns' names, joined */
    double period;     /* bin width in ms: the smallest gap between bin times (0: one bin) */
    int regular;       /* every bin time is a multiple of period after the first */
    double *times;     /* the distinct bin times, ascending */
    size_t ntimes;
    ChartSeries *series; /* time series: one per line; bars: one per value column */
    int nseries;
    const char **labels;    /* bars: the label of bar i (its key values) */
    size_t nlabels;         /* bars shown */
    size_t nomitted;        /* bars left out past the cap */
    size_t nomitted_series; /* time series left out past the cap */
} ChartModel;

enum { CHART_MAX_BARS = 100, CHART_MAX_SERIES = 20 };

ChartModel *out_chart_model(apr_pool_t *pool, const char *const *names, int ncols,
                            const Datum *vals, size_t nrows, int nkeys, const char *title,
                            const char **why);
void out_chart_text(FILE *fp, const ChartModel *m, int width);
void out_svg(FILE *fp, const ChartModel *m);

/* shared by the two renderers */
size_t out_chart_slot(const ChartModel *m, double x); /* bin index of a time (time series) */
size_t out_chart_nslots(const ChartModel *m);         /* bins from the first to the last */
void out_chart_num(char *buf, size_t size, double v);
void out_chart_time(char *buf, size_t size, double ms, double period, double span);

#endif
