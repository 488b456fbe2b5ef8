/* enc.h -- text encodings of inputs: UTF-8 (with or without a byte order mark), UTF-16 and
 * UTF-32, decoded into UTF-8 before anything else reads the bytes (issue 14)
 *
 * Everything after the reader (formats, JSON, timestamps, the query) reads UTF-8. An input is
 * told by its first plain bytes (after decompression), never by its name (enc_sniff):
 *   - a byte order mark: EF BB BF (UTF-8), FF FE / FE FF (UTF-16 LE / BE),
 *     FF FE 00 00 / 00 00 FE FF (UTF-32 LE / BE);
 *   - UTF-16 without one, when its first 512 bytes look like it: NUL bytes in half or more
 *     of the odd positions (LE) or of the even ones (BE), and in none of the other half; an
 *     ASCII or UTF-8 text has no NUL, so it is never taken for UTF-16.
 * A UTF-8 mark is dropped (src.c skips it). Other encodings go through an EncConv, which
 * converts with iconv(3) and drops the mark: code units that are no character (a lone
 * surrogate, an odd last byte) become U+FFFD, as invalid UTF-8 does in JSON output (L25),
 * so a damaged input loses no line. An encoding the C library cannot convert is refused by
 * the caller with a clear message (enc_open returns NULL), never read as NUL-riddled text.
 *
 * Ownership: enc_open allocates with malloc; enc_close frees.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_ENC_H
#define LIQ_ENC_H

#include <stddef.h>

typedef enum {
    ENC_UTF8 = 0, /* no mark: read as is */
    ENC_UTF8_BOM, /* EF BB BF: read as is after the mark */
    ENC_UTF16LE,
    ENC_UTF16BE,
    ENC_UTF32LE,
    ENC_UTF32BE,
} TextEnc;

/* The encoding of a text from its first n bytes; *bom: the bytes of its byte order mark
 * (0 when it has none). */
TextEnc enc_sniff(const char *p, size_t n, size_t *bom);
/* Its name for messages: "UTF-16LE", ... */
const char *enc_name(TextEnc e);

typedef struct EncConv EncConv;

/* A converter of e (not ENC_UTF8 nor ENC_UTF8_BOM) into UTF-8 that first drops skip bytes of
 * its input (the mark), or NULL when the C library cannot convert e. */
EncConv *enc_open(TextEnc e, size_t skip);
/* Converts from *in (*inlen bytes), advancing both, into out (cap >= 16 bytes); returns the
 * bytes written. Stops when out is full or *in holds only the start of a character (kept for
 * the next call: pass the rest again with more bytes after it). With last set, *in is the end
 * of the text: what cannot be a whole character becomes U+FFFD. */
size_t enc_conv(EncConv *c, const char **in, size_t *inlen, char *out, size_t cap, int last);
void enc_close(EncConv *c);

#endif
