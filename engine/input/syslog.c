/* syslog.c -- syslog lines as records with fields (see syslog.h)
 *
 * Parsing follows the RFCs' headers but stays lenient where real files differ: RFC 3164 days
 * padded with a space or not, an optional year before the time and a fraction after it (as
 * ts.c reads them), no hostname when the word after the time is already a tag; RFC 5424 with or
 * without <PRI>VERSION. A line whose header does not parse has no syslog fields.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <apr_strings.h>
#include "base/num.h"
#include "engine/input/syslog.h"

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* The end of the first line of a record (the header is there). */
static size_t line_end(const char *s, size_t n)
{
    const char *nl = memchr(s, '\n', n);
    size_t e = nl ? (size_t)(nl - s) : n;
    return e && s[e - 1] == '\r' ? e - 1 : e;
}

/* <PRI> at s[*i]: 0-191; advances *i. */
static int pri_at(const char *s, size_t n, size_t *i, int *pri)
{
    size_t j = *i;
    if (j >= n || s[j] != '<')
        return 0;
    int v = 0, k = 0;
    for (j++; j < n && is_digit(s[j]) && k < 3; j++, k++)
        v = v * 10 + (s[j] - '0');
    if (!k || j >= n || s[j] != '>' || v > 191)
        return 0;
    *pri = v;
    *i = j + 1;
    return 1;
}

/* The end of the word at s[i] (up to a blank or the end). */
static size_t word_end(const char *s, size_t n, size_t i)
{
    while (i < n && !is_blank(s[i]))
        i++;
    return i;
}

/* RFC 3164's TIMESTAMP at s[i] (Mmm dd HH:MM:SS, a day padded with a space or not, an optional
 * year before the time, a fraction after it): where it ends, or 0. */
static size_t bsd_time_end(const char *s, size_t n, size_t i)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int m = 0;
    for (int k = 0; k < 12 && !m; k++)
        m = i + 3 <= n && !memcmp(s + i, months + 3 * k, 3);
    if (!m || i + 4 >= n || s[i + 3] != ' ')
        return 0;
    size_t j = i + 4;
    if (s[j] == ' ')
        j++;
    size_t d = j;
    while (j < n && is_digit(s[j]))
        j++;
    if (j - d < 1 || j - d > 2 || j >= n || s[j] != ' ')
        return 0;
    j++;
    size_t y = j;
    while (j < n && is_digit(s[j]))
        j++;
    if (j - y == 4 && j < n && s[j] == ' ')
        j++; /* a year before the time */
    else
        j = y;
    if (!(j + 8 <= n && is_digit(s[j]) && is_digit(s[j + 1]) && s[j + 2] == ':' &&
          is_digit(s[j + 3]) && is_digit(s[j + 4]) && s[j + 5] == ':' && is_digit(s[j + 6]) &&
          is_digit(s[j + 7])))
        return 0;
    j += 8;
    if (j + 1 < n && s[j] == '.' && is_digit(s[j + 1]))
        for (j++; j < n && is_digit(s[j]); j++)
            ;
    return j == n || is_blank(s[j]) ? j : 0;
}

/* Is the word s[i, e) a tag: a name, then "[pid]" or not, then ':'? Sets its parts. */
static int tag_at(const char *s, size_t i, size_t e, SyslogRec *r)
{
    if (e - i < 2 || s[e - 1] != ':')
        return 0;
    size_t end = e - 1, lb = i;
    while (lb < end && s[lb] != '[')
        lb++;
    if (lb == i)
        return 0; /* no name */
    r->program = s + i;
    r->program_len = (uint32_t)(lb - i);
    if (lb < end) { /* [pid] */
        if (s[end - 1] != ']' || end - 1 <= lb + 1)
            return 0;
        r->pid = s + lb + 1;
        r->pid_len = (uint32_t)(end - 1 - (lb + 1));
    }
    return 1;
}

static int parse_3164(const char *s, size_t n, size_t h, SyslogRec *r)
{
    size_t i = 0;
    pri_at(s, h, &i, &r->pri);
    i = bsd_time_end(s, h, i);
    if (!i)
        return 0;
    while (i < h && is_blank(s[i]))
        i++;
    size_t e = word_end(s, h, i);
    if (i < h && !tag_at(s, i, e, r)) { /* a hostname, then perhaps a tag */
        r->host = s + i;
        r->host_len = (uint32_t)(e - i);
        i = e;
        while (i < h && is_blank(s[i]))
            i++;
        e = word_end(s, h, i);
        if (i < h && !tag_at(s, i, e, r))
            e = i; /* no tag: the message starts here */
    }
    i = e;
    if (i < h && is_blank(s[i]))
        i++;
    r->msg = s + i;
    r->msg_len = (uint32_t)(n - i);
    return 1;
}

