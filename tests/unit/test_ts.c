/* test_ts.c -- unit tests of engine/ts: reading timestamps from fields and from text
 *
 * ts.c turns what logs write into epoch milliseconds, UTC (L20): whole ISO 8601 / RFC 3339
 * strings (ts_parse_iso), epoch numbers in s/ms/us/ns told apart by magnitude (ts_from_epoch),
 * and the first timestamp in a text line's first 128 bytes (ts_find_in_text). Expected values
 * were computed independently with Python's datetime. ts_format (the way back) is tested in
 * test_val.c with the rest of the output rules.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "engine/ts.h"

/* A known liq bug (listed in the test report): the case is skipped, never silently passed.
 * Remove the KNOWN_BUG line when the bug is fixed; the assertions below it then run. */
#define KNOWN_BUG(what)                                                                          \
    do {                                                                                         \
        print_message("known bug, skipped: %s\n", what);                                        \
        skip();                                                                                  \
    } while (0)

/* ===== Fixture: one APR pool per test ===== */

static int setup(void **state)
{
    apr_pool_t *pool;
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS)
        return -1;
    *state = pool;
    return 0;
}

static int teardown(void **state)
{
    apr_pool_destroy(*state);
    return 0;
}

/* 2026-11-23 00:00:00 UTC */
#define DAY_2026_11_23 1795392000000LL
#define HOUR 3600000LL
#define MINUTE 60000LL

static int iso(const char *s, int64_t *ms)
{
    return ts_parse_iso(s, strlen(s), ms);
}

static int find(const char *s, int64_t *ms)
{
    return ts_find_in_text(s, strlen(s), ms);
}

/* ===== ts_days_from_civil ===== */

