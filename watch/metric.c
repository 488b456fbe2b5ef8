/* metric.c -- liq watch's metric filters as Insights queries (see metric.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include "base/civil.h"
#include "base/esc.h"
#include "base/num.h"
#include "watch/metric.h"

/* A selector's field name: "$.a.b" -> a.b, "$.a[0].b" -> a.0.b, "$name" -> name; NULL when
 * it is none of these (or holds a byte a field name in backticks cannot). */
static const char *sel_field(apr_pool_t *pool, const char *sel)
{
    if (!sel || sel[0] != '$' || !sel[1])
        return NULL;
    const char *p = sel + 1;
    LiqBuf b = {0};
    if (*p == '.') {
        p++;
        while (*p) {
            if (*p == '[') {
                char *end;
                long i = strtol(p + 1, &end, 10);
                if (end == p + 1 || *end != ']' || i < 0) {
                    buf_free(&b);
                    return NULL;
                }
                buf_printf(&b, "%s%ld", b.len ? "." : "", i);
                p = end + 1;
                if (*p == '.')
                    p++;
                continue;
            }
            if (*p == '.' && (!p[1] || p[1] == '.' || p[1] == '[')) {
                buf_free(&b);
                return NULL;
            }
            if (*p == '`' || *p == '*' || (unsigned char)*p < 0x20) {
                buf_free(&b);
                return NULL;
            }
            buf_addc(&b, *p++);
        }
    } else {
        for (; *p; p++) {
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')) {
                buf_free(&b);
                return NULL;
            }
            buf_addc(&b, *p);
        }
    }
    if (!b.len) {
        buf_free(&b);
        return NULL;
    }
    char *s = apr_pstrmemdup(pool, b.p, b.len);
    buf_free(&b);
    return s;
}

static int is_number(const char *s, double *v)
{
    return s && *s && num_parse(s, strlen(s), v);
}

int metric_def_check(const WatchMetricDef *d, char *why, size_t whylen)
{
    apr_pool_t *pool;
    if (apr_pool_create(&pool, NULL) != APR_SUCCESS) {
        snprintf(why, whylen, "out of memory");
        return 0;
    }
    int ok = 0;
    double v;
    const char *what = d->filter_name ? d->filter_name : d->metric ? d->metric : "";
    if (!d->metric || !*d->metric)
        snprintf(why, whylen, "a metric filter needs a metric name (--metric-name)");
    else if (!d->query && (!d->ns || !*d->ns))
        snprintf(why, whylen, "metric filter %s: a metric namespace is needed (--metric-namespace)",
                 what);
    else if (d->query && d->pattern && *d->pattern)
        snprintf(why, whylen,
                 "metric %s: --metric-query takes no --filter-pattern (filter in the query)",
                 what);
    else if (d->query && d->ndims)
        snprintf(why, whylen,
                 "metric %s: --metric-query takes no --dimensions (its 'by' keys are the "
                 "dimensions)",
                 what);
    else if (d->query && d->has_default)
        snprintf(why, whylen, "metric %s: --metric-query takes no --default-value", what);
    else if (!d->query && !d->value)
        snprintf(why, whylen, "metric filter %s: a metric value is needed (--metric-value)",
                 what);
    else if (!d->query && !is_number(d->value, &v) && !sel_field(pool, d->value))
        snprintf(why, whylen,
                 "metric filter %s: metric value '%s' is neither a number nor a field ('$.a.b' "
                 "in JSON, '$name' of a space-delimited pattern)",
                 what, d->value);
    else if (d->ndims > WATCH_MAX_DIMS)
        snprintf(why, whylen, "metric filter %s: at most %d dimensions (CloudWatch's limit)",
                 what, WATCH_MAX_DIMS);
    else if (d->ndims && d->has_default)
        snprintf(why, whylen,
                 "metric filter %s: a default value and dimensions cannot go together (as "
                 "CloudWatch refuses them)",
                 what);
    else {
        ok = 1;
        for (int i = 0; i < d->ndims && ok; i++) {
            if (!d->dims[i].name || !*d->dims[i].name) {
                snprintf(why, whylen, "metric filter %s: a dimension without a name", what);
                ok = 0;
            } else if (!sel_field(pool, d->dims[i].value)) {
                snprintf(why, whylen,
                         "metric filter %s: dimension %s: '%s' is not a field ('$.a.b' in "
                         "JSON, '$name' of a space-delimited pattern)",
                         what, d->dims[i].name, d->dims[i].value ? d->dims[i].value : "");
                ok = 0;
            }
            for (int j = 0; j < i && ok; j++)
                if (strcmp(d->dims[i].name, d->dims[j].name) == 0) {
                    snprintf(why, whylen, "metric filter %s: dimension %s given twice", what,
                             d->dims[i].name);
                    ok = 0;
                }
        }
    }
    apr_pool_destroy(pool);
    return ok;
}

