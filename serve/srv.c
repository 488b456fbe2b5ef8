/* srv.c -- liq serve: options, the HTTP daemon, requests, the access log, SIGTERM
 *
 * HTTP is libmicrohttpd's (a thread per connection, at most 128 connections, idle ones
 * closed after --timeout seconds, TLS with --tls-cert/--tls-key); this file only collects a
 * request's body (at most --max-body bytes: 413 past it), checks its signature
 * (serve/sigv4.c) and hands it to the operation its X-Amz-Target names (serve/api.c).
 * Every request gets one access log line on stderr: time, client, operation, status, bytes,
 * duration. Signatures, keys and request bodies are never logged.
 *
 * Stopping: SIGTERM or SIGINT (waited for by the main thread with sigtimedwait; every other
 * thread has them blocked) stops accepting connections, cancels every running query, lets
 * the requests in flight finish (libmicrohttpd closes the idle connections), joins the query
 * threads and exits 0. The same loop sweeps expired queries and stops queries running past
 * --query-timeout once a second.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>
#include "base/mem.h"
#include "serve/serve.h"
#include "serve/srv_int.h"

typedef struct Req {
    LiqBuf body;
    int too_big;
    int64_t t0;
} Req;

typedef struct HdrCtx {
    struct MHD_Connection *c;
} HdrCtx;

static const char *hdr(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(((HdrCtx *)ctx)->c, MHD_HEADER_KIND, name);
}

static void client_ip(struct MHD_Connection *c, char *buf, size_t n)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(buf, n, "-");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf, (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf, (socklen_t)n);
}

static enum MHD_Result reply(struct MHD_Connection *c, int status, LiqBuf *body, const char *ctype)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(body->len, body->p ? body->p : (void *)"",
                                                             MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", ctype);
    char rid[40];
    unsigned long long t = (unsigned long long)srv_now_ms();
    snprintf(rid, sizeof(rid), "liq-%llx-%lx", t, (unsigned long)random());
    MHD_add_response_header(r, "x-amzn-RequestId", rid);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)version;
    Srv *s = cls;
    Req *q = *con_cls;
    if (!q) {
        q = mem_calloc(1, sizeof(*q));
        q->t0 = srv_now_ms();
        *con_cls = q;
        return MHD_YES;
    }
    if (*upload_size) {
        if (q->body.len + *upload_size > s->max_body)
            q->too_big = 1; /* the rest is read and dropped, then 413 */
        else
            buf_add(&q->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    LiqBuf out = {0};
    int status;
    const char *ctype = "application/x-amz-json-1.1";
    /* the operation: Logs_20140328.Op, or the metrics API's ListMetrics (api_metrics) as
     * GraniteServiceVersion20100801.ListMetrics or a form with Action=ListMetrics */
    const char *target = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Target");
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    const char *op = NULL;
    char action[64] = "";
    int metrics = 0; /* 1: JSON 1.0, 2: query protocol */
    if (target && strncmp(target, "Logs_20140328.", 14) == 0) {
        op = target + 14;
    } else if (target && strncmp(target, "GraniteServiceVersion20100801.", 30) == 0) {
        op = target + 30;
        metrics = 1;
    } else if (!target && ct && strncmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
        buf_addc(&q->body, 0);
        q->body.len--;
        const char *a = strstr(q->body.p, "Action=");
        if (a && (a == q->body.p || a[-1] == '&')) {
            size_t n = strcspn(a + 7, "&");
            snprintf(action, sizeof(action), "%.*s", (int)(n < 63 ? n : 63), a + 7);
            op = action;
            metrics = 2;
        }
    }
    if (q->too_big) {
        status = api_error(&out, 413, "SerializationException",
                           "The request body is larger than %zu bytes", s->max_body);
    } else if (strcmp(method, "POST") != 0) {
        status = api_error(&out, 404, "UnknownOperationException",
                           "Only POST requests of the AWS JSON 1.1 protocol are served");
    } else {
        status = 0;
        if (!s->no_auth) {
            HdrCtx hc = {c};
            const char *qs = strchr(url, '?');
            status = sigv4_verify(s, method, url, qs ? qs + 1 : "", hdr, &hc,
                                  q->body.p ? q->body.p : "", q->body.len, srv_now_ms(), &out);
        }
        if (!status && !op)
            status = api_error(&out, 400, "UnknownOperationException",
                               "X-Amz-Target must name an operation of Logs_20140328");
        if (!status && metrics) {
            status = api_metrics(op, metrics == 1, &out, &ctype);
        } else if (!status) {
            buf_addc(&q->body, 0); /* jdom reads len bytes; the NUL only ends the text */
            q->body.len--;
            status = api_call(s, op, q->body.p, q->body.len, &out);
        }
    }
    char ip[64];
    client_ip(c, ip, sizeof(ip));
    srv_log(s, "%s %s %d %zu bytes %lld ms", ip, op ? op : "-", status, out.len,
            (long long)(srv_now_ms() - q->t0));
    enum MHD_Result r = reply(c, status, &out, ctype);
    buf_free(&out);
    return r;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    Req *q = *con_cls;
    if (q) {
        buf_free(&q->body);
        free(q);
        *con_cls = NULL;
    }
}

