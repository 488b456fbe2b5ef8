/* op_pattern.c -- pattern: clusters records into templates (§3.9, L21)
 *
 * The algorithm (docs/pattern.md): each value is split at white space; a token holding a
 * digit, or shaped like a hex string, is a variable and becomes a wildcard. Records with the
 * same masked token list form a group -- this step runs in every worker and merges by
 * addition, so it is order-independent. At the end, groups that differ in exactly one
 * position merge into one template with a wildcard there when at least MIN_FAMILY of them do
 * (a position with that many values is a variable; two or three values such as Started and
 * Stopped stay apart). The result is deterministic for any thread count.
 *
 * With diff (§3.10, L21), records are counted in the current period (--start/--end) and the
 * previous one (the equal-length period before, or the same period a day, week or month
 * earlier); each row adds @previousSampleCount, @change (current minus previous) and
 * @diffType (NEW, GONE, UP, DOWN, SAME).
 *
 * Output, one row per template, largest first: @pattern (variables written <Token-N>, N
 * counting the variable positions), @ratio (share of the records), @sampleCount,
 * @severityLabel (Error, Warning, Info, Debug, or Unknown, from the template's words).
 *
 * With anomaly (§3.11, L21), every group also keeps time statistics (engine/pattern/anomaly.h) and the
 * output is one row per anomaly found: the template's four columns, then @anomalyType,
 * @priority, @timestamp and @description; most urgent first, then by time.
 *
 * State: a GSet (the groups, with counts, first order keys and time statistics); combine and
 * merge add groups by template, so the family merge at finalize sees the same groups however
 * the records were split. The periods of diff and the frame of anomaly are the run's (OpCtx).
 * Partial results (liq --partial/--merge) carry the groups as bytes (pattern_save/load).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "engine/pattern/anomaly.h"
#include "engine/exec/budget.h"
#include "engine/exec/op.h"
#include "engine/exec/partial.h"

enum { MIN_FAMILY = 4 };
#define WILD "\x01" /* a variable position inside a template (never in log text) */

typedef struct Group {
    char *tmpl; /* tokens joined by ' ', variables as WILD */
    size_t len;
    uint64_t hash;
    int64_t count;
    int64_t prev;   /* diff: records of the previous period */
    uint64_t first; /* order key of the first record (ties) */
    AnStats *an;    /* anomaly: the group's time statistics */
} Group;

typedef struct GSet {
    Group *g;
    size_t n, cap;
    uint32_t *index;
    size_t mask;
    apr_pool_t *pool;
    int64_t tmin, tmax, nts; /* anomaly: the timestamps seen, and their cell width */
    int gexp;
    int64_t tbytes, charged; /* templates' bytes; what the set charged (engine/exec/budget.h) */
    int64_t anbytes;         /* anomaly: what the groups' AnStats hold (an_bytes) */
} GSet;

/* The heap a set holds, about (the memory budget's charge). */
static int64_t gset_bytes(const GSet *s)
{
    return (int64_t)(s->cap * sizeof(Group) + (s->mask + 1) * sizeof(uint32_t)) + s->tbytes +
           s->anbytes;
}

typedef struct PatternData {
    Expr *src;
    int slot_pattern, slot_ratio, slot_count, slot_sev;
    /* diff (§3.10): */
    Expr *ts;          /* @timestamp, or NULL without diff */
    DiffKind diff;
    int slot_prev, slot_change, slot_type;
    /* anomaly (§3.11): */
    int anomaly;
    int slot_atype, slot_prio, slot_ts, slot_desc;
} PatternData;

typedef struct PatternLocal {
    ExprState *st, *tst;
    GSet *set; /* since the last combine (NULL: none yet) */
    LiqBuf scratch, t;
    const OpCtx *ctx; /* the run's periods (diff) */
} PatternLocal;

static GSet *gset_new(void)
{
    GSet *s = mem_calloc(1, sizeof(*s));
    apr_pool_create(&s->pool, NULL);
    s->mask = 255;
    s->index = mem_calloc(s->mask + 1, sizeof(uint32_t));
    return s;
}

static void gset_free(GSet *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        an_free(s->g[i].an);
    free(s->g);
    free(s->index);
    apr_pool_destroy(s->pool);
    free(s);
}

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h ^ (h >> 31);
}

