/* SPDX-License-Identifier: Apache-2.0 */
/*
 * events: {"type":"stats","id":..,"data":Stats} objects as runc prints
 * them (the statistics come from events_stats.c), once with --stats or as
 * a stream every --interval, with OOM events ({"type":"oom","id":..}).
 *
 * OOM kills are counted with the kernel's own counter (v2 memory.events
 * oom_kill; v1 memory.oom_control oom_kill), woken by inotify on
 * memory.events (v2) or an eventfd registered in cgroup.event_control for
 * memory.oom_control (v1).  The counter is read once more when the init
 * exits, so a kill that also ends the container is still reported.
 */
#include <config.h>
#include "hydra.h"
#include "cgroups/cgroup_driver.h"
#include "cleanup.h"
#include "lifecycle/events.h"
#include "json.h"
#include "lifecycle/lifecycle.h"
#include "log.h"
#include "sandbox/audit.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>

static json_value *
event (const char *type, const char *id, json_value *data)
{
  json_value *o = json_new_object ();
  json_object_append (o, "type", 4, json_new_string (type));
  json_object_append (o, "id", 2, json_new_string (id));
  if (data)
    json_object_append (o, "data", 4, data);
  return o;
}

static int
emit_event (json_value *ev, hr_event_cb cb, void *cb_data, hr_err *err)
{
  _cleanup_ (json_freep) json_value *v = ev;
  _cleanup_free_ char *s = NULL;
  size_t len;

  if (json_emit (v, false, &s, &len, err) < 0)
    return -1;
  return cb (s, cb_data, err);
}

/* --- the stream ---------------------------------------------------------- */

struct oom_watch
{
  const char *dir;  /* memory cgroup */
  bool v2;
  int fd;           /* inotify (v2) or eventfd (v1) */
  uint64_t count;   /* last oom_kill seen */
  bool counted;     /* the kernel has the counter */
};

static bool
oom_count (const struct oom_watch *w, uint64_t *out)
{
  _cleanup_free_ char *s = hr_cgroup_read_opt (w->dir, w->v2 ? "memory.events" : "memory.oom_control");
  return s && hr_cgroup_kv_get (s, "oom_kill", out);
}

static int
oom_watch_open (struct oom_watch *w, const struct hr_cgroup *cg, hr_err *err)
{
  w->fd = -1;
  w->dir = cg->driver->memory_dir (cg, &w->v2);
  if (w->dir == NULL)
    return 0; /* no memory controller: no OOM events */
  w->counted = oom_count (w, &w->count);
  if (w->v2)
    {
      _cleanup_free_ char *path = xasprintf ("%s/memory.events", w->dir);
      w->fd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
      if (w->fd < 0)
        return hr_error_set (err, errno, "inotify_init1");
      if (inotify_add_watch (w->fd, path, IN_MODIFY) < 0)
        return hr_error_set (err, errno, "watch %s", path);
      return 0;
    }
  _cleanup_close_ int ofd = -1;
  _cleanup_free_ char *path = xasprintf ("%s/memory.oom_control", w->dir);
  char buf[64];
  ofd = open (path, O_RDONLY | O_CLOEXEC);
  if (ofd < 0)
    return hr_error_set (err, errno, "open %s", path);
  w->fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (w->fd < 0)
    return hr_error_set (err, errno, "eventfd");
  snprintf (buf, sizeof buf, "%d %d", w->fd, ofd);
  /* The kernel keeps its own reference to memory.oom_control. */
  return hr_cgroup_write (w->dir, "cgroup.event_control", buf, err);
}

