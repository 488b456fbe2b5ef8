/* test_diag.c -- unit tests of lexer/diag: diagnostic lists and the caret renderer
 *
 * diag_render is the only code that turns a LiqDiag into the text users read (docs/style.md B4),
 * for every stage. These tests compare whole rendered strings, byte for byte: the head
 * "liq: error at L:C: msg" with code-point columns, the echoed line (two-space indent, tabs and
 * control characters as single spaces, CR of CRLF dropped), one caret per display column of the
 * span (wide characters count two, combining marks zero), one caret past the end for
 * end-of-query errors, clipping of long lines with "..." marks, hints, warnings and the
 * " in filter pattern" form. The columns below were counted by hand and checked with Python.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "base/diag.h"

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

/* Renders one error with span [start, end) against text. */
static char *render_span(void **state, const char *text, uint32_t start, uint32_t end,
                         const char *msg)
{
    apr_pool_t *pool = *state;
    LiqDiagList *l = diag_list_new(pool);
    LiqSpan sp = {start, end};
    LiqDiag *d = diag_add(l, DIAG_ERROR, &sp, "%s", msg);
    return diag_render(pool, d, text, strlen(text));
}

/* ===== The list ===== */

static void test_diag_list_starts_empty(void **state)
{
    LiqDiagList *l = diag_list_new(*state);
    assert_int_equal(l->n, 0);
    assert_int_equal(diag_count(l), 0);
}

static void test_diag_add_formats_and_counts(void **state)
{
    LiqDiagList *l = diag_list_new(*state);
    LiqSpan sp = {4, 9};
    LiqDiag *d = diag_add(l, DIAG_ERROR, &sp, "unknown function '%s' (%d)", "cuont", 7);
    assert_string_equal(d->msg, "unknown function 'cuont' (7)");
    assert_int_equal(d->severity, DIAG_ERROR);
    assert_int_equal(d->has_span, 1);
    assert_int_equal(d->at_end, 0);
    assert_int_equal(d->span.start, 4);
    assert_int_equal(d->span.end, 9);
    assert_string_equal(d->where, "");
    assert_null(d->hint);
    assert_int_equal(l->n, 1);
    assert_int_equal(diag_count(l), 1);
}

static void test_diag_count_excludes_warnings(void **state)
{
    LiqDiagList *l = diag_list_new(*state);
    diag_add(l, DIAG_WARNING, NULL, "w1");
    diag_add(l, DIAG_ERROR, NULL, "e1");
    diag_add(l, DIAG_WARNING, NULL, "w2");
    diag_add(l, DIAG_ERROR, NULL, "e2");
    assert_int_equal(l->n, 4);
    assert_int_equal(diag_count(l), 2);
}

static void test_diag_add_without_span(void **state)
{
    LiqDiagList *l = diag_list_new(*state);
    LiqDiag *d = diag_add(l, DIAG_ERROR, NULL, "cannot open %s", "x.log");
    assert_int_equal(d->has_span, 0);
    assert_string_equal(d->msg, "cannot open x.log");
}

static void test_diag_add_grows_and_keeps_items(void **state)
{
    LiqDiagList *l = diag_list_new(*state);
    LiqDiag *first = diag_add(l, DIAG_ERROR, NULL, "error %d", 0);
    diag_hint(l, first, "hint %d", 0);
    for (int i = 1; i < 50; i++) {
        LiqSpan sp = {(uint32_t)i, (uint32_t)i + 1};
        diag_add(l, i % 2 ? DIAG_WARNING : DIAG_ERROR, &sp, "error %d", i);
    }
    assert_int_equal(l->n, 50);
    assert_int_equal(diag_count(l), 25);
    for (int i = 0; i < 50; i++) {
        char want[32];
        snprintf(want, sizeof(want), "error %d", i);
        assert_string_equal(l->items[i].msg, want);
    }
    assert_string_equal(l->items[0].hint, "hint 0");
    assert_int_equal(l->items[49].span.start, 49);
}

static void test_diag_hint_attaches_to_given_diag(void **state)
{
    LiqDiagList *l = diag_list_new(*state);
    LiqDiag *d = diag_add(l, DIAG_ERROR, NULL, "x");
    diag_hint(l, d, "did you mean '%s'?", "count");
    assert_string_equal(d->hint, "did you mean 'count'?");
}

