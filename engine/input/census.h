/* census.h -- the fields a run's records have, for the names a query reads (issue 14)
 *
 * A name the query reads in filter, stats, sort, dedup, parse, unnest or pattern that no
 * record of the inputs has is most likely a typo ('by tpye', 'filter lvel = "x"') or a value
 * written as a bare word ('filter type = PushEvent'), and makes the result empty or null
 * without a word. The census says so at the end of the run, naming the closest fields the
 * records do have.
 *
 * What "no record has" means, with streaming in mind: the decoders report, per input, for each
 * watched name (a plan slot the planner marked), whether some record they decoded it from had
 * it (a value other than null) -- a check per batch, which stops once the name is seen -- and,
 * while some watched name is unseen, the leaves of one JSON record per batch (json_each: every
 * name that record has, whether the query asked for it or not), which also gives the names
 * suggested. A positional format's columns are its schema: a column counts as had. The warning
 * comes when the run closes its inputs (src_close), once per name for the run, when the name
 * was looked up in at least one record and seen in none. Records the literal prefilter dropped
 * are never decoded, so a name only they have can go unseen; a name never looked up (every
 * record dropped before it) is not warned about.
 *
 * Concurrency: workers of a run decode batches of one input at once. The census of an input is
 * made by the first worker that needs it and installed with a compare-and-swap; its flags are
 * atomics; the names it gathers for suggestions are under its mutex, taken only while a name
 * is unseen.
 *
 * Ownership: a Census is malloc'd, owned by its Input, freed by census_report (src_close).
 * Watched names point into the plan, which outlives the run.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_CENSUS_H
#define LIQ_CENSUS_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>
#include "base/buf.h"
#include "base/diag.h"

typedef struct Census Census;
struct FmtColumns;

enum {
    CENSUS_WATCH = 1, /* a name the query reads where its absence empties or nulls the result */
    CENSUS_BARE = 2,  /* ... written as a bare word compared with a field: maybe a value */
};

/* A census for a plan of nslots slots, watching none yet. */
Census *census_new(int nslots);
/* Watches slot, called name (flags: CENSUS_*). */
void census_watch(Census *c, int slot, const char *name, uint32_t len, int flags);
/* The census in *where (an Input's): c installed when there is none yet (then returned), else
 * the one there (c freed). */
Census *census_install(Census **where, Census *c);
/* The census in *where, or NULL. */
Census *census_of(Census *const *where);
/* Whether some watched name is unseen (the decoders look no further when not). */
int census_pending(const Census *c);
/* Whether slot is watched and unseen (so a batch's values of it are worth a look). */
int census_wants(const Census *c, int slot);
/* slot was looked up in some records (seen: one of them had it). */
void census_note(Census *c, int slot, int seen);
/* A JSON record (a JSON object's text) of the input: its leaves' names, all of them (a name
 * past the field cap is had: the cap's own warning says why it has no value). */
void census_sample(Census *c, const char *json, size_t len, apr_pool_t *pool);
/* The warnings of a run over n inputs, the census of each (NULL: none) and its positional
 * columns (NULL: none, else a schema whose names count as had): for each watched name looked
 * up and seen by no input; frees every census. Called once, after the last record is
 * decoded. */
void census_report(Census *const *cs, const struct FmtColumns *const *cols, int n,
                   LiqDiagList *diags);

/* Partial results (issue 16): instead of census_report, the census of a run as bytes (which
 * names were looked up and seen, which are columns of a schema, the names the records have),
 * appended to out; frees every census. census_merge takes n such summaries (of runs of one
 * compiled query): with out, appends their merged summary; else adds to diags the warnings
 * census_report gives over the inputs of all of them. 0, or -1 when one does not decode. */
void census_summary(Census *const *cs, const struct FmtColumns *const *cols, int n,
                    LiqBuf *out);
int census_merge(const char *const *sums, const size_t *lens, int n, LiqBuf *out,
                 LiqDiagList *diags);

#endif
