/* rx.c -- pcre2 wrapper (see rx.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include "engine/exec/rx.h"

struct Rx {
    pcre2_code *code;
    int jit;
};

struct RxMatch {
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *stack;
    RxFailures *failures; /* NULL: not counted */
};

static apr_status_t rx_cleanup(void *p)
{
    Rx *rx = p;
    pcre2_code_free(rx->code);
    return APR_SUCCESS;
}

static apr_status_t match_cleanup(void *p)
{
    RxMatch *m = p;
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mctx);
    if (m->stack)
        pcre2_jit_stack_free(m->stack);
    return APR_SUCCESS;
}

Rx *rx_compile(apr_pool_t *pool, const char *pat, size_t len, int flags, size_t *erroff,
               char *err, size_t errlen)
{
    int ec;
    PCRE2_SIZE off;
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    if (flags & RX_LITERAL)
        opts |= PCRE2_LITERAL;
    if (flags & RX_DOTALL)
        opts |= PCRE2_DOTALL;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, len, opts, &ec, &off, NULL);
    if (!code) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(ec, buf, sizeof(buf));
        snprintf(err, errlen, "%s", (const char *)buf);
        *erroff = off;
        return NULL;
    }
    Rx *rx = apr_pcalloc(pool, sizeof(*rx));
    rx->code = code;
    rx->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    apr_pool_cleanup_register(pool, rx, rx_cleanup, apr_pool_cleanup_null);
    return rx;
}

RxMatch *rx_match_new(apr_pool_t *pool, const Rx *rx, RxFailures *failures)
{
    RxMatch *m = apr_pcalloc(pool, sizeof(*m));
    m->failures = failures;
    m->md = pcre2_match_data_create_from_pattern(rx->code, NULL);
    m->mctx = pcre2_match_context_create(NULL);
    if (rx->jit) {
        m->stack = pcre2_jit_stack_create(32 * 1024, 16 * 1024 * 1024, NULL);
        pcre2_jit_stack_assign(m->mctx, NULL, m->stack);
    }
    apr_pool_cleanup_register(pool, m, match_cleanup, apr_pool_cleanup_null);
    return m;
}

/* A match that fails on a resource limit (JIT stack, backtracking or heap limit) is tried
 * again by the interpreter with higher limits; if that fails too the subject is counted in
 * the match data's RxFailures and treated as not matching, so the run can say its results
 * are incomplete instead of dropping the record silently. */
static int match(const Rx *rx, RxMatch *m, const char *s, size_t len, size_t start)
{
    PCRE2_SPTR subj = (PCRE2_SPTR)(s ? s : "");
    int rc = pcre2_match(rx->code, subj, len, start, 0, m->md, m->mctx);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_PARTIAL)
        return 0;
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_MATCHLIMIT ||
        rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
        rc == PCRE2_ERROR_NOMEMORY) {
        pcre2_match_context *mc = pcre2_match_context_create(NULL);
        pcre2_set_match_limit(mc, 100000000);
        pcre2_set_heap_limit(mc, 1024 * 1024); /* KiB: 1 GiB */
        rc = pcre2_match(rx->code, subj, len, start, PCRE2_NO_JIT, m->md, mc);
        pcre2_match_context_free(mc);
        if (rc >= 0)
            return 1;
        if (rc == PCRE2_ERROR_NOMATCH)
            return 0;
    }
    if (m->failures)
        atomic_fetch_add_explicit(&m->failures->n, 1, memory_order_relaxed);
    return 0;
}

int rx_search(const Rx *rx, RxMatch *m, const char *s, size_t len)
{
    return match(rx, m, s, len, 0);
}

int rx_search_at(const Rx *rx, RxMatch *m, const char *s, size_t len, size_t start)
{
    return match(rx, m, s, len, start);
}

void rx_span(const RxMatch *m, size_t *start, size_t *end)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
    *start = ov[0];
    *end = ov[1];
}

int rx_jit_enabled(const Rx *rx)
{
    return rx->jit;
}

int rx_ncaptures(const Rx *rx)
{
    uint32_t n = 0;
    pcre2_pattern_info(rx->code, PCRE2_INFO_CAPTURECOUNT, &n);
    return (int)n;
}

int rx_named_groups(const Rx *rx, const char **names, int *groups, int max)
{
    uint32_t count = 0, size = 0;
    PCRE2_SPTR table;
    pcre2_pattern_info(rx->code, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(rx->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
    pcre2_pattern_info(rx->code, PCRE2_INFO_NAMETABLE, &table);
    int n = 0;
    for (uint32_t i = 0; i < count && n < max; i++) {
        const unsigned char *e = table + (size_t)i * size;
        groups[n] = (e[0] << 8) | e[1];
        names[n++] = (const char *)(e + 2);
    }
    /* the table is sorted by name; report in group order */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && groups[j - 1] > groups[j]; j--) {
            int g = groups[j];
            const char *nm = names[j];
            groups[j] = groups[j - 1];
            names[j] = names[j - 1];
            groups[j - 1] = g;
            names[j - 1] = nm;
        }
    return n;
}

int rx_group(const RxMatch *m, int g, size_t *start, size_t *end)
{
    if ((uint32_t)g >= pcre2_get_ovector_count(m->md))
        return 0;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
    if (ov[2 * g] == PCRE2_UNSET)
        return 0;
    *start = ov[2 * g];
    *end = ov[2 * g + 1];
    return 1;
}
