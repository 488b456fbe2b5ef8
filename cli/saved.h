/* saved.h -- saved queries (liq @name, liq --saved) and query files (-f)
 *
 * A saved query is a file NAME.liq in the saved-query directory; liq @NAME runs it, liq --saved
 * lists them with a description (the first '#' comment line, else the first line). The query
 * text itself is the library's to read (engine/liq.h): nothing here looks inside it.
 *
 * Ownership: every string returned lives in the pool passed in.
 *
 * Interface:
 *   cli_read_file     a whole file (a query file, a saved query) into the pool
 *   cli_saved_name    is an argument '@name' (a saved query)? Its name, else NULL
 *   cli_saved_dir     directory of saved queries ($XDG_CONFIG_HOME/liq/queries)
 *   cli_saved_list    liq --saved: every saved query with its description
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_CLI_SAVED_H
#define LIQ_CLI_SAVED_H

#include <stddef.h>
#include <stdio.h>
#include <apr_pools.h>

/* The bytes of the file at path (NUL-terminated, *len of them), or NULL with errno set. */
char *cli_read_file(apr_pool_t *pool, const char *path, size_t *len);

/* arg without its '@' when it names a saved query ('@' then letters, digits, '_', '-' and
 * '.', not starting with '.'), else NULL. */
const char *cli_saved_name(const char *arg);

/* The saved-query directory: $XDG_CONFIG_HOME/liq/queries when XDG_CONFIG_HOME is an absolute
 * path, else $HOME/.config/liq/queries; NULL when neither is set. */
const char *cli_saved_dir(apr_pool_t *pool);

/* liq --saved: every NAME.liq of the directory, sorted, one '@NAME  description' line each on
 * out; notes on err when there are none (not an error). */
void cli_saved_list(FILE *out, FILE *err);

#endif
