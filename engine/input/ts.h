/* ts.h -- reading timestamps: ISO 8601 / RFC 3339, epoch numbers, and timestamps inside text
 *
 * All results are epoch milliseconds, UTC. Times written without a zone are UTC (L20), or in
 * the zone given to the _in variants (--tz).
 *
 * Interface:
 *   ts_parse_iso     a whole string in ISO 8601 / RFC 3339 form ("2026-11-23T10:00:00.5Z",
 *                    "2026-11-23 10:00:00,123", "2026-11-23")
 *   ts_from_epoch    an epoch number in s, ms, us or ns, told apart by magnitude
 *   ts_find_in_text  the first timestamp of a common form within a line's first 128 bytes
 *   ts_floor / ts_ceil  a time rounded to a period (L15: UTC epoch multiples; weeks start on
 *                       Monday; months, quarters and years on calendar boundaries)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_TS_H
#define LIQ_TS_H

#include <stddef.h>
#include <stdint.h>

int ts_parse_iso(const char *s, size_t len, int64_t *ms);
int ts_from_epoch(double v, int64_t *ms);
int ts_find_in_text(const char *s, size_t len, int64_t *ms);
/* The same, a time written without a zone being in zone z (tz.h; NULL: UTC), as --tz asks. */
struct TsZone;
int ts_parse_iso_in(const char *s, size_t len, const struct TsZone *z, int64_t *ms);
int ts_find_in_text_in(const char *s, size_t len, const struct TsZone *z, int64_t *ms);

/* Periods of bin(), datefloor() and dateceil(): > 0 milliseconds, < 0 a count of months
 * (calendar units: -1 month, -3 quarter, -12 year). */
int64_t ts_floor(int64_t ms, double period);
/* A time as a user writes it on the command line (--start/--end): ISO 8601, epoch seconds or
 * milliseconds, 'now', or relative to now: -15m, -2h, -7d, -1w (s, m, h, d, w). */
int ts_parse_user(const char *s, int64_t now_ms, int64_t *ms);
int64_t ts_ceil(int64_t ms, double period);
/* ms moved by a number of calendar months (the day clamped to the month's length). */
int64_t ts_add_months(int64_t ms, int months);

#endif
