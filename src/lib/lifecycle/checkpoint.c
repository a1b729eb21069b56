/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checkpoint: dump a running or paused container with CRIU (runc's
 * checkpoint.go and criu_linux.go are the behaviour callers expect; see
 * docs/checkpoint-restore.md).  The on-disk conventions are runc's, so
 * images and the tools around them interoperate: descriptors.json, bind
 * mounts and cgroup v1 mounts as external mounts keyed by their
 * destination, namespaces joined by path as extRootNetNS/extRootPidNS.
 */
#include <config.h>
#include "hydra.h"
#include "checkpoint/checkpoint.h"
#include "checkpoint/criu.h"
#include "checkpoint/criu_opts.h"
#include "cgroups/cgroup_driver.h"
#include "cgroups/cgroups.h"
#include "cleanup.h"
#include "lifecycle/lifecycle.h"
#include "log.h"
#include "setup/plan.h"
#include "state/state.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --status-fd with --lazy-pages: an fd we were given, open for writing
   (runc checks O_WRONLY the same way). */
static int
check_status_fd (int fd, hr_err *err)
{
  int fl = fcntl (fd, F_GETFL);
  if (fl < 0)
    return hr_error_set (err, errno, "invalid --status-fd argument %d", fd);
  if ((fl & O_ACCMODE) != O_WRONLY)
    return hr_error_plain (err, EINVAL, "invalid --status-fd argument %d: not writable", fd);
  return 0;
}

/* DIR/REL with "." and ".." resolved lexically, as Go's filepath.Join
   (runc's check of --parent-path). */
