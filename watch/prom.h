/* prom.h -- liq watch's Prometheus endpoint (--metrics-listen) and OpenMetrics files (replays)
 *
 * Two consumers of WatchPoints (watch/watch.h), sharing one naming scheme:
 *
 *  - PromExp, the live exporter: fed points (from the follower's thread) and alarm states
 *    (from the alarm evaluator), served on `GET /metrics` by libmicrohttpd (as liq serve) in
 *    the Prometheus text format 0.0.4, or in OpenMetrics 1.0 when the Accept header asks for
 *    application/openmetrics-text (a real Prometheus does). Every function is thread-safe.
 *  - PromFile, the archive writer: fed the points of a replay in any order, written at the end
 *    as one OpenMetrics file with timestamps, in the order `promtool tsdb create-blocks-from
 *    openmetrics` needs (families grouped, each series' samples in time order, `# EOF` last).
 *
 * Names (as prometheus/cloudwatch_exporter names CloudWatch metrics, liq_ for aws_):
 *   liq_<ns>_<metric>_sample_count_total   counter: SampleCount summed over every period
 *   liq_<ns>_<metric>_sum_total            counter: Sum summed over every period
 *   liq_<ns>_<metric>_average              gauge: the last complete period's Average
 *   liq_<ns>_<metric>_minimum, _maximum    gauges: its Minimum and Maximum
 *   liq_<ns>_<metric>_p99, _p99_9, ...     gauges: its percentiles (pct_p 99, 99.9, ...)
 *   liq_alarm_state{alarm_name, state}     gauge: 1 for the alarm's state, 0 for the other two
 *                                          (state="OK", "ALARM", "INSUFFICIENT_DATA")
 *   liq_alarm_state_changes_total{alarm_name}  counter: state changes seen (prom_alarm_event)
 *   liq_watch_series                       gauge: metric series held (endpoint only)
 *   liq_watch_points_dropped_total         counter: points refused by the series cap (endpoint)
 *   liq_watch_series_evicted_total         counter: series replaced at the cap (endpoint)
 * <ns> and <metric> are snake-cased (RequestCount -> request_count, AWS/ELB -> aws_elb) and
 * every byte outside [a-zA-Z0-9_] becomes '_'; an empty or NULL namespace is left out. Each
 * dimension is a label dimension_<Name> (Name's bytes outside [a-zA-Z0-9_] become '_'; names
 * of one point that sanitize alike get _2, _3), its value escaped (\\, \", \n) with invalid
 * UTF-8 as U+FFFD. Two metrics whose names sanitize alike are one series.
 * A point with is_default (no record matched: the filter's defaultValue) sets the gauges but
 * adds nothing to the counters: they count matched records and their values. A Sum over
 * negative values makes the sum counter go down, which Prometheus reads as a counter reset.
 *
 * Timestamps: a point stands for its period's start (start_ms), as in CloudWatch and liq's
 * NDJSON datapoints. The endpoint gives no timestamps (Prometheus stamps its scrapes); its
 * gauges are those of the metric's latest period (the latest start any of its series has),
 * for the series with a point in it (a dimension value gone quiet shows no stale Average),
 * and the counters add every period.
 * Corrections: a second point of a series and period (liq --follow's correction, over the late
 * records alone) adds to the first: SampleCount and Sum add (counters too), Minimum and
 * Maximum widen, percentiles stay the first point's; a default point gives way to a real one.
 *
 * Memory: the endpoint holds one record per series (metric, namespace and dimension values),
 * at most max_series of them (the dimension cap of the metric filters bounds them per hour).
 * At the cap a new series takes the place of the one whose latest point is the oldest, when
 * that is older than the new point (a dimension value gone quiet: its counters go, and start
 * from 0 if it comes back, which Prometheus reads as a reset; liq_watch_series_evicted_total),
 * else the new point is dropped (liq_watch_points_dropped_total). The file
 * writer holds every point until it writes: 64 bytes a point, plus an allocation for its
 * percentiles (a month of one-minute periods of 10 series with p99, 432,000 points: 48.8 MB
 * peak RSS, 2.59 M lines and 175 MB written in 1.7 s of CPU); it writes in 64 KiB pieces.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_WATCH_PROM_H
#define LIQ_WATCH_PROM_H

#include <stddef.h>
#include <stdio.h>
#include "base/buf.h"
#include "watch/watch.h"

#define PROM_DEFAULT_LISTEN "127.0.0.1:9586"

/* ===== the live exporter ===== */

