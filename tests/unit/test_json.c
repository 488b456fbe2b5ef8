/* test_json.c -- unit tests of engine/data/json_walk.h and its readers: json_extract,
 * json_each, json_skip and the jdom tree
 *
 * json_extract is the decoder of JSON-object records: it validates a whole line while finding
 * every wanted flattened field (Part 2 §7.2): nested objects join with '.', arrays use the index
 * as a path segment, a top-level '@key' is exposed as '@@key', null and empty containers are
 * absent, the last duplicate key wins, no field is discovered past JSON_MAX_FIELDS leaves, and
 * a line that is not exactly one valid JSON object yields no fields at all. json_unescape
 * decodes string escapes, surrogate pairs included. Values are checked by type and bytes.
 * json_walk's events are checked in document order (depths, element indexes, the deep
 * container as one leaf), and the jdom tree it builds with its spans; the readers agree.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "engine/data/jdom.h"
#include "engine/data/json.h"
#include "engine/data/json_walk.h"

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

enum { MAXW = 16 };

/* Extraction results: the return value and one datum per wanted name. */
typedef struct {
    int rc;
    Datum v[MAXW];
} Got;

/* Extracts the NULL-terminated list of names from the len bytes of line (which may hold NUL). */
static Got extract_n(void **state, const char *line, size_t len, const char *const *names)
{
    Got g;
    const char *nm[MAXW];
    uint32_t lens[MAXW];
    int n = 0;
    while (names[n]) {
        nm[n] = names[n];
        lens[n] = (uint32_t)strlen(names[n]);
        n++;
    }
    JsonWant w = {n, nm, lens};
    for (int k = 0; k < MAXW; k++)
        g.v[k] = val_num(-999); /* must be overwritten */
    g.rc = json_extract(line, len, &w, g.v, *state);
    return g;
}

/* Extracts the NULL-terminated list of names from line. */
static Got extract(void **state, const char *line, const char *const *names)
{
    return extract_n(state, line, strlen(line), names);
}

/* One wanted name. */
static Got extract1(void **state, const char *line, const char *name)
{
    const char *names[] = {name, NULL};
    return extract(state, line, names);
}

static void assert_str(Datum d, const char *want)
{
    assert_int_equal(d.type, VT_STR);
    assert_int_equal(d.len, strlen(want));
    assert_memory_equal(d.s, want, d.len);
}

/* A JSON number: its value and its text as written. */
static void assert_num(Datum d, double v, const char *text)
{
    assert_int_equal(d.type, VT_NUM);
    assert_true(d.v.f == v);
    assert_int_equal(d.len, strlen(text));
    assert_memory_equal(d.s, text, d.len);
}

static void assert_bool(Datum d, int b)
{
    assert_int_equal(d.type, VT_BOOL);
    assert_int_equal(d.v.i, b);
}

static void assert_absent(Datum d)
{
    assert_int_equal(d.type, VT_NULL);
}

/* ===== Flattening ===== */

static void test_json_top_level_scalars(void **state)
{
    const char *names[] = {"s", "n", "t", "f", "z", "missing", NULL};
    Got g = extract(state, "{\"s\":\"hi\",\"n\":42,\"t\":true,\"f\":false,\"z\":null}", names);
    assert_int_equal(g.rc, 1);
    assert_str(g.v[0], "hi");
    assert_num(g.v[1], 42, "42");
    assert_bool(g.v[2], 1);
    assert_bool(g.v[3], 0);
    assert_absent(g.v[4]);
    assert_absent(g.v[5]);
}

static void test_json_nested_objects_flatten_with_dots(void **state)
{
    const char *names[] = {"a.b.c", "a.b", "a", "a.x", "userIdentity.accountId", NULL};
    Got g = extract(state,
                    "{\"a\":{\"b\":{\"c\":\"deep\"},\"x\":1},"
                    "\"userIdentity\":{\"type\":\"IAMUser\",\"accountId\":\"123456789012\"}}",
                    names);
    assert_int_equal(g.rc, 1);
    assert_str(g.v[0], "deep");
    assert_absent(g.v[1]); /* containers are not fields */
    assert_absent(g.v[2]);
    assert_num(g.v[3], 1, "1");
    assert_str(g.v[4], "123456789012");
}

static void test_json_arrays_flatten_with_indexes(void **state)
{
    const char *names[] = {"arr.0", "arr.1.x", "arr.2.0", "arr.3", "items.10.id", NULL};
    Got g = extract(state,
                    "{\"arr\":[10,{\"x\":true},[\"in\"]],"
                    "\"items\":[{},{},{},{},{},{},{},{},{},{},{\"id\":\"eleventh\"}]}",
                    names);
    assert_int_equal(g.rc, 1);
    assert_num(g.v[0], 10, "10");
    assert_bool(g.v[1], 1);
    assert_str(g.v[2], "in");
    assert_absent(g.v[3]);
    assert_str(g.v[4], "eleventh");
}

/* JSON null is absent; an empty object or array is a field, the string "{}" or "[]" (white
 * space inside dropped), at any level (JSONTestSuite's y_object_simple is {"a":[]}); nothing
 * lies under it */
static void test_json_empty_containers_are_fields_null_is_absent(void **state)
{
    const char *names[] = {"e", "a", "n", "e.x", "s", "d.0", "d.1.f", NULL};
    Got g = extract(state, "{\"e\":{},\"a\":[],\"n\":null,\"s\":[ \n],\"d\":[{ },{\"f\":[]}]}",
                    names);
    assert_int_equal(g.rc, 1);
    assert_str(g.v[0], "{}");
    assert_str(g.v[1], "[]");
    assert_absent(g.v[2]);
    assert_absent(g.v[3]);
    assert_str(g.v[4], "[]");
    assert_str(g.v[5], "{}");
    assert_str(g.v[6], "[]");
    /* the record's own {} is no field */
    const char *none[] = {"", NULL};
    Got top = extract(state, "{}", none);
    assert_int_equal(top.rc, 1);
    assert_absent(top.v[0]);
}

static void test_json_at_keys_get_an_extra_at(void **state)
{
    const char *names[] = {"@@t", "@t", "x.@y", "x.@@y", "@@example.com", NULL};
    Got g = extract(state, "{\"@t\":\"z\",\"x\":{\"@y\":2},\"@example.com\":\"e\"}", names);
    assert_int_equal(g.rc, 1);
    assert_str(g.v[0], "z");
    assert_absent(g.v[1]); /* '@t' would shadow a system field */
    assert_num(g.v[2], 2, "2"); /* only top-level keys are renamed */
    assert_absent(g.v[3]);
    assert_str(g.v[4], "e");
}

static void test_json_at_object_key_prefixes_its_leaves(void **state)
{
    Got g = extract1(state, "{\"@meta\":{\"id\":7}}", "@@meta.id");
    assert_int_equal(g.rc, 1);
    assert_num(g.v[0], 7, "7");
}

static void test_json_numbers_keep_their_text(void **state)
{
    const char *names[] = {"a", "b", "c", "d", "e", NULL};
    Got g = extract(state,
                    "{\"a\":-0.5e+2,\"b\":200.0,\"c\":0,\"d\":-0,\"e\":12345678901234567890}",
                    names);
    assert_int_equal(g.rc, 1);
    assert_num(g.v[0], -50, "-0.5e+2");
    assert_num(g.v[1], 200, "200.0");
    assert_num(g.v[2], 0, "0");
    assert_num(g.v[3], 0, "-0");
    assert_num(g.v[4], 12345678901234567890.0, "12345678901234567890");
}

static void test_json_plain_strings_borrow_the_line(void **state)
{
    const char *line = "{\"msg\":\"hello world\"}";
    Got g = extract1(state, line, "msg");
    assert_str(g.v[0], "hello world");
    assert_ptr_equal(g.v[0].s, line + 8);
}

