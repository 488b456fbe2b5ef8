/* tail.c -- the files liq --follow follows (see tail.h): appends, rotation, copytruncate, new
 * files, inotify with a polling fallback
 *
 * A scan stats every followed name, walks every followed directory (sorted, as src.c walks
 * them), and matches what it finds to the open files by device and inode. A file no name
 * leads to any more (renamed away, deleted, replaced by a new file of that name) is "gone":
 * the scan hands out the rest of it, to its end, and the commit closes it. Order of the spans
 * is the order the files were found in, so a rotated file's last lines come before the first
 * lines of its successor.
 *
 * What a scan does not see: a file that was truncated and written again past the offset read
 * before the scan, whose first HEAD bytes are the same as before (the head checksum tells
 * other rewrites apart); lines written to a rotated file after it was closed.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif
#include <apr_fnmatch.h>
#include "base/mem.h"
#include "engine/input/tail.h"

enum { HEAD = 256 }; /* bytes of a file's start whose checksum tells a rewrite */

typedef struct TFile {
    char *path, *log, *stream;
    int fd;                /* -1: read whole and closed (whole), or not open */
    dev_t dev;
    ino_t ino;
    uint64_t off;          /* read up to here (committed) */
    uint64_t next;         /* the end of this scan's span (tail_commit: off = next) */
    uint32_t head_len;     /* bytes the checksum covers (up to HEAD) */
    uint64_t head_sum;
    int whole;             /* compressed or UTF-16/32: read once, whole, never followed */
    int whole_read;
    int seen;              /* a name led to it in this scan */
    int gone;              /* no name leads to it: read while it grows, closed once it did
                            * not for poll_ms (a writer may not have reopened its log yet) */
    int64_t gone_ms;       /* ... when it was last found gone and grown */
    int closing;           /* gone and quiet: this scan reads its last bytes, then it closes */
    int spanned;           /* it has a span in this scan */
    uint64_t last_size;    /* tail_records: its size at the scan before, and when it last */
    int64_t grown_ms;      /* grew (a held record goes once it did not for poll_ms) */
    int held;              /* this scan held its last record back */
} TFile;

typedef struct Resume {
    uint64_t dev, ino, off, head_sum;
    uint32_t head_len;
    int gone;   /* it was rotated away: found again by inode in its directory */
    char *path; /* its name then */
} Resume;

struct Tail {
    char **names;
    int nnames;
    const char *const *include, *const *exclude;
    int ninclude, nexclude;
    TFile **files;
    int n, cap;
    LiqRange *spans;
    int spcap;
    int loaded;        /* tail_load ran: the next scan looks for rotated files too */
    char **warned; /* names a warning was given for (missing, unreadable), once each */
    int nwarned, cap_warned;
    Resume *resume;
    int nresume;
    int ino;       /* inotify, or -1: rescans every poll_ms only */
    int wake[2];   /* self-pipe of tail_wake */
    int poll_ms;
    /* tail_records: the lines that start records; a span ends before the last of them */
    int (*starts)(void *ctx, const char *line, size_t len);
    void *starts_ctx;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = mem_alloc(n);
    memcpy(d, s, n);
    return d;
}

Tail *tail_open(const char *const *names, int n, const char *const *include, int ninclude,
                const char *const *exclude, int nexclude, int poll_ms)
{
    Tail *t = mem_calloc(1, sizeof(*t));
    t->names = mem_calloc((size_t)(n ? n : 1), sizeof(char *));
    for (int i = 0; i < n; i++)
        t->names[i] = dup_str(names[i]);
    t->nnames = n;
    t->include = include;
    t->ninclude = ninclude;
    t->exclude = exclude;
    t->nexclude = nexclude;
    t->poll_ms = poll_ms > 0 ? poll_ms : 1000;
#ifdef __linux__
    t->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
#else
    t->ino = -1;
#endif
    if (pipe(t->wake) != 0) {
        t->wake[0] = t->wake[1] = -1;
    } else {
        for (int k = 0; k < 2; k++) {
            fcntl(t->wake[k], F_SETFL, O_NONBLOCK);
            fcntl(t->wake[k], F_SETFD, FD_CLOEXEC);
        }
    }
    return t;
}

