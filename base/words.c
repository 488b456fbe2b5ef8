/* words.c -- a command line split into words as the AWS CLI splits credential_process
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "base/words.h"

#include <string.h>
#include <apr_strings.h>
#include <apr_tables.h>

/* Splits a command line into words as the AWS CLI splits credential_process (botocore's
 * compat_shell_split, which is Python's shlex.split on POSIX): words are separated by blanks
 * (space, tab, CR, LF); '...' keeps everything literally; "..." keeps everything but a
 * backslash before '"' or '\', which quotes that character; outside quotes a backslash quotes
 * the next character; quoted and unquoted parts next to each other make one word ('' alone is
 * an empty word). Nothing else is special: no variables, globs, ';', '|', '$(...)' or
 * redirections, as the words are run directly, never by a shell. Returns a
 * NULL-terminated array, or NULL with *why set (an unclosed quote, a trailing backslash). */
char **words_split(apr_pool_t *pool, const char *s, const char **why)
{
    apr_array_header_t *words = apr_array_make(pool, 4, sizeof(char *));
    size_t n = strlen(s);
    char *w = apr_palloc(pool, n + 1); /* the word being read: never longer than s */
    size_t wl = 0;
    int in_word = 0;
    const char *p = s;
    *why = NULL;
    for (;;) {
        char ch = *p;
        if (ch == 0 || ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
            if (in_word) {
                w[wl] = 0;
                APR_ARRAY_PUSH(words, char *) = apr_pstrmemdup(pool, w, wl);
                wl = 0;
                in_word = 0;
            }
            if (ch == 0)
                break;
            p++;
        } else if (ch == '\'') {
            const char *end = strchr(p + 1, '\'');
            if (!end) {
                *why = "no closing quotation";
                return NULL;
            }
            memcpy(w + wl, p + 1, (size_t)(end - p - 1));
            wl += (size_t)(end - p - 1);
            in_word = 1;
            p = end + 1;
        } else if (ch == '"') {
            p++;
            for (;;) {
                if (*p == 0) {
                    *why = "no closing quotation";
                    return NULL;
                }
                if (*p == '"')
                    break;
                if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                    p++;
                w[wl++] = *p++;
            }
            in_word = 1;
            p++;
        } else if (ch == '\\') {
            if (p[1] == 0) {
                *why = "no escaped character after a backslash";
                return NULL;
            }
            w[wl++] = p[1];
            in_word = 1;
            p += 2;
        } else {
            w[wl++] = ch;
            in_word = 1;
            p++;
        }
    }
    APR_ARRAY_PUSH(words, char *) = NULL;
    return (char **)words->elts;
}