/* ===== Rendering: no span ===== */

static void test_diag_render_without_span(void **state)
{
    LiqDiagList *l = diag_list_new(*state);
    LiqDiag *d = diag_add(l, DIAG_ERROR, NULL, "empty query");
    assert_string_equal(diag_render(*state, d, "", 0), "liq: error: empty query\n");
    diag_hint(l, d, "try 'fields @message'");
    assert_string_equal(diag_render(*state, d, "", 0),
                        "liq: error: empty query\n"
                        "  hint: try 'fields @message'\n");
    LiqDiag *w = diag_add(l, DIAG_WARNING, NULL, "3 records were cut");
    assert_string_equal(diag_render(*state, w, "", 0), "liq: warning: 3 records were cut\n");
}

/* ===== Rendering: the examples of docs/style.md B4 ===== */

static void test_diag_render_style_example_by_paren(void **state)
{
    const char *q = "filter level = \"ERROR\" | stats count(*) by )";
    LiqDiagList *l = diag_list_new(*state);
    LiqSpan sp = {43, 44};
    LiqDiag *d =
        diag_add(l, DIAG_ERROR, &sp, "expected a field or bin(...) after 'by', found ')'");
    diag_hint(l, d, "write 'by <field>' or drop 'by'");
    assert_string_equal(diag_render(*state, d, q, strlen(q)),
                        "liq: error at 1:44: expected a field or bin(...) after 'by', found ')'\n"
                        "  filter level = \"ERROR\" | stats count(*) by )\n"
                        "                                             ^\n"
                        "  hint: write 'by <field>' or drop 'by'\n");
}

static void test_diag_render_style_example_unknown_function(void **state)
{
    const char *q = "fields @timestamp, @message | stats avg(latency), cuont(*) by host";
    LiqDiagList *l = diag_list_new(*state);
    LiqSpan sp = {50, 55};
    LiqDiag *d = diag_add(l, DIAG_ERROR, &sp, "unknown function 'cuont'");
    diag_hint(l, d, "did you mean 'count'?");
    assert_string_equal(
        diag_render(*state, d, q, strlen(q)),
        "liq: error at 1:51: unknown function 'cuont'\n"
        "  fields @timestamp, @message | stats avg(latency), cuont(*) by host\n"
        "                                                    ^^^^^\n"
        "  hint: did you mean 'count'?\n");
}

/* ===== Rendering: carets ===== */

static void test_diag_render_first_column(void **state)
{
    assert_string_equal(render_span(state, "bogus x", 0, 5, "unknown command 'bogus'"),
                        "liq: error at 1:1: unknown command 'bogus'\n"
                        "  bogus x\n"
                        "  ^^^^^\n");
}

static void test_diag_render_empty_span_gets_one_caret(void **state)
{
    assert_string_equal(render_span(state, "abcdef", 3, 3, "here"),
                        "liq: error at 1:4: here\n"
                        "  abcdef\n"
                        "     ^\n");
}

static void test_diag_render_reversed_span_gets_one_caret(void **state)
{
    assert_string_equal(render_span(state, "abcdef", 3, 1, "here"),
                        "liq: error at 1:4: here\n"
                        "  abcdef\n"
                        "     ^\n");
}

static void test_diag_render_at_end_flag(void **state)
{
    apr_pool_t *pool = *state;
    const char *q = "fields (";
    LiqDiagList *l = diag_list_new(pool);
    LiqSpan sp = {8, 8};
    LiqDiag *d = diag_add(l, DIAG_ERROR, &sp, "unexpected end of query, expected an expression");
    d->at_end = 1;
    assert_string_equal(diag_render(pool, d, q, strlen(q)),
                        "liq: error at 1:9: unexpected end of query, expected an expression\n"
                        "  fields (\n"
                        "          ^\n");
}

