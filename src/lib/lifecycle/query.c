/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state / list / kill / delete: commands on a container that exists.
 * Status always comes from the kernel's view of the init (state.c), never
 * from what state.json last said.
 */
#include <config.h>
#include "hydra.h"
#include "cleanup.h"
#include "cgroups/cgroup_driver.h"
#include "lifecycle/hooks.h"
#include "lifecycle/lifecycle.h"
#include "lifecycle/notify.h"
#include "log.h"
#include "sandbox/sandbox.h"
#include "state/state.h"
#include "util.h"


#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int
hr_container_load (struct hr_context *ctx, const char *id, enum hr_state_lock lock, struct hr_container *c,
                   hr_err *err)
{
  memset (c, 0, sizeof (*c));
  c->dirfd = -1;
  if (hr_validate_id (id, err) < 0)
    return -1;
  c->rootfd = hr_state_root_open (ctx, NULL, err);
  if (c->rootfd < 0)
    return -1;
  c->dirfd = hr_state_dir_open (c->rootfd, id, lock, err);
  if (c->dirfd < 0)
    goto fail;
  if (hr_state_read (c->dirfd, &c->state, err) == 0)
    {
      if (c->state->id && strcmp (c->state->id, id) != 0)
        {
          /* A hashed directory name of another id. */
          hr_error_plain (err, ENOENT, "container does not exist");
          goto fail;
        }
    }
  else
    {
      /* A create killed before its first state.json (container.c
         record_progress) leaves only the directory and config.json:
         nothing runs, so it reads as stopped and delete works. */
      if (hr_error_errno (*err) != ENOENT)
        goto fail;
      /* Without the lock, a missing state.json may also be a create that
         has not written it yet, or a delete removing the files: neither
         is a container yet (or still). */
      if (lock == HR_STATE_NO_LOCK && (hr_state_dir_busy (c->dirfd) || !hr_state_dir_is_ours (c->rootfd, id, c->dirfd)))
        {
          hr_error_free (err);
          hr_error_plain (err, ENOENT, "container does not exist");
          goto fail;
        }
      hr_error_free (err);
      c->state = xmalloc0 (sizeof (*c->state));
      c->state->oci_version = xstrdup (OCI_VERSION);
      c->state->id = xstrdup (id);
      c->state->status = OCI_HR_STATUS_STOPPED;
      c->state->status_present = true;
      c->state->bundle = xstrdup ("");
    }
  c->status = hr_state_status (c->dirfd, c->state, &c->pid);
  if (c->pid > 0 && c->state->cgroup_paths.len)
    {
      _cleanup_ (hr_cgroup_freep) struct hr_cgroup *cg = NULL;
      hr_err e = NULL;
      if (hr_container_cgroup (c, &cg, &e) == 0 && cg && cg->driver->frozen (cg))
        c->status = "paused";
      hr_error_free (&e);
    }
  return 0;

fail:
  hr_container_release (c);
  return -1;
}

void
hr_container_release (struct hr_container *c)
{
  if (c->dirfd >= 0)
    close (c->dirfd);
  if (c->rootfd >= 0)
    close (c->rootfd);
  hr_state_file_free (c->state);
  c->state = NULL;
  c->dirfd = c->rootfd = -1;
}

int
hr_container_pidfd (const struct hr_container *c, hr_err *err)
{
  int fd = pidfd_open (c->pid, 0);
  if (fd < 0)
    return hr_error_plain (err, errno, "container not running");
  /* The pidfd pins the process; re-check it is still ours. */
  if (c->state->init_start_time_present && hr_proc_start_time (c->pid, NULL) != c->state->init_start_time)
    {
      close (fd);
      return hr_error_plain (err, ESRCH, "container not running");
    }
  return fd;
}

int
hr_signal_init (const struct hr_container *c, int signo, hr_err *err)
{
  _cleanup_close_ int pidfd = hr_container_pidfd (c, err);
  if (pidfd < 0)
    return -1;
  if (pidfd_send_signal (pidfd, signo, NULL, 0) < 0)
    return hr_error_set (err, errno, errno == ESRCH ? "no such process" : "send signal %d", signo);
  return 0;
}

int
hr_wait_init_exit (pid_t pid, unsigned long long start_time, int timeout_ms, hr_err *err)
{
  _cleanup_close_ int pidfd = pidfd_open (pid, 0);
  struct pollfd p;
  int r;

  if (pidfd < 0)
    return 0; /* already gone */
  if (start_time && hr_proc_start_time (pid, NULL) != start_time)
    return 0;
  p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
  do
    r = poll (&p, 1, timeout_ms);
  while (r < 0 && errno == EINTR);
  if (r == 0)
    return hr_error_plain (err, ETIMEDOUT, "container init (pid %d) did not exit", (int) pid);
  return 0;
}

