/* follow.c -- the public door of following (liq --follow, see liq.h and docs/follow.md)
 *
 * A follower is a loop of reads. Each read asks the Tail (engine/input/tail.h) what was
 * appended since the last one -- byte ranges of open files, ending after a newline -- and runs
 * the compiled query over exactly those ranges (LiqRunOptions.ranges), then commits them. The
 * runs of successive reads take successive order bases, so input order across reads is the
 * order the bytes were read in.
 *
 * Three kinds of query:
 *
 *   streaming  no breaker in the first stage: each read's run writes its rows to the output
 *              as it goes (one write per morsel, which the CLI flushes);
 *   bins       the first stats groups by bin(P): each bin has a state of its own (a run over
 *              the read's ranges limited to the bin's time span, merged with the bin's state
 *              so far); a helper query (stats count(*), max(@timestamp) by the same bin) says
 *              which bins a read touched and moves the watermark, the newest timestamp seen.
 *              Bins whose end plus the lateness is at or before the watermark are closed:
 *              their states are finalized into rows together (in key order), written, freed.
 *              A record for a bin closed already makes a correction: a row of that bin over
 *              the late records alone, written at once. Memory: the open bins only;
 *   others     (stats without bins, sort, dedup, ...): one state merged read by read, written
 *              whole after the first read, then at most every every_ms while records come.
 *
 * S3 prefixes are listed every poll_ms; objects whose key (or ETag) was not seen are
 * downloaded whole, then read by one read as ranges of their copies (see "S3 prefixes"
 * below): a download that breaks off leaves nothing of the object read.
 *
 * --state-file keeps the offsets, the S3 keys read, and the states of the open bins (or the
 * one state of other queries) as partial states (engine/exec/partial.h, OpVTable.save), so a
 * restart reads nothing again (see "--state-file" below).
 *
 * Records without @timestamp have no bin: a bins query leaves them out (docs/follow.md).
 * liq_follow_stop sets a flag and wakes the Tail; the loop ends after the read in progress,
 * so a read is never half counted.
 * liq_follow_close_before raises a time (atomically) and wakes the Tail; after the read of
 * that wake the bins ending, lateness included, by then are written (close_by_time), as if a
 * record of that time had come: liq watch's clock closes quiet periods so.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <apr_fnmatch.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "engine/liq_int.h"
#include "engine/exec/mlstart.h"
#include "engine/exec/op.h"
#include "engine/exec/pipe.h"
#include "engine/input/multiline.h"
#include "engine/input/tail.h"
#include "engine/input/ts.h"
#include "engine/s3/s3.h"
#include "engine/s3/s3_stream.h"

/* An S3 object found by a listing, not read yet (malloc'd strings). */
typedef struct Fresh {
    char *uri;    /* s3://BUCKET/KEY: its name in messages */
    char *id;     /* BUCKET/KEY: its entry in LiqFollow.seen */
    char *bucket, *key, *etag; /* etag "" when the listing gave none */
    char *log, *stream; /* @log (the URI followed) and @logStream (the key below its folder) */
    uint64_t size;
    int64_t mtime_ms;
    S3Object o;   /* what its download is given (pointing into the strings above): a stream
                   * reads it until s3_stream_close */
    int fd;       /* its downloaded copy (an unlinked temporary file), or -1 */
} Fresh;

typedef struct OpenBin {
    int64_t start;
    LiqState *st;
} OpenBin;

struct LiqFollow {
    apr_pool_t *pool;
    const LiqQuery *q;
    LiqRunOptions opt;
    LiqFollowOptions fo;
    Tail *_Atomic tail; /* atomic: liq_follow_stop reads it from any thread or a signal handler */
    _Atomic int stop;
    /* liq_follow_close_before: bins ending (plus the lateness) at or before it close at the
     * next wake (INT64_MIN: none asked) */
    _Atomic int64_t close_at;
    int64_t close_since; /* a close waiting for a held record since (mono_ms; INT64_MIN: none) */
    uint64_t base; /* order base of the next read */
    /* others: the merged state, and whether records came since it was last written */
    LiqState *acc;
    int dirty, written;
    int64_t last_emit;
    /* bins */
    int bins;
    double period;
    int64_t offset;
    LiqQuery *helper;  /* stats count(*), max(@timestamp) by the same bin */
    int has_wm;
    int64_t wm;        /* the newest @timestamp seen */
    int64_t closed;    /* bins that start before it are written (INT64_MIN: none) */
    OpenBin *open;     /* by start, ascending */
    int nopen, capopen;
    /* S3 prefixes (and globs): listed every poll_ms; objects known by key and ETag */
    const char **s3uris;
    int ns3;
    S3 *s3;
    apr_hash_t *seen;     /* "bucket/key" -> its ETag ("" when the listing gave none) */
    int64_t s3_next;      /* when to list again (mono_ms) */
    Fresh *fresh;         /* objects listed, not read yet, in listing order */
    int nfresh, capfresh;
    LiqRange *ranges;     /* a read's ranges: the files' spans, then the objects' copies */
    int capranges;
    int resumed;       /* --state-file had a state */
    /* streaming with a limit that ends the output: the rows still to write (each read's run
     * counts its own rows only); at 0 the follow ends, as head ends tail -F. -1: no limit */
    int64_t rows_left;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The bin of ms and the start of the next one (bin(period) offset). */
static int64_t bin_of(const LiqFollow *f, int64_t ms)
{
    return ts_floor(ms - f->offset, f->period) + f->offset;
}

static int64_t bin_end(const LiqFollow *f, int64_t start)
{
    return ts_ceil(start - f->offset + 1, f->period) + f->offset;
}

/* The period as a duration literal the language reads back exactly (no cap applies). */
static const char *period_text(apr_pool_t *pool, double period)
{
    if (period < 0)
        return apr_psprintf(pool, "%" APR_INT64_T_FMT "mo", (int64_t)-period);
    int64_t p = (int64_t)period;
    static const struct {
        int64_t ms, cap;
        const char *unit;
    } u[] = {{604800000, INT64_MAX, "w"}, {86400000, INT64_MAX, "d"}, {3600000, 24, "h"},
             {60000, 60, "m"},           {1000, 60, "s"},            {1, 1000, "ms"}};
    for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
        if (p % u[i].ms == 0 && p / u[i].ms <= u[i].cap)
            return apr_psprintf(pool, "%" APR_INT64_T_FMT "%s", (int64_t)(p / u[i].ms), u[i].unit);
    return apr_psprintf(pool, "%" APR_INT64_T_FMT "ms", p);
}

LiqFollow *liq_follow_new(const LiqQuery *q, const LiqRunOptions *opt, const LiqFollowOptions *fo)
{
    apr_pool_t *pool;
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS)
        return NULL;
    LiqFollow *f = apr_pcalloc(pool, sizeof(*f));
    f->pool = pool;
    f->q = q;
    f->opt = *opt;
    f->fo = *fo;
    if (f->fo.every_ms <= 0)
        f->fo.every_ms = 10000;
    if (f->fo.lateness_ms < 0)
        f->fo.lateness_ms = 0;
    f->closed = INT64_MIN;
    f->seen = apr_hash_make(pool);
    f->rows_left = liq_query_has_state(q) ? -1 : liq_query_out_limit(q);
    atomic_init(&f->stop, 0);
    atomic_init(&f->close_at, INT64_MIN);
    f->close_since = INT64_MIN;
    return f;
}

