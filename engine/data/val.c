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

/* Reads a string's numeric view into its flags and v.f (the cast away from const is that
 * cache: the value itself does not change). */
static __attribute__((noinline)) void str_parse(const Datum *d)
{
    Datum *m = (Datum *)(uintptr_t)d;
    double f;
    const char *s = m->s;
    size_t n = m->len, i = n && s[0] == '-', k = i;
    int64_t v = 0;
    m->flags |= DF_NUMCHECKED;
    if (n <= 15 && i < n) { /* the common case, an integer such as "200", at once */
        while (k < n && (unsigned)(s[k] - '0') < 10)
            v = v * 10 + (s[k++] - '0');
    }
    if (n <= 15 && i < n && k == n) {
        m->flags |= DF_NUMERIC | DF_EXACTCHECKED | DF_EXACT;
        m->v.f = i ? -(double)v : (double)v;
    } else if (num_parse(s, n, &f)) {
        m->flags |= DF_NUMERIC;
        m->v.f = f;
    }
}

/* A string's numeric view, parsed once (the hot loops of stats and sort come here). */
static inline int str_num(const Datum *d, double *out)
{
    if (!(d->flags & DF_NUMCHECKED)) {
        unsigned char c = d->len ? (unsigned char)d->s[0] : 'x';
        if ((unsigned)(c - '0') >= 10 && c != '-' && c != '+' && c != '.') {
            ((Datum *)(uintptr_t)d)->flags |= DF_NUMCHECKED; /* most text, at once */
            return 0;
        }
        str_parse(d);
    }
    if (d->flags & DF_NUMERIC) {
        *out = d->v.f;
        return 1;
    }
    return 0;
}

/* The numeric view of a value. */
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
    case VT_STR:
        return str_num(d, out);
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

/* ===== Numbers compared exactly =====
 *
 * Every number has a decimal value V: the text as written for input numbers and numeric
 * strings ("0.10", "2e2", a 20-digit id), the shortest decimal that reads back to the double
 * for computed numbers (arithmetic, aggregates, literals of up to 15 digits), timestamps and
 * booleans. Numbers compare by V, so the order is total and '=' is an equivalence (what group
 * keys need), and two 20-digit ids that differ in the last digit stay two values although
 * their doubles are equal. The doubles decide whenever they differ (rounding is monotonic)
 * and whenever both values have at most 15 significant digits within the normal range (such
 * decimals map to distinct doubles, DBL_DIG); only the rest reads the digits. */

/* V as sign, significant digits and a power of ten: V = sign * 0.D1D2... * 10^exp. The digits
 * are the bytes [p, end) with a '.' possibly among them (skipped). */
typedef struct Dec {
    int sign; /* -1, 0 (zero: no digits), 1 */
    int inf;  /* a computed infinity: beyond every decimal */
    long exp;
    const char *p, *end;
    int nsig; /* significant digits */
} Dec;

/* Reads number text (num_parse syntax: sign, digits, '.', exponent). */
static void dec_text(Dec *d, const char *s, size_t n)
{
    size_t i = 0, mend, dot;
    int neg = 0;
    long ex = 0;
    memset(d, 0, sizeof(*d));
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    for (mend = i; mend < n && s[mend] != 'e' && s[mend] != 'E'; mend++)
        ;
    if (mend < n) { /* the exponent, saturated far beyond any double */
        size_t k = mend + 1;
        int eneg = 0;
        if (k < n && (s[k] == '+' || s[k] == '-'))
            eneg = s[k++] == '-';
        for (; k < n && s[k] >= '0' && s[k] <= '9'; k++)
            if (ex < 100000000)
                ex = ex * 10 + (s[k] - '0');
        if (eneg)
            ex = -ex;
    }
    for (dot = i; dot < mend && s[dot] != '.'; dot++)
        ;
    size_t first = i, last = mend;
    while (first < mend && (s[first] == '0' || s[first] == '.'))
        first++;
    if (first == mend)
        return; /* zero */
    while (last > first && (s[last - 1] == '0' || s[last - 1] == '.'))
        last--;
    d->sign = neg ? -1 : 1;
    d->p = s + first;
    d->end = s + last;
    d->nsig = (int)(last - first) - (first < dot && dot < last);
    d->exp = (first < dot ? (long)(dot - first) : -(long)(first - dot - 1)) + ex;
}

