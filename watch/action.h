/* action.h -- what an alarm's state change sets off: commands and SNS-shaped webhooks
 *
 * On a state change (WatchEvent, watch/watch.h), and only then, the actions of the new state
 * run: AlarmActions for ALARM, OKActions for OK, InsufficientDataActions for
 * INSUFFICIENT_DATA (none when ActionsEnabled is false). Each action is
 *
 *  - an http:// or https:// URL: a POST of the JSON body Amazon SNS posts to an HTTP(S)
 *    subscription for a CloudWatch alarm (Type "Notification", MessageId, TopicArn, Subject
 *    'ALARM: "name" in US East (N. Virginia)', Message, Timestamp, and SNS's
 *    x-amz-sns-message-type/-message-id/-topic-arn headers), Message being the CloudWatch
 *    alarm JSON as a string (AlarmName, AlarmDescription, AWSAccountId, NewStateValue,
 *    NewStateReason, StateChangeTime, Region, AlarmArn, OldStateValue, OKActions,
 *    AlarmActions, InsufficientDataActions, Trigger {MetricName, Namespace, StatisticType,
 *    Statistic or ExtendedStatistic, Unit, Dimensions, Period, EvaluationPeriods,
 *    DatapointsToAlarm, ComparisonOperator, Threshold, TreatMissingData,
 *    EvaluateLowSampleCountPercentile}). There is no Signature (liq holds no SNS key).
 *    A connection failure, a timeout, 429 or 5xx is retried with exponential backoff
 *    (backoff_ms, doubled each time, at most backoff_max_ms apart) up to max_attempts; any
 *    other status, or the last failure, is a warning.
 *  - an AWS ARN (arn:aws:sns:..., arn:aws:automate:..., as definitions exported by
 *    `aws cloudwatch describe-alarms` hold): liq has no AWS to call; skipped with a warning
 *    ("action arn:aws:sns:us-east-1:123456789012:ops not run: liq watch runs commands and
 *    http(s) URLs, not AWS actions");
 *  - anything else: a command, split into words as the AWS CLI splits credential_process
 *    (quotes and backslashes, no shell: no variables, globs, pipes or redirections) and run
 *    with the Message JSON and a newline on its standard input, its standard output sent to
 *    liq's standard error (liq's standard output is data). Run once; a command that cannot
 *    start, exits non-zero, is killed by a signal or runs longer than timeout_ms (then
 *    killed) is a warning.
 *
 * Actions never block the reader: watch_actions_submit copies the event into a bounded queue
 * (queue_max jobs, one per action) served by one worker thread, which runs jobs in order and
 * sets webhooks waiting for a retry aside, so one failing endpoint does not hold the others.
 * When the queue is full, the new event's actions are dropped and a warning says so
 * ("alarm actions queue full (256 waiting): dropped 1 action of 'api-errors' (OK -> ALARM)");
 * never silently. watch_actions_stop(drain 1) returns once every queued job has succeeded or
 * spent its attempts, so a test or --once can rely on the deliveries having been made.
 *
 * Warnings reach the caller through opts.warn (from the worker thread); only cli/ and
 * watch/main.c write to stderr.
 *
 * Ownership: submit copies the event; the dispatcher owns its queue, thread and curl handles.
 *
 * Interface:
 *   watch_action_kind         an action string: a URL, a command, or invalid (with why)
 *   watch_region_name         "us-east-1" -> "US East (N. Virginia)", as SNS subjects say
 *   watch_event_message       the CloudWatch alarm JSON of an event (SNS Message, command
 *                             stdin, NDJSON state-change lines)
 *   watch_event_sns           the SNS notification body a webhook receives
 *   watch_action_opts_default, watch_actions_start, watch_actions_submit,
 *   watch_actions_stats, watch_actions_drain, watch_actions_stop    the dispatcher
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_WATCH_ACTION_H
#define LIQ_WATCH_ACTION_H

#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "watch/watch.h"

/* ===== actions and messages ===== */

typedef enum WatchActionKind {
    WATCH_ACTION_INVALID = -1,
    WATCH_ACTION_COMMAND = 0,
    WATCH_ACTION_URL = 1,
    WATCH_ACTION_ARN = 2, /* arn:...: an AWS action (SNS topic, EC2, Auto Scaling, ...) as
                           * describe-alarms exports them; liq cannot run it: skipped at each
                           * state change with a warning */
} WatchActionKind;

