/* golden_run.c -- runs golden test files: query + input + args -> expected output
 *
 * A .test file holds cases separated by '%%' directive lines (docs/style.md B7):
 *
 *   %% query              the query (may span lines); starts a new case
 *   %% input [FORMAT]     inline input lines; or '%% input FORMAT @path' for a file, the
 *                         path relative to the source tree (corpora/...)
 *   %% args OPTIONS       extra command-line options, split at spaces ('...' quotes one)
 *   %% pattern            a CloudWatch filter pattern (body, verbatim) for --filter-pattern;
 *                         with an empty query body the pattern runs alone
 *   %% expect FORMAT      exact stdout (FORMAT: csv, tsv, ndjson, json, table; it becomes
 *                         --format FORMAT unless args choose one)
 *   %% expect error       exact stderr
 *   %% expect exit N      the exit code (default 0)
 *   %% rowsort            compare stdout with rows sorted (header kept first)
 *   %% skip REASON        do not run this case
 *
 * Lines starting with '#' before the first case are comments (inside a body, '#' is content,
 * as queries have '#' comments of their own); a body line that must start with '%%' is written
 * '%%%'. Trailing blank lines of a body are ignored.
 *
 * Every case runs in-process through cli_main (no fork), several times: with 1 thread, with 4
 * threads, with tiny batches (1 and 7 rows per batch, 3 and 2 threads), and without literal
 * prefilters, because output must not depend on any of them (L1). A failure prints the file, the line of the case and the
 * difference. Exit status: 0 when every case passed, 1 otherwise. Usage:
 *
 *   golden_run [--srcdir DIR] [--filter TEXT] FILE.test...
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <apr_general.h>
#include "cli/cli.h"
#include "base/buf.h"
#include "engine/liq.h"

typedef struct Case {
    int line;
    LiqBuf query, input, args, expect_out, expect_err, pattern;
    char input_format[32];
    char input_path[1024];
    char expect_format[32];
    int has_input, has_out, has_err, exit_code, rowsort, skip, has_pattern;
} Case;

static const char *srcdir = ".";
static const char *filter;
static int failures, passes, skips;

static void case_reset(Case *c)
{
    LiqBuf *bufs[] = {&c->query, &c->input, &c->args, &c->expect_out, &c->expect_err,
                      &c->pattern};
    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
        bufs[i]->len = 0;
    c->input_format[0] = c->input_path[0] = c->expect_format[0] = 0;
    c->has_input = c->has_out = c->has_err = c->exit_code = c->rowsort = c->skip = 0;
    c->has_pattern = 0;
}

static void trim_trailing_newlines(LiqBuf *b)
{
    while (b->len && b->p[b->len - 1] == '\n')
        b->len--;
}

static char *cstr(LiqBuf *b)
{
    buf_addc(b, 0);
    b->len--;
    return b->p;
}

/* Splits an args line at spaces; single quotes group. */
static int split_args(char *s, char **argv, int max)
{
    int n = 0;
    while (*s && n < max) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        char *w = s, *o = s;
        while (*s && *s != ' ') {
            if (*s == '\'') {
                s++;
                while (*s && *s != '\'')
                    *o++ = *s++;
                if (*s)
                    s++;
            } else {
                *o++ = *s++;
            }
        }
        if (*s)
            s++;
        *o = 0;
        argv[n++] = w;
    }
    return n;
}

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the lines of s after the first (the header) when header is set. */
static void sort_rows(LiqBuf *s, int header)
{
    char *text = strdup(cstr(s));
    char *lines[100000];
    int n = 0;
    for (char *p = strtok(text, "\n"); p && n < 100000; p = strtok(NULL, "\n"))
        lines[n++] = p;
    int skip = header && n > 0 ? 1 : 0;
    qsort(lines + skip, (size_t)(n - skip), sizeof(char *), cmp_lines);
    LiqBuf out = {0};
    for (int i = 0; i < n; i++) {
        buf_adds(&out, lines[i]);
        buf_addc(&out, '\n');
    }
    s->len = 0;
    if (out.len)
        buf_add(s, out.p, out.len);
    buf_free(&out);
    free(text);
}

typedef struct Result {
    int code;
    LiqBuf out, err;
} Result;