static void test_json_white_space_everywhere(void **state)
{
    const char *names[] = {"a", "b.0", NULL};
    Got g = extract(state, " \t{ \"a\" : 1 ,\r\n \"b\" : [ \"x\" ] } \n", names);
    assert_int_equal(g.rc, 1);
    assert_num(g.v[0], 1, "1");
    assert_str(g.v[1], "x");
}

static void test_json_keys_with_dots_and_unicode(void **state)
{
    const char *names[] = {"a.b", "\xc3\xa9t\xc3\xa9", "sp ace", NULL};
    Got g = extract(state, "{\"a.b\":1,\"\xc3\xa9t\xc3\xa9\":\"summer\",\"sp ace\":2}", names);
    assert_int_equal(g.rc, 1);
    assert_num(g.v[0], 1, "1");
    assert_str(g.v[1], "summer");
    assert_num(g.v[2], 2, "2");
}

static void test_json_no_wanted_names(void **state)
{
    const char *names[] = {NULL};
    assert_int_equal(extract(state, "{\"a\":1}", names).rc, 1);
    assert_int_equal(extract(state, "{\"a\":}", names).rc, 0); /* still validated */
}

static void test_json_empty_object(void **state)
{
    Got g = extract1(state, "{}", "a");
    assert_int_equal(g.rc, 1);
    assert_absent(g.v[0]);
}

/* ===== Duplicates ===== */

static void test_json_last_duplicate_key_wins(void **state)
{
    Got g = extract1(state, "{\"a\":1,\"b\":0,\"a\":2}", "a");
    assert_int_equal(g.rc, 1);
    assert_num(g.v[0], 2, "2");
    g = extract1(state, "{\"a\":{\"b\":1},\"a\":{\"b\":\"two\"}}", "a.b");
    assert_str(g.v[0], "two");
    g = extract1(state, "{\"a\":\"x\",\"a\":null}", "a");
    assert_absent(g.v[0]);
    g = extract1(state, "{\"k\":\"first\",\"k\":\"last\"}", "k");
    assert_str(g.v[0], "last");
}

/* ===== Escapes ===== */

static void test_json_escapes_in_values(void **state)
{
    Got g = extract1(state, "{\"a\":\"q\\\"b\\\\s\\/n\\nt\\tr\\rb\\bf\\f\"}", "a");
    assert_int_equal(g.rc, 1);
    assert_str(g.v[0], "q\"b\\s/n\nt\tr\rb\bf\f");
    g = extract1(state, "{\"a\":\"caf\\u00e9 \\u65e5 \\u0041\"}", "a");
    assert_str(g.v[0], "caf\xc3\xa9 \xe6\x97\xa5 A");
}

static void test_json_surrogate_pairs(void **state)
{
    Got g = extract1(state, "{\"a\":\"\\ud83d\\ude00!\"}", "a");
    assert_int_equal(g.rc, 1);
    assert_str(g.v[0], "\xf0\x9f\x98\x80!");
    g = extract1(state, "{\"a\":\"\\uD834\\uDD1E\"}", "a"); /* upper-case hex */
    assert_str(g.v[0], "\xf0\x9d\x84\x9e");
    /* lone surrogates become U+FFFD */
    g = extract1(state, "{\"a\":\"\\ud83d\"}", "a");
    assert_str(g.v[0], "\xef\xbf\xbd");
    g = extract1(state, "{\"a\":\"\\ude00x\"}", "a");
    assert_str(g.v[0], "\xef\xbf\xbdx");
    g = extract1(state, "{\"a\":\"\\ud83dx\"}", "a");
    assert_str(g.v[0], "\xef\xbf\xbdx");
}

static void test_json_escapes_in_keys(void **state)
{
    const char *names[] = {"a\"b", "ab", NULL};
    Got g = extract(state, "{\"a\\\"b\":1,\"a\\u0062\":2}", names);
    assert_int_equal(g.rc, 1);
    assert_num(g.v[0], 1, "1");
    assert_num(g.v[1], 2, "2");
    /* an escaped first byte of a top-level key: its decoded byte decides (the top-level keys
     * are first sorted out by their first byte) */
    const char *first[] = {"ab", "@@t", "\\x", "c", NULL};
    g = extract(state, "{\"\\u0061b\":1,\"\\u0040t\":2,\"\\\\x\":3,\"\\u0062\":4,\"\\u0063\":5}",
                first);
    assert_int_equal(g.rc, 1);
    assert_num(g.v[0], 1, "1");
    assert_num(g.v[1], 2, "2");
    assert_num(g.v[2], 3, "3");
    assert_num(g.v[3], 5, "5");
}

static void test_json_unescape(void **state)
{
    apr_pool_t *pool = *state;
    size_t n = 99;
    char *s = json_unescape("a\\tb", 4, &n, pool);
    assert_non_null(s);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "a\tb", 3);
    s = json_unescape("\\u0000x", 7, &n, pool); /* NUL is a byte like any other */
    assert_non_null(s);
    assert_int_equal(n, 2);
    assert_memory_equal(s, "\0x", 2);
    s = json_unescape("\\ud83d\\ude00", 12, &n, pool);
    assert_non_null(s);
    assert_int_equal(n, 4);
    assert_memory_equal(s, "\xf0\x9f\x98\x80", 4);
    s = json_unescape("", 0, &n, pool);
    assert_non_null(s);
    assert_int_equal(n, 0);
    /* invalid escapes */
    assert_null(json_unescape("\\q", 2, &n, pool));
    assert_null(json_unescape("ab\\", 3, &n, pool));
    assert_null(json_unescape("\\u12", 4, &n, pool));
    assert_null(json_unescape("\\u12G4", 6, &n, pool));
    assert_null(json_unescape("\\x41", 4, &n, pool));
}

/* ===== Invalid JSON: no fields at all ===== */

static void test_json_invalid_lines_yield_nothing(void **state)
{
    static const char *bad[] = {
        "",
        "   ",
        "plain text line",
        "[1,2]",
        "\"string\"",
        "42",
        "{",
        "{\"a\":1",
        "{\"a\":1,}",
        "{,\"a\":1}",
        "{\"a\" 1}",
        "{\"a\":}",
        "{'a':1}",
        "{a:1}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":.5}",
        "{\"a\":-}",
        "{\"a\":+1}",
        "{\"a\":1e}",
        "{\"a\":tru}",
        "{\"a\":nul}",
        "{\"a\":True}",
        "{\"a\":nan}",
        "{\"a\":-NaN}",
        "{\"a\":+Infinity}",
        "{\"a\":infinity}",
        "{\"a\":Infinit}",
        "{\"a\":NaNa}",
        "{\"a\":-Inf}",
        "{\"a\":\"unterminated}",
        "{\"a\":\"bad \\q escape\"}",
        "{\"a\":[1,]}",
        "{\"a\":[1 2]}",
        "{\"a\":1}}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        print_message("'%s'\n", bad[i]);
        Got g = extract1(state, bad[i], "a");
        assert_int_equal(g.rc, 0);
        assert_absent(g.v[0]);
    }
}

static void test_json_error_after_a_found_field_clears_it(void **state)
{
    /* 'a' is seen before the syntax error: it must not survive */
    const char *names[] = {"a", "b", NULL};
    Got g = extract(state, "{\"a\":1,\"b\":\"x\",\"c\":[1,}", names);
    assert_int_equal(g.rc, 0);
    assert_absent(g.v[0]);
    assert_absent(g.v[1]);
    /* an invalid escape in a value nobody asked for still makes the line invalid */
    g = extract(state, "{\"a\":1,\"other\":\"\\q\"}", names);
    assert_int_equal(g.rc, 0);
    assert_absent(g.v[0]);
}

static void test_json_trailing_garbage(void **state)
{
    Got g = extract1(state, "{\"a\":1} x", "a");
    assert_int_equal(g.rc, 0);
    assert_absent(g.v[0]);
    g = extract1(state, "{\"a\":1}{\"a\":2}", "a");
    assert_int_equal(g.rc, 0);
    assert_absent(g.v[0]);
    g = extract1(state, "{\"a\":1}  \t\r\n", "a"); /* white space is fine */
    assert_int_equal(g.rc, 1);
    assert_num(g.v[0], 1, "1");
}

