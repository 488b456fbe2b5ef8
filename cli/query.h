/* query.h -- query text before it is compiled: saved queries, --var, --insights-defaults
 *
 * The CLI edits the query text, never the AST: parameters and the console's implicit stages
 * become text that the one front end then compiles. To edit safely it needs to know where
 * commands start and whether a '$name' stands in an expression, in a regex literal or in a
 * string, so this module carries a small scanner that follows the rules of lexer/lex.l
 * (strings, regexes, backtick names, comments, '/' as division after a value).
 *
 * Ownership: every string returned lives in the pool passed in.
 *
 * Interface:
 *   cli_query_subst       replace $name / ${name} by literals (L26)
 *   cli_query_defaults    add the console's implicit sort and cap (L1, --insights-defaults)
 *   cli_query_has         does the query have one of these commands?
 *   cli_query_stats_keys  number of 'by' keys of the last stats, when its columns survive
 *   cli_query_saved_dir   directory of saved queries ($XDG_CONFIG_HOME/liq/queries)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_CLI_QUERY_H
#define LIQ_CLI_QUERY_H

#include <stddef.h>
#include <apr_pools.h>
#include "base/diag.h"

typedef struct CliVar {
    const char *name;
    size_t name_len;
    const char *value;
    int used; /* set by cli_query_subst */
} CliVar;

/* Replaces each $name (or ${name}) outside strings, comments and backtick names by a quoted
 * string literal, and inside a regex literal by the value with every regex metacharacter
 * escaped. Inside a regex an unknown name is left alone ('$' is an anchor there); elsewhere
 * it is an error with a caret, added to diags, and the result is NULL. */
char *cli_query_subst(apr_pool_t *pool, const char *q, size_t len, CliVar *vars, int nvars,
                      size_t *outlen, LiqDiagList *diags);

/* The console's implicit stages for a query without stats/sort (L1): 'sort @timestamp desc'
 * goes before the first dedup or limit (so dedup keeps the newest record, and limit the newest
 * N), else at the end; '| limit 10000' ends the query. Queries with stats or sort come back
 * unchanged (the same pointer). */
const char *cli_query_defaults(apr_pool_t *pool, const char *q, size_t len, size_t *outlen);

/* Nonzero when one of the commands in names (lower case, NULL-terminated) starts a command. */
int cli_query_has(const char *q, size_t len, const char *const *names);

/* The number of 'by' keys of the last stats command when only commands that keep its columns
 * (sort, limit, filter, where, dedup) follow it; 0 for stats without 'by'; -1 when unknown. */
int cli_query_stats_keys(const char *q, size_t len);

/* The saved-query directory: $XDG_CONFIG_HOME/liq/queries when XDG_CONFIG_HOME is an absolute
 * path, else $HOME/.config/liq/queries; NULL when neither is set. */
const char *cli_query_saved_dir(apr_pool_t *pool);

#endif
