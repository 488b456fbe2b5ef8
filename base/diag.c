/* diag.c -- diagnostics and the caret renderer (see diag.h)
 *
 * Rendering rules (docs/style.md B4): head "liq: error at L:C: msg"; the offending line echoed
 * with a two-space indent, tabs shown as single spaces; one caret per display column of the
 * span; lines wider than DIAG_WINDOW columns are clipped around the span with "..." marks.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include <apr_strings.h>
#include "base/buf.h"
#include "base/diag.h"
#include "base/esc.h"

enum { DIAG_WINDOW = 100 };

/* printf into the pool with the C library's formatter: APR's own knows neither %zu nor %llu,
 * and messages use both. */
static char *vformat(apr_pool_t *pool, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return apr_pstrdup(pool, fmt);
    char *s = apr_palloc(pool, (size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

LiqDiagList *diag_list_new(apr_pool_t *pool)
{
    LiqDiagList *l = apr_pcalloc(pool, sizeof(*l));
    l->pool = pool;
    return l;
}

LiqDiag *diag_add(LiqDiagList *l, DiagSeverity sev, const LiqSpan *span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    LiqDiag *d = diag_vadd(l, sev, span, fmt, ap);
    va_end(ap);
    return d;
}

LiqDiag *diag_vadd(LiqDiagList *l, DiagSeverity sev, const LiqSpan *span, const char *fmt,
                   va_list ap)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 8;
        LiqDiag *items = apr_pcalloc(l->pool, sizeof(LiqDiag) * (size_t)cap);
        if (l->n)
            memcpy(items, l->items, sizeof(LiqDiag) * (size_t)l->n);
        l->items = items;
        l->cap = cap;
    }
    LiqDiag *d = &l->items[l->n++];
    memset(d, 0, sizeof(*d));
    d->severity = sev;
    d->where = "";
    if (span) {
        d->has_span = 1;
        d->span = *span;
    }
    d->msg = vformat(l->pool, fmt, ap);
    if (sev == DIAG_ERROR)
        l->nerrors++;
    return d;
}

void diag_hint(LiqDiagList *l, LiqDiag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    d->hint = vformat(l->pool, fmt, ap);
    va_end(ap);
}

int diag_count(const LiqDiagList *l)
{
    return l->nerrors;
}

/* One echoed cell: its bytes and its display width. */
typedef struct {
    uint32_t off;  /* byte offset in text */
    uint32_t len;  /* bytes */
    int width;     /* display columns */
} Cell;

/* s as a terminal may show it (esc_term): messages quote file names, S3 keys and what S3
 * servers answer, which can hold escape sequences that would drive the reader's terminal. s
 * itself when it has no control byte and no byte past ASCII. */
static const char *term(apr_pool_t *pool, const char *s)
{
    size_t n = strlen(s);
    int plain = 1;
    for (size_t i = 0; i < n && plain; i++)
        plain = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f;
    if (plain)
        return s;
    LiqBuf b = {0};
    esc_term(&b, s, n);
    char *r = apr_pstrmemdup(pool, b.p ? b.p : "", b.len);
    buf_free(&b);
    return r;
}

char *diag_render(apr_pool_t *pool, const LiqDiag *d, const char *text, size_t len)
{
    const char *sev = d->severity == DIAG_ERROR ? "error" : "warning";
    const char *msg = term(pool, d->msg), *hint = d->hint ? term(pool, d->hint) : NULL;
    if (!d->has_span) {
        char *s = apr_psprintf(pool, "liq: %s: %s\n", sev, msg);
        if (hint)
            s = apr_pstrcat(pool, s, "  hint: ", hint, "\n", NULL);
        return s;
    }
    LiqLineMap *map = span_linemap(pool, text, len);
    uint32_t start = d->span.start, end = d->span.end;
    if (start > len)
        start = (uint32_t)len;
    if (end > len)
        end = (uint32_t)len;
    if (end < start)
        end = start;
    uint32_t line, col;
    span_locate(map, start, &line, &col);
    uint32_t ls = map->starts[line - 1];
    uint32_t le = ls;
    while (le < len && text[le] != '\n')
        le++;
    if (le > ls && text[le - 1] == '\r')
        le--;
    if (end > le)
        end = le; /* a span running across lines: carets under its first line only */

    /* split the line into cells, computing the display column of each */
    Cell *cells = apr_palloc(pool, sizeof(Cell) * (le - ls + 1));
    int ncells = 0;
    for (uint32_t i = ls; i < le;) {
        size_t adv;
        uint32_t cp = span_utf8_decode(text + i, le - i, &adv);
        int w = cp == '\t' ? 1 : span_cpwidth(cp);
        if (cp < 0x20 || cp == 0x7F)
            w = 1; /* control characters echo as a space */
        cells[ncells].off = i;
        cells[ncells].len = (uint32_t)adv;
        cells[ncells].width = w;
        ncells++;
        i += (uint32_t)adv;
    }
    /* the display column range [c0, c1) of the span */
    int c0 = 0, c1 = 0, total = 0, k;
    for (k = 0; k < ncells; k++) {
        if (cells[k].off < start)
            c0 += cells[k].width;
        if (cells[k].off < end)
            c1 += cells[k].width;
        total += cells[k].width;
    }
    int at_end = d->at_end || start >= le;
    if (at_end) {
        c0 = total;
        c1 = total + 1;
    } else if (c1 <= c0) {
        c1 = c0 + 1;
    }

    /* choose the window [w0, w1) of display columns to echo */
    int w0 = 0, w1 = total;
    if (total > DIAG_WINDOW) {
        int mid = (c0 + (c1 < c0 + DIAG_WINDOW / 2 ? c1 : c0 + 1)) / 2;
        w0 = mid - DIAG_WINDOW / 2;
        if (w0 < 0)
            w0 = 0;
        w1 = w0 + DIAG_WINDOW;
        if (w1 > total) {
            w1 = total;
            w0 = w1 - DIAG_WINDOW;
        }
    }
    /* echo */
    size_t cap = (size_t)(le - ls) * 4 + 64;
    char *echo = apr_palloc(pool, cap), *carets = apr_palloc(pool, (size_t)total * 2 + 64);
    size_t ne = 0, nc = 0;
    int col_at = 0;
    if (w0 > 0) {
        memcpy(echo + ne, "...", 3);
        ne += 3;
        memcpy(carets + nc, "   ", 3);
        nc += 3;
    }
    for (k = 0; k < ncells; k++) {
        int w = cells[k].width;
        if (col_at >= w0 && col_at + w <= w1) {
            unsigned char ch = (unsigned char)text[cells[k].off];
            if (cells[k].len == 1 && (ch < 0x20 || ch == 0x7F))
                echo[ne++] = ' ';
            else {
                memcpy(echo + ne, text + cells[k].off, cells[k].len);
                ne += cells[k].len;
            }
            for (int j = 0; j < w; j++)
                carets[nc++] = (col_at + j >= c0 && col_at + j < c1) ? '^' : ' ';
        }
        col_at += w;
    }
    if (w1 < total) {
        memcpy(echo + ne, "...", 3);
        ne += 3;
    }
    if (at_end && c0 >= w0)
        carets[nc++] = '^';
    while (nc > 0 && carets[nc - 1] == ' ')
        nc--;
    echo[ne] = 0;
    carets[nc] = 0;
    char *s = apr_psprintf(pool, "liq: %s at %u:%u%s: %s\n  %s\n  %s\n", sev, line,
                           col, d->where, msg, echo, carets);
    if (hint)
        s = apr_pstrcat(pool, s, "  hint: ", hint, "\n", NULL);
    return s;
}
