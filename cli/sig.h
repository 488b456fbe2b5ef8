/* sig.h -- SIGINT and SIGTERM: a run stops cleanly at the first, the process at the second
 *
 * The liq executable (main.c) installs the handlers once, before any other thread starts;
 * the first SIGINT or SIGTERM sets a flag and writes a byte to a self-pipe, and puts both
 * signals back to their default action, so a second one ends the process at once (also when a
 * thread is blocked writing to a pipe nobody reads). A watcher thread reads the pipe and calls
 * liq_run_cancel on the run cli.c registered (cli_signals_watch), so its workers stop, the
 * output writer closes what it opened (a JSON array, the last whole row), --stats prints what
 * was done, and liq exits with 130 (SIGINT) or 143 (SIGTERM): cli/exit_codes.def.
 *
 * A signal that was ignored when liq started (SIGINT of a background job `liq ... &` of a
 * non-interactive shell, nohup-like wrappers) stays ignored.
 *
 * The golden-test runner calls cli_main without installing anything: then cli_signals_watch
 * only remembers nothing and cli_signal_caught says 0.
 *
 * Interface:
 *   cli_signals_install  handlers, self-pipe and watcher thread (main.c, once); 0: done
 *   cli_signals_stop     ends the watcher thread (main.c, before returning)
 *   cli_signals_watch    the run a signal cancels (NULL: none); cancels it at once when a
 *                        signal came already
 *   cli_signals_follow   the follower a signal stops (liq --follow: it ends after its current
 *                        read and liq exits 0, docs/follow.md); NULL: none
 *   cli_signal_stopped_follower  the signal stopped a follower: liq exits as it ends (0)
 *   cli_signal_caught    the first signal caught (SIGINT, SIGTERM), 0: none
 *   cli_signal_exit      its exit code, 128 + the signal: CLI_EXIT_INTERRUPTED (130) or
 *                        CLI_EXIT_TERMINATED (143)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_CLI_SIG_H
#define LIQ_CLI_SIG_H

#include "engine/liq.h"

int cli_signals_install(void);
void cli_signals_stop(void);
void cli_signals_watch(LiqRun *run);
void cli_signals_follow(LiqFollow *f);
int cli_signal_stopped_follower(void);
int cli_signal_caught(void);
int cli_signal_exit(void);

#endif
