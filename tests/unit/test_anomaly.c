/* test_anomaly.c -- unit tests of engine/anomaly: time cells, merging, the detectors' rules
 *
 * The property that makes `pattern | anomaly` the same for every thread count: statistics
 * gathered in pieces (each piece on its own, narrower cells) and merged in any order hold
 * exactly the cells of the whole gathered at once. Then the frame arithmetic (round bucket
 * widths, the recent quarter) and one case per detector at its threshold, worked out by hand.
 * Partial results: statistics saved and loaded are the same bytes again, and the loader
 * refuses every cut and what an_add could not have made.
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
#include "engine/pattern/anomaly.h"

enum { HOUR = 3600000, MIN = 60000 };
static const int64_t DAY0 = 1795392000000LL; /* 2026-11-23T00:00:00Z */

/* a record of template "<ts> took <N>ms" at ts with value text v */
static void add(AnStats *a, int64_t *tmin, int64_t *tmax, int64_t *n, int64_t ts, const char *v)
{
    if (!*n || ts < *tmin)
        *tmin = ts;
    if (!*n || ts > *tmax)
        *tmax = ts;
    (*n)++;
    AnTok t = {v, strlen(v), 2};
    an_add(a, an_gexp(*tmin, *tmax), ts, &t, 1);
}

/* The same cells: keys, counts, and sums to the bit (exact sums: no order of additions,
 * split or merge changes them) */
static void same_cells(const AnSeries *x, const AnSeries *y)
{
    assert_int_equal(x->n, y->n);
    for (int i = 0; i < x->n; i++) {
        assert_true(x->c[i].key == y->c[i].key);
        assert_true(x->c[i].n == y->c[i].n);
        double a[2] = {xsum_value(&x->c[i].sum), xsum_value(&x->c[i].sumsq)};
        double b[2] = {xsum_value(&y->c[i].sum), xsum_value(&y->c[i].sumsq)};
        assert_memory_equal(a, b, sizeof(a));
    }
}

static void test_widths(void **state)
{
    (void)state;
    assert_int_equal(an_width(0), 1);
    assert_int_equal(an_width(7), 60000);
    assert_int_equal(an_width(11), HOUR);
    assert_int_equal(an_width(15), 86400000);
    /* every width divides the next: coarsening is exact */
    for (int w = 0; w < 30; w++)
        assert_int_equal(an_width(w + 1) % an_width(w), 0);
    /* a day in fewer than 512 cells: 5 min (288 cells), not 1 min (1440) */
    assert_int_equal(an_width(an_gexp(DAY0, DAY0 + 24 * HOUR - 1)), 5 * MIN);
    /* negative times (before 1970) floor too */
    assert_int_equal(an_gexp(-1000, -1), 1);
    /* far past the table the widths stop growing below what an int64 holds (a shift by 44
     * overflowed before: scan-build, UBSan), and two of them cover the whole int64 range */
    for (int w = 30; w < 80; w++)
        assert_true(an_width(w) > 0 && an_width(w) >= an_width(w - 1));
    assert_true(an_width(79) > INT64_MAX / 2);
}

