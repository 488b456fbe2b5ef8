/* test_run.c -- unit tests of runs (engine/liq.h, engine/exec/pipe.c): one compiled query,
 * many runs (issue 12)
 *
 *   - two runs of one compiled query at the same time in two threads, over the same inputs
 *     and over different ones, give the rows of single runs (run under ThreadSanitizer by
 *     scripts/setup.sh --check, build-tsan/);
 *   - the state seam: the inputs split between two keep_state runs, their states taken and
 *     merged into a third run (in either order), give exactly the rows of one run over all
 *     inputs, for stats with every aggregate, sort, sort | limit, limit, tail, dedup, unnest,
 *     pattern, diff, anomaly and --fields; order keys (LiqRunOptions.order_base) keep what
 *     depends on input order exact: dedup's first row, stable sorts, earliest/latest, the
 *     spelling of a stats key (200 and 200.0);
 *   - snapshots: taken from LiqRunOptions.on_morsel after each morsel of a one-worker run,
 *     each is exactly the result over the inputs read so far (each input here is one morsel);
 *     taken from another thread while four workers run, each is a valid partial result;
 *   - cancellation stops a run between morsels and says so; misuse of the seam is refused;
 *   - sort | limit N, limit N and tail N hold at most max(2N, 1024) rows in any state
 *     (LiqRunStats.rows_held) and give the first (last) N rows of the unlimited result.
 *
 * No test depends on timing: threads meet through mutexes and condition variables only.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "base/buf.h"
#include "engine/liq.h"

enum { NFILES = 8, LINES = 300 };

static char dir[64];
static char *paths[NFILES];
static apr_pool_t *pool; /* the compiled queries of a test */

/* ===== inputs ===== */

/* Eight JSON-lines files, each one morsel: levels, hosts, latencies, a status spelled 200 in
 * some files and 200.0 in others (a stats key keeps its earliest spelling), messages that
 * cluster into patterns, timestamps with ties (earliest/latest and sorts break them by input
 * order), non-ASCII text (upper/lower), lists for unnest. */
static void make_inputs(void)
{
    snprintf(dir, sizeof(dir), "/tmp/liq-test-run.XXXXXX");
    assert_non_null(mkdtemp(dir));
    static const char *const levels[] = {"INFO", "WARN", "ERROR", "DEBUG"};
    static const char *const words[] = {"café", "Straße", "naïve", "ÉTÉ", "plain"};
    for (int f = 0; f < NFILES; f++) {
        paths[f] = malloc(128);
        snprintf(paths[f], 128, "%s/part-%d.log", dir, f);
        FILE *fp = fopen(paths[f], "w");
        assert_non_null(fp);
        for (int i = 0; i < LINES; i++) {
            int n = f * LINES + i;
            /* from 2024-03-01T00:00:00Z, three records a timestamp (ties), 150 s apart: the
             * records span 2024-03-01 and most of 2024-03-02 */
            time_t t = (time_t)1709251200 + (time_t)(n / 3) * 150;
            struct tm tm;
            gmtime_r(&t, &tm);
            char ts[32];
            strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
            fprintf(fp,
                    "{\"@timestamp\": \"%s\", \"level\": \"%s\", "
                    "\"host\": \"h%d\", \"latency\": %d.%d, \"status\": %s, \"user\": \"u%d\", "
                    "\"word\": \"%s\", \"tags\": [\"t%d\", \"t%d\"], "
                    "\"msg\": \"user u%d %s from 10.0.%d.%d in %d ms\"}\n",
                    ts, levels[(n * 7) % 4], n % 13,
                    (n * 37) % 500, n % 10, (f % 2) ? "200.0" : (n % 11 == 0 ? "503" : "200"),
                    n % 17, words[n % 5], n % 3, n % 4, n % 29,
                    n % 3 == 0 ? "logged in" : n % 3 == 1 ? "logged out" : "failed to log in",
                    n % 7, n % 250, (n * 13) % 900);
        }
        fclose(fp);
    }
}

