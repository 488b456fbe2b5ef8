/* dec_lambda.c -- fields of AWS Lambda platform lines: START, END, REPORT (§7.3, L18)
 *
 * A record whose message is a platform line -- bare, or after a timestamp and a stream name as
 * in `aws logs tail` output -- yields @type, @requestId, and for REPORT lines @duration,
 * @billedDuration and @initDuration in milliseconds, @memorySize and @maxMemoryUsed in bytes
 * (MB x 1,000,000, as Insights reports them), and @xrayTraceId/@xraySegmentId from an XRAY
 * trailer. Other records yield nothing. Numbers keep no text of their own: they print as the
 * numbers Insights computes (128 MB -> 128000000).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "base/num.h"
#include "engine/input/dec_lambda.h"

/* Finds "<word> RequestId: " at the start of the message or after white space within its
 * first 256 bytes. */
static const char *platform(const char *s, size_t n, const char *word, size_t wl)
{
    size_t lim = n < 256 ? n : 256;
    for (size_t i = 0; i + wl + 12 <= lim; i++) {
        if ((i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t') && memcmp(s + i, word, wl) == 0 &&
            memcmp(s + i + wl, " RequestId: ", 12) == 0)
            return s + i + wl + 12;
    }
    return NULL;
}

/* The number after "<label>: " in the tab-separated REPORT fields, scaled. */
static int number_after(const char *s, size_t n, const char *label, double scale, Datum *out)
{
    size_t ll = strlen(label);
    const char *p = memmem(s, n, label, ll);
    if (!p)
        return 0;
    p += ll;
    const char *e = s + n, *b = p;
    while (p < e && ((*p >= '0' && *p <= '9') || *p == '.'))
        p++;
    double v;
    if (p == b || !num_parse(b, (size_t)(p - b), &v))
        return 0;
    *out = val_num(v * scale);
    return 1;
}

static Datum token_after(const char *s, size_t n, const char *label)
{
    size_t ll = strlen(label);
    const char *p = memmem(s, n, label, ll);
    if (!p)
        return val_null();
    p += ll;
    const char *e = p;
    while (e < s + n && *e != '\t' && *e != ' ' && *e != '\n' && *e != '\r')
        e++;
    return e > p ? val_str(p, (size_t)(e - p)) : val_null();
}

int dec_lambda(const char *s, size_t n, Datum out[LAMBDA_NFIELDS])
{
    static const struct {
        const char *word;
        size_t len;
    } kinds[] = {{"START", 5}, {"END", 3}, {"REPORT", 6}};
    for (int f = 0; f < LAMBDA_NFIELDS; f++)
        out[f] = val_null();
    /* most records are not platform lines: one search for what every kind needs (platform()
     * looks within the first 256 bytes) settles them, whatever the loops below cost */
    if (!memmem(s, n < 256 ? n : 256, "RequestId: ", 11))
        return 0;
    for (int k = 0; k < 3; k++) {
        const char *id = platform(s, n, kinds[k].word, kinds[k].len);
        if (!id)
            continue;
        const char *e = id;
        while (e < s + n && *e != '\t' && *e != ' ' && *e != '\n' && *e != '\r')
            e++;
        out[LAMBDA_TYPE] = val_str(id - 12 - kinds[k].len, kinds[k].len);
        out[LAMBDA_REQUEST_ID] = val_str(id, (size_t)(e - id));
        if (k == 2) {
            size_t rest = (size_t)(s + n - e);
            number_after(e, rest, "\tDuration: ", 1, &out[LAMBDA_DURATION]);
            number_after(e, rest, "Billed Duration: ", 1, &out[LAMBDA_BILLED]);
            number_after(e, rest, "Memory Size: ", 1e6, &out[LAMBDA_MEMORY]);
            number_after(e, rest, "Max Memory Used: ", 1e6, &out[LAMBDA_MAX_MEMORY]);
            number_after(e, rest, "Init Duration: ", 1, &out[LAMBDA_INIT]);
            out[LAMBDA_XRAY_TRACE] = token_after(e, rest, "XRAY TraceId: ");
            out[LAMBDA_XRAY_SEGMENT] = token_after(e, rest, "SegmentId: ");
        }
        return 1;
    }
    return 0;
}
