/* fmt.c -- input format detection and container-format records (see fmt.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <apr_strings.h>
#include "engine/input/fmt.h"
#include "engine/data/jdom.h"
#include "engine/data/json_walk.h"
#include "engine/input/ts.h"

const char *fmt_name(InFormat f)
{
    static const char *const names[] = {"lines",      "cloudwatch-export", "firehose", "log-events",
                                        "cloudtrail", "columns",           "json-values"};
    return f <= FMT_JSONSEQ ? names[f] : "?";
}

int fmt_is_container(InFormat f)
{
    return f == FMT_FIREHOSE || f == FMT_EVENTS || f == FMT_CLOUDTRAIL;
}

/* "2026-11-23T10:00:00.123Z " at the start of a line (export-task objects). */
int fmt_export_prefix(const char *s, size_t n, int64_t *ms, size_t *skip)
{
    if (n < 21 || s[4] != '-' || s[10] != 'T')
        return 0;
    size_t i = 19;
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            ;
    if (i >= n || s[i] != 'Z' || i + 1 >= n || s[i + 1] != ' ')
        return 0;
    if (!ts_parse_iso(s, i + 1, ms))
        return 0;
    *skip = i + 2;
    return 1;
}

/* The first key of the first object, when the text starts with one. */
static int first_key(const char *p, size_t n, const char **k, size_t *kl)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i >= n || p[i] != '{')
        return 0;
    for (i++; i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'); i++)
        ;
    if (i >= n || p[i] != '"')
        return 0;
    const char *e = memchr(p + i + 1, '"', n - i - 1);
    if (!e)
        return 0;
    *k = p + i + 1;
    *kl = (size_t)(e - (p + i + 1));
    return 1;
}

static int has(const char *p, size_t n, const char *needle)
{
    return memmem(p, n, needle, strlen(needle)) != NULL;
}

int fmt_export_path(const char *path)
{
    const char *file = strrchr(path, '/');
    file = file ? file + 1 : path;
    size_t d = strspn(file, "0123456789");
    if (d == 6 && (file[6] == 0 || strcmp(file + 6, ".gz") == 0 || strcmp(file + 6, ".zst") == 0))
        return 1;
    /* a task id (8-4-4-4-12) among the directories */
    for (const char *p = path; (p = strchr(p, '-')) != NULL; p++) {
        const char *b = p - 8;
        if (b >= path && (b == path || b[-1] == '/') && strlen(b) > 37 && b[8] == '-' &&
            b[13] == '-' && b[18] == '-' && b[23] == '-' && b[36] == '/')
            return 1;
    }
    return 0;
}

/* ===== Runs of JSON values (FMT_JSONSEQ) ===== */

static int json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0;
}

/* Scans a JSON value from p[i] for c: strings and escapes followed, brackets counted. Returns
 * the position past its end, with *done set; or n (the value goes on), c holding where the
 * scan stands. A value starts with c zeroed but for depth (the caller's opening bracket). */
static size_t scan_value(JsonSeqCut *c, const char *p, size_t n, size_t i, int *done)
{
    *done = 0;
    while (i < n) {
        if (c->in_str) {
            /* the next quote or backslash: everything else in a string is its content */
            while (i < n && p[i] != '"' && p[i] != '\\') {
                if (c->esc) {
                    c->esc = 0;
                }
                i++;
            }
            if (i >= n)
                break;
            if (c->esc) {
                c->esc = 0;
            } else if (p[i] == '\\') {
                c->esc = 1;
            } else {
                c->in_str = 0;
                if (c->depth == 0) {
                    *done = 1;
                    return i + 1;
                }
            }
            i++;
            continue;
        }
        char ch = p[i++];
        if (ch == '"') {
            c->in_str = 1;
        } else if (ch == '{' || ch == '[') {
            c->depth++;
        } else if ((ch == '}' || ch == ']') && c->depth && --c->depth == 0) {
            *done = 1;
            return i;
        }
    }
    return n;
}

