/* expr.c -- expression compilation to step arrays and their vectorised evaluation
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <locale.h>
#include <math.h>
#include <string.h>
#include <apr_strings.h>
#include "engine/exec/expr.h"
#include "base/memfind.h"
#include "engine/data/jdom.h"
#include "engine/exec/kern.h"
#include "engine/exec/rx.h"
#include "parser/func.h"

typedef enum {
    ST_LOAD,  /* load the expression's input slots (always step 0 when there are any) */
    ST_SLOT,  /* result = a batch column */
    ST_CONST, /* result = a constant */
    ST_NEG,
    ST_ARITH,
    ST_CMP,
    ST_LIKE,  /* substring test */
    ST_REGEX,
    ST_IN,
    ST_AND,
    ST_OR,
    ST_NOT,
    ST_CALL,
    ST_MEMBER, /* a.key on a map */
    ST_INDEX,  /* a[i] on a list (0-based, A13), a["key"] on a map */
} StepKind;

typedef struct Step {
    StepKind kind;
    AstOp op;
    int out;           /* result index */
    int a, b;          /* operand result indices */
    int *args, nargs;  /* ST_CALL operands */
    int slot;          /* ST_SLOT */
    Datum k;           /* ST_CONST, ST_LIKE needle */
    const Rx *rx;      /* ST_REGEX */
    int rxi;           /* index of the worker's match data */
    Datum *list;       /* ST_IN */
    int nlist;
    int fn;            /* ST_CALL */
    void *aux;         /* ST_CALL: constant data compiled for the kernel (KArgs.aux) */
    int negate;        /* ST_LIKE/ST_REGEX/ST_IN: not like, not in */
    const char *key;   /* ST_MEMBER */
    size_t keylen;
} Step;

struct Expr {
    Step *steps;
    int nsteps, cap;
    int nres;
    int result;
    int *inputs;
    int ninputs, incap;
    const Rx **rxs;
    int nrx, rxcap;
    const AstNode *ast;
    const Plan *plan;
    int failed;
};

struct ExprState {
    Vec *res;   /* result storage, one column per result index */
    Vec **vals; /* where each result index lives during an evaluation */
    RxMatch **rxm;
    Vec **argv; /* a call's argument columns: as many as the widest call has */
    LiqBuf scratch, scratch2;
    RxFailures *rxf; /* the run's count of undecided regex subjects */
};

/* ===== Scopes ===== */

void scope_set(apr_pool_t *pool, Scope *s, const char *name, int slot)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0) {
            s->slots[i] = slot;
            return;
        }
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 16;
        const char **names = apr_palloc(pool, sizeof(*names) * (size_t)cap);
        int *slots = apr_palloc(pool, sizeof(int) * (size_t)cap);
        if (s->n) {
            memcpy(names, s->names, sizeof(*names) * (size_t)s->n);
            memcpy(slots, s->slots, sizeof(int) * (size_t)s->n);
        }
        s->names = names;
        s->slots = slots;
        s->cap = cap;
    }
    s->names[s->n] = name;
    s->slots[s->n++] = slot;
}

int scope_get(const Scope *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0)
            return s->slots[i];
    return -1;
}

/* ===== Compilation ===== */

static apr_status_t free_locale(void *loc)
{
    freelocale((locale_t)loc);
    return APR_SUCCESS;
}

/* toupper/tolower: a C.UTF-8 locale object for towupper_l, made when the query is compiled
 * and freed with it; every worker of every run only reads it. NULL when there is none (then
 * only ASCII letters change case). */
static void *case_locale(apr_pool_t *pool)
{
    locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    if (loc)
        apr_pool_cleanup_register(pool, loc, free_locale, apr_pool_cleanup_null);
    return loc;
}

static Step *add_step(Expr *e, apr_pool_t *pool, StepKind k)
{
    if (e->nsteps == e->cap) {
        int cap = e->cap ? e->cap * 2 : 8;
        Step *s = apr_pcalloc(pool, sizeof(Step) * (size_t)cap);
        if (e->nsteps)
            memcpy(s, e->steps, sizeof(Step) * (size_t)e->nsteps);
        e->steps = s;
        e->cap = cap;
    }
    Step *s = &e->steps[e->nsteps++];
    memset(s, 0, sizeof(*s));
    s->kind = k;
    s->out = e->nres++;
    s->a = s->b = -1;
    return s;
}

