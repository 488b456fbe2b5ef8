/* tz.h -- time zones for timestamps written without an offset (--tz)
 *
 * A zone is a fixed offset ("UTC", "Z", "+02:00", "-0530", "+05") or an IANA name
 * ("Europe/Paris") read from the compiled tz database ($TZDIR, else /usr/share/zoneinfo; the
 * TZif transitions, v2 64-bit data when present). Times after the last transition of the file
 * keep its last offset. Nothing here touches the process's TZ or calls localtime.
 *
 * Interface:
 *   tz_open          ZONE -> TsZone (allocated in pool), or NULL with err set
 *   tz_local_to_utc  a wall-clock time of the zone (as epoch ms read as if UTC) -> UTC epoch
 *                    ms; in a DST gap the offset before the gap applies, in an overlap the
 *                    first (daylight) reading wins
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_TZ_H
#define LIQ_TZ_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>

typedef struct TsZone {
    const char *name;
    int n;              /* transitions (0: a fixed offset) */
    const int64_t *at;  /* transition times, UTC epoch seconds, ascending */
    const int32_t *off; /* the offset in seconds east of UTC from at[i] on */
    int32_t off0;       /* before the first transition, or the fixed offset */
} TsZone;

TsZone *tz_open(apr_pool_t *pool, const char *name, char *err, size_t errlen);
int64_t tz_local_to_utc(const TsZone *z, int64_t local_ms);

#endif
