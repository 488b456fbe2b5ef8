/* progress.h -- the progress bar on stderr during a run (see progress.c)
 *
 * Ownership: cli_progress_start allocates the bar; cli_progress_stop joins its thread, erases
 * or finishes its line and frees it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_CLI_PROGRESS_H
#define LIQ_CLI_PROGRESS_H

#include <stdio.h>
#include "engine/liq.h"

typedef struct CliProgress CliProgress;

/* Starts drawing p's counters on err, width columns wide. tty: err is a terminal (the bar
 * waits half a second before it shows and is erased at the end); else (--progress into a
 * pipe) every redraw is drawn at once and the final state stays as one line. */
CliProgress *cli_progress_start(LiqProgress *p, FILE *err, int width, int tty);
void cli_progress_stop(CliProgress *b);
/* The text of one redraw, for tests: done/total bytes (total_known 0: unknown), seconds
 * since the start. */
/* 1500 -> "1.5 kB": decimal units, as the Insights console (the bar, --stats, the table's
 * footer) */
void cli_bytes_text(char *buf, size_t size, double bytes);
void cli_progress_text(char *buf, size_t size, int width, uint64_t done, uint64_t total,
                       int total_known, double secs);

#endif
