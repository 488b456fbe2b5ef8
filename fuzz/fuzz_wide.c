/* fuzz_wide.c -- libFuzzer target: wide queries over a small generated input (issue 11)
 *
 * The bytes choose a query shape and its widths -- up to hundreds of stats keys and aggregates,
 * fields, parse captures, sort keys, dedup keys, 'in' list items, function arguments, piped
 * commands, and nesting around the 1000-level limit -- and the records of a small JSON-lines
 * input (up to 24 records of up to 150 fields f0, f1, ... with values 0..3, some absent, and a
 * "msg" of comma-separated words). The query is built from those choices (always valid, or in
 * the free shape followed by the remaining bytes as text), compiled, and run twice in-process
 * over an in-memory file: with 3-row batches and prefilters, with full batches without.
 *
 * Oracles: nothing crashes; the two runs print the same rows; and each shape's answer is
 * computed here from the generated records and compared: every value of a 'fields' row, the
 * groups and counts of 'stats', every capture of 'parse', the order and rows of 'sort', the
 * rows 'dedup' keeps, the matches of 'in', the value of a variadic call, the count after many
 * commands. A nesting of at most LIQ_MAX_DEPTH levels (one form, or each level its own of (,
 * abs(, not and -) compiles; one level more, or tens of thousands, fails with the single error
 * naming the limit. FUZZ_WIDE_SHOW=1 in the environment prints each query made.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "fuzz/fuzz.h"
#include "parser/ast.h"

enum { MAXREC = 24, MAXFIELD = 150, MAXWORD = 200, NOVAL = -1 };

/* ===== the bytes ===== */

typedef struct Bytes {
    const uint8_t *p;
    size_t n;
} Bytes;

static unsigned take(Bytes *b, unsigned mod)
{
    unsigned v = 0;
    if (b->n) {
        v = *b->p++;
        b->n--;
    }
    return mod ? v % mod : v;
}

static unsigned take16(Bytes *b, unsigned mod)
{
    unsigned v = take(b, 0);
    v |= take(b, 0) << 8;
    return mod ? v % mod : v;
}

/* ===== the input ===== */

typedef struct Input {
    int nrec;
    int nfield[MAXREC];          /* record r has fields f0 .. f(nfield-1) ... */
    int val[MAXREC][MAXFIELD];   /* ... with these values, or NOVAL (absent) */
    int nword[MAXREC];           /* msg: x<r>_0,x<r>_1,... */
    LiqBuf text;                 /* the JSON lines */
    size_t line_start[MAXREC], line_len[MAXREC];
} Input;

static int val_of(const Input *in, int r, int f)
{
    return f < in->nfield[r] ? in->val[r][f] : NOVAL;
}

static void make_input(Bytes *b, Input *in)
{
    memset(in, 0, sizeof(*in));
    in->nrec = 1 + (int)take(b, MAXREC);
    uint32_t x = take16(b, 0) | 1u; /* xorshift: wide records from few bytes */
    int absent = (int)take(b, 8);   /* one value in `absent + 2` is absent */
    for (int r = 0; r < in->nrec; r++) {
        in->nfield[r] = 1 + (int)take(b, MAXFIELD);
        in->nword[r] = (int)take(b, MAXWORD);
        size_t start = in->text.len;
        buf_addc(&in->text, '{');
        int first = 1;
        for (int f = 0; f < in->nfield[r]; f++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            in->val[r][f] = x % (unsigned)(absent + 2) == 0 ? NOVAL : (int)(x >> 8) % 4;
            if (in->val[r][f] == NOVAL)
                continue;
            buf_printf(&in->text, "%s\"f%d\":%d", first ? "" : ",", f, in->val[r][f]);
            first = 0;
        }
        buf_printf(&in->text, "%s\"msg\":\"", first ? "" : ",");
        for (int w = 0; w < in->nword[r]; w++)
            buf_printf(&in->text, "%sx%d_%d", w ? "," : "", r, w);
        buf_adds(&in->text, "\"}");
        in->line_start[r] = start;
        in->line_len[r] = in->text.len - start;
        buf_addc(&in->text, '\n');
    }
}

