/* liq.c -- compile a query: parse, check, plan (see liq.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "engine/liq_int.h"
#include "parser/ast.h"
#include "parser/fpat.h"
#include "parser/parse.h"
#include "parser/sema.h"
#include "parser/func.h"
#include "engine/input/fmt.h"
#include "engine/input/ts.h"
#include "engine/input/tsfmt.h"
#include "engine/input/tz.h"
#include "engine/plan/build.h"
#include "engine/plan/defaults.h"
#include "engine/exec/explain.h"
#include "engine/data/jdom.h"

/* Does the checked query have a stats command? (liq_query_has_stats) */
static int has_stats(const AstNode *root)
{
    for (uint32_t i = 0; root && i < root->nkids; i++)
        if (root->kids[i]->kind == AST_STATS)
            return 1;
    return 0;
}

/* The 'by' keys of the last stats when its columns come first in the result, else -1
 * (liq_query_stats_keys). */
static int stats_keys(const AstNode *root)
{
    int last = -1;
    for (uint32_t i = 0; root && i < root->nkids; i++)
        if (root->kids[i]->kind == AST_STATS)
            last = (int)i;
    if (last < 0)
        return -1;
    for (uint32_t i = (uint32_t)last + 1; i < root->nkids; i++) {
        AstKind k = root->kids[i]->kind;
        if (k != AST_SORT && k != AST_LIMIT && k != AST_FILTER && k != AST_DEDUP)
            return -1;
    }
    return (int)root->kids[last]->kids[1]->nkids; /* the 'by' list */
}

/* liq_query_bin: the query's first breaker is a stats whose 'by' has bin(period), perhaps
 * with an offset; only commands that pass rows on one by one come before it. */
static void stats_bin(LiqQuery *q, const AstNode *root)
{
    for (uint32_t i = 0; root && i < root->nkids; i++) {
        const AstNode *c = root->kids[i];
        AstKind k = c->kind;
        if (k == AST_FIELDS || k == AST_DISPLAY || k == AST_FILTER || k == AST_PARSE ||
            k == AST_SOURCE || k == AST_LOOKUP || k == AST_CIDRLOOKUP)
            continue;
        if (k != AST_STATS || c->nkids < 2 || !c->kids[1])
            return;
        for (uint32_t j = 0; j < c->kids[1]->nkids; j++) {
            const AstNode *e = c->kids[1]->kids[j];
            if (e->kind == AST_ITEM && e->nkids)
                e = e->kids[0];
            if (e->kind != AST_CALL || !e->str || strcasecmp(e->str, "bin") != 0 || !e->nkids ||
                e->kids[0]->kind != AST_DURATION || e->kids[0]->num == 0)
                continue;
            q->has_bin = 1;
            q->bin_period = e->kids[0]->num;
            q->bin_offset = e->nkids > 1 && e->kids[1]->kind == AST_DURATION
                                ? (int64_t)e->kids[1]->num
                                : 0;
            return;
        }
        return;
    }
}

int liq_query_bin(const LiqQuery *q, double *period, int64_t *offset_ms)
{
    if (!q->has_bin)
        return 0;
    *period = q->bin_period;
    *offset_ms = q->bin_offset;
    return 1;
}

/* Nodes standing for a parameter (a written form over a span of the text), or with v NULL
 * only their count. */
static void param_nodes(const AstNode *n, const AstNode **v, int *nv)
{
    if (!n)
        return;
    if (n->written && n->span.end > n->span.start) {
        if (v)
            v[*nv] = n;
        (*nv)++;
        return;
    }
    for (uint32_t i = 0; i < n->nkids; i++)
        param_nodes(n->kids[i], v, nv);
}

static int by_start(const void *a, const void *b)
{
    uint32_t x = (*(const AstNode *const *)a)->span.start;
    uint32_t y = (*(const AstNode *const *)b)->span.start;
    return x < y ? -1 : x > y;
}

