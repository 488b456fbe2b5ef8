/* test_alarm.c -- unit tests of watch/alarm: CloudWatch's alarm evaluation (issue 19)
 *
 * The heart is the CloudWatch User Guide's two tables of examples ("How alarm state is
 * evaluated when data is missing"): evaluation range 5, EvaluationPeriods 3, DatapointsToAlarm
 * 3 then 2; each row (datapoints oldest first: 0 not breaching, X breaching, - missing) is a
 * case, checked for each TreatMissingData column. "Retain current state" is checked from two
 * earlier states (the alarm primed into OK and into ALARM by five periods before the row): the
 * state after the row's last period must be the state before it. The other columns must come
 * out the same from either priming and from a fresh alarm.
 *
 * White box (this file includes watch/alarm.c): the counts that decide most evaluations
 * without a look at each period (quick_state) agree with the full evaluation (evaluate) at
 * every period of 3,000 random runs of every kind.
 *
 * Then: reasons and NewStateReasonData as CloudWatch words them, the four comparison
 * operators at the threshold, M out of N, percentiles, gaps between periods, late data, the
 * state written and read back (--once --state-file), definitions refused as PutMetricAlarm
 * refuses them, and numbers written as CloudWatch (Java) writes them.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <apr_general.h>
#include "base/buf.h"
#include "watch/action.h"
#include "watch/alarm.c" /* white box: quick_state against evaluate */

/* 2026-12-07T10:00:00Z */
#define T0  1796637600000LL
#define MIN 60000LL

static WatchAlarmDef def_of(int n, int m, WatchMissing t)
{
    WatchAlarmDef d = {0};
    d.alarm_name = "api-errors";
    d.ns = "App";
    d.metric = "Errors";
    d.statistic = "Maximum";
    d.extended_p = -1;
    d.period_s = 60;
    d.evaluation_periods = n;
    d.datapoints_to_alarm = m;
    d.threshold = 3;
    d.op = WATCH_GT;
    d.treat_missing = t;
    d.actions_enabled = 1;
    return d;
}

/* Feeds "0 - X - X" style datapoints (0: 1.0, X: 5.0, -: missing) from period k on. */
static int64_t feed_row(WatchAlarm *a, const char *row, int64_t k)
{
    for (const char *p = row; *p; p++) {
        if (*p == ' ')
            continue;
        int has = *p != '-';
        watch_alarm_feed_value(a, T0 + k * MIN, has, *p == 'X' ? 5.0 : 1.0, 1, 0, NULL, NULL);
        k++;
    }
    return k;
}

/* ===== the Guide's tables ===== */

typedef struct Row {
    const char *points;
    int missing;        /* the "# of missing data points" column */
    const char *col[4]; /* MISSING, IGNORE, BREACHING, NOT BREACHING */
} Row;

/* "Retain current state" is "KEEP" */
static const Row table_3_of_3[] = {
    {"0 - X - X", 2, {"OK", "OK", "OK", "OK"}},
    {"0 - - - -", 4, {"OK", "OK", "OK", "OK"}},
    {"- - - - -", 5, {"INSUFFICIENT_DATA", "KEEP", "ALARM", "OK"}},
    {"0 X X - X", 1, {"ALARM", "ALARM", "ALARM", "ALARM"}},
    {"- - - - X", 4, {"INSUFFICIENT_DATA", "KEEP", "ALARM", "OK"}},
    {"X - - - -", 4, {"ALARM", "KEEP", "ALARM", "OK"}},
};

static const Row table_2_of_3[] = {
    {"0 - X - X", 2, {"ALARM", "ALARM", "ALARM", "ALARM"}},
    {"0 0 X 0 X", 0, {"ALARM", "ALARM", "ALARM", "ALARM"}},
    {"0 - X - -", 3, {"OK", "OK", "ALARM", "OK"}},
    {"- - - - 0", 4, {"OK", "OK", "ALARM", "OK"}},
    {"- - - - X", 4, {"INSUFFICIENT_DATA", "KEEP", "ALARM", "OK"}},
};

static const WatchMissing columns[4] = {WATCH_MISSING_MISSING, WATCH_MISSING_IGNORE,
                                        WATCH_MISSING_BREACHING, WATCH_MISSING_NOT_BREACHING};

