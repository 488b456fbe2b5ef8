/* json.c -- one-pass JSON field extraction (see json.h)
 *
 * A hand-written scanner: this is the hottest loop of a JSON query, and a DOM parser would
 * allocate for every value of every line. The scanner validates the whole line while it walks
 * it, keeps the current flattened path in a small buffer, and skips subtrees that no wanted
 * name lies under. It reads the lenient JSON json.h describes (raw control characters in
 * strings, NaN and Infinity, any depth); engine/data/jdom.c reads the same language with the
 * scalar helpers below (json_number_end, json_word, json_skip).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "engine/data/json.h"

typedef struct Scan {
    const char *p, *end;
    const JsonWant *want;
    Datum *out;
    apr_pool_t *pool;
    int leaves;
    char *path;       /* the flattened path: buf, or a larger copy in pool for long names */
    size_t plen, pcap;
    char buf[1024];
    int depth;
    uint64_t first[4]; /* bitset: first bytes of the wanted names (top-level keys) */
} Scan;

static inline void ws(Scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* Scans a string starting after its opening quote; sets [*b, *e) to the raw body and *esc when
 * it holds escapes. Leaves p after the closing quote. Raw control characters (TAB, NUL, ...)
 * are bytes like any other (json.h). The loop looks at 16 bytes at a time for the two bytes
 * that matter ('"' and '\\'). */
static inline __attribute__((always_inline)) int str_body(Scan *s, const char **b, const char **e,
                                                         int *esc)
{
    const char *p = s->p, *end = s->end;
    *esc = 0;
    *b = p;
    for (;;) {
#ifdef __SSE2__
        const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
        while (end - p >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
            __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash));
            int mask = _mm_movemask_epi8(hit);
            if (mask) {
                p += __builtin_ctz((unsigned)mask);
                break;
            }
            p += 16;
        }
#endif
        while (p < end && *p != '"' && *p != '\\')
            p++;
        if (p >= end)
            return 0;
        if (*p == '"') {
            *e = p;
            s->p = p + 1;
            return 1;
        }
        /* a backslash escapes the next byte */
        *esc = 1;
        if (p + 1 >= end)
            return 0;
        p += 2;
    }
}

static void put_hex_utf8(char *out, size_t *o, uint32_t cp)
{
    if (cp < 0x80) {
        out[(*o)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*o)++] = (char)(0xC0 | (cp >> 6));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*o)++] = (char)(0xE0 | (cp >> 12));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*o)++] = (char)(0xF0 | (cp >> 18));
        out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    }
}

static int hex4(const char *s, uint32_t *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        *v <<= 4;
        if (c >= '0' && c <= '9')
            *v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            *v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            *v |= (uint32_t)(c - 'A' + 10);
        else
            return 0;
    }
    return 1;
}

char *json_unescape(const char *s, size_t len, size_t *outlen, apr_pool_t *pool)
{
    char *out = apr_palloc(pool, len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\\') {
            out[o++] = s[i];
            continue;
        }
        if (++i >= len)
            return NULL;
        switch (s[i]) {
        case '"': out[o++] = '"'; break;
        case '\\': out[o++] = '\\'; break;
        case '/': out[o++] = '/'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            uint32_t cp, lo;
            if (i + 4 >= len || !hex4(s + i + 1, &cp))
                return NULL;
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < len && s[i + 1] == '\\' &&
                s[i + 2] == 'u' && hex4(s + i + 3, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            } else if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = 0xFFFD; /* a lone surrogate */
            }
            put_hex_utf8(out, &o, cp);
            break;
        }
        default:
            return NULL;
        }
    }
    out[o] = 0;
    *outlen = o;
    return out;
}
/* ===== Scalars and deep values: the rules json_extract, json_each and jdom share ===== */

static inline const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* The end of the number that starts at p (RFC 8259 syntax), or NULL. */
static inline const char *num_end(const char *p, const char *end)
{
    if (p < end && *p == '-')
        p++;
    if (p >= end)
        return NULL;
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    } else {
        return NULL;
    }
    if (p < end && *p == '.') {
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return NULL;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9')
            return NULL;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    return p;
}

const char *json_number_end(const char *p, const char *end)
{
    return num_end(p, end);
}

size_t json_nonfinite(const char *p, const char *end)
{
    size_t n = (size_t)(end - p);
    if (n >= 3 && memcmp(p, "NaN", 3) == 0)
        return 3;
    if (n >= 8 && memcmp(p, "Infinity", 8) == 0)
        return 8;
    if (n >= 9 && memcmp(p, "-Infinity", 9) == 0)
        return 9;
    return 0;
}

