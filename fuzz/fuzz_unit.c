/* fuzz_unit.c -- libFuzzer target: work-unit names (liq --splits) -> range_parse, the S3 unit
 * name parser (s3_is_unit, s3_parse_uri, s3_input_log, s3_expand of a unit) and s3_key_times
 *
 * The input is a line of a units file, or several: each line is cut at single spaces into
 * names, as `$unit` unquoted gives them to a run (docs/scale-out.md, "Splitting work"); the
 * whole input, when it holds a blank, is one name more (s3_unit_name takes any S3 URI a user
 * gives). A NUL byte ends the input (no argument holds one).
 *
 * Oracle: no crash, leak or UB, and
 *  - FILE@START-END (engine/input/range.c): range_parse agrees with a reference reader written
 *    here (the last '@', not first; 1-19 decimal digits each side of a '-', START <= END); a
 *    range printed back as liq --splits prints it (unit_add: "./" before a leading '-') parses
 *    to the same file and bounds.
 *  - s3://BUCKET,in=ROOT,...,/KEY (engine/s3/s3.c): s3_is_unit, s3_parse_uri, s3_input_log and
 *    s3_expand agree on whether a name decodes and on its bucket and input; a refused unit
 *    says "does not decode". A unit that decodes, printed back by s3_unit_name (split again),
 *    is a unit of one word (printable ASCII, no blank, no '@', no shell metacharacter) that
 *    reads back as the same object (bucket, key, size, mtime, ETag, archived class) from the
 *    same input, and prints to itself; printed from its input instead of from itself
 *    (s3_input_log), the same name. An ordinary URI (not a unit) printed with an object of
 *    its own reads back as that object listed from that very URI.
 *  - s3_key_times on every key: a date layout gives lo < hi; s3_prune follows from them.
 * s3_expand runs only on unit names (never a request: the client is anonymous, its endpoint a
 * closed port).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <inttypes.h>
#include <string.h>
#include <apr_strings.h>
#include "engine/input/range.h"
#include "engine/s3/s3.h"
#include "engine/s3/s3_prune.h"
#include "fuzz/fuzz.h"

/* The anonymous client s3_expand reads unit names with: one per input, made on first use in
 * the input's pool (a client kept across inputs lives in pool memory LeakSanitizer does not
 * scan, so its curl handle would show as a leak at exit). */
static apr_pool_t *client_pool;
static S3 *client;

