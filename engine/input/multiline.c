/* multiline.c -- multi-line records: which lines continue the record before (see multiline.h)
 *
 * The default rule is a shape test on the first bytes of a line, then (only for lines of that
 * shape) a timestamp test: most lines of a text log start with a digit or a month name and
 * are rejected by the first byte or word, so the rule costs nearly nothing on the scan path.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "engine/input/multiline.h"
#include "engine/input/tsfmt.h"

static int starts_with(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && memcmp(s, lit, k) == 0;
}

static int ident_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c == '.';
}

static int ends_with(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && memcmp(s + n - k, lit, k) == 0;
}

/* An exception's name (a dotted identifier ending in Exception, Error, Throwable, Exit or
 * Interrupt) then ':' or the end of the line, or "Exception in thread": the head of a Java
 * stack trace ("java.lang.IllegalStateException: boom") or the last line of a Python one
 * ("ValueError: bad", "KeyboardInterrupt"). */
static int exception_line(const char *s, size_t n)
{
    char c = s[0];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$'))
        return 0;
    size_t k = 1;
    while (k < n && k < 256 && ident_byte(s[k]))
        k++;
    if (!(ends_with(s, k, "Exception") || ends_with(s, k, "Error") ||
          ends_with(s, k, "Throwable") || ends_with(s, k, "Exit") || ends_with(s, k, "Interrupt")))
        return 0;
    if (k == n || s[k] == ':' || (k == n - 1 && s[k] == '\r'))
        return 1;
    return k == 9 && starts_with(s + k, n - k, " in thread ");
}

/* The default rule's shape: indented, a keyword of a stack trace, or an exception line. */
int ml_shape(const char *s, size_t n)
{
    if (!n)
        return 0;
    switch (s[0]) {
    case ' ':
    case '\t':
        return 1;
    case 'C':
        if (starts_with(s, n, "Caused by:"))
            return 1;
        break;
    case 'T':
        if (starts_with(s, n, "Traceback (most recent call last)") ||
            starts_with(s, n, "The above exception was the direct cause"))
            return 1;
        break;
    case 'D':
        if (starts_with(s, n, "During handling of the above exception"))
            return 1;
        break;
    default:
        break;
    }
    return exception_line(s, n);
}

int ml_continues(MlMode mode, const MlRule *rule, void *local, const MlTs *ts, const char *s,
                 size_t n)
{
    if (mode == ML_NONE || n == 0)
        return 0;
    if (mode == ML_RULE)
        return !rule->starts(rule->ctx, local, s, n);
    if (!ml_shape(s, n))
        return 0;
    int64_t ms;
    if (ts->format) { /* --timestamp-format reads the start of the line, after blanks */
        size_t i = 0;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        return tsfmt_parse(ts->format, s + i, n - i, &ts->cx, &ms) == 0;
    }
    return !ts_read_form(s, n, ts->form, &ts->cx, &ms);
}
