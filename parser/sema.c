/* sema.c -- semantic checks of a parsed query (see sema.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <string.h>
#include "parser/func.h"
#include "parser/sema.h"
#include "parser/xcmd.h"

typedef enum { CTX_ROW, CTX_STATS_ITEM, CTX_AGG_ARG, CTX_BY } ExprCtx;

typedef struct Sema {
    LiqDiagList *diags;
    const char *text;
    int errors;
    const AstNode *stats; /* the last stats command before the one being checked, or NULL */
} Sema;

static LiqDiag *err(Sema *s, const AstNode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static LiqDiag *err(Sema *s, const AstNode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    LiqDiag *d = diag_vadd(s->diags, DIAG_ERROR, &n->span, fmt, ap); /* any length */
    va_end(ap);
    s->errors++;
    return d;
}

/* A period argument (bin, datefloor, dateceil): a duration literal. CloudWatch caps the value
 * of small units (ms <= 1000, s <= 60, m <= 60, h <= 24); a larger value runs as the cap, with a
 * warning that names an equivalent period (L15). Calendar units (mo, q, y) are kept as months
 * in negative numbers (see engine/input/ts.h). */
static void check_period(Sema *s, AstNode *n, const char *fn)
{
    if (n->kind != AST_DURATION) {
        LiqDiag *d = err(s, n, "%s() takes a time period such as 5m, 1h or 1d", fn);
        diag_hint(s->diags, d, "units: ms, s, m, h, d, w, mo, q, y");
        return;
    }
    static const struct {
        double ms;
        double cap;
        const char *unit;
        const char *word;
    } caps[] = {{1, 1000, "ms", "milliseconds"}, {1000, 60, "s", "seconds"},
                {60000, 60, "m", "minutes"},    {3600000, 24, "h", "hours"}};
    if (n->num <= 0 && n->num > -1) { /* zero, or a fraction of a month */
        err(s, n, "a period must be at least 1 of its unit, not '%s'", n->str);
        return;
    }
    if (n->num < 0)
        return;
    for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        double v = n->num / caps[i].ms;
        /* the unit as written: its milliseconds per unit match and the value is v */
        const char *u = n->str;
        while (*u && ((*u >= '0' && *u <= '9') || *u == '.'))
            u++;
        int same = 0;
        switch (caps[i].unit[0]) {
        case 'm':
            same = caps[i].unit[1] == 's' ? (u[0] | 0x20) == 'm' && (u[1] | 0x20) == 's'
                                          : (u[0] | 0x20) == 'm' && (u[1] | 0x20) != 's' &&
                                                (u[1] | 0x20) != 'o';
            if (caps[i].unit[1] == 's' && !same)
                same = strncasecmp(u, "msec", 4) == 0 || strncasecmp(u, "milli", 5) == 0;
            break;
        case 's':
            same = (u[0] | 0x20) == 's';
            break;
        case 'h':
            same = (u[0] | 0x20) == 'h';
            break;
        }
        if (!same || v <= caps[i].cap)
            continue;
        double total = n->num;
        n->num = caps[i].cap * caps[i].ms;
        LiqDiag *d = diag_add(s->diags, DIAG_WARNING, &n->span,
                              "%s(%s) runs as %s(%g%s): CloudWatch caps periods in %s at %g",
                              fn, n->str, fn, caps[i].cap, caps[i].unit, caps[i].word,
                              caps[i].cap);
        /* the largest unit that expresses the intended period exactly, within its cap */
        static const struct {
            double ms;
            double cap;
            const char *unit;
        } eq[] = {{604800000, 1e9, "w"}, {86400000, 1e9, "d"}, {3600000, 24, "h"},
                  {60000, 60, "m"},      {1000, 60, "s"},      {1, 1000, "ms"}};
        for (size_t k = 0; k < sizeof(eq) / sizeof(eq[0]); k++) {
            double q = total / eq[k].ms;
            if (q == floor(q) && q >= 1 && q <= eq[k].cap) {
                diag_hint(s->diags, d, "write %s(%g%s) for %g %s", fn, q, eq[k].unit, v,
                          caps[i].word);
                break;
            }
        }
        return;
    }
}