static Group *gset_add(GSet *s, const char *t, size_t n, int64_t count, int64_t prev,
                       uint64_t first)
{
    uint64_t h = fnv(t, n);
    size_t i = h & s->mask;
    while (s->index[i]) {
        Group *g = &s->g[s->index[i] - 1];
        if (g->hash == h && g->len == n && memcmp(g->tmpl, t, n) == 0) {
            g->count += count;
            g->prev += prev;
            if (first < g->first)
                g->first = first;
            return g;
        }
        i = (i + 1) & s->mask;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        Group *ng = mem_realloc(s->g, sizeof(Group) * s->cap);
        s->g = ng;
    }
    Group *g = &s->g[s->n];
    g->tmpl = apr_pstrmemdup(s->pool, t, n);
    s->tbytes += (int64_t)n + 1;
    g->len = n;
    g->hash = h;
    g->count = count;
    g->prev = prev;
    g->first = first;
    g->an = NULL;
    s->index[i] = (uint32_t)++s->n;
    if (s->n * 2 > s->mask) { /* grow the index */
        size_t mask = s->mask * 2 + 1;
        uint32_t *idx = mem_calloc(mask + 1, sizeof(uint32_t));
        for (size_t k = 0; k < s->n; k++) {
            size_t j = s->g[k].hash & mask;
            while (idx[j])
                j = (j + 1) & mask;
            idx[j] = (uint32_t)(k + 1);
        }
        free(s->index);
        s->index = idx;
        s->mask = mask;
    }
    return &s->g[s->n - 1];
}

/* anomaly: n timestamps spanning [lo, hi] widen the set's span (and so, maybe, its cell
 * width). */
static void gset_time(GSet *s, int64_t lo, int64_t hi, int64_t n)
{
    int wider = !s->nts || lo < s->tmin || hi > s->tmax;
    if (!s->nts || lo < s->tmin)
        s->tmin = lo;
    if (!s->nts || hi > s->tmax)
        s->tmax = hi;
    s->nts += n;
    if (wider) /* records mostly fall inside the span already seen */
        s->gexp = an_gexp(s->tmin, s->tmax);
}

/* Is a token a month or weekday name (Jan, jun, Sun, ...: part of a date)? */
static int date_word(const char *s, size_t n)
{
    static const char names[] = "jan feb mar apr may jun jul aug sep oct nov dec "
                                "mon tue wed thu fri sat sun ";
    if (n != 3)
        return 0;
    for (const char *w = names; *w; w += 4)
        if ((s[0] | 0x20) == w[0] && (s[1] | 0x20) == w[1] && (s[2] | 0x20) == w[2])
            return 1;
    return 0;
}

/* Is a token a variable: a digit anywhere, a month or weekday name, or a long hex-like word? */
static int variable(const char *s, size_t n)
{
    if (date_word(s, n))
        return 1;
    size_t hex = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            return 1;
        hex += isxdigit((unsigned char)s[i]) != 0;
    }
    return n >= 16 && hex == n;
}

/* In a variable token name=value whose name holds no digit (ambient=30, user=u17), the
 * length of "name=", else 0. */
static size_t key_len(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            return 0;
        if (s[i] == '=')
            return i > 0 && i + 1 < n ? i + 1 : 0;
    }
    return 0;
}

/* The masked template of a text into t (every token, however many); with vars, the first
 * AN_MAXPOS variable tokens. */
static void mask(const char *s, size_t n, LiqBuf *t, AnTok *vars, int *nvars)
{
    t->len = 0;
    size_t i = 0;
    int ntok = 0;
    while (i < n) {
        while (i < n && isspace((unsigned char)s[i]))
            i++;
        if (i >= n)
            break;
        size_t b = i;
        while (i < n && !isspace((unsigned char)s[i]))
            i++;
        if (ntok++)
            buf_addc(t, ' ');
        size_t key = variable(s + b, i - b) ? key_len(s + b, i - b) : 0;
        if (key) { /* name=value: only the value varies */
            buf_add(t, s + b, key);
            buf_adds(t, WILD);
            if (vars && *nvars < AN_MAXPOS)
                vars[(*nvars)++] = (AnTok){s + b, i - b, ntok - 1};
        } else if (variable(s + b, i - b)) {
            buf_adds(t, WILD);
            if (vars && *nvars < AN_MAXPOS)
                vars[(*nvars)++] = (AnTok){s + b, i - b, ntok - 1};
        } else
            buf_add(t, s + b, i - b);
    }
}

static apr_status_t local_cleanup(void *p)
{
    PatternLocal *l = p;
    buf_free(&l->scratch);
    buf_free(&l->t);
    return APR_SUCCESS;
}

