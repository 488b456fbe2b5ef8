/* k_json.c -- JSON function kernels: jsonParse, jsonStringify, jsonArraySize,
 * jsonArrayContains (Part 2 §4.6)
 *
 * Structures are VT_JSON values (engine/data/val.h) holding a JdNode tree parsed into the batch
 * pool. A string that is not a JSON object or array parses to null; a map or list given to a
 * string function is read as its JSON text.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "engine/exec/expr.h"
#include "engine/data/jdom.h"
#include "engine/exec/kern.h"

/* The structure a value holds: itself when VT_JSON, else its text parsed (NULL when that is
 * not a JSON object or array). */
static const JdNode *structure(const KArgs *a, const Datum *d)
{
    if (d->type == VT_JSON)
        return d->v.p;
    if (d->type != VT_STR)
        return NULL;
    const JdNode *n = jdom_parse(a->b->pool, d->s, d->len);
    return n && (n->type == JD_OBJ || n->type == JD_ARR) ? n : NULL;
}

void k_fn_jsonParse(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        const JdNode *n = structure(a, VGET(a->args[0], row));
        a->out->d[row] = n ? val_json(n) : val_null();
    }
}

void k_fn_jsonStringify(const KArgs *a)
{
    LiqBuf t = {0};
    FOR_ROWS(a->b)
    {
        const Datum *d = VGET(a->args[0], row);
        if (d->type != VT_JSON) {
            a->out->d[row] = d->type == VT_STR ? *d : val_null();
            continue;
        }
        t.len = 0;
        jdom_write(&t, d->v.p);
        char *s = apr_palloc(a->b->pool, t.len + 1);
        memcpy(s, t.p, t.len);
        a->out->d[row] = val_str(s, t.len);
    }
    buf_free(&t);
}

void k_fn_jsonArraySize(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        const JdNode *n = structure(a, VGET(a->args[0], row));
        a->out->d[row] = n && n->type == JD_ARR ? val_num((double)n->n) : val_null();
    }
}

/* Does the array hold an element equal to v: strings by bytes, numbers by value, booleans. */
void k_fn_jsonArrayContains(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        const JdNode *n = structure(a, VGET(a->args[0], row));
        const Datum *v = VGET(a->args[1], row);
        int hit = 0;
        for (size_t i = 0; n && n->type == JD_ARR && i < n->n && !hit; i++) {
            const JdNode *e = n->kids[i];
            double f;
            if (e->type == JD_STR && v->type == VT_STR)
                hit = e->len == v->len && memcmp(e->s, v->s, e->len) == 0;
            else if (e->type == JD_NUM && v->type != VT_STR && val_as_number(v, &f))
                hit = e->num == f;
            else if ((e->type == JD_TRUE || e->type == JD_FALSE) && v->type == VT_BOOL)
                hit = (e->type == JD_TRUE) == (v->v.i != 0);
        }
        a->out->d[row] = val_num(hit);
    }
}