static void test_diag_render_at_end_flag_ignores_span_width(void **state)
{
    apr_pool_t *pool = *state;
    const char *q = "filter a =";
    LiqDiagList *l = diag_list_new(pool);
    LiqSpan sp = {10, 10};
    LiqDiag *d = diag_add(l, DIAG_ERROR, &sp, "unexpected end of query");
    d->at_end = 1;
    assert_string_equal(diag_render(pool, d, q, strlen(q)),
                        "liq: error at 1:11: unexpected end of query\n"
                        "  filter a =\n"
                        "            ^\n");
}

static void test_diag_render_span_at_line_end_is_past_last_char(void **state)
{
    /* a span starting at the newline points just past the line's last character */
    assert_string_equal(render_span(state, "ab\ncd", 2, 3, "m"),
                        "liq: error at 1:3: m\n"
                        "  ab\n"
                        "    ^\n");
}

static void test_diag_render_span_past_text_is_clamped(void **state)
{
    assert_string_equal(render_span(state, "abc", 10, 20, "m"),
                        "liq: error at 1:4: m\n"
                        "  abc\n"
                        "     ^\n");
}

static void test_diag_render_span_across_lines_marks_first_line(void **state)
{
    assert_string_equal(render_span(state, "ab\ncd", 1, 4, "m"),
                        "liq: error at 1:2: m\n"
                        "  ab\n"
                        "   ^\n");
}

/* ===== Rendering: multi-line queries, CRLF, tabs, control characters ===== */

static void test_diag_render_second_line(void **state)
{
    const char *q = "fields a\n| filter b = )\n| limit 1";
    assert_string_equal(render_span(state, q, 22, 23, "expected an expression, found ')'"),
                        "liq: error at 2:14: expected an expression, found ')'\n"
                        "  | filter b = )\n"
                        "               ^\n");
}

static void test_diag_render_last_line(void **state)
{
    const char *q = "fields a\n| filter b\n| limit x";
    assert_string_equal(render_span(state, q, 28, 29, "m"),
                        "liq: error at 3:9: m\n"
                        "  | limit x\n"
                        "          ^\n");
}

static void test_diag_render_crlf_lines(void **state)
{
    const char *q = "fields a\r\n| filter )\r\n";
    assert_string_equal(render_span(state, q, 19, 20, "m"),
                        "liq: error at 2:10: m\n"
                        "  | filter )\n"
                        "           ^\n");
    /* the CR is not echoed on the first line either */
    assert_string_equal(render_span(state, q, 7, 8, "m"),
                        "liq: error at 1:8: m\n"
                        "  fields a\n"
                        "         ^\n");
}

static void test_diag_render_tab_as_one_space(void **state)
{
    assert_string_equal(render_span(state, "filter\ta\t= $", 11, 12, "m"),
                        "liq: error at 1:12: m\n"
                        "  filter a = $\n"
                        "             ^\n");
}

static void test_diag_render_control_char_as_space(void **state)
{
    assert_string_equal(render_span(state, "a\x01" "b", 2, 3, "m"),
                        "liq: error at 1:3: m\n"
                        "  a b\n"
                        "    ^\n");
}

/* ===== Rendering: Unicode ===== */

static void test_diag_render_wide_chars_before_span(void **state)
{
    /* 'filter a = "日本" and bogus': bogus is code point 21 but display column 23 */
    const char *q = "filter a = \"\xe6\x97\xa5\xe6\x9c\xac\" and bogus";
    assert_string_equal(render_span(state, q, 24, 29, "m"),
                        "liq: error at 1:21: m\n"
                        "  filter a = \"\xe6\x97\xa5\xe6\x9c\xac\" and bogus\n"
                        "                        ^^^^^\n");
}

static void test_diag_render_wide_chars_inside_span(void **state)
{
    /* the string literal "日本" spans 6 display columns */
    const char *q = "filter a = \"\xe6\x97\xa5\xe6\x9c\xac\"";
    assert_string_equal(render_span(state, q, 11, 19, "m"),
                        "liq: error at 1:12: m\n"
                        "  filter a = \"\xe6\x97\xa5\xe6\x9c\xac\"\n"
                        "             ^^^^^^\n");
}

