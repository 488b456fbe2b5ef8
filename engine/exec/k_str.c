/* k_str.c -- string function kernels: trims, substr, replace, tests, regexReplace, split, codings
 *
 * Part 2 §4.2 of the language reference. Arguments are read through their text (val_text):
 * strings as they are, input numbers as written, other values formatted. A null argument gives
 * a null result (L4); the only exception is strcontains's optional flag, where null counts as
 * false. Positions and lengths count Unicode code points, as strlen does: every byte that is
 * not a UTF-8 continuation byte starts a character, so invalid UTF-8 never splits differently
 * here than there. Case-insensitive comparison (strcontains) folds ASCII letters only.
 * Predicates (strcontains, startsWith, endsWith) return the numbers 1/0, as the reference
 * says (§6.4), not booleans. Results are copied into the batch pool.
 *
 * What this file does not do: structured values. split returns its list as the list's JSON
 * text (pieces escaped by base/esc.h's esc_json) in a string until liq has list values.
 * regexReplace inserts the replacement with \N groups (rx.h exposes no capture groups), and
 * finds every match after the first by searching the rest of the subject as a new subject,
 * because rx.h cannot search from an offset: '^', '\b' and lookbehinds see the previous
 * match's end as the subject's start.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <string.h>
#include <apr_strings.h>
#include "base/esc.h"
#include "engine/exec/expr.h"
#include "engine/data/jdom.h"
#include "engine/exec/kern.h"
#include "engine/exec/rx.h"

enum { MAXARGS = 4 }; /* the most arguments a kernel here reads as text */

/* The text of argument k at row; 0 when it is null. tb[k] holds formatted text, one buffer per
 * argument so that formatting one argument never overwrites another. */
static int arg_text(const KArgs *a, LiqBuf *tb, int k, uint32_t row, const char **s, size_t *n)
{
    const Datum *d = VGET(a->args[k], row);
    if (d->type == VT_NULL)
        return 0;
    *s = val_text(d, &tb[k], n);
    return 1;
}

static void texts_free(LiqBuf *tb)
{
    for (int k = 0; k < MAXARGS; k++)
        buf_free(&tb[k]);
}

/* A string result: n bytes at s, copied into the batch pool. */
static Datum str_result(const KArgs *a, const char *s, size_t n)
{
    return val_str(n ? apr_pstrmemdup(a->b->pool, s, n) : "", n);
}

/* A numeric argument (numbers, numeric strings, timestamps; not booleans), or 0. */
static int arg_num(const KArgs *a, int k, uint32_t row, double *x)
{
    const Datum *d = VGET(a->args[k], row);
    return d->type != VT_NULL && d->type != VT_BOOL && val_as_number(d, x) && !isnan(*x);
}

static int is_cont(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

/* Bytes of the character starting at s[i] (i < n): the byte and its continuation bytes. */
static size_t cp_len(const char *s, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n && is_cont(s[j]))
        j++;
    return j - i;
}

/* Start of the character that ends at s[e] (exclusive), not before lo. */
static size_t cp_start_before(const char *s, size_t lo, size_t e)
{
    size_t i = e - 1;
    while (i > lo && is_cont(s[i]))
        i--;
    return i;
}

static const char hexdig[] = "0123456789abcdef";

static char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ===== Trimming ===== */

static const char white[] = " \t\n\r\f\v"; /* the white space of the 1-argument forms (isblank) */

/* 1 when the character c (cl bytes) is one of the characters of set. */
static int in_set(const char *c, size_t cl, const char *set, size_t sn)
{
    for (size_t i = 0; i < sn;) {
        size_t l = cp_len(set, sn, i);
        if (l == cl && memcmp(set + i, c, cl) == 0)
            return 1;
        i += l;
    }
    return 0;
}

/* trim(s), trim(s, chars) and the one-sided forms: strips characters of the set chars (white
 * space without it) from the chosen ends. The set is a set of characters, not a prefix:
 * ltrim("xyZxyfooxyZ", "xyZ") is "fooxyZ". */
