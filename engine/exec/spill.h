/* spill.h -- rows written to temporary files when a state passes the memory limit
 *
 * A sort without limit whose rows pass the run's memory budget (budget.h) writes them, sorted,
 * as a run to a spill file and goes on with an empty state; finalize merges the runs and the
 * rows still in memory (a k-way merge by the same comparison, keys then order key, so ties
 * break exactly as in memory) and hands the result on in chunks (RowStream), never whole.
 *
 * Spill files are made in the run's temporary directory (--temp-dir; else $TMPDIR, else /tmp)
 * with O_TMPFILE, or mkstemp and an unlink at once where the file system has no O_TMPFILE:
 * no name is left on disk on any exit path, SIGKILL included; the space goes when the last
 * descriptor closes. A write or read that fails (ENOSPC, EIO) or a directory that cannot hold
 * files stops the run (budget_fail): liq says which directory and why.
 *
 * Row encoding (native byte order: files live and die with one process): per row, u32 bytes
 * that follow, u64 order key, then each slot: u8 type, u8 flags, then by type: nothing (null),
 * 8 bytes (bool, timestamp: i; number: f; string: its cached numeric view), u8 has-text and u32
 * length and bytes (number, string), u32 length and JSON text (map, list).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_SPILL_H
#define LIQ_SPILL_H

#include <stdint.h>
#include <apr_pools.h>
#include "base/buf.h"
#include "engine/data/val.h"

struct Budget;

typedef struct SpillFile SpillFile;

/* A new spill file in b's temporary directory, or NULL (budget_fail: the run stops). */
SpillFile *spill_file_new(struct Budget *b);
SpillFile *spill_file_ref(SpillFile *f);
void spill_file_unref(SpillFile *f);
/* Appends n bytes; their offset in *off. 0, or -1 after budget_fail. */
int spill_append(SpillFile *f, struct Budget *b, const void *p, size_t n, uint64_t *off);
/* Reads n bytes at off: 0, or -1 after budget_fail. */
int spill_read(SpillFile *f, struct Budget *b, void *p, size_t n, uint64_t off);

/* Runs of sorted rows in spill files: a state's list (RowSet.runs). */
typedef struct SpillRun {
    SpillFile *f;
    uint64_t off, len, nrows;
} SpillRun;
typedef struct SpillRuns {
    SpillFile *cur; /* the file the owner appends its next run to */
    SpillRun *r;
    size_t n, cap;
} SpillRuns;
/* Appends out[0..len) to the owner's file as one more run of nrows rows: 0, or -1 (failed,
 * budget_fail). *runs is made when NULL. */
int spill_runs_write(SpillRuns **runs, struct Budget *b, const LiqBuf *out, uint64_t nrows);
/* The same, written in pieces: out continues the last run of *runs with nrows more rows when
 * that run ends where the owner's file does (nothing was appended since), else it starts a new
 * run (start: always). A run's rows need not be in memory whole to be written: a sorted run
 * written in pieces is one run, or several sorted runs, which merge the same. */
int spill_runs_append(SpillRuns **runs, struct Budget *b, const LiqBuf *out, uint64_t nrows,
                      int start);
/* Moves src's runs to the end of *dst (src freed); a deep copy (files shared); free. */
void spill_runs_move(SpillRuns **dst, SpillRuns *src);
SpillRuns *spill_runs_copy(const SpillRuns *s);
void spill_runs_free(SpillRuns *s);

/* One value at the end of out (scratch: for JSON text); the value that starts at p, its
 * strings pointing into p, JSON parsed into pool: the bytes it took, 0 when [p, end) does not
 * hold a whole valid one. */
void spill_put_datum(LiqBuf *out, const Datum *d, LiqBuf *scratch);
size_t spill_get_datum(const char *p, const char *end, apr_pool_t *pool, Datum *d);

/* The order of a merge: the rows' key slots (desc[k]: descending; NULL: all ascending), each
 * with nulls last, then the order key: the order of sort (op_sort.c). The merge copies it;
 * the arrays must outlive it (the plan's). */
typedef struct SpillOrder {
    const int *key_slots;
    const int *desc;
    int nkeys;
} SpillOrder;

struct RowSet;
struct RowStream;
/* The rows of rs's runs and of rs itself (in the order perm gives, which must be ord's), merged
 * by ord into chunks whose order keys are 0, 1, ... (renumber, as sort gives them) or the
 * rows' own; takes rs (with its
 * runs and charge) and perm (malloc'd). Failed reads stop the run (budget_fail). */
struct RowStream *spill_merge_new(struct RowSet *rs, size_t *perm, const SpillOrder *ord,
                                  struct Budget *b, const char *who, int renumber);

/* Merges rs's runs by ord, a group at a time, into fewer, longer runs until a merge of all of
 * them fits: at most (a quarter of b's limit) / 4 KiB runs, 4 to 256 (a state that spilled
 * many small runs, dedup's partitions under a small limit). The rows and their order keys are
 * the same; a failed read or write stops the run (budget_fail). */
void spill_runs_reduce(struct RowSet *rs, const SpillOrder *ord, struct Budget *b,
                       const char *who);

/* One row (nslots values and its order key) at the end of out. */
void spill_put_row(LiqBuf *out, const Datum *row, int nslots, uint64_t order);
/* The row that starts at p (at least 4 bytes), its strings pointing into p, JSON values parsed
 * into pool; returns the bytes it took, or 0 when the row is not whole in [p, end). */
size_t spill_get_row(const char *p, const char *end, apr_pool_t *pool, Datum *row, int nslots,
                     uint64_t *order);

#endif
