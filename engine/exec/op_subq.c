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
#include <sys/stat.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "engine/exec/budget.h"
#include "engine/exec/op.h"
#include "engine/exec/pipe.h"

/* ===== The set ===== */

struct SubqSet {
    apr_pool_t *pool;
    Datum *slots; /* open addressing, by the first column; VT_NULL: empty */
    size_t *first; /* per slot: its first row (joins) */
    size_t *last;  /* per slot: its last row (rows append in O(1)) */
    uint64_t mask;
    size_t n;       /* distinct keys */
    int ncols;      /* columns of a row */
    Datum *rows;    /* every row with a key: ncols Datums each (malloc) */
    size_t *next;   /* per row: the next row with its key, or SIZE_MAX */
    size_t nrows, caprows;
    LiqStatus status; /* its run's: LIQ_OK or LIQ_EINCOMPLETE (the outer run reads the same
                       * inputs and says so), else the set is not whole and the outer run
                       * must not filter by it (subq_set_status) */
    const char *why;  /* then: what went wrong (in pool) */
    int64_t bytes;    /* the heap it holds: arrays at their capacity, strings (issue 15) */
    uint64_t limit;   /* --memory-limit (0: none): a set past it stops its run, LIQ_EMEMORY */
    int over;
};

/* The bytes of s: its hash slots with their per-slot row indexes, its rows and chains, and
 * the strings in its pool (8-byte rounding, the pool's blocks); the outer run's budget is
 * charged with them (engine/run.c), as its states are. */
static int64_t set_bytes(const SubqSet *s)
{
    uint64_t cap = s->slots ? s->mask + 1 : 0;
    return (int64_t)(cap * (sizeof(Datum) + 2 * sizeof(size_t)) +
                     s->caprows * ((size_t)s->ncols * sizeof(Datum) + sizeof(size_t))) +
           s->bytes;
}

static size_t set_put(SubqSet *s, const Datum *d, size_t row);

static void set_grow(SubqSet *s)
{
    uint64_t cap = s->slots ? (s->mask + 1) * 2 : 1024;
    Datum *old = s->slots;
    size_t *oldfirst = s->first, *oldlast = s->last;
    uint64_t oldcap = s->slots ? s->mask + 1 : 0;
    s->slots = mem_calloc(cap, sizeof(Datum));
    s->first = mem_alloc(cap * sizeof(size_t));
    s->last = mem_alloc(cap * sizeof(size_t));
    s->mask = cap - 1;
    s->n = 0;
    for (uint64_t i = 0; i < oldcap; i++)
        if (old[i].type != VT_NULL) {
            uint64_t h = val_hash(&old[i]) & s->mask;
            while (s->slots[h].type != VT_NULL)
                h = (h + 1) & s->mask;
            s->slots[h] = old[i];
            s->first[h] = oldfirst[i];
            s->last[h] = oldlast[i];
            s->n++;
        }
    free(old);
    free(oldfirst);
    free(oldlast);
}

/* The slot of key d (made, with row as its first row, when new). */
static size_t set_put(SubqSet *s, const Datum *d, size_t row)
{
    if (!s->slots || (s->n + 1) * 2 > s->mask + 1)
        set_grow(s);
    uint64_t h = val_hash(d) & s->mask;
    while (s->slots[h].type != VT_NULL) {
        if (val_equal_key(&s->slots[h], d))
            return h;
        h = (h + 1) & s->mask;
    }
    s->slots[h] = *d;
    s->first[h] = s->last[h] = row;
    s->n++;
    return h;
}

/* The first row whose key is d, or SIZE_MAX. */
static size_t set_find(const SubqSet *s, const Datum *d)
{
    if (!s->slots || d->type == VT_NULL)
        return SIZE_MAX;
    uint64_t h = val_hash(d) & s->mask;
    while (s->slots[h].type != VT_NULL) {
        if (val_equal_key(&s->slots[h], d))
            return s->first[h];
        h = (h + 1) & s->mask;
    }
    return SIZE_MAX;
}