void metric_period_text(LiqBuf *b, int64_t period_s)
{
    if (period_s % 3600 == 0)
        buf_printf(b, "%lldh", (long long)(period_s / 3600));
    else if (period_s % 60 == 0)
        buf_printf(b, "%lldm", (long long)(period_s / 60));
    else
        buf_printf(b, "%llds", (long long)period_s);
}

/* A number in a query: integral values as integers, others with 17 digits. */
static void q_num(LiqBuf *b, double v)
{
    if (v == (double)(int64_t)v && v > -1e15 && v < 1e15)
        buf_printf(b, "%lld", (long long)v);
    else
        buf_printf(b, "%.17g", v);
}

const char *metric_query_text(apr_pool_t *pool, const WatchMetricDef *d, int64_t period_s,
                              const double *pct, int npct)
{
    LiqBuf b = {0};
    double v;
    buf_adds(&b, "fields toNumber(");
    if (is_number(d->value, &v))
        q_num(&b, v);
    else
        buf_printf(&b, "`%s`", sel_field(pool, d->value));
    buf_adds(&b, ") as __v");
    for (int i = 0; i < d->ndims; i++)
        buf_printf(&b, ", `%s` as __d%d", sel_field(pool, d->dims[i].value), i);
    buf_adds(&b, " | filter ispresent(__v)");
    for (int i = 0; i < d->ndims; i++)
        buf_printf(&b, " and ispresent(__d%d)", i);
    buf_adds(&b, " | stats count(*) as n, sum(__v) as s, min(__v) as lo, max(__v) as hi");
    for (int i = 0; i < npct; i++) {
        buf_adds(&b, ", pct(__v, ");
        q_num(&b, pct[i]);
        buf_printf(&b, ") as p%d", i);
    }
    buf_adds(&b, " by bin(");
    metric_period_text(&b, period_s);
    buf_adds(&b, ") as t");
    for (int i = 0; i < d->ndims; i++)
        buf_printf(&b, ", __d%d", i);
    char *s = apr_pstrmemdup(pool, b.p, b.len);
    buf_free(&b);
    return s;
}

WatchMetric *metric_compile(apr_pool_t *pool, const WatchMetricDef *d, int64_t period_s,
                            const double *pct, int npct, LiqDiagList *diags)
{
    WatchMetric *m = apr_pcalloc(pool, sizeof(*m));
    m->def = d;
    m->period_s = period_s;
    m->npct = npct > METRIC_MAX_PCT ? METRIC_MAX_PCT : npct;
    for (int i = 0; i < m->npct; i++)
        m->pct[i] = pct[i];
    m->text = metric_query_text(pool, d, period_s, m->pct, m->npct);
    LiqCompileOptions co = {0};
    co.pattern = d->pattern && *d->pattern ? d->pattern : NULL;
    co.pattern_len = co.pattern ? strlen(co.pattern) : 0;
    m->q = liq_compile_opts(pool, m->text, strlen(m->text), &co, diags);
    if (!m->q)
        return NULL;
    const char **cols;
    m->ncols = liq_columns(m->q, &cols);
    m->cols = cols;
    m->cap_hour = INT64_MIN;
    m->cap_pool = pool;
    return m;
}

