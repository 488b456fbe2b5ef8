/* build.c -- the planner: checked AST -> pipelines of operators (engine/exec/plan.h)
 *
 * The builder walks the commands left to right with a Scope of visible names. Filters split at
 * top-level 'and' into one operator per conjunct. fields/display compute their expressions into
 * new slots (aliases become visible to later commands only, §2). stats, sort and limit end the
 * current pipeline; stats closes the scope (only its outputs exist after it). A limit followed
 * only by fields/display becomes the output's row cap, so a query like 'filter ... | limit 10'
 * streams and stops reading early; right after a sort it also cuts the sort (top N).
 *
 * Visible columns (L14, §3.1-3.2): @timestamp and @message by default; the union of every
 * fields command; the last display when there is one; after stats, its keys then its items.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <apr_strings.h>
#include "engine/exec/op.h"
#include "engine/input/census.h"
#include "engine/input/ts.h"
#include "engine/plan/build.h"
#include "engine/plan/expr_compile.h"
#include "engine/plan/fpat_compile.h"
#include "engine/plan/prefilter.h"
#include "parser/func.h"
#include "parser/parse.h"
#include "parser/sema.h"
#include "parser/xcmd.h"

typedef enum { VIS_DEFAULT, VIS_FIELDS, VIS_DISPLAY, VIS_STATS } VisMode;

typedef struct Builder {
    Plan *p;
    Scope *scope;
    LiqDiagList *diags;
    const char *text;
    Pipeline *cur;
    int ncap; /* pipes capacity */
    VisMode vmode;
    VisCol *vis;
    int nvis, viscap;
    int errors;
    const PlanOpts *opts;  /* lookup tables */
    const char **lk_shown; /* lookup outputs to show after the default columns */
    int nlk_shown;
    Op *stats;             /* the last stats operator, while nothing but its rows follow */
    const int *stats_keys; /* its group key slots */
    int stats_nkeys;
    Op *fused_sort;        /* the sort right after that stats, and its keys */
    const int *fused_slots, *fused_desc;
    int fused_n;
    Scope gone; /* names warned about as gone after stats (check_after_stats), once each */
    Scope watch; /* names read where their absence empties the result: CENSUS_* flags */
    int ordered; /* a sort or stats came before: the rows' order is theirs (op_window.c) */
    Scope made;  /* names of the records' fields a command writes (appendcols): not warned
                  * about when no record has them */
} Builder;

/* ===== Pipelines ===== */

static void push_op(Builder *b, Op *op)
{
    Pipeline *pl = b->cur;
    Op **ops = apr_palloc(b->p->pool, sizeof(Op *) * (size_t)(pl->nops + 1));
    if (pl->nops)
        memcpy(ops, pl->ops, sizeof(Op *) * (size_t)pl->nops);
    ops[pl->nops++] = op;
    pl->ops = ops;
}

static void end_pipeline(Builder *b, Op *breaker)
{
    Plan *p = b->p;
    b->cur->breaker = breaker;
    if (p->npipes == b->ncap) {
        int cap = b->ncap * 2;
        Pipeline *np = apr_pcalloc(p->pool, sizeof(Pipeline) * (size_t)cap);
        memcpy(np, p->pipes, sizeof(Pipeline) * (size_t)p->npipes);
        p->pipes = np;
        b->ncap = cap;
    }
    b->cur = &p->pipes[p->npipes++];
}

/* ===== Visible columns ===== */

static void vis_add(Builder *b, const char *name, int slot, int dedup)
{
    if (dedup)
        for (int i = 0; i < b->nvis; i++)
            if (strcmp(b->vis[i].name, name) == 0) {
                b->vis[i].slot = slot;
                return;
            }
    if (b->nvis == b->viscap) {
        int cap = b->viscap ? b->viscap * 2 : 16;
        VisCol *v = apr_palloc(b->p->pool, sizeof(VisCol) * (size_t)cap);
        if (b->nvis)
            memcpy(v, b->vis, sizeof(VisCol) * (size_t)b->nvis);
        b->vis = v;
        b->viscap = cap;
    }
    b->vis[b->nvis].name = name;
    b->vis[b->nvis++].slot = slot;
}

/* ===== Commands ===== */

static const AstNode *find_subq(const AstNode *n);

static Expr *compile(Builder *b, const AstNode *n)
{
    const AstNode *sq = find_subq(n);
    if (sq) {
        LiqDiag *d = diag_add(b->diags, DIAG_ERROR, &sq->span,
                              "a subquery is a condition of its own here");
        diag_hint(b->diags, d, "%s",
                  "write 'filter field in (SOURCE ... | fields name)', joined to other "
                  "conditions with 'and'");
        b->errors++;
        return NULL;
    }
    ExprCtx c = {b->p, b->scope, b->diags, NULL, NULL, 0};
    Expr *e = expr_compile(&c, n);
    if (!e)
        b->errors++;
    return e;
}

/* @timestamp as an expression, for an operator that reads it without the query naming it */
static Expr *compile_timestamp(Builder *b, LiqSpan span)
{
    b->p->needs_ts = 1; /* earliest, latest, diff, anomaly */
    AstNode *tsn = ast_new(b->p->pool, AST_FIELD, span);
    tsn->str = "@timestamp";
    tsn->len = 10;
    return compile(b, tsn);
}

/* The names an expression reads from the records, for --explain. */
static const char *reads_of(Builder *b, Expr **es, int n)
{
    const char *s = NULL;
    for (int i = 0; i < n; i++) {
        if (!es[i])
            continue;
        const int *slots;
        int k = expr_inputs(es[i], &slots);
        for (int j = 0; j < k; j++) {
            const char *name = b->p->slots[slots[j]].name;
            s = s ? apr_pstrcat(b->p->pool, s, ", ", name, NULL) : name;
        }
    }
    return s ? apr_pstrcat(b->p->pool, "reads ", s, NULL) : NULL;
}

/* Adds a literal every surviving raw line must contain (prefilter.h). */
static void add_prefilter(Plan *p, const char *lit, size_t n, const char *from)
{
    Prefilter *pre = apr_palloc(p->pool, sizeof(Prefilter) * (size_t)(p->npre + 1));
    if (p->npre)
        memcpy(pre, p->pre, sizeof(Prefilter) * (size_t)p->npre);
    pre[p->npre].lit = lit;
    pre[p->npre].len = n;
    pre[p->npre].from = from;
    p->pre = pre;
    p->npre++;
}

/* Does n hold a subquery? */
static const AstNode *find_subq(const AstNode *n)
{
    if (!n)
        return NULL;
    if (n->kind == AST_SUBQUERY)
        return n;
    for (uint32_t i = 0; i < n->nkids; i++) {
        const AstNode *f = find_subq(n->kids[i]);
        if (f)
            return f;
    }
    return NULL;
}

/* 'filter f in (SOURCE ... | fields f)' (issue 13): the subquery becomes a plan of its own,
 * which each run runs first (engine/run.c, op_subq.c). */
static void add_subq_filter(Builder *b, const AstNode *e)
{
    apr_pool_t *pool = b->p->pool;
    const AstNode *sq = e->kids[1];
    Plan *inner = plan_build_opts(pool, sq->kids[0], b->text, NULL, b->opts, b->diags);
    if (!inner) {
        b->errors++;
        return;
    }
    if (inner->nvis != 1) {
        LiqDiag *d = diag_add(b->diags, DIAG_ERROR, &sq->span,
                              "a subquery gives one field, this one gives %d", inner->nvis);
        diag_hint(b->diags, d, "%s", "end it with 'fields NAME': its values are the set");
        b->errors++;
        return;
    }
    Expr *x = compile(b, e->kids[0]);
    if (!x)
        return;
    Op *op = op_subq_new(b->p, inner, x, e->op == AOP_NOTIN);
    op->label = apr_pstrcat(pool, "filter ", ast_text(pool, e, b->text), NULL);
    op->detail = apr_pstrcat(pool, reads_of(b, &x, 1) ? reads_of(b, &x, 1) : "reads nothing",
                             "; the subquery's column ", inner->vis[0].name,
                             ", run first over the inputs", NULL);
    push_op(b, op);
}

static void add_filter(Builder *b, const AstNode *e)
{
    if (e->kind == AST_BINOP && e->op == AOP_AND) {
        add_filter(b, e->kids[0]);
        add_filter(b, e->kids[1]);
        return;
    }
    if (e->kind == AST_BINOP && (e->op == AOP_IN || e->op == AOP_NOTIN) &&
        e->kids[1]->kind == AST_SUBQUERY) {
        add_subq_filter(b, e);
        return;
    }
    Expr *x = compile(b, e);
    if (!x)
        return;
    Op *op = op_filter_new(b->p, x);
    op->label = apr_pstrcat(b->p->pool, "filter ", ast_text(b->p->pool, e, b->text), NULL);
    op->detail = reads_of(b, &x, 1);
    push_op(b, op);
    size_t n;
    const char *lit;
    if (b->cur == &b->p->pipes[0] &&
        (lit = prefilter_derive(b->p->pool, b->p, b->scope, e, &n)) != NULL)
        add_prefilter(b->p, lit, n, op->label);
}

/* Column name of an item: its alias, a bare field's name, else its text (L13). */
static const char *item_name(Builder *b, const AstNode *item)
{
    if (item->str)
        return item->str;
    const AstNode *e = item->kids[0];
    if (e->kind == AST_FIELD)
        return e->str;
    return ast_text(b->p->pool, e, b->text);
}

static void add_fields(Builder *b, const AstNode *cmd)
{
    apr_pool_t *pool = b->p->pool;
    int n = (int)cmd->nkids;
    Expr **exprs = apr_pcalloc(pool, sizeof(Expr *) * (size_t)(n + 1));
    int *slots = apr_pcalloc(pool, sizeof(int) * (size_t)(n + 1));
    const char **names = apr_pcalloc(pool, sizeof(char *) * (size_t)(n + 1));
    int *vslot = apr_pcalloc(pool, sizeof(int) * (size_t)(n + 1));
    int ncomp = 0;
    for (int i = 0; i < n; i++) {
        const AstNode *item = cmd->kids[i];
        names[i] = item_name(b, item);
        Expr *e = compile(b, item->kids[0]);
        if (!e) {
            vslot[i] = -1;
            continue;
        }
        int direct = expr_direct_slot(e);
        if (direct >= 0 && !item->str) {
            vslot[i] = direct; /* a bare field: shown as it is, nothing to compute */
            continue;
        }
        int slot = plan_new_slot(b->p, names[i], SLOT_COMPUTED);
        exprs[ncomp] = e;
        slots[ncomp++] = slot;
        vslot[i] = slot;
    }
    /* aliases become visible after the whole command (§2) */
    for (int i = 0; i < n; i++)
        if (vslot[i] >= 0 && cmd->kids[i]->str)
            scope_set(pool, b->scope, names[i], vslot[i]);
    if (ncomp) {
        Op *op = op_fields_new(b->p, exprs, slots, ncomp);
        op->label = ast_text(pool, cmd, b->text);
        op->detail = reads_of(b, exprs, ncomp);
        push_op(b, op);
    }
    if (cmd->kind == AST_DISPLAY) {
        /* display decides the shown columns, but those a client keeps (keep_prefix) */
        const char *kp = b->opts ? b->opts->keep_prefix : NULL;
        int kept = 0;
        for (int i = 0; kp && i < b->nvis; i++)
            if (strncmp(b->vis[i].name, kp, strlen(kp)) == 0)
                b->vis[kept++] = b->vis[i];
        b->vmode = VIS_DISPLAY;
        b->nvis = kept;
    } else if (b->vmode == VIS_DISPLAY) {
        return; /* the last display decides the output */
    } else if (b->vmode != VIS_FIELDS) {
        b->vmode = VIS_FIELDS;
        b->nvis = 0;
    }
    for (int i = 0; i < n; i++)
        if (vslot[i] >= 0)
            vis_add(b, names[i], vslot[i], 1);
}

/* Collects the aggregate calls of a stats item, innermost-free (sema forbids nesting); with
 * out NULL, only counts them. */
