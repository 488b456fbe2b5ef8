/* test_s3.c -- unit tests of engine/s3: the parts that need no server
 *
 * URIs (bucket and key, an empty key, no bucket), RFC 3986 encoding as libcurl 7.88 must be
 * handed it (it signs the path and query as sent), the literal prefix a glob is listed under,
 * and the INI reader of ~/.aws/credentials and ~/.aws/config (sections, comments, nested
 * settings, the last value winning), the event time bounds of key date paths (Firehose
 * arrival hours, AWSLogs delivery days, export-task keys without a date) and the credential
 * JSON of the container and instance metadata endpoints, the nested "s3 =" settings and
 * sizes of ~/.aws/config, the --cache-dir store (names, replacing an older ETag), and the
 * names of listed objects in work units (liq --splits). The requests themselves are tested
 * against s3rver by the scripts in tests/s3.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "engine/s3/s3.h"
#include "engine/s3/s3_cache.h"
#include "engine/s3/s3_creds.h"
#include "engine/s3/s3_prune.h"

static int setup(void **state)
{
    apr_pool_t *pool;
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS)
        return -1;
    *state = pool;
    return 0;
}

static int teardown(void **state)
{
    apr_pool_destroy(*state);
    return 0;
}

static void test_s3_parse_uri(void **state)
{
    const char *b, *k;
    assert_true(s3_is_uri("s3://b/k"));
    assert_false(s3_is_uri("S3://b/k"));
    assert_false(s3_is_uri("/tmp/s3://x"));
    assert_int_equal(s3_parse_uri(*state, "s3://logs/a/b c.gz", &b, &k), 0);
    assert_string_equal(b, "logs");
    assert_string_equal(k, "a/b c.gz");
    assert_int_equal(s3_parse_uri(*state, "s3://logs", &b, &k), 0);
    assert_string_equal(b, "logs");
    assert_string_equal(k, "");
    assert_int_equal(s3_parse_uri(*state, "s3://logs/", &b, &k), 0);
    assert_string_equal(k, "");
    assert_int_equal(s3_parse_uri(*state, "s3://", &b, &k), -1);
    assert_int_equal(s3_parse_uri(*state, "s3:///key", &b, &k), -1);
    assert_int_equal(s3_parse_uri(*state, "/local/file", &b, &k), -1);
}

static void test_s3_encode(void **state)
{
    assert_string_equal(s3_encode(*state, "a-Z_0.~", 0), "a-Z_0.~");
    assert_string_equal(s3_encode(*state, "a b+c=d&e/f", 0), "a%20b%2Bc%3Dd%26e%2Ff");
    assert_string_equal(s3_encode(*state, "a b+c=d&e/f", 1), "a%20b%2Bc%3Dd%26e/f");
    /* UTF-8 bytes, upper-case hex */
    assert_string_equal(s3_encode(*state, "\xc3\xbc*", 1), "%C3%BC%2A");
    assert_string_equal(s3_encode(*state, "", 1), "");
}

static void test_s3_literal_prefix(void **state)
{
    (void)state;
    assert_int_equal(s3_literal_prefix("AWSLogs/*/vpcflowlogs/x"), 8);
    assert_int_equal(s3_literal_prefix("logs/2026/1?/a.gz"), 11);
    assert_int_equal(s3_literal_prefix("plain/key.log"), 13);
    assert_int_equal(s3_literal_prefix("*"), 0);
    assert_int_equal(s3_literal_prefix(""), 0);
}

static void test_s3_ini(void **state)
{
    char path[] = "/tmp/liq-test-s3-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fputs("# comment\n"
          "[default]\n"
          "aws_access_key_id = AKIDDEFAULT\n"
          "region=eu-west-1  \n"
          "[profile dev]\n"
          "; another comment\n"
          "Region = us-west-2\n"
          "s3 =\n"
          "  region = nested-not-this\n"
          "credential_process = /bin/echo a b\n"
          "region = ap-south-1\n"
          "[other]\n"
          "region = xx\n",
          fp);
    fclose(fp);
    assert_string_equal(s3_ini_get(*state, path, "default", "aws_access_key_id"), "AKIDDEFAULT");
    assert_string_equal(s3_ini_get(*state, path, "default", "region"), "eu-west-1");
    assert_string_equal(s3_ini_get(*state, path, "profile dev", "region"), "ap-south-1");
    assert_string_equal(s3_ini_get(*state, path, "profile dev", "credential_process"),
                        "/bin/echo a b");
    assert_null(s3_ini_get(*state, path, "profile dev", "aws_access_key_id"));
    assert_null(s3_ini_get(*state, path, "dev", "region"));
    assert_null(s3_ini_get(*state, "/nonexistent/liq/credentials", "default", "region"));
    assert_null(s3_ini_get(*state, NULL, "default", "region"));
    unlink(path);
}

