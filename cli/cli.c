/* cli.c -- option parsing and the run of one query (see cli.h)
 *
 * The run of one query: get its text (argument, -f FILE, or @name for a saved query, see
 * cli/saved.c), compile it with the options that shape it (--var parameters, the filter
 * pattern, --insights-defaults: the library reads the text, cli/ never does), run it into a
 * writer (cli/out_*.c) or, for charts, into the row collector, then report on stderr: runtime
 * diagnostics, the table's row count and statistics, --stats. cli/ includes engine/liq.h and
 * base/ of the library, nothing else.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <apr_version.h>
#include <apu_version.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <isa-l.h>
#include <zlib.h>
#include <zstd.h>
#include "base/mem.h"
#include "config.h"
#include "cli/cli.h"
#include "cli/out.h"
#include "cli/out_chart.h"
#include "cli/partial.h"
#include "cli/progress.h"
#include "cli/sig.h"
#include "cli/saved.h"
#include "engine/liq.h"

typedef struct CliOpts {
    const char *query;
    const char *query_file;
    const char *format;
    int threads;
    int explain;
    int stats;
    int header;
    int no_prefilter;
    int no_seek; /* --no-seek */
    const char *filter_pattern; /* --filter-pattern */
    int has_start, has_end;
    int64_t start_ms, end_ms;
    uint32_t batch_rows;
    size_t max_line;
    int max_fields;        /* --max-fields: JSON leaves read per record (0: 200) */
    const char **inputs;
    int ninputs;
    int quiet;             /* -q: no notices, warnings, table footer */
    int chart;             /* --chart: draw instead of printing rows */
    const char *chart_svg; /* --chart-svg FILE ('-': stdout) */
    int insights_defaults; /* --insights-defaults (L1) */
    const char *saved;     /* @name: a saved query */
    LiqParam *vars;        /* --var NAME=VALUE, then a saved query's defaults (malloc'd) */
    int nvars;
    int nvars_cli;          /* ... of them from --var */
    const char *query_name; /* --query-name: which definition of a -f FILE.json export */
    LiqLookup *lookups;     /* --lookup NAME=FILE.csv (malloc'd) */
    int nlookups;
    const char *endpoint_url; /* --endpoint-url: an S3-compatible endpoint */
    int no_sign_request;      /* --no-sign-request */
    int s3_read_timeout;      /* --s3-read-timeout SECONDS */
    int s3_concurrency;       /* --s3-concurrency N */
    const char *include[64];  /* --include GLOB */
    int ninclude;
    const char *exclude[64];  /* --exclude GLOB */
    int nexclude;
    const char *input_format; /* --input-format FMT */
    const char *ts_field;     /* --timestamp-field NAME */
    const char *ts_format;    /* --timestamp-format FMT */
    const char *tz;           /* --tz ZONE */
    int year;                 /* --year YYYY: the year of timestamps written without one */
    const char *multiline;    /* --multiline-start REGEX */
    const char *start_arg, *end_arg; /* --start/--end as given (--tz reads them again) */
    int64_t now_ms;           /* the time --start/--end are relative to */
    const char *cache_dir;    /* --cache-dir DIR: S3 objects kept there */
    int fields;               /* --fields: list the discovered fields of the inputs */
    int partial, merge;       /* --partial, --merge: partial results (cli/partial.h) */
    int part_index, part_index_set; /* --part-index K: the part's ordinal */
    int splits;                     /* --splits N: print work units (issue 16) */
    int progress;             /* --progress 1, --no-progress 0, else -1: when stderr is a tty */
    LiqLogGroup *groups;      /* --log-group NAME=PATH, in the order given (malloc'd) */
    int ngroups;
    int memory_set;           /* --memory-limit given (else the library's default) */
    uint64_t memory_limit;    /* --memory-limit SIZE (0: none) */
    const char *temp_dir;     /* --temp-dir DIR */
    int follow;               /* -F, --follow: keep reading what is appended (docs/follow.md) */
    int poll_ms;              /* --poll DURATION */
    int64_t every_ms;         /* --every DURATION */
    int64_t lateness_ms;      /* --lateness DURATION */
    const char *follow_opt;   /* the first of --poll, --every, --lateness, --state-file given */
    const char *state_file;   /* --state-file FILE: offsets and open bins, for a restart */
} CliOpts;

enum {
    OPT_FORMAT = 256,
    OPT_POLL,
    OPT_EVERY,
    OPT_LATENESS,
    OPT_STATE_FILE,
    OPT_THREADS,
    OPT_EXPLAIN,
    OPT_STATS,
    OPT_START,
    OPT_END,
    OPT_VERSION,
    OPT_NO_HEADER,
    OPT_MAX_LINE,
    OPT_MAX_FIELDS,
    OPT_LIST_FUNCTIONS,
    OPT_BATCH_ROWS,
    OPT_NO_PREFILTER,
    OPT_NO_SEEK,
    OPT_FILTER_PATTERN,
    OPT_CHART,
    OPT_CHART_SVG,
    OPT_INSIGHTS_DEFAULTS,
    OPT_VAR,
    OPT_SAVED,
    OPT_ENDPOINT_URL,
    OPT_NO_SIGN_REQUEST,
    OPT_S3_READ_TIMEOUT,
    OPT_S3_CONCURRENCY,
    OPT_INCLUDE,
    OPT_EXCLUDE,
    OPT_LOG_GROUP,
    OPT_INPUT_FORMAT,
    OPT_TS_FIELD,
    OPT_TS_FORMAT,
    OPT_TZ,
    OPT_CACHE_DIR,
    OPT_FIELDS,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_YEAR,
    OPT_MULTILINE,
    OPT_QUERY_NAME,
    OPT_LOOKUP,
    OPT_MEMORY_LIMIT,
    OPT_TEMP_DIR,
    OPT_PARTIAL,
    OPT_MERGE,
    OPT_PART_INDEX,
    OPT_SPLITS,
};

static const struct option long_opts[] = {
    {"query-file", required_argument, NULL, 'f'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"explain", no_argument, NULL, OPT_EXPLAIN},
    {"stats", optional_argument, NULL, OPT_STATS},
    {"start", required_argument, NULL, OPT_START},
    {"end", required_argument, NULL, OPT_END},
    {"no-header", no_argument, NULL, OPT_NO_HEADER},
    {"max-line", required_argument, NULL, OPT_MAX_LINE},
    {"max-fields", required_argument, NULL, OPT_MAX_FIELDS},
    {"list-functions", no_argument, NULL, OPT_LIST_FUNCTIONS},
    {"no-prefilter", no_argument, NULL, OPT_NO_PREFILTER},
    {"no-seek", no_argument, NULL, OPT_NO_SEEK},
    {"filter-pattern", required_argument, NULL, OPT_FILTER_PATTERN},
    {"quiet", no_argument, NULL, 'q'},
    {"follow", no_argument, NULL, 'F'},
    {"poll", required_argument, NULL, OPT_POLL},
    {"every", required_argument, NULL, OPT_EVERY},
    {"lateness", required_argument, NULL, OPT_LATENESS},
    {"state-file", required_argument, NULL, OPT_STATE_FILE},
    {"chart", no_argument, NULL, OPT_CHART},
    {"chart-svg", required_argument, NULL, OPT_CHART_SVG},
    {"insights-defaults", no_argument, NULL, OPT_INSIGHTS_DEFAULTS},
    {"var", required_argument, NULL, OPT_VAR},
    {"query-name", required_argument, NULL, OPT_QUERY_NAME},
    {"lookup", required_argument, NULL, OPT_LOOKUP},
    {"saved", no_argument, NULL, OPT_SAVED},
    {"endpoint-url", required_argument, NULL, OPT_ENDPOINT_URL},
    {"no-sign-request", no_argument, NULL, OPT_NO_SIGN_REQUEST},
    {"s3-read-timeout", required_argument, NULL, OPT_S3_READ_TIMEOUT},
    {"s3-concurrency", required_argument, NULL, OPT_S3_CONCURRENCY},
    {"include", required_argument, NULL, OPT_INCLUDE},
    {"log-group", required_argument, NULL, OPT_LOG_GROUP},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"input-format", required_argument, NULL, OPT_INPUT_FORMAT},
    {"timestamp-field", required_argument, NULL, OPT_TS_FIELD},
    {"timestamp-format", required_argument, NULL, OPT_TS_FORMAT},
    {"tz", required_argument, NULL, OPT_TZ},
    {"year", required_argument, NULL, OPT_YEAR},
    {"multiline-start", required_argument, NULL, OPT_MULTILINE},
    {"cache-dir", required_argument, NULL, OPT_CACHE_DIR},
    {"memory-limit", required_argument, NULL, OPT_MEMORY_LIMIT},
    {"temp-dir", required_argument, NULL, OPT_TEMP_DIR},
    {"fields", no_argument, NULL, OPT_FIELDS},
    {"partial", no_argument, NULL, OPT_PARTIAL},
    {"merge", no_argument, NULL, OPT_MERGE},
    {"part-index", required_argument, NULL, OPT_PART_INDEX},
    {"splits", required_argument, NULL, OPT_SPLITS},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, 'h'},
    /* for tests: rows per batch, to exercise batch boundaries (docs/style.md B6) */
    {"debug-batch-rows", required_argument, NULL, OPT_BATCH_ROWS},
    {NULL, 0, NULL, 0},
};

