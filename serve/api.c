/* api.c -- the CloudWatch Logs operations of liq serve (AWS JSON 1.1), errors in AWS's shape
 *
 * Each operation reads its request from the jdom tree of the body (engine/data/jdom.h: the
 * one JSON reader of liq) and writes its answer with esc_json (base/esc.c). Errors are
 * {"__type": "...Exception", "message": "..."} with status 400 as AWS answers them. The
 * operations that read a group in the request are at most --max-listings at once (api_call:
 * ThrottlingException past it); their runs stop at --query-timeout (qry_rows).
 *
 * StartQuery, GetQueryResults, StopQuery, DescribeQueries: serve/qry.c. The others:
 *   DescribeLogGroups   the configured groups: logGroupNamePrefix or logGroupNamePattern
 *                       (a case-insensitive substring), limit (1-50), nextToken
 *   DescribeLogStreams  a group's streams (@logStream) with first/last event times, counted
 *                       by one run over the group, kept --refresh seconds (so S3 groups are not
 *                       listed and read again on each call); prefix, orderBy, descending, pages
 *   GetLogGroupFields   the discovered fields of a group (liq --fields) with their percent
 *   GetLogRecord        the record of an @ptr (serve/qry.c): found again by its stream, time
 *                       and message digest
 *   FilterLogEvents     a filter pattern over a group, time range in ms, stream names or
 *                       prefix, limit, nextToken (the position after the last event returned,
 *                       in the order of time, ingestion time and input: evpos_read)
 *   GetLogEvents        one stream's events: from the head or the tail, forward and backward
 *                       tokens
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/esc.h"
#include "base/mem.h"
#include "engine/data/jdom.h"
#include "serve/srv_int.h"

#define ARN_PREFIX "arn:aws:logs:us-east-1:000000000000:log-group:"

int api_error(LiqBuf *out, int status, const char *type, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    out->len = 0;
    buf_adds(out, "{\"__type\":");
    jo_str(out, type);
    buf_adds(out, ",\"message\":");
    jo_str(out, msg);
    buf_addc(out, '}');
    return status;
}

static int limit_arg(const JdNode *req, const char *key, double dflt, double max, double *v,
                     LiqBuf *out)
{
    *v = dflt;
    if (jo_get_num(req, key, v) < 0 || *v < 1 || *v > max || *v != (double)(long)*v) {
        api_error(out, 400, "InvalidParameterException", "%s must be a whole number from 1 to %.0f",
                  key, max);
        return 400;
    }
    return 0;
}

/* A page token: "p<number>" base64-encoded; -1 when malformed. */
static long token_read(apr_pool_t *p, const JdNode *req)
{
    const char *t = jo_get_str(p, req, "nextToken");
    if (!t)
        return 0;
    char *d;
    if (b64_dec(p, t, &d) < 2 || d[0] != 'p')
        return -1;
    char *end;
    long v = strtol(d + 1, &end, 10);
    return *end || v < 0 ? -1 : v;
}

static void token_write(LiqBuf *out, const char *key, long v)
{
    char t[32];
    int n = snprintf(t, sizeof(t), "p%ld", v);
    buf_printf(out, ",\"%s\":\"", key);
    b64_enc(out, (const unsigned char *)t, (size_t)n);
    buf_addc(out, '"');
}

static const LiqLogGroup *group_named(Srv *s, const char *name, int *idx)
{
    for (int i = 0; i < s->ngroups; i++)
        if (strcmp(s->groups[i].name, name) == 0) {
            if (idx)
                *idx = i;
            return &s->groups[i];
        }
    return NULL;
}

/* logGroupName or logGroupIdentifier (a name or an ARN) of a request. */
static const LiqLogGroup *req_group(Srv *s, apr_pool_t *p, const JdNode *req, int *idx,
                                    LiqBuf *out, int *status)
{
    const char *n = jo_get_str(p, req, "logGroupName");
    const char *id = jo_get_str(p, req, "logGroupIdentifier");
    if (n && id) {
        *status = api_error(out, 400, "InvalidParameterException",
                            "give logGroupName or logGroupIdentifier, not both");
        return NULL;
    }
    if (id) {
        n = id;
        if (strncmp(id, "arn:", 4) == 0) {
            const char *g = strstr(id, ":log-group:");
            if (g) {
                g += 11;
                size_t l = strlen(g); /* NAME, NAME:* or NAME: */
                if (l >= 1 && g[l - 1] == '*')
                    l--;
                if (l >= 1 && g[l - 1] == ':')
                    l--;
                n = apr_pstrndup(p, g, l);
            }
        }
    }
    if (!n) {
        *status = api_error(out, 400, "InvalidParameterException", "logGroupName is required");
        return NULL;
    }
    const LiqLogGroup *g = group_named(s, n, idx);
    if (!g)
        *status = api_error(out, 400, "ResourceNotFoundException",
                            "The specified log group does not exist.");
    return g;
}

