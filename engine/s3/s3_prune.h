/* s3_prune.h -- which S3 objects --start/--end can skip, from the date path of their key
 *
 * Only a bound that the way AWS writes the key guarantees prunes an object; an object may
 * be kept needlessly, never skipped wrongly (the time filter still drops the records outside
 * the range). The layouts, in the order they are tried:
 *
 * - AWSLogs/[o-ORG/]ACCOUNT/SERVICE/REGION/YYYY/MM/DD/... (VPC flow logs, CloudTrail, ELB
 *   access logs): the UTC day D the file was delivered. Delivery lags the events by minutes
 *   but can straddle midnight, so events are taken to lie within one day either side:
 *   [D-1 00:00, D+1 24:00). An hour segment after the day (hourly partitions) is ignored.
 * - .../YYYY/MM/DD/HH/NAME (Kinesis Data Firehose): the UTC hour H the records ARRIVED at
 *   Firehose (the first record of the buffer). An event arrives at or after its own time, and
 *   the buffer holds records that arrive up to 900 s (the longest buffering interval) after
 *   the first, so every event is before H + 1 h + 15 min: the object is skipped when that is
 *   at or before --start. There is no lower bound: an object that arrived after --end may hold
 *   events from before --end (late arrivals, retries, a stalled producer), so --end never
 *   prunes a Firehose object (a tolerance of 0 would lose those events).
 * - anything else, such as CreateExportTask keys PREFIX/TASK/STREAM/000000.gz (a Lambda
 *   stream name like 2026/11/24/[$LATEST]abc looks like a date but has no hour segment): no
 *   date, never pruned.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_S3_PRUNE_H
#define LIQ_S3_PRUNE_H

#include <stdint.h>

typedef enum { S3_DATE_NONE, S3_DATE_AWSLOGS, S3_DATE_FIREHOSE } S3DateKind;

/* The events an object with this key can hold are in [*lo, *hi) (ms since the epoch);
 * *has_lo is 0 when there is no lower bound. Returns the layout recognised. */
S3DateKind s3_key_times(const char *key, int64_t *lo, int *has_lo, int64_t *hi);
/* Nonzero when no event of the object can lie in [start, end] (each bound when has_*). */
int s3_prune(const char *key, int has_start, int64_t start_ms, int has_end, int64_t end_ms);

#endif
