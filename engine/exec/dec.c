/* dec.c -- record decoding: input slots filled from raw records, lazily, per batch
 *
 * dec_load fills the requested input slots of a batch for its selected rows: system fields
 * from the record and its input (L19, L20), JSON fields with one json_extract pass per record
 * for all requested names at once. Slots already loaded are skipped, so operators may ask for
 * what they need without coordinating. Batches cut from a row set (no records) have every slot
 * loaded already.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include "base/num.h"
#include "engine/exec/expr.h"
#include "engine/input/fmt.h"
#include "engine/data/json.h"
#include "engine/input/census.h"
#include "engine/input/dec_lambda.h"
#include "engine/input/src.h"
#include "engine/input/syslog.h"
#include "engine/input/ts.h"
#include "engine/input/tsfmt.h"

/* JSON keys that give @timestamp, in order of preference (L20); '@timestamp' is spelled as
 * the flattened name of a top-level '@' key. */
static const char *const ts_keys[] = {"@@timestamp", "timestamp", "time", "ts",
                                      "date", "eventTime", "datetime"};
enum { NTSKEYS = sizeof(ts_keys) / sizeof(ts_keys[0]) };
static const uint32_t ts_lens[NTSKEYS] = {11, 9, 4, 2, 4, 9, 8};

/* How an input's times written without a zone or a year are completed: --tz, --year, its
 * reference date (ts.h). */
static TsCtx ts_ctx(const Input *in)
{
    const TsOpts *o = in ? in->tso : NULL;
    TsCtx cx = {o ? o->zone : NULL, o ? o->year : 0, in ? in->ts_ref : 0};
    return cx;
}

/* A time written as text: with --timestamp-format, that format (the whole text); else ISO 8601
 * (zone-less times in --tz) or an epoch number. */
static int ts_of_text(const char *s, size_t n, const TsOpts *o, const TsCtx *cx, int64_t *ms)
{
    double f;
    if (o && o->format) {
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        return n && tsfmt_parse(o->format, s, n, cx, ms) == n;
    }
    if (ts_parse_iso_in(s, n, o ? o->zone : NULL, ms))
        return 1;
    if (num_parse(s, n, &f))
        return ts_from_epoch(f, ms);
    return 0;
}

static int ts_of_datum(const Datum *d, const TsOpts *o, const TsCtx *cx, int64_t *ms)
{
    if (d->type == VT_NUM)
        return ts_from_epoch(d->v.f, ms);
    if (d->type == VT_STR)
        return ts_of_text(d->s, d->len, o, cx, ms);
    return 0;
}

/* The keys that give @timestamp: --timestamp-field, or those of L20. */
static int ts_keys_of(const TsOpts *o, const char *const **names, const uint32_t **lens)
{
    if (o && o->field) {
        *names = &o->field;
        *lens = &o->flen;
        return 1;
    }
    *names = ts_keys;
    *lens = ts_lens;
    return NTSKEYS;
}

/* The record's timestamp, computed once per record. `jts` holds the values of ts_keys when the
 * caller already extracted them from a JSON record (else NULL). */
