/* s3.c -- S3 URIs, the client, ListObjectsV2 and GetObject over libcurl (see s3.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <apr_strings.h>
#include <curl/curl.h>
#include "base/mem.h"
#include "base/buf.h"
#include "engine/s3/s3.h"
#include "engine/s3/s3_cache.h"
#include "engine/s3/s3_int.h"
#include "engine/s3/s3_prune.h"
#include "engine/s3/s3_xml.h"

/* ===== URIs and encoding ===== */

int s3_is_uri(const char *s)
{
    return strncmp(s, "s3://", 5) == 0;
}

/* ===== Listed objects in work units (liq --splits) =====
 *
 * `liq --splits` lists an S3 prefix or glob and writes each object it found as one word of a
 * unit line, a name liq reads back as that object with what the listing said of it (s3.h,
 * s3_unit_name):
 *
 *   s3://BUCKET,in=ROOT[,size=N,mtime=MS][,etag=E][,class=C]/KEY
 *
 * ROOT is the input the object was listed from, as written after "s3://BUCKET" (its @log is
 * "s3://BUCKET" ROOT, and its stream and --include/--exclude path are the key below ROOT's
 * literal directory, as in one run over ROOT); size, mtime (LastModified, ms), etag and class
 * (only for an archived storage class) are the listing's. Every byte outside
 * [A-Za-z0-9._-] (KEY also keeps '/', '=' and ':') is written %XX, so the name holds no
 * white space, no character a shell or GNU parallel's uq() would read, and no '@' (never a
 * byte range). A bucket name never holds ',', so a name with ',' before its first '/' is
 * this form and nothing else. */

/* The percent-encoding of s for a unit name: [A-Za-z0-9._-] kept, with key also '/', '=' and
 * ':'; every other byte %XX. */
static char *unit_encode(apr_pool_t *pool, const char *s, int key)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = apr_palloc(pool, strlen(s) * 3 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char ch = *p;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || (key && (ch == '/' || ch == '=' || ch == ':'))) {
            *o++ = (char)ch;
        } else {
            *o++ = '%';
            *o++ = hex[ch >> 4];
            *o++ = hex[ch & 15];
        }
    }
    *o = 0;
    return out;
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                  : -1;
}

/* Decodes [p, p + n) (%XX escapes) into pool; NULL when an escape is broken or decodes to a
 * NUL byte. */
static char *unit_decode(apr_pool_t *pool, const char *p, size_t n)
{
    char *out = apr_palloc(pool, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '%') {
            *o++ = p[i];
            continue;
        }
        if (i + 2 >= n)
            return NULL;
        int a = hexval((unsigned char)p[i + 1]), b = hexval((unsigned char)p[i + 2]);
        if (a < 0 || b < 0 || (a == 0 && b == 0))
            return NULL;
        *o++ = (char)(a << 4 | b);
        i += 2;
    }
    *o = 0;
    return out;
}

typedef struct UnitName {
    const char *bucket;
    const char *root; /* the listed input after "s3://BUCKET" */
    S3Object obj;
} UnitName;

/* Is uri a unit name (a ',' before the first '/' after "s3://")? 1 and *u filled; 0 when it
 * is not one; -1 when it is one that does not decode. */
