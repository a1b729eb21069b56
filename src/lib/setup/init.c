/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "setup/init.h"
#include "log.h"
#include "kernel/caps.h"
#include "cleanup.h"
#include "kernel/devices.h"
#include "fault.h"
#include "lifecycle/hooks.h"
#include "kernel/landlock.h"
#include "kernel/lsm.h"
#include "kernel/mounts.h"
#include "kernel/namespaces.h"
#include "kernel/netdev.h"
#include "kernel/process.h"
#include "kernel/resolve.h"
#include "kernel/seccomp_notify.h"
#include "state/sync.h"
#include "kernel/terminal.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>

struct init_state
{
  const struct hr_init_args *args;
  int rootfd;
  int procfd;       /* trusted procfs, see hr_open_trusted_proc */
  size_t join_idx;
  char *exec_path;
  char **env;       /* process.env with HOME or a STEP_SETENV added, NULL when unchanged */
  /* The state hooks get on stdin, sent by the parent with GO. */
  const char *state_creating, *state_created;
  bool reported;    /* created was reported: the parent no longer listens */
  int *bind_fds;    /* per step: the source of a bind mount, from the parent */
  bool filtered;    /* the seccomp filter is loaded: fds already close-on-exec */
};

/* plan->parent_opens_binds: one fd per bind STEP_MOUNT, in step order,
   right after GO. */
static int
receive_bind_sources (struct init_state *st, hr_err *err)
{
  const struct hr_plan *p = st->args->plan;

  st->bind_fds = xmalloc0 (p->len * sizeof (int));
  for (size_t i = 0; i < p->len; i++)
    {
      st->bind_fds[i] = -1;
      if (p->steps[i].kind == STEP_MOUNT && p->steps[i].opts.bind)
        {
          st->bind_fds[i] = hr_recv_fd (st->args->sync_fd, err);
          if (st->bind_fds[i] < 0)
            return hr_error_wrap (err, "receive the source of bind mount `%s`", p->steps[i].path);
        }
    }
  return 0;
}

static int
sysctl_write (int procfd, const char *key, const char *value, hr_err *err)
{
  _cleanup_free_ char *rel = xasprintf ("sys/%s", key);
  /* net.ipv4.ip_forward -> sys/net/ipv4/ip_forward; a key may not climb
     out of /proc/sys. */
  if (key[0] == '\0' || key[0] == '/' || strstr (key, ".."))
    return hr_error_plain (err, EINVAL, "invalid sysctl `%s`", key);
  for (char *p = rel + 4; *p; p++)
    if (*p == '.')
      *p = '/';
  return hr_proc_write (procfd, rel, value, err);
}

/* Block until `start` writes its byte into exec.fifo (see container.c). */
static int
wait_for_start (struct init_state *st, hr_err *err)
{
  char byte;
  ssize_t r;

  do
    r = read (st->args->fifo_fd, &byte, 1);
  while (r < 0 && errno == EINTR);
  if (r != 1)
    return hr_error_set (err, r < 0 ? errno : EIO, "wait for start on exec fifo");
  close (st->args->fifo_fd);
  return 0;
}

/* Send `type` (payload: the string data, or none) to the parent and wait
   for its answer `reply`. */
static int
ask_parent (struct init_state *st, enum hr_msg_type type, const char *data, enum hr_msg_type reply, hr_err *err)
{
  _cleanup_msg_ struct hr_msg *m = hr_msg_alloc ();
  if (hr_msg_send (st->args->sync_fd, type, 0, data, data ? strlen (data) : 0, err) < 0)
    return -1;
  return hr_msg_expect (st->args->sync_fd, reply, m, err);
}

/* exec: into every namespace of the container's init that is not ours, at
   once through its pidfd (kernel >= 5.8): the pidfd pins the process the
   parent checked, so a recycled pid cannot redirect us, and the kernel
   joins them in the right order (user first).  The time namespace applies
   to us at once, like the rest; the pid namespace we were born in. */