/* Checks an expression; returns 1 if it contains an aggregate call. `cmd` names the command
 * for messages. */
static int check_expr(Sema *s, AstNode *n, ExprCtx ctx, const char *cmd)
{
    int has_agg = 0;
    if (!n)
        return 0;
    switch (n->kind) {
    case AST_CALL: {
        int id = func_lookup(n->str, n->len);
        if (id < 0) {
            s->errors++;
            LiqDiag *d = diag_add(s->diags, DIAG_ERROR, &n->span, "unknown function '%s'", n->str);
            /* point at the name only */
            d->span.end = d->span.start + (uint32_t)n->len;
            const char *near = func_nearest(n->str, n->len);
            if (near)
                diag_hint(s->diags, d, "did you mean '%s'?", near);
            else
                diag_hint(s->diags, d, "'liq --list-functions' lists every function");
            for (uint32_t i = 0; i < n->nkids; i++)
                if (n->kids[i]->kind != AST_STAR) /* no second error for the same call */
                    check_expr(s, n->kids[i], ctx, cmd);
            return 0;
        }
        const FuncInfo *fi = &func_table[id];
        n->fn = id;
        int nargs = (int)n->nkids;
        if (nargs < fi->min_args || (fi->max_args >= 0 && nargs > fi->max_args)) {
            s->errors++;
            LiqDiag *d;
            if (fi->min_args == fi->max_args)
                d = diag_add(s->diags, DIAG_ERROR, &n->span, "%s() takes %d argument%s, found %d",
                             fi->name, fi->min_args, fi->min_args == 1 ? "" : "s", nargs);
            else if (fi->min_args == 0)
                d = diag_add(s->diags, DIAG_ERROR, &n->span,
                             "%s() takes at most %d argument%s, found %d", fi->name,
                             fi->max_args, fi->max_args == 1 ? "" : "s", nargs);
            else if (fi->max_args < 0)
                d = diag_add(s->diags, DIAG_ERROR, &n->span,
                             "%s() takes at least %d argument%s, found %d", fi->name,
                             fi->min_args, fi->min_args == 1 ? "" : "s", nargs);
            else
                d = diag_add(s->diags, DIAG_ERROR, &n->span,
                             "%s() takes %d to %d arguments, found %d", fi->name, fi->min_args,
                             fi->max_args, nargs);
            diag_hint(s->diags, d, "usage: %s", fi->synopsis);
        }
        if (fi->kind == FK_AGG) {
            n->flags |= AST_F_AGG;
            has_agg = 1;
            if (ctx == CTX_BY) {
                LiqDiag *d = err(s, n, "aggregate function '%s' cannot be a group key after 'by'",
                                 fi->name);
                d->span.end = d->span.start + (uint32_t)n->len;
                diag_hint(s->diags, d, "group by fields or expressions of them; aggregates go "
                                       "before 'by'");
            } else if (ctx == CTX_ROW) {
                LiqDiag *d = err(s, n, "aggregate function '%s' is only allowed in stats",
                                 fi->name);
                d->span.end = d->span.start + (uint32_t)n->len;
                /* the call as written, found in the stats before: its rows have the
                 * aggregate as a column, which a name from 'as' reads (issue 14) */
                uint32_t cl = n->span.end - n->span.start;
                const AstNode *st = s->stats;
                if (st && cl <= 60 &&
                    memmem(s->text + st->span.start, st->span.end - st->span.start,
                           s->text + n->span.start, cl))
                    diag_hint(s->diags, d, "name it in stats with 'as' and use the name: "
                              "'stats %.*s as n | %s'", (int)cl, s->text + n->span.start,
                              !strcmp(cmd, "sort")     ? "sort n desc"
                              : !strcmp(cmd, "filter") ? "filter n > 10"
                                                       : "fields n");
                else
                    diag_hint(s->diags, d, "use 'stats %s(...)' to aggregate", fi->name);
            } else if (ctx == CTX_AGG_ARG) {
                LiqDiag *d = err(s, n, "aggregate function '%s' cannot be nested in another aggregate",
                                 fi->name);
                d->span.end = d->span.start + (uint32_t)n->len;
            }
        }
        for (uint32_t i = 0; i < n->nkids; i++) {
            AstNode *a = n->kids[i];
            if ((id == FN_bin && i == 0) || ((id == FN_datefloor || id == FN_dateceil) && i == 1)) {
                check_period(s, a, fi->name);
                continue;
            }
            if (id == FN_bin && i == 1) { /* only from 'offset' (grammar) */
                if (!(n->flags & AST_F_OFFSET) || a->kind != AST_DURATION || a->num < 0)
                    err(s, a, "bin() takes one period; shift bins with 'by bin(5m) offset 1h'");
                continue;
            }
            if ((id == FN_pct || id == FN_percentile) && i == 1) {
                if (a->kind != AST_NUM || a->num < 0 || a->num > 100) {
                    LiqDiag *d = err(s, a, "%s() takes a percentile from 0 to 100 as its "
                                           "second argument", fi->name);
                    diag_hint(s->diags, d, "for example %s(latency, 95)", fi->name);
                }
                continue;
            }
            if (id == FN_histogram && i == 1) { /* the number of buckets (C38) */
                if (a->kind != AST_NUM || a->num < 1 || a->num > 1000 || a->num != floor(a->num)) {
                    LiqDiag *d = err(s, a, "histogram() takes a number of buckets from 1 to 1000 "
                                           "as its second argument");
                    diag_hint(s->diags, d, "for example histogram(latency, 10)");
                }
                continue;
            }
            if (id == FN_rate && i == 1) { /* the interval: a fixed length of time */
                if (a->kind != AST_DURATION || !(a->num > 0)) {
                    LiqDiag *d = err(s, a, "rate() takes an interval such as 1s, 1m or 1h as "
                                           "its second argument");
                    diag_hint(s->diags, d, "for example rate(bytes, 1m): the change per minute");
                }
                continue;
            }
            if (a->kind == AST_STAR) {
                if (id != FN_count || nargs != 1)
                    err(s, a, "'*' is only allowed in count(*)");
                continue;
            }
            /* a scalar function over aggregates (round(avg(x), 2)) is an aggregate
             * expression itself */
            if (check_expr(s, a, fi->kind == FK_AGG ? CTX_AGG_ARG : ctx, cmd) &&
                fi->kind != FK_AGG)
                has_agg = 1;
        }
        break;
    }
    case AST_STAR:
        err(s, n, "'*' is only allowed in count(*)");
        break;
    case AST_REGEX:
        err(s, n, "a regex is only allowed after 'like', 'not like' or '=~'");
        break;
    case AST_DURATION: {
        LiqDiag *d = err(s, n, "a duration such as '%s' is only allowed as a time period", n->str);
        diag_hint(s->diags, d, "durations are arguments of bin(), datefloor() and dateceil()");
        break;
    }
    case AST_LIST:
        err(s, n, "a list is only allowed after 'in' or 'not in'");
        break;
    case AST_BINOP:
        if (n->op == AOP_LIKE || n->op == AOP_NOTLIKE || n->op == AOP_MATCH) {
            has_agg |= check_expr(s, n->kids[0], ctx, cmd);
            AstNode *p = n->kids[1];
            if (p->kind == AST_REGEX)
                break;
            if (n->op == AOP_MATCH) {
                err(s, p, "'=~' takes a regex such as /error|fail/");
                break;
            }
            if (p->kind != AST_STR) {
                LiqDiag *d = err(s, p, "'like' takes a string or a regex");
                diag_hint(s->diags, d, "write like \"text\" or like /regex/");
                break;
            }
            break;
        }
        if (n->op == AOP_IN || n->op == AOP_NOTIN) {
            has_agg |= check_expr(s, n->kids[0], ctx, cmd);
            if (n->kids[1]->kind == AST_SUBQUERY) { /* issue 13 */
                check_expr(s, n->kids[1], ctx, cmd);
                break;
            }
            for (uint32_t i = 0; i < n->kids[1]->nkids; i++)
                has_agg |= check_expr(s, n->kids[1]->kids[i], ctx, cmd);
            break;
        }
        for (uint32_t i = 0; i < n->nkids; i++) {
            AstNode *k = n->kids[i];
            if (k->kind == AST_DURATION && (n->op == AOP_ADD || n->op == AOP_SUB) &&
                k->num > 0)
                continue; /* time arithmetic: a duration counts its milliseconds */
            has_agg |= check_expr(s, k, ctx, cmd);
        }
        break;
    case AST_SUBQUERY: /* a query of its own (issue 13) */
        s->errors += sema_check(n->kids[0], s->diags);
        return 0;
    default:
        for (uint32_t i = 0; i < n->nkids; i++)
            has_agg |= check_expr(s, n->kids[i], ctx, cmd);
        break;
    }
    if (has_agg)
        n->flags |= AST_F_HAS_AGG;
    return has_agg;
}

