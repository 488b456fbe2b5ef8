/* liq_int.h -- the inside of a LiqQuery, for the engine's own files
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_LIQ_INT_H
#define LIQ_LIQ_INT_H

#include "engine/liq.h"
#include "engine/exec/plan.h"
#include "parser/ast.h"

struct LiqQuery {
    apr_pool_t *pool;
    const char *text;
    size_t len;
    AstNode *ast;
    Plan *plan;
    const char **columns;
};

const Plan *liq_query_plan(const LiqQuery *q);

#endif
