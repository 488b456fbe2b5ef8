/* parse.h -- query text to AST: the front door of the parser
 *
 * liq_parse runs the flex lexer and the bison parser over one query text and returns the AST
 * (AST_QUERY with one child per command), or NULL when there were syntax errors; every error
 * is appended to diags. Several errors are reported in one pass: the parser resynchronises at
 * the next '|'. Ownership: the tree lives in pool.
 *
 * Parameters (L26). liq_parse_opts also takes named values: the lexer turns a reference to one
 * into a literal token, so the query text is read once and every span (and so every caret)
 * stays in the text as written. $name or ${name} is a string literal in an expression (a
 * number right after 'limit' when the value is digits), literal text inside a /regex/; an
 * unknown name is an error, except inside a regex ('$' anchors there). {{name}} (AWS's saved
 * queries, issue 13) is query text: scanned in place of the reference outside literals, part
 * of the text inside a string or regex literal; a {{name}} without a value is an error.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_PARSE_H
#define LIQ_PARSE_H

#include "base/diag.h"
#include "parser/ast.h"

enum { PARSE_MAX_ERRORS = 10 };

/* A named value a query may refer to ($name). used is set when the lexer meets a reference. */
typedef struct ParseParam {
    const char *name;
    size_t name_len;
    const char *value; /* NUL-terminated; NULL: declared without a value (an error if used) */
    int used;
} ParseParam;

typedef struct ParseOpts {
    ParseParam *params;
    int nparams;
} ParseOpts;

/* State shared by the lexer and the parser for one query text. */
typedef struct ParseCtx {
    apr_pool_t *pool;
    const char *text;
    size_t len;
    LiqDiagList *diags;
    ParseParam *params; /* ParseOpts */
    int nparams;
    AstNode *root;
    int nerrors;
    int lex_failed_at_end; /* an unterminated literal ran to the end: no second error there */
} ParseCtx;

AstNode *liq_parse(apr_pool_t *pool, const char *text, size_t len, LiqDiagList *diags);
/* The same with parameters (opts may be NULL: none). */
AstNode *liq_parse_opts(apr_pool_t *pool, const char *text, size_t len, const ParseOpts *opts,
                        LiqDiagList *diags);

/* Case-insensitive lookup in lexer/keywords.def; used for did-you-mean hints. */
const char *lx_nearest_command(const char *word, size_t len);
int lx_edit_distance(const char *a, size_t na, const char *b, size_t nb);

#endif
