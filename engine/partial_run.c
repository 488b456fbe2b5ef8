/* partial_run.c -- the public door of partial results (see liq.h, docs/partial-format.md)
 *
 * liq --partial runs a query's first stage over part of the inputs with keep_state and hands
 * the state of the first breaker out as bytes (OpVTable.save: stats groups with their
 * aggregate states, the rows of sort, limit, dedup, unnest and the window commands, spilled
 * parts included); liq --merge makes states of such bytes (OpVTable.load, which trusts
 * nothing) and merges them into a run without inputs, which finishes the query. A query
 * whose first stage streams its rows (no breaker) gives its output rows, each with its order
 * key, and the client writes them in order.
 *
 * What cannot be split is refused with the command's name: a subquery, a join, appendcols or
 * queryStartTime() and the like read the whole inputs before the query's own rows (each part
 * would see only its own). A breaker without a byte form (none today) would be refused too.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "engine/liq_int.h"
#include "engine/exec/budget.h"
#include "engine/exec/op.h"
#include "engine/exec/partial.h"
#include "engine/exec/pipe.h"
#include "engine/exec/tally.h"
#include "engine/input/census.h"

const char *liq_partial_refusal(const LiqQuery *q)
{
    const Plan *p = liq_query_plan(q);
    for (int i = 0; i < 3; i++)
        if (p->range_slots[i] >= 0)
            return "queryStartTime(), queryEndTime() and queryTimeRange() read every input "
                   "before the query's rows, so a part cannot compute them alone";
    for (int i = 0; i < p->npipes; i++) {
        for (int k = 0; k < p->pipes[i].nops; k++)
            if (op_subq_inner(p->pipes[i].ops[k]))
                return "a subquery ('in (SOURCE ...)') reads every input before the query's "
                       "rows, so a part cannot compute its set alone";
        if (p->pipes[i].breaker && op_join_inner(p->pipes[i].breaker))
            return "join reads its right side from every input before the query's rows, so "
                   "a part cannot compute it alone";
        if (p->pipes[i].breaker && op_appendcols_inner(p->pipes[i].breaker))
            return "appendcols runs its subquery over every input before the query's rows, "
                   "so a part cannot compute it alone";
    }
    const Op *brk = p->pipes[0].breaker;
    if (brk && !brk->vt->save)
        return apr_psprintf(p->pool,
                            "%s keeps a state that has no partial form",
                            brk->vt->name);
    return NULL;
}

LiqStatus liq_partial_save(const LiqQuery *q, LiqRun *run, LiqBuf *out)
{
    const Plan *p = liq_query_plan(q);
    const Op *brk = p->pipes[0].breaker;
    if (!brk || !brk->vt->save)
        return LIQ_EUSAGE;
    LiqState *s = liq_run_state_take(run);
    OpState *st = s ? s->st : brk->vt->global_new(brk); /* no rows came: the empty state */
    int rc = brk->vt->save(brk, st, out);
    brk->vt->state_free(brk, st);
    free(s);
    return rc == 0 ? LIQ_OK : LIQ_EINTERNAL;
}

LiqStatus liq_partial_merge(const LiqQuery *q, LiqRun *run, const char *bytes, size_t n)
{
    const Plan *p = liq_query_plan(q);
    const Op *brk = p->pipes[0].breaker;
    if (!brk || !brk->vt->load)
        return LIQ_EUSAGE;
    Budget *b = pipe_run_budget(run);
    OpState *st = brk->vt->load(brk, bytes, n, b);
    if (!st) /* not a valid state, or a spill file that could not be written */
        return budget_stopped(b) ? LIQ_EINTERNAL : LIQ_EINCOMPLETE;
    LiqState *s = mem_alloc(sizeof(*s));
    s->plan = p;
    s->st = st;
    LiqStatus rc = liq_run_state_merge(run, s);
    if (rc != LIQ_OK)
        liq_state_free(s);
    return rc;
}

void liq_partial_rows_header(LiqBuf *out, int ncols)
{
    partial_put_rows_header(out, ncols);
}

size_t liq_partial_rows_check(const char *p, const char *end, int ncols)
{
    return partial_get_rows_header(p, end, ncols);
}

void liq_partial_row(LiqBuf *out, const Datum *vals, int ncols, uint64_t order)
{
    partial_put_row(out, vals, ncols, order);
}

size_t liq_partial_row_read(const char *p, const char *end, apr_pool_t *pool, Datum *vals,
                            int ncols, uint64_t *order)
{
    return partial_get_row(p, end, pool, vals, ncols, order);
}

int64_t liq_query_out_limit(const LiqQuery *q)
{
    return liq_query_plan(q)->out_limit;
}

int liq_census_merge(const char *const *sums, const size_t *lens, int n, LiqBuf *out,
                     LiqDiagList *diags)
{
    return census_merge(sums, lens, n, out, diags);
}

int liq_tally_merge(const char *const *sums, const size_t *lens, int n, LiqBuf *out,
                    LiqDiagList *diags)
{
    return tally_merge(sums, lens, n, out, diags);
}
