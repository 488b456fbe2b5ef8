/* partial.c -- liq --partial and liq --merge (see partial.h, docs/partial-format.md)
 *
 * A partial is one container, little-endian:
 *
 *   "LIQP", u16 version (3), u16 kind (1: a breaker's state, 2: rows), 32 bytes fingerprint,
 *   u32 part ordinal, u8 status (0: every input read whole, 1: not), 3 zero bytes,
 *   u32 diagnostics, u32 their bytes, u64 body bytes;
 *   the diagnostics (each u8 severity, u32 length and message, u32 length and hint or
 *   0xFFFFFFFF without one); the body (liq_partial_save's state, or a rows header and rows);
 *   u32 CRC-32 (zlib's) of every byte before it.
 *
 * A reader knows where a partial ends from its header, so partials concatenated on one stream
 * read like separate files. It takes nothing on trust: sizes are read as bytes arrive (a
 * length past the end is a truncated partial, never an allocation of that size), the CRC must
 * match before the fingerprint is compared, and the body is decoded by loaders that check
 * every length (engine/exec/partial.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <apr_strings.h>
#include <openssl/sha.h>
#include <zlib.h>
#include "base/mem.h"
#include "cli/partial.h"
#include "cli/sig.h"

enum { /* the registry's codes (cli.h has them too; it includes this module's header) */
#define EXIT_CODE(name, code, meaning) CLI_EXIT_##name = code,
#include "cli/exit_codes.def"
#undef EXIT_CODE
};

enum {
    PART_VERSION = 3,
    SEV_CENSUS = 2, /* a diagnostics entry that is the run's census (liq_census_merge) */
    SEV_TALLY = 3,  /* ... its tally of counts over inputs (liq_tally_merge) */
    KIND_STATE = 1,
    KIND_ROWS = 2,
    HEAD_BYTES = 4 + 2 + 2 + 32 + 4 + 1 + 3 + 4 + 4 + 8,
};

void cli_partial_fingerprint(const LiqQuery *q, const char *opts, unsigned char fp[32])
{
    LiqBuf b = {0};
    buf_printf(&b, "liq partial %d\n", PART_VERSION);
    liq_explain(q, &b); /* the compiled query: its plan, operators and expressions */
    buf_printf(&b, "\nquery:\n");
    liq_query_text(q, &b); /* as compiled, parameters filled in */
    buf_printf(&b, "\noptions:\n%s", opts ? opts : "");
    SHA256((const unsigned char *)b.p, b.len, fp);
    buf_free(&b);
}

static void put16(LiqBuf *b, uint16_t v)
{
    buf_add(b, &v, 2);
}

static void put32(LiqBuf *b, uint32_t v)
{
    buf_add(b, &v, 4);
}

/* ===== --partial ===== */

typedef struct RowsOut {
    LiqBuf *body;
} RowsOut;

static void rows_format(void *ctx, const Datum *vals, int ncols, LiqBuf *out)
{
    (void)ctx;
    liq_partial_row(out, vals, ncols, 0); /* position gives the order within a part */
}

static int rows_write(void *ctx, const char *data, size_t len, const uint32_t *ends, uint32_t n)
{
    (void)ends;
    (void)n;
    buf_add(((RowsOut *)ctx)->body, data, len);
    return 0;
}

static void print_run_diags(FILE *err, apr_pool_t *pool, const LiqDiagList *d)
{
    for (int i = 0; i < d->n; i++)
        fputs(diag_render(pool, &d->items[i], "", 0), err);
}

/* What a partial carries for the merge to warn about as one run would: the census of the
 * fields the query reads (liq_census_merge) and the tally of counts over whole inputs
 * (liq_tally_merge). */
typedef struct Sums {
    LiqBuf census, tally;
} Sums;

static void sums_free(Sums *s)
{
    buf_free(&s->census);
    buf_free(&s->tally);
}

/* A diagnostics entry of severity sev whose message is b's bytes, without hint. */
static void sum_encode(LiqBuf *dg, uint8_t sev, const LiqBuf *b)
{
    buf_add(dg, &sev, 1);
    put32(dg, (uint32_t)b->len);
    buf_add(dg, b->p, b->len);
    put32(dg, 0xFFFFFFFFu);
}

