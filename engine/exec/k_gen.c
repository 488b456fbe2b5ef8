/* k_gen.c -- general function kernels: case, if, messageSize, unmask
 *
 * Part 2 §4.4 of the language reference (ispresent and coalesce are in k_func.c, isNumeric in
 * k_num.c next to the conversions it agrees with). Conditions are read as filter reads them
 * (val_truthy, §6.3): true, a non-zero number, "true" or a non-zero numeric string; null is not
 * true, so a null condition falls through to the next branch, as SQL's CASE does. The chosen
 * value is passed through unchanged, type and text included. Every argument is evaluated for
 * every row (no short circuit): kernels have no side effects, so only the cost differs.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "engine/exec/expr.h"
#include "engine/exec/kern.h"

/* case(c1, v1, c2, v2, ..., [default]): the value after the first true condition; else the
 * default (an odd last argument), else null. The table caps the arguments at 21, the ten
 * branches and default the reference allows; sema reports more. */
void k_fn_case(const KArgs *a)
{
    int pairs = a->nargs / 2, has_default = a->nargs % 2;
    FOR_ROWS(a->b)
    {
        const Datum *r = NULL;
        for (int k = 0; k < pairs && !r; k++)
            if (val_truthy(VGET(a->args[2 * k], row)))
                r = VGET(a->args[2 * k + 1], row);
        if (!r && has_default)
            r = VGET(a->args[a->nargs - 1], row);
        a->out->d[row] = r ? *r : val_null();
    }
}

/* if(cond, a, b): a when cond is true, else b (null cond included). */
void k_fn_if(const KArgs *a)
{
    FOR_ROWS(a->b)
    {
        int t = val_truthy(VGET(a->args[0], row));
        a->out->d[row] = *VGET(a->args[t ? 1 : 2], row);
    }
}

/* messageSize(f): the length of f's text in bytes (strlen counts characters). */
void k_fn_messageSize(const KArgs *a)
{
    LiqBuf t = {0}; /* formatted text of non-strings; freed here, not kept */
    FOR_ROWS(a->b)
    {
        const Datum *d = VGET(a->args[0], row);
        size_t n = 0;
        if (d->type == VT_NULL) {
            a->out->d[row] = val_null();
            continue;
        }
        val_text(d, &t, &n);
        a->out->d[row] = val_num((double)n);
    }
    buf_free(&t);
}

/* unmask(f): f itself. liq never masks data (CloudWatch's data protection masks sensitive
 * values at ingestion, and unmask shows the original), so there is nothing to undo. */
void k_fn_unmask(const KArgs *a)
{
    FOR_ROWS(a->b) a->out->d[row] = *VGET(a->args[0], row);
}
