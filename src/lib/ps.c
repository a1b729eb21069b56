/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The processes of a container, for `ps`.  runc reads them from the
 * container's cgroup; until hydra-runc manages cgroups they are found by
 * pid namespace: every process whose /proc/<pid>/ns/pid is the init's.  A
 * container without a pid namespace of its own shares ours, and then only
 * its init is known to be its.
 */
#include <config.h>
#include "hydra.h"
#include "cleanup.h"
#include "lifecycle.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int
cmp_pid (const void *a, const void *b)
{
  pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;
  return (x > y) - (x < y);
}

int
hr_container_pids (struct hr_context *ctx, const char *id, pid_t **pids, size_t *n, hr_err *err)
{
  struct hr_container c;
  struct stat init_ns, self_ns, st;
  _cleanup_closedir_ DIR *d = NULL;
  _cleanup_free_ pid_t *v = NULL;
  struct dirent *de;
  size_t len = 0;
  char path[64];
  pid_t init;

  if (hr_container_load (ctx, id, false, &c, err) < 0)
    return -1;
  init = c.pid;
  if (strcmp (c.status, "stopped") == 0)
    {
      hr_container_release (&c);
      return hr_error_plain (err, ESRCH, "container not running");
    }
  hr_container_release (&c);

  snprintf (path, sizeof (path), "/proc/%d/ns/pid", (int) init);
  if (stat (path, &init_ns) < 0)
    return hr_error_plain (err, ESRCH, "container not running");
  if (stat ("/proc/self/ns/pid", &self_ns) < 0)
    return hr_error_set (err, errno, "stat /proc/self/ns/pid");
  if (init_ns.st_ino == self_ns.st_ino && init_ns.st_dev == self_ns.st_dev)
    {
      v = xmalloc0 (sizeof (pid_t));
      v[len++] = init;
      goto done;
    }
  d = opendir ("/proc");
  if (d == NULL)
    return hr_error_set (err, errno, "open /proc");
  while ((de = readdir (d)))
    {
      char *end;
      long pid = strtol (de->d_name, &end, 10);
      if (*end || pid <= 0)
        continue;
      snprintf (path, sizeof (path), "/proc/%ld/ns/pid", pid);
      if (stat (path, &st) == 0 && st.st_ino == init_ns.st_ino && st.st_dev == init_ns.st_dev)
        {
          v = xrealloc (v, (len + 1) * sizeof (pid_t));
          v[len++] = (pid_t) pid;
        }
    }
  if (len)
    qsort (v, len, sizeof (pid_t), cmp_pid);

done:
  *pids = TAKE_PTR (v);
  *n = len;
  return 0;
}