static int unit_parse(apr_pool_t *pool, const char *uri, UnitName *u)
{
    if (!s3_is_uri(uri))
        return 0;
    const char *b = uri + 5, *slash = strchr(b, '/'), *comma = strchr(b, ',');
    if (!comma || !slash || comma > slash)
        return comma && !slash ? -1 : 0;
    memset(u, 0, sizeof(*u));
    u->bucket = unit_decode(pool, b, (size_t)(comma - b));
    if (!u->bucket || !*u->bucket)
        return -1;
    for (const char *f = comma + 1; f < slash;) {
        const char *end = memchr(f, ',', (size_t)(slash - f)), *eq;
        if (!end)
            end = slash;
        eq = memchr(f, '=', (size_t)(end - f));
        if (!eq)
            return -1;
        size_t nl = (size_t)(eq - f);
        char *v = unit_decode(pool, eq + 1, (size_t)(end - eq - 1)), *rest;
        if (!v)
            return -1;
        if (nl == 2 && memcmp(f, "in", 2) == 0) {
            u->root = v;
        } else if ((nl == 4 && memcmp(f, "size", 4) == 0) ||
                   (nl == 5 && memcmp(f, "mtime", 5) == 0)) {
            errno = 0; /* digits only (a '-' in mtime: LastModified before 1970) */
            int neg = nl == 5 && *v == '-';
            if (strspn(v + neg, "0123456789") != strlen(v + neg) || !v[neg])
                return -1;
            unsigned long long x = strtoull(v + neg, &rest, 10);
            if (errno || (nl == 5 && x > INT64_MAX))
                return -1;
            if (nl == 4)
                u->obj.size = x;
            else
                u->obj.mtime_ms = neg ? -(int64_t)x : (int64_t)x;
        } else if (nl == 4 && memcmp(f, "etag", 4) == 0) {
            u->obj.etag = v;
        } else if (nl == 5 && memcmp(f, "class", 5) == 0) {
            u->obj.storage_class = v;
            u->obj.archived = 1; /* written only for an archived class */
        } else {
            return -1;
        }
        f = end < slash ? end + 1 : slash;
    }
    const char *key = unit_decode(pool, slash + 1, strlen(slash + 1));
    if (!u->root || !key || !*key)
        return -1;
    u->obj.bucket = u->bucket;
    u->obj.key = key;
    return 1;
}

int s3_is_unit(const char *uri)
{
    if (!s3_is_uri(uri))
        return 0;
    const char *slash = strchr(uri + 5, '/'), *comma = strchr(uri + 5, ',');
    return comma && (!slash || comma < slash);
}

const char *s3_input_log(apr_pool_t *pool, const char *uri)
{
    UnitName u;
    if (unit_parse(pool, uri, &u) != 1)
        return uri;
    return apr_pstrcat(pool, "s3://", u.bucket, u.root, NULL);
}

char *s3_unit_name(apr_pool_t *pool, const char *input, const S3Object *o)
{
    UnitName u;
    const char *bucket = o->bucket, *root;
    if (unit_parse(pool, input, &u) == 1) { /* a unit name split again: its input stays */
        bucket = u.bucket;
        root = u.root;
    } else {
        root = input + 5 + strcspn(input + 5, "/");
    }
    char num[64] = "";
    if (o->size || o->mtime_ms)
        snprintf(num, sizeof(num), ",size=%llu,mtime=%lld", (unsigned long long)o->size,
                 (long long)o->mtime_ms);
    return apr_pstrcat(pool, "s3://", unit_encode(pool, bucket, 0), ",in=",
                       unit_encode(pool, root, 0), num, o->etag ? ",etag=" : "",
                       o->etag ? unit_encode(pool, o->etag, 0) : "",
                       o->archived && o->storage_class ? ",class=" : "",
                       o->archived && o->storage_class ? unit_encode(pool, o->storage_class, 0)
                                                       : "",
                       "/", unit_encode(pool, o->key, 1), NULL);
}

int s3_parse_uri(apr_pool_t *pool, const char *uri, const char **bucket, const char **key)
{
    if (!s3_is_uri(uri))
        return -1;
    UnitName u;
    int unit = unit_parse(pool, uri, &u);
    if (unit != 0) { /* a listed object of a work unit: the input it was listed from */
        if (unit < 0)
            return -1;
        *bucket = u.bucket;
        *key = u.root[0] == '/' ? u.root + 1 : "";
        return 0;
    }
    const char *b = uri + 5, *slash = strchr(b, '/');
    size_t n = slash ? (size_t)(slash - b) : strlen(b);
    if (n == 0)
        return -1;
    *bucket = apr_pstrmemdup(pool, b, n);
    *key = slash ? slash + 1 : "";
    return 0;
}

char *s3_encode(apr_pool_t *pool, const char *s, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = apr_palloc(pool, n * 3 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char ch = *p;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '~' || (keep_slash && ch == '/')) {
            *o++ = (char)ch;
        } else {
            *o++ = '%';
            *o++ = hex[ch >> 4];
            *o++ = hex[ch & 15];
        }
    }
    *o = 0;
    return out;
}

size_t s3_literal_prefix(const char *key)
{
    return strcspn(key, "*?");
}

/* The glob as an fnmatch pattern: '*' and '?' are wildcards, everything else literal. */
static char *glob_pattern(apr_pool_t *pool, const char *key)
{
    char *out = apr_palloc(pool, strlen(key) * 2 + 1), *o = out;
    for (const char *p = key; *p; p++) {
        if (*p == '[' || *p == '\\')
            *o++ = '\\';
        *o++ = *p;
    }
    *o = 0;
    return out;
}

