/* test_src.c -- unit tests of engine/input/src.c: reading plain files by offset (issue 11)
 *
 * White box: this file includes src.c, so that a test can cut a morsel (cut_file, under the
 * Src lock), change the file, and only then read the morsel's bytes (load_file), which a run
 * does in one src_next call. That is the window a truncation can fall into between the size
 * check at the cut and the read; tests/inputs/shrink.sh covers the rest of the way through
 * the CLI. Also the pread window (SrcWin) the cut and the time seek read through.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "engine/input/src.c"

#include <setjmp.h>
#include <cmocka.h>

enum { LINES = 100000, LINE = 14 }; /* "record NNNNNN\n" */

typedef struct Fixture {
    apr_pool_t *pool;
    char path[64];
    LiqDiagList *diags;
    apr_thread_mutex_t *diag_lock;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof(*f));
    if (!f || apr_pool_create(&f->pool, NULL) != APR_SUCCESS)
        return -1;
    snprintf(f->path, sizeof(f->path), "/tmp/liq-test-src.XXXXXX");
    int fd = mkstemp(f->path);
    if (fd < 0)
        return -1;
    FILE *fp = fdopen(fd, "w");
    for (int i = 1; i <= LINES; i++)
        fprintf(fp, "record %06d\n", i);
    fclose(fp);
    f->diags = diag_list_new(f->pool);
    apr_thread_mutex_create(&f->diag_lock, APR_THREAD_MUTEX_DEFAULT, f->pool);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    unlink(f->path);
    apr_pool_destroy(f->pool);
    free(f);
    return 0;
}

/* Opens the file and takes its first morsel (m0); cuts the second (m1) without reading it. */
static Src *first_two(Fixture *f, Morsel *m0, Morsel *m1)
{
    const char *paths[] = {f->path};
    Src *s = src_open(f->pool, paths, 1, 1 << 20, NULL, NULL, f->diags, f->diag_lock);
    assert_int_equal(src_next(s, m0), 1);
    assert_int_equal(m0->off, 0);
    assert_true(m0->len >= SRC_MORSEL && m0->len % LINE == 0);
    assert_memory_equal(m0->data, "record 000001\n", LINE);
    Input *in = m0->in;
    assert_true(in->is_file);
    memset(m1, 0, sizeof(*m1));
    apr_thread_mutex_lock(s->lock);
    assert_int_equal(cut_file(s, in, m1), 1);
    in->refs++; /* what src_next does with a morsel it cut */
    m1->in = in;
    m1->seq = s->seq++;
    s->bytes += m1->len;
    apr_thread_mutex_unlock(s->lock);
    assert_null(m1->data);
    assert_int_equal(m1->off, m0->len);
    assert_int_equal(m1->len, (size_t)LINES * LINE - m0->len);
    return s;
}

/* Every line of a morsel is a whole record, in order from record `first`. */
static void whole_lines(const Morsel *m, int first)
{
    assert_int_equal(m->len % LINE, 0);
    for (size_t k = 0; k < m->len / LINE; k++) {
        char want[LINE + 1];
        snprintf(want, sizeof(want), "record %06d\n", first + (int)k);
        assert_memory_equal(m->data + k * LINE, want, LINE);
    }
}

static void test_src_truncated_between_cut_and_read(void **state)
{
    Fixture *f = *state;
    Morsel m0, m1, m2;
    Src *s = first_two(f, &m0, &m1);
    size_t cut = m1.off + 70 * LINE + 7; /* 7 bytes into the 71st line of m1 */
    assert_int_equal(truncate(f->path, (off_t)cut), 0);
    load_file(s, &m1);
    assert_int_equal(m1.len, 70 * LINE); /* the cut line is no record */
    whole_lines(&m1, (int)(m0.len / LINE) + 1);
    assert_int_equal(src_incomplete(s), 1);
    assert_int_equal(f->diags->n, 1);
    char want[256];
    snprintf(want, sizeof(want),
             "%s: file shrank while being read (%d bytes when opened, %zu now): records after "
             "byte %zu may be missing",
             f->path, LINES * LINE, cut, cut);
    assert_string_equal(f->diags->items[0].msg, want);
    assert_int_equal(src_bytes(s), m0.len + cut - m1.off);
    assert_int_equal(src_next(s, &m2), 0); /* nothing past the new end */
    assert_int_equal(f->diags->n, 1);      /* said once */
    src_release(s, &m0);
    src_release(s, &m1);
    src_close(s);
}

static void test_src_truncated_to_zero_between_cut_and_read(void **state)
{
    Fixture *f = *state;
    Morsel m0, m1, m2;
    Src *s = first_two(f, &m0, &m1);
    assert_int_equal(truncate(f->path, 0), 0);
    load_file(s, &m1);
    assert_int_equal(m1.len, 0);
    assert_int_equal(src_incomplete(s), 1);
    char want[256];
    snprintf(want, sizeof(want),
             "%s: file shrank while being read (%d bytes when opened, 0 now): records after byte "
             "%zu may be missing",
             f->path, LINES * LINE, m1.off);
    assert_string_equal(f->diags->items[0].msg, want);
    assert_int_equal(src_next(s, &m2), 0);
    src_release(s, &m0);
    src_release(s, &m1);
    src_close(s);
}

