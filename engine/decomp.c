/* decomp.c -- gzip and zstd streaming decompression (see decomp.h)
 *
 * gzip goes through ISA-L's igzip inflate, several times faster than zlib's; zstd through
 * libzstd's streaming API. Both read their input from a mapped file or a descriptor.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <isa-l/igzip_lib.h>
#include <zstd.h>
#include "engine/decomp.h"

enum { IN_CHUNK = 1 << 18 };

struct Decomp {
    CompKind kind;
    /* input: a mapped buffer, or chunks read from fd into inbuf */
    const unsigned char *in;
    size_t inlen, inpos;   /* bytes available in `in`, and consumed */
    uint64_t consumed;     /* compressed bytes consumed before `in` (read mode) */
    int fd;                /* -1 when mapped */
    unsigned char *inbuf;
    int in_eof;
    /* state */
    struct inflate_state *gz;
    ZSTD_DCtx *zs;
    int done, failed;
    int member_started;    /* gzip: bytes of the current member were consumed */
    char err[256];
};

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
                    size_t prefixlen)
{
    Decomp *d = calloc(1, sizeof(*d));
    if (!d)
        abort();
    d->kind = kind;
    d->fd = map ? -1 : fd;
    if (map) {
        d->in = (const unsigned char *)map;
        d->inlen = mapsize;
        d->in_eof = 1;
    } else {
        d->inbuf = malloc(IN_CHUNK);
        if (!d->inbuf)
            abort();
        if (prefixlen > IN_CHUNK)
            prefixlen = IN_CHUNK;
        memcpy(d->inbuf, prefix, prefixlen);
        d->in = d->inbuf;
        d->inlen = prefixlen;
    }
    if (kind == COMP_GZIP) {
        d->gz = malloc(sizeof(*d->gz));
        if (!d->gz)
            abort();
        isal_inflate_init(d->gz);
        d->gz->crc_flag = ISAL_GZIP;
    } else {
        d->zs = ZSTD_createDCtx();
        if (!d->zs)
            abort();
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
            if (decomp_sniff(d->in + d->inpos, d->inlen - d->inpos) != COMP_GZIP &&
                d->inlen - d->inpos >= 2) {
                snprintf(d->err, sizeof(d->err),
                         "unexpected bytes after the gzip data at byte %llu",
                         (unsigned long long)offset(d));
                d->failed = 1;
                return -1;
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

static ssize_t zs_read(Decomp *d, char *buf, size_t cap)
{
    ZSTD_outBuffer out = {buf, cap, 0};
    size_t last = 1; /* ZSTD hint: 0 when a frame just ended */
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
        ZSTD_inBuffer in = {d->in + d->inpos, d->inlen - d->inpos, 0};
        last = ZSTD_decompressStream(d->zs, &out, &in);
        d->inpos += in.pos;
        if (ZSTD_isError(last)) {
            snprintf(d->err, sizeof(d->err), "corrupt zstd stream at byte %llu: %s",
                     (unsigned long long)offset(d), ZSTD_getErrorName(last));
            d->failed = 1;
            return out.pos ? (ssize_t)out.pos : -1;
        }
        d->member_started = last != 0;
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

void decomp_close(Decomp *d)
{
    if (!d)
        return;
    free(d->gz);
    if (d->zs)
        ZSTD_freeDCtx(d->zs);
    free(d->inbuf);
    free(d);
}

uint64_t decomp_offset(const Decomp *d)
{
    return offset(d);
}
