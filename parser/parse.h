/* parse.h -- query text to AST: the front door of the parser
 *
 * liq_parse runs the flex lexer and the bison parser over one query text and returns the AST
 * (AST_QUERY with one child per command), or NULL when there were syntax errors; every error
 * is appended to diags. Several errors are reported in one pass: the parser resynchronises at
 * the next '|'. Ownership: the tree lives in pool.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_PARSE_H
#define LIQ_PARSE_H

#include "base/diag.h"
#include "parser/ast.h"

enum { PARSE_MAX_ERRORS = 10 };

/* State shared by the lexer and the parser for one query text. */
typedef struct ParseCtx {
    apr_pool_t *pool;
    const char *text;
    size_t len;
    LiqDiagList *diags;
    AstNode *root;
    int nerrors;
    int lex_failed_at_end; /* an unterminated literal ran to the end: no second error there */
} ParseCtx;

AstNode *liq_parse(apr_pool_t *pool, const char *text, size_t len, LiqDiagList *diags);

/* Case-insensitive lookup in lexer/keywords.def; used for did-you-mean hints. */
const char *lx_nearest_command(const char *word, size_t len);
int lx_edit_distance(const char *a, size_t na, const char *b, size_t nb);

#endif
