/* s3_xml.h -- the XML bodies S3 answers with: ListObjectsV2 pages and error responses
 *
 * Parsed with apr-util's apr_xml (expat), apart from the client (s3.c) so that the parsing of
 * what a server sends can be fuzzed on its own (fuzz/fuzz_s3xml.c).
 *
 * Interface:
 *   s3_xml_list   one ListObjectsV2 page: its objects, whether it is truncated, the next token
 *   s3_xml_error  an error body's Code, Message and Region
 *
 * Ownership: everything returned is allocated in the pool given.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_S3_XML_H
#define LIQ_S3_XML_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>

/* An object of a listing page. */
typedef struct S3ListEntry {
    const char *key;           /* decoded (EncodingType url), never empty, never a folder marker
                                * (a key ending in '/' of size 0) */
    uint64_t size;             /* Size, 0 when absent */
    const char *etag;          /* ETag, or NULL */
    const char *storage_class; /* StorageClass, or NULL */
    int archived;              /* GLACIER or DEEP_ARCHIVE */
    int64_t mtime_ms;          /* LastModified as epoch ms, 0 when absent or not ISO 8601 */
} S3ListEntry;

/* One page of a listing. */
typedef struct S3ListPage {
    S3ListEntry *objs;
    size_t n;
    const char *next; /* NextContinuationToken when the page is truncated, else NULL */
} S3ListPage;

/* Parses a ListBucketResult body of len bytes. Returns 0, or -1 with err set: not XML, not a
 * ListBucketResult, a key decoding to a NUL byte, a truncated page without a token. */
int s3_xml_list(apr_pool_t *pool, const char *body, size_t len, S3ListPage *pg, char *err,
                size_t errlen);
/* An <Error> body's Code, Message and Region (each NULL when absent or when the body is no
 * <Error> document). */
void s3_xml_error(apr_pool_t *pool, const char *body, size_t len, const char **code,
                  const char **msg, const char **region);

#endif
