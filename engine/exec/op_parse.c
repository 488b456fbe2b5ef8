/* op_parse.c -- parse operator: extracts fields from a value with a glob or a regex
 *
 * A glob pattern (L7) is compiled to a regex: literal text escaped, every '*' but the last a
 * lazy capture (.*?), a '*' that ends the pattern a greedy one (.*); matching is an unanchored
 * leftmost search, and '*' also spans newlines. The same match is found faster without the
 * regex (glob_match): the first occurrence of each literal piece after the previous one
 * (memchr/memmem), which is the regex's choice too -- an earlier piece only leaves more room
 * to the ones after it. That holds where the regex's '.' matches every byte, so the fast way
 * is taken when the matched span is ASCII (the regex runs in UTF mode, where '.' never
 * matches invalid UTF-8); other rows go through the regex. A regex pattern yields its named groups, or the
 * groups named by 'as'. Rows that do not match are kept with the new fields null (§3.7).
 * Extracted values are strings. They point into the source value when it lives as long as the
 * batch; otherwise they are copied into the batch pool.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <apr_strings.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "engine/exec/op.h"
#include "engine/data/jdom.h"
#include "engine/exec/rx.h"

typedef enum { PM_MATCH, PM_LOGFMT, PM_CSV, PM_MULTI } ParseMode;

typedef struct ParseData {
    ParseMode mode;
    Expr *src;
    const Rx *rx;       /* PM_MATCH, PM_MULTI */
    int n;
    const int *groups;  /* capture group of each output */
    const char **names; /* PM_MULTI: the key of each group in the match maps */
    const int *slots;   /* slot of each output (PM_MULTI: one, the list of matches) */
    /* a glob pattern: its literal pieces around the stars (nlit = stars + 1) */
    int nlit;
    const char **lit;
    const size_t *litlen;
    int greedy_end;     /* the pattern ends with a star: the last capture takes the rest */
} ParseData;

typedef struct ParseLocal {
    ExprState *st;
    RxMatch *m;
    LiqBuf scratch;
    uint8_t *live; /* PM_MATCH: is output k read by an expression or shown? (else left null) */
    /* per batch and row, one entry per output (sized from the plan: any number of names) */
    Datum **cols;  /* the output columns */
    int *livek;    /* PM_MATCH: the outputs that are live */
    size_t *cap;   /* PM_MATCH: the glob's captures, two offsets each */
    Datum *f;      /* PM_CSV: one record's fields */
} ParseLocal;

static OpLocal *parse_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    const ParseData *pd = op->data;
    ParseLocal *l = apr_pcalloc(pool, sizeof(*l));
    l->st = expr_state_new(pool, pd->src, ctx->rx);
    l->m = pd->rx ? rx_match_new(pool, pd->rx, ctx->rx) : NULL;
    l->cols = apr_pcalloc(pool, sizeof(Datum *) * (size_t)(pd->n + 1));
    l->livek = apr_pcalloc(pool, sizeof(int) * (size_t)(pd->n + 1));
    l->cap = apr_pcalloc(pool, sizeof(size_t) * 2 * (size_t)(pd->n + 1));
    l->f = apr_pcalloc(pool, sizeof(Datum) * (size_t)(pd->n + 1));
    if (pd->mode == PM_MATCH) { /* the plan is complete by now: see who reads each output */
        const Plan *p = op->plan;
        l->live = apr_pcalloc(pool, (size_t)pd->n + 1);
        for (int k = 0; k < pd->n; k++) {
            l->live[k] = p->slots[pd->slots[k]].read != 0;
            for (int v = 0; v < p->nvis && !l->live[k]; v++)
                l->live[k] = p->vis[v].slot == pd->slots[k];
        }
    }
    return l;
}

/* ===== node building for logfmt maps and multi match lists ===== */

static JdNode *jnode(apr_pool_t *pool, JdType t)
{
    JdNode *n = apr_pcalloc(pool, sizeof(*n));
    n->type = t;
    return n;
}

