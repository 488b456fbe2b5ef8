/* src.h -- byte sources: inputs cut into morsels of whole lines
 *
 * The inputs of a run (files, directories walked recursively in sorted order, '-' for stdin)
 * become one queue of morsels: chunks of about SRC_MORSEL bytes that start at a line start and
 * end after a newline (or at the end of the input). Workers pull morsels concurrently; the
 * sequence number of a morsel gives the input order across inputs (L1). Each local file is
 * read once and each directory walked once (by device and inode), whatever names, links and
 * repeats reach them; a link back to a directory being walked is a loop, reported as a
 * warning and not followed (issue 11).
 *
 * Plain regular files are read by offset, never mapped: under the lock of the Src a morsel is
 * cut (its end found by a small read past SRC_MORSEL bytes), and the worker that takes it reads
 * its bytes with pread outside the lock, so workers read in parallel. A mapping would fault
 * (SIGBUS) or, on some kernels, read zeros past the new end of a file truncated while it is
 * read (logrotate's copytruncate on a live log); pread returns only bytes the file holds.
 * The file's size is checked when each morsel is cut and again after its bytes are read:
 * a file shorter than when it was opened ends at its new size (the line cut there is
 * dropped, the records before are kept) and the shrink is reported, exit 3 (issue 11).
 * What sizes cannot tell: a file truncated and rewritten past the point being read between
 * those two checks (a millisecond) would give that morsel bytes of its new contents.
 * With --start/--end, a plain
 * file of a line format whose sampled lines are sorted by time is cut only from the first line
 * in range to the last, widened by a margin (engine/input/seek.h, the time seek). Pipes, stdin and compressed inputs
 * (gzip, zstd: told by their magic bytes, never by the name) are read in blocks, through the
 * decompressor when compressed, carrying a partial last line into the next block. Such
 * blocks are read outside the lock of the Src, so workers decompress different inputs at
 * once: one worker at a time owns an input (Input.busy) and reads its next block, for the
 * current input or one of the next SRC_AHEAD (at most SRC_READY blocks waiting in all);
 * blocks are numbered only when the current input hands them out, in order, so morsel
 * numbers (and the output) are the same for any number of workers. Problems found while
 * reading ahead wait in the input and are reported when it becomes current. A line longer than the block grows the
 * block until its newline, up to max_line bytes; a longer line is cut there (reported).
 *
 * The format of each input (engine/input/fmt.h) is sniffed from its first plain bytes. Container
 * formats (Firehose subscription records, log-events JSON, CloudTrail) are read whole and
 * parsed into records, handed out SRC_MORSEL_RECS at a time; export-task objects are cut so
 * that a multi-line message never straddles two morsels.
 *
 * An input starting with "s3://" (engine/s3/s3.h) becomes one Input per object it names, in
 * listing order, among the other inputs in the order given (@log: the URI as given, or its
 * --log-group; @logStream: the key below the URI's directory, docs/log-groups.md). Such an Input streams in: its download runs on a thread
 * of its own that writes the body into a pipe (engine/s3/s3_stream.h), and the Input is read
 * from the pipe like stdin (sniffed, decompressed, cut into blocks), so results start before
 * the download ends and memory stays bounded. Downloads start in input order from the
 * current input, at most --s3-concurrency of them running or unread at once (the writers
 * block on their pipes, never on the Src). A download that fails after some bytes ends the
 * Input there: the records before are kept, the cut line is dropped and the failure is
 * reported (exit 3). A copy in --cache-dir is read as a local file. Archived
 * objects (Glacier, Deep Archive) are reported and skipped.
 *
 * Live inputs (issue 14: `tail -f app.log | liq ...`): standard input or a named input that is
 * a pipe, a FIFO, a terminal or a socket, and not compressed. Their bytes come as a writer
 * writes them, so a block is not filled before it is handed out: once a read would wait and
 * the block holds whole lines, the block ends after its last one, and the partial line waits
 * for the next block. A record that a later line may still continue (multi-line records,
 * multiline.h) is held back until the next record starts or SRC_IDLE_MS pass without a byte;
 * the format is sniffed from the first 64 KiB, or from what came before such a pause. Pretty
 * JSON hands out every value whose end has come. A reader waiting on a live input looks at the
 * run's stop flag every SRC_STOP_MS (src_live), so a run that stops (a limit reached, the
 * output gone, a cancel) ends without waiting for the input to end; and when nothing came for
 * SRC_IDLE_MS it tells the run, which then tells the output that every row so far is out
 * (LiqOutput.idle). Plain files, compressed streams and S3 objects are read as before.
 *
 * Problems (missing or unreadable inputs, cut lines, failed downloads) are recorded as diagnostics and counted
 * in src_incomplete(); the run goes on with the other inputs (exit code 3, L23).
 *
 * Ownership: a morsel's bytes stay valid until src_release(); the Src lives in its pool.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_SRC_H
#define LIQ_SRC_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/types.h>
#include <apr_pools.h>
#include <apr_thread_mutex.h>
#include "engine/input/decomp.h"
#include "engine/input/fmt.h"
#include "engine/input/multiline.h"
#include "engine/input/syslog.h"
#include "engine/input/src_win.h"
#include "engine/liq.h"
#include "engine/s3/s3.h"
#include "engine/input/ts.h"
#include "engine/input/tsfmt.h"
#include "base/diag.h"

enum { SRC_MORSEL = 1 << 20 };
/* live inputs: a pause this long is an idle input; a waiting reader looks at the stop flag
 * this often */