static OpLocal *pattern_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    const PatternData *pd = op->data;
    PatternLocal *l = apr_pcalloc(pool, sizeof(*l));
    l->st = expr_state_new(pool, pd->src, ctx->rx);
    if (pd->ts)
        l->tst = expr_state_new(pool, pd->ts, ctx->rx);
    l->ctx = ctx;
    apr_pool_cleanup_register(pool, l, local_cleanup, apr_pool_cleanup_null);
    return l;
}

static OpState *pattern_global_new(const Op *op)
{
    (void)op;
    return gset_new();
}

static void pattern_sink(const Op *op, OpLocal *lp, Batch *b)
{
    const PatternData *pd = op->data;
    PatternLocal *l = lp;
    const OpCtx *x = l->ctx;
    if (!l->set)
        l->set = gset_new();
    if (pd->ts) { /* the value and @timestamp in one decoding pass */
        Expr *both[2] = {pd->src, pd->ts};
        const int *in;
        int n = expr_inputs_union(b->pool, both, 2, &in);
        dec_load(op->plan, b, in, n);
    }
    Vec *v = expr_eval(pd->src, l->st, b);
    Vec *tv = pd->ts ? expr_eval(pd->ts, l->tst, b) : NULL;
    FOR_ROWS(b)
    {
        const Datum *d = VGET(v, row);
        if (d->type == VT_NULL || d->type == VT_JSON)
            continue; /* maps and lists are not clustered (§3.9) */
        int64_t cur = 1, prev = 0;
        if (tv && !pd->anomaly) { /* diff: which period(s) the record falls in */
            const Datum *t = VGET(tv, row);
            if (t->type != VT_TS)
                continue;
            cur = t->v.i >= x->cur_start && t->v.i <= x->cur_end;
            prev = t->v.i >= x->prev_start && t->v.i <= x->prev_end;
            if (!cur && !prev)
                continue;
        }
        size_t n;
        const char *s = val_text(d, &l->scratch, &n);
        AnTok vars[AN_MAXPOS];
        int nvars = 0;
        mask(s, n, &l->t, pd->anomaly ? vars : NULL, &nvars);
        Group *g = gset_add(l->set, l->t.p ? l->t.p : "", l->t.len, cur, prev, batch_order(b, row));
        if (pd->anomaly) {
            const Datum *t = VGET(tv, row);
            if (t->type != VT_TS || t->v.i < -AN_TS_LIMIT || t->v.i > AN_TS_LIMIT)
                continue; /* clustered, but not placed in time */
            gset_time(l->set, t->v.i, t->v.i, 1);
            if (!g->an) {
                g->an = an_new();
                l->set->anbytes += an_bytes(g->an);
            }
            int64_t was = g->an->heap;
            an_add(g->an, l->set->gexp, t->v.i, vars, nvars);
            l->set->anbytes += g->an->heap - was;
        }
    }
    budget_track(x->mem, &l->set->charged, gset_bytes(l->set), "pattern");
}

/* Adds the groups of ls to gs and frees ls (its time statistics move). The span of both comes
 * first, and every group that comes over is coarsened to its width: a group's cells then
 * cover the records of both sides in at most AN_MAXCELLS cells. (Merged at the finer width of
 * each side, two sides' cells could together pass that bound, and a chain of merges --
 * partial results of many parts -- would grow it without limit.) */
static void gset_merge(GSet *gs, GSet *ls)
{
    if (ls->nts)
        gset_time(gs, ls->tmin, ls->tmax, ls->nts);
    for (size_t i = 0; i < ls->n; i++) {
        Group *lg = &ls->g[i];
        Group *g = gset_add(gs, lg->tmpl, lg->len, lg->count, lg->prev, lg->first);
        if (!lg->an)
            continue;
        an_coarsen(lg->an, gs->gexp);
        if (!g->an) {
            g->an = lg->an; /* moved */
            gs->anbytes += an_bytes(g->an);
        } else {
            int64_t was = g->an->heap;
            an_coarsen(g->an, gs->gexp);
            an_merge(g->an, lg->an);
            gs->anbytes += g->an->heap - was;
            an_free(lg->an);
        }
        lg->an = NULL;
    }
    gset_free(ls);
}

static void pattern_combine(const Op *op, OpState *g, OpLocal *lp)
{
    (void)op;
    PatternLocal *l = lp;
    GSet *s = g;
    if (l->set) { /* the two charges become the merged set's */
        int64_t was = s->charged + l->set->charged;
        gset_merge(s, l->set);
        s->charged = was;
        budget_track(l->ctx->mem, &s->charged, gset_bytes(s), "pattern");
    }
    l->set = NULL;
}