static const char usage_text[] =
    "usage: liq [OPTIONS] QUERY [INPUT...]\n"
    "       liq [OPTIONS] -f QUERY_FILE [INPUT...]\n"
    "       liq [OPTIONS] @NAME [INPUT...]        run a saved query\n"
    "       liq [OPTIONS] --fields [INPUT...]     list the fields of the inputs\n"
    "       liq serve --log-group NAME=PATH ...   a CloudWatch Logs API endpoint (--help)\n"
    "       liq watch [WATCH OPTIONS] INPUT...    CloudWatch metric filters and alarms (--help)\n"
    "\n"
    "Runs a CloudWatch Logs Insights query over log files. INPUT is a file, a directory\n"
    "(read recursively, in sorted order), '-' for standard input, or an S3 URI:\n"
    "s3://BUCKET/KEY, s3://BUCKET/PREFIX/ or a glob such as s3://BUCKET/logs/*/2026/*.gz;\n"
    "with no INPUT, liq reads standard input. Results go to stdout, diagnostics to stderr.\n"
    "\n"
    "Query:\n"
    "  -f, --query-file FILE   read the query from FILE: a query, or the JSON of 'aws logs\n"
    "                          describe-query-definitions' (its defaultValues apply)\n"
    "      --query-name NAME   the definition of such an export to run (when it has several)\n"
    "      @NAME               the saved query $XDG_CONFIG_HOME/liq/queries/NAME.liq\n"
    "                          (default ~/.config/liq/queries/NAME.liq)\n"
    "      --saved             list the saved queries\n"
    "      --lookup NAME=FILE  the CSV file of lookup table NAME (else NAME.csv beside the\n"
    "                          saved queries)\n"
    "      --var NAME=VALUE    replace $NAME in the query by VALUE, quoted as a string, and\n"
    "                          {{NAME}} by VALUE as query text (AWS saved-query parameters)\n"
    "                          (as literal text inside a /regex/); repeatable\n"
    "      --insights-defaults as the console does: without stats or sort, newest first\n"
    "                          (sort @timestamp desc) and at most 10000 rows\n"
    "      --filter-pattern P  keep only events matching the CloudWatch filter pattern P\n"
    "                          (terms, %regex%, { $.json = ... }, [space, delimited]);\n"
    "                          the query is then optional\n"
    "      --fields            instead of a query: list the fields the records have, with\n"
    "                          the number of records that have each and its value types\n"
    "      --explain           print the compiled plan and exit\n"
    "      --list-functions    list every function of the query language\n"
    "      --partial           run the query over these inputs up to its first stats,\n"
    "                          sort, dedup or limit and write that partial result (binary)\n"
    "                          to stdout, for --merge (docs/scale-out.md)\n"
    "      --part-index K      the place of this part among all (0-4095, default 0): ties\n"
    "                          then break as in one run over the parts in that order\n"
    "      --merge             the inputs are partial results of the same query and\n"
    "                          options (stdin without any): combine them and finish it;\n"
    "                          with --partial, write them merged as one partial (a tree)\n"
    "      --splits N          instead of a query: print up to N work units of the inputs,\n"
    "                          balanced by bytes, one per line (FILE@START-END: a byte\n"
    "                          range of a plain file; S3 prefixes listed, each object\n"
    "                          whole), for --partial --part-index K\n"
    "\n"
    "Output:\n"
    "      --format FORMAT     table, csv, tsv, json or ndjson (default: table on a\n"
    "                          terminal, tsv with a header row otherwise)\n"
    "      --no-header         leave out the header row (csv, tsv, table)\n"
    "      --chart             draw the stats result instead of printing it: a time\n"
    "                          series for 'by bin(...)', else horizontal bars\n"
    "      --chart-svg FILE    also write the chart as a standalone SVG file ('-': to\n"
    "                          stdout, instead of the rows)\n"
    "      --stats             print records scanned and matched, bytes, time and\n"
    "                          throughput to stderr\n"
    "      --stats=verbose     also rows in and out and time of each operator\n"
    "      --progress          draw a progress bar on stderr (default: when stderr is a\n"
    "                          terminal and rows do not stream to it); --no-progress: never\n"
    "  -q, --quiet             no notices or warnings on stderr, no row count under tables\n"
    "\n"
    "Input:\n"
    "      --threads N         worker threads (default: all cores)\n"
    "      --start TIME        skip records before TIME (inclusive bound); TIME is ISO 8601,\n"
    "                          epoch seconds or milliseconds, now, or relative: -15m, -2h, -7d\n"
    "      --end TIME          skip records after TIME (inclusive bound); plain files sorted\n"
    "                          by time are entered by binary search, not read from the start\n"
    "      --no-seek           read sorted files whole with --start/--end (no binary search)\n"
    "      --max-line BYTES    longest record read whole (default 256 MiB)\n"
    "      --max-fields N      fields read from a JSON record (default 200, as CloudWatch);\n"
    "                          records with more are counted in a warning\n"
    "      --no-prefilter      decode every record (no literal search before decoding)\n"
    "      --include GLOB      in directories (and S3 prefixes) read only files whose path\n"
    "                          below the directory or whose name matches GLOB; repeatable\n"
    "      --exclude GLOB      skip files and directories whose path or name matches GLOB\n"
    "      --log-group NAME=PATH  PATH (a file, directory or S3 prefix) holds the log group\n"
    "                          NAME (/aws/lambda/fn): its @log; SOURCE reads only the groups\n"
    "                          it selects; repeatable; read before the INPUTs\n"
    "      --input-format FMT  read every input as FMT instead of telling it by content:\n"
    "                          json, text, cwexport, firehose, logevents, cloudtrail, vpc,\n"
    "                          alb, elb, s3access, cloudfront, route53\n"
    "      --timestamp-field NAME  @timestamp from this field (JSON key or column); null\n"
    "                          where a record lacks it\n"
    "      --timestamp-format FMT  how that field (or, without one, the start of each text\n"
    "                          line) writes the time: %Y-%m-%d %H:%M:%S, %d/%b/%Y:%T %z...\n"
    "      --tz ZONE           zone of timestamps written without an offset (UTC, +02:00,\n"
    "                          Europe/Paris), also for --start/--end; output stays UTC\n"
    "      --year YYYY         year of timestamps written without one (syslog's Dec 10\n"
    "                          06:55:46); default: from the file's modification time\n"
    "      --multiline-start REGEX  a text line matching REGEX starts a record; other\n"
    "                          lines continue the one before (stack traces); default:\n"
    "                          indented, 'Caused by:' and 'Traceback' lines continue\n"
    "      --memory-limit SIZE what the query's states (stats groups, dedup keys, sort\n"
    "                          rows, pattern clusters) may hold: 512M, 4G...; stats by and\n"
    "                          sort spill to --temp-dir, dedup and pattern stop with exit 5\n"
    "                          (default: 3/4 of the physical memory or the cgroup's limit,\n"
    "                          the smaller; 0 or none: no limit)\n"
    "      --temp-dir DIR      where spill files go (default: $TMPDIR, else /tmp)\n"
    "\n"
    "Following (docs/follow.md):\n"
    "  -F, --follow            after reading the inputs, keep reading what is appended, as\n"
    "                          tail -F: rotated and truncated files, new files in\n"
    "                          directories (--include); rows of queries without stats come\n"
    "                          as records do; SIGINT or SIGTERM ends it (exit 0)\n"
    "      --lateness D        stats ... by bin(P): a bin is written once the newest\n"
    "                          timestamp is D past its end (default 10s); later records\n"
    "                          come as correction rows of that bin\n"
    "      --every D           other stats, sort, dedup...: the whole result again at most\n"
    "                          every D while records come (default 10s)\n"
    "      --poll D            look at the files every D even without a change notice\n"
    "                          (inotify; the only way without it), list S3 prefixes every\n"
    "                          D for new objects (by key and ETag); default 1s\n"
    "      --state-file F      keep offsets and open bins in F after each read; a restart\n"
    "                          goes on from there, no record lost or counted twice (into\n"
    "                          a regular file: output past the state is cut and rewritten)\n"
    "\n"
    "S3 (credentials and region as the AWS CLI finds them: AWS_ACCESS_KEY_ID...,\n"
    "AWS_PROFILE, ~/.aws/credentials and config, credential_process, the container\n"
    "endpoint, EC2 instance metadata, AWS_REGION; --start/--end also skip objects whose\n"
    "Firehose or AWSLogs date path lies outside, before any download):\n"
    "      --endpoint-url URL  an S3-compatible endpoint (path-style addressing); also\n"
    "                          AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL\n"
    "      --no-sign-request   anonymous requests (public buckets)\n"
    "      --s3-read-timeout S give up a try after S seconds without data (default 30);\n"
    "                          tries: AWS_MAX_ATTEMPTS (default 5)\n"
    "      --s3-concurrency N  objects downloading at once, each streamed into the decoders\n"
    "                          (default 8)\n"
    "      --cache-dir DIR     keep downloaded objects in DIR (by bucket, key and ETag) and\n"
    "                          read them from there while their ETag is current\n"
    "\n"
    "  -h, --help              this help\n"
    "      --version           version and library versions\n"
    "\n"
    "Examples:\n"
    "  liq 'filter level = \"ERROR\" | stats count(*) as n by service | sort n desc' app.log\n"
    "  liq --format csv 'fields @timestamp, @message | filter @message like /timeout/' logs/\n"
    "  zcat app.log.gz | liq 'stats avg(latency), max(latency) by route'\n"
    "  liq --chart 'stats count(*) by bin(5m), level' app.log\n"
    "  liq --chart-svg errors.svg 'filter level = \"ERROR\" | stats count(*) by bin(1h)' logs/\n"
    "  liq --var user=alice 'filter user = $user | fields @timestamp, action' audit.log\n"
    "  liq --insights-defaults 'filter @message like /Exception/' app.log | head\n"
    "  liq @slow-requests logs/      # ~/.config/liq/queries/slow-requests.liq\n"
    "  liq --fields --format table app.log.gz\n"
    "  liq --lookup users=users.csv 'lookup users id as user OUTPUT name | stats count(*) by name' \\\n"
    "      app.log\n"
    "  liq --log-group /app=app/ --log-group /db=db/ \\\n"
    "      \"SOURCE '/app' | filter requestId in (SOURCE '/db' | filter error = 1 | fields requestId)\"\n"
    "  liq --log-group /api=api/ --log-group /fn=fn/ \"SOURCE '/api' | join left=a right=b \\\n"
    "      where a.requestId = b.requestId (SOURCE '/fn') | fields a.status, b.duration\"\n"
    "  liq -f saved.json --query-name Errors --var minCount=5 logs/  # describe-query-definitions\n"
    "\n"
    "Exit codes:\n";