void liq_follow_stop(LiqFollow *f)
{
    atomic_store(&f->stop, 1);
    tail_wake(f->tail);
}

void liq_follow_close_before(LiqFollow *f, int64_t t_ms)
{
    int64_t was = atomic_load(&f->close_at);
    while (t_ms > was && !atomic_compare_exchange_weak(&f->close_at, &was, t_ms))
        ;
    if (t_ms > was)
        tail_wake(atomic_load(&f->tail));
}

/* ===== Runs over one read ===== */

/* The options of a run over the read's ranges. */
static LiqRunOptions read_opts(const LiqFollow *f, const LiqRange *r, int n)
{
    LiqRunOptions ro = f->opt;
    ro.inputs = NULL; /* new S3 objects are ranges of their copies, after the files' */
    ro.ninputs = 0;
    ro.log_groups = NULL;
    ro.nlog_groups = 0;
    ro.ranges = r;
    ro.nranges = n;
    ro.order_base = f->base;
    ro.progress = NULL;
    ro.on_morsel = NULL;
    ro.keep_state = 0;
    return ro;
}

/* What a run's status means for the follower: LIQ_OK to go on (an input read in part was
 * reported), else the status that ends it. */
static LiqStatus go_on(LiqStatus st)
{
    return st == LIQ_EINCOMPLETE || st == LIQ_ECANCELLED ? LIQ_OK : st;
}

/* What a run over no input takes of the follower's options (it writes merged states). */
static LiqRunOptions states_opts(const LiqFollow *f)
{
    LiqRunOptions ro = f->opt;
    ro.inputs = NULL;
    ro.ninputs = 0;
    ro.nlog_groups = 0;
    ro.ranges = NULL;
    ro.nranges = 0;
    ro.progress = NULL;
    ro.keep_state = 0;
    return ro;
}

/* A run of ro with the states sts[0..n) (taken; entries may be NULL) merged in; NULL (the
 * states freed) when memory runs out. */
static LiqRun *run_merged(const LiqFollow *f, const LiqRunOptions *ro, LiqState **sts, int n)
{
    LiqRun *run = liq_run_new(f->q, ro);
    for (int i = 0; i < n; i++)
        if (sts[i] && (!run || liq_run_state_merge(run, sts[i]) != LIQ_OK))
            liq_state_free(sts[i]);
    return run;
}

/* Runs ro with keep_state, st (taken; may be NULL) merged first: the state after, in *out. */
static LiqStatus run_keep(const LiqFollow *f, LiqRunOptions ro, LiqState *st, LiqDiagList *d,
                          LiqState **out, uint64_t *morsels)
{
    ro.keep_state = 1;
    LiqRun *run = run_merged(f, &ro, &st, 1);
    if (!run)
        return LIQ_EINTERNAL;
    LiqOutput none = {0};
    LiqRunStats rs = {0};
    LiqStatus s = liq_run_exec(run, &none, &rs, d);
    *out = liq_run_state_take(run);
    if (morsels && rs.morsels > *morsels)
        *morsels = rs.morsels;
    liq_run_free(run);
    return go_on(s);
}

/* Writes the result of the states sts[0..n) merged (taken), between the client's result
 * hooks when whole. */
static LiqStatus write_states(const LiqFollow *f, LiqState **sts, int n, const LiqOutput *out,
                              LiqDiagList *d)
{
    LiqRunOptions ro = states_opts(f);
    ro.on_morsel = NULL;
    ro.has_start = ro.has_end = 0;
    LiqRun *run = run_merged(f, &ro, sts, n);
    if (!run)
        return LIQ_EINTERNAL;
    LiqStatus s = go_on(liq_run_exec(run, out, NULL, d));
    liq_run_free(run);
    return s;
}

/* Others: writes the merged state's result so far (the state stays). */
static LiqStatus write_acc(LiqFollow *f, const LiqOutput *out, LiqDiagList *d)
{
    LiqRunOptions ro = states_opts(f);
    LiqRun *run = run_merged(f, &ro, &f->acc, 1);
    f->acc = NULL;
    if (!run)
        return LIQ_EINTERNAL;
    LiqStatus s = LIQ_OK;
    if (f->fo.result_begin && f->fo.result_begin(f->fo.ctx))
        s = LIQ_EOUTPUT;
    if (s == LIQ_OK) {
        s = liq_run_snapshot(run, out);
        if (s == LIQ_EINCOMPLETE)
            s = LIQ_OK;
    }
    if (s == LIQ_OK && f->fo.result_end && f->fo.result_end(f->fo.ctx))
        s = LIQ_EOUTPUT;
    f->acc = liq_run_state_take(run);
    liq_run_free(run);
    (void)d;
    f->dirty = 0;
    f->written = 1;
    f->last_emit = mono_ms();
    return s;
}

/* ----- bins ----- */

typedef struct BinRow {
    int64_t start, hi;
    int has_hi;
} BinRow;

typedef struct BinRows {
    BinRow *v;
    size_t n, cap;
} BinRows;

/* The helper's rows as fixed records: bin start, max(@timestamp) (NaN-free: a flag). */
static void bin_format(void *ctx, const Datum *vals, int ncols, LiqBuf *out)
{
    (void)ctx;
    BinRow r = {0, 0, 0};
    double v;
    if (ncols >= 3 && vals[0].type != VT_NULL && val_as_number(&vals[0], &v)) {
        r.start = (int64_t)v;
        if (vals[2].type != VT_NULL && val_as_number(&vals[2], &v)) {
            r.hi = (int64_t)v;
            r.has_hi = 1;
        }
        buf_add(out, &r, sizeof(r));
    }
}

static int bin_write(void *ctx, const char *data, size_t len, const uint32_t *ends, uint32_t n)
{
    (void)ends;
    (void)n;
    BinRows *rows = ctx;
    for (size_t off = 0; off + sizeof(BinRow) <= len; off += sizeof(BinRow)) {
        if (rows->n == rows->cap) {
            rows->cap = rows->cap ? rows->cap * 2 : 16;
            rows->v = mem_realloc(rows->v, sizeof(BinRow) * rows->cap);
        }
        memcpy(&rows->v[rows->n++], data + off, sizeof(BinRow));
    }
    return 0;
}

