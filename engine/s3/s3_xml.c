/* s3_xml.c -- ListObjectsV2 pages and S3 error bodies (see s3_xml.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_xml.h>
#include "base/civil.h"
#include "engine/s3/s3_xml.h"

static void fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A listing's key as S3 URL-encodes it (encoding-type=url: %XX and '+' for a space) decoded in
 * place; -1 when it decodes to a NUL byte, which a key read here cannot hold. */
static int url_decode_plus(char *s)
{
    char *o = s;
    for (const char *p = s; *p; p++) {
        int hi, lo;
        if (*p == '+') {
            *o++ = ' ';
        } else if (*p == '%' && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0) {
            if (hi == 0 && lo == 0)
                return -1;
            *o++ = (char)(hi << 4 | lo);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
    return 0;
}

/* Text of the first child element called name, or NULL. */
static const char *xml_text(apr_pool_t *pool, const apr_xml_elem *e, const char *name)
{
    for (const apr_xml_elem *k = e ? e->first_child : NULL; k; k = k->next) {
        if (strcmp(k->name, name) != 0)
            continue;
        const char *s = "";
        for (const apr_text *t = k->first_cdata.first; t; t = t->next)
            s = apr_pstrcat(pool, s, t->text, NULL);
        return s;
    }
    return NULL;
}

/* A listing's LastModified ("2009-10-12T17:50:30.000Z") as epoch milliseconds; 0 when absent
 * or not of that form. The reference date of timestamps written without a year (issue 14). */
static int64_t iso_ms(const char *t)
{
    int y, mo, d, h, mi, sec, n = 0;
    if (!t || sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
        mo < 1 || mo > 12 || d < 1 || d > 31)
        return 0;
    int64_t ms = 0;
    if (t[n] == '.')
        for (int k = n + 1, scale = 100; t[k] >= '0' && t[k] <= '9'; k++, scale /= 10)
            ms += (t[k] - '0') * scale;
    return ((civil_days(y, (unsigned)mo, (unsigned)d) * 24 + h) * 60 + mi) * 60000 +
           (int64_t)sec * 1000 + ms;
}

static apr_xml_doc *xml_parse(apr_pool_t *pool, const char *p, size_t n, char *err,
                              size_t errlen)
{
    apr_xml_parser *x = apr_xml_parser_create(pool);
    apr_xml_doc *doc = NULL;
    if (apr_xml_parser_feed(x, p, n) != APR_SUCCESS || apr_xml_parser_done(x, &doc) != APR_SUCCESS ||
        !doc || !doc->root) {
        char msg[200];
        apr_xml_parser_geterror(x, msg, sizeof(msg));
        if (err)
            fail(err, errlen, "the response is not valid XML (%s)", msg);
        return NULL;
    }
    return doc;
}

void s3_xml_error(apr_pool_t *pool, const char *body, size_t len, const char **code,
                  const char **msg, const char **region)
{
    *code = *msg = *region = NULL;
    apr_xml_doc *doc = len ? xml_parse(pool, body, len, NULL, 0) : NULL;
    if (doc && strcmp(doc->root->name, "Error") == 0) {
        *code = xml_text(pool, doc->root, "Code");
        *msg = xml_text(pool, doc->root, "Message");
        *region = xml_text(pool, doc->root, "Region");
    }
}

static int is_archived(const char *cls)
{
    return cls && (strcmp(cls, "GLACIER") == 0 || strcmp(cls, "DEEP_ARCHIVE") == 0);
}

int s3_xml_list(apr_pool_t *pool, const char *body, size_t len, S3ListPage *pg, char *err,
                size_t errlen)
{
    memset(pg, 0, sizeof(*pg));
    apr_xml_doc *doc = xml_parse(pool, body ? body : "", len, err, errlen);
    if (!doc)
        return -1;
    if (strcmp(doc->root->name, "ListBucketResult") != 0) {
        fail(err, errlen, "the listing is not a ListBucketResult but <%s>", doc->root->name);
        return -1;
    }
    /* keys URL-encoded (asked for: XML 1.0 cannot carry control bytes, and turns CR into LF),
     * when the answer says so (a server that ignores encoding-type sends them as they are) */
    const char *enc = xml_text(pool, doc->root, "EncodingType");
    int url_encoded = enc && strcmp(enc, "url") == 0;
    size_t cap = 0;
    for (const apr_xml_elem *e = doc->root->first_child; e; e = e->next) {
        if (strcmp(e->name, "Contents") != 0)
            continue;
        const char *ktext = xml_text(pool, e, "Key");
        if (!ktext || !*ktext)
            continue;
        char *k = apr_pstrdup(pool, ktext);
        if (url_encoded && url_decode_plus(k) != 0) {
            fail(err, errlen, "the listing has a key holding a NUL byte: %s", ktext);
            return -1;
        }
        size_t kl = strlen(k);
        const char *size = xml_text(pool, e, "Size");
        uint64_t sz = size ? strtoull(size, NULL, 10) : 0;
        if (k[kl - 1] == '/' && sz == 0) /* a folder marker */
            continue;
        if (pg->n == cap) {
            cap = cap ? cap * 2 : 64;
            S3ListEntry *no = apr_pcalloc(pool, sizeof(S3ListEntry) * cap);
            if (pg->n)
                memcpy(no, pg->objs, sizeof(S3ListEntry) * pg->n);
            pg->objs = no;
        }
        S3ListEntry *o = &pg->objs[pg->n++];
        o->key = k;
        o->size = sz;
        o->etag = xml_text(pool, e, "ETag");
        o->mtime_ms = iso_ms(xml_text(pool, e, "LastModified"));
        o->storage_class = xml_text(pool, e, "StorageClass");
        o->archived = is_archived(o->storage_class);
    }
    const char *trunc = xml_text(pool, doc->root, "IsTruncated");
    if (!trunc || strcmp(trunc, "true") != 0)
        return 0;
    const char *next = xml_text(pool, doc->root, "NextContinuationToken");
    if (!next || !*next) {
        fail(err, errlen, "%s", "a truncated listing came without NextContinuationToken");
        return -1;
    }
    pg->next = next;
    return 0;
}
