/* json.h -- field extraction from JSON-object log lines, flattened as Insights does (§7.2)
 *
 * One pass over a line finds every wanted field at once. Nested objects flatten with dots
 * (a.b.c), arrays with the index as a path segment (items.0.id); a top-level key that starts
 * with '@' is exposed with an extra '@' (@@key); JSON null and empty containers are absent;
 * after JSON_MAX_FIELDS leaves no further field is discovered. When a key repeats, the last
 * occurrence wins (as jq and JSON.parse). A name is its path's segments joined by dots, empty
 * segments included: {"":{"a":0}} has the field ".a", {"a":{"":1}} the field "a.", and a
 * top-level "" key the field "" (so a field's value never depends on what else is asked).
 *
 * The JSON read is RFC 8259 with four liberties, taken where the meaning is clear (issue 11;
 * json_extract, json_each and jdom_parse all read this same language):
 *   - raw control characters inside strings (TAB, NUL, newline, ...) are the characters
 *     themselves, as jq reads them;
 *   - NaN, Infinity and -Infinity (Python's json.dumps) are values: liq's value model has no
 *     non-finite numbers (arithmetic gives null, aggregates skip them), so they are the strings
 *     "NaN", "Infinity", "-Infinity" (present, printed as written, never numeric);
 *   - nesting has no limit: a container that would open level JSON_MAX_DEPTH + 1 (the record's
 *     object is level 1) is one leaf, a string holding its JSON text as written, so the fields
 *     above it are read and nothing below is lost; the scan stays bounded in stack (the text
 *     is checked by json_skip, without recursion);
 *   - a UTF-8 byte order mark before the object is skipped.
 * Anything else (other words, numbers such as 01, .5 or +1, single quotes, trailing commas,
 * bad escapes, text after the object) makes the line not JSON: it yields no fields at all and
 * is a plain-text record (the decoder counts such lines that look like objects, engine/exec/dec.c).
 *
 * Ownership: string values without escapes point into the line; decoded strings are allocated
 * in the given pool.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_JSON_H
#define LIQ_JSON_H

#include <apr_pools.h>
#include "engine/data/val.h"

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

/* Whether a line json_extract refused looks like a JSON object all the same: its first byte
 * (after a byte order mark and white space) is '{' and its last (before white space) '}'.
 * Such records are read as text, and counted for a warning (engine/exec/dec.c). */
int json_looks_like_object(const char *line, size_t len);

/* The shared rules, for engine/jdom.c. json_number_end: the end of the RFC 8259 number at p,
 * or NULL. json_nonfinite: the length of NaN, Infinity or -Infinity at p, or 0. json_skip: the
 * end of the one value at p (after optional white space), checked by the rules above at any
 * depth without recursion, or NULL. */
const char *json_number_end(const char *p, const char *end);
size_t json_nonfinite(const char *p, const char *end);
const char *json_skip(const char *p, const char *end);

/* Decodes a JSON string body (between the quotes) with escapes into pool; returns NULL when an
 * escape is invalid. */
char *json_unescape(const char *s, size_t len, size_t *outlen, apr_pool_t *pool);

#endif