static OpenBin *open_bin(LiqFollow *f, int64_t start)
{
    int i = 0;
    while (i < f->nopen && f->open[i].start < start)
        i++;
    if (i < f->nopen && f->open[i].start == start)
        return &f->open[i];
    if (f->nopen == f->capopen) {
        f->capopen = f->capopen ? f->capopen * 2 : 8;
        f->open = mem_realloc(f->open, sizeof(OpenBin) * (size_t)f->capopen);
    }
    memmove(&f->open[i + 1], &f->open[i], sizeof(OpenBin) * (size_t)(f->nopen - i));
    f->nopen++;
    f->open[i] = (OpenBin){start, NULL};
    return &f->open[i];
}

/* Writes and frees the open bins that start before `before` (all: INT64_MAX). */
static LiqStatus close_bins(LiqFollow *f, int64_t before, const LiqOutput *out, LiqDiagList *d)
{
    int k = 0;
    while (k < f->nopen && f->open[k].start < before)
        k++;
    if (!k)
        return LIQ_OK;
    LiqState **sts = mem_alloc(sizeof(LiqState *) * (size_t)k);
    for (int i = 0; i < k; i++)
        sts[i] = f->open[i].st;
    memmove(f->open, f->open + k, sizeof(OpenBin) * (size_t)(f->nopen - k));
    f->nopen -= k;
    LiqStatus s = write_states(f, sts, k, out, d);
    free(sts);
    return s;
}

/* A run over the read's ranges limited to the times [lo, hi] (and --start/--end), keeping
 * its state merged with sts[0..n) (taken) into *st; skipped (*st NULL, the states freed)
 * when the span is empty. */
static LiqStatus run_span(const LiqFollow *f, LiqRunOptions ro, int64_t lo, int64_t hi,
                          LiqState **sts, int n, LiqDiagList *d, LiqState **st,
                          uint64_t *morsels)
{
    ro.has_start = ro.has_end = 1;
    ro.start_ms = f->opt.has_start && f->opt.start_ms > lo ? f->opt.start_ms : lo;
    ro.end_ms = f->opt.has_end && f->opt.end_ms < hi ? f->opt.end_ms : hi;
    *st = NULL;
    if (ro.start_ms > ro.end_ms && !n)
        return LIQ_OK;
    if (ro.start_ms > ro.end_ms) { /* nothing to read: the states merged alone */
        ro.nranges = 0;
        ro.ninputs = 0;
    }
    ro.keep_state = 1;
    LiqRun *run = run_merged(f, &ro, sts, n);
    if (!run)
        return LIQ_EINTERNAL;
    LiqOutput none = {0};
    LiqRunStats rs = {0};
    LiqStatus s = go_on(liq_run_exec(run, &none, &rs, d));
    *st = liq_run_state_take(run);
    if (rs.morsels > *morsels)
        *morsels = rs.morsels;
    liq_run_free(run);
    return s;
}

/* One read of a bins query. A helper run says which bins its records are in and moves the
 * watermark; then at most one run for the corrections (bins written already), one for the
 * bins that close with this read (merged with their open states and written at once), and
 * one per bin that stays open -- so a first read over a day of logs is a few passes, not
 * one per bin. */
static LiqStatus read_bins(LiqFollow *f, const LiqRange *r, int n, const LiqOutput *out,
                           LiqDiagList *d, uint64_t *morsels)
{
    LiqRunOptions ro = read_opts(f, r, n);
    BinRows rows = {0};
    LiqOutput hout = {&rows, bin_format, bin_write, NULL};
    LiqRunStats rs = {0};
    LiqStatus s = go_on(liq_run(f->helper, &ro, &hout, &rs, d));
    *morsels = rs.morsels;
    int late = 0;
    for (size_t i = 0; s == LIQ_OK && i < rows.n; i++) {
        if (rows.v[i].has_hi && (!f->has_wm || rows.v[i].hi > f->wm)) {
            f->wm = rows.v[i].hi;
            f->has_wm = 1;
        }
        late |= rows.v[i].start < f->closed;
    }
    int64_t was = f->closed, now = was;
    if (f->has_wm && bin_of(f, f->wm - f->fo.lateness_ms) > now)
        now = bin_of(f, f->wm - f->fo.lateness_ms);
    LiqState *st = NULL;
    if (s == LIQ_OK && late) { /* corrections of bins written already */
        s = run_span(f, ro, INT64_MIN, was - 1, NULL, 0, d, &st, morsels);
        if (s == LIQ_OK && st)
            s = write_states(f, &st, 1, out, d);
        else
            liq_state_free(st);
    }
    if (s == LIQ_OK && now > was) { /* the bins this read closes: read, merged, written */
        int k = 0;
        while (k < f->nopen && f->open[k].start < now)
            k++;
        LiqState **sts = mem_alloc(sizeof(LiqState *) * (size_t)(k ? k : 1));
        for (int i = 0; i < k; i++)
            sts[i] = f->open[i].st;
        if (k) /* (f->open is NULL before the first open bin) */
            memmove(f->open, f->open + k, sizeof(OpenBin) * (size_t)(f->nopen - k));
        f->nopen -= k;
        int any = 0;
        for (size_t i = 0; i < rows.n; i++)
            any |= rows.v[i].start >= was && rows.v[i].start < now;
        if (any) {
            s = run_span(f, ro, was, now - 1, sts, k, d, &st, morsels);
        } else if (k) { /* nothing new in them: their states alone */
            s = write_states(f, sts, k, out, d);
            k = 0;
            st = NULL;
        }
        free(sts);
        if (s == LIQ_OK && st)
            s = write_states(f, &st, 1, out, d);
        else if (st)
            liq_state_free(st);
        f->closed = now;
    }
    for (size_t i = 0; s == LIQ_OK && i < rows.n; i++) { /* the bins that stay open */
        int64_t b = rows.v[i].start;
        if (b < f->closed)
            continue;
        OpenBin *ob = open_bin(f, b);
        LiqState *prev = ob->st;
        ob->st = NULL;
        s = run_span(f, ro, b, bin_end(f, b) - 1, &prev, prev ? 1 : 0, d, &st, morsels);
        ob = open_bin(f, b);
        ob->st = st;
    }
    if (s == LIQ_OK && f->fo.bins_read) { /* liq watch: which bins had records */
        int64_t *starts = mem_alloc(sizeof(int64_t) * (rows.n ? rows.n : 1));
        for (size_t i = 0; i < rows.n; i++)
            starts[i] = rows.v[i].start;
        f->fo.bins_read(f->fo.ctx, starts, (int)rows.n, f->closed);
        free(starts);
    }
    free(rows.v);
    return s;
}