static void check_row(const Row *r, int m)
{
    int dashes = 0;
    for (const char *p = r->points; *p; p++)
        dashes += *p == '-';
    assert_int_equal(dashes, r->missing);
    for (int c = 0; c < 4; c++) {
        WatchAlarmDef d = def_of(3, m, columns[c]);
        /* primings: none (a fresh alarm), into OK, into ALARM */
        const char *primes[] = {NULL, "0 0 0 0 0", "X X X X X"};
        WatchState before_seen[3];
        for (int pr = 0; pr < 3; pr++) {
            WatchAlarm *a = watch_alarm_new(&d, 5);
            int64_t k = 0;
            if (primes[pr]) {
                k = feed_row(a, primes[pr], 0);
                assert_int_equal(watch_alarm_state(a), pr == 1 ? WATCH_OK : WATCH_ALARM);
            }
            /* all but the last period, then the last */
            char head[16];
            size_t len = strlen(r->points);
            memcpy(head, r->points, len - 1);
            head[len - 1] = 0;
            k = feed_row(a, head, k);
            WatchState before = watch_alarm_state(a);
            before_seen[pr] = before;
            feed_row(a, r->points + len - 1, k);
            WatchState after = watch_alarm_state(a);
            const char *want = r->col[c];
            if (strcmp(want, "KEEP") == 0) {
                if (after != before)
                    fail_msg("row '%s' (M %d), %s: state %s, expected the state kept (%s)",
                             r->points, m, watch_missing_name(columns[c]), watch_state_name(after),
                             watch_state_name(before));
            } else {
                WatchState w;
                assert_int_equal(watch_state_parse(want, &w), 0);
                if (after != w)
                    fail_msg("row '%s' (M %d), %s, primed %s: state %s, expected %s", r->points, m,
                             watch_missing_name(columns[c]), primes[pr] ? primes[pr] : "(none)",
                             watch_state_name(after), want);
            }
            watch_alarm_free(a);
        }
        /* a kept state is kept from different states: priming into OK and into ALARM left
         * different states before the last period */
        if (strcmp(r->col[c], "KEEP") == 0)
            assert_int_not_equal(before_seen[1], before_seen[2]);
    }
}

static void test_alarm_guide_table_3_of_3(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof table_3_of_3 / sizeof table_3_of_3[0]; i++)
        check_row(&table_3_of_3[i], 3);
}

static void test_alarm_guide_table_2_of_3(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof table_2_of_3 / sizeof table_2_of_3[0]; i++)
        check_row(&table_2_of_3[i], 2);
}

/* The Guide's note on row 2: "0 - - - -" with breaching stays OK; one more missing period and
 * the non-breaching point leaves the range: ALARM. */
static void test_alarm_breaching_after_the_good_point_leaves(void **state)
{
    (void)state;
    WatchAlarmDef d = def_of(3, 3, WATCH_MISSING_BREACHING);
    WatchAlarm *a = watch_alarm_new(&d, 5);
    int64_t k = feed_row(a, "0 - - - -", 0);
    assert_int_equal(watch_alarm_state(a), WATCH_OK);
    feed_row(a, "-", k);
    assert_int_equal(watch_alarm_state(a), WATCH_ALARM);
    assert_string_equal(watch_alarm_reason(a), "Threshold Crossed: no datapoints were received "
                                               "for 3 periods and 3 missing datapoints were "
                                               "treated as [Breaching].");
    watch_alarm_free(a);
}

/* The counts against the full evaluation: random runs of 0/X/- (late data and gaps too), every
 * treatment, N 1..6, M 1..N, ranges N..N+3, compared at every period fed. */
