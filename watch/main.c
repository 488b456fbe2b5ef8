/* main.c -- liq watch: metric filters, alarms and their actions over live logs and archives
 *
 * watch_main reads the options (metric filters and alarms named as AWS names them, or
 * definitions files exported from AWS), compiles each metric filter once per period its
 * alarms need (watch/metric.h) and runs it one of three ways:
 *
 *   follow  (the default) a follower per metric (LiqFollow, engine/liq.h; a thread each when
 *           there are several) writes each period once it is complete (its end plus
 *           --lateness, in log time) and tells through bins_read which periods had records
 *           and where the complete ones end: each complete period then gives its datapoints
 *           (defaultValue when records came and none matched) and is fed to the alarms of
 *           the metric, a missing period included, in time order; a clock thread closes
 *           periods by the wall clock too (now past their end plus --lateness, --now in
 *           tests): the follower closes them, those it holds open too (clock_tick,
 *           liq_follow_close_before), and tells so through bins_read;
 *   replay  (--replay --start --end) one run per metric over the archives; the periods of
 *           [start, end] fed the same way: the state changes say when each alarm would have
 *           changed state; --openmetrics FILE writes the points for promtool;
 *   once    (--once) a replay of the last periods before now (each alarm's evaluation
 *           range), its state kept in --state-file; the exit code tells the worst state.
 *
 * Output: NDJSON on stdout, one line per datapoint ("type":"datapoint") and per state change
 * ("type":"state-change", the CloudWatch alarm message's keys); docs/watch.md gives both.
 * State changes also go to the actions (watch/action.h; never in a replay) and the Prometheus
 * endpoint (--metrics-listen, watch/prom.h).
 *
 * Threads: follower threads call the hooks, the clock's thread ticks; one mutex (Watch.lock)
 * serializes the output, the held points, the exporter, the actions' queue and the alarms.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <apr_strings.h>
#include "base/buf.h"
#include "base/diag.h"
#include "cli/cli.h"
#include "engine/liq.h"
#include "watch/action.h"
#include "watch/alarm.h"
#include "watch/defs.h"
#include "watch/metric.h"
#include "watch/prom.h"
#include "watch/watch.h"

/* ===== options ===== */

typedef struct Opts {
    /* a metric filter from options */
    const char *metric_name, *metric_ns, *pattern, *value, *unit, *dims_arg, *query;
    int has_default;
    double default_value;
    int64_t period_s;
    int period_set;
    /* an alarm from options */
    const char *alarm_name, *alarm_desc, *statistic, *extended, *compare, *missing,
        *alarm_dims_arg;
    int has_threshold;
    double threshold;
    int eval_periods, dp_to_alarm;
    int actions_enabled;
    const char **alarm_actions, **ok_actions, **insuf_actions;
    int nalarm_actions, nok_actions, ninsuf_actions;
    /* definitions */
    const char **defs;
    int ndefs;
    /* how */
    int replay, once;
    const char *start_arg, *end_arg, *now_arg;
    int64_t start_ms, end_ms, now_ms;
    const char *state_file;
    int64_t lateness_ms, poll_ms;
    const char *listen, *openmetrics;
    int allow_remote;
    const char *region, *account;
    int threads;
    const char *input_format;
    const char **inputs;
    int ninputs;
    int quiet;
} Opts;

typedef struct Met Met;

/* The process's watch. */
typedef struct Watch {
    Opts *o;
    FILE *out, *err;
    apr_pool_t *pool;
    pthread_mutex_t lock;
    WatchDefs defs;
    Met *mets;
    int nmets;
    WatchAlarm **alarms; /* all, in the definitions' order */
    int nalarms;
    PromExp *prom;
    PromFile *pfile;
    WatchActions *actions;
    int failed; /* output failed */
    int changed; /* a live watch: an alarm changed state since --state-file was written */
    /* the clock of a live watch: a thread closing periods every --poll */
    pthread_t clk_thr;
    pthread_mutex_t clk_lock;
    pthread_cond_t clk_cond;
    int clk_stop;
} Watch;

/* A point held until its period is processed. */
typedef struct Held {
    WatchPoint pt;
    size_t seq;
} Held;

/* One compiled metric (a metric filter and a period) and the alarms it feeds. */
struct Met {
    Watch *w;
    WatchMetric *m;
    WatchAlarm **alarms;
    int nalarms;
    apr_pool_t *mpool; /* the metric's own pool, with its own allocator: a follower thread
                        * allocates in it while others allocate in theirs (APR's allocators
                        * take no lock) */
    apr_pool_t *ppool; /* the held points' strings (in mpool) */
    Held *held;
    size_t nheld, capheld, seq;
    int64_t *ing; /* starts of periods with records, not processed yet (follow) */
    int ning, caping;
    int64_t done; /* periods before it are processed (INT64_MIN: none) */
    int64_t first; /* the first period the alarms evaluate (INT64_MIN: not known yet) */
    LiqFollow *f;
    LiqStatus rs;
    LiqDiagList *diags;
    pthread_t thr;
};

static int usage(FILE *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage(FILE *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("liq watch: error: ", err);
    vfprintf(err, fmt, ap);
    fputs("\n(liq watch --help lists the options)\n", err);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

static void help(FILE *out)
{
    fputs(
        "Usage: liq watch [OPTIONS] FILE|DIR|s3://...\n"
        "CloudWatch metric filters and alarms over live logs (followed) or archives (--replay,\n"
        "--once). NDJSON datapoints and alarm state changes on stdout (docs/watch.md).\n"
        "\n"
        "Metric filter (as aws logs put-metric-filter names it):\n"
        "  --metric-name NAME          the metric (also --metric)\n"
        "  --metric-namespace NS       its namespace (default LogMetrics)\n"
        "  --filter-pattern P          CloudWatch filter pattern (default: every record)\n"
        "  --metric-value V            1 (default), '$.json.field' or '$field' of a\n"
        "                              space-delimited pattern\n"
        "  --default-value V           the value of a period with records but no match\n"
        "  --unit U                    Seconds, Count, ... (default None)\n"
        "  --dimensions N=$.f,...      up to 3 dimensions\n"
        "  --metric-query Q            instead: a query 'stats ... by bin(P)[, keys]'\n"
        "  --period SECONDS            10, 30 or a multiple of 60 (default 60)\n"
        "Alarm (as aws cloudwatch put-metric-alarm names it):\n"
        "  --alarm-name NAME  --alarm-description TEXT\n"
        "  --statistic Sum|Average|Minimum|Maximum|SampleCount | --extended-statistic p99\n"
        "  --threshold X  --comparison-operator GreaterThanThreshold|...\n"
        "  --evaluation-periods N  --datapoints-to-alarm M\n"
        "  --treat-missing-data missing|ignore|breaching|notBreaching\n"
        "  --alarm-actions A...  --ok-actions A...  --insufficient-data-actions A...\n"
        "                              each a command (no shell; the event on stdin) or an\n"
        "                              http(s) URL (an SNS-shaped POST, retried)\n"
        "  --no-actions-enabled        evaluate, run no action\n"
        "  --alarm-dimensions N=V,...  the dimension values the alarm watches\n"
        "  --definitions FILE          aws logs describe-metric-filters or aws cloudwatch\n"
        "                              describe-alarms output (repeatable)\n"
        "How:\n"
        "  (default)                   follow the inputs (tail -F); --lateness D (10s),\n"
        "                              --poll D (1s)\n"
        "  --replay --start T --end T  over archives: when each alarm would have changed\n"
        "  --once                      the last complete periods before now; exit 0 OK,\n"
        "                              1 ALARM, 6 INSUFFICIENT_DATA\n"
        "  --state-file F              --once, live: the alarms' states kept between runs\n"
        "  --now T                     --once: evaluate as if it were T; live: the clock\n"
        "                              stands at T (periods close by the clock too)\n"
        "  --metrics-listen ADDR       Prometheus endpoint (127.0.0.1:9586); --allow-remote\n"
        "  --openmetrics FILE          --replay, --once: OpenMetrics file for promtool\n"
        "  --region R  --account-id N  what messages say (us-east-1, 000000000000)\n"
        "  --input-format F  --threads N  -q, --quiet\n",
        out);
}

/* ===== small parsers ===== */

static int parse_dur(const char *s, int64_t *ms)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0 || !isfinite(v))
        return 0;
    double mul = 1000;
    if (strcmp(end, "ms") == 0)
        mul = 1;
    else if (strcmp(end, "s") == 0 || !*end)
        mul = 1000;
    else if (strcmp(end, "m") == 0)
        mul = 60000;
    else if (strcmp(end, "h") == 0)
        mul = 3600000;
    else
        return 0;
    *ms = (int64_t)(v * mul);
    return 1;
}

