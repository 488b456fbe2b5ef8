/* discover.c -- liq --fields: the fields the records of the inputs have, with counts and types
 *
 * The Insights console's discovered-fields pane, offline. discover_plan makes the plan of the
 * query liq_fields_query returns (engine/fields.c): it reads the inputs like any query
 * (pipeline 0 on all workers, --start/--end, every input kind and format) and ends in the
 * discover breaker below; its result rows are
 * field, count, types, ordered by count (descending) then name (bytes), and go through the
 * ordinary output path (liq_run, the writers of every --format).
 *
 * A record has the fields a query could read from it (dec.c): the system fields @message,
 * @timestamp, @ingestionTime, @log and @logStream when they have a value, the fields of a
 * Lambda platform line (dec_lambda.h), the columns of a positional format (VPC flow logs,
 * ALB, ...: "-" is absent), or the leaves of a JSON record flattened as in §7.2 (json_each;
 * also the first JSON fragment of a Lambda-style line). count is the number of records that
 * have the field (a key repeated in one record counts once, with the type of its last value,
 * the one a query reads); types lists every value type seen for it, in the order string,
 * number, bool, timestamp, json.
 *
 * Memory: one counter per distinct field per worker, merged into the run's state (a FieldMap)
 * once per worker (combine); no record is kept. Names are copied into the worker's map pool
 * the first time they are seen. At
 * most DISC_MAX_FIELDS fields are told apart (the console stops at 1000 per log group): the
 * ones seen after that are counted together in a last row, "(more fields)", whose count is
 * the number of records with at least one of them (summed over the workers, so a record
 * may count once per worker that found the field new when the workers' fields together pass
 * the cap).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "base/num.h"
#include "engine/input/dec_lambda.h"
#include "engine/input/syslog.h"
#include "engine/input/fmt.h"
#include "engine/data/json.h"
#include "engine/exec/discover.h"
#include "engine/exec/op.h"
#include "engine/input/src.h"

enum { TY_STRING = 1, TY_NUMBER = 2, TY_BOOL = 4, TY_TIMESTAMP = 8, TY_JSON = 16 };
enum { DISC_MAX_FIELDS = 10000 };

typedef struct FieldEnt {
    const char *name;
    uint32_t len;
    unsigned types;
    uint64_t hash;
    uint64_t count;
    uint64_t last; /* the record that counted it last (a key repeated in a record counts once) */
} FieldEnt;

typedef struct FieldMap {
    FieldEnt *ents; /* open addressing; name NULL: empty */
    size_t mask, n;
    apr_pool_t *pool; /* the names */
    FieldEnt more;    /* the fields past DISC_MAX_FIELDS, together */
} FieldMap;

typedef struct Leaf {
    size_t off; /* name in DiscLocal.names */
    uint32_t len;
    unsigned type;
} Leaf;

typedef struct DiscLocal {
    FieldMap map;
    uint64_t rec; /* records seen by this worker, numbering them for FieldEnt.last */
    Leaf *leaves; /* the current record's JSON leaves (at most max; room for cap) */
    int nleaves, max, cap;
    apr_pool_t *pool; /* the worker's: leaves */
    LiqBuf names; /* the current record's JSON leaf names */
} DiscLocal;

typedef struct DiscData {
    int slot_field, slot_count, slot_types, ts_slot;
} DiscData;

/* ===== Per-field counters ===== */

static uint64_t name_hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

/* An empty map whose names live in a pool of its own (freed by map_free). */
static void map_init(FieldMap *m)
{
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    m->mask = 63;
    m->n = 0;
    m->ents = mem_calloc(m->mask + 1, sizeof(FieldEnt));
    m->pool = pool;
    memset(&m->more, 0, sizeof(m->more));
    m->more.last = UINT64_MAX;
}

static void map_free(FieldMap *m)
{
    free(m->ents);
    if (m->pool)
        apr_pool_destroy(m->pool);
    memset(m, 0, sizeof(*m));
}

static FieldEnt *map_find(FieldMap *m, const char *name, size_t len, uint64_t h)
{
    size_t i = h & m->mask;
    while (m->ents[i].name &&
           !(m->ents[i].hash == h && m->ents[i].len == len && memcmp(m->ents[i].name, name, len) == 0))
        i = (i + 1) & m->mask;
    return &m->ents[i];
}

