/* tail.h -- the files liq --follow follows: what was appended since the last look, as tail -F
 *
 * A Tail follows the files and directories a run names (no standard input, no S3 here). It
 * keeps each file open and knows it by device and inode, so a name is only the way to find
 * files, never their identity:
 *
 *   append        the bytes past the offset read so far, up to the last newline (a line being
 *                 written waits for its end);
 *   rotation      the name now leads to another file (logrotate's rename and create): the old
 *                 file, still open, is read while it grows and closed once it did not for
 *                 poll_ms (then its last line even without a newline); the new one is read
 *                 from its start;
 *   copytruncate  the file is shorter than the offset read, or its first bytes changed (it
 *                 was truncated and written again before liq looked): read from 0 again;
 *   new files     a file that appears below a followed directory (--include/--exclude as for
 *                 the first read) is read from its start; one renamed within the directory
 *                 is the same file (same inode) and goes on from its offset.
 *
 * Compressed files and UTF-16/UTF-32 text are read whole, once, when found, and not followed
 * (a new one appears, an old one is not appended to). tail_scan says what to read as
 * LiqRanges (engine/liq.h); tail_commit takes them as read. tail_wait sleeps until the kernel
 * says something changed (inotify on the directories involved) or poll_ms pass (a rescan,
 * and the only way without inotify): no busy loop. tail_wake ends a wait from a signal
 * handler (a self-pipe).
 *
 * The offsets, devices, inodes and head checksums can be saved and loaded again (tail_save,
 * tail_load), so a follower restarted after a crash goes on where its last commit was (the
 * follower keeps the states of what it read in its state file: nothing is read again).
 *
 * Ownership: a Tail owns its descriptors and memory (malloc), freed by tail_close; spans from
 * tail_scan live until the next tail_scan or tail_close.
 *
 * Interface:
 *   tail_open    a Tail over the names (files, directories) with --include/--exclude
 *   tail_scan    look again: the spans to read now (0 or more)
 *   tail_commit  the spans of the last scan were read: advance, close rotated-away files
 *   tail_records hold a multi-line record back until it is whole
 *   tail_holding did the last scan hold a record back
 *   tail_wait    sleep until a change, a timeout or tail_wake: 1 change/timeout, 0 woken
 *   tail_wake    end a wait now (async-signal-safe)
 *   tail_save / tail_load  the offsets as text lines (--state-file)
 *   tail_close
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef LIQ_TAIL_H
#define LIQ_TAIL_H

#include <stdint.h>
#include "base/buf.h"
#include "base/diag.h"
#include "engine/liq.h"

typedef struct Tail Tail;

Tail *tail_open(const char *const *names, int n, const char *const *include, int ninclude,
                const char *const *exclude, int nexclude, int poll_ms);
/* The spans to read now into *spans (valid until the next scan), their number returned.
 * Problems (a name missing, unreadable) become warnings in diags, once per name and kind. */
int tail_scan(Tail *t, const LiqRange **spans, LiqDiagList *diags);
void tail_commit(Tail *t);
/* Multi-line records (--multiline-start, stack traces): starts(ctx, line, len) says whether a
 * line (no newline, no final CR, not empty) starts a record. A span then ends before the last
 * such line of what was appended, so its record, which later lines may continue, is read
 * whole in a later scan: once a line that starts a record follows it, or the file did not
 * grow for poll_ms (tail_wait wakes for that), or the file is closed (rotated away). NULL
 * (the default, and at the end of a follow): spans end at the last newline. */
void tail_records(Tail *t, int (*starts)(void *ctx, const char *line, size_t len), void *ctx);
/* Sleeps until something changed, timeout_ms (at most poll_ms; < 0: poll_ms) or tail_wake. */
int tail_wait(Tail *t, int timeout_ms);
/* Did the last tail_scan hold a record back (tail_records: its file grew within poll_ms)? */
int tail_holding(const Tail *t);
void tail_wake(Tail *t);
/* One line per followed file (after commit): "file DEV INO OFFSET HEADLEN HEADSUM GONE NAME":
 * GONE, rotated away (found again by inode in NAME's directory and read to its end); NAME as
 * tail_put_name writes it. */
void tail_save(const Tail *t, LiqBuf *out);
/* Takes the offsets of tail_save's lines (text, NUL-terminated) for the files it finds again
 * (same device and inode, at least OFFSET bytes, the same first HEADLEN bytes); others are
 * read from their start. Call before the first scan. Returns the files resumed. */
int tail_load(Tail *t, const char *text);
/* A name (a path, an S3 key) on one line of a state file: '%', control bytes and a leading
 * space as %XX (a newline in a name cannot end its line); tail_get_name reads n bytes of it
 * back (malloc'd). */
void tail_put_name(LiqBuf *out, const char *s);
char *tail_get_name(const char *p, size_t n);
void tail_close(Tail *t);

#endif