static void pattern_merge(const Op *op, OpState *dst, OpState *src)
{
    (void)op;
    gset_merge(dst, src);
}

static OpState *pattern_copy(const Op *op, const OpState *g)
{
    (void)op;
    const GSet *s = g;
    GSet *c = gset_new();
    for (size_t i = 0; i < s->n; i++) {
        const Group *sg = &s->g[i];
        Group *cg = gset_add(c, sg->tmpl, sg->len, sg->count, sg->prev, sg->first);
        cg->an = an_copy(sg->an);
        c->anbytes += an_bytes(cg->an);
    }
    c->tmin = s->tmin;
    c->tmax = s->tmax;
    c->nts = s->nts;
    c->gexp = s->gexp;
    return c;
}

static void pattern_state_free(const Op *op, OpState *g)
{
    (void)op;
    gset_free(g);
}

/* ===== partial results (issue 16, docs/partial-format.md) =====
 *
 * The groups before the family merge, which is what makes pattern mergeable: their counts add
 * and their time statistics merge exactly (an_merge), so groups saved by parts and loaded
 * into one set are the groups one run would have; the family merge then runs once, on the
 * merged set, at the end of --merge.
 *
 *   header  "LIQT", u16 version (PARTIAL_VERSION), u16 1 with diff | 2 with anomaly,
 *           i64 tmin, i64 tmax, i64 nts (anomaly: the timestamps seen)
 *   group   u32 bytes that follow, u64 first (order key of its first record), i64 records,
 *           i64 records of the previous period (diff), u32 length and the masked template,
 *           u8 1 when its time statistics follow (anomaly.h's an_save), else 0
 */

static unsigned pattern_flags(const PatternData *pd)
{
    return (pd->diff != DIFF_NONE ? 1u : 0u) | (pd->anomaly ? 2u : 0u);
}

static int pattern_save(const Op *op, OpState *g, LiqBuf *out)
{
    const GSet *s = g;
    uint16_t v[2] = {PARTIAL_VERSION, (uint16_t)pattern_flags(op->data)};
    buf_add(out, "LIQT", 4);
    buf_add(out, v, sizeof(v));
    buf_add(out, &s->tmin, 8);
    buf_add(out, &s->tmax, 8);
    buf_add(out, &s->nts, 8);
    for (size_t i = 0; i < s->n; i++) {
        const Group *gr = &s->g[i];
        size_t start = out->len;
        uint32_t len = 0, tlen = (uint32_t)gr->len;
        buf_add(out, &len, 4);
        buf_add(out, &gr->first, 8);
        buf_add(out, &gr->count, 8);
        buf_add(out, &gr->prev, 8);
        buf_add(out, &tlen, 4);
        buf_add(out, gr->tmpl, gr->len);
        buf_addc(out, gr->an ? 1 : 0);
        if (gr->an)
            an_save(gr->an, out);
        len = (uint32_t)(out->len - start - 4);
        memcpy(out->p + start, &len, 4);
    }
    return 0;
}

/* Tokens of a masked template (split_tmpl's count). */
static int tmpl_tokens(const char *t, size_t n)
{
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += t[i] == ' ';
    return n ? k + 1 : 0;
}

/* One group at [c, e) into s, or 0 when it is not whole and valid. */
static int group_load(GSet *s, const PatternData *pd, const char *c, const char *e)
{
    uint64_t first;
    int64_t count, prev;
    uint32_t tlen;
    uint8_t has_an;
    if (!buf_take(&c, e, &first, 8) || !buf_take(&c, e, &count, 8) ||
        !buf_take(&c, e, &prev, 8) || !buf_take(&c, e, &tlen, 4) || (size_t)(e - c) < tlen)
        return 0;
    const char *t = c;
    c += tlen;
    if (!buf_take(&c, e, &has_an, 1) || count < 0 || prev < 0 || count > PARTIAL_COUNT_MAX ||
        prev > PARTIAL_COUNT_MAX || has_an > 1 ||
        (has_an && !pd->anomaly) || (!pd->diff && prev))
        return 0;
    AnStats *an = NULL;
    if (has_an) {
        an = an_load(&c, e, tmpl_tokens(t, tlen));
        /* its records lie inside the set's span, at a width no wider than the span's */
        if (!an || (an->nts && (!s->nts || an->tmin < s->tmin || an->tmax > s->tmax ||
                                an->gexp > s->gexp))) {
            an_free(an);
            return 0;
        }
    }
    if (c != e) {
        an_free(an);
        return 0;
    }
    Group *g = gset_add(s, t, tlen, count, prev, first);
    if (an) {
        if (!g->an) {
            g->an = an;
            s->anbytes += an_bytes(an);
        } else { /* the same template twice in one partial: merged as parts' groups are */
            int64_t was = g->an->heap;
            an_merge(g->an, an);
            s->anbytes += g->an->heap - was;
            an_free(an);
        }
    }
    return 1;
}

