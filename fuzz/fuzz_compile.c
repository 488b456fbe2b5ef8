/* fuzz_compile.c -- libFuzzer target: query text -> liq_compile -> plan -> liq_explain
 *
 * Runs the whole front end (lexer, parser, sema, planner) over arbitrary bytes. A query that
 * compiles must explain itself (non-empty --explain text) and name its result columns; one
 * that does not must carry at least one error. Either way, every diagnostic with a span must
 * lie inside [0, len] and diag_render must render it, warnings included. Nothing is run:
 * fuzz_run does that.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "base/buf.h"
#include "engine/liq.h"
#include "fuzz/fuzz.h"
#include "base/diag.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0; /* longer queries add nothing but time */
    apr_pool_t *pool = fuzz_pool_new();
    const char *text = (const char *)data;
    LiqDiagList *diags = diag_list_new(pool);
    LiqQuery *q = liq_compile(pool, text, size, diags);
    if (q) {
        FUZZ_CHECK(diag_count(diags) == 0, "a query compiled despite errors");
        LiqBuf b = {0};
        liq_explain(q, &b);
        FUZZ_CHECK(b.len > 0, "liq_explain printed nothing");
        buf_free(&b);
        const char **names;
        int ncols = liq_columns(q, &names);
        FUZZ_CHECK(ncols >= 0, "negative column count");
        for (int i = 0; i < ncols; i++)
            FUZZ_CHECK(names[i] != NULL, "a result column without a name");
    } else {
        FUZZ_CHECK(diag_count(diags) > 0, "compile failed without an error");
    }
    fuzz_check_diags(pool, diags, text, size, NULL, 0);
    fuzz_pool_free(pool);
    return 0;
}