/* The entry for name, created (with a copy of the name) when new; m->more once the map holds
 * DISC_MAX_FIELDS names. */
static FieldEnt *map_get(FieldMap *m, const char *name, size_t len)
{
    uint64_t h = name_hash(name, len);
    FieldEnt *e = map_find(m, name, len, h);
    if (e->name)
        return e;
    if (m->n >= DISC_MAX_FIELDS)
        return &m->more;
    if ((m->n + 1) * 2 > m->mask + 1) { /* grow at half full */
        FieldMap g = {0};
        g.mask = m->mask * 2 + 1;
        g.ents = mem_calloc(g.mask + 1, sizeof(FieldEnt));
        for (size_t i = 0; i <= m->mask; i++)
            if (m->ents[i].name)
                *map_find(&g, m->ents[i].name, m->ents[i].len, m->ents[i].hash) = m->ents[i];
        free(m->ents);
        m->ents = g.ents;
        m->mask = g.mask;
        e = map_find(m, name, len, h);
    }
    e->name = apr_pstrmemdup(m->pool, name, len);
    e->len = (uint32_t)len;
    e->hash = h;
    e->count = 0;
    e->types = 0;
    e->last = UINT64_MAX;
    m->n++;
    return e;
}

/* Counts a field of the current record; a name seen again in the same record is ignored
 * (JSON leaves are offered last first, as the last occurrence of a key wins). */
static void count(DiscLocal *l, const char *name, size_t len, unsigned type)
{
    FieldEnt *e = map_get(&l->map, name, len);
    if (e->last != l->rec) {
        e->last = l->rec;
        e->count++;
        e->types |= type;
    }
}

static unsigned type_of(const Datum *d)
{
    switch (d->type) {
    case VT_NUM:
        return TY_NUMBER;
    case VT_BOOL:
        return TY_BOOL;
    case VT_TS:
        return TY_TIMESTAMP;
    case VT_JSON:
        return TY_JSON;
    default:
        return TY_STRING;
    }
}

/* ===== One record ===== */

static void on_leaf(void *ctx, const char *name, size_t len, const Datum *value)
{
    DiscLocal *l = ctx;
    if (l->nleaves == l->max)
        return;
    if (l->nleaves == l->cap) {
        int cap = l->cap ? l->cap * 2 : 256;
        Leaf *nl = apr_palloc(l->pool, sizeof(Leaf) * (size_t)cap);
        if (l->nleaves)
            memcpy(nl, l->leaves, sizeof(Leaf) * (size_t)l->nleaves);
        l->leaves = nl;
        l->cap = cap;
    }
    Leaf *f = &l->leaves[l->nleaves++];
    f->off = l->names.len;
    f->len = (uint32_t)len;
    f->type = type_of(value);
    buf_add(&l->names, name, len);
}

/* The JSON leaves of a record, when it is a JSON object or a Lambda-style line with a JSON
 * fragment (the rule of dec.c); one that looks like an object and is not JSON is counted for
 * the warning of the run, as dec.c does (unless dec.c met it first). */
static void json_fields(DiscLocal *l, const Rec *r, const Input *in, apr_pool_t *pool)
{
    const char *line = r->line;
    size_t len = r->len;
    const char *frag = NULL;
    l->nleaves = 0;
    l->names.len = 0;
    int ok = r->json != REC_JSON_NO && json_each_cap(line, len, l->max, on_leaf, l, pool);
    if (!ok && len > 2 && line[0] != '{' && (frag = memmem(line, len, "\t{", 2)) != NULL) {
        size_t off = (size_t)(frag + 1 - line);
        l->nleaves = 0;
        l->names.len = 0;
        ok = json_each_cap(line + off, len - off, l->max, on_leaf, l, pool);
    }
    if (!ok && r->json == REC_JSON_UNKNOWN &&
        (json_looks_like_object(line, len) ||
         (frag && json_looks_like_object(frag + 1, (size_t)(line + len - frag - 1)))))
        src_count_not_json(in);
    if (!ok)
        return;
    /* names.p is NULL when every name is empty ({"":0}, the field ""): a name, not nothing */
    const char *names = l->names.p ? l->names.p : "";
    for (int i = l->nleaves - 1; i >= 0; i--)
        count(l, names + l->leaves[i].off, l->leaves[i].len, l->leaves[i].type);
}

/* The columns of a positional record: "-" and empty tokens are absent. tok and len hold c->n
 * entries. */
