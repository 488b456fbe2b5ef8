/* budget.h -- a run's memory budget: what its growing states hold, against --memory-limit
 *
 * Every state that grows with the distinct values of its input (stats groups with their
 * aggregate states, dedup keys, sort without limit, pattern clusters, the tables of joins and
 * subqueries) charges what it adds, in bytes, to its run's budget (one atomic counter:
 * states charge per batch, not per row) and releases what it frees. Charges are estimates of
 * the heap the state holds (arrays, strings, aggregate states), close to what the process's
 * resident size grows by (docs/memory.md). When a charge passes the limit, the budget notes
 * which operator passed it and stops the run: liq_run_exec then ends with LIQ_EMEMORY and a
 * diagnostic naming the operator and the limit, never with the OOM killer. No charge: no
 * limit (limit 0).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_BUDGET_H
#define LIQ_BUDGET_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Budget {
    _Atomic int64_t used;  /* bytes charged now */
    _Atomic int64_t peak;  /* the most bytes charged at once */
    int64_t limit;         /* bytes; 0: no limit */
    _Atomic int over;      /* set once, by the charge that passed the limit */
    const char *_Atomic who; /* the operator that passed it ("stats", "sort", ...) */
    _Atomic int *stop;     /* the run's stop flag, raised with over */
    /* spilling (spill.h): where, and the first failure (errno, and the directory) */
    const char *temp_dir;  /* NULL: $TMPDIR, else /tmp */
    _Atomic int fail_errno;
    const char *_Atomic fail_dir;
} Budget;

/* A spill file could not be made, written or read (err: errno; dir: where): stops the run,
 * which then ends with an error naming both (the first failure is kept). */
void budget_fail(Budget *b, int err, const char *dir);

/* Whether more bytes fit below part/4 of the limit (the point where spillable states spill:
 * the rest is for the merge and the states that cannot spill). No limit: always. */
static inline int budget_room(const Budget *b, int64_t more, int part)
{
    if (!b || b->limit <= 0)
        return 1;
    return atomic_load_explicit(&b->used, memory_order_relaxed) + more <= b->limit / 4 * part;
}

/* Adds delta bytes (negative: released) to b's count; returns 1 when this charge passed the
 * limit (then b->over, b->who and *b->stop are set; later charges return 1 too). b NULL: 0. */
int budget_charge(Budget *b, int64_t delta, const char *who);

/* Whether the limit was passed. */
static inline int budget_over(const Budget *b)
{
    return b && atomic_load_explicit(&b->over, memory_order_relaxed);
}

/* Whether the run must stop: the limit was passed, or a spill file failed. */
static inline int budget_stopped(const Budget *b)
{
    return b && (atomic_load_explicit(&b->over, memory_order_relaxed) ||
                 atomic_load_explicit(&b->fail_errno, memory_order_relaxed));
}

/* Moves a state's charge towards `now` bytes: charges now - *charged and sets *charged. */
static inline int budget_track(Budget *b, int64_t *charged, int64_t now, const char *who)
{
    int64_t d = now - *charged;
    *charged = now;
    return d ? budget_charge(b, d, who) : budget_over(b);
}

/* The heap bytes datum_copy (engine/exec/op.h) takes for d in a pool: its string rounded up
 * to the pool's 8-byte alignment, or the nodes, child arrays and strings of a JSON value; 0
 * for a value without bytes. What states that copy values charge (issue 15: honest charges). */
struct Datum;
int64_t budget_datum_bytes(const struct Datum *d);

/* A size as --memory-limit takes it, for messages: 512M, 1536K, 3G, or bytes. */
void budget_size_text(char *buf, size_t len, uint64_t n);

#endif
