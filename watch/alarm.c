/* alarm.c -- one CloudWatch metric alarm's state machine: M out of N over an evaluation range,
 * the four ways to treat missing data, reasons worded as CloudWatch words them
 *
 * The evaluator keeps the last R periods (the evaluation range, watch/alarm.h) oldest first,
 * each a datapoint or missing, and evaluates the range after each complete period. The rules
 * are those of the CloudWatch User Guide ("How alarm state is evaluated when data is
 * missing"), which leaves one case open that its tables of examples settle: with
 * TreatMissingData missing or ignore and fewer datapoints than EvaluationPeriods, the
 * datapoints there are decide alone:
 *   - M or more of them breaching: ALARM;
 *   - else one of them not breaching: OK ("0 - - - -" is OK in every column, "0 - X - -" with
 *     M 2 is OK for missing and ignore);
 *   - else (none, or breaching ones only, fewer than M): ALARM when the oldest breaching one is
 *     at least M periods old and `missing` (CloudWatch alarms "always go into ALARM when the
 *     oldest available breaching datapoint ... is at least as old as the value of Datapoints
 *     to Alarm, and all other more recent data points are breaching or missing": "X - - - -"
 *     is ALARM for missing), else INSUFFICIENT_DATA for `missing` ("- - - - X", "- - - - -"),
 *     and the state kept for `ignore` (its column says "Retain current state" in those rows).
 * With breaching or notBreaching the missing periods of the range are filled, the most recent
 * first, as few as make N evaluated points with every datapoint of the range.
 *
 * Reasons. CloudWatch's wording, gathered from its messages: for ALARM the breaching points
 * are listed (newest first) and the minimum is DatapointsToAlarm; for OK the points that do
 * not breach are listed, "was not greater than ...", and the minimum is N - M + 1; the
 * transition is always written "OK -> ALARM" or "ALARM -> OK" (CloudWatch writes so from
 * INSUFFICIENT_DATA too). Numbers are written as Java writes doubles (5.0, 0.19726775956284198,
 * 1.0E7), times in the reason as dd/MM/yy HH:mm:ss UTC and in JSON as
 * 2026-12-07T10:00:00.000+0000.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "watch/alarm.h"

#include <apr_pools.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/esc.h"
#include "base/mem.h"
#include "base/num.h"
#include "engine/data/jdom.h"

/* ===== names ===== */

const char *watch_state_name(WatchState s)
{
    switch (s) {
    case WATCH_OK:
        return "OK";
    case WATCH_ALARM:
        return "ALARM";
    case WATCH_INSUFFICIENT_DATA:
        return "INSUFFICIENT_DATA";
    }
    return "INSUFFICIENT_DATA";
}

