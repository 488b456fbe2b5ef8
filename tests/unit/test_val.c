/* test_val.c -- unit tests of engine/val: numbers, comparison, sort order, keys, formatting
 *
 * val.c holds the value rules every kernel shares: the strict number syntax (num_parse), the
 * comparisons of L5 (numeric when both sides look numeric, exact past 15 digits; a number
 * against text that is none unordered; else code points), the total sort order of L3 (numbers
 * and numeric-looking strings by value, other text by AWS natural sort before them, nulls
 * last), group-key equality (L5's '=') and hashing, key forms, truthiness, and output text
 * (L11 numbers, L12 timestamps). The natural-sort test uses
 * the documented ascending example of Part 2 §3.5 verbatim.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <apr_general.h>
#include "base/num.h"
#include "engine/data/val.h"

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

static Datum S(const char *s)
{
    return val_str(s, strlen(s));
}

/* A number read from input: its value and its text as written. */
static Datum NT(double f, const char *text)
{
    Datum d = val_num(f);
    d.s = text;
    d.len = (uint32_t)strlen(text);
    return d;
}

static int sign(int c)
{
    return c < 0 ? -1 : c > 0;
}

/* val_compare's sign, asserting the comparison is not null */
static int cmp(Datum a, Datum b)
{
    int ok = -1;
    int c = val_compare(&a, &b, &ok);
    assert_int_equal(ok, 1);
    return sign(c);
}

static int scmp(Datum a, Datum b)
{
    return sign(val_sort_cmp(&a, &b));
}

static int ncmp(const char *a, const char *b)
{
    return sign(val_natural_cmp(a, strlen(a), b, strlen(b)));
}

/* num_format / val_format / ts_format into a NUL-terminated static buffer */
static char fmt_out[4096];

static const char *fmt_num(double f)
{
    LiqBuf b = {0};
    num_format(&b, f);
    assert_true(b.len < sizeof(fmt_out));
    memcpy(fmt_out, b.p, b.len);
    fmt_out[b.len] = 0;
    buf_free(&b);
    return fmt_out;
}

static const char *fmt_val(Datum d)
{
    LiqBuf b = {0};
    val_format(&b, &d);
    assert_true(b.len < sizeof(fmt_out));
    if (b.len)
        memcpy(fmt_out, b.p, b.len);
    fmt_out[b.len] = 0;
    buf_free(&b);
    return fmt_out;
}

static const char *fmt_ts(int64_t ms)
{
    LiqBuf b = {0};
    ts_format(&b, ms);
    assert_true(b.len < sizeof(fmt_out));
    memcpy(fmt_out, b.p, b.len);
    fmt_out[b.len] = 0;
    buf_free(&b);
    return fmt_out;
}

/* ===== num_parse ===== */

static void test_val_num_parse_accepts(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        double v;
    } ok[] = {
        {"200", 200},   {"2e2", 200},  {"-1.5", -1.5}, {".5", 0.5},     {"5.", 5},
        {"+3", 3},      {"0", 0},      {"-0", 0},      {"1E-2", 0.01},  {"1e+3", 1000},
        {"007", 7},     {"0.25", 0.25}, {"-.5", -0.5}, {"123456789012", 123456789012.0},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        double v = -12345;
        print_message("%s\n", ok[i].s);
        assert_int_equal(num_parse(ok[i].s, strlen(ok[i].s), &v), 1);
        assert_true(v == ok[i].v);
    }
}

static void test_val_num_parse_rejects(void **state)
{
    (void)state;
    static const char *bad[] = {
        " 200", "200 ", "0x10", "inf", "-inf", "nan", "NaN", "Infinity", "", "-", "+", ".",
        "e5",   "1e",   "1e+",  "1.2.3", "--1", "1-",  "1,5", "1_000", "12a", "a12", "\t1",
        "1\n",  "٣",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        double v = -12345;
        print_message("'%s'\n", bad[i]);
        assert_int_equal(num_parse(bad[i], strlen(bad[i]), &v), 0);
    }
}

static void test_val_num_parse_respects_len(void **state)
{
    (void)state;
    double v = 0;
    assert_int_equal(num_parse("12abc", 2, &v), 1);
    assert_true(v == 12);
    assert_int_equal(num_parse("200", 0, &v), 0);
}

