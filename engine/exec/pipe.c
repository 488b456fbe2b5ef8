/* pipe.c -- running a compiled query: runs, workers, morsels, batches, output in input order
 *
 * A run (LiqRun) is everything one execution of a compiled query writes: its options, the
 * values its operators read (OpCtx: the periods of diff, the frame of anomaly), the first
 * breaker's global state, its workers, counters, the output sequencer, the cancellation flag.
 * The plan is only read, so one compiled query runs many times, also in several threads at
 * once (docs/architecture.md).
 *
 * Threading model. Pipeline 0 runs on `threads` workers. A worker pulls a morsel (src.c),
 * cuts it into batches of whole records, runs the streaming operators on each batch, and ends
 * each batch either in the pipeline's breaker (worker-local state) or in the output, where it
 * formats the visible columns of the surviving rows into the morsel's text buffer. Finished
 * morsel texts go to the sequencer, which writes them strictly in morsel order, so output is
 * identical for every thread count (L1). Workers that run too far ahead of the oldest
 * unwritten morsel wait (SEQ_WINDOW morsels), which bounds the memory held by pending text.
 *
 * When pipeline 0 ends in a breaker, every worker folds its local state into the run's
 * global state (combine, under the run lock) when it ends; the calling thread finalizes it
 * into a RowSet and runs the remaining pipelines over row sets on its own: after the first
 * breaker the data is a query result, not the input, and is small in comparison.
 *
 * The state seam (op.h). With LiqRunOptions.keep_state the run stops after pipeline 0 and
 * keeps the first breaker's state for liq_run_state_take; liq_run_state_merge adds the state
 * of another run of the same query to this run's before it executes (or after a keep_state
 * run), and the run's finalize sees the union. Order keys are (order_base + morsel number)
 * << 32 | row number in the morsel (vec.h), so runs over consecutive parts of the inputs,
 * given order bases that follow each other, merge into exactly the rows of one run.
 *
 * Snapshots. liq_run_snapshot (any thread) asks the workers to fold their local states into
 * the global one: it raises the run's snapshot epoch; a worker that is working on a morsel
 * (busy) folds its state in when the morsel ends, and the snapshot folds the state of a
 * worker between morsels itself (a worker may wait in src_next for a slow pipe). Both happen
 * under the run lock, and a worker marks itself busy under it, so a local state is never
 * touched by two threads at once. The snapshot then finalizes a copy of the global state and
 * runs the remaining pipelines over it into its own output, on the calling thread; the run
 * goes on undisturbed.
 *
 * Cancellation. liq_run_cancel stores an atomic flag (async-signal-safe); workers check it
 * between batches and morsels and the remaining pipelines between batches, so the run ends
 * within a batch of work per worker (plus whatever read src_next is waiting for) and says
 * LIQ_ECANCELLED.
 *
 * A row cap (limit at the end of a query) is enforced by the sequencer; once reached, workers
 * stop pulling morsels, so 'filter ... | limit 10' reads only as much input as it needs.
 *
 * Live inputs (issue 14: `tail -f app.log | liq ...`). A pipe or FIFO hands out its whole lines
 * as soon as a read would wait (engine/input/src.h), so each morsel of it is what its writer
 * wrote meanwhile, and the sequencer writes its rows once it and the morsels before it are
 * done: rows stream in input order, one LiqOutput.write per morsel, for any number of
 * workers. A worker waiting on such an input looks at the run's stop flag (src_live), so a
 * limit reached or a cancel ends the run while the input stays open. When the current input
 * paused for SRC_IDLE_MS, the source tells the run (live_idle) the number of morsels handed
 * out; once the sequencer has written them all (at once, or when the last of them is
 * written), it calls LiqOutput.idle, under its lock like write.
 *
 * Profile (--stats=verbose). With LiqRunOptions.profile, each worker counts rows in and out
 * of every stage of its pipeline and times it by laps: a clock read at each stage boundary
 * of a batch (never per row) charges the time since the previous read to the stage just
 * done. The counters are the worker's own (Prof) and are added to the run's once, when the
 * worker ends; the main thread's later pipelines and finalize count into the run's directly.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <apr_thread_cond.h>
#include <apr_thread_proc.h>
#include "base/mem.h"
#include "engine/liq.h"
#include "base/memfind.h"
#include "engine/exec/budget.h"
#include "engine/exec/op.h"
#include "engine/exec/mlstart.h"
#include "engine/exec/rx.h"
#include "engine/input/ts.h"
#include "engine/input/fmt.h"
#include "engine/input/src.h"
#include "engine/exec/pipe.h"
#include "engine/exec/tally.h"

enum { SEQ_WINDOW = 64 };

/* Rows and time of one stage (see "Profile" above); LiqOpStats without the names. */
typedef struct Prof {
    uint64_t rows_in, rows_out, ns;
} Prof;

/* Stage indices in a pipeline's Prof range: pipeline 0 has scan, prefilter and time range
 * before its operators, later pipelines one source stage (rows); the breaker or output last. */
enum { PROF_SCAN = 0, PROF_PREFILTER = 1, PROF_RANGE = 2 };

typedef struct Pending {
    int ready;
    LiqBuf text;
    uint32_t *ends;
    uint32_t n, cap;
} Pending;

/* The output sequencer: morsel texts written in morsel order, the row cap applied. The run
 * has one for its output; a snapshot has its own. */
typedef struct Seq {
    const Plan *plan;
    const LiqOutput *out;
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *cond; /* a morsel was written: workers waiting for the window go on */
    _Atomic int *stop;       /* set when no more rows are wanted (cap reached, write failed) */
    int write_failed;
    uint64_t next_seq;
    uint64_t rows_out;
    uint64_t taken; /* rows handed to the output in order until it stopped (records matched
                     * when pipeline 0 ends in the output: see liq_run_exec) */
    LiqProgress *prog; /* the run's progress (records_matched follows taken), or NULL */
    int idle_wanted;  /* a live input paused: call out->idle once morsels before ... */
    uint64_t idle_at; /* ... this number are written */
    Pending ring[SEQ_WINDOW];
} Seq;

/* A run's phases (LiqRun.phase, under its lock) */
enum {
    PH_NEW,    /* made; states may be merged in */
    PH_SCAN,   /* pipeline 0 is running: snapshots fold the workers' states */
    PH_KEPT,   /* ended with keep_state: the state waits for liq_run_state_take */
    PH_FINISH, /* finalizing and the later pipelines: the state is being consumed */
};

typedef struct Worker Worker;

struct LiqRun {
    apr_pool_t *pool; /* the run's own (liq_run_free destroys it) */
    const Plan *plan;
    LiqRunOptions opt; /* a copy; the arrays it points to are the caller's */
    OpCtx ctx;         /* what the operators read (diff periods, the anomaly frame) */
    RxFailures rxf;    /* ctx.rx */
    _Atomic uint64_t rows_held; /* ctx.rows_held */
    Budget budget;              /* ctx.mem: --memory-limit (budget.h) */
    int64_t hold;               /* of it, the tables held for the whole run (pipe_run_hold) */
    _Atomic int stop;      /* workers stop pulling morsels and batches */
    _Atomic int cancelled; /* liq_run_cancel */
    apr_thread_mutex_t *lock;      /* the state, counters, workers' busy/epoch, phase */
    apr_thread_cond_t *fold_cond;  /* a worker folded its state in for a snapshot, or ended */
    apr_thread_mutex_t *snap_lock; /* one snapshot at a time; the end of the scan waits */
    apr_thread_mutex_t *diag_lock;
    int phase;
    int executed;
    LiqStatus fail;       /* pipe_run_fail: liq_run_exec returns this at once */
    const char *fail_why;
    OpState *state;  /* the first breaker's global state (pipeline 0 ends in a breaker) */
    uint64_t epoch;  /* snapshots asked for so far */
    Worker *ws;      /* pipeline 0's workers (during PH_SCAN) */
    int nws;
    Seq seq;
    Src *src;
    uint64_t scanned, matched;
    uint64_t cut;
    uint64_t morsels; /* morsel numbers used: one past the largest seen */
    size_t max_line;  /* --max-line, at most UINT32_MAX (Rec.len): records are cut there */
    int final0;       /* pipeline 0 ends in the output */
    int nvis_inputs;
    int *vis_inputs; /* the input slots among the visible columns (plan-sized) */
    int ts_slot;     /* the @timestamp slot when a time range applies, else -1 */
    int64_t range_start, range_end; /* the time filter (wider than --start for diff) */
    int *prof_base;  /* per pipeline: index of its first stage in prof (profile only) */
    int nprof;
    Prof *prof;      /* the run's totals (under lock); NULL without profile */
};

