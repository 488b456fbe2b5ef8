/* spill.c -- spill files and the row encoding (see spill.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_TMPFILE */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/mem.h"
#include "engine/data/jdom.h"
#include "engine/exec/budget.h"
#include "engine/exec/op.h"
#include "engine/exec/spill.h"

struct SpillFile {
    int fd;
    _Atomic int refs;
    uint64_t size; /* appended so far (one writer at a time: the state that owns the file) */
};

static const char *temp_dir(const Budget *b)
{
    if (b && b->temp_dir && *b->temp_dir)
        return b->temp_dir;
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

SpillFile *spill_file_new(Budget *b)
{
    const char *dir = temp_dir(b);
    int fd = -1;
#ifdef O_TMPFILE
    fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC | O_EXCL, 0600);
#endif
    if (fd < 0 && errno != ENOENT && errno != ENOTDIR && errno != EACCES && errno != EROFS &&
        errno != ENOSPC) { /* no O_TMPFILE on this file system: a name, unlinked at once */
        size_t n = strlen(dir) + 32;
        char *path = mem_alloc(n);
        snprintf(path, n, "%s/liq-spill.XXXXXX", dir);
        fd = mkostemp(path, O_CLOEXEC);
        if (fd >= 0)
            unlink(path);
        free(path);
    }
    if (fd < 0) {
        budget_fail(b, errno, dir);
        return NULL;
    }
    SpillFile *f = mem_calloc(1, sizeof(*f));
    f->fd = fd;
    atomic_init(&f->refs, 1);
    return f;
}

SpillFile *spill_file_ref(SpillFile *f)
{
    atomic_fetch_add(&f->refs, 1);
    return f;
}

void spill_file_unref(SpillFile *f)
{
    if (f && atomic_fetch_sub(&f->refs, 1) == 1) {
        close(f->fd);
        free(f);
    }
}

int spill_append(SpillFile *f, Budget *b, const void *p, size_t n, uint64_t *off)
{
    *off = f->size;
    const char *c = p;
    while (n) {
        ssize_t w = pwrite(f->fd, c, n, (off_t)f->size);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            budget_fail(b, w < 0 ? errno : ENOSPC, temp_dir(b));
            return -1;
        }
        c += w;
        n -= (size_t)w;
        f->size += (uint64_t)w;
    }
    return 0;
}

int spill_read(SpillFile *f, Budget *b, void *p, size_t n, uint64_t off)
{
    char *c = p;
    while (n) {
        ssize_t r = pread(f->fd, c, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            budget_fail(b, r < 0 ? errno : EIO, temp_dir(b));
            return -1;
        }
        c += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 0;
}

/* ===== runs ===== */

int spill_runs_write(SpillRuns **runs, Budget *b, const LiqBuf *out, uint64_t nrows)
{
    if (!*runs)
        *runs = mem_calloc(1, sizeof(SpillRuns));
    SpillRuns *s = *runs;
    if (!s->cur && !(s->cur = spill_file_new(b)))
        return -1;
    uint64_t off;
    if (spill_append(s->cur, b, out->p, out->len, &off) < 0)
        return -1;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->r = mem_realloc(s->r, sizeof(SpillRun) * s->cap);
    }
    s->r[s->n++] = (SpillRun){spill_file_ref(s->cur), off, out->len, nrows};
    return 0;
}

int spill_runs_append(SpillRuns **runs, Budget *b, const LiqBuf *out, uint64_t nrows, int start)
{
    SpillRuns *s = *runs;
    if (start || !s || !s->n || !s->cur || s->r[s->n - 1].f != s->cur ||
        s->r[s->n - 1].off + s->r[s->n - 1].len != s->cur->size)
        return spill_runs_write(runs, b, out, nrows);
    uint64_t off;
    if (spill_append(s->cur, b, out->p, out->len, &off) < 0)
        return -1;
    s->r[s->n - 1].len += out->len;
    s->r[s->n - 1].nrows += nrows;
    return 0;
}

void spill_runs_move(SpillRuns **dst, SpillRuns *src)
{
    if (!src)
        return;
    if (!*dst) {
        *dst = src;
        return;
    }
    SpillRuns *d = *dst;
    for (size_t i = 0; i < src->n; i++) {
        if (d->n == d->cap) {
            d->cap = d->cap ? d->cap * 2 : 8;
            d->r = mem_realloc(d->r, sizeof(SpillRun) * d->cap);
        }
        d->r[d->n++] = src->r[i];
    }
    src->n = 0;
    spill_runs_free(src);
}