static const char usage_tail[] = "\nThe man page liq(1) has the details.\n";

/* Writes the registry of cli/exit_codes.def, one code a paragraph, meanings folded at width. */
void cli_exit_codes_text(FILE *f, int width)
{
    static const struct {
        int code;
        const char *meaning;
    } codes[] = {
#define EXIT_CODE(name, code, meaning) {code, meaning},
#include "cli/exit_codes.def"
#undef EXIT_CODE
    };
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        const char *m = codes[i].meaning;
        int col = fprintf(f, "  %-3d ", codes[i].code), indent = col;
        while (*m) {
            const char *sp = strchr(m, ' ');
            int wl = sp ? (int)(sp - m) : (int)strlen(m);
            if (col > indent && col + 1 + wl > width)
                col = fprintf(f, "\n%*s", indent, "") - 1;
            else if (col > indent)
                col += fprintf(f, " ");
            col += fprintf(f, "%.*s", wl, m);
            m += wl;
            while (*m == ' ')
                m++;
        }
        fputc('\n', f);
    }
}

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

/* Edit distance of two short words (option names), case-insensitive; 99 when too long. */
static int edit_distance(const char *a, size_t na, const char *b, size_t nb)
{
    int row[64];
    if (na >= 63 || nb >= 63)
        return 99;
    for (size_t j = 0; j <= nb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= nb; j++) {
            int up = row[j], v = diag + ((a[i - 1] | 0x20) != (b[j - 1] | 0x20));
            if (up + 1 < v)
                v = up + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
        }
    }
    return row[nb];
}

/* An unknown long option: exit 2, with the closest option as a hint when one is close
 * ('--fromat': did you mean '--format'?, issue 14). */
static int unknown_option(FILE *err, const char *arg)
{
    const char *w = arg + strspn(arg, "-");
    size_t n = strcspn(w, "=");
    const char *best = NULL;
    int bestd = n <= 4 ? 2 : 3;
    for (const struct option *lo = long_opts; lo->name; lo++) {
        int d = edit_distance(w, n, lo->name, strlen(lo->name));
        if (d < bestd) {
            bestd = d;
            best = lo->name;
        }
    }
    fprintf(err, "liq: error: unknown option '%.*s'\n", (int)(w - arg + n), arg);
    if (best)
        fprintf(err, "  hint: did you mean '--%s'?\n", best);
    else
        fprintf(err, "  hint: 'liq --help' lists the options\n");
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

/* --poll, --every, --lateness: a duration, 500ms, 2s, 5m, 1h, or a number of seconds (1.5). */
static int parse_duration(const char *s, int64_t *ms)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0 || v > 1e9)
        return 0;
    double unit = 1000;
    if (strcmp(end, "ms") == 0)
        unit = 1;
    else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
        unit = 60000;
    else if (strcmp(end, "h") == 0)
        unit = 3600000;
    else if (*end && strcmp(end, "s") != 0)
        return 0;
    *ms = (int64_t)(v * unit + 0.5);
    return 1;
}

/* --memory-limit: a size, 512M, 1.5G, 4096 (bytes); K, M, G, T are powers of 1024 (a
 * trailing B or iB is allowed: 512MB, 512MiB); 0 or none: no limit (0). */
static int parse_size(const char *s, uint64_t *out)
{
    if (strcasecmp(s, "none") == 0) {
        *out = 0;
        return 1;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !(v >= 0) || *s == '-' || *s == '+' || isspace((unsigned char)*s))
        return 0;
    double mul = 1;
    const char *u = "KMGT";
    if (*end && strchr(u, toupper((unsigned char)*end))) {
        for (const char *p = u; *p; p++) {
            mul *= 1024;
            if (*p == toupper((unsigned char)*end))
                break;
        }
        end++;
        if (*end == 'i' || *end == 'I')
            end++;
    }
    if (*end == 'b' || *end == 'B')
        end++;
    if (*end || v * mul >= 9.2e18)
        return 0;
    *out = (uint64_t)(v * mul);
    return 1;
}

static void list_functions(FILE *out)
{
    LiqFunction f;
    fprintf(out, "%-14s %-10s %-28s %s\n", "function", "kind", "usage", "description");
    for (int i = 0; liq_function(i, &f); i++)
        fprintf(out, "%-14s %-10s %-28s %s\n", f.name, f.aggregate ? "aggregate" : "scalar",
                f.synopsis, f.doc);
}

static void version(FILE *out)
{
    fprintf(out, "liq %s\n", PACKAGE_VERSION);
    char pcre[64] = "";
    pcre2_config(PCRE2_CONFIG_VERSION, pcre);
    fprintf(out, "  pcre2 %s, APR %s, APR-util %s, zlib %s, zstd %s, ISA-L %d.%d.%d\n", pcre,
            apr_version_string(), apu_version_string(), zlibVersion(), ZSTD_versionString(),
            ISAL_MAJOR_VERSION, ISAL_MINOR_VERSION, ISAL_PATCH_VERSION);
}

/* --tz: checks the zone, and reads --start/--end again, a time without an offset being in
 * that zone. Returns 0, or -1 after a usage error. */
static int zone_times(CliOpts *o, FILE *err)
{
    char why[512];
    if (!liq_tz_check(o->tz, why, sizeof(why))) {
        usage_error(err, "--tz: %s", why);
        return -1;
    }
    if (o->start_arg)
        liq_time_parse(o->start_arg, o->now_ms, o->tz, &o->start_ms);
    if (o->end_arg)
        liq_time_parse(o->end_arg, o->now_ms, o->tz, &o->end_ms);
    return 0;
}