static void run_once(Case *c, const char *file, int threads, int batch, int nopre, Result *r)
{
    char *argv[128];
    int argc = 0;
    char tbuf[16], bbuf[16];
    char *argscopy = strdup(c->args.len ? cstr(&c->args) : "");
    argv[argc++] = "liq";
    int has_format = strstr(argscopy, "--format") != NULL;
    argc += split_args(argscopy, argv + argc, 100);
    if (!has_format && c->expect_format[0]) {
        argv[argc++] = "--format";
        argv[argc++] = c->expect_format;
    }
    snprintf(tbuf, sizeof(tbuf), "%d", threads);
    snprintf(bbuf, sizeof(bbuf), "%d", batch);
    argv[argc++] = "--threads";
    argv[argc++] = tbuf;
    argv[argc++] = "--debug-batch-rows";
    argv[argc++] = bbuf;
    if (nopre)
        argv[argc++] = "--no-prefilter";
    if (c->has_pattern) {
        argv[argc++] = "--filter-pattern";
        argv[argc++] = cstr(&c->pattern);
    }
    if (!c->has_pattern || c->query.len)
        argv[argc++] = cstr(&c->query);
    if (file)
        argv[argc++] = (char *)(uintptr_t)file;
    argv[argc] = NULL;

    char *obuf = NULL, *ebuf = NULL;
    size_t olen = 0, elen = 0;
    FILE *out = open_memstream(&obuf, &olen), *err = open_memstream(&ebuf, &elen);
    r->code = cli_main(argc, argv, out, err);
    fclose(out);
    fclose(err);
    r->out.len = r->err.len = 0;
    buf_add(&r->out, obuf, olen);
    buf_add(&r->err, ebuf, elen);
    free(obuf);
    free(ebuf);
    free(argscopy);
}

static void show(const char *label, LiqBuf *b)
{
    fprintf(stderr, "  --- %s ---\n", label);
    fwrite(b->p ? b->p : "", 1, b->len, stderr);
    if (!b->len || b->p[b->len - 1] != '\n')
        fprintf(stderr, "\n");
}

static void run_case(const char *path, Case *c)
{
    if (!c->query.len && !c->has_pattern)
        return;
    trim_trailing_newlines(&c->query);
    trim_trailing_newlines(&c->pattern);
    if (filter && !strstr(cstr(&c->query), filter))
        return;
    if (c->skip) {
        skips++;
        return;
    }
    char tmp[] = "/tmp/liq-golden-XXXXXX";
    const char *file = "/dev/null";
    char pathbuf[2048];
    int fd = -1;
    if (c->input_path[0]) {
        snprintf(pathbuf, sizeof(pathbuf), "%s/%s", srcdir, c->input_path);
        file = pathbuf;
    } else if (c->has_input) {
        fd = mkstemp(tmp);
        if (fd < 0) {
            perror("mkstemp");
            exit(2);
        }
        if (write(fd, c->input.p ? c->input.p : "", c->input.len) != (ssize_t)c->input.len) {
            perror("write");
            exit(2);
        }
        close(fd);
        file = tmp;
    }
    trim_trailing_newlines(&c->expect_out);
    if (c->has_out)
        buf_addc(&c->expect_out, '\n');
    trim_trailing_newlines(&c->expect_err);
    if (c->has_err)
        buf_addc(&c->expect_err, '\n');
    if (c->has_out && c->expect_out.len == 1)
        c->expect_out.len = 0; /* an empty expectation means no output at all */
    if (c->has_err && c->expect_err.len == 1)
        c->expect_err.len = 0; /* ... and on stderr: no warning */

    /* threads, rows per batch, --no-prefilter */
    static const int configs[][3] = {{1, 2048, 0}, {4, 2048, 0}, {3, 1, 0}, {2, 7, 0}, {2, 2048, 1}};
    int failed = 0;
    Result r = {0};
    for (size_t k = 0; k < sizeof(configs) / sizeof(configs[0]) && !failed; k++) {
        run_once(c, file, configs[k][0], configs[k][1], configs[k][2], &r);
        if (c->rowsort)
            sort_rows(&r.out, strcmp(c->expect_format, "ndjson") != 0);
        LiqBuf want = {0};
        if (c->expect_out.len)
            buf_add(&want, c->expect_out.p, c->expect_out.len);
        if (c->rowsort)
            sort_rows(&want, strcmp(c->expect_format, "ndjson") != 0);
        int bad_out = c->has_out && (want.len != r.out.len ||
                                     (want.len && memcmp(want.p, r.out.p, want.len) != 0));
        int bad_err = c->has_err &&
                      (c->expect_err.len != r.err.len ||
                       (r.err.len && memcmp(c->expect_err.p, r.err.p, r.err.len) != 0));
        int bad_code = r.code != c->exit_code;
        if (bad_out || bad_err || bad_code) {
            failed = 1;
            fprintf(stderr, "FAIL %s:%d (threads %d, batch %d%s): %.60s%s%.60s\n", path,
                    c->line, configs[k][0], configs[k][1],
                    configs[k][2] ? ", --no-prefilter" : "", cstr(&c->query),
                    c->has_pattern ? " pattern: " : "", c->has_pattern ? cstr(&c->pattern) : "");
            if (bad_code)
                fprintf(stderr, "  exit code %d, expected %d\n", r.code, c->exit_code);
            if (bad_out) {
                show("expected stdout", &want);
                show("actual stdout", &r.out);
            }
            if (bad_err || (bad_code && !c->has_err)) {
                if (c->has_err)
                    show("expected stderr", &c->expect_err);
                show("actual stderr", &r.err);
            }
        }
        buf_free(&want);
    }
    buf_free(&r.out);
    buf_free(&r.err);
    if (fd >= 0)
        unlink(tmp);
    if (failed)
        failures++;
    else
        passes++;
}

