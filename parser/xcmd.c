/* xcmd.c -- reading the 2025-26 commands written as a flat list (see xcmd.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include "parser/xcmd.h"

static const struct {
    const char *word, *name;
    XcKind kind;
    const char *syntax;
} xcmds[] = {
    {"accum", "accum", XC_ACCUM, "accum field [as out]"},
    {"autoregress", "autoregress", XC_AUTOREGRESS, "autoregress field [as alias] [p=n | p=n-m]"},
    {"filldown", "filldown", XC_FILLDOWN, "filldown [field ...] (names or wildcards such as cpu*)"},
    {"fillmissing", "fillmissing", XC_FILLMISSING, "fillmissing [with value for field, ...]"},
    {"sessionize", "sessionize", XC_SESSIONIZE, "sessionize field, ... [maxspan 30m] [as out]"},
    {"addtotals", "addtotals", XC_ADDTOTALS,
     "addtotals [fieldname=Name] [row=true|false] [col=true|false] [field, ...]"},
    {"expand", "expand", XC_EXPAND, "expand field"},
    {"countFrequent", "countFrequent", XC_COUNTFREQUENT, "countFrequent field, ..."},
    {"count_frequent", "countFrequent", XC_COUNTFREQUENT, "count_frequent field, ..."},
    {"outlier", "outlier", XC_OUTLIER,
     "outlier [action=remove|transform] [param=n] [uselower=true|false] [mark=true|false] "
     "field ..."},
    {"json", "json", XC_JSON, "json [field=FIELD] \"key.path\" [as alias]"},
    {"appendcols", "appendcols", XC_APPENDCOLS,
     "appendcols [override=true|false] [max=n] (SOURCE ... | query)"},
    {"logcompare", "logcompare", XC_LOGCOMPARE, "logcompare timeshift 7d"},
    {"relevantfields", "relevantfields", XC_RELEVANTFIELDS,
     "relevantfields [field, ...] where condition"},
};

typedef struct Rd {
    LiqDiagList *diags;
    int errors;
    const char *syntax;
} Rd;

static void bad(Rd *r, const AstNode *n, const char *what)
{
    r->errors++;
    if (!r->diags)
        return;
    LiqDiag *d = diag_add(r->diags, DIAG_ERROR, &n->span, "%s", what);
    diag_hint(r->diags, d, "write '%s'", r->syntax);
}

static int is_opt(const AstNode *n)
{
    return n->kind == AST_ITEM && (n->flags & AST_F_XOPT);
}

static int is_alias(const AstNode *n)
{
    return n->kind == AST_ITEM && !(n->flags & AST_F_XOPT);
}

static int is_word(const AstNode *n, const char *w)
{
    return n->kind == AST_FIELD && !(n->flags & (AST_F_WILD | AST_F_QUOTED)) && n->str &&
           strcasecmp(n->str, w) == 0;
}

static int is_literal(const AstNode *n)
{
    return n->kind == AST_NUM || n->kind == AST_STR || n->kind == AST_DURATION ||
           n->kind == AST_BOOL;
}

int xcmd_read(apr_pool_t *pool, const AstNode *cmd, XCmd *x, LiqDiagList *diags)
{
    memset(x, 0, sizeof(*x));
    Rd r = {diags, 0, ""};
    size_t k;
    for (k = 0; k < sizeof(xcmds) / sizeof(xcmds[0]); k++)
        if (strcasecmp(xcmds[k].word, cmd->str) == 0)
            break;
    if (k == sizeof(xcmds) / sizeof(xcmds[0])) { /* the lexer makes no other XCMD */
        bad(&r, cmd, "unknown command");
        return r.errors;
    }
    x->kind = xcmds[k].kind;
    x->name = xcmds[k].name;
    r.syntax = xcmds[k].syntax;
    x->fields = apr_pcalloc(pool, sizeof(AstNode *) * (cmd->nkids + 1));
    x->fill_values = apr_pcalloc(pool, sizeof(AstNode *) * (cmd->nkids + 1));
    x->fill_fields = apr_pcalloc(pool, sizeof(AstNode *) * (cmd->nkids + 1));
    x->lag_lo = x->lag_hi = 1;
    x->maxspan_ms = 30 * 60 * 1000;
    x->fieldname = "Total";
    x->row = 1;
    x->param = 2.5;
    x->max = 10000;
    for (uint32_t i = 0; i < cmd->nkids; i++) {
        const AstNode *n = cmd->kids[i];
        if (n->kind == AST_FILTER) { /* 'where COND', last (grammar.y) */
            if (x->kind != XC_RELEVANTFIELDS)
                bad(&r, n, apr_psprintf(pool, "%s takes no 'where'", x->name));
            x->where = n->kids[0];
            continue;
        }
        if (n->kind == AST_SUBQUERY) {
            if (x->kind != XC_APPENDCOLS)
                bad(&r, n, apr_psprintf(pool, "%s takes no subquery", x->name));
            else if (x->subq)
                bad(&r, n, "appendcols takes one subquery");
            x->subq = n;
            continue;
        }
        if (x->kind == XC_JSON && n->kind == AST_STR) {
            if (x->json_path)
                bad(&r, n, "json takes one path");
            else if (n->len == 0)
                bad(&r, n, "json: the path is empty");
            x->json_path = n;
            continue;
        }
        if (x->kind == XC_JSON && n->kind == AST_FIELD && !x->json_path) {
            bad(&r, n, "json: write the path as a string after field=");
            continue;
        }
        if (x->kind == XC_LOGCOMPARE) {
            const AstNode *d = NULL;
            if (is_word(n, "timeshift"))
                d = i + 1 < cmd->nkids ? cmd->kids[++i] : n;
            else if (is_opt(n) && !strcasecmp(n->str, "timeshift") && n->nkids == 1)
                d = n->kids[0];
            if (!d) {
                bad(&r, n, "logcompare takes 'timeshift DURATION'");
                continue;
            }
            if (d->kind != AST_DURATION || !(d->num > 0)) {
                bad(&r, d, "logcompare: timeshift is a time in ms, s, m, h, d or w");
                continue;
            }
            x->timeshift_ms = (int64_t)d->num;
            continue;
        }
        if (n->kind == AST_FIELD && (n->flags & AST_F_WILD) && x->kind != XC_FILLDOWN) {
            bad(&r, n, apr_psprintf(pool, "%s takes field names, not wildcards", x->name));
            continue;
        }
        /* fillmissing: with V for F [, V for F ...] */
        if (x->kind == XC_FILLMISSING) {
            int first = x->nfill == 0;
            if (first && !is_word(n, "with")) {
                bad(&r, n, "expected 'with' after fillmissing");
                break;
            }
            if (first)
                i++;
            if (i + 2 >= cmd->nkids) {
                bad(&r, i < cmd->nkids ? cmd->kids[i] : n,
                    "fillmissing: expected 'VALUE for FIELD'");
                break;
            }
            const AstNode *v = cmd->kids[i], *f = cmd->kids[i + 1], *name = cmd->kids[i + 2];
            if (!is_literal(v)) {
                bad(&r, v, "fillmissing: the value to fill in is a number, a string, true or false");
                break;
            }
            if (!is_word(f, "for")) {
                bad(&r, f, "fillmissing: expected 'for' after the value");
                break;
            }
            if (name->kind != AST_FIELD || (name->flags & AST_F_WILD)) {
                bad(&r, name, "fillmissing: expected a field name after 'for'");
                break;
            }
            x->fill_values[x->nfill] = v;
            x->fill_fields[x->nfill++] = name;
            i += 2;
            continue;
        }
        if (n->kind == AST_FIELD) {
            if (x->kind == XC_SESSIONIZE && is_word(n, "maxspan") &&
                (i + 1 == cmd->nkids || cmd->kids[i + 1]->kind != AST_FIELD)) {
                const AstNode *d = i + 1 < cmd->nkids ? cmd->kids[++i] : n;
                if (d->kind != AST_DURATION || d->num <= 0) {
                    bad(&r, d, "sessionize: maxspan is a time in ms, s, m, h, d or w");
                    continue;
                }
                x->maxspan_ms = (int64_t)d->num;
                continue;
            }
            x->fields[x->nfields++] = n;
            continue;
        }
        if (is_alias(n)) {
            if (x->kind != XC_ACCUM && x->kind != XC_AUTOREGRESS && x->kind != XC_SESSIONIZE &&
                x->kind != XC_JSON) {
                bad(&r, n, apr_psprintf(pool, "%s takes no 'as'", x->name));
                continue;
            }
            if (x->alias)
                bad(&r, n, apr_psprintf(pool, "%s takes one 'as'", x->name));
            x->alias = n->kids[0];
            continue;
        }
        if (is_opt(n)) {
            const AstNode *v = n->kids[0];
            int range = n->nkids == 2;
            const char *o = n->str;
            if (x->kind == XC_AUTOREGRESS && !strcasecmp(o, "p")) {
                double lo = v->num, hi = range ? n->kids[1]->num : v->num;
                if (v->kind != AST_NUM || lo < 1 || hi < lo || lo != (int)lo || hi != (int)hi ||
                    hi > 1000) {
                    bad(&r, n, "autoregress: p is a lag of 1 to 1000 rows, or a range such as p=1-4");
                    continue;
                }
                x->lag_lo = (int)lo;
                x->lag_hi = (int)hi;
                continue;
            }
            if (range) {
                bad(&r, n, apr_psprintf(pool, "%s: '%s' takes one value", x->name, o));
                continue;
            }
            if (x->kind == XC_JSON && !strcasecmp(o, "field")) {
                if (v->kind != AST_FIELD || (v->flags & AST_F_WILD)) {
                    bad(&r, v, "json: field is a field name");
                    continue;
                }
                x->json_field = v;
                continue;
            }
            if (x->kind == XC_APPENDCOLS && !strcasecmp(o, "max")) {
                if (v->kind != AST_NUM || v->num < 1 || v->num > 100000 || v->num != (int)v->num) {
                    bad(&r, v, "appendcols: max is a whole number of rows from 1 to 100000");
                    continue;
                }
                x->max = (int)v->num;
                continue;
            }
            if (x->kind == XC_ADDTOTALS && !strcasecmp(o, "fieldname")) {
                if (v->kind != AST_FIELD && v->kind != AST_STR) {
                    bad(&r, v, "addtotals: fieldname is a name");
                    continue;
                }
                x->fieldname = v->str;
                continue;
            }
            int *flag = NULL;
            if (x->kind == XC_ADDTOTALS && !strcasecmp(o, "row"))
                flag = &x->row;
            else if (x->kind == XC_ADDTOTALS && !strcasecmp(o, "col"))
                flag = &x->col;
            else if (x->kind == XC_OUTLIER && !strcasecmp(o, "uselower"))
                flag = &x->uselower;
            else if (x->kind == XC_OUTLIER && !strcasecmp(o, "mark"))
                flag = &x->mark;
            else if (x->kind == XC_APPENDCOLS && !strcasecmp(o, "override"))
                flag = &x->override;
            if (flag) {
                if (v->kind != AST_BOOL) {
                    bad(&r, v, apr_psprintf(pool, "%s: %s is true or false", x->name, o));
                    continue;
                }
                *flag = v->num != 0;
                continue;
            }
            if (x->kind == XC_OUTLIER && !strcasecmp(o, "action")) {
                if (is_word(v, "remove"))
                    x->remove = 1;
                else if (!is_word(v, "transform"))
                    bad(&r, v, "outlier: action is remove or transform");
                continue;
            }
            if (x->kind == XC_OUTLIER && !strcasecmp(o, "param")) {
                if (v->kind != AST_NUM || !(v->num > 0)) {
                    bad(&r, v, "outlier: param is a positive number (the IQR multiplier)");
                    continue;
                }
                x->param = v->num;
                continue;
            }
            bad(&r, n, apr_psprintf(pool, "%s has no option '%s'", x->name, o));
            continue;
        }
        bad(&r, n, apr_psprintf(pool, "%s does not take a value here", x->name));
    }
    /* how many fields each takes */
    int min = 1, max = 1 << 30;
    switch (x->kind) {
    case XC_ACCUM:
    case XC_AUTOREGRESS:
    case XC_EXPAND:
        max = 1;
        break;
    case XC_FILLDOWN:
    case XC_ADDTOTALS:
        min = 0;
        break;
    case XC_FILLMISSING:
    case XC_JSON:
    case XC_APPENDCOLS:
    case XC_LOGCOMPARE:
        min = max = 0;
        break;
    case XC_RELEVANTFIELDS:
        min = 0;
        break;
    default:
        break;
    }
    if (x->nfields < min && !r.errors)
        bad(&r, cmd, apr_psprintf(pool, "%s needs a field", x->name));
    else if (x->nfields > max && !r.errors)
        bad(&r, x->fields[max], apr_psprintf(pool, "%s takes %s", x->name,
                                             max ? "one field" : "no field names here"));
    if (x->kind == XC_JSON && !x->json_path && !r.errors)
        bad(&r, cmd, "json needs the path to read, a string");
    if (x->kind == XC_APPENDCOLS && !x->subq && !r.errors)
        bad(&r, cmd, "appendcols needs a subquery in parentheses");
    if (x->kind == XC_LOGCOMPARE && !x->timeshift_ms && !r.errors)
        bad(&r, cmd, "logcompare needs 'timeshift DURATION'");
    if (x->kind == XC_RELEVANTFIELDS && !x->where && !r.errors)
        bad(&r, cmd, "relevantfields needs 'where CONDITION'");
    if (x->kind == XC_ADDTOTALS && !x->row && !x->col && !r.errors)
        bad(&r, cmd, "addtotals with row=false and col=false adds nothing");
    return r.errors;
}

/* ===== SOURCE dataSource([...]) ===== */

static const struct {
    const char *name;   /* AWS's data source name.type (@data_source_name.@data_source_type) */
    const char *layout; /* the positional layout liq reads such records with */
} datasources[] = {
    {"amazon_vpc.flow", "vpc-flow"},
    {"amazon_cloudfront.access", "cloudfront"},
};

const char *datasource_format(const char *name)
{
    for (size_t i = 0; i < sizeof(datasources) / sizeof(datasources[0]); i++)
        if (strcasecmp(datasources[i].name, name) == 0)
            return datasources[i].layout;
    return NULL;
}

const char *datasource_names(void)
{
    return "amazon_vpc.flow (VPC flow logs), amazon_cloudfront.access (CloudFront access logs)";
}