static void find_aggs(const AstNode *n, const AstNode **out, int *nout)
{
    if (!n)
        return;
    if (n->kind == AST_CALL && (n->flags & AST_F_AGG)) {
        if (out)
            out[*nout] = n;
        (*nout)++;
        return;
    }
    for (uint32_t i = 0; i < n->nkids; i++)
        find_aggs(n->kids[i], out, nout);
}

/* What the planner rewrites in stats items (docs/commands-2025.md): rate(f, d) is
 * (latest(f) - earliest(f)) * d / (max(@timestamp) - min(@timestamp)), over the aggregates
 * stats has; queryStartTime() and the like outside an aggregate are max() of the value every
 * row has; a call tree without them comes back as it is. The new tree is written as the
 * original (its column name). */
static AstNode *agg_call(apr_pool_t *pool, LiqSpan sp, const char *name, int fn, AstNode *arg)
{
    AstNode *c = ast_new_str(pool, AST_CALL, sp, name, strlen(name));
    c->fn = fn;
    c->flags |= AST_F_AGG;
    ast_add(pool, c, arg);
    return c;
}

static AstNode *bin_op(apr_pool_t *pool, LiqSpan sp, AstOp op, AstNode *a, AstNode *c)
{
    AstNode *n = ast_new(pool, AST_BINOP, sp);
    n->op = op;
    n->flags |= AST_F_HAS_AGG;
    ast_add(pool, n, a);
    ast_add(pool, n, c);
    return n;
}

static const AstNode *ts_rewrite(Builder *b, const AstNode *n)
{
    apr_pool_t *pool = b->p->pool;
    if (n->kind == AST_CALL && n->fn == FN_rate && n->nkids == 2) {
        LiqSpan sp = n->span;
        AstNode *ts = ast_new_str(pool, AST_FIELD, sp, "@timestamp", 10);
        AstNode *ts2 = ast_new_str(pool, AST_FIELD, sp, "@timestamp", 10);
        AstNode *f1 = (AstNode *)apr_pmemdup(pool, n->kids[0], sizeof(AstNode));
        AstNode *f2 = (AstNode *)apr_pmemdup(pool, n->kids[0], sizeof(AstNode));
        AstNode *d = ast_new(pool, AST_NUM, sp);
        d->num = n->kids[1]->num;
        d->written = n->kids[1]->str;
        AstNode *change = bin_op(pool, sp, AOP_SUB, agg_call(pool, sp, "latest", FN_latest, f1),
                                 agg_call(pool, sp, "earliest", FN_earliest, f2));
        AstNode *span = bin_op(pool, sp, AOP_SUB, agg_call(pool, sp, "max", FN_max, ts),
                               agg_call(pool, sp, "min", FN_min, ts2));
        AstNode *r = bin_op(pool, sp, AOP_DIV, bin_op(pool, sp, AOP_MUL, change, d), span);
        r->written = ast_text(pool, n, b->text);
        return r;
    }
    if (n->kind == AST_CALL && (n->flags & AST_F_AGG))
        return n; /* an aggregate's argument reads rows */
    if (n->kind == AST_CALL && (n->fn == FN_queryStartTime || n->fn == FN_queryEndTime ||
                                n->fn == FN_queryTimeRange)) {
        /* the query's range outside an aggregate: max() of the value every row has */
        AstNode *c = apr_pmemdup(pool, n, sizeof(AstNode));
        AstNode *m = agg_call(pool, n->span, "max", FN_max, c);
        m->written = ast_text(pool, n, b->text);
        return m;
    }
    AstNode **kids = NULL;
    for (uint32_t i = 0; i < n->nkids; i++) {
        const AstNode *k = ts_rewrite(b, n->kids[i]);
        if (k != n->kids[i] && !kids) {
            kids = apr_palloc(pool, sizeof(AstNode *) * n->nkids);
            memcpy(kids, n->kids, sizeof(AstNode *) * n->nkids);
        }
        if (kids)
            memcpy(&kids[i], &k, sizeof(k)); /* the tree is the plan's own from here */
    }
    if (!kids)
        return n;
    AstNode *c = apr_pmemdup(pool, n, sizeof(AstNode));
    c->kids = kids;
    c->cap = c->nkids;
    if (!c->written && n->kind != AST_LIST && n->kind != AST_ITEM)
        c->written = ast_text(pool, n, b->text);
    return c;
}

/* stats with its rate() calls rewritten (ts_rewrite), or cmd itself. */
static const AstNode *stats_rewrite(Builder *b, const AstNode *cmd)
{
    const AstNode *items = cmd->kids[0];
    const AstNode *ni = ts_rewrite(b, items);
    if (ni == items)
        return cmd;
    AstNode *c = apr_pmemdup(b->p->pool, cmd, sizeof(AstNode));
    c->kids = apr_palloc(b->p->pool, sizeof(AstNode *) * cmd->nkids);
    memcpy(c->kids, cmd->kids, sizeof(AstNode *) * cmd->nkids);
    memcpy(&c->kids[0], &ni, sizeof(ni));
    return c;
}

/* add_stats: right after another stats (after_stats), that one leaves its groups unordered
 * when this one cannot tell their order (op_stats_unordered_before): sorting millions of
 * groups by the natural order of their keys was most of 'stats ... | stats ...' (issue 21). */
static void add_stats(Builder *b, const AstNode *cmd, int after_stats)
{
    Op *prev = after_stats ? b->stats : NULL;
    cmd = stats_rewrite(b, cmd);
    apr_pool_t *pool = b->p->pool;
    const AstNode *items = cmd->kids[0], *by = cmd->kids[1];
    int nkeys = (int)by->nkids;
    b->scope->strict = b->scope->closed; /* a second stats: names that are gone are errors */
    Expr **keys = apr_pcalloc(pool, sizeof(Expr *) * (size_t)(nkeys + 1));
    int *key_slots = apr_pcalloc(pool, sizeof(int) * (size_t)(nkeys + 1));
    const char **key_names = apr_pcalloc(pool, sizeof(char *) * (size_t)(nkeys + 1));
    for (int i = 0; i < nkeys; i++) {
        key_names[i] = item_name(b, by->kids[i]);
        keys[i] = compile(b, by->kids[i]->kids[0]);
        key_slots[i] = plan_new_slot(b->p, key_names[i], SLOT_COMPUTED);
    }
    /* aggregates, with their arguments compiled in the input scope */
    int nagg = 0;
    for (uint32_t i = 0; i < items->nkids; i++)
        find_aggs(items->kids[i]->kids[0], NULL, &nagg);
    const AstNode **aggn = apr_palloc(pool, sizeof(AstNode *) * (size_t)(nagg + 1));
    nagg = 0;
    for (uint32_t i = 0; i < items->nkids; i++)
        find_aggs(items->kids[i]->kids[0], aggn, &nagg);
    AggSpec *aggs = apr_pcalloc(pool, sizeof(AggSpec) * (size_t)(nagg + 1));
    int *agg_slots = apr_pcalloc(pool, sizeof(int) * (size_t)(nagg + 1));
    Expr **argexprs = apr_pcalloc(pool, sizeof(Expr *) * (size_t)(nagg + 1));
    for (int a = 0; a < nagg; a++) {
        const AstNode *call = aggn[a];
        aggs[a].fn = call->fn;
        if (call->nkids >= 1 && call->kids[0]->kind != AST_STAR)
            aggs[a].arg = argexprs[a] = compile(b, call->kids[0]);
        if ((call->fn == FN_pct || call->fn == FN_percentile || call->fn == FN_histogram) &&
            call->nkids == 2)
            aggs[a].param = call->kids[1]->num;
        if (call->fn == FN_earliest || call->fn == FN_latest) {
            aggs[a].arg2 = compile_timestamp(b, call->span);
        }
        aggs[a].slot = agg_slots[a] = plan_new_slot(b->p, ast_text(pool, call, b->text),
                                                    SLOT_COMPUTED);
    }
    b->scope->strict = 0;
    Op *op = op_stats_new(b->p, keys, key_slots, nkeys, aggs, nagg);
    op->label = ast_text(pool, cmd, b->text);
    if (prev && op_stats_unordered_before(prev, op))
        prev->label = apr_pstrcat(pool, prev->label, " (groups unordered: the next stats reads "
                                  "only their counts)", NULL);
    b->stats = op;
    b->ordered = 1;
    b->stats_keys = key_slots;
    b->stats_nkeys = nkeys;
    const char *r1 = reads_of(b, keys, nkeys), *r2 = reads_of(b, argexprs, nagg);
    op->detail = r1 && r2 ? apr_pstrcat(pool, r1, "; ", r2 + 6, NULL) : r1 ? r1 : r2;
    end_pipeline(b, op);

    /* after stats only its outputs exist */
    Scope *scope = apr_pcalloc(pool, sizeof(*scope));
    scope->closed = 1;
    b->scope = scope;
    for (int i = 0; i < nkeys; i++)
        scope_set(pool, scope, key_names[i], key_slots[i]);
    b->vmode = VIS_STATS;
    b->nvis = 0;
    for (int i = 0; i < nkeys; i++)
        vis_add(b, key_names[i], key_slots[i], 0);

    /* items: an aggregate alone is its slot; other expressions are computed after the stats */
    int n = (int)items->nkids;
    Expr **post = apr_pcalloc(pool, sizeof(Expr *) * (size_t)(n + 1));
    int *post_slots = apr_pcalloc(pool, sizeof(int) * (size_t)(n + 1));
    int npost = 0;
    for (int i = 0; i < n; i++) {
        const AstNode *item = items->kids[i];
        const char *name = item_name(b, item);
        int slot = -1;
        for (int a = 0; a < nagg; a++)
            if (aggn[a] == item->kids[0])
                slot = agg_slots[a];
        if (slot < 0) {
            ExprCtx c = {b->p, scope, b->diags, aggn, agg_slots, nagg};
            Expr *e = expr_compile(&c, item->kids[0]);
            if (!e) {
                b->errors++;
                continue;
            }
            slot = plan_new_slot(b->p, name, SLOT_COMPUTED);
            post[npost] = e;
            post_slots[npost++] = slot;
        } else {
            b->p->slots[slot].name = name;
            b->p->slots[slot].len = (uint32_t)strlen(name);
        }
        scope_set(pool, scope, name, slot);
        vis_add(b, name, slot, 0);
    }
    if (npost) {
        Op *f = op_fields_new(b->p, post, post_slots, npost);
        f->label = "(stats expressions)";
        push_op(b, f);
    }
}

/* sort. Right after stats (after_stats), the stats leaves its groups unordered and the sort
 * takes the group keys, ascending, as its last keys: stats orders groups by key (then first
 * row) and sort is stable, so this gives the same rows in the same order with one sort
 * instead of two, and 'stats ... | sort ... | limit N' picks N groups with a heap instead of
 * sorting them all. */
