/* liq.h -- the engine's public interface: compile a query, run it over inputs
 *
 * liq_compile parses, checks and plans a query (every problem becomes a diagnostic with a
 * span) into a LiqQuery, which is immutable: nothing in it changes while it runs, so it can
 * run many times, also in several threads at once (like a prepared SQLite statement). A run
 * (LiqRun) is one execution: its options, workers, counters, operator states and output live
 * in it. It executes the plan over the inputs with a pool of worker threads and hands result
 * rows to the caller's LiqOutput: format_row is called from any worker (it must be
 * thread-safe and only format), write is called one at a time with formatted rows in their
 * final order. The library never prints.
 *
 * The state seam: a query whose first stage ends in a breaker (stats, sort, limit, dedup,
 * pattern, diff, anomaly, unnest, --fields) accumulates a state that a run can hand out
 * (liq_run_state_take, with LiqRunOptions.keep_state) and take in from other runs of the same
 * compiled query (liq_run_state_merge): runs over parts of the inputs, merged, give exactly
 * the rows of one run over all of them when their order bases follow the order of the parts
 * (LiqRunOptions.order_base). liq_run_snapshot writes the result so far while a run goes on.
 *
 * Threads: liq_global_init once per process before anything else. A LiqQuery may be shared
 * by any number of threads and runs; a LiqRun belongs to the thread that executes it, except
 * liq_run_cancel and liq_run_snapshot, which any thread may call while it runs.
 *
 * Ownership: a LiqQuery lives in the pool given to liq_compile and must outlive its runs. A
 * LiqRun owns its memory (liq_run_new .. liq_run_free); what its LiqRunOptions point to is
 * the caller's and must outlive it. A LiqState owns its memory, independent of the run it
 * came from: it is freed by liq_run_state_merge or liq_state_free.
 *
 * Interface:
 *   liq_global_init  process set-up, once (liq_global_cleanup at the end)
 *   liq_compile      query text -> LiqQuery (NULL on errors)
 *   liq_explain      the plan as text (--explain)
 *   liq_columns      the result column names (header rows)
 *   liq_fields_query the discovered fields of the inputs, run like a query (--fields)
 *   liq_run          one run in one call: liq_run_new, liq_run_exec, liq_run_free
 *   liq_run_new      a run of a compiled query with its options
 *   liq_run_exec     execute it; returns a LiqStatus
 *   liq_run_cancel   stop it soon (any thread, also a signal handler)
 *   liq_run_snapshot the result so far, while it runs (any thread)
 *   liq_run_state_take / liq_run_state_merge / liq_state_free / liq_query_has_state
 *                    the state seam
 *   liq_run_free     its memory
 *   (below, "What a client asks the library": liq_compile_opts with parameters and
 *   --insights-defaults, what a compiled query tells its client, options checked as a user
 *   writes them, the function table)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_LIQ_H
#define LIQ_LIQ_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>
#include "base/buf.h"
#include "engine/data/val.h"
#include "base/diag.h"

typedef enum {
    LIQ_OK = 0,
    LIQ_EUSAGE = 2,      /* the query cannot run with these options (nothing was read) */
    LIQ_EINCOMPLETE = 3, /* ran, but some input was not fully read */
    LIQ_EINTERNAL = 4,
    LIQ_EOUTPUT = 5,     /* the output was closed (e.g. a pipe): stop quietly */
    LIQ_ECANCELLED = 6,  /* liq_run_cancel stopped the run: its results are partial */
    LIQ_EMEMORY = 7,     /* a state needed more than LiqRunOptions.memory_limit: stopped, no
                          * result (a diagnostic names the operator and the limit) */
} LiqStatus;

typedef struct LiqQuery LiqQuery;
typedef struct LiqRun LiqRun;
typedef struct LiqState LiqState;

/* Where a run's rows go. A query whose rows stream (no breaker in its first stage, as
 * 'filter ... | fields ...') hands them to write as they are made, in input order: one call
 * per morsel, so a client that flushes after each write shows the rows of a pipe (`tail -f
 * app.log | liq ...`) as its records arrive (engine/input/src.h, live inputs). */
