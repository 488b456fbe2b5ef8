/* test_stats.c -- unit tests of the stats operator's partitioned merge (engine/exec/op_stats.c,
 * issue 21)
 *
 * White box: this file includes op_stats.c, so that a test can build workers' group tables
 * directly (gt_find and the aggregates' update, as stats_sink does), combine them into a run's
 * state and finalize it:
 *
 *   - a worker's table past PAR_MIN groups is partitioned (NPART tables by the top 4 bits of
 *     each group's hash), and every group sits in the partition of its hash;
 *   - combine keeps two workers' partitioned tables as they are (no merge on the combining
 *     thread: the state holds no group and two deferred tables), and a worker that folds
 *     again (after a snapshot) adds to its own deferred table, partition by partition;
 *   - finalize merges them by partition on two threads, and gives the rows of the merge on one
 *     thread (the tables combined once more and merged by gt_settle, as before issue 21), row
 *     for row with their order keys: groups ordered by their keys, unordered (as a set), and
 *     the best 10 for a sort | limit after; counts and count_distinct (a state with memory of
 *     its own) equal what the rows gave, and the groups' keys are spelled by their earliest
 *     rows (7 and 7.0 are one group, 7 read first);
 *   - a copy of a state with deferred tables (a snapshot's) finalizes to the same rows.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "engine/exec/op_stats.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>
#include <apr_general.h>

static apr_pool_t *pool;

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

enum { NKEYS_W = 30000, NROWS = 90000, SLOTS = 3 };

/* stats count(*) (slot 1), count_distinct(g) (slot 2) by k (slot 0) */
static Op *stats_op(void)
{
    Plan *p = apr_pcalloc(pool, sizeof(*p));
    p->pool = pool;
    p->nslots = SLOTS;
    Expr **keys = apr_pcalloc(pool, sizeof(Expr *));
    int *kslots = apr_pcalloc(pool, sizeof(int));
    AggSpec *aggs = apr_pcalloc(pool, sizeof(AggSpec) * 2);
    aggs[0] = (AggSpec){.fn = FN_count, .slot = 1};
    aggs[1] = (AggSpec){.fn = FN_count_distinct, .slot = 2};
    return op_stats_new(p, keys, kslots, 1, aggs, 2);
}

/* Row i's key (of worker w's rows): about NKEYS_W keys per worker, a third of them in both;
 * every 101st row "7", written "7.0" in worker 1's rows (later in input order than worker
 * 0's: the group is spelled 7) */
static Datum row_key(int w, int i, char *buf)
{
    if (i % 101 == 0)
        return w ? val_str("7.0", 3) : val_str("7", 1);
    int j = (int)(((unsigned)i * 7919u) % (unsigned)NKEYS_W) + w * (NKEYS_W * 2 / 3);
    int len = snprintf(buf, 32, "k%d", j);
    return val_str(buf, (size_t)len);
}

/* Worker w's table over its rows [from, to) (order keys w << 40 | i), as stats_sink builds
 * it: partitioned once past PAR_MIN groups (local_account after each 2048 rows). */
static GTable *worker_table(const StatsData *sd, int w, int from, int to)
{
    GTable *t = gt_new(sd);
    char buf[32], gbuf[8];
    for (int i = from; i < to; i++) {
        Datum k = row_key(w, i, buf);
        uint64_t h = keys_hash(&k, 1);
        GTable *pt = t->sub ? t->sub[h >> 60] : t;
        int created;
        uint64_t order = (uint64_t)w << 40 | (uint64_t)i;
        unsigned char *r = gt_find(pt, sd, &k, h, order, &created, NULL);
        agg_table[FN_count]->update(rec_state(r) + sd->offs[0], NULL, NULL, order, &pt->am);
        int glen = snprintf(gbuf, sizeof(gbuf), "g%d", i % 5);
        Datum g = val_str(gbuf, (size_t)glen);
        agg_table[FN_count_distinct]->update(rec_state(r) + sd->offs[1], &g, NULL, order, &pt->am);
        if (i % 2048 == 2047 || i == to - 1)
            local_account(t, sd, NULL);
    }
    return t;
}

/* A run's state of both workers' tables (each in two folds when snapshot: rows [0, N/2) then
 * the rest), combined as pipe.c's workers do. */
static GTable *run_state(const Op *op, int snapshot)
{
    const StatsData *sd = op->data;
    GTable *g = stats_global_new(op);
    OpCtx ctx = {0};
    StatsLocal l[2] = {{.ctx = &ctx}, {.ctx = &ctx}};
    for (int w = 0; w < 2; w++) {
        if (snapshot) {
            l[w].t = worker_table(sd, w, 0, NROWS / 2);
            stats_combine(op, g, &l[w]);
            l[w].t = worker_table(sd, w, NROWS / 2, NROWS);
        } else {
            l[w].t = worker_table(sd, w, 0, NROWS);
        }
        stats_combine(op, g, &l[w]);
    }
    return g;
}