/* ----- options */

static void usage(FILE *err)
{
    fprintf(err,
            "usage: liq serve --log-group NAME=PATH|s3://... [...] [options]\n"
            "  a CloudWatch Logs API endpoint (AWS JSON 1.1) over the log groups given\n"
            "  --listen HOST:PORT     address (default 127.0.0.1:4586; port 0: any free port)\n"
            "  --log-group NAME=PATH  a log group and its files, directory or S3 URI (repeatable)\n"
            "  --config FILE          settings, one per line: an option's name and its value\n"
            "  --credentials FILE     access keys accepted (AWS credentials file format); else\n"
            "                         LIQ_SERVE_ACCESS_KEY_ID and LIQ_SERVE_SECRET_ACCESS_KEY\n"
            "  --no-auth              accept unsigned requests (loopback only)\n"
            "  --tls-cert FILE --tls-key FILE   HTTPS (required off loopback)\n"
            "  --max-queries N        queries running at once (default 30, as AWS)\n"
            "  --max-listings N       requests reading log groups at once (DescribeLogStreams,\n"
            "                         FilterLogEvents, ...; default 8): ThrottlingException past it\n"
            "  --keep SECONDS         how long finished queries' results stay (default 3600)\n"
            "  --max-kept N           finished queries kept at most, the oldest go first (1000)\n"
            "  --refresh SECONDS      how long a group's stream listing stays (default 300)\n"
            "  --query-timeout SECONDS  queries running longer stop: Timeout (default 3600)\n"
            "  --max-body BYTES       largest request body (default 1048576)\n"
            "  --timeout SECONDS      idle connections close (default 30)\n"
            "  --threads N            cores shared by the running queries (default: all)\n"
            "  --port-file FILE       write the port listened on there (for --listen HOST:0)\n");
}

typedef struct Opts {
    const char *listen, *config, *creds, *cert, *key, *port_file;
    int no_auth;
    LiqLogGroup *groups;
    int ngroups;
} Opts;

static int num_opt(FILE *err, const char *name, const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || end == v || n < lo || n > hi) {
        fprintf(err, "liq serve: error: --%s wants a number from %ld to %ld, not '%s'\n", name,
                lo, hi, v);
        return -1;
    }
    *out = n;
    return 0;
}