WatchMetric *metric_compile_query(apr_pool_t *pool, const WatchMetricDef *d, LiqDiagList *diags,
                                  char *why, size_t whylen)
{
    WatchMetric *m = apr_pcalloc(pool, sizeof(*m));
    m->def = d;
    m->text = d->query;
    m->q = liq_compile_opts(pool, d->query, strlen(d->query), NULL, diags);
    if (!m->q)
        return NULL;
    double period;
    int64_t offset;
    int keys = liq_query_stats_keys(m->q);
    if (!liq_query_bin(m->q, &period, &offset) || keys < 1) {
        snprintf(why, whylen,
                 "--metric-query: the query's stats must group by bin(PERIOD), and its result "
                 "be that stats' columns (its 'by' keys first)");
        return NULL;
    }
    int64_t ps = (int64_t)period / 1000;
    if (period <= 0 || offset != 0 || (int64_t)period % 1000 != 0 ||
        (ps != 10 && ps != 30 && ps % 60 != 0)) {
        snprintf(why, whylen,
                 "--metric-query: the bin must be a period as CloudWatch's, without an offset: "
                 "10s, 30s or whole minutes");
        return NULL;
    }
    const char **cols;
    m->ncols = liq_columns(m->q, &cols);
    m->cols = cols;
    if (m->ncols <= keys) {
        snprintf(why, whylen, "--metric-query: the query gives no value column after its keys");
        return NULL;
    }
    if (keys - 1 > WATCH_MAX_DIMS) {
        snprintf(why, whylen, "--metric-query: at most %d 'by' keys besides the bin",
                 WATCH_MAX_DIMS);
        return NULL;
    }
    m->period_s = (int64_t)period / 1000;
    m->qdims = keys - 1;
    m->value_col = keys;
    m->cap_hour = INT64_MIN;
    m->cap_pool = pool;
    return m;
}

/* ===== rows: tag byte, then 8 bytes (number, time) or a 4-byte length and bytes ===== */

void metric_format_row(const Datum *vals, int ncols, LiqBuf *out)
{
    for (int c = 0; c < ncols; c++) {
        const Datum *d = &vals[c];
        double f;
        if (d->type == VT_NULL) {
            buf_addc(out, 'n');
        } else if (d->type == VT_TS) {
            buf_addc(out, 't');
            buf_add(out, &d->v.i, 8);
        } else if (d->type == VT_NUM) {
            buf_addc(out, 'd');
            buf_add(out, &d->v.f, 8);
        } else if (d->type == VT_STR) {
            buf_addc(out, 's');
            uint32_t n = d->len;
            buf_add(out, &n, 4);
            buf_add(out, d->s, n);
            if (val_as_number(d, &f)) { /* a numeric string: its number too */
                buf_addc(out, 'd');
                buf_add(out, &f, 8);
            } else {
                buf_addc(out, 'n');
            }
        } else {
            LiqBuf t = {0};
            val_format(&t, d);
            buf_addc(out, 's');
            uint32_t n = (uint32_t)t.len;
            buf_add(out, &n, 4);
            buf_add(out, t.p ? t.p : "", n);
            buf_addc(out, 'n');
            buf_free(&t);
        }
    }
}

typedef struct Cell {
    char tag; /* n, t, d, s */
    int has_num;
    double num;
    int64_t ts;
    const char *s;
    uint32_t len;
} Cell;

/* Reads one cell; 0 when the bytes end inside it. */
static size_t cell_read(const char *p, size_t len, Cell *c)
{
    if (len < 1)
        return 0;
    memset(c, 0, sizeof(*c));
    c->tag = p[0];
    switch (p[0]) {
    case 'n':
        return 1;
    case 't':
        if (len < 9)
            return 0;
        memcpy(&c->ts, p + 1, 8);
        c->num = (double)c->ts;
        c->has_num = 1;
        return 9;
    case 'd':
        if (len < 9)
            return 0;
        memcpy(&c->num, p + 1, 8);
        c->has_num = 1;
        return 9;
    case 's': {
        if (len < 5)
            return 0;
        memcpy(&c->len, p + 1, 4);
        if (len < 5 + (size_t)c->len + 1)
            return 0;
        c->s = p + 5;
        size_t k = 5 + c->len;
        if (p[k] == 'd') {
            if (len < k + 9)
                return 0;
            memcpy(&c->num, p + k + 1, 8);
            c->has_num = 1;
            return k + 9;
        }
        return k + 1;
    }
    default:
        return 0;
    }
}