static apr_status_t s3_cleanup(void *p)
{
    S3 *c = p;
    if (c->own.curl)
        curl_easy_cleanup(c->own.curl);
    c->own.curl = NULL;
    pthread_mutex_destroy(&c->rlock);
    for (int i = 0; i < c->ncred_pools; i++)
        apr_pool_destroy(c->cred_pools[i]);
    c->ncred_pools = 0;
    return APR_SUCCESS;
}

/* A seed for the retry jitter of the object at `self`: the time, the process and the
 * object's address, so two handles alive at once get different seeds without a counter
 * shared by the process. */
static unsigned new_seed(const void *self)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    uint64_t a = (uint64_t)(uintptr_t)self * 0x9E3779B97F4A7C15ULL;
    return (unsigned)(tv.tv_usec ^ tv.tv_sec ^ getpid()) ^ (unsigned)(a >> 32);
}

S3Handle *s3_handle_new(const _Atomic int *cancel)
{
    S3Handle *h = mem_calloc(1, sizeof(*h));
    h->curl = curl_easy_init();
    if (!h->curl) {
        free(h);
        return NULL;
    }
    h->seed = new_seed(h);
    h->cancel = cancel;
    return h;
}

void s3_handle_free(S3Handle *h)
{
    if (!h)
        return;
    curl_easy_cleanup(h->curl);
    free(h);
}

int s3_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void s3_global_cleanup(void)
{
    curl_global_cleanup();
}

S3 *s3_open(apr_pool_t *pool, const S3Opts *opts, char *err, size_t errlen)
{
    S3 *c = apr_pcalloc(pool, sizeof(*c));
    c->pool = pool;
    c->no_sign = opts && opts->no_sign;
    c->read_timeout = opts && opts->read_timeout > 0 ? opts->read_timeout : 30;
    const char *ep = opts ? opts->endpoint : NULL;
    if (!ep || !*ep)
        ep = getenv("AWS_ENDPOINT_URL_S3");
    if (!ep || !*ep)
        ep = getenv("AWS_ENDPOINT_URL");
    if (ep && *ep) {
        size_t n = strlen(ep);
        while (n && ep[n - 1] == '/')
            n--;
        c->endpoint = apr_pstrmemdup(pool, ep, n);
    }
    const char *tries = getenv("AWS_MAX_ATTEMPTS");
    c->max_tries = tries ? atoi(tries) : 0;
    if (c->max_tries < 1 || c->max_tries > 100)
        c->max_tries = 5;
    c->own.seed = new_seed(&c->own);
    if (opts)
        c->opts = *opts;
    if (opts && opts->cache_dir && *opts->cache_dir) {
        if (s3_cache_init(opts->cache_dir, err, errlen) != 0)
            return NULL;
        c->cache_dir = apr_pstrdup(pool, opts->cache_dir);
    }
    if (s3_resolve(c, err, errlen) != 0)
        return NULL;
    c->own.curl = curl_easy_init();
    if (!c->own.curl) {
        s3_fail(err, errlen, "%s", "cannot create a libcurl handle");
        return NULL;
    }
    pthread_mutex_init(&c->rlock, NULL);
    apr_pool_cleanup_register(pool, c, s3_cleanup, apr_pool_cleanup_null);
    return c;
}

const char *s3_cred_source(const S3 *c)
{
    return c->source;
}

uint64_t s3_pruned(const S3 *c)
{
    return c ? __atomic_load_n(&c->pruned, __ATOMIC_RELAXED) : 0;
}

uint64_t s3_cached(const S3 *c)
{
    return c ? __atomic_load_n(&c->cached, __ATOMIC_RELAXED) : 0;
}

/* ===== HTTP ===== */

/* The region requests for bucket are signed for: one learned from a redirect, else the
 * configured one. */
static void region_of(S3 *c, const char *bucket, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s", c->region);
    pthread_mutex_lock(&c->rlock);
    for (int i = 0; i < c->nregions; i++)
        if (strcmp(c->regions[i].bucket, bucket) == 0)
            snprintf(out, outlen, "%s", c->regions[i].region);
    pthread_mutex_unlock(&c->rlock);
}

