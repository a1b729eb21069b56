/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "lifecycle/hooks.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOOK_OUTPUT_MAX 4096

char *
hr_hooks_state_json (const char *id, const char *status, pid_t pid, const char *bundle,
                     const oci_string_map *annotations)
{
  oci_state st = { 0 };
  char *json = NULL;
  hr_err err = NULL;

  st.oci_version = (char *) OCI_VERSION;
  st.id = (char *) id;
  /* One of runtime.md's four (never "paused": hooks run at create,
     start and delete). */
  st.status = oci_enum_index (OCI_ENUM_STATE_STATUS, status);
  st.status_present = st.status >= 0;
  st.pid = pid;
  st.pid_present = pid > 0;
  st.bundle = (char *) bundle;
  if (annotations)
    st.annotations = *annotations;
  if (oci_state_to_json (&st, false, &json, NULL, &err) < 0)
    {
      hr_error_free (&err);
      return xstrdup ("{}");
    }
  return json;
}

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Fork and exec one hook: stdin is a pipe carrying the state, stdout and
   stderr a pipe we collect (runc includes a failing hook's output in its
   error).  Nothing else of ours reaches the hook: close_range. */
static int
run_one (const oci_hook *h, size_t idx, const char *stage, const char *state_json, hr_err *err)
{
  int in[2] = { -1, -1 }, out[2] = { -1, -1 };
  _cleanup_close_ int pidfd = -1;
  char output[HOOK_OUTPUT_MAX + 1];
  size_t out_len = 0;
  long long deadline = h->timeout_present ? now_ms () + (long long) h->timeout * 1000 : -1;
  bool timed_out = false;
  int status = 0;
  pid_t pid;

  if (pipe2 (in, O_CLOEXEC) < 0 || pipe2 (out, O_CLOEXEC) < 0)
    {
      int e = errno;
      for (int i = 0; i < 2; i++)
        {
          if (in[i] >= 0)
            close (in[i]);
          if (out[i] >= 0)
            close (out[i]);
        }
      return hr_error_set (err, e, "%s hook #%zu: pipe", stage, idx);
    }
  pid = fork ();
  if (pid < 0)
    {
      int e = errno;
      close (in[0]), close (in[1]), close (out[0]), close (out[1]);
      return hr_error_set (err, e, "%s hook #%zu: fork", stage, idx);
    }
  if (pid == 0)
    {
      static char *const no_env[] = { NULL };
      char *const fallback_argv[] = { h->path, NULL };
      /* A hook must not outlive the runtime that waits for it (a create
         killed mid-way leaves no stray hook behind). */
      prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
      if (dup2 (in[0], 0) < 0 || dup2 (out[1], 1) < 0 || dup2 (out[1], 2) < 0)
        _exit (126);
      close_range (3, ~0U, 0);
      signal (SIGPIPE, SIG_DFL);
      execve (h->path, h->args_len ? h->args : fallback_argv, h->env_len ? h->env : no_env);
      dprintf (2, "exec %s: %s", h->path, strerror (errno));
      _exit (127);
    }
  close (in[0]);
  close (out[1]);
  pidfd = pidfd_open (pid, 0);

  /* The hook may not read its stdin at all: a write error is not ours. */
  (void) hr_write_all_nosigpipe (in[1], state_json, strlen (state_json));
  close (in[1]);

  for (bool out_open = true;;)
    {
      struct pollfd p[2] = { { .fd = out_open ? out[0] : -1, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
      int timeout = -1;
      if (deadline >= 0)
        {
          long long left = deadline - now_ms ();
          timeout = left > 0 ? (int) left : 0;
        }
      int r = poll (p, 2, timeout);
      if (r < 0 && errno == EINTR)
        continue;
      if (r == 0)
        {
          timed_out = true;
          kill (pid, SIGKILL);
          break;
        }
      if (out_open && (p[0].revents & (POLLIN | POLLHUP)))
        {
          char buf[1024];
          ssize_t n = read (out[0], buf, sizeof (buf));
          if (n <= 0)
            out_open = false;
          else
            {
              size_t keep = out_len + (size_t) n > HOOK_OUTPUT_MAX ? HOOK_OUTPUT_MAX - out_len : (size_t) n;
              memcpy (output + out_len, buf, keep);
              out_len += keep;
            }
        }
      if (!out_open && (p[1].revents & POLLIN))
        break;
      if (pidfd < 0 && !out_open)
        break;
    }
  close (out[0]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  output[out_len] = '\0';
  while (out_len > 0 && (output[out_len - 1] == '\n' || output[out_len - 1] == ' '))
    output[--out_len] = '\0';

  if (timed_out)
    return hr_error_plain (err, ETIMEDOUT, "%s hook #%zu (%s) did not finish in %d seconds", stage, idx, h->path,
                           h->timeout);
  if (WIFSIGNALED (status))
    return hr_error_plain (err, EIO, "%s hook #%zu (%s) killed by signal %d%s%s", stage, idx, h->path,
                           WTERMSIG (status), out_len ? ": " : "", output);
  if (WEXITSTATUS (status) != 0)
    return hr_error_plain (err, EIO, "%s hook #%zu (%s) exited with status %d%s%s", stage, idx, h->path,
                           WEXITSTATUS (status), out_len ? ": " : "", output);
  /* A successful hook's output is dropped, as runc does. */
  return 0;
}

int
hr_hooks_run (oci_hook *const *hooks, size_t n, const char *stage, const char *state_json, hr_err *err)
{
  for (size_t i = 0; i < n; i++)
    if (run_one (hooks[i], i, stage, state_json, err) < 0)
      return -1;
  return 0;
}
