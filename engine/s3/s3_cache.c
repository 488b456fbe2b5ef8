/* s3_cache.c -- the on-disk cache of S3 objects (see s3_cache.h, which also says how the
 * temporary files of killed runs are told from live ones: by the flock their writer holds)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "engine/s3/s3_cache.h"

#define TMP_PREFIX ".tmp."

/* ===== Temporary files of runs that were killed ===== */

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Removes path, a temporary file, when no process holds its lock: its writer is gone. The
 * lock taken here is let go at the close. path must still name the file locked (it may have
 * been renamed into place, and its name reused, between the open and the lock). */
static void remove_if_dead(const char *path)
{
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return; /* gone, or another user's */
    struct stat fs, ps;
    if (fstat(fd, &fs) == 0 && S_ISREG(fs.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
        lstat(path, &ps) == 0 && same_file(&fs, &ps))
        unlink(path);
    close(fd);
}

/* Removes the dead temporary files of every bucket directory of dir. */
static void sweep(const char *dir)
{
    DIR *top = opendir(dir);
    if (!top)
        return;
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    struct dirent *b;
    while ((b = readdir(top)) != NULL) {
        if (b->d_name[0] == '.') /* bucket names never start with '.' (bucket_dir) */
            continue;
        const char *bd = apr_pstrcat(pool, dir, "/", b->d_name, NULL);
        DIR *d = opendir(bd);
        if (!d)
            continue; /* not a directory */
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
                remove_if_dead(apr_pstrcat(pool, bd, "/", e->d_name, NULL));
        closedir(d);
        apr_pool_clear(pool);
    }
    closedir(top);
    apr_pool_destroy(pool);
}

int s3_cache_init(const char *dir, char *err, size_t errlen)
{
    struct stat st;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "--cache-dir %s: %s", dir, strerror(errno));
        return -1;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "--cache-dir %s: not a directory", dir);
        return -1;
    }
    sweep(dir);
    return 0;
}

/* The SHA-256 of the key in hex: 64 characters. */
static const char *key_hash(apr_pool_t *pool, const char *key)
{
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned hn = 0;
    char *out = apr_palloc(pool, 65);
    if (!EVP_Digest(key, strlen(key), h, &hn, EVP_sha256(), NULL) || hn != 32)
        return NULL;
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
    return out;
}

static const char *bucket_dir(apr_pool_t *pool, const char *dir, const char *bucket)
{
    if (!*bucket || bucket[0] == '.' || strchr(bucket, '/'))
        return NULL;
    return apr_pstrcat(pool, dir, "/", bucket, NULL);
}

static const char *etag_name(apr_pool_t *pool, const char *etag)
{
    size_t n = strlen(etag);
    char *out = apr_palloc(pool, n + 1), *o = out;
    for (const char *p = etag; *p; p++) {
        char ch = *p;
        if (ch == '"')
            continue;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '-' || ch == '_';
        *o++ = ok ? ch : '_';
    }
    *o = 0;
    return *out ? out : NULL;
}

const char *s3_cache_path(apr_pool_t *pool, const char *dir, const char *bucket,
                          const char *key, const char *etag)
{
    const char *bd = bucket_dir(pool, dir, bucket), *h = key_hash(pool, key);
    const char *e = etag ? etag_name(pool, etag) : NULL;
    if (!bd || !h || !e)
        return NULL;
    return apr_pstrcat(pool, bd, "/", h, ".", e, NULL);
}

/* Calls fn for every file of bucket_dir named H.something; stops when fn returns nonzero. */
static void each_copy(apr_pool_t *pool, const char *bd, const char *h,
                      int (*fn)(apr_pool_t *, const char *bd, const char *name, void *),
                      void *ud)
{
    DIR *d = opendir(bd);
    if (!d)
        return;
    struct dirent *e;
    size_t hl = strlen(h);
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, h, hl) == 0 && e->d_name[hl] == '.' && e->d_name[hl + 1])
            if (fn(pool, bd, e->d_name, ud))
                break;
    closedir(d);
}

