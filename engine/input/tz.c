/* tz.c -- fixed-offset and IANA time zones (see tz.h)
 *
 * TZif format (RFC 8536): a 44-byte header (magic "TZif", version, six big-endian counts),
 * the v1 data with 32-bit times, then for version 2 and later a second header and the same
 * data with 64-bit times. Only transition times, their type indices and the types' offsets
 * are used.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "engine/input/tz.h"

/* "+hh", "+hhmm", "+hh:mm" (or '-'): seconds east of UTC */
static int fixed_offset(const char *s, int32_t *off)
{
    if ((s[0] != '+' && s[0] != '-') || strlen(s) < 3)
        return 0;
    int d[4], n = 0;
    for (const char *p = s + 1; *p; p++) {
        if (*p == ':' && n == 2 && p == s + 3)
            continue;
        if (*p < '0' || *p > '9' || n == 4)
            return 0;
        d[n++] = *p - '0';
    }
    if (n != 2 && n != 4)
        return 0;
    int h = d[0] * 10 + d[1], m = n == 4 ? d[2] * 10 + d[3] : 0;
    if (h > 18 || m > 59)
        return 0;
    *off = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return 1;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* Parses a TZif file into z. Returns 0, or -1 when the data is not a TZif file. */
static int tzif(apr_pool_t *pool, const unsigned char *p, size_t n, TsZone *z)
{
    if (n < 44 || memcmp(p, "TZif", 4) != 0)
        return -1;
    int v2 = p[4] >= '2';
    size_t tsize = 4;
    for (int pass = 0; pass < 2; pass++) {
        if (n < 44 || memcmp(p, "TZif", 4) != 0)
            return -1;
        uint32_t isut = be32(p + 20), isstd = be32(p + 24), leap = be32(p + 28),
                 timecnt = be32(p + 32), typecnt = be32(p + 36), charcnt = be32(p + 40);
        if (timecnt > 100000 || typecnt == 0 || typecnt > 256 || charcnt > 100000 ||
            leap > 100000 || isut > 256 || isstd > 256)
            return -1;
        size_t body =
            timecnt * tsize + timecnt + typecnt * 6 + charcnt + leap * (tsize + 4) + isstd + isut;
        if (n < 44 + body)
            return -1;
        if (pass == 0 && v2) { /* skip the 32-bit data: the 64-bit block follows */
            p += 44 + body;
            n -= 44 + body;
            tsize = 8;
            continue;
        }
        const unsigned char *times = p + 44, *idx = times + timecnt * tsize, *types = idx + timecnt;
        int64_t *at = apr_palloc(pool, sizeof(int64_t) * (timecnt + 1));
        int32_t *off = apr_palloc(pool, sizeof(int32_t) * (timecnt + 1));
        for (uint32_t i = 0; i < timecnt; i++) {
            at[i] = tsize == 8 ? be64(times + 8 * i) : (int32_t)be32(times + 4 * i);
            unsigned t = idx[i];
            if (t >= typecnt)
                return -1;
            off[i] = (int32_t)be32(types + 6 * t);
        }
        /* before the first transition: the first standard-time type (RFC 8536 3.2) */
        z->off0 = (int32_t)be32(types);
        for (uint32_t t = 0; t < typecnt; t++)
            if (!types[6 * t + 4]) {
                z->off0 = (int32_t)be32(types + 6 * t);
                break;
            }
        z->n = (int)timecnt;
        z->at = at;
        z->off = off;
        return 0;
    }
    return -1;
}

TsZone *tz_open(apr_pool_t *pool, const char *name, char *err, size_t errlen)
{
    TsZone *z = apr_pcalloc(pool, sizeof(*z));
    z->name = apr_pstrdup(pool, name);
    if (!strcmp(name, "UTC") || !strcmp(name, "Z") || !strcmp(name, "GMT") ||
        fixed_offset(name, &z->off0))
        return z;
    /* an IANA name: letters, digits, '_', '-', '+', '/'; no "..", not absolute */
    int ok = name[0] && name[0] != '/' && !strstr(name, "..");
    for (const char *p = name; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
             *p == '_' || *p == '-' || *p == '+' || *p == '/';
    if (!ok) {
        snprintf(err, errlen,
                 "'%s' is not a time zone (UTC, +02:00, -0530 or a name such as "
                 "Europe/Paris)",
                 name);
        return NULL;
    }
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    const char *path = apr_pstrcat(pool, dir, "/", name, NULL);
    FILE *fp = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t len = 0;
    if (fp) {
        buf = mem_alloc(1 << 20);
        len = fread(buf, 1, 1 << 20, fp);
        fclose(fp);
    }
    if (!fp || tzif(pool, buf, len, z) != 0) {
        snprintf(err, errlen, "unknown time zone '%s' (%s: %s)", name, path,
                 fp ? "not a TZif file" : "not found");
        free(buf);
        return NULL;
    }
    free(buf);
    return z;
}

/* The offset in seconds in effect at a UTC time. */
static int32_t offset_at(const TsZone *z, int64_t utc_s)
{
    if (z->n == 0 || utc_s < z->at[0])
        return z->off0;
    int lo = 0, hi = z->n - 1; /* the last transition at or before utc_s */
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (z->at[mid] <= utc_s)
            lo = mid;
        else
            hi = mid - 1;
    }
    return z->off[lo];
}

static int64_t floor_s(int64_t ms)
{
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

int64_t tz_local_to_utc(const TsZone *z, int64_t local_ms)
{
    if (z->n == 0)
        return local_ms - (int64_t)z->off0 * 1000;
    int64_t local_s = floor_s(local_ms);
    /* the offsets a day before and after: equal but near a transition; else try both */
    int32_t a = offset_at(z, local_s - 86400), b = offset_at(z, local_s + 86400);
    if (a == b)
        return local_ms - (int64_t)a * 1000;
    int32_t o1 = offset_at(z, local_s - a), o2 = offset_at(z, local_s - b);
    if (o1 == a) /* reading with the earlier offset is consistent (overlaps: the first) */
        return local_ms - (int64_t)a * 1000;
    if (o2 == b)
        return local_ms - (int64_t)b * 1000;
    return local_ms - (int64_t)a * 1000; /* in a gap: the offset before it */
}
