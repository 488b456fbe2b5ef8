/* num.c -- numbers as text: the strict syntax liq reads and the shortest form it writes
 * (see num.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "base/num.h"

/* Strict number syntax: [+-]? digits [. digits] [e [+-] digits], also ".5" and "5.". No white
 * space, no hex, no inf/nan: "200" and "2e2" are numbers, " 200" and "0x10" are not. */
int num_parse(const char *s, size_t len, double *out)
{
    size_t i = 0;
    int digits = 0;
    char tmp[400];
    if (len == 0)
        return 0;
    if (s[i] == '+' || s[i] == '-')
        i++;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (!digits)
        return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        int ed = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++, ed++;
        if (!ed)
            return 0;
    }
    if (i != len)
        return 0;
    if (len <= 16) { /* fast path: an integer of up to 15 digits is exact in a double */
        size_t k = s[0] == '-' || s[0] == '+';
        int64_t v = 0;
        for (; k < len && s[k] >= '0' && s[k] <= '9'; k++)
            v = v * 10 + (s[k] - '0');
        if (k == len && digits <= 15) {
            *out = s[0] == '-' ? -(double)v : (double)v;
            return 1;
        }
    }
    char *t = len < sizeof(tmp) ? tmp : mem_alloc(len + 1); /* strtod wants a terminator */
    memcpy(t, s, len);
    t[len] = 0;
    *out = strtod(t, NULL);
    if (t != tmp)
        free(t);
    return 1;
}

/* Numbers as output text (L11): integral values without a fraction, others in the shortest
 * form that reads back to the same double; never an exponent. */
void num_format(LiqBuf *b, double f)
{
    char tmp[512];
    if (isnan(f)) {
        buf_adds(b, "NaN");
        return;
    }
    if (isinf(f)) {
        buf_adds(b, f > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (f == floor(f) && fabs(f) < 9.007199254740992e15) {
        snprintf(tmp, sizeof(tmp), "%lld", (long long)f);
        buf_adds(b, tmp);
        return;
    }
    /* shortest round-trip digits in exponent form, then written out positionally */
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, f);
        if (strtod(tmp, NULL) == f)
            break;
    }
    char *e = strchr(tmp, 'e');
    int exp10 = atoi(e + 1);
    *e = 0;
    char digits[32];
    int nd = 0, neg = tmp[0] == '-';
    for (char *p = tmp + neg; *p; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (neg)
        buf_addc(b, '-');
    int point = exp10 + 1; /* digits before the decimal point */
    if (point <= 0) {
        buf_adds(b, "0.");
        for (int i = 0; i < -point; i++)
            buf_addc(b, '0');
        buf_add(b, digits, (size_t)nd);
    } else if (point >= nd) {
        buf_add(b, digits, (size_t)nd);
        for (int i = nd; i < point; i++)
            buf_addc(b, '0');
    } else {
        buf_add(b, digits, (size_t)point);
        buf_addc(b, '.');
        buf_add(b, digits + point, (size_t)(nd - point));
    }
}
