/* fuzz_json.c -- libFuzzer target: JSON log lines -> json_extract, json_each, jdom_parse,
 * jdom_parse_next, json_skip and json_unescape
 *
 * The input is one log line. json_extract runs over it three ways: with a fixed set of wanted
 * names (plain, dotted, array index, '@@' top-level, empty, under the empty key); with names
 * taken from the input itself (the raw bodies of its first quoted strings, and each
 * consecutive pair joined by a dot, so real keys and nested paths get asked for); and, when
 * the input has a newline, with the tab-separated names of its first line over the rest.
 *
 * Since issue 12 the readers are views of one walker (engine/data/json_walk.h): json_extract,
 * json_each and jdom_parse are its visitors, json_skip is the walk with none. That the views
 * agree checks the visitors (flattening, types, the field cap, the tree); that the walker
 * reads the right language is checked against a reference reader written here, plainly and
 * apart from it (recursive descent over the grammar of json.h).
 *
 * Oracles:
 *   - metamorphic: asking for a set of names at once must give, for each name, exactly what
 *     asking for that name alone gives, and the same verdict (object or not); a line that is
 *     not an object yields only nulls;
 *   - the reference: json_extract takes the line exactly when the reference reads one object
 *     (then white space), jdom_parse exactly when it reads one value (a line deeper than the
 *     reference's own limit is left out);
 *   - the views agree: json_each (--fields) and jdom_parse (filter-pattern selectors, container
 *     formats) take the line exactly when json_extract does; json_each names the same leaves,
 *     with the same types, in the same order, as the jdom tree flattened by the rules of
 *     json.h (the field cap included); json_extract finds each name's last leaf (a null too)
 *     with that type;
 *   - json_skip accepts the object json_extract accepts (and the other way round), ending where
 *     only white space follows; jdom_parse_next ends the first value where json_skip does;
 *   - the tree's spans: each node's [start, end) (the first levels) is one value, as json_skip
 *     reads it, inside its parent's and after its elder sibling's;
 *   - json_unescape must decode the whole input or refuse it, never grow it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <ctype.h>
#include <string.h>
#include <apr_strings.h>
#include "engine/data/jdom.h"
#include "engine/data/json.h"
#include "engine/data/json_walk.h"
#include "fuzz/fuzz.h"

enum { MAX_NAMES = 48 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static int same(const Datum *a, const Datum *b)
{
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case VT_NULL:
        return 1;
    case VT_BOOL:
    case VT_TS:
        return a->v.i == b->v.i;
    case VT_NUM:
        if (memcmp(&a->v.f, &b->v.f, sizeof(double)) != 0)
            return 0;
        /* fall through to the text, which numbers keep too */
        __attribute__((fallthrough));
    default:
        return a->len == b->len && (a->len == 0 || memcmp(a->s, b->s, a->len) == 0);
    }
}

/* Extracts names[0..n) from line at once, then one by one, and compares. Duplicate names are
 * dropped first (the engine asks for each name once). */
static void extract(apr_pool_t *pool, const char *line, size_t len, const char **names,
                    uint32_t *lens, int n)
{
    int m = 0;
    for (int i = 0; i < n; i++) {
        int dup = 0;
        for (int j = 0; j < m && !dup; j++)
            dup = lens[j] == lens[i] && memcmp(names[j], names[i], lens[i]) == 0;
        if (!dup) {
            names[m] = names[i];
            lens[m++] = lens[i];
        }
    }
    Datum all[MAX_NAMES], one;
    JsonWant w = {m, names, lens};
    int obj = json_extract(line, len, &w, all, pool);
    FUZZ_CHECK(obj == 0 || obj == 1, "json_extract verdict is not 0 or 1");
    for (int k = 0; k < m; k++) {
        if (!obj)
            FUZZ_CHECK(all[k].type == VT_NULL, "a field found in a line that is not an object");
        if (all[k].type == VT_STR || all[k].type == VT_NUM)
            FUZZ_CHECK(all[k].s != NULL || all[k].len == 0, "a string value without bytes");
        JsonWant w1 = {1, &names[k], &lens[k]};
        int obj1 = json_extract(line, len, &w1, &one, pool);
        FUZZ_CHECK(obj1 == obj, "the verdict depends on the wanted names");
        FUZZ_CHECK(same(&all[k], &one), "a field's value depends on the other wanted names");
    }
}

/* ===== The reference reader ===== */

/* The language of json.h, read by recursive descent, byte by byte: one object (record) or
 * one value, after an optional byte order mark, between white space. Containers nest to
 * REF_MAX_DEPTH here (the stack of a fuzzing process); the walker's JSON_MAX_DEPTH rule does
 * not change what is valid, only how deep values are reported. */