static void jpush(apr_pool_t *pool, JdNode *parent, size_t *cap, const char *key, size_t kl,
                  JdNode *kid)
{
    if (parent->n == *cap) {
        size_t c = *cap ? *cap * 2 : 8;
        JdNode **k = apr_palloc(pool, sizeof(*k) * c);
        const char **ks = apr_palloc(pool, sizeof(*ks) * c);
        size_t *kls = apr_palloc(pool, sizeof(*kls) * c);
        if (parent->n) {
            memcpy(k, parent->kids, sizeof(*k) * parent->n);
            if (parent->keys) {
                memcpy(ks, parent->keys, sizeof(*ks) * parent->n);
                memcpy(kls, parent->keylens, sizeof(*kls) * parent->n);
            }
        }
        parent->kids = k;
        if (parent->type == JD_OBJ) {
            parent->keys = ks;
            parent->keylens = kls;
        }
        *cap = c;
    }
    if (parent->type == JD_OBJ) {
        parent->keys[parent->n] = key;
        parent->keylens[parent->n] = kl;
    }
    parent->kids[parent->n++] = kid;
}

static JdNode *jstr(apr_pool_t *pool, const char *s, size_t n)
{
    JdNode *v = jnode(pool, JD_STR);
    v->s = s;
    v->len = n;
    return v;
}

/* logfmt: key=value pairs separated by spaces; "quoted values" may hold spaces and \"; a key
 * without '=' is true. Values are strings (parse results are strings, §3.7). */
static JdNode *logfmt(apr_pool_t *pool, const char *s, size_t n)
{
    JdNode *m = jnode(pool, JD_OBJ);
    size_t cap = 0, i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        size_t kb = i;
        while (i < n && s[i] != '=' && s[i] != ' ' && s[i] != '\t')
            i++;
        size_t kl = i - kb;
        if (!kl) {
            i++;
            continue;
        }
        if (i >= n || s[i] != '=') {
            jpush(pool, m, &cap, s + kb, kl, jstr(pool, "true", 4));
            continue;
        }
        i++; /* '=' */
        if (i < n && s[i] == '"') {
            char *v = apr_palloc(pool, n - i + 1);
            size_t vl = 0;
            for (i++; i < n && s[i] != '"'; i++) {
                if (s[i] == '\\' && i + 1 < n)
                    i++;
                v[vl++] = s[i];
            }
            i++; /* closing quote */
            jpush(pool, m, &cap, s + kb, kl, jstr(pool, v, vl));
        } else {
            size_t vb = i;
            while (i < n && s[i] != ' ' && s[i] != '\t')
                i++;
            jpush(pool, m, &cap, s + kb, kl, jstr(pool, s + vb, i - vb));
        }
    }
    return m;
}

/* One CSV record (RFC 4180 quoting) into at most max fields; returns the count. */
static int csv_fields(apr_pool_t *pool, const char *s, size_t n, Datum *out, int max)
{
    int k = 0;
    size_t i = 0;
    while (k < max) {
        if (i < n && s[i] == '"') {
            char *v = apr_palloc(pool, n - i + 1);
            size_t vl = 0;
            for (i++; i < n; i++) {
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        v[vl++] = '"';
                        i++;
                        continue;
                    }
                    i++;
                    break;
                }
                v[vl++] = s[i];
            }
            out[k++] = val_str(v, vl);
            while (i < n && s[i] != ',')
                i++;
        } else {
            size_t b = i;
            while (i < n && s[i] != ',')
                i++;
            out[k++] = val_str(s + b, i - b);
        }
        if (i >= n)
            break;
        i++; /* ',' */
    }
    return k;
}

static int ascii(const char *s, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    for (; i + 64 <= n; i += 64) { /* one test per 64 bytes: lines are mostly ASCII */
        __m128i a = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(s + i)),
                                 _mm_loadu_si128((const __m128i *)(const void *)(s + i + 16)));
        __m128i b = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(s + i + 32)),
                                 _mm_loadu_si128((const __m128i *)(const void *)(s + i + 48)));
        if (_mm_movemask_epi8(_mm_or_si128(a, b)))
            return 0;
    }
    for (; i + 16 <= n; i += 16)
        if (_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + i))))
            return 0;
#endif
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ULL)
            return 0;
    }
    for (; i < n; i++)
        if ((unsigned char)s[i] & 0x80)
            return 0;
    return 1;
}

/* memchr, inline: the next piece of a glob is usually a few bytes away, where the call
 * itself would cost more than the search. */
static inline const char *byte_find(const char *h, size_t n, char c)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i v = _mm_set1_epi8(c);
    for (; i + 16 <= n; i += 16) {
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(h + i)), v));
        if (m)
            return h + i + __builtin_ctz(m);
    }
#endif
    for (; i < n; i++)
        if (h[i] == c)
            return h + i;
    return NULL;
}

