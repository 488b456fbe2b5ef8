/* action.c -- alarm actions: the CloudWatch alarm message, SNS-shaped webhooks retried with
 * backoff, commands run without a shell, all from one worker thread behind a bounded queue
 *
 * Threading. watch_actions_submit (the reader's thread) turns an event into jobs, one per
 * action, each holding its own copy of what it sends, and appends them to the queue under the
 * dispatcher's mutex; it never waits for anything but that mutex. The worker takes the oldest
 * ready job, runs one attempt outside the mutex, and either finishes it or (a webhook that may
 * succeed later) sets it aside with the time of its next attempt; while no job is due it waits
 * on the condition variable until the next due time (CLOCK_MONOTONIC) or a submit. Jobs set
 * aside count against queue_max: the queue bounds everything the dispatcher holds.
 *
 * Signals. A command that exits before reading its stdin would raise SIGPIPE in liq; the
 * worker thread blocks SIGPIPE (writes get EPIPE instead) and clears a pending one, and the
 * commands it starts get a clean signal mask and SIGPIPE's default action back. libcurl runs
 * with CURLOPT_NOSIGNAL, as threads need.
 *
 * Secrets. Webhook URLs often carry a token in their path (Slack, Teams): warnings name the
 * scheme and host only.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "watch/action.h"

#include <apr_pools.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/esc.h"
#include "base/mem.h"
#include "base/words.h"
#include "watch/alarm.h"

extern char **environ;

/* ===== action strings ===== */

static int is_url(const char *s)
{
    return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

WatchActionKind watch_action_kind(const char *action, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    *why = NULL;
    if (!action) {
        *why = "an empty command";
        return WATCH_ACTION_INVALID;
    }
    if (is_url(action)) {
        const char *host = strstr(action, "//") + 2;
        if (!*host || *host == '/' || *host == ':' || *host == '?') {
            *why = "a URL without a host";
            return WATCH_ACTION_INVALID;
        }
        return WATCH_ACTION_URL;
    }
    if (strncmp(action, "arn:", 4) == 0)
        return WATCH_ACTION_ARN;
    apr_pool_t *pool;
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS) {
        *why = "out of memory";
        return WATCH_ACTION_INVALID;
    }
    char **argv = words_split(pool, action, why);
    WatchActionKind k = WATCH_ACTION_COMMAND;
    if (!argv) {
        k = WATCH_ACTION_INVALID;
    } else if (!argv[0] || !*argv[0]) {
        *why = "an empty command";
        k = WATCH_ACTION_INVALID;
    }
    apr_pool_destroy(pool);
    return k;
}

static int check_list(const WatchAlarmDef *d, const char *const *list, const char *opt,
                      char **err)
{
    for (size_t i = 0; list && list[i]; i++) {
        const char *why = NULL;
        if (watch_action_kind(list[i], &why) != WATCH_ACTION_INVALID)
            continue;
        if (err) {
            LiqBuf b = {0};
            if (d->alarm_name && *d->alarm_name)
                buf_printf(&b, "alarm '%s': ", d->alarm_name);
            buf_printf(&b, "%s '%s': %s", opt, list[i], why ? why : "not an action");
            buf_addc(&b, 0);
            *err = b.p;
        }
        return -1;
    }
    return 0;
}

int watch_actions_check(const WatchAlarmDef *d, char **err)
{
    if (check_list(d, d->alarm_actions, "--alarm-actions", err) != 0 ||
        check_list(d, d->ok_actions, "--ok-actions", err) != 0 ||
        check_list(d, d->insufficient_data_actions, "--insufficient-data-actions", err) != 0)
        return -1;
    return 0;
}

/* ===== messages ===== */

