/* defaults.c -- --insights-defaults as a rewrite of the checked query (see defaults.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "engine/plan/defaults.h"

/* A node the rewrite adds: no text of its own (an empty span at the end of the query), and
 * written as `written` where its text is asked for (labels, column names). */
static AstNode *added_node(apr_pool_t *pool, AstKind kind, uint32_t end, const char *written)
{
    LiqSpan at = {end, end};
    AstNode *n = ast_new(pool, kind, at);
    n->written = written;
    return n;
}

void plan_insights_defaults(apr_pool_t *pool, AstNode *q)
{
    uint32_t at = q->nkids, end = q->span.end;
    for (uint32_t i = 0; i < q->nkids; i++) {
        AstKind k = q->kids[i]->kind;
        if (k == AST_STATS || k == AST_SORT || k == AST_PATTERN || k == AST_DIFF ||
            k == AST_ANOMALY)
            return; /* the query decides its order */
    }
    for (uint32_t i = 0; i < q->nkids && at == q->nkids; i++) {
        const AstNode *c = q->kids[i];
        if (c->kind == AST_DEDUP || (c->kind == AST_LIMIT && !(c->flags & AST_F_TAIL)))
            at = i;
    }
    /* sort @timestamp desc, as the parser builds it */
    AstNode *field = added_node(pool, AST_FIELD, end, "@timestamp");
    field->str = "@timestamp";
    field->len = 10;
    AstNode *key = ast_add(pool, added_node(pool, AST_SORTKEY, end, NULL), field);
    key->flags |= AST_F_DIR_GIVEN | AST_F_DESC;
    AstNode *sort = ast_add(pool, added_node(pool, AST_SORT, end, "sort @timestamp desc"), key);
    /* limit 10000, checked (sema sets the count) */
    AstNode *num = added_node(pool, AST_NUM, end, "10000");
    num->str = "10000";
    num->len = 5;
    num->num = 10000;
    AstNode *limit = ast_add(pool, added_node(pool, AST_LIMIT, end, "limit 10000"), num);
    limit->num = 10000;
    ast_add(pool, q, sort);
    memmove(q->kids + at + 1, q->kids + at, sizeof(AstNode *) * (q->nkids - 1 - at));
    q->kids[at] = sort;
    ast_add(pool, q, limit);
}