static char *
lexical_join (const char *dir, const char *rel)
{
  _cleanup_free_ char *in = xasprintf ("%s/%s", dir, rel);
  bool abs = in[0] == '/';
  char **parts = xmalloc0 ((strlen (in) / 2 + 2) * sizeof (char *));
  size_t n = 0, ups = 0;
  char *save = NULL;

  for (char *c = strtok_r (in, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      if (strcmp (c, ".") == 0)
        continue;
      if (strcmp (c, "..") == 0)
        {
          if (n > ups)
            n--;
          else if (!abs)
            parts[n++] = c, ups++;
          continue;
        }
      parts[n++] = c;
    }
  char *out = xstrdup (abs ? "/" : "");
  for (size_t i = 0; i < n; i++)
    {
      char *next = xasprintf ("%s%s%s", out, (i == 0 || out[strlen (out) - 1] == '/') ? "" : "/", parts[i]);
      free (out);
      out = next;
    }
  free (parts);
  if (*out == '\0')
    {
      free (out);
      out = xstrdup (".");
    }
  return out;
}

/* --parent-path: relative to the image path, an existing directory
   (runc's checks and words). */
static int
check_parent_path (const char *image_path, const char *parent, hr_err *err)
{
  struct stat st;
  _cleanup_free_ char *joined = NULL;

  if (parent[0] == '/')
    return hr_error_plain (err, EINVAL, "--parent-path must be relative");
  /* Go's filepath.Join cleans lexically: "final/../pre" is "pre", even
     while "final" does not exist yet (it is made after the checks). */
  joined = lexical_join (image_path, parent);
  if (stat (joined, &st) < 0)
    return hr_error_set (err, errno, "invalid --parent-path: stat %s", joined);
  if (!S_ISDIR (st.st_mode))
    return hr_error_plain (err, ENOTDIR, "invalid --parent-path: %s is not a directory", joined);
  return 0;
}

void
hr_record_descriptors (pid_t pid, hr_state_file *st)
{
  for (size_t i = 0; i < st->external_descriptors_len; i++)
    free (st->external_descriptors[i]);
  free (st->external_descriptors);
  st->external_descriptors = xmalloc0 (4 * sizeof (char *));
  st->external_descriptors_len = 3;
  for (int i = 0; i < 3; i++)
    {
      char link[64], target[4096];
      snprintf (link, sizeof (link), "/proc/%d/fd/%d", (int) pid, i);
      ssize_t n = readlink (link, target, sizeof (target) - 1);
      /* runc writes /dev/null for an fd it cannot read (closed). */
      target[n > 0 ? n : 0] = '\0';
      st->external_descriptors[i] = xstrdup (n > 0 ? target : "/dev/null");
    }
}

/* descriptors.json: a JSON array of the three strings (runc's format). */
static int
write_descriptors (int images_fd, const hr_state_file *st, pid_t pid, hr_err *err)
{
  hr_state_file now = { 0 };
  const hr_state_file *src = st;

  if (st->external_descriptors_len != 3)
    {
      /* A container created before they were recorded: its fds now. */
      hr_record_descriptors (pid, &now);
      src = &now;
    }
  _cleanup_free_ char *json = hr_descriptors_encode (src->external_descriptors, 3);
  int r = hr_state_write_file (images_fd, HR_DESCRIPTORS_FILE, json, strlen (json), err);
  for (size_t i = 0; i < now.external_descriptors_len; i++)
    free (now.external_descriptors[i]);
  free (now.external_descriptors);
  return r;
}

/* What the dump's callbacks need. */
struct dump_ctx
{
  struct hr_checkpoint_notify n;
  int images_fd;            /* -1: a pre-dump writes no descriptors */
  const hr_state_file *st;
  pid_t pid;
};

/* CRIU runs and passed the version and feature checks: only now does the
   image directory get its first file, so a CRIU that cannot do the job
   leaves it as it was. */
static int
dump_spawned (pid_t criu, struct hr_criu_req *req, void *data, hr_err *err)
{
  struct dump_ctx *d = data;

  (void) criu;
  (void) req;
  return d->images_fd < 0 ? 0 : write_descriptors (d->images_fd, d->st, d->pid, err);
}

static int
dump_notify (const char *script, pid_t pid, int fd, void *data, hr_err *err)
{
  struct dump_ctx *d = data;
  return hr_checkpoint_dump_notify (script, pid, fd, &d->n, err);
}

/* The parent of PID (/proc/PID/stat field 4), 0 when unknown. */
static pid_t
parent_of (pid_t pid)
{
  char path[64], buf[512];
  snprintf (path, sizeof (path), "/proc/%d/stat", (int) pid);
  _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t n = read (fd, buf, sizeof (buf) - 1);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  /* after the command's closing parenthesis: " S PPID ..." */
  char *rp = strrchr (buf, ')');
  int ppid = 0;
  if (rp == NULL || sscanf (rp + 1, " %*c %d", &ppid) != 1)
    return 0;
  return (pid_t) ppid;
}

/* CRIU dumps the init's process tree, nothing else.  A process of the
   container outside that tree (one from `exec -d`: its parent, the
   runtime, exited and it went to the host's reaper) would be left out
   and killed with the container (criu#2618, and runc loses it so): refuse
   the checkpoint instead, naming it, and change nothing. */
static int
check_one_tree (const struct hr_cgroup *cg, pid_t init, hr_err *err)
{
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;

  if (cg == NULL || cg->driver->procs (cg, &pids, &n, err) < 0)
    return cg == NULL ? 0 : -1;
  for (size_t i = 0; i < n; i++)
    {
      pid_t p = pids[i];
      int depth = 0;
      while (p > 1 && p != init && depth++ < 4096)
        p = parent_of (p);
      if (p == init || !hr_state_proc_alive (pids[i], false, 0))
        continue;
      char comm[64] = "?";
      char path[64];
      snprintf (path, sizeof (path), "/proc/%d/comm", (int) pids[i]);
      _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC);
      ssize_t r = fd >= 0 ? read (fd, comm, sizeof (comm) - 1) : -1;
      if (r > 0)
        comm[r - (comm[r - 1] == '\n')] = '\0';
      return hr_error_plain (err, EBUSY,
                             "process %d (%s) of the container is not a descendant of its init (a process of "
                             "`exec -d`?): CRIU would leave it out; stop it, or checkpoint when it has exited",
                             (int) pids[i], comm);
    }
  return 0;
}