typedef struct LiqOutput {
    void *ctx;
    void (*format_row)(void *ctx, const Datum *vals, int ncols, LiqBuf *out);
    int (*write)(void *ctx, const char *data, size_t len, const uint32_t *row_ends,
                 uint32_t nrows); /* nonzero: stop the run */
    /* Optional (NULL: none), called one at a time with write: the run's current input is a
     * live one (a pipe, a FIFO, a terminal) that wrote nothing for a while (200 ms,
     * SRC_IDLE_MS), and every row of what it wrote before is written: a writer that holds
     * rows back (a table waiting for its column widths) puts them out now. Nonzero: stop the
     * run. Only for queries whose rows stream. */
    int (*idle)(void *ctx);
} LiqOutput;

/* A byte range of a plain file the caller holds open (liq --follow, engine/follow.c): the run
 * reads [from, to) of fd (from at a line start, to after a newline or at the file's end) as
 * an input named path, with @log log and @logStream stream. The fd stays the caller's. */
typedef struct LiqRange {
    const char *path, *log, *stream;
    int fd;
    uint64_t from, to;
} LiqRange;

/* A log group the inputs of a run hold (--log-group NAME=PATH, docs/log-groups.md). */
typedef struct LiqLogGroup {
    const char *name; /* as CloudWatch writes it (/aws/lambda/fn), or ACCOUNT:NAME: its @log */
    const char *path; /* a file, a directory, '-' or an S3 URI (prefix or glob): its inputs */
} LiqLogGroup;

typedef struct LiqRunOptions {
    int threads;          /* worker threads (>= 1) */
    uint32_t batch_rows;  /* rows per batch (1..LIQ_VEC_SIZE); small values are for tests */
    size_t max_line;      /* longest record in bytes */
    int no_prefilter;     /* decode every record (tests compare both modes) */
    int has_start, has_end; /* --start/--end: records outside [start, end] are skipped (L24) */
    int64_t start_ms, end_ms;
    const char *const *inputs;
    int ninputs;
    const char *s3_endpoint; /* s3:// inputs: --endpoint-url (NULL: from the environment) */
    int s3_no_sign;          /* --no-sign-request */
    int s3_read_timeout;     /* seconds without data before a try fails (0: default) */
    int s3_concurrency;      /* objects downloaded at once (0: default 8; 1: one by one) */
    int profile;             /* count rows and time per operator (LiqRunStats.ops) */
    struct LiqProgress *progress; /* updated during the run when not NULL */
    const char *s3_cache_dir; /* --cache-dir: S3 objects kept there (NULL: none) */
    /* inputs (engine/input/src.h SrcOpts, engine/input/tsfmt.h) */
    const char *const *include; /* --include globs, ninclude of them */
    int ninclude;
    const char *const *exclude; /* --exclude globs */
    int nexclude;
    const char *input_format; /* --input-format (fmt_user_names in engine/input/fmt.h); NULL: sniff */
    const char *ts_field;     /* --timestamp-field; NULL: the rules of L20 */
    const char *ts_format;    /* --timestamp-format; NULL: ISO 8601 and epoch numbers */
    const char *tz;           /* --tz: the zone of zone-less timestamps; NULL: UTC */
    int no_seek; /* --no-seek: read sorted files whole with --start/--end (engine/input/seek.h) */
    /* the state seam (liq_run_state_take, liq_run_state_merge): */
    int keep_state;      /* end after the first stage has read every input, keeping its state
                          * for liq_run_state_take (nothing is written) */
    uint64_t order_base; /* where the run's morsel numbers start in the order keys that decide
                          * input order (order keys are (order_base + morsel) << 32 | record):
                          * a run over inputs that come after another run's starts at or past
                          * that run's order_base + LiqRunStats.morsels, for instance part i of
                          * up to 4096 parts at (uint64_t)i << 20 (2^20 morsels of about
                          * 1 MiB each); the sum stays below 2^32 */
    /* called after each morsel (about 1 MiB of input) is done, from the worker that did it,
     * with no lock of the run held: it may call liq_run_snapshot and liq_run_cancel (tests
     * drive snapshots at known points with it); NULL: none */
    void (*on_morsel)(LiqRun *run, void *ctx);
    void *on_morsel_ctx;
    /* timestamps and records of text inputs (docs/timestamps.md) */
    int year;                    /* --year: the year of timestamps written without one (RFC
                                  * 3164 syslog, logcat, --timestamp-format without %Y); 0:
                                  * each input's modification time decides (L20) */
    const char *multiline_start; /* --multiline-start: a line of a text input that matches
                                  * this regex starts a record, others continue the record
                                  * before (liq_multiline_check); NULL: the default rule */
    /* log groups (docs/log-groups.md): their inputs are read before `inputs`, in the order
     * given; those SOURCE does not select are never opened */
    const LiqLogGroup *log_groups;
    int nlog_groups;
    /* memory (docs/memory.md): the bytes the run's growing states (stats groups, dedup keys,
     * sort without limit, pattern clusters, ...) may hold together; past it the run stops with
     * LIQ_EMEMORY. 0: no limit. liq_memory_limit_default() gives the CLI's default. */
    uint64_t memory_limit;
    const char *temp_dir; /* where states spill (spill.h): NULL: $TMPDIR, else /tmp */
    /* byte ranges of open files (LiqRange), read before the log groups and inputs: what
     * --follow hands each of its runs */
    const LiqRange *ranges;
    int nranges;
    /* partial results (issue 16): when set, the warnings about fields no record has are not
     * made; the census they come from is appended here as bytes, for liq_census_merge */
    LiqBuf *census_out;
    /* ... and when set, neither are the warnings that count over whole inputs (records not
     * JSON, no timestamp, records cut, regexes failed): their tally is appended here, for
     * liq_tally_merge (engine/exec/tally.h) */
    LiqBuf *tally_out;
} LiqRunOptions;

