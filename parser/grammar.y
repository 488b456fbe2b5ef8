/* grammar.y -- bison grammar of the liq query language (CloudWatch Logs Insights)
 *
 * The grammar builds the AST and nothing else: it never looks up functions or fields (sema's
 * job, as in PostgreSQL's gram.y). Conflicts are resolved with precedence declarations, never
 * by raising %expect.
 *
 * Keywords as field names. Log fields are often called filter, stats, sort or fields. The
 * lexer (lexer/lex.l) therefore returns command keywords only where a command can start (the
 * beginning of the query or right after '|'); anywhere else the same word is a plain IDENT. So
 * 'stats count(*) by filter' groups by a field named filter, and 'fields sort, limit' shows two
 * fields. Operator words (and, or, not, like, in, as, by, asc, desc, true, false) are keywords
 * everywhere; a field with such a name is written in backticks.
 *
 * Operator precedence (Part 2 §1.8 of the language reference), lowest first:
 *   or < and < not < comparison/like/=~/in (non-associative) < + - < * / % < ^ (right) < unary -
 *
 * SPDX-License-Identifier: Apache-2.0
 */
%require "3.8"
%define api.pure full
%define api.prefix {gr_yy}
%define api.token.prefix {TOK_}
%define api.location.type {LiqSpan}
%define parse.error custom
%locations
%expect 0
%param {void *scanner}
%parse-param {ParseCtx *ctx}

%code requires {
#include "base/span.h"
#include "parser/ast.h"
#include "parser/parse.h"
typedef struct LxTok {
    const char *s; /* unescaped text in the parse pool */
    size_t len;
    double num;
    const char *written; /* a parameter's token: the literal it stands for (AstNode.written) */
} LxTok;
}

%code provides {
int lx_yylex(GR_YYSTYPE *lval, LiqSpan *lloc, void *scanner);
#define gr_yylex lx_yylex
}

%code {
#include <string.h>
#include <strings.h>
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
static AstNode *binop(ParseCtx *ctx, AstOp op, AstNode *a, AstNode *b, LiqSpan sp);
static AstNode *nest(ParseCtx *ctx, AstNode *n);
static AstNode *leaf(ParseCtx *ctx, AstKind k, LiqSpan sp, LxTok t);
static AstNode *subquery(ParseCtx *ctx, AstNode *q, LiqSpan open, LiqSpan close);
static void gr_yyerror(const LiqSpan *loc, void *scanner, ParseCtx *ctx, const char *msg);
static AstNode *implicit_message(ParseCtx *ctx, LiqSpan at);
static AstNode *parse_multi(ParseCtx *ctx, AstNode *src, LiqSpan kw, AstNode *rx, AstNode *names,
                            LxTok word, LiqSpan wsp);
static AstNode *parse_mode(ParseCtx *ctx, AstNode *src, AstNode *mode, AstNode *names);
static AstNode *with_offset(ParseCtx *ctx, AstNode *e, LxTok word, LiqSpan wsp, AstNode *dur,
                            double ms, AstNode *alias, LiqSpan sp);
}

%union {
    AstNode *node;
    LxTok tok;
}

%token END 0 "end of query"
%token <tok> IDENT "a field name"
%token <tok> QIDENT "a quoted field name"
%token <tok> NUMBER "a number"
%token <tok> STRING "a string"
%token <tok> REGEX "a regex"
%token <tok> DURATION "a duration"
%token FIELDS "'fields'" DISPLAY "'display'" FILTER "'filter'" STATS "'stats'"
%token SORT "'sort'" LIMIT "'limit'" PARSE "'parse'" DEDUP "'dedup'"
%token FILTERINDEX "'filterIndex'" HEAD "'head'" TAIL "'tail'" UNNEST "'unnest'"
%token SOURCE "'SOURCE'" COLON "':'" PATTERN "'pattern'" DIFF "'diff'"
%token ANOMALY "'anomaly'" UNMASK "'unmask'" LOOKUP "'lookup'"
%token <tok> OUTPUT "'OUTPUT'"
%token JOIN "'join'" WHERE "'where'" CIDRLOOKUP "'cidrlookup'"
%token <tok> XCMD "a 2025 command"
%token BADCMD "a command"
%token AND "'and'" OR "'or'" NOT "'not'" LIKE "'like'" IN "'in'" AS "'as'" BY "'by'"
%token ASC "'asc'" DESC "'desc'" TRUE "'true'" FALSE "'false'"
%token PIPE "'|'" LPAREN "'('" RPAREN "')'" LBRACK "'['" RBRACK "']'" COMMA "','" DOT "'.'"
%token EQ "'='" NE "'!='" LT "'<'" LE "'<='" GT "'>'" GE "'>='" MATCH "'=~'"
%token PLUS "'+'" MINUS "'-'" STAR "'*'" SLASH "'/'" PERCENT "'%'" CARET "'^'"
%token LEXERR "an invalid character"

%left OR
%left AND
%right NOT
%nonassoc EQ NE LT LE GT GE LIKE MATCH IN
%left PLUS MINUS
%left STAR SLASH PERCENT
%right CARET
%precedence UMINUS

%type <node> pipeline command items item expr primary call args arglist list listitems
%type <node> sortkeys sortkey byclause alias names parsesrc srcparams srcparam byitems byitem
%type <node> lkpairs lkpair lktable lkname joinopts joinopt xargs xarg xval srcrange srcval

%%

query
    : pipeline          {
            ctx->root = $1;
            $1->str = ctx->text; /* the whole query text, for messages that quote it */
            $1->len = ctx->len;
        }
    ;

