/* main.c -- the liq executable: process set-up around cli_main
 *
 * Initialises APR, ignores SIGPIPE (a closed pipe becomes a write error, and liq stops quietly
 * with exit 0, as 'liq ... | head' expects), gives stdout a large buffer, and runs cli_main.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <apr_general.h>
#include "cli/cli.h"

int main(int argc, char **argv)
{
    static char outbuf[1 << 20];
    if (apr_initialize() != APR_SUCCESS) {
        fprintf(stderr, "liq: internal error: cannot initialise APR\n");
        return CLI_EXIT_INTERNAL;
    }
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
    int rc = cli_main(argc, argv, stdout, stderr);
    errno = 0;
    if (fflush(stdout) != 0 && errno != EPIPE && rc == CLI_EXIT_OK) {
        /* a closed pipe at the very end: nothing left to say; anything else is lost output */
        fprintf(stderr, "liq: error: cannot write the results: %s\n",
                strerror(errno ? errno : EIO));
        rc = CLI_EXIT_INTERNAL;
    }
    apr_terminate();
    return rc;
}
