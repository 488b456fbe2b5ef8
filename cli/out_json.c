/* out_json.c -- JSON writers: NDJSON (one object per line) and JSON (one array)
 *
 * Values are typed (L25): numbers as JSON numbers, booleans as true/false, timestamps and
 * strings as JSON strings; null fields are left out of the object (L4). Strings, field names
 * and the strings inside maps and lists are escaped by base/esc.c's esc_json (RFC 8259;
 * invalid UTF-8 becomes U+FFFD), so the output is always valid JSON.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <string.h>
#include "base/num.h"
#include "cli/out.h"
#include "base/esc.h"

void out_json_value(LiqBuf *b, const Datum *d)
{
    switch (d->type) {
    case VT_NUM:
        if (d->s && d->len)
            buf_add(b, d->s, d->len); /* JSON input text, already valid JSON (L11) */
        else if (!isfinite(d->v.f))
            buf_adds(b, "null");
        else
            num_format(b, d->v.f);
        break;
    case VT_BOOL:
        buf_adds(b, d->v.i ? "true" : "false");
        break;
    case VT_STR:
        esc_json(b, d->s, d->len);
        break;
    case VT_TS: /* ASCII digits and punctuation (L12): nothing to escape, no copy */
        buf_addc(b, '"');
        ts_format(b, d->v.i);
        buf_addc(b, '"');
        break;
    case VT_JSON: /* a map or list (jsonParse, split): its JSON text, as a JSON value */
        val_format(b, d);
        break;
    default:
        buf_adds(b, "null");
    }
}

static void object(Out *o, const Datum *vals, int ncols, LiqBuf *b)
{
    int first = 1;
    buf_addc(b, '{');
    for (int c = 0; c < ncols; c++) {
        if (vals[c].type == VT_NULL)
            continue;
        if (!first)
            buf_addc(b, ',');
        first = 0;
        esc_json(b, o->names[c], strlen(o->names[c]));
        buf_addc(b, ':');
        out_json_value(b, &vals[c]);
    }
    buf_addc(b, '}');
}

static void ndjson_format_row(Out *o, const Datum *vals, int ncols, LiqBuf *b)
{
    object(o, vals, ncols, b);
    buf_addc(b, '\n');
}

static void json_format_row(Out *o, const Datum *vals, int ncols, LiqBuf *b)
{
    object(o, vals, ncols, b);
}

static void nothing(Out *o)
{
    (void)o;
}

static int ndjson_write(Out *o, const char *data, size_t len, const uint32_t *ends, uint32_t n)
{
    (void)ends;
    (void)n;
    return out_put(o, data, len);
}

/* JSON array: rows arrive without separators; the row ends place them. */
static int json_write(Out *o, const char *data, size_t len, const uint32_t *ends, uint32_t n)
{
    (void)len;
    uint32_t start = 0;
    for (uint32_t i = 0; i < n; i++) {
        const char *sep = o->priv ? ",\n" : "[\n";
        o->priv = (void *)1;
        if (out_put(o, sep, 2) || out_put(o, data + start, ends[i] - start))
            return 1;
        start = ends[i];
    }
    return 0;
}

static void json_end(Out *o)
{
    out_put(o, o->priv ? "\n]\n" : "[]\n", 3);
    o->priv = NULL; /* a next array starts afresh (liq --follow writes one per result) */
}

const OutVTable out_ndjson_vt = {"ndjson", ndjson_format_row, nothing, ndjson_write, nothing, NULL,
                                 NULL};
const OutVTable out_json_vt = {"json", json_format_row, nothing, json_write, json_end, NULL, NULL};
