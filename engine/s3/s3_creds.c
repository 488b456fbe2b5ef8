/* s3_creds.c -- credentials from the container endpoint and IMDSv2 over libcurl (see s3_creds.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <apr_strings.h>
#include <curl/curl.h>
#include "base/buf.h"
#include "engine/data/jdom.h"
#include "engine/s3/s3_creds.h"

enum { CREDS_MAX_BODY = 65536 };

static void cfail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void cfail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    LiqBuf *b = ud;
    size_t n = size * nmemb;
    if (b->len + n > CREDS_MAX_BODY)
        return 0; /* too long for credentials: fail the transfer */
    buf_add(b, p, n);
    return n;
}

static size_t no_upload(char *p, size_t size, size_t nmemb, void *ud)
{
    (void)p, (void)size, (void)nmemb, (void)ud;
    return 0;
}

/* One request (put: an empty PUT) with the given header lines; the body goes to b. Returns
 * curl's result; *status is the HTTP status. */
static CURLcode request(const char *url, int put, const char *const *hdrs, int nhdrs,
                        long timeout_ms, long *status, LiqBuf *b)
{
    CURL *h = curl_easy_init();
    if (!h)
        return CURLE_FAILED_INIT;
    struct curl_slist *hl = NULL;
    for (int i = 0; i < nhdrs; i++)
        hl = curl_slist_append(hl, hdrs[i]);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "liq");
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (put) {
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)0);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, no_upload);
    }
    CURLcode cc = curl_easy_perform(h);
    *status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    return cc;
}

static const char *json_str(apr_pool_t *pool, const JdNode *doc, const char *key)
{
    const JdNode *n = jdom_get(doc, key, strlen(key));
    return n && n->type == JD_STR && n->len ? apr_pstrmemdup(pool, n->s, n->len) : NULL;
}

int s3_creds_json(apr_pool_t *pool, const char *text, size_t len, S3Creds *cr)
{
    /* the nodes point into the text: parse a copy that lives in the pool */
    const char *copy = apr_pstrmemdup(pool, text, len);
    const JdNode *doc = jdom_parse(pool, copy, len);
    if (!doc || doc->type != JD_OBJ)
        return -1;
    const char *code = json_str(pool, doc, "Code"); /* IMDS: "Success" */
    if (code && strcmp(code, "Success") != 0)
        return -1;
    cr->akid = json_str(pool, doc, "AccessKeyId");
    cr->secret = json_str(pool, doc, "SecretAccessKey");
    cr->token = json_str(pool, doc, "Token");
    return cr->akid && cr->secret ? 0 : -1;
}

