/* qry.c -- StartQuery's queries: compiled once, run in a thread each, results kept a while
 *
 * A query is compiled with the console's defaults (liq's --insights-defaults, L1) and run
 * over the log groups the request names (only those: a query reads nothing else) in a thread
 * of its own, with max(1, cores / queries running) workers when it starts (the rule that
 * shares the cores). Rows are formatted as GetQueryResults returns them, a list of
 * {"field","value"} with string values, as the run writes them; while it runs,
 * GetQueryResults shows a snapshot of its state (liq_run_snapshot) or the rows so far.
 * StopQuery and SIGTERM cancel a run (liq_run_cancel). Finished queries stay keep_s seconds,
 * at most max_kept of them (the oldest go first), so their rows (at most 10,000 a query) bound
 * the memory results take.
 *
 * @ptr: a query without stats is compiled a second time with a prefix 'fields @log as
 * __liq_ptr_g, @logStream as __liq_ptr_s, @timestamp as __liq_ptr_t, @message as
 * __liq_ptr_m | ' (the way Grafana adds its own columns; for a query without fields, which
 * shows @timestamp and @message, followed by 'fields @timestamp, @message | '); those columns
 * are left out of the rows and become each row's @ptr: the group, the stream, the time and
 * the SHA-256 of the message, which GetLogRecord finds again (api.c). A display command
 * keeps those columns (LiqCompileOptions.keep_prefix), so rows of a query that displays some
 * fields have their @ptr too. The prefixed query is used only when its other columns are
 * exactly the query's; otherwise (one whose columns the prefix would change) the rows have
 * no @ptr. Rows that do not come from one record have none: a stats, pattern or join result. A query starting with SOURCE gets the prefix
 * after its first command (SOURCE must stay first). Errors always point into the text as
 * sent, which is compiled first. While a query runs, its statistics are its run's
 * LiqProgress (records scanned and matched, bytes read), which grow to the final figures.
 *
 * Locks: Srv.lock guards the query list, reference counts and the running count;
 * Query.lock its rows, status and statistics; Query.run_lock the life of its LiqRun (a
 * snapshot or a cancel holds it, the runner frees the run under it). Never both of a
 * query's locks at once, except run_lock then lock in the runner's end.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "base/esc.h"
#include "base/mem.h"
#include "engine/data/jdom.h"
#include "serve/srv_int.h"

enum { QS_SCHEDULED, QS_RUNNING, QS_COMPLETE, QS_FAILED, QS_CANCELLED, QS_TIMEOUT };
static const char *const status_names[] = {"Scheduled", "Running", "Complete",
                                           "Failed",    "Cancelled", "Timeout"};

#define PTR_PREFIX                                                                             \
    "fields @log as __liq_ptr_g, @logStream as __liq_ptr_s, @timestamp as __liq_ptr_t, "      \
    "@message as __liq_ptr_m | "

typedef struct Fmt {
    int ncols;
    const char **names;
    int pg, ps, pt, pm; /* the @ptr columns, or -1 */
} Fmt;

/* Where rows go: a query's kept rows, a snapshot's, or a listing's. */
typedef struct Sink {
    const Fmt *fmt;
    pthread_mutex_t *lock; /* NULL: one thread */
    LiqBuf *rows;
    uint32_t *nrows;
    uint32_t limit;
} Sink;

struct Query {
    Query *next;
    Srv *srv;
    apr_pool_t *pool;
    char id[40];
    const char *text;
    LiqLogGroup *groups;
    int ngroups;
    const LiqQuery *lq;
    LiqRunOptions ro;
    int64_t create_ms, done_ms;
    int refs; /* Srv.lock */
    pthread_t thr;
    int started;
    pthread_mutex_t lock;
    int status;
    int timed_out;
    LiqBuf rows;
    uint32_t nrows;
    uint32_t limit;
    LiqRunStats st;
    LiqProgress prog;
    Fmt fmt;
    Sink sink;
    pthread_mutex_t run_lock;
    LiqRun *run;
    int cancel; /* under run_lock: asked before the run existed */
};

int64_t srv_now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* ----- rows */

static void value_text(LiqBuf *b, const Datum *d)
{
    if (d->type == VT_STR)
        buf_add(b, d->s, d->len);
    else
        val_format(b, d);
}

