/* span.h -- byte spans on query text and the line map that turns them into line:column
 *
 * Every token and every AST node carries a LiqSpan: half-open byte offsets [start, end) into
 * the query text. Line and column are computed only when a diagnostic is rendered, from a line
 * map built once per query text (jq's locfile). Columns count Unicode code points, 1-based.
 *
 * Interface:
 *   span_join       smallest span covering two spans
 *   span_linemap    build the line-start table of a text (allocated in a pool)
 *   span_locate     byte offset -> 1-based line and code-point column
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_SPAN_H
#define LIQ_SPAN_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>

typedef struct LiqSpan {
    uint32_t start; /* first byte */
    uint32_t end;   /* one past the last byte */
} LiqSpan;

typedef struct LiqLineMap {
    const char *text;
    size_t len;
    uint32_t nlines;
    uint32_t *starts; /* byte offset of the first byte of each line */
} LiqLineMap;

LiqSpan span_join(LiqSpan a, LiqSpan b);
LiqLineMap *span_linemap(apr_pool_t *pool, const char *text, size_t len);
void span_locate(const LiqLineMap *map, uint32_t off, uint32_t *line, uint32_t *col);

/* UTF-8 helpers shared by every renderer of text for a terminal. */
uint32_t span_utf8_decode(const char *s, size_t len, size_t *adv); /* U+FFFD on bad input */
int span_cpwidth(uint32_t cp); /* terminal columns of a code point: 0, 1 or 2 */

#endif
