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
 *   FMT_JSONSEQ     JSON values one after another, not one per line (issue 14): pretty-printed
 *                   objects over many lines, objects side by side, arrays of records
 *                   ([ {...}, {...} ]); one record per object, and per element of a top-level
 *                   array; its JSON text as written is @message (fmt_jseq_next)
 * Container formats (FIREHOSE, EVENTS, CLOUDTRAIL) are parsed whole, one document at a time,
 * into records whose text points into the document or into decoded strings. An array of
 * log-event objects ([{"timestamp", "message", "logStreamName" or "eventId"...}], the CLI's
 * `--query events` output) is an EVENTS document. FMT_JSONSEQ is cut into records as it is
 * read, a block at a time, so a record is bounded by --max-line, not the input.
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
    FMT_JSONSEQ, /* JSON values not one per line: pretty objects, arrays of records */
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

/* The format of a text from its first n bytes: all of it when n < 65536, else its first 64 KiB
 * (a JSON value still open at the end of the first 64 KiB is judged by what was seen). */
InFormat fmt_sniff(const char *p, size_t n);
/* Is the text a run of JSON values read as FMT_JSONSEQ: an object over several lines (valid
 * JSON as far as it goes), objects side by side on the first line, or an array whose first
 * element is an object (or an empty array)? A first line that is one JSON object alone is
 * JSON lines (FMT_LINES), whatever follows. */
int fmt_json_seq(const char *p, size_t n);
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

/* FMT_JSONSEQ: where a reader stands between records. Zeroed at the start of an input. */
typedef struct JsonSeqCut {
    int in_array; /* inside a top-level array: its elements are the records */
    int skipping; /* in the rest of a record cut at --max-line (fmt_jseq_skip) */
    int line;     /* ... a line of text (not JSON) */
    uint32_t depth; /* ... its open objects and arrays */
    int in_str, esc;
} JsonSeqCut;

typedef enum {
    JSQ_NONE,  /* no record starts in the text: it was all white space and separators */
    JSQ_WHOLE, /* a whole record */
    JSQ_PART,  /* a record starts, and the text ends before it does */
} JsqKind;

/* The next record of p[0..n) for a reader standing at c (updated past what it consumes):
 * skips white space and, at the top level, the brackets and commas of arrays; then a record
 * is an object or array (to its matching bracket, strings and escapes followed, not checked
 * further: the decoder reads it as JSON, or as text when it is not), an element of a top-level
 * array, or a line of text that starts no JSON value (to the end of the line, CR dropped).
 * JSQ_WHOLE: the record is [*start, *end); JSQ_PART: it starts at *start and p ends first (the
 * caller reads on and calls again from *start); JSQ_NONE: *start = *end = n. With last set, p
 * is the end of the input: a line or an array element ends there (JSQ_WHOLE), a value still
 * open is JSQ_PART. */
JsqKind fmt_jseq_next(JsonSeqCut *c, const char *p, size_t n, int last, size_t *start,
                      size_t *end);
/* Starts skipping the record at p (a JSQ_PART record cut at --max-line): c->skipping is set;
 * call fmt_jseq_skip on the record from its first byte. */
void fmt_jseq_skip_start(JsonSeqCut *c, const char *p);
/* Skips what is left of the record being skipped in p[0..n): returns the bytes it took;
 * c->skipping is cleared when the record ended there (at that count). */
size_t fmt_jseq_skip(JsonSeqCut *c, const char *p, size_t n);

#endif