/* The shortest decimal that reads back to f, its digits in buf (32 bytes). */
static void dec_double(Dec *d, double f, char *buf)
{
    memset(d, 0, sizeof(*d));
    if (f == 0 || isnan(f))
        return;
    d->sign = f < 0 ? -1 : 1;
    if (isinf(f)) {
        d->inf = 1;
        return;
    }
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, f);
        if (strtod(tmp, NULL) == f)
            break;
    }
    int nd = 0;
    const char *t = tmp + (tmp[0] == '-');
    for (; *t && *t != 'e'; t++)
        if (*t >= '0' && *t <= '9')
            buf[nd++] = *t;
    while (nd > 1 && buf[nd - 1] == '0')
        nd--;
    d->p = buf;
    d->end = buf + nd;
    d->nsig = nd;
    d->exp = strtol(t + 1, NULL, 10) + 1;
}

/* The text V is read from, or NULL when V comes from the double. */
static const char *num_text(const Datum *d, size_t *n)
{
    if (d->type == VT_STR || (d->type == VT_NUM && d->s)) {
        *n = d->len;
        return d->s ? d->s : "";
    }
    return NULL;
}

static void dec_of(const Datum *d, double f, Dec *out, char *buf)
{
    size_t n = 0;
    const char *t = num_text(d, &n);
    if (t)
        dec_text(out, t, n);
    else
        dec_double(out, f, buf);
}

/* Does the double hold V exactly enough that equal doubles mean equal values? Cached in the
 * flags (see val.h). */
static int num_exact(const Datum *d)
{
    size_t n = 0;
    const char *t = num_text(d, &n);
    if (!t)
        return 1;
    if (d->flags & DF_EXACTCHECKED)
        return (d->flags & DF_EXACT) != 0;
    int r = 1;
    if (n > 15 || memchr(t, 'e', n) || memchr(t, 'E', n)) {
        Dec x; /* (else at most 15 digits, magnitude between 1e-14 and 1e15) */
        dec_text(&x, t, n);
        r = x.sign == 0 || (x.nsig <= 15 && x.exp >= -290 && x.exp <= 290);
    }
    ((Datum *)(uintptr_t)d)->flags |= (uint8_t)(DF_EXACTCHECKED | (r ? DF_EXACT : 0));
    return r;
}

int val_num_exact(const Datum *d)
{
    return num_exact(d);
}

static int dec_cmp(const Dec *a, const Dec *b)
{
    if (a->sign != b->sign)
        return a->sign < b->sign ? -1 : 1;
    if (a->sign == 0)
        return 0;
    int s = a->sign, mag;
    if (a->inf || b->inf)
        mag = a->inf - b->inf;
    else if (a->exp != b->exp)
        mag = a->exp < b->exp ? -1 : 1;
    else {
        const char *x = a->p, *y = b->p;
        for (;;) {
            if (x < a->end && *x == '.')
                x++;
            if (y < b->end && *y == '.')
                y++;
            if (x == a->end || y == b->end) {
                mag = (x != a->end) - (y != b->end);
                break;
            }
            if (*x != *y) {
                mag = *x < *y ? -1 : 1;
                break;
            }
            x++, y++;
        }
    }
    return s * mag;
}

/* Two numbers (x, y: their doubles) by their values V. NaN (never from input) sorts after
 * every number. */
