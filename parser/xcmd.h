/* xcmd.h -- the 2025-26 commands written as a flat list: what each one says
 *
 * accum, autoregress, filldown, fillmissing, sessionize, addtotals, expand, countFrequent,
 * outlier, json, appendcols, logcompare and relevantfields share one grammar rule
 * (parser/grammar.y, AST_XCMD: the command word, then fields, name=value options, 'as name',
 * literals and a parenthesised subquery in the order written, and last 'where EXPR', kept as
 * an AST_FILTER kid). xcmd_read checks one such
 * command against its documented syntax (docs/commands-2025.md) and says what it asks for;
 * sema calls it to report errors with carets, the planner to build the operator.
 *
 * Ownership: an XCmd points into the AST; its arrays live in the pool given.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_XCMD_H
#define LIQ_XCMD_H

#include <apr_pools.h>
#include "base/diag.h"
#include "parser/ast.h"

typedef enum {
    XC_ACCUM,         /* accum f [as out] */
    XC_AUTOREGRESS,   /* autoregress f [as a] [p=n[-m]] */
    XC_FILLDOWN,      /* filldown [f ...] (wildcards) */
    XC_FILLMISSING,   /* fillmissing [with v for f, ...] */
    XC_SESSIONIZE,    /* sessionize f, ... [maxspan d] [as out] */
    XC_ADDTOTALS,     /* addtotals [fieldname=N] [row=b] [col=b] [f, ...] */
    XC_EXPAND,        /* expand f */
    XC_COUNTFREQUENT, /* countFrequent f, ... */
    XC_OUTLIER,       /* outlier [action=remove|transform] [param=n] [uselower=b] [mark=b] f ... */
    XC_JSON,          /* json [field=f] "path" [as alias] */
    XC_APPENDCOLS,    /* appendcols [override=b] [max=n] ( subquery ) */
    XC_LOGCOMPARE,    /* logcompare timeshift d */
    XC_RELEVANTFIELDS, /* relevantfields [f, ...] where cond */
} XcKind;

typedef struct XCmd {
    XcKind kind;
    const char *name;       /* the command as documented (countFrequent for count_frequent) */
    const AstNode **fields; /* FIELD nodes (AST_F_WILD: a wildcard) */
    int nfields;
    const AstNode *alias;   /* 'as NAME': the FIELD node, or NULL */
    /* autoregress: the lags */
    int lag_lo, lag_hi;
    /* sessionize: the longest gap within a session, ms */
    int64_t maxspan_ms;
    /* addtotals */
    const char *fieldname;
    int row, col;
    /* fillmissing: value i for field i */
    const AstNode **fill_values;
    const AstNode **fill_fields;
    int nfill;
    /* outlier */
    int remove;
    double param;
    int uselower, mark;
    /* json: the field read (NULL: @message) and the path, a STR node */
    const AstNode *json_field, *json_path;
    /* appendcols: the subquery (AST_SUBQ), override=, max= */
    const AstNode *subq;
    int override;
    int max;
    /* logcompare: how far back the baseline window is, ms */
    int64_t timeshift_ms;
    /* relevantfields: the condition (an expression) */
    const AstNode *where;
} XCmd;

/* Reads cmd (AST_XCMD) into x; reports what does not fit the command's syntax to diags (when
 * not NULL) and returns the number of errors. */
int xcmd_read(apr_pool_t *pool, const AstNode *cmd, XCmd *x, LiqDiagList *diags);

/* SOURCE dataSource([...]) (docs/commands-2025.md): the name of the positional layout liq
 * reads a data source's records with (engine/input/fmt.c: "vpc-flow", "cloudfront"), or NULL
 * for a data source liq does not tell apart; and the names it knows, for messages. */
const char *datasource_format(const char *name);
const char *datasource_names(void);

#endif
