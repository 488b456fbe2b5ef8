/* val.h -- the value model: one Datum per value, and the rules every kernel shares
 *
 * Log fields carry no schema, so every value carries its own type tag (ValType). A Datum is 24
 * bytes: a number or timestamp, a byte slice, the tag and flags. Strings borrow their bytes:
 * from the input buffer (released with the batch), or from a pool that outlives every reader.
 *
 *   VT_NULL  missing or null (SQL three-valued logic, L4)
 *   VT_BOOL  i = 0 or 1
 *   VT_NUM   f = the value; s/len = its text as written in the input, or NULL when computed
 *            (output keeps the input text, L11)
 *   VT_STR   s/len = bytes (not necessarily UTF-8); f caches the numeric value once
 *            DF_NUMCHECKED is set, with DF_NUMERIC when the string looks like a number (L5)
 *   (flags also cache val_num_exact of a number's text: DF_EXACTCHECKED, DF_EXACT. The caches
 *   are written through const pointers the first time they are needed: a Datum several
 *   threads read at once -- a plan's constant -- has them computed when it is made.)
 *   VT_TS    i = epoch milliseconds, UTC
 *   VT_JSON  p = a JdNode (engine/data/jdom.h): a map or list from jsonParse(); prints as JSON text,
 *            compares as null, sorts and groups by its JSON text
 *
 * Interface:
 *   val_num / val_str / val_bool / val_ts   constructors
 *   val_as_number    numeric view (numbers, numeric strings, timestamps, booleans) or 0
 *   val_compare      =,<,> per L5: numeric when both sides are numbers or numeric-looking
 *                    strings; a number against text that does not read as one is unordered
 *                    (VC_UNORDERED: = false, != true, < <= > >= false); else code points
 *   val_sort_cmp     the total order of sort and min/max (L3: numbers and numeric-looking
 *                    strings numerically, other text by natural sort before them, nulls last)
 *   val_equal_key    equality of group keys (stats by, dedup, count_distinct): L5's '=', so
 *                    200, "200", 200.0 and "2e2" are one key; val_hash: its hash
 *   val_key_form     the form a group key prints in: a number in its shortest form (200)
 *   val_truthy       truth of a value used as a condition
 *   val_format       a value as output text (L11, L12; numbers through num.h)
 *   val_jdom         a node of a JSON tree (jdom.h) as a value
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_VAL_H
#define LIQ_VAL_H

#include <stdint.h>
#include <stddef.h>
#include "base/buf.h"

typedef enum { VT_NULL = 0, VT_BOOL, VT_NUM, VT_STR, VT_TS, VT_JSON, VT_MIXED } ValType;

enum {
    DF_NUMCHECKED = 1 << 0,   /* VT_STR: numeric view computed */
    DF_NUMERIC = 1 << 1,      /* VT_STR: looks like a number; f holds it */
    DF_EXACTCHECKED = 1 << 2, /* numbers with text: val_num_exact computed */
    DF_EXACT = 1 << 3,        /* ... and true */
};

typedef struct Datum {
    union {
        double f;
        int64_t i;
        const void *p;
    } v;
    const char *s;
    uint32_t len;
    uint8_t type;
    uint8_t flags;
} Datum;

_Static_assert(sizeof(Datum) == 24, "Datum must stay 24 bytes");

static inline Datum val_null(void)
{
    Datum d = {{0}, NULL, 0, VT_NULL, 0};
    return d;
}
static inline Datum val_num(double f)
{
    Datum d = {{.f = f}, NULL, 0, VT_NUM, 0};
    return d;
}
static inline Datum val_str(const char *s, size_t len)
{
    Datum d = {{0}, s, (uint32_t)len, VT_STR, 0};
    return d;
}
static inline Datum val_bool(int b)
{
    Datum d = {{.i = b ? 1 : 0}, NULL, 0, VT_BOOL, 0};
    return d;
}
static inline Datum val_json(const void *node)
{
    Datum d = {{.p = node}, NULL, 0, VT_JSON, 0};
    return d;
}
static inline Datum val_ts(int64_t ms)
{
    Datum d = {{.i = ms}, NULL, 0, VT_TS, 0};
    return d;
}

struct JdNode;
Datum val_jdom(const struct JdNode *n); /* a JSON tree node (jdom.h) as a value */
/* What val_compare found: the comparison is null (a null, map or list on a side), an order,
 * or none (L5: a number against text that does not read as a number) */
enum { VC_NULL = 0, VC_OK = 1, VC_UNORDERED = 2 };

int val_as_number(const Datum *d, double *out);
int val_compare(const Datum *a, const Datum *b, int *ok); /* <0,0,>0 when *ok is VC_OK */
int val_sort_cmp(const Datum *a, const Datum *b);
int val_natural_cmp(const char *a, size_t na, const char *b, size_t nb);
int val_equal_key(const Datum *a, const Datum *b);
uint64_t val_hash(const Datum *d);
/* A group key as it prints (L5): numbers and numeric-looking strings become the number in its
 * shortest form (200 for "200", 200.0 and 2e2; past 15 significant digits the exact decimal,
 * written into buf when it fits in cap bytes, else the text as written); other values are
 * returned as they are. The result may point into buf or d: copy it before they go. */
Datum val_key_form(const Datum *d, char *buf, size_t cap);
/* Does the double of a number stand for its value (its text has at most 15 significant digits
 * in the normal range, or it has no text)? Else comparisons read its digits. */
int val_num_exact(const Datum *d);
int val_truthy(const Datum *d);
void val_format(LiqBuf *b, const Datum *d);
void ts_format(LiqBuf *b, int64_t ms);

#endif
