/* seek.c -- the time seek of sorted line inputs (see seek.h)
 *
 * Lines are the records run_morsel (pipe.c) makes: the bytes up to a newline, without a final
 * CR, cut at --max-line; blank lines and the header or comment lines of a positional format
 * are no records. A probe at byte offset o looks at the first line starting at or after o and
 * takes the first timestamped record among the next SEEK_SCAN_LINES; finding none makes the
 * input count as unsorted (read whole). Probes and every line the binary search or the final
 * linear walk looks at must agree with one non-decreasing order, else the input is read
 * whole too. Nothing here writes anything or fails hard: the worst answer is "read it all".
 *
 * The file is read through a window of pread calls (SrcWin, src.h), never mapped: a file that
 * shrinks meanwhile makes a read come back short, and the seek gives up (read it all; the
 * cut of the morsels then finds the shrink and reports it).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "engine/input/seek.h"

enum {
    SEEK_PROBES = 128,    /* probes of a large input */
    SEEK_MIN_PROBES = 16, /* of a small one: one per SEEK_PROBE_BYTES, at least this */
    SEEK_PROBE_BYTES = 65536,
    SEEK_SCAN_LINES = 64, /* records a probe may pass to find a timestamp */
    SEEK_LINEAR = 65536   /* the binary search ends in a walk over this many bytes */
};

typedef struct Seeker {
    SeekLineTs ts;
    const void *ctx;
    SrcWin *w; /* the file's bytes [0, n) */
    size_t n, max_line;
    apr_pool_t *pool;
} Seeker;

/* The first line start at or after off (n when none). */
static size_t line_at(Seeker *k, size_t off)
{
    if (off == 0)
        return 0;
    if (off >= k->n)
        return k->n;
    size_t nl = src_win_find(k->w, off - 1, k->n, '\n'); /* off itself when off - 1 ends a line */
    return nl < k->n && !k->w->shrunk ? nl + 1 : k->n;
}

/* The start of the last line (0 when there is one line). */
static size_t last_line(Seeker *k)
{
    size_t off = k->n, got;
    const char *p = src_win_get(k->w, off - 1, 1, &got);
    if (got && *p == '\n')
        off--; /* the newline that ends the last line */
    while (off && !k->w->shrunk) {
        size_t from = off > SRC_WIN ? off - SRC_WIN : 0;
        p = src_win_get(k->w, from, off - from, &got);
        if (got < off - from)
            return 0;
        while (off > from && p[off - 1 - from] != '\n')
            off--;
        if (off > from)
            return off;
    }
    return 0;
}

/* The record of the line starting at p: 1 and its timestamp in *ms when it has one. *next:
 * the next line start (n when the file ended early). */
static int line_ts(Seeker *k, size_t p, size_t *next, int64_t *ms)
{
    size_t nl = src_win_find(k->w, p, k->n, '\n'), have = 0;
    size_t len = nl > p ? nl - p : 0, want = len > k->max_line ? k->max_line : len;
    *next = nl < k->n ? nl + 1 : k->n;
    const char *s = k->w->shrunk ? "" : src_win_get(k->w, p, want, &have);
    if (k->w->shrunk || have < want) {
        *next = k->n; /* the file shrank: seek_range gives up */
        return 0;
    }
    if (len <= k->max_line && len && s[len - 1] == '\r')
        len--;
    if (len > k->max_line)
        len = k->max_line;
    if (len == 0)
        return 0; /* no record */
    int got = k->ts(k->ctx, s, len, k->pool, ms);
    apr_pool_clear(k->pool);
    return got;
}

/* From line start p, before lim: the start of the first timestamped record among the next
 * SEEK_SCAN_LINES lines (*ms its time), or SIZE_MAX. */
static size_t ts_line(Seeker *k, size_t p, size_t lim, int64_t *ms)
{
    for (int i = 0; i < SEEK_SCAN_LINES && p < lim; i++) {
        size_t next;
        if (line_ts(k, p, &next, ms))
            return p;
        p = next;
    }
    return SIZE_MAX;
}

typedef struct Probe {
    size_t off; /* start of a timestamped record */
    int64_t ts;
} Probe;

/* The start of the first timestamped record with a time >= t (n when none), given probes
 * pr[0..np) sorted by time; -1 (as SIZE_MAX) when a line looked at breaks the order. */