int watch_state_parse(const char *s, WatchState *out)
{
    static const WatchState all[] = {WATCH_OK, WATCH_ALARM, WATCH_INSUFFICIENT_DATA};
    for (size_t i = 0; s && i < sizeof all / sizeof all[0]; i++)
        if (strcmp(s, watch_state_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    return -1;
}

static const char *const compare_names[] = {
    [WATCH_GT] = "GreaterThanThreshold",
    [WATCH_GE] = "GreaterThanOrEqualToThreshold",
    [WATCH_LT] = "LessThanThreshold",
    [WATCH_LE] = "LessThanOrEqualToThreshold",
};

/* the words of a reason: "greater than", "less than or equal to" */
static const char *const compare_words[] = {
    [WATCH_GT] = "greater than",
    [WATCH_GE] = "greater than or equal to",
    [WATCH_LT] = "less than",
    [WATCH_LE] = "less than or equal to",
};

int watch_compare_parse(const char *s, WatchCompare *out)
{
    for (int i = 0; s && i < 4; i++)
        if (strcmp(s, compare_names[i]) == 0) {
            *out = (WatchCompare)i;
            return 0;
        }
    return -1;
}

const char *watch_compare_name(WatchCompare c)
{
    return (unsigned)c < 4 ? compare_names[c] : "GreaterThanThreshold";
}

static const char *const missing_names[] = {
    [WATCH_MISSING_MISSING] = "missing",
    [WATCH_MISSING_IGNORE] = "ignore",
    [WATCH_MISSING_BREACHING] = "breaching",
    [WATCH_MISSING_NOT_BREACHING] = "notBreaching",
};

int watch_missing_parse(const char *s, WatchMissing *out)
{
    for (int i = 0; s && i < 4; i++)
        if (strcmp(s, missing_names[i]) == 0) {
            *out = (WatchMissing)i;
            return 0;
        }
    return -1;
}

const char *watch_missing_name(WatchMissing m)
{
    return (unsigned)m < 4 ? missing_names[m] : "missing";
}

static const char *const statistics[] = {"SampleCount", "Average", "Sum", "Minimum", "Maximum"};

int watch_statistic_parse(const char *s, const char **canon)
{
    for (size_t i = 0; s && i < sizeof statistics / sizeof statistics[0]; i++)
        if (strcmp(s, statistics[i]) == 0) {
            *canon = statistics[i];
            return 0;
        }
    return -1;
}

int watch_extended_parse(const char *s, double *p)
{
    if (!s || s[0] != 'p' || !s[1])
        return -1;
    const char *q = s + 1;
    int digits = 0, decimals = -1;
    for (; *q; q++) {
        if (*q >= '0' && *q <= '9') {
            if (decimals >= 0)
                decimals++;
            else
                digits++;
        } else if (*q == '.' && decimals < 0 && digits > 0) {
            decimals = 0;
        } else {
            return -1;
        }
    }
    if (digits == 0 || digits > 3 || decimals == 0 || decimals > 10)
        return -1;
    double v = strtod(s + 1, NULL);
    if (!(v >= 0 && v <= 100))
        return -1;
    *p = v;
    return 0;
}

/* ===== numbers and times as CloudWatch writes them ===== */

/* A double as Java's Double.toString writes it, which is how CloudWatch's reasons and JSON
 * show values: the shortest digits that read back to the same double, "5.0" for integral
 * values, and d.dddE<n> outside [1e-3, 1e7). */
void watch_java_double(LiqBuf *b, double v)
{
    if (isnan(v)) {
        buf_adds(b, "NaN");
        return;
    }
    if (isinf(v)) {
        buf_adds(b, v < 0 ? "-Infinity" : "Infinity");
        return;
    }
    if (v == 0) {
        buf_adds(b, signbit(v) ? "-0.0" : "0.0");
        return;
    }
    if (v < 0) {
        buf_addc(b, '-');
        v = -v;
    }
    /* the shortest %.*e that reads back: its digits and exponent */
    char e[40];
    for (int prec = 0; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, v);
        if (strtod(e, NULL) == v)
            break;
    }
    char digits[24];
    int nd = 0;
    const char *p = e;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    int exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (v >= 1e-3 && v < 1e7) {
        if (exp10 >= 0) {
            for (int i = 0; i <= exp10; i++)
                buf_addc(b, i < nd ? digits[i] : '0');
            buf_addc(b, '.');
            if (nd > exp10 + 1)
                buf_add(b, digits + exp10 + 1, (size_t)(nd - exp10 - 1));
            else
                buf_addc(b, '0');
        } else {
            buf_adds(b, "0.");
            for (int i = 0; i < -exp10 - 1; i++)
                buf_addc(b, '0');
            buf_add(b, digits, (size_t)nd);
        }
    } else {
        buf_addc(b, digits[0]);
        buf_addc(b, '.');
        if (nd > 1)
            buf_add(b, digits + 1, (size_t)(nd - 1));
        else
            buf_addc(b, '0');
        buf_printf(b, "E%d", exp10);
    }
}

static void split_time(int64_t ms, struct tm *tm, int *millis)
{
    int64_t s = ms / 1000, r = ms % 1000;
    if (r < 0) {
        r += 1000;
        s--;
    }
    time_t t = (time_t)s;
    gmtime_r(&t, tm);
    *millis = (int)r;
}

/* "07/12/26 10:00:00": the reason's form */
static void reason_time(LiqBuf *b, int64_t ms)
{
    struct tm tm;
    int millis;
    split_time(ms, &tm, &millis);
    buf_printf(b, "%02d/%02d/%02d %02d:%02d:%02d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year % 100,
               tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void watch_time_json(LiqBuf *b, int64_t ms, int zulu)
{
    struct tm tm;
    int millis;
    split_time(ms, &tm, &millis);
    buf_printf(b, "\"%04d-%02d-%02dT%02d:%02d:%02d.%03d%s\"", tm.tm_year + 1900, tm.tm_mon + 1,
               tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis, zulu ? "Z" : "+0000");
}

/* ===== checking a definition ===== */

static int set_err(char **err, const WatchAlarmDef *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int set_err(char **err, const WatchAlarmDef *d, const char *fmt, ...)
{
    LiqBuf b = {0};
    if (d && d->alarm_name && *d->alarm_name)
        buf_printf(&b, "alarm '%s': ", d->alarm_name);
    va_list ap;
    va_start(ap, fmt);
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    buf_adds(&b, msg);
    buf_addc(&b, 0);
    if (err)
        *err = b.p;
    else
        buf_free(&b);
    return -1;
}

int watch_alarm_check(const WatchAlarmDef *d, char **err)
{
    if (!d->alarm_name || !*d->alarm_name)
        return set_err(err, d, "--alarm-name is required");
    if (strlen(d->alarm_name) > 255)
        return set_err(err, d, "--alarm-name is longer than 255 characters");
    if (!d->metric || !*d->metric)
        return set_err(err, d, "--metric-name is required");
    const char *canon;
    if (d->statistic && d->extended_p >= 0)
        return set_err(err, d, "give --statistic or --extended-statistic, not both");
    if (!d->statistic && !(d->extended_p >= 0))
        return set_err(err, d, "--statistic or --extended-statistic is required");
    if (d->statistic && watch_statistic_parse(d->statistic, &canon) != 0)
        return set_err(err, d,
                       "--statistic must be SampleCount, Average, Sum, Minimum or Maximum "
                       "(got '%s')",
                       d->statistic);
    if (!d->statistic && !(d->extended_p <= 100))
        return set_err(err, d, "--extended-statistic must be p0 to p100");
    if (!(d->period_s == 10 || d->period_s == 30 || (d->period_s > 0 && d->period_s % 60 == 0)))
        return set_err(err, d, "--period must be 10, 30 or a multiple of 60 (got %lld)",
                       (long long)d->period_s);
    if (d->evaluation_periods < 1)
        return set_err(err, d, "--evaluation-periods must be at least 1 (got %d)",
                       d->evaluation_periods);
    if (d->datapoints_to_alarm < 0 || d->datapoints_to_alarm > d->evaluation_periods)
        return set_err(err, d,
                       "--datapoints-to-alarm must be between 1 and --evaluation-periods (%d) "
                       "(got %d)",
                       d->evaluation_periods, d->datapoints_to_alarm);
    /* PutMetricAlarm: "the number of evaluation periods multiplied by the period cannot exceed
     * one day" (7 days for periods of an hour or longer) */
    int64_t limit = d->period_s >= 3600 ? 7 * 86400 : 86400;
    if ((int64_t)d->evaluation_periods * d->period_s > limit)
        return set_err(err, d,
                       "--evaluation-periods times --period must be at most %lld seconds (%s) "
                       "(got %lld)",
                       (long long)limit, limit == 86400 ? "one day" : "7 days",
                       (long long)d->evaluation_periods * d->period_s);
    if (!isfinite(d->threshold))
        return set_err(err, d, "--threshold must be a finite number");
    if ((unsigned)d->op > WATCH_LE)
        return set_err(err, d, "unknown --comparison-operator");
    if ((unsigned)d->treat_missing > WATCH_MISSING_NOT_BREACHING)
        return set_err(err, d, "unknown --treat-missing-data");
    return 0;
}

/* ===== points ===== */

static int same_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

int watch_alarm_matches(const WatchAlarmDef *d, const WatchPoint *p)
{
    if (!same_str(d->ns, p->ns) || !same_str(d->metric, p->metric) || d->ndims != p->ndims)
        return 0;
    for (int i = 0; i < d->ndims; i++) {
        int found = 0;
        for (int k = 0; k < p->ndims && !found; k++)
            found = same_str(d->dims[i].name, p->dims[k].name) &&
                    same_str(d->dims[i].value, p->dims[k].value);
        if (!found)
            return 0;
    }
    return 1;
}

int watch_alarm_point_value(const WatchAlarmDef *d, const WatchPoint *p, double *v)
{
    if (!d->statistic) {
        for (int i = 0; i < p->npct; i++)
            if (fabs(p->pct_p[i] - d->extended_p) < 1e-9) {
                *v = p->pct_v[i];
                return isnan(*v) ? -1 : 0;
            }
        return -1;
    }
    const char *s = d->statistic;
    if (strcmp(s, "SampleCount") == 0)
        *v = p->sample_count;
    else if (strcmp(s, "Sum") == 0)
        *v = p->sum;
    else if (strcmp(s, "Minimum") == 0)
        *v = p->min;
    else if (strcmp(s, "Maximum") == 0)
        *v = p->max;
    else if (strcmp(s, "Average") == 0) {
        if (!(p->sample_count > 0))
            return -1;
        *v = p->sum / p->sample_count;
    } else
        return -1;
    return isnan(*v) ? -1 : 0;
}

/* ===== the evaluator ===== */

typedef struct Period {
    int64_t start;
    int has;
    double value, count;
} Period;

struct WatchAlarm {
    const WatchAlarmDef *def;
    int range;    /* R */
    Period *hist; /* a ring of the last R periods fed: n of them, the oldest at head */
    int n, head;
    int *scratch; /* 2 R ints: an Outcome's slot and fill */
    /* The datapoints of the range as counts, so that an evaluation that changes nothing costs
     * O(1) (a day of 10-second periods is a range of 8642): a ring of their period numbers and
     * breaching flags, oldest first; how many breach; how many of the last N breach. */
    int64_t seq; /* periods pushed so far: the newest is seq - 1 */
    int64_t *dq_seq;
    unsigned char *dq_bad;
    int dq_head, dq_n, dq_badn, win_bad;
    int64_t last_start; /* INT64_MIN before any */
    WatchState state;
    char *reason, *reason_data;
    int64_t state_time;
};

WatchAlarm *watch_alarm_new(const WatchAlarmDef *def, int range)
{
    WatchAlarm *a = mem_calloc(1, sizeof *a);
    a->def = def;
    int n = def->evaluation_periods > 0 ? def->evaluation_periods : 1;
    a->range = range > 0 ? (range < n ? n : range) : n + 2;
    a->hist = mem_calloc((size_t)a->range, sizeof *a->hist);
    a->scratch = mem_calloc((size_t)a->range * 2, sizeof *a->scratch);
    a->dq_seq = mem_calloc((size_t)a->range, sizeof *a->dq_seq);
    a->dq_bad = mem_calloc((size_t)a->range, sizeof *a->dq_bad);
    a->last_start = INT64_MIN;
    a->state = WATCH_INSUFFICIENT_DATA;
    a->reason = mem_strdup("Unchecked: Initial alarm creation");
    a->reason_data = mem_strdup("");
    return a;
}

void watch_alarm_free(WatchAlarm *a)
{
    if (!a)
        return;
    free(a->hist);
    free(a->scratch);
    free(a->dq_seq);
    free(a->dq_bad);
    free(a->reason);
    free(a->reason_data);
    free(a);
}

const WatchAlarmDef *watch_alarm_def(const WatchAlarm *a)
{
    return a->def;
}
WatchState watch_alarm_state(const WatchAlarm *a)
{
    return a->state;
}
const char *watch_alarm_reason(const WatchAlarm *a)
{
    return a->reason;
}
const char *watch_alarm_reason_data(const WatchAlarm *a)
{
    return a->reason_data;
}
int64_t watch_alarm_state_time(const WatchAlarm *a)
{
    return a->state_time;
}
int64_t watch_alarm_last_start(const WatchAlarm *a)
{
    return a->last_start;
}

static int breaches(const WatchAlarmDef *d, double v)
{
    switch (d->op) {
    case WATCH_GT:
        return v > d->threshold;
    case WATCH_GE:
        return v >= d->threshold;
    case WATCH_LT:
        return v < d->threshold;
    case WATCH_LE:
        return v <= d->threshold;
    }
    return 0;
}

static int m_of(const WatchAlarmDef *d)
{
    return d->datapoints_to_alarm > 0 ? d->datapoints_to_alarm : d->evaluation_periods;
}

/* One evaluation's outcome: the state (or keep), and what the reason tells. */
typedef struct Outcome {
    int keep; /* ignore: the state stays, nothing to say */
    WatchState state;
    int nev; /* evaluated slots, newest first: indexes into the range (R slots,
              * slot R-1 the newest), fill marks the missing ones filled; both
              * arrays are the alarm's scratch, R long */
    int *slot;
    int *fill;
    int nfill;
} Outcome;

/* The i-th period fed of those kept, oldest first (0 <= i < n). */
static Period *hist_at(const WatchAlarm *a, int i)
{
    int k = a->head + i;
    return &a->hist[k >= a->range ? k - a->range : k];
}

/* The range as R slots, oldest first: the periods fed, preceded by unknown (missing) ones
 * before the first period fed. */
static const Period *slot_at(const WatchAlarm *a, int i)
{
    int off = a->range - a->n;
    return i >= off ? hist_at(a, i - off) : NULL;
}

/* A slot known to hold a datapoint (evaluated and not filled). */
static const Period *real_at(const WatchAlarm *a, int i)
{
    static const Period none = {0, 0, 0, 0};
    const Period *p = slot_at(a, i);
    return p ? p : &none;
}

static void evaluate(const WatchAlarm *a, Outcome *o)
{
    const WatchAlarmDef *d = a->def;
    int R = a->range, N = d->evaluation_periods, M = m_of(d);
    int existing = 0;
    for (int i = 0; i < R; i++) {
        const Period *p = slot_at(a, i);
        existing += p && p->has;
    }
    memset(o, 0, sizeof *o);
    o->slot = a->scratch;
    o->fill = a->scratch + R;
    memset(o->fill, 0, (size_t)R * sizeof *o->fill);
    int cap = R;
    if (existing >= N) {
        /* the N most recent datapoints; TreatMissingData plays no part */
        int bad = 0;
        for (int i = R - 1; i >= 0 && o->nev < N; i--) {
            const Period *p = slot_at(a, i);
            if (p && p->has) {
                if (o->nev < cap)
                    o->slot[o->nev++] = i;
                bad += breaches(d, p->value);
            }
        }
        o->state = bad >= M ? WATCH_ALARM : WATCH_OK;
        return;
    }
    int bad = 0, good = 0, oldest_bad_age = 0;
    for (int i = R - 1; i >= 0; i--) {
        const Period *p = slot_at(a, i);
        if (p && p->has) {
            if (o->nev < cap)
                o->slot[o->nev++] = i;
            if (breaches(d, p->value)) {
                bad++;
                oldest_bad_age = R - i;
            } else {
                good++;
            }
        }
    }
    WatchMissing t = d->treat_missing;
    if (t == WATCH_MISSING_BREACHING || t == WATCH_MISSING_NOT_BREACHING) {
        /* every datapoint, and the most recent missing slots, as few as make N points */
        int need = N - existing;
        o->nev = 0;
        for (int i = R - 1; i >= 0; i--) {
            const Period *p = slot_at(a, i);
            if (p && p->has) {
                o->slot[o->nev++] = i;
            } else if (need > 0) {
                o->slot[o->nev] = i;
                o->fill[o->nev++] = 1;
                o->nfill++;
                need--;
            }
        }
        if (t == WATCH_MISSING_BREACHING)
            bad += o->nfill;
        o->state = bad >= M ? WATCH_ALARM : WATCH_OK;
        return;
    }
    /* missing and ignore: the datapoints there are decide alone (see the top of the file) */
    if (bad >= M) {
        o->state = WATCH_ALARM;
    } else if (good > 0) {
        o->state = WATCH_OK;
    } else if (t == WATCH_MISSING_IGNORE) {
        o->keep = 1;
    } else if (bad > 0 && oldest_bad_age >= M) {
        o->state = WATCH_ALARM;
    } else {
        o->state = WATCH_INSUFFICIENT_DATA;
    }
}

static const char *plural(int n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void reason_text(const WatchAlarm *a, const Outcome *o, LiqBuf *b)
{
    const WatchAlarmDef *d = a->def;
    int N = d->evaluation_periods, M = m_of(d);
    if (o->state == WATCH_INSUFFICIENT_DATA) {
        buf_printf(b, "Insufficient Data: %d %s unknown.", N,
                   plural(N, "datapoint was", "datapoints were"));
        return;
    }
    int alarm = o->state == WATCH_ALARM;
    int support = 0, real = 0;
    for (int i = 0; i < o->nev; i++) {
        if (o->fill[i])
            continue;
        real++;
        support += breaches(d, real_at(a, o->slot[i])->value) == alarm;
    }
    const char *label = d->treat_missing == WATCH_MISSING_BREACHING ? "Breaching" : "NonBreaching";
    buf_adds(b, "Threshold Crossed: ");
    if (support == 0) {
        if (real == 0)
            buf_printf(b, "no datapoints were received for %d %s", N,
                       plural(N, "period", "periods"));
        else
            buf_printf(b, "%d %s received for %d %s", real,
                       plural(real, "datapoint was", "datapoints were"), N,
                       plural(N, "period", "periods"));
        buf_printf(b, " and %d missing %s treated as [%s].", o->nfill,
                   plural(o->nfill, "datapoint was", "datapoints were"), label);
        return;
    }
    buf_printf(b, "%d out of the last %d datapoints [", support, N);
    int k = 0;
    for (int i = 0; i < o->nev; i++) {
        if (o->fill[i])
            continue;
        const Period *p = real_at(a, o->slot[i]);
        if (breaches(d, p->value) != alarm)
            continue;
        if (k++)
            buf_adds(b, ", ");
        watch_java_double(b, p->value);
        buf_adds(b, " (");
        reason_time(b, p->start);
        buf_addc(b, ')');
    }
    buf_printf(b, "] %s %s%s the threshold (", plural(support, "was", "were"), alarm ? "" : "not ",
               compare_words[d->op]);
    watch_java_double(b, d->threshold);
    buf_addc(b, ')');
    if (o->nfill)
        buf_printf(b, " and %d missing %s treated as [%s]", o->nfill,
                   plural(o->nfill, "datapoint was", "datapoints were"), label);
    int min = alarm ? M : N - M + 1;
    buf_printf(b, " (minimum %d %s for %s transition).", min,
               plural(min, "datapoint", "datapoints"), alarm ? "OK -> ALARM" : "ALARM -> OK");
}

/* the start of slot i: known for the periods fed, counted back from the oldest for the rest */
static int64_t slot_start(const WatchAlarm *a, int i)
{
    const Period *p = slot_at(a, i);
    if (p)
        return p->start;
    int off = a->range - a->n;
    return hist_at(a, 0)->start - (int64_t)(off - i) * a->def->period_s * 1000;
}

static void reason_json(const WatchAlarm *a, const Outcome *o, int64_t now, LiqBuf *b)
{
    const WatchAlarmDef *d = a->def;
    buf_adds(b, "{\"version\":\"1.0\",\"queryDate\":");
    watch_time_json(b, now, 0);
    int full = o->state != WATCH_INSUFFICIENT_DATA && o->nev > 0;
    if (full) {
        buf_adds(b, ",\"startDate\":");
        watch_time_json(b, slot_start(a, o->slot[o->nev - 1]), 0);
    }
    if (d->statistic) {
        buf_adds(b, ",\"statistic\":");
        esc_json(b, d->statistic, strlen(d->statistic));
    } else {
        buf_adds(b, ",\"extendedStatistic\":\"p");
        num_format(b, d->extended_p);
        buf_addc(b, '"');
    }
    buf_printf(b, ",\"period\":%lld,\"recentDatapoints\":[", (long long)d->period_s);
    int k = 0;
    for (int i = o->nev - 1; full && i >= 0; i--) {
        if (o->fill[i])
            continue;
        if (k++)
            buf_addc(b, ',');
        watch_java_double(b, real_at(a, o->slot[i])->value);
    }
    buf_adds(b, "],\"threshold\":");
    watch_java_double(b, d->threshold);
    if (full) {
        buf_adds(b, ",\"evaluatedDatapoints\":[");
        for (int i = 0; i < o->nev; i++) {
            if (i)
                buf_addc(b, ',');
            buf_adds(b, "{\"timestamp\":");
            watch_time_json(b, slot_start(a, o->slot[i]), 0);
            if (!o->fill[i]) {
                const Period *p = real_at(a, o->slot[i]);
                if (p->count > 0) {
                    buf_adds(b, ",\"sampleCount\":");
                    watch_java_double(b, p->count);
                }
                buf_adds(b, ",\"value\":");
                watch_java_double(b, p->value);
            }
            buf_addc(b, '}');
        }
        buf_addc(b, ']');
    }
    buf_addc(b, '}');
}

/* ===== the counts of the range ===== */

static int dq_index(const WatchAlarm *a, int i)
{
    int k = a->dq_head + i;
    return k >= a->range ? k - a->range : k;
}

static void dq_pop_front(WatchAlarm *a)
{
    int bad = a->dq_bad[a->dq_head];
    if (a->dq_n <= a->def->evaluation_periods)
        a->win_bad -= bad;
    a->dq_badn -= bad;
    a->dq_head = dq_index(a, 1);
    a->dq_n--;
}

static void dq_push_back(WatchAlarm *a, int64_t seq, int bad)
{
    int k = dq_index(a, a->dq_n);
    a->dq_seq[k] = seq;
    a->dq_bad[k] = (unsigned char)bad;
    a->dq_n++;
    a->dq_badn += bad;
    a->win_bad += bad;
    if (a->dq_n > a->def->evaluation_periods) /* one leaves the last N */
        a->win_bad -= a->dq_bad[dq_index(a, a->dq_n - 1 - a->def->evaluation_periods)];
}

static void dq_clear(WatchAlarm *a)
{
    a->dq_head = a->dq_n = a->dq_badn = a->win_bad = 0;
}

/* The counts again from the periods kept (after a datapoint was replaced). */
static void dq_rebuild(WatchAlarm *a)
{
    dq_clear(a);
    for (int i = 0; i < a->n; i++) {
        const Period *p = hist_at(a, i);
        if (p->has)
            dq_push_back(a, a->seq - a->n + i, breaches(a->def, p->value));
    }
}

/* Pushes one period at the newest end of the range. */
static void push(WatchAlarm *a, int64_t start, int has, double value, double count)
{
    if (a->n == a->range) { /* the oldest leaves: its place takes the newest */
        *hist_at(a, 0) = (Period){start, has, value, count};
        a->head = a->head + 1 == a->range ? 0 : a->head + 1;
    } else {
        a->n++;
        *hist_at(a, a->n - 1) = (Period){start, has, value, count};
    }
    a->last_start = start;
    int64_t seq = a->seq++;
    while (a->dq_n > 0 && a->dq_seq[a->dq_head] <= seq - a->range)
        dq_pop_front(a);
    if (has)
        dq_push_back(a, seq, breaches(a->def, value));
}

/* The state the range evaluates to, from the counts: what evaluate() decides (see there),
 * without looking at each period. *keep: ignore keeps the state. */
static WatchState quick_state(const WatchAlarm *a, int *keep)
{
    const WatchAlarmDef *d = a->def;
    int N = d->evaluation_periods, M = m_of(d);
    *keep = 0;
    if (a->dq_n >= N)
        return a->win_bad >= M ? WATCH_ALARM : WATCH_OK;
    int bad = a->dq_badn, good = a->dq_n - a->dq_badn;
    WatchMissing t = d->treat_missing;
    if (t == WATCH_MISSING_BREACHING || t == WATCH_MISSING_NOT_BREACHING) {
        if (t == WATCH_MISSING_BREACHING)
            bad += N - a->dq_n;
        return bad >= M ? WATCH_ALARM : WATCH_OK;
    }
    if (bad >= M)
        return WATCH_ALARM;
    if (good > 0)
        return WATCH_OK;
    if (t == WATCH_MISSING_IGNORE) {
        *keep = 1;
        return a->state;
    }
    /* all datapoints breach: the oldest is the first; its age in periods */
    if (bad > 0 && a->seq - a->dq_seq[a->dq_head] >= M)
        return WATCH_ALARM;
    return WATCH_INSUFFICIENT_DATA;
}

static void set_state(WatchAlarm *a, WatchState s, LiqBuf *reason, LiqBuf *data, int64_t when)
{
    free(a->reason);
    free(a->reason_data);
    buf_addc(reason, 0);
    buf_addc(data, 0);
    a->reason = reason->p;
    a->reason_data = data->p;
    a->state = s;
    a->state_time = when;
}

/* Evaluates the range as it is; a change goes to fn. 1 when the state changed. */
static int evaluate_now(WatchAlarm *a, int64_t now_ms, WatchEventFn fn, void *ud)
{
    int keep;
    if (quick_state(a, &keep) == a->state) /* nothing changes: no look at each period */
        return 0;
    Outcome o;
    evaluate(a, &o);
    if (o.keep || o.state == a->state)
        return 0;
    int64_t when = now_ms > 0 ? now_ms : a->last_start + a->def->period_s * 1000;
    LiqBuf reason = {0}, data = {0};
    reason_text(a, &o, &reason);
    reason_json(a, &o, when, &data);
    WatchState old = a->state;
    set_state(a, o.state, &reason, &data, when);
    if (fn) {
        WatchEvent ev = {.alarm = a->def,
                         .old_state = old,
                         .new_state = a->state,
                         .reason = a->reason,
                         .reason_data = a->reason_data,
                         .time_ms = when};
        fn(&ev, ud);
    }
    return 1;
}

static int all_missing(const WatchAlarm *a)
{
    return a->n == a->range && a->dq_n == 0;
}

int watch_alarm_feed_value(WatchAlarm *a, int64_t start_ms, int has_value, double value,
                           double sample_count, int64_t now_ms, WatchEventFn fn, void *ud)
{
    int64_t step = a->def->period_s * 1000;
    if (has_value && isnan(value))
        has_value = 0;
    if (a->last_start != INT64_MIN && start_ms <= a->last_start) {
        /* a period already evaluated: its datapoint is replaced, nothing evaluated */
        for (int i = 0; i < a->n; i++)
            if (hist_at(a, i)->start == start_ms) {
                *hist_at(a, i) = (Period){start_ms, has_value, value, sample_count};
                dq_rebuild(a);
            }
        return 0;
    }
    int changes = 0;
    if (a->last_start != INT64_MIN && step > 0) {
        /* the periods skipped are missing, each evaluated; once the whole range is missing
         * the state is settled, and the rest only move the range */
        int64_t gaps = (start_ms - a->last_start) / step - 1;
        for (int64_t g = 0; g < gaps; g++) {
            if (all_missing(a)) {
                int64_t last = a->last_start + (gaps - g) * step;
                a->n = a->head = 0;
                dq_clear(a);
                for (int k = a->range - 1; k >= 0; k--)
                    push(a, last - k * step, 0, 0, 0);
                break;
            }
            push(a, a->last_start + step, 0, 0, 0);
            changes += evaluate_now(a, now_ms, fn, ud);
        }
    }
    push(a, start_ms, has_value, value, sample_count);
    changes += evaluate_now(a, now_ms, fn, ud);
    return changes;
}

int watch_alarm_feed(WatchAlarm *a, int64_t start_ms, const WatchPoint *p, int64_t now_ms,
                     WatchEventFn fn, void *ud)
{
    double v = 0;
    int has = p && watch_alarm_point_value(a->def, p, &v) == 0;
    return watch_alarm_feed_value(a, start_ms, has, v, has ? p->sample_count : 0, now_ms, fn, ud);
}

/* ===== state kept between runs ===== */

void watch_alarm_state_json(const WatchAlarm *a, LiqBuf *out)
{
    const WatchAlarmDef *d = a->def;
    buf_adds(out, "{\"AlarmName\":");
    esc_json(out, d->alarm_name, strlen(d->alarm_name));
    buf_printf(out, ",\"StateValue\":\"%s\",\"StateReason\":", watch_state_name(a->state));
    esc_json(out, a->reason, strlen(a->reason));
    buf_adds(out, ",\"StateReasonData\":");
    esc_json(out, a->reason_data, strlen(a->reason_data));
    buf_printf(out, ",\"StateUpdatedTimestamp\":%lld,\"Period\":%lld", (long long)a->state_time,
               (long long)d->period_s);
    if (a->last_start != INT64_MIN)
        buf_printf(out, ",\"LastPeriodStart\":%lld", (long long)a->last_start);
    buf_adds(out, ",\"Datapoints\":[");
    for (int i = 0; i < a->n; i++) {
        const Period *p = hist_at(a, i);
        buf_printf(out, "%s[%lld,", i ? "," : "", (long long)p->start);
        if (p->has)
            watch_java_double(out, p->value);
        else
            buf_adds(out, "null");
        buf_addc(out, ',');
        watch_java_double(out, p->count);
        buf_addc(out, ']');
    }
    buf_adds(out, "]}");
}

static const JdNode *member(const JdNode *o, const char *key, JdType type)
{
    const JdNode *n = jdom_get(o, key, strlen(key));
    return n && n->type == type ? n : NULL;
}

/* restores from a parsed object; -1 with *err on a malformed one */
static int restore_node(WatchAlarm *a, const JdNode *o, char **err)
{
    const WatchAlarmDef *d = a->def;
    if (!o || o->type != JD_OBJ)
        return set_err(err, d, "the saved state is not an alarm state");
    const JdNode *state = member(o, "StateValue", JD_STR);
    const JdNode *reason = member(o, "StateReason", JD_STR);
    const JdNode *data = member(o, "StateReasonData", JD_STR);
    const JdNode *when = member(o, "StateUpdatedTimestamp", JD_NUM);
    const JdNode *period = member(o, "Period", JD_NUM);
    const JdNode *last = member(o, "LastPeriodStart", JD_NUM);
    const JdNode *pts = member(o, "Datapoints", JD_ARR);
    WatchState s;
    char sv[24] = "";
    if (state && state->len < sizeof sv)
        memcpy(sv, state->s, state->len);
    if (!state || watch_state_parse(sv, &s) != 0 || !reason || !data || !when || !period || !pts)
        return set_err(err, d, "the saved state is not an alarm state");
    if ((int64_t)period->num != d->period_s)
        return set_err(err, d, "the saved state is for a period of %lld s, the alarm's is %lld s",
                       (long long)period->num, (long long)d->period_s);
    int64_t prev = INT64_MIN;
    for (size_t i = 0; i < pts->n; i++) {
        const JdNode *p = pts->kids[i];
        if (p->type != JD_ARR || p->n != 3 || p->kids[0]->type != JD_NUM ||
            (p->kids[1]->type != JD_NUM && p->kids[1]->type != JD_NULL) ||
            p->kids[2]->type != JD_NUM || (int64_t)p->kids[0]->num <= prev)
            return set_err(err, d, "the saved state's datapoint %zu is malformed", i + 1);
        prev = (int64_t)p->kids[0]->num;
    }
    a->n = a->head = 0;
    dq_clear(a);
    a->last_start = INT64_MIN;
    size_t first = pts->n > (size_t)a->range ? pts->n - (size_t)a->range : 0;
    for (size_t i = first; i < pts->n; i++) {
        const JdNode *p = pts->kids[i];
        push(a, (int64_t)p->kids[0]->num, p->kids[1]->type == JD_NUM, p->kids[1]->num,
             p->kids[2]->num);
    }
    if (last)
        a->last_start = (int64_t)last->num;
    LiqBuf r = {0}, rd = {0};
    buf_add(&r, reason->s, reason->len);
    buf_add(&rd, data->s, data->len);
    set_state(a, s, &r, &rd, (int64_t)when->num);
    return 0;
}

int watch_alarm_state_restore(WatchAlarm *a, const char *json, size_t len, char **err)
{
    apr_pool_t *pool;
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS)
        return set_err(err, a->def, "cannot create a memory pool");
    const JdNode *o = jdom_parse(pool, json, len);
    int rc = restore_node(a, o, err);
    apr_pool_destroy(pool);
    return rc;
}

int watch_state_save(const char *path, WatchAlarm *const *alarms, int n, char **err)
{
    LiqBuf b = {0};
    buf_adds(&b, "{\"version\":1,\"alarms\":[");
    for (int i = 0; i < n; i++) {
        buf_adds(&b, i ? ",\n" : "\n");
        watch_alarm_state_json(alarms[i], &b);
    }
    buf_adds(&b, "\n]}\n");
    size_t pl = strlen(path);
    char *tmp = mem_alloc(pl + 32);
    snprintf(tmp, pl + 32, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    int rc = 0;
    if (!f) {
        rc = set_err(err, NULL, "cannot write the state file '%s' (%s)", tmp, strerror(errno));
    } else {
        int bad = fwrite(b.p, 1, b.len, f) != b.len;
        bad |= fflush(f) != 0;
        bad |= fsync(fileno(f)) != 0;
        int e = errno;
        bad |= fclose(f) != 0;
        if (bad) {
            rc = set_err(err, NULL, "cannot write the state file '%s' (%s)", tmp, strerror(e));
            unlink(tmp);
        } else if (rename(tmp, path) != 0) {
            rc = set_err(err, NULL, "cannot rename '%s' to '%s' (%s)", tmp, path, strerror(errno));
            unlink(tmp);
        }
    }
    free(tmp);
    buf_free(&b);
    return rc;
}

int watch_state_load(const char *path, WatchAlarm *const *alarms, int n, char **err)
{
    LiqBuf b = {0};
    if (buf_read_file(&b, path) != 0) {
        int e = errno;
        buf_free(&b);
        if (e == ENOENT)
            return 0;
        return set_err(err, NULL, "cannot read the state file '%s' (%s)", path, strerror(e));
    }
    apr_pool_t *pool;
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS) {
        buf_free(&b);
        return set_err(err, NULL, "cannot create a memory pool");
    }
    int rc = 0;
    const JdNode *root = jdom_parse(pool, b.p ? b.p : "", b.len);
    const JdNode *list = root && root->type == JD_OBJ ? member(root, "alarms", JD_ARR) : NULL;
    const JdNode *version = root && root->type == JD_OBJ ? member(root, "version", JD_NUM) : NULL;
    if (!list || !version || version->num != 1) {
        rc = set_err(err, NULL, "'%s' is not a liq watch state file", path);
    } else {
        for (size_t i = 0; i < list->n && rc == 0; i++) {
            const JdNode *o = list->kids[i];
            const JdNode *name = o->type == JD_OBJ ? member(o, "AlarmName", JD_STR) : NULL;
            if (!name) {
                rc = set_err(err, NULL, "'%s': entry %zu has no AlarmName", path, i + 1);
                break;
            }
            for (int k = 0; k < n; k++)
                if (strlen(alarms[k]->def->alarm_name) == name->len &&
                    memcmp(alarms[k]->def->alarm_name, name->s, name->len) == 0) {
                    char *why = NULL;
                    if (restore_node(alarms[k], o, &why) != 0) {
                        rc = set_err(err, NULL, "'%s': %s", path, why);
                        free(why);
                    }
                }
        }
    }
    apr_pool_destroy(pool);
    buf_free(&b);
    return rc;
}
