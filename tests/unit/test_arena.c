/* test_arena.c -- unit tests of compact records (engine/exec/arena.h, issue 15)
 *
 *   - every kind of value encodes in the bytes val_enc_size says and decodes to the same
 *     value: null, booleans, numbers with and without their text, timestamps, strings that do
 *     and do not read as numbers (their cached view and flags kept), the empty string, texts
 *     whose length takes 1, 2 and 3 bytes of LEB128, a JSON node; the decoded value compares,
 *     groups and hashes as the original (val_sort_cmp, val_equal_key, val_hash);
 *   - the sizes the memory work counts on: a 10-byte string 12 bytes, a null 1;
 *   - an arena's records keep their bytes and addresses while it grows (a record larger than
 *     a chunk gets one of its own), arena_at finds 8-aligned records by their references,
 *     arena_move keeps addresses, arena_drop and arena_free give the bytes back.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "engine/exec/arena.h"

static Datum str(const char *s, size_t len, uint8_t flags, double f)
{
    Datum d = val_str(s, len);
    d.flags = flags;
    if (flags & DF_NUMERIC)
        d.v.f = f;
    return d;
}

static void roundtrip(const Datum *d)
{
    unsigned char buf[70000];
    size_t n = val_enc_size(d);
    unsigned char *end = val_enc(buf, d);
    assert_int_equal((size_t)(end - buf), n);
    Datum e;
    const unsigned char *dend = val_dec(buf, &e);
    assert_ptr_equal(dend, end);
    assert_int_equal(e.type, d->type);
    assert_int_equal(e.flags, d->flags);
    assert_int_equal(e.len, d->len);
    assert_int_equal(e.s == NULL, d->s == NULL);
    if (d->len)
        assert_memory_equal(e.s, d->s, d->len);
    if (d->type != VT_NULL && (d->type != VT_STR || (d->flags & DF_NUMERIC)))
        assert_memory_equal(&e.v, &d->v, 8);
    if (d->type != VT_JSON) {
        assert_int_equal(val_sort_cmp(&e, d), 0);
        assert_true(val_equal_key(&e, d) || d->type == VT_NULL);
        assert_true(val_hash(&e) == val_hash(d));
    }
}

static void test_values(void **state)
{
    (void)state;
    static char big[66000];
    memset(big, 'x', sizeof(big));
    Datum num_text = val_num(200);
    num_text.s = "2e2";
    num_text.len = 3;
    int node; /* any address stands for a JSON node: the record keeps the pointer */
    Datum vals[] = {
        val_null(),
        val_bool(1),
        val_bool(0),
        val_num(-0.5),
        num_text,
        val_ts(1700000000123LL),
        str("user123456", 10, DF_NUMCHECKED, 0),
        str("200", 3, DF_NUMCHECKED | DF_NUMERIC, 200),
        str("abc", 3, 0, 0),
        str("", 0, DF_NUMCHECKED, 0),
        str(big, 127, DF_NUMCHECKED, 0),
        str(big, 128, DF_NUMCHECKED, 0),
        str(big, 16383, DF_NUMCHECKED, 0),
        str(big, 16384, DF_NUMCHECKED, 0),
        str(big, sizeof(big), DF_NUMCHECKED, 0),
        val_json(&node),
    };
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
        roundtrip(&vals[i]);
    Datum key = str("user123456", 10, DF_NUMCHECKED, 0), null = val_null();
    assert_int_equal(val_enc_size(&key), 12);
    assert_int_equal(val_enc_size(&null), 1);
    assert_int_equal(val_enc_size(&vals[12]), 1 + 2 + 16383);
    assert_int_equal(val_enc_size(&vals[13]), 1 + 3 + 16384);
}

static void test_arena(void **state)
{
    (void)state;
    Arena a = {0}, b = {0};
    enum { N = 100000 }; /* past 16 chunks: the chunk array grows */
    unsigned char **p = malloc(sizeof(unsigned char *) * N);
    uint64_t *ref = malloc(sizeof(uint64_t) * N);
    size_t total = 0;
    for (int i = 0; i < N; i++) {
        size_t n = i == 5000 ? (size_t)3 << 20 : (size_t)(8 * (1 + i % 40)); /* one of 3 MiB */
        p[i] = arena_alloc(&a, n, &ref[i]);
        assert_int_equal((uintptr_t)p[i] % 8, 0);
        memset(p[i], i & 255, n);
        total += n;
    }
    assert_int_equal(a.used, total);
    assert_true(a.mapped >= total);
    for (int i = 0; i < N; i++) {
        size_t n = i == 5000 ? (size_t)3 << 20 : (size_t)(8 * (1 + i % 40));
        assert_ptr_equal(arena_at(&a, ref[i]), p[i]);
        assert_int_equal(p[i][0], i & 255);
        assert_int_equal(p[i][n - 1], i & 255);
    }
    /* unaligned sizes: packed one after another */
    unsigned char *x = arena_alloc(&b, 3, NULL), *y = arena_alloc(&b, 5, NULL);
    assert_ptr_equal(y, x + 3);
    memcpy(x, "abc", 3);
    size_t used = a.used + b.used;
    arena_move(&b, &a);
    assert_int_equal(a.n, 0);
    assert_int_equal(b.used, used);
    assert_memory_equal(x, "abc", 3);
    for (int i = 0; i < N; i++)
        assert_int_equal(p[i][0], i & 255); /* the same addresses */
    size_t mapped = b.mapped, first = b.c[0].size;
    arena_drop(&b, 0);
    assert_int_equal(b.mapped, mapped - first);
    arena_drop(&b, 0); /* twice: nothing more */
    assert_int_equal(b.mapped, mapped - first);
    arena_free(&b);
    assert_int_equal(b.mapped, 0);
    assert_int_equal(b.used, 0);
    free(p);
    free(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