/* ===== running a query ===== */

/* The rows of a run: each value as output text, "\x01" for null, separated by \x1f; rows end
 * in '\n' (the generated values hold none of the three). */
typedef struct Rows {
    LiqBuf text;
    uint64_t n;
    int ncols; /* of every row (-1: they differed) */
} Rows;

static void format_row(void *ctx, const Datum *vals, int ncols, LiqBuf *out)
{
    (void)ctx;
    for (int c = 0; c < ncols; c++) {
        if (c)
            buf_addc(out, '\x1f');
        if (vals[c].type == VT_NULL)
            buf_addc(out, '\x01');
        else
            val_format(out, &vals[c]);
    }
    buf_addc(out, '\n');
}

static int write_rows(void *ctx, const char *data, size_t len, const uint32_t *ends,
                      uint32_t nrows)
{
    Rows *o = ctx;
    FUZZ_CHECK(nrows == 0 || ends[nrows - 1] == len, "the last row does not end the data");
    buf_add(&o->text, data, len);
    o->n += nrows;
    return 0;
}

static LiqQuery *compile(apr_pool_t *pool, const char *q, size_t n, LiqDiagList *d)
{
    LiqQuery *lq = liq_compile(pool, q, n, d);
    fuzz_check_diags(pool, d, q, n, NULL, 0);
    return lq;
}

static void run(apr_pool_t *pool, const char *q, size_t qlen, const char *path,
                uint32_t batch_rows, int no_prefilter, Rows *out)
{
    LiqDiagList *d = diag_list_new(pool);
    LiqQuery *lq = compile(pool, q, qlen, d);
    FUZZ_CHECK(lq != NULL, "a query compiled once but not twice");
    const char *inputs[] = {path};
    LiqRunOptions ro;
    memset(&ro, 0, sizeof(ro));
    ro.threads = 1;
    ro.batch_rows = batch_rows;
    ro.max_line = (size_t)1 << 20;
    ro.no_prefilter = no_prefilter;
    ro.inputs = inputs;
    ro.ninputs = 1;
    LiqOutput lo = {out, format_row, write_rows, NULL};
    LiqRunStats st;
    memset(&st, 0, sizeof(st));
    LiqDiagList *rd = diag_list_new(pool);
    LiqStatus rc = liq_run(lq, &ro, &lo, &st, rd);
    FUZZ_CHECK(rc == LIQ_OK, "liq_run failed on a generated input");
    FUZZ_CHECK(st.rows_out == out->n, "rows_out differs from the rows written");
    fuzz_check_diags(pool, rd, q, qlen, NULL, 0);
}

/* Row r, column c of a run's output as [*s, *s + *n); 0 when there is no such cell. Null is
 * "\x01". */
static int cell(const Rows *o, uint64_t r, int c, const char **s, size_t *n)
{
    const char *p = o->text.p, *end = p + o->text.len;
    for (uint64_t k = 0; k < r && p < end; k++) {
        p = memchr(p, '\n', (size_t)(end - p));
        p = p ? p + 1 : end;
    }
    if (p >= end)
        return 0;
    const char *le = memchr(p, '\n', (size_t)(end - p));
    for (int k = 0; k < c; k++) {
        p = memchr(p, '\x1f', (size_t)(le - p));
        if (!p)
            return 0;
        p++;
    }
    const char *ce = memchr(p, '\x1f', (size_t)(le - p));
    *s = p;
    *n = (size_t)((ce ? ce : le) - p);
    return 1;
}

static int cell_is(const Rows *o, uint64_t r, int c, const char *want)
{
    const char *s;
    size_t n;
    return cell(o, r, c, &s, &n) && n == strlen(want) && memcmp(s, want, n) == 0;
}

