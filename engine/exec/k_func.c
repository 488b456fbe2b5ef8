/* k_func.c -- scalar function kernels (see kern.h), in the order of parser/functions.def
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <ctype.h>
#include <math.h>
#include <string.h>
#include <locale.h>
#include <wctype.h>
#include <apr_strings.h>
#include "engine/exec/expr.h"
#include "engine/exec/kern.h"
#include "base/span.h"

#define FK_SCALAR_K(kernel) k_fn_##kernel,
#define FK_AGG_K(kernel) NULL,
const KFn k_fn_table[FN__COUNT] = {
#define FN(name, kind, min, max, kernel, syn, doc) kind##_K(kernel)
#include "parser/functions.def"
#undef FN
};
#undef FK_SCALAR_K
#undef FK_AGG_K

static const char *text_of(const KArgs *a, const Datum *d, size_t *len)
{
    return val_text(d, a->scratch, len);
}

static char *pdup(const KArgs *a, const char *s, size_t n)
{
    return apr_pstrmemdup(a->b->pool, s, n);
}

static size_t utf8_put(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ===== General ===== */

void k_fn_ispresent(const KArgs *a)
{
    FOR_ROWS(a->b) a->out->d[row] = val_bool(VGET(a->args[0], row)->type != VT_NULL);
}

void k_fn_coalesce(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        a->out->d[row] = val_null();
        for (int k = 0; k < a->nargs; k++) {
            const Datum *d = VGET(a->args[k], row);
            if (d->type != VT_NULL) {
                a->out->d[row] = *d;
                break;
            }
        }
    }
}

/* ===== String ===== */

void k_fn_isempty(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        const Datum *d = VGET(a->args[0], row);
        size_t n = 0;
        if (d->type != VT_NULL)
            text_of(a, d, &n);
        a->out->d[row] = val_num(d->type == VT_NULL || n == 0);
    }
}

void k_fn_isblank(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        const Datum *d = VGET(a->args[0], row);
        int blank = 1;
        if (d->type != VT_NULL) {
            size_t n;
            const char *s = text_of(a, d, &n);
            for (size_t k = 0; k < n && blank; k++)
                blank = s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r' ||
                        s[k] == '\f' || s[k] == '\v';
        }
        a->out->d[row] = val_num(blank);
    }
}

void k_fn_concat(const KArgs *a)
{
    LiqBuf acc = {0};
    FOR_ROWS(a->b)
    {
        acc.len = 0;
        for (int k = 0; k < a->nargs; k++) {
            const Datum *d = VGET(a->args[k], row);
            if (d->type == VT_NULL)
                continue; /* null counts as "" (L25) */
            size_t n;
            const char *s = text_of(a, d, &n);
            buf_add(&acc, s, n);
        }
        a->out->d[row] = val_str(acc.len ? pdup(a, acc.p, acc.len) : "", acc.len);
    }
    buf_free(&acc);
}

void k_fn_strlen(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        const Datum *d = VGET(a->args[0], row);
        if (d->type == VT_NULL) {
            a->out->d[row] = val_null();
            continue;
        }
        size_t n, cps = 0;
        const char *s = text_of(a, d, &n);
        for (size_t k = 0; k < n; k++)
            cps += ((unsigned char)s[k] & 0xC0) != 0x80;
        a->out->d[row] = val_num((double)cps);
    }
}

/* Unicode case mapping through the C.UTF-8 locale object compiled with the call (KArgs.aux,
 * expr.c: towupper_l, no global locale change, safe in every worker). Bytes that are not
 * valid UTF-8 pass through. */
static void change_case(const KArgs *a, int upper)
{
    locale_t loc = (locale_t)a->aux;
    FOR_ROWS(a->b)
    {
        const Datum *d = VGET(a->args[0], row);
        if (d->type == VT_NULL) {
            a->out->d[row] = val_null();
            continue;
        }
        size_t n;
        const char *s = text_of(a, d, &n);
        char *o = apr_palloc(a->b->pool, n * 2 + 1); /* a mapped character takes <= 2x bytes */
        size_t k = 0;
        for (size_t i = 0; i < n;) {
            unsigned char c = (unsigned char)s[i];
            if (c < 0x80) {
                o[k++] = (char)(upper ? toupper(c) : tolower(c));
                i++;
                continue;
            }
            size_t adv;
            uint32_t cp = span_utf8_decode(s + i, n - i, &adv);
            if (cp == 0xFFFD && adv == 1) { /* invalid byte: kept as it is */
                o[k++] = s[i++];
                continue;
            }
            uint32_t m = cp;
            if (loc)
                m = (uint32_t)(upper ? towupper_l((wint_t)cp, loc) : towlower_l((wint_t)cp, loc));
            k += utf8_put(o + k, m);
            i += adv;
        }
        a->out->d[row] = val_str(o, k);
    }
}

void k_fn_tolower(const KArgs *a)
{
    change_case(a, 0);
}

void k_fn_toupper(const KArgs *a)
{
    change_case(a, 1);
}

/* ===== Numeric ===== */

static void math1(const KArgs *a, double (*f)(double))
{
    FOR_ROWS(a->b)
    {
        double x;
        const Datum *d = VGET(a->args[0], row);
        a->out->d[row] = val_as_number(d, &x) && d->type != VT_BOOL ? val_num(f(x)) : val_null();
    }
}

void k_fn_abs(const KArgs *a)
{
    math1(a, fabs);
}

void k_fn_ceil(const KArgs *a)
{
    math1(a, ceil);
}

void k_fn_floor(const KArgs *a)
{
    math1(a, floor);
}