static void test_alarm_quick_state_agrees_with_evaluate(void **state)
{
    (void)state;
    srand(19);
    for (int run = 0; run < 3000; run++) {
        int n = 1 + rand() % 6;
        WatchAlarmDef d = def_of(n, 1 + rand() % n, columns[rand() % 4]);
        WatchAlarm *a = watch_alarm_new(&d, n + rand() % 4);
        int64_t k = 0;
        for (int step = 0; step < 40; step++) {
            int r = rand() % 10;
            if (r == 0 && k > 1) /* late data for the period before */
                watch_alarm_feed_value(a, T0 + (k - 2) * MIN, rand() % 2, rand() % 2 ? 5.0 : 1.0, 1,
                                       0, NULL, NULL);
            else
                k += r == 1 ? 1 + rand() % 9 : 0; /* a gap */
            int roll = rand() % 3;
            watch_alarm_feed_value(a, T0 + k * MIN, roll != 2, roll ? 5.0 : 1.0, 1, 0, NULL, NULL);
            k++;
            Outcome o;
            evaluate(a, &o);
            int keep;
            WatchState q = quick_state(a, &keep);
            if (keep != o.keep || (!keep && q != o.state))
                fail_msg("run %d step %d (N %d, M %d, %s, R %d): quick %s/%d, evaluate %s/%d", run,
                         step, n, m_of(&d), watch_missing_name(d.treat_missing), a->range,
                         watch_state_name(q), keep, watch_state_name(o.state), o.keep);
            /* and the state is what the evaluation says (or kept) */
            if (!o.keep)
                assert_int_equal(watch_alarm_state(a), o.state);
        }
        watch_alarm_free(a);
    }
}

/* ===== reasons ===== */

typedef struct Seen {
    int n;
    WatchEvent ev[8];
    char reason[8][512];
    char data[8][2048];
} Seen;

static void record(const WatchEvent *ev, void *ud)
{
    Seen *s = ud;
    if (s->n >= 8)
        return;
    s->ev[s->n] = *ev;
    snprintf(s->reason[s->n], sizeof s->reason[0], "%s", ev->reason);
    snprintf(s->data[s->n], sizeof s->data[0], "%s", ev->reason_data);
    s->n++;
}

static void test_alarm_reasons_as_cloudwatch_words_them(void **state)
{
    (void)state;
    WatchAlarmDef d = def_of(1, 1, WATCH_MISSING_MISSING);
    d.statistic = "Average";
    WatchAlarm *a = watch_alarm_new(&d, 0);
    assert_int_equal(watch_alarm_state(a), WATCH_INSUFFICIENT_DATA);
    assert_string_equal(watch_alarm_reason(a), "Unchecked: Initial alarm creation");
    Seen s = {0};
    assert_int_equal(watch_alarm_feed_value(a, T0, 1, 5.0, 4, 0, record, &s), 1);
    assert_int_equal(s.ev[0].old_state, WATCH_INSUFFICIENT_DATA);
    assert_int_equal(s.ev[0].new_state, WATCH_ALARM);
    assert_ptr_equal(s.ev[0].alarm, &d);
    assert_int_equal(s.ev[0].time_ms, T0 + MIN); /* the end of the period */
    assert_string_equal(s.reason[0],
                        "Threshold Crossed: 1 out of the last 1 datapoints [5.0 (07/12/26 "
                        "10:00:00)] was greater than the threshold (3.0) (minimum 1 datapoint "
                        "for OK -> ALARM transition).");
    assert_string_equal(s.data[0],
                        "{\"version\":\"1.0\",\"queryDate\":\"2026-12-07T10:01:00.000+0000\","
                        "\"startDate\":\"2026-12-07T10:00:00.000+0000\",\"statistic\":"
                        "\"Average\",\"period\":60,\"recentDatapoints\":[5.0],\"threshold\":3.0,"
                        "\"evaluatedDatapoints\":[{\"timestamp\":\"2026-12-07T10:00:00.000+0000\","
                        "\"sampleCount\":4.0,\"value\":5.0}]}");
    /* the same state again: no change, no event */
    assert_int_equal(watch_alarm_feed_value(a, T0 + MIN, 1, 7.0, 1, 0, record, &s), 0);
    /* back to OK, with the time given (live) */
    assert_int_equal(
        watch_alarm_feed_value(a, T0 + 2 * MIN, 1, 0.5, 1, T0 + 3 * MIN + 1234, record, &s), 1);
    assert_string_equal(s.reason[1],
                        "Threshold Crossed: 1 out of the last 1 datapoints [0.5 (07/12/26 "
                        "10:02:00)] was not greater than the threshold (3.0) (minimum 1 "
                        "datapoint for ALARM -> OK transition).");
    assert_int_equal(s.ev[1].time_ms, T0 + 3 * MIN + 1234);
    assert_int_equal(watch_alarm_state_time(a), T0 + 3 * MIN + 1234);
    assert_non_null(strstr(s.data[1], "\"queryDate\":\"2026-12-07T10:03:01.234+0000\""));
    /* missing: INSUFFICIENT_DATA */
    for (int k = 3; k <= 5; k++)
        watch_alarm_feed_value(a, T0 + k * MIN, 0, 0, 0, 0, record, &s);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.ev[2].new_state, WATCH_INSUFFICIENT_DATA);
    assert_string_equal(s.reason[2], "Insufficient Data: 1 datapoint was unknown.");
    assert_string_equal(s.data[2], "{\"version\":\"1.0\",\"queryDate\":\"2026-12-07T10:06:00.000+"
                                   "0000\",\"statistic\":\"Average\",\"period\":60,"
                                   "\"recentDatapoints\":[],\"threshold\":3.0}");
    watch_alarm_free(a);
}

