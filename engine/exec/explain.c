/* explain.c -- the --explain text of a plan: its pipelines, operators, prefilters and the
 * fields decoded from records (see explain.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "engine/exec/explain.h"
#include "engine/exec/op.h"

static void explain_op(LiqBuf *out, const Op *op, const char *role)
{
    buf_printf(out, "    %-7s %s\n", role, op->label ? op->label : op->vt->name);
    if (op->detail)
        buf_printf(out, "            %s\n", op->detail);
    if (op->limit >= 0 && strcmp(op->vt->name, "sort") == 0)
        buf_printf(out, "            keeps the first %lld rows (top N)\n", (long long)op->limit);
}

void explain_plan(const Plan *p, LiqBuf *out)
{
    for (int i = 0; i < p->npipes; i++) {
        const Pipeline *pl = &p->pipes[i];
        if (i == 0)
            buf_printf(out, "pipeline %d: scan inputs, in parallel\n", i);
        else
            buf_printf(out, "pipeline %d: rows of the %s above\n", i,
                       p->pipes[i - 1].breaker->vt->name);
        for (int k = 0; k < pl->nops; k++)
            explain_op(out, pl->ops[k], pl->ops[k]->vt->name);
        if (pl->breaker)
            explain_op(out, pl->breaker, "breaker");
        else {
            buf_printf(out, "    output  ");
            for (int c = 0; c < p->nvis; c++)
                buf_printf(out, "%s%s", c ? ", " : "", p->vis[c].name);
            buf_printf(out, "\n");
            if (p->out_limit >= 0)
                buf_printf(out, "            stops after %lld rows\n", (long long)p->out_limit);
        }
    }
    for (int i = 0; i < p->npre; i++) {
        buf_printf(out, "prefilter: raw lines must contain \"");
        buf_add(out, p->pre[i].lit, p->pre[i].len);
        buf_printf(out, "\" (from %s; lines with escapes are always decoded)\n", p->pre[i].from);
    }
    int ninput = 0;
    for (int s = 0; s < p->nslots; s++)
        ninput += p->slots[s].kind == SLOT_INPUT && p->slots[s].used;
    buf_printf(out, "fields decoded from records:");
    for (int s = 0, k = 0; s < p->nslots; s++)
        if (p->slots[s].kind == SLOT_INPUT && p->slots[s].used)
            buf_printf(out, "%s %s", k++ ? "," : "", p->slots[s].name);
    if (!ninput)
        buf_printf(out, " (none)");
    buf_printf(out, "\n");
}