static void trim(const KArgs *a, int left, int right)
{
    LiqBuf tb[MAXARGS] = {{0}};
    FOR_ROWS(a->b)
    {
        const char *s, *set = white;
        size_t n, sn = sizeof(white) - 1;
        if (!arg_text(a, tb, 0, row, &s, &n) ||
            (a->nargs > 1 && !arg_text(a, tb, 1, row, &set, &sn))) {
            a->out->d[row] = val_null();
            continue;
        }
        size_t lo = 0, hi = n;
        while (left && lo < hi) {
            size_t l = cp_len(s, hi, lo);
            if (!in_set(s + lo, l, set, sn))
                break;
            lo += l;
        }
        while (right && hi > lo) {
            size_t st = cp_start_before(s, lo, hi);
            if (!in_set(s + st, hi - st, set, sn))
                break;
            hi = st;
        }
        a->out->d[row] = str_result(a, s + lo, hi - lo);
    }
    texts_free(tb);
}

void k_fn_ltrim(const KArgs *a)
{
    trim(a, 1, 0);
}

void k_fn_rtrim(const KArgs *a)
{
    trim(a, 0, 1);
}

void k_fn_trim(const KArgs *a)
{
    trim(a, 1, 1);
}

/* ===== Substrings and replacement ===== */

/* A position or length argument as a count of characters: truncated toward zero, clamped to
 * [0, limit]. */
static size_t clamp_count(double x, size_t limit)
{
    if (x <= 0)
        return 0;
    if (x >= (double)limit)
        return limit;
    return (size_t)x;
}

/* substr(s, start [, len]): 0-based start in characters. A start past the end gives "", a
 * negative start counts as 0, a negative len as 0 (REC of §4.2: clamp). */
void k_fn_substr(const KArgs *a)
{
    LiqBuf tb[MAXARGS] = {{0}};
    FOR_ROWS(a->b)
    {
        const char *s;
        size_t n;
        double fs, fl = 0;
        if (!arg_text(a, tb, 0, row, &s, &n) || !arg_num(a, 1, row, &fs) ||
            (a->nargs > 2 && !arg_num(a, 2, row, &fl))) {
            a->out->d[row] = val_null();
            continue;
        }
        size_t start = clamp_count(fs, n), len = a->nargs > 2 ? clamp_count(fl, n) : n;
        size_t i = 0, j;
        for (size_t k = 0; k < start && i < n; k++)
            i += cp_len(s, n, i);
        j = i;
        for (size_t k = 0; k < len && j < n; k++)
            j += cp_len(s, n, j);
        a->out->d[row] = str_result(a, s + i, j - i);
    }
    texts_free(tb);
}

/* replace(s, search, repl): every non-overlapping occurrence of search, left to right, becomes
 * repl; no regex. An empty search changes nothing. */
void k_fn_replace(const KArgs *a)
{
    LiqBuf tb[MAXARGS] = {{0}}, acc = {0};
    FOR_ROWS(a->b)
    {
        const char *s, *f, *r;
        size_t n, fn, rn;
        if (!arg_text(a, tb, 0, row, &s, &n) || !arg_text(a, tb, 1, row, &f, &fn) ||
            !arg_text(a, tb, 2, row, &r, &rn)) {
            a->out->d[row] = val_null();
            continue;
        }
        if (fn == 0) {
            a->out->d[row] = str_result(a, s, n);
            continue;
        }
        acc.len = 0;
        size_t pos = 0;
        const char *hit;
        while (pos < n && (hit = memmem(s + pos, n - pos, f, fn)) != NULL) {
            size_t at = (size_t)(hit - s);
            buf_add(&acc, s + pos, at - pos);
            buf_add(&acc, r, rn);
            pos = at + fn;
        }
        buf_add(&acc, s + pos, n - pos);
        a->out->d[row] = str_result(a, acc.p, acc.len);
    }
    buf_free(&acc);
    texts_free(tb);
}

/* ===== Tests: 1/0 numbers ===== */

/* 1 when sub occurs in s (ASCII case folded when ci). */
static int contains(const char *s, size_t n, const char *sub, size_t m, int ci)
{
    if (m == 0)
        return 1;
    if (!ci)
        return memmem(s, n, sub, m) != NULL;
    for (size_t i = 0; i + m <= n; i++) {
        size_t k = 0;
        while (k < m && fold(s[i + k]) == fold(sub[k]))
            k++;
        if (k == m)
            return 1;
    }
    return 0;
}

/* strcontains(s, sub [, ci]): 1 when s contains sub. A true third argument makes the test
 * ignore ASCII case; a null one counts as false. */
