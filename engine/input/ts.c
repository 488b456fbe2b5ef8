/* ts.c -- timestamp recognition (see ts.h)
 *
 * Hand-written scanners rather than strptime: they run once per record on the scan path, must
 * not depend on the locale, and must accept the variants real logs use (comma before the
 * milliseconds, 'T' or a space between date and time, any number of fraction digits).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/civil.h"
#include "engine/input/ts.h"
#include "engine/input/tz.h"

enum { DAY_MS = 86400000, WEEK_MS = 7 * 86400000 };

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b) != 0 && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static int64_t month_index(int64_t ms)
{
    int y;
    unsigned m, d;
    civil_date(floor_div(ms, DAY_MS), &y, &m, &d);
    return (int64_t)y * 12 + (m - 1);
}

static int64_t month_start(int64_t idx)
{
    int64_t y = floor_div(idx, 12);
    return civil_days(y, (unsigned)(idx - y * 12 + 1), 1) * DAY_MS;
}

/* The first month index of the calendar period holding ms (multiples of 3 and 12 from year 0
 * are quarters and years). */
static int64_t period_month(int64_t ms, int64_t months)
{
    return floor_div(month_index(ms), months) * months;
}

int64_t ts_floor(int64_t ms, double period)
{
    if (period > 0) {
        int64_t p = (int64_t)period;
        if (p <= 0)
            return ms;
        if (p % WEEK_MS == 0) /* weeks start on Monday: 1970-01-05 is the first Monday */
            return floor_div(ms - 4LL * DAY_MS, p) * p + 4LL * DAY_MS;
        return floor_div(ms, p) * p;
    }
    int64_t months = (int64_t)(-period);
    return months > 0 ? month_start(period_month(ms, months)) : ms;
}

int64_t ts_add_months(int64_t ms, int months)
{
    int64_t days = floor_div(ms, DAY_MS), rem = ms - days * DAY_MS;
    int y;
    unsigned m, d;
    civil_date(days, &y, &m, &d);
    int64_t idx = (int64_t)y * 12 + (m - 1) + months;
    int64_t ny = floor_div(idx, 12);
    unsigned nm = (unsigned)(idx - ny * 12 + 1);
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned last = mdays[nm - 1] + (nm == 2 && ((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0));
    if (d > last)
        d = last;
    return civil_days(ny, nm, d) * DAY_MS + rem;
}

int64_t ts_ceil(int64_t ms, double period)
{
    int64_t f = ts_floor(ms, period);
    if (f == ms)
        return ms; /* already on a boundary (A21) */
    if (period > 0)
        return f + (int64_t)period;
    int64_t months = (int64_t)(-period);
    return month_start(period_month(ms, months) + months);
}

static int dig(const char *s, size_t len, size_t at, int n, int *out)
{
    int v = 0;
    if (at + (size_t)n > len)
        return 0;
    for (int i = 0; i < n; i++) {
        char c = s[at + (size_t)i];
        if (c < '0' || c > '9')
            return 0;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return 1;
}

/* Parses ISO 8601 at s; *used = bytes consumed. Accepts a date alone, or date [T ] time with
 * optional seconds, fraction (. or ,) and zone (Z, +hh, +hh:mm, +hhmm). */
static int iso_at(const char *s, size_t len, int64_t *ms, size_t *used, int *zoned)
{
    *zoned = 0;
    int y, mo, d, h = 0, mi = 0, sec = 0;
    size_t i = 0;
    if (!dig(s, len, 0, 4, &y) || len < 10 || s[4] != '-' || !dig(s, len, 5, 2, &mo) ||
        s[7] != '-' || !dig(s, len, 8, 2, &d))
        return 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
        return 0;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    i = 10;
    int64_t frac_ms = 0, off_min = 0;
    if (i < len && (s[i] == 'T' || s[i] == ' ') && dig(s, len, i + 1, 2, &h) &&
        i + 3 < len && s[i + 3] == ':' && dig(s, len, i + 4, 2, &mi)) {
        i += 6;
        if (i < len && s[i] == ':' && dig(s, len, i + 1, 2, &sec))
            i += 3;
        if (h > 23 || mi > 59 || sec > 60)
            return 0;
        if (i + 1 < len && (s[i] == '.' || s[i] == ',') && s[i + 1] >= '0' && s[i + 1] <= '9') {
            i++;
            int nd = 0;
            int64_t scale = 100;
            while (i < len && s[i] >= '0' && s[i] <= '9') {
                if (nd < 3) {
                    frac_ms += (s[i] - '0') * scale;
                    scale /= 10;
                }
                nd++;
                i++;
            }
        }
        if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
            i++;
            *zoned = 1;
        } else if (i < len && (s[i] == '+' || s[i] == '-')) {
            int oh, om = 0;
            int sign = s[i] == '-' ? -1 : 1;
            if (dig(s, len, i + 1, 2, &oh)) {
                size_t j = i + 3;
                if (j < len && s[j] == ':' && dig(s, len, j + 1, 2, &om))
                    j += 3;
                else if (dig(s, len, j, 2, &om))
                    j += 2;
                off_min = sign * (oh * 60 + om);
                i = j;
                *zoned = 1;
            }
        }
    }
    int64_t days = civil_days(y, (unsigned)mo, (unsigned)d);
    *ms = ((days * 24 + h) * 60 + mi - off_min) * 60000 + (int64_t)sec * 1000 + frac_ms;
    *used = i;
    return 1;
}

int ts_parse_iso_in(const char *s, size_t len, const struct TsZone *z, int64_t *ms)
{
    size_t used;
    int zoned;
    while (len && (s[len - 1] == ' '))
        len--;
    if (!iso_at(s, len, ms, &used, &zoned) || used != len)
        return 0;
    if (!zoned && z)
        *ms = tz_local_to_utc(z, *ms);
    return 1;
}

int ts_parse_iso(const char *s, size_t len, int64_t *ms)
{
    return ts_parse_iso_in(s, len, NULL, ms);
}

int ts_from_epoch(double v, int64_t *ms)
{
    double a = v < 0 ? -v : v;
    if (a < 1e11)
        *ms = (int64_t)(v * 1000.0 + (v >= 0 ? 0.5 : -0.5)); /* seconds */
    else if (a < 1e14)
        *ms = (int64_t)v; /* milliseconds */
    else if (a < 1e17)
        *ms = (int64_t)(v / 1000.0); /* microseconds */
    else if (a < 1e20)
        *ms = (int64_t)(v / 1e6); /* nanoseconds */
    else
        return 0;
    return 1;
}

/* ===== Timestamps in text lines (docs/timestamps.md) ===== */

/* Bytes a timestamp may be read from: its start lies in the first 128 bytes of the line, and
 * no form is longer than 64 bytes, so nothing past 192 is looked at. */
enum { TS_START_LIM = 128, TS_READ_LIM = 192 };

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* May a timestamp start right after c? After a blank or an opening or separating mark, not
 * inside a word, a number, a path or a file name (letters, digits, . _ - / : + and others). */
static int is_bound(char c)
{
    switch (c) {
    case ' ':
    case '\t':
    case '[':
    case '(':
    case '{':
    case '<':
    case '>':
    case '"':
    case '\'':
    case '=':
    case ',':
    case ';':
    case '|':
        return 1;
    default:
        return 0;
    }
}

/* Does a word end at c: a blank, or the end of the record's first line? */
static int word_end(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A month name as syslog, asctime and CLF write it ("Jan" .. "Dec"): 1-12, or 0. */
static int month_of(const char *s)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int i = 0; i < 12; i++)
        if (s[0] == names[3 * i] && s[1] == names[3 * i + 1] && s[2] == names[3 * i + 2])
            return i + 1;
    return 0;
}