/* The first nd in h. Pieces of a glob are short and lines are short: memchr for the first byte
 * and a compare beats memmem's set-up (at worst hn * nn for a pathological line). */
static const char *find(const char *h, size_t hn, const char *nd, size_t nn)
{
    if (nn == 0)
        return h;
    const char *end = h + hn;
    while ((size_t)(end - h) >= nn) {
        const char *q = byte_find(h, (size_t)(end - h) - nn + 1, nd[0]);
        if (!q)
            return NULL;
        size_t k = 1; /* pieces are short: no call for the compare */
        while (k < nn && q[k] == nd[k])
            k++;
        if (k == nn)
            return q;
        h = q + 1;
    }
    return NULL;
}

/* The glob's match in text (see the file comment): the captures into cap[2k], cap[2k+1].
 * Returns 1 on a match, 0 on none, -1 when the regex must decide (non-ASCII span). */
static int glob_match(const ParseData *pd, const char *text, size_t len, size_t *cap)
{
    const char *p = find(text, len, pd->lit[0], pd->litlen[0]), *end = text + len;
    if (!p)
        return 0;
    const char *start = p;
    p += pd->litlen[0];
    for (int k = 1; k < pd->nlit; k++) {
        cap[2 * k - 2] = (size_t)(p - text);
        if (k == pd->nlit - 1 && pd->greedy_end) {
            p = end;
        } else {
            const char *q = find(p, (size_t)(end - p), pd->lit[k], pd->litlen[k]);
            if (!q)
                return ascii(start, len - (size_t)(start - text)) ? 0 : -1;
            p = q;
        }
        cap[2 * k - 1] = (size_t)(p - text);
        p += pd->litlen[k];
    }
    return ascii(start, (size_t)(p - start)) ? 1 : -1;
}

static void parse_execute(const Op *op, OpLocal *lp, Batch *b)
{
    const ParseData *pd = op->data;
    ParseLocal *l = lp;
    Vec *src = expr_eval(pd->src, l->st, b);
    if (pd->mode != PM_MATCH) {
        int n = pd->mode == PM_CSV ? pd->n : 1;
        Datum **cols = l->cols;
        for (int k = 0; k < n; k++) {
            Vec *v = &b->cols[pd->slots[k]];
            v->d = apr_palloc(b->pool, sizeof(Datum) * b->nrows);
            v->isconst = 0;
            v->loaded = 1;
            cols[k] = v->d;
        }
        FOR_ROWS(b)
        {
            const Datum *d = VGET(src, row);
            size_t len;
            const char *text = d->type == VT_NULL ? NULL : val_text(d, &l->scratch, &len);
            if (text && !(d->type == VT_STR || (d->type == VT_NUM && d->s)))
                text = apr_pstrmemdup(b->pool, text, len); /* outlive the scratch buffer */
            if (pd->mode == PM_LOGFMT) {
                cols[0][row] = text ? val_json(logfmt(b->pool, text, len)) : val_null();
            } else if (pd->mode == PM_CSV) {
                Datum *f = l->f;
                int got = text ? csv_fields(b->pool, text, len, f, n) : 0;
                for (int k = 0; k < n; k++)
                    cols[k][row] = k < got ? f[k] : val_null();
            } else { /* PM_MULTI: the list of every match, each a map of its groups */
                JdNode *list = jnode(b->pool, JD_ARR);
                size_t cap = 0, pos = 0;
                while (text && pos <= len && rx_search_at(pd->rx, l->m, text, len, pos)) {
                    size_t ms, me;
                    rx_span(l->m, &ms, &me);
                    JdNode *m = jnode(b->pool, JD_OBJ);
                    size_t mcap = 0;
                    for (int k = 0; k < pd->n; k++) {
                        size_t gs, ge;
                        if (rx_group(l->m, pd->groups[k], &gs, &ge))
                            jpush(b->pool, m, &mcap, pd->names[k], strlen(pd->names[k]),
                                  jstr(b->pool, text + gs, ge - gs));
                    }
                    jpush(b->pool, list, &cap, NULL, 0, m);
                    pos = me > ms ? me : me + 1;
                }
                cols[0][row] = val_json(list);
            }
        }
        return;
    }
    Datum **cols = l->cols;
    int n = pd->n, *live = l->livek, nlive = 0;
    for (int k = 0; k < n; k++) {
        Vec *v = &b->cols[pd->slots[k]];
        v->loaded = 1;
        if (!l->live[k]) { /* nothing reads it: one null for the batch, no capture copied */
            v->d = apr_palloc(b->pool, sizeof(Datum));
            v->d[0] = val_null();
            v->isconst = 1;
            continue;
        }
        v->d = apr_palloc(b->pool, sizeof(Datum) * b->nrows);
        v->isconst = 0;
        cols[k] = v->d;
        live[nlive++] = k;
    }
    size_t *cap = l->cap;
    FOR_ROWS(b)
    {
        const Datum *d = VGET(src, row);
        size_t len;
        const char *text = d->type == VT_NULL ? NULL : val_text(d, &l->scratch, &len);
        int fast = text && pd->nlit ? glob_match(pd, text, len, cap) : -1;
        int hit = fast >= 0 ? fast : text && rx_search(pd->rx, l->m, text, len);
        int stable = d->type == VT_STR || (d->type == VT_NUM && d->s);
        for (int j = 0; j < nlive; j++) {
            int k = live[j];
            size_t s, e;
            if (fast >= 0 && hit) {
                s = cap[2 * (pd->groups[k] - 1)];
                e = cap[2 * (pd->groups[k] - 1) + 1];
            } else if (!hit || !rx_group(l->m, pd->groups[k], &s, &e)) {
                cols[k][row] = val_null();
                continue;
            }
            const char *p = text + s;
            if (!stable)
                p = apr_pstrmemdup(b->pool, p, e - s);
            cols[k][row] = val_str(p, e - s);
        }
    }
}