static void add_input(Expr *e, apr_pool_t *pool, int slot)
{
    for (int i = 0; i < e->ninputs; i++)
        if (e->inputs[i] == slot)
            return;
    if (e->ninputs == e->incap) {
        int cap = e->incap ? e->incap * 2 : 8;
        int *v = apr_palloc(pool, sizeof(int) * (size_t)cap);
        if (e->ninputs)
            memcpy(v, e->inputs, sizeof(int) * (size_t)e->ninputs);
        e->inputs = v;
        e->incap = cap;
    }
    e->inputs[e->ninputs++] = slot;
}

static int add_rx(Expr *e, apr_pool_t *pool, const Rx *rx)
{
    if (e->nrx == e->rxcap) {
        int cap = e->rxcap ? e->rxcap * 2 : 4;
        const Rx **v = apr_palloc(pool, sizeof(*v) * (size_t)cap);
        if (e->nrx)
            memcpy(v, e->rxs, sizeof(*v) * (size_t)e->nrx);
        e->rxs = v;
        e->rxcap = cap;
    }
    e->rxs[e->nrx] = rx;
    return e->nrx++;
}

static LiqDiag *cerr(ExprCtx *c, Expr *e, const AstNode *n, const char *msg)
{
    e->failed = 1;
    return diag_add(c->diags, DIAG_ERROR, &n->span, "%s", msg);
}

/* A literal as a constant Datum: numbers, strings, booleans, and negated numbers. */
static int literal(const AstNode *n, Datum *out)
{
    switch (n->kind) {
    case AST_NUM:
        *out = val_num(n->num);
        return 1;
    case AST_STR:
        *out = val_str(n->str, n->len);
        return 1;
    case AST_BOOL:
        *out = val_bool(n->num != 0);
        return 1;
    case AST_DURATION: /* a period (checked by sema): milliseconds, or -months */
        *out = val_num(n->num);
        return 1;
    case AST_UNOP:
        if (n->op == AOP_NEG && n->kids[0]->kind == AST_NUM) {
            *out = val_num(-n->kids[0]->num);
            return 1;
        }
        return 0;
    default:
        return 0;
    }
}

static int compile_rec(ExprCtx *c, Expr *e, const AstNode *n);

static int compile_regex(ExprCtx *c, Expr *e, const AstNode *pat, int negate, int subject)
{
    apr_pool_t *pool = c->plan->pool;
    char err[256];
    size_t off = 0;
    const Rx *rx = rx_compile(pool, pat->str, pat->len, 0, &off, err, sizeof(err));
    if (!rx) {
        /* point at the byte pcre2 blames: the regex body starts one byte after the '/' */
        LiqSpan at = pat->span;
        at.start = pat->span.start + 1 + (uint32_t)off;
        if (at.start >= pat->span.end)
            at.start = pat->span.end - 1;
        at.end = at.start + 1;
        diag_add(c->diags, DIAG_ERROR, &at, "invalid regex: %s", err);
        e->failed = 1;
        return -1;
    }
    Step *s = add_step(e, pool, ST_REGEX);
    s->a = subject;
    s->rx = rx;
    s->rxi = add_rx(e, pool, rx);
    s->negate = negate;
    return s->out;
}