/* An RFC 5424 header field (1 to 255 printable bytes) at s[*i]: absent when it is "-". */
static int field_5424(const char *s, size_t n, size_t *i, const char **f, uint32_t *len)
{
    size_t e = word_end(s, n, *i);
    if (e == *i || e - *i > 255 || e >= n)
        return 0; /* every header field is followed by a space */
    if (!(e - *i == 1 && s[*i] == '-')) {
        *f = s + *i;
        *len = (uint32_t)(e - *i);
    }
    *i = e + 1;
    return 1;
}

/* STRUCTURED-DATA at s[i]: "-", or [SD-ID PARAM="VALUE" ...] elements one after another
 * (VALUE escapes \" \\ \]). Where it ends, or 0. */
static size_t sd_end(const char *s, size_t n, size_t i)
{
    if (i < n && s[i] == '-')
        return i + 1;
    size_t j = i;
    while (j < n && s[j] == '[') {
        for (j++;;) {
            if (j >= n)
                return 0;
            if (s[j] == ']') {
                j++;
                break;
            }
            if (s[j] == '"') {
                for (j++; j < n && s[j] != '"'; j++)
                    if (s[j] == '\\' && j + 1 < n)
                        j++;
                if (j >= n)
                    return 0;
            }
            j++;
        }
    }
    return j > i ? j : 0;
}

static int parse_5424(const char *s, size_t n, size_t h, SyslogRec *r)
{
    size_t i = 0;
    if (pri_at(s, h, &i, &r->pri)) { /* VERSION */
        size_t v = i;
        while (i < h && is_digit(s[i]))
            i++;
        if (i == v || i - v > 2 || i >= h || s[i] != ' ')
            return 0;
        i++;
        if (i < h && s[i] == '-' && i + 1 < h && s[i + 1] == ' ') { /* a nil time */
            i += 2;
            goto host;
        }
    }
    { /* TIMESTAMP: RFC 3339 (a date, 'T', a time) */
        size_t e = word_end(s, h, i);
        if (e - i < 16 || !is_digit(s[i]) || s[i + 4] != '-' || s[i + 10] != 'T' || e >= h)
            return 0;
        i = e + 1;
    }
host:
    if (!field_5424(s, h, &i, &r->host, &r->host_len) ||
        !field_5424(s, h, &i, &r->program, &r->program_len) ||
        !field_5424(s, h, &i, &r->pid, &r->pid_len) ||
        !field_5424(s, h, &i, &r->msgid, &r->msgid_len))
        return 0;
    size_t e = sd_end(s, h, i);
    if (!e || (e < h && s[e] != ' '))
        return 0;
    if (s[i] == '[') {
        r->sd = s + i;
        r->sd_len = (uint32_t)(e - i);
    }
    i = e < h ? e + 1 : n; /* MSG runs to the end of the record */
    if (i + 3 <= n && !memcmp(s + i, "\xEF\xBB\xBF", 3))
        i += 3; /* a UTF-8 byte order mark */
    r->msg = s + i;
    r->msg_len = (uint32_t)(n - i);
    return 1;
}

int syslog_parse(SyslogKind k, const char *s, size_t n, SyslogRec *r)
{
    memset(r, 0, sizeof(*r));
    r->pri = -1;
    size_t h = line_end(s, n);
    if (k == SYSLOG_3164)
        return parse_3164(s, n, h, r);
    if (k == SYSLOG_5424)
        return parse_5424(s, n, h, r);
    return 0;
}

SyslogKind syslog_sniff(const char *p, size_t n)
{
    int lines = 0, bsd = 0, ietf = 0;
    for (size_t i = 0; i < n && lines < 100;) {
        const char *nl = memchr(p + i, '\n', n - i);
        size_t len = nl ? (size_t)(nl - (p + i)) : n - i;
        const char *line = p + i;
        i += len + 1;
        if (len && line[len - 1] == '\r')
            len--;
        if (!len || is_blank(line[0]) || line[0] == '{')
            continue; /* blank, continuation and JSON lines say nothing */
        lines++;
        SyslogRec r;
        bsd += syslog_parse(SYSLOG_3164, line, len, &r);
        ietf += syslog_parse(SYSLOG_5424, line, len, &r);
        if (lines == 8 && (bsd + ietf == 0 || bsd == lines || ietf == lines))
            break; /* the first lines agree: the rest cannot outvote them */
    }
    if (!lines)
        return SYSLOG_NONE;
    if (ietf * 2 > lines && ietf >= bsd)
        return SYSLOG_5424;
    if (bsd * 2 > lines)
        return SYSLOG_3164;
    return SYSLOG_NONE;
}

/* ===== Fields ===== */

/* A header field as a value: pid numbers are numbers (keeping their text), others strings. */
static Datum text(const char *s, uint32_t len, int numeric)
{
    double f;
    if (numeric && num_parse(s, len, &f)) {
        Datum d = val_num(f);
        d.s = s;
        d.len = len;
        return d;
    }
    return val_str(s, len);
}

/* The parameters of STRUCTURED-DATA: calls f(ctx, sdid, param, raw value) for each; stops
 * when f returns nonzero. */
