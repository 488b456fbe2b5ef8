/* op_cidr.c -- cidrlookup: rows enriched from the lookup table row whose CIDR range holds an
 * address (docs/commands-2025.md)
 *
 * `cidrlookup TABLE ipField [AS cidrColumn] OUTPUT|OUTPUTNEW col [AS field], ...` reads a
 * lookup table as `lookup` does (op_lookup.c: CSV, loaded when the query compiles). Its CIDR
 * column is parsed once, when the query compiles: "address/prefix", or a bare address for
 * itself alone; cells that are neither never match. A row's address matches the ranges that
 * hold it (as isIpInSubnet: an IPv4-mapped IPv6 address stands for its IPv4 address); the most
 * specific range wins (the longest prefix; equal prefixes: the earlier table row). The ranges
 * are kept sorted by prefix length, longest first, so the first range that holds the address
 * is the one. OUTPUT sets the outputs (null without a match), OUTPUTNEW only those the row has
 * no value for.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include "engine/exec/kern.h"
#include "engine/exec/op.h"

typedef struct CidrRange {
    KNet net;
    size_t row; /* the table row */
} CidrRange;

typedef struct CidrData {
    const LookupTable *t;
    Expr *ip;
    CidrRange *ranges; /* longest prefix first, then table order */
    size_t nranges;
    const int *out_cols, *out_slots;
    Expr **prev; /* OUTPUTNEW: the value each output keeps (NULL: OUTPUT) */
    int nout;
} CidrData;

typedef struct CidrLocal {
    ExprState *ist;
    ExprState **pst;
    LiqBuf text;
} CidrLocal;

static OpLocal *cidr_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    const CidrData *cd = op->data;
    CidrLocal *l = apr_pcalloc(pool, sizeof(*l));
    l->ist = expr_state_new(pool, cd->ip, ctx->rx);
    l->pst = apr_pcalloc(pool, sizeof(ExprState *) * (size_t)(cd->nout + 1));
    for (int o = 0; o < cd->nout; o++)
        if (cd->prev[o])
            l->pst[o] = expr_state_new(pool, cd->prev[o], ctx->rx);
    return l;
}

/* The table row of the most specific range holding the address d, or -1. */
static long match(const CidrData *cd, const Datum *d)
{
    KIp ip;
    if ((d->type != VT_STR && !(d->type == VT_NUM && d->s)) || !d->s ||
        !k_ip_parse(d->s, d->len, &ip))
        return -1;
    for (size_t i = 0; i < cd->nranges; i++)
        if (k_ip_in_net(&ip, &cd->ranges[i].net))
            return (long)cd->ranges[i].row;
    return -1;
}

static void cidr_execute(const Op *op, OpLocal *lp, Batch *b)
{
    const CidrData *cd = op->data;
    CidrLocal *l = lp;
    const LookupTable *t = cd->t;
    Vec *iv = expr_eval(cd->ip, l->ist, b);
    Datum **out = apr_palloc(b->pool, sizeof(Datum *) * (size_t)(cd->nout + 1));
    Vec **prev = apr_pcalloc(b->pool, sizeof(Vec *) * (size_t)(cd->nout + 1));
    for (int o = 0; o < cd->nout; o++) {
        out[o] = apr_palloc(b->pool, sizeof(Datum) * b->nrows);
        if (cd->prev[o])
            prev[o] = expr_eval(cd->prev[o], l->pst[o], b);
    }
    FOR_ROWS(b)
    {
        long r = match(cd, VGET(iv, row));
        for (int o = 0; o < cd->nout; o++) {
            const Datum *before = prev[o] ? VGET(prev[o], row) : NULL;
            if (before && before->type != VT_NULL) { /* OUTPUTNEW keeps a value */
                out[o][row] = *before;
                continue;
            }
            size_t c = r < 0 ? 0 : (size_t)r * (size_t)t->ncols + (size_t)cd->out_cols[o];
            out[o][row] = r >= 0 && t->cells[c] ? val_str(t->cells[c], t->lens[c]) : val_null();
        }
    }
    for (int o = 0; o < cd->nout; o++) {
        Vec *dst = &b->cols[cd->out_slots[o]];
        dst->d = out[o];
        dst->isconst = 0;
        dst->loaded = 1;
    }
}

static const OpVTable cidr_vt = {
    .name = "cidrlookup",
    .local_new = cidr_local_new,
    .execute = cidr_execute,
};

static int by_prefix(const void *a, const void *b)
{
    const CidrRange *x = a, *y = b;
    if (x->net.plen != y->net.plen)
        return x->net.plen > y->net.plen ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

Op *op_cidrlookup_new(Plan *p, const LookupTable *t, int cidr_col, Expr *ip, const int *out_cols,
                      const int *out_slots, Expr **prev, int nout)
{
    CidrData *cd = apr_pcalloc(p->pool, sizeof(*cd));
    cd->t = t;
    cd->ip = ip;
    cd->out_cols = out_cols;
    cd->out_slots = out_slots;
    cd->prev = prev;
    cd->nout = nout;
    cd->ranges = apr_pcalloc(p->pool, sizeof(CidrRange) * (t->nrows + 1));
    for (size_t r = 0; r < t->nrows; r++) {
        size_t c = r * (size_t)t->ncols + (size_t)cidr_col;
        CidrRange *g = &cd->ranges[cd->nranges];
        if (t->cells[c] && k_net_parse(t->cells[c], t->lens[c], &g->net)) {
            g->row = r;
            cd->nranges++;
        }
    }
    qsort(cd->ranges, cd->nranges, sizeof(CidrRange), by_prefix);
    return op_new(p, &cidr_vt, cd);
}

int64_t op_cidr_bytes(const Op *op)
{
    if (op->vt != &cidr_vt)
        return 0;
    const CidrData *cd = op->data;
    return lookup_table_bytes(cd->t) + (int64_t)(cd->nranges * sizeof(CidrRange));
}
