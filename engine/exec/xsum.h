/* xsum.h -- exact sums of doubles, the same bits whatever the order of additions and merges
 *
 * Used by sum, avg and stddev (agg.c) and by anomaly's numeric cells (engine/pattern): the
 * merged result of any split of the values, in any order of merging, is the sum one run over
 * all of them gives, bit for bit (issue 16). Integral values add in i
 * (while they fit); everything else goes to partials, as Python's math.fsum keeps them
 * (Shewchuk's algorithm): nonoverlapping doubles in increasing magnitude whose sum is exactly
 * the sum of the values added, at most about 40 of them (the exponent range over 53 bits),
 * usually 1 to 3. The value is the exact sum (i and the partials) rounded once, to nearest,
 * ties to even: a function of the exact sum alone, whatever the order of additions. A sum
 * whose partials overflow (a partial sum beyond 1.8e308) is NaN (sum, avg, stddev: null).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_XSUM_H
#define LIQ_XSUM_H

#include <stdint.h>
#include <apr_pools.h>
#include "base/buf.h"

/* Where a state's bytes come from: the table's pool (NULL: malloc), and the count of heap
 * bytes states took from it or from malloc (the memory budget's charge, engine/exec/budget.h).
 * The aggregates' (agg.h) and the exact sums'. */
typedef struct AggMem {
    apr_pool_t *pool;
    int64_t bytes;
} AggMem;

enum { XS_INLINE = 3 };

typedef struct ExactSum {
    int64_t i;     /* integral values, exactly (while they fit) */
    double *more;  /* NULL: the partials are in[]; else all of them (the pool's, or malloc'd) */
    double in[XS_INLINE];
    uint16_t n, cap; /* partials held; room (XS_INLINE, or more's) */
    uint8_t ioverflow; /* i overflowed once: from then on integral values go to the partials */
    uint8_t over;      /* a partial sum overflowed: the sum is null */
    uint8_t owned;     /* more is malloc'd (AggMem without a pool): xsum_free frees it */
} ExactSum;

void xsum_init(ExactSum *s);
/* Frees what a sum kept with malloc (more, when m had no pool); the bytes freed. The sum is
 * zero after. Sums whose partials live in a pool need no call. */
int64_t xsum_free(ExactSum *s);
/* d = s, its partials copied (into m's pool, or malloc'd without one). */
void xsum_copy(ExactSum *d, const ExactSum *s, AggMem *m);
/* Adds x exactly. m: where a longer list of partials is kept: its pool, else malloc (then
 * xsum_free frees it); the bytes taken are added to m->bytes. */
void xsum_add(ExactSum *s, double x, AggMem *m);
/* Adds s's sum to d's, exactly. */
void xsum_merge(ExactSum *d, const ExactSum *s, AggMem *m);
/* The exact sum rounded once, to nearest, ties to even; NaN when a partial overflowed. */
double xsum_value(const ExactSum *s);
/* The sum's bytes: i64 integral part, u8 flags, u16 partials, then the partials (f64). */
void xsum_save(const ExactSum *e, LiqBuf *out);
/* Reads what xsum_save wrote at *p (advanced): 1, or 0 when it is not whole and valid. */
int xsum_load(ExactSum *e, const char **p, const char *end, AggMem *m);

#endif
