/*
 * range.c - the FILE@START-END form of a byte range of a plain file (range.h), and
 * liq --splits: work units balanced by bytes over files, byte ranges and the objects of S3
 * listings (liq_splits, engine/liq.h; docs/scale-out.md, issue 16).
 *
 * The inputs are laid end to end as items (a file, a directory, an S3 object of a listing,
 * an S3 URI passed on whole), each weighing its bytes, and cut into N shares; a cut inside
 * a plain file read by lines moves to a line start, inside any other item to its nearer
 * end. S3 prefixes and globs are listed with a run's client and settings (s3_expand), pruned
 * and filtered as a run does, and each object is written as a unit name (s3_unit_name) that
 * reads as the listed object reads in that run. Nothing is written before every listing
 * succeeded.
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
#include <apr_fnmatch.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "engine/input/decomp.h"
#include "engine/input/fmt.h"
#include "engine/liq.h"
#include "engine/s3/s3.h"

typedef struct Item {
    const char *name;
    uint64_t size; /* bytes (a directory: of the files below it; an S3 object: the listing's;
                    * an S3 URI passed on whole: 0, not weighed) */
    int cut;       /* a plain file read by lines: may be cut into ranges */
    uint64_t base; /* where it starts in its file (an input FILE@START-END: START; else 0) */
    int part;      /* it is a range of its file (an input FILE@START-END): always written so */
} Item;

typedef struct Items {
    Item *v;
    int n, cap;
} Items;

static Item *item_add(Items *it, const char *name, uint64_t size)
{
    if (it->n == it->cap) {
        it->cap = it->cap ? it->cap * 2 : 16;
        it->v = mem_realloc(it->v, sizeof(*it->v) * (size_t)it->cap);
    }
    Item *x = &it->v[it->n++];
    x->name = name;
    x->size = size;
    x->cut = 0;
    x->base = 0;
    x->part = 0;
    return x;
}

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

/* --include/--exclude on a key found below an S3 input's literal directory, as a run applies
 * them (engine/input/src.c, add_s3 and selected): rel is its path below, base its name. */
static int s3_selected(const LiqRunOptions *o, const char *rel, const char *base)
{
    for (int i = 0; i < o->nexclude; i++)
        if (apr_fnmatch(o->exclude[i], rel, 0) == APR_SUCCESS ||
            apr_fnmatch(o->exclude[i], base, 0) == APR_SUCCESS)
            return 0;
    if (o->ninclude == 0)
        return 1;
    for (int i = 0; i < o->ninclude; i++)
        if (apr_fnmatch(o->include[i], rel, 0) == APR_SUCCESS ||
            apr_fnmatch(o->include[i], base, 0) == APR_SUCCESS)
            return 1;
    return 0;
}

/* The items of an s3:// input: each object of its listing, after --start/--end pruning and
 * --include/--exclude, as a unit name that reads it as a run over the input does
 * (s3_unit_name); an object named alone as written (a unit name when it holds white space);
 * an input that gives no object (all pruned or left out, or a listing that matches nothing:
 * its run says so) whole, weighing nothing. Returns LIQ_OK, or LIQ_EINCOMPLETE with err set
 * when the client cannot start or the listing fails, or LIQ_EUSAGE. */