static void test_ts_days_from_civil(void **state)
{
    (void)state;
    assert_int_equal(ts_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(ts_days_from_civil(1970, 1, 2), 1);
    assert_int_equal(ts_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(ts_days_from_civil(2000, 2, 29), 11016);
    assert_int_equal(ts_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(ts_days_from_civil(2026, 11, 23), 20780);
    assert_int_equal(ts_days_from_civil(1600, 1, 1), -135140);
    assert_int_equal(ts_days_from_civil(1, 1, 1), -719162);
    assert_int_equal(ts_days_from_civil(9999, 12, 31), 2932896);
}

static void test_ts_days_from_civil_is_continuous(void **state)
{
    (void)state;
    /* consecutive days across 1900-2100 (leap rules for 1900, 2000, 2100) */
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t expect = ts_days_from_civil(1900, 1, 1);
    for (int64_t y = 1900; y <= 2100; y++) {
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        for (unsigned m = 1; m <= 12; m++) {
            unsigned n = mdays[m - 1] + (m == 2 && leap);
            for (unsigned d = 1; d <= n; d++)
                assert_int_equal(ts_days_from_civil(y, m, d), expect++);
        }
    }
}

/* ===== ts_parse_iso ===== */

static void test_ts_parse_iso_forms(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int64_t ms;
    } ok[] = {
        {"2026-11-23T10:00:00.5Z", DAY_2026_11_23 + 10 * HOUR + 500},
        {"2026-11-23T10:00:00.500Z", DAY_2026_11_23 + 10 * HOUR + 500},
        {"2026-11-23 10:00:00,123", DAY_2026_11_23 + 10 * HOUR + 123},
        {"2026-11-23T10:00:00.123456789Z", DAY_2026_11_23 + 10 * HOUR + 123}, /* truncated */
        {"2026-11-23", DAY_2026_11_23},
        {"2026-11-23T10:00:00Z", DAY_2026_11_23 + 10 * HOUR},
        {"2026-11-23T10:00:00z", DAY_2026_11_23 + 10 * HOUR},
        {"2026-11-23T10:00:00", DAY_2026_11_23 + 10 * HOUR}, /* no zone: UTC */
        {"2026-11-23T10:00Z", DAY_2026_11_23 + 10 * HOUR},  /* no seconds */
        {"2026-11-23T10:00:00+02:00", DAY_2026_11_23 + 8 * HOUR},
        {"2026-11-23T10:00:00+0530", DAY_2026_11_23 + 4 * HOUR + 30 * MINUTE},
        {"2026-11-23T10:00:00-07", DAY_2026_11_23 + 17 * HOUR},
        {"2026-11-23T00:30:00+01:00", DAY_2026_11_23 - 30 * MINUTE}, /* the day before */
        {"2026-11-23T23:59:59.999Z", DAY_2026_11_23 + 24 * HOUR - 1},
        {"1970-01-01T00:00:00Z", 0},
        {"1969-12-31T23:59:59.999Z", -1},
        {"2000-02-29T12:00:00Z", 951825600000LL},
        {"2026-11-23T10:00:00Z  ", DAY_2026_11_23 + 10 * HOUR}, /* trailing spaces */
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        int64_t ms = -42;
        print_message("%s\n", ok[i].s);
        assert_int_equal(iso(ok[i].s, &ms), 1);
        assert_int_equal(ms, ok[i].ms);
    }
}

static void test_ts_parse_iso_rejects(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "2026",
        "2026-11",
        "2026-1-23",
        "2026-11-3",
        "26-11-23",
        "2026/11/23",
        "2026-13-01",
        "2026-00-10",
        "2026-11-00",
        "2026-11-32",
        "2026-11-23T24:00:00Z",
        "2026-11-23T10:60:00Z",
        "2026-11-23T10:00:00Zx",
        "2026-11-23 junk",
        " 2026-11-23",
        "x2026-11-23",
        "Nov 23 10:00:00",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t ms = -42;
        print_message("'%s'\n", bad[i]);
        assert_int_equal(iso(bad[i], &ms), 0);
    }
}

static void test_ts_parse_iso_rejects_days_past_month_end(void **state)
{
    (void)state;
    int64_t ms = -42;
    KNOWN_BUG("ts_parse_iso checks only day <= 31: '2026-02-30' is read as 2026-03-02 and "
              "'2026-04-31' as 2026-05-01 instead of being rejected");
    assert_int_equal(iso("2026-02-30", &ms), 0);
    assert_int_equal(iso("2026-04-31T00:00:00Z", &ms), 0);
    assert_int_equal(iso("2025-02-29", &ms), 0);
    assert_int_equal(iso("2024-02-29", &ms), 1);
}

static void test_ts_parse_iso_respects_len(void **state)
{
    (void)state;
    int64_t ms = 0;
    const char *s = "2026-11-23T10:00:00Zgarbage";
    assert_int_equal(ts_parse_iso(s, 20, &ms), 1);
    assert_int_equal(ms, DAY_2026_11_23 + 10 * HOUR);
    assert_int_equal(ts_parse_iso(s, 9, &ms), 0);
}

/* ===== ts_from_epoch ===== */

static void test_ts_from_epoch_units_by_magnitude(void **state)
{
    (void)state;
    int64_t ms = -42;
    assert_int_equal(ts_from_epoch(1700000000, &ms), 1); /* seconds */
    assert_int_equal(ms, 1700000000000LL);
    assert_int_equal(ts_from_epoch(1700000000.5, &ms), 1); /* fractional seconds */
    assert_int_equal(ms, 1700000000500LL);
    assert_int_equal(ts_from_epoch(1700000000123.0, &ms), 1); /* milliseconds */
    assert_int_equal(ms, 1700000000123LL);
    assert_int_equal(ts_from_epoch(1700000000123456.0, &ms), 1); /* microseconds */
    assert_int_equal(ms, 1700000000123LL);
    assert_int_equal(ts_from_epoch(1700000000123456789.0, &ms), 1); /* nanoseconds */
    assert_int_equal(ms, 1700000000123LL);
    assert_int_equal(ts_from_epoch(0, &ms), 1);
    assert_int_equal(ms, 0);
    assert_int_equal(ts_from_epoch(1.5, &ms), 1);
    assert_int_equal(ms, 1500);
    assert_int_equal(ts_from_epoch(-1, &ms), 1);
    assert_int_equal(ms, -1000);
}

static void test_ts_from_epoch_too_large(void **state)
{
    (void)state;
    int64_t ms = -42;
    assert_int_equal(ts_from_epoch(1e20, &ms), 0);
    assert_int_equal(ts_from_epoch(-1e21, &ms), 0);
}

/* ===== ts_find_in_text ===== */

static void test_ts_find_iso_in_text(void **state)
{
    (void)state;
    int64_t ms = -42;
    assert_int_equal(find("2026-11-23T10:00:00Z INFO started", &ms), 1);
    assert_int_equal(ms, DAY_2026_11_23 + 10 * HOUR);
    assert_int_equal(find("INFO [2026-11-23 10:00:00,123] request done", &ms), 1);
    assert_int_equal(ms, DAY_2026_11_23 + 10 * HOUR + 123);
    assert_int_equal(find("<13>1 2026-11-23T10:00:00.5+01:00 host app - - msg", &ms), 1);
    assert_int_equal(ms, DAY_2026_11_23 + 9 * HOUR + 500);
    assert_int_equal(find("2026-11-23", &ms), 1);
    assert_int_equal(ms, DAY_2026_11_23);
}

static void test_ts_find_first_of_two(void **state)
{
    (void)state;
    int64_t ms = -42;
    assert_int_equal(find("a 2026-11-23T10:00:00Z b 2026-11-24T10:00:00Z", &ms), 1);
    assert_int_equal(ms, DAY_2026_11_23 + 10 * HOUR);
}

static void test_ts_find_clf(void **state)
{
    (void)state;
    int64_t ms = -42;
    assert_int_equal(
        find("127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif HTTP/1.0\" 200 2326",
             &ms),
        1);
    assert_int_equal(ms, 971211336000LL);
    assert_int_equal(find("[10/Oct/2000:13:55:36 +0000]", &ms), 1);
    assert_int_equal(ms, 971186136000LL);
    /* not a month name: not a timestamp */
    assert_int_equal(find("[10/Foo/2000:13:55:36 -0700] x", &ms), 0);
}

static void test_ts_find_leading_epoch(void **state)
{
    (void)state;
    int64_t ms = -42;
    assert_int_equal(find("1700000000 service started", &ms), 1);
    assert_int_equal(ms, 1700000000000LL);
    assert_int_equal(find("1700000000123\tservice started", &ms), 1);
    assert_int_equal(ms, 1700000000123LL);
    assert_int_equal(find("1700000000", &ms), 1);
    assert_int_equal(ms, 1700000000000LL);
    /* 11 or 12 digits, or digits glued to letters, are not an epoch */
    assert_int_equal(find("17000000001 x", &ms), 0);
    assert_int_equal(find("1700000000x", &ms), 0);
}

static void test_ts_find_none(void **state)
{
    (void)state;
    int64_t ms = -42;
    assert_int_equal(find("", &ms), 0);
    assert_int_equal(find("plain text without a time", &ms), 0);
    assert_int_equal(find("id=12345 status=200", &ms), 0);
    assert_int_equal(find("2026-13-45 is not a date", &ms), 0);
    /* a date glued to a preceding digit is part of a longer number */
    assert_int_equal(find("x12026-11-23T10:00:00Z", &ms), 0);
}

static void test_ts_find_only_first_128_bytes(void **state)
{
    apr_pool_t *pool = *state;
    int64_t ms = -42;
    char pad[200];
    memset(pad, 'x', sizeof(pad));
    /* starts at byte 100: found */
    char *s = apr_pstrcat(pool, apr_pstrndup(pool, pad, 100), " 2026-11-23T10:00:00Z", NULL);
    assert_int_equal(find(s, &ms), 1);
    assert_int_equal(ms, DAY_2026_11_23 + 10 * HOUR);
    /* starts at byte 130: not looked at */
    s = apr_pstrcat(pool, apr_pstrndup(pool, pad, 130), "2026-11-23T10:00:00Z", NULL);
    assert_int_equal(find(s, &ms), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_ts_days_from_civil),
        T(test_ts_days_from_civil_is_continuous),
        T(test_ts_parse_iso_forms),
        T(test_ts_parse_iso_rejects),
        T(test_ts_parse_iso_rejects_days_past_month_end),
        T(test_ts_parse_iso_respects_len),
        T(test_ts_from_epoch_units_by_magnitude),
        T(test_ts_from_epoch_too_large),
        T(test_ts_find_iso_in_text),
        T(test_ts_find_first_of_two),
        T(test_ts_find_clf),
        T(test_ts_find_leading_epoch),
        T(test_ts_find_none),
        T(test_ts_find_only_first_128_bytes),
    };
#undef T
    apr_initialize();
    int failed = cmocka_run_group_tests_name("ts", tests, NULL, NULL);
    apr_terminate();
    return failed ? 1 : 0;
}
