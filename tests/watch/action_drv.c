/* action_drv.c -- drives liq watch's alarm actions (watch/action.c) for tests/watch/actions.sh
 *
 *   action_drv [--attempts N] [--backoff-ms N] [--timeout-ms N] [--queue N] [--events K]
 *              [--region CODE] ACTION...
 *
 * Builds one alarm (api-errors, Sum of App/Errors over 60 s, GreaterThanThreshold 3, 1 of 1)
 * whose AlarmActions are the ACTIONs, submits K state changes OK -> ALARM (the first at
 * 2026-12-07T10:01:00Z, one period apart), prints "submitted K" (flushed: the submits
 * returned), waits for the dispatcher to drain (every delivery made or given up), prints
 * its counters: "queued=Q delivered=D failed=F dropped=X retries=R". Warnings go to stderr as
 * "liq: warning: ...". Exit 0, or 2 on bad usage.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <curl/curl.h>
#include "watch/action.h"
#include "watch/alarm.h"

static void warn_stderr(void *ud, const char *msg)
{
    (void)ud;
    fprintf(stderr, "liq: warning: %s\n", msg);
}

int main(int argc, char **argv)
{
    WatchActionOpts o;
    watch_action_opts_default(&o);
    o.warn = warn_stderr;
    int events = 1, i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (i + 1 >= argc)
            goto usage;
        long v = strtol(argv[i + 1], NULL, 10);
        if (strcmp(argv[i], "--attempts") == 0)
            o.max_attempts = (int)v;
        else if (strcmp(argv[i], "--backoff-ms") == 0)
            o.backoff_ms = v;
        else if (strcmp(argv[i], "--timeout-ms") == 0)
            o.timeout_ms = v;
        else if (strcmp(argv[i], "--queue") == 0)
            o.queue_max = (int)v;
        else if (strcmp(argv[i], "--events") == 0)
            events = (int)v;
        else if (strcmp(argv[i], "--region") == 0)
            o.msg.region = argv[i + 1];
        else
            goto usage;
    }
    if (i >= argc)
        goto usage;
    WatchAlarmDef d = {0};
    d.alarm_name = "api-errors";
    d.alarm_description = "5xx from the API";
    d.ns = "App";
    d.metric = "Errors";
    d.statistic = "Sum";
    d.extended_p = -1;
    d.period_s = 60;
    d.evaluation_periods = 1;
    d.datapoints_to_alarm = 1;
    d.threshold = 3;
    d.op = WATCH_GT;
    d.actions_enabled = 1;
    d.alarm_actions = (const char *const *)(argv + i);
    apr_initialize();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char *err = NULL;
    if (watch_alarm_check(&d, &err) != 0) {
        fprintf(stderr, "action_drv: %s\n", err);
        return 2;
    }
    WatchActions *w = watch_actions_start(&o, &err);
    if (!w) {
        fprintf(stderr, "action_drv: %s\n", err);
        return 2;
    }
    for (int k = 0; k < events; k++) {
        WatchEvent ev = {.alarm = &d,
                         .old_state = WATCH_OK,
                         .new_state = WATCH_ALARM,
                         .reason = "Threshold Crossed: 1 out of the last 1 datapoints [5.0 "
                                   "(07/12/26 10:00:00)] was greater than the threshold (3.0) "
                                   "(minimum 1 datapoint for OK -> ALARM transition).",
                         .reason_data = "{}",
                         .time_ms = 1796637660000LL + k * 60000LL};
        watch_actions_submit(w, &ev);
    }
    printf("submitted %d\n", events);
    fflush(stdout);
    WatchActionStats st;
    watch_actions_drain(w);
    watch_actions_stats(w, &st);
    watch_actions_stop(w, 1);
    printf("queued=%llu delivered=%llu failed=%llu dropped=%llu retries=%llu\n",
           (unsigned long long)st.queued, (unsigned long long)st.delivered,
           (unsigned long long)st.failed, (unsigned long long)st.dropped,
           (unsigned long long)st.retries);
    return 0;
usage:
    fprintf(stderr, "usage: action_drv [--attempts N] [--backoff-ms N] [--timeout-ms N] "
                    "[--queue N] [--events K] [--region CODE] ACTION...\n");
    return 2;
}