static void add_ptr(LiqBuf *b, const Fmt *f, const Datum *vals)
{
    const Datum *g = &vals[f->pg], *s = &vals[f->ps], *t = &vals[f->pt], *m = &vals[f->pm];
    if (g->type != VT_STR || s->type != VT_STR || t->type != VT_TS || m->type == VT_NULL)
        return;
    LiqBuf mt = {0};
    value_text(&mt, m);
    unsigned char h[32];
    unsigned hl = 0;
    EVP_Digest(mt.p ? mt.p : "", mt.len, h, &hl, EVP_sha256(), NULL);
    buf_free(&mt);
    LiqBuf p = {0}; /* JSON: {"g":..,"s":..,"t":ms,"h":"hex"} */
    buf_adds(&p, "{\"g\":");
    esc_json(&p, g->s, g->len);
    buf_adds(&p, ",\"s\":");
    esc_json(&p, s->s, s->len);
    buf_printf(&p, ",\"t\":%lld,\"h\":\"", (long long)t->v.i);
    for (unsigned i = 0; i < hl; i++)
        buf_printf(&p, "%02x", h[i]);
    buf_adds(&p, "\"}");
    buf_adds(b, ",{\"field\":\"@ptr\",\"value\":\"");
    b64_enc(b, (const unsigned char *)p.p, p.len);
    buf_adds(b, "\"}");
    buf_free(&p);
}

/* One row: [{"field":..,"value":..},...], nulls and the @ptr columns left out. */
static void format_row(void *ctx, const Datum *vals, int ncols, LiqBuf *out)
{
    const Sink *k = ctx;
    const Fmt *f = k->fmt;
    buf_addc(out, '[');
    size_t first = out->len;
    for (int c = 0; c < ncols && c < f->ncols; c++) {
        if (c == f->pg || c == f->ps || c == f->pt || c == f->pm || vals[c].type == VT_NULL)
            continue;
        if (out->len > first)
            buf_addc(out, ',');
        buf_adds(out, "{\"field\":");
        jo_str(out, f->names[c]);
        buf_adds(out, ",\"value\":");
        if (vals[c].type == VT_STR) {
            esc_json(out, vals[c].s, vals[c].len);
        } else {
            LiqBuf t = {0};
            val_format(&t, &vals[c]);
            esc_json(out, t.p ? t.p : "", t.len);
            buf_free(&t);
        }
        buf_addc(out, '}');
    }
    if (f->pg >= 0 && out->len > first)
        add_ptr(out, f, vals);
    buf_addc(out, ']');
}

static int write_rows(void *ctx, const char *data, size_t len, const uint32_t *ends,
                      uint32_t n)
{
    (void)len;
    Sink *k = ctx;
    int stop = 0;
    if (k->lock)
        pthread_mutex_lock(k->lock);
    uint32_t start = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (k->limit && *k->nrows >= k->limit) {
            stop = 1;
            break;
        }
        if (*k->nrows)
            buf_addc(k->rows, ',');
        buf_add(k->rows, data + start, ends[i] - start);
        start = ends[i];
        (*k->nrows)++;
    }
    if (k->limit && *k->nrows >= k->limit)
        stop = 1; /* the limit: the run stops (LIQ_EOUTPUT) */
    if (k->lock)
        pthread_mutex_unlock(k->lock);
    return stop;
}

static void fmt_init(Fmt *f, const LiqQuery *lq)
{
    f->ncols = liq_columns(lq, &f->names);
    f->pg = f->ps = f->pt = f->pm = -1;
    for (int c = 0; c < f->ncols; c++) {
        const char *n = f->names[c];
        if (strncmp(n, "__liq_ptr_", 10) != 0 || !n[10] || n[11])
            continue;
        switch (n[10]) {
        case 'g': f->pg = c; break;
        case 's': f->ps = c; break;
        case 't': f->pt = c; break;
        case 'm': f->pm = c; break;
        default: break;
        }
    }
    if (f->pg < 0 || f->ps < 0 || f->pt < 0 || f->pm < 0)
        f->pg = f->ps = f->pt = f->pm = -1;
}

/* ----- the query list */

static void query_free(Query *q)
{
    pthread_mutex_destroy(&q->lock);
    pthread_mutex_destroy(&q->run_lock);
    buf_free(&q->rows);
    apr_pool_destroy(q->pool);
}

static Query *find_ref(Srv *s, const char *id)
{
    pthread_mutex_lock(&s->lock);
    Query *q = s->queries;
    while (q && strcmp(q->id, id) != 0)
        q = q->next;
    if (q)
        q->refs++;
    pthread_mutex_unlock(&s->lock);
    return q;
}

static void unref(Srv *s, Query *q)
{
    pthread_mutex_lock(&s->lock);
    q->refs--;
    pthread_mutex_unlock(&s->lock);
}

