/* test_partial.c -- unit tests of the bytes of stats groups (engine/exec/partial.h, issue 15;
 * issue 16's partial results reuse them)
 *
 *   - every aggregate's state saved and loaded back saves the same bytes again and gives the
 *     same result: count, sum/avg/stddev (integers exact, fractions in a Neumaier sum, bit for
 *     bit), min/max/sortsFirst/sortsLast/earliest/latest (value, timestamp, order key),
 *     count_distinct as an exact set (its values in any order) and past 100000 values as a
 *     HyperLogLog, pct's values
 *     (-0.0, subnormals, 1e308 bit for bit);
 *   - a loaded state merges as the original does (the spill's read-back merges them);
 *   - a group (hash, first row, keys with a string, a number, a null and a JSON value, every
 *     state) round-trips; every shorter prefix and a byte changed in a length is refused (0),
 *     never read past its end;
 *   - the header names version and shape: another shape or version is refused.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "base/buf.h"
#include "engine/data/jdom.h"
#include "engine/exec/agg.h"
#include "engine/exec/partial.h"

static apr_pool_t *pool;

static int setup(void **state)
{
    (void)state;
    return apr_pool_create(&pool, NULL) == APR_SUCCESS ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    apr_pool_destroy(pool);
    return 0;
}

/* A state of fn fed with n values from val(i) (timestamps i * 7 % 13 for earliest/latest). */
typedef Datum (*ValFn)(int i, char *buf);

static unsigned char *fed(int fn, int n, ValFn val, AggMem *m)
{
    const AggOps *ops = agg_table[fn];
    unsigned char *st = apr_pcalloc(pool, ops->size + 8);
    ops->init(st);
    char buf[64];
    for (int i = 0; i < n; i++) {
        Datum d = val(i, buf);
        Datum ts = val_ts((int64_t)(i * 7 % 13));
        ops->update(st, &d, &ts, (uint64_t)i, m);
    }
    return st;
}

static void same_result(int fn, unsigned char *a, unsigned char *b, double param)
{
    const AggOps *ops = agg_table[fn];
    Datum x = ops->result(a, param, pool), y = ops->result(b, param, pool);
    LiqBuf fx = {0}, fy = {0};
    val_format(&fx, &x);
    val_format(&fy, &y);
    assert_int_equal(x.type, y.type);
    assert_int_equal(fx.len, fy.len);
    assert_memory_equal(fx.p ? fx.p : "", fy.p ? fy.p : "", fx.len);
    if (x.type == VT_NUM) /* bit for bit */
        assert_memory_equal(&x.v.f, &y.v.f, sizeof(double));
    buf_free(&fx);
    buf_free(&fy);
}

/* frees what the states at st (of fns[0..n), at offs) hold */
static void destroy_all(const int *fns, const size_t *offs, int n, unsigned char *st)
{
    for (int a = 0; a < n; a++)
        if (agg_table[fns[a]]->destroy)
            agg_table[fns[a]]->destroy(st + offs[a]);
}

/* saves st, loads it into a fresh state, saves that: the same bytes (count_distinct's exact
 * set: the same length, its values in the order of its hash table), the same result */
static unsigned char *round_trip(int fn, unsigned char *st, double param, AggMem *m)
{
    const AggOps *ops = agg_table[fn];
    LiqBuf a = {0}, b = {0};
    ops->save(st, &a);
    unsigned char *back = apr_pcalloc(pool, ops->size + 8);
    ops->init(back);
    assert_int_equal(ops->load(back, a.p, a.p + a.len, m), a.len);
    ops->save(back, &b);
    assert_int_equal(a.len, b.len);
    if (fn != FN_count_distinct || (a.len && a.p[0] != 1))
        assert_memory_equal(a.p, b.p, a.len);
    same_result(fn, st, back, param);
    for (size_t cut = 0; cut < a.len && cut < 4096; cut++) { /* a cut state is refused */
        unsigned char *t = apr_pcalloc(pool, ops->size + 8);
        ops->init(t);
        size_t got = ops->load(t, a.p, a.p + cut, m);
        assert_true(got == 0 || got <= cut);
        if (ops->destroy)
            ops->destroy(t);
    }
    buf_free(&a);
    buf_free(&b);
    return back;
}

