/* prefilter.c -- deriving literal prefilters from filter conditions (see prefilter.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <apr_strings.h>
#include "base/num.h"
#include "engine/plan/prefilter.h"

enum { MIN_LITERAL = 3 }; /* shorter literals would drop too few lines to pay for the search */

/* Is the node a field read from the record's bytes (a JSON field or @message)? */
static int raw_field(const Plan *p, const Scope *scope, const AstNode *n)
{
    if (n->kind != AST_FIELD)
        return 0;
    int slot = scope_get(scope, n->str);
    if (slot < 0)
        return 0;
    const SlotInfo *si = &p->slots[slot];
    return si->kind == SLOT_INPUT && (si->sys == SYS_NONE || si->sys == SYS_MESSAGE);
}

/* The index of the ']' closing the character class opened at re[i] (n or past it when unclosed): a
 * leading '^' and a ']' right after the opening (or after '^') belong to the class. */
static size_t class_end(const char *re, size_t n, size_t i)
{
    size_t j = i + 1;
    if (j < n && re[j] == '^')
        j++;
    if (j < n && re[j] == ']')
        j++;
    while (j < n && re[j] != ']')
        j += re[j] == '\\' ? 2 : 1;
    return j;
}

const char *prefilter_regex_literal(apr_pool_t *pool, const char *re, size_t n, size_t *len)
{
    /* give up on anything whose literal content is not plain: flags, lookarounds, quoting,
     * and alternation at the top level */
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        if (re[i] == '\\') {
            if (i + 1 < n && (re[i + 1] == 'Q' || re[i + 1] == 'E'))
                return NULL;
            i++;
            continue;
        }
        if (re[i] == '[') { /* skip a class */
            i = class_end(re, n, i);
            continue;
        }
        if (re[i] == '(') {
            if (i + 1 < n && re[i + 1] == '?' &&
                !(i + 2 < n && (re[i + 2] == ':' || (re[i + 2] == '<' && i + 3 < n &&
                                                     re[i + 3] != '=' && re[i + 3] != '!'))))
                return NULL;
            depth++;
        } else if (re[i] == ')') {
            depth--;
        } else if (re[i] == '|' && depth == 0) {
            return NULL;
        }
    }
    char *best = NULL, *run = apr_palloc(pool, n + 1);
    size_t bestlen = 0, rl = 0;
#define BREAK_RUN()                                                                              \
    do {                                                                                         \
        if (rl > bestlen) {                                                                      \
            best = apr_pstrmemdup(pool, run, rl);                                                \
            bestlen = rl;                                                                        \
        }                                                                                        \
        rl = 0;                                                                                  \
    } while (0)
    for (size_t i = 0; i < n; i++) {
        char c = re[i];
        if (c == '\\' && i + 1 < n) {
            char e = re[++i];
            if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
                BREAK_RUN(); /* \d \w \s \b \x.. \1 ...: not a literal byte */
                continue;
            }
            run[rl++] = e;
            continue;
        }
        switch (c) {
        case '[': {
            BREAK_RUN();
            i = class_end(re, n, i);
            break;
        }
        case '(': { /* a group may be optional or alternate: not required */
            BREAK_RUN();
            int d = 1;
            size_t j = i + 1;
            while (j < n && d) {
                if (re[j] == '\\')
                    j++;
                else if (re[j] == '(')
                    d++;
                else if (re[j] == ')')
                    d--;
                j++;
            }
            i = j - 1;
            break;
        }
        case '*':
        case '?':
        case '{':
            if (rl) { /* the previous character (all its UTF-8 bytes) may be absent */
                while (rl > 1 && ((unsigned char)run[rl - 1] & 0xC0) == 0x80)
                    rl--;
                rl--;
            }
            BREAK_RUN();
            if (c == '{')
                while (i < n && re[i] != '}')
                    i++;
            break;
        case '+':
            BREAK_RUN(); /* the previous character stays required */
            break;
        case '.':
        case '^':
        case '$':
        case ')':
        case '|':
            BREAK_RUN();
            break;
        default:
            run[rl++] = c;
        }
        /* a quantifier right after this literal makes it optional: handled at the quantifier */
    }
    BREAK_RUN();
#undef BREAK_RUN
    if (bestlen < MIN_LITERAL)
        return NULL;
    *len = bestlen;
    return best;
}

/* Does a string constant look numeric (then '=' compares numerically, L5)? */
static int numeric_literal(const AstNode *n)
{
    double f;
    return num_parse(n->str, n->len, &f);
}

const char *prefilter_derive(apr_pool_t *pool, const Plan *p, const Scope *scope,
                             const AstNode *c, size_t *len)
{
    if (c->kind != AST_BINOP)
        return NULL;
    const AstNode *a = c->kids[0], *b = c->kids[1];
    switch (c->op) {
    case AOP_EQ:
        if (!raw_field(p, scope, a)) {
            const AstNode *t = a;
            a = b;
            b = t;
        }
        if (!raw_field(p, scope, a) || b->kind != AST_STR || b->len < MIN_LITERAL ||
            numeric_literal(b))
            return NULL;
        *len = b->len;
        return b->str;
    case AOP_LIKE:
    case AOP_MATCH:
        if (!raw_field(p, scope, a))
            return NULL;
        if (b->kind == AST_STR) {
            if (b->len < MIN_LITERAL)
                return NULL;
            *len = b->len;
            return b->str;
        }
        if (b->kind == AST_REGEX)
            return prefilter_regex_literal(pool, b->str, b->len, len);
        return NULL;
    default:
        return NULL;
    }
}
