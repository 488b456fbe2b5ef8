/* op.h -- physical operators: one vtable; plan-time data apart from what a run changes
 *
 * An Op is plan-time data (what it computes, from which slots, with which compiled
 * expressions and patterns): read-only during runs and shared by every run of the compiled
 * query, also by runs in several threads at once (docs/architecture.md, "A compiled query and
 * a run"). What a run changes lives outside the Op:
 *
 *   OpCtx    the run's values operators read (the periods of diff, the frame of anomaly) and
 *            the counters they add to (regex subjects no match could be decided for): one per
 *            run (engine/exec/pipe.c)
 *   OpLocal  one worker's: expression states, scratch, and a breaker's partial state
 *   OpState  a breaker's global state: what the run accumulated (DuckDB's GlobalSinkState)
 *
 * Streaming operators (filter, fields, parse, ...) transform a batch in place (execute): they
 * rewrite its selection or fill computed columns. Breakers (stats, sort, limit/tail, dedup,
 * pattern with diff and anomaly, unnest, discover) end a pipeline; each has the state seam
 * (docs/architecture.md, "The state seam"):
 *
 *   global_new   an empty state
 *   sink         a batch into the worker's partial state (its OpLocal)
 *   combine      moves a worker's partial state into a global state (under the run's lock);
 *                the OpLocal stays usable and empty, so a worker can fold its rows in when a
 *                snapshot asks and go on
 *   merge        another state of the same operator (another run's, over other inputs) into
 *                this one; the source is freed
 *   copy         a deep copy (a snapshot finalizes a copy while the run goes on)
 *   finalize     the state's rows, for the next pipeline; consumes the state
 *   state_free   drops a state that is not finalized
 *
 * Merges are exact and independent of their order: every row carries its input-order key
 * (engine/data/vec.h), and what depends on input order (the first row of dedup, stable sorts,
 * earliest/latest, ties of min/max, a stats group's key spelling) is decided by order keys,
 * never by which worker or run saw a row first. So any split of the inputs between workers,
 * or between runs given disjoint order bases (LiqRunOptions.order_base), merges into the rows
 * of one run over all inputs.
 *
 * Ownership: Ops live in the plan pool; OpLocals in their worker's pool (a breaker's partial
 * state is malloc'd or in pools of its own, and moves out at combine); OpStates own their
 * memory (malloc and pools of their own), tied to no run or worker; RowSets own their arrays
 * (malloc) and strings (their pool) and are freed by rowset_free.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_OP_H
#define LIQ_OP_H

#include <apr_pools.h>
#include "base/buf.h"
#include "base/diag.h"
#include "engine/exec/expr.h"
#include "engine/exec/plan.h"
#include "engine/data/vec.h"

/* Materialised rows: every slot of the plan for each row, plus its order key. */
typedef struct RowSet {
    int nslots;
    size_t nrows, cap;
    Datum *data;     /* nrows * nslots, row-major */
    uint64_t *order; /* per-row order key */
    apr_pool_t *pool; /* strings */
    size_t sbytes;    /* bytes copied into pool (rowset_bytes) */
    int64_t charged;  /* what a state of rows charged to its run's budget (budget.h) */
    struct SpillRuns *runs;   /* a sort's rows spilled to files (spill.h); NULL: none */
    struct RowStream *stream; /* rows that follow, in chunks (rowset_refill); NULL: none */
} RowSet;

/* Rows a breaker hands on in chunks rather than whole (a sort's or a spilled stats's merge,
 * the groups of a stats, the rows of a dedup): fill puts the next chunk into rs (empty) and
 * returns its rows, 0 at the end. A breaker's result then needs no copy of its state beside
 * the state (issue 15: bytes per group and row). */
typedef struct RowStream {
    size_t (*fill)(struct RowStream *s, RowSet *rs);
    void (*free)(struct RowStream *s);
    uint64_t total; /* the rows it gives in all (--stats=verbose) */
} RowStream;
/* Replaces rs's rows by the next chunk of its stream: their number, 0 when there are no more
 * (then rs has no stream). */