static void test_diag_render_two_byte_chars(void **state)
{
    /* é is one column wide: 'é é x' puts x at column 5 */
    const char *q = "\xc3\xa9 \xc3\xa9 x";
    assert_string_equal(render_span(state, q, 6, 7, "m"),
                        "liq: error at 1:5: m\n"
                        "  \xc3\xa9 \xc3\xa9 x\n"
                        "      ^\n");
}

static void test_diag_render_combining_mark_has_no_width(void **state)
{
    /* e + U+0301 + x: x is code point 3 (head) but display column 2 (caret) */
    const char *q = "e\xcc\x81x";
    assert_string_equal(render_span(state, q, 3, 4, "m"),
                        "liq: error at 1:3: m\n"
                        "  e\xcc\x81x\n"
                        "   ^\n");
}

static void test_diag_render_invalid_utf8_is_one_column(void **state)
{
    const char *q = "a\xff" "b";
    assert_string_equal(render_span(state, q, 2, 3, "m"),
                        "liq: error at 1:3: m\n"
                        "  a\xff" "b\n"
                        "    ^\n");
}

/* ===== Rendering: long lines ===== */

/* n copies of c */
static char *rep(apr_pool_t *pool, char c, int n)
{
    char *s = apr_palloc(pool, (size_t)n + 1);
    memset(s, c, (size_t)n);
    s[n] = 0;
    return s;
}

static void test_diag_render_line_of_100_columns_not_clipped(void **state)
{
    apr_pool_t *pool = *state;
    char *q = apr_pstrcat(pool, rep(pool, 'a', 99), "X", NULL);
    char *want = apr_pstrcat(pool, "liq: error at 1:100: m\n  ", q, "\n  ", rep(pool, ' ', 99),
                             "^\n", NULL);
    assert_string_equal(render_span(state, q, 99, 100, "m"), want);
}

static void test_diag_render_long_line_clipped_left(void **state)
{
    /* 150 columns, error at columns 120-122: the window is the last 100 columns */
    apr_pool_t *pool = *state;
    char *q = apr_pstrcat(pool, rep(pool, 'a', 119), "XYZ", rep(pool, 'b', 28), NULL);
    char *echo = apr_pstrcat(pool, rep(pool, 'a', 69), "XYZ", rep(pool, 'b', 28), NULL);
    char *want = apr_pstrcat(pool, "liq: error at 1:120: m\n  ...", echo, "\n     ",
                             rep(pool, ' ', 69), "^^^\n", NULL);
    assert_string_equal(render_span(state, q, 119, 122, "m"), want);
}

static void test_diag_render_long_line_clipped_both_sides(void **state)
{
    /* 300 columns, error at column 150: 100 columns centred on it, "..." on both sides */
    apr_pool_t *pool = *state;
    char *q = apr_pstrcat(pool, rep(pool, 'a', 149), "X", rep(pool, 'b', 150), NULL);
    char *echo = apr_pstrcat(pool, rep(pool, 'a', 50), "X", rep(pool, 'b', 49), NULL);
    char *want = apr_pstrcat(pool, "liq: error at 1:150: m\n  ...", echo, "...\n     ",
                             rep(pool, ' ', 50), "^\n", NULL);
    assert_string_equal(render_span(state, q, 149, 150, "m"), want);
}

static void test_diag_render_long_line_clipped_right(void **state)
{
    /* 300 columns, error at column 3: the first 100 columns, "..." at the right only */
    apr_pool_t *pool = *state;
    char *q = apr_pstrcat(pool, "ab", "X", rep(pool, 'c', 297), NULL);
    char *echo = apr_pstrcat(pool, "ab", "X", rep(pool, 'c', 97), NULL);
    char *want =
        apr_pstrcat(pool, "liq: error at 1:3: m\n  ", echo, "...\n    ^\n", NULL);
    assert_string_equal(render_span(state, q, 2, 3, "m"), want);
}