pipeline
    : command                   { $$ = ast_add(P, ast_new(P, AST_QUERY, @1), $1); }
    | pipeline PIPE command     { $$ = ast_add(P, $1, $3); }
    ;

command
    : FIELDS items              { $$ = $2; $$->kind = AST_FIELDS; $$->span = @$; }
    | DISPLAY items             { $$ = $2; $$->kind = AST_DISPLAY; $$->span = @$; }
    | UNMASK items              { $$ = $2; $$->kind = AST_FIELDS; $$->span = @$; }
    | FILTER expr               { $$ = ast_add(P, ast_new(P, AST_FILTER, @$), $2); }
    | STATS items byclause      {
            $$ = ast_new(P, AST_STATS, @$);
            ast_add(P, $$, $2);
            ast_add(P, $$, $3);
            $$->span = @$;
        }
    | SORT sortkeys             { $$ = $2; $$->kind = AST_SORT; $$->span = @$; }
    | SORT BY sortkeys          { $$ = $3; $$->kind = AST_SORT; $$->span = @$; }
    | LIMIT expr                { $$ = ast_add(P, ast_new(P, AST_LIMIT, @$), $2); }
    | LIMIT IDENT NUMBER        {
            /* 'limit any N' (newer Insights): offline it is 'limit N' (Part 2 §3.6) */
            if (strcasecmp($2.s, "any") != 0) {
                LiqDiag *d = diag_add(ctx->diags, DIAG_ERROR, &@2,
                                      "expected a number or 'any' after 'limit', found '%s'",
                                      $2.s);
                diag_hint(ctx->diags, d, "write 'limit 20' or 'limit any 20'");
                ctx->nerrors++;
            }
            $$ = ast_add(P, ast_new(P, AST_LIMIT, @$), leaf(ctx, AST_NUM, @3, $3));
            $$->kids[0]->num = $3.num;
            $$->span = @$;
        }
    | HEAD expr                 { $$ = ast_add(P, ast_new(P, AST_LIMIT, @$), $2); }
    | TAIL expr                 {
            $$ = ast_add(P, ast_new(P, AST_LIMIT, @$), $2);
            $$->flags |= AST_F_TAIL;
        }
    | FILTERINDEX expr          {
            $$ = ast_add(P, ast_new(P, AST_FILTER, @$), $2);
            $$->flags |= AST_F_INDEX;
        }
    | PARSE parsesrc STRING AS names {
            $$ = ast_new(P, AST_PARSE, @$);
            ast_add(P, $$, $2 ? $2 : implicit_message(ctx, @1));
            ast_add(P, $$, leaf(ctx, AST_STR, @3, $3));
            ast_add(P, $$, $5);
            $$->span = @$;
        }
    | PARSE parsesrc REGEX      {
            $$ = ast_new(P, AST_PARSE, @$);
            ast_add(P, $$, $2 ? $2 : implicit_message(ctx, @1));
            ast_add(P, $$, leaf(ctx, AST_REGEX, @3, $3));
            ast_add(P, $$, ast_new(P, AST_LIST, @3));
            $$->span = @$;
        }
    | PARSE parsesrc REGEX AS names {
            $$ = ast_new(P, AST_PARSE, @$);
            ast_add(P, $$, $2 ? $2 : implicit_message(ctx, @1));
            ast_add(P, $$, leaf(ctx, AST_REGEX, @3, $3));
            ast_add(P, $$, $5);
            $$->span = @$;
        }
    | PARSE parsesrc REGEX IDENT {
            $$ = parse_multi(ctx, $2, @1, leaf(ctx, AST_REGEX, @3, $3), ast_new(P, AST_LIST, @3),
                             $4, @4);
            $$->span = @$;
        }
    | PARSE parsesrc REGEX AS names IDENT {
            $$ = parse_multi(ctx, $2, @1, leaf(ctx, AST_REGEX, @3, $3), $5, $6, @6);
            $$->span = @$;
        }
    | PARSE IDENT AS names      {
            $$ = parse_mode(ctx, implicit_message(ctx, @1), leaf(ctx, AST_FIELD, @2, $2), $4);
            $$->span = @$;
        }
    | PARSE IDENT IDENT AS names {
            $$ = parse_mode(ctx, leaf(ctx, AST_FIELD, @2, $2), leaf(ctx, AST_FIELD, @3, $3), $5);
            $$->span = @$;
        }
    | PARSE QIDENT IDENT AS names {
            $$ = parse_mode(ctx, leaf(ctx, AST_FIELD, @2, $2), leaf(ctx, AST_FIELD, @3, $3), $5);
            $$->span = @$;
        }
    | DEDUP names               { $$ = $2; $$->kind = AST_DEDUP; $$->span = @$; }
    | PATTERN expr              { $$ = ast_add(P, ast_new(P, AST_PATTERN, @$), $2); }
    | DIFF                      { $$ = ast_new(P, AST_DIFF, @$); }
    | ANOMALY                   { $$ = ast_new(P, AST_ANOMALY, @$); }
    | DIFF IDENT                {
            $$ = ast_new(P, AST_DIFF, @$);
            $$->str = $2.s;
            $$->len = $2.len;
            if (strcasecmp($2.s, "previousDay") && strcasecmp($2.s, "previousWeek") &&
                strcasecmp($2.s, "previousMonth")) {
                LiqDiag *d = diag_add(ctx->diags, DIAG_ERROR, &@2,
                                      "diff compares with previousDay, previousWeek or "
                                      "previousMonth, not '%s'", $2.s);
                diag_hint(ctx->diags, d, "plain 'diff' compares with the period just before");
                ctx->nerrors++;
            }
        }
    | SOURCE STRING             {
            $$ = ast_add(P, ast_new(P, AST_SOURCE, @$), leaf(ctx, AST_STR, @2, $2));
            $$->span = @$;
        }
    | SOURCE IDENT              { /* a bare group name: SOURCE 'name' */
            $$ = ast_add(P, ast_new(P, AST_SOURCE, @$), leaf(ctx, AST_STR, @2, $2));
            $$->span = @$;
        }
    | SOURCE IDENT srcrange     { /* the newer SOURCE name start=... end=... (Part 2 §15):
                                   * the ITEM kids name the range (the planner reads it) */
            $$ = ast_add(P, ast_new(P, AST_SOURCE, @$), leaf(ctx, AST_STR, @2, $2));
            for (uint32_t i = 0; i < $3->nkids; i++)
                ast_add(P, $$, $3->kids[i]);
            $$->span = @$;
        }
    | SOURCE IDENT LPAREN RPAREN {
            $$ = ast_new(P, AST_SOURCE, @$);
            $$->str = $2.s;
            $$->len = $2.len;
        }
    | SOURCE IDENT LPAREN srcparams RPAREN {
            $$ = $4;
            $$->kind = AST_SOURCE;
            $$->str = $2.s; /* logGroups, or dataSource (refused by sema) */
            $$->len = $2.len;
            $$->span = @$;
        }
    | SOURCE IDENT LPAREN srcparams RPAREN IDENT LPAREN srcparams RPAREN {
            /* dataSource([...]) logGroups(...): one node, the data source lists (no name)
             * then the logGroups parameters (named); sema checks them */
            $$ = $4;
            $$->kind = AST_SOURCE;
            $$->str = $2.s;
            $$->len = $2.len;
            for (uint32_t i = 0; i < $8->nkids; i++)
                ast_add(P, $$, $8->kids[i]);
            if (strcasecmp($6.s, "logGroups") != 0) {
                LiqDiag *d = diag_add(ctx->diags, DIAG_ERROR, &@6,
                                      "expected logGroups(...) after %s(...), found '%s'", $2.s,
                                      $6.s);
                diag_hint(ctx->diags, d, "write SOURCE dataSource(['amazon_vpc.flow']) "
                                         "logGroups(namePrefix: ['/vpc/'])");
                ctx->nerrors++;
            }
            $$->span = @$;
        }
    | UNNEST expr IDENT alias   {
            if (strcasecmp($3.s, "into") != 0) {
                LiqDiag *d = diag_add(ctx->diags, DIAG_ERROR, &@3,
                                      "expected 'into' after the list to unnest, found '%s'",
                                      $3.s);
                diag_hint(ctx->diags, d, "write 'unnest list into element'");
                ctx->nerrors++;
            }
            $$ = ast_new(P, AST_UNNEST, @$);
            ast_add(P, $$, $2);
            ast_add(P, $$, $4);
            $$->span = @$;
        }
    | LOOKUP lktable lkpairs OUTPUT names {
            /* lookup TABLE col [as field], ... OUTPUT|OUTPUTNEW out, ... (issue 13) */
            $$ = ast_new(P, AST_LOOKUP, @$);
            $$->str = $2->str;
            $$->len = $2->len;
            ast_add(P, $$, $3);
            ast_add(P, $$, $5);
            ast_add(P, $$, $2);
            if (strcasecmp($4.s, "OUTPUTNEW") == 0)
                $$->flags |= AST_F_OUTNEW;
            $$->span = @$;
        }
    | CIDRLOOKUP lktable lkpair OUTPUT lkpairs {
            /* cidrlookup TABLE ip [as cidrColumn] OUTPUT|OUTPUTNEW col [as field], ... */
            $$ = ast_new(P, AST_CIDRLOOKUP, @$);
            $$->str = $2->str;
            $$->len = $2->len;
            ast_add(P, $$, $3);
            ast_add(P, $$, $5);
            ast_add(P, $$, $2);
            if (strcasecmp($4.s, "OUTPUTNEW") == 0)
                $$->flags |= AST_F_OUTNEW;
            $$->span = @$;
        }
    | JOIN joinopts WHERE lkname EQ lkname LPAREN pipeline RPAREN {
            /* join type=inner|left left=a right=b where a.f = b.f (SOURCE ...) (issue 13) */
            $$ = ast_new(P, AST_JOIN, @$);
            ast_add(P, $$, $2);
            ast_add(P, $$, $4);
            ast_add(P, $$, $6);
            ast_add(P, $$, subquery(ctx, $8, @7, @9));
            $$->span = @$;
        }
    | XCMD                      { $$ = ast_new_str(P, AST_XCMD, @$, $1.s, $1.len); }
    | XCMD xargs                {
            /* the 2025-26 commands: a flat list that parser/xcmd.c reads (sema checks it) */
            $$ = $2;
            $$->kind = AST_XCMD;
            $$->str = $1.s;
            $$->len = $1.len;
            $$->span = @$;
        }
    | XCMD WHERE expr           { /* relevantfields where COND */
            $$ = ast_new_str(P, AST_XCMD, @$, $1.s, $1.len);
            ast_add(P, $$, ast_add(P, ast_new(P, AST_FILTER, @2), $3));
            $$->span = @$;
        }
    | XCMD xargs WHERE expr     { /* relevantfields f, ... where COND */
            $$ = $2;
            $$->kind = AST_XCMD;
            $$->str = $1.s;
            $$->len = $1.len;
            ast_add(P, $$, ast_add(P, ast_new(P, AST_FILTER, @3), $4));
            $$->span = @$;
        }
    | BADCMD                    { $$ = NULL; }
    | error                     { $$ = NULL; }
    ;