static LiqStatus s3_items(S3 **c, apr_pool_t *pool, const LiqRunOptions *opt, const char *uri,
                          Items *it, char *err, size_t errlen)
{
    char msg[1024];
    if (!*c) {
        S3Opts so = {0};
        so.endpoint = opt->s3_endpoint;
        so.no_sign = opt->s3_no_sign;
        so.read_timeout = opt->s3_read_timeout;
        so.concurrency = opt->s3_concurrency;
        so.cache_dir = opt->s3_cache_dir;
        so.has_start = opt->has_start; /* pruned as a run prunes (its time range) */
        so.has_end = opt->has_end;
        so.start_ms = opt->start_ms;
        so.end_ms = opt->end_ms;
        *c = s3_open(pool, &so, msg, sizeof(msg));
        if (!*c) {
            snprintf(err, errlen, "%s: %s", uri, msg);
            return LIQ_EINCOMPLETE;
        }
    }
    S3Object *objs;
    size_t n;
    int nomatch;
    if (s3_expand_nomatch(*c, pool, uri, &objs, &n, &nomatch, msg, sizeof(msg)) != 0) {
        snprintf(err, errlen, "%s: %s", uri, msg);
        return LIQ_EINCOMPLETE;
    }
    const char *bucket, *ukey = "";
    size_t dirlen = 0, lit = 0;
    if (s3_parse_uri(pool, uri, &bucket, &ukey) == 0) {
        lit = s3_literal_prefix(ukey);
        for (size_t j = 0; j < lit; j++)
            if (ukey[j] == '/')
                dirlen = j + 1;
    }
    int alone = !s3_is_unit(uri) && lit == strlen(ukey) && *ukey && ukey[lit - 1] != '/';
    int blank = strpbrk(uri, " \t\n\r\v\f") != NULL;
    int before = it->n;
    for (size_t i = 0; i < n; i++) {
        const S3Object *o = &objs[i];
        if (alone) {
            item_add(it, blank ? s3_unit_name(pool, uri, o) : uri, 0);
            continue;
        }
        const char *base = strrchr(o->key, '/');
        if (strcmp(o->key, ukey) != 0 && strncmp(o->key, ukey, dirlen) == 0 &&
            !s3_selected(opt, o->key + dirlen, base ? base + 1 : o->key))
            continue;
        item_add(it, s3_unit_name(pool, uri, o), o->archived ? 0 : o->size);
    }
    if (it->n == before) { /* nothing to read: its run finds the same nothing */
        if (blank && alone) { /* pruned: named so that its run prunes it too */
            S3Object o = {bucket, ukey, 0, NULL, NULL, 0, 0};
            item_add(it, s3_unit_name(pool, uri, &o), 0);
            return LIQ_OK;
        }
        if (blank) {
            snprintf(err, errlen,
                     "'%s': a work unit is a line of names separated by spaces, and this "
                     "input gives no object to name instead",
                     uri);
            return LIQ_EUSAGE;
        }
        item_add(it, uri, 0);
    }
    (void)nomatch; /* a listing that matched nothing: passed whole, as above */
    return LIQ_OK;
}

