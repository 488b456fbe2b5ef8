/* op_source.c -- SOURCE: which inputs a query reads, by @log (§3.15, L19)
 *
 * `SOURCE 'name'` keeps records whose log group is name; `SOURCE logGroups(namePrefix:
 * [...], accountIdentifiers: [...])` keeps records whose group starts with one of the prefixes
 * and whose account is one of the accounts (each list optional; both must hold when both are
 * given). Several SOURCE commands select the union. A record's group is its @log, or the part
 * after "account:" when @log has that form (subscription records); its account is the part
 * before. The operator runs first in pipeline 0.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <strings.h>
#include "engine/exec/op.h"

typedef struct SourceSel {
    const char *const *names; /* exact group names (SOURCE 'name'); or NULL */
    int nnames;
    const char *const *prefixes;
    int nprefixes;
    const char *const *accounts;
    int naccounts;
} SourceSel;

typedef struct SourceData {
    const SourceSel *sel;
    int nsel;
    int log_slot;
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

static int selected(const SourceData *sd, const char *log, size_t n)
{
    const char *colon = memchr(log, ':', n);
    const char *group = colon ? colon + 1 : log;
    size_t gl = colon ? n - (size_t)(colon + 1 - log) : n;
    for (int i = 0; i < sd->nsel; i++) {
        const SourceSel *s = &sd->sel[i];
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
    uint32_t n = 0;
    FOR_ROWS(b)
    {
        const Datum *d = VGET(v, row);
        b->sel[n] = row;
        n += d->type == VT_STR && selected(sd, d->s, d->len);
    }
    b->nsel = n;
}

static const OpVTable source_vt = {
    .name = "source",
    .local_new = source_local_new,
    .execute = source_execute,
};

/* The strings of a LIST node (sema made sure they are strings). */
static const char *const *strings(apr_pool_t *pool, const AstNode *list, int *n)
{
    const char **v = apr_palloc(pool, sizeof(char *) * (list->nkids + 1));
    for (uint32_t i = 0; i < list->nkids; i++)
        v[i] = list->kids[i]->str;
    *n = (int)list->nkids;
    return v;
}

Op *op_source_new(Plan *p, const AstNode *const *cmds, int ncmds)
{
    apr_pool_t *pool = p->pool;
    SourceData *sd = apr_pcalloc(pool, sizeof(*sd));
    SourceSel *sel = apr_pcalloc(pool, sizeof(SourceSel) * (size_t)(ncmds + 1));
    for (int i = 0; i < ncmds; i++) {
        const AstNode *c = cmds[i];
        if (!c->str) { /* SOURCE 'name' */
            sel[i].names = strings(pool, c, &sel[i].nnames);
            continue;
        }
        for (uint32_t k = 0; k < c->nkids; k++) {
            const AstNode *param = c->kids[k];
            if (!param->str)
                continue;
            if (!strcasecmp(param->str, "namePrefix"))
                sel[i].prefixes = strings(pool, param, &sel[i].nprefixes);
            else
                sel[i].accounts = strings(pool, param, &sel[i].naccounts);
        }
    }
    sd->sel = sel;
    sd->nsel = ncmds;
    sd->log_slot = plan_input_slot(p, "@log", 4);
    p->slots[sd->log_slot].used = 1;
    return op_new(p, &source_vt, sd);
}