xargs
    : xarg                      { $$ = ast_add(P, ast_new(P, AST_LIST, @1), $1); }
    | xargs xarg                { $$ = ast_add(P, $1, $2); $$->span = @$; }
    | xargs COMMA xarg          { $$ = ast_add(P, $1, $3); $$->span = @$; }
    ;

xarg
    : lkname                    { $$ = $1; }
    | lkname STAR               { /* a wildcard: cpu* */
            $$ = ast_new(P, AST_FIELD, @$);
            $$->str = apr_pstrcat(P, $1->str, "*", NULL);
            $$->len = $1->len + 1;
            $$->flags |= AST_F_WILD;
        }
    | IDENT EQ xval             {
            $$ = ast_add(P, ast_new(P, AST_ITEM, @$), $3);
            $$->str = $1.s;
            $$->len = $1.len;
            $$->flags |= AST_F_XOPT;
        }
    | IDENT EQ NUMBER MINUS NUMBER { /* a range: p=1-4 */
            $$ = ast_add(P, ast_new(P, AST_ITEM, @$), leaf(ctx, AST_NUM, @3, $3));
            $$->kids[0]->num = $3.num;
            ast_add(P, $$, leaf(ctx, AST_NUM, @5, $5));
            $$->kids[1]->num = $5.num;
            $$->str = $1.s;
            $$->len = $1.len;
            $$->flags |= AST_F_XOPT;
        }
    | AS alias                  {
            $$ = ast_add(P, ast_new(P, AST_ITEM, @$), $2);
            $$->str = $2->str;
            $$->len = $2->len;
        }
    | NUMBER                    { $$ = leaf(ctx, AST_NUM, @1, $1); $$->num = $1.num; }
    | MINUS NUMBER              {
            $$ = leaf(ctx, AST_NUM, @$, $2);
            $$->num = -$2.num;
            $$->str = apr_pstrcat(P, "-", $2.s, NULL);
            $$->len++;
        }
    | STRING                    { $$ = leaf(ctx, AST_STR, @1, $1); }
    | DURATION                  {
            $$ = leaf(ctx, AST_DURATION, @1, $1);
            $$->num = $1.num;
        }
    | TRUE                      { $$ = ast_new(P, AST_BOOL, @1); $$->num = 1; }
    | FALSE                     { $$ = ast_new(P, AST_BOOL, @1); $$->num = 0; }
    | LPAREN pipeline RPAREN    { $$ = subquery(ctx, $2, @1, @3); } /* appendcols ( ... ) */
    ;

