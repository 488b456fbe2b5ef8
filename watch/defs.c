/* defs.c -- liq watch --definitions: describe-metric-filters and describe-alarms JSON (defs.h)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "engine/data/jdom.h"
#include "watch/action.h"
#include "watch/alarm.h"
#include "watch/defs.h"

void defs_add_metric(apr_pool_t *pool, WatchDefs *defs, const WatchMetricDef *m)
{
    if (defs->nmetrics == defs->capmetrics) {
        int cap = defs->capmetrics ? defs->capmetrics * 2 : 8;
        WatchMetricDef *v = apr_pcalloc(pool, sizeof(*v) * (size_t)cap);
        if (defs->nmetrics)
            memcpy(v, defs->metrics, sizeof(*v) * (size_t)defs->nmetrics);
        defs->metrics = v;
        defs->capmetrics = cap;
    }
    defs->metrics[defs->nmetrics++] = *m;
}

void defs_add_alarm(apr_pool_t *pool, WatchDefs *defs, const WatchAlarmDef *a)
{
    if (defs->nalarms == defs->capalarms) {
        int cap = defs->capalarms ? defs->capalarms * 2 : 8;
        WatchAlarmDef *v = apr_pcalloc(pool, sizeof(*v) * (size_t)cap);
        if (defs->nalarms)
            memcpy(v, defs->alarms, sizeof(*v) * (size_t)defs->nalarms);
        defs->alarms = v;
        defs->capalarms = cap;
    }
    defs->alarms[defs->nalarms++] = *a;
}

typedef struct Rd {
    apr_pool_t *pool;
    const char *name; /* the file */
    char *why;
    size_t whylen;
    void (*warn)(void *ud, const char *msg);
    void *ud;
} Rd;

static const JdNode *get(const JdNode *o, const char *key)
{
    return o && o->type == JD_OBJ ? jdom_get(o, key, strlen(key)) : NULL;
}

/* A string member: 1 and *s (NULL when absent or null), or 0 when it is another kind. */
static int get_str(Rd *r, const JdNode *o, const char *key, const char **s)
{
    const JdNode *v = get(o, key);
    *s = NULL;
    if (!v || v->type == JD_NULL)
        return 1;
    if (v->type != JD_STR)
        return 0;
    *s = apr_pstrmemdup(r->pool, v->s, v->len);
    return 1;
}

/* A number member: 1 with *has and *d, or 0 when it is another kind. */
static int get_num(const JdNode *o, const char *key, int *has, double *d)
{
    const JdNode *v = get(o, key);
    *has = 0;
    if (!v || v->type == JD_NULL)
        return 1;
    if (v->type != JD_NUM || !isfinite(v->num))
        return 0;
    *has = 1;
    *d = v->num;
    return 1;
}

static int fail(Rd *r, const char *what, const char *msg)
{
    snprintf(r->why, r->whylen, "%s: %s: %s", r->name, what, msg);
    return -1;
}

static void warn(Rd *r, const char *what, const char *msg)
{
    if (r->warn) {
        char *s = apr_psprintf(r->pool, "%s: %s left out: %s", r->name, what, msg);
        r->warn(r->ud, s);
    }
}

/* One metric filter of describe-metric-filters (each of its metricTransformations). */
static int read_filter(Rd *r, const JdNode *f, int idx, WatchDefs *defs)
{
    WatchMetricDef m = {0};
    const char *what = apr_psprintf(r->pool, "metric filter %d", idx + 1);
    if (f->type != JD_OBJ)
        return fail(r, what, "not an object");
    if (!get_str(r, f, "filterName", &m.filter_name) ||
        !get_str(r, f, "filterPattern", &m.pattern) ||
        !get_str(r, f, "logGroupName", &m.log_group))
        return fail(r, what, "filterName, filterPattern and logGroupName are strings");
    if (m.filter_name)
        what = apr_psprintf(r->pool, "metric filter '%s'", m.filter_name);
    if (!m.pattern)
        m.pattern = "";
    const JdNode *ts = get(f, "metricTransformations");
    if (!ts || ts->type != JD_ARR || !ts->n)
        return fail(r, what, "no metricTransformations");
    for (size_t i = 0; i < ts->n; i++) {
        const JdNode *t = ts->kids[i];
        WatchMetricDef d = m;
        double v = 0;
        if (!t || t->type != JD_OBJ)
            return fail(r, what, "a metricTransformation is not an object");
        if (!get_str(r, t, "metricName", &d.metric) ||
            !get_str(r, t, "metricNamespace", &d.ns) || !get_str(r, t, "unit", &d.unit))
            return fail(r, what, "metricName, metricNamespace and unit are strings");
        const JdNode *mv = get(t, "metricValue");
        if (mv && mv->type == JD_STR)
            d.value = apr_pstrmemdup(r->pool, mv->s, mv->len);
        else if (mv && mv->type == JD_NUM) /* written as a number by hand */
            d.value = apr_pstrmemdup(r->pool, mv->s, mv->len);
        if (!get_num(t, "defaultValue", &d.has_default, &v))
            return fail(r, what, "defaultValue is a number");
        d.default_value = v;
        const JdNode *dims = get(t, "dimensions");
        if (dims && dims->type == JD_OBJ) {
            if (dims->n > WATCH_MAX_DIMS)
                return fail(r, what, "more than 3 dimensions (CloudWatch allows 3)");
            for (size_t k = 0; k < dims->n; k++) {
                if (dims->kids[k]->type != JD_STR)
                    return fail(r, what, "a dimension's value is a string ($.field)");
                d.dims[k].name = apr_pstrmemdup(r->pool, dims->keys[k], dims->keylens[k]);
                d.dims[k].value = apr_pstrmemdup(r->pool, dims->kids[k]->s, dims->kids[k]->len);
            }
            d.ndims = (int)dims->n;
        } else if (dims && dims->type != JD_NULL) {
            return fail(r, what, "dimensions is an object {\"Name\": \"$.field\"}");
        }
        char why[512];
        if (!metric_def_check(&d, why, sizeof(why)))
            return fail(r, what, why);
        defs_add_metric(r->pool, defs, &d);
    }
    return 0;
}

