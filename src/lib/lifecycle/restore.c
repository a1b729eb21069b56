/* SPDX-License-Identifier: Apache-2.0 */
/*
 * restore: a container from a CRIU checkpoint, through create's path with
 * CRIU in the place of the init (runc restore.go, criu_linux.go Restore):
 *
 *   read      id, bundle, config.json, rootfs, the image directory and the
 *             plan, everything checked before anything exists;
 *   state     the state dir ("creating", this process as the creator), the
 *             cgroup through the cgroup driver;
 *   prepare   the restore plan (plan.h) in a throwaway mount namespace:
 *             the mountpoints, made through the resolver as create made
 *             them;
 *   CRIU      placed in the container's cgroup before it restores anything
 *             (runc criuApplyCgroups), with the external mounts,
 *             namespaces and stdio pipes runc's conventions name; the
 *             prestart and createRuntime hooks at its setup-namespaces
 *             notification; the pty master to --console-socket;
 *   record    the restored init (CRIU makes it our child: rst_sibling) in
 *             state.json as a running container.
 *
 * A failure at any point removes what was made: the restored tasks, the
 * cgroup, the state dir.
 */
#include <config.h>
#include "hydra.h"
#include "checkpoint/checkpoint.h"
#include "checkpoint/criu.h"
#include "checkpoint/criu_opts.h"
#include "cgroups/cgroup_driver.h"
#include "cgroups/cgroups.h"
#include "cleanup.h"
#include "lifecycle/hooks.h"
#include "lifecycle/lifecycle.h"
#include "kernel/namespaces.h"
#include "kernel/terminal.h"
#include "log.h"
#include "setup/init.h"
#include "setup/plan.h"
#include "state/state.h"
#include "state/sync.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CRIU_ROOT_DIR "criu-root"

struct restore_ctx
{
  struct hr_context *ctx;
  const char *id;
  const struct hr_restore_opts *opts;
  const oci_config *cfg;
  const char *bundle;
  int rootfd, dirfd;
  bool dir_made;
  bool lost;          /* a delete --force removed the state dir while hooks ran */
  hr_state_file *st;
  struct hr_cgroup *cg;
  bool limited;       /* the limits were written before CRIU ran */
  pid_t pid;          /* the restored init, once CRIU said */
  int master;         /* the pty master (orphan-pts-master), -1 */
  char *state_creating;
  int *fds;           /* opened for CRIU: namespaces by path */
  bool criu_root_mounted;
  size_t nfds;
};

static int
record (struct restore_ctx *r, hr_err *err)
{
  if (r->cg)
    r->cg->driver->to_state (r->cg, r->st);
  return hr_state_write (r->dirfd, r->st, err);
}