static void remove_inputs(void)
{
    for (int f = 0; f < NFILES; f++) {
        unlink(paths[f]);
        free(paths[f]);
    }
    rmdir(dir);
}

/* ===== runs into text ===== */

/* Rows as tab-separated values, one a line (format_row from any worker, write in order). */
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
    buf_add(ctx, data, len);
    return 0;
}

static LiqOutput output(LiqBuf *b)
{
    LiqOutput o = {b, fmt_row, write_rows, NULL};
    return o;
}

static LiqRunOptions options(const char *const *inputs, int ninputs, int threads)
{
    LiqRunOptions o;
    memset(&o, 0, sizeof(o));
    o.threads = threads;
    o.batch_rows = 2048;
    o.max_line = (size_t)1 << 20;
    o.inputs = inputs;
    o.ninputs = ninputs;
    return o;
}

static LiqQuery *compile(const char *q)
{
    LiqDiagList *d = diag_list_new(pool);
    LiqQuery *lq = liq_compile(pool, q, strlen(q), d);
    if (!lq)
        fail_msg("query does not compile: %s (%s)", q, d->n ? d->items[0].msg : "?");
    return lq;
}

/* The rows of q over inputs[0..n) (a NUL-terminated string the caller frees). */
static char *run_text(const LiqQuery *q, const LiqRunOptions *o)
{
    LiqBuf b = {0};
    LiqOutput out = output(&b);
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    LiqStatus s = liq_run(q, o, &out, NULL, diag_list_new(p));
    apr_pool_destroy(p);
    assert_int_equal(s, LIQ_OK);
    buf_addc(&b, 0);
    return b.p;
}

/* ===== two runs at once ===== */

typedef struct Job {
    const LiqQuery *q;
    LiqRunOptions o;
    char *text;
    LiqStatus status;
} Job;

static void *job_main(void *arg)
{
    Job *j = arg;
    LiqBuf b = {0};
    LiqOutput out = output(&b);
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    j->status = liq_run(j->q, &j->o, &out, NULL, diag_list_new(p));
    apr_pool_destroy(p);
    buf_addc(&b, 0);
    j->text = b.p;
    return NULL;
}

static const char *const concurrent_queries[] = {
    "stats count(*) as n, count(latency) as c, count_distinct(host) as hosts, sum(latency) as s, "
    "avg(latency) as a, min(latency) as lo, max(latency) as hi, stddev(latency) as sd, "
    "pct(latency, 90) as p90, earliest(msg) as first, latest(msg) as last, sortsFirst(user) "
    "as sf, sortsLast(user) as sl by level, status",
    "filter msg like /user u1\\d/ | fields @timestamp, toupper(word) as w, tolower(word) as l, msg",
    "parse msg /user (?<who>u\\d+) (?<what>.*) from/ | stats count(*) by who, what | sort who",
    "sort latency desc, host | limit 25",
    "dedup host, level",
    "pattern msg",
    "fields split(msg, \" \") as parts | unnest parts into p | stats count(*) by p",
};