/* One page of a listing: the items past the token's skip, at most lim, comma-separated; more
 * when an item was left for the next page (its token: skip + n). */
typedef struct Pager {
    long skip, lim, seen, n;
    int more;
} Pager;

/* For each candidate item in order: 1 write it (the comma before it is written), 0 skip it
 * (before the page), -1 the page is full (stop). */
static int pager_next(Pager *pg, LiqBuf *out)
{
    if (pg->seen++ < pg->skip)
        return 0;
    if (pg->n >= pg->lim) {
        pg->more = 1;
        return -1;
    }
    if (pg->n++)
        buf_addc(out, ',');
    return 1;
}

/* The end of a page's list: ']' and the token of the next page when there is one. */
static void pager_end(const Pager *pg, LiqBuf *out)
{
    buf_addc(out, ']');
    if (pg->more)
        token_write(out, "nextToken", pg->skip + pg->n);
}

/* ----- DescribeLogGroups */

static int describe_groups(Srv *s, apr_pool_t *p, const JdNode *req, LiqBuf *out)
{
    const char *prefix = jo_get_str(p, req, "logGroupNamePrefix");
    const char *pattern = jo_get_str(p, req, "logGroupNamePattern");
    if (prefix && pattern)
        return api_error(out, 400, "InvalidParameterException",
                         "LogGroup name prefix and LogGroup name pattern are mutually exclusive "
                         "parameters.");
    double lim;
    if (limit_arg(req, "limit", 50, 50, &lim, out))
        return 400;
    long skip = token_read(p, req);
    if (skip < 0)
        return api_error(out, 400, "InvalidParameterException", "The nextToken is not valid");
    buf_adds(out, "{\"logGroups\":[");
    Pager pg = {skip, (long)lim, 0, 0, 0};
    for (int i = 0; i < s->ngroups; i++) {
        const char *g = s->groups[i].name;
        if (prefix && strncmp(g, prefix, strlen(prefix)) != 0)
            continue;
        if (pattern && !strcasestr(g, pattern))
            continue;
        int w = pager_next(&pg, out);
        if (w < 0)
            break;
        if (w == 0)
            continue;
        buf_adds(out, "{\"logGroupName\":");
        jo_str(out, g);
        buf_adds(out, ",\"creationTime\":0,\"metricFilterCount\":0,\"storedBytes\":0,\"arn\":");
        jo_str(out, apr_pstrcat(p, ARN_PREFIX, g, ":*", NULL));
        buf_adds(out, ",\"logGroupArn\":");
        jo_str(out, apr_pstrcat(p, ARN_PREFIX, g, NULL));
        buf_adds(out, ",\"logGroupClass\":\"STANDARD\"}");
    }
    pager_end(&pg, out);
    buf_addc(out, '}');
    return 200;
}

/* ----- DescribeLogStreams */

typedef struct Stream {
    char *name;
    long long first, last, count, bytes;
} Stream;

struct SrvStreams {
    int n;
    Stream *v;
    int64_t made_ms;
};

static void streams_free(struct SrvStreams *ss)
{
    if (!ss)
        return;
    for (int i = 0; i < ss->n; i++)
        free(ss->v[i].name);
    free(ss->v);
    free(ss);
}

static int stream_cmp(const void *a, const void *b)
{
    return strcmp(((const Stream *)a)->name, ((const Stream *)b)->name);
}

static const char STREAMS_QUERY[] =
    "stats toMillis(min(@timestamp)) as first, toMillis(max(@timestamp)) as last, count(*) as n, "
    "sum(strlen(@message)) as bytes by @logStream";

/* The group's streams: the kept listing when younger than refresh_s, else a new run. Returns
 * a copy the caller frees, or NULL with the error in out. */