/* After a wake-up (or at the end): how many OOM events to report. */
static unsigned
oom_check (struct oom_watch *w, bool woken)
{
  uint64_t now;

  if (w->fd >= 0 && woken)
    {
      char buf[4096];
      while (read (w->fd, buf, sizeof buf) > 0)
        ;
    }
  /* v1 signals the eventfd when the cgroup goes under OOM, before the
     killer has counted its kill: the wake-up itself is the event (as in
     runc), unless the cgroup is gone (the eventfd also fires then). */
  if (!w->v2 && woken)
    {
      if (!oom_count (w, &now))
        {
          _cleanup_free_ char *s = hr_cgroup_read_opt (w->dir, "memory.oom_control");
          return s != NULL;
        }
      w->count = now > w->count + 1 ? now : w->count + 1;
      return 1;
    }
  if (w->counted && oom_count (w, &now))
    {
      unsigned n = now > w->count ? 1 : 0; /* one event per wake-up, as runc */
      w->count = now;
      return n;
    }
  /* No counter (v1 before 4.13): every eventfd notification is one. */
  return (!w->counted && woken && !w->v2) ? 1 : 0;
}

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int
hr_container_events (struct hr_context *ctx, const char *id, bool stats_only, unsigned interval_ms,
                     hr_event_cb cb, void *cb_data, hr_err *err)
{
  _cleanup_ (hr_cgroup_freep) struct hr_cgroup *cg = NULL;
  _cleanup_close_ int pidfd = -1;
  struct oom_watch w = { .fd = -1 };
  struct hr_container c;
  int ret = -1;

  if (hr_container_load (ctx, id, HR_STATE_NO_LOCK, &c, err) < 0)
    return -1;
  if (strcmp (c.status, "stopped") == 0)
    {
      hr_error_plain (err, ESRCH, "container with id %s is not running", id);
      goto out;
    }
  if (hr_container_cgroup (&c, &cg, err) < 0)
    goto out;
  if (cg == NULL)
    {
      hr_error_plain (err, ENOTSUP, "container has no cgroup");
      goto out;
    }
  if (stats_only)
    {
      ret = emit_event (event ("stats", id, cg->driver->stats (cg)), cb, cb_data, err);
      goto out;
    }

  pidfd = pidfd_open (c.pid, 0);
  if (pidfd < 0 || (c.state->init_start_time_present && hr_proc_start_time (c.pid, NULL) != c.state->init_start_time))
    {
      hr_error_plain (err, ESRCH, "container with id %s is not running", id);
      goto out;
    }
  if (oom_watch_open (&w, cg, err) < 0)
    goto out;
  /* Nothing below needs the state dir: don't hold its lock while
     streaming (delete must not wait for us). */
  hr_container_release (&c);

  long long next = now_ms () + interval_ms;
  for (;;)
    {
      struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = w.fd, .events = POLLIN } };
      long long wait = next - now_ms ();
      int r = poll (p, w.fd >= 0 ? 2 : 1, wait < 0 ? 0 : (int) (wait > INT32_MAX ? INT32_MAX : wait));
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          hr_error_set (err, errno, "poll");
          goto done;
        }
      if (w.fd >= 0 && (p[1].revents & POLLIN) && oom_check (&w, true))
        if (emit_event (event ("oom", id, NULL), cb, cb_data, err) < 0)
          goto done;
      if (p[0].revents & (POLLIN | POLLHUP))
        {
          /* The init is gone.  An OOM kill that ended it may not have
             woken us yet: read the counter once more. */
          if (w.dir && oom_check (&w, false))
            if (emit_event (event ("oom", id, NULL), cb, cb_data, err) < 0)
              goto done;
          ret = 0;
          goto done;
        }
      if (now_ms () >= next)
        {
          if (emit_event (event ("stats", id, cg->driver->stats (cg)), cb, cb_data, err) < 0)
            goto done;
          next += interval_ms;
          if (next < now_ms ())
            next = now_ms () + interval_ms;
        }
    }
done:
  if (w.fd >= 0)
    close (w.fd);
  return ret;

out:
  if (w.fd >= 0)
    close (w.fd);
  hr_container_release (&c);
  return ret;
}

/* events --audit (issue 16): the sandbox's audit stream, replayed from
   its start and followed until the audit process ends (audit.h).  Open
   also for a stopped container: the stream outlives the init until
   delete. */
int
hr_container_audit_events (struct hr_context *ctx, const char *id, hr_event_cb cb, void *cb_data, hr_err *err)
{
  struct hr_container c;
  int ret;

  if (hr_container_load (ctx, id, HR_STATE_NO_LOCK, &c, err) < 0)
    return -1;
  ret = hr_audit_follow (c.dirfd, cb, cb_data, err);
  hr_container_release (&c);
  return ret;
}