static void add_sort(Builder *b, const AstNode *cmd, int after_stats)
{
    apr_pool_t *pool = b->p->pool;
    int n = (int)cmd->nkids;
    int extra = after_stats && b->stats ? b->stats_nkeys : 0;
    b->ordered = 1;
    int *slots = apr_pcalloc(pool, sizeof(int) * (size_t)(n + extra + 1));
    int *desc = apr_pcalloc(pool, sizeof(int) * (size_t)(n + extra + 1));
    Expr **comp = apr_pcalloc(pool, sizeof(Expr *) * (size_t)(n + 1));
    int *cslots = apr_pcalloc(pool, sizeof(int) * (size_t)(n + 1));
    int ncomp = 0;
    const char *dirs = NULL;
    for (int i = 0; i < n; i++) {
        const AstNode *k = cmd->kids[i];
        desc[i] = (k->flags & AST_F_DESC) != 0;
        Expr *e = compile(b, k->kids[0]);
        const char *t = apr_pstrcat(pool, ast_text(pool, k->kids[0], b->text),
                                    desc[i] ? " desc" : " asc", NULL);
        dirs = dirs ? apr_pstrcat(pool, dirs, ", ", t, NULL) : t;
        if (!e)
            continue;
        int direct = expr_direct_slot(e);
        if (direct >= 0) { /* a field: collected rows carry every slot, inputs included */
            slots[i] = direct;
            continue;
        }
        comp[ncomp] = e;
        cslots[ncomp++] = slots[i] = plan_new_slot(b->p, "(sort key)", SLOT_COMPUTED);
    }
    if (ncomp) {
        Op *f = op_fields_new(b->p, comp, cslots, ncomp);
        f->label = "(sort keys)";
        push_op(b, f);
    }
    if (extra) {
        op_stats_unordered(b->stats);
        for (int k = 0; k < extra; k++) {
            slots[n + k] = b->stats_keys[k];
            desc[n + k] = 0;
        }
        dirs = apr_pstrcat(pool, dirs ? dirs : "", " (then the stats groups)", NULL);
    }
    Op *op = op_sort_new(b->p, slots, desc, n + extra);
    op->label = apr_pstrcat(pool, "sort ", dirs ? dirs : "", NULL);
    if (extra) {
        b->fused_sort = op;
        b->fused_slots = slots;
        b->fused_desc = desc;
        b->fused_n = n + extra;
    }
    op->detail = reads_of(b, comp, ncomp);
    end_pipeline(b, op);
}

static void add_parse(Builder *b, const AstNode *cmd)
{
    apr_pool_t *pool = b->p->pool;
    Expr *src = compile(b, cmd->kids[0]);
    if (!src)
        return;
    int *slots, n, list_slot = -1;
    const char **names;
    int multi = (cmd->flags & AST_F_MULTI) != 0;
    const AstNode *pn = cmd->kids[1], *as = cmd->kids[2];
    ParsePattern pat = {PK_REGEX, pn->str, pn->len, pn->span};
    if (pn->kind == AST_FIELD) /* the mode word of parse logfmt / csv */
        pat.kind = strcasecmp(pn->str, "logfmt") == 0 ? PK_LOGFMT : PK_CSV;
    else if (pn->kind == AST_STR)
        pat.kind = PK_GLOB;
    const char **wanted = apr_palloc(pool, sizeof(char *) * (as->nkids + 1));
    for (uint32_t k = 0; k < as->nkids; k++)
        wanted[k] = as->kids[k]->str;
    Op *op = op_parse_new(b->p, src, &pat, wanted, (int)as->nkids, multi, &list_slot, &slots,
                          &names, &n, b->diags);
    if (!op) {
        b->errors++;
        return;
    }
    op->label = ast_text(pool, cmd, b->text);
    const char *w = NULL;
    for (int k = 0; k < n; k++)
        w = w ? apr_pstrcat(pool, w, ", ", names[k], NULL) : names[k];
    const char *r = reads_of(b, &src, 1);
    op->detail = apr_pstrcat(pool, r ? r : "reads (computed)", "; writes ", w, NULL);
    push_op(b, op);
    if (!multi) {
        for (int k = 0; k < n; k++)
            scope_set(pool, b->scope, names[k], slots[k]);
        return;
    }
    /* multi: a row per match = unnest the list of matches, then read each name from the
     * element map */
    scope_set(pool, b->scope, "(parse matches)", list_slot);
    AstNode *lf = ast_new(pool, AST_FIELD, cmd->span);
    lf->str = "(parse matches)";
    lf->len = strlen(lf->str);
    Expr *list = compile(b, lf);
    int el = plan_new_slot(b->p, "(parse match)", SLOT_COMPUTED);
    Op *u = op_unnest_new(b->p, list, el);
    u->label = "(a row per match)";
    end_pipeline(b, u);
    scope_set(pool, b->scope, "(parse match)", el);
    Expr **ex = apr_palloc(pool, sizeof(Expr *) * (size_t)(n + 1));
    int *outs = apr_palloc(pool, sizeof(int) * (size_t)(n + 1));
    for (int k = 0; k < n; k++) {
        AstNode *base = ast_new(pool, AST_FIELD, cmd->span);
        base->str = "(parse match)";
        base->len = strlen(base->str);
        AstNode *m = ast_new(pool, AST_MEMBER, cmd->span);
        ast_add(pool, m, base);
        m->str = names[k];
        m->len = strlen(names[k]);
        ex[k] = compile(b, m);
        outs[k] = plan_new_slot(b->p, names[k], SLOT_COMPUTED);
    }
    Op *f = op_fields_new(b->p, ex, outs, n);
    f->label = "(fields of each match)";
    push_op(b, f);
    for (int k = 0; k < n; k++)
        scope_set(pool, b->scope, names[k], outs[k]);
}

static void add_dedup(Builder *b, const AstNode *cmd)
{
    apr_pool_t *pool = b->p->pool;
    int n = (int)cmd->nkids;
    int *slots = apr_pcalloc(pool, sizeof(int) * (size_t)(n + 1));
    Expr **exprs = apr_pcalloc(pool, sizeof(Expr *) * (size_t)(n + 1));
    Expr **comp = apr_pcalloc(pool, sizeof(Expr *) * (size_t)(n + 1));
    int *cslots = apr_pcalloc(pool, sizeof(int) * (size_t)(n + 1));
    int ncomp = 0;
    for (int i = 0; i < n; i++) {
        exprs[i] = compile(b, cmd->kids[i]);
        if (!exprs[i])
            return;
        slots[i] = expr_direct_slot(exprs[i]);
        if (slots[i] < 0) { /* a name that is null here (after stats): a computed null key */
            comp[ncomp] = exprs[i];
            cslots[ncomp++] = slots[i] = plan_new_slot(b->p, "(dedup key)", SLOT_COMPUTED);
        }
    }
    if (ncomp) {
        Op *f = op_fields_new(b->p, comp, cslots, ncomp);
        f->label = "(dedup keys)";
        push_op(b, f);
    }
    Op *op = op_dedup_new(b->p, slots, n);
    op->label = ast_text(pool, cmd, b->text);
    op->detail = reads_of(b, exprs, n);
    end_pipeline(b, op);
}

/* pattern: a breaker like stats; afterwards only its outputs exist. A diff right after it
 * (diffcmd) makes the same operator count both periods; an anomaly right after it (anomcmd)
 * makes it report anomalies instead of templates. */
static void add_pattern_cmd(Builder *b, const AstNode *cmd, const AstNode *diffcmd,
                            const AstNode *anomcmd)
{
    apr_pool_t *pool = b->p->pool;
    Expr *src = compile(b, cmd->kids[0]);
    if (!src)
        return;
    static const char *const names[4] = {"@pattern", "@ratio", "@sampleCount", "@severityLabel"};
    static const char *const dnames[3] = {"@previousSampleCount", "@change", "@diffType"};
    static const char *const anames[4] = {"@anomalyType", "@priority", "@timestamp",
                                          "@description"};
    int slots[4], dslots[3], aslots[4];
    for (int i = 0; i < 4; i++)
        slots[i] = plan_new_slot(b->p, names[i], SLOT_COMPUTED);
    Expr *ts = NULL;
    DiffKind dk = DIFF_NONE;
    if (diffcmd) {
        dk = !diffcmd->str                                    ? DIFF_PREVIOUS
             : !strcasecmp(diffcmd->str, "previousDay")       ? DIFF_DAY
             : !strcasecmp(diffcmd->str, "previousWeek")      ? DIFF_WEEK
             : !strcasecmp(diffcmd->str, "timeshift")         ? DIFF_SHIFT
                                                               : DIFF_MONTH;
        b->p->diff_shift = dk == DIFF_SHIFT ? (int64_t)diffcmd->num : 0;
        ts = compile_timestamp(b, diffcmd->span);
        for (int i = 0; i < 3; i++)
            dslots[i] = plan_new_slot(b->p, dnames[i], SLOT_COMPUTED);
        b->p->diff = dk;
    }
    if (anomcmd) {
        ts = compile_timestamp(b, anomcmd->span);
        for (int i = 0; i < 4; i++)
            aslots[i] = plan_new_slot(b->p, anames[i], SLOT_COMPUTED);
    }
    Op *op = op_pattern_new(b->p, src, slots, ts, dk, dslots, anomcmd ? aslots : NULL);
    op->label = ast_text(pool, cmd, b->text);
    op->detail = reads_of(b, &src, 1);
    end_pipeline(b, op);
    Scope *scope = apr_pcalloc(pool, sizeof(*scope));
    scope->closed = 1;
    b->scope = scope;
    b->vmode = VIS_STATS;
    b->nvis = 0;
    for (int i = 0; i < 4; i++) {
        if (diffcmd && i == 3) /* the diff columns come before the label */
            for (int k = 0; k < 3; k++) {
                scope_set(pool, scope, dnames[k], dslots[k]);
                vis_add(b, dnames[k], dslots[k], 0);
            }
        scope_set(pool, scope, names[i], slots[i]);
        vis_add(b, names[i], slots[i], 0);
    }
    for (int i = 0; anomcmd && i < 4; i++) {
        scope_set(pool, scope, anames[i], aslots[i]);
        vis_add(b, anames[i], aslots[i], 0);
    }
}

static void add_unnest(Builder *b, const AstNode *cmd)
{
    apr_pool_t *pool = b->p->pool;
    Expr *list = compile(b, cmd->kids[0]);
    if (!list)
        return;
    const char *name = cmd->kids[1]->str;
    int slot = plan_new_slot(b->p, name, SLOT_COMPUTED);
    Op *op = op_unnest_new(b->p, list, slot);
    op->label = ast_text(pool, cmd, b->text);
    op->detail = reads_of(b, &list, 1);
    end_pipeline(b, op);
    scope_set(pool, b->scope, name, slot);
}

/* ===== The 2025-26 commands (parser/xcmd.h, op_window.c, docs/commands-2025.md) ===== */

/* The slot the FIELD node f names here: its own, or a computed one for a name that has no
 * slot of its own here (a null after stats). -1 after an error. */
static int xslot(Builder *b, const AstNode *f)
{
    Expr *e = compile(b, f);
    if (!e)
        return -1;
    int s = expr_direct_slot(e);
    if (s >= 0)
        return s;
    Expr **ex = apr_palloc(b->p->pool, sizeof(Expr *));
    int *sl = apr_palloc(b->p->pool, sizeof(int));
    ex[0] = e;
    sl[0] = s = plan_new_slot(b->p, f->str, SLOT_COMPUTED);
    Op *op = op_fields_new(b->p, ex, sl, 1);
    op->label = "(fields read)";
    push_op(b, op);
    return s;
}

/* A new field a command makes: named, and shown after the columns shown so far (not when a
 * display decides them). */
static int xnew(Builder *b, const char *name)
{
    apr_pool_t *pool = b->p->pool;
    int slot = plan_new_slot(b->p, name, SLOT_COMPUTED);
    scope_set(pool, b->scope, name, slot);
    if (b->vmode == VIS_DEFAULT) {
        const char **v = apr_palloc(pool, sizeof(char *) * (size_t)(b->nlk_shown + 1));
        if (b->nlk_shown)
            memcpy(v, b->lk_shown, sizeof(char *) * (size_t)b->nlk_shown);
        v[b->nlk_shown++] = name;
        b->lk_shown = v;
    } else if (b->vmode != VIS_DISPLAY) {
        vis_add(b, name, slot, 1);
    }
    return slot;
}

/* A shown column called name now shows slot. */
static void vis_replace(Builder *b, const char *name, int slot)
{
    for (int i = 0; i < b->nvis; i++)
        if (strcmp(b->vis[i].name, name) == 0)
            b->vis[i].slot = slot;
}

/* The names shown here, for commands that read "all fields" or wildcards: the visible
 * columns, and in the default view @timestamp, @message and what lookups added. */
