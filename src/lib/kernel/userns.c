/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "kernel/userns.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
# define CLONE_NEWTIME 0x00000080
#endif

static int
write_proc (pid_t pid, const char *file, const char *data, hr_err *err)
{
  char path[64];
  _cleanup_close_ int fd = -1;

  snprintf (path, sizeof (path), "/proc/%d/%s", (int) pid, file);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return hr_error_set (err, errno, "open %s", path);
  /* The kernel wants a map in one write. */
  if (write (fd, data, strlen (data)) != (ssize_t) strlen (data))
    return hr_error_set (err, errno, "write %s", path);
  return 0;
}

static char *
format_map (oci_id_mapping *const *m, size_t n)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  if (f == NULL)
    return xstrdup ("");
  for (size_t i = 0; i < n; i++)
    fprintf (f, "%u %u %u\n", m[i]->container_id, m[i]->host_id, m[i]->size);
  fclose (f);
  return buf;
}

/* Does the kernel let an unprivileged caller write this map itself?  Only
   one id, its own (user_namespaces(7) "Defining user and group ID
   mappings"). */
static bool
only_own_id (oci_id_mapping *const *m, size_t n, unsigned own)
{
  return n == 1 && m[0]->size == 1 && m[0]->host_id == own;
}

int
hr_userns_check_helpers (const oci_linux *lx, hr_err *err)
{
  static const char *const helper[2] = { "newuidmap", "newgidmap" };
  bool need[2];

  if (geteuid () == 0 || lx == NULL)
    return 0;
  need[0] = !only_own_id (lx->uid_mappings, lx->uid_mappings_len, geteuid ());
  need[1] = !only_own_id (lx->gid_mappings, lx->gid_mappings_len, getegid ());
  for (int i = 0; i < 2; i++)
    {
      _cleanup_free_ char *p = need[i] ? hr_find_program (helper[i]) : NULL;
      if (need[i] && p == NULL)
        return hr_error_plain (err, ENOENT,
                               "linux.%s: mapping more than your own %s needs %s (Debian package uidmap), "
                               "not found in $PATH",
                               i ? "gidMappings" : "uidMappings", i ? "gid" : "uid", helper[i]);
    }
  return 0;
}

/* (found along PATH as runc finds them, exec.LookPath("newuidmap"))

   Run newuidmap/newgidmap PID (CONTAINER HOST SIZE)...: setuid helpers
   that write the map after checking it against /etc/subuid, /etc/subgid.
   Their own words say which range was refused: they end the error. */
static int
run_helper (const char *name, pid_t pid, oci_id_mapping *const *m, size_t n, hr_err *err)
{
  _cleanup_free_ char *path = hr_find_program (name);
  _cleanup_close_ int rd = -1, wr = -1;
  char **argv = NULL;
  char msg[1024];
  size_t len = 0;
  int fds[2], status = 0;
  pid_t child;

  if (path == NULL)
    return hr_error_plain (err, ENOENT, "%s (Debian package uidmap) not found in $PATH", name);
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return hr_error_set (err, errno, "pipe");
  rd = fds[0];
  wr = fds[1];
  argv = xmalloc0 ((3 + 3 * n) * sizeof (char *));
  argv[0] = (char *) name;
  argv[1] = xasprintf ("%d", (int) pid);
  for (size_t i = 0; i < n; i++)
    {
      argv[2 + 3 * i] = xasprintf ("%u", m[i]->container_id);
      argv[3 + 3 * i] = xasprintf ("%u", m[i]->host_id);
      argv[4 + 3 * i] = xasprintf ("%u", m[i]->size);
    }
  child = fork ();
  if (child == 0)
    {
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
      if (null < 0 || dup2 (null, 0) < 0 || dup2 (null, 1) < 0 || dup2 (wr, 2) < 0)
        _exit (127);
      execv (path, argv);
      _exit (127);
    }
  int fork_errno = errno;
  for (size_t i = 1; argv[i]; i++)
    free (argv[i]);
  free (argv);
  if (child < 0)
    return hr_error_set (err, fork_errno, "fork %s", name);
  close (TAKE_FD (wr));
  for (ssize_t r; len < sizeof (msg) - 1 && ((r = read (rd, msg + len, sizeof (msg) - 1 - len)) > 0 || (r < 0 && errno == EINTR));)
    if (r > 0)
      len += (size_t) r;
  msg[len] = '\0';
  while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
    msg[--len] = '\0';
  while (waitpid (child, &status, 0) < 0)
    if (errno != EINTR)
      return hr_error_set (err, errno, "wait for %s", name);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 127 && len == 0)
    return hr_error_plain (err, ENOEXEC, "cannot run %s", path);
  return hr_error_plain (err, EPERM, "%s failed (are the ranges in /etc/sub%cid?): %s", name, name[3], len ? msg : "no message");
}

