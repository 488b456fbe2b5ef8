/* discover.h -- liq --fields: the plan that counts the fields of the records (discover.c)
 *
 * Interface:
 *   discover_plan   a plan whose first pipeline ends in the discover breaker; its result rows
 *                   are field, count, types (liq.h, liq_fields_query)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_DISCOVER_H
#define LIQ_DISCOVER_H

#include <apr_pools.h>
#include "engine/exec/plan.h"

/* The plan, in pool; text names it (Plan.query). */
Plan *discover_plan(apr_pool_t *pool, const char *text);

#endif
