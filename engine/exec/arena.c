/* arena.c -- chunks of compact records (see arena.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <sys/mman.h>
#include <stdlib.h>
#include "base/mem.h"
#include "engine/exec/arena.h"

_Static_assert(DF_EXACT < 16 && VT_MIXED < 8, "a value's tag byte holds its type and flags");

enum { FIRST_CHUNK = 64 << 10, PAGE = 4096 };

static unsigned char *map(size_t n)
{
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        mem_fail(n);
    return p;
}

unsigned char *arena_alloc(Arena *a, size_t n, uint64_t *ref)
{
    ArenaChunk *last = a->n ? &a->c[a->n - 1] : NULL;
    if (!last || !last->p || last->size > ((size_t)1 << ARENA_SHIFT) || last->size - last->used < n) {
        /* the next size, read before the array moves (last points into it) */
        size_t size = last && last->size < ((size_t)1 << ARENA_SHIFT) ? last->size * 2
                      : last                                      ? (size_t)1 << ARENA_SHIFT
                                                                  : FIRST_CHUNK;
        if (n > size) /* a record of its own */
            size = (n + PAGE - 1) & ~(size_t)(PAGE - 1);
        if (a->n == a->cap) {
            a->cap = a->cap ? a->cap * 2 : 16;
            a->c = mem_realloc(a->c, sizeof(ArenaChunk) * a->cap);
        }
        last = &a->c[a->n++];
        last->p = map(size);
        last->size = size;
        last->used = 0;
        a->mapped += size;
    }
    unsigned char *p = last->p + last->used;
    if (ref)
        *ref = arena_ref(a->n - 1, last->used);
    last->used += n;
    a->used += n;
    return p;
}

void arena_drop(Arena *a, size_t i)
{
    ArenaChunk *c = &a->c[i];
    if (!c->p)
        return;
    munmap(c->p, c->size);
    a->mapped -= c->size;
    a->used -= c->used;
    c->p = NULL;
}

void arena_free(Arena *a)
{
    for (size_t i = 0; i < a->n; i++)
        arena_drop(a, i);
    free(a->c);
    *a = (Arena){0};
}

void arena_move(Arena *dst, Arena *src)
{
    for (size_t i = 0; i < src->n; i++) {
        if (!src->c[i].p)
            continue;
        if (dst->n == dst->cap) {
            dst->cap = dst->cap ? dst->cap * 2 : 16;
            dst->c = mem_realloc(dst->c, sizeof(ArenaChunk) * dst->cap);
        }
        dst->c[dst->n++] = src->c[i];
    }
    dst->used += src->used;
    dst->mapped += src->mapped;
    free(src->c);
    *src = (Arena){0};
}