/* A warning about name, once (until the name works again: unwarn). */
static void warn_once(Tail *t, LiqDiagList *diags, const char *name, const char *why)
{
    for (int i = 0; i < t->nwarned; i++)
        if (strcmp(t->warned[i], name) == 0)
            return;
    if (t->nwarned == t->cap_warned) {
        t->cap_warned = t->cap_warned ? t->cap_warned * 2 : 8;
        t->warned = mem_realloc(t->warned, sizeof(char *) * (size_t)t->cap_warned);
    }
    t->warned[t->nwarned++] = dup_str(name);
    diag_add(diags, DIAG_WARNING, NULL, "%s: %s; following it when it appears", name, why);
}

static void unwarn(Tail *t, const char *name)
{
    for (int i = 0; i < t->nwarned; i++)
        if (strcmp(t->warned[i], name) == 0) {
            free(t->warned[i]);
            t->warned[i] = t->warned[--t->nwarned];
            return;
        }
}

static void watch(Tail *t, const char *dir)
{
#ifdef __linux__
    if (t->ino >= 0)
        (void)inotify_add_watch(t->ino, dir,
                                IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                    IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF);
#else
    (void)t;
    (void)dir;
#endif
}

/* The checksum of the first len bytes of fd; 0 and *ok = 0 when they cannot be read. */
static uint64_t head_of(int fd, uint32_t len, int *ok)
{
    char b[HEAD];
    ssize_t r = pread(fd, b, len, 0);
    *ok = r == (ssize_t)len;
    return *ok ? fnv(b, len) : 0;
}

