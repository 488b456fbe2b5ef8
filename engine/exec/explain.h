/* explain.h -- liq --explain: what a plan does, in words
 *
 * Interface:
 *   explain_plan   the pipelines of p with their operators (label, what each reads and
 *                  writes, a top N), the output's columns and row cap, the prefilter literals
 *                  and the fields decoded from records, appended to out
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_EXPLAIN_H
#define LIQ_EXPLAIN_H

#include "base/buf.h"
#include "engine/exec/plan.h"

void explain_plan(const Plan *p, LiqBuf *out);

#endif
