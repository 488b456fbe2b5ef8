/* tally.h -- what a run counts over each of its inputs, and the warnings at its end
 *
 * A run ends with warnings that count over whole inputs: records that look like JSON objects
 * but are not JSON (per input), inputs of which no record has a timestamp when the query needs
 * one, records cut at --max-line, regex evaluations that hit pcre2's limits. One run over a
 * file counts the file; the parts of a split run (liq --partial, issue 16) each count their
 * own byte ranges, so their warnings would say other numbers, or warn where one run does not
 * (a part without a timestamp in a file that has some). So a partial run carries its tally as
 * bytes instead (LiqRunOptions.tally_out), and the merge adds the tallies of its parts and
 * gives the warnings one run over all their inputs gives, in its order (tally_merge).
 *
 *   tally   "LIQE", u8 1 when the query needs timestamps, u64 records cut, u64 --max-line,
 *           u64 regex evaluations that failed, u32 inputs, each: u64 order (the part ordinal
 *           << 32 | the input's place in the part: inputs merge in one run's order), u64
 *           records that look like JSON but are not, u8 flags (1 a record without timestamp,
 *           2 a record with one), u32 length and the input's name
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_TALLY_H
#define LIQ_TALLY_H

#include <stdint.h>
#include "base/buf.h"
#include "base/diag.h"

typedef struct TallyInput {
    const char *path;
    uint32_t len;
    uint64_t order;    /* where one run reads it: ordinal << 32 | place */
    uint64_t not_json; /* records that look like JSON objects but are not */
    int ts_none, ts_any;
} TallyInput;

typedef struct Tally {
    int needs_ts;      /* the query needs timestamps (bin, --start/--end, earliest, ...) */
    uint64_t cut, max_line, rx_failed;
    TallyInput *in;
    int n;
} Tally;

/* The warnings (and errors: records cut, regexes failed) of a run that counted t, into diags. */
void tally_warn(const Tally *t, LiqDiagList *diags);
/* t as bytes, appended to out. */
void tally_save(const Tally *t, LiqBuf *out);
/* n tallies of runs of one compiled query: with out, appends their sum as one tally; else
 * adds to diags the warnings one run over all their inputs gives (inputs by their order, an
 * input of several parts once, its counts added). 0, or -1 when one does not decode. */
int tally_merge(const char *const *sums, const size_t *lens, int n, LiqBuf *out,
                LiqDiagList *diags);

#endif