static int compile_field(ExprCtx *c, Expr *e, const AstNode *n)
{
    apr_pool_t *pool = c->plan->pool;
    int slot = scope_get(c->scope, n->str);
    /* a.b.c where a (or a.b) is a computed value, such as a jsonParse() result: a path into
     * that structure (Part 2 §1.4: the exact flat name first, then a path) */
    if (slot < 0 && !(n->flags & AST_F_QUOTED)) {
        for (size_t cut = n->len; cut-- > 1;) {
            if (n->str[cut] != '.')
                continue;
            char *head = apr_pstrmemdup(pool, n->str, cut);
            int hs = scope_get(c->scope, head);
            if (hs < 0 || c->plan->slots[hs].kind != SLOT_COMPUTED)
                continue;
            Step *base = add_step(e, pool, ST_SLOT);
            base->slot = hs;
            c->plan->slots[hs].read = 1;
            int out = base->out;
            const char *p = n->str + cut + 1, *end = n->str + n->len;
            while (p < end) {
                const char *dot = memchr(p, '.', (size_t)(end - p));
                const char *seg_end = dot ? dot : end;
                Step *m = add_step(e, pool, ST_MEMBER);
                m->a = out;
                m->key = p;
                m->keylen = (size_t)(seg_end - p);
                out = m->out;
                p = dot ? dot + 1 : end;
            }
            return out;
        }
    }
    if (slot < 0) {
        if (c->scope->closed && !c->scope->strict) {
            /* after stats only its outputs exist (§2): other names are null -- AWS's own
             * sample queries filter on such names and get no rows */
            Step *s = add_step(e, pool, ST_CONST);
            s->k = val_null();
            return s->out;
        }
        if (c->scope->closed) {
            /* ... but a second stats cannot aggregate or group what is gone: the stats page
             * calls 'stats ... | stats max(strlen(@message))' invalid */
            LiqDiag *d = cerr(c, e, n, apr_psprintf(pool, "'%s' does not exist after stats",
                                                    n->str));
            if (strcmp(n->str, "@timestamp") == 0)
                diag_hint(c->diags, d, "stats keeps only its groups and aggregates: carry the "
                                       "time with max(@timestamp) as t and use dateceil(t, 5m)");
            else
                diag_hint(c->diags, d, "only the outputs of the last stats are left");
            return -1;
        }
        slot = plan_input_slot(c->plan, n->str, n->len);
        scope_set(pool, c->scope, c->plan->slots[slot].name, slot);
    }
    if (c->plan->slots[slot].kind == SLOT_INPUT) {
        add_input(e, pool, slot);
        c->plan->slots[slot].used = 1;
    }
    Step *s = add_step(e, pool, ST_SLOT);
    s->slot = slot;
    c->plan->slots[slot].read = 1;
    return s->out;
}

static int compile_rec(ExprCtx *c, Expr *e, const AstNode *n)
{
    apr_pool_t *pool = c->plan->pool;
    Datum k;
    if (!n)
        return -1;
    for (int i = 0; i < c->nagg; i++)
        if (c->agg_nodes[i] == n) {
            Step *s = add_step(e, pool, ST_SLOT);
            s->slot = c->agg_slots[i];
            c->plan->slots[s->slot].read = 1;
            return s->out;
        }
    if (literal(n, &k)) {
        Step *s = add_step(e, pool, ST_CONST);
        s->k = k;
        return s->out;
    }
    switch (n->kind) {
    case AST_FIELD:
        return compile_field(c, e, n);
    case AST_UNOP: {
        int a = compile_rec(c, e, n->kids[0]);
        Step *s = add_step(e, pool, n->op == AOP_NOT ? ST_NOT : ST_NEG);
        s->a = a;
        return s->out;
    }
    case AST_BINOP: {
        AstOp op = n->op;
        if (op == AOP_LIKE || op == AOP_NOTLIKE || op == AOP_MATCH) {
            int a = compile_rec(c, e, n->kids[0]);
            const AstNode *p = n->kids[1];
            if (p->kind == AST_REGEX)
                return compile_regex(c, e, p, op == AOP_NOTLIKE, a);
            Step *s = add_step(e, pool, ST_LIKE);
            s->a = a;
            s->k = val_str(p->str, p->len);
            s->negate = op == AOP_NOTLIKE;
            return s->out;
        }
        if (op == AOP_IN || op == AOP_NOTIN) {
            int a = compile_rec(c, e, n->kids[0]);
            const AstNode *l = n->kids[1];
            Step *s = add_step(e, pool, ST_IN);
            s->a = a;
            s->negate = op == AOP_NOTIN;
            s->nlist = (int)l->nkids;
            s->list = apr_palloc(pool, sizeof(Datum) * (l->nkids + 1));
            for (uint32_t i = 0; i < l->nkids; i++)
                if (!literal(l->kids[i], &s->list[i])) {
                    LiqDiag *d = cerr(c, e, l->kids[i], "list items must be literal values");
                    diag_hint(c->diags, d, "write numbers, strings or true/false inside [...]");
                }
            return s->out;
        }
        int a = compile_rec(c, e, n->kids[0]);
        int b = compile_rec(c, e, n->kids[1]);
        StepKind kind = op == AOP_AND ? ST_AND
                        : op == AOP_OR ? ST_OR
                        : (op >= AOP_EQ && op <= AOP_GE) ? ST_CMP
                                                         : ST_ARITH;
        Step *s = add_step(e, pool, kind);
        s->op = op;
        s->a = a;
        s->b = b;
        return s->out;
    }
    case AST_CALL: {
        if (n->fn < 0 || func_table[n->fn].kind != FK_SCALAR || !k_fn_table[n->fn]) {
            cerr(c, e, n, "this function cannot be used here");
            return -1;
        }
        if (n->fn == FN_now) { /* one value for the whole query */
            Step *s = add_step(e, pool, ST_CONST);
            s->k = val_num((double)c->plan->now_s);
            return s->out;
        }
        int *args = apr_palloc(pool, sizeof(int) * (n->nkids + 2));
        int na = 0;
        if (n->fn == FN_bin) { /* bin(period) rounds @timestamp */
            AstNode ts;
            memset(&ts, 0, sizeof(ts));
            ts.kind = AST_FIELD;
            ts.str = "@timestamp";
            ts.len = 10;
            ts.span = n->span;
            args[na++] = compile_field(c, e, &ts);
        }
        for (uint32_t i = 0; i < n->nkids; i++)
            args[na++] = compile_rec(c, e, n->kids[i]);
        Step *s = add_step(e, pool, ST_CALL);
        s->fn = n->fn;
        s->args = args;
        s->nargs = na;
        if (n->fn == FN_toupper || n->fn == FN_tolower)
            s->aux = case_locale(pool);
        return s->out;
    }
    case AST_MEMBER: {
        int base = compile_rec(c, e, n->kids[0]);
        Step *s = add_step(e, pool, ST_MEMBER);
        s->a = base;
        s->key = n->str;
        s->keylen = n->len;
        return s->out;
    }
    case AST_INDEX: {
        int base = compile_rec(c, e, n->kids[0]);
        int idx = compile_rec(c, e, n->kids[1]);
        Step *s = add_step(e, pool, ST_INDEX);
        s->a = base;
        s->b = idx;
        return s->out;
    }
    default:
        cerr(c, e, n, "this expression cannot be evaluated here");
        return -1;
    }
}

