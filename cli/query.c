/* query.c -- query text before it is compiled (see query.h)
 *
 * The scanner below is a second reading of the token rules of lexer/lex.l, reduced to what
 * text edits need: where literals begin and end, where commands start, and whether a '/'
 * divides or opens a regex. It never reports errors: text it cannot make sense of is copied
 * unchanged and the real lexer reports it when the query is compiled. The rules it mirrors:
 *   - '#' starts a comment to the end of the line anywhere a token may start;
 *   - "..." and '...' strings with backslash escapes ('' inside single quotes);
 *   - `...` and @`...` names;
 *   - '/' divides after a value (name, number, string, ')', ']', true/false, a regex) and opens
 *     a regex literal elsewhere, and always right after 'parse' or 'parse <field>';
 *   - the first word after the start or a '|' is the command name; and, or, not, like, in,
 *     as, by, asc, desc, true, false are keywords everywhere.
 * A '$name' counts as a value, as the string literal that replaces it does.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include "cli/query.h"
#include "base/buf.h"

/* ===== Scanner ===== */

typedef enum {
    T_END,
    T_IDENT,  /* a field name */
    T_QIDENT, /* `name` or @`name` */
    T_CMD,    /* the first word of a command */
    T_KWOP,   /* and or not like in as by asc desc */
    T_BOOL,   /* true false */
    T_NUMBER, /* numbers and durations */
    T_STRING,
    T_REGEX,
    T_VAR, /* $name or ${name} */
    T_PIPE,
    T_OPEN,  /* ( [ */
    T_CLOSE, /* ) ] */
    T_COMMA,
    T_OTHER, /* operators, and text the lexer will reject */
} TokKind;

typedef struct Tok {
    TokKind kind;
    size_t start, end;           /* bytes of the token */
    size_t name_start, name_end; /* T_VAR: the name */
} Tok;

typedef struct Scan {
    const char *s;
    size_t len, pos;
    int cmd_start;
    Tok prev, prev2;
    const char *prev_cmd; /* text of the last T_CMD token */
    size_t prev_cmd_len;
} Scan;

static const char *const kwops[] = {"and", "or", "not", "like", "in",
                                    "as",  "by", "asc", "desc", NULL};

static int is_idstart(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '@' || c >= 0x80;
}

