/* out.c -- result writer selection and the engine adapter (see out.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "cli/out.h"

Out *out_new(const char *format, FILE *fp, const char **names, int ncols, int header)
{
    static const OutVTable *const all[] = {&out_table_vt, &out_csv_vt,    &out_tsv_vt,
                                           &out_json_vt,  &out_ndjson_vt, &out_collect_vt};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (strcmp(all[i]->name, format) == 0) {
            Out *o = mem_calloc(1, sizeof(*o));
            o->vt = all[i];
            o->fp = fp;
            o->names = names;
            o->ncols = ncols;
            o->header = header;
            return o;
        }
    return NULL;
}

void out_free(Out *o)
{
    if (o && o->vt->release)
        o->vt->release(o);
    free(o);
}

int out_put(Out *o, const char *data, size_t len)
{
    if (o->failed)
        return 1;
    errno = 0;
    if (len && fwrite(data, 1, len, o->fp) != len) {
        o->failed = 1;
        o->err = errno ? errno : EIO;
    }
    return o->failed;
}

static int flush(Out *o)
{
    if (o->failed)
        return 1;
    errno = 0;
    if (fflush(o->fp) != 0) {
        o->failed = 1;
        o->err = errno ? errno : EIO;
    }
    return o->failed;
}

static void liq_format_row(void *ctx, const Datum *vals, int ncols, LiqBuf *b)
{
    Out *o = ctx;
    o->vt->format_row(o, vals, ncols, b);
}

static int liq_write(void *ctx, const char *data, size_t len, const uint32_t *ends, uint32_t n)
{
    Out *o = ctx;
    o->rows += n;
    int stop = o->vt->write(o, data, len, ends, n);
    return flush(o) || stop;
}

static int liq_idle(void *ctx)
{
    Out *o = ctx;
    int stop = o->vt->idle ? o->vt->idle(o) : 0;
    return flush(o) || stop;
}

void out_rows(Out *o, const Datum *vals, size_t n, int ncols)
{
    LiqBuf b = {0};
    uint32_t ends[256];
    size_t r = 0;
    while (r < n && !o->failed) {
        uint32_t k = 0;
        b.len = 0;
        for (; r < n && k < 256; r++, k++) {
            o->vt->format_row(o, vals + r * (size_t)ncols, ncols, &b);
            ends[k] = (uint32_t)b.len;
        }
        liq_write(o, b.p, b.len, ends, k);
    }
    buf_free(&b);
}

LiqOutput out_liq(Out *o)
{
    LiqOutput l = {o, liq_format_row, liq_write, liq_idle};
    return l;
}