enum { SRC_IDLE_MS = 200, SRC_STOP_MS = 50 };
enum { SRC_AHEAD = 8, SRC_READY = 16 }; /* inputs read ahead of the current one; blocks */

typedef struct Input {
    const char *path;   /* as given or found; "-" for stdin */
    const char *log;    /* @log: its --log-group, else the input as the user named it (L19) */
    const char *stream; /* @logStream: its path below the directory or S3 prefix named (its
                         * name when named itself; "stdin"), docs/log-groups.md */
    uint32_t log_len, stream_len;
    int fd;
    const LiqRange *range; /* a byte range of a file the caller holds open (--follow), or NULL */
    int live;           /* a pipe, FIFO, terminal or socket read as written (see above) */
    int is_file;        /* a plain regular file: morsels are cut by offset and read with pread */
    size_t size;        /* is_file: read [off, size) (the time seek or a shrink lowers it) */
    uint64_t fsize;     /* a regular file: its size when opened; nothing after it is read */
    int shrunk;         /* it was found shorter than that while read (reported once) */
    SrcWin win;         /* is_file: cutting morsels and the time seek's probes */
    CompKind comp;      /* from the first bytes (never the name) */
    Decomp *dec;        /* compressed inputs: read through the decompressor */
    struct EncConv *conv; /* UTF-16/UTF-32 inputs: read through the converter (enc.h) */
    char *encbuf;       /* ... its raw bytes not converted yet: [enc_pos, enc_len) */
    size_t enc_pos, enc_len;
    int enc_eof, enc_err; /* the raw bytes ended (with an error) */
    uint64_t enc_raw;   /* raw bytes read (progress when not compressed) */
    size_t off;         /* next byte to cut (is_file) */
    char *carry;        /* read mode: bytes of a partial line */
    size_t carry_len;
    int eof;
    int damaged;        /* a read or decompression error ended the input early */
    int refs;           /* morsels handed out and not released */
    int done;           /* no more morsels: close when refs drops to 0 */
    InFormat fmt;       /* sniffed from the first plain bytes */
    const FmtColumns *cols; /* FMT_COLUMNS: the positional layout */
    int fmt_known;
    int text_only;      /* --input-format text: lines are never read as JSON */
    JsonSeqCut jseq;    /* FMT_JSONSEQ: where the reader stands between records (fmt.h) */
    uint64_t jcut;      /* ... records cut at --max-line, reported when the input ends */
    int jtrunc;         /* ... the input ended inside a record (1) or an array of records
                         * that never closes (2) (reported then) */
    const TsOpts *tso;  /* --timestamp-field, --timestamp-format, --tz (NULL: none) */
    TsForm tsform;      /* the form of its text lines' timestamps, from its first lines (ts.h
                         * ts_sniff_form; TSK_NONE: each line by the rule alone) */
    int64_t ts_ref;     /* the reference date of timestamps written without a year: the
                         * file's modification time, an S3 object's LastModified, else the
                         * time the input was opened (ts.h TsCtx) */
    SyslogKind syslog;  /* a text input whose first lines are syslog lines (syslog.h): its
                         * records have host, program, pid ... fields */
    MlMode ml;          /* multi-line records (multiline.h): --multiline-start, the default
                         * rule for text inputs whose first lines have timestamps, or none */
    const MlRule *ml_rule; /* --multiline-start (ML_RULE) */
    void *ml_local;     /* its matcher for the thread reading the input ahead (read_block) */
    int ts_any, ts_none; /* records with and without @timestamp were decoded (src_note_ts) */
    /* reading ahead (src_next): one worker at a time opens and reads it outside the lock */
    int busy;           /* a worker is opening or reading it now */
    int drained;        /* its blocks are all read */
    struct SrcBlock *ready, *ready_tail; /* blocks read and not handed out yet, in order */
    int nready;
    struct SrcMsg *msgs; /* problems found while reading ahead, not reported yet */
    _Atomic pthread_t reader; /* the thread reading it ahead (read_ahead), else 0 */
    Rec *recs;          /* container formats: every record of the input */
    size_t nrecs, recpos;
    char *doc;          /* container formats read from a stream: the whole document */
    size_t doc_len;     /* its bytes, until counted in the bytes scanned */
    apr_pool_t *docpool; /* the records, metadata and decoded strings */
    const S3Object *s3obj; /* an S3 object: streamed in (engine/s3/s3_stream.h) */
    struct S3Stream *s3st; /* its download, while running or unread */
    const char *s3local;   /* its copy in --cache-dir, read as a local file */
    int s3started;         /* its download was started (or its copy found) */
    int s3closed;          /* 1: s3st just ended (the Src frees its place), 2: counted */
    char *s3err;           /* why its download could not start (malloc), or NULL */
    uint64_t rawsize;      /* progress: bytes as stored, when rawsize_known */
    int rawsize_known;
    uint64_t raw_reported; /* progress: bytes of it counted in LiqProgress.done */
    uint64_t raw_pos;      /* progress: compressed bytes behind the blocks handed out */
    /* the time seek (engine/input/seek.h): a sorted plain file is cut from off up to size only */
    int seek_check;        /* entered by the seek: morsels carry bounds the workers check */
    int seek_warned;       /* found out of order while read (reported once) */
    int seek_counted;      /* its skipped bytes are in the Src's total */
    uint64_t seek_skipped; /* bytes before off and after size left unread */
    int64_t seek_ts;       /* time of the first timestamped record of the next morsel */
    apr_pool_t *seek_pool; /* decoding probes (under the lock of the Src once cut) */
    uint64_t not_json;     /* records that look like JSON objects but are not JSON, read as
                            * text: counted by the decoders (src_count_not_json), warned once
                            * at the end of the run (engine/exec/pipe.c) */
    uint64_t over_recs, over_fields; /* JSON records decoded with more leaves than the field
                            * cap, and the leaves past it (no field gives them): counted by the
                            * decoders (src_count_over), warned once when the run closes its
                            * inputs (src_close) */
    int over_cap;          /* ... the cap they were counted against */
    struct Census *census; /* which names the query reads its records have (census.h), made by
                            * the decoders, reported and freed by src_close */
} Input;

