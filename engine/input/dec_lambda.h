/* dec_lambda.h -- fields of AWS Lambda platform lines (see dec_lambda.c)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_DEC_LAMBDA_H
#define LIQ_DEC_LAMBDA_H

#include <stddef.h>
#include "engine/data/val.h"

/* the discovered field names, in the order of the LAMBDA_* indices */
#define LAMBDA_FIELD_NAMES                                                                       \
    {"@type",        "@requestId",    "@duration",    "@billedDuration", "@memorySize",         \
     "@maxMemoryUsed", "@initDuration", "@xrayTraceId", "@xraySegmentId"}

enum {
    LAMBDA_TYPE,
    LAMBDA_REQUEST_ID,
    LAMBDA_DURATION,
    LAMBDA_BILLED,
    LAMBDA_MEMORY,
    LAMBDA_MAX_MEMORY,
    LAMBDA_INIT,
    LAMBDA_XRAY_TRACE,
    LAMBDA_XRAY_SEGMENT,
    LAMBDA_NFIELDS
};

/* Fills out[] for a platform line (returns 1), or sets every field null (returns 0). */
int dec_lambda(const char *s, size_t n, Datum out[LAMBDA_NFIELDS]);

#endif