/* The text of a generated value: its digit, or null. */
static const char *vtext(int v)
{
    static const char *const t[] = {"0", "1", "2", "3"};
    return v == NOVAL ? "\x01" : t[v];
}

static int ncols_of(const Rows *o)
{
    const char *p = o->text.p, *end = p + o->text.len;
    if (!o->n)
        return 0;
    int c = 1;
    for (; p < end && *p != '\n'; p++)
        c += *p == '\x1f';
    return c;
}

/* ===== shapes ===== */

typedef enum {
    SH_FIELDS, SH_STATS, SH_PARSE, SH_SORT, SH_DEDUP, SH_IN, SH_CALL, SH_DEPTH, SH_COMMANDS,
    SH__COUNT
} Shape;

typedef struct Spec {
    Shape shape;
    int n;         /* the width: columns, keys, captures, items, arguments, levels, commands */
    int off;       /* first field number named */
    int step;      /* fields named: off, off+step, ... (distinct) */
    int aggs;      /* stats: aggregates after count(*) */
    int mode;      /* a variant of the shape */
    int items[4096];
    int nitems;
} Spec;

static int fld(const Spec *s, int i)
{
    return s->off + i * s->step;
}

static void build(Bytes *b, Spec *s, LiqBuf *q)
{
    s->shape = (Shape)take(b, SH__COUNT);
    s->off = (int)take(b, 8);
    s->step = 1 + (int)take(b, 2);
    s->mode = (int)take(b, 4);
    switch (s->shape) {
    case SH_FIELDS:
        s->n = 1 + (int)take16(b, 700);
        buf_adds(q, "fields ");
        for (int i = 0; i < s->n; i++)
            buf_printf(q, "%sf%d", i ? ", " : "", fld(s, i));
        break;
    case SH_STATS:
        s->n = (int)take16(b, 130);
        s->aggs = (int)take16(b, 300);
        buf_adds(q, "stats count(*) as n");
        for (int a = 0; a < s->aggs; a++)
            buf_printf(q, ", %s(f%d) as a%d", (a % 3 == 0 ? "sum" : a % 3 == 1 ? "max" : "count"),
                       (int)take(b, MAXFIELD), a);
        for (int i = 0; i < s->n; i++)
            buf_printf(q, "%sf%d", i ? ", " : " by ", fld(s, i));
        if (s->mode == 1 && s->n) /* the sort fused with stats, top N */
            buf_printf(q, " | sort n desc | limit %d", 1 + (int)take(b, 8));
        break;
    case SH_PARSE:
        s->n = 1 + (int)take16(b, 160);
        if (s->mode == 0 || s->mode == 3) { /* glob */
            buf_adds(q, "parse msg \"");
            for (int i = 0; i < s->n; i++)
                buf_adds(q, i ? ",*" : "*");
            buf_adds(q, "\" as ");
            for (int i = 0; i < s->n; i++)
                buf_printf(q, "%sp%d", i ? ", " : "", i);
        } else if (s->mode == 1) { /* regex, named groups */
            buf_adds(q, "parse msg /");
            for (int i = 0; i < s->n; i++)
                buf_printf(q, "%s(?<p%d>%s)", i ? "," : "", i, i + 1 < s->n ? "[^,]*" : ".*");
            buf_adds(q, "/");
        } else { /* csv */
            buf_adds(q, "parse msg csv as ");
            for (int i = 0; i < s->n; i++)
                buf_printf(q, "%sp%d", i ? ", " : "", i);
        }
        buf_adds(q, " | fields ");
        for (int i = 0; i < s->n; i++)
            buf_printf(q, "%sp%d", i ? ", " : "", i);
        break;
    case SH_SORT:
        s->n = 1 + (int)take16(b, 200);
        buf_adds(q, "fields ");
        for (int i = 0; i < s->n; i++)
            buf_printf(q, "%sf%d", i ? ", " : "", fld(s, i));
        buf_adds(q, " | sort ");
        for (int i = 0; i < s->n; i++) {
            s->items[i] = (int)take(b, 2); /* desc? */
            buf_printf(q, "%sf%d%s", i ? ", " : "", fld(s, i), s->items[i] ? " desc" : " asc");
        }
        break;
    case SH_DEDUP:
        s->n = 1 + (int)take16(b, 200);
        buf_adds(q, "dedup ");
        for (int i = 0; i < s->n; i++)
            buf_printf(q, "%sf%d", i ? ", " : "", fld(s, i));
        buf_adds(q, " | fields @message");
        break;
    case SH_IN:
        s->nitems = (int)take16(b, 4096);
        buf_printf(q, "filter f%d %sin [", s->off, s->mode == 1 ? "not " : "");
        for (int i = 0; i < s->nitems; i++) {
            s->items[i] = (int)take(b, 12); /* 0..3 match values, 4..9 never, 10..11 strings */
            if (s->items[i] >= 10)
                buf_printf(q, "%s\"s%d\"", i ? ", " : "", i);
            else
                buf_printf(q, "%s%d", i ? ", " : "", s->items[i]);
        }
        buf_adds(q, "] | stats count(*) as n");
        break;
    case SH_CALL:
        s->n = 1 + (int)take16(b, 1200);
        buf_printf(q, "fields %s(", s->mode == 0 ? "concat" : s->mode == 1 ? "coalesce"
                                    : s->mode == 2 ? "greatest" : "least");
        for (int i = 0; i < s->n; i++)
            buf_printf(q, "%sf%d", i ? ", " : "", fld(s, i) % MAXFIELD);
        buf_adds(q, ") as c");
        break;
    case SH_DEPTH: {
        /* around the limit; one input in 16 far past it (the parser's own stack fills) */
        int far = take(b, 16) == 0;
        s->n = far ? 5000 + (int)take16(b, 50000) : LIQ_MAX_DEPTH - 6 + (int)take(b, 12);
        int mixed = (int)take(b, 2); /* each level its own form, from the bytes */
        static const char *const open[] = {"(", "abs(", "not ", "- "};
        static const char *const close[] = {")", ")", "", ""};
        unsigned char *form = malloc((size_t)s->n + 1);
        if (!form)
            abort();
        for (int i = 0; i < s->n; i++)
            form[i] = (unsigned char)(mixed ? take(b, 4) : (unsigned)s->mode);
        buf_adds(q, s->mode == 2 && !mixed ? "filter " : "fields ");
        for (int i = 0; i < s->n; i++)
            buf_adds(q, open[form[i]]);
        buf_adds(q, "f0");
        for (int i = s->n; i-- > 0;)
            buf_adds(q, close[form[i]]);
        free(form);
        break;
    }
    case SH_COMMANDS:
        s->n = 1 + (int)take16(b, 600);
        for (int i = 0; i < s->n; i++)
            buf_printf(q, "filter f%d >= 0 | ", s->off);
        buf_adds(q, "stats count(*) as n");
        break;
    default:
        break;
    }
}