/* Progress of a run, for a progress bar drawn by another thread while liq_run works: the
 * engine stores with relaxed atomics once per morsel (about 1 MiB), readers load them any
 * time. done and total are input bytes as stored (compressed bytes for gzip/zstd inputs);
 * bytes_scanned counts them decompressed. */
typedef struct LiqProgress {
    _Atomic uint64_t done;   /* bytes of the inputs read so far */
    _Atomic uint64_t total;  /* bytes of all inputs (set before the first morsel) */
    _Atomic int total_known; /* 0: some input's size is unknown (stdin, a pipe) */
    /* LiqRunStats.records_scanned and records_matched as they grow (once per morsel; with
     * pipeline 0 ending in the output, matched as the output takes rows): never more than
     * the final figures, equal to them when liq_run_exec returns */
    _Atomic uint64_t records_scanned;
    _Atomic uint64_t records_matched;
    /* LiqRunStats.bytes_scanned as it grows: plain bytes (after decompression) of the input
     * handed to the workers so far; never more than the final figure, equal to it when
     * liq_run_exec returns (unlike done, which counts bytes as stored) */
    _Atomic uint64_t bytes_scanned;
} LiqProgress;

/* --stats=verbose: one operator of the plan (or a stage around them) and what it did, summed
 * over the workers. Pipeline 0 starts with scan (reading, decompressing and cutting records),
 * then prefilter and time range when they apply; later pipelines start with rows (reading the
 * previous breaker's rows). The last entry of a pipeline is its breaker or output. */
typedef struct LiqOpStats {
    int pipeline;
    const char *name;  /* scan, prefilter, time range, rows, filter, stats, ..., output */
    const char *label; /* the command as written (lives with the query), or NULL */
    uint64_t rows_in, rows_out;
    uint64_t ns;       /* time spent in it, summed over the workers */
} LiqOpStats;

typedef struct LiqRunStats {
    uint64_t records_scanned; /* records read (workers ahead of a limit count theirs) */
    /* records that passed the first stage's commands (SOURCE, filter, ...) up to the point
     * the output stopped, counted in input order: the same for every thread count (what a
     * server returns as recordsMatched). A query whose first stage ends in its output stops
     * at a limit; one with stats, sort, ... there reads and counts everything. */
    uint64_t records_matched;
    uint64_t bytes_scanned;   /* plain bytes of the inputs read (after decompression; a
                               * container document, such as a CloudTrail file, whole) */
    uint64_t rows_out;
    uint64_t s3_pruned, s3_cached; /* S3 objects left out by --start/--end; read from the cache */
    uint64_t seek_skipped; /* bytes of sorted files left unread by the time seek */
    int seek_inputs;       /* files it entered */
    int inputs;
    uint64_t morsels; /* morsel numbers the run used (see LiqRunOptions.order_base) */
    /* the most rows a sort or limit state (a worker's or the run's) held at once: with a
     * limit of N about max(2N, 1024) however many records come in; without, every row */
    uint64_t rows_held;
    uint64_t mem_peak; /* the most bytes the run's states held at once (the memory budget's
                        * count: see LiqRunOptions.memory_limit) */
    int nops;         /* LiqRunOptions.profile: entries of ops (every stage of the plan) */
    LiqOpStats *ops;  /* ... in the run's memory (liq_run: in the pool of its diags); else NULL */
} LiqRunStats;

