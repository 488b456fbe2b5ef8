/* main.c -- the liq executable: process set-up around cli_main
 *
 * Initialises APR and the library (liq_global_init: libcurl, once, before any thread), makes
 * a failed pool allocation anywhere a clean stop with exit 5 (the
 * registry's "memory limit", cli/exit_codes.def) instead of a crash, ignores SIGPIPE (a closed pipe becomes a write error, and liq stops quietly
 * with exit 0, as 'liq ... | head' expects), makes the first SIGINT or SIGTERM stop the run
 * cleanly with exit 130 or 143 and a second one end the process (cli/sig.h), gives stdout a
 * large buffer, and runs cli_main.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "cli/cli.h"
#include "cli/sig.h"
#include "engine/liq.h"
#include "serve/serve.h"
#include "watch/watch.h"

_Static_assert(CLI_EXIT_INTERRUPTED == 128 + SIGINT && CLI_EXIT_TERMINATED == 128 + SIGTERM,
               "cli_signal_exit (cli/sig.c) returns 128 + the signal: the registry must agree");

int main(int argc, char **argv)
{
    static char outbuf[1 << 20];
    if (apr_initialize() != APR_SUCCESS) {
        fprintf(stderr, "liq: internal error: cannot initialise APR\n");
        return CLI_EXIT_INTERNAL;
    }
    if (liq_global_init() != LIQ_OK) {
        fprintf(stderr, "liq: internal error: cannot initialise libcurl\n");
        return CLI_EXIT_INTERNAL;
    }
    /* liq_global_init made every allocation that fails end the process with a message and
     * CLI_EXIT_MEMORY (base/mem.h): rows already written stay, the buffered rest is dropped so
     * no half row reaches the reader */
    signal(SIGPIPE, SIG_IGN);
    if (argc > 1 && strcmp(argv[1], "serve") == 0) { /* liq serve: its own signals (serve.h) */
        int src = serve_main(argc - 1, argv + 1, stderr);
        liq_global_cleanup();
        apr_terminate();
        return src;
    }
    if (argc > 1 && strcmp(argv[1], "watch") == 0) { /* liq watch: its own signals (watch.h) */
        setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
        int wrc = watch_main(argc - 1, argv + 1, stdout, stderr);
        fflush(stdout);
        liq_global_cleanup();
        apr_terminate();
        return wrc;
    }
    if (cli_signals_install() != 0) {
        int err = errno;
        if (err == EAGAIN || err == ENOMEM) { /* no memory for a thread's stack, or no thread */
            fprintf(stderr,
                    "liq: error: out of memory: cannot start a thread (%s); the process may "
                    "not use enough memory or threads to run a query\n",
                    strerror(err));
            return CLI_EXIT_MEMORY;
        }
        fprintf(stderr, "liq: internal error: cannot set up signal handling: %s\n",
                strerror(err));
        return CLI_EXIT_INTERNAL;
    }
    setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
    int rc = cli_main(argc, argv, stdout, stderr);
    errno = 0;
    if (fflush(stdout) != 0 && errno != EPIPE && rc == CLI_EXIT_OK) {
        /* a closed pipe at the very end: nothing left to say; anything else is lost output */
        fprintf(stderr, "liq: error: cannot write the results: %s\n",
                strerror(errno ? errno : EIO));
        rc = CLI_EXIT_INTERNAL;
    }
    /* also when it came before or after the run (cli/sig.h); a follower (liq --follow) ends
     * normally at a signal */
    if (cli_signal_caught() && !cli_signal_stopped_follower())
        rc = cli_signal_exit();
    cli_signals_stop();
    liq_global_cleanup();
    apr_terminate();
    return rc;
}