static const struct {
    const char *code, *name;
} regions[] = {
    {"us-east-1", "US East (N. Virginia)"},
    {"us-east-2", "US East (Ohio)"},
    {"us-west-1", "US West (N. California)"},
    {"us-west-2", "US West (Oregon)"},
    {"af-south-1", "Africa (Cape Town)"},
    {"ap-east-1", "Asia Pacific (Hong Kong)"},
    {"ap-south-1", "Asia Pacific (Mumbai)"},
    {"ap-south-2", "Asia Pacific (Hyderabad)"},
    {"ap-southeast-1", "Asia Pacific (Singapore)"},
    {"ap-southeast-2", "Asia Pacific (Sydney)"},
    {"ap-southeast-3", "Asia Pacific (Jakarta)"},
    {"ap-southeast-4", "Asia Pacific (Melbourne)"},
    {"ap-northeast-1", "Asia Pacific (Tokyo)"},
    {"ap-northeast-2", "Asia Pacific (Seoul)"},
    {"ap-northeast-3", "Asia Pacific (Osaka)"},
    {"ca-central-1", "Canada (Central)"},
    {"ca-west-1", "Canada West (Calgary)"},
    {"eu-central-1", "EU (Frankfurt)"},
    {"eu-central-2", "EU (Zurich)"},
    {"eu-west-1", "EU (Ireland)"},
    {"eu-west-2", "EU (London)"},
    {"eu-west-3", "EU (Paris)"},
    {"eu-north-1", "EU (Stockholm)"},
    {"eu-south-1", "EU (Milan)"},
    {"eu-south-2", "EU (Spain)"},
    {"il-central-1", "Israel (Tel Aviv)"},
    {"me-south-1", "Middle East (Bahrain)"},
    {"me-central-1", "Middle East (UAE)"},
    {"sa-east-1", "South America (Sao Paulo)"},
};

const char *watch_region_name(const char *code)
{
    for (size_t i = 0; code && i < sizeof regions / sizeof regions[0]; i++)
        if (strcmp(code, regions[i].code) == 0)
            return regions[i].name;
    return code ? code : "";
}

static const char *region_of(const WatchMsgOpts *o)
{
    return o && o->region && *o->region ? o->region : "us-east-1";
}

static const char *account_of(const WatchMsgOpts *o)
{
    return o && o->account_id && *o->account_id ? o->account_id : "000000000000";
}

static void jstr(LiqBuf *b, const char *s)
{
    if (s)
        esc_json(b, s, strlen(s));
    else
        buf_adds(b, "null");
}

static void jlist(LiqBuf *b, const char *const *list)
{
    buf_addc(b, '[');
    for (size_t i = 0; list && list[i]; i++) {
        if (i)
            buf_addc(b, ',');
        jstr(b, list[i]);
    }
    buf_addc(b, ']');
}

/* Statistic as the SNS message of an alarm spells it: SUM, AVERAGE, SAMPLE_COUNT, ... */
static const char *statistic_enum(const char *s)
{
    if (!s)
        return NULL;
    if (strcmp(s, "SampleCount") == 0)
        return "SAMPLE_COUNT";
    if (strcmp(s, "Average") == 0)
        return "AVERAGE";
    if (strcmp(s, "Sum") == 0)
        return "SUM";
    if (strcmp(s, "Minimum") == 0)
        return "MINIMUM";
    if (strcmp(s, "Maximum") == 0)
        return "MAXIMUM";
    return s;
}

