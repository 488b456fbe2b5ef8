/* k_time.c -- datetime function kernels: bin, datefloor, dateceil, fromMillis, toMillis, now
 *
 * Periods arrive as constants checked by sema (> 0 milliseconds, < 0 months; see ts.h). A
 * value becomes a time through its numeric view: timestamps, and numbers read as epoch
 * milliseconds. Results of bin/datefloor/dateceil/fromMillis keep the timestamp type (L12).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <time.h>
#include "engine/expr.h"
#include "engine/kern.h"
#include "engine/ts.h"

#define FOR_ROWS(a)                                                                              \
    for (uint32_t i_ = 0, row = 0; i_ < (a)->b->nsel && ((row = (a)->b->sel[i_]), 1); i_++)

static int as_ms(const Datum *d, int64_t *ms)
{
    double f;
    if (d->type == VT_NULL || d->type == VT_BOOL || !val_as_number(d, &f) || !isfinite(f) ||
        fabs(f) > 9e15)
        return 0;
    *ms = (int64_t)floor(f);
    return 1;
}

static void round_to(const KArgs *a, int ts_arg, int ceil_)
{
    FOR_ROWS(a)
    {
        int64_t ms;
        const Datum *p = VGET(a->args[ts_arg + 1], row);
        if (!as_ms(VGET(a->args[ts_arg], row), &ms) || p->type != VT_NUM) {
            a->out->d[row] = val_null();
            continue;
        }
        a->out->d[row] = val_ts(ceil_ ? ts_ceil(ms, p->v.f) : ts_floor(ms, p->v.f));
    }
}

/* bin(period [, offset]): the compiler passes @timestamp as the first argument; an offset
 * shifts the bin boundaries: floor(t - offset) + offset. */
void k_fn_bin(const KArgs *a)
{
    if (a->nargs < 3) {
        round_to(a, 0, 0);
        return;
    }
    FOR_ROWS(a)
    {
        int64_t ms;
        const Datum *p = VGET(a->args[1], row), *off = VGET(a->args[2], row);
        if (!as_ms(VGET(a->args[0], row), &ms) || p->type != VT_NUM || off->type != VT_NUM) {
            a->out->d[row] = val_null();
            continue;
        }
        int64_t o = (int64_t)off->v.f;
        a->out->d[row] = val_ts(ts_floor(ms - o, p->v.f) + o);
    }
}

void k_fn_datefloor(const KArgs *a)
{
    round_to(a, 0, 0);
}

void k_fn_dateceil(const KArgs *a)
{
    round_to(a, 0, 1);
}

void k_fn_fromMillis(const KArgs *a)
{
    FOR_ROWS(a)
    {
        int64_t ms;
        a->out->d[row] = as_ms(VGET(a->args[0], row), &ms) ? val_ts(ms) : val_null();
    }
}

void k_fn_toMillis(const KArgs *a)
{
    FOR_ROWS(a)
    {
        int64_t ms;
        a->out->d[row] = as_ms(VGET(a->args[0], row), &ms) ? val_num((double)ms) : val_null();
    }
}

/* now() is folded to a constant at compile time (one value for the whole query); this kernel
 * only runs if that folding is bypassed. */
void k_fn_now(const KArgs *a)
{
    double t = (double)time(NULL);
    FOR_ROWS(a) a->out->d[row] = val_num(t);
}
