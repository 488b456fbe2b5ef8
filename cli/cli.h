/* cli.h -- the liq command line: options, running a query, exit codes
 *
 * cli_main is the whole program behind main(): it parses argv, compiles and runs the query,
 * writes results to `out` and diagnostics to `err`, and returns the exit code. It never calls
 * exit(), so the golden-test runner can call it in-process for every case.
 *
 * Exit codes: CLI_EXIT_*, one registry in cli/exit_codes.def (also --help, README, liq(1)).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_CLI_H
#define LIQ_CLI_H

#include <stdio.h>

enum {
#define EXIT_CODE(name, code, meaning) CLI_EXIT_##name = code,
#include "cli/exit_codes.def"
#undef EXIT_CODE
};

/* The exit code registry as text for --help: "  0  success, ...\n" lines, folded to width. */
void cli_exit_codes_text(FILE *f, int width);

int cli_main(int argc, char **argv, FILE *out, FILE *err);

#endif