/* The rows of a finalized state as text: order key, then each slot (formatted). */
static char *rows_text(const Op *op, GTable *g, int settle)
{
    if (settle) /* as before issue 21: one table, merged on one thread */
        gt_settle(g, op->data);
    RowSet *rs = stats_finalize(op, NULL, g);
    LiqBuf out = {0};
    do {
        for (size_t r = 0; r < rs->nrows; r++) {
            char line[64];
            int n = snprintf(line, sizeof(line), "%llu", (unsigned long long)rs->order[r]);
            buf_add(&out, line, (size_t)n);
            for (int s = 0; s < SLOTS; s++) {
                char kb[64];
                Datum f = val_key_form(&rs->data[r * SLOTS + (size_t)s], kb, sizeof(kb));
                buf_add(&out, " ", 1);
                buf_add(&out, f.s, f.len);
            }
            buf_add(&out, "\n", 1);
        }
    } while (rowset_refill(rs));
    rowset_free(rs);
    buf_add(&out, "", 1);
    return out.p;
}

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of text sorted (the rows as a set). */
static char *sorted_lines(char *text)
{
    size_t n = 0, cap = 1024;
    char **v = malloc(sizeof(char *) * cap);
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (n == cap)
            v = realloc(v, sizeof(char *) * (cap *= 2));
        v[n++] = l;
    }
    qsort(v, n, sizeof(char *), cmp_lines);
    LiqBuf out = {0};
    for (size_t i = 0; i < n; i++) {
        buf_add(&out, v[i], strlen(v[i]));
        buf_add(&out, "\n", 1);
    }
    buf_add(&out, "", 1);
    free(v);
    free(text);
    return out.p;
}

static void test_partitioned_tables(void **state)
{
    (void)state;
    const Op *op = stats_op();
    const StatsData *sd = op->data;
    GTable *t = worker_table(sd, 0, 0, NROWS);
    assert_non_null(t->sub);
    assert_int_equal(t->n, 0);
    size_t groups = 0;
    for (int p = 0; p < NPART; p++) {
        groups += t->sub[p]->n;
        FOR_GROUPS(t->sub[p], sd, r)
        {
            assert_int_equal(rec_hash(r) >> 60, p);
        }
    }
    assert_true(groups > PAR_MIN);
    gt_free(t, sd);
}

static void test_combine_defers(void **state)
{
    (void)state;
    const Op *op = stats_op();
    const StatsData *sd = op->data;
    for (int snapshot = 0; snapshot < 2; snapshot++) {
        GTable *g = run_state(op, snapshot);
        assert_int_equal(g->n, 0);     /* nothing merged while combining */
        assert_int_equal(g->nmore, 2); /* one table per worker */
        assert_non_null(g->more[0]->sub);
        assert_non_null(g->more[1]->sub);
        stats_state_free(op, g);
    }
    (void)sd;
}

/* The partitioned merge's rows against one table's, in the three ways groups go on. */
static void check_modes(Op *op, int snapshot)
{
    StatsData *sd = op->data;
    for (int mode = 0; mode < 3; mode++) {
        sd->unordered = mode > 0;
        sd->topn = -1;
        if (mode == 2) {
            static const int slots[2] = {1, 0}, desc[2] = {1, 0};
            op_stats_topn(op, 10, slots, desc, 2);
        }
        char *par = rows_text(op, run_state(op, snapshot), 0);
        char *one = rows_text(op, run_state(op, snapshot), 1);
        if (mode > 0) { /* unordered: a set (order keys say where a group's rows began) */
            par = sorted_lines(par);
            one = sorted_lines(one);
        }
        assert_string_equal(par, one);
        if (mode == 0) {
            assert_non_null(strstr(par, " 7 ")); /* spelled by its earliest row */
            assert_null(strstr(par, " 7.0 "));
            assert_null(strstr(par, "\"7\""));
        }
        size_t lines = 0;
        for (const char *c = par; *c; c++)
            lines += *c == '\n';
        if (mode == 2)
            assert_int_equal(lines, 10);
        else
            assert_true(lines > 2 * PAR_MIN);
        free(par);
        free(one);
    }
    sd->unordered = 0;
    sd->topn = -1;
}

static void test_merge_equals_one_table(void **state)
{
    (void)state;
    check_modes(stats_op(), 0);
}

static void test_snapshot_folds(void **state)
{
    (void)state;
    check_modes(stats_op(), 1);
}

static void test_copy(void **state)
{
    (void)state;
    Op *op = stats_op();
    GTable *g = run_state(op, 0);
    GTable *c = stats_copy(op, g);
    assert_int_equal(c->nmore, 0);
    char *a = rows_text(op, g, 0), *b = rows_text(op, c, 0);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

int main(void)
{
    apr_initialize();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partitioned_tables),
        cmocka_unit_test(test_combine_defers),
        cmocka_unit_test(test_merge_equals_one_table),
        cmocka_unit_test(test_snapshot_folds),
        cmocka_unit_test(test_copy),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    apr_terminate();
    return rc;
}
