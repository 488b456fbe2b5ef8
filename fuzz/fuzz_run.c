/* fuzz_run.c -- libFuzzer target: a query and its log input -> liq_compile -> liq_run
 *
 * The first line of the input is the query, the rest is the log input (any bytes: JSON lines,
 * text, damaged gzip). A query that compiles runs in-process with one worker thread over an
 * in-memory file (engine/input/src.c reads paths, so the file is named through /proc/self/fd),
 * twice, each time freshly compiled: with 3-row batches and literal prefilters, and with full
 * batches and no prefilters. Rows go into a throwaway buffer (fuzz/harness.c). This exercises
 * the whole engine: decoders, kernels, operators, pipelines.
 *
 * Oracle: nothing crashes or hangs; the LiqOutput contract holds; diagnostics are in range and
 * render; and the two runs print the same bytes, since output must not depend on batch size
 * or prefiltering (L1) -- except for queries calling now(), whose value may move between runs.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

/* Compiles q afresh (a LiqQuery is run once, as the CLI does) and runs it over path. */
static void run(apr_pool_t *pool, const char *path, uint32_t batch_rows, int no_prefilter,
                const char *q, size_t qlen, FuzzOut *out)
{
    LiqDiagList *cd = diag_list_new(pool);
    LiqQuery *lq = liq_compile(pool, q, qlen, cd);
    FUZZ_CHECK(lq != NULL, "a query compiled once but not twice");
    fuzz_run_query(pool, lq, path, batch_rows, no_prefilter, q, qlen, NULL, 0, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    const char *q = (const char *)data;
    const char *nl = memchr(q, '\n', size);
    size_t qlen = nl ? (size_t)(nl - q) : size;
    const char *log = nl ? nl + 1 : q + size;
    size_t loglen = size - (size_t)(log - q);

    apr_pool_t *pool = fuzz_pool_new();
    LiqDiagList *diags = diag_list_new(pool);
    LiqQuery *lq = liq_compile(pool, q, qlen, diags);
    fuzz_check_diags(pool, diags, q, qlen, NULL, 0);
    if (lq) {
        int fd = fuzz_memfd(log, loglen);
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        FuzzOut a = {{0}, 0}, b = {{0}, 0};
        run(pool, path, 3, 0, q, qlen, &a);
        run(pool, path, 2048, 1, q, qlen, &b);
        int has_now = 0;
        for (size_t i = 0; i + 3 <= qlen && !has_now; i++)
            has_now = strncasecmp(q + i, "now", 3) == 0;
        if (!has_now) {
            FUZZ_CHECK(a.rows == b.rows, "row count depends on batch size or prefiltering");
            FUZZ_CHECK(a.text.len == b.text.len &&
                           (a.text.len == 0 || memcmp(a.text.p, b.text.p, a.text.len) == 0),
                       "output depends on batch size or prefiltering");
        }
        buf_free(&a.text);
        buf_free(&b.text);
        close(fd);
    }
    fuzz_pool_free(pool);
    return 0;
}
