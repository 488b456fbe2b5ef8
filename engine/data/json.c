/* json.c -- JSON records: field extraction (json_extract) and every leaf (json_each), both
 * visitors of json_walk (see json.h)
 *
 * json_extract is the hottest loop of a JSON query. It is json_walk (json_walk.h) with a
 * visitor that keeps the current flattened path in a small buffer only inside containers
 * some wanted name lies under, matches keys there against the wanted names, and makes a Datum
 * only of the leaves it was asked for; every other value is checked by the walker and
 * counted, nothing more. json_each is the same walk with every path tracked and every leaf
 * handed to the caller.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/num.h"
#include "engine/data/json.h"
#include "engine/data/json_walk.h"

/* Where the JSON text of a line starts: after a UTF-8 byte order mark, if any. */
static inline const char *after_bom(const char *line, size_t len)
{
    return len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0 ? line + 3 : line;
}

int json_looks_like_object(const char *line, size_t len)
{
    const char *p = json_ws(after_bom(line, len), line + len), *e = line + len;
    if (p >= e || *p != '{')
        return 0;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        e--;
    return e - p >= 2 && e[-1] == '}';
}

/* A record: one object (after a byte order mark and white space), then only white space. */
static JSON_INLINE int walk_record(const char *line, size_t len, const JsonVisitor *v, void *ctx)
{
    const char *p = json_ws(after_bom(line, len), line + len), *end = line + len;
    if (p >= end || *p != '{')
        return 0;
    p = json_walk(p, end, v, ctx);
    return p && json_ws(p, end) == end;
}

/* ===== Values and paths: what json_extract and json_each share ===== */

/* The number of text [b, b + n) (valid JSON syntax), keeping its text. */
static __attribute__((noinline, cold)) double long_number(const char *b, size_t n, apr_pool_t *pool)
{
    char *t = apr_palloc(pool, n + 1);
    memcpy(t, b, n);
    t[n] = 0;
    return strtod(t, NULL);
}

static inline Datum num_datum(const char *b, size_t n, apr_pool_t *pool)
{
    double f;
    if (!num_parse(b, n, &f))
        f = long_number(b, n, pool); /* longer than num_parse reads */
    Datum d = val_num(f);
    d.s = b;
    d.len = (uint32_t)n;
    return d;
}

/* A leaf as a Datum: strings decoded (in pool) when they hold escapes, which the walker has
 * checked, numbers with their text; NaN, Infinity and deep containers the strings of their
 * text (json.h). */
static inline Datum leaf_datum(JsonLeaf t, const char *b, const char *e, int esc, apr_pool_t *pool)
{
    size_t n = (size_t)(e - b);
    switch (t) {
    case JSON_STR:
        if (esc)
            b = json_unescape(b, n, &n, pool);
        return val_str(b, n);
    case JSON_NUM:
        return num_datum(b, n, pool);
    case JSON_TRUE:
        return val_bool(1);
    case JSON_FALSE:
        return val_bool(0);
    case JSON_NULL:
        return val_null();
    case JSON_EMPTY: /* an empty object or array: the string {} or [] (json.h) */
        return *b == '{' ? val_str("{}", 2) : val_str("[]", 2);
    default:
        return val_str(b, n);
    }
}

/* The flattened path of the value being read: buf, or a larger copy in pool for long names
 * (field names have no length limit, issue 11). base[d] is the path of the open container at
 * level d, to which its members' segments are appended. */
typedef struct Path {
    char *p;
    size_t len, cap;
    size_t base[JSON_MAX_DEPTH + 1];
    char buf[1024];
} Path;

/* Sets the path to the member seg of the container at level d: the container's path, a dot
 * unless d is 1, an '@' when at, seg. */
static void path_set(Path *path, int d, const char *seg, size_t n, int at, apr_pool_t *pool)
{
    size_t old = path->base[d];
    size_t need = old + (d == 1 ? 0 : 1) + n + (at ? 1 : 0);
    if (need >= path->cap) {
        size_t cap = need * 2;
        char *p = apr_palloc(pool, cap);
        memcpy(p, path->p, old);
        path->p = p;
        path->cap = cap;
    }
    path->len = old;
    if (d != 1)
        path->p[path->len++] = '.';
    if (at)
        path->p[path->len++] = '@';
    memcpy(path->p + path->len, seg, n);
    path->len += n;
}

static void path_init(Path *path)
{
    path->p = path->buf;
    path->cap = sizeof(path->buf);
    path->len = 0;
}

