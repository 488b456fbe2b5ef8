/* liq.c -- compile a query: parse, check, plan (see liq.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <apr_strings.h>
#include "engine/liq_int.h"
#include "parser/fpat.h"
#include "parser/parse.h"
#include "parser/sema.h"

LiqQuery *liq_compile(apr_pool_t *pool, const char *text, size_t len, LiqDiagList *diags)
{
    return liq_compile_pattern(pool, text, len, NULL, 0, diags);
}

LiqQuery *liq_compile_pattern(apr_pool_t *pool, const char *text, size_t len,
                              const char *pattern, size_t plen, LiqDiagList *diags)
{
    static const char pattern_only[] = "fields @timestamp, @logStream, @message";
    const FpPattern *fp = NULL;
    if (pattern) {
        fp = fpat_parse(pool, pattern, plen, diags);
        if (!fp)
            return NULL;
        if (!text) {
            text = pattern_only;
            len = sizeof(pattern_only) - 1;
        }
    }
    LiqQuery *q = apr_pcalloc(pool, sizeof(*q));
    q->pool = pool;
    q->text = apr_pstrmemdup(pool, text, len);
    q->len = len;
    q->ast = liq_parse(pool, q->text, len, diags);
    if (!q->ast)
        return NULL;
    if (sema_check(q->ast, diags) > 0)
        return NULL;
    q->plan = plan_build(pool, q->ast, q->text, fp, diags);
    if (!q->plan || diag_count(diags) > 0)
        return NULL;
    q->columns = apr_palloc(pool, sizeof(char *) * (size_t)(q->plan->nvis + 1));
    for (int i = 0; i < q->plan->nvis; i++)
        q->columns[i] = q->plan->vis[i].name;
    return q;
}

const Plan *liq_query_plan(const LiqQuery *q)
{
    return q->plan;
}

void liq_explain(const LiqQuery *q, LiqBuf *out)
{
    plan_explain(q->plan, out);
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