static int status_of(Query *q)
{
    pthread_mutex_lock(&q->lock);
    int st = q->status;
    pthread_mutex_unlock(&q->lock);
    return st;
}

static void cancel(Query *q, int timed_out)
{
    pthread_mutex_lock(&q->run_lock);
    q->cancel = 1;
    if (q->run)
        liq_run_cancel(q->run);
    pthread_mutex_unlock(&q->run_lock);
    if (timed_out) {
        pthread_mutex_lock(&q->lock);
        q->timed_out = 1;
        pthread_mutex_unlock(&q->lock);
    }
}

/* A listing operation's run (qry_rows), registered while it runs. */
struct SyncRun {
    LiqRun *run;
    struct SyncRun *next;
    int64_t start_ms;
    int timed_out; /* Srv.lock */
};

void qry_sweep(Srv *s, int64_t now_ms)
{
    Query *done = NULL, *late = NULL;
    int kept = 0; /* finished queries kept so far, newest first: at most max_kept */
    pthread_mutex_lock(&s->lock);
    for (Query **pp = &s->queries; *pp;) {
        Query *q = *pp;
        int st = status_of(q);
        int fin = st >= QS_COMPLETE;
        kept += fin;
        if (fin && q->refs == 0 &&
            (now_ms - q->done_ms > (int64_t)s->keep_s * 1000 || kept > s->max_kept)) {
            *pp = q->next;
            q->next = done;
            done = q;
            continue;
        }
        if (st == QS_RUNNING && s->query_timeout_s > 0 &&
            now_ms - q->create_ms > (int64_t)s->query_timeout_s * 1000 && !late) {
            q->refs++;
            late = q; /* one per sweep: the main loop sweeps every second */
        }
        pp = &q->next;
    }
    for (struct SyncRun *r = s->syncs; r; r = r->next) /* listing runs past the timeout */
        if (s->query_timeout_s > 0 && !r->timed_out &&
            now_ms - r->start_ms > (int64_t)s->query_timeout_s * 1000) {
            r->timed_out = 1;
            liq_run_cancel(r->run);
        }
    pthread_mutex_unlock(&s->lock);
    if (late) {
        cancel(late, 1);
        unref(s, late);
    }
    while (done) {
        Query *q = done;
        done = q->next;
        if (q->started)
            pthread_join(q->thr, NULL);
        query_free(q);
    }
}

void qry_cancel_all(Srv *s)
{
    pthread_mutex_lock(&s->lock);
    for (struct SyncRun *r = s->syncs; r; r = r->next)
        liq_run_cancel(r->run);
    for (Query *q = s->queries; q; q = q->next)
        q->refs++;
    pthread_mutex_unlock(&s->lock);
    for (Query *q = s->queries; q; q = q->next)
        cancel(q, 0);
}

/* After qry_cancel_all and the daemon's end: nothing else uses the queries. */
void qry_shutdown(Srv *s)
{
    for (Query *q = s->queries; q; q = q->next)
        if (q->started) {
            pthread_join(q->thr, NULL);
            q->started = 0;
        }
    pthread_mutex_lock(&s->lock);
    while (s->queries) {
        Query *q = s->queries;
        s->queries = q->next;
        query_free(q);
    }
    pthread_mutex_unlock(&s->lock);
}

static void *runner(void *arg)
{
    Query *q = arg;
    Srv *s = q->srv;
    apr_pool_t *dp;
    apr_pool_create(&dp, NULL);
    LiqDiagList *diags = diag_list_new(dp);
    LiqOutput out = {&q->sink, format_row, write_rows, NULL};
    pthread_mutex_lock(&q->run_lock);
    LiqRun *run = q->cancel ? NULL : liq_run_new(q->lq, &q->ro);
    q->run = run;
    pthread_mutex_unlock(&q->run_lock);
    pthread_mutex_lock(&q->lock);
    q->status = QS_RUNNING;
    pthread_mutex_unlock(&q->lock);
    LiqRunStats st = {0};
    LiqStatus rs = run ? liq_run_exec(run, &out, &st, diags) : LIQ_ECANCELLED;
    pthread_mutex_lock(&q->run_lock);
    q->run = NULL;
    pthread_mutex_unlock(&q->run_lock);
    if (run)
        liq_run_free(run);
    int nd = diag_count(diags);
    for (int i = 0; i < nd; i++) /* problems with inputs: the server's log, not the client's */
        srv_log(s, "query %s: %s", q->id, diags->items[i].msg);
    apr_pool_destroy(dp);
    pthread_mutex_lock(&q->lock);
    st.ops = NULL;
    q->st = st;
    q->status = rs == LIQ_ECANCELLED ? (q->timed_out ? QS_TIMEOUT : QS_CANCELLED)
                : rs == LIQ_OK || rs == LIQ_EOUTPUT || rs == LIQ_EINCOMPLETE ? QS_COMPLETE
                                                                             : QS_FAILED;
    if (q->status == QS_CANCELLED || q->status == QS_TIMEOUT) {
        /* a cut stats result is not a result: partial rows of a streaming query stay */
        if (liq_query_has_state(q->lq)) {
            q->rows.len = 0;
            q->nrows = 0;
        }
    }
    q->done_ms = srv_now_ms();
    pthread_mutex_unlock(&q->lock);
    pthread_mutex_lock(&s->lock);
    s->running--;
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* ----- StartQuery */

static void query_id(char *id)
{
    unsigned char r[16];
    if (RAND_bytes(r, sizeof(r)) != 1) { /* unlikely: fall back on the clock and a counter */
        int64_t t = srv_now_ms();
        memcpy(r, &t, 8);
        memcpy(r + 8, &id, sizeof(id) < 8 ? sizeof(id) : 8);
    }
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    char *o = id;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        o += sprintf(o, "%02x", r[i]);
    }
}

