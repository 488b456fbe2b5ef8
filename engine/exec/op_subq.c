/* op_subq.c -- subqueries: 'filter f in (SOURCE ... | fields f)' (issue 13)
 *
 * The subquery is a plan of its own (the planner makes it from the commands between the
 * parentheses). A run of the outer query first runs it to completion over the same inputs
 * (its SOURCE selects the log groups it reads) and keeps the values of its one column in a
 * hash set; then the outer filter keeps the rows whose value is in the set ('not in': is not).
 * Values are the same when they would group together in stats (val_equal_key: L5's
 * equality); a null value is in no set, and 'not in' drops it too (SQL).
 *
 * A plan is shared by every run of a compiled query, and the set is a run's, so the set does
 * not live in the Op: engine/run.c gives each run of a query with subqueries a copy of the
 * plan whose subquery operators (op_subq_bind) point at that run's sets, all in a pool of the
 * run (SubqOwner). The owner is freed with the run: the first worker state made for a bound
 * operator registers its destruction on the run's own pool (the root of the worker's pools).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "engine/exec/op.h"
#include "engine/exec/pipe.h"

/* ===== The set ===== */

struct SubqSet {
    apr_pool_t *pool;
    Datum *slots; /* open addressing; VT_NULL: empty */
    uint64_t mask;
    size_t n;
    int incomplete; /* the subquery's run did not read everything */
};

static void set_put(SubqSet *s, const Datum *d);

static void set_grow(SubqSet *s)
{
    uint64_t cap = s->slots ? (s->mask + 1) * 2 : 1024;
    Datum *old = s->slots;
    uint64_t oldcap = s->slots ? s->mask + 1 : 0;
    s->slots = calloc(cap, sizeof(Datum));
    if (!s->slots)
        abort();
    s->mask = cap - 1;
    s->n = 0;
    for (uint64_t i = 0; i < oldcap; i++)
        if (old[i].type != VT_NULL)
            set_put(s, &old[i]);
    free(old);
}

static void set_put(SubqSet *s, const Datum *d)
{
    if (!s->slots || (s->n + 1) * 2 > s->mask + 1)
        set_grow(s);
    uint64_t h = val_hash(d) & s->mask;
    while (s->slots[h].type != VT_NULL) {
        if (val_equal_key(&s->slots[h], d))
            return;
        h = (h + 1) & s->mask;
    }
    s->slots[h] = *d;
    s->n++;
}

static int set_has(const SubqSet *s, const Datum *d)
{
    if (!s->slots)
        return 0;
    uint64_t h = val_hash(d) & s->mask;
    while (s->slots[h].type != VT_NULL) {
        if (val_equal_key(&s->slots[h], d))
            return 1;
        h = (h + 1) & s->mask;
    }
    return 0;
}

size_t subq_set_size(const SubqSet *s)
{
    return s->n;
}

/* Rows of the subquery's run reach the set through a LiqOutput: format_row (any worker)
 * encodes the first column (a type byte, the number, the text), write (one at a time) adds
 * them. */
static void enc_row(void *ctx, const Datum *vals, int ncols, LiqBuf *out)
{
    (void)ctx;
    if (ncols < 1 || vals[0].type == VT_NULL)
        return; /* an empty row: nothing to add */
    const Datum *d = &vals[0];
    uint8_t type = d->type;
    LiqBuf text = {0};
    if (d->type == VT_STR) {
        buf_add(&text, d->s, d->len);
    } else if (d->type != VT_NUM && d->type != VT_BOOL && d->type != VT_TS) {
        val_format(&text, d); /* JSON: its text */
        type = VT_STR;
    } else if (d->type == VT_NUM && d->s) {
        buf_add(&text, d->s, d->len); /* the number as written */
    }
    buf_addc(out, (char)type);
    buf_add(out, &d->v, sizeof(d->v));
    buf_add(out, text.p ? text.p : "", text.len);
    buf_free(&text);
}

static int dec_rows(void *ctx, const char *data, size_t len, const uint32_t *row_ends,
                    uint32_t nrows)
{
    (void)len;
    SubqSet *s = ctx;
    size_t at = 0;
    for (uint32_t r = 0; r < nrows; r++) {
        size_t end = row_ends[r];
        if (end - at >= 1 + sizeof(((Datum *)0)->v)) {
            Datum d = {{0}, NULL, 0, (uint8_t)data[at], 0};
            memcpy(&d.v, data + at + 1, sizeof(d.v));
            size_t tl = end - at - 1 - sizeof(d.v);
            if (tl || d.type == VT_STR) {
                d.s = apr_pstrmemdup(s->pool, data + at + 1 + sizeof(d.v), tl);
                d.len = (uint32_t)tl;
            }
            set_put(s, &d);
        }
        at = end;
    }
    return 0;
}