struct Worker {
    LiqRun *run;
    const OpCtx *ctx;
    apr_pool_t *pool;       /* lives as long as the worker */
    apr_pool_t *batch_pool; /* cleared after every batch */
    OpLocal **locals;       /* per operator of the pipeline it runs, breaker last */
    Batch b;
    Rec *recs;
    SelIdx *sel;
    Vec *cols;
    Pending cur; /* output of the current morsel */
    Datum *vals; /* one output row: a value per visible column (plan-sized) */
    uint8_t *bits; /* prefilter marks, one byte per row */
    uint64_t scanned, matched;
    uint64_t prog_scanned, prog_matched; /* ... of them added to LiqRunOptions.progress */
    uint64_t cut; /* records cut at --max-line */
    uint64_t morsels; /* one past the largest morsel number it ran */
    void *ml;          /* --multiline-start: this worker's matcher (src_ml_local) */
    int64_t seek_prev; /* the time seek: the last record time seen in the morsel */
    int seek_bad;      /* ... and one was out of order (reported) */
    Prof *prof;   /* this worker's counters (r->nprof of them), NULL without profile */
    uint64_t lap; /* the clock at the last stage boundary */
    /* pipeline 0 with a breaker (under the run lock): */
    int busy;       /* running a morsel: only the worker touches its breaker's local state */
    int done;       /* ended: its local state is in the global one */
    uint64_t epoch; /* the snapshot epoch its local state was last folded in at */
};

static int stopped(const LiqRun *r)
{
    return atomic_load_explicit(&r->stop, memory_order_relaxed);
}
/* ===== Profile ===== */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Charges the time since the worker's last lap to stage idx. */
static inline void lap(Worker *w, int idx)
{
    if (!w->prof)
        return;
    uint64_t t = now_ns();
    w->prof[idx].ns += t - w->lap;
    w->lap = t;
}

static inline void prof_rows(Worker *w, int idx, uint64_t in, uint64_t out)
{
    if (w->prof) {
        w->prof[idx].rows_in += in;
        w->prof[idx].rows_out += out;
    }
}

/* The index of the first operator of pipeline pi, and of its breaker or output. */
static int prof_op(const LiqRun *r, int pi)
{
    return r->prof_base[pi] + (pi == 0 ? 3 : 1);
}

static int prof_sink(const LiqRun *r, int pi)
{
    return prof_op(r, pi) + r->plan->pipes[pi].nops;
}

static void prof_init(LiqRun *r, apr_pool_t *pool)
{
    const Plan *p = r->plan;
    r->prof_base = apr_pcalloc(pool, sizeof(int) * (size_t)p->npipes);
    for (int pi = 0; pi < p->npipes; pi++) {
        r->prof_base[pi] = r->nprof;
        r->nprof += (pi == 0 ? 3 : 1) + p->pipes[pi].nops + 1;
    }
    r->prof = apr_pcalloc(pool, sizeof(Prof) * (size_t)r->nprof);
}

static void prof_add(Prof *dst, const Prof *src, int n)
{
    for (int i = 0; i < n; i++) {
        dst[i].rows_in += src[i].rows_in;
        dst[i].rows_out += src[i].rows_out;
        dst[i].ns += src[i].ns;
    }
}

/* The run's profile as LiqOpStats, stages that did not apply left out; the array (one entry
 * per stage of the plan at most) lives in pool, the run's. */
static void prof_report(const LiqRun *r, LiqRunStats *st, apr_pool_t *pool)
{
    const Plan *p = r->plan;
    st->nops = 0;
    st->ops = apr_pcalloc(pool, sizeof(LiqOpStats) * (size_t)(r->nprof + 1));
    for (int pi = 0; pi < p->npipes; pi++) {
        const Pipeline *pl = &p->pipes[pi];
        for (int i = r->prof_base[pi]; i <= prof_sink(r, pi); i++) {
            int k = i - prof_op(r, pi);
            const char *name, *label = NULL;
            if (pi == 0 && i - r->prof_base[pi] == PROF_PREFILTER) {
                if (!p->npre || r->opt.no_prefilter)
                    continue;
                name = "prefilter";
            } else if (pi == 0 && i - r->prof_base[pi] == PROF_RANGE) {
                if (r->ts_slot < 0)
                    continue;
                name = "time range";
            } else if (k < 0) {
                name = pi == 0 ? "scan" : "rows";
            } else if (k < pl->nops) {
                name = pl->ops[k]->vt->name;
                label = pl->ops[k]->label;
            } else if (pl->breaker) {
                name = pl->breaker->vt->name;
                label = pl->breaker->label;
            } else {
                name = "output";
            }
            LiqOpStats *o = &st->ops[st->nops++];
            o->pipeline = pi;
            o->name = name;
            o->label = label;
            o->rows_in = r->prof[i].rows_in;
            o->rows_out = r->prof[i].rows_out;
            o->ns = r->prof[i].ns;
        }
    }
}

/* ===== Output ===== */

static void seq_init(Seq *s, const Plan *p, const LiqOutput *out, _Atomic int *stop,
                     apr_pool_t *pool)
{
    memset(s, 0, sizeof(*s));
    s->plan = p;
    s->out = out;
    s->stop = stop;
    apr_thread_mutex_create(&s->lock, APR_THREAD_MUTEX_DEFAULT, pool);
    apr_thread_cond_create(&s->cond, pool);
}

static void seq_free(Seq *s)
{
    for (int i = 0; i < SEQ_WINDOW; i++) {
        buf_free(&s->ring[i].text);
        free(s->ring[i].ends);
    }
}

static int seq_stopped(const Seq *s)
{
    return atomic_load_explicit(s->stop, memory_order_relaxed);
}

static void pending_add_row(Pending *p, uint32_t end)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 256;
        uint32_t *e = mem_realloc(p->ends, sizeof(uint32_t) * p->cap);
        p->ends = e;
    }
    p->ends[p->n++] = end;
}

static void format_batch(const LiqRun *r, const Seq *s, Batch *b, Pending *p, Datum *vals)
{
    const Plan *pl = r->plan;
    int nv = pl->nvis;
    dec_load(pl, b, r->vis_inputs, r->nvis_inputs);
    FOR_ROWS(b)
    {
        for (int c = 0; c < nv; c++) {
            const Vec *v = &b->cols[pl->vis[c].slot];
            vals[c] = v->loaded ? *VGET(v, row) : val_null();
        }
        s->out->format_row(s->out->ctx, vals, nv, &p->text);
        pending_add_row(p, (uint32_t)p->text.len);
    }
}

