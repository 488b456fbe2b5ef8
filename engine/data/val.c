/* val.c -- value model rules: numbers, comparison, natural sort, hashing, formatting
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/civil.h"
#include "engine/data/jdom.h"
#include "base/num.h"
#include "engine/data/val.h"

/* The numeric view of a value. Caches the parse of a string in the Datum (the cast away from
 * const is that cache: the value itself does not change). */
int val_as_number(const Datum *d, double *out)
{
    switch (d->type) {
    case VT_NUM:
        *out = d->v.f;
        return 1;
    case VT_TS:
    case VT_BOOL:
        *out = (double)d->v.i;
        return 1;
    case VT_STR: {
        Datum *m = (Datum *)(uintptr_t)d;
        if (!(m->flags & DF_NUMCHECKED)) {
            double f;
            m->flags |= DF_NUMCHECKED;
            if (num_parse(m->s, m->len, &f)) {
                m->flags |= DF_NUMERIC;
                m->v.f = f;
            }
        }
        if (m->flags & DF_NUMERIC) {
            *out = m->v.f;
            return 1;
        }
        return 0;
    }
    default:
        return 0;
    }
}

/* Text of a value for string comparison and string functions; booleans as true/false,
 * numbers and timestamps formatted into scratch. Returns the bytes. */
static const char *as_text(const Datum *d, LiqBuf *scratch, size_t *len)
{
    if (d->type == VT_STR || (d->type == VT_NUM && d->s)) {
        *len = d->len;
        return d->s;
    }
    scratch->len = 0;
    val_format(scratch, d);
    *len = scratch->len;
    return scratch->p;
}

static int bytes_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    size_t n = na < nb ? na : nb;
    int c = n ? memcmp(a, b, n) : 0; /* UTF-8 byte order is code point order */
    if (c)
        return c < 0 ? -1 : 1;
    return na < nb ? -1 : na > nb;
}

/* Comparison of = != < <= > >= (L5): numeric when both sides have a numeric view, else by
 * code points of their text. Null on either side: *ok = 0 (the comparison is null, L4). */
int val_compare(const Datum *a, const Datum *b, int *ok)
{
    double x, y;
    *ok = 1;
    if (a->type == VT_NULL || b->type == VT_NULL || a->type == VT_JSON || b->type == VT_JSON) {
        *ok = 0; /* maps and lists compare to nothing (§4.6) */
        return 0;
    }
    if (val_as_number(a, &x) && val_as_number(b, &y)) {
        if (a->type == VT_BOOL && b->type == VT_STR)
            goto text; /* "true" = true compares as text, not as 1 */
        if (b->type == VT_BOOL && a->type == VT_STR)
            goto text;
        return x < y ? -1 : x > y;
    }
    if (a->type == VT_BOOL && b->type == VT_BOOL)
        return (int)(a->v.i - b->v.i);
text:;
    LiqBuf s1 = {0}, s2 = {0};
    size_t na, nb;
    const char *pa = as_text(a, &s1, &na), *pb = as_text(b, &s2, &nb);
    int c = bytes_cmp(pa, na, pb, nb);
    buf_free(&s1);
    buf_free(&s2);
    return c;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int all_digits(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

/* Compares two runs of digits by value: length without leading zeros first, then digits.
 * Equal values compare equal ("01" and "1"): ties keep input order (L3). */
static int digits_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    size_t za = 0, zb = 0;
    while (za + 1 < na && a[za] == '0')
        za++;
    while (zb + 1 < nb && b[zb] == '0')
        zb++;
    size_t la = na - za, lb = nb - zb;
    if (la != lb)
        return la < lb ? -1 : 1;
    int c = memcmp(a + za, b + zb, la);
    return c < 0 ? -1 : c > 0;
}

/* AWS's natural sort (Part 2 §3.5): digit-only strings are numbers and sort after every other
 * string, by value; other strings compare run by run, digit runs by value (length first),
 * other runs by code point. */
int val_natural_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    int an = all_digits(a, na), bn = all_digits(b, nb);
    if (an != bn)
        return an ? 1 : -1;
    if (an)
        return digits_cmp(a, na, b, nb);
    size_t i = 0, j = 0;
    while (i < na && j < nb) {
        int da = is_digit(a[i]), db = is_digit(b[j]);
        size_t ri = i, rj = j;
        if (da && db) {
            while (ri < na && is_digit(a[ri]))
                ri++;
            while (rj < nb && is_digit(b[rj]))
                rj++;
            int c = digits_cmp(a + i, ri - i, b + j, rj - j);
            if (c)
                return c;
        } else {
            while (ri < na && !is_digit(a[ri]))
                ri++;
            while (rj < nb && !is_digit(b[rj]))
                rj++;
            if (da != db) /* a digit run against a non-digit run: compare the characters */
                return (unsigned char)a[i] < (unsigned char)b[j] ? -1 : 1;
            int c = bytes_cmp(a + i, ri - i, b + j, rj - j);
            if (c)
                return c;
        }
        i = ri;
        j = rj;
    }
    if (i < na)
        return 1;
    if (j < nb)
        return -1;
    return 0;
}

/* Rank of a value's kind in the sort order: strings (non-numbers) before numbers, nulls last. */
static int sort_rank(const Datum *d)
{
    switch (d->type) {
    case VT_NULL:
        return 3;
    case VT_NUM:
    case VT_TS:
        return 2;
    case VT_BOOL:
        return 1;
    case VT_STR:
        return all_digits(d->s, d->len) ? 2 : 1;
    default:
        return 1;
    }
}

