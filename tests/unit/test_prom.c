/* test_prom.c -- unit tests of watch/prom: liq watch's Prometheus exposition and OpenMetrics files
 *
 * White box: includes watch/prom.c for its name, value and Accept-header helpers. The
 * expositions are pinned whole (text 0.0.4 and OpenMetrics): names snake-cased and sanitized,
 * dimensions as labels with escaped values, counters that only add matched periods, gauges of
 * the latest period, the series cap, alarm states and change counts; files with points given
 * out of order, replaced, with running totals and timestamps in seconds. A thread feeding
 * points while another renders checks the lock (under TSan in CI). The HTTP side and real
 * Prometheus/promtool are tests/watch/prometheus.sh and promtool.sh.
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
#include <cmocka.h>
#include "watch/prom.c"

static WatchPoint point(const char *ns, const char *metric, int64_t start_s, double count,
                        double sum, double min, double max)
{
    WatchPoint p;
    memset(&p, 0, sizeof(p));
    p.ns = ns;
    p.metric = metric;
    p.unit = "Milliseconds";
    p.start_ms = start_s * 1000;
    p.period_s = 60;
    p.sample_count = count;
    p.sum = sum;
    p.min = min;
    p.max = max;
    return p;
}

static char *render(PromExp *e, int om)
{
    LiqBuf b = {0};
    prom_render(e, &b, om);
    buf_addc(&b, 0);
    return b.p;
}

/* got == want, else the first line that differs (cmocka cuts long strings) */
static void same_text(const char *got, const char *want)
{
    const char *g = got, *w = want;
    while (*g && *g == *w) {
        g++;
        w++;
    }
    if (!*g && !*w)
        return;
    while (g > got && g[-1] != '\n') {
        g--;
        w--;
    }
    print_error("first difference:\n got: %.*s\nwant: %.*s\n", (int)strcspn(g, "\n"), g,
                (int)strcspn(w, "\n"), w);
    fail();
}