/* Records that bucket lives in region; says so once per bucket. */
static void learn_region(S3 *c, const char *bucket, const char *region)
{
    int fresh = 1;
    pthread_mutex_lock(&c->rlock);
    for (int i = 0; i < c->nregions; i++)
        if (strcmp(c->regions[i].bucket, bucket) == 0) {
            fresh = strcmp(c->regions[i].region, region) != 0;
            snprintf(c->regions[i].region, sizeof(c->regions[i].region), "%s", region);
            goto out;
        }
    if (c->nregions < S3_MAX_REGIONS && strlen(bucket) < sizeof(c->regions[0].bucket)) {
        snprintf(c->regions[c->nregions].bucket, sizeof(c->regions[0].bucket), "%s", bucket);
        snprintf(c->regions[c->nregions].region, sizeof(c->regions[0].region), "%s", region);
        c->nregions++;
    }
out:
    pthread_mutex_unlock(&c->rlock);
    if (fresh && c->opts.note) {
        char msg[512];
        snprintf(msg, sizeof(msg),
                 "s3://%s: the bucket is in region %s, not %s: requests go there (set "
                 "AWS_REGION=%s to skip the redirect)",
                 bucket, region, c->region, region);
        c->opts.note(c->opts.note_ctx, msg);
    }
}

/* The URL of a bucket (key NULL: the bucket itself, for listings) in region. Custom endpoints
 * and bucket names with dots use path-style addressing; AWS virtual-hosted addressing. */
static const char *url_of(S3 *c, apr_pool_t *pool, const char *region, const char *bucket,
                          const char *key)
{
    const char *k = key ? s3_encode(pool, key, 1) : "";
    if (c->endpoint)
        return apr_pstrcat(pool, c->endpoint, "/", bucket, "/", k, NULL);
    if (strchr(bucket, '.'))
        return apr_pstrcat(pool, "https://s3.", region, ".amazonaws.com/", bucket, "/", k,
                           NULL);
    return apr_pstrcat(pool, "https://", bucket, ".s3.", region, ".amazonaws.com/", k, NULL);
}

typedef struct Resp {
    long status;
    char region[64];  /* x-amz-bucket-region */
    char etag[128];   /* ETag */
    uint64_t clen;    /* Content-Length */
    int have_clen;
    uint64_t range_start; /* Content-Range of a 206 */
    uint64_t total;       /* the whole object's size from Content-Range */
    LiqBuf *body;         /* 2xx bodies */
    int fixed;            /* body is a part of a shared buffer: it must not grow */
    int gen;              /* the generation of the credentials the request was signed with */
    LiqBuf errbody;       /* other bodies (error XML) */
    S3Out *so;            /* a streamed body: written there, body->len only counts it */
    uint64_t from;        /* the first byte asked for (a 206 from elsewhere is dropped) */
    uint64_t skip;        /* a 200 to a resumed request: bytes already written */
} Resp;

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    Resp *r = ud;
    size_t n = size * nmemb;
    char line[512];
    size_t m = n < sizeof(line) - 1 ? n : sizeof(line) - 1;
    memcpy(line, p, m);
    line[m] = 0;
    if (strncmp(line, "HTTP/", 5) == 0) { /* a new response (after a 100 Continue, say) */
        const char *sp = strchr(line, ' ');
        r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
        r->have_clen = 0;
        r->region[0] = 0;
        r->etag[0] = 0;
        return n;
    }
    char *colon = strchr(line, ':');
    if (!colon)
        return n;
    *colon = 0;
    char *v = s3_trim(colon + 1);
    if (strcasecmp(line, "x-amz-bucket-region") == 0) {
        snprintf(r->region, sizeof(r->region), "%s", v);
    } else if (strcasecmp(line, "etag") == 0) {
        snprintf(r->etag, sizeof(r->etag), "%s", v);
    } else if (strcasecmp(line, "content-length") == 0) {
        r->clen = strtoull(v, NULL, 10);
        r->have_clen = 1;
    } else if (strcasecmp(line, "content-range") == 0) {
        unsigned long long a, b, t;
        if (sscanf(v, "bytes %llu-%llu/%llu", &a, &b, &t) == 3) {
            r->range_start = a;
            r->total = t;
        }
    }
    return n;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    Resp *r = ud;
    size_t n = size * nmemb;
    if (r->status >= 200 && r->status < 300 && r->so) {
        if (r->status == 206 && r->range_start != r->from)
            return n; /* not the bytes asked for: fetch asks again */
        size_t off = 0;
        if (r->status == 200 && r->skip) { /* the whole body again: skip what was written */
            off = n < r->skip ? n : (size_t)r->skip;
            r->skip -= off;
        }
        if (n > off && s3_stream_write(r->so, p + off, n - off) != 0)
            return 0; /* the reader is gone: fail the transfer */
        r->body->len += n - off;
        return n;
    }
    if (r->status >= 200 && r->status < 300) {
        if (r->fixed && r->body->len + n > r->body->cap)
            return 0; /* more than the part asked for: fail the transfer */
        buf_add(r->body, p, n);
    }
    else if (r->errbody.len < 65536)
        buf_add(&r->errbody, p, n);
    return n;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    const S3Handle *sh = ud;
    (void)dt, (void)dn, (void)ut, (void)un;
    return sh->cancel && *sh->cancel; /* nonzero: abort the transfer */
}

