/* jdom.c -- JSON document model (see jdom.h)
 *
 * A plain recursive-descent parser; the hot path of liq does not use it (engine/data/json.c
 * extracts flattened fields without building trees).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "base/buf.h"
#include "engine/data/jdom.h"
#include "engine/data/json.h"
#include "engine/data/val.h"

typedef struct P {
    const char *base, *p, *end;
    apr_pool_t *pool;
    int depth;
} P;

static void ws(P *p)
{
    while (p->p < p->end && (*p->p == ' ' || *p->p == '\t' || *p->p == '\n' || *p->p == '\r'))
        p->p++;
}

/* A string body after its opening quote: decoded into the pool. Raw control characters are
 * the characters themselves (engine/data/json.h). */
static int string(P *p, const char **s, size_t *len)
{
    const char *b = p->p;
    int esc = 0;
    while (p->p < p->end && *p->p != '"') {
        if (*p->p == '\\') {
            esc = 1;
            p->p++;
        }
        p->p++;
    }
    if (p->p >= p->end)
        return 0;
    size_t n = (size_t)(p->p - b);
    p->p++;
    if (!esc) {
        *s = b;
        *len = n;
        return 1;
    }
    *s = json_unescape(b, n, len, p->pool);
    return *s != NULL;
}

static JdNode *value(P *p);

static JdNode *node(P *p, JdType t)
{
    JdNode *n = apr_pcalloc(p->pool, sizeof(*n));
    n->type = t;
    return n;
}

static int push(P *p, JdNode *parent, size_t *cap, JdNode *kid, const char *key, size_t kl)
{
    if (parent->n == *cap) {
        size_t c = *cap ? *cap * 2 : 4;
        JdNode **k = apr_palloc(p->pool, sizeof(*k) * c);
        if (parent->n)
            memcpy(k, parent->kids, sizeof(*k) * parent->n);
        parent->kids = k;
        if (parent->type == JD_OBJ) {
            const char **ks = apr_palloc(p->pool, sizeof(*ks) * c);
            size_t *kls = apr_palloc(p->pool, sizeof(*kls) * c);
            if (parent->n) {
                memcpy(ks, parent->keys, sizeof(*ks) * parent->n);
                memcpy(kls, parent->keylens, sizeof(*kls) * parent->n);
            }
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
    return 1;
}

static JdNode *container(P *p, int obj)
{
    p->depth++; /* value_inner() keeps it at most JSON_MAX_DEPTH */
    JdNode *n = node(p, obj ? JD_OBJ : JD_ARR);
    size_t cap = 0;
    p->p++;
    ws(p);
    if (p->p < p->end && *p->p == (obj ? '}' : ']')) {
        p->p++;
        p->depth--;
        return n;
    }
    for (;;) {
        const char *key = NULL;
        size_t kl = 0;
        ws(p);
        if (obj) {
            if (p->p >= p->end || *p->p != '"')
                return NULL;
            p->p++;
            if (!string(p, &key, &kl))
                return NULL;
            ws(p);
            if (p->p >= p->end || *p->p != ':')
                return NULL;
            p->p++;
        }
        JdNode *v = value(p);
        if (!v)
            return NULL;
        push(p, n, &cap, v, key, kl);
        ws(p);
        if (p->p >= p->end)
            return NULL;
        if (*p->p == ',') {
            p->p++;
            continue;
        }
        if (*p->p == (obj ? '}' : ']')) {
            p->p++;
            p->depth--;
            return n;
        }
        return NULL;
    }
}

static JdNode *value_inner(P *p);

/* Every node records the span of its text (for records cut out of a document). */
static JdNode *value(P *p)
{
    ws(p);
    const char *b = p->p;
    JdNode *n = value_inner(p);
    if (n) {
        n->start = (size_t)(b - p->base);
        n->end = (size_t)(p->p - p->base);
    }
    return n;
}

/* A string node of the text of [b, e) as written. */
static JdNode *text_node(P *p, const char *b, const char *e)
{
    JdNode *n = node(p, JD_STR);
    n->s = b;
    n->len = (size_t)(e - b);
    p->p = e;
    return n;
}

static JdNode *value_inner(P *p)
{
    if (p->p >= p->end)
        return NULL;
    switch (*p->p) {
    case '{':
    case '[': {
        if (p->depth < JSON_MAX_DEPTH)
            return container(p, *p->p == '{');
        /* deeper than JSON_MAX_DEPTH: one string, its JSON text as written (engine/data/json.h) */
        const char *e = json_skip(p->p, p->end);
        return e ? text_node(p, p->p, e) : NULL;
    }
    case '"': {
        JdNode *n = node(p, JD_STR);
        p->p++;
        return string(p, &n->s, &n->len) ? n : NULL;
    }
    case 't':
        if (p->end - p->p >= 4 && !memcmp(p->p, "true", 4)) {
            p->p += 4;
            return node(p, JD_TRUE);
        }
        return NULL;
    case 'f':
        if (p->end - p->p >= 5 && !memcmp(p->p, "false", 5)) {
            p->p += 5;
            return node(p, JD_FALSE);
        }
        return NULL;
    case 'n':
        if (p->end - p->p >= 4 && !memcmp(p->p, "null", 4)) {
            p->p += 4;
            return node(p, JD_NULL);
        }
        return NULL;
    default: {
        const char *b = p->p, *e = json_number_end(b, p->end);
        if (!e) { /* NaN, Infinity, -Infinity: strings (engine/data/json.h) */
            size_t w = json_nonfinite(b, p->end);
            return w ? text_node(p, b, b + w) : NULL;
        }
        JdNode *n = node(p, JD_NUM);
        n->s = b;
        n->len = (size_t)(e - b);
        p->p = e;
        if (!num_parse(b, n->len, &n->num)) /* longer than num_parse reads */
            n->num = strtod(apr_pstrmemdup(p->pool, b, n->len), NULL);
        return n;
    }
    }
}

JdNode *jdom_parse(apr_pool_t *pool, const char *text, size_t len)
{
    size_t bom = len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    P p = {text, text + bom, text + len, pool, 0};
    JdNode *n = value(&p);
    if (!n)
        return NULL;
    ws(&p);
    return p.p == p.end ? n : NULL;
}

JdNode *jdom_parse_next(apr_pool_t *pool, const char *text, size_t len, size_t *pos)
{
    P p = {text, text + *pos, text + len, pool, 0};
    JdNode *n = value(&p);
    if (n)
        *pos = (size_t)(p.p - text);
    return n;
}

const JdNode *jdom_get(const JdNode *obj, const char *key, size_t len)
{
    if (!obj || obj->type != JD_OBJ)
        return NULL;
    for (size_t i = obj->n; i-- > 0;)
        if (obj->keylens[i] == len && memcmp(obj->keys[i], key, len) == 0)
            return obj->kids[i];
    return NULL;
}

static void write_str(LiqBuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    buf_addc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            buf_addc(b, '\\');
            buf_addc(b, (char)c);
        } else if (c == '\n') {
            buf_add(b, "\\n", 2);
        } else if (c == '\t') {
            buf_add(b, "\\t", 2);
        } else if (c == '\r') {
            buf_add(b, "\\r", 2);
        } else if (c < 0x20) {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buf_add(b, u, 6);
        } else {
            buf_addc(b, (char)c);
        }
    }
    buf_addc(b, '"');
}

