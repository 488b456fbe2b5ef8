/* op_parse.c -- parse operator: extracts fields from a value with a glob or a regex
 *
 * A glob pattern (L7) is compiled to a regex: literal text escaped, every '*' but the last a
 * lazy capture (.*?), a '*' that ends the pattern a greedy one (.*); matching is an unanchored
 * leftmost search, and '*' also spans newlines. A regex pattern yields its named groups, or the
 * groups named by 'as'. Rows that do not match are kept with the new fields null (§3.7).
 * Extracted values are strings. They point into the source value when it lives as long as the
 * batch; otherwise they are copied into the batch pool.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <apr_strings.h>
#include <string.h>
#include "engine/op.h"
#include "engine/rx.h"

typedef struct ParseData {
    Expr *src;
    const Rx *rx;
    int n;
    const int *groups; /* capture group of each output */
    const int *slots;  /* slot of each output */
} ParseData;

typedef struct ParseLocal {
    ExprState *st;
    RxMatch *m;
    LiqBuf scratch;
} ParseLocal;

static OpLocal *parse_local_new(const Op *op, apr_pool_t *pool)
{
    const ParseData *pd = op->data;
    ParseLocal *l = apr_pcalloc(pool, sizeof(*l));
    l->st = expr_state_new(pool, pd->src);
    l->m = rx_match_new(pool, pd->rx);
    return l;
}

static void parse_execute(const Op *op, OpLocal *lp, Batch *b)
{
    const ParseData *pd = op->data;
    ParseLocal *l = lp;
    Vec *src = expr_eval(pd->src, l->st, b);
    Datum *cols[64];
    int n = pd->n < 64 ? pd->n : 64;
    for (int k = 0; k < n; k++) {
        Vec *v = &b->cols[pd->slots[k]];
        v->d = apr_palloc(b->pool, sizeof(Datum) * b->nrows);
        v->isconst = 0;
        v->loaded = 1;
        cols[k] = v->d;
    }
    for (uint32_t i = 0; i < b->nsel; i++) {
        SelIdx row = b->sel[i];
        const Datum *d = VGET(src, row);
        size_t len;
        const char *text = d->type == VT_NULL ? NULL : val_text(d, &l->scratch, &len);
        int hit = text && rx_search(pd->rx, l->m, text, len);
        int stable = d->type == VT_STR || (d->type == VT_NUM && d->s);
        for (int k = 0; k < n; k++) {
            size_t s, e;
            if (!hit || !rx_group(l->m, pd->groups[k], &s, &e)) {
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

Op *op_parse_new(Plan *p, Expr *src, const AstNode *pat, const AstNode *names, int **out_slots,
                 const char ***out_names, int *nout, LiqDiagList *diags)
{
    apr_pool_t *pool = p->pool;
    char err[256];
    size_t off = 0, rlen;
    const char *re;
    int flags = 0;
    if (pat->kind == AST_STR) {
        re = glob_regex(pool, pat->str, pat->len, &rlen);
        flags = RX_DOTALL;
    } else {
        re = pat->str;
        rlen = pat->len;
    }
    const Rx *rx = rx_compile(pool, re, rlen, flags, &off, err, sizeof(err));
    if (!rx) {
        LiqSpan at = pat->span;
        if (pat->kind == AST_REGEX) {
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
    if (names->nkids > 0) {
        int ncap = rx_ncaptures(rx);
        if (pat->kind == AST_REGEX && ncap != (int)names->nkids) {
            LiqDiag *d = diag_add(diags, DIAG_ERROR, &pat->span,
                                  "the regex has %d capture group%s but %u name%s follow%s 'as'",
                                  ncap, ncap == 1 ? "" : "s", names->nkids,
                                  names->nkids == 1 ? "" : "s", names->nkids == 1 ? "s" : "");
            diag_hint(diags, d, "give one name for each group in parentheses");
            return NULL;
        }
        n = (int)names->nkids;
        nm = apr_palloc(pool, sizeof(char *) * (size_t)n);
        groups = apr_palloc(pool, sizeof(int) * (size_t)n);
        for (int k = 0; k < n; k++) {
            nm[k] = names->kids[k]->str;
            groups[k] = k + 1;
        }
    } else {
        enum { MAXN = 64 };
        const char *tn[MAXN];
        int tg[MAXN];
        n = rx_named_groups(rx, tn, tg, MAXN);
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
    for (int k = 0; k < n; k++)
        slots[k] = plan_new_slot(p, nm[k], SLOT_COMPUTED);
    ParseData *pd = apr_pcalloc(pool, sizeof(*pd));
    pd->src = src;
    pd->rx = rx;
    pd->n = n;
    pd->groups = groups;
    pd->slots = slots;
    Op *op = apr_pcalloc(pool, sizeof(*op));
    op->vt = &parse_vt;
    op->plan = p;
    op->data = pd;
    op->limit = -1;
    *out_slots = slots;
    *out_names = nm;
    *nout = n;
    return op;
}
