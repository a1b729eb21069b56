/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "hydra.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
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
      if (errno || n <= 0 || n > SIGRTMAX)
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