void jdom_write(LiqBuf *b, const JdNode *n)
{
    switch (n->type) {
    case JD_NULL:
        buf_adds(b, "null");
        break;
    case JD_TRUE:
        buf_adds(b, "true");
        break;
    case JD_FALSE:
        buf_adds(b, "false");
        break;
    case JD_NUM:
        buf_add(b, n->s, n->len);
        break;
    case JD_STR:
        write_str(b, n->s, n->len);
        break;
    case JD_ARR:
    case JD_OBJ:
        buf_addc(b, n->type == JD_ARR ? '[' : '{');
        for (size_t i = 0; i < n->n; i++) {
            if (i)
                buf_addc(b, ',');
            if (n->type == JD_OBJ) {
                write_str(b, n->keys[i], n->keylens[i]);
                buf_addc(b, ':');
            }
            jdom_write(b, n->kids[i]);
        }
        buf_addc(b, n->type == JD_ARR ? ']' : '}');
        break;
    }
}

JdNode *jdom_copy(apr_pool_t *pool, const JdNode *n)
{
    JdNode *c = apr_pmemdup(pool, n, sizeof(*n));
    if (n->s)
        c->s = apr_pstrmemdup(pool, n->s, n->len);
    if (n->n) {
        c->kids = apr_palloc(pool, sizeof(JdNode *) * n->n);
        for (size_t i = 0; i < n->n; i++)
            c->kids[i] = jdom_copy(pool, n->kids[i]);
        if (n->type == JD_OBJ) {
            c->keys = apr_palloc(pool, sizeof(char *) * n->n);
            c->keylens = apr_pmemdup(pool, n->keylens, sizeof(size_t) * n->n);
            for (size_t i = 0; i < n->n; i++)
                c->keys[i] = apr_pstrmemdup(pool, n->keys[i], n->keylens[i]);
        }
    }
    return c;
}

Datum jdom_datum(const JdNode *n)
{
    switch (n->type) {
    case JD_STR:
        return val_str(n->s, n->len);
    case JD_NUM: {
        Datum d = val_num(n->num);
        d.s = n->s;
        d.len = (uint32_t)n->len;
        return d;
    }
    case JD_TRUE:
        return val_bool(1);
    case JD_FALSE:
        return val_bool(0);
    case JD_NULL:
        return val_null();
    default:
        return val_json(n);
    }
}
