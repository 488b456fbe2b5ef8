/* expr.c -- the evaluation of compiled expressions: a step array run a batch at a time
 * (the layout: expr_int.h; the compiler: engine/plan/expr_compile.c)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <string.h>
#include <apr_strings.h>
#include "engine/exec/expr_int.h"
#include "base/memfind.h"
#include "engine/data/jdom.h"
#include "engine/exec/kern.h"
#include "engine/exec/rx.h"
#include "parser/func.h"

struct ExprState {
    Vec *res;   /* result storage, one column per result index */
    Vec **vals; /* where each result index lives during an evaluation */
    RxMatch **rxm;
    Vec **argv; /* a call's argument columns: as many as the widest call has */
    LiqBuf scratch, scratch2;
    RxFailures *rxf; /* the run's count of undecided regex subjects */
};

/* ===== What a compiled expression reads; worker states ===== */

int expr_direct_slot(const Expr *e)
{
    const Step *last = &e->steps[e->nsteps - 1];
    return last->kind == ST_SLOT ? last->slot : -1;
}

int expr_inputs(const Expr *e, const int **slots)
{
    *slots = e->inputs;
    return e->ninputs;
}

int expr_reads_only(const Expr *e, const int *slots, int n)
{
    for (int i = 0; e && i < e->nsteps; i++) {
        if (e->steps[i].kind != ST_SLOT)
            continue;
        int ok = 0;
        for (int k = 0; k < n && !ok; k++)
            ok = slots[k] == e->steps[i].slot;
        if (!ok)
            return 0;
    }
    return 1;
}

int expr_inputs_union(apr_pool_t *pool, Expr *const *es, int n, const int **slots)
{
    int total = 0, m = 0;
    for (int i = 0; i < n; i++)
        total += es[i] ? es[i]->ninputs : 0;
    int *u = apr_palloc(pool, sizeof(int) * (size_t)(total + 1));
    for (int i = 0; i < n; i++)
        for (int k = 0; es[i] && k < es[i]->ninputs; k++) {
            int j = 0;
            while (j < m && u[j] != es[i]->inputs[k])
                j++;
            if (j == m)
                u[m++] = es[i]->inputs[k];
        }
    *slots = u;
    return m;
}

static apr_status_t state_cleanup(void *p)
{
    ExprState *st = p;
    buf_free(&st->scratch);
    buf_free(&st->scratch2);
    return APR_SUCCESS;
}

ExprState *expr_state_new(apr_pool_t *pool, const Expr *e, RxFailures *rxf)
{
    ExprState *st = apr_pcalloc(pool, sizeof(*st));
    st->rxf = rxf;
    apr_pool_cleanup_register(pool, st, state_cleanup, apr_pool_cleanup_null);
    st->res = apr_pcalloc(pool, sizeof(Vec) * (size_t)e->nres);
    st->vals = apr_pcalloc(pool, sizeof(Vec *) * (size_t)e->nres);
    for (int i = 0; i < e->nsteps; i++) {
        const Step *s = &e->steps[i];
        if (s->kind == ST_SLOT || s->kind == ST_LOAD)
            continue;
        Vec *v = &st->res[s->out];
        if (s->kind == ST_CONST) {
            v->d = apr_palloc(pool, sizeof(Datum));
            v->d[0] = s->k;
            v->isconst = 1;
        } else {
            v->d = apr_palloc(pool, sizeof(Datum) * LIQ_VEC_SIZE);
        }
        v->loaded = 1;
        st->vals[s->out] = v;
    }
    int maxargs = 0;
    for (int i = 0; i < e->nsteps; i++)
        if (e->steps[i].kind == ST_CALL && e->steps[i].nargs > maxargs)
            maxargs = e->steps[i].nargs;
    st->argv = apr_pcalloc(pool, sizeof(Vec *) * (size_t)(maxargs + 1));
    st->rxm = apr_pcalloc(pool, sizeof(RxMatch *) * (size_t)(e->nrx + 1));
    for (int i = 0; i < e->nrx; i++)
        st->rxm[i] = rx_match_new(pool, e->rxs[i], rxf);
    return st;
}

/* ===== Evaluation ===== */

const char *val_text(const Datum *d, LiqBuf *scratch, size_t *len)
{
    if (d->type == VT_STR || (d->type == VT_NUM && d->s)) {
        *len = d->len;
        return d->s ? d->s : "";
    }
    scratch->len = 0;
    val_format(scratch, d);
    buf_addc(scratch, 0);
    *len = scratch->len - 1;
    return scratch->p;
}

