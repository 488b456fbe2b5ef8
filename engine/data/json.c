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

/* The top-level keys json_extract looks for (issue 21): every string a top-level key must
 * equal to be a wanted name or to lead to one, with what it gives. A wanted name w gives w
 * (exact: the key is the name) and each w[0..i) with w[i] == '.' (under: the key's value
 * holds the name); a name that starts with '@' gives the same of w + 1, for a key that starts
 * with '@' (at: the name of the key "@x" is "@@x"). A key is one hash probe and, for keys of
 * up to 16 bytes, one compare of two words, instead of a compare with every wanted name of
 * its first byte (16 of Q7's 20 start with 'n'). */
typedef struct KeyEnt {
    uint64_t lo, hi; /* the string's two words (key_words) */
    const char *s;   /* its bytes, compared past 16 */
    uint64_t sub;    /* the wanted names under it (bit k) */
    int exact;       /* the wanted name equal to it (the last of equal names), or -1 */
    uint32_t len;
    uint32_t at;
} KeyEnt;

enum { KEY_SLOTS_MAX = 256, KEY_ENT_MAX = 128 };

typedef struct KeyTab {
    unsigned bits; /* the table has 1 << bits slots */
    unsigned nent;
    uint8_t slot[KEY_SLOTS_MAX]; /* an entry's index + 1, or 0: free (linear probing) */
    KeyEnt ent[KEY_ENT_MAX];
} KeyTab;

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
     * are found in keys at the top (one entry per string a key may equal), below it they are
     * those under its container (cand[d]), which are the names under its key (sub_mask) */
    int masks;
    const KeyTab *keys;
    uint64_t sub_mask;
    uint64_t cand[JSON_MAX_DEPTH + 1];
    Path path;
} Scan;

/* ===== Top-level keys: the table of json_extract ===== */

/* Two words that, with the length n, are the string [p, p + n) when n <= 16 (overlapping
 * loads of its first and last bytes, so no byte outside it is read); for longer strings a
 * hash of its ends. */
static inline void key_words(const char *p, size_t n, uint64_t *lo, uint64_t *hi)
{
    if (n >= 8) {
        memcpy(lo, p, 8);
        memcpy(hi, p + n - 8, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        *lo = a;
        *hi = b;
    } else if (n) {
        *lo = (uint64_t)(unsigned char)p[0] | (uint64_t)(unsigned char)p[n / 2] << 8 |
              (uint64_t)(unsigned char)p[n - 1] << 16;
        *hi = 0;
    } else {
        *lo = *hi = 0;
    }
}

static inline unsigned key_hash(uint64_t lo, uint64_t hi, size_t n, unsigned at, unsigned bits)
{
    uint64_t x = (lo ^ (hi * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)n << 1 | at)) *
                 0xbf58476d1ce4e5b9ULL;
    return (unsigned)(x >> (64 - bits));
}

/* Whether [a, a + n) and [b, b + n) hold the same bytes: up to 16, two words each, not a call */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
    if (n > 16)
        return memcmp(a, b, n) == 0;
    uint64_t alo, ahi, blo, bhi;
    key_words(a, n, &alo, &ahi);
    key_words(b, n, &blo, &bhi);
    return alo == blo && ahi == bhi;
}

/* The entry a top-level key [p, p + n) (at: it starts with '@') equals, or NULL. */
static inline const KeyEnt *key_find(const KeyTab *t, const char *p, size_t n, unsigned at)
{
    uint64_t lo, hi;
    key_words(p, n, &lo, &hi);
    unsigned mask = (1u << t->bits) - 1;
    for (unsigned i = key_hash(lo, hi, n, at, t->bits);; i = (i + 1) & mask) {
        unsigned j = t->slot[i];
        if (!j)
            return NULL;
        const KeyEnt *e = &t->ent[j - 1];
        if (e->lo == lo && e->hi == hi && e->len == n && e->at == at &&
            (n <= 16 || memcmp(e->s, p, n) == 0))
            return e;
    }
}

/* Adds what the string [p, p + n) gives for wanted name k (exact, or under it); 0 when the
 * table is full. Names are added in ascending k, so the last of equal names is exact. */
static int key_add(KeyTab *t, const char *p, size_t n, unsigned at, int k, int exact)
{
    uint64_t lo, hi;
    key_words(p, n, &lo, &hi);
    unsigned mask = (1u << t->bits) - 1, i = key_hash(lo, hi, n, at, t->bits);
    KeyEnt *e;
    for (;; i = (i + 1) & mask) {
        unsigned j = t->slot[i];
        if (!j)
            break;
        e = &t->ent[j - 1];
        if (e->lo == lo && e->hi == hi && e->len == n && e->at == at &&
            (n <= 16 || memcmp(e->s, p, n) == 0))
            goto found;
    }
    /* a free slot: at most three quarters of them used, so probes stay short */
    if (t->nent >= KEY_ENT_MAX || (t->nent + 1) * 4 > 3u << t->bits)
        return 0;
    e = &t->ent[t->nent++];
    t->slot[i] = (uint8_t)t->nent;
    e->lo = lo;
    e->hi = hi;
    e->s = p;
    e->sub = 0;
    e->exact = -1;
    e->len = (uint32_t)n;
    e->at = at;
found:
    if (exact)
        e->exact = k;
    else
        e->sub |= 1ULL << k;
    return 1;
}

/* Whether some byte of a string of up to 16 bytes is a dot, from its words (bytes of the
 * words outside the string are 0, or repeat its bytes). */