static void
restore_ctx_cleanup (struct restore_ctx *r, bool failed)
{
  if (failed && r->pid > 0)
    {
      kill (r->pid, SIGKILL);
      while (waitpid (r->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    }
  bool undo = failed && !r->lost;
  if (undo && r->cg)
    {
      hr_err ignored = NULL;
      /* Tasks CRIU made before it failed are in the cgroup. */
      hr_cgroup_empty_destroy (r->cg, &ignored);
      hr_error_free (&ignored);
    }
  hr_cgroup_free (r->cg);
  if (r->master >= 0)
    close (r->master);
  for (size_t i = 0; i < r->nfds; i++)
    if (r->fds[i] >= 0)
      close (r->fds[i]);
  free (r->fds);
  if (r->dirfd >= 0)
    {
      if (r->criu_root_mounted)
        hr_state_dir_detach (r->dirfd, CRIU_ROOT_DIR);
      (void) unlinkat (r->dirfd, CRIU_ROOT_DIR, AT_REMOVEDIR);
    }
  if (undo && r->dir_made)
    {
      hr_err ignored = NULL;
      hr_state_dir_remove (r->rootfd, r->id, &ignored);
      hr_error_free (&ignored);
    }
  if (r->dirfd >= 0)
    close (r->dirfd);
  if (r->rootfd >= 0)
    close (r->rootfd);
  free (r->state_creating);
}

/* The restore plan in a child of ours with a mount namespace of its own,
   gone when it exits; what it makes in the rootfs and bind sources stays. */
static int
make_mountpoints (const struct hr_plan *plan, hr_err *err)
{
  int sk[2];
  pid_t pid;
  int status = 0;

  if (plan->len == 0)
    return 0;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sk) < 0)
    return hr_error_set (err, errno, "socketpair");
  pid = fork ();
  if (pid < 0)
    {
      int e = errno;
      close (sk[0]);
      close (sk[1]);
      return hr_error_set (err, e, "fork");
    }
  if (pid == 0)
    {
      hr_err e = NULL;
      bool reported = false;
      struct hr_init_args a = { .plan = plan, .sync_fd = -1, .fifo_fd = -1, .console_fd = -1, .pidfd = -1,
                                .init_root = -1 };
      close (sk[0]);
      prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
      if (unshare (CLONE_NEWNS) < 0)
        hr_error_set (&e, errno, "unshare mount namespace");
      else if (hr_plan_run (&a, NULL, NULL, &reported, &e) == 0)
        _exit (0);
      hr_msg_send_error (sk[1], e);
      _exit (1);
    }
  close (sk[1]);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      {
        close (sk[0]);
        return hr_error_set (err, errno, "wait for the mountpoint setup");
      }
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    {
      close (sk[0]);
      return 0;
    }
  _cleanup_msg_ struct hr_msg *msg = hr_msg_alloc ();
  int r = hr_msg_recv (sk[0], msg, err);
  close (sk[0]);
  if (r < 0)
    return hr_error_wrap (err, "mountpoint setup for restore died");
  if (msg->type == HR_MSG_ERROR)
    hr_error_from_msg (err, msg->errnum, msg->data);
  else
    hr_error_plain (err, EPROTO, "mountpoint setup for restore failed");
  return hr_error_wrap (err, "prepare mountpoints");
}

/* Namespaces with a path: the network and pid ones are external to the
   image (checkpoint.c) and handed to CRIU as inherited fds under runc's
   keys; the others CRIU joins.  A cgroup namespace by path cannot be
   restored into (runc refuses it too). */
static int
namespaces_for_criu (struct restore_ctx *r, struct hr_criu_req *req, hr_err *err)
{
  const oci_linux *lx = r->cfg->linux_;

  for (size_t i = 0; lx && i < lx->namespaces_len; i++)
    {
      const oci_linux_namespace *ns = lx->namespaces[i];
      const struct hr_ns_info *info = hr_ns_by_type ((int) ns->type);
      if (ns->path == NULL || *ns->path == '\0' || info == NULL)
        continue;
      if (info->clone_flag == CLONE_NEWNET || info->clone_flag == CLONE_NEWPID)
        {
          int fd = hr_ns_open (ns->path, info, err);
          if (fd < 0)
            return -1;
          r->fds = xrealloc (r->fds, (r->nfds + 1) * sizeof (int));
          r->fds[r->nfds++] = fd;
          hr_criu_req_add_inherit (req, info->clone_flag == CLONE_NEWNET ? "extRootNetNS" : "extRootPidNS", fd);
        }
      else if (info->clone_flag == CLONE_NEWCGROUP)
        return hr_error_plain (err, EINVAL, "Do not know how to handle namespace cgroup with a path: %s", ns->path);
      else if (info->clone_flag != CLONE_NEWNS)
        hr_criu_req_add_join_ns (req, info->proc_name, ns->path);
    }
  return 0;
}

/* The init's stdio pipes at dump time (descriptors.json) are inherited:
   CRIU's fds 0-2, which are ours, take their place (runc: the new stdio
   of `restore`, e.g. conmon's pipes). */
