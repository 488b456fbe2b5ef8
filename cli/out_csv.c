/* out_csv.c -- CSV (RFC 4180) and TSV writers
 *
 * CSV quotes a field that holds a comma, a quote, CR or LF, or leading/trailing space, and
 * doubles quotes inside. TSV escapes tab, newline, carriage return and backslash as \t \n \r
 * \\ (L25). Both pass other bytes through unchanged; nulls are empty fields (L4). The fields
 * are escaped by base/esc.c (esc_csv, esc_tsv), header names included.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "cli/out.h"
#include "base/esc.h"

static void row(LiqBuf *b, const Datum *vals, int ncols, char sep,
                void (*field)(LiqBuf *, const char *, size_t))
{
    LiqBuf t = {0};
    for (int c = 0; c < ncols; c++) {
        if (c)
            buf_addc(b, sep);
        if (vals[c].type == VT_NULL)
            continue;
        const Datum *d = &vals[c];
        if (d->type == VT_STR) { /* its bytes are its text: escaped from where they are */
            field(b, d->s, d->len);
            continue;
        }
        t.len = 0;
        val_format(&t, d);
        field(b, t.p ? t.p : "", t.len);
    }
    buf_addc(b, '\n');
    buf_free(&t);
}

static void header(Out *o, char sep, void (*field)(LiqBuf *, const char *, size_t))
{
    if (!o->header)
        return;
    LiqBuf b = {0};
    for (int c = 0; c < o->ncols; c++) {
        if (c)
            buf_addc(&b, sep);
        field(&b, o->names[c], strlen(o->names[c]));
    }
    buf_addc(&b, '\n');
    out_put(o, b.p, b.len);
    buf_free(&b);
}

static void csv_format_row(Out *o, const Datum *vals, int ncols, LiqBuf *b)
{
    (void)o;
    row(b, vals, ncols, ',', esc_csv);
}

static void tsv_format_row(Out *o, const Datum *vals, int ncols, LiqBuf *b)
{
    (void)o;
    row(b, vals, ncols, '\t', esc_tsv);
}

static void csv_begin(Out *o)
{
    header(o, ',', esc_csv);
}

static void tsv_begin(Out *o)
{
    header(o, '\t', esc_tsv);
}

static int plain_write(Out *o, const char *data, size_t len, const uint32_t *ends, uint32_t n)
{
    (void)ends;
    (void)n;
    return out_put(o, data, len);
}

static void plain_end(Out *o)
{
    (void)o;
}

const OutVTable out_csv_vt = {"csv", csv_format_row, csv_begin, plain_write, plain_end, NULL, NULL};
const OutVTable out_tsv_vt = {"tsv", tsv_format_row, tsv_begin, plain_write, plain_end, NULL, NULL};
