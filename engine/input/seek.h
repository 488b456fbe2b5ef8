/* seek.h -- the time seek: where a time-sorted line input enters and leaves --start/--end
 *
 * An uncompressed regular file of a line format (FMT_LINES, FMT_COLUMNS) read with --start
 * and/or --end is entered by binary search when it looks sorted by time: seek_range probes
 * evenly spaced lines, each timestamped by the decoder's own rule (the caller's SeekLineTs:
 * src.c gives dec_line_ts, so --timestamp-field/-format and --tz apply), requires
 * them to be non-decreasing, and finds by binary search the first line at or after --start
 * and the first line after --end; the read then covers that span widened by one probe
 * interval on each side. Lines without a timestamp never match a time range (L20, L24), so
 * they may sit anywhere. The sample is no proof: src.c has the workers check that the records
 * actually read stay sorted (src_seek_unsorted), and a record out of order in the skipped
 * parts is lost (README, "--start/--end on sorted files").
 *
 * Interface:
 *   seek_range  the byte span [lo, hi) of a sorted input to read, or 0: read it all
 *   seek_ts_at  the timestamp of the first timestamped record at or after a line start
 *
 * Ownership: nothing is kept; decoded strings go to the pool given, which the caller clears.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_SEEK_H
#define LIQ_SEEK_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>
#include "engine/input/src_win.h"

/* The timestamp of the record one line makes (line: len > 0 bytes without the newline): 1
 * and *ms, or 0 when the line is no record (a header) or has no timestamp. ctx: the caller's;
 * strings decoded into pool, which the seek clears. */
typedef int (*SeekLineTs)(const void *ctx, const char *line, size_t len, apr_pool_t *pool,
                          int64_t *ms);

/* ts, ctx: how a line-format input's lines are timestamped; w reads its bytes [0, n)
 * (n: w->lim); max_line: --max-line
 * (records are cut there, as run_morsel does). has_start/start, has_end/end: the range (ms,
 * inclusive). Returns 1 with [*lo, *hi) (line starts, or n) when the probed lines are sorted
 * and timestamped; 0 when the input must be read whole (also when a read came back short: the
 * file shrank). Costs a few hundred line decodes and as many reads of SRC_WIN bytes. */
int seek_range(SeekLineTs ts, const void *ctx, SrcWin *w, size_t max_line, int has_start,
               int64_t start, int has_end, int64_t end, apr_pool_t *pool, size_t *lo, size_t *hi);

/* The timestamp of the first record with one among the SEEK_SCAN_LINES records from line start
 * off (at most), reading through w: 1 and *ms, or 0 (none, off at the end, or the file
 * shrank). */
int seek_ts_at(SeekLineTs ts, const void *ctx, SrcWin *w, size_t off, size_t max_line,
               apr_pool_t *pool, int64_t *ms);

#endif