static OpState *pattern_load(const Op *op, const char *p, size_t n, Budget *b)
{
    (void)b; /* held in memory */
    const PatternData *pd = op->data;
    const char *c = p, *end = p + n;
    char magic[4];
    uint16_t v[2];
    GSet *s = gset_new();
    if (!buf_take(&c, end, magic, 4) || memcmp(magic, "LIQT", 4) != 0 ||
        !buf_take(&c, end, v, sizeof(v)) || v[0] != PARTIAL_VERSION ||
        v[1] != pattern_flags(pd) || !buf_take(&c, end, &s->tmin, 8) ||
        !buf_take(&c, end, &s->tmax, 8) || !buf_take(&c, end, &s->nts, 8) || s->nts < 0 ||
        s->nts > PARTIAL_COUNT_MAX || s->tmin < -AN_TS_LIMIT || s->tmax > AN_TS_LIMIT ||
        (s->nts && (!pd->anomaly || s->tmin > s->tmax)))
        goto bad;
    if (s->nts)
        s->gexp = an_gexp(s->tmin, s->tmax);
    while (c < end) {
        uint32_t len;
        if (!buf_take(&c, end, &len, 4) || (size_t)(end - c) < len ||
            !group_load(s, pd, c, c + len))
            goto bad;
        c += len;
    }
    return s;
bad:
    gset_free(s);
    return NULL;
}

/* ===== the merge of groups into templates ===== */

typedef struct Tmpl {
    char **tok;
    size_t *tl;
    int n;
    int64_t count, prev;
    uint64_t first;
    int alive;
    AnStats *an; /* anomaly: owned */
} Tmpl;

static int split_tmpl(apr_pool_t *pool, const char *s, size_t n, char ***tok, size_t **tl)
{
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == ' ';
    k = n ? k + 1 : 0;
    *tok = apr_palloc(pool, sizeof(char *) * (size_t)(k + 1));
    *tl = apr_palloc(pool, sizeof(size_t) * (size_t)(k + 1));
    int t = 0;
    size_t b = 0;
    for (size_t i = 0; i <= n && k; i++)
        if (i == n || s[i] == ' ') {
            (*tok)[t] = (char *)(uintptr_t)(s + b);
            (*tl)[t++] = i - b;
            b = i + 1;
        }
    return k;
}

static int is_wild(const char *t, size_t n)
{
    return n == 1 && t[0] == WILD[0];
}

