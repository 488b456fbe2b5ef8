/* op_lookup.c -- lookup: enriches rows from a CSV lookup table (issue 13)
 *
 * `lookup TABLE col [as field] [, ...] OUTPUT|OUTPUTNEW out [, ...]`: for each row, the table row
 * whose match columns equal the row's match fields (exact, case-sensitive, every column: AND)
 * gives the output columns. OUTPUT writes them (null when no row matches); OUTPUTNEW writes a
 * column only where the row's field is absent or null, and leaves it alone when nothing
 * matches. A log value matches as the text liq prints for it (a number as written in the
 * input); a null or absent field matches nothing. When several table rows have the same key,
 * the first one counts (as in a Splunk lookup).
 *
 * The table (lookup_table_load: RFC 4180 CSV with a header row, UTF-8 byte order mark
 * skipped) and its hash index live in the plan pool, built once when the query compiles: a
 * run only reads them, so memory grows with the table and not with the input. Output values
 * point into the table (strings that outlive every batch); an empty cell is null.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "engine/exec/op.h"

/* ===== The table ===== */

/* Splits the CSV text into cells; returns 0 with the reason in why (line numbers from 1). */
static int csv_read(apr_pool_t *pool, const char *s, size_t n, LookupTable *t, char *why,
                    size_t whylen)
{
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        n -= 3;
    }
    size_t cap = 64, ncells = 0, rowstart = 0;
    const char **cells = mem_alloc(cap * sizeof(char *));
    uint32_t *lens = mem_alloc(cap * sizeof(uint32_t));
    int ncols = -1;
    size_t line = 1, rowline = 1;
    size_t i = 0;
    LiqBuf cell = {0};
    int ok = 1;
    while (i < n && ok) {
        /* one row */
        rowline = line;
        rowstart = ncells;
        for (;;) {
            cell.len = 0;
            int quoted = 0;
            if (i < n && s[i] == '"') {
                quoted = 1;
                i++;
                for (;;) {
                    if (i >= n) {
                        snprintf(why, whylen, "line %zu: a quoted cell has no closing '\"'",
                                 rowline);
                        ok = 0;
                        break;
                    }
                    if (s[i] == '"') {
                        if (i + 1 < n && s[i + 1] == '"') {
                            buf_addc(&cell, '"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (s[i] == '\n')
                        line++;
                    buf_addc(&cell, s[i++]);
                }
                if (!ok)
                    break;
                if (i < n && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
                    snprintf(why, whylen, "line %zu: text after a quoted cell's closing '\"'",
                             line);
                    ok = 0;
                    break;
                }
            } else {
                size_t st = i;
                while (i < n && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
                    i++;
                buf_add(&cell, s + st, i - st);
            }
            if (ncells == cap) {
                cap *= 2;
                cells = mem_realloc(cells, cap * sizeof(char *));
                lens = mem_realloc(lens, cap * sizeof(uint32_t));
            }
            (void)quoted;
            cells[ncells] = cell.len ? apr_pstrmemdup(pool, cell.p, cell.len) : NULL;
            lens[ncells++] = (uint32_t)cell.len;
            if (i < n && s[i] == ',') {
                i++;
                continue;
            }
            break;
        }
        if (!ok)
            break;
        if (i < n && s[i] == '\r')
            i++;
        if (i < n && s[i] == '\n')
            i++;
        line++;
        size_t got = ncells - rowstart;
        if (got == 1 && !cells[rowstart]) { /* a blank line */
            ncells = rowstart;
            continue;
        }
        if (ncols < 0) {
            ncols = (int)got;
            continue;
        }
        if (got != (size_t)ncols) {
            snprintf(why, whylen, "line %zu has %zu cells, the header row has %d", rowline, got,
                     ncols);
            ok = 0;
        }
    }
    buf_free(&cell);
    if (ok && ncols < 0) {
        snprintf(why, whylen, "%s", "the table is empty: it needs a header row");
        ok = 0;
    }
    if (ok) {
        t->ncols = ncols;
        t->cols = apr_palloc(pool, sizeof(char *) * (size_t)ncols);
        for (int c = 0; c < ncols; c++) {
            if (!cells[c]) {
                snprintf(why, whylen, "column %d of the header row has no name", c + 1);
                ok = 0;
                break;
            }
            t->cols[c] = cells[c];
        }
    }
    if (ok) {
        t->nrows = ncells / (size_t)ncols - 1;
        size_t nc = ncells - (size_t)ncols;
        t->cells = apr_palloc(pool, sizeof(char *) * (nc + 1));
        t->lens = apr_palloc(pool, sizeof(uint32_t) * (nc + 1));
        memcpy(t->cells, cells + ncols, sizeof(char *) * nc);
        memcpy(t->lens, lens + ncols, sizeof(uint32_t) * nc);
    }
    free(cells);
    free(lens);
    return ok;
}

LookupTable *lookup_table_load(apr_pool_t *pool, const char *name, const char *path, char *why,
                               size_t whylen)
{
    LiqBuf b = {0};
    int err = buf_read_file(&b, path);
    if (err) {
        snprintf(why, whylen, "%s: %s", path, strerror(err));
        buf_free(&b);
        return NULL;
    }
    LookupTable *t = apr_pcalloc(pool, sizeof(*t));
    t->name = apr_pstrdup(pool, name);
    t->path = apr_pstrdup(pool, path);
    t->bytes = b.len;
    char reason[256];
    int ok = csv_read(pool, b.p ? b.p : "", b.len, t, reason, sizeof(reason));
    buf_free(&b);
    if (!ok) {
        snprintf(why, whylen, "%s: %s", path, reason);
        return NULL;
    }
    return t;
}

int lookup_table_col(const LookupTable *t, const char *name, size_t len)
{
    for (int c = 0; c < t->ncols; c++)
        if (strlen(t->cols[c]) == len && memcmp(t->cols[c], name, len) == 0)
            return c;
    return -1;
}

/* ===== The index: key columns -> first row ===== */

typedef struct LookupData {
    const LookupTable *t;
    int nkeys;
    const int *key_cols;
    Expr **keys;      /* the log fields matched, one per key column */
    int nout;
    const int *out_cols;
    const int *out_slots;
    Expr **prev;      /* OUTPUTNEW: the value each output field has before (else NULL) */
    uint32_t *slots;  /* open addressing: table row + 1, 0 empty */
    uint64_t mask;
} LookupData;

static uint64_t mix(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    h = (h ^ (n & 0xff)) * 0x100000001b3ULL; /* the length ends the cell: "a","bc" != "ab","c" */
    return (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL;
}

static uint64_t row_hash(const LookupData *ld, size_t r)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    const LookupTable *t = ld->t;
    for (int k = 0; k < ld->nkeys; k++) {
        size_t c = r * (size_t)t->ncols + (size_t)ld->key_cols[k];
        h = mix(h, t->cells[c] ? t->cells[c] : "", t->lens[c]);
    }
    return h;
}

static int row_has_key(const LookupData *ld, size_t r, const char *const *kv, const uint32_t *kl)
{
    const LookupTable *t = ld->t;
    for (int k = 0; k < ld->nkeys; k++) {
        size_t c = r * (size_t)t->ncols + (size_t)ld->key_cols[k];
        if (!t->cells[c] || t->lens[c] != kl[k] || memcmp(t->cells[c], kv[k], kl[k]) != 0)
            return 0;
    }
    return 1;
}

static void index_build(apr_pool_t *pool, LookupData *ld)
{
    const LookupTable *t = ld->t;
    uint64_t cap = 16;
    while (cap < 2 * (uint64_t)t->nrows + 2)
        cap <<= 1;
    ld->slots = apr_pcalloc(pool, sizeof(uint32_t) * cap);
    ld->mask = cap - 1;
    const char **kv = apr_palloc(pool, sizeof(char *) * (size_t)(ld->nkeys + 1));
    uint32_t *kl = apr_palloc(pool, sizeof(uint32_t) * (size_t)(ld->nkeys + 1));
    for (size_t r = 0; r < t->nrows; r++) {
        int blank = 0; /* a row with an empty key cell matches nothing */
        for (int k = 0; k < ld->nkeys; k++)
            blank |= !t->cells[r * (size_t)t->ncols + (size_t)ld->key_cols[k]];
        if (blank)
            continue;
        for (int k = 0; k < ld->nkeys; k++) {
            size_t c = r * (size_t)t->ncols + (size_t)ld->key_cols[k];
            kv[k] = t->cells[c];
            kl[k] = t->lens[c];
        }
        uint64_t h = row_hash(ld, r) & ld->mask;
        int dup = 0;
        while (ld->slots[h]) {
            if (row_has_key(ld, ld->slots[h] - 1, kv, kl)) {
                dup = 1; /* the first row with a key wins */
                break;
            }
            h = (h + 1) & ld->mask;
        }
        if (!dup)
            ld->slots[h] = (uint32_t)r + 1;
    }
}

/* ===== The operator ===== */

typedef struct LookupLocal {
    ExprState **kst, **pst;
    LiqBuf *text; /* a key's text when it is not a string (one buffer per key) */
    const char **kv;
    uint32_t *kl;
    int nkeys;
} LookupLocal;

static apr_status_t local_free(void *p)
{
    LookupLocal *l = p;
    for (int k = 0; k < l->nkeys; k++)
        buf_free(&l->text[k]);
    return APR_SUCCESS;
}

static OpLocal *lookup_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    const LookupData *ld = op->data;
    LookupLocal *l = apr_pcalloc(pool, sizeof(*l));
    l->nkeys = ld->nkeys;
    apr_pool_cleanup_register(pool, l, local_free, apr_pool_cleanup_null); /* the key texts */
    l->kst = apr_pcalloc(pool, sizeof(ExprState *) * (size_t)ld->nkeys);
    for (int k = 0; k < ld->nkeys; k++)
        l->kst[k] = expr_state_new(pool, ld->keys[k], ctx->rx);
    l->pst = apr_pcalloc(pool, sizeof(ExprState *) * (size_t)(ld->nout + 1));
    for (int o = 0; o < ld->nout; o++)
        if (ld->prev[o])
            l->pst[o] = expr_state_new(pool, ld->prev[o], ctx->rx);
    l->text = apr_pcalloc(pool, sizeof(LiqBuf) * (size_t)ld->nkeys);
    l->kv = apr_pcalloc(pool, sizeof(char *) * (size_t)ld->nkeys);
    l->kl = apr_pcalloc(pool, sizeof(uint32_t) * (size_t)ld->nkeys);
    return l;
}

/* The table row matching the keys in l->kv/kl, or -1. */
static long probe(const LookupData *ld, const LookupLocal *l)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int k = 0; k < ld->nkeys; k++)
        h = mix(h, l->kv[k], l->kl[k]);
    h &= ld->mask;
    while (ld->slots[h]) {
        size_t r = ld->slots[h] - 1;
        if (row_has_key(ld, r, l->kv, l->kl))
            return (long)r;
        h = (h + 1) & ld->mask;
    }
    return -1;
}

