/* buf.c -- growable byte buffer (see buf.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "base/mem.h"
#include "base/buf.h"

void buf_grow(LiqBuf *b, size_t need)
{
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + need)
        cap *= 2;
    char *p = mem_realloc(b->p, cap);
    b->p = p;
    b->cap = cap;
}

void buf_free(LiqBuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void buf_printf(LiqBuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap)
        buf_grow(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

int buf_read_file(LiqBuf *b, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return errno ? errno : EIO;
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
        buf_add(b, tmp, n);
    int err = ferror(fp) ? (errno ? errno : EIO) : 0;
    fclose(fp);
    if (err)
        errno = err; /* for callers that report errno */
    return err;
}
