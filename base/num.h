/* num.h -- numbers as text: the strict syntax of JSON/Insights number literals, and the output
 * form of L11
 *
 * In base/ because the CLI formats numbers too. The JSON readers, the value model and the
 * kernels agree on what reads as a number through num_parse, and every number liq prints goes
 * through num_format.
 *
 * Interface:
 *   num_parse    strict number syntax ("200", "2e2", "-0.5"; not " 200", "0x10", "inf"): 1 and
 *                the double, or 0
 *   num_format   a double as output text: integral values without a fraction, others in the
 *                shortest form that reads back to the same double, never in exponent form
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_NUM_H
#define LIQ_NUM_H

#include <stddef.h>
#include "base/buf.h"

int num_parse(const char *s, size_t len, double *out);
void num_format(LiqBuf *b, double f);

#endif
