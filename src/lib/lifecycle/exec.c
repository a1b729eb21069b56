/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec: run one more process in an existing container (runc exec).
 *
 *   hydra-runc (parent, trusted, host namespaces): non-dumpable, enters
 *   |   the container's pid namespace for its children only
 *   |   (setns(CLONE_NEWPID) through the init's pidfd), clone3s the
 *   |   process (on cgroup v2 straight into the container's cgroup,
 *   |   CLONE_INTO_CGROUP) and returns to its own pid namespace at once.
 *   C:  non-dumpable from birth (inherited); waits for HR_MSG_GO: the
 *       parent has put it in the container's cgroups (every hierarchy
 *       but the frozen one of a paused container), whose device rules
 *       and limits thus hold before it opens anything of the container
 *       (the pty's ptmx); then runs its plan (hr_plan_build_exec) in the
 *       executor create's init uses (init.c), so that it gets every
 *       process field the init gets: a trusted procfs, oom_score_adj and
 *       rlimits with host privileges, setns(pidfd, every other namespace
 *       that differs from ours) in one call (join-container), then, in
 *       every namespace of the container, the same steps as the init's
 *       process part (scheduler to no_new_privs and umask); reports
 *       HR_MSG_EXEC_READY and waits for HR_MSG_GO (report-ready), then
 *       close_range + execve.  The sync socket is close-on-exec: EOF
 *       after GO means the execve worked.  --debug prints the plan.
 *
 * Entering the pid namespace in the parent, as create does for a pid
 * namespace to join, saves the intermediate process runc and earlier
 * versions of this file used (a fork that joined, forked again and
 * exited): one process creation and one message round trip per exec.
 *
 * The parent, between READY and GO, moves a process exec'd into a paused
 * container into the frozen hierarchy, receives the pty master (console
 * channel), hands it to --console-socket or keeps it for the proxy, and
 * writes --pid-file: the user's program runs only once all of that worked.
 *
 * No handle to the hydra-runc binary reaches the container
 * (CVE-2019-5736): nothing re-executes hydra-runc, so the only handle is
 * the child's own /proc/<pid>/exe while it runs hydra-runc code inside the
 * container's namespaces.  It is non-dumpable from birth (the parent makes
 * itself non-dumpable before the clone, and the flag is inherited), since
 * it is born visible in the container's pid namespace, until execve
 * replaces the image (CVE-2016-9962): /proc/<pid>/exe, fd/,
 * mem, environ and ptrace of a non-dumpable process need CAP_SYS_PTRACE in
 * the init user namespace, which the container does not have.  A uid
 * change resets dumpability to fs.suid_dumpable, so the child says it
 * again after setresuid.  execve makes the new image dumpable as usual.
 */
#include <config.h>
#include "sandbox/policy.h"
#include "hydra.h"
#include "cleanup.h"
#include "cgroups/cgroup_driver.h"
#include "fault.h"
#include "lifecycle/lifecycle.h"
#include "kernel/lsm.h"
#include "lifecycle/hooks.h"
#include "setup/init.h"
#include "log.h"
#include "kernel/seccomp.h"
#include "kernel/seccomp_cache.h"
#include "kernel/seccomp_notify.h"
#include "lifecycle/values.h"
#include "kernel/namespaces.h"
#include "kernel/userns.h"
#include "setup/plan.h"
#include "kernel/process.h"
#include "state/state.h"
#include "state/sync.h"
#include "kernel/terminal.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void
strv_append (char ***v, size_t *len, const char *s)
{
  *v = xrealloc (*v, (*len + 2) * sizeof (char *));
  (*v)[(*len)++] = xstrdup (s);
  (*v)[*len] = NULL;
}

/* config.process (stored at create time) overridden by the flags, as
   runc's getProcess does. */