static Datum v_mixed(int i, char *buf)
{
    switch (i % 5) {
    case 0:
        return val_num(i * 0.1);
    case 1:
        return val_num((double)(i * 1000003));
    case 2:
        snprintf(buf, 64, "text-%d", i % 17);
        return val_str(buf, strlen(buf));
    case 3:
        return val_null();
    default:
        snprintf(buf, 64, "%d.5", i);
        return val_str(buf, strlen(buf));
    }
}

static Datum v_odd_doubles(int i, char *buf)
{
    (void)buf;
    static const double xs[] = {-0.0, 5e-324, 1e308, -1e308, 0.1, 1.0 / 3, 2.5e-310, 42};
    return val_num(xs[i % 8] * (i / 8 + 1));
}

static void test_every_aggregate(void **state)
{
    (void)state;
    static const int fns[] = {FN_count, FN_sum, FN_avg, FN_stddev, FN_min, FN_max,
                              FN_sortsFirst, FN_sortsLast, FN_earliest, FN_latest,
                              FN_count_distinct, FN_pct, FN_histogram};
    for (size_t f = 0; f < sizeof(fns) / sizeof(fns[0]); f++) {
        for (int n = 0; n < 300; n += 37) {
            AggMem m = {pool, 0};
            unsigned char *st = fed(fns[f], n, v_mixed, &m);
            unsigned char *back = round_trip(fns[f], st, 90, &m);
            /* a loaded state merges as the original: into a third state, the same result */
            const AggOps *ops = agg_table[fns[f]];
            unsigned char *x = fed(fns[f], 50, v_odd_doubles, &m);
            unsigned char *y = fed(fns[f], 50, v_odd_doubles, &m);
            ops->merge(x, st, &m);
            ops->merge(y, back, &m);
            same_result(fns[f], x, y, 90);
            if (ops->destroy) {
                ops->destroy(st);
                ops->destroy(back);
                ops->destroy(x);
                ops->destroy(y);
            }
        }
        AggMem m = {pool, 0};
        unsigned char *st = fed(fns[f], 1000, v_odd_doubles, &m);
        unsigned char *back = round_trip(fns[f], st, 99.9, &m);
        if (agg_table[fns[f]]->destroy) {
            agg_table[fns[f]]->destroy(st);
            agg_table[fns[f]]->destroy(back);
        }
    }
}

static Datum v_many(int i, char *buf)
{
    snprintf(buf, 64, "value-%d", i);
    return val_str(buf, strlen(buf));
}

/* past 100000 distinct values count_distinct is a HyperLogLog: its registers round-trip */
static void test_count_distinct_hll(void **state)
{
    (void)state;
    AggMem m = {pool, 0};
    unsigned char *st = fed(FN_count_distinct, 150000, v_many, &m);
    unsigned char *back = round_trip(FN_count_distinct, st, 0, &m);
    agg_table[FN_count_distinct]->destroy(st);
    agg_table[FN_count_distinct]->destroy(back);
}