static int weekday_of(const char *s)
{
    static const char names[] = "MonTueWedThuFriSatSun";
    for (int i = 0; i < 7; i++)
        if (s[0] == names[3 * i] && s[1] == names[3 * i + 1] && s[2] == names[3 * i + 2])
            return i + 1;
    return 0;
}

static int leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int valid_date(int64_t y, int mo, int d)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return mo >= 1 && mo <= 12 && d >= 1 && d <= mdays[mo - 1] && (mo != 2 || d < 29 || leap(y));
}

int ts_year(const TsCtx *cx, int mo, int d, int64_t tod)
{
    if (cx && cx->year > 0)
        return cx->year;
    int64_t ref = cx ? cx->ref_ms : 0;
    int y;
    unsigned rm, rd;
    civil_date(floor_div(ref, DAY_MS), &y, &rm, &rd);
    if (mo == 2 && d == 29)
        while (!leap(y))
            y--;
    if (civil_days(y, (unsigned)mo, (unsigned)d) * DAY_MS + tod > ref + DAY_MS) {
        y--;
        if (mo == 2 && d == 29)
            while (!leap(y))
                y--;
    }
    return y;
}

/* A time of day at s[*i]: HH<sep>MM[<sep>SS] (seconds required when need_sec), then an
 * optional fraction after one of fsep's bytes (a ':' there takes exactly three digits, as
 * HealthApp writes milliseconds); advances *i. Returns the milliseconds of the day, or -1. */