/* The end of a string body that starts after its opening quote (p just after the closing
 * quote), or NULL when it is unterminated or holds an escape json_unescape refuses. */
static const char *str_end(const char *p, const char *end)
{
    uint32_t cp;
    for (; p < end; p++) {
        if (*p == '"')
            return p + 1;
        if (*p != '\\')
            continue;
        if (++p >= end)
            return NULL;
        switch (*p) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            break;
        case 'u':
            if (end - p < 6 || !hex4(p + 1, &cp)) /* 4 digits and the closing quote */
                return NULL;
            p += 4;
            break;
        default:
            return NULL;
        }
    }
    return NULL;
}

/* The end of the scalar at p (string, number, word), or NULL. */
static const char *scalar_end(const char *p, const char *end)
{
    size_t n = (size_t)(end - p);
    switch (*p) {
    case '"':
        return str_end(p + 1, end);
    case 't':
        return n >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : NULL;
    case 'f':
        return n >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL;
    case 'n':
        return n >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : NULL;
    default: {
        const char *e = num_end(p, end);
        if (e)
            return e;
        n = json_nonfinite(p, end);
        return n ? p + n : NULL;
    }
    }
}

/* Iterative: one bit per open container (1: an object) instead of a stack frame, so any depth
 * fits (the bits go to the heap past 1024 levels). */
const char *json_skip(const char *p, const char *end)
{
    enum { VALUE, KEY, AFTER };
    uint64_t local[16], *bits = local;
    size_t cap = sizeof(local) * 8, depth = 0;
    const char *r = NULL;
    int st = VALUE;
    for (;;) {
        if (st == AFTER && depth == 0) {
            r = p;
            break;
        }
        p = skip_ws(p, end);
        if (p >= end)
            break;
        if (st == KEY) { /* "key" : */
            if (*p != '"' || !(p = str_end(p + 1, end)))
                break;
            p = skip_ws(p, end);
            if (p >= end || *p != ':')
                break;
            p++;
            st = VALUE;
        } else if (st == AFTER) {
            size_t d = depth - 1;
            int obj = (int)((bits[d >> 6] >> (d & 63)) & 1);
            if (*p == ',') {
                st = obj ? KEY : VALUE;
            } else if (*p == (obj ? '}' : ']')) {
                depth--;
            } else {
                break;
            }
            p++;
        } else if (*p == '{' || *p == '[') {
            int obj = *p++ == '{';
            if (depth == cap) {
                uint64_t *nb = malloc(cap / 4); /* twice the bits */
                if (!nb)
                    break;
                memcpy(nb, bits, cap / 8);
                if (bits != local)
                    free(bits);
                bits = nb;
                cap *= 2;
            }
            if (obj)
                bits[depth >> 6] |= 1ULL << (depth & 63);
            else
                bits[depth >> 6] &= ~(1ULL << (depth & 63));
            depth++;
            const char *q = skip_ws(p, end);
            if (q < end && *q == (obj ? '}' : ']')) { /* empty */
                p = q + 1;
                depth--;
                st = AFTER;
            } else {
                st = obj ? KEY : VALUE;
            }
        } else {
            if (!(p = scalar_end(p, end)))
                break;
            st = AFTER;
        }
    }
    if (bits != local)
        free(bits);
    return r;
}

/* Where the JSON text of a line starts: after a UTF-8 byte order mark, if any. */
static inline const char *after_bom(const char *line, size_t len)
{
    return len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0 ? line + 3 : line;
}

int json_looks_like_object(const char *line, size_t len)
{
    const char *p = skip_ws(after_bom(line, len), line + len), *e = line + len;
    if (p >= e || *p != '{')
        return 0;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        e--;
    return e - p >= 2 && e[-1] == '}';
}

/* ===== json_extract ===== */

/* For a child `seg` of the current path (with an '@' prepended when `at`): *exact = the wanted
 * name equal to path.seg (or -1), *under = whether some wanted name lies below path.seg. At the
 * top level (depth 1) the name is seg alone; below, the path, a dot and seg, even when the path
 * is empty (the child of an empty key: {"":{"a":0}} is ".a"). */