enum { REF_MAX_DEPTH = 3000 };

typedef struct Ref {
    const unsigned char *s;
    size_t n, i;
    int depth, deep;
} Ref;

static int ref_at(const Ref *r, unsigned char c)
{
    return r->i < r->n && r->s[r->i] == c;
}

static void ref_ws(Ref *r)
{
    while (ref_at(r, ' ') || ref_at(r, '\t') || ref_at(r, '\n') || ref_at(r, '\r'))
        r->i++;
}

static int ref_word(Ref *r, const char *w)
{
    size_t l = strlen(w);
    if (r->n - r->i < l || memcmp(r->s + r->i, w, l) != 0)
        return 0;
    r->i += l;
    return 1;
}

static int ref_digits(Ref *r)
{
    size_t b = r->i;
    while (r->i < r->n && isdigit(r->s[r->i]))
        r->i++;
    return r->i > b;
}

static int ref_number(Ref *r)
{
    if (ref_at(r, '-'))
        r->i++;
    if (ref_at(r, '0'))
        r->i++;
    else if (r->i >= r->n || r->s[r->i] < '1' || r->s[r->i] > '9' || !ref_digits(r))
        return 0;
    if (ref_at(r, '.')) {
        r->i++;
        if (!ref_digits(r))
            return 0;
    }
    if (ref_at(r, 'e') || ref_at(r, 'E')) {
        r->i++;
        if (ref_at(r, '+') || ref_at(r, '-'))
            r->i++;
        if (!ref_digits(r))
            return 0;
    }
    return 1;
}

/* A string, at its opening quote: any byte but '"' and '\\', or an escape json_unescape reads */
static int ref_string(Ref *r)
{
    r->i++;
    while (r->i < r->n) {
        unsigned char c = r->s[r->i++];
        if (c == '"')
            return 1;
        if (c != '\\')
            continue;
        if (r->i >= r->n)
            return 0;
        c = r->s[r->i++];
        if (c == 'u') {
            for (int k = 0; k < 4; k++, r->i++)
                if (r->i >= r->n || !isxdigit(r->s[r->i]))
                    return 0;
        } else if (c == 0 || !strchr("\"\\/bfnrt", c)) {
            return 0;
        }
    }
    return 0;
}

static int ref_value(Ref *r)
{
    ref_ws(r);
    if (r->i >= r->n)
        return 0;
    unsigned char c = r->s[r->i];
    if (c == '"')
        return ref_string(r);
    if (c != '{' && c != '[')
        return ref_word(r, "true") || ref_word(r, "false") || ref_word(r, "null") ||
               ref_word(r, "NaN") || ref_word(r, "Infinity") || ref_word(r, "-Infinity") ||
               ref_number(r);
    if (++r->depth > REF_MAX_DEPTH) {
        r->deep = 1;
        return 0;
    }
    unsigned char close = c == '{' ? '}' : ']';
    r->i++;
    ref_ws(r);
    if (ref_at(r, close)) {
        r->i++;
        r->depth--;
        return 1;
    }
    for (;;) {
        if (c == '{') {
            ref_ws(r);
            if (!ref_at(r, '"') || !ref_string(r))
                return 0;
            ref_ws(r);
            if (!ref_at(r, ':'))
                return 0;
            r->i++;
        }
        if (!ref_value(r))
            return 0;
        ref_ws(r);
        if (ref_at(r, ',')) {
            r->i++;
            continue;
        }
        if (!ref_at(r, close))
            return 0;
        r->i++;
        r->depth--;
        return 1;
    }
}

/* 1 when the text is one object (record) or one value, 0 when not, -1 when too deep to say */
static int ref_read(const char *text, size_t len, int record)
{
    Ref r = {(const unsigned char *)text, len, 0, 0, 0};
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        r.i = 3;
    ref_ws(&r);
    if (record && !ref_at(&r, '{'))
        return 0;
    int ok = ref_value(&r);
    if (r.deep)
        return -1;
    ref_ws(&r);
    return ok && r.i == r.n;
}

/* ===== The readers agree ===== */

enum { MAX_LEAVES = JSON_MAX_FIELDS };

typedef struct Leaves {
    int n;
    const char *names[MAX_LEAVES];
    uint32_t lens[MAX_LEAVES];
    uint8_t types[MAX_LEAVES];
    apr_pool_t *pool;
    int counted; /* jdom walk: leaves seen, nulls too (json.h's cap) */
} Leaves;

