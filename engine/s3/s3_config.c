/* s3_config.c -- settings and the credential chain as the AWS CLI reads them: INI files
 * (~/.aws/credentials, ~/.aws/config with nested "s3 =" settings), the region, multipart
 * settings, then credentials from the environment, the profile, credential_process, the
 * container endpoint and IMDS (engine/s3/s3_creds.c), and their refresh (see s3.h, s3_int.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include <apr_strings.h>
#include "base/buf.h"
#include "base/words.h"
#include "engine/data/jdom.h"
#include "engine/s3/s3_creds.h"
#include "engine/s3/s3_int.h"

char *s3_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = 0;
    return s;
}

/* The value of key in [section] of an AWS-style INI file: a top-level setting when parent is
 * NULL, else one in the indented block under "parent =" (s3 = / multipart_chunksize = ...).
 * The last occurrence wins. */
static const char *ini_get(apr_pool_t *pool, const char *path, const char *section,
                           const char *parent, const char *key)
{
    FILE *fp = path ? fopen(path, "r") : NULL;
    if (!fp)
        return NULL;
    char *line = NULL; /* whole lines however long (a fixed buffer would read the rest of a
                        * long one as a line of its own) */
    size_t cap = 0;
    int in = 0, under = 0;
    const char *val = NULL;
    while (getline(&line, &cap, fp) >= 0) {
        int indented = line[0] == ' ' || line[0] == '\t';
        char *l = s3_trim(line);
        if (*l == '#' || *l == ';' || *l == 0)
            continue;
        if (!indented)
            under = 0;
        if (*l == '[') {
            char *e = strchr(l, ']');
            if (e) {
                *e = 0;
                in = strcmp(s3_trim(l + 1), section) == 0;
            }
            continue;
        }
        char *eq = strchr(l, '=');
        if (!in || !eq)
            continue;
        *eq = 0;
        char *k = s3_trim(l), *v = s3_trim(eq + 1);
        if (!parent) {
            if (!indented && strcasecmp(k, key) == 0)
                val = apr_pstrdup(pool, v);
        } else if (!indented) {
            under = strcasecmp(k, parent) == 0 && *v == 0;
        } else if (under && strcasecmp(k, key) == 0) {
            val = apr_pstrdup(pool, v);
        }
    }
    free(line);
    fclose(fp);
    return val;
}

const char *s3_ini_get(apr_pool_t *pool, const char *path, const char *section, const char *key)
{
    return ini_get(pool, path, section, NULL, key);
}

const char *s3_ini_get_nested(apr_pool_t *pool, const char *path, const char *section,
                              const char *parent, const char *key)
{
    return ini_get(pool, path, section, parent, key);
}

uint64_t s3_parse_size(const char *s)
{
    if (!s)
        return 0;
    char *end;
    double v = strtod(s, &end);
    while (*end == ' ')
        end++;
    double mul = 1;
    if (strcasecmp(end, "KB") == 0 || strcasecmp(end, "KiB") == 0)
        mul = 1024.0;
    else if (strcasecmp(end, "MB") == 0 || strcasecmp(end, "MiB") == 0)
        mul = 1024.0 * 1024;
    else if (strcasecmp(end, "GB") == 0 || strcasecmp(end, "GiB") == 0)
        mul = 1024.0 * 1024 * 1024;
    else if (*end && strcasecmp(end, "B") != 0)
        return 0;
    v *= mul;
    return v >= 1 && v < 1e15 ? (uint64_t)v : 0;
}

static const char *home_file(apr_pool_t *pool, const char *env, const char *name)
{
    const char *p = getenv(env);
    if (p && *p)
        return p;
    const char *home = getenv("HOME");
    return home ? apr_pstrcat(pool, home, "/.aws/", name, NULL) : NULL;
}

void s3_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Runs a profile's credential_process and reads its JSON (Version 1). The command line is
 * split into words (words_split, base/words.h) and its program run directly, found on PATH as
 * the AWS CLI's subprocess does: no shell ever reads it. Its stdin and stderr are liq's. The output
 * holds secrets: it never goes into a message. */