/* Does expression n refer only to names in aliases[0..na)? (stats items without an aggregate
 * must be built from earlier items of the same stats.) Literals are fine. */
static int only_aliases(const AstNode *n, const char **aliases, int na)
{
    if (n->kind == AST_FIELD) {
        for (int i = 0; i < na; i++)
            if (aliases[i] && strcmp(aliases[i], n->str) == 0)
                return 1;
        return 0;
    }
    for (uint32_t i = 0; i < n->nkids; i++)
        if (!only_aliases(n->kids[i], aliases, na))
            return 0;
    return 1;
}

/* Is name one of names[0..n), or a member of one ("k.sub" of a key k)? */
static int name_in(const char *name, const char **names, int n)
{
    for (int i = 0; i < n; i++) {
        size_t l = names[i] ? strlen(names[i]) : 0;
        if (l && strncmp(name, names[i], l) == 0 && (name[l] == 0 || name[l] == '.'))
            return 1;
    }
    return 0;
}

/* A stats item with aggregates is computed from the groups: outside aggregate arguments it may
 * name only earlier items of the same stats and the group keys (avg(x) + x has no x to read
 * once the rows are grouped). Reports each other name. */
static void check_item_names(Sema *s, const AstNode *n, const char **names, int nn)
{
    if (n->kind == AST_CALL && (n->flags & AST_F_AGG))
        return;
    if (n->kind == AST_FIELD) {
        if (!name_in(n->str, names, nn)) {
            LiqDiag *d = err(s, n, "'%s' is neither aggregated nor a group key of this stats",
                             n->str);
            diag_hint(s->diags, d, "aggregate it, e.g. max(%s), or group by it with 'by %s'",
                      n->str, n->str);
        }
        return;
    }
    for (uint32_t i = 0; i < n->nkids; i++)
        check_item_names(s, n->kids[i], names, nn);
}

