/* golden_partial.c -- the partial-results property over the golden queries (issue 16)
 *
 * For every case of the golden .test files (tests/golden_run.c has their format) whose query
 * runs over input (inline or a file; not '/dev/null', not an expected usage error), the input
 * is cut at line boundaries into K = 1, 2 and 7 files of about equal bytes, and
 *
 *   plain   liq ARGS QUERY part1 .. partK                   (one run over all the parts)
 *   partial liq ARGS --partial --part-index i QUERY part_i  (one partial per part)
 *   merge   liq ARGS --merge QUERY partials...              (in a shuffled order)
 *
 * must give the same stdout, byte for byte, and the same exit code. A query --partial refuses
 * (exit 2, "cannot split this query") is printed as "REFUSED FILE<TAB>QUERY" on stdout: the
 * calling test (tests/cli/partial_golden.sh) holds the list of those it expects, with the
 * reason. Like golden_run, every run is an in-process cli_main call.
 *
 * Usage: golden_partial [--srcdir DIR] [--tmp DIR] FILE.test...
 * Exit: 0 when every case held, 1 otherwise (each failure says which case and K).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <apr_general.h>
#include "base/buf.h"
#include "cli/cli.h"
#include "engine/liq.h"

static const char *srcdir = ".";
static const char *tmpdir = "/tmp";
static int passes, failures, refused, skipped;

typedef struct Case {
    LiqBuf query, input, args, pattern;
    char input_path[1024];
    char expect_format[32];
    int has_input, has_pattern, exit_code, skip, line;
} Case;

typedef struct Result {
    int code;
    LiqBuf out, err;
} Result;

static char *cstr(LiqBuf *b)
{
    buf_addc(b, 0);
    b->len--;
    return b->p;
}

static void trim(LiqBuf *b)
{
    while (b->len && b->p[b->len - 1] == '\n')
        b->len--;
}

/* Splits an args line at spaces; single quotes group (as golden_run). */
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

