/* partial.c -- stats groups as bytes (see partial.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "engine/exec/budget.h"
#include "engine/exec/op.h"
#include "engine/exec/partial.h"
#include "engine/exec/spill.h"

/* The format is little-endian and written in the host's order (partial.h). */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "partial results and spill files are little-endian: a big-endian host needs "
               "byte swaps in partial.c, spill.c and agg.c's save/load");

void partial_put_header(LiqBuf *out, const PartialShape *sh)
{
    uint16_t v[3] = {PARTIAL_VERSION, (uint16_t)sh->nkeys, (uint16_t)sh->naggs};
    buf_add(out, "LIQG", 4);
    buf_add(out, v, sizeof(v));
    for (int a = 0; a < sh->naggs; a++) {
        uint16_t fn = (uint16_t)sh->fns[a];
        buf_add(out, &fn, 2);
    }
}

size_t partial_get_header(const char *p, const char *end, const PartialShape *sh)
{
    size_t n = 4 + 6 + 2 * (size_t)sh->naggs;
    if ((size_t)(end - p) < n || memcmp(p, "LIQG", 4) != 0)
        return 0;
    uint16_t v[3];
    memcpy(v, p + 4, sizeof(v));
    if (v[0] != PARTIAL_VERSION || v[1] != sh->nkeys || v[2] != sh->naggs)
        return 0;
    for (int a = 0; a < sh->naggs; a++) {
        uint16_t fn;
        memcpy(&fn, p + 10 + 2 * (size_t)a, 2);
        if (fn != sh->fns[a])
            return 0;
    }
    return n;
}

void partial_put_group(LiqBuf *out, const PartialShape *sh, uint64_t hash, uint64_t first,
                       const Datum *keys, const unsigned char *state)
{
    size_t start = out->len;
    uint32_t len = 0;
    buf_add(out, &len, 4);
    buf_add(out, &hash, 8);
    buf_add(out, &first, 8);
    LiqBuf js = {0};
    for (int k = 0; k < sh->nkeys; k++)
        spill_put_datum(out, &keys[k], &js);
    buf_free(&js);
    for (int a = 0; a < sh->naggs; a++)
        agg_table[sh->fns[a]]->save(state + sh->offs[a], out);
    len = (uint32_t)(out->len - start - 4);
    memcpy(out->p + start, &len, 4);
}

size_t partial_get_group(const char *p, const char *end, const PartialShape *sh, AggMem *m,
                         uint64_t *hash, uint64_t *first, Datum *keys, unsigned char *state)
{
    uint32_t len;
    if (end - p < 4)
        return 0;
    memcpy(&len, p, 4);
    if ((size_t)(end - p) - 4 < len || len < 16)
        return 0;
    const char *c = p + 4, *e = p + 4 + len;
    memcpy(hash, c, 8);
    memcpy(first, c + 8, 8);
    c += 16;
    for (int k = 0; k < sh->nkeys; k++) {
        size_t n = spill_get_datum(c, e, m->pool, &keys[k]);
        if (!n)
            return 0;
        c += n;
    }
    for (int a = 0; a < sh->naggs; a++) {
        size_t n = agg_table[sh->fns[a]]->load(state + sh->offs[a], c, e, m);
        if (!n)
            return 0;
        c += n;
    }
    return c == e ? 4 + (size_t)len : 0;
}

/* ===== Rows ===== */

void partial_put_rows_header(LiqBuf *out, int nslots)
{
    uint16_t v[2] = {PARTIAL_VERSION, 0};
    uint32_t n = (uint32_t)nslots;
    buf_add(out, "LIQR", 4);
    buf_add(out, v, sizeof(v));
    buf_add(out, &n, 4);
}

size_t partial_get_rows_header(const char *p, const char *end, int nslots)
{
    uint16_t v[2];
    uint32_t n;
    if (end - p < 12 || memcmp(p, "LIQR", 4) != 0)
        return 0;
    memcpy(v, p + 4, sizeof(v));
    memcpy(&n, p + 8, 4);
    return v[0] == PARTIAL_VERSION && v[1] == 0 && n == (uint32_t)nslots ? 12 : 0;
}

void partial_put_row(LiqBuf *out, const Datum *row, int nslots, uint64_t order)
{
    spill_put_row(out, row, nslots, order); /* the same bytes as a spilled row */
}

size_t partial_get_row(const char *p, const char *end, apr_pool_t *pool, Datum *row, int nslots,
                       uint64_t *order)
{
    uint32_t len;
    if (end - p < 4)
        return 0;
    memcpy(&len, p, 4);
    if ((size_t)(end - p) - 4 < len || len < 8)
        return 0;
    const char *c = p + 4, *e = p + 4 + len;
    memcpy(order, c, 8);
    c += 8;
    for (int s = 0; s < nslots; s++) {
        size_t n = spill_get_datum(c, e, pool, &row[s]);
        if (!n)
            return 0;
        c += n;
    }
    return c == e ? 4 + (size_t)len : 0;
}

/* ===== Row sets as breaker states (op.h) ===== */

int rowset_state_save(const Op *op, OpState *g, LiqBuf *out)
{
    const RowSet *rs = g;
    partial_put_rows_header(out, rs->nslots);
    (void)op;
    for (size_t r = 0; r < rs->nrows; r++)
        partial_put_row(out, &rs->data[r * (size_t)rs->nslots], rs->nslots, rs->order[r]);
    for (size_t i = 0; rs->runs && i < rs->runs->n; i++) { /* spilled runs: the same bytes */
        const SpillRun *run = &rs->runs->r[i];
        size_t at = out->len;
        if (out->len + (size_t)run->len > out->cap)
            buf_grow(out, (size_t)run->len);
        if (spill_read(run->f, NULL, out->p + at, (size_t)run->len, run->off) < 0)
            return -1;
        out->len = at + (size_t)run->len;
    }
    return 0;
}

int rowset_result_save(const Op *op, OpState *g, LiqBuf *out)
{
    RowSet *rs = op->vt->finalize(op, NULL, op->vt->copy(op, g));
    partial_put_rows_header(out, rs->nslots);
    do
        for (size_t r = 0; r < rs->nrows; r++)
            partial_put_row(out, &rs->data[r * (size_t)rs->nslots], rs->nslots, rs->order[r]);
    while (rowset_refill(rs));
    rowset_free(rs);
    return 0;
}

OpState *rowset_state_load(const Op *op, const char *p, size_t n, Budget *b)
{
    (void)b; /* the rows stay in memory */
    int nslots = op->plan->nslots;
    const char *end = p + n;
    size_t h = partial_get_rows_header(p, end, nslots);
    if (!h)
        return NULL;
    RowSet *rs = rowset_new(nslots);
    Datum *row = mem_alloc(sizeof(Datum) * (size_t)(nslots + 1));
    apr_pool_t *scratch;
    apr_pool_create(&scratch, NULL);
    for (const char *c = p + h; c < end;) {
        uint64_t order;
        size_t k = partial_get_row(c, end, scratch, row, nslots, &order);
        if (!k) {
            rowset_free(rs);
            rs = NULL;
            break;
        }
        c += k;
        Datum *d = rowset_add_row(rs, order);
        for (int s = 0; s < nslots; s++) {
            d[s] = datum_copy(rs->pool, &row[s]);
            rs->sbytes += row[s].len;
        }
        apr_pool_clear(scratch);
    }
    apr_pool_destroy(scratch);
    free(row);
    return rs;
}