xval
    : lkname                    { $$ = $1; }
    | NUMBER %prec OR           { $$ = leaf(ctx, AST_NUM, @1, $1); $$->num = $1.num; }
    | STRING                    { $$ = leaf(ctx, AST_STR, @1, $1); }
    | DURATION                  {
            $$ = leaf(ctx, AST_DURATION, @1, $1);
            $$->num = $1.num;
        }
    | TRUE                      { $$ = ast_new(P, AST_BOOL, @1); $$->num = 1; }
    | FALSE                     { $$ = ast_new(P, AST_BOOL, @1); $$->num = 0; }
    ;

joinopts
    : joinopt                   { $$ = ast_add(P, ast_new(P, AST_LIST, @1), $1); }
    | joinopts joinopt          { $$ = ast_add(P, $1, $2); $$->span = @$; }
    ;

joinopt
    : IDENT EQ lkname           {
            $$ = ast_add(P, ast_new(P, AST_ITEM, @$), $3);
            $$->str = $1.s;
            $$->len = $1.len;
            $$->span = @$;
        }
    ;

lkname
    : IDENT                     { $$ = leaf(ctx, AST_FIELD, @1, $1); }
    | QIDENT                    { $$ = leaf(ctx, AST_FIELD, @1, $1); $$->flags |= AST_F_QUOTED; }
    ;

lktable
    : IDENT                     { $$ = leaf(ctx, AST_STR, @1, $1); }
    | QIDENT                    { $$ = leaf(ctx, AST_STR, @1, $1); }
    | STRING                    { $$ = leaf(ctx, AST_STR, @1, $1); }
    ;

lkpairs
    : lkpair                    { $$ = ast_add(P, ast_new(P, AST_LIST, @1), $1); }
    | lkpairs COMMA lkpair      { $$ = ast_add(P, $1, $3); }
    ;

lkpair
    : lkname                    { $$ = ast_add(P, ast_new(P, AST_ITEM, @1), $1); }
    | lkname AS lkname          {
            $$ = ast_add(P, ast_new(P, AST_ITEM, @$), $1);
            ast_add(P, $$, $3);
            $$->str = $3->str;
            $$->len = $3->len;
            $$->span = @$;
        }
    ;

items
    : item                      { $$ = ast_add(P, ast_new(P, AST_LIST, @1), $1); }
    | items COMMA item          { $$ = ast_add(P, $1, $3); }
    ;

item
    : expr                      { $$ = ast_add(P, ast_new(P, AST_ITEM, @1), $1); }
    | expr AS alias             {
            $$ = ast_add(P, ast_new(P, AST_ITEM, @$), $1);
            $$->str = $3->str;
            $$->len = $3->len;
            $$->span = @$;
        }
    ;

alias
    : IDENT                     { $$ = leaf(ctx, AST_FIELD, @1, $1); }
    | QIDENT                    { $$ = leaf(ctx, AST_FIELD, @1, $1); }
    ;

