/* json_walk.h -- the one JSON walker: a tokenizer and validator that reports what it reads to
 * a visitor whose callbacks the compiler knows (the design is in engine/data/json.h)
 *
 * json_walk reads one JSON value of the lenient language of json.h and calls the visitor's
 * callbacks in document order:
 *
 *   open(depth, obj, at)    a container opens ('{' when obj, else '['), at its first byte;
 *                           depth is its level (1: the outermost)
 *   key(depth, b, e, esc)   an object member's key, before its value: the raw body between
 *                           the quotes; esc when it holds escapes (already checked, so
 *                           json_unescape of it never fails)
 *   elem(depth, idx)        an array element starts (idx from 0), before its value
 *   leaf(depth, t, b, e, esc) a value that is not a container (depth: its container's level,
 *                           0 for a value alone): JSON_STR gives the raw body between the
 *                           quotes (esc as for keys), the others their text as written
 *   close(depth, end)       the container at depth closes; end is just after its '}' or ']'
 *
 * An empty container ({} or [], white space inside allowed) is an open and a close, or, for a
 * visitor whose empty_leaf is 1, one leaf JSON_EMPTY of its text (json.c: a field, json.h);
 * jdom takes open and close (an empty node).
 *
 * A container that would open level JSON_MAX_DEPTH + 1 is read on (checked by the same state
 * machine, to any depth) without a callback, and then reported as one JSON_TEXT leaf of its
 * text; so no callback ever sees a depth above JSON_MAX_DEPTH, and a visitor's per-level
 * arrays hold JSON_MAX_DEPTH + 1 entries. Every callback may be NULL (json_skip passes none).
 *
 * Callbacks are known at compile time: json_walk is always inlined, and a caller passes the
 * address of a static const JsonVisitor of its static functions, so the compiler folds the
 * pointers, inlines the callbacks and drops the NULL ones: each caller gets its own walker
 * (json_extract's, json_each's, jdom's, json_skip's) from this one source, with no indirect
 * call. The walker is iterative: one bit per open container (1: an object) in a local array
 * that moves to the heap past 1024 levels, and no recursion.
 *
 * Callbacks cannot stop the walk, and are called before the walk knows whether the whole text
 * is valid: a caller keeps what it built only when json_walk returns non-NULL.
 *
 * The language is the lenient JSON of engine/data/json.h. This module is the bottom of the
 * JSON readers: it includes nothing of liq (json_walk.c: base/mem.h), and json.c (records)
 * and jdom.c (trees) include it. json_walk.c holds what is not inlined (json_unescape,
 * json_skip).
 *
 * Ownership: json_walk allocates nothing a caller sees (callbacks get pointers into the text);
 * json_unescape allocates in the given pool.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_JSON_WALK_H
#define LIQ_JSON_WALK_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_pools.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Containers nest to this level with events (the record's object is level 1); a deeper one is
 * one JSON_TEXT leaf. */
enum { JSON_MAX_DEPTH = 256 };

#define JSON_INLINE inline __attribute__((always_inline))

typedef enum {
    JSON_STR,   /* a string: the raw body */
    JSON_NUM,   /* a number (RFC 8259 syntax): its text */
    JSON_TRUE,
    JSON_FALSE,
    JSON_NULL,
    JSON_TEXT,  /* NaN, Infinity, -Infinity, or a container deeper than JSON_MAX_DEPTH: a
                 * string of its text as written */
    JSON_EMPTY  /* {} or [] (white space inside allowed), for a visitor with empty_leaf */
} JsonLeaf;

typedef struct JsonVisitor {
    void (*open)(void *ctx, int depth, int obj, const char *at);
    void (*key)(void *ctx, int depth, const char *b, const char *e, int esc);
    void (*elem)(void *ctx, int depth, unsigned idx);
    void (*leaf)(void *ctx, int depth, JsonLeaf t, const char *b, const char *e, int esc);
    void (*close)(void *ctx, int depth, const char *end);
    int empty_leaf; /* 1: an empty container is one JSON_EMPTY leaf (above) */
} JsonVisitor;

