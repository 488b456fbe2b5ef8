/* cli.h -- the liq command line: options, running a query, exit codes
 *
 * cli_main is the whole program behind main(): it parses argv, compiles and runs the query,
 * writes results to `out` and diagnostics to `err`, and returns the exit code. It never calls
 * exit(), so the golden-test runner can call it in-process for every case.
 *
 * Exit codes (L23): 0 success; 2 usage or query error (nothing ran); 3 the run finished but
 * some input was not fully read; 4 internal error. 1 is unused.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_CLI_H
#define LIQ_CLI_H

#include <stdio.h>

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_INCOMPLETE = 3,
    CLI_EXIT_INTERNAL = 4,
};

int cli_main(int argc, char **argv, FILE *out, FILE *err);

#endif
