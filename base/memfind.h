/* memfind.h -- substring search for the hot loops (prefilters, `like "text"`, filter patterns)
 *
 * mem_find(h, hn, n, nn) returns the first occurrence of n in h, like memmem. It compares the
 * needle's first and last bytes against 16 or 32 positions at once (SSE2, or AVX2 when the
 * CPU has it), and checks the middle only where both match -- several times faster than
 * glibc's memmem for the short literals queries hold.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_MEMFIND_H
#define LIQ_MEMFIND_H

#include <stddef.h>

const char *mem_find(const char *h, size_t hn, const char *n, size_t nn);

#endif