void watch_event_message(const WatchEvent *ev, const WatchMsgOpts *o, LiqBuf *b)
{
    const WatchAlarmDef *d = ev->alarm;
    const char *region = region_of(o), *account = account_of(o);
    buf_adds(b, "{\"AlarmName\":");
    jstr(b, d->alarm_name);
    buf_adds(b, ",\"AlarmDescription\":");
    jstr(b, d->alarm_description);
    buf_adds(b, ",\"AWSAccountId\":");
    jstr(b, account);
    buf_adds(b, ",\"NewStateValue\":");
    jstr(b, watch_state_name(ev->new_state));
    buf_adds(b, ",\"NewStateReason\":");
    jstr(b, ev->reason ? ev->reason : "");
    buf_adds(b, ",\"StateChangeTime\":");
    watch_time_json(b, ev->time_ms, 0);
    buf_adds(b, ",\"Region\":");
    jstr(b, watch_region_name(region));
    LiqBuf arn = {0};
    buf_printf(&arn, "arn:aws:cloudwatch:%s:%s:alarm:%s", region, account, d->alarm_name);
    buf_addc(&arn, 0);
    buf_adds(b, ",\"AlarmArn\":");
    jstr(b, arn.p);
    buf_free(&arn);
    buf_adds(b, ",\"OldStateValue\":");
    jstr(b, watch_state_name(ev->old_state));
    buf_adds(b, ",\"OKActions\":");
    jlist(b, d->ok_actions);
    buf_adds(b, ",\"AlarmActions\":");
    jlist(b, d->alarm_actions);
    buf_adds(b, ",\"InsufficientDataActions\":");
    jlist(b, d->insufficient_data_actions);
    buf_adds(b, ",\"Trigger\":{\"MetricName\":");
    jstr(b, d->metric);
    buf_adds(b, ",\"Namespace\":");
    jstr(b, d->ns ? d->ns : "");
    if (d->statistic) {
        buf_adds(b, ",\"StatisticType\":\"Statistic\",\"Statistic\":");
        jstr(b, statistic_enum(d->statistic));
    } else {
        buf_adds(b, ",\"StatisticType\":\"ExtendedStatistic\",\"ExtendedStatistic\":\"p");
        LiqBuf p = {0};
        buf_printf(&p, "%.10g", d->extended_p);
        buf_add(b, p.p, p.len);
        buf_free(&p);
        buf_addc(b, '"');
    }
    buf_adds(b, ",\"Unit\":null,\"Dimensions\":[");
    for (int i = 0; i < d->ndims; i++) {
        buf_adds(b, i ? ",{\"value\":" : "{\"value\":");
        jstr(b, d->dims[i].value);
        buf_adds(b, ",\"name\":");
        jstr(b, d->dims[i].name);
        buf_addc(b, '}');
    }
    int m = d->datapoints_to_alarm > 0 ? d->datapoints_to_alarm : d->evaluation_periods;
    buf_printf(b, "],\"Period\":%lld,\"EvaluationPeriods\":%d,\"DatapointsToAlarm\":%d",
               (long long)d->period_s, d->evaluation_periods, m);
    buf_adds(b, ",\"ComparisonOperator\":");
    jstr(b, watch_compare_name(d->op));
    buf_adds(b, ",\"Threshold\":");
    watch_java_double(b, d->threshold);
    buf_adds(b, ",\"TreatMissingData\":");
    jstr(b, watch_missing_name(d->treat_missing));
    buf_adds(b, ",\"EvaluateLowSampleCountPercentile\":\"\"}}");
}

static void new_uuid(char out[37])
{
    unsigned char r[16];
    size_t got = 0;
    while (got < sizeof r) {
        ssize_t n = getrandom(r + got, sizeof r - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            /* no entropy source: time and address bits are enough for a message id */
            uint64_t x = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)out;
            for (size_t i = got; i < sizeof r; i++, x = x * 6364136223846793005ULL + 1)
                r[i] = (unsigned char)(x >> 56);
            break;
        }
        got += (size_t)n;
    }
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0],
             r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13],
             r[14], r[15]);
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void topic_arn(const WatchMsgOpts *o, LiqBuf *b)
{
    if (o && o->topic_arn && *o->topic_arn)
        buf_adds(b, o->topic_arn);
    else
        buf_printf(b, "arn:aws:sns:%s:%s:liq-watch", region_of(o), account_of(o));
    buf_addc(b, 0);
}

void watch_event_sns(const WatchEvent *ev, const WatchMsgOpts *o, const char *message_id, LiqBuf *b)
{
    char id[37];
    if (!message_id) {
        new_uuid(id);
        message_id = id;
    }
    LiqBuf msg = {0}, subject = {0}, topic = {0};
    watch_event_message(ev, o, &msg);
    buf_printf(&subject, "%s: \"%s\" in %s", watch_state_name(ev->new_state), ev->alarm->alarm_name,
               watch_region_name(region_of(o)));
    topic_arn(o, &topic);
    buf_adds(b, "{\"Type\":\"Notification\",\"MessageId\":");
    jstr(b, message_id);
    buf_adds(b, ",\"TopicArn\":");
    jstr(b, topic.p);
    buf_adds(b, ",\"Subject\":");
    esc_json(b, subject.p, subject.len);
    buf_adds(b, ",\"Message\":");
    esc_json(b, msg.p, msg.len);
    buf_adds(b, ",\"Timestamp\":");
    watch_time_json(b, wall_ms(), 1);
    buf_addc(b, '}');
    buf_free(&msg);
    buf_free(&subject);
    buf_free(&topic);
}

