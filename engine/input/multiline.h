/* multiline.h -- multi-line records of text inputs: which lines continue the record before
 *
 * A record of a text log may span lines: a Java or Python stack trace, a message with line
 * breaks. A line continues the record before it (it becomes part of that record's @message,
 * joined with its newline) when
 *   --multiline-start REGEX   it does not match REGEX (the CloudWatch agent's
 *                             multi_line_start_pattern); every line matching REGEX starts one;
 *   by default                the input's first lines carry timestamps (ts.h: it has a form, or
 *                             --timestamp-format), the line has none, and it is indented (starts
 *                             with a space or a tab: "\tat com.x.Y.z(Y.java:10)", "  File ...")
 *                             or starts with "Caused by:", "Traceback (most recent call last)",
 *                             "During handling of the above exception", "The above exception
 *                             was the direct cause", or an exception's name followed by ':' or
 *                             the end of the line ("java.lang.IllegalStateException: boom",
 *                             "ValueError: bad", "Exception in thread ..."): the head of a Java
 *                             trace and the last line of a Python one.
 * Blank lines are no records; a continuation line after them takes them into its record.
 * The first line of an input always starts a record. Whether a line continues depends on that
 * line alone, so the sources cut morsels only before lines that start records (src.c) and a
 * record never spans two morsels: the records are the same for every thread count and batch
 * size. docs/timestamps.md has the rule and why.
 *
 * Interface:
 *   ml_continues  does this line continue the record before it?
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_MULTILINE_H
#define LIQ_MULTILINE_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>
#include "engine/input/ts.h"

/* --multiline-start: the lines that start records (engine/exec/mlstart.c makes one from a
 * regex, since only exec/ talks to pcre2). local_new makes a thread's matcher state (in pool);
 * starts is called with the calling thread's state and a line without its newline. */
typedef struct MlRule {
    const void *ctx;
    void *(*local_new)(const void *ctx, apr_pool_t *pool);
    int (*starts)(const void *ctx, void *local, const char *line, size_t len);
} MlRule;

typedef enum {
    ML_NONE = 0, /* one record per line */
    ML_DEFAULT,  /* the default rule above */
    ML_RULE,     /* --multiline-start */
} MlMode;

/* How the default rule tells a line with a timestamp: the input's form (ts_read_form), or
 * --timestamp-format read at the start of the line (format not NULL). */
typedef struct MlTs {
    TsForm form;
    const char *format;
    TsCtx cx;
} MlTs;

/* Could line s (n > 0 bytes) continue a record by the default rule's shape? Most lines of a
 * log cannot (they start with a digit or a month name): the cheap test before ml_continues. */
int ml_shape(const char *s, size_t n);
/* Does line s (n bytes, no newline, no final CR) continue the record before it? local: the
 * calling thread's state for rule (ML_RULE). */
int ml_continues(MlMode mode, const MlRule *rule, void *local, const MlTs *ts, const char *s,
                 size_t n);

#endif