/* The query text with each parameter written as its literal, into q->shown (liq_query_text). */
static void shown_text(LiqQuery *q, const AstNode *root)
{
    int n = 0;
    param_nodes(root, NULL, &n);
    if (n == 0)
        return;
    const AstNode **v = mem_alloc(sizeof(*v) * (size_t)n);
    n = 0;
    param_nodes(root, v, &n);
    qsort(v, (size_t)n, sizeof(*v), by_start);
    LiqBuf out = {0};
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        if (v[i]->span.start < at) /* never: tokens do not overlap */
            continue;
        buf_add(&out, q->text + at, v[i]->span.start - at);
        buf_adds(&out, v[i]->written);
        at = v[i]->span.end;
    }
    buf_add(&out, q->text + at, q->len - at);
    free(v);
    q->shown = apr_pstrmemdup(q->pool, out.p ? out.p : "", out.len);
    q->shown_len = out.len;
    buf_free(&out);
}

LiqQuery *liq_query_new(apr_pool_t *pool, const char *text, size_t len, Plan *plan)
{
    LiqQuery *q = apr_pcalloc(pool, sizeof(*q));
    q->pool = pool;
    q->text = q->shown = text;
    q->len = q->shown_len = len;
    q->plan = plan;
    q->columns = apr_palloc(pool, sizeof(char *) * (size_t)(plan->nvis + 1));
    for (int i = 0; i < plan->nvis; i++)
        q->columns[i] = plan->vis[i].name;
    q->columns[plan->nvis] = NULL;
    q->stats_keys = -1;
    return q;
}

LiqQuery *liq_compile(apr_pool_t *pool, const char *text, size_t len, LiqDiagList *diags)
{
    return liq_compile_opts(pool, text, len, NULL, diags);
}

LiqQuery *liq_compile_pattern(apr_pool_t *pool, const char *text, size_t len,
                              const char *pattern, size_t plen, LiqDiagList *diags)
{
    LiqCompileOptions opt = {.pattern = pattern, .pattern_len = plen};
    return liq_compile_opts(pool, text, len, &opt, diags);
}

LiqQuery *liq_compile_opts(apr_pool_t *pool, const char *text, size_t len,
                           const LiqCompileOptions *opt, LiqDiagList *diags)
{
    static const char pattern_only[] = "fields @timestamp, @logStream, @message";
    static const LiqCompileOptions none = {.pattern = NULL};
    if (!opt)
        opt = &none;
    const FpPattern *fp = NULL;
    int user_text = text != NULL;
    if (opt->pattern) {
        fp = fpat_parse(pool, opt->pattern, opt->pattern_len, diags);
        if (!fp)
            return NULL;
        if (!text) {
            text = pattern_only;
            len = sizeof(pattern_only) - 1;
        }
    }
    text = apr_pstrmemdup(pool, text, len);
    /* parameters: the lexer fills them in, and says which the query refers to */
    ParseOpts po = {NULL, opt->nparams};
    if (opt->nparams > 0) {
        po.params = apr_pcalloc(pool, sizeof(ParseParam) * (size_t)opt->nparams);
        for (int i = 0; i < opt->nparams; i++) {
            po.params[i].name = opt->params[i].name;
            po.params[i].name_len = opt->params[i].name_len;
            po.params[i].value = opt->params[i].value;
        }
    }
    AstNode *ast = liq_parse_opts(pool, text, len, &po, diags);
    for (int i = 0; i < opt->nparams; i++)
        opt->params[i].used = po.params[i].used;
    if (!ast)
        return NULL;
    if (sema_check(ast, diags) > 0)
        return NULL;
    if (opt->insights_defaults && user_text)
        plan_insights_defaults(pool, ast);
    PlanOpts popt = {NULL, NULL, opt->nlookups, opt->lookup_dir, opt->keep_prefix};
    if (opt->nlookups > 0) {
        const char **names = apr_palloc(pool, sizeof(char *) * (size_t)opt->nlookups);
        const char **paths = apr_palloc(pool, sizeof(char *) * (size_t)opt->nlookups);
        for (int i = 0; i < opt->nlookups; i++) {
            names[i] = opt->lookups[i].name;
            paths[i] = opt->lookups[i].path;
        }
        popt.lookup_names = names;
        popt.lookup_paths = paths;
    }
    Plan *plan = plan_build_opts(pool, ast, text, fp, &popt, diags);
    if (!plan || diag_count(diags) > 0)
        return NULL;
    plan->max_fields = opt->max_fields;
    LiqQuery *q = liq_query_new(pool, text, len, plan);
    q->has_stats = has_stats(ast);
    q->stats_keys = stats_keys(ast);
    stats_bin(q, ast);
    shown_text(q, ast);
    return q;
}

