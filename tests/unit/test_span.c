/* test_span.c -- unit tests of lexer/span: span joins, the line map, UTF-8 decoding, widths
 *
 * span.c sits at the bottom of the pipeline: every diagnostic turns a byte span into line:column
 * through span_linemap/span_locate, and the caret renderer measures text with span_utf8_decode
 * and span_cpwidth. These tests pin the invariants the renderer relies on: lines and columns are
 * 1-based, columns count code points (not bytes), offsets past the end clamp, invalid UTF-8
 * always decodes to U+FFFD while consuming exactly one byte. They do not test rendering itself
 * (test_diag.c does).
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
#include "base/span.h"

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

/* line:column of byte offset off in text */
static void locate(void **state, const char *text, uint32_t off, uint32_t *line, uint32_t *col)
{
    LiqLineMap *m = span_linemap(*state, text, strlen(text));
    span_locate(m, off, line, col);
}

/* ===== span_join ===== */

static void test_span_join_covers_both(void **state)
{
    (void)state;
    LiqSpan a = {3, 5}, b = {1, 4};
    LiqSpan r = span_join(a, b);
    assert_int_equal(r.start, 1);
    assert_int_equal(r.end, 5);
    r = span_join(b, a);
    assert_int_equal(r.start, 1);
    assert_int_equal(r.end, 5);
    LiqSpan c = {10, 12}; /* disjoint spans: the gap is covered too */
    r = span_join(a, c);
    assert_int_equal(r.start, 3);
    assert_int_equal(r.end, 12);
}

/* ===== span_linemap ===== */

static void test_span_linemap_empty_text_has_one_line(void **state)
{
    LiqLineMap *m = span_linemap(*state, "", 0);
    assert_int_equal(m->nlines, 1);
    assert_int_equal(m->starts[0], 0);
    assert_int_equal(m->len, 0);
}

static void test_span_linemap_line_starts(void **state)
{
    const char *t = "a\nbc\n\ndef";
    LiqLineMap *m = span_linemap(*state, t, strlen(t));
    assert_int_equal(m->nlines, 4);
    assert_int_equal(m->starts[0], 0);
    assert_int_equal(m->starts[1], 2);
    assert_int_equal(m->starts[2], 5);
    assert_int_equal(m->starts[3], 6);
    assert_ptr_equal(m->text, t);
}

static void test_span_linemap_trailing_newline_opens_a_line(void **state)
{
    LiqLineMap *m = span_linemap(*state, "ab\n", 3);
    assert_int_equal(m->nlines, 2);
    assert_int_equal(m->starts[1], 3);
}

static void test_span_linemap_respects_len(void **state)
{
    /* only the first len bytes count: the newline after them is not a line start */
    LiqLineMap *m = span_linemap(*state, "ab\ncd", 2);
    assert_int_equal(m->nlines, 1);
}

/* ===== span_locate ===== */

static void test_span_locate_first_line(void **state)
{
    uint32_t line, col;
    locate(state, "ab\ncd", 0, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 1);
    locate(state, "ab\ncd", 1, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 2);
    /* the newline itself belongs to the line it ends */
    locate(state, "ab\ncd", 2, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 3);
}

static void test_span_locate_later_lines(void **state)
{
    uint32_t line, col;
    locate(state, "ab\ncd\nefg", 3, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 1);
    locate(state, "ab\ncd\nefg", 8, &line, &col);
    assert_int_equal(line, 3);
    assert_int_equal(col, 3);
    /* many lines: binary search must land on the right one */
    char text[400];
    for (int i = 0; i < 100; i++)
        memcpy(text + i * 4, "xyz\n", 4);
    text[399] = 0;
    for (uint32_t l = 0; l < 100; l++) {
        locate(state, text, l * 4 + 2, &line, &col);
        assert_int_equal(line, l + 1);
        assert_int_equal(col, 3);
    }
}

static void test_span_locate_end_and_past_end_clamp(void **state)
{
    uint32_t line, col;
    locate(state, "ab\ncd", 5, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 3);
    locate(state, "ab\ncd", 500, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 3);
}

