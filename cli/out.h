/* out.h -- result writers: one module per output format
 *
 * An Out turns result rows into bytes. Its format_row is called from worker threads (it only
 * formats, into the caller's buffer); begin/write/end run on one thread at a time and are the
 * only functions that write to the output stream. Each format follows Part 1 of the language
 * reference: L11-L12 for values, L4 for nulls, L25 for escaping.
 *
 * Interface:
 *   out_new      the writer for a format name ("table", "csv", "tsv", "json", "ndjson")
 *   out_liq      the LiqOutput adapter the engine calls; it flushes the stream after every
 *                write, so rows reach a pipe as soon as the engine hands them over, and
 *                after an idle call (a live input paused: the table fixes its widths then)
 *   out_put      bytes to the stream, recording the first failure
 *   out_rows     feed already materialised rows through a writer (charts, --chart-svg)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_OUT_H
#define LIQ_OUT_H

#include <stdio.h>
#include "engine/liq.h"

typedef struct Out Out;

typedef struct OutVTable {
    const char *name;
    void (*format_row)(Out *o, const Datum *vals, int ncols, LiqBuf *b);
    void (*begin)(Out *o); /* header */
    int (*write)(Out *o, const char *data, size_t len, const uint32_t *ends, uint32_t n);
    void (*end)(Out *o);     /* footer, table rendering */
    void (*release)(Out *o); /* frees state that outlives end (NULL: none) */
    /* the input paused with every row so far written (LiqOutput.idle): rows held back go out
     * (the table fixes its widths); NULL: the format holds nothing back. Nonzero: failed */
    int (*idle)(Out *o);
} OutVTable;

struct Out {
    const OutVTable *vt;
    FILE *fp;
    const char **names;
    int ncols;
    int header; /* print a header row (csv, tsv, table) */
    int failed; /* a write failed (e.g. the reader of a pipe went away) */
    int err;    /* errno of the failed write (EPIPE: the reader went away) */
    int tty;    /* the stream is a terminal: the table clips long cells to `width` */
    int width;  /* terminal columns */
    uint64_t rows;
    void *priv; /* the format's own state */
};

Out *out_new(const char *format, FILE *fp, const char **names, int ncols, int header);
void out_free(Out *o);
LiqOutput out_liq(Out *o);
/* Writes bytes to the stream; records a failure. Returns nonzero on failure. */
int out_put(Out *o, const char *data, size_t len);

/* Formats and writes n rows of ncols values (row-major) through o, as the engine would. */
void out_rows(Out *o, const Datum *vals, size_t n, int ncols);

extern const OutVTable out_csv_vt, out_tsv_vt, out_json_vt, out_ndjson_vt, out_table_vt;
/* the collector (out_collect.c): rows kept as typed values, for charts */
extern const OutVTable out_collect_vt;
/* The values the collector o holds so far, row-major (*nrows rows of o->ncols). */
const Datum *out_collected(Out *o, size_t *nrows);

/* One value as JSON, typed (L25): numbers, booleans, strings escaped by esc_json (base/esc.h),
 * maps and lists as their JSON text; null as null. */
void out_json_value(LiqBuf *b, const Datum *d);

#endif
