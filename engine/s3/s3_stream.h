/* s3_stream.h -- an S3 object read as a stream: downloaded by its own thread into a pipe
 *
 * s3_stream_open starts the download of an object on a thread of its own, which writes the
 * body, as it arrives, into a pipe (1 MiB where the system allows); the caller reads the
 * other end like any pipe, so decoding starts before the download ends and memory stays
 * bounded (the pipe, plus for a large object the ranged parts waiting to be written in
 * order: at most max_concurrent_requests of multipart_chunksize each). Retries, Range resume,
 * If-Match, regions and credentials are those of engine/s3.c. A failure ends the stream early:
 * the reader sees the end of the pipe, and s3_stream_close tells why (naming the fault, not
 * the object). With --cache-dir, a copy the listing's ETag names is not downloaded: its path
 * is given instead, to be read as a local file; a download is also written to a temporary
 * file of the cache, renamed into place when complete.
 *
 * The writer never waits on anything but the network and the pipe: closing the read end
 * (s3_stream_close) makes it stop soon (EPIPE, and a cancelled transfer), so a run that stops
 * early never waits for downloads.
 *
 * Ownership: the stream (and the read end) live until s3_stream_close.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_S3_STREAM_H
#define LIQ_S3_STREAM_H

#include <stddef.h>
#include <apr_pools.h>
#include "engine/s3/s3.h"

typedef struct S3Stream S3Stream;

/* Starts reading o. Returns 0 with *st a running stream, or 0 with *st NULL and *local the
 * path of the copy in --cache-dir (allocated in pool); -1 with err set. */
int s3_stream_open(S3 *c, apr_pool_t *pool, const S3Object *o, S3Stream **st,
                   const char **local, char *err, size_t errlen);
/* The read end of the stream's pipe. */
int s3_stream_fd(const S3Stream *st);
/* Closes the read end (a writer still busy stops soon), waits for the download thread and
 * frees the stream. Returns 0, or -1 with err set when the download failed (not when the
 * reader closed first). */
int s3_stream_close(S3Stream *st, char *err, size_t errlen);

#endif