/* liq_follow_close_before: the bins whose end plus the lateness is at or before the time
 * asked close as if a record of that time had come (after the read of this wake, so records
 * already appended count in their bins): written, then bins_read told where the written bins
 * end. Records for them that come later are corrections. While the Tail holds a multi-line
 * record back (its file grew within poll_ms) the close waits for it, at most poll_ms from the
 * request: the Tail's wait wakes for it. *changed: the state moved. */
static LiqStatus close_by_time(LiqFollow *f, const LiqOutput *out, LiqDiagList *d, int *changed)
{
    int64_t t = atomic_load(&f->close_at);
    if (!f->bins || t == INT64_MIN || t < INT64_MIN + f->fo.lateness_ms)
        return LIQ_OK;
    int64_t now = bin_of(f, t - f->fo.lateness_ms);
    if (now <= f->closed)
        return LIQ_OK;
    if (f->close_since == INT64_MIN)
        f->close_since = mono_ms();
    if (tail_holding(f->tail) &&
        mono_ms() - f->close_since < (f->fo.poll_ms > 0 ? f->fo.poll_ms : 1000))
        return LIQ_OK;
    f->close_since = INT64_MIN;
    LiqStatus s = close_bins(f, now, out, d);
    if (s != LIQ_OK)
        return s;
    f->closed = now;
    *changed = 1;
    if (f->fo.bins_read)
        f->fo.bins_read(f->fo.ctx, NULL, 0, f->closed);
    return LIQ_OK;
}

/* Streaming under a limit: the client's output, cut at the rows the follow has left. */
typedef struct Capped {
    const LiqOutput *out;
    int64_t *left;
} Capped;

static void capped_format(void *ctx, const Datum *vals, int ncols, LiqBuf *out)
{
    const Capped *c = ctx;
    c->out->format_row(c->out->ctx, vals, ncols, out);
}

static int capped_write(void *ctx, const char *data, size_t len, const uint32_t *row_ends,
                        uint32_t nrows)
{
    Capped *c = ctx;
    if (nrows && *c->left <= 0)
        return 1;
    if ((int64_t)nrows > *c->left) {
        nrows = (uint32_t)*c->left;
        len = row_ends[nrows - 1];
    }
    *c->left -= nrows;
    if (c->out->write(c->out->ctx, data, len, row_ends, nrows) != 0)
        return 1;
    return nrows && *c->left <= 0;
}

static int capped_idle(void *ctx)
{
    const Capped *c = ctx;
    return c->out->idle(c->out->ctx);
}

/* One read over the ranges r[0..n): its rows written or its states kept. */
static LiqStatus read_once(LiqFollow *f, const LiqRange *r, int n, const LiqOutput *out,
                           LiqDiagList *d)
{
    uint64_t morsels = 0;
    LiqStatus s;
    if (f->bins) {
        s = read_bins(f, r, n, out, d, &morsels);
    } else if (liq_query_has_state(f->q)) {
        LiqState *prev = f->acc;
        f->acc = NULL;
        s = run_keep(f, read_opts(f, r, n), prev, d, &f->acc, &morsels);
        f->dirty = 1;
    } else {
        LiqRunOptions ro = read_opts(f, r, n);
        LiqRunStats rs = {0};
        Capped cap = {out, &f->rows_left};
        LiqOutput capped = {&cap, out->format_row ? capped_format : NULL, capped_write,
                            out->idle ? capped_idle : NULL};
        s = go_on(liq_run(f->q, &ro, f->rows_left >= 0 ? &capped : out, &rs, d));
        if (s == LIQ_EOUTPUT && f->rows_left == 0)
            s = LIQ_OK; /* the limit's stop, not the client's */
        if (f->rows_left == 0)
            atomic_store(&f->stop, 1);
        morsels = rs.morsels;
    }
    f->base += morsels ? morsels : 1;
    return s;
}

/* ===== S3 prefixes =====
 *
 * Keys under a prefix do not arrive in lexical order (a writer's clock, parallel uploads), so
 * a listing after the last key seen would miss some: every poll_ms each URI is listed again
 * whole, and an object is new when its key was not seen, or was seen with another ETag (it
 * was written again: read again). The keys seen, with their ETags, are the state of an S3
 * prefix (in --state-file too).
 *
 * A new object is downloaded whole into an unlinked temporary file (its --cache-dir copy is
 * read in place) before any of it is read, and the read takes it as a range of that file
 * (@log the URI followed, @logStream its key below the URI's folder, its LastModified the
 * file's time: the reference date of timestamps without a year), with the files' new bytes.
 * A download that breaks off, even after part of the body came, leaves nothing of the object
 * read or counted: it is not seen, so the next listing finds it again and it is read then,
 * whole, once. A listing is not made while objects of the last one wait (a read takes at most
 * S3_BATCH of them, S3_AHEAD downloading at once). */

enum { S3_BATCH = 64, S3_AHEAD = 8 };

static char *dupz(const char *s)
{
    return mem_strdup(s ? s : "");
}

static void fresh_free(Fresh *x)
{
    if (x->fd >= 0)
        close(x->fd);
    free(x->uri);
    free(x->id);
    free(x->bucket);
    free(x->key);
    free(x->etag);
    free(x->log);
    free(x->stream);
}

/* Drops the first k objects waiting (read, or failed: listed again later). */
static void fresh_drop(LiqFollow *f, int k)
{
    if (k <= 0)
        return; /* f->fresh may be NULL: no memmove from it (UBSan) */
    for (int i = 0; i < k; i++)
        fresh_free(&f->fresh[i]);
    memmove(f->fresh, f->fresh + k, sizeof(Fresh) * (size_t)(f->nfresh - k));
    f->nfresh -= k;
}

static void fresh_add(LiqFollow *f, const S3Object *o, const char *id, const char *log,
                      const char *stream)
{
    if (f->nfresh == f->capfresh) {
        f->capfresh = f->capfresh ? f->capfresh * 2 : 16;
        f->fresh = mem_realloc(f->fresh, sizeof(Fresh) * (size_t)f->capfresh);
    }
    Fresh *x = &f->fresh[f->nfresh++];
    size_t ul = strlen(o->bucket) + strlen(o->key) + 7; /* "s3://" "/" NUL */
    x->uri = mem_alloc(ul);
    snprintf(x->uri, ul, "s3://%s/%s", o->bucket, o->key);
    x->id = dupz(id);
    x->bucket = dupz(o->bucket);
    x->key = dupz(o->key);
    x->etag = dupz(o->etag);
    x->log = dupz(log);
    x->stream = dupz(stream);
    x->size = o->size;
    x->mtime_ms = o->mtime_ms;
    x->fd = -1;
}

