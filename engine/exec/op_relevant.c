/* op_relevant.c -- relevantfields: which fields tell the rows that meet a condition apart
 * (issue 20; the rules are docs/commands-2025.md C49-C55)
 *
 * `relevantfields [f, ...] where COND` splits the rows into the condition's (COND true) and
 * the baseline (every other row), and scores each field from 0 to 1 by how differently its
 * values are spread in the two:
 *
 *   numerical field    (every value it has is a number, L5): the two-sample Kolmogorov-Smirnov
 *                      statistic, the largest gap between the two groups' empirical
 *                      distribution functions; @conditionalMedian and @baselineMedian are the
 *                      groups' medians (the mean of the middle two for an even count)
 *   categorical field  (any other): the total variation distance between the groups' shares of
 *                      each value, "no value" being one more value: half the sum over values of
 *                      |share among the condition's rows - share among the baseline's|;
 *                      @topRelevanceContributors lists the three values whose shares moved
 *                      most, as JSON: [{"value":..,"conditional":share,"baseline":share}]
 *
 * A field without a number on one side (numerical) or a group without rows (categorical) has
 * no score (null). Rows are the fields by score, highest first, then by name (bytes).
 *
 * Which fields: those listed; without a list, where the rows are still the records read, every
 * field of the records as `liq --fields` finds them (JSON leaves, the columns of positional
 * formats) but the fields the condition names and the @ fields, else the columns shown.
 *
 * The state is every value of every field with the side it fell on (malloc'd arrays and a
 * pool of their strings), merged by concatenation; every result is a function of those
 * multisets, so no thread count or batch size changes it. Exact scores need every value, so
 * the state grows with the rows read: it charges the run's memory budget (budget.h) per
 * batch, and a run past --memory-limit stops with the limit's error, naming relevantfields.
 * The state has a byte form (save/load, below), so liq --partial splits the query and
 * --merge gives one run's rows (issue 16): a category's value, the order of equal shifts and
 * of equal numbers are chosen by a total order (cmp_value), never by the order values came.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "base/num.h"
#include "engine/data/json.h"
#include "engine/exec/budget.h"
#include "engine/exec/op.h"
#include "engine/exec/partial.h"
#include "engine/exec/spill.h"
#include "engine/input/fmt.h"
#include "engine/input/src.h"

typedef struct RelField {
    const char *name;
    Datum *vals;
    uint8_t *cond;
    size_t n, cap;
} RelField;

typedef struct RelState {
    apr_pool_t *pool; /* names, strings, the hash */
    apr_hash_t *fields; /* name -> RelField */
    uint64_t ncond, nbase;
    int64_t bytes, charged; /* what it holds, about; what it charged (budget.h) */
} RelState;

typedef struct RelData {
    Expr *cond;
    const int *in;
    const char *const *names;
    int nin;
    int records;                /* every field of the records */
    const char *const *skip;    /* ... but these */
    int nskip;
    int out[5];                 /* @fieldName ... @baselineMedian */
} RelData;

typedef struct Leaf {
    const char *name;
    size_t len;
    Datum v;
} Leaf;

typedef struct RelLocal {
    ExprState *st;
    RelState *s;
    Leaf *leaves;
    int nleaves, cap;
    apr_pool_t *bpool; /* the batch's: leaves of the current record */
    Budget *mem;       /* the run's memory budget (OpCtx.mem) */
} RelLocal;

static RelState *state_new(void)
{
    RelState *s = mem_calloc(1, sizeof(*s));
    apr_pool_create(&s->pool, NULL);
    s->fields = apr_hash_make(s->pool);
    s->bytes = (int64_t)sizeof(*s) + 1024; /* the pool's first block, about */
    return s;
}

static void state_free(RelState *s)
{
    if (!s)
        return;
    for (apr_hash_index_t *hi = apr_hash_first(s->pool, s->fields); hi; hi = apr_hash_next(hi)) {
        RelField *f = apr_hash_this_val(hi);
        free(f->vals);
        free(f->cond);
    }
    apr_pool_destroy(s->pool);
    free(s);
}