/* The group name of a logGroupIdentifier: a name, or an ARN arn:aws:logs:R:A:log-group:NAME[:*]. */
static const char *ident_name(apr_pool_t *p, const char *id)
{
    if (strncmp(id, "arn:", 4) != 0)
        return id;
    const char *g = strstr(id, ":log-group:");
    if (!g)
        return id;
    g += 11;
    size_t n = strlen(g); /* NAME, NAME:* or NAME: (Grafana trims the '*') */
    if (n >= 1 && g[n - 1] == '*')
        n--;
    if (n >= 1 && g[n - 1] == ':')
        n--;
    return apr_pstrndup(p, g, n);
}

static const LiqLogGroup *group_find(const Srv *s, const char *name)
{
    for (int i = 0; i < s->ngroups; i++)
        if (strcmp(s->groups[i].name, name) == 0)
            return &s->groups[i];
    return NULL;
}

/* Does the query start with SOURCE (after blanks and comments)? */
static int starts_with_source(const char *q)
{
    for (;;) {
        q += strspn(q, " \t\r\n");
        if (*q != '#')
            break;
        q += strcspn(q, "\n");
    }
    return strncasecmp(q, "source", 6) == 0 && (q[6] == ' ' || q[6] == '\t' || q[6] == '\n' ||
                                                 q[6] == '\r' || q[6] == '\'' || q[6] == '"');
}

/* The offset of the '|' that ends a query's first command (outside quotes, backquotes and
 * comments), or the length of the text when it has one command. */
static size_t first_pipe(const char *q)
{
    size_t i = 0;
    while (q[i]) {
        char c = q[i];
        if (c == '|')
            return i;
        if (c == '#') {
            i += strcspn(q + i, "\n");
            continue;
        }
        i++;
        if (c == '\'' || c == '"' || c == '`') {
            while (q[i] && q[i] != c)
                i += q[i] == '\\' && q[i + 1] && c != '`' ? 2 : 1;
            if (q[i])
                i++;
        }
    }
    return i;
}

/* Are the columns of b, without its @ptr columns, those of a, in the same order? */
static int same_columns(const LiqQuery *a, const LiqQuery *b)
{
    const char **na, **nb;
    int ca = liq_columns(a, &na), cb = liq_columns(b, &nb), i = 0;
    for (int j = 0; j < cb; j++) {
        if (strncmp(nb[j], "__liq_ptr_", 10) == 0)
            continue;
        if (i >= ca || strcmp(na[i], nb[j]) != 0)
            return 0;
        i++;
    }
    return i == ca;
}

/* MalformedQueryException with the first error's location and liq's caret message. */
static int malformed(LiqBuf *out, apr_pool_t *p, LiqDiagList *d, const char *text)
{
    const LiqDiag *e = NULL;
    for (int i = 0; i < d->n && !e; i++)
        if (d->items[i].severity == DIAG_ERROR)
            e = &d->items[i];
    if (!e)
        return api_error(out, 400, "MalformedQueryException", "the query does not compile");
    char *r = diag_render(p, e, text, strlen(text));
    size_t rl = strlen(r);
    while (rl && r[rl - 1] == '\n')
        rl--;
    buf_adds(out, "{\"__type\":\"MalformedQueryException\",\"message\":");
    esc_json(out, r, rl);
    buf_adds(out, ",\"queryCompileError\":{\"location\":{");
    if (e->has_span)
        buf_printf(out, "\"startCharOffset\":%u,\"endCharOffset\":%u", e->span.start,
                   e->span.end > e->span.start ? e->span.end - 1 : e->span.start);
    buf_adds(out, "},\"message\":");
    jo_str(out, e->msg);
    buf_adds(out, "}}");
    return 400;
}

