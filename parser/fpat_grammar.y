/* fpat_grammar.y -- bison grammar of CloudWatch filter patterns (see parser/fpat.h)
 *
 * One grammar, four branches chosen by the START token the lexer sends first. Actions build
 * the FpPattern and check what the syntax alone cannot: string values compare only with = and
 * !=, conditions joined inside one delimited field must name that field, regexes in filter
 * patterns have no parentheses (§11.3), at most one wildcard per JSON selector (§11.4).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
%require "3.8"
%define api.pure full
%define api.prefix {fp_yy}
%define api.token.prefix {FP_}
%define api.location.type {LiqSpan}
%define parse.error custom
%locations
%expect 0
%param {void *scanner}
%parse-param {FpCtx *ctx}

%code requires {
#include "base/span.h"
#include "parser/fpat_int.h"
typedef struct FpTok {
    const char *s;
    size_t len;
    double num;
} FpTok;
}

%code provides {
int fp_yylex(FP_YYSTYPE *lval, LiqSpan *lloc, void *scanner);
}

%code {
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                                              \
    do {                                                                                         \
        if (N) {                                                                                 \
            (Cur).start = YYRHSLOC(Rhs, 1).start;                                                \
            (Cur).end = YYRHSLOC(Rhs, N).end;                                                    \
        } else {                                                                                 \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;                                      \
        }                                                                                        \
    } while (0)
#define P (ctx->pool)
static void fp_yyerror(const LiqSpan *loc, void *scanner, FpCtx *ctx, const char *msg);
static void add_term(FpCtx *ctx, FpTermKind k, FpTok t);
static FpValue mkval(FpCtx *ctx, FpValKind k, FpTok t, LiqSpan sp);
static FpExpr *mkcmp(FpCtx *ctx, FpTok sel, int selector, LiqSpan selsp, AstOp op, FpValue v,
                     LiqSpan sp);
static FpExpr *mkis(FpCtx *ctx, FpTok sel, LiqSpan selsp, FpExprKind k, LiqSpan sp);
static FpExpr *mkbool(FpCtx *ctx, FpExprKind k, FpExpr *a, FpExpr *b, LiqSpan sp);
static void add_field(FpCtx *ctx, int ellipsis, FpTok name, FpExpr *cond, LiqSpan sp);
static void perr(FpCtx *ctx, LiqSpan sp, const char *msg, const char *hint);
static FpExpr *nest(FpCtx *ctx, FpExpr *e);
}

%union {
    FpTok tok;
    FpValue val;
    FpExpr *expr;
    int op;
}

%token END 0 "end of pattern"
%token START_ALL START_TERMS START_REGEX START_JSON START_DELIM
%token <tok> WORD "a term" STRING "a quoted string" REGEX "a %regex%" NUMBER "a number"
%token <tok> SELECTOR "a selector such as $.field"
%token QMARK "'?'" MINUS "'-'" LBRACE "'{'" RBRACE "'}'" LPAREN "'('" RPAREN "')'"
%token LBRACK "'['" RBRACK "']'" COMMA "','" ELLIPSIS "'...'"
%token AND "'&&'" OR "'||'" EQ "'='" NE "'!='" LT "'<'" LE "'<='" GT "'>'" GE "'>='"
%token IS "'IS'" NOT "'NOT'" NULL "'NULL'" TRUE "'TRUE'" FALSE "'FALSE'" EXISTS "'EXISTS'"
%token LEXERR "an invalid character"

%left OR
%left AND

%type <val> value
%type <expr> jexpr jcond dexpr dcond
%type <op> cmpop

%%

pattern
    : START_ALL
    | START_TERMS terms
    | START_REGEX REGEX        {
            ctx->pat->regex = mkval(ctx, FV_REGEX, $2, @2);
        }
    | START_JSON LBRACE jexpr RBRACE { ctx->pat->json = $3; }
    | START_DELIM LBRACK dfields RBRACK
    ;

terms
    : term
    | terms term
    ;

term
    : WORD                      { add_term(ctx, FT_MUST, $1); }
    | STRING                    { add_term(ctx, FT_MUST, $1); }
    | QMARK WORD                { add_term(ctx, FT_ANY, $2); }
    | QMARK STRING              { add_term(ctx, FT_ANY, $2); }
    | MINUS WORD                { add_term(ctx, FT_NOT, $2); }
    | MINUS STRING              { add_term(ctx, FT_NOT, $2); }
    ;

jexpr
    : jexpr OR jexpr            { $$ = mkbool(ctx, FE_OR, $1, $3, @$); }
    | jexpr AND jexpr           { $$ = mkbool(ctx, FE_AND, $1, $3, @$); }
    | LPAREN jexpr RPAREN       {
            $$ = $2; /* a level of nesting, as for queries (parser/ast.h) */
            if ($$) {
                $$->depth++;
                LiqSpan inner = $$->span;
                $$->span = @$;
                nest(ctx, $$);
                $$->span = inner;
            }
        }
    | jcond
    ;