static apr_status_t set_free(void *p)
{
    SubqSet *s = p;
    free(s->slots);
    s->slots = NULL;
    return APR_SUCCESS;
}

SubqSet *subq_set_run(apr_pool_t *pool, const Plan *inner, const LiqRunOptions *opt)
{
    SubqSet *s = apr_pcalloc(pool, sizeof(*s));
    s->pool = pool;
    apr_pool_cleanup_register(pool, s, set_free, apr_pool_cleanup_null);
    LiqRunOptions o = *opt; /* the same inputs; one plain run */
    o.keep_state = 0;
    o.order_base = 0;
    o.on_morsel = NULL;
    o.on_morsel_ctx = NULL;
    o.progress = NULL;
    o.profile = 0;
    LiqRun *r = pipe_run_new(inner, &o);
    if (!r) {
        s->incomplete = 1;
        return s;
    }
    LiqOutput out = {0};
    out.ctx = s;
    out.format_row = enc_row;
    out.write = dec_rows;
    apr_pool_t *dp;
    apr_pool_create(&dp, NULL);
    LiqStatus st = liq_run_exec(r, &out, NULL, diag_list_new(dp)); /* the outer run reads the
                                                                    * same inputs and reports
                                                                    * their problems */
    s->incomplete = st != LIQ_OK;
    apr_pool_destroy(dp);
    liq_run_free(r);
    return s;
}

/* ===== The operator ===== */

struct SubqOwner {
    apr_pool_t *pool;       /* everything a run's bound plan holds */
    atomic_flag registered; /* its destruction is registered on the run's pool */
};

typedef struct SubqData {
    const Plan *inner;
    Expr *value;
    int negate;
    SubqSet *set;     /* bound copies only */
    SubqOwner *owner; /* ... and who frees it */
} SubqData;

typedef struct SubqLocal {
    ExprState *st;
} SubqLocal;

static apr_status_t owner_free(void *p)
{
    SubqOwner *o = p;
    apr_pool_destroy(o->pool);
    return APR_SUCCESS;
}

SubqOwner *subq_owner_new(apr_pool_t *pool)
{
    SubqOwner *o = apr_pcalloc(pool, sizeof(*o));
    o->pool = pool;
    atomic_flag_clear(&o->registered);
    return o;
}

static OpLocal *subq_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    const SubqData *sd = op->data;
    SubqLocal *l = apr_pcalloc(pool, sizeof(*l));
    l->st = expr_state_new(pool, sd->value, ctx->rx);
    if (sd->owner && !atomic_flag_test_and_set(&sd->owner->registered)) {
        /* the run's pool: the worker pools' root below the global pool (pipe.c makes a run's
         * pool with no parent, and every pool of the run under it) */
        apr_pool_t *root = pool, *global = apr_pool_parent_get(sd->owner->pool);
        while (apr_pool_parent_get(root) && apr_pool_parent_get(root) != global)
            root = apr_pool_parent_get(root);
        apr_pool_cleanup_register(root, sd->owner, owner_free, apr_pool_cleanup_null);
    }
    return l;
}

static void subq_execute(const Op *op, OpLocal *lp, Batch *b)
{
    const SubqData *sd = op->data;
    SubqLocal *l = lp;
    Vec *v = expr_eval(sd->value, l->st, b);
    uint32_t n = 0;
    FOR_ROWS(b)
    {
        const Datum *d = VGET(v, row);
        b->sel[n] = row;
        n += sd->set && d->type != VT_NULL && set_has(sd->set, d) != sd->negate;
    }
    b->nsel = n;
}

static const OpVTable subq_vt = {
    .name = "subquery filter",
    .local_new = subq_local_new,
    .execute = subq_execute,
};

Op *op_subq_new(Plan *p, const Plan *inner, Expr *value, int negate)
{
    SubqData *sd = apr_pcalloc(p->pool, sizeof(*sd));
    sd->inner = inner;
    sd->value = value;
    sd->negate = negate;
    return op_new(p, &subq_vt, sd);
}

const Plan *op_subq_inner(const Op *op)
{
    return op->vt == &subq_vt ? ((const SubqData *)op->data)->inner : NULL;
}

Op *op_subq_bind(apr_pool_t *pool, const Op *op, SubqSet *set, SubqOwner *owner)
{
    Op *c = apr_pmemdup(pool, op, sizeof(*op));
    SubqData *sd = apr_pmemdup(pool, op->data, sizeof(SubqData));
    sd->set = set;
    sd->owner = owner;
    c->data = sd;
    return c;
}
