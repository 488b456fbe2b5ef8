/* defs.h -- liq watch --definitions FILE: metric filters and alarms as AWS exports them
 *
 * A definitions file is the JSON that `aws logs describe-metric-filters` prints (an object with
 * "metricFilters": [{filterName, filterPattern, logGroupName, metricTransformations: [{
 * metricName, metricNamespace, metricValue, defaultValue, dimensions {Name: "$.field"},
 * unit}]}]) or that `aws cloudwatch describe-alarms` prints ("MetricAlarms": [{AlarmName,
 * AlarmDescription, ActionsEnabled, OKActions, AlarmActions, InsufficientDataActions,
 * MetricName, Namespace, Statistic | ExtendedStatistic, Dimensions [{Name, Value}], Period,
 * EvaluationPeriods, DatapointsToAlarm, Threshold, ComparisonOperator, TreatMissingData}],
 * "CompositeAlarms": [...]}), loaded as it is: keys liq has no use for (ARNs, states, times)
 * are ignored. One file may hold both lists (the two outputs merged into one object).
 * What liq cannot evaluate is left out with a warning, never silently: alarms on metric math
 * ("Metrics"), anomaly detection bands (ThresholdMetricId, the LessThanLowerOr... operators),
 * composite alarms, trimmed-mean statistics.
 *
 * Ownership: everything defs_read makes lives in the pool it is given.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_WATCH_DEFS_H
#define LIQ_WATCH_DEFS_H

#include <stddef.h>
#include <apr_pools.h>
#include "watch/metric.h"
#include "watch/watch.h"

typedef struct WatchDefs {
    WatchMetricDef *metrics;
    int nmetrics, capmetrics;
    WatchAlarmDef *alarms;
    int nalarms, capalarms;
} WatchDefs;

/* Appends a metric filter or an alarm (copied; what they point to must live in pool). */
void defs_add_metric(apr_pool_t *pool, WatchDefs *defs, const WatchMetricDef *m);
void defs_add_alarm(apr_pool_t *pool, WatchDefs *defs, const WatchAlarmDef *a);

/* Reads the definitions file text[0..len) (named name in messages) into defs. warn (may be
 * NULL) gets one sentence for each definition left out. 0, or -1 with the reason in why (not
 * JSON, neither list, a definition missing a required key or holding a value of the wrong
 * kind), naming the file and the definition. */
int defs_read(apr_pool_t *pool, const char *text, size_t len, const char *name, WatchDefs *defs,
              void (*warn)(void *ud, const char *msg), void *ud, char *why, size_t whylen);

#endif