srcrange
    : IDENT EQ srcval           {
            $$ = ast_new(P, AST_LIST, @$);
            AstNode *it = ast_add(P, ast_new(P, AST_ITEM, @$), $3);
            it->str = $1.s;
            it->len = $1.len;
            ast_add(P, $$, it);
        }
    | srcrange IDENT EQ srcval  {
            AstNode *it = ast_add(P, ast_new(P, AST_ITEM, @2), $4);
            it->str = $2.s;
            it->len = $2.len;
            it->span.end = @4.end;
            $$ = ast_add(P, $1, it);
        }
    ;

srcval /* the time as written (a STR node): -1d, now, 1700000000, '2025-01-01T00:00:00Z' */
    : DURATION                  { $$ = leaf(ctx, AST_STR, @1, $1); }
    | MINUS DURATION            {
            $$ = leaf(ctx, AST_STR, @$, $2);
            $$->str = apr_pstrcat(P, "-", $2.s, NULL);
            $$->len = $2.len + 1;
        }
    | NUMBER                    { $$ = leaf(ctx, AST_STR, @1, $1); }
    | MINUS NUMBER              {
            $$ = leaf(ctx, AST_STR, @$, $2);
            $$->str = apr_pstrcat(P, "-", $2.s, NULL);
            $$->len = $2.len + 1;
        }
    | IDENT                     { $$ = leaf(ctx, AST_STR, @1, $1); }
    | STRING                    { $$ = leaf(ctx, AST_STR, @1, $1); }
    ;

srcparams
    : srcparam                  { $$ = ast_add(P, ast_new(P, AST_LIST, @1), $1); }
    | srcparams COMMA srcparam  { $$ = ast_add(P, $1, $3); }
    ;

srcparam
    : IDENT COLON list          { $$ = $3; $$->str = $1.s; $$->len = $1.len; $$->span = @$; }
    | list                      { $$ = $1; $$->str = NULL; }
    ;

parsesrc
    : %empty                    { $$ = NULL; }
    | IDENT                     { $$ = leaf(ctx, AST_FIELD, @1, $1); }
    | QIDENT                    { $$ = leaf(ctx, AST_FIELD, @1, $1); $$->flags |= AST_F_QUOTED; }
    ;

names
    : alias                     { $$ = ast_add(P, ast_new(P, AST_LIST, @1), $1); }
    | names COMMA alias         { $$ = ast_add(P, $1, $3); }
    ;

byclause
    : %empty                    { $$ = ast_new(P, AST_LIST, @$); }
    | BY byitems                { $$ = $2; }
    ;

byitems
    : byitem                    { $$ = ast_add(P, ast_new(P, AST_LIST, @1), $1); }
    | byitems COMMA byitem      { $$ = ast_add(P, $1, $3); }
    ;

byitem
    : item
    | expr IDENT DURATION       { $$ = with_offset(ctx, $1, $2, @2, leaf(ctx, AST_DURATION, @3, $3), $3.num, NULL, @$); }
    | expr IDENT DURATION AS alias {
            $$ = with_offset(ctx, $1, $2, @2, leaf(ctx, AST_DURATION, @3, $3), $3.num, $5, @$);
        }
    ;

sortkeys
    : sortkey                   { $$ = ast_add(P, ast_new(P, AST_LIST, @1), $1); }
    | sortkeys COMMA sortkey    { $$ = ast_add(P, $1, $3); }
    ;

sortkey
    : expr                      { $$ = ast_add(P, ast_new(P, AST_SORTKEY, @1), $1); }
    | expr ASC                  {
            $$ = ast_add(P, ast_new(P, AST_SORTKEY, @$), $1);
            $$->flags |= AST_F_DIR_GIVEN;
            $$->span = @$;
        }
    | expr DESC                 {
            $$ = ast_add(P, ast_new(P, AST_SORTKEY, @$), $1);
            $$->flags |= AST_F_DIR_GIVEN | AST_F_DESC;
            $$->span = @$;
        }
    ;

expr
    : expr OR expr              { $$ = binop(ctx, AOP_OR, $1, $3, @$); }
    | expr AND expr             { $$ = binop(ctx, AOP_AND, $1, $3, @$); }
    | NOT expr                  {
            $$ = ast_add(P, ast_new(P, AST_UNOP, @$), $2);
            $$->op = AOP_NOT;
            $$->span = @$;
            nest(ctx, $$);
        }
    | expr EQ expr              { $$ = binop(ctx, AOP_EQ, $1, $3, @$); }
    | expr NE expr              { $$ = binop(ctx, AOP_NE, $1, $3, @$); }
    | expr LT expr              { $$ = binop(ctx, AOP_LT, $1, $3, @$); }
    | expr LE expr              { $$ = binop(ctx, AOP_LE, $1, $3, @$); }
    | expr GT expr              { $$ = binop(ctx, AOP_GT, $1, $3, @$); }
    | expr GE expr              { $$ = binop(ctx, AOP_GE, $1, $3, @$); }
    | expr LIKE expr            { $$ = binop(ctx, AOP_LIKE, $1, $3, @$); }
    | expr NOT LIKE expr %prec LIKE { $$ = binop(ctx, AOP_NOTLIKE, $1, $4, @$); }
    | expr MATCH expr           { $$ = binop(ctx, AOP_MATCH, $1, $3, @$); }
    | expr IN list              { $$ = binop(ctx, AOP_IN, $1, $3, @$); }
    | expr NOT IN list %prec IN { $$ = binop(ctx, AOP_NOTIN, $1, $4, @$); }
    | expr IN LPAREN pipeline RPAREN {
            $$ = binop(ctx, AOP_IN, $1, subquery(ctx, $4, @3, @5), @$);
        }
    | expr NOT IN LPAREN pipeline RPAREN %prec IN {
            $$ = binop(ctx, AOP_NOTIN, $1, subquery(ctx, $5, @4, @6), @$);
        }
    | expr PLUS expr            { $$ = binop(ctx, AOP_ADD, $1, $3, @$); }
    | expr MINUS expr           { $$ = binop(ctx, AOP_SUB, $1, $3, @$); }
    | expr STAR expr            { $$ = binop(ctx, AOP_MUL, $1, $3, @$); }
    | expr SLASH expr           { $$ = binop(ctx, AOP_DIV, $1, $3, @$); }
    | expr PERCENT expr         { $$ = binop(ctx, AOP_MOD, $1, $3, @$); }
    | expr CARET expr           { $$ = binop(ctx, AOP_POW, $1, $3, @$); }
    | MINUS expr %prec UMINUS   {
            $$ = ast_add(P, ast_new(P, AST_UNOP, @$), $2);
            $$->op = AOP_NEG;
            $$->span = @$;
            nest(ctx, $$);
        }
    | primary
    ;