static int parse_int(const char *s, long lo, long hi, long *v)
{
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (end == s || *end || errno || x < lo || x > hi)
        return 0;
    *v = x;
    return 1;
}

static int parse_double(const char *s, double *v)
{
    char *end;
    double x = strtod(s, &end);
    if (end == s || *end || !isfinite(x))
        return 0;
    *v = x;
    return 1;
}

/* "A=x,B=y" (put-metric-alarm also writes Name=A,Value=x): up to 3 pairs into dims. */
static int parse_pairs(apr_pool_t *pool, const char *arg, WatchDim *dims, int *n)
{
    char *s = apr_pstrdup(pool, arg), *save = NULL;
    *n = 0;
    char *pending = NULL;
    for (char *t = apr_strtok(s, ",", &save); t; t = apr_strtok(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        if (!eq || eq == t)
            return 0;
        *eq = 0;
        if (strcmp(t, "Name") == 0) {
            pending = eq + 1;
            continue;
        }
        if (strcmp(t, "Value") == 0) {
            if (!pending)
                return 0;
            t = pending;
            pending = NULL;
        }
        if (*n == WATCH_MAX_DIMS)
            return -1;
        dims[*n].name = t;
        dims[*n].value = eq + 1;
        (*n)++;
    }
    return !pending && *n > 0;
}

static int64_t now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* The clock of a live watch: the wall clock, or --now, which stands still (tests). */
static int64_t watch_clock(const Watch *w)
{
    return w->o->now_arg ? w->o->now_ms : now_ms();
}

/* An option's value: "--opt VALUE" or "--opt=VALUE". */
static const char *opt_val(int argc, char **argv, int *i, const char *name, int *bad)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n])
        return NULL;
    if (*i + 1 >= argc) {
        *bad = 1;
        return NULL;
    }
    return argv[++*i];
}

/* A list option as the AWS CLI takes it: the words up to the next option. */
static int opt_list(apr_pool_t *pool, int argc, char **argv, int *i, const char ***list, int *n)
{
    int k = *i + 1;
    while (k < argc && strncmp(argv[k], "--", 2) != 0)
        k++;
    int add = k - *i - 1;
    if (!add)
        return 0;
    const char **l = apr_pcalloc(pool, sizeof(char *) * (size_t)(*n + add + 1));
    if (*n)
        memcpy(l, *list, sizeof(char *) * (size_t)*n);
    for (int j = 0; j < add; j++)
        l[*n + j] = argv[*i + 1 + j];
    *n += add;
    *list = l;
    *i = k - 1;
    return 1;
}

