/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The migration supervisor (supervise.h).  The child's records on the
 * pipe: a tag byte, a 32-bit length, the payload: 'p' progress (1 byte),
 * 'r' the result, 'e' an error message.  Read to EOF and checked like any
 * message (sized, never truncated), though the child is our own.
 */
#include <config.h>
#include "migrate/supervise.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int report_fd = -1;

/* LEN bytes, or 0 at EOF / a short read (the child died mid-record). */
static int
read_exact (int fd, void *buf, size_t len)
{
  char *p = buf;
  while (len > 0)
    {
      ssize_t n = read (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return 0;
      p += n;
      len -= (size_t) n;
    }
  return 1;
}
static volatile pid_t child_pid;

static void
forward (int sig)
{
  if (child_pid > 0)
    kill (child_pid, sig);
}

static void
record (char tag, const void *p, uint32_t len)
{
  uint8_t hdr[5] = { (uint8_t) tag };
  memcpy (hdr + 1, &len, 4);
  if (report_fd >= 0)
    {
      (void) hr_write_all_nosigpipe (report_fd, hdr, 5);
      if (len)
        (void) hr_write_all_nosigpipe (report_fd, p, len);
    }
}

void
hr_mig_progress (int step)
{
  uint8_t b = (uint8_t) step;
  record ('p', &b, 1);
}

int
hr_mig_supervise (hr_mig_body body, hr_mig_recover recover, void *arg, void *result, size_t result_len, hr_err *err)
{
  int p[2];
  struct sigaction sa = { .sa_handler = forward }, old[3];
  const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
  pid_t parent = getpid ();

  if (pipe2 (p, O_CLOEXEC) < 0)
    return hr_error_set (err, errno, "pipe");
  sigemptyset (&sa.sa_mask);
  for (int i = 0; i < 3; i++)
    sigaction (sigs[i], &sa, &old[i]);
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (p[0]);
      close (p[1]);
      return hr_error_set (err, errno, "fork");
    }
  if (pid == 0)
    {
      hr_err e = NULL;
      close (p[0]);
      report_fd = p[1];
      /* The supervisor gone: stop, and undo like any failure. */
      prctl (PR_SET_PDEATHSIG, SIGTERM);
      for (int i = 0; i < 3; i++)
        signal (sigs[i], SIG_DFL);
      if (getppid () != parent)
        _exit (1);
      int r = body (arg, result, &e);
      if (r < 0)
        record ('e', e && e->msg ? e->msg : "failed", (uint32_t) strlen (e && e->msg ? e->msg : "failed"));
      else
        record ('r', result, (uint32_t) result_len);
      hr_error_free (&e);
      _exit (r < 0 ? 1 : 0);
    }
  child_pid = pid;
  close (p[1]);

  /* Read every record to EOF. */
  int progress = 0, have = 0; /* have: 1 result, -1 error */
  _cleanup_free_ char *msg = NULL;
  for (;;)
    {
      uint8_t hdr[5];
      uint32_t len;
      if (read_exact (p[0], hdr, 5) <= 0)
        break;
      memcpy (&len, hdr + 1, 4);
      if (len > (1u << 20))
        break;
      _cleanup_free_ uint8_t *payload = xmalloc0 (len + 1);
      if (len && read_exact (p[0], payload, len) <= 0)
        break;
      if (hdr[0] == 'p' && len == 1)
        progress = payload[0];
      else if (hdr[0] == 'r' && len == result_len)
        {
          memcpy (result, payload, len);
          have = 1;
        }
      else if (hdr[0] == 'e')
        {
          free (msg);
          msg = (char *) payload;
          payload = NULL;
          have = -1;
        }
    }
  close (p[0]);
  int status = 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  child_pid = 0;
  for (int i = 0; i < 3; i++)
    sigaction (sigs[i], &old[i], NULL);

  if (have == 1 && WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (have == -1)
    return hr_error_from_msg (err, EIO, msg);
  if (WIFSIGNALED (status))
    hr_error_plain (err, EINTR, "the migration process was killed by signal %d", WTERMSIG (status));
  else
    hr_error_plain (err, EIO, "the migration process exited with status %d without a result",
                    WIFEXITED (status) ? WEXITSTATUS (status) : -1);
  recover (arg, progress, err);
  return -1;
}

pid_t
hr_mig_fork_piped (int *fd, const char *what, hr_err *err)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return hr_error_set (err, errno, "pipe");
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (p[0]);
      close (p[1]);
      return hr_error_set (err, errno, "fork %s", what);
    }
  close (p[pid == 0 ? 0 : 1]);
  *fd = p[pid == 0 ? 1 : 0];
  return pid;
}
