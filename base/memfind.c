/* memfind.c -- first-and-last-byte SIMD substring search (see memfind.h)
 *
 * For a needle of k >= 2 bytes, block i of the haystack is loaded twice: at i and at
 * i + k - 1. Comparing the first copy with the needle's first byte and the second with its
 * last byte gives, in one mask, the positions where a match can start; only those are
 * compared in full. Few positions pass both tests in text, so the loop runs at close to
 * memory speed. The last partial block goes to memmem. The AVX2 version is compiled with a
 * target attribute and chosen at run time by __builtin_cpu_supports, so the binary still runs
 * on any x86-64.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "base/memfind.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

static const char *find_sse2(const char *h, size_t hn, const char *n, size_t nn)
{
    const __m128i first = _mm_set1_epi8(n[0]), last = _mm_set1_epi8(n[nn - 1]);
    size_t i = 0;
    for (; i + 16 + nn - 1 <= hn; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(h + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(h + i + nn - 1));
        unsigned mask = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last)));
        while (mask) {
            unsigned j = (unsigned)__builtin_ctz(mask);
            if (memcmp(h + i + j + 1, n + 1, nn - 2) == 0)
                return h + i + j;
            mask &= mask - 1;
        }
    }
    return i < hn ? memmem(h + i, hn - i, n, nn) : NULL;
}

__attribute__((target("avx2"))) static const char *find_avx2(const char *h, size_t hn,
                                                              const char *n, size_t nn)
{
    const __m256i first = _mm256_set1_epi8(n[0]), last = _mm256_set1_epi8(n[nn - 1]);
    size_t i = 0;
    for (; i + 32 + nn - 1 <= hn; i += 32) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(h + i));
        __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(h + i + nn - 1));
        unsigned mask = (unsigned)_mm256_movemask_epi8(
            _mm256_and_si256(_mm256_cmpeq_epi8(a, first), _mm256_cmpeq_epi8(b, last)));
        while (mask) {
            unsigned j = (unsigned)__builtin_ctz(mask);
            if (memcmp(h + i + j + 1, n + 1, nn - 2) == 0)
                return h + i + j;
            mask &= mask - 1;
        }
    }
    return i < hn ? find_sse2(h + i, hn - i, n, nn) : NULL;
}

const char *mem_find(const char *h, size_t hn, const char *n, size_t nn)
{
    if (nn == 0)
        return h;
    if (nn > hn)
        return NULL;
    if (nn == 1)
        return memchr(h, n[0], hn);
    /* one load and test of the CPU model libgcc (or compiler-rt) fills in its constructor,
     * before main: a constant of the process, kept by the runtime, none of liq's */
    return __builtin_cpu_supports("avx2") ? find_avx2(h, hn, n, nn) : find_sse2(h, hn, n, nn);
}

#else

const char *mem_find(const char *h, size_t hn, const char *n, size_t nn)
{
    return memmem(h, hn, n, nn);
}

#endif
