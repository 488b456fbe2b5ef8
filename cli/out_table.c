/* out_table.c -- the aligned table for people at a terminal
 *
 * Column widths depend on the rows, so rows are held back: all of them when the table goes to
 * a file or a pipe (exact widths), the first TABLE_WINDOW on a terminal, after which the widths
 * are fixed and later rows stream out as they come (a terminal shows a long result at once and
 * never holds it all in memory); the last column of such a row may still use what is left of
 * the line. A live input that pauses (`tail -f app.log | liq ...`: LiqOutput.idle) fixes the
 * widths at once from the rows held so far, so that its rows show as they come, on a terminal
 * or not. Once the widths are fixed, a later cell wider than its column widens the column from
 * its row on (the lines before keep theirs): always off a terminal, on one while the line fits
 * the screen; past that it is clipped. Widths count display
 * columns (base/span.h: wide characters take two, combining marks none). On a terminal a line
 * wider than the screen has its widest columns narrowed and their cells clipped with '…';
 * elsewhere nothing is clipped.
 *
 * A column whose values are all numbers is right-aligned, header included. Lines carry no
 * trailing blanks. Cells and header names are escaped by base/esc.c's esc_term: control
 * characters shown escaped (\n \t \r \xHH, C1 controls as \u0085) and invalid UTF-8 as
 * U+FFFD, so neither a value nor a name can break the layout (L25). Nulls are empty cells
 * (L4). The row count and the run's statistics go to stderr from the CLI, not here.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "cli/out.h"
#include "base/esc.h"
#include "base/span.h"

enum { TABLE_WINDOW = 1000 };

/* A formatted row is its cells one after another, each a kind byte then the escaped text,
 * separated by CELL_SEP (escaping keeps control bytes out of the text). */
#define CELL_SEP '\x1f'
enum { CELL_NULL = 'z', CELL_NUM = 'n', CELL_TEXT = 's' };

typedef struct Table {
    LiqBuf cells;   /* rows held back */
    size_t *ends;   /* end of each held row in cells (all rows of a result off a terminal) */
    size_t n, cap;
    int frozen; /* widths fixed, header written */
    int *widths;
    int *numeric;  /* per column: every non-null value is a number */
    char *kinds;   /* split: one row's cells (a row has o->ncols of them) */
    const char **text;
    size_t *lens;
    int last_room; /* columns the last column may fill (later rows may be wider) */
    LiqBuf line;
    LiqBuf head;       /* the header names, escaped, one after another */
    size_t *head_ends; /* end of each name in head */
} Table;

static void table_format_row(Out *o, const Datum *vals, int ncols, LiqBuf *b)
{
    (void)o;
    LiqBuf t = {0};
    for (int c = 0; c < ncols; c++) {
        if (c)
            buf_addc(b, CELL_SEP);
        const Datum *d = &vals[c];
        buf_addc(b, d->type == VT_NULL ? CELL_NULL : d->type == VT_NUM ? CELL_NUM : CELL_TEXT);
        t.len = 0;
        val_format(&t, d);
        esc_term(b, t.p ? t.p : "", t.len);
    }
    buf_free(&t);
}

static void table_begin(Out *o)
{
    Table *t = mem_calloc(1, sizeof(Table));
    size_t n = o->ncols > 0 ? (size_t)o->ncols : 1;
    t->widths = mem_calloc(n, sizeof(int));
    t->numeric = mem_calloc(n, sizeof(int));
    t->kinds = mem_calloc(n, 1);
    t->text = mem_calloc(n, sizeof(char *));
    t->lens = mem_calloc(n, sizeof(size_t));
    t->head_ends = mem_calloc(n, sizeof(size_t));
    for (int c = 0; c < o->ncols; c++) {
        esc_term(&t->head, o->names[c], strlen(o->names[c]));
        t->head_ends[c] = t->head.len;
    }
    o->priv = t;
}

/* Display columns of UTF-8 text (escaped cells are valid UTF-8). */
static int width(const char *s, size_t n)
{
    int w = 0;
    for (size_t i = 0; i < n;) {
        size_t adv;
        w += span_cpwidth(span_utf8_decode(s + i, n - i, &adv));
        i += adv;
    }
    return w;
}

static void pad(LiqBuf *b, int n)
{
    for (int i = 0; i < n; i++)
        buf_addc(b, ' ');
}

/* Ends a line without trailing blanks (empty last cells leave some). */
static void end_line(LiqBuf *b)
{
    while (b->len && b->p[b->len - 1] == ' ')
        b->len--;
    buf_addc(b, '\n');
}

