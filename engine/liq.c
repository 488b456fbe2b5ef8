/* liq.c -- compile a query: parse, check, plan (see liq.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <apr_strings.h>
#include "engine/liq_int.h"
#include "parser/parse.h"
#include "parser/sema.h"

LiqQuery *liq_compile(apr_pool_t *pool, const char *text, size_t len, LiqDiagList *diags)
{
    LiqQuery *q = apr_pcalloc(pool, sizeof(*q));
    q->pool = pool;
    q->text = apr_pstrmemdup(pool, text, len);
    q->len = len;
    q->ast = liq_parse(pool, q->text, len, diags);
    if (!q->ast)
        return NULL;
    if (sema_check(q->ast, diags) > 0)
        return NULL;
    q->plan = plan_build(pool, q->ast, q->text, diags);
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