size_t rowset_refill(RowSet *rs);
/* Drops rs's rows and strings (its runs, stream and charge stay). */
void rowset_clear(RowSet *rs);

/* The heap a row set holds, about: arrays and strings (the memory budget's charge). */
size_t rowset_bytes(const RowSet *rs);
struct OpCtx;
/* finalize's result rows out charge the run's budget (ctx->mem), then the state they were
 * made of releases its charge (state_charged): both were alive at once. */
void rowset_charge(RowSet *out, const struct OpCtx *ctx, int64_t state_charged, const char *who);

/* A breaker whose state is rows (window commands, join, unnest): a worker's rows charge what
 * they grew by to ctx's budget (rowset_track, after each batch), a combine moves both charges
 * to dst (rowset_concat_charged), and finalize's result takes the state's charge
 * (rowset_charge), so rows held before a breaker's end count against --memory-limit and a
 * query past it stops naming the operator (issue 15). ctx or its budget NULL: not counted. */
void rowset_track(RowSet *rs, const struct OpCtx *ctx, const char *who);
void rowset_concat_charged(RowSet *dst, RowSet *src, const struct OpCtx *ctx, const char *who);

RowSet *rowset_new(int nslots);
void rowset_free(RowSet *rs);
/* Copies the selected rows of b (every slot, loading input slots first) into rs. */
void rowset_append_batch(RowSet *rs, const Plan *p, Batch *b);
/* ... in two steps: loads the input slots of b's selected rows; copies rows[0..n) of b (rows
 * among those loaded) into rs. */
void rowset_load_batch(const Plan *p, Batch *b);
void rowset_append_rows(RowSet *rs, const Batch *b, const SelIdx *rows, size_t n);
/* Keeps only rows[0..n) of rs, in that order, copied into fresh storage (arrays and a pool of
 * strings): the memory of the rows dropped is released. */
void rowset_keep(RowSet *rs, const size_t *rows, size_t n);
Datum *rowset_add_row(RowSet *rs, uint64_t order);
Datum datum_copy(apr_pool_t *pool, const Datum *d);
void rowset_concat(RowSet *dst, RowSet *src);
/* A deep copy of rs (its strings copied into the copy's pool). */
RowSet *rowset_copy(const RowSet *rs);

typedef struct Op Op;
typedef void OpLocal;
typedef void OpState;

/* What a run lends its operators: values they read in place of the plan's (a plan is shared
 * by every run), and counters they add to. Lives in the run, which outlives every OpLocal made
 * with it; an OpState keeps no pointer to it (states outlive their run). */
typedef struct OpCtx {
    RxFailures *rx; /* regex subjects no match could be decided for */
    /* pattern | diff (§3.10): the current period (--start/--end) and the previous one */
    int64_t cur_start, cur_end, prev_start, prev_end;
    /* pattern | anomaly: --start/--end, the frame (else the span of the records) */
    int has_frame_start, has_frame_end;
    int64_t frame_start, frame_end;
    /* the most rows a sort or limit state held at once (LiqRunStats.rows_held); NULL: none */
    _Atomic uint64_t *rows_held;
    struct Budget *mem; /* the run's memory budget (budget.h); NULL: nothing is counted */
} OpCtx;

