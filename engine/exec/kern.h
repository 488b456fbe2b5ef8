/* kern.h -- scalar function kernels: one per FK_SCALAR row of parser/functions.def
 *
 * A kernel computes its function for every selected row of a batch: args[i] are the argument
 * columns, out the result column (storage for nrows values). Strings it creates live in the
 * batch pool. Null in, null out, except where the reference says otherwise (L4).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_KERN_H
#define LIQ_KERN_H

#include "base/buf.h"
#include "engine/data/vec.h"
#include "engine/exec/rx.h"
#include "parser/func.h"

typedef struct KArgs {
    Vec **args;
    int nargs;
    Batch *b;
    Vec *out;
    LiqBuf *scratch;
    RxFailures *rx_failures; /* the run's: for match data a kernel makes (regexReplace) */
    void *aux; /* constant data compiled for this call (toupper/tolower: a C.UTF-8 locale_t),
                * read-only: shared by every worker of every run */
} KArgs;

typedef void (*KFn)(const KArgs *a);

#define FK_SCALAR_K(kernel) void k_fn_##kernel(const KArgs *a);
#define FK_AGG_K(kernel)
#define FN(name, kind, min, max, kernel, syn, doc) kind##_K(kernel)
#include "parser/functions.def"
#undef FN
#undef FK_SCALAR_K
#undef FK_AGG_K

extern const KFn k_fn_table[FN__COUNT];

#endif