static S3 *get_client(void)
{
    if (client)
        return client;
    S3Opts so = {0};
    so.no_sign = 1;
    so.endpoint = "http://127.0.0.1:9";
    char err[512];
    client = s3_open(client_pool, &so, err, sizeof(err));
    if (!client) {
        fprintf(stderr, "fuzz_unit: s3_open: %s\n", err);
        abort();
    }
    return client;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    /* no file of the user's decides anything; nothing is ever sent */
    setenv("AWS_CONFIG_FILE", "/dev/null", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
    return 0;
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* ===== FILE@START-END ===== */

/* The reference reader: the last '@' (not the first byte), then 1-19 digits, '-', 1-19
 * digits to the end, START <= END. */
static int ref_range(const char *s, size_t len, size_t *flen, uint64_t *a, uint64_t *b)
{
    size_t at = len;
    while (at > 0 && s[at - 1] != '@')
        at--;
    if (at <= 1) /* no '@', or '@' first */
        return 0;
    at--;
    uint64_t v[2] = {0, 0};
    size_t i = at + 1;
    for (int k = 0; k < 2; k++) {
        size_t d = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            v[k] = v[k] * 10 + (uint64_t)(s[i] - '0');
            i++;
            d++;
        }
        if (d == 0 || d > 19)
            return 0;
        if (k == 0) {
            if (i >= len || s[i] != '-')
                return 0;
            i++;
        }
    }
    if (i != len || v[0] > v[1])
        return 0;
    *flen = at;
    *a = v[0];
    *b = v[1];
    return 1;
}

static void check_range(apr_pool_t *pool, const char *name, size_t len)
{
    size_t flen = 0, rflen = 0;
    uint64_t a = 0, b = 0, ra = 0, rb = 0;
    int got = range_parse(name, &flen, &a, &b);
    int want = ref_range(name, len, &rflen, &ra, &rb);
    if (got != want)
        fprintf(stderr, "range_parse('%s') = %d, the reference reader says %d\n", name, got, want);
    FUZZ_CHECK(got == want, "range_parse disagrees with the reference reader");
    if (!got)
        return;
    FUZZ_CHECK(flen == rflen && a == ra && b == rb, "range_parse reads other bounds");
    FUZZ_CHECK(flen > 0 && flen < len && name[flen] == '@' && a <= b, "a range out of shape");
    /* printed back as liq --splits prints a range (range.c, unit_add) */
    const char *dot = name[0] == '-' && name[1] ? "./" : "";
    char *back = apr_psprintf(pool, "%s%.*s@%" PRIu64 "-%" PRIu64, dot, (int)flen, name, a, b);
    size_t f2;
    uint64_t a2, b2;
    FUZZ_CHECK(range_parse(back, &f2, &a2, &b2) == 1, "a range printed back does not parse");
    FUZZ_CHECK(f2 == flen + strlen(dot) && memcmp(back + strlen(dot), name, flen) == 0 && a2 == a &&
                   b2 == b,
               "a range printed back reads another file or other bounds");
}

/* ===== S3 unit names ===== */

/* A unit word: printable ASCII, nothing a shell or GNU parallel's uq() reads, no '@'. */
static void check_word(const char *w)
{
    for (const unsigned char *p = (const unsigned char *)w; *p; p++)
        FUZZ_CHECK(*p > 32 && *p < 127, "a unit name holds a blank or a non-ASCII byte");
    FUZZ_CHECK(!strpbrk(w, "@\\\"'`$;&|<>()*?[]#~!{}^"),
               "a unit name holds '@' or a shell metacharacter");
}

static void check_key_times(const char *key)
{
    int64_t lo = 0, hi = 0;
    int has_lo = 0;
    S3DateKind k = s3_key_times(key, &lo, &has_lo, &hi);
    if (k == S3_DATE_NONE) {
        FUZZ_CHECK(!s3_prune(key, 1, INT64_MAX, 1, INT64_MIN),
                   "a key without a date path is pruned");
        return;
    }
    FUZZ_CHECK(k == S3_DATE_AWSLOGS || k == S3_DATE_FIREHOSE, "an unknown date layout");
    FUZZ_CHECK(!has_lo || lo < hi, "a date path gives an empty time range");
    FUZZ_CHECK(k != S3_DATE_AWSLOGS || has_lo, "an AWSLogs key without a lower bound");
    FUZZ_CHECK(s3_prune(key, 1, hi, 0, 0) && (hi == INT64_MIN || !s3_prune(key, 1, hi - 1, 0, 0)),
               "--start prunes other than at the key's upper bound");
    if (has_lo && lo > INT64_MIN)
        FUZZ_CHECK(s3_prune(key, 0, 0, 1, lo - 1) && !s3_prune(key, 0, 0, 1, lo),
                   "--end prunes other than at the key's lower bound");
    else
        FUZZ_CHECK(!s3_prune(key, 0, 0, 1, INT64_MIN), "--end prunes a key without lower bound");
}

/* One object read from a unit name; 0 when it does not decode. */
static int expand_one(apr_pool_t *pool, const char *name, S3Object *o)
{
    S3Object *objs = NULL;
    size_t n = 0;
    char err[512] = "";
    if (s3_expand(get_client(), pool, name, &objs, &n, err, sizeof(err)) != 0) {
        FUZZ_CHECK(strstr(err, "does not decode") != NULL, "a unit refused for another reason");
        return 0;
    }
    FUZZ_CHECK(n == 1, "a unit read as other than one object"); /* the client never prunes */
    *o = objs[0];
    return 1;
}

static void check_same_obj(const S3Object *x, const S3Object *y)
{
    FUZZ_CHECK(strcmp(x->bucket, y->bucket) == 0, "a bucket does not survive a round trip");
    FUZZ_CHECK(strcmp(x->key, y->key) == 0, "a key does not survive a round trip");
    FUZZ_CHECK(x->size == y->size, "a size does not survive a round trip");
    FUZZ_CHECK(x->mtime_ms == y->mtime_ms, "an mtime does not survive a round trip");
    FUZZ_CHECK(same(x->etag, y->etag), "an ETag does not survive a round trip");
    FUZZ_CHECK(x->archived == y->archived &&
                   (!x->archived || same(x->storage_class, y->storage_class)),
               "an archived class does not survive a round trip");
}

/* A unit name printed (check_word's word) reads back as o's object from input log: back holds
 * what it decoded to. how says where it was printed, for the failure's message. */
static void check_printed(apr_pool_t *pool, const char *unit, const char *log, const S3Object *o,
                          S3Object *back, const char *how)
{
    check_word(unit);
    if (!s3_is_unit(unit) || strcmp(s3_input_log(pool, unit), log) != 0 ||
        !expand_one(pool, unit, back)) {
        fprintf(stderr, "fuzz: a unit name %s: %s is no unit of %s, or does not decode\n", how,
                unit, log);
        abort();
    }
    check_same_obj(o, back);
}

static void check_s3(apr_pool_t *pool, const char *name, size_t len)
{
    if (!s3_is_uri(name))
        return;
    const char *bucket = NULL, *key = NULL;
    int prc = s3_parse_uri(pool, name, &bucket, &key);
    const char *log = s3_input_log(pool, name);
    FUZZ_CHECK(log && s3_is_uri(log), "an input's @log is no S3 URI");
    if (!s3_is_unit(name)) {
        FUZZ_CHECK(strcmp(log, name) == 0, "an ordinary URI's @log is not itself");
        if (prc != 0)
            return;
        size_t bl = strlen(bucket);
        FUZZ_CHECK(bl > 0 && memcmp(name + 5, bucket, bl) == 0 && !strchr(bucket, '/'),
                   "an ordinary URI's bucket is not what precedes its first '/'");
        /* listed from it: an object of its own (liq --splits, s3_items) */
        S3Object o = {.bucket = bucket,
                      .key = *key ? key : "k",
                      .size = (uint64_t)len * 977,
                      .archived = (int)(len & 1),
                      .mtime_ms = (int64_t)len * 1000 - 5000};
        if (len & 2)
            o.etag = key;
        if (len & 1)
            o.storage_class = bucket;
        const char *unit = s3_unit_name(pool, name, &o);
        S3Object back;
        check_printed(pool, unit, name, &o, &back, "printed from a URI");
        check_key_times(o.key);
        return;
    }
    /* a unit: every reader agrees on whether it decodes */
    S3Object o;
    int ok = expand_one(pool, name, &o);
    FUZZ_CHECK((prc == 0) == ok, "s3_parse_uri and s3_expand disagree on a unit");
    if (!ok) {
        FUZZ_CHECK(strcmp(log, name) == 0, "a unit that does not decode has another @log");
        return;
    }
    size_t bl = strlen(o.bucket);
    FUZZ_CHECK(bl > 0 && *o.key, "a unit read with an empty bucket or key");
    FUZZ_CHECK(strcmp(bucket, o.bucket) == 0, "s3_parse_uri and s3_expand read other buckets");
    FUZZ_CHECK(strncmp(log, "s3://", 5) == 0 && strncmp(log + 5, o.bucket, bl) == 0,
               "a unit's @log is not its bucket's");
    const char *root = log + 5 + bl;
    FUZZ_CHECK(strcmp(key, root[0] == '/' ? root + 1 : "") == 0,
               "s3_parse_uri gives another key than the unit's input");
    check_key_times(o.key);

    /* split again: the same object from the same input, a fixed point from then on */
    const char *again = s3_unit_name(pool, name, &o);
    S3Object o2;
    check_printed(pool, again, log, &o, &o2, "printed back");
    FUZZ_CHECK(strcmp(s3_unit_name(pool, again, &o2), again) == 0,
               "a unit printed back twice changes");
    /* printed from the input it was listed from, when that input names it unambiguously */
    if (!strpbrk(o.bucket, "/,") && (!root[0] || root[0] == '/'))
        FUZZ_CHECK(strcmp(s3_unit_name(pool, log, &o), again) == 0,
                   "a unit printed from its input differs from one printed from itself");
}

static void check_name(apr_pool_t *pool, const char *name, size_t len)
{
    check_range(pool, name, len);
    check_s3(pool, name, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    const uint8_t *nul = memchr(data, 0, size);
    size_t len = nul ? (size_t)(nul - data) : size;
    apr_pool_t *pool = fuzz_pool_new();
    client_pool = pool;
    client = NULL;
    char *text = apr_pstrmemdup(pool, (const char *)data, len);
    if (strpbrk(text, " \t\n\r\v\f"))
        check_name(pool, text, len);
    char *words = apr_pstrmemdup(pool, text, len);
    for (size_t i = 0; i <= len;) { /* lines, then single spaces */
        size_t e = i;
        while (e < len && words[e] != '\n' && words[e] != ' ')
            e++;
        words[e] = 0;
        if (e > i)
            check_name(pool, words + i, e - i);
        i = e + 1;
    }
    fuzz_pool_free(pool);
    client = NULL;
    return 0;
}
