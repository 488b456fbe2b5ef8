/* decomp.c -- gzip and zstd streaming decompression (see decomp.h)
 *
 * gzip goes through ISA-L's igzip inflate, several times faster than zlib's; zstd through
 * libzstd's streaming API. Both read their input from a mapped file or a descriptor.
 *
 * zstd input is fed in the pieces libzstd asks for (its next-input hint: a frame header, then
 * one block at a time), so that a mapped file and a pipe decode the same way: libzstd's
 * single-pass shortcut, taken only when a whole frame is in memory, checks more than its
 * streaming path did (an empty last block skips the content-size check), and an error inside
 * a call drops the bytes that call produced. Every frame's output is counted and compared
 * with the content size its header declares.
 *
 * After a gzip member or a zstd frame ends, the next bytes must start another one (gzip also
 * allows zero padding). Anything else is trailing garbage: it ends the stream with an error,
 * after every byte of the members before it has been returned (as zcat prints them; see
 * issue 11: a call used to drop what it had produced before finding the garbage), and
 * decomp_trailing() tells the caller that the damage lies after complete members.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <isa-l/igzip_lib.h>
#include <zstd.h>
#include "base/mem.h"
#include "engine/input/decomp.h"

enum { IN_CHUNK = 1 << 18 };
/* zstd frame headers: the bytes that tell a header's size, and the longest header
 * (ZSTD_FRAMEHEADERSIZE_PREFIX and _MAX, which zstd.h shows only to static linking) */
enum { ZSTD_HDR_MIN = 5, ZSTD_HDR_MAX = 18 };

struct Decomp {
    CompKind kind;
    /* input: a mapped buffer, or chunks read from fd into inbuf */
    const unsigned char *in;
    size_t inlen, inpos;   /* bytes available in `in`, and consumed */
    uint64_t consumed;     /* compressed bytes consumed before `in` (read mode) */
    int fd;                /* -1 when mapped */
    unsigned char *inbuf;
    int in_eof;
    DecompSpares *spares;  /* where its inflate state and input buffer go at close (or NULL) */
    /* state */
    struct inflate_state *gz;
    ZSTD_DCtx *zs;
    int done, failed;
    int member_started;    /* bytes of the current gzip member / zstd frame were consumed */
    int trailing;          /* the error is garbage after complete members or frames */
    /* zstd: the current frame */
    size_t zhint;          /* input libzstd asks for next (0: a frame starts) */
    int zflush;            /* the last call filled the output: flush before feeding more */
    uint64_t frame_at;     /* compressed offset of the frame */
    uint64_t frame_out;    /* plain bytes it produced so far */
    unsigned char zhdr[ZSTD_HDR_MAX]; /* its first bytes, for the declared content size */
    size_t zhdrlen;
    char err[256];
};

/* The big parts of closed Decomps, kept for the next ones (decomp.h, DecompSpares; issue 21):
 * ISA-L's inflate states (87 KB, zeroed for each stream) and the 256 KB input buffers. New
 * ones for each of 10,000 small gzip files cost page faults and glibc's heap growing and
 * shrinking (Q6 at 2 threads: a fifth of the CPU in memset of fresh pages and in the kernel,
 * twice the CPU of 1 thread); a kept one is zeroed while in cache. One set for a run's inputs
 * (its Src), not one per thread: a file is often opened by a worker reading ahead and closed
 * by another. At most SPARE_MAX of each are kept: the files open at once are a few per worker. */
enum { SPARE_MAX = 8 };
typedef struct Spares {
    void *p[SPARE_MAX];
    int n;
} Spares;
struct DecompSpares {
    pthread_mutex_t lock;
    Spares gz, inbuf;
};

DecompSpares *decomp_spares_new(void)
{
    DecompSpares *sp = mem_calloc(1, sizeof(*sp));
    pthread_mutex_init(&sp->lock, NULL);
    return sp;
}

void decomp_spares_free(DecompSpares *sp)
{
    if (!sp)
        return;
    for (int i = 0; i < sp->gz.n; i++)
        free(sp->gz.p[i]);
    for (int i = 0; i < sp->inbuf.n; i++)
        free(sp->inbuf.p[i]);
    pthread_mutex_destroy(&sp->lock);
    free(sp);
}

