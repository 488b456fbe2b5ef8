/* op_fpat.c -- filter-pattern operator: keeps the records a CloudWatch filter pattern matches
 *
 * Runs first in pipeline 0 on the raw record (@message), a program the planner compiled from
 * the pattern (fpat_prog.h). Term patterns and %regex% test the raw bytes (case-sensitive,
 * L17). JSON patterns parse the record into a small tree
 * (engine/data/jdom.h) and evaluate selectors with wildcards: a comparison holds when any value
 * the selector reaches holds it; a selector reaching an object or array never matches; IS
 * NULL needs an explicit JSON null, NOT EXISTS an absent key. Space-delimited patterns split
 * the record at spaces ("[...]" and "\"...\"" group, their brackets and quotes removed),
 * match the fields left to right ('...' takes any number of fields, the last field takes the
 * rest of the line), and write every named field into its slot for the query.
 *
 * Values (§11.4, §11.5): text with '*' is a wildcard match, %regex% a regex search, numbers
 * compare numerically with a value that reads as a number (a JSON number or a numeric
 * string), '*' alone matches any present value.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <apr_strings.h>
#include <string.h>
#include "base/num.h"
#include "engine/data/jdom.h"
#include "engine/data/json.h"
#include "engine/exec/op.h"
#include "engine/exec/fpat_prog.h"
#include "base/memfind.h"
#include "engine/exec/rx.h"
#include "engine/input/src.h"

typedef struct FpatData {
    const FpatProg *prog;
    int msg_slot; /* @message */
} FpatData;

typedef struct FpatLocal {
    RxMatch **m;
    apr_pool_t *scratch; /* per record: JSON trees, field values */
    apr_pool_t *pool;    /* the worker's */
    struct Tok *toks;    /* delimited: the tokens of a line, as many as it has */
    int tokcap;
} FpatLocal;

typedef struct Eval {
    const FpatData *fd;
    FpatLocal *l;
} Eval;

/* ===== values ===== */