/* Writes pending morsel texts in order, applying the row cap. Called with s->lock held. */
static void flush_ready(Seq *s)
{
    const Plan *pl = s->plan;
    for (;;) {
        Pending *p = &s->ring[s->next_seq % SEQ_WINDOW];
        if (!p->ready)
            break;
        uint32_t n = p->n;
        if (pl->out_limit >= 0 && s->rows_out + n > (uint64_t)pl->out_limit)
            n = (uint32_t)((uint64_t)pl->out_limit - s->rows_out);
        if (!s->write_failed)
            s->taken += n; /* not after the limit (n is 0 then) nor after a failed write */
        if (s->prog)
            atomic_store_explicit(&s->prog->records_matched, s->taken, memory_order_relaxed);
        if (n && !s->write_failed) {
            if (s->out->write(s->out->ctx, p->text.p, n ? p->ends[n - 1] : 0, p->ends, n) != 0) {
                s->write_failed = 1;
                atomic_store_explicit(s->stop, 1, memory_order_relaxed);
            }
        }
        s->rows_out += n;
        if (pl->out_limit >= 0 && s->rows_out >= (uint64_t)pl->out_limit)
            atomic_store_explicit(s->stop, 1, memory_order_relaxed);
        p->ready = 0;
        p->text.len = 0;
        p->n = 0;
        s->next_seq++;
    }
    if (s->idle_wanted && s->next_seq >= s->idle_at) {
        s->idle_wanted = 0;
        if (!s->write_failed && s->out->idle(s->out->ctx) != 0) {
            s->write_failed = 1;
            atomic_store_explicit(s->stop, 1, memory_order_relaxed);
        }
    }
    apr_thread_cond_broadcast(s->cond);
}

/* The source's idle hook (SrcLive.idle, with a LiqOutput.idle): the current input, live,
 * paused after handing out `handed` morsels; the output hears of it once they are written. */
static void seq_idle(void *ctx, uint64_t handed)
{
    Seq *s = ctx;
    apr_thread_mutex_lock(s->lock);
    s->idle_wanted = 1;
    s->idle_at = handed;
    flush_ready(s);
    apr_thread_mutex_unlock(s->lock);
}

/* Hands the worker's text for morsel seq to the sequencer (swapping buffers, no copy). */
static void submit(Seq *s, Worker *w, uint64_t seq)
{
    apr_thread_mutex_lock(s->lock);
    Pending *slot = &s->ring[seq % SEQ_WINDOW];
    Pending tmp = *slot;
    *slot = w->cur;
    slot->ready = 1;
    w->cur = tmp;
    w->cur.ready = 0;
    w->cur.text.len = 0;
    w->cur.n = 0;
    flush_ready(s);
    apr_thread_mutex_unlock(s->lock);
}

/* ===== Batches ===== */

static void batch_reset(Worker *w, uint32_t nrows)
{
    Batch *b = &w->b;
    b->nrows = nrows;
    b->nsel = nrows;
    for (uint32_t i = 0; i < nrows; i++)
        w->sel[i] = (SelIdx)i;
    b->sel = w->sel;
    for (int c = 0; c < b->ncols; c++) {
        w->cols[c].d = NULL;
        w->cols[c].loaded = 0;
        w->cols[c].isconst = 0;
    }
    b->pool = w->batch_pool;
}

/* Runs pipeline `pi`'s operators on w->b, then its breaker or the output (s). */
static void run_batch(LiqRun *r, const Seq *s, Worker *w, int pi)
{
    const Pipeline *pl = &r->plan->pipes[pi];
    Batch *b = &w->b;
    int first = w->prof ? prof_op(r, pi) : 0;
    for (int k = 0; k < pl->nops && b->nsel; k++) {
        uint32_t before = b->nsel;
        pl->ops[k]->vt->execute(pl->ops[k], w->locals[k], b);
        prof_rows(w, first + k, before, b->nsel);
        lap(w, first + k);
    }
    if (pi == 0)
        w->matched += b->nsel;
    if (!b->nsel)
        return;
    if (pl->breaker)
        pl->breaker->vt->sink(pl->breaker, w->locals[pl->nops], b);
    else
        format_batch(r, s, b, &w->cur, w->vals);
    prof_rows(w, first + pl->nops, b->nsel, pl->breaker ? 0 : b->nsel);
    lap(w, first + pl->nops);
}

/* A worker for pipeline pi; profiled when the run is and `profile`. */
static void worker_init(LiqRun *r, Worker *w, apr_pool_t *parent, int pi, const OpCtx *ctx,
                        int profile)
{
    const Pipeline *pl = &r->plan->pipes[pi];
    memset(w, 0, sizeof(*w));
    w->run = r;
    w->ctx = ctx;
    apr_pool_create(&w->pool, parent);
    apr_pool_create(&w->batch_pool, w->pool);
    w->locals = apr_pcalloc(w->pool, sizeof(OpLocal *) * (size_t)(pl->nops + 1));
    for (int k = 0; k < pl->nops; k++)
        w->locals[k] = pl->ops[k]->vt->local_new(pl->ops[k], ctx, w->pool);
    if (pl->breaker)
        w->locals[pl->nops] = pl->breaker->vt->local_new(pl->breaker, ctx, w->pool);
    w->recs = apr_palloc(w->pool, sizeof(Rec) * LIQ_VEC_SIZE);
    w->sel = apr_palloc(w->pool, sizeof(SelIdx) * LIQ_VEC_SIZE);
    w->bits = apr_palloc(w->pool, LIQ_VEC_SIZE);
    w->cols = apr_pcalloc(w->pool, sizeof(Vec) * (size_t)(r->plan->nslots + 1));
    w->vals = apr_pcalloc(w->pool, sizeof(Datum) * (size_t)(r->plan->nvis + 1));
    if (profile && r->prof)
        w->prof = apr_pcalloc(w->pool, sizeof(Prof) * (size_t)r->nprof);
    w->b.cols = w->cols;
    w->b.ncols = r->plan->nslots;
}

static void worker_done(Worker *w)
{
    buf_free(&w->cur.text);
    free(w->cur.ends);
    apr_pool_destroy(w->pool);
}

/* Marks, in bits[row], the rows of b whose line contains needle (bit `bit`). The rows are
 * consecutive lines of one buffer, so one search (mem_find) over the whole batch finds them all;
 * after a hit the search resumes at the next row. */
static void mark_rows(const Batch *b, const char *needle, size_t nlen, uint8_t *bits, uint8_t bit)
{
    const Rec *recs = b->recs;
    uint32_t row = 0, nrows = b->nrows;
    const char *p = recs[0].line, *end = recs[nrows - 1].line + recs[nrows - 1].len;
    while (p < end) {
        const char *hit = mem_find(p, (size_t)(end - p), needle, nlen);
        if (!hit)
            return;
        while (row < nrows && recs[row].line + recs[row].len < hit + nlen)
            row++; /* the row whose line holds the whole hit */
        if (row >= nrows)
            return;
        if (hit >= recs[row].line) {
            bits[row] |= bit;
            row++;
            if (row >= nrows)
                return;
            p = recs[row].line;
        } else {
            p = hit + 1; /* the hit spans a line break: not a hit in any line */
        }
    }
}

/* Drops the rows whose raw line lacks a prefilter literal (plan.h); a line with a
 * backslash is kept, since a JSON escape may spell the literal. */
static void prefilter_batch(const Plan *p, Batch *b, uint8_t *bits)
{
    int n = p->npre < 7 ? p->npre : 7;
    uint8_t all = (uint8_t)((1u << n) - 1), esc = 0x80;
    memset(bits, 0, b->nrows);
    if (b->contiguous) {
        for (int i = 0; i < n; i++)
            mark_rows(b, p->pre[i].lit, p->pre[i].len, bits, (uint8_t)(1u << i));
        mark_rows(b, "\\", 1, bits, esc);
    } else { /* records in separate buffers: one search per record */
        for (uint32_t row = 0; row < b->nrows; row++) {
            const Rec *rec = &b->recs[row];
            for (int i = 0; i < n; i++)
                if (mem_find(rec->line, rec->len, p->pre[i].lit, p->pre[i].len))
                    bits[row] |= (uint8_t)(1u << i);
            if (memchr(rec->line, '\\', rec->len))
                bits[row] |= esc;
        }
    }
    uint32_t k = 0;
    FOR_ROWS(b)
    {
        b->sel[k] = row;
        k += (bits[row] & all) == all || (bits[row] & esc);
    }
    b->nsel = k;
}