/* An array index as a path segment, in num (16 bytes); returns its length. */
static inline size_t index_seg(unsigned idx, char *num)
{
    char rev[16];
    size_t n = 0;
    do {
        rev[n++] = (char)('0' + idx % 10);
        idx /= 10;
    } while (idx);
    for (size_t i = 0; i < n; i++)
        num[i] = rev[n - 1 - i];
    return n;
}

/* ===== json_extract ===== */

typedef struct Scan {
    const JsonWant *want;
    Datum *out;
    apr_pool_t *pool;
    int leaves; /* every leaf counts toward the field cap, wanted or not */
    int max;    /* the field cap */
    int k;      /* the value to come: the wanted name it is, or -1 */
    int sub;    /* some wanted name lies under the value to come (its path is set) */
    uint64_t first[4]; /* bitset: first bytes of the wanted names (top-level keys) */
    uint8_t track[JSON_MAX_DEPTH + 1]; /* some wanted name lies under the container at d */
    /* with 4 to 64 wanted names (masks), sets of them as bits: the candidates of a key
     * are those with its first byte at the top (fb: each name's first byte), below it those
     * under its container (cand[d]), which are the names under its key (sub_mask) */
    int masks;
    uint8_t fb[64];
    uint64_t sub_mask;
    uint64_t cand[JSON_MAX_DEPTH + 1];
    Path path;
} Scan;

/* Whether a top-level key whose first byte is c (0 for the empty key) may be or lead to a
 * wanted name: most keys start with a byte no wanted name starts with. */
static inline int first_byte_wanted(const Scan *s, unsigned char c)
{
    return (s->first[c >> 6] >> (c & 63)) & 1;
}

/* For a child `seg` of the container at level d (with an '@' prepended when `at`): *exact =
 * the wanted name equal to path.seg (or -1), *under = whether some wanted name lies below
 * path.seg. At the top level the name is seg alone; below, the path, a dot and seg, even when
 * the path is empty (the child of an empty key: {"":{"a":0}} is ".a"). */
static inline void child_match(Scan *s, int d, const char *seg, size_t n, int at, int *exact,
                               int *under)
{
    int top = d == 1;
    const char *path = s->path.p;
    size_t plen = s->path.base[d];
    size_t base = top ? 0 : plen + 1, full = base + (size_t)at + n;
    *exact = -1;
    *under = 0;
    if (s->masks) {
        uint64_t m = 0;
        s->sub_mask = 0;
        if (!top) {
            m = s->cand[d];
        } else if (!n) {
            m = s->want->n == 64 ? ~0ULL : (1ULL << s->want->n) - 1;
        } else {
            unsigned char c = at ? '@' : (unsigned char)seg[0];
#ifdef __SSE2__
            const __m128i cc = _mm_set1_epi8((char)c);
            for (int i = 0; i < s->want->n; i += 16)
                m |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
                         _mm_loadu_si128((const __m128i *)(const void *)(s->fb + i)), cc))
                     << i;
            if (s->want->n < 64)
                m &= (1ULL << s->want->n) - 1; /* fb past the names is not theirs */
#else
            for (int k = 0; k < s->want->n; k++)
                m |= (uint64_t)(s->fb[k] == c) << k;
#endif
        }
        for (; m; m &= m - 1) { /* ascending: the last equal name wins, as below */
            int k = __builtin_ctzll(m);
            const char *w = s->want->names[k];
            size_t wl = s->want->lens[k];
            if (wl < full || (wl > full && w[full] != '.'))
                continue;
            const char *ws = w + base + (size_t)at;
            if ((n && ws[0] != seg[0]) || (at && w[base] != '@') || memcmp(ws, seg, n) != 0)
                continue;
            /* below the top, a candidate lies under the container's path already */
            if (wl == full) {
                *exact = k;
            } else {
                *under = 1;
                s->sub_mask |= 1ULL << k;
            }
        }
        return;
    }
    for (int k = 0; k < s->want->n; k++) {
        const char *w = s->want->names[k];
        size_t wl = s->want->lens[k];
        if (wl < full || (wl > full && w[full] != '.')) /* neither this name nor under it */
            continue;
        /* the segment first, its first byte inline: most names differ there */
        const char *ws = w + base + (size_t)at;
        if ((n && ws[0] != seg[0]) || (at && w[base] != '@') || memcmp(ws, seg, n) != 0)
            continue;
        if (!top && (w[plen] != '.' || memcmp(w, path, plen) != 0))
            continue;
        if (wl == full)
            *exact = k;
        else if (w[full] == '.')
            *under = 1;
    }
}

/* A member or element of the container at d, named seg: what json_extract wants of it. */
static inline void ex_child(Scan *s, int d, const char *seg, size_t n, int at)
{
    child_match(s, d, seg, n, at, &s->k, &s->sub);
    if (s->sub)
        path_set(&s->path, d, seg, n, at, s->pool);
}

