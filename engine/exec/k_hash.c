/* k_hash.c -- hashing function kernels: md5, sha256
 *
 * Part 2 §4.7 of the language reference: the digest of a value's text (val_text: strings as
 * they are, input numbers as written), as lower-case hex. Null in, null out (L4). The digests
 * come from OpenSSL's libcrypto (EVP interface); liq does not implement cryptography itself.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <openssl/evp.h>
#include <apr_strings.h>
#include "engine/exec/expr.h"
#include "engine/exec/kern.h"

static void digest(const KArgs *a, const EVP_MD *md)
{
    static const char hex[] = "0123456789abcdef";
    LiqBuf t = {0}; /* formatted text of non-strings */
    FOR_ROWS(a->b)
    {
        const Datum *d = VGET(a->args[0], row);
        unsigned char h[EVP_MAX_MD_SIZE];
        unsigned int hn = 0;
        size_t n;
        if (d->type == VT_NULL) {
            a->out->d[row] = val_null();
            continue;
        }
        const char *s = val_text(d, &t, &n);
        if (!EVP_Digest(s, n, h, &hn, md, NULL)) {
            a->out->d[row] = val_null(); /* libcrypto failed (out of memory): no value */
            continue;
        }
        char *o = apr_palloc(a->b->pool, 2 * (size_t)hn + 1);
        for (unsigned int k = 0; k < hn; k++) {
            o[2 * k] = hex[h[k] >> 4];
            o[2 * k + 1] = hex[h[k] & 15];
        }
        o[2 * hn] = 0;
        a->out->d[row] = val_str(o, 2 * (size_t)hn);
    }
    buf_free(&t);
}

void k_fn_md5(const KArgs *a)
{
    digest(a, EVP_md5());
}

void k_fn_sha256(const KArgs *a)
{
    digest(a, EVP_sha256());
}