static int xshown(Builder *b, const char ***names)
{
    apr_pool_t *pool = b->p->pool;
    int n = 0;
    const char **v = apr_palloc(pool, sizeof(char *) * (size_t)(b->nvis + b->nlk_shown + 3));
    if (b->vmode == VIS_DEFAULT) {
        v[n++] = "@timestamp";
        v[n++] = "@message";
        for (int i = 0; i < b->nlk_shown; i++)
            v[n++] = b->lk_shown[i];
    } else {
        for (int i = 0; i < b->nvis; i++)
            v[n++] = b->vis[i].name;
    }
    *names = v;
    return n;
}

/* Whether name matches the wildcard pat (its '*' any run of characters). */
static int wild_match(const char *pat, const char *name)
{
    if (!*pat)
        return !*name;
    if (*pat == '*')
        return wild_match(pat + 1, name) || (*name && wild_match(pat, name + 1));
    return *pat == *name && wild_match(pat + 1, name + 1);
}

static Datum fill_value(apr_pool_t *pool, const AstNode *v)
{
    switch (v->kind) {
    case AST_NUM:
        return val_num(v->num);
    case AST_BOOL:
        return val_bool(v->num != 0);
    case AST_DURATION:
        return val_num(v->num);
    default:
        return val_str(apr_pstrmemdup(pool, v->str, v->len), v->len);
    }
}

static void xerr(Builder *b, const AstNode *n, const char *msg, const char *hint)
{
    LiqDiag *d = diag_add(b->diags, DIAG_ERROR, &n->span, "%s", msg);
    if (hint)
        diag_hint(b->diags, d, "%s", hint);
    b->errors++;
}

/* countFrequent f, ...: 'stats count(*) as _approxcount by f, ... | sort _approxcount desc',
 * exact counts (docs/commands-2025.md). */
static void add_count_frequent(Builder *b, const AstNode *cmd, const XCmd *x)
{
    apr_pool_t *pool = b->p->pool;
    LiqSpan sp = cmd->span;
    AstNode *st = ast_new(pool, AST_STATS, sp);
    AstNode *items = ast_new(pool, AST_LIST, sp), *by = ast_new(pool, AST_LIST, sp);
    AstNode *call = ast_new_str(pool, AST_CALL, sp, "count", 5);
    call->fn = FN_count;
    call->flags |= AST_F_AGG;
    call->written = "count(*)";
    ast_add(pool, call, ast_new(pool, AST_STAR, sp));
    AstNode *item = ast_add(pool, ast_new(pool, AST_ITEM, sp), call);
    item->str = "_approxcount";
    item->len = 12;
    ast_add(pool, items, item);
    for (int i = 0; i < x->nfields; i++) {
        const AstNode *g = x->fields[i];
        AstNode *f = ast_new_str(pool, AST_FIELD, g->span, g->str, g->len);
        f->flags = g->flags;
        ast_add(pool, by, ast_add(pool, ast_new(pool, AST_ITEM, g->span), f));
    }
    ast_add(pool, st, items);
    ast_add(pool, st, by);
    st->written = ast_text(pool, cmd, b->text);
    add_stats(b, st, 0);
    AstNode *keys = ast_new(pool, AST_SORT, sp);
    AstNode *f = ast_new_str(pool, AST_FIELD, sp, "_approxcount", 12);
    AstNode *k = ast_add(pool, ast_new(pool, AST_SORTKEY, sp), f);
    k->flags |= AST_F_DESC | AST_F_DIR_GIVEN;
    ast_add(pool, keys, k);
    add_sort(b, keys, 1);
}

/* fillmissing: right after 'stats ... by bin()'; the bin key's period and offset. */
static int fill_bins(Builder *b, const AstNode *q, uint32_t at, const AstNode *cmd, WinSpec *w)
{
    const AstNode *st = at > 0 ? q->kids[at - 1] : NULL;
    if (!st || st->kind != AST_STATS || !b->stats) {
        xerr(b, cmd, "fillmissing comes right after 'stats ... by bin(...)'",
             "write 'stats count(*) by bin(5m) | fillmissing with 0 for `count(*)`'");
        return 0;
    }
    const AstNode *by = st->kids[1];
    for (uint32_t k = 0; k < by->nkids; k++) {
        const AstNode *e = by->kids[k]->kids[0];
        if (e->kind == AST_CALL && e->fn == FN_bin && e->nkids >= 1 &&
            e->kids[0]->kind == AST_DURATION) {
            w->bin_slot = b->stats_keys[k];
            w->period = e->kids[0]->num;
            w->offset = e->nkids == 2 ? (int64_t)e->kids[1]->num : 0;
            w->keys = b->stats_keys;
            w->nkeys = b->stats_nkeys;
            return 1;
        }
    }
    xerr(b, cmd, "fillmissing fills the bins of 'stats ... by bin(...)': this stats has no bin() key",
         "group by bin(period), such as 'stats count(*) by bin(5m)'");
    return 0;
}

static AstNode *field_node(apr_pool_t *pool, const char *name, LiqSpan span);

/* json [field=F] "a.b[0].c" [as alias]: jsonParse(F).a.b[0].c as alias (docs/commands-2025.md
 * C42-C44); a path may start with '$.' (JSONPath's root). */
static void add_json(Builder *b, const AstNode *cmd, const XCmd *x)
{
    apr_pool_t *pool = b->p->pool;
    LiqSpan sp = x->json_path->span;
    AstNode *call = ast_new_str(pool, AST_CALL, sp, "jsonParse", 9);
    call->fn = FN_jsonParse;
    call->written = "jsonParse";
    ast_add(pool, call, x->json_field ? field_node(pool, x->json_field->str, x->json_field->span)
                                      : field_node(pool, "@message", cmd->span));
    const char *p = x->json_path->str, *end = p + x->json_path->len;
    if (p < end && *p == '$') {
        p++;
        if (p < end && *p == '.')
            p++;
    }
    AstNode *e = call;
    int ok = p < end;
    while (ok && p < end) {
        if (*p == '[') {
            const char *q = p + 1;
            double idx = 0;
            while (q < end && *q >= '0' && *q <= '9')
                idx = idx * 10 + (*q++ - '0');
            if (q == p + 1 || q >= end || *q != ']' || idx > 1e9) {
                ok = 0;
                break;
            }
            AstNode *num = ast_new(pool, AST_NUM, sp);
            num->num = idx;
            num->str = apr_pstrmemdup(pool, p + 1, (size_t)(q - p - 1));
            num->len = (uint32_t)(q - p - 1);
            AstNode *ix = ast_new(pool, AST_INDEX, sp);
            ast_add(pool, ix, e);
            ast_add(pool, ix, num);
            e = ix;
            p = q + 1;
            if (p < end && *p == '.') {
                p++;
                ok = p < end;
            }
            continue;
        }
        const char *q = p;
        while (q < end && *q != '.' && *q != '[')
            q++;
        if (q == p) {
            ok = 0;
            break;
        }
        AstNode *m = ast_new(pool, AST_MEMBER, sp);
        m->str = apr_pstrmemdup(pool, p, (size_t)(q - p));
        m->len = (uint32_t)(q - p);
        ast_add(pool, m, e);
        e = m;
        p = q;
        if (p < end && *p == '.') {
            p++;
            ok = p < end;
        }
    }
    if (!ok) {
        xerr(b, x->json_path, "json: the path is keys separated by '.', with [n] for an element "
                              "of a list",
             "for example \"user.roles[0].name\"");
        return;
    }
    if (x->json_field) { /* a field that is an object of a JSON record has no value of its own:
                          * its leaves are fields, F.a.b (C43) */
        const char *q = x->json_path->str, *qend = q + x->json_path->len;
        if (q < qend && *q == '$')
            q += q + 1 < qend && q[1] == '.' ? 2 : 1;
        LiqBuf flat = {0};
        buf_add(&flat, x->json_field->str, x->json_field->len);
        buf_addc(&flat, '.');
        for (; q < qend; q++) /* a[0].b -> a.0.b, as records are flattened (§7.2) */
            if ((*q == '[' && flat.p[flat.len - 1] != '.') || (*q != '[' && *q != ']'))
                buf_addc(&flat, *q == '[' ? '.' : *q);
        AstNode *leaf = field_node(pool, apr_pstrmemdup(pool, flat.p, flat.len), sp);
        buf_free(&flat);
        AstNode *co = ast_new_str(pool, AST_CALL, sp, "coalesce", 8);
        co->fn = FN_coalesce;
        co->written = "coalesce";
        ast_add(pool, co, e);
        ast_add(pool, co, leaf);
        e = co;
    }
    Expr *ex = compile(b, e);
    if (!ex)
        return;
    const char *name = x->alias ? x->alias->str
                                : apr_pstrmemdup(pool, x->json_path->str, x->json_path->len);
    Expr **exprs = apr_palloc(pool, sizeof(Expr *));
    int *slots = apr_palloc(pool, sizeof(int));
    exprs[0] = ex;
    slots[0] = xnew(b, name);
    vis_replace(b, name, slots[0]);
    Op *op = op_fields_new(b->p, exprs, slots, 1);
    op->label = ast_text(pool, cmd, b->text);
    op->detail = reads_of(b, exprs, 1);
    push_op(b, op);
}

/* Shows the column name (slot) after those shown so far, unless it is shown already or a
 * display decides the columns. */
static void xshow(Builder *b, const char *name, int slot)
{
    for (int i = 0; i < b->nvis; i++)
        if (strcmp(b->vis[i].name, name) == 0)
            return;
    for (int i = 0; i < b->nlk_shown; i++)
        if (strcmp(b->lk_shown[i], name) == 0)
            return;
    if (b->vmode == VIS_DEFAULT) {
        if (!strcmp(name, "@timestamp") || !strcmp(name, "@message"))
            return;
        const char **v = apr_palloc(b->p->pool, sizeof(char *) * (size_t)(b->nlk_shown + 1));
        if (b->nlk_shown)
            memcpy(v, b->lk_shown, sizeof(char *) * (size_t)b->nlk_shown);
        v[b->nlk_shown++] = name;
        b->lk_shown = v;
    } else if (b->vmode != VIS_DISPLAY) {
        vis_add(b, name, slot, 1);
    }
}

/* appendcols [override=b] [max=n] (subquery): the subquery becomes a plan of its own that
 * shows a constant key (1, as @@appendkey) and then its own columns; each run runs it first
 * (engine/run.c). Its column NAME goes into the query's field NAME (docs/commands-2025.md
 * C45-C48). */
static void add_appendcols(Builder *b, const AstNode *cmd, const XCmd *x)
{
    apr_pool_t *pool = b->p->pool;
    const AstNode *sq = x->subq->kids[0];
    Plan *probe = plan_build_opts(pool, sq, b->text, NULL, b->opts, b->diags);
    if (!probe) {
        b->errors++;
        return;
    }
    AstNode *iq = ast_new(pool, AST_QUERY, sq->span);
    iq->str = sq->str;
    iq->len = sq->len;
    for (uint32_t i = 0; i < sq->nkids; i++)
        ast_add(pool, iq, sq->kids[i]);
    LiqSpan sp = x->subq->span;
    AstNode *dl = ast_new(pool, AST_DISPLAY, sp);
    AstNode *one = ast_new(pool, AST_NUM, sp);
    one->num = 1;
    one->str = "1";
    one->len = 1;
    AstNode *kitem = ast_add(pool, ast_new(pool, AST_ITEM, sp), one);
    kitem->str = "@@appendkey";
    kitem->len = 11;
    ast_add(pool, dl, kitem);
    for (int i = 0; i < probe->nvis; i++)
        ast_add(pool, dl, ast_add(pool, ast_new(pool, AST_ITEM, sp),
                                  field_node(pool, probe->vis[i].name, sp)));
    ast_add(pool, iq, dl);
    Plan *inner = plan_build_opts(pool, iq, b->text, NULL, b->opts, b->diags);
    if (!inner) {
        b->errors++;
        return;
    }
    int n = inner->nvis - 1;
    int *slots = apr_pcalloc(pool, sizeof(int) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        const char *name = inner->vis[i + 1].name;
        int s = scope_get(b->scope, name);
        if (s < 0 && !b->scope->closed) { /* a field of the records, or a new one */
            s = plan_input_slot(b->p, name, strlen(name));
            scope_set(pool, b->scope, b->p->slots[s].name, s);
            scope_set(pool, &b->made, b->p->slots[s].name, 1);
        } else if (s < 0) {
            s = plan_new_slot(b->p, name, SLOT_COMPUTED);
            scope_set(pool, b->scope, name, s);
        }
        b->p->slots[s].used = 1;
        slots[i] = s;
        xshow(b, name, s);
    }
    Op *op = op_appendcols_new(b->p, inner, slots, n, x->override, x->max);
    op->label = ast_text(pool, cmd, b->text);
    op->detail = apr_psprintf(pool, "%d column%s by position, %s; the subquery runs first over "
                              "the inputs", n, n == 1 ? "" : "s",
                              x->override ? "replacing the rows' own values"
                                          : "filling only the rows' null values");
    end_pipeline(b, op);
}

