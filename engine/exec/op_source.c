/* op_source.c -- SOURCE: which inputs a query reads, by @log (§3.15, L19)
 *
 * `SOURCE 'name'` keeps records whose log group is name; `SOURCE logGroups(namePrefix:
 * [...], accountIdentifiers: [...])` keeps records whose group starts with one of the prefixes
 * and whose account is one of the accounts (each list optional; both must hold when both are
 * given). Several SOURCE commands select the union. A record's group is its @log, or the part
 * after "account:" when @log has that form (subscription records); its account is the part
 * before. The operator runs first in pipeline 0. The same test tells the run which log groups
 * of --log-group to read at all (op_source_selects, docs/log-groups.md).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "engine/exec/op.h"
#include "engine/input/fmt.h"
#include "engine/input/src.h"

typedef struct SourceData {
    const SourceSel *sel;
    int nsel;
    int log_slot;
    int layouts; /* some selector names data sources */
} SourceData;

static int one_of(const char *const *v, int n, const char *s, size_t len, int prefix)
{
    for (int i = 0; i < n; i++) {
        size_t l = strlen(v[i]);
        if (prefix ? (l <= len && memcmp(v[i], s, l) == 0)
                   : (l == len && memcmp(v[i], s, l) == 0))
            return 1;
    }
    return 0;
}

/* Does the input's layout (NULL: not positional) match one of s's data sources? */
static int layout_of(const SourceSel *s, const char *layout)
{
    if (!s->nlayouts)
        return 1;
    for (int i = 0; layout && i < s->nlayouts; i++)
        if (strcmp(s->layouts[i], layout) == 0)
            return 1;
    return 0;
}

/* off: NULL, or per selector whether its data sources leave out the records at hand (their
 * input's layout is none of them); NULL also where the data sources are not known yet (which
 * log groups a run opens): then they select everything */
__attribute__((always_inline)) static inline int selected(const SourceData *sd, const char *log,
                                                         size_t n, const char *off)
{
    const char *colon = memchr(log, ':', n);
    const char *group = colon ? colon + 1 : log;
    size_t gl = colon ? n - (size_t)(colon + 1 - log) : n;
    for (int i = 0; i < sd->nsel; i++) {
        const SourceSel *s = &sd->sel[i];
        if (off && off[i])
            continue;
        if (s->nnames) {
            if (one_of(s->names, s->nnames, log, n, 0) || one_of(s->names, s->nnames, group, gl, 0))
                return 1;
            continue;
        }
        int ok = !s->nprefixes || one_of(s->prefixes, s->nprefixes, group, gl, 1) ||
                 one_of(s->prefixes, s->nprefixes, log, n, 1);
        if (ok && s->naccounts)
            ok = colon && one_of(s->accounts, s->naccounts, log, (size_t)(colon - log), 0);
        if (ok)
            return 1;
    }
    return 0;
}

static OpLocal *source_local_new(const Op *op, const OpCtx *ctx, apr_pool_t *pool)
{
    (void)op;
    (void)ctx;
    (void)pool;
    return NULL;
}

static void source_execute(const Op *op, OpLocal *l, Batch *b)
{
    (void)l;
    const SourceData *sd = op->data;
    dec_load(op->plan, b, &sd->log_slot, 1);
    const Vec *v = &b->cols[sd->log_slot];
    char *off = NULL; /* the data sources, decided once per batch (one input) */
    if (sd->layouts) {
        const char *layout = b->input && b->input->fmt == FMT_COLUMNS && b->input->cols
                                 ? b->input->cols->name
                                 : NULL;
        off = apr_palloc(b->pool, (size_t)sd->nsel);
        for (int i = 0; i < sd->nsel; i++)
            off[i] = !layout_of(&sd->sel[i], layout);
    }
    uint32_t n = 0;
    if (!off) { /* no data sources: the loop of log groups alone */
        FOR_ROWS(b)
        {
            const Datum *d = VGET(v, row);
            b->sel[n] = row;
            n += d->type == VT_STR && selected(sd, d->s, d->len, NULL);
        }
    } else {
        FOR_ROWS(b)
        {
            const Datum *d = VGET(v, row);
            b->sel[n] = row;
            n += d->type == VT_STR && selected(sd, d->s, d->len, off);
        }
    }
    b->nsel = n;
}

static const OpVTable source_vt = {
    .name = "source",
    .local_new = source_local_new,
    .execute = source_execute,
};

const Op *op_source_of(const Plan *p)
{
    const Pipeline *pl = &p->pipes[0];
    for (int k = 0; k < pl->nops; k++)
        if (pl->ops[k]->vt == &source_vt)
            return pl->ops[k];
    return NULL;
}

int op_source_selects(const void *source_op, const char *name, size_t len)
{
    const Op *op = source_op;
    return selected(op->data, name, len, NULL);
}

Op *op_source_new(Plan *p, const SourceSel *sel, int nsel)
{
    SourceData *sd = apr_pcalloc(p->pool, sizeof(*sd));
    sd->sel = sel;
    sd->nsel = nsel;
    sd->log_slot = plan_input_slot(p, "@log", 4);
    for (int i = 0; i < nsel; i++)
        sd->layouts |= sel[i].nlayouts > 0;
    p->slots[sd->log_slot].used = 1;
    return op_new(p, &source_vt, sd);
}