static void child_match(const Scan *s, const char *seg, size_t n, int at, int *exact, int *under)
{
    int top = s->depth == 1;
    size_t base = top ? 0 : s->plen + 1, full = base + (size_t)at + n;
    *exact = -1;
    *under = 0;
    /* most top-level keys start with a byte no wanted name starts with: skip them at once */
    unsigned char c0 = at ? '@' : (n ? (unsigned char)seg[0] : 0);
    if (top && !(s->first[c0 >> 6] & (1ULL << (c0 & 63))))
        return;
    for (int k = 0; k < s->want->n; k++) {
        const char *w = s->want->names[k];
        size_t wl = s->want->lens[k];
        if (wl < full || (wl > full && w[full] != '.')) /* neither this name nor under it */
            continue;
        if (!top && (memcmp(w, s->path, s->plen) != 0 || w[s->plen] != '.'))
            continue;
        if ((at && w[base] != '@') || memcmp(w + base + (size_t)at, seg, n) != 0)
            continue;
        if (wl == full)
            *exact = k;
        else if (w[full] == '.')
            *under = 1;
    }
}

static int value(Scan *s, int k, int under);

static inline int number(Scan *s, const char **b)
{
    const char *e = num_end(s->p, s->end);
    if (!e)
        return 0;
    *b = s->p;
    s->p = e;
    return 1;
}

/* The output index for a leaf wanted as k (or -1); every leaf counts toward the field cap,
 * wanted or not. */
static inline int leaf_slot(Scan *s, int k)
{
    return ++s->leaves > JSON_MAX_FIELDS ? -1 : k;
}

/* A string value (p at its opening quote); k as for value(). Inlined into object(), where
 * most values are strings. */
static inline __attribute__((always_inline)) int string_value(Scan *s, int k)
{
    s->p++;
    const char *b, *e;
    int esc;
    if (!str_body(s, &b, &e, &esc))
        return 0;
    k = leaf_slot(s, k);
    size_t n = (size_t)(e - b);
    if (esc) { /* decoded when wanted, else only validated */
        const char *u = json_unescape(b, n, &n, s->pool);
        if (!u)
            return 0;
        if (k >= 0)
            s->out[k] = val_str(u, n);
    } else if (k >= 0) {
        s->out[k] = val_str(b, n);
    }
    return 1;
}

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

/* NaN, Infinity, -Infinity: the strings of their text (json.h). */
static __attribute__((noinline, cold)) int nonfinite_value(Scan *s, int k)
{
    size_t n = json_nonfinite(s->p, s->end);
    if (!n)
        return 0;
    k = leaf_slot(s, k);
    if (k >= 0)
        s->out[k] = val_str(s->p, n);
    s->p += n;
    return 1;
}

/* A container that would open level JSON_MAX_DEPTH + 1: one leaf, its JSON text as written. */
static __attribute__((noinline, cold)) int deep_value(Scan *s, int k)
{
    const char *b = s->p, *e = json_skip(b, s->end);
    if (!e)
        return 0;
    s->p = e;
    k = leaf_slot(s, k);
    if (k >= 0)
        s->out[k] = val_str(b, (size_t)(e - b));
    return 1;
}

/* Appends a path segment (after a dot unless top, after an '@' when at); returns the old length
 * to restore. A path longer than the buffer moves to the pool: field names have no length
 * limit (issue 11). */
static long push(Scan *s, const char *seg, size_t n, int top, int at)
{
    size_t old = s->plen;
    size_t need = old + (top ? 0 : 1) + n + (at ? 1 : 0);
    if (need >= s->pcap) {
        size_t cap = need * 2;
        char *p = apr_palloc(s->pool, cap);
        memcpy(p, s->path, old);
        s->path = p;
        s->pcap = cap;
    }
    if (!top)
        s->path[s->plen++] = '.';
    if (at)
        s->path[s->plen++] = '@';
    memcpy(s->path + s->plen, seg, n);
    s->plen += n;
    return (long)old;
}

static int object(Scan *s, int track)
{
    s->depth++; /* value() keeps it at most JSON_MAX_DEPTH */
    s->p++;     /* '{' */
    ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        s->depth--;
        return 1;
    }
    for (;;) {
        ws(s);
        if (s->p >= s->end || *s->p != '"')
            return 0;
        s->p++;
        const char *kb, *ke;
        int esc;
        if (!str_body(s, &kb, &ke, &esc))
            return 0;
        ws(s);
        if (s->p >= s->end || *s->p != ':')
            return 0;
        s->p++;
        ws(s);
        int k = -1, sub = 0;
        long old = -1;
        const char *key = kb;
        size_t kl = (size_t)(ke - kb);
        if (esc) { /* checked even when untracked: a bad escape is bad JSON for every query */
            key = json_unescape(kb, kl, &kl, s->pool);
            if (!key)
                return 0;
        }
        if (track) {
            int top = s->depth == 1, at = top && kl > 0 && key[0] == '@';
            child_match(s, key, kl, at, &k, &sub);
            if (sub) {
                old = push(s, key, kl, top, at);
                sub = old >= 0;
            }
        }
        if (!(s->p < s->end && *s->p == '"' ? string_value(s, k) : value(s, k, sub)))
            return 0;
        if (old >= 0)
            s->plen = (size_t)old;
        ws(s);
        if (s->p >= s->end)
            return 0;
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p == '}') {
            s->p++;
            s->depth--;
            return 1;
        }
        return 0;
    }
}