/* Keeps p in the list s of sp for a later spare_take, or frees it (no sp, or s full). */
static void spare_keep(DecompSpares *sp, Spares *s, void *p)
{
    int kept = 0;
    if (sp && p) {
        pthread_mutex_lock(&sp->lock);
        kept = s->n < SPARE_MAX;
        if (kept)
            s->p[s->n++] = p;
        pthread_mutex_unlock(&sp->lock);
    }
    if (!kept)
        free(p);
}

/* A kept one of the list s of sp (no longer kept), or a new one of size bytes. */
static void *spare_take(DecompSpares *sp, Spares *s, size_t size)
{
    void *p = NULL;
    if (sp) {
        pthread_mutex_lock(&sp->lock);
        p = s->n ? s->p[--s->n] : NULL;
        pthread_mutex_unlock(&sp->lock);
    }
    return p ? p : mem_alloc(size);
}

CompKind decomp_sniff(const unsigned char *p, size_t n)
{
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return COMP_GZIP;
    if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        return COMP_ZSTD;
    return COMP_NONE;
}

const char *decomp_name(CompKind k)
{
    return k == COMP_GZIP ? "gzip" : k == COMP_ZSTD ? "zstd" : "plain";
}

Decomp *decomp_open(CompKind kind, const char *map, size_t mapsize, int fd, const char *prefix,
                    size_t prefixlen, DecompSpares *spares)
{
    Decomp *d = mem_calloc(1, sizeof(*d));
    d->kind = kind;
    d->spares = spares;
    d->fd = map ? -1 : fd;
    if (map) {
        d->in = (const unsigned char *)map;
        d->inlen = mapsize;
        d->in_eof = 1;
    } else {
        d->inbuf = spare_take(spares, spares ? &spares->inbuf : NULL, IN_CHUNK);
        if (prefixlen > IN_CHUNK)
            prefixlen = IN_CHUNK;
        if (prefixlen)
            memcpy(d->inbuf, prefix, prefixlen);
        d->in = d->inbuf;
        d->inlen = prefixlen;
    }
    if (kind == COMP_GZIP) {
        /* zeroed: ISA-L takes a back-reference reaching before the start of the stream (zlib
         * refuses it: "invalid distance too far back") and copies from the window in its
         * state; unzeroed, those bytes were whatever malloc gave, and a damaged file's records
         * changed from run to run (fuzz/crashes/run/gzip-distance-too-far-back) */
        d->gz = spare_take(spares, spares ? &spares->gz : NULL, sizeof(*d->gz));
        memset(d->gz, 0, sizeof(*d->gz));
        isal_inflate_init(d->gz);
        d->gz->crc_flag = ISAL_GZIP;
    } else {
        d->zs = ZSTD_createDCtx();
        if (!d->zs)
            mem_fail(0); /* zstd allocates with malloc and says nothing else */
    }
    return d;
}

/* Makes unread input available (read mode); returns 0 at the end of the input. */
static int refill(Decomp *d)
{
    if (d->inpos < d->inlen)
        return 1;
    if (d->in_eof)
        return 0;
    d->consumed += d->inlen;
    d->inpos = d->inlen = 0;
    for (;;) {
        ssize_t r = read(d->fd, d->inbuf, IN_CHUNK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(d->err, sizeof(d->err), "read error: %s", strerror(errno));
            d->failed = 1;
            return 0;
        }
        if (r == 0) {
            d->in_eof = 1;
            return 0;
        }
        d->inlen = (size_t)r;
        return 1;
    }
}

static uint64_t offset(const Decomp *d)
{
    return d->consumed + d->inpos;
}

/* Makes at least n unread bytes available when the input still holds them (read mode moves
 * the unread rest to the front of the buffer and reads more); returns the bytes available. */
static size_t want(Decomp *d, size_t n)
{
    while (d->inlen - d->inpos < n && !d->in_eof && !d->failed) {
        size_t rest = d->inlen - d->inpos;
        if (d->inpos) {
            memmove(d->inbuf, d->inbuf + d->inpos, rest);
            d->consumed += d->inpos;
            d->inpos = 0;
            d->inlen = rest;
        }
        ssize_t r = read(d->fd, d->inbuf + d->inlen, IN_CHUNK - d->inlen);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(d->err, sizeof(d->err), "read error: %s", strerror(errno));
            d->failed = 1;
        } else if (r == 0) {
            d->in_eof = 1;
        } else {
            d->inlen += (size_t)r;
        }
    }
    return d->inlen - d->inpos;
}

