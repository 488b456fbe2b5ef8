/* civil.h -- the proleptic Gregorian calendar as day counts since 1970-01-01
 *
 * Pure arithmetic (Howard Hinnant's days_from_civil / civil_from_days), exact for every
 * int64 day count a millisecond timestamp can hold; no time zones, no locale. Timestamps
 * (engine/input/ts.h), their text form (engine/data/val.c) and the date kernels build on it.
 *
 * Interface:
 *   civil_days   days since 1970-01-01 of year y, month m (1-12), day d (1-31)
 *   civil_date   the date of a day count
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_CIVIL_H
#define LIQ_CIVIL_H

#include <stdint.h>

int64_t civil_days(int64_t y, unsigned m, unsigned d);
void civil_date(int64_t days, int *y, unsigned *m, unsigned *d);

#endif
