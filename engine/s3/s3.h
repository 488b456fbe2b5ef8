/* s3.h -- S3 objects as inputs: s3:// URIs, AWS credentials, listing and download (libcurl)
 *
 * An input "s3://bucket/key" names one object (read without listing: only s3:GetObject is
 * needed); "s3://bucket/prefix/" and "s3://bucket" every object under the prefix; a key with
 * '*' or '?' is a glob matched per path segment (fnmatch FNM_PATHNAME) against a listing of
 * its longest literal prefix. Listings use ListObjectsV2 with continuation tokens; their XML
 * is parsed with apr-util's apr_xml. Objects in GLACIER or DEEP_ARCHIVE come back flagged
 * (archived) so the caller can skip them without a request.
 *
 * Requests go through libcurl, signed by its CURLOPT_AWS_SIGV4 ("aws:amz:REGION:s3") with
 * x-amz-content-sha256: UNSIGNED-PAYLOAD (and x-amz-security-token for session
 * credentials). libcurl 7.88 signs the query string as sent, so queries are sent sorted and
 * RFC 3986-encoded. Failed requests are retried (up to AWS_MAX_ATTEMPTS tries, default 5)
 * with exponential backoff and full jitter on 5xx, 429, 503 SlowDown, timeouts and connection
 * errors; a body cut short is resumed with a Range request (If-Match the ETag). A listed
 * object of at least multipart_threshold bytes (default 8 MiB) is fetched in ranges of
 * multipart_chunksize (default 8 MiB), max_concurrent_requests (default 8) at once, each
 * with If-Match the listing's ETag: the profile's "s3 =" settings in ~/.aws/config, as the
 * AWS CLI reads them.
 *
 * Settings as the AWS CLI reads them: credentials from AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else the profile AWS_PROFILE (default "default")
 * in AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials) and AWS_CONFIG_FILE (~/.aws/config),
 * including credential_process, then the container endpoint and EC2 instance metadata
 * (engine/s3/s3_creds.h; fetched again on ExpiredToken, once per request); region from
 * AWS_REGION, AWS_DEFAULT_REGION, the profile, else us-east-1 (engine/s3/s3_config.c);
 * endpoint from S3Opts.endpoint (--endpoint-url), AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL
 * (path-style addressing), else AWS (virtual-hosted addressing).
 *
 * A 301 PermanentRedirect or 400 AuthorizationHeaderMalformed that names the bucket's region
 * (x-amz-bucket-region or <Region>) is followed once per request: the request is signed for
 * (and, on AWS, sent to) that region, which is kept for the bucket and told once through
 * S3Opts.note. With S3Opts.cache_dir, objects are kept on disk (engine/s3/s3_cache.h): a listed
 * object whose ETag names a copy is read from it without a request; an object named alone is
 * asked for with If-None-Match and read from its copy on 304.
 *
 * Errors are values: functions fill err with one line (never a secret) and return -1 / NULL.
 *
 * Ownership: an S3 client lives in the pool given to s3_open (its curl handle is released by
 * a cleanup of that pool); handles are malloc'd (s3_handle_free). Objects are downloaded as
 * streams (engine/s3/s3_stream.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_S3_H
#define LIQ_S3_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>

typedef struct S3Opts {
    const char *endpoint; /* --endpoint-url, or NULL */
    int no_sign;          /* --no-sign-request: anonymous requests */
    int read_timeout;     /* seconds without a byte before a try is given up (0: 30) */
    int concurrency;      /* objects downloaded at once (0: 8) */
    const char *cache_dir; /* --cache-dir: objects kept there (engine/s3/s3_cache.h), or NULL */
    int has_start, has_end; /* --start/--end: objects whose date path lies outside are */
    int64_t start_ms, end_ms; /* not listed (engine/s3/s3_prune.h) */
    /* one-line notes that are not errors (a bucket found in another region), or NULL;
     * called from download threads as well */
    void (*note)(void *ctx, const char *msg);
    void *note_ctx;
} S3Opts;

typedef struct S3Object {
    const char *bucket, *key;
    uint64_t size;             /* from the listing; 0 when not listed */
    const char *etag;          /* from the listing, or NULL */
    const char *storage_class; /* from the listing, or NULL */
    int archived;              /* GLACIER or DEEP_ARCHIVE: not readable without a restore */
    int64_t mtime_ms;          /* LastModified from the listing (epoch ms), or 0 */
} S3Object;

