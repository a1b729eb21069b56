/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "util.h"
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void __attribute__ ((noreturn))
oom (void)
{
  static const char m[] = "hydra-runc: out of memory\n";
  (void) !write (2, m, sizeof (m) - 1);
  abort ();
}

void *
xmalloc0 (size_t size)
{
  void *p = calloc (1, size ? size : 1);
  if (p == NULL)
    oom ();
  return p;
}

void *
xrealloc (void *p, size_t size)
{
  void *n = realloc (p, size ? size : 1);
  if (n == NULL)
    oom ();
  return n;
}

char *
xstrdup (const char *s)
{
  char *r;
  if (s == NULL)
    return NULL;
  r = strdup (s);
  if (r == NULL)
    oom ();
  return r;
}

char *
xasprintf (const char *fmt, ...)
{
  char *r;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&r, fmt, ap) < 0)
    oom ();
  va_end (ap);
  return r;
}

int
hr_read_all (int fd, size_t max, char **out, size_t *len, hr_err *err)
{
  _cleanup_free_ char *buf = NULL;
  size_t used = 0, cap = 0;

  for (;;)
    {
      ssize_t r;
      if (cap - used < 4096)
        {
          cap = cap ? cap * 2 : 8192;
          buf = xrealloc (buf, cap + 1);
        }
      r = read (fd, buf + used, cap - used);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return hr_error_set (err, errno, "read");
      if (r == 0)
        break;
      used += (size_t) r;
      if (used > max)
        return hr_error_plain (err, EFBIG, "file larger than %zu bytes", max);
    }
  if (buf == NULL)
    buf = xmalloc0 (1);
  buf[used] = '\0';
  if (len)
    *len = used;
  *out = TAKE_PTR (buf);
  return 0;
}

int
hr_read_file_at (int dirfd, const char *name, size_t max, char **out, size_t *len, hr_err *err)
{
  _cleanup_close_ int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return hr_error_set (err, errno, "open `%s`", name);
  if (hr_read_all (fd, max, out, len, err) < 0)
    return hr_error_wrap (err, "read `%s`", name);
  return 0;
}

int
hr_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t w = write (fd, p, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      p += w;
      len -= (size_t) w;
    }
  return 0;
}

int
hr_write_all_nosigpipe (int fd, const void *buf, size_t len)
{
  struct sigaction ign = { .sa_handler = SIG_IGN }, old;
  sigaction (SIGPIPE, &ign, &old);
  int r = hr_write_all (fd, buf, len);
  int e = errno;
  sigaction (SIGPIPE, &old, NULL);
  errno = e;
  return r;
}

size_t
strv_len (char *const *v)
{
  size_t n = 0;
  while (v && v[n])
    n++;
  return n;
}

