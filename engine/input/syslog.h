/* syslog.h -- syslog lines (RFC 3164 and RFC 5424) as records with fields
 *
 * A text input whose first lines are syslog lines (syslog_sniff: most of them parse as one of
 * the two forms) is a syslog input: besides @timestamp (ts.h: RFC 3164's Mmm dd HH:MM:SS with
 * the year rule, RFC 5424's RFC 3339 time) its records have the fields
 *   host            HOSTNAME
 *   program         the TAG's name (RFC 3164: "sshd" of "sshd[24200]:"; a tag is a word
 *                   ending in ':' or "[pid]:"), APP-NAME (RFC 5424)
 *   pid             the TAG's [pid] (RFC 3164), PROCID (RFC 5424); a number when it is one
 *   msgid           MSGID (RFC 5424)
 *   structuredData  STRUCTURED-DATA as written (RFC 5424), and each of its parameters as
 *                   SD-ID.NAME ("exampleSDID@32473.iut"), its value unescaped
 *   facility, severity  from <PRI> when the line has one (numbers)
 *   message         the text after the header (MSG; a UTF-8 byte order mark dropped)
 * RFC 5424's nil value "-" is no value. A line of a syslog input that does not parse (a
 * continuation line joined to its record stays in its message) has none of these fields.
 * RFC 3164 header: [<PRI>]TIMESTAMP HOSTNAME TAG: MSG, the hostname left out when the word
 * after the time is already a tag; RFC 5424: <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID
 * MSGID STRUCTURED-DATA [MSG], also without <PRI>VERSION (as some collectors write files) when
 * the time is RFC 3339 (a 'T' between date and time).
 *
 * Interface:
 *   syslog_sniff   the syslog form of an input's first lines, or SYSLOG_NONE
 *   syslog_parse   the parts of one line
 *   syslog_get     one field of a parsed line by name, as a value
 *   syslog_each    every field a parsed line has (--fields)
 *
 * Ownership: a SyslogRec points into the line; values of syslog_get and syslog_each point
 * into the line or, for unescaped parameter values and dotted names, into the pool given.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_SYSLOG_H
#define LIQ_SYSLOG_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>
#include "engine/data/val.h"

typedef enum { SYSLOG_NONE = 0, SYSLOG_3164, SYSLOG_5424 } SyslogKind;

/* The parts of one syslog line (spans into it; len 0: absent). */
typedef struct SyslogRec {
    int pri; /* <PRI>, or -1 */
    const char *host, *program, *pid, *msgid, *sd, *msg;
    uint32_t host_len, program_len, pid_len, msgid_len, sd_len, msg_len;
} SyslogRec;

/* The form of p's first (up to 100) text lines: the one most of them parse as, or NONE. */
SyslogKind syslog_sniff(const char *p, size_t n);
/* Parses a record (its first line is the header; the message runs to the record's end).
 * Returns 0 when it is not a syslog line of that kind. */
int syslog_parse(SyslogKind k, const char *s, size_t n, SyslogRec *r);
/* The field called name (len bytes) of a parsed line: 1 and *v, or 0 when it has none. */
int syslog_get(const SyslogRec *r, const char *name, size_t len, apr_pool_t *pool, Datum *v);
/* Calls f for every field a parsed line has, in the order of the list above. */
void syslog_each(const SyslogRec *r, apr_pool_t *pool,
                 void (*f)(void *ctx, const char *name, size_t len, const Datum *v), void *ctx);

#endif