static void on_leaf(void *ctx, const char *name, size_t len, const Datum *v)
{
    Leaves *l = ctx;
    FUZZ_CHECK(l->n < MAX_LEAVES, "more leaves named than JSON_MAX_FIELDS");
    l->names[l->n] = apr_pstrmemdup(l->pool, name, len);
    l->lens[l->n] = (uint32_t)len;
    l->types[l->n++] = v->type;
}

/* The jdom tree flattened as json.h says json_each does: names joined by dots (an '@' more on
 * top-level keys that start with one), empty containers the strings "{}" and "[]" (the
 * record's own {} no field), no leaf named after the first
 * JSON_MAX_FIELDS (nulls are kept here: json_extract's last leaf of a name may be one). path
 * holds any name of the line (2 * its length + 16 bytes: an index is a digit and a dot per
 * '[', deep containers are leaves). */
static void dom_leaves(const JdNode *n, char *path, size_t plen, int top, Leaves *l)
{
    if ((n->type == JD_OBJ || n->type == JD_ARR) && (n->n > 0 || top)) {
        for (size_t i = 0; i < n->n; i++) {
            char seg[32];
            const char *k = seg;
            size_t kl;
            if (n->type == JD_OBJ) {
                k = n->keys[i];
                kl = n->keylens[i];
            } else {
                kl = (size_t)snprintf(seg, sizeof(seg), "%zu", i);
            }
            size_t at = top && kl && k[0] == '@', np = plen + (top ? 0 : 1) + at + kl;
            char *q = path + plen;
            if (!top)
                *q++ = '.';
            if (at)
                *q++ = '@';
            memcpy(q, k, kl);
            dom_leaves(n->kids[i], path, np, 0, l);
        }
        return;
    }
    if (++l->counted > JSON_MAX_FIELDS)
        return;
    Datum d = n->type == JD_OBJ   ? val_str("{}", 2)
              : n->type == JD_ARR ? val_str("[]", 2)
                                  : val_jdom(n); /* nulls too: json_extract gives the last leaf */
    on_leaf(l, path, plen, &d);
}

/* The spans of the tree's first levels: each one value ending where json_skip ends it,
 * inside the parent's span, after the elder sibling's. budget bounds the nodes looked at. */
static void spans(const JdNode *n, const char *text, size_t len, int depth, int *budget)
{
    if (--*budget < 0)
        return;
    FUZZ_CHECK(n->start < n->end && n->end <= len, "a node's span is outside the text");
    FUZZ_CHECK(json_skip(text + n->start, text + len) == text + n->end,
               "a node's span is not the one value json_skip reads there");
    if (depth >= 3 || (n->type != JD_OBJ && n->type != JD_ARR))
        return;
    size_t after = n->start + 1;
    for (size_t i = 0; i < n->n; i++) {
        const JdNode *k = n->kids[i];
        FUZZ_CHECK(k->start >= after && k->end < n->end, "a child's span is not in order");
        after = k->end;
        spans(k, text, len, depth + 1, budget);
    }
}