static int is_idchar(unsigned char c)
{
    return is_idstart(c) || (c >= '0' && c <= '9');
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_varstart(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_varchar(unsigned char c)
{
    return is_varstart(c) || is_digit(c);
}

static int word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

static int tok_is_cmd(const Scan *sc, const Tok *t, const char *name)
{
    return t->kind == T_CMD && word_is(sc->s + t->start, t->end - t->start, name);
}

/* Does the previous token end a value, so that '/' divides? (lex.l value_before) */
static int value_before(const Scan *sc)
{
    if (tok_is_cmd(sc, &sc->prev2, "parse") &&
        (sc->prev.kind == T_IDENT || sc->prev.kind == T_QIDENT))
        return 0;
    switch (sc->prev.kind) {
    case T_IDENT:
    case T_QIDENT:
    case T_NUMBER:
    case T_STRING:
    case T_REGEX:
    case T_BOOL:
    case T_CLOSE:
    case T_VAR:
        return 1;
    default:
        return 0;
    }
}

/* End of a quoted literal that opened at i (s[i] is the quote): one past the closing quote,
 * or len when it is unterminated. */
static size_t quoted_end(const char *s, size_t len, size_t i, char q)
{
    for (i++; i < len; i++) {
        if (s[i] == '\\' && q != '`') {
            i++;
            continue;
        }
        if (s[i] == q) {
            if (q == '\'' && i + 1 < len && s[i + 1] == '\'') {
                i++;
                continue;
            }
            return i + 1;
        }
    }
    return len;
}

static void next(Scan *sc, Tok *t)
{
    const char *s = sc->s;
    size_t len = sc->len, i = sc->pos;
    for (;;) {
        while (i < len && strchr(" \t\r\n\f\v", s[i]) && s[i])
            i++;
        if (i < len && s[i] == '#') {
            while (i < len && s[i] != '\n')
                i++;
            continue;
        }
        break;
    }
    memset(t, 0, sizeof(*t));
    t->start = i;
    if (i >= len) {
        t->kind = T_END;
        t->end = len;
        sc->pos = len;
        return;
    }
    unsigned char c = (unsigned char)s[i];
    size_t j = i + 1;
    if (c == '|') {
        t->kind = T_PIPE;
    } else if (c == '(' || c == '[') {
        t->kind = T_OPEN;
    } else if (c == ')' || c == ']') {
        t->kind = T_CLOSE;
    } else if (c == ',') {
        t->kind = T_COMMA;
    } else if (c == '"' || c == '\'') {
        t->kind = T_STRING;
        j = quoted_end(s, len, i, (char)c);
    } else if (c == '`' || (c == '@' && i + 1 < len && s[i + 1] == '`')) {
        t->kind = T_QIDENT;
        j = quoted_end(s, len, c == '@' ? i + 1 : i, '`');
    } else if (c == '/' && !value_before(sc)) {
        t->kind = T_REGEX;
        j = quoted_end(s, len, i, '/');
    } else if (is_digit(c)) {
        t->kind = T_NUMBER;
        while (j < len && is_digit((unsigned char)s[j]))
            j++;
        if (j + 1 < len && s[j] == '.' && is_digit((unsigned char)s[j + 1]))
            for (j++; j < len && is_digit((unsigned char)s[j]);)
                j++;
        if (j < len && (s[j] == 'e' || s[j] == 'E')) {
            size_t k = j + 1;
            if (k < len && (s[k] == '+' || s[k] == '-'))
                k++;
            if (k < len && is_digit((unsigned char)s[k])) {
                while (k < len && is_digit((unsigned char)s[k]))
                    k++;
                j = k;
            }
        }
        while (j < len && (is_idchar((unsigned char)s[j]))) /* a duration unit */
            j++;
    } else if (is_idstart(c)) {
        for (;;) {
            while (j < len && is_idchar((unsigned char)s[j]))
                j++;
            if (j + 1 < len && s[j] == '.' && is_idchar((unsigned char)s[j + 1])) {
                j++;
                continue;
            }
            break;
        }
        size_t n = j - i;
        t->kind = T_IDENT;
        for (int k = 0; kwops[k]; k++)
            if (word_is(s + i, n, kwops[k]))
                t->kind = T_KWOP;
        if (word_is(s + i, n, "true") || word_is(s + i, n, "false"))
            t->kind = T_BOOL;
        if (t->kind == T_IDENT && sc->cmd_start)
            t->kind = T_CMD;
    } else if (c == '$' && i + 1 < len && is_varstart((unsigned char)s[i + 1])) {
        t->kind = T_VAR;
        t->name_start = i + 1;
        for (j = i + 1; j < len && is_varchar((unsigned char)s[j]);)
            j++;
        t->name_end = j;
    } else if (c == '$' && i + 2 < len && s[i + 1] == '{' && is_varstart((unsigned char)s[i + 2])) {
        size_t k = i + 2;
        while (k < len && is_varchar((unsigned char)s[k]))
            k++;
        if (k < len && s[k] == '}') {
            t->kind = T_VAR;
            t->name_start = i + 2;
            t->name_end = k;
            j = k + 1;
        } else {
            t->kind = T_OTHER;
        }
    } else {
        t->kind = T_OTHER;
    }
    t->end = j;
    sc->pos = j;
    sc->cmd_start = t->kind == T_PIPE;
    sc->prev2 = sc->prev;
    sc->prev = *t;
}

static void scan_init(Scan *sc, const char *q, size_t len)
{
    memset(sc, 0, sizeof(*sc));
    sc->s = q;
    sc->len = len;
    sc->cmd_start = 1;
}

/* ===== Commands ===== */

typedef struct Cmd {
    size_t name_start, name_end; /* the command word; equal when the command has none */
    size_t end;                  /* where the command's text ends (its '|' or the end) */
} Cmd;

/* Splits q into commands. Returns the count; at most max are stored. */
static int commands(const char *q, size_t len, Cmd *out, int max)
{
    Scan sc;
    Tok t;
    scan_init(&sc, q, len);
    int n = 0, open = 0;
    for (;;) {
        next(&sc, &t);
        if (t.kind == T_END)
            break;
        if (t.kind == T_PIPE) {
            if (open && n <= max)
                out[n - 1].end = t.start;
            open = 0;
            continue;
        }
        if (!open) {
            if (n < max) {
                out[n].name_start = out[n].name_end = t.start;
                if (t.kind == T_CMD)
                    out[n].name_end = t.end;
                out[n].end = len;
            }
            n++;
            open = 1;
        }
    }
    return n;
}

/* Every command of q (malloc'd, *n of them; the caller frees it): a query may have any number. */
static Cmd *all_commands(const char *q, size_t len, int *n)
{
    int count = commands(q, len, NULL, 0);
    Cmd *cmds = malloc(sizeof(Cmd) * (size_t)(count + 1));
    if (!cmds)
        abort();
    *n = commands(q, len, cmds, count);
    return cmds;
}

static int cmd_is(const char *q, const Cmd *c, const char *name)
{
    return word_is(q + c->name_start, c->name_end - c->name_start, name);
}

int cli_query_has(const char *q, size_t len, const char *const *names)
{
    int n, found = 0;
    Cmd *cmds = all_commands(q, len, &n);
    for (int i = 0; i < n && !found; i++)
        for (int k = 0; names[k] && !found; k++)
            found = cmd_is(q, &cmds[i], names[k]);
    free(cmds);
    return found;
}

const char *cli_query_defaults(apr_pool_t *pool, const char *q, size_t len, size_t *outlen)
{
    /* pattern, diff and anomaly aggregate like stats: the console adds no sort to them */
    static const char *const ordered[] = {"stats", "sort", "pattern", "diff", "anomaly", NULL};
    *outlen = len;
    if (cli_query_has(q, len, ordered))
        return q;
    int n;
    Cmd *cmds = all_commands(q, len, &n);
    size_t at = len;
    for (int i = 0; i < n; i++)
        if (cmd_is(q, &cmds[i], "dedup") || cmd_is(q, &cmds[i], "limit")) {
            at = cmds[i].name_start;
            break;
        }
    free(cmds);
    LiqBuf b = {0};
    buf_add(&b, q, at);
    if (at < len) {
        buf_adds(&b, "sort @timestamp desc | ");
        buf_add(&b, q + at, len - at);
        buf_adds(&b, "\n| limit 10000");
    } else {
        /* a newline first: the query may end inside a '#' comment */
        buf_adds(&b, "\n| sort @timestamp desc | limit 10000");
    }
    char *r = apr_pstrmemdup(pool, b.p, b.len);
    *outlen = b.len;
    buf_free(&b);
    return r;
}

int cli_query_stats_keys(const char *q, size_t len)
{
    static const char *const keep[] = {"sort", "limit", "filter", "where", "dedup", NULL};
    int n;
    Cmd *cmds = all_commands(q, len, &n);
    int last = -1;
    for (int i = 0; i < n; i++)
        if (cmd_is(q, &cmds[i], "stats"))
            last = i;
    for (int i = last + 1; i < n && last >= 0; i++) {
        int ok = 0;
        for (int k = 0; keep[k]; k++)
            ok |= cmd_is(q, &cmds[i], keep[k]);
        if (!ok)
            last = -1;
    }
    if (last < 0) {
        free(cmds);
        return -1;
    }
    size_t from = cmds[last].name_start, to = cmds[last].end;
    free(cmds);
    /* count the items of the 'by' list at nesting depth 0 */
    Scan sc;
    Tok t;
    scan_init(&sc, q + from, to - from);
    int depth = 0, keys = 0;
    for (next(&sc, &t); t.kind != T_END; next(&sc, &t)) {
        if (t.kind == T_OPEN)
            depth++;
        else if (t.kind == T_CLOSE && depth > 0)
            depth--;
        else if (depth == 0 && t.kind == T_KWOP && word_is(sc.s + t.start, t.end - t.start, "by"))
            keys = 1;
        else if (depth == 0 && keys && t.kind == T_COMMA)
            keys++;
    }
    return keys;
}

/* ===== Parameters (L26) ===== */

static CliVar *find_var(CliVar *vars, int nvars, const char *name, size_t n)
{
    for (int i = 0; i < nvars; i++)
        if (vars[i].name_len == n && memcmp(vars[i].name, name, n) == 0)
            return &vars[i];
    return NULL;
}

/* A string literal the lexer decodes back to exactly s. */
static void add_string_literal(LiqBuf *b, const char *s)
{
    buf_addc(b, '"');
    for (; *s; s++) {
        switch (*s) {
        case '"':
            buf_add(b, "\\\"", 2);
            break;
        case '\'': /* escaped too, so the literal reads the same whatever the quote */
            buf_add(b, "\\'", 2);
            break;
        case '\\':
            buf_add(b, "\\\\", 2);
            break;
        case '\n':
            buf_add(b, "\\n", 2);
            break;
        case '\r':
            buf_add(b, "\\r", 2);
            break;
        case '\t':
            buf_add(b, "\\t", 2);
            break;
        default:
            buf_addc(b, *s);
        }
    }
    buf_addc(b, '"');
}

/* Text for inside a /regex/ that PCRE2 matches as exactly s: ASCII punctuation and space get
 * a backslash (a backslash before a non-alphanumeric character is always a literal in PCRE2,
 * and keeps '#' and space literal under (?x)); '/' becomes '\/' for the lexer, which hands
 * PCRE2 a plain '/'; control characters become \x{hh}; other bytes pass. */
static void add_regex_literal(LiqBuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7F) {
            char x[7] = {'\\', 'x', '{', hex[c >> 4], hex[c & 15], '}', 0};
            buf_adds(b, x);
        } else if (c < 0x80 && !is_varchar(c)) {
            buf_addc(b, '\\');
            buf_addc(b, (char)c);
        } else {
            buf_addc(b, (char)c);
        }
    }
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!is_digit((unsigned char)*s))
            return 0;
    return 1;
}

