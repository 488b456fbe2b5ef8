/* fuzz_s3xml.c -- libFuzzer target: S3 response bodies -> s3_xml_list / s3_xml_error
 *
 * The input is a body as an S3 server (or anything answering on its port) could send:
 * a ListObjectsV2 page or an error document, damaged or not. It is parsed both ways
 * (engine/s3/s3_xml.c, what s3_expand and the client's error messages read).
 *
 * Oracle: no crash, leak or hang; a refused page says why; every listed object has a key that
 * is not empty and not a folder marker; a truncated page has a token. Round trip: the page's
 * objects written back as a ListBucketResult with URL-encoded keys (as S3 sends them when asked
 * for encoding-type=url) parse to the same keys, sizes, ETags, storage classes and times.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <inttypes.h>
#include <string.h>
#include "engine/s3/s3_xml.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

/* text escaped for XML character data; control bytes (not XML 1.0) never reach here */
static void add_escaped(LiqBuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            buf_adds(b, "&lt;");
        else if (*s == '>')
            buf_adds(b, "&gt;");
        else if (*s == '&')
            buf_adds(b, "&amp;");
        else
            buf_addc(b, *s);
    }
}

/* a key URL-encoded as S3 does: everything but unreserved bytes as %XX */
static void add_urlenc(LiqBuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~' || *p == '/') {
            buf_addc(b, (char)*p);
        } else {
            buf_addc(b, '%');
            buf_addc(b, hex[*p >> 4]);
            buf_addc(b, hex[*p & 15]);
        }
    }
}

/* only text XML 1.0 carries as it is written (no control bytes, no CR) survives a round trip */
static int plain(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 && *p != '\t' && *p != '\n')
            return 0;
    return 1;
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    apr_pool_t *pool = fuzz_pool_new();
    const char *body = (const char *)data;

    const char *code, *msg, *region;
    s3_xml_error(pool, body, size, &code, &msg, &region);

    S3ListPage pg;
    char err[512] = "";
    if (s3_xml_list(pool, body, size, &pg, err, sizeof(err)) != 0) {
        FUZZ_CHECK(err[0] != 0, "a listing refused without a message");
        fuzz_pool_free(pool);
        return 0;
    }
    int roundtrip = 1;
    for (size_t i = 0; i < pg.n; i++) {
        const S3ListEntry *o = &pg.objs[i];
        size_t kl = o->key ? strlen(o->key) : 0;
        FUZZ_CHECK(kl > 0, "a listed object without a key");
        FUZZ_CHECK(!(o->key[kl - 1] == '/' && o->size == 0), "a folder marker was listed");
        roundtrip &= (!o->etag || plain(o->etag)) && (!o->storage_class || plain(o->storage_class));
    }
    FUZZ_CHECK(!pg.next || pg.next[0], "a truncated page with an empty token");
    if (pg.next)
        roundtrip &= plain(pg.next);

    if (roundtrip) {
        LiqBuf b = {0};
        char *mtime_written = calloc(pg.n + 1, 1);
        if (!mtime_written)
            abort();
        buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult "
                     "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>"
                     "<EncodingType>url</EncodingType>");
        if (pg.next) {
            buf_adds(&b, "<IsTruncated>true</IsTruncated><NextContinuationToken>");
            add_escaped(&b, pg.next);
            buf_adds(&b, "</NextContinuationToken>");
        }
        for (size_t i = 0; i < pg.n; i++) {
            const S3ListEntry *o = &pg.objs[i];
            char num[64];
            buf_adds(&b, "<Contents><Key>");
            add_urlenc(&b, o->key);
            snprintf(num, sizeof(num), "</Key><Size>%" PRIu64 "</Size>", o->size);
            buf_adds(&b, num);
            if (o->etag) {
                buf_adds(&b, "<ETag>");
                add_escaped(&b, o->etag);
                buf_adds(&b, "</ETag>");
            }
            if (o->storage_class) {
                buf_adds(&b, "<StorageClass>");
                add_escaped(&b, o->storage_class);
                buf_adds(&b, "</StorageClass>");
            }
            if (o->mtime_ms) {
                int64_t d = o->mtime_ms / 86400000, t = o->mtime_ms % 86400000;
                if (t < 0) {
                    t += 86400000;
                    d--;
                }
                /* civil date of day d (Howard Hinnant's algorithm) */
                int64_t z = d + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
                int64_t doe = z - era * 146097;
                int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
                int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
                int64_t mp = (5 * doy + 2) / 153, dd = doy - (153 * mp + 2) / 5 + 1;
                int64_t mm = mp < 10 ? mp + 3 : mp - 9;
                y += mm <= 2;
                if (y >= 0 && y <= 9999) {
                    mtime_written[i] = 1;
                    snprintf(num, sizeof(num),
                             "<LastModified>%04d-%02d-%02dT%02d:%02d:%02d.%03dZ</LastModified>",
                             (int)y, (int)mm, (int)dd, (int)(t / 3600000),
                             (int)(t / 60000 % 60), (int)(t / 1000 % 60), (int)(t % 1000));
                    buf_adds(&b, num);
                }
            }
            buf_adds(&b, "</Contents>");
        }
        buf_adds(&b, "</ListBucketResult>\n");
        S3ListPage p2;
        int rc = s3_xml_list(pool, b.p, b.len, &p2, err, sizeof(err));
        if (rc != 0)
            fprintf(stderr, "round trip: %s\n%.*s\n", err, (int)b.len, b.p);
        FUZZ_CHECK(rc == 0, "a page written back from a parsed one is refused");
        FUZZ_CHECK(p2.n == pg.n, "a page written back lists another number of objects");
        FUZZ_CHECK(same(p2.next, pg.next), "a page written back has another token");
        for (size_t i = 0; i < pg.n; i++) {
            const S3ListEntry *x = &pg.objs[i], *y = &p2.objs[i];
            FUZZ_CHECK(strcmp(x->key, y->key) == 0, "a key does not survive a round trip");
            FUZZ_CHECK(x->size == y->size, "a size does not survive a round trip");
            FUZZ_CHECK(same(x->etag, y->etag), "an ETag does not survive a round trip");
            FUZZ_CHECK(same(x->storage_class, y->storage_class) && x->archived == y->archived,
                       "a storage class does not survive a round trip");
            FUZZ_CHECK(!mtime_written[i] || x->mtime_ms == y->mtime_ms,
                       "a LastModified does not survive a round trip");
        }
        free(mtime_written);
        buf_free(&b);
    }
    fuzz_pool_free(pool);
    return 0;
}
