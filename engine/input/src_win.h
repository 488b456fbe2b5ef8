/* src_win.h -- reading a plain file by offset through a window of its bytes (pread, no mapping)
 *
 * The sources (src.c) cut morsels of plain files and the time seek (seek.c) probes their lines
 * through a SrcWin: the bytes [at, at + len) of the file read with pread, never a mapping, so
 * a file truncated while read cannot fault and never shows bytes it does not hold. lim: the
 * bytes it may read; a read that comes back short (the file shrank, or an error: err) lowers
 * lim to where the bytes ended and sets shrunk.
 *
 * Ownership: the window's buffer is malloc'd and freed by src_win_close.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_SRC_WIN_H
#define LIQ_SRC_WIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum { SRC_WIN = 16384 }; /* bytes a SrcWin reads at least */

typedef struct SrcWin {
    int fd;
    size_t lim;
    char *buf; /* malloc'd, cap bytes */
    size_t cap, at, len;
    int shrunk;
    int err; /* the errno of a read that failed, else 0 */
} SrcWin;

/* Reads n bytes at off (fewer only at the end of the file): the count, or -1 (errno) when a
 * read fails, whatever it read before. */
ssize_t src_pread(int fd, char *buf, size_t n, uint64_t off);
void src_win_open(SrcWin *w, int fd, size_t lim); /* keeps the buffer of an earlier use */
void src_win_close(SrcWin *w);
/* Bytes from off through the window: *got of them (at least min(want, lim - off) unless a
 * read came back short); the pointer stays valid until the next call. */
const char *src_win_get(SrcWin *w, size_t off, size_t want, size_t *got);
/* The offset of the first byte c in [off, lim) (lim no more than w->lim), or where the bytes
 * end when there is none: lim, or less when the file ended early (w->shrunk). */
size_t src_win_find(SrcWin *w, size_t off, size_t lim, char c);

#endif
