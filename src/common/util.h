/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HYDRA_UTIL_H
#define HYDRA_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "error.h"

/* Allocation that cannot fail: a runtime that runs out of memory while
   setting up a container cannot do anything useful, so abort (as crun does). */
void *xmalloc0 (size_t size);
void *xrealloc (void *p, size_t size);
char *xstrdup (const char *s);
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* Read all of fd (at most max bytes; more is an EFBIG error).  The buffer is
   NUL-terminated; *len excludes the NUL. */
int hr_read_all (int fd, size_t max, char **out, size_t *len, hr_err *err);
/* Open name relative to dirfd (O_RDONLY|O_CLOEXEC|O_NOFOLLOW) and read it. */
int hr_read_file_at (int dirfd, const char *name, size_t max, char **out, size_t *len, hr_err *err);
/* write() until done, retrying EINTR and short writes.  -1 with errno. */
int hr_write_all (int fd, const void *buf, size_t len);
/* The same, with SIGPIPE ignored for the call: a reader that went away is
   EPIPE, not a signal that kills the runtime (a hook that does not read
   its stdin, an init that died before start). */
int hr_write_all_nosigpipe (int fd, const void *buf, size_t len);

/* A connected AF_UNIX SOCK_STREAM socket (close-on-exec) to path; `what`
   names it in errors. */
int hr_unix_connect (const char *path, const char *what, hr_err *err);

/* Make every fd from 3 + preserve_fds up close-on-exec: what the
   container's process must not inherit (CVE-2024-21626). */
int hr_fds_cloexec (int preserve_fds, hr_err *err);

/* --pid-file: written to a temporary and renamed, so a reader (an engine
   polling for it) never sees a partial pid. */
int hr_write_pid_file (const char *path, pid_t pid, hr_err *err);

/* The first `dir/name` along $PATH (a default when unset) that is a
   regular executable file, as execvp would find it on the host; NULL when
   none is.  For the helper programs the runtime runs (criu, newuidmap).
   Caller frees. */
char *hr_find_program (const char *name);

size_t strv_len (char *const *v);
bool str_has_prefix (const char *s, const char *prefix);

/* Field 22 of /proc/<pid>/stat: process start time in clock ticks since
   boot; with the pid it identifies a process across pid reuse.  0 when the
   process does not exist.  *state (when not NULL) gets field 3, the
   process state letter ('Z' for a zombie). */
unsigned long long hr_proc_start_time (pid_t pid, char *state);

/* A time as RFC 3339 in UTC with nanoseconds, as runc writes times
   ("2026-12-07T00:51:49.123456789Z").  Computed here rather than with
   gmtime_r and strftime, which make glibc load the time zone database and
   locale data even for UTC: a cost on every start of the runtime. */
#define HR_RFC3339_LEN 64
struct timespec;
void hr_format_rfc3339 (const struct timespec *ts, char buf[HR_RFC3339_LEN]);

/* The name of uid in /etc/passwd, or "" (the state's `owner`).  The file is
   read directly, as runc's user.CurrentUser does: getpwuid would start
   glibc's NSS machinery (nsswitch.conf, an nscd socket) for one name. */
char *hr_passwd_name (uid_t uid);

#endif