typedef struct OpVTable {
    const char *name;
    OpLocal *(*local_new)(const Op *op, const OpCtx *ctx, apr_pool_t *pool);
    void (*execute)(const Op *op, OpLocal *l, Batch *b); /* streaming operators */
    /* breakers (the state seam above) */
    OpState *(*global_new)(const Op *op);
    void (*sink)(const Op *op, OpLocal *l, Batch *b);
    void (*combine)(const Op *op, OpState *g, OpLocal *l);
    void (*merge)(const Op *op, OpState *dst, OpState *src);
    OpState *(*copy)(const Op *op, const OpState *g);
    RowSet *(*finalize)(const Op *op, const OpCtx *ctx, OpState *g);
    void (*state_free)(const Op *op, OpState *g);
    /* partial results (partial.h, issue 16; NULL: the breaker has none): save appends the
     * state's content to out, spilled parts included (0, or -1 when a spill file cannot be
     * read back); load makes a state of the bytes save wrote, NULL when they are not whole
     * and valid (never trusted: they may come from anywhere) or when what it writes to disk
     * cannot be written (then budget_fail has stopped b). b: the budget of the run the state
     * goes into (its --temp-dir for spill files; NULL: $TMPDIR, else /tmp) */
    int (*save)(const Op *op, OpState *g, LiqBuf *out);
    OpState *(*load)(const Op *op, const char *p, size_t n, struct Budget *b);
} OpVTable;

/* The entries of a breaker whose state is a RowSet (unnest, join, sort, limit): states merge
 * by concatenation, copy deeply, free as row sets; rowset_in_order gives such a state's rows
 * in input order (by order key, then position, so the rows one input row became stay
 * together), taking its rows and strings and leaving it empty. */
void rowset_state_merge(const Op *op, OpState *dst, OpState *src);
OpState *rowset_state_copy(const Op *op, const OpState *g);
void rowset_state_free(const Op *op, OpState *g);
RowSet *rowset_in_order(RowSet *rs);
/* ... and their partial results (partial.c): every row (spilled runs too) with its order key;
 * rowset_state_load also reads what rowset_result_save writes: the rows finalize gives of a
 * copy of g, with their order keys (a breaker whose result rows are its state, as dedup's) */
int rowset_state_save(const Op *op, OpState *g, LiqBuf *out);
OpState *rowset_state_load(const Op *op, const char *p, size_t n, struct Budget *b);
int rowset_result_save(const Op *op, OpState *g, LiqBuf *out);
/* The rows perm[0..keep) of rs in that order (keep cut to rs's rows), in a new row set that
 * takes rs's strings; rs is left empty. */
RowSet *rowset_permute(RowSet *rs, const size_t *perm, size_t keep);

struct Op {
    const OpVTable *vt;
    const Plan *plan;
    const char *label;  /* the command as written, for --explain */
    const char *detail; /* what it reads and writes, for --explain */
    void *data;        /* the operator's own plan-time data */
    int64_t limit;     /* sort: keep only the first `limit` rows (-1: all) */
    int tail;          /* limit: keep the last `limit` rows instead ('tail N') */
};

/* The one constructor every op_*_new uses: an operator of vt over data, in the plan pool,
 * without a limit (label and detail are the planner's). */
Op *op_new(Plan *p, const OpVTable *vt, void *data);
Op *op_filter_new(Plan *p, Expr *pred);
Op *op_fields_new(Plan *p, Expr **exprs, const int *slots, int n);
Op *op_sort_new(Plan *p, const int *key_slots, const int *desc, int n);
Op *op_limit_new(Plan *p, int64_t n);
/* parse: what a parse command extracts with. */
typedef enum {
    PK_GLOB,   /* a glob: '*' captures (L7) */
    PK_REGEX,  /* a regex: its named groups, or its groups named by 'as' */
    PK_LOGFMT, /* parse ... logfmt: no pattern */
    PK_CSV,    /* parse ... csv: no pattern */
} ParseKind;
typedef struct ParsePattern {
    ParseKind kind;
    const char *text; /* the glob, or the regex's body (PK_GLOB, PK_REGEX) */
    size_t len;
    LiqSpan span;     /* where the pattern is written (a regex with its slashes): diagnostics */
} ParsePattern;
/* parse: compiles the pattern (diagnostics on errors, then NULL) and returns the output slots
 * and names, in capture order; names[0..nnames) are the names written after 'as' (none: a
 * regex's named groups). With multi, the operator writes one slot (*list_slot): the list of
 * every match as maps of name -> value, and *out_slots are -1 (the planner unnests). */
