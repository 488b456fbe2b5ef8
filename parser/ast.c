/* ast.c -- AST node constructors and names (see ast.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <apr_strings.h>
#include "parser/ast.h"

AstNode *ast_new(apr_pool_t *pool, AstKind kind, LiqSpan span)
{
    AstNode *n = apr_pcalloc(pool, sizeof(*n));
    n->kind = kind;
    n->span = span;
    n->fn = -1;
    return n;
}

AstNode *ast_new_str(apr_pool_t *pool, AstKind kind, LiqSpan span, const char *s, size_t len)
{
    AstNode *n = ast_new(pool, kind, span);
    n->str = apr_pstrmemdup(pool, s, len);
    n->len = len;
    return n;
}

/* Appends kid (which may be NULL after a syntax error, then nothing is added), widens the
 * parent's span to cover it and keeps the parent's depth above the kid's. Returns parent. */
AstNode *ast_add(apr_pool_t *pool, AstNode *parent, AstNode *kid)
{
    if (!parent || !kid)
        return parent;
    if (parent->nkids == parent->cap) {
        uint32_t cap = parent->cap ? parent->cap * 2 : 4;
        AstNode **k = apr_palloc(pool, sizeof(*k) * cap);
        if (parent->nkids)
            memcpy(k, parent->kids, sizeof(*k) * parent->nkids);
        parent->kids = k;
        parent->cap = cap;
    }
    parent->kids[parent->nkids++] = kid;
    parent->span = span_join(parent->span, kid->span);
    if (kid->depth >= parent->depth)
        parent->depth = kid->depth + 1;
    return parent;
}

const char *ast_kind_name(AstKind k)
{
    static const char *const names[] = {
#define AK(name, text) text,
#include "parser/ast_kinds.def"
#undef AK
    };
    return k < AST__COUNT ? names[k] : "?";
}

const char *ast_op_name(AstOp op)
{
    static const char *const names[AOP__COUNT] = {
        "none", "add", "sub", "mul", "div", "mod", "pow", "eq",  "ne",  "lt",   "le",  "gt",
        "ge",   "like", "notlike", "match", "in", "notin", "and", "or", "not", "neg",
    };
    return op < AOP__COUNT ? names[op] : "?";
}

const char *ast_op_symbol(AstOp op)
{
    static const char *const sym[AOP__COUNT] = {
        "?", "+", "-", "*", "/", "%", "^", "=", "!=", "<", "<=", ">",
        ">=", "like", "not like", "=~", "in", "not in", "and", "or", "not", "-",
    };
    return op < AOP__COUNT ? sym[op] : "?";
}

static void dump_rec(apr_pool_t *pool, const AstNode *n, char **out)
{
    if (!n) {
        *out = apr_pstrcat(pool, *out, "null", NULL);
        return;
    }
    char *head;
    switch (n->kind) {
    case AST_NUM:
        head = apr_psprintf(pool, "(num %.17g", n->num);
        break;
    case AST_DURATION:
        head = apr_psprintf(pool, "(duration %.17g", n->num);
        break;
    case AST_BINOP:
    case AST_UNOP:
        head = apr_psprintf(pool, "(%s", ast_op_name(n->op));
        break;
    default:
        head = apr_psprintf(pool, "(%s", ast_kind_name(n->kind));
        break;
    }
    if (n->str && n->kind != AST_QUERY)
        head = apr_psprintf(pool, "%s \"%s\"", head, n->str);
    if (n->flags & AST_F_DESC)
        head = apr_pstrcat(pool, head, " desc", NULL);
    *out = apr_pstrcat(pool, *out, head, NULL);
    for (uint32_t i = 0; i < n->nkids; i++) {
        *out = apr_pstrcat(pool, *out, " ", NULL);
        dump_rec(pool, n->kids[i], out);
    }
    *out = apr_pstrcat(pool, *out, ")", NULL);
}

char *ast_dump(apr_pool_t *pool, const AstNode *n)
{
    char *out = "";
    dump_rec(pool, n, &out);
    return out;
}

/* A literal inside a node given to ast_text: its span, and the text that stands for its bytes
 * (AstNode.written) or NULL. */
typedef struct Lit {
    LiqSpan span;
    const char *written;
} Lit;

/* Literals (strings, regexes, backticked names, and nodes with a written form) inside n, in
 * source order: ast_text copies their bytes verbatim, or their written form. With v NULL,
 * only counts them. */
static void literal_spans(const AstNode *n, Lit *v, int *nv)
{
    if (!n)
        return;
    if (n->written || n->kind == AST_STR || n->kind == AST_REGEX ||
        (n->kind == AST_FIELD && (n->flags & AST_F_QUOTED))) {
        if (v) {
            v[*nv].span = n->span;
            v[*nv].written = n->written;
        }
        (*nv)++;
        return;
    }
    for (uint32_t i = 0; i < n->nkids; i++)
        literal_spans(n->kids[i], v, nv);
}

/* The node's source text with runs of white space (and comments) folded to one space, except
 * next to brackets and commas where they are dropped: "count( * )" -> "count(*)",
 * "avg(a)  /  2" -> "avg(a) / 2". Literals keep their bytes; a node with a written form (a
 * parameter, a node a rewrite added) is written as that. This is the column name of an
 * unaliased item (L13). */
char *ast_text(apr_pool_t *pool, const AstNode *n, const char *query)
{
    if (n->written)
        return apr_pstrdup(pool, n->written);
    int nlit = 0, li = 0;
    literal_spans(n, NULL, &nlit); /* every literal, however many (a long 'in' list) */
    Lit *lit = apr_palloc(pool, sizeof(Lit) * (size_t)(nlit + 1));
    nlit = 0;
    literal_spans(n, lit, &nlit);
    size_t len = n->span.end - n->span.start;
    for (int k = 0; k < nlit; k++)
        if (lit[k].written)
            len += strlen(lit[k].written);
    char *out = apr_palloc(pool, len + 1);
    size_t o = 0;
    int pending_space = 0;
    for (uint32_t i = n->span.start; i < n->span.end; i++) {
        char c = query[i];
        while (li < nlit && lit[li].span.end <= i)
            li++;
        if (li < nlit && i >= lit[li].span.start) {
            if (pending_space && o > 0 && !strchr("([", out[o - 1]))
                out[o++] = ' ';
            pending_space = 0;
            if (lit[li].written) { /* its written form replaces the whole span */
                size_t wl = strlen(lit[li].written);
                memcpy(out + o, lit[li].written, wl);
                o += wl;
                i = lit[li].span.end - 1;
                continue;
            }
            out[o++] = c;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            pending_space = 1;
            continue;
        }
        if (c == '#') { /* a comment inside a multi-line expression */
            while (i + 1 < n->span.end && query[i + 1] != '\n')
                i++;
            pending_space = 1;
            continue;
        }
        if (pending_space && o > 0 && !strchr("([", out[o - 1]) && !strchr(")],", c))
            out[o++] = ' ';
        pending_space = 0;
        out[o++] = c;
    }
    out[o] = 0;
    return out;
}
