/* fuzz_input.c -- libFuzzer target: a whole input file -> every input format liq recognises
 *
 * Byte 0 of the input chooses how the file is read, the rest is the file:
 *   bits 0-3  --input-format: 1-12 json, text, cwexport, firehose, logevents, cloudtrail, vpc,
 *             alb, elb, s3access, cloudfront, route53 (fmt_user_names); 0 and 13-15 none: the
 *             format is told by content (fmt_sniff, syslog_sniff, ts_sniff_form, enc_sniff)
 *   bit 4     --tz Europe/Paris
 *   bits 5-6  nothing, --timestamp-format "%d/%b/%Y:%H:%M:%S %z", --timestamp-field time,
 *             --multiline-start '^\S'
 *   bit 7     the file is zstd-compressed first (ZSTD_compress): the same records must come
 *             out of the decompressing stream reader as out of the mapped plain file
 * The file goes through the real reader (engine/input/src.c: encoding, format detection,
 * record cutting, multi-line records, container documents, JSON sequences), the decoders
 * (JSON flattening, columns, syslog fields, Lambda platform lines, timestamps) and out:
 *   - a query listing the common fields and the ones syslog, Lambda and the positional
 *     formats give, run with 3-row batches and prefilters, and with full batches without:
 *     the two outputs must be the same bytes (L1), and the same again from the compressed file;
 *   - liq_fields_query (--fields): every field every record has, which walks each decoder's
 *     enumeration of its fields.
 * Then, directly: syslog_parse/syslog_each and dec_lambda on every line, and a UTF-16/32 file
 * converted whole and in pieces of 1..16 bytes (enc_conv) must give the same UTF-8.
 *
 * One target with a selector byte rather than one per format: the formats share the reader
 * and the decoders, the selector lets an input found under one format be tried under the
 * others, and a single corpus seeded with a file of each format keeps each format's coverage
 * (seeded from the inputs of tests/golden and the files of corpora/; the Runs log in
 * fuzz/README counts CPU for the target as a whole).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>
#include "engine/input/dec_lambda.h"
#include "engine/input/enc.h"
#include "engine/input/syslog.h"
#include "fuzz/fuzz.h"

static const char *const formats[16] = {
    NULL,   "json", "text", "cwexport", "firehose",   "logevents", "cloudtrail", "vpc",
    "alb",  "elb",  "s3access", "cloudfront", "route53", NULL,      NULL,         NULL};

static const char QUERY[] =
    "fields @timestamp, @message, @logStream, @log, @ingestionTime, host, program, pid, "
    "msgid, structuredData, facility, severity, @type, @requestId, @duration, @maxMemoryUsed, "
    "@initDuration, srcaddr, action, elb_status_code, request, status, level, time";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static void run_one(apr_pool_t *pool, LiqQuery *lq, const char *path, uint32_t batch,
                    int no_prefilter, uint8_t sel, FuzzOut *out)
{
    const char *inputs[] = {path};
    LiqRunOptions ro;
    memset(&ro, 0, sizeof(ro));
    ro.threads = 1;
    ro.batch_rows = batch;
    ro.max_line = (size_t)1 << 20;
    ro.no_prefilter = no_prefilter;
    ro.inputs = inputs;
    ro.ninputs = 1;
    ro.input_format = formats[sel & 15];
    ro.tz = (sel & 16) ? "Europe/Paris" : NULL;
    ro.year = 2026; /* not the memfd's modification time: the same for every run */
    switch ((sel >> 5) & 3) {
    case 1:
        ro.ts_format = "%d/%b/%Y:%H:%M:%S %z";
        break;
    case 2:
        ro.ts_field = "time";
        break;
    case 3:
        ro.multiline_start = "^\\S";
        break;
    }
    fuzz_run_query_opts(pool, lq, &ro, QUERY, sizeof(QUERY) - 1, out);
}

/* a line at a time: syslog fields and Lambda platform fields, straight from the decoders */
static void each_field(void *ctx, const char *name, size_t len, const Datum *v)
{
    (void)v;
    FUZZ_CHECK(name != NULL && len > 0, "a syslog field without a name");
    (*(int *)ctx)++;
}

static void lines(apr_pool_t *pool, const char *p, size_t n)
{
    SyslogKind k = syslog_sniff(p, n);
    for (size_t i = 0; i < n;) {
        const char *e = memchr(p + i, '\n', n - i);
        size_t len = e ? (size_t)(e - p - i) : n - i;
        const char *s = p + i;
        for (int kind = SYSLOG_3164; kind <= SYSLOG_5424; kind++) {
            SyslogRec r;
            if (!syslog_parse((SyslogKind)kind, s, len, &r))
                continue;
            FUZZ_CHECK(r.pri >= -1 && r.pri <= 191, "a syslog <PRI> out of range");
            const char *parts[] = {r.host, r.program, r.pid, r.msgid, r.sd, r.msg};
            uint32_t lens[] = {r.host_len, r.program_len, r.pid_len, r.msgid_len, r.sd_len,
                               r.msg_len};
            for (int j = 0; j < 6; j++)
                FUZZ_CHECK(lens[j] == 0 || (parts[j] >= s && parts[j] + lens[j] <= s + len),
                           "a syslog part outside its line");
            int nf = 0;
            syslog_each(&r, pool, each_field, &nf);
            Datum v;
            (void)syslog_get(&r, "structuredData", 14, pool, &v);
            (void)syslog_get(&r, "host", 4, pool, &v);
        }
        (void)k;
        Datum out[LAMBDA_NFIELDS];
        (void)dec_lambda(s, len, out);
        i += len + 1;
    }
}