/* What an action string is: a URL (starts with http:// or https://, case-insensitive), an
 * AWS ARN (starts with "arn:"), a command (anything else whose words split: see above), or
 * invalid: an empty command, an
 * unclosed quote, a trailing backslash, a URL without a host; then *why (static text) says
 * why. APR must be initialised (liq_global_init): the words are split in a pool. */
WatchActionKind watch_action_kind(const char *action, const char **why);

/* The three action lists of an alarm checked with watch_action_kind (after
 * watch_alarm_check): 0, or -1 with *err (malloc'd, free() it) such as
 * "alarm 'api-errors': --alarm-actions 'notify 'x': no closing quotation". */
int watch_actions_check(const WatchAlarmDef *def, char **err);

/* The name SNS subjects and CloudWatch messages give a region ("US East (N. Virginia)"); an
 * unknown code is returned as it is. */
const char *watch_region_name(const char *code);

/* Where messages say they come from. NULL fields take the defaults. */
typedef struct WatchMsgOpts {
    const char *region;     /* region code; default "us-east-1" */
    const char *account_id; /* AWSAccountId and ARNs; default "000000000000" */
    const char *topic_arn;  /* SNS TopicArn; default "arn:aws:sns:REGION:ACCOUNT:liq-watch" */
} WatchMsgOpts;

/* Appends the CloudWatch alarm JSON of ev (one line, no newline): the Message of the SNS
 * notification, what a command reads on stdin. Times as CloudWatch writes them
 * ("2026-12-07T10:05:00.000+0000"). */
void watch_event_message(const WatchEvent *ev, const WatchMsgOpts *o, LiqBuf *out);

/* Appends the SNS notification body of ev (one line): message_id (a UUID; NULL: a random
 * version-4 UUID is made) and Timestamp (now, "2026-12-07T10:05:00.123Z"). */
void watch_event_sns(const WatchEvent *ev, const WatchMsgOpts *o, const char *message_id,
                     LiqBuf *out);

/* ===== the dispatcher ===== */

typedef struct WatchActionOpts {
    WatchMsgOpts msg;
    int queue_max;          /* jobs (one per action) waiting or retrying at most; 256 */
    int max_attempts;       /* HTTP attempts per webhook, the first included; 6 */
    int64_t backoff_ms;     /* wait before the first retry, doubled after each; 1000 */
    int64_t backoff_max_ms; /* longest wait between attempts; 60000 */
    int64_t timeout_ms;     /* one HTTP attempt (connection included), or one command; 10000 */
    /* Warnings (a full queue, a failed or refused delivery, a command that failed), one line
     * without "liq: warning: " and newline; called from the worker thread or from submit.
     * NULL: dropped (counted in the stats all the same). */
    void (*warn)(void *ud, const char *msg);
    void *warn_ud;
} WatchActionOpts;

/* The defaults above, zeroed msg and no warn. */
void watch_action_opts_default(WatchActionOpts *o);

typedef struct WatchActions WatchActions;

/* Starts the worker thread. libcurl must be initialised (liq_global_init). NULL with *err
 * (malloc'd) when the thread cannot start. */
WatchActions *watch_actions_start(const WatchActionOpts *o, char **err);

/* Queues the actions of ev's new state (its alarm's list for that state; nothing when the
 * list is empty or actions are disabled; nothing either when w is NULL: a replay). Never
 * blocks on an action. 0, or -1 when the queue had no room for them all: then none of them is
 * queued, and a warning is given. */
int watch_actions_submit(WatchActions *w, const WatchEvent *ev);

typedef struct WatchActionStats {
    uint64_t queued;    /* jobs accepted */
    uint64_t delivered; /* webhooks answered 2xx, commands that exited 0 */
    uint64_t failed;    /* jobs given up (warned) */
    uint64_t dropped;   /* jobs refused by a full queue or left when stopped without drain */
    uint64_t retries;   /* webhook attempts after the first */
} WatchActionStats;

void watch_actions_stats(WatchActions *w, WatchActionStats *st);

/* Waits until every job queued so far has run to its end (success, or all its attempts), the
 * dispatcher still running: for final counters before watch_actions_stop. NULL: no-op. */
void watch_actions_drain(WatchActions *w);

/* Stops the worker and frees everything. drain 1: first every queued job runs to its end
 * (success, or all its attempts); drain 0: the job running finishes its attempt, the rest are
 * dropped with one warning saying how many. NULL is a no-op. */
void watch_actions_stop(WatchActions *w, int drain);

#endif