static struct SrvStreams *streams_get(Srv *s, int gi, LiqBuf *out, int *status)
{
    int64_t now = srv_now_ms();
    pthread_mutex_lock(&s->lock);
    struct SrvStreams *ss;
    int fresh;
    for (;;) { /* one request makes a group's listing; the others wait for it */
        ss = s->streams[gi];
        fresh = ss && now - ss->made_ms < (int64_t)s->refresh_s * 1000;
        if (fresh || !s->streams_busy[gi])
            break;
        pthread_cond_wait(&s->cond, &s->lock);
    }
    if (!fresh)
        s->streams_busy[gi] = 1;
    pthread_mutex_unlock(&s->lock);
    if (!fresh) {
        SrvRows r = {0};
        int st = qry_rows(s, STREAMS_QUERY, NULL, NULL, 0, &s->groups[gi], 1, 0, 0, 0, 0, &r, out);
        if (st) {
            qry_rows_free(&r);
            pthread_mutex_lock(&s->lock);
            s->streams_busy[gi] = 0; /* a waiting request tries again */
            pthread_cond_broadcast(&s->cond);
            pthread_mutex_unlock(&s->lock);
            *status = st;
            return NULL;
        }
        struct SrvStreams *nw = mem_calloc(1, sizeof(*nw));
        nw->made_ms = now;
        nw->n = (int)r.nrows;
        nw->v = mem_calloc(r.nrows ? r.nrows : 1, sizeof(Stream));
        for (uint32_t i = 0; i < r.nrows; i++) {
            Stream *e = &nw->v[i];
            e->name = mem_strdup(qry_row_value(&r, i, 0));
            e->first = atoll(qry_row_value(&r, i, 1));
            e->last = atoll(qry_row_value(&r, i, 2));
            e->count = atoll(qry_row_value(&r, i, 3));
            e->bytes = atoll(qry_row_value(&r, i, 4));
        }
        qry_rows_free(&r);
        qsort(nw->v, (size_t)nw->n, sizeof(Stream), stream_cmp);
        pthread_mutex_lock(&s->lock);
        streams_free(s->streams[gi]);
        s->streams[gi] = nw;
        s->streams_busy[gi] = 0;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->lock);
    }
    /* a copy, so that a refresh may replace the kept one meanwhile */
    pthread_mutex_lock(&s->lock);
    ss = s->streams[gi];
    struct SrvStreams *c = mem_calloc(1, sizeof(*c));
    c->n = ss->n;
    c->made_ms = ss->made_ms;
    c->v = mem_calloc(ss->n ? (size_t)ss->n : 1, sizeof(Stream));
    for (int i = 0; i < ss->n; i++) {
        c->v[i] = ss->v[i];
        c->v[i].name = mem_strdup(ss->v[i].name);
    }
    pthread_mutex_unlock(&s->lock);
    return c;
}

static int last_cmp(const void *a, const void *b)
{
    const Stream *x = a, *y = b;
    return x->last < y->last ? -1 : x->last > y->last ? 1 : strcmp(x->name, y->name);
}

static int describe_streams(Srv *s, apr_pool_t *p, const JdNode *req, LiqBuf *out)
{
    int gi = 0, status = 400;
    if (!req_group(s, p, req, &gi, out, &status))
        return status;
    const char *prefix = jo_get_str(p, req, "logStreamNamePrefix");
    const char *order = jo_get_str(p, req, "orderBy");
    const JdNode *desc = jdom_get(req, "descending", 10);
    int descending = desc && desc->type == JD_TRUE;
    if (order && strcmp(order, "LogStreamName") != 0 && strcmp(order, "LastEventTime") != 0)
        return api_error(out, 400, "InvalidParameterException",
                         "orderBy must be LogStreamName or LastEventTime");
    int by_time = order && strcmp(order, "LastEventTime") == 0;
    if (by_time && prefix)
        return api_error(out, 400, "InvalidParameterException",
                         "Cannot order by LastEventTime with a logStreamNamePrefix.");
    double lim;
    if (limit_arg(req, "limit", 50, 50, &lim, out))
        return 400;
    long skip = token_read(p, req);
    if (skip < 0)
        return api_error(out, 400, "InvalidParameterException", "The nextToken is not valid");
    struct SrvStreams *ss = streams_get(s, gi, out, &status);
    if (!ss)
        return status;
    if (by_time)
        qsort(ss->v, (size_t)ss->n, sizeof(Stream), last_cmp);
    buf_adds(out, "{\"logStreams\":[");
    Pager pg = {skip, (long)lim, 0, 0, 0};
    for (int k = 0; k < ss->n; k++) {
        const Stream *e = &ss->v[descending ? ss->n - 1 - k : k];
        if (prefix && strncmp(e->name, prefix, strlen(prefix)) != 0)
            continue;
        int w = pager_next(&pg, out);
        if (w < 0)
            break;
        if (w == 0)
            continue;
        buf_adds(out, "{\"logStreamName\":");
        jo_str(out, e->name);
        buf_printf(out,
                   ",\"creationTime\":%lld,\"firstEventTimestamp\":%lld,"
                   "\"lastEventTimestamp\":%lld,\"lastIngestionTime\":%lld,\"storedBytes\":%lld,"
                   "\"arn\":",
                   e->first, e->first, e->last, e->last, e->bytes);
        jo_str(out, apr_pstrcat(p, ARN_PREFIX, s->groups[gi].name, ":log-stream:", e->name, NULL));
        buf_addc(out, '}');
    }
    streams_free(ss);
    pager_end(&pg, out);
    buf_addc(out, '}');
    return 200;
}

