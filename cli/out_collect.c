/* out_collect.c -- the collector: an output whose rows are the typed values themselves
 *
 * Charts (out_chart.c, out_svg.c) need typed values (which column holds timestamps, which
 * numbers) that the text writers flatten. The collector is a writer like the others (format
 * name "collect"): format_row encodes each cell as its type byte and its number and/or text,
 * write keeps the encoded rows in input order, and out_collected decodes them into Datums on
 * demand. The collected rows can go on through an ordinary writer with out_rows.
 *
 * Ownership: the encoded rows and the decoded values belong to the Out until out_free.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "cli/out.h"

typedef struct Collect {
    LiqBuf data; /* encoded cells */
    size_t nrows;
    Datum *vals; /* decoded on demand; strings point into data */
} Collect;

static void put_u32(LiqBuf *b, uint32_t v)
{
    buf_add(b, &v, sizeof(v));
}

/* One cell: the type byte, then the number (8 bytes) and/or the text (length + bytes). */
static void collect_format_row(Out *o, const Datum *vals, int ncols, LiqBuf *b)
{
    (void)o;
    for (int c = 0; c < ncols; c++) {
        const Datum *d = &vals[c];
        buf_addc(b, (char)d->type);
        switch (d->type) {
        case VT_NUM:
            buf_add(b, &d->v.f, sizeof(double));
            put_u32(b, d->s ? d->len : 0);
            if (d->s)
                buf_add(b, d->s, d->len);
            break;
        case VT_STR:
            put_u32(b, d->len);
            buf_add(b, d->s, d->len);
            break;
        case VT_BOOL:
        case VT_TS:
            buf_add(b, &d->v.i, sizeof(int64_t));
            break;
        default:
            break;
        }
    }
}

static void collect_begin(Out *o)
{
    o->priv = mem_calloc(1, sizeof(Collect));
}

static int collect_write(Out *o, const char *data, size_t len, const uint32_t *ends, uint32_t n)
{
    Collect *c = o->priv;
    (void)ends;
    buf_add(&c->data, data, len);
    c->nrows += n;
    return 0;
}

static void collect_end(Out *o)
{
    (void)o; /* the values stay for out_collected; out_free releases them */
}

const Datum *out_collected(Out *o, size_t *nrows)
{
    Collect *c = o->priv;
    *nrows = c->nrows;
    if (c->vals || !c->nrows)
        return c->vals;
    c->vals = mem_calloc(c->nrows * (size_t)(o->ncols ? o->ncols : 1), sizeof(Datum));
    const char *p = c->data.p;
    for (size_t i = 0; i < c->nrows * (size_t)o->ncols; i++) {
        Datum *d = &c->vals[i];
        uint32_t n;
        d->type = (uint8_t)*p++;
        switch (d->type) {
        case VT_NUM:
            memcpy(&d->v.f, p, sizeof(double));
            memcpy(&n, p + 8, 4);
            p += 12;
            d->s = n ? p : NULL;
            d->len = n;
            p += n;
            break;
        case VT_STR:
            memcpy(&n, p, 4);
            d->s = p + 4;
            d->len = n;
            p += 4 + n;
            break;
        case VT_BOOL:
        case VT_TS:
            memcpy(&d->v.i, p, 8);
            p += 8;
            break;
        default:
            d->type = VT_NULL;
            break;
        }
    }
    return c->vals;
}

static void collect_release(Out *o)
{
    Collect *c = o->priv;
    if (!c)
        return;
    buf_free(&c->data);
    free(c->vals);
    free(c);
    o->priv = NULL;
}

const OutVTable out_collect_vt = {"collect",     collect_format_row, collect_begin,
                                  collect_write, collect_end,        collect_release,
                                  NULL};
