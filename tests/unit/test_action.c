/* test_action.c -- unit tests of watch/action: alarm actions (issue 19)
 *
 * The CloudWatch alarm message and the SNS notification around it (parsed back with the one
 * JSON reader and checked field by field), action strings, and the dispatcher: a command gets
 * the message on stdin, failures are warnings, a full queue drops with a warning, stopping
 * without drain drops what waits for a retry, webhook warnings never show a URL's path. Every
 * wait is causal: watch_actions_stop(drain 1) returns after the jobs ran; a command blocked on
 * a FIFO holds the worker until the test opens it. Webhooks against a real HTTP receiver with
 * retries: tests/watch/actions.sh.
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
#include <fcntl.h>
#include <pthread.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <apr_general.h>
#include <curl/curl.h>
#include "base/buf.h"
#include "engine/data/jdom.h"
#include "watch/action.h"
#include "watch/alarm.h"

static const char *const alarm_urls[] = {"https://hooks.example.com/T0/secret-token", NULL};

static WatchAlarmDef sample_def(void)
{
    WatchAlarmDef d = {0};
    d.alarm_name = "api-errors";
    d.alarm_description = "5xx from the API";
    d.ns = "App/Api";
    d.metric = "Errors";
    d.ndims = 1;
    d.dims[0] = (WatchDim){"Service", "checkout"};
    d.statistic = "Sum";
    d.extended_p = -1;
    d.period_s = 300;
    d.evaluation_periods = 3;
    d.datapoints_to_alarm = 2;
    d.threshold = 10;
    d.op = WATCH_GE;
    d.treat_missing = WATCH_MISSING_NOT_BREACHING;
    d.actions_enabled = 1;
    d.alarm_actions = alarm_urls;
    return d;
}

static WatchEvent sample_event(const WatchAlarmDef *d)
{
    WatchEvent ev = {0};
    ev.alarm = d;
    ev.old_state = WATCH_OK;
    ev.new_state = WATCH_ALARM;
    ev.reason = "Threshold Crossed: 2 out of the last 3 datapoints [12.0 (07/12/26 10:10:00), "
                "11.0 (07/12/26 10:00:00)] were greater than or equal to the threshold (10.0) "
                "(minimum 2 datapoints for OK -> ALARM transition).";
    ev.reason_data = "{}";
    ev.time_ms = 1796638500000LL; /* 2026-12-07T10:15:00Z */
    return ev;
}

static const JdNode *get(const JdNode *o, const char *k)
{
    const JdNode *n = jdom_get(o, k, strlen(k));
    if (!n)
        fail_msg("no key '%s'", k);
    return n;
}

static void assert_str(const JdNode *o, const char *k, const char *want)
{
    const JdNode *n = get(o, k);
    assert_int_equal(n->type, JD_STR);
    /* decoded strings are not NUL-terminated */
    if (n->len != strlen(want) || memcmp(n->s, want, n->len) != 0)
        fail_msg("%s: '%.*s', expected '%s'", k, (int)n->len, n->s, want);
}

/* ===== messages ===== */

