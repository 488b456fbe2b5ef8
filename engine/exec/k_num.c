/* k_num.c -- numeric function kernels: greatest, least, log, sqrt, round, haversine, conversions
 *
 * Part 2 §4.1 of the language reference. An argument is a number through its numeric view
 * (numbers, numeric strings, timestamps as epoch milliseconds); a null, boolean or non-numeric
 * argument gives null (REC of §4.1), and so does a result that is not a finite number (log of
 * 0 or below, sqrt below 0). The conversions (toNumber, toInt, toLong, toDouble) and isNumeric
 * share one reading of text, so isNumeric(x) is true exactly when toNumber(x) is not null: a
 * number in JSON/Insights syntax, white space around it allowed.
 *
 * isNumeric sits here rather than with the other general functions (k_gen.c) so that it and
 * the conversions cannot drift apart.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "base/num.h"
#include "engine/exec/expr.h"
#include "engine/exec/kern.h"

/* A numeric argument of the math functions (numbers, numeric strings, timestamps), or 0. */
static int arg_num(const KArgs *a, int k, uint32_t row, double *x)
{
    const Datum *d = VGET(a->args[k], row);
    return d->type != VT_NULL && d->type != VT_BOOL && val_as_number(d, x) && !isnan(*x);
}

static Datum finite_or_null(double x)
{
    return isfinite(x) ? val_num(x) : val_null();
}

/* ===== greatest, least ===== */

/* The largest (sign 1) or smallest (sign -1) argument; null when any argument is null or not
 * numeric. A winning input number keeps its text (L11); the first of equal values wins. */
static void extreme(const KArgs *a, int sign)
{
    FOR_ROWS(a->b)
    {
        const Datum *best = NULL;
        double bx = 0, x;
        int k;
        for (k = 0; k < a->nargs; k++) {
            if (!arg_num(a, k, row, &x))
                break;
            if (!best || (sign > 0 ? x > bx : x < bx)) {
                best = VGET(a->args[k], row);
                bx = x;
            }
        }
        if (k < a->nargs || !best)
            a->out->d[row] = val_null();
        else
            a->out->d[row] = best->type == VT_NUM ? *best : val_num(bx);
    }
}

void k_fn_greatest(const KArgs *a)
{
    extreme(a, 1);
}

void k_fn_least(const KArgs *a)
{
    extreme(a, -1);
}

/* ===== log, sqrt ===== */

/* Natural logarithm; null for 0 and below (log(0) would be -Infinity). */
void k_fn_log(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        double x;
        a->out->d[row] = arg_num(a, 0, row, &x) && x > 0 ? finite_or_null(log(x)) : val_null();
    }
}

/* Square root; null below 0 (REC of §4.1). */
void k_fn_sqrt(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        double x;
        a->out->d[row] = arg_num(a, 0, row, &x) && x >= 0 ? finite_or_null(sqrt(x)) : val_null();
    }
}

/* ===== round ===== */

/* x rounded to d decimal places (d < 0: to tens, hundreds, ...), half away from zero, applied to
 * the decimal digits that print for x (its shortest round-trip form), not to its binary value:
 * round(2.675, 2) is 2.68 and round(1.005, 2) is 1.01, as the numbers read, although the nearest
 * doubles lie just below those halves. */
static double round_dec(double x, int d)
{
    char tmp[64];
    int prec;
    if (!isfinite(x) || x == 0)
        return x;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, x);
        if (strtod(tmp, NULL) == x)
            break;
    }
    /* tmp = [-]D[.DDD]e[+-]XX: the digits D0 D1 ... with D0 in the 10^exp10 place */
    char *e = strchr(tmp, 'e');
    int exp10 = atoi(e + 1), neg = tmp[0] == '-';
    char digits[24];
    int nd = 0;
    for (char *p = tmp + neg; p < e; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    int keep = exp10 + 1 + d; /* digits that stay */
    if (keep >= nd)
        return x;
    if (keep < 0)
        return 0;
    /* the kept digits as an integer (one spare leading digit for a carry), then scaled */
    char num[32];
    num[0] = '0';
    memcpy(num + 1, digits, (size_t)keep);
    int len = keep + 1;
    if (digits[keep] >= '5') {
        int i = len - 1;
        while (num[i] == '9')
            num[i--] = '0';
        num[i]++;
    }
    snprintf(num + len, sizeof(num) - (size_t)len, "e%d", exp10 + 1 - keep);
    double r = strtod(num, NULL);
    return neg ? -r : r;
}

/* round(a [, d]): to d decimal places, 0 by default; d is truncated to an integer. */
void k_fn_round(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        double x, d = 0;
        if (!arg_num(a, 0, row, &x) || (a->nargs > 1 && !arg_num(a, 1, row, &d))) {
            a->out->d[row] = val_null();
            continue;
        }
        d = trunc(d);
        if (d > 400)
            d = 400;
        if (d < -400)
            d = -400;
        double r = round_dec(x, (int)d);
        a->out->d[row] = val_num(r == 0 ? 0 : r); /* no -0 */
    }
}