/* The body of a regex token with known $names replaced. */
static void subst_regex(LiqBuf *b, const char *s, size_t n, CliVar *vars, int nvars)
{
    size_t i = 0;
    while (i < n) {
        if (s[i] == '\\' && i + 1 < n) {
            buf_add(b, s + i, 2);
            i += 2;
            continue;
        }
        if (s[i] == '$') {
            size_t ns = i + 1, ne, after;
            int braced = ns < n && s[ns] == '{';
            if (braced)
                ns++;
            ne = ns;
            if (ne < n && is_varstart((unsigned char)s[ne]))
                while (ne < n && is_varchar((unsigned char)s[ne]))
                    ne++;
            after = ne;
            if (braced)
                after = ne < n && s[ne] == '}' ? ne + 1 : 0;
            CliVar *v = ne > ns && after ? find_var(vars, nvars, s + ns, ne - ns) : NULL;
            if (v) {
                v->used = 1;
                add_regex_literal(b, v->value);
                i = after;
                continue;
            }
        }
        buf_addc(b, s[i++]);
    }
}

char *cli_query_subst(apr_pool_t *pool, const char *q, size_t len, CliVar *vars, int nvars,
                      size_t *outlen, LiqDiagList *diags)
{
    Scan sc;
    Tok t;
    LiqBuf b = {0};
    size_t copied = 0;
    int bad = 0;
    scan_init(&sc, q, len);
    for (;;) {
        Tok before = sc.prev; /* the token before t */
        next(&sc, &t);
        if (t.kind == T_END)
            break;
        if (t.kind != T_VAR && t.kind != T_REGEX)
            continue;
        buf_add(&b, q + copied, t.start - copied);
        copied = t.end;
        if (t.kind == T_REGEX) {
            int closed = t.end - t.start >= 2 && q[t.end - 1] == '/';
            buf_addc(&b, '/');
            subst_regex(&b, q + t.start + 1, t.end - t.start - 1 - (size_t)closed, vars, nvars);
            if (closed)
                buf_addc(&b, '/');
            continue;
        }
        CliVar *v = find_var(vars, nvars, q + t.name_start, t.name_end - t.name_start);
        if (!v) {
            LiqSpan at = {(uint32_t)t.start, (uint32_t)t.end};
            LiqDiag *d = diag_add(diags, DIAG_ERROR, &at, "no value for '$%.*s'",
                                  (int)(t.name_end - t.name_start), q + t.name_start);
            diag_hint(diags, d, "pass --var %.*s=VALUE", (int)(t.name_end - t.name_start),
                      q + t.name_start);
            bad = 1;
            continue;
        }
        v->used = 1;
        /* 'limit $n' needs a number token; everywhere else a string literal (L26) */
        if (tok_is_cmd(&sc, &before, "limit") && all_digits(v->value))
            buf_adds(&b, v->value);
        else
            add_string_literal(&b, v->value);
    }
    buf_add(&b, q + copied, len - copied);
    char *r = bad ? NULL : apr_pstrmemdup(pool, b.p ? b.p : "", b.len);
    *outlen = b.len;
    buf_free(&b);
    return r;
}

/* ===== Saved queries ===== */

const char *cli_query_saved_dir(apr_pool_t *pool)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && xdg[0] == '/')
        return apr_pstrcat(pool, xdg, "/liq/queries", NULL);
    const char *home = getenv("HOME");
    if (home && *home)
        return apr_pstrcat(pool, home, "/.config/liq/queries", NULL);
    return NULL;
}
