/* op_unnest.c -- unnest breaker: one row per element of a list (§3.12)
 *
 * `unnest f into e` replaces each row by one row per element of the list f (a jsonParse()
 * or split() result, or the JSON text of an array), with e holding the element and every other
 * field kept; the original row is gone. A map, string or number counts as a list of one; a row
 * whose f is null gives no rows. Output order: input order, then element order.
 *
 * Flattened arrays (issue 14). JSON records are flattened into leaves (payload.commits.0.sha,
 * ...: §7.2), so a record field such as payload.commits, an array or object of the record,
 * has no value of its own. When f is such a name (a field of the input, not one the query
 * made) and the row is a JSON record, the container's text is read from the record
 * (json_container) and unnested as jsonParse would give it: whole, whatever the field cap.
 * This needs the record, so it holds where the raw records are: in the first stage, before
 * any stats, sort, limit or dedup.
 *
 * State: the rows made (a RowSet); the elements of one source row stay together and in
 * order through combines and merges, which append.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "engine/data/jdom.h"
#include "engine/data/json.h"
#include "engine/exec/op.h"

typedef struct UnnestData {
    Expr *list;
    int slot; /* the element's slot */
    const char *field; /* list is this JSON field of the input (flattened arrays), or NULL */
    uint32_t flen;
} UnnestData;

/* The container a JSON record has at ud->field, parsed into pool; NULL when there is none. */
static const JdNode *record_container(const UnnestData *ud, const Rec *r, apr_pool_t *pool)
{
    const char *line = r->line, *cb, *ce;
    size_t len = r->len;
    if (r->json == REC_JSON_FRAG) {
        line += r->jsoff;
        len -= r->jsoff;
    } else if (r->json != REC_JSON_YES) {
        return NULL;
    }
    if (!json_container(line, len, ud->field, ud->flen, &cb, &ce, pool))
        return NULL;
    return jdom_parse(pool, cb, (size_t)(ce - cb));
}

typedef struct UnnestLocal {
    const OpCtx *ctx; /* its memory budget: the rows held are charged (issue 15) */
    ExprState *st;
    RowSet *rows; /* the elements of a source row share its order key, in element order; since
                   * the last combine (NULL: none yet) */
} UnnestLocal;

static OpLocal *unnest_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    const UnnestData *ud = op->data;
    UnnestLocal *l = apr_pcalloc(pool, sizeof(*l));
    l->st = expr_state_new(pool, ud->list, ctx->rx);
    l->ctx = ctx;
    return l;
}

static OpState *unnest_global_new(const Op *op)
{
    return rowset_new(op->plan->nslots);
}

static void unnest_sink(const Op *op, OpLocal *lp, Batch *b)
{
    const UnnestData *ud = op->data;
    UnnestLocal *l = lp;
    if (!l->rows)
        l->rows = rowset_new(op->plan->nslots);
    Vec *v = expr_eval(ud->list, l->st, b);
    uint32_t *rowof = mem_alloc(sizeof(uint32_t) * (b->nsel + 1));
    for (uint32_t k = 0; k < b->nsel; k++)
        rowof[k] = b->sel[k];
    /* the lists, copied out of the batch before its rows are materialised */
    RowSet *tmp = rowset_new(op->plan->nslots);
    rowset_append_batch(tmp, op->plan, b);
    int ns = tmp->nslots;
    for (size_t r = 0; r < tmp->nrows; r++) {
        const Datum *d = VGET(v, rowof[r]);
        const JdNode *list = NULL;
        size_t n = 1;
        Datum tmpd;
        if (d->type == VT_NULL && ud->field && b->recs) { /* a flattened array, or no list */
            list = record_container(ud, &b->recs[rowof[r]], b->pool);
            if (!list)
                continue;
            if (list->type == JD_ARR) {
                n = list->n;
            } else { /* an object: a list of one */
                tmpd = val_jdom(list);
                d = &tmpd;
                list = NULL;
            }
        } else if (d->type == VT_NULL) {
            continue; /* no list, no rows */
        } else if (d->type == VT_JSON && ((const JdNode *)d->v.p)->type == JD_ARR) {
            list = d->v.p;
            n = list->n;
        } else if (d->type == VT_STR) { /* the JSON text of an array */
            const JdNode *p = jdom_parse(b->pool, d->s, d->len);
            if (p && p->type == JD_ARR) {
                list = p;
                n = p->n;
            }
        }
        for (size_t e = 0; e < n; e++) {
            Datum el = list ? val_jdom(list->kids[e]) : *d;
            Datum *row = rowset_add_row(l->rows, tmp->order[r]);
            memcpy(row, &tmp->data[r * (size_t)ns], sizeof(Datum) * (size_t)ns);
            row[ud->slot] = datum_copy(l->rows->pool, &el);
        }
    }
    free(rowof);
    tmp->nrows = 0;
    rowset_concat(l->rows, tmp); /* the copied values live on with the rows */
    rowset_track(l->rows, l->ctx, "unnest");
}

static void unnest_combine(const Op *op, OpState *g, OpLocal *lp)
{
    (void)op;
    UnnestLocal *l = lp;
    if (l->rows)
        rowset_concat_charged(g, l->rows, l->ctx, "unnest");
    l->rows = NULL;
}

typedef struct OrderCtx {
    const RowSet *rs;
} OrderCtx;

static RowSet *unnest_finalize(const Op *op, const OpCtx *ctx, OpState *g)
{
    (void)op;
    int64_t charged = ((RowSet *)g)->charged;
    RowSet *rs = rowset_in_order(g);
    rowset_charge(rs, ctx, charged, "unnest");
    return rs;
}

static const OpVTable unnest_vt = {
    .name = "unnest",
    .local_new = unnest_local_new,
    .global_new = unnest_global_new,
    .sink = unnest_sink,
    .combine = unnest_combine,
    .merge = rowset_state_merge,
    .copy = rowset_state_copy,
    .finalize = unnest_finalize,
    .state_free = rowset_state_free,
    .save = rowset_state_save,
    .load = rowset_state_load,
};

Op *op_unnest_new(Plan *p, Expr *list, int slot)
{
    UnnestData *ud = apr_pcalloc(p->pool, sizeof(*ud));
    ud->list = list;
    ud->slot = slot;
    int in = expr_direct_slot(list);
    if (in >= 0 && p->slots[in].kind == SLOT_INPUT && p->slots[in].sys == SYS_NONE) {
        ud->field = p->slots[in].name;
        ud->flen = p->slots[in].len;
    }
    return op_new(p, &unnest_vt, ud);
}
