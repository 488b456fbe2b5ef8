/* fields.c -- the public door of liq --fields: the discover plan (engine/exec/discover.c) as
 * a compiled query, run like any other (see liq.h, liq_fields_query)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "engine/liq_int.h"
#include "engine/exec/discover.h"

LiqQuery *liq_fields_query(apr_pool_t *pool)
{
    static const char text[] = "(discover fields)";
    return liq_query_new(pool, text, sizeof(text) - 1, discover_plan(pool, text));
}