primary
    : NUMBER                    { $$ = leaf(ctx, AST_NUM, @1, $1); $$->num = $1.num; }
    | STRING                    { $$ = leaf(ctx, AST_STR, @1, $1); }
    | REGEX                     { $$ = leaf(ctx, AST_REGEX, @1, $1); }
    | DURATION                  { $$ = leaf(ctx, AST_DURATION, @1, $1); $$->num = $1.num; }
    | TRUE                      { $$ = ast_new(P, AST_BOOL, @1); $$->num = 1; }
    | FALSE                     { $$ = ast_new(P, AST_BOOL, @1); $$->num = 0; }
    | IDENT                     { $$ = leaf(ctx, AST_FIELD, @1, $1); }
    | QIDENT                    { $$ = leaf(ctx, AST_FIELD, @1, $1); $$->flags |= AST_F_QUOTED; }
    | call
    | LPAREN expr RPAREN        {
            $$ = $2; /* no node, but a level (the parser's stack holds it) */
            if ($$) {
                $$->depth++;
                LiqSpan inner = $$->span;
                $$->span = @$;
                nest(ctx, $$);
                $$->span = inner;
            }
        }
    | primary DOT IDENT         {
            $$ = ast_add(P, ast_new(P, AST_MEMBER, @$), $1);
            $$->str = $3.s;
            $$->len = $3.len;
            $$->span = @$;
            nest(ctx, $$);
        }
    | primary DOT QIDENT        {
            $$ = ast_add(P, ast_new(P, AST_MEMBER, @$), $1);
            $$->str = $3.s;
            $$->len = $3.len;
            $$->span = @$;
            nest(ctx, $$);
        }
    | primary LBRACK expr RBRACK {
            $$ = ast_add(P, ast_new(P, AST_INDEX, @$), $1);
            ast_add(P, $$, $3);
            $$->span = @$;
            nest(ctx, $$);
        }
    ;

call
    : IDENT LPAREN args RPAREN  {
            $$ = $3;
            $$->kind = AST_CALL;
            $$->str = $1.s;
            $$->len = $1.len;
            $$->span = @$;
            nest(ctx, $$);
        }
    ;

args
    : %empty                    { $$ = ast_new(P, AST_CALL, @$); }
    | STAR                      { $$ = ast_add(P, ast_new(P, AST_CALL, @1), ast_new(P, AST_STAR, @1)); }
    | arglist
    ;

arglist
    : expr                      { $$ = ast_add(P, ast_new(P, AST_CALL, @1), $1); }
    | arglist COMMA expr        { $$ = ast_add(P, $1, $3); }
    ;

list
    : LBRACK RBRACK             { $$ = ast_new(P, AST_LIST, @$); }
    | LBRACK listitems RBRACK   { $$ = $2; $$->span = @$; nest(ctx, $$); }
    ;

listitems
    : expr                      { $$ = ast_add(P, ast_new(P, AST_LIST, @1), $1); }
    | listitems COMMA expr      { $$ = ast_add(P, $1, $3); }
    ;

%%

/* Refuses n when it is the first node past LIQ_MAX_DEPTH levels (ast.h): the caret covers that
 * level, the outer ones pass silently (one error for one over-deep expression). Returns n. */
static AstNode *nest(ParseCtx *ctx, AstNode *n)
{
    if (n && n->depth == LIQ_MAX_DEPTH + 1) {
        LiqDiag *e = diag_add(ctx->diags, DIAG_ERROR, &n->span,
                              "expression nested too deeply (liq allows at most %d levels)",
                              LIQ_MAX_DEPTH);
        if (n->kind == AST_BINOP && (n->op == AOP_OR || n->op == AOP_AND))
            diag_hint(ctx->diags, e, "for many alternatives write 'f in [a, b, ...]'");
        ctx->nerrors++;
    }
    return n;
}

static AstNode *binop(ParseCtx *ctx, AstOp op, AstNode *a, AstNode *b, LiqSpan sp)
{
    AstNode *n = ast_new(P, AST_BINOP, sp);
    n->op = op;
    ast_add(P, n, a);
    ast_add(P, n, b);
    n->span = sp;
    return nest(ctx, n);
}

/* A subquery node over the commands q, written between the parentheses open..close: its query
 * node holds the whole text (messages quote it), as the outer query's does. */
static AstNode *subquery(ParseCtx *ctx, AstNode *q, LiqSpan open, LiqSpan close)
{
    LiqSpan sp = {open.start, close.end};
    AstNode *n = ast_new(P, AST_SUBQUERY, sp);
    q->str = ctx->text;
    q->len = ctx->len;
    ast_add(P, n, q);
    n->span = sp;
    return n;
}