Op *op_parse_new(Plan *p, Expr *src, const ParsePattern *pat, const char *const *names,
                 int nnames, int multi, int *list_slot, int **out_slots, const char ***out_names,
                 int *nout, LiqDiagList *diags);
/* filter pattern: the first operator when --filter-pattern is given; runs prog (fpat_prog.h,
 * compiled by the planner) on @message. */
struct FpatProg;
Op *op_fpat_new(Plan *p, const struct FpatProg *prog);
/* pattern: clusters the values of src into templates; slots: @pattern, @ratio, @sampleCount,
 * @severityLabel (op_pattern.c). ts: @timestamp, for diff or anomaly; anomaly_slots:
 * @anomalyType, @priority, @timestamp, @description, or NULL without anomaly. */
Op *op_pattern_new(Plan *p, Expr *src, const int slots[4], Expr *ts, DiffKind diff,
                   const int diff_slots[3], const int anomaly_slots[4]);
/* SOURCE: the log groups one SOURCE command selects: exact names (SOURCE 'name'), or
 * logGroups(namePrefix: [...], accountIdentifiers: [...]) with either list empty when not
 * given (both given: both must hold). */
typedef struct SourceSel {
    const char *const *names; /* exact group names (SOURCE 'name'); or NULL */
    int nnames;
    const char *const *prefixes;
    int nprefixes;
    const char *const *accounts;
    int naccounts;
    const char *const *layouts; /* dataSource([...]): the positional layouts (FmtColumns names)
                                 * of the data sources; the batch's input must have one */
    int nlayouts;
} SourceSel;
/* SOURCE: keeps the records whose @log one of sel[0..nsel) selects (op_source.c). */
Op *op_source_new(Plan *p, const SourceSel *sel, int nsel);
/* The SOURCE operator of a plan (the first of pipeline 0's operators), or NULL; and whether
 * it selects the log group called name (NAME or ACCOUNT:NAME, as @log): the run leaves the
 * inputs of a --log-group it does not select unopened (docs/log-groups.md). */
const Op *op_source_of(const Plan *p);
int op_source_selects(const void *source_op, const char *name, size_t len);
/* unnest: one row per element of the list `list`, the element in `slot` (§3.12). */
Op *op_unnest_new(Plan *p, Expr *list, int slot);
/* dedup: keeps the first row (input order) of each distinct combination of the key slots;
 * rows with a null key are all kept (§3.8). */
Op *op_dedup_new(Plan *p, const int *key_slots, int nkeys);

/* The 2025-26 commands that read their rows as a whole, in order (op_window.c,
 * docs/commands-2025.md): a breaker holds the rows, orders them (by_time: by @timestamp, rows
 * without one last, then input order; else input order, which after sort or stats is the
 * order they gave) and computes what the command asks for. */
typedef enum {
    WIN_ACCUM,       /* out[0] = the running sum of in[0]'s numbers */
    WIN_AUTOREGRESS, /* out[i] = in[0] of the row lag_lo + i rows back */
    WIN_FILLDOWN,    /* in[i] null: the last value in[i] had */
    WIN_SESSIONIZE,  /* out[0] = the session of the row's in[] values (gap <= maxspan_ms) */
    WIN_ADDTOTALS,   /* out[0] = the sum of the row's in[] numbers (row); a summary row (col) */
    WIN_FILLMISSING, /* rows for the bins of bin_slot no group of keys[] has; out[i] = fill[i] */
    WIN_OUTLIER,     /* IQR outliers of in[]: removed or clamped; out[0] marks them (mark) */
} WinKind;
typedef struct WinSpec {
    WinKind kind;
    int by_time;
    int ts_slot;
    const int *in;
    int nin;
    const int *out;
    int nout;
    int lag_lo;         /* autoregress */
    int64_t maxspan_ms; /* sessionize */
    int row, col;       /* addtotals */
    int bin_slot;       /* fillmissing: the bin() key, its period (bin()'s: < 0 months) and offset */
    double period;
    int64_t offset;
    const int *keys;    /* ... every group key of the stats, in order */
    int nkeys;
    const Datum *fill;  /* ... fill[i] goes to out[i] */
    int remove, uselower, mark; /* outlier */
    double param;
} WinSpec;
Op *op_window_new(Plan *p, const WinSpec *spec);