/* The diagnostics section: each u8 severity, u32 length and message, u32 length and hint or
 * 0xFFFFFFFF; first the census (severity 2) and the tally (severity 3), their bytes as the
 * message, no hint. The number of entries. */
static uint32_t diags_encode(const LiqDiagList *diags, const Sums *sums, LiqBuf *dg)
{
    if (sums->census.len)
        sum_encode(dg, SEV_CENSUS, &sums->census);
    if (sums->tally.len)
        sum_encode(dg, SEV_TALLY, &sums->tally);
    for (int i = 0; i < diags->n; i++) {
        const LiqDiag *d = &diags->items[i];
        uint8_t sev = (uint8_t)d->severity;
        buf_add(dg, &sev, 1);
        put32(dg, (uint32_t)strlen(d->msg));
        buf_add(dg, d->msg, strlen(d->msg));
        if (d->hint) {
            put32(dg, (uint32_t)strlen(d->hint));
            buf_add(dg, d->hint, strlen(d->hint));
        } else {
            put32(dg, 0xFFFFFFFFu);
        }
    }
    return (uint32_t)diags->n + (sums->census.len != 0) + (sums->tally.len != 0);
}

/* Writes one container (header, diagnostics dg of ndiags, body, CRC) to out: the exit code. */
static int write_container(FILE *out, FILE *err, uint16_t kind, const unsigned char fp[32],
                           uint32_t part, int incomplete, uint32_t ndiags, const LiqBuf *dg,
                           const LiqBuf *body)
{
    LiqBuf h = {0};
    buf_add(&h, "LIQP", 4);
    put16(&h, PART_VERSION);
    put16(&h, kind);
    buf_add(&h, fp, 32);
    put32(&h, part);
    uint8_t tail[4] = {incomplete != 0, 0, 0, 0};
    buf_add(&h, tail, 4);
    put32(&h, ndiags);
    put32(&h, (uint32_t)dg->len);
    uint64_t blen = body->len;
    buf_add(&h, &blen, 8);
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32_z(crc, (const Bytef *)h.p, h.len);
    if (dg->len)
        crc = crc32_z(crc, (const Bytef *)dg->p, dg->len);
    if (body->len)
        crc = crc32_z(crc, (const Bytef *)body->p, body->len);
    uint32_t c32 = (uint32_t)crc;
    errno = 0;
    int bad = fwrite(h.p, 1, h.len, out) != h.len ||
              (dg->len && fwrite(dg->p, 1, dg->len, out) != dg->len) ||
              (body->len && fwrite(body->p, 1, body->len, out) != body->len) ||
              fwrite(&c32, 1, 4, out) != 4 || fflush(out) != 0;
    int rc = CLI_EXIT_OK;
    if (bad && errno != EPIPE) {
        fprintf(err, "liq: error: cannot write the partial result: %s\n",
                strerror(errno ? errno : EIO));
        rc = CLI_EXIT_INTERNAL;
    }
    buf_free(&h);
    return rc;
}