/* A JSON record of in had over leaves past the field cap (engine/data/json.h). Workers count
 * concurrently. */
static inline void src_count_over(const Input *in, unsigned over, int cap)
{
    if (!in || !over)
        return;
    Input *m = (Input *)(uintptr_t)in;
    __atomic_fetch_add(&m->over_recs, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&m->over_fields, over, __ATOMIC_RELAXED);
    __atomic_store_n(&m->over_cap, cap, __ATOMIC_RELAXED);
}

/* The decoders read @timestamp of records of in: some had one (any), some had none (none).
 * A run whose query needs timestamps reports an input with none at all (docs/timestamps.md
 * T10). Workers set the flags concurrently. */
static inline void src_note_ts(const Input *in, int any, int none)
{
    Input *m = (Input *)(uintptr_t)in;
    if (in && any && !__atomic_load_n(&m->ts_any, __ATOMIC_RELAXED))
        __atomic_store_n(&m->ts_any, 1, __ATOMIC_RELAXED);
    if (in && none && !__atomic_load_n(&m->ts_none, __ATOMIC_RELAXED))
        __atomic_store_n(&m->ts_none, 1, __ATOMIC_RELAXED);
}

/* A decoder found a record of in that looks like a JSON object (json_looks_like_object) but is
 * not JSON: one more for the warning. Workers count concurrently. */
static inline void src_count_not_json(const Input *in)
{
    if (in)
        __atomic_fetch_add(&((Input *)(uintptr_t)in)->not_json, 1, __ATOMIC_RELAXED);
}

typedef struct Morsel {
    Input *in;
    const char *data; /* line formats: whole lines */
    size_t len;
    size_t off;       /* is_file: the file offset of data[0] */
    int tail_cut;     /* is_file: it ends where the file was found to end early (a shrink) */
    Rec *recs;        /* container formats: records made from the document */
    size_t nrecs;
    uint64_t seq;
    char *owned; /* the block to free on release (every morsel of lines but a container's) */
    Rec *owned_recs; /* FMT_JSONSEQ: its records, to free on release */
    /* the time seek: every timestamped record of the morsel must lie in [ts_lo, ts_hi], in
     * non-decreasing order, else src_seek_unsorted (ts_lo: the first record of the morsel
     * after; ts_hi: the first timestamped record after the morsel, INT64_MAX when unknown) */
    int seek_check;
    int64_t ts_lo, ts_hi;
} Morsel;

enum { SRC_MORSEL_RECS = 4096 }; /* records per morsel of a container format */

typedef struct Src Src;

