/* expr_int.h -- the compiled form of an expression: the step array expr.c evaluates
 *
 * An Expr is a flat array of steps in evaluation order, children before parents (as
 * PostgreSQL's ExprEvalStep): each step runs one kernel over the selected rows of a batch and
 * leaves its column of results under its result index (Step.out); operands are result
 * indices of earlier steps. Step 0 loads every input slot the expression reads, in one
 * decoding pass per record. Everything a step needs was worked out when it was compiled --
 * slots for names, constants as Datums, compiled regexes, a kernel's constant data (aux) --
 * so evaluation never looks back at the query.
 *
 * The compiler (engine/plan/expr_compile.c) writes this layout and the evaluator (expr.c)
 * reads it; every other file sees an Expr through expr.h only.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_EXPR_INT_H
#define LIQ_EXPR_INT_H

#include <stddef.h>
#include "engine/data/vec.h"
#include "engine/exec/expr.h"
#include "engine/exec/plan.h"
#include "engine/exec/rx.h"

/* The operator of an ST_ARITH or ST_CMP step. */
typedef enum {
    EOP_ADD, EOP_SUB, EOP_MUL, EOP_DIV, EOP_MOD, EOP_POW, /* arithmetic */
    EOP_EQ, EOP_NE, EOP_LT, EOP_LE, EOP_GT, EOP_GE,       /* comparison */
} ExprOp;

typedef enum {
    ST_LOAD,  /* load the expression's input slots (always step 0 when there are any) */
    ST_SLOT,  /* result = a batch column */
    ST_CONST, /* result = a constant */
    ST_NEG,
    ST_ARITH, /* op: EOP_ADD .. EOP_POW */
    ST_CMP,   /* op: EOP_EQ .. EOP_GE */
    ST_LIKE,  /* substring test */
    ST_REGEX,
    ST_IN,
    ST_AND,
    ST_OR,
    ST_NOT,
    ST_CALL,
    ST_MEMBER, /* a.key on a map */
    ST_INDEX,  /* a[i] on a list (0-based, A13), a["key"] on a map */
} StepKind;

typedef struct Step {
    StepKind kind;
    ExprOp op;         /* ST_ARITH, ST_CMP */
    int out;           /* result index */
    int a, b;          /* operand result indices */
    int *args, nargs;  /* ST_CALL operands */
    int slot;          /* ST_SLOT */
    Datum k;           /* ST_CONST, ST_LIKE needle */
    const Rx *rx;      /* ST_REGEX */
    int rxi;           /* index of the worker's match data */
    Datum *list;       /* ST_IN */
    int nlist;
    int fn;            /* ST_CALL */
    void *aux;         /* ST_CALL: constant data compiled for the kernel (KArgs.aux) */
    int negate;        /* ST_LIKE/ST_REGEX/ST_IN: not like, not in */
    const char *key;   /* ST_MEMBER */
    size_t keylen;
} Step;

struct Expr {
    Step *steps;       /* in evaluation order; steps[0] is ST_LOAD */
    int nsteps, cap;
    int nres;          /* result indices (one per step) */
    int result;        /* the result index of the whole expression */
    int *inputs;       /* the input slots it reads, each once (ST_LOAD decodes them) */
    int ninputs, incap;
    const Rx **rxs;    /* its regexes; an ExprState holds a match data for each */
    int nrx, rxcap;
    const Plan *plan;
    int failed;        /* compiling it reported an error */
};

#endif
