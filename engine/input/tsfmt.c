/* tsfmt.c -- strptime-like timestamp formats (see tsfmt.h)
 *
 * Written by hand rather than with strptime(3): thread-safe, independent of the locale and of
 * the process's TZ, and it reports how many bytes matched.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include "base/civil.h"
#include "engine/input/ts.h"
#include "engine/input/tsfmt.h"

static const char *const months[] = {"january",   "february", "march",    "april",
                                     "may",       "june",     "july",     "august",
                                     "september", "october",  "november", "december"};
static const char *const wdays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                    "friday", "saturday", "sunday"};

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int is_blank(int c)
{
    return c == ' ' || c == '\t';
}

/* Up to max digits at s[*i] (at least one); advances *i. */
static int num(const char *s, size_t n, size_t *i, int max, int64_t *v)
{
    int k = 0;
    int64_t x = 0;
    while (k < max && *i < n && s[*i] >= '0' && s[*i] <= '9') {
        x = x * 10 + (s[(*i)++] - '0');
        k++;
    }
    *v = x;
    return k > 0;
}

/* A name from the table, full or its first three letters, any case: its index, or -1. */
static int name(const char *s, size_t n, size_t *i, const char *const *tab, int ntab)
{
    for (int t = 0; t < ntab; t++) {
        size_t len = strlen(tab[t]), k = 0;
        while (k < len && *i + k < n && lower((unsigned char)s[*i + k]) == tab[t][k])
            k++;
        if (k == len || k == 3) {
            *i += k;
            return t;
        }
    }
    return -1;
}

/* Z, +hh, +hhmm, +hh:mm: minutes east of UTC. */
static int zone_off(const char *s, size_t n, size_t *i, int64_t *min)
{
    if (*i < n && (s[*i] == 'Z' || s[*i] == 'z')) {
        (*i)++;
        *min = 0;
        return 1;
    }
    if (*i >= n || (s[*i] != '+' && s[*i] != '-'))
        return 0;
    int sign = s[*i] == '-' ? -1 : 1;
    size_t j = *i + 1, st = j;
    int64_t h, m = 0;
    if (!num(s, n, &j, 2, &h) || j - st != 2)
        return 0;
    if (j < n && s[j] == ':')
        j++;
    size_t ms = j;
    if (num(s, n, &j, 2, &m) && j - ms != 2)
        return 0;
    *min = sign * (h * 60 + m);
    *i = j;
    return 1;
}

/* The directives a format may use (tsfmt_check). */
static const char known[] = "YymdejHIMSfpbBhaAzZsTFDRnt%";

int tsfmt_check(const char *fmt, char *err, size_t errlen)
{
    int any = 0;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        if (!p[1] || !strchr(known, p[1])) {
            snprintf(err, errlen,
                     "unknown directive '%%%.1s' (known: %%Y %%y %%m %%d %%e %%j "
                     "%%H %%I %%M %%S %%f %%p %%b %%B %%a %%z %%Z %%s %%T %%F %%D "
                     "%%R %%%%)",
                     p[1] ? p + 1 : "");
            return 0;
        }
        any |= p[1] != '%' && p[1] != 'n' && p[1] != 't';
        p++;
    }
    if (!any) {
        snprintf(err, errlen, "%s", "it has no % directive, so it reads no time");
        return 0;
    }
    return 1;
}

/* The date of a format that has no year (or no date at all): the rule of L20 for years
 * (ts_year: --year, else the reference date's year, or the one before when the date would fall
 * after it), and the reference's day for a time of day alone. Never 1970 by default. */
static void complete_date(const TsCtx *cx, int has_date, int64_t yday, int64_t tod, int64_t *y,
                          int64_t *mo, int64_t *d)
{
    int64_t ref = cx ? cx->ref_ms : 0, rday = ref / 86400000 - (ref % 86400000 < 0);
    int ry;
    unsigned rm, rd;
    civil_date(rday, &ry, &rm, &rd);
    if (!has_date) { /* a time of day alone: the reference's day */
        *y = cx && cx->year > 0 ? cx->year : ry;
        *mo = rm;
        *d = rd;
        return;
    }
    if (yday > 0) {
        *y = cx && cx->year > 0 ? cx->year : ry;
        if (!(cx && cx->year > 0) &&
            (civil_days(*y, 1, 1) + yday - 1) * 86400000 + tod > ref + 86400000)
            (*y)--;
        return;
    }
    *y = ts_year(cx, (int)*mo, (int)*d, tod);
}