/* One query, two threads, the same inputs (2 workers each) and different ones. */
static void test_two_runs_at_once(void **state)
{
    (void)state;
    const char *const *all = (const char *const *)paths;
    for (size_t k = 0; k < sizeof(concurrent_queries) / sizeof(*concurrent_queries); k++) {
        LiqQuery *q = compile(concurrent_queries[k]);
        LiqRunOptions whole = options(all, NFILES, 1), first = options(all, 3, 1),
                      rest = options(all + 3, NFILES - 3, 1);
        char *want_all = run_text(q, &whole), *want_first = run_text(q, &first),
             *want_rest = run_text(q, &rest);
        for (int round = 0; round < 3; round++) {
            Job j[4] = {{q, options(all, NFILES, 2), NULL, 0},
                        {q, options(all, NFILES, 2), NULL, 0},
                        {q, options(all, 3, 2), NULL, 0},
                        {q, options(all + 3, NFILES - 3, 3), NULL, 0}};
            pthread_t t[4];
            for (int i = 0; i < 4; i++)
                assert_int_equal(pthread_create(&t[i], NULL, job_main, &j[i]), 0);
            for (int i = 0; i < 4; i++)
                pthread_join(t[i], NULL);
            for (int i = 0; i < 4; i++)
                assert_int_equal(j[i].status, LIQ_OK);
            assert_string_equal(j[0].text, want_all);
            assert_string_equal(j[1].text, want_all);
            assert_string_equal(j[2].text, want_first);
            assert_string_equal(j[3].text, want_rest);
            for (int i = 0; i < 4; i++)
                free(j[i].text);
        }
        free(want_all);
        free(want_first);
        free(want_rest);
    }
}

/* ===== the state seam ===== */

/* The state of q over inputs [from, to) (threads workers), from a keep_state run. */
static LiqState *partial(const LiqQuery *q, const LiqRunOptions *base, int from, int to,
                         uint64_t order_base, int threads, uint64_t *morsels)
{
    LiqRunOptions o = *base;
    o.inputs = (const char *const *)paths + from;
    o.ninputs = to - from;
    o.threads = threads;
    o.keep_state = 1;
    o.order_base = order_base;
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    LiqRun *r = liq_run_new(q, &o);
    LiqBuf b = {0};
    LiqOutput out = output(&b);
    LiqRunStats st;
    assert_int_equal(liq_run_exec(r, &out, &st, diag_list_new(p)), LIQ_OK);
    assert_int_equal(b.len, 0); /* a keep_state run writes nothing */
    if (!o.has_start) /* (the time seek may skip whole files) */
        assert_int_equal(st.morsels, (uint64_t)(to - from)); /* one morsel a file */
    if (morsels)
        *morsels = st.morsels;
    LiqState *s = liq_run_state_take(r);
    assert_non_null(s);
    assert_null(liq_run_state_take(r)); /* taken */
    liq_run_free(r);
    apr_pool_destroy(p);
    buf_free(&b);
    return s;
}

/* The rows of q from the given states, merged in that order into a run without inputs. */
static char *merged(const LiqQuery *q, const LiqRunOptions *base, LiqState **states, int n)
{
    LiqRunOptions o = *base;
    o.inputs = NULL;
    o.ninputs = 0;
    LiqRun *r = liq_run_new(q, &o);
    for (int i = 0; i < n; i++)
        assert_int_equal(liq_run_state_merge(r, states[i]), LIQ_OK);
    LiqBuf b = {0};
    LiqOutput out = output(&b);
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    assert_int_equal(liq_run_exec(r, &out, NULL, diag_list_new(p)), LIQ_OK);
    apr_pool_destroy(p);
    liq_run_free(r);
    buf_addc(&b, 0);
    return b.p;
}

typedef struct SeamCase {
    const char *query;
    int range; /* with --start/--end (diff, anomaly) */
    int fields; /* liq --fields (query unused) */
} SeamCase;

