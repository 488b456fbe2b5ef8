/* liq_int.h -- the inside of a LiqQuery, for the door's own files (liq.c, fields.c, run.c)
 *
 * A compiled query is its executable plan (engine/exec/plan.h) and the answers to what a
 * client may ask of it (liq.h), all worked out by liq_compile: nothing in it refers to the
 * AST, which stays in the pool with everything else but is not read after compiling.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_LIQ_INT_H
#define LIQ_LIQ_INT_H

#include "engine/liq.h"
#include "engine/exec/plan.h"

struct LiqQuery {
    apr_pool_t *pool;
    const char *text;    /* the query text as given */
    size_t len;
    const char *shown;   /* ... with each parameter written as its literal (liq_query_text) */
    size_t shown_len;
    Plan *plan;
    const char **columns;
    int has_stats;       /* liq_query_has_stats */
    int stats_keys;      /* liq_query_stats_keys */
    int has_bin;         /* liq_query_bin: its first stats groups by bin(period) offset */
    double bin_period;
    int64_t bin_offset;
};

/* A query of plan (in pool) whose text is text[0..len), not copied: its columns are the
 * plan's, and it has no stats or parameters until the caller says so (liq.c). */
LiqQuery *liq_query_new(apr_pool_t *pool, const char *text, size_t len, Plan *plan);
const Plan *liq_query_plan(const LiqQuery *q);

#endif