/* Parses argv into o. Returns -1 to go on, or an exit code (help, version, errors). */
static int parse_args(int argc, char **argv, CliOpts *o, FILE *out, FILE *err)
{
    long v;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    o->now_ms = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
    optind = 0; /* full reset: cli_main may run many times in one process (tests) */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":f:hqF", long_opts, NULL)) != -1) {
        switch (c) {
        case 'F':
            o->follow = 1;
            break;
        case OPT_STATE_FILE:
            if (!*optarg)
                return usage_error(err, "%s", "--state-file takes a file name");
            o->state_file = optarg;
            if (!o->follow_opt)
                o->follow_opt = "--state-file";
            break;
        case OPT_POLL:
        case OPT_EVERY:
        case OPT_LATENESS: {
            const char *name = c == OPT_POLL ? "--poll" : c == OPT_EVERY ? "--every" : "--lateness";
            int64_t ms;
            if (!parse_duration(optarg, &ms) || (c != OPT_LATENESS && ms == 0) ||
                (c == OPT_POLL && ms > 3600000))
                return usage_error(err,
                                   "%s takes a duration such as 500ms, 2s, 5m or 1h (a number: "
                                   "seconds)%s, not '%s'",
                                   name, c == OPT_POLL ? ", at most 1h" : "", optarg);
            if (c == OPT_POLL)
                o->poll_ms = (int)ms;
            else if (c == OPT_EVERY)
                o->every_ms = ms;
            else
                o->lateness_ms = ms;
            if (!o->follow_opt)
                o->follow_opt = name;
            break;
        }
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
        case OPT_MAX_FIELDS:
            if (!parse_count(optarg, 1, 1000000, &v))
                return usage_error(err, "--max-fields takes a number from 1 to 1000000, not '%s'",
                                   optarg);
            o->max_fields = (int)v;
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
        case OPT_NO_SEEK:
            o->no_seek = 1;
            break;
        case OPT_FILTER_PATTERN:
            o->filter_pattern = optarg;
            break;
        case OPT_STATS:
            if (optarg && strcmp(optarg, "verbose") != 0)
                return usage_error(err, "--stats takes no value, or 'verbose', not '%s'", optarg);
            o->stats = optarg ? 2 : 1; /* 2: also rows and time per operator */
            break;
        case OPT_FIELDS:
            o->fields = 1;
            break;
        case OPT_PROGRESS:
        case OPT_NO_PROGRESS:
            o->progress = c == OPT_PROGRESS;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case OPT_CHART:
            o->chart = 1;
            break;
        case OPT_CHART_SVG:
            if (!*optarg)
                return usage_error(err, "%s", "--chart-svg needs a file name");
            o->chart_svg = optarg;
            break;
        case OPT_INSIGHTS_DEFAULTS:
            o->insights_defaults = 1;
            break;
        case OPT_VAR: {
            const char *eq = strchr(optarg, '=');
            size_t n = eq ? (size_t)(eq - optarg) : 0;
            int ok = n > 0 && ((optarg[0] >= 'A' && optarg[0] <= 'Z') ||
                               (optarg[0] >= 'a' && optarg[0] <= 'z') || optarg[0] == '_');
            for (size_t i = 1; ok && i < n; i++)
                ok = optarg[i] == '_' || (optarg[i] >= '0' && optarg[i] <= '9') ||
                     (optarg[i] >= 'A' && optarg[i] <= 'Z') ||
                     (optarg[i] >= 'a' && optarg[i] <= 'z');
            if (!ok)
                return usage_error(err,
                                   "--var takes NAME=VALUE, NAME being letters, digits and '_' "
                                   "(not starting with a digit), not '%s'",
                                   optarg);
            int k = 0;
            while (k < o->nvars &&
                   !(o->vars[k].name_len == n && memcmp(o->vars[k].name, optarg, n) == 0))
                k++;
            if (k == o->nvars) {
                LiqParam *nv = mem_realloc(o->vars, sizeof(*nv) * (size_t)(o->nvars + 1));
                o->vars = nv;
                memset(&nv[k], 0, sizeof(nv[k]));
            }
            o->vars[k].name = optarg; /* the last --var for a name wins */
            o->vars[k].name_len = n;
            o->vars[k].value = eq + 1;
            if (k == o->nvars)
                o->nvars_cli = ++o->nvars;
            break;
        }
        case OPT_QUERY_NAME:
            o->query_name = optarg;
            break;
        case OPT_SAVED:
            cli_saved_list(out, err);
            return CLI_EXIT_OK;
        case OPT_ENDPOINT_URL:
            if (strncmp(optarg, "http://", 7) != 0 && strncmp(optarg, "https://", 8) != 0)
                return usage_error(err, "--endpoint-url takes an http:// or https:// URL, not '%s'",
                                   optarg);
            o->endpoint_url = optarg;
            break;
        case OPT_NO_SIGN_REQUEST:
            o->no_sign_request = 1;
            break;
        case OPT_S3_READ_TIMEOUT:
            if (!parse_count(optarg, 1, 3600, &v))
                return usage_error(err, "--s3-read-timeout takes seconds from 1 to 3600, not '%s'",
                                   optarg);
            o->s3_read_timeout = (int)v;
            break;
        case OPT_INCLUDE:
        case OPT_EXCLUDE: {
            const char **g = c == OPT_INCLUDE ? o->include : o->exclude;
            int *ng = c == OPT_INCLUDE ? &o->ninclude : &o->nexclude;
            if (!*optarg)
                return usage_error(err, "%s needs a glob",
                                   c == OPT_INCLUDE ? "--include" : "--exclude");
            if (*ng == 64)
                return usage_error(err, "too many %s options (at most 64)",
                                   c == OPT_INCLUDE ? "--include" : "--exclude");
            g[(*ng)++] = optarg;
            break;
        }
        case OPT_LOOKUP: {
            const char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || !eq[1])
                return usage_error(err,
                                   "--lookup takes NAME=FILE.csv (a lookup table's name and its "
                                   "CSV file), not '%s'",
                                   optarg);
            LiqLookup *lk = mem_realloc(o->lookups, sizeof(*lk) * (size_t)(o->nlookups + 1));
            o->lookups = lk;
            lk[o->nlookups].name = mem_strndup(optarg, (size_t)(eq - optarg));
            lk[o->nlookups++].path = eq + 1;
            break;
        }
        case OPT_LOG_GROUP: {
            const char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || !eq[1])
                return usage_error(err,
                                   "--log-group takes NAME=PATH (a log group name such as "
                                   "/aws/lambda/fn, and a file, directory or S3 prefix), not "
                                   "'%s'",
                                   optarg);
            LiqLogGroup *g = mem_realloc(o->groups, sizeof(*g) * (size_t)(o->ngroups + 1));
            o->groups = g;
            g[o->ngroups].name = mem_strndup(optarg, (size_t)(eq - optarg));
            g[o->ngroups++].path = eq + 1;
            break;
        }
        case OPT_INPUT_FORMAT:
            if (!liq_input_format_check(optarg))
                return usage_error(err, "unknown input format '%s' (formats: %s)", optarg,
                                   liq_input_format_names());
            o->input_format = optarg;
            break;
        case OPT_TS_FIELD:
            if (!*optarg)
                return usage_error(err, "%s", "--timestamp-field needs a field name");
            o->ts_field = optarg;
            break;
        case OPT_TS_FORMAT: {
            char why[256];
            if (!liq_timestamp_format_check(optarg, why, sizeof(why)))
                return usage_error(err, "--timestamp-format '%s': %s", optarg, why);
            o->ts_format = optarg;
            break;
        }
        case OPT_TZ:
            o->tz = optarg;
            break;
        case OPT_YEAR:
            if (!parse_count(optarg, 1, 9999, &v))
                return usage_error(err, "--year takes a year from 1 to 9999, not '%s'", optarg);
            o->year = (int)v;
            break;
        case OPT_MULTILINE: {
            char why[256];
            if (!liq_multiline_check(optarg, why, sizeof(why)))
                return usage_error(err, "--multiline-start '%s': %s", optarg, why);
            o->multiline = optarg;
            break;
        }
        case OPT_S3_CONCURRENCY:
            if (!parse_count(optarg, 1, 64, &v))
                return usage_error(err, "--s3-concurrency takes a number from 1 to 64, not '%s'",
                                   optarg);
            o->s3_concurrency = (int)v;
            break;
        case OPT_MEMORY_LIMIT:
            if (!parse_size(optarg, &o->memory_limit))
                return usage_error(err,
                                   "--memory-limit takes a size such as 512M or 4G (K, M, G, T: "
                                   "powers of 1024), or 0 or none for no limit, not '%s'",
                                   optarg);
            o->memory_set = 1;
            break;
        case OPT_PARTIAL: /* partial results (issue 16, cli/partial.h) */
            o->partial = 1;
            break;
        case OPT_MERGE:
            o->merge = 1;
            break;
        case OPT_SPLITS:
            if (!parse_count(optarg, 1, CLI_PART_MAX + 1, &v))
                return usage_error(err, "--splits takes a number from 1 to %d, not '%s'",
                                   CLI_PART_MAX + 1, optarg);
            o->splits = (int)v;
            break;
        case OPT_PART_INDEX:
            if (!parse_count(optarg, 0, CLI_PART_MAX, &v))
                return usage_error(err, "--part-index takes a number from 0 to %d, not '%s'",
                                   CLI_PART_MAX, optarg);
            o->part_index = (int)v;
            o->part_index_set = 1;
            break;
        case OPT_TEMP_DIR:
            if (!*optarg)
                return usage_error(err, "%s", "--temp-dir takes a directory");
            o->temp_dir = optarg;
            break;
        case OPT_CACHE_DIR:
            if (!*optarg)
                return usage_error(err, "%s", "--cache-dir takes a directory");
            o->cache_dir = optarg;
            break;
        case OPT_NO_HEADER:
            o->header = 0;
            break;
        case OPT_START:
        case OPT_END: {
            int64_t t;
            if (liq_time_parse(optarg, o->now_ms, NULL, &t) != 1)
                return usage_error(err,
                                   "%s takes a time such as 2026-11-23T10:00:00Z, 1763892000, "
                                   "now or -2h, not '%s'",
                                   c == OPT_START ? "--start" : "--end", optarg);
            *(c == OPT_START ? &o->start_arg : &o->end_arg) = optarg; /* for --tz */
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
            cli_exit_codes_text(out, 79);
            fputs(usage_tail, out);
            return CLI_EXIT_OK;
        case ':':
            return usage_error(err, "option '%s' needs a value", argv[optind - 1]);
        default:
            if (optopt >= 256) /* a long option given a value it does not take */
                return usage_error(err, "option '%s' takes no value", argv[optind - 1]);
            if (optopt)
                return usage_error(err, "unknown option '-%c'", optopt);
            return unknown_option(err, argv[optind - 1]);
        }
    }
    if (o->tz && zone_times(o, err) != 0)
        return CLI_EXIT_USAGE;
    if (o->has_start && o->has_end && o->start_ms > o->end_ms)
        return usage_error(err, "%s", "--start is after --end");
    if (o->chart && o->format)
        return usage_error(err, "%s", "--chart draws instead of printing rows: leave out --format");
    if (o->chart && o->chart_svg && strcmp(o->chart_svg, "-") == 0)
        return usage_error(err, "%s", "--chart and --chart-svg - both write to stdout");
    if (o->chart_svg && o->format && strcmp(o->chart_svg, "-") == 0)
        return usage_error(err, "%s",
                           "--chart-svg - writes the SVG instead of rows: leave out "
                           "--format");
    if (o->follow_opt && !o->follow)
        return usage_error(err, "%s is an option of --follow", o->follow_opt);
    if (o->follow && (o->chart || o->chart_svg || o->fields))
        return usage_error(err, "%s",
                           "--follow writes results as records come: --chart, --chart-svg and "
                           "--fields need a finished input");
    if (o->query_name && !o->query_file)
        return usage_error(err, "%s",
                           "--query-name chooses a query of a -f FILE.json export (aws logs "
                           "describe-query-definitions)");
    if (o->fields && (o->query_file || o->filter_pattern || o->chart || o->chart_svg ||
                      o->insights_defaults || o->nvars))
        return usage_error(err, "%s",
                           "--fields lists the fields of the inputs: it takes no query, "
                           "-f, --filter-pattern, --var, --chart or --insights-defaults");
    if ((o->partial || o->merge) + o->fields + o->explain + (o->splits > 0) > 1)
        return usage_error(err, "%s",
                           "--partial or --merge, --splits, --fields and --explain each run liq "
                           "another way: give one of them");
    if (o->partial && (o->chart || o->chart_svg || o->format))
        return usage_error(err, "%s", "--partial writes a partial result, not rows or a chart: "
                                      "give --format, --chart and --chart-svg to --merge");
    if (o->part_index_set && (!o->partial || o->merge))
        return usage_error(err, "%s", "--part-index numbers the part of a --partial run (a "
                                      "--merge --partial keeps the ordinals of its partials)");
    if (o->merge && o->ngroups)
        return usage_error(err, "%s", "--merge reads partial results, not log groups: give "
                                      "--log-group to --partial");
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
    int pattern_only =
        o->filter_pattern && !o->query_file &&
        (first >= argc || strcmp(argv[first], "-") == 0 || strncmp(argv[first], "s3://", 5) == 0 ||
         stat(argv[first], &st) == 0);
    if (!o->query_file && !pattern_only && !o->fields &&
        !o->splits) { /* --fields, --splits: every positional is an input */
        if (first >= argc)
            return usage_error(err, "%s", "no query given");
        o->query = argv[first++];
        o->saved = cli_saved_name(o->query);
        /* 'liq app.log QUERY': an existing file first, then no file: the order is swapped */
        if (first < argc && !o->saved && stat(o->query, &st) == 0 && stat(argv[first], &st) != 0 &&
            strcmp(argv[first], "-") != 0 && strncmp(argv[first], "s3://", 5) != 0) {
            fprintf(err, "liq: error: '%s' is an input, not a query: the query comes first\n",
                    o->query);
            if (!strchr(argv[first], '\''))
                fprintf(err, "  hint: liq '%s' %s\n", argv[first], o->query);
            else
                fprintf(err, "  hint: liq QUERY %s\n", o->query);
            return CLI_EXIT_USAGE;
        }
    }
    o->ninputs = argc - first;
    o->inputs = mem_calloc((size_t)o->ninputs + 1, sizeof(char *));
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
                        size_t qlen, const char *pattern, int quiet)
{
    for (int i = 0; i < d->n; i++) {
        const LiqDiag *x = &d->items[i];
        if (quiet && x->severity == DIAG_WARNING)
            continue;
        if (pattern && x->where[0])
            fputs(diag_render(pool, x, pattern, strlen(pattern)), err);
        else
            fputs(diag_render(pool, x, q ? q : "", q ? qlen : 0), err);
    }
}

