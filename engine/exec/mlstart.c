/* mlstart.c -- --multiline-start: a regex as the rule that starts records (see mlstart.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include "engine/liq.h"
#include "engine/exec/mlstart.h"
#include "engine/exec/rx.h"

static void *ml_local_new(const void *ctx, apr_pool_t *pool)
{
    return rx_match_new(pool, ctx, NULL);
}

static int ml_starts(const void *ctx, void *local, const char *line, size_t len)
{
    return rx_search(ctx, local, line, len);
}

const MlRule *mlstart_rule(apr_pool_t *pool, const char *regex, char *err, size_t errlen)
{
    size_t off;
    char why[256];
    Rx *rx = rx_compile(pool, regex, strlen(regex), 0, &off, why, sizeof(why));
    if (!rx) {
        snprintf(err, errlen, "not a regex: %s at byte %zu", why, off);
        return NULL;
    }
    MlRule *r = apr_pcalloc(pool, sizeof(*r));
    r->ctx = rx;
    r->local_new = ml_local_new;
    r->starts = ml_starts;
    return r;
}

int liq_multiline_check(const char *regex, char *why, size_t whylen)
{
    apr_pool_t *pool;
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS) {
        snprintf(why, whylen, "%s", "out of memory");
        return 0;
    }
    const MlRule *r = mlstart_rule(pool, regex, why, whylen);
    apr_pool_destroy(pool);
    return r != NULL;
}
