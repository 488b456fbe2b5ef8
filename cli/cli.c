/* cli.c -- option parsing and the run of one query (see cli.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <apr_version.h>
#include <apu_version.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <zlib.h>
#include "config.h"
#include "cli/cli.h"
#include "cli/out.h"
#include "engine/liq.h"
#include "engine/ts.h"
#include "parser/func.h"

typedef struct CliOpts {
    const char *query;
    const char *query_file;
    const char *format;
    int threads;
    int explain;
    int stats;
    int header;
    int no_prefilter;
    const char *filter_pattern; /* --filter-pattern */
    int has_start, has_end;
    int64_t start_ms, end_ms;
    uint32_t batch_rows;
    size_t max_line;
    const char **inputs;
    int ninputs;
} CliOpts;

enum {
    OPT_FORMAT = 256,
    OPT_THREADS,
    OPT_EXPLAIN,
    OPT_STATS,
    OPT_START,
    OPT_END,
    OPT_VERSION,
    OPT_NO_HEADER,
    OPT_MAX_LINE,
    OPT_LIST_FUNCTIONS,
    OPT_BATCH_ROWS,
    OPT_NO_PREFILTER,
    OPT_FILTER_PATTERN,
};

static const struct option long_opts[] = {
    {"query-file", required_argument, NULL, 'f'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"explain", no_argument, NULL, OPT_EXPLAIN},
    {"stats", no_argument, NULL, OPT_STATS},
    {"start", required_argument, NULL, OPT_START},
    {"end", required_argument, NULL, OPT_END},
    {"no-header", no_argument, NULL, OPT_NO_HEADER},
    {"max-line", required_argument, NULL, OPT_MAX_LINE},
    {"list-functions", no_argument, NULL, OPT_LIST_FUNCTIONS},
    {"no-prefilter", no_argument, NULL, OPT_NO_PREFILTER},
    {"filter-pattern", required_argument, NULL, OPT_FILTER_PATTERN},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, 'h'},
    /* for tests: rows per batch, to exercise batch boundaries (docs/style.md B6) */
    {"debug-batch-rows", required_argument, NULL, OPT_BATCH_ROWS},
    {NULL, 0, NULL, 0},
};

static const char usage_text[] =
    "usage: liq [OPTIONS] QUERY [INPUT...]\n"
    "       liq [OPTIONS] -f QUERY_FILE [INPUT...]\n"
    "\n"
    "Runs a CloudWatch Logs Insights query over log files. INPUT is a file, a directory\n"
    "(read recursively, in sorted order) or '-' for standard input; with no INPUT, liq\n"
    "reads standard input.\n"
    "\n"
    "Query:\n"
    "  -f, --query-file FILE   read the query from FILE\n"
    "      --explain           print the compiled plan and exit\n"
    "      --list-functions    list every function of the query language\n"
    "      --filter-pattern P  keep only events matching the CloudWatch filter pattern P\n"
    "                          (terms, %regex%, { $.json = ... }, [space, delimited]);\n"
    "                          the query is then optional\n"
    "\n"
    "Output:\n"
    "      --format FORMAT     table, csv, tsv, json or ndjson (default: table on a\n"
    "                          terminal, tsv with a header row otherwise)\n"
    "      --no-header         leave out the header row (csv, tsv, table)\n"
    "      --stats             print records scanned and matched, bytes, time and\n"
    "                          throughput to stderr\n"
    "\n"
    "Input:\n"
    "      --threads N         worker threads (default: all cores)\n"
    "      --start TIME        skip records before TIME (inclusive bound); TIME is ISO 8601,\n"
    "                          epoch seconds or milliseconds, now, or relative: -15m, -2h, -7d\n"
    "      --end TIME          skip records after TIME (inclusive bound)\n"
    "      --max-line BYTES    longest record read whole (default 256 MiB)\n"
    "      --no-prefilter      decode every record (no literal search before decoding)\n"
    "\n"
    "  -h, --help              this help\n"
    "      --version           version and library versions\n"
    "\n"
    "Examples:\n"
    "  liq 'filter level = \"ERROR\" | stats count(*) as n by service | sort n desc' app.log\n"
    "  liq --format csv 'fields @timestamp, @message | filter @message like /timeout/' logs/\n"
    "  zcat app.log.gz | liq 'stats avg(latency), max(latency) by route'\n"
    "\n"
    "Exit codes: 0 success; 2 usage or query error (nothing ran); 3 the run finished\n"
    "but some input was not fully read (told on stderr); 4 internal error.\n";

static int usage_error(FILE *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int usage_error(FILE *err, const char *fmt, ...)
{
    va_list ap;
    fprintf(err, "liq: error: ");
    va_start(ap, fmt);
    vfprintf(err, fmt, ap);
    va_end(ap);
    fprintf(err, "\n  hint: 'liq --help' lists the options\n");
    return CLI_EXIT_USAGE;
}

static int parse_count(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < min || v > max)
        return 0;
    *out = v;
    return 1;
}