/* A cell's text in pool: strings as they are, numbers in their output form. */
static const char *cell_text(apr_pool_t *pool, const Cell *c)
{
    if (c->tag == 's')
        return apr_pstrmemdup(pool, c->s, c->len);
    if (c->tag == 'n')
        return "";
    LiqBuf b = {0};
    if (c->tag == 't') {
        Datum d = val_ts(c->ts);
        val_format(&b, &d);
    } else {
        num_format(&b, c->num);
    }
    const char *s = apr_pstrmemdup(pool, b.p ? b.p : "", b.len);
    buf_free(&b);
    return s;
}

size_t metric_point(const WatchMetric *m, const char *p, size_t len, apr_pool_t *pool,
                    WatchPoint *pt)
{
    Cell cells[64];
    int nc = m->ncols < 64 ? m->ncols : 64;
    size_t off = 0;
    for (int c = 0; c < m->ncols; c++) {
        Cell tmp;
        size_t k = cell_read(p + off, len - off, c < nc ? &cells[c] : &tmp);
        if (!k)
            return 0;
        off += k;
    }
    memset(pt, 0, sizeof(*pt));
    pt->ns = m->def->ns;
    pt->metric = m->def->metric;
    pt->unit = m->def->unit;
    pt->period_s = m->period_s;
    if (m->def->query) { /* bin, dims..., value */
        int tcol = -1, k = 0;
        for (int c = 0; c <= m->qdims && c < nc; c++)
            if (cells[c].tag == 't' && tcol < 0)
                tcol = c;
        if (tcol < 0 || m->value_col >= nc || !cells[m->value_col].has_num)
            return off; /* no point in this row */
        for (int c = 0; c <= m->qdims; c++) {
            if (c == tcol)
                continue;
            pt->dims[k].name = m->cols[c];
            pt->dims[k].value = cell_text(pool, &cells[c]);
            k++;
        }
        pt->ndims = k;
        pt->start_ms = cells[tcol].ts;
        double v = cells[m->value_col].num;
        pt->sample_count = 1;
        pt->sum = pt->min = pt->max = v;
        return off;
    }
    int nd = m->def->ndims, base = 1 + nd;
    if (nc < base + 4 + m->npct || cells[0].tag != 't')
        return off;
    pt->start_ms = cells[0].ts;
    pt->ndims = nd;
    for (int i = 0; i < nd; i++) {
        pt->dims[i].name = m->def->dims[i].name;
        pt->dims[i].value = cell_text(pool, &cells[1 + i]);
    }
    pt->sample_count = cells[base].num;
    pt->sum = cells[base + 1].num;
    pt->min = cells[base + 2].num;
    pt->max = cells[base + 3].num;
    if (m->npct) {
        double *pv = apr_palloc(pool, sizeof(double) * (size_t)m->npct);
        for (int i = 0; i < m->npct; i++)
            pv[i] = cells[base + 4 + i].has_num ? cells[base + 4 + i].num : 0;
        pt->npct = m->npct;
        pt->pct_p = m->pct;
        pt->pct_v = pv;
    }
    return off;
}

void metric_default_point(const WatchMetric *m, int64_t start_ms, double *pv, WatchPoint *pt)
{
    memset(pt, 0, sizeof(*pt));
    pt->ns = m->def->ns;
    pt->metric = m->def->metric;
    pt->unit = m->def->unit;
    pt->period_s = m->period_s;
    pt->start_ms = start_ms;
    pt->sample_count = 1;
    pt->sum = pt->min = pt->max = m->def->default_value;
    pt->is_default = 1;
    for (int i = 0; i < m->npct; i++)
        pv[i] = m->def->default_value;
    pt->npct = m->npct;
    pt->pct_p = m->npct ? m->pct : NULL;
    pt->pct_v = m->npct ? pv : NULL;
}

