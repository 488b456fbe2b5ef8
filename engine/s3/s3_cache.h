/* s3_cache.h -- downloaded S3 objects kept on disk (--cache-dir), keyed by bucket, key, ETag
 *
 * An object is stored as DIR/BUCKET/H.ETAG, where H is the SHA-256 of its key in hex (keys
 * may hold any byte and be longer than a file name) and ETAG its ETag without quotes (bytes
 * other than letters, digits, '-' and '_' become '_'). Files are written to a temporary name
 * in the same directory and renamed into place, so a reader never sees half an object and
 * concurrent runs may share a cache. Storing a new ETag of a key removes the older ones.
 * No byte of a key reaches a file name, so keys such as "../../x", "/abs" or "a/../../b" cannot
 * name a file outside DIR/BUCKET (tests/s3/oddkeys.sh). DIR (when made here) and each BUCKET
 * directory are made 0700, files 0600 (mkostemp), whatever the umask: only the user running
 * liq reads what was downloaded.
 *
 * Temporary files (DIR/BUCKET/.tmp.XXXXXX) left by runs that were killed: the run writing one
 * holds an exclusive flock(2) on its descriptor from its creation until it closes it to rename
 * it into place or remove it, and the kernel lets go of a process's locks however it ends
 * (Ctrl-C, SIGKILL, a crash). So s3_cache_init removes every temporary file of the cache that
 * it can lock: no live run is writing it. A concurrent run's file, on this machine or another
 * sharing the cache over NFS, is locked and kept, however long its download takes. Neither a
 * writer's PID (reused, and another machine's or container's means nothing here) nor a file's
 * age (a download may wait for its reader for hours) could tell that. A new temporary file is
 * checked after its lock is taken, in case a run sweeping at that instant took it for a dead
 * run's (then another is made); a run sweeping in the instant between a finished file's close
 * and its rename removes it, and the copy is lost (downloaded again next time), never wrong.
 * Where the file system has no locks, nothing is removed. A run that fails or stops early
 * removes its own temporary files itself.
 *
 * The caller decides when a copy is still good: when the listing's ETag names it, or after a
 * conditional GET (If-None-Match) answered 304 (engine/s3/s3.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_S3_CACHE_H
#define LIQ_S3_CACHE_H

#include <stddef.h>
#include <apr_pools.h>

/* Creates DIR when missing, and removes the temporary files of runs that were killed (above).
 * Returns 0, or -1 with err set. */
int s3_cache_init(const char *dir, char *err, size_t errlen);
/* The file of bucket/key with this ETag (NULL when the ETag is empty or the bucket name
 * cannot be a directory name). */
const char *s3_cache_path(apr_pool_t *pool, const char *dir, const char *bucket,
                          const char *key, const char *etag);
/* The cached copy of bucket/key whatever its ETag: its path, and in *etag its ETag quoted as
 * S3 sends it; NULL when there is none. */
const char *s3_cache_find(apr_pool_t *pool, const char *dir, const char *bucket,
                          const char *key, const char **etag);
/* Reads a cached file into a malloc'd buffer (NULL when empty). Returns 0, or -1. */
int s3_cache_read(const char *path, char **data, size_t *len);
/* Stores data as bucket/key with this ETag (temporary file, then rename). Returns 0, or -1
 * (the run goes on without the copy). */
int s3_cache_store(apr_pool_t *pool, const char *dir, const char *bucket, const char *key,
                   const char *etag, const char *data, size_t len);

/* Streamed downloads: a temporary file in bucket's directory (its path in *tmp; the
 * descriptor holds the lock that marks it live, and is closed on exec), written by the caller;
 * the caller closes it, then s3_cache_commit renames it into place as bucket/key with this
 * ETag (or removes it). Return a descriptor / 0, or -1. */
int s3_cache_tmp(apr_pool_t *pool, const char *dir, const char *bucket, const char **tmp);
int s3_cache_commit(apr_pool_t *pool, const char *dir, const char *bucket, const char *key,
                    const char *etag, const char *tmp);

#endif