static const SeamCase seam_cases[] = {
    {"stats count(*) as n, count(latency) as c, count_distinct(host) as hosts, "
     "sum(latency) as s, avg(latency) as a, min(latency) as lo, max(latency) as hi, "
     "stddev(latency) as sd, pct(latency, 50) as p50, percentile(latency, 99) as p99, "
     "earliest(msg) as first, latest(msg) as last, sortsFirst(word) as sf, sortsLast(word) as sl "
     "by status, level",
     0, 0},
    {"stats count(*) as n, earliest(user) as e, latest(user) as l by bin(1h)", 0, 0},
    {"stats count(*) as n by host | sort n desc | limit 4", 0, 0},
    {"sort @timestamp desc", 0, 0},
    {"sort level, latency desc | limit 17", 0, 0},
    {"sort status | limit 5", 0, 0},
    {"limit 40 | sort latency", 0, 0},
    {"tail 12", 0, 0},
    /* more rows than the bound of a state (max(2N, 1024)): cut before the merge */
    {"sort latency desc | limit 3", 0, 0},
    {"sort level | limit 700", 0, 0},
    {"limit 1100 | sort host, latency", 0, 0},
    {"tail 600 | sort level", 0, 0},
    {"filter level = \"ERROR\" | dedup host", 0, 0},
    {"dedup status, level", 0, 0},
    {"dedup user | display user, host, @timestamp", 0, 0},
    {"fields split(msg, \" \") as parts | unnest parts into p | display p, user | limit 50", 0, 0},
    {"fields split(word, \"a\") as parts | unnest parts into p | display p, user | tail 50", 0, 0},
    {"pattern msg", 0, 0},
    {"filter level != \"DEBUG\" | pattern msg | diff", 1, 0},
    {"pattern msg | anomaly", 1, 0},
    {"stats count(*) as n by level | sort n", 0, 0},
    {NULL, 0, 1},
};

/* Runs A (inputs [0, k)) and B ([k, NFILES)) keep their states; a third run merges them, in
 * both orders, and must give the rows of one run over all inputs. */
static void test_state_seam(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof(seam_cases) / sizeof(*seam_cases); c++) {
        const SeamCase *sc = &seam_cases[c];
        LiqQuery *q = sc->fields ? liq_fields_query(pool) : compile(sc->query);
        LiqRunOptions base = options((const char *const *)paths, NFILES, 1);
        if (sc->range) {
            base.has_start = base.has_end = 1;
            base.start_ms = 1709337600000LL; /* 2024-03-02T00:00:00Z: diff's previous day */
            base.end_ms = 1709423999999LL;
        }
        char *want = run_text(q, &base);
        for (int k = 1; k < NFILES; k += 3) {
            uint64_t ma;
            LiqState *a = partial(q, &base, 0, k, 0, 1, &ma);
            LiqState *b = partial(q, &base, k, NFILES, ma, 2, NULL); /* B right after A */
            LiqState *ab[2] = {a, b};
            char *got = merged(q, &base, ab, 2);
            assert_string_equal(got, want);
            free(got);
            /* the other order of merging; order bases of parts (part i at i << 20) */
            a = partial(q, &base, 0, k, 0, 3, NULL);
            b = partial(q, &base, k, NFILES, (uint64_t)1 << 20, 1, NULL);
            LiqState *ba[2] = {b, a};
            got = merged(q, &base, ba, 2);
            if (strcmp(got, want) != 0)
                fail_msg("%s, split at %d, merged B then A:\n%s\nwanted:\n%s",
                         sc->fields ? "--fields" : sc->query, k, got, want);
            free(got);
        }
        /* three parts, each with the other states merged into the last run, which also reads */
        LiqState *p0 = partial(q, &base, 0, 2, 0, 2, NULL);
        LiqState *p1 = partial(q, &base, 2, 5, (uint64_t)1 << 20, 2, NULL);
        LiqRunOptions o = base;
        o.inputs = (const char *const *)paths + 5;
        o.ninputs = NFILES - 5;
        o.order_base = (uint64_t)2 << 20;
        o.threads = 2;
        LiqRun *r = liq_run_new(q, &o);
        assert_int_equal(liq_run_state_merge(r, p1), LIQ_OK);
        assert_int_equal(liq_run_state_merge(r, p0), LIQ_OK);
        LiqBuf b = {0};
        LiqOutput out = output(&b);
        apr_pool_t *p;
        apr_pool_create(&p, NULL);
        assert_int_equal(liq_run_exec(r, &out, NULL, diag_list_new(p)), LIQ_OK);
        apr_pool_destroy(p);
        liq_run_free(r);
        buf_addc(&b, 0);
        assert_string_equal(b.p, want);
        buf_free(&b);
        free(want);
    }
}

