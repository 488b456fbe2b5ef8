/* fpat.h -- CloudWatch filter patterns (Part 2 §11): the syntax of FilterLogEvents and of
 * metric and subscription filters, compiled by their own flex lexer (lexer/fpat.l) and bison
 * grammar (parser/fpat.y) into an FpPattern that the engine evaluates (engine/exec/op_fpat.c).
 *
 * Kinds, told by the first non-blank character (§11.1):
 *   (empty)      every event
 *   term list    ERROR ?WARN -DEBUG "a phrase": plain terms all required, '-' terms
 *                excluded, '?' terms any-of (ignored when mixed with plain terms, as the
 *                current AWS docs say); case-sensitive substrings (L17)
 *   %regex%      a regex search over the whole event
 *   { ... }      a JSON pattern: selector comparisons joined by && and || (§11.4)
 *   [ ... ]      a space-delimited pattern: named fields with optional conditions (§11.5);
 *                the names become fields the query can use
 *
 * Errors are diagnostics whose `where` is " in filter pattern" and whose spans point into the
 * pattern text. Ownership: everything lives in the pool given to fpat_parse.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_FPAT_H
#define LIQ_FPAT_H

#include <stddef.h>
#include <apr_pools.h>
#include "base/diag.h"
#include "parser/ast.h"

typedef enum { FPK_ALL, FPK_TERMS, FPK_REGEX, FPK_JSON, FPK_DELIM } FpKind;

typedef enum { FT_MUST, FT_ANY, FT_NOT } FpTermKind;

typedef struct FpTerm {
    FpTermKind kind;
    const char *s;
    size_t len;
} FpTerm;

typedef enum {
    FV_TEXT,   /* a quoted string or a bare token; '*' inside is a wildcard */
    FV_NUMBER, /* a number (compares numerically) */
    FV_STAR,   /* '*' alone: any value */
    FV_REGEX,  /* %regex% */
} FpValKind;

typedef struct FpValue {
    FpValKind kind;
    const char *s; /* text (FV_TEXT, FV_REGEX: the regex body) */
    size_t len;
    double num;
    int wild;      /* FV_TEXT holds a '*' */
    LiqSpan span;
} FpValue;

typedef enum { FS_KEY, FS_INDEX, FS_ANY } FpStepKind;

typedef struct FpStep {
    FpStepKind kind;
    const char *key;
    size_t len;
    long index;
} FpStep;

typedef enum { FE_AND, FE_OR, FE_CMP, FE_ISNULL, FE_ISTRUE, FE_ISFALSE, FE_NOTEXISTS } FpExprKind;

typedef struct FpExpr {
    FpExprKind kind;
    struct FpExpr *a, *b; /* FE_AND, FE_OR */
    FpStep *steps;        /* JSON: the selector; delimited: NULL */
    int nsteps;
    const char *name;     /* delimited: the field named by the condition */
    size_t namelen;
    AstOp op;             /* FE_CMP: AOP_EQ .. AOP_GE */
    FpValue val;
    LiqSpan span;
    int depth;            /* levels of && / || and parentheses below it (LIQ_MAX_DEPTH) */
} FpExpr;

typedef struct FpField {
    int ellipsis;      /* '...': any number of unnamed fields */
    const char *name;  /* NULL for '...' */
    size_t len;
    FpExpr *cond;      /* NULL: no condition */
} FpField;

typedef struct FpPattern {
    FpKind kind;
    const char *text;
    size_t len;
    FpTerm *terms;
    int nterms;
    FpValue regex;     /* FPK_REGEX */
    FpExpr *json;      /* FPK_JSON */
    FpField *fields;   /* FPK_DELIM */
    int nfields;
} FpPattern;

FpPattern *fpat_parse(apr_pool_t *pool, const char *text, size_t len, LiqDiagList *diags);

#endif