/* @timestamp of a positional record by its format's rule; 0 when the rule is "text". */
static int columns_ts(const FmtColumns *c, Rec *r, const TsOpts *o, const TsCtx *cx,
                      apr_pool_t *pool)
{
    int col = -1; /* --timestamp-field: the column it names */
    if (o && o->field) {
        for (int k = 0; k < c->n; k++)
            if (strlen(c->cols[k]) == o->flen && memcmp(c->cols[k], o->field, o->flen) == 0)
                col = k;
    } else if (c->ts == TSR_TEXT) {
        return 0;
    }
    /* the columns up to the last one read: on the stack, or in the pool when a header puts
     * them further (a header may name any number of columns) */
    int upto = o && o->field ? col + 1 : (c->ts_col > c->ts_col2 ? c->ts_col : c->ts_col2) + 1;
    const char *stok[64], **tok = stok;
    size_t slen[64], *len = slen;
    if (upto > 64) {
        tok = apr_palloc(pool, sizeof(*tok) * (size_t)upto);
        len = apr_palloc(pool, sizeof(*len) * (size_t)upto);
    }
    int k = upto > 0 ? fmt_split(c, r->line, r->len, tok, len, upto) : 0;
    if (o && o->field) {
        if (col >= 0 && col < k)
            r->has_ts = (uint8_t)ts_of_text(tok[col], len[col], o, cx, &r->ts);
        return 1;
    }
    double f;
    if (c->ts == TSR_EPOCH_COL) {
        if (c->ts_col < k && num_parse(tok[c->ts_col], len[c->ts_col], &f))
            r->has_ts = ts_from_epoch(f, &r->ts);
        return 1;
    }
    if (c->ts_col < k && c->ts_col2 < k && len[c->ts_col] + len[c->ts_col2] < 64) {
        char buf[80];
        snprintf(buf, sizeof(buf), "%.*s %.*s", (int)len[c->ts_col], tok[c->ts_col],
                 (int)len[c->ts_col2], tok[c->ts_col2]);
        r->has_ts = ts_parse_iso(buf, strlen(buf), &r->ts);
    }
    return r->has_ts; /* else the line's own text, by the rule of text lines (a W3C log whose
                       * header says tabs and whose lines have blanks) */
}

/* jts: the values of the keys ts_keys_of gives, when the caller extracted them already. A text
 * line is read by its input's form (ts.h ts_read_form), or by the rule alone when the input's
 * first lines had no timestamp. */
static void rec_ts(Rec *r, const Datum *jts, apr_pool_t *pool, const FmtColumns *cols,
                   const Input *in)
{
    if (r->ts_done)
        return;
    r->ts_done = 1;
    r->has_ts = 0;
    const TsOpts *o = in ? in->tso : NULL;
    TsCtx cx = ts_ctx(in);
    if (cols && columns_ts(cols, r, o, &cx, pool))
        return;
    const char *const *names;
    const uint32_t *lens;
    int nk = ts_keys_of(o, &names, &lens);
    Datum tmp[NTSKEYS];
    if (!jts && r->json != REC_JSON_NO && r->json != REC_JSON_FRAG) {
        const char *nm[NTSKEYS];
        for (int k = 0; k < nk; k++)
            nm[k] = names[k];
        JsonWant w = {nk, nm, lens};
        if (json_extract(r->line, r->len, &w, tmp, pool)) {
            r->json = REC_JSON_YES;
            jts = tmp;
        } else {
            r->json = REC_JSON_NO;
        }
    }
    if (jts) {
        for (int k = 0; k < nk; k++)
            if (jts[k].type != VT_NULL && ts_of_datum(&jts[k], o, &cx, &r->ts)) {
                r->has_ts = 1;
                return;
            }
        return;
    }
    if (o && o->field)
        return; /* the named field is absent: no timestamp */
    if (o && o->format) { /* the format reads the start of the line */
        size_t i = 0;
        while (i < r->len && (r->line[i] == ' ' || r->line[i] == '\t'))
            i++;
        r->has_ts = tsfmt_parse(o->format, r->line + i, r->len - i, &cx, &r->ts) > 0;
        return;
    }
    TsForm f;
    if (in && in->tsform.kind)
        r->has_ts = (uint8_t)ts_read_form(r->line, r->len, in->tsform, &cx, &r->ts);
    else
        r->has_ts = (uint8_t)ts_find_in_line(r->line, r->len, &cx, &f, &r->ts);
}

/* A record read as text although it, or the fragment at frag + 1 (dec_load's Lambda-style rule),
 * looks like a JSON object: counted for the warning of the run (engine/input/src.h). */
static int looks_like_object(const Rec *r, const char *frag)
{
    if (json_looks_like_object(r->line, r->len))
        return 1;
    return frag && json_looks_like_object(frag + 1, (size_t)(r->line + r->len - frag - 1));
}

static Vec *slot_vec(Batch *b, int slot)
{
    Vec *v = &b->cols[slot];
    if (!v->d || v->isconst)
        v->d = apr_palloc(b->pool, sizeof(Datum) * b->nrows);
    v->isconst = 0;
    return v;
}

/* A token of a positional record as a value: "-" is absent, numbers are numbers (keeping
 * their text), anything else a string. */
