/* budget.c -- a run's memory budget (see budget.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "engine/exec/budget.h"

int budget_charge(Budget *b, int64_t delta, const char *who)
{
    if (!b)
        return 0;
    int64_t now = atomic_fetch_add_explicit(&b->used, delta, memory_order_relaxed) + delta;
    if (delta <= 0)
        return budget_over(b);
    int64_t peak = atomic_load_explicit(&b->peak, memory_order_relaxed);
    while (now > peak && !atomic_compare_exchange_weak_explicit(&b->peak, &peak, now,
                                                                memory_order_relaxed,
                                                                memory_order_relaxed))
        ;
    if (b->limit <= 0 || now <= b->limit)
        return budget_over(b);
    int was = 0;
    if (atomic_compare_exchange_strong(&b->over, &was, 1)) {
        atomic_store(&b->who, who);
        if (b->stop)
            atomic_store_explicit(b->stop, 1, memory_order_relaxed);
    }
    return 1;
}

void budget_fail(Budget *b, int err, const char *dir)
{
    if (!b)
        return;
    int was = 0;
    if (atomic_compare_exchange_strong(&b->fail_errno, &was, err ? err : -1)) {
        atomic_store(&b->fail_dir, dir);
        if (b->stop)
            atomic_store_explicit(b->stop, 1, memory_order_relaxed);
    }
}