int qry_start(Srv *s, apr_pool_t *rp, const JdNode *req, LiqBuf *out)
{
    const char *text = jo_get_str(rp, req, "queryString");
    double st_s, en_s, lim = 0;
    if (!text)
        return api_error(out, 400, "InvalidParameterException", "queryString is required");
    if (strlen(text) > 10000)
        return api_error(out, 400, "InvalidParameterException",
                         "queryString is longer than 10000 characters");
    if (jo_get_num(req, "startTime", &st_s) != 1 || jo_get_num(req, "endTime", &en_s) != 1)
        return api_error(out, 400, "InvalidParameterException",
                         "startTime and endTime are required (epoch seconds)");
    if (en_s < st_s)
        return api_error(out, 400, "InvalidParameterException",
                         "endTime must not be before startTime");
    int hl = jo_get_num(req, "limit", &lim);
    if (hl < 0 || (hl == 1 && (lim < 1 || lim > 10000)))
        return api_error(out, 400, "InvalidParameterException",
                         "limit must be a number from 1 to 10000");
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    /* the groups: logGroupName, logGroupNames, logGroupIdentifiers (only one of them) */
    const char *names[3] = {"logGroupName", "logGroupNames", "logGroupIdentifiers"};
    int given = 0;
    LiqLogGroup *gs = apr_pcalloc(p, sizeof(*gs) * (size_t)(s->ngroups + 1));
    int ng = 0;
    for (int k = 0; k < 3; k++) {
        const JdNode *v = jdom_get(req, names[k], strlen(names[k]));
        if (!v || v->type == JD_NULL)
            continue;
        given++;
        size_t n = v->type == JD_ARR ? v->n : 1;
        for (size_t i = 0; i < n; i++) {
            const JdNode *e = v->type == JD_ARR ? v->kids[i] : v;
            if (e->type != JD_STR) {
                apr_pool_destroy(p);
                return api_error(out, 400, "InvalidParameterException",
                                 "%s must hold strings", names[k]);
            }
            const char *es = apr_pstrndup(p, e->s, e->len);
            const char *gn = k == 2 ? ident_name(p, es) : es;
            const LiqLogGroup *g = group_find(s, gn);
            if (!g) {
                int r = api_error(out, 400, "ResourceNotFoundException",
                                  "Log group '%s' does not exist", gn);
                apr_pool_destroy(p);
                return r;
            }
            int dup = 0;
            for (int j = 0; j < ng; j++)
                dup |= gs[j].name == g->name;
            if (!dup)
                gs[ng++] = *g;
        }
    }
    if (given > 1) {
        apr_pool_destroy(p);
        return api_error(out, 400, "InvalidParameterException",
                         "give only one of logGroupName, logGroupNames and logGroupIdentifiers");
    }
    if (!given) {
        if (!starts_with_source(text)) {
            apr_pool_destroy(p);
            return api_error(out, 400, "InvalidParameterException",
                             "name the log groups: logGroupName, logGroupNames, "
                             "logGroupIdentifiers, or SOURCE in the query");
        }
        for (int i = 0; i < s->ngroups; i++) /* SOURCE selects among all of them */
            gs[ng++] = s->groups[i];
    }
    /* compile: the text as sent (its errors are the answer), then with the @ptr columns */
    LiqDiagList *d = diag_list_new(p);
    LiqCompileOptions co = {.insights_defaults = 1};
    LiqQuery *lq = liq_compile_opts(p, text, strlen(text), &co, d);
    if (!lq) {
        int r = malformed(out, p, d, text);
        apr_pool_destroy(p);
        return r;
    }
    if (!liq_query_has_stats(lq)) {
        /* a query without fields shows @timestamp and @message: the prefix's fields would
         * replace them, so they are named after it; the columns must come out the same.
         * SOURCE stays first: the prefix goes after it (head | prefix rest) */
        static const char *const mids[] = {"", "fields @timestamp, @message | "};
        size_t cut = starts_with_source(text) ? first_pipe(text) : 0;
        const char *head = cut ? apr_pstrcat(p, apr_pstrndup(p, text, cut), "\n| ", NULL) : "";
        const char *rest = cut ? text + cut + (text[cut] == '|') : text;
        for (int k = 0; k < 2; k++) {
            char *body = apr_pstrcat(p, PTR_PREFIX, mids[k], rest, NULL);
            if (!rest[strspn(rest, " \t\r\n")]) { /* SOURCE alone: no pipe at the end */
                size_t bl = strlen(body);
                while (bl && strchr(" \t\r\n|", body[bl - 1]))
                    bl--;
                body[bl] = 0;
            }
            const char *t2 = apr_pstrcat(p, head, body, NULL);
            LiqDiagList *d2 = diag_list_new(p);
            LiqCompileOptions co2 = co;
            co2.keep_prefix = "__liq_ptr_"; /* a display keeps them */
            LiqQuery *lq2 = liq_compile_opts(p, t2, strlen(t2), &co2, d2);
            if (lq2 && same_columns(lq, lq2)) {
                lq = lq2;
                break;
            }
        }
    }
    Query *q = apr_pcalloc(p, sizeof(*q));
    q->srv = s;
    q->pool = p;
    q->text = apr_pstrdup(p, text);
    q->groups = gs;
    q->ngroups = ng;
    q->lq = lq;
    q->limit = hl == 1 ? (uint32_t)lim : 10000;
    q->create_ms = srv_now_ms();
    pthread_mutex_init(&q->lock, NULL);
    pthread_mutex_init(&q->run_lock, NULL);
    fmt_init(&q->fmt, lq);
    q->sink = (Sink){&q->fmt, &q->lock, &q->rows, &q->nrows, q->limit};
    query_id(q->id);
    LiqRunOptions *ro = &q->ro;
    ro->batch_rows = 2048;
    ro->max_line = s->max_line;
    ro->has_start = ro->has_end = 1;
    ro->start_ms = (int64_t)st_s * 1000;
    ro->end_ms = (int64_t)en_s * 1000;
    ro->log_groups = gs;
    ro->nlog_groups = ng;
    ro->progress = &q->prog;
    pthread_mutex_lock(&s->lock);
    if (s->stopping) {
        pthread_mutex_unlock(&s->lock);
        query_free(q);
        return api_error(out, 503, "ServiceUnavailableException", "The server is stopping");
    }
    if (s->running >= s->max_queries) {
        pthread_mutex_unlock(&s->lock);
        query_free(q);
        return api_error(out, 400, "LimitExceededException",
                         "Account maximum query concurrency limit of [%d] reached",
                         s->max_queries);
    }
    s->running++;
    int th = s->ncpu / s->running;
    ro->threads = th < 1 ? 1 : th;
    q->next = s->queries;
    s->queries = q;
    q->started = 1;
    int e = pthread_create(&q->thr, NULL, runner, q);
    if (e) {
        q->started = 0;
        s->running--;
        s->queries = q->next;
        pthread_mutex_unlock(&s->lock);
        query_free(q);
        return api_error(out, 500, "ServiceUnavailableException", "cannot start a thread: %s",
                         strerror(e));
    }
    pthread_mutex_unlock(&s->lock);
    buf_adds(out, "{\"queryId\":");
    jo_str(out, q->id);
    buf_addc(out, '}');
    return 200;
}