static int64_t tod_at(const char *s, size_t n, size_t *i, char sep, int need_sec, const char *fsep)
{
    int h, mi, sec = 0;
    size_t j = *i;
    if (!dig(s, n, j, 2, &h) || j + 2 >= n || s[j + 2] != sep || !dig(s, n, j + 3, 2, &mi))
        return -1;
    j += 5;
    if (j + 2 < n && s[j] == sep && dig(s, n, j + 1, 2, &sec))
        j += 3;
    else if (need_sec)
        return -1;
    if (h > 23 || mi > 59 || sec > 60)
        return -1;
    int64_t frac = 0;
    if (j + 1 < n && s[j] && strchr(fsep, s[j]) && is_digit(s[j + 1])) {
        if (s[j] == ':' && !(j + 3 < n && is_digit(s[j + 2]) && is_digit(s[j + 3]) &&
                             (j + 4 >= n || !is_digit(s[j + 4]))))
            goto done; /* ':' and not three digits: not a fraction */
        j++;
        int64_t scale = 100;
        for (int nd = 0; j < n && is_digit(s[j]); j++, nd++)
            if (nd < 3) {
                frac += (s[j] - '0') * scale;
                scale /= 10;
            }
    }
done:
    *i = j;
    return ((int64_t)h * 3600 + mi * 60 + sec) * 1000 + frac;
}

/* A zone after a time: Z, +hh, +hh:mm, +hhmm (minutes east into *off); advances *i. */
static int zone_at(const char *s, size_t n, size_t *i, int64_t *off)
{
    size_t j = *i;
    if (j < n && (s[j] == 'Z' || s[j] == 'z')) {
        *off = 0;
        *i = j + 1;
        return 1;
    }
    int oh, om = 0;
    if (j >= n || (s[j] != '+' && s[j] != '-') || !dig(s, n, j + 1, 2, &oh) || oh > 14)
        return 0;
    int sign = s[j] == '-' ? -1 : 1;
    size_t k = j + 3;
    if (k < n && s[k] == ':' && dig(s, n, k + 1, 2, &om))
        k += 3;
    else if (dig(s, n, k, 2, &om) && !(k + 2 < n && is_digit(s[k + 2])))
        k += 2;
    if (om > 59)
        return 0;
    *off = sign * (oh * 60 + om);
    *i = k;
    return 1;
}

/* A wall-clock time (epoch ms read as if UTC) in the context's zone, as UTC. */
static int64_t local(const TsCtx *cx, int64_t t)
{
    return cx && cx->zone ? tz_local_to_utc(cx->zone, t) : t;
}

/* Does a form end here: the end of the line, a blank, or anything but a letter or digit? */
static int ends(const char *s, size_t n, size_t i)
{
    return i >= n || !is_alnum(s[i]);
}

/* One candidate: its kind, where it starts and ends, its time. */
typedef struct Hit {
    int kind;
    size_t end;
    int64_t ms;
} Hit;

/* TSK_YMD and TSK_DATE: YYYY-MM-DD, YYYY/MM/DD or YYYY.MM.DD, then (T or blanks) a time
 * with ':' (seconds optional, a fraction after '.' or ',', a zone), or (after '-' dates only)
 * DB2's -HH.MM.SS[.ffffff]. Without a time, a date that ends there is TSK_DATE. */
static int ymd_at(const char *s, size_t n, size_t i, const TsCtx *cx, Hit *h)
{
    int y, mo, d;
    if (!dig(s, n, i, 4, &y) || i + 10 > n)
        return 0;
    char sep = s[i + 4];
    if ((sep != '-' && sep != '/' && sep != '.') || s[i + 7] != sep || !dig(s, n, i + 5, 2, &mo) ||
        !dig(s, n, i + 8, 2, &d) || !valid_date(y, mo, d))
        return 0;
    int64_t day = civil_days(y, (unsigned)mo, (unsigned)d) * DAY_MS;
    size_t j = i + 10;
    int64_t tod = -1, off = 0;
    int zoned = 0;
    if (j < n && (s[j] == 'T' || is_blank(s[j]))) {
        size_t k = j + 1;
        while (s[j] != 'T' && k < n && is_blank(s[k]))
            k++; /* blanks of a column layout: 2010-03-12   23:51:20 */
        tod = tod_at(s, n, &k, ':', 0, ".,");
        if (tod >= 0) {
            zoned = zone_at(s, n, &k, &off);
            j = k;
        }
    } else if (j < n && s[j] == '-' && sep == '-') { /* DB2: 2005-06-03-15.42.50.675872 */
        size_t k = j + 1;
        tod = tod_at(s, n, &k, '.', 1, ".");
        if (tod >= 0)
            j = k;
    }
    if (tod >= 0) { /* whatever follows (2015-04-24T21:08:10.313913FOO: a zone not read) */
        h->kind = TSK_YMD;
        h->end = j;
        h->ms = zoned ? day + tod - off * 60000 : local(cx, day + tod);
        return 1;
    }
    if (!ends(s, n, i + 10))
        return 0;
    h->kind = TSK_DATE;
    h->end = i + 10;
    h->ms = local(cx, day);
    return 1;
}