/* The seam refuses what it cannot do. */
static void test_state_seam_misuse(void **state)
{
    (void)state;
    LiqQuery *stats = compile("stats count(*) by level"), *other = compile("stats count(*) by level");
    LiqQuery *stream = compile("filter level = \"ERROR\" | limit 10");
    assert_true(liq_query_has_state(stats));
    assert_false(liq_query_has_state(stream));
    LiqRunOptions base = options((const char *const *)paths, 2, 1);
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    /* a state belongs to its compiled query */
    LiqState *s = partial(stats, &base, 0, 2, 0, 1, NULL);
    LiqRun *r = liq_run_new(other, &base);
    assert_int_equal(liq_run_state_merge(r, s), LIQ_EUSAGE);
    liq_run_free(r);
    /* not into a run that executed */
    r = liq_run_new(stats, &base);
    LiqBuf b = {0};
    LiqOutput out = output(&b);
    assert_int_equal(liq_run_exec(r, &out, NULL, diag_list_new(p)), LIQ_OK);
    assert_int_equal(liq_run_state_merge(r, s), LIQ_EUSAGE);
    assert_null(liq_run_state_take(r));
    assert_int_equal(liq_run_snapshot(r, &out), LIQ_EUSAGE); /* finished */
    assert_int_equal(liq_run_exec(r, &out, NULL, diag_list_new(p)), LIQ_EUSAGE); /* once */
    liq_run_free(r);
    liq_state_free(s);
    /* a query that streams its rows has no state */
    LiqRunOptions keep = base;
    keep.keep_state = 1;
    r = liq_run_new(stream, &keep);
    LiqDiagList *d = diag_list_new(p);
    assert_int_equal(liq_run_exec(r, &out, NULL, d), LIQ_EUSAGE);
    assert_int_equal(d->nerrors, 1);
    assert_null(liq_run_state_take(r));
    assert_int_equal(liq_run_snapshot(r, &out), LIQ_EUSAGE);
    liq_run_free(r);
    /* a state never taken is freed with its run */
    r = liq_run_new(stats, &keep);
    assert_int_equal(liq_run_exec(r, &out, NULL, diag_list_new(p)), LIQ_OK);
    liq_run_free(r);
    buf_free(&b);
    apr_pool_destroy(p);
}

/* ===== snapshots ===== */

typedef struct SnapHook {
    int n;
    LiqBuf snaps[NFILES];
    LiqStatus status[NFILES];
} SnapHook;

static void snap_each(LiqRun *run, void *ctx)
{
    SnapHook *h = ctx;
    LiqOutput out = output(&h->snaps[h->n]);
    h->status[h->n] = liq_run_snapshot(run, &out);
    buf_addc(&h->snaps[h->n], 0);
    h->n++;
}

/* One worker, a snapshot after each morsel (file): snapshot k is the result over files 0..k. */
static void test_snapshot_prefix(void **state)
{
    (void)state;
    static const char *const queries[] = {
        "stats count(*) as n, sum(latency) as s, earliest(msg) as e, pct(latency, 90) as p "
        "by level | sort n desc",
        "stats count(*) as n by status, host | sort n desc, host | limit 5",
        "dedup host | sort @timestamp desc",
        "pattern msg",
    };
    for (size_t k = 0; k < sizeof(queries) / sizeof(*queries); k++) {
        LiqQuery *q = compile(queries[k]);
        SnapHook h;
        memset(&h, 0, sizeof(h));
        LiqRunOptions o = options((const char *const *)paths, NFILES, 1);
        o.on_morsel = snap_each;
        o.on_morsel_ctx = &h;
        LiqBuf b = {0};
        LiqOutput out = output(&b);
        apr_pool_t *p;
        apr_pool_create(&p, NULL);
        LiqRun *r = liq_run_new(q, &o);
        assert_int_equal(liq_run_exec(r, &out, NULL, diag_list_new(p)), LIQ_OK);
        liq_run_free(r);
        apr_pool_destroy(p);
        assert_int_equal(h.n, NFILES);
        buf_addc(&b, 0);
        for (int i = 0; i < NFILES; i++) {
            assert_int_equal(h.status[i], LIQ_OK);
            LiqRunOptions prefix = options((const char *const *)paths, i + 1, 1);
            char *want = run_text(q, &prefix);
            assert_string_equal(h.snaps[i].p, want);
            free(want);
            buf_free(&h.snaps[i]);
        }
        LiqRunOptions whole = options((const char *const *)paths, NFILES, 1);
        char *want = run_text(q, &whole);
        assert_string_equal(b.p, want); /* the snapshots did not disturb the run */
        free(want);
        buf_free(&b);
    }
}

