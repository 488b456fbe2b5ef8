/* run.c -- the public door of running (see liq.h): the process set-up
 *
 * The one thing liq does once per process, libcurl's curl_global_init, is the caller's to do
 * first (main() and every test driver call liq_global_init), so no run, thread or lazy path
 * keeps a flag of its own.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "engine/liq.h"
#include "engine/s3/s3.h"

LiqStatus liq_global_init(void)
{
    return s3_global_init() == 0 ? LIQ_OK : LIQ_EINTERNAL;
}

void liq_global_cleanup(void)
{
    s3_global_cleanup();
}