/* Request headers besides the signature: a Range, If-Match or If-None-Match. */
typedef struct Cond {
    const char *range, *if_match, *if_none_match;
} Cond;

/* One GET signed for region; the body is appended to r->body. Returns curl's result. */
static CURLcode perform(S3 *c, S3Handle *sh, const char *url, const char *region,
                        const Cond *cond, Resp *r)
{
    CURL *h = sh->curl;
    curl_easy_reset(h);
    struct curl_slist *hdr = NULL;
    hdr = curl_slist_append(hdr, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
    char line[512];
    pthread_mutex_lock(&c->rlock); /* credentials may be refreshed by another thread */
    const char *akid = c->akid, *secret = c->secret, *token = c->token;
    r->gen = c->cred_gen;
    pthread_mutex_unlock(&c->rlock);
    if (token) { /* curl_slist_append copies the line */
        LiqBuf t = {0};
        buf_adds(&t, "x-amz-security-token: ");
        buf_adds(&t, token);
        buf_addc(&t, 0);
        hdr = curl_slist_append(hdr, t.p);
        buf_free(&t);
    }
    if (cond->range) {
        snprintf(line, sizeof(line), "Range: %s", cond->range);
        hdr = curl_slist_append(hdr, line);
    }
    if (cond->if_match) {
        snprintf(line, sizeof(line), "If-Match: %s", cond->if_match);
        hdr = curl_slist_append(hdr, line);
    }
    if (cond->if_none_match) {
        snprintf(line, sizeof(line), "If-None-Match: %s", cond->if_none_match);
        hdr = curl_slist_append(hdr, line);
    }
    char sigv4[128];
    snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:s3", region);
    curl_easy_setopt(h, CURLOPT_URL, url);
    /* a key is sent as it is named: libcurl would otherwise resolve its "." and ".." segments
     * ("a/../../x" asked for as "/x": another object, or another bucket) */
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->read_timeout);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "liq");
    if (sh->cancel) {
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, sh);
    }
    if (!c->no_sign) {
        curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
        curl_easy_setopt(h, CURLOPT_USERNAME, akid);
        curl_easy_setopt(h, CURLOPT_PASSWORD, secret);
    }
    CURLcode cc = curl_easy_perform(h);
    curl_slist_free_all(hdr);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    return cc;
}

/* The error response's Code, Message and Region (NULL when absent), in pool. */
static void error_fields(apr_pool_t *pool, const Resp *r, const char **code, const char **msg,
                         const char **region)
{
    const char *xml_region;
    s3_xml_error(pool, r->errbody.p, r->errbody.len, code, msg, &xml_region);
    *region = r->region[0] ? r->region : xml_region;
}

/* A region name as S3 names them: letters, digits and '-', at most 31 bytes. */
static int region_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n < 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* The region a wrong-region answer (301, 307, 400 AuthorizationHeaderMalformed) points to,
 * when it differs from the one used; copied into out. */
static int redirect_region(const Resp *r, const char *used, char *out, size_t outlen)
{
    if (r->status != 301 && r->status != 307 && r->status != 400)
        return 0;
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL); /* not c->pool: fetch threads run this concurrently */
    const char *code, *msg, *region;
    error_fields(pool, r, &code, &msg, &region);
    int ok = region_ok(region) && strcmp(region, used) != 0 &&
             (r->status != 400 || (code && strcmp(code, "AuthorizationHeaderMalformed") == 0));
    if (ok)
        snprintf(out, outlen, "%s", region);
    apr_pool_destroy(pool);
    return ok;
}

