/* ts.h -- reading timestamps: ISO 8601 / RFC 3339, epoch numbers, and timestamps inside text
 *
 * All results are epoch milliseconds, UTC. Times written without a zone are UTC (L20), or in
 * the zone given by the context (--tz). Times written without a year (RFC 3164 syslog, logcat,
 * glog) take it from the context: --year, else the input's reference date (docs/timestamps.md).
 *
 * Text lines (docs/timestamps.md has the rule and why): a timestamp may start at the start of
 * the line or after a blank or one of [ ( { < > " ' = , ; | (never inside a word, a path or a
 * file name), within the line's first 128 bytes; the first one with a time of day wins, a date
 * alone only when the line has no time. The forms (TsKind) are listed below. An input has one
 * form, the one that wins on most of its first lines (ts_sniff_form): every line is then read
 * by that form only, at the same token (or, for the bracketed forms, anywhere), and a line
 * where it is not found has no timestamp.
 *
 * Interface:
 *   ts_parse_iso     a whole string in ISO 8601 / RFC 3339 form ("2026-11-23T10:00:00.5Z",
 *                    "2026-11-23 10:00:00,123", "2026-11-23")
 *   ts_from_epoch    an epoch number in s, ms, us or ns, told apart by magnitude
 *   ts_find_in_line  the timestamp of one text line by the rule alone, and its form
 *   ts_sniff_form    the form of an input, from its first lines
 *   ts_read_form     the timestamp of one text line by its input's form
 *   ts_year          the year of a month and day written without one
 *   ts_find_in_text  ts_find_in_line in UTC, the current year as reference (tests, tools)
 *   ts_floor / ts_ceil  a time rounded to a period (L15: UTC epoch multiples; weeks start on
 *                       Monday; months, quarters and years on calendar boundaries)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_TS_H
#define LIQ_TS_H

#include <stddef.h>
#include <stdint.h>

struct TsZone;

/* How a time written without a zone or a year is completed. */
typedef struct TsCtx {
    const struct TsZone *zone; /* --tz (tz.h); NULL: UTC */
    int year;                  /* --year; 0: from ref_ms */
    int64_t ref_ms;            /* the input's reference time: a file's modification time, an
                                * S3 object's LastModified, the current time for a stream */
} TsCtx;

/* Forms of timestamps in text lines. */
typedef enum {
    TSK_NONE = 0,
    TSK_YMD,     /* 2026-11-23T10:00:00.123Z, 2026-11-23 10:00:00,123, 2026/11/23 10:00:00,
                  * 2026.11.23 10:00:00, DB2's 2005-06-03-15.42.50.675872 */
    TSK_COMPACT, /* 20171223-22:15:29:606, 20261123T100000Z */
    TSK_YYMMDD,  /* 081109 203615 (Hadoop HDFS): at the start of the line */
    TSK_YYSLASH, /* 17/06/09 20:10:40 (log4j yy/MM/dd, Spark): at the start of the line */
    TSK_MD,      /* 03-17 16:13:38.811 (logcat), [10.30 16:49:06]: no year; line start */
    TSK_GLOG,    /* I0517 15:04:22.619632 (glog): no year; at the start of the line */
    TSK_TAI64N,  /* @40000000433225833b6e1a8c (daemontools): at the start of the line */
    TSK_SYSLOG,  /* Dec 10 06:55:46 (RFC 3164: no year), Dec 10 2023 06:55:46 */
    TSK_CTIME,   /* Sun Dec 04 04:47:44 2005 (asctime, Apache error logs): anywhere */
    TSK_CLF,     /* 10/Oct/2000:13:55:36 -0700 (Apache/CLF access logs): anywhere */
    TSK_EPOCH,   /* 1700000000, 1697048351.000001, 1700000000123: the first or second word */
    TSK_DATE,    /* a date alone: 2026-11-23, 2005.06.03 (only when the line has no time) */
    TSK_NKINDS
} TsKind;

/* The form of an input's timestamps: a kind, and the token (run of non-blank bytes; a line
 * that starts with a blank has an empty token 0) where it starts (0 for CTIME and CLF, which
 * are looked for anywhere). */
typedef struct TsForm {
    uint8_t kind;
    uint16_t token;
} TsForm;

int ts_parse_iso(const char *s, size_t len, int64_t *ms);
int ts_from_epoch(double v, int64_t *ms);
/* The same, a time written without a zone being in zone z (tz.h; NULL: UTC), as --tz asks. */
int ts_parse_iso_in(const char *s, size_t len, const struct TsZone *z, int64_t *ms);

/* Text lines (s: a record; only its first line, up to a newline, is read). */
int ts_find_in_line(const char *s, size_t len, const TsCtx *cx, TsForm *form, int64_t *ms);
/* The form that wins on most of the first (up to 100) text lines of p (lines that start with
 * '{' are JSON, not text); TSK_NONE when none has a timestamp. */
TsForm ts_sniff_form(const char *p, size_t n, const TsCtx *cx);
int ts_read_form(const char *s, size_t len, TsForm f, const TsCtx *cx, int64_t *ms);
int ts_find_in_text(const char *s, size_t len, int64_t *ms);
/* The year of month mo, day d and time of day tod (ms) written without a year: cx->year, else
 * the year of cx->ref_ms, or the one before when the date would fall more than a day after
 * it (a December line in a file last written in January is from the year before). 29 February
 * goes back to a leap year. */
int ts_year(const TsCtx *cx, int mo, int d, int64_t tod);
/* The name of a kind, for --explain-like messages and tests. */
const char *ts_kind_name(int kind);

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
