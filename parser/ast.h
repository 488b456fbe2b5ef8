/* ast.h -- the abstract syntax tree of a liq query
 *
 * The parser builds the tree with ast_new_* only; sema annotates it in place (function ids,
 * aggregate flags) and never rebuilds it. Every node carries the byte span of its source text,
 * so any later stage can point a diagnostic at it.
 *
 * Ownership: every node, string and child array lives in the pool given to ast_new(); nothing
 * is freed individually.
 *
 * Interface:
 *   ast_new / ast_add         create a node / append a child
 *   ast_new_str               node with a string payload copied into the pool
 *   ast_kind_name / ast_op_name / ast_op_symbol   names for --explain and dumps
 *   ast_dump                  s-expression dump (tests, fuzzing)
 *   ast_text                  the source text of a node with whitespace normalised (L13); a
 *                             node with 'written' set is written as that text instead
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_AST_H
#define LIQ_AST_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>
#include "base/span.h"

typedef enum {
#define AK(name, text) AST_##name,
#include "parser/ast_kinds.def"
#undef AK
    AST__COUNT
} AstKind;

typedef enum {
    AOP_NONE,
    AOP_ADD, AOP_SUB, AOP_MUL, AOP_DIV, AOP_MOD, AOP_POW, /* arithmetic */
    AOP_EQ, AOP_NE, AOP_LT, AOP_LE, AOP_GT, AOP_GE,       /* comparison */
    AOP_LIKE, AOP_NOTLIKE, AOP_MATCH,                     /* pattern: like, not like, =~ */
    AOP_IN, AOP_NOTIN,                                    /* membership */
    AOP_AND, AOP_OR,                                      /* boolean */
    AOP_NOT, AOP_NEG,                                     /* unary */
    AOP__COUNT
} AstOp;

enum {
    AST_F_DESC = 1 << 0,      /* SORTKEY: descending */
    AST_F_DIR_GIVEN = 1 << 1, /* SORTKEY: asc/desc written */
    AST_F_QUOTED = 1 << 2,    /* FIELD: written in backticks */
    AST_F_AGG = 1 << 3,       /* CALL: an aggregate (set by sema) */
    AST_F_HAS_AGG = 1 << 4,   /* expression contains an aggregate (set by sema) */
    AST_F_TAIL = 1 << 5,      /* LIMIT: 'tail N', the last N rows */
    AST_F_INDEX = 1 << 6,     /* FILTER: written 'filterIndex' */
    AST_F_MULTI = 1 << 7,     /* PARSE: every regex match is a row ('multi') */
    AST_F_LOGFMT = 1 << 8,    /* PARSE: logfmt mode (kids[1] is the mode word) */
    AST_F_CSV = 1 << 9,       /* PARSE: csv mode */
    AST_F_OFFSET = 1 << 10,   /* CALL bin(): its second argument came from 'offset' */
    AST_F_OUTNEW = 1 << 11,   /* LOOKUP: OUTPUTNEW (keep values the rows have) */
    AST_F_WILD = 1 << 12,     /* FIELD in an XCMD: a wildcard, its text ends in '*' */
    AST_F_XOPT = 1 << 13,     /* ITEM in an XCMD: an option name=value */
};

/* Expressions (and filter-pattern conditions) nested deeper than this are refused by the
 * parsers, with a caret at the level past it: every later stage walks trees recursively, and
 * a generated query with tens of thousands of levels would overflow the stack. Parentheses
 * count as a level each. README "Limits". */
enum { LIQ_MAX_DEPTH = 1000 };

typedef struct AstNode {
    AstKind kind;
    AstOp op;
    int flags;
    LiqSpan span;
    const char *str; /* names, string and regex literals (unescaped), aliases; QUERY: its text */
    size_t len;
    const char *written; /* NULL, or the node's text for ast_text when its span does not hold
                          * it: a parameter ($name, L26) is written as the literal it stands
                          * for, and a node a rewrite adds (--insights-defaults) as the text it
                          * would have had (its span is then empty, at the end of the query) */
    double num;      /* NUM value; DURATION milliseconds; LIMIT count */
    struct AstNode **kids;
    uint32_t nkids, cap;
    int fn;          /* CALL: function id from parser/functions.def (sema) */
    int depth;       /* levels of nodes below this one (ast_add), parentheses counted as one
                      * each: the parser refuses expressions deeper than LIQ_MAX_DEPTH */
} AstNode;

AstNode *ast_new(apr_pool_t *pool, AstKind kind, LiqSpan span);
AstNode *ast_new_str(apr_pool_t *pool, AstKind kind, LiqSpan span, const char *s, size_t len);
AstNode *ast_add(apr_pool_t *pool, AstNode *parent, AstNode *kid);
const char *ast_kind_name(AstKind k);
const char *ast_op_name(AstOp op);
const char *ast_op_symbol(AstOp op);
char *ast_dump(apr_pool_t *pool, const AstNode *n);
char *ast_text(apr_pool_t *pool, const AstNode *n, const char *query);

#endif