const Plan *liq_query_plan(const LiqQuery *q)
{
    return q->plan;
}

void liq_explain(const LiqQuery *q, LiqBuf *out)
{
    explain_plan(q->plan, out);
}

int liq_columns(const LiqQuery *q, const char ***names)
{
    *names = q->columns;
    return q->plan->nvis;
}

int liq_needs_range(const LiqQuery *q)
{
    return q->plan->diff != DIFF_NONE;
}

int liq_query_range(const LiqQuery *q, const char **start, const char **end)
{
    *start = q->plan->src_start;
    *end = q->plan->src_end;
    return *start || *end;
}

/* ===== What a client asks the library (issue 12; see liq.h) ===== */

int liq_query_has_stats(const LiqQuery *q)
{
    return q->has_stats;
}

int liq_query_stats_keys(const LiqQuery *q)
{
    return q->stats_keys;
}

void liq_query_text(const LiqQuery *q, LiqBuf *out)
{
    buf_add(out, q->shown, q->shown_len);
}

int liq_input_format_check(const char *name)
{
    InFormat f;
    int text_only;
    return fmt_by_user_name(name, &f, &text_only);
}

const char *liq_input_format_names(void)
{
    return fmt_user_names;
}

int liq_timestamp_format_check(const char *fmt, char *why, size_t whylen)
{
    return tsfmt_check(fmt, why, whylen);
}

int liq_tz_check(const char *tz, char *why, size_t whylen)
{
    apr_pool_t *pool;
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS) {
        snprintf(why, whylen, "out of memory");
        return 0;
    }
    int ok = tz_open(pool, tz, why, whylen) != NULL;
    apr_pool_destroy(pool);
    return ok;
}

int liq_time_parse(const char *text, int64_t now_ms, const char *tz, int64_t *ms)
{
    if (!ts_parse_user(text, now_ms, ms))
        return 0;
    if (!tz)
        return 1;
    apr_pool_t *pool;
    char why[256];
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS)
        return -1;
    TsZone *z = tz_open(pool, tz, why, sizeof(why));
    int64_t v;
    if (z && ts_parse_iso_in(text, strlen(text), z, &v)) /* a time written without an offset */
        *ms = v;
    apr_pool_destroy(pool);
    return z ? 1 : -1;
}

int liq_function(int i, LiqFunction *f)
{
    if (i < 0 || i >= FN__COUNT)
        return 0;
    f->name = func_table[i].name;
    f->aggregate = func_table[i].kind == FK_AGG;
    f->synopsis = func_table[i].synopsis;
    f->doc = func_table[i].doc;
    return 1;
}

/* ===== Saved queries as AWS exports them (liq_query_defs_read) ===== */

/* obj's member key, or its CloudFormation spelling (a capital first letter), or NULL. */
static const JdNode *member(const JdNode *obj, const char *key)
{
    size_t n = strlen(key);
    const JdNode *v = jdom_get(obj, key, n);
    if (v)
        return v;
    char cap[32];
    if (n >= sizeof(cap))
        return NULL;
    memcpy(cap, key, n + 1);
    cap[0] = (char)(cap[0] - 'a' + 'A');
    return jdom_get(obj, cap, n);
}

static int valid_name(const char *s, size_t n)
{
    if (!n || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || s[i] == '_' ||
              (s[i] >= '0' && s[i] <= '9')))
            return 0;
    return 1;
}