/* The numeric settings: their bounds and the field of Srv they set (an int, or a size_t) */
static const struct NumSetting {
    const char *name;
    long lo, hi;
    size_t off;
    int is_size;
} num_settings[] = {
    {"max-queries", 1, 10000, offsetof(Srv, max_queries), 0},
    {"max-listings", 1, 1000, offsetof(Srv, max_listings), 0},
    {"keep", 0, 86400L * 365, offsetof(Srv, keep_s), 0},
    {"max-kept", 1, 1000000, offsetof(Srv, max_kept), 0},
    {"refresh", 0, 86400L * 365, offsetof(Srv, refresh_s), 0},
    {"query-timeout", 0, 86400L * 365, offsetof(Srv, query_timeout_s), 0},
    {"max-body", 1024, 1L << 30, offsetof(Srv, max_body), 1},
    {"timeout", 1, 86400, offsetof(Srv, timeout_s), 0},
    {"threads", 1, 1024, offsetof(Srv, ncpu), 0},
};

static int set_opt(Srv *s, Opts *o, FILE *err, const char *name, const char *v)
{
    for (size_t i = 0; i < sizeof(num_settings) / sizeof(num_settings[0]); i++) {
        const struct NumSetting *ns = &num_settings[i];
        long n;
        if (strcmp(name, ns->name) != 0)
            continue;
        if (num_opt(err, name, v, ns->lo, ns->hi, &n))
            return -1;
        if (ns->is_size)
            *(size_t *)(void *)((char *)s + ns->off) = (size_t)n;
        else
            *(int *)(void *)((char *)s + ns->off) = (int)n;
        return 0;
    }
    if (strcmp(name, "listen") == 0) {
        o->listen = v;
    } else if (strcmp(name, "config") == 0) {
        o->config = v;
    } else if (strcmp(name, "credentials") == 0) {
        o->creds = v;
    } else if (strcmp(name, "tls-cert") == 0) {
        o->cert = v;
    } else if (strcmp(name, "tls-key") == 0) {
        o->key = v;
    } else if (strcmp(name, "port-file") == 0) {
        o->port_file = v;
    } else if (strcmp(name, "no-auth") == 0) {
        o->no_auth = 1;
    } else if (strcmp(name, "log-group") == 0) {
        const char *eq = strchr(v, '=');
        if (!eq || eq == v || !eq[1]) {
            fprintf(err, "liq serve: error: --log-group wants NAME=PATH, not '%s'\n", v);
            return -1;
        }
        o->groups = mem_realloc(o->groups, sizeof(*o->groups) * (size_t)(o->ngroups + 1));
        o->groups[o->ngroups].name = apr_pstrndup(s->pool, v, (size_t)(eq - v));
        o->groups[o->ngroups].path = apr_pstrdup(s->pool, eq + 1);
        o->ngroups++;
    } else {
        fprintf(err, "liq serve: error: unknown setting '%s'\n", name);
        return -1;
    }
    return 0;
}

/* --config FILE: lines 'name value' (an option's long name, then its value after blanks);
 * '#' starts a comment line. */
static int read_config(Srv *s, Opts *o, FILE *err, const char *path)
{
    LiqBuf b = {0};
    if (buf_read_file(&b, path) != 0) {
        fprintf(err, "liq serve: error: cannot read %s: %s\n", path, strerror(errno));
        buf_free(&b);
        return -1;
    }
    buf_addc(&b, 0);
    char *save = NULL;
    int rc = 0, line = 0;
    for (char *l = strtok_r(b.p, "\n", &save); l && !rc; l = strtok_r(NULL, "\n", &save)) {
        line++;
        l += strspn(l, " \t");
        size_t n = strlen(l);
        while (n && (l[n - 1] == '\r' || l[n - 1] == ' ' || l[n - 1] == '\t'))
            l[--n] = 0;
        if (!*l || *l == '#')
            continue;
        char *v = l + strcspn(l, " \t");
        if (*v)
            *v++ = 0;
        v += strspn(v, " \t");
        if (strcmp(l, "config") == 0 || (!*v && strcmp(l, "no-auth") != 0)) {
            fprintf(err, "liq serve: error: %s: '%s' is not a setting with a value\n", path, l);
            rc = -1;
        } else {
            rc = set_opt(s, o, err, l, apr_pstrdup(s->pool, v));
        }
    }
    buf_free(&b);
    return rc;
}