/* How a run picks and reads its inputs (src_open's sopt; NULL: every file found, formats told
 * by content). */
typedef struct SrcOpts {
    /* --include / --exclude: globs (apr_fnmatch, '*' also matches '/') tried on the path of
     * a file below the directory given (or of an S3 key below the URI's prefix) and on its
     * base name. A file found by walking is read when it matches an include (or there is
     * none) and no exclude; a directory matching an exclude is not entered. Inputs named
     * directly are always read. */
    const char *const *include;
    int ninclude;
    const char *const *exclude;
    int nexclude;
    const char *format; /* --input-format: a name of fmt_user_names, or NULL to sniff */
    const TsOpts *ts;   /* @timestamp options, or NULL */
    const MlRule *ml_start; /* --multiline-start (multiline.h), or NULL: the default rule */
    /* --start/--end (widened for diff): files found by walking whose date path proves that no
     * event inside can be in range are skipped unread (see src.c pruned) */
    int has_start, has_end;
    int64_t start_ms, end_ms;
    /* the time seek (engine/input/seek.h): plain files of a line format that look sorted by
     * time are read from the first line in range (less a margin) to the last; 0: --no-seek,
     * or the run applies no time range */
    int seek;
    /* --log-group NAME=PATH (docs/log-groups.md): inputs read before the paths src_open is
     * given, of those log groups; group_selected (SOURCE; NULL: all) says whether the query
     * selects the group called name: the inputs of a group it does not select are never
     * opened */
    const LiqLogGroup *groups;
    int ngroups;
    int (*group_selected)(const void *ctx, const char *name, size_t len);
    const void *group_ctx;
    /* byte ranges of files the caller holds open (LiqRunOptions.ranges, --follow): inputs
     * read first, each [from, to) of a dup of its fd */
    const LiqRange *ranges;
    int nranges;
    /* LiqRunOptions.census_out: the census as bytes here instead of its warnings (census.h) */
    LiqBuf *census_out;
} SrcOpts;

/* engine/exec/dec.c: the @timestamp a record made from one line of a line-format input gets (no
 * newline, no final CR): 1 and *ms, or 0. Decoded strings go to pool. */
int dec_line_ts(const Input *in, const char *line, size_t len, apr_pool_t *pool, int64_t *ms);

/* Multi-line records (multiline.h): does this line of in (no newline, no final CR) continue
 * the record before it? local: the calling thread's matcher, from src_ml_local (NULL when
 * the run has no --multiline-start). run_morsel cuts records with it as the sources cut
 * morsels, so no record spans two morsels. */
int src_continues(const Input *in, void *local, const char *line, size_t len);
void *src_ml_local(Src *s, apr_pool_t *pool);

/* s3: settings for s3:// inputs (NULL: defaults) */
Src *src_open(apr_pool_t *pool, const char *const *paths, int npaths, size_t max_line,
              const S3Opts *s3, const SrcOpts *sopt, LiqDiagList *diags,
              apr_thread_mutex_t *diag_lock);
int src_next(Src *s, Morsel *m); /* 1: a morsel; 0: no more input */
void src_release(Src *s, Morsel *m);
void src_close(Src *s);
int src_incomplete(const Src *s);
uint64_t src_bytes(const Src *s);
/* Counts the run's progress into p (NULL: none): sets its total from the sizes of the inputs,
 * then adds the bytes each morsel covers as it is handed out. Call before the first morsel. */
void src_progress(Src *s, LiqProgress *p);
int src_ninputs(const Src *s);
const Input *src_input(const Src *s, int i); /* 0 <= i < src_ninputs(s), in input order */
/* What a run gives the readers of live inputs (src_live). */
typedef struct SrcLive {
    _Atomic int *stop; /* set: the run stops; a reader waiting on a live input gives up */
    /* the current input is live and nothing came for SRC_IDLE_MS: the morsels before number
     * `handed` are every morsel handed out so far. Called once per pause, by the worker that
     * reads the input, with no lock of the Src held. NULL: nobody asks */
    void (*idle)(void *ctx, uint64_t handed);
    void *ctx;
} SrcLive;
/* Sets the run's hooks for live inputs (copied); call before the first morsel. */
void src_live(Src *s, const SrcLive *live);
/* The time seek: bytes of the inputs left unread, and how many inputs it entered. */
uint64_t src_seek_skipped(const Src *s, int *inputs);
/* A worker found a record of a morsel of a seeked input out of order (at: its first byte):
 * reports once per input that records in its skipped parts may be missing (exit 3). */
void src_seek_unsorted(Src *s, const Morsel *m, const char *at);
/* S3 objects left out by their date path (--start/--end) and read from --cache-dir. */
void src_s3_counts(const Src *s, uint64_t *pruned, uint64_t *cached);


#endif
