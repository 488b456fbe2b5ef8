/* arena.h -- compact records: chunks of memory that never move, and values without a slot
 *
 * The states that grow with distinct values keep one record per group (op_stats.c) or per row
 * (op_sort.c) in an Arena: chunks of 64 KiB growing to 1 MiB, mapped from the system one by
 * one (mmap), so that a chunk given back (arena_drop) leaves the process at once, whichever
 * thread's malloc arena would otherwise have kept it. A record never moves: a pointer to it
 * stays valid until its chunk is dropped. A record larger than a chunk gets a chunk of its own.
 * A record is named by a 40-bit reference (arena_ref: chunk number and offset in 8-byte units),
 * which a hash index packs beside a tag in 64 bits.
 *
 * Values in records (issue 15: bytes per group and per sorted row) are not 24-byte Datums but
 * their encoding: a tag byte (type in bits 0-2, the flags of val.h in bits 3-6, bit 7: the
 * value has text), then 8 bytes of number (numbers, timestamps, booleans, JSON: the node's
 * pointer; a string only when it reads as a number: its cached numeric view), then, with text,
 * its length (LEB128) and bytes. A 10-byte string key takes 12 bytes, a null 1. Decoded, a
 * value's text points into the record.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_ARENA_H
#define LIQ_ARENA_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "engine/data/val.h"

enum { ARENA_SHIFT = 20 }; /* the largest shared chunk: 1 MiB */

typedef struct ArenaChunk {
    unsigned char *p; /* NULL: dropped */
    size_t size, used;
} ArenaChunk;

typedef struct Arena {
    ArenaChunk *c;
    size_t n, cap;
    size_t used;   /* bytes of records in all chunks (what a state charges its budget) */
    size_t mapped; /* bytes mapped */
} Arena;

/* n bytes in the last chunk or a new one; *ref names them (ref may be NULL). They are
 * 8-aligned when every n asked of a is a multiple of 8 (a reference needs it). */
unsigned char *arena_alloc(Arena *a, size_t n, uint64_t *ref);
/* Gives chunk i back to the system (its records are gone); arena_free: every chunk. */
void arena_drop(Arena *a, size_t i);
void arena_free(Arena *a);

/* Moves src's chunks to the end of dst's (records keep their addresses, not their
 * references); src is left empty. */
void arena_move(Arena *dst, Arena *src);

static inline unsigned char *arena_at(const Arena *a, uint64_t ref)
{
    return a->c[ref >> (ARENA_SHIFT - 3)].p + ((ref & (((uint64_t)1 << (ARENA_SHIFT - 3)) - 1)) << 3);
}
static inline uint64_t arena_ref(size_t chunk, size_t off)
{
    return ((uint64_t)chunk << (ARENA_SHIFT - 3)) | (off >> 3);
}

/* ===== values ===== */

/* The bytes val_enc writes for d. */
static inline size_t val_enc_size(const Datum *d)
{
    size_t n = 1;
    if (d->type != VT_NULL && (d->type != VT_STR || (d->flags & DF_NUMERIC)))
        n += 8;
    if (d->s)
        for (uint32_t l = d->len;; l >>= 7) {
            n++;
            if (l < 128)
                break;
        }
    return n + (d->s ? d->len : 0);
}

/* Writes d at p (a JSON value as its node's pointer: the caller keeps the node alive);
 * returns the end. */
static inline unsigned char *val_enc(unsigned char *p, const Datum *d)
{
    *p++ = (unsigned char)((d->type & 7) | (d->flags & 15) << 3 | (d->s ? 128 : 0));
    if (d->type != VT_NULL && (d->type != VT_STR || (d->flags & DF_NUMERIC))) {
        memcpy(p, &d->v, 8);
        p += 8;
    }
    if (d->s) {
        uint32_t l = d->len;
        for (; l >= 128; l >>= 7)
            *p++ = (unsigned char)(l | 128);
        *p++ = (unsigned char)l;
        memcpy(p, d->s, d->len);
        p += d->len;
    }
    return p;
}

/* The value at p into *d (its text pointing into p); returns the end. */
static inline const unsigned char *val_dec(const unsigned char *p, Datum *d)
{
    unsigned tag = *p++;
    d->type = (uint8_t)(tag & 7);
    d->flags = (uint8_t)((tag >> 3) & 15);
    d->v.i = 0;
    if (d->type != VT_NULL && (d->type != VT_STR || (d->flags & DF_NUMERIC))) {
        memcpy(&d->v, p, 8);
        p += 8;
    }
    d->s = NULL;
    d->len = 0;
    if (tag & 128) {
        uint32_t l = 0;
        for (int sh = 0;; sh += 7) {
            unsigned b = *p++;
            l |= (uint32_t)(b & 127) << sh;
            if (b < 128)
                break;
        }
        d->s = (const char *)p;
        d->len = l;
        p += l;
    }
    return p;
}

#endif