static const OpVTable parse_vt = {
    .name = "parse",
    .local_new = parse_local_new,
    .execute = parse_execute,
};

/* The regex of a glob pattern (see the file comment). */
static char *glob_regex(apr_pool_t *pool, const char *g, size_t n, size_t *outlen)
{
    char *r = apr_palloc(pool, n * 2 + 16 * (n + 1) + 1);
    size_t o = 0;
    size_t last_star = n;
    for (size_t i = 0; i < n; i++)
        if (g[i] == '*')
            last_star = i;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)g[i];
        if (c == '*') {
            const char *cap = (i == last_star && i == n - 1) ? "(.*)" : "(.*?)";
            memcpy(r + o, cap, strlen(cap));
            o += strlen(cap);
        } else if (c < 0x80 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                                   (c >= 'A' && c <= 'Z') || c == ' ')) {
            if (c == '\n') {
                r[o++] = '\\';
                r[o++] = 'n';
            } else if (c == 0) {
                memcpy(r + o, "\\x00", 4);
                o += 4;
            } else {
                r[o++] = '\\';
                r[o++] = (char)c;
            }
        } else {
            r[o++] = (char)c;
        }
    }
    r[o] = 0;
    *outlen = o;
    return r;
}

/* parse logfmt / csv: no pattern; the names are the outputs. */
static Op *mode_op(Plan *p, Expr *src, ParseMode mode, const char *const *names, int n,
                   int **out_slots, const char ***out_names, int *nout)
{
    apr_pool_t *pool = p->pool;
    int *slots = apr_palloc(pool, sizeof(int) * (size_t)(n + 1));
    const char **nm = apr_palloc(pool, sizeof(char *) * (size_t)(n + 1));
    for (int k = 0; k < n; k++) {
        nm[k] = names[k];
        slots[k] = plan_new_slot(p, nm[k], SLOT_COMPUTED);
    }
    ParseData *pd = apr_pcalloc(pool, sizeof(*pd));
    pd->mode = mode;
    pd->src = src;
    pd->n = n;
    pd->slots = slots;
    Op *op = op_new(p, &parse_vt, pd);
    *out_slots = slots;
    *out_names = nm;
    *nout = n;
    return op;
}