/* ----- GetLogGroupFields */

static int group_fields(Srv *s, apr_pool_t *p, const JdNode *req, LiqBuf *out)
{
    int gi = 0, status = 400;
    if (!req_group(s, p, req, &gi, out, &status))
        return status;
    SrvRows r = {0};
    int st = qry_rows(s, NULL, NULL, NULL, 0, &s->groups[gi], 1, 0, 0, 0, 0, &r, out);
    if (st) {
        qry_rows_free(&r);
        return st;
    }
    buf_adds(out, "{\"logGroupFields\":[");
    for (uint32_t i = 0; i < r.nrows; i++) {
        if (i)
            buf_addc(out, ',');
        double cnt = atof(qry_row_value(&r, i, 1));
        long pct = r.scanned ? (long)(cnt * 100.0 / (double)r.scanned + 0.5) : 0;
        buf_adds(out, "{\"name\":");
        jo_str(out, qry_row_value(&r, i, 0));
        buf_printf(out, ",\"percent\":%ld}", pct);
    }
    buf_adds(out, "]}");
    qry_rows_free(&r);
    return 200;
}

/* ----- GetLogRecord */

/* The leaves of a JSON message as fields: a.b for nested keys, a.0 for list items. */
static void flatten(LiqBuf *out, LiqBuf *key, const JdNode *n, int *first)
{
    if (n->type == JD_OBJ || n->type == JD_ARR) {
        size_t kl = key->len;
        for (size_t i = 0; i < n->n; i++) {
            if (kl)
                buf_addc(key, '.');
            if (n->type == JD_OBJ)
                buf_add(key, n->keys[i], n->keylens[i]);
            else
                buf_printf(key, "%zu", i);
            flatten(out, key, n->kids[i], first);
            key->len = kl;
        }
        return;
    }
    if (!key->len || key->p[0] == '@')
        return;
    buf_addc(out, ',');
    esc_json(out, key->p, key->len);
    buf_addc(out, ':');
    switch (n->type) {
    case JD_NULL: buf_adds(out, "\"null\""); break;
    case JD_TRUE: buf_adds(out, "\"true\""); break;
    case JD_FALSE: buf_adds(out, "\"false\""); break;
    default: esc_json(out, n->s, n->len); break;
    }
}

