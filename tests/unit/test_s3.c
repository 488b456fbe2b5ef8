/* test_s3.c -- unit tests of engine/s3: the parts that need no server
 *
 * URIs (bucket and key, an empty key, no bucket), RFC 3986 encoding as libcurl 7.88 must be
 * handed it (it signs the path and query as sent), the literal prefix a glob is listed under,
 * and the INI reader of ~/.aws/credentials and ~/.aws/config (sections, comments, nested
 * settings, the last value winning). The requests themselves are tested against s3rver by
 * the scripts in tests/s3.
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
#include "engine/s3.h"

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

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_s3_parse_uri),
        T(test_s3_encode),
        T(test_s3_literal_prefix),
        T(test_s3_ini),
    };
#undef T
    apr_initialize();
    int failed = cmocka_run_group_tests_name("s3", tests, NULL, NULL);
    apr_terminate();
    return failed ? 1 : 0;
}
