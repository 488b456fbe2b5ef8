/* op.c -- the one operator constructor (see op.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "engine/exec/op.h"

Op *op_new(Plan *p, const OpVTable *vt, void *data)
{
    Op *op = apr_pcalloc(p->pool, sizeof(*op));
    op->vt = vt;
    op->plan = p;
    op->data = data;
    op->limit = -1;
    return op;
}
