/* run.c -- the public door of running (see liq.h): the process set-up, and what takes a
 * compiled query to make or do a run, handing its plan to execution (engine/exec/pipe.c)
 *
 * Process set-up: the one thing liq does once per process, libcurl's curl_global_init, is the
 * caller's to do first (main() and every test driver call liq_global_init), so no run, thread
 * or lazy path keeps a flag of its own.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "engine/liq_int.h"
#include "engine/exec/pipe.h"
#include "engine/s3/s3.h"

LiqStatus liq_global_init(void)
{
    return s3_global_init() == 0 ? LIQ_OK : LIQ_EINTERNAL;
}

void liq_global_cleanup(void)
{
    s3_global_cleanup();
}

LiqRun *liq_run_new(const LiqQuery *q, const LiqRunOptions *opt)
{
    return pipe_run_new(liq_query_plan(q), opt);
}

int liq_query_has_state(const LiqQuery *q)
{
    return liq_query_plan(q)->pipes[0].breaker != NULL;
}

LiqStatus liq_run(const LiqQuery *q, const LiqRunOptions *opt, const LiqOutput *out,
                  LiqRunStats *st, LiqDiagList *diags)
{
    LiqRun *r = liq_run_new(q, opt);
    if (!r)
        return LIQ_EINTERNAL;
    LiqStatus status = liq_run_exec(r, out, st, diags);
    if (st && st->nops) { /* the run's memory goes: the profile moves to the caller's pool */
        LiqOpStats *ops = NULL;
        if (diags) {
            ops = apr_palloc(diags->pool, sizeof(LiqOpStats) * (size_t)st->nops);
            memcpy(ops, st->ops, sizeof(LiqOpStats) * (size_t)st->nops);
        }
        st->ops = ops;
        st->nops = ops ? st->nops : 0;
    }
    liq_run_free(r);
    return status;
}