static int
process_from_flags (oci_process *p, const struct hr_exec_opts *o, hr_err *err)
{
  strv_free (p->args);
  p->args = NULL;
  p->args_len = 0;
  for (size_t i = 0; o->args && o->args[i]; i++)
    strv_append (&p->args, &p->args_len, o->args[i]);
  for (size_t i = 0; o->env && o->env[i]; i++)
    strv_append (&p->env, &p->env_len, o->env[i]);
  p->terminal = o->tty;
  p->terminal_present = true;
  if (o->cwd && *o->cwd)
    {
      free (p->cwd);
      p->cwd = xstrdup (o->cwd);
    }
  if (o->no_new_privs)
    {
      p->no_new_privileges = true;
      p->no_new_privileges_present = true;
    }
  if (p->user == NULL)
    p->user = xmalloc0 (sizeof (*p->user));
  if (o->user && *o->user)
    {
      unsigned uid, gid = 0;
      bool has_gid;
      if (hr_parse_user_spec (o->user, &uid, &gid, &has_gid, err) < 0)
        return -1;
      p->user->uid = uid;
      p->user->uid_present = true;
      /* runc: "-u 1000" means uid 1000, gid 0. */
      p->user->gid = has_gid ? gid : 0;
      p->user->gid_present = true;
    }
  for (size_t i = 0; o->additional_gids && o->additional_gids[i]; i++)
    {
      unsigned g;
      if (hr_parse_id (o->additional_gids[i], strlen (o->additional_gids[i]), "additional gid", &g, err) < 0)
        return -1;
      p->user->additional_gids = xrealloc (p->user->additional_gids,
                                           (p->user->additional_gids_len + 1) * sizeof (uint32_t));
      p->user->additional_gids[p->user->additional_gids_len++] = g;
    }
  if (o->caps && o->caps[0])
    {
      oci_capabilities *c = p->capabilities;
      if (c == NULL)
        c = p->capabilities = xmalloc0 (sizeof (*c));
      /* Never inheritable: a capability there survives the execve of any
         file with that file capability, for any user (CVE-2022-29162). */
      for (size_t i = 0; o->caps[i]; i++)
        {
          strv_append (&c->bounding, &c->bounding_len, o->caps[i]);
          strv_append (&c->effective, &c->effective_len, o->caps[i]);
          strv_append (&c->permitted, &c->permitted_len, o->caps[i]);
          strv_append (&c->ambient, &c->ambient_len, o->caps[i]);
        }
    }
  return 0;
}

/* Everything the child needs, prepared by the parent (no allocation or
   parsing after fork). */
struct exec_ctx
{
  const struct hr_plan *plan;
  int pidfd;           /* the container's init */
  int ns_flags;        /* namespaces to join */
  int init_root;       /* the init's root when it shares our mount namespace, else -1 */
  int sync[2];
  int console[2];      /* console channel, -1 without a terminal */
  int preserve_fds;
  struct hr_seccomp_prog seccomp; /* the container's filter, compiled or cached */
};

/* The child: born in the container's pid namespace, non-dumpable. */
static void __attribute__ ((noreturn))
exec_child (struct exec_ctx *x)
{
  struct hr_init_args args = {
    .plan = x->plan, .sync_fd = x->sync[1], .fifo_fd = -1, .preserve_fds = x->preserve_fds,
    .console_fd = x->console[1], .pidfd = x->pidfd, .ns_flags = x->ns_flags, .init_root = x->init_root,
    .seccomp = &x->seccomp,
  };
  struct hr_msg *msg = hr_msg_alloc ();
  hr_err err = NULL;
  bool reported;

  /* Dies with the parent; if the parent is already gone, the sync socket
     says so at READY, before anything of the user's runs. */
  prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  close (x->sync[0]);
  if (x->console[0] >= 0)
    close (x->console[0]);
  /* Nothing of the container is touched before the parent has put us in
     its cgroups: the devices cgroup must judge the open of the pty's
     ptmx, not host root's rights. */
  if (hr_msg_expect (x->sync[1], HR_MSG_GO, msg, &err) < 0)
    _exit (1); /* the parent is gone or gave up: nothing to tell */
  hr_plan_run (&args, "", "", &reported, &err); /* (no hooks in an exec plan) */
  /* Up to execve the parent listens on the sync socket. */
  hr_msg_send_error (x->sync[1], err);
  _exit (1);
}