int
hr_container_checkpoint (struct hr_context *ctx, const char *id, const struct hr_checkpoint_opts *opts, hr_err *err)
{
  _cleanup_ (oci_config_freep) oci_config *cfg = NULL;
  _cleanup_ (hr_cgroup_freep) struct hr_cgroup *cg = NULL;
  _cleanup_ (hr_plan_freep) struct hr_plan *plan = NULL;
  _cleanup_free_ char *ps_addr = NULL, *freezer = NULL;
  _cleanup_close_ int images_fd = -1, work_fd = -1;
  struct hr_criu_req req = { .images_fd = -1, .work_fd = -1, .stdio = { -1, -1, -1 } };
  struct hr_criu_needs needs = { 0 };
  struct hr_container c;
  const char *image_path = opts->image_path && *opts->image_path ? opts->image_path : "checkpoint";
  const char *work_path = opts->work_path && *opts->work_path ? opts->work_path : NULL;
  int cg_mode = hr_criu_cg_mode_parse (opts->manage_cgroups_mode);
  int ret = -1;

  if (hr_criu_check_manage_cgroups_mode (opts->manage_cgroups_mode, err) < 0
      || hr_checkpoint_empty_ns (opts->empty_ns, &req.empty_ns, err) < 0)
    return -1;
  if (opts->page_server && *opts->page_server
      && hr_criu_parse_page_server (opts->page_server, &ps_addr, &req.ps_port, err) < 0)
    return -1;
  if (opts->lazy_pages && opts->status_fd >= 0 && check_status_fd (opts->status_fd, err) < 0)
    return -1;
  if (opts->parent_path && *opts->parent_path && check_parent_path (image_path, opts->parent_path, err) < 0)
    return -1;

  if (hr_container_load (ctx, id, HR_STATE_LOCK_EX, &c, err) < 0)
    return -1;
  /* runc checkpoint.go: only running and paused containers. */
  if (strcmp (c.status, "running") != 0 && strcmp (c.status, "paused") != 0)
    {
      hr_error_plain (err, EINVAL, "Container cannot be checkpointed in %s state", c.status);
      goto out;
    }
  if (hr_state_load_config (c.dirfd, &cfg, err) < 0 || hr_checkpoint_check_config (cfg, err) < 0
      || hr_container_cgroup (&c, &cg, err) < 0 || check_one_tree (cg, c.pid, err) < 0)
    goto out;

  images_fd = hr_checkpoint_open_dir (image_path, true, "--image-path", err);
  if (images_fd < 0)
    goto out;
  if (work_path)
    {
      work_fd = hr_checkpoint_open_dir (work_path, true, "--work-path", err);
      if (work_fd < 0)
        goto out;
    }

  req.action = opts->pre_dump ? HR_CRIU_PRE_DUMP : HR_CRIU_DUMP;
  req.images_fd = images_fd;
  req.work_fd = work_fd >= 0 ? work_fd : images_fd;
  req.log_file = opts->pre_dump ? "pre-dump.log" : "dump.log";
  req.root = c.state->rootfs;
  req.pid = c.pid;
  req.leave_running = opts->leave_running || opts->pre_dump;
  req.tcp_established = opts->tcp_established;
  req.tcp_skip_in_flight = opts->tcp_skip_in_flight;
  req.link_remap = opts->link_remap;
  req.ext_unix_sk = opts->ext_unix_sk;
  req.shell_job = opts->shell_job;
  req.file_locks = opts->file_locks;
  req.auto_dedup = opts->auto_dedup;
  req.lazy_pages = opts->lazy_pages;
  req.orphan_pts_master = true;
  req.cg_mode = cg_mode;
  req.ps_address = ps_addr;
  req.ps_sock = opts->page_server_fd;
  if (opts->parent_path && *opts->parent_path)
    {
      /* runc: a parent image means memory tracking. */
      req.parent_img = opts->parent_path;
      req.track_mem = true;
    }
  if (opts->pre_dump)
    req.track_mem = true;
  needs.mem_track = req.track_mem;
  needs.lazy_pages = opts->lazy_pages;
  req.config_file = hr_criu_config_file (&cfg->annotations);
  /* The freezer CRIU uses instead of ptrace-stopping one task at a time
     (runc sends it on v1, and on v2 with CRIU >= 3.14). */
  if (cg)
    {
      const char *dir = hr_cgroup_dir_of (cg, "freezer");
      if (dir == NULL)
        dir = hr_cgroup_dir_of (cg, "");
      if (dir)
        req.freeze_cgroup = freezer = xstrdup (dir);
    }
  if (!opts->pre_dump)
    {
      /* Pre-dumps hold memory only: no mounts, no descriptors (runc). */
      struct hr_plan_opts popts = { .rootfs = c.state->rootfs, .bundle = c.state->bundle };
      if (hr_plan_build (cfg, &popts, &plan, err) < 0
          || hr_checkpoint_external_mounts (&req, plan, cg, c.pid, false, err) < 0
          || hr_checkpoint_external_ns (&req, cfg, err) < 0)
        goto out;
    }

  struct dump_ctx d = { .n = { .status_fd = opts->lazy_pages ? opts->status_fd : -1 },
                        .images_fd = opts->pre_dump ? -1 : images_fd, .st = c.state, .pid = c.pid };
  const struct hr_criu_callbacks cb = { .spawned = dump_spawned, .notify = dump_notify, .data = &d };
  hr_debug ("container %s: %s with criu into %s", id, opts->pre_dump ? "pre-dump" : "dump", image_path);
  if (hr_criu_run (ctx->criu, &req, &needs, &cb, NULL, err) < 0)
    {
      hr_error_wrap (err, "checkpoint container %s", id);
      goto out;
    }
  ret = 0;
  if (opts->leave_running || opts->pre_dump)
    goto out;
  /* The tasks are gone (CRIU killed them after the dump): the container
     goes as `delete` would remove it (runc destroys it; since runc 1.2
     only after a successful dump). */
  hr_criu_req_clear (&req);
  hr_container_release (&c);
  return hr_container_delete (ctx, id, true, err);

out:
  hr_criu_req_clear (&req);
  hr_container_release (&c);
  return ret;
}
