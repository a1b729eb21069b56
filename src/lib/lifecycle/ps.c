/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The processes of a container, for `ps` and `kill --all`: its cgroup's
 * cgroup.procs, as runc reads them.  A container created without a cgroup
 * (none recorded in its state) falls back to its pid namespace: every
 * process whose /proc/<pid>/ns/pid is the init's; one that shares ours
 * has only its init known to be its.
 */
#include <config.h>
#include "hydra.h"
#include "cleanup.h"
#include "cgroups/cgroup_driver.h"
#include "lifecycle/lifecycle.h"
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
hr_container_procs (const struct hr_container *c, pid_t **pids, size_t *n, hr_err *err)
{
  _cleanup_ (hr_cgroup_freep) struct hr_cgroup *cg = NULL;
  struct stat init_ns, self_ns, st;
  _cleanup_closedir_ DIR *d = NULL;
  _cleanup_free_ pid_t *v = NULL;
  struct dirent *de;
  size_t len = 0;
  char path[64];
  pid_t init = c->pid;

  bool stopped = strcmp (c->status, "stopped") == 0;

  /* The container's cgroup holds all of its processes, whatever
     namespaces they share with us.  A stopped container is no error: runc
     lists (`ps`) or signals (`kill --all`) what its cgroup still holds,
     often nothing (a container sharing our pid namespace can leave
     children there). */
  if (hr_container_cgroup (c, &cg, err) < 0)
    return -1;
  if (cg)
    {
      if (cg->driver->procs (cg, &v, &len, err) < 0)
        {
          if (!stopped)
            return -1;
          hr_error_free (err); /* its cgroup is gone too */
          len = 0;
        }
      goto done;
    }
  if (stopped)
    goto done; /* without a cgroup, nothing names what it left */

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

done:
  if (len)
    qsort (v, len, sizeof (pid_t), cmp_pid);
  *pids = TAKE_PTR (v);
  *n = len;
  return 0;
}

int
hr_container_pids (struct hr_context *ctx, const char *id, pid_t **pids, size_t *n, hr_err *err)
{
  struct hr_container c;
  int ret;

  if (hr_container_load (ctx, id, HR_STATE_NO_LOCK, &c, err) < 0)
    return -1;
  ret = hr_container_procs (&c, pids, n, err);
  hr_container_release (&c);
  return ret;
}