static Datum arith_raw(ExprOp op, const Datum *x, const Datum *y);

/* Arithmetic results that overflow to infinity are null, like division by zero. */
static Datum arith(ExprOp op, const Datum *x, const Datum *y)
{
    Datum r = arith_raw(op, x, y);
    return r.type == VT_NUM && !isfinite(r.v.f) ? val_null() : r;
}

static Datum arith_raw(ExprOp op, const Datum *x, const Datum *y)
{
    double a, b;
    if (x->type == VT_NULL || y->type == VT_NULL || !val_as_number(x, &a) || !val_as_number(y, &b))
        return val_null();
    switch (op) {
    case EOP_ADD:
        return val_num(a + b);
    case EOP_SUB:
        return val_num(a - b);
    case EOP_MUL:
        return val_num(a * b);
    case EOP_DIV:
        return b == 0 ? val_null() : val_num(a / b);
    case EOP_MOD:
        return b == 0 ? val_null() : val_num(fmod(a, b));
    case EOP_POW: {
        double r = pow(a, b);
        return isfinite(r) ? val_num(r) : val_null();
    }
    default:
        return val_null();
    }
}

static Datum cmp(ExprOp op, const Datum *x, const Datum *y)
{
    int ok;
    int c = val_compare(x, y, &ok);
    if (ok == VC_NULL)
        return val_null();
    if (ok == VC_UNORDERED) /* a number against text that is none (L5): only != holds */
        return val_bool(op == EOP_NE);
    switch (op) {
    case EOP_EQ:
        return val_bool(c == 0);
    case EOP_NE:
        return val_bool(c != 0);
    case EOP_LT:
        return val_bool(c < 0);
    case EOP_LE:
        return val_bool(c <= 0);
    case EOP_GT:
        return val_bool(c > 0);
    default:
        return val_bool(c >= 0);
    }
}

/* SQL three-valued logic on truth values: 1 true, 0 false, -1 null. */
static int tv(const Datum *d)
{
    return d->type == VT_NULL ? -1 : val_truthy(d);
}

static Datum from_tv(int t)
{
    return t < 0 ? val_null() : val_bool(t);
}

static int takes_structures(int fn)
{
    return fn == FN_jsonStringify || fn == FN_jsonArraySize || fn == FN_jsonArrayContains ||
           fn == FN_ispresent || fn == FN_coalesce || fn == FN_unmask || fn == FN_if ||
           fn == FN_case || fn == FN_jsonParse;
}

/* v itself, or a copy in which maps and lists are null (only when the batch has any). */
static Vec *no_structures(Vec *v, Batch *b, ExprState *st, int k)
{
    (void)st;
    (void)k;
    int any = 0;
    for (uint32_t i = 0; i < b->nsel && !any; i++)
        any = VGET(v, b->sel[i])->type == VT_JSON;
    if (!any)
        return v;
    Vec *c = apr_palloc(b->pool, sizeof(Vec));
    c->d = apr_palloc(b->pool, sizeof(Datum) * b->nrows);
    c->isconst = 0;
    c->loaded = 1;
    FOR_ROWS(b)
    {
        const Datum *d = VGET(v, row);
        c->d[row] = d->type == VT_JSON ? val_null() : *d;
    }
    return c;
}