typedef struct PromExp PromExp;

/* An exporter holding at most max_series metric series (0: no cap). Never NULL. */
PromExp *prom_new(size_t max_series);

/* Stops the endpoint if it listens, then frees everything. */
void prom_free(PromExp *e);

/* Adds one complete period of one series, or a correction of one (thread-safe; p and its
 * strings are copied). */
void prom_point(PromExp *e, const WatchPoint *p);

/* The alarm's current state, without counting a change: for alarms at start (CloudWatch
 * starts them in INSUFFICIENT_DATA) and states read back from --state-file. */
void prom_alarm_set(PromExp *e, const char *alarm_name, WatchState s);

/* A state change: the alarm's state becomes ev->new_state and its change count goes up. */
void prom_alarm_event(PromExp *e, const WatchEvent *ev);

/* Appends the exposition to out: the Prometheus text format 0.0.4 (openmetrics 0) or
 * OpenMetrics 1.0 text ending in "# EOF" (openmetrics 1): the families of each metric (in
 * name order; counters, then Average, Minimum, Maximum, percentiles), each family's series
 * sorted by labels, then the alarms' and the exporter's own. What GET /metrics answers. */
void prom_render(PromExp *e, LiqBuf *out, int openmetrics);

/* Serves GET /metrics (and HEAD) on listen, "HOST:PORT", "[IPv6]:PORT" or "PORT" (127.0.0.1;
 * PORT 0: any free port) from libmicrohttpd's own thread. Other paths: 404; other methods on
 * /metrics: 405 with Allow: GET, HEAD. A non-loopback address is refused unless allow_remote
 * (the endpoint has no authentication and no TLS).
 * Returns the port bound (> 0), or -1 with a message for "liq watch: error: %s" in
 * err[errlen], e.g. "cannot listen on 127.0.0.1:9586 (Address already in use)". Once. */
int prom_listen(PromExp *e, const char *listen, int allow_remote, char *err, size_t errlen);

/* Stops serving: requests in flight finish, then the socket is closed. No-op if not serving. */
void prom_stop(PromExp *e);

/* ===== OpenMetrics files (replays) ===== */

typedef struct PromFile PromFile;

/* A writer holding every point and alarm state given until prom_file_write. Never NULL. */
PromFile *prom_file_new(void);
void prom_file_free(PromFile *f);

/* One complete period of one series, any order (copied); a second point of the same series
 * and start_ms is a correction (above). */
void prom_file_point(PromFile *f, const WatchPoint *p);

/* The alarm's state at time_ms (epoch milliseconds): written as liq_alarm_state samples at
 * that time. Give it at every evaluation (each period) for a continuous series in Grafana,
 * or at state changes only; a change (from the previous state given, the first from
 * INSUFFICIENT_DATA, where alarms start) also counts in liq_alarm_state_changes_total. Any
 * order; the same time again replaces. */
void prom_file_alarm(PromFile *f, const char *alarm_name, WatchState s, int64_t time_ms);

/* Writes the OpenMetrics text of everything given to out: per family "# TYPE", "# HELP"
 * (and "# UNIT" never: CloudWatch units are not Prometheus base units), its series sorted
 * by labels, each series' samples in time order with timestamps in seconds ("1704067200" or
 * "1704067260.5"), counters as running totals, then "# EOF". 0, or an errno value when out
 * fails (errno kept). May be called again after more points (the whole file again). */
int prom_file_write(PromFile *f, FILE *out);

#endif
