/* prom_serve.c -- test driver of watch/prom: fixed points on a live endpoint, or in a file
 *
 *   prom_serve --serve PORT_FILE [LISTEN]   serves GET /metrics on LISTEN (127.0.0.1:0) with
 *                                           the fixed points below and their alarm, writes the
 *                                           port bound to PORT_FILE, and serves until SIGTERM
 *   prom_serve --openmetrics FILE            writes a replay's OpenMetrics file: two series of
 *                                           MyApp Latency and an alarm, every 5 minutes over
 *                                           6 hours from 2024-01-01T00:00:00Z, given newest
 *                                           first (the writer sorts)
 *
 * The values, for tests/watch/prometheus.sh and promtool.sh to find: live, Latency of
 * {Route="/a\"b", Service="api"} over periods of 4 then 2 samples (sum 100, then 30: sum_total
 * 130, average 15, p99 19.5), Errors a default period (gauges 0), alarm HighLatency in ALARM
 * after 1 change; in the file, period k (0..71) of Route=/a has 1 + k % 3 samples, each k,
 * and Route=/b 2 samples of 10 and 30; the alarm is ALARM where k % 24 >= 12, else OK.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "watch/prom.h"

static int serve(const char *port_file, const char *listen)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* the daemon's thread inherits the mask */
    PromExp *e = prom_new(100);
    double pp[] = {50, 99}, pv[] = {20, 58};
    WatchPoint p = {.ns = "MyApp", .metric = "Latency", .unit = "Milliseconds", .ndims = 2,
                    .dims = {{"Service", "api"}, {"Route", "/a\"b"}}, .start_ms = 1704067200000,
                    .period_s = 60, .sample_count = 4, .sum = 100, .min = 5, .max = 60,
                    .npct = 2, .pct_p = pp, .pct_v = pv};
    prom_point(e, &p);
    p.start_ms += 60000;
    p.sample_count = 2;
    p.sum = 30;
    p.min = 10;
    p.max = 20;
    pv[0] = 15;
    pv[1] = 19.5;
    prom_point(e, &p);
    WatchPoint d = {.ns = "MyApp", .metric = "Errors", .start_ms = 1704067260000, .period_s = 60,
                    .sample_count = 1, .is_default = 1};
    prom_point(e, &d);
    WatchAlarmDef def = {.alarm_name = "HighLatency"};
    prom_alarm_set(e, "HighLatency", WATCH_INSUFFICIENT_DATA);
    WatchEvent ev = {.alarm = &def, .old_state = WATCH_INSUFFICIENT_DATA,
                     .new_state = WATCH_ALARM};
    prom_alarm_event(e, &ev);
    char err[256];
    int port = prom_listen(e, listen, 0, err, sizeof(err));
    if (port < 0) {
        fprintf(stderr, "prom_serve: error: %s\n", err);
        prom_free(e);
        return 2;
    }
    FILE *f = fopen(port_file, "w");
    if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0) {
        perror(port_file);
        prom_free(e);
        return 2;
    }
    int sig;
    sigwait(&set, &sig);
    prom_free(e);
    return 0;
}

static int write_file(const char *path)
{
    PromFile *pf = prom_file_new();
    for (int k = 71; k >= 0; k--) {
        int64_t t = 1704067200000 + (int64_t)k * 300000;
        double pp[] = {99}, pv[] = {k};
        WatchPoint a = {.ns = "MyApp", .metric = "Latency", .unit = "Milliseconds", .ndims = 1,
                        .dims = {{"Route", "/a"}}, .start_ms = t, .period_s = 300,
                        .sample_count = 1 + k % 3, .sum = (1 + k % 3) * k, .min = k, .max = k,
                        .npct = 1, .pct_p = pp, .pct_v = pv};
        prom_file_point(pf, &a);
        WatchPoint b = {.ns = "MyApp", .metric = "Latency", .unit = "Milliseconds", .ndims = 1,
                        .dims = {{"Route", "/b"}}, .start_ms = t, .period_s = 300,
                        .sample_count = 2, .sum = 40, .min = 10, .max = 30};
        prom_file_point(pf, &b);
        prom_file_alarm(pf, "HighLatency", k % 24 >= 12 ? WATCH_ALARM : WATCH_OK, t);
    }
    FILE *f = fopen(path, "w");
    int rc = !f || prom_file_write(pf, f) != 0 || fclose(f) != 0;
    if (rc)
        perror(path);
    prom_file_free(pf);
    return rc ? 2 : 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--serve") == 0)
        return serve(argv[2], argc > 3 ? argv[3] : "127.0.0.1:0");
    if (argc == 3 && strcmp(argv[1], "--openmetrics") == 0)
        return write_file(argv[2]);
    fprintf(stderr, "usage: prom_serve --serve PORT_FILE [LISTEN] | --openmetrics FILE\n");
    return 2;
}
