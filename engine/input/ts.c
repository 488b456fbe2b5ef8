/* ts.c -- timestamp recognition (see ts.h)
 *
 * Hand-written scanners rather than strptime: they run once per record on the scan path, must
 * not depend on the locale, and must accept the variants real logs use (comma before the
 * milliseconds, 'T' or a space between date and time, any number of fraction digits).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
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

static int month_of(const char *s)
{
    static const char *names = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int i = 0; i < 12; i++)
        if (memcmp(s, names + 3 * i, 3) == 0)
            return i + 1;
    return 0;
}

/* Apache/CLF: 10/Oct/2000:13:55:36 -0700 */
static int clf_at(const char *s, size_t len, int64_t *ms)
{
    int d, y, h, mi, sec, oh, om;
    if (len < 26 || !dig(s, len, 0, 2, &d) || s[2] != '/' || s[6] != '/' || !dig(s, len, 7, 4, &y) ||
        s[11] != ':' || !dig(s, len, 12, 2, &h) || s[14] != ':' || !dig(s, len, 15, 2, &mi) ||
        s[17] != ':' || !dig(s, len, 18, 2, &sec) || s[20] != ' ' ||
        (s[21] != '+' && s[21] != '-') || !dig(s, len, 22, 2, &oh) || !dig(s, len, 24, 2, &om))
        return 0;
    int mo = month_of(s + 3);
    if (!mo)
        return 0;
    int64_t off = (s[21] == '-' ? -1 : 1) * (oh * 60 + om);
    int64_t days = civil_days(y, (unsigned)mo, (unsigned)d);
    *ms = ((days * 24 + h) * 60 + mi - off) * 60000 + (int64_t)sec * 1000;
    return 1;
}

/* The first timestamp in the first 128 bytes: ISO 8601 anywhere, Apache/CLF in brackets, or a
 * leading epoch number of 10 (s) or 13 (ms) digits. */
int ts_find_in_text(const char *s, size_t len, int64_t *ms)
{
    return ts_find_in_text_in(s, len, NULL, ms);
}

int ts_find_in_text_in(const char *s, size_t len, const struct TsZone *z, int64_t *ms)
{
    size_t lim = len < 128 ? len : 128;
    /* leading epoch */
    size_t nd = 0;
    while (nd < lim && s[nd] >= '0' && s[nd] <= '9')
        nd++;
    if ((nd == 10 || nd == 13) && (nd == len || s[nd] == ' ' || s[nd] == '\t' || s[nd] == '.')) {
        int64_t v = 0;
        for (size_t i = 0; i < nd; i++)
            v = v * 10 + (s[i] - '0');
        *ms = nd == 10 ? v * 1000 : v;
        if (nd == 10 && nd < len && s[nd] == '.') { /* 1714557600.123: the fraction's ms */
            int64_t scale = 100;
            for (size_t i = nd + 1; i < len && s[i] >= '0' && s[i] <= '9' && scale; i++) {
                *ms += (s[i] - '0') * scale;
                scale /= 10;
            }
        }
        return 1;
    }
    for (size_t i = 0; i + 10 <= lim; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
                continue;
            size_t used;
            int zoned;
            if (s[i + 4] == '-' && iso_at(s + i, len - i, ms, &used, &zoned)) {
                if (!zoned && z)
                    *ms = tz_local_to_utc(z, *ms);
                return 1;
            }
        } else if (c == '[' && clf_at(s + i + 1, len - i - 1, ms)) {
            return 1;
        }
    }
    return 0;
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
        if (!unit)
            return 0;
        *ms = now_ms - (int64_t)v * unit;
        return 1;
    }
    size_t digits = strspn(s, "0123456789");
    if (digits == n) { /* epoch: 10 digits or fewer are seconds, more are milliseconds */
        long long v = strtoll(s, NULL, 10);
        *ms = digits <= 10 ? (int64_t)v * 1000 : (int64_t)v;
        return 1;
    }
    return ts_parse_iso(s, n, ms);
}
