/* harness.c -- checks shared by the fuzz targets: diagnostics, and running a compiled query
 *
 * fuzz_check_diags is the invariant every stage's diagnostics must keep (a span inside the
 * text it points into, a rendering that does not crash); fuzz_run_query runs a query the way
 * cli/cli.c does, but into a buffer, one thread, checking what the LiqOutput contract
 * promises. Linked into every fuzz target and replay driver (fuzz/local.mk).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "cli/out.h"
#include "fuzz/fuzz.h"

void fuzz_check_diags(apr_pool_t *pool, const LiqDiagList *d, const char *query, size_t qlen,
                      const char *pattern, size_t plen)
{
    for (int i = 0; i < d->n; i++) {
        const LiqDiag *x = &d->items[i];
        FUZZ_CHECK(x->msg != NULL, "diagnostic without a message");
        int in_pattern = x->where && x->where[0];
        const char *text = in_pattern ? pattern : query;
        size_t len = in_pattern ? plen : qlen;
        if (x->has_span && text) {
            FUZZ_CHECK(x->span.start <= x->span.end, "diagnostic span starts after it ends");
            FUZZ_CHECK(x->span.end <= len, "diagnostic span ends past its text");
        }
        if (text) {
            const char *r = diag_render(pool, x, text, len);
            FUZZ_CHECK(r != NULL && r[0] != 0, "diag_render returned nothing");
            FUZZ_CHECK(r[strlen(r) - 1] == '\n', "rendered diagnostic does not end in a newline");
        }
        FUZZ_CHECK(diag_render(pool, x, "", 0) != NULL, "diag_render failed without text");
    }
}

/* Formats a row twice: as output text (val_format) and as JSON (out_json_value). */
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
    FuzzOut *o = ctx;
    uint32_t prev = 0;
    for (uint32_t i = 0; i < nrows; i++) {
        FUZZ_CHECK(ends[i] >= prev, "row ends go backwards");
        prev = ends[i];
    }
    FUZZ_CHECK(nrows == 0 || ends[nrows - 1] == len, "the last row does not end the data");
    buf_add(&o->text, data, len);
    o->rows += nrows;
    return 0;
}

static void run_checked(apr_pool_t *pool, LiqQuery *lq, const LiqRunOptions *ro,
                        const char *query, size_t qlen, const char *pattern, size_t plen,
                        int usage_ok, FuzzOut *out)
{
    LiqOutput lo = {out, format_row, write_rows, NULL};
    LiqRunStats st;
    memset(&st, 0, sizeof(st));
    LiqDiagList *rd = diag_list_new(pool);
    LiqStatus rc = liq_run(lq, ro, &lo, &st, rd);
    FUZZ_CHECK(rc == LIQ_OK || rc == LIQ_EINCOMPLETE || (usage_ok && rc == LIQ_EUSAGE),
               "liq_run failed");
    FUZZ_CHECK(rc == LIQ_OK || rd->n > 0, "a failed run without a diagnostic");
    FUZZ_CHECK(rc != LIQ_EUSAGE || st.records_scanned == 0, "a usage error after records were read");
    FUZZ_CHECK(st.rows_out == out->rows, "rows_out differs from the rows written");
    FUZZ_CHECK(st.records_matched <= st.records_scanned, "more records matched than scanned");
    fuzz_check_diags(pool, rd, query, qlen, pattern, plen);
}

void fuzz_run_query(apr_pool_t *pool, LiqQuery *lq, const char *path, uint32_t batch_rows,
                    int no_prefilter, const char *query, size_t qlen, const char *pattern,
                    size_t plen, FuzzOut *out)
{
    const char *inputs[] = {path};
    LiqRunOptions ro;
    memset(&ro, 0, sizeof(ro));
    ro.threads = 1;
    ro.batch_rows = batch_rows;
    ro.max_line = (size_t)1 << 20;
    ro.no_prefilter = no_prefilter;
    ro.inputs = inputs;
    ro.ninputs = 1;
    /* a query that cannot run with these options (diff without --start/--end) is a usage
     * error that reads nothing */
    run_checked(pool, lq, &ro, query, qlen, pattern, plen, 1, out);
}

void fuzz_run_query_opts(apr_pool_t *pool, LiqQuery *lq, const LiqRunOptions *ro,
                         const char *query, size_t qlen, FuzzOut *out)
{
    run_checked(pool, lq, ro, query, qlen, NULL, 0, 1, out);
}
