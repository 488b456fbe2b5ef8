/* s3_stream.c -- an S3 object downloaded by its own thread into a pipe (see s3_stream.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/mem.h"
#include "engine/s3/s3_cache.h"
#include "engine/s3/s3_int.h"
#include "engine/s3/s3_stream.h"

enum { S3_PIPE_SIZE = 1 << 20 };

struct S3Stream {
    S3 *c;
    const S3Object *o;
    int rfd;              /* the reader's end */
    S3Out out;            /* the writer's end, and the cache's temporary file */
    _Atomic int cancel;   /* the reader is gone: transfers stop */
    pthread_t thread;
    char *err;            /* why the download failed (malloc), or NULL; read after the join */
};

int s3_stream_write(S3Out *so, const char *p, size_t n)
{
    if (so->tee >= 0) {
        for (size_t done = 0; done < n;) {
            ssize_t w = write(so->tee, p + done, n - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) { /* a full disk costs the next run a download, not this one */
                close(so->tee);
                so->tee = -2; /* failed: the temporary file is removed */
                break;
            }
            done += (size_t)w;
        }
    }
    for (size_t done = 0; done < n;) {
        ssize_t w = write(so->fd, p + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1; /* EPIPE: SIGPIPE is blocked in this thread (and ignored by liq) */
        done += (size_t)w;
    }
    return 0;
}

/* ===== Large objects: parallel ranges, written in order ===== */

typedef struct Parts {
    S3 *c;
    const S3Object *o;
    S3Out *out;
    uint64_t nparts, next, written; /* parts; the next to fetch; the next to write */
    const _Atomic int *cancel;
    pthread_mutex_t lock;
    pthread_cond_t turn; /* written moved on, or failed */
    int failed;
    char err[512];
} Parts;

static void *part_main(void *arg)
{
    Parts *p = arg;
    S3Handle *h = s3_handle_new(p->cancel);
    for (;;) {
        pthread_mutex_lock(&p->lock);
        uint64_t i = p->next < p->nparts && !p->failed ? p->next++ : p->nparts;
        pthread_mutex_unlock(&p->lock);
        if (i >= p->nparts)
            break;
        uint64_t lo = i * p->c->part_size, hi = lo + p->c->part_size;
        if (hi > p->o->size)
            hi = p->o->size;
        LiqBuf b = {mem_alloc((size_t)(hi - lo)), 0, (size_t)(hi - lo)}; /* never grows */
        Fetch f = {p->o->bucket, p->o->key, NULL, p->o->etag, NULL, "", 0, lo, hi};
        char err[512] = "cannot create a libcurl handle";
        int bad = !h || s3_fetch(p->c, h, &f, &b, NULL, err, sizeof(err)) != 0 ||
                  b.len != hi - lo;
        /* wait for the turn of this part: the parts before it are written first, so a
         * failure keeps every byte before it */
        pthread_mutex_lock(&p->lock);
        while (!p->failed && p->written != i)
            pthread_cond_wait(&p->turn, &p->lock);
        int go = !p->failed && !bad;
        if (!p->failed && bad) {
            snprintf(p->err, sizeof(p->err), "%s", err);
            p->failed = 1;
        }
        pthread_mutex_unlock(&p->lock);
        int wrote = go && s3_stream_write(p->out, b.p, b.len) == 0;
        free(b.p);
        pthread_mutex_lock(&p->lock);
        if (go && !wrote) {
            snprintf(p->err, sizeof(p->err), "%s", "the reader stopped");
            p->failed = 1;
        }
        if (wrote)
            p->written++;
        pthread_cond_broadcast(&p->turn);
        int stop = p->failed;
        pthread_mutex_unlock(&p->lock);
        if (stop)
            break;
    }
    s3_handle_free(h);
    return NULL;
}

/* Downloads a listed object of o->size bytes in parts of c->part_size on up to
 * c->part_threads threads (the calling one among them), each with If-Match the listing's
 * ETag, and writes them out in order. */
static int get_parts(S3 *c, S3Handle *h, const S3Object *o, S3Out *out, char *err,
                     size_t errlen)
{
    Parts p = {c, o, out, (o->size + c->part_size - 1) / c->part_size, 0, 0, h->cancel,
               PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, ""};
    int nt = (uint64_t)c->part_threads < p.nparts ? c->part_threads : (int)p.nparts;
    pthread_t th[64];
    int started = 0;
    for (int i = 1; i < nt && i <= 64; i++) /* the calling thread is the first */
        if (pthread_create(&th[started], NULL, part_main, &p) == 0)
            started++;
    part_main(&p);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&p.lock);
    pthread_cond_destroy(&p.turn);
    if (p.failed)
        s3_fail(err, errlen, "%s", p.err);
    return p.failed ? -1 : 0;
}

/* ===== The download thread ===== */

