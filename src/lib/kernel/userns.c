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

int
hr_userns_write_maps (pid_t pid, const oci_linux *lx, hr_err *err)
{
  _cleanup_free_ char *uids = format_map (lx->uid_mappings, lx->uid_mappings_len);
  _cleanup_free_ char *gids = format_map (lx->gid_mappings, lx->gid_mappings_len);

  if (geteuid () != 0 && write_proc (pid, "setgroups", "deny", err) < 0)
    return -1;
  if (write_proc (pid, "uid_map", uids, err) < 0)
    return hr_error_wrap (err, "linux.uidMappings");
  if (write_proc (pid, "gid_map", gids, err) < 0)
    return hr_error_wrap (err, "linux.gidMappings");
  return 0;
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