static void
reap (pid_t pid, bool kill_it)
{
  if (pid <= 0)
    return;
  if (kill_it)
    kill (pid, SIGKILL);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

/* A rootless runtime may join the container's pid namespace only from
   inside its user namespace, which a process joins for good, and cannot
   come back to its own pid namespace when that belongs to an ancestor user
   namespace (root in Podman's rootless namespace): a short-lived middle
   process joins and clones the exec'd process as a sibling (CLONE_PARENT),
   so that it is still our child to wait for. */
static pid_t
spawn_child_from_userns (struct exec_ctx *x, int cgroup_fd, hr_err *err)
{
  _cleanup_close_ int rd = -1, wr = -1;
  struct { pid_t pid; int err; } r = { -1, 0 };
  int fds[2];
  pid_t mid;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    return hr_error_set (err, errno, "pipe");
  rd = fds[0];
  wr = fds[1];
  mid = fork ();
  if (mid < 0)
    return hr_error_set (err, errno, "fork");
  if (mid == 0)
    {
      /* clone3 wants no exit signal with CLONE_PARENT: the child gets
         ours (SIGCHLD) */
      struct clone_args args = { .flags = CLONE_PARENT };
      if (cgroup_fd >= 0)
        {
          args.flags |= CLONE_INTO_CGROUP;
          args.cgroup = (unsigned long long) cgroup_fd;
        }
      if (setns (x->pidfd, CLONE_NEWPID | (x->ns_flags & CLONE_NEWUSER)) < 0)
        r.err = errno;
      else
        {
          x->ns_flags &= ~CLONE_NEWUSER; /* joined already: a second join is EINVAL */
          r.pid = (pid_t) syscall (SYS_clone3, &args, sizeof (args));
          if (r.pid == 0)
            exec_child (x);
          if (r.pid < 0)
            r.err = errno;
        }
      _exit (write (wr, &r, sizeof (r)) == (ssize_t) sizeof (r) ? 0 : 1);
    }
  close (TAKE_FD (wr));
  ssize_t n;
  do
    n = read (rd, &r, sizeof (r));
  while (n < 0 && errno == EINTR);
  reap (mid, false);
  if (n != (ssize_t) sizeof (r))
    return hr_error_plain (err, EIO, "join the container's user and pid namespaces: no answer");
  if (r.pid < 0)
    return hr_error_set (err, r.err, "join the container's user and pid namespaces");
  return r.pid;
}

/* The exec'd process, born in the container's pid namespace (when it has
   one of its own) and, on cgroup v2, in cgroup_fd's cgroup. */
static pid_t
spawn_child (struct exec_ctx *x, int cgroup_fd, hr_err *err)
{
  _cleanup_close_ int own_pidns = -1;
  struct clone_args args = { .exit_signal = SIGCHLD };
  pid_t pid;

  if ((x->ns_flags & CLONE_NEWPID) && (geteuid () != 0 || hr_userns_running_in ()))
    return spawn_child_from_userns (x, cgroup_fd, err);
  if (x->ns_flags & CLONE_NEWPID)
    {
      own_pidns = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
      if (own_pidns < 0)
        return hr_error_set (err, errno, "open own pid namespace");
      if (setns (x->pidfd, CLONE_NEWPID) < 0)
        return hr_error_set (err, errno, "join the pid namespace of the container's init");
    }
  if (cgroup_fd >= 0)
    {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = (unsigned long long) cgroup_fd;
    }
  pid = (pid_t) syscall (SYS_clone3, &args, sizeof (args));
  if (pid == 0)
    exec_child (x);
  int e = errno;
  /* Back to our own pid namespace for any child we make later; failing
     that, the process must not run. */
  if (own_pidns >= 0 && setns (own_pidns, CLONE_NEWPID) < 0)
    {
      e = errno;
      if (pid > 0)
        reap (pid, true);
      return hr_error_set (err, e, "return to own pid namespace");
    }
  if (pid < 0)
    return hr_error_set (err, e, "fork into the container");
  return pid;
}

/* Namespaces of pid that are not ours: those we join.  Joining one we are
   already in is refused for the user namespace (EINVAL) and pointless for
   the rest. */
static int
namespaces_to_join (pid_t pid, int *flags, hr_err *err)
{
  size_t n;
  const struct hr_ns_info *all = hr_ns_all (&n);

  *flags = 0;
  for (size_t i = 0; i < n; i++)
    {
      char path[64];
      struct stat theirs, ours;

      snprintf (path, sizeof (path), "/proc/self/ns/%s", all[i].proc_name);
      if (stat (path, &ours) < 0)
        {
          if (errno == ENOENT)
            continue; /* this kernel has no such namespace type */
          return hr_error_set (err, errno, "stat %s", path);
        }
      snprintf (path, sizeof (path), "/proc/%d/ns/%s", (int) pid, all[i].proc_name);
      if (stat (path, &theirs) < 0)
        return hr_error_plain (err, ESRCH, "container not running");
      if (theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev)
        *flags |= all[i].clone_flag;
    }
  return 0;
}

/* The container's config (its linux part applies to every process in
   it) and the process to run, without config.process. */
static int
build_process (struct hr_container *c, const struct hr_exec_opts *o, oci_config **cfgp, oci_process **out,
               hr_err *err)
{
  _cleanup_ (oci_config_freep) oci_config *cfg = NULL;
  struct hr_lsm_labels labels = { .apparmor_field = "process.apparmorProfile",
                                  .selinux_field = "process.selinuxLabel" };
  oci_process *p;

  if (hr_state_load_config (c->dirfd, &cfg, err) < 0)
    return -1;
  if (o->process && *o->process)
    {
      if (oci_process_parse_file (o->process, &p, err) < 0)
        return -1;
    }
  else
    {
      p = cfg->process ? cfg->process : xmalloc0 (sizeof (*p));
      cfg->process = NULL;
      if (process_from_flags (p, o, err) < 0)
        {
          oci_process_free (p);
          return -1;
        }
      /* runc's getProcess: the flags override the labels of
         config.process. */
      if (o->apparmor && *o->apparmor)
        {
          free (p->apparmor_profile);
          p->apparmor_profile = xstrdup (o->apparmor);
          labels.apparmor_field = "--apparmor";
        }
      if (o->process_label && *o->process_label)
        {
          free (p->selinux_label);
          p->selinux_label = xstrdup (o->process_label);
          labels.selinux_field = "--process-label";
        }
    }
  /* A label the host cannot apply is refused before the process exists
     (lsm.h), as create refuses it. */
  labels.apparmor = p->apparmor_profile;
  labels.selinux = p->selinux_label;
  if (hr_lsm_check (&labels, err) < 0)
    {
      oci_process_free (p);
      return -1;
    }
  if (p->args_len == 0)
    {
      oci_process_free (p);
      return hr_error_plain (err, EINVAL, "process args cannot be empty");
    }
  if (p->cwd == NULL || p->cwd[0] != '/')
    {
      oci_process_free (p);
      return hr_error_plain (err, EINVAL, "cwd property must not be empty and must be an absolute path");
    }
  *out = p;
  *cfgp = TAKE_PTR (cfg);
  return 0;
}

int
hr_container_exec (struct hr_context *ctx, const char *id, const struct hr_exec_opts *o, int *exit_code,
                   hr_err *err)
{
  _cleanup_ (oci_config_freep) oci_config *cfg = NULL;
  _cleanup_ (oci_process_freep) oci_process *proc = NULL;
  _cleanup_ (hr_plan_freep) struct hr_plan *plan = NULL;
  _cleanup_ (hr_policy_freep) struct hr_policy *policy = NULL;
  struct exec_ctx x = { .pidfd = -1, .init_root = -1, .sync = { -1, -1 }, .console = { -1, -1 }, .preserve_fds = o->preserve_fds };
  struct hr_msg *msg = hr_msg_alloc ();
  struct hr_container c;
  _cleanup_ (hr_cgroup_freep) struct hr_cgroup *cg = NULL;
  bool loaded = false;
  _cleanup_close_ int cgfd = -1, pidfd_sock = -1;
  /* SCMP_ACT_NOTIFY: the process's listener fd goes to the agent with the
     container's state (runc: status running, the init's pid). */
  _cleanup_free_ char *agent_state = NULL;
  struct hr_seccomp_agent agent = { NULL, -1, NULL };
  pid_t pid = -1;
  int master = -1, ret = -1;

  *exit_code = 0;
  if (hr_container_load (ctx, id, HR_STATE_LOCK_SH, &c, err) < 0)
    goto out;
  loaded = true;
  if (strcmp (c.status, "stopped") == 0)
    {
      hr_error_plain (err, EINVAL, "cannot exec in a stopped container");
      goto out;
    }
  /* Its create runs hooks with no lock held (state.h "Locking"): the init
     has not finished its setup. */
  if (strcmp (c.status, "creating") == 0)
    {
      hr_error_plain (err, EINVAL, "cannot exec in a container that is being created");
      goto out;
    }
  bool paused = strcmp (c.status, "paused") == 0;
  if (paused && !o->ignore_paused)
    {
      hr_error_plain (err, EBUSY, "cannot exec in a paused container (use --ignore-paused to override)");
      goto out;
    }
  if (hr_container_cgroup (&c, &cg, err) < 0)
    goto out;
  if (o->cgroup && *o->cgroup)
    {
      struct hr_cgroup *sub = NULL;
      if (cg == NULL)
        {
          hr_error_plain (err, ENOTSUP, "--cgroup: the container has no cgroup");
          goto out;
        }
      if (cg->driver->sub (cg, o->cgroup, &sub, err) < 0)
        goto out;
      hr_cgroup_free (cg);
      cg = sub;
    }
  /* A sandboxed container's policy (its annotation in the config saved
     at create) confines every process exec'd into it as it does the init:
     the same Landlock domain, or a process could escape it by `exec`. */
  if (build_process (&c, o, &cfg, &proc, err) < 0 || hr_policy_from_config (cfg, &policy, err) < 0
      || hr_plan_build_exec_policy (cfg, proc, o->preserve_fds, policy, &plan, err) < 0)
    goto out;
  hr_plan_debug (plan, "exec plan", id);
  x.plan = plan;
  /* As create does: compiled or from the cache here, loaded by the child. */
  if (plan->seccomp && hr_seccomp_prepare (plan->seccomp, c.rootfd, &x.seccomp, err) < 0)
    goto out;
  if (hr_seccomp_has_notify (plan->seccomp))
    {
      agent_state = hr_hooks_state_json (id, "running", c.pid, c.state->bundle, &c.state->annotations);
      agent = (struct hr_seccomp_agent){ plan->seccomp, -1, agent_state };
    }
  if (hr_terminal_check (proc->terminal_present && proc->terminal, o->detach, o->console_socket, err) < 0)
    goto out;

  if (o->pidfd_socket && *o->pidfd_socket)
    {
      pidfd_sock = hr_pidfd_socket_connect (o->pidfd_socket, err);
      if (pidfd_sock < 0)
        goto out;
    }

  x.pidfd = pidfd_open (c.pid, 0);
  if (x.pidfd < 0 || (c.state->init_start_time_present && hr_proc_start_time (c.pid, NULL) != c.state->init_start_time))
    {
      hr_error_plain (err, ESRCH, "container not running");
      goto out;
    }
  if (namespaces_to_join (c.pid, &x.ns_flags, err) < 0)
    goto out;
  /* A container without a mount namespace chroot'd into its rootfs
     (plan.c): joining no mount namespace leaves us at the host's root, so
     take the init's.  Alive after the open, the pidfd's process still
     owns the pid: the root is the init's. */
  if (!(x.ns_flags & CLONE_NEWNS))
    {
      char rp[64];
      snprintf (rp, sizeof (rp), "/proc/%d/root", (int) c.pid);
      x.init_root = open (rp, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (x.init_root < 0 || pidfd_send_signal (x.pidfd, 0, NULL, 0) < 0)
        {
          hr_error_plain (err, ESRCH, "container not running");
          goto out;
        }
    }
  /* The pidfd pins the init from here on: drop the state dir lock, which
     a foreground exec would otherwise hold against `delete` for as long
     as the process runs. */
  hr_container_release (&c);
  loaded = false;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, x.sync) < 0
      || (proc->terminal && socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, x.console) < 0))
    {
      hr_error_set (err, errno, "socketpair");
      goto out;
    }
  /* Non-dumpable before the clone, so that the child is from birth: it
     appears in the container's pid namespace at once (CVE-2016-9962).
     Nothing of ours needs dumpability after this. */
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    {
      hr_error_set (err, errno, "prctl(PR_SET_DUMPABLE)");
      goto out;
    }
  /* Born in the cgroup on v2, unless it is frozen: a child that cannot
     run could not report READY (exec --ignore-paused waits for GO in the
     frozen cgroup instead, as the process joins it before GO). */
  if (cg && !paused)
    cgfd = cg->driver->clone_into (cg);
  pid = spawn_child (&x, cgfd, err);
  if (pid < 0)
    goto out;
  /* Into the container's cgroups (unless born there) before the process
     does anything of the container's; the frozen part of a paused
     container only after READY, since a frozen process could not set
     itself up. */
  if (cg && cgfd < 0 && cg->driver->place (cg, pid, HR_CGROUP_PART_UNFROZEN, err) < 0)
    goto out;
  if (cg && cgfd < 0 && !paused && cg->driver->place (cg, pid, HR_CGROUP_PART_FREEZER, err) < 0)
    goto out;
  if (hr_msg_send (x.sync[0], HR_MSG_GO, 0, NULL, 0, err) < 0)
    goto out;
  hr_debug ("exec in container %s: process pid %d joins the namespaces of init pid %d", id, (int) pid, (int) c.pid);
  close (x.sync[1]);
  x.sync[1] = -1;
  if (x.console[1] >= 0)
    {
      close (x.console[1]);
      x.console[1] = -1;
    }
  agent.pid = pid;
  if (hr_seccomp_notify_expect (x.sync[0], HR_MSG_EXEC_READY, msg, &agent, err) < 0)
    goto out;
  if (x.console[0] >= 0)
    {
      master = hr_recv_fd (x.console[0], err);
      if (master < 0)
        goto out;
      if (o->console_socket && *o->console_socket)
        {
          if (hr_console_socket_send (o->console_socket, master, err) < 0)
            goto out;
          close (master);
          master = -1;
        }
      else
        hr_terminal_inherit_size (master);
    }
  /* A paused container's frozen hierarchy, before the process runs
     anything of its own (it waits for GO). */
  if (cg && cgfd < 0 && paused && cg->driver->place (cg, pid, HR_CGROUP_PART_FREEZER, err) < 0)
    goto out;
  if (o->pid_file && *o->pid_file && hr_write_pid_file (o->pid_file, pid, err) < 0)
    goto out;
  /* runc's setns init sends it just before its execve. */
  if (pidfd_sock >= 0 && hr_pidfd_socket_send (pidfd_sock, pid, "setns", err) < 0)
    goto out;
  /* The process is in the container's cgroup and waits for GO. */
  HR_FAULT_POINT ("exec-before-go");
  if (hr_msg_send (x.sync[0], HR_MSG_GO, 0, NULL, 0, err) < 0)
    goto out;
  /* EOF: the sync socket closed on execve (O_CLOEXEC), the one
     acknowledgement no message can give.  An error: execve failed. */
  if (hr_seccomp_notify_recv (x.sync[0], msg, &agent, err) == 0)
    {
      if (msg->type == HR_MSG_ERROR)
        hr_error_from_msg (err, msg->errnum, msg->data);
      else
        hr_error_plain (err, EPROTO, "unexpected `%s` message from exec child", hr_msg_name (msg->type));
      goto out;
    }
  if (hr_error_errno (*err) != EPIPE)
    goto out;
  hr_error_free (err);
  hr_debug ("exec in container %s: process pid %d started", id, (int) pid);

  if (o->detach)
    {
      pid = -1; /* runs on; reparented when we exit */
      ret = 0;
      goto out;
    }
  ret = hr_foreground_wait (pid, master, exit_code, err);
  pid = -1;

out:
  if (ret < 0 && pid > 0)
    reap (pid, true);
  if (master >= 0)
    close (master);
  for (int i = 0; i < 2; i++)
    {
      if (x.sync[i] >= 0)
        close (x.sync[i]);
      if (x.console[i] >= 0)
        close (x.console[i]);
    }
  if (x.pidfd >= 0)
    close (x.pidfd);
  if (x.init_root >= 0)
    close (x.init_root);
  hr_seccomp_prog_clear (&x.seccomp);
  if (loaded)
    hr_container_release (&c);
  hr_msg_free (msg);
  return ret;
}
