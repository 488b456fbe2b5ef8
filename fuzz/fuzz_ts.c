/* fuzz_ts.c -- libFuzzer target: timestamp parsers (engine/input/ts.c, tsfmt.c, tz.c)
 *
 * Input: byte 0 picks the context (bits 0-2: the zone of zone-less times: none, UTC, a fixed
 * offset, tz database names with and without DST; bit 3: --year 2024; bits 4-5: the reference
 * date; bits 6-7: the period rounded to), then the text. Its first line is also a
 * --timestamp-format; every line is read by each parser:
 *   ts_parse_iso / ts_parse_iso_in, ts_parse_user, tsfmt_check + tsfmt_parse (the first line as
 *   the format), ts_find_in_line, ts_sniff_form over the whole text + ts_read_form per line,
 *   ts_floor / ts_ceil / ts_add_months on what was read.
 * Oracle: no crash, hang or sanitizer report; tsfmt_parse never uses more bytes than it has;
 * a zone-less ISO time read in UTC equals the one read with no zone; the form ts_find_in_line
 * reports reads the same line to the same time (ts_read_form: an input's lines are read by the
 * form found on them, so a line must keep its time under its own form); the kind is a known
 * one with a name; floor <= t <= ceil, both idempotent, and a period's floor is on one of its
 * boundaries (multiples of it; of weeks from Monday 1970-01-05).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "engine/input/ts.h"
#include "engine/input/tsfmt.h"
#include "engine/input/tz.h"
#include "fuzz/fuzz.h"

static const char *const zones[] = {NULL, "UTC", "+05:30", "-0800", "Europe/Paris",
                                    "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"};
static const double periods[] = {1000.0 * 60 * 5, 1000.0 * 3600 * 24 * 7, -1, -3};
static TsZone *zone_of[8];
static apr_pool_t *zpool;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    if (apr_pool_create(&zpool, NULL) != APR_SUCCESS)
        abort();
    for (int i = 1; i < 8; i++) {
        char err[256];
        zone_of[i] = tz_open(zpool, zones[i], err, sizeof(err));
        /* a system without the tz database: the names fall back to UTC (NULL) */
        if (!zone_of[i] && i < 4) {
            fprintf(stderr, "fuzz_ts: zone %s: %s\n", zones[i], err);
            abort();
        }
    }
    return 0;
}

static void rounding(int64_t t, double period)
{
    if (t < -((int64_t)1 << 52) || t > ((int64_t)1 << 52))
        return; /* beyond +-142,000 years: month arithmetic is not defined there */
    int64_t f = ts_floor(t, period), c = ts_ceil(t, period);
    FUZZ_CHECK(f <= t && t <= c, "ts_floor/ts_ceil do not bracket the time");
    FUZZ_CHECK(ts_floor(f, period) == f, "ts_floor is not idempotent");
    FUZZ_CHECK(ts_ceil(c, period) == c, "ts_ceil is not idempotent");
    if (period > 0) /* weeks start on Monday, 1970-01-05: 4 days after the epoch */
        FUZZ_CHECK((f - ((int64_t)period % (7 * 86400000LL) == 0 ? 4 * 86400000LL : 0)) %
                           (int64_t)period ==
                       0,
                   "ts_floor is not on a boundary of the period");
    (void)ts_add_months(t, (int)(period < 0 ? period : 13));
}

static void one_line(const char *s, size_t n, const char *fmt, int fmt_ok, const TsCtx *cx,
                     TsForm sniffed, double period)
{
    int64_t a, b;
    int ia = ts_parse_iso(s, n, &a);
    if (ia) {
        rounding(a, period);
        FUZZ_CHECK(ts_parse_iso_in(s, n, NULL, &b) && a == b,
                   "ts_parse_iso and ts_parse_iso_in(no zone) disagree");
        if (zone_of[1])
            FUZZ_CHECK(ts_parse_iso_in(s, n, zone_of[1], &b) && a == b,
                       "an ISO time reads differently in UTC than with no zone");
    }
    if (cx->zone && ts_parse_iso_in(s, n, cx->zone, &b))
        rounding(b, period);

    /* ts_parse_user takes a NUL-terminated string */
    char *z = malloc(n + 1);
    if (!z)
        abort();
    memcpy(z, s, n);
    z[n] = 0;
    if (ts_parse_user(z, cx->ref_ms, &a))
        rounding(a, period);
    free(z);

    if (fmt_ok) {
        size_t used = tsfmt_parse(fmt, s, n, cx, &a);
        FUZZ_CHECK(used <= n, "tsfmt_parse used more bytes than the line has");
        if (used)
            rounding(a, period);
    }

    TsForm f;
    if (ts_find_in_line(s, n, cx, &f, &a)) {
        FUZZ_CHECK(f.kind > TSK_NONE && f.kind < TSK_NKINDS, "ts_find_in_line: unknown kind");
        FUZZ_CHECK(ts_kind_name(f.kind) != NULL, "a kind without a name");
        rounding(a, period);
        FUZZ_CHECK(ts_read_form(s, n, f, cx, &b), "a line's own form does not find its time");
        FUZZ_CHECK(a == b, "a line's own form reads another time");
    }
    if (sniffed.kind != TSK_NONE && ts_read_form(s, n, sniffed, cx, &b))
        rounding(b, period);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1 << 14)
        return 0;
    uint8_t sel = data[0];
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    static const int64_t refs[] = {1764547200000LL /* 2025-12-01 */,
                                   1735689600000LL /* 2025-01-01 */, 0, 4102444800000LL};
    TsCtx cx = {zone_of[sel & 7], (sel & 8) ? 2024 : 0, refs[(sel >> 4) & 3]};
    double period = periods[sel >> 6];

    /* the first line as a --timestamp-format */
    const char *nl = memchr(text, '\n', n);
    size_t flen = nl ? (size_t)(nl - text) : n;
    char *fmt = malloc(flen + 1);
    if (!fmt)
        abort();
    memcpy(fmt, text, flen);
    fmt[flen] = 0;
    char err[256];
    int fmt_ok = strlen(fmt) == flen && tsfmt_check(fmt, err, sizeof(err));
    if (!fmt_ok && strlen(fmt) == flen)
        FUZZ_CHECK(err[0] != 0, "tsfmt_check refused a format without saying why");

    TsForm sniffed = ts_sniff_form(text, n, &cx);
    FUZZ_CHECK(sniffed.kind < TSK_NKINDS, "ts_sniff_form: unknown kind");
    for (size_t i = 0; i <= n;) {
        const char *e = memchr(text + i, '\n', n - i);
        size_t len = e ? (size_t)(e - text - i) : n - i;
        one_line(text + i, len, fmt, fmt_ok, &cx, sniffed, period);
        i += len + 1;
    }
    int64_t ms;
    (void)ts_find_in_text(text, n, &ms);
    free(fmt);
    return 0;
}