/* '*' wildcard match of a whole text against a pattern text. */
static int glob(const char *p, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
    while (si < sn) {
        if (pi < pn && p[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < pn && p[pi] == s[si]) {
            pi++;
            si++;
        } else if (star != (size_t)-1) {
            pi = star + 1;
            si = ++mark;
        } else {
            return 0;
        }
    }
    while (pi < pn && p[pi] == '*')
        pi++;
    return pi == pn;
}

/* Compares a present scalar (its text, and its number when it reads as one) with a value. */
static int value_holds(const FpatData *fd, FpatLocal *l, const FpatValue *v, FpatCmp op,
                       const char *s, size_t n, int has_num, double num)
{
    int eq;
    switch (v->kind) {
    case FPAT_V_STAR:
        eq = 1;
        break;
    case FPAT_V_REGEX:
        eq = rx_search(fd->prog->rx[v->rx], l->m[v->rx], s, n);
        break;
    case FPAT_V_NUMBER:
        if (!has_num)
            return 0;
        switch (op) {
        case FPAT_LT:
            return num < v->num;
        case FPAT_LE:
            return num <= v->num;
        case FPAT_GT:
            return num > v->num;
        case FPAT_GE:
            return num >= v->num;
        default:
            eq = num == v->num;
        }
        break;
    default:
        eq = v->wild ? glob(v->s, v->len, s, n) : (v->len == n && memcmp(v->s, s, n) == 0);
        break;
    }
    return op == FPAT_NE ? !eq : eq;
}

/* ===== JSON patterns ===== */

typedef struct Hit {
    const FpatCond *e;
    int found; /* some reached value satisfied the condition */
    int any;   /* the selector reached something (for NOT EXISTS) */
} Hit;

static void test_node(Eval *ev, Hit *h, const JdNode *n)
{
    const FpatCond *e = h->e;
    h->any = 1;
    switch (e->kind) {
    case FPAT_C_ISNULL:
        h->found |= n->type == JD_NULL;
        return;
    case FPAT_C_ISTRUE:
        h->found |= n->type == JD_TRUE;
        return;
    case FPAT_C_ISFALSE:
        h->found |= n->type == JD_FALSE;
        return;
    case FPAT_C_NOTEXISTS:
        return;
    default:
        break;
    }
    if (n->type == JD_OBJ || n->type == JD_ARR)
        return; /* a selector that reaches a structure never matches */
    const char *s;
    size_t len;
    double num = 0;
    int has_num = 0;
    switch (n->type) {
    case JD_NULL:
        s = "null";
        len = 4;
        break;
    case JD_TRUE:
        s = "true";
        len = 4;
        break;
    case JD_FALSE:
        s = "false";
        len = 5;
        break;
    case JD_NUM:
        s = n->s;
        len = n->len;
        num = n->num;
        has_num = 1;
        break;
    default:
        s = n->s;
        len = n->len;
        has_num = num_parse(s, len, &num);
        break;
    }
    if (n->type == JD_NULL && e->val.kind != FPAT_V_STAR)
        return;
    h->found |= value_holds(ev->fd, ev->l, &e->val, e->op, s, len, has_num, num);
}

static void walk(Eval *ev, Hit *h, const JdNode *n, int step)
{
    const FpatCond *e = h->e;
    if (!n)
        return;
    if (step == e->nsteps) {
        test_node(ev, h, n);
        return;
    }
    const FpatStep *st = &e->steps[step];
    switch (st->kind) {
    case FPAT_S_KEY:
        walk(ev, h, jdom_get(n, st->key, st->len), step + 1);
        break;
    case FPAT_S_INDEX:
        if (n->type == JD_ARR && st->index >= 0 && (size_t)st->index < n->n)
            walk(ev, h, n->kids[st->index], step + 1);
        break;
    case FPAT_S_ANY:
        if (n->type == JD_ARR || n->type == JD_OBJ)
            for (size_t i = 0; i < n->n; i++)
                walk(ev, h, n->kids[i], step + 1);
        break;
    }
}

static int json_eval(Eval *ev, const FpatCond *e, const JdNode *doc)
{
    if (e->kind == FPAT_C_AND) {
        int a = json_eval(ev, e->a, doc);
        /* both walked, never cut short: a regex counts the values it could not decide
         * (OpCtx.rx) whatever the other side holds */
        int b = json_eval(ev, e->b, doc);
        return a && b;
    }
    if (e->kind == FPAT_C_OR) {
        int a = json_eval(ev, e->a, doc);
        int b = json_eval(ev, e->b, doc);
        return a || b;
    }
    Hit h = {e, 0, 0};
    walk(ev, &h, doc, 0);
    return e->kind == FPAT_C_NOTEXISTS ? !h.any : h.found;
}

/* ===== space-delimited patterns ===== */

typedef struct Tok {
    const char *s; /* value (brackets/quotes removed) */
    size_t len;
    const char *raw; /* where the token starts in the line (for the rest-of-line field) */
} Tok;

/* The tokens of a line into l->toks (grown to hold every one); returns how many. */
static int split(FpatLocal *l, const char *s, size_t n)
{
    int k = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && s[i] == ' ')
            i++;
        if (i >= n)
            break;
        if (k == l->tokcap) {
            int cap = l->tokcap ? l->tokcap * 2 : 64;
            Tok *nt = apr_palloc(l->pool, sizeof(Tok) * (size_t)cap);
            if (k)
                memcpy(nt, l->toks, sizeof(Tok) * (size_t)k);
            l->toks = nt;
            l->tokcap = cap;
        }
        Tok *t = &l->toks[k++];
        t->raw = s + i;
        char close = s[i] == '[' ? ']' : s[i] == '"' ? '"' : 0;
        if (close) {
            const char *e = memchr(s + i + 1, close, n - i - 1);
            if (e) {
                t->s = s + i + 1;
                t->len = (size_t)(e - (s + i + 1));
                i = (size_t)(e - s) + 1;
                continue;
            }
        }
        size_t j = i;
        while (j < n && s[j] != ' ')
            j++;
        t->s = s + i;
        t->len = j - i;
        i = j;
    }
    return k;
}

static int field_holds(Eval *ev, const FpatCond *e, const char *s, size_t n)
{
    if (e->kind == FPAT_C_AND || e->kind == FPAT_C_OR) {
        int a = field_holds(ev, e->a, s, n);
        int b = field_holds(ev, e->b, s, n);
        return e->kind == FPAT_C_AND ? a && b : a || b;
    }
    double num;
    int has = num_parse(s, n, &num);
    return value_holds(ev->fd, ev->l, &e->val, e->op, s, n, has, num);
}

/* Matches fields [fi..] against tokens [ti..]; records each named field's token. */
static int match_fields(Eval *ev, const Tok *toks, int ntok, int fi, int ti, const char *end,
                        int *bind_tok)
{
    const FpatProg *p = ev->fd->prog;
    if (fi == p->nfields)
        return ti == ntok;
    const FpatField *f = &p->fields[fi];
    if (f->ellipsis) {
        for (int t = ti; t <= ntok; t++)
            if (match_fields(ev, toks, ntok, fi + 1, t, end, bind_tok))
                return 1;
        return 0;
    }
    if (ti >= ntok)
        return 0;
    int last = fi == p->nfields - 1;
    const char *s = toks[ti].s;
    size_t n = toks[ti].len;
    if (last && ti < ntok - 1) { /* the last field takes the rest of the line (A17) */
        s = toks[ti].raw;
        n = (size_t)(end - s);
    }
    if (f->cond && !field_holds(ev, f->cond, s, n))
        return 0;
    bind_tok[fi] = ti;
    return last ? 1 : match_fields(ev, toks, ntok, fi + 1, ti + 1, end, bind_tok);
}

/* ===== the operator ===== */

