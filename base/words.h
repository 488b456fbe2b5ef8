/* words.h -- a command line split into words as the AWS CLI splits credential_process
 *
 * Used where liq runs a command given as one string without a shell: an S3 profile's
 * credential_process (engine/s3/s3_config.c) and liq watch's command actions
 * (watch/action.c). The rules (Python's shlex.split on POSIX, as botocore's
 * compat_shell_split): words separated by blanks; '...' literal; "..." with \" and \\;
 * a backslash outside quotes quotes the next character; nothing else is special.
 *
 * Ownership: the array and its words live in the pool given.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_BASE_WORDS_H
#define LIQ_BASE_WORDS_H

#include <apr_pools.h>

/* A NULL-terminated array of the words of s, or NULL with *why (static text: "no closing
 * quotation", "no escaped character after a backslash"). */
char **words_split(apr_pool_t *pool, const char *s, const char **why);

#endif