/* ===== Records that are not strict JSON, read where the meaning is clear (issue 11) ===== */

/* Raw control characters (TAB, NUL, ...) inside strings are the characters themselves, as jq
 * reads them: in values and in keys. */
static void test_json_raw_control_characters_in_strings(void **state)
{
    static const char line[] = "{\"a\":\"x\ty\",\"b\":\"n\0l\",\"k\x01\":\"\x1f\",\"c\":\"\\u0041\x02\"}";
    const char *names[] = {"a", "b", "k\x01", "c", NULL};
    Got g = extract_n(state, line, sizeof(line) - 1, names);
    assert_int_equal(g.rc, 1);
    assert_str(g.v[0], "x\ty");
    assert_int_equal(g.v[1].type, VT_STR);
    assert_int_equal(g.v[1].len, 3);
    assert_memory_equal(g.v[1].s, "n\0l", 3);
    assert_str(g.v[2], "\x1f");
    assert_str(g.v[3], "A\x02");
    /* a raw newline or CR inside a string (a multi-line record of an export) likewise */
    g = extract1(state, "{\"a\":\"one\ntwo\r\"}", "a");
    assert_int_equal(g.rc, 1);
    assert_str(g.v[0], "one\ntwo\r");
    /* the line still has to be JSON: a control character outside a string is not */
    g = extract1(state, "{\"a\":1,\x01\"b\":2}", "a");
    assert_int_equal(g.rc, 0);
}

/* NaN, Infinity and -Infinity (Python's json.dumps writes them) are values: liq's value model
 * has no non-finite numbers (arithmetic gives null, aggregates skip them), so they are read as
 * the strings "NaN", "Infinity", "-Infinity". Other spellings stay invalid. */
static void test_json_nan_and_infinity_are_strings(void **state)
{
    const char *names[] = {"a", "b", "c", "d.0", "d.1", "e", NULL};
    Got g = extract(state, "{\"a\":NaN,\"b\":Infinity,\"c\":-Infinity,\"d\":[NaN,Infinity],"
                           "\"e\": -Infinity }",
                    names);
    assert_int_equal(g.rc, 1);
    assert_str(g.v[0], "NaN");
    assert_str(g.v[1], "Infinity");
    assert_str(g.v[2], "-Infinity");
    assert_str(g.v[3], "NaN");
    assert_str(g.v[4], "Infinity");
    assert_str(g.v[5], "-Infinity");
}

/* A UTF-8 byte order mark before the object (Windows tools write one at the start of a file). */
static void test_json_byte_order_mark(void **state)
{
    Got g = extract1(state, "\xef\xbb\xbf{\"a\":1}", "a");
    assert_int_equal(g.rc, 1);
    assert_num(g.v[0], 1, "1");
    assert_int_equal(extract1(state, "\xef\xbb{\"a\":1}", "a").rc, 0);
    assert_int_equal(extract1(state, " \xef\xbb\xbf{\"a\":1}", "a").rc, 0);
}

/* ===== The empty key: names are the path's segments joined by dots ===== */

/* {"":{"a":0}} has one field, ".a" (found by fuzz_json: "a" was found when "." or "" was
 * asked too, so a field's value depended on the other names of the query). */
static void test_json_empty_key_segments_join_with_dots(void **state)
{
    const char *line = "{\"\":{\"a\":0}}";
    Got g = extract1(state, line, ".a");
    assert_int_equal(g.rc, 1);
    assert_num(g.v[0], 0, "0");
    assert_absent(extract1(state, line, "a").v[0]);
    const char *names[] = {"a", ".", "", ".a", NULL};
    g = extract(state, line, names);
    assert_absent(g.v[0]);
    assert_absent(g.v[1]);
    assert_absent(g.v[2]);
    assert_num(g.v[3], 0, "0");
    const char *dotted[] = {".", "a", NULL};
    g = extract(state, line, dotted);
    assert_absent(g.v[0]);
    assert_absent(g.v[1]);
    /* empty keys at every level */
    const char *more[] = {"", ".", "a.", "..b", "a..", "a.b", "b", NULL};
    g = extract(state, "{\"a\":{\"\":1,\"b\":5},\"\":{\"\":2,\"\":{\"b\":3}},\"\":4,\"b\":6}", more);
    assert_int_equal(g.rc, 1);
    assert_num(g.v[0], 4, "4");
    assert_num(g.v[1], 2, "2");
    assert_num(g.v[2], 1, "1");
    assert_num(g.v[3], 3, "3");
    assert_absent(g.v[4]);
    assert_num(g.v[5], 5, "5");
    assert_num(g.v[6], 6, "6");
    for (int k = 0; more[k]; k++) { /* each alone gives what all at once gave */
        Got one = extract1(state, "{\"a\":{\"\":1,\"b\":5},\"\":{\"\":2,\"\":{\"b\":3}},\"\":4,\"b\":6}",
                           more[k]);
        assert_int_equal(one.v[0].type, g.v[k].type);
        assert_true(one.v[0].type == VT_NULL || one.v[0].v.f == g.v[k].v.f);
    }
    /* '@' is added to top-level keys only, not to the key under an empty one */
    g = extract1(state, "{\"\":{\"@x\":1}}", ".@x");
    assert_num(g.v[0], 1, "1");
}

/* ===== Limits: 200 fields, nesting depth ===== */

/* {"f0":0,"f1":1,...} with n fields */
static char *many_fields(apr_pool_t *pool, const char *prefix, int n)
{
    char *s = apr_pstrdup(pool, "{");
    for (int i = 0; i < n; i++)
        s = apr_psprintf(pool, "%s%s\"%s%d\":%d", s, i ? "," : "", prefix, i, i);
    return s;
}

static void test_json_field_cap(void **state)
{
    apr_pool_t *pool = *state;
    char *line = apr_pstrcat(pool, many_fields(pool, "f", 201), "}", NULL);
    const char *names[] = {"f0", "f199", "f200", NULL};
    Got g = extract(state, line, names);
    assert_int_equal(g.rc, 1); /* the line is still a JSON object */
    assert_num(g.v[0], 0, "0");
    assert_num(g.v[1], 199, "199");
    assert_absent(g.v[2]); /* the 201st leaf is not discovered */
    /* exactly 200 leaves: all found */
    line = apr_pstrcat(pool, many_fields(pool, "f", 200), "}", NULL);
    g = extract1(state, line, "f199");
    assert_num(g.v[0], 199, "199");
}

static void test_json_field_cap_counts_nested_leaves(void **state)
{
    apr_pool_t *pool = *state;
    /* 150 leaves under "o", then 60 top-level ones: the cap falls at t49 */
    char *inner = many_fields(pool, "k", 150);
    char *line = apr_pstrcat(pool, "{\"o\":", inner, "},", many_fields(pool, "t", 60) + 1, "}",
                             NULL);
    const char *names[] = {"o.k0", "o.k149", "t49", "t50", NULL};
    Got g = extract(state, line, names);
    assert_int_equal(g.rc, 1);
    assert_num(g.v[0], 0, "0");
    assert_num(g.v[1], 149, "149");
    assert_num(g.v[2], 49, "49");
    assert_absent(g.v[3]);
}

static void test_json_field_cap_independent_of_query(void **state)
{
    apr_pool_t *pool = *state;
    /* 200 leaves under "o", then "last": "last" is leaf 201 whatever the query asks */
    char *line = apr_pstrcat(pool, "{\"o\":", many_fields(pool, "k", 200), "},\"last\":7}", NULL);
    Got alone = extract1(state, line, "last");
    const char *names[] = {"last", "o.k0", NULL};
    Got with_o = extract(state, line, names);
    assert_int_equal(alone.rc, 1);
    assert_int_equal(with_o.rc, 1);
    assert_absent(with_o.v[0]);
    /* leaves of subtrees nobody asked for count too (fixed in 6068f20) */
    assert_absent(alone.v[0]);
}

