/* test_follow.c -- unit tests of a follower's bins closed by time (engine/liq.h,
 * liq_follow_close_before; issue 19)
 *
 *   - records at 00:00:01, :12, :24 with bin(10s) and no lateness: the follower writes the
 *     bins 00:00:00 and 00:00:10 and holds 00:00:20 open (no later record moves log time);
 *     liq_follow_close_before(00:00:30) from another thread writes it, with no record after
 *     it, and bins_read says the bins before 00:00:30 are written; a close at an earlier time
 *     then does nothing;
 *   - a record for 00:00:20 appended after that comes out as a correction (its own count).
 *
 * No test depends on timing: the follower's hooks signal a condition variable the test waits
 * on (a broken close leaves the wait unanswered: the harness's timeout fails it).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "base/buf.h"
#include "base/diag.h"
#include "engine/liq.h"

static apr_pool_t *pool;

/* What the follower's hooks saw (under lock). */
typedef struct Seen {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    LiqBuf rows;       /* "bin\tn\n" lines */
    int64_t closed;    /* the last closed_ms bins_read gave */
    int calls;         /* bins_read calls */
    int with_records;  /* of them, with n > 0 */
} Seen;

static void fmt_row(void *ctx, const Datum *vals, int ncols, LiqBuf *out)
{
    (void)ctx;
    for (int c = 0; c < ncols; c++) {
        if (c)
            buf_addc(out, '\t');
        val_format(out, &vals[c]);
    }
    buf_addc(out, '\n');
}

static int write_rows(void *ctx, const char *data, size_t len, const uint32_t *ends, uint32_t n)
{
    (void)ends;
    (void)n;
    Seen *s = ctx;
    pthread_mutex_lock(&s->lock);
    buf_add(&s->rows, data, len);
    pthread_mutex_unlock(&s->lock);
    return 0;
}