/* ===== the dispatcher ===== */

typedef struct Job {
    struct Job *next;
    WatchActionKind kind;
    char *target;  /* the URL or the command line */
    char *message; /* the CloudWatch alarm JSON (command stdin) */
    char *body;    /* the SNS notification (webhooks) */
    char *msg_id;
    char *what; /* "alarm 'x' (OK -> ALARM)", for warnings */
    int attempts;
    int64_t due; /* CLOCK_MONOTONIC ms of the next attempt (set-aside jobs) */
} Job;

struct WatchActions {
    WatchActionOpts o;
    char *topic; /* TopicArn, for the x-amz-sns-topic-arn header */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    Job *head, *tail; /* ready, oldest first */
    Job *later;       /* set aside for a retry, any order */
    int held;         /* jobs in both lists plus the one running */
    int stopping, drain;
    WatchActionStats st;
    CURL *curl; /* the worker's handle (connections kept between jobs) */
};

void watch_action_opts_default(WatchActionOpts *o)
{
    memset(o, 0, sizeof *o);
    o->queue_max = 256;
    o->max_attempts = 6;
    o->backoff_ms = 1000;
    o->backoff_max_ms = 60000;
    o->timeout_ms = 10000;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void warn(WatchActions *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(WatchActions *w, const char *fmt, ...)
{
    if (!w->o.warn)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    w->o.warn(w->o.warn_ud, msg);
}

/* "https://hooks.example.com/...": a URL without what may be a secret (path, query, user) */
static void url_shown(const char *url, char *out, size_t n)
{
    const char *host = strstr(url, "//") + 2;
    const char *end = host + strcspn(host, "/?#");
    const char *at = memchr(host, '@', (size_t)(end - host));
    if (at)
        host = at + 1;
    snprintf(out, n, "%.*s%.*s%s", (int)(strstr(url, "//") + 2 - url), url, (int)(end - host), host,
             *end ? "/..." : "");
}

static void job_free(Job *j)
{
    if (!j)
        return;
    free(j->target);
    free(j->message);
    free(j->body);
    free(j->msg_id);
    free(j->what);
    free(j);
}

/* --- one webhook attempt --- */

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* 1 delivered, 0 to retry, -1 refused (not retried); *why says what happened */
static int post(WatchActions *w, Job *j, char *why, size_t whylen)
{
    if (!w->curl)
        w->curl = curl_easy_init();
    CURL *c = w->curl;
    if (!c) {
        snprintf(why, whylen, "cannot create a libcurl handle");
        return 0;
    }
    curl_easy_reset(c);
    struct curl_slist *h = NULL;
    char line[512];
    h = curl_slist_append(h, "Content-Type: text/plain; charset=UTF-8");
    h = curl_slist_append(h, "x-amz-sns-message-type: Notification");
    snprintf(line, sizeof line, "x-amz-sns-message-id: %s", j->msg_id);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "x-amz-sns-topic-arn: %s", w->topic);
    h = curl_slist_append(h, line);
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, j->target);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, j->body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(j->body));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "liq-watch (Amazon SNS-shaped notification)");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)w->o.timeout_ms);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(h);
    if (rc != CURLE_OK) {
        snprintf(why, whylen, "%s", curl_easy_strerror(rc));
        return 0;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300)
        return 1;
    snprintf(why, whylen, "HTTP %ld", status);
    return status == 429 || status >= 500 ? 0 : -1;
}

/* --- one command --- */

/* 0 when cmd names an executable file (with a '/': that path; else in $PATH, as posix_spawnp
 * looks), else the errno that says why not. posix_spawnp reports an exec failure itself, but
 * not under every implementation (valgrind runs its child as a fork, which exits 127). */
static int can_exec(const char *cmd)
{
    if (strchr(cmd, '/'))
        return access(cmd, X_OK) == 0 ? 0 : errno;
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/bin:/usr/bin";
    int err = ENOENT;
    size_t cl = strlen(cmd);
    for (const char *p = path;;) {
        const char *e = strchr(p, ':');
        size_t dl = e ? (size_t)(e - p) : strlen(p);
        char full[4096];
        if (dl + cl + 2 <= sizeof(full)) {
            memcpy(full, dl ? p : ".", dl ? dl : 1);
            size_t k = dl ? dl : 1;
            full[k] = '/';
            memcpy(full + k + 1, cmd, cl + 1);
            if (access(full, X_OK) == 0)
                return 0;
            if (errno == EACCES)
                err = EACCES;
        }
        if (!e)
            break;
        p = e + 1;
    }
    return err;
}