static int glob_any(const char *const *globs, int n, const char *rel, const char *base)
{
    for (int i = 0; i < n; i++)
        if (apr_fnmatch(globs[i], rel, 0) == APR_SUCCESS ||
            apr_fnmatch(globs[i], base, 0) == APR_SUCCESS)
            return 1;
    return 0;
}

/* Lists the S3 URIs when their time has come and no object of the last listing waits: their
 * new objects into f->fresh, in listing order (as a run over the URI would read them: its
 * --include/--exclude, its @log and @logStream). Problems are warnings; the next listing tries
 * again. */
static void s3_poll(LiqFollow *f, apr_pool_t *pool, LiqDiagList *d)
{
    if (!f->ns3 || f->nfresh || mono_ms() < f->s3_next)
        return;
    f->s3_next = mono_ms() + (f->fo.poll_ms > 0 ? f->fo.poll_ms : 1000);
    char err[512];
    if (!f->s3) {
        S3Opts so = {0};
        so.endpoint = f->opt.s3_endpoint;
        so.no_sign = f->opt.s3_no_sign;
        so.read_timeout = f->opt.s3_read_timeout;
        so.concurrency = f->opt.s3_concurrency;
        so.cache_dir = f->opt.s3_cache_dir;
        f->s3 = s3_open(f->pool, &so, err, sizeof(err));
        if (!f->s3) {
            diag_add(d, DIAG_WARNING, NULL, "S3: %s", err);
            return;
        }
    }
    apr_hash_t *listed = apr_hash_make(pool); /* an object named by two URIs is read once */
    for (int i = 0; i < f->ns3; i++) {
        S3Object *objs;
        size_t n;
        if (s3_expand(f->s3, pool, f->s3uris[i], &objs, &n, err, sizeof(err)) != 0) {
            diag_add(d, DIAG_WARNING, NULL, "%s: %s", f->s3uris[i], err);
            continue;
        }
        const char *ubucket, *ukey = "";
        size_t dirlen = 0; /* the URI's folder: keys below it are matched and named from it */
        if (s3_parse_uri(pool, f->s3uris[i], &ubucket, &ukey) == 0)
            for (size_t j = 0; j < s3_literal_prefix(ukey); j++)
                if (ukey[j] == '/')
                    dirlen = j + 1;
        for (size_t k = 0; k < n; k++) {
            const S3Object *o = &objs[k];
            if (o->archived || s3_literal_prefix(o->key) < strlen(o->key))
                continue; /* not readable; a key with glob characters cannot be named alone */
            const char *below = strncmp(o->key, ukey, dirlen) == 0 ? o->key + dirlen : o->key;
            const char *base = strrchr(o->key, '/');
            base = base ? base + 1 : o->key;
            if (strcmp(o->key, ukey) != 0 && below != o->key &&
                (glob_any(f->opt.exclude, f->opt.nexclude, below, base) ||
                 (f->opt.ninclude && !glob_any(f->opt.include, f->opt.ninclude, below, base))))
                continue;
            const char *id = apr_pstrcat(pool, o->bucket, "/", o->key, NULL);
            const char *etag = apr_hash_get(f->seen, id, APR_HASH_KEY_STRING);
            if ((etag && strcmp(etag, o->etag ? o->etag : "") == 0) ||
                apr_hash_get(listed, id, APR_HASH_KEY_STRING))
                continue;
            apr_hash_set(listed, id, APR_HASH_KEY_STRING, id);
            fresh_add(f, o, id, f->s3uris[i], below);
        }
    }
}

