/* plan.h -- the physical plan of a query: slots, operators, pipelines
 *
 * plan_build turns a checked AST into pipelines of operators (engine/exec/op.h). Every field a
 * query names gets a slot: an input slot is decoded from the records on demand (a system field
 * such as @message, or a JSON field by its flattened name); a computed slot is written by an
 * operator (fields ... as x, stats outputs). Names resolve left to right: a later definition
 * of a name shadows an earlier one from then on.
 *
 * Pipelines. Pipeline 0 reads the inputs with all workers in parallel and runs its streaming
 * operators (filter, fields) on every batch, ending in a breaker (stats, sort, limit) or in the
 * output. The breaker's result (a RowSet) is the source of the next pipeline, and so on. The
 * last pipeline ends in the output, which projects the visible columns.
 *
 * Ownership: the plan and everything in it live in the query pool and are never written once
 * built: runs, also concurrent ones, only read it (what a run changes lives in the run and its
 * workers, see op.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_PLAN_H
#define LIQ_PLAN_H

#include <apr_pools.h>
#include "base/buf.h"
#include "base/diag.h"
#include "parser/ast.h"

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
    int read;     /* some expression reads the slot (expr.c): else only output may show it */
    int sub;      /* SYS_LAMBDA: which field (LAMBDA_*) */
} SlotInfo;

typedef enum { DIFF_NONE, DIFF_PREVIOUS, DIFF_DAY, DIFF_WEEK, DIFF_MONTH } DiffKind;

typedef struct VisCol {
    const char *name; /* the column name (L13) */
    int slot;
} VisCol;

struct Op;

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
    DiffKind diff;     /* pattern | diff: the comparison period (a run sets the periods) */
    struct Prefilter *pre; /* literals every surviving raw line contains (prefilter.h) */
    int npre;
} Plan;

struct FpPattern;
/* pattern: a filter pattern to apply first (--filter-pattern), or NULL */
Plan *plan_build(apr_pool_t *pool, const AstNode *query, const char *text,
                 const struct FpPattern *pattern, LiqDiagList *diags);
void plan_explain(const Plan *p, LiqBuf *out);
/* The slot of an input field called name, created on first use. */
int plan_input_slot(Plan *p, const char *name, size_t len);
int plan_new_slot(Plan *p, const char *name, SlotKind kind);

#endif
