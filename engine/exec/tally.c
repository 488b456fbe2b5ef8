/* tally.c -- a run's counts over its inputs and the warnings at its end (see tally.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include <apr_hash.h>
#include "base/mem.h"
#include "engine/exec/partial.h"
#include "engine/exec/tally.h"

void tally_warn(const Tally *t, LiqDiagList *diags)
{
    for (int i = 0; i < t->n; i++) {
        const TallyInput *in = &t->in[i];
        if (in->not_json == 1)
            diag_add(diags, DIAG_WARNING, NULL,
                     "%.*s: 1 record looks like a JSON object but is not valid JSON: read as "
                     "text, without fields", (int)in->len, in->path);
        else if (in->not_json)
            diag_add(diags, DIAG_WARNING, NULL,
                     "%.*s: %llu records look like JSON objects but are not valid JSON: read "
                     "as text, without fields", (int)in->len, in->path,
                     (unsigned long long)in->not_json);
    }
    for (int i = 0; t->needs_ts && i < t->n; i++) {
        const TallyInput *in = &t->in[i];
        if (!in->ts_none || in->ts_any)
            continue;
        LiqDiag *d = diag_add(diags, DIAG_WARNING, NULL,
                              "%.*s: no record has a @timestamp, so the query's time bins, "
                              "ranges and orders (bin, --start/--end, earliest, latest, diff, "
                              "anomaly) have none to go by",
                              (int)in->len, in->path);
        diag_hint(diags, d, "%s",
                  "say where the time is: --timestamp-format FMT for the start of text lines "
                  "(such as '%d.%m.%Y %H:%M:%S'), --timestamp-field NAME for a JSON key or a "
                  "column");
    }
    if (t->cut)
        diag_add(diags, DIAG_ERROR, NULL,
                 "%llu record%s longer than --max-line (%llu bytes) %s cut there",
                 (unsigned long long)t->cut, t->cut == 1 ? "" : "s",
                 (unsigned long long)t->max_line, t->cut == 1 ? "was" : "were");
    if (t->rx_failed)
        diag_add(diags, DIAG_ERROR, NULL,
                 "a regex could not be evaluated on %llu record%s (pcre2 resource limits); "
                 "they were counted as not matching",
                 (unsigned long long)t->rx_failed, t->rx_failed == 1 ? "" : "s");
}

void tally_save(const Tally *t, LiqBuf *out)
{
    uint8_t ts = (uint8_t)(t->needs_ts != 0);
    uint32_t n = (uint32_t)t->n;
    buf_add(out, "LIQE", 4);
    buf_add(out, &ts, 1);
    buf_add(out, &t->cut, 8);
    buf_add(out, &t->max_line, 8);
    buf_add(out, &t->rx_failed, 8);
    buf_add(out, &n, 4);
    for (int i = 0; i < t->n; i++) {
        const TallyInput *in = &t->in[i];
        uint8_t flags = (uint8_t)((in->ts_none ? 1 : 0) | (in->ts_any ? 2 : 0));
        buf_add(out, &in->order, 8);
        buf_add(out, &in->not_json, 8);
        buf_add(out, &flags, 1);
        buf_add(out, &in->len, 4);
        buf_add(out, in->path, in->len);
    }
}

/* A count as a tally may hold it (partial.h's bound: sums of 4096 parts stay far from 2^64). */
static int count_ok(uint64_t v)
{
    return v <= (uint64_t)PARTIAL_COUNT_MAX;
}

/* Adds the tally at [p, end) to t, inputs by name (idx: name -> index + 1 in t->in; cap: t->in's
 * room): 0, or -1 when it does not decode or is not of t's query. */
static int tally_add(Tally *t, apr_hash_t *idx, int *cap, const char *p, const char *end,
                     int first)
{
    char magic[4];
    uint8_t ts;
    uint64_t cut, max_line, rxf;
    uint32_t n;
    if (!buf_take(&p, end, magic, 4) || memcmp(magic, "LIQE", 4) != 0 ||
        !buf_take(&p, end, &ts, 1) || ts > 1 || !buf_take(&p, end, &cut, 8) ||
        !buf_take(&p, end, &max_line, 8) || !buf_take(&p, end, &rxf, 8) ||
        !buf_take(&p, end, &n, 4) || !count_ok(cut) || !count_ok(rxf) ||
        (size_t)(end - p) / 21 < n)
        return -1;
    if (first) {
        t->needs_ts = ts;
        t->max_line = max_line;
    } else if (t->needs_ts != ts || t->max_line != max_line) {
        return -1; /* another query or --max-line: the fingerprint should have said so */
    }
    t->cut += cut;
    t->rx_failed += rxf;
    for (uint32_t i = 0; i < n; i++) {
        TallyInput in = {0};
        uint8_t flags;
        if (!buf_take(&p, end, &in.order, 8) || !buf_take(&p, end, &in.not_json, 8) ||
            !buf_take(&p, end, &flags, 1) || !buf_take(&p, end, &in.len, 4) || flags > 3 ||
            !count_ok(in.not_json) || (size_t)(end - p) < in.len)
            return -1;
        in.path = p;
        in.ts_none = flags & 1;
        in.ts_any = (flags & 2) != 0;
        p += in.len;
        uintptr_t k = (uintptr_t)apr_hash_get(idx, in.path, in.len);
        if (k) { /* the same input in another part (its byte ranges): counts add */
            TallyInput *at = &t->in[k - 1];
            at->not_json += in.not_json;
            at->ts_none |= in.ts_none;
            at->ts_any |= in.ts_any;
            if (in.order < at->order)
                at->order = in.order;
            continue;
        }
        if (t->n == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            t->in = mem_realloc(t->in, sizeof(TallyInput) * (size_t)*cap);
        }
        t->in[t->n++] = in;
        apr_hash_set(idx, in.path, in.len, (void *)(uintptr_t)t->n);
    }
    return p == end ? 0 : -1;
}

static int by_order(const void *a, const void *b)
{
    const TallyInput *x = a, *y = b;
    return x->order < y->order ? -1 : x->order > y->order;
}

int tally_merge(const char *const *sums, const size_t *lens, int n, LiqBuf *out,
                LiqDiagList *diags)
{
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    apr_hash_t *idx = apr_hash_make(pool);
    Tally t = {0};
    int cap = 0, rc = 0;
    for (int i = 0; i < n && !rc; i++)
        rc = tally_add(&t, idx, &cap, sums[i], sums[i] + lens[i], i == 0);
    if (!rc) {
        if (t.n > 1)
            qsort(t.in, (size_t)t.n, sizeof(TallyInput), by_order);
        if (out)
            tally_save(&t, out);
        else if (diags)
            tally_warn(&t, diags);
    }
    free(t.in);
    apr_pool_destroy(pool);
    return rc;
}
