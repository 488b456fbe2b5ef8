/* sigv4.c -- verifying AWS Signature Version 4 on requests (OpenSSL's HMAC and SHA-256)
 *
 * The server recomputes the signature of each request as the client's SDK made it (the
 * canonical request: method, path, query, the signed headers, the body's SHA-256; the string
 * to sign with the credential scope; the signing key derived from the secret of the access
 * key the request names) and compares it in constant time. Answers, as AWS gives them:
 *   no Authorization header                 MissingAuthenticationTokenException
 *   a header without Credential, SignedHeaders or Signature, another algorithm, no
 *   X-Amz-Date                              IncompleteSignatureException
 *   an access key the server does not know  UnrecognizedClientException
 *   a signature that does not match         InvalidSignatureException
 *   X-Amz-Date more than 5 minutes away     InvalidSignatureException (Signature expired)
 * No message names the secret or the signature the server computed.
 *
 * (engine/s3 signs its requests through libcurl's CURLOPT_AWS_SIGV4, so there was no signing
 * code of liq's own to share; this file is the only SigV4 code in liq.)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <strings.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "serve/srv_int.h"

static void hex(LiqBuf *b, const unsigned char *p, size_t n)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        buf_addc(b, d[p[i] >> 4]);
        buf_addc(b, d[p[i] & 15]);
    }
}

static void sha256_hex(LiqBuf *b, const void *p, size_t n)
{
    unsigned char h[32];
    unsigned hl = 0;
    EVP_Digest(p, n, h, &hl, EVP_sha256(), NULL);
    hex(b, h, hl);
}

static void hmac(const void *key, size_t klen, const char *msg, size_t mlen, unsigned char *out)
{
    unsigned ol = 32;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, mlen, out, &ol);
}

/* RFC 3986 encoding of a path (slash kept) as SigV4 wants it. */
static void uri_encode(LiqBuf *b, const char *s, int keep_slash)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/'))
            buf_addc(b, (char)c);
        else
            buf_printf(b, "%%%02X", c);
    }
}

/* The value of NAME= in the Authorization header's list, up to ',' or the end. */
static int auth_part(const char *auth, const char *name, const char **v, size_t *n)
{
    size_t nl = strlen(name);
    for (const char *p = auth; (p = strstr(p, name)) != NULL; p += nl) {
        if ((p == auth || p[-1] == ' ' || p[-1] == ',') && p[nl] == '=') {
            *v = p + nl + 1;
            *n = strcspn(*v, ", ");
            return 1;
        }
    }
    return 0;
}

static int64_t parse_amz_date(const char *d)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *e = strptime(d, "%Y%m%dT%H%M%SZ", &tm);
    if (!e || *e)
        return -1;
    return (int64_t)timegm(&tm) * 1000;
}