static void ex_open(void *ctx, int d, int obj, const char *at)
{
    Scan *s = ctx;
    (void)obj;
    (void)at;
    s->track[d] = (uint8_t)s->sub;
    s->cand[d] = s->sub_mask;
    s->path.base[d] = s->path.len;
}

/* A key that may be wanted or lead to a wanted name: matched (not inlined: most keys are
 * dropped by ex_key's first tests, inlined in the walker). */
static __attribute__((noinline)) void ex_key_match(Scan *s, int d, const char *b, size_t n,
                                                   int esc)
{
    if (esc) { /* checked by the walker: decodes */
        b = json_unescape(b, n, &n, s->pool);
        if (d == 1 && !first_byte_wanted(s, n ? (unsigned char)b[0] : 0))
            return;
    }
    ex_child(s, d, b, n, d == 1 && n > 0 && b[0] == '@');
}

static JSON_INLINE void ex_key(void *ctx, int d, const char *b, const char *e, int esc)
{
    Scan *s = ctx;
    s->k = -1;
    s->sub = 0;
    if (!s->track[d])
        return;
    size_t n = (size_t)(e - b);
    /* at the top, a key's first byte is enough to drop most keys (before decoding: the raw
     * first byte is the key's own unless it starts an escape) */
    if (d == 1 && (!n || b[0] != '\\') && !first_byte_wanted(s, n ? (unsigned char)b[0] : 0))
        return;
    ex_key_match(s, d, b, n, esc);
}

static void ex_elem(void *ctx, int d, unsigned idx)
{
    Scan *s = ctx;
    s->k = -1;
    s->sub = 0;
    if (!s->track[d])
        return;
    char num[16];
    ex_child(s, d, num, index_seg(idx, num), 0);
}

static __attribute__((noinline)) void ex_leaf_set(Scan *s, JsonLeaf t, const char *b,
                                                  const char *e, int esc)
{
    s->out[s->k] = leaf_datum(t, b, e, esc, s->pool);
}

static JSON_INLINE void ex_leaf(void *ctx, int d, JsonLeaf t, const char *b, const char *e,
                                int esc)
{
    Scan *s = ctx;
    (void)d;
    if (++s->leaves > s->max || s->k < 0)
        return;
    ex_leaf_set(s, t, b, e, esc);
}

static const JsonVisitor extract_visitor = {
    .open = ex_open, .key = ex_key, .elem = ex_elem, .leaf = ex_leaf, .empty_leaf = 1};

int json_extract(const char *line, size_t len, const JsonWant *want, Datum *out, apr_pool_t *pool)
{
    return json_extract_cap(line, len, want, out, pool, JSON_MAX_FIELDS, NULL);
}

int json_extract_cap(const char *line, size_t len, const JsonWant *want, Datum *out,
                     apr_pool_t *pool, int max, unsigned *over)
{
    Scan s;
    s.want = want;
    s.out = out;
    s.pool = pool;
    s.leaves = 0;
    s.max = max > 0 ? max : JSON_MAX_FIELDS;
    s.k = -1;
    s.sub = 1; /* the record's object: every wanted name lies under it */
    path_init(&s.path);
    memset(s.first, 0, sizeof(s.first));
    s.masks = want->n >= 4 && want->n <= 64; /* for fewer, the loop over all is as cheap */
    s.sub_mask = 0;
    if (s.masks)
        memset(s.fb, 0, sizeof(s.fb)); /* child_match reads them 16 at a time */
    for (int k = 0; k < want->n; k++) {
        /* an empty name is matched by the empty key, whose first byte child_match calls 0; so
         * are the names under it, which start with a dot */
        unsigned char c = want->lens[k] ? (unsigned char)want->names[k][0] : 0;
        s.first[c >> 6] |= 1ULL << (c & 63);
        if (c == '.')
            s.first[0] |= 1;
        if (s.masks)
            s.fb[k] = c;
    }
    for (int k = 0; k < want->n; k++)
        out[k] = val_null();
    if (walk_record(line, len, &extract_visitor, &s)) {
        if (over)
            *over = s.leaves > s.max ? (unsigned)(s.leaves - s.max) : 0;
        return 1;
    }
    if (over)
        *over = 0;
    for (int k = 0; k < want->n; k++)
        out[k] = val_null();
    return 0;
}

/* ===== json_container: the text of the object or array at a flattened name ===== */