static int array(Scan *s, int track)
{
    s->depth++; /* value() keeps it at most JSON_MAX_DEPTH */
    s->p++;     /* '[' */
    ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        s->depth--;
        return 1;
    }
    for (unsigned idx = 0;; idx++) {
        ws(s);
        long old = -1;
        int k = -1, sub = 0;
        if (track) {
            char num[16];
            int n = 0;
            unsigned v = idx;
            char rev[16];
            do {
                rev[n++] = (char)('0' + v % 10);
                v /= 10;
            } while (v);
            for (int i = 0; i < n; i++)
                num[i] = rev[n - 1 - i];
            child_match(s, num, (size_t)n, 0, &k, &sub);
            if (sub) {
                old = push(s, num, (size_t)n, 0, 0);
                sub = old >= 0;
            }
        }
        if (!value(s, k, sub))
            return 0;
        if (old >= 0)
            s->plen = (size_t)old;
        ws(s);
        if (s->p >= s->end)
            return 0;
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p == ']') {
            s->p++;
            s->depth--;
            return 1;
        }
        return 0;
    }
}

/* Scans one value. k: the wanted index when the value itself is wanted (a leaf), else -1;
 * under: some wanted name lies inside it (the path has been pushed). */
static int value(Scan *s, int k, int under)
{
    if (s->p >= s->end)
        return 0;
    switch (*s->p) {
    case '{':
        return s->depth < JSON_MAX_DEPTH ? object(s, under) : deep_value(s, k);
    case '[':
        return s->depth < JSON_MAX_DEPTH ? array(s, under) : deep_value(s, k);
    case '"':
        return string_value(s, k);
    case 't':
        if (s->end - s->p >= 4 && memcmp(s->p, "true", 4) == 0) {
            s->p += 4;
            k = leaf_slot(s, k);
            if (k >= 0)
                s->out[k] = val_bool(1);
            return 1;
        }
        return 0;
    case 'f':
        if (s->end - s->p >= 5 && memcmp(s->p, "false", 5) == 0) {
            s->p += 5;
            k = leaf_slot(s, k);
            if (k >= 0)
                s->out[k] = val_bool(0);
            return 1;
        }
        return 0;
    case 'n':
        if (s->end - s->p >= 4 && memcmp(s->p, "null", 4) == 0) {
            s->p += 4;
            k = leaf_slot(s, k);
            if (k >= 0)
                s->out[k] = val_null();
            return 1;
        }
        return 0;
    default: {
        const char *b;
        if (!number(s, &b))
            return nonfinite_value(s, k);
        k = leaf_slot(s, k);
        if (k >= 0)
            s->out[k] = num_datum(b, (size_t)(s->p - b), s->pool);
        return 1;
    }
    }
}

int json_extract(const char *line, size_t len, const JsonWant *want, Datum *out, apr_pool_t *pool)
{
    Scan s;
    s.p = after_bom(line, len);
    s.end = line + len;
    s.want = want;
    s.out = out;
    s.pool = pool;
    s.leaves = 0;
    s.path = s.buf;
    s.pcap = sizeof(s.buf);
    s.plen = 0;
    s.depth = 0;
    memset(s.first, 0, sizeof(s.first));
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
    ws(&s);
    if (s.p >= s.end || *s.p != '{')
        return 0;
    int ok = object(&s, 1);
    ws(&s);
    if (!ok || s.p != s.end) {
        for (int k = 0; k < want->n; k++)
            out[k] = val_null();
        return 0;
    }
    return 1;
}

/* ===== Every leaf (field discovery, json_each) ===== */

/* The same walk as json_extract with every name wanted: the path is always tracked. */
typedef struct Each {
    Scan s;
    JsonLeafFn fn;
    void *ctx;
} Each;

static int each_value(Each *e, int named);

static void each_leaf(Each *e, int named, Datum d)
{
    if (++e->s.leaves > JSON_MAX_FIELDS || !named || d.type == VT_NULL)
        return;
    e->fn(e->ctx, e->s.path, e->s.plen, &d);
}

