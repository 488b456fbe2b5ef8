/* fpat_compile.h -- a parsed filter pattern (parser/fpat.h) compiled for execution
 * (engine/exec/fpat_prog.h)
 *
 * fpat_compile makes the program the filter-pattern operator runs: the pattern's shape with
 * every %regex% compiled (an invalid one is a diagnostic pointing into the pattern, " in
 * filter pattern"), comparisons as FpatCmp, and a new slot for every field a space-delimited
 * pattern names. Regexes are numbered in a fixed order: the whole pattern's (%regex%), then
 * a JSON pattern's conditions left to right, then each delimited field's.
 *
 * Ownership: the program and its slots' names live in the plan pool.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_FPAT_COMPILE_H
#define LIQ_FPAT_COMPILE_H

#include "base/diag.h"
#include "engine/exec/fpat_prog.h"
#include "engine/exec/plan.h"
#include "parser/fpat.h"

/* The program of pat, or NULL after reporting an invalid regex; the named fields of a
 * space-delimited pattern in (*out_slots, *out_names)[0..*nout), for the query's scope. */
FpatProg *fpat_compile(Plan *p, const FpPattern *pat, LiqDiagList *diags, int **out_slots,
                       const char ***out_names, int *nout);

#endif