/* liq --splits (issue 16, docs/scale-out.md): plans up to n (>= 1) work units over
 * opt->inputs, balanced by bytes, in input order: each a line of inputs separated by spaces,
 * whole or as FILE@START-END byte ranges of plain files read by lines (engine/input/range.h),
 * for part K of `liq --partial --part-index K`; an input that is such a range is cut inside
 * it. Directories and compressed files stay whole.
 * S3 prefixes and globs are listed with opt's S3 settings, pruned by opt's --start/--end and
 * filtered by its --include/--exclude as a run does, and each object goes into a unit whole,
 * weighed by its size, as a name that reads as it does in that run (s3_unit_name,
 * engine/s3/s3.h). Sets *units (malloc'd strings in a malloc'd array, fewer than n when the
 * inputs cannot be cut finer) and returns LIQ_OK; else LIQ_EUSAGE (inputs that cannot be
 * split) or LIQ_EINCOMPLETE (an S3 listing failed), with err set and no unit. */
LiqStatus liq_splits(const LiqRunOptions *opt, int n, char ***units, int *nunits, char *err,
                     size_t errlen);

/* Process set-up, once, before any other liq function and before any thread uses liq (as
 * curl_global_init): libcurl for S3 inputs. APR must be initialised already
 * (apr_initialize). main(), the golden runner, the fuzzers and the unit tests call it. */
LiqStatus liq_global_init(void);
void liq_global_cleanup(void);

LiqQuery *liq_compile(apr_pool_t *pool, const char *text, size_t len, LiqDiagList *diags);
/* A query (text may be NULL: then rows show @timestamp, @logStream and @message, as
 * FilterLogEvents lists events) applied after a CloudWatch filter pattern. Diagnostics about
 * the pattern have where = " in filter pattern" and spans into the pattern. */
LiqQuery *liq_compile_pattern(apr_pool_t *pool, const char *text, size_t len,
                              const char *pattern, size_t plen, LiqDiagList *diags);
void liq_explain(const LiqQuery *q, LiqBuf *out);
int liq_columns(const LiqQuery *q, const char ***names);
/* Does the query need --start and --end (pattern | diff compares two periods)? */
int liq_needs_range(const LiqQuery *q);
/* The time range the query gives itself (SOURCE group start=-1d end=now, issue 20): the times
 * as written (for liq_time_parse; NULL where not given); 0 when it gives none. */
int liq_query_range(const LiqQuery *q, const char **start, const char **end);
/* liq --fields: a query whose run lists the fields the records of the inputs have (the
 * console's discovered fields): columns field, count (records with the field), types
 * ("string, number", ...), ordered by count descending, then name (engine/exec/discover.c). */
LiqQuery *liq_fields_query(apr_pool_t *pool);
/* Compile once, run once: a run of q with opt, executed and freed. st->ops (profile) then
 * lives in the pool of diags. */
LiqStatus liq_run(const LiqQuery *q, const LiqRunOptions *opt, const LiqOutput *out,
                  LiqRunStats *st, LiqDiagList *diags);

/* ===== Runs =====
 *
 * A run is one execution of a compiled query (SQLite's statement execution, DuckDB's
 * executor): liq_run_new copies the options (not what they point to); liq_run_exec runs it,
 * once, reporting problems with the inputs in diags (a LiqDiagList the caller owns) and
 * statistics in st (may be NULL); liq_run_free releases it. Several runs of one query may
 * execute at the same time in different threads. */
