/* esc.c -- the string escapers, one per output syntax (see esc.h for the rules)
 *
 * Each escaper copies runs of bytes that need nothing with one buf_add and stops only at a
 * byte that needs a look. The runs are found 8 bytes at a time (SWAR: a 64-bit word tells
 * whether any of its bytes is below a bound, equal to a byte, or has its high bit set), which
 * is what keeps JSON and CSV output of long messages cheap; everything else is byte by byte.
 * Non-ASCII text is decoded with span_utf8_decode, the one UTF-8 decoder of liq, so every
 * syntax agrees on what invalid UTF-8 is.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <string.h>
#include "base/esc.h"
#include "base/span.h"

/* ===== Eight bytes at a time ===== */

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static inline uint64_t load8(const char *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof(x));
    return x;
}

/* Nonzero when some byte of x is below c (c <= 0x80; exact as a yes/no, not per byte). */
static inline uint64_t below8(uint64_t x, unsigned c)
{
    return (x - ONES * c) & ~x & HIGHS;
}

/* Nonzero when some byte of x equals c. */
static inline uint64_t has8(uint64_t x, unsigned char c)
{
    uint64_t y = x ^ (ONES * c);
    return (y - ONES) & ~y & HIGHS;
}

static const char hex[] = "0123456789abcdef";
static const char fffd[] = "\xEF\xBF\xBD"; /* U+FFFD REPLACEMENT CHARACTER */

/* Invalid UTF-8 at s (one byte of it): span_utf8_decode answers U+FFFD and moves one byte. A
 * U+FFFD written as such is three bytes, so it is valid text. */
static inline int bad_utf8(uint32_t cp, size_t adv)
{
    return cp == 0xFFFD && adv == 1;
}

/* ===== JSON ===== */

static inline int json_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Bytes at the start of s that JSON takes as they are (printable ASCII but '"' and '\\'). */
static size_t json_run(const char *s, size_t n)
{
    size_t i = 0;
    while (i + 8 <= n) {
        uint64_t x = load8(s + i);
        if (below8(x, 0x20) | has8(x, '"') | has8(x, '\\') | (x & HIGHS))
            break;
        i += 8;
    }
    while (i < n && json_plain((unsigned char)s[i]))
        i++;
    return i;
}

void esc_json(LiqBuf *b, const char *s, size_t n)
{
    buf_addc(b, '"');
    if (n == 0) { /* s may be NULL then */
        buf_addc(b, '"');
        return;
    }
    size_t i = 0, from = 0; /* s[from, i) is valid text not yet copied */
    while ((i += json_run(s + i, n - i)) < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            size_t adv;
            uint32_t cp = span_utf8_decode(s + i, n - i, &adv);
            if (!bad_utf8(cp, adv)) {
                i += adv; /* valid UTF-8 (U+2028 and U+2029 included) passes */
                continue;
            }
            buf_add(b, s + from, i - from);
            buf_add(b, fffd, 3);
        } else {
            buf_add(b, s + from, i - from);
            switch (c) {
            case '"':
                buf_add(b, "\\\"", 2);
                break;
            case '\\':
                buf_add(b, "\\\\", 2);
                break;
            case '\n':
                buf_add(b, "\\n", 2);
                break;
            case '\r':
                buf_add(b, "\\r", 2);
                break;
            case '\t':
                buf_add(b, "\\t", 2);
                break;
            default: {
                char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                buf_add(b, u, sizeof(u));
            }
            }
        }
        from = ++i;
    }
    buf_add(b, s + from, n - from);
    buf_addc(b, '"');
}

/* ===== CSV and TSV ===== */

static inline int csv_special(char c)
{
    return c == ',' || c == '"' || c == '\n' || c == '\r';
}