/* One definition object into *d: 1, or 0 with the reason in why. */
static int query_def(apr_pool_t *pool, const JdNode *o, int i, LiqQueryDef *d, char *why,
                     size_t whylen)
{
    memset(d, 0, sizeof(*d));
    if (o->type != JD_OBJ) {
        snprintf(why, whylen, "query definition %d is not a JSON object", i + 1);
        return 0;
    }
    const JdNode *name = member(o, "name"), *qs = member(o, "queryString");
    if (name && name->type == JD_STR)
        d->name = apr_pstrmemdup(pool, name->s, name->len);
    if (!qs || qs->type != JD_STR) {
        snprintf(why, whylen, "query definition %d%s%s%s has no queryString string", i + 1,
                 d->name ? " ('" : "", d->name ? d->name : "", d->name ? "')" : "");
        return 0;
    }
    d->query = apr_pstrmemdup(pool, qs->s, qs->len);
    d->query_len = qs->len;
    const JdNode *lg = member(o, "logGroupNames");
    if (lg && lg->type == JD_ARR && lg->n) {
        const char **v = apr_pcalloc(pool, sizeof(char *) * lg->n);
        for (size_t k = 0; k < lg->n; k++)
            if (lg->kids[k]->type == JD_STR)
                v[d->nlog_groups++] = apr_pstrmemdup(pool, lg->kids[k]->s, lg->kids[k]->len);
        d->log_groups = v;
    }
    const JdNode *ps = member(o, "parameters");
    if (!ps || ps->type == JD_NULL)
        return 1;
    if (ps->type != JD_ARR) {
        snprintf(why, whylen, "the parameters of query definition %d are not a JSON array", i + 1);
        return 0;
    }
    d->params = apr_pcalloc(pool, sizeof(LiqParam) * (ps->n + 1));
    for (size_t k = 0; k < ps->n; k++) {
        const JdNode *p = ps->kids[k];
        const JdNode *pn = p->type == JD_OBJ ? member(p, "name") : NULL;
        if (!pn || pn->type != JD_STR || !valid_name(pn->s, pn->len)) {
            snprintf(why, whylen,
                     "parameter %zu of query definition %d has no valid name (letters, digits "
                     "and '_', not starting with a digit)",
                     k + 1, i + 1);
            return 0;
        }
        LiqParam *x = &d->params[d->nparams++];
        x->name = apr_pstrmemdup(pool, pn->s, pn->len);
        x->name_len = pn->len;
        const JdNode *dv = member(p, "defaultValue");
        if (dv && dv->type == JD_STR)
            x->value = apr_pstrmemdup(pool, dv->s, dv->len);
        else if (dv && (dv->type == JD_NUM))
            x->value = apr_pstrmemdup(pool, dv->s, dv->len);
    }
    return 1;
}

int liq_query_defs_read(apr_pool_t *pool, const char *text, size_t len, LiqQueryDef **defs,
                        char *why, size_t whylen)
{
    const JdNode *root = jdom_parse(pool, text, len);
    if (!root) {
        snprintf(why, whylen, "%s", "not valid JSON");
        return -1;
    }
    const JdNode *list = root;
    if (root->type == JD_OBJ) {
        const JdNode *qd = member(root, "queryDefinitions");
        if (qd && qd->type != JD_ARR) {
            snprintf(why, whylen, "%s", "queryDefinitions is not a JSON array");
            return -1;
        }
        if (qd) {
            list = qd;
        } else {
            LiqQueryDef *d = apr_pcalloc(pool, sizeof(*d));
            if (!query_def(pool, root, 0, d, why, whylen))
                return -1;
            *defs = d;
            return 1;
        }
    } else if (root->type != JD_ARR) {
        snprintf(why, whylen, "%s",
                 "not a query definition: expected a JSON object with queryDefinitions or "
                 "queryString");
        return -1;
    }
    LiqQueryDef *d = apr_pcalloc(pool, sizeof(*d) * (list->n + 1));
    for (size_t i = 0; i < list->n; i++)
        if (!query_def(pool, list->kids[i], (int)i, &d[i], why, whylen))
            return -1;
    *defs = d;
    return (int)list->n;
}