/* a UTF-16/32 text converted whole and in pieces must give the same UTF-8 */
static void encodings(const char *p, size_t n, uint8_t step)
{
    size_t bom;
    TextEnc e = enc_sniff(p, n, &bom);
    FUZZ_CHECK(bom <= n, "a byte order mark longer than the text");
    if (e == ENC_UTF8 || e == ENC_UTF8_BOM)
        return;
    LiqBuf whole = {0}, parts = {0};
    char out[64];
    for (int pass = 0; pass < 2; pass++) {
        EncConv *c = enc_open(e, bom);
        if (!c)
            return;
        LiqBuf *b = pass ? &parts : &whole;
        size_t fed = 0, avail = pass ? 0 : n; /* bytes of p handed to the converter */
        const char *in = p;
        size_t inlen = avail;
        for (;;) {
            if (pass && fed < n) { /* hand over up to step more bytes */
                size_t more = step < n - fed ? step : n - fed;
                fed += more;
                inlen += more;
            } else if (!pass) {
                fed = n;
            }
            int last = fed == n;
            size_t before;
            do {
                before = inlen;
                size_t w = enc_conv(c, &in, &inlen, out, sizeof(out), last);
                FUZZ_CHECK(w <= sizeof(out), "enc_conv wrote past its buffer");
                buf_add(b, out, w);
                if (w == 0 && inlen == before)
                    break;
            } while (inlen > 0);
            if (last) {
                FUZZ_CHECK(inlen == 0, "enc_conv left bytes at the end of the text");
                break;
            }
        }
        enc_close(c);
    }
    FUZZ_CHECK(whole.len == parts.len &&
                   (whole.len == 0 || memcmp(whole.p, parts.p, whole.len) == 0),
               "a text converts differently in pieces than whole");
    buf_free(&whole);
    buf_free(&parts);
}

static int same(const FuzzOut *a, const FuzzOut *b)
{
    return a->rows == b->rows && a->text.len == b->text.len &&
           (a->text.len == 0 || memcmp(a->text.p, b->text.p, a->text.len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1 << 16)
        return 0;
    uint8_t sel = data[0];
    const char *file = (const char *)data + 1;
    size_t n = size - 1;
    apr_pool_t *pool = fuzz_pool_new();

    LiqDiagList *diags = diag_list_new(pool);
    LiqQuery *q1 = liq_compile(pool, QUERY, sizeof(QUERY) - 1, diags);
    LiqQuery *q2 = liq_compile(pool, QUERY, sizeof(QUERY) - 1, diags);
    LiqQuery *fq = liq_fields_query(pool);
    FUZZ_CHECK(q1 && q2 && fq, "the fixed queries do not compile");

    int fd = fuzz_memfd(file, n);
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    FuzzOut a = {{0}, 0}, b = {{0}, 0}, f = {{0}, 0};
    run_one(pool, q1, path, 3, 0, sel, &a);
    run_one(pool, q2, path, 2048, 1, sel, &b);
    FUZZ_CHECK(same(&a, &b), "output depends on batch size or prefiltering");
    run_one(pool, fq, path, 2048, 0, sel, &f);
    close(fd); /* the compressed file takes its number: the same path, @logStream and @log */

    if (sel & 128) {
        size_t cap = ZSTD_compressBound(n);
        char *z = malloc(cap ? cap : 1);
        if (!z)
            abort();
        size_t zn = ZSTD_compress(z, cap, file, n, 1);
        FUZZ_CHECK(!ZSTD_isError(zn), "ZSTD_compress failed");
        int zfd = fuzz_memfd(z, zn);
        free(z);
        FUZZ_CHECK(zfd == fd, "the compressed file got another descriptor");
        char zpath[64];
        snprintf(zpath, sizeof(zpath), "/proc/self/fd/%d", zfd);
        LiqQuery *q3 = liq_compile(pool, QUERY, sizeof(QUERY) - 1, diags);
        FuzzOut c = {{0}, 0};
        run_one(pool, q3, zpath, 2048, 0, sel, &c);
        if (!same(&a, &c))
            fprintf(stderr, "plain:\n%.*s\nzstd:\n%.*s\n", (int)a.text.len,
                    a.text.p ? a.text.p : "", (int)c.text.len, c.text.p ? c.text.p : "");
        FUZZ_CHECK(same(&a, &c), "a zstd-compressed file gives other records than the plain one");
        buf_free(&c.text);
        close(zfd);
    }
    buf_free(&a.text);
    buf_free(&b.text);
    buf_free(&f.text);

    lines(pool, file, n);
    encodings(file, n, (uint8_t)(1 + (sel & 15)));
    fuzz_pool_free(pool);
    return 0;
}