/* A snapshot's copy is charged to the run's memory budget as much as the states it copies
 * (issue 15): a run with a snapshot after each morsel peaks higher than one without; under a
 * limit just below that peak the snapshots that do not fit are refused with LIQ_EMEMORY
 * (the last ones: the state grows with every file) and the run ends as without snapshots. */
static void test_snapshot_memory(void **state)
{
    (void)state;
    LiqQuery *q = compile("stats pct(latency, 50) as p, count(*) as n");
    LiqRunOptions o = options((const char *const *)paths, NFILES, 1);
    LiqRunStats st;
    memset(&st, 0, sizeof(st));
    LiqBuf b = {0};
    LiqOutput out = output(&b);
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    LiqRun *r = liq_run_new(q, &o);
    assert_int_equal(liq_run_exec(r, &out, &st, diag_list_new(p)), LIQ_OK);
    liq_run_free(r);
    buf_addc(&b, 0);
    uint64_t peak = st.mem_peak;
    for (int lim = 0; lim < 2; lim++) {
        SnapHook h;
        memset(&h, 0, sizeof(h));
        LiqRunOptions so = o;
        so.memory_limit = lim ? peak - 1 : 0; /* the second: just below the first's peak */
        so.on_morsel = snap_each;
        so.on_morsel_ctx = &h;
        LiqBuf b2 = {0};
        LiqOutput out2 = output(&b2);
        memset(&st, 0, sizeof(st));
        r = liq_run_new(q, &so);
        assert_int_equal(liq_run_exec(r, &out2, &st, diag_list_new(p)), LIQ_OK);
        liq_run_free(r);
        buf_addc(&b2, 0);
        assert_string_equal(b2.p, b.p);
        assert_int_equal(h.n, NFILES);
        for (int i = 0; i < NFILES; i++) {
            if (!lim)
                assert_int_equal(h.status[i], LIQ_OK);
            buf_free(&h.snaps[i]);
        }
        if (lim) {
            assert_int_equal(h.status[NFILES - 1], LIQ_EMEMORY);
            assert_true(st.mem_peak < peak);
        } else {
            assert_true(st.mem_peak > peak); /* the copies counted */
            peak = st.mem_peak;
        }
        buf_free(&b2);
    }
    buf_free(&b);
    apr_pool_destroy(p);
}

/* Four workers; after each morsel the worker that did it hands a snapshot to another thread
 * and waits for it: every snapshot is a valid partial count (a multiple of LINES, growing),
 * and the run's result is whole. */
typedef struct Snapper {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    LiqRun *run;
    int asked, done, quit;
    int64_t last; /* the count of the last snapshot */
    int bad, nsnaps;
} Snapper;

static int write_count(void *ctx, const char *data, size_t len, const uint32_t *ends,
                       uint32_t n)
{
    (void)ends;
    (void)n;
    buf_add(ctx, data, len);
    return 0;
}