/* Splits a formatted row into its cells: kinds[c], text[c], lens[c]. */
static void split(const char *p, const char *e, int ncols, char *kinds, const char **text,
                  size_t *lens)
{
    for (int c = 0; c < ncols; c++) {
        const char *q = p < e ? memchr(p, CELL_SEP, (size_t)(e - p)) : NULL;
        if (!q)
            q = e;
        kinds[c] = p < q ? *p : CELL_NULL;
        text[c] = p < q ? p + 1 : p;
        lens[c] = p < q ? (size_t)(q - p - 1) : 0;
        p = q < e ? q + 1 : e;
    }
}

/* Appends text clipped to w display columns ('…' marks a cut; with clip 0 text wider than w
 * is written whole), padded to w on the side that align says (1 = right); the last column gets
 * no trailing padding. */
static void put_cell(LiqBuf *b, const char *s, size_t n, int w, int right, int last, int clip)
{
    int have = width(s, n);
    if (have > w && clip) {
        int used = 0;
        size_t i = 0;
        while (i < n) {
            size_t adv;
            int cw = span_cpwidth(span_utf8_decode(s + i, n - i, &adv));
            if (used + cw > w - 1)
                break;
            used += cw;
            i += adv;
        }
        while (i < n) { /* keep combining marks with their base */
            size_t adv;
            if (span_cpwidth(span_utf8_decode(s + i, n - i, &adv)) != 0)
                break;
            i += adv;
        }
        if (right)
            pad(b, w - 1 - used);
        buf_add(b, s, i);
        buf_add(b, "\xE2\x80\xA6", 3);
        if (!right && !last)
            pad(b, w - 1 - used);
        return;
    }
    if (right)
        pad(b, w - have);
    buf_add(b, s, n);
    if (!right && !last)
        pad(b, w - have);
}

/* On a terminal, narrows the widest columns until a line fits: the widths become
 * min(width, cap) for the largest cap that fits, and columns at the cap share what is left. */
static void fit(Out *o, int *widths)
{
    int sep = 3 * (o->ncols - 1), total = sep, maxw = 0;
    for (int c = 0; c < o->ncols; c++) {
        total += widths[c];
        if (widths[c] > maxw)
            maxw = widths[c];
    }
    int room = o->width - sep;
    if (!o->tty || total <= o->width || room < 4 * o->ncols)
        return;
    int lo = 1, hi = maxw;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2, sum = 0;
        for (int c = 0; c < o->ncols; c++)
            sum += widths[c] < mid ? widths[c] : mid;
        if (sum <= room)
            lo = mid;
        else
            hi = mid - 1;
    }
    int sum = 0;
    for (int c = 0; c < o->ncols; c++) {
        if (widths[c] > lo)
            widths[c] = lo;
        sum += widths[c];
    }
    for (int c = 0; c < o->ncols && sum < room; c++)
        if (widths[c] == lo) {
            widths[c]++;
            sum++;
        }
}

/* A row after the widths were fixed has a cell have columns wide in column c: the column
 * grows to it from this row on (rows before keep their widths), off a terminal always, on one
 * while the line still fits the screen (else the cell is clipped). */
static void widen(Out *o, Table *t, int c, int have)
{
    int grow = have - t->widths[c], nc = o->ncols;
    if (grow <= 0 || (c == nc - 1 && !t->numeric[c]))
        return; /* the last column of text has the rest of the line already */
    if (o->tty) {
        int total = 3 * (nc - 1);
        for (int k = 0; k < nc; k++)
            total += t->widths[k];
        if (total + grow > o->width)
            return;
        t->last_room -= c < nc - 1 ? grow : 0;
    }
    t->widths[c] = have;
}

static void emit_row(Out *o, Table *t, const char *p, const char *e)
{
    const char **text = t->text;
    const size_t *lens = t->lens;
    int nc = o->ncols;
    split(p, e, nc, t->kinds, t->text, t->lens);
    for (int c = 0; c < nc; c++) {
        if (c)
            buf_add(&t->line, " | ", 3);
        if ((int)lens[c] > t->widths[c]) /* maybe wider than its column (bytes >= columns) */
            widen(o, t, c, width(text[c], lens[c]));
        int w = t->widths[c];
        if (c == nc - 1 && !t->numeric[c] && t->last_room > w)
            w = t->last_room; /* nothing follows: a later, wider value may use the line */
        put_cell(&t->line, text[c], lens[c], w, t->numeric[c], c == nc - 1, o->tty);
    }
    end_line(&t->line);
}