/* Waits for pid at most timeout_ms (pidfd and poll where the kernel has them); kills it when
 * it runs longer. The exit status, or -1 (timeout: killed). */
static int wait_child(pid_t pid, int64_t timeout_ms)
{
    int st = 0;
#ifdef SYS_pidfd_open
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0) {
        int64_t end = mono_ms() + timeout_ms;
        int timed_out = 0;
        for (;;) {
            int64_t left = end - mono_ms();
            if (left <= 0) {
                timed_out = 1;
                break;
            }
            struct pollfd pf = {.fd = fd, .events = POLLIN};
            int r = poll(&pf, 1, (int)(left > 1000000 ? 1000000 : left));
            if (r > 0)
                break;
            if (r < 0 && errno != EINTR)
                break;
        }
        close(fd);
        if (timed_out)
            kill(pid, SIGKILL);
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        return timed_out ? -1 : st;
    }
#endif
    (void)timeout_ms;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return st;
}

/* 1 the command exited 0, -1 otherwise (*why says how) */
static int run_command(WatchActions *w, Job *j, char *why, size_t whylen)
{
    apr_pool_t *pool;
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    const char *bad = NULL;
    char **argv = words_split(pool, j->target, &bad);
    int fds[2];
    if (!argv || !argv[0] || pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(why, whylen, "cannot run it: %s", !argv ? bad : strerror(errno));
        apr_pool_destroy(pool);
        return -1;
    }
    int ne = can_exec(argv[0]);
    if (ne != 0) { /* said the same way whatever posix_spawn's implementation reports */
        close(fds[0]);
        close(fds[1]);
        snprintf(why, whylen, "cannot run %s: %s", argv[0], strerror(ne));
        apr_pool_destroy(pool);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO); /* stdout is data */
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    sigset_t none, pipe_only;
    sigemptyset(&none);
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &pipe_only);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int se = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(fds[0]);
    if (se != 0) {
        close(fds[1]);
        snprintf(why, whylen, "cannot run %s: %s", argv[0], strerror(se));
        apr_pool_destroy(pool);
        return -1;
    }
    /* the message and a newline on its stdin; a command that does not read it is no error */
    LiqBuf in = {0};
    buf_adds(&in, j->message);
    buf_addc(&in, '\n');
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    size_t off = 0;
    int64_t end = mono_ms() + w->o.timeout_ms;
    while (off < in.len) {
        ssize_t n = write(fds[1], in.p + off, in.len - off);
        if (n > 0) {
            off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            int64_t left = end - mono_ms();
            struct pollfd pf = {.fd = fds[1], .events = POLLOUT};
            if (left > 0 && poll(&pf, 1, (int)left) >= 0)
                continue;
        }
        break; /* EPIPE (it exited or closed stdin), or the time is up */
    }
    buf_free(&in);
    close(fds[1]);
    /* a SIGPIPE raised by that write is pending on this thread (blocked): clear it */
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_only, NULL, &zero) == SIGPIPE)
        ;
    int64_t left = end - mono_ms();
    int st = wait_child(pid, left > 0 ? left : 0);
    int ok = 1;
    if (st == -1) {
        snprintf(why, whylen, "%s ran longer than %lld ms and was killed", argv[0],
                 (long long)w->o.timeout_ms);
        ok = -1;
    } else if (WIFSIGNALED(st)) {
        snprintf(why, whylen, "%s was killed by signal %d", argv[0], WTERMSIG(st));
        ok = -1;
    } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        snprintf(why, whylen, "%s exited with status %d", argv[0], WEXITSTATUS(st));
        ok = -1;
    }
    apr_pool_destroy(pool);
    return ok;
}

/* --- the worker --- */

static int64_t backoff(const WatchActions *w, int failures)
{
    int64_t d = w->o.backoff_ms > 0 ? w->o.backoff_ms : 0;
    for (int i = 1; i < failures && d < w->o.backoff_max_ms; i++)
        d *= 2;
    return d < w->o.backoff_max_ms ? d : w->o.backoff_max_ms;
}