/* The end of the one JSON value at p (after optional white space), checked at any depth, or
 * NULL: json_walk with no visitor. What follows the value is the caller's. */
const char *json_skip(const char *p, const char *end);

/* Decodes a JSON string body (between the quotes) with escapes into pool; returns NULL when an
 * escape is invalid (never for a body json_walk reported: it checks escapes as it reads). */
char *json_unescape(const char *s, size_t len, size_t *outlen, apr_pool_t *pool);

/* Grows the walker's container bits from *cap to twice as many (the first time out of local);
 * never NULL: memory refused ends the process (base/mem.h), where a NULL made a deep line
 * read as text. Never hot, so not inlined. */
uint64_t *json_walk_grow(uint64_t *bits, size_t *cap, const uint64_t *local);

/* ===== Tokens ===== */

static JSON_INLINE const char *json_ws(const char *p, const char *end)
{
    if (p < end && (unsigned char)*p > ' ') /* compact JSON has none: one test */
        return p;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static inline int json_hex4(const char *s)
{
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return 0;
    }
    return 1;
}

/* The end of the escape whose backslash is just before p, or NULL when json_unescape would
 * refuse it. */
static inline const char *json_escape_end(const char *p, const char *end)
{
    if (p >= end)
        return NULL;
    switch (*p) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        return p + 1;
    case 'u':
        return end - p >= 5 && json_hex4(p + 1) ? p + 5 : NULL;
    default:
        return NULL;
    }
}

/* A string body that starts at p (after the opening quote): returns its end (the closing
 * quote), or NULL when it is unterminated or holds a bad escape; *esc: it holds escapes. Raw
 * control characters (TAB, NUL, ...) are bytes like any other (json.h). The loop looks at 16
 * bytes at a time for the two bytes that matter ('"' and '\\'). */
static JSON_INLINE const char *json_str_end(const char *p, const char *end, int *esc)
{
    *esc = 0;
    for (;;) {
#ifdef __SSE2__
        const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
        while (end - p >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
            __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash));
            int mask = _mm_movemask_epi8(hit);
            if (mask) {
                p += __builtin_ctz((unsigned)mask);
                goto found; /* *p is one of the two */
            }
            p += 16;
        }
#endif
        while (p < end && *p != '"' && *p != '\\')
            p++;
        if (p >= end)
            return NULL;
#ifdef __SSE2__
    found:
#endif
        if (*p == '"')
            return p;
        *esc = 1;
        if (!(p = json_escape_end(p + 1, end)))
            return NULL;
    }
}

/* The end of the number that starts at p (RFC 8259 syntax), or NULL. */
static JSON_INLINE const char *json_num_end(const char *p, const char *end)
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

/* The end of NaN, Infinity or -Infinity at p, or NULL. */
static inline const char *json_nonfinite_end(const char *p, const char *end)
{
    size_t n = (size_t)(end - p);
    if (n >= 3 && memcmp(p, "NaN", 3) == 0)
        return p + 3;
    if (n >= 8 && memcmp(p, "Infinity", 8) == 0)
        return p + 8;
    if (n >= 9 && memcmp(p, "-Infinity", 9) == 0)
        return p + 9;
    return NULL;
}

/* ===== The walker ===== */

/* Reads the one JSON value that starts at p (after optional white space) and calls v's
 * callbacks on ctx; returns the end of the value (what follows is the caller's), or NULL when
 * no valid value starts there. */
