/* progress.c -- the progress bar on stderr: bytes read of the total, rate, time left
 *
 * A thread of its own wakes every 100 ms (so the bar is redrawn at most ten times a second),
 * loads the run's counters (LiqProgress: relaxed atomics the source layer adds to once per
 * morsel) and redraws one line with a carriage return:
 *
 *   [#######             ]  37%  45.2 MB of 120.0 MB  112.3 MB/s  ETA 0:01
 *
 * When the total is unknown (standard input, a pipe) only the bytes and the rate show. On a
 * terminal the bar appears only after half a second (short runs show nothing) and is erased
 * at the end, leaving stderr as it was; forced into a pipe (--progress) every redraw is
 * written and the final state ends with a newline, so tests can read it. The thread never
 * touches stdout.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <apr_thread_cond.h>
#include <apr_thread_proc.h>
#include <apr_time.h>
#include "base/mem.h"
#include "cli/progress.h"

enum { SHOW_AFTER_MS = 500, TICK_MS = 100 };

struct CliProgress {
    LiqProgress *p;
    FILE *err;
    int width, tty;
    apr_pool_t *pool;
    apr_thread_t *thread;
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *cond;
    int stop;           /* under lock */
    apr_time_t t0;
    size_t shown;       /* length of the line on screen (0: nothing drawn) */
};

void cli_bytes_text(char *buf, size_t size, double b)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (b >= 1000 && u < 4) {
        b /= 1000;
        u++;
    }
    if (u == 0)
        snprintf(buf, size, "%.0f B", b);
    else
        snprintf(buf, size, "%.1f %s", b, units[u]);
}

static void duration_text(char *buf, size_t size, double s)
{
    unsigned long t = (unsigned long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, size, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, size, "%lu:%02lu", t / 60, t % 60);
}

void cli_progress_text(char *buf, size_t size, int width, uint64_t done, uint64_t total,
                       int total_known, double secs)
{
    char d[32], t[32], rate[32], eta[32];
    if (total_known && done > total)
        done = total; /* an input grew while it was read */
    double r = secs > 0 ? (double)done / secs : 0;
    cli_bytes_text(d, sizeof(d), (double)done);
    cli_bytes_text(rate, sizeof(rate), r);
    if (!total_known) {
        snprintf(buf, size, "%s  %s/s", d, rate);
        return;
    }
    cli_bytes_text(t, sizeof(t), (double)total);
    int pct = total ? (int)((double)done * 100 / (double)total) : 100;
    if (done == total)
        snprintf(eta, sizeof(eta), "%s", "0:00");
    else if (r > 0)
        duration_text(eta, sizeof(eta), (double)(total - done) / r);
    else
        snprintf(eta, sizeof(eta), "%s", "-:--");
    char tail[160];
    snprintf(tail, sizeof(tail), "%3d%%  %s of %s  %s/s  ETA %s", pct, d, t, rate, eta);
    int bar = width - 1 - (int)strlen(tail) - 4; /* "[" bar "]  " tail, one column spare */
    if (bar > 40)
        bar = 40;
    if (bar < 10) { /* too narrow for a bar */
        snprintf(buf, size, "%s", tail);
        return;
    }
    char cells[48];
    int full = total ? (int)((double)bar * (double)done / (double)total) : bar;
    for (int i = 0; i < bar; i++)
        cells[i] = i < full ? '#' : ' ';
    cells[bar] = 0;
    snprintf(buf, size, "[%s]  %s", cells, tail);
}

/* One redraw from the current counters. */
static void draw(CliProgress *b, int final)
{
    char line[256];
    double secs = (double)(apr_time_now() - b->t0) / 1e6;
    cli_progress_text(line, sizeof(line), b->width,
                      atomic_load_explicit(&b->p->done, memory_order_relaxed),
                      atomic_load_explicit(&b->p->total, memory_order_relaxed),
                      atomic_load_explicit(&b->p->total_known, memory_order_relaxed), secs);
    size_t n = strlen(line);
    /* pad over the longer line drawn before */
    fprintf(b->err, "\r%s%*s%s", line, b->shown > n ? (int)(b->shown - n) : 0, "",
            final ? "\n" : "");
    fflush(b->err);
    b->shown = n;
}

static void *APR_THREAD_FUNC bar_main(apr_thread_t *t, void *arg)
{
    CliProgress *b = arg;
    apr_thread_mutex_lock(b->lock);
    while (!b->stop) {
        apr_thread_cond_timedwait(b->cond, b->lock, apr_time_from_msec(TICK_MS));
        if (b->stop)
            break;
        if (b->tty && apr_time_now() - b->t0 < apr_time_from_msec(SHOW_AFTER_MS))
            continue;
        draw(b, 0);
    }
    apr_thread_mutex_unlock(b->lock);
    (void)t; /* returning ends the thread (apr_thread_exit upsets ASan, see engine/exec/pipe.c) */
    return NULL;
}

CliProgress *cli_progress_start(LiqProgress *p, FILE *err, int width, int tty)
{
    CliProgress *b = mem_calloc(1, sizeof(*b));
    b->p = p;
    b->err = err;
    b->width = width;
    b->tty = tty;
    b->t0 = apr_time_now();
    apr_pool_create(&b->pool, NULL);
    apr_thread_mutex_create(&b->lock, APR_THREAD_MUTEX_DEFAULT, b->pool);
    apr_thread_cond_create(&b->cond, b->pool);
    if (apr_thread_create(&b->thread, NULL, bar_main, b, b->pool) != APR_SUCCESS)
        b->thread = NULL; /* no bar, the run goes on */
    return b;
}

void cli_progress_stop(CliProgress *b)
{
    if (!b)
        return;
    apr_thread_mutex_lock(b->lock);
    b->stop = 1;
    apr_thread_cond_signal(b->cond);
    apr_thread_mutex_unlock(b->lock);
    if (b->thread) {
        apr_status_t rv;
        apr_thread_join(&rv, b->thread);
    }
    if (b->tty && b->shown) { /* erase the bar */
        fprintf(b->err, "\r%*s\r", (int)b->shown, "");
        fflush(b->err);
    } else if (!b->tty) {
        draw(b, 1);
    }
    apr_pool_destroy(b->pool);
    free(b);
}