/* An unlinked temporary file (in TMPDIR, else /tmp), or -1 with err set. */
static int temp_file(char *err, size_t errlen)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    size_t len = strlen(dir) + 32;
    char *path = mem_alloc(len);
    snprintf(path, len, "%s/liq-follow-s3.XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0)
        snprintf(err, errlen, "a temporary file in %s: %s", dir, strerror(errno));
    else
        unlink(path);
    free(path);
    if (fd >= 0)
        (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

/* Copies the stream's body into the temporary file fd: 0, or -1 with err set. */
static int copy_stream(S3Stream *st, int fd, char *err, size_t errlen)
{
    char b[65536];
    for (;;) {
        ssize_t r = read(s3_stream_fd(st), b, sizeof(b));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "%s", strerror(errno));
            return -1;
        }
        if (r == 0)
            return 0;
        for (ssize_t done = 0; done < r;) {
            ssize_t w = write(fd, b + done, (size_t)(r - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                snprintf(err, errlen, "writing its copy: %s", w < 0 ? strerror(errno) : "full");
                return -1;
            }
            done += w;
        }
    }
}

/* Downloads the first objects waiting (at most S3_BATCH), S3_AHEAD at once, each whole into
 * its fd; one that fails is reported and gets fd -1 (nothing of it is read). Returns how many
 * it took. */
static int s3_fetch(LiqFollow *f, apr_pool_t *pool, LiqDiagList *d)
{
    int k = f->nfresh < S3_BATCH ? f->nfresh : S3_BATCH;
    S3Stream *st[S3_BATCH] = {0};
    const char *local[S3_BATCH] = {0};
    char *why[S3_BATCH] = {0};
    int started = 0;
    for (int i = 0; i < k; i++) {
        char err[1024];
        while (started < k && started < i + S3_AHEAD) { /* downloads ahead of the copy */
            Fresh *x = &f->fresh[started];
            x->o = (S3Object){x->bucket, x->key, x->size, *x->etag ? x->etag : NULL, NULL, 0,
                              x->mtime_ms};
            if (s3_stream_open(f->s3, pool, &x->o, &st[started], &local[started], err,
                               sizeof(err)) != 0)
                why[started] = apr_pstrdup(pool, err);
            started++;
        }
        Fresh *x = &f->fresh[i];
        if (why[i]) {
            /* reported below */
        } else if (!st[i]) { /* its copy in --cache-dir */
            x->fd = open(local[i], O_RDONLY | O_CLOEXEC);
            if (x->fd < 0)
                why[i] = apr_psprintf(pool, "%s: %s", local[i], strerror(errno));
        } else {
            x->fd = temp_file(err, sizeof(err));
            int bad = x->fd < 0 || copy_stream(st[i], x->fd, err, sizeof(err)) != 0;
            if (bad)
                why[i] = apr_pstrdup(pool, err);
            if (s3_stream_close(st[i], err, sizeof(err)) != 0 && !bad)
                why[i] = apr_pstrdup(pool, err);
            st[i] = NULL;
            if (!why[i] && x->mtime_ms) { /* LastModified: the timestamps' reference date */
                struct timespec ts[2];
                ts[0].tv_sec = ts[1].tv_sec = (time_t)(x->mtime_ms / 1000);
                ts[0].tv_nsec = ts[1].tv_nsec = (long)(x->mtime_ms % 1000) * 1000000;
                (void)futimens(x->fd, ts);
            }
        }
        if (why[i]) {
            if (x->fd >= 0)
                close(x->fd);
            x->fd = -1;
            diag_add(d, DIAG_WARNING, NULL,
                     "%s: %s; nothing of it was read: read again, whole, at the next listing",
                     x->uri, why[i]);
        }
    }
    return k;
}

/* The ranges of a read: the files' spans r[0..n), then the copies of the first k objects
 * waiting that were downloaded; their number in *total. */
static const LiqRange *read_ranges(LiqFollow *f, const LiqRange *r, int n, int k, int *total)
{
    if (f->capranges < n + k) {
        f->capranges = n + k;
        f->ranges = mem_realloc(f->ranges, sizeof(LiqRange) * (size_t)f->capranges);
    }
    if (n)
        memcpy(f->ranges, r, sizeof(LiqRange) * (size_t)n);
    int m = n;
    for (int i = 0; i < k; i++) {
        const Fresh *x = &f->fresh[i];
        struct stat sb;
        if (x->fd < 0 || fstat(x->fd, &sb) != 0)
            continue;
        f->ranges[m++] = (LiqRange){x->uri, x->log, x->stream, x->fd, 0, (uint64_t)sb.st_size};
    }
    *total = m;
    return f->ranges;
}

/* The first k objects waiting were read: those downloaded are seen from now on; all k are
 * dropped (one that failed is found again by the next listing). */
static void s3_seen(LiqFollow *f, int k)
{
    for (int i = 0; i < k; i++) {
        const Fresh *x = &f->fresh[i];
        if (x->fd < 0)
            continue;
        /* a key seen before keeps its entry (apr_hash_set keeps the first key's memory) */
        const char *id = apr_hash_get(f->seen, x->id, APR_HASH_KEY_STRING)
                             ? x->id
                             : apr_pstrdup(f->pool, x->id);
        apr_hash_set(f->seen, id, APR_HASH_KEY_STRING, apr_pstrdup(f->pool, x->etag));
    }
    fresh_drop(f, k);
}

/* ===== --state-file =====
 *
 * Text lines, then the states' bytes:
 *
 *   liq-follow-state 2
 *   query HASH       of the query text: another query's state is refused
 *   mark N           LiqFollowOptions.out_mark after the last read, or -
 *   wm MS            bins: the newest timestamp seen, or -
 *   closed MS        bins: the first bin not written
 *   base N           the next order base
 *   left N           a streaming query's limit: the rows still to write (-1: no limit)
 *   emit DIRTY WRITTEN  others: records came since the last result; a result was written
 *   file ...         tail_save's lines: each file's offsets
 *   s3 ETAG ID       each S3 object read (ETag - when the listing gave none), ID BUCKET/KEY
 *                    (names as tail_put_name writes them: a newline in one is %0A)
 *   bin START BYTES  bins: each open bin's state, BYTES of the data (0: none)
 *   acc BYTES        others: the state so far
 *   data             the states' bytes follow, in the order of their lines
 *
 * A state is the first breaker's, in the partial form (OpVTable.save, engine/exec/partial.h:
 * exact, versioned; loaded without trusting it). The file is written before the first read
 * (when there is none yet: a crash before the first state would leave rows no state accounts
 * for), after every read whose rows are out, and at the end, to NAME.tmp, flushed, then
 * renamed over NAME: a crash leaves the old or the new state whole. A restart takes the
 * offsets, the keys, the states and the output's mark (out_rewind: a regular file loses what
 * was written after the state, which the restart writes again): it reads nothing again, so a
 * file rotated away or deleted while liq was down loses nothing it had read. */

static uint64_t text_hash(const LiqQuery *q)
{
    LiqBuf b = {0};
    liq_query_text(q, &b);
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < b.len; i++)
        h = (h ^ (unsigned char)b.p[i]) * 1099511628211ULL;
    buf_free(&b);
    return h;
}

/* The query's first breaker (the one whose state a follower keeps). */
static const Op *breaker(const LiqFollow *f)
{
    return liq_query_plan(f->q)->pipes[0].breaker;
}

/* Appends st's bytes (a copy is saved: st stays as it is) to data: 0, or -1. */
static int state_bytes(const LiqFollow *f, const LiqState *st, LiqBuf *data)
{
    const Op *brk = breaker(f);
    OpState *c = brk->vt->copy(brk, st->st);
    if (!c)
        return -1;
    int rc = brk->vt->save(brk, c, data);
    brk->vt->state_free(brk, c);
    return rc;
}

/* A state of the bytes p[0..n) (NULL when they are not a whole valid state of the query). */
static LiqState *state_of(const LiqFollow *f, const char *p, size_t n)
{
    const Op *brk = breaker(f);
    OpState *os = brk->vt->load(brk, p, n, NULL); /* a follower's spills: $TMPDIR */
    if (!os)
        return NULL;
    LiqState *s = mem_alloc(sizeof(*s));
    s->plan = liq_query_plan(f->q);
    s->st = os;
    return s;
}

static LiqStatus state_save(LiqFollow *f, LiqDiagList *d)
{
    if (!f->fo.state_file)
        return LIQ_OK;
    LiqBuf b = {0}, data = {0};
    uint64_t mark = f->fo.out_mark ? f->fo.out_mark(f->fo.ctx) : UINT64_MAX;
    buf_printf(&b, "liq-follow-state 2\nquery %" PRIu64 "\n", text_hash(f->q));
    if (mark == UINT64_MAX)
        buf_printf(&b, "mark -\n");
    else
        buf_printf(&b, "mark %" PRIu64 "\n", mark);
    if (f->has_wm)
        buf_printf(&b, "wm %" PRId64 "\n", f->wm);
    else
        buf_printf(&b, "wm -\n");
    buf_printf(&b, "closed %" PRId64 "\nbase %" PRIu64 "\nleft %" PRId64 "\nemit %d %d\n",
               f->closed, f->base, f->rows_left, f->dirty, f->written);
    tail_save(f->tail, &b);
    apr_pool_t *hp;
    apr_pool_create(&hp, f->pool);
    for (apr_hash_index_t *hi = apr_hash_first(hp, f->seen); hi; hi = apr_hash_next(hi)) {
        const void *k;
        void *v;
        apr_hash_this(hi, &k, NULL, &v);
        const char *etag = v;
        buf_printf(&b, "s3 %s ", *etag ? etag : "-");
        tail_put_name(&b, k);
        buf_addc(&b, '\n');
    }
    apr_pool_destroy(hp);
    int ok = 1;
    for (int i = 0; ok && i < f->nopen; i++) {
        size_t at = data.len;
        ok = !f->open[i].st || state_bytes(f, f->open[i].st, &data) == 0;
        buf_printf(&b, "bin %" PRId64 " %zu\n", f->open[i].start, data.len - at);
    }
    if (ok && f->acc) {
        size_t at = data.len;
        ok = state_bytes(f, f->acc, &data) == 0;
        buf_printf(&b, "acc %zu\n", data.len - at);
    }
    buf_printf(&b, "data\n");
    if (data.len)
        buf_add(&b, data.p, data.len);
    buf_free(&data);
    char *tmp = apr_pstrcat(f->pool, f->fo.state_file, ".tmp", NULL);
    FILE *fp = ok ? fopen(tmp, "w") : NULL;
    ok = fp && fwrite(b.p, 1, b.len, fp) == b.len && fflush(fp) == 0 && fsync(fileno(fp)) == 0;
    if (fp && fclose(fp) != 0)
        ok = 0;
    if (ok && rename(tmp, f->fo.state_file) != 0)
        ok = 0;
    buf_free(&b);
    if (!ok) {
        diag_add(d, DIAG_ERROR, NULL, "--state-file %s: cannot write it: %s", f->fo.state_file,
                 errno ? strerror(errno) : "a state could not be saved");
        remove(tmp);
        return LIQ_EINTERNAL;
    }
    return LIQ_OK;
}

