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
#include "engine/buf.h"
#include "engine/liq.h"
#include "fuzz/fuzz.h"
#include "lexer/diag.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static void check_diags(apr_pool_t *pool, const LiqDiagList *diags, const char *text,
                        size_t len)
{
    for (int i = 0; i < diags->n; i++) {
        const LiqDiag *d = &diags->items[i];
        FUZZ_CHECK(d->msg != NULL, "diagnostic without a message");
        if (d->has_span) {
            FUZZ_CHECK(d->span.start <= d->span.end, "diagnostic span starts after it ends");
            FUZZ_CHECK(d->span.end <= len, "diagnostic span ends past the query text");
        }
        const char *r = diag_render(pool, d, text, len);
        FUZZ_CHECK(r != NULL && r[0] != 0, "diag_render returned nothing");
        FUZZ_CHECK(r[strlen(r) - 1] == '\n', "rendered diagnostic does not end with a newline");
    }
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
    check_diags(pool, diags, text, size);
    fuzz_pool_free(pool);
    return 0;
}