int cli_partial_write(const LiqQuery *q, const LiqRunOptions *ro, unsigned part,
                      const unsigned char fp[32], FILE *out, FILE *err)
{
    const char *why = liq_partial_refusal(q);
    if (why) {
        fprintf(err, "liq: error: --partial cannot split this query: %s\n  hint: run it in one "
                     "process, without --partial (docs/scale-out.md lists what splits)\n", why);
        return CLI_EXIT_USAGE;
    }
    if (isatty(fileno(out))) {
        fprintf(err, "liq: error: --partial writes a binary partial result: send standard "
                     "output to a file or a pipe (liq --merge reads it)\n");
        return CLI_EXIT_USAGE;
    }
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    LiqRunOptions o = *ro;
    int state = liq_query_has_state(q);
    o.keep_state = state;
    o.order_base = (uint64_t)part << 20;
    Sums sums = {0}; /* the warnings about fields no record has, counts over inputs: the merge's */
    o.census_out = &sums.census;
    o.tally_out = &sums.tally;
    LiqBuf body = {0};
    RowsOut ro_ctx = {&body};
    LiqOutput lo = {&ro_ctx, rows_format, rows_write, NULL};
    const char **names;
    int ncols = liq_columns(q, &names);
    if (!state)
        liq_partial_rows_header(&body, ncols);
    LiqDiagList *diags = diag_list_new(pool);
    LiqRunStats st = {0};
    LiqRun *r = liq_run_new(q, &o);
    LiqStatus rs = LIQ_EINTERNAL;
    if (r) {
        cli_signals_watch(r);
        rs = liq_run_exec(r, &lo, &st, diags);
        cli_signals_watch(NULL);
    }
    if ((rs == LIQ_OK || rs == LIQ_EINCOMPLETE) && state && liq_partial_save(q, r, &body) != LIQ_OK) {
        diag_add(diags, DIAG_ERROR, NULL, "cannot read a spill file back into the partial result");
        rs = LIQ_EINTERNAL;
    }
    liq_run_free(r);
    int rc = CLI_EXIT_OK;
    if (rs != LIQ_OK && rs != LIQ_EINCOMPLETE) {
        print_run_diags(err, pool, diags);
        rc = rs == LIQ_ECANCELLED ? cli_signal_exit()
             : rs == LIQ_EUSAGE   ? CLI_EXIT_USAGE
             : rs == LIQ_EMEMORY  ? CLI_EXIT_MEMORY
                                  : CLI_EXIT_INTERNAL;
    } else if (st.morsels >= (uint64_t)1 << 20) {
        fprintf(err, "liq: error: part %u read %llu morsels of about 1 MiB, more than the 2^20 "
                     "a part may have (about 1 TiB): split its inputs into more parts\n",
                part, (unsigned long long)st.morsels);
        rc = CLI_EXIT_USAGE;
    }
    if (rc != CLI_EXIT_OK) {
        buf_free(&body);
        sums_free(&sums);
        apr_pool_destroy(pool);
        return rc;
    }
    LiqBuf dg = {0};
    uint32_t nd = diags_encode(diags, &sums, &dg);
    rc = write_container(out, err, state ? KIND_STATE : KIND_ROWS, fp, part,
                         rs == LIQ_EINCOMPLETE, nd, &dg, &body);
    buf_free(&dg);
    sums_free(&sums);
    buf_free(&body);
    apr_pool_destroy(pool);
    return rc;
}

/* ===== --merge ===== */

/* One partial read from a stream: its header fields and its bytes (diagnostics and body). */
typedef struct Part {
    const char *name; /* the file, or "standard input" */
    int nth;          /* its place in that stream (1, 2, ...) */
    uint16_t kind;
    unsigned char fp[32];
    uint32_t part;
    int incomplete;
    uint32_t ndiags;
    LiqBuf bytes;     /* diagnostics, then body */
    size_t dlen;
} Part;

/* Reads up to n bytes into b (grown as bytes come, never ahead of them): the count read. */
static size_t read_into(FILE *f, LiqBuf *b, uint64_t n)
{
    size_t got = 0;
    while (n > 0) {
        size_t want = n > (1u << 20) ? (1u << 20) : (size_t)n;
        if (b->len + want > b->cap)
            buf_grow(b, want);
        size_t k = fread(b->p + b->len, 1, want, f);
        b->len += k;
        got += k;
        n -= k;
        if (k < want)
            break;
    }
    return got;
}

/* Reads the next partial of f: 1, 0 at the stream's end, or an exit code (err says why) as
 * -code. */