/* stats: group keys and aggregates. */
typedef struct AggSpec {
    int fn;      /* function id (parser/functions.def) */
    Expr *arg;   /* NULL for count(*) */
    Expr *arg2;  /* earliest/latest: @timestamp; else NULL */
    double param; /* pct: the percentile */
    int slot;    /* where the result lands */
} AggSpec;
Op *op_stats_new(Plan *p, Expr **keys, const int *key_slots, int nkeys, AggSpec *aggs, int naggs);
/* The stats emits its groups unordered (order key: each group's first row), for a sort right
 * after it that takes the group keys as its last keys (engine/plan/build.c add_sort). */
void op_stats_unordered(Op *op);
/* The stats emits its groups unordered (no sort by their keys) when the stats next, right
 * after it, reads nothing whose value or spelling the order of its rows could change: only
 * integral aggregate results (count, count_distinct) of this one. Returns 1 when it does. */
int op_stats_unordered_before(Op *op, const Op *next);
/* ... and that sort keeps only its first n rows, by these keys (all of them group keys or
 * aggregates of this stats, else nothing changes): the stats emits just those n groups. */
void op_stats_topn(Op *op, int64_t n, const int *slots, const int *desc, int nkeys);

/* lookup (issue 13): a CSV lookup table, loaded when the query compiles (op_lookup.c). */
typedef struct LookupTable {
    const char *name, *path;
    size_t bytes;       /* the file's size */
    int ncols;
    const char **cols;  /* the header row */
    size_t nrows;
    const char **cells; /* nrows * ncols, row-major; NULL: an empty cell */
    uint32_t *lens;
} LookupTable;
/* The table in path (CSV with a header row), or NULL with the reason in why. */
LookupTable *lookup_table_load(apr_pool_t *pool, const char *name, const char *path, char *why,
                               size_t whylen);
/* The column called name, or -1. */
int lookup_table_col(const LookupTable *t, const char *name, size_t len);
/* The bytes a table holds (its text, cells and lengths); and those of the table and index of a
 * lookup (or cidrlookup) operator, 0 for any other: every run charges them to its memory
 * budget for as long as it lives (issue 15), as it does a subquery's table. */
int64_t lookup_table_bytes(const LookupTable *t);
int64_t op_lookup_bytes(const Op *op);
int64_t op_cidr_bytes(const Op *op);
/* lookup: the row of t whose key_cols equal the keys' values gives out_cols into out_slots;
 * prev[i] (OUTPUTNEW) reads the value output i keeps when it has one, or NULL (OUTPUT). */
Op *op_lookup_new(Plan *p, const LookupTable *t, const int *key_cols, Expr **keys, int nkeys,
                  const int *out_cols, const int *out_slots, Expr **prev, int nout);

/* cidrlookup (issue 20, op_cidr.c): the row of t whose CIDR range (column cidr_col) holds the
 * address ip, the most specific one, gives out_cols into out_slots; prev as lookup's. */
Op *op_cidrlookup_new(Plan *p, const LookupTable *t, int cidr_col, Expr *ip, const int *out_cols,
                      const int *out_slots, Expr **prev, int nout);

/* subqueries (issue 13, op_subq.c): 'filter f in (SOURCE ... | fields f)'. The Op holds the
 * subquery's plan; a run binds a copy of the outer plan to the set of values the subquery's own
 * run gave (engine/run.c), in a pool the SubqOwner frees with the run. */