LiqRun *liq_run_new(const LiqQuery *q, const LiqRunOptions *opt);
LiqStatus liq_run_exec(LiqRun *run, const LiqOutput *out, LiqRunStats *st, LiqDiagList *diags);
/* Asks the run to stop: workers stop between batches (records already read are counted) and
 * liq_run_exec returns LIQ_ECANCELLED. Any thread, any time before liq_run_free; only stores
 * an atomic flag, so a signal handler may call it. */
void liq_run_cancel(LiqRun *run);
/* Writes to out the result the query would give if the inputs read so far were all there is,
 * while liq_run_exec goes on in another thread (or from LiqRunOptions.on_morsel): the workers
 * fold their states into the run's at their next morsel boundary, and the snapshot finalizes
 * a copy. Also before liq_run_exec (the merged states) and after a keep_state run. Returns
 * LIQ_OK, LIQ_EOUTPUT when out.write refused, LIQ_EINCOMPLETE when a regex could not be
 * evaluated, LIQ_EUSAGE when there is no state to show: the query streams its rows to the
 * output (no breaker in its first stage), or the run is finishing or finished, LIQ_EMEMORY
 * when the copy (charged to the run's memory budget as much as its states) or finalizing it
 * would pass memory_limit: no snapshot then, and the run goes on. */
LiqStatus liq_run_snapshot(LiqRun *run, const LiqOutput *out);
/* The first stage's accumulated state, before finalize: after a keep_state run (or before
 * liq_run_exec: the states merged so far); NULL when the run has none (the query has no
 * breaker, or the state was taken). The run no longer has it. */
LiqState *liq_run_state_take(LiqRun *run);
/* Adds a state of another run of the same compiled query (the same LiqQuery) to this run's,
 * before liq_run_exec (which then finishes the query: the rest of the pipeline and the
 * output; with no inputs, ninputs 0, it reads nothing) or after a keep_state run. Takes st
 * (freed); LIQ_EUSAGE, st left to the caller, when it belongs to another query or the run is
 * executing or finished. The result does not depend on the order of merges. */
LiqStatus liq_run_state_merge(LiqRun *run, LiqState *st);
void liq_state_free(LiqState *st);
/* Does the query's first stage end in a breaker, whose state the seam takes and merges? (No:
 * its rows stream to the output, as 'filter ... | fields ...' or 'filter ... | limit N'.) */
int liq_query_has_state(const LiqQuery *q);
void liq_run_free(LiqRun *run);

/* ===== Partial results (issue 16, docs/partial-format.md) =====
 *
 * liq --partial and --merge: a keep_state run's state as bytes, and bytes back into a run of
 * the same query (the container around them, with the query's fingerprint, the part's
 * ordinal and its diagnostics, is the client's: cli/partial.c). A query whose first stage has
 * no breaker gives rows instead: the output's values, each with its order key. */

/* Why q cannot be run as partial results, as a sentence naming the command, or NULL. */
const char *liq_partial_refusal(const LiqQuery *q);
/* Appends the state of run (a keep_state run of q that has executed) to out: LIQ_OK, or
 * LIQ_EINTERNAL when a spill file cannot be read back. The run keeps no state after. */
LiqStatus liq_partial_save(const LiqQuery *q, LiqRun *run, LiqBuf *out);
/* Adds the state in p[0..n) (from liq_partial_save of a run of the same query) to run's, as
 * liq_run_state_merge does: LIQ_OK, LIQ_EINCOMPLETE when the bytes are not a whole valid
 * state of q, LIQ_EUSAGE when the run takes no state (executing, or another query),
 * LIQ_EINTERNAL when the state's groups could not be written to a spill file in the run's
 * temporary directory (LiqRunOptions.temp_dir; liq_run_spill_error says why; the run is
 * stopped). */
LiqStatus liq_partial_merge(const LiqQuery *q, LiqRun *run, const char *p, size_t n);
/* The errno of the spill file run could not write (0: none), and its directory in *dir. */
int liq_run_spill_error(LiqRun *run, const char **dir);
/* The rows of a query without a breaker: the header of rows of ncols output values, a row,
 * and reading them back (the header's bytes or 0; a row's bytes, its strings pointing into p
 * and JSON parsed into pool, or 0 when [p, end) does not start with a whole valid one). */