/* The field names n reads, into v (pool). */
static void field_names(apr_pool_t *pool, const AstNode *n, const char ***v, int *nv, int *cap)
{
    if (!n)
        return;
    if (n->kind == AST_FIELD) {
        if (*nv == *cap) {
            int c = *cap ? *cap * 2 : 8;
            const char **w = apr_palloc(pool, sizeof(char *) * (size_t)c);
            if (*nv)
                memcpy(w, *v, sizeof(char *) * (size_t)*nv);
            *v = w;
            *cap = c;
        }
        (*v)[(*nv)++] = apr_pstrmemdup(pool, n->str, n->len);
    }
    for (uint32_t i = 0; i < n->nkids; i++)
        field_names(pool, n->kids[i], v, nv, cap);
}

/* relevantfields [f, ...] where COND: the condition into a slot, then the breaker
 * (op_relevant.c); afterwards only its five columns exist. */
static void add_relevantfields(Builder *b, const AstNode *cmd, const XCmd *x)
{
    apr_pool_t *pool = b->p->pool;
    Expr *cond = compile(b, x->where);
    if (!cond)
        return;
    int *in = apr_pcalloc(pool, sizeof(int) * (size_t)(x->nfields + b->nvis + 4));
    const char **names = apr_pcalloc(pool, sizeof(char *) * (size_t)(x->nfields + b->nvis + 4));
    int nin = 0;
    int records = x->nfields == 0 && b->p->npipes == 1 && b->vmode != VIS_STATS;
    if (x->nfields == 0 && !records) { /* after a breaker: the columns shown (C9) */
        const char **shown;
        int nshown = xshown(b, &shown);
        for (int i = 0; i < nshown; i++) {
            int s = xslot(b, field_node(pool, shown[i], cmd->span));
            if (s >= 0) {
                names[nin] = shown[i];
                in[nin++] = s;
            }
        }
    }
    for (int i = 0; i < x->nfields; i++) {
        int s = xslot(b, x->fields[i]);
        if (s < 0)
            return;
        names[nin] = x->fields[i]->str;
        in[nin++] = s;
    }
    /* the fields the condition names are left out of an analysis of every field */
    const char **skip = NULL;
    int nskip = 0, skcap = 0;
    if (records)
        field_names(pool, x->where, &skip, &nskip, &skcap);
    static const char *const onames[5] = {"@fieldName", "@relevanceScore",
                                          "@topRelevanceContributors", "@conditionalMedian",
                                          "@baselineMedian"};
    int oslots[5];
    for (int i = 0; i < 5; i++)
        oslots[i] = plan_new_slot(b->p, onames[i], SLOT_COMPUTED);
    Op *op = op_relevant_new(b->p, cond, in, names, nin, records, skip, nskip, oslots);
    op->label = ast_text(pool, cmd, b->text);
    LiqBuf d = {0};
    if (records) {
        buf_adds(&d, "scores every field of the records but the condition's and the @ fields");
    } else {
        buf_adds(&d, "scores");
        for (int i = 0; i < nin; i++) {
            buf_adds(&d, i ? ", " : " ");
            buf_adds(&d, names[i]);
        }
    }
    const char *cr = reads_of(b, &cond, 1);
    buf_adds(&d, "; the condition ");
    buf_adds(&d, cr ? cr : "reads no field");
    op->detail = apr_pstrmemdup(pool, d.p, d.len);
    buf_free(&d);
    end_pipeline(b, op);
    Scope *scope = apr_pcalloc(pool, sizeof(*scope));
    scope->closed = 1;
    b->scope = scope;
    b->vmode = VIS_STATS;
    b->nvis = 0;
    b->nlk_shown = 0;
    for (int i = 0; i < 5; i++) {
        scope_set(pool, scope, onames[i], oslots[i]);
        vis_add(b, onames[i], oslots[i], 0);
    }
    b->ordered = 1;
}

static void add_xcmd(Builder *b, const AstNode *q, uint32_t at)
{
    const AstNode *cmd = q->kids[at];
    apr_pool_t *pool = b->p->pool;
    XCmd x;
    if (xcmd_read(pool, cmd, &x, NULL)) { /* sema reported it */
        b->errors++;
        return;
    }
    if (x.kind == XC_COUNTFREQUENT) {
        add_count_frequent(b, cmd, &x);
        return;
    }
    if (x.kind == XC_JSON) {
        add_json(b, cmd, &x);
        return;
    }
    if (x.kind == XC_LOGCOMPARE) { /* pattern @message | diff, the period timeshift earlier */
        AstNode *pat = ast_new(pool, AST_PATTERN, cmd->span);
        ast_add(pool, pat, field_node(pool, "@message", cmd->span));
        AstNode *diff = ast_new(pool, AST_DIFF, cmd->span);
        diff->str = "timeshift";
        diff->len = 9;
        diff->num = (double)x.timeshift_ms;
        add_pattern_cmd(b, pat, diff, NULL);
        return;
    }
    if (x.kind == XC_APPENDCOLS) {
        add_appendcols(b, cmd, &x);
        return;
    }
    if (x.kind == XC_RELEVANTFIELDS) {
        add_relevantfields(b, cmd, &x);
        return;
    }
    if (x.kind == XC_EXPAND) { /* unnest f into f */
        Expr *list = compile(b, x.fields[0]);
        if (!list)
            return;
        const char *name = x.fields[0]->str;
        int slot = plan_new_slot(b->p, name, SLOT_COMPUTED);
        Op *op = op_unnest_new(b->p, list, slot);
        op->label = ast_text(pool, cmd, b->text);
        op->detail = reads_of(b, &list, 1);
        end_pipeline(b, op);
        scope_set(pool, b->scope, name, slot);
        vis_replace(b, name, slot);
        return;
    }
    WinSpec w;
    memset(&w, 0, sizeof(w));
    w.by_time = !b->ordered;
    w.ts_slot = b->p->ts_slot;
    int *in = apr_pcalloc(pool, sizeof(int) * (size_t)(x.nfields + b->nvis + b->nlk_shown + 4));
    int *out = apr_pcalloc(pool, sizeof(int) * (size_t)(x.lag_hi - x.lag_lo + x.nfill + 2));
    int nin = 0, nout = 0;
    const char **shown;
    int nshown = xshown(b, &shown);
    int wild = x.kind == XC_FILLDOWN || x.kind == XC_ADDTOTALS;
    if (wild && x.nfields == 0) { /* every field shown */
        for (int i = 0; i < nshown; i++) {
            AstNode *f = ast_new_str(pool, AST_FIELD, cmd->span, shown[i], strlen(shown[i]));
            int s = xslot(b, f);
            if (s >= 0)
                in[nin++] = s;
        }
    }
    for (int i = 0; i < x.nfields; i++) {
        const AstNode *f = x.fields[i];
        if (f->flags & AST_F_WILD) {
            for (int k = 0; k < nshown; k++)
                if (wild_match(f->str, shown[k])) {
                    AstNode *g = ast_new_str(pool, AST_FIELD, f->span, shown[k], strlen(shown[k]));
                    int s = xslot(b, g);
                    if (s >= 0)
                        in[nin++] = s;
                }
            continue;
        }
        int s = xslot(b, f);
        if (s < 0)
            return;
        in[nin++] = s;
    }
    const char *base = x.nfields ? x.fields[0]->str : "";
    const char *alias = x.alias ? x.alias->str : NULL;
    Datum *fill = NULL;
    switch (x.kind) {
    case XC_ACCUM:
        w.kind = WIN_ACCUM;
        out[nout++] = xnew(b, alias ? alias : apr_pstrcat(pool, base, "_accum", NULL));
        break;
    case XC_AUTOREGRESS:
        w.kind = WIN_AUTOREGRESS;
        w.lag_lo = x.lag_lo;
        for (int l = x.lag_lo; l <= x.lag_hi; l++)
            out[nout++] = xnew(b, alias && x.lag_lo == x.lag_hi
                                      ? alias
                                      : apr_psprintf(pool, "%s_p%d", alias ? alias : base, l));
        break;
    case XC_FILLDOWN:
        w.kind = WIN_FILLDOWN;
        break;
    case XC_SESSIONIZE:
        w.kind = WIN_SESSIONIZE;
        w.maxspan_ms = x.maxspan_ms;
        b->p->needs_ts = 1;
        out[nout++] = xnew(b, alias ? alias : "session_id");
        break;
    case XC_ADDTOTALS:
        w.kind = WIN_ADDTOTALS;
        w.row = x.row;
        w.col = x.col;
        w.by_time = 0; /* totals keep the rows' order */
        out[nout++] = x.row ? xnew(b, x.fieldname) : -1;
        break;
    case XC_OUTLIER:
        w.kind = WIN_OUTLIER;
        w.remove = x.remove;
        w.param = x.param;
        w.uselower = x.uselower;
        w.mark = x.mark;
        w.by_time = 0;
        if (x.mark)
            out[nout++] = xnew(b, "_outlier");
        break;
    case XC_FILLMISSING:
        w.kind = WIN_FILLMISSING;
        w.by_time = 0;
        if (!fill_bins(b, q, at, cmd, &w))
            return;
        fill = apr_pcalloc(pool, sizeof(Datum) * (size_t)(x.nfill + 1));
        for (int i = 0; i < x.nfill; i++) {
            int s = scope_get(b->scope, x.fill_fields[i]->str);
            if (s < 0) {
                xerr(b, x.fill_fields[i], "fillmissing: no such field after the stats",
                     "name a column of the stats, such as its alias");
                return;
            }
            fill[nout] = fill_value(pool, x.fill_values[i]);
            out[nout++] = s;
        }
        w.fill = fill;
        break;
    default:
        return;
    }
    if (w.by_time || w.kind == WIN_SESSIONIZE) {
        b->p->slots[w.ts_slot].used = 1;
        b->p->needs_ts = 1;
    }
    w.in = in;
    w.nin = nin;
    w.out = out;
    w.nout = nout;
    Op *op = op_window_new(b->p, &w);
    op->label = ast_text(pool, cmd, b->text);
    end_pipeline(b, op);
}

/* ===== lookup (issue 13) ===== */

/* The table 'lookup NAME' reads (--lookup NAME=FILE, else DIR/NAME.csv), loaded into the plan
 * pool; NULL after a caret error at the name. A table over CloudWatch's 10 MB is a warning:
 * liq reads it whole. */