static RelField *field_get(RelState *s, const char *name, size_t len)
{
    RelField *f = apr_hash_get(s->fields, name, (apr_ssize_t)len);
    if (!f) {
        f = apr_pcalloc(s->pool, sizeof(*f));
        f->name = apr_pstrmemdup(s->pool, name, len);
        apr_hash_set(s->fields, f->name, (apr_ssize_t)len, f);
        s->bytes += (int64_t)(sizeof(*f) + len + 1) + 48; /* and the hash's entry */
    }
    return f;
}

static void field_add(RelState *s, RelField *f, const Datum *v, int cond)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        s->bytes += (int64_t)((cap - f->cap) * (sizeof(Datum) + 1));
        f->cap = cap;
        f->vals = mem_realloc(f->vals, f->cap * sizeof(Datum));
        f->cond = mem_realloc(f->cond, f->cap);
    }
    s->bytes += budget_datum_bytes(v);
    f->vals[f->n] = datum_copy(s->pool, v);
    f->cond[f->n++] = (uint8_t)cond;
}

/* ===== Reading the rows ===== */

static OpLocal *rel_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    const RelData *rd = op->data;
    RelLocal *l = apr_pcalloc(pool, sizeof(*l));
    l->st = expr_state_new(pool, rd->cond, ctx->rx);
    l->mem = ctx->mem;
    return l;
}

static OpState *rel_global_new(const Op *op)
{
    (void)op;
    return state_new();
}

static void on_leaf(void *ctx, const char *name, size_t len, const Datum *value)
{
    RelLocal *l = ctx;
    if (l->nleaves == l->cap) {
        int cap = l->cap ? l->cap * 2 : 64;
        Leaf *nl = apr_palloc(l->bpool, sizeof(Leaf) * (size_t)cap);
        if (l->nleaves)
            memcpy(nl, l->leaves, sizeof(Leaf) * (size_t)l->nleaves);
        l->leaves = nl;
        l->cap = cap;
    }
    Leaf *f = &l->leaves[l->nleaves++];
    f->name = apr_pstrmemdup(l->bpool, name, len);
    f->len = len;
    f->v = datum_copy(l->bpool, value);
}

static int skipped(const RelData *rd, const char *name, size_t len)
{
    if (len == 0 || name[0] == '@')
        return 1;
    for (int i = 0; i < rd->nskip; i++)
        if (strlen(rd->skip[i]) == len && memcmp(rd->skip[i], name, len) == 0)
            return 1;
    return 0;
}

/* The fields of record r (engine/exec/discover.c's rule): the columns of a positional format,
 * else the leaves of a JSON record or of a Lambda-style line's JSON fragment. */
static void record_fields(const RelData *rd, RelLocal *l, const Rec *r, const Input *in,
                          int cond)
{
    l->nleaves = 0;
    const FmtColumns *c = in && in->fmt == FMT_COLUMNS ? in->cols : NULL;
    if (c) {
        const char **tok = apr_palloc(l->bpool, sizeof(*tok) * (size_t)(c->n + 1));
        size_t *len = apr_palloc(l->bpool, sizeof(*len) * (size_t)(c->n + 1));
        int k = fmt_split(c, r->line, r->len, tok, len, c->n);
        for (int i = 0; i < k; i++) {
            if (len[i] == 0 || (len[i] == 1 && tok[i][0] == '-'))
                continue;
            Datum v = val_str(tok[i], len[i]);
            on_leaf(l, c->cols[i], strlen(c->cols[i]), &v);
        }
    } else if (r->json != REC_JSON_NO) {
        const char *line = r->line;
        size_t len = r->len;
        if (r->json == REC_JSON_FRAG && r->jsoff < len) {
            line += r->jsoff;
            len -= r->jsoff;
        }
        if (!json_each_cap(line, len, 0, on_leaf, l, l->bpool))
            l->nleaves = 0;
    }
    for (int i = 0; i < l->nleaves; i++) {
        const Leaf *f = &l->leaves[i];
        if (f->v.type == VT_NULL || skipped(rd, f->name, f->len))
            continue;
        int dup = 0; /* a key repeated in a record counts once: its last value (dec.c) */
        for (int k = i + 1; k < l->nleaves && !dup; k++)
            dup = l->leaves[k].len == f->len && memcmp(l->leaves[k].name, f->name, f->len) == 0;
        if (!dup)
            field_add(l->s, field_get(l->s, f->name, f->len), &f->v, cond);
    }
}

