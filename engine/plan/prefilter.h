/* prefilter.h -- literal prefilters: skip records whose raw bytes cannot match a filter
 *
 * A filter of pipeline 0 on a field read from the record (a JSON field or @message) that
 * needs a literal -- `f = "text"` (text not numeric-looking, so the comparison is by string,
 * L5), `f like "text"`, `f like /re/` or `f =~ /re/` with a literal every match must contain --
 * implies that the record's raw line contains that literal. The planner puts such literals in
 * the plan (Plan.pre, engine/exec/plan.h), and the scan (engine/exec/pipe.c) checks them with
 * a substring search before any decoding, and drops lines that lack one. JSON escapes can
 * hide a literal (`"ERR\u004fR"` is ERROR), so a line holding a backslash is never dropped by
 * a prefilter. Numeric comparisons never get a prefilter (200 may be written 2e2 or 200.0),
 * nor do negations, 'or', case-insensitive regexes, or computed fields.
 *
 * Interface:
 *   prefilter_derive   the literal a filter condition implies, or NULL
 *   prefilter_regex_literal   the longest literal every match of a regex contains, or NULL
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_PREFILTER_H
#define LIQ_PREFILTER_H

#include <apr_pools.h>
#include "engine/exec/plan.h"
#include "engine/plan/expr_compile.h"
#include "parser/ast.h"

/* scope resolves field names to slots as the filter's compilation did */
const char *prefilter_derive(apr_pool_t *pool, const Plan *p, const Scope *scope,
                             const AstNode *cond, size_t *len);
const char *prefilter_regex_literal(apr_pool_t *pool, const char *re, size_t n, size_t *len);

#endif