static void check_stats(Sema *s, AstNode *cmd)
{
    AstNode *aggs = cmd->kids[0], *by = cmd->kids[1];
    /* the names an item may read besides aggregates: the group keys (alias, field name or
     * text) and the earlier items */
    const char **names = apr_palloc(s->diags->pool,
                                    sizeof(char *) * (by->nkids + aggs->nkids + 1));
    int nn = 0;
    for (uint32_t i = 0; i < by->nkids; i++) {
        const AstNode *e = by->kids[i]->kids[0];
        if (by->kids[i]->str)
            names[nn++] = by->kids[i]->str; /* after stats a key is known by its alias only */
        else
            names[nn++] = e->kind == AST_FIELD ? e->str : ast_text(s->diags->pool, e, s->text);
    }
    for (uint32_t i = 0; i < aggs->nkids; i++) {
        AstNode *item = aggs->kids[i];
        int before = s->errors;
        int has = check_expr(s, item->kids[0], CTX_STATS_ITEM, "stats");
        if (s->errors == before && has)
            check_item_names(s, item->kids[0], names, nn);
        else if (s->errors == before && !only_aliases(item->kids[0], names, nn)) {
            LiqDiag *d = err(s, item->kids[0], "stats item '%s' has no aggregate function",
                             ast_text(s->diags->pool, item->kids[0], s->text));
            diag_hint(s->diags, d, "group by it with 'by', or aggregate it, e.g. count(*), max(f)");
        }
        names[nn++] = item->str;
    }
    for (uint32_t i = 0; i < by->nkids; i++) {
        AstNode *e = by->kids[i]->kids[0];
        check_expr(s, e, CTX_BY, "by");
    }
}