#define MS(y, mo, d, h, mi) ((int64_t)days_from(y, mo, d) * 86400000LL + (h) * 3600000LL + (mi) * 60000LL)
static int64_t days_from(int y, int m, int d) /* days since 1970-01-01 (civil calendar) */
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void test_s3_prune(void **state)
{
    (void)state;
    int64_t lo, hi;
    int has_lo;
    /* Firehose: arrival hour 10 of 2026-11-20: events before 11:15, no lower bound */
    assert_int_equal(s3_key_times("fh/2026/11/20/10/s-1-x", &lo, &has_lo, &hi), S3_DATE_FIREHOSE);
    assert_false(has_lo);
    assert_true(hi == MS(2026, 11, 20, 11, 15));
    assert_true(s3_prune("fh/2026/11/20/10/s-1-x", 1, MS(2026, 11, 20, 11, 15), 0, 0));
    assert_false(s3_prune("fh/2026/11/20/10/s-1-x", 1, MS(2026, 11, 20, 11, 14), 0, 0));
    assert_false(s3_prune("fh/2026/11/20/10/s-1-x", 0, 0, 1, MS(2000, 1, 1, 0, 0))); /* late */
    /* AWSLogs: delivery day 2026-11-20: [11-19, 11-22) */
    const char *vpc = "p/AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/20/x.log.gz";
    assert_int_equal(s3_key_times(vpc, &lo, &has_lo, &hi), S3_DATE_AWSLOGS);
    assert_true(has_lo && lo == MS(2026, 11, 19, 0, 0) && hi == MS(2026, 11, 22, 0, 0));
    assert_true(s3_prune(vpc, 1, MS(2026, 11, 22, 0, 0), 0, 0));
    assert_false(s3_prune(vpc, 1, MS(2026, 11, 21, 23, 59), 0, 0));
    assert_true(s3_prune(vpc, 0, 0, 1, MS(2026, 11, 18, 23, 59)));
    assert_false(s3_prune(vpc, 0, 0, 1, MS(2026, 11, 19, 0, 0)));
    assert_int_equal(s3_key_times("AWSLogs/o-abc/1234/CloudTrail/eu-west-1/2026/02/28/f.json.gz",
                                  &lo, &has_lo, &hi),
                     S3_DATE_AWSLOGS);
    /* no date: export tasks (a Lambda stream name), bad dates, a date as the last segment */
    const char *none[] = {"exp/task/2026/11/24/[$LATEST]abc/000000.gz", "a/2026/13/01/10/x",
                          "a/2026/11/20/24/x", "a/2026/11/20/10", "x.log", "",
                          "AWSLogs/1/vpc/r/2026/11/20"};
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
        assert_int_equal(s3_key_times(none[i], &lo, &has_lo, &hi), S3_DATE_NONE);
        assert_false(s3_prune(none[i], 1, INT64_MAX, 1, INT64_MIN));
    }
}