/* Up to max digits at s[*j] (at least one) as a number; advances *j. -1: none. */
static int digits_at(const char *s, size_t n, size_t *j, int max)
{
    int v = 0, k = 0;
    while (k < max && *j < n && is_digit(s[*j])) {
        v = v * 10 + (s[*j] - '0');
        (*j)++;
        k++;
    }
    return k ? v : -1;
}

/* HealthApp's time of day (loghub): every part written without padding, H:M:S, then ':' and
 * the milliseconds as a number of one to three digits (22:16:0:9 is 22:16:00.009); advances *i.
 * The milliseconds of the day, or -1. */
static int64_t loose_tod_at(const char *s, size_t n, size_t *i)
{
    size_t j = *i;
    int hh = digits_at(s, n, &j, 2);
    if (hh < 0 || j >= n || s[j++] != ':')
        return -1;
    int mi = digits_at(s, n, &j, 2);
    if (mi < 0 || j >= n || s[j++] != ':')
        return -1;
    int sec = digits_at(s, n, &j, 2), ms = 0;
    if (sec < 0 || hh > 23 || mi > 59 || sec > 60)
        return -1;
    if (j + 1 < n && s[j] == ':' && is_digit(s[j + 1])) {
        j++;
        ms = digits_at(s, n, &j, 3);
        if (j < n && is_digit(s[j]))
            return -1;
    }
    *i = j;
    return ((int64_t)hh * 3600 + mi * 60 + sec) * 1000 + ms;
}

/* TSK_COMPACT: YYYYMMDD, T or '-', HH:MM:SS or HHMMSS, a fraction, a zone; or, after '-',
 * HealthApp's unpadded H:M:S:ms (loose_tod_at). */
static int compact_at(const char *s, size_t n, size_t i, const TsCtx *cx, Hit *h)
{
    int y, mo, d, hh, mi, sec;
    if (!dig(s, n, i, 4, &y) || !dig(s, n, i + 4, 2, &mo) || !dig(s, n, i + 6, 2, &d) ||
        i + 8 >= n || (s[i + 8] != 'T' && s[i + 8] != '-') || !valid_date(y, mo, d))
        return 0;
    size_t j = i + 9;
    int64_t tod;
    if (j + 2 < n && s[j + 2] == ':') {
        size_t j0 = j;
        tod = tod_at(s, n, &j, ':', 1, ".,:");
        if (s[i + 8] == '-' && (tod < 0 || (j < n && s[j] == ':'))) { /* 22:16:0:9 */
            j = j0;
            tod = loose_tod_at(s, n, &j);
        }
        if (tod < 0)
            return 0;
    } else if (s[i + 8] == '-' && j + 1 < n && s[j + 1] == ':') { /* 9:5:3:120 */
        tod = loose_tod_at(s, n, &j);
        if (tod < 0)
            return 0;
    } else {
        if (!dig(s, n, j, 2, &hh) || !dig(s, n, j + 2, 2, &mi) || !dig(s, n, j + 4, 2, &sec) ||
            hh > 23 || mi > 59 || sec > 60)
            return 0;
        j += 6;
        tod = ((int64_t)hh * 3600 + mi * 60 + sec) * 1000;
        if (j + 1 < n && (s[j] == '.' || s[j] == ',') && is_digit(s[j + 1])) {
            int64_t scale = 100;
            for (j++; j < n && is_digit(s[j]); j++)
                if (scale) {
                    tod += (s[j] - '0') * scale;
                    scale /= 10;
                }
        }
    }
    int64_t off = 0;
    int zoned = zone_at(s, n, &j, &off);
    if (!ends(s, n, j))
        return 0;
    int64_t t = civil_days(y, (unsigned)mo, (unsigned)d) * DAY_MS + tod;
    h->kind = TSK_COMPACT;
    h->end = j;
    h->ms = zoned ? t - off * 60000 : local(cx, t);
    return 1;
}

/* Two-digit years as %y reads them: 69-99 are 19xx, 00-68 20xx. */
static int century(int yy)
{
    return yy < 69 ? 2000 + yy : 1900 + yy;
}

/* TSK_YYMMDD: yyMMdd HHmmss, then a blank or the end (Hadoop's HDFS logs). */
static int yymmdd_at(const char *s, size_t n, size_t i, const TsCtx *cx, Hit *h)
{
    int yy, mo, d, hh, mi, sec;
    if (!dig(s, n, i, 2, &yy) || !dig(s, n, i + 2, 2, &mo) || !dig(s, n, i + 4, 2, &d) ||
        i + 6 >= n || s[i + 6] != ' ' || !dig(s, n, i + 7, 2, &hh) || !dig(s, n, i + 9, 2, &mi) ||
        !dig(s, n, i + 11, 2, &sec) || (i + 13 < n && !word_end(s[i + 13])) || hh > 23 || mi > 59 ||
        sec > 60 || !valid_date(century(yy), mo, d))
        return 0;
    int64_t t = civil_days(century(yy), (unsigned)mo, (unsigned)d) * DAY_MS +
                ((int64_t)hh * 3600 + mi * 60 + sec) * 1000;
    h->kind = TSK_YYMMDD;
    h->end = i + 13;
    h->ms = local(cx, t);
    return 1;
}