static void column_fields(DiscLocal *l, const FmtColumns *c, const Rec *r, const char **tok,
                          size_t *len)
{
    int k = fmt_split(c, r->line, r->len, tok, len, c->n); /* every column the format names */
    double f;
    for (int i = 0; i < k; i++) {
        if (len[i] == 0 || (len[i] == 1 && tok[i][0] == '-'))
            continue;
        count(l, c->cols[i], strlen(c->cols[i]),
              num_parse(tok[i], len[i], &f) ? TY_NUMBER : TY_STRING);
    }
}

/* The fields of a syslog record (engine/input/syslog.h). */
static void on_syslog_field(void *ctx, const char *name, size_t len, const Datum *v)
{
    count(ctx, name, len, type_of(v));
}

static void syslog_fields(DiscLocal *l, const Input *in, const Rec *r, apr_pool_t *pool)
{
    SyslogRec sr;
    if (syslog_parse(in->syslog, r->line, r->len, &sr))
        syslog_each(&sr, pool, on_syslog_field, l);
}

static void disc_sink(const Op *op, OpLocal *lp, Batch *b)
{
    const DiscData *dd = op->data;
    DiscLocal *l = lp;
    static const char *const lambda[] = LAMBDA_FIELD_NAMES;
    if (!b->recs)
        return; /* only records are discovered (pipeline 0 always has them) */
    dec_load(op->plan, b, &dd->ts_slot, 1);
    const Vec *ts = &b->cols[dd->ts_slot];
    const Input *in = b->input;
    const FmtColumns *cols = in && in->fmt == FMT_COLUMNS ? in->cols : NULL;
    const char **tok = cols ? apr_palloc(b->pool, sizeof(*tok) * (size_t)(cols->n + 1)) : NULL;
    size_t *len = cols ? apr_palloc(b->pool, sizeof(*len) * (size_t)(cols->n + 1)) : NULL;
    for (uint32_t k = 0; k < b->nsel; k++) {
        SelIdx row = b->sel[k];
        const Rec *r = &b->recs[row];
        l->rec++;
        count(l, "@message", 8, TY_STRING);
        int has_ts = VGET(ts, row)->type == VT_TS;
        if (has_ts)
            count(l, "@timestamp", 10, TY_TIMESTAMP);
        if (has_ts || (r->meta && r->meta->has_ingestion))
            count(l, "@ingestionTime", 14, TY_TIMESTAMP); /* as dec.c: else the timestamp */
        count(l, "@log", 4, TY_STRING);
        count(l, "@logStream", 10, TY_STRING);
        Datum f[LAMBDA_NFIELDS];
        if (dec_lambda(r->line, r->len, f))
            for (int i = 0; i < LAMBDA_NFIELDS; i++)
                if (f[i].type != VT_NULL)
                    count(l, lambda[i], strlen(lambda[i]), type_of(&f[i]));
        if (cols)
            column_fields(l, cols, r, tok, len);
        else if (in && in->syslog)
            syslog_fields(l, in, r, b->pool);
        else
            json_fields(l, r, in, b->pool);
    }
}

/* ===== Operator ===== */

static apr_status_t local_cleanup(void *p)
{
    DiscLocal *l = p;
    map_free(&l->map);
    buf_free(&l->names);
    return APR_SUCCESS;
}

static OpLocal *disc_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    (void)ctx;
    DiscLocal *l = apr_pcalloc(pool, sizeof(*l));
    l->max = op->plan->max_fields > 0 ? op->plan->max_fields : JSON_MAX_FIELDS;
    l->pool = pool;
    map_init(&l->map);
    apr_pool_cleanup_register(pool, l, local_cleanup, apr_pool_cleanup_null);
    return l;
}

static OpState *disc_global_new(const Op *op)
{
    (void)op;
    FieldMap *m = mem_alloc(sizeof(*m));
    map_init(m);
    return m;
}

/* Adds the counters of src to dst. */
static void map_add(FieldMap *dst, const FieldMap *src)
{
    for (size_t i = 0; i <= src->mask; i++) {
        const FieldEnt *e = &src->ents[i];
        if (!e->name)
            continue;
        FieldEnt *g = map_get(dst, e->name, e->len);
        g->count += e->count;
        g->types |= e->types;
    }
    dst->more.count += src->more.count;
    dst->more.types |= src->more.types;
}