/* Writes the cached copy at path into the stream (after a 304). */
static int copy_file(S3Out *out, const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        s3_fail(err, errlen, "cannot read the cached copy %s", path);
        return -1;
    }
    char buf[65536];
    int rc = 0;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            s3_fail(err, errlen, "cannot read the cached copy %s", path);
            rc = -1;
        }
        if (r <= 0 || s3_stream_write(out, buf, (size_t)r) != 0)
            break;
    }
    close(fd);
    return rc;
}

static int download(S3Stream *st, S3Handle *h, char *err, size_t errlen)
{
    S3 *c = st->c;
    const S3Object *o = st->o;
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL); /* not c->pool: download threads run at once */
    Fetch f = {o->bucket, o->key, NULL, o->etag, NULL, "", 0, 0, 0};
    const char *cached = NULL, *tmp = NULL;
    if (c->cache_dir) {
        if (!o->etag) /* named without a listing: ask whether the copy is current */
            cached = s3_cache_find(pool, c->cache_dir, o->bucket, o->key, &f.if_none_match);
        st->out.tee = s3_cache_tmp(pool, c->cache_dir, o->bucket, &tmp);
    }
    LiqBuf b = {0}; /* counts the bytes written */
    int rc;
    if (o->size >= c->part_threshold && o->size > c->part_size && c->part_threads > 1) {
        rc = get_parts(c, h, o, &st->out, err, errlen);
        f.got_etag[0] = 0;
    } else {
        rc = s3_fetch(c, h, &f, &b, &st->out, err, errlen);
    }
    if (rc == 0 && f.not_modified) {
        if (st->out.tee >= 0) {
            close(st->out.tee);
            unlink(tmp);
        }
        st->out.tee = -1;
        rc = copy_file(&st->out, cached, err, errlen);
        if (rc == 0)
            __atomic_add_fetch(&c->cached, 1, __ATOMIC_RELAXED);
    }
    if (st->out.tee >= 0) { /* a failed store only costs the next run a download */
        int ok = close(st->out.tee) == 0 && rc == 0;
        const char *etag = f.got_etag[0] ? f.got_etag : o->etag;
        if (!ok || !etag || s3_cache_commit(pool, c->cache_dir, o->bucket, o->key, etag, tmp))
            unlink(tmp);
    } else if (st->out.tee == -2) {
        unlink(tmp);
    }
    st->out.tee = -1;
    apr_pool_destroy(pool);
    return rc;
}

static void *stream_main(void *arg)
{
    S3Stream *st = arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE); /* a reader gone is EPIPE, not the end of the process */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    S3Handle *h = s3_handle_new(&st->cancel);
    char err[1024] = "cannot create a libcurl handle";
    int rc = h ? download(st, h, err, sizeof(err)) : -1;
    s3_handle_free(h);
    if (rc != 0 && !st->cancel) {
        st->err = mem_strdup(err);
    }
    close(st->out.fd); /* the reader sees the end */
    return NULL;
}

int s3_stream_open(S3 *c, apr_pool_t *pool, const S3Object *o, S3Stream **stp,
                   const char **local, char *err, size_t errlen)
{
    *stp = NULL;
    *local = NULL;
    if (c->cache_dir && o->etag) { /* the listing's ETag names a copy: read it in place */
        const char *path = s3_cache_path(pool, c->cache_dir, o->bucket, o->key, o->etag);
        struct stat sb;
        if (path && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
            (!o->size || (uint64_t)sb.st_size == o->size)) {
            __atomic_add_fetch(&c->cached, 1, __ATOMIC_RELAXED);
            *local = path;
            return 0;
        }
    }
    S3Stream *st = mem_calloc(1, sizeof(*st));
    st->c = c;
    st->o = o;
    st->out.tee = -1;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        s3_fail(err, errlen, "cannot make a pipe: %s", strerror(errno));
        free(st);
        return -1;
    }
    (void)fcntl(fds[1], F_SETPIPE_SZ, S3_PIPE_SIZE); /* else the default 64 KiB */
    st->rfd = fds[0];
    st->out.fd = fds[1];
    if (pthread_create(&st->thread, NULL, stream_main, st) != 0) {
        s3_fail(err, errlen, "%s", "cannot start a download thread");
        close(fds[0]);
        close(fds[1]);
        free(st);
        return -1;
    }
    *stp = st;
    return 0;
}

int s3_stream_fd(const S3Stream *st)
{
    return st->rfd;
}

int s3_stream_close(S3Stream *st, char *err, size_t errlen)
{
    st->cancel = 1;
    close(st->rfd);
    pthread_join(st->thread, NULL);
    int rc = 0;
    if (st->err) {
        s3_fail(err, errlen, "%s", st->err);
        rc = -1;
    }
    free(st->err);
    free(st);
    return rc;
}