static int read_part(FILE *f, Part *p, const unsigned char fp[32], int want_kind, FILE *err)
{
    unsigned char h[HEAD_BYTES];
    size_t n = fread(h, 1, sizeof(h), f);
    if (n == 0 && !ferror(f))
        return 0;
    if (n < 4 || memcmp(h, "LIQP", 4) != 0) {
        fprintf(err, "liq: error: %s: partial %d is not a liq partial result (it does not start "
                     "with LIQP)\n", p->name, p->nth);
        return -CLI_EXIT_INCOMPLETE;
    }
    uint16_t ver = 0;
    if (n >= 6)
        memcpy(&ver, h + 4, 2);
    if (n >= 6 && ver != PART_VERSION) {
        fprintf(err, "liq: error: %s: partial %d has format version %u; this liq reads version "
                     "%d: make partials and merge them with the same liq\n",
                p->name, p->nth, ver, PART_VERSION);
        return -CLI_EXIT_USAGE;
    }
    if (n < sizeof(h)) {
        fprintf(err, "liq: error: %s: partial %d is truncated (its header has %zu of %d bytes)\n",
                p->name, p->nth, n, HEAD_BYTES);
        return -CLI_EXIT_INCOMPLETE;
    }
    uint32_t dlen;
    uint64_t blen;
    memcpy(&p->kind, h + 6, 2);
    memcpy(p->fp, h + 8, 32);
    memcpy(&p->part, h + 40, 4);
    p->incomplete = h[44];
    memcpy(&p->ndiags, h + 48, 4);
    memcpy(&dlen, h + 52, 4);
    memcpy(&blen, h + 56, 8);
    p->bytes.len = 0;
    uint64_t want = (uint64_t)dlen + blen + 4;
    if (blen > UINT64_MAX - dlen - 4 || read_into(f, &p->bytes, want) != want) {
        fprintf(err, "liq: error: %s: partial %d is truncated (it ends before the %llu bytes its "
                     "header announces)\n", p->name, p->nth, (unsigned long long)want);
        return -CLI_EXIT_INCOMPLETE;
    }
    uint32_t c32;
    memcpy(&c32, p->bytes.p + p->bytes.len - 4, 4);
    p->bytes.len -= 4;
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32_z(crc, h, sizeof(h));
    crc = crc32_z(crc, (const Bytef *)p->bytes.p, p->bytes.len);
    if ((uint32_t)crc != c32 || h[44] > 1 || h[45] || h[46] || h[47]) {
        fprintf(err, "liq: error: %s: partial %d is corrupt (its checksum does not match)\n",
                p->name, p->nth);
        return -CLI_EXIT_INCOMPLETE;
    }
    if (memcmp(p->fp, fp, 32) != 0 || p->kind != want_kind) {
        fprintf(err, "liq: error: %s: partial %d was made by another query or with other "
                     "options (its fingerprint differs)\n  hint: --merge takes the query and the "
                     "options that change results (--start, --end, --tz, --timestamp-field, "
                     "--timestamp-format, --year, --var, ...) exactly as --partial had them\n",
                p->name, p->nth);
        return -CLI_EXIT_USAGE;
    }
    p->dlen = dlen;
    return 1;
}

/* The censuses or the tallies of the partials a merge read (their bytes copied). */
typedef struct Blobs {
    LiqBuf *b;
    size_t n, cap;
} Blobs;

static void blobs_add(Blobs *bl, const char *p, size_t n)
{
    if (bl->n == bl->cap) {
        bl->cap = bl->cap ? bl->cap * 2 : 8;
        bl->b = mem_realloc(bl->b, sizeof(LiqBuf) * bl->cap);
    }
    bl->b[bl->n] = (LiqBuf){0};
    buf_add(&bl->b[bl->n++], p, n);
}

static void blobs_free(Blobs *bl)
{
    for (size_t i = 0; i < bl->n; i++)
        buf_free(&bl->b[i]);
    free(bl->b);
}

/* Merges the blobs with merge (liq_census_merge, liq_tally_merge): into out when given, else
 * their warnings into diags. 0, or -1 when one does not decode. */
static int blobs_merge(const Blobs *bl,
                       int (*merge)(const char *const *, const size_t *, int, LiqBuf *,
                                    LiqDiagList *),
                       LiqBuf *out, LiqDiagList *diags)
{
    if (!bl->n)
        return 0;
    const char **sp = mem_calloc(bl->n, sizeof(*sp));
    size_t *sl = mem_calloc(bl->n, sizeof(*sl));
    for (size_t i = 0; i < bl->n; i++)
        sp[i] = bl->b[i].p, sl[i] = bl->b[i].len;
    int rc = merge(sp, sl, (int)bl->n, out, out ? NULL : diags);
    free(sp);
    free(sl);
    return rc;
}