/* Is this the answer to expired session credentials? */
static int expired_token(const Resp *r)
{
    if (r->status != 400 && r->status != 403)
        return 0;
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL); /* not c->pool: fetch threads run this concurrently */
    const char *code, *msg, *region;
    error_fields(pool, r, &code, &msg, &region);
    int yes = code && strcmp(code, "ExpiredToken") == 0;
    apr_pool_destroy(pool);
    return yes;
}

/* The one-line message for a response that is not 2xx to a request signed for used. */
static void http_error(S3 *c, const Resp *r, const char *used, char *err, size_t errlen)
{
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL); /* not c->pool: fetch threads run this concurrently */
    const char *code, *msg, *region;
    error_fields(pool, r, &code, &msg, &region);
    const char *what = code ? code : "";
    char detail[512];
    snprintf(detail, sizeof(detail), "%ld%s%s%s%s", r->status, code ? " " : "", what,
             msg && *msg ? ": " : "", msg ? msg : "");
    if (region && strcmp(region, used) != 0 &&
        (r->status == 301 || r->status == 307 || r->status == 400 ||
         (code && (strcmp(code, "PermanentRedirect") == 0 ||
                   strcmp(code, "AuthorizationHeaderMalformed") == 0))))
        s3_fail(err, errlen, "the bucket is in region %s, not %s (%s); set AWS_REGION=%s", region,
                used, detail, region);
    else if (r->status == 301 || r->status == 307)
        s3_fail(err, errlen, "the bucket is in another region than %s (%s); set AWS_REGION",
                used, detail);
    else if (code && strcmp(code, "InvalidObjectState") == 0)
        s3_fail(err, errlen, "archived (Glacier or Deep Archive): restore it before reading (%s)",
                detail);
    else if (r->status == 403)
        s3_fail(err, errlen, "access denied (%s); credentials: %s", detail, c->source);
    else if (code && strcmp(code, "NoSuchBucket") == 0)
        s3_fail(err, errlen, "no such bucket (%s)", detail);
    else if (code && strcmp(code, "NoSuchKey") == 0)
        s3_fail(err, errlen, "no such key (%s)", detail);
    else if (r->status == 404)
        s3_fail(err, errlen, "not found (%s)", detail);
    else if (r->status == 412)
        s3_fail(err, errlen, "the object changed while it was read (%s)", detail);
    else
        s3_fail(err, errlen, "HTTP %s", detail);
    apr_pool_destroy(pool);
}

static int retryable_curl(CURLcode cc)
{
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
    }
}

/* Sleeps before try number `attempt` (1-based): full jitter over 100 ms * 2^(attempt-1),
 * capped at 10 s; cut short
 * when the handle's transfer is cancelled. */