void k_fn_strcontains(const KArgs *a)
{
    LiqBuf tb[MAXARGS] = {{0}};
    FOR_ROWS(a->b)
    {
        const char *s, *sub;
        size_t n, m;
        if (!arg_text(a, tb, 0, row, &s, &n) || !arg_text(a, tb, 1, row, &sub, &m)) {
            a->out->d[row] = val_null();
            continue;
        }
        int ci = a->nargs > 2 && val_truthy(VGET(a->args[2], row));
        a->out->d[row] = val_num(contains(s, n, sub, m, ci));
    }
    texts_free(tb);
}

static void affix(const KArgs *a, int suffix)
{
    LiqBuf tb[MAXARGS] = {{0}};
    FOR_ROWS(a->b)
    {
        const char *s, *p;
        size_t n, m;
        if (!arg_text(a, tb, 0, row, &s, &n) || !arg_text(a, tb, 1, row, &p, &m)) {
            a->out->d[row] = val_null();
            continue;
        }
        int hit = m <= n && (m == 0 || memcmp(suffix ? s + n - m : s, p, m) == 0);
        a->out->d[row] = val_num(hit);
    }
    texts_free(tb);
}

void k_fn_startsWith(const KArgs *a)
{
    affix(a, 0);
}

void k_fn_endsWith(const KArgs *a)
{
    affix(a, 1);
}

/* ===== regexReplace ===== */

/* Appends the replacement for the current match: \1..\9 insert capture groups (RE2's
 * rewrite syntax), \\ a backslash, anything else is literal. */
static void rewrite(const RxMatch *m, const char *s, const char *r, size_t rn, LiqBuf *acc)
{
    for (size_t i = 0; i < rn; i++) {
        if (r[i] == '\\' && i + 1 < rn && r[i + 1] >= '0' && r[i + 1] <= '9') {
            size_t gs, ge;
            if (rx_group(m, r[i + 1] - '0', &gs, &ge))
                buf_add(acc, s + gs, ge - gs);
            i++;
        } else if (r[i] == '\\' && i + 1 < rn && r[i + 1] == '\\') {
            buf_addc(acc, '\\');
            i++;
        } else {
            buf_addc(acc, r[i]);
        }
    }
}

/* Appends s with every match of rx replaced by r. Matches are non-overlapping, left to right,
 * each searched in the whole subject (so ^, \b and lookbehinds see what precedes); an empty
 * match right after the previous match is skipped (RE2's rule, the dialect AWS names), so
 * regexReplace("aaa", "a*", "-") is "-" and regexReplace("abc", "x*", "-") is "-a-b-c-". */
static void rx_replace_all(const Rx *rx, RxMatch *m, const char *s, size_t n, const char *r,
                           size_t rn, LiqBuf *acc)
{
    size_t pos = 0, copied = 0, last_end = (size_t)-1;
    while (pos <= n && rx_search_at(rx, m, s, n, pos)) {
        size_t ms, me;
        rx_span(m, &ms, &me);
        if (ms == me && ms == last_end) { /* empty, abutting the previous match: skip */
            if (ms >= n)
                break;
            pos = ms + cp_len(s, n, ms);
            continue;
        }
        buf_add(acc, s + copied, ms - copied);
        rewrite(m, s, r, rn, acc);
        copied = me;
        last_end = me;
        pos = me;
        if (ms == me) { /* empty match: search again after the next character */
            if (me >= n)
                break;
            pos = me + cp_len(s, n, me);
        }
    }
    if (copied < n)
        buf_add(acc, s + copied, n - copied);
}

/* regexReplace(s, pattern, repl): pattern is a string holding a PCRE2 regex (L16), compiled
 * once per batch while it stays the same from row to row (the usual case: a literal). A
 * pattern that does not compile gives null. In repl, \1..\9 insert capture groups. */
void k_fn_regexReplace(const KArgs *a)
{
    LiqBuf tb[MAXARGS] = {{0}}, acc = {0};
    const Rx *rx = NULL;
    RxMatch *m = NULL;
    const char *cur = NULL; /* the pattern rx was compiled from (batch pool), if any */
    size_t curlen = 0;
    FOR_ROWS(a->b)
    {
        const char *s, *p, *r;
        size_t n, pn, rn;
        if (!arg_text(a, tb, 0, row, &s, &n) || !arg_text(a, tb, 1, row, &p, &pn) ||
            !arg_text(a, tb, 2, row, &r, &rn)) {
            a->out->d[row] = val_null();
            continue;
        }
        if (!cur || curlen != pn || memcmp(cur, p, pn) != 0) {
            char err[128];
            size_t off;
            cur = apr_pstrmemdup(a->b->pool, p, pn);
            curlen = pn;
            rx = rx_compile(a->b->pool, cur, pn, 0, &off, err, sizeof(err));
            m = rx ? rx_match_new(a->b->pool, rx, a->rx_failures) : NULL;
        }
        if (!rx) {
            a->out->d[row] = val_null();
            continue;
        }
        acc.len = 0;
        rx_replace_all(rx, m, s, n, r, rn, &acc);
        a->out->d[row] = str_result(a, acc.p, acc.len);
    }
    buf_free(&acc);
    texts_free(tb);
}