/* Garbage after complete members or frames: the error names where it starts. */
static void trailing(Decomp *d, const char *what)
{
    snprintf(d->err, sizeof(d->err), "trailing garbage after %s at byte %llu", what,
             (unsigned long long)offset(d));
    d->failed = 1;
    d->trailing = 1;
}

static const char *gz_reason(int rc)
{
    switch (rc) {
    case ISAL_INVALID_BLOCK:
        return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
        return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
        return "invalid back-reference distance";
    case ISAL_INVALID_WRAPPER:
        return "invalid gzip header";
    case ISAL_INCORRECT_CHECKSUM:
        return "checksum mismatch (CRC32 or length)";
    case ISAL_NEED_DICT:
        return "stream needs a preset dictionary";
    default:
        return "corrupt data";
    }
}

static ssize_t gz_read(Decomp *d, char *buf, size_t cap)
{
    struct inflate_state *s = d->gz;
    size_t produced = 0;
    while (produced < cap && !d->done) {
        if (s->block_state == ISAL_BLOCK_FINISH) {
            /* end of a member: another member may follow (concatenated gzip) */
            if (!refill(d)) {
                d->done = 1;
                break;
            }
            /* trailing zero bytes (padding) end the stream quietly */
            while (d->inpos < d->inlen && d->in[d->inpos] == 0)
                d->inpos++;
            if (d->inpos == d->inlen)
                continue;
            /* anything but the start of another member is garbage; what this call produced
             * before it is returned (the error shows at the next call) */
            size_t avail = want(d, 2);
            if (d->failed && !d->trailing)
                return produced ? (ssize_t)produced : -1; /* a read error */
            if (decomp_sniff(d->in + d->inpos, avail) != COMP_GZIP) {
                trailing(d, "gzip member");
                return produced ? (ssize_t)produced : -1;
            }
            isal_inflate_reset(s);
            s->crc_flag = ISAL_GZIP;
            d->member_started = 0;
        }
        if (!refill(d)) {
            if (d->failed)
                return -1;
            if (d->member_started || s->block_state != ISAL_BLOCK_NEW_HDR) {
                snprintf(d->err, sizeof(d->err), "truncated gzip stream: it ends at byte %llu "
                                                 "in the middle of compressed data",
                         (unsigned long long)offset(d));
                d->failed = 1;
                return produced ? (ssize_t)produced : -1;
            }
            d->done = 1;
            break;
        }
        s->next_in = (uint8_t *)(uintptr_t)(d->in + d->inpos);
        s->avail_in = (uint32_t)(d->inlen - d->inpos > UINT32_MAX ? UINT32_MAX
                                                                   : d->inlen - d->inpos);
        s->next_out = (uint8_t *)buf + produced;
        s->avail_out = (uint32_t)(cap - produced);
        uint32_t before_in = s->avail_in;
        int rc = isal_inflate(s);
        d->inpos += before_in - s->avail_in;
        if (before_in != s->avail_in)
            d->member_started = 1;
        produced = cap - s->avail_out;
        if (rc < 0) {
            snprintf(d->err, sizeof(d->err), "corrupt gzip stream at byte %llu: %s",
                     (unsigned long long)offset(d), gz_reason(rc));
            d->failed = 1;
            return produced ? (ssize_t)produced : -1;
        }
    }
    return (ssize_t)produced;
}

/* Records the compressed bytes a call consumed that may belong to the frame header. */
static void zs_header(Decomp *d, const unsigned char *p, size_t n)
{
    size_t room = ZSTD_HDR_MAX - d->zhdrlen;
    if (n > room)
        n = room;
    memcpy(d->zhdr + d->zhdrlen, p, n);
    d->zhdrlen += n;
}

/* A frame ended: its output must match the content size its header declares, if any. */
static int zs_frame_end(Decomp *d)
{
    unsigned long long want = ZSTD_getFrameContentSize(d->zhdr, d->zhdrlen);
    if (want == ZSTD_CONTENTSIZE_UNKNOWN || want == ZSTD_CONTENTSIZE_ERROR ||
        want == d->frame_out)
        return 0;
    snprintf(d->err, sizeof(d->err),
             "corrupt zstd stream at byte %llu: the frame declares %llu bytes of content "
             "but holds %llu",
             (unsigned long long)d->frame_at, want, (unsigned long long)d->frame_out);
    d->failed = 1;
    return -1;
}