static int
stdio_for_criu (int images_fd, struct hr_criu_req *req, hr_err *err)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  char **fds = NULL;
  size_t n = 0;

  if (hr_read_file_at (images_fd, HR_DESCRIPTORS_FILE, 1 << 20, &data, &len, err) < 0)
    {
      if (hr_error_errno (*err) != ENOENT)
        return -1;
      hr_error_free (err); /* an image without it (not runc's, nor ours) */
      return 0;
    }
  if (hr_descriptors_decode (data, len, &fds, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n && i < 3; i++)
    if (str_has_prefix (fds[i], "pipe:"))
      hr_criu_req_add_inherit (req, fds[i], (int) i);
  for (size_t i = 0; i < n; i++)
    free (fds[i]);
  free (fds);
  return 0;
}

/* CRIU is running: into the container's cgroup before it restores
   anything (its tasks are born there), and the new cgroup is where CRIU
   puts them back, hierarchy by hierarchy (cg_root, from where it now is). */
static int
criu_spawned (pid_t criu, struct hr_criu_req *req, void *data, hr_err *err)
{
  struct restore_ctx *r = data;
  const oci_linux_resources *res = r->cfg->linux_ ? r->cfg->linux_->resources : NULL;
  _cleanup_free_ char *path = xasprintf ("/proc/%d/cgroup", (int) criu);
  _cleanup_fclose_ FILE *f = NULL;
  _cleanup_free_ char *line = NULL;
  size_t cap = 0;

  if (r->cg->driver->place_init (r->cg, criu, false, res, err) < 0)
    return hr_error_wrap (err, "put criu into the container's cgroup");
  if (!r->limited && (record (r, err) < 0 || r->cg->driver->set_resources (r->cg, res, err) < 0))
    return -1;
  f = fopen (path, "re");
  if (f == NULL)
    return hr_error_set (err, errno, "open %s", path);
  while (getline (&line, &cap, f) > 0)
    {
      char *ctrls = strchr (line, ':'), *p, *nl, *save = NULL;
      if (ctrls == NULL || (p = strchr (++ctrls, ':')) == NULL)
        continue;
      *p++ = '\0';
      if ((nl = strchr (p, '\n')))
        *nl = '\0';
      if (*ctrls == '\0')
        {
          /* cgroup2: the root for whatever has no controller of its own. */
          hr_criu_req_add_cg_root (req, NULL, p);
          continue;
        }
      for (char *c = strtok_r (ctrls, ",", &save); c; c = strtok_r (NULL, ",", &save))
        hr_criu_req_add_cg_root (req, c, p);
    }
  return 0;
}

static int
criu_notify (const char *script, pid_t pid, int fd, void *data, hr_err *err)
{
  struct restore_ctx *r = data;

  if (strcmp (script, "orphan-pts-master") == 0)
    {
      if (fd < 0)
        return hr_error_plain (err, EPROTO, "criu sent no pty master");
      if (r->opts->console_socket && *r->opts->console_socket)
        {
          int ret = hr_console_socket_send (r->opts->console_socket, fd, err);
          close (fd);
          return ret;
        }
      if (r->master >= 0)
        close (r->master);
      r->master = fd;
      return 0;
    }
  if (fd >= 0)
    close (fd);
  if (strcmp (script, "setup-namespaces") == 0)
    {
      /* runc: the hooks that run in the runtime's namespaces, with the
         restored init's pid, before its tasks run. */
      const oci_hooks *h = r->cfg->hooks;
      if (h == NULL || (h->prestart_len == 0 && h->create_runtime_len == 0))
        return 0;
      free (r->state_creating);
      r->state_creating = hr_hooks_state_json (r->id, "creating", pid, r->bundle, &r->cfg->annotations);
      /* No lock over hooks (state.h "Locking"). */
      hr_state_dir_unlock (r->dirfd);
      int ret = hr_hooks_run (h->prestart, h->prestart_len, "prestart", r->state_creating, err);
      if (ret == 0)
        ret = hr_hooks_run (h->create_runtime, h->create_runtime_len, "createRuntime", r->state_creating, err);
      hr_err lerr = NULL;
      if (hr_state_dir_lock (r->dirfd, &lerr) < 0 || !hr_state_dir_is_ours (r->rootfd, r->id, r->dirfd))
        {
          hr_error_free (&lerr);
          r->lost = true;
          if (ret == 0)
            ret = hr_error_plain (err, ENOENT, "container %s was deleted while it was being restored", r->id);
        }
      return ret;
    }
  if (strcmp (script, "post-restore") == 0 && pid > 0)
    {
      /* The restored init, on record before its tasks resume: `state`
         shows it and delete --force reaches it. */
      r->pid = pid;
      r->st->pid = pid;
      r->st->pid_present = true;
      r->st->init_start_time = hr_proc_start_time (pid, NULL);
      r->st->init_start_time_present = true;
      return record (r, err);
    }
  return 0;
}