/* The total order of sort, min, max, sortsFirst and stats output (L3). Numbers (and digit-only
 * strings) compare numerically; other values by natural sort of their text; nulls last. */
int val_sort_cmp(const Datum *a, const Datum *b)
{
    int ra = sort_rank(a), rb = sort_rank(b);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    if (ra == 3)
        return 0;
    if (ra == 2) {
        if (a->type == VT_STR && b->type == VT_STR)
            return digits_cmp(a->s, a->len, b->s, b->len);
        double x, y;
        val_as_number(a, &x);
        val_as_number(b, &y);
        return x < y ? -1 : x > y;
    }
    LiqBuf s1 = {0}, s2 = {0};
    size_t na, nb;
    const char *pa = as_text(a, &s1, &na), *pb = as_text(b, &s2, &nb);
    int c = val_natural_cmp(pa, na, pb, nb);
    buf_free(&s1);
    buf_free(&s2);
    return c;
}

/* Group-key equality: same kind and same value (numbers by value, so 200 and 200.0 are one
 * group; the string "200" is another). */
int val_equal_key(const Datum *a, const Datum *b)
{
    if (a->type != b->type)
        return 0;
    if (a->type == VT_JSON) { /* structures group by their JSON text */
        LiqBuf x = {0}, y = {0};
        jdom_write(&x, a->v.p);
        jdom_write(&y, b->v.p);
        int eq = x.len == y.len && (x.len == 0 || memcmp(x.p, y.p, x.len) == 0);
        buf_free(&x);
        buf_free(&y);
        return eq;
    }
    switch (a->type) {
    case VT_NULL:
        return 1;
    case VT_NUM:
        return a->v.f == b->v.f;
    case VT_STR:
        return a->len == b->len && (a->len == 0 || memcmp(a->s, b->s, a->len) == 0);
    default:
        return a->v.i == b->v.i;
    }
}

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

uint64_t val_hash(const Datum *d)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL * (d->type + 1);
    if (d->type == VT_JSON) {
        LiqBuf t = {0};
        jdom_write(&t, d->v.p);
        Datum s = val_str(t.p ? t.p : "", t.len);
        uint64_t r = val_hash(&s) ^ h;
        buf_free(&t);
        return r;
    }
    switch (d->type) {
    case VT_NULL:
        return h;
    case VT_NUM: {
        double f = d->v.f == 0 ? 0 : d->v.f; /* -0 and 0 are one key */
        uint64_t u;
        memcpy(&u, &f, sizeof(u));
        return mix64(h ^ u);
    }
    case VT_STR: {
        /* FNV-1a, then a final mix */
        uint64_t x = 0xcbf29ce484222325ULL;
        for (uint32_t i = 0; i < d->len; i++) {
            x ^= (unsigned char)d->s[i];
            x *= 0x100000001b3ULL;
        }
        return mix64(h ^ x);
    }
    default:
        return mix64(h ^ (uint64_t)d->v.i);
    }
}

/* Truth of a value standing alone as a condition (§6.3): true, a non-zero number, a string
 * "true" or a non-zero numeric string. */
int val_truthy(const Datum *d)
{
    double f;
    switch (d->type) {
    case VT_BOOL:
        return d->v.i != 0;
    case VT_NUM:
        return d->v.f != 0;
    case VT_TS:
        return 1;
    case VT_STR:
        if (d->len == 4 && memcmp(d->s, "true", 4) == 0)
            return 1;
        return val_as_number(d, &f) && f != 0;
    default:
        return 0;
    }
}

/* Timestamps as output text (L12): YYYY-MM-DD HH:MM:SS.mmm in UTC. */
void ts_format(LiqBuf *b, int64_t ms)
{
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    int y;
    unsigned mo, d;
    civil_date(days, &y, &mo, &d);
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%04d-%02u-%02u %02d:%02d:%02d.%03d", y, mo, d,
             (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
             (int)(rem % 1000));
    buf_adds(b, tmp);
}

void val_format(LiqBuf *b, const Datum *d)
{
    switch (d->type) {
    case VT_NULL:
        break;
    case VT_BOOL:
        buf_adds(b, d->v.i ? "true" : "false");
        break;
    case VT_NUM:
        if (d->s)
            buf_add(b, d->s, d->len);
        else
            num_format(b, d->v.f);
        break;
    case VT_STR:
        buf_add(b, d->s, d->len);
        break;
    case VT_TS:
        ts_format(b, d->v.i);
        break;
    case VT_JSON:
        jdom_write(b, d->v.p);
        break;
    default:
        break;
    }
}

/* A node of a JSON tree as a value: strings, numbers (keeping their text), booleans and null
 * as such; maps and lists stay structures (val_json). */
Datum val_jdom(const JdNode *n)
{
    switch (n->type) {
    case JD_STR:
        return val_str(n->s, n->len);
    case JD_NUM: {
        Datum d = val_num(n->num);
        d.s = n->s;
        d.len = (uint32_t)n->len;
        return d;
    }
    case JD_TRUE:
        return val_bool(1);
    case JD_FALSE:
        return val_bool(0);
    case JD_NULL:
        return val_null();
    default:
        return val_json(n);
    }
}