static void test_action_message_shape(void **state)
{
    (void)state;
    WatchAlarmDef d = sample_def();
    WatchEvent ev = sample_event(&d);
    WatchMsgOpts o = {.region = "eu-west-1", .account_id = "123456789012"};
    LiqBuf b = {0};
    watch_event_message(&ev, &o, &b);
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    const JdNode *m = jdom_parse(pool, b.p, b.len);
    assert_non_null(m);
    assert_str(m, "AlarmName", "api-errors");
    assert_str(m, "AlarmDescription", "5xx from the API");
    assert_str(m, "AWSAccountId", "123456789012");
    assert_str(m, "NewStateValue", "ALARM");
    assert_str(m, "OldStateValue", "OK");
    assert_str(m, "NewStateReason", ev.reason);
    assert_str(m, "StateChangeTime", "2026-12-07T10:15:00.000+0000");
    assert_str(m, "Region", "EU (Ireland)");
    assert_str(m, "AlarmArn", "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:api-errors");
    assert_int_equal(get(m, "AlarmActions")->n, 1);
    assert_int_equal(get(m, "OKActions")->n, 0);
    assert_int_equal(get(m, "InsufficientDataActions")->n, 0);
    const JdNode *t = get(m, "Trigger");
    assert_str(t, "MetricName", "Errors");
    assert_str(t, "Namespace", "App/Api");
    assert_str(t, "StatisticType", "Statistic");
    assert_str(t, "Statistic", "SUM");
    assert_str(t, "ComparisonOperator", "GreaterThanOrEqualToThreshold");
    assert_str(t, "TreatMissingData", "notBreaching");
    assert_int_equal(get(t, "Period")->num, 300);
    assert_int_equal(get(t, "EvaluationPeriods")->num, 3);
    assert_int_equal(get(t, "DatapointsToAlarm")->num, 2);
    assert_int_equal(get(t, "Threshold")->len, 4);
    assert_memory_equal(get(t, "Threshold")->s, "10.0", 4);
    const JdNode *dims = get(t, "Dimensions");
    assert_int_equal(dims->n, 1);
    assert_str(dims->kids[0], "name", "Service");
    assert_str(dims->kids[0], "value", "checkout");
    assert_int_equal(get(t, "Unit")->type, JD_NULL);

    /* the SNS notification: Message is the text above, as a string */
    LiqBuf s = {0};
    watch_event_sns(&ev, &o, "9f1c7a53-0e6a-4bd4-9a7e-2d1b1f2a3c4d", &s);
    const JdNode *n = jdom_parse(pool, s.p, s.len);
    assert_non_null(n);
    assert_str(n, "Type", "Notification");
    assert_str(n, "MessageId", "9f1c7a53-0e6a-4bd4-9a7e-2d1b1f2a3c4d");
    assert_str(n, "TopicArn", "arn:aws:sns:eu-west-1:123456789012:liq-watch");
    assert_str(n, "Subject", "ALARM: \"api-errors\" in EU (Ireland)");
    const JdNode *msg = get(n, "Message");
    assert_int_equal(msg->len, b.len);
    assert_memory_equal(msg->s, b.p, b.len);
    const JdNode *ts = get(n, "Timestamp");
    assert_int_equal(ts->len, 24); /* 2026-12-07T10:15:00.123Z */
    assert_int_equal(ts->s[23], 'Z');
    /* a random version-4 UUID when none is given */
    LiqBuf r = {0};
    watch_event_sns(&ev, NULL, NULL, &r);
    const JdNode *rn = jdom_parse(pool, r.p, r.len);
    const JdNode *id = get(rn, "MessageId");
    assert_int_equal(id->len, 36);
    assert_int_equal(id->s[14], '4');
    assert_str(rn, "TopicArn", "arn:aws:sns:us-east-1:000000000000:liq-watch");
    assert_str(rn, "Subject", "ALARM: \"api-errors\" in US East (N. Virginia)");
    /* an extended statistic */
    d.statistic = NULL;
    d.extended_p = 99.9;
    LiqBuf e = {0};
    watch_event_message(&ev, NULL, &e);
    buf_addc(&e, 0);
    assert_non_null(
        strstr(e.p, "\"StatisticType\":\"ExtendedStatistic\",\"ExtendedStatistic\":\"p99.9\""));
    buf_free(&b);
    buf_free(&s);
    buf_free(&r);
    buf_free(&e);
    apr_pool_destroy(pool);
}

static void test_action_kinds(void **state)
{
    (void)state;
    const char *why;
    assert_int_equal(watch_action_kind("https://hooks.example.com/x", &why), WATCH_ACTION_URL);
    assert_int_equal(watch_action_kind("HTTP://127.0.0.1:8080", &why), WATCH_ACTION_URL);
    assert_int_equal(watch_action_kind("http:///path", &why), WATCH_ACTION_INVALID);
    assert_string_equal(why, "a URL without a host");
    assert_int_equal(watch_action_kind("logger -t 'liq watch'", &why), WATCH_ACTION_COMMAND);
    assert_int_equal(watch_action_kind("   ", &why), WATCH_ACTION_INVALID);
    assert_string_equal(why, "an empty command");
    assert_int_equal(watch_action_kind("say \"unclosed", &why), WATCH_ACTION_INVALID);
    assert_string_equal(why, "no closing quotation");
    /* an SNS topic ARN, as describe-alarms exports them: valid, never run */
    assert_int_equal(watch_action_kind("arn:aws:sns:us-east-1:1:t", &why), WATCH_ACTION_ARN);
    assert_string_equal(watch_region_name("ap-northeast-2"), "Asia Pacific (Seoul)");
    assert_string_equal(watch_region_name("xx-mars-1"), "xx-mars-1");
}

