/* src.c -- inputs and morsels (see src.h)
 *
 * Plain files are read with pread, never mapped (src.h says why): the time a copy costs is
 * within the noise of a mapping's page faults (measured on 1 GiB of JSON lines, issue 11), and
 * nothing a worker reads can vanish under it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <apr_fnmatch.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_thread_cond.h>
#include <apr_thread_proc.h>
#include "base/mem.h"
#include "engine/s3/s3_prune.h"
#include "engine/s3/s3_stream.h"
#include "engine/input/census.h"
#include "engine/input/enc.h"
#include "engine/input/range.h"
#include "engine/input/seek.h"
#include "engine/input/src.h"
#include "engine/input/src_win.h"

struct Src {
    apr_pool_t *pool;
    Input *inputs;
    int n, cap;
    int cur;       /* input being cut */
    uint64_t seq;  /* next morsel number */
    size_t max_line;
    const SrcOpts *opts; /* --include/--exclude, --input-format, timestamps (NULL: none) */
    LiqDiagList *diags;
    apr_thread_mutex_t *lock;      /* guards everything above */
    apr_thread_mutex_t *diag_lock; /* guards diags (shared with the run) */
    apr_thread_cond_t *ready_cond; /* a worker finished reading an input ahead */
    int nready;                    /* blocks read ahead and not handed out, all inputs */
    apr_thread_mutex_t *pool_lock; /* guards pool when workers read ahead */
    int incomplete;
    uint64_t bytes;
    const S3Opts *s3opts;
    S3 *s3;             /* the S3 client, made at the first s3:// input */
    const char *s3err;  /* why it could not be made */
    /* S3 objects stream in (engine/s3/s3_stream.h): downloads start in input order from s->cur,
     * at most s3_window (--s3-concurrency) of them running or unread at once */
    int s3_window;
    int s3_ahead;           /* streams started and not closed */
    int s3_next;            /* the next input to consider for starting */
    /* every file and directory taken so far, by device and inode (see add_local): a file is
     * read once, a directory walked once, whatever names and links reach them */
    apr_hash_t *files, *dirs; /* FileId -> the path it was first taken under */
    LiqProgress *prog;             /* src_progress: NULL when nobody watches */
    uint64_t seek_skipped;         /* the time seek: bytes left unread */
    int seek_inputs;               /* inputs it entered */
    void *ml_local;                /* --multiline-start: the matcher of cut_file (under lock) */
    DecompSpares *dspares;         /* the decoders' kept states and buffers (decomp.h) */
    SrcLive live;                  /* the run's hooks for live inputs (src_live) */
};