static void run_file(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "golden_run: cannot open %s: %s\n", path, strerror(errno));
        failures++;
        return;
    }
    Case c;
    memset(&c, 0, sizeof(c));
    LiqBuf *body = NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    while ((n = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        if (strncmp(line, "%% ", 3) == 0 || strcmp(line, "%%\n") == 0) {
            char *d = line + 3;
            d[strcspn(d, "\n")] = 0;
            if (strncmp(d, "query", 5) == 0) {
                run_case(path, &c);
                case_reset(&c);
                c.line = lineno;
                body = &c.query;
            } else if (strncmp(d, "input", 5) == 0) {
                char fmt[32] = "", at[1024] = "";
                sscanf(d + 5, " %31s %1023s", fmt, at);
                snprintf(c.input_format, sizeof(c.input_format), "%s", fmt);
                if (at[0] == '@')
                    snprintf(c.input_path, sizeof(c.input_path), "%s", at + 1);
                c.has_input = 1;
                body = &c.input;
            } else if (strncmp(d, "pattern", 7) == 0) {
                c.has_pattern = 1;
                body = &c.pattern;
            } else if (strncmp(d, "args", 4) == 0) {
                c.args.len = 0;
                buf_adds(&c.args, d + 4);
                body = NULL;
            } else if (strncmp(d, "expect exit", 11) == 0) {
                c.exit_code = atoi(d + 11);
                body = NULL;
            } else if (strncmp(d, "expect error", 12) == 0) {
                c.has_err = 1;
                body = &c.expect_err;
            } else if (strncmp(d, "expect", 6) == 0) {
                sscanf(d + 6, " %31s", c.expect_format);
                c.has_out = 1;
                body = &c.expect_out;
            } else if (strncmp(d, "rowsort", 7) == 0) {
                c.rowsort = 1;
                body = NULL;
            } else if (strncmp(d, "skip", 4) == 0) {
                c.skip = 1;
                body = NULL;
            } else {
                fprintf(stderr, "%s:%d: unknown directive '%s'\n", path, lineno, d);
                failures++;
            }
            continue;
        }
        if (!body) {
            if (line[0] != '#' && line[0] != '\n') {
                fprintf(stderr, "%s:%d: text outside a section\n", path, lineno);
                failures++;
            }
            continue;
        }
        if (strncmp(line, "%%%", 3) == 0)
            buf_add(body, line + 1, (size_t)n - 1);
        else
            buf_add(body, line, (size_t)n);
    }
    run_case(path, &c);
    free(line);
    fclose(fp);
    buf_free(&c.query);
    buf_free(&c.input);
    buf_free(&c.args);
    buf_free(&c.expect_out);
    buf_free(&c.expect_err);
    buf_free(&c.pattern);
}

int main(int argc, char **argv)
{
    apr_initialize();
    if (liq_global_init() != LIQ_OK) {
        fprintf(stderr, "golden: cannot initialise liq\n");
        return 1;
    }
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--srcdir") == 0 && i + 1 < argc)
            srcdir = argv[++i];
        else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc)
            filter = argv[++i];
        else
            run_file(argv[i]);
    }
    apr_terminate();
    printf("golden: %d passed, %d failed, %d skipped\n", passes, failures, skips);
    return failures ? 1 : 0;
}