/* Is this file to be read whole once (compressed, or text in UTF-16/UTF-32)? */
static int read_whole(int fd)
{
    unsigned char b[4];
    ssize_t r = pread(fd, b, sizeof(b), 0);
    if (r >= 2 && b[0] == 0x1f && b[1] == 0x8b)
        return 1; /* gzip */
    if (r >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
        return 1; /* zstd */
    if (r >= 2 && ((b[0] == 0xff && b[1] == 0xfe) || (b[0] == 0xfe && b[1] == 0xff)))
        return 1; /* UTF-16 (and UTF-32 LE) byte order marks */
    if (r >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xfe && b[3] == 0xff)
        return 1;
    return 0;
}

/* A regular file found at path (st: its stat): the open file it is, or a new one. */
static TFile *found(Tail *t, const char *path, const char *log, const char *stream,
                    const struct stat *st)
{
    for (int i = 0; i < t->n; i++) {
        TFile *f = t->files[i];
        if (f->dev == st->st_dev && f->ino == st->st_ino) {
            f->seen = 1;
            f->gone = 0; /* back under a name it is followed by */
            if (strcmp(f->path, path) != 0) { /* renamed: the same file, read on */
                free(f->path);
                f->path = dup_str(path);
            }
            return f;
        }
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat fs;
    if (fd < 0)
        return NULL; /* gone again, or unreadable: the next scan tries again */
    if (fstat(fd, &fs) != 0 || fs.st_dev != st->st_dev || fs.st_ino != st->st_ino) {
        close(fd); /* replaced between stat and open: the next scan sees the new one */
        return NULL;
    }
    TFile *f = mem_calloc(1, sizeof(*f));
    f->path = dup_str(path);
    f->log = dup_str(log);
    f->stream = dup_str(stream);
    f->fd = fd;
    f->dev = fs.st_dev;
    f->ino = fs.st_ino;
    f->seen = 1;
    f->whole = read_whole(fd);
    for (int i = 0; i < t->nresume; i++) { /* --state-file: the same file, as it was */
        Resume *r = &t->resume[i];
        int ok;
        if (r->dev == (uint64_t)fs.st_dev && r->ino == (uint64_t)fs.st_ino &&
            r->off <= (uint64_t)fs.st_size && r->head_len <= (uint64_t)fs.st_size &&
            (r->head_len == 0 || head_of(fd, r->head_len, &ok) == r->head_sum)) {
            f->off = r->off;
            f->head_len = r->head_len;
            f->head_sum = r->head_sum;
            f->whole_read = f->whole && r->off > 0;
            r->dev = r->ino = UINT64_MAX; /* taken */
            break;
        }
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->files = mem_realloc(t->files, sizeof(TFile *) * (size_t)t->cap);
    }
    t->files[t->n++] = f;
    return f;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int glob_any(const char *const *globs, int n, const char *rel, const char *base)
{
    for (int i = 0; i < n; i++)
        if (apr_fnmatch(globs[i], rel, 0) == APR_SUCCESS ||
            apr_fnmatch(globs[i], base, 0) == APR_SUCCESS)
            return 1;
    return 0;
}

/* Walks dir below the followed directory root (sorted; as src.c: hidden names skipped,
 * --exclude leaves files and directories out, --include picks files). */
static void walk(Tail *t, const char *dir, const char *root, int depth)
{
    if (depth > 64)
        return;
    watch(t, dir);
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = mem_realloc(names, sizeof(char *) * cap);
        }
        names[n++] = dup_str(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(char *), cmp_names);
    size_t dl = strlen(dir);
    for (size_t i = 0; i < n; i++) {
        size_t len = dl + 1 + strlen(names[i]) + 1;
        char *path = mem_alloc(len);
        snprintf(path, len, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", names[i]);
        struct stat st;
        const char *rel = path + strlen(root);
        while (*rel == '/')
            rel++;
        if (stat(path, &st) == 0 && !glob_any(t->exclude, t->nexclude, rel, names[i])) {
            if (S_ISDIR(st.st_mode))
                walk(t, path, root, depth + 1);
            else if (S_ISREG(st.st_mode) &&
                     (t->ninclude == 0 || glob_any(t->include, t->ninclude, rel, names[i])))
                found(t, path, root, rel, &st);
        }
        free(path);
        free(names[i]);
    }
    free(names);
}

/* The end of the last whole line of f in [from, size): after its newline, or from when none. */
static uint64_t last_line_end(const TFile *f, uint64_t from, uint64_t size)
{
    char b[65536];
    uint64_t end = size;
    while (end > from) {
        size_t want = end - from < sizeof(b) ? (size_t)(end - from) : sizeof(b);
        ssize_t r = pread(f->fd, b, want, (off_t)(end - want));
        if (r != (ssize_t)want)
            return from;
        for (size_t k = want; k > 0; k--)
            if (b[k - 1] == '\n')
                return end - want + k;
        end -= want;
    }
    return from;
}

enum { HOLD_LOOK = 1 << 20 }; /* bytes before a span's end looked at for a record start */

/* tail_records: where the span [from, to) of f (to: after a newline) ends so that its last
 * record, which later lines may continue, is held back: the start of its last line that
 * starts a record (from: all of it held), looked for in the last HOLD_LOOK bytes; to when
 * there is none (lines no start came before: holding them would change nothing). */
static uint64_t last_record_start(const Tail *t, const TFile *f, uint64_t from, uint64_t to)
{
    size_t want = to - from < HOLD_LOOK ? (size_t)(to - from) : HOLD_LOOK;
    uint64_t base = to - want;
    char *b = mem_alloc(want ? want : 1);
    uint64_t cut = to;
    if (pread(f->fd, b, want, (off_t)base) == (ssize_t)want) {
        size_t end = want; /* the end of the line looked at, after its newline */
        while (end > 0) {
            size_t k = end - 1; /* its newline */
            while (k > 0 && b[k - 1] != '\n')
                k--;
            if (k == 0 && base != from)
                break; /* a line cut by the window: not known where it starts */
            size_t len = end - 1 - k;
            if (len && b[k + len - 1] == '\r')
                len--;
            if (len && t->starts(t->starts_ctx, b + k, len)) {
                cut = base + k;
                break;
            }
            end = k;
        }
    }
    free(b);
    return cut;
}

void tail_records(Tail *t, int (*starts)(void *ctx, const char *line, size_t len), void *ctx)
{
    t->starts = starts;
    t->starts_ctx = ctx;
}

static void add_span(Tail *t, int *n, TFile *f, uint64_t from, uint64_t to)
{
    if (*n == t->spcap) {
        t->spcap = t->spcap ? t->spcap * 2 : 16;
        t->spans = mem_realloc(t->spans, sizeof(LiqRange) * (size_t)t->spcap);
    }
    t->spans[(*n)++] = (LiqRange){f->path, f->log, f->stream, f->fd, from, to};
    f->next = to;
    f->spanned = 1;
}

static void file_free(TFile *f)
{
    if (f->fd >= 0)
        close(f->fd);
    free(f->path);
    free(f->log);
    free(f->stream);
    free(f);
}

/* A file of the state file no name led to (r not taken): looked for by inode in the directory
 * of its name then (logrotate renames within it); found, it is followed as a rotated file,
 * from its offset. */
static void refind(Tail *t, Resume *r)
{
    if (r->dev == UINT64_MAX || !r->path)
        return;
    const char *slash = strrchr(r->path, '/');
    char *dir = dup_str(slash ? r->path : ".");
    if (slash)
        dir[slash == r->path ? 1 : slash - r->path] = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if ((uint64_t)e->d_ino != r->ino)
            continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *path = mem_alloc(len);
        snprintf(path, len, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_dev == r->dev &&
            (uint64_t)st.st_ino == r->ino) {
            const char *base = strrchr(r->path, '/');
            TFile *f = found(t, path, r->path, base ? base + 1 : r->path, &st);
            if (f) { /* followed no more by a name: read to its end, then closed */
                f->gone = 1;
                f->gone_ms = now_ms();
            }
        }
        free(path);
        break;
    }
    if (d)
        closedir(d);
    free(dir);
}

int tail_scan(Tail *t, const LiqRange **spans, LiqDiagList *diags)
{
    for (int i = 0; i < t->n; i++) {
        t->files[i]->seen = 0;
        t->files[i]->spanned = 0;
    }
    for (int i = 0; i < t->nnames; i++) {
        const char *name = t->names[i];
        struct stat st;
        if (stat(name, &st) != 0) {
            warn_once(t, diags, name, strerror(errno));
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            unwarn(t, name);
            walk(t, name, name, 0);
        } else if (S_ISREG(st.st_mode)) {
            unwarn(t, name);
            /* its directory: a rename or a new file of that name is an event there */
            const char *slash = strrchr(name, '/');
            if (!slash) {
                watch(t, ".");
            } else {
                size_t dl = slash == name ? 1 : (size_t)(slash - name);
                char *dir = mem_alloc(dl + 1);
                memcpy(dir, name, dl);
                dir[dl] = 0;
                watch(t, dir);
                free(dir);
            }
            found(t, name, name, slash && slash[1] ? slash + 1 : name, &st);
        } else {
            warn_once(t, diags, name, "not a regular file or directory");
        }
    }
    if (t->loaded) { /* files rotated away before or while liq was down */
        t->loaded = 0;
        for (int i = 0; i < t->nresume; i++)
            refind(t, &t->resume[i]);
    }
    int n = 0;
    for (int i = 0; i < t->n; i++) {
        TFile *f = t->files[i];
        if (!f->seen && !f->gone) { /* renamed away, deleted or replaced */
            f->gone = 1;
            f->gone_ms = now_ms();
        }
        if (f->gone && (f->fd < 0 || now_ms() - f->gone_ms >= t->poll_ms))
            f->closing = 1; /* its rest, to its very end (a last line without newline) */
        if (f->fd < 0)
            continue;
        struct stat st;
        if (fstat(f->fd, &st) != 0)
            continue;
        uint64_t size = (uint64_t)st.st_size;
        if (f->whole) {
            if (!f->whole_read && size > 0)
                add_span(t, &n, f, 0, size);
            continue;
        }
        int ok = 1;
        if (size < f->off || (f->head_len && (size < f->head_len ||
                                              head_of(f->fd, f->head_len, &ok) != f->head_sum))) {
            /* copytruncate (or a rewrite): the file starts again */
            diag_add(diags, DIAG_WARNING, NULL, "%s: truncated; reading it again from its start",
                     f->path);
            f->off = 0;
            f->head_len = 0;
        }
        if (f->head_len < HEAD && size > f->head_len) {
            f->head_len = size < HEAD ? (uint32_t)size : HEAD;
            f->head_sum = head_of(f->fd, f->head_len, &ok);
        }
        uint64_t to = f->closing ? size : last_line_end(f, f->off, size);
        if (size != f->last_size) {
            f->last_size = size;
            f->grown_ms = now_ms();
        }
        f->held = 0;
        if (t->starts && !f->closing && to > f->off && now_ms() - f->grown_ms < t->poll_ms) {
            uint64_t cut = last_record_start(t, f, f->off, to); /* it waits for more */
            f->held = cut < to;
            to = cut;
        }
        if (to > f->off)
            add_span(t, &n, f, f->off, to);
    }
    int k = 0; /* files closing with nothing left to read go now */
    for (int i = 0; i < t->n; i++) {
        TFile *f = t->files[i];
        if (f->closing && !f->spanned)
            file_free(f);
        else
            t->files[k++] = f;
    }
    t->n = k;
    *spans = t->spans;
    return n;
}


void tail_commit(Tail *t)
{
    int k = 0;
    for (int i = 0; i < t->n; i++) {
        TFile *f = t->files[i];
        if (f->spanned) {
            f->off = f->next;
            if (f->whole) {
                f->whole_read = 1;
                close(f->fd); /* known by device and inode from now on */
                f->fd = -1;
            }
        }
        if (f->closing) {
            file_free(f);
            continue;
        }
        f->closing = 0;
        if (f->gone && f->spanned)
            f->gone_ms = now_ms(); /* it grew: a writer may still be at it */
        t->files[k++] = f;
    }
    t->n = k;
}

int tail_holding(const Tail *t)
{
    for (int i = 0; t->starts && i < t->n; i++)
        if (t->files[i]->held)
            return 1;
    return 0;
}

int tail_wait(Tail *t, int timeout_ms)
{
    for (int i = 0; t->starts && i < t->n; i++) /* a held record's file quiet for poll_ms */
        if (t->files[i]->held) {
            int64_t left = t->files[i]->grown_ms + t->poll_ms - now_ms();
            if (left < 1)
                left = 1;
            if (timeout_ms < 0 || left < timeout_ms)
                timeout_ms = (int)left;
        }
    struct pollfd p[2] = {{t->wake[0], POLLIN, 0}, {t->ino, POLLIN, 0}};
    int np = t->ino >= 0 ? 2 : 1;
    int r = poll(p, (nfds_t)np, timeout_ms < 0 || timeout_ms > t->poll_ms ? t->poll_ms : timeout_ms);
    char b[4096];
    if (r > 0 && (p[0].revents & POLLIN)) {
        while (read(t->wake[0], b, sizeof(b)) > 0)
            ;
        return 0;
    }
    if (r > 0 && np == 2 && (p[1].revents & POLLIN))
        while (read(t->ino, b, sizeof(b)) > 0)
            ; /* any event means: look again */
    return 1;
}

void tail_wake(Tail *t)
{
    if (t && t->wake[1] >= 0) {
        ssize_t w = write(t->wake[1], "w", 1);
        (void)w; /* a full pipe is a wake already pending */
    }
}

void tail_put_name(LiqBuf *out, const char *s)
{
    for (size_t i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%' || c < 0x20 || c == 0x7f || (i == 0 && c == ' '))
            buf_printf(out, "%%%02X", c);
        else
            buf_addc(out, (char)c);
    }
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                  : -1;
}

char *tail_get_name(const char *p, size_t n)
{
    char *d = mem_alloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (p[i] == '%' && i + 2 < n && (hi = hexval(p[i + 1])) >= 0 &&
            (lo = hexval(p[i + 2])) >= 0) {
            d[k++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            d[k++] = p[i];
        }
    }
    d[k] = 0;
    return d;
}

void tail_save(const Tail *t, LiqBuf *out)
{
    for (int i = 0; i < t->n; i++) {
        const TFile *f = t->files[i];
        uint64_t off = f->whole && f->whole_read ? 1 : f->off;
        buf_printf(out, "file %" PRIu64 " %" PRIu64 " %" PRIu64 " %u %" PRIu64 " %d ",
                   (uint64_t)f->dev, (uint64_t)f->ino, off, f->head_len, f->head_sum, f->gone);
        tail_put_name(out, f->path);
        buf_addc(out, '\n');
    }
}

int tail_load(Tail *t, const char *text)
{
    int n = 0;
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        Resume r;
        int used = 0;
        memset(&r, 0, sizeof(r));
        if (sscanf(p, "file %" SCNu64 " %" SCNu64 " %" SCNu64 " %u %" SCNu64 " %d %n", &r.dev,
                   &r.ino, &r.off, &r.head_len, &r.head_sum, &r.gone, &used) >= 6 &&
            used > 0 && r.head_len <= HEAD) {
            size_t len = nl ? (size_t)(nl - p) - (size_t)used : strlen(p + used);
            r.path = tail_get_name(p + used, len);
            t->resume = mem_realloc(t->resume, sizeof(Resume) * (size_t)(t->nresume + 1));
            t->resume[t->nresume++] = r;
            n++;
        }
        p = nl ? nl + 1 : NULL;
    }
    t->loaded = 1;
    return n;
}

void tail_close(Tail *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n; i++)
        file_free(t->files[i]);
    free(t->files);
    for (int i = 0; i < t->nnames; i++)
        free(t->names[i]);
    free(t->names);
    for (int i = 0; i < t->nwarned; i++)
        free(t->warned[i]);
    free(t->warned);
    free(t->spans);
    for (int i = 0; i < t->nresume; i++)
        free(t->resume[i].path);
    free(t->resume);
    if (t->ino >= 0)
        close(t->ino);
    if (t->wake[0] >= 0) {
        close(t->wake[0]);
        close(t->wake[1]);
    }
    free(t);
}