Expr *expr_compile(ExprCtx *c, const AstNode *n)
{
    apr_pool_t *pool = c->plan->pool;
    Expr *e = apr_pcalloc(pool, sizeof(*e));
    e->ast = n;
    e->plan = c->plan;
    add_step(e, pool, ST_LOAD); /* kept first; a no-op when there are no inputs */
    e->result = compile_rec(c, e, n);
    if (e->failed || e->result < 0)
        return NULL;
    return e;
}

int expr_direct_slot(const Expr *e)
{
    const Step *last = &e->steps[e->nsteps - 1];
    return last->kind == ST_SLOT ? last->slot : -1;
}

const AstNode *expr_ast(const Expr *e)
{
    return e->ast;
}

int expr_inputs(const Expr *e, const int **slots)
{
    *slots = e->inputs;
    return e->ninputs;
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

static Datum arith_raw(AstOp op, const Datum *x, const Datum *y);

/* Arithmetic results that overflow to infinity are null, like division by zero. */
static Datum arith(AstOp op, const Datum *x, const Datum *y)
{
    Datum r = arith_raw(op, x, y);
    return r.type == VT_NUM && !isfinite(r.v.f) ? val_null() : r;
}

static Datum arith_raw(AstOp op, const Datum *x, const Datum *y)
{
    double a, b;
    if (x->type == VT_NULL || y->type == VT_NULL || !val_as_number(x, &a) || !val_as_number(y, &b))
        return val_null();
    switch (op) {
    case AOP_ADD:
        return val_num(a + b);
    case AOP_SUB:
        return val_num(a - b);
    case AOP_MUL:
        return val_num(a * b);
    case AOP_DIV:
        return b == 0 ? val_null() : val_num(a / b);
    case AOP_MOD:
        return b == 0 ? val_null() : val_num(fmod(a, b));
    case AOP_POW: {
        double r = pow(a, b);
        return isfinite(r) ? val_num(r) : val_null();
    }
    default:
        return val_null();
    }
}

static Datum cmp(AstOp op, const Datum *x, const Datum *y)
{
    int ok;
    int c = val_compare(x, y, &ok);
    if (!ok)
        return val_null();
    switch (op) {
    case AOP_EQ:
        return val_bool(c == 0);
    case AOP_NE:
        return val_bool(c != 0);
    case AOP_LT:
        return val_bool(c < 0);
    case AOP_LE:
        return val_bool(c <= 0);
    case AOP_GT:
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
                    hit = val_compare(d, &s->list[k], &ok) == 0 && ok;
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