/* mode 0 plain, 1 partial (part index), 2 merge: liq with the case's args, the query, files. */
static void run(Case *c, int mode, int part, char **files, int nfiles, Result *r)
{
    char *argv[160];
    int argc = 0;
    char pbuf[16];
    char *argscopy = strdup(c->args.len ? cstr(&c->args) : "");
    char *words[100];
    int nw = split_args(argscopy, words, 100);
    argv[argc++] = "liq";
    int has_format = 0;
    for (int i = 0; i < nw; i++) {
        int takes = strcmp(words[i], "--format") == 0;
        has_format |= takes;
        if (mode == 1 && takes) { /* --partial writes no rows: output options go to --merge */
            i++;
            continue;
        }
        argv[argc++] = words[i];
    }
    if (mode != 1 && !has_format && c->expect_format[0]) {
        argv[argc++] = "--format";
        argv[argc++] = c->expect_format;
    }
    argv[argc++] = "--threads";
    argv[argc++] = "2";
    if (mode == 1) {
        snprintf(pbuf, sizeof(pbuf), "%d", part);
        argv[argc++] = "--partial";
        argv[argc++] = "--part-index";
        argv[argc++] = pbuf;
    } else if (mode == 2) {
        argv[argc++] = "--merge";
    }
    if (c->has_pattern) {
        argv[argc++] = "--filter-pattern";
        argv[argc++] = cstr(&c->pattern);
    }
    if (!c->has_pattern || c->query.len)
        argv[argc++] = cstr(&c->query);
    for (int i = 0; i < nfiles && argc < 158; i++)
        argv[argc++] = files[i];
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

static int write_file(const char *path, const char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        fprintf(stderr, "golden_partial: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The first line of the query that is not a comment (the case's name in the refusal list). */
static void query_key(Case *c, char *key, size_t size)
{
    const char *q = cstr(&c->query);
    while (*q == '#' || *q == '\n') {
        const char *nl = strchr(q, '\n');
        q = nl ? nl + 1 : q + strlen(q);
    }
    size_t n = strcspn(q, "\n");
    snprintf(key, size, "%.*s", (int)(n < size ? n : size - 1), q);
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
    trim(&c->query);
    trim(&c->pattern);
    const char *a = c->args.len ? cstr(&c->args) : "";
    if (c->skip || !c->has_input || (c->exit_code != 0 && c->exit_code != 3) ||
        strstr(a, "--fields") || strstr(a, "--explain") || strstr(a, "--chart")) {
        skipped++;
        return;
    }
    LiqBuf in = {0};
    if (c->input_path[0]) {
        char p[2048];
        snprintf(p, sizeof(p), "%s/%s", srcdir, c->input_path);
        if (buf_read_file(&in, p) != 0) {
            fprintf(stderr, "golden_partial: cannot read %s: %s\n", p, strerror(errno));
            failures++;
            return;
        }
    } else if (c->input.len) {
        buf_add(&in, c->input.p, c->input.len);
    }
    static const int splits[] = {1, 2, 7};
    Result plain = {0}, r = {0};
    char key[256];
    query_key(c, key, sizeof(key));
    /* compressed inputs are not cut at lines: one part (the property still holds for it) */
    int packed = in.len >= 4 && ((in.p[0] == '\x1f' && in.p[1] == '\x8b') ||
                                 memcmp(in.p, "\x28\xb5\x2f\xfd", 4) == 0);
    const char *base = c->input_path[0] ? strrchr(c->input_path, '/') : NULL;
    base = base ? base + 1 : c->input_path[0] ? c->input_path : "input";
    for (size_t s = 0; s < (packed ? 1 : sizeof(splits) / sizeof(splits[0])); s++) {
        int k = splits[s];
        char *parts[7], *partials[7];
        size_t at = 0;
        int bad = 0;
        for (int i = 0; i < k; i++) { /* line-aligned cuts near i * len / k */
            size_t end = i == k - 1 ? in.len : in.len * (size_t)(i + 1) / (size_t)k;
            if (end < at)
                end = at;
            while (end < in.len && end > 0 && in.p[end - 1] != '\n')
                end++;
            parts[i] = malloc(strlen(tmpdir) + strlen(base) + 64);
            partials[i] = malloc(strlen(tmpdir) + 64);
            sprintf(parts[i], "%s/p%d-%s", tmpdir, i, base);
            sprintf(partials[i], "%s/partial%d", tmpdir, i);
            bad |= write_file(parts[i], in.p + at, end - at);
            at = end;
        }
        run(c, 0, 0, parts, k, &plain);
        int refuse = 0;
        for (int i = 0; i < k && !bad && !refuse; i++) {
            run(c, 1, i, &parts[i], 1, &r);
            refuse = r.code == 2 && strstr(cstr(&r.err), "cannot split this query");
            if (!refuse && r.code != 0) {
                fprintf(stderr, "FAIL %s:%d (K=%d): --partial of part %d exits %d: %s\n", path,
                        c->line, k, i, r.code, key);
                show("stderr", &r.err);
                bad = 1;
            }
            if (!bad && !refuse)
                bad |= write_file(partials[i], r.out.p, r.out.len);
        }
        if (refuse) {
            printf("REFUSED %s\t%s\n", path, key);
            refused++;
        }
        if (!bad && !refuse) {
            char *order[7];
            for (int i = 0; i < k; i++) /* a shuffle that differs with K: 3i + 1 mod K, reversed */
                order[k - 1 - i] = partials[(3 * i + 1) % k];
            if (k == 2)
                order[0] = partials[1], order[1] = partials[0];
            run(c, 2, 0, order, k, &r);
            if (r.code != plain.code || r.out.len != plain.out.len ||
                (r.out.len && memcmp(r.out.p, plain.out.p, r.out.len) != 0)) {
                fprintf(stderr, "FAIL %s:%d (K=%d): merged partials differ from one run: %s\n",
                        path, c->line, k, key);
                fprintf(stderr, "  exit %d, one run %d\n", r.code, plain.code);
                show("one run", &plain.out);
                show("merged", &r.out);
                show("merge stderr", &r.err);
                bad = 1;
            }
        }
        for (int i = 0; i < k; i++) {
            unlink(parts[i]);
            unlink(partials[i]);
            free(parts[i]);
            free(partials[i]);
        }
        if (bad) {
            failures++;
            break;
        }
        if (refuse)
            break;
        if (s == (packed ? 0 : sizeof(splits) / sizeof(splits[0]) - 1))
            passes++;
    }
    buf_free(&in);
    buf_free(&plain.out);
    buf_free(&plain.err);
    buf_free(&r.out);
    buf_free(&r.err);
}

static void case_reset(Case *c)
{
    LiqBuf *bufs[] = {&c->query, &c->input, &c->args, &c->pattern};
    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
        bufs[i]->len = 0;
    c->input_path[0] = c->expect_format[0] = 0;
    c->has_input = c->has_pattern = c->exit_code = c->skip = 0;
}

static void run_file(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "golden_partial: cannot open %s: %s\n", path, strerror(errno));
        failures++;
        return;
    }
    Case c;
    memset(&c, 0, sizeof(c));
    LiqBuf *body = NULL, ignored = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    while ((n = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        if (strncmp(line, "%% ", 3) == 0 || strcmp(line, "%%\n") == 0) {
            char *d = line + 3;
            d[strcspn(d, "\n")] = 0;
            body = &ignored;
            if (strncmp(d, "query", 5) == 0) {
                run_case(path, &c);
                case_reset(&c);
                c.line = lineno;
                body = &c.query;
            } else if (strncmp(d, "input", 5) == 0) {
                char fmt[32] = "", at[1024] = "";
                sscanf(d + 5, " %31s %1023s", fmt, at);
                if (at[0] == '@')
                    snprintf(c.input_path, sizeof(c.input_path), "%s", at + 1);
                c.has_input = 1;
                body = &c.input;
            } else if (strncmp(d, "pattern", 7) == 0) {
                c.has_pattern = 1;
                body = &c.pattern;
            } else if (strncmp(d, "args", 4) == 0) {
                c.args.len = 0;
                buf_add(&c.args, d + 4, strlen(d + 4));
            } else if (strncmp(d, "expect exit", 11) == 0) {
                c.exit_code = atoi(d + 11);
            } else if (strncmp(d, "expect error", 12) == 0) {
                /* stderr is not compared: a merge says what its partials said */
            } else if (strncmp(d, "expect", 6) == 0) {
                sscanf(d + 6, " %31s", c.expect_format);
            } else if (strncmp(d, "skip", 4) == 0) {
                c.skip = 1;
            }
            continue;
        }
        if (!body || body == &ignored)
            continue;
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
    buf_free(&c.pattern);
    buf_free(&ignored);
}

int main(int argc, char **argv)
{
    apr_initialize();
    if (liq_global_init() != LIQ_OK) {
        fprintf(stderr, "golden_partial: cannot initialise liq\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--srcdir") == 0 && i + 1 < argc)
            srcdir = argv[++i];
        else if (strcmp(argv[i], "--tmp") == 0 && i + 1 < argc)
            tmpdir = argv[++i];
        else
            run_file(argv[i]);
    }
    liq_global_cleanup();
    apr_terminate();
    fprintf(stderr, "golden_partial: %d held, %d failed, %d refused, %d without input or "
                    "expecting an error\n", passes, failures, refused, skipped);
    return failures ? 1 : 0;
}
