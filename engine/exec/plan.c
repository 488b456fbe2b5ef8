/* plan.c -- the slots of an executable plan (see plan.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <apr_strings.h>
#include "engine/exec/plan.h"
#include "engine/input/dec_lambda.h"

int plan_new_slot(Plan *p, const char *name, SlotKind kind)
{
    if (p->nslots == p->slotcap) {
        int cap = p->slotcap ? p->slotcap * 2 : 16;
        SlotInfo *s = apr_pcalloc(p->pool, sizeof(SlotInfo) * (size_t)cap);
        if (p->nslots)
            memcpy(s, p->slots, sizeof(SlotInfo) * (size_t)p->nslots);
        p->slots = s;
        p->slotcap = cap;
    }
    SlotInfo *si = &p->slots[p->nslots];
    si->name = name;
    si->len = (uint32_t)strlen(name);
    si->kind = kind;
    si->sys = SYS_NONE;
    return p->nslots++;
}

int plan_input_slot(Plan *p, const char *name, size_t len)
{
    static const struct {
        const char *name;
        SysField sys;
    } sys[] = {{"@message", SYS_MESSAGE},
               {"@timestamp", SYS_TIMESTAMP},
               {"@log", SYS_LOG},
               {"@logStream", SYS_LOGSTREAM},
               {"@ingestionTime", SYS_INGESTION}};
    for (int s = 0; s < p->nslots; s++)
        if (p->slots[s].kind == SLOT_INPUT && p->slots[s].len == len &&
            memcmp(p->slots[s].name, name, len) == 0)
            return s;
    int s = plan_new_slot(p, apr_pstrmemdup(p->pool, name, len), SLOT_INPUT);
    for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
        if (strlen(sys[i].name) == len && memcmp(sys[i].name, name, len) == 0)
            p->slots[s].sys = sys[i].sys;
    static const char *const lambda[] = LAMBDA_FIELD_NAMES;
    for (int i = 0; i < LAMBDA_NFIELDS; i++)
        if (strlen(lambda[i]) == len && memcmp(lambda[i], name, len) == 0) {
            p->slots[s].sys = SYS_LAMBDA;
            p->slots[s].sub = i;
        }
    if (p->slots[s].sys == SYS_NONE)
        p->uses_json = 1;
    return s;
}