static AstNode *leaf(ParseCtx *ctx, AstKind k, LiqSpan sp, LxTok t)
{
    AstNode *n = ast_new(P, k, sp);
    n->str = t.s;
    n->len = t.len;
    n->written = t.written;
    return n;
}

/* parse without a source field reads @message; the node points at the 'parse' keyword. */
static AstNode *implicit_message(ParseCtx *ctx, LiqSpan at)
{
    AstNode *n = ast_new(P, AST_FIELD, at);
    n->str = "@message";
    n->len = 8;
    return n;
}

/* stats ... by bin(5m) offset 1h: bins shifted by the offset (newer Insights); the offset
 * becomes bin()'s second argument, which only this syntax can give (sema checks the flag). */
static AstNode *with_offset(ParseCtx *ctx, AstNode *e, LxTok word, LiqSpan wsp, AstNode *dur,
                            double ms, AstNode *alias, LiqSpan sp)
{
    dur->num = ms;
    if (strcasecmp(word.s, "offset") != 0) {
        LiqDiag *d = diag_add(ctx->diags, DIAG_ERROR, &wsp,
                              "expected 'offset', 'as', ',' or '|' after a group key, found '%s'",
                              word.s);
        diag_hint(ctx->diags, d, "shift bins with 'by bin(5m) offset 1h'");
        ctx->nerrors++;
    } else if (e->kind != AST_CALL || strcasecmp(e->str, "bin") != 0) {
        LiqDiag *d = diag_add(ctx->diags, DIAG_ERROR, &wsp, "offset applies to bin() only");
        diag_hint(ctx->diags, d, "write 'by bin(5m) offset 1h'");
        ctx->nerrors++;
    } else {
        ast_add(P, e, dur);
        e->flags |= AST_F_OFFSET;
        e->span = span_join(e->span, dur->span);
    }
    AstNode *item = ast_add(P, ast_new(P, AST_ITEM, sp), e);
    if (alias) {
        item->str = alias->str;
        item->len = alias->len;
    }
    item->span = sp;
    return item;
}

/* parse ... /regex/ [as names] multi: every match is a row of its own */
static AstNode *parse_multi(ParseCtx *ctx, AstNode *src, LiqSpan kw, AstNode *rx, AstNode *names,
                            LxTok word, LiqSpan wsp)
{
    if (strcasecmp(word.s, "multi") != 0) {
        LiqDiag *d = diag_add(ctx->diags, DIAG_ERROR, &wsp,
                              "expected 'multi' or the end of the command, found '%s'", word.s);
        diag_hint(ctx->diags, d, "'parse ... /regex/ multi' makes a row of every match");
        ctx->nerrors++;
    }
    AstNode *n = ast_new(P, AST_PARSE, kw);
    ast_add(P, n, src ? src : implicit_message(ctx, kw));
    ast_add(P, n, rx);
    ast_add(P, n, names);
    n->flags |= AST_F_MULTI;
    return n;
}

/* parse [field] logfmt as m / parse [field] csv as a, b, ... */
static AstNode *parse_mode(ParseCtx *ctx, AstNode *src, AstNode *mode, AstNode *names)
{
    AstNode *n = ast_new(P, AST_PARSE, src->span);
    if (!strcasecmp(mode->str, "logfmt"))
        n->flags |= AST_F_LOGFMT;
    else if (!strcasecmp(mode->str, "csv"))
        n->flags |= AST_F_CSV;
    else {
        LiqDiag *d = diag_add(ctx->diags, DIAG_ERROR, &mode->span,
                              "expected a pattern, logfmt or csv after 'parse', found '%s'",
                              mode->str);
        diag_hint(ctx->diags, d, "write parse @message \"* - *\" as a, b (glob), a /regex/, "
                                 "or parse logfmt as m");
        ctx->nerrors++;
    }
    ast_add(P, n, src);
    ast_add(P, n, mode);
    ast_add(P, n, names);
    return n;
}

/* Only bison's own failures arrive here; syntax errors go through yyreport_syntax_error. The
 * one there is, "memory exhausted", means its stack (YYMAXDEPTH entries, 10000) is full, which
 * only nesting does: every level of an expression holds a few entries at most (a call's name,
 * '(' and its arguments so far), so a query within LIQ_MAX_DEPTH levels never fills it, and
 * one that does is too deep -- at this token. */
static void gr_yyerror(const LiqSpan *loc, void *scanner, ParseCtx *ctx, const char *msg)
{
    (void)scanner;
    ctx->nerrors++;
    if (strcmp(msg, "memory exhausted") == 0)
        diag_add(ctx->diags, DIAG_ERROR, loc,
                 "expression nested too deeply (liq allows at most %d levels)", LIQ_MAX_DEPTH);
    else
        diag_add(ctx->diags, DIAG_ERROR, loc, "%s", msg);
}