Vec *expr_eval(const Expr *e, ExprState *st, Batch *b)
{
    Vec **vals = st->vals;
    for (int si = 0; si < e->nsteps; si++) {
        const Step *s = &e->steps[si];
        Vec *out = vals[s->out];
        switch (s->kind) {
        case ST_LOAD:
            if (e->ninputs)
                dec_load(e->plan, b, e->inputs, e->ninputs);
            break;
        case ST_SLOT:
            vals[s->out] = &b->cols[s->slot];
            if (!b->cols[s->slot].loaded) {
                /* a computed slot no row has written: null for every row */
                Vec *v = &b->cols[s->slot];
                v->d = apr_palloc(b->pool, sizeof(Datum));
                v->d[0] = val_null();
                v->isconst = 1;
                v->loaded = 1;
            }
            break;
        case ST_CONST:
            break;
        case ST_NEG: {
            Vec *a = vals[s->a];
            FOR_ROWS(b)
            {
                double x;
                const Datum *d = VGET(a, row);
                out->d[row] = d->type != VT_NULL && val_as_number(d, &x) ? val_num(-x) : val_null();
            }
            break;
        }
        case ST_ARITH: {
            Vec *a = vals[s->a], *c = vals[s->b];
            FOR_ROWS(b) out->d[row] = arith(s->op, VGET(a, row), VGET(c, row));
            break;
        }
        case ST_CMP: {
            Vec *a = vals[s->a], *c = vals[s->b];
            FOR_ROWS(b) out->d[row] = cmp(s->op, VGET(a, row), VGET(c, row));
            break;
        }
        case ST_LIKE: {
            Vec *a = vals[s->a];
            FOR_ROWS(b)
            {
                const Datum *d = VGET(a, row);
                if (d->type == VT_NULL) {
                    out->d[row] = val_null();
                    continue;
                }
                size_t n;
                const char *t = val_text(d, &st->scratch, &n);
                int hit = s->k.len == 0 || mem_find(t, n, s->k.s, s->k.len) != NULL;
                out->d[row] = val_bool(hit != s->negate);
            }
            break;
        }
        case ST_REGEX: {
            Vec *a = vals[s->a];
            RxMatch *m = st->rxm[s->rxi];
            FOR_ROWS(b)
            {
                const Datum *d = VGET(a, row);
                if (d->type == VT_NULL) {
                    out->d[row] = val_null();
                    continue;
                }
                size_t n;
                const char *t = val_text(d, &st->scratch, &n);
                out->d[row] = val_bool(rx_search(s->rx, m, t, n) != s->negate);
            }
            break;
        }
        case ST_IN: {
            Vec *a = vals[s->a];
            FOR_ROWS(b)
            {
                const Datum *d = VGET(a, row);
                if (d->type == VT_NULL) {
                    out->d[row] = val_null();
                    continue;
                }
                int hit = 0;
                for (int k = 0; k < s->nlist && !hit; k++) {
                    int ok;
                    hit = val_compare(d, &s->list[k], &ok) == 0 && ok == VC_OK;
                }
                out->d[row] = val_bool(hit != s->negate);
            }
            break;
        }
        case ST_AND: {
            Vec *a = vals[s->a], *c = vals[s->b];
            FOR_ROWS(b)
            {
                int x = tv(VGET(a, row)), y = tv(VGET(c, row));
                out->d[row] = from_tv(x == 0 || y == 0 ? 0 : (x < 0 || y < 0) ? -1 : 1);
            }
            break;
        }
        case ST_OR: {
            Vec *a = vals[s->a], *c = vals[s->b];
            FOR_ROWS(b)
            {
                int x = tv(VGET(a, row)), y = tv(VGET(c, row));
                out->d[row] = from_tv(x == 1 || y == 1 ? 1 : (x < 0 || y < 0) ? -1 : 0);
            }
            break;
        }
        case ST_NOT: {
            Vec *a = vals[s->a];
            FOR_ROWS(b)
            {
                int x = tv(VGET(a, row));
                out->d[row] = from_tv(x < 0 ? -1 : !x);
            }
            break;
        }
        case ST_MEMBER: {
            Vec *a = vals[s->a];
            FOR_ROWS(b)
            {
                const Datum *d = VGET(a, row);
                const JdNode *kid = d->type == VT_JSON ? jdom_get(d->v.p, s->key, s->keylen)
                                                       : NULL;
                out->d[row] = kid ? val_jdom(kid) : val_null();
            }
            break;
        }
        case ST_INDEX: {
            Vec *a = vals[s->a], *ix = vals[s->b];
            FOR_ROWS(b)
            {
                const Datum *d = VGET(a, row), *i = VGET(ix, row);
                const JdNode *kid = NULL;
                double f;
                if (d->type == VT_JSON) {
                    const JdNode *nd = d->v.p;
                    if (nd->type == JD_ARR && i->type != VT_STR && val_as_number(i, &f) &&
                        f >= 0 && f < (double)nd->n && f == (double)(size_t)f)
                        kid = nd->kids[(size_t)f];
                    else if (nd->type == JD_OBJ && i->type == VT_STR)
                        kid = jdom_get(nd, i->s, i->len);
                }
                out->d[row] = kid ? val_jdom(kid) : val_null();
            }
            break;
        }
        case ST_CALL: {
            Vec **args = st->argv;
            int na = s->nargs;
            for (int k = 0; k < na; k++)
                args[k] = vals[s->args[k]];
            /* maps and lists are null to string, number and time functions (§4 "Structure
             * types"): only the structure-aware ones see them */
            if (!takes_structures(s->fn))
                for (int k = 0; k < na; k++)
                    args[k] = no_structures(args[k], b, st, k);
            KArgs ka = {args, na, b, out, &st->scratch, st->rxf, s->aux};
            k_fn_table[s->fn](&ka);
            break;
        }
        }
    }
    return vals[e->result];
}

