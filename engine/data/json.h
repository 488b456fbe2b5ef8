/* json.h -- field extraction from JSON-object log lines, flattened as Insights does (§7.2)
 *
 * One pass over a line finds every wanted field at once. Nested objects flatten with dots
 * (a.b.c), arrays with the index as a path segment (items.0.id); a top-level key that starts
 * with '@' is exposed with an extra '@' (@@key); JSON null is absent; an empty object or array
 * is a leaf, the string "{}" or "[]" (white space inside dropped; the record's own {} is no
 * field: docs/jsontestsuite.md); after JSON_MAX_FIELDS leaves (CloudWatch's 200; --max-fields raises it: the _cap variants)
 * no further field is discovered. When a key repeats, the last
 * occurrence wins (as jq and JSON.parse). A name is its path's segments joined by dots, empty
 * segments included: {"":{"a":0}} has the field ".a", {"a":{"":1}} the field "a.", and a
 * top-level "" key the field "" (so a field's value never depends on what else is asked).
 *
 * The JSON read is RFC 8259 with four liberties, taken where the meaning is clear (issue 11;
 * json_extract, json_each, json_skip and jdom_parse read it with one walker, below):
 *   - raw control characters inside strings (TAB, NUL, newline, ...) are the characters
 *     themselves, as jq reads them;
 *   - NaN, Infinity and -Infinity (Python's json.dumps) are values: liq's value model has no
 *     non-finite numbers (arithmetic gives null, aggregates skip them), so they are the strings
 *     "NaN", "Infinity", "-Infinity" (present, printed as written, never numeric);
 *   - nesting has no limit: a container that would open level JSON_MAX_DEPTH + 1 (the record's
 *     object is level 1) is one leaf, a string holding its JSON text as written, so the fields
 *     above it are read and nothing below is lost; the walk stays bounded in stack (it is
 *     iterative: the text below is checked by the same state machine, one bit per level);
 *   - a UTF-8 byte order mark before the object is skipped.
 * Anything else (other words, numbers such as 01, .5 or +1, single quotes, trailing commas,
 * bad escapes, text after the object) makes the line not JSON: it yields no fields at all and
 * is a plain-text record (the decoder counts such lines that look like objects, engine/exec/dec.c).
 *
 * One walker (issue 12). JSON is tokenized and checked in one place, json_walk
 * (engine/data/json_walk.h, with json_unescape and JSON_MAX_DEPTH): an iterative state
 * machine over one value that reports open, key, element, leaf and close events to a visitor.
 * Every reader is a visitor of it:
 *   - json_extract (json.c): tracks the flattened path only inside containers some wanted
 *     name lies under, matches keys there, and makes a Datum only of wanted leaves;
 *   - json_each (json.c): tracks every path and hands every leaf to its callback;
 *   - jdom_parse, jdom_parse_next (jdom.c): build the tree, a node per event;
 *   - json_skip (json_walk.c): no visitor, only the verdict and the end.
 * The visitor is a static const table of static functions and the walker is always inlined,
 * so the compiler specialises it per reader (no indirect call, unused events compiled away):
 * the three views cannot disagree on the language, and the hot path pays for nothing it does
 * not use. A fourth reader (jsonParse, a new container format) is one more visitor. Why not
 * an event buffer (a tape, as simdjson's): json_extract would write and re-read one event
 * per value, most of them for values no query asked for; the callbacks cost nothing there.
 *
 * Why not simdjson's stage 1 either (issue 21, measured, not kept): a block scanner (AVX2 with
 * PCLMUL, and SSE2: quote and backslash masks with the odd-backslash carry, the in-string
 * mask by carry-less multiply, structural and scalar-start bits of each 64-byte block) that
 * fed this walker token by token gave the same answers and cost more. Over the benchmark's
 * app.jsonl (compact records of ~300 bytes, a token every 3 to 5 bytes), 'stats count(*) by
 * service' went from 198 M to 287 M instructions (250 M with the cursor in registers and ':'
 * and ',' checked in place and counted), and CPU time rose about 15 %: the scanner alone is
 * ~110 instructions per block (1.7 a byte, a third of the whole walk here), and the work per
 * token does not shrink, since strings are already scanned 16 bytes at a time (json_str_end)
 * and compact JSON has no white space to skip. Nor did it pay where tokens lie far apart:
 * records of 2 KB holding two strings of 1 KB took 52 M -> 97 M instructions for 21.6 MB (the
 * string scan costs well under the scanner's 1.7 a byte), records with a space after every
 * ':' and ',' 210 M -> 261 M. UTF-8 is checked in neither: the lenient language takes any
 * bytes in strings (docs/jsontestsuite.md, i_string_* rows).
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

enum { JSON_MAX_FIELDS = 200 }; /* JSON_MAX_DEPTH: json_walk.h */

typedef struct JsonWant {
    int n;
    const char **names; /* flattened names, as a query spells them */
    const uint32_t *lens;
} JsonWant;

/* Returns 1 when line is a JSON object (then out[k] is set for each wanted name found, VT_NULL
 * otherwise), 0 when it is not (every out[k] is VT_NULL). Of equal wanted names only the last
 * is set. From 4 to 64 names, a top-level key is one probe of a table of the names (json.c),
 * kept per thread while the calls ask for the same names (of up to 16 bytes; checked on each
 * call, at a few instructions a name): ask for the names of a batch in one order. */
int json_extract(const char *line, size_t len, const JsonWant *want, Datum *out, apr_pool_t *pool);
/* json_extract with a field cap of max leaves (0: JSON_MAX_FIELDS); *over (when over is not
 * NULL) is set to the number of leaves past the cap, which no field gives (0 when the line is
 * not JSON). */
int json_extract_cap(const char *line, size_t len, const JsonWant *want, Datum *out,
                     apr_pool_t *pool, int max, unsigned *over);

/* Field discovery: calls fn for every leaf json_extract could return, with its flattened
 * name (valid during the call only) and value; JSON nulls (absent) are skipped but count
 * toward JSON_MAX_FIELDS like every leaf. A key that repeats is reported each time. Returns 1
 * when line is one valid JSON object; fn may have been called before the line turned out
 * invalid, so callers keep what they got only on 1. */
typedef void (*JsonLeafFn)(void *ctx, const char *name, size_t len, const Datum *value);
int json_each(const char *line, size_t len, JsonLeafFn fn, void *ctx, apr_pool_t *pool);
/* json_each with a field cap of max leaves (0: JSON_MAX_FIELDS). */
int json_each_cap(const char *line, size_t len, int max, JsonLeafFn fn, void *ctx,
                  apr_pool_t *pool);

/* The JSON text [*b, *e) of the object or array a record's flattened name stands for (name
 * `payload.commits` for {"payload":{"commits":[...]}}), which json_extract does not return
 * (it returns leaves): 1, or 0 when line is not a JSON object or the name is no container
 * there. The last occurrence of a repeated key wins; the field cap does not apply (the text
 * is whole). unnest reads flattened arrays with it (engine/exec/op_unnest.c). */
int json_container(const char *line, size_t len, const char *name, uint32_t nlen,
                   const char **b, const char **e, apr_pool_t *pool);

/* Whether a line json_extract refused looks like a JSON object all the same: its first byte
 * (after a byte order mark and white space) is '{' and its last (before white space) '}'.
 * Such records are read as text, and counted for a warning (engine/exec/dec.c). */
int json_looks_like_object(const char *line, size_t len);

#endif
