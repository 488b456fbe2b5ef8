/* sema.h -- semantic checks: AST -> checked AST
 *
 * sema_check walks a parsed query, resolves every function call against parser/functions.def
 * (case-insensitive, arity checked, did-you-mean on unknown names), marks aggregate calls, and
 * rejects what parses but means nothing: aggregates outside stats, nested aggregates, a stats
 * item without an aggregate, '*' outside count(*), regexes and durations where no pattern or
 * period is taken, limit values that are not positive integers. Errors go to diags with the
 * span of the offending node. The tree is annotated in place (AstNode.fn, AST_F_AGG,
 * AST_F_HAS_AGG). Returns the number of errors found.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_SEMA_H
#define LIQ_SEMA_H

#include "base/diag.h"
#include "parser/ast.h"

int sema_check(AstNode *query, LiqDiagList *diags);

#endif