/* n nested arrays around 1, as the value of "a", followed by "z":1 */
static char *nested(apr_pool_t *pool, int n)
{
    char *open = apr_palloc(pool, (size_t)n + 1), *close = apr_palloc(pool, (size_t)n + 1);
    memset(open, '[', (size_t)n);
    memset(close, ']', (size_t)n);
    open[n] = close[n] = 0;
    return apr_pstrcat(pool, "{\"a\":", open, "1", close, ",\"z\":1}", NULL);
}

static void test_json_deep_nesting(void **state)
{
    apr_pool_t *pool = *state;
    /* the object is level 1: 255 arrays reach JSON_MAX_DEPTH */
    Got g = extract1(state, nested(pool, JSON_MAX_DEPTH - 1), "z");
    assert_int_equal(g.rc, 1);
    assert_num(g.v[0], 1, "1");
    /* the leaf at the bottom of the deepest allowed path is reachable */
    g = extract1(state, nested(pool, 3), "a.0.0.0");
    assert_num(g.v[0], 1, "1");
}

/* "a" followed by n ".0" segments */
static char *zeros_path(apr_pool_t *pool, int n)
{
    char *s = apr_palloc(pool, 2 * (size_t)n + 2);
    s[0] = 'a';
    for (int i = 0; i < n; i++)
        memcpy(s + 1 + 2 * i, ".0", 2);
    s[1 + 2 * n] = 0;
    return s;
}

/* Deeper than JSON_MAX_DEPTH: the record is still read; a container that would open level
 * JSON_MAX_DEPTH + 1 is one leaf holding its JSON text as written. */
static void test_json_deeper_than_the_limit_is_kept_as_text(void **state)
{
    apr_pool_t *pool = *state;
    const char *names[] = {"z", NULL, NULL};
    names[1] = zeros_path(pool, JSON_MAX_DEPTH - 1);
    Got g = extract(state, nested(pool, JSON_MAX_DEPTH), names);
    assert_int_equal(g.rc, 1);
    assert_num(g.v[0], 1, "1");
    assert_str(g.v[1], "[1]");
    /* far deeper than the stack would like: read without recursion, not a crash */
    char *line = nested(pool, 100000);
    g = extract(state, line, names);
    assert_int_equal(g.rc, 1);
    assert_num(g.v[0], 1, "1");
    assert_int_equal(g.v[1].type, VT_STR);
    assert_int_equal(g.v[1].len, 2 * (100000 - (JSON_MAX_DEPTH - 1)) + 1);
    assert_ptr_equal(g.v[1].s, line + 5 + JSON_MAX_DEPTH - 1);
    /* objects too; the text keeps escapes and white space as written */
    line = "{\"s\" : \"x\\ty\", \"a\":{\"k\":[ 1 ]}}";
    for (int i = 0; i < JSON_MAX_DEPTH; i++)
        line = apr_pstrcat(pool, "{\"a\":", line, "}", NULL);
    char *name = "a";
    for (int i = 1; i < JSON_MAX_DEPTH; i++) /* the container at level JSON_MAX_DEPTH + 1 */
        name = apr_pstrcat(pool, name, ".a", NULL);
    g = extract1(state, apr_pstrcat(pool, "{\"a\":", line, ",\"z\":1}", NULL), name);
    assert_int_equal(g.rc, 1);
    assert_str(g.v[0], "{\"a\":{\"s\" : \"x\\ty\", \"a\":{\"k\":[ 1 ]}}}");
    /* below the limit the same rules hold: broken text is still broken */
    static const char *const tails[] = {"1", "[1,]", "{\"a\"}", "'x'", "[1 2]", "nul", "\"\\q\"",
                                        "{\"a\":1,}", "01", "[1]]"};
    for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
        char *open = apr_palloc(pool, 301), *close = apr_palloc(pool, 301);
        memset(open, '[', 300);
        memset(close, ']', 300);
        open[300] = close[300] = 0;
        if (i == 0)
            close[299] = 0; /* one bracket short */
        line = apr_pstrcat(pool, "{\"a\":", open, tails[i], close, ",\"z\":1}", NULL);
        print_message("%s\n", tails[i]);
        g = extract1(state, line, "z");
        assert_int_equal(g.rc, 0);
        assert_absent(g.v[0]);
    }
    /* ... and lenient text is lenient there too */
    line = apr_pstrcat(pool, "{\"a\":[", "[NaN,\"raw\ttab\",-Infinity,{\"\":{}}]", "]}", NULL);
    for (int i = 0; i < JSON_MAX_DEPTH; i++)
        line = apr_pstrcat(pool, "{\"a\":", line, "}", NULL);
    assert_int_equal(extract1(state, line, "z").rc, 1);
}

static void test_json_deep_object_path(void **state)
{
    apr_pool_t *pool = *state;
    char *line = "1", *name = "a";
    for (int i = 0; i < 100; i++)
        line = apr_pstrcat(pool, "{\"a\":", line, "}", NULL);
    for (int i = 1; i < 100; i++)
        name = apr_pstrcat(pool, name, ".a", NULL);
    Got g = extract1(state, line, name);
    assert_int_equal(g.rc, 1);
    assert_num(g.v[0], 1, "1");
}

/* ===== json_each: every leaf, for field discovery ===== */

typedef struct Leaves {
    int n;
    char names[64][64];
    ValType types[64];
} Leaves;

static void collect(void *ctx, const char *name, size_t len, const Datum *v)
{
    Leaves *l = ctx;
    if (l->n < 64 && len < 64) {
        memcpy(l->names[l->n], name, len);
        l->names[l->n][len] = 0;
        l->types[l->n++] = v->type;
    }
}

static void test_json_each_names_every_leaf(void **state)
{
    Leaves l = {0};
    const char *line = "{\"a\":1,\"b\":{\"c\":\"x\",\"d\":[true,null,{\"e\":2.5}]},"
                       "\"@t\":\"z\",\"n\":null,\"o\":{},\"k\\u0041\":[]}";
    assert_int_equal(json_each(line, strlen(line), collect, &l, *state), 1);
    static const char *const want[] = {"a", "b.c", "b.d.0", "b.d.2.e", "@@t", "o", "kA"};
    static const ValType types[] = {VT_NUM, VT_STR, VT_BOOL, VT_NUM, VT_STR, VT_STR, VT_STR};
    assert_int_equal(l.n, 7);
    for (int i = 0; i < 7; i++) {
        assert_string_equal(l.names[i], want[i]);
        assert_int_equal(l.types[i], types[i]);
    }
}

/* json_each names empty keys as json_extract finds them: segments joined by dots */
static void test_json_each_empty_keys(void **state)
{
    Leaves l = {0};
    const char *line = "{\"\":{\"a\":0},\"a\":{\"\":1},\"\":{\"\":2},\"\":3}";
    assert_int_equal(json_each(line, strlen(line), collect, &l, *state), 1);
    static const char *const want[] = {".a", "a.", ".", ""};
    assert_int_equal(l.n, 4);
    for (int i = 0; i < 4; i++)
        assert_string_equal(l.names[i], want[i]);
}

/* json_each and json_extract agree: each leaf json_each names, json_extract finds with the same
 * type; a line json_extract rejects, json_each rejects. */
static void test_json_each_agrees_with_extract(void **state)
{
    static const char *const lines[] = {
        "{\"x\":{\"y\":[1,[2,\"s\"]]},\"@m\":{\"q\":false}}",
        "{\"a\\\"b\":\"v\\n\",\"u\":\"\\u00e9\"}",
        "{\"d\":1,\"d\":\"two\"}",
        "{\"a\":1} x",
        "{\"e\":[],\"o\":{ },\"p\":[[],{}]}",
        "{\"a\":\"\\q\"}",
        "[1,2]",
        "{\"a\":tru}",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        Leaves l = {0};
        int rc = json_each(lines[i], strlen(lines[i]), collect, &l, *state);
        const char *none[] = {NULL};
        Got g = extract(state, lines[i], none);
        assert_int_equal(rc, g.rc);
        for (int k = 0; rc && k < l.n; k++) {
            const char *one[] = {l.names[k], NULL};
            Got e = extract(state, lines[i], one);
            if (k + 1 < l.n && strcmp(l.names[k], l.names[l.n - 1]) == 0)
                continue; /* a repeated key: the last one wins in json_extract */
            assert_int_equal(e.v[0].type, l.types[k]);
        }
    }
}