/* Adds p's diagnostics to diags, its census to cens and its tally to tal: 0, or -1 when they
 * do not decode. */
static int part_diags(const Part *p, LiqDiagList *diags, Blobs *cens, Blobs *tal)
{
    const char *c = p->bytes.p, *end = p->bytes.p + p->dlen;
    for (uint32_t i = 0; i < p->ndiags; i++) {
        uint32_t ml, hl;
        if (end - c < 5 || (uint8_t)c[0] > SEV_TALLY)
            return -1;
        int is_sum = (uint8_t)c[0] >= SEV_CENSUS;
        DiagSeverity sev = (DiagSeverity)(uint8_t)c[0];
        memcpy(&ml, c + 1, 4);
        c += 5;
        if ((size_t)(end - c) < ml)
            return -1;
        const char *msg = c;
        c += ml;
        if (end - c < 4)
            return -1;
        memcpy(&hl, c, 4);
        c += 4;
        if (hl != 0xFFFFFFFFu && (size_t)(end - c) < hl)
            return -1;
        if (is_sum) { /* decoded (and checked) by liq_census_merge, liq_tally_merge */
            if (hl != 0xFFFFFFFFu)
                return -1;
            blobs_add(sev == (DiagSeverity)SEV_CENSUS ? cens : tal, msg, ml);
            continue;
        }
        int seen = 0; /* another part said the same (a warning about a field, ...): once */
        for (int k = 0; k < diags->n && !seen; k++)
            seen = diags->items[k].severity == sev && strlen(diags->items[k].msg) == ml &&
                   memcmp(diags->items[k].msg, msg, ml) == 0;
        LiqDiag *d = seen ? NULL : diag_add(diags, sev, NULL, "%.*s", (int)ml, msg);
        if (hl != 0xFFFFFFFFu) {
            if (d)
                diag_hint(diags, d, "%.*s", (int)hl, c);
            c += hl;
        }
    }
    return c == end ? 0 : -1;
}

/* The rows of one partial (already checked) to lo, up to *left rows (-1: all). */
static int write_rows(const Part *p, const LiqOutput *lo, int ncols, int64_t *left,
                      apr_pool_t *pool)
{
    const char *c = p->bytes.p + p->dlen, *end = p->bytes.p + p->bytes.len;
    c += liq_partial_rows_check(c, end, ncols);
    Datum *vals = apr_palloc(pool, sizeof(Datum) * (size_t)(ncols + 1));
    LiqBuf b = {0};
    uint32_t ends[256];
    int stop = 0;
    while (c < end && *left != 0 && !stop) {
        uint32_t k = 0;
        b.len = 0;
        for (; c < end && k < 256 && *left != 0; k++) {
            uint64_t order;
            c += liq_partial_row_read(c, end, pool, vals, ncols, &order);
            lo->format_row(lo->ctx, vals, ncols, &b);
            ends[k] = (uint32_t)b.len;
            if (*left > 0)
                --*left;
        }
        stop = lo->write(lo->ctx, b.p, b.len, ends, k) != 0;
        apr_pool_clear(pool);
    }
    buf_free(&b);
    return stop;
}

/* Does the body of p hold whole valid rows of ncols values? */
static int rows_valid(const Part *p, int ncols, apr_pool_t *pool)
{
    const char *c = p->bytes.p + p->dlen, *end = p->bytes.p + p->bytes.len;
    size_t h = liq_partial_rows_check(c, end, ncols);
    if (!h)
        return 0;
    Datum *vals = apr_palloc(pool, sizeof(Datum) * (size_t)(ncols + 1));
    for (c += h; c < end;) {
        uint64_t order;
        size_t k = liq_partial_row_read(c, end, pool, vals, ncols, &order);
        if (!k)
            return 0;
        c += k;
    }
    return 1;
}