typedef struct Found {
    const char *path, *etag;
    size_t hl;
} Found;

static int take_first(apr_pool_t *pool, const char *bd, const char *name, void *ud)
{
    Found *f = ud;
    f->path = apr_pstrcat(pool, bd, "/", name, NULL);
    f->etag = apr_pstrcat(pool, "\"", name + f->hl + 1, "\"", NULL);
    return 1;
}

const char *s3_cache_find(apr_pool_t *pool, const char *dir, const char *bucket,
                          const char *key, const char **etag)
{
    const char *bd = bucket_dir(pool, dir, bucket), *h = key_hash(pool, key);
    Found f = {NULL, NULL, h ? strlen(h) : 0};
    if (bd && h)
        each_copy(pool, bd, h, take_first, &f);
    *etag = f.etag;
    return f.path;
}

int s3_cache_read(const char *path, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    size_t n = (size_t)st.st_size, got = 0;
    char *p = n ? mem_alloc(n) : NULL;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != n) {
        free(p);
        return -1;
    }
    *data = p;
    *len = n;
    return 0;
}

typedef struct Keep {
    const char *name; /* the copy just stored */
} Keep;

static int drop_other(apr_pool_t *pool, const char *bd, const char *name, void *ud)
{
    const Keep *k = ud;
    if (strcmp(name, k->name) != 0)
        unlink(apr_pstrcat(pool, bd, "/", name, NULL));
    return 0;
}

/* Takes the lock that marks the new temporary file t (open as fd) live. 0 when a run sweeping
 * the cache took t for a dead run's before the lock (it holds t's lock, or has removed t). */
static int lock_new(int fd, const char *t)
{
    if (flock(fd, LOCK_EX | LOCK_NB) != 0)
        return errno != EWOULDBLOCK; /* else no locks on this file system: nothing is swept */
    struct stat fs, ps;
    return fstat(fd, &fs) == 0 && stat(t, &ps) == 0 && same_file(&fs, &ps);
}

int s3_cache_tmp(apr_pool_t *pool, const char *dir, const char *bucket, const char **tmp)
{
    *tmp = NULL;
    const char *bd = bucket_dir(pool, dir, bucket);
    if (!bd || (mkdir(bd, 0700) != 0 && errno != EEXIST))
        return -1;
    for (int attempt = 0; attempt < 8; attempt++) {
        char *t = apr_pstrcat(pool, bd, "/" TMP_PREFIX "XXXXXX", NULL);
        int fd = mkostemp(t, O_CLOEXEC); /* a child (credential_process) must not hold the lock */
        if (fd < 0)
            return -1;
        if (lock_new(fd, t)) {
            *tmp = t;
            return fd;
        }
        close(fd); /* the sweeping run removes t */
    }
    return -1;
}

int s3_cache_commit(apr_pool_t *pool, const char *dir, const char *bucket, const char *key,
                    const char *etag, const char *tmp)
{
    const char *path = s3_cache_path(pool, dir, bucket, key, etag);
    if (!path || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    const char *bd = bucket_dir(pool, dir, bucket);
    const char *name = strrchr(path, '/') + 1;
    Keep k = {name};
    char h[65];
    snprintf(h, sizeof(h), "%.64s", name);
    each_copy(pool, bd, h, drop_other, &k);
    return 0;
}

int s3_cache_store(apr_pool_t *pool, const char *dir, const char *bucket, const char *key,
                   const char *etag, const char *data, size_t len)
{
    const char *tmp;
    int fd = s3_cache_tmp(pool, dir, bucket, &tmp);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    if (close(fd) != 0 || done != len) {
        unlink(tmp);
        return -1;
    }
    return s3_cache_commit(pool, dir, bucket, key, etag, tmp);
}