/* TSK_YYSLASH: yy/MM/dd HH:mm:ss[.fff] (log4j's %d{yy/MM/dd HH:mm:ss}, as Spark writes). */
static int yyslash_at(const char *s, size_t n, size_t i, const TsCtx *cx, Hit *h)
{
    int yy, mo, d;
    if (!dig(s, n, i, 2, &yy) || i + 8 >= n || s[i + 2] != '/' || !dig(s, n, i + 3, 2, &mo) ||
        s[i + 5] != '/' || !dig(s, n, i + 6, 2, &d) || s[i + 8] != ' ' ||
        !valid_date(century(yy), mo, d))
        return 0;
    size_t j = i + 9;
    int64_t tod = tod_at(s, n, &j, ':', 1, ".,");
    if (tod < 0 || !ends(s, n, j))
        return 0;
    h->kind = TSK_YYSLASH;
    h->end = j;
    h->ms = local(cx, civil_days(century(yy), (unsigned)mo, (unsigned)d) * DAY_MS + tod);
    return 1;
}

/* A month and day without a year (MM-DD, MM.DD or MM/DD) and a time, then a blank, ']' or the
 * end: Android logcat, Proxifier. */
static int md_at(const char *s, size_t n, size_t i, const TsCtx *cx, Hit *h)
{
    int mo, d;
    if (!dig(s, n, i, 2, &mo) || i + 5 >= n ||
        (s[i + 2] != '-' && s[i + 2] != '.' && s[i + 2] != '/') || !dig(s, n, i + 3, 2, &d) ||
        s[i + 5] != ' ' || !valid_date(2000, mo, d))
        return 0;
    size_t j = i + 6;
    int64_t tod = tod_at(s, n, &j, ':', 1, ".,");
    if (tod < 0 || (j < n && !word_end(s[j]) && s[j] != ']'))
        return 0;
    int y = ts_year(cx, mo, d, tod);
    h->kind = TSK_MD;
    h->end = j;
    h->ms = local(cx, civil_days(y, (unsigned)mo, (unsigned)d) * DAY_MS + tod);
    return 1;
}

/* TSK_GLOG: Lmmdd hh:mm:ss.uuuuuu (L: I, W, E or F), as Google's glog writes. */
static int glog_at(const char *s, size_t n, size_t i, const TsCtx *cx, Hit *h)
{
    int mo, d;
    if (i + 6 >= n || !s[i] || !strchr("IWEF", s[i]) || !dig(s, n, i + 1, 2, &mo) ||
        !dig(s, n, i + 3, 2, &d) || s[i + 5] != ' ' || !valid_date(2000, mo, d))
        return 0;
    size_t j = i + 6;
    int64_t tod = tod_at(s, n, &j, ':', 1, ".");
    if (tod < 0 || (j < n && !word_end(s[j])))
        return 0;
    int y = ts_year(cx, mo, d, tod);
    h->kind = TSK_GLOG;
    h->end = j;
    h->ms = local(cx, civil_days(y, (unsigned)mo, (unsigned)d) * DAY_MS + tod);
    return 1;
}

