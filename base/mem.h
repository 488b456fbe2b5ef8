/* mem.h -- what liq does when the system refuses memory
 *
 * liq bounds what a query holds with --memory-limit (engine/exec: states are accounted, spill
 * or stop with a message naming the operator). Below that, an allocation the system refuses
 * (malloc, calloc, realloc, strdup, and every APR pool: liq_global_init installs
 * mem_pool_abort as the abort function of APR's global pool, which every pool inherits)
 * ends the process the one way: a line on stderr saying how much was asked for, and exit code
 * MEM_EXIT (cli/exit_codes.def's MEMORY; tests/cli/exit_registry.sh keeps them equal). Rows
 * already written stay; the output buffered in stdio is dropped, so no half row reaches the
 * reader. Never
 * SIGABRT, SIGSEGV or a NULL dereference. This is git's xmalloc and jq's jv_mem_alloc: a query
 * cannot go on without the memory, and unwinding every caller would leave half-built states
 * that a result must not be made of. Spill files are unlinked at creation, so nothing is left
 * on disk by this exit either.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_BASE_MEM_H
#define LIQ_BASE_MEM_H

#include <stddef.h>

#define MEM_EXIT 5

/* the allocators: as malloc, calloc, realloc and strdup, but never NULL (mem_fail instead);
 * mem_alloc(0) and mem_realloc(p, 0) give a valid pointer of 1 byte */
void *mem_alloc(size_t n);
void *mem_calloc(size_t n, size_t size);
void *mem_realloc(void *p, size_t n);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t n);

/* the product n * size, or mem_fail when it overflows size_t */
size_t mem_mul(size_t n, size_t size);

/* "liq: error: out of memory: the system refused N bytes ..." on stderr, then _exit(MEM_EXIT): safe
 * from any thread (no stdio lock, no atexit handler that another thread may be using) */
_Noreturn void mem_fail(size_t n);

/* an APR pool abort function (apr_abortfunc_t): mem_fail with the size unknown */
int mem_pool_abort(int retcode);

#endif