/* ===== the dispatcher ===== */

typedef struct Warnings {
    pthread_mutex_t mu;
    int n;
    char text[8][600];
} Warnings;

static void collect(void *ud, const char *msg)
{
    Warnings *w = ud;
    pthread_mutex_lock(&w->mu);
    if (w->n < 8)
        snprintf(w->text[w->n], sizeof w->text[0], "%s", msg);
    w->n++;
    pthread_mutex_unlock(&w->mu);
}

static WatchActions *start(Warnings *w, int queue_max)
{
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    WatchActionOpts o;
    watch_action_opts_default(&o);
    o.queue_max = queue_max;
    o.warn = collect;
    o.warn_ud = w;
    char *err = NULL;
    WatchActions *a = watch_actions_start(&o, &err);
    assert_non_null(a);
    return a;
}

static char *slurp(const char *path, size_t *len)
{
    LiqBuf b = {0};
    assert_int_equal(buf_read_file(&b, path), 0);
    buf_addc(&b, 0);
    *len = b.len - 1;
    return b.p;
}

static void test_action_command_gets_the_message_on_stdin(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_action.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cmd[512], out[300];
    snprintf(out, sizeof out, "%s/got's.json", dir);
    /* words: sh, -c, the script, then $0: quoted as the AWS CLI splits, no shell reads it */
    snprintf(cmd, sizeof cmd, "sh -c 'cat > \"$0\"' \"%s\"", out);
    const char *cmds[] = {"arn:aws:sns:us-east-1:123456789012:ops", cmd, "false",
                          "/nonexistent/notify", NULL};
    WatchAlarmDef d = sample_def();
    d.ok_actions = cmds;
    WatchEvent ev = sample_event(&d);
    ev.old_state = WATCH_ALARM;
    ev.new_state = WATCH_OK;
    Warnings w;
    WatchActions *a = start(&w, 16);
    assert_int_equal(watch_actions_submit(a, &ev), 0);
    /* INSUFFICIENT_DATA has no actions: nothing queued */
    ev.new_state = WATCH_INSUFFICIENT_DATA;
    assert_int_equal(watch_actions_submit(a, &ev), 0);
    ev.new_state = WATCH_OK;
    watch_actions_drain(a);
    WatchActionStats st;
    watch_actions_stats(a, &st);
    assert_int_equal(st.queued, 3); /* the ARN is no job */
    assert_int_equal(st.delivered, 1);
    assert_int_equal(st.failed, 2);
    watch_actions_stop(a, 1);
    size_t len;
    char *got = slurp(out, &len);
    LiqBuf want = {0};
    watch_event_message(&ev, NULL, &want);
    buf_addc(&want, '\n');
    assert_int_equal(len, want.len);
    assert_memory_equal(got, want.p, want.len);
    free(got);
    buf_free(&want);
    assert_int_equal(w.n, 3);
    assert_string_equal(w.text[0], "alarm 'api-errors' (ALARM -> OK): action "
                                   "arn:aws:sns:us-east-1:123456789012:ops not run: liq watch runs "
                                   "commands and http(s) URLs, not AWS actions");
    assert_string_equal(w.text[1], "alarm 'api-errors' (ALARM -> OK): command failed: false "
                                   "exited with status 1");
    assert_string_equal(w.text[2], "alarm 'api-errors' (ALARM -> OK): command failed: cannot "
                                   "run /nonexistent/notify: No such file or directory");
    unlink(out);
    rmdir(dir);
}

/* The worker is held by a command that opens a FIFO until the test opens its other end; while
 * it holds, a queue of 1 is full. */