static int by_part(const void *a, const void *b)
{
    const Part *x = a, *y = b;
    if (x->part != y->part)
        return x->part < y->part ? -1 : 1;
    return 0;
}

struct CliMerge {
    Part *parts; /* the partials of rows, in the order read */
    size_t n, cap;
};

/* cli_merge_read, also giving the smallest part ordinal read (0 without any). */
static int merge_read(const LiqQuery *q, LiqRun *run, const char *const *paths, int n,
                      const unsigned char fp[32], LiqDiagList *diags, int *incomplete,
                      CliMerge **rows, uint32_t *first, Sums *sums_out, FILE *err)
{
    Blobs cens = {0}, tal = {0};
    *incomplete = 0;
    *rows = NULL;
    *first = UINT32_MAX;
    const char *why = liq_partial_refusal(q);
    if (why) {
        fprintf(err, "liq: error: --merge: this query has no partial results: %s\n", why);
        return CLI_EXIT_USAGE;
    }
    static const char *const stdin_only[] = {"-"};
    if (n == 0) {
        paths = stdin_only;
        n = 1;
    }
    int state = liq_query_has_state(q);
    const char **names;
    int ncols = liq_columns(q, &names);
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    CliMerge *m = mem_calloc(1, sizeof(*m));
    int rc = 0;
    /* two partials of one ordinal: their ties break in no set order (a --part-index left out) */
    const char **seen = mem_calloc(CLI_PART_MAX + 1, sizeof(*seen));
    int *seen_nth = mem_calloc(CLI_PART_MAX + 1, sizeof(*seen_nth));
    int dups = 0;
    LiqBuf dup = {0};
    for (int i = 0; i < n && !rc; i++) {
        int is_stdin = strcmp(paths[i], "-") == 0;
        FILE *f = is_stdin ? stdin : fopen(paths[i], "rb");
        if (!f) {
            fprintf(err, "liq: error: cannot open partial %s: %s\n", paths[i], strerror(errno));
            rc = CLI_EXIT_INCOMPLETE;
            break;
        }
        for (int nth = 1; !rc; nth++) {
            Part p = {is_stdin ? "standard input" : paths[i], nth, 0, {0}, 0, 0, 0, {0}, 0};
            int r = read_part(f, &p, fp, state ? KIND_STATE : KIND_ROWS, err);
            if (r <= 0) {
                rc = -r;
                buf_free(&p.bytes);
                break;
            }
            int bad_diags = part_diags(&p, diags, &cens, &tal) != 0;
            if (bad_diags || (!state && !rows_valid(&p, ncols, pool))) {
                fprintf(err, "liq: error: %s: partial %d is corrupt (its %s do not decode)\n",
                        p.name, nth, bad_diags ? "diagnostics" : "rows");
                rc = CLI_EXIT_INCOMPLETE;
                buf_free(&p.bytes);
                break;
            }
            apr_pool_clear(pool);
            *incomplete |= p.incomplete;
            if (p.part < *first)
                *first = p.part;
            const char *body = p.bytes.p + p.dlen;
            int has = state || p.bytes.len - p.dlen >
                                   liq_partial_rows_check(body, p.bytes.p + p.bytes.len, ncols);
            if (!has) { /* no rows: no ties to break */
            } else if (p.part <= CLI_PART_MAX && seen[p.part]) {
                if (!dups++)
                    buf_printf(&dup, "%s (partial %d) and %s (partial %d) both have part index %u",
                               seen[p.part], seen_nth[p.part], p.name, nth, p.part);
            } else if (p.part <= CLI_PART_MAX) {
                seen[p.part] = p.name;
                seen_nth[p.part] = nth;
            }
            if (state) { /* merged at once: at most the merged state and one partial held */
                LiqStatus ms = liq_partial_merge(q, run, p.bytes.p + p.dlen, p.bytes.len - p.dlen);
                buf_free(&p.bytes);
                const char *dir;
                int e = ms == LIQ_EINTERNAL ? liq_run_spill_error(run, &dir) : 0;
                if (e) { /* as a run whose spill fails says it (engine/exec/pipe.c) */
                    fprintf(err, "liq: error: %s: partial %d: cannot write a spill file in %s: "
                                 "%s: the merge stopped, and no result of it was written\n"
                                 "  hint: give a directory with room with --temp-dir DIR (or "
                                 "TMPDIR)\n", p.name, nth, dir ? dir : "the temporary directory",
                            e > 0 ? strerror(e) : "failed");
                    rc = CLI_EXIT_INTERNAL;
                } else if (ms != LIQ_OK) {
                    fprintf(err, "liq: error: %s: partial %d is corrupt (its state does not "
                                 "decode)\n", p.name, nth);
                    rc = ms == LIQ_EUSAGE || ms == LIQ_EINTERNAL ? CLI_EXIT_INTERNAL
                                                                 : CLI_EXIT_INCOMPLETE;
                }
                continue;
            }
            if (m->n == m->cap) {
                m->cap = m->cap ? m->cap * 2 : 8;
                m->parts = mem_realloc(m->parts, sizeof(Part) * m->cap);
            }
            m->parts[m->n++] = p;
        }
        if (!is_stdin)
            fclose(f);
    }
    apr_pool_destroy(pool);
    if (*first == UINT32_MAX)
        *first = 0;
    /* the fields no record of any part has, the counts over whole inputs: warned as one run
     * would, in its order */
    if (!rc && blobs_merge(&cens, liq_census_merge, sums_out ? &sums_out->census : NULL,
                           diags) != 0) {
        fprintf(err, "liq: error: a partial is corrupt (its census of fields does not "
                     "decode)\n");
        rc = CLI_EXIT_INCOMPLETE;
    }
    if (!rc && blobs_merge(&tal, liq_tally_merge, sums_out ? &sums_out->tally : NULL,
                           diags) != 0) {
        fprintf(err, "liq: error: a partial is corrupt (its tally of counts over inputs does "
                     "not decode)\n");
        rc = CLI_EXIT_INCOMPLETE;
    }
    blobs_free(&cens);
    blobs_free(&tal);
    if (dups && !rc) {
        LiqDiag *d = diag_add(diags, DIAG_WARNING, NULL,
                              "%.*s%s: ties between their rows break in no set order, and rows "
                              "of a query without stats or sort come in no set order",
                              (int)dup.len, dup.p,
                              dups > 1 ? apr_psprintf(diags->pool, " (and %d more repeated part "
                                                                   "indexes)", dups - 1)
                                       : "");
        diag_hint(diags, d, "%s",
                  "give each --partial its own --part-index K: its line number, from 0, in "
                  "the output of liq --splits");
    }
    buf_free(&dup);
    free(seen);
    free(seen_nth);
    if (rc || state) {
        cli_merge_free(m);
        return rc;
    }
    /* rows: in the order of the parts' ordinals, then as given (an insertion sort: stable) */
    for (size_t i = 1; i < m->n; i++)
        for (size_t j = i; j > 0 && by_part(&m->parts[j - 1], &m->parts[j]) > 0; j--) {
            Part t = m->parts[j];
            m->parts[j] = m->parts[j - 1];
            m->parts[j - 1] = t;
        }
    *rows = m;
    return 0;
}

