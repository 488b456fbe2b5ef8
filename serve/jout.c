/* jout.c -- small JSON helpers of the server: strings out through esc_json (base/esc.c),
 * fields of a request read from its jdom tree (engine/data/jdom.h), base64, the log line
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include "base/esc.h"
#include "engine/data/jdom.h"
#include "serve/srv_int.h"

void jo_str(LiqBuf *b, const char *s)
{
    esc_json(b, s, strlen(s));
}

void jo_key(LiqBuf *b, const char *key)
{
    jo_str(b, key);
    buf_addc(b, ':');
}

const char *jo_get_str(apr_pool_t *p, const JdNode *o, const char *key)
{
    const JdNode *v = o && o->type == JD_OBJ ? jdom_get(o, key, strlen(key)) : NULL;
    return v && v->type == JD_STR ? apr_pstrndup(p, v->s, v->len) : NULL;
}

int jo_get_num(const JdNode *o, const char *key, double *v)
{
    const JdNode *n = o && o->type == JD_OBJ ? jdom_get(o, key, strlen(key)) : NULL;
    if (!n || n->type == JD_NULL)
        return 0;
    if (n->type != JD_NUM)
        return -1;
    *v = n->num;
    return 1;
}

void srv_log(Srv *s, const char *fmt, ...)
{
    char when[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    LiqBuf b = {0};
    buf_printf(&b, "liq serve: %s ", when);
    va_list ap;
    va_start(ap, fmt);
    char tmp[1024];
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    buf_adds(&b, tmp);
    buf_addc(&b, '\n');
    pthread_mutex_lock(&s->log_lock);
    fwrite(b.p, 1, b.len, s->log);
    fflush(s->log);
    pthread_mutex_unlock(&s->log_lock);
    buf_free(&b);
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void b64_enc(LiqBuf *b, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        buf_addc(b, B64[v >> 18 & 63]);
        buf_addc(b, B64[v >> 12 & 63]);
        if (i + 1 < n)
            buf_addc(b, B64[v >> 6 & 63]);
        if (i + 2 < n)
            buf_addc(b, B64[v & 63]);
    }
}

int b64_dec(apr_pool_t *pool, const char *s, char **out)
{
    size_t n = strlen(s);
    char *o = apr_palloc(pool, n + 1);
    size_t k = 0;
    unsigned v = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        const char *c = s[i] ? strchr(B64, s[i]) : NULL;
        if (!c)
            return -1;
        v = v << 6 | (unsigned)(c - B64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o[k++] = (char)(v >> bits & 255);
        }
    }
    o[k] = 0;
    *out = o;
    return (int)k;
}