JsqKind fmt_jseq_next(JsonSeqCut *c, const char *p, size_t n, int last, size_t *start,
                      size_t *end)
{
    size_t i = 0;
    for (;;) {
        while (i < n && (json_space(p[i]) || (c->in_array && p[i] == ',')))
            i++;
        if (i >= n) {
            *start = *end = n;
            return JSQ_NONE;
        }
        if (c->in_array && p[i] == ']') {
            c->in_array = 0;
            i++;
        } else if (!c->in_array && p[i] == '[') {
            c->in_array = 1; /* a top-level array: its elements are the records */
            i++;
        } else {
            break;
        }
    }
    *start = i;
    char ch = p[i];
    int done = 0;
    if (ch == '{' || ch == '[' || (ch == '"' && c->in_array)) {
        JsonSeqCut v = {0, 0, 0, 1, 0, 0};
        if (ch == '"')
            v.depth = 0, v.in_str = 1;
        *end = scan_value(&v, p, n, i + 1, &done);
    } else if (c->in_array) { /* a number, true, false, null: to the next separator */
        size_t e = i;
        while (e < n && p[e] != ',' && p[e] != ']' && !json_space(p[e]))
            e++;
        *end = e;
        done = e < n || last;
    } else { /* a line of text that starts no JSON value */
        const char *nl = memchr(p + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - p) : n;
        done = nl != NULL || last;
        *end = e;
        while (done && e > i && p[e - 1] == '\r')
            *end = --e;
    }
    return done ? JSQ_WHOLE : JSQ_PART;
}

void fmt_jseq_skip_start(JsonSeqCut *c, const char *p)
{
    c->skipping = 1;
    c->line = !(*p == '{' || *p == '[' || (*p == '"' && c->in_array));
    c->depth = 0;
    c->in_str = 0;
    c->esc = 0;
}

size_t fmt_jseq_skip(JsonSeqCut *c, const char *p, size_t n)
{
    if (c->line) { /* a line: to its newline */
        const char *nl = memchr(p, '\n', n);
        if (!nl)
            return n;
        c->skipping = 0;
        return (size_t)(nl - p);
    }
    size_t i = 0;
    if (c->depth == 0 && !c->in_str) { /* the record's first byte */
        if (n == 0)
            return 0;
        if (p[0] == '"')
            c->in_str = 1;
        else
            c->depth = 1;
        i = 1;
    }
    int done;
    size_t e = scan_value(c, p, n, i, &done);
    if (done)
        c->skipping = 0;
    return e;
}

/* Could p[0..n) be the start of a JSON value: outside strings only white space, brackets,
 * braces, colons, commas, and the characters of numbers and of true, false, null, NaN and
 * Infinity? (The test of a first value longer than the sniffed bytes.) */
static int json_prefix(const char *p, size_t n)
{
    static const char ok[] = "{}[]:,-+.0123456789eEtruefalsnNaIiy";
    int in_str = 0, esc = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (in_str) {
            if (esc)
                esc = 0;
            else if (ch == '\\')
                esc = 1;
            else if (ch == '"')
                in_str = 0;
        } else if (ch == '"') {
            in_str = 1;
        } else if (!json_space(ch) && !strchr(ok, ch)) {
            return 0;
        }
    }
    return 1;
}

/* Is the object or array at p (p[0] an opening bracket) a valid JSON value, whole within n
 * bytes (json_skip), or, when it goes on past them and the text goes on past the 64 KiB
 * sniffed (cut), a plausible start of one (json_prefix)? *end: where it ends (n when it goes
 * on). */
static int first_value(const char *p, size_t n, int cut, size_t *end)
{
    JsonSeqCut v = {0, 0, 0, 1, 0, 0};
    int done;
    *end = scan_value(&v, p, n, 1, &done);
    if (done)
        return json_skip(p, p + *end) == p + *end;
    return cut && json_prefix(p, n);
}