static void sd_params(const SyslogRec *r,
                      int (*f)(void *ctx, const char *id, size_t idl, const char *nm, size_t nml,
                               const char *v, size_t vl),
                      void *ctx)
{
    const char *s = r->sd;
    size_t n = r->sd_len, i = 0;
    while (i < n && s[i] == '[') {
        size_t id = ++i;
        while (i < n && s[i] != ' ' && s[i] != ']')
            i++;
        size_t idl = i - id;
        while (i < n && s[i] != ']') {
            while (i < n && s[i] == ' ')
                i++;
            size_t nm = i;
            while (i < n && s[i] != '=' && s[i] != ' ' && s[i] != ']')
                i++;
            size_t nml = i - nm;
            if (i + 1 >= n || s[i] != '=' || s[i + 1] != '"')
                break;
            i += 2;
            size_t v = i;
            while (i < n && s[i] != '"')
                i += s[i] == '\\' && i + 1 < n ? 2 : 1;
            if (nml && f(ctx, s + id, idl, s + nm, nml, s + v, i - v))
                return;
            i++;
        }
        while (i < n && s[i] != ']')
            i++;
        i++;
    }
}

/* A parameter value with its escapes (\" \\ \]) undone: in the line when it has none. */
static Datum sd_value(const char *v, size_t vl, apr_pool_t *pool)
{
    if (!memchr(v, '\\', vl))
        return val_str(v, vl);
    char *o = apr_palloc(pool, vl + 1);
    size_t k = 0;
    for (size_t i = 0; i < vl; i++) {
        if (v[i] == '\\' && i + 1 < vl && (v[i + 1] == '"' || v[i + 1] == '\\' || v[i + 1] == ']'))
            i++;
        o[k++] = v[i];
    }
    return val_str(o, k);
}

typedef struct Want {
    const char *name;
    size_t len;
    apr_pool_t *pool;
    Datum *out;
    int found;
} Want;

static int want_param(void *ctx, const char *id, size_t idl, const char *nm, size_t nml,
                      const char *v, size_t vl)
{
    Want *w = ctx;
    if (w->len != idl + 1 + nml || memcmp(w->name, id, idl) || w->name[idl] != '.' ||
        memcmp(w->name + idl + 1, nm, nml))
        return 0;
    *w->out = sd_value(v, vl, w->pool);
    w->found = 1;
    return 1;
}

static int is(const char *name, size_t len, const char *lit)
{
    return strlen(lit) == len && !memcmp(name, lit, len);
}

int syslog_get(const SyslogRec *r, const char *name, size_t len, apr_pool_t *pool, Datum *v)
{
    const char *s = NULL;
    uint32_t l = 0;
    int numeric = 0;
    if (is(name, len, "host"))
        s = r->host, l = r->host_len;
    else if (is(name, len, "program"))
        s = r->program, l = r->program_len;
    else if (is(name, len, "pid"))
        s = r->pid, l = r->pid_len, numeric = 1;
    else if (is(name, len, "msgid"))
        s = r->msgid, l = r->msgid_len;
    else if (is(name, len, "structuredData"))
        s = r->sd, l = r->sd_len;
    else if (is(name, len, "message"))
        s = r->msg, l = r->msg_len;
    else if (is(name, len, "facility") || is(name, len, "severity")) {
        if (r->pri < 0)
            return 0;
        *v = val_num(name[0] == 'f' ? r->pri / 8 : r->pri % 8);
        return 1;
    } else if (r->sd_len && memchr(name, '.', len)) {
        Want w = {name, len, pool, v, 0};
        sd_params(r, want_param, &w);
        return w.found;
    }
    if (!s || (!l && s != r->msg))
        return 0;
    *v = text(s, l, numeric);
    return 1;
}

typedef struct Each {
    void (*f)(void *ctx, const char *name, size_t len, const Datum *v);
    void *ctx;
    apr_pool_t *pool;
} Each;

static int each_param(void *ctx, const char *id, size_t idl, const char *nm, size_t nml,
                      const char *v, size_t vl)
{
    Each *e = ctx;
    char *name = apr_palloc(e->pool, idl + nml + 2);
    memcpy(name, id, idl);
    name[idl] = '.';
    memcpy(name + idl + 1, nm, nml);
    name[idl + 1 + nml] = 0;
    Datum d = sd_value(v, vl, e->pool);
    e->f(e->ctx, name, idl + 1 + nml, &d);
    return 0;
}

void syslog_each(const SyslogRec *r, apr_pool_t *pool,
                 void (*f)(void *ctx, const char *name, size_t len, const Datum *v), void *ctx)
{
    static const char *const names[] = {"host",           "program",  "pid",     "msgid",
                                        "structuredData", "facility", "severity"};
    Datum d;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (syslog_get(r, names[i], strlen(names[i]), pool, &d))
            f(ctx, names[i], strlen(names[i]), &d);
    if (r->sd_len) {
        Each e = {f, ctx, pool};
        sd_params(r, each_param, &e);
    }
    if (syslog_get(r, "message", 7, pool, &d))
        f(ctx, "message", 7, &d);
}
