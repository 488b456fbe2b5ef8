/* mlstart.h -- --multiline-start: the regex whose lines start records, as the sources' MlRule
 *
 * The sources (engine/input/) cut multi-line records by a rule they call back
 * (engine/input/multiline.h); this module makes that rule from a regex with rx.h, the one
 * module that talks to pcre2. A line starts a record when the regex matches somewhere in it
 * (anchor it with ^ as the CloudWatch agent's multi_line_start_pattern usually is); a line
 * no match could be decided for (pcre2's resource limits) continues the record before.
 *
 * Interface:
 *   mlstart_rule          a regex -> an MlRule (allocated in pool), or NULL with err set
 *   liq_multiline_check   (liq.h) is a regex usable for --multiline-start?
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_MLSTART_H
#define LIQ_MLSTART_H

#include <stddef.h>
#include <apr_pools.h>
#include "engine/input/multiline.h"

const MlRule *mlstart_rule(apr_pool_t *pool, const char *regex, char *err, size_t errlen);

#endif