static char *read_file(apr_pool_t *pool, const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    LiqBuf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
        buf_add(&b, tmp, n);
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        buf_free(&b);
        return NULL;
    }
    char *s = apr_pstrmemdup(pool, b.p ? b.p : "", b.len);
    *len = b.len;
    buf_free(&b);
    return s;
}

static void list_functions(FILE *out)
{
    fprintf(out, "%-14s %-10s %-28s %s\n", "function", "kind", "usage", "description");
    for (int i = 0; i < FN__COUNT; i++)
        fprintf(out, "%-14s %-10s %-28s %s\n", func_table[i].name,
                func_table[i].kind == FK_AGG ? "aggregate" : "scalar", func_table[i].synopsis,
                func_table[i].doc);
}

static void version(FILE *out)
{
    fprintf(out, "liq %s\n", PACKAGE_VERSION);
    char pcre[64] = "";
    pcre2_config(PCRE2_CONFIG_VERSION, pcre);
    fprintf(out, "  pcre2 %s, APR %s, APR-util %s, zlib %s\n", pcre, apr_version_string(),
            apu_version_string(), zlibVersion());
}

/* Parses argv into o. Returns -1 to go on, or an exit code (help, version, errors). */
static int parse_args(int argc, char **argv, CliOpts *o, FILE *out, FILE *err)
{
    long v;
    optind = 0; /* full reset: cli_main may run many times in one process (tests) */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":f:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            o->query_file = optarg;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "table") && strcmp(optarg, "csv") && strcmp(optarg, "tsv") &&
                strcmp(optarg, "json") && strcmp(optarg, "ndjson"))
                return usage_error(
                    err, "unknown format '%s' (formats: table, csv, tsv, json, ndjson)", optarg);
            o->format = optarg;
            break;
        case OPT_THREADS:
            if (!parse_count(optarg, 1, 1024, &v))
                return usage_error(err, "--threads takes a number from 1 to 1024, not '%s'",
                                   optarg);
            o->threads = (int)v;
            break;
        case OPT_BATCH_ROWS:
            if (!parse_count(optarg, 1, 2048, &v))
                return usage_error(err, "--debug-batch-rows takes 1 to 2048, not '%s'", optarg);
            o->batch_rows = (uint32_t)v;
            break;
        case OPT_MAX_LINE:
            if (!parse_count(optarg, 1024, 1L << 40, &v))
                return usage_error(err, "--max-line takes a byte count of at least 1024, not '%s'",
                                   optarg);
            o->max_line = (size_t)v;
            break;
        case OPT_EXPLAIN:
            o->explain = 1;
            break;
        case OPT_NO_PREFILTER:
            o->no_prefilter = 1;
            break;
        case OPT_FILTER_PATTERN:
            o->filter_pattern = optarg;
            break;
        case OPT_STATS:
            o->stats = 1;
            break;
        case OPT_NO_HEADER:
            o->header = 0;
            break;
        case OPT_START:
        case OPT_END: {
            int64_t t;
            struct timeval tv;
            gettimeofday(&tv, NULL);
            int64_t now = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
            if (!ts_parse_user(optarg, now, &t))
                return usage_error(err,
                                   "%s takes a time such as 2026-11-23T10:00:00Z, 1763892000, "
                                   "now or -2h, not '%s'",
                                   c == OPT_START ? "--start" : "--end", optarg);
            if (c == OPT_START) {
                o->has_start = 1;
                o->start_ms = t;
            } else {
                o->has_end = 1;
                o->end_ms = t;
            }
            break;
        }
        case OPT_LIST_FUNCTIONS:
            list_functions(out);
            return CLI_EXIT_OK;
        case OPT_VERSION:
            version(out);
            return CLI_EXIT_OK;
        case 'h':
            fputs(usage_text, out);
            return CLI_EXIT_OK;
        case ':':
            return usage_error(err, "option '%s' needs a value", argv[optind - 1]);
        default:
            if (optopt)
                return usage_error(err, "unknown option '-%c'", optopt);
            return usage_error(err, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (o->has_start && o->has_end && o->start_ms > o->end_ms)
        return usage_error(err, "%s", "--start is after --end");
    return -1;
}

/* Options and positionals may come in any order (GNU getopt permutes argv); the first
 * positional is the query unless -f gave one, the rest are inputs. */
static int collect(int argc, char **argv, CliOpts *o, FILE *out, FILE *err)
{
    int rc = parse_args(argc, argv, o, out, err);
    if (rc >= 0)
        return rc;
    int first = optind;
    struct stat st;
    /* with --filter-pattern the query is optional: a first positional that names an
     * existing file or directory (or '-') is an input, not a query */
    int pattern_only = o->filter_pattern && !o->query_file &&
                       (first >= argc || strcmp(argv[first], "-") == 0 ||
                        stat(argv[first], &st) == 0);
    if (!o->query_file && !pattern_only) {
        if (first >= argc)
            return usage_error(err, "%s", "no query given");
        o->query = argv[first++];
    }
    o->ninputs = argc - first;
    o->inputs = calloc((size_t)o->ninputs + 1, sizeof(char *));
    if (!o->inputs)
        abort();
    for (int i = 0; i < o->ninputs; i++)
        o->inputs[i] = argv[first + i];
    return -1;
}