jcond
    : SELECTOR cmpop value      { $$ = mkcmp(ctx, $1, 1, @1, (AstOp)$2, $3, @$); }
    | SELECTOR IS NULL          { $$ = mkis(ctx, $1, @1, FE_ISNULL, @$); }
    | SELECTOR IS TRUE          { $$ = mkis(ctx, $1, @1, FE_ISTRUE, @$); }
    | SELECTOR IS FALSE         { $$ = mkis(ctx, $1, @1, FE_ISFALSE, @$); }
    | SELECTOR NOT EXISTS       { $$ = mkis(ctx, $1, @1, FE_NOTEXISTS, @$); }
    ;

cmpop
    : EQ                        { $$ = AOP_EQ; }
    | NE                        { $$ = AOP_NE; }
    | LT                        { $$ = AOP_LT; }
    | LE                        { $$ = AOP_LE; }
    | GT                        { $$ = AOP_GT; }
    | GE                        { $$ = AOP_GE; }
    ;

value
    : STRING                    { $$ = mkval(ctx, FV_TEXT, $1, @1); }
    | WORD                      { $$ = mkval(ctx, strcmp($1.s, "*") ? FV_TEXT : FV_STAR, $1, @1); }
    | NUMBER                    { $$ = mkval(ctx, FV_NUMBER, $1, @1); }
    | REGEX                     { $$ = mkval(ctx, FV_REGEX, $1, @1); }
    ;

dfields
    : dfield
    | dfields COMMA dfield
    ;

dfield
    : ELLIPSIS                  { FpTok t = {NULL, 0, 0}; add_field(ctx, 1, t, NULL, @1); }
    | WORD                      { add_field(ctx, 0, $1, NULL, @1); }
    | dexpr                     { FpTok t = {NULL, 0, 0}; add_field(ctx, 0, t, $1, @1); }
    ;

dexpr
    : dexpr OR dexpr            { $$ = mkbool(ctx, FE_OR, $1, $3, @$); }
    | dexpr AND dexpr           { $$ = mkbool(ctx, FE_AND, $1, $3, @$); }
    | dcond
    ;

dcond
    : WORD cmpop value          { $$ = mkcmp(ctx, $1, 0, @1, (AstOp)$2, $3, @$); }
    ;

%%

static void perr(FpCtx *ctx, LiqSpan sp, const char *msg, const char *hint)
{
    LiqDiag *d = diag_add(ctx->diags, DIAG_ERROR, &sp, "%s", msg);
    d->where = " in filter pattern";
    if (hint)
        diag_hint(ctx->diags, d, "%s", hint);
    ctx->nerrors++;
}

/* bison's own failure: "memory exhausted" is its stack full of nested parentheses (as in
 * parser/grammar.y) */
static void fp_yyerror(const LiqSpan *loc, void *scanner, FpCtx *ctx, const char *msg)
{
    (void)scanner;
    if (strcmp(msg, "memory exhausted") == 0)
        perr(ctx, *loc, apr_psprintf(P, "condition nested too deeply (liq allows at most %d levels)",
                                     LIQ_MAX_DEPTH), NULL);
    else
        perr(ctx, *loc, msg, NULL);
}

/* Refuses e when it is the first level past LIQ_MAX_DEPTH (the caret covers it). Returns e. */
static FpExpr *nest(FpCtx *ctx, FpExpr *e)
{
    if (e && e->depth == LIQ_MAX_DEPTH + 1)
        perr(ctx, e->span,
             apr_psprintf(P, "condition nested too deeply (liq allows at most %d levels)",
                          LIQ_MAX_DEPTH),
             NULL);
    return e;
}