int fmt_json_seq(const char *p, size_t n)
{
    size_t i = 0, end;
    int cut = n >= 65536; /* the first 64 KiB of a text that may go on */
    if (n > 65536)
        n = 65536;
    while (i < n && json_space(p[i]))
        i++;
    if (i >= n)
        return 0;
    if (p[i] == '[') { /* an array of objects (or an empty array) */
        for (i++; i < n && json_space(p[i]) && p[i]; i++)
            ;
        if (i < n && p[i] == ']') {
            /* an empty array ends its line: [] alone, not [][] or [] text (JSONTestSuite's
             * n_structure_double_array is a line of text) */
            for (i++; i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'); i++)
                ;
            return i >= n || p[i] == '\n';
        }
        return i < n && p[i] == '{' && first_value(p + i, n - i, cut, &end);
    }
    if (p[i] != '{')
        return 0;
    if (!first_value(p + i, n - i, cut, &end))
        return 0;
    /* JSON lines when the object ends its first line; else an object over several lines, or
     * another value after it on its line */
    const char *nl = memchr(p + i, '\n', (i + end < n ? i + end : n) - i);
    if (nl)
        return 1; /* the object goes past its first line */
    if (i + end >= n)
        return 0; /* one long line, longer than what was sniffed: JSON lines */
    size_t k = i + end;
    while (k < n && (p[k] == ' ' || p[k] == '\t' || p[k] == '\r'))
        k++;
    return k < n && (p[k] == '{' || p[k] == '[');
}

/* An array of log-event objects, as `aws logs filter-log-events --query events` prints:
 * its first element has a message and a timestamp, and an event id, stream or ingestion time. */
static int events_array(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && json_space(p[i]))
        i++;
    if (i >= n || p[i] != '[')
        return 0;
    for (i++; i < n && json_space(p[i]); i++)
        ;
    if (i >= n || p[i] != '{')
        return 0;
    JsonSeqCut v = {0, 0, 0, 1, 0, 0};
    int done;
    size_t e = scan_value(&v, p, n, i + 1, &done);
    const char *o = p + i;
    size_t ol = e - i;
    return has(o, ol, "\"message\"") && has(o, ol, "\"timestamp\"") &&
           (has(o, ol, "\"eventId\"") || has(o, ol, "\"logStreamName\"") ||
            has(o, ol, "\"ingestionTime\""));
}

InFormat fmt_sniff(const char *p, size_t n)
{
    size_t full = n;
    const char *k;
    size_t kl;
    int64_t ms;
    size_t skip;
    if (n > 65536)
        n = 65536;
    if (first_key(p, n, &k, &kl)) {
        /* the first object only: up to the first newline that ends it, at most n bytes */
        if ((kl == 11 && !memcmp(k, "messageType", 11)) ||
            (has(p, n, "\"messageType\"") && has(p, n, "\"logEvents\"")))
            return FMT_FIREHOSE;
        if (kl == 6 && !memcmp(k, "events", 6) && has(p, n, "\"message\"") &&
            has(p, n, "\"timestamp\""))
            return FMT_EVENTS; /* log events carry a message and a timestamp */
        if (kl == 7 && !memcmp(k, "Records", 7) && has(p, n, "\"eventTime\""))
            return FMT_CLOUDTRAIL;
        /* event objects one per line, as the CLI's JSON output of events */
        const char *nl = memchr(p, '\n', n);
        size_t l1 = nl ? (size_t)(nl - p) : n;
        if (has(p, l1, "\"message\"") && has(p, l1, "\"timestamp\"") &&
            (has(p, l1, "\"eventId\"") || has(p, l1, "\"logStreamName\"")))
            return FMT_EVENTS;
        return fmt_json_seq(p, full) ? FMT_JSONSEQ : FMT_LINES;
    }
    if (events_array(p, n))
        return FMT_EVENTS;
    if (fmt_json_seq(p, full))
        return FMT_JSONSEQ;
    /* export objects: most lines start "YYYY-MM-DDTHH:MM:SS.mmmZ " (the others continue
     * multi-line messages), the first one always; the caller also checks the export layout of
     * the path, since application logs can look the same */
    int lines = 0, starts = 0;
    for (size_t i = 0; i < n && lines < 200;) {
        const char *nl = memchr(p + i, '\n', n - i);
        size_t len = nl ? (size_t)(nl - (p + i)) : n - i;
        if (!nl && lines > 0)
            break; /* a partial last line says nothing */
        if (len) {
            lines++;
            starts += fmt_export_prefix(p + i, len, &ms, &skip) && len > 24 && p[i + 19] == '.';
        }
        i += len + 1;
    }
    if (lines && starts * 2 >= lines && fmt_export_prefix(p, n, &ms, &skip))
        return FMT_EXPORT;
    return FMT_LINES;
}

/* ===== container records ===== */

typedef struct Out {
    Rec *recs;
    size_t n, cap;
    apr_pool_t *pool;
} Out;