/* the job to run now (taken out of its list), or NULL with *wait_until the next due time
 * (INT64_MAX: none) */
static Job *take(WatchActions *w, int64_t now, int64_t *wait_until)
{
    *wait_until = INT64_MAX;
    /* a retry that is due goes first: it was queued before anything ready now */
    Job **best = NULL;
    for (Job **p = &w->later; *p; p = &(*p)->next)
        if (!best || (*p)->due < (*best)->due)
            best = p;
    if (best && (*best)->due <= now) {
        Job *j = *best;
        *best = j->next;
        return j;
    }
    if (best)
        *wait_until = (*best)->due;
    if (w->head) {
        Job *j = w->head;
        w->head = j->next;
        if (!w->head)
            w->tail = NULL;
        return j;
    }
    return NULL;
}

static void *worker(void *arg)
{
    WatchActions *w = arg;
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, NULL);
    pthread_mutex_lock(&w->mu);
    for (;;) {
        if (w->stopping && !w->drain)
            break;
        int64_t until;
        Job *j = take(w, mono_ms(), &until);
        if (!j) {
            if (w->stopping && until == INT64_MAX)
                break; /* drained */
            if (until == INT64_MAX) {
                pthread_cond_wait(&w->cv, &w->mu);
            } else {
                struct timespec ts = {.tv_sec = (time_t)(until / 1000),
                                      .tv_nsec = (long)(until % 1000) * 1000000};
                pthread_cond_timedwait(&w->cv, &w->mu, &ts);
            }
            continue;
        }
        pthread_mutex_unlock(&w->mu);
        char why[512] = "";
        int r;
        j->attempts++;
        if (j->kind == WATCH_ACTION_URL)
            r = post(w, j, why, sizeof why);
        else
            r = run_command(w, j, why, sizeof why);
        char shown[300];
        if (j->kind == WATCH_ACTION_URL)
            url_shown(j->target, shown, sizeof shown);
        int retry = r == 0 && j->attempts < w->o.max_attempts;
        pthread_mutex_lock(&w->mu);
        if (j->attempts > 1)
            w->st.retries++;
        if (retry) {
            j->due = mono_ms() + backoff(w, j->attempts);
            j->next = w->later;
            w->later = j;
            continue;
        }
        if (r == 1) {
            w->st.delivered++;
        } else {
            w->st.failed++;
            pthread_mutex_unlock(&w->mu);
            if (j->kind == WATCH_ACTION_URL && r == 0)
                warn(w, "%s: POST to %s failed after %d attempts (%s)", j->what, shown, j->attempts,
                     why);
            else if (j->kind == WATCH_ACTION_URL)
                warn(w, "%s: POST to %s was refused (%s; not retried)", j->what, shown, why);
            else
                warn(w, "%s: command failed: %s", j->what, why);
            pthread_mutex_lock(&w->mu);
        }
        w->held--;
        job_free(j);
        pthread_cond_broadcast(&w->cv);
    }
    /* stopped without drain: what is left is dropped */
    int left = 0;
    for (Job *j = w->head, *n; j; j = n, left++) {
        n = j->next;
        job_free(j);
    }
    for (Job *j = w->later, *n; j; j = n, left++) {
        n = j->next;
        job_free(j);
    }
    w->head = w->tail = w->later = NULL;
    w->held -= left;
    w->st.dropped += (uint64_t)left;
    pthread_mutex_unlock(&w->mu);
    if (left)
        warn(w, "%d alarm %s not run: liq watch is stopping", left,
             left == 1 ? "action was" : "actions were");
    if (w->curl)
        curl_easy_cleanup(w->curl);
    w->curl = NULL;
    return NULL;
}

