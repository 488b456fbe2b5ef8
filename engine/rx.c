/* rx.c -- pcre2 wrapper (see rx.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <string.h>
#include "engine/rx.h"

struct Rx {
    pcre2_code *code;
    int jit;
};

struct RxMatch {
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *stack;
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

RxMatch *rx_match_new(apr_pool_t *pool, const Rx *rx)
{
    RxMatch *m = apr_pcalloc(pool, sizeof(*m));
    m->md = pcre2_match_data_create_from_pattern(rx->code, NULL);
    m->mctx = pcre2_match_context_create(NULL);
    if (rx->jit) {
        m->stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
        pcre2_jit_stack_assign(m->mctx, NULL, m->stack);
    }
    apr_pool_cleanup_register(pool, m, match_cleanup, apr_pool_cleanup_null);
    return m;
}

int rx_search(const Rx *rx, RxMatch *m, const char *s, size_t len)
{
    int rc = pcre2_match(rx->code, (PCRE2_SPTR)(s ? s : ""), len, 0, 0, m->md, m->mctx);
    return rc >= 0;
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
