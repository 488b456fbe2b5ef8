/* pipe.h -- runs of a plan: the engine behind liq.h's LiqRun (pipe.c)
 *
 * liq.h's run functions that take a LiqRun are pipe.c's own; the ones that take a LiqQuery
 * (liq_run_new, liq_run) are the public door's (engine/run.c), which hands the query's plan
 * here, so that execution knows plans, not queries.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_PIPE_H
#define LIQ_PIPE_H

#include "engine/liq.h"

struct Plan;

/* A run of plan with opt (copied; what it points to must outlive the run); NULL when memory
 * runs out. The plan must outlive the run. */
LiqRun *pipe_run_new(const struct Plan *plan, const LiqRunOptions *opt);
/* The run cannot produce a whole result (a subquery's set failed, engine/run.c): liq_run_exec
 * reads nothing and returns status with why as its error. why: a string that outlives r. */
void pipe_run_fail(LiqRun *r, LiqStatus status, const char *why);
/* Charges r's memory budget with bytes that live as long as the run (the tables of its
 * subqueries and joins, engine/run.c); past --memory-limit the run stops at once, naming who. */
void pipe_run_hold(LiqRun *r, int64_t bytes, const char *who);

/* r's memory budget: states made for r (partials loaded into it) spill with it, to its
 * --temp-dir, and a spill file that cannot be written stops r (budget_fail). */
struct Budget *pipe_run_budget(LiqRun *r);

/* A state of the seam (liq.h): also made by partial results (engine/partial_run.c). */
struct LiqState {
    const struct Plan *plan; /* the compiled query it belongs to */
    void *st;                /* the first breaker's global state (an OpState) */
};

#endif