static int
join_container (struct init_state *st, hr_err *err)
{
  const struct hr_init_args *a = st->args;
  int flags = a->ns_flags & ~CLONE_NEWPID;

  if (flags && setns (a->pidfd, flags) < 0)
    return hr_error_set (err, errno, "join the namespaces of the container's init");
  close (a->pidfd);
  /* In the container's user namespace we are still host root, an
     unmapped uid there: become the namespace's root, as the init did (and
     runc's nsexec does), so that what we create (the pty) belongs to a
     uid of the container and can be given to the process.  The uid change
     resets dumpability: we stay non-dumpable (see exec.c). */
  if ((flags & CLONE_NEWUSER)
      && (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0 || prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0))
    return hr_error_set (err, errno, "become root in the container's user namespace (is uid/gid 0 mapped?)");
  /* A container without a mount namespace chroot'd into its rootfs
     (plan.c): take the init's root. */
  if (a->init_root >= 0 && (fchdir (a->init_root) < 0 || chroot (".") < 0 || chdir ("/") < 0))
    return hr_error_set (err, errno, "enter the root of the container's init");
  HR_FAULT_POINT ("exec-after-join");
  st->rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (st->rootfd < 0)
    return hr_error_set (err, errno, "open the container's root");
  return 0;
}

/* process.cwd, once "/" is the container's root (after pivot_root, or the
   join of its mount namespace), resolved inside it and never through a
   magic link (RESOLVE_NO_MAGICLINKS): /proc/self/fd/N naming a host
   directory fd would put the process outside the container
   (CVE-2024-21626). */
static int
change_dir (const char *cwd, hr_err *err)
{
  _cleanup_close_ int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  _cleanup_close_ int cwdfd = -1;
  char buf[PATH_MAX];

  if (rootfd < 0)
    return hr_error_set (err, errno, "open the container's root");
  cwdfd = hr_open_in_root (rootfd, cwd, O_PATH | O_DIRECTORY, err);
  if (cwdfd < 0 || fchdir (cwdfd) < 0)
    {
      if (cwdfd >= 0)
        hr_error_set (err, errno, "fchdir");
      return hr_error_wrap (err, "chdir to cwd (\"%s\") set in config.json failed", cwd);
    }
  /* Belt and braces: the kernel reports a cwd outside our root as
     unreachable (glibc: ENOENT). */
  if (getcwd (buf, sizeof (buf)) == NULL)
    return hr_error_set (err, errno, "cwd (\"%s\") is not inside the container", cwd);
  return 0;
}