/* ===== Many wanted names: the table of top-level keys (issue 21) ===== */

/* From 4 wanted names on, a top-level key is looked up in a table of the strings it may equal
 * (json.c, KeyTab): these tests pin that it finds exactly what comparing the key with every
 * name finds. Names of one first byte, prefixes of each other, of 3, 4, 7, 8, 9, 16 and 17
 * bytes (the table compares up to 16 bytes as two words), escaped keys, repeated keys and
 * names, dotted paths, '@' keys, empty names and long names. */

enum { MANY = 80 };

/* Extracts names[0..n) from the len bytes of line, copied to a buffer of exactly len bytes so
 * that a read past the line's end is caught by the sanitizers. */
static int extract_many(void **state, const char *line, size_t len, const char *const *names,
                        int n, Datum *out)
{
    const char *nm[MANY];
    uint32_t lens[MANY];
    assert_true(n <= MANY);
    for (int k = 0; k < n; k++) {
        nm[k] = names[k];
        lens[k] = (uint32_t)strlen(names[k]);
        out[k] = val_num(-999); /* must be overwritten */
    }
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, line, len);
    JsonWant w = {n, nm, lens};
    int rc = json_extract(copy, len, &w, out, *state);
    /* values point into the line: they move to a copy of it in the pool, which outlives the
     * exact-size buffer */
    char *kept = apr_pmemdup(*state, copy, len ? len : 1);
    for (int k = 0; k < n; k++)
        if ((out[k].type == VT_STR || out[k].type == VT_NUM) && out[k].s >= copy &&
            out[k].s < copy + len)
            out[k].s = kept + (out[k].s - copy);
    free(copy);
    return rc;
}

static int same_datum(Datum a, Datum b)
{
    if (a.type != b.type)
        return 0;
    switch (a.type) {
    case VT_NULL:
        return 1;
    case VT_BOOL:
        return a.v.i == b.v.i;
    case VT_STR:
    case VT_NUM:
        return a.len == b.len && memcmp(a.s, b.s, a.len) == 0;
    default:
        return 0;
    }
}

/* Extracting names[0..n) at once gives each name what extracting it alone gives (one name:
 * the loop over all names, not the table), except that of equal names only the last gets a
 * value, as before the table. */
static void assert_many_agree(void **state, const char *line, const char *const *names, int n)
{
    Datum all[MANY], one[1];
    size_t len = strlen(line);
    int rc = extract_many(state, line, len, names, n, all);
    for (int k = 0; k < n; k++) {
        int rc1 = extract_many(state, line, len, &names[k], 1, one);
        assert_int_equal(rc, rc1);
        int later = 0;
        for (int j = k + 1; j < n; j++)
            later |= strcmp(names[j], names[k]) == 0;
        if (!same_datum(all[k], later ? val_null() : one[0]))
            fail_msg("line %s, name %d '%s' of %d: type %d, alone type %d%s", line, k, names[k],
                     n, all[k].type, one[0].type, later ? " (repeated)" : "");
    }
}

static void test_json_many_names_one_first_byte(void **state)
{
    /* Q7's record (bench/gen_wide.awk) and its 20 names: 16 start with 'n' */
    const char *line =
        "{\"id\":1,\"s01\":\"red\",\"s02\":\"north\",\"s03\":\"alpha\",\"s04\":\"c\",\"n01\":"
        "583,\"n02\":77,\"n03\":4,\"n04\":90125,\"n05\":1,\"n06\":2,\"n07\":3,\"n08\":4,\"n09\":5,"
        "\"n10\":6,\"n11\":7,\"n12\":8,\"n13\":12.34,\"n14\":0.5,\"n15\":9999.99,\"n16\":1.00,"
        "\"x01\":\"get\",\"x09\":null,\"x10\":{\"k\":\"beta\",\"v\":3}}";
    const char *names[] = {"n01", "n02", "n03", "n04", "n05", "n06", "n07", "n08", "n09", "n10",
                           "n11", "n12", "n13", "n14", "n15", "n16", "s01", "s02", "s03", "s04",
                           "n1",  "n",   "n100", "x10.k", "x10", "n01.x"};
    const char *vals[] = {"583", "77", "4", "90125", "1", "2", "3", "4", "5", "6", "7", "8",
                          "12.34", "0.5", "9999.99", "1.00"};
    Datum out[MANY];
    int n = (int)(sizeof(names) / sizeof(names[0]));
    assert_int_equal(extract_many(state, line, strlen(line), names, n, out), 1);
    for (int k = 0; k < 16; k++) {
        assert_int_equal(out[k].type, VT_NUM);
        assert_int_equal(out[k].len, strlen(vals[k]));
        assert_memory_equal(out[k].s, vals[k], out[k].len);
    }
    assert_str(out[16], "red");
    assert_str(out[17], "north");
    assert_str(out[18], "alpha");
    assert_str(out[19], "c");
    assert_absent(out[20]); /* n1, n and n100 are no keys: prefixes of keys are not keys */
    assert_absent(out[21]);
    assert_absent(out[22]);
    assert_str(out[23], "beta");
    assert_absent(out[24]); /* a container is no field */
    assert_absent(out[25]);
    assert_many_agree(state, line, names, n);
}