int metric_cap_add(WatchMetric *m, const WatchPoint *pt)
{
    if (m->disabled)
        return 0;
    if (!pt->ndims)
        return 0;
    int64_t hour = pt->start_ms / 3600000;
    if (!m->cap_seen || hour != m->cap_hour) { /* a new hour: the pairs of the last one go */
        if (!m->cap_sub)
            apr_pool_create(&m->cap_sub, m->cap_pool);
        else
            apr_pool_clear(m->cap_sub);
        m->cap_seen = apr_hash_make(m->cap_sub);
        m->cap_hour = hour;
    }
    apr_hash_t *h = m->cap_seen;
    LiqBuf k = {0};
    for (int i = 0; i < pt->ndims; i++) {
        k.len = 0;
        buf_add(&k, pt->dims[i].name, strlen(pt->dims[i].name) + 1);
        buf_adds(&k, pt->dims[i].value);
        if (!apr_hash_get(h, k.p, (apr_ssize_t)k.len)) /* kept only when new */
            apr_hash_set(h, apr_pmemdup(m->cap_sub, k.p, k.len), (apr_ssize_t)k.len, "");
    }
    buf_free(&k);
    if (apr_hash_count(h) >= METRIC_DIM_PAIRS_CAP) {
        m->disabled = 1;
        return 1;
    }
    return 0;
}

void metric_json_str(LiqBuf *out, const char *s, size_t n)
{
    esc_json(out, s, n);
}

void metric_iso_time(LiqBuf *out, int64_t ms)
{
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    int y;
    unsigned mo, d;
    civil_date(days, &y, &mo, &d);
    buf_printf(out, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, mo, d, (int)(rem / 3600000),
               (int)(rem / 60000 % 60), (int)(rem / 1000 % 60), (int)(rem % 1000));
}

/* A percentile's name as CloudWatch writes it: p99, p99.9. */
static void pct_name(LiqBuf *out, double p)
{
    buf_addc(out, 'p');
    num_format(out, p);
}

void metric_point_json(LiqBuf *out, const WatchPoint *pt)
{
    buf_adds(out, "{\"type\":\"datapoint\",\"Namespace\":");
    metric_json_str(out, pt->ns ? pt->ns : "", pt->ns ? strlen(pt->ns) : 0);
    buf_adds(out, ",\"MetricName\":");
    metric_json_str(out, pt->metric, strlen(pt->metric));
    buf_adds(out, ",\"Dimensions\":[");
    for (int i = 0; i < pt->ndims; i++) {
        buf_adds(out, i ? ",{\"Name\":" : "{\"Name\":");
        metric_json_str(out, pt->dims[i].name, strlen(pt->dims[i].name));
        buf_adds(out, ",\"Value\":");
        metric_json_str(out, pt->dims[i].value, strlen(pt->dims[i].value));
        buf_addc(out, '}');
    }
    buf_adds(out, "],\"Timestamp\":\"");
    metric_iso_time(out, pt->start_ms);
    buf_printf(out, "\",\"Period\":%lld,\"Unit\":", (long long)pt->period_s);
    const char *u = pt->unit ? pt->unit : "None";
    metric_json_str(out, u, strlen(u));
    buf_adds(out, ",\"StatisticValues\":{\"SampleCount\":");
    num_format(out, pt->sample_count);
    buf_adds(out, ",\"Sum\":");
    num_format(out, pt->sum);
    buf_adds(out, ",\"Minimum\":");
    num_format(out, pt->min);
    buf_adds(out, ",\"Maximum\":");
    num_format(out, pt->max);
    buf_adds(out, "},\"Average\":");
    num_format(out, pt->sample_count > 0 ? pt->sum / pt->sample_count : 0);
    if (pt->npct && pt->pct_v) {
        buf_adds(out, ",\"ExtendedStatistics\":{");
        for (int i = 0; i < pt->npct; i++) {
            buf_adds(out, i ? ",\"" : "\"");
            pct_name(out, pt->pct_p[i]);
            buf_adds(out, "\":");
            num_format(out, pt->pct_v[i]);
        }
        buf_addc(out, '}');
    }
    if (pt->is_default)
        buf_adds(out, ",\"DefaultValue\":true");
    buf_addc(out, '}');
}