SpillRuns *spill_runs_copy(const SpillRuns *s)
{
    if (!s)
        return NULL;
    SpillRuns *c = mem_calloc(1, sizeof(SpillRuns));
    c->cap = c->n = s->n;
    c->r = mem_alloc(sizeof(SpillRun) * (s->n + 1));
    for (size_t i = 0; i < s->n; i++) {
        c->r[i] = s->r[i];
        spill_file_ref(c->r[i].f);
    }
    return c;
}

void spill_runs_free(SpillRuns *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        spill_file_unref(s->r[i].f);
    spill_file_unref(s->cur);
    free(s->r);
    free(s);
}

/* ===== rows ===== */

static void put(LiqBuf *b, const void *p, size_t n)
{
    buf_add(b, p, n);
}

void spill_put_datum(LiqBuf *out, const Datum *d, LiqBuf *scratch)
{
    uint8_t tf[2] = {d->type, d->flags};
    put(out, tf, 2);
    switch (d->type) {
    case VT_NULL:
        break;
    case VT_JSON: {
        scratch->len = 0;
        jdom_write(scratch, d->v.p);
        uint32_t n = (uint32_t)scratch->len;
        put(out, &n, 4);
        put(out, scratch->p, scratch->len);
        break;
    }
    default:
        put(out, &d->v, 8);
        if (d->type == VT_NUM || d->type == VT_STR) {
            uint8_t has = d->s != NULL;
            put(out, &has, 1);
            if (has) {
                put(out, &d->len, 4);
                put(out, d->s, d->len);
            }
        }
    }
}

size_t spill_get_datum(const char *p, const char *end, apr_pool_t *pool, Datum *d)
{
    const char *c = p;
    *d = val_null();
    if (end - c < 2 || (uint8_t)c[0] > VT_JSON)
        return 0;
    uint8_t type = (uint8_t)c[0], flags = (uint8_t)c[1];
    c += 2;
    if (type == VT_NULL)
        return 2;
    if (type == VT_JSON) {
        uint32_t n;
        if (end - c < 4)
            return 0;
        memcpy(&n, c, 4);
        c += 4;
        if ((size_t)(end - c) < n)
            return 0;
        d->v.p = jdom_parse(pool, c, n);
        if (!d->v.p)
            return 0;
        d->type = VT_JSON;
        d->flags = flags;
        return (size_t)(c + n - p);
    }
    if (end - c < 8)
        return 0;
    memcpy(&d->v, c, 8);
    c += 8;
    if (type == VT_NUM || type == VT_STR) {
        if (end - c < 1)
            return 0;
        uint8_t has = (uint8_t)*c++;
        if (has) {
            if (end - c < 4)
                return 0;
            memcpy(&d->len, c, 4);
            c += 4;
            if ((size_t)(end - c) < d->len)
                return 0;
            d->s = c;
            c += d->len;
        }
    }
    d->type = type;
    d->flags = flags;
    return (size_t)(c - p);
}

void spill_put_row(LiqBuf *out, const Datum *row, int nslots, uint64_t order)
{
    size_t start = out->len;
    uint32_t len = 0;
    put(out, &len, 4);
    put(out, &order, 8);
    LiqBuf js = {0};
    for (int s = 0; s < nslots; s++)
        spill_put_datum(out, &row[s], &js);
    buf_free(&js);
    len = (uint32_t)(out->len - start - 4);
    memcpy(out->p + start, &len, 4);
}

size_t spill_get_row(const char *p, const char *end, apr_pool_t *pool, Datum *row, int nslots,
                     uint64_t *order)
{
    uint32_t len;
    if (end - p < 4)
        return 0;
    memcpy(&len, p, 4);
    if ((size_t)(end - p) - 4 < len || len < 8)
        return 0;
    const char *c = p + 4, *e = p + 4 + len;
    memcpy(order, c, 8);
    c += 8;
    for (int s = 0; s < nslots; s++) {
        size_t n = spill_get_datum(c, e, pool, &row[s]);
        if (!n)
            row[s] = val_null(); /* cannot happen: the bytes spill_put_row wrote */
        c += n ? n : (size_t)(e - c);
    }
    return 4 + (size_t)len;
}

/* ===== the merge of sorted runs ===== */

/* One input of the merge: a run in a file, or the rows left in memory (sorted by perm). */
typedef struct Cursor {
    const Datum *row; /* the current row (NULL: the input is done) */
    uint64_t order;
    /* a run: */
    const SpillRun *run;
    uint64_t pos;      /* bytes of the run read into buf so far */
    char *buf;
    size_t cap, len, at; /* buf's size, bytes in it, where the next row starts */
    Datum *cur;
    apr_pool_t *pool;  /* JSON values of the current row */
    /* the rows in memory: */
    const RowSet *rs;
    const size_t *perm;
    size_t i;
} Cursor;