static void test_json_many_names_agree_with_one_at_a_time(void **state)
{
    char long_key[301], long_line[1400];
    memset(long_key, 'L', 300);
    long_key[300] = 0;
    snprintf(long_line, sizeof(long_line),
             "{\"%s\":1,\"%.299s\":2,\"%sM\":3,\"%s\":{\"i\":4}}", long_key, long_key, long_key,
             long_key + 1);
    static char long_dotted[310];
    snprintf(long_dotted, sizeof(long_dotted), "%s.i", long_key + 1);
    const char *lines[] = {
        /* prefixes of each other, one first byte */
        "{\"a\":1,\"ab\":2,\"abc\":3,\"a.b\":4,\"n1\":5,\"n10\":6,\"n100\":7,\"n1x\":{\"x\":8}}",
        /* nested paths: the key "a.b" and the path a.b name the same field */
        "{\"a\":{\"b\":{\"c\":1},\"bc\":2},\"ab\":{\"c\":3},\"a.b\":{\"c\":4}}",
        /* escaped keys decode before they are matched: A, AB, a.b, n10 */
        "{\"\\u0041\":1,\"A\\u0042\":2,\"\\u0061\":{\"b\":3},\"n\\u00310\":4,\"\\u0040t\":5}",
        /* repeated keys: the last occurrence wins */
        "{\"d\":1,\"d\":2,\"a\":{\"b\":1},\"a\":{\"c\":2},\"n1\":{\"x\":1},\"n1\":3}",
        /* empty keys and empty segments */
        "{\"\":{\"a\":1,\"\":2},\"a.\":2,\"a\":{\"\":3},\".a\":4,\"\":5}",
        "{\"\":0}",
        /* '@' keys get an extra '@' at the top only */
        "{\"@t\":\"z\",\"@t\":{\"u\":1},\"t\":2,\"@@t\":3,\"x\":{\"@y\":4},\"@\":5}",
        /* every length around the table's word sizes */
        "{\"abc\":3,\"abcd\":4,\"abcdefg\":7,\"abcdefgh\":8,\"abcdefghi\":9,"
        "\"abcdefghijklmno\":15,\"abcdefghijklmnop\":16,\"abcdefghijklmnopq\":17,"
        "\"abcdefghijklmnopqrstuvwxyz0123456789\":36,\"bbcdefgh\":80,\"abcdefgi\":81,"
        "\"abcdefghijklmnoq\":82,\"bbcdefghijklmnopq\":83,\"abcdefghijklmnopr\":84,"
        "\"abcdefghXjklmnopq\":85}",
        "{\"abcdefgh\":{\"i\":1},\"abcdefghijklmnop\":{\"q\":2},\"abcdefghijklmnopq\":{\"r\":3}}",
        /* arrays below wanted keys */
        "{\"x\":[1,{\"y\":2},[3]],\"x.1\":{\"y\":5}}",
        /* short keys at the very end of the line */
        "{\"b\":1,\"a\":2}",
        "{\"a\":{\"b\":1}}",
        "{\"ab\":1}",
        long_line,
        /* not JSON after a wanted key: nothing */
        "{\"a\":1,\"abc\":2,\"n1\":}",
    };
    const char *pool[] = {
        "a", "ab", "abc", "a.b", "a.b.c", "a.bc", "ab.c", "n1", "n10", "n100", "n1.x", "n1x.x",
        "n1x", "A", "AB", "n", "@@t", "@t", "@@t.u", "t", "@@@t", "x.@y", "@@", "d", "a.c", "",
        ".a", "a.", ".", "..", ".", "abcd", "abcdefg", "abcdefgh", "abcdefghi", "abcdefgh.i",
        "abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnopq", "abcdefghijklmnop.q",
        "abcdefghijklmnopq.r", "abcdefghijklmnopqrstuvwxyz0123456789", "bbcdefgh", "abcdefgi",
        "abcdefghijklmnoq", "bbcdefghijklmnopq", "abcdefghijklmnopr", "abcdefghXjklmnopq", "x.0", "x.1.y", "x.2.0",
        "x.1", "b", long_key, long_dotted, "a", "n10", "",
    };
    int npool = (int)(sizeof(pool) / sizeof(pool[0]));
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        /* windows of 4 to 57 names: the table from 4 names to 64 */
        static const int sizes[] = {4, 5, 7, 12, 20, 33, 64};
        for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
            int n = sizes[z] < npool ? sizes[z] : npool;
            for (int start = 0; start + n <= npool; start += n > 12 ? 3 : 1)
                assert_many_agree(state, lines[i], pool + start, n);
        }
        /* names repeated in the list: the last of equal names gets the value */
        const char *rep[] = {"a", "n10", "a", "", "n10", "a.b", "", "@@t"};
        assert_many_agree(state, lines[i], rep, 8);
    }
}

/* The names asked for change from one call to the next, with the same count and lengths (the
 * table of the last names is kept per thread, json.c key_table): each call gets its own. */
static void test_json_many_names_change_between_calls(void **state)
{
    const char *line = "{\"n01\":1,\"n02\":2,\"n03\":3,\"n04\":4,\"n05\":5,\"m05\":6,\"n1\":7,"
                       "\"abcdefghijklmnop\":8,\"abcdefghijklmnoq\":9}";
    const char *a[] = {"n01", "n02", "n03", "n04", "n05", "abcdefghijklmnop"};
    const char *b[] = {"n01", "n02", "n03", "n04", "m05", "abcdefghijklmnoq"};
    const char *c[] = {"n01", "n02", "n03", "n04", "n1", "abcdefghijklmnop"};
    char copy[4][20]; /* a's names again, elsewhere in memory */
    const char *d[6];
    for (int k = 0; k < 4; k++) {
        snprintf(copy[k], sizeof(copy[k]), "%s", a[k]);
        d[k] = copy[k];
    }
    d[4] = "n05";
    d[5] = "abcdefghijklmnop";
    for (int round = 0; round < 2; round++) {
        Datum out[MANY];
        assert_int_equal(extract_many(state, line, strlen(line), a, 6, out), 1);
        assert_num(out[4], 5, "5");
        assert_num(out[5], 8, "8");
        assert_int_equal(extract_many(state, line, strlen(line), b, 6, out), 1);
        assert_num(out[4], 6, "6");
        assert_num(out[5], 9, "9");
        assert_int_equal(extract_many(state, line, strlen(line), c, 5, out), 1);
        assert_num(out[4], 7, "7");
        assert_int_equal(extract_many(state, line, strlen(line), d, 6, out), 1);
        assert_num(out[0], 1, "1");
        assert_num(out[4], 5, "5");
        assert_num(out[5], 8, "8");
        assert_many_agree(state, line, b, 6);
    }
}

/* More strings than the table holds (names with many dots, many '@' names): the table grows,
 * and past its size the loop over all names; the same fields either way. */
static void test_json_many_dotted_names(void **state)
{
    char buf[64][32];
    const char *names[64];
    for (int k = 0; k < 64; k++) {
        snprintf(buf[k], sizeof(buf[k]), k % 2 ? "@@k%d.a.b.c" : "k%d.a.b", k);
        names[k] = buf[k];
    }
    const char *lines[] = {
        "{\"k0\":{\"a\":{\"b\":1}},\"@k1\":{\"a\":{\"b\":{\"c\":2}}},\"k2\":{\"a\":{\"b\":3}},"
        "\"k63\":{\"a\":{\"b\":{\"c\":4}}},\"@k63\":{\"a\":{\"b\":{\"c\":5}}},\"k2.a.b\":6}",
        "{\"k10.a\":{\"b\":1},\"@k11.a\":{\"b\":{\"c\":2}},\"k12\":{\"a.b\":3}}",
    };
    static const int sizes[] = {4, 20, 40, 48, 64};
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++)
            assert_many_agree(state, lines[i], names, sizes[z]);
}

typedef struct Counted {
    int n;
    char last[16];
} Counted;

static void count_leaf(void *ctx, const char *name, size_t len, const Datum *v)
{
    Counted *c = ctx;
    (void)v;
    c->n++;
    snprintf(c->last, sizeof(c->last), "%.*s", (int)len, name);
}

/* every leaf counts toward JSON_MAX_FIELDS, nulls too (as in json_extract) */
static void test_json_each_field_cap(void **state)
{
    apr_pool_t *pool = *state;
    char *line = "{\"n0\":null";
    for (int i = 1; i < JSON_MAX_FIELDS + 10; i++)
        line = apr_psprintf(pool, "%s,\"n%d\":%d", line, i, i);
    line = apr_pstrcat(pool, line, "}", NULL);
    Counted c = {0};
    assert_int_equal(json_each(line, strlen(line), count_leaf, &c, pool), 1);
    assert_int_equal(c.n, JSON_MAX_FIELDS - 1);
    assert_string_equal(c.last, apr_psprintf(pool, "n%d", JSON_MAX_FIELDS - 1));
    assert_int_equal(extract1(state, line, c.last).v[0].type, VT_NUM);
    assert_int_equal(extract1(state, line, apr_psprintf(pool, "n%d", JSON_MAX_FIELDS)).v[0].type,
                     VT_NULL);
}

/* ===== The readers agree: json_extract, json_each (--fields), jdom (filter patterns, formats) ===== */

/* The leaves of a jdom tree flattened by the rules of §7.2, as json_each names them. */
static void jdom_leaves(const JdNode *n, char *path, size_t plen, int top, Leaves *l)
{
    if (n->type == JD_OBJ || n->type == JD_ARR) {
        for (size_t i = 0; i < n->n; i++) {
            char seg[32];
            const char *k = seg;
            size_t kl;
            if (n->type == JD_OBJ) {
                k = n->keys[i];
                kl = n->keylens[i];
            } else {
                kl = (size_t)snprintf(seg, sizeof(seg), "%zu", i);
            }
            size_t at = top && kl && k[0] == '@', np = plen + (top ? 0 : 1) + at + kl;
            if (np >= 1024)
                continue;
            char *q = path + plen;
            if (!top)
                *q++ = '.';
            if (at)
                *q++ = '@';
            memcpy(q, k, kl);
            jdom_leaves(n->kids[i], path, np, 0, l);
        }
        return;
    }
    if (n->type == JD_NULL)
        return;
    Datum d = val_jdom(n);
    collect(l, path, plen, &d);
}