/* kill --all: every process of the container (its cgroup, or its pid
   namespace when it has no cgroup). */
static int
kill_all (const struct hr_container *c, int signo, hr_err *err)
{
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;

  if (hr_container_procs (c, &pids, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    (void) kill (pids[i], signo);
  return 0;
}

int
hr_container_kill (struct hr_context *ctx, const char *id, int signo, bool all, hr_err *err)
{
  struct hr_container c;
  int ret;

  if (hr_container_load (ctx, id, HR_STATE_NO_LOCK, &c, err) < 0)
    return -1;
  /* (kill --all of a stopped container signals what its cgroup still
     holds, and succeeds, as runc's) */
  if (all)
    ret = kill_all (&c, signo, err);
  else if (strcmp (c.status, "stopped") == 0)
    ret = hr_error_plain (err, ESRCH, "container not running");
  else
    ret = hr_signal_init (&c, signo, err);
  if (ret == 0 && signo == SIGKILL && strcmp (c.status, "paused") == 0)
    {
      /* A task frozen by the v1 freezer acts on SIGKILL only once thawed
         (runc thaws after killing too); the container is going away. */
      _cleanup_ (hr_cgroup_freep) struct hr_cgroup *cg = NULL;
      if (hr_container_cgroup (&c, &cg, err) < 0 || (cg && cg->driver->freeze (cg, false, err) < 0))
        ret = -1;
    }
  hr_container_release (&c);
  return ret;
}

/* Once the init is gone: kill what is left in the cgroup (a container
   sharing our pid namespace can leave children), thaw it (a v1-frozen task
   cannot die), and remove the directories. */
int
hr_cgroup_empty_destroy (struct hr_cgroup *cg, hr_err *err)
{
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;

  for (int round = 0; round < 50; round++)
    {
      hr_err e = NULL;
      free (pids);
      pids = NULL;
      if (cg->driver->procs (cg, &pids, &n, &e) < 0)
        {
          hr_error_free (&e); /* already gone */
          break;
        }
      if (n == 0)
        break;
      for (size_t i = 0; i < n; i++)
        (void) kill (pids[i], SIGKILL);
      if (cg->driver->frozen (cg))
        (void) cg->driver->freeze (cg, false, &e);
      hr_error_free (&e);
      struct timespec ts = { 0, 20 * 1000000L };
      nanosleep (&ts, NULL);
    }
  /* (--systemd-cgroup: the now empty scope goes with its unit.) */
  return cg->driver->destroy (cg, err);
}

static int
remove_cgroup (struct hr_container *c, hr_err *err)
{
  _cleanup_ (hr_cgroup_freep) struct hr_cgroup *cg = NULL;

  if (hr_container_cgroup (c, &cg, err) < 0)
    return -1;
  if (cg == NULL)
    return 0;
  return hr_cgroup_empty_destroy (cg, err);
}

/* delete of a container still being created (--force, or its init is
   dead).  create holds no lock while its hooks run (state.h "Locking"),
   so we can get here while it waits on a hung one.  Killing the create process takes its hooks
   and the init with it (both have PR_SET_PDEATHSIG until the created
   state is recorded); wait until it is gone, so that they have been
   signalled and it writes nothing more, before removing what it made. */
static int
kill_creator (const struct hr_container *c, hr_err *err)
{
  const hr_state_file *s = c->state;
  _cleanup_close_ int pidfd = -1;
  struct pollfd p;
  int r;

  if (!s->creator_pid_present || s->creator_pid <= 0 || (pid_t) s->creator_pid == getpid ())
    return 0;
  pidfd = pidfd_open ((pid_t) s->creator_pid, 0);
  /* (checked after the pidfd pins the pid: no signal to a recycled one) */
  if (pidfd < 0 || !hr_state_proc_alive ((pid_t) s->creator_pid, s->creator_start_time_present, s->creator_start_time))
    return 0;
  if (pidfd_send_signal (pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
    return hr_error_set (err, errno, "kill the create of container %s (pid %d)", s->id, (int) s->creator_pid);
  p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
  do
    r = poll (&p, 1, 10000);
  while (r < 0 && errno == EINTR);
  if (r == 0)
    return hr_error_plain (err, ETIMEDOUT, "the create of container %s (pid %d) did not exit", s->id,
                           (int) s->creator_pid);
  return 0;
}

int
hr_container_delete (struct hr_context *ctx, const char *id, bool force, hr_err *err)
{
  struct hr_container c;
  int ret = -1;

  if (hr_container_load (ctx, id, HR_STATE_LOCK_EX, &c, err) < 0)
    {
      /* Engines clean up with `delete --force` whatever happened before. */
      if (force && hr_error_errno (*err) == ENOENT)
        {
          hr_error_free (err);
          return 0;
        }
      return -1;
    }
  /* A create still at work on what we remove (killed init, or delete
     --force): stop it first, its hooks with it. */
  if (c.state->status_present && c.state->status == OCI_HR_STATUS_CREATING && (force || strcmp (c.status, "creating") != 0)
      && kill_creator (&c, err) < 0)
    goto out;
  if (strcmp (c.status, "stopped") != 0)
    {
      /* A created container never ran user code: runc deletes it without
         --force, and so do we. */
      if (strcmp (c.status, "created") != 0 && !force)
        {
          hr_error_plain (err, EBUSY, "cannot delete container %s that is not stopped: %s", id, c.status);
          goto out;
        }
      hr_debug ("container %s (%s): killing its init, pid %d", id, c.status, (int) c.pid);
      if (c.pid > 0 && hr_signal_init (&c, SIGKILL, err) < 0 && hr_error_errno (*err) != ESRCH)
        goto out;
      hr_error_free (err);
      if (strcmp (c.status, "paused") == 0)
        {
          /* A task frozen by the v1 freezer cannot act on SIGKILL. */
          _cleanup_ (hr_cgroup_freep) struct hr_cgroup *cg = NULL;
          if (hr_container_cgroup (&c, &cg, err) < 0 || (cg && cg->driver->freeze (cg, false, err) < 0))
            goto out;
        }
      if (c.pid > 0 && hr_wait_init_exit (c.pid, c.state->init_start_time, 10000, err) < 0)
        goto out;
    }
  {
    /* poststop hooks need the config, which goes away with the state dir. */
    _cleanup_ (oci_config_freep) oci_config *cfg = NULL;
    hr_err e = NULL;
    if ((!c.state->poststop_hooks_present || c.state->poststop_hooks) && hr_state_load_config (c.dirfd, &cfg, &e) < 0)
      hr_error_free (&e);
    ret = remove_cgroup (&c, err);
    /* A sandbox's audit process: stopped once nothing of the container
       runs, so its stream ends with every exit (sandbox.h). */
    if (ret == 0)
      ret = hr_sandbox_stop (c.dirfd, err);
    if (ret == 0)
      hr_notify_remove (c.dirfd); /* the notify dir's socket (notify.h) */
    if (ret == 0)
      ret = hr_state_dir_remove (c.rootfd, id, err);
    if (ret == 0)
      hr_debug ("container %s: cgroup and state removed", id);
    if (ret == 0 && cfg && cfg->hooks && cfg->hooks->poststop_len)
      {
        _cleanup_free_ char *state = hr_hooks_state_json (id, "stopped", 0, c.state->bundle, &c.state->annotations);
        hr_debug ("running %zu poststop hooks", cfg->hooks->poststop_len);
        /* runtime-spec: a poststop failure is logged and delete goes on. */
        if (hr_hooks_run (cfg->hooks->poststop, cfg->hooks->poststop_len, "poststop", state, &e) < 0)
          {
            hr_warn ("%s", e->msg);
            hr_error_free (&e);
          }
      }
  }
out:
  hr_container_release (&c);
  return ret;
}

static void
fill_info (const char *id, struct hr_container *c, struct hr_container_info *out)
{
  const hr_state_file *s = c->state;
  memset (out, 0, sizeof (*out));
  out->id = xstrdup (id);
  out->pid = c->pid;
  out->status = xstrdup (c->status);
  out->bundle = xstrdup (s->bundle ? s->bundle : "");
  out->rootfs = xstrdup (s->rootfs ? s->rootfs : "");
  out->created = xstrdup (s->created ? s->created : "0001-01-01T00:00:00Z");
  out->owner = xstrdup (s->owner ? s->owner : "");
  out->annotations_len = s->annotations.len;
  if (s->annotations.len)
    {
      out->annotation_keys = xmalloc0 ((s->annotations.len + 1) * sizeof (char *));
      out->annotation_values = xmalloc0 ((s->annotations.len + 1) * sizeof (char *));
      for (size_t i = 0; i < s->annotations.len; i++)
        {
          out->annotation_keys[i] = xstrdup (s->annotations.keys[i]);
          out->annotation_values[i] = xstrdup (s->annotations.values[i]);
        }
    }
}

void
hr_container_info_free (struct hr_container_info *info)
{
  if (info == NULL)
    return;
  free (info->id);
  free (info->status);
  free (info->bundle);
  free (info->rootfs);
  free (info->created);
  free (info->owner);
  strv_free (info->annotation_keys);
  strv_free (info->annotation_values);
  memset (info, 0, sizeof (*info));
}

int
hr_container_state (struct hr_context *ctx, const char *id, struct hr_container_info *out, hr_err *err)
{
  struct hr_container c;
  if (hr_container_load (ctx, id, HR_STATE_NO_LOCK, &c, err) < 0)
    return -1;
  fill_info (id, &c, out);
  hr_container_release (&c);
  return 0;
}

static int
cmp_info (const void *a, const void *b)
{
  return strcmp (((const struct hr_container_info *) a)->id, ((const struct hr_container_info *) b)->id);
}

int
hr_container_list (struct hr_context *ctx, struct hr_container_info **out, size_t *n, hr_err *err)
{
  _cleanup_close_ int rootfd = hr_state_root_open (ctx, NULL, err);
  _cleanup_closedir_ DIR *d = NULL;
  struct hr_container_info *v = NULL;
  struct dirent *de;
  size_t len = 0;

  if (rootfd < 0)
    return -1;
  d = fdopendir (openat (rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d == NULL)
    return hr_error_set (err, errno, "read state root");
  while ((de = readdir (d)))
    {
      struct hr_container c;
      hr_err e = NULL;
      _cleanup_free_ char *id = NULL;

      if (de->d_name[0] == '~')
        {
          /* A long id: its name is in its state.json. */
          _cleanup_close_ int dfd = openat (rootfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
          hr_state_file *st = NULL;
          if (dfd >= 0 && hr_state_read (dfd, &st, &e) == 0 && st->id)
            id = xstrdup (st->id);
          hr_state_file_free (st);
        }
      else
        id = xstrdup (de->d_name);
      if (id == NULL || id[0] == '.' || hr_validate_id (id, &e) < 0)
        {
          hr_error_free (&e);
          continue;
        }
      if (hr_container_load (ctx, id, HR_STATE_NO_LOCK, &c, &e) < 0)
        {
          /* Deleted meanwhile, or unreadable: not listed. */
          hr_error_free (&e);
          continue;
        }
      v = xrealloc (v, (len + 1) * sizeof (*v));
      fill_info (id, &c, &v[len++]);
      hr_container_release (&c);
    }
  if (len)
    qsort (v, len, sizeof (*v), cmp_info);
  *out = v;
  *n = len;
  return 0;
}

static hr_state_file *
info_to_state (const struct hr_container_info *info)
{
  hr_state_file *s = xmalloc0 (sizeof (*s));
  s->oci_version = xstrdup (OCI_VERSION);
  s->id = xstrdup (info->id);
  s->pid = info->pid;
  s->pid_present = true;
  s->status = oci_enum_index (OCI_ENUM_HR_STATUS, info->status);
  s->status_present = s->status >= 0;
  s->bundle = xstrdup (info->bundle);
  s->rootfs = xstrdup (info->rootfs);
  s->created = xstrdup (info->created);
  s->owner = xstrdup (info->owner);
  if (info->annotations_len)
    {
      s->annotations.len = info->annotations_len;
      s->annotations.keys = xmalloc0 ((info->annotations_len + 1) * sizeof (char *));
      s->annotations.values = xmalloc0 ((info->annotations_len + 1) * sizeof (char *));
      for (size_t i = 0; i < info->annotations_len; i++)
        {
          s->annotations.keys[i] = xstrdup (info->annotation_keys[i]);
          s->annotations.values[i] = xstrdup (info->annotation_values[i]);
        }
    }
  return s;
}

int
hr_state_to_json (const struct hr_container_info *info, char **json, hr_err *err)
{
  _cleanup_ (hr_state_file_freep) hr_state_file *s = info_to_state (info);
  return hr_state_file_to_json (s, true, json, NULL, err);
}

int
hr_list_to_json (const struct hr_container_info *infos, size_t n, char **json, hr_err *err)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f;

  if (n == 0)
    {
      *json = xstrdup ("null"); /* what runc prints for no containers */
      return 0;
    }
  f = open_memstream (&buf, &len);
  if (f == NULL)
    return hr_error_set (err, errno, "open_memstream");
  fputc ('[', f);
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_ (hr_state_file_freep) hr_state_file *s = info_to_state (&infos[i]);
      _cleanup_free_ char *one = NULL;
      if (hr_state_file_to_json (s, false, &one, NULL, err) < 0)
        {
          fclose (f);
          free (buf);
          return -1;
        }
      fprintf (f, "%s%s", i ? "," : "", one);
    }
  fputc (']', f);
  fclose (f);
  *json = buf;
  return 0;
}