/* Truncated before the cut: the cut finds it (fstat), the last morsel drops the cut line. */
static void test_src_truncated_before_cut(void **state)
{
    Fixture *f = *state;
    const char *paths[] = {f->path};
    Src *s = src_open(f->pool, paths, 1, 1 << 20, NULL, NULL, f->diags, f->diag_lock);
    Morsel m0, m1, m2;
    assert_int_equal(src_next(s, &m0), 1);
    size_t cut = m0.len + 10 * LINE + 3;
    assert_int_equal(truncate(f->path, (off_t)cut), 0);
    assert_int_equal(src_next(s, &m1), 1);
    assert_int_equal(m1.len, 10 * LINE);
    whole_lines(&m1, (int)(m0.len / LINE) + 1);
    assert_int_equal(src_next(s, &m2), 0);
    assert_int_equal(src_incomplete(s), 1);
    assert_non_null(strstr(f->diags->items[0].msg, "file shrank while being read"));
    src_release(s, &m0);
    src_release(s, &m1);
    src_close(s);
}

/* A file that grows is read up to the size it had when opened, nothing reported. */
static void test_src_grown(void **state)
{
    Fixture *f = *state;
    Morsel m0, m1, m2;
    Src *s = first_two(f, &m0, &m1);
    FILE *fp = fopen(f->path, "a");
    fputs("record 999999\n", fp);
    fclose(fp);
    load_file(s, &m1);
    assert_int_equal(m0.len + m1.len, (size_t)LINES * LINE);
    whole_lines(&m1, (int)(m0.len / LINE) + 1);
    assert_int_equal(src_next(s, &m2), 0);
    assert_int_equal(src_incomplete(s), 0);
    assert_int_equal(f->diags->n, 0);
    src_release(s, &m0);
    src_release(s, &m1);
    src_close(s);
}

/* The window: bytes by offset, a search past its end, and a short read when the file shrank. */
static void test_src_win(void **state)
{
    Fixture *f = *state;
    int fd = open(f->path, O_RDONLY);
    assert_true(fd >= 0);
    SrcWin w;
    memset(&w, 0, sizeof(w));
    src_win_open(&w, fd, (size_t)LINES * LINE);
    size_t got;
    const char *p = src_win_get(&w, 5 * LINE, LINE, &got);
    assert_true(got >= LINE);
    assert_memory_equal(p, "record 000006\n", LINE);
    /* the newline after a byte far past the first window */
    size_t at = 3 * SRC_WIN + 1;
    assert_int_equal(src_win_find(&w, at, w.lim, '\n'), (at / LINE + 1) * LINE - 1);
    assert_int_equal(src_win_find(&w, 0, 5, '\n'), 5); /* none before lim */
    assert_false(w.shrunk);
    assert_int_equal(truncate(f->path, 100 * LINE), 0);
    src_win_open(&w, fd, (size_t)LINES * LINE); /* nothing cached: the bytes as they are now */
    p = src_win_get(&w, 99 * LINE, 2 * LINE, &got); /* one line left there */
    assert_int_equal(got, LINE);
    assert_memory_equal(p, "record 000100\n", LINE);
    assert_true(w.shrunk);
    assert_int_equal(w.lim, 100 * LINE); /* where the bytes ended */
    src_win_get(&w, 200 * LINE, LINE, &got);
    assert_int_equal(got, 0);
    assert_int_equal(src_win_find(&w, 99 * LINE, (size_t)LINES * LINE, '\n'), 100 * LINE - 1);
    assert_int_equal(src_win_find(&w, 100 * LINE, (size_t)LINES * LINE, '\n'), 100 * LINE);
    src_win_close(&w);
    close(fd);
}

/* enc_conv never writes past its buffer: a code unit that is no character right where iconv
 * filled the buffer to less than the 3 bytes of its U+FFFD waits for the next call (it was
 * written 1 byte past the end; found by fuzz_input, fuzz/crashes/input/utf16-replacement-overflow) */
static void test_enc_conv_replacement_at_the_end(void **state)
{
    (void)state;
    char in[64], out[32];
    size_t n = 0;
    for (int i = 0; i < 14; i++) { /* 14 characters: 14 bytes of UTF-8 */
        in[n++] = (char)('a' + i);
        in[n++] = 0;
    }
    in[n++] = 0x00; /* a lone low surrogate, U+DC00 */
    in[n++] = (char)0xDC;
    in[n++] = 'z';
    in[n++] = 0;
    EncConv *c = enc_open(ENC_UTF16LE, 0);
    if (!c)
        skip();
    const char *ip = in;
    size_t il = n;
    memset(out, '#', sizeof(out));
    size_t w = enc_conv(c, &ip, &il, out, 16, 1);
    assert_true(w <= 16);
    for (size_t i = 16; i < sizeof(out); i++)
        assert_int_equal(out[i], '#');
    char all[64];
    memcpy(all, out, w);
    size_t total = w;
    while (il > 0) {
        size_t more = enc_conv(c, &ip, &il, out, 16, 1);
        assert_true(more > 0 && more <= 16);
        memcpy(all + total, out, more);
        total += more;
    }
    assert_int_equal(total, 14 + 3 + 1);
    assert_memory_equal(all, "abcdefghijklmn\xEF\xBF\xBDz", total);
    enc_close(c);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_src_truncated_between_cut_and_read),
        T(test_src_truncated_to_zero_between_cut_and_read),
        T(test_src_truncated_before_cut),
        T(test_src_grown),
        T(test_src_win),
        cmocka_unit_test(test_enc_conv_replacement_at_the_end),
    };
#undef T
    apr_initialize();
    liq_global_init();
    int failed = cmocka_run_group_tests_name("src", tests, NULL, NULL);
    liq_global_cleanup();
    apr_terminate();
    return failed ? 1 : 0;
}