/* Reads the state of an earlier follower, if there is one. */
static LiqStatus state_load(LiqFollow *f, LiqDiagList *d)
{
    LiqBuf b = {0};
    errno = 0;
    if (!f->fo.state_file || buf_read_file(&b, f->fo.state_file) != 0) {
        if (f->fo.state_file && errno != ENOENT) {
            diag_add(d, DIAG_ERROR, NULL, "--state-file %s: %s", f->fo.state_file,
                     strerror(errno));
            return LIQ_EUSAGE;
        }
        return LIQ_OK; /* none yet: a first run */
    }
    size_t total = b.len;
    buf_addc(&b, 0);
    char *marker = strstr(b.p, "\ndata\n"); /* the text ends there, the states' bytes follow */
    uint64_t hash, base;
    int64_t closed, left;
    int dirty, written;
    char mark[32], wms[32];
    int used = 0;
    if (!marker ||
        sscanf(b.p, "liq-follow-state 2 query %" SCNu64 " mark %31s wm %31s closed %" SCNd64
                    " base %" SCNu64 " left %" SCNd64 " emit %d %d %n",
               &hash, mark, wms, &closed, &base, &left, &dirty, &written, &used) < 8 ||
        !used || b.p + used > marker + 1) {
        diag_add(d, DIAG_ERROR, NULL, "--state-file %s: not a state this liq --follow wrote",
                 f->fo.state_file);
        buf_free(&b);
        return LIQ_EUSAGE;
    }
    const char *data = marker + 6, *end = b.p + total;
    marker[1] = 0;
    if (hash != text_hash(f->q)) {
        LiqDiag *x = diag_add(d, DIAG_ERROR, NULL,
                              "--state-file %s: the state of another query", f->fo.state_file);
        diag_hint(d, x, "%s", "give each query a state file of its own");
        buf_free(&b);
        return LIQ_EUSAGE;
    }
    int64_t wm;
    if (strcmp(wms, "-") != 0 && sscanf(wms, "%" SCNd64, &wm) == 1) {
        f->wm = wm;
        f->has_wm = 1;
    }
    f->closed = closed;
    f->base = base;
    if (!liq_query_has_state(f->q))
        f->rows_left = left;
    f->dirty = dirty != 0;
    f->written = written != 0;
    int bad = 0;
    for (const char *p = b.p + used; p && *p && !bad;) {
        const char *nl = strchr(p, '\n');
        char etag[256];
        int at = 0;
        int64_t start;
        size_t n;
        if (sscanf(p, "s3 %255s %n", etag, &at) >= 1 && at > 0) { /* "s3 ETAG BUCKET/KEY" */
            size_t len = nl ? (size_t)(nl - p) - (size_t)at : strlen(p + at);
            char *name = tail_get_name(p + at, len);
            const char *k = apr_pstrdup(f->pool, name);
            free(name);
            if (strchr(k, '/'))
                apr_hash_set(f->seen, k, APR_HASH_KEY_STRING,
                             strcmp(etag, "-") == 0 ? "" : apr_pstrdup(f->pool, etag));
        } else if (sscanf(p, "bin %" SCNd64 " %zu", &start, &n) == 2 && f->bins) {
            bad = n > (size_t)(end - data);
            LiqState *st = bad || !n ? NULL : state_of(f, data, n);
            bad |= n && !st;
            if (!bad)
                open_bin(f, start)->st = st;
            data += bad ? 0 : n;
        } else if (sscanf(p, "acc %zu", &n) == 1 && !f->bins && liq_query_has_state(f->q)) {
            bad = n > (size_t)(end - data) || f->acc;
            LiqState *st = bad ? NULL : state_of(f, data, n);
            bad |= !st;
            f->acc = st;
            data += bad ? 0 : n;
        }
        p = nl ? nl + 1 : NULL;
    }
    if (bad) {
        diag_add(d, DIAG_ERROR, NULL,
                 "--state-file %s: its saved states are damaged (not a whole state of the "
                 "query)",
                 f->fo.state_file);
        buf_free(&b);
        return LIQ_EUSAGE;
    }
    if (strcmp(mark, "-") != 0 && f->fo.out_rewind &&
        f->fo.out_rewind(f->fo.ctx, strtoull(mark, NULL, 10)) != 0) {
        diag_add(d, DIAG_ERROR, NULL,
                 "--state-file %s: the output cannot be cut back to where the state was "
                 "written",
                 f->fo.state_file);
        buf_free(&b);
        return LIQ_EUSAGE;
    }
    tail_load(f->tail, b.p + used);
    f->resumed = 1;
    buf_free(&b);
    return LIQ_OK;
}

/* ===== The loop ===== */

/* tail_records: does a line start a record? --multiline-start's regex; else the default
 * rule's (multiline.h): a line of a shape that may continue a record (indented, "Caused by:",
 * an exception's name, ...) may, others start one; so does a JSON line ('{'), never held. */
typedef struct Starts {
    const MlRule *rule;
    void *local;
} Starts;

static int line_starts(void *ctx, const char *p, size_t n)
{
    const Starts *st = ctx;
    if (st->rule)
        return st->rule->starts(st->rule->ctx, st->local, p, n);
    return p[0] != '{' && !ml_shape(p, n);
}

