/* partial.h -- breaker states as bytes: stats groups with their aggregate states, and rows
 *
 * The encoding a high-cardinality stats spills its groups in (op_stats.c), and the one
 * partial results carry (issue 16, liq --partial/--merge, docs/partial-format.md): compact,
 * versioned, self-delimiting, exact (every aggregate state round-trips whole: doubles bit for
 * bit, pct's values, count_distinct's set or HyperLogLog registers, earliest/latest/min/max
 * with the order key that breaks their ties). Integers and doubles are little-endian: liq
 * builds only for little-endian hosts (partial.c asserts it), so the host's order is the
 * format's.
 *
 *   header   "LIQG", u16 version (PARTIAL_VERSION), u16 nkeys, u16 naggs, naggs x u16
 *            function id (parser/functions.def): a reader checks the shape it expects
 *   group    u32 bytes that follow; u64 hash of the keys; u64 first, the order key of the
 *            group's earliest row (which spells its keys); nkeys values (spill.h's value
 *            encoding); each aggregate's state (AggOps.save) in the query's order
 *
 * Groups follow each other with nothing between: a reader takes them one by one until the
 * bytes end; a group that does not decode whole is corrupt (0 from partial_get_group).
 *
 * Rows (the states of sort, limit, dedup, unnest and the window commands, and the rows of a
 * query without a breaker):
 *
 *   rows     "LIQR", u16 version, u16 0, u32 values per row; then rows until the bytes end:
 *            u32 bytes that follow, u64 order key, the values (spill.h's value encoding),
 *            nothing left over in a row
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_PARTIAL_H
#define LIQ_PARTIAL_H

#include <stdint.h>
#include "base/buf.h"
#include "engine/exec/agg.h"

enum { PARTIAL_VERSION = 1 };

/* The largest count of records a loaded state may hold in one counter (2^48, about 2.8e14
 * records: a year of ten million records a second). Loaders refuse more, so that merging
 * up to 4096 parts (liq.h's part ordinals) stays far inside int64: forged counts cannot
 * overflow a sum. */
#define PARTIAL_COUNT_MAX ((int64_t)1 << 48)

/* What a group holds: nkeys key values and naggs aggregates of functions fns[] whose states
 * lie at offs[] in a group's state bytes. */
typedef struct PartialShape {
    int nkeys, naggs;
    const int *fns;
    const size_t *offs;
} PartialShape;

void partial_put_header(LiqBuf *out, const PartialShape *sh);
/* The header's bytes when [p, end) starts with sh's header, else 0 (another shape, version
 * or not a header). */
size_t partial_get_header(const char *p, const char *end, const PartialShape *sh);

void partial_put_group(LiqBuf *out, const PartialShape *sh, uint64_t hash, uint64_t first,
                       const Datum *keys, const unsigned char *state);
/* The group at p: its hash, first row, keys (strings pointing into p, JSON in m->pool) and
 * states, read into state (initialised by the caller: AggOps.init) with m; returns its
 * bytes, or 0 when [p, end) does not hold a whole valid group. */
size_t partial_get_group(const char *p, const char *end, const PartialShape *sh, AggMem *m,
                         uint64_t *hash, uint64_t *first, Datum *keys, unsigned char *state);

/* Rows: the header for rows of nslots values; its bytes when [p, end) starts with it, else 0. */
void partial_put_rows_header(LiqBuf *out, int nslots);
size_t partial_get_rows_header(const char *p, const char *end, int nslots);
/* One row: nslots values and its order key. */
void partial_put_row(LiqBuf *out, const Datum *row, int nslots, uint64_t order);
/* The row at p: its values (strings pointing into p, JSON parsed into pool) and order key;
 * its bytes, or 0 when [p, end) does not start with a whole valid row of nslots values. */
size_t partial_get_row(const char *p, const char *end, apr_pool_t *pool, Datum *row, int nslots,
                       uint64_t *order);

#endif
