/* k_time.c -- datetime function kernels: bin, datefloor, dateceil, fromMillis, toMillis, now
 *
 * Periods arrive as constants checked by sema (> 0 milliseconds, < 0 months; see ts.h). A
 * value becomes a time through its numeric view: timestamps, and numbers read as epoch
 * milliseconds. Results of bin/datefloor/dateceil/fromMillis keep the timestamp type (L12).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <apr_strings.h>
#include "base/civil.h"
#include "engine/exec/expr.h"
#include "engine/exec/kern.h"
#include "engine/input/ts.h"

static int as_ms(const Datum *d, int64_t *ms)
{
    double f;
    if (d->type == VT_NULL || d->type == VT_BOOL || !val_as_number(d, &f) || !isfinite(f) ||
        fabs(f) > 9e15)
        return 0;
    *ms = (int64_t)floor(f);
    return 1;
}

static void round_to(const KArgs *a, int ts_arg, int ceil_)
{
    FOR_ROWS(a->b)
    {
        int64_t ms;
        const Datum *p = VGET(a->args[ts_arg + 1], row);
        if (!as_ms(VGET(a->args[ts_arg], row), &ms) || p->type != VT_NUM) {
            a->out->d[row] = val_null();
            continue;
        }
        a->out->d[row] = val_ts(ceil_ ? ts_ceil(ms, p->v.f) : ts_floor(ms, p->v.f));
    }
}

/* bin(period [, offset]): the compiler passes @timestamp as the first argument; an offset
 * shifts the bin boundaries: floor(t - offset) + offset. */
void k_fn_bin(const KArgs *a)
{
    if (a->nargs < 3) {
        round_to(a, 0, 0);
        return;
    }
    FOR_ROWS(a->b)
    {
        int64_t ms;
        const Datum *p = VGET(a->args[1], row), *off = VGET(a->args[2], row);
        if (!as_ms(VGET(a->args[0], row), &ms) || p->type != VT_NUM || off->type != VT_NUM) {
            a->out->d[row] = val_null();
            continue;
        }
        int64_t o = (int64_t)off->v.f;
        a->out->d[row] = val_ts(ts_floor(ms - o, p->v.f) + o);
    }
}

void k_fn_datefloor(const KArgs *a)
{
    round_to(a, 0, 0);
}

void k_fn_dateceil(const KArgs *a)
{
    round_to(a, 0, 1);
}

void k_fn_fromMillis(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        int64_t ms;
        a->out->d[row] = as_ms(VGET(a->args[0], row), &ms) ? val_ts(ms) : val_null();
    }
}

void k_fn_toMillis(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        int64_t ms;
        a->out->d[row] = as_ms(VGET(a->args[0], row), &ms) ? val_num((double)ms) : val_null();
    }
}

/* now() is folded to a constant at compile time (one value for the whole query); this kernel
 * only runs if that folding is bypassed. */
void k_fn_now(const KArgs *a)
{
    double t = (double)time(NULL);
    FOR_ROWS(a->b) a->out->d[row] = val_num(t);
}

/* ===== formatDate / parseDate ===== */

/* A zone argument: "UTC", "Z", "GMT", or an offset +HH:MM / -HHMM / +HH. 0 when unknown. */
static int zone_minutes(const Datum *d, int *minutes)
{
    *minutes = 0;
    if (!d || d->type == VT_NULL)
        return 1;
    if (d->type != VT_STR)
        return 0;
    const char *s = d->s;
    size_t n = d->len;
    if ((n == 3 && (!strncasecmp(s, "UTC", 3) || !strncasecmp(s, "GMT", 3))) ||
        (n == 1 && (s[0] == 'Z' || s[0] == 'z')))
        return 1;
    if (n >= 3 && (s[0] == '+' || s[0] == '-') && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
        s[2] <= '9') {
        int h = (s[1] - '0') * 10 + (s[2] - '0'), m = 0;
        size_t i = 3;
        if (i < n && s[i] == ':')
            i++;
        if (i + 1 < n + 1 && i + 2 <= n && s[i] >= '0' && s[i] <= '9')
            m = (s[i] - '0') * 10 + (s[i + 1] - '0');
        *minutes = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
        return 1;
    }
    return 0;
}

static void format_one(const KArgs *a, uint32_t row)
{
    int64_t ms;
    int off;
    const Datum *f = VGET(a->args[1], row);
    if (!as_ms(VGET(a->args[0], row), &ms) || f->type != VT_STR ||
        !zone_minutes(a->nargs > 2 ? VGET(a->args[2], row) : NULL, &off)) {
        a->out->d[row] = val_null();
        return;
    }
    int64_t local = ms + (int64_t)off * 60000;
    int64_t days = local >= 0 ? local / 86400000 : -((-local + 86399999) / 86400000);
    int64_t rem = local - days * 86400000;
    int y;
    unsigned mo, d;
    civil_date(days, &y, &mo, &d);
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = (int)mo - 1;
    tm.tm_mday = (int)d;
    tm.tm_hour = (int)(rem / 3600000);
    tm.tm_min = (int)(rem / 60000 % 60);
    tm.tm_sec = (int)(rem / 1000 % 60);
    tm.tm_wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
    tm.tm_yday = (int)(days - civil_days(y, 1, 1));
    /* the query gives the format, of any length: short ones on the stack, longer ones in the
     * batch pool; the output grows until strftime fits it (0 is also an empty result: the
     * growth stops at 64 bytes per format byte, more than any conversion writes) */
    char sfmt[256], sout[512];
    char *fmt = f->len < sizeof(sfmt) ? sfmt : apr_palloc(a->b->pool, f->len + 1);
    memcpy(fmt, f->s, f->len);
    fmt[f->len] = 0;
    char *out = sout;
    size_t cap = sizeof(sout), n;
    for (;;) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        n = strftime(out, cap, fmt, &tm); /* stays within out whatever fmt holds */
#pragma GCC diagnostic pop
        if (n > 0 || cap > 64 * ((size_t)f->len + 16))
            break;
        cap *= 4;
        out = apr_palloc(a->b->pool, cap);
    }
    a->out->d[row] = val_str(apr_pstrmemdup(a->b->pool, out, n), n);
}

