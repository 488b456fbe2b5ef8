/* sig.c -- SIGINT and SIGTERM (see sig.h)
 *
 * The handler does only async-signal-safe things: it records the signal number in a
 * sig_atomic_t, resets SIGINT and SIGTERM to their default action (sigaction) and writes the
 * number to the self-pipe (write). Its mask holds both signals, so a second one that comes
 * while it runs waits for it to return and then takes the default action. SA_RESTART keeps
 * the reads and writes of other threads going (the engine retries EINTR anyway).
 *
 * The watcher thread owns the rest: under `lock` it cancels the registered run. Registering
 * and unregistering take the same lock, so the run is never cancelled after cli.c freed it.
 * This is the CLI's own process state (the library keeps none).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include "cli/sig.h"

static volatile sig_atomic_t caught; /* the first signal, 0: none */
static int pipe_fd[2] = {-1, -1};    /* the self-pipe: [0] the watcher reads, [1] the handler writes */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static LiqRun *watched; /* under lock */
static LiqFollow *followed; /* a follower a signal stops (liq --follow), or NULL */
static int follow_stopped;  /* a signal stopped a follower: its normal end (exit 0) */
static int seen;        /* under lock: the watcher read a signal from the pipe */
static pthread_t watcher;
static int watching; /* the watcher thread runs */

static void set_action(int sig, void (*fn)(int))
{
    struct sigaction sa;
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sa.sa_flags = SA_RESTART;
    sigaction(sig, &sa, NULL);
}

static void on_signal(int sig)
{
    int saved = errno;
    if (!caught)
        caught = sig;
    struct sigaction cur; /* the second signal ends the process; an ignored one stays so */
    if (sigaction(SIGINT, NULL, &cur) == 0 && cur.sa_handler == on_signal)
        set_action(SIGINT, SIG_DFL);
    if (sigaction(SIGTERM, NULL, &cur) == 0 && cur.sa_handler == on_signal)
        set_action(SIGTERM, SIG_DFL);
    unsigned char b = (unsigned char)sig;
    ssize_t w = write(pipe_fd[1], &b, 1);
    (void)w;
    errno = saved;
}

static void *watch(void *arg)
{
    (void)arg;
    for (;;) {
        unsigned char b;
        ssize_t r = read(pipe_fd[0], &b, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || b == 0) /* 0: cli_signals_stop */
            return NULL;
        pthread_mutex_lock(&lock);
        seen = 1;
        if (watched)
            liq_run_cancel(watched);
        if (followed) {
            liq_follow_stop(followed);
            follow_stopped = 1;
        }
        pthread_mutex_unlock(&lock);
    }
}

int cli_signals_install(void)
{
    if (pipe(pipe_fd) != 0)
        return -1;
    for (int i = 0; i < 2; i++)
        fcntl(pipe_fd[i], F_SETFD, FD_CLOEXEC);
    int err = pthread_create(&watcher, NULL, watch, NULL);
    if (err != 0) {
        close(pipe_fd[0]);
        close(pipe_fd[1]);
        pipe_fd[0] = pipe_fd[1] = -1;
        errno = err; /* pthread_create returns its error; the caller reads errno */
        return -1;
    }
    watching = 1;
    /* a signal ignored on entry stays ignored: the shell starts background jobs (cmd &) with
     * SIGINT ignored so that Ctrl-C at the terminal leaves them alone, as nohup does SIGHUP */
    int sigs[] = {SIGINT, SIGTERM};
    for (int i = 0; i < 2; i++) {
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            set_action(sigs[i], on_signal);
    }
    return 0;
}

void cli_signals_stop(void)
{
    if (!watching)
        return;
    struct sigaction cur; /* from here on, a signal needs no watcher */
    if (sigaction(SIGINT, NULL, &cur) == 0 && cur.sa_handler == on_signal)
        set_action(SIGINT, SIG_DFL);
    if (sigaction(SIGTERM, NULL, &cur) == 0 && cur.sa_handler == on_signal)
        set_action(SIGTERM, SIG_DFL);
    unsigned char b = 0;
    while (write(pipe_fd[1], &b, 1) < 0 && errno == EINTR)
        ;
    pthread_join(watcher, NULL);
    watching = 0;
    close(pipe_fd[0]);
    close(pipe_fd[1]);
}

void cli_signals_watch(LiqRun *run)
{
    pthread_mutex_lock(&lock);
    watched = run;
    if (run && (seen || caught)) /* the signal came before the run: it stops at once */
        liq_run_cancel(run);
    pthread_mutex_unlock(&lock);
}

void cli_signals_follow(LiqFollow *f)
{
    pthread_mutex_lock(&lock);
    followed = f;
    if (f && (seen || caught)) {
        liq_follow_stop(f);
        follow_stopped = 1;
    }
    pthread_mutex_unlock(&lock);
}

int cli_signal_stopped_follower(void)
{
    pthread_mutex_lock(&lock);
    int r = follow_stopped;
    pthread_mutex_unlock(&lock);
    return r;
}

int cli_signal_caught(void)
{
    return caught;
}

int cli_signal_exit(void)
{
    return 128 + (caught ? caught : SIGINT); /* the registry's 130 and 143 (main.c checks) */
}