static Rec *add(Out *o)
{
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 256;
        Rec *r = apr_palloc(o->pool, sizeof(Rec) * cap);
        if (o->n)
            memcpy(r, o->recs, sizeof(Rec) * o->n);
        o->recs = r;
        o->cap = cap;
    }
    Rec *r = &o->recs[o->n++];
    memset(r, 0, sizeof(*r));
    return r;
}

static const char *str_of(const JdNode *n, size_t *len)
{
    if (!n || n->type != JD_STR)
        return NULL;
    *len = n->len;
    return n->s;
}

/* An event's number as int64 (milliseconds): none when it is not a number or lies past what an
 * int64 holds (the conversion would be undefined; the record then has no such time). */
static int num_of(const JdNode *n, int64_t *v)
{
    if (!n || n->type != JD_NUM || !(n->num > -9.2e18 && n->num < 9.2e18))
        return 0;
    *v = (int64_t)n->num;
    return 1;
}

/* One log event ({"timestamp", "message", ...}) as a record. */
static void event(Out *o, const JdNode *ev, const RecMeta *meta)
{
    size_t ml;
    const char *msg = str_of(jdom_get(ev, "message", 7), &ml);
    if (!msg)
        return;
    Rec *r = add(o);
    r->line = msg;
    r->len = (uint32_t)(ml > UINT32_MAX ? UINT32_MAX : ml);
    r->meta = meta;
    int64_t ts;
    if (num_of(jdom_get(ev, "timestamp", 9), &ts)) {
        r->ts = ts;
        r->has_ts = 1;
        r->ts_done = 1;
    }
    /* per-event stream name or ingestion time (filter-log-events) */
    size_t sl;
    const char *stream = str_of(jdom_get(ev, "logStreamName", 13), &sl);
    int64_t ing;
    int has_ing = num_of(jdom_get(ev, "ingestionTime", 13), &ing);
    if (stream || has_ing) {
        RecMeta *m = apr_pcalloc(o->pool, sizeof(*m));
        if (meta)
            *m = *meta;
        if (stream) {
            m->stream = stream;
            m->stream_len = (uint32_t)sl;
        }
        if (has_ing) {
            m->ingestion = ing;
            m->has_ingestion = 1;
        }
        r->meta = m;
    }
}

static void firehose(Out *o, const JdNode *obj)
{
    size_t tl;
    const char *type = str_of(jdom_get(obj, "messageType", 11), &tl);
    if (!type || tl != 12 || memcmp(type, "DATA_MESSAGE", 12) != 0)
        return; /* CONTROL_MESSAGE and anything else carry no log events */
    RecMeta *m = apr_pcalloc(o->pool, sizeof(*m));
    size_t ol = 0, gl = 0, sl = 0;
    const char *owner = str_of(jdom_get(obj, "owner", 5), &ol);
    const char *group = str_of(jdom_get(obj, "logGroup", 8), &gl);
    const char *stream = str_of(jdom_get(obj, "logStream", 9), &sl);
    if (group) { /* @log is account:group (§7.1) */
        m->log = owner ? apr_psprintf(o->pool, "%.*s:%.*s", (int)ol, owner, (int)gl, group)
                       : apr_pstrmemdup(o->pool, group, gl);
        m->log_len = (uint32_t)strlen(m->log);
    }
    if (stream) {
        m->stream = stream;
        m->stream_len = (uint32_t)sl;
    }
    const JdNode *evs = jdom_get(obj, "logEvents", 9);
    if (evs && evs->type == JD_ARR)
        for (size_t i = 0; i < evs->n; i++)
            event(o, evs->kids[i], m);
}

static void events_doc(Out *o, const JdNode *obj)
{
    const JdNode *evs = jdom_get(obj, "events", 6);
    if (evs && evs->type == JD_ARR) {
        for (size_t i = 0; i < evs->n; i++)
            event(o, evs->kids[i], NULL);
        return;
    }
    event(o, obj, NULL); /* an event object on its own */
}

static void cloudtrail(Out *o, const JdNode *obj, const char *doc)
{
    const JdNode *recs = jdom_get(obj, "Records", 7);
    if (!recs || recs->type != JD_ARR)
        return;
    for (size_t i = 0; i < recs->n; i++) {
        const JdNode *e = recs->kids[i];
        Rec *r = add(o);
        r->line = doc + e->start; /* the event's own JSON text */
        r->len = (uint32_t)(e->end - e->start);
    }
}