/* The credentials file: every aws_access_key_id / aws_secret_access_key pair (any profile). */
static int read_creds(Srv *s, FILE *err, const char *path)
{
    LiqBuf b = {0};
    if (buf_read_file(&b, path) != 0) {
        fprintf(err, "liq serve: error: cannot read %s: %s\n", path, strerror(errno));
        buf_free(&b);
        return -1;
    }
    buf_addc(&b, 0);
    char *save = NULL;
    const char *akid = NULL, *secret = NULL;
    for (char *l = strtok_r(b.p, "\n", &save);; l = strtok_r(NULL, "\n", &save)) {
        int section = !l || l[strspn(l, " \t")] == '[';
        if (section && akid && secret) {
            s->keys = mem_realloc(s->keys, sizeof(*s->keys) * (size_t)(s->nkeys + 1));
            s->keys[s->nkeys++] = (SrvKey){akid, secret};
        }
        if (section)
            akid = secret = NULL;
        if (!l)
            break;
        char *eq = strchr(l, '=');
        if (!eq)
            continue;
        char *k = l + strspn(l, " \t"), *v = eq + 1;
        char *ke = eq;
        while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
            ke--;
        *ke = 0;
        v += strspn(v, " \t");
        size_t n = strlen(v);
        while (n && (v[n - 1] == '\r' || v[n - 1] == ' ' || v[n - 1] == '\t'))
            v[--n] = 0;
        if (strcmp(k, "aws_access_key_id") == 0)
            akid = apr_pstrdup(s->pool, v);
        else if (strcmp(k, "aws_secret_access_key") == 0)
            secret = apr_pstrdup(s->pool, v);
    }
    buf_free(&b);
    if (!s->nkeys) {
        fprintf(err, "liq serve: error: %s has no aws_access_key_id with an "
                     "aws_secret_access_key\n", path);
        return -1;
    }
    return 0;
}

static char *read_pem(Srv *s, FILE *err, const char *path)
{
    LiqBuf b = {0};
    if (buf_read_file(&b, path) != 0) {
        fprintf(err, "liq serve: error: cannot read %s: %s\n", path, strerror(errno));
        buf_free(&b);
        return NULL;
    }
    char *r = apr_pstrndup(s->pool, b.p ? b.p : "", b.len);
    buf_free(&b);
    return r;
}

/* HOST:PORT, [IPv6]:PORT, or PORT alone (on 127.0.0.1) into an address. */
static int parse_listen(const char *v, struct sockaddr_storage *ss, socklen_t *len, int *loopback)
{
    char host[256];
    const char *port;
    if (v[0] == '[') {
        const char *e = strchr(v, ']');
        if (!e || e[1] != ':' || (size_t)(e - v - 1) >= sizeof(host))
            return -1;
        memcpy(host, v + 1, (size_t)(e - v - 1));
        host[e - v - 1] = 0;
        port = e + 2;
    } else {
        const char *c = strrchr(v, ':');
        if (!c) {
            snprintf(host, sizeof(host), "127.0.0.1");
            port = v;
        } else {
            if ((size_t)(c - v) >= sizeof(host))
                return -1;
            memcpy(host, v, (size_t)(c - v));
            host[c - v] = 0;
            port = c + 1;
        }
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 0 || p > 65535)
        return -1;
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)p);
        *len = sizeof(*a4);
        *loopback = (ntohl(a4->sin_addr.s_addr) >> 24) == 127;
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)p);
        *len = sizeof(*a6);
        *loopback = IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr);
    } else {
        return -1;
    }
    return 0;
}