static const LookupTable *lookup_table(Builder *b, const AstNode *name)
{
    apr_pool_t *pool = b->p->pool;
    const PlanOpts *o = b->opts;
    const char *path = NULL;
    for (int i = 0; o && i < o->nlookups; i++)
        if (strcmp(o->lookup_names[i], name->str) == 0)
            path = o->lookup_paths[i]; /* the last --lookup for a name wins */
    int plain = name->len > 0;
    for (size_t i = 0; i < name->len; i++)
        plain &= (name->str[i] >= 'a' && name->str[i] <= 'z') ||
                 (name->str[i] >= 'A' && name->str[i] <= 'Z') ||
                 (name->str[i] >= '0' && name->str[i] <= '9') || name->str[i] == '_' ||
                 name->str[i] == '-';
    if (!path && plain && o && o->lookup_dir) {
        const char *cand = apr_pstrcat(pool, o->lookup_dir, "/", name->str, ".csv", NULL);
        if (access(cand, F_OK) == 0)
            path = cand;
    }
    if (!path) {
        LiqDiag *d = diag_add(b->diags, DIAG_ERROR, &name->span, "no lookup table '%s'",
                              name->str);
        if (!plain)
            diag_hint(b->diags, d, "%s",
                      "a lookup table's name is letters, digits, '-' and '_'; give its file with "
                      "--lookup NAME=FILE.csv");
        else if (o && o->lookup_dir)
            diag_hint(b->diags, d, "give its file with --lookup %s=FILE.csv, or put %s.csv in %s",
                      name->str, name->str, o->lookup_dir);
        else
            diag_hint(b->diags, d, "give its file with --lookup %s=FILE.csv", name->str);
        return NULL;
    }
    char why[1024];
    LookupTable *t = lookup_table_load(pool, name->str, path, why, sizeof(why));
    if (!t) {
        diag_add(b->diags, DIAG_ERROR, &name->span, "lookup table '%s': %s", name->str, why);
        return NULL;
    }
    if (t->bytes > (size_t)10 << 20) {
        LiqDiag *d = diag_add(b->diags, DIAG_WARNING, &name->span,
                              "lookup table '%s' is %.1f MB: CloudWatch takes up to 10 MB", name->str,
                              (double)t->bytes / (1 << 20));
        diag_hint(b->diags, d, "%s", "liq reads it whole; this query will not run in CloudWatch");
    }
    return t;
}

/* The column of t called by the FIELD node n, or -1 after a caret error listing them. */
static int lookup_col(Builder *b, const LookupTable *t, const AstNode *n)
{
    int c = lookup_table_col(t, n->str, n->len);
    if (c >= 0)
        return c;
    LiqDiag *d = diag_add(b->diags, DIAG_ERROR, &n->span, "lookup table '%s' has no column '%s'",
                          t->name, n->str);
    LiqBuf cols = {0};
    for (int i = 0; i < t->ncols; i++) {
        if (i)
            buf_adds(&cols, ", ");
        buf_adds(&cols, t->cols[i]);
    }
    diag_hint(b->diags, d, "its columns: %.*s", (int)cols.len, cols.p ? cols.p : "");
    buf_free(&cols);
    return -1;
}

static void add_lookup(Builder *b, const AstNode *cmd)
{
    apr_pool_t *pool = b->p->pool;
    const AstNode *pairs = cmd->kids[0], *outs = cmd->kids[1];
    const LookupTable *t = lookup_table(b, cmd->kids[2]);
    if (!t) {
        b->errors++;
        return;
    }
    int nk = (int)pairs->nkids, no = (int)outs->nkids, bad = 0;
    int *key_cols = apr_pcalloc(pool, sizeof(int) * (size_t)(nk + 1));
    Expr **keys = apr_pcalloc(pool, sizeof(Expr *) * (size_t)(nk + 1));
    for (int k = 0; k < nk; k++) {
        const AstNode *pair = pairs->kids[k];
        key_cols[k] = lookup_col(b, t, pair->kids[0]);
        bad |= key_cols[k] < 0;
        keys[k] = compile(b, pair->nkids > 1 ? pair->kids[1] : pair->kids[0]);
        bad |= !keys[k];
    }
    int *out_cols = apr_pcalloc(pool, sizeof(int) * (size_t)(no + 1));
    int *out_slots = apr_pcalloc(pool, sizeof(int) * (size_t)(no + 1));
    Expr **prev = apr_pcalloc(pool, sizeof(Expr *) * (size_t)(no + 1));
    for (int o = 0; o < no; o++) {
        const AstNode *out = outs->kids[o];
        out_cols[o] = lookup_col(b, t, out);
        bad |= out_cols[o] < 0;
        if (cmd->flags & AST_F_OUTNEW)
            bad |= !(prev[o] = compile(b, out));
        out_slots[o] = plan_new_slot(b->p, out->str, SLOT_COMPUTED);
    }
    if (bad) {
        b->errors++;
        return;
    }
    Op *op = op_lookup_new(b->p, t, key_cols, keys, nk, out_cols, out_slots, prev, no);
    op->label = ast_text(pool, cmd, b->text);
    const char *r = reads_of(b, keys, nk);
    op->detail = apr_psprintf(pool, "%s%s%s (%" APR_SIZE_T_FMT " rows, %d columns)", r ? r : "",
                              r ? "; " : "",
                              t->path, t->nrows, t->ncols);
    push_op(b, op);
    /* the outputs are fields of the rows from now on; a shown column of the same name shows
     * the output, and the others are appended to the shown columns (AWS: "appends the output
     * fields to the results"), except after display, which decides alone */
    for (int o = 0; o < no; o++)
        scope_set(pool, b->scope, outs->kids[o]->str, out_slots[o]);
    if (b->vmode == VIS_DEFAULT) { /* shown after the default columns, unless fields follows */
        const char **v = apr_palloc(pool, sizeof(char *) * (size_t)(b->nlk_shown + no));
        if (b->nlk_shown)
            memcpy(v, b->lk_shown, sizeof(char *) * (size_t)b->nlk_shown);
        for (int o = 0; o < no; o++)
            v[b->nlk_shown++] = outs->kids[o]->str;
        b->lk_shown = v;
        return;
    }
    for (int o = 0; o < no; o++) {
        int shown = 0;
        for (int i = 0; i < b->nvis; i++)
            if (strcmp(b->vis[i].name, outs->kids[o]->str) == 0) {
                b->vis[i].slot = out_slots[o];
                shown = 1;
            }
        if (!shown && b->vmode != VIS_DISPLAY)
            vis_add(b, outs->kids[o]->str, out_slots[o], 0);
    }
}

/* ===== join (issue 13) ===== */

/* Adds to *v (count *n) each name after "alias." that a FIELD of n names, once. */
static void alias_names(apr_pool_t *pool, const AstNode *n, const char *alias, const char ***v,
                        int *nv, int *cap)
{
    if (!n)
        return;
    size_t al = strlen(alias);
    if (n->kind == AST_FIELD && n->len > al + 1 && strncmp(n->str, alias, al) == 0 &&
        n->str[al] == '.') {
        const char *name = n->str + al + 1;
        for (int i = 0; i < *nv; i++)
            if (strcmp((*v)[i], name) == 0)
                return;
        if (*nv == *cap) {
            int c = *cap ? *cap * 2 : 8;
            const char **w = apr_palloc(pool, sizeof(char *) * (size_t)c);
            if (*nv)
                memcpy(w, *v, sizeof(char *) * (size_t)*nv);
            *v = w;
            *cap = c;
        }
        (*v)[(*nv)++] = name;
        return;
    }
    for (uint32_t i = 0; i < n->nkids; i++)
        alias_names(pool, n->kids[i], alias, v, nv, cap);
}

static AstNode *field_node(apr_pool_t *pool, const char *name, LiqSpan span)
{
    AstNode *f = ast_new(pool, AST_FIELD, span);
    f->str = name;
    f->len = strlen(name);
    return f;
}

/* join type=inner|left left=a right=b where a.f = b.f (SOURCE ...): the right side becomes a
 * plan of its own that shows the key (as @@joinkey) and every right field the rest of the
 * query names (b.x -> x); each run runs it first (engine/run.c). After the join, a.x names the
 * left row's x and b.x the right row's. */
static void add_join(Builder *b, const AstNode *q, uint32_t at)
{
    apr_pool_t *pool = b->p->pool;
    const AstNode *cmd = q->kids[at], *opts = cmd->kids[0];
    const char *type = "inner", *la = NULL, *ra = NULL;
    int bad = 0;
    for (uint32_t i = 0; i < opts->nkids; i++) {
        const AstNode *o = opts->kids[i];
        const char *v = o->kids[0]->str;
        if (strcasecmp(o->str, "type") == 0 && (strcasecmp(v, "inner") == 0 || strcasecmp(v, "left") == 0)) {
            type = v;
        } else if (strcasecmp(o->str, "left") == 0) {
            la = v;
        } else if (strcasecmp(o->str, "right") == 0) {
            ra = v;
        } else {
            LiqDiag *d = diag_add(b->diags, DIAG_ERROR, &o->span, "join takes type=inner|left, "
                                  "left=ALIAS and right=ALIAS, not '%s=%s'", o->str, v);
            diag_hint(b->diags, d, "%s", "write 'join type=inner left=a right=b where a.f = b.f "
                                         "(SOURCE 'group')'");
            bad = 1;
        }
    }
    if (!bad && (!la || !ra || strcmp(la, ra) == 0)) {
        LiqDiag *d = diag_add(b->diags, DIAG_ERROR, &opts->span, "%s",
                              !la || !ra ? "join needs left=ALIAS and right=ALIAS"
                                         : "join's left and right aliases are the same");
        diag_hint(b->diags, d, "%s", "write 'join type=inner left=a right=b where a.f = b.f "
                                     "(SOURCE 'group')'");
        bad = 1;
    }
    if (bad) {
        b->errors++;
        return;
    }
    /* the keys: a.f = b.f in either order */
    const AstNode *k1 = cmd->kids[1], *k2 = cmd->kids[2];
    size_t ll = strlen(la), rl = strlen(ra);
#define HAS(n, a, l) ((n)->len > (l) + 1 && strncmp((n)->str, (a), (l)) == 0 && (n)->str[l] == '.')
    if (HAS(k1, ra, rl) && HAS(k2, la, ll)) {
        const AstNode *t = k1;
        k1 = k2;
        k2 = t;
    }
    if (!HAS(k1, la, ll) || !HAS(k2, ra, rl)) {
        LiqDiag *d = diag_add(b->diags, DIAG_ERROR, &k1->span,
                              "join matches %s.FIELD with %s.FIELD", la, ra);
        diag_hint(b->diags, d, "write 'where %s.f = %s.f'", la, ra);
        b->errors++;
        return;
    }
#undef HAS
    const char *lkey = k1->str + ll + 1, *rkey = k2->str + rl + 1;
    /* the right fields the query names after the join */
    const char **names = NULL;
    int nn = 0, cap = 0;
    for (uint32_t i = at + 1; i < q->nkids; i++)
        alias_names(pool, q->kids[i], ra, &names, &nn, &cap);
    /* the right side: its commands, then display rkey as @@joinkey, names... (display: the
     * columns of a fields command the right side ends with do not add to them) */
    const AstNode *sq = cmd->kids[3]->kids[0];
    AstNode *iq = ast_new(pool, AST_QUERY, sq->span);
    iq->str = sq->str;
    iq->len = sq->len;
    for (uint32_t i = 0; i < sq->nkids; i++)
        ast_add(pool, iq, sq->kids[i]);
    AstNode *fl = ast_new(pool, AST_DISPLAY, k2->span);
    AstNode *kitem = ast_add(pool, ast_new(pool, AST_ITEM, k2->span), field_node(pool, rkey, k2->span));
    kitem->str = "@@joinkey";
    kitem->len = 9;
    ast_add(pool, fl, kitem);
    for (int i = 0; i < nn; i++)
        ast_add(pool, fl, ast_add(pool, ast_new(pool, AST_ITEM, k2->span),
                                  field_node(pool, names[i], k2->span)));
    ast_add(pool, iq, fl);
    Plan *inner = plan_build_opts(pool, iq, b->text, NULL, b->opts, b->diags);
    if (!inner) {
        b->errors++;
        return;
    }
    if (inner->nvis != nn + 1) { /* the right side ends in display, or names a field twice */
        LiqDiag *d = diag_add(b->diags, DIAG_ERROR, &cmd->kids[3]->span,
                              "join's right side gives %d fields where %d are read", inner->nvis,
                              nn + 1);
        diag_hint(b->diags, d, "%s", "end the right side with commands that keep fields "
                                     "(filter, fields, parse), not display or stats");
        b->errors++;
        return;
    }
    Expr *key = compile(b, field_node(pool, lkey, k1->span));
    if (!key)
        return;
    int *rslots = apr_pcalloc(pool, sizeof(int) * (size_t)(nn + 1));
    for (int i = 0; i < nn; i++)
        rslots[i] = plan_new_slot(b->p, apr_pstrcat(pool, ra, ".", names[i], NULL), SLOT_COMPUTED);
    /* the left names the query uses after the join: a.x is the left row's x */
    const char **lnames = NULL;
    int nl = 0, lcap = 0;
    for (uint32_t i = at + 1; i < q->nkids; i++)
        alias_names(pool, q->kids[i], la, &lnames, &nl, &lcap);
    int *lslots = apr_pcalloc(pool, sizeof(int) * (size_t)(nl + 1));
    for (int i = 0; i < nl; i++) {
        int s = scope_get(b->scope, lnames[i]);
        if (s < 0)
            s = plan_input_slot(b->p, lnames[i], strlen(lnames[i]));
        b->p->slots[s].used = 1;
        lslots[i] = s;
    }
    Op *op = op_join_new(b->p, inner, key, strcasecmp(type, "left") == 0, rslots, nn);
    op->label = ast_text(pool, cmd, b->text);
    op->detail = apr_psprintf(pool, "%s join on %s.%s = %s.%s; the right side runs first over "
                              "the inputs", strcasecmp(type, "left") == 0 ? "left" : "inner", la,
                              lkey, ra, rkey);
    end_pipeline(b, op);
    /* the columns shown start again: the rows are pairs now, their fields a.x and b.y (the
     * columns of a fields command before the join named the left records' fields) */
    b->vmode = VIS_DEFAULT;
    b->nvis = 0;
    b->nlk_shown = 0;
    for (int i = 0; i < nn; i++)
        scope_set(pool, b->scope, apr_pstrcat(pool, ra, ".", names[i], NULL), rslots[i]);
    for (int i = 0; i < nl; i++)
        scope_set(pool, b->scope, apr_pstrcat(pool, la, ".", lnames[i], NULL), lslots[i]);
}