int fmt_records(InFormat f, const char *doc, size_t len, apr_pool_t *pool, Rec **out,
                size_t *n, char *err, size_t errlen)
{
    Out o = {NULL, 0, 0, pool};
    size_t pos = 0;
    int rc = 0;
    for (;;) {
        while (pos < len && (doc[pos] == ' ' || doc[pos] == '\t' || doc[pos] == '\r' ||
                             doc[pos] == '\n' || doc[pos] == 0))
            pos++;
        if (pos >= len)
            break;
        size_t at = pos;
        JdNode *obj = jdom_parse_next(pool, doc, len, &pos);
        if (obj && obj->type == JD_ARR && f == FMT_EVENTS) { /* an array of events */
            for (size_t i = 0; i < obj->n; i++)
                if (obj->kids[i]->type == JD_OBJ)
                    event(&o, obj->kids[i], NULL);
            continue;
        }
        if (!obj || obj->type != JD_OBJ) {
            snprintf(err, errlen, "invalid %s document at byte %zu: not a complete JSON object",
                     fmt_name(f), at);
            rc = -1;
            break;
        }
        switch (f) {
        case FMT_FIREHOSE:
            firehose(&o, obj);
            break;
        case FMT_EVENTS:
            events_doc(&o, obj);
            break;
        default:
            cloudtrail(&o, obj, doc);
            break;
        }
    }
    *out = o.recs;
    *n = o.n;
    return rc;
}

/* ===== positional formats ===== */

static const char *const vpc_cols[] = {
    "version", "accountId", "interfaceId", "srcAddr", "dstAddr",   "srcPort",  "dstPort",
    "protocol", "packets",  "bytes",       "startTime", "endTime", "action",   "logStatus"};
static const FmtColumns vpc_default = {"vpc-flow", 14, vpc_cols, ' ', 0, TSR_EPOCH_COL, 10, 0};

static const char *const alb_cols[] = {
    "type", "time", "elb", "client_port", "target_port", "request_processing_time",
    "target_processing_time", "response_processing_time", "elb_status_code",
    "target_status_code", "received_bytes", "sent_bytes", "request", "user_agent", "ssl_cipher",
    "ssl_protocol", "target_group_arn", "trace_id", "domain_name", "chosen_cert_arn",
    "matched_rule_priority", "request_creation_time", "actions_executed", "redirect_url",
    "error_reason", "target_port_list", "target_status_code_list", "classification",
    "classification_reason", "conn_trace_id"};
static const FmtColumns alb = {"alb", 30, alb_cols, ' ', 1, TSR_TEXT, 0, 0};

static const char *const elb_cols[] = {
    "time", "elb", "client_port", "backend_port", "request_processing_time",
    "backend_processing_time", "response_processing_time", "elb_status_code",
    "backend_status_code", "received_bytes", "sent_bytes", "request", "user_agent",
    "ssl_cipher", "ssl_protocol"};
static const FmtColumns elb = {"elb", 15, elb_cols, ' ', 1, TSR_TEXT, 0, 0};

static const char *const s3_cols[] = {
    "bucket_owner", "bucket", "time", "remote_ip", "requester", "request_id", "operation", "key",
    "request_uri", "http_status", "error_code", "bytes_sent", "object_size", "total_time",
    "turn_around_time", "referer", "user_agent", "version_id", "host_id", "signature_version",
    "cipher_suite", "authentication_type", "host_header", "tls_version", "access_point_arn",
    "acl_required"};
static const FmtColumns s3 = {"s3-access", 26, s3_cols, ' ', 1, TSR_TEXT, 0, 0};

static const char *const r53_cols[] = {"version",      "queryTimestamp", "hostZoneId",
                                       "queryName",    "queryType",      "responseCode",
                                       "protocol",     "edgeLocation",   "resolverIp",
                                       "ednsClientSubnet"};
static const FmtColumns route53 = {"route53", 10, r53_cols, ' ', 0, TSR_TEXT, 0, 0};