static void add_term(FpCtx *ctx, FpTermKind k, FpTok t)
{
    FpPattern *p = ctx->pat;
    if ((size_t)p->nterms == ctx->termcap) {
        ctx->termcap = ctx->termcap ? ctx->termcap * 2 : 8;
        FpTerm *n = apr_palloc(P, sizeof(FpTerm) * ctx->termcap);
        if (p->nterms)
            memcpy(n, p->terms, sizeof(FpTerm) * (size_t)p->nterms);
        p->terms = n;
    }
    p->terms[p->nterms].kind = k;
    p->terms[p->nterms].s = t.s;
    p->terms[p->nterms++].len = t.len;
}

/* Checks a %regex% against the characters filter patterns allow (§11.3). */
static void check_regex(FpCtx *ctx, const char *s, size_t n, LiqSpan sp)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\') {
            i++;
            continue;
        }
        if (s[i] == '(' || s[i] == ')') {
            LiqSpan at = {sp.start + 1 + (uint32_t)i, sp.start + 2 + (uint32_t)i};
            perr(ctx, at, "filter-pattern regexes do not support parentheses",
                 "write \\x28 and \\x29 for literal parentheses");
            return;
        }
    }
}

static FpValue mkval(FpCtx *ctx, FpValKind k, FpTok t, LiqSpan sp)
{
    FpValue v;
    memset(&v, 0, sizeof(v));
    v.kind = k;
    v.s = t.s;
    v.len = t.len;
    v.num = t.num;
    v.span = sp;
    if (k == FV_TEXT)
        v.wild = memchr(t.s, '*', t.len) != NULL;
    if (k == FV_REGEX)
        check_regex(ctx, t.s, t.len, sp);
    return v;
}

/* Parses a selector's text ($.a.b[0].*, $.['k.x'], $[*]) into steps. */
static int selector(FpCtx *ctx, const char *s, size_t n, LiqSpan sp, FpStep **out, int *nout)
{
    FpStep *steps = apr_palloc(P, sizeof(FpStep) * (n + 1));
    int k = 0, wild = 0;
    size_t i = 1; /* after '$' */
    while (i < n) {
        FpStep *st = &steps[k++];
        memset(st, 0, sizeof(*st));
        if (s[i] == '.' && i + 1 < n && s[i + 1] == '[') { /* .['key'] */
            size_t j = i + 3;
            while (j < n && s[j] != '\'')
                j++;
            st->kind = FS_KEY;
            st->key = s + i + 3;
            st->len = j - (i + 3);
            i = j + 2;
        } else if (s[i] == '.') {
            size_t j = i + 1;
            while (j < n && s[j] != '.' && s[j] != '[')
                j++;
            st->key = s + i + 1;
            st->len = j - (i + 1);
            st->kind = st->len == 1 && st->key[0] == '*' ? FS_ANY : FS_KEY;
            i = j;
        } else { /* [n] or [*] */
            size_t j = i + 1;
            while (j < n && s[j] != ']')
                j++;
            if (s[i + 1] == '*')
                st->kind = FS_ANY;
            else {
                st->kind = FS_INDEX;
                st->index = strtol(s + i + 1, NULL, 10);
            }
            i = j + 1;
        }
        wild += st->kind == FS_ANY;
    }
    if (wild > 1) {
        perr(ctx, sp, "a selector may hold one wildcard at most", NULL);
        return 0;
    }
    *out = steps;
    *nout = k;
    return 1;
}

static FpExpr *mkcmp(FpCtx *ctx, FpTok sel, int is_selector, LiqSpan selsp, AstOp op, FpValue v,
                     LiqSpan sp)
{
    FpExpr *e = apr_pcalloc(P, sizeof(*e));
    e->kind = FE_CMP;
    e->op = op;
    e->val = v;
    e->span = sp;
    if (is_selector) {
        selector(ctx, sel.s, sel.len, selsp, &e->steps, &e->nsteps);
    } else {
        e->name = sel.s;
        e->namelen = sel.len;
    }
    if (op != AOP_EQ && op != AOP_NE && v.kind != FV_NUMBER)
        perr(ctx, v.span, "only = and != compare text; <, <=, > and >= need a number",
             v.kind == FV_TEXT ? "write the value as a number" : NULL);
    return e;
}