static int run_process(S3 *c, const char *cmd, const char *profile, char *err, size_t errlen)
{
    const char *why;
    char **argv = words_split(c->pool, cmd, &why);
    if (!argv || !argv[0] || !*argv[0]) {
        s3_fail(err, errlen, "profile '%s': credential_process: %s", profile,
                argv ? "an empty command" : why);
        return -1;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        s3_fail(err, errlen, "profile '%s': cannot run credential_process: %s", profile,
                strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO); /* dup2 clears CLOEXEC */
    pid_t pid;
    int se = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (se != 0) {
        close(fds[0]);
        s3_fail(err, errlen, "profile '%s': cannot run credential_process %s: %s", profile,
                argv[0], strerror(se));
        return -1;
    }
    LiqBuf b = {0};
    char tmp[4096];
    for (;;) {
        ssize_t r = read(fds[0], tmp, sizeof(tmp));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        buf_add(&b, tmp, (size_t)r);
    }
    close(fds[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        buf_free(&b);
        s3_fail(err, errlen, "profile '%s': credential_process failed (%s %d)", profile,
                WIFEXITED(st) ? "exit status" : "signal",
                WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
        return -1;
    }
    /* the nodes point into the text: parse a copy that lives in the pool */
    const char *text = apr_pstrmemdup(c->pool, b.p ? b.p : "", b.len);
    const JdNode *doc = jdom_parse(c->pool, text, b.len);
    buf_free(&b);
    const JdNode *ver = doc && doc->type == JD_OBJ ? jdom_get(doc, "Version", 7) : NULL;
    const JdNode *id = doc && doc->type == JD_OBJ ? jdom_get(doc, "AccessKeyId", 11) : NULL;
    const JdNode *sec = doc && doc->type == JD_OBJ ? jdom_get(doc, "SecretAccessKey", 15) : NULL;
    const JdNode *tok = doc && doc->type == JD_OBJ ? jdom_get(doc, "SessionToken", 12) : NULL;
    if (!ver || ver->type != JD_NUM || ver->num != 1 || !id || id->type != JD_STR || !sec ||
        sec->type != JD_STR) {
        s3_fail(err, errlen,
                "profile '%s': credential_process did not print a JSON object with Version 1, "
                "AccessKeyId and SecretAccessKey",
                profile);
        return -1;
    }
    c->akid = apr_pstrmemdup(c->pool, id->s, id->len);
    c->secret = apr_pstrmemdup(c->pool, sec->s, sec->len);
    if (tok && tok->type == JD_STR)
        c->token = apr_pstrmemdup(c->pool, tok->s, tok->len);
    return 0;
}

/* Credentials and region, in the AWS CLI's order. */
int s3_resolve(S3 *c, char *err, size_t errlen)
{
    const char *profile = getenv("AWS_PROFILE");
    int named = profile && *profile;
    if (!named)
        profile = "default";
    const char *cred = home_file(c->pool, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
    const char *conf = home_file(c->pool, "AWS_CONFIG_FILE", "config");
    const char *csec = strcmp(profile, "default") == 0
                           ? "default"
                           : apr_pstrcat(c->pool, "profile ", profile, NULL);

    c->region = getenv("AWS_REGION");
    if (!c->region || !*c->region)
        c->region = getenv("AWS_DEFAULT_REGION");
    if (!c->region || !*c->region)
        c->region = s3_ini_get(c->pool, conf, csec, "region");
    if (!c->region || !*c->region)
        c->region = "us-east-1";
    /* large objects in parallel ranges, as the AWS CLI's s3 settings say (defaults: 8 MiB
     * threshold and parts, at most 8 parts of an object at once) */
    uint64_t th =
        s3_parse_size(s3_ini_get_nested(c->pool, conf, csec, "s3", "multipart_threshold"));
    uint64_t cs =
        s3_parse_size(s3_ini_get_nested(c->pool, conf, csec, "s3", "multipart_chunksize"));
    const char *mcr = s3_ini_get_nested(c->pool, conf, csec, "s3", "max_concurrent_requests");
    c->part_threshold = th ? th : 8u << 20;
    c->part_size = cs >= 65536 ? cs : cs ? 65536 : 8u << 20;
    c->part_threads = mcr ? atoi(mcr) : 8;
    if (c->part_threads < 1 || c->part_threads > 64)
        c->part_threads = 8;

    if (c->no_sign) {
        c->source = "none (--no-sign-request)";
        return 0;
    }
    const char *id = getenv("AWS_ACCESS_KEY_ID"), *sec = getenv("AWS_SECRET_ACCESS_KEY");
    if (id && *id && sec && *sec) {
        c->akid = id;
        c->secret = sec;
        const char *tok = getenv("AWS_SESSION_TOKEN");
        c->token = tok && *tok ? tok : NULL;
        c->source = "environment variables (AWS_ACCESS_KEY_ID)";
        return 0;
    }
    /* the credentials file, then the config file's profile section */
    const char *files[2] = {cred, conf}, *sections[2] = {profile, csec};
    for (int i = 0; i < 2; i++) {
        id = s3_ini_get(c->pool, files[i], sections[i], "aws_access_key_id");
        sec = s3_ini_get(c->pool, files[i], sections[i], "aws_secret_access_key");
        if (id && *id && sec && *sec) {
            c->akid = id;
            c->secret = sec;
            c->token = s3_ini_get(c->pool, files[i], sections[i], "aws_session_token");
            if (c->token && !*c->token)
                c->token = NULL;
            c->source = apr_psprintf(c->pool, "profile '%s' in %s", profile, files[i]);
            return 0;
        }
    }
    for (int i = 0; i < 2; i++) {
        const char *cmd = s3_ini_get(c->pool, files[i], sections[i], "credential_process");
        if (cmd && *cmd) {
            if (run_process(c, cmd, profile, err, errlen) != 0)
                return -1;
            c->source =
                apr_psprintf(c->pool, "credential_process of profile '%s' in %s", profile, files[i]);
            return 0;
        }
    }
    /* the container endpoint, then EC2 instance metadata */
    S3Creds cr = {0};
    char why[512] = "";
    int got = s3_creds_container(c->pool, &cr, err, errlen);
    if (got < 0)
        return -1;
    if (got == 0) {
        got = s3_creds_imds(c->pool, &cr, why, sizeof(why));
        if (got < 0) {
            s3_fail(err, errlen, "%s", why);
            return -1;
        }
    }
    if (got > 0) {
        c->akid = cr.akid;
        c->secret = cr.secret;
        c->token = cr.token;
        c->source = cr.source;
        c->refreshable = 1;
        return 0;
    }
    s3_fail(err, errlen,
            "no AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set, profile "
            "'%s' has none in %s or %s, no container endpoint is set and %s (use "
            "--no-sign-request for a public bucket)",
            profile, cred ? cred : "~/.aws/credentials", conf ? conf : "~/.aws/config", why);
    (void)named;
    return -1;
}

/* Fetches credentials from the container endpoint or IMDS again, unless another thread did
 * since generation gen was used. Returns 0 when newer credentials are in place. */
int s3_refresh_creds(S3 *c, int gen)
{
    int rc = 0;
    pthread_mutex_lock(&c->rlock);
    if (c->cred_gen == gen) {
        rc = -1;
        apr_pool_t *p;
        if (c->ncred_pools < (int)(sizeof(c->cred_pools) / sizeof(c->cred_pools[0])) &&
            apr_pool_create(&p, NULL) == APR_SUCCESS) {
            S3Creds cr = {0};
            char why[512];
            int got = s3_creds_container(p, &cr, why, sizeof(why));
            if (got == 0)
                got = s3_creds_imds(p, &cr, why, sizeof(why));
            if (got > 0) {
                c->cred_pools[c->ncred_pools++] = p;
                c->akid = cr.akid;
                c->secret = cr.secret;
                c->token = cr.token;
                c->cred_gen++;
                rc = 0;
            } else {
                apr_pool_destroy(p);
            }
        }
    }
    pthread_mutex_unlock(&c->rlock);
    return rc;
}