bool
str_has_prefix (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

unsigned long long
hr_proc_start_time (pid_t pid, char *state)
{
  char path[64], buf[1024];
  _cleanup_close_ int fd = -1;
  ssize_t n;
  char *p;
  int field;

  snprintf (path, sizeof (path), "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read (fd, buf, sizeof (buf) - 1);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  /* comm (field 2) may contain spaces and parentheses: skip to the last ')'. */
  p = strrchr (buf, ')');
  if (p == NULL)
    return 0;
  p++;
  if (state)
    *state = p[0] == ' ' ? p[1] : '?';
  for (field = 3; field < 22 && p; field++)
    p = strchr (p + 1, ' ');
  if (p == NULL)
    return 0;
  return strtoull (p + 1, NULL, 10);
}

int
hr_write_pid_file (const char *path, pid_t pid, hr_err *err)
{
  _cleanup_free_ char *tmp = xasprintf ("%s.tmp%d", path, (int) getpid ());
  _cleanup_close_ int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  char buf[32];
  int n = snprintf (buf, sizeof (buf), "%d", (int) pid);

  if (fd < 0)
    return hr_error_set (err, errno, "write pid file `%s`", path);
  if (hr_write_all (fd, buf, (size_t) n) < 0 || rename (tmp, path) < 0)
    {
      int e = errno;
      unlink (tmp);
      return hr_error_set (err, e, "write pid file `%s`", path);
    }
  return 0;
}

/* Days since 1970-01-01 -> proleptic Gregorian date, by 400-year eras of
   146097 days whose years start on March 1st (so the leap day is last). */
static void
civil_from_days (long long days, long long *y, unsigned *m, unsigned *d)
{
  days += 719468; /* 0000-03-01 -> 1970-01-01 */
  long long era = (days >= 0 ? days : days - 146096) / 146097;
  unsigned doe = (unsigned) (days - era * 146097);                       /* day of era [0, 146096] */
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* year of era [0, 399] */
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                /* day of year from March 1st */
  unsigned mp = (5 * doy + 2) / 153;                                     /* month from March [0, 11] */
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (long long) yoe + era * 400 + (*m <= 2);
}

void
hr_format_rfc3339 (const struct timespec *ts, char buf[HR_RFC3339_LEN])
{
  long long secs = (long long) ts->tv_sec, days = secs / 86400, rem = secs % 86400, y;
  unsigned m, d;

  if (rem < 0)
    {
      rem += 86400;
      days--;
    }
  civil_from_days (days, &y, &m, &d);
  snprintf (buf, HR_RFC3339_LEN, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%09ldZ", y, m, d, rem / 3600, rem / 60 % 60,
            rem % 60, (long) ts->tv_nsec);
}

char *
hr_passwd_name (uid_t uid)
{
  _cleanup_free_ char *data = NULL;
  /* The host's file, trusted: followed if it is a symlink (as getpwuid
     would; some distributions link /etc/passwd elsewhere), unlike
     hr_read_file_at's O_NOFOLLOW, which is for state and rootfs files. */
  _cleanup_close_ int fd = open ("/etc/passwd", O_RDONLY | O_CLOEXEC);
  hr_err err = NULL;

  if (fd < 0 || hr_read_all (fd, 16 << 20, &data, NULL, &err) < 0)
    {
      hr_error_free (&err);
      return xstrdup ("");
    }
  for (char *line = data, *next; line && *line; line = next)
    {
      next = strchr (line, '\n');
      if (next)
        *next++ = '\0';
      /* name:password:uid:... */
      char *c1 = strchr (line, ':'), *c2 = c1 ? strchr (c1 + 1, ':') : NULL, *end;
      if (c2 == NULL || c1 == line)
        continue;
      unsigned long v = strtoul (c2 + 1, &end, 10);
      if (end != c2 + 1 && *end == ':' && v == (unsigned long) uid)
        {
          *c1 = '\0';
          return xstrdup (line);
        }
    }
  return xstrdup ("");
}

int
hr_fds_cloexec (int preserve_fds, hr_err *err)
{
  unsigned first = 3 + (unsigned) (preserve_fds > 0 ? preserve_fds : 0);
  if (close_range (first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return 0;
  /* Kernels before 5.11 (no CLOSE_RANGE_CLOEXEC) or an outer seccomp
     profile that denies close_range: the same, one fd at a time, up to the
     fd limit (no /proc walk: this may run inside the container's root).
     As crun falls back. */
  struct rlimit rl;
  if (getrlimit (RLIMIT_NOFILE, &rl) < 0)
    return hr_error_set (err, errno, "getrlimit(RLIMIT_NOFILE)");
  rlim_t end = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20) ? (1u << 20) : rl.rlim_cur;
  for (rlim_t fd = first; fd < end; fd++)
    {
      int fl = fcntl ((int) fd, F_GETFD);
      if (fl >= 0 && !(fl & FD_CLOEXEC) && fcntl ((int) fd, F_SETFD, fl | FD_CLOEXEC) < 0)
        return hr_error_set (err, errno, "mark fd %d close-on-exec", (int) fd);
    }
  return 0;
}

int
hr_unix_connect (const char *path, const char *what, hr_err *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  _cleanup_close_ int sock = -1;
  int r;

  if (strlen (path) >= sizeof (sa.sun_path))
    return hr_error_plain (err, ENAMETOOLONG, "%s path too long: %s", what, path);
  strcpy (sa.sun_path, path);
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return hr_error_set (err, errno, "%s socket", what);
  do
    r = connect (sock, (struct sockaddr *) &sa, sizeof (sa));
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return hr_error_set (err, errno, "connect to %s `%s`", what, path);
  return TAKE_FD (sock);
}

char *
hr_find_program (const char *name)
{
  const char *path = getenv ("PATH");
  _cleanup_free_ char *copy = xstrdup (path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  char *save = NULL;

  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      char *cand = xasprintf ("%s/%s", *dir ? dir : ".", name);
      struct stat st;
      if (stat (cand, &st) == 0 && S_ISREG (st.st_mode) && access (cand, X_OK) == 0)
        return cand;
      free (cand);
    }
  return NULL;
}
