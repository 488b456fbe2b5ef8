/* metric.h -- liq watch's metric filters: a CloudWatch metric filter as an Insights query
 *
 * A metric filter (PutMetricFilter: a filterPattern and one metricTransformation) becomes one
 * compiled query over the records, with the pattern as LiqCompileOptions.pattern:
 *
 *   fields toNumber(VALUE) as __v, DIM1 as __d0, ... | filter ispresent(__v) and ispresent(__d0)
 *   | stats count(*), sum(__v), min(__v), max(__v), pct(__v, P)... by bin(PERIODs), __d0, ...
 *
 * VALUE is the metricValue: a number ("1": each match counts one), "$.a.b" (a JSON field, the
 * flattened name a.b; "$.a[0]" is a.0) or "$name" (a field named in a space-delimited
 * pattern). A match whose value is absent or not numeric publishes nothing, as CloudWatch;
 * so does one without a value for a dimension. Dimensions (at most 3) are
 * {"Name": "$.field" | "$name"}. Each row of the query is one WatchPoint: one period and one
 * combination of dimension values. defaultValue (not with dimensions, as CloudWatch refuses)
 * is the point of a period in which records came but none matched: metric_default_point.
 *
 * Or any query whose first stats groups by bin(P) (metric_compile_query): its bin column is the
 * period, its other 'by' keys the dimensions (named as their columns), and its first other
 * column the value: a point with SampleCount 1 and Sum = Minimum = Maximum = the value.
 *
 * The dimension cap: CloudWatch Logs disables a metric filter that makes 1,000 different
 * dimension name/value pairs within an hour; metric_cap_add counts them per hour of the
 * periods' starts and says when a filter must be disabled.
 *
 * Ownership: a WatchMetric and everything it points to live in the pool given to
 * metric_compile / metric_compile_query; the points metric_point reads point into that pool.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_WATCH_METRIC_H
#define LIQ_WATCH_METRIC_H

#include <apr_pools.h>
#include "base/buf.h"
#include "engine/data/val.h"
#include "engine/liq.h"
#include "watch/watch.h"

#define METRIC_MAX_PCT 8           /* percentiles a metric computes (alarms' and exporters') */
#define METRIC_DIM_PAIRS_CAP 1000  /* dimension name/value pairs per hour before CloudWatch
                                    * disables the filter */

/* A metric filter as describe-metric-filters exports it (one metricTransformation), or the
 * options that name one. */
typedef struct WatchMetricDef {
    const char *filter_name;   /* filterName (NULL: from options) */
    const char *log_group;     /* logGroupName (informative) */
    const char *pattern;       /* filterPattern ("" matches every record) */
    const char *ns, *metric;   /* metricNamespace, metricName */
    const char *value;         /* metricValue */
    int has_default;
    double default_value;      /* defaultValue */
    const char *unit;          /* NULL: None */
    int ndims;
    WatchDim dims[WATCH_MAX_DIMS]; /* name -> "$.field" or "$field" */
    const char *query;         /* instead of pattern and value: a query 'stats ... by bin(P)' */
} WatchMetricDef;

/* A metric compiled for one period. */
typedef struct WatchMetric {
    const WatchMetricDef *def;
    int64_t period_s;
    int npct;
    double pct[METRIC_MAX_PCT]; /* percentiles asked for (0-100) */
    LiqQuery *q;                /* the compiled query */
    const char *text;           /* its text (for messages) */
    int ncols;
    const char *const *cols;
    int qdims;                  /* metric_compile_query: the dimension columns (1..) */
    int value_col;              /* metric_compile_query: the value's column */
    /* the dimension cap (metric_cap_add) */
    int64_t cap_hour;
    void *cap_seen;             /* a hash set of name\0value pairs (apr_hash_t) ... */
    apr_pool_t *cap_pool;       /* ... in cap_sub, a pool of cap_pool cleared each hour */
    apr_pool_t *cap_sub;
    int disabled;
} WatchMetric;

/* Checks a metric filter definition (names, value, dimensions): 1, or 0 with the reason in
 * why (a sentence for "liq watch: error: %s"). */
int metric_def_check(const WatchMetricDef *d, char *why, size_t whylen);

/* Compiles d for period_s with the percentiles pct[0..npct): the metric, or NULL with the
 * engine's diagnostics in diags (the pattern's with where " in filter pattern"). */
WatchMetric *metric_compile(apr_pool_t *pool, const WatchMetricDef *d, int64_t period_s,
                            const double *pct, int npct, LiqDiagList *diags);

/* Compiles d->query, which must group its first stats by bin(P): the metric, NULL with
 * diagnostics, or NULL with diags empty and the reason in why (no bin, a month bin). */
WatchMetric *metric_compile_query(apr_pool_t *pool, const WatchMetricDef *d, LiqDiagList *diags,
                                  char *why, size_t whylen);

/* The query's text for d (metric_compile's), in pool. */
const char *metric_query_text(apr_pool_t *pool, const WatchMetricDef *d, int64_t period_s,
                              const double *pct, int npct);

/* A period as a bin() of the language writes it: 1h, 5m, 30s (seconds only below a minute:
 * bin(3600s) would run as bin(60s), as in CloudWatch). */
void metric_period_text(LiqBuf *b, int64_t period_s);

/* The row format of a metric's rows for LiqOutput.format_row: each value tagged and length
 * prefixed, so metric_point reads it back on the writer's thread. */
void metric_format_row(const Datum *vals, int ncols, LiqBuf *out);

/* Reads one row at p[0..len) into *pt (strings and percentiles in pool): the bytes read, 0
 * when the row holds no point (no bin, no value). */
size_t metric_point(const WatchMetric *m, const char *p, size_t len, apr_pool_t *pool,
                    WatchPoint *pt);

/* The point of a period with records but no match: defaultValue (SampleCount 1; its
 * percentiles, in pv[0..METRIC_MAX_PCT), the value too). */
void metric_default_point(const WatchMetric *m, int64_t start_ms, double *pv, WatchPoint *pt);

/* Counts the dimension pairs of pt for the cap: 0, or 1 when the filter just reached
 * METRIC_DIM_PAIRS_CAP pairs within the hour of pt's start and is now disabled. */
int metric_cap_add(WatchMetric *m, const WatchPoint *pt);

/* A point as one NDJSON line (without the newline), the shape docs/watch.md gives. */
void metric_point_json(LiqBuf *out, const WatchPoint *pt);

/* JSON string text of s[0..n) into out (quotes, escapes). */
void metric_json_str(LiqBuf *out, const char *s, size_t n);

/* Epoch milliseconds as ISO 8601 UTC with milliseconds: 2024-01-01T00:00:00.000Z. */
void metric_iso_time(LiqBuf *out, int64_t ms);

#endif