int fmt_split(const FmtColumns *c, const char *s, size_t n, const char **tok, size_t *len,
              int max)
{
    int k = 0;
    size_t i = 0;
    while (i < n && k < max) {
        if (c->sep == ' ')
            while (i < n && s[i] == ' ')
                i++;
        if (i >= n)
            break;
        char close = 0;
        if (c->quotes && (s[i] == '"' || s[i] == '['))
            close = s[i] == '"' ? '"' : ']';
        if (close) {
            const char *e = memchr(s + i + 1, close, n - i - 1);
            if (e) {
                tok[k] = s + i + 1;
                len[k++] = (size_t)(e - (s + i + 1));
                i = (size_t)(e - s) + 1;
                if (i < n && s[i] == c->sep)
                    i++;
                continue;
            }
        }
        const char *e = memchr(s + i, c->sep, n - i);
        size_t j = e ? (size_t)(e - s) : n;
        tok[k] = s + i;
        len[k++] = j - i;
        i = j + (e ? 1 : 0);
    }
    return k;
}

/* kebab-case header names of VPC flow logs -> the camelCase names Insights uses */
static const char *vpc_name(apr_pool_t *pool, const char *h, size_t n)
{
    static const struct {
        const char *from, *to;
    } map[] = {{"account-id", "accountId"}, {"interface-id", "interfaceId"},
               {"srcaddr", "srcAddr"},      {"dstaddr", "dstAddr"},
               {"srcport", "srcPort"},      {"dstport", "dstPort"},
               {"start", "startTime"},      {"end", "endTime"},
               {"log-status", "logStatus"}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strlen(map[i].from) == n && memcmp(map[i].from, h, n) == 0)
            return map[i].to;
    char *o = apr_palloc(pool, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (h[i] == '-' && i + 1 < n) {
            char c = h[++i];
            o[k++] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
        } else {
            o[k++] = h[i];
        }
    }
    o[k] = 0;
    return o;
}

static const FmtColumns *header_columns(apr_pool_t *pool, const char *name, const char *h,
                                        size_t n, char sep, int vpc)
{
    /* every column the header names: at most one per byte, plus one */
    int max = (int)(n < (size_t)INT_MAX ? n + 1 : (size_t)INT_MAX);
    const char **tok = apr_palloc(pool, sizeof(*tok) * (size_t)max);
    size_t *len = apr_palloc(pool, sizeof(*len) * (size_t)max);
    FmtColumns tmp = {name, 0, NULL, sep, 0, TSR_TEXT, 0, 0};
    int k = fmt_split(&tmp, h, n, tok, len, max);
    const char **cols = apr_palloc(pool, sizeof(char *) * (size_t)(k + 1));
    FmtColumns *c = apr_pcalloc(pool, sizeof(*c));
    *c = tmp;
    c->cols = cols;
    c->n = k;
    int date = -1, time = -1;
    for (int i = 0; i < k; i++) {
        cols[i] = vpc ? vpc_name(pool, tok[i], len[i]) : apr_pstrmemdup(pool, tok[i], len[i]);
        if (!strcmp(cols[i], "startTime"))
            c->ts_col = i, c->ts = TSR_EPOCH_COL;
        if (!strcmp(cols[i], "date"))
            date = i;
        if (!strcmp(cols[i], "time"))
            time = i;
    }
    if (date >= 0 && time >= 0) {
        c->ts = TSR_DATE_TIME_COLS;
        c->ts_col = date;
        c->ts_col2 = time;
    }
    return c;
}

static int is_iso_z(const char *s, size_t n)
{
    return n >= 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[n - 1] == 'Z';
}