static int parse_args(apr_pool_t *pool, int argc, char **argv, Opts *o, FILE *out, FILE *err)
{
    o->period_s = 60;
    o->lateness_ms = 10000;
    o->poll_ms = 1000;
    o->actions_enabled = 1;
    o->eval_periods = 0;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    o->threads = ncpu > 0 ? (int)(ncpu > 16 ? 16 : ncpu) : 1;
    o->inputs = apr_pcalloc(pool, sizeof(char *) * (size_t)argc);
    o->defs = apr_pcalloc(pool, sizeof(char *) * (size_t)argc);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int bad = 0;
        long l;
#define OPT(name) ((v = opt_val(argc, argv, &i, name, &bad)) != NULL)
        if (strcmp(a, "--") == 0) { /* the rest are inputs */
            while (++i < argc)
                o->inputs[o->ninputs++] = argv[i];
            break;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help(out);
            return -1;
        } else if (strcmp(a, "--replay") == 0) {
            o->replay = 1;
        } else if (strcmp(a, "--once") == 0) {
            o->once = 1;
        } else if (strcmp(a, "--allow-remote") == 0) {
            o->allow_remote = 1;
        } else if (strcmp(a, "--no-actions-enabled") == 0) {
            o->actions_enabled = 0;
        } else if (strcmp(a, "--actions-enabled") == 0) {
            o->actions_enabled = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
        } else if (OPT("--metric-name") || OPT("--metric")) {
            o->metric_name = v;
        } else if (OPT("--metric-namespace") || OPT("--namespace")) {
            o->metric_ns = v;
        } else if (OPT("--filter-pattern")) {
            o->pattern = v;
        } else if (OPT("--metric-value")) {
            o->value = v;
        } else if (OPT("--default-value")) {
            if (!parse_double(v, &o->default_value))
                return usage(err, "--default-value wants a number, not '%s'", v);
            o->has_default = 1;
        } else if (OPT("--unit")) {
            o->unit = v;
        } else if (OPT("--dimensions")) {
            o->dims_arg = v;
        } else if (OPT("--metric-query")) {
            o->query = v;
        } else if (OPT("--period")) {
            if (!parse_int(v, 1, 86400 * 7, &l) || (l != 10 && l != 30 && l % 60 != 0))
                return usage(err, "--period wants seconds (10, 30 or a multiple of 60), not '%s'",
                             v);
            o->period_s = l;
            o->period_set = 1;
        } else if (OPT("--alarm-name")) {
            o->alarm_name = v;
        } else if (OPT("--alarm-description")) {
            o->alarm_desc = v;
        } else if (OPT("--statistic")) {
            o->statistic = v;
        } else if (OPT("--extended-statistic")) {
            o->extended = v;
        } else if (OPT("--threshold")) {
            if (!parse_double(v, &o->threshold))
                return usage(err, "--threshold wants a number, not '%s'", v);
            o->has_threshold = 1;
        } else if (OPT("--comparison-operator")) {
            o->compare = v;
        } else if (OPT("--evaluation-periods")) {
            if (!parse_int(v, 1, 100000, &l))
                return usage(err, "--evaluation-periods wants a whole number >= 1, not '%s'", v);
            o->eval_periods = (int)l;
        } else if (OPT("--datapoints-to-alarm")) {
            if (!parse_int(v, 1, 100000, &l))
                return usage(err, "--datapoints-to-alarm wants a whole number >= 1, not '%s'", v);
            o->dp_to_alarm = (int)l;
        } else if (OPT("--treat-missing-data")) {
            o->missing = v;
        } else if (OPT("--alarm-dimensions")) {
            o->alarm_dims_arg = v;
        } else if (strcmp(a, "--alarm-actions") == 0) {
            if (!opt_list(pool, argc, argv, &i, &o->alarm_actions, &o->nalarm_actions))
                return usage(err, "%s", "--alarm-actions wants one or more actions");
        } else if (strcmp(a, "--ok-actions") == 0) {
            if (!opt_list(pool, argc, argv, &i, &o->ok_actions, &o->nok_actions))
                return usage(err, "%s", "--ok-actions wants one or more actions");
        } else if (strcmp(a, "--insufficient-data-actions") == 0) {
            if (!opt_list(pool, argc, argv, &i, &o->insuf_actions, &o->ninsuf_actions))
                return usage(err, "%s", "--insufficient-data-actions wants one or more actions");
        } else if (OPT("--definitions")) {
            o->defs[o->ndefs++] = v;
        } else if (OPT("--start")) {
            o->start_arg = v;
        } else if (OPT("--end")) {
            o->end_arg = v;
        } else if (OPT("--now")) {
            o->now_arg = v;
        } else if (OPT("--state-file")) {
            o->state_file = v;
        } else if (OPT("--lateness")) {
            if (!parse_dur(v, &o->lateness_ms))
                return usage(err, "--lateness wants a duration (10s, 1m), not '%s'", v);
        } else if (OPT("--poll")) {
            if (!parse_dur(v, &o->poll_ms) || o->poll_ms < 1 || o->poll_ms > 3600000)
                return usage(err, "--poll wants a duration from 1ms to 1h, not '%s'", v);
        } else if (OPT("--metrics-listen")) {
            o->listen = v;
        } else if (OPT("--openmetrics")) {
            o->openmetrics = v;
        } else if (OPT("--region")) {
            o->region = v;
        } else if (OPT("--account-id")) {
            o->account = v;
        } else if (OPT("--input-format")) {
            if (!liq_input_format_check(v))
                return usage(err, "--input-format: '%s' is not one of %s", v,
                             liq_input_format_names());
            o->input_format = v;
        } else if (OPT("--threads")) {
            if (!parse_int(v, 1, 1024, &l))
                return usage(err, "--threads wants a number from 1 to 1024, not '%s'", v);
            o->threads = (int)l;
        } else if (bad) {
            return usage(err, "%s wants a value", a);
        } else if (a[0] == '-' && a[1]) {
            return usage(err, "unknown option %s", a);
        } else {
            o->inputs[o->ninputs++] = a;
        }
        if (bad)
            return usage(err, "%s wants a value", a);
#undef OPT
    }
    int64_t now = now_ms();
    o->now_ms = now;
    if (o->now_arg && liq_time_parse(o->now_arg, now, NULL, &o->now_ms) != 1)
        return usage(err, "--now: '%s' is not a time", o->now_arg);
    if (o->start_arg && liq_time_parse(o->start_arg, o->now_ms, NULL, &o->start_ms) != 1)
        return usage(err, "--start: '%s' is not a time", o->start_arg);
    if (o->end_arg && liq_time_parse(o->end_arg, o->now_ms, NULL, &o->end_ms) != 1)
        return usage(err, "--end: '%s' is not a time", o->end_arg);
    if (o->replay && o->once)
        return usage(err, "%s", "--replay and --once are two ways to run: give one");
    if (o->replay && (!o->start_arg || !o->end_arg))
        return usage(err, "%s", "--replay needs --start and --end");
    if (o->replay && o->end_ms <= o->start_ms)
        return usage(err, "%s", "--replay: --end must be after --start");
    if (!o->replay && (o->start_arg || o->end_arg))
        return usage(err, "%s", "--start and --end are for --replay");
    if (o->now_arg && o->replay)
        return usage(err, "%s", "--now is for --once and a live watch (a replay has --start and "
                                "--end)");
    if (o->state_file && o->replay)
        return usage(err, "%s", "--state-file keeps the alarms' states between runs of --once "
                                "or of a live watch, not of a replay");
    if (o->listen && (o->replay || o->once))
        return usage(err, "%s",
                     "--metrics-listen serves a live watch; --replay and --once write "
                     "--openmetrics FILE");
    if (o->openmetrics && !o->replay && !o->once)
        return usage(err, "%s", "--openmetrics FILE is for --replay and --once");
    if (!o->ninputs)
        return usage(err, "%s", "no input: name the files, directories or s3:// URIs to watch");
    for (int i = 0; i < o->ninputs; i++)
        if (strcmp(o->inputs[i], "-") == 0 && !o->replay && !o->once)
            return usage(err, "%s", "liq watch follows files and directories, not standard "
                                    "input (use --replay or --once for a pipe)");
    return 0;
}

/* ===== output ===== */

static void warn_cb(void *ud, const char *msg)
{
    Watch *w = ud;
    pthread_mutex_lock(&w->lock);
    if (!w->o->quiet)
        fprintf(w->err, "liq watch: warning: %s\n", msg);
    fflush(w->err);
    pthread_mutex_unlock(&w->lock);
}

/* Under w->lock. */
static void put_line(Watch *w, LiqBuf *b)
{
    buf_addc(b, '\n');
    if (fwrite(b->p, 1, b->len, w->out) != b->len)
        w->failed = 1;
}

static void print_diags(Watch *w, apr_pool_t *pool, const LiqDiagList *d, const char *q,
                        const char *pattern)
{
    for (int i = 0; i < d->n; i++) {
        const LiqDiag *x = &d->items[i];
        if (w->o->quiet && x->severity == DIAG_WARNING)
            continue;
        const char *t = pattern && x->where && x->where[0] ? pattern : q ? q : "";
        fputs(diag_render(pool, x, t, strlen(t)), w->err);
    }
}

/* A state change (on the metric's thread, w->lock held). */
static void on_event(const WatchEvent *ev, void *ud)
{
    Met *mt = ud;
    Watch *w = mt->w;
    LiqBuf b = {0}, m = {0};
    WatchMsgOpts mo = {w->o->region, w->o->account, NULL};
    watch_event_message(ev, &mo, &m);
    buf_adds(&b, "{\"type\":\"state-change\"");
    if (m.len > 2 && m.p[0] == '{') {
        buf_addc(&b, ',');
        buf_add(&b, m.p + 1, m.len - 1);
    } else {
        buf_addc(&b, '}');
    }
    put_line(w, &b);
    buf_free(&b);
    buf_free(&m);
    if (w->prom)
        prom_alarm_event(w->prom, ev);
    if (w->actions)
        watch_actions_submit(w->actions, ev);
    w->changed = 1;
}

/* A live watch with --state-file writes the alarms' states after each state change (w->lock
 * held), so a restart does not set off the same actions again. */
static void save_changed(Watch *w)
{
    if (!w->changed || !w->o->state_file || w->o->once || w->o->replay)
        return;
    w->changed = 0;
    char *e = NULL;
    if (watch_state_save(w->o->state_file, w->alarms, w->nalarms, &e) != 0) {
        if (!w->o->quiet)
            fprintf(w->err, "liq watch: warning: --state-file: %s\n", e ? e : "cannot be written");
        free(e);
    }
}

/* ===== periods ===== */

