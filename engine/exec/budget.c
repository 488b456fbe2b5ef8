/* budget.c -- a run's memory budget (see budget.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include "engine/exec/budget.h"
#include "engine/data/jdom.h"
#include "engine/data/val.h"

/* apr_palloc's rounding (APR_ALIGN_DEFAULT) */
static int64_t al8(size_t n)
{
    return (int64_t)((n + 7) & ~(size_t)7);
}

static int64_t jd_bytes(const JdNode *n)
{
    int64_t b = al8(sizeof(*n)) + (n->s ? al8(n->len + 1) : 0);
    if (n->n) {
        b += al8(sizeof(JdNode *) * n->n);
        for (size_t i = 0; i < n->n; i++)
            b += jd_bytes(n->kids[i]);
        if (n->type == JD_OBJ) {
            b += al8(sizeof(char *) * n->n) + al8(sizeof(size_t) * n->n);
            for (size_t i = 0; i < n->n; i++)
                b += al8(n->keylens[i] + 1);
        }
    }
    return b;
}

int64_t budget_datum_bytes(const Datum *d)
{
    if (d->type == VT_JSON)
        return d->v.p ? jd_bytes(d->v.p) : 0;
    return d->s && d->len ? al8(d->len) : 0;
}

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

void budget_size_text(char *buf, size_t len, uint64_t n)
{
    static const char units[] = "KMGT";
    int u = -1;
    while (u < 3 && n && n % 1024 == 0) {
        n /= 1024;
        u++;
    }
    if (u < 0)
        snprintf(buf, len, "%llu", (unsigned long long)n);
    else
        snprintf(buf, len, "%llu%c", (unsigned long long)n, units[u]);
}