static void test_span_locate_after_trailing_newline(void **state)
{
    uint32_t line, col;
    locate(state, "ab\n", 3, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 1);
}

static void test_span_locate_counts_code_points(void **state)
{
    uint32_t line, col;
    /* "é=1": é is two bytes, '=' is the second code point */
    locate(state, "\xc3\xa9=1", 2, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 2);
    /* "日本x": two 3-byte code points, x is column 3 */
    locate(state, "\xe6\x97\xa5\xe6\x9c\xacx", 6, &line, &col);
    assert_int_equal(col, 3);
    /* a 4-byte emoji counts once */
    locate(state, "\xf0\x9f\x98\x80 a", 5, &line, &col);
    assert_int_equal(col, 3);
    /* on the second line, code points of the first line do not count */
    locate(state, "\xc3\xa9\xc3\xa9\n\xc3\xa9z", 7, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 2);
}

static void test_span_locate_crlf(void **state)
{
    uint32_t line, col;
    locate(state, "a\r\nb", 3, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 1);
}

/* ===== span_utf8_decode ===== */

typedef struct {
    const char *bytes;
    size_t len;
    uint32_t cp;
    size_t adv;
} DecodeCase;

static void test_span_utf8_decode_valid(void **state)
{
    (void)state;
    static const DecodeCase cases[] = {
        {"A", 1, 0x41, 1},
        {"\x7f", 1, 0x7F, 1},
        {"\xc2\x80", 2, 0x80, 2},
        {"\xc3\xa9", 2, 0xE9, 2},
        {"\xdf\xbf", 2, 0x7FF, 2},
        {"\xe0\xa0\x80", 3, 0x800, 3},
        {"\xe6\x97\xa5", 3, 0x65E5, 3},
        {"\xef\xbf\xbd", 3, 0xFFFD, 3},
        {"\xf0\x90\x80\x80", 4, 0x10000, 4},
        {"\xf0\x9f\x98\x80", 4, 0x1F600, 4},
        {"\xf4\x8f\xbf\xbf", 4, 0x10FFFF, 4},
        {"\xc3\xa9zz", 4, 0xE9, 2}, /* trailing bytes are not consumed */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t adv = 99;
        uint32_t cp = span_utf8_decode(cases[i].bytes, cases[i].len, &adv);
        assert_int_equal(cp, cases[i].cp);
        assert_int_equal(adv, cases[i].adv);
    }
}

