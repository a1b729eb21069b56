/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Values that arrive on the command line or from engines: signal names,
 * exec --user specs, numeric ids, container ids.  Pure and strict (a lax
 * parser is how a typo or an attack turns into uid 0); fuzzed by
 * tests/fuzz/fuzz-values.c.
 */
#include <config.h>
#include "hydra.h"
#include "util.h"
#include "lifecycle/values.h"

#include <errno.h>
#include <stdint.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <strings.h>

static const struct
{
  const char *name;
  int signo;
} signals[] = {
  { "HUP", SIGHUP },     { "INT", SIGINT },       { "QUIT", SIGQUIT },   { "ILL", SIGILL },
  { "TRAP", SIGTRAP },   { "ABRT", SIGABRT },     { "IOT", SIGIOT },     { "BUS", SIGBUS },
  { "FPE", SIGFPE },     { "KILL", SIGKILL },     { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },
  { "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },   { "TERM", SIGTERM },
  { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CONT", SIGCONT },   { "STOP", SIGSTOP },
  { "TSTP", SIGTSTP },   { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },   { "URG", SIGURG },
  { "XCPU", SIGXCPU },   { "XFSZ", SIGXFSZ },     { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
  { "WINCH", SIGWINCH }, { "IO", SIGIO },         { "POLL", SIGPOLL },   { "PWR", SIGPWR },
  { "SYS", SIGSYS },
};

int
hr_parse_signal (const char *s, int *signo, hr_err *err)
{
  const char *name = s;
  char *end;
  long n;

  if (s == NULL || *s == '\0')
    return hr_error_plain (err, EINVAL, "unknown signal \"\"");
  errno = 0;
  n = strtol (s, &end, 10);
  if (*end == '\0')
    {
      /* 0 is valid: it only checks that the process exists (kill(2)),
         and runc accepts it. */
      if (errno || n < 0 || n > SIGRTMAX)
        return hr_error_plain (err, EINVAL, "unknown signal \"%s\"", s);
      *signo = (int) n;
      return 0;
    }
  if (strncasecmp (name, "SIG", 3) == 0)
    name += 3;
  for (size_t i = 0; i < sizeof (signals) / sizeof (signals[0]); i++)
    if (strcasecmp (name, signals[i].name) == 0)
      {
        *signo = signals[i].signo;
        return 0;
      }
  /* RTMIN, RTMIN+3, RTMAX-2 */
  if (strncasecmp (name, "RTMIN", 5) == 0 || strncasecmp (name, "RTMAX", 5) == 0)
    {
      int base = strncasecmp (name, "RTMIN", 5) == 0 ? SIGRTMIN : SIGRTMAX;
      long off = 0;
      if (name[5] != '\0')
        {
          errno = 0;
          off = strtol (name + 5, &end, 10);
          if (errno || *end != '\0' || (name[5] != '+' && name[5] != '-'))
            return hr_error_plain (err, EINVAL, "unknown signal \"%s\"", s);
        }
      if (base + off >= SIGRTMIN && base + off <= SIGRTMAX)
        {
          *signo = (int) (base + off);
          return 0;
        }
    }
  return hr_error_plain (err, EINVAL, "unknown signal \"%s\"", s);
}

/* (uid_t) -1 means "leave unchanged" to setresuid/setresgid: never an id. */
#define ID_MAX 4294967294ULL

int
hr_parse_id (const char *s, size_t len, const char *what, unsigned *out, hr_err *err)
{
  unsigned long long v = 0;

  if (len == 0)
    return hr_error_plain (err, EINVAL, "invalid %s: empty", what);
  for (size_t i = 0; i < len; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return hr_error_plain (err, EINVAL, "invalid %s `%.*s`: only decimal digits are accepted", what, (int) len,
                               s);
      v = v * 10 + (unsigned) (s[i] - '0');
      if (v > ID_MAX)
        return hr_error_plain (err, ERANGE, "invalid %s `%.*s`: out of range", what, (int) len, s);
    }
  *out = (unsigned) v;
  return 0;
}

/* Strict on purpose: a lax parser (atoi, strtoul without checks) turns
   "1:", "abc" or an overflowing number into uid 0 or a truncated id
   (crun CVE-2026-30892 class; runc 1.1 truncates 99999999999). */
int
hr_parse_user_spec (const char *s, unsigned *uid, unsigned *gid, bool *has_gid, hr_err *err)
{
  const char *colon = strchr (s, ':');

  *has_gid = colon != NULL;
  if (hr_parse_id (s, colon ? (size_t) (colon - s) : strlen (s), "uid", uid, err) < 0)
    return hr_error_wrap (err, "--user `%s`", s);
  if (colon && hr_parse_id (colon + 1, strlen (colon + 1), "gid", gid, err) < 0)
    return hr_error_wrap (err, "--user `%s`", s);
  return 0;
}

int
hr_validate_id (const char *id, hr_err *err)
{
  size_t len = id ? strlen (id) : 0;

  /* runc's rule: ^[a-zA-Z0-9_+-][a-zA-Z0-9_+.-]*$, at most 1024.  It keeps
     ids from naming paths ("..", "a/b") in the state root. */
  if (len == 0 || len > 1024)
    return hr_error_plain (err, EINVAL, "invalid container id: length must be 1 to 1024");
  for (size_t i = 0; i < len; i++)
    {
      char c = id[i];
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '+'
                || c == '-' || (c == '.' && i > 0);
      if (!ok)
        return hr_error_plain (err, EINVAL, "invalid container id format: %s", id);
    }
  return 0;
}

/* The home field of uid's first entry in passwd data (name:pw:uid:gid:
   gecos:home:shell), NULL when there is none.  The data is the
   container's, so hostile; nothing is assumed about it. */
char *
hr_passwd_home (const char *data, size_t len, uid_t uid)
{
  const char *end = data + len;

  for (const char *line = data, *eol; line < end; line = eol < end ? eol + 1 : end)
    {
      const char *f[7];
      size_t n = 0;

      eol = memchr (line, '\n', (size_t) (end - line));
      if (eol == NULL)
        eol = end;
      f[n++] = line;
      for (const char *c = line; c < eol && n < 7; c++)
        if (*c == ':')
          f[n++] = c + 1;
      if (n < 6)
        continue;
      /* the uid field: decimal digits only, up to the next ':' */
      unsigned long long v = 0;
      const char *c = f[2];
      for (; c < eol && *c >= '0' && *c <= '9' && v <= UINT32_MAX; c++)
        v = v * 10 + (unsigned) (*c - '0');
      if (c == f[2] || *c != ':' || v != (unsigned long long) uid)
        continue;
      const char *home_end = n > 6 ? f[6] - 1 : eol;
      char *home = xmalloc0 ((size_t) (home_end - f[5]) + 1);
      memcpy (home, f[5], (size_t) (home_end - f[5]));
      return home;
    }
  return NULL;
}