static int cmp_groups(const void *a, const void *b)
{
    const Tmpl *x = a, *y = b;
    if (x->count + x->prev != y->count + y->prev)
        return x->count + x->prev > y->count + y->prev ? -1 : 1;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

static const char *severity(const Tmpl *t)
{
    static const struct {
        const char *word, *label;
    } w[] = {{"fatal", "Error"},   {"critical", "Error"}, {"error", "Error"},  {"err", "Error"},
             {"exception", "Error"}, {"warn", "Warning"}, {"warning", "Warning"},
             {"info", "Info"},     {"notice", "Info"},    {"debug", "Debug"},
             {"trace", "Debug"}};
    for (size_t k = 0; k < sizeof(w) / sizeof(w[0]); k++)
        for (int i = 0; i < t->n; i++) {
            size_t n = t->tl[i];
            const char *s = t->tok[i];
            while (n && !isalpha((unsigned char)*s)) /* [ERROR] -> ERROR */
                s++, n--;
            while (n && !isalpha((unsigned char)s[n - 1]))
                n--;
            if (n == strlen(w[k].word) && strncasecmp(s, w[k].word, n) == 0)
                return w[k].label;
        }
    return "Unknown";
}

/* anomaly: position p of t becomes a variable; t's records had its current word there. */
static void widen(Tmpl *t, int p)
{
    if (t->an && t->an->nts)
        an_widen(t->an, p, t->tok[p], t->tl[p], t->an->nts, t->an->tmin);
}

/* The four columns of a template into row. */
static void pattern_row(const PatternData *pd, RowSet *rs, Datum *row, const Tmpl *t,
                        int64_t total, LiqBuf *b)
{
    for (int k = 0; k < rs->nslots; k++)
        row[k] = val_null();
    b->len = 0;
    int var = 0;
    for (int k = 0; k < t->n; k++) {
        if (k)
            buf_addc(b, ' ');
        for (size_t c = 0; c < t->tl[k]; c++) { /* a variable, or name= and a variable */
            if (t->tok[k][c] == WILD[0])
                buf_printf(b, "<Token-%d>", ++var);
            else
                buf_addc(b, t->tok[k][c]);
        }
    }
    Datum d = val_str(b->p ? b->p : "", b->len);
    row[pd->slot_pattern] = datum_copy(rs->pool, &d);
    row[pd->slot_ratio] = val_num(total ? (double)t->count / (double)total : 0);
    row[pd->slot_count] = val_num((double)t->count);
    if (pd->diff != DIFF_NONE) {
        int64_t c = t->count, pv = t->prev;
        const char *ty = pv == 0 ? "NEW" : c == 0 ? "GONE" : c > pv ? "UP" : c < pv ? "DOWN"
                                                                                  : "SAME";
        row[pd->slot_prev] = val_num((double)pv);
        row[pd->slot_change] = val_num((double)(c - pv));
        row[pd->slot_type] = val_str(ty, strlen(ty));
    }
    const char *sev = severity(t);
    row[pd->slot_sev] = val_str(sev, strlen(sev)); /* static text */
}

typedef struct Hit {
    size_t tmpl;
    AnFinding f;
} Hit;

static int cmp_hits(const void *a, const void *b)
{
    const Hit *x = a, *y = b;
    if (x->f.prio != y->f.prio)
        return x->f.prio < y->f.prio ? -1 : 1;
    if (x->f.ts != y->f.ts)
        return x->f.ts < y->f.ts ? -1 : 1;
    if (x->tmpl != y->tmpl)
        return x->tmpl < y->tmpl ? -1 : 1;
    return (int)x->f.kind - (int)y->f.kind;
}

/* anomaly: the findings of the m final templates, most urgent first, as rows of rs. The frame
 * is --start/--end where given, else the span of the records' timestamps. */
static void anomaly_rows(const Op *op, const OpCtx *x, GSet *s, Tmpl *t, size_t m, int64_t total,
                         RowSet *rs)
{
    const PatternData *pd = op->data;
    if (!s->nts)
        return;
    int gexp = an_gexp(s->tmin, s->tmax);
    for (size_t i = 0; i < m; i++)
        if (t[i].an)
            an_coarsen(t[i].an, gexp);
    AnFrame f;
    if (!an_frame(&f, x->has_frame_start ? x->frame_start : s->tmin,
                  x->has_frame_end ? x->frame_end : s->tmax, gexp))
        return; /* too short a span to compare a recent part with what came before */
    for (size_t i = 0; i < m; i++)
        if (t[i].an)
            an_count_baseline(&f, t[i].an);
    Hit *hits = NULL;
    size_t nh = 0, cap = 0;
    int maxn = 0;
    for (size_t i = 0; i < m; i++)
        if (t[i].n > maxn)
            maxn = t[i].n;
    int *tokord = mem_calloc((size_t)maxn + 1, sizeof(int));
    for (size_t i = 0; i < m; i++) {
        if (!t[i].an)
            continue;
        int var = 0;
        for (int k = 0; k < t[i].n; k++)
            tokord[k] = memchr(t[i].tok[k], WILD[0], t[i].tl[k]) ? ++var : 0;
        AnFinding out[1 + AN_MAXPOS];
        int n = an_detect(t[i].an, &f, severity(&t[i]), tokord, out);
        for (int k = 0; k < n; k++) {
            if (nh == cap) {
                cap = cap ? cap * 2 : 16;
                Hit *nhits = mem_realloc(hits, sizeof(Hit) * cap);
                hits = nhits;
            }
            hits[nh++] = (Hit){i, out[k]};
        }
    }
    free(tokord);
    if (nh)
        qsort(hits, nh, sizeof(Hit), cmp_hits);
    LiqBuf b = {0};
    for (size_t h = 0; h < nh; h++) {
        Datum *row = rowset_add_row(rs, h);
        pattern_row(pd, rs, row, &t[hits[h].tmpl], total, &b);
        const char *ty = an_kind_name(hits[h].f.kind), *pr = an_priority_name(hits[h].f.prio);
        row[pd->slot_atype] = val_str(ty, strlen(ty));
        row[pd->slot_prio] = val_str(pr, strlen(pr));
        row[pd->slot_ts] = val_ts(hits[h].f.ts);
        LiqBuf *dsc = &hits[h].f.desc;
        Datum d = val_str(dsc->p ? dsc->p : "", dsc->len);
        row[pd->slot_desc] = datum_copy(rs->pool, &d);
        buf_free(dsc);
    }
    buf_free(&b);
    free(hits);
}

/* ===== the family merge ===== */

/* A template's key at one position of the merge: its length and the hashes of the tokens
 * before and after the position; equal keys are checked token by token (same_but). */
typedef struct FamKey {
    uint64_t key;
    size_t i; /* the template (t is in output order: the first of a family is the largest) */
} FamKey;

static int cmp_famkeys(const void *a, const void *b)
{
    const FamKey *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static uint64_t mix(uint64_t h, uint64_t x)
{
    h = (h ^ x) * 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 29);
}

/* Do a and b hold the same tokens at every position but p? */
static int same_but(const Tmpl *a, const Tmpl *b, int p)
{
    if (a->n != b->n)
        return 0;
    for (int q = 0; q < a->n; q++)
        if (q != p && (a->tl[q] != b->tl[q] || memcmp(a->tok[q], b->tok[q], a->tl[q]) != 0))
            return 0;
    return 1;
}

/* Merges the family fam[0..n) (templates equal but at position p, in t order) into its first,
 * with a wildcard at p. */
static void merge_family(Tmpl *t, const size_t *fam, size_t n, int p)
{
    size_t head = fam[0]; /* the largest member: t is sorted by count */
    widen(&t[head], p);
    t[head].tok[p] = (char *)(uintptr_t)WILD;
    t[head].tl[p] = 1;
    for (size_t m = 1; m < n; m++) {
        size_t j = fam[m];
        t[head].count += t[j].count;
        t[head].prev += t[j].prev;
        if (t[j].first < t[head].first)
            t[head].first = t[j].first;
        t[j].alive = 0;
        widen(&t[j], p);
        if (t[j].an && !t[head].an) {
            t[head].an = t[j].an;
        } else if (t[j].an) {
            an_merge(t[head].an, t[j].an);
            an_free(t[j].an);
        }
        t[j].an = NULL;
    }
}

/* Merges families, position by position from the first: templates that agree everywhere but
 * one position, when at least MIN_FAMILY of them do (then that position holds a variable:
 * user names, host names), join the largest of them with a wildcard there. Two or three
 * alternatives (Started, Stopped) stay apart. The merge stops at the first position where no
 * template of 3 tokens or more has a word (not a wildcard).
 *
 * Cost: templates may hold any number of tokens (a long line is not cut), so a position's
 * families are found by sorting keys made of running hashes -- the tokens before p as they
 * stand (merges at earlier positions put wildcards there), the tokens after p as split (not
 * changed yet) -- rather than by spelling every template out at every position:
 * O(positions * templates * log templates), plus a token-by-token check of equal keys. */
static void merge_families(Tmpl *t, size_t nt)
{
    int maxn = 0;
    for (size_t i = 0; i < nt; i++)
        if (t[i].n > maxn)
            maxn = t[i].n;
    uint64_t *pre = mem_calloc(nt + 1, sizeof(uint64_t)); /* tokens [0, p) */
    uint64_t **suf = mem_calloc(nt + 1, sizeof(uint64_t *)); /* suf[i][p]: tokens (p, n) */
    FamKey *keys = mem_alloc(sizeof(FamKey) * (nt + 1));
    size_t *fam = mem_alloc(sizeof(size_t) * (nt + 1)), *rest = mem_alloc(sizeof(size_t) * (nt + 1));
    for (size_t i = 0; i < nt; i++) {
        if (t[i].n < 3)
            continue; /* never in a family */
        suf[i] = mem_alloc(sizeof(uint64_t) * (size_t)t[i].n);
        uint64_t h = 0x243F6A8885A308D3ULL;
        for (int k = t[i].n - 1; k >= 0; k--) {
            suf[i][k] = h;
            h = mix(h, fnv(t[i].tok[k], t[i].tl[k]));
        }
    }
    for (int p = 0; p < maxn; p++) {
        size_t nk = 0;
        for (size_t i = 0; i < nt; i++)
            if (t[i].alive && t[i].n > p && t[i].n >= 3 && !is_wild(t[i].tok[p], t[i].tl[p]))
                keys[nk++] = (FamKey){mix(mix((uint64_t)t[i].n, pre[i]), suf[i][p]), i};
        if (!nk)
            break;
        qsort(keys, nk, sizeof(FamKey), cmp_famkeys);
        for (size_t a = 0, b; a < nk; a = b) {
            for (b = a + 1; b < nk && keys[b].key == keys[a].key;)
                b++;
            if (b - a < MIN_FAMILY)
                continue;
            /* the run's templates, split into classes of true equality (a hash may collide) */
            size_t nrest = b - a;
            for (size_t k = 0; k < nrest; k++)
                rest[k] = keys[a + k].i;
            while (nrest >= MIN_FAMILY) {
                size_t nf = 0, left = 0;
                for (size_t k = 0; k < nrest; k++)
                    if (nf == 0 || same_but(&t[fam[0]], &t[rest[k]], p))
                        fam[nf++] = rest[k];
                    else
                        rest[left++] = rest[k];
                if (nf >= MIN_FAMILY)
                    merge_family(t, fam, nf, p);
                nrest = left;
            }
        }
        for (size_t i = 0; i < nt; i++)
            if (t[i].alive && t[i].n > p && suf[i])
                pre[i] = mix(pre[i], fnv(t[i].tok[p], t[i].tl[p]));
    }
    for (size_t i = 0; i < nt; i++)
        free(suf[i]);
    free(suf);
    free(pre);
    free(keys);
    free(fam);
    free(rest);
}

static RowSet *pattern_finalize(const Op *op, const OpCtx *ctx, OpState *g)
{
    const PatternData *pd = op->data;
    GSet *s = g;
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    Tmpl *t = mem_calloc(s->n + 1, sizeof(Tmpl));
    int64_t total = 0;
    for (size_t i = 0; i < s->n; i++) {
        t[i].n = split_tmpl(pool, s->g[i].tmpl, s->g[i].len, &t[i].tok, &t[i].tl);
        t[i].count = s->g[i].count;
        t[i].prev = s->g[i].prev;
        t[i].first = s->g[i].first;
        t[i].alive = 1;
        t[i].an = s->g[i].an;
        s->g[i].an = NULL;
        total += t[i].count;
    }
    qsort(t, s->n, sizeof(Tmpl), cmp_groups);
    merge_families(t, s->n);
    /* merged templates may now be out of order: sort the survivors again */
    size_t m = 0;
    for (size_t i = 0; i < s->n; i++)
        if (t[i].alive)
            t[m++] = t[i];
    qsort(t, m, sizeof(Tmpl), cmp_groups);
    RowSet *rs = rowset_new(op->plan->nslots);
    if (pd->anomaly) {
        anomaly_rows(op, ctx, s, t, m, total, rs);
    } else {
        LiqBuf b = {0};
        for (size_t i = 0; i < m; i++)
            pattern_row(pd, rs, rowset_add_row(rs, i), &t[i], total, &b);
        buf_free(&b);
    }
    for (size_t i = 0; i < m; i++) /* the others were merged into these */
        an_free(t[i].an);
    free(t);
    apr_pool_destroy(pool);
    rowset_charge(rs, ctx, s->charged, "pattern");
    gset_free(s);
    return rs;
}

static const OpVTable pattern_vt = {
    .name = "pattern",
    .local_new = pattern_local_new,
    .global_new = pattern_global_new,
    .sink = pattern_sink,
    .combine = pattern_combine,
    .merge = pattern_merge,
    .copy = pattern_copy,
    .finalize = pattern_finalize,
    .state_free = pattern_state_free,
    .save = pattern_save,
    .load = pattern_load,
};

Op *op_pattern_new(Plan *p, Expr *src, const int slots[4], Expr *ts, DiffKind diff,
                   const int diff_slots[3], const int anomaly_slots[4])
{
    PatternData *pd = apr_pcalloc(p->pool, sizeof(*pd));
    pd->src = src;
    pd->slot_pattern = slots[0];
    pd->slot_ratio = slots[1];
    pd->slot_count = slots[2];
    pd->slot_sev = slots[3];
    pd->ts = ts;
    pd->diff = diff;
    if (diff != DIFF_NONE) {
        pd->slot_prev = diff_slots[0];
        pd->slot_change = diff_slots[1];
        pd->slot_type = diff_slots[2];
    }
    if (anomaly_slots) {
        pd->anomaly = 1;
        pd->slot_atype = anomaly_slots[0];
        pd->slot_prio = anomaly_slots[1];
        pd->slot_ts = anomaly_slots[2];
        pd->slot_desc = anomaly_slots[3];
    }
    return op_new(p, &pattern_vt, pd);
}