static int log_record(Srv *s, apr_pool_t *p, const JdNode *req, LiqBuf *out)
{
    const char *ptr = jo_get_str(p, req, "logRecordPointer");
    if (!ptr)
        return api_error(out, 400, "InvalidParameterException", "logRecordPointer is required");
    char *txt;
    int tl = b64_dec(p, ptr, &txt);
    const JdNode *pj = tl > 0 ? jdom_parse(p, txt, (size_t)tl) : NULL;
    const char *g = jo_get_str(p, pj, "g"), *st = jo_get_str(p, pj, "s"), *h = jo_get_str(p, pj, "h");
    double t;
    if (!g || !st || !h || jo_get_num(pj, "t", &t) != 1)
        return api_error(out, 400, "InvalidParameterException",
                         "The logRecordPointer is not valid");
    const LiqLogGroup *grp = group_named(s, g, NULL);
    if (!grp)
        return api_error(out, 400, "ResourceNotFoundException",
                         "The specified log group does not exist.");
    LiqParam ps[2] = {{"s", 1, st, 0}, {"h", 1, h, 0}};
    SrvRows r = {0};
    r.max_rows = 1;
    int rc = qry_rows(s,
                      "filter @logStream = $s and sha256(@message) = $h | fields "
                      "toMillis(@timestamp), @message, @logStream, @log, "
                      "toMillis(@ingestionTime) | limit 1",
                      NULL, ps, 2, grp, 1, 1, (int64_t)t, 1, (int64_t)t, &r, out);
    if (rc) {
        qry_rows_free(&r);
        return rc;
    }
    if (r.nrows == 0) {
        qry_rows_free(&r);
        return api_error(out, 400, "ResourceNotFoundException",
                         "The log record of this pointer does not exist (any more)");
    }
    const char *msg = qry_row_value(&r, 0, 1);
    buf_adds(out, "{\"logRecord\":{\"@timestamp\":");
    jo_str(out, qry_row_value(&r, 0, 0));
    buf_adds(out, ",\"@message\":");
    jo_str(out, msg);
    buf_adds(out, ",\"@logStream\":");
    jo_str(out, qry_row_value(&r, 0, 2));
    buf_adds(out, ",\"@log\":");
    jo_str(out, qry_row_value(&r, 0, 3));
    buf_adds(out, ",\"@ingestionTime\":");
    jo_str(out, qry_row_value(&r, 0, 4));
    const JdNode *mj = jdom_parse(p, msg, strlen(msg));
    if (mj && mj->type == JD_OBJ) {
        LiqBuf key = {0};
        int first = 0;
        flatten(out, &key, mj, &first);
        buf_free(&key);
    }
    buf_adds(out, "}}");
    qry_rows_free(&r);
    return 200;
}

/* ----- FilterLogEvents, GetLogEvents */

static const char EVENTS_FIELDS[] =
    "fields toMillis(@timestamp) as t, @logStream as s, @message as m, "
    "toMillis(@ingestionTime) as i";

/* The events of rows t, s, m, i as FilterLogEvents (with_stream) or GetLogEvents lists them. */
static void events(LiqBuf *out, const SrvRows *r, long base, int with_stream)
{
    for (uint32_t i = 0; i < r->nrows; i++) {
        if (i)
            buf_addc(out, ',');
        buf_addc(out, '{');
        if (with_stream) {
            buf_adds(out, "\"logStreamName\":");
            jo_str(out, qry_row_value(r, i, 1));
            buf_addc(out, ',');
        }
        const char *t = qry_row_value(r, i, 0), *it = qry_row_value(r, i, 3);
        buf_printf(out, "\"timestamp\":%s,\"message\":", *t ? t : "0");
        jo_str(out, qry_row_value(r, i, 2));
        buf_printf(out, ",\"ingestionTime\":%s", *it ? it : "0");
        if (with_stream)
            buf_printf(out, ",\"eventId\":\"%ld\"", base + (long)i);
        buf_addc(out, '}');
    }
}

static int time_arg(const JdNode *req, const char *key, int *has, int64_t *ms, LiqBuf *out)
{
    double v;
    int k = jo_get_num(req, key, &v);
    if (k < 0 || (k == 1 && v < 0)) {
        api_error(out, 400, "InvalidParameterException",
                  "%s must be epoch milliseconds (a number)", key);
        return 400;
    }
    *has = k == 1;
    *ms = k == 1 ? (int64_t)v : 0;
    return 0;
}

/* FilterLogEvents' nextToken: where the next page starts in the order events are returned
 * (timestamp, ingestion time, input order), as base64url of "e1:T:I:K:N": the timestamp T and
 * ingestion time I (epoch ms) of the last event returned, K the events with exactly that T and
 * I returned so far, N the events returned so far (the next eventId). A page reads only the
 * events at or after (T, I) in time (the range starts at T) and keeps the first K+limit+1 of
 * them in order (a top-N sort), skipping the K already returned: no state on the server, and
 * events with equal timestamps are neither lost nor repeated (their input order is stable). */
typedef struct EvPos {
    int has;
    long long t, i, k, n;
} EvPos;