Op *op_parse_new(Plan *p, Expr *src, const ParsePattern *pat, const char *const *names,
                 int nnames, int multi, int *list_slot, int **out_slots, const char ***out_names,
                 int *nout, LiqDiagList *diags)
{
    apr_pool_t *pool = p->pool;
    if (pat->kind == PK_LOGFMT || pat->kind == PK_CSV)
        return mode_op(p, src, pat->kind == PK_LOGFMT ? PM_LOGFMT : PM_CSV, names, nnames,
                       out_slots, out_names, nout);
    char err[256];
    size_t off = 0, rlen;
    const char *re;
    int flags = 0;
    if (pat->kind == PK_GLOB) {
        re = glob_regex(pool, pat->text, pat->len, &rlen);
        flags = RX_DOTALL;
    } else {
        re = pat->text;
        rlen = pat->len;
    }
    const Rx *rx = rx_compile(pool, re, rlen, flags, &off, err, sizeof(err));
    if (!rx) {
        LiqSpan at = pat->span;
        if (pat->kind == PK_REGEX) {
            at.start = pat->span.start + 1 + (uint32_t)off;
            if (at.start >= pat->span.end)
                at.start = pat->span.end - 1;
            at.end = at.start + 1;
        }
        diag_add(diags, DIAG_ERROR, &at, "invalid regex: %s", err);
        return NULL;
    }
    int n;
    const char **nm;
    int *groups;
    if (nnames > 0) {
        int ncap = rx_ncaptures(rx);
        if (pat->kind == PK_REGEX && ncap != nnames) {
            LiqDiag *d = diag_add(diags, DIAG_ERROR, &pat->span,
                                  "the regex has %d capture group%s but %d name%s follow%s 'as'",
                                  ncap, ncap == 1 ? "" : "s", nnames, nnames == 1 ? "" : "s",
                                  nnames == 1 ? "s" : "");
            diag_hint(diags, d, "give one name for each group in parentheses");
            return NULL;
        }
        n = nnames;
        nm = apr_palloc(pool, sizeof(char *) * (size_t)n);
        groups = apr_palloc(pool, sizeof(int) * (size_t)n);
        for (int k = 0; k < n; k++) {
            nm[k] = names[k];
            groups[k] = k + 1;
        }
    } else {
        /* named groups are capture groups: at most rx_ncaptures of them */
        int maxn = rx_ncaptures(rx) + 1;
        const char **tn = apr_palloc(pool, sizeof(char *) * (size_t)maxn);
        int *tg = apr_palloc(pool, sizeof(int) * (size_t)maxn);
        n = rx_named_groups(rx, tn, tg, maxn);
        if (n == 0) {
            LiqDiag *d = diag_add(diags, DIAG_ERROR, &pat->span,
                                  "the regex has no named groups to extract");
            diag_hint(diags, d, "name each value with (?<name>...), or list names after 'as'");
            return NULL;
        }
        nm = apr_palloc(pool, sizeof(char *) * (size_t)n);
        groups = apr_palloc(pool, sizeof(int) * (size_t)n);
        for (int k = 0; k < n; k++) {
            nm[k] = apr_pstrdup(pool, tn[k]);
            groups[k] = tg[k];
        }
    }
    int *slots = apr_palloc(pool, sizeof(int) * (size_t)n);
    ParseData *pd = apr_pcalloc(pool, sizeof(*pd));
    if (multi) { /* one slot: the list of matches; the caller unnests it (see plan/build.c) */
        pd->mode = PM_MULTI;
        *list_slot = plan_new_slot(p, "(parse matches)", SLOT_COMPUTED);
        for (int k = 0; k < n; k++)
            slots[k] = -1;
        int *ls = apr_palloc(pool, sizeof(int));
        *ls = *list_slot;
        pd->slots = ls;
    } else {
        for (int k = 0; k < n; k++)
            slots[k] = plan_new_slot(p, nm[k], SLOT_COMPUTED);
        pd->slots = slots;
    }
    if (pat->kind == PK_GLOB && !multi && n == rx_ncaptures(rx)) {
        /* the glob's literal pieces, for glob_match */
        const char **lit = apr_palloc(pool, sizeof(char *) * (size_t)(n + 1));
        size_t *ll = apr_palloc(pool, sizeof(size_t) * (size_t)(n + 1));
        int k = 0;
        size_t from = 0;
        for (size_t i = 0; i <= pat->len; i++)
            if (i == pat->len || pat->text[i] == '*') {
                lit[k] = pat->text + from;
                ll[k++] = i - from;
                from = i + 1;
            }
        if (k == n + 1) {
            pd->nlit = k;
            pd->lit = lit;
            pd->litlen = ll;
            pd->greedy_end = pat->len && pat->text[pat->len - 1] == '*';
        }
    }
    pd->names = nm;
    pd->src = src;
    pd->rx = rx;
    pd->n = n;
    pd->groups = groups;
    Op *op = op_new(p, &parse_vt, pd);
    *out_slots = slots;
    *out_names = nm;
    *nout = n;
    return op;
}