static FpExpr *mkis(FpCtx *ctx, FpTok sel, LiqSpan selsp, FpExprKind k, LiqSpan sp)
{
    FpExpr *e = apr_pcalloc(P, sizeof(*e));
    e->kind = k;
    e->span = sp;
    selector(ctx, sel.s, sel.len, selsp, &e->steps, &e->nsteps);
    return e;
}

static FpExpr *mkbool(FpCtx *ctx, FpExprKind k, FpExpr *a, FpExpr *b, LiqSpan sp)
{
    FpExpr *e = apr_pcalloc(P, sizeof(*e));
    e->kind = k;
    e->a = a;
    e->b = b;
    e->span = sp;
    int da = a ? a->depth : 0, db = b ? b->depth : 0;
    e->depth = (da > db ? da : db) + 1;
    return nest(ctx, e);
}

/* The field a delimited condition tree names (all its comparisons must name the same one). */
static const FpExpr *first_cmp(const FpExpr *e)
{
    return e->kind == FE_CMP ? e : first_cmp(e->a);
}

static int same_name(FpCtx *ctx, const FpExpr *e, const char *n, size_t len)
{
    if (e->kind == FE_CMP) {
        if (e->namelen != len || memcmp(e->name, n, len) != 0) {
            perr(ctx, e->span, "conditions joined by && or || must all name the same field",
                 "one field of a space-delimited pattern can only test itself");
            return 0;
        }
        return 1;
    }
    return same_name(ctx, e->a, n, len) && same_name(ctx, e->b, n, len);
}

static void add_field(FpCtx *ctx, int ellipsis, FpTok name, FpExpr *cond, LiqSpan sp)
{
    (void)sp;
    FpPattern *p = ctx->pat;
    if ((size_t)p->nfields == ctx->fieldcap) {
        ctx->fieldcap = ctx->fieldcap ? ctx->fieldcap * 2 : 8;
        FpField *n = apr_palloc(P, sizeof(FpField) * ctx->fieldcap);
        if (p->nfields)
            memcpy(n, p->fields, sizeof(FpField) * (size_t)p->nfields);
        p->fields = n;
    }
    FpField *f = &p->fields[p->nfields++];
    memset(f, 0, sizeof(*f));
    f->ellipsis = ellipsis;
    f->cond = cond;
    if (cond) {
        const FpExpr *c = first_cmp(cond);
        f->name = c->name;
        f->len = c->namelen;
        same_name(ctx, cond, f->name, f->len);
    } else if (!ellipsis) {
        f->name = name.s;
        f->len = name.len;
    }
}

static int yyreport_syntax_error(const yypcontext_t *yyctx, void *scanner, FpCtx *ctx)
{
    (void)scanner;
    yysymbol_kind_t look = yypcontext_token(yyctx);
    const LiqSpan *loc = yypcontext_location(yyctx);
    yysymbol_kind_t exp[YYNTOKENS]; /* every token may be expected: none is ever left out */
    int n = yypcontext_expected_tokens(yyctx, exp, YYNTOKENS);
    if (look == YYSYMBOL_YYEOF && ctx->lex_failed_at_end)
        return 0;
    const char *want = NULL;
    for (int i = 0; i < n && i < 4; i++) {
        const char *w = yysymbol_name(exp[i]);
        want = !want ? w : apr_pstrcat(P, want, i + 1 == n || i == 3 ? " or " : ", ", w, NULL);
    }
    if (!want)
        want = "something else";
    LiqDiag *d;
    if (look == YYSYMBOL_YYEOF) {
        LiqSpan at = {(uint32_t)ctx->len, (uint32_t)ctx->len};
        d = diag_add(ctx->diags, DIAG_ERROR, &at, "unexpected end of pattern, expected %s", want);
        d->at_end = 1;
    } else {
        size_t tl = loc->end - loc->start;
        d = diag_add(ctx->diags, DIAG_ERROR, loc, "expected %s, found '%.*s'", want,
                     (int)(tl > 40 ? 40 : tl), ctx->text + loc->start);
    }
    d->where = " in filter pattern";
    ctx->nerrors++;
    return 0;
}
