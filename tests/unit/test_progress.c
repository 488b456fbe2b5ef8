/* test_progress.c -- unit tests of cli/progress: the text of one progress-bar redraw
 *
 * cli_progress_text renders bytes done of the total (decimal units), the percentage, the
 * average rate and the time left, with a bar of '#' that fits the given width; without a known
 * total (standard input) only bytes and rate; too narrow for a bar, the numbers alone.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "cli/progress.h"

static size_t count_char(const char *s, char c)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

static void test_progress_unknown_total(void **state)
{
    char buf[256];
    (void)state;
    cli_progress_text(buf, sizeof(buf), 80, 8000000, 0, 0, 2.0);
    assert_string_equal(buf, "8.0 MB  4.0 MB/s");
    cli_progress_text(buf, sizeof(buf), 80, 999, 0, 0, 0.0);
    assert_string_equal(buf, "999 B  0 B/s");
}

static void test_progress_half_done(void **state)
{
    char buf[256];
    (void)state;
    cli_progress_text(buf, sizeof(buf), 80, 5000000, 10000000, 1, 1.0);
    const char *tail = "]   50%  5.0 MB of 10.0 MB  5.0 MB/s  ETA 0:01";
    size_t n = strlen(buf), t = strlen(tail);
    assert_true(n < 80);
    assert_int_equal(buf[0], '[');
    assert_string_equal(buf + n - t, tail);
    size_t bar = n - t - 1; /* cells between the brackets */
    assert_int_equal(count_char(buf, '#'), bar / 2);
}

static void test_progress_done(void **state)
{
    char buf[256];
    (void)state;
    cli_progress_text(buf, sizeof(buf), 60, 2500, 2500, 1, 0.5);
    assert_non_null(strstr(buf, "]  100%  2.5 kB of 2.5 kB  5.0 kB/s  ETA 0:00"));
    assert_null(strstr(buf, "[ ")); /* every cell full */
    /* more bytes than the sizes said (a file that grew): clamped to 100% */
    cli_progress_text(buf, sizeof(buf), 60, 9999, 2500, 1, 0.5);
    assert_non_null(strstr(buf, "100%  2.5 kB of 2.5 kB"));
}

static void test_progress_narrow_and_slow(void **state)
{
    char buf[256];
    (void)state;
    cli_progress_text(buf, sizeof(buf), 30, 1000000, 10000000000ULL, 1, 1.0);
    assert_string_equal(buf, "  0%  1.0 MB of 10.0 GB  1.0 MB/s  ETA 2:46:39");
    cli_progress_text(buf, sizeof(buf), 30, 0, 1000, 1, 0.0);
    assert_string_equal(buf, "  0%  0 B of 1.0 kB  0 B/s  ETA -:--");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_progress_unknown_total),
        cmocka_unit_test(test_progress_half_done),
        cmocka_unit_test(test_progress_done),
        cmocka_unit_test(test_progress_narrow_and_slow),
    };
    return cmocka_run_group_tests_name("progress", tests, NULL, NULL) ? 1 : 0;
}