static void rel_sink(const Op *op, OpLocal *lp, Batch *b)
{
    const RelData *rd = op->data;
    RelLocal *l = lp;
    if (!l->s)
        l->s = state_new();
    Vec *cv = expr_eval(rd->cond, l->st, b);
    if (!rd->records)
        dec_load(op->plan, b, rd->in, rd->nin);
    l->bpool = b->pool;
    for (uint32_t k = 0; k < b->nsel; k++) {
        SelIdx row = b->sel[k];
        const Datum *d = VGET(cv, row);
        int c = d->type != VT_NULL && val_truthy(d);
        if (c)
            l->s->ncond++;
        else
            l->s->nbase++;
        if (rd->records) {
            if (b->recs)
                record_fields(rd, l, &b->recs[row], b->input, c);
            continue;
        }
        for (int i = 0; i < rd->nin; i++) {
            const Datum *v = VGET(&b->cols[rd->in[i]], row);
            RelField *f = field_get(l->s, rd->names[i], strlen(rd->names[i]));
            if (v->type != VT_NULL)
                field_add(l->s, f, v, c);
        }
    }
    l->leaves = NULL; /* they were in the batch's pool */
    l->nleaves = l->cap = 0;
    budget_track(l->mem, &l->s->charged, l->s->bytes, "relevantfields");
}

/* Moves src's values into dst and frees src. */
static void state_absorb(RelState *dst, RelState *src)
{
    dst->ncond += src->ncond;
    dst->nbase += src->nbase;
    for (apr_hash_index_t *hi = apr_hash_first(src->pool, src->fields); hi;
         hi = apr_hash_next(hi)) {
        RelField *f = apr_hash_this_val(hi);
        RelField *g = field_get(dst, f->name, strlen(f->name));
        for (size_t i = 0; i < f->n; i++)
            field_add(dst, g, &f->vals[i], f->cond[i]);
    }
    state_free(src);
}

static void rel_combine(const Op *op, OpState *g, OpLocal *lp)
{
    (void)op;
    RelLocal *l = lp;
    RelState *s = g;
    if (l->s) { /* the two charges become the merged state's */
        int64_t was = s->charged + l->s->charged;
        state_absorb(s, l->s);
        s->charged = was;
        budget_track(l->mem, &s->charged, s->bytes, "relevantfields");
    }
    l->s = NULL;
}

static void rel_merge(const Op *op, OpState *dst, OpState *src)
{
    (void)op;
    state_absorb(dst, src);
}

static OpState *rel_copy(const Op *op, const OpState *g)
{
    (void)op;
    const RelState *s = g;
    RelState *c = state_new();
    c->ncond = s->ncond;
    c->nbase = s->nbase;
    for (apr_hash_index_t *hi = apr_hash_first(s->pool, s->fields); hi; hi = apr_hash_next(hi)) {
        RelField *f = apr_hash_this_val(hi);
        RelField *h = field_get(c, f->name, strlen(f->name));
        for (size_t i = 0; i < f->n; i++)
            field_add(c, h, &f->vals[i], f->cond[i]);
    }
    return c;
}

static void rel_state_free(const Op *op, OpState *g)
{
    (void)op;
    state_free(g);
}

/* ===== Scores ===== */

static int number_of(const Datum *d, double *x)
{
    if (d->type == VT_NUM) {
        *x = d->v.f;
        return isfinite(*x);
    }
    if (d->type == VT_STR)
        return val_as_number(d, x) && isfinite(*x);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (x != y)
        return x < y ? -1 : 1;
    return (signbit(y) != 0) - (signbit(x) != 0); /* -0 before 0: a median is one of them */
}

