/* rx.h -- regular expressions: the only module that talks to pcre2
 *
 * Patterns compile once per query (UTF mode, invalid UTF-8 in subjects tolerated, JIT when
 * available) and are shared read-only by all workers; each worker owns an RxMatch (match data
 * and JIT stack) per pattern. Dialect: PCRE2, inline flags such as (?i) (L16).
 *
 * A subject no match could be decided for (pcre2 resource limits, even after a retry by the
 * interpreter with higher limits) counts as not matching and is added to the RxFailures the
 * match data was made with: a run's count (engine/exec/pipe.c), shared by its workers, so two
 * runs in one process count apart.
 *
 * Ownership: an Rx lives in the pool given to rx_compile (its pcre2 code is freed by a pool
 * cleanup); an RxMatch lives in the pool given to rx_match_new.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_RX_H
#define LIQ_RX_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>

typedef struct Rx Rx;
typedef struct RxMatch RxMatch;

enum {
    RX_LITERAL = 1, /* compile the pattern as a literal string */
    RX_DOTALL = 2,  /* '.' matches newlines too */
};

/* Returns NULL on a bad pattern: *erroff is the byte offset pcre2 blames, err its message. */
Rx *rx_compile(apr_pool_t *pool, const char *pat, size_t len, int flags, size_t *erroff,
               char *err, size_t errlen);
/* Subjects no match could be decided for; one per run, added to from any thread. */
typedef struct RxFailures {
    _Atomic uint64_t n;
} RxFailures;

/* Match data for one thread; failures (NULL: not counted) is where undecided subjects go. */
RxMatch *rx_match_new(apr_pool_t *pool, const Rx *rx, RxFailures *failures);
/* 1 when the pattern matches somewhere in s, 0 when not. */
int rx_search(const Rx *rx, RxMatch *m, const char *s, size_t len);
/* The same, searching from byte `start` of s: ^, \b and lookbehinds still see s before it. */
int rx_search_at(const Rx *rx, RxMatch *m, const char *s, size_t len, size_t start);
/* Offsets of the whole match after a successful rx_search. */
void rx_span(const RxMatch *m, size_t *start, size_t *end);
int rx_jit_enabled(const Rx *rx);
/* Number of capture groups. */
int rx_ncaptures(const Rx *rx);
/* Named groups: up to max (name, group number) pairs, in group-number order. */
int rx_named_groups(const Rx *rx, const char **names, int *groups, int max);
/* Offsets of group g after a successful rx_search; 0 when the group did not take part. */
int rx_group(const RxMatch *m, int g, size_t *start, size_t *end);

#endif