/* SOURCE (§3.15): first in the query; logGroups() takes namePrefix (at most 5) and
 * accountIdentifiers (at most 20) lists of strings; SOURCE 'name' a log group name. */
static void check_source(Sema *s, const AstNode *q, uint32_t at)
{
    const AstNode *cmd = q->kids[at];
    for (uint32_t i = 0; i < at; i++)
        if (q->kids[i]->kind != AST_SOURCE) {
            LiqDiag *d = err(s, cmd, "SOURCE must come before every other command");
            diag_hint(s->diags, d, "write 'SOURCE ... | filter ...'");
            return;
        }
    if (!cmd->str)
        return; /* SOURCE 'name' */
    int datasource = strcasecmp(cmd->str, "dataSource") == 0;
    if (!datasource && strcasecmp(cmd->str, "logGroups") != 0) {
        LiqDiag *d = err(s, cmd, "SOURCE %s(...) is not supported by liq", cmd->str);
        diag_hint(s->diags, d, "liq selects inputs with SOURCE 'group', "
                               "SOURCE logGroups(namePrefix: [...], accountIdentifiers: [...]) "
                               "or SOURCE dataSource([...])");
        return;
    }
    for (uint32_t k = 0; k < cmd->nkids; k++) {
        const AstNode *p = cmd->kids[k];
        int max = 0;
        if (!p->str && datasource) { /* the data sources (docs/commands-2025.md) */
            if (p->nkids > 10)
                err(s, p, "dataSource() takes at most %d data sources", 10);
            for (uint32_t i = 0; i < p->nkids; i++) {
                const AstNode *v = p->kids[i];
                if (v->kind != AST_STR) {
                    err(s, v, "data sources are strings in quotes, such as 'amazon_vpc.flow'");
                } else if (!datasource_format(v->str)) {
                    LiqDiag *d = err(s, v, "liq reads no data source '%s'", v->str);
                    diag_hint(s->diags, d, "liq tells these by their content: %s",
                              datasource_names());
                }
            }
            continue;
        }
        if (!p->str) {
            err(s, p, "logGroups() takes named lists such as namePrefix: ['/aws/lambda/']");
            continue;
        }
        if (!strcasecmp(p->str, "namePrefix"))
            max = 5;
        else if (!strcasecmp(p->str, "accountIdentifiers") ||
                 !strcasecmp(p->str, "accountIdentifier"))
            max = 20;
        else if (!strcasecmp(p->str, "class") || !strcasecmp(p->str, "logGroupClass")) {
            /* accepted, with a notice: files have no storage class (docs/commands-2025.md) */
            for (uint32_t i = 0; i < p->nkids; i++)
                if (p->kids[i]->kind != AST_STR ||
                    (strcasecmp(p->kids[i]->str, "STANDARD") &&
                     strcasecmp(p->kids[i]->str, "INFREQUENT_ACCESS")))
                    err(s, p->kids[i], "%s is 'STANDARD' or 'INFREQUENT_ACCESS'", p->str);
            LiqDiag *d = diag_add(s->diags, DIAG_WARNING, &p->span,
                                  "SOURCE %s: files have no storage class; liq reads every "
                                  "input it is given", p->str);
            diag_hint(s->diags, d, "%s", "the other SOURCE selectors still apply");
            continue;
        } else {
            err(s, p, "unknown logGroups() parameter '%s' (namePrefix, accountIdentifiers)",
                p->str);
            continue;
        }
        if ((int)p->nkids > max)
            err(s, p, "%s takes at most %d values", p->str, max);
        for (uint32_t i = 0; i < p->nkids; i++)
            if (p->kids[i]->kind != AST_STR)
                err(s, p->kids[i], "%s values are strings in quotes", p->str);
    }
}