static void *snapper_main(void *arg)
{
    Snapper *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (s->asked == s->done && !s->quit)
            pthread_cond_wait(&s->cv, &s->mu);
        if (s->asked == s->done)
            break;
        LiqRun *run = s->run;
        pthread_mutex_unlock(&s->mu);
        LiqBuf b = {0};
        LiqOutput out = {&b, fmt_row, write_count, NULL};
        LiqStatus st = liq_run_snapshot(run, &out);
        buf_addc(&b, 0);
        long long n = atoll(b.p);
        pthread_mutex_lock(&s->mu);
        if (st != LIQ_OK || n % LINES || n < s->last || n > NFILES * LINES)
            s->bad++;
        s->last = n;
        s->nsnaps++;
        buf_free(&b);
        s->done++;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static void ask_snapshot(LiqRun *run, void *ctx)
{
    Snapper *s = ctx;
    pthread_mutex_lock(&s->mu);
    s->run = run;
    int me = ++s->asked;
    pthread_cond_broadcast(&s->cv);
    while (s->done < me)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
}

static void test_snapshot_threads(void **state)
{
    (void)state;
    LiqQuery *q = compile("stats count(*) as n");
    Snapper s;
    memset(&s, 0, sizeof(s));
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv, NULL);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, snapper_main, &s), 0);
    LiqRunOptions o = options((const char *const *)paths, NFILES, 4);
    o.on_morsel = ask_snapshot;
    o.on_morsel_ctx = &s;
    LiqBuf b = {0};
    LiqOutput out = output(&b);
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    LiqRun *r = liq_run_new(q, &o);
    assert_int_equal(liq_run_exec(r, &out, NULL, diag_list_new(p)), LIQ_OK);
    pthread_mutex_lock(&s.mu);
    s.quit = 1;
    pthread_cond_broadcast(&s.cv);
    pthread_mutex_unlock(&s.mu);
    pthread_join(t, NULL);
    liq_run_free(r);
    apr_pool_destroy(p);
    buf_addc(&b, 0);
    char want[32];
    snprintf(want, sizeof(want), "%d\n", NFILES * LINES);
    assert_string_equal(b.p, want);
    assert_int_equal(s.nsnaps, NFILES);
    assert_int_equal(s.bad, 0);
    buf_free(&b);
    pthread_mutex_destroy(&s.mu);
    pthread_cond_destroy(&s.cv);
}

/* ===== cancellation ===== */

static void cancel_after_two(LiqRun *run, void *ctx)
{
    int *n = ctx;
    if (++*n == 2)
        liq_run_cancel(run);
}

static void test_cancel(void **state)
{
    (void)state;
    static const char *const queries[] = {"stats count(*) by level", "fields msg"};
    for (int k = 0; k < 2; k++) {
        LiqQuery *q = compile(queries[k]);
        int n = 0;
        LiqRunOptions o = options((const char *const *)paths, NFILES, 1);
        o.on_morsel = cancel_after_two;
        o.on_morsel_ctx = &n;
        LiqBuf b = {0};
        LiqOutput out = output(&b);
        LiqRunStats st;
        apr_pool_t *p;
        apr_pool_create(&p, NULL);
        LiqRun *r = liq_run_new(q, &o);
        assert_int_equal(liq_run_exec(r, &out, &st, diag_list_new(p)), LIQ_ECANCELLED);
        assert_int_equal(n, 2); /* no morsel after the cancel */
        assert_int_equal(st.records_scanned, 2 * LINES);
        liq_run_free(r);
        apr_pool_destroy(p);
        buf_free(&b);
    }
}

/* ===== bounded sort | limit and limit (issues 15, 21) ===== */

/* A sort or limit with a limit of N holds at most max(2N, 1024) rows in any state, however
 * many records come in, and gives the rows an unlimited sort gives first: 100,000 records in
 * several morsels, keys with 100 ties each spread over every morsel (ties go by input order),
 * one and four workers, whole and 7-row batches. */