static Datum token_value(const char *s, size_t n)
{
    double f;
    if (n == 0 || (n == 1 && s[0] == '-'))
        return val_null();
    if (num_parse(s, n, &f)) {
        Datum d = val_num(f);
        d.s = s;
        d.len = (uint32_t)n;
        return d;
    }
    return val_str(s, n);
}

static void load_columns(const FmtColumns *c, Batch *b, const int *jslot, const char **names,
                         const uint32_t *lens, int nj, int want_ts)
{
    int *col = apr_palloc(b->pool, sizeof(int) * (size_t)(nj + 1));
    Vec **vs = apr_palloc(b->pool, sizeof(Vec *) * (size_t)(nj + 1));
    for (int j = 0; j < nj; j++) {
        col[j] = -1;
        for (int k = 0; k < c->n; k++)
            if (strlen(c->cols[k]) == lens[j] && memcmp(c->cols[k], names[j], lens[j]) == 0)
                col[j] = k;
        vs[j] = slot_vec(b, jslot[j]);
    }
    const char **tok = apr_palloc(b->pool, sizeof(*tok) * (size_t)(c->n + 1));
    size_t *len = apr_palloc(b->pool, sizeof(*len) * (size_t)(c->n + 1));
    for (uint32_t i = 0; i < b->nsel; i++) {
        uint32_t row = b->sel[i];
        Rec *r = &b->recs[row];
        r->json = REC_JSON_NO;
        int k = nj ? fmt_split(c, r->line, r->len, tok, len, c->n) : 0;
        for (int j = 0; j < nj; j++)
            vs[j]->d[row] = col[j] >= 0 && col[j] < k ? token_value(tok[col[j]], len[col[j]])
                                                      : val_null();
        if (want_ts)
            rec_ts(r, NULL, b->pool, c, b->input);
    }
    for (int j = 0; j < nj; j++)
        vs[j]->loaded = 1;
}

/* The fields of syslog records (engine/input/syslog.h): host, program, pid, ... by name. */
static void load_syslog(Batch *b, const int *jslot, const char **names, const uint32_t *lens,
                        int nj, int want_ts)
{
    const Input *in = b->input;
    Vec **vs = apr_palloc(b->pool, sizeof(Vec *) * (size_t)(nj + 1));
    for (int j = 0; j < nj; j++)
        vs[j] = slot_vec(b, jslot[j]);
    for (uint32_t i = 0; i < b->nsel; i++) {
        uint32_t row = b->sel[i];
        Rec *r = &b->recs[row];
        r->json = REC_JSON_NO;
        SyslogRec sr;
        int ok = nj && syslog_parse(in->syslog, r->line, r->len, &sr);
        for (int j = 0; j < nj; j++) {
            Datum v;
            vs[j]->d[row] = ok && syslog_get(&sr, names[j], lens[j], b->pool, &v) ? v : val_null();
        }
        if (want_ts)
            rec_ts(r, NULL, b->pool, NULL, in);
    }
    for (int j = 0; j < nj; j++)
        vs[j]->loaded = 1;
}

/* Notes for the run's report whether the batch's records (the selected ones, their @timestamp
 * just decoded) have timestamps (src_note_ts). */
static void note_ts(const Batch *b)
{
    int any = 0, none = 0;
    for (uint32_t k = 0; k < b->nsel && !(any && none); k++) {
        const Rec *r = &b->recs[b->sel[k]];
        any |= r->has_ts;
        none |= !r->has_ts;
    }
    src_note_ts(b->input, any, none);
}

/* The census of the input (census.h): which watched names the rows of this decoding pass had,
 * and the leaves of its first JSON record, while some watched name is unseen. */
static Census *census_get(const Plan *p, const Input *in)
{
    if (!p->ncheck || !in)
        return NULL;
    Census **where = &((Input *)(uintptr_t)in)->census; /* the input's, set once */
    Census *c = census_of(where);
    if (!c) { /* the first decoding pass of the input: made by whichever worker comes first */
        c = census_new(p->nslots);
        for (int s = 0; s < p->nslots; s++)
            census_watch(c, s, p->slots[s].name, p->slots[s].len, p->slots[s].check);
        c = census_install(where, c);
    }
    return c;
}