static void test_val_num_parse_any_length(void **state)
{
    /* a number is a number however many digits it is written with (issue 11: 400 characters
     * or more used to make it a string) */
    (void)state;
    char s[1200];
    size_t n = 0;
    s[n++] = '0';
    s[n++] = '.';
    s[n++] = '5';
    while (n < 1000)
        s[n++] = '0';
    double v = 0;
    assert_int_equal(num_parse(s, n, &v), 1);
    assert_true(v == 0.5);
    n = 0;
    while (n < 700)
        s[n++] = '0';
    s[n++] = '4';
    s[n++] = '2';
    assert_int_equal(num_parse(s, n, &v), 1);
    assert_true(v == 42);
    s[n++] = 'x'; /* the syntax is still checked */
    assert_int_equal(num_parse(s, n, &v), 0);
}

/* ===== val_as_number ===== */

static void test_val_as_number(void **state)
{
    (void)state;
    double f = -1;
    Datum d = S("12.5");
    assert_int_equal(val_as_number(&d, &f), 1);
    assert_true(f == 12.5);
    /* the parse is cached in the datum */
    assert_true(d.flags & DF_NUMCHECKED);
    assert_true(d.flags & DF_NUMERIC);
    d = S("abc");
    assert_int_equal(val_as_number(&d, &f), 0);
    assert_true(d.flags & DF_NUMCHECKED);
    assert_false(d.flags & DF_NUMERIC);
    d = val_num(3.25);
    assert_int_equal(val_as_number(&d, &f), 1);
    assert_true(f == 3.25);
    d = val_ts(1700000000000LL);
    assert_int_equal(val_as_number(&d, &f), 1);
    assert_true(f == 1700000000000.0);
    d = val_bool(1);
    assert_int_equal(val_as_number(&d, &f), 1);
    assert_true(f == 1);
    d = val_null();
    assert_int_equal(val_as_number(&d, &f), 0);
}

/* ===== val_compare (L5) ===== */

static void test_val_compare_numbers_and_numeric_strings(void **state)
{
    (void)state;
    assert_int_equal(cmp(val_num(200), S("200")), 0);
    assert_int_equal(cmp(S("200"), val_num(200)), 0);
    assert_int_equal(cmp(S("10"), S("9")), 1);          /* numeric, not "1" < "9" */
    assert_int_equal(cmp(S("9"), S("10")), -1);
    assert_int_equal(cmp(S("-1.5"), S("-2")), 1);
    assert_int_equal(cmp(val_num(2.5), S("2.50")), 0);
    assert_int_equal(cmp(S("1e3"), val_num(1000)), 0);
    assert_int_equal(cmp(NT(200, "200.0"), val_num(200)), 0);
    assert_int_equal(cmp(val_num(-3), val_num(2)), -1);
    assert_int_equal(cmp(val_num(0.1 + 0.2), val_num(0.3)), 1); /* doubles, no epsilon */
    assert_int_equal(cmp(val_ts(1000), val_ts(2000)), -1);
}

static void test_val_compare_strings_by_code_point(void **state)
{
    (void)state;
    assert_int_equal(cmp(S("abc"), S("abd")), -1);
    assert_int_equal(cmp(S("abc"), S("abc")), 0);
    assert_int_equal(cmp(S("ab"), S("abc")), -1);
    assert_int_equal(cmp(S("B"), S("a")), -1);   /* case-sensitive, code points */
    assert_int_equal(cmp(S("\xc3\xa9"), S("z")), 1); /* é (U+E9) after z (U+7A) */
    assert_int_equal(cmp(S("\xe6\x97\xa5"), S("\xc3\xa9")), 1);
    assert_int_equal(cmp(S(""), S("a")), -1);
    assert_int_equal(cmp(S(""), S("")), 0);
}

/* val_compare's ok for a and b */
static int cmp_ok(Datum a, Datum b)
{
    int ok = -1;
    val_compare(&a, &b, &ok);
    return ok;
}