WatchActions *watch_actions_start(const WatchActionOpts *o, char **err)
{
    WatchActions *w = mem_calloc(1, sizeof *w);
    w->o = *o;
    if (w->o.queue_max <= 0)
        w->o.queue_max = 256;
    if (w->o.max_attempts <= 0)
        w->o.max_attempts = 1;
    if (w->o.backoff_max_ms <= 0)
        w->o.backoff_max_ms = 60000;
    if (w->o.timeout_ms <= 0)
        w->o.timeout_ms = 10000;
    LiqBuf t = {0};
    topic_arn(&w->o.msg, &t);
    w->topic = t.p;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&w->mu, NULL);
    int rc = pthread_create(&w->thread, NULL, worker, w);
    if (rc != 0) {
        if (err) {
            LiqBuf b = {0};
            buf_printf(&b, "cannot start the alarm actions thread (%s)", strerror(rc));
            buf_addc(&b, 0);
            *err = b.p;
        }
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w->topic);
        free(w);
        return NULL;
    }
    return w;
}

static const char *const *actions_of(const WatchEvent *ev)
{
    switch (ev->new_state) {
    case WATCH_ALARM:
        return ev->alarm->alarm_actions;
    case WATCH_OK:
        return ev->alarm->ok_actions;
    case WATCH_INSUFFICIENT_DATA:
        return ev->alarm->insufficient_data_actions;
    }
    return NULL;
}

int watch_actions_submit(WatchActions *w, const WatchEvent *ev)
{
    if (!w)
        return 0;
    const char *const *list = actions_of(ev);
    if (!list || !list[0] || !ev->alarm->actions_enabled)
        return 0;
    LiqBuf what = {0};
    buf_printf(&what, "alarm '%s' (%s -> %s)", ev->alarm->alarm_name,
               watch_state_name(ev->old_state), watch_state_name(ev->new_state));
    buf_addc(&what, 0);
    /* AWS actions cannot run here: said, and left out of the jobs */
    int n = 0;
    for (size_t i = 0; list[i]; i++) {
        if (strncmp(list[i], "arn:", 4) == 0)
            warn(w,
                 "%s: action %s not run: liq watch runs commands and http(s) URLs, not AWS "
                 "actions",
                 what.p, list[i]);
        else
            n++;
    }
    if (n == 0) {
        buf_free(&what);
        return 0;
    }
    pthread_mutex_lock(&w->mu);
    int room = w->held + n <= w->o.queue_max;
    if (!room) {
        int held = w->held;
        w->st.dropped += (uint64_t)n;
        pthread_mutex_unlock(&w->mu);
        warn(w, "alarm actions queue full (%d waiting): dropped %d %s of %s", held, n,
             n == 1 ? "action" : "actions", what.p);
        buf_free(&what);
        return -1;
    }
    w->held += n;
    w->st.queued += (uint64_t)n;
    pthread_mutex_unlock(&w->mu);
    /* the jobs are built outside the lock, then appended at once */
    LiqBuf msg = {0}, body = {0};
    watch_event_message(ev, &w->o.msg, &msg);
    buf_addc(&msg, 0);
    Job *first = NULL, **link = &first, *last = NULL;
    for (int i = 0; list[i]; i++) {
        if (strncmp(list[i], "arn:", 4) == 0)
            continue;
        Job *j = mem_calloc(1, sizeof *j);
        j->kind = is_url(list[i]) ? WATCH_ACTION_URL : WATCH_ACTION_COMMAND;
        j->target = mem_strdup(list[i]);
        j->what = mem_strdup(what.p);
        if (j->kind == WATCH_ACTION_URL) {
            char id[37];
            new_uuid(id);
            j->msg_id = mem_strdup(id);
            body.len = 0;
            watch_event_sns(ev, &w->o.msg, id, &body);
            buf_addc(&body, 0);
            j->body = mem_strdup(body.p);
        } else {
            j->message = mem_strdup(msg.p);
        }
        *link = j;
        link = &j->next;
        last = j;
    }
    buf_free(&msg);
    buf_free(&body);
    buf_free(&what);
    pthread_mutex_lock(&w->mu);
    if (w->tail)
        w->tail->next = first;
    else
        w->head = first;
    w->tail = last;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

void watch_actions_stats(WatchActions *w, WatchActionStats *st)
{
    pthread_mutex_lock(&w->mu);
    *st = w->st;
    pthread_mutex_unlock(&w->mu);
}

void watch_actions_drain(WatchActions *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    while (w->held > 0)
        pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
}

void watch_actions_stop(WatchActions *w, int drain)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    w->drain = drain;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w->topic);
    free(w);
}