static void census_batch(const Plan *p, Batch *b, const int *jslot, int nj)
{
    const Input *in = b->input;
    if (!in || !b->nsel)
        return;
    Census *c = census_get(p, in);
    if (!census_pending(c))
        return;
    for (int j = 0; j < nj; j++) {
        if (!census_wants(c, jslot[j]))
            continue;
        const Vec *v = &b->cols[jslot[j]];
        int seen = 0;
        for (uint32_t k = 0; k < b->nsel && !seen; k++)
            seen = VGET(v, b->sel[k])->type != VT_NULL;
        census_note(c, jslot[j], seen);
    }
    for (uint32_t k = 0; k < b->nsel; k++) {
        const Rec *r = &b->recs[b->sel[k]];
        if (r->json == REC_JSON_YES || r->json == REC_JSON_FRAG) {
            uint32_t off = r->json == REC_JSON_FRAG ? r->jsoff : 0;
            census_sample(c, r->line + off, r->len - off, b->pool);
            break;
        }
    }
}

void dec_load(const Plan *p, Batch *b, const int *slots, int n)
{
    int nj = 0, want_ts = 0, ts_now = 0;
    if (!b->recs)
        return; /* row-set batches are fully materialised */
    /* as many names as the query reads (plus the timestamp keys): sized from the plan */
    const char **names = apr_palloc(b->pool, sizeof(char *) * (size_t)(n + NTSKEYS));
    uint32_t *lens = apr_palloc(b->pool, sizeof(uint32_t) * (size_t)(n + NTSKEYS));
    int *jslot = apr_palloc(b->pool, sizeof(int) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        int slot = slots[i];
        Vec *v = &b->cols[slot];
        if (v->loaded)
            continue;
        const SlotInfo *si = &p->slots[slot];
        if (si->sys == SYS_NONE) {
            names[nj] = si->name;
            lens[nj] = si->len;
            jslot[nj++] = slot;
            continue;
        }
        v = slot_vec(b, slot);
        const Input *in = b->input;
        for (uint32_t k = 0; k < b->nsel; k++) {
            uint32_t row = b->sel[k];
            Rec *r = &b->recs[row];
            switch (si->sys) {
            case SYS_MESSAGE:
                v->d[row] = val_str(r->line, r->len);
                break;
            case SYS_INGESTION:
                if (r->meta && r->meta->has_ingestion) {
                    v->d[row] = val_ts(r->meta->ingestion);
                    break;
                }
                /* fall through: without its own, the ingestion time is the timestamp (L19) */
                __attribute__((fallthrough));
            case SYS_TIMESTAMP:
                ts_now = 1;
                if (!r->ts_done) {
                    want_ts = 1;
                    v->d[row] = val_null();
                } else {
                    v->d[row] = r->has_ts ? val_ts(r->ts) : val_null();
                }
                break;
            case SYS_LOG:
                v->d[row] = r->meta && r->meta->log ? val_str(r->meta->log, r->meta->log_len)
                                                    : val_str(in->log, in->log_len);
                break;
            case SYS_LAMBDA: {
                Datum f[LAMBDA_NFIELDS];
                dec_lambda(r->line, r->len, f);
                v->d[row] = f[si->sub];
                break;
            }
            case SYS_LOGSTREAM:
                v->d[row] = r->meta && r->meta->stream
                                ? val_str(r->meta->stream, r->meta->stream_len)
                                : val_str(in->stream, in->stream_len);
                break;
            default:
                v->d[row] = val_null();
                break;
            }
        }
        v->loaded = 1;
    }
    if (nj == 0 && !want_ts) {
        if (ts_now)
            note_ts(b);
        return;
    }
    const FmtColumns *cols = b->input && b->input->fmt == FMT_COLUMNS ? b->input->cols : NULL;
    const TsOpts *to = b->input ? b->input->tso : NULL;
    if (cols) { /* fields by position, not JSON */
        load_columns(cols, b, jslot, names, lens, nj, want_ts);
        goto timestamps;
    }
    if (b->input && b->input->syslog) { /* syslog fields, not JSON */
        load_syslog(b, jslot, names, lens, nj, want_ts);
        goto timestamps;
    }
    const char *const *tsk;
    const uint32_t *tsl;
    int ntk = ts_keys_of(to, &tsk, &tsl);

    /* JSON fields, plus the timestamp keys when @timestamp is wanted and not known yet; a key
     * the query also reads as a field (fields time, @timestamp) is extracted once */
    int base_ts = nj, nw = nj, ts_idx[NTSKEYS];
    if (want_ts)
        for (int k = 0; k < ntk; k++) {
            uint32_t kl = tsl[k];
            ts_idx[k] = -1;
            for (int j = 0; j < nj; j++)
                if (lens[j] == kl && memcmp(names[j], tsk[k], kl) == 0)
                    ts_idx[k] = j;
            if (ts_idx[k] < 0) {
                names[nw] = tsk[k];
                lens[nw] = kl;
                ts_idx[k] = nw++;
            }
        }
    /* while the census has a watched name unseen, every JSON record decoded is asked for it
     * too, in the same pass (census.h): a name only records an earlier filter dropped have
     * is still seen */
    int base_census = nw, *cslot = NULL;
    uint8_t *cseen = NULL;
    Census *cz = census_get(p, b->input);
    if (census_pending(cz)) {
        const char **nn = apr_palloc(b->pool, sizeof(char *) * (size_t)(nw + p->ncheck));
        uint32_t *nl = apr_palloc(b->pool, sizeof(uint32_t) * (size_t)(nw + p->ncheck));
        memcpy(nn, names, sizeof(char *) * (size_t)nw);
        memcpy(nl, lens, sizeof(uint32_t) * (size_t)nw);
        names = nn;
        lens = nl;
        cslot = apr_palloc(b->pool, sizeof(int) * (size_t)p->ncheck);
        for (int s = 0; s < p->nslots; s++) {
            int dup = 0;
            for (int j = 0; j < nj && !dup; j++)
                dup = jslot[j] == s;
            if (dup || !census_wants(cz, s))
                continue;
            cslot[nw - base_census] = s;
            names[nw] = p->slots[s].name;
            lens[nw++] = p->slots[s].len;
        }
        cseen = apr_pcalloc(b->pool, (size_t)(nw - base_census + 1));
    }
    JsonWant w = {nw, names, lens};
    int cap = p->max_fields > 0 ? p->max_fields : JSON_MAX_FIELDS;
    Datum *out = apr_palloc(b->pool, sizeof(Datum) * (size_t)(nw + 1));
    Vec **vs = apr_palloc(b->pool, sizeof(Vec *) * (size_t)(nj + 1));
    for (int j = 0; j < base_ts; j++)
        vs[j] = slot_vec(b, jslot[j]);
    for (uint32_t k = 0; k < b->nsel; k++) {
        uint32_t row = b->sel[k];
        Rec *r = &b->recs[row];
        int is_json = 0;
        unsigned over = 0; /* leaves past the field cap, counted for the warning of the run */
        if (r->json == REC_JSON_FRAG) {
            is_json = json_extract_cap(r->line + r->jsoff, r->len - r->jsoff, &w, out, b->pool,
                                       cap, &over);
        } else if (r->json != REC_JSON_NO && w.n > 0) {
            is_json = json_extract_cap(r->line, r->len, &w, out, b->pool, cap, &over);
            r->json = is_json ? REC_JSON_YES : REC_JSON_NO;
            const char *frag = NULL;
            if (!is_json && r->len > 2 && r->line[0] != '{' &&
                (frag = memmem(r->line, r->len, "\t{", 2)) != NULL) {
                uint32_t off = (uint32_t)(frag + 1 - r->line);
                if (json_extract_cap(r->line + off, r->len - off, &w, out, b->pool, cap,
                                     &over)) {
                    r->json = REC_JSON_FRAG;
                    r->jsoff = off;
                    is_json = 1;
                }
            }
            if (!is_json && looks_like_object(r, frag)) /* read as text: said at the end */
                src_count_not_json(b->input);
        }
        for (int x = base_census; is_json && x < nw; x++)
            cseen[x - base_census] |= out[x].type != VT_NULL;
        if (over && !r->over_counted) {
            r->over_counted = 1;
            src_count_over(b->input, over, cap);
        }
        for (int j = 0; j < base_ts; j++)
            vs[j]->d[row] = is_json ? out[j] : val_null();
        if (want_ts) {
            Datum jts[NTSKEYS];
            for (int t = 0; t < ntk; t++)
                jts[t] = is_json ? out[ts_idx[t]] : val_null();
            /* the JSON part of a text line gives the timestamp only when named */
            int use = is_json && (r->json == REC_JSON_YES || (to && to->field));
            rec_ts(r, use ? jts : NULL, b->pool, cols, b->input);
        }
    }
    for (int j = 0; j < base_ts; j++)
        vs[j]->loaded = 1;
    for (int x = base_census; x < nw; x++)
        census_note(cz, cslot[x - base_census], cseen[x - base_census]);
timestamps:
    if (p->ncheck && nj)
        census_batch(p, b, jslot, nj);
    if (want_ts)
        for (int i = 0; i < n; i++) {
            const SlotInfo *si = &p->slots[slots[i]];
            if (si->sys != SYS_TIMESTAMP && si->sys != SYS_INGESTION)
                continue;
            Vec *v = &b->cols[slots[i]];
            for (uint32_t k = 0; k < b->nsel; k++) {
                uint32_t row = b->sel[k];
                Rec *r = &b->recs[row];
                if (si->sys == SYS_INGESTION && r->meta && r->meta->has_ingestion)
                    v->d[row] = val_ts(r->meta->ingestion);
                else
                    v->d[row] = r->has_ts ? val_ts(r->ts) : val_null();
            }
        }
    if (ts_now)
        note_ts(b);
}

