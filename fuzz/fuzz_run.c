/* fuzz_run.c -- libFuzzer target: a query and its log input -> liq_compile -> liq_run
 *
 * The first line of the input is the query, the rest is the log input (any bytes: JSON lines,
 * text, damaged gzip). A query that compiles runs in-process with one worker thread over an
 * in-memory file (engine/src.c reads paths, so the file is named through /proc/self/fd),
 * twice, each time freshly compiled: with 3-row batches and literal prefilters, and with full batches and no prefilters.
 * Rows go through a LiqOutput into a throwaway buffer, formatted with val_format and
 * out_json_value. This exercises the whole engine: decoders, kernels, operators, pipelines.
 *
 * Oracle: nothing crashes or hangs; write() gets rows whose ends are increasing and cover its
 * data; runtime diagnostics render (against the query, and against "" as cli/cli.c does); and
 * the two runs print the same bytes, since output must not depend on batch size or
 * prefiltering (L1) -- except for queries calling now(), whose value may move between runs.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "cli/out.h"
#include "engine/buf.h"
#include "engine/liq.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

typedef struct Sink {
    LiqBuf text;
    uint64_t rows;
} Sink;

static void format_row(void *ctx, const Datum *vals, int ncols, LiqBuf *out)
{
    (void)ctx;
    for (int c = 0; c < ncols; c++) {
        if (c)
            buf_addc(out, '\t');
        val_format(out, &vals[c]);
    }
    buf_adds(out, " |");
    for (int c = 0; c < ncols; c++) {
        buf_addc(out, ' ');
        out_json_value(out, &vals[c]);
    }
    buf_addc(out, '\n');
}

static int write_rows(void *ctx, const char *data, size_t len, const uint32_t *ends,
                      uint32_t nrows)
{
    Sink *s = ctx;
    uint32_t prev = 0;
    for (uint32_t i = 0; i < nrows; i++) {
        FUZZ_CHECK(ends[i] >= prev, "row ends go backwards");
        prev = ends[i];
    }
    FUZZ_CHECK(nrows == 0 || ends[nrows - 1] == len, "the last row does not end the data");
    buf_add(&s->text, data, len);
    s->rows += nrows;
    return 0;
}

static void check_diags(apr_pool_t *pool, const LiqDiagList *diags, const char *q, size_t qlen)
{
    for (int i = 0; i < diags->n; i++) {
        const LiqDiag *d = &diags->items[i];
        FUZZ_CHECK(d->msg != NULL, "diagnostic without a message");
        if (d->has_span) {
            FUZZ_CHECK(d->span.start <= d->span.end, "diagnostic span starts after it ends");
            FUZZ_CHECK(d->span.end <= qlen, "diagnostic span ends past the query text");
            FUZZ_CHECK(diag_render(pool, d, q, qlen) != NULL, "diag_render failed");
        }
        FUZZ_CHECK(diag_render(pool, d, "", 0) != NULL, "diag_render failed without text");
    }
}

/* Compiles q afresh (a LiqQuery is run once, as the CLI does) and runs it over path. */
static void run(apr_pool_t *pool, const char *path, uint32_t batch_rows, int no_prefilter,
                const char *q, size_t qlen, Sink *s)
{
    LiqDiagList *cd = diag_list_new(pool);
    LiqQuery *lq = liq_compile(pool, q, qlen, cd);
    FUZZ_CHECK(lq != NULL, "a query compiled once but not twice");
    const char *inputs[] = {path};
    LiqRunOptions ro;
    memset(&ro, 0, sizeof(ro));
    ro.threads = 1;
    ro.batch_rows = batch_rows;
    ro.max_line = (size_t)1 << 20;
    ro.no_prefilter = no_prefilter;
    ro.inputs = inputs;
    ro.ninputs = 1;
    LiqOutput lo = {s, format_row, write_rows};
    LiqRunStats st;
    memset(&st, 0, sizeof(st));
    LiqDiagList *rd = diag_list_new(pool);
    LiqStatus rc = liq_run(lq, &ro, &lo, &st, rd);
    FUZZ_CHECK(rc == LIQ_OK || rc == LIQ_EINCOMPLETE, "liq_run failed");
    FUZZ_CHECK(st.rows_out == s->rows, "rows_out differs from the rows written");
    FUZZ_CHECK(st.records_matched <= st.records_scanned, "more records matched than scanned");
    check_diags(pool, rd, q, qlen);
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
    check_diags(pool, diags, q, qlen);
    if (lq) {
        int fd = fuzz_memfd(log, loglen);
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        Sink a = {{0}, 0}, b = {{0}, 0};
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
