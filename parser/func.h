/* func.h -- the function table of parser/functions.def, and lookups into it
 *
 * Interface:
 *   func_lookup    case-insensitive name -> function id (-1 when unknown)
 *   func_nearest   the closest known name for a did-you-mean hint, or NULL
 *   func_table     the table itself (for --list-functions and the engine's dispatch)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_FUNC_H
#define LIQ_FUNC_H

#include <stddef.h>

typedef enum { FK_SCALAR, FK_AGG } FuncKind;

typedef enum {
#define FN(name, kind, min, max, kernel, syn, doc) FN_##kernel,
#include "parser/functions.def"
#undef FN
    FN__COUNT
} FuncId;

typedef struct FuncInfo {
    const char *name;
    FuncKind kind;
    int min_args, max_args; /* max_args -1: any number */
    const char *synopsis;
    const char *doc;
} FuncInfo;

extern const FuncInfo func_table[FN__COUNT];

int func_lookup(const char *name, size_t len);
const char *func_nearest(const char *name, size_t len);

#endif
