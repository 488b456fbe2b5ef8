/* agg.h -- aggregate functions: state layout and the four operations on it
 *
 * Each FK_AGG row of parser/functions.def has an AggOps here. States are plain bytes inside
 * the group table (size bytes, suitably aligned). Every merge is order-independent in its
 * result, so any thread count, any split of the rows and any merge order gives the same
 * answer: sums are exact (integers in int64, other values as fsum's nonoverlapping partials,
 * rounded once at the end); min/max break ties by input order.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_AGG_H
#define LIQ_AGG_H

#include <apr_pools.h>
#include "base/buf.h"
#include "engine/data/val.h"
#include "engine/exec/xsum.h" /* AggMem */
#include "parser/func.h"


typedef struct AggOps {
    size_t size;
    void (*init)(void *st);
    /* d is NULL for count(*); aux is the second input (earliest/latest: @timestamp) */
    void (*update)(void *st, const Datum *d, const Datum *aux, uint64_t order, AggMem *m);
    void (*merge)(void *dst, const void *src, AggMem *m);
    /* param: pct's percentile; pool: scratch for the result's bytes */
    Datum (*result)(void *st, double param, apr_pool_t *pool);
    void (*destroy)(void *st); /* frees malloc'd state, or NULL */
    /* the state as bytes (engine/exec/partial.h): save appends them to out; load reads them
     * into an initialised state, exactly (doubles bit for bit, sets and value lists whole),
     * and returns the bytes it read, 0 when [p, end) does not hold a valid state */
    void (*save)(const void *st, LiqBuf *out);
    size_t (*load)(void *st, const char *p, const char *end, AggMem *m);
} AggOps;

extern const AggOps *const agg_table[FN__COUNT];

#endif
