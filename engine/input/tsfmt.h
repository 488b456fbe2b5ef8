/* tsfmt.h -- @timestamp options of a run: --timestamp-field, --timestamp-format, --tz
 *
 * TsOpts travels with every Input (src.h) to the decoder (dec.c), which applies it:
 *   field   the record field that gives @timestamp, for every format (JSON key, flattened with
 *           dots; a column name of a positional format); when a record lacks it or it does not
 *           read as a time, @timestamp is null
 *   format  how that field's text is written (strptime-like, below); without a field it reads
 *           the start of each text line, and string values of the default JSON keys (L20)
 *   zone    the zone of times written without an offset (ISO 8601 without Z, formats without
 *           %z); NULL: UTC. AWS formats defined in UTC (VPC, ALB, ELB, S3, CloudFront,
 *           Route 53 columns, export prefixes) are not affected.
 *
 * Formats: %Y year, %y two-digit year (69-99: 19xx), %m month, %d / %e day, %j day of year,
 * %H / %I hour, %M minute, %S second, %f fraction of a second (any number of digits),
 * %p AM/PM, %b / %B / %h month name (English, any case, abbreviated or full), %a / %A weekday
 * name (skipped), %z zone offset (Z, +hh, +hhmm, +hh:mm), %Z zone name (UTC, GMT, Z only),
 * %s epoch seconds, %T = %H:%M:%S, %F = %Y-%m-%d, %D = %m/%d/%y, %R = %H:%M, %%; a space
 * matches any run of blanks (also none); any other character matches itself. Numbers take at
 * most their field's width of digits (%Y four), so "%Y%m%d" reads 20261123. A format without
 * a year (%b %d %H:%M:%S) takes it as RFC 3164 syslog does (ts_year: --year, else the input's
 * reference date); one without a date takes the reference's day: never 1970.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_TSFMT_H
#define LIQ_TSFMT_H

#include <stddef.h>
#include <stdint.h>
#include "engine/input/ts.h"
#include "engine/input/tz.h"

typedef struct TsOpts {
    const char *field; /* NULL: the default rules of L20 */
    uint32_t flen;
    const char *format; /* NULL: ISO 8601 and epoch numbers */
    const TsZone *zone; /* NULL: UTC */
    int year;           /* --year: the year of timestamps written without one; 0: from each
                         * input's reference date (ts.h TsCtx) */
} TsOpts;

/* Is fmt a usable format? Else err says which directive is wrong. */
int tsfmt_check(const char *fmt, char *err, size_t errlen);
/* Reads a time at the start of s with fmt: the bytes used (0: no match) and *ms, UTC; cx: the
 * zone of times without an offset and the year of dates without one (NULL: UTC, 1970). */
size_t tsfmt_parse(const char *fmt, const char *s, size_t n, const TsCtx *cx, int64_t *ms);

#endif
