/* esc.h -- the string escapers: one per output syntax, each the only one of its syntax
 *
 * Every place that writes a string into JSON, CSV, TSV, a terminal or XML calls the escaper
 * of that syntax here (issue 12: there were five JSON/CSV/TSV/terminal/XML escapers spread
 * over cli/ and engine/, two of them disagreeing about invalid UTF-8). The rules are those of
 * the language reference, Part 1 L25:
 *
 *   esc_json  a JSON string, quotes included (RFC 8259): '"' and '\\' backslashed, \n \r \t
 *             as such, other C0 controls as \u00hh (lower-case hex); DEL, U+2028/U+2029 and
 *             all other valid UTF-8 pass; each byte of invalid UTF-8 (span_utf8_decode's
 *             rules: overlong forms, surrogates, past U+10FFFF, truncated) becomes U+FFFD, so
 *             the text is always valid JSON. Used by the JSON/NDJSON writers (cli/out_json.c),
 *             the JSON text of maps and lists (engine/data/jdom.c: jsonStringify, group keys,
 *             map values in any format) and split() (engine/exec/k_str.c).
 *   esc_csv   an RFC 4180 field: quoted when it holds ',', '"', CR or LF or starts or ends with
 *             a space, quotes doubled inside; other bytes pass (invalid UTF-8 too).
 *   esc_tsv   a TSV field: tab, LF, CR and backslash as \t \n \r \\; other bytes pass.
 *   esc_term  text for a terminal (the table, terminal charts): \n \t \r, other C0 controls and
 *             DEL as \xhh, C1 controls (U+0080-U+009F) as \u00hh, invalid UTF-8 as U+FFFD per
 *             byte; the result is valid UTF-8 without control characters, so it cannot break a
 *             layout or drive the terminal. Backslashes pass unescaped (the table is for people).
 *   esc_xml   XML 1.0 text content or attribute value (cli/out_svg.c): & < > " ' as entities,
 *             tab and LF as a space, characters XML 1.0 forbids (other C0 controls, DEL,
 *             U+FFFE, U+FFFF) and invalid UTF-8 as U+FFFD.
 *
 * Each appends to b and never fails (LiqBuf aborts when memory runs out). s need not be
 * NUL-terminated; n may be 0. Cost: one pass over s; runs of bytes that need nothing are
 * found 8 bytes at a time and copied at once.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_ESC_H
#define LIQ_ESC_H

#include <stddef.h>
#include "base/buf.h"

void esc_json(LiqBuf *b, const char *s, size_t n);
void esc_csv(LiqBuf *b, const char *s, size_t n);
void esc_tsv(LiqBuf *b, const char *s, size_t n);
void esc_term(LiqBuf *b, const char *s, size_t n);
void esc_xml(LiqBuf *b, const char *s, size_t n);

#endif
