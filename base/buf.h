/* buf.h -- a growable byte buffer for output text and scratch strings
 *
 * LiqBuf owns its bytes (malloc); buf_free releases them. Appends never fail: an allocation
 * failure aborts, as running out of memory while formatting output has no useful recovery.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_BUF_H
#define LIQ_BUF_H

#include <stddef.h>
#include <string.h>

typedef struct LiqBuf {
    char *p;
    size_t len, cap;
} LiqBuf;

void buf_grow(LiqBuf *b, size_t need);
void buf_free(LiqBuf *b);
void buf_printf(LiqBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends the whole file at path to b: 0, or an errno value, also left in errno (b keeps
 * what was read). */
int buf_read_file(LiqBuf *b, const char *path);

static inline void buf_add(LiqBuf *b, const void *s, size_t n)
{
    if (n == 0)
        return;
    if (b->len + n > b->cap)
        buf_grow(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static inline void buf_addc(LiqBuf *b, char c)
{
    if (b->len + 1 > b->cap)
        buf_grow(b, 1);
    b->p[b->len++] = c;
}

static inline void buf_adds(LiqBuf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* Reading bytes back: n bytes at *p into v and *p moved past them, or 0 (nothing read) when
 * fewer than n are left before end. */
static inline int buf_take(const char **p, const char *end, void *v, size_t n)
{
    if ((size_t)(end - *p) < n)
        return 0;
    memcpy(v, *p, n);
    *p += n;
    return 1;
}

#endif