/* ----- GetQueryResults, StopQuery, DescribeQueries */

static Query *query_of(Srv *s, apr_pool_t *rp, const JdNode *req, LiqBuf *out, int *status)
{
    const char *id = jo_get_str(rp, req, "queryId");
    if (!id) {
        *status = api_error(out, 400, "InvalidParameterException", "queryId is required");
        return NULL;
    }
    Query *q = find_ref(s, id);
    if (!q)
        *status = api_error(out, 400, "ResourceNotFoundException", "Query does not exist");
    return q;
}

int qry_results(Srv *s, apr_pool_t *rp, const JdNode *req, LiqBuf *out)
{
    int status = 0;
    Query *q = query_of(s, rp, req, out, &status);
    if (!q)
        return status;
    /* while it runs: a snapshot of its state (a query that sorts or aggregates), else the
     * rows written so far */
    LiqBuf snap = {0};
    uint32_t nsnap = 0;
    int have_snap = 0;
    if (status_of(q) == QS_RUNNING && liq_query_has_state(q->lq)) {
        Sink k = {&q->fmt, NULL, &snap, &nsnap, q->limit};
        LiqOutput lo = {&k, format_row, write_rows, NULL};
        pthread_mutex_lock(&q->run_lock);
        if (q->run) {
            LiqStatus r = liq_run_snapshot(q->run, &lo);
            have_snap = r == LIQ_OK || r == LIQ_EOUTPUT || r == LIQ_EINCOMPLETE;
        }
        pthread_mutex_unlock(&q->run_lock);
    }
    pthread_mutex_lock(&q->lock);
    int st = q->status;
    buf_adds(out, "{\"results\":[");
    if (st == QS_RUNNING && have_snap)
        buf_add(out, snap.p, snap.len);
    else if (st >= QS_COMPLETE || !liq_query_has_state(q->lq))
        buf_add(out, q->rows.p, q->rows.len);
    uint64_t matched = q->st.records_matched, scanned = q->st.records_scanned,
             bytes = q->st.bytes_scanned;
    if (st < QS_COMPLETE) { /* while it runs: the run's progress, growing to the final figures */
        matched = atomic_load(&q->prog.records_matched);
        scanned = atomic_load(&q->prog.records_scanned);
        bytes = atomic_load(&q->prog.bytes_scanned); /* decompressed, as at the end */
    }
    pthread_mutex_unlock(&q->lock);
    buf_free(&snap);
    buf_printf(out,
               "],\"statistics\":{\"recordsMatched\":%llu.0,\"recordsScanned\":%llu.0,"
               "\"bytesScanned\":%llu.0},\"status\":\"%s\"}",
               (unsigned long long)matched, (unsigned long long)scanned,
               (unsigned long long)bytes, status_names[st]);
    unref(s, q);
    return 200;
}

