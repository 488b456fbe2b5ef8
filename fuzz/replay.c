/* replay.c -- standalone driver: runs a fuzz target over stored inputs, no libFuzzer needed
 *
 * Linked with one fuzz/fuzz_<target>.c into fuzz/replay_<target> (FUZZ_NAME names the target),
 * this main feeds every file of fuzz/corpus/<target>/ and fuzz/crashes/<target>/ to the
 * target's LLVMFuzzerTestOneInput, in sorted order, each in an exactly sized heap copy so a
 * sanitizer build sees reads past the end. make check runs it under any compiler (SQLite's
 * fuzzcheck): an input that crashes or trips a FUZZ_CHECK kills the process, and the test
 * fails with the input's name as the last line of its log. With arguments, it replays those
 * files or directories instead.
 *
 * The source tree comes from $SRCDIR (set by make check), else from FUZZ_SRCDIR (configure's
 * source directory). The corpus directory must exist and hold at least one input, so a
 * mistyped path cannot pass; the crashes directory may be absent.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz/fuzz.h"

#ifndef FUZZ_NAME
#error "FUZZ_NAME must name the target, e.g. -DFUZZ_NAME='\"parse\"'"
#endif
#ifndef FUZZ_SRCDIR
#define FUZZ_SRCDIR "."
#endif

static int replayed;

/* Runs one file through the target. Returns 0, or -1 when it cannot be read. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            uint8_t *nb = realloc(buf, cap);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        fprintf(stderr, "replay: %s: read error\n", path);
        return -1;
    }
    uint8_t *exact = malloc(len ? len : 1); /* exactly sized: reads past the end are caught */
    if (!exact)
        abort();
    memcpy(exact, buf, len);
    free(buf);
    printf("%s\n", path);
    fflush(stdout);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    replayed++;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays every regular file of dir (not recursive, dot files skipped), in sorted order.
 * Returns the number of files, or -1 when dir cannot be read. */
static int replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof(*names));
            if (!names)
                abort();
        }
        names[n] = strdup(e->d_name);
        if (!names[n])
            abort();
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_names);
    int count = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        size_t plen = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(plen);
        if (!path)
            abort();
        snprintf(path, plen, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (replay_file(path) == 0)
                count++;
            else
                failed = 1;
        }
        free(path);
        free(names[i]);
    }
    free(names);
    return failed ? -1 : count;
}

/* One argument: a directory is replayed whole, anything else as a file. */
static int replay_arg(const char *arg)
{
    struct stat st;
    if (stat(arg, &st) != 0) {
        fprintf(stderr, "replay: %s: %s\n", arg, strerror(errno));
        return -1;
    }
    return S_ISDIR(st.st_mode) ? replay_dir(arg) : replay_file(arg);
}

int main(int argc, char **argv)
{
    LLVMFuzzerInitialize(&argc, &argv);
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            if (replay_arg(argv[i]) < 0)
                return 1;
        printf("replay " FUZZ_NAME ": %d inputs, no crash\n", replayed);
        return 0;
    }
    const char *top = getenv("SRCDIR");
    if (!top || !*top)
        top = FUZZ_SRCDIR;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/fuzz/corpus/%s", top, FUZZ_NAME);
    int n = replay_dir(dir);
    if (n <= 0) {
        fprintf(stderr, "replay: %s: %s\n", dir, n < 0 ? "cannot be read" : "holds no input");
        return 1;
    }
    snprintf(dir, sizeof(dir), "%s/fuzz/crashes/%s", top, FUZZ_NAME);
    struct stat st;
    if (stat(dir, &st) == 0 && replay_dir(dir) < 0)
        return 1;
    printf("replay " FUZZ_NAME ": %d inputs, no crash\n", replayed);
    return 0;
}