/* --start/--end (L24): keeps the rows whose @timestamp lies in [start, end], both inclusive;
 * rows without a timestamp fall outside (L20). Runs before any operator. */
static void time_range(const LiqRun *r, Batch *b)
{
    dec_load(r->plan, b, &r->ts_slot, 1);
    const Vec *v = &b->cols[r->ts_slot];
    const LiqRunOptions *o = &r->opt;
    uint32_t n = 0;
    FOR_ROWS(b)
    {
        const Datum *d = VGET(v, row);
        b->sel[n] = row;
        n += d->type == VT_TS && (!o->has_start || d->v.i >= r->range_start) &&
             (!o->has_end || d->v.i <= r->range_end);
    }
    b->nsel = n;
}

/* The time seek's check (engine/input/seek.h): the timestamped records of a morsel of an input
 * entered by binary search stay in non-decreasing order within the bounds src.c gave it.
 * It looks at the rows the time range looks at (after the prefilter), whose timestamps are
 * decoded anyway: checking rows the prefilter dropped would cost their decoding (twice the
 * time of a selective query). Rows without a timestamp are outside any range anyway. */
static void seek_verify(LiqRun *r, Worker *w, const Morsel *m)
{
    Batch *b = &w->b;
    dec_load(r->plan, b, &r->ts_slot, 1);
    const Vec *v = &b->cols[r->ts_slot];
    for (uint32_t k = 0; k < b->nsel && !w->seek_bad; k++) {
        SelIdx row = b->sel[k];
        const Datum *d = VGET(v, row);
        if (d->type != VT_TS)
            continue;
        if (d->v.i < w->seek_prev || d->v.i > m->ts_hi) {
            w->seek_bad = 1;
            src_seek_unsorted(r->src, m, b->recs[row].line);
        }
        w->seek_prev = d->v.i;
    }
}

/* Runs pipeline 0 over rows [0, n) of b->recs (already filled), numbered from `first`. */
static void scan_batch(LiqRun *r, Worker *w, const Morsel *m, uint32_t n, uint64_t first)
{
    Batch *b = &w->b;
    w->scanned += n;
    prof_rows(w, PROF_SCAN, n, n);
    lap(w, PROF_SCAN); /* cutting the records */
    batch_reset(w, n);
    b->order_base = ((r->opt.order_base + m->seq) << 32) | first;
    if (r->plan->npre && !r->opt.no_prefilter) {
        prefilter_batch(r->plan, b, w->bits);
        prof_rows(w, PROF_PREFILTER, n, b->nsel);
        lap(w, PROF_PREFILTER);
    }
    if (r->ts_slot >= 0) {
        uint32_t before = b->nsel;
        if (m->seek_check)
            seek_verify(r, w, m);
        time_range(r, b);
        prof_rows(w, PROF_RANGE, before, b->nsel);
        lap(w, PROF_RANGE);
    }
    run_batch(r, &r->seq, w, 0);
    apr_pool_clear(w->batch_pool);
    lap(w, PROF_SCAN);
}

/* Cuts a morsel into records and batches and runs pipeline 0 over them. Line formats make one
 * record per non-blank line; export objects strip the timestamp prefix into @timestamp and
 * join continuation lines to their record (a record may grow past a full batch: the batch
 * closes only at the start of the next record); container formats bring their records. */
static void run_morsel(LiqRun *r, Worker *w, const Morsel *m)
{
    uint32_t cap = r->opt.batch_rows;
    Batch *b = &w->b;
    b->input = m->in;
    b->order = NULL;
    w->seek_prev = m->ts_lo;
    w->seek_bad = 0;
    if (m->recs) {
        b->contiguous = 0;
        for (size_t off = 0; off < m->nrecs && !stopped(r); off += cap) {
            uint32_t n = (uint32_t)(m->nrecs - off < cap ? m->nrecs - off : cap);
            b->recs = m->recs + off;
            scan_batch(r, w, m, n, off);
        }
        return;
    }
    int export = m->in->fmt == FMT_EXPORT;
    int ml = m->in->ml != ML_NONE; /* multi-line records (engine/input/multiline.h) */
    if (m->in->ml == ML_RULE && !w->ml)
        w->ml = src_ml_local(r->src, w->pool);
    const FmtColumns *cols = m->in->fmt == FMT_COLUMNS ? m->in->cols : NULL;
    const char *p = m->data, *end = m->data + m->len;
    uint64_t rowno = 0;
    b->recs = w->recs;
    b->contiguous = !export;
    while (p < end && !stopped(r)) {
        uint32_t n = 0;
        uint64_t first = rowno;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *le = nl ? nl : end;
            size_t len = (size_t)(le - p);
            if (len && p[len - 1] == '\r')
                len--; /* CRLF */
            int64_t ts;
            size_t skip = 0;
            int starts = export && fmt_export_prefix(p, len, &ts, &skip);
            if (export && !starts && n > 0) { /* a continuation line of the last record */
                Rec *last = &w->recs[n - 1];
                last->len = (uint32_t)(p + len - last->line);
                p = nl ? nl + 1 : end;
                continue;
            }
            if (ml && !len) { /* a blank line: no record, nor the end of one */
                p = nl ? nl + 1 : end;
                continue;
            }
            if (ml && n > 0 && src_continues(m->in, w->ml, p, len)) {
                Rec *last = &w->recs[n - 1]; /* a line of the record before, and the blank
                                              * lines between them */
                size_t rl = (size_t)(p + len - last->line);
                if (rl > r->max_line) { /* cut at --max-line, counted once */
                    w->cut += last->len < r->max_line;
                    rl = r->max_line;
                }
                last->len = (uint32_t)rl;
                p = nl ? nl + 1 : end;
                continue;
            }
            if (n == cap)
                break;
            if (len > r->max_line) { /* a record is cut at --max-line (said at the end) */
                len = r->max_line;
                w->cut++;
            }
            if (cols && fmt_columns_skip(cols, p, len))
                len = 0; /* a header or comment line of a positional format */
            if (len) { /* blank lines are not records */
                Rec *rec = &w->recs[n++];
                rec->line = p + skip;
                rec->len = (uint32_t)(len - skip > UINT32_MAX ? UINT32_MAX : len - skip);
                rec->json = m->in->text_only ? REC_JSON_NO : REC_JSON_UNKNOWN;
                rec->ts_done = (uint8_t)(starts && !(m->in->tso && m->in->tso->field));
                rec->has_ts = (uint8_t)starts;
                rec->ts = starts ? ts : 0;
                rec->meta = NULL;
            }
            p = nl ? nl + 1 : end;
        }
        if (!n)
            continue;
        rowno += n;
        scan_batch(r, w, m, n, first);
    }
}

/* ===== Workers of pipeline 0 ===== */

/* Under r->lock: moves w's breaker state into the run's and notes the epoch it is folded at. */
static void fold(LiqRun *r, Worker *w)
{
    const Pipeline *pl = &r->plan->pipes[0];
    pl->breaker->vt->combine(pl->breaker, r->state, w->locals[pl->nops]);
    w->epoch = r->epoch;
}

/* A worker with a breaker starts a morsel (its local state is its own until it ends it) ... */
static void morsel_begin(LiqRun *r, Worker *w)
{
    apr_thread_mutex_lock(r->lock);
    w->busy = 1;
    apr_thread_mutex_unlock(r->lock);
}

/* ... and ends it, folding its state in when a snapshot asked meanwhile. */
static void morsel_end(LiqRun *r, Worker *w)
{
    apr_thread_mutex_lock(r->lock);
    w->busy = 0;
    if (w->epoch != r->epoch) {
        fold(r, w);
        apr_thread_cond_broadcast(r->fold_cond);
    }
    apr_thread_mutex_unlock(r->lock);
}

