/* SPDX-License-Identifier: Apache-2.0 */
/*
 * create / start / run: the lifecycle of a container (runtime-spec
 * runtime.md "Lifecycle").  hydra-runc clones the container's init itself
 * (no re-exec of the runtime, no helper daemon), hands it the setup plan,
 * and talks to it over the typed sync protocol.
 */
#include <config.h>
#include "hydra.h"
#include "cleanup.h"
#include "cgroups/cgroups.h"
#include "fault.h"
#include "cgroups/cgroup_resources.h"
#include "cgroups/cgroup_driver.h"
#include "lifecycle/hooks.h"
#include "setup/init.h"
#include "lifecycle/lifecycle.h"
#include "lifecycle/notify.h"
#include "log.h"
#include "kernel/lsm.h"
#include "kernel/namespaces.h"
#include "kernel/netdev.h"
#include "setup/plan.h"
#include "kernel/seccomp_cache.h"
#include "sandbox/sandbox.h"
#include "kernel/seccomp_notify.h"
#include "state/state.h"
#include "state/sync.h"
#include "kernel/terminal.h"
#include "kernel/userns.h"
#include "sandbox/policy.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>

/* The pieces of a create that must be undone if it fails. */
struct create_ctx
{
  int rootfd, dirfd, fifo_fd, sock[2];
  int *join_fds;
  size_t njoin;
  pid_t pid;
  const char *id;
  bool dir_made;
  bool lost;          /* the state dir was deleted while we did not hold its lock */
  bool sandboxed;     /* hr_sandbox_start ran: its audit process is stopped on failure */
  int preserve_fds;   /* --preserve-fds plus socket-activation fds */
  int console[2];     /* console channel (terminal.h), -1 without a terminal */
  struct hr_cgroup *cg; /* its driver says how to undo it (a systemd unit, directories) */
  struct hr_netdev_moves *netdevs; /* linux.netDevices moved into the container */
  struct hr_seccomp_prog seccomp;  /* linux.seccomp compiled or cached, for the init to load */
};