int qry_stop(Srv *s, apr_pool_t *rp, const JdNode *req, LiqBuf *out)
{
    int status = 0;
    Query *q = query_of(s, rp, req, out, &status);
    if (!q)
        return status;
    int st = status_of(q);
    int was = st <= QS_RUNNING;
    if (was)
        cancel(q, 0);
    unref(s, q);
    if (!was)
        return api_error(out, 400, "InvalidParameterException",
                         "Query is not running: its status is %s", status_names[st]);
    buf_adds(out, "{\"success\":true}");
    return 200;
}

int qry_describe(Srv *s, apr_pool_t *rp, const JdNode *req, LiqBuf *out)
{
    const char *group = jo_get_str(rp, req, "logGroupName");
    const char *want = jo_get_str(rp, req, "status");
    double maxr = 1000;
    if (jo_get_num(req, "maxResults", &maxr) < 0 || maxr < 1 || maxr > 1000)
        return api_error(out, 400, "InvalidParameterException",
                         "maxResults must be a number from 1 to 1000");
    const char *tok = jo_get_str(rp, req, "nextToken");
    long skip = tok ? strtol(tok, NULL, 10) : 0;
    if (skip < 0)
        skip = 0;
    buf_adds(out, "{\"queries\":[");
    long seen = 0, n = 0;
    int more = 0;
    pthread_mutex_lock(&s->lock);
    for (Query *q = s->queries; q; q = q->next) {
        int st = status_of(q);
        if (want && strcmp(want, status_names[st]) != 0)
            continue;
        if (group) {
            int in = 0;
            for (int i = 0; i < q->ngroups; i++)
                in |= strcmp(q->groups[i].name, group) == 0;
            if (!in)
                continue;
        }
        if (seen++ < skip)
            continue;
        if (n >= (long)maxr) {
            more = 1;
            break;
        }
        if (n++)
            buf_addc(out, ',');
        buf_adds(out, "{\"queryId\":");
        jo_str(out, q->id);
        buf_adds(out, ",\"queryString\":");
        jo_str(out, q->text);
        buf_printf(out, ",\"status\":\"%s\",\"createTime\":%lld", status_names[st],
                   (long long)q->create_ms);
        if (q->ngroups) {
            buf_adds(out, ",\"logGroupName\":");
            jo_str(out, q->groups[0].name);
        }
        buf_addc(out, '}');
    }
    pthread_mutex_unlock(&s->lock);
    buf_addc(out, ']');
    if (more)
        buf_printf(out, ",\"nextToken\":\"%ld\"", skip + n);
    buf_addc(out, '}');
    return 200;
}

/* ----- synchronous runs for the listing operations */

static void rows_format(void *ctx, const Datum *vals, int ncols, LiqBuf *out)
{
    (void)ctx;
    for (int c = 0; c < ncols; c++) {
        if (vals[c].type != VT_NULL)
            value_text(out, &vals[c]);
        buf_addc(out, 0);
    }
}