static int
run_step (struct init_state *st, const struct hr_step *s, hr_err *err)
{
  const struct hr_plan *p = st->args->plan;
  const oci_process *proc = p->process;

  switch (s->kind)
    {
    case STEP_JOIN_NS:
      return hr_ns_join (st->args->join_fds[st->join_idx++], s->ns, s->path, err);
    case STEP_BECOME_ROOT:
      /* The ids we had are unmapped in the new user namespace: become its
         root, whose capabilities the rest of the setup relies on. */
      if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        return hr_error_set (err, errno, "become root in the user namespace (is uid/gid 0 mapped?)");
      return 0;
    case STEP_UNSHARE_CGROUPNS:
      if (unshare (CLONE_NEWCGROUP) < 0)
        return hr_error_set (err, errno, "create cgroup namespace");
      return 0;
    case STEP_LOOPBACK_UP:
      return hr_netdev_loopback_up (err);
    case STEP_SESSION_KEYRING:
      {
        /* Named and permissioned as runc does: "_ses.<id>", with "search"
           added for the user (runc's ModKeyringPerm 0x080000). */
        _cleanup_free_ char *name = xasprintf ("_ses.%s", s->value);
        long key = syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name);
        if (key < 0)
          return errno == ENOSYS ? 0 : hr_error_set (err, errno, "join session keyring");
        if (syscall (SYS_keyctl, KEYCTL_SETPERM, key, 0x3f1b0000) < 0)
          return hr_error_set (err, errno, "set session keyring permissions");
        return 0;
      }
    case STEP_CPU_AFFINITY:
      return hr_apply_cpu_affinity (s->cpu_final ? &p->attrs.cpu_final : &p->attrs.cpu_initial, err);
    case STEP_SCHEDULER:
      return hr_apply_sched (&p->attrs.sched, err);
    case STEP_IOPRIO:
      return hr_apply_ioprio (p->attrs.ioprio, err);
    case STEP_MEMPOLICY:
      return hr_apply_mempolicy (&p->attrs.mempolicy, err);
    case STEP_SECCOMP:
      /* The plan loads a filter with a listener before the report,
         while the parent still listens for its fd. */
      st->filtered = true;
      if (st->args->seccomp == NULL || st->args->seccomp->len == 0)
        return hr_seccomp_load (p->seccomp, st->args->preserve_fds, st->args->sync_fd, err);
      {
        int notify_fd;
        if (hr_seccomp_load_prog (st->args->seccomp, st->args->preserve_fds, &notify_fd, err) < 0)
          return -1;
        return notify_fd >= 0 ? hr_seccomp_notify_handover (st->args->sync_fd, notify_fd, err) : 0;
      }
    case STEP_PERSONALITY:
      return hr_apply_personality (p->attrs.personality, err);
    case STEP_EXEC_LABELS:
      return hr_lsm_set_exec (st->procfd, proc->apparmor_profile, proc->selinux_label, err);
    case STEP_RUNTIME_HOOKS:
      return ask_parent (st, HR_MSG_RUN_HOOKS, "createRuntime", HR_MSG_HOOKS_DONE, err);
    case STEP_MKDIR_CWD:
      {
        int fd = hr_create_in_root (st->rootfd, s->path, false, err);
        if (fd < 0)
          return hr_error_wrap (err, "process.cwd");
        close (fd);
        return 0;
      }
    case STEP_CONTAINER_HOOKS:
      {
        const oci_hooks *h = p->config->hooks;
        if (strcmp (s->path, "createContainer") == 0)
          {
            /* runc (rootfs_linux.go) runs them from the container's root
               (its rootfs, pivot_root not done yet), not the bundle the
               init started in; every mount is in place by now and
               pivot_root changes directory again. */
            if (fchdir (st->rootfd) < 0)
              return hr_error_set (err, errno, "chdir to rootfs for createContainer hooks");
            return hr_hooks_run (h->create_container, h->create_container_len, s->path, st->state_creating, err);
          }
        return hr_hooks_run (h->start_container, h->start_container_len, s->path, st->state_created, err);
      }
    case STEP_ROOT_PROPAGATION:
      return hr_mount_root_propagation (s->flags, err);
    case STEP_CHDIR_BUNDLE:
      if (chdir (s->path) < 0)
        return hr_error_set (err, errno, "chdir to bundle `%s`", s->path);
      return 0;
    case STEP_RECV_BIND_SOURCES:
      return receive_bind_sources (st, err);
    case STEP_OPEN_PROCFS:
      st->procfd = hr_open_trusted_proc (err);
      return st->procfd < 0 ? -1 : 0;
    case STEP_JOIN_CONTAINER:
      return join_container (st, err);
    case STEP_BIND_ROOTFS:
      st->rootfd = hr_mount_bind_rootfs (s->path, err);
      return st->rootfd < 0 ? -1 : 0;
    case STEP_OPEN_ROOTFS:
      st->rootfd = open (s->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (st->rootfd < 0)
        return hr_error_set (err, errno, "open rootfs `%s`", s->path);
      return 0;
    case STEP_CHROOT:
      return hr_chroot_rootfs (st->rootfd, err);
    case STEP_MOUNT:
      {
        /* The source fd is needed once: not kept open until execve. */
        _cleanup_close_ int srcfd = st->bind_fds ? TAKE_FD (st->bind_fds[s - p->steps]) : -1;
        return hr_mount_step (st->rootfd, s, srcfd, err);
      }
    case STEP_MOUNT_CGROUP:
      return hr_mount_cgroup (st->rootfd, s, err);
    case STEP_DEFAULT_DEVICES:
      return hr_default_devices (st->rootfd, err);
    case STEP_DEVICE:
      return hr_create_device (st->rootfd, s->device, err);
    case STEP_DEV_SYMLINKS:
      return hr_dev_symlinks (st->rootfd, err);
    case STEP_REOPEN_DEV_NULL:
      return hr_reopen_dev_null (err);
    case STEP_PIVOT_ROOT:
      return hr_pivot_root (st->rootfd, s->flags, s->no_pivot, err);
    case STEP_CONSOLE:
      return hr_terminal_setup (st->rootfd, st->procfd, st->args->console_fd, s->init_console, proc->console_size,
                                proc->user ? (uid_t) proc->user->uid : 0, err);
    case STEP_SETSID:
      if (setsid () < 0)
        return hr_error_set (err, errno, "setsid");
      return 0;
    case STEP_MASK_PATH:
      return hr_mask_path (st->rootfd, s->path, err);
    case STEP_READONLY_PATH:
      return hr_readonly_path (st->rootfd, s->path, err);
    case STEP_DEV_READONLY:
      return hr_dev_readonly (st->rootfd, err);
    case STEP_ROOT_READONLY:
      return hr_root_readonly (st->rootfd, err);
    case STEP_ROOT_PROPAGATION_FINAL:
      /* after pivot_root: "/" is the container's root */
      return hr_mount_root_propagation (s->flags, err);
    case STEP_HOSTNAME:
      if (sethostname (s->value, strlen (s->value)) < 0)
        return hr_error_set (err, errno, "sethostname `%s`", s->value);
      return 0;
    case STEP_DOMAINNAME:
      if (setdomainname (s->value, strlen (s->value)) < 0)
        return hr_error_set (err, errno, "setdomainname `%s`", s->value);
      return 0;
    case STEP_SYSCTL:
      return sysctl_write (st->procfd, s->path, s->value, err);
    case STEP_OOM_SCORE_ADJ:
      {
        char v[32];
        snprintf (v, sizeof (v), "%d", s->oom_score_adj);
        return hr_proc_write (st->procfd, "self/oom_score_adj", v, err);
      }
    case STEP_RLIMIT:
      return hr_rlimit_apply (s->resource, s->path, s->soft, s->hard, err);
    case STEP_LOOKUP_EXEC:
      if (hr_lookup_exec (s->path, proc->env, &st->exec_path, err) < 0)
        return hr_error_wrap (err, "unable to start container process");
      return 0;
    case STEP_CHDIR:
      return change_dir (s->path, err);
    case STEP_SETENV:
      {
        char **env = hr_env_set (st->env ? st->env : proc->env, s->path, s->value);
        hr_env_free (st->env);
        st->env = env;
        return 0;
      }
    case STEP_LISTEN_FDS:
      {
        /* sd_listen_fds(3) takes fds 3..3+N-1 as passed sockets: say so
           only when they are, for the pid the process will have (exec
           keeps it) */
        int n = (int) s->soft;
        char num[16], pid[16];
        for (int fd = 3; fd < 3 + n; fd++)
          {
            struct stat sb;
            if (fstat (fd, &sb) < 0 || !S_ISSOCK (sb.st_mode))
              return 0;
          }
        snprintf (num, sizeof (num), "%d", n);
        snprintf (pid, sizeof (pid), "%d", (int) getpid ());
        char **env = hr_env_set (st->env ? st->env : proc->env, "LISTEN_FDS", num);
        hr_env_free (st->env);
        st->env = hr_env_set (env, "LISTEN_PID", pid);
        hr_env_free (env);
        return 0;
      }
    case STEP_HOME:
      {
        char **env = hr_env_with_home (st->env ? st->env : proc->env, st->rootfd, proc->user);
        if (env)
          {
            hr_env_free (st->env);
            st->env = env;
          }
        return 0;
      }
    case STEP_CAPS_BOUNDING:
      return hr_caps_apply_bounding (&p->caps, err);
    case STEP_SET_USER:
      if (hr_set_user (proc->user, err) < 0)
        return -1;
      /* A uid change resets dumpability to fs.suid_dumpable, which may be
         1: until execve this is still the runtime (CVE-2016-9962). */
      if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        return hr_error_set (err, errno, "prctl(PR_SET_DUMPABLE)");
      return 0;
    case STEP_CAPS:
      return hr_caps_apply (&p->caps, err);
    case STEP_LANDLOCK:
      {
        /* The report is the parent's to make (hr_landlock_lower on the
           same kernel gives the same): without Landlock this does
           nothing, and the caller has refused already under
           `require: all`. */
        struct hr_landlock_report r;
        /* "/" is the container's root here (pivot_root, chroot or the
           join of its mount namespace) */
        _cleanup_close_ int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
          return hr_error_set (err, errno, "open the container's root");
        if (hr_landlock_apply (rootfd, p->policy, &r, err) < 0)
          return hr_error_wrap (err, "sandbox policy");
        return 0;
      }
    case STEP_NO_NEW_PRIVS:
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return hr_error_set (err, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
      return 0;
    case STEP_UMASK:
      umask (s->umask);
      return 0;
    case STEP_REPORT_CREATED:
      /* From RECORDED on, state.json names us and the container outlives
         this hydra-runc; until then we die with it (see hand_over in
         container.c).  The parent waits for the acknowledgement before
         it exits; one gone already (killed since RECORDED) has recorded
         us, so we stay the created container it named. */
      if (ask_parent (st, HR_MSG_CREATED, NULL, HR_MSG_RECORDED, err) < 0)
        return -1;
      prctl (PR_SET_PDEATHSIG, 0, 0, 0, 0);
      HR_FAULT_POINT ("create-before-ack");
      {
        hr_err gone = NULL;
        if (hr_msg_send (st->args->sync_fd, HR_MSG_RECORDED_ACK, 0, NULL, 0, &gone) < 0)
          hr_error_free (&gone);
      }
      return 0;
    case STEP_REPORT_READY:
      HR_FAULT_POINT ("exec-before-ready");
      if (ask_parent (st, HR_MSG_EXEC_READY, NULL, HR_MSG_GO, err) < 0)
        _exit (1); /* the parent is gone or gave up: nothing to tell */
      /* Detached, the parent exits right after this: the process must
         not die with it (PDEATHSIG survives an ordinary execve). */
      prctl (PR_SET_PDEATHSIG, 0, 0, 0, 0);
      return 0;
    case STEP_WAIT_START:
      close (st->args->sync_fd);
      if (st->args->fifo_fd < 0)
        return 0;
      return wait_for_start (st, err);
    case STEP_EXEC:
      /* Close-on-exec anyway; under a filter no syscall that is not
         needed (a KILL profile may not list close). */
      if (st->procfd >= 0 && !st->filtered)
        close (st->procfd);
      return hr_exec (st->exec_path, proc->args, st->env ? st->env : proc->env, st->args->preserve_fds, st->filtered,
                      err);
    }
  return hr_error_plain (err, EINVAL, "unknown setup step %d", (int) s->kind);
}

int
hr_plan_run (const struct hr_init_args *args, const char *state_creating, const char *state_created, bool *reported,
             hr_err *err)
{
  struct init_state st = { .args = args, .rootfd = -1, .procfd = -1, .state_creating = state_creating,
                           .state_created = state_created };
  const struct hr_plan *p = args->plan;

  *reported = false;
  /* --debug (runc says "child process in init()" too).  The init logs
     only before the console step: from there its stderr may be the
     container's terminal (the plan itself is logged by the parent). */
  hr_debug ("%s: running the %zu steps of the setup plan", p->exec ? "exec child" : "child process in init()",
            p->len);
  for (size_t i = 0; i < p->len; i++)
    {
      const struct hr_step *s = &p->steps[i];
      if (run_step (&st, s, err) < 0)
        return -1;
      /* Every mount of the config is in place and / is the rootfs. */
      if (s->kind == STEP_PIVOT_ROOT)
        {
          hr_debug ("init: every mount in place, root is the rootfs");
          HR_FAULT_POINT ("create-after-mounts");
        }
      if (s->kind == STEP_REPORT_CREATED)
        *reported = st.reported = true;
    }
  if (p->restore)
    return 0; /* the mountpoints are made: nothing to exec */
  return hr_error_plain (err, EINVAL, "setup plan ended without exec");
}

void
hr_init_run (const struct hr_init_args *args)
{
  /* Never freed: the init execs or exits; the hooks read the states. */
  struct hr_msg *creating = hr_msg_alloc (), *created = hr_msg_alloc (), *msg = hr_msg_alloc ();
  hr_err err = NULL;
  bool reported = false;

  /* Die with the runtime while it is still setting us up. */
  prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  /* Until execve replaces it, this is the runtime's binary inside the
     container: a process exec'd into a created container must not open
     /proc/1/exe (and later rewrite the host binary through it) nor ptrace
     us (CVE-2019-5736, CVE-2016-9962).  execve makes the process dumpable
     again; exec.bats checks both.  (Before GO nothing of the container
     runs or can join us; a rootless parent's own uid could ptrace it
     anyway.) */
  if (!args->dumpable_until_go)
    prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  /* Device nodes and files get the modes asked for; STEP_UMASK sets the
     process's. */
  umask (0);

  /* The state documents for the hooks run here, whole, then GO. */
  if (hr_msg_expect (args->sync_fd, HR_MSG_STATE_CREATING, creating, &err) < 0
      || hr_msg_expect (args->sync_fd, HR_MSG_STATE_CREATED, created, &err) < 0
      || hr_msg_expect (args->sync_fd, HR_MSG_GO, msg, &err) < 0
      || (args->dumpable_until_go && prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0
          && hr_error_set (&err, errno, "prctl(PR_SET_DUMPABLE)") < 0)
      || hr_plan_run (args, creating->data, created->data, &reported, &err) < 0)
    {
      if (reported)
        {
          /* The parent is gone by now: nobody to tell but stderr. */
          dprintf (2, "hydra-runc: %s\n", err->msg);
          _exit (127);
        }
      hr_msg_send_error (args->sync_fd, err);
      _exit (1);
    }
  _exit (1); /* hr_plan_run returns only on failure */
}

void
hr_plan_debug (const struct hr_plan *plan, const char *what, const char *id)
{
  if (!hr_log_debug_enabled ())
    return;
  /* One entry a line, as runc's log lines are. */
  _cleanup_free_ char *text = hr_plan_format (plan);
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    hr_log (HR_LOG_DEBUG, "%s for %s: %s", what, id, line);
}
