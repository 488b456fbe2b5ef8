/* fuzz_decomp.c -- libFuzzer target: gzip and zstd streams -> decomp_open/decomp_read
 *
 * The input is a compressed stream, damaged or not. Its format comes from its magic bytes, as
 * engine/input/src.c does, and an input with neither magic is skipped: src.c never decompresses one
 * (and libzstd then takes legacy v0.5 frames, whose 4-byte magic split from the rest fails
 * where the whole frame decodes). The stream is decoded twice: from memory (the mapped-file
 * path, 4096-byte reads) and from a descriptor (the pipe/stdin path with a 4-byte sniffed
 * prefix, 977-byte reads). Neither may crash or hang; an error must come with a message and
 * stick (every later read fails too); a clean end must stay an end. Both paths must agree on
 * the verdict, and when both end cleanly, on every byte. Output is capped (decompression
 * bombs are not bugs). Both decoders take their inflate state and input buffer from one set of
 * spares that lives as long as the fuzzer, as a run's inputs share theirs: a state left by
 * the input before must change nothing.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "engine/input/decomp.h"
#include "fuzz/fuzz.h"

enum { OUT_CAP = 8 << 20 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

/* Reads d to its end, an error, or OUT_CAP bytes. Returns 1 clean end, -1 error, 0 capped. */
static int drain(Decomp *d, size_t chunk, LiqBuf *out)
{
    char *buf = malloc(chunk);
    if (!buf)
        abort();
    int verdict = 0;
    while (out->len < OUT_CAP) {
        ssize_t r = decomp_read(d, buf, chunk);
        FUZZ_CHECK(r >= -1 && r <= (ssize_t)chunk, "decomp_read returned more than asked");
        if (r == 0) {
            verdict = 1;
            FUZZ_CHECK(decomp_read(d, buf, chunk) == 0, "a clean end did not stay an end");
            break;
        }
        if (r < 0) {
            verdict = -1;
            const char *e = decomp_error(d);
            FUZZ_CHECK(e != NULL && e[0] != 0, "a decompression error without a message");
            FUZZ_CHECK(decomp_read(d, buf, chunk) == -1, "an error did not stick");
            break;
        }
        buf_add(out, buf, (size_t)r);
    }
    free(buf);
    return verdict;
}

static DecompSpares *spares; /* kept across inputs, as across a run's files */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!spares)
        spares = decomp_spares_new();
    if (size > 1 << 20)
        return 0;
    CompKind kind = decomp_sniff(data, size);
    if (kind == COMP_NONE)
        return 0;
    FUZZ_CHECK(decomp_name(kind) != NULL, "a format without a name");

    /* from memory, as a mapped file; a private copy so reads past the end are caught */
    LiqBuf a = {0}, b = {0};
    char *copy = malloc(size); /* size >= 2: the magic matched */
    if (!copy)
        abort();
    memcpy(copy, data, size);
    Decomp *d = decomp_open(kind, copy, size, -1, NULL, 0, spares);
    int va = drain(d, 4096, &a);
    decomp_close(d);
    free(copy);

    /* from a descriptor, after sniffing 4 bytes as engine/input/src.c does */
    int fd = fuzz_memfd(data, size);
    char head[4];
    size_t got = 0;
    while (got < sizeof(head)) {
        ssize_t r = read(fd, head + got, sizeof(head) - got);
        FUZZ_CHECK(r >= 0, "reading the in-memory file failed");
        if (r == 0)
            break;
        got += (size_t)r;
    }
    d = decomp_open(kind, NULL, 0, fd, head, got, spares);
    int vb = drain(d, 977, &b);
    decomp_close(d);
    close(fd);

    if (va != 0 && vb != 0) {
        FUZZ_CHECK(va == vb, "memory and descriptor paths disagree on the verdict");
        if (va == 1)
            FUZZ_CHECK(a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0),
                       "memory and descriptor paths decoded different bytes");
    }
    buf_free(&a);
    buf_free(&b);
    return 0;
}