static void test_alarm_reasons_m_of_n_and_filled(void **state)
{
    (void)state;
    /* 2 out of 3, all present: the breaching ones listed newest first */
    WatchAlarmDef d = def_of(3, 2, WATCH_MISSING_MISSING);
    d.op = WATCH_GE;
    WatchAlarm *a = watch_alarm_new(&d, 0);
    Seen s = {0};
    watch_alarm_feed_value(a, T0, 1, 3.0, 1, 0, record, &s);
    watch_alarm_feed_value(a, T0 + MIN, 1, 1.0, 1, 0, record, &s);
    watch_alarm_feed_value(a, T0 + 2 * MIN, 1, 4.25, 1, 0, record, &s);
    assert_int_equal(watch_alarm_state(a), WATCH_ALARM);
    assert_string_equal(watch_alarm_reason(a),
                        "Threshold Crossed: 2 out of the last 3 datapoints [4.25 (07/12/26 "
                        "10:02:00), 3.0 (07/12/26 10:00:00)] were greater than or equal to the "
                        "threshold (3.0) (minimum 2 datapoints for OK -> ALARM transition).");
    /* OK needs N - M + 1 = 2 points that do not breach */
    watch_alarm_feed_value(a, T0 + 3 * MIN, 1, 0.0, 1, 0, record, &s);
    assert_int_equal(watch_alarm_state(a), WATCH_OK);
    assert_string_equal(watch_alarm_reason(a),
                        "Threshold Crossed: 2 out of the last 3 datapoints [0.0 (07/12/26 "
                        "10:03:00), 1.0 (07/12/26 10:01:00)] were not greater than or equal to "
                        "the threshold (3.0) (minimum 2 datapoints for ALARM -> OK transition).");
    watch_alarm_free(a);

    /* notBreaching fills: one real point and two filled ones */
    WatchAlarmDef n = def_of(3, 1, WATCH_MISSING_NOT_BREACHING);
    a = watch_alarm_new(&n, 0);
    watch_alarm_feed_value(a, T0, 1, 9.0, 2, 0, NULL, NULL);
    assert_int_equal(watch_alarm_state(a), WATCH_ALARM);
    assert_string_equal(watch_alarm_reason(a),
                        "Threshold Crossed: 1 out of the last 3 datapoints [9.0 (07/12/26 "
                        "10:00:00)] was greater than the threshold (3.0) and 2 missing "
                        "datapoints were treated as [NonBreaching] (minimum 1 datapoint for OK "
                        "-> ALARM transition).");
    /* the filled periods appear in evaluatedDatapoints without a value */
    assert_non_null(strstr(watch_alarm_reason_data(a),
                           "\"evaluatedDatapoints\":[{\"timestamp\":\"2026-12-07T10:00:00.000+"
                           "0000\",\"sampleCount\":2.0,\"value\":9.0},{\"timestamp\":"
                           "\"2026-12-07T09:59:00.000+0000\"},{\"timestamp\":\"2026-12-07T09:58:"
                           "00.000+0000\"}]}"));
    watch_alarm_free(a);

    /* breaching fills make ALARM with one real point that does not breach */
    WatchAlarmDef b = def_of(3, 2, WATCH_MISSING_BREACHING);
    a = watch_alarm_new(&b, 0);
    watch_alarm_feed_value(a, T0, 1, 1.0, 1, 0, NULL, NULL);
    assert_int_equal(watch_alarm_state(a), WATCH_ALARM);
    assert_string_equal(watch_alarm_reason(a), "Threshold Crossed: 1 datapoint was received for "
                                               "3 periods and 2 missing datapoints were treated "
                                               "as [Breaching].");
    watch_alarm_free(a);
}