void liq_partial_rows_header(LiqBuf *out, int ncols);
size_t liq_partial_rows_check(const char *p, const char *end, int ncols);
void liq_partial_row(LiqBuf *out, const Datum *vals, int ncols, uint64_t order);
size_t liq_partial_row_read(const char *p, const char *end, apr_pool_t *pool, Datum *vals,
                            int ncols, uint64_t *order);
/* The rows the output stops after (the query's last limit when nothing follows it), or -1. */
int64_t liq_query_out_limit(const LiqQuery *q);
/* The censuses of partial runs (LiqRunOptions.census_out, n of them, of one compiled query):
 * with out, appends them merged into one; else adds to diags the warnings about fields no
 * record has that one run over all their inputs gives. 0, or -1 when one does not decode. */
int liq_census_merge(const char *const *sums, const size_t *lens, int n, LiqBuf *out,
                     LiqDiagList *diags);
/* The same for the tallies of partial runs (LiqRunOptions.tally_out): merged into one, or the
 * warnings one run over all their inputs gives at its end, in its order. */
int liq_tally_merge(const char *const *sums, const size_t *lens, int n, LiqBuf *out,
                    LiqDiagList *diags);

/* The default of LiqRunOptions.memory_limit (docs/memory.md): 3/4 of the smaller of the
 * physical memory and the limit of the process's cgroup (v2 memory.max, v1
 * memory.limit_in_bytes); 0 when neither is known. */
uint64_t liq_memory_limit_default(void);

/* ===== Following (liq --follow, docs/follow.md) =====
 *
 * A follower runs a query over files and directories and keeps reading what is appended, as
 * tail -F (engine/input/tail.h): each time something changed it runs the query over the new
 * bytes (LiqRunOptions.ranges). Rows of a query without a breaker in its first stage stream
 * out as records arrive. A query whose first stats groups by bin(P) writes each bin once it
 * is closed: the newest @timestamp seen is at or past the bin's end plus lateness_ms; records
 * for a bin written already come out as a correction, a row of that bin holding the late
 * records' aggregates only. Other queries with a state write their whole result after the
 * first read and then every every_ms while records come, each result between result_begin
 * and result_end. liq_follow_stop (any thread, a signal handler) ends it after the current
 * read: open bins are written then (a result too, when records came since the last one). */
typedef struct LiqFollowOptions {
    int poll_ms;         /* rescan this often (the only way without inotify); 0: 1000 */
    int64_t every_ms;    /* queries with a state but no bins: a result at most this often */
    int64_t lateness_ms; /* bins: how far past a bin's end the newest timestamp must be */
    void *ctx;           /* the client's hooks, called on the thread of liq_follow_exec: */
    void (*report)(void *ctx, const LiqDiagList *diags); /* what one read found (NULL: none) */
    int (*result_begin)(void *ctx); /* a whole result follows (NULL: none); nonzero: stop */
    int (*result_end)(void *ctx);
    /* --state-file (NULL: none): where the follower keeps what a restart needs, written
     * after every read (docs/follow.md); with it, open bins are kept there at the end, not
     * written */
    const char *state_file;
    /* the output's position after the rows written so far (UINT64_MAX: it has none, a pipe)
     * and, when a restart finds it past a saved position, cutting it back there (rows
     * written after the last state are written again): nonzero, it cannot */
    uint64_t (*out_mark)(void *ctx);
    int (*out_rewind)(void *ctx, uint64_t mark);
    /* Optional (NULL: none), queries whose first stats groups by bin(P) (liq watch): called
     * after each read, once the bins it closes are written, with the starts of the bins its
     * records are in (n of them, in no set order; every record with a @timestamp counts, before
     * the query's filters and filter pattern) and closed_ms, the start of the first bin not
     * written yet: every bin before it is complete (INT64_MIN: none yet). Also called after
     * liq_follow_close_before closed bins (n 0, starts NULL). */
    void (*bins_read)(void *ctx, const int64_t *starts, int n, int64_t closed_ms);
} LiqFollowOptions;

typedef struct LiqFollow LiqFollow;

/* A follower of q over opt's inputs (local files and directories; S3 prefixes and globs,
 * listed every poll_ms for objects not read yet, by key and ETag; opt and fo copied, what
 * they point to must outlive it), or NULL when out of memory. */