/* Adds the worker's records counted since the last call to the run's progress. */
static void progress_records(LiqRun *r, Worker *w)
{
    LiqProgress *p = r->opt.progress;
    if (!p)
        return;
    atomic_fetch_add_explicit(&p->records_scanned, w->scanned - w->prog_scanned,
                              memory_order_relaxed);
    w->prog_scanned = w->scanned;
    if (!r->final0) /* else the sequencer sets records_matched (flush_ready) */
        atomic_fetch_add_explicit(&p->records_matched, w->matched - w->prog_matched,
                                  memory_order_relaxed);
    w->prog_matched = w->matched;
}

static void *APR_THREAD_FUNC worker_main(apr_thread_t *t, void *arg)
{
    Worker *w = arg;
    LiqRun *r = w->run;
    Morsel m;
    int sink = w->prof ? prof_sink(r, 0) : 0;
    if (w->prof)
        w->lap = now_ns();
    while (!stopped(r) && src_next(r->src, &m)) {
        lap(w, PROF_SCAN); /* reading (and decompressing) the morsel */
        if (m.seq + 1 > w->morsels)
            w->morsels = m.seq + 1;
        if (r->final0) { /* do not run too far ahead of the output */
            apr_thread_mutex_lock(r->seq.lock);
            while (m.seq >= r->seq.next_seq + SEQ_WINDOW && !stopped(r))
                apr_thread_cond_wait(r->seq.cond, r->seq.lock);
            apr_thread_mutex_unlock(r->seq.lock);
            lap(w, sink);
        } else {
            morsel_begin(r, w);
        }
        if (!stopped(r))
            run_morsel(r, w, &m);
        if (r->final0) {
            submit(&r->seq, w, m.seq);
            lap(w, sink);
        } else {
            morsel_end(r, w);
        }
        src_release(r->src, &m);
        lap(w, PROF_SCAN);
        progress_records(r, w);
        if (r->opt.on_morsel)
            r->opt.on_morsel(r, r->opt.on_morsel_ctx);
    }
    if (r->final0 && stopped(r)) {
        /* morsels skipped after a stop must still unblock waiting workers */
        apr_thread_mutex_lock(r->seq.lock);
        apr_thread_cond_broadcast(r->seq.cond);
        apr_thread_mutex_unlock(r->seq.lock);
    }
    progress_records(r, w);
    apr_thread_mutex_lock(r->lock);
    r->scanned += w->scanned;
    r->matched += w->matched;
    r->cut += w->cut;
    if (w->morsels > r->morsels)
        r->morsels = w->morsels;
    if (!r->final0) {
        fold(r, w);
        w->done = 1;
        apr_thread_cond_broadcast(r->fold_cond);
    }
    if (w->prof) {
        lap(w, sink);
        prof_add(r->prof, w->prof, r->nprof);
    }
    apr_thread_mutex_unlock(r->lock);
    (void)t; /* returning ends the thread; apr_thread_exit's pthread_exit unwinding upsets ASan */
    return NULL;
}

/* ===== The pipelines after the first ===== */

/* A breaker's result rows charge the run's budget while the next pipeline reads them
 * (finalize charged them before it released its state's charge, as both were alive at
 * once: rows_charge in op.h); past the limit they are dropped:
 * no row of a result that stopped at the limit is written. */
static RowSet *charge_rows(const OpCtx *ctx, RowSet *rs, const Op *brk)
{
    if (!rs)
        return NULL;
    if (budget_track(ctx->mem, &rs->charged, (int64_t)rowset_bytes(rs), brk->vt->name)) {
        budget_charge(ctx->mem, -rs->charged, NULL);
        rowset_free(rs);
        return NULL;
    }
    return rs;
}

/* Runs pipeline pi over a row set, on the calling thread, into s when it ends in the output;
 * returns the breaker's row set (or NULL when the pipeline ends in the output). Frees rs.
 * Profiled when the run is and `profile`. */
static RowSet *run_rowset(LiqRun *r, Seq *s, const OpCtx *ctx, int profile, int pi, RowSet *rs,
                          apr_pool_t *pool, uint64_t *seq)
{
    const Pipeline *pl = &r->plan->pipes[pi];
    Worker w;
    worker_init(r, &w, pool, pi, ctx, profile);
    Batch *b = &w.b;
    b->recs = NULL;
    b->input = NULL;
    uint32_t cap = r->opt.batch_rows;
    int src = w.prof ? r->prof_base[pi] : 0, sink = w.prof ? prof_sink(r, pi) : 0;
    if (w.prof)
        w.lap = now_ns();
    do { /* the rows of rs, then the chunks of its stream (a spilled sort's merge) */
        for (size_t start = 0; start < rs->nrows && !seq_stopped(s) && !stopped(r); start += cap) {
            uint32_t n = (uint32_t)(rs->nrows - start < cap ? rs->nrows - start : cap);
            batch_reset(&w, n);
            for (int c = 0; c < b->ncols; c++) {
                Datum *d = apr_palloc(w.batch_pool, sizeof(Datum) * n);
                for (uint32_t i = 0; i < n; i++)
                    d[i] = rs->data[(start + i) * (size_t)rs->nslots + (size_t)c];
                w.cols[c].d = d;
                w.cols[c].loaded = 1;
            }
            b->order = &rs->order[start];
            prof_rows(&w, src, n, n);
            lap(&w, src);
            run_batch(r, s, &w, pi);
            if (!pl->breaker) {
                submit(s, &w, (*seq)++);
                lap(&w, sink);
            }
            apr_pool_clear(w.batch_pool);
            lap(&w, src);
        }
    } while (!seq_stopped(s) && !stopped(r) && rowset_refill(rs));
    RowSet *next = NULL;
    if (pl->breaker) {
        const OpVTable *vt = pl->breaker->vt;
        OpState *g = vt->global_new(pl->breaker);
        vt->combine(pl->breaker, g, w.locals[pl->nops]);
        if (budget_stopped(ctx->mem)) { /* stopped at the memory limit: no result */
            vt->state_free(pl->breaker, g);
        } else {
            next = vt->finalize(pl->breaker, ctx, g);
            next = charge_rows(ctx, next, pl->breaker);
        }
        lap(&w, sink);
        prof_rows(&w, sink, 0, next ? next->nrows + (next->stream ? next->stream->total : 0) : 0);
    }
    if (w.prof)
        prof_add(r->prof, w.prof, r->nprof);
    worker_done(&w);
    budget_charge(ctx->mem, -rs->charged, NULL);
    rowset_free(rs);
    return next;
}

/* Finalizes the first breaker's state g (consumed) and runs the remaining pipelines into s:
 * the end of a run, and of a snapshot (not profiled). */
static void finish(LiqRun *r, Seq *s, const OpCtx *ctx, int profile, OpState *g,
                   apr_pool_t *pool)
{
    const Op *brk = r->plan->pipes[0].breaker;
    uint64_t t = profile && r->prof ? now_ns() : 0;
    RowSet *rs = charge_rows(ctx, brk->vt->finalize(brk, ctx, g), brk);
    if (profile && r->prof) {
        r->prof[prof_sink(r, 0)].ns += now_ns() - t;
        r->prof[prof_sink(r, 0)].rows_out +=
            rs ? rs->nrows + (rs->stream ? rs->stream->total : 0) : 0;
    }
    uint64_t seq = s->next_seq;
    for (int pi = 1; pi < r->plan->npipes && rs; pi++)
        rs = run_rowset(r, s, ctx, profile, pi, rs, pool, &seq);
    if (rs)
        budget_charge(ctx->mem, -rs->charged, NULL);
    rowset_free(rs);
}

/* ===== Runs ===== */

/* The input options of a run for src_open, or NULL when there are none; sets *bad (after a
 * diagnostic) when --tz names no zone. */