size_t tsfmt_parse(const char *fmt, const char *s, size_t n, const TsCtx *cx, int64_t *ms)
{
    int64_t y = 1970, mo = 1, d = 1, h = 0, mi = 0, sec = 0, frac = 0, yday = -1, zmin = 0,
            epoch = 0, v;
    int pm = -1, zoned = 0, has_epoch = 0, has_year = 0, has_date = 0;
    const TsZone *zone = cx ? cx->zone : NULL;
    size_t i = 0;
    /* the composite directives (%T %F %D %R) are read as what they stand for, in place: a
     * format may be any length */
    const char *p = fmt, *back = NULL; /* back: where fmt resumes after a composite */
    for (;; p++) {
        if (!*p && back) {
            p = back;
            back = NULL;
        }
        if (!*p)
            break;
        if (*p == '%' && !back) {
            const char *rep = p[1] == 'T'   ? "%H:%M:%S"
                              : p[1] == 'F' ? "%Y-%m-%d"
                              : p[1] == 'D' ? "%m/%d/%y"
                              : p[1] == 'R' ? "%H:%M"
                                            : NULL;
            if (rep) {
                back = p + 2;
                p = rep;
            }
        }
        if (*p == ' ' || (*p == '%' && (p[1] == 'n' || p[1] == 't'))) {
            while (i < n && is_blank((unsigned char)s[i]))
                i++;
            if (*p == '%')
                p++;
            continue;
        }
        if (*p != '%') {
            if (i >= n || s[i] != *p)
                return 0;
            i++;
            continue;
        }
        p++;
        size_t at = i;
        switch (*p) {
        case 'Y':
            if (i < n && (s[i] == '-' || s[i] == '+'))
                return 0;
            if (!num(s, n, &i, 4, &y))
                return 0;
            has_year = 1;
            break;
        case 'y':
            if (!num(s, n, &i, 2, &v) || i - at != 2)
                return 0;
            y = v < 69 ? 2000 + v : 1900 + v;
            has_year = 1;
            break;
        case 'm':
            if (!num(s, n, &i, 2, &mo) || mo < 1 || mo > 12)
                return 0;
            has_date = 1;
            break;
        case 'e':
            if (i < n && s[i] == ' ')
                i++;
            __attribute__((fallthrough));
        case 'd':
            if (!num(s, n, &i, 2, &d) || d < 1 || d > 31)
                return 0;
            has_date = 1;
            break;
        case 'j':
            if (!num(s, n, &i, 3, &yday) || yday < 1 || yday > 366)
                return 0;
            has_date = 1;
            break;
        case 'H':
            if (!num(s, n, &i, 2, &h) || h > 23)
                return 0;
            break;
        case 'I':
            if (!num(s, n, &i, 2, &h) || h < 1 || h > 12)
                return 0;
            break;
        case 'M':
            if (!num(s, n, &i, 2, &mi) || mi > 59)
                return 0;
            break;
        case 'S':
            if (!num(s, n, &i, 2, &sec) || sec > 60)
                return 0;
            break;
        case 'f': {
            int k = 0;
            int64_t scale = 100;
            frac = 0;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (k++ < 3) {
                    frac += (s[i] - '0') * scale;
                    scale /= 10;
                }
                i++;
            }
            if (!k)
                return 0;
            break;
        }
        case 'p':
            if (i + 1 < n &&
                (lower((unsigned char)s[i]) == 'a' || lower((unsigned char)s[i]) == 'p') &&
                lower((unsigned char)s[i + 1]) == 'm') {
                pm = lower((unsigned char)s[i]) == 'p';
                i += 2;
            } else {
                return 0;
            }
            break;
        case 'b':
        case 'B':
        case 'h': {
            int m = name(s, n, &i, months, 12);
            if (m < 0)
                return 0;
            mo = m + 1;
            has_date = 1;
            break;
        }
        case 'a':
        case 'A':
            if (name(s, n, &i, wdays, 7) < 0)
                return 0;
            break;
        case 'z':
            if (!zone_off(s, n, &i, &zmin))
                return 0;
            zoned = 1;
            break;
        case 'Z':
            if (i + 3 <= n && (!memcmp(s + i, "UTC", 3) || !memcmp(s + i, "GMT", 3)))
                i += 3;
            else if (i < n && s[i] == 'Z')
                i++;
            else
                return 0;
            zmin = 0;
            zoned = 1;
            break;
        case 's': {
            int neg = i < n && s[i] == '-';
            if (neg)
                i++;
            if (!num(s, n, &i, 12, &epoch))
                return 0;
            if (neg)
                epoch = -epoch;
            has_epoch = 1;
            break;
        }
        case '%':
            if (i >= n || s[i] != '%')
                return 0;
            i++;
            break;
        default:
            return 0;
        }
    }
    if (has_epoch) {
        *ms = epoch * 1000 + frac;
        return i;
    }
    if (pm >= 0)
        h = h % 12 + (pm ? 12 : 0);
    if (!has_year)
        complete_date(cx, has_date, yday, ((h * 60 + mi) * 60 + sec) * 1000 + frac, &y, &mo, &d);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t days;
    if (yday > 0) {
        days = civil_days(y, 1, 1) + yday - 1;
    } else {
        if (d > mdays[mo - 1] ||
            (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)))
            return 0;
        days = civil_days(y, (unsigned)mo, (unsigned)d);
    }
    int64_t t = ((days * 24 + h) * 60 + mi) * 60000 + sec * 1000 + frac;
    if (zoned)
        t -= zmin * 60000;
    else if (zone)
        t = tz_local_to_utc(zone, t);
    *ms = t;
    return i;
}