static void bins_read(void *ctx, const int64_t *starts, int n, int64_t closed_ms)
{
    (void)starts;
    Seen *s = ctx;
    pthread_mutex_lock(&s->lock);
    s->closed = closed_ms;
    s->calls++;
    s->with_records += n > 0;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

typedef struct Job {
    LiqFollow *f;
    LiqOutput out;
    LiqStatus status;
} Job;

static void *follow_main(void *arg)
{
    Job *j = arg;
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    j->status = liq_follow_exec(j->f, &j->out, diag_list_new(p));
    apr_pool_destroy(p);
    return NULL;
}

/* How many lines of s->rows are exactly `line` (lock held). */
static int lines(Seen *s, const char *line)
{
    int k = 0;
    size_t n = strlen(line);
    for (size_t i = 0; i + n <= s->rows.len;) {
        const char *e = memchr(s->rows.p + i, '\n', s->rows.len - i);
        size_t l = e ? (size_t)(e - (s->rows.p + i)) : s->rows.len - i;
        if (l == n && memcmp(s->rows.p + i, line, n) == 0)
            k++;
        i += l + 1;
    }
    return k;
}

static void append(const char *path, const char *text)
{
    FILE *fp = fopen(path, "a");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

static const int64_t T0 = 1704067200000; /* 2024-01-01T00:00:00Z */

/* Waits for the follower's next report; a follower that never reports again (the feature
 * broken) fails the test after 10 minutes instead of hanging make check. Not a speed check:
 * each wait is for one read of a few bytes. */
static void wait_or_fail(Seen *s)
{
    struct timespec ts;
    /* lint-timing: allow a hang guard: the deadline of a wait, no speed asserted */
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 600;
    if (pthread_cond_timedwait(&s->cond, &s->lock, &ts) == ETIMEDOUT)
        fail_msg("the follower reported nothing for 10 minutes");
}

static void test_close_before(void **state)
{
    (void)state;
    char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/liq-test-follow.XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/app.log", dir);
    append(path, "2024-01-01T00:00:01Z INFO a\n2024-01-01T00:00:12Z INFO b\n"
                 "2024-01-01T00:00:24Z INFO c\n");
    const char *q = "stats count(*) as n by bin(10s)";
    LiqDiagList *d = diag_list_new(pool);
    LiqQuery *lq = liq_compile(pool, q, strlen(q), d);
    assert_non_null(lq);
    const char *inputs[] = {path};
    LiqRunOptions ro;
    memset(&ro, 0, sizeof(ro));
    ro.threads = 1;
    ro.batch_rows = 2048;
    ro.max_line = (size_t)1 << 20;
    ro.inputs = inputs;
    ro.ninputs = 1;
    Seen s = {.closed = INT64_MIN};
    pthread_mutex_init(&s.lock, NULL);
    pthread_cond_init(&s.cond, NULL);
    LiqFollowOptions fo = {0};
    fo.poll_ms = 50;
    fo.lateness_ms = 0;
    fo.ctx = &s;
    fo.bins_read = bins_read;
    Job j = {liq_follow_new(lq, &ro, &fo), {&s, fmt_row, write_rows, NULL}, LIQ_OK};
    assert_non_null(j.f);
    pthread_t thr;
    assert_int_equal(pthread_create(&thr, NULL, follow_main, &j), 0);

    /* the reads of the three records (the last one once the file stopped growing: a
     * multi-line record is held until then): 00:00:00 and 00:00:10 written, 00:00:20 held
     * open */
    pthread_mutex_lock(&s.lock);
    while (s.closed < T0 + 20000)
        wait_or_fail(&s);
    assert_int_equal(s.closed, T0 + 20000);
    assert_int_equal(lines(&s, "2024-01-01 00:00:00.000\t1"), 1);
    assert_int_equal(lines(&s, "2024-01-01 00:00:10.000\t1"), 1);
    assert_int_equal(lines(&s, "2024-01-01 00:00:20.000\t1"), 0);
    pthread_mutex_unlock(&s.lock);

    /* closed by time, with no record after it */
    liq_follow_close_before(j.f, T0 + 30000);
    pthread_mutex_lock(&s.lock);
    while (s.closed < T0 + 30000)
        wait_or_fail(&s);
    assert_int_equal(s.closed, T0 + 30000);
    assert_int_equal(lines(&s, "2024-01-01 00:00:20.000\t1"), 1);
    int calls = s.calls, with = s.with_records;
    pthread_mutex_unlock(&s.lock);
    liq_follow_close_before(j.f, T0 + 25000); /* earlier: nothing */

    /* a record for 00:00:20 now: a correction, its own count */
    append(path, "2024-01-01T00:00:25Z INFO late\n");
    pthread_mutex_lock(&s.lock);
    while (s.with_records == with)
        wait_or_fail(&s);
    assert_int_equal(s.closed, T0 + 30000);
    assert_int_equal(lines(&s, "2024-01-01 00:00:20.000\t1"), 2);
    assert_true(s.calls > calls);
    pthread_mutex_unlock(&s.lock);

    liq_follow_stop(j.f);
    pthread_join(thr, NULL);
    assert_int_equal(j.status, LIQ_OK);
    pthread_mutex_lock(&s.lock); /* nothing open: nothing more at the end */
    assert_int_equal(lines(&s, "2024-01-01 00:00:20.000\t1"), 2);
    pthread_mutex_unlock(&s.lock);
    liq_follow_free(j.f);
    buf_free(&s.rows);
    pthread_cond_destroy(&s.cond);
    pthread_mutex_destroy(&s.lock);
    unlink(path);
    rmdir(dir);
}

static int setup(void **state)
{
    (void)state;
    return apr_pool_create(&pool, NULL) == APR_SUCCESS ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    apr_pool_destroy(pool);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_close_before, setup, teardown),
    };
    apr_initialize();
    if (liq_global_init() != LIQ_OK)
        return 1;
    int failed = cmocka_run_group_tests_name("follow", tests, NULL, NULL);
    liq_global_cleanup();
    apr_terminate();
    return failed ? 1 : 0;
}