static int held_cmp(const void *a, const void *b)
{
    const Held *x = a, *y = b;
    if (x->pt.start_ms != y->pt.start_ms)
        return x->pt.start_ms < y->pt.start_ms ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

enum { PT_COMPLETE, PT_CORRECTION, PT_INCOMPLETE };

/* Emits one point (w->lock held): the cap, NDJSON, the exporters (complete periods and
 * corrections). 0: the point was dropped. */
static int emit_point(Met *mt, const WatchPoint *p, int kind)
{
    Watch *w = mt->w;
    if (mt->m->disabled)
        return 0;
    if (metric_cap_add(mt->m, p)) {
        if (!w->o->quiet)
            fprintf(w->err,
                    "liq watch: warning: metric filter %s/%s disabled: its dimensions made %d "
                    "different name/value pairs within an hour (CloudWatch disables such a "
                    "filter)\n",
                    p->ns ? p->ns : "", p->metric, METRIC_DIM_PAIRS_CAP);
        return 0;
    }
    LiqBuf b = {0};
    metric_point_json(&b, p);
    if (kind != PT_COMPLETE) { /* late records of a period evaluated already; a period cut */
        b.len--;
        buf_adds(&b, kind == PT_CORRECTION ? ",\"Correction\":true}" : ",\"Incomplete\":true}");
    }
    put_line(w, &b);
    buf_free(&b);
    if (kind == PT_INCOMPLETE)
        return 1;
    if (w->prom)
        prom_point(w->prom, p);
    if (w->pfile)
        prom_file_point(w->pfile, p);
    return 1;
}

/* An alarm never fed starts at the first period of the watch, missing when it has no point,
 * so the periods before its metric's first point count as missing ones. */
static void lead_in(Met *mt, WatchAlarm *a, int64_t start, int64_t now)
{
    if (mt->first != INT64_MIN && start > mt->first && watch_alarm_last_start(a) == INT64_MIN)
        watch_alarm_feed(a, mt->first, NULL, now, on_event, mt);
}

/* Processes the complete period that starts at start (w->lock held): its points pts[0..n)
 * (or the default value when records came and none matched), then every alarm of the metric
 * is fed the period. now: the evaluation time (0: the period's end, replays). */
static void do_period(Met *mt, int64_t start, const Held *pts, size_t n, int ingested,
                      int64_t now)
{
    Watch *w = mt->w;
    WatchPoint def;
    double pv[METRIC_MAX_PCT];
    const WatchPoint **ok = apr_palloc(mt->ppool, sizeof(WatchPoint *) * (n + 1));
    size_t nok = 0;
    for (size_t i = 0; i < n; i++)
        if (emit_point(mt, &pts[i].pt, PT_COMPLETE))
            ok[nok++] = &pts[i].pt;
    if (!n && ingested && mt->m->def->has_default && !mt->m->disabled) {
        metric_default_point(mt->m, start, pv, &def);
        if (emit_point(mt, &def, PT_COMPLETE))
            ok[nok++] = &def;
    }
    for (int a = 0; a < mt->nalarms; a++) {
        const WatchAlarmDef *ad = watch_alarm_def(mt->alarms[a]);
        const WatchPoint *p = NULL;
        for (size_t i = 0; i < nok && !p; i++)
            if (watch_alarm_matches(ad, ok[i]))
                p = ok[i];
        lead_in(mt, mt->alarms[a], start, now);
        watch_alarm_feed(mt->alarms[a], start, p, now, on_event, mt);
        if (w->pfile)
            prom_file_alarm(w->pfile, ad->alarm_name, watch_alarm_state(mt->alarms[a]),
                            start + mt->m->period_s * 1000);
    }
}

/* Alarms fed up to the period before `upto` (a missing one when they are behind). */
static void catch_up(Met *mt, int64_t upto, int64_t now)
{
    int64_t last = upto - mt->m->period_s * 1000;
    for (int a = 0; a < mt->nalarms; a++) {
        int64_t ls = watch_alarm_last_start(mt->alarms[a]);
        if (ls == INT64_MIN || ls < last) {
            lead_in(mt, mt->alarms[a], last, now);
            watch_alarm_feed(mt->alarms[a], last, NULL, now, on_event, mt);
            if (mt->w->pfile)
                prom_file_alarm(mt->w->pfile, watch_alarm_def(mt->alarms[a])->alarm_name,
                                watch_alarm_state(mt->alarms[a]), upto);
        }
    }
}

/* Writes the held points from i on that start before `before` as corrections (held sorted,
 * w->lock held: the follower's rows of the late records of periods processed already) and
 * returns the index after them. */
static size_t corrections(Met *mt, size_t i, int64_t before)
{
    for (; i < mt->nheld && mt->held[i].pt.start_ms < before; i++)
        emit_point(mt, &mt->held[i].pt, PT_CORRECTION);
    return i;
}

static int i64_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Processes the held points and the periods with records of [from, upto), in time order
 * (w->lock held); held points of earlier periods are corrections. Both lists are sorted
 * once, then walked together: a month of periods is one pass. */
static void process(Met *mt, int64_t from, int64_t upto, int64_t now)
{
    if (mt->nheld > 1)
        qsort(mt->held, mt->nheld, sizeof(Held), held_cmp);
    if (mt->ning > 1) { /* sorted, each start once (reads may repeat one) */
        qsort(mt->ing, (size_t)mt->ning, sizeof(int64_t), i64_cmp);
        int u = 1;
        for (int k = 1; k < mt->ning; k++)
            if (mt->ing[k] != mt->ing[u - 1])
                mt->ing[u++] = mt->ing[k];
        mt->ning = u;
    }
    size_t i = 0, keep = 0;
    int g = 0;
    int64_t p = mt->m->period_s * 1000;
    /* the periods in order: those with points and those with records */
    while (1) {
        int64_t next = INT64_MAX;
        i = corrections(mt, i, from);
        while (g < mt->ning && mt->ing[g] < from)
            g++;
        if (i < mt->nheld && mt->held[i].pt.start_ms < upto)
            next = mt->held[i].pt.start_ms;
        if (g < mt->ning && mt->ing[g] < upto && mt->ing[g] < next)
            next = mt->ing[g];
        if (next == INT64_MAX)
            break;
        size_t j = i;
        while (j < mt->nheld && mt->held[j].pt.start_ms == next)
            j++;
        do_period(mt, next, mt->held + i, j - i, g < mt->ning && mt->ing[g] == next, now);
        i = j;
        from = next + p;
    }
    /* points of periods not complete stay held */
    for (; i < mt->nheld; i++)
        mt->held[keep++] = mt->held[i];
    mt->nheld = keep;
    int k2 = 0;
    for (int k = 0; k < mt->ning; k++)
        if (mt->ing[k] >= upto)
            mt->ing[k2++] = mt->ing[k];
    mt->ning = k2;
    if (upto != INT64_MIN)
        catch_up(mt, upto, now);
    if (!mt->nheld)
        apr_pool_clear(mt->ppool);
}

/* ===== rows from runs and followers ===== */

static void row_format(void *ctx, const Datum *vals, int ncols, LiqBuf *out)
{
    (void)ctx;
    metric_format_row(vals, ncols, out);
}

/* The rows of a run into mt->held (w->lock held). */
static int rows_hold(Met *mt, const char *data, const uint32_t *ends, uint32_t n)
{
    uint32_t start = 0;
    for (uint32_t i = 0; i < n; i++) {
        WatchPoint pt;
        if (metric_point(mt->m, data + start, ends[i] - start, mt->ppool, &pt) && pt.metric &&
            pt.period_s) {
            if (pt.start_ms || pt.sample_count) {
                if (mt->nheld == mt->capheld) {
                    mt->capheld = mt->capheld ? mt->capheld * 2 : 64;
                    Held *v = realloc(mt->held, sizeof(Held) * mt->capheld);
                    if (!v)
                        return 1;
                    mt->held = v;
                }
                mt->held[mt->nheld].pt = pt;
                mt->held[mt->nheld].seq = mt->seq++;
                mt->nheld++;
            }
        }
        start = ends[i];
    }
    return 0;
}

static int row_write(void *ctx, const char *data, size_t len, const uint32_t *ends, uint32_t n)
{
    (void)len;
    Met *mt = ctx;
    pthread_mutex_lock(&mt->w->lock); /* the clock's thread processes held points too */
    int r = rows_hold(mt, data, ends, n);
    pthread_mutex_unlock(&mt->w->lock);
    return r;
}

static void ing_add(Met *mt, int64_t s)
{
    if (mt->ning == mt->caping) {
        mt->caping = mt->caping ? mt->caping * 2 : 16;
        mt->ing = realloc(mt->ing, sizeof(int64_t) * (size_t)mt->caping);
        if (!mt->ing)
            abort();
    }
    mt->ing[mt->ning++] = s;
}

/* The rows of a run of `stats count(*) by bin(P)` (no pattern): the periods with records. */
static void ing_format(void *ctx, const Datum *vals, int ncols, LiqBuf *out)
{
    (void)ctx;
    if (ncols >= 1 && vals[0].type == VT_TS)
        buf_add(out, &vals[0].v.i, 8);
}

static int ing_write(void *ctx, const char *data, size_t len, const uint32_t *ends, uint32_t n)
{
    (void)ends;
    (void)n;
    Met *mt = ctx;
    for (size_t off = 0; off + 8 <= len; off += 8) {
        int64_t s;
        memcpy(&s, data + off, 8);
        ing_add(mt, s);
    }
    return 0;
}

/* ===== follow ===== */

static void follow_report(void *ctx, const LiqDiagList *d)
{
    Met *mt = ctx;
    pthread_mutex_lock(&mt->w->lock);
    print_diags(mt->w, mt->mpool, d, mt->m->text, mt->m->def->pattern);
    fflush(mt->w->err);
    pthread_mutex_unlock(&mt->w->lock);
}

static void follow_bins(void *ctx, const int64_t *starts, int n, int64_t closed)
{
    Met *mt = ctx;
    Watch *w = mt->w;
    pthread_mutex_lock(&w->lock);
    for (int i = 0; i < n; i++)
        if (starts[i] >= mt->done || mt->done == INT64_MIN)
            ing_add(mt, starts[i]);
    if (closed == INT64_MIN || closed <= mt->done) {
        /* periods processed already: the follower's points of them are corrections */
        if (mt->done != INT64_MIN && mt->nheld)
            process(mt, mt->done, mt->done, watch_clock(w));
        fflush(w->out);
        pthread_mutex_unlock(&w->lock);
        return;
    }
    int64_t from = mt->done;
    if (from == INT64_MIN) { /* the first period with records or points */
        from = closed;
        for (int i = 0; i < mt->ning; i++)
            if (mt->ing[i] < from)
                from = mt->ing[i];
        for (size_t i = 0; i < mt->nheld; i++)
            if (mt->held[i].pt.start_ms < from)
                from = mt->held[i].pt.start_ms;
    }
    if (mt->first == INT64_MIN)
        mt->first = from;
    process(mt, from, closed, watch_clock(w));
    mt->done = closed;
    save_changed(w);
    fflush(w->out);
    if (ferror(w->out))
        w->failed = 1;
    pthread_mutex_unlock(&w->lock);
}

static Met *g_mets;
static int g_nmets;

static void on_signal(int sig)
{
    (void)sig;
    int saved = errno; /* liq_follow_stop writes to a pipe */
    for (int i = 0; i < g_nmets; i++)
        if (g_mets[i].f)
            liq_follow_stop(g_mets[i].f);
    errno = saved;
}

static void *follow_thread(void *arg)
{
    Met *mt = arg;
    LiqOutput lo = {mt, row_format, row_write, NULL};
    mt->rs = liq_follow_exec(mt->f, &lo, mt->diags);
    /* the follow ended: open bins were written (incomplete periods): their points only */
    pthread_mutex_lock(&mt->w->lock);
    if (mt->nheld > 1)
        qsort(mt->held, mt->nheld, sizeof(Held), held_cmp);
    size_t i = mt->done != INT64_MIN ? corrections(mt, 0, mt->done) : 0;
    for (; i < mt->nheld; i++)
        emit_point(mt, &mt->held[i].pt, PT_INCOMPLETE);
    mt->nheld = 0;
    fflush(mt->w->out);
    pthread_mutex_unlock(&mt->w->lock);
    return NULL;
}

static LiqRunOptions run_opts(Watch *w)
{
    LiqRunOptions ro = {0};
    ro.threads = w->o->threads;
    ro.batch_rows = 2048;
    ro.max_line = (size_t)256 << 20;
    ro.inputs = w->o->inputs;
    ro.ninputs = w->o->ninputs;
    ro.input_format = w->o->input_format;
    ro.memory_limit = liq_memory_limit_default();
    return ro;
}

static int status_exit(LiqStatus s)
{
    switch (s) {
    case LIQ_OK:
    case LIQ_EOUTPUT:
        return CLI_EXIT_OK;
    case LIQ_EUSAGE:
        return CLI_EXIT_USAGE;
    case LIQ_EINCOMPLETE:
        return CLI_EXIT_INCOMPLETE;
    case LIQ_EMEMORY:
        return CLI_EXIT_MEMORY;
    default:
        return CLI_EXIT_INTERNAL;
    }
}

/* A tick of the clock for one metric: the periods [s, s + P) with now >= s + P + lateness
 * are complete, records or not. The follower closes them at its next wake
 * (liq_follow_close_before), after reading what was appended by then: it writes those it
 * holds open (the logs went quiet) and calls follow_bins, which processes them and the
 * periods without records in time order. Before the first records nothing closes. */
static void clock_tick(Met *mt, int64_t now)
{
    Watch *w = mt->w;
    int64_t p = mt->m->period_s * 1000;
    int64_t t = now - w->o->lateness_ms;
    int64_t upto = t - ((t % p) + p) % p; /* the first period not complete */
    pthread_mutex_lock(&w->lock);
    int due = mt->done != INT64_MIN && upto > mt->done;
    pthread_mutex_unlock(&w->lock);
    if (due)
        liq_follow_close_before(mt->f, now);
}

static void *clock_thread(void *arg)
{
    Watch *w = arg;
    pthread_mutex_lock(&w->clk_lock);
    while (!w->clk_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (w->o->poll_ms % 1000) * 1000000;
        ts.tv_sec += (time_t)(w->o->poll_ms / 1000 + ns / 1000000000);
        ts.tv_nsec = (long)(ns % 1000000000);
        pthread_cond_timedwait(&w->clk_cond, &w->clk_lock, &ts);
        if (w->clk_stop)
            break;
        pthread_mutex_unlock(&w->clk_lock);
        for (int i = 0; i < w->nmets; i++)
            clock_tick(&w->mets[i], watch_clock(w));
        pthread_mutex_lock(&w->clk_lock);
    }
    pthread_mutex_unlock(&w->clk_lock);
    return NULL;
}

static int do_follow(Watch *w)
{
    LiqRunOptions ro = run_opts(w);
    for (int i = 0; i < w->nmets; i++) {
        Met *mt = &w->mets[i];
        LiqFollowOptions fo = {0};
        fo.poll_ms = (int)w->o->poll_ms;
        fo.lateness_ms = w->o->lateness_ms;
        fo.ctx = mt;
        fo.report = follow_report;
        fo.out_mark = NULL;
        fo.bins_read = follow_bins;
        mt->f = liq_follow_new(mt->m->q, &ro, &fo);
        if (!mt->f) {
            fprintf(w->err, "liq watch: error: out of memory\n");
            return CLI_EXIT_MEMORY;
        }
    }
    g_mets = w->mets;
    g_nmets = w->nmets;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND; /* a second signal ends the process */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    for (int i = 0; i < w->nmets; i++)
        if (pthread_create(&w->mets[i].thr, NULL, follow_thread, &w->mets[i]) != 0) {
            fprintf(w->err, "liq watch: error: cannot start a thread: %s\n", strerror(errno));
            on_signal(SIGTERM);
            for (int k = 0; k < i; k++)
                pthread_join(w->mets[k].thr, NULL);
            return CLI_EXIT_MEMORY;
        }
    /* the clock: periods complete by the wall clock (or --now) close without records */
    pthread_mutex_init(&w->clk_lock, NULL);
    pthread_cond_init(&w->clk_cond, NULL);
    w->clk_stop = 0;
    int clk = pthread_create(&w->clk_thr, NULL, clock_thread, w) == 0;
    if (!clk)
        fprintf(w->err, "liq watch: warning: cannot start the clock's thread: %s; periods "
                        "close in log time only\n", strerror(errno));
    int rc = CLI_EXIT_OK;
    for (int i = 0; i < w->nmets; i++) {
        pthread_join(w->mets[i].thr, NULL);
        Met *mt = &w->mets[i];
        if (mt->rs != LIQ_OK && mt->rs != LIQ_EOUTPUT)
            on_signal(SIGTERM); /* one failed: the others stop too */
        print_diags(w, w->pool, mt->diags, mt->m->text, mt->m->def->pattern);
        int e = status_exit(mt->rs);
        if (e != CLI_EXIT_OK && rc == CLI_EXIT_OK)
            rc = e;
    }
    if (clk) {
        pthread_mutex_lock(&w->clk_lock);
        w->clk_stop = 1;
        pthread_cond_signal(&w->clk_cond);
        pthread_mutex_unlock(&w->clk_lock);
        pthread_join(w->clk_thr, NULL);
    }
    pthread_cond_destroy(&w->clk_cond);
    pthread_mutex_destroy(&w->clk_lock);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    for (int i = 0; i < w->nmets; i++)
        liq_follow_free(w->mets[i].f);
    return rc;
}

/* ===== replay and once: one run per metric over [from, upto) ===== */

static int do_runs(Watch *w, int64_t now)
{
    int rc = CLI_EXIT_OK;
    for (int i = 0; i < w->nmets; i++) {
        Met *mt = &w->mets[i];
        int64_t p = mt->m->period_s * 1000;
        int64_t from, upto;
        if (w->o->once) {
            int range = 1;
            for (int a = 0; a < mt->nalarms; a++) {
                int r = watch_alarm_def(mt->alarms[a])->evaluation_periods + 2;
                if (r > range)
                    range = r;
            }
            upto = w->o->now_ms - ((w->o->now_ms % p) + p) % p;
            from = upto - range * p;
        } else {
            from = w->o->start_ms + ((p - w->o->start_ms % p) % p + p) % p;
            upto = w->o->end_ms + 1 - (((w->o->end_ms + 1) % p) + p) % p;
        }
        if (upto <= from)
            continue;
        mt->first = from;
        LiqRunOptions ro = run_opts(w);
        ro.has_start = ro.has_end = 1;
        ro.start_ms = from;
        ro.end_ms = upto - 1;
        LiqOutput lo = {mt, row_format, row_write, NULL};
        LiqStatus s = liq_run(mt->m->q, &ro, &lo, NULL, mt->diags);
        if (s == LIQ_OK && mt->m->def->has_default) {
            LiqBuf qb = {0};
            buf_adds(&qb, "stats count(*) as n by bin(");
            metric_period_text(&qb, mt->m->period_s);
            buf_addc(&qb, ')');
            const char *q = apr_pstrmemdup(w->pool, qb.p, qb.len);
            buf_free(&qb);
            LiqQuery *iq = liq_compile(w->pool, q, strlen(q), mt->diags);
            LiqOutput il = {mt, ing_format, ing_write, NULL};
            s = iq ? liq_run(iq, &ro, &il, NULL, mt->diags) : LIQ_EINTERNAL;
        }
        print_diags(w, w->pool, mt->diags, mt->m->text, mt->m->def->pattern);
        int e = status_exit(s);
        if (s != LIQ_OK && s != LIQ_EINCOMPLETE)
            return e;
        if (e != CLI_EXIT_OK)
            rc = e;
        pthread_mutex_lock(&w->lock);
        process(mt, from, upto, now);
        pthread_mutex_unlock(&w->lock);
    }
    return rc;
}

/* ===== set-up ===== */

static int add_alarm_from_opts(Watch *w, const WatchMetricDef *md)
{
    Opts *o = w->o;
    WatchAlarmDef a = {0};
    a.alarm_name = o->alarm_name;
    a.alarm_description = o->alarm_desc;
    a.ns = md->ns;
    a.metric = md->metric;
    a.extended_p = -1;
    if (o->statistic && watch_statistic_parse(o->statistic, &a.statistic) != 0)
        return usage(w->err,
                     "--statistic: '%s' is not SampleCount, Average, Sum, Minimum or Maximum",
                     o->statistic);
    if (o->extended && watch_extended_parse(o->extended, &a.extended_p) != 0)
        return usage(w->err, "--extended-statistic: '%s' is not a percentile such as p99",
                     o->extended);
    if (!o->statistic && !o->extended)
        return usage(w->err, "%s", "an alarm needs --statistic or --extended-statistic");
    if (o->statistic && o->extended)
        return usage(w->err, "%s", "give --statistic or --extended-statistic, not both");
    if (!o->has_threshold)
        return usage(w->err, "%s", "an alarm needs --threshold");
    if (!o->compare)
        return usage(w->err, "%s", "an alarm needs --comparison-operator");
    if (watch_compare_parse(o->compare, &a.op) != 0)
        return usage(w->err,
                     "--comparison-operator: '%s' is not GreaterThanThreshold, "
                     "GreaterThanOrEqualToThreshold, LessThanThreshold or "
                     "LessThanOrEqualToThreshold",
                     o->compare);
    if (o->missing && watch_missing_parse(o->missing, &a.treat_missing) != 0)
        return usage(w->err,
                     "--treat-missing-data: '%s' is not missing, ignore, breaching or "
                     "notBreaching",
                     o->missing);
    a.period_s = o->period_s;
    a.threshold = o->threshold;
    a.evaluation_periods = o->eval_periods ? o->eval_periods : 1;
    a.datapoints_to_alarm = o->dp_to_alarm ? o->dp_to_alarm : a.evaluation_periods;
    a.actions_enabled = o->actions_enabled;
    a.alarm_actions = o->alarm_actions;
    a.ok_actions = o->ok_actions;
    a.insufficient_data_actions = o->insuf_actions;
    if (o->alarm_dims_arg) {
        int r = parse_pairs(w->pool, o->alarm_dims_arg, a.dims, &a.ndims);
        if (r <= 0)
            return usage(w->err, "--alarm-dimensions: '%s' is not Name=Value,... (at most 3)",
                         o->alarm_dims_arg);
    }
    char *err = NULL;
    if (watch_alarm_check(&a, &err) != 0 || watch_actions_check(&a, &err) != 0) {
        int rc = usage(w->err, "%s", err ? err : "invalid alarm");
        free(err);
        return rc;
    }
    defs_add_alarm(w->pool, &w->defs, &a);
    return 0;
}

static int same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* The metric definitions, each compiled per period of its alarms (or --period). */
static int compile_all(Watch *w)
{
    int cap = w->defs.nmetrics * (w->defs.nalarms + 1) + 1;
    w->mets = apr_pcalloc(w->pool, sizeof(Met) * (size_t)cap);
    w->alarms = apr_pcalloc(w->pool, sizeof(WatchAlarm *) * (size_t)(w->defs.nalarms + 1));
    int *used = apr_pcalloc(w->pool, sizeof(int) * (size_t)(w->defs.nalarms + 1));
    for (int d = 0; d < w->defs.nmetrics; d++) {
        const WatchMetricDef *md = &w->defs.metrics[d];
        /* the periods its alarms need, else --period */
        int64_t periods[64];
        int np = 0;
        for (int a = 0; a < w->defs.nalarms; a++) {
            const WatchAlarmDef *ad = &w->defs.alarms[a];
            if (used[a] || !same(ad->metric, md->metric) || !same(ad->ns, md->ns))
                continue;
            int k = 0;
            while (k < np && periods[k] != ad->period_s)
                k++;
            if (k == np && np < 64)
                periods[np++] = ad->period_s;
        }
        if (!np)
            periods[np++] = w->o->period_s;
        for (int k = 0; k < np; k++) {
            double pct[METRIC_MAX_PCT];
            int npct = 0;
            int nal = 0;
            WatchAlarm **als = apr_pcalloc(w->pool, sizeof(WatchAlarm *) *
                                                        (size_t)(w->defs.nalarms + 1));
            for (int a = 0; a < w->defs.nalarms; a++) {
                const WatchAlarmDef *ad = &w->defs.alarms[a];
                if (used[a] || !same(ad->metric, md->metric) || !same(ad->ns, md->ns) ||
                    ad->period_s != periods[k])
                    continue;
                used[a] = 1;
                if (ad->extended_p >= 0) {
                    int j = 0;
                    while (j < npct && pct[j] != ad->extended_p)
                        j++;
                    if (j == npct && npct < METRIC_MAX_PCT)
                        pct[npct++] = ad->extended_p;
                }
                als[nal] = watch_alarm_new(ad, 0);
                w->alarms[a] = als[nal];
                nal++;
            }
            Met *mt = &w->mets[w->nmets];
            mt->w = w;
            mt->diags = diag_list_new(w->pool);
            char why[512] = "";
            if (md->query) {
                mt->m = metric_compile_query(w->pool, md, mt->diags, why, sizeof(why));
            } else {
                mt->m = metric_compile(w->pool, md, periods[k], pct, npct, mt->diags);
            }
            if (!mt->m) {
                print_diags(w, w->pool, mt->diags, md->query, md->pattern);
                if (why[0])
                    fprintf(w->err, "liq watch: error: %s\n", why);
                return CLI_EXIT_USAGE;
            }
            if (md->query && nal)
                for (int a = 0; a < nal; a++)
                    if (watch_alarm_def(als[a])->period_s != mt->m->period_s) {
                        fprintf(w->err,
                                "liq watch: error: alarm '%s' has a period of %llds, its "
                                "metric query bins by %llds\n",
                                watch_alarm_def(als[a])->alarm_name,
                                (long long)watch_alarm_def(als[a])->period_s,
                                (long long)mt->m->period_s);
                        return CLI_EXIT_USAGE;
                    }
            print_diags(w, w->pool, mt->diags, mt->m->text, md->pattern); /* warnings */
            mt->alarms = als;
            mt->nalarms = nal;
            mt->done = INT64_MIN;
            mt->first = INT64_MIN;
            if (apr_pool_create_unmanaged_ex(&mt->mpool, NULL, NULL) != APR_SUCCESS ||
                apr_pool_create(&mt->ppool, mt->mpool) != APR_SUCCESS) {
                fprintf(w->err, "liq watch: error: out of memory\n");
                return CLI_EXIT_MEMORY;
            }
            mt->m->cap_pool = mt->mpool; /* the dimension cap's pairs too */
            mt->diags = diag_list_new(mt->mpool); /* the engine adds to it on its thread */
            w->nmets++;
        }
    }
    for (int a = 0; a < w->defs.nalarms; a++) {
        if (used[a])
            continue;
        if (!w->o->quiet)
            fprintf(w->err,
                    "liq watch: warning: alarm '%s' left out: no metric filter makes %s%s%s\n",
                    w->defs.alarms[a].alarm_name, w->defs.alarms[a].ns ? w->defs.alarms[a].ns : "",
                    w->defs.alarms[a].ns ? "/" : "", w->defs.alarms[a].metric);
    }
    int k = 0;
    for (int a = 0; a < w->defs.nalarms; a++)
        if (w->alarms[a])
            w->alarms[k++] = w->alarms[a];
    w->nalarms = k;
    return 0;
}

static int load_defs(Watch *w)
{
    for (int i = 0; i < w->o->ndefs; i++) {
        LiqBuf b = {0};
        if (buf_read_file(&b, w->o->defs[i]) != 0) {
            fprintf(w->err, "liq watch: error: --definitions %s: %s\n", w->o->defs[i],
                    strerror(errno));
            buf_free(&b);
            return CLI_EXIT_USAGE;
        }
        char why[600];
        const char *text = apr_pstrmemdup(w->pool, b.p ? b.p : "", b.len);
        size_t len = b.len;
        buf_free(&b);
        if (defs_read(w->pool, text, len, w->o->defs[i], &w->defs, warn_cb, w, why,
                      sizeof(why)) != 0) {
            fprintf(w->err, "liq watch: error: %s\n", why);
            return CLI_EXIT_USAGE;
        }
    }
    return 0;
}

static int setup_metric_from_opts(Watch *w)
{
    Opts *o = w->o;
    if (!o->metric_name) {
        if (o->pattern || o->value || o->has_default || o->unit || o->dims_arg || o->query)
            return usage(w->err, "%s", "a metric filter needs --metric-name");
        if (o->alarm_name)
            return usage(w->err, "%s", "--alarm-name: the alarm's metric is --metric-name");
        return 0;
    }
    WatchMetricDef d = {0};
    d.metric = o->metric_name;
    d.ns = o->metric_ns ? o->metric_ns : "LogMetrics";
    d.pattern = o->pattern ? o->pattern : "";
    d.value = o->query ? NULL : o->value ? o->value : "1";
    d.has_default = o->has_default;
    d.default_value = o->default_value;
    d.unit = o->unit;
    d.query = o->query;
    if (o->dims_arg) {
        int r = parse_pairs(w->pool, o->dims_arg, d.dims, &d.ndims);
        if (r < 0)
            return usage(w->err, "%s", "--dimensions: at most 3 dimensions (CloudWatch's limit)");
        if (!r)
            return usage(w->err, "--dimensions: '%s' is not Name=$.field,... ", o->dims_arg);
    }
    char why[512];
    if (!metric_def_check(&d, why, sizeof(why)))
        return usage(w->err, "%s", why);
    defs_add_metric(w->pool, &w->defs, &d);
    if (o->alarm_name)
        return add_alarm_from_opts(w, &d);
    return 0;
}

/* An action list without the AWS ARNs (an SNS topic, an Auto Scaling policy: nothing liq can
 * call), each left out with a warning. */
static const char *const *no_arns(Watch *w, const char *alarm, const char *const *l)
{
    int n = 0, k = 0;
    while (l && l[n])
        n++;
    if (!n)
        return l;
    const char **v = apr_pcalloc(w->pool, sizeof(char *) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        if (strncmp(l[i], "arn:", 4) == 0) {
            if (!w->o->quiet)
                fprintf(w->err,
                        "liq watch: warning: alarm '%s': action %s left out: an AWS ARN is "
                        "nothing liq can call (give a command or an http(s) URL)\n",
                        alarm, l[i]);
            continue;
        }
        v[k++] = l[i];
    }
    return v;
}

static void drop_arns(Watch *w)
{
    for (int a = 0; a < w->defs.nalarms; a++) {
        WatchAlarmDef *d = &w->defs.alarms[a];
        d->alarm_actions = no_arns(w, d->alarm_name, d->alarm_actions);
        d->ok_actions = no_arns(w, d->alarm_name, d->ok_actions);
        d->insufficient_data_actions = no_arns(w, d->alarm_name, d->insufficient_data_actions);
    }
}

static void action_warn(void *ud, const char *msg)
{
    warn_cb(ud, msg);
}

int watch_main(int argc, char **argv, FILE *out, FILE *err)
{
    apr_pool_t *pool;
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS) {
        fprintf(err, "liq watch: error: out of memory\n");
        return CLI_EXIT_MEMORY;
    }
    Opts o = {0};
    int rc = parse_args(pool, argc, argv, &o, out, err);
    if (rc) {
        apr_pool_destroy(pool);
        return rc < 0 ? CLI_EXIT_OK : rc;
    }
    Watch w = {0};
    w.o = &o;
    w.out = out;
    w.err = err;
    w.pool = pool;
    pthread_mutex_init(&w.lock, NULL);
    if ((rc = load_defs(&w)) != 0 || (rc = setup_metric_from_opts(&w)) != 0)
        goto done;
    if (!w.defs.nmetrics) {
        rc = usage(err, "%s", "nothing to watch: give a metric filter (--metric-name ...) or "
                              "--definitions FILE");
        goto done;
    }
    if ((rc = compile_all(&w)) != 0)
        goto done;
    if (!o.replay)
        drop_arns(&w);
    for (int i = 0; i < o.ninputs; i++) { /* each metric (and default value) is a run */
        int runs = 0;
        for (int k = 0; k < w.nmets; k++)
            runs += 1 + (w.mets[k].m->def->has_default != 0);
        if (strcmp(o.inputs[i], "-") == 0 && runs > 1) {
            rc = usage(err, "%s",
                       "standard input is read once, and these metric filters (or a default "
                       "value) need a run each: give files");
            goto done;
        }
    }
    if (o.state_file) {
        char *e = NULL;
        if (watch_state_load(o.state_file, w.alarms, w.nalarms, &e) != 0) {
            fprintf(err, "liq watch: error: --state-file: %s\n", e ? e : "cannot be read");
            free(e);
            rc = CLI_EXIT_USAGE;
            goto done;
        }
    }
    if (o.listen) {
        char e[256];
        w.prom = prom_new(10000);
        int port = prom_listen(w.prom, o.listen, o.allow_remote, e, sizeof(e));
        if (port < 0) {
            fprintf(err, "liq watch: error: %s\n", e);
            rc = CLI_EXIT_USAGE;
            goto done;
        }
        if (!o.quiet) { /* the port, also when the system chose it (PORT 0) */
            fprintf(err, "liq watch: metrics at GET /metrics on port %d\n", port);
            fflush(err);
        }
        for (int a = 0; a < w.nalarms; a++)
            prom_alarm_set(w.prom, watch_alarm_def(w.alarms[a])->alarm_name,
                           watch_alarm_state(w.alarms[a]));
    }
    if (o.openmetrics)
        w.pfile = prom_file_new();
    if (!o.replay) { /* a replay tells when alarms would have changed; it sets off nothing */
        WatchActionOpts ao;
        watch_action_opts_default(&ao);
        ao.msg.region = o.region;
        ao.msg.account_id = o.account;
        ao.warn = action_warn;
        ao.warn_ud = &w;
        char *e = NULL;
        w.actions = watch_actions_start(&ao, &e);
        if (!w.actions) {
            fprintf(err, "liq watch: error: %s\n", e ? e : "cannot start the actions' thread");
            free(e);
            rc = CLI_EXIT_MEMORY;
            goto done;
        }
    }
    if (o.replay || o.once)
        rc = do_runs(&w, o.once ? o.now_ms : 0);
    else
        rc = do_follow(&w);
    watch_actions_stop(w.actions, 1);
    w.actions = NULL;
    if (w.pfile && rc == CLI_EXIT_OK) {
        FILE *f = fopen(o.openmetrics, "w");
        int e = f ? prom_file_write(w.pfile, f) : errno;
        if (f && fclose(f) != 0 && !e)
            e = errno;
        if (e) {
            fprintf(err, "liq watch: error: --openmetrics %s: %s\n", o.openmetrics, strerror(e));
            rc = CLI_EXIT_INTERNAL;
        }
    }
    if (o.state_file && (rc == CLI_EXIT_OK || rc == CLI_EXIT_INCOMPLETE)) {
        char *e = NULL;
        if (watch_state_save(o.state_file, w.alarms, w.nalarms, &e) != 0) {
            fprintf(err, "liq watch: error: --state-file: %s\n", e ? e : "cannot be written");
            free(e);
            rc = CLI_EXIT_INTERNAL;
        }
    }
    fflush(out);
    if (w.failed || ferror(out)) {
        if (errno != EPIPE) {
            fprintf(err, "liq watch: error: cannot write the output: %s\n", strerror(errno));
            rc = CLI_EXIT_INTERNAL;
        }
    } else if (o.once && rc == CLI_EXIT_OK) { /* the worst state decides */
        int alarm = 0, insuf = 0;
        for (int a = 0; a < w.nalarms; a++) {
            WatchState s = watch_alarm_state(w.alarms[a]);
            alarm |= s == WATCH_ALARM;
            insuf |= s == WATCH_INSUFFICIENT_DATA;
        }
        rc = alarm ? CLI_EXIT_WATCH_ALARM : insuf ? CLI_EXIT_WATCH_INSUFFICIENT : CLI_EXIT_OK;
    }
done:
    watch_actions_stop(w.actions, 0);
    if (w.prom)
        prom_free(w.prom);
    if (w.pfile)
        prom_file_free(w.pfile);
    for (int a = 0; a < w.nalarms; a++)
        watch_alarm_free(w.alarms[a]);
    for (int i = 0; i < w.nmets; i++) {
        free(w.mets[i].held);
        free(w.mets[i].ing);
        if (w.mets[i].mpool)
            apr_pool_destroy(w.mets[i].mpool);
    }
    pthread_mutex_destroy(&w.lock);
    apr_pool_destroy(pool);
    return rc;
}