void k_fn_formatDate(const KArgs *a)
{
    FOR_ROWS(a->b) format_one(a, row);
}

void k_fn_strftime(const KArgs *a)
{
    FOR_ROWS(a->b) format_one(a, row);
}

static int digits(const char *s, size_t n, size_t *i, int max, int *v)
{
    int k = 0;
    *v = 0;
    while (*i < n && k < max && s[*i] >= '0' && s[*i] <= '9') {
        *v = *v * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    return k > 0;
}

/* Reads s with a Java DateTimeFormatter pattern: y year, M month (MM digits, MMM names),
 * d day, H hour, m minute, s second, S fraction, X/x/Z offset, 'quoted' and other literal
 * characters. Returns 1 with *ms, or 0 when s does not fit the pattern. */
static int java_parse(const char *s, size_t n, const char *f, size_t fn, int zone, int64_t *ms)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int y = 1970, mo = 1, d = 1, h = 0, mi = 0, sec = 0, frac = 0, off = zone, v;
    size_t i = 0, k = 0;
    while (k < fn) {
        char c = f[k];
        size_t run = 1;
        while (k + run < fn && f[k + run] == c)
            run++;
        if (c == '\'') { /* quoted literal text; '' is a quote */
            size_t e = k + 1;
            while (e < fn && f[e] != '\'')
                e++;
            size_t l = e - k - 1;
            if (l == 0) {
                if (i >= n || s[i] != '\'')
                    return 0;
                i++;
            } else {
                if (i + l > n || memcmp(s + i, f + k + 1, l) != 0)
                    return 0;
                i += l;
            }
            k = e + 1;
            continue;
        }
        switch (c) {
        case 'y':
        case 'u':
            if (!digits(s, n, &i, run == 2 ? 2 : 9, &v))
                return 0;
            y = run == 2 ? 2000 + v : v;
            break;
        case 'M':
            if (run >= 3) {
                int found = 0;
                for (int m = 0; m < 12 && !found; m++)
                    if (i + 3 <= n && strncasecmp(s + i, months + 3 * m, 3) == 0) {
                        mo = m + 1;
                        i += 3;
                        found = 1;
                    }
                if (!found)
                    return 0;
                while (run > 3 && i < n && ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
                    i++; /* full month names */
            } else if (!digits(s, n, &i, 2, &mo)) {
                return 0;
            }
            break;
        case 'd':
            if (!digits(s, n, &i, 2, &d))
                return 0;
            break;
        case 'H':
            if (!digits(s, n, &i, 2, &h))
                return 0;
            break;
        case 'm':
            if (!digits(s, n, &i, 2, &mi))
                return 0;
            break;
        case 's':
            if (!digits(s, n, &i, 2, &sec))
                return 0;
            break;
        case 'S': {
            size_t b = i;
            if (!digits(s, n, &i, (int)run, &v))
                return 0;
            size_t got = i - b;
            frac = v;
            while (got < 3) {
                frac *= 10;
                got++;
            }
            while (got > 3) {
                frac /= 10;
                got--;
            }
            break;
        }
        case 'X':
        case 'x':
        case 'Z':
            if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
                off = 0;
                i++;
            } else {
                Datum z = val_str(s + i, n - i < 6 ? n - i : 6);
                size_t e = i + 1;
                while (e < n && ((s[e] >= '0' && s[e] <= '9') || s[e] == ':') && e - i < 6)
                    e++;
                z.len = (uint32_t)(e - i);
                if (!zone_minutes(&z, &off))
                    return 0;
                i = e;
            }
            break;
        default: /* a literal character */
            for (size_t r = 0; r < run; r++) {
                if (i >= n || s[i] != c)
                    return 0;
                i++;
            }
            break;
        }
        k += run;
    }
    if (i != n || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return 0;
    int64_t days = civil_days(y, (unsigned)mo, (unsigned)d);
    *ms = ((days * 24 + h) * 60 + mi - off) * 60000 + (int64_t)sec * 1000 + frac;
    return 1;
}

void k_fn_parseDate(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        const Datum *s = VGET(a->args[0], row), *f = VGET(a->args[1], row);
        int zone;
        int64_t ms;
        if (s->type != VT_STR || f->type != VT_STR ||
            !zone_minutes(a->nargs > 2 ? VGET(a->args[2], row) : NULL, &zone) ||
            !java_parse(s->s, s->len, f->s, f->len, zone, &ms)) {
            a->out->d[row] = val_null();
            continue;
        }
        a->out->d[row] = val_num((double)ms);
    }
}

/* queryStartTime(), queryEndTime(), queryTimeRange(): the compiler passes the slot the range
 * operator filled (op_range_new) as the one argument; the value is the query's. */
static void pass_through(const KArgs *a)
{
    FOR_ROWS(a->b)
    a->out->d[row] = *VGET(a->args[0], row);
}

void k_fn_queryStartTime(const KArgs *a)
{
    pass_through(a);
}

void k_fn_queryEndTime(const KArgs *a)
{
    pass_through(a);
}

void k_fn_queryTimeRange(const KArgs *a)
{
    pass_through(a);
}