static ssize_t zs_read(Decomp *d, char *buf, size_t cap)
{
    ZSTD_outBuffer out = {buf, cap, 0};
    if (d->zflush) { /* output left over from the last block: flush it, feeding nothing */
        ZSTD_inBuffer none = {d->in, 0, 0};
        size_t rc = ZSTD_decompressStream(d->zs, &out, &none);
        if (ZSTD_isError(rc)) {
            snprintf(d->err, sizeof(d->err), "corrupt zstd stream at byte %llu: %s",
                     (unsigned long long)offset(d), ZSTD_getErrorName(rc));
            d->failed = 1;
            return -1;
        }
        d->frame_out += out.pos;
        d->zflush = out.pos == out.size;
        if (d->zflush)
            return (ssize_t)out.pos;
        if (rc == 0) {
            if (zs_frame_end(d) != 0)
                return out.pos ? (ssize_t)out.pos : -1;
            d->member_started = 0;
            d->zhint = 0;
        } else {
            d->zhint = rc;
        }
    }
    while (out.pos < out.size && !d->done) {
        if (!refill(d)) {
            if (d->failed)
                return out.pos ? (ssize_t)out.pos : -1;
            if (d->member_started) {
                snprintf(d->err, sizeof(d->err), "truncated zstd stream: it ends at byte %llu "
                                                 "in the middle of a frame",
                         (unsigned long long)offset(d));
                d->failed = 1;
                return out.pos ? (ssize_t)out.pos : -1;
            }
            d->done = 1;
            break;
        }
        if (!d->member_started && d->zhint == 0) { /* a frame starts: its header first */
            /* after a frame: another frame (or a skippable one) must follow, else garbage */
            size_t avail = want(d, 4);
            if (d->failed)
                return out.pos ? (ssize_t)out.pos : -1; /* a read error */
            const unsigned char *p = d->in + d->inpos;
            if (offset(d) > 0 && decomp_sniff(p, avail) != COMP_ZSTD &&
                !(avail >= 4 && (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d &&
                  p[3] == 0x18)) {
                trailing(d, "zstd frame");
                return out.pos ? (ssize_t)out.pos : -1;
            }
            d->frame_at = offset(d);
            d->frame_out = 0;
            d->zhdrlen = 0;
            d->zhint = ZSTD_HDR_MIN;
        }
        size_t avail = d->inlen - d->inpos;
        ZSTD_inBuffer in = {d->in + d->inpos, avail < d->zhint ? avail : d->zhint, 0};
        size_t before = out.pos;
        size_t last = ZSTD_decompressStream(d->zs, &out, &in);
        zs_header(d, d->in + d->inpos, in.pos);
        d->inpos += in.pos;
        if (ZSTD_isError(last)) {
            snprintf(d->err, sizeof(d->err), "corrupt zstd stream at byte %llu: %s",
                     (unsigned long long)offset(d), ZSTD_getErrorName(last));
            d->failed = 1;
            return out.pos ? (ssize_t)out.pos : -1;
        }
        d->frame_out += out.pos - before;
        d->member_started = last != 0;
        if (last == 0) { /* the frame ended, all flushed */
            if (zs_frame_end(d) != 0)
                return out.pos ? (ssize_t)out.pos : -1;
            d->zhint = 0;
        } else {
            d->zhint = last;
            d->zflush = out.pos == out.size;
        }
    }
    return (ssize_t)out.pos;
}

ssize_t decomp_read(Decomp *d, char *buf, size_t cap)
{
    if (d->failed)
        return -1;
    if (d->done)
        return 0;
    return d->kind == COMP_GZIP ? gz_read(d, buf, cap) : zs_read(d, buf, cap);
}

const char *decomp_error(const Decomp *d)
{
    return d->err;
}

int decomp_trailing(const Decomp *d)
{
    return d->failed && d->trailing;
}

void decomp_close(Decomp *d)
{
    if (!d)
        return;
    spare_keep(d->spares, d->spares ? &d->spares->gz : NULL, d->gz);
    if (d->zs)
        ZSTD_freeDCtx(d->zs);
    spare_keep(d->spares, d->spares ? &d->spares->inbuf : NULL, d->inbuf);
    free(d);
}

uint64_t decomp_offset(const Decomp *d)
{
    return offset(d);
}
