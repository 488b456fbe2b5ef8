/* test_memfind.c -- unit tests of engine/memfind: mem_find against glibc's memmem
 *
 * mem_find must return exactly what memmem returns. The cases put needles at every offset
 * around the 16- and 32-byte block edges and at the very end, use needles made of the same
 * byte (many first/last matches, few full ones), and finish with 20,000 random haystacks over a
 * three-letter alphabet, where near-matches are everywhere.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "base/memfind.h"

static void same(const char *h, size_t hn, const char *n, size_t nn)
{
    const char *want = memmem(h, hn, n, nn), *got = mem_find(h, hn, n, nn);
    if (want != got)
        fail_msg("hn %zu nn %zu: memmem %td, mem_find %td", hn, nn, want ? want - h : -1,
                 got ? got - h : -1);
}

static void test_edges(void **state)
{
    (void)state;
    char h[200];
    const char *needles[] = {"ERROR", "ab", "\"level\":\"ERROR\"", "x", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"};
    for (size_t k = 0; k < sizeof(needles) / sizeof(needles[0]); k++) {
        size_t nn = strlen(needles[k]);
        for (size_t hn = 0; hn <= 120; hn++)
            for (size_t at = 0; at + nn <= hn; at++) {
                memset(h, '.', hn);
                memcpy(h + at, needles[k], nn);
                same(h, hn, needles[k], nn);
            }
        memset(h, '.', 100); /* absent */
        same(h, 100, needles[k], nn);
    }
    same("abc", 3, "", 0);
    same("ab", 2, "abc", 3);
}

static void test_same_bytes(void **state)
{
    (void)state;
    char h[300], n[40];
    for (size_t nn = 2; nn < 40; nn++) {
        memset(n, 'a', nn);
        for (size_t run = 0; run < 100; run++) {
            memset(h, 'a', sizeof(h));
            for (size_t i = run; i < sizeof(h); i += run + 1)
                h[i] = 'b'; /* runs of `run` a's */
            same(h, sizeof(h), n, nn);
        }
    }
}

static void test_random(void **state)
{
    (void)state;
    char h[400], n[12];
    srand(7);
    for (int t = 0; t < 20000; t++) {
        size_t hn = (size_t)(rand() % 400), nn = (size_t)(rand() % 11) + 1;
        for (size_t i = 0; i < hn; i++)
            h[i] = "abc"[rand() % 3];
        for (size_t i = 0; i < nn; i++)
            n[i] = "abc"[rand() % 3];
        same(h, hn, n, nn);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_same_bytes),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