static const SrcOpts *src_opts(apr_pool_t *pool, const LiqRun *r, LiqDiagList *diags, int *bad)
{
    const LiqRunOptions *o = &r->opt;
    *bad = 0;
    if (!o->ninclude && !o->nexclude && !o->input_format && !o->ts_field && !o->ts_format &&
        !o->tz && !o->has_start && !o->has_end && !o->year && !o->multiline_start &&
        !o->nranges && !o->census_out)
        return NULL;
    SrcOpts *so = apr_pcalloc(pool, sizeof(*so));
    so->ranges = o->ranges;
    so->nranges = o->nranges;
    so->census_out = o->census_out;
    so->has_start = o->has_start;
    so->has_end = o->has_end;
    so->start_ms = r->range_start; /* the range read (diff reads the previous period too) */
    so->end_ms = r->range_end;
    so->include = o->include;
    so->ninclude = o->ninclude;
    so->exclude = o->exclude;
    so->nexclude = o->nexclude;
    so->seek = !o->no_seek && r->ts_slot >= 0;
    so->format = o->input_format;
    if (o->multiline_start) {
        char err[512];
        if (!(so->ml_start = mlstart_rule(pool, o->multiline_start, err, sizeof(err)))) {
            diag_add(diags, DIAG_ERROR, NULL, "--multiline-start: %s", err);
            *bad = 1;
            return NULL;
        }
    }
    if (o->ts_field || o->ts_format || o->tz || o->year) {
        TsOpts *t = apr_pcalloc(pool, sizeof(*t));
        t->year = o->year;
        t->field = o->ts_field;
        t->flen = o->ts_field ? (uint32_t)strlen(o->ts_field) : 0;
        t->format = o->ts_format;
        char err[512];
        if (o->tz && !(t->zone = tz_open(pool, o->tz, err, sizeof(err)))) {
            diag_add(diags, DIAG_ERROR, NULL, "--tz: %s", err);
            *bad = 1;
            return NULL;
        }
        so->ts = t;
    }
    return so;
}

/* so with the log groups of --log-group and the query's SOURCE, which says which of them are
 * read (docs/log-groups.md): the inputs of a group it does not select are never opened. */
static const SrcOpts *src_groups(apr_pool_t *pool, const LiqRun *r, const SrcOpts *so)
{
    const LiqRunOptions *o = &r->opt;
    if (!o->nlog_groups)
        return so;
    SrcOpts *g = apr_pcalloc(pool, sizeof(*g));
    if (so)
        *g = *so;
    g->groups = o->log_groups;
    g->ngroups = o->nlog_groups;
    g->group_ctx = op_source_of(r->plan);
    g->group_selected = g->group_ctx ? op_source_selects : NULL;
    return g;
}

/* The run's values operators read: the periods of diff and the frame of anomaly; the range
 * of the time filter. */
static void set_ctx(LiqRun *r)
{
    const LiqRunOptions *opt = &r->opt;
    const Plan *plan = r->plan;
    OpCtx *x = &r->ctx;
    x->has_frame_start = opt->has_start;
    x->has_frame_end = opt->has_end;
    x->frame_start = opt->start_ms;
    x->frame_end = opt->end_ms;
    r->range_start = opt->start_ms;
    r->range_end = opt->end_ms;
    if (plan->diff == DIFF_NONE || !opt->has_start || !opt->has_end)
        return; /* liq_run_exec refuses diff without both */
    /* pattern | diff: the current and the previous period */
    int64_t len = opt->end_ms - opt->start_ms;
    x->cur_start = opt->start_ms;
    x->cur_end = opt->end_ms;
    switch (plan->diff) {
    case DIFF_PREVIOUS:
        x->prev_start = opt->start_ms - len - 1;
        x->prev_end = opt->start_ms - 1;
        break;
    case DIFF_DAY:
    case DIFF_WEEK: {
        int64_t shift = (plan->diff == DIFF_DAY ? 1 : 7) * 86400000LL;
        x->prev_start = opt->start_ms - shift;
        x->prev_end = opt->end_ms - shift;
        break;
    }
    case DIFF_SHIFT: /* logcompare timeshift D */
        x->prev_start = opt->start_ms - plan->diff_shift;
        x->prev_end = opt->end_ms - plan->diff_shift;
        break;
    default: /* the same days a calendar month earlier */
        x->prev_start = ts_add_months(opt->start_ms, -1);
        x->prev_end = ts_add_months(opt->end_ms, -1);
        break;
    }
    /* read both periods: the time filter keeps [previous start, current end] */
    r->range_start = x->prev_start < opt->start_ms ? x->prev_start : opt->start_ms;
}

void pipe_run_fail(LiqRun *r, LiqStatus status, const char *why)
{
    r->fail = status;
    r->fail_why = why;
}

void pipe_run_hold(LiqRun *r, int64_t bytes, const char *who)
{
    r->hold += bytes;
    budget_charge(&r->budget, bytes, who);
}

LiqRun *pipe_run_new(const Plan *plan, const LiqRunOptions *opt)
{
    apr_pool_t *pool;
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS)
        return NULL;
    LiqRun *r = apr_pcalloc(pool, sizeof(*r));
    r->pool = pool;
    r->plan = plan;
    if (opt)
        r->opt = *opt;
    if (r->opt.threads < 1)
        r->opt.threads = 1;
    if (r->opt.batch_rows < 1 || r->opt.batch_rows > LIQ_VEC_SIZE)
        r->opt.batch_rows = LIQ_VEC_SIZE;
    if (!r->opt.max_line)
        r->opt.max_line = (size_t)256 << 20;
    r->ctx.rx = &r->rxf;
    r->ctx.rows_held = &r->rows_held;
    r->budget.limit = r->opt.memory_limit < INT64_MAX ? (int64_t)r->opt.memory_limit : 0;
    r->budget.stop = &r->stop;
    r->budget.temp_dir = r->opt.temp_dir;
    r->ctx.mem = &r->budget;
    for (int i = 0; i < plan->npipes; i++) /* lookup tables live as long as the run */
        for (int k = 0; k < plan->pipes[i].nops; k++) {
            pipe_run_hold(r, op_lookup_bytes(plan->pipes[i].ops[k]), "lookup");
            pipe_run_hold(r, op_cidr_bytes(plan->pipes[i].ops[k]), "cidrlookup");
        }
    set_ctx(r);
    r->final0 = plan->pipes[0].breaker == NULL;
    r->max_line = r->opt.max_line < UINT32_MAX ? r->opt.max_line : UINT32_MAX;
    r->vis_inputs = apr_palloc(pool, sizeof(int) * (size_t)(plan->nvis + 1));
    for (int c = 0; c < plan->nvis; c++)
        if (plan->slots[plan->vis[c].slot].kind == SLOT_INPUT)
            r->vis_inputs[r->nvis_inputs++] = plan->vis[c].slot;
    r->ts_slot = r->opt.has_start || r->opt.has_end ? plan->ts_slot : -1;
    apr_thread_mutex_create(&r->lock, APR_THREAD_MUTEX_DEFAULT, pool);
    apr_thread_cond_create(&r->fold_cond, pool);
    apr_thread_mutex_create(&r->snap_lock, APR_THREAD_MUTEX_DEFAULT, pool);
    apr_thread_mutex_create(&r->diag_lock, APR_THREAD_MUTEX_DEFAULT, pool);
    r->phase = PH_NEW;
    return r;
}

void liq_run_free(LiqRun *r)
{
    if (!r)
        return;
    const Op *brk = r->plan->pipes[0].breaker;
    if (r->state)
        brk->vt->state_free(brk, r->state);
    apr_pool_destroy(r->pool);
}

void liq_run_cancel(LiqRun *r)
{
    atomic_store_explicit(&r->cancelled, 1, memory_order_relaxed);
    atomic_store_explicit(&r->stop, 1, memory_order_relaxed);
}