static JSON_INLINE const char *json_walk(const char *p, const char *end, const JsonVisitor *v,
                                         void *ctx)
{
    uint64_t local[16], *bits = local; /* bit d: the container at level d + 1 is an object */
    size_t cap = sizeof(local) * 8, depth = 0;
    size_t raw = 0;                    /* > 0: the level of the deep container being read */
    unsigned idx[JSON_MAX_DEPTH + 1];  /* the current element of each open array (elem) */
    const char *deep = NULL, *r = NULL, *b, *e;
    int obj = 0, esc;
    JsonLeaf t;

value:
    p = json_ws(p, end);
    if (p >= end)
        goto out;
    switch (*p) {
    case '"':
        b = p + 1;
        if (!(e = json_str_end(b, end, &esc)))
            goto out;
        p = e + 1;
        if (v->leaf && !raw)
            v->leaf(ctx, (int)depth, JSON_STR, b, e, esc);
        goto after;
    case '{':
    case '[':
        obj = *p == '{';
        if (depth == cap) {
            uint64_t *nb = json_walk_grow(bits, &cap, local);
            if (!nb)
                goto out;
            bits = nb;
        }
        if (obj)
            bits[depth >> 6] |= 1ULL << (depth & 63);
        else
            bits[depth >> 6] &= ~(1ULL << (depth & 63));
        depth++;
        b = p; /* the bracket */
        p = json_ws(p + 1, end);
        if (p < end && *p == (obj ? '}' : ']')) { /* empty */
            p++;
            if (v->empty_leaf && !raw && depth <= JSON_MAX_DEPTH) {
                depth--; /* one leaf of the container around it */
                obj = depth ? (int)((bits[(depth - 1) >> 6] >> ((depth - 1) & 63)) & 1) : 0;
                t = JSON_EMPTY;
                e = p;
                p = b;
                break;
            }
            if (!raw) { /* open and close */
                if (depth > JSON_MAX_DEPTH) {
                    raw = depth;
                    deep = b;
                } else if (v->open) {
                    v->open(ctx, (int)depth, obj, b);
                }
            }
            goto close;
        }
        if (!raw) {
            if (depth > JSON_MAX_DEPTH) {
                raw = depth;
                deep = b;
            } else if (v->open) {
                v->open(ctx, (int)depth, obj, b);
            }
        }
        if (obj)
            goto key;
        if (v->elem && !raw)
            v->elem(ctx, (int)depth, idx[depth] = 0);
        goto value;
    case 't':
        if (end - p < 4 || memcmp(p, "true", 4) != 0)
            goto out;
        t = JSON_TRUE;
        e = p + 4;
        break;
    case 'f':
        if (end - p < 5 || memcmp(p, "false", 5) != 0)
            goto out;
        t = JSON_FALSE;
        e = p + 5;
        break;
    case 'n':
        if (end - p < 4 || memcmp(p, "null", 4) != 0)
            goto out;
        t = JSON_NULL;
        e = p + 4;
        break;
    default:
        t = JSON_NUM;
        if (!(e = json_num_end(p, end))) {
            t = JSON_TEXT; /* NaN, Infinity, -Infinity: strings (json.h) */
            if (!(e = json_nonfinite_end(p, end)))
                goto out;
        }
        break;
    }
    if (v->leaf && !raw)
        v->leaf(ctx, (int)depth, t, p, e, 0);
    p = e;
    goto after;

key:
    p = json_ws(p, end);
    if (p >= end || *p != '"')
        goto out;
    b = p + 1;
    if (!(e = json_str_end(b, end, &esc)))
        goto out;
    p = json_ws(e + 1, end);
    if (p >= end || *p != ':')
        goto out;
    p++;
    if (v->key && !raw)
        v->key(ctx, (int)depth, b, e, esc);
    goto value;

close: /* p is just after the '}' or ']' of the container at depth */
    if (raw == depth) { /* the deep container ends: one leaf of its text */
        raw = 0;
        if (v->leaf)
            v->leaf(ctx, (int)depth - 1, JSON_TEXT, deep, p, 0);
    } else if (v->close && !raw) {
        v->close(ctx, (int)depth, p);
    }
    depth--;
    if (depth)
        obj = (int)((bits[(depth - 1) >> 6] >> ((depth - 1) & 63)) & 1);

after:
    if (depth == 0) {
        r = p;
        goto out;
    }
    p = json_ws(p, end);
    if (p >= end)
        goto out;
    if (*p == ',') {
        p++;
        if (obj)
            goto key;
        if (v->elem && !raw)
            v->elem(ctx, (int)depth, ++idx[depth]);
        goto value;
    }
    if (*p == (obj ? '}' : ']')) {
        p++;
        goto close;
    }

out:
    if (bits != local)
        free(bits);
    return r;
}

#endif