/* The strings of a LIST node (sema made sure they are strings). */
static const char *const *strings(apr_pool_t *pool, const AstNode *list, int *n)
{
    const char **v = apr_palloc(pool, sizeof(char *) * (list->nkids + 1));
    for (uint32_t i = 0; i < list->nkids; i++)
        v[i] = list->kids[i]->str;
    *n = (int)list->nkids;
    return v;
}

/* The log groups each of the SOURCE commands cmds[0..ncmds) selects (§3.15). */
static const SourceSel *source_sels(apr_pool_t *pool, const AstNode *const *cmds, int ncmds)
{
    SourceSel *sel = apr_pcalloc(pool, sizeof(SourceSel) * (size_t)(ncmds + 1));
    for (int i = 0; i < ncmds; i++) {
        const AstNode *c = cmds[i];
        if (!c->str) { /* SOURCE 'name' (ITEM kids: start=/end=, source_range) */
            sel[i].names = strings(pool, c, &sel[i].nnames);
            while (sel[i].nnames > 0 && c->kids[sel[i].nnames - 1]->kind == AST_ITEM)
                sel[i].nnames--;
            continue;
        }
        int datasource = strcasecmp(c->str, "dataSource") == 0;
        for (uint32_t k = 0; k < c->nkids; k++) {
            const AstNode *param = c->kids[k];
            if (!param->str && datasource) { /* the data sources: their layouts */
                const char **l = apr_pcalloc(pool, sizeof(char *) * (param->nkids + 1));
                for (uint32_t j = 0; j < param->nkids; j++)
                    l[j] = datasource_format(param->kids[j]->str);
                sel[i].layouts = l;
                sel[i].nlayouts = (int)param->nkids;
                continue;
            }
            if (!param->str || !strcasecmp(param->str, "class") ||
                !strcasecmp(param->str, "logGroupClass"))
                continue;
            if (!strcasecmp(param->str, "namePrefix"))
                sel[i].prefixes = strings(pool, param, &sel[i].nprefixes);
            else
                sel[i].accounts = strings(pool, param, &sel[i].naccounts);
        }
    }
    return sel;
}

/* Is everything after command i a fields or display command? */
/* SOURCE name start=TIME end=TIME: the query's own time range (Plan.src_start/src_end), the
 * times as --start/--end take them; the CLI uses it where --start/--end are not given. */
static void source_range(Builder *b, const AstNode *c)
{
    if (c->str)
        return;
    for (uint32_t k = 0; k < c->nkids; k++) {
        const AstNode *it = c->kids[k];
        if (it->kind != AST_ITEM)
            continue;
        const AstNode *v = it->kids[0];
        int64_t ms;
        int start = !strcasecmp(it->str, "start"), end = !strcasecmp(it->str, "end");
        if (!start && !end) {
            xerr(b, it, apr_psprintf(b->p->pool, "SOURCE takes start= and end=, not '%s='",
                                     it->str),
                 "write SOURCE group start=-1d end=now");
            continue;
        }
        if (!ts_parse_user(v->str, 0, &ms)) {
            xerr(b, v, "not a time: ISO 8601, epoch seconds or milliseconds, now, or relative "
                       "to now such as -15m, -2h, -7d",
                 "write SOURCE group start=-1d end=now");
            continue;
        }
        *(start ? &b->p->src_start : &b->p->src_end) = v->str;
    }
}

static int only_projection_after(const AstNode *q, uint32_t i)
{
    for (uint32_t j = i + 1; j < q->nkids; j++)
        if (q->kids[j]->kind != AST_FIELDS && q->kids[j]->kind != AST_DISPLAY)
            return 0;
    return 1;
}

static void add_limit(Builder *b, const AstNode *q, uint32_t i)
{
    const AstNode *cmd = q->kids[i];
    int64_t n = (int64_t)cmd->num;
    Plan *p = b->p;
    if (cmd->flags & AST_F_TAIL) { /* the last n rows in the current order: always a breaker */
        Op *op = op_limit_new(p, n);
        op->tail = 1;
        op->label = ast_text(p->pool, cmd, b->text);
        end_pipeline(b, op);
        return;
    }
    /* right after a sort: the sort keeps only n rows */
    if (b->cur->nops == 0 && p->npipes >= 2) {
        Op *prev = p->pipes[p->npipes - 2].breaker;
        if (prev && strcmp(prev->vt->name, "sort") == 0 && (prev->limit < 0 || prev->limit > n))
            prev->limit = n;
        if (prev && prev == b->fused_sort) /* stats | sort | limit: the stats keeps n groups */
            op_stats_topn(b->stats, prev->limit, b->fused_slots, b->fused_desc, b->fused_n);
    }
    if (only_projection_after(q, i)) {
        if (p->out_limit < 0 || n < p->out_limit)
            p->out_limit = n;
        return;
    }
    Op *op = op_limit_new(p, n);
    op->label = ast_text(p->pool, cmd, b->text);
    end_pipeline(b, op);
}

/* The filter pattern runs first; its plain terms are literal prefilters too (they test the
 * raw record), and the fields a space-delimited pattern names enter the scope. */
static void add_pattern(Builder *b, const FpPattern *fp)
{
    int *slots, n;
    const char **names;
    const FpatProg *prog = fpat_compile(b->p, fp, b->diags, &slots, &names, &n);
    if (!prog) {
        b->errors++;
        return;
    }
    Op *op = op_fpat_new(b->p, prog);
    op->label = apr_pstrcat(b->p->pool, "filter pattern ", fp->text, NULL);
    push_op(b, op);
    for (int i = 0; i < n; i++)
        scope_set(b->p->pool, b->scope, names[i], slots[i]);
    if (fp->kind == FPK_TERMS)
        for (int i = 0; i < fp->nterms; i++)
            if (fp->terms[i].kind == FT_MUST && fp->terms[i].len >= 3 &&
                strspn(fp->terms[i].s, " \t") < fp->terms[i].len)
                add_prefilter(b->p, fp->terms[i].s, fp->terms[i].len, op->label);
}

/* ===== Names that are gone after stats (issue 14) =====
 *
 * After stats only its columns exist, and a later command that names anything else reads null
 * in every row (expr_compile.c): 'stats count(*) by type | sort count desc' sorts by nothing,
 * as the column is called count(*). That is known before reading a byte, so it is a warning
 * with a caret, naming the column meant. */

/* The name n stands for nothing after the last stats: not a column, nor a path into one. */
static int gone(const Builder *b, const AstNode *n)
{
    if (scope_get(b->scope, n->str) >= 0)
        return 0;
    for (size_t cut = n->len; !(n->flags & AST_F_QUOTED) && cut-- > 1;)
        if (n->str[cut] == '.') {
            char *head = apr_pstrmemdup(b->p->pool, n->str, cut);
            if (scope_get(b->scope, head) >= 0)
                return 0;
        }
    return 1;
}

static void warn_gone_field(Builder *b, const AstNode *n)
{
    apr_pool_t *pool = b->p->pool;
    const Scope *s = b->scope;
    LiqDiag *d = diag_add(b->diags, DIAG_WARNING, &n->span,
                          "'%s' is not a column after stats: it is null in every row", n->str);
    for (int i = 0; i < s->n; i++) /* count vs count(*): the aggregate's own name */
        if (strncmp(s->names[i], n->str, n->len) == 0 && s->names[i][n->len] == '(') {
            diag_hint(b->diags, d, "stats calls that column '%s': name it with as (%s as %s) or "
                                   "write `%s`", s->names[i], s->names[i], n->str, s->names[i]);
            return;
        }
    const char *best = NULL;
    int bestd = n->len <= 4 ? 3 : 4; /* a typo: 2 edits (a swap), 3 in longer names */
    for (int i = 0; i < s->n; i++) {
        int dist = lx_edit_distance(n->str, n->len, s->names[i], strlen(s->names[i]));
        if (dist < bestd && (size_t)dist < n->len) {
            bestd = dist;
            best = s->names[i];
        }
    }
    if (best) {
        diag_hint(b->diags, d, "did you mean '%s'?", best);
        return;
    }
    const char *cols = NULL;
    for (int i = 0; i < s->n; i++)
        cols = cols ? apr_pstrcat(pool, cols, ", ", s->names[i], NULL) : s->names[i];
    if (cols)
        diag_hint(b->diags, d, "the columns after stats are %s", cols);
}

/* Warns about every name of expression n that is gone after stats. */
static void warn_gone(Builder *b, const AstNode *n)
{
    if (!n)
        return;
    if (n->kind == AST_FIELD) {
        if (gone(b, n) && scope_get(&b->gone, n->str) < 0) {
            warn_gone_field(b, n);
            scope_set(b->p->pool, &b->gone, n->str, 0);
        }
        return;
    }
    for (uint32_t i = 0; i < n->nkids; i++)
        warn_gone(b, n->kids[i]);
}

/* The expressions of a command that follows stats, checked before it is built. */
static void check_after_stats(Builder *b, const AstNode *cmd)
{
    if (!b->scope->closed)
        return;
    switch (cmd->kind) {
    case AST_FILTER:
    case AST_FIELDS:
    case AST_DISPLAY:
    case AST_SORT:
    case AST_DEDUP:
        warn_gone(b, cmd);
        break;
    case AST_PARSE:
    case AST_UNNEST:
    case AST_PATTERN:
        warn_gone(b, cmd->nkids ? cmd->kids[0] : NULL);
        break;
    default:
        break;
    }
}

/* ===== Names whose absence the run reports (engine/input/census.h) =====
 *
 * The input fields a command reads where a name no record has empties or nulls the result
 * (filter, stats, sort, dedup, parse, unnest, pattern; not fields and display, whose empty
 * columns show it) are watched by the run; a bare word compared with a field may be a value
 * meant as a string ('filter type = PushEvent'). */

static void watch_name(Builder *b, const AstNode *n, int flags)
{
    int old = scope_get(&b->watch, n->str);
    scope_set(b->p->pool, &b->watch, n->str, (old > 0 ? old : 0) | flags);
}

static int is_cmp(AstOp op)
{
    return op == AOP_EQ || op == AOP_NE || op == AOP_LT || op == AOP_LE || op == AOP_GT ||
           op == AOP_GE || op == AOP_IN || op == AOP_NOTIN;
}