typedef struct SubqSet SubqSet;
typedef struct SubqOwner SubqOwner;
struct LiqRunOptions;
Op *op_subq_new(Plan *p, const Plan *inner, Expr *value, int negate);
/* queryStartTime(), queryEndTime(), queryTimeRange() (issue 20): writes the query's start,
 * end (timestamps) and length (ms) into slots[0..3) (-1: not needed): --start and --end, else
 * the first and last @timestamp that inner ('stats min(@timestamp), max(@timestamp)') finds;
 * a run binds it as a subquery filter (op_subq_bind). */
Op *op_range_new(Plan *p, const Plan *inner, const int slots[3]);
/* The subquery plan of a subquery filter (or of the range operator), or NULL for any other
 * operator. */
const Plan *op_subq_inner(const Op *op);
/* Runs inner to completion with opt's inputs: the values of its first column, in pool. */
SubqSet *subq_set_run(apr_pool_t *pool, const Plan *inner, const struct LiqRunOptions *opt);
size_t subq_set_size(const SubqSet *s);
/* The heap the set holds (arrays, strings): charged to the outer run's budget (issue 15). */
int64_t subq_set_bytes(const SubqSet *s);
/* LIQ_OK when the set is whole (also when its run read some input only in part: the outer run
 * reads the same inputs and says so); else the LiqStatus of its failed run and, in *why, what
 * failed: the outer run must stop with it (engine/run.c), not filter by a partial set. */
int subq_set_status(const SubqSet *s, const char **why);
/* The owner of pool (everything a run's bound plan holds): freed with the run whose worker
 * first makes a state of an operator bound with it. */
SubqOwner *subq_owner_new(apr_pool_t *pool);
/* A copy of the subquery filter op (in pool) that filters by set; owner NULL in plans that
 * run inside another run (nested subqueries). */
Op *op_subq_bind(apr_pool_t *pool, const Op *op, SubqSet *set, SubqOwner *owner);
/* The rows of a subquery's set by their first column: the first row with key, or SIZE_MAX;
 * the next row with the same key, or SIZE_MAX; a row's values (the subquery's columns). */
size_t subq_set_first(const SubqSet *s, const Datum *key);
size_t subq_set_next(const SubqSet *s, size_t row);
const Datum *subq_set_row(const SubqSet *s, size_t row);
/* Registers the owner's destruction on the run that pool (a worker's) belongs to, once. */
void subq_owner_attach(SubqOwner *o, apr_pool_t *pool);
/* join (issue 13, op_join.c): a breaker; each row meets the right side's rows (inner: the
 * subquery plan whose columns are the key, then the right fields) whose key equals key's value;
 * right field i goes to rslots[i]; left: a row without a match is kept once. */
Op *op_join_new(Plan *p, const Plan *inner, Expr *key, int left, const int *rslots, int nright);
const Plan *op_join_inner(const Op *op);
Op *op_join_bind(apr_pool_t *pool, const Op *op, SubqSet *set, SubqOwner *owner);
/* appendcols (issue 20, op_appendcols.c): a breaker; row i of the query takes the columns of
 * row i of inner (the subquery: a constant key 1, then its columns) into slots[0..ncols),
 * replacing (override) or filling null values, for the first max rows. */
Op *op_appendcols_new(Plan *p, const Plan *inner, const int *slots, int ncols, int override,
                      int max);
const Plan *op_appendcols_inner(const Op *op);
Op *op_appendcols_bind(apr_pool_t *pool, const Op *op, SubqSet *set, SubqOwner *owner);
/* relevantfields (issue 20, op_relevant.c): a breaker; cond splits the rows; the fields are
 * in[0..nin) (named names[]), or with records every field of the records but skip[] and the @
 * fields; its rows are @fieldName ... @baselineMedian in out[0..5). */
Op *op_relevant_new(Plan *p, Expr *cond, const int *in, const char *const *names, int nin,
                    int records, const char *const *skip, int nskip, const int out[5]);

#endif
