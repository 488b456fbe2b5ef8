/* partial.c -- stats groups as bytes (see partial.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "engine/exec/partial.h"
#include "engine/exec/spill.h"

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