const FmtColumns *fmt_columns_sniff(const char *p, size_t n, apr_pool_t *pool)
{
    const char *nl = memchr(p, '\n', n);
    size_t l1 = nl ? (size_t)(nl - p) : n;
    if (l1 && p[l1 - 1] == '\r')
        l1--;
    if (l1 >= 20 && !memcmp(p, "version account-id ", 19))
        return header_columns(pool, "vpc-flow", p, l1, ' ', 1);
    if (l1 >= 9 && !memcmp(p, "#Version:", 9)) { /* CloudFront (W3C): find #Fields: */
        const char *f = memmem(p, n, "\n#Fields:", 9);
        if (!f)
            return NULL;
        f += 9;
        while (*f == ' ')
            f++;
        const char *e = memchr(f, '\n', (size_t)(p + n - f));
        size_t fl = e ? (size_t)(e - f) : (size_t)(p + n - f);
        if (fl && f[fl - 1] == '\r')
            fl--;
        const FmtColumns *c = header_columns(pool, "cloudfront", f, fl, ' ', 0);
        FmtColumns *cf = apr_pmemdup(pool, c, sizeof(*c));
        cf->sep = '\t'; /* the header is space-separated, the records tab-separated */
        return cf;
    }
    const char *tok[40];
    size_t len[40];
    FmtColumns probe = {"", 0, NULL, ' ', 1, TSR_TEXT, 0, 0};
    int k = fmt_split(&probe, p, l1, tok, len, 40);
    if (k == 14 && len[0] == 1 && tok[0][0] == '2' &&
        ((len[13] == 2 && !memcmp(tok[13], "OK", 2)) || (len[13] == 6 && !memcmp(tok[13], "NODATA", 6)) ||
         (len[13] == 8 && !memcmp(tok[13], "SKIPDATA", 8))))
        return &vpc_default;
    if (k >= 15 && is_iso_z(tok[1], len[1]) &&
        ((len[0] == 4 && !memcmp(tok[0], "http", 4)) || (len[0] == 5 && !memcmp(tok[0], "https", 5)) ||
         (len[0] == 2 && !memcmp(tok[0], "h2", 2)) || (len[0] == 5 && !memcmp(tok[0], "grpcs", 5)) ||
         (len[0] == 2 && !memcmp(tok[0], "ws", 2)) || (len[0] == 3 && !memcmp(tok[0], "wss", 3))))
        return &alb;
    if (k >= 13 && k <= 15 && is_iso_z(tok[0], len[0]) && memchr(tok[2], ':', len[2]))
        return &elb;
    if (k >= 18 && len[0] == 64 && strspn(tok[0], "0123456789abcdef") >= 64 && tok[2][-1] == '[')
        return &s3;
    if (k == 10 && len[0] == 3 && !memcmp(tok[0], "1.0", 3) && is_iso_z(tok[1], len[1]))
        return &route53;
    return NULL;
}

/* ===== formats named by the user (--input-format) ===== */

static const struct {
    const char *user, *cols; /* cols: FmtColumns.name of a positional format */
    InFormat f;
    int text_only;
} user_formats[] = {
    {"json", NULL, FMT_LINES, 0},         {"text", NULL, FMT_LINES, 1},
    {"cwexport", NULL, FMT_EXPORT, 0},    {"firehose", NULL, FMT_FIREHOSE, 0},
    {"logevents", NULL, FMT_EVENTS, 0},   {"cloudtrail", NULL, FMT_CLOUDTRAIL, 0},
    {"vpc", "vpc-flow", FMT_COLUMNS, 0},  {"alb", "alb", FMT_COLUMNS, 0},
    {"elb", "elb", FMT_COLUMNS, 0},       {"s3access", "s3-access", FMT_COLUMNS, 0},
    {"cloudfront", "cloudfront", FMT_COLUMNS, 0}, {"route53", "route53", FMT_COLUMNS, 0},
};
enum { NUSER_FORMATS = sizeof(user_formats) / sizeof(user_formats[0]) };

const char fmt_user_names[] = "json, text, cwexport, firehose, logevents, cloudtrail, vpc, alb, "
                              "elb, s3access, cloudfront, route53";

int fmt_by_user_name(const char *name, InFormat *f, int *text_only)
{
    for (int i = 0; i < NUSER_FORMATS; i++)
        if (strcmp(user_formats[i].user, name) == 0) {
            *f = user_formats[i].f;
            *text_only = user_formats[i].text_only;
            return 1;
        }
    return 0;
}

const FmtColumns *fmt_columns_named(const char *name, const char *p, size_t n, apr_pool_t *pool)
{
    static const FmtColumns *const builtin[] = {&vpc_default, &alb, &elb, &s3, &route53};
    const char *cols = NULL;
    for (int i = 0; i < NUSER_FORMATS; i++)
        if (strcmp(user_formats[i].user, name) == 0)
            cols = user_formats[i].cols;
    if (!cols)
        return NULL;
    const FmtColumns *c = p ? fmt_columns_sniff(p, n, pool) : NULL;
    if (c && strcmp(c->name, cols) == 0)
        return c;
    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
        if (strcmp(builtin[i]->name, cols) == 0)
            return builtin[i];
    return NULL;
}

int fmt_columns_skip(const FmtColumns *c, const char *s, size_t n)
{
    if (n && s[0] == '#')
        return 1; /* W3C directives */
    return n >= 19 && !memcmp(s, "version account-id ", 19) && c->cols != vpc_cols;
}