typedef struct Merge {
    RowStream base;
    SpillOrder ord; /* a copy: its arrays are the plan's */
    int nslots;
    Budget *b;
    RowSet *mem;    /* the state's rows still in memory, and its runs */
    size_t *perm;
    Cursor *c;
    size_t nc;
    size_t *heap;   /* cursors with a row, the smallest row first */
    size_t nh;
    uint64_t next;  /* order keys of the result: 0, 1, ... (as in memory) ... */
    int renumber;   /* ... or the rows' own */
    int64_t charged; /* the cursors' buffers */
} Merge;

/* The order of sort (op_sort.c): each key with nulls last in both directions, then L3's
 * order; then the order key. */
static int cur_cmp(const Merge *m, const Cursor *x, const Cursor *y)
{
    const SpillOrder *o = &m->ord;
    for (int k = 0; k < o->nkeys; k++) {
        const Datum *a = &x->row[o->key_slots[k]], *b = &y->row[o->key_slots[k]];
        if (a->type == VT_NULL || b->type == VT_NULL) {
            if (a->type != b->type)
                return a->type == VT_NULL ? 1 : -1;
            continue;
        }
        int r = val_sort_cmp(a, b);
        if (r)
            return o->desc && o->desc[k] ? -r : r;
    }
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Moves a cursor to its next row (row NULL at its end). */
static void cur_next(Merge *m, Cursor *c)
{
    if (c->rs) {
        if (c->i >= c->rs->nrows) {
            c->row = NULL;
            return;
        }
        size_t r = c->perm[c->i++];
        c->row = &c->rs->data[r * (size_t)c->rs->nslots];
        c->order = c->rs->order[r];
        return;
    }
    for (;;) {
        size_t took = spill_get_row(c->buf + c->at, c->buf + c->len, c->pool, c->cur, m->nslots,
                                    &c->order);
        if (took) {
            c->at += took;
            c->row = c->cur;
            return;
        }
        uint64_t left = c->run->len - c->pos;
        if (!left) {
            c->row = NULL;
            return;
        }
        /* keep the part of a row at the end, make room for the whole row, read more */
        memmove(c->buf, c->buf + c->at, c->len - c->at);
        c->len -= c->at;
        c->at = 0;
        apr_pool_clear(c->pool);
        if (c->len >= 4) {
            uint32_t need;
            memcpy(&need, c->buf, 4);
            if ((size_t)need + 4 > c->cap) {
                c->cap = (size_t)need + 4;
                c->buf = mem_realloc(c->buf, c->cap);
            }
        }
        size_t want = c->cap - c->len < left ? c->cap - c->len : (size_t)left;
        if (spill_read(c->run->f, m->b, c->buf + c->len, want, c->run->off + c->pos) < 0) {
            c->row = NULL; /* the run stops: budget_fail */
            return;
        }
        c->pos += want;
        c->len += want;
    }
}

static void merge_down(Merge *m, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, s = i;
        if (l < m->nh && cur_cmp(m, &m->c[m->heap[l]], &m->c[m->heap[s]]) < 0)
            s = l;
        if (l + 1 < m->nh && cur_cmp(m, &m->c[m->heap[l + 1]], &m->c[m->heap[s]]) < 0)
            s = l + 1;
        if (s == i)
            return;
        size_t t = m->heap[i];
        m->heap[i] = m->heap[s];
        m->heap[s] = t;
        i = s;
    }
}

static size_t merge_fill(RowStream *st, RowSet *rs)
{
    Merge *m = (Merge *)st;
    size_t n = 0;
    while (m->nh && n < LIQ_VEC_SIZE) {
        Cursor *c = &m->c[m->heap[0]];
        Datum *d = rowset_add_row(rs, m->renumber ? m->next++ : c->order);
        if (c->rs) /* rows in memory: their strings live as long as the merge */
            memcpy(d, c->row, sizeof(Datum) * (size_t)m->nslots);
        else /* a run's: the buffer is read over */
            for (int s = 0; s < m->nslots; s++)
                d[s] = datum_copy(rs->pool, &c->row[s]);
        n++;
        cur_next(m, c);
        if (!c->row)
            m->heap[0] = m->heap[--m->nh];
        if (m->nh)
            merge_down(m, 0);
    }
    return n;
}