/* A list of strings (actions), NULL-terminated. */
static int get_list(Rd *r, const JdNode *o, const char *key, const char *const **out)
{
    const JdNode *v = get(o, key);
    *out = NULL;
    if (!v || v->type == JD_NULL)
        return 1;
    if (v->type != JD_ARR)
        return 0;
    const char **l = apr_pcalloc(r->pool, sizeof(char *) * (v->n + 1));
    for (size_t i = 0; i < v->n; i++) {
        if (v->kids[i]->type != JD_STR)
            return 0;
        l[i] = apr_pstrmemdup(r->pool, v->kids[i]->s, v->kids[i]->len);
    }
    *out = l;
    return 1;
}

/* One alarm of describe-alarms' MetricAlarms. 1: added; 0: left out (warned); -1: error. */
static int read_alarm(Rd *r, const JdNode *o, int idx, WatchDefs *defs)
{
    WatchAlarmDef a = {0};
    const char *what = apr_psprintf(r->pool, "alarm %d", idx + 1);
    if (o->type != JD_OBJ)
        return fail(r, what, "not an object");
    if (!get_str(r, o, "AlarmName", &a.alarm_name) || !a.alarm_name)
        return fail(r, what, "no AlarmName");
    what = apr_psprintf(r->pool, "alarm '%s'", a.alarm_name);
    const JdNode *mm = get(o, "Metrics");
    if (mm && (mm->type != JD_ARR || mm->n)) {
        warn(r, what, "an alarm on metric math (Metrics) is not evaluated by liq watch");
        return 0;
    }
    if (get(o, "ThresholdMetricId")) {
        warn(r, what, "an anomaly detection alarm (ThresholdMetricId) is not evaluated by liq "
                      "watch");
        return 0;
    }
    const char *stat, *ext, *op, *missing;
    if (!get_str(r, o, "AlarmDescription", &a.alarm_description) ||
        !get_str(r, o, "Namespace", &a.ns) || !get_str(r, o, "MetricName", &a.metric) ||
        !get_str(r, o, "Statistic", &stat) || !get_str(r, o, "ExtendedStatistic", &ext) ||
        !get_str(r, o, "ComparisonOperator", &op) || !get_str(r, o, "TreatMissingData", &missing))
        return fail(r, what, "AlarmDescription, Namespace, MetricName, Statistic, "
                             "ExtendedStatistic, ComparisonOperator and TreatMissingData are "
                             "strings");
    if (!a.metric)
        return fail(r, what, "no MetricName");
    a.extended_p = -1;
    if (stat && watch_statistic_parse(stat, &a.statistic) != 0)
        return fail(r, what, apr_psprintf(r->pool,
                                          "Statistic '%s' is not SampleCount, Average, Sum, "
                                          "Minimum or Maximum",
                                          stat));
    if (ext && watch_extended_parse(ext, &a.extended_p) != 0) {
        warn(r, what,
             apr_psprintf(r->pool, "ExtendedStatistic '%s': liq watch evaluates percentiles "
                                   "(p99, p99.9) only",
                          ext));
        return 0;
    }
    if (!op)
        return fail(r, what, "no ComparisonOperator");
    if (watch_compare_parse(op, &a.op) != 0) {
        warn(r, what,
             apr_psprintf(r->pool, "ComparisonOperator %s is not evaluated by liq watch (only "
                                   "the four threshold comparisons)",
                          op));
        return 0;
    }
    if (missing && watch_missing_parse(missing, &a.treat_missing) != 0)
        return fail(r, what, apr_psprintf(r->pool,
                                          "TreatMissingData '%s' is not missing, ignore, "
                                          "breaching or notBreaching",
                                          missing));
    int has;
    double v;
    if (!get_num(o, "Period", &has, &v) || !has || v != floor(v))
        return fail(r, what, "Period is a whole number of seconds");
    a.period_s = (int64_t)v;
    if (!get_num(o, "EvaluationPeriods", &has, &v) || !has || v != floor(v))
        return fail(r, what, "EvaluationPeriods is a whole number");
    a.evaluation_periods = (int)v;
    if (!get_num(o, "DatapointsToAlarm", &has, &v) || (has && v != floor(v)))
        return fail(r, what, "DatapointsToAlarm is a whole number");
    a.datapoints_to_alarm = has ? (int)v : a.evaluation_periods;
    if (!get_num(o, "Threshold", &has, &v) || !has)
        return fail(r, what, "no Threshold");
    a.threshold = v;
    const JdNode *en = get(o, "ActionsEnabled");
    a.actions_enabled = !(en && en->type == JD_FALSE);
    if (!get_list(r, o, "AlarmActions", &a.alarm_actions) ||
        !get_list(r, o, "OKActions", &a.ok_actions) ||
        !get_list(r, o, "InsufficientDataActions", &a.insufficient_data_actions))
        return fail(r, what, "AlarmActions, OKActions and InsufficientDataActions are lists of "
                             "strings");
    const JdNode *dims = get(o, "Dimensions");
    if (dims && dims->type == JD_ARR) {
        if (dims->n > WATCH_MAX_DIMS) {
            warn(r, what, "more than 3 dimensions: no metric filter of liq watch makes such a "
                          "metric");
            return 0;
        }
        for (size_t k = 0; k < dims->n; k++) {
            const char *n, *val;
            if (!get_str(r, dims->kids[k], "Name", &n) || !get_str(r, dims->kids[k], "Value", &val) ||
                !n || !val)
                return fail(r, what, "Dimensions are [{\"Name\": ..., \"Value\": ...}]");
            a.dims[k].name = n;
            a.dims[k].value = val;
        }
        a.ndims = (int)dims->n;
    } else if (dims && dims->type != JD_NULL) {
        return fail(r, what, "Dimensions are [{\"Name\": ..., \"Value\": ...}]");
    }
    char *err = NULL;
    if (watch_alarm_check(&a, &err) != 0 || watch_actions_check(&a, &err) != 0) {
        int rc = fail(r, what, err ? err : "invalid");
        free(err);
        return rc;
    }
    defs_add_alarm(r->pool, defs, &a);
    return 1;
}

