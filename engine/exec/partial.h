/* partial.h -- stats groups as bytes: a group's key and its aggregate states
 *
 * The encoding a high-cardinality stats spills its groups in (op_stats.c), and the one
 * partial results (issue 16, liq --partial/--merge) are to carry: compact, versioned,
 * self-delimiting, exact (every aggregate state round-trips whole: doubles bit for bit, pct's
 * values, count_distinct's set or HyperLogLog registers, earliest/latest/min/max with the
 * order key that breaks their ties). Integers and doubles are in the host's byte order, which
 * is little-endian on every platform liq builds for.
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
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_PARTIAL_H
#define LIQ_PARTIAL_H

#include <stdint.h>
#include "base/buf.h"
#include "engine/exec/agg.h"

enum { PARTIAL_VERSION = 1 };

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

#endif