static void test_val_compare_number_against_text(void **state)
{
    (void)state;
    /* a number against text that does not read as one: no order (L5, revised 2026-12-06),
     * so = is false, != true and the orderings false */
    assert_int_equal(cmp_ok(val_num(10), S("9a")), VC_UNORDERED);
    assert_int_equal(cmp_ok(S(" 200"), val_num(200)), VC_UNORDERED); /* " 200" is no number */
    assert_int_equal(cmp_ok(S("abc"), val_num(5)), VC_UNORDERED);
    assert_int_equal(cmp_ok(val_num(2.5), S("2.5x")), VC_UNORDERED);
    assert_int_equal(cmp_ok(NT(400, "400"), S("abc")), VC_UNORDERED);
    /* two strings, one of them numeric-looking: code points ('1' < '9') */
    assert_int_equal(cmp(S("10"), S("9a")), -1);
    /* a timestamp against text: its output text */
    assert_int_equal(cmp(val_ts(0), S("1970-01-01 00:00:00.000")), 0);
}

static void test_val_compare_exact_decimals(void **state)
{
    (void)state;
    /* past 15 significant digits the doubles are equal but the values are not */
    assert_int_equal(cmp(S("12345678901234567891"), S("12345678901234567892")), -1);
    assert_int_equal(cmp(S("12345678901234567891"), NT(12345678901234567891.0, "12345678901234567891")), 0);
    assert_int_equal(cmp(S("12345678901234567891"), S("1.2345678901234567891e19")), 0);
    assert_int_equal(cmp(S("0.10000000000000000001"), S("0.1")), 1);
    assert_int_equal(cmp(S("1e400"), S("1e500")), -1);   /* both beyond doubles */
    assert_int_equal(cmp(S("-1e400"), S("1e400")), -1);
    assert_int_equal(cmp(S("0.000"), S("-0")), 0);
    /* a computed number is the shortest decimal of its double */
    assert_int_equal(cmp(val_num(0.1 + 0.2), S("0.30000000000000004")), 0);
    assert_int_equal(cmp(val_num(0.1 + 0.2), S("0.300000000000000044")), -1);
    assert_int_equal(cmp(val_num(1e19), S("10000000000000000000.0")), 0);
    assert_int_equal(cmp(val_num(1e19), S("10000000000000000001")), -1);
}

static void test_val_compare_booleans(void **state)
{
    (void)state;
    assert_int_equal(cmp(val_bool(1), S("true")), 0);
    assert_int_equal(cmp(val_bool(0), S("false")), 0);
    assert_int_equal(cmp(val_bool(1), val_bool(1)), 0);
    assert_int_equal(cmp(val_bool(0), val_bool(1)), -1);
}

static void test_val_compare_null_is_unknown(void **state)
{
    (void)state;
    Datum n = val_null(), a = val_num(1), s = S("x");
    int ok = 1;
    val_compare(&n, &a, &ok);
    assert_int_equal(ok, 0);
    ok = 1;
    val_compare(&s, &n, &ok);
    assert_int_equal(ok, 0);
    ok = 1;
    val_compare(&n, &n, &ok);
    assert_int_equal(ok, 0);
}

/* ===== val_natural_cmp: Part 2 §3.5 ===== */

static const char *const doc_order[] = {
    "!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj", "a12345hfh",
    "0",  "01", "1",   "2",  "3",
};
enum { NDOC = sizeof(doc_order) / sizeof(doc_order[0]) };

static int by_natural(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return val_natural_cmp(x, strlen(x), y, strlen(y));
}

static int by_sort_cmp(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    Datum dx = S(x), dy = S(y);
    return val_sort_cmp(&dx, &dy);
}

static int is_01_and_1(const char *a, const char *b)
{
    return (!strcmp(a, "01") && !strcmp(b, "1")) || (!strcmp(a, "1") && !strcmp(b, "01"));
}

static void test_val_natural_doc_example_pairwise(void **state)
{
    (void)state;
    /* every pair of the documented order, both ways; "01" and "1" are the same number: a tie,
     * which a stable sort leaves in input order (L3) */
    for (int i = 0; i < NDOC; i++) {
        assert_int_equal(ncmp(doc_order[i], doc_order[i]), 0);
        for (int j = i + 1; j < NDOC; j++) {
            int want = is_01_and_1(doc_order[i], doc_order[j]) ? 0 : -1;
            print_message("%s < %s\n", doc_order[i], doc_order[j]);
            assert_int_equal(ncmp(doc_order[i], doc_order[j]), want);
            assert_int_equal(ncmp(doc_order[j], doc_order[i]), -want);
            assert_int_equal(scmp(S(doc_order[i]), S(doc_order[j])), want);
            assert_int_equal(scmp(S(doc_order[j]), S(doc_order[i])), -want);
        }
    }
}