static void merge_free(RowStream *st)
{
    Merge *m = (Merge *)st;
    for (size_t i = 0; i < m->nc; i++) {
        free(m->c[i].buf);
        free(m->c[i].cur);
        if (m->c[i].pool)
            apr_pool_destroy(m->c[i].pool);
    }
    budget_charge(m->b, -m->charged - m->mem->charged, NULL);
    free(m->c);
    free(m->heap);
    free(m->perm);
    rowset_free(m->mem);
    free(m);
}


RowStream *spill_merge_new(RowSet *rs, size_t *perm, const SpillOrder *ord, Budget *b,
                           const char *who, int renumber)
{
    Merge *m = mem_calloc(1, sizeof(*m));
    m->base.fill = merge_fill;
    m->base.free = merge_free;
    m->ord = *ord;
    m->renumber = renumber;
    m->nslots = rs->nslots;
    m->b = b;
    m->mem = rs;
    m->perm = perm;
    size_t nruns = rs->runs ? rs->runs->n : 0;
    m->c = mem_calloc(nruns + 1, sizeof(Cursor));
    m->heap = mem_alloc(sizeof(size_t) * (nruns + 1));
    /* each run's buffer: a share of a quarter of the limit, 256 bytes to 1 MiB (a row longer
     * than its buffer widens it) */
    int64_t lim = b && b->limit > 0 ? b->limit : (int64_t)1 << 40;
    size_t cap = (size_t)(lim / 4 / (int64_t)(nruns + 1));
    cap = cap < 256 ? 256 : cap > ((size_t)1 << 20) ? (size_t)1 << 20 : cap;
    for (size_t i = 0; i < nruns; i++) {
        Cursor *c = &m->c[m->nc++];
        c->run = &rs->runs->r[i];
        c->cap = cap;
        c->buf = mem_alloc(cap);
        c->cur = mem_alloc(sizeof(Datum) * (size_t)(rs->nslots + 1));
        apr_pool_create(&c->pool, NULL);
        m->charged += (int64_t)cap;
    }
    Cursor *mc = &m->c[m->nc++];
    mc->rs = rs;
    mc->perm = m->perm;
    m->base.total = rs->nrows;
    for (size_t i = 0; i < nruns; i++)
        m->base.total += rs->runs->r[i].nrows;
    budget_charge(b, m->charged, who);
    for (size_t i = 0; i < m->nc; i++) {
        cur_next(m, &m->c[i]);
        if (m->c[i].row)
            m->heap[m->nh++] = i;
    }
    for (size_t i = m->nh / 2; i-- > 0;)
        merge_down(m, i);
    return &m->base;
}

void spill_runs_reduce(RowSet *rs, const SpillOrder *ord, Budget *b, const char *who)
{
    int64_t q = b && b->limit > 0 ? b->limit / 4 / 4096 : 256;
    size_t fan = q < 4 ? 4 : q > 256 ? 256 : (size_t)q;
    while (rs->runs && rs->runs->n > fan && !budget_stopped(b)) {
        SpillRuns *next = NULL;
        for (size_t i = 0; i < rs->runs->n && !budget_stopped(b); i += fan) {
            size_t k = rs->runs->n - i < fan ? rs->runs->n - i : fan;
            RowSet *part = rowset_new(rs->nslots);
            part->runs = mem_calloc(1, sizeof(SpillRuns));
            part->runs->r = mem_alloc(sizeof(SpillRun) * k);
            part->runs->n = part->runs->cap = k;
            for (size_t j = 0; j < k; j++) {
                part->runs->r[j] = rs->runs->r[i + j];
                spill_file_ref(part->runs->r[j].f);
            }
            RowStream *m = spill_merge_new(part, mem_alloc(sizeof(size_t)), ord, b, who, 0);
            RowSet *chunk = rowset_new(rs->nslots);
            LiqBuf buf = {0};
            int start = 1;
            size_t n;
            while (!budget_stopped(b) && (n = m->fill(m, chunk)) > 0) {
                for (size_t r = 0; r < n; r++)
                    spill_put_row(&buf, &chunk->data[r * (size_t)rs->nslots], rs->nslots,
                                  chunk->order[r]);
                spill_runs_append(&next, b, &buf, n, start); /* fails: the run stops */
                start = 0;
                buf.len = 0;
                chunk->nrows = 0;
                apr_pool_clear(chunk->pool);
            }
            buf_free(&buf);
            rowset_free(chunk);
            m->free(m);
        }
        spill_runs_free(rs->runs);
        rs->runs = next;
    }
}