/* Columns of the terminal behind fp: $COLUMNS when set (so scripts and tests can fix it),
 * else the terminal's own width, else 80. */
static int term_width(FILE *fp)
{
    const char *env = getenv("COLUMNS");
    long v;
    if (env && parse_count(env, 20, 10000, &v))
        return (int)v;
    struct winsize ws;
    int fd = fileno(fp);
    if (fd >= 0 && isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

/* 1234567 -> "1,234,567" */
static void thousands(char *buf, size_t size, uint64_t v)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v), o = 0;
    for (int i = 0; i < n && (size_t)o + 2 < size; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = 0;
}

/* Under a table, on stderr: the row count, then the console's statistics line. */
static void table_footer(FILE *err, uint64_t rows, const LiqRunStats *st, double dt)
{
    char r[32], m[32], s[32], bytes[32], rate[32], brate[32];
    thousands(r, sizeof(r), rows);
    thousands(m, sizeof(m), st->records_matched);
    thousands(s, sizeof(s), st->records_scanned);
    cli_bytes_text(bytes, sizeof(bytes), (double)st->bytes_scanned);
    thousands(rate, sizeof(rate), dt > 0 ? (uint64_t)((double)st->records_scanned / dt) : 0);
    cli_bytes_text(brate, sizeof(brate), dt > 0 ? (double)st->bytes_scanned / dt : 0);
    fprintf(err, "%s row%s\n", r, rows == 1 ? "" : "s");
    fprintf(err, "%s record%s matched; %s record%s (%s) scanned in %.3f s @ %s records/s (%s/s)\n",
            m, st->records_matched == 1 ? "" : "s", s, st->records_scanned == 1 ? "" : "s", bytes,
            dt, rate, brate);
}

/* --stats=verbose: a line per operator, in plan order; times are summed over the workers. */
static void stats_verbose(FILE *err, const LiqRunStats *st)
{
    for (int i = 0; i < st->nops; i++) {
        const LiqOpStats *x = &st->ops[i];
        fprintf(err, "liq: stats: [%d] %s: %llu rows in, %llu out, %.3f s", x->pipeline,
                x->name, (unsigned long long)x->rows_in, (unsigned long long)x->rows_out,
                (double)x->ns / 1e9);
        if (x->label && *x->label)
            fprintf(err, "  (%.60s%s)", x->label, strlen(x->label) > 60 ? "..." : "");
        fputc('\n', err);
    }
}

/* The query of an `aws logs describe-query-definitions` export read by -f (text, *len bytes):
 * the definition --query-name names, or the only one; its parameters' defaultValues join the
 * --var values (which win). NULL after a message when there is no such query. */
static const char *query_def(CliOpts *o, apr_pool_t *pool, FILE *err, const char *path,
                             const char *text, size_t *len)
{
    LiqQueryDef *defs;
    char why[512];
    int n = liq_query_defs_read(pool, text, *len, &defs, why, sizeof(why));
    if (n < 0) {
        fprintf(err, "liq: error: %s: %s\n", path, why);
        fprintf(err, "  hint: -f takes a query, or the JSON of 'aws logs "
                     "describe-query-definitions'\n");
        return NULL;
    }
    const LiqQueryDef *d = NULL;
    for (int i = 0; i < n && o->query_name; i++)
        if (defs[i].name && strcmp(defs[i].name, o->query_name) == 0) {
            d = &defs[i];
            break;
        }
    if (!o->query_name && n == 1)
        d = &defs[0];
    if (!d) {
        if (n == 0)
            fprintf(err, "liq: error: %s has no query definitions\n", path);
        else if (o->query_name)
            fprintf(err, "liq: error: %s has no query definition named '%s'\n", path,
                    o->query_name);
        else
            fprintf(err, "liq: error: %s has %d query definitions: choose one with --query-name\n",
                    path, n);
        for (int i = 0; i < n; i++)
            fprintf(err, "  hint: --query-name '%s'\n", defs[i].name ? defs[i].name : "");
        return NULL;
    }
    for (int i = 0; i < d->nparams; i++) {
        int k = 0;
        while (k < o->nvars && !(o->vars[k].name_len == d->params[i].name_len &&
                                 memcmp(o->vars[k].name, d->params[i].name,
                                        d->params[i].name_len) == 0))
            k++;
        if (k < o->nvars)
            continue; /* --var wins */
        LiqParam *v = mem_realloc(o->vars, sizeof(*v) * (size_t)(o->nvars + 1));
        o->vars = v;
        v[o->nvars] = d->params[i]; /* a default: never warned about when unused */
        o->nvars++;
    }
    *len = d->query_len;
    return d->query;
}

/* The query text: the argument, -f FILE or @name. NULL (after a message) when unreadable. */
static const char *load_query(CliOpts *o, apr_pool_t *pool, FILE *err, size_t *len)
{
    const char *path = o->query_file;
    if (o->saved) {
        const char *dir = cli_saved_dir(pool);
        if (!dir) {
            fprintf(err,
                    "liq: error: no saved query '%s': neither XDG_CONFIG_HOME nor HOME is "
                    "set\n",
                    o->saved);
            return NULL;
        }
        path = apr_pstrcat(pool, dir, "/", o->saved, ".liq", NULL);
        const char *q = cli_read_file(pool, path, len);
        if (!q) {
            fprintf(err, "liq: error: no saved query '%s' (%s: %s)\n", o->saved, path,
                    strerror(errno));
            fprintf(err, "  hint: 'liq --saved' lists the saved queries\n");
        }
        return q;
    }
    if (path) {
        const char *q = cli_read_file(pool, path, len);
        if (!q)
            fprintf(err, "liq: error: cannot read query file %s: %s\n", path, strerror(errno));
        else if (q[strspn(q, " \t\r\n")] == '{' || q[strspn(q, " \t\r\n")] == '[')
            return query_def(o, pool, err, path, q, len); /* a query can start with neither */
        else if (o->query_name) {
            fprintf(err, "liq: error: %s is a query, not a JSON export of query definitions: "
                         "--query-name has nothing to choose from\n", path);
            return NULL;
        }
        return q;
    }
    *len = o->query ? strlen(o->query) : 0;
    return o->query;
}

/* Compiles the query (q may be NULL with --filter-pattern) with --var, --filter-pattern and
 * --insights-defaults; diagnostics point into the text as the user wrote it. */
static LiqQuery *compile(CliOpts *o, apr_pool_t *pool, const char *q, size_t qlen, FILE *err)
{
    LiqDiagList *diags = diag_list_new(pool);
    const char *fp = o->filter_pattern;
    LiqCompileOptions co = {
        .pattern = fp,
        .pattern_len = fp ? strlen(fp) : 0,
        .params = o->vars,
        .nparams = o->nvars,
        .insights_defaults = o->insights_defaults,
        .max_fields = o->max_fields,
        .lookups = o->lookups,
        .nlookups = o->nlookups,
        .lookup_dir = cli_saved_dir(pool), /* NAME.csv beside the saved queries NAME.liq */
    };
    LiqQuery *lq = liq_compile_opts(pool, q, q ? qlen : 0, &co, diags);
    if (!lq) {
        print_diags(err, pool, diags, q, qlen, fp, 0);
        int n = diag_count(diags);
        if (n > 1)
            fprintf(err, "liq: %d errors in query\n", n);
        return NULL;
    }
    for (int i = 0; i < o->nvars; i++)
        if (!o->vars[i].used && !o->quiet && i < o->nvars_cli)
            fprintf(err,
                    "liq: warning: --var %.*s is not used: the query has no $%.*s or {{%.*s}}\n",
                    (int)o->vars[i].name_len, o->vars[i].name, (int)o->vars[i].name_len,
                    o->vars[i].name, (int)o->vars[i].name_len, o->vars[i].name);
    print_diags(err, pool, diags, q, qlen, fp, o->quiet); /* warnings */
    return lq;
}

/* ===== liq --follow (docs/follow.md) ===== */

typedef struct FollowCli {
    Out *w;
    FILE *err;
    apr_pool_t *pool;
    int quiet;
} FollowCli;

static void follow_report(void *ctx, const LiqDiagList *d)
{
    FollowCli *c = ctx;
    print_diags(c->err, c->pool, d, "", 0, NULL, c->quiet);
    fflush(c->err);
}

static int follow_begin(void *ctx)
{
    FollowCli *c = ctx;
    c->w->vt->begin(c->w);
    return c->w->failed;
}

/* --state-file: where the output stands (a regular file's size), UINT64_MAX for a pipe. */
static uint64_t follow_mark(void *ctx)
{
    FollowCli *c = ctx;
    struct stat st;
    fflush(c->w->fp);
    if (fstat(fileno(c->w->fp), &st) != 0 || !S_ISREG(st.st_mode))
        return UINT64_MAX;
    return (uint64_t)st.st_size;
}

/* A restart: output past the mark of the state came from reads the state does not hold, so
 * it is cut (they are read and written again). A pipe or a shorter file is left alone. */
static int follow_rewind(void *ctx, uint64_t mark)
{
    FollowCli *c = ctx;
    struct stat st;
    fflush(c->w->fp);
    int fd = fileno(c->w->fp);
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size <= mark)
        return 0;
    if (ftruncate(fd, (off_t)mark) != 0)
        return -1;
    return fseeko(c->w->fp, (off_t)mark, SEEK_SET) != 0 ? -1 : 0;
}

