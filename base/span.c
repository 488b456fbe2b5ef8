/* span.c -- byte spans and the line map (see span.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "base/span.h"

LiqSpan span_join(LiqSpan a, LiqSpan b)
{
    LiqSpan r;
    r.start = a.start < b.start ? a.start : b.start;
    r.end = a.end > b.end ? a.end : b.end;
    return r;
}

/* Builds the table of line starts. The map borrows text; both must outlive the map. */
LiqLineMap *span_linemap(apr_pool_t *pool, const char *text, size_t len)
{
    LiqLineMap *m = apr_pcalloc(pool, sizeof(*m));
    uint32_t n = 1;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            n++;
    m->text = text;
    m->len = len;
    m->nlines = n;
    m->starts = apr_palloc(pool, sizeof(uint32_t) * n);
    m->starts[0] = 0;
    n = 1;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            m->starts[n++] = (uint32_t)(i + 1);
    return m;
}

/* Line by binary search over the starts, then the column by counting code points (bytes that
 * are not UTF-8 continuation bytes) between the line start and off. */
void span_locate(const LiqLineMap *map, uint32_t off, uint32_t *line, uint32_t *col)
{
    uint32_t lo = 0, hi = map->nlines;
    if (off > map->len)
        off = (uint32_t)map->len;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (map->starts[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    uint32_t c = 1;
    for (uint32_t i = map->starts[lo]; i < off; i++)
        if (((unsigned char)map->text[i] & 0xC0) != 0x80)
            c++;
    *line = lo + 1;
    *col = c;
}

/* Decodes one UTF-8 sequence at s; *adv is set to the bytes consumed (at least 1). Invalid or
 * truncated sequences decode to U+FFFD and consume one byte, so callers always make progress. */
uint32_t span_utf8_decode(const char *s, size_t len, size_t *adv)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t cp;
    size_t n;
    *adv = 1;
    if (len == 0)
        return 0xFFFD;
    if (u[0] < 0x80)
        return u[0];
    if ((u[0] & 0xE0) == 0xC0) {
        n = 2;
        cp = u[0] & 0x1F;
    } else if ((u[0] & 0xF0) == 0xE0) {
        n = 3;
        cp = u[0] & 0x0F;
    } else if ((u[0] & 0xF8) == 0xF0) {
        n = 4;
        cp = u[0] & 0x07;
    } else {
        return 0xFFFD;
    }
    if (n > len)
        return 0xFFFD;
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0xFFFD;
        cp = (cp << 6) | (u[i] & 0x3F);
    }
    /* reject overlong forms, surrogates and values past U+10FFFF */
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0xFFFD;
    *adv = n;
    return cp;
}

/* East Asian wide and fullwidth ranges, and the common zero-width ranges (combining marks,
 * zero-width joiners). A compact subset of Unicode's EastAsianWidth.txt: what terminals draw
 * two columns wide in practice. */
int span_cpwidth(uint32_t cp)
{
    static const uint32_t zero[][2] = {
        {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},
        {0x064B, 0x065F}, {0x200B, 0x200F}, {0x20D0, 0x20FF}, {0xFE00, 0xFE0F},
        {0xFE20, 0xFE2F}, {0x1F3FB, 0x1F3FF},
    };
    static const uint32_t wide[][2] = {
        {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
        {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
        {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
        {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
    };
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0;
    for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
        if (cp >= zero[i][0] && cp <= zero[i][1])
            return 0;
    for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
        if (cp >= wide[i][0] && cp <= wide[i][1])
            return 2;
    return 1;
}