static void test_action_full_queue_drops_with_a_warning(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_action.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char fifo[300], cmd[600];
    snprintf(fifo, sizeof fifo, "%s/hold", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    snprintf(cmd, sizeof cmd, "sh -c 'cat \"$0\" > /dev/null' '%s'", fifo);
    const char *cmds[] = {cmd, NULL};
    WatchAlarmDef d = sample_def();
    d.alarm_actions = cmds;
    WatchEvent ev = sample_event(&d);
    Warnings w;
    WatchActions *a = start(&w, 1);
    assert_int_equal(watch_actions_submit(a, &ev), 0);
    ev.old_state = WATCH_INSUFFICIENT_DATA;
    assert_int_equal(watch_actions_submit(a, &ev), -1);
    WatchActionStats st;
    watch_actions_stats(a, &st);
    assert_int_equal(st.queued, 1);
    assert_int_equal(st.dropped, 1);
    assert_int_equal(w.n, 1);
    assert_string_equal(w.text[0], "alarm actions queue full (1 waiting): dropped 1 action of "
                                   "alarm 'api-errors' (INSUFFICIENT_DATA -> ALARM)");
    /* actions disabled: nothing, not even a drop */
    d.actions_enabled = 0;
    assert_int_equal(watch_actions_submit(a, &ev), 0);
    d.actions_enabled = 1;
    /* let the held command end */
    int fd = open(fifo, O_WRONLY);
    assert_true(fd >= 0);
    close(fd);
    watch_actions_stop(a, 1);
    assert_int_equal(w.n, 1);
    unlink(fifo);
    rmdir(dir);
}

/* A port bound and not listening refuses connections: a webhook there fails at once. */
static int refusing_port(int *fd)
{
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(*fd, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t sl = sizeof sa;
    getsockname(*fd, (struct sockaddr *)&sa, &sl);
    return ntohs(sa.sin_port);
}

static void test_action_webhook_failures_and_stop(void **state)
{
    (void)state;
    int fd;
    int port = refusing_port(&fd);
    char url[200];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/T0/secret-token?x=1", port);
    const char *urls[] = {url, NULL};
    WatchAlarmDef d = sample_def();
    d.alarm_actions = urls;
    WatchEvent ev = sample_event(&d);

    /* every attempt refused: given up after max_attempts, the URL shown without its path */
    Warnings w;
    memset(&w, 0, sizeof w);
    pthread_mutex_init(&w.mu, NULL);
    WatchActionOpts o;
    watch_action_opts_default(&o);
    o.max_attempts = 3;
    o.backoff_ms = 1;
    o.warn = collect;
    o.warn_ud = &w;
    WatchActions *a = watch_actions_start(&o, NULL);
    assert_int_equal(watch_actions_submit(a, &ev), 0);
    watch_actions_stop(a, 1);
    assert_int_equal(w.n, 1);
    char want[400];
    snprintf(want, sizeof want,
             "alarm 'api-errors' (OK -> ALARM): POST to http://127.0.0.1:%d/..."
             " failed after 3 attempts (Couldn't connect to server)",
             port);
    assert_string_equal(w.text[0], want);
    assert_null(strstr(w.text[0], "secret-token"));

    /* stopped without drain while the job waits a minute for its retry: dropped, said once */
    memset(&w, 0, sizeof w);
    pthread_mutex_init(&w.mu, NULL);
    o.max_attempts = 6;
    o.backoff_ms = 60000;
    a = watch_actions_start(&o, NULL);
    assert_int_equal(watch_actions_submit(a, &ev), 0);
    watch_actions_stop(a, 0);
    assert_int_equal(w.n, 1);
    assert_string_equal(w.text[0], "1 alarm action was not run: liq watch is stopping");
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_action_message_shape),
        cmocka_unit_test(test_action_kinds),
        cmocka_unit_test(test_action_command_gets_the_message_on_stdin),
        cmocka_unit_test(test_action_full_queue_drops_with_a_warning),
        cmocka_unit_test(test_action_webhook_failures_and_stop),
    };
    apr_initialize();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int failed = cmocka_run_group_tests_name("action", tests, NULL, NULL);
    curl_global_cleanup();
    apr_terminate();
    return failed;
}