/* The @timestamp of one line of a line-format input (FMT_LINES, FMT_COLUMNS) as dec_load
 * gives it to a record made from that line: the same JSON keys (or --timestamp-field), the
 * same Lambda-style JSON fragment rule, the same text and column rules and options. line and
 * len are the record as run_morsel cuts it (no newline, no final CR). Used by the time seek
 * (engine/input/seek.c) to probe lines without making a batch. Returns 1 and *ms, or 0: no
 * timestamp. Decoded strings go to pool. */
int dec_line_ts(const Input *in, const char *line, size_t len, apr_pool_t *pool, int64_t *ms)
{
    Rec r;
    memset(&r, 0, sizeof(r));
    r.line = line;
    r.len = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
    r.json = in->text_only ? REC_JSON_NO : REC_JSON_UNKNOWN;
    const TsOpts *to = in->tso;
    const FmtColumns *cols = in->fmt == FMT_COLUMNS ? in->cols : NULL;
    if (cols) { /* as load_columns */
        r.json = REC_JSON_NO;
        rec_ts(&r, NULL, pool, cols, in);
    } else { /* as dec_load's JSON pass with only @timestamp wanted */
        const char *const *tsk;
        const uint32_t *tsl;
        int ntk = ts_keys_of(to, &tsk, &tsl);
        const char *names[NTSKEYS];
        for (int k = 0; k < ntk; k++)
            names[k] = tsk[k];
        JsonWant w = {ntk, names, tsl};
        Datum out[NTSKEYS];
        int is_json = 0;
        if (r.json != REC_JSON_NO) {
            is_json = json_extract(r.line, r.len, &w, out, pool);
            r.json = is_json ? REC_JSON_YES : REC_JSON_NO;
            const char *frag;
            if (!is_json && r.len > 2 && r.line[0] != '{' &&
                (frag = memmem(r.line, r.len, "\t{", 2)) != NULL) {
                uint32_t off = (uint32_t)(frag + 1 - r.line);
                if (json_extract(r.line + off, r.len - off, &w, out, pool)) {
                    r.json = REC_JSON_FRAG;
                    r.jsoff = off;
                    is_json = 1;
                }
            }
        }
        int use = is_json && (r.json == REC_JSON_YES || (to && to->field));
        rec_ts(&r, use ? out : NULL, pool, NULL, in);
    }
    *ms = r.ts;
    return r.has_ts;
}