static void test_s3_creds_json(void **state)
{
    S3Creds cr = {0};
    const char *ok = "{\"Code\": \"Success\", \"AccessKeyId\": \"AK\", \"SecretAccessKey\": "
                     "\"s\\/x\", \"Token\": \"t\", \"Expiration\": \"2099-01-01T00:00:00Z\"}";
    assert_int_equal(s3_creds_json(*state, ok, strlen(ok), &cr), 0);
    assert_string_equal(cr.akid, "AK");
    assert_string_equal(cr.secret, "s/x");
    assert_string_equal(cr.token, "t");
    const char *bad[] = {"{\"Code\": \"Failure\", \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\"}",
                         "{\"AccessKeyId\": \"A\"}", "[]", "not json", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(s3_creds_json(*state, bad[i], strlen(bad[i]), &cr), -1);
}

static void test_s3_cache(void **state)
{
    char dir[] = "/tmp/liq-test-s3-cache.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char err[256];
    assert_int_equal(s3_cache_init(dir, err, sizeof(err)), 0);
    const char *p1 = s3_cache_path(*state, dir, "bkt", "a/b c.log", "\"e1\"");
    assert_non_null(p1);
    assert_non_null(strstr(p1, "/bkt/"));
    assert_string_equal(p1 + strlen(p1) - 3, ".e1");
    assert_null(s3_cache_path(*state, dir, "..", "k", "\"e1\""));
    assert_null(s3_cache_path(*state, dir, "bkt", "k", "\"\""));
    const char *etag;
    assert_null(s3_cache_find(*state, dir, "bkt", "a/b c.log", &etag));
    assert_int_equal(s3_cache_store(*state, dir, "bkt", "a/b c.log", "\"e1\"", "abc", 3), 0);
    char *data;
    size_t len;
    assert_int_equal(s3_cache_read(p1, &data, &len), 0);
    assert_true(len == 3 && memcmp(data, "abc", 3) == 0);
    free(data);
    assert_string_equal(s3_cache_find(*state, dir, "bkt", "a/b c.log", &etag), p1);
    assert_string_equal(etag, "\"e1\"");
    /* a new ETag replaces the copy; another key is untouched */
    assert_int_equal(s3_cache_store(*state, dir, "bkt", "other", "\"e9\"", "", 0), 0);
    assert_int_equal(s3_cache_store(*state, dir, "bkt", "a/b c.log", "\"e2-3\"", "xy", 2), 0);
    assert_int_equal(s3_cache_read(p1, &data, &len), -1);
    assert_non_null(s3_cache_find(*state, dir, "bkt", "a/b c.log", &etag));
    assert_string_equal(etag, "\"e2-3\"");
    const char *p9 = s3_cache_path(*state, dir, "bkt", "other", "\"e9\"");
    assert_int_equal(s3_cache_read(p9, &data, &len), 0);
    assert_true(data == NULL && len == 0);
    /* clean up: two copies and the bucket directory */
    unlink(p9);
    unlink(s3_cache_path(*state, dir, "bkt", "a/b c.log", "\"e2-3\""));
    assert_int_equal(rmdir(apr_pstrcat(*state, dir, "/bkt", NULL)), 0);
    assert_int_equal(rmdir(dir), 0);
    assert_int_equal(s3_cache_init("/dev/null", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not a directory"));
}

static void test_s3_nested(void **state)
{
    char path[] = "/tmp/liq-test-s3-nested.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "[default]\nregion = x\ns3 =\n  multipart_chunksize = 16MB\n"
                       "  max_concurrent_requests = 3\nother = 1\n  multipart_chunksize = 9\n"
                       "[profile p]\ns3 =\n    multipart_threshold = 64KB\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_string_equal(s3_ini_get_nested(*state, path, "default", "s3", "multipart_chunksize"),
                        "16MB");
    assert_string_equal(
        s3_ini_get_nested(*state, path, "default", "s3", "max_concurrent_requests"), "3");
    assert_null(s3_ini_get_nested(*state, path, "default", "s3", "multipart_threshold"));
    assert_string_equal(
        s3_ini_get_nested(*state, path, "profile p", "s3", "multipart_threshold"), "64KB");
    assert_null(s3_ini_get(*state, path, "default", "multipart_chunksize"));
    unlink(path);
    assert_true(s3_parse_size("16MB") == 16u << 20);
    assert_true(s3_parse_size("64KiB") == 65536);
    assert_true(s3_parse_size("1 GB") == 1u << 30);
    assert_true(s3_parse_size("1000") == 1000);
    assert_true(s3_parse_size("8XB") == 0 && s3_parse_size("") == 0 && s3_parse_size(NULL) == 0);
}

/* Work units' object names (liq --splits): every key byte round-trips, the name holds no
 * blank, shell metacharacter or '@', and reads back as the listed object of its input. */
static void test_s3_unit_name(void **state)
{
    apr_pool_t *pool = *state;
    char key[600], *k = key;
    for (int c = 1; c < 256; c++) { /* every byte but NUL, twice around a '/' */
        *k++ = (char)c;
        if (c == 128)
            *k++ = '/';
    }
    memcpy(k, "@123-456", 9);
    S3Object o = {"logs", key, 1234, "\"0f34-2\"", "GLACIER", 1, 1796083200123};
    const char *root = "s3://logs/app logs/*.gz";
    char *name = s3_unit_name(pool, root, &o);
    assert_true(s3_is_uri(name));
    assert_true(s3_is_unit(name));
    assert_null(strpbrk(name, " \t\r\n\v\f@\\\"'`$;&|<>()*?[]#~!{}^"));
    for (const char *p = name; *p; p++)
        assert_true(*p > 32 && *p < 127);
    assert_string_equal(s3_input_log(pool, name), root);
    const char *b, *kk;
    assert_int_equal(s3_parse_uri(pool, name, &b, &kk), 0);
    assert_string_equal(b, "logs");
    assert_string_equal(kk, "app logs/*.gz"); /* the input's key: its literal directory */
    S3Opts so = {0};
    so.no_sign = 1;
    char err[512];
    S3 *c = s3_open(pool, &so, err, sizeof(err));
    assert_non_null(c);
    S3Object *objs;
    size_t n;
    assert_int_equal(s3_expand(c, pool, name, &objs, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 1);
    assert_string_equal(objs[0].bucket, "logs");
    assert_string_equal(objs[0].key, key);
    assert_int_equal(objs[0].size, 1234);
    assert_string_equal(objs[0].etag, "\"0f34-2\"");
    assert_string_equal(objs[0].storage_class, "GLACIER");
    assert_true(objs[0].archived);
    assert_int_equal(objs[0].mtime_ms, 1796083200123);
    /* split again: the input it was listed from stays */
    assert_string_equal(s3_unit_name(pool, name, &objs[0]), name);
    /* an object not listed (named alone): no listing fields, none read back */
    S3Object alone = {"logs", "a b.log", 0, NULL, NULL, 0, 0};
    name = s3_unit_name(pool, "s3://logs/a b.log", &alone);
    assert_string_equal(name, "s3://logs,in=%2Fa%20b.log/a%20b.log");
    assert_string_equal(s3_input_log(pool, name), "s3://logs/a b.log");
    assert_int_equal(s3_expand(c, pool, name, &objs, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 1);
    assert_true(objs[0].size == 0 && !objs[0].etag && !objs[0].mtime_ms && !objs[0].archived);
    /* a bucket with no input part: the whole bucket */
    name = s3_unit_name(pool, "s3://logs", &alone);
    assert_string_equal(s3_input_log(pool, name), "s3://logs");
    assert_int_equal(s3_parse_uri(pool, name, &b, &kk), 0);
    assert_string_equal(kk, "");
    /* a URI with ',' after the bucket is an ordinary one */
    assert_false(s3_is_unit("s3://logs/a,in=x/b"));
    assert_string_equal(s3_input_log(pool, "s3://logs/a,b"), "s3://logs/a,b");
    /* damaged names: never another object */
    static const char *bad[] = {
        "s3://logs,in=%2F/a%2",          "s3://logs,in=%2F/a%zz",   "s3://logs,in=%2F/a%00b",
        "s3://logs,size=1/a",            "s3://logs,in=%2F,x=1/a",  "s3://logs,in=%2F,size=-1/a",
        "s3://logs,in=%2F,size=1x/a",    "s3://logs,in=%2F/",       "s3://logs,in=%2F",
        "s3://,in=%2F/a",                "s3://logs,in/a",          "s3://logs,in=%2F,mtime=/a",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(s3_parse_uri(pool, bad[i], &b, &kk), -1);
        assert_int_equal(s3_expand(c, pool, bad[i], &objs, &n, err, sizeof(err)), -1);
        assert_non_null(strstr(err, "does not decode"));
    }
    /* --start/--end prune a unit's object by its date path, as any */
    S3Opts pr = {0};
    pr.no_sign = 1;
    pr.has_start = 1;
    pr.start_ms = 1796083200000; /* 2026-12-01 */
    S3 *pc = s3_open(pool, &pr, err, sizeof(err));
    assert_non_null(pc);
    S3Object fh = {"logs", "fh/2026/11/20/10/s-1", 5, NULL, NULL, 0, 1};
    assert_int_equal(s3_expand(pc, pool, s3_unit_name(pool, "s3://logs/fh/", &fh), &objs, &n,
                               err, sizeof(err)),
                     0);
    assert_int_equal(n, 0);
    assert_int_equal(s3_pruned(pc), 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_s3_parse_uri),
        T(test_s3_encode),
        T(test_s3_literal_prefix),
        T(test_s3_ini),
        T(test_s3_prune),
        T(test_s3_creds_json),
        T(test_s3_nested),
        T(test_s3_cache),
        T(test_s3_unit_name),
    };
#undef T
    apr_initialize();
    s3_global_init();
    int failed = cmocka_run_group_tests_name("s3", tests, NULL, NULL);
    s3_global_cleanup();
    apr_terminate();
    return failed ? 1 : 0;
}