static void test_bounded_top(void **state)
{
    (void)state;
    char path[96];
    snprintf(path, sizeof(path), "%s/many.log", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    enum { NREC = 100000 };
    for (int i = 0; i < NREC; i++)
        fprintf(fp, "{\"i\": %d, \"x\": %d, \"pad\": \"%.*s\"}\n", i, (i * 7919) % 1000,
                i % 23, "abcdefghijklmnopqrstuvwxyz");
    fclose(fp);
    const char *in[1] = {path};
    static const struct {
        const char *limited, *full; /* full: every row, in the order limited cuts from */
        int n, tail;
        uint64_t bound;
    } cases[] = {
        {"sort x | limit 3", "sort x", 3, 0, 1024},
        {"sort x desc | limit 3", "sort x desc", 3, 0, 1024},
        {"sort x desc | limit 1500", "sort x desc", 1500, 0, 3000},
        {"limit 5 | filter x >= 0 | fields i, x", "fields i, x", 5, 0, 1024},
        {"limit 5 | sort x", "fields i, x", 5, 0, 1024}, /* checked by rows_held only */
        {"tail 4 | fields i, x", "fields i, x", 4, 1, 1024},
        {"sort x | limit 10000000", "sort x", NREC, 0, NREC},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(*cases); c++) {
        LiqQuery *lq = compile(cases[c].limited);
        LiqRunOptions o = options(in, 1, 1);
        char *full = run_text(compile(cases[c].full), &o);
        /* the first (last for tail) n lines of the full result */
        size_t nl = 0, len = strlen(full);
        for (size_t k = 0; k < len; k++)
            nl += full[k] == '\n';
        const char *from = full, *to = full + len;
        size_t skip = cases[c].tail && nl > (size_t)cases[c].n ? nl - (size_t)cases[c].n : 0;
        for (size_t k = 0; k < skip; k++)
            from = strchr(from, '\n') + 1;
        if (!cases[c].tail) {
            to = from;
            for (int k = 0; k < cases[c].n && *to; k++)
                to = strchr(to, '\n') + 1;
        }
        for (int threads = 1; threads <= 4; threads += 3) {
            for (int batch = 7; batch <= 2048; batch += 2041) {
                o = options(in, 1, threads);
                o.batch_rows = (uint32_t)batch;
                LiqBuf b = {0};
                LiqOutput out = output(&b);
                LiqRunStats st;
                apr_pool_t *p;
                apr_pool_create(&p, NULL);
                assert_int_equal(liq_run(lq, &o, &out, &st, diag_list_new(p)), LIQ_OK);
                apr_pool_destroy(p);
                buf_addc(&b, 0);
                if (st.rows_held > cases[c].bound || st.rows_held == 0)
                    fail_msg("%s (%d threads, %d-row batches): %llu rows held, bound %llu",
                             cases[c].limited, threads, batch,
                             (unsigned long long)st.rows_held,
                             (unsigned long long)cases[c].bound);
                if (c != 4 && (strlen(b.p) != (size_t)(to - from) ||
                               memcmp(b.p, from, (size_t)(to - from)) != 0))
                    fail_msg("%s (%d threads, %d-row batches): not the rows of %s",
                             cases[c].limited, threads, batch, cases[c].full);
                buf_free(&b);
            }
        }
        free(full);
    }
    unlink(path);
}

/* ===== the group ===== */

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
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_two_runs_at_once), T(test_state_seam),       T(test_state_seam_misuse),
        T(test_snapshot_prefix),  T(test_snapshot_memory),  T(test_snapshot_threads),
        T(test_cancel),           T(test_bounded_top),
    };
#undef T
    apr_initialize();
    if (liq_global_init() != LIQ_OK)
        return 1;
    make_inputs();
    int failed = cmocka_run_group_tests_name("run", tests, NULL, NULL);
    remove_inputs();
    liq_global_cleanup();
    apr_terminate();
    return failed ? 1 : 0;
}
