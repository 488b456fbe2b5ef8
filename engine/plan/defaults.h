/* defaults.h -- --insights-defaults (L1): the console's implicit stages as a query rewrite
 *
 * The CloudWatch console shows a query without stats or sort newest first and at most 10000
 * rows. liq does the same when asked (LiqCompileOptions.insights_defaults) by rewriting the
 * checked query before plan_build: the commands it adds are AST nodes as the parser would
 * build them for 'sort @timestamp desc' and 'limit 10000', with no text of their own (an
 * empty span at the end of the query; AstNode.written names them in labels), so the plan, its
 * operators and --explain are those of the query with the stages written out, and every
 * diagnostic still points into the text as the user wrote it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_PLAN_DEFAULTS_H
#define LIQ_PLAN_DEFAULTS_H

#include <apr_pools.h>
#include "parser/ast.h"

/* A query (AST_QUERY, checked by sema) with no stats, sort, pattern, diff or anomaly gets
 * 'sort @timestamp desc' before its first dedup or limit/head (so dedup keeps the newest row
 * and limit the newest N), else at its end, and 'limit 10000' at its end. Other queries are
 * left alone. */
void plan_insights_defaults(apr_pool_t *pool, AstNode *query);

#endif