static int follow_end(void *ctx)
{
    FollowCli *c = ctx;
    c->w->vt->end(c->w);
    fflush(c->w->fp);
    return c->w->failed || ferror(c->w->fp);
}

/* Follows the inputs (LiqFollow) until SIGINT or SIGTERM, then exit 0. A query with a state
 * and no bins writes whole results, each with its header (csv, tsv), array (json) or table;
 * the others write one stream of rows. */
static int follow(CliOpts *o, apr_pool_t *pool, LiqQuery *lq, const LiqRunOptions *ro, Out *w,
                  const LiqOutput *lo, FILE *out, FILE *err)
{
    if (o->ngroups)
        return usage_error(err, "%s", "--follow reads files and directories named as inputs, "
                                      "not --log-group");
    if (!o->ninputs)
        return usage_error(err, "%s", "--follow needs files or directories to follow");
    for (int i = 0; i < o->ninputs; i++) {
        if (strcmp(o->inputs[i], "-") == 0)
            return usage_error(err, "%s",
                               "--follow reads files and directories: standard input is read "
                               "as it comes already (tail -F FILE | liq QUERY)");
    }
    double period;
    int64_t offset;
    int whole = liq_query_has_state(lq) && !liq_query_bin(lq, &period, &offset);
    FollowCli c = {w, err, pool, o->quiet};
    LiqFollowOptions fo = {o->poll_ms,     o->every_ms,
                           o->lateness_ms, &c,
                           follow_report,  whole ? follow_begin : NULL,
                           whole ? follow_end : NULL, o->state_file,
                           follow_mark,    follow_rewind,
                           NULL};
    struct stat sst; /* a restart continues the output of a run before: no second header */
    if (o->state_file && stat(o->state_file, &sst) == 0 && !whole)
        w->header = 0;
    LiqFollow *f = liq_follow_new(lq, ro, &fo);
    if (!f) {
        fprintf(err, "liq: error: out of memory\n");
        return CLI_EXIT_MEMORY;
    }
    LiqDiagList *d = diag_list_new(pool);
    if (!whole)
        w->vt->begin(w);
    cli_signals_follow(f);
    LiqStatus rs = liq_follow_exec(f, lo, d);
    cli_signals_follow(NULL);
    if (!whole && rs != LIQ_EUSAGE)
        w->vt->end(w);
    fflush(out);
    liq_follow_free(f);
    print_diags(err, pool, d, "", 0, NULL, o->quiet);
    if ((w->failed && w->err != EPIPE) || (ferror(out) && !w->failed)) {
        fprintf(err, "liq: error: cannot write the results: %s\n",
                strerror(w->err ? w->err : EIO));
        return CLI_EXIT_INTERNAL;
    }
    switch (rs) {
    case LIQ_OK:
    case LIQ_EOUTPUT: /* the reader went away */
        return CLI_EXIT_OK;
    case LIQ_EUSAGE:
        return CLI_EXIT_USAGE;
    case LIQ_EMEMORY:
        return CLI_EXIT_MEMORY;
    default:
        return CLI_EXIT_INTERNAL;
    }
}