int sigv4_verify(const Srv *s, const char *method, const char *path, const char *query,
                 SigHeader header, void *hctx, const char *body, size_t len, int64_t now_ms,
                 LiqBuf *out)
{
    const char *auth = header(hctx, "Authorization");
    if (!auth || !*auth)
        return api_error(out, 400, "MissingAuthenticationTokenException",
                         "Missing Authentication Token");
    const char *cred, *sh, *sig;
    size_t credn, shn, sign;
    if (strncmp(auth, "AWS4-HMAC-SHA256 ", 17) != 0)
        return api_error(out, 400, "IncompleteSignatureException",
                         "Authorization header requires the AWS4-HMAC-SHA256 algorithm");
    if (!auth_part(auth, "Credential", &cred, &credn) ||
        !auth_part(auth, "SignedHeaders", &sh, &shn) || !auth_part(auth, "Signature", &sig, &sign))
        return api_error(out, 400, "IncompleteSignatureException",
                         "Authorization header requires 'Credential', 'SignedHeaders' and "
                         "'Signature' parameters");
    const char *date = header(hctx, "X-Amz-Date");
    if (!date)
        return api_error(out, 400, "IncompleteSignatureException",
                         "Authorization header requires existence of a 'X-Amz-Date' header");
    /* Credential=AKID/DATE/REGION/SERVICE/aws4_request */
    const char *sl = memchr(cred, '/', credn);
    if (!sl || sign != 64)
        return api_error(out, 400, "IncompleteSignatureException",
                         "Credential should be scoped to a valid region and service, and the "
                         "Signature should be 64 hexadecimal digits");
    size_t akn = (size_t)(sl - cred);
    const char *scope = sl + 1;
    size_t scn = credn - akn - 1;
    const char *parts[4];
    size_t plen[4];
    int np = 0;
    for (const char *p = scope, *end = scope + scn; p <= end && np < 4;) {
        const char *q = memchr(p, '/', (size_t)(end - p));
        if (!q)
            q = end;
        parts[np] = p;
        plen[np++] = (size_t)(q - p);
        p = q + 1;
    }
    if (np != 4 || plen[0] != 8 || plen[3] != 12 || memcmp(parts[3], "aws4_request", 12) != 0 ||
        strncmp(date, parts[0], 8) != 0)
        return api_error(out, 400, "IncompleteSignatureException",
                         "Credential should be scoped to a valid region, a service and the date "
                         "of X-Amz-Date, ending in aws4_request");
    const SrvKey *key = NULL;
    for (int i = 0; i < s->nkeys && !key; i++)
        if (strlen(s->keys[i].akid) == akn && memcmp(s->keys[i].akid, cred, akn) == 0)
            key = &s->keys[i];
    if (!key)
        return api_error(out, 400, "UnrecognizedClientException",
                         "The security token included in the request is invalid.");
    int64_t t = parse_amz_date(date);
    if (t < 0)
        return api_error(out, 400, "IncompleteSignatureException",
                         "X-Amz-Date must be written as 20240131T235959Z");
    if (t < now_ms - 300000 || t > now_ms + 300000) {
        char nowd[32];
        time_t nt = (time_t)(now_ms / 1000);
        struct tm tm;
        gmtime_r(&nt, &tm);
        strftime(nowd, sizeof(nowd), "%Y%m%dT%H%M%SZ", &tm);
        if (t < now_ms)
            return api_error(out, 400, "InvalidSignatureException",
                             "Signature expired: %s is now earlier than %s - 5 min.", date, nowd);
        return api_error(out, 400, "InvalidSignatureException",
                         "Signature not yet current: %s is still later than %s + 5 min.", date,
                         nowd);
    }
    /* the canonical request */
    LiqBuf cr = {0};
    buf_adds(&cr, method);
    buf_addc(&cr, '\n');
    uri_encode(&cr, path && *path ? path : "/", 1);
    buf_addc(&cr, '\n');
    buf_adds(&cr, query ? query : "");
    buf_addc(&cr, '\n');
    int missing_host = 1;
    for (const char *p = sh, *end = sh + shn; p < end;) {
        const char *q = memchr(p, ';', (size_t)(end - p));
        if (!q)
            q = end;
        char name[128];
        size_t nl = (size_t)(q - p);
        if (nl == 0 || nl >= sizeof(name)) {
            buf_free(&cr);
            return api_error(out, 400, "IncompleteSignatureException",
                             "SignedHeaders is not a list of header names");
        }
        memcpy(name, p, nl);
        name[nl] = 0;
        missing_host &= strcmp(name, "host") != 0;
        const char *v = header(hctx, name);
        buf_add(&cr, name, nl);
        buf_addc(&cr, ':');
        if (v) { /* trimmed, runs of blanks as one */
            v += strspn(v, " \t");
            size_t vl = strlen(v);
            while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
                vl--;
            for (size_t i = 0; i < vl; i++)
                if (!(v[i] == ' ' && i && v[i - 1] == ' '))
                    buf_addc(&cr, v[i]);
        }
        buf_addc(&cr, '\n');
        p = q + 1;
    }
    buf_addc(&cr, '\n');
    buf_add(&cr, sh, shn);
    buf_addc(&cr, '\n');
    sha256_hex(&cr, body, len);
    if (missing_host) {
        buf_free(&cr);
        return api_error(out, 400, "IncompleteSignatureException",
                         "SignedHeaders must include host");
    }
    LiqBuf sts = {0};
    buf_adds(&sts, "AWS4-HMAC-SHA256\n");
    buf_adds(&sts, date);
    buf_addc(&sts, '\n');
    buf_add(&sts, scope, scn);
    buf_addc(&sts, '\n');
    sha256_hex(&sts, cr.p, cr.len);
    buf_free(&cr);
    /* the signing key */
    LiqBuf k0 = {0};
    buf_adds(&k0, "AWS4");
    buf_adds(&k0, key->secret);
    unsigned char k[32], mac[32];
    hmac(k0.p, k0.len, parts[0], plen[0], k);
    OPENSSL_cleanse(k0.p, k0.len);
    buf_free(&k0);
    hmac(k, 32, parts[1], plen[1], k);
    hmac(k, 32, parts[2], plen[2], k);
    hmac(k, 32, "aws4_request", 12, k);
    hmac(k, 32, sts.p, sts.len, mac);
    OPENSSL_cleanse(k, sizeof(k));
    buf_free(&sts);
    LiqBuf mine = {0};
    hex(&mine, mac, 32);
    char theirs[64];
    for (int i = 0; i < 64; i++) /* hex digits compare case-insensitively */
        theirs[i] = (char)(sig[i] >= 'A' && sig[i] <= 'F' ? sig[i] - 'A' + 'a' : sig[i]);
    int same = CRYPTO_memcmp(mine.p, theirs, 64) == 0;
    OPENSSL_cleanse(mine.p, mine.len);
    buf_free(&mine);
    if (!same)
        return api_error(out, 400, "InvalidSignatureException",
                         "The request signature we calculated does not match the signature you "
                         "provided. Check your AWS Secret Access Key and signing method. Consult "
                         "the service documentation for details.");
    return 0;
}
