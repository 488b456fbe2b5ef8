/* vec.h -- the engine's unit of data: a Batch of up to LIQ_VEC_SIZE records held as columns
 *
 * Design. A batch is cut from one morsel (a chunk of one input). Each record keeps its raw line
 * (Rec); each field the plan names has a slot, and column `slot` of the batch holds that
 * field's values for the batch's rows (Vec). Columns are filled lazily: the decoder fills an
 * input field only when an operator first needs it, and only for the rows still selected then.
 *
 * Selection. `sel` lists the active rows (indices into the columns), in order; a filter
 * rewrites the list and never moves data. Invariant: within one pipeline a selection only
 * shrinks, so a column filled for the selection current at the time stays valid for every
 * later selection of the same batch.
 *
 * Values. A column is an array of Datum (engine/data/val.h), each carrying its own type tag: log
 * fields have no schema and one field may hold a number in one record and a string in the
 * next. A column loaded from a constant has `isconst` set and holds its value in d[0].
 *
 * Order. Every row has an order key (morsel sequence << 32 | row number in the morsel): the
 * input order that L1 promises, whatever thread ran the row. Breakers keep it; sorts use it as
 * the final tie-break (stable).
 *
 * Ownership: Vec arrays and decoded strings live in the batch pool (cleared after the batch);
 * Rec lines borrow the morsel's buffer.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_VEC_H
#define LIQ_VEC_H

#include <stdint.h>
#include <apr_pools.h>
#include "engine/data/val.h"

enum { LIQ_VEC_SIZE = 2048 }; /* rows per batch; cache-sized (X100, DuckDB) */
_Static_assert((LIQ_VEC_SIZE & (LIQ_VEC_SIZE - 1)) == 0, "LIQ_VEC_SIZE must be a power of two");

typedef uint16_t SelIdx;
_Static_assert(LIQ_VEC_SIZE <= 65536, "SelIdx must hold every row index");

typedef struct Vec {
    Datum *d;
    uint8_t isconst; /* every row's value is d[0] */
    uint8_t loaded;  /* filled for the batch's selection */
} Vec;

#define VGET(v, row) (&(v)->d[(v)->isconst ? 0 : (row)])

/* REC_JSON_FRAG: not JSON itself, but a Lambda-style line "<ts>\t<id>\t<LEVEL>\t{...}" whose
 * JSON fragment (at jsoff) gives the fields (§7.2: the first embedded fragment) */
enum { REC_JSON_UNKNOWN = 0, REC_JSON_YES, REC_JSON_NO, REC_JSON_FRAG };

/* What a record's format says about it beyond its text (L19): the log group and stream of a
 * CloudWatch subscription record or a filter-log-events event, its ingestion time. NULL
 * fields fall back to the input's. Shared by the records of one document. */
typedef struct RecMeta {
    const char *log, *stream;
    uint32_t log_len, stream_len;
    int64_t ingestion;
    uint8_t has_ingestion;
} RecMeta;

typedef struct Rec {
    const char *line; /* @message: the raw line, or the message a container format holds */
    uint32_t len;
    uint32_t jsoff;   /* REC_JSON_FRAG: where the JSON fragment starts */
    uint8_t json;    /* REC_JSON_*: what the decoder learnt about the line */
    uint8_t ts_done; /* ts computed (or given by the format) */
    uint8_t has_ts;
    uint8_t over_counted; /* its leaves past the JSON field cap are counted (src_count_over) */
    int64_t ts;      /* epoch ms when has_ts */
    const RecMeta *meta; /* NULL: everything comes from the input */
} Rec;

struct Input;

typedef struct Batch {
    uint32_t nrows; /* physical rows */
    uint32_t nsel;  /* active rows */
    SelIdx *sel;    /* the active rows, ascending */
    int ncols;
    Vec *cols;      /* one per plan slot */
    Rec *recs;      /* NULL for batches cut from a materialised row set */
    const uint64_t *order; /* per-row order keys when not consecutive (row sets) */
    uint64_t order_base;   /* order key of row 0 when consecutive */
    const struct Input *input;
    int contiguous; /* the records are consecutive lines of one buffer (prefilter scans) */
    apr_pool_t *pool;
} Batch;

/* For each selected row of batch b, in order: the body sees `row` (its index into the
 * columns). The one loop over a selection; a body may compact the selection as it goes
 * (b->sel[n] = row, n <= the current position), since each entry is read before. */
#define FOR_ROWS(b)                                                                              \
    for (uint32_t i_ = 0, row = 0; i_ < (b)->nsel && ((row = (b)->sel[i_]), 1); i_++)

static inline uint64_t batch_order(const Batch *b, uint32_t row)
{
    return b->order ? b->order[row] : b->order_base + row;
}

#endif
