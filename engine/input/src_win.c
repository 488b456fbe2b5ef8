/* src_win.c -- a window of a plain file's bytes, read with pread (see src_win.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/mem.h"
#include "engine/input/src_win.h"

ssize_t src_pread(int fd, char *buf, size_t n, uint64_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

void src_win_open(SrcWin *w, int fd, size_t lim)
{
    w->fd = fd;
    w->lim = lim;
    w->at = w->len = 0;
    w->shrunk = w->err = 0;
}

void src_win_close(SrcWin *w)
{
    free(w->buf);
    memset(w, 0, sizeof(*w));
}

const char *src_win_get(SrcWin *w, size_t off, size_t want, size_t *got)
{
    if (off >= w->lim) {
        *got = 0;
        return "";
    }
    if (want > w->lim - off)
        want = w->lim - off;
    if (off >= w->at && off + want <= w->at + w->len) {
        *got = w->at + w->len - off;
        return w->buf + (off - w->at);
    }
    size_t rd = want > SRC_WIN ? want : SRC_WIN;
    if (rd > w->lim - off)
        rd = w->lim - off;
    if (rd > w->cap) {
        char *nb = mem_realloc(w->buf, rd);
        w->buf = nb;
        w->cap = rd;
    }
    ssize_t r = src_pread(w->fd, w->buf, rd, off);
    size_t n = r > 0 ? (size_t)r : 0;
    if (r < 0)
        w->err = errno;
    if (n < rd) { /* the file ends (or fails) before lim now */
        w->shrunk = 1;
        w->lim = off + n;
    }
    w->at = off;
    w->len = n;
    *got = n;
    return w->buf;
}

size_t src_win_find(SrcWin *w, size_t off, size_t lim, char c)
{
    while (off < lim && off < w->lim) {
        size_t got;
        const char *p = src_win_get(w, off, SRC_WIN, &got);
        if (got > lim - off)
            got = lim - off;
        if (got == 0)
            break;
        const char *q = memchr(p, c, got);
        if (q)
            return off + (size_t)(q - p);
        off += got;
    }
    return lim < w->lim ? lim : w->lim;
}

