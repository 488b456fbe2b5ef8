/* enc.c -- text encodings of inputs (see enc.h); the only file that talks to iconv
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "engine/input/enc.h"

struct EncConv {
    iconv_t cd;
    size_t skip; /* bytes of the mark still to drop */
    size_t unit; /* bytes of a code unit: what an invalid one skips */
};

TextEnc enc_sniff(const char *p, size_t n, size_t *bom)
{
    const unsigned char *u = (const unsigned char *)p;
    *bom = 0;
    if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        *bom = 3;
        return ENC_UTF8_BOM;
    }
    if (n >= 4 && u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 && u[3] == 0) {
        *bom = 4;
        return ENC_UTF32LE;
    }
    if (n >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF) {
        *bom = 4;
        return ENC_UTF32BE;
    }
    if (n >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
        *bom = 2;
        return ENC_UTF16LE;
    }
    if (n >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
        *bom = 2;
        return ENC_UTF16BE;
    }
    /* no mark: UTF-16 when half or more of the high bytes of its code units are NUL (ASCII
     * characters), two at least, and (almost) none of the low ones are; UTF-8 has no NUL byte,
     * but one NUL is no evidence (JSONTestSuite's "123\0" is a line of text, not U+3231 '3') */
    size_t m = (n < 512 ? n : 512) & ~(size_t)1;
    if (m < 4)
        return ENC_UTF8;
    size_t nul[2] = {0, 0}, units = m / 2;
    for (size_t i = 0; i < m; i++)
        nul[i & 1] += u[i] == 0;
    if (nul[1] * 2 >= units && nul[1] >= 2 && nul[0] * 16 <= units)
        return ENC_UTF16LE;
    if (nul[0] * 2 >= units && nul[0] >= 2 && nul[1] * 16 <= units)
        return ENC_UTF16BE;
    return ENC_UTF8;
}

const char *enc_name(TextEnc e)
{
    static const char *const names[] = {"UTF-8",    "UTF-8",    "UTF-16LE",
                                        "UTF-16BE", "UTF-32LE", "UTF-32BE"};
    return e <= ENC_UTF32BE ? names[e] : "?";
}

EncConv *enc_open(TextEnc e, size_t skip)
{
    if (e != ENC_UTF16LE && e != ENC_UTF16BE && e != ENC_UTF32LE && e != ENC_UTF32BE)
        return NULL;
    iconv_t cd = iconv_open("UTF-8", enc_name(e));
    if (cd == (iconv_t)-1)
        return NULL;
    EncConv *c = mem_alloc(sizeof(*c));
    c->cd = cd;
    c->skip = skip;
    c->unit = e == ENC_UTF16LE || e == ENC_UTF16BE ? 2 : 4;
    return c;
}

/* U+FFFD REPLACEMENT CHARACTER, for what is no character */
static void replacement(char **o, size_t *left)
{
    memcpy(*o, "\xEF\xBF\xBD", 3);
    *o += 3;
    *left -= 3;
}

size_t enc_conv(EncConv *c, const char **in, size_t *inlen, char *out, size_t cap, int last)
{
    while (c->skip && *inlen) {
        (*in)++;
        (*inlen)--;
        c->skip--;
    }
    char *o = out;
    size_t left = cap;
    while (*inlen && left >= 4) {
        char *ip = (char *)(uintptr_t)*in; /* iconv's prototype wants char ** */
        size_t il = *inlen;
        size_t r = iconv(c->cd, &ip, &il, &o, &left);
        *inlen -= (size_t)(ip - *in);
        *in = ip;
        if (r != (size_t)-1 || errno == E2BIG)
            break;
        /* iconv may have filled out to less than the 3 bytes of a U+FFFD: the code units
         * that are no character wait for the next call (they overflowed out before) */
        if (errno == EINVAL) { /* the start of a character at the end of *in */
            if (!last || left < 3)
                break;
            *in += *inlen; /* the text ends there: no character */
            *inlen = 0;
            replacement(&o, &left);
            break;
        }
        /* EILSEQ: a code unit that is no character (a lone surrogate) */
        if (left < 3)
            break;
        size_t k = *inlen < c->unit ? *inlen : c->unit;
        *in += k;
        *inlen -= k;
        replacement(&o, &left);
    }
    return (size_t)(o - out);
}

void enc_close(EncConv *c)
{
    if (!c)
        return;
    iconv_close(c->cd);
    free(c);
}
