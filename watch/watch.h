/* watch.h -- liq watch: the types its parts share (metric filters, alarms, actions, exporters)
 *
 * Data flows one way: log records -> a metric filter (a CloudWatch filter pattern and a value,
 * compiled into an Insights query 'stats ... by bin(period), dimensions' run by the follower or
 * over archives) -> one WatchPoint per metric, dimension set and complete period -> alarms
 * (watch/alarm.[ch]: CloudWatch's M-of-N evaluation and missing-data rules) -> state changes
 * (WatchEvent) -> actions (watch/action.[ch]: commands, SNS-shaped webhooks) and NDJSON on
 * stdout; points also go to the Prometheus endpoint and OpenMetrics files (watch/prom.[ch]).
 * watch_main (watch/main.c) wires them together for `liq watch` (docs/watch.md).
 *
 * Names follow AWS's (PutMetricFilter's metricTransformations, PutMetricAlarm's parameters),
 * so definitions exported by `aws logs describe-metric-filters` and `aws cloudwatch
 * describe-alarms` load as they are.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_WATCH_H
#define LIQ_WATCH_H

#include <stdint.h>
#include <stdio.h>

/* ===== datapoints ===== */

/* At most 3 dimensions per metric filter, as CloudWatch allows. */
#define WATCH_MAX_DIMS 3

typedef struct WatchDim {
    const char *name, *value;
} WatchDim;

/* One metric's statistics over one complete period, for one combination of dimension values:
 * CloudWatch's StatisticSet, plus the percentiles an alarm or the exporter asked for. */
typedef struct WatchPoint {
    const char *ns;     /* metricNamespace */
    const char *metric; /* metricName */
    const char *unit;   /* "Seconds", "Count", ...; NULL: "None" */
    int ndims;
    WatchDim dims[WATCH_MAX_DIMS];
    int64_t start_ms;   /* the period's start, epoch milliseconds UTC */
    int64_t period_s;   /* its length in seconds */
    double sample_count, sum, min, max; /* Average = sum / sample_count */
    int npct;
    const double *pct_p; /* npct percentiles asked for (0-100, e.g. 99, 99.9) ... */
    const double *pct_v; /* ... and their values over the period's values */
    int is_default;     /* 1: no record matched; the point holds the filter's defaultValue */
} WatchPoint;

/* ===== alarms ===== */

typedef enum WatchState {
    WATCH_OK = 0,
    WATCH_ALARM = 1,
    WATCH_INSUFFICIENT_DATA = 2,
} WatchState;

/* "OK", "ALARM", "INSUFFICIENT_DATA" */
const char *watch_state_name(WatchState s);

typedef enum WatchCompare {
    WATCH_GT,  /* GreaterThanThreshold */
    WATCH_GE,  /* GreaterThanOrEqualToThreshold */
    WATCH_LT,  /* LessThanThreshold */
    WATCH_LE,  /* LessThanOrEqualToThreshold */
} WatchCompare;

typedef enum WatchMissing {
    WATCH_MISSING_MISSING = 0, /* "missing" (the default) */
    WATCH_MISSING_IGNORE,      /* "ignore" */
    WATCH_MISSING_BREACHING,   /* "breaching" */
    WATCH_MISSING_NOT_BREACHING, /* "notBreaching" */
} WatchMissing;

/* One alarm, as `aws cloudwatch put-metric-alarm` takes it (string lists NULL-terminated). */
typedef struct WatchAlarmDef {
    const char *alarm_name;
    const char *alarm_description; /* NULL: none */
    const char *ns, *metric;       /* the metric it watches (Namespace, MetricName) */
    int ndims;
    WatchDim dims[WATCH_MAX_DIMS]; /* Dimensions: the one combination it watches */
    const char *statistic;          /* "Sum", "Average", "Minimum", "Maximum", "SampleCount", or
                                     * NULL when extended_statistic is set */
    double extended_p;              /* ExtendedStatistic "p99" -> 99; < 0: none */
    int64_t period_s;               /* 10, 30, or a multiple of 60 */
    int evaluation_periods;         /* N */
    int datapoints_to_alarm;        /* M (defaults to N) */
    double threshold;
    WatchCompare op;
    WatchMissing treat_missing;
    int actions_enabled;            /* ActionsEnabled (default 1) */
    const char *const *alarm_actions, *const *ok_actions, *const *insufficient_data_actions;
} WatchAlarmDef;

/* A state change of one alarm, what actions and the NDJSON output tell. */
typedef struct WatchEvent {
    const WatchAlarmDef *alarm;
    WatchState old_state, new_state;
    const char *reason;      /* NewStateReason, as CloudWatch words it */
    const char *reason_data; /* NewStateReasonData: JSON text (queryDate, startDate, statistic,
                              * period, recentDatapoints, threshold, evaluatedDatapoints) */
    int64_t time_ms;         /* StateChangeTime: the end of the period evaluated (replay) or
                              * now (live) */
} WatchEvent;

/* liq watch: runs with argv[0] "watch" (cli/main.c dispatches to it after the process
 * set-up); its own signals (SIGINT, SIGTERM end a follow after its current read). Returns an
 * exit code of cli/exit_codes.def. */
int watch_main(int argc, char **argv, FILE *out, FILE *err);

#endif
