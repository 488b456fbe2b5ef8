/* s3_prune.c -- event time bounds from S3 key date paths (see s3_prune.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <time.h>
#include "engine/s3/s3_prune.h"

enum { PRUNE_MAX_SEGS = 64 };
#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL
#define FIREHOSE_BUFFER_MS 900000LL /* the longest Firehose buffering interval */

typedef struct Seg {
    const char *p;
    size_t n;
} Seg;

static int split(const char *key, Seg *segs)
{
    int n = 0;
    const char *p = key;
    while (n < PRUNE_MAX_SEGS) {
        const char *e = strchr(p, '/');
        segs[n].p = p;
        segs[n].n = e ? (size_t)(e - p) : strlen(p);
        n++;
        if (!e)
            break;
        p = e + 1;
    }
    return n;
}

/* The value of a segment of exactly `digits` digits within [lo, hi], or -1. */
static int num(const Seg *s, size_t digits, int lo, int hi)
{
    if (s->n != digits)
        return -1;
    int v = 0;
    for (size_t i = 0; i < digits; i++) {
        if (s->p[i] < '0' || s->p[i] > '9')
            return -1;
        v = v * 10 + (s->p[i] - '0');
    }
    return v >= lo && v <= hi ? v : -1;
}

/* ms since the epoch of YYYY/MM/DD starting at segs[i], or -1 when they are not a date. */
static int64_t day_at(const Seg *segs, int i)
{
    int y = num(&segs[i], 4, 1970, 9999), m = num(&segs[i + 1], 2, 1, 12),
        d = num(&segs[i + 2], 2, 1, 31);
    if (y < 0 || m < 0 || d < 0)
        return -1;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    return (int64_t)timegm(&tm) * 1000;
}

S3DateKind s3_key_times(const char *key, int64_t *lo, int *has_lo, int64_t *hi)
{
    Seg segs[PRUNE_MAX_SEGS];
    int n = split(key, segs);
    *has_lo = 0;
    /* AWSLogs/[o-ORG/]ACCOUNT/SERVICE/REGION/YYYY/MM/DD/NAME */
    for (int a = 0; a < n; a++) {
        if (segs[a].n != 7 || memcmp(segs[a].p, "AWSLogs", 7) != 0)
            continue;
        for (int i = a + 4; i + 3 < n; i++) {
            int64_t day = day_at(segs, i);
            if (day < 0)
                continue;
            *lo = day - DAY_MS;
            *has_lo = 1;
            *hi = day + 2 * DAY_MS;
            return S3_DATE_AWSLOGS;
        }
        break;
    }
    /* .../YYYY/MM/DD/HH/NAME: the last such run of segments */
    for (int i = n - 5; i >= 0; i--) {
        int h = num(&segs[i + 3], 2, 0, 23);
        int64_t day = h < 0 ? -1 : day_at(segs, i);
        if (day < 0)
            continue;
        *hi = day + (int64_t)h * HOUR_MS + HOUR_MS + FIREHOSE_BUFFER_MS;
        return S3_DATE_FIREHOSE;
    }
    return S3_DATE_NONE;
}

int s3_prune(const char *key, int has_start, int64_t start_ms, int has_end, int64_t end_ms)
{
    if (!has_start && !has_end)
        return 0;
    int64_t lo = 0, hi = 0;
    int has_lo;
    if (s3_key_times(key, &lo, &has_lo, &hi) == S3_DATE_NONE)
        return 0;
    return (has_start && hi <= start_ms) || (has_end && has_lo && lo > end_ms);
}
