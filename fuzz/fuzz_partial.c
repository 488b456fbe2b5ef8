/* fuzz_partial.c -- libFuzzer target: partial results (issue 16, docs/partial-format.md)
 *
 * The first byte chooses a query (stats with every aggregate by a key, sort | limit, dedup,
 * accum, a query without a breaker, pattern with anomaly's time statistics, pattern,
 * relevantfields over the records' fields, sort without limit: rows cut into sorted runs and
 * merged k-way), the second what the rest is:
 *
 *   even   a state's bytes, as liq_partial_save writes them: liq_partial_merge takes them
 *          into a run without inputs, twice (a second partial merges into the first), and
 *          the run finishes the query (every finalize over the merged state)
 *   odd    a stream of partial containers: liq --merge reads it from a file in-process
 *          (cli_main), with every output step after it
 *
 * Oracle: nothing crashes, leaks or hangs; liq_partial_merge says LIQ_OK or LIQ_EINCOMPLETE
 * (bytes that are not a valid state), never anything else, and a run over what it took ends
 * LIQ_OK; --merge exits 0, 2 (another query, version or options) or 3 (truncated, corrupt, or
 * a partial that read its input in part). The corpus holds real partials and states of each
 * query (a seed's bytes after its two selector bytes).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "fuzz/fuzz.h"

static const char *const queries[] = {
    ("stats count(*) as c, count(x) as cx, sum(x), avg(x), stddev(x), min(x), max(x), "
     "pct(x, 50), count_distinct(x), earliest(x), latest(x), sortsFirst(x), sortsLast(x) by k"),
    "sort x desc | limit 5",
    "dedup k",
    "accum x as total",
    "filter x > 1 | fields k, x",
    "pattern m | anomaly",
    "pattern m",
    "relevantfields where x > 1",
    "sort k, x desc",
};
enum { NQ = sizeof(queries) / sizeof(queries[0]) };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static void fmt_row(void *ctx, const Datum *vals, int ncols, LiqBuf *out)
{
    (void)ctx;
    for (int c = 0; c < ncols; c++) {
        val_format(out, &vals[c]);
        buf_addc(out, c + 1 < ncols ? '\t' : '\n');
    }
}

static int write_rows(void *ctx, const char *data, size_t len, const uint32_t *ends, uint32_t n)
{
    (void)ctx;
    (void)data;
    FUZZ_CHECK(n == 0 || ends[n - 1] == len, "row ends do not end at the text's end");
    return 0;
}

/* The state bytes into a run of q (twice), and the run finishes it. */
static void merge_state(apr_pool_t *pool, LiqQuery *q, const char *p, size_t n)
{
    LiqRunOptions ro;
    memset(&ro, 0, sizeof(ro));
    ro.threads = 1;
    ro.batch_rows = 7;
    ro.max_line = 1 << 20;
    LiqRun *r = liq_run_new(q, &ro);
    FUZZ_CHECK(r != NULL, "no run");
    for (int k = 0; k < 2; k++) {
        LiqStatus st = liq_partial_merge(q, r, p, n);
        FUZZ_CHECK(st == LIQ_OK || st == LIQ_EINCOMPLETE,
                   "liq_partial_merge said neither taken nor invalid");
    }
    LiqOutput out = {NULL, fmt_row, write_rows, NULL};
    LiqDiagList *d = diag_list_new(pool);
    LiqStatus st = liq_run_exec(r, &out, NULL, d);
    FUZZ_CHECK(st == LIQ_OK, "a run over merged states did not end well");
    liq_run_free(r);
}

/* liq --merge QUERY FILE, in-process, FILE holding p[0..n). */
static void merge_cli(const char *query, const char *p, size_t n)
{
    int fd = fuzz_memfd(p, n);
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    char *argv[] = {"liq", "--merge", "--threads", "1", "--format", "csv",
                    (char *)(uintptr_t)query, path, NULL};
    char *obuf = NULL, *ebuf = NULL;
    size_t olen = 0, elen = 0;
    FILE *out = open_memstream(&obuf, &olen), *err = open_memstream(&ebuf, &elen);
    int rc = cli_main(8, argv, out, err);
    fclose(out);
    fclose(err);
    FUZZ_CHECK(rc == 0 || rc == 2 || rc == 3, "--merge exited with another code");
    FUZZ_CHECK(rc == 0 || elen > 0, "--merge failed without a message");
    free(obuf);
    free(ebuf);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 1 << 20)
        return 0;
    const char *query = queries[data[0] % NQ];
    const char *p = (const char *)data + 2;
    size_t n = size - 2;
    if (data[1] & 1) {
        merge_cli(query, p, n);
        return 0;
    }
    apr_pool_t *pool = fuzz_pool_new();
    LiqDiagList *diags = diag_list_new(pool);
    LiqQuery *q = liq_compile(pool, query, strlen(query), diags);
    FUZZ_CHECK(q != NULL, "a fixed query did not compile");
    if (liq_query_has_state(q))
        merge_state(pool, q, p, n);
    fuzz_pool_free(pool);
    return 0;
}
