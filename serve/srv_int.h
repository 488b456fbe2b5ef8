/* srv_int.h -- liq serve's shared state: the server, its log groups, queries and the pieces
 * the room's files share (not for other rooms)
 *
 * serve/srv.c     options, the HTTP daemon (libmicrohttpd), request bodies, the access log,
 *                 SIGTERM
 * serve/api.c     the CloudWatch Logs operations (AWS JSON 1.1), errors in AWS's shape
 * serve/qry.c     StartQuery's queries: each runs in a thread of its own, results kept for a
 *                 while, snapshots for partial results, cancellation
 * serve/sigv4.c   SigV4 verification of requests (OpenSSL HMAC-SHA256)
 * serve/jout.c    JSON output helpers (strings through base/esc.c's esc_json)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_SERVE_SRV_INT_H
#define LIQ_SERVE_SRV_INT_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "base/buf.h"
#include "engine/liq.h"

typedef struct SrvKey {
    const char *akid, *secret;
} SrvKey;

typedef struct Query Query;

struct SrvStreams; /* api.c: a group's streams, kept refresh_s seconds */

typedef struct Srv {
    apr_pool_t *pool;
    FILE *log; /* the access log and messages (stderr) */
    LiqLogGroup *groups;
    int ngroups;
    struct SrvStreams **streams; /* one per group, NULL until asked (Srv.lock) */
    const char *host;
    int port;
    int no_auth;
    SrvKey *keys;
    int nkeys;
    const char *tls_cert, *tls_key; /* PEM texts (read at start) */
    int max_queries;         /* running at once (LimitExceededException past it) */
    int max_listings;        /* requests of the operations that read a group (DescribeLogStreams,
                              * GetLogGroupFields, GetLogRecord, FilterLogEvents, GetLogEvents)
                              * in progress at once (ThrottlingException past it) */
    int keep_s;              /* seconds a finished query's results stay */
    int max_kept;            /* finished queries kept at most (the oldest go first) */
    int refresh_s;           /* seconds a group's stream listing stays */
    size_t max_body;         /* request bodies past this get 413 */
    int timeout_s;           /* idle connections closed after this */
    int query_timeout_s;     /* a query running longer is stopped: status Timeout */
    int ncpu;
    size_t max_line;
    pthread_mutex_t lock; /* queries, running, listings, streams, streams_busy, syncs */
    pthread_cond_t cond;  /* a group's stream listing was made (streams_busy cleared) */
    Query *queries;
    int running;
    int listings;         /* requests of max_listings' operations in progress */
    char *streams_busy;   /* one per group: a request is making its stream listing */
    int stopping; /* SIGTERM: no new queries */
    struct SyncRun *syncs; /* the listing operations' runs in progress (SIGTERM cancels them,
                            * and the sweep those running past query_timeout_s) */
    uint64_t seq;
    pthread_mutex_t log_lock;
} Srv;

/* ----- api.c */
/* Answers one request: op is the part of X-Amz-Target after the '.', body the JSON. Fills out
 * with the response body and returns the HTTP status. */
int api_call(Srv *s, const char *op, const char *body, size_t len, LiqBuf *out);
/* An error body in AWS's shape; returns status. */
int api_error(LiqBuf *out, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The metrics API's ListMetrics (an empty list) for Grafana's health check: op is the
 * action, json 1 for AWS JSON 1.0 (else the query protocol's XML); *ctype the answer's
 * Content-Type. */
int api_metrics(const char *op, int json, LiqBuf *out, const char **ctype);
/* Frees the kept stream listings. */
void api_free(Srv *s);

/* ----- qry.c */
int64_t srv_now_ms(void);
/* StartQuery with a parsed request: fills out, returns the HTTP status. */
struct JdNode;
int qry_start(Srv *s, apr_pool_t *p, const struct JdNode *req, LiqBuf *out);
int qry_results(Srv *s, apr_pool_t *p, const struct JdNode *req, LiqBuf *out);
int qry_stop(Srv *s, apr_pool_t *p, const struct JdNode *req, LiqBuf *out);
int qry_describe(Srv *s, apr_pool_t *p, const struct JdNode *req, LiqBuf *out);
/* SIGTERM: cancels every running query; qry_shutdown then joins their threads and frees
 * every query. */
void qry_cancel_all(Srv *s);
void qry_shutdown(Srv *s);
/* Frees finished queries older than keep_s, stops queries and listing runs running past
 * query_timeout_s. */
void qry_sweep(Srv *s, int64_t now_ms);
/* Runs query text (compiled with params) over groups into rows of strings, for the listing
 * operations: every row a NUL-separated set of ncols values ("" for null). Runs in the
 * request's thread, which api_call counted in Srv.listings, with the cores shared as a
 * query's are (Srv.ncpu over the queries and listings running); stopped past
 * --query-timeout. Returns 0, or an HTTP status with out filled with the error. */
typedef struct SrvRows {
    LiqBuf text;   /* values, each NUL-terminated, ncols per row */
    LiqBuf starts; /* where each row starts in text (size_t each) */
    uint32_t nrows;
    int ncols;
    uint32_t max_rows; /* stop after this many rows (0: all) */
    uint32_t skip;     /* leave out the first rows */
    uint32_t seen;     /* rows the run gave (skipped ones too) */
    int more;          /* the run had more rows than skip + max_rows */
    uint64_t scanned;  /* records the run read */
} SrvRows;
int qry_rows(Srv *s, const char *text, const char *pattern, LiqParam *params, int nparams,
             const LiqLogGroup *groups, int ngroups, int has_start, int64_t start_ms,
             int has_end, int64_t end_ms, SrvRows *rows, LiqBuf *err);
/* The i-th value of row r. */
const char *qry_row_value(const SrvRows *rows, uint32_t r, int c);
/* Frees the rows' memory. */
void qry_rows_free(SrvRows *rows);

/* ----- sigv4.c */
/* Checks the request's signature. Returns 0, or an HTTP status with an error body in out. */
typedef const char *(*SigHeader)(void *ctx, const char *name);
int sigv4_verify(const Srv *s, const char *method, const char *path, const char *query,
                 SigHeader header, void *hctx, const char *body, size_t len, int64_t now_ms,
                 LiqBuf *out);

/* ----- jout.c */
void jo_str(LiqBuf *b, const char *s); /* a JSON string of s, quotes included */
void jo_key(LiqBuf *b, const char *key); /* "key": */
/* A field of a JSON object as a string (NULL when absent or not a string). */
const char *jo_get_str(apr_pool_t *p, const struct JdNode *o, const char *key);
/* (jdom strings are not NUL-terminated: the copy, in p, is) */
/* A number field: 1 with *v, 0 absent, -1 not a number. */
int jo_get_num(const struct JdNode *o, const char *key, double *v);
void srv_log(Srv *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* base64 (url-safe, no padding) of n bytes; the decode returns its length or -1 */
void b64_enc(LiqBuf *b, const unsigned char *p, size_t n);
int b64_dec(apr_pool_t *pool, const char *s, char **out);

#endif