/* Stable insertion sort of string pointers by order (qsort is not stable). */
static void stable_sort(const char **v, int n, int (*order)(const void *, const void *))
{
    for (int i = 1; i < n; i++) {
        const char *x = v[i];
        int j = i;
        while (j > 0 && order(&v[j - 1], &x) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

static void test_val_natural_doc_example_sorts_exactly(void **state)
{
    (void)state;
    /* shuffled input ("01" before "1", as in the documented list), sorted stably with
     * val_natural_cmp and with val_sort_cmp */
    const char *v[NDOC], *w[NDOC];
    for (int i = 0; i < NDOC; i++)
        v[i] = w[i] = doc_order[(i * 5 + 3) % NDOC];
    int pos01 = -1, pos1 = -1;
    for (int i = 0; i < NDOC; i++) {
        if (!strcmp(v[i], "01"))
            pos01 = i;
        if (!strcmp(v[i], "1"))
            pos1 = i;
    }
    assert_true(pos01 < pos1);
    stable_sort(v, NDOC, by_natural);
    stable_sort(w, NDOC, by_sort_cmp);
    for (int i = 0; i < NDOC; i++) {
        assert_string_equal(v[i], doc_order[i]);
        assert_string_equal(w[i], doc_order[i]);
    }
}

static void test_val_natural_digit_runs_by_value(void **state)
{
    (void)state;
    assert_int_equal(ncmp("file9", "file10"), -1);
    assert_int_equal(ncmp("a2b", "a10b"), -1);
    assert_int_equal(ncmp("a10b2", "a10b10"), -1);
    assert_int_equal(ncmp("x100", "x99"), 1);
    assert_int_equal(ncmp("v1.10", "v1.9"), 1);
    assert_int_equal(ncmp("abc", "abd"), -1);
    assert_int_equal(ncmp("A", "a"), -1);
    assert_int_equal(ncmp("a", "ab"), -1);
    assert_int_equal(ncmp("", "a"), -1);
    assert_int_equal(ncmp("", ""), 0);
    /* digit-only strings are numbers: after every other string, by value */
    assert_int_equal(ncmp("zzz", "0"), -1);
    assert_int_equal(ncmp("9", "10"), -1);
    assert_int_equal(ncmp("100", "99"), 1);
    assert_int_equal(ncmp("12345678901234567890", "9"), 1);
}

/* ===== val_sort_cmp (L3) ===== */

static void test_val_sort_numbers_numerically(void **state)
{
    (void)state;
    assert_int_equal(scmp(val_num(10), val_num(9)), 1);
    assert_int_equal(scmp(val_num(-1.5), val_num(-1)), -1);
    assert_int_equal(scmp(val_num(0.5), val_num(0.25)), 1);
    assert_int_equal(scmp(val_num(3), val_num(3)), 0);
    assert_int_equal(scmp(S("10"), val_num(9)), 1);
    assert_int_equal(scmp(val_num(9), S("10")), -1);
    assert_int_equal(scmp(val_ts(5), val_ts(7)), -1);
}

static void test_val_sort_non_numbers_before_numbers(void **state)
{
    (void)state;
    assert_int_equal(scmp(S("abc"), val_num(5)), -1);
    assert_int_equal(scmp(val_num(-100), S("abc")), 1);
    assert_int_equal(scmp(S("1.5"), val_num(1)), 1); /* "1.5" reads as a number (L3) */
    assert_int_equal(scmp(S("102.33"), S("15")), 1);
    assert_int_equal(scmp(S("-2"), S("abc")), 1);
    assert_int_equal(scmp(S("1e3"), S("999")), 1);
    assert_int_equal(scmp(S("zz"), S("0")), -1);
}

static void test_val_sort_nulls_last(void **state)
{
    (void)state;
    assert_int_equal(scmp(val_null(), val_num(1)), 1);
    assert_int_equal(scmp(val_num(1), val_null()), -1);
    assert_int_equal(scmp(val_null(), S("")), 1);
    assert_int_equal(scmp(S("zzz"), val_null()), -1);
    assert_int_equal(scmp(val_null(), val_null()), 0);
}

static void test_val_sort_is_a_total_order(void **state)
{
    (void)state;
    /* antisymmetry and transitivity over a mixed set */
    Datum v[] = {val_null(), val_num(-2),   val_num(0),    val_num(2.5),  S("10"),
                 S("9"),     S("abc"),      S("Abc"),      S("a10"),      S("a9"),
                 S(""),      val_bool(1),   val_bool(0),   val_ts(0),     NT(3, "3.0"),
                 S("007"),   S("7"),        S("-1"),
                 /* numbers past double precision: exact by their digits */
                 S("12345678901234567891"), S("12345678901234567892"), val_num(12345678901234567891.0),
                 S("1.2345678901234567891e19"), S("1e400"), S("0.30000000000000004"),
                 val_num(0.1 + 0.2), S("0.300000000000000044")};
    int n = (int)(sizeof(v) / sizeof(v[0]));
    for (int i = 0; i < n; i++) {
        assert_int_equal(scmp(v[i], v[i]), 0);
        for (int j = 0; j < n; j++) {
            assert_int_equal(scmp(v[i], v[j]), -scmp(v[j], v[i]));
            for (int k = 0; k < n; k++)
                if (scmp(v[i], v[j]) <= 0 && scmp(v[j], v[k]) <= 0)
                    assert_true(scmp(v[i], v[k]) <= 0);
        }
    }
}

/* ===== val_equal_key and val_hash ===== */

static void test_val_equal_key(void **state)
{
    (void)state;
    Datum a = val_num(200), b = NT(200, "200.0"), s1 = S("200");
    assert_true(val_equal_key(&a, &b)); /* numbers by value */
    assert_true(val_equal_key(&a, &s1)); /* "200" = 200 (L5): one key */
    Datum s2 = S("2e2"), s3 = S("200.0"), s4 = S("abc"), s5 = S("201");
    assert_true(val_equal_key(&s1, &s2));
    assert_true(val_equal_key(&s3, &a));
    assert_false(val_equal_key(&s4, &a));
    assert_false(val_equal_key(&s5, &s1));
    Datum l1 = S("12345678901234567891"), l2 = S("12345678901234567892");
    assert_false(val_equal_key(&l1, &l2));
    char buf1[] = "abc", buf2[] = "abc";
    Datum x = val_str(buf1, 3), y = val_str(buf2, 3), z = S("abd"), e1 = S(""), e2 = val_str(NULL, 0);
    assert_true(val_equal_key(&x, &y));
    assert_false(val_equal_key(&x, &z));
    assert_true(val_equal_key(&e1, &e2));
    Datum n1 = val_null(), n2 = val_null();
    assert_true(val_equal_key(&n1, &n2));
    Datum neg0 = val_num(-0.0), pos0 = val_num(0.0);
    assert_true(val_equal_key(&neg0, &pos0));
    Datum t1 = val_ts(5), t2 = val_ts(5), t3 = val_ts(6);
    assert_true(val_equal_key(&t1, &t2));
    assert_false(val_equal_key(&t1, &t3));
    Datum bt = val_bool(1), bn = val_num(1);
    assert_false(val_equal_key(&bt, &bn));
}

static void test_val_hash_agrees_with_equal_key(void **state)
{
    (void)state;
    char buf1[] = "hello", buf2[] = "hello";
    Datum x = val_str(buf1, 5), y = val_str(buf2, 5);
    assert_true(val_hash(&x) == val_hash(&y));
    Datum a = val_num(200), b = NT(200, "200.0");
    assert_true(val_hash(&a) == val_hash(&b));
    Datum neg0 = val_num(-0.0), pos0 = val_num(0.0);
    assert_true(val_hash(&neg0) == val_hash(&pos0));
    Datum n1 = val_null(), n2 = val_null();
    assert_true(val_hash(&n1) == val_hash(&n2));
    /* different keys: different hashes for these values */
    Datum s200 = S("200"), sa = S("a"), sb = S("b"), ab = S("ab"), ba = S("ba");
    assert_true(val_hash(&a) == val_hash(&s200)); /* one key (L5) */
    Datum s2e2 = S("2e2"), sabc = S("abc");
    assert_true(val_hash(&a) == val_hash(&s2e2));
    assert_true(val_hash(&a) != val_hash(&sabc));
    assert_true(val_hash(&sa) != val_hash(&sb));
    assert_true(val_hash(&ab) != val_hash(&ba));
    Datum one = val_num(1), two = val_num(2);
    assert_true(val_hash(&one) != val_hash(&two));
    /* low bits spread: 1000 consecutive integers land in many of 64 buckets */
    int used[64] = {0}, nused = 0;
    for (int i = 0; i < 1000; i++) {
        Datum d = val_num(i);
        int k = (int)(val_hash(&d) & 63);
        if (!used[k]++)
            nused++;
    }
    assert_int_equal(nused, 64);
}

/* ===== val_key_form ===== */

static const char *key_text(Datum d, LiqBuf *b)
{
    char kb[64];
    Datum k = val_key_form(&d, kb, sizeof(kb));
    b->len = 0;
    val_format(b, &k);
    buf_addc(b, 0);
    return b->p;
}

static void test_val_key_form(void **state)
{
    (void)state;
    LiqBuf b = {0};
    assert_string_equal(key_text(S("200"), &b), "200");
    assert_string_equal(key_text(S("2e2"), &b), "200");
    assert_string_equal(key_text(NT(200, "200.0"), &b), "200");
    assert_string_equal(key_text(S("0.50"), &b), "0.5");
    assert_string_equal(key_text(S("-007"), &b), "-7");
    assert_string_equal(key_text(S("abc"), &b), "abc");
    assert_string_equal(key_text(S("012345678901234567891.500"), &b), "12345678901234567891.5");
    assert_string_equal(key_text(S("1.2345678901234567891e19"), &b), "12345678901234567891");
    assert_string_equal(key_text(S("0.000000000000000000012345"), &b), "0.000000000000000000012345");
    assert_string_equal(key_text(S("1e400"), &b), "1e400"); /* too long written out */
    assert_string_equal(key_text(val_bool(1), &b), "true");
    buf_free(&b);
}

/* ===== val_truthy ===== */

static void test_val_truthy(void **state)
{
    (void)state;
    Datum t[] = {val_bool(1), val_num(2), val_num(-0.5), S("true"), S("1"), S("2.5"), val_ts(0)};
    Datum f[] = {val_bool(0), val_num(0), S("false"), S("0"), S("0.0"), S("abc"), S(""),
                 S("TRUE"), val_null()};
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        print_message("true #%zu\n", i);
        assert_true(val_truthy(&t[i]));
    }
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        print_message("false #%zu\n", i);
        assert_false(val_truthy(&f[i]));
    }
}

/* ===== num_format (L11) ===== */

static void test_val_num_format_integers(void **state)
{
    (void)state;
    assert_string_equal(fmt_num(0), "0");
    assert_string_equal(fmt_num(-0.0), "0");
    assert_string_equal(fmt_num(42), "42");
    assert_string_equal(fmt_num(-7), "-7");
    assert_string_equal(fmt_num(1e15), "1000000000000000");
    assert_string_equal(fmt_num(9007199254740992.0), "9007199254740992");
    assert_string_equal(fmt_num(128000000), "128000000"); /* never 1.28E8 */
}

static void test_val_num_format_decimals(void **state)
{
    (void)state;
    assert_string_equal(fmt_num(0.1), "0.1");
    assert_string_equal(fmt_num(45.25), "45.25");
    assert_string_equal(fmt_num(-0.000001), "-0.000001");
    assert_string_equal(fmt_num(0.1 + 0.2), "0.30000000000000004");
    assert_string_equal(fmt_num(2.0 / 3), "0.6666666666666666");
    assert_string_equal(fmt_num(123456789.125), "123456789.125");
    assert_string_equal(fmt_num(-2.5), "-2.5");
    assert_string_equal(fmt_num(1e-7), "0.0000001");
}

static void test_val_num_format_large_without_exponent(void **state)
{
    (void)state;
    assert_string_equal(fmt_num(1e21), "1000000000000000000000");
    assert_string_equal(fmt_num(-1e21), "-1000000000000000000000");
    assert_string_equal(fmt_num(1.5e22), "15000000000000000000000");
    assert_string_equal(fmt_num(1e16), "10000000000000000");
}

static void test_val_num_format_round_trips(void **state)
{
    (void)state;
    double vals[] = {0.1, 1.0 / 3, 3.141592653589793, 1e-300, 6.02214076e23, 2.2250738585072014e-308,
                     1.7976931348623157e308, 123.456, -987654.321};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        const char *s = fmt_num(vals[i]);
        assert_null(strchr(s, 'e'));
        assert_null(strchr(s, 'E'));
        assert_true(strtod(s, NULL) == vals[i]);
    }
}

