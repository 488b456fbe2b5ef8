/* json.h -- field extraction from JSON-object log lines, flattened as Insights does (§7.2)
 *
 * One pass over a line finds every wanted field at once. Nested objects flatten with dots
 * (a.b.c), arrays with the index as a path segment (items.0.id); a top-level key that starts
 * with '@' is exposed with an extra '@' (@@key); JSON null and empty containers are absent;
 * after JSON_MAX_FIELDS leaves no further field is discovered. When a key repeats, the last
 * occurrence wins (as jq and JSON.parse). A line that is not one complete, valid JSON object
 * yields no fields at all (it is a plain-text record).
 *
 * Ownership: string values without escapes point into the line; decoded strings are allocated
 * in the given pool.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_JSON_H
#define LIQ_JSON_H

#include <apr_pools.h>
#include "engine/val.h"

enum { JSON_MAX_FIELDS = 200, JSON_MAX_DEPTH = 256 };

typedef struct JsonWant {
    int n;
    const char **names; /* flattened names, as a query spells them */
    const uint32_t *lens;
} JsonWant;

/* Returns 1 when line is a JSON object (then out[k] is set for each wanted name found, VT_NULL
 * otherwise), 0 when it is not (every out[k] is VT_NULL). */
int json_extract(const char *line, size_t len, const JsonWant *want, Datum *out, apr_pool_t *pool);

/* Field discovery: calls fn for every leaf json_extract could return, with its flattened
 * name (valid during the call only) and value; JSON nulls (absent) are skipped but count
 * toward JSON_MAX_FIELDS like every leaf. A key that repeats is reported each time. Returns 1
 * when line is one valid JSON object; fn may have been called before the line turned out
 * invalid, so callers keep what they got only on 1. */
typedef void (*JsonLeafFn)(void *ctx, const char *name, size_t len, const Datum *value);
int json_each(const char *line, size_t len, JsonLeafFn fn, void *ctx, apr_pool_t *pool);

/* Decodes a JSON string body (between the quotes) with escapes into pool; returns NULL when an
 * escape is invalid. */
char *json_unescape(const char *s, size_t len, size_t *outlen, apr_pool_t *pool);

#endif