static void lookup_execute(const Op *op, OpLocal *lp, Batch *b)
{
    const LookupData *ld = op->data;
    LookupLocal *l = lp;
    const LookupTable *t = ld->t;
    Vec **kvec = apr_palloc(b->pool, sizeof(Vec *) * (size_t)ld->nkeys);
    for (int k = 0; k < ld->nkeys; k++)
        kvec[k] = expr_eval(ld->keys[k], l->kst[k], b);
    Datum **out = apr_palloc(b->pool, sizeof(Datum *) * (size_t)ld->nout);
    Vec **prev = apr_pcalloc(b->pool, sizeof(Vec *) * (size_t)(ld->nout + 1));
    for (int o = 0; o < ld->nout; o++) {
        out[o] = apr_palloc(b->pool, sizeof(Datum) * b->nrows);
        if (ld->prev[o])
            prev[o] = expr_eval(ld->prev[o], l->pst[o], b);
    }
    FOR_ROWS(b)
    {
        int have = 1;
        for (int k = 0; k < ld->nkeys && have; k++) {
            const Datum *d = VGET(kvec[k], row);
            if (d->type == VT_NULL) {
                have = 0;
            } else if (d->type == VT_STR) {
                l->kv[k] = d->s;
                l->kl[k] = d->len;
            } else {
                l->text[k].len = 0;
                val_format(&l->text[k], d);
                l->kv[k] = l->text[k].p ? l->text[k].p : "";
                l->kl[k] = (uint32_t)l->text[k].len;
            }
        }
        long r = have ? probe(ld, l) : -1;
        for (int o = 0; o < ld->nout; o++) {
            const Datum *before = prev[o] ? VGET(prev[o], row) : NULL;
            if (before && before->type != VT_NULL) { /* OUTPUTNEW keeps a value */
                out[o][row] = *before;
                continue;
            }
            size_t c = r < 0 ? 0 : (size_t)r * (size_t)t->ncols + (size_t)ld->out_cols[o];
            out[o][row] = r >= 0 && t->cells[c] ? val_str(t->cells[c], t->lens[c]) : val_null();
        }
    }
    for (int o = 0; o < ld->nout; o++) {
        Vec *dst = &b->cols[ld->out_slots[o]];
        dst->d = out[o];
        dst->isconst = 0;
        dst->loaded = 1;
    }
}

static const OpVTable lookup_vt = {
    .name = "lookup",
    .local_new = lookup_local_new,
    .execute = lookup_execute,
};

Op *op_lookup_new(Plan *p, const LookupTable *t, const int *key_cols, Expr **keys, int nkeys,
                  const int *out_cols, const int *out_slots, Expr **prev, int nout)
{
    LookupData *ld = apr_pcalloc(p->pool, sizeof(*ld));
    ld->t = t;
    ld->nkeys = nkeys;
    ld->key_cols = key_cols;
    ld->keys = keys;
    ld->nout = nout;
    ld->out_cols = out_cols;
    ld->out_slots = out_slots;
    ld->prev = prev;
    index_build(p->pool, ld);
    return op_new(p, &lookup_vt, ld);
}

int64_t lookup_table_bytes(const LookupTable *t)
{
    return (int64_t)(t->bytes + t->nrows * (size_t)t->ncols * (sizeof(char *) + sizeof(uint32_t)));
}

int64_t op_lookup_bytes(const Op *op)
{
    if (op->vt != &lookup_vt)
        return 0;
    const LookupData *ld = op->data;
    return lookup_table_bytes(ld->t) + (int64_t)((ld->mask + 1) * sizeof(uint32_t));
}