/* The query on one line, whitespace runs as one space: the title of a chart. */
static const char *one_line(apr_pool_t *pool, const char *q, size_t len)
{
    char *t = apr_palloc(pool, len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int sp = q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r';
        if (sp && (o == 0 || t[o - 1] == ' '))
            continue;
        t[o++] = sp ? ' ' : q[i];
    }
    while (o && t[o - 1] == ' ')
        o--;
    t[o] = 0;
    return t;
}

/* After a run into the collector: the chart on stdout (--chart), the SVG (--chart-svg), and
 * the rows through the ordinary writer unless the chart or the SVG took stdout. */
static int draw(CliOpts *o, apr_pool_t *pool, Out *col, Out *w, FILE *svg, int *svg_written,
                const char *title, int nkeys, FILE *out, FILE *err)
{
    size_t nrows;
    const Datum *vals = out_collected(col, &nrows);
    if (w) {
        w->vt->begin(w);
        out_rows(w, vals, nrows, col->ncols);
        w->vt->end(w);
    }
    if (nrows == 0) {
        if (!o->quiet)
            fprintf(err, "liq: the query returned no rows: no chart drawn\n");
        return CLI_EXIT_OK;
    }
    const char *why = NULL;
    ChartModel *m = out_chart_model(pool, col->names, col->ncols, vals, nrows, nkeys, title, &why);
    if (!m) {
        fprintf(err, "liq: error: cannot chart this result: %s\n", why);
        fprintf(err, "  hint: a chart needs a stats query whose aggregates are numbers, such as "
                     "'stats count(*) by bin(5m)'\n");
        return CLI_EXIT_USAGE;
    }
    if (o->chart)
        out_chart_text(out, m, term_width(out));
    if (svg) {
        out_svg(svg, m);
        *svg_written = 1;
    }
    return CLI_EXIT_OK;
}

/* The options that change a query's result, as text: partial results of other options do
 * not merge (their fingerprints differ, cli/partial.h). Inputs, threads, memory and output
 * options change no row. */
static void partial_opts(const CliOpts *o, LiqBuf *b)
{
    buf_printf(b, "start=%d:%lld end=%d:%lld\n", o->has_start, (long long)o->start_ms, o->has_end,
               (long long)o->end_ms);
    buf_printf(b, "tz=%s\ntsfield=%s\ntsformat=%s\nyear=%d\nmultiline=%s\nformat=%s\n",
               o->tz ? o->tz : "", o->ts_field ? o->ts_field : "", o->ts_format ? o->ts_format : "",
               o->year, o->multiline ? o->multiline : "", o->input_format ? o->input_format : "");
    buf_printf(b, "maxline=%zu maxfields=%d\n", o->max_line, o->max_fields);
    buf_printf(b, "pattern=%s\n", o->filter_pattern ? o->filter_pattern : "");
    for (int i = 0; i < o->ninclude; i++)
        buf_printf(b, "include=%s\n", o->include[i]);
    for (int i = 0; i < o->nexclude; i++)
        buf_printf(b, "exclude=%s\n", o->exclude[i]);
    buf_addc(b, '\0');
}