static void
create_ctx_cleanup (struct create_ctx *c, bool failed)
{
  /* Before the init dies: its network namespace goes with it, and the
     kernel destroys a virtual device (veth, macvlan) left in it.  A create
     that failed leaves the host's devices as it found them. */
  if (failed)
    hr_netdev_move_back (c->netdevs);
  hr_netdev_moves_free (c->netdevs);
  hr_seccomp_prog_clear (&c->seccomp);
  if (failed && c->pid > 0)
    {
      kill (c->pid, SIGKILL);
      while (waitpid (c->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    }
  /* lost: a delete --force removed the state dir, the cgroup and the unit
     while our hooks ran; a new create may own the id by now. */
  bool undo = failed && !c->lost;
  if (undo && c->cg)
    {
      hr_err ignored = NULL;
      c->cg->driver->destroy (c->cg, &ignored);
      hr_error_free (&ignored);
    }
  hr_cgroup_free (c->cg);
  for (size_t i = 0; i < c->njoin; i++)
    if (c->join_fds[i] >= 0)
      close (c->join_fds[i]);
  free (c->join_fds);
  for (int i = 0; i < 2; i++)
    {
      if (c->sock[i] >= 0)
        close (c->sock[i]);
      if (c->console[i] >= 0)
        close (c->console[i]);
    }
  if (c->fifo_fd >= 0)
    close (c->fifo_fd);
  if (undo && c->sandboxed)
    {
      hr_err ignored = NULL;
      hr_sandbox_stop (c->dirfd, &ignored);
      hr_error_free (&ignored);
    }
  if (undo && c->dir_made)
    {
      hr_err ignored = NULL;
      hr_state_dir_remove (c->rootfd, c->id, &ignored);
      hr_error_free (&ignored);
    }
  if (c->dirfd >= 0)
    close (c->dirfd);
  if (c->rootfd >= 0)
    close (c->rootfd);
}

/* state.json before the created state: a create killed half way (kill -9,
   the OOM killer) leaves no process behind (the init and hooks die with
   it, PR_SET_PDEATHSIG) but does leave the cgroup, which only this record
   names for `delete --force` to remove; without a pid it reads as
   "stopped".  Rewritten whenever the create has made something more to
   undo (the cgroup, a systemd unit).  faults.bats drives these stages. */
static int
record_progress (const struct create_ctx *c, hr_state_file *st, hr_err *err)
{
  if (c->cg)
    c->cg->driver->to_state (c->cg, st);
  return hr_state_write (c->dirfd, st, err);
}

/* The init keeps PR_SET_PDEATHSIG until state.json names it: had it
   dropped it at CREATED, a create killed before writing the state would
   leave an init that no `state`, `kill` or `delete` knows about.  Tell it
   the record is on disk, and wait until it has let go of the parent
   death signal (it answers RECORDED_ACK then): were we to exit first, it
   would die with us.  An init that exits instead of answering is an
   error, not an acknowledgement. */
static int
hand_over (struct create_ctx *c, hr_err *err)
{
  _cleanup_msg_ struct hr_msg *msg = hr_msg_alloc ();

  if (hr_msg_send (c->sock[0], HR_MSG_RECORDED, 0, NULL, 0, err) < 0
      || hr_msg_expect (c->sock[0], HR_MSG_RECORDED_ACK, msg, err) < 0)
    return hr_error_wrap (err, "container init did not acknowledge its state record");
  return 0;
}

/* No lock is held while the init sets up and the hooks run (state.h
   "Locking"): a hook may call `state` or `kill` on this container, and
   `delete --force` must be able to stop a hung one.  Take the lock back
   and check the state dir is still this create's: a delete --force kills
   this process first, but a directory removed and made again by someone
   else must never be written to or cleaned up by us. */
static int
reclaim_lock (struct create_ctx *c, hr_err *err)
{
  hr_err ignored = NULL;

  if (hr_state_dir_lock (c->dirfd, err ? err : &ignored) < 0)
    {
      hr_error_free (&ignored);
      c->lost = true; /* cannot tell: touch nothing of the state dir */
      return -1;
    }
  if (!hr_state_dir_is_ours (c->rootfd, c->id, c->dirfd))
    {
      c->lost = true;
      if (err)
        hr_error_plain (err, ENOENT, "container %s was deleted while it was being created", c->id);
      return -1;
    }
  return 0;
}

/* On cgroup v2 the init is born in its cgroup (CLONE_INTO_CGROUP): it
   never runs, nor allocates, outside the container's limits. */
static pid_t
clone_init (int flags, int cgroup_fd)
{
  struct clone_args args = { .flags = (unsigned long long) flags, .exit_signal = SIGCHLD };
  if (cgroup_fd >= 0)
    {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = (unsigned long long) cgroup_fd;
    }
  return (pid_t) syscall (SYS_clone3, &args, sizeof (args));
}

/* Start the init in its new namespaces.  Joining an existing pid
   namespace only affects children, so the parent enters it just for the
   clone and returns to its own (runtime-spec: "path" namespaces). */
static int
spawn_init (struct create_ctx *c, const struct hr_plan *plan, const struct hr_create_opts *opts,
            const oci_linux_resources *res, hr_err *err)
{
  _cleanup_close_ int own_pidns = -1, target_pidns = -1, own_timens = -1;
  const struct hr_ns_info *pidns = hr_ns_by_name ("pid");

  if (plan->join_pid)
    {
      own_pidns = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
      if (own_pidns < 0)
        return hr_error_set (err, errno, "open own pid namespace");
      target_pidns = hr_ns_open (plan->join_pid, pidns, err);
      if (target_pidns < 0 || hr_ns_join (target_pidns, pidns, plan->join_pid, err) < 0)
        return -1;
    }

  if (plan->new_timens)
    {
      own_timens = hr_timens_prepare (plan->config->linux_, err);
      if (own_timens < 0)
        {
          if (own_pidns >= 0)
            (void) setns (own_pidns, CLONE_NEWPID);
          return -1;
        }
    }

  _cleanup_close_ int cgroup_fd = c->cg->driver->clone_into (c->cg);
  HR_FAULT_POINT ("create-before-clone");
  /* (decided here: in a new user namespace the child's euid is the
     overflow uid until its maps are written) */
  bool user_writes_maps = plan->new_userns && geteuid () != 0;
  c->pid = clone_init (plan->clone_flags, cgroup_fd);
  if (c->pid == 0)
    {
      struct hr_init_args a = {
        .plan = plan,
        .sync_fd = c->sock[1],
        .fifo_fd = c->fifo_fd,
        .join_fds = c->join_fds,
        .preserve_fds = c->preserve_fds,
        .console_fd = c->console[1],
        .dumpable_until_go = user_writes_maps,
        .seccomp = &c->seccomp,
      };
      /* The state dir fd carries the flock of this create: the init must
         not keep it (start/delete would wait forever on it). */
      close (c->sock[0]);
      if (c->console[0] >= 0)
        close (c->console[0]);
      close (c->dirfd);
      close (c->rootfd);
      hr_init_run (&a);
    }
  if (own_timens >= 0 && hr_timens_restore (TAKE_FD (own_timens), c->pid < 0 ? NULL : err) < 0)
    return -1;
  if (c->pid < 0)
    {
      int e = errno;
      if (own_pidns >= 0)
        (void) setns (own_pidns, CLONE_NEWPID);
      if (e == EPERM && geteuid () != 0)
        return hr_error_plain (err, e, "clone container init: permission denied (creating namespaces needs root, "
                                       "or a user namespace in config.json for rootless containers)");
      return hr_error_set (err, e, "clone container init");
    }
  if (own_pidns >= 0 && setns (own_pidns, CLONE_NEWPID) < 0)
    return hr_error_set (err, errno, "return to own pid namespace");
  close (c->sock[1]);
  c->sock[1] = -1;
  if (c->console[1] >= 0)
    {
      close (c->console[1]);
      c->console[1] = -1;
    }
  /* Unless it was born there: into its cgroup before it runs anything of
     the config (it waits for GO); its cgroup namespace is unshared after
     that (places_after_clone).  systemd starts the scope here, with the
     limits it has properties for. */
  if (c->cg->driver->place_init (c->cg, c->pid, cgroup_fd >= 0, res, err) < 0)
    return -1;
  if (plan->new_userns && hr_userns_write_maps (c->pid, plan->config->linux_, err) < 0)
    return -1;
  return 0;
}

/* plan->parent_opens_binds: open every bind source as host root, in the
   init's mount namespace (through /proc/<init>/root, as runc's nsexec
   setns()es there), and send the fds in step order.  Relative sources are
   from the bundle, as the init's are. */
static int
send_bind_sources (const struct create_ctx *c, const struct hr_plan *plan, hr_err *err)
{
  for (size_t i = 0; i < plan->len; i++)
    {
      const struct hr_step *s = &plan->steps[i];
      if (s->kind != STEP_MOUNT || !s->opts.bind)
        continue;
      const char *src = s->mount->source;
      _cleanup_free_ char *path = src[0] == '/' ? xasprintf ("/proc/%d/root%s", (int) c->pid, src)
                                                : xasprintf ("/proc/%d/root%s/%s", (int) c->pid, plan->bundle, src);
      _cleanup_close_ int fd = open (path, O_PATH | O_CLOEXEC);
      if (fd < 0)
        return hr_error_set (err, errno, "bind mount source `%s`", src);
      if (hr_send_fd (c->sock[0], fd, src, err) < 0)
        return hr_error_wrap (err, "send bind mount source `%s` to the init", src);
    }
  return 0;
}

/* Serve the init until it reports created: it may ask us to run the
   runtime-namespace hooks first (prestart, then createRuntime). */
static int
wait_created (struct create_ctx *c, const oci_config *cfg, const char *state_creating, hr_err *err)
{
  _cleanup_msg_ struct hr_msg *msg = hr_msg_alloc ();

  for (;;)
    {
      if (hr_msg_recv (c->sock[0], msg, err) < 0)
        return hr_error_wrap (err, "container init exited during setup");
      if (msg->type == HR_MSG_ERROR)
        return hr_error_from_msg (err, msg->errnum, msg->data);
      if (msg->type == HR_MSG_CREATED)
        return 0;
      if (msg->type == HR_MSG_SECCOMP_FD)
        {
          /* runc: the init's pid, status "creating". */
          const struct hr_seccomp_agent agent = { cfg->linux_ ? cfg->linux_->seccomp : NULL, c->pid, state_creating };
          if (hr_seccomp_notify_forward (c->sock[0], &agent, err) < 0)
            return -1;
          continue;
        }
      if (msg->type != HR_MSG_RUN_HOOKS)
        return hr_error_plain (err, EPROTO, "unexpected `%s` message from the container init",
                               hr_msg_name (msg->type));
      const oci_hooks *h = cfg->hooks;
      hr_err herr = NULL;
      hr_debug ("running %zu prestart and %zu createRuntime hooks", h->prestart_len, h->create_runtime_len);
      if (hr_hooks_run (h->prestart, h->prestart_len, "prestart", state_creating, &herr) < 0
          || hr_hooks_run (h->create_runtime, h->create_runtime_len, "createRuntime", state_creating, &herr) < 0)
        {
          hr_msg_send_error (c->sock[0], herr);
          *err = herr;
          return -1;
        }
      if (hr_msg_send (c->sock[0], HR_MSG_HOOKS_DONE, 0, NULL, 0, err) < 0)
        return -1;
    }
}

/* systemd socket activation (sd_listen_fds(3)): when hydra-runc itself was
   handed fds 3.. with LISTEN_FDS for our pid, they pass on to the
   container, whose process is told about them as pid 1 (runc does the
   same).  Returns how many fds to preserve for it. */
static int
socket_activation (oci_process *proc)
{
  const char *fds = getenv ("LISTEN_FDS"), *pid = getenv ("LISTEN_PID");
  char *end;
  long n;

  if (fds == NULL || pid == NULL || strtol (pid, NULL, 10) != (long) getpid ())
    return 0;
  n = strtol (fds, &end, 10);
  if (*end != '\0' || n <= 0 || n > 1024)
    return 0;
  proc->env = xrealloc (proc->env, (proc->env_len + 3) * sizeof (char *));
  proc->env[proc->env_len++] = xasprintf ("LISTEN_FDS=%ld", n);
  proc->env[proc->env_len++] = xstrdup ("LISTEN_PID=1");
  proc->env[proc->env_len] = NULL;
  return (int) n;
}

int
hr_pidfd_socket_connect (const char *path, hr_err *err)
{
  return hr_unix_connect (path, "--pidfd-socket", err);
}

/* runc's init sends it itself (pidfd_open of its own pid); the runtime
   sends the same from outside, so no host socket enters the container. */
int
hr_pidfd_socket_send (int sock, pid_t pid, const char *kind, hr_err *err)
{
  _cleanup_close_ int pidfd = pidfd_open (pid, 0);

  if (pidfd < 0)
    return hr_error_set (err, errno, "pidfd_open %d", (int) pid);
  if (hr_send_fd (sock, pidfd, kind, err) < 0)
    return hr_error_wrap (err, "send the pidfd to --pidfd-socket");
  return 0;
}

static int
do_create (struct hr_context *ctx, const char *id, const struct hr_create_opts *opts, bool detached, pid_t *pid_out,
           int *master_out, hr_err *err)
{
  _cleanup_ (oci_config_freep) oci_config *cfg = NULL;
  _cleanup_ (hr_plan_freep) struct hr_plan *plan = NULL;
  _cleanup_ (hr_state_file_freep) hr_state_file *st = NULL;
  _cleanup_ (hr_policy_freep) struct hr_policy *pol = NULL;
  _cleanup_free_ char *bundle = NULL, *rootfs = NULL, *config_path = NULL, *state_root = NULL, *config_data = NULL;
  size_t config_len = 0;
  struct create_ctx c = { .rootfd = -1, .dirfd = -1, .fifo_fd = -1, .sock = { -1, -1 }, .id = id,
                         .console = { -1, -1 } };
  bool terminal;
  struct hr_plan_opts popts = { 0 };
  _cleanup_close_ int notify_rootfd = -1, pidfd_sock = -1;
  _cleanup_free_ char *notify_dir = NULL;
  int ret = -1;

  if (hr_validate_id (id, err) < 0)
    return -1;
  if (hr_resolve_bundle (opts->bundle, &bundle, err) < 0)
    return -1;
  config_path = xasprintf ("%s/config.json", bundle);
  /* A sandbox policy (annotation) is lowered before anything reads the
     config, so a bad one fails here with nothing made (issue 16). */
  if (hr_read_config (config_path, &config_data, &config_len, &cfg, err) < 0
      || hr_policy_lower_config (cfg, &config_data, &config_len, &pol, err) < 0
      || (pol && hr_policy_resolve (pol, err) < 0))
    return -1;
  terminal = cfg->process && cfg->process->terminal_present && cfg->process->terminal;
  if (hr_terminal_check (terminal, detached, opts->console_socket, err) < 0)
    return -1;
  if (hr_resolve_rootfs (bundle, cfg, &rootfs, err) < 0)
    return -1;
  c.preserve_fds = opts->preserve_fds + socket_activation (cfg->process);
  const struct hr_cgroup_driver *drv = hr_cgroup_driver_select (ctx->systemd_cgroup);
  const char *cgroups_path = cfg->linux_ ? cfg->linux_->cgroups_path : NULL;
  const oci_linux_resources *res = cfg->linux_ ? cfg->linux_->resources : NULL;
  popts.rootfs = rootfs;
  popts.bundle = bundle;
  popts.no_pivot = opts->no_pivot;
  popts.keyring = opts->no_new_keyring ? NULL : id;
  /* A driver that moves the init into its cgroup after clone (v1,
     hybrid, systemd) needs its cgroup namespace made after that, or it
     would be rooted at ours.  A cgroupsPath (or, for systemd, a host) the
     driver cannot use is refused here, before anything exists. */
  popts.cgroupns_late = drv->places_after_clone ();
  popts.unprivileged = geteuid () != 0;
  popts.policy = pol;
  if (drv->check (cgroups_path, id, err) < 0)
    return -1;
  if (opts->pidfd_socket && *opts->pidfd_socket)
    {
      pidfd_sock = hr_pidfd_socket_connect (opts->pidfd_socket, err);
      if (pidfd_sock < 0)
        return -1;
    }
  if (hr_notify_host ())
    {
      /* The plan names the notify directory's host path, under the state
         root: opened (made if missing) this early, its path as the kernel
         resolved it, so no symlink of the --root given stands in it. */
      char buf[HR_STATE_DIR_NAME_MAX];
      notify_rootfd = hr_state_root_open (ctx, &state_root, err);
      if (notify_rootfd < 0)
        return -1;
      _cleanup_free_ char *fdpath = xasprintf ("/proc/self/fd/%d", notify_rootfd);
      _cleanup_free_ char *real = realpath (fdpath, NULL);
      if (real == NULL)
        return hr_error_set (err, errno, "resolve the state root");
      notify_dir = xasprintf ("%s/%s/" HR_NOTIFY_DIR, strcmp (real, "/") ? real : "", hr_state_dir_name (id, buf));
      popts.notify_dir = notify_dir;
    }
  if (hr_plan_build (cfg, &popts, &plan, err) < 0 || hr_plan_check_host (plan, err) < 0
      || hr_netdev_precheck (cfg->linux_, err) < 0
      || (plan->new_userns && hr_userns_check_helpers (cfg->linux_, err) < 0))
    return -1;
  /* Labels for a module the host does not run are refused here, before
     anything exists (lsm.h). */
  struct hr_lsm_labels labels = {
    .apparmor = cfg->process->apparmor_profile, .apparmor_field = "process.apparmorProfile",
    .selinux = cfg->process->selinux_label, .selinux_field = "process.selinuxLabel",
    .mount = cfg->linux_ ? cfg->linux_->mount_label : NULL, .mount_field = "linux.mountLabel",
  };
  if (hr_lsm_check (&labels, err) < 0)
    return -1;
  hr_plan_debug (plan, "setup plan", id);

  /* Everything above only read; from here on a failure must undo. */
  c.rootfd = notify_rootfd >= 0 ? TAKE_FD (notify_rootfd) : hr_state_root_open (ctx, &state_root, err);
  if (c.rootfd < 0)
    goto out;
  c.dirfd = hr_state_dir_create (c.rootfd, id, err);
  if (c.dirfd < 0)
    goto out;
  c.dir_made = true;
  hr_debug ("container %s: state directory in %s", id, state_root);
  if (notify_dir && hr_notify_dir_make (c.dirfd, err) < 0)
    goto out;
  /* (as written: socket activation's LISTEN_FDS is for the init only, not
     for processes exec'd later, as in runc) */
  if (hr_state_write_file (c.dirfd, HR_CONFIG_FILE, config_data, config_len, err) < 0)
    goto out;
  st = hr_state_new_creating (ctx, id, bundle, rootfs, cfg);
  /* (--systemd-cgroup: systemd makes the cgroup once the init exists.) */
  if (drv->prepare (cgroups_path, id, hr_context_rootless (ctx), &c.cg, err) < 0 || record_progress (&c, st, err) < 0)
    goto out;
  for (size_t i = 0; i < st->cgroup_paths.len; i++)
    hr_debug ("container %s: cgroup %s: %s", id, st->cgroup_paths.keys[i], st->cgroup_paths.values[i]);
  /* Limits in place before the init exists (on v2 it is born inside),
     where the driver has made the cgroup already. */
  bool limited = hr_cgroup_made (c.cg);
  if (limited && drv->set_resources (c.cg, res, err) < 0)
    goto out;

  if (mkfifoat (c.dirfd, HR_EXEC_FIFO, 0600) < 0)
    {
      hr_error_set (err, errno, "create exec fifo");
      goto out;
    }
  /* The init inherits the fifo open read-write: it never blocks opening
     it, keeps it across the uid change (process.user may not be able to
     open a root-owned fifo, nor its own /proc/self/fd once non-dumpable),
     and waits for `start` by reading one byte from it. */
  c.fifo_fd = openat (c.dirfd, HR_EXEC_FIFO, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (c.fifo_fd < 0)
    {
      hr_error_set (err, errno, "open exec fifo");
      goto out;
    }
  for (size_t i = 0; i < plan->len; i++)
    if (plan->steps[i].kind == STEP_JOIN_NS)
      {
        c.join_fds = xrealloc (c.join_fds, (c.njoin + 1) * sizeof (int));
        c.join_fds[c.njoin] = hr_ns_open (plan->steps[i].path, plan->steps[i].ns, err);
        if (c.join_fds[c.njoin++] < 0)
          goto out;
      }
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c.sock) < 0
      || (terminal && socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c.console) < 0))
    {
      hr_error_set (err, errno, "socketpair");
      goto out;
    }

  /* The filter is compiled (or found in the cache, seccomp_cache.h) here,
     where the state root is reachable: the init loads it after
     pivot_root, and inherits it with our memory at clone. */
  if (plan->seccomp && hr_seccomp_prepare (plan->seccomp, c.rootfd, &c.seccomp, err) < 0)
    goto out;
  if (spawn_init (&c, plan, opts, res, err) < 0)
    goto out;
  if (!limited)
    {
      /* The driver made the cgroup around the init (systemd put it in the
         new scope, with the limits it knows), which waits for GO: record
         it, then write the rest into that directory, as runc does. */
      if (record_progress (&c, st, err) < 0 || drv->set_resources (c.cg, res, err) < 0)
        goto out;
    }
  /* linux.netDevices: the container's network namespace exists (the
     init's, or the one it will join) and nothing runs in it yet.  Done
     before GO, so before the prestart/createRuntime hooks, as runc 1.3
     does. */
  if (hr_netdev_move_in (cfg->linux_, c.pid, &c.netdevs, err) < 0)
    goto out;
  /* The init exists, in its cgroup, and waits for GO.  Its pid goes on
     record now, with status still "creating": `state` shows it and
     `kill` reaches it while the hooks run. */
  st->pid = c.pid;
  st->pid_present = true;
  st->init_start_time = hr_proc_start_time (c.pid, NULL);
  st->init_start_time_present = true;
  if (record_progress (&c, st, err) < 0)
    goto out;
  hr_debug ("container %s: init started, pid %d, clone flags 0x%x", id, (int) c.pid, (unsigned) plan->clone_flags);
  HR_FAULT_POINT ("create-after-cgroup");
  {
    /* The state documents the init's own hooks will read, then GO. */
    _cleanup_free_ char *creating = hr_hooks_state_json (id, "creating", c.pid, bundle, &cfg->annotations);
    _cleanup_free_ char *created = hr_hooks_state_json (id, "created", c.pid, bundle, &cfg->annotations);
    if (hr_msg_send (c.sock[0], HR_MSG_STATE_CREATING, 0, creating, strlen (creating), err) < 0
        || hr_msg_send (c.sock[0], HR_MSG_STATE_CREATED, 0, created, strlen (created), err) < 0
        || hr_msg_send (c.sock[0], HR_MSG_GO, 0, NULL, 0, err) < 0)
      goto out;
    if (plan->parent_opens_binds && send_bind_sources (&c, plan, err) < 0)
      goto out;
    hr_state_dir_unlock (c.dirfd);
    int r = wait_created (&c, cfg, creating, err);
    if (reclaim_lock (&c, r < 0 ? NULL : err) < 0 || r < 0)
      goto out;
  }
  if (terminal)
    {
      /* The init sent the pty master (STEP_CONSOLE) before CREATED.  It
         goes to --console-socket (connected from here, never from inside
         the container), or back to `run` to proxy. */
      _cleanup_close_ int master = hr_recv_fd (c.console[0], err);
      if (master < 0)
        goto out;
      if (opts->console_socket && *opts->console_socket)
        {
          if (hr_console_socket_send (opts->console_socket, master, err) < 0)
            goto out;
        }
      else if (master_out)
        *master_out = TAKE_FD (master);
    }

  if (pol)
    {
      /* The init is created: its mounts are made, its network namespace
         has its interfaces, and nothing of the user's has run (issue 16:
         the eBPF programs are attached before start). */
      struct hr_sandbox_setup sb = { .state_dirfd = c.dirfd, .id = id, .policy = pol, .config = cfg,
                                     .init_pid = c.pid, .cgroup = c.cg, .rootless = hr_context_rootless (ctx) };
      c.sandboxed = true;
      if (hr_sandbox_start (&sb, err) < 0)
        goto out;
    }
  /* The init's stdio as the process will have it (checkpoint writes it
     to descriptors.json, as runc records it at create). */
  hr_record_descriptors (c.pid, st);
  st->status = OCI_HR_STATUS_CREATED;
  st->status_present = true;
  /* delete --force has no creator to kill any more. */
  st->creator_pid_present = st->creator_start_time_present = false;
  if (cfg->annotations.len)
    {
      /* Hand the annotations over instead of copying them. */
      st->annotations = cfg->annotations;
      memset (&cfg->annotations, 0, sizeof (cfg->annotations));
    }
  HR_FAULT_POINT ("create-before-state");
  if (record_progress (&c, st, err) < 0)
    goto out;
  HR_FAULT_POINT ("create-after-state");
  hr_debug ("container %s: created, state recorded", id);
  if (opts->pid_file && hr_write_pid_file (opts->pid_file, c.pid, err) < 0)
    goto out;
  /* runc sends it from the init before it waits for start. */
  if (pidfd_sock >= 0 && hr_pidfd_socket_send (pidfd_sock, c.pid, "standard", err) < 0)
    goto out;
  if (hand_over (&c, err) < 0)
    goto out;
  if (pid_out)
    *pid_out = c.pid;
  ret = 0;

out:
  create_ctx_cleanup (&c, ret < 0);
  return ret;
}

