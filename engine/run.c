/* run.c -- the public door of running (see liq.h): the process set-up, and what takes a
 * compiled query to make or do a run, handing its plan to execution (engine/exec/pipe.c)
 *
 * Process set-up: the things liq does once per process, libcurl's curl_global_init and the
 * abort function of APR's global pool (base/mem.h), are the caller's to do first (main() and every test driver call liq_global_init), so no run, thread
 * or lazy path keeps a flag of its own.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "engine/liq_int.h"
#include "engine/exec/op.h"
#include "engine/exec/pipe.h"
#include "engine/s3/s3.h"

LiqStatus liq_global_init(void)
{
    /* every pool liq makes descends from APR's global pool and inherits its abort function:
     * a pool that cannot grow ends the process through mem_fail (base/mem.h) */
    apr_pool_t *probe;
    if (apr_pool_create(&probe, NULL) != APR_SUCCESS)
        return LIQ_EINTERNAL;
    apr_pool_abort_set(mem_pool_abort, apr_pool_parent_get(probe));
    apr_pool_destroy(probe);
    return s3_global_init() == 0 ? LIQ_OK : LIQ_EINTERNAL;
}

void liq_global_cleanup(void)
{
    s3_global_cleanup();
}

/* ===== Subqueries (issue 13) =====
 *
 * A query with subqueries runs each of them to completion first, over the run's inputs, and
 * runs a copy of its plan whose subquery filters point at their sets (op_subq.c): the plan of
 * the compiled query stays untouched, so runs of it in several threads keep apart. The copy
 * and the sets live in a pool the run frees (SubqOwner). A run of such a query takes no
 * states of another run (liq_run_state_merge compares plans): its subqueries' sets are its
 * own. */

static int has_subq(const Plan *p)
{
    for (int i = 0; i < p->npipes; i++) {
        for (int k = 0; k < p->pipes[i].nops; k++)
            if (op_subq_inner(p->pipes[i].ops[k]))
                return 1;
        if (p->pipes[i].breaker &&
            (op_join_inner(p->pipes[i].breaker) || op_appendcols_inner(p->pipes[i].breaker)))
            return 1;
    }
    return 0;
}

/* The sets of a run's subqueries and joins: the first that failed stops the run */
typedef struct BindFail {
    LiqStatus status;
    const char *why;
    int64_t bytes; /* what the sets hold: the outer run's budget is charged with it */
} BindFail;

static SubqSet *set_run(apr_pool_t *pool, const Plan *inner, const LiqRunOptions *opt,
                        BindFail *fail);

/* A copy of p in pool whose subquery filters are bound to sets of runs over opt's inputs
 * (inner subqueries first); owner goes to the outer plan's operators only. */
static Plan *bind_plan(apr_pool_t *pool, const Plan *p, const LiqRunOptions *opt, SubqOwner *owner,
                       BindFail *fail)
{
    Plan *c = apr_pmemdup(pool, p, sizeof(*p));
    c->pipes = apr_pmemdup(pool, p->pipes, sizeof(Pipeline) * (size_t)(p->npipes ? p->npipes : 1));
    for (int i = 0; i < p->npipes; i++) {
        Pipeline *pl = &c->pipes[i];
        if (!pl->nops)
            continue;
        pl->ops = apr_pmemdup(pool, pl->ops, sizeof(Op *) * (size_t)pl->nops);
        for (int k = 0; k < pl->nops; k++) {
            const Plan *inner = op_subq_inner(pl->ops[k]);
            if (!inner)
                continue;
            pl->ops[k] = op_subq_bind(pool, pl->ops[k], set_run(pool, inner, opt, fail), owner);
        }
    }
    for (int i = 0; i < p->npipes; i++) { /* joins and appendcols end pipelines */
        Pipeline *pl = &c->pipes[i];
        const Plan *inner = pl->breaker ? op_join_inner(pl->breaker) : NULL;
        if (inner) {
            pl->breaker = op_join_bind(pool, pl->breaker, set_run(pool, inner, opt, fail), owner);
            continue;
        }
        inner = pl->breaker ? op_appendcols_inner(pl->breaker) : NULL;
        if (inner)
            pl->breaker = op_appendcols_bind(pool, pl->breaker, set_run(pool, inner, opt, fail),
                                             owner);
    }
    return c;
}

/* The set of the subquery or join side inner (bound first if it has subqueries of its own);
 * once one failed, the others are not run: their sets stay empty and the run stops. */