static int evpos_read(apr_pool_t *p, const JdNode *req, EvPos *pos)
{
    memset(pos, 0, sizeof(*pos));
    const char *t = jo_get_str(p, req, "nextToken");
    if (!t)
        return 0;
    char *d;
    int n = 0;
    if (b64_dec(p, t, &d) < 3 ||
        sscanf(d, "e1:%lld:%lld:%lld:%lld%n", &pos->t, &pos->i, &pos->k, &pos->n, &n) != 4 ||
        d[n] || pos->k < 0 || pos->n < 0 || pos->k > pos->n)
        return -1;
    pos->has = 1;
    return 0;
}

static void evpos_write(LiqBuf *out, const EvPos *pos)
{
    char t[128];
    int n = snprintf(t, sizeof(t), "e1:%lld:%lld:%lld:%lld", pos->t, pos->i, pos->k, pos->n);
    buf_adds(out, ",\"nextToken\":\"");
    b64_enc(out, (const unsigned char *)t, (size_t)n);
    buf_addc(out, '"');
}

static int filter_events(Srv *s, apr_pool_t *p, const JdNode *req, LiqBuf *out)
{
    int gi = 0, status = 400;
    const LiqLogGroup *g = req_group(s, p, req, &gi, out, &status);
    if (!g)
        return status;
    int hs, he;
    int64_t st, en;
    if (time_arg(req, "startTime", &hs, &st, out) || time_arg(req, "endTime", &he, &en, out))
        return 400;
    double lim;
    if (limit_arg(req, "limit", 10000, 10000, &lim, out))
        return 400;
    EvPos pos;
    if (evpos_read(p, req, &pos) < 0)
        return api_error(out, 400, "InvalidParameterException", "The nextToken is not valid");
    const char *pattern = jo_get_str(p, req, "filterPattern");
    if (pattern && !pattern[strspn(pattern, " \t")])
        pattern = NULL; /* "" matches every event */
    const JdNode *names = jdom_get(req, "logStreamNames", 14);
    const char *prefix = jo_get_str(p, req, "logStreamNamePrefix");
    if (names && prefix)
        return api_error(out, 400, "InvalidParameterException",
                         "logStreamNames and logStreamNamePrefix are mutually exclusive");
    /* the streams as parameters: string literals, never query text */
    LiqBuf q = {0};
    LiqParam *ps = NULL;
    int np = 0;
    if (names && names->type == JD_ARR && names->n) {
        ps = apr_pcalloc(p, sizeof(*ps) * names->n);
        buf_adds(&q, "filter @logStream in [");
        for (size_t i = 0; i < names->n; i++) {
            if (names->kids[i]->type != JD_STR) {
                buf_free(&q);
                return api_error(out, 400, "InvalidParameterException",
                                 "logStreamNames must hold strings");
            }
            char *nm = apr_psprintf(p, "s%d", (int)i);
            ps[np++] = (LiqParam){nm, strlen(nm),
                                  apr_pstrndup(p, names->kids[i]->s, names->kids[i]->len), 0};
            buf_printf(&q, "%s$%s", i ? ", " : "", nm);
        }
        buf_adds(&q, "] | ");
    } else if (prefix) {
        ps = apr_pcalloc(p, sizeof(*ps));
        ps[np++] = (LiqParam){"prefix", 6, prefix, 0};
        buf_adds(&q, "filter @logStream like /^$prefix/ | ");
    }
    /* "The returned log events are sorted by event timestamp, the timestamp when the event was
     * ingested by CloudWatch Logs, and the ID of the PutLogEvents request" (the API reference):
     * time, then ingestion time, then input order (liq's sort keeps it for ties); an event
     * without a time sorts as 0, the time it is listed with. From a token: the events from its
     * position on (the numbers are the server's own, written into the text as numbers) */
    buf_adds(&q, "fields coalesce(toMillis(@timestamp), 0) as t, @logStream as s, @message as m, "
                 "coalesce(toMillis(@ingestionTime), 0) as i");
    if (pos.has) {
        buf_printf(&q, " | filter t > %lld or (t = %lld and i >= %lld)", pos.t, pos.t, pos.i);
        /* the range starts at T (the time seek skips what is before it); not for T <= 0
         * without a range, which would leave out the events without a time (listed as 0) */
        if ((hs && pos.t > st) || (!hs && pos.t > 0)) {
            hs = 1;
            st = pos.t;
        }
    }
    buf_printf(&q, " | sort t asc, i asc | limit %lld", pos.k + (long long)lim + 1);
    SrvRows r = {0};
    r.skip = (uint32_t)pos.k;
    r.max_rows = (uint32_t)lim;
    char *qt = apr_pstrndup(p, q.p, q.len);
    buf_free(&q);
    int rc = qry_rows(s, qt, pattern, ps, np, g, 1, hs, st, he, en, &r, out);
    if (rc) {
        qry_rows_free(&r);
        return rc;
    }
    buf_adds(out, "{\"events\":[");
    events(out, &r, (long)pos.n, 1);
    buf_adds(out, "],\"searchedLogStreams\":[]");
    if (r.more && r.nrows) {
        /* the position after the last event: its time, ingestion time, and how many events
         * with both were returned (those of this page at its end, and the token's K when the
         * whole page has the token's time) */
        EvPos nx = {1, 0, 0, 0, pos.n + (long long)r.nrows};
        uint32_t last = r.nrows - 1;
        nx.t = atoll(qry_row_value(&r, last, 0));
        nx.i = atoll(qry_row_value(&r, last, 3));
        uint32_t k = 0;
        while (k < r.nrows && atoll(qry_row_value(&r, last - k, 0)) == nx.t &&
               atoll(qry_row_value(&r, last - k, 3)) == nx.i)
            k++;
        nx.k = k;
        if (k == r.nrows && pos.has && nx.t == pos.t && nx.i == pos.i)
            nx.k += pos.k;
        evpos_write(out, &nx);
    }
    buf_addc(out, '}');
    qry_rows_free(&r);
    return 200;
}