static void watch_expr(Builder *b, const AstNode *n, int bare)
{
    if (!n)
        return;
    if (n->kind == AST_FIELD) {
        watch_name(b, n, CENSUS_WATCH | (bare && !(n->flags & AST_F_QUOTED) ? CENSUS_BARE : 0));
        return;
    }
    int cmp = n->kind == AST_BINOP && is_cmp(n->op) && n->nkids == 2 &&
              n->kids[0]->kind == AST_FIELD &&
              (n->kids[1]->kind == AST_FIELD || n->kids[1]->kind == AST_LIST);
    for (uint32_t i = 0; i < n->nkids; i++)
        watch_expr(b, n->kids[i], (cmp && i == 1) || (bare && n->kind == AST_LIST));
}

static void watch_cmd(Builder *b, const AstNode *cmd)
{
    if (b->scope->closed)
        return; /* after stats: check_after_stats */
    switch (cmd->kind) {
    case AST_FILTER:
    case AST_STATS:
    case AST_SORT:
    case AST_DEDUP:
        watch_expr(b, cmd, 0);
        break;
    case AST_PARSE:
    case AST_UNNEST:
    case AST_PATTERN:
        watch_expr(b, cmd->nkids ? cmd->kids[0] : NULL, 0);
        break;
    default:
        break;
    }
}

/* The watched names that are input fields (not made by the query, not @-fields liq makes). */
static void watch_slots(Builder *b)
{
    Plan *p = b->p;
    for (int s = 0; s < p->nslots; s++) {
        SlotInfo *si = &p->slots[s];
        if (si->kind != SLOT_INPUT || si->sys != SYS_NONE || !si->len || si->name[0] == '@' ||
            scope_get(&b->made, si->name) > 0)
            continue;
        int f = scope_get(&b->watch, si->name);
        if (f > 0) {
            si->check = (uint8_t)f;
            p->ncheck++;
        }
    }
}

/* cidrlookup TABLE ip [as cidrColumn] OUTPUT|OUTPUTNEW col [as field], ... (issue 20,
 * op_cidr.c): the CIDR column is the one named after 'as', else the column called "cidr",
 * else the table's first column (docs/commands-2025.md). */
static void add_cidrlookup(Builder *b, const AstNode *cmd)
{
    apr_pool_t *pool = b->p->pool;
    const AstNode *ipn = cmd->kids[0], *outs = cmd->kids[1];
    const LookupTable *t = lookup_table(b, cmd->kids[2]);
    if (!t) {
        b->errors++;
        return;
    }
    int bad = 0;
    int cidr_col = 0;
    if (ipn->nkids > 1)
        bad |= (cidr_col = lookup_col(b, t, ipn->kids[1])) < 0;
    else if (lookup_table_col(t, "cidr", 4) >= 0)
        cidr_col = lookup_table_col(t, "cidr", 4);
    Expr *ip = compile(b, ipn->kids[0]);
    bad |= !ip;
    int no = (int)outs->nkids;
    int *out_cols = apr_pcalloc(pool, sizeof(int) * (size_t)(no + 1));
    int *out_slots = apr_pcalloc(pool, sizeof(int) * (size_t)(no + 1));
    const char **names = apr_pcalloc(pool, sizeof(char *) * (size_t)(no + 1));
    Expr **prev = apr_pcalloc(pool, sizeof(Expr *) * (size_t)(no + 1));
    for (int o = 0; o < no; o++) {
        const AstNode *out = outs->kids[o];
        const AstNode *field = out->nkids > 1 ? out->kids[1] : out->kids[0];
        out_cols[o] = lookup_col(b, t, out->kids[0]);
        bad |= out_cols[o] < 0;
        if (cmd->flags & AST_F_OUTNEW)
            bad |= !(prev[o] = compile(b, field));
        names[o] = field->str;
        out_slots[o] = plan_new_slot(b->p, field->str, SLOT_COMPUTED);
    }
    if (bad) {
        b->errors++;
        return;
    }
    Op *op = op_cidrlookup_new(b->p, t, cidr_col, ip, out_cols, out_slots, prev, no);
    op->label = ast_text(pool, cmd, b->text);
    const char *r = reads_of(b, &ip, 1);
    op->detail = apr_psprintf(pool, "%s%s%s (%" APR_SIZE_T_FMT " rows, CIDR column %s)", r ? r : "",
                              r ? "; " : "", t->path, t->nrows, t->cols[cidr_col]);
    push_op(b, op);
    for (int o = 0; o < no; o++) { /* shown as lookup's outputs are */
        scope_set(pool, b->scope, names[o], out_slots[o]);
        int shown = 0;
        for (int i = 0; i < b->nvis; i++)
            if (strcmp(b->vis[i].name, names[o]) == 0) {
                b->vis[i].slot = out_slots[o];
                shown = 1;
            }
        if (shown || b->vmode == VIS_DISPLAY)
            continue;
        if (b->vmode == VIS_DEFAULT) {
            const char **v = apr_palloc(pool, sizeof(char *) * (size_t)(b->nlk_shown + 1));
            if (b->nlk_shown)
                memcpy(v, b->lk_shown, sizeof(char *) * (size_t)b->nlk_shown);
            v[b->nlk_shown++] = names[o];
            b->lk_shown = v;
        } else {
            vis_add(b, names[o], out_slots[o], 0);
        }
    }
}

/* ===== The query's time range (queryStartTime() ...: op_range_new) ===== */

static int uses_range(const AstNode *n)
{
    if (!n)
        return 0;
    if (n->kind == AST_CALL &&
        (n->fn == FN_queryStartTime || n->fn == FN_queryEndTime || n->fn == FN_queryTimeRange))
        return 1;
    for (uint32_t i = 0; i < n->nkids; i++)
        if (uses_range(n->kids[i]))
            return 1;
    return 0;
}

/* When the query calls one of the range functions: the range operator, first in pipeline 0,
 * over a subquery that finds the records' first and last @timestamp. */
static void add_range(Builder *b, const AstNode *q)
{
    if (!uses_range(q))
        return;
    static const char text[] = "stats min(@timestamp), max(@timestamp)";
    static const char *const names[3] = {"(query start)", "(query end)", "(query time range)"};
    apr_pool_t *pool = b->p->pool;
    AstNode *iq = liq_parse(pool, text, sizeof(text) - 1, b->diags);
    if (!iq || sema_check(iq, b->diags) > 0) {
        b->errors++;
        return;
    }
    Plan *inner = plan_build_opts(pool, iq, text, NULL, b->opts, b->diags);
    if (!inner) {
        b->errors++;
        return;
    }
    inner->range_probe = 1;
    for (int i = 0; i < 3; i++)
        b->p->range_slots[i] = plan_new_slot(b->p, names[i], SLOT_COMPUTED);
    Op *op = op_range_new(b->p, inner, b->p->range_slots);
    op->label = "(the query's time range: --start/--end, else the records' first and last "
                "@timestamp)";
    push_op(b, op);
}

Plan *plan_build(apr_pool_t *pool, const AstNode *q, const char *text, const FpPattern *fp,
                 LiqDiagList *diags)
{
    return plan_build_opts(pool, q, text, fp, NULL, diags);
}

Plan *plan_build_opts(apr_pool_t *pool, const AstNode *q, const char *text, const FpPattern *fp,
                      const PlanOpts *opts, LiqDiagList *diags)
{
    Plan *p = apr_pcalloc(pool, sizeof(*p));
    Builder b;
    memset(&b, 0, sizeof(b));
    b.opts = opts;
    p->pool = pool;
    p->query = text;
    p->out_limit = -1;
    p->now_s = (int64_t)time(NULL);
    b.p = p;
    b.diags = diags;
    b.text = text;
    b.scope = apr_pcalloc(pool, sizeof(Scope));
    b.ncap = 8;
    p->pipes = apr_pcalloc(pool, sizeof(Pipeline) * (size_t)b.ncap);
    p->ts_slot = plan_input_slot(p, "@timestamp", 10);
    p->range_slots[0] = p->range_slots[1] = p->range_slots[2] = -1;
    p->npipes = 1;
    b.cur = &p->pipes[0];
    b.vmode = VIS_DEFAULT;
    if (fp)
        add_pattern(&b, fp);
    /* SOURCE commands (first in the query, checked by sema) select inputs by @log */
    int nsrc = 0;
    while ((uint32_t)nsrc < q->nkids && q->kids[nsrc]->kind == AST_SOURCE)
        nsrc++;
    const AstNode *const *srcs = (const AstNode *const *)q->kids;
    if (nsrc) {
        Op *op = op_source_new(p, source_sels(pool, srcs, nsrc), nsrc);
        op->label = ast_text(pool, srcs[0], text);
        push_op(&b, op);
    }
    for (int i = 0; i < nsrc; i++)
        source_range(&b, srcs[i]);
    add_range(&b, q);
    for (uint32_t i = 0; i < q->nkids; i++) {
        const AstNode *cmd = q->kids[i];
        check_after_stats(&b, cmd);
        watch_cmd(&b, cmd);
        switch (cmd->kind) {
        case AST_FILTER:
            add_filter(&b, cmd->kids[0]);
            break;
        case AST_FIELDS:
        case AST_DISPLAY:
            add_fields(&b, cmd);
            break;
        case AST_STATS:
            add_stats(&b, cmd, i > 0 && q->kids[i - 1]->kind == AST_STATS);
            break;
        case AST_SORT:
            add_sort(&b, cmd, i > 0 && q->kids[i - 1]->kind == AST_STATS);
            break;
        case AST_LIMIT:
            add_limit(&b, q, i);
            break;
        case AST_PARSE:
            add_parse(&b, cmd);
            break;
        case AST_DEDUP:
            add_dedup(&b, cmd);
            break;
        case AST_UNNEST:
            add_unnest(&b, cmd);
            break;
        case AST_SOURCE: /* handled before the loop */
            break;
        case AST_LOOKUP:
            add_lookup(&b, cmd);
            break;
        case AST_XCMD:
            add_xcmd(&b, q, i);
            break;
        case AST_CIDRLOOKUP:
            add_cidrlookup(&b, cmd);
            break;
        case AST_JOIN:
            add_join(&b, q, i);
            break;
        case AST_DIFF: { /* alone, as AWS's diff page writes it: 'pattern @message | diff' */
            AstNode *pat = ast_new(pool, AST_PATTERN, cmd->span);
            ast_add(pool, pat, field_node(pool, "@message", cmd->span));
            add_pattern_cmd(&b, pat, cmd, NULL);
            break;
        }
        case AST_PATTERN: {
            const AstNode *next = i + 1 < q->nkids ? q->kids[i + 1] : NULL;
            int with_diff = next && next->kind == AST_DIFF;
            int with_anomaly = next && next->kind == AST_ANOMALY;
            add_pattern_cmd(&b, cmd, with_diff ? next : NULL, with_anomaly ? next : NULL);
            i += (uint32_t)(with_diff | with_anomaly); /* folded into pattern */
            break;
        }
        default:
            diag_add(diags, DIAG_ERROR, &cmd->span, "command '%s' is not supported by liq yet",
                     ast_kind_name(cmd->kind));
            b.errors++;
            break;
        }
    }
    if (b.vmode == VIS_DEFAULT) {
        static const char *const defaults[] = {"@timestamp", "@message"};
        for (int i = 0; i < 2; i++) {
            int s = scope_get(b.scope, defaults[i]);
            if (s < 0)
                s = plan_input_slot(p, defaults[i], strlen(defaults[i]));
            p->slots[s].used = 1;
            vis_add(&b, defaults[i], s, 1);
        }
        for (int i = 0; i < b.nlk_shown; i++) /* lookup outputs (issue 13) */
            vis_add(&b, b.lk_shown[i], scope_get(b.scope, b.lk_shown[i]), 1);
    }
    p->vis = b.vis;
    p->nvis = b.nvis;
    watch_slots(&b);
    return b.errors ? NULL : p;
}