static int hexval(char c)
{
    return is_digit(c)            ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* TSK_TAI64N: '@', a TAI64 label (16 hex digits: 2^62 + TAI seconds) and nanoseconds (8),
 * as daemontools' tai64n writes; UTC is TAI less 10 s, as tai64nlocal counts. */
static int tai64n_at(const char *s, size_t n, size_t i, Hit *h)
{
    if (i + 25 > n || s[i] != '@' || (i + 25 < n && !word_end(s[i + 25])))
        return 0;
    uint64_t label = 0, nano = 0;
    for (size_t k = 0; k < 24; k++) {
        int v = hexval(s[i + 1 + k]);
        if (v < 0)
            return 0;
        if (k < 16)
            label = label << 4 | (uint64_t)v;
        else
            nano = nano << 4 | (uint64_t)v;
    }
    uint64_t base = (uint64_t)1 << 62;
    if (label < base + 10 || label - base > (uint64_t)1 << 40 || nano >= 1000000000u)
        return 0;
    h->kind = TSK_TAI64N;
    h->end = i + 25;
    h->ms = (int64_t)(label - base - 10) * 1000 + (int64_t)(nano / 1000000);
    return 1;
}

/* The day of syslog and asctime: "dd", " d" or "d" then a space. Advances *i past the day. */
static int day_at(const char *s, size_t n, size_t *i, int *d)
{
    size_t j = *i;
    if (j + 1 < n && s[j] == ' ' && is_digit(s[j + 1]) && j + 2 < n && s[j + 2] == ' ') {
        *d = s[j + 1] - '0';
        *i = j + 3;
        return 1;
    }
    if (j + 2 < n && is_digit(s[j]) && is_digit(s[j + 1]) && s[j + 2] == ' ') {
        *d = (s[j] - '0') * 10 + s[j + 1] - '0';
        *i = j + 3;
        return 1;
    }
    if (j + 1 < n && is_digit(s[j]) && s[j + 1] == ' ') {
        *d = s[j] - '0';
        *i = j + 2;
        return 1;
    }
    return 0;
}

/* TSK_SYSLOG: Mmm dd HH:MM:SS[.frac] (RFC 3164: the year from the context), or with a year
 * before the time (Mmm dd yyyy HH:MM:SS). */
static int syslog_at(const char *s, size_t n, size_t i, const TsCtx *cx, Hit *h)
{
    int mo, d, y = 0;
    if (i + 14 > n || s[i + 3] != ' ' || !(mo = month_of(s + i)))
        return 0;
    size_t j = i + 4;
    if (!day_at(s, n, &j, &d) || d < 1 || d > 31)
        return 0;
    if (dig(s, n, j, 4, &y) && j + 4 < n && s[j + 4] == ' ')
        j += 5;
    else
        y = 0;
    int64_t tod = tod_at(s, n, &j, ':', 1, ".");
    if (tod < 0 || !ends(s, n, j))
        return 0;
    if (!y)
        y = ts_year(cx, mo, d, tod);
    if (!valid_date(y, mo, d))
        return 0;
    h->kind = TSK_SYSLOG;
    h->end = j;
    h->ms = local(cx, civil_days(y, (unsigned)mo, (unsigned)d) * DAY_MS + tod);
    return 1;
}

/* TSK_CTIME: Www Mmm dd HH:MM:SS[.frac] YYYY (asctime; Apache error logs, uwsgi). */
static int ctime_at(const char *s, size_t n, size_t i, const TsCtx *cx, Hit *h)
{
    int mo, d, y;
    if (i + 23 > n || s[i + 3] != ' ' || !weekday_of(s + i) || s[i + 7] != ' ' ||
        !(mo = month_of(s + i + 4)))
        return 0;
    size_t j = i + 8;
    if (!day_at(s, n, &j, &d))
        return 0;
    int64_t tod = tod_at(s, n, &j, ':', 1, ".");
    if (tod < 0 || j + 5 > n || s[j] != ' ' || !dig(s, n, j + 1, 4, &y) || !ends(s, n, j + 5) ||
        !valid_date(y, mo, d))
        return 0;
    h->kind = TSK_CTIME;
    h->end = j + 5;
    h->ms = local(cx, civil_days(y, (unsigned)mo, (unsigned)d) * DAY_MS + tod);
    return 1;
}

/* TSK_CLF: dd/Mmm/yyyy:HH:MM:SS +hhmm (Apache/CLF). */
static int clf_at(const char *s, size_t n, size_t i, Hit *h)
{
    int d, y, hh, mi, sec, oh, om, mo;
    s += i;
    n -= i;
    if (n < 26 || !dig(s, n, 0, 2, &d) || s[2] != '/' || s[6] != '/' || !dig(s, n, 7, 4, &y) ||
        s[11] != ':' || !dig(s, n, 12, 2, &hh) || s[14] != ':' || !dig(s, n, 15, 2, &mi) ||
        s[17] != ':' || !dig(s, n, 18, 2, &sec) || s[20] != ' ' || (s[21] != '+' && s[21] != '-') ||
        !dig(s, n, 22, 2, &oh) || !dig(s, n, 24, 2, &om) || !(mo = month_of(s + 3)) ||
        !valid_date(y, mo, d) || hh > 23 || mi > 59 || sec > 60)
        return 0;
    int64_t off = (s[21] == '-' ? -1 : 1) * (oh * 60 + om);
    int64_t days = civil_days(y, (unsigned)mo, (unsigned)d);
    h->kind = TSK_CLF;
    h->end = i + 26;
    h->ms = ((days * 24 + hh) * 60 + mi - off) * 60000 + (int64_t)sec * 1000;
    return 1;
}

/* TSK_EPOCH: a whole word of 10 digits (seconds, with an optional fraction), 13 (ms), 16 (us)
 * or 19 (ns), between 2000-01-01 and 2100-01-01. */
static int epoch_at(const char *s, size_t n, size_t i, Hit *h)
{
    size_t j = i;
    while (j < n && is_digit(s[j]))
        j++;
    size_t nd = j - i;
    if (nd != 10 && nd != 13 && nd != 16 && nd != 19)
        return 0;
    int64_t v = 0;
    for (size_t k = i; k < i + 13 && k < j; k++)
        v = v * 10 + (s[k] - '0');
    int64_t ms = nd == 10 ? v * 1000 : v; /* the first 13 digits are milliseconds */
    if (nd == 10 && j + 1 < n && s[j] == '.' && is_digit(s[j + 1])) {
        int64_t scale = 100;
        for (j++; j < n && is_digit(s[j]); j++)
            if (scale) {
                ms += (s[j] - '0') * scale;
                scale /= 10;
            }
    }
    if (j < n && !word_end(s[j]))
        return 0; /* a whole word */
    if (ms < 946684800000LL || ms >= 4102444800000LL)
        return 0;
    h->kind = TSK_EPOCH;
    h->end = j;
    h->ms = ms;
    return 1;
}

/* Is a form only read at the start of a line (or after a '[' there)? */
static int line_start_kind(int kind)
{
    return kind == TSK_YYMMDD || kind == TSK_YYSLASH || kind == TSK_MD || kind == TSK_GLOG ||
           kind == TSK_TAI64N;
}

/* Is a form looked for anywhere in the first 128 bytes (not at one token)? */
static int anywhere_kind(int kind)
{
    return kind == TSK_CTIME || kind == TSK_CLF;
}

/* The candidate of kind `only` (0: any kind) starting at s[i], a boundary of token tok. */
static int hit_at(const char *s, size_t n, size_t i, unsigned tok, int only, const TsCtx *cx,
                  Hit *h)
{
    char c = s[i];
    int start = i == 0 || (i == 1 && s[0] == '['); /* where line-start forms may be */
#define TRY(k, call)                                                                               \
    if ((!only || only == (k)) && (call))                                                          \
        return 1;
    if (is_digit(c)) {
        if (start) {
            TRY(TSK_YYMMDD, yymmdd_at(s, n, i, cx, h));
            TRY(TSK_YYSLASH, yyslash_at(s, n, i, cx, h));
            TRY(TSK_MD, md_at(s, n, i, cx, h));
        }
        TRY(TSK_COMPACT, compact_at(s, n, i, cx, h));
        if (!only || only == TSK_YMD || only == TSK_DATE) {
            if (ymd_at(s, n, i, cx, h) && (!only || only == h->kind))
                return 1;
        }
        if (tok <= 1 && (i == 0 || is_blank(s[i - 1])))
            TRY(TSK_EPOCH, epoch_at(s, n, i, h));
        TRY(TSK_CLF, clf_at(s, n, i, h));
    } else if (c >= 'A' && c <= 'Z') {
        if (start)
            TRY(TSK_GLOG, glog_at(s, n, i, cx, h));
        TRY(TSK_CTIME, ctime_at(s, n, i, cx, h));
        TRY(TSK_SYSLOG, syslog_at(s, n, i, cx, h));
    } else if (c == '@' && i == 0) {
        TRY(TSK_TAI64N, tai64n_at(s, n, i, h));
    }
#undef TRY
    return 0;
}

int ts_find_in_line(const char *s, size_t len, const TsCtx *cx, TsForm *form, int64_t *ms)
{
    size_t n = len < TS_READ_LIM ? len : TS_READ_LIM, lim = n < TS_START_LIM ? n : TS_START_LIM;
    unsigned tok = 0;
    int have_date = 0;
    Hit date = {0, 0, 0};
    unsigned date_tok = 0;
    for (size_t i = 0; i < lim && s[i] != '\n'; i++) { /* only the record's first line */
        if (is_blank(s[i]))
            continue;
        if (i > 0 && is_blank(s[i - 1]))
            tok++;
        if (i > 0 && !is_bound(s[i - 1]))
            continue;
        Hit h;
        if (!hit_at(s, n, i, tok, 0, cx, &h))
            continue;
        if (h.kind != TSK_DATE) {
            form->kind = (uint8_t)h.kind;
            form->token = (uint16_t)(anywhere_kind(h.kind) ? 0 : tok);
            *ms = h.ms;
            return 1;
        }
        if (!have_date) {
            have_date = 1;
            date = h;
            date_tok = tok;
        }
    }
    if (!have_date)
        return 0;
    form->kind = TSK_DATE;
    form->token = (uint16_t)date_tok;
    *ms = date.ms;
    return 1;
}

int ts_read_form(const char *s, size_t len, TsForm f, const TsCtx *cx, int64_t *ms)
{
    if (f.kind == TSK_NONE || !len)
        return 0;
    size_t n = len < TS_READ_LIM ? len : TS_READ_LIM, lim = n < TS_START_LIM ? n : TS_START_LIM;
    Hit h;
    if (anywhere_kind(f.kind)) {
        for (size_t i = 0; i < lim && s[i] != '\n'; i++) /* only the record's first line */
            if ((i == 0 || is_bound(s[i - 1])) && !is_blank(s[i]) &&
                hit_at(s, n, i, 0, f.kind, cx, &h)) {
                *ms = h.ms;
                return 1;
            }
        return 0;
    }
    /* the start of token f.token (a line that starts with a blank has an empty token 0);
     * tokens end at blanks, as ts_find_in_line counts them (a CR inside a line is no end:
     * the walk stopped there, and such lines lost the time their own form found) */
    size_t i = 0;
    for (unsigned t = 0; t < f.token; t++) {
        while (i < lim && !is_blank(s[i]) && s[i] != '\n')
            i++;
        while (i < lim && is_blank(s[i]))
            i++;
    }
    if (line_start_kind(f.kind) && i > 0)
        return 0;
    for (size_t j = i; j < lim && !is_blank(s[j]) && s[j] != '\n'; j++)
        if ((j == 0 || is_bound(s[j - 1])) && hit_at(s, n, j, f.token, f.kind, cx, &h)) {
            *ms = h.ms;
            return 1;
        }
    return 0;
}

TsForm ts_sniff_form(const char *p, size_t n, const TsCtx *cx)
{
    enum { MAX_LINES = 100, MAX_FORMS = 16, UNANIMOUS = 8 };
    TsForm forms[MAX_FORMS];
    int votes[MAX_FORMS], nforms = 0, lines = 0;
    for (size_t i = 0; i < n && lines < MAX_LINES;) {
        const char *nl = memchr(p + i, '\n', n - i);
        size_t len = nl ? (size_t)(nl - (p + i)) : n - i;
        const char *line = p + i;
        i += len + 1;
        if (len && line[len - 1] == '\r')
            len--;
        if (!len || line[0] == '{')
            continue; /* blank lines are no records; JSON objects carry their own times */
        lines++;
        TsForm f;
        int64_t ms;
        if (!ts_find_in_line(line, len, cx, &f, &ms))
            continue;
        int k = 0;
        while (k < nforms && (forms[k].kind != f.kind || forms[k].token != f.token))
            k++;
        if (k == nforms) {
            if (nforms == MAX_FORMS)
                continue;
            forms[nforms] = f;
            votes[nforms++] = 0;
        }
        votes[k]++;
        if (lines == UNANIMOUS && nforms == 1 && votes[0] == lines)
            break; /* the first lines agree: the rest cannot outvote them */
    }
    TsForm best = {TSK_NONE, 0};
    int most = 0;
    for (int k = 0; k < nforms; k++)
        if (votes[k] > most) { /* ties: the form seen first */
            most = votes[k];
            best = forms[k];
        }
    return best;
}

int ts_find_in_text(const char *s, size_t len, int64_t *ms)
{
    TsCtx cx = {NULL, 0, (int64_t)time(NULL) * 1000};
    TsForm f;
    return ts_find_in_line(s, len, &cx, &f, ms);
}

const char *ts_kind_name(int kind)
{
    static const char *const names[TSK_NKINDS] = {"none",  "ymd",   "compact", "yymmdd", "yy/mm/dd",
                                                  "mm-dd", "glog",  "tai64n",  "syslog", "ctime",
                                                  "clf",   "epoch", "date"};
    return kind >= 0 && kind < TSK_NKINDS ? names[kind] : "?";
}

int ts_parse_user(const char *s, int64_t now_ms, int64_t *ms)
{
    size_t n = strlen(s);
    if (n == 0)
        return 0;
    if (strcmp(s, "now") == 0) {
        *ms = now_ms;
        return 1;
    }
    if (s[0] == '-' && n >= 3) { /* relative: -<count><unit> */
        char *end;
        long long v = strtoll(s + 1, &end, 10);
        int64_t unit = 0;
        if (end == s + 1 || v < 0)
            return 0;
        if (!strcmp(end, "s"))
            unit = 1000;
        else if (!strcmp(end, "m"))
            unit = 60000;
        else if (!strcmp(end, "h"))
            unit = 3600000;
        else if (!strcmp(end, "d"))
            unit = 86400000;
        else if (!strcmp(end, "w"))
            unit = 7LL * 86400000;
        /* no time before year -292 million: v * unit overflowed (--start -99999999999999999999m) */
        if (!unit || v > (INT64_MAX / 4) / unit)
            return 0;
        *ms = now_ms - (int64_t)v * unit;
        return 1;
    }
    size_t digits = strspn(s, "0123456789");
    if (digits == n) { /* epoch: 10 digits or fewer are seconds, more are milliseconds */
        if (digits > 18)
            return 0; /* beyond year 31 million, and past strtoll's range from 20 digits */
        long long v = strtoll(s, NULL, 10);
        *ms = digits <= 10 ? (int64_t)v * 1000 : (int64_t)v;
        return 1;
    }
    return ts_parse_iso(s, n, ms);
}
