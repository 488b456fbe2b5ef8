/* census.c -- the fields a run's records have, for the names a query reads (see census.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "engine/data/json.h"
#include "engine/input/census.h"
#include "engine/input/fmt.h"

enum { ST_LOOKED = 1, ST_SEEN = 2 };

/* Names gathered for suggestions: this many at most (a hint lists three), from the first
 * CENSUS_GATHER records sampled. */
enum { CENSUS_MAX_NAMES = 4096, CENSUS_GATHER = 64 };

struct Census {
    int nslots;
    uint8_t *flags;      /* per slot: CENSUS_* (0: not watched) */
    const char **names;  /* per slot: the watched name */
    uint32_t *lens;
    uint8_t *state;      /* per slot: ST_* (atomic) */
    int pending;         /* watched names not seen yet (atomic) */
    int json;            /* a JSON record was sampled (atomic) */
    pthread_mutex_t lock; /* what follows */
    int nsamples;        /* records sampled: the first CENSUS_GATHER give names */
    char **known;        /* names the sampled records have (malloc'd), for suggestions */
    size_t nknown, capknown;
};

Census *census_new(int nslots)
{
    Census *c = mem_calloc(1, sizeof(*c));
    size_t n = (size_t)(nslots > 0 ? nslots : 1);
    c->nslots = nslots;
    c->flags = mem_calloc(n, 1);
    c->state = mem_calloc(n, 1);
    c->names = mem_calloc(n, sizeof(*c->names));
    c->lens = mem_calloc(n, sizeof(*c->lens));
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

static void census_free(Census *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nknown; i++)
        free(c->known[i]);
    free(c->known);
    free(c->flags);
    free(c->state);
    free(c->names);
    free(c->lens);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

void census_watch(Census *c, int slot, const char *name, uint32_t len, int flags)
{
    if (slot < 0 || slot >= c->nslots || !flags)
        return;
    if (!c->flags[slot])
        c->pending++;
    c->flags[slot] = (uint8_t)flags;
    c->names[slot] = name;
    c->lens[slot] = len;
}

Census *census_install(Census **where, Census *c)
{
    Census *expected = NULL;
    if (__atomic_compare_exchange_n(where, &expected, c, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return c;
    census_free(c);
    return expected;
}

Census *census_of(Census *const *where)
{
    return where ? __atomic_load_n(where, __ATOMIC_ACQUIRE) : NULL;
}

int census_pending(const Census *c)
{
    return c && __atomic_load_n(&c->pending, __ATOMIC_RELAXED) > 0;
}

int census_wants(const Census *c, int slot)
{
    return c && slot >= 0 && slot < c->nslots && c->flags[slot] &&
           !(__atomic_load_n(&c->state[slot], __ATOMIC_RELAXED) & ST_SEEN);
}

void census_note(Census *c, int slot, int seen)
{
    if (!c || slot < 0 || slot >= c->nslots || !c->flags[slot])
        return;
    uint8_t add = (uint8_t)(ST_LOOKED | (seen ? ST_SEEN : 0));
    uint8_t old = __atomic_fetch_or(&c->state[slot], add, __ATOMIC_RELAXED);
    if (seen && !(old & ST_SEEN))
        __atomic_fetch_sub(&c->pending, 1, __ATOMIC_RELAXED);
}

/* ===== Sampled records ===== */

typedef struct Sample {
    Census *c;
    int gather; /* add names to known */
} Sample;

static void add_known(Census *c, const char *name, size_t len)
{
    for (size_t i = 0; i < c->nknown; i++)
        if (strlen(c->known[i]) == len && memcmp(c->known[i], name, len) == 0)
            return;
    if (c->nknown == CENSUS_MAX_NAMES)
        return;
    if (c->nknown == c->capknown) {
        size_t cap = c->capknown ? c->capknown * 2 : 64;
        char **k = mem_realloc(c->known, sizeof(*k) * cap);
        c->known = k;
        c->capknown = cap;
    }
    char *s = mem_alloc(len + 1);
    memcpy(s, name, len);
    s[len] = 0;
    c->known[c->nknown++] = s;
}

static void on_leaf(void *ctx, const char *name, size_t len, const Datum *value)
{
    Sample *sm = ctx;
    Census *c = sm->c;
    (void)value;
    for (int s = 0; s < c->nslots; s++) /* a watched name this record has */
        if (c->flags[s] && c->lens[s] == len && memcmp(c->names[s], name, len) == 0)
            census_note(c, s, 1);
        else if (c->flags[s] && c->lens[s] < len && name[c->lens[s]] == '.' &&
                 memcmp(c->names[s], name, c->lens[s]) == 0)
            census_note(c, s, 1); /* an object or array the record has (unnest, jsonParse) */
    if (sm->gather)
        add_known(c, name, len);
}

void census_sample(Census *c, const char *json, size_t len, apr_pool_t *pool)
{
    if (!census_pending(c))
        return;
    __atomic_store_n(&c->json, 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&c->lock);
    Sample sm = {c, c->nsamples++ < CENSUS_GATHER};
    json_each_cap(json, len, INT_MAX, on_leaf, &sm, pool);
    pthread_mutex_unlock(&c->lock);
}

/* ===== The report ===== */

/* Levenshtein distance of two names (case counts: field names are case-sensitive). */
static size_t distance(const char *a, size_t na, const char *b, size_t nb)
{
    size_t *row = mem_alloc(sizeof(size_t) * (nb + 1));
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[nb];
    free(row);
    return d;
}

typedef struct Near {
    const char *name;
    size_t d;
} Near;

static int near_cmp(const void *x, const void *y)
{
    const Near *a = x, *b = y;
    if (a->d != b->d)
        return a->d < b->d ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* Is name a column of some input's positional format (its schema)? */
static int in_schema(const FmtColumns *const *colsof, int n, const char *name, size_t len)
{
    for (int i = 0; i < n; i++) {
        const FmtColumns *cols = colsof[i];
        for (int k = 0; cols && k < cols->n; k++)
            if (strlen(cols->cols[k]) == len && memcmp(cols->cols[k], name, len) == 0)
                return 1;
    }
    return 0;
}

/* The names of the inputs' records (sampled JSON leaves, positional columns), each once. */
static const char **known_names(Census *const *cs, const FmtColumns *const *colsof, int n,
                                apr_pool_t *pool, size_t *count)
{
    size_t cap = 64, k = 0;
    const char **all = apr_palloc(pool, sizeof(char *) * cap);
    for (int i = 0; i < n; i++) {
        const Census *c = cs[i];
        const FmtColumns *cols = colsof[i];
        size_t m = (c ? c->nknown : 0) + (size_t)(cols ? cols->n : 0);
        for (size_t j = 0; j < m; j++) {
            const char *s = c && j < c->nknown ? c->known[j] : cols->cols[j - (c ? c->nknown : 0)];
            int dup = 0;
            for (size_t x = 0; x < k && !dup; x++)
                dup = strcmp(all[x], s) == 0;
            if (dup)
                continue;
            if (k == cap) {
                const char **na = apr_palloc(pool, sizeof(char *) * cap * 2);
                memcpy(na, all, sizeof(char *) * cap);
                all = na;
                cap *= 2;
            }
            all[k++] = s;
        }
    }
    *count = k;
    return all;
}

/* The hint of a name no record has: the closest names the records have, a value to quote, or
 * where fields of text records come from. */
static void hint(LiqDiagList *diags, LiqDiag *d, const char *name, size_t len, int bare,
                 const char **known, size_t nknown, int json, apr_pool_t *pool)
{
    Near *near = apr_palloc(pool, sizeof(Near) * (nknown + 1));
    size_t nn = 0, ntypo = 0;
    size_t limit = len <= 4 ? 2 : len <= 8 ? 3 : 4; /* a typo, not another name */
    for (size_t i = 0; i < nknown; i++) {
        size_t dist = distance(name, len, known[i], strlen(known[i]));
        near[nn++] = (Near){known[i], dist};
        ntypo += dist <= limit && dist < len;
    }
    qsort(near, nn, sizeof(Near), near_cmp);
    if (nn) { /* the closest three: typos of it, else the names most like it */
        size_t show = ntypo ? ntypo : nn;
        char *list = apr_psprintf(pool, "'%s'", near[0].name);
        for (size_t i = 1; i < show && i < 3; i++)
            list = apr_psprintf(pool, "%s, '%s'", list, near[i].name);
        if (ntypo)
            diag_hint(diags, d, "did you mean %s?", list);
        else if (!bare)
            diag_hint(diags, d, "the records have fields such as %s", list);
    }
    if (bare)
        diag_hint(diags, d, "to compare with the text %.*s, quote it: \"%.*s\"", (int)len, name,
                  (int)len, name);
    else if (!nn && !json && !nknown)
        diag_hint(diags, d, "the records are text without fields: take it out of @message with "
                            "parse (parse @message \"...\" as %.*s)", (int)len, name);
}

void census_report(Census *const *cs, const FmtColumns *const *cols, int n,
                   LiqDiagList *diags)
{
    const Census *first = NULL;
    for (int i = 0; i < n && !first; i++)
        first = cs[i];
    if (first && diags) {
        apr_pool_t *pool;
        apr_pool_create(&pool, NULL);
        const char **known = NULL;
        size_t nknown = 0;
        int json = 0;
        for (int i = 0; i < n; i++)
            json |= cs[i] && cs[i]->json;
        for (int s = 0; s < first->nslots; s++) {
            if (!first->flags[s])
                continue;
            int looked = 0, seen = 0;
            for (int i = 0; i < n; i++) {
                const Census *c = cs[i];
                if (c && s < c->nslots) {
                    looked |= c->state[s] & ST_LOOKED;
                    seen |= c->state[s] & ST_SEEN;
                }
            }
            const char *name = first->names[s];
            size_t len = first->lens[s];
            if (!looked || seen || in_schema(cols, n, name, len))
                continue;
            if (!known)
                known = known_names(cs, cols, n, pool, &nknown);
            LiqDiag *d = diag_add(diags, DIAG_WARNING, NULL,
                                  "no record has a field '%.*s': the query reads it as null "
                                  "everywhere",
                                  (int)len, name);
            hint(diags, d, name, len, first->flags[s] & CENSUS_BARE, known, nknown, json, pool);
        }
        apr_pool_destroy(pool);
    }
    for (int i = 0; i < n; i++)
        census_free(cs[i]);
}

/* ===== The census as bytes: partial results (issue 16) ===== */

/* "LIQC", u8 a JSON record was sampled, u32 watched names, each: u32 slot, u8 CENSUS_*
 * flags, u8 ST_* state, u8 a column of some input's schema, u32 length and the name; u32
 * names the records have, each u32 length and the name. */

static void put_u32(LiqBuf *b, uint32_t v)
{
    buf_add(b, &v, 4);
}

void census_summary(Census *const *cs, const FmtColumns *const *cols, int n, LiqBuf *out)
{
    const Census *first = NULL;
    for (int i = 0; i < n && !first; i++)
        first = cs[i];
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    uint8_t json = 0;
    for (int i = 0; i < n; i++)
        json |= cs[i] && cs[i]->json;
    buf_add(out, "LIQC", 4);
    buf_add(out, &json, 1);
    uint32_t nw = 0;
    for (int s = 0; first && s < first->nslots; s++)
        nw += first->flags[s] != 0;
    put_u32(out, nw);
    for (int s = 0; first && s < first->nslots; s++) {
        if (!first->flags[s])
            continue;
        uint8_t st = 0;
        for (int i = 0; i < n; i++)
            if (cs[i] && s < cs[i]->nslots)
                st |= cs[i]->state[s] & (ST_LOOKED | ST_SEEN);
        uint8_t rec[3] = {first->flags[s], st,
                          (uint8_t)in_schema(cols, n, first->names[s], first->lens[s])};
        put_u32(out, (uint32_t)s);
        buf_add(out, rec, 3);
        put_u32(out, first->lens[s]);
        buf_add(out, first->names[s], first->lens[s]);
    }
    size_t nknown = 0;
    const char **known = nw ? known_names(cs, cols, n, pool, &nknown) : NULL;
    put_u32(out, (uint32_t)nknown);
    for (size_t i = 0; i < nknown; i++) {
        put_u32(out, (uint32_t)strlen(known[i]));
        buf_add(out, known[i], strlen(known[i]));
    }
    apr_pool_destroy(pool);
    for (int i = 0; i < n; i++)
        census_free(cs[i]);
}

enum { SUM_MAX_SLOTS = 1 << 16 };

typedef struct SumAcc {
    uint32_t nslots;
    uint8_t *flags, *state, *schema; /* per slot; flags 0: not watched */
    const char **names;
    uint32_t *lens;
    int json;
    const char **known;
    size_t nknown, cap;
} SumAcc;

static int get_u32(const char **p, const char *end, uint32_t *v)
{
    if (end - *p < 4)
        return 0;
    memcpy(v, *p, 4);
    *p += 4;
    return 1;
}

/* Adds one summary to acc (names point into it): 0, or -1 when it does not decode. */
static int sum_add(SumAcc *acc, const char *p, size_t len, apr_pool_t *pool)
{
    const char *end = p + len;
    uint32_t nw, nk;
    if (len < 5 || memcmp(p, "LIQC", 4) != 0)
        return -1;
    acc->json |= p[4] != 0;
    p += 5;
    if (!get_u32(&p, end, &nw))
        return -1;
    for (uint32_t i = 0; i < nw; i++) {
        uint32_t slot, nl;
        if (!get_u32(&p, end, &slot) || slot >= SUM_MAX_SLOTS || end - p < 3)
            return -1;
        uint8_t rec[3];
        memcpy(rec, p, 3);
        p += 3;
        if (!get_u32(&p, end, &nl) || (size_t)(end - p) < nl || !rec[0])
            return -1;
        if (slot >= acc->nslots) {
            uint32_t ns = slot + 1;
            uint8_t *f = apr_pcalloc(pool, ns), *st = apr_pcalloc(pool, ns),
                    *sc = apr_pcalloc(pool, ns);
            const char **nm = apr_pcalloc(pool, sizeof(*nm) * ns);
            uint32_t *ln = apr_pcalloc(pool, sizeof(*ln) * ns);
            if (acc->nslots) {
                memcpy(f, acc->flags, acc->nslots);
                memcpy(st, acc->state, acc->nslots);
                memcpy(sc, acc->schema, acc->nslots);
                memcpy(nm, acc->names, sizeof(*nm) * acc->nslots);
                memcpy(ln, acc->lens, sizeof(*ln) * acc->nslots);
            }
            acc->flags = f, acc->state = st, acc->schema = sc, acc->names = nm, acc->lens = ln;
            acc->nslots = ns;
        }
        if (!acc->flags[slot]) {
            acc->flags[slot] = rec[0];
            acc->names[slot] = p;
            acc->lens[slot] = nl;
        }
        acc->state[slot] |= rec[1] & (ST_LOOKED | ST_SEEN);
        acc->schema[slot] |= rec[2] != 0;
        p += nl;
    }
    if (!get_u32(&p, end, &nk))
        return -1;
    for (uint32_t i = 0; i < nk; i++) {
        uint32_t nl;
        if (!get_u32(&p, end, &nl) || (size_t)(end - p) < nl)
            return -1;
        const char *s = apr_pstrmemdup(pool, p, nl);
        p += nl;
        int dup = 0;
        for (size_t x = 0; x < acc->nknown && !dup; x++)
            dup = strcmp(acc->known[x], s) == 0;
        if (dup)
            continue;
        if (acc->nknown == acc->cap) {
            size_t cap = acc->cap ? acc->cap * 2 : 64;
            const char **k = apr_palloc(pool, sizeof(*k) * cap);
            if (acc->nknown)
                memcpy(k, acc->known, sizeof(*k) * acc->nknown);
            acc->known = k;
            acc->cap = cap;
        }
        acc->known[acc->nknown++] = s;
    }
    return p == end ? 0 : -1;
}

int census_merge(const char *const *sums, const size_t *lens, int n, LiqBuf *out,
                 LiqDiagList *diags)
{
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    SumAcc acc = {0};
    int rc = 0;
    for (int i = 0; i < n && !rc; i++)
        rc = sum_add(&acc, sums[i], lens[i], pool);
    if (!rc && out) { /* the merged census, as one summary */
        uint8_t json = (uint8_t)acc.json;
        uint32_t nw = 0;
        for (uint32_t s = 0; s < acc.nslots; s++)
            nw += acc.flags[s] != 0;
        buf_add(out, "LIQC", 4);
        buf_add(out, &json, 1);
        put_u32(out, nw);
        for (uint32_t s = 0; s < acc.nslots; s++) {
            if (!acc.flags[s])
                continue;
            uint8_t rec[3] = {acc.flags[s], acc.state[s], acc.schema[s]};
            put_u32(out, s);
            buf_add(out, rec, 3);
            put_u32(out, acc.lens[s]);
            buf_add(out, acc.names[s], acc.lens[s]);
        }
        put_u32(out, (uint32_t)acc.nknown);
        for (size_t i = 0; i < acc.nknown; i++) {
            put_u32(out, (uint32_t)strlen(acc.known[i]));
            buf_add(out, acc.known[i], strlen(acc.known[i]));
        }
    } else if (!rc && diags) { /* the warnings one run over every part's inputs gives */
        for (uint32_t s = 0; s < acc.nslots; s++) {
            if (!acc.flags[s] || !(acc.state[s] & ST_LOOKED) || (acc.state[s] & ST_SEEN) ||
                acc.schema[s])
                continue;
            LiqDiag *d = diag_add(diags, DIAG_WARNING, NULL,
                                  "no record has a field '%.*s': the query reads it as null "
                                  "everywhere",
                                  (int)acc.lens[s], acc.names[s]);
            hint(diags, d, acc.names[s], acc.lens[s], acc.flags[s] & CENSUS_BARE, acc.known,
                 acc.nknown, acc.json, pool);
        }
    }
    apr_pool_destroy(pool);
    return rc;
}
