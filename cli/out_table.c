/* out_table.c -- the aligned table for people at a terminal
 *
 * Rows are kept until the end (column widths depend on every row), then drawn with a header
 * and a rule, columns padded to their display width (wide characters count two columns).
 * Control characters in values are shown escaped (L25) so a value can never break the layout.
 * The row count goes to stderr by the CLI, not here.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include "cli/out.h"
#include "lexer/span.h"

#define CELL_SEP '\x1f' /* cells inside a formatted row; escaped away from values */

typedef struct Table {
    LiqBuf cells;  /* every row's cells, separated by CELL_SEP */
    uint32_t *ends;
    size_t n, cap;
} Table;

static void cell(LiqBuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            buf_add(b, "\\n", 2);
        else if (c == '\t')
            buf_add(b, "\\t", 2);
        else if (c == '\r')
            buf_add(b, "\\r", 2);
        else if (c < 0x20 || c == 0x7F) {
            char x[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            buf_add(b, x, 4);
        } else
            buf_addc(b, (char)c);
    }
}

static void table_format_row(Out *o, const Datum *vals, int ncols, LiqBuf *b)
{
    (void)o;
    LiqBuf t = {0};
    for (int c = 0; c < ncols; c++) {
        if (c)
            buf_addc(b, CELL_SEP);
        t.len = 0;
        val_format(&t, &vals[c]);
        cell(b, t.p ? t.p : "", t.len);
    }
    buf_free(&t);
}

static void table_begin(Out *o)
{
    o->priv = calloc(1, sizeof(Table));
    if (!o->priv)
        abort();
}

static int table_write(Out *o, const char *data, size_t len, const uint32_t *ends, uint32_t n)
{
    Table *t = o->priv;
    uint32_t start = 0;
    for (uint32_t i = 0; i < n; i++) {
        buf_add(&t->cells, data + start, ends[i] - start);
        start = ends[i];
        if (t->n == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 256;
            uint32_t *e = realloc(t->ends, sizeof(uint32_t) * t->cap);
            if (!e)
                abort();
            t->ends = e;
        }
        t->ends[t->n++] = (uint32_t)t->cells.len;
    }
    (void)len;
    return 0;
}

static int width(const char *s, size_t n)
{
    int w = 0;
    for (size_t i = 0; i < n;) {
        size_t adv;
        uint32_t cp = span_utf8_decode(s + i, n - i, &adv);
        w += span_cpwidth(cp);
        i += adv;
    }
    return w;
}

static void pad(LiqBuf *b, int n)
{
    for (int i = 0; i < n; i++)
        buf_addc(b, ' ');
}

/* Calls f for each cell of row r: (column, bytes, length). */
static void each_cell(const Table *t, size_t r, int ncols, int *widths, LiqBuf *out, int emit)
{
    uint32_t start = r ? t->ends[r - 1] : 0, end = t->ends[r];
    const char *p = t->cells.p + start, *e = t->cells.p + end;
    for (int c = 0; c < ncols; c++) {
        const char *q = memchr(p, CELL_SEP, (size_t)(e - p));
        if (!q || c == ncols - 1)
            q = e;
        int w = width(p, (size_t)(q - p));
        if (!emit) {
            if (w > widths[c])
                widths[c] = w;
        } else {
            if (c)
                buf_add(out, " | ", 3);
            buf_add(out, p, (size_t)(q - p));
            if (c < ncols - 1)
                pad(out, widths[c] - w);
        }
        p = q < e ? q + 1 : e;
    }
    if (emit)
        buf_addc(out, '\n');
}

static void table_end(Out *o)
{
    Table *t = o->priv;
    int *widths = calloc((size_t)o->ncols + 1, sizeof(int));
    if (!widths)
        abort();
    for (int c = 0; c < o->ncols; c++)
        widths[c] = width(o->names[c], strlen(o->names[c]));
    for (size_t r = 0; r < t->n; r++)
        each_cell(t, r, o->ncols, widths, NULL, 0);
    LiqBuf out = {0};
    if (o->header) {
        for (int c = 0; c < o->ncols; c++) {
            if (c)
                buf_add(&out, " | ", 3);
            buf_adds(&out, o->names[c]);
            if (c < o->ncols - 1)
                pad(&out, widths[c] - width(o->names[c], strlen(o->names[c])));
        }
        buf_addc(&out, '\n');
        for (int c = 0; c < o->ncols; c++) {
            if (c)
                buf_add(&out, "-+-", 3);
            for (int i = 0; i < widths[c]; i++)
                buf_addc(&out, '-');
        }
        buf_addc(&out, '\n');
    }
    for (size_t r = 0; r < t->n; r++) {
        each_cell(t, r, o->ncols, widths, &out, 1);
        if (out.len > (1 << 20)) {
            out_put(o, out.p, out.len);
            out.len = 0;
        }
    }
    out_put(o, out.p, out.len);
    buf_free(&out);
    buf_free(&t->cells);
    free(t->ends);
    free(t);
    free(widths);
    o->priv = NULL;
}

const OutVTable out_table_vt = {"table", table_format_row, table_begin, table_write, table_end};
