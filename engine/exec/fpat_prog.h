/* fpat_prog.h -- a compiled CloudWatch filter pattern: the program the filter-pattern operator
 * (op_fpat.c) runs
 *
 * The planner compiles a parsed pattern (parser/fpat.h's FpPattern; engine/plan/fpat_compile.c)
 * into an FpatProg of the same shape, with what execution needs worked out: every %regex%
 * compiled (FpatProg.rx, each value naming its index there), comparisons as FpatCmp, and the
 * fields a space-delimited pattern names as slots of the plan. Nothing in it points into the
 * parser's model; op_fpat.c's file comment says how each kind matches (Part 2 §11).
 *
 * Ownership: a program lives in the plan pool and is only read by runs.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_FPAT_PROG_H
#define LIQ_FPAT_PROG_H

#include <stddef.h>
#include "engine/exec/rx.h"

typedef enum { FPAT_ALL, FPAT_TERMS, FPAT_REGEX, FPAT_JSON, FPAT_DELIM } FpatKind;

/* FPAT_TERMS: plain terms all required, '-' terms excluded, '?' terms any-of */
typedef enum { FPAT_T_MUST, FPAT_T_ANY, FPAT_T_NOT } FpatTermKind;

typedef struct FpatTerm {
    FpatTermKind kind;
    const char *s; /* NUL-terminated */
    size_t len;
} FpatTerm;

typedef enum {
    FPAT_V_TEXT,   /* a text; with wild, '*' inside is a wildcard */
    FPAT_V_NUMBER, /* compares numerically */
    FPAT_V_STAR,   /* '*' alone: any value */
    FPAT_V_REGEX,  /* %regex%: FpatProg.rx[rx] searched */
} FpatValKind;

typedef struct FpatValue {
    FpatValKind kind;
    const char *s; /* FPAT_V_TEXT */
    size_t len;
    double num;    /* FPAT_V_NUMBER */
    int wild;      /* FPAT_V_TEXT holds a '*' */
    int rx;        /* FPAT_V_REGEX: its index in FpatProg.rx */
} FpatValue;

/* One step of a JSON selector ($.a.b[0].*) */
typedef enum { FPAT_S_KEY, FPAT_S_INDEX, FPAT_S_ANY } FpatStepKind;

typedef struct FpatStep {
    FpatStepKind kind;
    const char *key; /* FPAT_S_KEY */
    size_t len;
    long index;      /* FPAT_S_INDEX */
} FpatStep;

typedef enum { FPAT_EQ, FPAT_NE, FPAT_LT, FPAT_LE, FPAT_GT, FPAT_GE } FpatCmp;

typedef enum {
    FPAT_C_AND, FPAT_C_OR, FPAT_C_CMP, FPAT_C_ISNULL, FPAT_C_ISTRUE, FPAT_C_ISFALSE,
    FPAT_C_NOTEXISTS,
} FpatCondKind;

/* A condition of a JSON pattern (its selector in steps) or of a delimited field (no steps). */
typedef struct FpatCond {
    FpatCondKind kind;
    const struct FpatCond *a, *b; /* FPAT_C_AND, FPAT_C_OR */
    const FpatStep *steps;
    int nsteps;
    FpatCmp op;                   /* FPAT_C_CMP */
    FpatValue val;
} FpatCond;

typedef struct FpatField {
    int ellipsis;         /* '...': any number of unnamed fields */
    int slot;             /* where the field's value goes, or -1 (unnamed) */
    const FpatCond *cond; /* NULL: no condition */
} FpatField;

typedef struct FpatProg {
    FpatKind kind;
    const FpatTerm *terms; /* FPAT_TERMS */
    int nterms;
    const FpatCond *json;  /* FPAT_JSON */
    const FpatField *fields; /* FPAT_DELIM */
    int nfields;
    const Rx **rx;         /* every regex of the pattern (FPAT_REGEX: rx[0], the whole pattern) */
    int nrx;
} FpatProg;

#endif