int
hr_container_create (struct hr_context *ctx, const char *id, const struct hr_create_opts *opts, hr_err *err)
{
  return do_create (ctx, id, opts, true, NULL, NULL, err);
}

/* runtime-spec runtime.md "Lifecycle" step 9: poststart hooks run after
   the user process started; their failure is logged, not returned. */
static void
run_poststart (struct hr_container *c, const char *id)
{
  _cleanup_ (oci_config_freep) oci_config *cfg = NULL;
  _cleanup_free_ char *state = NULL;
  hr_err e = NULL;

  if (c->state->poststart_hooks_present && !c->state->poststart_hooks)
    return;
  if (hr_state_load_config (c->dirfd, &cfg, &e) < 0 || cfg->hooks == NULL || cfg->hooks->poststart_len == 0)
    {
      hr_error_free (&e);
      return;
    }
  state = hr_hooks_state_json (id, "running", c->pid, c->state->bundle, &c->state->annotations);
  hr_debug ("running %zu poststart hooks", cfg->hooks->poststart_len);
  if (hr_hooks_run (cfg->hooks->poststart, cfg->hooks->poststart_len, "poststart", state, &e) < 0)
    {
      hr_warn ("%s", e->msg);
      hr_error_free (&e);
    }
}

/* Whose pid NOTIFY_SOCKET is told after READY=1, and who waits for it. */
enum notify_mode
{
  NOTIFY_INIT,       /* start, run -d: the init's, and start returns after READY */
  NOTIFY_SELF,       /* foreground run: ours, as runc's (we stay the service's main process) */
  NOTIFY_SELF_ASIDE, /* foreground run -t: ours, relayed by a child of ours while we proxy
                        the pty (runc copies it in goroutines meanwhile) */
};

