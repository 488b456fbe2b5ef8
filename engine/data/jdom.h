/* jdom.h -- a small JSON document model, for the places that need structure rather than
 * flattened fields: JSON filter patterns ($.a[*].b, IS NULL vs NOT EXISTS), container formats
 * (CloudWatch exports, Firehose, CloudTrail), S3 credentials, the JSON functions and unnest.
 *
 * jdom_parse builds the tree of one JSON text in a pool (strings decoded, numbers kept with
 * their text). It accepts exactly one value surrounded by white space (after an optional UTF-8
 * byte order mark); anything else yields NULL. The tree is built by json_walk, the walker
 * json_extract and json_each are built on (engine/data/json.h), so it reads the same lenient
 * JSON by construction: raw control characters in strings, NaN/Infinity/-Infinity as JD_STR of
 * their text, and a container deeper than JSON_MAX_DEPTH as one JD_STR of its text as written
 * (so the tree, and every walk over it, stays at most JSON_MAX_DEPTH deep).
 *
 * Ownership: every node lives in the pool given to jdom_parse.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_JDOM_H
#define LIQ_JDOM_H

#include <stddef.h>
#include <apr_pools.h>
#include <stdint.h>

typedef enum { JD_NULL, JD_FALSE, JD_TRUE, JD_NUM, JD_STR, JD_ARR, JD_OBJ } JdType;

typedef struct JdNode {
    JdType type;
    const char *s; /* JD_STR: decoded bytes; JD_NUM: the number's text */
    size_t len;
    double num;
    size_t n;                /* JD_ARR/JD_OBJ: children */
    struct JdNode **kids;
    const char **keys;       /* JD_OBJ: key of each child (decoded) */
    size_t *keylens;
    size_t start, end;       /* the value's bytes in the parsed text */
} JdNode;

JdNode *jdom_parse(apr_pool_t *pool, const char *text, size_t len);
/* Parses the value that starts at *pos (after white space) and moves *pos past it: for
 * streams of concatenated documents ({...}{...}). NULL when no valid value starts there. */
JdNode *jdom_parse_next(apr_pool_t *pool, const char *text, size_t len, size_t *pos);
/* Writes n as compact JSON text. */
struct LiqBuf;
void jdom_write(struct LiqBuf *b, const JdNode *n);
/* A deep copy of n in pool (values that must outlive the batch that parsed them). */
JdNode *jdom_copy(apr_pool_t *pool, const JdNode *n);
/* The child of an object by key (the last one when a key repeats), or NULL. */
const JdNode *jdom_get(const JdNode *obj, const char *key, size_t len);

#endif
