/* func.c -- the function table and lookups (see func.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <strings.h>
#include "parser/func.h"
#include "parser/parse.h"

const FuncInfo func_table[FN__COUNT] = {
#define FN(name, kind, min, max, kernel, syn, doc) {name, kind, min, max, syn, doc},
#include "parser/functions.def"
#undef FN
};

int func_lookup(const char *name, size_t len)
{
    for (int i = 0; i < FN__COUNT; i++)
        if (strlen(func_table[i].name) == len && strncasecmp(func_table[i].name, name, len) == 0)
            return i;
    return -1;
}

const char *func_nearest(const char *name, size_t len)
{
    const char *best = NULL;
    int bestd = len <= 4 ? 2 : 3;
    for (int i = 0; i < FN__COUNT; i++) {
        int d = lx_edit_distance(name, len, func_table[i].name, strlen(func_table[i].name));
        if (d < bestd) {
            bestd = d;
            best = func_table[i].name;
        }
    }
    return best;
}