static int run(CliOpts *o, apr_pool_t *pool, FILE *out, FILE *err)
{
    size_t qlen = 0;
    const char *q = o->fields ? NULL : load_query(o, pool, err, &qlen);
    if (!q && (o->query_file || o->saved))
        return CLI_EXIT_USAGE;
    LiqCompileOptions fco = {.max_fields = o->max_fields};
    LiqQuery *lq = o->fields ? liq_fields_query_opts(pool, &fco) : compile(o, pool, q, qlen, err);
    if (!lq)
        return CLI_EXIT_USAGE;
    int charting = o->chart || o->chart_svg;
    if (charting && !liq_query_has_stats(lq))
        return usage_error(err,
                           "%s needs a query with stats: without stats there is only a table "
                           "of events to show",
                           o->chart ? "--chart" : "--chart-svg");
    if (o->explain) {
        LiqBuf b = {0};
        liq_explain(lq, &b);
        fwrite(b.p, 1, b.len, out);
        buf_free(&b);
        return CLI_EXIT_OK;
    }
    FILE *svg = NULL;
    if (o->chart_svg) {
        svg = strcmp(o->chart_svg, "-") == 0 ? out : fopen(o->chart_svg, "w");
        if (!svg) {
            fprintf(err, "liq: error: cannot write %s: %s\n", o->chart_svg, strerror(errno));
            return CLI_EXIT_USAGE;
        }
    }
    const char *qstart, *qend; /* SOURCE group start=... end=...: where no --start/--end */
    if (liq_query_range(lq, &qstart, &qend)) {
        if (qstart && !o->has_start)
            o->has_start = liq_time_parse(qstart, o->now_ms, o->tz, &o->start_ms) == 1;
        if (qend && !o->has_end)
            o->has_end = liq_time_parse(qend, o->now_ms, o->tz, &o->end_ms) == 1;
    }
    if (liq_needs_range(lq) && !(o->has_start && o->has_end)) {
        fprintf(err, "liq: error: diff and logcompare compare two periods: give the current "
                     "one with --start and --end\n  hint: for example --start -2h --end now\n");
        return CLI_EXIT_USAGE;
    }
    static const char *stdin_only[] = {"-"};
    LiqRunOptions ro = {o->threads,   o->batch_rows,      o->max_line,       o->no_prefilter,
                        o->has_start, o->has_end,         o->start_ms,       o->end_ms,
                        o->inputs,    o->ninputs,         o->endpoint_url,   o->no_sign_request,
                        o->s3_read_timeout, o->s3_concurrency, o->stats == 2, NULL,
                        o->cache_dir, o->include, o->ninclude, o->exclude, o->nexclude,
                        o->input_format, o->ts_field, o->ts_format, o->tz, o->no_seek,
                        0,            0,                  NULL,              NULL, /* one run */
                        o->year,      o->multiline,
                        o->groups,    o->ngroups,         0,                 NULL,
                        NULL,         0,                  NULL,              NULL};
    ro.memory_limit = o->memory_set ? o->memory_limit : liq_memory_limit_default();
    ro.temp_dir = o->temp_dir;
    unsigned char fp[32];
    if (o->partial || o->merge) { /* partial results (issue 16, cli/partial.h) */
        LiqBuf po = {0};
        partial_opts(o, &po);
        cli_partial_fingerprint(lq, po.p, fp);
        buf_free(&po);
    }
    if (o->merge) { /* the inputs are partials: the run reads none */
        ro.inputs = NULL;
        ro.ninputs = 0;
    } else if (o->ninputs == 0 && o->ngroups == 0) {
        ro.inputs = stdin_only;
        ro.ninputs = 1;
        if (isatty(STDIN_FILENO) && !o->quiet)
            fprintf(err, "liq: reading logs from the terminal (end with Ctrl-D); pass files or "
                         "pipe logs in\n");
    }
    if (o->partial && o->merge) /* partials merged into one: a merge tree's node */
        return cli_merge_write(lq, &ro, o->inputs, o->ninputs, fp, out, err);
    if (o->partial)
        return cli_partial_write(lq, &ro, (unsigned)o->part_index, fp, out, err);
    const char **names;
    int ncols = liq_columns(lq, &names);
    const char *format = o->format;
    int tty = isatty(fileno(out));
    if (!format)
        format = tty ? "table" : "tsv";
    /* rows go to stdout unless the chart or the SVG goes there */
    int rows_out = !o->chart && !(svg && svg == out);
    Out *w = rows_out ? out_new(format, out, names, ncols, o->header) : NULL;
    if (w) {
        w->tty = tty;
        w->width = term_width(out);
    }
    Out *col = charting ? out_new("collect", out, names, ncols, 0) : NULL;
    Out *sink = col ? col : w;
    LiqOutput lo = out_liq(sink);
    if (o->follow) { /* w: no chart with --follow */
        int frc = follow(o, pool, lq, &ro, w, &lo, out, err);
        out_free(w);
        return frc;
    }
    LiqRunStats st = {0};
    LiqDiagList *rdiags = diag_list_new(pool);
    /* the progress bar: on a terminal stderr, unless rows stream to the same terminal (a
     * table waits for the end, but not for standard input that is a pipe or a terminal: its
     * rows come as its lines do); --progress forces it, --no-progress and -q never */
    LiqProgress prog = {0};
    int err_tty = isatty(fileno(err));
    struct stat in_st;
    int live = !liq_query_has_state(lq) && ro.inputs == stdin_only &&
               (fstat(STDIN_FILENO, &in_st) != 0 || !S_ISREG(in_st.st_mode));
    int table_waits = strcmp(format, "table") == 0 && !live;
    int bar = o->quiet ? 0
              : o->progress >= 0 ? o->progress
                                 : err_tty && (!tty || table_waits || !w);
    if (bar)
        ro.progress = &prog;
    double t0 = now_s();
    LiqRun *lr = liq_run_new(lq, &ro);
    CliMerge *mrows = NULL;
    int merge_inc = 0;
    if (o->merge && lr) { /* every partial read and checked before anything is written */
        int mrc = cli_merge_read(lq, lr, o->inputs, o->ninputs, fp, rdiags, &merge_inc, &mrows,
                                 err);
        if (mrc) {
            liq_run_free(lr);
            out_free(w);
            out_free(col);
            if (svg && svg != out)
                fclose(svg);
            return mrc;
        }
    }
    sink->vt->begin(sink);
    CliProgress *pb = bar ? cli_progress_start(&prog, err, term_width(err), err_tty) : NULL;
    LiqStatus rs = LIQ_EINTERNAL;
    if (lr) { /* SIGINT and SIGTERM cancel it (cli/sig.h) */
        cli_signals_watch(lr);
        rs = mrows ? cli_merge_rows(mrows, lq, &lo) : liq_run_exec(lr, &lo, &st, rdiags);
        cli_signals_watch(NULL);
    }
    cli_merge_free(mrows);
    if (merge_inc && rs == LIQ_OK) /* a partial did not read all its input */
        rs = LIQ_EINCOMPLETE;
    cli_progress_stop(pb);
    sink->vt->end(sink);
    int rc = CLI_EXIT_OK, svg_written = 0;
    if (col && rs != LIQ_ECANCELLED) { /* a cancelled stats run has no result to draw */
        LiqBuf text = {0}; /* the title: the query as compiled, --var values filled in */
        liq_query_text(lq, &text);
        const char *title = one_line(pool, text.p ? text.p : "", text.len);
        buf_free(&text);
        rc = draw(o, pool, col, w, svg, &svg_written, title, liq_query_stats_keys(lq), out, err);
    }
    fflush(out);
    double dt = now_s() - t0;
    if (svg && svg != out) {
        if (fclose(svg) != 0) {
            fprintf(err, "liq: error: cannot write %s: %s\n", o->chart_svg, strerror(errno));
            rc = CLI_EXIT_INTERNAL;
        } else if (!svg_written) {
            remove(o->chart_svg); /* no chart: leave no empty file behind */
        }
    }
    print_diags(err, pool, rdiags, "", 0, NULL, o->quiet);
    int failed = (w && w->failed) || (col && col->failed) || ferror(out);
    int err_no = w && w->failed ? w->err : col && col->failed ? col->err : errno;
    if (w && strcmp(format, "table") == 0 && !failed && !o->quiet)
        table_footer(err, w->rows, &st, dt);
    if (o->stats) {
        double mb = (double)st.bytes_scanned / 1e6;
        fprintf(err,
                "liq: stats: %llu records scanned, %llu matched, %llu rows out, %.1f MB in %d "
                "input%s, %.3f s, %.1f MB/s, %.0f records/s\n",
                (unsigned long long)st.records_scanned, (unsigned long long)st.records_matched,
                (unsigned long long)st.rows_out, mb, st.inputs, st.inputs == 1 ? "" : "s", dt,
                dt > 0 ? mb / dt : 0.0, dt > 0 ? (double)st.records_scanned / dt : 0.0);
        int s3_in = 0; /* S3 inputs with --start/--end or --cache-dir: say what they saved */
        for (int i = 0; i < o->ninputs; i++)
            s3_in |= strncmp(o->inputs[i], "s3://", 5) == 0;
        if (st.s3_pruned || st.s3_cached ||
            (s3_in && (o->has_start || o->has_end || o->cache_dir)))
            fprintf(err,
                    "liq: stats: S3 objects: %llu pruned by their date path (--start/--end), "
                    "%llu read from --cache-dir\n",
                    (unsigned long long)st.s3_pruned, (unsigned long long)st.s3_cached);
        if (st.seek_inputs)
            fprintf(err,
                    "liq: stats: time seek: %.1f MB (%llu bytes) skipped in %d sorted input%s\n",
                    (double)st.seek_skipped / 1e6, (unsigned long long)st.seek_skipped,
                    st.seek_inputs, st.seek_inputs == 1 ? "" : "s");
        if (st.rows_held)
            fprintf(err, "liq: stats: sort/limit held at most %llu row%s at once\n",
                    (unsigned long long)st.rows_held, st.rows_held == 1 ? "" : "s");
        if (st.mem_peak)
            fprintf(err, "liq: stats: states held at most %.1f MB (%llu bytes) at once\n",
                    (double)st.mem_peak / 1e6, (unsigned long long)st.mem_peak);
        if (o->stats == 2)
            stats_verbose(err, &st);
    }
    if (rs == LIQ_ECANCELLED) /* exit 130 or 143; a result over all input is not printed */
        fprintf(err, "liq: %s: stopped early; %s\n",
                cli_signal_caught() == SIGTERM ? "terminated (SIGTERM)" : "interrupted (SIGINT)",
                !liq_query_has_state(lq) ? "the rows written are those found so far"
                : st.rows_out ? "the result was cut while it was written: it is incomplete"
                              : "the result was cut before all input was read, so none of it "
                                "is printed");
    liq_run_free(lr); /* st.ops lives in it */
    out_free(w);
    out_free(col);
    if (failed && err_no != EPIPE) {
        fprintf(err, "liq: error: cannot write the results: %s\n", strerror(err_no ? err_no : EIO));
        return CLI_EXIT_INTERNAL;
    }
    switch (rs) {
    case LIQ_OK:
    case LIQ_EOUTPUT: /* the reader went away (| head): not an error */
        return rc;
    case LIQ_EUSAGE:
        return CLI_EXIT_USAGE;
    case LIQ_EINCOMPLETE:
        fprintf(err, "liq: some input was not fully read (see above); results are incomplete\n");
        return CLI_EXIT_INCOMPLETE;
    case LIQ_ECANCELLED:
        return cli_signal_exit();
    case LIQ_EMEMORY: /* the diagnostic above says which operator and limit */
        return CLI_EXIT_MEMORY;
    default:
        return CLI_EXIT_INTERNAL;
    }
}

/* liq --splits N INPUT...: the work units, one per line (liq_splits, docs/scale-out.md). */
static int splits(CliOpts *o, FILE *out, FILE *err)
{
    if (o->ngroups || o->query_file)
        return usage_error(err, "%s", "--splits takes inputs only: give the query and "
                                      "--log-group to each --partial");
    char **u, msg[1536];
    int n;
    LiqRunOptions ro = {0}; /* what decides which S3 objects a run reads */
    ro.inputs = o->inputs;
    ro.ninputs = o->ninputs;
    ro.has_start = o->has_start;
    ro.has_end = o->has_end;
    ro.start_ms = o->start_ms;
    ro.end_ms = o->end_ms;
    ro.s3_endpoint = o->endpoint_url;
    ro.s3_no_sign = o->no_sign_request;
    ro.s3_read_timeout = o->s3_read_timeout;
    ro.s3_concurrency = o->s3_concurrency;
    ro.s3_cache_dir = o->cache_dir;
    ro.include = o->include;
    ro.ninclude = o->ninclude;
    ro.exclude = o->exclude;
    ro.nexclude = o->nexclude;
    LiqStatus st = liq_splits(&ro, o->splits, &u, &n, msg, sizeof(msg));
    if (st == LIQ_EINCOMPLETE) { /* an S3 listing failed: as a run's S3 fault, no unit */
        fprintf(err, "liq: error: %s\n  hint: no unit was written; --splits lists S3 inputs "
                     "with the options a run takes (--endpoint-url, --no-sign-request, "
                     "--start/--end, --include/--exclude)\n",
                msg);
        return CLI_EXIT_INCOMPLETE;
    }
    if (st == LIQ_EINTERNAL) {
        fprintf(err, "liq: internal error: %s\n", msg);
        return CLI_EXIT_INTERNAL;
    }
    if (st != LIQ_OK)
        return usage_error(err, "%s", msg);
    for (int i = 0; i < n; i++) {
        fprintf(out, "%s\n", u[i]);
        free(u[i]);
    }
    free(u);
    return fflush(out) == 0 || errno == EPIPE ? CLI_EXIT_OK : CLI_EXIT_INTERNAL;
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
    o.progress = -1;
    o.lateness_ms = 10000; /* --lateness (docs/follow.md) */
    int rc = collect(argc, argv, &o, out, err);
    if (rc < 0 && o.splits)
        rc = splits(&o, out, err);
    else if (rc < 0)
        rc = run(&o, pool, out, err);
    free(o.inputs);
    for (int i = 0; i < o.ngroups; i++)
        free((char *)(uintptr_t)o.groups[i].name);
    free(o.groups);
    free(o.vars);
    for (int i = 0; i < o.nlookups; i++)
        free((char *)(uintptr_t)o.lookups[i].name);
    free(o.lookups);
    apr_pool_destroy(pool);
    return rc;
}