/* ===== oracles ===== */

static void check_fields(const Spec *s, const Input *in, const Rows *o)
{
    FUZZ_CHECK(o->n == (uint64_t)in->nrec, "fields: a row per record");
    FUZZ_CHECK(ncols_of(o) == s->n, "fields: every column shown");
    for (int r = 0; r < in->nrec; r++)
        for (int i = 0; i < s->n; i++)
            FUZZ_CHECK(cell_is(o, (uint64_t)r, i, vtext(val_of(in, r, fld(s, i)))),
                       "fields: a value differs from the record's");
}

/* Do records a and b have the same values in the first nkeys named fields? */
static int same_keys(const Spec *s, const Input *in, int a, int b)
{
    for (int i = 0; i < s->n; i++)
        if (val_of(in, a, fld(s, i)) != val_of(in, b, fld(s, i)))
            return 0;
    return 1;
}

static void check_stats(const Spec *s, const Input *in, const Rows *o)
{
    int groups = 0;
    for (int r = 0; r < in->nrec; r++) {
        int seen = 0;
        for (int p = 0; p < r && !seen; p++)
            seen = same_keys(s, in, p, r);
        groups += !seen;
    }
    FUZZ_CHECK(ncols_of(o) == s->n + 1 + s->aggs, "stats: keys, count and aggregates shown");
    if (s->mode == 1 && s->n)
        return; /* top N: fewer groups */
    FUZZ_CHECK(o->n == (uint64_t)groups, "stats: one row per distinct key tuple");
    long total = 0;
    for (uint64_t r = 0; r < o->n; r++) {
        const char *c;
        size_t n;
        FUZZ_CHECK(cell(o, r, s->n, &c, &n), "stats: the count column");
        total += strtol(c, NULL, 10);
        /* the group's count, computed here: the first record with the row's keys */
        int match = -1;
        for (int rec = 0; rec < in->nrec && match < 0; rec++) {
            int ok = 1;
            for (int i = 0; i < s->n && ok; i++)
                ok = cell_is(o, r, i, vtext(val_of(in, rec, fld(s, i))));
            if (ok)
                match = rec;
        }
        FUZZ_CHECK(match >= 0, "stats: a group no record has");
        long want = 0;
        for (int rec = 0; rec < in->nrec; rec++)
            want += same_keys(s, in, match, rec);
        FUZZ_CHECK(strtol(c, NULL, 10) == want, "stats: a group's count");
    }
    FUZZ_CHECK(total == in->nrec, "stats: the counts add up to the records");
}