static void readers(apr_pool_t *pool, const char *line, size_t len)
{
    const char *none[1] = {NULL};
    uint32_t nolen[1] = {0};
    JsonWant w0 = {0, none, nolen};
    Datum unused;
    int obj = json_extract(line, len, &w0, &unused, pool);

    /* json_skip: the same verdict on objects */
    const char *p = line, *end = line + len;
    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    const char *e = p < end && *p == '{' ? json_skip(p, end) : NULL;
    while (e && e < end && (*e == ' ' || *e == '\t' || *e == '\n' || *e == '\r'))
        e++;
    FUZZ_CHECK(obj == (e == end), "json_skip and json_extract disagree on the line");

    /* the reference */
    int ref = ref_read(line, len, 1);
    if (ref >= 0)
        FUZZ_CHECK(obj == ref, "json_extract and the reference reader disagree on the line");
    JdNode *doc = jdom_parse(pool, line, len);
    ref = ref_read(line, len, 0);
    if (ref >= 0)
        FUZZ_CHECK((doc != NULL) == ref, "jdom_parse and the reference reader disagree");

    /* jdom_parse_next: the first value ends where json_skip ends it */
    size_t bom = len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0 ? 3 : 0, pos = bom;
    const char *first = json_skip(line + bom, end);
    JdNode *next = jdom_parse_next(pool, line, len, &pos);
    FUZZ_CHECK((next != NULL) == (first != NULL), "jdom_parse_next and json_skip disagree");
    FUZZ_CHECK(!next || line + pos == first, "jdom_parse_next and json_skip end apart");

    Leaves each = {0}, dom = {0};
    each.pool = dom.pool = pool;
    int eok = json_each(line, len, on_leaf, &each, pool);
    FUZZ_CHECK(eok == obj, "json_each and json_extract disagree on the line");
    FUZZ_CHECK((doc && doc->type == JD_OBJ) == obj, "jdom_parse and json_extract disagree");
    if (doc) {
        int budget = 256;
        spans(doc, line, len, 0, &budget);
    }
    if (!obj)
        return;
    dom_leaves(doc, apr_palloc(pool, 2 * len + 16), 0, 1, &dom);
    int k = 0;
    for (int i = 0; i < dom.n; i++) { /* json_each leaves out the nulls */
        if (dom.types[i] == VT_NULL)
            continue;
        FUZZ_CHECK(k < each.n, "the jdom tree has a leaf json_each does not name");
        FUZZ_CHECK(dom.lens[i] == each.lens[k] &&
                       memcmp(dom.names[i], each.names[k], each.lens[k]) == 0,
                   "json_each and the jdom tree name a leaf differently");
        FUZZ_CHECK(dom.types[i] == each.types[k], "json_each and jdom type a leaf differently");
        k++;
    }
    FUZZ_CHECK(k == each.n, "json_each names a leaf the jdom tree does not have");
    for (int i = 0; i < dom.n; i++) {
        int last = 1; /* a repeated name: json_extract gives its last leaf */
        for (int j = i + 1; j < dom.n && last; j++)
            last = !(dom.lens[j] == dom.lens[i] &&
                     memcmp(dom.names[j], dom.names[i], dom.lens[i]) == 0);
        if (!last)
            continue;
        JsonWant w1 = {1, &dom.names[i], &dom.lens[i]};
        Datum one;
        json_extract(line, len, &w1, &one, pool);
        FUZZ_CHECK(one.type == dom.types[i], "json_extract and the jdom tree disagree on a leaf");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    apr_pool_t *pool = fuzz_pool_new();
    const char *line = (const char *)data;

    /* 1. fixed names */
    static const char *fixed[] = {"a",       "a.b",       "a.b.c",        "items.0.id",
                                  "0",       "level",     "msg",          "@message",
                                  "@@timestamp", "@timestamp", "",        "a.0",
                                  "x.y.z.w", "a..b",      ".",          ".a",
                                  "a.",      "..",        ".0"};
    const char *names[MAX_NAMES];
    uint32_t lens[MAX_NAMES];
    int n = 0;
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        names[n] = fixed[i];
        lens[n++] = (uint32_t)strlen(fixed[i]);
    }
    extract(pool, line, size, names, lens, n);
    readers(pool, line, size);

    /* 2. the raw bodies of the first quoted strings, and consecutive pairs dotted */
    n = 0;
    const char *prev = NULL;
    size_t prevlen = 0;
    for (size_t i = 0; i < size && n + 2 <= MAX_NAMES; i++) {
        if (line[i] != '"')
            continue;
        size_t j = i + 1;
        while (j < size && line[j] != '"')
            j += line[j] == '\\' ? 2 : 1;
        if (j >= size)
            break;
        names[n] = line + i + 1;
        lens[n++] = (uint32_t)(j - i - 1);
        if (prev) {
            char *p = apr_palloc(pool, prevlen + 1 + (j - i - 1) + 1);
            memcpy(p, prev, prevlen);
            p[prevlen] = '.';
            memcpy(p + prevlen + 1, line + i + 1, j - i - 1);
            names[n] = p;
            lens[n++] = (uint32_t)(prevlen + 1 + (j - i - 1));
        }
        prev = line + i + 1;
        prevlen = j - i - 1;
        i = j;
    }
    extract(pool, line, size, names, lens, n);

    /* 3. first line: tab-separated names; the rest: the line */
    const char *nl = memchr(line, '\n', size);
    if (nl) {
        n = 0;
        const char *p = line;
        while (p <= nl && n < MAX_NAMES) {
            const char *e = p;
            while (e < nl && *e != '\t')
                e++;
            names[n] = p;
            lens[n++] = (uint32_t)(e - p);
            p = e + 1;
        }
        extract(pool, nl + 1, size - (size_t)(nl + 1 - line), names, lens, n);
    }

    /* json_unescape over the whole input */
    size_t outlen = 0;
    char *u = json_unescape(line, size, &outlen, pool);
    if (u) {
        FUZZ_CHECK(outlen <= size, "json_unescape grew its input");
        FUZZ_CHECK(u[outlen] == 0, "json_unescape output not terminated");
    }
    fuzz_pool_free(pool);
    return 0;
}