static int get_events(Srv *s, apr_pool_t *p, const JdNode *req, LiqBuf *out)
{
    int gi = 0, status = 400;
    const LiqLogGroup *g = req_group(s, p, req, &gi, out, &status);
    if (!g)
        return status;
    const char *stream = jo_get_str(p, req, "logStreamName");
    if (!stream)
        return api_error(out, 400, "InvalidParameterException", "logStreamName is required");
    int hs, he;
    int64_t st, en;
    if (time_arg(req, "startTime", &hs, &st, out) || time_arg(req, "endTime", &he, &en, out))
        return 400;
    if (he)
        en -= 1; /* GetLogEvents' endTime is exclusive */
    double lim;
    if (limit_arg(req, "limit", 10000, 10000, &lim, out))
        return 400;
    const JdNode *head = jdom_get(req, "startFromHead", 13);
    int from_head = head && head->type == JD_TRUE;
    /* tokens: f/N (events from position N on) and b/N (the events before position N) */
    const char *tok = jo_get_str(p, req, "nextToken");
    long pos = -1;
    int back = 0;
    if (tok) {
        char *end;
        if ((tok[0] != 'f' && tok[0] != 'b') || tok[1] != '/' ||
            (pos = strtol(tok + 2, &end, 10)) < 0 || *end)
            return api_error(out, 400, "InvalidParameterException", "The nextToken is not valid");
        back = tok[0] == 'b';
    }
    LiqParam ps[1] = {{"stream", 6, stream, 0}};
    const char *qt = apr_pstrcat(p, "filter @logStream = $stream | ", EVENTS_FIELDS, NULL);
    long skip;
    if (pos >= 0 && !back) {
        skip = pos;
    } else {
        long endp = pos;
        if (endp < 0) { /* from the tail: count the stream's events first */
            if (from_head) {
                endp = -1;
            } else {
                SrvRows c = {0};
                c.skip = UINT32_MAX;
                int rc = qry_rows(s, qt, NULL, ps, 1, g, 1, hs, st, he, en, &c, out);
                qry_rows_free(&c);
                if (rc)
                    return rc;
                endp = (long)c.seen;
            }
        }
        skip = endp < 0 ? 0 : endp > (long)lim ? endp - (long)lim : 0;
        if (endp >= 0 && endp - skip < (long)lim)
            lim = (double)(endp - skip);
    }
    SrvRows r = {0};
    r.skip = (uint32_t)skip;
    r.max_rows = (uint32_t)lim;
    int rc = lim > 0 ? qry_rows(s, qt, NULL, ps, 1, g, 1, hs, st, he, en, &r, out) : 0;
    if (rc) {
        qry_rows_free(&r);
        return rc;
    }
    buf_adds(out, "{\"events\":[");
    events(out, &r, skip, 0);
    buf_printf(out, "],\"nextForwardToken\":\"f/%ld\",\"nextBackwardToken\":\"b/%ld\"}",
               skip + (long)r.nrows, skip);
    qry_rows_free(&r);
    return 200;
}