static double median(const double *v, size_t n)
{
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The two-sample Kolmogorov-Smirnov statistic of sorted a[0..na) and b[0..nb). */
static double ks(const double *a, size_t na, const double *b, size_t nb)
{
    size_t i = 0, j = 0;
    double d = 0;
    while (i < na && j < nb) {
        double x = a[i] < b[j] ? a[i] : b[j];
        while (i < na && a[i] <= x)
            i++;
        while (j < nb && b[j] <= x)
            j++;
        double gap = fabs((double)i / (double)na - (double)j / (double)nb);
        if (gap > d)
            d = gap;
    }
    return d;
}

typedef struct Cat {
    const Datum *v;
    size_t c, b; /* rows of the condition and of the baseline with it */
    double shift;
} Cat;

/* The order of L1 (val_sort_cmp), made total: values it calls equal ("200" and 200, "a01" and
 * "a1") by their text (bytes), then their type. So the value that stands for a category (the
 * first of it in this order) and the order of equal shifts depend only on the multiset of
 * values, never on the order they came in (threads, parts merged in any order: issue 16). */
static int cmp_value(const Datum *a, const Datum *b)
{
    int c = val_sort_cmp(a, b);
    if (c)
        return c;
    if (a->type == VT_STR && b->type == VT_STR) { /* the common case: no copies */
        size_t n = a->len < b->len ? a->len : b->len;
        c = n ? memcmp(a->s, b->s, n) : 0;
        if (!c && a->len != b->len)
            c = a->len < b->len ? -1 : 1;
    } else {
        LiqBuf x = {0}, y = {0};
        val_format(&x, a);
        val_format(&y, b);
        size_t n = x.len < y.len ? x.len : y.len;
        c = n ? memcmp(x.p, y.p, n) : 0;
        if (!c && x.len != y.len)
            c = x.len < y.len ? -1 : 1;
        buf_free(&x);
        buf_free(&y);
    }
    if (c)
        return c;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    return 0;
}

static int cmp_datum_ptr(const void *a, const void *b)
{
    return cmp_value(*(const Datum *const *)a, *(const Datum *const *)b);
}

static int cmp_shift(const void *a, const void *b)
{
    const Cat *x = a, *y = b;
    if (x->shift != y->shift)
        return x->shift > y->shift ? -1 : 1;
    return cmp_value(x->v, y->v);
}

static void json_text(LiqBuf *out, const Datum *d)
{
    LiqBuf t = {0};
    val_format(&t, d);
    if (d->type == VT_NUM || d->type == VT_BOOL) { /* JSON's own numbers and booleans */
        buf_add(out, t.p, t.len);
        buf_free(&t);
        return;
    }
    buf_addc(out, '"');
    for (size_t i = 0; i < t.len; i++) {
        unsigned char ch = (unsigned char)t.p[i];
        if (ch == '"' || ch == '\\') {
            buf_addc(out, '\\');
            buf_addc(out, (char)ch);
        } else if (ch < 0x20) {
            char esc[8];
            snprintf(esc, sizeof(esc), "\\u%04x", ch);
            buf_add(out, esc, 6);
        } else {
            buf_addc(out, (char)ch);
        }
    }
    buf_addc(out, '"');
    buf_free(&t);
}

typedef struct Scored {
    const char *name;
    int has_score;
    double score;
    Datum contrib, cmed, bmed;
} Scored;

static int cmp_scored(const void *a, const void *b)
{
    const Scored *x = a, *y = b;
    if (x->has_score != y->has_score)
        return x->has_score ? -1 : 1;
    if (x->has_score && x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void score_field(const RelState *s, const RelField *f, Scored *out, apr_pool_t *pool)
{
    out->name = f->name;
    out->contrib = out->cmed = out->bmed = val_null();
    int numeric = f->n > 0;
    double x;
    for (size_t i = 0; i < f->n && numeric; i++)
        numeric = number_of(&f->vals[i], &x);
    if (numeric) {
        double *a = mem_alloc(sizeof(double) * (f->n + 1)), *b = mem_alloc(sizeof(double) * (f->n + 1));
        size_t na = 0, nb = 0;
        for (size_t i = 0; i < f->n; i++) {
            number_of(&f->vals[i], &x);
            if (f->cond[i])
                a[na++] = x;
            else
                b[nb++] = x;
        }
        qsort(a, na, sizeof(double), cmp_double);
        qsort(b, nb, sizeof(double), cmp_double);
        if (na)
            out->cmed = val_num(median(a, na));
        if (nb)
            out->bmed = val_num(median(b, nb));
        if (na && nb) {
            out->has_score = 1;
            out->score = ks(a, na, b, nb);
        }
        free(a);
        free(b);
        return;
    }
    if (!s->ncond || !s->nbase)
        return;
    const Datum **v = mem_alloc(sizeof(Datum *) * (f->n + 1));
    for (size_t i = 0; i < f->n; i++)
        v[i] = &f->vals[i];
    size_t *idx = mem_alloc(sizeof(size_t) * (f->n + 1));
    qsort(v, f->n, sizeof(Datum *), cmp_datum_ptr);
    for /* each sorted value's side, by where it sits in vals */ (size_t i = 0; i < f->n; i++)
        idx[i] = (size_t)(v[i] - f->vals);
    Cat *cats = mem_alloc(sizeof(Cat) * (f->n + 1));
    size_t nc = 0, pc = 0, pb = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (!nc || !val_equal_key(cats[nc - 1].v, v[i]))
            cats[nc++] = (Cat){v[i], 0, 0, 0};
        if (f->cond[idx[i]]) {
            cats[nc - 1].c++;
            pc++;
        } else {
            cats[nc - 1].b++;
            pb++;
        }
    }
    double nC = (double)s->ncond, nB = (double)s->nbase;
    /* exactly: the sum of |c * nbase - b * ncond| over the values, over 2 * ncond * nbase */
    unsigned __int128 sum = 0;
#define GAP(c, b)                                                                                \
    ((unsigned __int128)(c) * s->nbase > (unsigned __int128)(b) * s->ncond                      \
         ? (unsigned __int128)(c) * s->nbase - (unsigned __int128)(b) * s->ncond                \
         : (unsigned __int128)(b) * s->ncond - (unsigned __int128)(c) * s->nbase)
    sum += GAP(s->ncond - pc, s->nbase - pb); /* no value */
    for (size_t i = 0; i < nc; i++) {
        cats[i].shift = fabs((double)cats[i].c / nC - (double)cats[i].b / nB);
        sum += GAP(cats[i].c, cats[i].b);
    }
#undef GAP
    out->has_score = 1;
    out->score = (double)sum / (2.0 * nC * nB);
    if (out->score > 1)
        out->score = 1;
    qsort(cats, nc, sizeof(Cat), cmp_shift);
    LiqBuf j = {0};
    buf_addc(&j, '[');
    for (size_t i = 0; i < nc && i < 3 && cats[i].shift > 0; i++) {
        if (i)
            buf_addc(&j, ',');
        buf_add(&j, "{\"value\":", 9);
        json_text(&j, cats[i].v);
        buf_add(&j, ",\"conditional\":", 15);
        num_format(&j, (double)cats[i].c / nC);
        buf_add(&j, ",\"baseline\":", 12);
        num_format(&j, (double)cats[i].b / nB);
        buf_addc(&j, '}');
    }
    buf_addc(&j, ']');
    out->contrib = val_str(apr_pstrmemdup(pool, j.p, j.len), j.len);
    buf_free(&j);
    free(cats);
    free(idx);
    free(v);
}

static RowSet *rel_finalize(const Op *op, const OpCtx *ctx, OpState *g)
{
    const RelData *rd = op->data;
    RelState *s = g;
    RowSet *rs = rowset_new(op->plan->nslots);
    size_t n = apr_hash_count(s->fields);
    if (!rd->records) /* listed fields without any value are rows too */
        for (int i = 0; i < rd->nin; i++)
            field_get(s, rd->names[i], strlen(rd->names[i]));
    n = apr_hash_count(s->fields);
    Scored *sc = mem_calloc(n + 1, sizeof(Scored));
    size_t k = 0;
    for (apr_hash_index_t *hi = apr_hash_first(s->pool, s->fields); hi; hi = apr_hash_next(hi))
        score_field(s, apr_hash_this_val(hi), &sc[k++], rs->pool);
    qsort(sc, k, sizeof(Scored), cmp_scored);
    for (size_t i = 0; i < k; i++) {
        Datum *row = rowset_add_row(rs, i);
        memset(row, 0, sizeof(Datum) * (size_t)rs->nslots); /* every other slot null */
        row[rd->out[0]] = val_str(apr_pstrdup(rs->pool, sc[i].name), strlen(sc[i].name));
        row[rd->out[1]] = sc[i].has_score ? val_num(sc[i].score) : val_null();
        row[rd->out[2]] = sc[i].contrib;
        row[rd->out[3]] = sc[i].cmed;
        row[rd->out[4]] = sc[i].bmed;
    }
    free(sc);
    int64_t charged = s->charged;
    state_free(s); /* finalize consumes the state (op.h) */
    rowset_charge(rs, ctx, charged, "relevantfields");
    return rs;
}

/* ===== Partial results (partial.h, issue 16) =====
 *
 * The state as bytes (docs/partial-format.md):
 *
 *   header  "LIQF", u16 version (PARTIAL_VERSION), u16 0, u64 rows of the condition, u64 rows
 *           of the baseline
 *   field   u32 bytes that follow; u32 name length and the name; then its values until the
 *           field's bytes end, each u8 side (1 the condition's, 0 the baseline's) and the
 *           value (spill.h's value encoding)
 *
 * Fields follow each other, by name (bytes), until the bytes end; a field with no value is
 * written too (a listed field no row had), one of more than 1 GiB of values as several
 * records of its name (a reader adds them up). A loader checks every length, that each name
 * is one the query can have (listed, or one a record's field could be: not an @ field nor
 * one the condition names), that a side has no more values of a field than rows, and that a
 * record of the records' fields holds a value; value caches (numeric views) are computed
 * again. Loaded states merge by concatenation, as a worker's do: every result is a function
 * of the multisets of (value, side) and of the two counts, so parts merged in any order give
 * one run's rows. A loaded state charges no budget, as stats' and dedup's loads (a --merge
 * run holds it until finalize, whose rows are charged). */

static int cmp_field_name(const void *a, const void *b)
{
    return strcmp((*(const RelField *const *)a)->name, (*(const RelField *const *)b)->name);
}

static int rel_save(const Op *op, OpState *g, LiqBuf *out)
{
    (void)op;
    const RelState *s = g;
    uint16_t v[2] = {PARTIAL_VERSION, 0};
    buf_add(out, "LIQF", 4);
    buf_add(out, v, sizeof(v));
    buf_add(out, &s->ncond, 8);
    buf_add(out, &s->nbase, 8);
    size_t n = apr_hash_count(s->fields), k = 0;
    const RelField **fs = mem_alloc(sizeof(*fs) * (n + 1));
    for (apr_hash_index_t *hi = apr_hash_first(s->pool, s->fields); hi; hi = apr_hash_next(hi))
        fs[k++] = apr_hash_this_val(hi);
    qsort(fs, k, sizeof(*fs), cmp_field_name); /* the same state, the same bytes */
    LiqBuf js = {0};
    for (size_t i = 0; i < k; i++) {
        const RelField *f = fs[i];
        uint32_t nlen = (uint32_t)strlen(f->name);
        size_t r = 0;
        do { /* one record, or several of a field past 1 GiB (its length is a u32) */
            size_t start = out->len;
            uint32_t len = 0;
            buf_add(out, &len, 4);
            buf_add(out, &nlen, 4);
            buf_add(out, f->name, nlen);
            for (; r < f->n && out->len - start < ((size_t)1 << 30); r++) {
                buf_addc(out, (char)(f->cond[r] ? 1 : 0));
                spill_put_datum(out, &f->vals[r], &js);
            }
            len = (uint32_t)(out->len - start - 4);
            memcpy(out->p + start, &len, 4);
        } while (r < f->n);
    }
    buf_free(&js);
    free(fs);
    return 0;
}

/* Whether a loaded field's name is one the query can have: a listed field, or (the records'
 * fields) one record_fields would keep. */
static int name_allowed(const RelData *rd, const char *name, size_t len)
{
    if (memchr(name, '\0', len))
        return 0;
    if (rd->records)
        return !skipped(rd, name, len);
    for (int i = 0; i < rd->nin; i++)
        if (strlen(rd->names[i]) == len && memcmp(rd->names[i], name, len) == 0)
            return 1;
    return 0;
}

/* The field record at [c, e), its values added to s: 1 when it decodes whole, 0 when not. */
static int load_field(const RelData *rd, RelState *s, const char *c, const char *e,
                      apr_pool_t *scratch)
{
    uint32_t nlen;
    if (e - c < 4)
        return 0;
    memcpy(&nlen, c, 4);
    c += 4;
    if ((size_t)(e - c) < nlen || !name_allowed(rd, c, nlen))
        return 0;
    RelField *f = field_get(s, c, nlen);
    c += nlen;
    size_t had = f->n;
    while (c < e) {
        uint8_t side = (uint8_t)*c++;
        Datum d;
        size_t k = side > 1 ? 0 : spill_get_datum(c, e, scratch, &d);
        if (!k || d.type == VT_NULL)
            return 0;
        c += k;
        /* the caches of a number's text and a string's numeric view: computed again */
        d.flags &= (uint8_t) ~(DF_NUMCHECKED | DF_NUMERIC | DF_EXACTCHECKED | DF_EXACT);
        field_add(s, f, &d, side);
        if (f->n > s->ncond + s->nbase) /* a row gives a field one value at most */
            return 0;
    }
    apr_pool_clear(scratch);
    /* the records' fields are those some record has a value of */
    return !rd->records || f->n > had;
}

/* Whether no field has more values on a side than the side has rows. */
static int sides_fit(const RelState *s)
{
    for (apr_hash_index_t *hi = apr_hash_first(s->pool, s->fields); hi; hi = apr_hash_next(hi)) {
        const RelField *f = apr_hash_this_val(hi);
        uint64_t c = 0;
        for (size_t i = 0; i < f->n; i++)
            c += f->cond[i];
        if (c > s->ncond || f->n - c > s->nbase)
            return 0;
    }
    return 1;
}

static OpState *rel_load(const Op *op, const char *p, size_t n, Budget *b)
{
    (void)b; /* held in memory */
    const RelData *rd = op->data;
    const char *c = p, *end = p + n;
    uint16_t v[2];
    if (n < 4 + 4 + 16 || memcmp(c, "LIQF", 4) != 0)
        return NULL;
    memcpy(v, c + 4, sizeof(v));
    if (v[0] != PARTIAL_VERSION || v[1] != 0)
        return NULL;
    RelState *s = state_new();
    memcpy(&s->ncond, c + 8, 8);
    memcpy(&s->nbase, c + 16, 8);
    c += 24;
    apr_pool_t *scratch;
    apr_pool_create(&scratch, NULL);
    int ok = 1;
    while (ok && c < end) {
        uint32_t len;
        if (end - c < 4) {
            ok = 0;
            break;
        }
        memcpy(&len, c, 4);
        c += 4;
        ok = (size_t)(end - c) >= len && load_field(rd, s, c, c + len, scratch);
        c += ok ? len : 0;
    }
    apr_pool_destroy(scratch);
    if (!ok || !sides_fit(s)) {
        state_free(s);
        return NULL;
    }
    return s;
}

static const OpVTable rel_vt = {
    .name = "relevantfields",
    .local_new = rel_local_new,
    .global_new = rel_global_new,
    .sink = rel_sink,
    .combine = rel_combine,
    .merge = rel_merge,
    .copy = rel_copy,
    .finalize = rel_finalize,
    .state_free = rel_state_free,
    .save = rel_save,
    .load = rel_load,
};

Op *op_relevant_new(Plan *p, Expr *cond, const int *in, const char *const *names, int nin,
                    int records, const char *const *skip, int nskip, const int out[5])
{
    RelData *rd = apr_pcalloc(p->pool, sizeof(*rd));
    rd->cond = cond;
    rd->in = in;
    rd->names = names;
    rd->nin = nin;
    rd->records = records;
    rd->skip = skip;
    rd->nskip = nskip;
    memcpy(rd->out, out, sizeof(rd->out));
    return op_new(p, &rel_vt, rd);
}