static int num_cmp(const Datum *a, double x, const Datum *b, double y)
{
    if (x < y)
        return -1;
    if (x > y)
        return 1;
    if (x != y || isnan(x)) /* a NaN on a side */
        return (isnan(x) != 0) - (isnan(y) != 0);
    if (num_exact(a) && num_exact(b))
        return 0;
    Dec da, db;
    char ba[32], bb[32];
    dec_of(a, x, &da, ba);
    dec_of(b, y, &db, bb);
    return dec_cmp(&da, &db);
}

/* Comparison of = != < <= > >= (L5): numeric when both sides have a numeric view; a number
 * against text that does not read as a number is unordered (*ok = VC_UNORDERED: = is false,
 * != true, the orderings false, as a failed cast in SQL); other pairs by code points of their
 * text (two strings, a timestamp or boolean against text). Null, a map or a list on either
 * side: *ok = VC_NULL (the comparison is null, L4). */
int val_compare(const Datum *a, const Datum *b, int *ok)
{
    double x, y;
    *ok = VC_OK;
    if (a->type == VT_NULL || b->type == VT_NULL || a->type == VT_JSON || b->type == VT_JSON) {
        *ok = VC_NULL; /* maps and lists compare to nothing (§4.6) */
        return 0;
    }
    int an = val_as_number(a, &x), bn = val_as_number(b, &y);
    if (an && bn) {
        if (a->type == VT_BOOL && b->type == VT_STR)
            goto text; /* "true" = true compares as text, not as 1 */
        if (b->type == VT_BOOL && a->type == VT_STR)
            goto text;
        return num_cmp(a, x, b, y);
    }
    if ((a->type == VT_NUM && b->type == VT_STR) || (a->type == VT_STR && b->type == VT_NUM)) {
        *ok = VC_UNORDERED; /* the string does not read as a number (else both were numeric) */
        return 1;
    }
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

/* Rank of a value's kind in the sort order (L3): text that does not read as a number (and
 * booleans, maps, lists) before numbers, nulls last. Numbers leave their double in *x. */
static int sort_rank(const Datum *d, double *x)
{
    switch (d->type) {
    case VT_NULL:
        return 3;
    case VT_NUM:
        *x = d->v.f;
        return 2;
    case VT_TS:
        *x = (double)d->v.i;
        return 2;
    case VT_STR:
        return str_num(d, x) ? 2 : 1;
    default:
        return 1;
    }
}

/* The total order of sort, min, max, sortsFirst and stats output (L3). Numbers, timestamps
 * and numeric-looking strings ("102.33", "-2", "1e3", as parse produces them) compare by
 * value; other values by natural sort of their text; nulls last. */
int val_sort_cmp(const Datum *a, const Datum *b)
{
    double x = 0, y = 0;
    int ra = sort_rank(a, &x), rb = sort_rank(b, &y);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    if (ra == 3)
        return 0;
    if (ra == 2)
        return num_cmp(a, x, b, y);
    LiqBuf s1 = {0}, s2 = {0};
    size_t na, nb;
    const char *pa = as_text(a, &s1, &na), *pb = as_text(b, &s2, &nb);
    int c = val_natural_cmp(pa, na, pb, nb);
    buf_free(&s1);
    buf_free(&s2);
    return c;
}

/* A value of the number class of group keys: a number, or a string that reads as one. */
static int key_num(const Datum *d, double *x)
{
    if (d->type == VT_NUM) {
        *x = d->v.f;
        return 1;
    }
    return d->type == VT_STR && str_num(d, x);
}

/* Group-key equality (L5): numbers and numeric-looking strings by value (200, "200", 200.0
 * and "2e2" are one key); other values of the same kind by value (text byte by byte). */
int val_equal_key(const Datum *a, const Datum *b)
{
    double x, y;
    size_t la = 0, lb = 0;
    const char *ta = num_text(a, &la), *tb = ta ? num_text(b, &lb) : NULL;
    if (tb && la == lb && (la == 0 || memcmp(ta, tb, la) == 0))
        return 1; /* the same text (strings, input numbers): the same value, number or not */
    int na = key_num(a, &x), nb = key_num(b, &y);
    if (na || nb || tb) /* other text: equal only as two numbers of one value */
        return na && nb && num_cmp(a, x, b, y) == 0;
    if (a->type != b->type)
        return 0;
    if (a->type == VT_JSON) { /* structures group by their JSON text */
        LiqBuf p = {0}, q = {0};
        jdom_write(&p, a->v.p);
        jdom_write(&q, b->v.p);
        int eq = p.len == q.len && (p.len == 0 || memcmp(p.p, q.p, p.len) == 0);
        buf_free(&p);
        buf_free(&q);
        return eq;
    }
    switch (a->type) {
    case VT_NULL:
        return 1;
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
    double f;
    if (key_num(d, &f)) { /* one key for 200, "200" and 2e2: the hash of the double */
        uint64_t u;
        if (f == 0)
            f = 0; /* -0 and 0 are one key */
        else if (isnan(f))
            f = NAN;
        memcpy(&u, &f, sizeof(u));
        return mix64((0x9E3779B97F4A7C15ULL * (VT_NUM + 1)) ^ u);
    }
    switch (d->type) {
    case VT_NULL:
        return h;
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

/* Is number text (of at most 15 significant digits) written as num_format writes its value:
 * no sign but a leading '-', no exponent, no leading zeros, a fraction without trailing zeros
 * after a digit, not negative zero? */
static int shortest_text(const char *t, size_t n)
{
    size_t i = n && t[0] == '-', dot = n;
    if (i == n || memchr(t, 'e', n) || memchr(t, 'E', n) || t[0] == '+')
        return 0;
    for (size_t k = i; k < n; k++)
        if (t[k] == '.')
            dot = k;
    if (dot == i || (t[i] == '0' && dot != i + 1 && n - i > 1))
        return 0; /* ".5", "05" */
    if (dot < n && (dot + 1 == n || t[n - 1] == '0'))
        return 0; /* "5.", "0.50" */
    if (i && dot == n && n == 2 && t[1] == '0')
        return 0; /* "-0" */
    if (i && dot == i + 1 && t[i] == '0' && dot == n)
        return 0;
    return 1;
}

Datum val_key_form(const Datum *d, char *buf, size_t cap)
{
    double f;
    if (!key_num(d, &f))
        return *d;
    if (num_exact(d)) { /* prints in the shortest form (L11) */
        size_t n = 0;
        const char *t = num_text(d, &n);
        if (t && shortest_text(t, n)) { /* already written so: keep the text, spare the print */
            Datum r = val_num(f);
            r.s = t;
            r.len = (uint32_t)n;
            r.flags = DF_EXACTCHECKED | DF_EXACT;
            return r;
        }
        return val_num(f == 0 ? 0 : f);
    }
    Datum r = val_num(f);
    size_t n = 0;
    const char *t = num_text(d, &n);
    r.s = t;
    r.len = (uint32_t)n;
    Dec x;
    dec_text(&x, t, n);
    /* the exact decimal written out positionally, when it is short enough */
    long nd = x.nsig, point = x.exp;
    long need = 1 + (point <= 0 ? 2 - point + nd : (point >= nd ? point : nd + 1));
    if (x.sign == 0 || need > (long)cap || point < -(long)cap || point > (long)cap)
        return r;
    size_t k = 0;
    if (x.sign < 0)
        buf[k++] = '-';
    if (point <= 0) {
        buf[k++] = '0';
        buf[k++] = '.';
        for (long i = 0; i < -point; i++)
            buf[k++] = '0';
    }
    long i = 0;
    for (const char *p = x.p; p < x.end; p++) {
        if (*p == '.')
            continue;
        if (point > 0 && i == point)
            buf[k++] = '.';
        buf[k++] = *p;
        i++;
    }
    for (; i < point; i++)
        buf[k++] = '0';
    r.s = buf;
    r.len = (uint32_t)k;
    return r;
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