/* ===== operators, statistics, time ===== */

static void test_alarm_comparison_operators(void **state)
{
    (void)state;
    struct {
        WatchCompare op;
        double v;
        WatchState want;
    } cases[] = {
        {WATCH_GT, 3.0, WATCH_OK},    {WATCH_GT, 3.5, WATCH_ALARM}, {WATCH_GE, 3.0, WATCH_ALARM},
        {WATCH_GE, 2.9, WATCH_OK},    {WATCH_LT, 3.0, WATCH_OK},    {WATCH_LT, 2.0, WATCH_ALARM},
        {WATCH_LE, 3.0, WATCH_ALARM}, {WATCH_LE, 3.1, WATCH_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        WatchAlarmDef d = def_of(1, 1, WATCH_MISSING_MISSING);
        d.op = cases[i].op;
        WatchAlarm *a = watch_alarm_new(&d, 0);
        watch_alarm_feed_value(a, T0, 1, cases[i].v, 1, 0, NULL, NULL);
        assert_int_equal(watch_alarm_state(a), cases[i].want);
        watch_alarm_free(a);
    }
    const char *words[] = {"LessThanOrEqualToThreshold", "less than or equal to"};
    WatchCompare c = WATCH_GT;
    assert_int_equal(watch_compare_parse(words[0], &c), 0);
    assert_int_equal(c, WATCH_LE);
    assert_string_equal(watch_compare_name(c), words[0]);
    assert_int_equal(watch_compare_parse("greaterThanThreshold", &c), -1);
    WatchAlarmDef d = def_of(1, 1, WATCH_MISSING_MISSING);
    d.op = WATCH_LE;
    WatchAlarm *a = watch_alarm_new(&d, 0);
    watch_alarm_feed_value(a, T0, 1, 0.0, 1, 0, NULL, NULL);
    assert_non_null(strstr(watch_alarm_reason(a), words[1]));
    watch_alarm_free(a);
}

static void test_alarm_point_statistics_and_percentiles(void **state)
{
    (void)state;
    double pp[] = {50, 99, 99.9}, pv[] = {2, 8, 9.5};
    WatchPoint p = {.ns = "App",
                    .metric = "Latency",
                    .ndims = 1,
                    .dims = {{"Service", "api"}},
                    .start_ms = T0,
                    .period_s = 60,
                    .sample_count = 4,
                    .sum = 10,
                    .min = 1,
                    .max = 6,
                    .npct = 3,
                    .pct_p = pp,
                    .pct_v = pv};
    WatchAlarmDef d = def_of(1, 1, WATCH_MISSING_MISSING);
    d.metric = "Latency";
    d.ndims = 1;
    d.dims[0] = (WatchDim){"Service", "api"};
    assert_int_equal(watch_alarm_matches(&d, &p), 1);
    d.dims[0].value = "web";
    assert_int_equal(watch_alarm_matches(&d, &p), 0);
    d.dims[0].value = "api";
    struct {
        const char *stat;
        double want;
    } st[] = {{"SampleCount", 4}, {"Sum", 10}, {"Minimum", 1}, {"Maximum", 6}, {"Average", 2.5}};
    for (size_t i = 0; i < 5; i++) {
        double v;
        assert_int_equal(watch_statistic_parse(st[i].stat, &d.statistic), 0);
        assert_int_equal(watch_alarm_point_value(&d, &p, &v), 0);
        assert_true(v == st[i].want);
    }
    double v, e;
    d.statistic = NULL;
    assert_int_equal(watch_extended_parse("p99.9", &e), 0);
    d.extended_p = e;
    assert_int_equal(watch_alarm_point_value(&d, &p, &v), 0);
    assert_true(v == 9.5);
    assert_int_equal(watch_extended_parse("p95", &d.extended_p), 0);
    assert_int_equal(watch_alarm_point_value(&d, &p, &v), -1); /* not computed */
    assert_int_equal(watch_extended_parse("p101", &e), -1);
    assert_int_equal(watch_extended_parse("tm99", &e), -1);
    assert_int_equal(watch_extended_parse("p", &e), -1);

    /* an alarm on p99 fed points */
    d.extended_p = 99;
    WatchAlarm *a = watch_alarm_new(&d, 0);
    Seen s = {0};
    assert_int_equal(watch_alarm_feed(a, T0, &p, 0, record, &s), 1);
    assert_int_equal(s.ev[0].new_state, WATCH_ALARM);
    assert_non_null(strstr(s.reason[0], "[8.0 (07/12/26 10:00:00)]"));
    assert_non_null(strstr(s.data[0], "\"extendedStatistic\":\"p99\""));
    /* no point: missing; the datapoint stays in the range (3 periods) two periods more */
    assert_int_equal(watch_alarm_feed(a, T0 + MIN, NULL, 0, record, &s), 0);
    assert_int_equal(watch_alarm_feed(a, T0 + 2 * MIN, NULL, 0, record, &s), 0);
    assert_int_equal(watch_alarm_feed(a, T0 + 3 * MIN, NULL, 0, record, &s), 1);
    assert_int_equal(s.ev[1].new_state, WATCH_INSUFFICIENT_DATA);
    watch_alarm_free(a);
}

/* Periods skipped between two feeds are missing and each is evaluated: with breaching, an
 * alarm fed once and then nothing for an hour goes to ALARM at the right period. */
static void test_alarm_gap_is_evaluated_period_by_period(void **state)
{
    (void)state;
    WatchAlarmDef d = def_of(3, 3, WATCH_MISSING_BREACHING);
    WatchAlarm *a = watch_alarm_new(&d, 5);
    Seen s = {0};
    assert_int_equal(watch_alarm_feed_value(a, T0, 1, 1.0, 1, 0, record, &s), 1);
    assert_int_equal(s.ev[0].new_state, WATCH_OK);
    /* the next point an hour later, not breaching */
    assert_int_equal(watch_alarm_feed_value(a, T0 + 60 * MIN, 1, 1.0, 1, 0, record, &s), 2);
    assert_int_equal(s.n, 3);
    /* 0 - - - -: OK; - - - - -: ALARM at the 5th missing period (10:05, its end 10:06) */
    assert_int_equal(s.ev[1].new_state, WATCH_ALARM);
    assert_int_equal(s.ev[1].time_ms, T0 + 6 * MIN);
    /* then the point of 11:00: - - - - 0, two breaching fills and one good point: OK */
    assert_int_equal(s.ev[2].new_state, WATCH_OK);
    assert_int_equal(s.ev[2].time_ms, T0 + 61 * MIN);
    assert_int_equal(watch_alarm_last_start(a), T0 + 60 * MIN);
    watch_alarm_free(a);
}

/* Late data for a period already evaluated replaces its datapoint without evaluating; the next
 * period's evaluation sees it. */
static void test_alarm_late_data_replaces(void **state)
{
    (void)state;
    WatchAlarmDef d = def_of(2, 2, WATCH_MISSING_MISSING);
    WatchAlarm *a = watch_alarm_new(&d, 0);
    watch_alarm_feed_value(a, T0, 1, 1.0, 1, 0, NULL, NULL);
    watch_alarm_feed_value(a, T0 + MIN, 1, 5.0, 1, 0, NULL, NULL);
    assert_int_equal(watch_alarm_state(a), WATCH_OK);
    assert_int_equal(watch_alarm_feed_value(a, T0, 1, 6.0, 1, 0, NULL, NULL), 0);
    assert_int_equal(watch_alarm_state(a), WATCH_OK);
    watch_alarm_feed_value(a, T0 + 2 * MIN, 1, 7.0, 1, 0, NULL, NULL);
    assert_int_equal(watch_alarm_state(a), WATCH_ALARM);
    watch_alarm_free(a);
}

/* ===== the state between runs ===== */

static void test_alarm_state_file_round_trip(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_alarm.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/state.json", dir);

    WatchAlarmDef d1 = def_of(3, 3, WATCH_MISSING_IGNORE);
    WatchAlarmDef d2 = def_of(1, 1, WATCH_MISSING_MISSING);
    d2.alarm_name = "latency \"p99\"";
    WatchAlarm *a[2] = {watch_alarm_new(&d1, 0), watch_alarm_new(&d2, 0)};
    /* no file yet: a fresh start */
    char *err = NULL;
    assert_int_equal(watch_state_load(path, a, 2, &err), 0);
    feed_row(a[0], "X X X", 0);
    watch_alarm_feed_value(a[1], T0, 1, 1.0, 1, 0, NULL, NULL);
    assert_int_equal(watch_alarm_state(a[0]), WATCH_ALARM);
    assert_int_equal(watch_state_save(path, a, 2, &err), 0);

    /* a second run (--once): new alarms, state read back; ignore keeps ALARM over missing
     * periods, which a fresh alarm would not */
    WatchAlarm *b[2] = {watch_alarm_new(&d1, 0), watch_alarm_new(&d2, 0)};
    if (watch_state_load(path, b, 2, &err) != 0)
        fail_msg("%s", err);
    for (int i = 0; i < 2; i++) {
        LiqBuf x = {0}, y = {0};
        watch_alarm_state_json(a[i], &x);
        watch_alarm_state_json(b[i], &y);
        buf_addc(&x, 0);
        buf_addc(&y, 0);
        assert_string_equal(x.p, y.p);
        buf_free(&x);
        buf_free(&y);
    }
    assert_int_equal(watch_alarm_state(b[0]), WATCH_ALARM);
    assert_string_equal(watch_alarm_reason(b[0]), watch_alarm_reason(a[0]));
    assert_int_equal(watch_alarm_last_start(b[0]), T0 + 2 * MIN);
    assert_int_equal(watch_alarm_state(b[1]), WATCH_OK);
    /* the same period again: not evaluated twice */
    assert_int_equal(watch_alarm_feed_value(b[0], T0 + 2 * MIN, 1, 5.0, 1, 0, NULL, NULL), 0);
    /* ignore keeps ALARM over missing periods; a fresh alarm stays in INSUFFICIENT_DATA */
    feed_row(b[0], "- - - - -", 3);
    assert_int_equal(watch_alarm_state(b[0]), WATCH_ALARM);
    WatchAlarm *fresh = watch_alarm_new(&d1, 0);
    feed_row(fresh, "- - - - -", 3);
    assert_int_equal(watch_alarm_state(fresh), WATCH_INSUFFICIENT_DATA);
    watch_alarm_free(fresh);

    /* one alarm's JSON */
    LiqBuf j = {0};
    watch_alarm_state_json(a[1], &j);
    buf_addc(&j, 0);
    assert_non_null(strstr(j.p, "\"AlarmName\":\"latency \\\"p99\\\"\",\"StateValue\":\"OK\""));
    assert_non_null(strstr(j.p, "\"Datapoints\":[[1796637600000,1.0,1.0]]"));
    WatchAlarm *c = watch_alarm_new(&d2, 0);
    assert_int_equal(watch_alarm_state_restore(c, j.p, j.len - 1, &err), 0);
    assert_int_equal(watch_alarm_state(c), WATCH_OK);
    /* another period length: refused */
    WatchAlarmDef d3 = d2;
    d3.period_s = 300;
    WatchAlarm *e = watch_alarm_new(&d3, 0);
    assert_int_equal(watch_alarm_state_restore(e, j.p, j.len - 1, &err), -1);
    assert_string_equal(err, "alarm 'latency \"p99\"': the saved state is for a period of 60 s, "
                             "the alarm's is 300 s");
    free(err);
    err = NULL;
    buf_free(&j);

    /* not a state file */
    FILE *f = fopen(path, "w");
    fputs("{\"hello\":1}", f);
    fclose(f);
    assert_int_equal(watch_state_load(path, b, 2, &err), -1);
    assert_non_null(strstr(err, "is not a liq watch state file"));
    free(err);

    unlink(path);
    rmdir(dir);
    for (int i = 0; i < 2; i++) {
        watch_alarm_free(a[i]);
        watch_alarm_free(b[i]);
    }
    watch_alarm_free(c);
    watch_alarm_free(e);
}

/* ===== definitions and numbers ===== */

static void test_alarm_check_refuses_as_put_metric_alarm(void **state)
{
    (void)state;
    WatchAlarmDef d = def_of(3, 2, WATCH_MISSING_MISSING);
    char *err = NULL;
    assert_int_equal(watch_alarm_check(&d, &err), 0);
    d.period_s = 45;
    assert_int_equal(watch_alarm_check(&d, &err), -1);
    assert_string_equal(err, "alarm 'api-errors': --period must be 10, 30 or a multiple of 60 "
                             "(got 45)");
    free(err);
    d = def_of(3, 4, WATCH_MISSING_MISSING);
    assert_int_equal(watch_alarm_check(&d, &err), -1);
    assert_non_null(strstr(err, "--datapoints-to-alarm must be between 1 and"));
    free(err);
    d = def_of(1441, 1, WATCH_MISSING_MISSING);
    assert_int_equal(watch_alarm_check(&d, &err), -1);
    assert_non_null(strstr(err, "at most 86400 seconds (one day)"));
    free(err);
    d = def_of(3, 3, WATCH_MISSING_MISSING);
    d.extended_p = 99;
    assert_int_equal(watch_alarm_check(&d, &err), -1);
    assert_non_null(strstr(err, "not both"));
    free(err);
    d = def_of(3, 3, WATCH_MISSING_MISSING);
    d.statistic = "sum";
    assert_int_equal(watch_alarm_check(&d, &err), -1);
    assert_non_null(strstr(err, "(got 'sum')"));
    free(err);
    d = def_of(3, 3, WATCH_MISSING_MISSING);
    const char *bad[] = {"notify 'unclosed", NULL};
    d.alarm_actions = bad;
    assert_int_equal(watch_alarm_check(&d, &err), 0); /* the actions are action.c's to check */
    assert_int_equal(watch_actions_check(&d, &err), -1);
    assert_string_equal(err, "alarm 'api-errors': --alarm-actions 'notify 'unclosed': no closing "
                             "quotation");
    free(err);
    const char *good[] = {"https://hooks.example.com/x", "logger -t liq", NULL};
    d.alarm_actions = good;
    assert_int_equal(watch_actions_check(&d, &err), 0);
    WatchMissing m;
    assert_int_equal(watch_missing_parse("notBreaching", &m), 0);
    assert_int_equal(m, WATCH_MISSING_NOT_BREACHING);
    assert_int_equal(watch_missing_parse("notbreaching", &m), -1);
}

static void test_alarm_numbers_as_java_writes_them(void **state)
{
    (void)state;
    struct {
        double v;
        const char *s;
    } cases[] = {
        {5, "5.0"},
        {0, "0.0"},
        {-3, "-3.0"},
        {0.19726775956284198, "0.19726775956284198"},
        {225.71426732099445, "225.71426732099445"},
        {613, "613.0"},
        {0.5, "0.5"},
        {0.001, "0.001"},
        {0.0001, "1.0E-4"},
        {1234567, "1234567.0"},
        {1e7, "1.0E7"},
        {12345678.5, "1.23456785E7"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        LiqBuf b = {0};
        watch_java_double(&b, cases[i].v);
        buf_addc(&b, 0);
        assert_string_equal(b.p, cases[i].s);
        buf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alarm_guide_table_3_of_3),
        cmocka_unit_test(test_alarm_guide_table_2_of_3),
        cmocka_unit_test(test_alarm_breaching_after_the_good_point_leaves),
        cmocka_unit_test(test_alarm_quick_state_agrees_with_evaluate),
        cmocka_unit_test(test_alarm_reasons_as_cloudwatch_words_them),
        cmocka_unit_test(test_alarm_reasons_m_of_n_and_filled),
        cmocka_unit_test(test_alarm_comparison_operators),
        cmocka_unit_test(test_alarm_point_statistics_and_percentiles),
        cmocka_unit_test(test_alarm_gap_is_evaluated_period_by_period),
        cmocka_unit_test(test_alarm_late_data_replaces),
        cmocka_unit_test(test_alarm_state_file_round_trip),
        cmocka_unit_test(test_alarm_check_refuses_as_put_metric_alarm),
        cmocka_unit_test(test_alarm_numbers_as_java_writes_them),
    };
    apr_initialize();
    int failed = cmocka_run_group_tests_name("alarm", tests, NULL, NULL);
    apr_terminate();
    return failed;
}