/* run's foreground: the pid the signals it gets go to (0: none). */
static volatile sig_atomic_t forward_pid;

/* A child of ours relays; its failure can only be logged (nobody waits
   for it), as a poststart hook's. */
static int
relay_aside (int sock, int host, int pidfd, hr_err *err)
{
  pid_t self = getpid ();
  pid_t child = fork ();

  if (child < 0)
    return hr_error_set (err, errno, "fork the notify relay");
  if (child > 0)
    return 0;
  (void) prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  /* run forwards the terminal's signals (^C) to the init once; this
     child gets them too, and forwards none. */
  forward_pid = 0;
  hr_err e = NULL;
  if (getppid () != self || hr_notify_relay (sock, host, pidfd, self, &e) < 0)
    {
      if (e)
        hr_warn ("%s", e->msg);
      _exit (1);
    }
  _exit (0);
}

static int
start_container (struct hr_context *ctx, const char *id, enum notify_mode mode, hr_err *err)
{
  struct hr_container c;
  _cleanup_close_ int fifo = -1, notify_sock = -1, notify_host = -1, pidfd = -1;
  int ret = -1;

  if (hr_container_load (ctx, id, HR_STATE_LOCK_EX, &c, err) < 0)
    return -1;
  if (strcmp (c.status, "created") != 0)
    {
      if (strcmp (c.status, "stopped") == 0)
        hr_error_plain (err, EINVAL, "cannot start a container that has stopped");
      else if (strcmp (c.status, "creating") == 0)
        hr_error_plain (err, EINVAL, "cannot start a container that is being created");
      else
        hr_error_plain (err, EINVAL, "cannot start an already %s container", c.status);
      goto out;
    }
  /* NOTIFY_SOCKET (notify.h): the socket is bound before the container
     runs, so nothing it sends is lost; the pidfd ends the wait for READY
     if the init exits first (runc polls /proc/<pid> for that). */
  if (hr_notify_open (c.dirfd, &notify_sock, &notify_host, err) < 0)
    goto out;
  if (notify_sock >= 0 && (pidfd = hr_container_pidfd (&c, err)) < 0)
    goto out;
  /* The init holds the only read side of the fifo: opening the write side
     without blocking fails with ENXIO when it is gone. */
  fifo = openat (c.dirfd, HR_EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
  if (fifo < 0)
    {
      if (errno == ENXIO)
        hr_error_plain (err, ESRCH, "container process is already dead");
      else
        hr_error_set (err, errno, "open exec fifo");
      goto out;
    }
  /* The fifo's name goes first: on a read-only state root start fails
     here, before the process runs, and the container stays "created".
     Then the byte, through the fd we hold: with the init alive to read it
     that cannot fail (a fifo with a reader takes one byte), and the init
     alive is what "running" means once the fifo is gone.  Nothing is
     written to state.json: the status is read from the kernel and the
     fifo (hr_state_status), never from the file, so start needs no room
     on a full state root (as runc's). */
  if (unlinkat (c.dirfd, HR_EXEC_FIFO, 0) < 0)
    {
      hr_error_set (err, errno, "remove exec fifo");
      goto out;
    }
  if (hr_write_all_nosigpipe (fifo, "0", 1) < 0)
    {
      hr_error_set (err, errno, "start container process");
      goto out;
    }
  ret = 0;
  hr_debug ("container %s: started, init pid %d", id, (int) c.pid);
  /* The container runs: poststart hooks run with no lock held (state.h
     "Locking"), so they can query it and kill or delete need not wait. */
  hr_state_dir_unlock (c.dirfd);
  run_poststart (&c, id);
  /* runc: start returns once the container said READY=1 (or its init is
     gone), after poststart, with no lock held. */
  if (notify_sock >= 0 && mode == NOTIFY_SELF_ASIDE)
    ret = relay_aside (notify_sock, notify_host, pidfd, err);
  else if (notify_sock >= 0)
    ret = hr_notify_relay (notify_sock, notify_host, pidfd, mode == NOTIFY_SELF ? getpid () : c.pid, err);

out:
  hr_container_release (&c);
  return ret;
}

int
hr_container_start (struct hr_context *ctx, const char *id, hr_err *err)
{
  return start_container (ctx, id, NOTIFY_INIT, err);
}


static void
forward_signal (int sig)
{
  if (forward_pid > 0)
    kill (forward_pid, sig);
}

void
hr_forward_signals_to (pid_t pid)
{
  static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };
  struct sigaction sa = { .sa_handler = forward_signal };

  forward_pid = pid;
  sigemptyset (&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (size_t i = 0; i < sizeof (forwarded) / sizeof (forwarded[0]); i++)
    sigaction (forwarded[i], &sa, NULL);
}

int
hr_wait_foreground (pid_t pid, int master, int *exit_code, hr_err *err)
{
  int status, r = 0;

  if (master >= 0)
    /* Proxies the pty, forwards signals (SIGWINCH resizes), waits. */
    r = hr_foreground_wait (pid, master, exit_code, err);
  else
    {
      while (waitpid (pid, &status, 0) < 0)
        if (errno != EINTR)
          {
            r = hr_error_set (err, errno, "wait for container");
            break;
          }
      if (r == 0)
        *exit_code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
    }
  forward_pid = 0;
  return r;
}

int
hr_container_run (struct hr_context *ctx, const char *id, const struct hr_create_opts *opts, int *exit_code,
                  hr_err *err)
{
  _cleanup_close_ int master = -1; /* run -t in the foreground: we proxy the pty */
  pid_t pid = 0;

  if (do_create (ctx, id, opts, opts->detach, &pid, &master, err) < 0)
    return -1;
  if (master >= 0)
    hr_terminal_inherit_size (master);
  if (!opts->detach)
    {
      /* Orphans of the container (when it shares our pid namespace) are
         reparented to us and reaped, unless --no-subreaper. */
      if (!opts->no_subreaper)
        (void) prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
      /* runc run forwards the signals it gets to the container. */
      hr_forward_signals_to (pid);
    }
  enum notify_mode mode = opts->detach ? NOTIFY_INIT : master >= 0 ? NOTIFY_SELF_ASIDE : NOTIFY_SELF;
  if (start_container (ctx, id, mode, err) < 0)
    {
      hr_err ignored = NULL;
      hr_container_delete (ctx, id, true, &ignored);
      hr_error_free (&ignored);
      return -1;
    }
  if (opts->detach)
    {
      *exit_code = 0;
      return 0;
    }
  if (hr_wait_foreground (pid, master, exit_code, err) < 0)
    return -1;
  if (!opts->keep)
    return hr_container_delete (ctx, id, true, err);
  return 0;
}
