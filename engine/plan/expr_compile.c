/* expr_compile.c -- expressions of the checked AST compiled to step arrays (see
 * expr_compile.h; the layout: engine/exec/expr_int.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <locale.h>
#include <string.h>
#include <apr_strings.h>
#include "engine/plan/expr_compile.h"
#include "engine/exec/expr_int.h"
#include "engine/exec/kern.h"
#include "engine/exec/rx.h"
#include "parser/func.h"

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

/* A number literal: its double, and its text when the double cannot stand for it (more than
 * 15 significant digits: a 19-digit id compares by its digits, L5). */
static Datum num_literal(apr_pool_t *pool, const AstNode *n, int neg)
{
    Datum d = val_num(neg ? -n->num : n->num);
    if (!n->str || !n->len)
        return d;
    d.s = neg ? apr_pstrcat(pool, "-", apr_pstrmemdup(pool, n->str, n->len), NULL) : n->str;
    d.len = (uint32_t)n->len + (neg != 0);
    if (val_num_exact(&d)) { /* the usual case: computed form, printed shortest (L11) */
        d.s = NULL;
        d.len = 0;
    }
    return d;
}

/* A literal as a constant Datum: numbers, strings, booleans, and negated numbers. A string's
 * numeric view is worked out here, once: the plan is shared read-only by every worker. */
static int literal(apr_pool_t *pool, const AstNode *n, Datum *out)
{
    double f;
    switch (n->kind) {
    case AST_NUM:
        *out = num_literal(pool, n, 0);
        return 1;
    case AST_STR:
        *out = val_str(n->str, n->len);
        if (val_as_number(out, &f))
            val_num_exact(out);
        return 1;
    case AST_BOOL:
        *out = val_bool(n->num != 0);
        return 1;
    case AST_DURATION: /* a period (checked by sema): milliseconds, or -months */
        *out = val_num(n->num);
        return 1;
    case AST_UNOP:
        if (n->op == AOP_NEG && n->kids[0]->kind == AST_NUM) {
            *out = num_literal(pool, n->kids[0], 1);
            return 1;
        }
        return 0;
    default:
        return 0;
    }
}

/* The step operator of an arithmetic or comparison operator of the AST. */
static ExprOp expr_op(AstOp op)
{
    switch (op) {
    case AOP_ADD:
        return EOP_ADD;
    case AOP_SUB:
        return EOP_SUB;
    case AOP_MUL:
        return EOP_MUL;
    case AOP_DIV:
        return EOP_DIV;
    case AOP_MOD:
        return EOP_MOD;
    case AOP_POW:
        return EOP_POW;
    case AOP_EQ:
        return EOP_EQ;
    case AOP_NE:
        return EOP_NE;
    case AOP_LT:
        return EOP_LT;
    case AOP_LE:
        return EOP_LE;
    case AOP_GT:
        return EOP_GT;
    default:
        return EOP_GE;
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
    if (literal(pool, n, &k)) {
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
                if (!literal(pool, l->kids[i], &s->list[i])) {
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
        s->op = expr_op(op);
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
        if ((n->fn == FN_queryStartTime || n->fn == FN_queryEndTime ||
             n->fn == FN_queryTimeRange) && n->nkids == 0) { /* the range operator's slot */
            int which = n->fn == FN_queryStartTime ? 0 : n->fn == FN_queryEndTime ? 1 : 2;
            int slot = c->plan->range_slots[which];
            if (slot < 0 || c->scope->closed) { /* after stats: its rows have no range */
                cerr(c, e, n, "the query's time range is known before stats only: use it in "
                              "the stats, as 'stats count(*) / queryTimeRange() as r'");
                return -1;
            }
            Step *r = add_step(e, pool, ST_SLOT);
            r->slot = slot;
            c->plan->slots[slot].read = 1;
            args[na++] = r->out;
        }
        if (n->fn == FN_bin) { /* bin(period) rounds @timestamp */
            c->plan->needs_ts = 1;
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
    e->plan = c->plan;
    add_step(e, pool, ST_LOAD); /* kept first; a no-op when there are no inputs */
    e->result = compile_rec(c, e, n);
    if (e->failed || e->result < 0)
        return NULL;
    return e;
}