static int set_has(const SubqSet *s, const Datum *d)
{
    return set_find(s, d) != SIZE_MAX;
}

size_t subq_set_first(const SubqSet *s, const Datum *key)
{
    return set_find(s, key);
}

size_t subq_set_next(const SubqSet *s, size_t row)
{
    return s->next[row];
}

const Datum *subq_set_row(const SubqSet *s, size_t row)
{
    return &s->rows[row * (size_t)s->ncols];
}

/* Adds a row of the subquery (ncols values; the first is the key), in input order: a key's
 * rows chain in the order they came. */
static void set_add_row(SubqSet *s, const Datum *vals)
{
    if (vals[0].type == VT_NULL)
        return;
    if (s->nrows == s->caprows) {
        s->caprows = s->caprows ? s->caprows * 2 : 256;
        s->rows = mem_realloc(s->rows, s->caprows * (size_t)s->ncols * sizeof(Datum));
        s->next = mem_realloc(s->next, s->caprows * sizeof(size_t));
    }
    size_t r = s->nrows++;
    memcpy(&s->rows[r * (size_t)s->ncols], vals, sizeof(Datum) * (size_t)s->ncols);
    s->next[r] = SIZE_MAX;
    size_t h = set_put(s, &vals[0], r);
    if (s->first[h] != r) { /* append to the key's chain (the rows keep their order) */
        s->next[s->last[h]] = r;
        s->last[h] = r;
    }
}

int subq_set_status(const SubqSet *s, const char **why)
{
    *why = s->why;
    return s->status == LIQ_EINCOMPLETE ? LIQ_OK : s->status;
}

size_t subq_set_size(const SubqSet *s)
{
    return s->n;
}

int64_t subq_set_bytes(const SubqSet *s)
{
    return set_bytes(s);
}

/* Rows of the subquery's run reach the set through a LiqOutput: format_row (any worker)
 * encodes the first column (a type byte, the number, the text), write (one at a time) adds
 * them. */
static void enc_one(const Datum *d, LiqBuf *out)
{
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
    uint32_t tl = (uint32_t)text.len;
    buf_addc(out, (char)type);
    buf_add(out, &d->v, sizeof(d->v));
    buf_add(out, &tl, sizeof(tl));
    buf_add(out, text.p ? text.p : "", text.len);
    buf_free(&text);
}

/* A row: its values one after another (type, the value, the text's length, the text). */
static void enc_row(void *ctx, const Datum *vals, int ncols, LiqBuf *out)
{
    const SubqSet *s = ctx;
    if (ncols < s->ncols || vals[0].type == VT_NULL)
        return; /* no key: nothing to add */
    for (int c = 0; c < s->ncols; c++)
        enc_one(&vals[c], out);
}

static int dec_rows(void *ctx, const char *data, size_t len, const uint32_t *row_ends,
                    uint32_t nrows)
{
    (void)len;
    SubqSet *s = ctx;
    size_t at = 0;
    Datum *vals = mem_alloc(sizeof(Datum) * (size_t)s->ncols);
    for (uint32_t r = 0; r < nrows; r++) {
        size_t end = row_ends[r];
        if (end > at) {
            size_t p = at;
            for (int c = 0; c < s->ncols; c++) {
                Datum d = {{0}, NULL, 0, (uint8_t)data[p], 0};
                uint32_t tl;
                memcpy(&d.v, data + p + 1, sizeof(d.v));
                memcpy(&tl, data + p + 1 + sizeof(d.v), sizeof(tl));
                p += 1 + sizeof(d.v) + sizeof(tl);
                if (tl || d.type == VT_STR) {
                    d.s = apr_pstrmemdup(s->pool, data + p, tl);
                    d.len = tl;
                    s->bytes += (int64_t)((tl + 8) & ~(size_t)7);
                }
                p += tl;
                vals[c] = d;
            }
            set_add_row(s, vals);
        }
        at = end;
    }
    free(vals);
    if (s->limit && (uint64_t)set_bytes(s) + 8192 > s->limit) { /* its pool's first block too */
        s->over = 1;
        return 1; /* the run stops: the set will not be whole */
    }
    return 0;
}