static int serve(Srv *s, Opts *o, FILE *err)
{
    struct sockaddr_storage addr;
    socklen_t alen;
    int loopback = 0;
    if (parse_listen(o->listen, &addr, &alen, &loopback) != 0) {
        fprintf(err, "liq serve: error: --listen wants HOST:PORT with a numeric address, not "
                     "'%s'\n", o->listen);
        return 2;
    }
    if (!o->ngroups) {
        fprintf(err, "liq serve: error: no log groups: give at least one --log-group NAME=PATH\n");
        return 2;
    }
    for (int i = 0; i < o->ngroups; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(o->groups[i].name, o->groups[j].name) == 0) {
                fprintf(err, "liq serve: error: log group %s is given twice\n", o->groups[i].name);
                return 2;
            }
    if ((o->cert != NULL) != (o->key != NULL)) {
        fprintf(err, "liq serve: error: TLS needs both --tls-cert and --tls-key\n");
        return 2;
    }
    if (!loopback && !o->cert) {
        fprintf(err, "liq serve: error: listening on %s, off loopback, needs TLS: give "
                     "--tls-cert and --tls-key\n", o->listen);
        return 2;
    }
    if (o->no_auth && !loopback) {
        fprintf(err, "liq serve: error: --no-auth is only allowed on a loopback address\n");
        return 2;
    }
    s->no_auth = o->no_auth;
    if (!s->no_auth) {
        if (o->creds) {
            if (read_creds(s, err, o->creds))
                return 2;
        } else {
            const char *a = getenv("LIQ_SERVE_ACCESS_KEY_ID"), *k = getenv("LIQ_SERVE_SECRET_ACCESS_KEY");
            if (!a || !*a || !k || !*k) {
                fprintf(err, "liq serve: error: no credentials to verify requests with: give "
                             "--credentials FILE, or set LIQ_SERVE_ACCESS_KEY_ID and "
                             "LIQ_SERVE_SECRET_ACCESS_KEY, or --no-auth on loopback\n");
                return 2;
            }
            s->keys = mem_calloc(1, sizeof(*s->keys));
            s->keys[0] = (SrvKey){apr_pstrdup(s->pool, a), apr_pstrdup(s->pool, k)};
            s->nkeys = 1;
        }
    }
    if (o->cert) {
        s->tls_cert = read_pem(s, err, o->cert);
        s->tls_key = read_pem(s, err, o->key);
        if (!s->tls_cert || !s->tls_key)
            return 2;
    }
    s->groups = o->groups;
    s->ngroups = o->ngroups;
    s->streams = mem_calloc((size_t)s->ngroups, sizeof(*s->streams));
    s->streams_busy = mem_calloc((size_t)s->ngroups, 1);

    /* SIGINT and SIGTERM: blocked in every thread (the daemon's and the queries' inherit the
     * mask), taken by sigtimedwait below */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (o->cert)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, &addr},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)s->timeout_s, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, 128, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 128 * 1024, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, NULL},
        {o->cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, (void *)(uintptr_t)s->tls_cert},
        {o->cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, (void *)(uintptr_t)s->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    uint16_t port = ntohs(addr.ss_family == AF_INET ? ((struct sockaddr_in *)&addr)->sin_port
                                                    : ((struct sockaddr_in6 *)&addr)->sin6_port);
    struct MHD_Daemon *d = MHD_start_daemon(flags, port, NULL, NULL, handle, s,
                                            MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!d) {
        fprintf(err, "liq serve: error: cannot listen on %s%s\n", o->listen,
                o->cert ? " (or the TLS certificate or key is not usable)" : "");
        pthread_sigmask(SIG_UNBLOCK, &set, NULL);
        return 2;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (di)
        port = di->port;
    char host[64];
    snprintf(host, sizeof(host), "%.*s", (int)(strrchr(o->listen, ':') ? strrchr(o->listen, ':') - o->listen : 0), o->listen);
    srv_log(s, "listening on %s port %u (%s%s), %d log group%s", *host ? host : "127.0.0.1", port,
            o->cert ? "https" : "http", s->no_auth ? ", no auth" : ", SigV4", s->ngroups,
            s->ngroups == 1 ? "" : "s");
    if (o->port_file) {
        FILE *pf = fopen(o->port_file, "w");
        if (!pf || fprintf(pf, "%u\n", port) < 0 || fclose(pf) != 0) {
            fprintf(err, "liq serve: error: cannot write %s: %s\n", o->port_file, strerror(errno));
            MHD_stop_daemon(d);
            return 2;
        }
    }
    int sig = 0;
    while (!sig) {
        struct timespec ts = {1, 0};
        int r = sigtimedwait(&set, NULL, &ts);
        if (r > 0)
            sig = r;
        qry_sweep(s, srv_now_ms());
    }
    srv_log(s, "%s: stopping: running queries cancelled", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    MHD_quiesce_daemon(d);
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_mutex_unlock(&s->lock);
    qry_cancel_all(s);
    MHD_stop_daemon(d);
    qry_shutdown(s);
    api_free(s);
    srv_log(s, "stopped");
    return 0;
}

int serve_main(int argc, char **argv, FILE *err)
{
    apr_pool_t *pool;
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS)
        return 4;
    Srv s;
    memset(&s, 0, sizeof(s));
    s.pool = pool;
    s.log = err;
    s.max_queries = 30;
    s.max_listings = 8;
    s.keep_s = 3600;
    s.max_kept = 1000;
    s.refresh_s = 300;
    s.query_timeout_s = 3600;
    s.max_body = 1 << 20;
    s.timeout_s = 30;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    s.ncpu = ncpu > 0 ? (int)ncpu : 1;
    s.max_line = (size_t)256 << 20;
    pthread_mutex_init(&s.lock, NULL);
    pthread_cond_init(&s.cond, NULL);
    pthread_mutex_init(&s.log_lock, NULL);
    Opts o = {.listen = "127.0.0.1:4586"};
    static const struct option longs[] = {
        {"listen", required_argument, 0, 1},      {"log-group", required_argument, 0, 1},
        {"config", required_argument, 0, 1},      {"credentials", required_argument, 0, 1},
        {"no-auth", no_argument, 0, 1},           {"tls-cert", required_argument, 0, 1},
        {"tls-key", required_argument, 0, 1},     {"max-queries", required_argument, 0, 1},
        {"max-listings", required_argument, 0, 1},
        {"keep", required_argument, 0, 1},        {"refresh", required_argument, 0, 1},
        {"max-kept", required_argument, 0, 1},
        {"query-timeout", required_argument, 0, 1}, {"max-body", required_argument, 0, 1},
        {"timeout", required_argument, 0, 1},     {"threads", required_argument, 0, 1},
        {"port-file", required_argument, 0, 1},   {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int rc = -1, li;
    optind = 1;
    opterr = 0;
    for (;;) {
        li = -1;
        int c = getopt_long(argc, argv, "h", longs, &li);
        if (c == -1)
            break;
        if (c == 'h') {
            usage(stdout);
            rc = 0;
            break;
        }
        if (c != 1 || li < 0) {
            fprintf(err, "liq serve: error: unknown or incomplete option '%s'\n", argv[optind - 1]);
            usage(err);
            rc = 2;
            break;
        }
        const char *name = longs[li].name;
        if (strcmp(name, "config") == 0) {
            if (read_config(&s, &o, err, optarg)) {
                rc = 2;
                break;
            }
        } else if (set_opt(&s, &o, err, name, optarg ? optarg : "")) {
            rc = 2;
            break;
        }
    }
    if (rc < 0 && optind < argc) {
        fprintf(err, "liq serve: error: unexpected argument '%s'\n", argv[optind]);
        rc = 2;
    }
    if (rc < 0)
        rc = serve(&s, &o, err);
    free(o.groups);
    free(s.keys);
    free(s.streams);
    free(s.streams_busy);
    pthread_cond_destroy(&s.cond);
    pthread_mutex_destroy(&s.lock);
    pthread_mutex_destroy(&s.log_lock);
    apr_pool_destroy(pool);
    return rc;
}