static void report(Src *s, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report_in(Src *s, Input *in, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void json_seq_stream(Input *in);
static int live_wait(const Src *s, const Input *in, int ms);

/* A block of plain lines read ahead, and a problem found meanwhile (Input.ready, .msgs). */
typedef struct SrcBlock {
    struct SrcBlock *next;
    char *data; /* malloc'd: the morsel owns it once handed out */
    size_t len;
    uint64_t raw; /* progress: compressed bytes consumed after this block */
    Rec *recs;    /* FMT_JSONSEQ: its records (malloc'd, into data), else NULL */
    size_t nrecs;
} SrcBlock;

typedef struct SrcMsg {
    struct SrcMsg *next;
    char text[];
} SrcMsg;

static void vreport(Src *s, Input *in, const char *path, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* A problem with path; with in (the input it is about), one found by the thread reading in
 * ahead outside s->lock (Input.reader) is kept in in->msgs, to be told in input order when
 * the input becomes current (flush_msgs). */
static void vreport(Src *s, Input *in, const char *path, const char *fmt, va_list ap)
{
    char msg[1024]; /* vsnprintf: apr_pvsprintf knows no %zu */
    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (in && pthread_equal(atomic_load_explicit(&in->reader, memory_order_relaxed),
                            pthread_self())) {
        size_t n = strlen(path) + strlen(msg) + 3;
        SrcMsg *m = mem_alloc(sizeof(*m) + n), **tail = &in->msgs;
        snprintf(m->text, n, "%s: %s", path, msg);
        m->next = NULL;
        while (*tail)
            tail = &(*tail)->next;
        *tail = m;
        return;
    }
    apr_thread_mutex_lock(s->diag_lock);
    diag_add(s->diags, DIAG_ERROR, NULL, "%s: %s", path, msg);
    s->incomplete++;
    apr_thread_mutex_unlock(s->diag_lock);
}

static void report(Src *s, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(s, NULL, path, fmt, ap);
    va_end(ap);
}

/* A problem with the input in. */
static void report_in(Src *s, Input *in, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(s, in, in->path, fmt, ap);
    va_end(ap);
}

/* Under s->lock: reports the problems found while reading ahead in an input (not while a
 * worker reads it ahead: that worker adds to them outside the lock). */
static void flush_msgs(Src *s, Input *in)
{
    if (in->busy)
        return;
    while (in->msgs) {
        SrcMsg *m = in->msgs;
        in->msgs = m->next;
        apr_thread_mutex_lock(s->diag_lock);
        diag_add(s->diags, DIAG_ERROR, NULL, "%s", m->text);
        s->incomplete++;
        apr_thread_mutex_unlock(s->diag_lock);
        free(m);
    }
}

/* The time seek's view of a line of in (seek.h SeekLineTs): a header line of a positional
 * format is no record; others get the decoder's own timestamp (dec_line_ts). */
static int seek_line_ts(const void *ctx, const char *line, size_t len, apr_pool_t *pool,
                        int64_t *ms)
{
    const Input *in = ctx;
    if (in->fmt == FMT_COLUMNS && in->cols && fmt_columns_skip(in->cols, line, len))
        return 0;
    return dec_line_ts(in, line, len, pool, ms);
}

/* A warning: something the user may want to know that loses no record (exit 0). */
static void note(Src *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(Src *s, const char *fmt, ...)
{
    va_list ap;
    char msg[1024];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    apr_thread_mutex_lock(s->diag_lock);
    diag_add(s->diags, DIAG_WARNING, NULL, "%s", msg);
    apr_thread_mutex_unlock(s->diag_lock);
}

/* A note from the S3 client (a bucket found in another region): a warning, not a failure. */
static void s3_note(void *ctx, const char *msg)
{
    note(ctx, "%s", msg);
}

/* An input at path, of the log group log (@log), its stream name stream (@logStream: its path
 * below the directory or S3 prefix given, docs/log-groups.md). */
static void add_input(Src *s, const char *path, const char *log, const char *stream)
{
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 16;
        Input *in = apr_pcalloc(s->pool, sizeof(Input) * (size_t)cap);
        if (s->n)
            memcpy(in, s->inputs, sizeof(Input) * (size_t)s->n);
        s->inputs = in;
        s->cap = cap;
    }
    Input *in = &s->inputs[s->n++];
    memset(in, 0, sizeof(*in));
    in->path = path;
    in->log = log;
    in->log_len = (uint32_t)strlen(log);
    in->stream = stream;
    in->stream_len = (uint32_t)strlen(in->stream);
    in->fd = -1;
    in->tso = s->opts ? s->opts->ts : NULL;
}

static int glob_any(const char *const *globs, int n, const char *rel, const char *base)
{
    for (int i = 0; i < n; i++)
        if (apr_fnmatch(globs[i], rel, 0) == APR_SUCCESS ||
            apr_fnmatch(globs[i], base, 0) == APR_SUCCESS)
            return 1;
    return 0;
}

/* --include/--exclude (SrcOpts): is a file (or directory) found below an input read? rel: its
 * path below the input, base: its name. */
static int selected(const Src *s, const char *rel, const char *base, int is_dir)
{
    const SrcOpts *o = s->opts;
    if (!o)
        return 1;
    if (glob_any(o->exclude, o->nexclude, rel, base))
        return 0;
    return is_dir || o->ninclude == 0 || glob_any(o->include, o->ninclude, rel, base);
}

/* Does a path component look like an export task id (8-4-4-4-12 characters)? */
static int task_id(const char *s, size_t n)
{
    static const int dash[] = {8, 13, 18, 23};
    if (n != 36)
        return 0;
    for (size_t i = 0, d = 0; i < n; i++) {
        if (d < 4 && (int)i == dash[d]) {
            if (s[i] != '-')
                return 0;
            d++;
        } else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
                     (s[i] >= 'A' && s[i] <= 'Z'))) {
            return 0;
        }
    }
    return 1;
}

/* @logStream of an export-task object <prefix>/<taskId>/<stream>/000000.gz: everything between
 * the task id and the file name (stream names may hold '/'); without a task id in the path,
 * the name of the file's directory. */
static const char *export_stream(apr_pool_t *pool, const char *path)
{
    const char *file = strrchr(path, '/');
    if (!file)
        return path;
    const char *p = path, *after = NULL;
    while (p < file) {
        const char *e = memchr(p, '/', (size_t)(file - p) + 1);
        if (!e)
            break;
        if (task_id(p, (size_t)(e - p)))
            after = e + 1;
        p = e + 1;
    }
    if (after && after < file)
        return apr_pstrmemdup(pool, after, (size_t)(file - after));
    const char *dir = file;
    while (dir > path && dir[-1] != '/')
        dir--;
    return dir < file ? apr_pstrmemdup(pool, dir, (size_t)(file - dir)) : path;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Does a Firehose object's name carry the arrival hour of its directory? Firehose names its
 * objects STREAM-VERSION-YYYY-MM-DD-HH-MM-SS-ID under .../YYYY/MM/DD/HH/. */
static int firehose_name(const char *path, const char *name)
{
    size_t n = strlen(path), nl = strlen(name);
    if (n < nl + 14 || path[n - nl - 1] != '/')
        return 0;
    const char *d = path + n - nl - 14; /* "YYYY/MM/DD/HH/" */
    char want[16];
    snprintf(want, sizeof(want), "-%.4s-%.2s-%.2s-%.2s-", d, d + 5, d + 8, d + 11);
    return strstr(name, want) != NULL;
}

/* --start/--end: is a file found by walking skipped unread? Only when its path proves that no
 * event inside can be in range, by the rules of S3 keys (engine/s3/s3_prune.h; local copies of
 * buckets keep the keys as paths): an AWSLogs/ delivery day, or a Firehose arrival hour, which
 * is at or after the events' own times (so only --start prunes it: late arrivals may hold
 * events from before --end). A local tree merely sorted into YYYY/MM/DD/HH directories does
 * not count as Firehose unless the file name carries the same hour as Firehose names do. */
static int pruned(const Src *s, const char *path, const char *name)
{
    const SrcOpts *o = s->opts;
    if (!o || !(o->has_start || o->has_end))
        return 0;
    int64_t lo, hi;
    int has_lo;
    S3DateKind k = s3_key_times(path, &lo, &has_lo, &hi);
    if (k == S3_DATE_NONE || (k == S3_DATE_FIREHOSE && !firehose_name(path, name)))
        return 0;
    return s3_prune(path, o->has_start, o->start_ms, o->has_end, o->end_ms);
}

/* ===== Local files and directories: each read once ===== */

/* A file or directory as the file system knows it, whatever its names: hard links, symbolic
 * links and bind mounts that reach it compare equal. The key of Src.files and Src.dirs. */
typedef struct FileId {
    uint64_t dev, ino;
} FileId;

static FileId file_id(const struct stat *st)
{
    FileId id = {(uint64_t)st->st_dev, (uint64_t)st->st_ino};
    return id;
}

/* Where a file or directory was first taken: its path and the input it was found under
 * (the path itself when named). */
typedef struct Taken {
    const char *path, *log;
} Taken;

/* Where a file or directory was first taken, or NULL; else records it as path under log. */
static const Taken *taken(Src *s, apr_hash_t *h, const struct stat *st, const char *path,
                          const char *log)
{
    FileId id = file_id(st);
    const Taken *first = apr_hash_get(h, &id, sizeof(id));
    if (first)
        return first;
    FileId *key = apr_palloc(s->pool, sizeof(*key));
    *key = id;
    Taken *t = apr_palloc(s->pool, sizeof(*t));
    t->path = path;
    t->log = log;
    apr_hash_set(h, key, sizeof(*key), t);
    return NULL;
}

/* The directories from an input down to the one being walked: a link to one of them is a
 * loop. */
typedef struct DirPath {
    FileId id;
    const char *path;
    const struct DirPath *up;
} DirPath;

/* Adds the regular files under dir, recursively, in sorted order, skipping hidden entries.
 * Links are followed (stat), but every file is added once and every directory walked once
 * (by device and inode, across all inputs): a second name for a file already taken (a
 * symbolic or hard link, a directory reached again through a link) adds nothing, and a link
 * back to a directory on the way down (a loop) is reported once, as a warning, and not
 * entered. root: the directory given (a file's stream is its path below it); log: their log
 * group; up: the directories from the input to dir. */
static void walk(Src *s, const char *dir, const char *root, const char *log, const DirPath *up,
                 int depth)
{
    if (depth > 64) { /* links cannot make a loop (see above): a tree this deep is real */
        report(s, dir, "%s", "directories nested more than 64 deep; not entered");
        return;
    }
    DIR *d = opendir(dir);
    if (!d) {
        report(s, dir, "%s", strerror(errno));
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (strcmp(e->d_name, "aws-logs-write-test") == 0)
            continue; /* the permission probe CloudWatch exports write (§12.1) */
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = mem_realloc(names, sizeof(char *) * cap);
            names = nn;
        }
        names[n++] = apr_pstrdup(s->pool, e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(char *), cmp_names);
    for (size_t i = 0; i < n; i++) {
        const char *path = apr_pstrcat(s->pool, dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
                                       names[i], NULL);
        struct stat st;
        if (stat(path, &st) != 0) {
            report(s, path, "%s", strerror(errno));
            continue;
        }
        const char *rel = path + strlen(root); /* below the directory given */
        while (*rel == '/')
            rel++;
        if (!selected(s, rel, names[i], S_ISDIR(st.st_mode)))
            continue;
        if (S_ISDIR(st.st_mode)) {
            FileId id = file_id(&st);
            const DirPath *a = up;
            while (a && (a->id.dev != id.dev || a->id.ino != id.ino))
                a = a->up;
            if (a) {
                note(s, "%s: a link to %s, a directory it is in: a loop, not followed", path,
                     a->path);
                continue;
            }
            if (taken(s, s->dirs, &st, path, root))
                continue; /* walked already, under another name */
            DirPath here = {id, path, up};
            walk(s, path, root, log, &here, depth + 1);
        } else if (S_ISREG(st.st_mode) && !pruned(s, path, names[i]) &&
                   !taken(s, s->files, &st, path, root)) {
            add_input(s, path, log, rel);
        }
    }
    free(names);
}

/* An input named on the command line that is a local file or directory (st: its stat). A
 * file or directory named again, or already found in a directory named before (by device
 * and inode), is read once, where it came first; the repeat is reported as a warning. */
static void add_local(Src *s, const char *path, const char *log, const struct stat *st)
{
    const Taken *first = taken(s, S_ISDIR(st->st_mode) ? s->dirs : s->files, st, path, path);
    if (first) {
        if (strcmp(first->path, path) != 0)
            note(s, "%s: the same %s as %s; read once", path,
                 S_ISDIR(st->st_mode) ? "directory" : "file", first->path);
        else if (first->log == first->path)
            note(s, "%s: named more than once; read once", path);
        else
            note(s, "%s: found in %s already; read once", path, first->log);
        return;
    }
    if (S_ISDIR(st->st_mode)) {
        DirPath top = {file_id(st), path, NULL};
        walk(s, path, path, log, &top, 0);
    } else { /* a file named: its stream is its name */
        const char *slash = strrchr(path, '/');
        add_input(s, path, log, slash && slash[1] ? slash + 1 : path);
    }
}

/* Adds the objects an s3:// URI names, in listing order; archived ones are reported. */
static void add_s3(Src *s, const char *uri, const char *log)
{
    char err[1024];
    if (!s->s3 && !s->s3err) {
        s->s3 = s3_open(s->pool, s->s3opts, err, sizeof(err));
        if (!s->s3)
            s->s3err = apr_pstrdup(s->pool, err);
    }
    if (!s->s3) {
        report(s, uri, "%s", s->s3err);
        return;
    }
    S3Object *objs;
    size_t n;
    if (s3_expand(s->s3, s->pool, uri, &objs, &n, err, sizeof(err)) != 0) {
        report(s, uri, "%s", err);
        return;
    }
    /* --include/--exclude apply to keys found below the URI's literal directory, and a key's
     * path below it is its stream name */
    const char *ubucket, *ukey = "";
    size_t dirlen = 0;
    if (s3_parse_uri(s->pool, uri, &ubucket, &ukey) == 0) {
        size_t lit = s3_literal_prefix(ukey);
        for (size_t j = 0; j < lit; j++)
            if (ukey[j] == '/')
                dirlen = j + 1;
    }
    for (size_t i = 0; i < n; i++) {
        const char *key = objs[i].key, *base = strrchr(key, '/');
        if (strcmp(key, ukey) != 0 && strncmp(key, ukey, dirlen) == 0 &&
            !selected(s, key + dirlen, base ? base + 1 : key, 0))
            continue;
        const char *path = apr_pstrcat(s->pool, "s3://", objs[i].bucket, "/", objs[i].key, NULL);
        if (objs[i].archived) {
            report(s, path, "in storage class %s: restore it before reading; skipped",
                   objs[i].storage_class);
            continue;
        }
        add_input(s, path, log, key + (strncmp(key, ukey, dirlen) == 0 ? dirlen : 0));
        s->inputs[s->n - 1].s3obj = &objs[i];
    }
}

/* ===== S3 downloads ahead of the reader ===== */

/* Under s->lock: starts the downloads of the S3 objects from s->cur on, in input order, while
 * fewer than s3_window are running or unread. The writers block on full pipes, never on the
 * Src. A copy in --cache-dir is read in place (Input.s3local). */
static void s3_kick(Src *s)
{
    if (s->s3_next < s->cur)
        s->s3_next = s->cur;
    while (s->s3_next < s->n && s->s3_ahead < s->s3_window) {
        Input *in = &s->inputs[s->s3_next++];
        if (!in->s3obj || in->s3started || in->done)
            continue;
        in->s3started = 1;
        char err[1024];
        apr_thread_mutex_lock(s->pool_lock);
        int rc = s3_stream_open(s->s3, s->pool, in->s3obj, &in->s3st, &in->s3local, err,
                                sizeof(err));
        apr_thread_mutex_unlock(s->pool_lock);
        if (rc != 0) {
            in->s3err = mem_strdup(err);
        }
        if (in->s3st)
            s->s3_ahead++;
    }
}

/* Outside s->lock, by the worker reading the input (or under it, at close): ends its
 * download stream; a failed download is reported unless quiet. Returns -1 when it failed. */
static int s3_end(Src *s, Input *in, int quiet)
{
    if (!in->s3st)
        return 0;
    char err[1024];
    int rc = s3_stream_close(in->s3st, err, sizeof(err));
    in->s3st = NULL;
    in->fd = -1; /* the stream's read end, closed */
    in->s3closed = 1;
    if (rc != 0 && !quiet)
        report_in(s, in, "%s", err);
    return rc;
}

/* Under s->lock: a stream ended by s3_end gives its place to the next download. */
static void s3_settle(Src *s, Input *in)
{
    if (in->s3closed == 1) {
        in->s3closed = 2;
        s->s3_ahead--;
        s3_kick(s);
    }
}

/* ===== Log groups (docs/log-groups.md) ===== */

/* An input as named (a path, '-' or an S3 URI), of the log group log; NULL: its own name is
 * its group (L19: @log is the input as given, "stdin" for standard input). */
/* FILE@START-END naming no file (range.h): a byte range of the plain file FILE, with FILE's
 * @log and @logStream; its bounds move to record starts once its format is known
 * (split_range). Returns 0 when it is no range of a regular file. */
static int add_range(Src *s, const char *path, const char *log)
{
    size_t flen;
    uint64_t from, to;
    struct stat st;
    if (!range_parse(path, &flen, &from, &to))
        return 0;
    char *file = apr_pstrndup(s->pool, path, flen);
    if (stat(file, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    LiqRange *r = apr_pcalloc(s->pool, sizeof(*r));
    const char *slash = strrchr(file, '/');
    r->path = file;
    r->log = log ? log : file;
    r->stream = slash && slash[1] ? slash + 1 : file;
    r->fd = -1; /* opened by the run, unlike --follow's */
    r->from = from;
    r->to = to;
    add_input(s, r->path, r->log, r->stream);
    s->inputs[s->n - 1].range = r;
    return 1;
}

static void add_path(Src *s, const char *path, const char *log)
{
    struct stat st;
    if (strcmp(path, "-") == 0) {
        add_input(s, path, log ? log : "stdin", "stdin");
        return;
    }
    if (s3_is_uri(path)) {
        add_s3(s, path, log ? log : s3_input_log(s->pool, path)); /* a unit's: its input's */
        return;
    }
    if (stat(path, &st) != 0) {
        if (errno == ENOENT && add_range(s, path, log))
            return;
        report(s, path, "%s", strerror(errno));
        return;
    }
    add_local(s, path, log ? log : path, &st);
}

/* The inputs of --log-group NAME=PATH, in the order given, before the other inputs; a group
 * SOURCE does not select is left alone: its PATH is not read, walked, listed nor even looked
 * at, so a missing or unreadable one is no problem. When SOURCE selects none of them, a
 * warning says so (the query reads nothing from them). */
static void add_groups(Src *s)
{
    const SrcOpts *o = s->opts;
    if (!o || !o->ngroups)
        return;
    int selected = 0;
    for (int i = 0; i < o->ngroups; i++) {
        const LiqLogGroup *g = &o->groups[i];
        if (o->group_selected && !o->group_selected(o->group_ctx, g->name, strlen(g->name)))
            continue;
        selected++;
        add_path(s, g->path, g->name);
    }
    if (!selected)
        note(s, "SOURCE selects none of the %d log group%s --log-group names: nothing is read "
                "from them",
             o->ngroups, o->ngroups == 1 ? "" : "s");
}

Src *src_open(apr_pool_t *pool, const char *const *paths, int npaths, size_t max_line,
              const S3Opts *s3, const SrcOpts *sopt, LiqDiagList *diags,
              apr_thread_mutex_t *diag_lock)
{
    Src *s = apr_pcalloc(pool, sizeof(*s));
    s->pool = pool;
    s->max_line = max_line;
    s->opts = sopt;
    s->diags = diags;
    s->diag_lock = diag_lock;
    S3Opts *so = apr_pcalloc(pool, sizeof(*so)); /* S3 notes become warnings */
    if (s3)
        *so = *s3;
    so->note = s3_note;
    so->note_ctx = s;
    s->s3opts = so;
    apr_thread_mutex_create(&s->lock, APR_THREAD_MUTEX_DEFAULT, pool);
    apr_thread_mutex_create(&s->pool_lock, APR_THREAD_MUTEX_DEFAULT, pool);
    s->dspares = decomp_spares_new();
    apr_thread_cond_create(&s->ready_cond, pool);
    s->files = apr_hash_make(pool);
    s->dirs = apr_hash_make(pool);
    for (int i = 0; sopt && i < sopt->nranges; i++) { /* --follow's ranges come first */
        const LiqRange *sp = &sopt->ranges[i];
        add_input(s, sp->path, sp->log, sp->stream);
        s->inputs[s->n - 1].range = sp;
    }
    add_groups(s);
    for (int i = 0; i < npaths; i++)
        add_path(s, paths[i], NULL);
    s->s3_window = s3 && s3->concurrency > 0 ? s3->concurrency : 8;
    s->ml_local = src_ml_local(s, pool);
    return s;
}

/* The reference date of an input's timestamps written without a year (ts.h TsCtx): an S3
 * object's LastModified (its copy in --cache-dir too), a regular file's modification time,
 * else (standard input, a pipe, an object not listed) now. */
static int64_t ts_reference(const Input *in, const struct stat *st)
{
    if (in->s3obj && in->s3obj->mtime_ms)
        return in->s3obj->mtime_ms;
    if (S_ISREG(st->st_mode) && !in->s3obj)
        return (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* After its format is known: the form of the timestamps of a text input's lines (ts.h), from
 * the first lines, unless --timestamp-format or --timestamp-field says where they are; and
 * whether they are syslog lines (syslog.h). */
static void sniff_ts_form(Input *in, const char *p, size_t n)
{
    const TsOpts *o = in->tso;
    if (p && in->fmt == FMT_LINES)
        in->syslog = syslog_sniff(p, n < 65536 ? n : 65536);
    int text =
        in->fmt == FMT_LINES || (in->fmt == FMT_COLUMNS && in->cols && in->cols->ts == TSR_TEXT);
    if (!p || !text || (o && (o->format || o->field)))
        return;
    TsCtx cx = {o ? o->zone : NULL, o ? o->year : 0, in->ts_ref};
    in->tsform = ts_sniff_form(p, n < 65536 ? n : 65536, &cx);
}

/* After its format is known: how the records of a text input span lines (multiline.h):
 * --multiline-start, else the default rule when its lines have timestamps (a form, or
 * --timestamp-format), else one record per line. */
static void multiline_mode(Src *s, Input *in)
{
    const TsOpts *o = in->tso;
    in->ml = ML_NONE;
    if (in->fmt != FMT_LINES || (o && o->field))
        return;
    if (s->opts && s->opts->ml_start) {
        in->ml = ML_RULE;
        in->ml_rule = s->opts->ml_start;
    } else if (in->tsform.kind != TSK_NONE || (o && o->format)) {
        in->ml = ML_DEFAULT;
    }
}

int src_continues(const Input *in, void *local, const char *line, size_t len)
{
    if (in->ml == ML_NONE || (in->ml == ML_DEFAULT && !ml_shape(line, len)))
        return 0;
    const TsOpts *o = in->tso;
    MlTs ts = {in->tsform, o ? o->format : NULL, {o ? o->zone : NULL, o ? o->year : 0, in->ts_ref}};
    return ml_continues(in->ml, in->ml_rule, local, &ts, line, len);
}

void *src_ml_local(Src *s, apr_pool_t *pool)
{
    const MlRule *rule = s->opts ? s->opts->ml_start : NULL;
    return rule ? rule->local_new(rule->ctx, pool) : NULL;
}

/* Does the line of in at p (n bytes up to its newline, which is not included) start a record?
 * Blank lines do not (nor do they end one: a continuation after them takes them in). */
static int starts_record(Input *in, void *local, const char *p, size_t n)
{
    if (n && p[n - 1] == '\r')
        n--;
    return n > 0 && !src_continues(in, local, p, n);
}

/* Can the n bytes at p (1 <= n < 4) be the start of a compression magic number (gzip's
 * 1f 8b, zstd's 28 b5 2f fd: decomp_sniff)? */
static int magic_prefix(const char *p, size_t n)
{
    static const unsigned char gz[] = {0x1f, 0x8b}, zst[] = {0x28, 0xb5, 0x2f, 0xfd};
    return (n < sizeof(gz) && memcmp(p, gz, n) == 0) || (n < sizeof(zst) && memcmp(p, zst, n) == 0);
}

/* Opens an input: maps a regular file, or prepares block reads for anything else; sniffs
 * the compression from the first bytes. Returns 0 when the input cannot be read (reported). */
static int open_input(Src *s, Input *in)
{
    struct stat st;
    if (in->s3err) { /* the download could not start */
        report_in(s, in, "%s", in->s3err);
        free(in->s3err);
        in->s3err = NULL;
        return 0;
    }
    if (in->s3st) {
        in->fd = s3_stream_fd(in->s3st); /* read like a pipe */
    } else if (strcmp(in->path, "-") == 0) {
        in->fd = STDIN_FILENO;
    } else if (in->range && in->range->fd >= 0) { /* --follow: the file the caller holds open,
                                                   * whatever its name is now */
        in->fd = fcntl(in->range->fd, F_DUPFD_CLOEXEC, 0);
        if (in->fd < 0) {
            report_in(s, in, "%s", strerror(errno));
            return 0;
        }
    } else {
        /* a file, or an S3 object's copy in --cache-dir */
        in->fd = open(in->s3local ? in->s3local : in->path, O_RDONLY | O_CLOEXEC);
        if (in->fd < 0) {
            report_in(s, in, "%s", strerror(errno));
            return 0;
        }
    }
    if (fstat(in->fd, &st) != 0) {
        report_in(s, in, "%s", strerror(errno));
        return 0;
    }
    in->ts_ref = ts_reference(in, &st);
    if (S_ISDIR(st.st_mode)) {
        report_in(s, in, "%s", "is a directory");
        return 0;
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        /* read by offset (plain) or through the decompressor from the start; never past the
         * size it has now (a live log grows while read) */
        unsigned char head[4];
        ssize_t got = src_pread(in->fd, (char *)head, sizeof(head), 0);
        if (got < 0) {
            report_in(s, in, "%s", strerror(errno));
            return 0;
        }
        in->fsize = (uint64_t)st.st_size;
        in->comp = decomp_sniff(head, (size_t)got);
        /* read front to back (the time seek aside): a larger read-ahead, as MADV_SEQUENTIAL
         * gave the mapping */
        (void)posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        if (in->comp == COMP_NONE) {
            in->is_file = 1;
            in->size = (size_t)st.st_size;
            if (in->range && in->range->fd >= 0) { /* only its range: the rest is another run's */
                if (in->range->to < in->size)
                    in->size = (size_t)in->range->to;
                in->off = in->range->from < in->size ? (size_t)in->range->from : in->size;
            }
            src_win_open(&in->win, in->fd, in->size);
        } else {
            /* a --follow range's descriptor shares its offset with the caller's, which
             * earlier runs over the same file read to its end: the stream starts at 0 */
            if (in->range && in->range->fd >= 0)
                (void)lseek(in->fd, 0, SEEK_SET);
            in->dec = decomp_open(in->comp, NULL, 0, in->fd, NULL, 0, s->dspares);
        }
        return 1;
    }
    /* a pipe, stdin, or a file of unknown size (/proc): sniff the first bytes; a live one
     * (src.h) only as far as they may start a compression magic number, so that a first
     * line shorter than one is not held back */
    char head[4];
    size_t got = 0;
    int end = 0;
    in->live = !in->s3st && !S_ISREG(st.st_mode);
    while (got < sizeof(head) && !(in->live && got && !magic_prefix(head, got))) {
        if (in->live && live_wait(s, in, -1) < 0) {
            end = 1; /* the run stopped */
            break;
        }
        ssize_t r = read(in->fd, head + got, sizeof(head) - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            report_in(s, in, "%s", strerror(errno));
            return 0;
        }
        if (r == 0) {
            end = 1;
            break;
        }
        got += (size_t)r;
    }
    if (end && in->s3st && s3_end(s, in, 0) != 0)
        return 0; /* the download failed before its first bytes: reported */
    in->comp = decomp_sniff((const unsigned char *)head, got);
    if (in->comp != COMP_NONE)
        in->live = 0; /* compressed streams are read in blocks */
    if (in->comp != COMP_NONE) {
        in->dec = decomp_open(in->comp, NULL, 0, in->fd, head, got, s->dspares);
    } else if (got) {
        in->carry = mem_alloc(got);
        memcpy(in->carry, head, got);
        in->carry_len = got;
    }
    if (end && in->comp == COMP_NONE)
        in->eof = 1; /* the whole input was those few bytes */
    return 1;
}

static void close_input(Src *s, Input *in)
{
    s3_end(s, in, 1); /* stopped before its end (limit, an error): the writer stops */
    s3_settle(s, in);
    src_win_close(&in->win);
    if (in->fd > STDIN_FILENO)
        close(in->fd);
    decomp_close(in->dec);
    in->dec = NULL;
    enc_close(in->conv);
    in->conv = NULL;
    free(in->encbuf);
    in->encbuf = NULL;
    free(in->doc);
    in->doc = NULL;
    if (in->docpool)
        apr_pool_destroy(in->docpool);
    in->docpool = NULL;
    if (in->seek_pool)
        apr_pool_destroy(in->seek_pool);
    in->seek_pool = NULL;
    in->recs = NULL;
    in->fd = -1;
    free(in->carry);
    in->carry = NULL;
    while (in->ready) { /* read ahead, never handed out (the run stopped early) */
        SrcBlock *b = in->ready;
        in->ready = b->next;
        free(b->data);
        free(b->recs);
        free(b);
    }
    in->ready_tail = NULL;
    in->nready = 0;
    while (in->msgs) {
        SrcMsg *m = in->msgs;
        in->msgs = m->next;
        free(m);
    }
}

/* A regular file was found shorter (now bytes) than the bytes left to read of it: it was
 * truncated while read (logrotate's copytruncate on a live log). Reported once per input;
 * nothing from `end` on (where the bytes read ended) is read. Under s->lock, or by the worker
 * reading the input ahead (report keeps the message in the input). */
static void shrank(Src *s, Input *in, uint64_t now, uint64_t end)
{
    if (!in->shrunk) {
        in->shrunk = 1;
        report_in(s, in,
               "file shrank while being read (%llu bytes when opened, %llu now): records after "
               "byte %llu may be missing",
               (unsigned long long)in->fsize, (unsigned long long)now, (unsigned long long)end);
    }
    if (in->is_file && in->size > now)
        in->size = (size_t)now;
}

/* A read of a plain file came back short at byte `at` (err: its errno, or 0): a file now
 * shorter than the bytes left to read shrank; else the read failed. Either way nothing from
 * `at` on is read, and it is reported once. Under s->lock. */
static void ended_early(Src *s, Input *in, uint64_t at, int err)
{
    struct stat st;
    if (fstat(in->fd, &st) == 0 && (uint64_t)st.st_size < in->size) {
        shrank(s, in, (uint64_t)st.st_size, at);
    } else if (!in->shrunk) {
        in->shrunk = 1;
        report_in(s, in, "read error at byte %llu: %s", (unsigned long long)at,
               err ? strerror(err) : "the file ends there");
    }
    if (in->size > at)
        in->size = (size_t)at;
}

/* ===== Live inputs (src.h): reading what a writer wrote, as it comes ===== */

void src_live(Src *s, const SrcLive *live)
{
    s->live = *live;
}

static int live_stopped(const Src *s)
{
    return s->live.stop && atomic_load_explicit(s->live.stop, memory_order_relaxed);
}

/* Waits until a live input has bytes to read (or its end, or an error for read to report):
 * 1; 0 when ms milliseconds passed without (ms < 0: no limit, 0: no wait); -1 when the run
 * stopped meanwhile (looked at every SRC_STOP_MS). */
static int live_wait(const Src *s, const Input *in, int ms)
{
    for (;;) {
        if (live_stopped(s))
            return -1;
        int slice = ms < 0 || ms > SRC_STOP_MS ? SRC_STOP_MS : ms;
        struct pollfd pf = {.fd = in->fd, .events = POLLIN};
        int r = poll(&pf, 1, slice);
        if (r > 0 || (r < 0 && errno != EINTR))
            return 1;
        if (ms >= 0 && (ms -= slice) <= 0)
            return 0;
    }
}

/* The live input in paused for SRC_IDLE_MS: tells the run, when it is the current input (one
 * read ahead of its turn pauses while the run is busy with the inputs before it). */
static void live_idle(Src *s, Input *in)
{
    if (!s->live.idle)
        return;
    apr_thread_mutex_lock(s->lock);
    int cur = s->cur < s->n && in == &s->inputs[s->cur];
    uint64_t handed = s->seq;
    apr_thread_mutex_unlock(s->lock);
    if (cur && !live_stopped(s))
        s->live.idle(s->live.ctx, handed);
}

/* Reads plain bytes: through the decompressor, or straight from the descriptor. Returns the
 * count, 0 at the end, -1 on an error (reported: the input is incomplete). A live input is
 * waited for first: after SRC_IDLE_MS without a byte the run hears of the pause; a run that
 * stops meanwhile ends the input (0). */
static ssize_t fill_raw(Src *s, Input *in, char *buf, size_t cap)
{
    if (in->fd < 0 && !in->dec)
        return 0; /* a stream already ended */
    if (in->live) {
        int w = live_wait(s, in, SRC_IDLE_MS);
        if (w == 0) {
            live_idle(s, in);
            w = live_wait(s, in, -1);
        }
        if (w < 0)
            return 0;
    }
    ssize_t r;
    if (in->dec) {
        r = decomp_read(in->dec, buf, cap);
    } else {
        do
            r = read(in->fd, buf, cap);
        while (r < 0 && errno == EINTR);
    }
    /* the end of a download stream: a failed download is the error, not what it did to
     * the decompressor */
    if (r <= 0 && in->s3st && s3_end(s, in, 0) != 0)
        return -1;
    /* a compressed file that ended before the size it had when opened was truncated while
     * read: that is the damage, whatever it did to the stream */
    if (r <= 0 && in->dec && in->fsize) {
        struct stat st;
        off_t pos = lseek(in->fd, 0, SEEK_CUR);
        if (pos >= 0 && (uint64_t)pos < in->fsize && fstat(in->fd, &st) == 0 &&
            (uint64_t)st.st_size < in->fsize) {
            shrank(s, in, (uint64_t)st.st_size, (uint64_t)pos);
            return -1;
        }
    }
    if (r < 0)
        report_in(s, in, "%s", in->dec ? decomp_error(in->dec) : strerror(errno));
    return r;
}

/* ===== Encodings (engine/input/enc.h): UTF-16 and UTF-32 inputs are read as UTF-8 ===== */

static void ended(Input *in, ssize_t r);

enum { SRC_ENCBUF = 65536 }; /* bytes of a converted input read at once */

/* Reads the plain bytes of an input, converted to UTF-8 when it is in another encoding
 * (Input.conv): fill_raw's bytes go through the converter. Returns as fill_raw does; an
 * error ends the input after the bytes read before it are converted. */
static ssize_t fill(Src *s, Input *in, char *buf, size_t cap)
{
    if (!in->conv)
        return fill_raw(s, in, buf, cap);
    for (;;) {
        const char *ip = in->encbuf + in->enc_pos;
        size_t il = in->enc_len - in->enc_pos;
        size_t w = enc_conv(in->conv, &ip, &il, buf, cap, in->enc_eof);
        in->enc_pos = (size_t)(ip - in->encbuf);
        if (w)
            return (ssize_t)w;
        if (in->enc_eof)
            return in->enc_err ? -1 : 0;
        /* the start of a character or nothing is left: read more after it */
        size_t rest = in->enc_len - in->enc_pos;
        memmove(in->encbuf, in->encbuf + in->enc_pos, rest);
        in->enc_pos = 0;
        in->enc_len = rest;
        ssize_t r = fill_raw(s, in, in->encbuf + rest, SRC_ENCBUF - rest);
        if (r <= 0) {
            in->enc_eof = 1;
            in->enc_err = r < 0;
        } else {
            in->enc_len += (size_t)r;
            in->enc_raw += (uint64_t)r;
        }
    }
}

/* Starts converting an input of encoding e whose mark is bom bytes long; raw holds its first
 * rawlen bytes (read already, from the start), the descriptor or decompressor the rest. A
 * plain file becomes a stream read front to back. Returns 0 when the C library cannot convert
 * e: then the input is refused (reported) and ends. */
static int start_conv(Src *s, Input *in, TextEnc e, size_t bom, const char *raw, size_t rawlen)
{
    in->conv = enc_open(e, bom);
    if (!in->conv) {
        report_in(s, in, "%s text, which this build cannot convert to UTF-8 (iconv): not read",
                  enc_name(e));
        in->eof = 1;
        in->is_file = 0;
        return 0;
    }
    if (in->is_file) { /* read front to back through the converter, from byte 0 */
        in->is_file = 0;
        src_win_close(&in->win);
        lseek(in->fd, 0, SEEK_SET);
    }
    in->encbuf = mem_alloc(SRC_ENCBUF);
    if (rawlen) /* rawlen <= SRC_ENCBUF: a first block at most */
        memcpy(in->encbuf, raw, rawlen);
    in->enc_len = rawlen;
    in->enc_raw = rawlen;
    return 1;
}

/* A plain file's encoding, from its first bytes: a UTF-8 mark is skipped (reading starts
 * after it); UTF-16 and UTF-32 make it a stream read through the converter. Returns 0 when
 * the input was refused. */
static int file_encoding(Src *s, Input *in)
{
    char head[512];
    ssize_t r = src_pread(in->fd, head, in->size < sizeof(head) ? in->size : sizeof(head), 0);
    size_t bom;
    TextEnc e = enc_sniff(head, r > 0 ? (size_t)r : 0, &bom);
    if (e == ENC_UTF8_BOM) {
        if (in->off < bom) /* a --follow range may start past it */
            in->off = bom;
    }
    else if (e != ENC_UTF8)
        return start_conv(s, in, e, bom, NULL, 0);
    return 1;
}

/* A stream's encoding, from its first block (the carry, read raw): a UTF-8 mark is dropped;
 * for UTF-16 and UTF-32 the block goes to the converter and the carry is read again through
 * it. Returns 0 when the input was refused. */
static int stream_encoding(Src *s, Input *in)
{
    size_t bom;
    TextEnc e = enc_sniff(in->carry, in->carry_len, &bom);
    if (e == ENC_UTF8_BOM) {
        memmove(in->carry, in->carry + bom, in->carry_len - bom);
        in->carry_len -= bom;
    }
    if (e == ENC_UTF8 || e == ENC_UTF8_BOM)
        return 1;
    int ok = start_conv(s, in, e, bom, in->carry, in->carry_len);
    in->carry_len = 0;
    if (!ok)
        return 0;
    in->eof = 0; /* the raw end was seen: the converter's says it again */
    while (in->carry_len < 65536) {
        if (in->live && memchr(in->carry, '\n', in->carry_len) &&
            live_wait(s, in, SRC_IDLE_MS) != 1)
            break; /* a live input paused (detect_format) */
        ssize_t r = fill(s, in, in->carry + in->carry_len, 65536 - in->carry_len);
        if (r <= 0) {
            ended(in, r);
            break;
        }
        in->carry_len += (size_t)r;
    }
    return 1;
}

/* After fill() returned r <= 0: the input ends; an error (r < 0) damaged it, so a last line
 * without a newline was cut short and is no record, unless the damage is garbage after
 * complete compressed members (their last line is whole). */
static void ended(Input *in, ssize_t r)
{
    in->eof = 1;
    if (r < 0 && !(in->dec && decomp_trailing(in->dec)))
        in->damaged = 1;
}

/* Does a line starting at p begin an export-task record? */
static int record_start(const char *p, size_t n)
{
    int64_t ms;
    size_t skip;
    return fmt_export_prefix(p, n < 64 ? n : 64, &ms, &skip);
}

/* Under s->lock: the end of the morsel whose nominal end is pos: just past the first newline
 * at or after pos (export objects: past the first that a record follows), or in->size.
 * A file found shorter than in->size ends there (shrank lowers in->size). */
static size_t morsel_end(Src *s, Input *in, size_t pos)
{
    SrcWin *w = &in->win;
    for (;;) {
        size_t nl = src_win_find(w, pos, in->size, '\n');
        if (w->shrunk && w->lim < in->size)
            ended_early(s, in, w->lim, w->err);
        if (nl >= in->size)
            return in->size;
        size_t end = nl + 1;
        if ((in->fmt != FMT_EXPORT && in->ml == ML_NONE) || end >= in->size)
            return end;
        size_t got;
        if (in->fmt == FMT_EXPORT) {
            /* export objects: the next morsel must start with a record, not a continuation */
            const char *p = src_win_get(w, end, 64, &got);
            if (got > in->size - end)
                got = in->size - end;
            if (record_start(p, got))
                return end;
        } else { /* multi-line records (multiline.h): the same */
            size_t ll = src_win_find(w, end, in->size, '\n') - end;
            if (ll > s->max_line)
                ll = s->max_line;
            const char *p = src_win_get(w, end, ll, &got);
            if (got > ll)
                got = ll;
            if (starts_record(in, s->ml_local, p, got))
                return end;
        }
        pos = end;
    }
}

/* Under s->lock: cuts the next morsel of a plain file: about SRC_MORSEL bytes, ending after a
 * newline; its bytes are read later, outside the lock (load_file). The file's size is
 * checked first: a file shorter than what is left to read shrank and ends there. A line that
 * runs more than --max-line bytes past the nominal end is read only that far (the worker
 * cuts it at --max-line and counts it, as it would the whole line), so a morsel never holds
 * more than SRC_MORSEL + max_line + 1 bytes. Inputs entered by the time seek give the morsel
 * the bounds its records must keep. */
static int cut_file(Src *s, Input *in, Morsel *m)
{
    struct stat st;
    if (in->off < in->size && fstat(in->fd, &st) == 0 && (uint64_t)st.st_size < in->size)
        shrank(s, in, (uint64_t)st.st_size, (uint64_t)st.st_size);
    if (in->off >= in->size)
        return 0;
    size_t start = in->off, end = start + SRC_MORSEL;
    end = end >= in->size ? in->size : morsel_end(s, in, end);
    if (end <= start)
        return 0; /* the file ends before this morsel now */
    in->off = end;
    size_t most = SRC_MORSEL + s->max_line + 1;
    m->data = NULL;
    m->len = end - start > most ? most : end - start;
    m->off = start;
    m->tail_cut = in->shrunk && end >= in->size;
    m->owned = NULL;
    if (in->seek_check) {
        /* the first timestamped record after the morsel bounds its records, and the next
         * morsel's from below (unknown when none is near: no bound) */
        int64_t ms = 0;
        int found = seek_ts_at(seek_line_ts, in, &in->win, end, s->max_line, in->seek_pool, &ms);
        m->seek_check = 1;
        m->ts_lo = in->seek_ts;
        m->ts_hi = found ? ms : INT64_MAX;
        in->seek_ts = found ? ms : INT64_MIN;
    }
    return 1;
}

/* LiqProgress.bytes_scanned grows by what s->bytes keeps (src_bytes, the final figure): plain
 * bytes, once a morsel's are known (a plain file's after load_file read them). */
static void progress_bytes(Src *s, uint64_t n)
{
    if (s->prog && n)
        atomic_fetch_add_explicit(&s->prog->bytes_scanned, n, memory_order_relaxed);
}

/* Outside s->lock, by the worker that took the morsel: reads its bytes. Bytes the file no
 * longer holds end it: a short read, or bytes past the size the file has just after the
 * read (a truncation racing the read may have shown zeros there). Then the line cut short is
 * dropped and the shrink reported (once per input). */
static void load_file(Src *s, Morsel *m)
{
    Input *in = m->in;
    char *buf = mem_alloc(m->len ? m->len : 1);
    ssize_t r = src_pread(in->fd, buf, m->len, m->off);
    int err = r < 0 ? errno : 0;
    size_t got = r < 0 ? 0 : (size_t)r;
    struct stat st;
    uint64_t now = UINT64_MAX;
    if (fstat(in->fd, &st) == 0) {
        now = (uint64_t)st.st_size;
        if (now < m->off + got)
            got = now > m->off ? (size_t)(now - m->off) : 0;
    }
    int cut = m->tail_cut;
    if (got < m->len) {
        apr_thread_mutex_lock(s->lock);
        if (err || now == UINT64_MAX)
            ended_early(s, in, m->off + got, err);
        else
            shrank(s, in, now, m->off + got);
        s->bytes -= m->len - got;
        apr_thread_mutex_unlock(s->lock);
        cut = 1;
    }
    progress_bytes(s, got); /* what s->bytes kept of the morsel */
    if (cut) /* the line the end cut short is no record */
        while (got && buf[got - 1] != '\n')
            got--;
    m->data = m->owned = buf;
    m->len = got;
}

/* After its format is known, outside s->lock: enters a plain line input by the time seek
 * when --start/--end apply and its sampled lines are sorted (engine/input/seek.h). */
static void try_seek(Src *s, Input *in)
{
    const SrcOpts *o = s->opts;
    if (!o || !o->seek || !in->is_file || in->s3obj || in->size == 0 || in->off != 0 ||
        (in->range && in->range->fd < 0) || /* FILE@START-END: read [START, END) as it is */
        (in->fmt != FMT_LINES && in->fmt != FMT_COLUMNS))
        return;
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    size_t lo, hi;
    if (!seek_range(seek_line_ts, in, &in->win, s->max_line, o->has_start, o->start_ms, o->has_end,
                    o->end_ms, pool, &lo, &hi) ||
        (lo == 0 && hi >= in->size)) {
        apr_pool_destroy(pool);
        return;
    }
    in->seek_pool = pool;
    in->seek_skipped = lo + (in->size - hi);
    in->off = lo;
    in->size = hi;
    in->seek_check = 1;
    in->seek_ts = INT64_MIN;
}

/* The start of the last line of buf[0, cut) (whole lines) that starts a record, or 0 when
 * none but the first does (multi-line records, multiline.h). By the thread reading the input,
 * with its own matcher. */
static size_t last_record_start(Src *s, Input *in, const char *buf, size_t cut)
{
    if (in->ml == ML_RULE && !in->ml_local) {
        apr_thread_mutex_lock(s->pool_lock);
        in->ml_local = src_ml_local(s, s->pool);
        apr_thread_mutex_unlock(s->pool_lock);
    }
    for (size_t p = cut; p > 0;) {
        size_t ls = p - 1; /* buf[p - 1] is the newline of the line before p */
        while (ls > 0 && buf[ls - 1] != '\n')
            ls--;
        if (ls > 0 && starts_record(in, in->ml_local, buf + ls, p - 1 - ls))
            return ls;
        p = ls;
    }
    return 0;
}

/* A block buffer of at least *cap bytes (64 KiB more than the carry, when that is more) that
 * starts with the input's carried partial record, which it takes over. */
static char *block_new(Input *in, size_t *cap)
{
    size_t len = in->carry_len;
    if (*cap < len + 65536)
        *cap = len + 65536;
    char *buf = mem_alloc(*cap);
    if (len)
        memcpy(buf, in->carry, len);
    free(in->carry);
    in->carry = NULL;
    in->carry_len = 0;
    return buf;
}

/* Reads the next block of a non-mapped input: whole lines only, the partial last line carried
 * into the next block. A line longer than max_line is cut (reported once per input). */
static int read_block(Src *s, Input *in, Morsel *m)
{
    size_t cap = SRC_MORSEL, len = in->carry_len;
    if (in->eof && len == 0)
        return 0;
    char *buf = block_new(in, &cap);
    size_t scanned = 0; /* bytes known to hold no newline */
    int lines = len && memchr(buf, '\n', len); /* the block holds a whole line */
    int pause = 0; /* a live input has no byte to read now: the block ends (src.h) */
    for (;;) {
        if (!in->eof && len < cap && !pause) {
            if (in->live && lines && live_wait(s, in, 0) != 1) {
                pause = 1;
            } else {
                ssize_t r = fill(s, in, buf + len, cap - len);
                if (r <= 0) {
                    ended(in, r);
                } else {
                    lines = lines || memchr(buf + len, '\n', (size_t)r);
                    len += (size_t)r;
                    if (len < cap)
                        continue;
                }
            }
        }
        /* the last newline in the block */
        size_t cut = len;
        while (cut > scanned && buf[cut - 1] != '\n')
            cut--;
        if (in->ml != ML_NONE && !in->eof && cut > 0) {
            /* multi-line records: the last one may go on in the next block, so the block ends
             * before the last line that starts a record; a block that is one record grows,
             * or, from a live input that paused, goes whole once SRC_IDLE_MS pass without a
             * byte (else more bytes are read) */
            size_t p = last_record_start(s, in, buf, cut);
            if (p > 0) {
                cut = p;
            } else if (pause) {
                if (live_wait(s, in, SRC_IDLE_MS) == 1) {
                    pause = 0;
                    continue;
                }
            } else if (cap < s->max_line) {
                cap = cap * 2 < s->max_line ? cap * 2 : s->max_line;
                char *nb = mem_realloc(buf, cap);
                buf = nb;
                continue;
            }
        }
        if (in->fmt == FMT_EXPORT && !in->eof && cut > 0 &&
            !(len - cut >= 32 && record_start(buf + cut, len - cut))) {
            /* the last record may continue past the block: keep it for the next block by
             * cutting at the start of the last line that begins a record (if not the first) */
            size_t p = cut;
            while (p > 0) {
                size_t ls = p - 1;
                while (ls > 0 && buf[ls - 1] != '\n')
                    ls--;
                p = ls;
                if (record_start(buf + ls, cut - ls))
                    break;
            }
            if (p > 0)
                cut = p;
        }
        if (cut > scanned || (cut == 0 && in->eof) || (in->eof)) {
            if (in->eof && !in->damaged)
                cut = len; /* final line without a newline: with the lines before it (a
                            * continuation line of a multi-line or export record stays in it) */
            if (in->damaged && in->eof) { /* the line the damage cut short is not a record */
                if (cut < len)
                    len = cut;
                if (cut == 0) {
                    free(buf);
                    return 0;
                }
            }
            if (cut < len) {
                in->carry_len = len - cut;
                in->carry = mem_alloc(in->carry_len);
                memcpy(in->carry, buf + cut, in->carry_len);
            }
            if (cut == 0) {
                free(buf);
                return 0;
            }
            m->data = buf;
            m->len = cut;
            m->owned = buf;
            return 1;
        }
        /* one line fills the whole block: grow it, up to max_line */
        scanned = len;
        if (cap >= s->max_line) {
            report_in(s, in, "a line is longer than --max-line (%zu bytes); it was cut",
                   s->max_line);
            /* emit what we have as one record, then skip to the next newline */
            m->data = buf;
            m->len = len;
            m->owned = buf;
            char skip[65536];
            for (;;) { /* drop the rest of that line */
                ssize_t r = fill(s, in, skip, sizeof(skip));
                if (r <= 0) {
                    in->eof = 1;
                    break;
                }
                const char *nl = memchr(skip, '\n', (size_t)r);
                if (nl) {
                    size_t rest = (size_t)r - (size_t)(nl + 1 - skip);
                    if (rest) {
                        in->carry = mem_alloc(rest);
                        memcpy(in->carry, nl + 1, rest);
                        in->carry_len = rest;
                    }
                    break;
                }
            }
            return 1;
        }
        cap = cap * 2 < s->max_line ? cap * 2 : s->max_line;
        char *nb = mem_realloc(buf, cap);
        buf = nb;
    }
}

/* The next SRC_MORSEL_RECS records of a container input. */
static int hand_records(Input *in, Morsel *m)
{
    if (in->recpos >= in->nrecs)
        return 0;
    size_t n = in->nrecs - in->recpos;
    if (n > SRC_MORSEL_RECS)
        n = SRC_MORSEL_RECS;
    m->recs = in->recs + in->recpos;
    m->nrecs = n;
    m->data = NULL;
    m->len = 0;
    m->owned = NULL;
    in->recpos += n;
    return 1;
}

/* --input-format: the format the user named, whatever the content looks like. */
static void force_format(Src *s, Input *in, const char *p, size_t n)
{
    InFormat f = FMT_LINES;
    int text = 0;
    fmt_by_user_name(s->opts->format, &f, &text);
    if (f == FMT_LINES && !text && p && fmt_json_seq(p, n)) /* json: pretty, arrays too */
        f = FMT_JSONSEQ;
    in->fmt = f;
    in->text_only = text;
    if (f != FMT_COLUMNS)
        return;
    apr_thread_mutex_lock(s->pool_lock);
    in->cols = fmt_columns_named(s->opts->format, p, n < 65536 ? n : 65536, s->pool);
    apr_thread_mutex_unlock(s->pool_lock);
    if (!in->cols) {
        report_in(s, in, "--input-format %s: no #Fields header line; read as text lines",
               s->opts->format);
        in->fmt = FMT_LINES;
    }
}

/* Sniffs the format of an input from its first plain bytes (for streams, a first block
 * read into the carry), and reads a container-format input whole into records. */
static void detect_format(Src *s, Input *in)
{
    in->fmt_known = 1;
    char *head = NULL; /* a plain file: its first bytes */
    size_t headlen = 0;
    if (in->is_file && !file_encoding(s, in))
        return; /* refused */
    if (in->is_file) {
        /* a --follow range past the file's start: the format (a header line's columns) is the
         * one its first bytes tell, as for the first read (docs/follow.md) */
        size_t at = in->off;
        if (in->range && in->range->fd >= 0 && in->range->from > 0) {
            unsigned char bom[3];
            at = src_pread(in->fd, (char *)bom, 3, 0) == 3 && bom[0] == 0xef &&
                         bom[1] == 0xbb && bom[2] == 0xbf ? 3 : 0;
        }
        size_t n = in->size - at < 65536 ? in->size - at : 65536;
        head = mem_alloc(n ? n : 1);
        ssize_t r = src_pread(in->fd, head, n, at); /* after a byte order mark */
        headlen = r > 0 ? (size_t)r : 0; /* a short read: the cut finds the shrink */
        in->fmt = fmt_sniff(head, headlen);
    } else if (in->fd >= 0 || in->dec || in->carry) {
        size_t cap = 65536, len = in->carry_len;
        char *buf = mem_alloc(cap);
        if (len)
            memcpy(buf, in->carry, len);
        while (len < cap && !in->eof) {
            if (in->live && memchr(buf, '\n', len) && live_wait(s, in, SRC_IDLE_MS) != 1)
                break; /* a live input paused after whole lines: they are what there is */
            ssize_t r = fill(s, in, buf + len, cap - len);
            if (r <= 0) {
                ended(in, r);
                break;
            }
            len += (size_t)r;
        }
        free(in->carry);
        in->carry = buf;
        in->carry_len = len;
        if (!in->conv && !stream_encoding(s, in))
            return; /* refused */
        in->fmt = fmt_sniff(in->carry, in->carry_len);
    }
    const char *p = in->is_file ? head : in->carry;
    size_t n = in->is_file ? headlen : in->carry_len;
    int forced = s->opts && s->opts->format;
    if (forced)
        force_format(s, in, p, n);
    if (!forced && in->fmt == FMT_EXPORT && !fmt_export_path(in->path))
        in->fmt = FMT_LINES;
    if (!forced && in->fmt == FMT_LINES) {
        apr_thread_mutex_lock(s->pool_lock);
        in->cols = p ? fmt_columns_sniff(p, n < 65536 ? n : 65536, s->pool) : NULL;
        apr_thread_mutex_unlock(s->pool_lock);
        if (in->cols)
            in->fmt = FMT_COLUMNS;
    }
    sniff_ts_form(in, p, n);
    multiline_mode(s, in);
    if (in->fmt == FMT_EXPORT) { /* @logStream from the export layout (L19) */
        apr_thread_mutex_lock(s->pool_lock);
        in->stream = export_stream(s->pool, in->path);
        apr_thread_mutex_unlock(s->pool_lock);
        in->stream_len = (uint32_t)strlen(in->stream);
    }
    free(head);
    json_seq_stream(in);
    if (!fmt_is_container(in->fmt))
        return;
    const char *doc;
    size_t len;
    if (in->is_file) { /* read the whole file (after a byte order mark) */
        size_t want = in->size - in->off;
        char *buf = mem_alloc(want ? want : 1);
        ssize_t r = src_pread(in->fd, buf, want, in->off);
        len = r > 0 ? (size_t)r : 0;
        struct stat st;
        if (r < 0)
            report_in(s, in, "%s", strerror(errno));
        else if (len < want || (fstat(in->fd, &st) == 0 && (uint64_t)st.st_size < in->off + len))
            shrank(s, in, len < want ? in->off + len : (uint64_t)st.st_size, in->off + len);
        in->doc = buf;
        doc = buf;
    } else { /* read the whole stream */
        size_t cap = in->carry_len + (1 << 20);
        char *buf = mem_alloc(cap);
        len = in->carry_len;
        memcpy(buf, in->carry, len);
        while (!in->eof) {
            if (len == cap) {
                cap *= 2;
                char *nb = mem_realloc(buf, cap);
                buf = nb;
            }
            ssize_t r = fill(s, in, buf + len, cap - len);
            if (r <= 0)
                in->eof = 1;
            else
                len += (size_t)r;
        }
        free(in->carry);
        in->carry = NULL;
        in->carry_len = 0;
        in->doc = buf;
        doc = buf;
    }
    in->is_file = 0;
    in->doc_len = len;
    apr_pool_create(&in->docpool, NULL);
    char err[256];
    if (fmt_records(in->fmt, doc, len, in->docpool, &in->recs, &in->nrecs, err, sizeof(err)) != 0)
        report_in(s, in, "%s", err);
    if (!in->recs) { /* an empty document: nothing to hand out */
        in->recs = apr_palloc(in->docpool, sizeof(Rec));
        in->nrecs = 0;
    }
    if (in->tso && in->tso->field) /* --timestamp-field: the events' own times give way */
        for (size_t i = 0; i < in->nrecs; i++)
            in->recs[i].ts_done = 0;
}

/* ===== Runs of JSON values (FMT_JSONSEQ): records cut as they are read ===== */

/* After its format is told: a plain file of JSON values is read as a stream, front to back
 * (its records are found by following the JSON from the start, not at any offset), from where
 * its text starts (after a byte order mark). */
static void json_seq_stream(Input *in)
{
    if (in->fmt != FMT_JSONSEQ || !in->is_file)
        return;
    in->is_file = 0;
    src_win_close(&in->win);
    lseek(in->fd, (off_t)in->off, SEEK_SET);
}

/* A record of a block being read: its place in the block (which may still move). */
typedef struct JsonSpan {
    size_t off, len;
} JsonSpan;

static void json_span_add(JsonSpan **v, size_t *n, size_t *cap, size_t off, size_t len)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        JsonSpan *nv = mem_realloc(*v, sizeof(**v) * *cap);
        *v = nv;
    }
    (*v)[(*n)++] = (JsonSpan){off, len};
}

/* Reads the next block of a run of JSON values (FMT_JSONSEQ): about SRC_MORSEL bytes of whole
 * records, handed out as records (m->recs) into the block's bytes; the partial record at the
 * end is carried into the next block. The reader's place between records (Input.jseq) goes
 * from block to block. A record longer than max_line is cut there (its first max_line bytes
 * are the record, read as text since it is no whole JSON value) and the rest of it skipped;
 * they are counted and reported when the input ends (exit 3), as is a last record the input
 * ends inside. Returns 0 at the end of the input. */
static int read_json_block(Src *s, Input *in, Morsel *m)
{
    size_t cap = SRC_MORSEL, len = in->carry_len, pos = 0;
    char *buf = block_new(in, &cap);
    JsonSpan *span = NULL;
    size_t n = 0, ncap = 0;
    int wait = 0; /* a live input: the bytes so far hold no whole record, so read on */
    for (;;) {
        while (!in->eof && len < cap) {
            if (in->live && len > pos && !wait && live_wait(s, in, 0) != 1)
                break; /* nothing more to read now: the records that are whole go (src.h) */
            wait = 0;
            ssize_t r = fill(s, in, buf + len, cap - len);
            if (r <= 0) {
                ended(in, r);
                break;
            }
            len += (size_t)r;
        }
        if (in->jseq.skipping) { /* the rest of a record cut at max_line */
            pos += fmt_jseq_skip(&in->jseq, buf + pos, len - pos);
            if (in->jseq.skipping && !in->eof) {
                len = pos = 0; /* all of it skipped: read on */
                continue;
            }
            in->jseq.skipping = 0;
        }
        int grow = 0;
        while (pos < len) {
            size_t st, en;
            JsqKind k = fmt_jseq_next(&in->jseq, buf + pos, len - pos, in->eof, &st, &en);
            if (k == JSQ_NONE) {
                pos = len;
                break;
            }
            st += pos;
            en += pos;
            if (k == JSQ_WHOLE && en - st > s->max_line) { /* found whole, but too long */
                json_span_add(&span, &n, &ncap, st, s->max_line);
                in->jcut++;
                pos = en;
                continue;
            }
            if (k == JSQ_WHOLE) {
                if (en > st)
                    json_span_add(&span, &n, &ncap, st, en - st);
                pos = en;
                continue;
            }
            /* a record goes on past the bytes read */
            if (in->eof) { /* ... and the input ends inside it: kept, reported */
                size_t e = len;
                while (e > st && (buf[e - 1] == '\n' || buf[e - 1] == '\r' || buf[e - 1] == ' '))
                    e--; /* the line end after it (it holds no more of the value) */
                size_t l = e - st > s->max_line ? s->max_line : e - st;
                json_span_add(&span, &n, &ncap, st, l);
                in->jtrunc = 1;
                pos = len;
                break;
            }
            if (len - st > s->max_line) { /* longer than max_line: cut there, the rest skipped */
                json_span_add(&span, &n, &ncap, st, s->max_line);
                in->jcut++;
                fmt_jseq_skip_start(&in->jseq, buf + st);
                pos = st + fmt_jseq_skip(&in->jseq, buf + st, len - st);
                if (!in->jseq.skipping)
                    continue;
                pos = len;
                break;
            }
            pos = st;
            grow = 1;
            break;
        }
        if (n > 0 || (in->eof && !grow)) /* records, or the end */
            break;
        wait = 1;
        /* no whole record yet: keep the partial one and read on (more room when it fills
         * the block; at most max_line and a read beyond, so the cut above finds it) */
        memmove(buf, buf + pos, len - pos);
        len -= pos;
        pos = 0;
        if (len == cap) {
            cap = cap * 2 < s->max_line + 65536 ? cap * 2 : s->max_line + 65536;
            char *nb = mem_realloc(buf, cap);
            buf = nb;
        }
    }
    if (pos < len) { /* the partial last record: the next block starts with it */
        in->carry_len = len - pos;
        in->carry = mem_alloc(in->carry_len);
        memcpy(in->carry, buf + pos, in->carry_len);
    }
    if (n == 0) {
        free(buf);
        free(span);
        if (in->jcut)
            report_in(s, in, "%llu JSON record%s longer than --max-line (%zu bytes) %s cut there",
                      (unsigned long long)in->jcut, in->jcut == 1 ? "" : "s", s->max_line,
                      in->jcut == 1 ? "was" : "were");
        if (in->jseq.in_array && !in->jtrunc)
            in->jtrunc = 2; /* the end, and the array of records never closed */
        if (in->jtrunc == 1)
            report_in(s, in, "%s", "the input ends inside a JSON value: its last record is "
                                   "incomplete (read as text)");
        else if (in->jtrunc)
            report_in(s, in, "%s", "the input ends inside a JSON array of records: no ']' "
                                   "closes it (the records it holds were read)");
        in->jcut = 0;
        in->jtrunc = 0;
        return 0;
    }
    Rec *recs = mem_alloc(sizeof(Rec) * n);
    for (size_t i = 0; i < n; i++) {
        memset(&recs[i], 0, sizeof(Rec));
        recs[i].line = buf + span[i].off;
        recs[i].len = (uint32_t)span[i].len;
    }
    free(span);
    m->data = m->owned = buf;
    m->len = pos;
    m->recs = m->owned_recs = recs;
    m->nrecs = n;
    return 1;
}

/* ===== Progress (src_progress) ===== */

void src_progress(Src *s, LiqProgress *p)
{
    s->prog = p;
    if (!p)
        return;
    uint64_t total = 0;
    int known = 1;
    for (int i = 0; i < s->n; i++) {
        Input *in = &s->inputs[i];
        struct stat st;
        if (in->s3obj) {
            in->rawsize = in->s3obj->size;
            in->rawsize_known = in->s3obj->size > 0; /* 0: not listed (or empty) */
        } else if (strcmp(in->path, "-") != 0 && stat(in->path, &st) == 0 &&
                   S_ISREG(st.st_mode)) {
            in->rawsize = (uint64_t)st.st_size;
            in->rawsize_known = 1;
        }
        known &= in->rawsize_known;
        total += in->rawsize;
    }
    atomic_store_explicit(&p->total, total, memory_order_relaxed);
    atomic_store_explicit(&p->total_known, known, memory_order_relaxed);
}

/* Under s->lock, once per morsel (m) or when an input ends (m NULL): adds to the progress the
 * bytes of the input read since the last call, as stored (compressed bytes through the
 * decompressor). */
static void progress_note(Src *s, Input *in, const Morsel *m)
{
    if (!s->prog)
        return;
    uint64_t pos = in->raw_reported;
    if (!m)
        pos = in->rawsize_known ? in->rawsize : pos;
    else if (in->dec || in->conv)
        pos = in->raw_pos; /* not the decompressor's: a worker may be reading ahead */
    else if (in->recs)
        pos = in->nrecs ? in->rawsize * in->recpos / in->nrecs : in->rawsize;
    else if (in->is_file)
        pos = in->off;
    else
        pos += m->len; /* plain bytes read from a descriptor */
    if (in->rawsize_known && pos > in->rawsize)
        pos = in->rawsize;
    if (pos > in->raw_reported) {
        atomic_fetch_add_explicit(&s->prog->done, pos - in->raw_reported, memory_order_relaxed);
        in->raw_reported = pos;
    }
}

/* ===== Handing out morsels; reading ahead ===== */

static int opened(const Input *in)
{
    return in->fd >= 0 || in->eof || in->done;
}

/* Does the input need a worker to open it or read its next block outside s->lock? Not S3
 * objects before their download started (s3_kick) nor standard input ahead of its
 * turn (it may be named twice); not mapped plain files or containers once told (cut under the
 * lock, cheaply). */
static int readable(const Src *s, const Input *in)
{
    if (in->busy || in->done || in->drained)
        return 0;
    if (in != &s->inputs[s->cur] && s->nready >= SRC_READY)
        return 0; /* enough read ahead: memory stays bounded */
    if (in != &s->inputs[s->cur] && strcmp(in->path, "-") == 0)
        return 0;
    if (!opened(in))
        return !in->s3obj || in->s3started;
    return !in->fmt_known ||
           (!in->recs && !in->is_file && (in->fd >= 0 || in->dec || in->carry));
}

/* Outside s->lock, after its format is known from the whole file's head: a FILE@START-END
 * input (add_range) keeps the records whose first byte lies in [START, END): both bounds move
 * to the record start at or after them (morsel_end), so ranges cut anywhere, inside a line or
 * a multi-line record, share a file's records out exactly once. A file read whole (a JSON
 * document or a run of JSON values) has one record at byte 0: a range holding byte 0 reads it
 * all, any other reads nothing. Returns 0 when the input is to read nothing. */
static int split_range(Src *s, Input *in)
{
    const LiqRange *r = in->range;
    if (!r || r->fd >= 0)
        return 1;
    size_t bom = in->is_file ? in->off : 0; /* a plain file: reading starts after its mark */
    if (!in->is_file || in->fmt == FMT_JSONSEQ) {
        int whole = r->from <= bom && r->to > r->from;
        if (in->recs && !whole)
            in->nrecs = 0; /* a document read whole: its records are another range's */
        return whole || in->recs;
    }
    apr_thread_mutex_lock(s->lock);
    size_t from = r->from <= bom        ? bom
                  : r->from >= in->size ? in->size
                                        : morsel_end(s, in, (size_t)r->from - 1);
    size_t to = r->to >= in->size ? in->size
                : r->to <= bom    ? bom
                                  : morsel_end(s, in, (size_t)r->to - 1);
    apr_thread_mutex_unlock(s->lock);
    in->off = from;
    in->size = to > from ? to : from;
    return 1;
}

/* Under s->lock, which it releases meanwhile: opens the input if needed, tells its format
 * (reading a container whole), and reads its next block of lines. */
static void read_ahead(Src *s, Input *in)
{
    in->busy = 1;
    apr_thread_mutex_unlock(s->lock);
    atomic_store_explicit(&in->reader, pthread_self(), memory_order_relaxed);
    SrcBlock *b = NULL;
    int ended = 0;
    if (!opened(in) && !open_input(s, in)) {
        in->eof = 1;
        ended = 1;
    } else {
        if (!in->fmt_known) {
            detect_format(s, in);
            if (!split_range(s, in)) {
                in->eof = 1;
                ended = 1;
                goto done;
            }
            try_seek(s, in);
        }
        if (!in->recs && !in->is_file && (in->fd >= 0 || in->dec || in->carry)) {
            Morsel m;
            memset(&m, 0, sizeof(m));
            if (in->fmt == FMT_JSONSEQ ? read_json_block(s, in, &m) : read_block(s, in, &m)) {
                b = mem_alloc(sizeof(*b));
                b->next = NULL;
                b->data = m.owned;
                b->len = m.len;
                b->recs = m.owned_recs;
                b->nrecs = m.nrecs;
                b->raw = in->dec ? decomp_offset(in->dec) : in->enc_raw;
            } else {
                ended = 1;
            }
        }
    }
done:
    atomic_store_explicit(&in->reader, (pthread_t)0, memory_order_relaxed);
    apr_thread_mutex_lock(s->lock);
    if (b) {
        if (in->ready_tail)
            in->ready_tail->next = b;
        else
            in->ready = b;
        in->ready_tail = b;
        in->nready++;
        s->nready++;
    }
    in->drained |= ended;
    if (in->seek_check && !in->seek_counted) {
        in->seek_counted = 1;
        s->seek_skipped += in->seek_skipped;
        s->seek_inputs++;
    }
    if (in->recs && in->dec) /* a container, read whole */
        in->raw_pos = decomp_offset(in->dec);
    in->busy = 0;
    s3_settle(s, in);
    apr_thread_cond_broadcast(s->ready_cond);
}

/* Under s->lock: reads ahead in one of the inputs after the current one, if one needs it.
 * Returns 1 when it did (the lock was released meanwhile). */
static int help_ahead(Src *s)
{
    for (int i = s->cur + 1; i < s->n && i <= s->cur + SRC_AHEAD; i++)
        if (readable(s, &s->inputs[i])) {
            read_ahead(s, &s->inputs[i]);
            return 1;
        }
    return 0;
}

int src_next(Src *s, Morsel *m)
{
    apr_thread_mutex_lock(s->lock);
    while (s->cur < s->n) {
        Input *in = &s->inputs[s->cur];
        s3_kick(s);
        flush_msgs(s, in);
        m->recs = NULL;
        m->owned_recs = NULL;
        m->nrecs = 0;
        m->off = 0;
        m->tail_cut = 0;
        m->seek_check = 0;
        m->ts_lo = INT64_MIN;
        m->ts_hi = INT64_MAX;
        int got = 0;
        if (in->nready) { /* the next block, read ahead */
            SrcBlock *b = in->ready;
            in->ready = b->next;
            if (!in->ready)
                in->ready_tail = NULL;
            in->nready--;
            s->nready--;
            m->data = m->owned = b->data;
            m->len = b->len;
            m->recs = m->owned_recs = b->recs; /* FMT_JSONSEQ: the records in the bytes */
            m->nrecs = b->nrecs;
            in->raw_pos = b->raw;
            free(b);
            got = 1;
        } else if (in->busy) { /* its next block is on its way: read ahead meanwhile */
            if (!help_ahead(s))
                apr_thread_cond_wait(s->ready_cond, s->lock);
            continue;
        } else if (readable(s, in)) {
            read_ahead(s, in);
            continue;
        } else if (in->recs) {
            got = hand_records(in, m);
            s->bytes += in->doc_len; /* the document, once: its records have no bytes */
            progress_bytes(s, in->doc_len);
            in->doc_len = 0;
        } else if (in->is_file) {
            got = cut_file(s, in, m);
        }
        if (got) {
            in->refs++;
            m->in = in;
            m->seq = s->seq++;
            s->bytes += m->len;
            if (m->data || m->recs) /* else load_file counts what it reads */
                progress_bytes(s, m->len);
            progress_note(s, in, m);
            apr_thread_mutex_unlock(s->lock);
            if (!m->data && !m->recs)
                load_file(s, m); /* a plain file's morsel: its bytes, read outside the lock */
            return 1;
        }
        /* the input is exhausted; it is closed when its last morsel is released (other
         * workers may still be reading a mapped input) */
        in->done = 1;
        flush_msgs(s, in);
        progress_note(s, in, NULL);
        if (in->refs == 0)
            close_input(s, in);
        s->cur++;
    }
    apr_thread_mutex_unlock(s->lock);
    return 0;
}

void src_release(Src *s, Morsel *m)
{
    free(m->owned);
    m->owned = NULL;
    free(m->owned_recs);
    m->owned_recs = NULL;
    apr_thread_mutex_lock(s->lock);
    if (--m->in->refs == 0 && m->in->done)
        close_input(s, m->in);
    apr_thread_mutex_unlock(s->lock);
}

/* JSON records of in with more leaves than the field cap (src_count_over): a warning, once. */
static void report_over(Src *s, Input *in)
{
    uint64_t recs = in->over_recs, fields = in->over_fields;
    if (!recs)
        return;
    in->over_recs = 0;
    apr_thread_mutex_lock(s->diag_lock);
    LiqDiag *d = diag_add(s->diags, DIAG_WARNING, NULL,
                          "%s: %llu record%s more than %d fields: %llu field%s past the %dth "
                          "%s no value (CloudWatch reads at most 200 fields of a JSON event)",
                          in->path, (unsigned long long)recs, recs == 1 ? " has" : "s have",
                          in->over_cap, (unsigned long long)fields, fields == 1 ? "" : "s",
                          in->over_cap, fields == 1 ? "has" : "have");
    diag_hint(s->diags, d, "--max-fields N reads up to N fields of a record (or take them from "
                           "@message with parse or jsonParse)");
    apr_thread_mutex_unlock(s->diag_lock);
}

void src_close(Src *s)
{
    /* downloads still running (a run may end early: limit, a closed pipe) are stopped by
     * closing their pipes; s3_kick starts no more */
    s->s3_window = 0;
    for (int i = 0; i < s->n; i++) {
        Input *in = &s->inputs[i];
        free(in->s3err); /* never opened */
        in->s3err = NULL;
        if (in->fd >= 0 || in->carry || in->dec || in->s3st || in->ready || in->win.buf ||
            in->msgs)
            close_input(s, in);
    }
    decomp_spares_free(s->dspares); /* every decoder is closed */
    s->dspares = NULL;
    for (int i = 0; i < s->n; i++) /* counted by the decoders (src_count_over), told once */
        report_over(s, &s->inputs[i]);
    /* names the query reads that no record has */
    Census **cs = mem_alloc(sizeof(Census *) * (size_t)(s->n + 1));
    const FmtColumns **cols = mem_alloc(sizeof(FmtColumns *) * (size_t)(s->n + 1));
    for (int i = 0; i < s->n; i++) {
        cs[i] = s->inputs[i].census;
        s->inputs[i].census = NULL;
        cols[i] = s->inputs[i].fmt == FMT_COLUMNS ? s->inputs[i].cols : NULL;
    }
    apr_thread_mutex_lock(s->diag_lock);
    if (s->opts && s->opts->census_out) /* a partial result's: merged with the others' */
        census_summary(cs, cols, s->n, s->opts->census_out);
    else
        census_report(cs, cols, s->n, s->diags);
    apr_thread_mutex_unlock(s->diag_lock);
    free(cs);
    free(cols);
}

int src_incomplete(const Src *s)
{
    return s->incomplete;
}

uint64_t src_bytes(const Src *s)
{
    return s->bytes;
}

int src_ninputs(const Src *s)
{
    return s->n;
}

const Input *src_input(const Src *s, int i)
{
    return &s->inputs[i];
}

uint64_t src_seek_skipped(const Src *s, int *inputs)
{
    *inputs = s->seek_inputs;
    return s->seek_skipped;
}

void src_seek_unsorted(Src *s, const Morsel *m, const char *at)
{
    Input *in = m->in;
    apr_thread_mutex_lock(s->lock);
    if (!in->seek_warned) {
        in->seek_warned = 1;
        report_in(s, in,
               "not sorted by time after all (the record at byte %zu is out of order): records "
               "in the %llu bytes the time seek skipped may be missing; --no-seek reads it all",
               m->off + (size_t)(at - m->data), (unsigned long long)in->seek_skipped);
    }
    apr_thread_mutex_unlock(s->lock);
}

void src_s3_counts(const Src *s, uint64_t *pruned, uint64_t *cached)
{
    *pruned = s3_pruned(s->s3);
    *cached = s3_cached(s->s3);
}