static int has_newline(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

/* scheme://host[:port] of url, for messages: the path may carry an identifier. */
static const char *url_origin(apr_pool_t *pool, const char *url)
{
    const char *p = strstr(url, "://");
    if (!p)
        return "(not a URL)";
    const char *e = strchr(p + 3, '/');
    return e ? apr_pstrmemdup(pool, url, (size_t)(e - url)) : url;
}

/* May a full container URI be used? https anywhere; http only to loopback and the
 * container and EKS Pod Identity addresses, as the AWS CLI allows. */
static int container_host_ok(const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    int ok = 0;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        if (strcasecmp(scheme, "https") == 0)
            ok = 1;
        else if (strcasecmp(scheme, "http") == 0)
            ok = strncmp(host, "127.", 4) == 0 || strcasecmp(host, "localhost") == 0 ||
                 strcmp(host, "[::1]") == 0 || strcmp(host, "169.254.170.2") == 0 ||
                 strcmp(host, "169.254.170.23") == 0 || strcasecmp(host, "[fd00:ec2::23]") == 0;
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

static char *read_token_file(apr_pool_t *pool, const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return NULL;
    char buf[16384];
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        n--;
    return apr_pstrmemdup(pool, buf, n);
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int s3_creds_container(apr_pool_t *pool, S3Creds *cr, char *err, size_t errlen)
{
    const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    const char *url, *var;
    if (rel && *rel) {
        var = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
        url = apr_pstrcat(pool, "http://169.254.170.2", *rel == '/' ? "" : "/", rel, NULL);
    } else if (full && *full) {
        var = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
        url = full;
        if (!container_host_ok(url)) {
            cfail(err, errlen,
                  "%s must be https, or http to a loopback address, 169.254.170.2 or "
                  "169.254.170.23 (not %s)",
                  var, url_origin(pool, url));
            return -1;
        }
    } else {
        return 0;
    }
    const char *origin = url_origin(pool, url);
    const char *auth = NULL;
    const char *tfile = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (tfile && *tfile) {
        auth = read_token_file(pool, tfile);
        if (!auth) {
            cfail(err, errlen, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s", tfile);
            return -1;
        }
    } else {
        auth = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    }
    if (auth && has_newline(auth)) {
        cfail(err, errlen, "%s", "the container authorization token holds a line break");
        return -1;
    }
    const char *hdrs[2] = {"Accept: application/json", NULL};
    int nh = 1;
    if (auth && *auth)
        hdrs[nh++] = apr_pstrcat(pool, "Authorization: ", auth, NULL);
    LiqBuf b = {0};
    long status = 0;
    CURLcode cc = CURLE_OK;
    for (int attempt = 1; attempt <= 3; attempt++) { /* the CLI tries 3 times, 2 s each */
        b.len = 0;
        cc = request(url, 0, hdrs, nh, 2000, &status, &b);
        if (cc == CURLE_OK && status < 500)
            break;
        if (attempt < 3)
            nap_ms(100L * attempt);
    }
    int rc = -1;
    if (cc != CURLE_OK)
        cfail(err, errlen, "container credentials endpoint %s (%s): %s", origin, var,
              curl_easy_strerror(cc));
    else if (status != 200)
        cfail(err, errlen, "container credentials endpoint %s (%s): HTTP %ld", origin, var,
              status);
    else if (s3_creds_json(pool, b.p ? b.p : "", b.len, cr) != 0)
        cfail(err, errlen,
              "container credentials endpoint %s (%s): the answer is not JSON with AccessKeyId "
              "and SecretAccessKey",
              origin, var);
    else
        rc = 1;
    buf_free(&b);
    if (rc == 1)
        cr->source = apr_psprintf(pool, "container credentials endpoint %s (%s)", origin, var);
    return rc;
}

/* ===== IMDS ===== */

typedef struct Imds {
    apr_pool_t *pool;
    const char *base;
    long timeout_ms;
    int attempts;
} Imds;

/* A request tried imds->attempts times on connection errors and 5xx. */
static CURLcode imds_request(Imds *m, const char *path, int put, const char *hdr, long *status,
                             LiqBuf *b)
{
    const char *url = apr_pstrcat(m->pool, m->base, path, NULL);
    const char *hdrs[1] = {hdr};
    CURLcode cc = CURLE_OK;
    for (int attempt = 1; attempt <= m->attempts; attempt++) {
        b->len = 0;
        cc = request(url, put, hdrs, hdr ? 1 : 0, m->timeout_ms, status, b);
        if (cc == CURLE_OK && *status < 500)
            break;
    }
    return cc;
}

int s3_creds_imds(apr_pool_t *pool, S3Creds *cr, char *err, size_t errlen)
{
    const char *dis = getenv("AWS_EC2_METADATA_DISABLED");
    if (dis && strcasecmp(dis, "true") == 0) {
        cfail(err, errlen, "%s", "EC2 instance metadata is disabled (AWS_EC2_METADATA_DISABLED)");
        return 0;
    }
    Imds m = {pool, NULL, 1000, 1};
    const char *ep = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    const char *mode = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    if (!ep || !*ep)
        ep = mode && strcasecmp(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]"
                                                   : "http://169.254.169.254";
    size_t n = strlen(ep);
    while (n && ep[n - 1] == '/')
        n--;
    m.base = apr_pstrmemdup(pool, ep, n);
    const char *t = getenv("AWS_METADATA_SERVICE_TIMEOUT");
    if (t && atof(t) > 0 && atof(t) <= 60)
        m.timeout_ms = (long)(atof(t) * 1000);
    const char *a = getenv("AWS_METADATA_SERVICE_NUM_ATTEMPTS");
    if (a && atoi(a) >= 1 && atoi(a) <= 10)
        m.attempts = atoi(a);

    LiqBuf b = {0};
    long status = 0;
    int rc = 0;
    const char *tokhdr = NULL, *version = "IMDSv2";
    CURLcode cc = imds_request(&m, "/latest/api/token", 1,
                               "X-aws-ec2-metadata-token-ttl-seconds: 21600", &status, &b);
    if (cc != CURLE_OK) {
        cfail(err, errlen, "EC2 instance metadata at %s did not answer (%s)", m.base,
              curl_easy_strerror(cc));
        goto out;
    }
    if (status == 200 && b.len && !memchr(b.p, '\n', b.len) && !memchr(b.p, '\r', b.len)) {
        tokhdr = apr_pstrcat(pool, "X-aws-ec2-metadata-token: ",
                             apr_pstrmemdup(pool, b.p, b.len), NULL);
    } else if (status == 404 || status == 405) {
        version = "IMDSv1"; /* an older or emulated service without tokens */
    } else {
        cfail(err, errlen, "EC2 instance metadata at %s refused a token (HTTP %ld)", m.base,
              status);
        goto out;
    }
    cc = imds_request(&m, "/latest/meta-data/iam/security-credentials/", 0, tokhdr, &status, &b);
    if (cc != CURLE_OK || status != 200 || b.len == 0) {
        if (cc != CURLE_OK)
            cfail(err, errlen, "EC2 instance metadata at %s did not answer (%s)", m.base,
                  curl_easy_strerror(cc));
        else
            cfail(err, errlen, "EC2 instance metadata at %s has no IAM role (HTTP %ld)", m.base,
                  status);
        goto out;
    }
    size_t rl = 0; /* the first line: b.p is not NUL-terminated */
    while (rl < b.len && b.p[rl] != '\r' && b.p[rl] != '\n')
        rl++;
    const char *role = apr_pstrmemdup(pool, b.p, rl);
    if (!*role || strchr(role, '/') || has_newline(role)) {
        cfail(err, errlen, "EC2 instance metadata at %s lists no usable IAM role", m.base);
        goto out;
    }
    cc = imds_request(&m,
                      apr_pstrcat(pool, "/latest/meta-data/iam/security-credentials/", role, NULL),
                      0, tokhdr, &status, &b);
    rc = -1;
    if (cc != CURLE_OK)
        cfail(err, errlen, "EC2 instance metadata at %s, role '%s': %s", m.base, role,
              curl_easy_strerror(cc));
    else if (status != 200)
        cfail(err, errlen, "EC2 instance metadata at %s, role '%s': HTTP %ld", m.base, role,
              status);
    else if (s3_creds_json(pool, b.p ? b.p : "", b.len, cr) != 0)
        cfail(err, errlen,
              "EC2 instance metadata at %s, role '%s': the answer is not credentials", m.base,
              role);
    else {
        rc = 1;
        cr->source = apr_psprintf(pool, "EC2 instance metadata %s (%s, role '%s')", m.base,
                                  version, role);
    }
out:
    buf_free(&b);
    return rc;
}