static void test_merge_any_order(void **state)
{
    (void)state;
    /* 600 records over a day; the whole at once, and in three pieces merged two ways. The
     * values mix magnitudes that cancel (1.2e14 and -9.9e13) with small decimals, so that
     * adding them as doubles in another order gives other last bits: the sums must not */
    AnStats *whole = an_new(), *p[3] = {an_new(), an_new(), an_new()};
    AnStats *q[3] = {an_new(), an_new(), an_new()};
    int64_t wmin = 0, wmax = 0, wn = 0, pmin[3] = {0}, pmax[3] = {0}, pn[3] = {0};
    int64_t qmin[3] = {0}, qmax[3] = {0}, qn[3] = {0};
    for (int i = 0; i < 600; i++) {
        int64_t ts = DAY0 + (int64_t)i * 143999 + (i % 7) * 1000;
        char v[32];
        if (i % 10 == 0)
            snprintf(v, sizeof(v), "123456789012345.7ms");
        else if (i % 10 == 5)
            snprintf(v, sizeof(v), "-98765432109876.3ms");
        else
            snprintf(v, sizeof(v), "0.%03dms", 1 + i * 37 % 997);
        add(whole, &wmin, &wmax, &wn, ts, v);
        int k = i < 50 ? 0 : i < 400 ? 1 : 2; /* contiguous pieces: narrow spans, fine cells */
        add(p[k], &pmin[k], &pmax[k], &pn[k], ts, v);
        add(q[i % 3], &qmin[i % 3], &qmax[i % 3], &qn[i % 3], ts, v); /* interleaved */
    }
    an_merge(p[2], p[0]);
    an_merge(p[2], p[1]);
    an_merge(q[0], q[1]);
    an_merge(q[0], q[2]);
    int g = an_gexp(wmin, wmax);
    an_coarsen(whole, g);
    an_coarsen(p[2], g);
    an_coarsen(q[0], g);
    assert_true(p[2]->nts == 600 && q[0]->nts == 600);
    assert_true(p[2]->tmin == whole->tmin && p[2]->tmax == whole->tmax);
    same_cells(&whole->cells, &p[2]->cells);
    same_cells(&whole->cells, &q[0]->cells);
    same_cells(&whole->pos[0].cells, &p[2]->pos[0].cells);
    same_cells(&whole->pos[0].cells, &q[0]->pos[0].cells);
    assert_int_equal(p[2]->pos[0].over, 1); /* many values: more than AN_MAXVALS */
    for (int i = 0; i < 3; i++) {
        an_free(p[i]);
        an_free(q[i]);
    }
    an_free(whole);
}

/* an_save then an_load gives statistics that save to the same bytes; every cut, and bytes an_add
 * could not have made, load as NULL */
static void test_save_load(void **state)
{
    (void)state;
    AnStats *a = an_new();
    int64_t tmin = 0, tmax = 0, n = 0;
    for (int i = 0; i < 300; i++) {
        char v[16];
        snprintf(v, sizeof(v), i % 50 ? "%dms" : "slow%d", 10 + i % 5);
        add(a, &tmin, &tmax, &n, DAY0 + (int64_t)i * 97531, v);
    }
    assert_true(a->npos == 1 && a->pos[0].nvals > 0 && a->cells.n > 1);
    LiqBuf b = {0}, b2 = {0};
    an_save(a, &b);
    const char *p = b.p;
    AnStats *c = an_load(&p, b.p + b.len, 3);
    assert_non_null(c);
    assert_true(p == b.p + b.len);
    an_save(c, &b2);
    assert_int_equal(b.len, b2.len);
    assert_memory_equal(b.p, b2.p, b.len);
    assert_true(an_bytes(c) <= an_bytes(a)); /* its arrays are no larger than a's */
    an_free(c);
    for (size_t cut = 0; cut < b.len; cut++) { /* every cut */
        p = b.p;
        assert_null(an_load(&p, b.p + cut, 3));
    }
    p = b.p; /* the position (token 2) past a template of 2 tokens */
    assert_null(an_load(&p, b.p + b.len, 2));
    /* the records' cells have integral sums (0): a cell is key, count, two sums of 11 bytes
     * (i64, u8 flags, u16 partials: none), 4xx, 5xx = 54 bytes, the first at byte 32 */
    /* a sum's flags past the two it has: refused */
    LiqBuf b3 = {0};
    an_save(a, &b3);
    assert_int_equal(b3.p[32 + 16 + 8], 0);
    b3.p[32 + 16 + 8] = 4;
    p = b3.p;
    assert_null(an_load(&p, b3.p + b3.len, 3));
    buf_free(&b3);
    /* cells out of order: the second cell's key made the first's */
    int64_t k0;
    memcpy(&k0, b.p + 32, 8);
    memcpy(b.p + 32 + 54, &k0, 8);
    p = b.p;
    assert_null(an_load(&p, b.p + b.len, 3));
    /* a width index out of range */
    an_save(a, &b2);
    int32_t g = 99;
    memcpy(b2.p + b.len, &g, 4);
    p = b2.p + b.len;
    assert_null(an_load(&p, b2.p + b2.len, 3));
    buf_free(&b);
    buf_free(&b2);
    an_free(a);
}

