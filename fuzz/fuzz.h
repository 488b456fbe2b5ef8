/* fuzz.h -- what every fuzz target and the replay driver share
 *
 * Each fuzz/fuzz_<target>.c defines the two libFuzzer entry points below and nothing else with
 * external linkage. The same file links either with libFuzzer (clang, --enable-fuzzing) or with
 * fuzz/replay.c, the standalone driver make check runs over the stored corpus under any
 * compiler. A target reports a broken invariant with FUZZ_CHECK, which aborts: under libFuzzer
 * that is a crash with a stack, under replay a failed test.
 *
 * fuzz/harness.c holds the checks several targets share (fuzz_check_diags, fuzz_run_query);
 * it links into every target.
 *
 * Every input gets its own APR pool on its own allocator (fuzz_pool_new/fuzz_pool_free), so the
 * pool's memory goes back to malloc after each input and AddressSanitizer can see a use after
 * the pool died.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_FUZZ_H
#define LIQ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <apr_allocator.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "base/buf.h"
#include "engine/liq.h"
#include "base/diag.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: print what broke and where, then abort. */
#define FUZZ_CHECK(cond, what)                                                                 \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "fuzz: check failed at %s:%d: %s (%s)\n", __FILE__, __LINE__,     \
                    what, #cond);                                                              \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

/* Rows a run wrote, formatted (fuzz_run_query); text is malloc'd: buf_free it. */
typedef struct FuzzOut {
    LiqBuf text;
    uint64_t rows;
} FuzzOut;

/* Checks every diagnostic of d: a message; a span inside the text it points into (the pattern
 * for diagnostics "in filter pattern", else the query; NULL text: not checked); and that
 * diag_render renders it, against that text and against "" (as cli/cli.c renders runtime
 * diagnostics). */
void fuzz_check_diags(apr_pool_t *pool, const LiqDiagList *d, const char *query, size_t qlen,
                      const char *pattern, size_t plen);

/* Runs lq over the file at path with one worker thread, rows formatted into out; checks the
 * run's invariants (status, row ends, statistics) and its diagnostics. */
void fuzz_run_query(apr_pool_t *pool, LiqQuery *lq, const char *path, uint32_t batch_rows,
                    int no_prefilter, const char *query, size_t qlen, const char *pattern,
                    size_t plen, FuzzOut *out);

/* fuzz_run_query with the caller's run options (inputs, formats, timestamp options); a run
 * the options make impossible (LIQ_EUSAGE: a format the input cannot have) is no failure. */
void fuzz_run_query_opts(apr_pool_t *pool, LiqQuery *lq, const LiqRunOptions *ro,
                         const char *query, size_t qlen, FuzzOut *out);

/* Initialises APR and the library once; every target's LLVMFuzzerInitialize calls it. */
static inline void fuzz_init(void)
{
    static int done;
    if (!done) {
        if (apr_initialize() != APR_SUCCESS || liq_global_init() != LIQ_OK)
            abort();
        done = 1;
    }
}

/* A pool on a private allocator that keeps no free blocks (freed in fuzz_pool_free). */
static inline apr_pool_t *fuzz_pool_new(void)
{
    apr_allocator_t *a;
    apr_pool_t *pool;
    if (apr_allocator_create(&a) != APR_SUCCESS)
        abort();
    apr_allocator_max_free_set(a, 1);
    if (apr_pool_create_ex(&pool, NULL, NULL, a) != APR_SUCCESS)
        abort();
    apr_allocator_owner_set(a, pool);
    return pool;
}

static inline void fuzz_pool_free(apr_pool_t *pool)
{
    apr_pool_destroy(pool); /* the pool owns its allocator: both go */
}

/* An in-memory file (memfd; a temporary file where there is none) holding data, positioned at
 * its start. Returns the descriptor; the caller closes it. */
static inline int fuzz_memfd(const void *data, size_t size)
{
#ifdef MFD_CLOEXEC
    int fd = memfd_create("liq-fuzz", MFD_CLOEXEC);
#else
    FILE *tf = tmpfile();
    int fd = tf ? dup(fileno(tf)) : -1;
    if (tf)
        fclose(tf);
#endif
    if (fd < 0)
        abort();
    const char *p = data;
    size_t left = size;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w <= 0)
            abort();
        p += w;
        left -= (size_t)w;
    }
    if (lseek(fd, 0, SEEK_SET) != 0)
        abort();
    return fd;
}

#endif