/* Column c's name as the header shows it (escaped; not NUL-terminated). */
static const char *head_name(const Table *t, int c)
{
    return t->head.p ? t->head.p + (c ? t->head_ends[c - 1] : 0) : ""; /* NULL: all empty */
}

static size_t head_len(const Table *t, int c)
{
    return t->head_ends[c] - (c ? t->head_ends[c - 1] : 0);
}

/* Fixes the widths from the rows held back, writes the header and those rows. */
static int freeze(Out *o, Table *t)
{
    char *kinds = t->kinds;
    const char **text = t->text;
    size_t *lens = t->lens;
    int nc = o->ncols;
    int *seen_text = mem_calloc((size_t)nc + 1, sizeof(int));
    for (int c = 0; c < nc; c++)
        t->widths[c] = width(head_name(t, c), head_len(t, c));
    for (size_t r = 0; r < t->n; r++) {
        const char *p = t->cells.p + (r ? t->ends[r - 1] : 0), *e = t->cells.p + t->ends[r];
        split(p, e, nc, kinds, text, lens);
        for (int c = 0; c < nc; c++) {
            int w = width(text[c], lens[c]);
            if (w > t->widths[c])
                t->widths[c] = w;
            if (kinds[c] == CELL_NUM)
                t->numeric[c] = 1;
            else if (kinds[c] == CELL_TEXT)
                seen_text[c] = 1;
        }
    }
    for (int c = 0; c < nc; c++)
        t->numeric[c] = t->numeric[c] && !seen_text[c];
    free(seen_text);
    fit(o, t->widths);
    t->last_room = t->widths[nc - 1];
    if (o->tty) {
        int used = 0;
        for (int c = 0; c < nc - 1; c++)
            used += t->widths[c] + 3;
        t->last_room = o->width - used;
    } else {
        t->last_room = 1 << 30; /* not a terminal: nothing is clipped */
    }
    t->frozen = 1;
    if (o->header) {
        for (int c = 0; c < nc; c++) {
            if (c)
                buf_add(&t->line, " | ", 3);
            put_cell(&t->line, head_name(t, c), head_len(t, c), t->widths[c], t->numeric[c],
                     c == nc - 1, 1);
        }
        end_line(&t->line);
        for (int c = 0; c < nc; c++) {
            if (c)
                buf_add(&t->line, "-+-", 3);
            for (int i = 0; i < t->widths[c]; i++)
                buf_addc(&t->line, '-');
        }
        buf_addc(&t->line, '\n');
    }
    for (size_t r = 0; r < t->n; r++) {
        emit_row(o, t, t->cells.p + (r ? t->ends[r - 1] : 0), t->cells.p + t->ends[r]);
        if (t->line.len > (1 << 20)) {
            if (out_put(o, t->line.p, t->line.len))
                return 1;
            t->line.len = 0;
        }
    }
    t->n = 0;
    t->cells.len = 0;
    int rc = out_put(o, t->line.p, t->line.len);
    t->line.len = 0;
    return rc;
}

static int table_write(Out *o, const char *data, size_t len, const uint32_t *ends, uint32_t n)
{
    Table *t = o->priv;
    (void)len;
    uint32_t start = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (t->frozen) {
            emit_row(o, t, data + start, data + ends[i]);
        } else {
            buf_add(&t->cells, data + start, ends[i] - start);
            if (t->n == t->cap) {
                t->cap = t->cap ? t->cap * 2 : 256;
                size_t *e = mem_realloc(t->ends, sizeof(size_t) * t->cap);
                t->ends = e;
            }
            t->ends[t->n++] = t->cells.len;
            if (o->tty && t->n >= TABLE_WINDOW && freeze(o, t))
                return 1;
        }
        start = ends[i];
    }
    if (t->line.len) {
        int rc = out_put(o, t->line.p, t->line.len);
        t->line.len = 0;
        return rc;
    }
    return 0;
}

/* A live input paused (LiqOutput.idle): the rows held so far fix the widths and go out. */
static int table_idle(Out *o)
{
    Table *t = o->priv;
    return !t->frozen && t->n ? freeze(o, t) : 0;
}

static void table_end(Out *o)
{
    Table *t = o->priv;
    if (!t->frozen)
        freeze(o, t);
    buf_free(&t->cells);
    buf_free(&t->line);
    buf_free(&t->head);
    free(t->head_ends);
    free(t->ends);
    free(t->widths);
    free(t->numeric);
    free(t->kinds);
    free(t->text);
    free(t->lens);
    free(t);
    o->priv = NULL;
}

const OutVTable out_table_vt = {"table",   table_format_row, table_begin, table_write,
                                table_end, NULL,             table_idle};
