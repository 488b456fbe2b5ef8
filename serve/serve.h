/* serve.h -- liq serve: a CloudWatch Logs API endpoint over log groups (docs/serve.md)
 *
 * serve_main runs the server until SIGTERM or SIGINT (then 0), or returns 2 for a usage
 * error. cli/main.c calls it for 'liq serve ...' after the process set-up (APR,
 * liq_global_init, SIGPIPE ignored) and before the CLI's signal handlers: the server takes
 * SIGINT and SIGTERM itself (serve/srv.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_SERVE_H
#define LIQ_SERVE_H

#include <stdio.h>

int serve_main(int argc, char **argv, FILE *err);

#endif