/* ===== split ===== */

/* split(s, delim): the pieces of s between occurrences of delim (literal), every piece kept,
 * empty ones included; an empty delim splits into characters. The list is returned as its
 * JSON text, e.g. ["a","b"], until liq has list values. */
void k_fn_split(const KArgs *a)
{
    LiqBuf tb[MAXARGS] = {{0}}, acc = {0};
    FOR_ROWS(a->b)
    {
        const char *s, *dl;
        size_t n, dn;
        if (!arg_text(a, tb, 0, row, &s, &n) || !arg_text(a, tb, 1, row, &dl, &dn)) {
            a->out->d[row] = val_null();
            continue;
        }
        acc.len = 0;
        buf_addc(&acc, '[');
        if (dn == 0) {
            for (size_t i = 0; i < n;) {
                size_t l = cp_len(s, n, i);
                if (i)
                    buf_addc(&acc, ',');
                esc_json(&acc, s + i, l);
                i += l;
            }
        } else {
            size_t pos = 0;
            for (;;) {
                const char *hit = memmem(s + pos, n - pos, dl, dn);
                size_t end = hit ? (size_t)(hit - s) : n;
                if (pos)
                    buf_addc(&acc, ',');
                esc_json(&acc, s + pos, end - pos);
                if (!hit)
                    break;
                pos = end + dn;
            }
        }
        buf_addc(&acc, ']');
        /* the tree points into its text: parse a copy that lives as long as the batch */
        char *text = apr_pstrmemdup(a->b->pool, acc.p, acc.len);
        const JdNode *list = jdom_parse(a->b->pool, text, acc.len);
        a->out->d[row] = list ? val_json(list) : val_null();
    }
    buf_free(&acc);
    texts_free(tb);
}

/* ===== URL, Base64 and hex codings ===== */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Runs code over the text of the single argument of every row: code appends the result to acc
 * and returns 1, or returns 0 for a null result. */
static void map_text(const KArgs *a, int (*code)(const char *s, size_t n, LiqBuf *acc))
{
    LiqBuf tb[MAXARGS] = {{0}}, acc = {0};
    FOR_ROWS(a->b)
    {
        const char *s;
        size_t n;
        acc.len = 0;
        if (!arg_text(a, tb, 0, row, &s, &n) || !code(s, n, &acc)) {
            a->out->d[row] = val_null();
            continue;
        }
        a->out->d[row] = str_result(a, acc.p, acc.len);
    }
    buf_free(&acc);
    texts_free(tb);
}

/* Percent-encoding of RFC 3986: every byte but the unreserved A-Z a-z 0-9 - . _ ~ becomes %XX
 * (upper-case hex); a space becomes %20. */
static int url_encode(const char *s, size_t n, LiqBuf *acc)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            buf_addc(acc, (char)c);
        } else {
            char e[3] = {'%', "0123456789ABCDEF"[c >> 4], "0123456789ABCDEF"[c & 15]};
            buf_add(acc, e, sizeof(e));
        }
    }
    return 1;
}

/* %XX (either case) becomes its byte and '+' a space, as in query strings and HTML forms; a
 * '%' not followed by two hex digits stays as it is. */
static int url_decode(const char *s, size_t n, LiqBuf *acc)
{
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (s[i] == '%' && i + 2 < n && (h = hexval(s[i + 1])) >= 0 &&
            (l = hexval(s[i + 2])) >= 0) {
            buf_addc(acc, (char)(h << 4 | l));
            i += 2;
        } else {
            buf_addc(acc, s[i] == '+' ? ' ' : s[i]);
        }
    }
    return 1;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of RFC 4648 §4: standard alphabet, '=' padding. */
