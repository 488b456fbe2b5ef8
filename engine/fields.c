/* fields.c -- the public door of liq --fields: the discover plan (engine/exec/discover.c) as
 * a compiled query, run like any other (see liq.h, liq_fields_query)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "engine/liq_int.h"
#include "engine/exec/discover.h"

LiqQuery *liq_fields_query_opts(apr_pool_t *pool, const LiqCompileOptions *opt)
{
    static const char text[] = "(discover fields)";
    Plan *plan = discover_plan(pool, text);
    plan->max_fields = opt ? opt->max_fields : 0;
    return liq_query_new(pool, text, sizeof(text) - 1, plan);
}

LiqQuery *liq_fields_query(apr_pool_t *pool)
{
    return liq_fields_query_opts(pool, NULL);
}