/* ----- dispatch */

int api_call(Srv *s, const char *op, const char *body, size_t len, LiqBuf *out)
{
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    const JdNode *req = jdom_parse(p, body, len);
    /* reads: the operation reads a log group in this request (qry_rows): one of the at most
     * --max-listings such requests in progress (more get ThrottlingException, which the SDKs
     * retry after a back-off), so that slow reads (a large S3 prefix) hold at most that many
     * of the server's connections, never the others' operations */
    static const struct {
        const char *name;
        int (*fn)(Srv *, apr_pool_t *, const JdNode *, LiqBuf *);
        int reads;
    } ops[] = {
        {"StartQuery", qry_start, 0},           {"GetQueryResults", qry_results, 0},
        {"StopQuery", qry_stop, 0},             {"DescribeQueries", qry_describe, 0},
        {"DescribeLogGroups", describe_groups, 0}, {"DescribeLogStreams", describe_streams, 1},
        {"GetLogGroupFields", group_fields, 1}, {"GetLogRecord", log_record, 1},
        {"FilterLogEvents", filter_events, 1},  {"GetLogEvents", get_events, 1},
    };
    int st = -1;
    if (!req || req->type != JD_OBJ) {
        st = api_error(out, 400, "SerializationException",
                       "The request body is not a JSON object");
    } else {
        for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]) && st < 0; i++) {
            if (strcmp(op, ops[i].name) != 0)
                continue;
            if (ops[i].reads) {
                pthread_mutex_lock(&s->lock);
                int full = s->listings >= s->max_listings, stopping = s->stopping;
                if (!full && !stopping)
                    s->listings++;
                pthread_mutex_unlock(&s->lock);
                if (stopping)
                    st = api_error(out, 503, "ServiceUnavailableException",
                                   "The server is stopping");
                else if (full)
                    st = api_error(out, 400, "ThrottlingException",
                                   "Rate exceeded: %d requests that read log groups are in "
                                   "progress (--max-listings)", s->max_listings);
                if (stopping || full)
                    break;
            }
            st = ops[i].fn(s, p, req, out);
            if (ops[i].reads) {
                pthread_mutex_lock(&s->lock);
                s->listings--;
                pthread_mutex_unlock(&s->lock);
            }
        }
        if (st < 0)
            st = api_error(out, 400, "UnknownOperationException", "Unknown operation %s", op);
    }
    apr_pool_destroy(p);
    return st;
}

/* ----- the CloudWatch metrics API: ListMetrics only, for Grafana's "Save & test"
 *
 * Grafana's CloudWatch data source sends its health check's ListMetrics (Namespace
 * AWS/Billing, MetricName EstimatedCharges) to the same custom endpoint as its logs calls.
 * The server has no metrics: it answers with an empty list, in the protocol it was asked in
 * (the query protocol, form-encoded Action=ListMetrics with an XML answer, or AWS JSON 1.0
 * with X-Amz-Target GraniteServiceVersion20100801.ListMetrics). Other metrics operations get
 * an error. */
int api_metrics(const char *op, int json, LiqBuf *out, const char **ctype)
{
    if (json) {
        *ctype = "application/x-amz-json-1.0";
        if (strcmp(op, "ListMetrics") == 0) {
            buf_adds(out, "{\"Metrics\":[]}");
            return 200;
        }
        return api_error(out, 400, "UnknownOperationException",
                         "liq serve answers only ListMetrics of the CloudWatch metrics API");
    }
    *ctype = "text/xml";
    if (strcmp(op, "ListMetrics") == 0) {
        buf_adds(out, "<ListMetricsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
                      "<ListMetricsResult><Metrics></Metrics></ListMetricsResult>"
                      "<ResponseMetadata><RequestId>liq-serve</RequestId></ResponseMetadata>"
                      "</ListMetricsResponse>");
        return 200;
    }
    buf_adds(out, "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><Error>"
                  "<Type>Sender</Type><Code>InvalidAction</Code><Message>liq serve answers only "
                  "ListMetrics of the CloudWatch metrics API</Message></Error>"
                  "<RequestId>liq-serve</RequestId></ErrorResponse>");
    return 400;
}

void api_free(Srv *s)
{
    for (int i = 0; i < s->ngroups; i++)
        streams_free(s->streams[i]);
}