int cli_merge_read(const LiqQuery *q, LiqRun *run, const char *const *paths, int n,
                   const unsigned char fp[32], LiqDiagList *diags, int *incomplete,
                   CliMerge **rows, FILE *err)
{
    uint32_t first;
    return merge_read(q, run, paths, n, fp, diags, incomplete, rows, &first, NULL, err);
}

/* The rows of a query without a breaker, merged into a partial: each part's rows in its own
 * container, in the order of their ordinals, up to the query's limit in all (rows past it can
 * never be written: as many rows of this set come before them); the first holds the merge's
 * diagnostics (those of every part, once each), the others none. No part: one empty
 * container. */
static int merge_write_rows(const CliMerge *m, const LiqQuery *q, const unsigned char fp[32],
                            uint32_t first, int incomplete, const LiqDiagList *diags,
                            const Sums *sums, FILE *out, FILE *err)
{
    const char **names;
    int ncols = liq_columns(q, &names);
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    Datum *vals = apr_palloc(pool, sizeof(Datum) * (size_t)(ncols + 1));
    LiqBuf dg = {0}, body = {0};
    uint32_t nd = diags_encode(diags, sums, &dg);
    int rc = 0;
    if (m->n == 0) {
        liq_partial_rows_header(&body, ncols);
        rc = write_container(out, err, KIND_ROWS, fp, first, incomplete, nd, &dg, &body);
    }
    int64_t left = liq_query_out_limit(q);
    for (size_t i = 0; i < m->n && !rc; i++) {
        const Part *p = &m->parts[i];
        const char *c = p->bytes.p + p->dlen, *end = p->bytes.p + p->bytes.len;
        size_t h = liq_partial_rows_check(c, end, ncols);
        body.len = 0;
        buf_add(&body, c, h);
        for (c += h; c < end && left != 0; left -= left > 0) {
            uint64_t order;
            size_t k = liq_partial_row_read(c, end, pool, vals, ncols, &order);
            buf_add(&body, c, k);
            c += k;
        }
        apr_pool_clear(pool);
        if (i == 0) /* the merge's diagnostics, once */
            rc = write_container(out, err, KIND_ROWS, fp, p->part, incomplete, nd, &dg, &body);
        else
            rc = write_container(out, err, KIND_ROWS, fp, p->part, p->incomplete, 0,
                                 &(LiqBuf){0}, &body);
    }
    buf_free(&dg);
    buf_free(&body);
    apr_pool_destroy(pool);
    return rc;
}