/* Human words for a set of expected tokens: an expression, a command, or a short list. */
static const char *expected_words(ParseCtx *ctx, const yysymbol_kind_t *exp, int n)
{
    int has_ident = 0, has_num = 0, has_cmd = 0;
    for (int i = 0; i < n; i++) {
        has_ident |= exp[i] == YYSYMBOL_IDENT;
        has_num |= exp[i] == YYSYMBOL_NUMBER;
        has_cmd |= exp[i] == YYSYMBOL_FIELDS;
    }
    if (has_cmd)
        return "a command";
    if (has_ident && has_num)
        return "an expression";
    /* closers and separators first: "expected ')'" helps more than a list of operators */
    static const yysymbol_kind_t first[] = {YYSYMBOL_RPAREN, YYSYMBOL_RBRACK, YYSYMBOL_COMMA,
                                            YYSYMBOL_PIPE, YYSYMBOL_YYEOF};
    yysymbol_kind_t ord[YYNTOKENS];
    int m = 0;
    for (size_t f = 0; f < sizeof(first) / sizeof(first[0]); f++)
        for (int i = 0; i < n; i++)
            if (exp[i] == first[f])
                ord[m++] = exp[i];
    for (int i = 0; i < n && m < YYNTOKENS; i++) {
        int seen = 0;
        for (size_t f = 0; f < sizeof(first) / sizeof(first[0]); f++)
            seen |= exp[i] == first[f];
        if (!seen)
            ord[m++] = exp[i];
    }
    exp = ord;
    n = m;
    const char *words = NULL;
    for (int i = 0; i < n && i < 5; i++) {
        if (exp[i] == YYSYMBOL_QIDENT || exp[i] == YYSYMBOL_BADCMD || exp[i] == YYSYMBOL_XCMD)
            continue;
        const char *w = yysymbol_name(exp[i]);
        if (!words)
            words = w;
        else if (i + 1 == n || i == 4)
            words = apr_pstrcat(P, words, " or ", w, NULL);
        else
            words = apr_pstrcat(P, words, ", ", w, NULL);
    }
    return words ? words : "something else";
}

/* 'parse @message logfmt' (or csv) without 'as': the hint says it is needed and shows the
 * form (issue 14). at: the error; the word before it is the mode, in a parse command. */
static void parse_as_hint(ParseCtx *ctx, LiqDiag *d, uint32_t at)
{
    const char *t = ctx->text;
    uint32_t e = at, b, c;
    while (e > 0 && (t[e - 1] == ' ' || t[e - 1] == '\t' || t[e - 1] == '\r' || t[e - 1] == '\n'))
        e--;
    for (b = e; b > 0 && ((t[b - 1] | 0x20) >= 'a' && (t[b - 1] | 0x20) <= 'z');)
        b--;
    for (c = b; c > 0 && t[c - 1] != '|';) /* the command the word is in */
        c--;
    while (c < b && (t[c] == ' ' || t[c] == '\t' || t[c] == '\r' || t[c] == '\n'))
        c++;
    if (b == 0 || (t[b - 1] != ' ' && t[b - 1] != '\t') || b - c < 6 ||
        strncasecmp(t + c, "parse", 5) != 0 || (t[c + 5] != ' ' && t[c + 5] != '\t'))
        return;
    if (e - b == 6 && strncasecmp(ctx->text + b, "logfmt", 6) == 0)
        diag_hint(ctx->diags, d, "'as' and a name are required: parse @message logfmt as m "
                                 "(its pairs become m.key fields)");
    else if (e - b == 3 && strncasecmp(ctx->text + b, "csv", 3) == 0)
        diag_hint(ctx->diags, d, "'as' and names are required: parse @message csv as a, b, c "
                                 "(one name per column)");
}

static int yyreport_syntax_error(const yypcontext_t *yyctx, void *scanner, ParseCtx *ctx)
{
    (void)scanner;
    yysymbol_kind_t look = yypcontext_token(yyctx);
    const LiqSpan *loc = yypcontext_location(yyctx);
    yysymbol_kind_t exp[YYNTOKENS]; /* every token may be expected: none is ever left out */
    int n = yypcontext_expected_tokens(yyctx, exp, YYNTOKENS);
    if (n < 0)
        n = 0;
    ctx->nerrors++;
    if (look == YYSYMBOL_LEXERR || (look == YYSYMBOL_YYEOF && ctx->lex_failed_at_end))
        return 0; /* the lexer said it already */
    if (ctx->nerrors > PARSE_MAX_ERRORS)
        return 0;
    const char *want = expected_words(ctx, exp, n);
    if (look == YYSYMBOL_YYEOF) {
        LiqSpan at = {(uint32_t)ctx->len, (uint32_t)ctx->len};
        LiqDiag *d = diag_add(ctx->diags, DIAG_ERROR, &at, "unexpected end of query, expected %s",
                              want);
        d->at_end = 1;
        parse_as_hint(ctx, d, (uint32_t)ctx->len);
        return 0;
    }
    size_t tl = loc->end - loc->start;
    const char *tok = ctx->text + loc->start;
    if (tl > 40)
        tl = 40;
    LiqDiag *d = diag_add(ctx->diags, DIAG_ERROR, loc, "expected %s, found '%.*s'", want, (int)tl,
                          tok);
    int ends = 0; /* may the command end here (a '|' or the end of the query may follow)? */
    for (int i = 0; i < n; i++)
        ends |= exp[i] == YYSYMBOL_PIPE || exp[i] == YYSYMBOL_YYEOF;
    const char *cmd = look == YYSYMBOL_IDENT ? lx_nearest_command(tok, tl) : NULL;
    if (look == YYSYMBOL_PIPE && strcmp(want, "a command") == 0)
        diag_hint(ctx->diags, d, "remove the extra '|'");
    else if (look == YYSYMBOL_STRING && exp[0] != YYSYMBOL_STRING && tok[0] != '$')
        diag_hint(ctx->diags, d, "field names are written bare or in backticks, not in quotes");
    else if (ends && cmd && strlen(cmd) == tl && strncasecmp(cmd, tok, tl) == 0)
        diag_hint(ctx->diags, d, "missing '|' before '%.*s'?", (int)tl, tok); /* issue 14 */
    parse_as_hint(ctx, d, loc->start);
    return 0;
}
