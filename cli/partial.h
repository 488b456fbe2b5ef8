/* partial.h -- liq --partial and liq --merge: partial results as files (docs/partial-format.md)
 *
 * cli_partial_write runs a query's first stage over this part's inputs and writes one partial
 * (a versioned, self-delimiting container: the fingerprint of the compiled query and of the
 * options that change results, the part's ordinal, the run's diagnostics and whether every
 * input was read whole, and the state or rows) to out. cli_merge reads partials from files
 * or standard input (several may follow each other in one stream), refuses those of another
 * query, version or option set (exit 2) and truncated or corrupt ones (exit 3) before
 * anything is written, merges their states into a run without inputs (or writes their rows
 * in the order of their ordinals), and hands their diagnostics on.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_CLI_PARTIAL_H
#define LIQ_CLI_PARTIAL_H

#include <stdint.h>
#include <stdio.h>
#include "engine/liq.h"

enum { CLI_PART_MAX = 4095 }; /* --part-index 0..4095: order bases K << 20 (liq.h) */

/* The fingerprint (SHA-256) of q as compiled and of opts, the options that change results as
 * text (cli.c writes them). */
void cli_partial_fingerprint(const LiqQuery *q, const char *opts, unsigned char fp[32]);

/* --partial: runs q with ro (its inputs: this part's) as part `part` and writes the partial to
 * out. Returns the exit code (0 also when some input was not fully read: that travels in the
 * partial); messages go to err. */
int cli_partial_write(const LiqQuery *q, const LiqRunOptions *ro, unsigned part,
                      const unsigned char fp[32], FILE *out, FILE *err);

/* --merge, first: reads the partials in paths[0..n) ('-', or n = 0: standard input) of q; a
 * query with a breaker: merges their states into run (a run of q without inputs), for
 * liq_run_exec to finish; without: keeps their rows in *rows, in the order of their ordinals
 * (then as given), for cli_merge_rows. Their diagnostics are added to diags; *incomplete says
 * whether one was not read whole. Returns 0, or the exit code to end with before anything is
 * written (err says why: 2 another query, version or options, 3 truncated or corrupt). */
typedef struct CliMerge CliMerge;
int cli_merge_read(const LiqQuery *q, LiqRun *run, const char *const *paths, int n,
                   const unsigned char fp[32], LiqDiagList *diags, int *incomplete,
                   CliMerge **rows, FILE *err);
/* --merge --partial: reads the partials as cli_merge_read does and writes what they merge
 * into as a partial again (a merge tree's inner node): a breaker's state, merged, with the
 * parts' diagnostics (once each) and the smallest ordinal read; rows, as one container per
 * part (in the order of their ordinals, cut at the query's limit) after one holding the
 * diagnostics. ro: a run without inputs. Returns the exit code, as cli_merge_read. */
int cli_merge_write(const LiqQuery *q, const LiqRunOptions *ro, const char *const *paths, int n,
                    const unsigned char fp[32], FILE *out, FILE *err);
/* ... then the rows to lo, up to the query's limit: LIQ_OK, or LIQ_EOUTPUT when lo refused. */
LiqStatus cli_merge_rows(CliMerge *m, const LiqQuery *q, const LiqOutput *lo);
void cli_merge_free(CliMerge *m);

#endif