LiqFollow *liq_follow_new(const LiqQuery *q, const LiqRunOptions *opt, const LiqFollowOptions *fo);
/* Follows until liq_follow_stop: LIQ_OK then; LIQ_EUSAGE (a diagnostic says why: standard
 * input, --log-group, a state file of another query), LIQ_EOUTPUT (the output refused), LIQ_EMEMORY or
 * LIQ_EINTERNAL from a run. diags: problems of the set-up; later ones go to fo->report. */
LiqStatus liq_follow_exec(LiqFollow *f, const LiqOutput *out, LiqDiagList *diags);
/* Ends liq_follow_exec after its current read; async-signal-safe. */
void liq_follow_stop(LiqFollow *f);
/* Closes bins by time (queries whose first stats groups by bin(P); others: no effect): any
 * thread may call it, between liq_follow_new and liq_follow_free. At its next wake, after the
 * read of what was appended by then (a multi-line record held back for its next lines is
 * waited for, at most poll_ms), the follower writes every open bin whose end plus
 * lateness_ms is at or before t_ms, as if a record stamped t_ms had come (an empty bin writes
 * nothing), and calls bins_read (n 0, starts NULL) with closed_ms past them; records for
 * those bins read later come out as corrections. A t_ms at or before an earlier one does
 * nothing. (liq watch: its clock closes quiet periods so.) */
void liq_follow_close_before(LiqFollow *f, int64_t t_ms);
void liq_follow_free(LiqFollow *f);
/* Does q's first stats group by bin(period) (offset)? period: milliseconds, or months as a
 * negative number (1mo: -1); offset in milliseconds. */
int liq_query_bin(const LiqQuery *q, double *period, int64_t *offset_ms);

/* ===== What a client asks the library (issue 12: liq.h is the real boundary) =====
 *
 * A client (the CLI, a server) includes this header and base/ only. It never reads the query
 * text itself: the lexer reads it once, fills in parameters at token level (so every
 * diagnostic points into the text as written), and --insights-defaults is a rewrite of the
 * checked query before planning. What the client needs to know about a query comes from the
 * compiled query; options it takes from a user are checked by the functions below. */

/* A named value of a query: $name and ${name} in the query stand for it as a string literal
 * (L26); {{name}} (AWS's saved-query parameters) stands for it as query text, as AWS fills it
 * in: a number, a field, a condition, or part of a string or regex literal it is written in. */
typedef struct LiqParam {
    const char *name;  /* letters, digits and '_', not starting with a digit */
    size_t name_len;
    const char *value; /* NUL-terminated; NULL: declared without a value (a saved query's
                        * parameter without defaultValue): a reference is an error naming it */
    int used;          /* set by liq_compile_opts when the query refers to it */
} LiqParam;

typedef struct LiqCompileOptions {
    const char *pattern;   /* a CloudWatch filter pattern applied first (--filter-pattern), or
                            * NULL; with a pattern the query text may be NULL (as in
                            * liq_compile_pattern) */
    size_t pattern_len;
    LiqParam *params;      /* values of $name references: in an expression a string literal
                            * (a number right after 'limit' when the value is digits), inside a
                            * /regex/ literal text (its metacharacters escaped); a $name with no
                            * value is an error, except inside a regex ('$' anchors there) */
    int nparams;
    int insights_defaults; /* L1, the console's implicit stages: a query with no stats, sort,
                            * pattern, diff or anomaly gets 'sort @timestamp desc' before its
                            * first dedup or limit (else at its end) and 'limit 10000' at its
                            * end (not a pattern-only query: text NULL) */
    int max_fields;        /* --max-fields: the leaves of a JSON record that give fields (0:
                            * 200, CloudWatch's cap); records with more are counted, and the
                            * run warns once per input (the fields past the cap are absent) */
    /* lookup tables (issue 13, docs/lookup.md): 'lookup NAME ...' reads the CSV file lookups
     * gives for NAME, else lookup_dir/NAME.csv (lookup_dir NULL: none); a missing table or
     * column is a caret error. Read when the query compiles: the query holds the tables. */
    const struct LiqLookup *lookups;
    int nlookups;
    const char *lookup_dir;
    /* shown columns whose names start with keep_prefix stay shown after a display command
     * (which otherwise decides the shown columns alone): a client's hidden columns, such as
     * the ones liq serve adds to make each row's @ptr (serve/qry.c); NULL: none */
    const char *keep_prefix;
} LiqCompileOptions;