static void check_parse(const Spec *s, const Input *in, const Rows *o)
{
    FUZZ_CHECK(o->n == (uint64_t)in->nrec, "parse: a row per record");
    FUZZ_CHECK(ncols_of(o) == s->n, "parse: every capture shown");
    char want[64];
    for (int r = 0; r < in->nrec; r++) {
        int words = in->nword[r];
        int csv = s->mode == 2;
        /* glob and regex need all n pieces (n-1 commas); csv fills what the record has, the
         * rest null, and an empty msg is one empty field */
        int hit = csv || words >= s->n || s->n == 1; /* '*' alone matches "" too */
        for (int i = 0; i < s->n; i++) {
            const char *c;
            size_t n;
            FUZZ_CHECK(cell(o, (uint64_t)r, i, &c, &n), "parse: a capture cell");
            if (!hit || (csv && i >= (words ? words : 1))) {
                FUZZ_CHECK(n == 1 && c[0] == '\x01', "parse: a capture of a non-match");
                continue;
            }
            if (words == 0) { /* csv: one empty field; '*' and /(.*)/: the empty match */
                FUZZ_CHECK(n == 0, "parse: the capture of an empty msg");
                continue;
            }
            if (i + 1 < s->n || csv) {
                snprintf(want, sizeof(want), "x%d_%d", r, i);
                FUZZ_CHECK(n == strlen(want) && memcmp(c, want, n) == 0, "parse: a capture");
            } else { /* the last capture takes the rest: words i.. */
                snprintf(want, sizeof(want), "x%d_%d", r, i);
                FUZZ_CHECK(n >= strlen(want) && memcmp(c, want, strlen(want)) == 0,
                           "parse: the last capture");
                int commas = 0;
                for (size_t k = 0; k < n; k++)
                    commas += c[k] == ',';
                FUZZ_CHECK(commas == words - s->n, "parse: the last capture takes the rest");
            }
        }
    }
}

