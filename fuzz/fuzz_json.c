/* fuzz_json.c -- libFuzzer target: JSON log lines -> json_extract, and json_unescape
 *
 * The input is one log line. json_extract runs over it three ways: with a fixed set of wanted
 * names (plain, dotted, array index, '@@' top-level, empty); with names taken from the input
 * itself (the raw bodies of its first quoted strings, and each consecutive pair joined by a
 * dot, so real keys and nested paths get asked for); and, when the input has a newline, with
 * the tab-separated names of its first line over the rest.
 *
 * Oracle (metamorphic): asking for a set of names at once must give, for each name, exactly
 * what asking for that name alone gives, and the same verdict (object or not); a line that is
 * not an object yields only nulls. json_unescape must decode the whole input or refuse it,
 * never grow it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "engine/json.h"
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
                                  "x.y.z.w", "a..b",      "."};
    const char *names[MAX_NAMES];
    uint32_t lens[MAX_NAMES];
    int n = 0;
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        names[n] = fixed[i];
        lens[n++] = (uint32_t)strlen(fixed[i]);
    }
    extract(pool, line, size, names, lens, n);

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