/* For each line: json_extract, json_each and jdom_parse take it or refuse it alike, json_each
 * and the jdom tree have the same leaves (names and types) in the same order, and json_extract
 * finds each of them with that type. */
static void test_json_readers_agree_on_lenient_records(void **state)
{
    apr_pool_t *pool = *state;
    char *deep = nested(pool, JSON_MAX_DEPTH + 20);
    static const struct {
        const char *s;
        size_t len;
    } lines[] = {
#define L(s) {s, sizeof(s) - 1}
        L("{\"a\":\"x\ty\",\"b\":\"n\0l\"}"),
        L("{\"k\x01\":\"\x1f\",\"c\":\"\\u0041\x02\"}"),
        L("{\"a\":NaN,\"b\":Infinity,\"c\":-Infinity,\"d\":[NaN]}"),
        L("{\"\":{\"a\":0}}"),
        L("{\"a\":{\"\":1},\"\":{\"\":2},\"@\":{\"\":3}}"),
        L("\xef\xbb\xbf{\"a\":1}"),
        L("{\"a\":nan}"),
        L("{\"a\":-NaN}"),
        L("{\"a\":01}"),
        L("{\"a\":1.}"),
        L("{\"a\":.5}"),
        L("{\"a\":+1}"),
        L("{\"a\":-}"),
        L("{\"a\":1e}"),
        L("{\"a\":[1,]}"),
        L("{'a':1}"),
        L("{\"a\":\"\\q\"}"),
        L("{\"a\":1,\x01\"b\":2}"),
        L("{\"a\":1} x"),
        L("{\"n\":12345678901234567890123456789012345678901234567890123456789012345678901234567890"
          "12345678901234567890123456789012345678901234567890123456789012345678901234567890"
          "12345678901234567890123456789012345678901234567890123456789012345678901234567890"
          "12345678901234567890123456789012345678901234567890123456789012345678901234567890"
          "12345678901234567890123456789012345678901234567890123456789012345678901234567890}"),
        {NULL, 0}, /* deep */
#undef L
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        const char *s = lines[i].s ? lines[i].s : deep;
        size_t len = lines[i].s ? lines[i].len : strlen(deep);
        print_message("line %zu: %.40s\n", i, s);
        Leaves each = {0}, dom = {0};
        int rc = json_each(s, len, collect, &each, pool);
        const char *none[] = {NULL};
        assert_int_equal(extract_n(state, s, len, none).rc, rc);
        JdNode *doc = jdom_parse(pool, s, len);
        assert_int_equal(doc != NULL && doc->type == JD_OBJ, rc);
        if (!rc)
            continue;
        char path[1024];
        jdom_leaves(doc, path, 0, 1, &dom);
        assert_int_equal(dom.n, each.n);
        for (int k = 0; k < each.n; k++) {
            assert_string_equal(dom.names[k], each.names[k]);
            assert_int_equal(dom.types[k], each.types[k]);
            const char *one[] = {each.names[k], NULL};
            assert_int_equal(extract_n(state, s, len, one).v[0].type, each.types[k]);
        }
    }
}

/* json_skip: one value of any depth, by the same rules, without recursion. */
static void test_json_skip(void **state)
{
    apr_pool_t *pool = *state;
    static const char *const ok[] = {"1", "\"a\\tb\"", "\"raw\tx\"", "NaN", "-Infinity", "[]",
                                     "{}", "[1,{\"a\":[true,false,null]}]", " { \"k\" : [ ] } "};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        const char *s = ok[i], *end = s + strlen(s);
        while (*s == ' ')
            s++;
        const char *e = json_skip(s, end);
        print_message("%s\n", ok[i]);
        assert_non_null(e);
        assert_true(e == end || (e + 1 == end && *e == ' '));
    }
    static const char *const bad[] = {"", "[", "[1,]", "{\"a\"}", "{\"a\":}", "[01]", "\"\\q\"",
                                      "nul", "[1 2]", "{1:2}", "]"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_null(json_skip(bad[i], bad[i] + strlen(bad[i])));
    /* a value ends where it ends: what follows is the caller's */
    const char *s = "[1] x";
    assert_ptr_equal(json_skip(s, s + 5), s + 3);
    char *deep = nested(pool, 1000000); /* a million levels: bits, not frames */
    deep += 5;
    assert_ptr_equal(json_skip(deep, deep + 2000001), deep + 2000001);
}

/* ===== The walker: events in document order ===== */

typedef struct Events {
    char s[4096];
    size_t n;
} Events;

static void ev_add(Events *ev, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(ev->s + ev->n, sizeof(ev->s) - ev->n, fmt, ap);
    va_end(ap);
    if (w > 0 && ev->n + (size_t)w < sizeof(ev->s))
        ev->n += (size_t)w;
}

static void ev_open(void *ctx, int d, int obj, const char *at)
{
    ev_add(ctx, "%c%d@%c ", obj ? '{' : '[', d, *at);
}

static void ev_key(void *ctx, int d, const char *b, const char *e, int esc)
{
    ev_add(ctx, "k%d%s:%.*s ", d, esc ? "!" : "", (int)(e - b), b);
}

static void ev_elem(void *ctx, int d, unsigned idx)
{
    ev_add(ctx, "e%d#%u ", d, idx);
}

static void ev_leaf(void *ctx, int d, JsonLeaf t, const char *b, const char *e, int esc)
{
    static const char types[] = "snTFNx";
    ev_add(ctx, "%c%d%s=%.*s ", types[t], d, esc ? "!" : "", (int)(e - b), b);
}

static void ev_close(void *ctx, int d, const char *end)
{
    ev_add(ctx, "%c%d ", end[-1], d);
}

/* empty_leaf 0: empty containers come as open and close */
static const JsonVisitor ev_visitor = {ev_open, ev_key, ev_elem, ev_leaf, ev_close, 0};

/* The events json_walk makes of s, and where it stops (offset, or -1 for NULL). */
static const char *walk_events(const char *s, size_t len, long *stop)
{
    static Events ev;
    ev.n = 0;
    ev.s[0] = 0;
    const char *e = json_walk(s, s + len, &ev_visitor, &ev);
    *stop = e ? (long)(e - s) : -1;
    if (ev.n)
        ev.s[--ev.n] = 0; /* the last space */
    return ev.s;
}

static void test_json_walk_events(void **state)
{
    (void)state;
    static const struct {
        const char *text, *events;
        long stop;
    } cases[] = {
        {"{\"a\":[1,\"x\\n\",true,false,null,NaN],\"b\\u0041\":{},\"c\":-Infinity}",
         "{1@{ k1:a [2@[ e2#0 n2=1 e2#1 s2!=x\\n e2#2 T2=true e2#3 F2=false e2#4 N2=null e2#5 "
         "x2=NaN ]2 k1!:b\\u0041 {2@{ }2 k1:c x1=-Infinity }1",
         62},
        {" \"raw\ttab\" ", "s0=raw\ttab", 10},
        {"[[],[[0]]] x", "[1@[ e1#0 [2@[ ]2 e1#1 [2@[ e2#0 [3@[ e3#0 n3=0 ]3 ]2 ]1", 10},
        {"-0.5e+3", "n0=-0.5e+3", 7},
        /* what was read before the walk failed is reported; the walk says NULL */
        {"{\"a\":1,}", "{1@{ k1:a n1=1", -1},
        {"[1 2]", "[1@[ e1#0 n1=1", -1},
        {"{\"a\":\"\\q\"}", "{1@{ k1:a", -1},
        {"", "", -1},
        {"01", "n0=0", 1}, /* the value is 0; what follows is the caller's */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long stop;
        const char *got = walk_events(cases[i].text, strlen(cases[i].text), &stop);
        print_message("%s\n", cases[i].text);
        assert_string_equal(got, cases[i].events);
        assert_int_equal(stop, cases[i].stop);
    }
}