int sema_check(AstNode *q, LiqDiagList *diags)
{
    Sema s = {diags, q->str ? q->str : "", 0, NULL}; /* the query node holds the whole text */
    for (uint32_t c = 0; c < q->nkids; c++) {
        AstNode *cmd = q->kids[c];
        switch (cmd->kind) {
        case AST_FIELDS:
        case AST_DISPLAY:
            for (uint32_t i = 0; i < cmd->nkids; i++)
                check_expr(&s, cmd->kids[i]->kids[0], CTX_ROW, "fields");
            break;
        case AST_FILTER: {
            AstNode *e = cmd->kids[0];
            check_expr(&s, e, CTX_ROW, "filter");
            /* filterIndex takes the documented forms only (§3.14): field = value, field in [..] */
            if ((cmd->flags & AST_F_INDEX) &&
                !(e->kind == AST_BINOP && (e->op == AOP_EQ || e->op == AOP_IN) &&
                  e->kids[0]->kind == AST_FIELD)) {
                LiqDiag *d = err(&s, e, "filterIndex takes 'field = value' or 'field in [...]'");
                diag_hint(diags, d, "use filter for other conditions");
            }
            break;
        }
        case AST_STATS:
            check_stats(&s, cmd);
            s.stats = cmd;
            break;
        case AST_SORT:
            for (uint32_t i = 0; i < cmd->nkids; i++)
                check_expr(&s, cmd->kids[i]->kids[0], CTX_ROW, "sort");
            break;
        case AST_PARSE: {
            AstNode *pat = cmd->kids[1], *names = cmd->kids[2];
            if ((cmd->flags & AST_F_LOGFMT) && names->nkids != 1)
                err(&s, names, "parse logfmt takes one name for the map of its pairs%s", "");
            if (pat->kind == AST_STR) {
                uint32_t stars = 0;
                for (size_t i = 0; i < pat->len; i++)
                    stars += pat->str[i] == '*';
                if (stars == 0) {
                    LiqDiag *d = err(&s, pat, "the parse pattern has no '*' to capture");
                    diag_hint(diags, d, "each '*' in the pattern captures one value into "
                                        "the next name after 'as'");
                } else if (stars != names->nkids) {
                    LiqDiag *d = err(&s, pat, "the parse pattern has %u '*' but %u name%s follow%s 'as'",
                                     stars, names->nkids, names->nkids == 1 ? "" : "s",
                                     names->nkids == 1 ? "s" : "");
                    diag_hint(diags, d, "give one name for each '*' (L7)");
                }
            }
            break;
        }
        case AST_UNNEST:
        case AST_PATTERN:
            check_expr(&s, cmd->kids[0], CTX_ROW, "unnest");
            break;
        case AST_SOURCE:
            check_source(&s, q, c);
            break;
        case AST_XCMD: { /* the 2025-26 commands (parser/xcmd.h) */
            apr_pool_t *tmp;
            XCmd x;
            apr_pool_create(&tmp, NULL);
            s.errors += xcmd_read(tmp, cmd, &x, diags);
            if (x.where) /* relevantfields' condition, as filter's (the last kid) */
                check_expr(&s, cmd->kids[cmd->nkids - 1]->kids[0], CTX_ROW, "relevantfields");
            if (x.subq) /* appendcols' subquery is a query of its own */
                s.errors += sema_check(x.subq->kids[0], diags);
            apr_pool_destroy(tmp);
            break;
        }
        case AST_JOIN: /* the right side is a query of its own (issue 13) */
            s.errors += sema_check(cmd->kids[3]->kids[0], diags);
            break;
        case AST_DIFF: /* without pattern before it, 'pattern @message | diff' (issue 20) */
            break;
        case AST_ANOMALY:
            if (c == 0 || q->kids[c - 1]->kind != AST_PATTERN) {
                LiqDiag *d = err(&s, cmd, "anomaly must come right after pattern");
                diag_hint(diags, d, "write 'pattern @message | anomaly'%s",
                          c && q->kids[c - 1]->kind == AST_DIFF ? "; diff and anomaly do not combine"
                                                                 : "");
            }
            break;
        case AST_LIMIT: {
            AstNode *e = cmd->kids[0];
            if (e->kind != AST_NUM || e->num < 1 || e->num != floor(e->num) || e->num > 1e15) {
                LiqDiag *d = err(&s, e, "limit takes a positive whole number");
                diag_hint(diags, d, "for example 'limit 20'");
            } else {
                cmd->num = e->num;
            }
            break;
        }
        default:
            break;
        }
    }
    return s.errors;
}
