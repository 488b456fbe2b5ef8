/* build.h -- the planner: a checked AST becomes an executable plan (engine/exec/plan.h)
 *
 * plan_build walks the commands of a query checked by sema, left to right, with a scope of
 * visible names: a later definition of a name shadows an earlier one from then on. Names
 * become slots, expressions step arrays (expr_compile.h), commands operators grouped into
 * pipelines that end in breakers, and filters of pipeline 0 literal prefilters
 * (prefilter.h). The plan holds nothing of the AST: execution never sees it.
 *
 * Ownership: the plan, its operators and expressions live in the pool given to plan_build
 * (the query's); diagnostics point into the query text (or the filter pattern's).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_PLAN_BUILD_H
#define LIQ_PLAN_BUILD_H

#include <apr_pools.h>
#include "base/diag.h"
#include "engine/exec/plan.h"
#include "parser/ast.h"
#include "parser/fpat.h"

/* The plan of query (AST_QUERY, checked by sema) written as text; pattern: a filter pattern
 * to apply first (--filter-pattern), or NULL. NULL on errors, each a diagnostic in diags. */
Plan *plan_build(apr_pool_t *pool, const AstNode *query, const char *text,
                 const FpPattern *pattern, LiqDiagList *diags);

/* What the planner reads besides the query: where the lookup tables of 'lookup' are. */
typedef struct PlanOpts {
    const char *const *lookup_names; /* table names and their CSV files (--lookup NAME=FILE) */
    const char *const *lookup_paths;
    int nlookups;
    const char *lookup_dir;          /* else DIR/NAME.csv (NULL: none) */
    const char *keep_prefix;         /* shown columns named with it stay shown after a display
                                      * (LiqCompileOptions.keep_prefix); NULL: none */
} PlanOpts;

/* plan_build with options (opts may be NULL). */
Plan *plan_build_opts(apr_pool_t *pool, const AstNode *query, const char *text,
                      const FpPattern *pattern, const PlanOpts *opts, LiqDiagList *diags);

#endif