static void test_names(void **state)
{
    (void)state;
    struct {
        const char *ns, *metric, *want;
    } cases[] = {
        {"AWS/ELB", "RequestCount", "liq_aws_elb_request_count"},
        {"MyApp", "Latency", "liq_my_app_latency"},
        {NULL, "Errors", "liq_errors"},
        {"", "errors", "liq_errors"},
        {"/aws/lambda", "HTTPCode_Backend_2XX", "liq_aws_lambda_httpcode_backend_2_xx"},
        {"App", "p99.latency (ms)", "liq_app_p99_latency_ms"},
        {"App", "caf\xc3\xa9-hits", "liq_app_caf_hits"},
        {"Ns", "__", "liq_ns"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = base_name(cases[i].ns, cases[i].metric);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
    LiqBuf b = {0};
    double ps[] = {99, 99.9, 50, 0.1, 99.99};
    const char *want[] = {"p99", "p99_9", "p50", "p0_1", "p99_99"};
    for (int i = 0; i < 5; i++) {
        b.len = 0;
        add_pct_suffix(&b, ps[i]);
        buf_addc(&b, 0);
        assert_string_equal(b.p, want[i]);
    }
    buf_free(&b);
}

static void test_values_and_times(void **state)
{
    (void)state;
    LiqBuf b = {0};
    double v[] = {0, 1, -2.5, 0.1, 1e300, 123456789012, NAN, INFINITY, -INFINITY, 1.0 / 3};
    add_value(&b, v[0]);
    for (size_t i = 1; i < sizeof(v) / sizeof(v[0]); i++) {
        buf_addc(&b, ' ');
        add_value(&b, v[i]);
    }
    buf_addc(&b, 0);
    assert_string_equal(b.p, "0 1 -2.5 0.1 1e+300 123456789012 NaN +Inf -Inf 0.3333333333333333");
    b.len = 0;
    add_time(&b, 1704067200000);
    buf_addc(&b, ' ');
    add_time(&b, 1704067260500);
    buf_addc(&b, ' ');
    add_time(&b, 1704067260123);
    buf_addc(&b, ' ');
    add_time(&b, -1500);
    buf_addc(&b, 0);
    assert_string_equal(b.p, "1704067200 1704067260.5 1704067260.123 -2.5");
    buf_free(&b);
}

static void test_accept(void **state)
{
    (void)state;
    assert_true(wants_openmetrics("application/openmetrics-text;version=1.0.0,application/"
                                  "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;"
                                  "q=0.5,*/*;q=0.1")); /* Prometheus 2.42 */
    assert_true(wants_openmetrics("application/openmetrics-text"));
    assert_true(wants_openmetrics("text/plain;q=0.5, Application/OpenMetrics-Text ; q=0.9"));
    assert_false(wants_openmetrics(NULL));
    assert_false(wants_openmetrics("*/*"));
    assert_false(wants_openmetrics("text/plain"));
    assert_false(wants_openmetrics("application/openmetrics-text;q=0, text/plain"));
    assert_false(wants_openmetrics("text/plain, application/openmetrics-text;q=0.5"));
    assert_false(wants_openmetrics("application/openmetrics-textual"));
}

/* two series of one metric (a dimension), one of another; a default period; an older point */
static void feed(PromExp *e)
{
    WatchPoint p = point("MyApp", "Latency", 1704067200, 4, 100, 5, 60);
    p.ndims = 2;
    p.dims[0] = (WatchDim){"Service", "api"};
    p.dims[1] = (WatchDim){"Route", "/a\"b\\c\nd"};
    double pp[] = {99, 50}, pv[] = {58, 20};
    p.npct = 2;
    p.pct_p = pp;
    p.pct_v = pv;
    prom_point(e, &p);
    p.start_ms += 60000; /* the next period: counters add, gauges follow */
    p.sample_count = 2;
    p.sum = 30;
    p.min = 10;
    p.max = 20;
    pv[0] = 19.5;
    pv[1] = 15;
    prom_point(e, &p);
    p.start_ms -= 120000; /* an older period: counted, gauges stay */
    p.sample_count = 1;
    p.sum = 1000;
    p.min = p.max = 1000;
    prom_point(e, &p);
    WatchPoint q = point("MyApp", "Latency", 1704067200, 1, 7, 7, 7); /* not in the last period: */
    q.ndims = 2; /* counters, no gauges */
    q.dims[0] = (WatchDim){"Route", "/x"}; /* other order: labels sorted by name */
    q.dims[1] = (WatchDim){"Service", "api"};
    prom_point(e, &q);
    WatchPoint d = point("MyApp", "Errors", 1704067200, 1, 0, 0, 0);
    d.unit = NULL;
    d.is_default = 1; /* no record matched: gauges 0, counters unchanged */
    prom_point(e, &d);
}

static const char *const want_text =
    "# HELP liq_my_app_errors_sample_count_total SampleCount summed over every period of MyApp "
    "Errors (None)\n"
    "# TYPE liq_my_app_errors_sample_count_total counter\n"
    "liq_my_app_errors_sample_count_total 0\n"
    "# HELP liq_my_app_errors_sum_total Sum summed over every period of MyApp Errors (None)\n"
    "# TYPE liq_my_app_errors_sum_total counter\n"
    "liq_my_app_errors_sum_total 0\n"
    "# HELP liq_my_app_errors_average Average over the last complete period of MyApp Errors "
    "(None)\n"
    "# TYPE liq_my_app_errors_average gauge\n"
    "liq_my_app_errors_average 0\n"
    "# HELP liq_my_app_errors_minimum Minimum over the last complete period of MyApp Errors "
    "(None)\n"
    "# TYPE liq_my_app_errors_minimum gauge\n"
    "liq_my_app_errors_minimum 0\n"
    "# HELP liq_my_app_errors_maximum Maximum over the last complete period of MyApp Errors "
    "(None)\n"
    "# TYPE liq_my_app_errors_maximum gauge\n"
    "liq_my_app_errors_maximum 0\n"
    "# HELP liq_my_app_latency_sample_count_total SampleCount summed over every period of MyApp "
    "Latency (Milliseconds)\n"
    "# TYPE liq_my_app_latency_sample_count_total counter\n"
    "liq_my_app_latency_sample_count_total{dimension_Route=\"/a\\\"b\\\\c\\nd\",dimension_Service="
    "\"api\"} 7\n"
    "liq_my_app_latency_sample_count_total{dimension_Route=\"/x\",dimension_Service=\"api\"} 1\n"
    "# HELP liq_my_app_latency_sum_total Sum summed over every period of MyApp Latency "
    "(Milliseconds)\n"
    "# TYPE liq_my_app_latency_sum_total counter\n"
    "liq_my_app_latency_sum_total{dimension_Route=\"/a\\\"b\\\\c\\nd\",dimension_Service=\"api\"} "
    "1130\n"
    "liq_my_app_latency_sum_total{dimension_Route=\"/x\",dimension_Service=\"api\"} 7\n"
    "# HELP liq_my_app_latency_average Average over the last complete period of MyApp Latency "
    "(Milliseconds)\n"
    "# TYPE liq_my_app_latency_average gauge\n"
    "liq_my_app_latency_average{dimension_Route=\"/a\\\"b\\\\c\\nd\""
    ",dimension_Service=\"api\"} 15\n"
    "# HELP liq_my_app_latency_minimum Minimum over the last complete period of MyApp Latency "
    "(Milliseconds)\n"
    "# TYPE liq_my_app_latency_minimum gauge\n"
    "liq_my_app_latency_minimum{dimension_Route=\"/a\\\"b\\\\c\\nd\""
    ",dimension_Service=\"api\"} 10\n"
    "# HELP liq_my_app_latency_maximum Maximum over the last complete period of MyApp Latency "
    "(Milliseconds)\n"
    "# TYPE liq_my_app_latency_maximum gauge\n"
    "liq_my_app_latency_maximum{dimension_Route=\"/a\\\"b\\\\c\\nd\""
    ",dimension_Service=\"api\"} 20\n"
    "# HELP liq_my_app_latency_p50 Percentile 50 over the last complete period of MyApp Latency "
    "(Milliseconds)\n"
    "# TYPE liq_my_app_latency_p50 gauge\n"
    "liq_my_app_latency_p50{dimension_Route=\"/a\\\"b\\\\c\\nd\",dimension_Service=\"api\"} 15\n"
    "# HELP liq_my_app_latency_p99 Percentile 99 over the last complete period of MyApp Latency "
    "(Milliseconds)\n"
    "# TYPE liq_my_app_latency_p99 gauge\n"
    "liq_my_app_latency_p99{dimension_Route=\"/a\\\"b\\\\c\\nd\",dimension_Service=\"api\"} 19.5\n"
    "# HELP liq_alarm_state State of the alarm: 1 for its state (OK, ALARM or INSUFFICIENT_DATA), "
    "0 for the other two\n"
    "# TYPE liq_alarm_state gauge\n"
    "liq_alarm_state{alarm_name=\"High \\\"latency\\\"\",state=\"OK\"} 0\n"
    "liq_alarm_state{alarm_name=\"High \\\"latency\\\"\",state=\"ALARM\"} 1\n"
    "liq_alarm_state{alarm_name=\"High \\\"latency\\\"\",state=\"INSUFFICIENT_DATA\"} 0\n"
    "liq_alarm_state{alarm_name=\"errors\",state=\"OK\"} 1\n"
    "liq_alarm_state{alarm_name=\"errors\",state=\"ALARM\"} 0\n"
    "liq_alarm_state{alarm_name=\"errors\",state=\"INSUFFICIENT_DATA\"} 0\n"
    "# HELP liq_alarm_state_changes_total State changes of the alarm\n"
    "# TYPE liq_alarm_state_changes_total counter\n"
    "liq_alarm_state_changes_total{alarm_name=\"High \\\"latency\\\"\"} 2\n"
    "liq_alarm_state_changes_total{alarm_name=\"errors\"} 0\n"
    "# HELP liq_watch_series Metric series held by the exporter\n"
    "# TYPE liq_watch_series gauge\n"
    "liq_watch_series 3\n"
    "# HELP liq_watch_points_dropped_total Points of new series refused: the exporter held its "
    "maximum of series, none older than the point\n"
    "# TYPE liq_watch_points_dropped_total counter\n"
    "liq_watch_points_dropped_total 0\n"
    "# HELP liq_watch_series_evicted_total Series dropped at the maximum of series for a new one: "
    "their latest point was the oldest\n"
    "# TYPE liq_watch_series_evicted_total counter\n"
    "liq_watch_series_evicted_total 0\n";

static void alarms(PromExp *e)
{
    WatchAlarmDef def;
    memset(&def, 0, sizeof(def));
    def.alarm_name = "High \"latency\"";
    prom_alarm_set(e, "errors", WATCH_OK);
    prom_alarm_set(e, def.alarm_name, WATCH_INSUFFICIENT_DATA);
    WatchEvent ev = {.alarm = &def, .old_state = WATCH_INSUFFICIENT_DATA, .new_state = WATCH_OK};
    prom_alarm_event(e, &ev);
    ev.old_state = WATCH_OK;
    ev.new_state = WATCH_ALARM;
    prom_alarm_event(e, &ev);
}

static void test_text_exposition(void **state)
{
    (void)state;
    PromExp *e = prom_new(0);
    feed(e);
    alarms(e);
    char *got = render(e, 0);
    same_text(got, want_text);
    free(got);
    prom_free(e);
}

/* OpenMetrics: the same samples; counter families named without _total, HELP escapes '"',
 * "# EOF" last */
static void test_openmetrics_exposition(void **state)
{
    (void)state;
    PromExp *e = prom_new(0);
    feed(e);
    alarms(e);
    char *got = render(e, 1);
    LiqBuf want = {0};
    for (const char *l = want_text; *l;) {
        size_t n = strcspn(l, "\n");
        LiqBuf line = {0};
        buf_add(&line, l, n);
        buf_addc(&line, 0);
        char *t;
        if (strncmp(line.p, "# ", 2) == 0 && (t = strstr(line.p, "_total ")) != NULL)
            memmove(t, t + 6, strlen(t + 6) + 1); /* "# TYPE x_total counter" -> "x counter" */
        buf_adds(&want, line.p);
        buf_addc(&want, '\n');
        buf_free(&line);
        l += n + 1;
    }
    buf_adds(&want, "# EOF\n");
    buf_addc(&want, 0);
    same_text(got, want.p);
    buf_free(&want);
    free(got);
    prom_free(e);
}

/* corrections: a later point of the latest period adds to it (counters and gauges), one of an
 * older period to the counters only; a default period gives way to real records */
static void test_corrections(void **state)
{
    (void)state;
    PromExp *e = prom_new(0);
    double pp[] = {99}, pv[] = {18};
    WatchPoint p = point("A", "L", 1704067200, 2, 30, 10, 20);
    p.npct = 1;
    p.pct_p = pp;
    p.pct_v = pv;
    prom_point(e, &p);
    p = point("A", "L", 1704067200, 1, 40, 40, 40); /* late records of that period */
    pv[0] = 40;
    p.npct = 1;
    p.pct_p = pp;
    p.pct_v = pv;
    prom_point(e, &p);
    p = point("A", "L", 1704067140, 5, 5, 1, 1); /* of the period before */
    prom_point(e, &p);
    WatchPoint d = point("A", "D", 1704067200, 1, 0, 0, 0);
    d.is_default = 1;
    prom_point(e, &d);
    d = point("A", "D", 1704067200, 2, 8, 3, 5); /* late records where none had come */
    prom_point(e, &d);
    char *got = render(e, 0);
    const char *want[] = {
        "\nliq_a_l_sample_count_total 8\n", "\nliq_a_l_sum_total 75\n",
        "\nliq_a_l_average 23.333333333333332\n", "\nliq_a_l_minimum 10\n",
        "\nliq_a_l_maximum 40\n", "\nliq_a_l_p99 18\n",
        "\nliq_a_d_sample_count_total 2\n", "\nliq_a_d_average 4\n",
        "\nliq_a_d_minimum 3\n", "\nliq_a_d_maximum 5\n",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!strstr(got, want[i])) {
            print_error("missing %s in:\n%s", want[i], got);
            fail();
        }
    free(got);
    prom_free(e);
}

/* dimension names that sanitize alike get _2, _3, and label values stay UTF-8: the same label
 * twice or a value that is not UTF-8 fails a whole scrape */
static void test_label_names(void **state)
{
    (void)state;
    PromExp *e = prom_new(0);
    WatchPoint p = point("A", "L", 1704067200, 1, 1, 1, 1);
    p.ndims = 3;
    p.dims[0] = (WatchDim){"a-b", "1"};
    p.dims[1] = (WatchDim){"a.b", "2"};
    p.dims[2] = (WatchDim){"a_b_2", "3"};
    prom_point(e, &p);
    char *got = render(e, 0);
    assert_non_null(strstr(got, "\nliq_a_l_sum_total{dimension_a_b=\"1\",dimension_a_b_2=\"2\","
                                "dimension_a_b_2_2=\"3\"} 1\n"));
    free(got);
    /* label values and HELP text stay UTF-8: invalid bytes become U+FFFD */
    p = point("A", "M\xff", 1704067200, 1, 1, 1, 1);
    p.ndims = 1;
    p.dims[0] = (WatchDim){"D", "caf\xc3\xa9 \xff\xe2\x82 \xf0\x9f\x98\x80"};
    prom_point(e, &p);
    got = render(e, 1);
    assert_non_null(strstr(got, "\nliq_a_m_sum_total{dimension_D=\"caf\xc3\xa9 "
                                "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xf0\x9f\x98\x80\"} 1\n"));
    assert_non_null(strstr(got, "# HELP liq_a_m_sum Sum summed over every period of A "
                                "M\xef\xbf\xbd (Milliseconds)\n"));
    free(got);
    prom_free(e);
}

/* max_series 2: a new series takes the place of the one whose latest point is the oldest when
 * that is older than the new point (counted in liq_watch_series_evicted_total), else its point
 * is dropped (liq_watch_points_dropped_total) */
static void cap_point(PromExp *e, const char *host, int64_t start_s)
{
    WatchPoint p = point("NS", "Hits", start_s, 1, 1, 1, 1);
    p.ndims = 1;
    p.dims[0] = (WatchDim){"Host", host};
    prom_point(e, &p);
}

static void test_series_cap(void **state)
{
    (void)state;
    PromExp *e = prom_new(2);
    int64_t t0 = 1704067200;
    cap_point(e, "h0", t0);
    cap_point(e, "h1", t0);
    cap_point(e, "h2", t0);      /* none older: dropped */
    cap_point(e, "h1", t0 + 60); /* known: counted */
    cap_point(e, "h2", t0 + 60); /* h0 (t0) goes */
    cap_point(e, "h0", t0 + 60); /* none older than t0 + 60: dropped */
    char *got = render(e, 0);
    assert_non_null(strstr(got, "liq_ns_hits_sample_count_total{dimension_Host=\"h1\"} 2\n"));
    assert_non_null(strstr(got, "liq_ns_hits_sample_count_total{dimension_Host=\"h2\"} 1\n"));
    assert_null(strstr(got, "h0"));
    assert_non_null(strstr(got, "\nliq_watch_series 2\n"));
    assert_non_null(strstr(got, "\nliq_watch_points_dropped_total 2\n"));
    assert_non_null(strstr(got, "\nliq_watch_series_evicted_total 1\n"));
    free(got);
    prom_free(e);
    /* many series through a small table: every eviction keeps the others findable */
    e = prom_new(50);
    char host[16];
    for (int k = 0; k < 2000; k++) {
        snprintf(host, sizeof(host), "h%d", k);
        cap_point(e, host, t0 + k * 60);
        snprintf(host, sizeof(host), "h%d", k > 20 ? k - 20 : 0);
        cap_point(e, host, t0 + k * 60); /* a series 20 back, found again, kept (the table holds
                                          * the last 25 periods' 2 series each) */
    }
    got = render(e, 0);
    assert_non_null(strstr(got, "\nliq_watch_series 50\n"));
    assert_non_null(strstr(got, "\nliq_watch_points_dropped_total 0\n"));
    assert_non_null(strstr(got, "liq_ns_hits_sample_count_total{dimension_Host=\"h1979\"} 2\n"));
    assert_non_null(strstr(got, "liq_ns_hits_sample_count_total{dimension_Host=\"h1999\"} 1\n"));
    free(got);
    prom_free(e);
}

static char *file_text(PromFile *f)
{
    char *p = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&p, &n);
    assert_non_null(m);
    assert_int_equal(prom_file_write(f, m), 0);
    fclose(m);
    return p;
}

/* points out of order, one period given twice (a correction), a default period; alarm states
 * at each evaluation: counters as running totals, samples in time order, "# EOF" */
static void test_file(void **state)
{
    (void)state;
    PromFile *f = prom_file_new();
    int64_t t0 = 1704067200;
    double pp[] = {99}, pv[] = {9};
    WatchPoint p = point("App", "Lat", t0 + 120, 2, 10, 4, 6);
    prom_file_point(f, &p);
    p = point("App", "Lat", t0, 1, 3, 3, 3);
    p.npct = 1;
    p.pct_p = pp;
    p.pct_v = pv;
    prom_file_point(f, &p);
    p = point("App", "Lat", t0 + 60, 0, 0, 0, 0);
    p.is_default = 1;
    p.sample_count = 1;
    prom_file_point(f, &p);
    p = point("App", "Lat", t0 + 120, 4, 20, 2, 8); /* a correction: adds to the first */
    prom_file_point(f, &p);
    prom_file_alarm(f, "lat", WATCH_OK, (t0 + 180) * 1000);
    prom_file_alarm(f, "lat", WATCH_INSUFFICIENT_DATA, (t0 + 60) * 1000);
    prom_file_alarm(f, "lat", WATCH_ALARM, (t0 + 120) * 1000 + 500);
    char *got = file_text(f);
    const char *want =
        "# HELP liq_app_lat_sample_count SampleCount summed over every period of App Lat "
        "(Milliseconds)\n"
        "# TYPE liq_app_lat_sample_count counter\n"
        "liq_app_lat_sample_count_total 1 1704067200\n"
        "liq_app_lat_sample_count_total 1 1704067260\n"
        "liq_app_lat_sample_count_total 7 1704067320\n"
        "# HELP liq_app_lat_sum Sum summed over every period of App Lat (Milliseconds)\n"
        "# TYPE liq_app_lat_sum counter\n"
        "liq_app_lat_sum_total 3 1704067200\n"
        "liq_app_lat_sum_total 3 1704067260\n"
        "liq_app_lat_sum_total 33 1704067320\n"
        "# HELP liq_app_lat_average Average over the last complete period of App Lat "
        "(Milliseconds)\n"
        "# TYPE liq_app_lat_average gauge\n"
        "liq_app_lat_average 3 1704067200\n"
        "liq_app_lat_average 0 1704067260\n"
        "liq_app_lat_average 5 1704067320\n"
        "# HELP liq_app_lat_minimum Minimum over the last complete period of App Lat "
        "(Milliseconds)\n"
        "# TYPE liq_app_lat_minimum gauge\n"
        "liq_app_lat_minimum 3 1704067200\n"
        "liq_app_lat_minimum 0 1704067260\n"
        "liq_app_lat_minimum 2 1704067320\n"
        "# HELP liq_app_lat_maximum Maximum over the last complete period of App Lat "
        "(Milliseconds)\n"
        "# TYPE liq_app_lat_maximum gauge\n"
        "liq_app_lat_maximum 3 1704067200\n"
        "liq_app_lat_maximum 0 1704067260\n"
        "liq_app_lat_maximum 8 1704067320\n"
        "# HELP liq_app_lat_p99 Percentile 99 over the last complete period of App Lat "
        "(Milliseconds)\n"
        "# TYPE liq_app_lat_p99 gauge\n"
        "liq_app_lat_p99 9 1704067200\n"
        "# HELP liq_alarm_state State of the alarm: 1 for its state (OK, ALARM or "
        "INSUFFICIENT_DATA), 0 for the other two\n"
        "# TYPE liq_alarm_state gauge\n"
        "liq_alarm_state{alarm_name=\"lat\",state=\"OK\"} 0 1704067260\n"
        "liq_alarm_state{alarm_name=\"lat\",state=\"OK\"} 0 1704067320.5\n"
        "liq_alarm_state{alarm_name=\"lat\",state=\"OK\"} 1 1704067380\n"
        "liq_alarm_state{alarm_name=\"lat\",state=\"ALARM\"} 0 1704067260\n"
        "liq_alarm_state{alarm_name=\"lat\",state=\"ALARM\"} 1 1704067320.5\n"
        "liq_alarm_state{alarm_name=\"lat\",state=\"ALARM\"} 0 1704067380\n"
        "liq_alarm_state{alarm_name=\"lat\",state=\"INSUFFICIENT_DATA\"} 1 1704067260\n"
        "liq_alarm_state{alarm_name=\"lat\",state=\"INSUFFICIENT_DATA\"} 0 1704067320.5\n"
        "liq_alarm_state{alarm_name=\"lat\",state=\"INSUFFICIENT_DATA\"} 0 1704067380\n"
        "# HELP liq_alarm_state_changes State changes of the alarm\n"
        "# TYPE liq_alarm_state_changes counter\n"
        "liq_alarm_state_changes_total{alarm_name=\"lat\"} 0 1704067260\n"
        "liq_alarm_state_changes_total{alarm_name=\"lat\"} 1 1704067320.5\n"
        "liq_alarm_state_changes_total{alarm_name=\"lat\"} 2 1704067380\n"
        "# EOF\n";
    same_text(got, want);
    free(got);
    /* written again after more points: the whole file again */
    p = point("App", "Lat", t0 + 180, 1, 1, 1, 1);
    prom_file_point(f, &p);
    got = file_text(f);
    assert_non_null(strstr(got, "liq_app_lat_sum_total 33 1704067320\n"
                                "liq_app_lat_sum_total 34 1704067380\n# HELP"));
    free(got);
    prom_file_free(f);
}

/* a failing stream: prom_file_write says so */
static void test_file_write_error(void **state)
{
    (void)state;
    PromFile *f = prom_file_new();
    WatchPoint p = point("App", "Lat", 1704067200, 1, 1, 1, 1);
    prom_file_point(f, &p);
    FILE *full = fopen("/dev/full", "w");
    if (!full)
        skip();
    assert_int_not_equal(prom_file_write(f, full), 0);
    fclose(full);
    prom_file_free(f);
}

/* points from one thread while another renders (TSan's case); the totals at the end */
static void *feeder(void *arg)
{
    PromExp *e = arg;
    for (int i = 0; i < 2000; i++) {
        WatchPoint p = point("T", "N", 1704067200 + i * 60, 1, 2, 2, 2);
        char v[8];
        snprintf(v, sizeof(v), "%d", i % 7);
        p.ndims = 1;
        p.dims[0] = (WatchDim){"D", v};
        prom_point(e, &p);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    PromExp *e = prom_new(0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, feeder, e), 0);
    for (int i = 0; i < 50; i++)
        free(render(e, i & 1));
    pthread_join(th, NULL);
    char *got = render(e, 0);
    assert_non_null(strstr(got, "liq_t_n_sum_total{dimension_D=\"0\"} 572\n"));
    assert_non_null(strstr(got, "liq_t_n_sum_total{dimension_D=\"6\"} 570\n"));
    free(got);
    prom_free(e);
}

/* the address checks of prom_listen, before any socket */
static void test_listen_errors(void **state)
{
    (void)state;
    PromExp *e = prom_new(0);
    char err[256];
    assert_int_equal(prom_listen(e, "0.0.0.0:0", 0, err, sizeof(err)), -1);
    assert_string_equal(err, "--metrics-listen 0.0.0.0:0 is not a loopback address (the endpoint "
                             "has no authentication)");
    assert_int_equal(prom_listen(e, "example.com:80", 0, err, sizeof(err)), -1);
    assert_string_equal(err, "--metrics-listen wants HOST:PORT with a numeric address, not "
                             "'example.com:80'");
    assert_int_equal(prom_listen(e, "127.0.0.1:99999", 0, err, sizeof(err)), -1);
    assert_int_equal(prom_listen(e, "[::1:80", 0, err, sizeof(err)), -1);
    int port = prom_listen(e, "127.0.0.1:0", 0, err, sizeof(err));
    assert_true(port > 0);
    PromExp *e2 = prom_new(0);
    char where[64];
    snprintf(where, sizeof(where), "127.0.0.1:%d", port);
    assert_int_equal(prom_listen(e2, where, 0, err, sizeof(err)), -1);
    char want[128];
    snprintf(want, sizeof(want), "cannot listen on %s (Address already in use)", where);
    assert_string_equal(err, want);
    prom_free(e2);
    prom_stop(e);
    prom_stop(e); /* twice: a no-op */
    prom_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_values_and_times),
        cmocka_unit_test(test_accept),
        cmocka_unit_test(test_text_exposition),
        cmocka_unit_test(test_openmetrics_exposition),
        cmocka_unit_test(test_corrections),
        cmocka_unit_test(test_label_names),
        cmocka_unit_test(test_series_cap),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_file_write_error),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_listen_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