int cli_merge_write(const LiqQuery *q, const LiqRunOptions *ro, const char *const *paths, int n,
                    const unsigned char fp[32], FILE *out, FILE *err)
{
    if (isatty(fileno(out))) {
        fprintf(err, "liq: error: --merge --partial writes a binary partial result: send "
                     "standard output to a file or a pipe (liq --merge reads it)\n");
        return CLI_EXIT_USAGE;
    }
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    LiqDiagList *diags = diag_list_new(pool);
    LiqRun *run = liq_run_new(q, ro);
    if (!run) {
        fprintf(err, "liq: internal error: cannot start the merge\n");
        apr_pool_destroy(pool);
        return CLI_EXIT_INTERNAL;
    }
    int incomplete;
    uint32_t first;
    CliMerge *rows;
    Sums sums = {0};
    int rc = merge_read(q, run, paths, n, fp, diags, &incomplete, &rows, &first, &sums, err);
    if (!rc && rows) {
        rc = merge_write_rows(rows, q, fp, first, incomplete, diags, &sums, out, err);
    } else if (!rc) {
        LiqBuf body = {0}, dg = {0};
        if (liq_partial_save(q, run, &body) != LIQ_OK) {
            fprintf(err, "liq: error: cannot read a spill file back into the partial result\n");
            rc = CLI_EXIT_INTERNAL;
        } else {
            uint32_t nd = diags_encode(diags, &sums, &dg);
            rc = write_container(out, err, KIND_STATE, fp, first, incomplete, nd, &dg, &body);
        }
        buf_free(&body);
        buf_free(&dg);
    }
    cli_merge_free(rows);
    sums_free(&sums);
    liq_run_free(run);
    apr_pool_destroy(pool);
    return rc;
}

LiqStatus cli_merge_rows(CliMerge *m, const LiqQuery *q, const LiqOutput *lo)
{
    const char **names;
    int ncols = liq_columns(q, &names);
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    int64_t left = liq_query_out_limit(q);
    int stop = 0;
    for (size_t i = 0; i < m->n && left != 0 && !stop; i++)
        stop = write_rows(&m->parts[i], lo, ncols, &left, pool);
    apr_pool_destroy(pool);
    return stop ? LIQ_EOUTPUT : LIQ_OK;
}

void cli_merge_free(CliMerge *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        buf_free(&m->parts[i].bytes);
    free(m->parts);
    free(m);
}