/* A lookup table named for lookup: --lookup NAME=FILE.csv. */
typedef struct LiqLookup {
    const char *name;
    const char *path;
} LiqLookup;

/* liq_fields_query with options: only max_fields is read (opt may be NULL). */
LiqQuery *liq_fields_query_opts(apr_pool_t *pool, const LiqCompileOptions *opt);

/* liq_compile with options (opt may be NULL). Parameters' used flags are set even when the
 * query does not compile (then only for the references read before the errors). */
LiqQuery *liq_compile_opts(apr_pool_t *pool, const char *text, size_t len,
                           const LiqCompileOptions *opt, LiqDiagList *diags);

/* A saved query as `aws logs describe-query-definitions` exports it (docs/saved-queries.md):
 * its queryString and its parameters with their defaultValue. */
typedef struct LiqQueryDef {
    const char *name;       /* "name", or NULL */
    const char *query;      /* "queryString" (NUL-terminated) */
    size_t query_len;
    LiqParam *params;       /* "parameters": name and defaultValue (NULL when it has none) */
    int nparams;
    const char *const *log_groups; /* "logGroupNames" (informative: inputs come from the run) */
    int nlog_groups;
} LiqQueryDef;

/* Reads a describe-query-definitions export: an object with "queryDefinitions": [...], one
 * definition object, or an array of them. Returns how many definitions *defs holds (in pool),
 * or -1 with the reason in why (not JSON, no queryString, a parameter without a valid name). */
int liq_query_defs_read(apr_pool_t *pool, const char *text, size_t len, LiqQueryDef **defs,
                        char *why, size_t whylen);

/* Does the query have a stats command? */
int liq_query_has_stats(const LiqQuery *q);
/* The number of 'by' keys of the last stats when only commands that keep its columns follow
 * it (sort, limit/head/tail, filter/where/filterIndex, dedup), so that the first columns of
 * the result are its keys; 0 for stats without 'by'; -1 otherwise (no stats, or a command
 * after it that changes the columns). */
int liq_query_stats_keys(const LiqQuery *q);
/* The query text as compiled, appended to out: as written, each parameter reference replaced
 * by the literal it stands for (what column names and --explain show); the commands
 * insights_defaults adds are not in it. */
void liq_query_text(const LiqQuery *q, LiqBuf *out);

/* Is name an input format of LiqRunOptions.input_format (--input-format)? */
int liq_input_format_check(const char *name);
/* The input format names for messages: "json, text, cwexport, ...". */
const char *liq_input_format_names(void);
/* Checks a LiqRunOptions.ts_format (--timestamp-format): 1, or 0 with the reason in why. */
int liq_timestamp_format_check(const char *fmt, char *why, size_t whylen);
/* Checks a LiqRunOptions.multiline_start regex (--multiline-start): 1, or 0 with pcre2's
 * reason in why. */
int liq_multiline_check(const char *regex, char *why, size_t whylen);
/* Checks a zone for LiqRunOptions.tz (--tz: UTC, +02:00, Europe/Paris): 1, or 0 with the
 * reason in why. */
int liq_tz_check(const char *tz, char *why, size_t whylen);
/* A time as a user writes it (--start, --end) into epoch milliseconds: ISO 8601 (a time
 * without an offset in zone tz; NULL: UTC), epoch seconds or milliseconds, 'now', or relative
 * to now_ms: -15m, -2h, -7d, -1w. Returns 1; 0 when text is not a time; -1 when tz is not a
 * zone (then *ms is the time read as UTC). */
int liq_time_parse(const char *text, int64_t now_ms, const char *tz, int64_t *ms);

/* A function of the query language (parser/functions.def), for listings such as
 * --list-functions. */
typedef struct LiqFunction {
    const char *name;
    int aggregate;        /* 1: an aggregate of stats; 0: a scalar function */
    const char *synopsis; /* its usage, e.g. "strlen(s)" */
    const char *doc;      /* one line */
} LiqFunction;

/* The i-th function (from 0, in the table's order) into *f: 1, or 0 past the last. */
int liq_function(int i, LiqFunction *f);

#endif