static void test_group(void **state)
{
    (void)state;
    static const int fns[] = {FN_count, FN_sum, FN_pct, FN_count_distinct, FN_earliest};
    size_t offs[5], off = 0;
    for (int a = 0; a < 5; a++) {
        offs[a] = off;
        off += (agg_table[fns[a]]->size + 7) & ~(size_t)7;
    }
    PartialShape sh = {4, 5, fns, offs};
    AggMem m = {pool, 0};
    unsigned char *st = apr_pcalloc(pool, off);
    char buf[64];
    for (int a = 0; a < 5; a++)
        agg_table[fns[a]]->init(st + offs[a]);
    for (int i = 0; i < 200; i++) {
        Datum d = v_mixed(i, buf), ts = val_ts(i % 9);
        for (int a = 0; a < 5; a++)
            agg_table[fns[a]]->update(st + offs[a], &d, &ts, (uint64_t)i, &m);
    }
    Datum keys[4] = {val_str("alice", 5), val_num(200), val_null(), val_null()};
    keys[3].type = VT_JSON;
    keys[3].v.p = jdom_parse(pool, "{\"a\":[1,2,\"x\"]}", 15);
    assert_non_null(keys[3].v.p);
    LiqBuf out = {0};
    partial_put_header(&out, &sh);
    size_t hlen = out.len;
    assert_int_equal(partial_get_header(out.p, out.p + out.len, &sh), hlen);
    partial_put_group(&out, &sh, 0x1234567890abcdefULL, 77, keys, st);
    partial_put_group(&out, &sh, 5, 3, keys, st); /* groups follow each other */

    unsigned char *back = apr_pcalloc(pool, off);
    for (int a = 0; a < 5; a++)
        agg_table[fns[a]]->init(back + offs[a]);
    uint64_t h, first;
    Datum k[4];
    const char *p = out.p + hlen, *end = out.p + out.len;
    size_t n = partial_get_group(p, end, &sh, &m, &h, &first, k, back);
    assert_true(n > 0);
    assert_int_equal(h, 0x1234567890abcdefULL);
    assert_int_equal(first, 77);
    for (int j = 0; j < 3; j++) {
        assert_int_equal(k[j].type, keys[j].type);
        assert_true(val_equal_key(&k[j], &keys[j]) || keys[j].type == VT_NULL);
    }
    LiqBuf j1 = {0}, j2 = {0};
    jdom_write(&j1, keys[3].v.p);
    jdom_write(&j2, k[3].v.p);
    assert_int_equal(j1.len, j2.len);
    assert_memory_equal(j1.p, j2.p, j1.len);
    for (int a = 0; a < 5; a++)
        same_result(fns[a], st + offs[a], back + offs[a], 50);
    assert_int_equal(partial_get_group(p + n, end, &sh, &m, &h, &first, k, back), end - p - n);
    assert_int_equal(h, 5);

    /* every prefix of the first group is refused; so is a length that runs past the end */
    for (size_t cut = 0; cut < n; cut++) {
        unsigned char *t = apr_pcalloc(pool, off);
        for (int a = 0; a < 5; a++)
            agg_table[fns[a]]->init(t + offs[a]);
        assert_int_equal(partial_get_group(p, p + cut, &sh, &m, &h, &first, k, t), 0);
        destroy_all(fns, offs, 5, t);
    }
    char *bad = apr_pmemdup(pool, p, n);
    uint32_t len;
    memcpy(&len, bad, 4);
    len += 1;
    memcpy(bad, &len, 4);
    destroy_all(fns, offs, 5, back);
    for (int a = 0; a < 5; a++)
        agg_table[fns[a]]->init(back + offs[a]);
    assert_int_equal(partial_get_group(bad, bad + n, &sh, &m, &h, &first, k, back), 0);
    destroy_all(fns, offs, 5, back);
    destroy_all(fns, offs, 5, st);

    /* another shape, another version */
    int other[5] = {FN_count, FN_sum, FN_pct, FN_count_distinct, FN_latest};
    PartialShape sh2 = {4, 5, other, offs}, sh3 = {3, 5, fns, offs};
    assert_int_equal(partial_get_header(out.p, out.p + out.len, &sh2), 0);
    assert_int_equal(partial_get_header(out.p, out.p + out.len, &sh3), 0);
    out.p[4] = (char)(PARTIAL_VERSION + 1);
    assert_int_equal(partial_get_header(out.p, out.p + out.len, &sh), 0);
    buf_free(&out);
    buf_free(&j1);
    buf_free(&j2);
}

int main(void)
{
    apr_initialize();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_aggregate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_count_distinct_hll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    apr_terminate();
    return rc;
}
