/* dec_lambda.c -- fields of AWS Lambda platform lines: START, END, REPORT (§7.3, L18)
 *
 * A record whose message is a platform line -- bare, or after a timestamp and a stream name as
 * in `aws logs tail` output -- yields @type, @requestId, and for REPORT lines @duration,
 * @billedDuration and @initDuration in milliseconds, @memorySize and @maxMemoryUsed in bytes
 * (MB x 1,000,000, as Insights reports them), and @xrayTraceId/@xraySegmentId from an XRAY
 * trailer. Other records yield nothing. Numbers keep no text of their own: they print as the
 * numbers Insights computes (128 MB -> 128000000).
 *
 * The fields of a REPORT line are separated by tabs, and the XRAY trailer by a newline. Lines
 * that went through JSON once more than they should (issue 14) carry those characters
 * escaped: `\t` (a backslash and a t) in a message a JSON export decoded, `\\t` in its raw
 * JSON text, and a JSON line that holds the message in a string (`"message":"REPORT
 * RequestId: ...`) has the platform word right after a quote. So a separator is a tab, a
 * newline, or backslashes followed by t, n or r; the platform word may follow a quote or a
 * separator; and a request id or X-Ray token ends at a backslash or a quote too. Lines whose
 * tabs became spaces are read the same way (labels are found by their text).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "base/num.h"
#include "engine/input/dec_lambda.h"

/* Is s[0..i) ended by a separator: a tab, a newline or a CR, or backslashes and t, n or r (the
 * escaped forms)? */
static int after_sep(const char *s, size_t i)
{
    if (i == 0)
        return 0;
    char c = s[i - 1];
    if (c == '\t' || c == '\n' || c == '\r')
        return 1;
    return i >= 2 && (c == 't' || c == 'n' || c == 'r') && s[i - 2] == '\\';
}

/* Finds "<word> RequestId: " at the start of the message or after white space, a quote or a
 * separator (after_sep) within its first 256 bytes. */
static const char *platform(const char *s, size_t n, const char *word, size_t wl)
{
    size_t lim = n < 256 ? n : 256;
    for (size_t i = 0; i + wl + 12 <= lim; i++) {
        if ((i == 0 || s[i - 1] == ' ' || s[i - 1] == '"' || after_sep(s, i)) &&
            memcmp(s + i, word, wl) == 0 && memcmp(s + i + wl, " RequestId: ", 12) == 0)
            return s + i + wl + 12;
    }
    return NULL;
}

/* The end of a token (a request id, an X-Ray id) starting at p: white space, a backslash (an
 * escaped separator) or a quote (the end of the JSON string holding the line). */
static const char *token_end(const char *p, const char *e)
{
    while (p < e && *p != '\t' && *p != ' ' && *p != '\n' && *p != '\r' && *p != '\\' &&
           *p != '"')
        p++;
    return p;
}

/* The first "<label>" in s[0..n) (label ends with ": "). "Duration: " is the one not
 * preceded by "Billed ", "Init " or "Restore ". */
static const char *find_label(const char *s, size_t n, const char *label, size_t ll)
{
    static const struct {
        const char *w;
        size_t n;
    } not_after[] = {{"Billed ", 7}, {"Init ", 5}, {"Restore ", 8}};
    int plain_duration = ll == 10 && memcmp(label, "Duration: ", 10) == 0;
    const char *p = s, *e = s + n;
    while (p < e) {
        const char *hit = memmem(p, (size_t)(e - p), label, ll);
        if (!hit)
            return NULL;
        int ok = 1;
        for (size_t k = 0; plain_duration && k < 3; k++)
            if ((size_t)(hit - s) >= not_after[k].n &&
                memcmp(hit - not_after[k].n, not_after[k].w, not_after[k].n) == 0)
                ok = 0;
        if (ok)
            return hit + ll;
        p = hit + 1;
    }
    return NULL;
}

/* The number after "<label>" in the REPORT fields, scaled. */
static int number_after(const char *s, size_t n, const char *label, double scale, Datum *out)
{
    const char *p = find_label(s, n, label, strlen(label));
    if (!p)
        return 0;
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
    const char *p = find_label(s, n, label, strlen(label));
    if (!p)
        return val_null();
    const char *e = token_end(p, s + n);
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
        const char *e = token_end(id, s + n);
        out[LAMBDA_TYPE] = val_str(id - 12 - kinds[k].len, kinds[k].len);
        out[LAMBDA_REQUEST_ID] = val_str(id, (size_t)(e - id));
        if (k == 2) {
            size_t rest = (size_t)(s + n - e);
            number_after(e, rest, "Duration: ", 1, &out[LAMBDA_DURATION]);
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