static void test_span_utf8_decode_invalid_is_fffd_one_byte(void **state)
{
    (void)state;
    static const DecodeCase cases[] = {
        {"\x80", 1, 0xFFFD, 1},             /* lone continuation byte */
        {"\xbf", 1, 0xFFFD, 1},
        {"\xc0\xaf", 2, 0xFFFD, 1},         /* overlong '/' */
        {"\xc1\xbf", 2, 0xFFFD, 1},         /* overlong */
        {"\xe0\x80\xaf", 3, 0xFFFD, 1},     /* overlong 3-byte */
        {"\xf0\x80\x80\xaf", 4, 0xFFFD, 1}, /* overlong 4-byte */
        {"\xed\xa0\x80", 3, 0xFFFD, 1},     /* UTF-16 surrogate D800 */
        {"\xed\xbf\xbf", 3, 0xFFFD, 1},     /* surrogate DFFF */
        {"\xf4\x90\x80\x80", 4, 0xFFFD, 1}, /* past U+10FFFF */
        {"\xf8\x88\x80\x80\x80", 5, 0xFFFD, 1},
        {"\xff", 1, 0xFFFD, 1},
        {"\xfe", 1, 0xFFFD, 1},
        {"\xc3" "A", 2, 0xFFFD, 1},         /* continuation missing */
        {"\xe6\x97", 2, 0xFFFD, 1},         /* truncated by len */
        {"\xe6\x97\xa5", 2, 0xFFFD, 1},     /* truncated by len, bytes beyond ignored */
        {"\xf0\x9f\x98", 3, 0xFFFD, 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t adv = 99;
        uint32_t cp = span_utf8_decode(cases[i].bytes, cases[i].len, &adv);
        assert_int_equal(cp, cases[i].cp);
        assert_int_equal(adv, cases[i].adv);
    }
}

static void test_span_utf8_decode_empty_input(void **state)
{
    (void)state;
    size_t adv = 0;
    assert_int_equal(span_utf8_decode("", 0, &adv), 0xFFFD);
    assert_int_equal(adv, 1); /* callers always make progress */
}

static void test_span_utf8_decode_walks_mixed_text(void **state)
{
    (void)state;
    const char *s = "a\xc3\xa9\xff\xe6\x97\xa5\x80z";
    size_t len = strlen(s), i = 0, n = 0;
    uint32_t got[16];
    while (i < len) {
        size_t adv;
        got[n++] = span_utf8_decode(s + i, len - i, &adv);
        i += adv;
    }
    assert_int_equal(n, 6);
    assert_int_equal(got[0], 'a');
    assert_int_equal(got[1], 0xE9);
    assert_int_equal(got[2], 0xFFFD);
    assert_int_equal(got[3], 0x65E5);
    assert_int_equal(got[4], 0xFFFD);
    assert_int_equal(got[5], 'z');
}

/* ===== span_cpwidth ===== */

static void test_span_cpwidth(void **state)
{
    (void)state;
    assert_int_equal(span_cpwidth('a'), 1);
    assert_int_equal(span_cpwidth(' '), 1);
    assert_int_equal(span_cpwidth('~'), 1);
    assert_int_equal(span_cpwidth(0xE9), 1);    /* é */
    assert_int_equal(span_cpwidth(0x3B1), 1);   /* α */
    assert_int_equal(span_cpwidth(0xFFFD), 1);  /* replacement character */
    assert_int_equal(span_cpwidth(0x65E5), 2);  /* 日 */
    assert_int_equal(span_cpwidth(0x3042), 2);  /* あ */
    assert_int_equal(span_cpwidth(0xAC00), 2);  /* 가 */
    assert_int_equal(span_cpwidth(0xFF21), 2);  /* fullwidth A */
    assert_int_equal(span_cpwidth(0x1F600), 2); /* 😀 */
    assert_int_equal(span_cpwidth(0x20000), 2); /* CJK extension B */
    assert_int_equal(span_cpwidth(0x0301), 0);  /* combining acute */
    assert_int_equal(span_cpwidth(0x200B), 0);  /* zero-width space */
    assert_int_equal(span_cpwidth(0xFE0F), 0);  /* variation selector */
    assert_int_equal(span_cpwidth(0x00), 0);
    assert_int_equal(span_cpwidth('\t'), 0);
    assert_int_equal(span_cpwidth('\n'), 0);
    assert_int_equal(span_cpwidth(0x7F), 0);
    assert_int_equal(span_cpwidth(0x9F), 0);
    assert_int_equal(span_cpwidth(0xA0), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_span_join_covers_both, setup, teardown),
        cmocka_unit_test_setup_teardown(test_span_linemap_empty_text_has_one_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_span_linemap_line_starts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_span_linemap_trailing_newline_opens_a_line, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_span_linemap_respects_len, setup, teardown),
        cmocka_unit_test_setup_teardown(test_span_locate_first_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_span_locate_later_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_span_locate_end_and_past_end_clamp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_span_locate_after_trailing_newline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_span_locate_counts_code_points, setup, teardown),
        cmocka_unit_test_setup_teardown(test_span_locate_crlf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_span_utf8_decode_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_span_utf8_decode_invalid_is_fffd_one_byte, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_span_utf8_decode_empty_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_span_utf8_decode_walks_mixed_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_span_cpwidth, setup, teardown),
    };
    apr_initialize();
    int failed = cmocka_run_group_tests_name("span", tests, NULL, NULL);
    apr_terminate();
    return failed ? 1 : 0;
}