static OpLocal *fpat_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    const FpatProg *p = ((const FpatData *)op->data)->prog;
    FpatLocal *l = apr_pcalloc(pool, sizeof(*l));
    l->m = apr_pcalloc(pool, sizeof(RxMatch *) * (size_t)(p->nrx + 1));
    for (int i = 0; i < p->nrx; i++)
        l->m[i] = rx_match_new(pool, p->rx[i], ctx->rx);
    apr_pool_create(&l->scratch, pool);
    l->pool = pool;
    return l;
}

static int terms_match(const FpatProg *p, const char *s, size_t n)
{
    int has_must = 0, has_any = 0, any_hit = 0;
    for (int i = 0; i < p->nterms; i++)
        has_must |= p->terms[i].kind != FPAT_T_ANY;
    for (int i = 0; i < p->nterms; i++) {
        const FpatTerm *t = &p->terms[i];
        /* an empty or white-space-only phrase matches every event (" " in the docs) */
        int blank = strspn(t->s, " \t") == t->len;
        int in = blank || mem_find(s, n, t->s, t->len) != NULL;
        switch (t->kind) {
        case FPAT_T_MUST:
            if (!in)
                return 0;
            break;
        case FPAT_T_NOT:
            if (in)
                return 0;
            break;
        case FPAT_T_ANY:
            has_any = 1;
            any_hit |= in;
            break;
        }
    }
    /* '?' terms count only when no other kind of term is present (§11.2) */
    return has_must || !has_any || any_hit;
}

static void fpat_execute(const Op *op, OpLocal *lp, Batch *b)
{
    const FpatData *fd = op->data;
    FpatLocal *l = lp;
    const FpatProg *p = fd->prog;
    Eval ev = {fd, l};
    dec_load(op->plan, b, &fd->msg_slot, 1);
    const Vec *msg = &b->cols[fd->msg_slot];
    Datum **outs = NULL;
    if (p->kind == FPAT_DELIM) {
        outs = apr_palloc(b->pool, sizeof(Datum *) * (size_t)(p->nfields + 1));
        for (int f = 0; f < p->nfields; f++) {
            if (p->fields[f].slot < 0)
                continue;
            Vec *v = &b->cols[p->fields[f].slot];
            v->d = apr_palloc(b->pool, sizeof(Datum) * b->nrows);
            v->isconst = 0;
            v->loaded = 1;
            outs[f] = v->d;
        }
    }
    int *bind = p->kind == FPAT_DELIM
                    ? apr_palloc(b->pool, sizeof(int) * (size_t)(p->nfields + 1))
                    : NULL;
    uint32_t kept = 0;
    FOR_ROWS(b)
    {
        const Datum *d = VGET(msg, row);
        const char *s = d->s ? d->s : "";
        size_t n = d->len;
        int hit = 0;
        switch (p->kind) {
        case FPAT_ALL:
            hit = 1;
            break;
        case FPAT_TERMS:
            hit = terms_match(p, s, n);
            break;
        case FPAT_REGEX:
            hit = rx_search(p->rx[0], l->m[0], s, n);
            break;
        case FPAT_JSON: {
            JdNode *doc = jdom_parse(l->scratch, s, n);
            if (!doc && b->recs && b->recs[row].json == REC_JSON_UNKNOWN &&
                json_looks_like_object(s, n)) /* no fields for the selectors: warned, as dec.c */
                src_count_not_json(b->input);
            hit = doc && doc->type == JD_OBJ && json_eval(&ev, p->json, doc);
            apr_pool_clear(l->scratch);
            break;
        }
        case FPAT_DELIM: {
            int nt = split(l, s, n);
            const Tok *toks = l->toks;
            for (int f = 0; f < p->nfields; f++)
                bind[f] = -1;
            hit = match_fields(&ev, toks, nt, 0, 0, s + n, bind);
            for (int f = 0; f < p->nfields; f++) {
                if (p->fields[f].slot < 0)
                    continue;
                if (!hit || bind[f] < 0) {
                    outs[f][row] = val_null();
                    continue;
                }
                const Tok *t = &toks[bind[f]];
                int last = f == p->nfields - 1 && bind[f] < nt - 1;
                outs[f][row] = last ? val_str(t->raw, (size_t)(s + n - t->raw))
                                    : val_str(t->s, t->len);
            }
            break;
        }
        }
        b->sel[kept] = row;
        kept += hit;
    }
    b->nsel = kept;
}

static const OpVTable fpat_vt = {
    .name = "filter-pattern",
    .local_new = fpat_local_new,
    .execute = fpat_execute,
};

Op *op_fpat_new(Plan *p, const FpatProg *prog)
{
    FpatData *fd = apr_pcalloc(p->pool, sizeof(*fd));
    fd->prog = prog;
    fd->msg_slot = plan_input_slot(p, "@message", 8);
    p->slots[fd->msg_slot].used = 1;
    return op_new(p, &fpat_vt, fd);
}