/* Adds a worker's counters to the run's (under the run lock); the worker goes on with an
 * empty map. */
static void disc_combine(const Op *op, OpState *g, OpLocal *lp)
{
    (void)op;
    DiscLocal *l = lp;
    map_add(g, &l->map);
    map_free(&l->map);
    map_init(&l->map);
}

static void disc_merge(const Op *op, OpState *dst, OpState *src)
{
    (void)op;
    map_add(dst, src);
    map_free(src);
    free(src);
}

static OpState *disc_copy(const Op *op, const OpState *g)
{
    FieldMap *c = disc_global_new(op);
    map_add(c, g);
    return c;
}

static void disc_state_free(const Op *op, OpState *g)
{
    (void)op;
    map_free(g);
    free(g);
}

static int cmp_fields(const void *a, const void *b)
{
    const FieldEnt *x = *(const FieldEnt *const *)a, *y = *(const FieldEnt *const *)b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* "string, number": the type names of a types mask, in a fixed order. */
static const char *types_text(apr_pool_t *pool, unsigned types)
{
    static const char *const names[] = {"string", "number", "bool", "timestamp", "json"};
    const char *s = "";
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (types & (1u << i))
            s = apr_pstrcat(pool, s, *s ? ", " : "", names[i], NULL);
    return s;
}

static RowSet *disc_finalize(const Op *op, const OpCtx *ctx, OpState *gs)
{
    (void)ctx;
    const DiscData *dd = op->data;
    FieldMap *g = gs;
    RowSet *rs = rowset_new(op->plan->nslots);
    FieldEnt **v = mem_alloc(sizeof(FieldEnt *) * (g->n + 2));
    size_t n = 0;
    for (size_t i = 0; i <= g->mask; i++)
        if (g->ents[i].name)
            v[n++] = &g->ents[i];
    qsort(v, n, sizeof(FieldEnt *), cmp_fields);
    if (g->more.count) { /* last, whatever its count */
        g->more.name = "(more fields)";
        g->more.len = 13;
        v[n++] = &g->more;
    }
    for (size_t i = 0; i < n; i++) {
        Datum *row = rowset_add_row(rs, i);
        for (int c = 0; c < rs->nslots; c++)
            row[c] = val_null();
        const char *name = apr_pstrmemdup(rs->pool, v[i]->name, v[i]->len);
        const char *types = types_text(rs->pool, v[i]->types);
        row[dd->slot_field] = val_str(name, v[i]->len);
        row[dd->slot_count] = val_num((double)v[i]->count);
        row[dd->slot_types] = val_str(types, strlen(types));
    }
    free(v);
    disc_state_free(op, g);
    return rs;
}

static const OpVTable disc_vt = {
    .name = "discover",
    .local_new = disc_local_new,
    .global_new = disc_global_new,
    .sink = disc_sink,
    .combine = disc_combine,
    .merge = disc_merge,
    .copy = disc_copy,
    .finalize = disc_finalize,
    .state_free = disc_state_free,
};

/* ===== The plan ===== */

Plan *discover_plan(apr_pool_t *pool, const char *text)
{
    Plan *p = apr_pcalloc(pool, sizeof(*p));
    p->pool = pool;
    p->query = text;
    p->out_limit = -1;
    p->diff = DIFF_NONE;
    p->ts_slot = plan_input_slot(p, "@timestamp", 10);
    p->slots[p->ts_slot].used = 1;
    DiscData *dd = apr_pcalloc(pool, sizeof(*dd));
    dd->ts_slot = p->ts_slot;
    dd->slot_field = plan_new_slot(p, "field", SLOT_COMPUTED);
    dd->slot_count = plan_new_slot(p, "count", SLOT_COMPUTED);
    dd->slot_types = plan_new_slot(p, "types", SLOT_COMPUTED);
    Op *op = op_new(p, &disc_vt, dd);
    op->label = "every field of every record: count and types";
    op->detail = "reads every field";
    p->npipes = 2;
    p->pipes = apr_pcalloc(pool, sizeof(Pipeline) * 2);
    p->pipes[0].breaker = op;
    p->nvis = 3;
    p->vis = apr_pcalloc(pool, sizeof(VisCol) * 3);
    static const char *const cols[] = {"field", "count", "types"};
    for (int i = 0; i < 3; i++) {
        p->vis[i].name = cols[i];
        p->vis[i].slot = dd->slot_field + i;
    }
    return p;
}