/* A container that would open level JSON_MAX_DEPTH + 1 makes no event of its own: it is one
 * text leaf of its container, and the walk goes on after it. */
static void test_json_walk_deep_container_is_one_leaf(void **state)
{
    apr_pool_t *pool = *state;
    char *open = apr_palloc(pool, JSON_MAX_DEPTH + 3), *close = apr_palloc(pool, JSON_MAX_DEPTH + 3);
    memset(open, '[', JSON_MAX_DEPTH + 2);
    memset(close, ']', JSON_MAX_DEPTH + 2);
    open[JSON_MAX_DEPTH + 2] = close[JSON_MAX_DEPTH + 2] = 0;
    close[JSON_MAX_DEPTH - 1] = 0; /* levels 1 to JSON_MAX_DEPTH - 1: the rest is written out */
    const char *text = apr_pstrcat(pool, open, "{\"a\":1}", "]]", ",", "2", "]", close, NULL);
    long stop;
    const char *got = walk_events(text, strlen(text), &stop);
    assert_int_equal(stop, (long)strlen(text));
    /* the tail of the events: the text leaf at level JSON_MAX_DEPTH, its sibling, the closes */
    const char *want = apr_psprintf(pool, "e%d#0 x%d=[[{\"a\":1}]] e%d#1 n%d=2 ]%d ]%d",
                                    JSON_MAX_DEPTH, JSON_MAX_DEPTH, JSON_MAX_DEPTH, JSON_MAX_DEPTH,
                                    JSON_MAX_DEPTH, JSON_MAX_DEPTH - 1);
    const char *at = strstr(got, want);
    assert_non_null(at);
    assert_null(strstr(got, apr_psprintf(pool, "[%d@", JSON_MAX_DEPTH + 1)));
}

/* ===== jdom: the tree the walker builds ===== */

static void test_jdom_tree_and_spans(void **state)
{
    apr_pool_t *pool = *state;
    const char *text = "\xef\xbb\xbf { \"a\" : [1, \"x\\u0041\", {\"\":null}], \"b\":NaN, "
                       "\"a\":true, \"n\":123456789012345678901234567890 } ";
    JdNode *doc = jdom_parse(pool, text, strlen(text));
    assert_non_null(doc);
    assert_int_equal(doc->type, JD_OBJ);
    assert_int_equal(doc->n, 4);
    assert_int_equal(doc->start, 4);
    assert_int_equal(doc->end, strlen(text) - 1);
    const JdNode *a = doc->kids[0];
    assert_int_equal(a->type, JD_ARR);
    assert_int_equal(a->n, 3);
    assert_memory_equal(text + a->start, "[1, \"x\\u0041\", {\"\":null}]", a->end - a->start);
    assert_int_equal(a->kids[0]->type, JD_NUM);
    assert_true(a->kids[0]->num == 1);
    assert_int_equal(a->kids[1]->type, JD_STR);
    assert_int_equal(a->kids[1]->len, 2);
    assert_memory_equal(a->kids[1]->s, "xA", 2);
    assert_memory_equal(text + a->kids[1]->start, "\"x\\u0041\"", a->kids[1]->end - a->kids[1]->start);
    assert_int_equal(a->kids[2]->type, JD_OBJ);
    assert_int_equal(a->kids[2]->keylens[0], 0);
    assert_int_equal(a->kids[2]->kids[0]->type, JD_NULL);
    assert_int_equal(doc->kids[1]->type, JD_STR); /* NaN: a string of its text */
    assert_memory_equal(doc->kids[1]->s, "NaN", 3);
    assert_int_equal(jdom_get(doc, "a", 1)->type, JD_TRUE); /* the last "a" */
    const JdNode *n = jdom_get(doc, "n", 1);
    assert_int_equal(n->type, JD_NUM);
    assert_true(n->num == 123456789012345678901234567890.0);
    assert_int_equal(n->len, 30);
    /* many children: the arrays grow */
    char *many = "[0";
    for (int i = 1; i < 100; i++)
        many = apr_psprintf(pool, "%s,%d", many, i);
    many = apr_pstrcat(pool, many, "]", NULL);
    doc = jdom_parse(pool, many, strlen(many));
    assert_non_null(doc);
    assert_int_equal(doc->n, 100);
    for (int i = 0; i < 100; i++)
        assert_true(doc->kids[i]->num == i);
    /* one value and nothing else; a value alone is a document too */
    assert_null(jdom_parse(pool, "{} {}", 5));
    assert_null(jdom_parse(pool, "", 0));
    doc = jdom_parse(pool, " 7 ", 3);
    assert_non_null(doc);
    assert_int_equal(doc->type, JD_NUM);
    assert_int_equal(doc->start, 1);
    assert_int_equal(doc->end, 2);
}

/* jdom_parse_next: documents one after the other (CloudWatch exports, Firehose records) */
static void test_jdom_parse_next(void **state)
{
    apr_pool_t *pool = *state;
    const char *text = "{\"a\":1}\n [2]{\"b\":\"x\"}  tail";
    size_t len = strlen(text), pos = 0;
    JdNode *d1 = jdom_parse_next(pool, text, len, &pos);
    assert_non_null(d1);
    assert_int_equal(pos, 7);
    JdNode *d2 = jdom_parse_next(pool, text, len, &pos);
    assert_non_null(d2);
    assert_int_equal(d2->type, JD_ARR);
    assert_int_equal(d2->start, 9);
    assert_int_equal(pos, 12);
    JdNode *d3 = jdom_parse_next(pool, text, len, &pos);
    assert_non_null(d3);
    assert_int_equal(pos, 21);
    assert_null(jdom_parse_next(pool, text, len, &pos));
    assert_int_equal(pos, 21); /* unchanged when nothing valid starts there */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_json_top_level_scalars),
        T(test_json_nested_objects_flatten_with_dots),
        T(test_json_arrays_flatten_with_indexes),
        T(test_json_empty_containers_are_fields_null_is_absent),
        T(test_json_at_keys_get_an_extra_at),
        T(test_json_at_object_key_prefixes_its_leaves),
        T(test_json_numbers_keep_their_text),
        T(test_json_plain_strings_borrow_the_line),
        T(test_json_white_space_everywhere),
        T(test_json_keys_with_dots_and_unicode),
        T(test_json_no_wanted_names),
        T(test_json_empty_object),
        T(test_json_last_duplicate_key_wins),
        T(test_json_escapes_in_values),
        T(test_json_surrogate_pairs),
        T(test_json_escapes_in_keys),
        T(test_json_unescape),
        T(test_json_invalid_lines_yield_nothing),
        T(test_json_error_after_a_found_field_clears_it),
        T(test_json_trailing_garbage),
        T(test_json_raw_control_characters_in_strings),
        T(test_json_nan_and_infinity_are_strings),
        T(test_json_byte_order_mark),
        T(test_json_empty_key_segments_join_with_dots),
        T(test_json_field_cap),
        T(test_json_field_cap_counts_nested_leaves),
        T(test_json_field_cap_independent_of_query),
        T(test_json_deep_nesting),
        T(test_json_deeper_than_the_limit_is_kept_as_text),
        T(test_json_deep_object_path),
        T(test_json_each_names_every_leaf),
        T(test_json_each_empty_keys),
        T(test_json_each_agrees_with_extract),
        T(test_json_each_field_cap),
        T(test_json_many_names_one_first_byte),
        T(test_json_many_names_agree_with_one_at_a_time),
        T(test_json_many_dotted_names),
        T(test_json_many_names_change_between_calls),
        T(test_json_readers_agree_on_lenient_records),
        T(test_json_skip),
        T(test_json_walk_events),
        T(test_json_walk_deep_container_is_one_leaf),
        T(test_jdom_tree_and_spans),
        T(test_jdom_parse_next),
    };
#undef T
    apr_initialize();
    int failed = cmocka_run_group_tests_name("json", tests, NULL, NULL);
    apr_terminate();
    return failed ? 1 : 0;
}