static void check_sort(const Spec *s, const Input *in, const Rows *o)
{
    FUZZ_CHECK(o->n == (uint64_t)in->nrec, "sort: every row");
    FUZZ_CHECK(ncols_of(o) == s->n, "sort: every column");
    /* each output row is some record's, each record used once */
    int used[MAXREC] = {0};
    for (uint64_t r = 0; r < o->n; r++) {
        int found = -1;
        for (int rec = 0; rec < in->nrec && found < 0; rec++) {
            if (used[rec])
                continue;
            int ok = 1;
            for (int i = 0; i < s->n && ok; i++)
                ok = cell_is(o, r, i, vtext(val_of(in, rec, fld(s, i))));
            if (ok)
                found = rec;
        }
        FUZZ_CHECK(found >= 0, "sort: a row that is no record's");
        used[found] = 1;
    }
    /* in order: the first differing key decides, nulls last in either direction */
    for (uint64_t r = 1; r < o->n; r++)
        for (int i = 0; i < s->n; i++) {
            const char *a, *b;
            size_t na, nb;
            cell(o, r - 1, i, &a, &na);
            cell(o, r, i, &b, &nb);
            if (na == nb && memcmp(a, b, na) == 0)
                continue;
            int anull = a[0] == '\x01', bnull = b[0] == '\x01';
            if (anull || bnull) {
                FUZZ_CHECK(bnull && !anull, "sort: a null before a value");
                break;
            }
            FUZZ_CHECK(s->items[i] ? a[0] > b[0] : a[0] < b[0], "sort: rows out of order");
            break;
        }
}

static void check_dedup(const Spec *s, const Input *in, const Rows *o)
{
    uint64_t k = 0;
    for (int r = 0; r < in->nrec; r++) {
        int keep = 1, null = 0;
        for (int i = 0; i < s->n; i++)
            null |= val_of(in, r, fld(s, i)) == NOVAL;
        for (int p = 0; p < r && keep && !null; p++)
            keep = !same_keys(s, in, p, r);
        if (!keep)
            continue;
        const char *c;
        size_t n;
        FUZZ_CHECK(cell(o, k, 0, &c, &n), "dedup: a row missing");
        FUZZ_CHECK(n == in->line_len[r] && memcmp(c, in->text.p + in->line_start[r], n) == 0,
                   "dedup: a row other than the first of its keys (or one with a null key)");
        k++;
    }
    FUZZ_CHECK(o->n == k, "dedup: more rows than kept");
}

static void check_in(const Spec *s, const Input *in, const Rows *o)
{
    long want = 0;
    for (int r = 0; r < in->nrec; r++) {
        int v = val_of(in, r, s->off), hit = 0;
        if (v == NOVAL)
            continue; /* null in [...] is null: not kept by either filter */
        for (int i = 0; i < s->nitems && !hit; i++)
            hit = s->items[i] == v;
        want += s->mode == 1 ? !hit : hit;
    }
    const char *c;
    size_t n;
    FUZZ_CHECK(o->n == 1 && cell(o, 0, 0, &c, &n), "in: one count");
    FUZZ_CHECK(strtol(c, NULL, 10) == want, "in: the count of matches");
}

static void check_call(const Spec *s, const Input *in, const Rows *o)
{
    FUZZ_CHECK(o->n == (uint64_t)in->nrec, "call: a row per record");
    LiqBuf want = {0};
    for (int r = 0; r < in->nrec; r++) {
        LiqBuf cat = {0};
        int null = 0, first = NOVAL, best = NOVAL;
        for (int i = 0; i < s->n; i++) {
            int v = val_of(in, r, fld(s, i) % MAXFIELD);
            null |= v == NOVAL;
            if (v != NOVAL && first == NOVAL)
                first = v;
            if (v != NOVAL && (best == NOVAL || (s->mode == 2 ? v > best : v < best)))
                best = v;
            if (v != NOVAL)
                buf_adds(&cat, vtext(v)); /* concat: a null adds nothing */
        }
        want.len = 0;
        if (s->mode == 0)
            buf_add(&want, cat.p ? cat.p : "", cat.len);
        else if (s->mode == 1) /* coalesce: the first value */
            buf_adds(&want, vtext(first));
        else /* greatest, least: null when any argument is */
            buf_adds(&want, null ? "\x01" : vtext(best));
        buf_free(&cat);
        buf_addc(&want, 0);
        FUZZ_CHECK(cell_is(o, (uint64_t)r, 0, want.p), "call: the value of a variadic call");
    }
    buf_free(&want);
}