static size_t first_at_least(Seeker *k, const Probe *pr, int np, int64_t t)
{
    int j = 0;
    while (j < np && pr[j].ts < t)
        j++;
    if (j == 0)
        return 0; /* before the first probe: only untimed lines (or the range starts early) */
    size_t lo = pr[j - 1].off, hi = j < np ? pr[j].off : k->n;
    int64_t tlo = pr[j - 1].ts, thi = j < np ? pr[j].ts : INT64_MAX;
    /* invariant: the record at lo is older than t; the answer lies in (lo, hi] */
    while (hi - lo > SEEK_LINEAR) {
        size_t p = line_at(k, lo + (hi - lo) / 2);
        if (p <= lo || p >= hi)
            break;
        int64_t ms;
        size_t q = ts_line(k, p, hi, &ms);
        if (q == SIZE_MAX)
            break; /* untimed lines: walk instead */
        if (ms < tlo || ms > thi)
            return SIZE_MAX; /* out of order */
        if (ms >= t) {
            hi = q;
            thi = ms;
        } else {
            lo = q;
            tlo = ms;
        }
    }
    /* walk the records after lo up to hi */
    size_t p, next;
    int64_t ms, prev = tlo;
    line_ts(k, lo, &p, &ms);
    for (; p < hi; p = next) {
        if (!line_ts(k, p, &next, &ms))
            continue;
        if (ms < prev || ms > thi)
            return SIZE_MAX;
        if (ms >= t)
            return p;
        prev = ms;
    }
    return hi;
}

int seek_ts_at(SeekLineTs ts, const void *ctx, SrcWin *w, size_t off, size_t max_line,
               apr_pool_t *pool, int64_t *ms)
{
    Seeker k = {ts, ctx, w, w->lim, max_line, pool};
    return off < k.n && ts_line(&k, off, k.n, ms) != SIZE_MAX && !w->shrunk;
}

int seek_range(SeekLineTs ts, const void *ctx, SrcWin *w, size_t max_line, int has_start,
               int64_t start, int has_end, int64_t end, apr_pool_t *pool, size_t *lo, size_t *hi)
{
    size_t n = w->lim;
    Seeker k = {ts, ctx, w, n, max_line, pool};
    if (n == 0 || max_line == 0 || (!has_start && !has_end))
        return 0;
    int want = (int)(n / SEEK_PROBE_BYTES);
    want = want < SEEK_MIN_PROBES ? SEEK_MIN_PROBES : want > SEEK_PROBES ? SEEK_PROBES : want;
    Probe pr[SEEK_PROBES + 1];
    int np = 0;
    for (int i = 0; i <= want; i++) {
        /* i == want: the last line of the input */
        size_t off;
        if (i < want) {
            size_t nw = (size_t)want, ii = (size_t)i;
            off = line_at(&k, n / nw * ii + n % nw * ii / nw);
        } else {
            off = last_line(&k);
        }
        if (off >= n)
            continue; /* a long last line holds the offset */
        int64_t ms;
        size_t q = ts_line(&k, off, n, &ms);
        if (q == SIZE_MAX && i == want)
            continue; /* the input ends in untimed lines: the walk handles them */
        if (q == SIZE_MAX)
            return 0; /* no timestamp near a probe */
        if (np && q == pr[np - 1].off)
            continue;
        if (np && (q < pr[np - 1].off || ms < pr[np - 1].ts))
            return 0; /* not sorted */
        pr[np].off = q;
        pr[np].ts = ms;
        np++;
    }
    if (np == 0)
        return 0;
    size_t a = 0, b = n;
    if (has_start && (a = first_at_least(&k, pr, np, start)) == SIZE_MAX)
        return 0;
    if (has_end && end < INT64_MAX && (b = first_at_least(&k, pr, np, end + 1)) == SIZE_MAX)
        return 0;
    /* one probe interval more on each side: a little disorder near the edges is read */
    size_t margin = n / (size_t)want;
    *lo = a > margin ? line_at(&k, a - margin) : 0;
    *hi = b < n - margin ? line_at(&k, b + margin) : n;
    if (*hi < *lo)
        *hi = *lo;
    return !w->shrunk; /* a file that shrank meanwhile is read whole (and found short) */
}