static int
check_images (const char *image_path, int *images_fd, hr_err *err)
{
  struct stat st;

  *images_fd = hr_checkpoint_open_dir (image_path, false, "--image-path", err);
  if (*images_fd < 0)
    return -1;
  if (fstatat (*images_fd, HR_CRIU_INVENTORY, &st, 0) < 0 || !S_ISREG (st.st_mode))
    return hr_error_plain (err, ENOENT, "%s is not a checkpoint image directory (no %s)", image_path,
                           HR_CRIU_INVENTORY);
  return 0;
}

static int
do_restore (struct hr_context *ctx, const char *id, const struct hr_restore_opts *opts, pid_t *pid_out,
            int *master_out, hr_err *err)
{
  _cleanup_ (oci_config_freep) oci_config *cfg = NULL;
  _cleanup_ (hr_plan_freep) struct hr_plan *plan = NULL;
  _cleanup_ (hr_state_file_freep) hr_state_file *st = NULL;
  _cleanup_free_ char *bundle = NULL, *rootfs = NULL, *config_path = NULL, *config_data = NULL,
                      *state_root = NULL, *criu_root = NULL;
  _cleanup_close_ int images_fd = -1, work_fd = -1;
  size_t config_len = 0;
  struct restore_ctx r = { .ctx = ctx, .id = id, .opts = opts, .rootfd = -1, .dirfd = -1, .master = -1 };
  struct hr_criu_req req = { .images_fd = -1, .work_fd = -1, .stdio = { 0, 1, 2 } };
  const char *image_path = opts->image_path && *opts->image_path ? opts->image_path : "checkpoint";
  int cg_mode = hr_criu_cg_mode_parse (opts->manage_cgroups_mode);
  struct hr_plan_opts popts = { 0 };
  bool terminal;
  int ret = -1;

  /* Read: nothing exists yet, a failure leaves nothing. */
  if (hr_validate_id (id, err) < 0)
    return -1;
  if (hr_criu_check_manage_cgroups_mode (opts->manage_cgroups_mode, err) < 0)
    return -1;
  if (hr_checkpoint_empty_ns (opts->empty_ns, &req.empty_ns, err) < 0)
    return -1;
  if (hr_resolve_bundle (opts->bundle, &bundle, err) < 0)
    return -1;
  config_path = xasprintf ("%s/config.json", bundle);
  if (hr_read_config (config_path, &config_data, &config_len, &cfg, err) < 0
      || hr_checkpoint_check_config (cfg, err) < 0)
    return -1;
  terminal = cfg->process && cfg->process->terminal_present && cfg->process->terminal;
  if (terminal && hr_terminal_check (terminal, opts->detach, opts->console_socket, err) < 0)
    return -1;
  if (hr_resolve_rootfs (bundle, cfg, &rootfs, err) < 0)
    return -1;
  if (check_images (image_path, &images_fd, err) < 0 || (!opts->lazy_pages && hr_images_check (images_fd, err) < 0))
    goto fail_early;
  if (opts->work_path && *opts->work_path)
    {
      work_fd = hr_checkpoint_open_dir (opts->work_path, true, "--work-path", err);
      if (work_fd < 0)
        goto fail_early;
    }
  const struct hr_cgroup_driver *drv = hr_cgroup_driver_select (ctx->systemd_cgroup);
  const char *cgroups_path = cfg->linux_ ? cfg->linux_->cgroups_path : NULL;
  const oci_linux_resources *res = cfg->linux_ ? cfg->linux_->resources : NULL;
  popts.rootfs = rootfs;
  popts.bundle = bundle;
  popts.no_pivot = opts->no_pivot;
  popts.cgroupns_late = drv->places_after_clone ();
  if (drv->check (cgroups_path, id, err) < 0 || hr_plan_build_restore (cfg, &popts, &plan, err) < 0
      || hr_plan_check_host (plan, err) < 0)
    goto fail_early;
  hr_plan_debug (plan, "restore plan", id);
  r.cfg = cfg;
  r.bundle = bundle;

  /* State: from here on a failure undoes. */
  r.rootfd = hr_state_root_open (ctx, &state_root, err);
  if (r.rootfd < 0)
    goto out;
  r.dirfd = hr_state_dir_create (r.rootfd, id, err);
  if (r.dirfd < 0)
    goto out;
  r.dir_made = true;
  if (hr_state_write_file (r.dirfd, HR_CONFIG_FILE, config_data, config_len, err) < 0)
    goto out;
  st = hr_state_new_creating (ctx, id, bundle, rootfs, cfg);
  r.st = st;
  if (drv->prepare (cgroups_path, id, hr_context_rootless (ctx), &r.cg, err) < 0 || record (&r, err) < 0)
    goto out;
  r.limited = hr_cgroup_made (r.cg);
  if (r.limited && drv->set_resources (r.cg, res, err) < 0)
    goto out;

  /* Prepare the rootfs, then describe the container to CRIU. */
  if (make_mountpoints (plan, err) < 0)
    goto out;
  if (mkdirat (r.dirfd, CRIU_ROOT_DIR, 0700) < 0)
    {
      hr_error_set (err, errno, "mkdir %s", CRIU_ROOT_DIR);
      goto out;
    }
  criu_root = xasprintf ("%s/%s/%s", state_root, hr_state_dir_name (id, (char[HR_STATE_DIR_NAME_MAX]){ 0 }),
                         CRIU_ROOT_DIR);
  /* CRIU wants its root to be a mount point whose parent is not
     overmounted (runc binds the rootfs on <state>/criu-root); private,
     so that nothing CRIU mounts under it propagates back to the host.
     Detached again once CRIU is done; `delete` detaches one a killed
     restore left (hr_state_dir_remove). */
  if (mount (rootfs, criu_root, NULL, MS_BIND | MS_REC, NULL) < 0)
    {
      hr_error_set (err, errno, "bind the rootfs on %s", criu_root);
      goto out;
    }
  r.criu_root_mounted = true;
  if (mount (NULL, criu_root, NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    {
      hr_error_set (err, errno, "make %s private", criu_root);
      goto out;
    }
  {
    /* The full create plan names the mounts (binds, cgroup binds,
       devices): the same list the dump used. */
    _cleanup_ (hr_plan_freep) struct hr_plan *full = NULL;
    if (hr_plan_build (cfg, &popts, &full, err) < 0 || hr_checkpoint_external_mounts (&req, full, r.cg, 0, true, err) < 0)
      goto out;
  }
  /* migrate-receive has no stdio to give: the restored tree's inherited
     pipes become /dev/null (CRIU's stdio; hr_criu_req.stdio -1). */
  if (opts->stdio_null)
    req.stdio[0] = req.stdio[1] = req.stdio[2] = -1;
  if (namespaces_for_criu (&r, &req, err) < 0 || stdio_for_criu (images_fd, &req, err) < 0)
    goto out;
  req.action = HR_CRIU_RESTORE;
  req.images_fd = images_fd;
  req.work_fd = work_fd >= 0 ? work_fd : images_fd;
  req.log_file = "restore.log";
  req.root = criu_root;
  req.rst_sibling = true;
  req.orphan_pts_master = terminal;
  /* runc: device nodes are restored by path, not by their mounts' ids. */
  req.evasive_devices = true;
  req.tcp_established = opts->tcp_established;
  req.tcp_close = opts->tcp_close;
  req.ext_unix_sk = opts->ext_unix_sk;
  req.shell_job = opts->shell_job;
  req.file_locks = opts->file_locks;
  req.auto_dedup = opts->auto_dedup;
  req.lazy_pages = opts->lazy_pages;
  req.cg_mode = cg_mode;
  req.lsm_profile = opts->lsm_profile && *opts->lsm_profile ? opts->lsm_profile : NULL;
  req.lsm_mount_context = opts->lsm_mount_context && *opts->lsm_mount_context ? opts->lsm_mount_context : NULL;
  req.config_file = hr_criu_config_file (&cfg->annotations);

  {
    const struct hr_criu_callbacks cb = { .spawned = criu_spawned, .notify = criu_notify, .data = &r };
    const struct hr_criu_needs needs = { .lazy_pages = opts->lazy_pages };
    pid_t restored = 0;
    hr_debug ("container %s: restore with criu from %s", id, image_path);
    if (hr_criu_run (ctx->criu, &req, &needs, &cb, &restored, err) < 0)
      {
        hr_error_wrap (err, "restore container %s", id);
        goto out;
      }
    if (restored > 0)
      r.pid = restored;
  }
  if (r.pid <= 0)
    {
      hr_error_plain (err, EPROTO, "criu did not tell the restored init's pid");
      goto out;
    }
  if (r.lost)
    {
      hr_error_plain (err, ENOENT, "container %s was deleted while it was being restored", id);
      goto out;
    }

  /* Record: a running container, its stdio as it is now. */
  st->pid = r.pid;
  st->pid_present = true;
  st->init_start_time = hr_proc_start_time (r.pid, NULL);
  st->init_start_time_present = true;
  hr_record_descriptors (r.pid, st);
  st->status = OCI_HR_STATUS_RUNNING;
  st->status_present = true;
  st->created = (free (st->created), hr_now_rfc3339 ());
  st->creator_pid_present = st->creator_start_time_present = false;
  if (cfg->annotations.len)
    {
      st->annotations = cfg->annotations;
      memset (&cfg->annotations, 0, sizeof (cfg->annotations));
    }
  if (record (&r, err) < 0)
    goto out;
  if (opts->pid_file && *opts->pid_file && hr_write_pid_file (opts->pid_file, r.pid, err) < 0)
    goto out;
  hr_debug ("container %s: restored, init pid %d", id, (int) r.pid);
  if (pid_out)
    *pid_out = r.pid;
  if (master_out && r.master >= 0)
    *master_out = TAKE_FD (r.master);
  ret = 0;

out:
  hr_criu_req_clear (&req);
  restore_ctx_cleanup (&r, ret < 0);
  return ret;

fail_early:
  hr_criu_req_clear (&req);
  return -1;
}

int
hr_container_restore (struct hr_context *ctx, const char *id, const struct hr_restore_opts *opts, int *exit_code,
                      hr_err *err)
{
  _cleanup_close_ int master = -1;
  pid_t pid = 0;

  *exit_code = 0;
  /* The restored init is our child (rst_sibling): in the foreground,
     orphans of a container sharing our pid namespace come to us too. */
  if (!opts->detach && !opts->no_subreaper)
    (void) prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  if (do_restore (ctx, id, opts, &pid, opts->detach ? NULL : &master, err) < 0)
    return -1;
  if (opts->detach)
    return 0;
  /* runc restore without -d: the container's exit status, then it goes. */
  hr_forward_signals_to (pid);
  if (master >= 0)
    hr_terminal_inherit_size (master);
  if (hr_wait_foreground (pid, master, exit_code, err) < 0)
    return -1;
  return hr_container_delete (ctx, id, true, err);
}
