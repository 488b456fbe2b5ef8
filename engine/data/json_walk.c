/* json_walk.c -- the parts of the one JSON walker that are not inlined: string unescaping,
 * the container bits past 1024 levels, and json_skip, the walk with no visitor (see
 * json_walk.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "engine/data/json_walk.h"

/* ===== Strings ===== */

static void put_hex_utf8(char *out, size_t *o, uint32_t cp)
{
    if (cp < 0x80) {
        out[(*o)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*o)++] = (char)(0xC0 | (cp >> 6));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*o)++] = (char)(0xE0 | (cp >> 12));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*o)++] = (char)(0xF0 | (cp >> 18));
        out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    }
}

static int hex4(const char *s, uint32_t *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        *v <<= 4;
        if (c >= '0' && c <= '9')
            *v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            *v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            *v |= (uint32_t)(c - 'A' + 10);
        else
            return 0;
    }
    return 1;
}

char *json_unescape(const char *s, size_t len, size_t *outlen, apr_pool_t *pool)
{
    char *out = apr_palloc(pool, len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\\') {
            out[o++] = s[i];
            continue;
        }
        if (++i >= len)
            return NULL;
        switch (s[i]) {
        case '"': out[o++] = '"'; break;
        case '\\': out[o++] = '\\'; break;
        case '/': out[o++] = '/'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            uint32_t cp, lo;
            if (i + 4 >= len || !hex4(s + i + 1, &cp))
                return NULL;
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < len && s[i + 1] == '\\' &&
                s[i + 2] == 'u' && hex4(s + i + 3, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            } else if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = 0xFFFD; /* a lone surrogate */
            }
            put_hex_utf8(out, &o, cp);
            break;
        }
        default:
            return NULL;
        }
    }
    out[o] = 0;
    *outlen = o;
    return out;
}

/* ===== The walker's shared parts ===== */

uint64_t *json_walk_grow(uint64_t *bits, size_t *cap, const uint64_t *local)
{
    uint64_t *nb = mem_alloc(*cap / 4); /* twice the bits; never NULL (base/mem.h) */
    memcpy(nb, bits, *cap / 8);
    if (bits != local)
        free(bits);
    *cap *= 2;
    return nb;
}

const char *json_skip(const char *p, const char *end)
{
    static const JsonVisitor none = {0};
    return json_walk(p, end, &none, NULL);
}
