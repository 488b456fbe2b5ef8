/* saved.c -- saved queries and query files (see saved.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "base/mem.h"
#include "cli/saved.h"
#include "base/buf.h"

char *cli_read_file(apr_pool_t *pool, const char *path, size_t *len)
{
    LiqBuf b = {0};
    if (buf_read_file(&b, path)) {
        buf_free(&b);
        return NULL;
    }
    char *s = apr_pstrmemdup(pool, b.p ? b.p : "", b.len);
    *len = b.len;
    buf_free(&b);
    return s;
}

const char *cli_saved_name(const char *s)
{
    if (s[0] != '@' || !s[1] || s[1] == '.')
        return NULL;
    for (const char *p = s + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.'))
            return NULL;
    return s + 1;
}

const char *cli_saved_dir(apr_pool_t *pool)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && xdg[0] == '/')
        return apr_pstrcat(pool, xdg, "/liq/queries", NULL);
    const char *home = getenv("HOME");
    if (home && *home)
        return apr_pstrcat(pool, home, "/.config/liq/queries", NULL);
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What --saved shows for a query: its first line when that is a '#' comment (the
 * description), else its first non-blank line; on one line, at most 70 bytes. */
static void describe(const char *text, size_t len, char *out, size_t size)
{
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    if (i < len && text[i] == '#')
        for (i++; i < len && (text[i] == '#' || text[i] == ' ');)
            i++;
    size_t o = 0;
    for (; i < len && text[i] != '\n' && o + 1 < size && o < 70; i++)
        out[o++] = text[i] == '\t' || text[i] == '\r' ? ' ' : text[i];
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = 0;
}

void cli_saved_list(FILE *out, FILE *err)
{
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    const char *dir = cli_saved_dir(pool);
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d) {
        fprintf(err, "liq: no saved queries: %s %s\n", dir ? dir : "$HOME",
                dir ? "does not exist" : "is not set");
        if (dir)
            fprintf(err, "  hint: save a query as %s/NAME.liq and run it with 'liq @NAME'\n", dir);
        apr_pool_destroy(pool);
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 4 || strcmp(e->d_name + len - 4, ".liq") != 0 || e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = mem_realloc(names, sizeof(char *) * cap);
        }
        names[n++] = apr_pstrmemdup(pool, e->d_name, len - 4);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(char *), cmp_str);
    int w = 4;
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(names[i]) > w)
            w = (int)strlen(names[i]);
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        char desc[128] = "";
        char *text = cli_read_file(pool, apr_pstrcat(pool, dir, "/", names[i], ".liq", NULL), &len);
        if (text)
            describe(text, len, desc, sizeof(desc));
        fprintf(out, "@%-*s  %s\n", w, names[i], text ? desc : "(unreadable)");
    }
    if (n == 0)
        fprintf(err, "liq: no saved queries in %s\n", dir);
    free(names);
    apr_pool_destroy(pool);
}