static void test_frame(void **state)
{
    (void)state;
    AnFrame f;
    /* a day: 24 one-hour buckets, the last 6 are recent */
    assert_true(an_frame(&f, DAY0, DAY0 + 24 * HOUR - 1, an_gexp(DAY0, DAY0 + 24 * HOUR - 1)));
    assert_true(f.bw == HOUR && f.nb == 24 && f.split == 18);
    assert_true(f.split_ms == DAY0 + 18 * HOUR);
    /* two days: 2 h buckets are no round width here: 3 h, 16 buckets, 4 recent */
    assert_true(an_frame(&f, DAY0, DAY0 + 48 * HOUR - 1, an_gexp(DAY0, DAY0 + 48 * HOUR - 1)));
    assert_true(f.bw == 3 * HOUR && f.nb == 16 && f.split == 12);
    /* no span, or too short a one for six buckets of any width */
    assert_false(an_frame(&f, DAY0, DAY0, 0));
    assert_false(an_frame(&f, DAY0, DAY0 + 3, 0));
}

/* n records of a one-token template spread over the hours given, value v(i) */
static AnStats *series(const int *hours, int nh, int per_hour, const char *(*v)(int, int))
{
    AnStats *a = an_new();
    int64_t tmin = 0, tmax = 0, n = 0;
    for (int h = 0; h < nh; h++)
        for (int k = 0; k < per_hour; k++)
            add(a, &tmin, &tmax, &n, DAY0 + hours[h] * (int64_t)HOUR + k * MIN, v(hours[h], k));
    return a;
}

static const char *steady(int h, int k)
{
    static char b[16];
    snprintf(b, sizeof(b), "%d", 40 + (h + k) % 3);
    return b;
}

static const char *status(int h, int k)
{
    return h >= 18 && k < 2 ? "500" : "200";
}

static int detect(AnStats *a, AnFinding *out)
{
    AnFrame f;
    int g = an_gexp(DAY0, DAY0 + 24 * HOUR - 1);
    an_coarsen(a, g);
    assert_true(an_frame(&f, DAY0, DAY0 + 24 * HOUR - 1, g));
    f.baseline = 1000;
    int tokord[4] = {0, 0, 1, 0};
    return an_detect(a, &f, "Unknown", tokord, out);
}

static void test_detectors(void **state)
{
    (void)state;
    int all[24];
    for (int h = 0; h < 24; h++)
        all[h] = h;
    AnFinding out[1 + AN_MAXPOS];
    /* steady numbers, every hour: nothing */
    AnStats *a = series(all, 24, 5, steady);
    assert_int_equal(detect(a, out), 0);
    an_free(a);
    /* status codes: 2 of 5 are 500 after 18:00, none before: an HTTP error anomaly, High */
    a = series(all, 24, 5, status);
    assert_int_equal(detect(a, out), 1);
    assert_int_equal(out[0].kind, AN_HTTP_ERROR);
    assert_int_equal(out[0].prio, AN_HIGH);
    assert_true(out[0].ts == DAY0 + 18 * HOUR);
    assert_string_equal(out[0].desc.p, "<Token-1>: HTTP errors are 40.0% of the last 6 h "
                                       "(12 of 30: 0 4xx, 12 5xx), against 0.0% before");
    buf_free(&out[0].desc);
    an_free(a);
    /* only after 20:00: a new pattern */
    int late[] = {20, 21};
    a = series(late, 2, 3, steady);
    assert_int_equal(detect(a, out), 1);
    assert_int_equal(out[0].kind, AN_NEW_PATTERN);
    assert_true(out[0].ts == DAY0 + 20 * HOUR);
    buf_free(&out[0].desc);
    an_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_widths),
        cmocka_unit_test(test_merge_any_order),
        cmocka_unit_test(test_save_load),
        cmocka_unit_test(test_frame),
        cmocka_unit_test(test_detectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
