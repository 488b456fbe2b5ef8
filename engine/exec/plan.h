/* plan.h -- the executable plan of a query: slots, pipelines of operators, visible columns
 *
 * A Plan is what execution runs: the planner (engine/plan/build.c) makes it from the checked
 * AST, and nothing in it refers to the AST. Every field a query names gets a slot: an input
 * slot is decoded from the records on demand (a system field such as @message, or a JSON
 * field by its flattened name); a computed slot is written by an operator (fields ... as x,
 * stats outputs).
 *
 * Pipelines. Pipeline 0 reads the inputs with all workers in parallel and runs its streaming
 * operators (filter, fields) on every batch, ending in a breaker (stats, sort, limit) or in the
 * output. The breaker's result (a RowSet) is the source of the next pipeline, and so on. The
 * last pipeline ends in the output, which projects the visible columns. Before any operator,
 * pipeline 0 drops the raw lines that lack a prefilter literal (engine/exec/pipe.c; the
 * literals are derived by engine/plan/prefilter.c).
 *
 * Ownership: the plan and everything in it live in the query pool and are never written once
 * built: runs, also concurrent ones, only read it (what a run changes lives in the run and its
 * workers, see op.h).
 *
 * Interface:
 *   plan_new_slot     a new slot (the planner's, and hand-made plans' such as discover.c's)
 *   plan_input_slot   the input slot of a field name, made on first use
 *   (--explain is engine/exec/explain.h: it knows operators, which a plan only points to)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_PLAN_H
#define LIQ_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>

typedef enum {
    SYS_NONE = 0,
    SYS_MESSAGE,   /* @message: the raw record */
    SYS_TIMESTAMP, /* @timestamp (L20) */
    SYS_LOG,       /* @log (L19) */
    SYS_LOGSTREAM, /* @logStream */
    SYS_INGESTION, /* @ingestionTime */
    SYS_LAMBDA,    /* a field of a Lambda platform line (@type, @duration, ...: dec_lambda.h) */
} SysField;

typedef enum { SLOT_INPUT, SLOT_COMPUTED } SlotKind;

typedef struct SlotInfo {
    const char *name;
    uint32_t len;
    SlotKind kind;
    SysField sys; /* SLOT_INPUT: a system field, or SYS_NONE for a JSON field */
    int used;     /* read by the query (else reserved, e.g. @timestamp for --start) */
    int read;     /* some expression reads the slot (expr_compile.c): else only output may show it */
    int sub;      /* SYS_LAMBDA: which field (LAMBDA_*) */
    uint8_t check; /* an input field the query reads in filter, stats, sort, ...: CENSUS_*
                    * (engine/input/census.h), its absence from every record is warned about */
} SlotInfo;

/* DIFF_SHIFT: logcompare timeshift D (issue 20): the same period D earlier (Plan.diff_shift) */
typedef enum { DIFF_NONE, DIFF_PREVIOUS, DIFF_DAY, DIFF_WEEK, DIFF_MONTH, DIFF_SHIFT } DiffKind;

typedef struct VisCol {
    const char *name; /* the column name (L13) */
    int slot;
} VisCol;

struct Op;

/* A literal every raw line that can pass the filters of pipeline 0 contains: the scan drops
 * lines without it before decoding them (a line with a backslash is always kept: a JSON
 * escape may spell the literal). */
typedef struct Prefilter {
    const char *lit;
    size_t len;
    const char *from; /* the filter it comes from, for --explain */
} Prefilter;

typedef struct Pipeline {
    struct Op **ops; /* streaming operators, in order */
    int nops;
    struct Op *breaker; /* NULL: this pipeline ends in the output */
} Pipeline;

typedef struct Plan {
    apr_pool_t *pool;
    const char *query;
    int nslots, slotcap;
    SlotInfo *slots;
    Pipeline *pipes;
    int npipes;
    VisCol *vis;
    int nvis;
    int64_t out_limit; /* rows the output stops after; -1: no limit */
    int uses_json;     /* some input slot is a JSON field */
    int64_t now_s;     /* the query's start time (now()), epoch seconds */
    int ts_slot;       /* the @timestamp input slot (always present: --start/--end use it) */
    int needs_ts;      /* bin(), earliest/latest, diff or anomaly read @timestamp: an input
                        * none of whose records has one is reported (docs/timestamps.md T10) */
    DiffKind diff;     /* pattern | diff: the comparison period (a run sets the periods) */
    int64_t diff_shift; /* DIFF_SHIFT: how far back the previous period is, ms */
    const char *src_start, *src_end; /* SOURCE name start=... end=...: the times as written */
    int ncheck;        /* slots with check set */
    int max_fields;    /* --max-fields: leaves of a JSON record that give fields (0: CloudWatch's
                        * JSON_MAX_FIELDS, engine/data/json.h) */
    int range_slots[3]; /* queryStartTime(), queryEndTime(), queryTimeRange(): the slots the
                         * range operator (op_range_new) fills; -1: not used */
    int range_probe;    /* this is the range operator's subquery: a run of it is skipped when
                         * --start and --end give the range, or an input cannot be read twice */
    Prefilter *pre;    /* literals every surviving raw line contains */
    int npre;
} Plan;

/* The slot of an input field called name, created on first use. */
int plan_input_slot(Plan *p, const char *name, size_t len);
int plan_new_slot(Plan *p, const char *name, SlotKind kind);

#endif
