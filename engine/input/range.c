/*
 * range.c - the FILE@START-END form of a byte range of a plain file (range.h, issue 16).
 */
#include <string.h>
#include "engine/input/range.h"

/* Reads decimal digits of [p, e) into *v; 0 when there are none or they overflow. */
static int decimal(const char *p, const char *e, uint64_t *v)
{
    if (p == e || e - p > 19)
        return 0;
    uint64_t n = 0;
    for (; p < e; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        n = n * 10 + (uint64_t)(*p - '0');
    }
    *v = n;
    return 1;
}

int range_parse(const char *name, size_t *file_len, uint64_t *start, uint64_t *end)
{
    const char *at = strrchr(name, '@');
    if (!at || at == name)
        return 0;
    const char *dash = strchr(at + 1, '-');
    if (!dash || !decimal(at + 1, dash, start) ||
        !decimal(dash + 1, dash + 1 + strlen(dash + 1), end) || *start > *end)
        return 0;
    *file_len = (size_t)(at - name);
    return 1;
}

/* ===== liq --splits: work units balanced by bytes (liq_splits, engine/liq.h) ===== */

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/mem.h"
#include "engine/input/decomp.h"
#include "engine/input/fmt.h"
#include "engine/liq.h"

typedef struct Item {
    const char *name;
    uint64_t size; /* bytes (a directory: of the files below it; an S3 URI: 0, not listed) */
    int cut;       /* a plain file read by lines: may be cut into ranges */
} Item;

/* The bytes of the regular files below dir (links not followed, at most 64 levels down). */
static uint64_t dir_size(const char *dir, int depth)
{
    DIR *d = depth < 64 ? opendir(dir) : NULL;
    if (!d)
        return 0;
    uint64_t sum = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *p = mem_alloc(n);
        snprintf(p, n, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
            sum += (uint64_t)st.st_size;
        else if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            sum += dir_size(p, depth + 1);
        free(p);
    }
    closedir(d);
    return sum;
}

/* May a plain file be cut: read as lines (not a JSON document nor a run of JSON values read
 * front to back, not compressed), judged from its first bytes as the run will. */
static int cuttable(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char head[65536];
    ssize_t r = pread(fd, head, sizeof(head), 0);
    close(fd);
    if (r <= 0 || decomp_sniff((const unsigned char *)head, (size_t)r) != COMP_NONE)
        return 0;
    InFormat f = fmt_sniff(head, (size_t)r);
    return f == FMT_LINES || f == FMT_COLUMNS || f == FMT_EXPORT;
}

/* The first line start at or after pos in the file (its size if none within 1 MiB: pos). */
static uint64_t line_start(const char *path, uint64_t pos, uint64_t size)
{
    if (pos == 0 || pos >= size)
        return pos;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pos;
    char buf[65536];
    uint64_t at = pos - 1, res = pos;
    while (at < size && at - (pos - 1) < ((uint64_t)1 << 20)) {
        ssize_t r = pread(fd, buf, sizeof(buf), (off_t)at);
        if (r <= 0)
            break;
        char *nl = memchr(buf, '\n', (size_t)r);
        if (nl) {
            res = at + (uint64_t)(nl - buf) + 1;
            break;
        }
        at += (uint64_t)r;
    }
    close(fd);
    return res;
}

/* Appends " name" (or "name@A-B") to the unit text. */
static void unit_add(char **u, size_t *len, const char *name, int range, uint64_t a, uint64_t b)
{
    char tail[64] = "";
    if (range)
        snprintf(tail, sizeof(tail), "@%llu-%llu", (unsigned long long)a, (unsigned long long)b);
    const char *dot = name[0] == '-' && name[1] ? "./" : ""; /* never read as an option */
    size_t add = (*len ? 1 : 0) + strlen(dot) + strlen(name) + strlen(tail);
    *u = mem_realloc(*u, *len + add + 1);
    snprintf(*u + *len, add + 1, "%s%s%s%s", *len ? " " : "", dot, name, tail);
    *len += add;
}

int liq_splits(const char *const *inputs, int ninputs, int n, char ***units, int *nunits, char *err,
               size_t errlen)
{
    *units = NULL;
    *nunits = 0;
    if (ninputs == 0) {
        snprintf(err, errlen, "--splits needs inputs to split");
        return -1;
    }
    Item *it = mem_calloc((size_t)ninputs, sizeof(*it));
    uint64_t total = 0;
    for (int i = 0; i < ninputs; i++) {
        const char *p = inputs[i];
        struct stat st;
        it[i].name = p;
        if (strcmp(p, "-") == 0 || strpbrk(p, " \t\n\r")) {
            snprintf(err, errlen, "'%s': %s", p,
                     strcmp(p, "-") == 0 ? "standard input cannot be split into work units"
                                         : "a work unit is a line of names separated by spaces: "
                                           "name inputs holding spaces by a link without them");
            free(it);
            return -1;
        }
        if (strncmp(p, "s3://", 5) == 0)
            continue; /* whole: not listed here (docs/scale-out.md) */
        if (stat(p, &st) != 0) {
            snprintf(err, errlen, "%s: %s", p, strerror(errno));
            free(it);
            return -1;
        }
        if (S_ISDIR(st.st_mode)) {
            it[i].size = dir_size(p, 0);
        } else {
            it[i].size = (uint64_t)st.st_size;
            it[i].cut = S_ISREG(st.st_mode) && cuttable(p);
        }
        total += it[i].size;
    }
    /* boundaries b[0] = 0 < ... < b[n] = total in the inputs' bytes laid end to end: each
     * inside a file it cannot cut moves to the nearer end of that file; inside a file it can,
     * to the start of a line */
    uint64_t *b = mem_calloc((size_t)n + 1, sizeof(*b));
    b[n] = total;
    for (int k = 1; k < n; k++) {
        uint64_t want = (uint64_t)((unsigned __int128)total * (unsigned)k / (unsigned)n), c = 0;
        int i = 0;
        while (i < ninputs && c + it[i].size <= want)
            c += it[i++].size;
        uint64_t at = want;
        if (i < ninputs && want > c) {
            char probe[4096];
            snprintf(probe, sizeof(probe), "%s@%llu-%llu", it[i].name,
                     (unsigned long long)(want - c), (unsigned long long)it[i].size);
            struct stat st;
            if (it[i].cut && stat(probe, &st) != 0) /* a file so named would be read instead */
                at = c + line_start(it[i].name, want - c, it[i].size);
            else
                at = want - c < it[i].size - (want - c) ? c : c + it[i].size;
        }
        b[k] = at < b[k - 1] ? b[k - 1] : at;
    }
    char **u = mem_calloc((size_t)n, sizeof(*u));
    int nu = 0;
    for (int k = 0; k < n; k++) {
        uint64_t lo = b[k], hi = b[k + 1], c = 0;
        int last = k == n - 1;
        char *text = NULL;
        size_t len = 0;
        for (int i = 0; i < ninputs; c += it[i++].size) {
            uint64_t s = c, e = c + it[i].size;
            if (it[i].size == 0) { /* empty or not weighed: in the unit its place falls in */
                if ((s >= lo && s < hi) || (last && s == total))
                    unit_add(&text, &len, it[i].name, 0, 0, 0);
                continue;
            }
            if (e <= lo || s >= hi)
                continue;
            uint64_t a = lo > s ? lo - s : 0, z = hi < e ? hi - s : it[i].size;
            unit_add(&text, &len, it[i].name, a > 0 || z < it[i].size, a, z);
        }
        if (text)
            u[nu++] = text;
    }
    free(b);
    free(it);
    *units = u;
    *nunits = nu;
    return 0;
}