static double now_s(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* Renders diagnostics against the text they point into: the filter pattern for those marked
 * " in filter pattern", else the query. */
static void print_diags(FILE *err, apr_pool_t *pool, const LiqDiagList *d, const char *q,
                        size_t qlen, const char *pattern)
{
    for (int i = 0; i < d->n; i++) {
        const LiqDiag *x = &d->items[i];
        if (pattern && x->where[0])
            fputs(diag_render(pool, x, pattern, strlen(pattern)), err);
        else
            fputs(diag_render(pool, x, q ? q : "", q ? qlen : 0), err);
    }
}

static int run(CliOpts *o, apr_pool_t *pool, FILE *out, FILE *err)
{
    size_t qlen;
    const char *q = o->query;
    if (o->query_file) {
        q = read_file(pool, o->query_file, &qlen);
        if (!q) {
            fprintf(err, "liq: error: cannot read query file %s: %s\n", o->query_file,
                    strerror(errno));
            return CLI_EXIT_USAGE;
        }
    } else {
        qlen = q ? strlen(q) : 0;
    }
    LiqDiagList *diags = diag_list_new(pool);
    const char *fp = o->filter_pattern;
    LiqQuery *lq = fp ? liq_compile_pattern(pool, q, q ? qlen : 0, fp, strlen(fp), diags)
                      : liq_compile(pool, q, qlen, diags);
    if (!lq) {
        print_diags(err, pool, diags, q, qlen, fp);
        int n = diag_count(diags);
        if (n > 1)
            fprintf(err, "liq: %d errors in query\n", n);
        return CLI_EXIT_USAGE;
    }
    print_diags(err, pool, diags, q, qlen, fp); /* warnings */
    if (o->explain) {
        LiqBuf b = {0};
        liq_explain(lq, &b);
        fwrite(b.p, 1, b.len, out);
        buf_free(&b);
        return CLI_EXIT_OK;
    }
    static const char *stdin_only[] = {"-"};
    LiqRunOptions ro = {o->threads,   o->batch_rows, o->max_line, o->no_prefilter, o->has_start,
                        o->has_end,   o->start_ms,   o->end_ms,   o->inputs,       o->ninputs};
    if (o->ninputs == 0) {
        ro.inputs = stdin_only;
        ro.ninputs = 1;
        if (isatty(STDIN_FILENO))
            fprintf(err, "liq: reading logs from the terminal (end with Ctrl-D); pass files or "
                         "pipe logs in\n");
    }
    const char **names;
    int ncols = liq_columns(lq, &names);
    const char *format = o->format;
    if (!format)
        format = isatty(fileno(out)) ? "table" : "tsv";
    Out *w = out_new(format, out, names, ncols, o->header);
    LiqOutput lo = out_liq(w);
    LiqRunStats st = {0};
    LiqDiagList *rdiags = diag_list_new(pool);
    double t0 = now_s();
    w->vt->begin(w);
    LiqStatus rs = liq_run(lq, &ro, &lo, &st, rdiags);
    w->vt->end(w);
    fflush(out);
    double dt = now_s() - t0;
    for (int i = 0; i < rdiags->n; i++)
        fputs(diag_render(pool, &rdiags->items[i], "", 0), err);
    if (strcmp(format, "table") == 0 && !w->failed)
        fprintf(err, "%llu row%s\n", (unsigned long long)w->rows, w->rows == 1 ? "" : "s");
    if (o->stats) {
        double mb = (double)st.bytes_scanned / 1e6;
        fprintf(err,
                "liq: stats: %llu records scanned, %llu matched, %llu rows out, %.1f MB in %d "
                "input%s, %.3f s, %.1f MB/s, %.0f records/s\n",
                (unsigned long long)st.records_scanned, (unsigned long long)st.records_matched,
                (unsigned long long)st.rows_out, mb, st.inputs, st.inputs == 1 ? "" : "s", dt,
                dt > 0 ? mb / dt : 0.0, dt > 0 ? (double)st.records_scanned / dt : 0.0);
    }
    out_free(w);
    switch (rs) {
    case LIQ_OK:
    case LIQ_EOUTPUT: /* the reader went away (| head): not an error */
        return CLI_EXIT_OK;
    case LIQ_EINCOMPLETE:
        fprintf(err, "liq: some input was not fully read (see above); results are incomplete\n");
        return CLI_EXIT_INCOMPLETE;
    default:
        return CLI_EXIT_INTERNAL;
    }
}

int cli_main(int argc, char **argv, FILE *out, FILE *err)
{
    apr_pool_t *pool;
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS) {
        fprintf(err, "liq: internal error: cannot create a memory pool\n");
        return CLI_EXIT_INTERNAL;
    }
    CliOpts o;
    memset(&o, 0, sizeof(o));
    o.header = 1;
    o.batch_rows = 2048;
    o.max_line = (size_t)256 << 20;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    o.threads = ncpu > 0 ? (int)ncpu : 1;
    int rc = collect(argc, argv, &o, out, err);
    if (rc < 0)
        rc = run(&o, pool, out, err);
    free(o.inputs);
    apr_pool_destroy(pool);
    return rc;
}
