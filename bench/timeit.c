/* SPDX-License-Identifier: Apache-2.0
 *
 * timeit: run one command, or a small script of commands, and print its
 * wall time, CPU time and peak RSS on one line.  bench/run-bench calls it
 * once per measured invocation so that the shell driving the benchmark
 * adds nothing to the numbers: the clock starts just before the first
 * fork and stops after the last wait4.
 *
 *   timeit [-n REPEAT] [-l LOG] -- CMD ARG...
 *   timeit [-n REPEAT] [-l LOG] -f SCRIPT
 *
 * SCRIPT has one command per line, argv split on blanks (no quoting: the
 * benchmark's paths have no spaces).  A line starting with '&' starts the
 * command without waiting for it; a line "wait" waits for every command
 * started so.  A line starting with '!' is set-up: it runs once, before
 * the clock starts, and neither its time nor its rusage is counted (the
 * seccomp scenario empties the filter cache so, for its cold row).
 * REPEAT runs the whole script that many times in one measurement
 * (crun's "100 sequential runs" recipe).
 *
 * Output (stdout):  ok WALL_MS CPU_MS MAXRSS_KIB
 *               or  fail LINE STATUS WALL_MS CPU_MS MAXRSS_KIB
 * CPU is user+system of every command, including the descendants each one
 * reaped (wait4's rusage); MAXRSS is the largest ru_maxrss seen, which
 * for a process also covers the descendants it reaped (the container's
 * init before it exec'd, for `run`).  Commands' stdout and stderr go to
 * LOG (default /dev/null), stdin is /dev/null.  Exit status: 0 when every
 * command exited 0, 1 otherwise, 2 on usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 512
#define MAX_ARGS 64

struct cmd {
        int background;   /* '&': do not wait for it here */
        int setup;        /* '!': once, before the clock starts */
        int is_wait;      /* "wait": reap every background command */
        int line;
        char *argv[MAX_ARGS + 1];
};

static struct cmd cmds[MAX_CMDS];
static int ncmds;

/* What the measurement accumulates over every command. */
static struct {
        double cpu_ms;
        long maxrss_kib;
        int fail_line;    /* 0: all succeeded so far */
        int fail_status;
} acc;

static double ms_of(const struct timeval *tv)
{
        return tv->tv_sec * 1e3 + tv->tv_usec / 1e3;
}

static double now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int parse_line(char *s, int lineno)
{
        while (*s == ' ' || *s == '\t')
                s++;
        if (*s == '\0' || *s == '#')
                return 0;
        if (ncmds == MAX_CMDS) {
                fprintf(stderr, "timeit: more than %d commands\n", MAX_CMDS);
                return -1;
        }
        struct cmd *c = &cmds[ncmds];
        c->line = lineno;
        if (*s == '&') {
                c->background = 1;
                s++;
        } else if (*s == '!') {
                c->setup = 1;
                s++;
        }
        int n = 0;
        for (char *tok = strtok(s, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
                if (n == MAX_ARGS) {
                        fprintf(stderr, "timeit: line %d: too many arguments\n", lineno);
                        return -1;
                }
                c->argv[n++] = tok;
        }
        if (n == 0)
                return 0;
        c->is_wait = !c->background && n == 1 && strcmp(c->argv[0], "wait") == 0;
        ncmds++;
        return 0;
}

static int load_script(const char *path)
{
        FILE *f = fopen(path, "re");
        if (!f) {
                fprintf(stderr, "timeit: %s: %s\n", path, strerror(errno));
                return -1;
        }
        char *line = NULL;
        size_t cap = 0;
        int lineno = 0, r = 0;
        while (r == 0 && getline(&line, &cap, f) >= 0)
                r = parse_line(strdup(line), ++lineno);
        free(line);
        fclose(f);
        return r;
}

static void account(int line, int status, const struct rusage *ru)
{
        acc.cpu_ms += ms_of(&ru->ru_utime) + ms_of(&ru->ru_stime);
        if (ru->ru_maxrss > acc.maxrss_kib)
                acc.maxrss_kib = ru->ru_maxrss;
        int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!ok && acc.fail_line == 0) {
                acc.fail_line = line;
                acc.fail_status = WIFEXITED(status) ? WEXITSTATUS(status)
                                                    : 128 + WTERMSIG(status);
        }
}

/* pids of running background commands and their script lines */
static pid_t bg_pid[MAX_CMDS];
static int bg_line[MAX_CMDS];
static int nbg;

static void reap_background(void)
{
        for (int i = 0; i < nbg; i++) {
                int status;
                struct rusage ru;
                while (wait4(bg_pid[i], &status, 0, &ru) < 0 && errno == EINTR)
                        ;
                account(bg_line[i], status, &ru);
        }
        nbg = 0;
}

static int run_script(int logfd, int setup)
{
        for (int i = 0; i < ncmds; i++) {
                struct cmd *c = &cmds[i];
                if (c->setup != setup)
                        continue;
                if (c->is_wait) {
                        reap_background();
                        continue;
                }
                pid_t pid = fork();
                if (pid < 0) {
                        perror("timeit: fork");
                        return -1;
                }
                if (pid == 0) {
                        int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
                        if (nul < 0 || dup2(nul, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0)
                                _exit(126);
                        execvp(c->argv[0], c->argv);
                        dprintf(2, "timeit: %s: %s\n", c->argv[0], strerror(errno));
                        _exit(127);
                }
                if (c->background) {
                        bg_pid[nbg] = pid;
                        bg_line[nbg++] = c->line;
                        continue;
                }
                int status;
                struct rusage ru;
                while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
                        ;
                account(c->line, status, &ru);
        }
        reap_background();  /* a script need not end with "wait" */
        return 0;
}

int main(int argc, char **argv)
{
        long repeat = 1;
        const char *log = "/dev/null", *script = NULL;
        int opt;
        while ((opt = getopt(argc, argv, "+n:l:f:")) != -1) {
                switch (opt) {
                case 'n': repeat = strtol(optarg, NULL, 10); break;
                case 'l': log = optarg; break;
                case 'f': script = optarg; break;
                default: goto usage;
                }
        }
        if (repeat < 1)
                goto usage;
        if (script) {
                if (optind != argc || load_script(script) < 0)
                        goto usage;
        } else {
                if (optind >= argc || argc - optind > MAX_ARGS)
                        goto usage;
                cmds[0].line = 1;
                for (int i = optind; i < argc; i++)
                        cmds[0].argv[i - optind] = argv[i];
                ncmds = 1;
        }
        int logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (logfd < 0) {
                fprintf(stderr, "timeit: %s: %s\n", log, strerror(errno));
                return 2;
        }

        if (run_script(logfd, 1) < 0)
                return 2;
        /* Set-up's failures count, its costs do not. */
        acc.cpu_ms = 0;
        acc.maxrss_kib = 0;
        double t0 = now_ms();
        for (long r = 0; r < repeat && acc.fail_line == 0; r++)
                if (run_script(logfd, 0) < 0)
                        return 2;
        double wall = now_ms() - t0;

        if (acc.fail_line)
                printf("fail %d %d %.3f %.3f %ld\n", acc.fail_line, acc.fail_status,
                       wall, acc.cpu_ms, acc.maxrss_kib);
        else
                printf("ok %.3f %.3f %ld\n", wall, acc.cpu_ms, acc.maxrss_kib);
        return acc.fail_line ? 1 : 0;

usage:
        fprintf(stderr, "usage: timeit [-n REPEAT] [-l LOG] -- CMD ARG...\n"
                        "       timeit [-n REPEAT] [-l LOG] -f SCRIPT\n");
        return 2;
}