static void backoff(S3Handle *h, int attempt)
{
    long cap = 100L << (attempt - 1 < 7 ? attempt - 1 : 7);
    if (cap > 10000)
        cap = 10000;
    long ms = (long)(rand_r(&h->seed) % (unsigned)(cap + 1));
    while (ms > 0 && !(h->cancel && *h->cancel)) { /* in slices: a cancel ends the wait */
        long step = ms < 50 ? ms : 50;
        struct timespec ts = {0, step * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
        ms -= step;
    }
}

int s3_fetch(S3 *c, S3Handle *h, Fetch *f, LiqBuf *out, S3Out *so, char *err, size_t errlen)
{
    char last[512] = "", region[32];
    int moved = 0, refreshed = 0;
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL); /* not c->pool: fetch threads run this concurrently */
    f->got_etag[0] = 0;
    f->not_modified = 0;
    int rc = -1;
    for (int attempt = 1;; attempt++) {
        Resp r = {0};
        r.body = out;
        size_t start = out->len;
        uint64_t from = f->lo + start;
        r.so = so;
        r.from = from;
        r.skip = start;
        int ranged = start || f->hi;
        char range[64];
        if (f->hi)
            snprintf(range, sizeof(range), "bytes=%llu-%llu", (unsigned long long)from,
                     (unsigned long long)(f->hi - 1));
        else if (start)
            snprintf(range, sizeof(range), "bytes=%zu-", start);
        r.fixed = f->hi != 0;
        region_of(c, f->bucket, region, sizeof(region));
        apr_pool_clear(pool);
        const char *url = url_of(c, pool, region, f->bucket, f->key);
        if (f->query)
            url = apr_pstrcat(pool, url, "?", f->query, NULL);
        Cond cond = {ranged ? range : NULL, NULL, ranged ? NULL : f->if_none_match};
        if (ranged)
            cond.if_match = f->etag ? f->etag : f->got_etag[0] ? f->got_etag : NULL;
        CURLcode cc = perform(c, h, url, region, &cond, &r);
        int retry = 0;
        if (r.status == 200 && f->hi) { /* a part, but the whole object came */
            s3_fail(err, errlen, "%s", "the server ignored the Range header of a part");
            buf_free(&r.errbody);
            break;
        }
        if (r.status == 200 && start) { /* the range was ignored: the whole body again */
            if (!so) { /* streamed: on_body skipped the bytes written before */
                memmove(out->p, out->p + start, out->len - start);
                out->len -= start;
            }
            start = 0;
        } else if (r.status == 206 && r.range_start != from) {
            out->len = start; /* not the bytes asked for: ask again */
            cc = CURLE_PARTIAL_FILE;
        }
        if (cc == CURLE_OK && r.status == 304 && f->if_none_match && !start) {
            f->not_modified = 1;
            buf_free(&r.errbody);
            rc = 0;
            break;
        }
        if (r.status >= 200 && r.status < 300 && r.etag[0] && !start)
            snprintf(f->got_etag, sizeof(f->got_etag), "%s", r.etag);
        if (cc == CURLE_OK && r.status >= 200 && r.status < 300) {
            if (!r.have_clen || out->len - start >= r.clen) {
                buf_free(&r.errbody);
                rc = 0;
                break;
            }
            cc = CURLE_PARTIAL_FILE; /* shorter than Content-Length */
        }
        char there[32];
        if (cc != CURLE_OK) {
            retry = retryable_curl(cc);
            if (cc == CURLE_PARTIAL_FILE)
                snprintf(last, sizeof(last), "the body was cut short after %zu bytes",
                         out->len);
            else
                snprintf(last, sizeof(last), "%s", curl_easy_strerror(cc));
            if (!(r.status >= 200 && r.status < 300))
                out->len = start; /* keep only bytes of good responses */
        } else if (!refreshed && c->refreshable && expired_token(&r)) {
            refreshed = 1; /* new credentials from the endpoint, then at once again */
            if (s3_refresh_creds(c, r.gen) != 0) {
                http_error(c, &r, region, last, sizeof(last));
                s3_fail(err, errlen, "%s (fetching new credentials failed)", last);
                buf_free(&r.errbody);
                break;
            }
            out->len = start;
            buf_free(&r.errbody);
            attempt--;
            continue;
        } else if (!moved && redirect_region(&r, region, there, sizeof(there))) {
            moved = 1; /* follow once, at once: no backoff, no try used */
            learn_region(c, f->bucket, there);
            out->len = start;
            buf_free(&r.errbody);
            attempt--;
            continue;
        } else {
            retry = r.status >= 500 || r.status == 429;
            http_error(c, &r, region, last, sizeof(last));
            out->len = start;
        }
        buf_free(&r.errbody);
        if (cc == CURLE_ABORTED_BY_CALLBACK) {
            s3_fail(err, errlen, "%s", "download cancelled");
            break;
        }
        if (!retry) {
            s3_fail(err, errlen, "%s", last);
            break;
        }
        if (attempt >= c->max_tries) {
            s3_fail(err, errlen, "%s (gave up after %d tries)", last, attempt);
            break;
        }
        backoff(h, attempt);
    }
    apr_pool_destroy(pool);
    return rc;
}

/* ===== Listing ===== */

/* Is the object left out by --start/--end (its date path)? Counted when it is. */
static int pruned(S3 *c, const char *key)
{
    const S3Opts *o = &c->opts;
    if (!s3_prune(key, o->has_start, o->start_ms, o->has_end, o->end_ms))
        return 0;
    c->pruned++; /* s3_expand runs on one thread */
    return 1;
}

int s3_expand(S3 *c, apr_pool_t *pool, const char *uri, S3Object **objs, size_t *n, char *err,
              size_t errlen)
{
    return s3_expand_nomatch(c, pool, uri, objs, n, NULL, err, errlen);
}