/* Pipeline 0 on the run's workers (this thread is one of them with one thread). */
static void scan(LiqRun *r)
{
    const Plan *plan = r->plan;
    int nthreads = r->opt.threads;
    Worker *ws = apr_pcalloc(r->pool, sizeof(Worker) * (size_t)nthreads);
    apr_thread_t **th = apr_pcalloc(r->pool, sizeof(apr_thread_t *) * (size_t)nthreads);
    for (int i = 0; i < nthreads; i++)
        worker_init(r, &ws[i], r->pool, 0, &r->ctx, 1);
    apr_thread_mutex_lock(r->lock);
    if (plan->pipes[0].breaker && !r->state)
        r->state = plan->pipes[0].breaker->vt->global_new(plan->pipes[0].breaker);
    r->ws = ws;
    r->nws = nthreads;
    r->phase = PH_SCAN;
    apr_thread_mutex_unlock(r->lock);
    if (nthreads == 1) {
        worker_main(NULL, &ws[0]);
    } else {
        for (int i = 0; i < nthreads; i++)
            if (apr_thread_create(&th[i], NULL, worker_main, &ws[i], r->pool) != APR_SUCCESS) {
                th[i] = NULL;
                worker_main(NULL, &ws[i]);
            }
        for (int i = 0; i < nthreads; i++)
            if (th[i]) {
                apr_status_t rv;
                apr_thread_join(&rv, th[i]);
            }
    }
    /* no snapshot may look at the workers any more */
    apr_thread_mutex_lock(r->snap_lock);
    apr_thread_mutex_lock(r->lock);
    r->phase = r->opt.keep_state ? PH_KEPT : PH_FINISH;
    r->ws = NULL;
    r->nws = 0;
    apr_thread_mutex_unlock(r->lock);
    apr_thread_mutex_unlock(r->snap_lock);
    for (int i = 0; i < nthreads; i++)
        worker_done(&ws[i]);
}

/* A size as --memory-limit takes it: 512M, 1536K, 3G, or bytes. */
static void size_text(char *buf, size_t len, uint64_t n)
{
    static const char units[] = "KMGT";
    int u = -1;
    while (u < 3 && n && n % 1024 == 0) {
        n /= 1024;
        u++;
    }
    if (u < 0)
        snprintf(buf, len, "%llu", (unsigned long long)n);
    else
        snprintf(buf, len, "%llu%c", (unsigned long long)n, units[u]);
}

/* The run stopped at the memory limit: which operator, which limit, what to do. */
static void memory_diag(const LiqRun *r, LiqDiagList *diags)
{
    const char *who = atomic_load(&r->budget.who);
    char lim[32];
    size_text(lim, sizeof(lim), r->opt.memory_limit);
    LiqDiag *d = diag_add(diags, DIAG_ERROR, NULL,
                          "%s needs more than the memory limit (--memory-limit %s): the query "
                          "stopped, and no result of it was written",
                          who ? who : "the query", lim);
    diag_hint(diags, d, "%s",
              "raise --memory-limit (0 or none: no limit), or make the state smaller: filter "
              "before it, or group by fewer or coarser keys (bin(1h) rather than bin(1s))");
}

LiqStatus liq_run_exec(LiqRun *r, const LiqOutput *out, LiqRunStats *st, LiqDiagList *diags)
{
    const Plan *plan = r->plan;
    const LiqRunOptions *opt = &r->opt;
    apr_pool_t *pool = r->pool;
    if (r->executed) {
        diag_add(diags, DIAG_ERROR, NULL, "a run executes once: make a new run");
        return LIQ_EUSAGE;
    }
    r->executed = 1;
    if (r->fail != LIQ_OK) {
        LiqDiag *d =
            diag_add(diags, DIAG_ERROR, NULL, "%s", r->fail_why ? r->fail_why : "the run failed");
        if (r->fail == LIQ_EMEMORY) /* a subquery's table, or its run, passed the limit */
            diag_hint(diags, d, "%s",
                      "raise --memory-limit (0 or none: no limit), or make the subquery's "
                      "result smaller: filter in it, or dedup its values");
        return r->fail;
    }
    if (opt->keep_state && !plan->pipes[0].breaker) {
        diag_add(diags, DIAG_ERROR, NULL,
                 "the query keeps no state to take: its rows stream to the output");
        return LIQ_EUSAGE;
    }
    if (plan->diff != DIFF_NONE && (!opt->has_start || !opt->has_end)) {
        diag_add(diags, DIAG_ERROR, NULL,
                 plan->diff == DIFF_SHIFT
                     ? "logcompare compares two periods: give the current one with --start "
                       "and --end"
                     : "diff compares two periods: give the current one with --start and --end");
        return LIQ_EUSAGE;
    }
    seq_init(&r->seq, plan, out, &r->stop, pool);
    r->seq.prog = opt->progress;
    S3Opts *s3o = apr_pcalloc(pool, sizeof(*s3o));
    s3o->endpoint = opt->s3_endpoint;
    s3o->no_sign = opt->s3_no_sign;
    s3o->read_timeout = opt->s3_read_timeout;
    s3o->concurrency = opt->s3_concurrency;
    s3o->cache_dir = opt->s3_cache_dir;
    s3o->has_start = opt->has_start; /* objects outside the time filter's range are pruned */
    s3o->has_end = opt->has_end;
    s3o->start_ms = r->range_start;
    s3o->end_ms = r->range_end;
    int bad_opts;
    const SrcOpts *so = src_opts(pool, r, diags, &bad_opts);
    if (bad_opts)
        return LIQ_EUSAGE;
    so = src_groups(pool, r, so);
    r->src = src_open(pool, opt->inputs, opt->ninputs, opt->max_line, s3o, so, diags,
                      r->diag_lock);
    src_progress(r->src, opt->progress);
    SrcLive live = {.stop = &r->stop};
    if (r->final0 && out && out->idle) {
        live.idle = seq_idle;
        live.ctx = &r->seq;
    }
    src_live(r->src, &live);
    if (opt->profile)
        prof_init(r, pool);

    scan(r);

    /* the remaining pipelines, over row sets */
    if (plan->pipes[0].breaker && !opt->keep_state) {
        OpState *g = r->state;
        r->state = NULL; /* consumed by finalize (PH_FINISH: no snapshot takes a copy) */
        /* none of a cut aggregate is written: no finalize (cancelled, or stopped at the
         * memory limit) */
        if (atomic_load(&r->cancelled) || budget_stopped(&r->budget))
            plan->pipes[0].breaker->vt->state_free(plan->pipes[0].breaker, g);
        else
            finish(r, &r->seq, &r->ctx, 1, g, pool);
    }
    src_close(r->src);
    seq_free(&r->seq);
    if (st) {
        st->records_scanned = r->scanned;
        /* records that passed pipeline 0 (SOURCE, filters, ...) up to the point the output
         * stopped, counted in input order: with pipeline 0 ending in the output each such
         * record is one row, and workers that ran ahead of a limit (or of a reader gone away)
         * are not counted, so the number is the same for every thread count; a pipeline 0
         * ending in a breaker reads every input and counts every record it passed */
        st->records_matched = r->final0 ? r->seq.taken : r->matched;
        st->bytes_scanned = src_bytes(r->src);
        st->rows_out = r->seq.rows_out;
        st->inputs = src_ninputs(r->src);
        src_s3_counts(r->src, &st->s3_pruned, &st->s3_cached);
        st->seek_skipped = src_seek_skipped(r->src, &st->seek_inputs);
        st->morsels = r->morsels;
        st->rows_held = atomic_load(&r->rows_held);
        st->mem_peak = (uint64_t)atomic_load(&r->budget.peak);
        st->nops = 0;
        st->ops = NULL;
        if (r->prof) {
            if (!plan->pipes[plan->npipes - 1].breaker) /* rows written, after any limit */
                r->prof[prof_sink(r, plan->npipes - 1)].rows_out = r->seq.rows_out;
            prof_report(r, st, pool);
        }
    }
    /* the counts over whole inputs (dec.c's, the timestamps', cut records, failed regexes):
     * warned about here, or for a partial result carried as bytes for the merge (tally.h) */
    Tally t = {.needs_ts = plan->needs_ts || r->ts_slot >= 0,
               .cut = r->cut,
               .max_line = r->max_line,
               .rx_failed = atomic_load(&r->rxf.n),
               .n = src_ninputs(r->src)};
    t.in = apr_pcalloc(pool, sizeof(TallyInput) * (size_t)(t.n + 1));
    for (int i = 0; i < t.n; i++) {
        const Input *in = src_input(r->src, i);
        t.in[i] = (TallyInput){in->path, (uint32_t)strlen(in->path),
                               /* the part ordinal (order_base >> 20) and the input's place */
                               (r->opt.order_base >> 20) << 32 | (uint64_t)i, in->not_json,
                               in->ts_none, in->ts_any};
    }
    if (r->opt.tally_out)
        tally_save(&t, r->opt.tally_out);
    else
        tally_warn(&t, diags);
    int over = budget_over(&r->budget) && !atomic_load(&r->cancelled);
    int spill_err = atomic_load(&r->budget.fail_errno) && !atomic_load(&r->cancelled);
    if (spill_err) {
        int e = atomic_load(&r->budget.fail_errno);
        const char *dir = atomic_load(&r->budget.fail_dir);
        LiqDiag *d = diag_add(diags, DIAG_ERROR, NULL,
                              "cannot write a spill file in %s: %s: the query stopped, and no "
                              "result of it was written",
                              dir ? dir : "the temporary directory", e > 0 ? strerror(e) : "failed");
        diag_hint(diags, d, "%s",
                  "give a directory with room with --temp-dir DIR (or TMPDIR), or raise "
                  "--memory-limit so that less spills");
    } else if (over) {
        memory_diag(r, diags);
    }
    LiqStatus status = r->seq.write_failed      ? LIQ_EOUTPUT
                       : atomic_load(&r->cancelled) ? LIQ_ECANCELLED
                       : spill_err               ? LIQ_EINTERNAL
                       : over                    ? LIQ_EMEMORY
                       : t.rx_failed || r->cut   ? LIQ_EINCOMPLETE
                       : src_incomplete(r->src) ? LIQ_EINCOMPLETE
                                                : LIQ_OK;
    return status;
}

