/* fuzz_fpat.c -- libFuzzer target: CloudWatch filter patterns -> fpat_parse -> run over events
 *
 * The first line of the input is a filter pattern (terms, %regex%, { JSON }, [ delimited ]),
 * the rest is log events. fpat_parse must return a pattern or at least one error, with every
 * diagnostic inside the pattern and rendered. A pattern that parses is compiled with the
 * default query (liq_compile_pattern with no query text: @timestamp, @logStream, @message, as
 * FilterLogEvents lists events) and run over the events twice, as fuzz_run does: 3-row
 * batches with literal prefilters (plain terms become prefilters), then full batches without.
 * Both runs must print the same rows: a prefilter may only skip events the pattern rejects.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "fuzz/fuzz.h"
#include "parser/fpat.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static void check_pattern(const FpPattern *p, size_t plen)
{
    FUZZ_CHECK(p->kind >= FPK_ALL && p->kind <= FPK_DELIM, "pattern kind out of range");
    FUZZ_CHECK(p->nterms >= 0 && p->nfields >= 0, "negative term or field count");
    for (int i = 0; i < p->nterms; i++)
        FUZZ_CHECK(p->terms[i].s != NULL || p->terms[i].len == 0, "a term without text");
    if (p->kind == FPK_REGEX)
        FUZZ_CHECK(p->regex.span.start <= p->regex.span.end && p->regex.span.end <= plen,
                   "the regex span lies outside the pattern");
    if (p->kind == FPK_JSON)
        FUZZ_CHECK(p->json != NULL, "a JSON pattern without an expression");
}

/* Compiles the pattern afresh and runs it over path. Returns 0 when it does not compile. */
static int run(apr_pool_t *pool, const char *path, uint32_t batch_rows, int no_prefilter,
               const char *pat, size_t plen, FuzzOut *out)
{
    LiqDiagList *cd = diag_list_new(pool);
    LiqQuery *lq = liq_compile_pattern(pool, NULL, 0, pat, plen, cd);
    fuzz_check_diags(pool, cd, NULL, 0, pat, plen);
    if (!lq) {
        FUZZ_CHECK(diag_count(cd) > 0, "a pattern failed to compile without an error");
        return 0;
    }
    fuzz_run_query(pool, lq, path, batch_rows, no_prefilter, NULL, 0, pat, plen, out);
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    const char *pat = (const char *)data;
    const char *nl = memchr(pat, '\n', size);
    size_t plen = nl ? (size_t)(nl - pat) : size;
    const char *log = nl ? nl + 1 : pat + size;
    size_t loglen = size - (size_t)(log - pat);

    apr_pool_t *pool = fuzz_pool_new();
    LiqDiagList *diags = diag_list_new(pool);
    FpPattern *p = fpat_parse(pool, pat, plen, diags);
    fuzz_check_diags(pool, diags, NULL, 0, pat, plen);
    if (!p) {
        FUZZ_CHECK(diag_count(diags) > 0, "a pattern failed to parse without an error");
    } else {
        check_pattern(p, plen);
        int fd = fuzz_memfd(log, loglen);
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        FuzzOut a = {{0}, 0}, b = {{0}, 0};
        int ok = run(pool, path, 3, 0, pat, plen, &a);
        int ok2 = run(pool, path, 2048, 1, pat, plen, &b);
        FUZZ_CHECK(ok == ok2, "a pattern compiled once but not twice");
        FUZZ_CHECK(a.rows == b.rows, "matched events depend on batch size or prefiltering");
        FUZZ_CHECK(a.text.len == b.text.len &&
                       (a.text.len == 0 || memcmp(a.text.p, b.text.p, a.text.len) == 0),
                   "output depends on batch size or prefiltering");
        buf_free(&a.text);
        buf_free(&b.text);
        close(fd);
    }
    fuzz_pool_free(pool);
    return 0;
}