int s3_expand_nomatch(S3 *c, apr_pool_t *pool, const char *uri, S3Object **objs, size_t *n,
                      int *nomatch, char *err, size_t errlen)
{
    if (nomatch)
        *nomatch = 0;
    const char *bucket, *key;
    *objs = NULL;
    *n = 0;
    UnitName u;
    int unit = unit_parse(pool, uri, &u);
    if (unit < 0) {
        s3_fail(err, errlen, "%s",
                "not an object of a work unit (liq --splits writes them "
                "s3://BUCKET,in=INPUT,.../KEY, docs/scale-out.md): it does not decode");
        return -1;
    }
    if (unit > 0) { /* what the listing of liq --splits said: no request */
        if (pruned(c, u.obj.key))
            return 0;
        *objs = apr_pmemdup(pool, &u.obj, sizeof(u.obj));
        *n = 1;
        return 0;
    }
    if (s3_parse_uri(pool, uri, &bucket, &key) != 0) {
        s3_fail(err, errlen, "%s", "not an S3 URI: s3://BUCKET/KEY, s3://BUCKET/PREFIX/ or a glob");
        return -1;
    }
    size_t lit = s3_literal_prefix(key), keylen = strlen(key);
    int glob = lit < keylen;
    if (!glob && keylen && key[keylen - 1] != '/') { /* one object: no listing */
        if (pruned(c, key))
            return 0;
        S3Object *o = apr_pcalloc(pool, sizeof(*o));
        o->bucket = bucket;
        o->key = key;
        *objs = o;
        *n = 1;
        return 0;
    }
    const char *prefix = apr_pstrmemdup(pool, key, lit);
    const char *pattern = glob ? glob_pattern(pool, key) : NULL;
    const char *token = NULL;
    size_t cap = 0, matched = 0;
    apr_pool_t *page;
    apr_pool_create(&page, pool);
    LiqBuf b = {0};
    int rc = 0;
    for (;;) {
        apr_pool_clear(page);
        /* sorted by name, RFC 3986-encoded: libcurl 7.88 signs the query as sent */
        const char *q = apr_pstrcat(page, token ? "continuation-token=" : "",
                                    token ? s3_encode(page, token, 0) : "", token ? "&" : "",
                                    "encoding-type=url&list-type=2", *prefix ? "&prefix=" : "",
                                    *prefix ? s3_encode(page, prefix, 0) : "", NULL);
        b.len = 0;
        Fetch f = {bucket, NULL, q, NULL, NULL, "", 0, 0, 0};
        if (s3_fetch(c, &c->own, &f, &b, NULL, err, errlen) != 0) {
            rc = -1;
            break;
        }
        S3ListPage pg;
        if (s3_xml_list(page, b.p, b.len, &pg, err, errlen) != 0) {
            rc = -1;
            break;
        }
        for (size_t i = 0; i < pg.n; i++) {
            const S3ListEntry *po = &pg.objs[i];
            if (pattern && fnmatch(pattern, po->key, FNM_PATHNAME) != 0)
                continue;
            matched++;
            if (pruned(c, po->key))
                continue;
            if (*n == cap) {
                cap = cap ? cap * 2 : 64;
                S3Object *no = apr_pcalloc(pool, sizeof(S3Object) * cap);
                if (*n)
                    memcpy(no, *objs, sizeof(S3Object) * *n);
                *objs = no;
            }
            S3Object *o = &(*objs)[(*n)++];
            o->bucket = bucket;
            o->key = apr_pstrdup(pool, po->key);
            o->size = po->size;
            o->etag = po->etag ? apr_pstrdup(pool, po->etag) : NULL;
            o->storage_class = po->storage_class ? apr_pstrdup(pool, po->storage_class) : NULL;
            o->archived = po->archived;
            o->mtime_ms = po->mtime_ms;
        }
        if (!pg.next)
            break;
        token = apr_pstrdup(pool, pg.next);
    }
    buf_free(&b);
    apr_pool_destroy(page);
    if (rc == 0 && matched == 0 && nomatch) {
        *nomatch = 1;
    } else if (rc == 0 && matched == 0) {
        s3_fail(err, errlen, "%s", glob ? "no object matches" : "no objects under this prefix");
        rc = -1;
    }
    return rc;
}