/* ===== The state seam ===== */

LiqState *liq_run_state_take(LiqRun *r)
{
    apr_thread_mutex_lock(r->snap_lock);
    apr_thread_mutex_lock(r->lock);
    LiqState *s = NULL;
    if ((r->phase == PH_NEW || r->phase == PH_KEPT) && r->state) {
        s = mem_alloc(sizeof(*s));
        s->plan = r->plan;
        s->st = r->state;
        r->state = NULL;
    }
    apr_thread_mutex_unlock(r->lock);
    apr_thread_mutex_unlock(r->snap_lock);
    return s;
}

struct Budget *pipe_run_budget(LiqRun *r)
{
    return &r->budget;
}

int liq_run_spill_error(LiqRun *r, const char **dir)
{
    int e = atomic_load(&r->budget.fail_errno);
    if (dir)
        *dir = e ? atomic_load(&r->budget.fail_dir) : NULL;
    return e;
}

LiqStatus liq_run_state_merge(LiqRun *r, LiqState *s)
{
    if (!s)
        return LIQ_OK;
    const Op *brk = r->plan->pipes[0].breaker;
    LiqStatus status = LIQ_OK;
    apr_thread_mutex_lock(r->snap_lock);
    apr_thread_mutex_lock(r->lock);
    if (s->plan != r->plan || !brk || (r->phase != PH_NEW && r->phase != PH_KEPT)) {
        status = LIQ_EUSAGE; /* another query's state, or the run is under way or over */
    } else {
        if (!r->state)
            r->state = brk->vt->global_new(brk);
        brk->vt->merge(brk, r->state, s->st);
        free(s);
    }
    apr_thread_mutex_unlock(r->lock);
    apr_thread_mutex_unlock(r->snap_lock);
    return status;
}

void liq_state_free(LiqState *s)
{
    if (!s)
        return;
    const Op *brk = s->plan->pipes[0].breaker;
    brk->vt->state_free(brk, s->st);
    free(s);
}

/* Under r->lock, in PH_SCAN: brings every worker's local state into the global one. */
static void fold_all(LiqRun *r)
{
    uint64_t e = ++r->epoch;
    for (int i = 0; i < r->nws; i++) {
        Worker *w = &r->ws[i];
        if (!w->busy && !w->done && w->epoch != e)
            fold(r, w); /* between morsels (maybe waiting in src_next): fold it here */
    }
    for (;;) { /* the busy ones fold themselves when their morsel ends */
        int waiting = 0;
        for (int i = 0; i < r->nws; i++)
            waiting |= r->ws[i].busy && !r->ws[i].done && r->ws[i].epoch != e;
        if (!waiting)
            break;
        apr_thread_cond_wait(r->fold_cond, r->lock);
    }
}

LiqStatus liq_run_snapshot(LiqRun *r, const LiqOutput *out)
{
    const Op *brk = r->plan->pipes[0].breaker;
    if (!brk)
        return LIQ_EUSAGE; /* the rows stream to the output as they come */
    apr_thread_mutex_lock(r->snap_lock);
    apr_thread_mutex_lock(r->lock);
    OpState *copy = NULL;
    /* Memory (issue 15): the copy holds about what the states charged (with every worker
     * folded in: the budget's charges but the tables' hold); it is charged to the run's
     * budget until the snapshot ends, and refused when it does not fit. Finalizing it charges
     * a budget of the snapshot's own, limited to the room the run had: a snapshot past it
     * fails (LIQ_EMEMORY), never the run. */
    int64_t held = 0, room = 0;
    int refused = 0;
    if (r->phase == PH_SCAN)
        fold_all(r);
    if (r->phase == PH_NEW || r->phase == PH_SCAN || r->phase == PH_KEPT) {
        int64_t used = atomic_load(&r->budget.used);
        held = used - r->hold > 0 ? used - r->hold : 0;
        room = r->budget.limit > 0 ? r->budget.limit - used : 0;
        if (r->budget.limit > 0 && held >= room) {
            refused = 1;
        } else {
            copy = r->state ? brk->vt->copy(brk, r->state) : brk->vt->global_new(brk);
            budget_charge(&r->budget, held, brk->vt->name);
        }
    }
    apr_thread_mutex_unlock(r->lock);
    apr_thread_mutex_unlock(r->snap_lock);
    if (refused)
        return LIQ_EMEMORY;
    if (!copy)
        return LIQ_EUSAGE; /* finishing, or finished: the result is (about to be) out */
    /* the later pipelines into out, with a count of regex failures of their own */
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    RxFailures rxf = {0};
    OpCtx ctx = r->ctx;
    ctx.rx = &rxf;
    _Atomic int stop = 0;
    Budget sb = {0};
    sb.limit = room;
    sb.stop = &stop;
    sb.temp_dir = r->budget.temp_dir;
    ctx.mem = &sb;
    Seq *s = apr_pcalloc(pool, sizeof(*s));
    seq_init(s, r->plan, out, &stop, pool);
    finish(r, s, &ctx, 0, copy, pool);
    budget_charge(&r->budget, -held, NULL);
    LiqStatus status = s->write_failed                       ? LIQ_EOUTPUT
                       : budget_over(&sb)                    ? LIQ_EMEMORY
                       : atomic_load(&sb.fail_errno)         ? LIQ_EINTERNAL
                       : atomic_load(&rxf.n)                 ? LIQ_EINCOMPLETE
                                                             : LIQ_OK;
    seq_free(s);
    apr_pool_destroy(pool);
    return status;
}