static int each_object(Each *e, int named)
{
    Scan *s = &e->s;
    s->depth++; /* each_value() keeps it at most JSON_MAX_DEPTH */
    s->p++;     /* '{' */
    ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        s->depth--;
        return 1;
    }
    for (;;) {
        ws(s);
        if (s->p >= s->end || *s->p != '"')
            return 0;
        s->p++;
        const char *kb, *ke;
        int esc;
        if (!str_body(s, &kb, &ke, &esc))
            return 0;
        ws(s);
        if (s->p >= s->end || *s->p != ':')
            return 0;
        s->p++;
        ws(s);
        const char *key = kb;
        size_t kl = (size_t)(ke - kb);
        if (esc && !(key = json_unescape(kb, kl, &kl, s->pool)))
            return 0;
        int top = s->depth == 1;
        long old = named ? push(s, key, kl, top, top && kl > 0 && key[0] == '@') : -1;
        if (!each_value(e, old >= 0))
            return 0;
        if (old >= 0)
            s->plen = (size_t)old;
        ws(s);
        if (s->p >= s->end)
            return 0;
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p == '}') {
            s->p++;
            s->depth--;
            return 1;
        }
        return 0;
    }
}

static int each_array(Each *e, int named)
{
    Scan *s = &e->s;
    s->depth++; /* each_value() keeps it at most JSON_MAX_DEPTH */
    s->p++;     /* '[' */
    ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        s->depth--;
        return 1;
    }
    for (unsigned idx = 0;; idx++) {
        ws(s);
        char num[16];
        int n = snprintf(num, sizeof(num), "%u", idx);
        long old = named ? push(s, num, (size_t)n, 0, 0) : -1;
        if (!each_value(e, old >= 0))
            return 0;
        if (old >= 0)
            s->plen = (size_t)old;
        ws(s);
        if (s->p >= s->end)
            return 0;
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p == ']') {
            s->p++;
            s->depth--;
            return 1;
        }
        return 0;
    }
}

static int each_value(Each *e, int named)
{
    Scan *s = &e->s;
    if (s->p >= s->end)
        return 0;
    switch (*s->p) {
    case '{':
    case '[': {
        if (s->depth < JSON_MAX_DEPTH)
            return *s->p == '{' ? each_object(e, named) : each_array(e, named);
        const char *b = s->p, *end = json_skip(b, s->end); /* kept as text, as deep_value */
        if (!end)
            return 0;
        s->p = end;
        each_leaf(e, named, val_str(b, (size_t)(end - b)));
        return 1;
    }
    case '"': {
        s->p++;
        const char *b, *end;
        int esc;
        if (!str_body(s, &b, &end, &esc))
            return 0;
        size_t n = (size_t)(end - b);
        if (esc && !(b = json_unescape(b, n, &n, s->pool)))
            return 0;
        each_leaf(e, named, val_str(b, n));
        return 1;
    }
    case 't':
    case 'f':
    case 'n': {
        static const char *const words[] = {"true", "false", "null"};
        int w = *s->p == 't' ? 0 : *s->p == 'f' ? 1 : 2;
        size_t n = strlen(words[w]);
        if ((size_t)(s->end - s->p) < n || memcmp(s->p, words[w], n) != 0)
            return 0;
        s->p += n;
        each_leaf(e, named, w == 2 ? val_null() : val_bool(w == 0));
        return 1;
    }
    default: {
        const char *b;
        if (!number(s, &b)) {
            size_t n = json_nonfinite(s->p, s->end); /* a string, as nonfinite_value */
            if (!n)
                return 0;
            each_leaf(e, named, val_str(s->p, n));
            s->p += n;
            return 1;
        }
        each_leaf(e, named, num_datum(b, (size_t)(s->p - b), s->pool));
        return 1;
    }
    }
}

int json_each(const char *line, size_t len, JsonLeafFn fn, void *ctx, apr_pool_t *pool)
{
    Each e;
    memset(&e, 0, sizeof(e));
    e.s.p = after_bom(line, len);
    e.s.end = line + len;
    e.s.pool = pool;
    e.s.path = e.s.buf;
    e.s.pcap = sizeof(e.s.buf);
    e.fn = fn;
    e.ctx = ctx;
    ws(&e.s);
    if (e.s.p >= e.s.end || *e.s.p != '{')
        return 0;
    int ok = each_object(&e, 1);
    ws(&e.s);
    return ok && e.s.p == e.s.end;
}