static int rows_write(void *ctx, const char *data, size_t len, const uint32_t *ends,
                      uint32_t n)
{
    (void)len;
    SrvRows *r = ctx;
    uint32_t start = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (r->max_rows && r->nrows >= r->max_rows) {
            r->more = 1;
            return 1;
        }
        if (r->seen++ >= r->skip) {
            size_t at = r->text.len;
            buf_add(&r->starts, &at, sizeof(at));
            buf_add(&r->text, data + start, ends[i] - start);
            r->nrows++;
        }
        start = ends[i];
    }
    return 0;
}

const char *qry_row_value(const SrvRows *rows, uint32_t r, int c)
{
    /* rows are short lists: walk from the start of the row */
    size_t at;
    memcpy(&at, rows->starts.p + (size_t)r * sizeof(at), sizeof(at));
    const char *p = rows->text.p + at;
    for (int i = 0; i < c; i++)
        p += strlen(p) + 1;
    return p;
}

void qry_rows_free(SrvRows *rows)
{
    buf_free(&rows->text);
    buf_free(&rows->starts);
}

int qry_rows(Srv *s, const char *text, const char *pattern, LiqParam *params, int nparams,
             const LiqLogGroup *groups, int ngroups, int has_start, int64_t start_ms,
             int has_end, int64_t end_ms, SrvRows *rows, LiqBuf *err)
{
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    LiqDiagList *d = diag_list_new(p);
    LiqCompileOptions co = {.pattern = pattern,
                            .pattern_len = pattern ? strlen(pattern) : 0,
                            .params = params,
                            .nparams = nparams};
    LiqQuery *lq = !text && !pattern ? liq_fields_query(p)
                   : liq_compile_opts(p, text, text ? strlen(text) : 0, &co, d);
    if (!lq) {
        const LiqDiag *e = d->n ? &d->items[0] : NULL;
        int r = api_error(err, 400, "InvalidParameterException", "%s%s%s",
                          pattern ? "the filter pattern is not valid: " : "",
                          e ? e->msg : "cannot compile", "");
        apr_pool_destroy(p);
        return r;
    }
    const char **names;
    rows->ncols = liq_columns(lq, &names);
    LiqRunOptions ro = {0};
    pthread_mutex_lock(&s->lock); /* the cores rule of queries, counting the listings */
    int busy = s->running + s->listings;
    pthread_mutex_unlock(&s->lock);
    ro.threads = busy > 0 && s->ncpu / busy > 1 ? s->ncpu / busy : 1;
    ro.batch_rows = 2048;
    ro.max_line = s->max_line;
    ro.has_start = has_start;
    ro.start_ms = start_ms;
    ro.has_end = has_end;
    ro.end_ms = end_ms;
    ro.log_groups = groups;
    ro.nlog_groups = ngroups;
    LiqOutput out = {rows, rows_format, rows_write, NULL};
    LiqRunStats st = {0};
    /* registered while it runs, so that SIGTERM cancels it as it cancels queries */
    struct SyncRun sr = {liq_run_new(lq, &ro), NULL, srv_now_ms(), 0};
    LiqStatus rs = LIQ_EINTERNAL;
    int timed_out = 0;
    if (sr.run) {
        pthread_mutex_lock(&s->lock);
        if (s->stopping)
            liq_run_cancel(sr.run);
        sr.next = s->syncs;
        s->syncs = &sr;
        pthread_mutex_unlock(&s->lock);
        rs = liq_run_exec(sr.run, &out, &st, d);
        pthread_mutex_lock(&s->lock);
        struct SyncRun **pp = &s->syncs;
        while (*pp != &sr)
            pp = &(*pp)->next;
        *pp = sr.next;
        timed_out = sr.timed_out;
        pthread_mutex_unlock(&s->lock);
        liq_run_free(sr.run);
    }
    rows->scanned = st.records_scanned;
    int nd = diag_count(d);
    for (int i = 0; i < nd; i++) /* problems with inputs: the server's log, as a query's */
        srv_log(s, "listing of %s: %s", ngroups ? groups[0].name : "-", d->items[i].msg);
    apr_pool_destroy(p);
    if (rs == LIQ_ECANCELLED && timed_out)
        return api_error(err, 500, "ServiceUnavailableException",
                         "The request read its log group for longer than the server's "
                         "--query-timeout of %d seconds and was stopped", s->query_timeout_s);
    if (rs == LIQ_ECANCELLED)
        return api_error(err, 503, "ServiceUnavailableException", "The server is stopping");
    if (rs != LIQ_OK && rs != LIQ_EOUTPUT && rs != LIQ_EINCOMPLETE)
        return api_error(err, 500, "ServiceUnavailableException",
                         "The log group could not be read (the server's log says why)");
    return 0;
}