static int b64_encode(const char *s, size_t n, LiqBuf *acc)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)u[i] << 16 | (uint32_t)u[i + 1] << 8 | u[i + 2];
        char q[4] = {b64[v >> 18], b64[v >> 12 & 63], b64[v >> 6 & 63], b64[v & 63]};
        buf_add(acc, q, 4);
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)u[i] << 16;
        char q[4] = {b64[v >> 18], b64[v >> 12 & 63], '=', '='};
        buf_add(acc, q, 4);
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)u[i] << 16 | (uint32_t)u[i + 1] << 8;
        char q[4] = {b64[v >> 18], b64[v >> 12 & 63], b64[v >> 6 & 63], '='};
        buf_add(acc, q, 4);
    }
    return 1;
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-') /* '-' and '_': the URL-safe alphabet (RFC 4648 §5) */
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Decodes Base64 in the standard or the URL-safe alphabet; the '=' padding may be left out.
 * Anything else (a stray character, padding inside, a lone final character) is not Base64:
 * null. The bytes decoded need not be UTF-8. */
static int b64_decode(const char *s, size_t n, LiqBuf *acc)
{
    size_t pad = 0;
    while (pad < 2 && n > pad && s[n - 1 - pad] == '=')
        pad++;
    size_t m = n - pad; /* characters that carry bits */
    if (m % 4 == 1 || (pad && (m + pad) % 4 != 0))
        return 0;
    uint32_t v = 0;
    int bits = 0;
    for (size_t i = 0; i < m; i++) {
        int x = b64val(s[i]);
        if (x < 0)
            return 0;
        v = v << 6 | (uint32_t)x;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf_addc(acc, (char)(v >> bits & 0xFF));
        }
    }
    return 1;
}

/* hexToAscii(hex): pairs of hex digits, after an optional 0x, become bytes. An odd count or a
 * non-hex character: null. */
static int hex_to_ascii(const char *s, size_t n, LiqBuf *acc)
{
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2, n -= 2;
    if (n % 2)
        return 0;
    for (size_t i = 0; i < n; i += 2) {
        int h = hexval(s[i]), l = hexval(s[i + 1]);
        if (h < 0 || l < 0)
            return 0;
        buf_addc(acc, (char)(h << 4 | l));
    }
    return 1;
}

void k_fn_urlencode(const KArgs *a)
{
    map_text(a, url_encode);
}

void k_fn_urldecode(const KArgs *a)
{
    map_text(a, url_decode);
}

void k_fn_base64encode(const KArgs *a)
{
    map_text(a, b64_encode);
}

void k_fn_base64decode(const KArgs *a)
{
    map_text(a, b64_decode);
}

void k_fn_hexToAscii(const KArgs *a)
{
    map_text(a, hex_to_ascii);
}

/* hexToDec(hex): [+-] [0x] hex digits (either case) -> the number; up to 64 bits of value
 * (more: null, as is anything that is not hex). */
void k_fn_hexToDec(const KArgs *a)
{
    LiqBuf tb[MAXARGS] = {{0}};
    FOR_ROWS(a->b)
    {
        const char *s;
        size_t n, i = 0;
        a->out->d[row] = val_null();
        if (!arg_text(a, tb, 0, row, &s, &n))
            continue;
        int neg = n > 0 && s[0] == '-';
        if (n > 0 && (s[0] == '-' || s[0] == '+'))
            i++;
        if (i + 2 <= n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
            i += 2;
        if (i == n)
            continue;
        uint64_t v = 0;
        int ok = 1;
        for (; i < n && ok; i++) {
            int h = hexval(s[i]);
            ok = h >= 0 && v >> 60 == 0;
            v = v << 4 | (uint64_t)(h & 15);
        }
        if (ok)
            a->out->d[row] = val_num(neg ? -(double)v : (double)v);
    }
    texts_free(tb);
}

/* decToHex(n): "0x" and lower-case hex digits of n truncated toward zero, "-0x..." below zero;
 * null when n is not a number or its magnitude reaches 2^64. */
void k_fn_decToHex(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        double x;
        a->out->d[row] = val_null();
        if (!arg_num(a, 0, row, &x))
            continue;
        x = trunc(x);
        if (!(fabs(x) < 18446744073709551616.0))
            continue;
        uint64_t v = (uint64_t)fabs(x);
        char tmp[24], *p = tmp + sizeof(tmp);
        do {
            *--p = hexdig[v & 15];
            v >>= 4;
        } while (v);
        *--p = 'x';
        *--p = '0';
        if (x < 0)
            *--p = '-';
        a->out->d[row] = str_result(a, p, (size_t)(tmp + sizeof(tmp) - p));
    }
}