LiqStatus liq_splits(const LiqRunOptions *opt, int n, char ***units, int *nunits, char *err,
                     size_t errlen)
{
    *units = NULL;
    *nunits = 0;
    if (opt->ninputs == 0) {
        snprintf(err, errlen, "--splits needs inputs to split");
        return LIQ_EUSAGE;
    }
    apr_pool_t *pool; /* S3 listings and unit names */
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS) {
        snprintf(err, errlen, "cannot create a memory pool");
        return LIQ_EINTERNAL;
    }
    Items items = {0};
    S3 *client = NULL;
    LiqStatus rc = LIQ_OK;
    uint64_t total = 0;
    for (int i = 0; i < opt->ninputs && rc == LIQ_OK; i++) {
        const char *p = opt->inputs[i];
        struct stat st;
        if (s3_is_uri(p)) { /* listed: its objects (docs/scale-out.md) */
            int from = items.n;
            rc = s3_items(&client, pool, opt, p, &items, err, errlen);
            for (int k = from; rc == LIQ_OK && k < items.n; k++)
                total += items.v[k].size;
            continue;
        }
        if (strcmp(p, "-") == 0 || strpbrk(p, " \t\n\r")) {
            snprintf(err, errlen, "'%s': %s", p,
                     strcmp(p, "-") == 0 ? "standard input cannot be split into work units"
                                         : "a work unit is a line of names separated by spaces: "
                                           "name inputs holding spaces by a link without them");
            rc = LIQ_EUSAGE;
            break;
        }
        size_t flen;
        uint64_t a, z;
        if (stat(p, &st) != 0 && range_parse(p, &flen, &a, &z)) { /* a unit's FILE@START-END */
            const char *file = apr_pstrndup(pool, p, flen);
            int e = stat(file, &st) != 0 ? errno : 0;
            if (e || !S_ISREG(st.st_mode)) {
                snprintf(err, errlen, "%s: %s", p,
                         e ? strerror(e) : "a byte range of what is not a regular file");
                rc = LIQ_EUSAGE;
                break;
            }
            uint64_t fsz = (uint64_t)st.st_size;
            z = z < fsz ? z : fsz;
            a = a < z ? a : z;
            Item *x = item_add(&items, p, z - a); /* a range it cannot cut: passed on whole */
            if (cuttable(file)) {
                x->name = file;
                x->base = a;
                x->part = a > 0 || z < fsz;
                x->cut = 1;
            }
            total += x->size;
            continue;
        }
        if (stat(p, &st) != 0) {
            snprintf(err, errlen, "%s: %s", p, strerror(errno));
            rc = LIQ_EUSAGE;
            break;
        }
        Item *x = item_add(&items, p, 0);
        if (S_ISDIR(st.st_mode)) {
            x->size = dir_size(p, 0);
        } else {
            x->size = (uint64_t)st.st_size;
            x->cut = S_ISREG(st.st_mode) && cuttable(p);
        }
        total += x->size;
    }
    if (rc != LIQ_OK) {
        free(items.v);
        apr_pool_destroy(pool);
        return rc;
    }
    const Item *it = items.v;
    int ninputs = items.n;
    /* boundaries b[0] = 0 < ... < b[n] = total in the inputs' bytes laid end to end: each
     * inside a file it cannot cut moves to the nearer end of that file; inside a file it can,
     * to the start of a line (want grows with k: the scan goes on from the last input) */
    uint64_t *b = mem_calloc((size_t)n + 1, sizeof(*b));
    b[n] = total;
    int i = 0;
    uint64_t c0 = 0;
    for (int k = 1; k < n; k++) {
        uint64_t want = (uint64_t)((unsigned __int128)total * (unsigned)k / (unsigned)n);
        while (i < ninputs && c0 + it[i].size <= want)
            c0 += it[i++].size;
        uint64_t at = want;
        if (i < ninputs && want > c0) {
            char probe[4096];
            uint64_t fpos = it[i].base + (want - c0), fend = it[i].base + it[i].size;
            snprintf(probe, sizeof(probe), "%s@%llu-%llu", it[i].name, (unsigned long long)fpos,
                     (unsigned long long)fend);
            struct stat st;
            if (it[i].cut && stat(probe, &st) != 0) { /* a file so named would be read instead */
                uint64_t ls = line_start(it[i].name, fpos, fend);
                at = c0 + (ls < fend ? ls : fend) - it[i].base; /* (a line past the range) */
            } else {
                at = want - c0 < it[i].size - (want - c0) ? c0 : c0 + it[i].size;
            }
        }
        b[k] = at < b[k - 1] ? b[k - 1] : at;
    }
    char **u = mem_calloc((size_t)n, sizeof(*u));
    int nu = 0, first = 0; /* inputs before first belong to earlier units */
    uint64_t cfirst = 0;
    for (int k = 0; k < n; k++) {
        uint64_t lo = b[k], hi = b[k + 1];
        int last = k == n - 1;
        while (first < ninputs && (it[first].size ? cfirst + it[first].size <= lo : cfirst < lo))
            cfirst += it[first++].size;
        char *text = NULL;
        size_t len = 0;
        uint64_t c = cfirst;
        for (int j = first; j < ninputs; c += it[j++].size) {
            uint64_t s = c, e = c + it[j].size;
            if (s >= hi && !last)
                break; /* this and the rest belong to later units */
            if (it[j].size == 0) { /* empty or not weighed: in the unit its place falls in */
                if ((s >= lo && s < hi) || (last && s == total))
                    unit_add(&text, &len, it[j].name, 0, 0, 0);
                continue;
            }
            if (e <= lo || s >= hi)
                continue;
            uint64_t a = lo > s ? lo - s : 0, z = hi < e ? hi - s : it[j].size;
            unit_add(&text, &len, it[j].name, it[j].part || a > 0 || z < it[j].size,
                     it[j].base + a, it[j].base + z);
        }
        if (text)
            u[nu++] = text;
    }
    free(b);
    free(items.v);
    apr_pool_destroy(pool); /* the unit texts are malloc'd copies */
    *units = u;
    *nunits = nu;
    return LIQ_OK;
}
