/* alarm.h -- one CloudWatch metric alarm: its state machine, fed one complete period at a time
 *
 * An alarm (WatchAlarmDef, watch/watch.h, as `aws cloudwatch put-metric-alarm` takes it) is fed
 * the periods of its metric in time order, each either a datapoint (the value of its Statistic
 * or ExtendedStatistic over the period) or missing, and evaluates at every period as the
 * CloudWatch User Guide documents ("Alarm evaluation", "Configuring how CloudWatch alarms
 * treat missing data"):
 *
 *  - it looks at the evaluation range: the R most recent periods (R = EvaluationPeriods + 2
 *    by default, the range of the Guide's examples: N 3, 5 datapoints retrieved);
 *  - when at least N (EvaluationPeriods) of them have datapoints, the N most recent datapoints
 *    are evaluated and TreatMissingData plays no part;
 *  - otherwise every datapoint of the range is evaluated, and the missing ones, as few as make
 *    N, are filled as TreatMissingData says: breaching, notBreaching; `missing` and `ignore`
 *    fill nothing: with no datapoint at all `missing` gives INSUFFICIENT_DATA and `ignore`
 *    keeps the state; with datapoints that are all breaching but fewer than M, ALARM when the
 *    oldest of them is at least M periods old (CloudWatch's rule against premature alarms),
 *    else INSUFFICIENT_DATA (`missing`) or the state kept (`ignore`);
 *  - ALARM when at least M (DatapointsToAlarm) evaluated points breach, else OK.
 * Every row of the Guide's two tables of examples is a test (tests/unit/test_alarm.c).
 *
 * A state change is a WatchEvent with NewStateReason worded as CloudWatch words it ("Threshold
 * Crossed: 1 out of the last 1 datapoints [5.0 (07/12/26 10:00:00)] was greater than the
 * threshold (3.0) (minimum 1 datapoint for OK -> ALARM transition).", "Threshold Crossed: no
 * datapoints were received for 3 periods and 3 missing datapoints were treated as
 * [Breaching].", "Insufficient Data: 3 datapoints were unknown.") and NewStateReasonData as
 * its JSON (version, queryDate, startDate, statistic or extendedStatistic, period,
 * recentDatapoints, threshold, evaluatedDatapoints). An alarm starts in INSUFFICIENT_DATA
 * ("Unchecked: Initial alarm creation"); evaluating to the state it is in changes nothing.
 *
 * The state (state, reason, time and the periods of the evaluation range) can be written and
 * read back as JSON, so `liq watch --once --state-file F` keeps it between runs (`ignore`
 * keeps the previous state; periods already evaluated are not evaluated again).
 *
 * Ownership: a WatchAlarm borrows its WatchAlarmDef (it must outlive the alarm) and owns
 * everything else; the WatchEvent given to a callback and its strings live until the callback
 * returns. An alarm is not thread-safe: one thread feeds it.
 *
 * Interface:
 *   watch_compare_parse/_name, watch_missing_parse/_name, watch_state_parse,
 *   watch_statistic_parse, watch_extended_parse     put-metric-alarm's values as text
 *   watch_java_double      a number as CloudWatch writes it (Java's Double.toString: 5.0)
 *   watch_time_json        a time as CloudWatch's (and SNS's) JSON writes it
 *   watch_alarm_check      a definition checked as PutMetricAlarm checks it
 *   watch_alarm_matches    does a point belong to the alarm's metric and dimensions
 *   watch_alarm_point_value  the statistic the alarm compares, taken from a point
 *   watch_alarm_new/_free  an alarm in INSUFFICIENT_DATA
 *   watch_alarm_feed       one complete period (a point, or NULL: missing); state changes
 *                          through a callback
 *   watch_alarm_feed_value the same with the value itself (tests, replays of values)
 *   watch_alarm_state, _reason, _reason_data, _state_time   the current state
 *   watch_alarm_state_json, watch_alarm_state_restore     one alarm's state as JSON
 *   watch_state_save, watch_state_load                  all alarms' states in a file
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_WATCH_ALARM_H
#define LIQ_WATCH_ALARM_H

#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "watch/watch.h"

/* ===== put-metric-alarm's values as text ===== */

/* "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold",
 * "LessThanOrEqualToThreshold" (exact case, as the API): 0 and *out, or -1. */
int watch_compare_parse(const char *s, WatchCompare *out);
const char *watch_compare_name(WatchCompare c);
/* "missing", "ignore", "breaching", "notBreaching": 0 and *out, or -1. */
int watch_missing_parse(const char *s, WatchMissing *out);
const char *watch_missing_name(WatchMissing m);
/* "OK", "ALARM", "INSUFFICIENT_DATA": 0 and *out, or -1 (watch_state_name: watch/watch.h). */
int watch_state_parse(const char *s, WatchState *out);
/* "SampleCount", "Average", "Sum", "Minimum", "Maximum": 0 and *canon (the static spelling,
 * to store in WatchAlarmDef.statistic), or -1. */
int watch_statistic_parse(const char *s, const char **canon);
/* ExtendedStatistic "p0".."p100" with up to 10 decimals ("p99", "p99.9"): 0 and *p (99, 99.9),
 * or -1. (Trimmed means, tm/wm/tc/ts, are not supported.) */
int watch_extended_parse(const char *s, double *p);

/* Appends v as CloudWatch's reasons and JSON write numbers (Java's Double.toString): the
 * shortest digits that read back, "5.0" for integral values, "1.0E7" and "1.0E-4" outside
 * [1e-3, 1e7). */
void watch_java_double(LiqBuf *b, double v);

/* Appends epoch milliseconds as a quoted JSON time: "2026-12-07T10:00:00.000+0000" as
 * CloudWatch writes them (zulu 0), "2026-12-07T10:00:00.000Z" as SNS does (zulu 1). */
