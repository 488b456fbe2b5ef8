/* fpat_compile.c -- a parsed filter pattern compiled for execution (see fpat_compile.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <apr_strings.h>
#include "engine/plan/fpat_compile.h"

typedef struct Compiler {
    Plan *p;
    LiqDiagList *diags;
    const Rx **rx; /* the regexes compiled so far */
    int nrx, rxcap;
    int failed;
} Compiler;

/* Compiles the regex of v (its body; the span covers the '%' around it) into c->rx; after an
 * invalid one, the rest are left alone (one diagnostic). */
static int add_regex(Compiler *c, const FpValue *v)
{
    if (c->failed)
        return -1;
    char err[256];
    size_t off;
    const Rx *rx = rx_compile(c->p->pool, v->s, v->len, 0, &off, err, sizeof(err));
    if (!rx) {
        LiqSpan at = v->span;
        at.start += 1 + (uint32_t)off;
        if (at.start >= v->span.end)
            at.start = v->span.end - 1;
        at.end = at.start + 1;
        LiqDiag *d = diag_add(c->diags, DIAG_ERROR, &at, "invalid regex: %s", err);
        d->where = " in filter pattern";
        c->failed = 1;
        return -1;
    }
    if (c->nrx == c->rxcap) {
        int cap = c->rxcap ? c->rxcap * 2 : 4;
        const Rx **v2 = apr_palloc(c->p->pool, sizeof(*v2) * (size_t)cap);
        if (c->nrx)
            memcpy(v2, c->rx, sizeof(*v2) * (size_t)c->nrx);
        c->rx = v2;
        c->rxcap = cap;
    }
    c->rx[c->nrx] = rx;
    return c->nrx++;
}

static FpatValue value(Compiler *c, const FpValue *v)
{
    FpatValue out;
    memset(&out, 0, sizeof(out));
    out.s = v->s;
    out.len = v->len;
    out.num = v->num;
    out.wild = v->wild;
    out.rx = -1;
    switch (v->kind) {
    case FV_TEXT:
        out.kind = FPAT_V_TEXT;
        break;
    case FV_NUMBER:
        out.kind = FPAT_V_NUMBER;
        break;
    case FV_STAR:
        out.kind = FPAT_V_STAR;
        break;
    case FV_REGEX:
        out.kind = FPAT_V_REGEX;
        out.rx = add_regex(c, v);
        break;
    }
    return out;
}

static FpatCmp cmp_op(AstOp op)
{
    switch (op) {
    case AOP_NE:
        return FPAT_NE;
    case AOP_LT:
        return FPAT_LT;
    case AOP_LE:
        return FPAT_LE;
    case AOP_GT:
        return FPAT_GT;
    case AOP_GE:
        return FPAT_GE;
    default:
        return FPAT_EQ;
    }
}

/* A condition and the ones under it, left before right (the order regexes are numbered in). */
static const FpatCond *cond(Compiler *c, const FpExpr *e)
{
    if (!e)
        return NULL;
    apr_pool_t *pool = c->p->pool;
    FpatCond *out = apr_pcalloc(pool, sizeof(*out));
    switch (e->kind) {
    case FE_AND:
    case FE_OR:
        out->kind = e->kind == FE_AND ? FPAT_C_AND : FPAT_C_OR;
        out->a = cond(c, e->a);
        out->b = cond(c, e->b);
        return out;
    case FE_CMP:
        out->kind = FPAT_C_CMP;
        break;
    case FE_ISNULL:
        out->kind = FPAT_C_ISNULL;
        break;
    case FE_ISTRUE:
        out->kind = FPAT_C_ISTRUE;
        break;
    case FE_ISFALSE:
        out->kind = FPAT_C_ISFALSE;
        break;
    case FE_NOTEXISTS:
        out->kind = FPAT_C_NOTEXISTS;
        break;
    }
    out->op = cmp_op(e->op);
    out->val = value(c, &e->val);
    if (e->nsteps) {
        FpatStep *steps = apr_pcalloc(pool, sizeof(FpatStep) * (size_t)e->nsteps);
        for (int i = 0; i < e->nsteps; i++) {
            const FpStep *st = &e->steps[i];
            steps[i].kind = st->kind == FS_KEY     ? FPAT_S_KEY
                            : st->kind == FS_INDEX ? FPAT_S_INDEX
                                                   : FPAT_S_ANY;
            steps[i].key = st->key;
            steps[i].len = st->len;
            steps[i].index = st->index;
        }
        out->steps = steps;
        out->nsteps = e->nsteps;
    }
    return out;
}

FpatProg *fpat_compile(Plan *p, const FpPattern *pat, LiqDiagList *diags, int **out_slots,
                       const char ***out_names, int *nout)
{
    apr_pool_t *pool = p->pool;
    Compiler c = {p, diags, NULL, 0, 0, 0};
    FpatProg *prog = apr_pcalloc(pool, sizeof(*prog));
    switch (pat->kind) {
    case FPK_ALL:
        prog->kind = FPAT_ALL;
        break;
    case FPK_TERMS:
        prog->kind = FPAT_TERMS;
        break;
    case FPK_REGEX:
        prog->kind = FPAT_REGEX;
        add_regex(&c, &pat->regex); /* rx[0] */
        break;
    case FPK_JSON:
        prog->kind = FPAT_JSON;
        break;
    case FPK_DELIM:
        prog->kind = FPAT_DELIM;
        break;
    }
    FpatTerm *terms = apr_pcalloc(pool, sizeof(FpatTerm) * (size_t)(pat->nterms + 1));
    for (int i = 0; i < pat->nterms; i++) {
        const FpTerm *t = &pat->terms[i];
        terms[i].kind = t->kind == FT_MUST ? FPAT_T_MUST : t->kind == FT_ANY ? FPAT_T_ANY
                                                                             : FPAT_T_NOT;
        terms[i].s = t->s;
        terms[i].len = t->len;
    }
    prog->terms = terms;
    prog->nterms = pat->nterms;
    prog->json = cond(&c, pat->json);
    /* delimited fields: each named one gets a slot for the query */
    FpatField *fields = apr_pcalloc(pool, sizeof(FpatField) * (size_t)(pat->nfields + 1));
    int *slots = apr_palloc(pool, sizeof(int) * (size_t)(pat->nfields + 1));
    const char **names = apr_palloc(pool, sizeof(char *) * (size_t)(pat->nfields + 1));
    int nf = 0;
    for (int f = 0; f < pat->nfields; f++) {
        const FpField *pf = &pat->fields[f];
        fields[f].ellipsis = pf->ellipsis;
        fields[f].cond = cond(&c, pf->cond);
        fields[f].slot = -1;
        if (!pf->name)
            continue;
        const char *nm = apr_pstrmemdup(pool, pf->name, pf->len);
        fields[f].slot = plan_new_slot(p, nm, SLOT_COMPUTED);
        slots[nf] = fields[f].slot;
        names[nf++] = nm;
    }
    prog->fields = fields;
    prog->nfields = pat->nfields;
    if (c.failed)
        return NULL;
    prog->rx = c.rx;
    prog->nrx = c.nrx;
    *out_slots = slots;
    *out_names = names;
    *nout = nf;
    return prog;
}