int
hr_userns_write_maps (pid_t pid, const oci_linux *lx, hr_err *err)
{
  _cleanup_free_ char *uids = format_map (lx->uid_mappings, lx->uid_mappings_len);
  _cleanup_free_ char *gids = format_map (lx->gid_mappings, lx->gid_mappings_len);
  bool user = geteuid () != 0;

  /* A user maps its own ids itself; anything more goes through the
     setuid helpers, as runc's nsexec falls back to them (update_uidmap,
     update_gidmap).  Only the direct gid_map write needs setgroups
     "deny" first; the helper decides setgroups itself and could not
     undo a "deny" (newgidmap(1)). */
  if (user && !only_own_id (lx->uid_mappings, lx->uid_mappings_len, geteuid ()))
    {
      if (run_helper ("newuidmap", pid, lx->uid_mappings, lx->uid_mappings_len, err) < 0)
        return hr_error_wrap (err, "linux.uidMappings");
    }
  else if (write_proc (pid, "uid_map", uids, err) < 0)
    return hr_error_wrap (err, "linux.uidMappings");
  if (user && !only_own_id (lx->gid_mappings, lx->gid_mappings_len, getegid ()))
    {
      if (run_helper ("newgidmap", pid, lx->gid_mappings, lx->gid_mappings_len, err) < 0)
        return hr_error_wrap (err, "linux.gidMappings");
      return 0;
    }
  if (user && write_proc (pid, "setgroups", "deny", err) < 0)
    return -1;
  if (write_proc (pid, "gid_map", gids, err) < 0)
    return hr_error_wrap (err, "linux.gidMappings");
  return 0;
}

bool
hr_userns_running_in (void)
{
  static int cached = -1;
  unsigned a, b, n;

  if (cached < 0)
    {
      _cleanup_fclose_ FILE *f = fopen ("/proc/self/uid_map", "re");
      /* No file: a kernel without user namespaces, so not in one. */
      cached = f != NULL && !(fscanf (f, "%u %u %u", &a, &b, &n) == 3 && a == 0 && b == 0 && n == 4294967295U);
    }
  return cached;
}

int
hr_timens_prepare (const oci_linux *lx, hr_err *err)
{
  _cleanup_close_ int saved = open ("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
  _cleanup_close_ int fd = -1;

  if (saved < 0)
    return hr_error_set (err, errno, "open own time namespace");
  if (unshare (CLONE_NEWTIME) < 0)
    return hr_error_set (err, errno, "create time namespace");
  if (lx->time_offsets.len)
    {
      char *buf = NULL;
      size_t len = 0;
      FILE *f = open_memstream (&buf, &len);
      if (f == NULL)
        return hr_error_set (err, errno, "open_memstream");
      for (size_t i = 0; i < lx->time_offsets.len; i++)
        {
          const oci_linux_time_offset *o = lx->time_offsets.values[i];
          const char *clock = lx->time_offsets.keys[i];
          /* The spec names the clocks as time_namespaces(7) does. */
          if (strcmp (clock, "monotonic") != 0 && strcmp (clock, "boottime") != 0)
            {
              fclose (f);
              free (buf);
              hr_timens_restore (TAKE_FD (saved), NULL);
              return hr_error_plain (err, EINVAL, "linux.timeOffsets: unknown clock `%s`", clock);
            }
          fprintf (f, "%s %lld %u\n", clock, (long long) (o->secs_present ? o->secs : 0),
                   o->nanosecs_present ? o->nanosecs : 0);
        }
      fclose (f);
      fd = open ("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
      if (fd < 0 || write (fd, buf, len) != (ssize_t) len)
        {
          int e = errno;
          free (buf);
          hr_timens_restore (TAKE_FD (saved), NULL);
          return hr_error_set (err, e, "write time namespace offsets");
        }
      free (buf);
    }
  return TAKE_FD (saved);
}

int
hr_timens_restore (int saved_fd, hr_err *err)
{
  int r = setns (saved_fd, CLONE_NEWTIME);
  int e = errno;
  close (saved_fd);
  if (r < 0 && err)
    return hr_error_set (err, e, "return to own time namespace");
  return 0;
}