void watch_time_json(LiqBuf *b, int64_t ms, int zulu);

/* Checks a definition as PutMetricAlarm does: a name, a metric name, exactly one of statistic
 * and extended_p, period 10, 30 or a multiple of 60, evaluation_periods >= 1,
 * 1 <= datapoints_to_alarm <= evaluation_periods, evaluation_periods * period_s <= 86400 (one
 * day; 7 days for periods of an hour or more), a finite threshold (its actions:
 * watch_actions_check, watch/action.h). 0, or -1 with *err (malloc'd,
 * free() it) such as
 * "alarm 'api-errors': --period must be 10, 30 or a multiple of 60 (got 45)". */
int watch_alarm_check(const WatchAlarmDef *def, char **err);

/* 1 when p is a point of the alarm's metric: same namespace (NULL and "" alike), metric name
 * and dimension set (names and values, any order); the period is not compared. */
int watch_alarm_matches(const WatchAlarmDef *def, const WatchPoint *p);

/* The value the alarm compares, from p: its statistic (Average = sum / sample_count), or the
 * percentile extended_p among p's pct_p. 0 and *v, or -1 when p lacks it (a percentile the
 * point was not computed with, an Average over no sample). */
int watch_alarm_point_value(const WatchAlarmDef *def, const WatchPoint *p, double *v);

/* ===== the evaluator ===== */

typedef struct WatchAlarm WatchAlarm;

/* Called once for each state change, in time order. */
typedef void (*WatchEventFn)(const WatchEvent *ev, void *ud);

/* A new alarm in INSUFFICIENT_DATA, "Unchecked: Initial alarm creation". def must have passed
 * watch_alarm_check and outlive the alarm. range: the number of periods of the evaluation
 * range (0: evaluation_periods + 2; at least evaluation_periods). Never NULL. */
WatchAlarm *watch_alarm_new(const WatchAlarmDef *def, int range);
void watch_alarm_free(WatchAlarm *a);
const WatchAlarmDef *watch_alarm_def(const WatchAlarm *a);

/* Feeds the complete period that starts at start_ms (epoch milliseconds; periods are
 * def->period_s long and aligned as the caller cuts them, CloudWatch's are aligned to the
 * epoch): p is its point (its value taken by watch_alarm_point_value; a point without that
 * value counts as missing), or NULL when the period has none. Periods are fed in time order:
 *  - a start after the period that follows the last one fed: the periods in between are
 *    missing and each is evaluated in turn (a gap of more than the range costs one
 *    evaluation per period up to the range, then the state cannot change any more);
 *  - the period that follows the last one fed (or the first period ever): evaluated;
 *  - a start at or before the last one fed (a period already evaluated, as when --once runs
 *    again within a period, or data arriving late): its datapoint is replaced, nothing is
 *    evaluated (CloudWatch, too, evaluates each period once with the data it has then).
 * now_ms is the StateChangeTime and queryDate of what this call evaluates; 0: the end of each
 * period evaluated (replays over archives). fn (may be NULL) gets each state change.
 * Returns the number of state changes. */
int watch_alarm_feed(WatchAlarm *a, int64_t start_ms, const WatchPoint *p, int64_t now_ms,
                     WatchEventFn fn, void *ud);

/* The same with the value itself: has_value 0 for a missing period; sample_count is what
 * NewStateReasonData's evaluatedDatapoints tell (0: left out). */
int watch_alarm_feed_value(WatchAlarm *a, int64_t start_ms, int has_value, double value,
                           double sample_count, int64_t now_ms, WatchEventFn fn, void *ud);

/* The current state, its StateReason and StateReasonData (JSON text; "" before any change),
 * and when it was entered (epoch ms; 0 before any change). Strings live until the next feed,
 * restore or free. */
WatchState watch_alarm_state(const WatchAlarm *a);
const char *watch_alarm_reason(const WatchAlarm *a);
const char *watch_alarm_reason_data(const WatchAlarm *a);
int64_t watch_alarm_state_time(const WatchAlarm *a);
/* The start of the last period fed (evaluated or not), or INT64_MIN before any. */
int64_t watch_alarm_last_start(const WatchAlarm *a);

/* ===== state kept between runs (--state-file) ===== */

/* Appends the alarm's state as one JSON object:
 *   {"AlarmName":"...","StateValue":"ALARM","StateReason":"...","StateReasonData":"...",
 *    "StateUpdatedTimestamp":1733565600000,"Period":60,"LastPeriodStart":1733565540000,
 *    "Datapoints":[[start_ms, value or null, sampleCount], ...]}   (the evaluation range) */
void watch_alarm_state_json(const WatchAlarm *a, LiqBuf *out);

/* Puts back a state written by watch_alarm_state_json (text of len bytes). A state written
 * for another period length is refused (the alarm stays as it is). 0, or -1 with *err
 * (malloc'd). */
int watch_alarm_state_restore(WatchAlarm *a, const char *json, size_t len, char **err);

/* Writes the states of n alarms to path as {"version":1,"alarms":[...]} through a temporary
 * file in the same directory renamed over path (a reader never sees half a file).
 * 0, or -1 with *err (malloc'd) naming the path and the system's reason. */
int watch_state_save(const char *path, WatchAlarm *const *alarms, int n, char **err);

/* Reads path written by watch_state_save and restores each alarm found by AlarmName; alarms
 * the file does not name keep their state; names the file has and no alarm has are skipped.
 * A path that does not exist is a fresh start (0). 0, or -1 with *err (malloc'd) for a file
 * that cannot be read or is not such a state file. */
int watch_state_load(const char *path, WatchAlarm *const *alarms, int n, char **err);

#endif