static void check_commands(const Spec *s, const Input *in, const Rows *o)
{
    long want = 0;
    for (int r = 0; r < in->nrec; r++)
        want += val_of(in, r, s->off) != NOVAL;
    const char *c;
    size_t n;
    FUZZ_CHECK(o->n == 1 && cell(o, 0, 0, &c, &n), "commands: one count");
    FUZZ_CHECK(strtol(c, NULL, 10) == want, "commands: the count after every filter");
}

/* ===== the target ===== */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 14)
        return 0;
    Bytes b = {data, size};
    int free_tail = take(&b, 8) == 0; /* one input in 8: the remaining bytes follow the query */
    static Input in; /* large: not on the stack */
    static Spec spec;
    make_input(&b, &in);
    memset(&spec, 0, sizeof(spec));
    LiqBuf q = {0};
    build(&b, &spec, &q);
    if (free_tail) {
        buf_addc(&q, ' ');
        buf_add(&q, b.p, b.n);
    }
    apr_pool_t *pool = fuzz_pool_new();
    LiqDiagList *d = diag_list_new(pool);
    LiqQuery *lq = compile(pool, q.p ? q.p : "", q.len, d);
    if (spec.shape == SH_DEPTH && !free_tail) {
        if (spec.n <= LIQ_MAX_DEPTH) { /* each repetition is one level */
            FUZZ_CHECK(lq != NULL, "a nesting within the limit was refused");
        } else {
            FUZZ_CHECK(lq == NULL && d->n == 1, "a nesting past the limit: one error");
            FUZZ_CHECK(strstr(d->items[0].msg, "nested too deeply (liq allows at most 1000 "
                                               "levels)") != NULL,
                       "a nesting past the limit: the error names the limit");
        }
    } else if (!free_tail) {
        if (!lq)
            fprintf(stderr, "fuzz_wide: %s\n", d->n ? d->items[0].msg : "?");
        FUZZ_CHECK(lq != NULL, "a generated query did not compile");
    }
    if (lq) {
        int fd = fuzz_memfd(in.text.p, in.text.len);
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        Rows x = {{0}, 0, 0}, y = {{0}, 0, 0};
        run(pool, q.p, q.len, path, 3, 0, &x);
        run(pool, q.p, q.len, path, 2048, 1, &y);
        if (getenv("FUZZ_WIDE_SHOW")) /* what an input became, to reproduce it by hand */
            fprintf(stderr, "fuzz_wide: shape %d, %zu-byte query: %.200s%s\n  %d records -> "
                            "%llu rows of %d columns\n",
                    (int)spec.shape, q.len, q.p, q.len > 200 ? "..." : "", in.nrec,
                    (unsigned long long)x.n, ncols_of(&x));
        FUZZ_CHECK(x.n == y.n && x.text.len == y.text.len &&
                       (x.text.len == 0 || memcmp(x.text.p, y.text.p, x.text.len) == 0),
                   "output depends on batch size or prefiltering");
        if (!free_tail) {
            switch (spec.shape) {
            case SH_FIELDS:
                check_fields(&spec, &in, &x);
                break;
            case SH_STATS:
                check_stats(&spec, &in, &x);
                break;
            case SH_PARSE:
                check_parse(&spec, &in, &x);
                break;
            case SH_SORT:
                check_sort(&spec, &in, &x);
                break;
            case SH_DEDUP:
                check_dedup(&spec, &in, &x);
                break;
            case SH_IN:
                check_in(&spec, &in, &x);
                break;
            case SH_CALL:
                check_call(&spec, &in, &x);
                break;
            case SH_COMMANDS:
                check_commands(&spec, &in, &x);
                break;
            default:
                break;
            }
        }
        buf_free(&x.text);
        buf_free(&y.text);
        close(fd);
    }
    buf_free(&q);
    buf_free(&in.text);
    fuzz_pool_free(pool);
    return 0;
}