void esc_csv(LiqBuf *b, const char *s, size_t n)
{
    int quote = n && (s[0] == ' ' || s[n - 1] == ' ');
    size_t i = 0;
    while (!quote && i + 8 <= n) {
        uint64_t x = load8(s + i);
        if (has8(x, ',') | has8(x, '"') | has8(x, '\n') | has8(x, '\r'))
            break;
        i += 8;
    }
    while (!quote && i < n)
        quote = csv_special(s[i++]);
    if (!quote) {
        buf_add(b, s, n);
        return;
    }
    buf_addc(b, '"');
    for (i = 0; i < n;) {
        const char *q = memchr(s + i, '"', n - i);
        size_t end = q ? (size_t)(q - s) + 1 : n; /* through the quote, then the quote again */
        buf_add(b, s + i, end - i);
        if (q)
            buf_addc(b, '"');
        i = end;
    }
    buf_addc(b, '"');
}

void esc_tsv(LiqBuf *b, const char *s, size_t n)
{
    if (n == 0) /* s may be NULL then */
        return;
    size_t i = 0, from = 0;
    for (;;) {
        while (i + 8 <= n) {
            uint64_t x = load8(s + i);
            if (has8(x, '\t') | has8(x, '\n') | has8(x, '\r') | has8(x, '\\'))
                break;
            i += 8;
        }
        while (i < n && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '\\')
            i++;
        if (i >= n)
            break;
        buf_add(b, s + from, i - from);
        char e = s[i] == '\t' ? 't' : s[i] == '\n' ? 'n' : s[i] == '\r' ? 'r' : '\\';
        char two[2] = {'\\', e};
        buf_add(b, two, 2);
        from = ++i;
    }
    buf_add(b, s + from, n - from);
}

/* ===== Terminal ===== */

void esc_term(LiqBuf *b, const char *s, size_t n)
{
    if (n == 0) /* s may be NULL then */
        return;
    size_t i = 0, from = 0;
    for (;;) {
        while (i + 8 <= n) {
            uint64_t x = load8(s + i);
            if (below8(x, 0x20) | has8(x, 0x7F) | (x & HIGHS))
                break;
            i += 8;
        }
        while (i < n && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7F)
            i++;
        if (i >= n)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            size_t adv;
            uint32_t cp = span_utf8_decode(s + i, n - i, &adv);
            if (bad_utf8(cp, adv)) {
                buf_add(b, s + from, i - from);
                buf_add(b, fffd, 3);
            } else if (cp < 0xA0) { /* C1 control */
                buf_add(b, s + from, i - from);
                char u[6] = {'\\', 'u', '0', '0', hex[cp >> 4], hex[cp & 15]};
                buf_add(b, u, sizeof(u));
            } else {
                i += adv;
                continue;
            }
            from = i += adv;
            continue;
        }
        buf_add(b, s + from, i - from);
        if (c == '\n' || c == '\t' || c == '\r') {
            char two[2] = {'\\', c == '\n' ? 'n' : c == '\t' ? 't' : 'r'};
            buf_add(b, two, 2);
        } else { /* other C0 controls and DEL */
            char x[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            buf_add(b, x, sizeof(x));
        }
        from = ++i;
    }
    buf_add(b, s + from, n - from);
}

/* ===== XML ===== */

void esc_xml(LiqBuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t adv;
        uint32_t cp = span_utf8_decode(s + i, n - i, &adv);
        if (bad_utf8(cp, adv) || (cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7F ||
            cp == 0xFFFE || cp == 0xFFFF)
            buf_add(b, fffd, 3);
        else if (cp == '&')
            buf_add(b, "&amp;", 5);
        else if (cp == '<')
            buf_add(b, "&lt;", 4);
        else if (cp == '>')
            buf_add(b, "&gt;", 4);
        else if (cp == '"')
            buf_add(b, "&quot;", 6);
        else if (cp == '\'')
            buf_add(b, "&#39;", 5);
        else if (cp == '\n' || cp == '\t')
            buf_addc(b, ' ');
        else
            buf_add(b, s + i, adv);
        i += adv;
    }
}
