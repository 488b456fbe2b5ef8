/* decomp.h -- streaming decompression of gzip (ISA-L igzip) and zstd inputs
 *
 * A Decomp turns compressed bytes into plain bytes a block at a time, never holding the whole
 * output. Its input is either a mapped file (all bytes at once) or a file descriptor read in
 * chunks (pipes, stdin), optionally preceded by bytes already read to sniff the format.
 * gzip streams may hold several members (concatenated .gz files); zstd streams several
 * frames. Damage (a corrupt block, a bad checksum, a zstd frame whose output differs from the
 * content size its header declares, a stream cut short, bytes after the last member or frame
 * that start no other one) ends the stream with an error message naming the compressed byte
 * offset; everything decompressed before it has been returned.
 * A mapped input and a descriptor give the same bytes and the same verdict (liq's inputs use
 * the descriptor, src.h; the buffer form serves fuzz/fuzz_decomp.c).
 *
 * Ownership: decomp_open allocates with malloc; decomp_close frees everything, but for the
 * inflate state and input buffer it hands to the DecompSpares it was opened with (if any):
 * a set of those kept for the next streams of a run (a run's inputs, src.c), so that many
 * small files do not each allocate and fault in 340 KB. Thread-safe.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_DECOMP_H
#define LIQ_DECOMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef enum { COMP_NONE = 0, COMP_GZIP, COMP_ZSTD } CompKind;

typedef struct Decomp Decomp;
typedef struct DecompSpares DecompSpares;

/* A set of kept inflate states and input buffers (a few); freed with what it keeps, after
 * every Decomp opened with it is closed. */
DecompSpares *decomp_spares_new(void);
void decomp_spares_free(DecompSpares *sp);

/* The format that the first bytes announce (magic numbers, never the file name). */
CompKind decomp_sniff(const unsigned char *p, size_t n);
const char *decomp_name(CompKind k);

/* map/mapsize: the whole compressed input, or NULL to read fd; prefix: bytes already read from
 * fd (copied); spares: where its big parts come from and go back to (NULL: malloc and free). */
Decomp *decomp_open(CompKind kind, const char *map, size_t mapsize, int fd, const char *prefix,
                    size_t prefixlen, DecompSpares *spares);
/* Fills buf with up to cap plain bytes: > 0 bytes produced, 0 at the clean end of the stream,
 * -1 on damage or a read error (then decomp_error() says what and where). */
ssize_t decomp_read(Decomp *d, char *buf, size_t cap);
const char *decomp_error(const Decomp *d);
/* After decomp_read returned -1: 1 when the damage is trailing garbage after complete members
 * (gzip) or frames (zstd), so the plain bytes returned end where those members end (their
 * last line is whole as far as the stream tells); 0 for damage inside a member. */
int decomp_trailing(const Decomp *d);
/* Compressed bytes consumed so far (for progress). */
uint64_t decomp_offset(const Decomp *d);
void decomp_close(Decomp *d);

#endif
