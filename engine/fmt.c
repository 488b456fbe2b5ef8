/* fmt.c -- input format detection and container-format records (see fmt.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include <apr_strings.h>
#include "engine/fmt.h"
#include "engine/jdom.h"
#include "engine/ts.h"

const char *fmt_name(InFormat f)
{
    static const char *names[] = {"lines", "cloudwatch-export", "firehose", "log-events",
                                  "cloudtrail"};
    return f <= FMT_CLOUDTRAIL ? names[f] : "?";
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

InFormat fmt_sniff(const char *p, size_t n)
{
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
        if (kl == 6 && !memcmp(k, "events", 6))
            return FMT_EVENTS;
        if (kl == 7 && !memcmp(k, "Records", 7))
            return FMT_CLOUDTRAIL;
        /* event objects one per line, as the CLI's JSON output of events */
        const char *nl = memchr(p, '\n', n);
        size_t l1 = nl ? (size_t)(nl - p) : n;
        if (has(p, l1, "\"message\"") && has(p, l1, "\"timestamp\"") &&
            (has(p, l1, "\"eventId\"") || has(p, l1, "\"logStreamName\"")))
            return FMT_EVENTS;
        return FMT_LINES;
    }
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

static int num_of(const JdNode *n, int64_t *v)
{
    if (!n || n->type != JD_NUM)
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