/* json_extract's walk, with the wanted name's container remembered: where it opens (at the
 * level of its '{' or '[') and where it closes. A leaf of the same name (a repeated key)
 * forgets it: the last occurrence wins, as for fields. */
typedef struct Span {
    Scan s;
    const char *b, *e;
    int d; /* the level of the container being read, 0: none */
} Span;

static void sp_open(void *ctx, int d, int obj, const char *at)
{
    Span *sp = ctx;
    if (sp->s.k >= 0) {
        sp->b = at;
        sp->e = NULL;
        sp->d = d;
    }
    ex_open(&sp->s, d, obj, at);
}

static void sp_key(void *ctx, int d, const char *b, const char *e, int esc)
{
    ex_key(&((Span *)ctx)->s, d, b, e, esc);
}

static void sp_elem(void *ctx, int d, unsigned idx)
{
    ex_elem(&((Span *)ctx)->s, d, idx);
}

static void sp_leaf(void *ctx, int d, JsonLeaf t, const char *b, const char *e, int esc)
{
    Span *sp = ctx;
    (void)d;
    (void)t;
    (void)b;
    (void)e;
    (void)esc;
    if (sp->s.k >= 0 && !sp->d) { /* the name is a leaf after all */
        sp->b = sp->e = NULL;
    }
}

static void sp_close(void *ctx, int d, const char *end)
{
    Span *sp = ctx;
    if (sp->d == d && sp->b && !sp->e) {
        sp->e = end;
        sp->d = 0;
    }
}

static const JsonVisitor span_visitor = {
    .open = sp_open, .key = sp_key, .elem = sp_elem, .leaf = sp_leaf, .close = sp_close};

int json_container(const char *line, size_t len, const char *name, uint32_t nlen,
                   const char **b, const char **e, apr_pool_t *pool)
{
    JsonWant want = {1, &name, &nlen};
    Span sp;
    memset(&sp, 0, sizeof(sp));
    sp.s.want = &want;
    sp.s.out = NULL;
    sp.s.pool = pool;
    sp.s.k = -1;
    sp.s.sub = 1;
    sp.s.max = JSON_MAX_FIELDS;
    path_init(&sp.s.path);
    unsigned char c = nlen ? (unsigned char)name[0] : 0;
    sp.s.first[c >> 6] |= 1ULL << (c & 63);
    if (c == '.')
        sp.s.first[0] |= 1;
    if (!walk_record(line, len, &span_visitor, &sp) || !sp.b || !sp.e)
        return 0;
    *b = sp.b;
    *e = sp.e;
    return 1;
}

/* ===== json_each: every leaf (field discovery) ===== */

typedef struct Each {
    JsonLeafFn fn;
    void *ctx;
    apr_pool_t *pool;
    int leaves, max;
    Path path;
} Each;

static void each_open(void *ctx, int d, int obj, const char *at)
{
    Each *e = ctx;
    (void)obj;
    (void)at;
    e->path.base[d] = e->path.len;
}

static void each_key(void *ctx, int d, const char *b, const char *end, int esc)
{
    Each *e = ctx;
    size_t n = (size_t)(end - b);
    if (esc)
        b = json_unescape(b, n, &n, e->pool);
    path_set(&e->path, d, b, n, d == 1 && n > 0 && b[0] == '@', e->pool);
}

static void each_elem(void *ctx, int d, unsigned idx)
{
    Each *e = ctx;
    char num[16];
    path_set(&e->path, d, num, index_seg(idx, num), 0, e->pool);
}

static void each_leaf(void *ctx, int d, JsonLeaf t, const char *b, const char *end, int esc)
{
    Each *e = ctx;
    if (d == 0 || ++e->leaves > e->max || t == JSON_NULL) /* d 0: the record's own {} */
        return;
    Datum v = leaf_datum(t, b, end, esc, e->pool);
    e->fn(e->ctx, e->path.p, e->path.len, &v);
}

static const JsonVisitor each_visitor = {
    .open = each_open, .key = each_key, .elem = each_elem, .leaf = each_leaf, .empty_leaf = 1};

int json_each(const char *line, size_t len, JsonLeafFn fn, void *ctx, apr_pool_t *pool)
{
    return json_each_cap(line, len, JSON_MAX_FIELDS, fn, ctx, pool);
}

int json_each_cap(const char *line, size_t len, int max, JsonLeafFn fn, void *ctx,
                  apr_pool_t *pool)
{
    Each e;
    e.fn = fn;
    e.ctx = ctx;
    e.pool = pool;
    e.leaves = 0;
    e.max = max > 0 ? max : JSON_MAX_FIELDS;
    path_init(&e.path);
    return walk_record(line, len, &each_visitor, &e);
}
