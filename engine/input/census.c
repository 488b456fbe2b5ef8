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
