/* mem.c -- the allocators that never return NULL, and the one way out when memory is refused
 * (see mem.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "base/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* write all of s to stderr, unbuffered: stdio may be the very thing that ran out */
static void say(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

_Noreturn void mem_fail(size_t n)
{
    char msg[256];
    int len;
    if (n == 0)
        len = snprintf(msg, sizeof msg,
                       "liq: error: out of memory: the system refused an allocation; the query "
                       "needs more memory than this process may use, results are incomplete\n");
    else
        len = snprintf(msg, sizeof msg,
                       "liq: error: out of memory: the system refused %zu bytes; the query "
                       "needs more memory than this process may use, results are incomplete\n",
                       n);
    if (len > 0)
        say(msg, (size_t)len < sizeof msg ? (size_t)len : sizeof msg - 1);
    _exit(MEM_EXIT);
}

int mem_pool_abort(int retcode)
{
    (void)retcode;
    mem_fail(0);
}

size_t mem_mul(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        mem_fail(SIZE_MAX);
    return n * size;
}

void *mem_alloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        mem_fail(n);
    return p;
}

void *mem_calloc(size_t n, size_t size)
{
    size_t total = mem_mul(n, size);
    void *p = calloc(total ? n : 1, total ? size : 1);
    if (!p)
        mem_fail(total);
    return p;
}

void *mem_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        mem_fail(n);
    return q;
}

char *mem_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = mem_alloc(len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *mem_strdup(const char *s)
{
    return mem_strndup(s, strlen(s));
}