int defs_read(apr_pool_t *pool, const char *text, size_t len, const char *name, WatchDefs *defs,
              void (*warnfn)(void *ud, const char *msg), void *ud, char *why, size_t whylen)
{
    Rd r = {pool, name, why, whylen, warnfn, ud};
    const JdNode *root = jdom_parse(pool, text, len);
    if (!root || root->type != JD_OBJ) {
        snprintf(why, whylen,
                 "%s: not a JSON object (the output of aws logs describe-metric-filters or aws "
                 "cloudwatch describe-alarms)",
                 name);
        return -1;
    }
    const JdNode *mf = get(root, "metricFilters");
    const JdNode *ma = get(root, "MetricAlarms");
    const JdNode *ca = get(root, "CompositeAlarms");
    if (!mf && !ma && !ca) {
        snprintf(why, whylen,
                 "%s: neither \"metricFilters\" (aws logs describe-metric-filters) nor "
                 "\"MetricAlarms\" (aws cloudwatch describe-alarms)",
                 name);
        return -1;
    }
    if ((mf && mf->type != JD_ARR) || (ma && ma->type != JD_ARR) || (ca && ca->type != JD_ARR)) {
        snprintf(why, whylen, "%s: metricFilters, MetricAlarms and CompositeAlarms are lists",
                 name);
        return -1;
    }
    for (size_t i = 0; mf && i < mf->n; i++)
        if (read_filter(&r, mf->kids[i], (int)i, defs) != 0)
            return -1;
    for (size_t i = 0; ma && i < ma->n; i++)
        if (read_alarm(&r, ma->kids[i], (int)i, defs) < 0)
            return -1;
    for (size_t i = 0; ca && i < ca->n; i++) {
        const char *n = NULL;
        get_str(&r, ca->kids[i], "AlarmName", &n);
        warn(&r, apr_psprintf(pool, "composite alarm '%s'", n ? n : "?"),
             "composite alarms are not evaluated by liq watch");
    }
    return 0;
}
