/* s3_int.h -- the S3 client's state, shared by engine/s3/s3.c (requests, listing) and
 * engine/s3/s3_config.c (settings and the credential chain); not for other modules
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_S3_INT_H
#define LIQ_S3_INT_H

#include <pthread.h>
#include <stdint.h>
#include <apr_pools.h>
#include <curl/curl.h>
#include "base/buf.h"
#include "engine/s3/s3.h"

struct S3Handle {
    CURL *curl;
    unsigned seed; /* backoff jitter */
    const _Atomic int *cancel;
};

enum { S3_MAX_REGIONS = 32 };

struct S3 {
    apr_pool_t *pool;
    S3Handle own; /* for s3_expand (listings) */
    const char *region;
    const char *endpoint; /* custom endpoint without a trailing '/', or NULL for AWS */
    int no_sign;
    const char *akid, *secret, *token;
    const char *source; /* where the credentials came from */
    int max_tries;
    long read_timeout;
    const char *cache_dir; /* --cache-dir, or NULL */
    S3Opts opts;           /* --start/--end, the note callback */
    /* regions learned from redirects, per bucket (fetch threads share them) */
    pthread_mutex_t rlock;
    int nregions;
    struct {
        char bucket[64], region[32];
    } regions[S3_MAX_REGIONS];
    uint64_t pruned, cached; /* objects skipped by their date path; read from the cache */
    /* credentials from the container endpoint or IMDS expire: on ExpiredToken they are
     * fetched again (under rlock; each set lives in its own pool until the client ends) */
    int refreshable, cred_gen, ncred_pools;
    apr_pool_t *cred_pools[8];
    /* ranged parts of large objects (the profile's s3 = multipart_* settings) */
    uint64_t part_threshold, part_size;
    int part_threads;
};

/* What a GET asks beyond the body, and what it learnt. */
typedef struct Fetch { /* s3_fetch */
    const char *bucket;
    const char *key;           /* the object, or NULL for a listing of the bucket */
    const char *query;         /* a listing's query string (sorted, encoded), or NULL */
    const char *etag;          /* the listing's ETag: resumed ranges must match it */
    const char *if_none_match; /* a cached copy's ETag: 304 when it is still current */
    char got_etag[128];        /* out: the ETag of the body */
    int not_modified;          /* out: the answer was 304 */
    uint64_t lo, hi;           /* a part: bytes [lo, hi) into a buffer of exactly that size
                                * (hi 0: the whole object) */
} Fetch;

/* Where a streamed body goes (engine/s3/s3_stream.c): the read end of a pipe is read as the
 * input; tee, when >= 0, a temporary file of --cache-dir. */
typedef struct S3Out {
    int fd, tee;
} S3Out;

/* Writes a piece of a streamed body: to the pipe (blocking while it is full) and the tee.
 * Returns 0, or -1 when the reader closed its end. A failed tee is closed (tee -1). */
int s3_stream_write(S3Out *so, const char *p, size_t n);
/* GET of f with retries into out (appended); a 2xx body cut short is resumed with a Range
 * request; a wrong-region answer naming the right region is followed once. With so, the body
 * is written there as it arrives and out->len counts the bytes written (out->p unused). */
int s3_fetch(S3 *c, S3Handle *h, Fetch *f, LiqBuf *out, S3Out *so, char *err, size_t errlen);

/* Fills err with a printf-style message. */
void s3_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* s in place without leading blanks and trailing blanks and line ends. */
char *s3_trim(char *s);
/* Region, multipart settings and credentials, in the AWS CLI's order (s3_open). */
int s3_resolve(S3 *c, char *err, size_t errlen);
/* Credentials from the container endpoint or IMDS again, unless another thread did since
 * generation gen was used; 0 when newer credentials are in place. Takes c->rlock. */
int s3_refresh_creds(S3 *c, int gen);

#endif
