/* anomaly.h -- what `pattern ... | anomaly` keeps per template, and its five detectors (L21)
 *
 * With anomaly, every group of the pattern operator carries an AnStats: its record count per
 * time cell, and for its first AN_MAXPOS variable positions the values seen there (up to
 * AN_MAXVALS distinct, each with its count and first time) and, while every value is a number,
 * the count, sum, sum of squares and HTTP-error counts per time cell. Memory per
 * template is bounded (at most AN_MAXCELLS cells per series).
 *
 * Cells are round durations wide (1 ms, 10 ms, ... 1 s, 5 s, ... 1 min, 5 min, ... 1 h, ... 1 day,
 * 7 days, ...: each a multiple of the one before), aligned to the epoch. The width follows the
 * span of the timestamps seen: an_gexp() picks the narrowest width that covers [tmin, tmax]
 * with fewer than AN_MAXCELLS cells, and series are coarsened (cells merged exactly) when it
 * grows.
 * Since a worker's span lies inside the whole run's span, the final width is the same for any
 * thread count and the final cells hold exactly the counts of floor(ts / width): results do
 * not depend on which worker saw which record.
 *
 * an_detect() runs the detectors of docs/pattern.md on one final template: pattern frequency,
 * new pattern, token variation, numeric token, HTTP error code.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_ANOMALY_H
#define LIQ_ANOMALY_H

#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "engine/exec/xsum.h"

enum { AN_MAXPOS = 6, AN_MAXVALS = 8, AN_MAXCELLS = 512, AN_BUCKETS = 36, AN_MINBUCKETS = 6,
       AN_MINBASELINE = 20, AN_ZSCORE = 5 };
/* Times are placed within +-AN_TS_LIMIT ms (2^53, about 285,000 years either side of 1970):
 * a record whose timestamp lies beyond is clustered but not placed in time, as one without a
 * timestamp, and a frame (--start/--end) is clamped to it. Inside it no span, cell number or
 * bucket start overflows an int64. */
#define AN_TS_LIMIT ((int64_t)1 << 53)
/* The largest chance a frequency spike may have under the template's usual rate (Poisson):
 * one in a million, since a run tests every bucket of every template. */
#define AN_PVALUE 1e-6

typedef struct AnCell {
    int64_t key, n;       /* cell number (floor(ts / width)), records */
    ExactSum sum, sumsq;  /* numeric positions: of the values, exact (xsum.h: the same bits
                           * however the records were split and merged) */
    int64_t e4, e5;       /* HTTP positions: 4xx and 5xx values */
} AnCell;

typedef struct AnSeries {
    AnCell *c;
    int n, cap;
} AnSeries;

typedef struct AnVal {
    char *s;
    size_t len;
    int64_t n, first; /* records, first timestamp */
} AnVal;

typedef struct AnPos {
    int tok;              /* token index in the template */
    int nonnum, nonhttp;  /* some value is not a number / not an HTTP status (100..599) */
    int over;             /* more than AN_MAXVALS distinct values */
    int nvals;
    AnVal vals[AN_MAXVALS];
    AnSeries cells;       /* while !nonnum */
} AnPos;

typedef struct AnStats {
    int64_t heap;            /* bytes its cells and values hold on the heap (an_bytes) */
    int gexp;
    int64_t tmin, tmax, nts; /* timestamps of the records (nts: how many) */
    AnSeries cells;
    int npos;
    AnPos pos[AN_MAXPOS];
} AnStats;

/* One variable token of a record. */
typedef struct AnTok {
    const char *s;
    size_t len;
    int tok; /* its index in the template */
} AnTok;

typedef enum { AN_FREQUENCY, AN_NEW_PATTERN, AN_TOKEN_VARIATION, AN_NUMERIC_TOKEN, AN_HTTP_ERROR } AnKind;
typedef enum { AN_HIGH, AN_MEDIUM, AN_LOW } AnPriority;

/* The time frame of a run: [t0, t1] (--start/--end, else the span of the data), the final cell
 * width, and the records before the split (the baseline; the last quarter is "recent"). */
typedef struct AnFrame {
    int64_t t0, t1;
    int gexp;            /* the cells' width index */
    int64_t bw, b0;      /* bucket width (ms), number of the first bucket (floor(t0 / bw)) */
    int64_t per;         /* cells per bucket */
    int nb, split;       /* buckets, first recent bucket */
    int64_t split_ms;    /* where the recent part starts */
    int64_t baseline;    /* records of all templates in the baseline */
} AnFrame;

typedef struct AnFinding {
    AnKind kind;
    AnPriority prio;
    int64_t ts;
    LiqBuf desc;
} AnFinding;

/* The narrowest cell width (an index: an_width() gives its milliseconds) that covers
 * [tmin, tmax] in fewer than AN_MAXCELLS cells. */
int an_gexp(int64_t tmin, int64_t tmax);
int64_t an_width(int w);
AnStats *an_new(void);
void an_free(AnStats *a);
/* A record at ts (in a set whose width exponent is gexp) with its variable tokens. */
void an_add(AnStats *a, int gexp, int64_t ts, const AnTok *vars, int nvars);
/* A deep copy of a (NULL for NULL). */
AnStats *an_copy(const AnStats *a);
/* The bytes a holds (itself, its cells and values): what the pattern operator charges its
 * run's memory budget for it (engine/exec/budget.h). */
int64_t an_bytes(const AnStats *a);
/* Adds src's statistics to dst (src is coarsened and left unusable: free it). */
void an_merge(AnStats *dst, AnStats *src);
/* Template merging: position tok became a variable; the records counted by a had value s there. */
void an_widen(AnStats *a, int tok, const char *s, size_t len, int64_t count, int64_t first);
void an_coarsen(AnStats *a, int gexp);
/* Partial results (issue 16, docs/partial-format.md): a's statistics as bytes, appended to
 * out, every field whole (the sums bit for bit); an_load reads them back at *p, moving *p
 * past them, and returns NULL when [*p, end) does not start with a whole valid AnStats of a
 * template of ntok tokens (a width out of range, cells out of order or past AN_MAXCELLS,
 * positions out of order or past the template, too many values, a negative count): the
 * detectors then never see what an_add and an_merge could not have made. */
void an_save(const AnStats *a, LiqBuf *out);
AnStats *an_load(const char **p, const char *end, int ntok);
/* Sets up the frame; returns 0 when the span is too short to compare periods. */
int an_frame(AnFrame *f, int64_t t0, int64_t t1, int gexp);
/* Adds the baseline records of a (final) template to f->baseline. */
void an_count_baseline(AnFrame *f, const AnStats *a);
/* Runs the detectors on one final template; tokord maps token index -> N of <Token-N>.
 * Returns the number of findings written to out (at most 1 + AN_MAXPOS). */
int an_detect(const AnStats *a, const AnFrame *f, const char *severity, const int *tokord,
              AnFinding *out);
const char *an_kind_name(AnKind k);
const char *an_priority_name(AnPriority p);

#endif