LiqStatus liq_follow_exec(LiqFollow *f, const LiqOutput *out, LiqDiagList *diags)
{
    const LiqRunOptions *o = &f->opt;
    if (o->nlog_groups) {
        diag_add(diags, DIAG_ERROR, NULL,
                 "--follow reads files and directories named as inputs, not --log-group");
        return LIQ_EUSAGE;
    }
    for (int i = 0; i < o->ninputs; i++) {
        const char *in = o->inputs[i];
        if (strcmp(in, "-") == 0) {
            diag_add(diags, DIAG_ERROR, NULL,
                     "--follow reads files and directories: standard input is read as it "
                     "comes already (tail -F FILE | liq QUERY)");
            return LIQ_EUSAGE;
        }
    }
    if (!o->ninputs) {
        diag_add(diags, DIAG_ERROR, NULL, "--follow needs files or directories to follow");
        return LIQ_EUSAGE;
    }
    if (liq_query_bin(f->q, &f->period, &f->offset)) {
        const char *text = apr_psprintf(
            f->pool, "stats count(*) as n, max(@timestamp) as hi by bin(%s)%s",
            period_text(f->pool, f->period),
            f->offset ? apr_psprintf(f->pool, " offset %" APR_INT64_T_FMT "ms", f->offset) : "");
        f->helper = liq_compile(f->pool, text, strlen(text), diags);
        if (!f->helper)
            return LIQ_EINTERNAL;
        f->bins = 1;
    }
    if (f->fo.state_file && liq_query_has_state(f->q) &&
        (!breaker(f)->vt->save || !breaker(f)->vt->load || !breaker(f)->vt->copy)) {
        LiqDiag *x = diag_add(diags, DIAG_ERROR, NULL,
                              "--state-file: %s keeps a state that cannot be saved",
                              breaker(f)->vt->name);
        diag_hint(diags, x, "%s", "follow this query without --state-file");
        return LIQ_EUSAGE;
    }
    const char **files = apr_pcalloc(f->pool, sizeof(char *) * (size_t)o->ninputs);
    int nfiles = 0;
    f->s3uris = apr_pcalloc(f->pool, sizeof(char *) * (size_t)o->ninputs);
    for (int i = 0; i < o->ninputs; i++) {
        if (strncmp(o->inputs[i], "s3://", 5) == 0)
            f->s3uris[f->ns3++] = o->inputs[i];
        else
            files[nfiles++] = o->inputs[i];
    }
    f->tail = tail_open(files, nfiles, o->include, o->ninclude, o->exclude, o->nexclude,
                        f->fo.poll_ms);
    Starts *starts = apr_pcalloc(f->pool, sizeof(*starts));
    if (!o->input_format || strcmp(o->input_format, "text") == 0) { /* text: multi-line */
        if (o->multiline_start) {
            char err[256];
            starts->rule = mlstart_rule(f->pool, o->multiline_start, err, sizeof(err));
            if (!starts->rule) {
                diag_add(diags, DIAG_ERROR, NULL, "--multiline-start: %s", err);
                return LIQ_EUSAGE;
            }
            starts->local = starts->rule->local_new(starts->rule->ctx, f->pool);
        }
        tail_records(f->tail, line_starts, starts);
    }
    LiqStatus s = state_load(f, diags);
    if (s == LIQ_OK && f->rows_left == 0)
        atomic_store(&f->stop, 1); /* the limit's rows were all written before the restart */
    if (s == LIQ_OK && !f->resumed)
        s = state_save(f, diags); /* before any row: a crash from here on restarts from it
                                   * (the output cut back to where it stood) */
    while (s == LIQ_OK) {
        apr_pool_t *tp;
        apr_pool_create(&tp, f->pool);
        LiqDiagList *d = diag_list_new(tp);
        const LiqRange *r;
        int n = tail_scan(f->tail, &r, d);
        int changed = 0;
        s3_poll(f, tp, d);
        int k = f->nfresh ? s3_fetch(f, tp, d) : 0; /* new S3 objects, downloaded whole */
        int nr = n;
        if (k)
            r = read_ranges(f, r, n, k, &nr);
        if (nr > 0) {
            s = read_once(f, r, nr, out, d);
            if (s == LIQ_OK)
                tail_commit(f->tail);
            if (s == LIQ_OK && out->idle && !(liq_query_has_state(f->q) && !f->bins) &&
                out->idle(out->ctx))
                s = LIQ_EOUTPUT; /* rows held back (a table) go out now */
            changed = 1;
        }
        if (s == LIQ_OK && k) {
            s3_seen(f, k); /* (one whose download failed: listed again) */
            changed = 1;
        }
        if (s == LIQ_OK)
            s = close_by_time(f, out, d, &changed);
        int64_t wait = -1;
        if (s == LIQ_OK && !f->bins && liq_query_has_state(f->q) && f->dirty) {
            int64_t left = f->written ? f->last_emit + f->fo.every_ms - mono_ms() : 0;
            if (left <= 0)
                s = write_acc(f, out, d);
            else
                wait = left;
        }
        if (s == LIQ_OK && changed)
            s = state_save(f, d); /* after the read's rows are out */
        if (f->fo.report && d->n)
            f->fo.report(f->fo.ctx, d);
        apr_pool_destroy(tp);
        if (s != LIQ_OK || atomic_load(&f->stop))
            break;
        if (f->ns3) { /* the next listing, or at once the objects of the last one that wait */
            int64_t left = f->nfresh ? 0 : f->s3_next - mono_ms();
            if (left < 1 && !f->nfresh)
                left = 1;
            if (wait < 0 || left < wait)
                wait = left;
        }
        if (wait != 0)
            tail_wait(f->tail, (int)wait);
    }
    if (s == LIQ_OK) { /* stopped: what is open goes out (kept in the state: --state-file) */
        apr_pool_t *tp;
        apr_pool_create(&tp, f->pool);
        LiqDiagList *d = diag_list_new(tp);
        tail_records(f->tail, NULL, NULL); /* held multi-line records: whole now */
        const LiqRange *r;
        int n = f->rows_left != 0 ? tail_scan(f->tail, &r, d) : 0;
        if (n > 0) {
            s = read_once(f, r, n, out, d);
            if (s == LIQ_OK)
                tail_commit(f->tail);
        }
        if (s == LIQ_OK && f->bins && !f->fo.state_file)
            s = close_bins(f, INT64_MAX, out, d);
        else if (s == LIQ_OK && !f->bins && liq_query_has_state(f->q) &&
                 (f->dirty || !f->written))
            s = write_acc(f, out, d);
        if (s == LIQ_OK)
            s = state_save(f, d);
        if (f->fo.report && d->n)
            f->fo.report(f->fo.ctx, d);
        apr_pool_destroy(tp);
    }
    return s;
}

void liq_follow_free(LiqFollow *f)
{
    if (!f)
        return;
    tail_close(f->tail);
    f->tail = NULL;
    liq_state_free(f->acc);
    fresh_drop(f, f->nfresh);
    free(f->fresh);
    free(f->ranges);
    for (int i = 0; i < f->nopen; i++)
        liq_state_free(f->open[i].st);
    free(f->open);
    apr_pool_destroy(f->pool);
}