static SubqSet *set_run(apr_pool_t *pool, const Plan *inner, const LiqRunOptions *opt,
                        BindFail *fail)
{
    const Plan *run = has_subq(inner) ? bind_plan(pool, inner, opt, NULL, fail) : inner;
    if (fail->status != LIQ_OK) {
        LiqRunOptions none = *opt; /* no inputs: an empty set, nothing read */
        none.ninputs = 0;
        none.nlog_groups = 0;
        return subq_set_run(pool, run, &none);
    }
    SubqSet *s = subq_set_run(pool, run, opt);
    fail->status = (LiqStatus)subq_set_status(s, &fail->why);
    fail->bytes += subq_set_bytes(s);
    return s;
}

LiqRun *liq_run_new(const LiqQuery *q, const LiqRunOptions *opt)
{
    const Plan *plan = liq_query_plan(q);
    if (!has_subq(plan))
        return pipe_run_new(plan, opt);
    apr_pool_t *pool;
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS)
        return NULL;
    LiqRunOptions o = {0};
    if (opt)
        o = *opt;
    if (o.threads < 1)
        o.threads = 1;
    SubqOwner *owner = subq_owner_new(pool);
    BindFail fail = {LIQ_OK, NULL, 0};
    LiqRun *r = pipe_run_new(bind_plan(pool, plan, &o, owner, &fail), opt);
    if (!r)
        apr_pool_destroy(pool);
    else if (fail.status != LIQ_OK)
        pipe_run_fail(r, fail.status, fail.why);
    else /* the sets live as long as the run: its states have the rest of the limit */
        pipe_run_hold(r, fail.bytes, "subquery");
    return r;
}

int liq_query_has_state(const LiqQuery *q)
{
    return liq_query_plan(q)->pipes[0].breaker != NULL;
}

LiqStatus liq_run(const LiqQuery *q, const LiqRunOptions *opt, const LiqOutput *out,
                  LiqRunStats *st, LiqDiagList *diags)
{
    LiqRun *r = liq_run_new(q, opt);
    if (!r)
        return LIQ_EINTERNAL;
    LiqStatus status = liq_run_exec(r, out, st, diags);
    if (st && st->nops) { /* the run's memory goes: the profile moves to the caller's pool */
        LiqOpStats *ops = NULL;
        if (diags) {
            ops = apr_palloc(diags->pool, sizeof(LiqOpStats) * (size_t)st->nops);
            memcpy(ops, st->ops, sizeof(LiqOpStats) * (size_t)st->nops);
        }
        st->ops = ops;
        st->nops = ops ? st->nops : 0;
    }
    liq_run_free(r);
    return status;
}

/* ===== The default memory limit (docs/memory.md) ===== */

/* The number in file (a cgroup limit), or 0 when it is missing, "max" or not a number. */
static uint64_t read_limit(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[64];
    uint64_t v = 0;
    if (fgets(line, sizeof(line), f)) {
        char *end;
        unsigned long long n = strtoull(line, &end, 10);
        if (end != line && (*end == '\n' || *end == 0))
            v = (uint64_t)n;
    }
    fclose(f);
    return v;
}

static uint64_t min_limit(uint64_t a, uint64_t b)
{
    return !a ? b : !b ? a : a < b ? a : b;
}

/* The smallest limit on the process's cgroup and its parents (v2 memory.max, v1
 * memory.limit_in_bytes), 0 when there is none. */
static uint64_t cgroup_limit(void)
{
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f)
        return 0;
    uint64_t lim = 0;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\n")] = 0;
        const char *dir = NULL, *file = NULL;
        if (strncmp(line, "0::", 3) == 0) { /* v2: one unified hierarchy */
            dir = "/sys/fs/cgroup";
            file = "memory.max";
        } else {
            char *c = strchr(line, ':');
            if (c && strncmp(c + 1, "memory:", 7) == 0) {
                dir = "/sys/fs/cgroup/memory";
                file = "memory.limit_in_bytes";
            }
        }
        if (!dir)
            continue;
        char *path = strchr(strchr(line, ':') + 1, ':') + 1;
        for (;;) { /* the group, then each parent: the smallest limit binds */
            size_t n = strlen(dir) + strlen(path) + strlen(file) + 3;
            char *p = mem_alloc(n);
            snprintf(p, n, "%s%s/%s", dir, strcmp(path, "/") == 0 ? "" : path, file);
            uint64_t v = read_limit(p);
            free(p);
            if (v && v < ((uint64_t)1 << 60)) /* v1 writes "no limit" as a huge number */
                lim = min_limit(lim, v);
            char *slash = strrchr(path, '/');
            if (!slash || slash == path)
                break;
            *slash = 0;
        }
    }
    free(line);
    fclose(f);
    return lim;
}

uint64_t liq_memory_limit_default(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    uint64_t phys = pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz : 0;
    uint64_t m = min_limit(phys, cgroup_limit());
    return m / 4 * 3;
}