typedef struct S3 S3;
typedef struct S3Handle S3Handle; /* a connection cache for one thread at a time */

/* Is this input an s3:// URI? */
int s3_is_uri(const char *s);
/* Splits "s3://bucket/key" (key may be empty). Returns 0, or -1 when there is no bucket. */
int s3_parse_uri(apr_pool_t *pool, const char *uri, const char **bucket, const char **key);
/* The RFC 3986 encoding of s (unreserved bytes kept; '/' kept when keep_slash). */
char *s3_encode(apr_pool_t *pool, const char *s, int keep_slash);
/* Bytes of key before its first wildcard ('*' or '?'); strlen(key) when there is none. */
size_t s3_literal_prefix(const char *key);
/* Reads key from [section] of an INI file such as ~/.aws/credentials; NULL when absent. */
const char *s3_ini_get(apr_pool_t *pool, const char *path, const char *section,
                       const char *key);

/* Reads key from the nested settings of parent in [section] (the AWS CLI's "s3 =" block of
 * indented lines in ~/.aws/config); NULL when absent. */
const char *s3_ini_get_nested(apr_pool_t *pool, const char *path, const char *section,
                              const char *parent, const char *key);
/* A size as the AWS CLI writes them: bytes, or with KB, MB, GB (also KiB...: powers of
 * 1024); 0 when it is not one. */
uint64_t s3_parse_size(const char *s);
/* libcurl's process set-up and tear-down (curl_global_init: once, before threads use it;
 * liq_global_init calls it). s3_global_init returns 0, or -1 when libcurl cannot start. */
int s3_global_init(void);
void s3_global_cleanup(void);
/* A client: settings and credentials resolved now (credential_process runs here). */
S3 *s3_open(apr_pool_t *pool, const S3Opts *opts, char *err, size_t errlen);
/* The objects an input URI names, in listing (key) order, allocated in pool; those whose
 * date path lies outside S3Opts' --start/--end are left out (none may remain: not an error). */
int s3_expand(S3 *c, apr_pool_t *pool, const char *uri, S3Object **objs, size_t *n, char *err,
              size_t errlen);
/* As s3_expand, but a listing that matches no object is no error: 0 with *n 0 and *nomatch
 * set (liq --splits passes such an input on whole, so that its run says what one run says). */
int s3_expand_nomatch(S3 *c, apr_pool_t *pool, const char *uri, S3Object **objs, size_t *n,
                      int *nomatch, char *err, size_t errlen);

/* Listed objects in work units (liq --splits, docs/scale-out.md): a name that reads as the
 * object o listed from input (an s3:// prefix or glob as given: the object's @log, and the
 * key below its literal directory its stream), with the listing's size, LastModified, ETag
 * and archived storage class, so that a run over it reads the object as a run over input
 * does, without a listing:
 *   s3://BUCKET,in=ROOT[,size=N,mtime=MS][,etag=E][,class=C]/KEY
 * ROOT is input after "s3://BUCKET"; every byte but [A-Za-z0-9._-] (and '/', '=', ':' in KEY)
 * is %XX: no white space, no shell metacharacter, no '@'. s3_expand reads it back as one
 * object (pruned by --start/--end as any), s3_parse_uri gives its bucket and ROOT's key. */
char *s3_unit_name(apr_pool_t *pool, const char *input, const S3Object *o);
/* Is uri such a name (a ',' in its bucket part, which no bucket name has)? */
int s3_is_unit(const char *uri);
/* The @log of an input URI: a unit name's ROOT input ("s3://BUCKET" ROOT), else uri. */
const char *s3_input_log(apr_pool_t *pool, const char *uri);

/* A handle for a download thread; a transfer stops soon after *cancel becomes nonzero
 * (cancel may be NULL). */
S3Handle *s3_handle_new(const _Atomic int *cancel);
void s3_handle_free(S3Handle *h);
/* Where the credentials came from, for messages (never the secret). */
const char *s3_cred_source(const S3 *c);
/* Objects left out by their date path (--start/--end); objects read from --cache-dir.
 * c may be NULL (0). */
uint64_t s3_pruned(const S3 *c);
uint64_t s3_cached(const S3 *c);

#endif