/* ===== haversine ===== */

/* The mean Earth radius of IUGG, the usual haversine constant; AWS does not name its own. */
#define EARTH_KM 6371.0

/* haversine(lat1, lon1, lat2, lon2): great-circle distance in km between two points given in
 * degrees. */
void k_fn_haversine(const KArgs *a)
{
    const double rad = M_PI / 180;
    FOR_ROWS(a->b)
    {
        double p[4];
        int k;
        for (k = 0; k < 4 && arg_num(a, k, row, &p[k]); k++)
            ;
        if (k < 4) {
            a->out->d[row] = val_null();
            continue;
        }
        double dlat = (p[2] - p[0]) * rad, dlon = (p[3] - p[1]) * rad;
        double h = sin(dlat / 2) * sin(dlat / 2) +
                   cos(p[0] * rad) * cos(p[2] * rad) * sin(dlon / 2) * sin(dlon / 2);
        if (h > 1)
            h = 1;
        a->out->d[row] = finite_or_null(2 * EARTH_KM * asin(sqrt(h)));
    }
}

/* ===== Conversions ===== */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The value of d as the conversions read it: numbers and timestamps as they are, strings in
 * number syntax (num_parse) with white space around allowed; booleans and other text: 0. When
 * the text is an integer, *s and *n delimit it (for exact 64-bit reading), else *s is NULL. */
static int conv(const Datum *d, double *x, const char **s, size_t *n)
{
    size_t len;
    const char *t;
    *s = NULL;
    switch (d->type) {
    case VT_TS:
        val_as_number(d, x);
        return 1;
    case VT_NUM:
        *x = d->v.f;
        if (!d->s)
            return 1;
        t = d->s; /* an input number: its text, for exact integers */
        len = d->len;
        break;
    case VT_STR:
        t = d->s ? d->s : "";
        len = d->len;
        while (len && is_space(*t))
            t++, len--;
        while (len && is_space(t[len - 1]))
            len--;
        if (!num_parse(t, len, x))
            return 0;
        break;
    default:
        return 0;
    }
    size_t i = len && (t[0] == '-' || t[0] == '+');
    while (i < len && t[i] >= '0' && t[i] <= '9')
        i++;
    if (i == len) {
        *s = t;
        *n = len;
    }
    return 1;
}

/* toNumber(s), toDouble(s): the number s holds, else null. */
static void to_double(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        double x;
        const char *s;
        size_t n;
        a->out->d[row] = conv(VGET(a->args[0], row), &x, &s, &n) ? val_num(x) : val_null();
    }
}

void k_fn_toNumber(const KArgs *a)
{
    to_double(a);
}

void k_fn_toDouble(const KArgs *a)
{
    to_double(a);
}

/* toInt(s): the number truncated toward zero, null outside the 32-bit range. */
void k_fn_toInt(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        double x;
        const char *s;
        size_t n;
        a->out->d[row] = val_null();
        if (!conv(VGET(a->args[0], row), &x, &s, &n))
            continue;
        x = trunc(x);
        if (x >= -2147483648.0 && x <= 2147483647.0)
            a->out->d[row] = val_num(x == 0 ? 0 : x);
    }
}

/* toLong(s): the number truncated toward zero, null outside the 64-bit range. An integer
 * written in the text is read exactly, and past 2^53 (where doubles skip integers) the result
 * keeps that exact text for output (L11). */
void k_fn_toLong(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        double x;
        const char *s;
        size_t n;
        a->out->d[row] = val_null();
        if (!conv(VGET(a->args[0], row), &x, &s, &n))
            continue;
        if (s) {
            char tmp[32];
            size_t k = 0, i = s[0] == '-' || s[0] == '+';
            if (s[0] == '-')
                tmp[k++] = '-';
            while (i + 1 < n && s[i] == '0') /* leading zeros */
                i++;
            if (n - i > 19)
                continue; /* more digits than any 64-bit number */
            memcpy(tmp + k, s + i, n - i);
            tmp[k + n - i] = 0;
            errno = 0;
            long long v = strtoll(tmp, NULL, 10);
            if (errno == ERANGE)
                continue;
            Datum r = val_num((double)v);
            if (v > (1LL << 53) || v < -(1LL << 53)) {
                char txt[24];
                int tn = snprintf(txt, sizeof(txt), "%lld", v);
                r.s = apr_pstrmemdup(a->b->pool, txt, (size_t)tn);
                r.len = (uint32_t)tn;
            }
            a->out->d[row] = r;
            continue;
        }
        x = trunc(x);
        if (x >= -9223372036854775808.0 && x < 9223372036854775808.0)
            a->out->d[row] = val_num(x == 0 ? 0 : x);
    }
}

/* isNumeric(f): true when toNumber(f) would give a number (booleans: false). */
void k_fn_isNumeric(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        double x;
        const char *s;
        size_t n;
        const Datum *d = VGET(a->args[0], row);
        a->out->d[row] = d->type == VT_NULL ? val_null() : val_bool(conv(d, &x, &s, &n));
    }
}
