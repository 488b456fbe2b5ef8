/* jdom.c -- JSON document model (see jdom.h)
 *
 * The tree is built by json_walk (engine/data/json_walk.h), the walker json_extract and
 * json_each use, with a visitor that makes a node of each value: so the three read one
 * language by construction. The hot path of liq does not build trees (engine/data/json.c
 * extracts flattened fields without them).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "base/buf.h"
#include "base/esc.h"
#include "engine/data/jdom.h"
#include "engine/data/json_walk.h"
#include "base/num.h"

/* The builder: json_walk's visitor. open[d] is the open container at level d, key the key of
 * the member whose value comes next. */
typedef struct Build {
    apr_pool_t *pool;
    const char *base; /* the text: node spans are offsets into it */
    JdNode *root;
    const char *key;
    size_t kl;
    JdNode *open[JSON_MAX_DEPTH + 1];
} Build;

static JdNode *node(Build *b, JdType t, const char *start, const char *end)
{
    JdNode *n = apr_pcalloc(b->pool, sizeof(*n));
    n->type = t;
    n->start = (size_t)(start - b->base);
    n->end = (size_t)(end - b->base);
    return n;
}

/* Adds n to the container at level d (the root when d is 0). The arrays of children grow by
 * doubling from 4, so a full array is one whose count is 4 or a larger power of two. */
static void attach(Build *b, int d, JdNode *n)
{
    if (d == 0) {
        b->root = n;
        return;
    }
    JdNode *parent = b->open[d];
    size_t cnt = parent->n;
    if (cnt == 0 || (cnt >= 4 && (cnt & (cnt - 1)) == 0)) {
        size_t c = cnt ? cnt * 2 : 4;
        JdNode **k = apr_palloc(b->pool, sizeof(*k) * c);
        if (cnt)
            memcpy(k, parent->kids, sizeof(*k) * cnt);
        parent->kids = k;
        if (parent->type == JD_OBJ) {
            const char **ks = apr_palloc(b->pool, sizeof(*ks) * c);
            size_t *kls = apr_palloc(b->pool, sizeof(*kls) * c);
            if (cnt) {
                memcpy(ks, parent->keys, sizeof(*ks) * cnt);
                memcpy(kls, parent->keylens, sizeof(*kls) * cnt);
            }
            parent->keys = ks;
            parent->keylens = kls;
        }
    }
    if (parent->type == JD_OBJ) {
        parent->keys[cnt] = b->key;
        parent->keylens[cnt] = b->kl;
    }
    parent->kids[parent->n++] = n;
}

static void build_open(void *ctx, int d, int obj, const char *at)
{
    Build *b = ctx;
    JdNode *n = node(b, obj ? JD_OBJ : JD_ARR, at, at);
    attach(b, d - 1, n);
    b->open[d] = n;
}

static void build_key(void *ctx, int d, const char *kb, const char *ke, int esc)
{
    Build *b = ctx;
    (void)d;
    b->kl = (size_t)(ke - kb);
    b->key = esc ? json_unescape(kb, b->kl, &b->kl, b->pool) : kb; /* checked by the walker */
}

static void build_leaf(void *ctx, int d, JsonLeaf t, const char *s, const char *e, int esc)
{
    Build *b = ctx;
    JdNode *n;
    switch (t) {
    case JSON_STR: /* the span takes in the quotes */
        n = node(b, JD_STR, s - 1, e + 1);
        n->len = (size_t)(e - s);
        n->s = esc ? json_unescape(s, n->len, &n->len, b->pool) : s;
        break;
    case JSON_NUM:
        n = node(b, JD_NUM, s, e);
        n->s = s;
        n->len = (size_t)(e - s);
        if (!num_parse(s, n->len, &n->num)) /* longer than num_parse reads */
            n->num = strtod(apr_pstrmemdup(b->pool, s, n->len), NULL);
        break;
    case JSON_TRUE:
    case JSON_FALSE:
    case JSON_NULL:
        n = node(b, t == JSON_TRUE ? JD_TRUE : t == JSON_FALSE ? JD_FALSE : JD_NULL, s, e);
        break;
    default: /* NaN, Infinity, a container deeper than JSON_MAX_DEPTH: its text (json.h) */
        n = node(b, JD_STR, s, e);
        n->s = s;
        n->len = (size_t)(e - s);
        break;
    }
    attach(b, d, n);
}

static void build_close(void *ctx, int d, const char *end)
{
    Build *b = ctx;
    b->open[d]->end = (size_t)(end - b->base);
}

static const JsonVisitor build_visitor = {
    .open = build_open, .key = build_key, .leaf = build_leaf, .close = build_close};

/* The tree of the value at text + pos (after white space); *end: where it ends. */
static JdNode *build(apr_pool_t *pool, const char *text, size_t len, size_t pos, size_t *end)
{
    Build b;
    b.pool = pool;
    b.base = text;
    b.root = NULL;
    b.key = NULL;
    b.kl = 0;
    const char *e = json_walk(text + pos, text + len, &build_visitor, &b);
    if (!e)
        return NULL;
    *end = (size_t)(e - text);
    return b.root;
}

JdNode *jdom_parse(apr_pool_t *pool, const char *text, size_t len)
{
    size_t bom = len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0, end;
    JdNode *n = build(pool, text, len, bom, &end);
    return n && json_ws(text + end, text + len) == text + len ? n : NULL;
}

JdNode *jdom_parse_next(apr_pool_t *pool, const char *text, size_t len, size_t *pos)
{
    size_t end;
    JdNode *n = build(pool, text, len, *pos, &end);
    if (n)
        *pos = end;
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

/* Strings and keys are written by base/esc.h's esc_json, the one JSON string escaper (issue
 * 12): the text is always valid JSON, invalid UTF-8 in a string becoming U+FFFD. */
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
        esc_json(b, n->s, n->len);
        break;
    case JD_ARR:
    case JD_OBJ:
        buf_addc(b, n->type == JD_ARR ? '[' : '{');
        for (size_t i = 0; i < n->n; i++) {
            if (i)
                buf_addc(b, ',');
            if (n->type == JD_OBJ) {
                esc_json(b, n->keys[i], n->keylens[i]);
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