static apr_status_t set_free(void *p)
{
    SubqSet *s = p;
    free(s->slots);
    free(s->first);
    free(s->last);
    free(s->rows);
    free(s->next);
    s->slots = NULL;
    return APR_SUCCESS;
}

/* Can the path be read again after a run read it: not standard input, a pipe, a FIFO or a
 * terminal? */
static int rereadable(const char *path)
{
    struct stat st;
    if (strcmp(path, "-") == 0)
        return 0;
    if (strncmp(path, "s3://", 5) == 0)
        return 1;
    return stat(path, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode));
}

/* Is the path standard input, a pipe or a socket: what a first run would take from the next
 * one? (A character device such as /dev/null reads the same again.) */
static int read_once(const char *path)
{
    struct stat st;
    if (strcmp(path, "-") == 0)
        return 1;
    return strncmp(path, "s3://", 5) != 0 && stat(path, &st) == 0 &&
           (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

SubqSet *subq_set_run(apr_pool_t *pool, const Plan *inner, const LiqRunOptions *opt)
{
    SubqSet *s = apr_pcalloc(pool, sizeof(*s));
    s->pool = pool;
    s->ncols = inner->nvis > 0 ? inner->nvis : 1;
    apr_pool_cleanup_register(pool, s, set_free, apr_pool_cleanup_null);
    const char *once = NULL; /* an input that can be read only once */
    for (int i = 0; i < opt->ninputs && !once; i++)
        if (read_once(opt->inputs[i]))
            once = opt->inputs[i];
    for (int i = 0; i < opt->nlog_groups && !once; i++)
        if (read_once(opt->log_groups[i].path))
            once = opt->log_groups[i].path;
    if (inner->range_probe) { /* queryStartTime() ...: --start and --end need no run, and an
                               * input read once must stay the query's (the range is null) */
        int again = 1;
        for (int i = 0; i < opt->ninputs; i++)
            again &= rereadable(opt->inputs[i]);
        for (int i = 0; i < opt->nlog_groups; i++)
            again &= rereadable(opt->log_groups[i].path);
        if ((opt->has_start && opt->has_end) || !again)
            return s;
    } else if (once) { /* the set would be empty and the outer query would read nothing */
        s->status = LIQ_EUSAGE;
        s->why = apr_psprintf(pool,
                              "a subquery or join reads the inputs before the query does, and "
                              "%s%s can be read only once: save it to a file and query the file",
                              strcmp(once, "-") == 0 ? "standard input" : "the pipe ",
                              strcmp(once, "-") == 0 ? "" : once);
        return s;
    }
    s->limit = opt->memory_limit < INT64_MAX ? opt->memory_limit : 0;
    LiqRunOptions o = *opt; /* the same inputs; one plain run */
    o.keep_state = 0;
    o.order_base = 0;
    o.on_morsel = NULL;
    o.on_morsel_ctx = NULL;
    o.progress = NULL;
    o.profile = 0;
    LiqRun *r = pipe_run_new(inner, &o);
    if (!r) {
        s->status = LIQ_EINTERNAL;
        s->why = "a subquery's run could not start";
        return s;
    }
    LiqOutput out = {0};
    out.ctx = s;
    out.format_row = enc_row;
    out.write = dec_rows;
    apr_pool_t *dp;
    apr_pool_create(&dp, NULL);
    LiqDiagList *dl = diag_list_new(dp);
    LiqStatus st = liq_run_exec(r, &out, NULL, dl); /* the outer run reads the same inputs
                                                     * and reports their problems */
    s->status = st;
    if (st != LIQ_OK && st != LIQ_EINCOMPLETE) { /* keep the first error the run told */
        for (int i = 0; dl && i < dl->n && !s->why; i++)
            if (dl->items[i].severity == DIAG_ERROR)
                s->why = apr_pstrdup(pool, dl->items[i].msg);
        if (!s->why)
            s->why = st == LIQ_ECANCELLED ? "a subquery's run was cancelled"
                                          : "a subquery's run failed";
    }
    if (s->over) { /* the set itself passed the limit (its run's states may not have) */
        char lim[32];
        budget_size_text(lim, sizeof(lim), s->limit);
        s->status = LIQ_EMEMORY;
        s->why = apr_psprintf(pool,
                              "subquery needs more than the memory limit (--memory-limit %s): "
                              "its table of values or rows does not fit; the query stopped, and "
                              "no result of it was written",
                              lim);
    }
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
    const int *range; /* queryStartTime() ...: the slots of start, end, length (else NULL) */
    SubqSet *set;     /* bound copies only */
    SubqOwner *owner; /* ... and who frees it */
} SubqData;

typedef struct SubqLocal {
    ExprState *st;
    Datum range[3]; /* the query's start, end and length (range operators) */
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

void subq_owner_attach(SubqOwner *o, apr_pool_t *pool)
{
    if (atomic_flag_test_and_set(&o->registered))
        return;
    /* the run's pool: the worker pools' root below the global pool (pipe.c makes a run's
     * pool with no parent, and every pool of the run under it) */
    apr_pool_t *root = pool, *global = apr_pool_parent_get(o->pool);
    while (apr_pool_parent_get(root) && apr_pool_parent_get(root) != global)
        root = apr_pool_parent_get(root);
    apr_pool_cleanup_register(root, o, owner_free, apr_pool_cleanup_null);
}

static OpLocal *subq_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    const SubqData *sd = op->data;
    SubqLocal *l = apr_pcalloc(pool, sizeof(*l));
    l->st = expr_state_new(pool, sd->value, ctx->rx);
    if (sd->owner)
        subq_owner_attach(sd->owner, pool);
    return l;
}

/* ===== The query's time range (queryStartTime(), queryEndTime(), queryTimeRange()) =====
 *
 * --start and --end when given (the run's frame, OpCtx); else the first and last @timestamp
 * of the records, which the operator's subquery ('stats min(@timestamp), max(@timestamp)')
 * finds in a run of its own before the query's (docs/commands-2025.md). */

static OpLocal *range_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    const SubqData *sd = op->data;
    SubqLocal *l = apr_pcalloc(pool, sizeof(*l));
    if (sd->owner)
        subq_owner_attach(sd->owner, pool);
    const Datum *row = sd->set && sd->set->nrows ? &sd->set->rows[0] : NULL;
    int64_t t[2];
    int has[2] = {ctx->has_frame_start, ctx->has_frame_end};
    t[0] = ctx->frame_start;
    t[1] = ctx->frame_end;
    for (int i = 0; i < 2; i++) {
        if (!has[i] && row && sd->set->ncols >= 2 && row[i].type == VT_NUM) {
            t[i] = (int64_t)row[i].v.f;
            has[i] = 1;
        }
        l->range[i] = has[i] ? val_ts(t[i]) : val_null();
    }
    l->range[2] = has[0] && has[1] ? val_num((double)(t[1] - t[0])) : val_null();
    return l;
}

static void range_execute(const Op *op, OpLocal *lp, Batch *b)
{
    const SubqData *sd = op->data;
    SubqLocal *l = lp;
    for (int i = 0; i < 3; i++) {
        if (sd->range[i] < 0)
            continue;
        Vec *dst = &b->cols[sd->range[i]];
        Datum *d = apr_palloc(b->pool, sizeof(Datum));
        d[0] = l->range[i];
        dst->d = d;
        dst->isconst = 1;
        dst->loaded = 1;
    }
}

static const OpVTable range_vt = {
    .name = "query time range",
    .local_new = range_local_new,
    .execute = range_execute,
};

Op *op_range_new(Plan *p, const Plan *inner, const int slots[3])
{
    SubqData *sd = apr_pcalloc(p->pool, sizeof(*sd));
    sd->inner = inner;
    sd->range = apr_pmemdup(p->pool, slots, sizeof(int) * 3);
    return op_new(p, &range_vt, sd);
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
    return op->vt == &subq_vt || op->vt == &range_vt ? ((const SubqData *)op->data)->inner
                                                      : NULL;
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