static void test_diag_render_long_line_at_end(void **state)
{
    /* end-of-query error after 200 columns: the caret after the last character stays visible */
    apr_pool_t *pool = *state;
    char *q = rep(pool, 'a', 200);
    LiqDiagList *l = diag_list_new(pool);
    LiqSpan sp = {200, 200};
    LiqDiag *d = diag_add(l, DIAG_ERROR, &sp, "m");
    d->at_end = 1;
    char *r = diag_render(pool, d, q, 200);
    assert_non_null(strstr(r, "liq: error at 1:201: m\n  ..."));
    const char *caret = strrchr(r, '^');
    const char *line2 = strchr(r, '\n') + 1;
    const char *line3 = strchr(line2, '\n') + 1;
    /* the caret sits one column after the last echoed character */
    size_t echo_len = (size_t)(line3 - line2) - 1;
    assert_int_equal((size_t)(caret - line3), echo_len);
    assert_string_equal(caret, "^\n");
}

/* ===== Rendering: severity, where, hint ===== */

static void test_diag_render_warning_with_span(void **state)
{
    apr_pool_t *pool = *state;
    const char *q = "stats count(*) by bin(300s)";
    LiqDiagList *l = diag_list_new(pool);
    LiqSpan sp = {22, 26};
    LiqDiag *d = diag_add(l, DIAG_WARNING, &sp, "bin(300s) runs as bin(60s)");
    diag_hint(l, d, "write bin(5m)");
    assert_string_equal(diag_render(pool, d, q, strlen(q)),
                        "liq: warning at 1:23: bin(300s) runs as bin(60s)\n"
                        "  stats count(*) by bin(300s)\n"
                        "                        ^^^^\n"
                        "  hint: write bin(5m)\n");
    assert_int_equal(diag_count(l), 0);
}

static void test_diag_render_where_filter_pattern(void **state)
{
    apr_pool_t *pool = *state;
    const char *pat = "{ $.a = }";
    LiqDiagList *l = diag_list_new(pool);
    LiqSpan sp = {8, 9};
    LiqDiag *d = diag_add(l, DIAG_ERROR, &sp, "expected a value, found '}'");
    d->where = " in filter pattern";
    assert_string_equal(diag_render(pool, d, pat, strlen(pat)),
                        "liq: error at 1:9 in filter pattern: expected a value, found '}'\n"
                        "  { $.a = }\n"
                        "          ^\n");
}

static void test_diag_render_empty_text(void **state)
{
    assert_string_equal(render_span(state, "", 0, 0, "m"),
                        "liq: error at 1:1: m\n"
                        "  \n"
                        "  ^\n");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_diag_list_starts_empty),
        T(test_diag_add_formats_and_counts),
        T(test_diag_count_excludes_warnings),
        T(test_diag_add_without_span),
        T(test_diag_add_grows_and_keeps_items),
        T(test_diag_hint_attaches_to_given_diag),
        T(test_diag_render_without_span),
        T(test_diag_render_style_example_by_paren),
        T(test_diag_render_style_example_unknown_function),
        T(test_diag_render_first_column),
        T(test_diag_render_empty_span_gets_one_caret),
        T(test_diag_render_reversed_span_gets_one_caret),
        T(test_diag_render_at_end_flag),
        T(test_diag_render_at_end_flag_ignores_span_width),
        T(test_diag_render_span_at_line_end_is_past_last_char),
        T(test_diag_render_span_past_text_is_clamped),
        T(test_diag_render_span_across_lines_marks_first_line),
        T(test_diag_render_second_line),
        T(test_diag_render_last_line),
        T(test_diag_render_crlf_lines),
        T(test_diag_render_tab_as_one_space),
        T(test_diag_render_control_char_as_space),
        T(test_diag_render_wide_chars_before_span),
        T(test_diag_render_wide_chars_inside_span),
        T(test_diag_render_two_byte_chars),
        T(test_diag_render_combining_mark_has_no_width),
        T(test_diag_render_invalid_utf8_is_one_column),
        T(test_diag_render_line_of_100_columns_not_clipped),
        T(test_diag_render_long_line_clipped_left),
        T(test_diag_render_long_line_clipped_both_sides),
        T(test_diag_render_long_line_clipped_right),
        T(test_diag_render_long_line_at_end),
        T(test_diag_render_warning_with_span),
        T(test_diag_render_where_filter_pattern),
        T(test_diag_render_empty_text),
    };
#undef T
    apr_initialize();
    int failed = cmocka_run_group_tests_name("diag", tests, NULL, NULL);
    apr_terminate();
    return failed ? 1 : 0;
}