static void test_val_num_format_special(void **state)
{
    (void)state;
    assert_string_equal(fmt_num(NAN), "NaN");
    assert_string_equal(fmt_num(INFINITY), "Infinity");
    assert_string_equal(fmt_num(-INFINITY), "-Infinity");
}

/* ===== val_format and ts_format (L11, L12) ===== */

static void test_val_format(void **state)
{
    (void)state;
    assert_string_equal(fmt_val(val_null()), "");
    assert_string_equal(fmt_val(val_bool(1)), "true");
    assert_string_equal(fmt_val(val_bool(0)), "false");
    assert_string_equal(fmt_val(S("x y")), "x y");
    assert_string_equal(fmt_val(val_num(0.5)), "0.5");
    /* a number from input keeps its text (L11) */
    assert_string_equal(fmt_val(NT(200, "200.0")), "200.0");
    assert_string_equal(fmt_val(NT(1e3, "1e3")), "1e3");
    assert_string_equal(fmt_val(val_ts(0)), "1970-01-01 00:00:00.000");
}

static void test_val_ts_format(void **state)
{
    (void)state;
    assert_string_equal(fmt_ts(0), "1970-01-01 00:00:00.000");
    assert_string_equal(fmt_ts(-1), "1969-12-31 23:59:59.999");
    assert_string_equal(fmt_ts(1700000000123LL), "2023-11-14 22:13:20.123");
    assert_string_equal(fmt_ts(951782400000LL), "2000-02-29 00:00:00.000");
    assert_string_equal(fmt_ts(1795428000500LL), "2026-11-23 10:00:00.500");
    assert_string_equal(fmt_ts(-86400000LL), "1969-12-31 00:00:00.000");
    assert_string_equal(fmt_ts(253402300799999LL), "9999-12-31 23:59:59.999");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_val_num_parse_accepts),
        T(test_val_num_parse_rejects),
        T(test_val_num_parse_respects_len),
        T(test_val_num_parse_any_length),
        T(test_val_as_number),
        T(test_val_compare_numbers_and_numeric_strings),
        T(test_val_compare_strings_by_code_point),
        T(test_val_compare_number_against_text),
        T(test_val_compare_exact_decimals),
        T(test_val_compare_booleans),
        T(test_val_compare_null_is_unknown),
        T(test_val_natural_doc_example_pairwise),
        T(test_val_natural_doc_example_sorts_exactly),
        T(test_val_natural_digit_runs_by_value),
        T(test_val_sort_numbers_numerically),
        T(test_val_sort_non_numbers_before_numbers),
        T(test_val_sort_nulls_last),
        T(test_val_sort_is_a_total_order),
        T(test_val_equal_key),
        T(test_val_hash_agrees_with_equal_key),
        T(test_val_key_form),
        T(test_val_truthy),
        T(test_val_num_format_integers),
        T(test_val_num_format_decimals),
        T(test_val_num_format_large_without_exponent),
        T(test_val_num_format_round_trips),
        T(test_val_num_format_special),
        T(test_val_format),
        T(test_val_ts_format),
    };
#undef T
    apr_initialize();
    int failed = cmocka_run_group_tests_name("val", tests, NULL, NULL);
    apr_terminate();
    return failed ? 1 : 0;
}