static inline int words_dot(uint64_t lo, uint64_t hi)
{
    const uint64_t ones = 0x0101010101010101ULL, dots = ones * '.', highs = ones * 0x80;
    uint64_t a = lo ^ dots, b = hi ^ dots;
    return (((a - ones) & ~a) | ((b - ones) & ~b)) & highs ? 1 : 0;
}

/* Adds wanted name k, [w, w + n): itself, and what lies before each of its dots. */
static int key_add_name(KeyTab *t, const char *w, size_t n, unsigned at, int k)
{
    uint64_t lo, hi;
    int dot;
    if (n <= 16) {
        key_words(w, n, &lo, &hi);
        dot = words_dot(lo, hi);
    } else {
        dot = memchr(w, '.', n) != NULL;
    }
    for (size_t i = 0; dot && i < n; i++)
        if (w[i] == '.' && !key_add(t, w, i, at, k, 0))
            return 0;
    return key_add(t, w, n, at, k, 1);
}

/* Builds the table of want's names with 1 << bits slots; 0 when they do not fit. */
static int key_build(KeyTab *t, const JsonWant *want, unsigned bits)
{
    t->bits = bits;
    t->nent = 0;
    memset(t->slot, 0, (size_t)1 << bits);
    for (int k = 0; k < want->n; k++) {
        const char *w = want->names[k];
        size_t n = want->lens[k];
        /* a top-level key starting with '@' is at, so names starting with '@' only match
         * such keys, and other names only keys that do not */
        if (n && w[0] == '@') {
            if (!key_add_name(t, w + 1, n - 1, 1, k))
                return 0;
        } else if (!key_add_name(t, w, n, 0, k)) {
            return 0;
        }
    }
    return 1;
}

/* The table of the names this thread asked for last, and those names (their lengths and
 * words, which are the names: only names of up to 16 bytes are kept, so the table points
 * into no caller's memory). The records of a batch all ask for the same names, so the table
 * is built once a batch, and checked against the names of each call (a few instructions a
 * name); per thread, so workers never share it, and json_extract calls nothing that could
 * call it again while it is in use. */
typedef struct KeyCache {
    int n;             /* the names of the table, 0: none */
    const KeyTab *got; /* &tab, or NULL: those names make more strings than a table holds */
    uint32_t len[64];
    uint64_t lo[64], hi[64];
    KeyTab tab;
} KeyCache;

static _Thread_local KeyCache key_cache;

/* The table of want's 4 to 64 names: this thread's, or built in local (names longer than 16
 * bytes); NULL when they make more strings than a table holds (then the loop over all). */
static const KeyTab *key_table(const JsonWant *want, KeyTab *local)
{
    KeyCache *c = &key_cache;
    int n = want->n, k, keep = 1;
    if (c->n == n) {
        for (k = 0; k < n; k++) {
            uint64_t lo, hi;
            uint32_t len = want->lens[k];
            if (len != c->len[k])
                break;
            key_words(want->names[k], len, &lo, &hi);
            if (lo != c->lo[k] || hi != c->hi[k])
                break;
        }
        if (k == n)
            return c->got;
    }
    for (k = 0; k < n; k++)
        keep &= want->lens[k] <= 16;
    KeyTab *t = keep ? &c->tab : local;
    c->n = 0;
    /* twice as many slots as names at least (16 to 256), more when the names' dots and '@'s
     * make more strings; past KEY_ENT_MAX strings, none */
    unsigned bits = 4;
    while ((1u << bits) < 2u * (unsigned)n)
        bits++;
    while (t && !key_build(t, want, bits))
        if (++bits > 8)
            t = NULL;
    if (keep) {
        c->got = t;
        for (k = 0; k < n; k++) {
            c->len[k] = want->lens[k];
            key_words(want->names[k], want->lens[k], &c->lo[k], &c->hi[k]);
        }
        c->n = n;
    }
    return t;
}

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
        if (top) { /* one probe of the table */
            const KeyEnt *e = key_find(s->keys, seg, n, (unsigned)at);
            if (e) {
                *exact = e->exact;
                *under = e->sub != 0;
                s->sub_mask = e->sub;
            }
            return;
        }
        m = s->cand[d];
        for (; m; m &= m - 1) { /* ascending: the last equal name wins, as below */
            int k = __builtin_ctzll(m);
            const char *w = s->want->names[k];
            size_t wl = s->want->lens[k];
            if (wl < full || (wl > full && w[full] != '.'))
                continue;
            const char *ws = w + base;
            if ((n && ws[0] != seg[0]) || !same_bytes(ws, seg, n))
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
        if ((n && ws[0] != seg[0]) || (at && w[base] != '@') || !same_bytes(ws, seg, n))
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
    int at = d == 1 && n > 0 && b[0] == '@';
    if (d == 1 && s->masks) { /* child_match's probe, here: the hot case of many names */
        const KeyEnt *e = key_find(s->keys, b, n, (unsigned)at);
        s->sub_mask = e ? e->sub : 0;
        if (!e)
            return;
        s->k = e->exact;
        s->sub = e->sub != 0;
        if (s->sub)
            path_set(&s->path, d, b, n, at, s->pool);
        return;
    }
    ex_child(s, d, b, n, at);
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
    s.keys = NULL;
    KeyTab local;
    if (s.masks && !(s.keys = key_table(want, &local)))
        s.masks = 0;
    for (int k = 0; k < want->n; k++) {
        /* an empty name is matched by the empty key, whose first byte child_match calls 0; so
         * are the names under it, which start with a dot */
        unsigned char c = want->lens[k] ? (unsigned char)want->names[k][0] : 0;
        s.first[c >> 6] |= 1ULL << (c & 63);
        if (c == '.')
            s.first[0] |= 1;
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
