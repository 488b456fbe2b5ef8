/* fmt.h -- input formats: what the bytes of an input are, and the records they hold
 *
 * Formats are told apart by content, never by name (fmt_sniff over the first plain bytes):
 *   FMT_LINES       one record per line (JSON objects are flattened, anything else is text)
 *   FMT_EXPORT      CloudWatch export-task objects: "<ISO timestamp> <message>" per record;
 *                   a line that does not start with a timestamp continues the message before
 *   FMT_FIREHOSE    CloudWatch subscription records as Firehose writes them to S3:
 *                   concatenated {"messageType":"DATA_MESSAGE","logEvents":[...]} objects;
 *                   one record per log event, CONTROL_MESSAGE objects skipped
 *   FMT_EVENTS      `aws logs filter-log-events` / `get-log-events` output ({"events":[...]}
 *                   documents, or event objects one after another): one record per event
 *   FMT_CLOUDTRAIL  CloudTrail files ({"Records":[...]}): one record per event, its JSON text
 *                   as @message
 *   FMT_COLUMNS     one record per line, fields by position: VPC flow logs (default format,
 *                   or the header of S3-delivered files), ALB, Classic ELB, S3 server access,
 *                   CloudFront (W3C #Fields header) and Route 53 query logs, named as the AWS
 *                   documentation names them (Part 2 §7.4, §7.5)
 * Container formats (FIREHOSE, EVENTS, CLOUDTRAIL) are parsed whole, one document at a time,
 * into records whose text points into the document or into decoded strings.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_FMT_H
#define LIQ_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>
#include "engine/data/vec.h"

typedef enum {
    FMT_LINES = 0,
    FMT_EXPORT,
    FMT_FIREHOSE,
    FMT_EVENTS,
    FMT_CLOUDTRAIL,
    FMT_COLUMNS, /* fields by position: VPC flow logs, ALB/ELB/S3/CloudFront/Route 53 logs */
} InFormat;

/* How a FMT_COLUMNS record gets its @timestamp. */
typedef enum { TSR_TEXT, TSR_EPOCH_COL, TSR_DATE_TIME_COLS } TsRule;

/* A positional format: the field names in column order, the separator, whether "..." and
 * [...] group a field, the line that heads the file (skipped), and the timestamp rule. */
typedef struct FmtColumns {
    const char *name;
    int n;
    const char *const *cols;
    char sep;
    int quotes;
    TsRule ts;
    int ts_col, ts_col2;
} FmtColumns;

InFormat fmt_sniff(const char *p, size_t n);
/* Does a path follow the export-task layout (<taskId>/<stream>/000000.gz)? Content decides the
 * format; for export objects, whose lines an application log can imitate, the layout must
 * agree too. */
int fmt_export_path(const char *path);
/* The positional format of a text, from its first lines (names from a header are allocated in
 * pool), or NULL. */
const FmtColumns *fmt_columns_sniff(const char *p, size_t n, apr_pool_t *pool);
/* Is this line a header or comment of the format rather than a record? */
int fmt_columns_skip(const FmtColumns *c, const char *s, size_t n);
/* --input-format: the names users give formats, and what each forces. */
extern const char fmt_user_names[]; /* "json, text, ..." for messages */
/* Returns 1 and the format for a name (text: *text_only set; positional formats: FMT_COLUMNS,
 * then fmt_columns_named picks the layout), or 0 for an unknown name. */
int fmt_by_user_name(const char *name, InFormat *f, int *text_only);
/* The layout of a positional format named by the user: the one a header of the text gives
 * (VPC with a header line, CloudFront #Fields), else the default layout; NULL when the format
 * has none (CloudFront without #Fields) or the name is not positional. */
const FmtColumns *fmt_columns_named(const char *name, const char *p, size_t n, apr_pool_t *pool);
/* Splits a record into at most max fields; returns the count. Grouping quotes and brackets
 * are removed from the values. */
int fmt_split(const FmtColumns *c, const char *s, size_t n, const char **tok, size_t *len,
              int max);
const char *fmt_name(InFormat f);
int fmt_is_container(InFormat f);
/* An export-task line: its timestamp and the bytes of the "<timestamp> " prefix. */
int fmt_export_prefix(const char *s, size_t n, int64_t *ms, size_t *skip);
/* The records of a container document (allocated in pool). Returns 0, or -1 when the
 * document is damaged: then err says where, and the records before the damage are kept. */
int fmt_records(InFormat f, const char *doc, size_t len, apr_pool_t *pool, Rec **out,
                size_t *n, char *err, size_t errlen);

#endif
